/*
 * history.c: what `steptrail tree` and `steptrail timeline` show, kept as
 * the pipeline runs (analyze.c calls st_history_apply for every event when
 * a command asked for it; `analyze` does not, and keeps nothing of this).
 *
 * The process tree of proctree.c forgets (a trimmed argv, processes idle
 * for a day) and lives only as long as the analysis needs it; this keeps,
 * per process, one line for people: its pid, parent, step, times, the last
 * program it ran.  And, for the timeline, one entry per exec and connect.
 * Strings are escaped when kept (st_format_argv, st_escape): everything
 * here is for display.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "steptrail.h"

/* a command line is kept this long (the JSON report has all of argv) */
#define CMDLINE_KEPT	400
/* parents without a record of their own, entered at once */
#define ANCESTORS_MAX	64

void
st_history_init(struct st_history *h, bool events)
{
	memset(h, 0, sizeof *h);
	h->events = events;
}

void
st_history_free(struct st_history *h)
{
	size_t i;

	for (i = 0; i < h->np; i++) {
		free(h->p[i].exe);
		free(h->p[i].cmdline);
	}
	for (i = 0; i < h->ne; i++) {
		free(h->e[i].exe);
		free(h->e[i].text);
	}
	free(h->p);
	free(h->e);
	st_map_free(&h->byid);
	st_map_free(&h->bypid);
	memset(h, 0, sizeof *h);
}

static char *
escaped(const char *s)
{
	struct st_buf b = { 0 };

	if (s == NULL)
		return NULL;
	st_escape(&b, s, strlen(s));
	return st_buf_steal(&b);
}

static uint64_t
pid_key(unsigned node, int pid)
{
	return (uint64_t)node << 32 | (uint32_t)pid;
}

/* The entry of process p, made on first sight. */
static struct st_hist_proc *
entry(struct st_history *h, const struct st_proc *p,
    const struct st_event *ev)
{
	struct st_hist_proc *x;
	uintptr_t i = (uintptr_t)st_map_get(&h->byid, p->id);

	if (i != 0)
		return &h->p[i - 1];
	h->p = xreallocarray(h->p, h->np + 1, sizeof *h->p);
	x = &h->p[h->np++];
	memset(x, 0, sizeof *x);
	x->id = p->id;
	x->node = p->node;
	x->pid = p->pid;
	x->sec = ev->sec;
	x->ms = ev->ms;
	st_map_put(&h->byid, p->id, (void *)(uintptr_t)h->np);
	/* the processes of a pid, newest first: for st_history_find */
	x->prev_same = (size_t)(uintptr_t)st_map_get(&h->bypid,
	    pid_key(p->node, p->pid));
	st_map_put(&h->bypid, pid_key(p->node, p->pid),
	    (void *)(uintptr_t)h->np);
	return x;
}

static void
add_event(struct st_history *h, const struct st_hist_proc *x,
    const struct st_event *ev, enum st_hist_kind kind, char *text)
{
	struct st_hist_ev *e;

	h->e = xreallocarray(h->e, h->ne + 1, sizeof *h->e);
	e = &h->e[h->ne++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->sec = ev->sec;
	e->ms = ev->ms;
	e->serial = ev->serial;
	e->node = x->node;
	e->pid = x->pid;
	e->ppid = x->ppid;
	e->step = x->step;
	e->exe = x->exe != NULL ? xstrdup(x->exe) : NULL;
	e->text = text;
}

/* One event of process p (NULL: no process), in the window or not. */
void
st_history_apply(struct st_history *h, const struct st_proc *p,
    const struct st_event *ev, bool in_window)
{
	struct st_hist_proc *x, *y;
	const struct st_proc *q;
	struct st_buf b = { 0 };
	size_t n;

	if (p == NULL)
		return;
	/* parents known only by a ppid (started before the log) get their
	 * line too, so that the tree has its real root */
	for (q = p->parent, n = 0; q != NULL && n < ANCESTORS_MAX &&
	    st_history_index(h, q->id) < 0; q = q->parent, n++) {
		y = entry(h, q, ev);
		y->ppid = q->ppid;
		y->parent = q->parent != NULL ? q->parent->id : 0;
		y->sec = q->sec;
		y->ms = q->ms;
		y->last_sec = y->sec;
		y->last_ms = y->ms;
	}
	x = entry(h, p, ev);
	x->ppid = p->ppid;
	x->parent = p->parent != NULL ? p->parent->id : 0;
	x->step = p->step;
	x->last_sec = ev->sec;
	x->last_ms = ev->ms;
	if (in_window)
		x->in_window = true;
	if (ev->kind == ST_EV_EXEC && p->image != NULL) {
		x->nexecs++;
		free(x->exe);
		x->exe = escaped(p->image->exe);
		st_proc_cmdline(p, &b, CMDLINE_KEPT);
		free(x->cmdline);
		x->cmdline = st_buf_steal(&b);
		if (h->events && in_window)
			add_event(h, x, ev, ST_HIST_EXEC,
			    xstrdup(x->cmdline));
	} else if (x->cmdline == NULL && x->exe == NULL) {
		/* a process known before any exec: what it was running */
		x->exe = escaped(p->exe);
		st_proc_cmdline(p, &b, CMDLINE_KEPT);
		if (b.len > 0)
			x->cmdline = st_buf_steal(&b);
		st_buf_free(&b);
	}
	if (h->events && in_window && ev->kind == ST_EV_SYSCALL &&
	    ev->addr != NULL && ev->sysname != NULL &&
	    strcmp(ev->sysname, "connect") == 0) {
		st_escape(&b, ev->addr, strlen(ev->addr));
		if (ev->port >= 0)
			st_buf_addf(&b, " port %d", ev->port);
		if (!ev->success)
			st_buf_adds(&b, " (failed)");
		add_event(h, x, ev, ST_HIST_CONNECT, st_buf_steal(&b));
	}
}

/*
 * The process a finding is about: the newest of that node and pid that
 * began at or before it (pids are reused).  -1 if none.
 */
long
st_history_find(const struct st_history *h, unsigned node, int pid,
    time_t sec, unsigned ms)
{
	size_t i = (size_t)(uintptr_t)st_map_get(&h->bypid,
	    pid_key(node, pid));
	const struct st_hist_proc *x;
	long best;

	for (; i != 0; i = x->prev_same) {
		x = &h->p[i - 1];
		if (x->sec < sec || (x->sec == sec && x->ms <= ms))
			return (long)(i - 1);
	}
	/* all began after it by the clock (records a little out of
	 * order): the oldest of that pid */
	best = -1;
	i = (size_t)(uintptr_t)st_map_get(&h->bypid, pid_key(node, pid));
	for (; i != 0; i = h->p[i - 1].prev_same)
		best = (long)(i - 1);
	return best;
}

/* The index of the process of that id, -1 if not kept. */
long
st_history_index(const struct st_history *h, unsigned long id)
{
	uintptr_t i = (uintptr_t)st_map_get(&h->byid, id);

	return i == 0 ? -1 : (long)(i - 1);
}
