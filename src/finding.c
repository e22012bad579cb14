/*
 * finding.c: what a recipe hit becomes: a self-contained record with the
 * process, its argv, its full ancestry, and the audit serial numbers to
 * look up with `ausearch -a SERIAL`.
 *
 * A finding copies what it shows at the moment of the hit, because the
 * process tree moves on (pids are reused, images trimmed).  Identical hits
 * (same recipe, exe, argv, cwd and parent) fold into one finding with a
 * count, so a loop that runs `python -c` a thousand times is one line with
 * "x1000", not a thousand.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "steptrail.h"

/*
 * Distinct findings kept.  Beyond this a log is one long attack or one
 * long false positive; either way more lines help nobody, while memory
 * must stay bounded.  Dropped findings still count towards the totals and
 * the exit code, and the report says how many were dropped.
 */
#define FINDINGS_MAX	10000

/* argv bytes kept as evidence per finding (the rest is marked cut). */
#define ARGV_EVIDENCE	65536

/* Ancestor command lines are shown cut to this many bytes. */
#define ANCESTOR_CMDLINE 160

void
st_findings_init(struct st_findings *fs)
{
	memset(fs, 0, sizeof *fs);
}

static void
finding_free(struct st_finding *f)
{
	size_t i;

	for (i = 0; i < f->argc; i++)
		free(f->argv[i]);
	free(f->argv);
	for (i = 0; i < f->nanc; i++) {
		free(f->anc[i].exe);
		free(f->anc[i].cmdline);
	}
	free(f->anc);
	for (i = 0; i < f->nearlier; i++) {
		free(f->earlier[i].exe);
		free(f->earlier[i].cmdline);
	}
	free(f->earlier);
	free(f->evidence);
	free(f->matched);
	free(f->exe);
	free(f->path);
	free(f->cwd);
	free(f);
}

void
st_findings_free(struct st_findings *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		finding_free(fs->v[i]);
	free(fs->v);
	st_map_free(&fs->byhash);
	memset(fs, 0, sizeof *fs);
}

static void
hash_str(uint64_t *h, const char *s)
{
	uint64_t k[2];

	k[0] = *h;
	k[1] = s != NULL ? st_hash64(s, strlen(s) + 1) : 0;
	*h = st_hash64(k, sizeof k);
}

static uint64_t
finding_hash(const struct st_recipe *r, const struct st_proc *p)
{
	const struct st_image *img = p->image;
	uint64_t h = st_hash64(r->name, strlen(r->name));
	uint64_t step = p->step != NULL ? p->step->number : 0;
	size_t i;

	h ^= st_hash64(&step, sizeof step);
	hash_str(&h, st_node_name(p->node));
	hash_str(&h, img->exe);
	hash_str(&h, img->cwd);
	for (i = 0; i < img->argc; i++)
		hash_str(&h, img->argv[i]);
	hash_str(&h, p->parent != NULL ? st_proc_exe(p->parent) : NULL);
	return h;
}

static bool
streq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Hash equality is not trusted alone: a crafted argv could collide. */
static bool
same_finding(const struct st_finding *f, const struct st_recipe *r,
    const struct st_proc *p)
{
	const struct st_image *img = p->image;
	size_t i;

	if (f->recipe != r || f->step != p->step || f->node != p->node ||
	    !streq(f->exe, img->exe) ||
	    !streq(f->cwd, img->cwd) || f->argc_seen != img->argc ||
	    f->kernel_cut != img->argv_truncated)
		return false;
	/* what the evidence copy cut is covered by the hash only */
	for (i = 0; i < f->argc; i++)
		if (strcmp(f->argv[i], img->argv[i]) != 0)
			return false;
	return streq(f->nanc > 0 ? f->anc[0].exe : NULL,
	    p->parent != NULL ? st_proc_exe(p->parent) : NULL);
}

static void
copy_argv(struct st_finding *f, const struct st_image *img)
{
	size_t i, total = 0, n;

	f->argc_seen = img->argc;
	f->kernel_cut = img->argv_truncated;
	f->argv_truncated = img->argv_truncated;
	/* an argument costs its pointer too: 1M empty ones are not free */
	for (i = 0; i < img->argc; i++) {
		n = strlen(img->argv[i]) + 1 + sizeof *f->argv;
		if (total + n > ARGV_EVIDENCE)
			break;
		total += n;
	}
	if (i < img->argc)
		f->argv_truncated = true;
	f->argc = i;
	f->argv = xcalloc(f->argc + 1, sizeof *f->argv);
	for (i = 0; i < f->argc; i++)
		f->argv[i] = xstrdup(img->argv[i]);
}

static void
copy_ancestry(struct st_finding *f, const struct st_proc *p)
{
	struct st_buf b = { 0 };
	const struct st_proc *a;
	struct st_ancestor *x;
	const char *exe;

	f->anc = xcalloc(ST_ANCESTRY_MAX, sizeof *f->anc);
	for (a = p->parent; a != NULL && f->nanc < ST_ANCESTRY_MAX;
	    a = a->parent) {
		x = &f->anc[f->nanc++];
		x->pid = a->pid;
		exe = st_proc_exe(a);
		x->exe = exe != NULL ? xstrdup(exe) : NULL;
		st_buf_reset(&b);
		st_proc_cmdline(a, &b, ANCESTOR_CMDLINE);
		x->cmdline = b.len > 0 ? xstrdup(b.d) : NULL;
		x->serial = a->image != NULL ? a->image->serial : a->serial;
		x->seen = a->birth != ST_BORN_PARENT || a->image != NULL ||
		    a->exe != NULL;
		x->forked = a->image == NULL && a->birth == ST_BORN_FORK;
	}
	f->anc_cut = a != NULL;
	st_buf_free(&b);
}

