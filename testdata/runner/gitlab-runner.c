/*
 * gitlab-runner.c: a stand-in for GitLab Runner's shell executor, used only
 * by testdata/record.sh to record steptrail's fixtures from the real kernel.
 *
 * What steptrail relies on is the process structure, so that is what this
 * mimics:
 *   - it is installed as .../gitlab-runner (the exe=),
 *   - every stage of the job (get_sources, step_script, after_script) is a
 *     child `bash --login` (bash found on PATH) that reads the stage's
 *     script on its standard input, as the shell executor feeds it: a
 *     prologue (set -eo pipefail, the CI_* variables exported, cd into the
 *     project directory but for get_sources), then the stage's commands,
 *   - a failing stage skips the others but after_script.
 * The stage names are not in the audit trail (the script is on stdin).
 * Everything else of the real runner (polling GitLab, artifacts, caches,
 * the prepare_script and upload stages) is left out.
 *
 * Usage: gitlab-runner run-single --working-directory DIR --job-dir JOBDIR
 * JOBDIR holds get_sources.sh, step_script.sh, after_script.sh (a missing
 * one is skipped).  The builds directory is DIR/builds/<short token>/0/
 * acme/hello, as the runner lays it out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define STAND_IN "gitlab-runner"
#include "stand-in.h"

#define SHORT_TOKEN	"Zx8kq2Lm"
#define PROJECT		"acme/hello"
/* A stage must never hang a recording. */
#define STAGE_TIMEOUT	120

static char *
slurp(const char *path)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap * 2 + 8192;
			if ((buf = realloc(buf, cap)) == NULL)
				die("realloc");
		}
		if ((n = read(fd, buf + len, cap - len - 1)) <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* Runs one stage: bash --login, the script on stdin.  Its exit status. */
static int
run_stage(const char *stage, const char *script, const char *workdir,
    const char *project_dir, char **envp)
{
	char prologue[16384];
	char *argv[] = { "bash", "--login", NULL };
	int p[2], status;
	size_t off, len;
	ssize_t n;
	pid_t pid, w;

	snprintf(prologue, sizeof prologue,
	    "set -eo pipefail\n"
	    "set +o noclobber\n"
	    "export CI=\"true\" GITLAB_CI=\"true\" CI_SERVER=\"yes\"\n"
	    "export CI_JOB_ID=\"7301234567\" CI_JOB_NAME=\"build\""
	    " CI_JOB_STAGE=\"test\"\n"
	    "export CI_JOB_TOKEN=\"glcbt-64_stand-in-token-not-real\"\n"
	    "export CI_PROJECT_PATH=\"" PROJECT "\""
	    " CI_PROJECT_DIR=\"%s\"\n"
	    "export CI_RUNNER_SHORT_TOKEN=\"" SHORT_TOKEN "\"\n"
	    "%s%s%s"
	    "echo \"Running stage %s\"\n",
	    project_dir,
	    strcmp(stage, "get_sources") != 0 ? "cd \"" : "",
	    strcmp(stage, "get_sources") != 0 ? project_dir : "",
	    strcmp(stage, "get_sources") != 0 ? "\"\n" : "", stage);

	if (pipe2(p, O_CLOEXEC) == -1)
		die("pipe");
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		setpgid(0, 0);
		if (dup2(p[0], 0) == -1 || chdir(workdir) == -1) {
			dprintf(2, "gitlab-runner: %s\n", strerror(errno));
			_exit(127);
		}
		execvpe(argv[0], argv, envp);
		dprintf(2, "gitlab-runner: bash: %s\n", strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < 2; i++) {
		const char *s = i == 0 ? prologue : script;

		for (off = 0, len = strlen(s); off < len; off += (size_t)n)
			if ((n = write(p[1], s + off, len - off)) <= 0)
				break;
	}
	close(p[1]);
	alarm(STAGE_TIMEOUT);
	while ((w = waitpid(pid, &status, 0)) == -1 && errno == EINTR)
		;
	alarm(0);
	if (w == -1)
		die("waitpid");
	kill(-pid, SIGKILL);	/* what the stage left running */
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int
main(int argc, char **argv)
{
	static const char *const stages[] = { "get_sources", "step_script",
	    "after_script" };
	char path[4096], project_dir[4096], home[4200];
	const char *workdir = NULL, *jobdir = NULL;
	char *envp[8], *script;
	size_t i;
	int e = 0, rc, failed = 0;

	for (int a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--working-directory") == 0 && a + 1 < argc)
			workdir = argv[++a];
		else if (strcmp(argv[a], "--job-dir") == 0 && a + 1 < argc)
			jobdir = argv[++a];
		else if (strcmp(argv[a], "run-single") != 0) {
			workdir = NULL;
			break;
		}
	}
	if (workdir == NULL || jobdir == NULL) {
		fprintf(stderr, "usage: gitlab-runner run-single "
		    "--working-directory DIR --job-dir JOBDIR\n");
		return 2;
	}
	snprintf(project_dir, sizeof project_dir, "%s/builds/" SHORT_TOKEN
	    "/0/" PROJECT, workdir);
	snprintf(home, sizeof home, "HOME=%s", workdir);
	envp[e++] = home;
	envp[e++] = "PATH=/usr/local/bin:/usr/bin:/bin";
	envp[e++] = "LANG=C.UTF-8";
	envp[e++] = "USER=root";
	envp[e] = NULL;

	for (i = 0; i < sizeof stages / sizeof stages[0]; i++) {
		snprintf(path, sizeof path, "%s/%s.sh", jobdir, stages[i]);
		if ((script = slurp(path)) == NULL)
			continue;
		if (failed && strcmp(stages[i], "after_script") != 0) {
			printf("Skipping %s\n", stages[i]);
			free(script);
			continue;
		}
		printf("Executing \"%s\" stage of the job script\n", stages[i]);
		rc = run_stage(stages[i], script, workdir, project_dir, envp);
		free(script);
		printf("stage %s: exit %d\n", stages[i], rc);
		if (rc != 0 && strcmp(stages[i], "after_script") != 0)
			failed = 1;
	}
	if (failed) {
		printf("ERROR: Job failed\n");
		return 1;
	}
	printf("Job succeeded\n");
	return 0;
}
