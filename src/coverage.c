/*
 * coverage.c: what the analysis could not see, as spans of time.
 *
 * A report that says "no findings" must also say whether it was looking:
 *
 *   - gaps in the serial numbers of a node (events the kernel stamped and
 *     the log never got: a full backlog, a rate limit, a filter), with the
 *     serials and times that bound each, from the reader (reader.c tells
 *     when a gap opens and when a late event fills part of it);
 *   - audit turned off (CONFIG_CHANGE audit_enabled=0) until it was turned
 *     on again, or to the end of the log;
 *   - the audit daemon stopped or aborted (DAEMON_END, DAEMON_ABORT) until
 *     it started again (DAEMON_START), or to the end of the log;
 *   - audit rules removed (CONFIG_CHANGE op=remove_rule): from then on,
 *     what those rules caught is not recorded.
 *
 * The tampering itself is also a finding (recipes audit_disabled,
 * auditd_stopped, audit_rules_changed): here it is what it cost.  At most
 * ST_BLIND_MAX spans are kept (a log of a million gaps must not grow the
 * report without bound); the rest are counted.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libaudit.h>

#include "steptrail.h"

void
st_coverage_init(struct st_coverage *c)
{
	memset(c, 0, sizeof *c);
}

void
st_coverage_free(struct st_coverage *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].what);
	free(c->v);
	memset(c, 0, sizeof *c);
}

static struct st_blind *
add(struct st_coverage *c, enum st_blind_kind kind, unsigned node,
    time_t sec, unsigned ms, unsigned long serial)
{
	struct st_blind *b;

	if (c->n >= ST_BLIND_MAX) {
		c->more++;
		return NULL;
	}
	c->v = xreallocarray(c->v, c->n + 1, sizeof *c->v);
	b = &c->v[c->n++];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	b->node = node;
	b->from_sec = sec;
	b->from_ms = ms;
	b->from_serial = serial;
	b->open = true;
	return b;
}

/* The newest span of that kind still open on that node, or NULL. */
static struct st_blind *
open_span(struct st_coverage *c, enum st_blind_kind kind, unsigned node)
{
	size_t i;

	for (i = c->n; i-- > 0;)
		if (c->v[i].kind == kind && c->v[i].node == node &&
		    c->v[i].open)
			return &c->v[i];
	return NULL;
}

static void
close_span(struct st_blind *b, const struct st_event *ev)
{
	b->open = false;
	b->to_sec = ev->sec;
	b->to_ms = ev->ms;
	b->to_serial = ev->serial;
}

/* A gap: serials after lo and before hi never seen, missing of them. */
void
st_coverage_gap(struct st_coverage *c, unsigned node, unsigned long lo,
    time_t lo_sec, unsigned lo_ms, unsigned long hi, time_t hi_sec,
    unsigned hi_ms, unsigned long missing)
{
	struct st_blind *b;

	if ((b = add(c, ST_BLIND_GAP, node, lo_sec, lo_ms, lo)) == NULL)
		return;
	b->open = false;
	b->to_sec = hi_sec;
	b->to_ms = hi_ms;
	b->to_serial = hi;
	b->missing = missing;
}

/*
 * A late event filled serial s: the gap around it misses one fewer, and
 * goes when none is missing.  Fills come within the reader's ring of the
 * newest serial, so the gap is among the last ones: searched from the end.
 */
void
st_coverage_fill(struct st_coverage *c, unsigned node, unsigned long s)
{
	struct st_blind *b;
	size_t i;

	for (i = c->n; i-- > 0;) {
		b = &c->v[i];
		if (b->kind != ST_BLIND_GAP || b->node != node ||
		    (int32_t)((uint32_t)s - (uint32_t)b->from_serial) <= 0 ||
		    (int32_t)((uint32_t)b->to_serial - (uint32_t)s) <= 0)
			continue;
		if (--b->missing == 0) {
			memmove(b, b + 1, (c->n - i - 1) * sizeof *b);
			c->n--;
		}
		return;
	}
}

/* Rules removed: one span per second and node, the keys listed. */
static void
rule_removed(struct st_coverage *c, const struct st_event *ev)
{
	struct st_blind *b = open_span(c, ST_BLIND_RULES, ev->node);
	const char *key = ev->key != NULL ? ev->key : "(no key)";

	if (b == NULL || ev->sec > b->from_sec + 1) {
		if (b != NULL)
			b->open = false;	/* one span per burst */
		if ((b = add(c, ST_BLIND_RULES, ev->node, ev->sec, ev->ms,
		    ev->serial)) == NULL)
			return;
	}
	b->count++;
	if (b->what == NULL)
		b->what = xstrdup(key);
	else if (strlen(b->what) < 200 && strstr(b->what, key) == NULL) {
		char *w = xasprintf("%s, %s", b->what, key);

		free(b->what);
		b->what = w;
	}
}

/* Every event, in the order the reader releases them. */
void
st_coverage_event(struct st_coverage *c, const struct st_event *ev)
{
	struct st_blind *b;

	if (ev->sec != 0) {
		if (!c->any || ev->sec < c->first_sec ||
		    (ev->sec == c->first_sec && ev->ms < c->first_ms)) {
			c->first_sec = ev->sec;
			c->first_ms = ev->ms;
		}
		if (!c->any || ev->sec > c->last_sec ||
		    (ev->sec == c->last_sec && ev->ms > c->last_ms)) {
			c->last_sec = ev->sec;
			c->last_ms = ev->ms;
		}
		c->any = true;
	}
	switch (ev->kind) {
	case ST_EV_CONFIG:
		if (ev->enabled == 0) {
			if (open_span(c, ST_BLIND_OFF, ev->node) == NULL)
				add(c, ST_BLIND_OFF, ev->node, ev->sec, ev->ms,
				    ev->serial);
		} else if (ev->enabled > 0) {
			if ((b = open_span(c, ST_BLIND_OFF, ev->node)) != NULL)
				close_span(b, ev);
		}
		if (ev->op != NULL && strcmp(ev->op, "remove_rule") == 0)
			rule_removed(c, ev);
		break;
	case ST_EV_DAEMON:
		if (ev->first_type == AUDIT_DAEMON_END ||
		    ev->first_type == AUDIT_DAEMON_ABORT) {
			if (open_span(c, ST_BLIND_DAEMON, ev->node) == NULL &&
			    (b = add(c, ST_BLIND_DAEMON, ev->node, ev->sec,
			    ev->ms, ev->serial)) != NULL)
				b->what = xstrdup(ev->first_type ==
				    AUDIT_DAEMON_END ? "DAEMON_END" :
				    "DAEMON_ABORT");
		} else if (ev->first_type == AUDIT_DAEMON_START &&
		    (b = open_span(c, ST_BLIND_DAEMON, ev->node)) != NULL)
			close_span(b, ev);
		break;
	default:
		break;
	}
}

const char *
st_blind_kind_name(enum st_blind_kind k)
{
	static const char *const names[] = {
		[ST_BLIND_GAP] = "events_missing",
		[ST_BLIND_OFF] = "audit_disabled",
		[ST_BLIND_DAEMON] = "daemon_stopped",
		[ST_BLIND_RULES] = "rules_removed",
	};

	return names[k];
}
