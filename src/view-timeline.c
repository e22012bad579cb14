/*
 * view-timeline.c: `steptrail timeline`, one line per exec, connect and
 * finding, in time order (or grouped by step or by node, in time order
 * within), as text, CSV or JSON: for a responder's spreadsheet.
 *
 * CSV is RFC 4180 (fields quoted, quotes doubled), and a field that a
 * spreadsheet would take for a formula (=, +, -, @, tab, CR first) gets a
 * leading ': an attacker's argv "=HYPERLINK(...)" must stay text when the
 * responder opens the file.  Command lines were escaped when kept.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "steptrail.h"

struct row {
	time_t		 sec;
	unsigned	 ms;
	unsigned long	 serial;
	unsigned	 node;
	int		 pid, ppid;
	const struct st_step *step;
	const char	*kind;		/* exec, connect, finding */
	const char	*exe;
	const char	*what;		/* command line, peer, recipe */
	const char	*severity;	/* findings only */
	char		*own;		/* what, when made here */
	size_t		 order;		/* stable among equals */
};

static enum st_view_by sort_by;

static int
cmp_row(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	unsigned sa, sb;

	if (sort_by == ST_BY_STEP) {
		sa = a->step != NULL ? a->step->number : UINT32_MAX;
		sb = b->step != NULL ? b->step->number : UINT32_MAX;
		if (sa != sb)
			return sa < sb ? -1 : 1;
	} else if (sort_by == ST_BY_NODE && a->node != b->node)
		return a->node < b->node ? -1 : 1;
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (a->ms != b->ms)
		return a->ms < b->ms ? -1 : 1;
	if (a->serial != b->serial)
		return a->serial < b->serial ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static bool
wanted(const struct st_view_opts *vo, unsigned node, int pid,
    const struct st_step *step)
{
	if (vo->node != NULL && (st_node_name(node) == NULL ||
	    strcmp(st_node_name(node), vo->node) != 0))
		return false;
	if (vo->pid > 0 && pid != vo->pid)
		return false;
	if (vo->step > 0 && (step == NULL || step->number != vo->step))
		return false;
	return true;
}

static void
csv_field(FILE *f, const char *s)
{
	if (s == NULL)
		s = "";
	fputc('"', f);
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' ||
	    *s == '\r')
		fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static const char *
step_name(const struct st_step *s)
{
	return s != NULL && s->name != NULL ? s->name : "";
}

static void
text_row(FILE *f, const struct row *r)
{
	struct st_buf b = { 0 };
	char t[ST_TIME_LEN];

	st_format_time(t, sizeof t, r->sec, r->ms);
	fprintf(f, "%s  ", t);
	if (st_node_name(r->node) != NULL) {
		st_escape(&b, st_node_name(r->node),
		    strlen(st_node_name(r->node)));
		fprintf(f, "%s  ", st_buf_cstr(&b));
		st_buf_reset(&b);
	}
	if (r->step != NULL)
		fprintf(f, "step %-3u ", r->step->number);
	else
		fputs("-        ", f);
	fprintf(f, "%7d  %-8s ", r->pid, r->kind);
	if (r->severity != NULL)
		fprintf(f, "%s ", r->severity);
	fputs(r->what != NULL ? r->what : "-", f);
	if (r->exe != NULL && strcmp(r->kind, "exec") == 0)
		fprintf(f, "  [%s]", r->exe);
	fputc('\n', f);
	st_buf_free(&b);
}

static void
csv_row(FILE *f, const struct row *r)
{
	char t[ST_TIME_LEN], num[32];
	char *clean;

	st_format_time(t, sizeof t, r->sec, r->ms);
	csv_field(f, t);
	fputc(',', f);
	clean = st_node_name(r->node) != NULL ?
	    st_utf8_clean(st_node_name(r->node)) : NULL;
	csv_field(f, clean);
	free(clean);
	fputc(',', f);
	snprintf(num, sizeof num, "%u", r->step != NULL ? r->step->number : 0);
	csv_field(f, r->step != NULL ? num : "");
	fputc(',', f);
	clean = st_utf8_clean(step_name(r->step));
	csv_field(f, clean);
	free(clean);
	fputc(',', f);
	snprintf(num, sizeof num, "%d", r->pid);
	csv_field(f, num);
	fputc(',', f);
	snprintf(num, sizeof num, "%d", r->ppid);
	csv_field(f, num);
	fputc(',', f);
	csv_field(f, r->kind);
	fputc(',', f);
	csv_field(f, r->severity);
	fputc(',', f);
	csv_field(f, r->what);
	fputc(',', f);
	csv_field(f, r->exe);
	fputc(',', f);
	snprintf(num, sizeof num, "%lu", r->serial);
	csv_field(f, num);
	fputs("\r\n", f);
}

static cJSON *
json_row(const struct row *r)
{
	cJSON *o = cJSON_CreateObject();
	char t[ST_TIME_LEN];
	char *clean;

	st_format_time(t, sizeof t, r->sec, r->ms);
	cJSON_AddStringToObject(o, "time", t);
	if (st_node_name(r->node) != NULL) {
		clean = st_utf8_clean(st_node_name(r->node));
		cJSON_AddStringToObject(o, "node", clean);
		free(clean);
	} else
		cJSON_AddNullToObject(o, "node");
	if (r->step != NULL) {
		cJSON_AddNumberToObject(o, "step", r->step->number);
		clean = st_utf8_clean(step_name(r->step));
		cJSON_AddStringToObject(o, "step_name", clean);
		free(clean);
	} else {
		cJSON_AddNullToObject(o, "step");
		cJSON_AddNullToObject(o, "step_name");
	}
	cJSON_AddNumberToObject(o, "pid", r->pid);
	cJSON_AddNumberToObject(o, "ppid", r->ppid);
	cJSON_AddStringToObject(o, "kind", r->kind);
	if (r->severity != NULL)
		cJSON_AddStringToObject(o, "severity", r->severity);
	cJSON_AddStringToObject(o, "what", r->what != NULL ? r->what : "");
	if (r->exe != NULL)
		cJSON_AddStringToObject(o, "exe", r->exe);
	else
		cJSON_AddNullToObject(o, "exe");
	cJSON_AddNumberToObject(o, "serial", r->serial);
	return o;
}

int
st_view_timeline(FILE *f, const struct st_analysis *a,
    const struct st_view_opts *vo, char **cause)
{
	const struct st_history *h = a->history;
	const struct st_hist_ev *e;
	const struct st_finding *fd;
	struct st_buf b = { 0 };
	struct row *v = NULL, *r;
	size_t n = 0, i;
	cJSON *arr = NULL;
	int rc = 0;

	v = xreallocarray(NULL, h->ne + a->findings.n + 1, sizeof *v);
	for (i = 0; i < h->ne; i++) {
		e = &h->e[i];
		if (!wanted(vo, e->node, e->pid, e->step))
			continue;
		r = &v[n];
		memset(r, 0, sizeof *r);
		r->sec = e->sec;
		r->ms = e->ms;
		r->serial = e->serial;
		r->node = e->node;
		r->pid = e->pid;
		r->ppid = e->ppid;
		r->step = e->step;
		r->kind = e->kind == ST_HIST_EXEC ? "exec" : "connect";
		r->exe = e->exe;
		r->what = e->text;
		r->order = n++;
	}
	for (i = 0; i < a->findings.n; i++) {
		fd = a->findings.v[i];
		if (!wanted(vo, fd->node, fd->pid, fd->step))
			continue;
		r = &v[n];
		memset(r, 0, sizeof *r);
		r->sec = fd->sec;
		r->ms = fd->ms;
		r->serial = fd->serial;
		r->node = fd->node;
		r->pid = fd->pid;
		r->ppid = fd->ppid;
		r->step = fd->step;
		r->kind = "finding";
		r->severity = st_severity_name(fd->severity);
		st_buf_reset(&b);
		st_buf_addf(&b, "%s: ", fd->recipe->name);
		st_report_what(&b, fd, 300);
		r->own = xstrdup(st_buf_cstr(&b));
		r->what = r->own;
		r->order = n++;
	}
	sort_by = vo->by;
	qsort(v, n, sizeof *v, cmp_row);
	if (vo->fmt == ST_VIEW_CSV)
		fputs("time,node,step,step_name,pid,ppid,kind,severity,what,"
		    "exe,serial\r\n", f);
	else if (vo->fmt == ST_VIEW_JSON)
		arr = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		if (vo->fmt == ST_VIEW_CSV)
			csv_row(f, &v[i]);
		else if (vo->fmt == ST_VIEW_JSON)
			cJSON_AddItemToArray(arr, json_row(&v[i]));
		else
			text_row(f, &v[i]);
	}
	if (vo->fmt == ST_VIEW_JSON)
		rc = st_report_json_emit(f, arr, true, cause);
	for (i = 0; i < n; i++)
		free(v[i].own);
	free(v);
	st_buf_free(&b);
	return rc;
}
