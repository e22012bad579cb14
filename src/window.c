/*
 * window.c: a short holding area between libauparse and the process tree.
 *
 * Two things go wrong if events are used in the order libauparse completes
 * them.  First, it yields an event in parts when one of its records comes
 * late; the parts must be merged, and they share (node, time, serial).
 * Second, causes can be logged after their effects.  The kernel stamps an
 * event's time when the syscall enters and numbers it (serial) when its
 * first record is written, at exit; a vfork parent's syscall returns only
 * after its child has exec'd, so the child's exec carries the lower serial,
 * and a subshell's child can be logged before the fork that made the
 * subshell.  The process tree must see a process created before it acts.
 *
 * So events wait in a binary min-heap keyed by (time, serial), indexed by
 * (node, time, serial) for merging and by (node, child pid) for forks, and
 * leave when the window is full (or at the end of the input).  Within one
 * process that order is exact (its syscalls are sequential).  Across
 * processes one rule is enforced: before an event of pid P leaves, a
 * pending fork that created P (not later in time) leaves first, and the
 * fork that created its parent before that.  The window is bounded by a
 * count, not by time: libauparse splits an event precisely when its late
 * record arrives after an event more than 2 s newer, and a time bound would
 * already have let the first part go.  It is bounded by bytes too: a
 * window of execs with 2 MiB argument lists would hold gigabytes.
 */
#include "config.h"

#include <stdlib.h>

#include "steptrail.h"

/* A creating fork's ancestors are released first, at most this deep. */
#define CHAIN_DEPTH	64

/*
 * A heap slot holds the event's order key beside the pointer: sifting
 * compares keys in one array instead of reading a scattered event (a
 * cache miss each) at every level.
 */
struct slot {
	time_t		 sec;
	unsigned	 ms;
	unsigned long	 serial;
	struct st_event	*ev;
};

struct st_window {
	struct slot	 *heap;
	size_t		  len;
	size_t		  cap;
	struct st_map	  byid;		/* (node, time, serial) -> event */
	struct st_map	  bychild;	/* (node, child pid) -> fork event */
	size_t		  max_events;
	size_t		  bytes;	/* record text of the events held */
	size_t		  max_bytes;
};

struct st_window *
st_window_new(size_t max_events, size_t max_bytes)
{
	struct st_window *w = xcalloc(1, sizeof *w);

	w->max_events = max_events;
	w->max_bytes = max_bytes;
	return w;
}

void
st_window_free(struct st_window *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->len; i++)
		st_event_free(w->heap[i].ev);
	free(w->heap);
	st_map_free(&w->byid);
	st_map_free(&w->bychild);
	free(w);
}

size_t
st_window_len(const struct st_window *w)
{
	return w->len;
}

/* A 64-bit mix (splitmix64's finaliser): the ids below are map keys,
 * made for every event added, looked up and released. */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t
event_id(unsigned node, time_t sec, unsigned ms, unsigned long serial)
{
	return mix(mix(mix((uint64_t)node * 0x9e3779b97f4a7c15ULL ^
	    (uint64_t)sec) ^ ms) ^ serial);
}

static bool
same_event(const struct st_event *ev, unsigned node, time_t sec, unsigned ms,
    unsigned long serial)
{
	return ev->node == node && ev->sec == sec && ev->ms == ms &&
	    ev->serial == serial;
}

static uint64_t
child_id(unsigned node, long long pid)
{
	return mix(mix((uint64_t)node + 0x632be59bd9b4e019ULL) ^
	    (uint64_t)pid);
}

static bool
later(const struct st_event *a, const struct st_event *b)
{
	return a->sec != b->sec ? a->sec > b->sec : a->ms > b->ms;
}

/* true if a must leave before b: by time, then serial */
static bool
slot_before(const struct slot *a, const struct slot *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec;
	if (a->ms != b->ms)
		return a->ms < b->ms;
	return a->serial < b->serial;
}

static bool
before(const struct st_event *a, const struct st_event *b)
{
	const struct slot sa = { a->sec, a->ms, a->serial, NULL },
	    sb = { b->sec, b->ms, b->serial, NULL };

	return slot_before(&sa, &sb);
}

static void
place(struct st_window *w, size_t i, const struct slot *sl)
{
	w->heap[i] = *sl;
	sl->ev->win_pos = i;
}

static void
sift_up(struct st_window *w, size_t i)
{
	struct slot sl = w->heap[i];
	size_t parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (!slot_before(&sl, &w->heap[parent]))
			break;
		place(w, i, &w->heap[parent]);
		i = parent;
	}
	place(w, i, &sl);
}

