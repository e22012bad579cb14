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

#include <libaudit.h>

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
	if (f->target != NULL) {
		free(f->target->exe);
		free(f->target->cmdline);
		free(f->target);
	}
	free(f->syscall);
	free(f->addr);
	free(f->file);
	free(f->op);
	free(f->type);
	free(f->once_key);
	free(f->what);
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
	st_map_free(&fs->reported_by);
	free(fs->reported);
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

/*
 * What one hit is about, whatever the recipe: the process's program (its
 * exec's image, else what its records showed), and for other events than
 * exec the event.  st_findings_add() fills it once.
 */
struct about {
	const struct st_recipe *r;
	const struct st_proc *p;	/* NULL: an event of no process */
	const struct st_event *ev;	/* NULL: p's exec */
	const struct st_image *img;	/* p's, or NULL */
	const char	*exe;
	char		**argv;
	size_t		 argc;
	bool		 owned;
	const struct st_step *step;
	unsigned	 node;
	unsigned long	 serial;
	time_t		 sec;
	unsigned	 ms;
	char		*what;		/* the event, for identity */
	char		*once_key;
};

static uint64_t
finding_hash(const struct about *a)
{
	uint64_t h = st_hash64(a->r->name, strlen(a->r->name));
	uint64_t step = a->step != NULL ? a->step->number : 0;
	size_t i;

	if (a->once_key != NULL) {
		hash_str(&h, a->once_key);
		return h;
	}
	h ^= st_hash64(&step, sizeof step);
	hash_str(&h, st_node_name(a->node));
	hash_str(&h, a->exe);
	hash_str(&h, a->img != NULL ? a->img->cwd : NULL);
	for (i = 0; i < a->argc; i++)
		hash_str(&h, a->argv[i]);
	hash_str(&h, a->p != NULL && a->p->parent != NULL ?
	    st_proc_exe(a->p->parent) : NULL);
	hash_str(&h, a->what);
	return h;
}

static bool
streq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Hash equality is not trusted alone: a crafted argv could collide. */
static bool
same_finding(const struct st_finding *f, const struct about *a)
{
	size_t i;

	if (f->recipe != a->r)
		return false;
	if (a->once_key != NULL)
		return streq(f->once_key, a->once_key);
	if (f->step != a->step || f->node != a->node ||
	    !streq(f->exe, a->exe) ||
	    !streq(f->cwd, a->img != NULL ? a->img->cwd : NULL) ||
	    f->argc_seen != a->argc ||
	    f->kernel_cut != (a->img != NULL && a->img->argv_truncated))
		return false;
	/* what the evidence copy cut is covered by the hash only */
	for (i = 0; i < f->argc; i++)
		if (strcmp(f->argv[i], a->argv[i]) != 0)
			return false;
	if (!streq(f->what, a->what))
		return false;
	return streq(f->nanc > 0 ? f->anc[0].exe : NULL,
	    a->p != NULL && a->p->parent != NULL ?
	    st_proc_exe(a->p->parent) : NULL);
}

