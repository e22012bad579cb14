/*
 * test-reader.c: from audit record lines to normalized events.
 *
 * Inputs are files under tests/data/.  Those named real-* were written by
 * the kernel and auditd on a test machine (tests/data/README says how);
 * a test whose name starts with "handmade" changes real lines on purpose
 * (garbage inserted, records reordered, a prefix added) and says how.
 */
#include "config.h"

#include <stdlib.h>

#include <auparse.h>

#include "steptrail.h"
#include "tap.h"

#define MAXEV 512

struct snap {
	enum st_event_kind kind;
	unsigned long	 serial;
	int		 pid, ppid;
	long long	 exit;
	char		*exe;
	char		*argv;		/* joined with '|' */
	size_t		 nargv;
	bool		 truncated;
	char		*cwd;
	char		*path0;
	const char	*node;
	unsigned	 parts;
	const char	*sysname;
	char		*key;
	int		 family, port;
	char		*addr;
	unsigned	 nnames;
	char		*name1;
	unsigned long long a1;
	size_t		 bytes;
	bool		 owned;		/* every string in its own memory */
};

struct got {
	struct snap	 v[MAXEV];
	size_t		 n;
	struct st_reader_stats st;
	struct st_coverage cov;		/* the gaps, as the reader told */
};

static char *
dup0(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
collect(struct st_event *ev, void *arg)
{
	struct got *g = arg;
	struct st_buf b = { 0 };
	struct snap *s;
	size_t i;

	if (g->n == MAXEV)
		return;
	s = &g->v[g->n++];
	s->kind = ev->kind;
	s->serial = ev->serial;
	s->pid = ev->pid;
	s->ppid = ev->ppid;
	s->exit = ev->exit;
	s->exe = dup0(ev->exe);
	for (i = 0; i < ev->nargv; i++) {
		if (i > 0)
			st_buf_addc(&b, '|');
		st_buf_adds(&b, ev->argv[i]);
	}
	s->argv = st_buf_steal(&b);
	s->nargv = ev->nargv;
	s->truncated = ev->argv_truncated;
	s->cwd = dup0(ev->cwd);
	s->path0 = dup0(ev->path0);
	s->node = st_node_name(ev->node);
	s->parts = ev->parts;
	s->sysname = ev->sysname;
	s->key = dup0(ev->key);
	s->family = ev->family;
	s->port = ev->port;
	s->addr = dup0(ev->addr);
	s->nnames = ev->nnames;
	s->name1 = ev->nnames > 1 ? dup0(ev->names[1]) : NULL;
	s->a1 = ev->a1;
	s->bytes = ev->bytes;
	s->owned = st_event_owns(ev, ev->exe) && st_event_owns(ev, ev->comm) &&
	    st_event_owns(ev, ev->cwd) && st_event_owns(ev, ev->path0) &&
	    (ev->nargv == 0 || st_event_owns(ev, ev->argv));
	for (i = 0; i < ev->nargv; i++)
		s->owned = s->owned && st_event_owns(ev, ev->argv[i]);
	for (i = 0; i < ev->nnames; i++)
		s->owned = s->owned && (ev->names[i] == NULL ||
		    st_event_owns(ev, ev->names[i]));
}

static void
got_free(struct got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		free(g->v[i].exe);
		free(g->v[i].argv);
		free(g->v[i].cwd);
		free(g->v[i].path0);
		free(g->v[i].key);
		free(g->v[i].addr);
		free(g->v[i].name1);
	}
	free(g->st.malformed_first);
	st_coverage_free(&g->cov);
	memset(g, 0, sizeof *g);
}

static char *
slurp(const char *name)
{
	struct st_buf b = { 0 };
	const char *top = getenv("TOP_SRCDIR");
	char *path, chunk[4096];
	size_t n;
	FILE *f;

	path = xasprintf("%s/tests/data/%s", top ? top : ".", name);
	if ((f = fopen(path, "r")) == NULL) {
		printf("Bail out! cannot open %s\n", path);
		exit(1);
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		st_buf_add(&b, chunk, n);
	fclose(f);
	free(path);
	return st_buf_steal(&b);
}

/* Feeds text line by line (as source.c does) and collects the events. */
static void
feed(const char *text, struct got *g)
{
	struct st_reader *r = st_reader_new(collect, g);
	const char *s = text, *nl;

	memset(g, 0, sizeof *g);
	st_coverage_init(&g->cov);
	st_reader_set_coverage(r, &g->cov);
	st_reader_input(r, "test", 0);
	while (*s != '\0') {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		st_reader_line(r, s, (size_t)(nl - s));
		s = *nl ? nl + 1 : nl;
	}
	st_reader_flush(r);
	g->st = *st_reader_stats(r);
	g->st.malformed_first = dup0(g->st.malformed_first);
	st_reader_free(r);
}

static const struct snap *
by_serial(const struct got *g, unsigned long serial)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->v[i].serial == serial)
			return &g->v[i];
	return NULL;
}

/* The lines of text whose header carries serial, in order. */
static char *
lines_of(const char *text, unsigned long serial)
{
	struct st_buf b = { 0 };
	const char *s = text, *nl;
	char tag[32];

	snprintf(tag, sizeof tag, ":%lu):", serial);
	for (; *s != '\0'; s = *nl ? nl + 1 : nl) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		if (memmem(s, (size_t)(nl - s), tag, strlen(tag)) != NULL) {
			st_buf_add(&b, s, (size_t)(nl - s));
			st_buf_addc(&b, '\n');
		}
	}
	return st_buf_steal(&b);
}

/* ------------------------------------------------------------- tests */

static void
test_hex_argument(void)
{
	char *text = slurp("real-bash-c-hex.log");
	const struct snap *s;
	struct got g;

	feed(text, &g);
	is_int(g.n, 2, "real bash -c: two events (a clone and an exec)");
	s = by_serial(&g, 14);
	ok(s != NULL && s->kind == ST_EV_EXEC, "real bash -c: exec event");
	if (s != NULL) {
		is_str(s->argv, "bash|-c|( ( echo hi | cat ) ; sleep 0.1 ) ; "
		    "python3 -c \"print(1)\"; ls /tmp >/dev/null",
		    "real bash -c: hex-encoded argument decoded");
		is_str(s->exe, "/usr/bin/bash", "real bash -c: exe");
		is_str(s->cwd, "/tmp/aud", "real bash -c: cwd from CWD record");
		is_str(s->path0, "/usr/bin/bash", "real bash -c: PATH item 0, "
		    "not the loader's PATH record");
		is_int(s->pid, 2605, "real bash -c: pid");
		is_int(s->ppid, 2595, "real bash -c: ppid");
		is_str(s->sysname, "execve", "real bash -c: syscall 59 is "
		    "execve on x86_64");
		is_str(s->key, "st-exec", "real bash -c: rule key");
		ok(!s->truncated, "real bash -c: argv complete");
	}
	s = by_serial(&g, 11);
	ok(s != NULL && s->kind == ST_EV_FORK && s->exit == 2603 &&
	    strcmp(s->sysname, "clone") == 0, "real clone: a fork event whose "
	    "exit is the child pid");
	is_int(g.st.records, 9, "real bash -c: every record counted");
	is_int(g.st.malformed, 0, "real bash -c: nothing malformed");
	got_free(&g);
	free(text);
}

static void
test_interleaved(void)
{
	char *text = slurp("real-interleaved.log");
	const struct snap *s;
	struct got g;

	feed(text, &g);
	is_int(g.n, 2, "real interleaved records: two events");
	s = by_serial(&g, 17296);
	ok(s != NULL && strcmp(s->argv, "/bin/sed|s|dnl .*$||; s|# .*$|||"
	    "configure.ac") == 0 && s->parts == 1, "real interleaved: sed's "
	    "records reassembled, hex sed script decoded");
	s = by_serial(&g, 17297);
	ok(s != NULL && strcmp(s->argv, "/bin/grep|AC_PROG_RANLIB") == 0 &&
	    s->cwd != NULL && strcmp(s->path0, "/bin/grep") == 0,
	    "real interleaved: grep's records reassembled");
	got_free(&g);
	free(text);
}

