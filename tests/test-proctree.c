/*
 * test-proctree.c: process identity from exec and fork events.
 *
 * The events here are built in memory (no log lines): these tests are
 * about the tree's decisions (same process or a reused pid, who is whose
 * parent), and test-reader.c covers turning real records into events.
 */
#include "config.h"

#include <stdlib.h>

#include "steptrail.h"
#include "tap.h"

/* the audit session of the events made next; unset by default */
static uint32_t ses_next = UINT32_MAX;

static struct st_event *
ev_new(enum st_event_kind kind, unsigned long serial, time_t sec, int pid,
    int ppid, const char *exe)
{
	struct st_event *ev = xcalloc(1, sizeof *ev);

	ev->kind = kind;
	ev->has_syscall = true;
	ev->serial = serial;
	ev->sec = sec;
	ev->pid = pid;
	ev->ppid = ppid;
	ev->exe = xstrdup(exe);
	ev->uid = ev->euid = ev->auid = 0;
	ev->ses = ses_next;
	ev->argc = -1;
	return ev;
}

/* exec of exe with argv (NULL-terminated), in cwd */
static struct st_proc *
exec_(struct st_proctree *t, unsigned long serial, time_t sec, int pid,
    int ppid, const char *exe, const char *cwd, ...)
{
	struct st_event *ev = ev_new(ST_EV_EXEC, serial, sec, pid, ppid, exe);
	struct st_proc *p;
	const char *a;
	va_list ap;

	ev->cwd = cwd != NULL ? xstrdup(cwd) : NULL;
	va_start(ap, cwd);
	while ((a = va_arg(ap, const char *)) != NULL) {
		ev->argv = xreallocarray(ev->argv, ev->nargv + 1,
		    sizeof *ev->argv);
		ev->argv[ev->nargv++] = xstrdup(a);
	}
	va_end(ap);
	if (ev->nargv > 0)
		ev->path0 = xstrdup(ev->argv[0]);
	p = st_proctree_apply(t, ev);
	st_event_free(ev);
	return p;
}

static struct st_proc *
fork_(struct st_proctree *t, unsigned long serial, time_t sec, int pid,
    int ppid, int child, const char *exe, const char *title)
{
	struct st_event *ev = ev_new(ST_EV_FORK, serial, sec, pid, ppid, exe);
	struct st_proc *p;

	ev->exit = child;
	if (title != NULL) {
		ev->proctitle = xstrdup(title);
		ev->proctitle_len = strlen(title);
	}
	p = st_proctree_apply(t, ev);
	st_event_free(ev);
	return p;
}

static void
test_exec_chain(void)
{
	struct st_proctree *t = st_proctree_new();
	struct st_proc *p;

	exec_(t, 1, 100, 10, 1, "/usr/bin/env", "/", "/usr/bin/env", "bash",
	    "shim", NULL);
	exec_(t, 2, 100, 10, 1, "/usr/bin/bash", "/", "bash", "shim", NULL);
	p = exec_(t, 3, 100, 10, 1, "/usr/bin/python3.11", "/", "python3",
	    "-c", "x", NULL);
	is_int(p->nimages, 3, "exec chain: three programs in one process");
	is_str(p->image->exe, "/usr/bin/python3.11", "exec chain: current");
	is_str(p->image->prev->exe, "/usr/bin/bash", "exec chain: previous");
	is_str(p->image->prev->prev->exe, "/usr/bin/env", "exec chain: first");
	is_int(st_proctree_stats(t)->processes, 2,
	    "exec chain: one process (plus its parent pid 1)");
	st_proctree_free(t);
}

static void
test_pid_reuse(void)
{
	struct st_proctree *t = st_proctree_new();
	struct st_proc *old, *child, *p;

	exec_(t, 1, 100, 300, 1, "/usr/bin/bash", "/", "bash", NULL);
	old = exec_(t, 2, 100, 200, 100, "/usr/bin/ls", "/", "ls", NULL);
	child = exec_(t, 3, 101, 201, 200, "/usr/bin/cat", "/", "cat", NULL);
	ok(child->parent == old, "pid reuse: child linked to the first 200");
	p = exec_(t, 4, 200, 200, 300, "/usr/bin/id", "/", "id", NULL);
	ok(p != old, "pid reuse: a new parent pid that is no ancestor means a "
	    "new process");
	is_int(p->nimages, 1, "pid reuse: the new process has one program");
	is_int(st_proctree_stats(t)->pid_reuse, 1, "pid reuse: counted");
	child = st_proctree_find(t, 0, 201);
	is_str(child->parent->image->exe, "/usr/bin/ls",
	    "pid reuse: the old child still sees its real parent");
	st_proctree_free(t);
}

