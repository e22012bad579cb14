/*
 * Runner.Worker.c: a stand-in for GitHub Actions' Runner.Worker, used only
 * by testdata/record.sh to record steptrail's fixtures from the real kernel.
 *
 * What steptrail relies on is the process structure, so that is what this
 * mimics, byte for byte where it shows in the audit trail:
 *   - it is installed as .../actions-runner/bin/Runner.Worker (the exe=),
 *   - a `run:` step is a child `/usr/bin/bash -e /home/runner/work/_temp/
 *     <uuid>.sh` (the script written there first, a fresh uuid each time),
 *   - a JavaScript action is a child `/usr/bin/node /home/runner/work/
 *     _actions/<owner>/<repo>/<ref>/dist/index.js`, and its post step (run
 *     after all the others) the same action's entry again, with
 *     STATE_isPost=true in its environment (as actions/checkout's post),
 *   - a container action is a child `docker run --rm --name <id> ...
 *     IMAGE ARGS` (docker found on PATH, as the runner does),
 *   - every step runs in the workspace /home/runner/work/<repo>/<repo>,
 *     with stdin from /dev/null and an environment of its own,
 *   - a failing step stops the job, unless it is continue-on-error.
 * Everything else of the real runner (log upload, annotations, services)
 * is left out.  "Set up job" (downloading actions, here a pause of
 * SETUP_MS) and "Complete job" run no process; each step's times include
 * the runner's own work before and after its process (PREPARE_MS,
 * FINISH_MS).
 *
 * Job file: one step per line, blank lines and # comments ignored:
 *   run    SCRIPT-FILE    [OPTION...] [name=TEXT]
 *   node   OWNER/REPO/REF [entry=FILE] [OPTION...] [name=TEXT]
 *   post   OWNER/REPO/REF [entry=FILE] [OPTION...] [name=TEXT]
 *   docker IMAGE          [args=WORD,WORD...] [OPTION...] [name=TEXT]
 * OPTION: continue-on-error, timeout=SECONDS.  SCRIPT-FILE is relative to
 * the job file's directory.  OWNER/REPO/REF names an action already
 * downloaded to _actions (record.sh does that, as the real runner does in
 * "Set up job"); its FILE (default dist/index.js) is run.  name=TEXT comes
 * last: the rest of the line, spaces included.
 *
 * If STANDIN_STEP_TIMES names a file, each step's real start and end
 * (ISO 8601 UTC, milliseconds) are written there, one line per step,
 * tab-separated: number, name, start, end, conclusion (success, failure,
 * skipped), "Set up job" first and "Complete job" last, as the GitHub jobs
 * API lists them; record.sh makes steps.json of it.
 *
 * Usage: Runner.Worker JOB-FILE [REPO]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STAND_IN "Runner.Worker"
#include "stand-in.h"

#define WORK_ROOT	"/home/runner/work"
#define BASH		"/usr/bin/bash"
#define NODE		"/usr/bin/node"
/* GitHub's default is 360 minutes; recordings must never hang that long. */
#define DEFAULT_TIMEOUT	120
/* "Set up job" takes a second or two on a hosted runner. */
#define SETUP_MS	1200
/* and "Complete job" a few hundred milliseconds. */
#define COMPLETE_MS	300
/*
 * A step's started_at comes before its process: the runner evaluates the
 * step's condition and expressions and writes its script first; and its
 * completed_at after: it reads the step's file commands and outputs.  A
 * few hundred milliseconds each on a hosted runner: with these, steps of
 * the fixtures cross second boundaries as real ones do.
 */
#define PREPARE_MS	400
#define FINISH_MS	200
#define ARGS_MAX	16

static volatile sig_atomic_t timed_out;

static void
on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/* In a forked child: no stdio flush, no atexit. */
static void
child_die(const char *what)
{
	dprintf(2, "Runner.Worker: %s: %s\n", what, strerror(errno));
	_exit(127);
}

