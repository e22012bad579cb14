/*
 * view-tree.c: `steptrail tree`, the reconstructed process trees as pstree
 * draws them, one per node, with the build step where it changes and the
 * findings on the process they are about.  Text or JSON.
 *
 * Filters keep processes (a pid, a step, a node, the --since/--until
 * window) and their ancestors, so that what is kept is shown where it
 * came from.  A hostile log can chain processes a million deep: the walk
 * is iterative, and a branch deeper than DEPTH_MAX is cut, saying so.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "steptrail.h"

#define DEPTH_MAX	200

struct tree {
	const struct st_history	*h;
	const struct st_view_opts *vo;
	bool			*keep;
	size_t			*kid, *sib;	/* first child, next sibling; +1 */
	struct st_buf		*marks;		/* findings, per process */
};

/* Does process i pass the filters itself? */
static bool
selected(const struct tree *t, size_t i)
{
	const struct st_hist_proc *x = &t->h->p[i];
	const struct st_view_opts *vo = t->vo;

	if (vo->node != NULL && (st_node_name(x->node) == NULL ||
	    strcmp(st_node_name(x->node), vo->node) != 0))
		return false;
	if (vo->pid > 0 && x->pid != vo->pid)
		return false;
	if (vo->step > 0 && (x->step == NULL || x->step->number != vo->step))
		return false;
	return x->in_window;
}

/* First kept process of the sibling chain from k (index + 1), or 0. */
static size_t
next_kept(const struct tree *t, size_t k)
{
	while (k != 0 && !t->keep[k - 1])
		k = t->sib[k - 1];
	return k;
}

/*
 * The child lists of all processes; then what is kept: the processes the
 * filters select, their ancestors (context), and with --pid the subtree
 * below (what it started).
 */
static void
build(struct tree *t)
{
	const struct st_history *h = t->h;
	size_t i, n, top, *stack;
	long j;

	/* children in the order processes appeared: i descending, pushed
	 * at the front */
	for (i = h->np; i-- > 0;) {
		if (h->p[i].parent == 0 ||
		    (j = st_history_index(h, h->p[i].parent)) < 0 ||
		    (size_t)j == i)
			continue;
		t->sib[i] = t->kid[j];
		t->kid[j] = i + 1;
	}
	stack = xreallocarray(NULL, h->np + 1, sizeof *stack);
	for (i = 0; i < h->np; i++) {
		if (!selected(t, i))
			continue;
		if (t->vo->pid > 0) {	/* the subtree, iteratively */
			top = 0;
			if (t->kid[i] != 0)
				stack[top++] = t->kid[i];
			while (top > 0) {
				n = stack[--top];
				if (t->sib[n - 1] != 0)
					stack[top++] = t->sib[n - 1];
				if (t->keep[n - 1])
					continue;
				t->keep[n - 1] = h->p[n - 1].in_window;
				if (t->kid[n - 1] != 0)
					stack[top++] = t->kid[n - 1];
			}
		}
		/* ancestors; bounded against a cycle of ids */
		for (j = (long)i, n = 0; j >= 0 && n <= h->np; n++) {
			if (t->keep[j] && (size_t)j != i)
				break;
			t->keep[j] = true;
			j = h->p[j].parent != 0 ?
			    st_history_index(h, h->p[j].parent) : -1;
		}
	}
	free(stack);
}

static bool
is_root(const struct tree *t, size_t i)
{
	long j;

	if (!t->keep[i])
		return false;
	if (t->h->p[i].parent == 0)
		return true;
	j = st_history_index(t->h, t->h->p[i].parent);
	return j < 0 || !t->keep[j] || (size_t)j == i;
}

/* Each finding on the line of its process: "CRITICAL reverse_shell". */
static void
mark_findings(struct tree *t, const struct st_findings *fs)
{
	const struct st_finding *fd;
	char sev[16];
	size_t i, k;
	long j;

	for (i = 0; i < fs->n; i++) {
		fd = fs->v[i];
		if ((j = st_history_find(t->h, fd->node, fd->pid, fd->sec,
		    fd->ms)) < 0)
			continue;
		snprintf(sev, sizeof sev, "%s", st_severity_name(fd->severity));
		for (k = 0; sev[k] != '\0'; k++)
			sev[k] = (char)(sev[k] - 'a' + 'A');
		st_buf_addf(&t->marks[j], "%s%s %s", t->marks[j].len ? ", " :
		    "", sev, fd->recipe->name);
	}
}