static void
test_reparent(void)
{
	struct st_proctree *t = st_proctree_new();
	struct st_proc *p;

	exec_(t, 1, 100, 100, 50, "/usr/bin/make", "/", "make", NULL);
	exec_(t, 2, 100, 400, 100, "/usr/bin/bash", "/", "sh", NULL);
	p = exec_(t, 3, 101, 400, 1, "/usr/bin/true", "/", "true", NULL);
	is_int(p->nimages, 2, "reparent to init: same process, second program");
	is_int(p->parent->pid, 100, "reparent to init: keeps its real origin");
	is_int(st_proctree_stats(t)->reparented, 1, "reparent: counted");
	is_int(st_proctree_stats(t)->pid_reuse, 0, "reparent: not a reuse");

	/* reparented to a subreaper that is one of its ancestors */
	exec_(t, 4, 102, 500, 400, "/usr/bin/bash", "/", "sh", NULL);
	p = exec_(t, 5, 103, 500, 100, "/usr/bin/id", "/", "id", NULL);
	is_int(p->nimages, 2, "reparent to an ancestor (subreaper): same "
	    "process");
	st_proctree_free(t);

	/* ppid 1 but another audit session: not reparented, a new process
	 * (a login's, say) that was given the dead one's pid */
	t = st_proctree_new();
	ses_next = 3;
	exec_(t, 1, 100, 100, 50, "/usr/bin/make", "/", "make", NULL);
	exec_(t, 2, 100, 400, 100, "/usr/bin/bash", "/", "sh", NULL);
	ses_next = 9;
	p = exec_(t, 3, 101, 400, 1, "/usr/bin/true", "/", "true", NULL);
	ok(p->nimages == 1 && p->parent != NULL && p->parent->pid == 1,
	    "reparent to init in another session: a reused pid, init's child");
	is_int(st_proctree_stats(t)->pid_reuse, 1, "... counted as reuse");
	ses_next = 3;
	exec_(t, 4, 102, 500, 100, "/usr/bin/bash", "/", "sh", NULL);
	p = exec_(t, 5, 103, 500, 1, "/usr/bin/id", "/", "id", NULL);
	is_int(p->nimages, 2, "reparent to init in the same session: same "
	    "process");
	ses_next = UINT32_MAX;
	st_proctree_free(t);
}

static void
test_subshell_fork(void)
{
	struct st_proctree *t = st_proctree_new();
	struct st_proc *p, *sub;

	exec_(t, 1, 100, 100, 90, "/usr/bin/bash", "/w", "bash", "-e",
	    "step.sh", NULL);
	/* the kernel's stale PROCTITLE: the process this bash was forked
	 * from, before it exec'd (see proctree.c inherit()) */
	fork_(t, 2, 100, 100, 90, 101, "/usr/bin/bash", "runner\0job");
	fork_(t, 3, 100, 101, 100, 102, "/usr/bin/bash", "runner\0job");
	p = exec_(t, 4, 100, 102, 101, "/usr/bin/curl", "/w", "curl", "x",
	    NULL);
	sub = p->parent;
	ok(sub != NULL && sub->pid == 101, "subshell: exec'd child linked to "
	    "the subshell");
	ok(sub->image == NULL, "subshell: never exec'd");
	is_str(st_proc_exe(sub), "/usr/bin/bash", "subshell: runs its "
	    "parent's program (from the fork record)");
	ok(sub->parent != NULL && sub->parent->pid == 100 &&
	    sub->parent->image != NULL, "subshell: linked to the step's bash");
	is_int(sub->birth, ST_BORN_FORK, "subshell: born by fork");
	{
		struct st_buf b = { 0 };

		st_proc_cmdline(sub, &b, 0);
		is_str(b.d, "bash -e step.sh", "subshell: shows its parent's "
		    "exec'd argv, not the fork record's stale PROCTITLE");
		st_buf_free(&b);
	}
	st_proctree_free(t);

	/* an empty argument does not end the inherited command line */
	t = st_proctree_new();
	exec_(t, 1, 100, 100, 90, "/usr/bin/bash", "/w", "bash", "", "-c",
	    "x", NULL);
	sub = fork_(t, 2, 100, 100, 90, 101, "/usr/bin/bash", NULL);
	{
		struct st_buf b = { 0 };

		st_proc_cmdline(sub, &b, 0);
		is_str(b.d, "bash '' -c x", "subshell: an empty argument "
		    "inherited, and those after it");
		st_buf_free(&b);
	}
	st_proctree_free(t);
}

