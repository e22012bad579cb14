/*
 * window.c: a short holding area between libauparse and the process tree.
 *
 * Two things go wrong if events are used in the order libauparse completes
 * them.  First, it yields an event in parts when one of its records comes
 * late; the parts must be merged, and they share (node, time, serial).
 * Second, the kernel writes records when a syscall *returns*: a vfork
 * parent returns only after its child has exec'd, so the child's exec is
 * logged first and would be seen with an unknown parent.  The timestamp,
 * though, is taken when the syscall *enters*, so ordering by time puts the
 * fork first, and at equal times (the clock ticks every 1-4 ms) ordering
 * forks before everything else does the same.
 *
 * So events wait in a binary min-heap keyed by (sec, ms, fork-first,
 * serial), indexed by a map for merging, and leave when the window is full
 * (or at the end of the input).  The window is bounded by a count, not by
 * time: libauparse splits an event precisely when its late record arrives
 * after an event more than 2 s newer, and a time bound would already have
 * let the first part go.
 */
#include "config.h"

#include <stdlib.h>

#include "steptrail.h"

struct st_window {
	struct st_event	**heap;
	size_t		  len;
	size_t		  cap;
	struct st_map	  byid;
	size_t		  max_events;
};

struct st_window *
st_window_new(size_t max_events)
{
	struct st_window *w = xcalloc(1, sizeof *w);

	w->max_events = max_events;
	return w;
}

void
st_window_free(struct st_window *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->len; i++)
		st_event_free(w->heap[i]);
	free(w->heap);
	st_map_free(&w->byid);
	free(w);
}

size_t
st_window_len(const struct st_window *w)
{
	return w->len;
}

static uint64_t
event_id(unsigned node, time_t sec, unsigned ms, unsigned long serial)
{
	uint64_t k[4] = { node, (uint64_t)sec, ms, serial };

	return st_hash64(k, sizeof k);
}

static bool
same_event(const struct st_event *ev, unsigned node, time_t sec, unsigned ms,
    unsigned long serial)
{
	return ev->node == node && ev->sec == sec && ev->ms == ms &&
	    ev->serial == serial;
}

/* true if a must leave before b */
static bool
before(const struct st_event *a, const struct st_event *b)
{
	int ra = a->kind == ST_EV_FORK ? 0 : 1;
	int rb = b->kind == ST_EV_FORK ? 0 : 1;

	if (a->sec != b->sec)
		return a->sec < b->sec;
	if (a->ms != b->ms)
		return a->ms < b->ms;
	if (ra != rb)
		return ra < rb;
	return a->serial < b->serial;
}

static void
place(struct st_window *w, size_t i, struct st_event *ev)
{
	w->heap[i] = ev;
	ev->win_pos = i;
}

static void
sift_up(struct st_window *w, size_t i)
{
	struct st_event *ev = w->heap[i];
	size_t parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (!before(ev, w->heap[parent]))
			break;
		place(w, i, w->heap[parent]);
		i = parent;
	}
	place(w, i, ev);
}

static void
sift_down(struct st_window *w, size_t i)
{
	struct st_event *ev = w->heap[i];
	size_t child;

	for (;;) {
		child = 2 * i + 1;
		if (child >= w->len)
			break;
		if (child + 1 < w->len &&
		    before(w->heap[child + 1], w->heap[child]))
			child++;
		if (!before(w->heap[child], ev))
			break;
		place(w, i, w->heap[child]);
		i = child;
	}
	place(w, i, ev);
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

void
st_window_add(struct st_window *w, struct st_event *ev)
{
	uint64_t id = event_id(ev->node, ev->sec, ev->ms, ev->serial);

	if (w->len == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		w->heap = xreallocarray(w->heap, w->cap, sizeof *w->heap);
	}
	place(w, w->len++, ev);
	sift_up(w, ev->win_pos);
	/* On a hash collision the older event keeps the slot: it cannot
	 * take later parts of the new one, which then arrive unmerged. */
	if (st_map_get(&w->byid, id) == NULL)
		st_map_put(&w->byid, id, ev);
}

/* A merged part may have changed the event's kind, hence its order. */
void
st_window_rekey(struct st_window *w, struct st_event *ev)
{
	sift_up(w, ev->win_pos);
	sift_down(w, ev->win_pos);
}

struct st_event *
st_window_pop(struct st_window *w, bool all)
{
	struct st_event *ev;
	uint64_t id;

	if (w->len == 0)
		return NULL;
	if (!all && w->len <= w->max_events)
		return NULL;
	ev = w->heap[0];
	if (--w->len > 0) {
		place(w, 0, w->heap[w->len]);
		sift_down(w, 0);
	}
	id = event_id(ev->node, ev->sec, ev->ms, ev->serial);
	if (st_map_get(&w->byid, id) == ev)
		st_map_del(&w->byid, id);
	return ev;
}