static void
text_line(FILE *f, const struct tree *t, size_t i, const char *prefix,
    bool last, bool root)
{
	const struct st_hist_proc *x = &t->h->p[i];
	const struct st_hist_proc *par;
	struct st_buf b = { 0 };
	long j;

	fputs(prefix, f);
	if (!root)
		fputs(last ? "`-- " : "|-- ", f);
	fprintf(f, "%d ", x->pid);
	fputs(x->cmdline != NULL ? x->cmdline : x->exe != NULL ? x->exe :
	    "(no record of its own: started before the log)", f);
	if (x->exe != NULL && x->cmdline != NULL)
		fprintf(f, "  [%s]", x->exe);
	j = x->parent != 0 ? st_history_index(t->h, x->parent) : -1;
	par = j >= 0 ? &t->h->p[j] : NULL;
	if (x->step != NULL && (root || par == NULL || par->step != x->step)) {
		fprintf(f, "  [step %u: ", x->step->number);
		if (x->step->name != NULL) {
			st_escape(&b, x->step->name, strlen(x->step->name));
			fputs(st_buf_cstr(&b), f);
		}
		fputc(']', f);
	}
	if (t->marks[i].len > 0)
		fprintf(f, "  <== %s", st_buf_cstr(&t->marks[i]));
	fputc('\n', f);
	st_buf_free(&b);
}

/* pstree-like, iteratively: a stack of the next sibling to draw. */
static void
text_tree(FILE *f, const struct tree *t, size_t root)
{
	size_t *stack = xreallocarray(NULL, DEPTH_MAX + 1, sizeof *stack);
	struct st_buf prefix = { 0 };
	size_t depth = 0, i, cut = 0;

	text_line(f, t, root, "", true, true);
	stack[0] = next_kept(t, t->kid[root]);
	while (true) {
		if (stack[depth] == 0) {
			if (depth == 0)
				break;
			depth--;
			prefix.len = depth * 4;
			if (prefix.d != NULL)
				prefix.d[prefix.len] = '\0';
			continue;
		}
		i = stack[depth] - 1;
		stack[depth] = next_kept(t, t->sib[i]);
		text_line(f, t, i, st_buf_cstr(&prefix), stack[depth] == 0,
		    false);
		if (next_kept(t, t->kid[i]) == 0)
			continue;
		if (depth + 1 >= DEPTH_MAX) {
			cut++;
			continue;
		}
		st_buf_adds(&prefix, stack[depth] == 0 ? "    " : "|   ");
		stack[++depth] = next_kept(t, t->kid[i]);
	}
	if (cut > 0)
		fprintf(f, "(%zu branches deeper than %d processes not shown)\n",
		    cut, DEPTH_MAX);
	st_buf_free(&prefix);
	free(stack);
}

/* "CRITICAL a, HIGH b" as [{"severity": "critical", "recipe": "a"}, ...] */
static void
json_findings(cJSON *o, const char *marks)
{
	cJSON *arr = cJSON_AddArrayToObject(o, "findings"), *x;
	const char *s = marks, *sp, *end;
	char *sev, *p;

	while (*s != '\0') {
		if ((end = strstr(s, ", ")) == NULL)
			end = s + strlen(s);
		if ((sp = memchr(s, ' ', (size_t)(end - s))) == NULL)
			break;
		sev = xstrndup(s, (size_t)(sp - s));
		for (p = sev; *p != '\0'; p++)
			*p = (char)(*p - 'A' + 'a');
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "severity", sev);
		p = xstrndup(sp + 1, (size_t)(end - sp - 1));
		cJSON_AddStringToObject(x, "recipe", p);
		cJSON_AddItemToArray(arr, x);
		free(sev);
		free(p);
		s = *end != '\0' ? end + 2 : end;
	}
}

static cJSON *
json_proc(const struct tree *t, size_t i)
{
	const struct st_hist_proc *x = &t->h->p[i];
	cJSON *o = cJSON_CreateObject(), *st;
	char tm[ST_TIME_LEN];
	char *clean;

	cJSON_AddNumberToObject(o, "pid", x->pid);
	cJSON_AddNumberToObject(o, "ppid", x->ppid);
	if (st_node_name(x->node) != NULL) {
		clean = st_utf8_clean(st_node_name(x->node));
		cJSON_AddStringToObject(o, "node", clean);
		free(clean);
	} else
		cJSON_AddNullToObject(o, "node");
	/* exe and cmdline were escaped for display when kept */
	if (x->exe != NULL)
		cJSON_AddStringToObject(o, "exe", x->exe);
	else
		cJSON_AddNullToObject(o, "exe");
	if (x->cmdline != NULL)
		cJSON_AddStringToObject(o, "cmdline", x->cmdline);
	else
		cJSON_AddNullToObject(o, "cmdline");
	st_format_time(tm, sizeof tm, x->sec, x->ms);
	cJSON_AddStringToObject(o, "start", tm);
	st_format_time(tm, sizeof tm, x->last_sec, x->last_ms);
	cJSON_AddStringToObject(o, "last_seen", tm);
	cJSON_AddNumberToObject(o, "execs", x->nexecs);
	if (x->step != NULL) {
		st = cJSON_AddObjectToObject(o, "step");
		cJSON_AddNumberToObject(st, "number", x->step->number);
		clean = st_utf8_clean(x->step->name != NULL ? x->step->name :
		    "");
		cJSON_AddStringToObject(st, "name", clean);
		free(clean);
	} else
		cJSON_AddNullToObject(o, "step");
	json_findings(o, t->marks[i].len > 0 ? t->marks[i].d : "");
	return o;
}