static void
test_child_logged_first(void)
{
	struct st_proctree *t = st_proctree_new();
	struct st_proc *p, *again;

	/* vfork: the child's exec is logged before the parent's vfork */
	exec_(t, 1, 100, 100, 90, "/usr/bin/bash", "/", "bash", NULL);
	p = exec_(t, 3, 100, 102, 100, "/usr/bin/ls", "/", "ls", NULL);
	again = fork_(t, 4, 100, 100, 90, 102, "/usr/bin/bash", NULL);
	ok(again == p, "child first: the late fork record is the same process");
	ok(p->image != NULL && strcmp(p->image->exe, "/usr/bin/ls") == 0,
	    "child first: its program is kept");
	is_int(st_proctree_stats(t)->pid_reuse, 0, "child first: not a reuse");

	/* a fork long after a pid was first seen is a new process */
	exec_(t, 5, 100, 600, 100, "/usr/bin/sleep", "/", "sleep", NULL);
	again = fork_(t, 6, 5000, 100, 90, 600, "/usr/bin/bash", NULL);
	ok(again != NULL && again->image == NULL, "late fork: a new process "
	    "with the reused pid");
	is_int(st_proctree_stats(t)->pid_reuse, 1, "late fork: counted as "
	    "reuse");
	st_proctree_free(t);
}

static void
test_self_fork(void)
{
	struct st_proctree *t = st_proctree_new();
	struct st_proc *p, *q;

	p = exec_(t, 1, 100, 100, 1, "/usr/bin/bash", "/", "bash", NULL);
	/* handmade (fuzzing found it): a fork record whose child is itself */
	q = fork_(t, 2, 100, 100, 1, 100, "/usr/bin/bash", NULL);
	ok(q == p && st_proctree_find(t, 0, 100) == p && p->image != NULL,
	    "self fork: refused, the process is untouched");
	is_int(st_proctree_stats(t)->bogus, 1, "self fork: counted as bogus");
	st_proctree_free(t);
}

static void
test_cycle(void)
{
	struct st_proctree *t = st_proctree_new();
	struct st_proc *p;

	exec_(t, 1, 100, 10, 11, "/bin/a", "/", "a", NULL);
	/* crafted: 11, known only as 10's parent, claims 10 as its parent */
	p = exec_(t, 2, 100, 11, 10, "/bin/b", "/", "b", NULL);
	ok(p->parent == NULL, "cycle: refused");
	is_int(st_proctree_stats(t)->cycles_refused, 1, "cycle: counted");
	st_proctree_free(t);
}

static void
test_paths_and_limits(void)
{
	struct st_proctree *t = st_proctree_new();
	struct st_proc *p = NULL;
	char big[3000];
	int i;

	p = exec_(t, 1, 100, 10, 1, "/home/u/bin/tool", "/home/u/src",
	    "../bin/./tool", NULL);
	is_str(p->image->path, "/home/u/bin/tool", "path: relative execve "
	    "target made absolute and clean");
	p = exec_(t, 2, 100, 11, 1, "/usr/bin/x", "/", "//tmp//../tmp/./x",
	    NULL);
	is_str(p->image->path, "/tmp/x", "path: // . .. removed");
	p = exec_(t, 3, 100, 12, 1, "/home/u/bin/tool", NULL, "bin/tool",
	    NULL);
	ok(p->image->path == NULL, "path: relative, and the CWD record lost: "
	    "unknown (not \"%s\")", p->image->path ? p->image->path : "");

	for (i = 0; i < 10; i++)
		p = exec_(t, 10 + (unsigned long)i, 100, 20, 1, "/bin/x", "/",
		    "x", NULL);
	is_int(p->nimages, 8, "exec chain: bounded to 8 programs");
	is_int(st_proctree_stats(t)->images_dropped, 2,
	    "exec chain: drops counted");

	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	p = exec_(t, 30, 100, 30, 1, "/bin/x", "/", "x", big, big, big, big,
	    NULL);
	is_int(p->image->argc, 5, "trim: all of argv kept until matched");
	st_proctree_trim(p);
	ok(p->image->argc < 5 && p->image->argv_truncated,
	    "trim: argv cut after matching, and marked");
	ok(p->image->argv_packed && p->image->argc == 3 &&
	    strcmp(p->image->argv[0], "x") == 0 &&
	    strcmp(p->image->argv[2], big) == 0 &&
	    p->image->argv[0] + 2 == p->image->argv[1] &&
	    p->image->argv[1] + sizeof big == p->image->argv[2] &&
	    p->image->argv[3] == NULL, "trim: what is kept is one block, "
	    "the strings one after the other");
	p = exec_(t, 31, 100, 31, 1, "/bin/y", "/", "y", "-c", "", "z", NULL);
	st_proctree_trim(p);
	st_proctree_trim(p);		/* twice: nothing more happens */
	ok(p->image->argv_packed && p->image->argc == 4 &&
	    !p->image->argv_truncated && strcmp(p->image->argv[1], "-c") == 0 &&
	    p->image->argv[2][0] == '\0' && strcmp(p->image->argv[3], "z") == 0,
	    "trim: a short argv is packed whole, an empty argument kept");
	st_proctree_free(t);
}