static void
copy_argv(struct st_finding *f, const struct about *a)
{
	size_t i, total = 0, n;

	f->argc_seen = a->argc;
	/* a PROCTITLE (no exec seen) is cut at 128 bytes by the kernel */
	f->kernel_cut = a->img != NULL ? a->img->argv_truncated :
	    a->argc > 0;
	f->argv_truncated = f->kernel_cut;
	/* an argument costs its pointer too: 1M empty ones are not free */
	for (i = 0; i < a->argc; i++) {
		n = strlen(a->argv[i]) + 1 + sizeof *f->argv;
		if (total + n > ARGV_EVIDENCE)
			break;
		total += n;
	}
	if (i < a->argc)
		f->argv_truncated = true;
	f->argc = i;
	f->argv = xcalloc(f->argc + 1, sizeof *f->argv);
	for (i = 0; i < f->argc; i++)
		f->argv[i] = xstrdup(a->argv[i]);
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

	if (p->nimages < 2 || p->image == NULL)
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

/* What the hit was once per (recipe "once"), or NULL for "event". */
static char *
once_key(const struct about *a)
{
	struct st_buf b = { 0 };
	const struct st_proc *x;
	size_t n = 0;

	switch (a->r->once) {
	case ST_ONCE_EVENT:
		return NULL;
	case ST_ONCE_PROCESS:
		st_buf_addf(&b, "%u:%lu", a->node, a->p != NULL ? a->p->id : 0);
		break;
	case ST_ONCE_EXE:
		st_buf_addf(&b, "%u:%s", a->node, a->exe ? a->exe : "");
		break;
	case ST_ONCE_STEP:
		st_buf_addf(&b, "%u", a->step != NULL ? a->step->number : 0);
		break;
	case ST_ONCE_ANCESTRY:
		st_buf_addf(&b, "%u", a->node);
		/* length-prefixed: an exe may hold any byte but NUL */
		for (x = a->p; x != NULL && n <= ST_ANCESTRY_MAX;
		    x = x->parent, n++)
			st_buf_addf(&b, "|%zu:%s", st_proc_exe(x) ?
			    strlen(st_proc_exe(x)) : 0,
			    st_proc_exe(x) ? st_proc_exe(x) : "");
		break;
	}
	return st_buf_steal(&b);
}

/*
 * What a recipe filed for this exec.  A pipeline's recipes are evaluated
 * again when a sibling execs (match.c): a hit already filed for the same
 * exec must not count twice, but one that now grades more severely (the
 * sibling made a grade hold) raises what was filed.  Kept with the exec's
 * image, so it lasts exactly as long as the exec can be evaluated again.
 */
static struct st_filed *
filed_find(const struct st_image *img, const struct st_recipe *r)
{
	size_t i;

	for (i = 0; i < img->nfiled; i++)
		if (img->filed[i].recipe == r)
			return &img->filed[i];
	return NULL;
}

static void
filed_add(struct st_image *img, const struct st_recipe *r,
    enum st_severity sev, struct st_finding *f)
{
	img->filed = xreallocarray(img->filed, img->nfiled + 1,
	    sizeof *img->filed);
	img->filed[img->nfiled].recipe = r;
	img->filed[img->nfiled].severity = (int)sev;
	img->filed[img->nfiled++].finding = f;
}

/* Moves one hit's count from severity `from` to `to`. */
static void
recount(struct st_findings *fs, struct st_steps *ss, const struct about *a,
    enum st_severity from, enum st_severity to)
{
	unsigned long *by = a->step != NULL ?
	    ((struct st_step *)(uintptr_t)a->step)->by_severity :
	    ss->outside_by_severity;

	if (fs->by_severity[from] > 0)
		fs->by_severity[from]--;
	fs->by_severity[to]++;
	if (by[from] > 0)
		by[from]--;
	by[to]++;
}

/*
 * The file an event is about: the first it created or deleted (a
 * symlink's target is named too, as a plain name), else the first that is
 * not the directory of one (nametype=PARENT), else the first.
 */
static const char *
event_named_file(const struct st_event *ev)
{
	unsigned i;

	for (i = 0; i < ev->nnames; i++)
		if (ev->names[i] != NULL && (ev->names_made & (1u << i)))
			return ev->names[i];
	for (i = 0; i < ev->nnames; i++)
		if (ev->names[i] != NULL && !(ev->names_parent & (1u << i)))
			return ev->names[i];
	for (i = 0; i < ev->nnames; i++)
		if (ev->names[i] != NULL)
			return ev->names[i];
	return NULL;
}

/* The event as one string, for folding identical ones (not shown). */
static char *
event_what(const struct st_event *ev)
{
	struct st_buf b = { 0 };
	unsigned i;

	if (ev == NULL)
		return NULL;
	st_buf_addf(&b, "%d|%s|%s|%d|%s|%s|%ld", ev->first_type,
	    ev->has_syscall ? ev->sysname : "", ev->addr ? ev->addr : "",
	    ev->port, ev->op ? ev->op : "", ev->key ? ev->key : "",
	    ev->enabled);
	for (i = 0; i < ev->nnames; i++)	/* length-prefixed: any bytes */
		st_buf_addf(&b, "|%zu:%s", ev->names[i] ?
		    strlen(ev->names[i]) : 0, ev->names[i] ? ev->names[i] : "");
	return st_buf_steal(&b);
}

static void
copy_event(struct st_finding *f, const struct st_hit *h)
{
	const struct st_event *ev = h->ev;
	struct st_buf b = { 0 };
	const char *t;

	f->port = -1;
	f->enabled = -1;
	if (ev == NULL)
		return;
	if (ev->has_syscall && ev->sysname[0] != '\0')
		f->syscall = xstrdup(ev->sysname);
	if (ev->addr != NULL)
		f->addr = xstrdup(ev->addr);
	f->port = ev->port;
	if ((t = event_named_file(ev)) != NULL)
		f->file = t[0] != '/' && ev->cwd != NULL ?
		    xasprintf("%s/%s", ev->cwd, t) : xstrdup(t);
	if (ev->op != NULL)
		f->op = xstrdup(ev->op);
	if ((ev->kind == ST_EV_CONFIG || ev->kind == ST_EV_DAEMON) &&
	    ev->first_type > 0 &&
	    (t = audit_msg_type_to_name(ev->first_type)) != NULL)
		f->type = xstrdup(t);
	f->enabled = ev->enabled;
	if (h->target != NULL) {
		f->target = xcalloc(1, sizeof *f->target);
		f->target->pid = h->target->pid;
		t = st_proc_exe(h->target);
		f->target->exe = t != NULL ? xstrdup(t) : NULL;
		st_proc_cmdline(h->target, &b, ANCESTOR_CMDLINE);
		f->target->cmdline = b.len > 0 ? xstrdup(b.d) : NULL;
		f->target->serial = h->target->image != NULL ?
		    h->target->image->serial : h->target->serial;
		f->target->seen = true;
		st_buf_free(&b);
	}
}

void
st_findings_add(struct st_findings *fs, struct st_steps *ss,
    const struct st_hit *h)
{
	const struct st_proc *p = h->subject;
	struct about a = { 0 };
	struct st_finding *f;
	struct st_buf b = { 0 };
	enum st_severity sev = h->severity;
	struct st_filed *filed;
	uint64_t hash;

	a.r = h->recipe;
	a.p = p;
	a.ev = h->ev;
	a.img = p != NULL ? p->image : NULL;
	if (a.ev == NULL && a.img == NULL)
		return;		/* an exec recipe on a process with no exec */
	if (a.ev != NULL) {
		a.node = a.ev->node;
		a.serial = a.ev->serial;
		a.sec = a.ev->sec;
		a.ms = a.ev->ms;
	} else {
		a.node = p->node;
		a.serial = a.img->serial;
		a.sec = a.img->sec;
		a.ms = a.img->ms;
	}
	if (a.ev == NULL && (filed = filed_find(a.img, a.r)) != NULL) {
		if (sev <= (enum st_severity)filed->severity)
			return;		/* filed already, as severe */
		/* the same exec, graded more severely now: raise it */
		a.step = p->step;
		recount(fs, ss, &a, (enum st_severity)filed->severity, sev);
		filed->severity = (int)sev;
		if (filed->finding != NULL && sev > filed->finding->severity) {
			filed->finding->severity = sev;
			filed->finding->reason = h->reason;
		}
		return;
	}
	if (p != NULL) {
		a.exe = st_proc_exe(p);
		a.argc = st_proc_argv(p, &a.argv, &a.owned);
		a.step = p->step;
	}
	a.what = event_what(a.ev);
	a.once_key = once_key(&a);
	hash = finding_hash(&a);
	f = st_map_get(&fs->byhash, hash);
	if (f == NULL && st_findings_reported(fs, hash, sev)) {
		fs->repeated++;	/* an earlier run (checkpoint) reported it */
		goto out;
	}

	fs->by_severity[sev]++;
	if (a.step != NULL)
		((struct st_step *)(uintptr_t)a.step)->by_severity[sev]++;
	else
		ss->outside_by_severity[sev]++;
	if (f != NULL && same_finding(f, &a)) {
		if (sev > f->severity) {
			f->severity = sev;
			f->reason = h->reason;
		}
		f->count++;
		f->last_sec = a.sec;
		f->last_ms = a.ms;
		if (f->nevidence < ST_EVIDENCE_MAX)
			f->evidence[f->nevidence++] = a.serial;
		goto out;
	}
	if (fs->n >= FINDINGS_MAX) {
		fs->dropped++;
		f = NULL;
		goto out;
	}
	f = xcalloc(1, sizeof *f);
	f->recipe = a.r;
	f->step = a.step;
	f->step_by = p != NULL ? p->step_by : ST_ATTR_NONE;
	f->severity = sev;
	f->reason = h->reason;
	f->matched = xstrdup(st_match_fields(h->alt, &b));
	st_buf_free(&b);
	f->node = a.node;
	f->sec = f->last_sec = a.sec;
	f->ms = f->last_ms = a.ms;
	f->serial = a.serial;
	f->pid = p != NULL ? p->pid : (a.ev != NULL ? a.ev->pid : -1);
	f->ppid = p != NULL ? p->ppid : 0;
	if (a.img != NULL && a.ev == NULL) {
		f->uid = a.img->uid;
		f->euid = a.img->euid;
		f->auid = a.img->auid;
	} else {
		f->uid = a.ev->uid;
		f->euid = a.ev->euid;
		f->auid = a.ev->auid;
	}
	f->exe = a.exe != NULL ? xstrdup(a.exe) : NULL;
	if (a.img != NULL) {
		f->path = a.img->path != NULL ? xstrdup(a.img->path) : NULL;
		f->cwd = a.img->cwd != NULL ? xstrdup(a.img->cwd) : NULL;
		f->incomplete = a.img->incomplete;
	}
	copy_argv(f, &a);
	copy_event(f, h);
	if (p != NULL) {
		copy_ancestry(f, p);
		copy_earlier(f, p);
	}
	f->once_key = a.once_key;
	a.once_key = NULL;
	f->what = a.what;
	a.what = NULL;
	f->evidence = xcalloc(ST_EVIDENCE_MAX, sizeof *f->evidence);
	f->evidence[f->nevidence++] = a.serial;
	f->count = 1;
	f->hash = hash;
	fs->v = xreallocarray(fs->v, fs->n + 1, sizeof *fs->v);
	fs->v[fs->n++] = f;
	if (st_map_get(&fs->byhash, hash) == NULL)
		st_map_put(&fs->byhash, hash, f);
out:
	if (a.ev == NULL)	/* an exec's hit: f is what holds it now */
		filed_add(h->subject->image, a.r, sev, f);
	if (a.owned)
		free(a.argv);
	free(a.what);
	free(a.once_key);
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
/*
 * Findings an earlier run reported (its checkpoint's): one of these at
 * the same or a lower severity is not reported again.
 */
void
st_findings_add_reported(struct st_findings *fs, uint64_t hash, int severity,
    time_t sec)
{
	struct st_reported *rp;
	uintptr_t at;

	if ((at = (uintptr_t)st_map_get(&fs->reported_by, hash)) != 0) {
		rp = &fs->reported[at - 1];
		if (severity > rp->severity)
			rp->severity = severity;
		if (sec > rp->sec)
			rp->sec = sec;
		return;
	}
	fs->reported = xreallocarray(fs->reported, fs->nreported + 1,
	    sizeof *fs->reported);
	rp = &fs->reported[fs->nreported++];
	rp->hash = hash;
	rp->severity = severity;
	rp->sec = sec;
	st_map_put(&fs->reported_by, hash, (void *)(uintptr_t)fs->nreported);
}

bool
st_findings_reported(const struct st_findings *fs, uint64_t hash,
    enum st_severity sev)
{
	uintptr_t at;

	if (fs->nreported == 0 ||
	    (at = (uintptr_t)st_map_get(&fs->reported_by, hash)) == 0)
		return false;
	return (int)sev <= fs->reported[at - 1].severity;
}

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
