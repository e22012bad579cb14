/*
 * report-json.c: one JSON document with the findings and the statistics of
 * the input, for machines.  docs/json.md is the schema; "schema" in the
 * document is bumped when a field changes meaning or goes away (adding a
 * field does not bump it).
 *
 * Built as one cJSON tree and printed once.  Strings from the log are made
 * valid UTF-8 first (st_utf8_clean): a JSON document must be, and exe or
 * argv bytes need not be.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "steptrail.h"

#define SCHEMA_VERSION 1

static void
add_str(cJSON *o, const char *k, const char *v)
{
	char *clean;

	if (v == NULL) {
		cJSON_AddNullToObject(o, k);
		return;
	}
	clean = st_utf8_clean(v);
	cJSON_AddStringToObject(o, k, clean);
	free(clean);
}

static void
add_num(cJSON *o, const char *k, double v)
{
	cJSON_AddNumberToObject(o, k, v);
}

static void
add_id(cJSON *o, const char *k, uint32_t id)
{
	if (id == UINT32_MAX)
		cJSON_AddNullToObject(o, k);
	else
		add_num(o, k, id);
}

static void
add_time(cJSON *o, const char *k, time_t sec, unsigned ms)
{
	char t[ST_TIME_LEN];

	st_format_time(t, sizeof t, sec, ms);
	cJSON_AddStringToObject(o, k, t);
}

static cJSON *
input_tree(const struct st_analysis *a)
{
	const struct st_reader_stats *r = &a->reader;
	cJSON *in = cJSON_CreateObject(), *files, *f, *gu;
	const struct st_input *x;
	size_t i;

	files = cJSON_AddArrayToObject(in, "files");
	for (i = 0; i < a->source.n; i++) {
		x = &a->source.v[i];
		f = cJSON_CreateObject();
		add_str(f, "name", x->name);
		add_num(f, "bytes", (double)x->bytes);
		add_num(f, "lines", x->lines);
		add_str(f, "compressed", x->decompressor);
		add_str(f, "error", x->error);
		cJSON_AddItemToArray(files, f);
	}
	add_num(in, "lines", r->lines);
	add_num(in, "records", r->records);
	add_num(in, "events", r->events);
	add_num(in, "malformed", r->malformed);
	add_str(in, "malformed_first", r->malformed_first);
	add_num(in, "processes", a->tree.processes);
	add_num(in, "execs", r->execs);
	add_num(in, "execs_failed", r->execs_failed);
	add_num(in, "forks", r->forks);
	add_num(in, "serial_missing", r->serial_missing);
	add_num(in, "serial_gaps", r->serial_gaps);
	add_num(in, "serial_resets", r->serial_resets);
	add_num(in, "argv_truncated", r->argv_truncated);
	add_num(in, "parts_merged", r->parts_merged);
	add_num(in, "late", r->late);
	add_num(in, "duplicates", r->duplicates);
	add_num(in, "clock_steps", r->clock_steps);
	if (a->checkpoint != NULL) {
		cJSON_AddBoolToObject(in, "checkpoint_resumed",
		    a->checkpoint->loaded);
		add_num(in, "reread", r->reread);
		add_num(in, "held", r->held);
	}
	add_num(in, "incomplete", r->incomplete);
	add_num(in, "records_missing", r->records_missing);
	add_num(in, "pid_reuse", a->tree.pid_reuse);
	add_num(in, "forgotten", a->tree.evicted);
	add_num(in, "forgotten_full", a->tree.evicted_full);
	add_num(in, "recipes", (double)a->nrecipes);
	add_num(in, "match_errors", a->match_errors);
	gu = cJSON_AddObjectToObject(in, "gave_up");
	for (i = 0; i < a->ngave_up; i++)
		add_num(gu, a->gave_up[i].name, a->gave_up[i].n);
	cJSON_AddBoolToObject(in, "complete", !a->input_failed);
	if (a->since_ms != INT64_MIN || a->until_ms != INT64_MAX) {
		cJSON *w = cJSON_AddObjectToObject(in, "window");

		if (a->since_ms != INT64_MIN)
			add_time(w, "since", (time_t)(a->since_ms / 1000),
			    (unsigned)(a->since_ms % 1000));
		else
			cJSON_AddNullToObject(w, "since");
		if (a->until_ms != INT64_MAX)
			add_time(w, "until", (time_t)(a->until_ms / 1000),
			    (unsigned)(a->until_ms % 1000));
		else
			cJSON_AddNullToObject(w, "until");
		add_num(w, "before", a->before_window);
		add_num(w, "after", a->after_window);
	} else
		cJSON_AddNullToObject(in, "window");
	return in;
}

static cJSON *
programs_tree(const struct st_ancestor *v, size_t n)
{
	cJSON *arr = cJSON_CreateArray(), *x;
	size_t i;

	for (i = 0; i < n; i++) {
		x = cJSON_CreateObject();
		add_num(x, "pid", v[i].pid);
		add_str(x, "exe", v[i].exe);
		add_str(x, "cmdline", v[i].cmdline);
		add_num(x, "serial", v[i].serial);
		cJSON_AddBoolToObject(x, "seen", v[i].seen);
		cJSON_AddBoolToObject(x, "forked", v[i].forked);
		cJSON_AddItemToArray(arr, x);
	}
	return arr;
}

static cJSON *
severity_tree(const unsigned long *by)
{
	cJSON *o = cJSON_CreateObject();
	int s;

	for (s = ST_SEV_CRITICAL; s >= ST_SEV_LOW; s--)
		add_num(o, st_severity_name((enum st_severity)s), by[s]);
	return o;
}

static cJSON *
steps_tree(const struct st_steps *ss)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	const struct st_step *s;
	size_t i;

	for (i = 0; i < ss->n; i++) {
		s = ss->v[i];
		o = cJSON_CreateObject();
		add_num(o, "number", s->number);
		add_str(o, "name", s->name);
		add_str(o, "derived_name", s->derived);
		add_str(o, "kind", st_step_kind_name(s->kind));
		add_str(o, "detail", s->detail);
		add_num(o, "pid", s->pid);
		add_str(o, "node", st_node_name(s->node));
		add_time(o, "start", s->sec, s->ms);
		add_time(o, "last_seen", s->last_sec, s->last_ms);
		add_num(o, "processes", s->processes);
		add_num(o, "execs", s->execs);
		add_num(o, "processes_by_time", s->by_time);
		cJSON_AddItemToObject(o, "findings",
		    severity_tree(s->by_severity));
		if (s->listed > 0) {
			add_num(o, "listed_number", s->listed);
			add_str(o, "named_by", s->named_by);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *
coverage_tree(const struct st_coverage *c)
{
	cJSON *o = cJSON_CreateObject(), *arr, *x;
	const struct st_blind *b;
	size_t i;

	if (c->any) {
		add_time(o, "first_time", c->first_sec, c->first_ms);
		add_time(o, "last_time", c->last_sec, c->last_ms);
	} else {
		cJSON_AddNullToObject(o, "first_time");
		cJSON_AddNullToObject(o, "last_time");
	}
	arr = cJSON_AddArrayToObject(o, "blind");
	for (i = 0; i < c->n; i++) {
		b = &c->v[i];
		x = cJSON_CreateObject();
		add_str(x, "kind", st_blind_kind_name(b->kind));
		add_str(x, "node", st_node_name(b->node));
		add_time(x, "from", b->from_sec, b->from_ms);
		if (b->open || b->kind == ST_BLIND_RULES)
			cJSON_AddNullToObject(x, "to");
		else
			add_time(x, "to", b->to_sec, b->to_ms);
		add_num(x, "from_serial", b->from_serial);
		if (b->open || b->kind == ST_BLIND_RULES)
			cJSON_AddNullToObject(x, "to_serial");
		else
			add_num(x, "to_serial", b->to_serial);
		if (b->kind == ST_BLIND_GAP)
			add_num(x, "missing", b->missing);
		if (b->kind == ST_BLIND_RULES)
			add_num(x, "rules", b->count);
		if (b->what != NULL)
			add_str(x, "what", b->what);
		cJSON_AddItemToArray(arr, x);
	}
	add_num(o, "more", c->more);
	return o;
}

cJSON *
st_report_json_ci(const struct st_ci *ci)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "system", ci->system);
	add_str(o, "repository", ci->repository);
	add_str(o, "commit", ci->commit);
	add_str(o, "ref", ci->ref);
	add_str(o, "workflow", ci->workflow);
	add_str(o, "job", ci->job);
	add_str(o, "run", ci->run);
	add_str(o, "url", ci->url);
	return o;
}

cJSON *
st_report_json_finding(const struct st_finding *fd)
{
	cJSON *o = cJSON_CreateObject(), *arr, *st, *ev;
	const char *s, *e;
	char *clean, *name;
	size_t i;

	add_str(o, "recipe", fd->recipe->name);
	add_str(o, "description", fd->recipe->description);
	add_str(o, "severity", st_severity_name(fd->severity));
	add_str(o, "technique", fd->recipe->technique);
	add_str(o, "tactic", fd->recipe->tactic);
	add_str(o, "reason", fd->reason);
	add_str(o, "on", st_on_name(fd->recipe->on));
	add_str(o, "once", st_once_name(fd->recipe->once));
	if (fd->syscall != NULL || fd->type != NULL) {
		ev = cJSON_AddObjectToObject(o, "event");
		add_str(ev, "type", fd->type != NULL ? fd->type : "SYSCALL");
		add_str(ev, "syscall", fd->syscall);
		add_str(ev, "addr", fd->addr);
		if (fd->port >= 0)
			add_num(ev, "port", fd->port);
		else
			cJSON_AddNullToObject(ev, "port");
		add_str(ev, "file", fd->file);
		add_str(ev, "op", fd->op);
		if (fd->enabled >= 0)
			add_num(ev, "audit_enabled", fd->enabled);
		if (fd->target != NULL) {
			arr = programs_tree(fd->target, 1);
			cJSON_AddItemToObject(ev, "target",
			    cJSON_DetachItemFromArray(arr, 0));
			cJSON_Delete(arr);
		} else
			cJSON_AddNullToObject(ev, "target");
	} else
		cJSON_AddNullToObject(o, "event");
	if (fd->step != NULL) {
		st = cJSON_AddObjectToObject(o, "step");
		add_num(st, "number", fd->step->number);
		add_str(st, "name", fd->step->name);
		add_str(st, "attribution", st_attrib_name(fd->step_by));
	} else
		cJSON_AddNullToObject(o, "step");
	arr = cJSON_AddArrayToObject(o, "matched");
	for (s = fd->matched; *s != '\0'; s = *e ? e + 2 : e) {
		e = strstr(s, ", ");
		if (e == NULL)
			e = s + strlen(s);
		name = xstrndup(s, (size_t)(e - s));
		cJSON_AddItemToArray(arr, cJSON_CreateString(name));
		free(name);
	}
	add_time(o, "time", fd->sec, fd->ms);
	add_time(o, "last_time", fd->last_sec, fd->last_ms);
	add_num(o, "count", fd->count);
	add_str(o, "node", st_node_name(fd->node));
	add_num(o, "pid", fd->pid);
	add_num(o, "ppid", fd->ppid);
	add_id(o, "uid", fd->uid);
	add_id(o, "euid", fd->euid);
	add_id(o, "auid", fd->auid);
	add_str(o, "exe", fd->exe);
	add_str(o, "file", fd->path);	/* null: its PATH record was lost */
	arr = cJSON_AddArrayToObject(o, "argv");
	for (i = 0; i < fd->argc; i++) {
		clean = st_utf8_clean(fd->argv[i]);
		cJSON_AddItemToArray(arr, cJSON_CreateString(clean));
		free(clean);
	}
	cJSON_AddBoolToObject(o, "argv_truncated", fd->argv_truncated);
	cJSON_AddBoolToObject(o, "incomplete", fd->incomplete);
	add_str(o, "cwd", fd->cwd);
	cJSON_AddItemToObject(o, "earlier", programs_tree(fd->earlier,
	    fd->nearlier));
	cJSON_AddItemToObject(o, "ancestry", programs_tree(fd->anc, fd->nanc));
	cJSON_AddBoolToObject(o, "ancestry_cut", fd->anc_cut);
	arr = cJSON_AddArrayToObject(o, "serials");
	for (i = 0; i < fd->nevidence; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber(fd->evidence[i]));
	return o;
}

