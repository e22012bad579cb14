/*
 * analyze.c: the pipeline, wired once for every command that analyzes
 * (analyze, and later run): source -> reader -> proctree -> match ->
 * finding.  The report is left to the caller.
 *
 * Recipes are matched when an exec leaves the reader's window, so the
 * process tree already holds the exec's parents and forks; the exec's
 * argv is trimmed only after matching, so recipes see all of it.
 *
 * Two threads: the reader's (files, libauparse, the window) and this one
 * (process tree, steps, recipes, findings), about equal halves of the
 * work on a build's log.  Events cross in batches through a bounded
 * relay, in the order the reader releases them, and each carries what
 * its serial told coverage.c, so the analysis sees exactly what one
 * thread would: STEPTRAIL_THREADS=1 runs both halves in one thread, and
 * tests/cases.sh checks that the reports are the same.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "steptrail.h"

struct pipeline {
	long			 root_pid;
	struct st_analysis	*a;
	struct st_proctree	*tree;
	struct st_steps		*steps;
	struct st_recipes	*rs;
	struct st_findings	*fs;
	struct st_coverage	*cov;
	struct relay		*relay;	/* NULL: one thread */
};

/* ---------------------------------------------------------------- relay */

/*
 * Events per batch, and batches in flight.  A batch amortises the lock
 * and the wake-up over 256 events (one exec each, on a build's log); 16
 * of them let either thread run ahead by a few milliseconds without
 * holding more than 4096 events (a few MiB) between them.
 */
#define RELAY_BATCH	256
#define RELAY_DEPTH	16

struct batch {
	struct batch	*next;
	size_t		 n;
	struct st_event	*v[RELAY_BATCH];
};

struct relay {
	pthread_mutex_t	 mu;
	pthread_cond_t	 nonempty, nonfull;
	struct batch	*head, *tail;	/* full batches, oldest first */
	size_t		 depth;
	bool		 closed;	/* the reader is done */
	struct batch	*fill;		/* the reader's, being filled */
	struct batch	*spare;		/* emptied ones, to reuse */

	struct pipeline	*direct;	/* no second thread: analyse at once */

	/* the reader's thread */
	struct st_analysis *a;
	struct st_reader *r;
	int		 rc;
	char		*cause;
};

/* A batch the analysis is done with: its events freed, here. */
static void
batch_clear(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		st_event_free(b->v[i]);
	b->n = 0;
}

/*
 * The reader's batch goes to the queue (waiting while it is full), and
 * the batches the analysis has done with come back.  Their events are
 * freed in this thread, which made them: glibc frees another thread's
 * block under that thread's arena lock, and the analysing thread freeing
 * every event made the reader wait on its own arena (a sixth of the
 * run's time went to the lock).
 */
static void
relay_publish(struct relay *q)
{
	struct batch *b = q->fill, *back;

	pthread_mutex_lock(&q->mu);
	while (q->depth >= RELAY_DEPTH)
		pthread_cond_wait(&q->nonfull, &q->mu);
	b->next = NULL;
	if (q->tail != NULL)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	q->depth++;
	back = q->spare;
	q->spare = NULL;
	pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->mu);

	/* one to fill next; the others' memory goes back to malloc */
	q->fill = back;
	if (back != NULL) {
		batch_clear(back);
		for (b = back->next; b != NULL; b = back->next) {
			back->next = b->next;
			batch_clear(b);
			free(b);
		}
	}
}

static void	on_event(struct st_event *, void *);

/* The reader's callback: the event goes to the analysing thread (or,
 * when no thread could be made, is analysed here and now). */
static void
relay_put(struct st_event *ev, void *arg)
{
	struct relay *q = arg;

	if (q->direct != NULL) {
		on_event(ev, q->direct);
		st_event_free(ev);
		return;
	}
	if (q->fill == NULL) {
		q->fill = xmalloc(sizeof *q->fill);
		q->fill->n = 0;
	}
	q->fill->v[q->fill->n++] = ev;
	if (q->fill->n == RELAY_BATCH)
		relay_publish(q);
}

/* The next full batch, or NULL when the reader is done and all is taken;
 * done (events and all) goes back to the reader. */
static struct batch *
relay_take(struct relay *q, struct batch *done)
{
	struct batch *b;

	pthread_mutex_lock(&q->mu);
	if (done != NULL) {
		done->next = q->spare;
		q->spare = done;
	}
	while (q->head == NULL && !q->closed)
		pthread_cond_wait(&q->nonempty, &q->mu);
	if ((b = q->head) != NULL) {
		q->head = b->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->depth--;
		pthread_cond_signal(&q->nonfull);
	}
	pthread_mutex_unlock(&q->mu);
	return b;
}