/* A long log: processes idle for a day are forgotten once there are many. */
static void
test_evict(void)
{
	struct st_proctree *t = st_proctree_new();
	struct st_proc *p, *held;
	int pid;

	st_proctree_set_sweep(t, 100, 50);
	exec_(t, 1, 1000, 50, 1, "/usr/bin/bash", "/", "bash", NULL);
	exec_(t, 2, 1000, 51, 50, "/usr/bin/sleep", "/", "sleep", NULL);
	exec_(t, 3, 1000, 60, 1, "/usr/bin/id", "/", "id", NULL);
	held = st_proc_ref(exec_(t, 4, 1000, 70, 1, "/usr/bin/cat", "/",
	    "cat", NULL));
	for (pid = 1000; pid < 1100; pid++)	/* a day and more later */
		exec_(t, (unsigned long)pid, 1000 + 25 * 3600 + pid, pid, 1,
		    "/usr/bin/true", "/", "true", NULL);
	ok(st_proctree_find(t, 0, 51) == NULL && st_proctree_find(t, 0, 60) ==
	    NULL, "evict: processes idle a day are forgotten once the table "
	    "is large");
	ok(st_proctree_find(t, 0, 50) != NULL && st_proctree_find(t, 0, 70) !=
	    NULL, "evict: ... but not one whose child (or anyone) still holds "
	    "it");
	is_int(st_proctree_stats(t)->evicted, 2, "evict: counted");
	ok(st_proctree_find(t, 0, 1050) != NULL, "evict: the recent ones "
	    "are kept");
	p = exec_(t, 5000, 1000 + 26 * 3600, 60, 1, "/usr/bin/id", "/", "id",
	    NULL);
	ok(p->nimages == 1 && p->birth == ST_BORN_SEEN, "evict: a record of "
	    "a forgotten pid starts a new process");
	st_proc_unref(held);
	st_proctree_free(t);

	/* one record stamped two days ahead: the others are not idle */
	t = st_proctree_new();
	st_proctree_set_sweep(t, 100, 50);
	for (pid = 2000; pid < 2100; pid++)
		exec_(t, (unsigned long)pid, 1000, pid, 1, "/usr/bin/true",
		    "/", "true", NULL);
	exec_(t, 3000, 1000 + 48 * 3600, 3000, 1, "/usr/bin/date", "/",
	    "date", NULL);
	exec_(t, 3001, 1001, 3001, 1, "/usr/bin/true", "/", "true", NULL);
	is_int(st_proctree_stats(t)->evicted, 0, "evict: a clock set forward "
	    "for one record forgets nothing");
	st_proctree_free(t);

	/* aggregated log: one node's clock a day ahead of another's */
	t = st_proctree_new();
	st_proctree_set_sweep(t, 100, 0);
	for (pid = 2000; pid < 2100; pid++)
		exec_(t, (unsigned long)pid, 1000, pid, 1, "/usr/bin/true",
		    "/", "true", NULL);
	{
		struct st_event *ev = ev_new(ST_EV_EXEC, 4000, 1000 + 48 * 3600,
		    10, 1, "/usr/bin/true");

		ev->node = st_node_intern("ahead");
		st_proctree_apply(t, ev);
		st_event_free(ev);
	}
	exec_(t, 4001, 1001, 3001, 1, "/usr/bin/true", "/", "true", NULL);
	is_int(st_proctree_stats(t)->evicted, 0, "evict: idle by each node's "
	    "own clock");
	st_proctree_free(t);
}