static void
test_garbage(void)
{
	char *text = slurp("real-bash-c-hex.log");
	struct st_reader *r;
	struct got g, clean;
	const char *s, *nl;
	static const char *const junk[] = {
		"hello world",
		"type=SYSCALL this has no msg",
		"type=SYSCALL msg=audit(1795333",
		"node= type=SYSCALL msg=audit(1.2:3): x",
		"type=sys call msg=audit(1.2:3): x",
		"type=SYSCALL msg=audit(abc:12): x",
	};
	size_t i = 0;

	feed(text, &clean);
	memset(&g, 0, sizeof g);
	r = st_reader_new(collect, &g);
	st_reader_input(r, "garbage.log", 0);
	/* handmade: one junk line before each real line, a NUL-bearing
	 * line and an unterminated line at the end */
	for (s = text; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		st_reader_line(r, junk[i % 6], strlen(junk[i % 6]));
		i++;
		st_reader_line(r, s, (size_t)(nl - s));
	}
	st_reader_line(r, "type=EXECVE\0msg=audit(1.2:3): argc=1", 36);
	st_reader_line(r, "", 0);
	st_reader_flush(r);
	g.st = *st_reader_stats(r);
	g.st.malformed_first = dup0(g.st.malformed_first);
	st_reader_free(r);

	is_int(g.st.malformed, 10, "handmade garbage: 9 junk lines and a NUL "
	    "line counted");
	is_str(g.st.malformed_first, "garbage.log:1: not an audit record (no "
	    "type=)", "handmade garbage: first one located and explained");
	is_int(g.n, clean.n, "handmade garbage: the real events still all "
	    "there");
	ok(g.n == 2 && strcmp(g.v[1].argv, clean.v[1].argv) == 0,
	    "handmade garbage: and intact");
	is_int(g.st.lines, 20, "handmade garbage: blank line read, not "
	    "counted as malformed");
	got_free(&g);
	got_free(&clean);
	free(text);
}

static void
test_split_event(void)
{
	char *text = slurp("real-bash-c-hex.log");
	char *exec14 = lines_of(text, 14), *fork11 = lines_of(text, 11);
	struct st_buf b = { 0 };
	const char *path_line, *end;
	const struct snap *s;
	struct got g;

	/*
	 * handmade reorder: the PATH and PROCTITLE records of the exec
	 * arrive after a later event, 5 s newer (serial 11's lines, with
	 * their time moved), so that libauparse gives the exec in two parts.
	 */
	path_line = strstr(exec14, "type=PATH");
	st_buf_add(&b, exec14, (size_t)(path_line - exec14));
	for (end = fork11; *end != '\0'; end++) {
		if (strncmp(end, "1795333125.633:11", 17) == 0) {
			st_buf_adds(&b, "1795333130.633:11");
			end += 16;
		} else
			st_buf_addc(&b, *end);
	}
	st_buf_adds(&b, path_line);
	feed(st_buf_cstr(&b), &g);

	s = by_serial(&g, 14);
	ok(s != NULL, "handmade split: the exec is there once");
	if (s != NULL) {
		is_int(s->parts, 2, "handmade split: libauparse gave it in two "
		    "parts, merged");
		is_str(s->path0, "/usr/bin/bash", "handmade split: the late "
		    "PATH record joined the exec");
		ok(s->kind == ST_EV_EXEC && s->nargv == 3, "handmade split: "
		    "argv from the first part kept");
	}
	is_int(g.n, 2, "handmade split: two events, not three");
	is_int(g.st.parts_merged, 1, "handmade split: counted");
	st_buf_free(&b);
	got_free(&g);
	free(exec14);
	free(fork11);
	free(text);
}

static void
test_order_and_gaps(void)
{
	char *text = slurp("real-subshells.log");
	char *l[6];
	struct st_buf b = { 0 };
	struct got g;
	size_t i;

	for (i = 0; i < 6; i++)
		l[i] = lines_of(text, 15 + i);

	feed(text, &g);
	is_int(g.n, 6, "real subshells: six events");
	ok(g.n == 6 && g.v[0].kind == ST_EV_FORK && g.v[4].kind == ST_EV_EXEC,
	    "real subshells: forks then the exec of cat");
	is_int(g.st.serial_missing, 0, "real subshells: no serial missing");
	is_int(g.st.forks, 4, "real subshells: four forks");
	got_free(&g);

	/* handmade reorder: cat's exec (19) arrives before the fork that
	 * made it (18); the window puts them back in serial order */
	st_buf_reset(&b);
	st_buf_adds(&b, l[0]);
	st_buf_adds(&b, l[1]);
	st_buf_adds(&b, l[2]);
	st_buf_adds(&b, l[4]);
	st_buf_adds(&b, l[3]);
	st_buf_adds(&b, l[5]);
	feed(st_buf_cstr(&b), &g);
	ok(g.n == 6 && g.v[3].serial == 18 && g.v[3].kind == ST_EV_FORK &&
	    g.v[4].serial == 19, "handmade reorder: arrival order repaired, "
	    "the fork leaves the window before its child's exec");
	is_int(g.st.serial_missing, 0, "handmade reorder: a late serial fills "
	    "its gap");
	got_free(&g);

	/* handmade time skew: serial 17's time moved one tick later, so it
	 * leaves the window after 18 and 19 and fills the hole it left */
	st_buf_reset(&b);
	for (i = 0; i < 6; i++) {
		char *t = i == 2 ? l[i] : NULL, *m;

		while (t != NULL && (m = strstr(t, "125.637:17")) != NULL) {
			memcpy(m, "125.641:17", 10);
			t = m + 10;
		}
		st_buf_adds(&b, l[i]);
	}
	feed(st_buf_cstr(&b), &g);
	ok(g.n == 6 && g.v[3].serial == 19 && g.v[4].serial == 17,
	    "handmade time skew: events leave in time order");
	is_int(g.st.serial_missing, 0, "handmade time skew: no serial missing "
	    "in the end");
	is_int(g.st.serial_gaps, 0, "handmade time skew: the gap it opened "
	    "is closed");
	is_int(g.cov.n, 0, "handmade time skew: and gone from the coverage "
	    "report");
	got_free(&g);

	/* handmade loss: serial 17 removed */
	st_buf_reset(&b);
	for (i = 0; i < 6; i++)
		if (i != 2)
			st_buf_adds(&b, l[i]);
	feed(st_buf_cstr(&b), &g);
	is_int(g.st.serial_missing, 1, "handmade loss: one serial missing");
	is_int(g.st.serial_gaps, 1, "handmade loss: one gap");
	ok(g.cov.n == 1 && g.cov.v[0].kind == ST_BLIND_GAP &&
	    g.cov.v[0].from_serial == 16 && g.cov.v[0].to_serial == 18 &&
	    g.cov.v[0].missing == 1 && g.cov.v[0].from_sec <=
	    g.cov.v[0].to_sec && g.cov.v[0].to_sec != 0,
	    "handmade loss: the coverage names the gap, 16 to 18, with times");
	got_free(&g);

	/* handmade node= prefix on every line */
	st_buf_reset(&b);
	for (i = 0; i < 6; i++) {
		const char *s = l[i], *nl;

		for (; *s != '\0'; s = nl + 1) {
			nl = strchr(s, '\n');
			st_buf_adds(&b, "node=ci-runner-7 ");
			st_buf_add(&b, s, (size_t)(nl - s) + 1);
		}
	}
	feed(st_buf_cstr(&b), &g);
	ok(g.n == 6 && g.v[5].node != NULL &&
	    strcmp(g.v[5].node, "ci-runner-7") == 0 && g.v[5].pid == 2606,
	    "handmade node=: node name and fields parsed");
	got_free(&g);

	st_buf_free(&b);
	for (i = 0; i < 6; i++)
		free(l[i]);
	free(text);
}

/* "00000" "00001" ... cut to n bytes */
static char *
digits(size_t n)
{
	struct st_buf b = { 0 };
	unsigned i;

	for (i = 0; b.len < n; i++)
		st_buf_addf(&b, "%05u", i);
	b.d[n] = '\0';
	return b.d;
}

/* "w0000 w0001 ..." k words */
static char *
words(unsigned k)
{
	struct st_buf b = { 0 };
	unsigned i;

	for (i = 0; i < k; i++)
		st_buf_addf(&b, "%sw%04u", i ? " " : "", i);
	return st_buf_steal(&b);
}

