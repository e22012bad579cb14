/*
 * test-steps.c: which build step each process belongs to.
 *
 * Events are built in memory and run through the process tree and the
 * step attribution as the pipeline does; testdata/ has the recorded jobs
 * (a stand-in GitHub runner, markers) that check the same end to end.
 */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include <libaudit.h>

#include "steptrail.h"
#include "tap.h"

struct world {
	struct st_proctree *t;
	struct st_steps	 ss;
	unsigned long	 serial;
	time_t		 now;
};

static void
feed(struct world *w, struct st_event *ev)
{
	struct st_proc *p;

	ev->serial = ++w->serial;
	ev->sec = w->now;
	p = st_proctree_apply(w->t, ev);
	st_steps_apply(&w->ss, w->t, p, ev);
	st_event_free(ev);
}

static struct st_event *
ev_new(enum st_event_kind kind, int pid, int ppid, const char *exe)
{
	struct st_event *ev = xcalloc(1, sizeof *ev);

	ev->kind = kind;
	ev->has_syscall = kind != ST_EV_USER;
	ev->pid = pid;
	ev->ppid = ppid;
	ev->exe = exe != NULL ? xstrdup(exe) : NULL;
	ev->argc = -1;
	return ev;
}

static void
fork_(struct world *w, int parent, int pparent, int child, const char *exe)
{
	struct st_event *ev = ev_new(ST_EV_FORK, parent, pparent, exe);

	ev->exit = child;
	feed(w, ev);
}

static void
exec_(struct world *w, int pid, int ppid, const char *exe, ...)
{
	struct st_event *ev = ev_new(ST_EV_EXEC, pid, ppid, exe);
	const char *a;
	va_list ap;

	ev->cwd = xstrdup("/w");
	va_start(ap, exe);
	while ((a = va_arg(ap, const char *)) != NULL) {
		ev->argv = xreallocarray(ev->argv, ev->nargv + 1,
		    sizeof *ev->argv);
		ev->argv[ev->nargv++] = xstrdup(a);
	}
	va_end(ap);
	ev->path0 = xstrdup(ev->argv[0]);
	feed(w, ev);
}

/* a user record of this type, with msg='PREFIXsteptrail-step ...' */
static void
user_record(struct world *w, int type, const char *prefix, int shell,
    const char *op, const char *hexname)
{
	struct st_event *ev = ev_new(ST_EV_USER, 9000, -1, NULL);

	ev->first_type = type;
	ev->msg = xasprintf("type=%s msg=audit(1.0:1): pid=9000 uid=0 "
	    "auid=1001 ses=1 msg='%ssteptrail-step op=%s shell=%d%s%s exe=\"/"
	    "usr/bin/steptrail\" hostname=? addr=? terminal=? res=success'",
	    audit_msg_type_to_name(type), prefix, op, shell,
	    hexname ? " name=" : "", hexname ? hexname : "");
	feed(w, ev);
}

static void
marker(struct world *w, int shell, const char *op, const char *hexname)
{
	user_record(w, AUDIT_TRUSTED_APP, "", shell, op, hexname);
}

static const char *
step_of(struct world *w, int pid, enum st_attrib *by)
{
	struct st_proc *p = st_proctree_find(w->t, 0, pid);

	if (by != NULL)
		*by = p != NULL ? p->step_by : ST_ATTR_NONE;
	if (p == NULL)
		return "(no process)";
	return p->step != NULL ? p->step->name : "(outside)";
}

#define RW "/home/runner/actions-runner/bin/Runner.Worker"
#define SCRIPT1 "/home/runner/work/_temp/0b9d1c7e-2f1a-4c3b-9d8e-0123456789ab.sh"
#define SCRIPT2 "/home/runner/work/_temp/1c2d3e4f-5a6b-4c7d-8e9f-0123456789ab.sh"