static void	read_source(struct st_analysis *, struct st_reader *, int *,
		    char **);

static void *
relay_reader(void *arg)
{
	struct relay *q = arg;

	read_source(q->a, q->r, &q->rc, &q->cause);
	if (q->fill != NULL && q->fill->n > 0)
		relay_publish(q);
	pthread_mutex_lock(&q->mu);
	q->closed = true;
	pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

static void
relay_free(struct relay *q)
{
	struct batch *b;

	while ((b = q->spare) != NULL) {
		q->spare = b->next;
		batch_clear(b);
		free(b);
	}
	if (q->fill != NULL)
		batch_clear(q->fill);
	free(q->fill);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->nonempty);
	pthread_cond_destroy(&q->nonfull);
}

/* STEPTRAIL_THREADS=1: the reader in this thread (debugging, valgrind,
 * and the tests that compare). */
static bool
one_thread(void)
{
	const char *v = getenv("STEPTRAIL_THREADS");

	return v != NULL && strcmp(v, "1") == 0;
}

static void
on_hit(const struct st_hit *h, void *arg)
{
	struct pipeline *pl = arg;

	st_findings_add(pl->fs, pl->steps, h);
}

/*
 * Ancestors walked to find a run's command: far deeper than any real tree,
 * only a bound on a hostile log's (set_parent refuses cycles already).
 */
#define DESCENT_MAX	100000

/* Is p root, or one of its descendants (node 0: a local run)? */
static bool
descends(const struct st_proc *p, long root)
{
	size_t n = 0;

	for (; p != NULL && n < DESCENT_MAX; p = p->parent, n++)
		if (p->pid == root && p->node == 0)
			return true;
	return false;
}

/*
 * Is ev in --since/--until (since included, until not)?  Counts the events
 * outside (forks too: they are events the window left out).
 */
static bool
in_window(struct st_analysis *a, const struct st_event *ev)
{
	int64_t t;

	/* libauparse passes any seconds through: saturate, never overflow
	 * (the fuzzer's ubsan-window-time-overflow) */
	if (ev->sec > INT64_MAX / 1000 - 1)
		t = INT64_MAX - 1;
	else if (ev->sec < INT64_MIN / 1000 + 1)
		t = INT64_MIN + 1;
	else
		t = (int64_t)ev->sec * 1000 + ev->ms;

	if (t < a->since_ms) {
		a->before_window++;
		return false;
	}
	if (t >= a->until_ms) {
		a->after_window++;
		return false;
	}
	return true;
}

static void
on_event(struct st_event *ev, void *arg)
{
	struct pipeline *pl = arg;
	struct st_proc *p;
	bool inwin;

	if (pl->relay != NULL)		/* the other thread's reader */
		st_reader_cov_apply(pl->cov, ev);

	st_coverage_event(pl->cov, ev);
	p = st_proctree_apply(pl->tree, ev);
	st_steps_apply(pl->steps, pl->tree, p, ev);
	inwin = in_window(pl->a, ev);
	if (pl->a->history != NULL)
		st_history_apply(pl->a->history, p, ev, inwin);
	if (ev->kind == ST_EV_FORK)
		return;
	/* outside the window: the tree learns it (ancestry of what comes
	 * later), no recipe sees it */
	if (!inwin) {
		if (p != NULL && ev->kind == ST_EV_EXEC)
			st_proctree_trim(p);
		return;
	}
	/* a run's own analysis: only what its command did (its private
	 * auditd's start and end are steptrail's own doing) */
	if (pl->root_pid > 0 && (p == NULL || !descends(p, pl->root_pid))) {
		if (p != NULL && ev->kind == ST_EV_EXEC)
			st_proctree_trim(p);
		return;
	}
	st_match_event(pl->rs, pl->tree, p, ev, on_hit, pl);
	if (p != NULL && ev->kind == ST_EV_EXEC)
		st_proctree_trim(p);
}

/* The reader's half: every input, then what the window still holds. */
static void
read_source(struct st_analysis *a, struct st_reader *r, int *rc, char **cause)
{
	*rc = st_source_read(&a->source, r, cause);
	/* events auditd may still be writing wait for the next run, unless
	 * the log has not grown since the last: then they are all there is */
	if (a->checkpoint != NULL &&
	    !st_checkpoint_settled(a->checkpoint, &a->source))
		st_reader_hold(r);
	st_reader_flush(r);
}