static void
test_long_args(void)
{
	char *text = slurp("real-long-arg.log"), *want;
	char *d7600 = digits(7600), *d4000 = digits(4000);
	char *w334 = words(334), *w600 = words(600);
	const struct snap *s;
	struct got g;

	feed(text, &g);
	s = by_serial(&g, 12938);
	want = xasprintf("/bin/true|%s|end", d7600);
	ok(s != NULL && strcmp(s->argv, want) == 0 && !s->truncated,
	    "real long argument: 7600 bytes in three hex chunks over three "
	    "EXECVE records, joined, not marked cut");
	free(want);
	s = by_serial(&g, 12940);
	want = xasprintf("/bin/true|%s|%s|%s|end", w334, d4000, w600);
	ok(s != NULL && strcmp(s->argv, want) == 0 && !s->truncated &&
	    s->nargv == 5, "real long arguments: whole hex, quoted chunks "
	    "(a2[0]=\"..\"), hex chunks, across records");
	free(want);
	got_free(&g);
	free(text);
	free(d7600);
	free(d4000);
	free(w334);
	free(w600);

	text = slurp("real-many-args.log");
	feed(text, &g);
	s = by_serial(&g, 12969);
	ok(s != NULL && s->nargv == 1501 && !s->truncated && s->owned,
	    "real many arguments: argc=1501 over three EXECVE records, in "
	    "the event's memory");
	if (s != NULL && s->nargv == 1501) {
		want = xstrdup(s->argv);
		ok(strncmp(want, "/bin/true|0|1|2|", 16) == 0 &&
		    strcmp(want + strlen(want) - 10, "|1498|1499") == 0,
		    "real many arguments: in order, first to last");
		free(want);
	}
	got_free(&g);
	free(text);
}

static void
test_formats(void)
{
	char *text = slurp("real-enriched.log");
	const struct snap *s;
	struct got g;
	size_t i, noded = 0;

	feed(text, &g);
	s = by_serial(&g, 12998);
	ok(s != NULL && s->kind == ST_EV_EXEC &&
	    strcmp(s->argv, "/bin/echo|hello world") == 0,
	    "real ENRICHED: exec with a hex argument, interpreted part "
	    "ignored");
	s = by_serial(&g, 12999);
	ok(s != NULL && s->kind == ST_EV_FORK && s->exit == 19306,
	    "real ENRICHED: clone read as a fork");
	is_int(g.st.malformed, 0, "real ENRICHED: no line malformed");
	got_free(&g);
	free(text);

	text = slurp("real-node.log");
	feed(text, &g);
	for (i = 0; i < g.n; i++)
		if (g.v[i].node != NULL && strcmp(g.v[i].node, "ci-runner-7") ==
		    0)
			noded++;
	ok(g.n > 0 && noded == g.n, "real node=: every event carries the "
	    "node name (%zu of %zu)", noded, g.n);
	s = by_serial(&g, 13028);
	ok(s != NULL && s->kind == ST_EV_EXEC &&
	    strcmp(s->argv, "/bin/echo|hello world") == 0,
	    "real node=: fields after the prefix parsed");
	got_free(&g);
	free(text);

	text = slurp("real-memfd-exec.log");
	feed(text, &g);
	s = by_serial(&g, 14087);
	ok(s != NULL && s->kind == ST_EV_EXEC &&
	    strcmp(s->sysname, "execveat") == 0 &&
	    strcmp(s->exe, "/memfd:payload (deleted)") == 0 &&
	    s->path0 != NULL && s->path0[0] == '\0',
	    "real memfd exec: execveat, exe decoded from hex, empty path");
	got_free(&g);
	free(text);
}

static void
test_losses(void)
{
	char *text = slurp("real-lost.log");
	struct got g;

	feed(text, &g);
	is_int(g.st.serial_missing, 305, "real rate-limit loss: 305 serials "
	    "missing");
	is_int(g.st.serial_gaps, 2, "real rate-limit loss: in two holes");
	ok(g.cov.n == 2 && g.cov.v[0].missing + g.cov.v[1].missing == 305 &&
	    g.cov.v[0].to_serial - g.cov.v[0].from_serial - 1 ==
	    g.cov.v[0].missing && g.cov.v[0].to_sec >= g.cov.v[0].from_sec,
	    "real rate-limit loss: the coverage names both holes, their "
	    "serials and times");
	is_int(g.st.records_missing, 4, "real rate-limit loss: two execs "
	    "lack their two PATH records");
	is_int(g.st.incomplete, 2, "real rate-limit loss: two events "
	    "incomplete");
	got_free(&g);
	free(text);

	text = slurp("real-lost-backlog.log");
	feed(text, &g);
	is_int(g.st.serial_missing, 0, "real backlog loss: no serial "
	    "missing (records are dropped before they are numbered)");
	is_int(g.st.incomplete, 17, "real backlog loss: yet 17 execs lack "
	    "records");
	is_int(g.st.records_missing, 50, "real backlog loss: 50 records "
	    "announced by items= or owed by an exec never came");
	got_free(&g);
	free(text);
}

/* Reader and process tree together, as the pipeline runs them. */
struct tree_run {
	struct st_proctree *t;
	unsigned long	 order[MAXEV];	/* serials, in release order */
	size_t		 n;
};

static void
apply(struct st_event *ev, void *arg)
{
	struct tree_run *tr = arg;

	if (tr->n < MAXEV)
		tr->order[tr->n++] = ev->serial;
	st_proctree_apply(tr->t, ev);
}

/* Feeds a tests/data file through the reader into tr's process tree. */
static void
run_tree(const char *name, struct tree_run *tr)
{
	char *text = slurp(name);
	struct st_reader *r;
	const char *s, *nl;

	tr->t = st_proctree_new();
	r = st_reader_new(apply, tr);
	for (s = text; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		st_reader_line(r, s, (size_t)(nl - s));
	}
	st_reader_flush(r);
	st_reader_free(r);
	free(text);
}

static size_t
position(const struct tree_run *tr, unsigned long serial)
{
	size_t i;

	for (i = 0; i < tr->n; i++)
		if (tr->order[i] == serial)
			return i;
	return (size_t)-1;
}

static void
test_vfork(void)
{
	struct tree_run tr = { 0 };
	struct st_proc *p;
	unsigned long ex;
	size_t fork_first = 0, linked = 0;
	int child;

	run_tree("real-vfork.log", &tr);
	/* pairs (child's exec, parent's vfork): the exec has the lower
	 * serial, the vfork the earlier (or the same) time */
	for (ex = 12894; ex <= 12908; ex += 2)
		if (position(&tr, ex + 1) < position(&tr, ex))
			fork_first++;
	is_int(fork_first, 8, "real vfork: every vfork leaves the window "
	    "before its child's exec, though its serial is higher");
	for (child = 18513; child <= 18520; child++) {
		p = st_proctree_find(tr.t, 0, child);
		if (p != NULL && p->parent != NULL && p->parent->pid == 18512 &&
		    p->birth == ST_BORN_FORK && p->image != NULL &&
		    strcmp(p->image->exe, "/usr/bin/true") == 0)
			linked++;
	}
	is_int(linked, 8, "real vfork: each child linked to python, born by "
	    "vfork, running /usr/bin/true");
	is_int(st_proctree_stats(tr.t)->pid_reuse, 0, "real vfork: no child "
	    "mistaken for a reused pid");
	st_proctree_free(tr.t);
}

/*
 * bash execs, then forks in the same clock tick; its fork record carries
 * the kernel's stale PROCTITLE (the process it was forked from).  The
 * subshells must show bash's argv, which needs the exec applied first.
 */
static void
test_exec_fork_same_tick(void)
{
	struct tree_run tr = { 0 };
	struct st_buf b = { 0 };
	struct st_proc *p;

	run_tree("real-exec-fork-same-tick.log", &tr);
	ok(position(&tr, 24290) < position(&tr, 24291), "real same tick: "
	    "bash's exec leaves the window before its own fork");
	p = st_proctree_find(tr.t, 0, 32731);
	ok(p != NULL && p->parent != NULL && p->parent->pid == 32730 &&
	    p->parent->parent != NULL && p->parent->parent->pid == 32729,
	    "real same tick: subshell 32731 -> subshell 32730 -> bash 32729");
	if (p != NULL) {
		st_proc_cmdline(p, &b, 0);
		ok(strncmp(st_buf_cstr(&b), "bash -c ", 8) == 0, "real same "
		    "tick: the subshells show bash's argv, not the stale "
		    "PROCTITLE (%s)", b.d);
	}
	st_buf_free(&b);
	st_proctree_free(tr.t);
}