static void
test_github(void)
{
	struct world w = { st_proctree_new(), { 0 }, 0, 1000 };
	enum st_attrib by;

	exec_(&w, 100, 50, RW, RW, "spawnclient", NULL);
	/* step 1: a run step, and what it starts */
	fork_(&w, 100, 50, 101, RW);
	is_str(step_of(&w, 101, NULL), "(outside)", "github: the runner's fork "
	    "is no step until it execs one");
	exec_(&w, 101, 100, "/usr/bin/bash", "/usr/bin/bash", "-e", SCRIPT1,
	    NULL);
	fork_(&w, 101, 100, 102, "/usr/bin/bash");
	exec_(&w, 102, 101, "/usr/bin/make", "make", "-j2", NULL);
	fork_(&w, 101, 100, 103, "/usr/bin/bash");	/* a background job */
	is_str(step_of(&w, 101, &by), "run 0b9d1c7e-2f1a-4c3b-9d8e-"
	    "0123456789ab.sh", "github: bash -e _temp/<uuid>.sh is a run step");
	is_int(by, ST_ATTR_TREE, "github: attributed by the tree");
	is_str(step_of(&w, 102, NULL), "run 0b9d1c7e-2f1a-4c3b-9d8e-"
	    "0123456789ab.sh", "github: its children belong to it");

	/* step 2: a JavaScript action */
	w.now += 10;
	fork_(&w, 100, 50, 110, RW);
	exec_(&w, 110, 100, "/home/runner/externals/node20/bin/node", "node",
	    "/home/runner/work/_actions/actions/checkout/v4/dist/index.js",
	    NULL);
	fork_(&w, 110, 100, 111, "/home/runner/externals/node20/bin/node");
	exec_(&w, 111, 110, "/usr/bin/git", "git", "fetch", NULL);
	is_str(step_of(&w, 111, NULL), "actions/checkout@v4", "github: a "
	    "JavaScript action is named OWNER/REPO@REF; git belongs to it");

	/* the background job of step 1 runs on during step 2 */
	exec_(&w, 103, 101, "/usr/bin/sleep", "sleep", "100", NULL);
	is_str(step_of(&w, 103, NULL), "run 0b9d1c7e-2f1a-4c3b-9d8e-"
	    "0123456789ab.sh", "github: a background process outliving its "
	    "step stays with the step that started it");

	/* step 3: a container action; step 4: another run step */
	w.now += 10;
	fork_(&w, 100, 50, 120, RW);
	exec_(&w, 120, 100, "/usr/bin/docker", "/usr/bin/docker", "run",
	    "--name", "x", "--rm", "-e", "A=1", "-v", "/a:/b", "alpine:3",
	    "sh", NULL);
	is_str(step_of(&w, 120, NULL), "docker run alpine:3", "github: docker "
	    "child: a container action, named by its image");
	w.now += 10;
	fork_(&w, 100, 50, 130, RW);
	exec_(&w, 130, 100, "/usr/bin/bash", "/usr/bin/bash", "-e", SCRIPT2,
	    NULL);
	/* the step script execs again: still the same step */
	exec_(&w, 130, 100, "/usr/bin/python3.11", "python3", "build.py", NULL);
	is_int(w.ss.n, 4, "github: four steps, numbered in order");
	is_int(w.ss.v[3]->execs, 2, "github: an exec chain in a step's root "
	    "stays that step (two execs)");
	is_int(w.ss.v[0]->processes, 3, "github: step 1 has its root, make "
	    "and the background job");

	/* time: a process whose parent was never seen, while step 4 runs */
	exec_(&w, 140, 777, "/usr/bin/curl", "curl", "x", NULL);
	is_str(step_of(&w, 140, &by), "run 1c2d3e4f-5a6b-4c7d-8e9f-"
	    "0123456789ab.sh", "cut ancestry: the step running at the time");
	is_int(by, ST_ATTR_TIME, "cut ancestry: said to be by time");
	is_int(w.ss.v[3]->by_time, 1, "cut ancestry: counted");
	/* a daemon of init's is in no step */
	exec_(&w, 150, 1, "/usr/sbin/cron", "cron", NULL);
	is_str(step_of(&w, 150, NULL), "(outside)", "init's children belong to "
	    "no step");
	st_proctree_free(w.t);
	st_steps_free(&w.ss);
}

static void
test_markers(void)
{
	struct world w = { st_proctree_new(), { 0 }, 0, 1000 };
	enum st_attrib by;

	exec_(&w, 200, 1, "/usr/bin/bash", "bash", "ci.sh", NULL);
	fork_(&w, 200, 1, 201, "/usr/bin/bash");	/* before any marker */
	marker(&w, 200, "begin", "6275696c64");		/* "build" */
	fork_(&w, 200, 1, 202, "/usr/bin/bash");
	exec_(&w, 202, 200, "/usr/bin/make", "make", NULL);
	is_str(step_of(&w, 202, &by), "build", "marker: the shell's children "
	    "after it belong to the step");
	is_int(by, ST_ATTR_MARKER, "marker: attributed by the marker");
	is_str(step_of(&w, 201, NULL), "(outside)", "marker: a child created "
	    "before it does not");

	/* a nested shell with its own marker */
	fork_(&w, 200, 1, 210, "/usr/bin/bash");
	exec_(&w, 210, 200, "/usr/bin/bash", "bash", "test.sh", NULL);
	marker(&w, 210, "begin", "74657374206e6f772e");	/* "test now." */
	fork_(&w, 210, 200, 211, "/usr/bin/bash");
	exec_(&w, 211, 210, "/usr/bin/pytest", "pytest", NULL);
	is_str(step_of(&w, 211, NULL), "test now.", "marker: a nested shell's "
	    "own marker wins for its children");
	fork_(&w, 200, 1, 220, "/usr/bin/bash");
	is_str(step_of(&w, 220, NULL), "build", "marker: the outer shell's "
	    "other children keep the outer step");
	marker(&w, 200, "end", NULL);
	fork_(&w, 200, 1, 230, "/usr/bin/bash");
	is_str(step_of(&w, 230, NULL), "(outside)", "marker: --end: later "
	    "children are in no marked step");
	fork_(&w, 202, 200, 240, "/usr/bin/make");
	is_str(step_of(&w, 240, NULL), "build", "marker: a process of the "
	    "ended step still starts children in it");
	is_int(w.ss.markers, 3, "marker: three markers read");

	/* not markers: another user record type saying the same, and a
	 * TRUSTED_APP that only quotes one (say, a name it was given) */
	user_record(&w, AUDIT_USER_CMD, "", 200, "begin", "6576696c");
	user_record(&w, AUDIT_TRUSTED_APP, "op=login acct=", 200, "begin",
	    "6576696c");
	fork_(&w, 200, 1, 250, "/usr/bin/bash");
	is_str(step_of(&w, 250, NULL), "(outside)", "handmade USER_CMD and "
	    "a quoting TRUSTED_APP: no step \"evil\"");
	is_int(w.ss.markers, 3, "... and not counted as markers");
	st_proctree_free(w.t);
	st_steps_free(&w.ss);
}