/*
 * Everything but the findings: summary, command, ci, input, steps and
 * outside_steps, added to root (SARIF keeps them in its run's properties).
 */
void
st_report_json_stats(cJSON *root, const struct st_analysis *a)
{
	const struct st_findings *fs = &a->findings;
	cJSON *sum, *sev;
	unsigned long total = 0;
	int s;

	sum = cJSON_AddObjectToObject(root, "summary");
	sev = cJSON_CreateObject();
	for (s = ST_SEV_CRITICAL; s >= ST_SEV_LOW; s--) {
		total += fs->by_severity[s];
		add_num(sev, st_severity_name((enum st_severity)s),
		    fs->by_severity[s]);
	}
	add_num(sum, "findings", total);
	cJSON_AddItemToObject(sum, "by_severity", sev);
	add_str(sum, "max_severity", st_findings_max(fs) == ST_SEV_NONE ?
	    NULL : st_severity_name(st_findings_max(fs)));
	add_num(sum, "listed", (double)fs->n);
	add_num(sum, "dropped", fs->dropped);
	if (a->checkpoint != NULL)
		add_num(sum, "repeated", fs->repeated);
	if (a->run != NULL) {
		cJSON *cmd = cJSON_AddObjectToObject(root, "command"), *argv;
		char *const *p;

		argv = cJSON_AddArrayToObject(cmd, "argv");
		for (p = a->run_argv; *p != NULL; p++) {
			char *clean = st_utf8_clean(*p);

			cJSON_AddItemToArray(argv, cJSON_CreateString(clean));
			free(clean);
		}
		add_num(cmd, "pid", a->run->pid);
		add_num(cmd, "exit_status", a->run->status);
		cJSON_AddBoolToObject(cmd, "private_daemon",
		    a->run->private_daemon);
		add_str(cmd, "notes", a->run->notes);
	}
	if (a->ci != NULL)
		cJSON_AddItemToObject(root, "ci", st_report_json_ci(a->ci));
	cJSON_AddItemToObject(root, "input", input_tree(a));
	cJSON_AddItemToObject(root, "coverage", coverage_tree(&a->coverage));
	cJSON_AddItemToObject(root, "steps", steps_tree(&a->steps));
	sev = cJSON_AddObjectToObject(root, "outside_steps");
	add_num(sev, "processes", a->steps.outside_processes);
	add_num(sev, "execs", a->steps.outside_execs);
	cJSON_AddItemToObject(sev, "findings",
	    severity_tree(a->steps.outside_by_severity));
}

cJSON *
st_report_json_tree(const struct st_analysis *a)
{
	const struct st_findings *fs = &a->findings;
	cJSON *root = cJSON_CreateObject(), *arr;
	size_t i;

	cJSON_AddStringToObject(root, "steptrail", PACKAGE_VERSION);
	add_num(root, "schema", SCHEMA_VERSION);
	st_report_json_stats(root, a);
	arr = cJSON_AddArrayToObject(root, "findings");
	for (i = 0; i < fs->n; i++)
		cJSON_AddItemToArray(arr, st_report_json_finding(fs->v[i]));
	return root;
}

int
st_report_json(FILE *f, const struct st_analysis *a, char **cause)
{
	return st_report_json_emit(f, st_report_json_tree(a), true, cause);
}