/* handmade: what fuzzing found wrong */
static void
test_fuzz_findings(void)
{
	struct st_buf b = { 0 };
	struct got g;
	int i;

	feed("type=CWD msg=audit(1700000000.123:5): cwd=\"/tmp\" cwd=\"/x\"\n",
	    &g);
	is_int(g.st.malformed, 1, "handmade CWD with cwd= twice: malformed "
	    "(libauparse leaks on it)");
	got_free(&g);

	feed("type=SYSCALL msg=audit(1700000000.100:10): arch=c000003e "
	    "syscall=59 success=yes exit=0 items=0 ppid=1 pid=100 "
	    "comm=\"ls\" exe=\"/usr/bin/ls\"\n"
	    "type=EXECVE msg=audit(1700000000.100:10): argc=1 a0=\"ls\" "
	    "a1=\"-l\" a2=\"-a\" a3=\"-h\"\n"
	    "type=CWD msg=audit(1700000000.100:10): cwd=\"/\"\n", &g);
	is_int(g.st.incomplete, 1, "handmade argv beyond argc: one incomplete "
	    "event, not one per argument");
	ok(g.n == 1 && strcmp(g.v[0].argv, "ls") == 0, "handmade argv beyond "
	    "argc: argc arguments kept");
	got_free(&g);

	feed("type=SYSCALL msg=audit(1700000000.000:1): arch=c000003e "
	    "arch=c000003e syscall=59 syscall=59 success=yes exit=0 pid=10 "
	    "ppid=1\n", &g);
	ok(g.n == 1 && strcmp(g.v[0].sysname, "execve") == 0, "handmade "
	    "fields given twice: read (and, under a sanitizer, no leak)");
	got_free(&g);

	/* libauparse 3.0.9 leaks on a CWD record with cwd= twice as it
	 * splits fields (fuzz/crashes/leak-auparse-dup-cwd-*): such a line
	 * is malformed; a kernel's one cwd= is not, whatever its path */
	feed("type=CWD msg=audit(70:4652): cwd=5 x=\"y cwd=6\"\n"
	    "type=CWD msg=audit(70:4653): cwd=5 msg='cwd=6'\n"
	    "type=CWD msg=audit(70:4654): cwd=5 (cwd=6\n", &g);
	is_int(g.st.malformed, 3, "handmade cwd= twice, inside quotes, a "
	    "message or after a parenthesis: malformed (and no leak)");
	got_free(&g);
	feed("type=CWD msg=audit(70:4655): cwd=\"/tmp/a'cwd=b\"\n", &g);
	is_int(g.st.malformed, 0, "handmade one cwd= whose path holds "
	    "'cwd=: read");
	got_free(&g);

	feed("type=SYSCALL msg=audit(1700000000.000:1): arch=c000003e "
	    "syscall=57 success=yes exit=4194304 pid=4194305 ppid=4194304\n",
	    &g);
	ok(g.n == 1 && g.v[0].pid == -1 && g.v[0].ppid == 4194304, "handmade "
	    "pid past the kernel's PID_MAX_LIMIT: no pid (got %d, ppid %d)",
	    g.n ? g.v[0].pid : 0, g.n ? g.v[0].ppid : 0);
	got_free(&g);

	/* a reboot: serials 4980, 4991 (10 lost), then 1, 2, 3 ... */
	st_buf_addf(&b, "type=SYSCALL msg=audit(1700000000.000:4980): "
	    "syscall=44 pid=5 ppid=1\n");
	st_buf_addf(&b, "type=SYSCALL msg=audit(1700000000.010:4991): "
	    "syscall=44 pid=5 ppid=1\n");
	for (i = 1; i <= 1200; i++)
		st_buf_addf(&b, "type=SYSCALL msg=audit(%d.%03d:%d): "
		    "syscall=44 pid=5 ppid=1\n", 1700000100 + i / 1000,
		    i % 1000, i);
	feed(st_buf_cstr(&b), &g);
	is_int(g.st.serial_missing, 10, "handmade reboot: only the real gap "
	    "counts as lost");
	is_int(g.st.serial_resets, 1, "handmade reboot: one reset");
	got_free(&g);

	/* an early reboot: serials were still small (3000), the counter
	 * starts again within the ring's reach, minutes later */
	st_buf_reset(&b);
	st_buf_addf(&b, "type=SYSCALL msg=audit(1700000000.000:3000): "
	    "syscall=44 pid=5 ppid=1\n");
	for (i = 1; i <= 100; i++)
		st_buf_addf(&b, "type=SYSCALL msg=audit(1700000300.%03d:%d): "
		    "syscall=44 pid=5 ppid=1\n", i, i);
	feed(st_buf_cstr(&b), &g);
	ok(g.st.serial_missing == 0 && g.st.serial_resets == 1, "handmade "
	    "early reboot: a reset, not %lu lost events",
	    g.st.serial_missing);
	got_free(&g);

	/* the same with the whole first boot in the log: the new serials
	 * were all seen before */
	st_buf_reset(&b);
	for (i = 1; i <= 300; i++)
		st_buf_addf(&b, "type=SYSCALL msg=audit(1700000000.%03d:%d): "
		    "syscall=44 pid=5 ppid=1\n", i, i);
	for (i = 1; i <= 100; i++)
		st_buf_addf(&b, "type=SYSCALL msg=audit(1700000300.%03d:%d): "
		    "syscall=44 pid=5 ppid=1\n", i, i);
	feed(st_buf_cstr(&b), &g);
	ok(g.st.serial_missing == 0 && g.st.serial_resets == 1, "handmade "
	    "early reboot, first boot logged whole: a reset, not %lu lost",
	    g.st.serial_missing);
	got_free(&g);

	/* a busy log (2500 events/s) where one record of an event comes
	 * 2.5 s late: libauparse gives it as a second part after the first
	 * left the window, thousands of serials behind the newest.  It is
	 * late, not a reboot: nothing lost, no reset (found by fuzzing) */
	st_buf_reset(&b);
	for (i = 0; i < 7000; i++) {
		int sec = 1700000000 + i / 2500, ms = (i % 2500) * 1000 / 2500;

		st_buf_addf(&b, "type=SYSCALL msg=audit(%d.%03d:%d): arch=c000003e "
		    "syscall=42 success=yes exit=0 pid=%d ppid=1\n", sec, ms,
		    1000 + i, 100 + i);
		if (i != 100)
			st_buf_addf(&b, "type=SOCKADDR msg=audit(%d.%03d:%d): "
			    "saddr=02000050C0A80001\n", sec, ms, 1000 + i);
		st_buf_addf(&b, "type=PROCTITLE msg=audit(%d.%03d:%d): "
		    "proctitle=78\n", sec, ms, 1000 + i);
		if (i == 100 + 6250)
			st_buf_addf(&b, "type=SOCKADDR msg=audit(1700000000.040:"
			    "1100): saddr=02000050C0A80001\n");
	}
	feed(st_buf_cstr(&b), &g);
	ok(g.st.serial_missing == 0 && g.st.serial_resets == 0 &&
	    g.st.late == 1, "handmade record 2.5 s late in a busy log: late "
	    "(%lu), not %lu lost and %lu resets", g.st.late,
	    g.st.serial_missing, g.st.serial_resets);
	got_free(&g);

	/* a second host's log appended without node= (or a clock set back
	 * at reboot): serials far behind, 1000 s earlier, one of them lost.
	 * Not "late parts": counting starts again, and the loss shows */
	st_buf_reset(&b);
	for (i = 0; i < 3000; i++)
		st_buf_addf(&b, "type=SYSCALL msg=audit(%d.%03d:%d): "
		    "syscall=42 pid=%d ppid=1\n", 1700001000 + i / 1000,
		    i % 1000, 5000000 + i, 100 + i);
	for (i = 0; i < 100; i++)
		if (i != 50)
			st_buf_addf(&b, "type=SYSCALL msg=audit(1700000000.%03d:"
			    "%d): syscall=42 pid=%d ppid=1\n", i, 100 + i,
			    100 + i);
	feed(st_buf_cstr(&b), &g);
	/* (two resets: the window gives the events in time order, so the
	 * second log's come between the first's and the 2048 it held) */
	ok(g.st.serial_missing == 1 && g.st.serial_resets == 2, "handmade "
	    "second host appended, clock 1000 s behind: counting starts "
	    "again, the one loss counted (%lu lost, %lu resets)",
	    g.st.serial_missing, g.st.serial_resets);
	got_free(&g);

	/* a slow syscall: connect() entered at .5 and blocked 70 s, so 502
	 * is stamped before 501 (a quick one at 70 s) but numbered after.
	 * 501 fills a hole: no reset, nothing lost (found by fuzzing) */
	st_buf_reset(&b);
	st_buf_addf(&b, "type=SYSCALL msg=audit(1700000000.000:500): "
	    "syscall=44 pid=1 ppid=9\n");
	st_buf_addf(&b, "type=SYSCALL msg=audit(1700000070.000:501): "
	    "syscall=44 pid=2 ppid=9\n");
	st_buf_addf(&b, "type=SYSCALL msg=audit(1700000000.500:502): "
	    "syscall=42 pid=3 ppid=9\n");
	st_buf_addf(&b, "type=SYSCALL msg=audit(1700000140.000:503): "
	    "syscall=44 pid=4 ppid=9\n");
	feed(st_buf_cstr(&b), &g);
	ok(g.st.serial_missing == 0 && g.st.serial_gaps == 0 &&
	    g.st.serial_resets == 0, "handmade slow connect: %lu lost, %lu "
	    "gaps, %lu resets (want none)", g.st.serial_missing,
	    g.st.serial_gaps, g.st.serial_resets);
	got_free(&g);
	st_buf_free(&b);
}