/* The same walk, building nested objects; "cut" where it stops. */
static cJSON *
json_tree(const struct tree *t, size_t root)
{
	size_t *stack = xreallocarray(NULL, DEPTH_MAX + 1, sizeof *stack);
	cJSON **objs = xreallocarray(NULL, DEPTH_MAX + 1, sizeof *objs);
	cJSON *top = json_proc(t, root), *o;
	size_t depth = 0, i;

	objs[0] = top;
	cJSON_AddArrayToObject(top, "children");
	stack[0] = next_kept(t, t->kid[root]);
	while (true) {
		if (stack[depth] == 0) {
			if (depth == 0)
				break;
			depth--;
			continue;
		}
		i = stack[depth] - 1;
		stack[depth] = next_kept(t, t->sib[i]);
		o = json_proc(t, i);
		cJSON_AddItemToArray(cJSON_GetObjectItem(objs[depth],
		    "children"), o);
		cJSON_AddArrayToObject(o, "children");
		if (next_kept(t, t->kid[i]) == 0)
			continue;
		if (depth + 1 >= DEPTH_MAX) {
			cJSON_AddBoolToObject(o, "cut", true);
			continue;
		}
		objs[++depth] = o;
		stack[depth] = next_kept(t, t->kid[i]);
	}
	free(stack);
	free(objs);
	return top;
}

int
st_view_tree(FILE *f, const struct st_analysis *a,
    const struct st_view_opts *vo, char **cause)
{
	const struct st_history *h = a->history;
	struct tree t = { 0 };
	cJSON *root = NULL, *arr = NULL;
	size_t i, shown = 0;
	unsigned last_node = 0;
	int rc = 0;

	t.h = h;
	t.vo = vo;
	t.keep = xreallocarray(NULL, h->np + 1, sizeof *t.keep);
	memset(t.keep, 0, (h->np + 1) * sizeof *t.keep);
	t.kid = xreallocarray(NULL, h->np + 1, sizeof *t.kid);
	memset(t.kid, 0, (h->np + 1) * sizeof *t.kid);
	t.sib = xreallocarray(NULL, h->np + 1, sizeof *t.sib);
	memset(t.sib, 0, (h->np + 1) * sizeof *t.sib);
	t.marks = xreallocarray(NULL, h->np + 1, sizeof *t.marks);
	memset(t.marks, 0, (h->np + 1) * sizeof *t.marks);
	build(&t);
	mark_findings(&t, &a->findings);
	if ((vo->fmt == ST_VIEW_JSON)) {
		root = cJSON_CreateObject();
		arr = cJSON_AddArrayToObject(root, "trees");
	}
	for (i = 0; i < h->np; i++) {
		if (!is_root(&t, i))
			continue;
		if ((vo->fmt == ST_VIEW_JSON))
			cJSON_AddItemToArray(arr, json_tree(&t, i));
		else {
			if (st_node_name(h->p[i].node) != NULL &&
			    h->p[i].node != last_node) {
				struct st_buf b = { 0 };

				st_escape(&b, st_node_name(h->p[i].node),
				    strlen(st_node_name(h->p[i].node)));
				fprintf(f, "node %s:\n", st_buf_cstr(&b));
				st_buf_free(&b);
				last_node = h->p[i].node;
			}
			text_tree(f, &t, i);
		}
		shown++;
	}
	if ((vo->fmt == ST_VIEW_JSON)) {
		cJSON_AddNumberToObject(root, "processes", (double)h->np);
		rc = st_report_json_emit(f, root, true, cause);
	} else if (shown == 0)
		fputs("no process matches\n", f);
	for (i = 0; i < h->np + 1; i++)
		st_buf_free(&t.marks[i]);
	free(t.marks);
	free(t.keep);
	free(t.kid);
	free(t.sib);
	return rc;
}
