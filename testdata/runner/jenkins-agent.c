/*
 * jenkins-agent.c: a stand-in for a Jenkins agent running a Pipeline's
 * `sh` steps through the durable-task plugin, used only by
 * testdata/record.sh to record steptrail's fixtures from the real kernel.
 * record.sh installs it as .../bin/java (the exe= of a real agent).
 *
 * What steptrail relies on is the process structure, so that is what this
 * mimics, as the plugin's BourneShellScript launches a step:
 *   - the step's script is written to <workspace>@tmp/durable-<8 hex>/
 *     script.sh (the control directory),
 *   - the agent runs `sh -c '({ while [ -d DIR -a \! -f DIR/jenkins-
 *     result.txt ]; do touch DIR/jenkins-log.txt; sleep 3; done } &
 *     jsc=durable-<32 hex>; JENKINS_SERVER_COOKIE=$jsc 'sh' -xe
 *     DIR/script.sh > DIR/jenkins-log.txt 2>&1; echo $? >
 *     DIR/jenkins-result.txt.tmp; mv DIR/jenkins-result.txt.tmp
 *     DIR/jenkins-result.txt; wait) >&- 2>&- &'` in the workspace: the
 *     outer sh exits at once, the subshell lives on (reparented), its
 *     heartbeat loop touches the log every 3 s while the script runs,
 *   - the agent polls for jenkins-result.txt, reads the exit status, and
 *     deletes the control directory (a failing step ends the build),
 *   - before the steps it runs git (git --version, git init), as the Git
 *     plugin's checkout does with the git command line.
 * Everything else of Jenkins (remoting, the controller, the log streaming)
 * is left out.
 *
 * Usage: java -jar agent.jar -workDir DIR -job NAME SCRIPT...
 * The workspace is DIR/workspace/NAME; each SCRIPT is one `sh` step.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STAND_IN "java"
#include "stand-in.h"

/* A step must never hang a recording. */
#define STEP_TIMEOUT	120
/* The plugin polls a step's status every few seconds; faster here. */
#define POLL_MS		100

static void
random_hex(char *out, size_t n)
{
	char uuid[64];
	size_t i, j;
	ssize_t r;
	int fd;

	if ((fd = open("/proc/sys/kernel/random/uuid", O_RDONLY)) == -1)
		die("uuid");
	r = read(fd, uuid, sizeof uuid - 1);
	close(fd);
	if (r < 36)
		die("uuid");
	for (i = 0, j = 0; j < n && i < 36; i++)
		if (uuid[i] != '-')
			out[j++] = uuid[i];
	out[j] = '\0';
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

/* Runs argv in dir with envp and waits for it. */
static int
spawn_wait(char **argv, const char *dir, char **envp)
{
	pid_t pid;
	int status;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull != -1)
			dup2(devnull, 0);
		if (chdir(dir) == -1)
			_exit(127);
		execvpe(argv[0], argv, envp);
		dprintf(2, "java: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int
sh_step(const char *script, const char *ws, char **envp)
{
	char id[16], cookie[40], dir[4200], path[4400], cmd[65536];
	char *argv[] = { "sh", "-c", cmd, NULL };
	struct timespec ts = { 0, POLL_MS * 1000000L };
	FILE *f;
	int rc = -1, i;

	random_hex(id, 8);
	random_hex(cookie, 32);
	snprintf(dir, sizeof dir, "%s@tmp", ws);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		die(dir);
	snprintf(dir, sizeof dir, "%s@tmp/durable-%s", ws, id);
	if (mkdir(dir, 0755) == -1)
		die(dir);
	snprintf(path, sizeof path, "%s/script.sh", dir);
	if (copy_file(script, path) == -1)
		die(script);
	snprintf(cmd, sizeof cmd,
	    "({ while [ -d '%s' -a \\! -f '%s/jenkins-result.txt' ]; do "
	    "touch '%s/jenkins-log.txt'; sleep 3; done } & "
	    "jsc=durable-%s; JENKINS_SERVER_COOKIE=$jsc 'sh' -xe "
	    "'%s/script.sh' > '%s/jenkins-log.txt' 2>&1; "
	    "echo $? > '%s/jenkins-result.txt.tmp'; "
	    "mv '%s/jenkins-result.txt.tmp' '%s/jenkins-result.txt'; "
	    "wait) >&- 2>&- &",
	    dir, dir, dir, cookie, dir, dir, dir, dir, dir);
	printf("[Pipeline] sh\n");
	if (spawn_wait(argv, ws, envp) != 0)
		die("sh -c");
	snprintf(path, sizeof path, "%s/jenkins-result.txt", dir);
	for (i = 0; i < STEP_TIMEOUT * 1000 / POLL_MS; i++) {
		if ((f = fopen(path, "re")) != NULL) {
			if (fscanf(f, "%d", &rc) != 1)
				rc = -1;
			fclose(f);
			break;
		}
		nanosleep(&ts, NULL);
	}
	snprintf(path, sizeof path, "%s/jenkins-log.txt", dir);
	if ((f = fopen(path, "re")) != NULL) {
		char line[1024];

		while (fgets(line, sizeof line, f) != NULL)
			fputs(line, stdout);
		fclose(f);
	}
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}

int
main(int argc, char **argv)
{
	char ws[4096], env[8][4200];
	char *envp[16], *git_version[] = { "git", "--version", NULL };
	char *git_init[] = { "git", "init", "-q", ws, NULL };
	const char *workdir = NULL, *job = NULL;
	int a, e = 0, n = 0, rc;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "-jar") == 0 && a + 1 < argc)
			a++;
		else if (strcmp(argv[a], "-workDir") == 0 && a + 1 < argc)
			workdir = argv[++a];
		else if (strcmp(argv[a], "-job") == 0 && a + 1 < argc)
			job = argv[++a];
		else
			break;
	}
	if (workdir == NULL || job == NULL || a == argc) {
		fprintf(stderr, "usage: java -jar agent.jar -workDir DIR "
		    "-job NAME SCRIPT...\n");
		return 2;
	}
	snprintf(ws, sizeof ws, "%s/workspace/%s", workdir, job);
	snprintf(env[0], sizeof env[0], "JENKINS_HOME=%s", workdir);
	snprintf(env[1], sizeof env[1], "WORKSPACE=%s", ws);
	snprintf(env[2], sizeof env[2], "JOB_NAME=%s", job);
	snprintf(env[3], sizeof env[3], "BUILD_TAG=jenkins-%s-42", job);
	snprintf(env[4], sizeof env[4], "HOME=%s", workdir);
	for (e = 0; e < 5; e++)
		envp[e] = env[e];
	envp[e++] = "PATH=/usr/local/bin:/usr/bin:/bin";
	envp[e++] = "BUILD_NUMBER=42";
	envp[e++] = "BUILD_ID=42";
	envp[e++] = "NODE_NAME=agent-1";
	envp[e++] = "EXECUTOR_NUMBER=0";
	envp[e++] = "CI=true";
	envp[e] = NULL;

	/* Checkout (the Git plugin, with the git command line). */
	printf("[Pipeline] checkout\n");
	if (spawn_wait(git_version, ws, envp) != 0 ||
	    spawn_wait(git_init, ws, envp) != 0)
		return 1;
	for (; a < argc; a++) {
		n++;
		rc = sh_step(argv[a], ws, envp);
		printf("[Pipeline] // sh %d: exit %d\n", n, rc);
		if (rc != 0) {
			printf("ERROR: script returned exit code %d\n", rc);
			printf("Finished: FAILURE\n");
			return 1;
		}
	}
	printf("Finished: SUCCESS\n");
	return 0;
}