/*
 * Events that never end (no EOE, no PROCTITLE: kernels before 2.6.25 and
 * 3.16, or a log made so): libauparse would hold every later event behind
 * them and rescan them all per record (quadratic).  The reader ends the
 * oldest itself past OPEN_MAX; a record of it that comes later is a
 * second part, merged.  Time is measured by the benchmark, not here.
 */
static void
test_open_events(void)
{
	struct st_buf b = { 0 };
	const struct snap *e;
	struct got g;
	int i;

	for (i = 0; i < 3000; i++) {
		st_buf_addf(&b, "type=SYSCALL msg=audit(1700000000.%03d:%d): "
		    "arch=c000003e syscall=59 success=yes exit=0 items=0 "
		    "pid=%d ppid=1 comm=\"true\" exe=\"/usr/bin/true\"\n",
		    i / 3, 1000 + i, 100 + i);
		st_buf_addf(&b, "type=EXECVE msg=audit(1700000000.%03d:%d): "
		    "argc=2 a0=\"true\" a1=\"x%d\"\n", i / 3, 1000 + i, i);
		if (i != 0)
			st_buf_addf(&b, "type=CWD msg=audit(1700000000.%03d:%d):"
			    " cwd=\"/tmp\"\n", i / 3, 1000 + i);
		if (i == 200)	/* the first event's CWD, 200 events on */
			st_buf_addf(&b, "type=CWD msg=audit(1700000000.000:"
			    "1000): cwd=\"/first\"\n");
	}
	feed(st_buf_cstr(&b), &g);
	is_int(g.st.execs, 3000, "handmade events never ended: all 3000 "
	    "execs read");
	is_int(g.st.records, 9000, "... every record counted, and none of "
	    "the EOEs the reader fed");
	e = by_serial(&g, 1000);
	ok(e != NULL && e->cwd != NULL && strcmp(e->cwd, "/first") == 0 &&
	    e->parts == 2 && g.st.parts_merged == 1, "... the reader ended "
	    "them (a record 200 events late is a second part, merged: %lu)",
	    g.st.parts_merged);
	is_int(g.st.malformed, 0, "... nothing malformed");
	got_free(&g);

	/* events that ended (PROCTITLE) do not count as open: an exec whose
	 * last records come 70 such events later is whole, as before */
	st_buf_reset(&b);
	st_buf_addf(&b, "type=SYSCALL msg=audit(1700000000.000:1000): "
	    "arch=c000003e syscall=59 success=yes exit=0 items=0 pid=99 "
	    "ppid=1 comm=\"x\" exe=\"/usr/bin/x\"\n"
	    "type=EXECVE msg=audit(1700000000.000:1000): argc=1 a0=\"x\"\n");
	for (i = 0; i < 70; i++)
		st_buf_addf(&b, "type=SYSCALL msg=audit(1700000000.001:%d): "
		    "arch=c000003e syscall=42 success=yes exit=0 pid=%d ppid=1\n"
		    "type=PROCTITLE msg=audit(1700000000.001:%d): "
		    "proctitle=78\n", 1001 + i, 200 + i, 1001 + i);
	st_buf_addf(&b, "type=CWD msg=audit(1700000000.000:1000): cwd=\"/w\"\n"
	    "type=PROCTITLE msg=audit(1700000000.000:1000): proctitle=78\n");
	feed(st_buf_cstr(&b), &g);
	is_int(g.st.parts_merged, 0, "handmade exec spanning 70 ended events: "
	    "one part (only events still open count against the limit)");
	got_free(&g);
	st_buf_free(&b);
}

/* The window holds events up to a count, and up to a size in bytes. */
static void
test_window_bytes(void)
{
	struct st_window *w = st_window_new(100, 1000);
	struct st_event *ev;
	size_t held = 0;
	int i;

	for (i = 0; i < 10; i++) {
		ev = xcalloc(1, sizeof *ev);
		ev->sec = 1700000000;
		ev->serial = (unsigned long)i + 1;
		ev->pid = ev->ppid = -1;
		ev->bytes = 300;	/* an exec with a long argv, say */
		st_window_add(w, ev);
		while ((ev = st_window_pop(w, false)) != NULL)
			st_event_free(ev);
		if (st_window_len(w) > held)
			held = st_window_len(w);
	}
	is_int(held, 3, "window: 300-byte events, 1000 bytes allowed: at most "
	    "3 held (the count allows 100)");
	while ((ev = st_window_pop(w, true)) != NULL)
		st_event_free(ev);
	st_window_free(w);
}

/*
 * The fields libauparse itself makes of line, as "name=value|...": those
 * named in keep (NULL-ended), or all of them when keep is NULL.
 */
static char *
auparse_fields(const char *line, const char *const *keep)
{
	struct st_buf b = { 0 };
	const char *const *k;
	auparse_state_t *au;
	const char *name, *val;
	char *text = xasprintf("%s\n", line);

	st_buf_cstr(&b);
	if ((au = auparse_init(AUSOURCE_BUFFER, text)) != NULL &&
	    auparse_next_event(au) > 0 && auparse_first_record(au) > 0 &&
	    auparse_first_field(au) > 0) {
		do {
			name = auparse_get_field_name(au);
			val = auparse_get_field_str(au);
			if (name == NULL || val == NULL)
				continue;
			for (k = keep; k != NULL && *k != NULL; k++)
				if (strcmp(*k, name) == 0)
					break;
			if (keep != NULL && *k == NULL)
				continue;
			st_buf_addf(&b, "%s=%s|", name, val);
		} while (auparse_next_field(au) > 0);
	}
	if (au != NULL)
		auparse_destroy(au);
	free(text);
	return st_buf_steal(&b);
}

/*
 * lean.c: what libauparse is fed of a record.  Each row a line, where its
 * header ends (after "):"), and what is kept; the words kept are those
 * libauparse names item, name or nametype (PATH), none (BPRM_FCAPS), all
 * but the run suid ... tty where it stands whole (SYSCALL), all (any
 * other type).
 */