/*
 * The reader's thread, with every signal blocked: a signal (run's ^C,
 * a terminal's SIGWINCH) is this thread's to handle, as it was before
 * there were two.
 */
static int
start_reader(struct relay *q, pthread_t *tid)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(tid, NULL, relay_reader, q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

void
st_analysis_init(struct st_analysis *a)
{
	memset(a, 0, sizeof *a);
	st_source_init(&a->source);
	st_steps_init(&a->steps);
	st_findings_init(&a->findings);
	st_coverage_init(&a->coverage);
	a->since_ms = INT64_MIN;
	a->until_ms = INT64_MAX;
}

void
st_analysis_free(struct st_analysis *a)
{
	size_t i;

	st_source_free(&a->source);
	st_findings_free(&a->findings);
	st_coverage_free(&a->coverage);
	st_steps_free(&a->steps);
	free(a->reader.malformed_first);
	for (i = 0; i < a->ngave_up; i++)
		free(a->gave_up[i].name);
	free(a->gave_up);
	if (a->checkpoint != NULL)
		st_checkpoint_free(a->checkpoint);
	free(a->checkpoint);
	free(a->checkpoint_text);
	memset(a, 0, sizeof *a);	/* run and run_argv are the caller's */
}

/*
 * Runs the pipeline over a->source.  Returns -1 with *cause if an input
 * could not be read; the analysis of the others is complete all the same,
 * and a->input_failed says the report is partial.
 */
int
st_analyze(struct st_analysis *a, struct st_recipes *rs, char **cause)
{
	struct pipeline pl = { 0 };
	struct st_reader *r;
	struct relay q;
	struct batch *b = NULL;
	pthread_t tid;
	size_t i;
	int rc;

	pl.tree = st_proctree_new();
	pl.steps = &a->steps;
	pl.root_pid = a->root_pid;
	pl.rs = rs;
	pl.fs = &a->findings;
	pl.cov = &a->coverage;
	pl.a = a;
	if (!one_thread()) {
		memset(&q, 0, sizeof q);
		pthread_mutex_init(&q.mu, NULL);
		pthread_cond_init(&q.nonempty, NULL);
		pthread_cond_init(&q.nonfull, NULL);
		q.a = a;
		pl.relay = &q;
		r = st_reader_new(relay_put, &q);
		st_reader_give(r);
		q.r = r;
	} else {
		r = st_reader_new(on_event, &pl);
		st_reader_set_coverage(r, &a->coverage);
	}
	if (a->checkpoint != NULL) {
		a->source.resume = true;
		if (a->checkpoint->loaded)
			st_checkpoint_apply(a->checkpoint, pl.tree, r, &a->steps,
			    &a->findings, &a->source);
	}
	if (pl.relay != NULL && start_reader(&q, &tid) == 0) {
		while ((b = relay_take(&q, b)) != NULL)
			for (i = 0; i < b->n; i++)
				on_event(b->v[i], &pl);
		pthread_join(tid, NULL);
		rc = q.rc;
		*cause = q.cause;
	} else if (pl.relay != NULL) {	/* no thread to be had: here */
		q.direct = &pl;
		read_source(a, r, &rc, cause);
	} else
		read_source(a, r, &rc, cause);

	a->reader = *st_reader_stats(r);
	if (a->reader.malformed_first != NULL)
		a->reader.malformed_first = xstrdup(a->reader.malformed_first);
	a->tree = *st_proctree_stats(pl.tree);
	a->nrecipes = rs->n;
	a->recipes = rs;
	a->match_errors = rs->match_errors;
	for (i = 0; i < rs->n; i++) {
		if (rs->v[i].gave_up == 0)
			continue;
		a->gave_up = xreallocarray(a->gave_up, a->ngave_up + 1,
		    sizeof *a->gave_up);
		a->gave_up[a->ngave_up].name = xstrdup(rs->v[i].name);
		a->gave_up[a->ngave_up++].n = rs->v[i].gave_up;
	}
	a->input_failed = rc != 0;
	st_steps_finish(&a->steps);
	st_findings_sort(&a->findings);
	if (a->checkpoint != NULL)
		a->checkpoint_text = st_checkpoint_build(pl.tree, r, &a->steps,
		    &a->findings, &a->source, &a->checkpoint_len);

	st_reader_free(r);
	st_proctree_free(pl.tree);
	if (pl.relay != NULL)
		relay_free(&q);
	return rc;
}