static void
sift_down(struct st_window *w, size_t i)
{
	struct slot sl = w->heap[i];
	size_t child;

	for (;;) {
		child = 2 * i + 1;
		if (child >= w->len)
			break;
		if (child + 1 < w->len &&
		    slot_before(&w->heap[child + 1], &w->heap[child]))
			child++;
		if (!slot_before(&w->heap[child], &sl))
			break;
		place(w, i, &w->heap[child]);
		i = child;
	}
	place(w, i, &sl);
}

struct st_event *
st_window_find(struct st_window *w, unsigned node, time_t sec, unsigned ms,
    unsigned long serial)
{
	struct st_event *ev;

	ev = st_map_get(&w->byid, event_id(node, sec, ms, serial));
	if (ev == NULL || !same_event(ev, node, sec, ms, serial))
		return NULL;
	return ev;
}

static void
unindex_fork(struct st_window *w, struct st_event *ev)
{
	if (ev->win_forked && st_map_get(&w->bychild, ev->win_child) == ev)
		st_map_del(&w->bychild, ev->win_child);
	ev->win_forked = false;
}

/*
 * The earliest pending fork that created each pid is indexed.  A merged
 * part can change what an event is (a CONFIG_CHANGE record outranks a
 * fork) or whom it created (a second SYSCALL record): the key it was
 * indexed under is kept with it, so that it is always unindexed.
 */
static void
index_fork(struct st_window *w, struct st_event *ev)
{
	struct st_event *f;
	uint64_t k;

	unindex_fork(w, ev);
	if (ev->kind != ST_EV_FORK)
		return;
	k = child_id(ev->node, ev->exit);
	f = st_map_get(&w->bychild, k);
	if (f == NULL || before(ev, f)) {
		st_map_put(&w->bychild, k, ev);
		ev->win_forked = true;
		ev->win_child = k;
		if (f != NULL)
			f->win_forked = false;
	}
}

/*
 * The fork, still waiting, that created ev's process, if it is not later
 * than ev: it must leave first.
 */
static struct st_event *
creator(struct st_window *w, const struct st_event *ev)
{
	struct st_event *f;

	if (ev->pid <= 0)
		return NULL;
	f = st_map_get(&w->bychild, child_id(ev->node, ev->pid));
	if (f == NULL || f == ev || f->node != ev->node ||
	    f->exit != ev->pid || later(f, ev))
		return NULL;
	return f;
}

/* Takes the event at heap position i out of the heap. */
static void
heap_remove(struct st_window *w, size_t i)
{
	struct st_event *last;

	if (--w->len == i)
		return;
	last = w->heap[w->len].ev;
	place(w, i, &w->heap[w->len]);
	sift_up(w, i);
	sift_down(w, last->win_pos);
}

void
st_window_add(struct st_window *w, struct st_event *ev)
{
	uint64_t id = event_id(ev->node, ev->sec, ev->ms, ev->serial);
	struct slot sl;

	if (w->len == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		w->heap = xreallocarray(w->heap, w->cap, sizeof *w->heap);
	}
	sl.sec = ev->sec;
	sl.ms = ev->ms;
	sl.serial = ev->serial;
	sl.ev = ev;
	place(w, w->len++, &sl);
	sift_up(w, ev->win_pos);
	w->bytes += ev->bytes;
	ev->win_bytes = ev->bytes;
	/* On a hash collision the older event keeps the slot: it cannot
	 * take later parts of the new one, which then arrive unmerged. */
	if (st_map_get(&w->byid, id) == NULL)
		st_map_put(&w->byid, id, ev);
	index_fork(w, ev);
}

/* A merged part may have brought the SYSCALL record: a fork now. */
void
st_window_rekey(struct st_window *w, struct st_event *ev)
{
	w->bytes += ev->bytes - ev->win_bytes;
	ev->win_bytes = ev->bytes;
	index_fork(w, ev);
}

struct st_event *
st_window_pop(struct st_window *w, bool all)
{
	struct st_event *ev, *f;
	uint64_t id;
	int depth;

	if (w->len == 0)
		return NULL;
	if (!all && w->len <= w->max_events && w->bytes <= w->max_bytes)
		return NULL;
	ev = w->heap[0].ev;
	for (depth = 0; depth < CHAIN_DEPTH; depth++) {
		if ((f = creator(w, ev)) == NULL)
			break;
		ev = f;
	}
	heap_remove(w, ev->win_pos);
	w->bytes -= ev->win_bytes;
	id = event_id(ev->node, ev->sec, ev->ms, ev->serial);
	if (st_map_get(&w->byid, id) == ev)
		st_map_del(&w->byid, id);
	unindex_fork(w, ev);
	return ev;
}