static void
test_lean(void)
{
	static const struct {
		const char	*type;
		const char	*line;
		const char	*want;
	} rows[] = {
		/* real: an exec's PATH and BPRM_FCAPS (testdata/loader) */
		{ "PATH", "type=PATH msg=audit(1.200:3): item=0 "
		  "name=\"/usr/bin/ls\" inode=1 dev=fe:01 mode=0100755 "
		  "ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 "
		  "cap_fe=0 cap_fver=0 cap_frootid=0",
		  "type=PATH msg=audit(1.200:3): item=0 name=\"/usr/bin/ls\" "
		  "nametype=NORMAL" },
		{ "BPRM_FCAPS", "type=BPRM_FCAPS msg=audit(1.200:3): fver=0 "
		  "fp=0 fi=0 fe=0 old_pp=0 old_pi=0 old_pe=0 old_pa=0 pp=1ff",
		  "type=BPRM_FCAPS msg=audit(1.200:3):" },
		/* real: an exec's SYSCALL (testdata/loader); the six fields
		 * never read go, as the kernel writes them, together */
		{ "SYSCALL", "type=SYSCALL msg=audit(1795337778.729:179795): "
		  "arch=c000003e syscall=59 success=yes exit=0 a0=55ba10403bc8 "
		  "a1=55ba10403c80 a2=55ba10405e58 a3=1 items=2 ppid=4211 "
		  "pid=4212 auid=1001 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 "
		  "sgid=0 fsgid=0 tty=(none) ses=62 comm=\"Runner.Worker\" "
		  "exe=\"/home/runner/actions-runner/bin/Runner.Worker\" "
		  "key=\"steptrail-exec\"",
		  "type=SYSCALL msg=audit(1795337778.729:179795): "
		  "arch=c000003e syscall=59 success=yes exit=0 a0=55ba10403bc8 "
		  "a1=55ba10403c80 a2=55ba10405e58 a3=1 items=2 ppid=4211 "
		  "pid=4212 auid=1001 uid=0 gid=0 euid=0 ses=62 "
		  "comm=\"Runner.Worker\" "
		  "exe=\"/home/runner/actions-runner/bin/Runner.Worker\" "
		  "key=\"steptrail-exec\"" },
		/* hand-made: the run at the end, glued to the header, found
		 * after a false start ("suids=", a word not after a space) */
		{ "SYSCALL", "type=SYSCALL msg=audit(1.200:3): x=asuid= "
		  "suids=1 pid=2 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0",
		  "type=SYSCALL msg=audit(1.200:3): x=asuid= suids=1 pid=2" },
		{ "SYSCALL", "type=SYSCALL msg=audit(1.200:3): suid=0 fsuid=0 "
		  "egid=0 sgid=0 fsgid=0 tty=x ses=1", "type=SYSCALL "
		  "msg=audit(1.200:3): ses=1" },
		/* ... and left whole: a word among them, out of order, two
		 * spaces, past the ENRICHED separator, the header's own */
		{ "SYSCALL", "type=SYSCALL msg=audit(1.200:3): suid=0 fsuid=0 "
		  "egid=0 uid=5 sgid=0 fsgid=0 tty=x", "type=SYSCALL "
		  "msg=audit(1.200:3): suid=0 fsuid=0 egid=0 uid=5 sgid=0 "
		  "fsgid=0 tty=x" },
		{ "SYSCALL", "type=SYSCALL msg=audit(1.200:3): fsuid=0 suid=0 "
		  "egid=0 sgid=0 fsgid=0 tty=x", "type=SYSCALL "
		  "msg=audit(1.200:3): fsuid=0 suid=0 egid=0 sgid=0 fsgid=0 "
		  "tty=x" },
		{ "SYSCALL", "type=SYSCALL msg=audit(1.200:3): suid=0  fsuid=0 "
		  "egid=0 sgid=0 fsgid=0 tty=x", "type=SYSCALL "
		  "msg=audit(1.200:3): suid=0  fsuid=0 egid=0 sgid=0 fsgid=0 "
		  "tty=x" },
		{ "SYSCALL", "type=SYSCALL msg=audit(1.200:3): pid=1\x1d "
		  "suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=x", "type=SYSCALL "
		  "msg=audit(1.200:3): pid=1\x1d suid=0 fsuid=0 egid=0 sgid=0 "
		  "fsgid=0 tty=x" },
		/* (the last word's end is a space: one glued to the
		 * separator is taken as past it, and left) */
		{ "SYSCALL", "type=SYSCALL msg=audit(1.200:3): suid=0 fsuid=0 "
		  "egid=0 sgid=0 fsgid=0 tty=x\x1dUID=\"root\"", "type=SYSCALL "
		  "msg=audit(1.200:3): suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 "
		  "tty=x\x1dUID=\"root\"" },
		/* ENRICHED, as auditd writes it: the separator after ses= */
		{ "SYSCALL", "type=SYSCALL msg=audit(1.200:3): pid=1 suid=0 "
		  "fsuid=0 egid=0 sgid=0 fsgid=0 tty=x ses=1\x1dUID=\"root\"",
		  "type=SYSCALL msg=audit(1.200:3): pid=1 ses=1\x1dUID="
		  "\"root\"" },
		{ "SYSCALL", "type=SYSCALL msg=audit(1.200:3):suid=0 fsuid=0 "
		  "egid=0 sgid=0 fsgid=0 tty=x", "type=SYSCALL "
		  "msg=audit(1.200:3):suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 "
		  "tty=x" },
		/* other types as they are, spaces and all */
		{ "SYSCALL", "type=SYSCALL msg=audit(1.200:3): arch=c000003e  "
		  "tty=(none) subj=x", "type=SYSCALL msg=audit(1.200:3): "
		  "arch=c000003e  tty=(none) subj=x" },
		{ "PATHS", "type=PATHS msg=audit(1.200:3): inode=1",
		  "type=PATHS msg=audit(1.200:3): inode=1" },
		/* hand-made: names as libauparse reads them */
		{ "PATH", "node=h type=PATH msg=audit(1.200:3):  item=1  dev=1 "
		  "(name=\"/a\" msg='nametype=PARENT' (mode=1 msg='(item=2 "
		  "name nametype inode= item= x=item=3",
		  "node=h type=PATH msg=audit(1.200:3): item=1 (name=\"/a\" "
		  "msg='nametype=PARENT' msg='(item=2 item=" },
		/* the ENRICHED separator ends the fields */
		{ "PATH", "type=PATH msg=audit(1.200:3): item=0 inode=5 "
		  "name=\"/a\"\x1dUID=\"root\" item=7",
		  "type=PATH msg=audit(1.200:3): item=0 name=\"/a\"" },
		{ "PATH", "type=PATH msg=audit(1.200:3): item=0 "
		  "nametype=NOR\x1dMAL item=7",
		  "type=PATH msg=audit(1.200:3): item=0 nametype=NOR" },
		/* a word glued to the header is the header's: libauparse
		 * passes over the whole "msg=audit(...):item=0" */
		{ "PATH", "type=PATH msg=audit(1.200:3):item=0 inode=1 item=1",
		  "type=PATH msg=audit(1.200:3):item=0 item=1" },
		{ "PATH", "type=PATH msg=audit(1.200:3):", "type=PATH "
		  "msg=audit(1.200:3):" },
		/* a name of more than 8 bytes, one that begins a kept one */
		{ "PATH", "type=PATH msg=audit(1.200:3): nametypes=1 names=2 "
		  "nam=3 itemx=4 nametype=5", "type=PATH msg=audit(1.200:3): "
		  "nametype=5" },
	};
	/* with type: the header's, a field to libauparse, tells that it
	 * parsed the record at all */
	static const char *const path[] = { "type", "item", "name",
	    "nametype", NULL };
	static const char *const none[] = { "type", NULL };
	/* what parse_syscall reads, and a word no kernel writes */
	static const char *const sys[] = { "type", "arch", "syscall",
	    "success", "exit", "a0", "a1", "a2", "a3", "items", "ppid", "pid",
	    "auid", "uid", "gid", "euid", "ses", "comm", "exe", "key", "x",
	    "subj", "suids", NULL };
	const char *const *keep;
	struct st_buf b = { 0 };
	const char *stamp;
	char *full, *lean;
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		stamp = strstr(rows[i].line, "):");
		st_buf_reset(&b);
		st_buf_adds(&b, "x");	/* appends: what is there stays */
		st_lean_add(&b, rows[i].line, strlen(rows[i].line),
		    (size_t)(stamp + 2 - rows[i].line),
		    st_lean_keep(rows[i].type, strlen(rows[i].type)));
		ok(b.d[0] == 'x', "lean row %zu: what the buffer held stays",
		    i);
		is_str(b.d + 1, rows[i].want, "lean row %zu: %s record", i,
		    rows[i].type);
		/* and libauparse makes the same of what steptrail reads */
		keep = strcmp(rows[i].type, "PATH") == 0 ? path :
		    strcmp(rows[i].type, "BPRM_FCAPS") == 0 ? none :
		    strcmp(rows[i].type, "SYSCALL") == 0 ? sys : NULL;
		full = auparse_fields(rows[i].line, keep);
		lean = auparse_fields(b.d + 1, keep);
		ok(strncmp(full, "type=", 5) == 0, "lean row %zu: libauparse "
		    "parses it", i);
		is_str(lean, full, "lean row %zu: libauparse's fields the "
		    "same", i);
		free(full);
		free(lean);
	}
	st_buf_free(&b);
}