/* The exec chain: what this process ran before, most recent first. */
static void
copy_earlier(struct st_finding *f, const struct st_proc *p)
{
	struct st_buf b = { 0 };
	const struct st_image *img;
	struct st_ancestor *x;

	if (p->nimages < 2)
		return;
	f->earlier = xcalloc(p->nimages - 1, sizeof *f->earlier);
	for (img = p->image->prev; img != NULL; img = img->prev) {
		x = &f->earlier[f->nearlier++];
		x->pid = p->pid;
		x->exe = img->exe != NULL ? xstrdup(img->exe) : NULL;
		st_buf_reset(&b);
		st_format_argv(&b, img->argv, img->argc, ANCESTOR_CMDLINE);
		x->cmdline = xstrdup(st_buf_cstr(&b));
		x->serial = img->serial;
		x->seen = true;
	}
	st_buf_free(&b);
}

void
st_findings_add(struct st_findings *fs, struct st_steps *ss,
    const struct st_recipe *r, const struct st_alt *alt, struct st_proc *p)
{
	const struct st_image *img = p->image;
	struct st_finding *f;
	struct st_buf b = { 0 };
	enum st_severity sev = alt->severity ? alt->severity : r->severity;
	uint64_t h;

	if (img == NULL)
		return;		/* recipes run on execs only */
	fs->by_severity[sev]++;
	if (p->step != NULL)
		p->step->by_severity[sev]++;
	else
		ss->outside_by_severity[sev]++;
	h = finding_hash(r, p);
	f = st_map_get(&fs->byhash, h);
	if (f != NULL && same_finding(f, r, p)) {
		if (sev > f->severity)
			f->severity = sev;
		f->count++;
		f->last_sec = img->sec;
		f->last_ms = img->ms;
		if (f->nevidence < ST_EVIDENCE_MAX)
			f->evidence[f->nevidence++] = img->serial;
		return;
	}
	if (fs->n >= FINDINGS_MAX) {
		fs->dropped++;
		return;
	}
	f = xcalloc(1, sizeof *f);
	f->recipe = r;
	f->step = p->step;
	f->step_by = p->step_by;
	f->severity = sev;
	f->matched = xstrdup(st_match_fields(alt, &b));
	st_buf_free(&b);
	f->node = p->node;
	f->sec = f->last_sec = img->sec;
	f->ms = f->last_ms = img->ms;
	f->serial = img->serial;
	f->pid = p->pid;
	f->ppid = p->ppid;
	f->uid = img->uid;
	f->euid = img->euid;
	f->auid = img->auid;
	f->exe = img->exe != NULL ? xstrdup(img->exe) : NULL;
	f->path = img->path != NULL ? xstrdup(img->path) : NULL;
	f->cwd = img->cwd != NULL ? xstrdup(img->cwd) : NULL;
	copy_argv(f, img);
	f->incomplete = img->incomplete;
	copy_ancestry(f, p);
	copy_earlier(f, p);
	f->evidence = xcalloc(ST_EVIDENCE_MAX, sizeof *f->evidence);
	f->evidence[f->nevidence++] = img->serial;
	f->count = 1;
	f->hash = h;
	fs->v = xreallocarray(fs->v, fs->n + 1, sizeof *fs->v);
	fs->v[fs->n++] = f;
	if (st_map_get(&fs->byhash, h) == NULL)
		st_map_put(&fs->byhash, h, f);
}

static int
cmp_finding(const void *a, const void *b)
{
	const struct st_finding *x = *(struct st_finding *const *)a;
	const struct st_finding *y = *(struct st_finding *const *)b;
	unsigned sx = x->step != NULL ? x->step->number : UINT32_MAX;
	unsigned sy = y->step != NULL ? y->step->number : UINT32_MAX;

	if (sx != sy)
		return sx < sy ? -1 : 1;
	if (x->group_severity != y->group_severity)
		return x->group_severity > y->group_severity ? -1 : 1;
	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->serial != y->serial)
		return x->serial < y->serial ? -1 : 1;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	return strcmp(x->recipe->name, y->recipe->name);
}

bool
st_finding_same_exec(const struct st_finding *a, const struct st_finding *b)
{
	return a->node == b->node && a->serial == b->serial &&
	    a->sec == b->sec && a->ms == b->ms && a->pid == b->pid;
}

static uint64_t
exec_key(const struct st_finding *f)
{
	uint64_t k[4] = { f->node, f->serial, (uint64_t)f->sec, f->ms };

	return st_hash64(k, sizeof k);
}

/*
 * By step (in step order, findings outside any step last), then most
 * severe first, then in time order; the findings of one exec (two recipes
 * can fire on it) stay together, ranked by the most severe.
 */
void
st_findings_sort(struct st_findings *fs)
{
	struct st_map top = { 0 };
	struct st_finding *f, *g;
	size_t i;

	for (i = 0; i < fs->n; i++) {
		f = fs->v[i];
		g = st_map_get(&top, exec_key(f));
		if (g == NULL || f->severity > g->severity)
			st_map_put(&top, exec_key(f), f);
	}
	for (i = 0; i < fs->n; i++) {
		f = fs->v[i];
		g = st_map_get(&top, exec_key(f));
		f->group_severity = st_finding_same_exec(f, g) ? g->severity :
		    f->severity;
	}
	st_map_free(&top);
	if (fs->n > 1)
		qsort(fs->v, fs->n, sizeof *fs->v, cmp_finding);
}

enum st_severity
st_findings_max(const struct st_findings *fs)
{
	int s;

	for (s = ST_SEV_CRITICAL; s > ST_SEV_NONE; s--)
		if (fs->by_severity[s] > 0)
			return (enum st_severity)s;
	return ST_SEV_NONE;
}