/* Processes made faster than a day goes by: the table's bound. */
static void
test_full(void)
{
	struct st_proctree *t = st_proctree_new();
	struct st_proc *p, *held;
	unsigned long serial = 1;
	int pid, kept = 0, recent = 0;

	st_proctree_set_max(t, 100);
	/* early on: bash 50 runs make 51, whose cc 52 a finding still holds */
	exec_(t, serial++, 1000, 50, 1, "/usr/bin/bash", "/", "bash", NULL);
	exec_(t, serial++, 1000, 51, 50, "/usr/bin/make", "/", "make", NULL);
	held = st_proc_ref(exec_(t, serial++, 1000, 52, 51, "/usr/bin/cc", "/",
	    "cc", NULL));
	/* then make 60 runs 1000 compilers in under a minute */
	exec_(t, serial++, 1000, 60, 1, "/usr/bin/make", "/", "make", NULL);
	for (pid = 1000; pid < 2000; pid++)
		exec_(t, serial++, 1000 + (pid - 1000) / 20, pid, 60,
		    "/usr/bin/cc", "/", "cc", "-c", NULL);
	for (pid = 1000; pid < 2000; pid++)
		kept += st_proctree_find(t, 0, pid) != NULL;
	ok(kept <= 100, "full: the table keeps at most its bound (%d of "
	    "1000 compilers kept, bound 100)", kept);
	is_int(st_proctree_stats(t)->evicted_full, 1000 - kept,
	    "full: every process forgotten is counted");
	is_int(st_proctree_stats(t)->evicted, 0, "full: not as idle (nothing "
	    "was idle for a day)");
	for (pid = 1950; pid < 2000; pid++)
		recent += st_proctree_find(t, 0, pid) != NULL;
	is_int(recent, 50, "full: the most recently seen are kept");
	p = st_proctree_find(t, 0, 52);
	ok(p == held && p->parent == st_proctree_find(t, 0, 51) &&
	    p->parent->parent == st_proctree_find(t, 0, 50) &&
	    p->parent->parent->parent == st_proctree_find(t, 0, 1),
	    "full: the oldest processes are kept while held or a parent, and "
	    "their ancestry is whole");
	p = st_proctree_find(t, 0, 1999);
	ok(p != NULL && p->parent == st_proctree_find(t, 0, 60),
	    "full: a kept compiler's parent is its make");
	ok(st_proctree_find(t, 0, 1000) == NULL, "full: the least recently "
	    "seen are forgotten");
	p = exec_(t, serial++, 1100, 1000, 60, "/usr/bin/cc", "/", "cc", NULL);
	ok(p->nimages == 1 && p->birth == ST_BORN_SEEN &&
	    p->parent == st_proctree_find(t, 0, 60), "full: a record of a "
	    "forgotten pid starts a new process, linked to its parent");
	st_proc_unref(held);
	st_proctree_free(t);

	/* a chain deeper than the bound, each the parent of the next: no
	 * process may go, and the newest keeps its whole ancestry */
	t = st_proctree_new();
	st_proctree_set_max(t, 100);
	p = NULL;
	for (pid = 3000; pid < 3300; pid++)
		p = exec_(t, serial++, 2000, pid, pid == 3000 ? 1 : pid - 1,
		    "/usr/bin/sh", "/", "sh", NULL);
	for (kept = 0; p != NULL && p->pid >= 3000; p = p->parent)
		kept++;
	is_int(kept, 300, "full: a chain of 300 under a bound of 100 keeps "
	    "its whole ancestry");
	is_int(st_proctree_stats(t)->evicted_full, 0, "full: ... nothing "
	    "forgotten (every process is a parent, or the newest)");
	st_proctree_free(t);
}

int
main(void)
{
	test_exec_chain();
	test_pid_reuse();
	test_reparent();
	test_evict();
	test_full();
	test_subshell_fork();
	test_child_logged_first();
	test_self_fork();
	test_cycle();
	test_paths_and_limits();
	return done_testing();
}