/* The lines of testdata/attacks-exec/audit.log stamped msg=audit(stamp):. */
static void
case_lines(const char *stamp, char *lines[], size_t max, size_t *n)
{
	const char *top = getenv("TOP_SRCDIR");
	char *path, line[16384], tag[64];
	FILE *f;

	path = xasprintf("%s/testdata/attacks-exec/audit.log",
	    top ? top : ".");
	if ((f = fopen(path, "r")) == NULL) {
		printf("Bail out! cannot open %s\n", path);
		exit(1);
	}
	snprintf(tag, sizeof tag, "msg=audit(%s):", stamp);
	for (*n = 0; *n < max && fgets(line, sizeof line, f) != NULL; )
		if (strstr(line, tag) != NULL)
			lines[(*n)++] = xstrdup(line);
	fclose(f);
	free(path);
}

/*
 * The reader feeds libauparse the lean records: a real exec (Runner.Worker
 * in testdata/attacks-exec, with its BPRM_FCAPS and two PATH records) reads
 * the same with STEPTRAIL_LEAN=0, and the window reckons it smaller by the
 * fields left out.
 */
static void
test_lean_fed(void)
{
	struct st_buf b = { 0 };
	struct got lean, full;
	char *l[8];
	size_t n, i;

	case_lines("1795346460.509:446688", l, 8, &n);
	for (i = 0; i < n; i++) {
		st_buf_adds(&b, l[i]);
		free(l[i]);
	}
	feed(st_buf_cstr(&b), &lean);
	setenv("STEPTRAIL_LEAN", "0", 1);
	feed(st_buf_cstr(&b), &full);
	unsetenv("STEPTRAIL_LEAN");
	if (lean.n != 1 || full.n != 1) {
		ok(0, "lean exec: one event each way (got %zu and %zu)",
		    lean.n, full.n);
	} else {
		is_str(lean.v[0].path0, "/home/runner/actions-runner/bin/"
		    "Runner.Worker", "lean exec: PATH item 0's name");
		is_str(lean.v[0].name1, "/lib64/ld-linux-x86-64.so.2",
		    "lean exec: PATH item 1's name (the loader)");
		is_str(lean.v[0].argv, full.v[0].argv, "lean exec: argv the "
		    "same");
		is_str(lean.v[0].cwd, full.v[0].cwd, "lean exec: cwd the same");
		is_str(lean.v[0].exe, full.v[0].exe, "lean exec: exe the same");
		is_int(lean.v[0].nnames, full.v[0].nnames, "lean exec: as many "
		    "names");
		is_int(lean.st.records, full.st.records, "lean exec: as many "
		    "records");
		ok(lean.st.left_out == 1 && full.st.left_out == 0,
		    "lean exec: its BPRM_FCAPS record, after the SYSCALL, is "
		    "not fed (%lu, and %lu with every field fed)",
		    lean.st.left_out, full.st.left_out);
		ok(lean.v[0].bytes < full.v[0].bytes, "lean exec: the window "
		    "reckons %zu bytes, %zu with every field fed",
		    lean.v[0].bytes, full.v[0].bytes);
		/* reader.c: an event's strings in its own memory */
		ok(lean.v[0].owned, "exec: exe, comm, cwd, names and argv in "
		    "the event's memory");
	}
	got_free(&lean);
	got_free(&full);
	st_buf_free(&b);
}

/* Fed lean and whole, text gives the same events and counts; left: the
 * records lean.c should leave out. */
static void
left_out_case(const char *text, unsigned long left, const char *what)
{
	struct got lean, full;
	size_t i;
	bool same;

	feed(text, &lean);
	setenv("STEPTRAIL_LEAN", "0", 1);
	feed(text, &full);
	unsetenv("STEPTRAIL_LEAN");
	same = lean.n == full.n && lean.st.records == full.st.records &&
	    lean.st.events == full.st.events &&
	    lean.st.parts_merged == full.st.parts_merged && lean.n > 0;
	for (i = 0; same && i < lean.n; i++)
		same = lean.v[i].serial == full.v[i].serial &&
		    lean.v[i].parts == full.v[i].parts &&
		    lean.v[i].node == full.v[i].node &&
		    strcmp(lean.v[i].argv ? lean.v[i].argv : "",
		    full.v[i].argv ? full.v[i].argv : "") == 0 &&
		    strcmp(lean.v[i].exe ? lean.v[i].exe : "",
		    full.v[i].exe ? full.v[i].exe : "") == 0;
	ok(same && lean.st.left_out == left && full.st.left_out == 0,
	    "BPRM_FCAPS left out, %s: %lu left out (want %lu); %zu events, "
	    "%lu records, %lu parts merged, as fed whole (%zu, %lu, %lu)",
	    what, lean.st.left_out, left, lean.n, lean.st.records,
	    lean.st.parts_merged, full.n, full.st.records,
	    full.st.parts_merged);
	got_free(&lean);
	got_free(&full);
}

/*
 * lean.c leaves a BPRM_FCAPS record out whole only where libauparse would
 * group and hand out every event the same: right after a SYSCALL or
 * EXECVE record of its own event, of the kernel's stamp, without node=.
 * Hand-made from a real exec's seven lines (SYSCALL, BPRM_FCAPS, EXECVE,
 * CWD, PATH, PATH, PROCTITLE), moved and edited.
 */
static void
test_lean_left_out(void)
{
	char *l[8], *o[8];
	struct st_buf b = { 0 };
	size_t n, m, i;

	case_lines("1795346460.509:446688", l, 8, &n);
	case_lines("1795346462.113:446690", o, 8, &m);
	if (n != 7 || m < 2 || strncmp(l[1], "type=BPRM_FCAPS ", 16) != 0) {
		ok(0, "BPRM_FCAPS left out: the real exec's lines (%zu, %zu)",
		    n, m);
		return;
	}
#define ADD(s)	st_buf_adds(&b, (s))
	for (i = 0; i < n; i++)
		ADD(l[i]);
	left_out_case(st_buf_cstr(&b), 1, "after the SYSCALL (as logged)");

	st_buf_reset(&b);	/* twice over */
	ADD(l[0]); ADD(l[1]); ADD(l[1]);
	for (i = 2; i < n; i++)
		ADD(l[i]);
	left_out_case(st_buf_cstr(&b), 2, "twice after the SYSCALL");

	st_buf_reset(&b);	/* the event's first record */
	ADD(l[1]); ADD(l[0]);
	for (i = 2; i < n; i++)
		ADD(l[i]);
	left_out_case(st_buf_cstr(&b), 0, "first of its event");

	st_buf_reset(&b);	/* after the PROCTITLE that ended its event */
	ADD(l[0]);
	for (i = 2; i < n; i++)
		ADD(l[i]);
	ADD(l[1]);
	left_out_case(st_buf_cstr(&b), 0, "after its event's PROCTITLE (a "
	    "second part)");

	st_buf_reset(&b);	/* another event's record in between */
	ADD(l[0]); ADD(o[0]); ADD(l[1]);
	for (i = 2; i < n; i++)
		ADD(l[i]);
	for (i = 1; i < m; i++)
		ADD(o[i]);
	left_out_case(st_buf_cstr(&b), 0, "after another event's SYSCALL");

	st_buf_reset(&b);	/* after a CWD of its own event */
	ADD(l[0]); ADD(l[2]); ADD(l[3]); ADD(l[1]);
	for (i = 4; i < n; i++)
		ADD(l[i]);
	left_out_case(st_buf_cstr(&b), 0, "after its event's CWD");

	st_buf_reset(&b);	/* every line from a named host */
	for (i = 0; i < n; i++) {
		ADD("node=runner-7 ");
		ADD(l[i]);
	}
	left_out_case(st_buf_cstr(&b), 0, "with node=");

	st_buf_reset(&b);	/* milliseconds of two digits: not the
				   kernel's stamp, left to libauparse */
	for (i = 0; i < n; i++) {
		char *p = strstr(l[i], ".509:");

		st_buf_add(&b, l[i], (size_t)(p - l[i]));
		ADD(".50:");
		ADD(p + 5);
	}
	left_out_case(st_buf_cstr(&b), 0, "a stamp not the kernel's shape");

	st_buf_reset(&b);	/* second 0: libauparse hands the event out
				   with no time, and steptrail passes it
				   over; nothing left out waits for it */
	for (i = 0; i < n; i++) {
		char *p = strstr(l[i], "1795346460.509:");
		struct got g;

		st_buf_add(&b, l[i], (size_t)(p - l[i]));
		ADD("0.509:");
		ADD(p + 15);
		if (i + 1 == n) {
			feed(st_buf_cstr(&b), &g);
			ok(g.st.left_out == 0 && g.n == 0, "BPRM_FCAPS left "
			    "out: not of an event at second 0 (%lu left out, "
			    "%zu events)", g.st.left_out, g.n);
			got_free(&g);
		}
	}
#undef ADD
	for (i = 0; i < n; i++)
		free(l[i]);
	for (i = 0; i < m; i++)
		free(o[i]);
	st_buf_free(&b);
}