static char jobdir[2048];

/* A fresh random uuid, as the runner names its step scripts. */
static void
new_uuid(char *out, size_t len)
{
	ssize_t n;
	int fd;

	fd = open("/proc/sys/kernel/random/uuid", O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		die("/proc/sys/kernel/random/uuid");
	n = read(fd, out, len - 1);
	close(fd);
	if (n < 36)
		die("uuid");
	out[36] = '\0';
}

struct step {
	char	 kind[8];
	char	 target[1024];
	char	 name[1024];
	char	 entry[1024];
	char	 args[1024];
	bool	 continue_on_error;
	unsigned timeout;
};

static int
parse_step(char *line, struct step *s)
{
	char *tok, *save = NULL, *name;
	int i = 0;

	memset(s, 0, sizeof *s);
	s->timeout = DEFAULT_TIMEOUT;
	snprintf(s->entry, sizeof s->entry, "dist/index.js");
	/* name=TEXT is the rest of the line */
	if ((name = strstr(line, "name=")) != NULL &&
	    (name == line || name[-1] == ' ' || name[-1] == '\t')) {
		*name = '\0';
		name += 5;
		name[strcspn(name, "\n")] = '\0';
		snprintf(s->name, sizeof s->name, "%s", name);
	}
	for (tok = strtok_r(line, " \t\n", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\n", &save), i++) {
		if (i == 0)
			snprintf(s->kind, sizeof s->kind, "%s", tok);
		else if (i == 1)
			snprintf(s->target, sizeof s->target, "%s", tok);
		else if (strcmp(tok, "continue-on-error") == 0)
			s->continue_on_error = true;
		else if (strncmp(tok, "timeout=", 8) == 0)
			s->timeout = (unsigned)strtoul(tok + 8, NULL, 10);
		else if (strncmp(tok, "entry=", 6) == 0)
			snprintf(s->entry, sizeof s->entry, "%s", tok + 6);
		else if (strncmp(tok, "args=", 5) == 0)
			snprintf(s->args, sizeof s->args, "%s", tok + 5);
		else
			return -1;
	}
	if (i < 2 || (strcmp(s->kind, "run") != 0 &&
	    strcmp(s->kind, "node") != 0 && strcmp(s->kind, "post") != 0 &&
	    strcmp(s->kind, "docker") != 0))
		return -1;
	if (s->name[0] == '\0')
		snprintf(s->name, sizeof s->name, "%s", s->target);
	return 0;
}

/* Now, as the runner's timeline has it: ISO 8601 UTC, milliseconds. */
static void
now_iso(char *out, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char sec[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof sec, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%.20s.%03dZ", sec, (int)(ts.tv_nsec / 1000000));
}

static FILE *times;

static void
record_time(int number, const char *name, const char *start,
    const char *end, const char *conclusion)
{
	if (times == NULL)
		return;
	fprintf(times, "%d\t%s\t%s\t%s\t%s\n", number, name, start, end,
	    conclusion);
	fflush(times);
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Runs one step; returns its exit status (128+N for a signal). */
static int
run_step(const struct step *s, const char *workspace, char **envp)
{
	char uuid[64], script[4096], path[4096], cname[1100], vol[2048];
	char args[1024], *argv[16 + ARGS_MAX], *tok, *save = NULL;
	char **stepenv = envp, *postenv[32];
	struct sigaction sa;
	pid_t pid, w;
	int status, devnull, a, e;

	if (strcmp(s->kind, "run") == 0) {
		new_uuid(uuid, sizeof uuid);
		snprintf(script, sizeof script, "%s/_temp/%s.sh", WORK_ROOT,
		    uuid);
		snprintf(path, sizeof path, "%s%s", s->target[0] == '/' ?
		    "" : jobdir, s->target);
		if (copy_file(path, script) == -1)
			die(path);
		argv[0] = BASH;
		argv[1] = "-e";
		argv[2] = script;
		argv[3] = NULL;
	} else if (strcmp(s->kind, "docker") == 0) {
		/* a container action: what the runner runs, abridged */
		new_uuid(uuid, sizeof uuid);
		snprintf(cname, sizeof cname, "%.8s%.4s_%s", uuid, uuid + 9,
		    s->target);
		for (a = 0; cname[a] != '\0'; a++)
			if (cname[a] == ':' || cname[a] == '/')
				cname[a] = '_';
		snprintf(vol, sizeof vol, "%s:/github/workspace", workspace);
		a = 0;
		argv[a++] = "docker";
		argv[a++] = "run";
		argv[a++] = "--rm";
		argv[a++] = "--name";
		argv[a++] = cname;
		argv[a++] = "--workdir";
		argv[a++] = "/github/workspace";
		argv[a++] = "-e";
		argv[a++] = "A=1";
		argv[a++] = "-e";
		argv[a++] = "GITHUB_ACTIONS=true";
		argv[a++] = "-v";
		argv[a++] = vol;
		argv[a++] = (char *)s->target;
		snprintf(args, sizeof args, "%s", s->args);
		for (tok = strtok_r(args, ",", &save); tok != NULL &&
		    a < 15 + ARGS_MAX; tok = strtok_r(NULL, ",", &save))
			argv[a++] = tok;
		argv[a] = NULL;
	} else {
		snprintf(path, sizeof path, "%s/_actions/%s/%s", WORK_ROOT,
		    s->target, s->entry);
		argv[0] = NODE;
		argv[1] = path;
		argv[2] = NULL;
		if (strcmp(s->kind, "post") == 0) {
			/* the action saved isPost in its main step */
			for (e = 0; envp[e] != NULL && e < 30; e++)
				postenv[e] = envp[e];
			postenv[e++] = "STATE_isPost=true";
			postenv[e] = NULL;
			stepenv = postenv;
		}
	}

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		/* Own process group: a timeout kills everything the step left. */
		setpgid(0, 0);
		if (chdir(workspace) == -1)
			child_die(workspace);
		if ((devnull = open("/dev/null", O_RDONLY)) != -1) {
			dup2(devnull, 0);
			close(devnull);
		}
		if (argv[0][0] == '/')
			execve(argv[0], argv, stepenv);
		else
			execvpe(argv[0], argv, stepenv);
		child_die(argv[0]);
	}
	setpgid(pid, pid);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;	/* no SA_RESTART: waitpid must return */
	sigaction(SIGALRM, &sa, NULL);
	timed_out = 0;
	alarm(s->timeout);
	for (;;) {
		w = waitpid(pid, &status, 0);
		if (w == pid)
			break;
		if (w == -1 && errno == EINTR && timed_out) {
			fprintf(stderr, "##[error]The step timed out after %u "
			    "seconds\n", s->timeout);
			kill(-pid, SIGKILL);
			timed_out = 0;
			continue;
		}
		if (w == -1 && errno != EINTR)
			die("waitpid");
	}
	alarm(0);
	/* What the step left running in its group goes with it. */
	kill(-pid, SIGKILL);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int
main(int argc, char **argv)
{
	char line[4096], workspace[1024], envbuf[8][1200];
	char t_setup[40], t_start[40], t_end[40], *tpath;
	char *envp[24];
	const char *repo;
	struct step s;
	FILE *job;
	int n = 0, e = 0, rc, failed = 0;

	now_iso(t_setup, sizeof t_setup);

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: Runner.Worker JOB-FILE [REPO]\n");
		return 2;
	}
	repo = argc == 3 ? argv[2] : "hello";
	snprintf(workspace, sizeof workspace, "%s/%s/%s", WORK_ROOT, repo,
	    repo);
	if ((job = fopen(argv[1], "re")) == NULL)
		die(argv[1]);
	snprintf(jobdir, sizeof jobdir, "%s", argv[1]);
	if (strrchr(jobdir, '/') != NULL)
		strrchr(jobdir, '/')[1] = '\0';
	else
		jobdir[0] = '\0';

	/* The environment a step sees, as on a hosted runner (abridged). */
	envp[e++] = "HOME=/home/runner";
	/* a hosted runner's PATH has the sbin directories too (auditctl,
	 * chroot, setcap are found as in a real job) */
	envp[e++] = "PATH=/root/.pyenv/shims:/usr/local/sbin:/usr/local/bin:"
	    "/usr/sbin:/usr/bin:/sbin:/bin";
	envp[e++] = "LANG=C.UTF-8";
	envp[e++] = "CI=true";
	envp[e++] = "GITHUB_ACTIONS=true";
	envp[e++] = "RUNNER_OS=Linux";
	envp[e++] = "RUNNER_ARCH=X64";
	envp[e++] = "RUNNER_TEMP=" WORK_ROOT "/_temp";
	envp[e++] = "RUNNER_TOOL_CACHE=/opt/hostedtoolcache";
	envp[e++] = "GITHUB_RUN_ID=7301234567";
	envp[e++] = "GITHUB_EVENT_NAME=push";
	snprintf(envbuf[0], sizeof envbuf[0], "GITHUB_WORKSPACE=%s", workspace);
	envp[e++] = envbuf[0];
	snprintf(envbuf[1], sizeof envbuf[1], "GITHUB_REPOSITORY=acme/%s", repo);
	envp[e++] = envbuf[1];
	snprintf(envbuf[2], sizeof envbuf[2], "GITHUB_STEP_SUMMARY=%s/_temp/"
	    "_runner_file_commands/step_summary", WORK_ROOT);
	envp[e++] = envbuf[2];
	envp[e] = NULL;

	if ((tpath = getenv("STANDIN_STEP_TIMES")) != NULL &&
	    (times = fopen(tpath, "we")) == NULL)
		die(tpath);
	/* Set up job: the real runner downloads the actions here. */
	pause_ms(SETUP_MS);
	now_iso(t_end, sizeof t_end);
	record_time(1, "Set up job", t_setup, t_end, "success");

	while (fgets(line, sizeof line, job) != NULL) {
		char *p = line + strspn(line, " \t");

		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		if (parse_step(p, &s) == -1) {
			fprintf(stderr, "Runner.Worker: %s: bad step: %s",
			    argv[1], line);
			return 2;
		}
		n++;
		if (failed) {
			printf("##[skip] step %d: %s\n", n, s.name);
			now_iso(t_start, sizeof t_start);
			record_time(n + 1, s.name, t_start, t_start, "skipped");
			continue;
		}
		printf("##[group]Run step %d: %s\n", n, s.name);
		now_iso(t_start, sizeof t_start);
		pause_ms(PREPARE_MS);
		rc = run_step(&s, workspace, envp);
		pause_ms(FINISH_MS);
		now_iso(t_end, sizeof t_end);
		record_time(n + 1, s.name, t_start, t_end,
		    rc == 0 ? "success" : "failure");
		printf("##[endgroup] step %d: %s: exit %d%s\n", n, s.name, rc,
		    rc != 0 && s.continue_on_error ?
		    " (continue-on-error)" : "");
		if (rc != 0 && !s.continue_on_error)
			failed = n;
	}
	fclose(job);
	/* Complete job: cleaning up orphan processes, uploading logs. */
	now_iso(t_start, sizeof t_start);
	pause_ms(COMPLETE_MS);
	now_iso(t_end, sizeof t_end);
	record_time(n + 2, "Complete job", t_start, t_end, "success");
	if (times != NULL)
		fclose(times);
	if (failed) {
		printf("##[error]Job failed at step %d\n", failed);
		return 1;
	}
	return 0;
}