static void
test_list(void)
{
	struct world w = { st_proctree_new(), { 0 }, 0, 0 };
	char path[] = "/tmp/steptrail-steps.XXXXXX", *cause = NULL;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	f = fdopen(fd, "w");
	/* 2026-11-22T08:00:00Z is 1795334400 */
	fputs("{\"jobs\": [{\"name\": \"build\", \"steps\": ["
	    "{\"name\": \"Set up job\", \"number\": 1, \"started_at\": "
	    "\"2026-11-22T08:00:00Z\", \"completed_at\": \"2026-11-22T08:00:02Z\"},"
	    "{\"name\": \"Checkout\", \"number\": 2, \"started_at\": "
	    "\"2026-11-22T08:00:02Z\", \"completed_at\": \"2026-11-22T08:00:05Z\"},"
	    "{\"name\": \"Build\", \"number\": 3, \"started_at\": "
	    "\"2026-11-22T08:00:05.000+00:00\", \"completed_at\": "
	    "\"2026-11-22T08:01:00Z\"},"
	    "{\"name\": \"Test\", \"number\": 4, \"started_at\": null, "
	    "\"completed_at\": null},"
	    "{\"name\": \"Complete job\", \"number\": 5, \"started_at\": "
	    "\"2026-11-22T09:00:00Z\", \"completed_at\": \"2026-11-22T09:00:01Z\"}"
	    "]}]}", f);
	fclose(f);
	ok(st_steps_load_list(&w.ss, path, &cause) == 0 && w.ss.napi == 5,
	    "--steps: a jobs API response read (%s)", cause ? cause : "ok");
	exec_(&w, 100, 50, RW, RW, NULL);
	w.now = 1795334403;		/* 08:00:03, in Checkout */
	fork_(&w, 100, 50, 101, RW);
	exec_(&w, 101, 100, "/home/runner/externals/node20/bin/node", "node",
	    "/home/runner/work/_actions/actions/checkout/v4/dist/index.js",
	    NULL);
	w.now = 1795334410;		/* 08:00:10, in Build */
	fork_(&w, 100, 50, 102, RW);
	exec_(&w, 102, 100, "/usr/bin/bash", "bash", "-e", SCRIPT1, NULL);
	w.now = 1795334500;		/* after Build's end: no time matches */
	fork_(&w, 100, 50, 103, RW);
	exec_(&w, 103, 100, "/usr/bin/bash", "bash", "-e", SCRIPT2, NULL);
	st_steps_finish(&w.ss);
	ok(w.ss.n == 3 && strcmp(w.ss.v[0]->name, "Checkout") == 0 &&
	    w.ss.v[0]->listed == 2 && strcmp(w.ss.v[0]->named_by, "time") == 0,
	    "--steps: a step named from the list by its time");
	ok(w.ss.n == 3 && strcmp(w.ss.v[1]->name, "Build") == 0,
	    "--steps: a fractional, +00:00 timestamp read");
	ok(w.ss.n == 3 && strcmp(w.ss.v[2]->name, "Test") == 0 &&
	    strcmp(w.ss.v[2]->named_by, "order") == 0, "--steps: a step no "
	    "time explains takes the next unused one by order, skipping the "
	    "runner's own");
	unlink(path);
	st_proctree_free(w.t);
	st_steps_free(&w.ss);

	st_steps_init(&w.ss);
	ok(st_steps_load_list(&w.ss, "/nonexistent/steps.json", &cause) == -1 &&
	    strstr(cause, "No such file") != NULL, "--steps: a missing file "
	    "is an error");
	free(cause);
	st_steps_free(&w.ss);
}

int
main(void)
{
	test_github();
	test_markers();
	test_list();
	return done_testing();
}
