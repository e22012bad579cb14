/*
 * analyze.c: the pipeline, wired once for every command that analyzes
 * (analyze, and later run): source -> reader -> proctree -> match ->
 * finding.  The report is left to the caller.
 *
 * Recipes are matched when an exec leaves the reader's window, so the
 * process tree already holds the exec's parents and forks; the exec's
 * argv is trimmed only after matching, so recipes see all of it.
 */
#include "config.h"

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
};

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
	size_t i;
	int rc;

	pl.tree = st_proctree_new();
	pl.steps = &a->steps;
	pl.root_pid = a->root_pid;
	pl.rs = rs;
	pl.fs = &a->findings;
	pl.cov = &a->coverage;
	pl.a = a;
	r = st_reader_new(on_event, &pl);
	st_reader_set_coverage(r, &a->coverage);
	if (a->checkpoint != NULL) {
		a->source.resume = true;
		if (a->checkpoint->loaded)
			st_checkpoint_apply(a->checkpoint, pl.tree, r, &a->steps,
			    &a->findings, &a->source);
	}
	rc = st_source_read(&a->source, r, cause);
	/* events auditd may still be writing wait for the next run, unless
	 * the log has not grown since the last: then they are all there is */
	if (a->checkpoint != NULL &&
	    !st_checkpoint_settled(a->checkpoint, &a->source))
		st_reader_hold(r);
	st_reader_flush(r);

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
	return rc;
}