/* Where a connect went (SOCKADDR), and every file a syscall named. */
static void
test_event_details(void)
{
	/* real: testdata/benign-build's port check, bash -c
	 * '</dev/tcp/127.0.0.1/43881' */
	static const char real[] =
	    "type=SYSCALL msg=audit(1795334761.341:7881): arch=c000003e "
	    "syscall=42 success=yes exit=0 a0=3 a1=562ae20c99f0 a2=10 "
	    "a3=7f02df6c6ac0 items=0 ppid=27799 pid=27800 auid=1001 uid=0 "
	    "gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
	    "ses=18 comm=\"bash\" exe=\"/usr/bin/bash\" key=\"steptrail-net\"\n"
	    "type=SOCKADDR msg=audit(1795334761.341:7881): "
	    "saddr=0200AB697F0000010000000000000000\n"
	    "type=PROCTITLE msg=audit(1795334761.341:7881): proctitle=62617368"
	    "002D63003C2F6465762F7463702F3132372E302E302E312F3433383831\n";
	/* hand-made: the same syscall to [::1]:443, to a unix path, to an
	 * abstract unix name, a saddr cut short and one of odd length; a
	 * rename naming four files */
	static const char handmade[] =
	    "type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=42 "
	    "success=no exit=-115 a0=3 a1=1 a2=1c items=0 ppid=1 pid=2 "
	    "comm=\"x\" exe=\"/x\"\n"
	    "type=SOCKADDR msg=audit(1.000:1): saddr=0A0001BB00000000"
	    "00000000000000000000000000000001" "00000000\n"
	    "type=SYSCALL msg=audit(1.000:2): arch=c000003e syscall=42 "
	    "success=yes exit=0 a0=3 a1=1 a2=10 items=0 ppid=1 pid=2\n"
	    "type=SOCKADDR msg=audit(1.000:2): saddr=01002F746D702F736F636B00\n"
	    "type=SYSCALL msg=audit(1.000:3): arch=c000003e syscall=42 "
	    "success=yes exit=0 a0=3 a1=1 a2=10 items=0 ppid=1 pid=2\n"
	    "type=SOCKADDR msg=audit(1.000:3): saddr=0100006162\n"
	    "type=SYSCALL msg=audit(1.000:4): arch=c000003e syscall=42 "
	    "success=yes exit=0 a0=3 a1=1 a2=10 items=0 ppid=1 pid=2\n"
	    "type=SOCKADDR msg=audit(1.000:4): saddr=0200AB\n"
	    "type=SYSCALL msg=audit(1.000:5): arch=c000003e syscall=42 "
	    "success=yes exit=0 a0=3 a1=1 a2=10 items=0 ppid=1 pid=2\n"
	    "type=SOCKADDR msg=audit(1.000:5): saddr=0200AB697F00000\n"
	    "type=SYSCALL msg=audit(1.000:6): arch=c000003e syscall=82 "
	    "success=yes exit=0 a0=1 a1=2 items=4 ppid=1 pid=2\n"
	    "type=PATH msg=audit(1.000:6): item=0 name=\"/a/\" nametype=PARENT\n"
	    "type=PATH msg=audit(1.000:6): item=1 name=\"/b/\" nametype=PARENT\n"
	    "type=PATH msg=audit(1.000:6): item=2 name=\"x\" nametype=DELETE\n"
	    "type=PATH msg=audit(1.000:6): item=3 name=\"authorized_keys\" "
	    "nametype=CREATE\n";
	const struct snap *s;
	struct got g;

	feed(real, &g);
	s = by_serial(&g, 7881);
	ok(s != NULL && s->family == 2 && s->port == 43881 && s->addr &&
	    strcmp(s->addr, "127.0.0.1") == 0 && strcmp(s->sysname,
	    "connect") == 0 && s->a1 == 0x562ae20c99f0ULL,
	    "real connect: 127.0.0.1 port 43881, a1 kept");
	got_free(&g);

	feed(handmade, &g);
	s = by_serial(&g, 1);
	ok(s != NULL && s->family == 10 && s->port == 443 && s->addr &&
	    strcmp(s->addr, "::1") == 0, "hand-made IPv6 connect: ::1 443");
	s = by_serial(&g, 2);
	ok(s != NULL && s->family == 1 && s->port == -1 && s->addr &&
	    strcmp(s->addr, "/tmp/sock") == 0, "hand-made unix connect: path");
	s = by_serial(&g, 3);
	ok(s != NULL && s->addr && strcmp(s->addr, "@ab") == 0,
	    "hand-made abstract unix name: @ab");
	s = by_serial(&g, 4);
	ok(s != NULL && s->family == 2 && s->addr == NULL && s->port == -1,
	    "hand-made saddr cut short: family only");
	s = by_serial(&g, 5);
	ok(s != NULL && s->family == -1 && s->addr == NULL,
	    "hand-made saddr of odd length: ignored");
	s = by_serial(&g, 6);
	ok(s != NULL && s->nnames == 4 && s->name1 &&
	    strcmp(s->name1, "/b/") == 0, "hand-made rename: all four PATH "
	    "names kept in item order");
	ok(g.st.malformed == 0, "none of it is malformed");
	got_free(&g);

	/* real, from ../shared/corpus/audit-userspace/auparse_test.enriched
	 * .log: auditctl -R adding a rule; the CONFIG_CHANGE record comes
	 * first, the SYSCALL's key=(null) must not replace its key */
	feed("type=CONFIG_CHANGE msg=audit(1749816863.768:844): auid=4294967295 "
	    "ses=4294967295 subj=system_u:system_r:unconfined_service_t:s0 "
	    "op=add_rule key=\"system-locale\" list=4 res=1\x1d"
	    "AUID=\"unset\"\n"
	    "type=SYSCALL msg=audit(1749816863.768:844): arch=c000003e "
	    "syscall=44 success=yes exit=1072 a0=3 a1=7ffde9a3b880 a2=430 a3=0 "
	    "items=0 ppid=7522 pid=7547 auid=4294967295 uid=0 gid=0 euid=0 "
	    "suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 "
	    "comm=\"auditctl\" exe=\"/usr/sbin/auditctl\" "
	    "subj=system_u:system_r:unconfined_service_t:s0 key=(null)\x1d"
	    "ARCH=x86_64 SYSCALL=sendto AUID=\"unset\" UID=\"root\"\n", &g);
	s = by_serial(&g, 844);
	ok(s != NULL && s->kind == ST_EV_CONFIG && s->key != NULL &&
	    strcmp(s->key, "system-locale") == 0, "real CONFIG_CHANGE: its "
	    "key survives the SYSCALL record's key=(null)");
	got_free(&g);

	/* hand-made, from fuzz/crashes/leak-auparse-node-name-0x1d:
	 * libauparse leaks on a node name holding a control byte */
	feed("node=\x1d type=H msg=audit(11:128):t\n"
	    "node=a\tb type=SYSCALL msg=audit(11.000:129): syscall=1\n"
	    "node=ci-1 type=SYSCALL msg=audit(11.000:130): arch=c000003e "
	    "syscall=1 success=yes exit=0 items=0 ppid=1 pid=2\n", &g);
	ok(g.st.malformed == 2 && g.st.malformed_first != NULL &&
	    strstr(g.st.malformed_first, "control byte in node= name") &&
	    by_serial(&g, 130) != NULL, "hand-made node names with control "
	    "bytes: malformed (2), a plain one read");
	got_free(&g);
}

int
main(void)
{
	test_lean();
	test_lean_fed();
	test_lean_left_out();
	test_event_details();
	test_window_bytes();
	test_fuzz_findings();
	test_open_events();
	test_exec_fork_same_tick();
	test_hex_argument();
	test_long_args();
	test_formats();
	test_losses();
	test_vfork();
	test_interleaved();
	test_garbage();
	test_split_event();
	test_order_and_gaps();
	return done_testing();
}
