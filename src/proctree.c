/*
 * proctree.c: processes, their programs and their parents, rebuilt from
 * exec and fork events.
 *
 * A process is keyed by (node, pid) in a map that holds the *current*
 * process with that pid.  When a pid is reused the map moves on to the new
 * process, but the old one lives on as long as a child still points to it:
 * parent pointers are counted references.  Memory is therefore bounded by
 * the pid space of the audited hosts (plus ancestors still referenced),
 * whatever the length of the log, and by PROCS_MAX whatever their number.
 *
 * Deciding "same process or a new one with a reused pid" is the heart of
 * it, and the log only offers hints:
 *   - a clone/fork/vfork record (exit = child pid) starts a new process,
 *     unless the child was already seen moments before with that parent
 *     (its exec was logged first; see window.c);
 *   - an exec by pid P with ppid Q is the same process as the current P if
 *     P's parent was Q, or unknown, or if Q is 1 or one of P's ancestors
 *     (the parent died and the child was reparented to init or to a
 *     subreaper) and the audit session is the same (a reparented process
 *     keeps its ses; an unset one tells nothing); otherwise P was reused.
 * Without fork records, a pid reused with the same parent pid looks like
 * the same process exec'ing again; nothing in the log can tell them apart.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "steptrail.h"

/*
 * Programs kept per process: bash exec'ing python exec'ing the real binary
 * is three; a process that execs in a loop would otherwise grow forever.
 */
#define IMAGES_MAX	8

/*
 * Bytes of argv kept per image once the exec has been matched: enough for
 * any command line a person reads in an ancestry, and what parent.cmdline
 * and ancestor.cmdline see (the exec itself is matched on its full argv).
 */
#define ARGV_KEEP	8192
/* Zero bytes after a packed argv (st_proctree_trim). */
#define PACK_PAD	16

/*
 * A fork record for a pid first seen less than this many seconds earlier,
 * with the same parent, is the record of that very process arriving late
 * (beyond the window); the window is 3 s, so this is generous.
 */
#define REORDER_SLACK	10

/* Longest parent chain walked when checking for a cycle. */
#define CHAIN_MAX	100000

/*
 * A process lives in the table until its pid is reused, and pid_max can be
 * 4194304: a week of a busy runner's log would keep millions (1-2 kB each).
 * So once the table is large, processes with no record for a day of log
 * time are forgotten (their children keep them as ancestors; a record of
 * theirs after that starts a new process, linked by its ppid).  A day is
 * longer than any CI job that is not idle.
 */
#define SWEEP_MIN	262144
#define IDLE_EVICT	(24 * 60 * 60)
/*
 * ... and for this many events applied since: one record stamped far ahead
 * (a clock set forward for a moment, by mistake or to hide) must not make
 * the whole table look idle.  A process with children in the table is
 * kept too: forgetting it would free nothing (they hold it) and only lose
 * it to lookups by pid.
 */
#define IDLE_EVENTS	65536

/*
 * Whatever the log's clock says, the table holds at most about PROCS_MAX
 * processes: a log can make processes much faster than a day passes (a
 * fork bomb, a busy fleet's aggregated log): 10 million processes in two
 * minutes of log time took 3.1 GB (bench/many-pids.sh).  Measured, a
 * process known from a fork record takes about 300 bytes, one that exec'd
 * a compiler-like command line (its image: argv, exe, path, cwd) about
 * 1.3 kB: 262144 of those are 340 MB, which with the window (WINDOW_BYTES)
 * and the rest stays under 512 MB.  It counts processes, not bytes: a
 * process holding IMAGES_MAX images of ARGV_KEEP bytes each is 64 kB, so
 * a log made for it can still go beyond.
 *
 * When the table is full, the least recently seen processes that nothing
 * refers to (no child, no reference but the table's) are forgotten until
 * a quarter of it is free, so the scan is paid for by as many new
 * processes (the same amortising as sweep()).  Forgetting a process with
 * children would free nothing and lose it to lookups by pid: ancestry of
 * the processes kept stays whole.  One seen in the last PROCS_MAX / 4
 * events stays too, however full the table: it is likely to act next (a
 * fork's child execs, a shell forks again), and its children would get a
 * parent known only by its pid.  So only a log whose processes are all
 * ancestors or recent (a chain of processes each the parent of the next,
 * deeper than any real tree) keeps the table beyond the bound.  A record
 * of a forgotten process starts a new one, linked by its ppid, as after
 * an idle sweep.
 */
#define PROCS_MAX	262144
/* Least recently seen, to within 1/FULL_BUCKETS of the events applied. */
#define FULL_BUCKETS	4096

struct st_proctree {
	struct st_map		 procs;
	struct st_proctree_stats st;
	time_t			*now;		/* by node: its latest record's time */
	size_t			 nnow;
	unsigned long		 seq;		/* events applied */
	size_t			 sweep_min;	/* SWEEP_MIN; tests lower it */
	unsigned long		 idle_events;	/* IDLE_EVENTS; tests too */
	size_t			 sweep_at;	/* table size for the next sweep */
	size_t			 procs_max;	/* PROCS_MAX; tests lower it */
	size_t			 full_at;	/* table size to evict at */
	unsigned long		 ids;		/* the last st_proc id given */
};

static uint64_t
proc_key(unsigned node, int pid)
{
	return (uint64_t)node << 32 | (uint32_t)pid;
}

struct st_proctree *
st_proctree_new(void)
{
	struct st_proctree *t = xcalloc(1, sizeof *t);

	t->sweep_min = t->sweep_at = SWEEP_MIN;
	t->idle_events = IDLE_EVENTS;
	t->procs_max = t->full_at = PROCS_MAX;
	return t;
}

/* Tests: forget idle processes once the table holds min, after events. */
void
st_proctree_set_sweep(struct st_proctree *t, size_t min,
    unsigned long events)
{
	t->sweep_min = t->sweep_at = min;
	t->idle_events = events;
}

/* Tests: forget the least recently seen processes beyond max. */
void
st_proctree_set_max(struct st_proctree *t, size_t max)
{
	t->procs_max = t->full_at = max > 4 ? max : 4;
}

static void
unref_cb(uint64_t key, void *val, void *arg)
{
	(void)key;
	(void)arg;
	st_proc_unref(val);
}

void
st_proctree_free(struct st_proctree *t)
{
	if (t == NULL)
		return;
	st_map_foreach(&t->procs, unref_cb, NULL);
	st_map_free(&t->procs);
	free(t->now);
	free(t);
}

const struct st_proctree_stats *
st_proctree_stats(const struct st_proctree *t)
{
	return &t->st;
}

struct st_proc *
st_proc_ref(struct st_proc *p)
{
	if (p != NULL)
		p->refs++;
	return p;
}

/* One program of a process, and what it holds (checkpoint.c too). */
void
st_image_free(struct st_image *img)
{
	size_t i;

	if (!img->argv_packed)
		for (i = 0; i < img->argc; i++)
			free(img->argv[i]);
	free(img->argv);
	free(img->exe);
	free(img->comm);
	free(img->path);
	free(img->cwd);
	free(img->key);
	free(img->filed);
	free(img);
}

/* Children are listed by their parent, newest first (sibling scopes). */
static void
kid_unlink(struct st_proc *c)
{
	if (c->parent == NULL)
		return;
	if (c->sib_prev != NULL)
		c->sib_prev->sib_next = c->sib_next;
	else if (c->parent->kids == c)
		c->parent->kids = c->sib_next;
	if (c->sib_next != NULL)
		c->sib_next->sib_prev = c->sib_prev;
	c->sib_next = c->sib_prev = NULL;
}

static void
kid_link(struct st_proc *c)
{
	c->sib_prev = NULL;
	c->sib_next = c->parent->kids;
	if (c->sib_next != NULL)
		c->sib_next->sib_prev = c;
	c->parent->kids = c;
}

void
st_proc_unref(struct st_proc *p)
{
	struct st_proc *parent;
	struct st_image *img;

	/* Iterative: freeing a long chain must not recurse as deep. */
	while (p != NULL && --p->refs == 0) {
		parent = p->parent;
		kid_unlink(p);
		while ((img = p->image) != NULL) {
			p->image = img->prev;
			st_image_free(img);
		}
		free(p->exe);
		free(p->comm);
		free(p->title);
		free(p);
		p = parent;
	}
}

struct st_proc *
st_proctree_find(struct st_proctree *t, unsigned node, int pid)
{
	return st_map_get(&t->procs, proc_key(node, pid));
}

static struct st_proc *proc_new(struct st_proctree *, const struct st_event *,
    int, int, enum st_birth);

/* The current holder of pid, or a new process known only by its pid. */
struct st_proc *
st_proctree_get(struct st_proctree *t, const struct st_event *ev, int pid)
{
	struct st_proc *p;

	if (pid <= 0)
		return NULL;
	if ((p = st_proctree_find(t, ev->node, pid)) != NULL)
		return p;
	return proc_new(t, ev, pid, 0, ST_BORN_PARENT);
}

/* A new process becomes the current holder of its pid. */
static struct st_proc *
proc_new(struct st_proctree *t, const struct st_event *ev, int pid, int ppid,
    enum st_birth birth)
{
	struct st_proc *p = xcalloc(1, sizeof *p), *old;
	uint64_t key = proc_key(ev->node, pid);

	p->refs = 1;		/* the map's */
	p->id = ++t->ids;
	t->st.processes++;
	p->node = ev->node;
	p->pid = pid;
	p->ppid = ppid > 0 ? ppid : 0;
	/* the event's session is this process's if it is the event's own
	 * or its child (a fork record): the session is inherited */
	p->ses = pid == ev->pid || birth == ST_BORN_FORK ? ev->ses :
	    UINT32_MAX;
	p->birth = birth;
	p->sec = p->last_sec = ev->sec;
	p->last_seq = t->seq;
	p->ms = ev->ms;
	p->serial = ev->serial;
	if ((old = st_map_get(&t->procs, key)) != NULL) {
		t->st.pid_reuse++;
		st_proc_unref(old);
	}
	st_map_put(&t->procs, key, p);
	return p;
}

static bool
is_ancestor(const struct st_proc *maybe, const struct st_proc *p)
{
	size_t n = 0;

	for (; p != NULL && n < CHAIN_MAX; p = p->parent, n++)
		if (p == maybe)
			return true;
	return n >= CHAIN_MAX;	/* too deep to tell: treat as a cycle */
}

static void
set_parent(struct st_proctree *t, struct st_proc *child, struct st_proc *parent)
{
	if (child->parent == parent)
		return;
	/* A corrupt or hostile log could make a process its own ancestor;
	 * counted references would then never be freed. */
	if (is_ancestor(child, parent)) {
		t->st.cycles_refused++;
		return;
	}
	kid_unlink(child);
	st_proc_unref(child->parent);
	child->parent = st_proc_ref(parent);
	child->ppid = parent->pid;
	kid_link(child);
}

/* The process pid refers to as its parent: the current holder of ppid. */
static void
link_parent(struct st_proctree *t, struct st_proc *p,
    const struct st_event *ev, int ppid)
{
	struct st_proc *parent;

	if (ppid <= 0 || p->parent != NULL)
		return;
	parent = st_proctree_find(t, ev->node, ppid);
	if (parent == NULL)
		parent = proc_new(t, ev, ppid, 0, ST_BORN_PARENT);
	set_parent(t, p, parent);
}

/* What a syscall record says about a process that never exec'd here. */
static void
learn(struct st_proc *p, const struct st_event *ev)
{
	size_t n;

	if (p->ses == UINT32_MAX)
		p->ses = ev->ses;
	if (p->image != NULL)
		return;
	if (p->exe == NULL && ev->exe != NULL)
		p->exe = xstrdup(ev->exe);
	if (p->comm == NULL && ev->comm != NULL)
		p->comm = xstrdup(ev->comm);
	if (p->title == NULL && ev->proctitle != NULL) {
		n = ev->proctitle_len;
		p->title = xmalloc(n + 2);
		memcpy(p->title, ev->proctitle, n);
		p->title[n] = p->title[n + 1] = '\0';
		p->title_len = n;
	}
}

/*
 * Until it execs, a forked child runs its parent's program: it shows the
 * parent's exec'd argv.  The fork record's own PROCTITLE is the fallback
 * only (learn()): the kernel caches a task's proctitle at its first
 * audited syscall and does not refresh it on exec, so a shell that made a
 * failed execve of PATH search before exec'ing reports the command line of
 * the process it was forked from for the rest of its life.
 */
static void
inherit(struct st_proc *child, const struct st_proc *parent)
{
	const struct st_image *img = parent->image;
	struct st_buf b = { 0 };
	size_t i;

	if (child->image != NULL || img == NULL)
		return;
	if (child->exe == NULL && img->exe != NULL)
		child->exe = xstrdup(img->exe);
	if (child->comm == NULL && img->comm != NULL)
		child->comm = xstrdup(img->comm);
	if (child->title == NULL && img->argc > 0) {
		for (i = 0; i < img->argc; i++)
			st_buf_add(&b, img->argv[i], strlen(img->argv[i]) + 1);
		child->title_len = b.len;
		st_buf_addc(&b, '\0');
		child->title = st_buf_steal(&b);
	}
}

/* Normalizes an absolute path: no "//", ".", ".." (symlinks untouched). */
static char *
path_clean(const char *cwd, const char *name)
{
	struct st_buf b = { 0 };
	const char *s, *e;
	char *joined;
	size_t n;

	if (name[0] == '/')
		joined = xstrdup(name);
	else
		joined = xasprintf("%s/%s", cwd, name);
	for (s = joined; *s != '\0'; s = e) {
		while (*s == '/')
			s++;
		for (e = s; *e != '\0' && *e != '/'; e++)
			;
		n = (size_t)(e - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (b.len > 0 && b.d[b.len - 1] != '/')
				b.len--;
			if (b.len > 0)
				b.len--;
			if (b.d != NULL)
				b.d[b.len] = '\0';
			continue;
		}
		st_buf_addc(&b, '/');
		st_buf_add(&b, s, n);
	}
	if (b.len == 0)
		st_buf_addc(&b, '/');
	free(joined);
	/* kept for the process's life: its size, not the buffer's */
	joined = xstrndup(b.d, b.len);
	st_buf_free(&b);
	return joined;
}

/*
 * The first n strings of argv in one block: the array, then the
 * strings.  An argument in a buffer of its own took 64 bytes or more (an
 * st_buf) for ten or twenty bytes of text, and a build keeps some hundred
 * thousand of them (the images of every process the table holds): packed,
 * the table takes about half the memory.  PACK_PAD zero bytes close the
 * block, for the JIT's word-sized reads past the last string's end (see
 * buf_grow).
 */
static char **
pack_argv(char *const *argv, size_t n)
{
	size_t i, total = 0;
	char **v, *d;

	for (i = 0; i < n; i++)
		total += strlen(argv[i]) + 1;
	v = xmalloc((n + 1) * sizeof *v + total + PACK_PAD);
	d = (char *)(v + n + 1);
	for (i = 0; i < n; i++) {	/* one pass over each string */
		v[i] = d;
		d = stpcpy(d, argv[i]) + 1;
	}
	memset(d, 0, PACK_PAD);
	v[n] = NULL;
	return v;
}

static void
push_image(struct st_proctree *t, struct st_proc *p, struct st_event *ev)
{
	struct st_image *img = xcalloc(1, sizeof *img), *it;
	unsigned n;

	/*
	 * Copies, not the event's own strings: the event goes back to the
	 * reader's thread to be freed there (analyze.c), and malloc frees
	 * a block made by another thread only under that thread's arena
	 * lock, which the reader is taking for every allocation it makes.
	 * The argv is packed into one block (pack_argv).
	 */
	img->exe = ev->exe != NULL ? xstrdup(ev->exe) : NULL;
	img->comm = ev->comm != NULL ? xstrdup(ev->comm) : NULL;
	img->cwd = ev->cwd != NULL ? xstrdup(ev->cwd) : NULL;
	img->key = ev->key != NULL ? xstrdup(ev->key) : NULL;
	img->argv = pack_argv(ev->argv, ev->nargv);
	img->argc = ev->nargv;
	img->argv_packed = true;
	img->argv_truncated = ev->argv_truncated;
	img->incomplete = ev->missing > 0;
	/*
	 * The file given to execve: PATH item 0, made absolute.  An empty
	 * name is an exec of a file descriptor (fexecve, AT_EMPTY_PATH): the
	 * file is the one that ran.  No PATH record (lost, or rules without
	 * it), or a relative one without its CWD record: unknown, not
	 * guessed.
	 */
	if (ev->path0 != NULL && (ev->path0[0] == '/' ||
	    (ev->path0[0] != '\0' && img->cwd != NULL)))
		img->path = path_clean(img->cwd, ev->path0);
	else if (ev->path0 != NULL && ev->path0[0] == '\0' && img->exe != NULL)
		img->path = xstrdup(img->exe);
	img->serial = ev->serial;
	img->sec = ev->sec;
	img->ms = ev->ms;
	img->uid = ev->uid;
	img->euid = ev->euid;
	img->auid = ev->auid;

	img->prev = p->image;
	p->image = img;
	if (++p->nimages > IMAGES_MAX) {
		for (it = p->image, n = 1; n < IMAGES_MAX; n++)
			it = it->prev;
		st_image_free(it->prev);
		it->prev = NULL;
		p->nimages = IMAGES_MAX;
		t->st.images_dropped++;
	}
	t->st.execs++;
}

static bool
reparented(const struct st_proc *p, int ppid, uint32_t ses)
{
	const struct st_proc *a;
	size_t n = 0;

	if (p->ses != UINT32_MAX && ses != UINT32_MAX && p->ses != ses)
		return false;
	if (ppid == 1)
		return true;
	for (a = p->parent; a != NULL && n < CHAIN_MAX; a = a->parent, n++)
		if (a->pid == ppid)
			return true;
	return false;
}

static struct st_proc *
apply_exec(struct st_proctree *t, struct st_event *ev)
{
	struct st_proc *p = st_proctree_find(t, ev->node, ev->pid);

	if (p != NULL && p->ppid != 0 && ev->ppid > 0 && p->ppid != ev->ppid) {
		if (reparented(p, ev->ppid, ev->ses))
			t->st.reparented++;	/* keep the real origin */
		else
			p = NULL;		/* pid reused */
	}
	if (p == NULL)
		p = proc_new(t, ev, ev->pid, ev->ppid, ST_BORN_SEEN);
	if (ev->ses != UINT32_MAX)
		p->ses = ev->ses;
	link_parent(t, p, ev, ev->ppid);
	push_image(t, p, ev);
	return p;
}

static struct st_proc *
apply_fork(struct st_proctree *t, struct st_event *ev)
{
	struct st_proc *parent, *child;
	int cpid = (int)ev->exit;

	parent = st_proctree_find(t, ev->node, ev->pid);
	if (parent == NULL)
		parent = proc_new(t, ev, ev->pid, ev->ppid, ST_BORN_SEEN);
	link_parent(t, parent, ev, ev->ppid);
	learn(parent, ev);
	if (cpid == ev->pid) {
		/* a process cannot be its own child: a corrupt record */
		t->st.bogus++;
		return parent;
	}
	/* held while the child takes its pid: nothing may free it here */
	st_proc_ref(parent);

	child = st_proctree_find(t, ev->node, cpid);
	if (child != NULL && child->sec + REORDER_SLACK >= ev->sec &&
	    (child->ppid == 0 || child->ppid == ev->pid)) {
		/* Seen already: its own records came before this one. */
		child->birth = ST_BORN_FORK;
	} else
		child = proc_new(t, ev, cpid, ev->pid, ST_BORN_FORK);
	set_parent(t, child, parent);
	inherit(child, parent);
	learn(child, ev);
	t->st.forks_linked++;
	st_proc_unref(parent);
	return child;
}

static struct st_proc *
apply_other(struct st_proctree *t, struct st_event *ev)
{
	struct st_proc *p = st_proctree_find(t, ev->node, ev->pid);

	if (p == NULL)
		p = proc_new(t, ev, ev->pid, ev->ppid, ST_BORN_SEEN);
	link_parent(t, p, ev, ev->ppid);
	learn(p, ev);
	return p;
}

struct sweep {
	const time_t	 *now;		/* by node: clocks of nodes differ */
	size_t		  nnow;
	unsigned long	  seq, idle_events;
	uint64_t	 *keys;
	size_t		  n;
};

static void
idle_cb(uint64_t key, void *val, void *arg)
{
	struct sweep *sw = arg;
	const struct st_proc *p = val;

	/* a process of a node with no syscall record yet (a marker's
	 * shell) has no clock to be idle by */
	if (p->node < sw->nnow && p->last_sec < sw->now[p->node] - IDLE_EVICT &&
	    sw->seq - p->last_seq >= sw->idle_events && p->refs == 1)
		sw->keys[sw->n++] = key;
}

/* Forgets the processes idle for IDLE_EVICT; see SWEEP_MIN. */
static void
sweep(struct st_proctree *t)
{
	struct sweep sw = { t->now, t->nnow, t->seq, t->idle_events, NULL,
	    0 };
	size_t i;

	sw.keys = xreallocarray(NULL, t->procs.len, sizeof *sw.keys);
	st_map_foreach(&t->procs, idle_cb, &sw);
	for (i = 0; i < sw.n; i++)
		st_proc_unref(st_map_del(&t->procs, sw.keys[i]));
	t->st.evicted += sw.n;
	free(sw.keys);
	/* amortised: the next sweep when the table has doubled again */
	t->sweep_at = t->procs.len * 2 > t->sweep_min ? t->procs.len * 2 :
	    t->sweep_min;
}

struct full {
	uint64_t	*keys;
	unsigned long	*seqs;		/* their last_seq */
	size_t		 n;
	unsigned long	 before;	/* only those seen before this event */
};

static void
leaf_cb(uint64_t key, void *val, void *arg)
{
	struct full *fu = arg;
	const struct st_proc *p = val;

	if (p->refs == 1 && p->kids == NULL && p->last_seq < fu->before) {
		fu->keys[fu->n] = key;
		fu->seqs[fu->n++] = p->last_seq;
	}
}

/*
 * Forgets the least recently seen processes nothing refers to until a
 * quarter of the table is free; see PROCS_MAX.  The oldest are found by
 * counting them in FULL_BUCKETS buckets of last_seq: linear, where sorting
 * the table would cost a log factor on every eviction.
 */
static void
evict_full(struct st_proctree *t)
{
	struct full fu = { NULL, NULL, 0, 0 };
	size_t count[FULL_BUCKETS], keep, want, cum, i, k, b, bi;
	unsigned long lo, hi, width;

	keep = t->procs_max - t->procs_max / 4;
	want = t->procs.len > keep ? t->procs.len - keep : 0;
	if (t->seq > t->procs_max / 4)
		fu.before = t->seq - t->procs_max / 4;
	fu.keys = xreallocarray(NULL, t->procs.len + 1, sizeof *fu.keys);
	fu.seqs = xreallocarray(NULL, t->procs.len + 1, sizeof *fu.seqs);
	st_map_foreach(&t->procs, leaf_cb, &fu);
	if (fu.n > want) {
		lo = hi = fu.seqs[0];
		for (i = 1; i < fu.n; i++) {
			if (fu.seqs[i] < lo)
				lo = fu.seqs[i];
			if (fu.seqs[i] > hi)
				hi = fu.seqs[i];
		}
		width = (hi - lo) / FULL_BUCKETS + 1;
		memset(count, 0, sizeof count);
		for (i = 0; i < fu.n; i++)
			count[(fu.seqs[i] - lo) / width]++;
		/* every bucket before b goes, and the first of b */
		for (b = 0, cum = 0; cum + count[b] < want; b++)
			cum += count[b];
		for (i = k = 0; i < fu.n; i++) {
			bi = (fu.seqs[i] - lo) / width;
			if (bi < b || (bi == b && cum < want)) {
				if (bi == b)
					cum++;
				fu.keys[k++] = fu.keys[i];
			}
		}
		fu.n = k;
	}
	for (i = 0; i < fu.n; i++)
		st_proc_unref(st_map_del(&t->procs, fu.keys[i]));
	t->st.evicted_full += fu.n;
	free(fu.keys);
	free(fu.seqs);
	/* amortised: if too few could go, try again a quarter later */
	t->full_at = t->procs.len + t->procs_max / 4 > t->procs_max ?
	    t->procs.len + t->procs_max / 4 : t->procs_max;
}

static void
seen_now(const struct st_proctree *t, struct st_proc *p,
    const struct st_event *ev)
{
	if (ev->sec > p->last_sec)	/* a late event does not go back */
		p->last_sec = ev->sec;
	p->last_seq = t->seq;
}

/*
 * Applies one event.  Returns the process it concerns (borrowed: valid
 * until the next call), or NULL for events about no process.
 */
struct st_proc *
st_proctree_apply(struct st_proctree *t, struct st_event *ev)
{
	struct st_proc *p;

	if (!ev->has_syscall || ev->pid <= 0)
		return NULL;
	if (ev->node >= t->nnow) {
		t->now = xreallocarray(t->now, ev->node + 1, sizeof *t->now);
		memset(t->now + t->nnow, 0, (ev->node + 1 - t->nnow) *
		    sizeof *t->now);
		t->nnow = ev->node + 1;
	}
	if (ev->sec > t->now[ev->node])
		t->now[ev->node] = ev->sec;
	t->seq++;
	if (t->procs.len >= t->sweep_at)
		sweep(t);
	if (t->procs.len >= t->full_at)
		evict_full(t);
	switch (ev->kind) {
	case ST_EV_EXEC:
		p = apply_exec(t, ev);
		break;
	case ST_EV_FORK:
		p = apply_fork(t, ev);
		break;
	default:
		p = apply_other(t, ev);
		break;
	}
	seen_now(t, p, ev);
	/* a record's ppid (or a fork by it) says the parent was alive */
	if (p->parent != NULL && p->parent->pid == p->ppid)
		seen_now(t, p->parent, ev);
	return p;
}

/* ------------------------------------------------------------ checkpoint */

struct each {
	void		(*fn)(struct st_proc *, void *);
	void		*arg;
};

static void
each_cb(uint64_t key, void *val, void *arg)
{
	struct each *e = arg;

	(void)key;
	e->fn(val, e->arg);
}

/* Every current process (the holder of its pid), in no order. */
void
st_proctree_each(const struct st_proctree *t,
    void (*fn)(struct st_proc *, void *), void *arg)
{
	struct each e = { fn, arg };

	st_map_foreach(&t->procs, each_cb, &e);
}

/*
 * Is p idle enough that a sweep would forget it?  A checkpoint leaves out
 * what the table would drop anyway.
 */
bool
st_proctree_idle(const struct st_proctree *t, const struct st_proc *p)
{
	return p->node < t->nnow && p->last_sec < t->now[p->node] - IDLE_EVICT &&
	    p->refs == 1 && p->kids == NULL;
}

/* The clocks a checkpoint carries: events applied, ids given, node times. */
void
st_proctree_clock(const struct st_proctree *t, unsigned long *seq,
    unsigned long *ids, const time_t **now, size_t *nnow)
{
	*seq = t->seq;
	*ids = t->ids;
	*now = t->now;
	*nnow = t->nnow;
}

void
st_proctree_set_clock(struct st_proctree *t, unsigned long seq,
    unsigned long ids, unsigned node, time_t now)
{
	t->seq = seq;
	t->ids = ids;
	if (node >= t->nnow) {
		t->now = xreallocarray(t->now, node + 1, sizeof *t->now);
		memset(t->now + t->nnow, 0, (node + 1 - t->nnow) *
		    sizeof *t->now);
		t->nnow = node + 1;
	}
	if (now > t->now[node])
		t->now[node] = now;
}

/*
 * A process a checkpoint carried, made the holder of its pid; the table
 * takes the reference it is given with.
 */
void
st_proctree_adopt(struct st_proctree *t, struct st_proc *p)
{
	st_map_put(&t->procs, proc_key(p->node, p->pid), p);
	if (p->id > t->ids)
		t->ids = p->id;
}

/*
 * Makes parent the parent of child (no reference counted yet) and lists
 * child first among its children: a checkpoint's are linked oldest first.
 * false if that would make a cycle.
 */
bool
st_proc_link(struct st_proc *child, struct st_proc *parent)
{
	if (child->parent != NULL || is_ancestor(child, parent))
		return false;
	child->parent = st_proc_ref(parent);
	kid_link(child);
	return true;
}

/* After matching, keep only what ancestry and parent conditions need. */
void
st_proctree_trim(struct st_proc *p)
{
	struct st_image *img = p->image;
	size_t i, keep, total = 0, len;
	char **v;

	if (img == NULL)
		return;
	for (keep = 0; keep < img->argc; keep++) {
		len = strlen(img->argv[keep]) + 1;
		if (total + len > ARGV_KEEP)
			break;
		total += len;
	}
	if (keep == img->argc)
		return;
	v = pack_argv(img->argv, keep);
	if (!img->argv_packed)
		for (i = 0; i < img->argc; i++)
			free(img->argv[i]);
	free(img->argv);
	img->argv = v;
	img->argv_packed = true;
	img->argv_truncated = true;
	img->argc = keep;
}

const char *
st_proc_exe(const struct st_proc *p)
{
	if (p->image != NULL && p->image->exe != NULL)
		return p->image->exe;
	return p->exe;
}

/*
 * The process's argv: its current program's, else the PROCTITLE seen,
 * split (then *owned: free the array, not the strings).  0 when unknown.
 */
size_t
st_proc_argv(const struct st_proc *p, char ***argv, bool *owned)
{
	const char *s;
	size_t n = 0;

	*argv = NULL;
	*owned = false;
	if (p->image != NULL) {
		*argv = p->image->argv;
		return p->image->argc;
	}
	if (p->title == NULL)
		return 0;
	for (s = p->title; s < p->title + p->title_len; s += strlen(s) + 1) {
		*argv = xreallocarray(*argv, n + 1, sizeof **argv);
		(*argv)[n++] = (char *)(uintptr_t)s;
	}
	*owned = true;
	return n;
}

/* argv for people: the current program's, else the PROCTITLE seen. */
void
st_proc_cmdline(const struct st_proc *p, struct st_buf *out, size_t max)
{
	char **v = NULL;
	const char *s;
	size_t n = 0;

	if (p->image != NULL) {
		st_format_argv(out, p->image->argv, p->image->argc, max);
		if (p->image->argv_truncated && p->image->argc > 0)
			st_buf_adds(out, " [truncated]");
		return;
	}
	if (p->title != NULL) {
		for (s = p->title; s < p->title + p->title_len;
		    s += strlen(s) + 1) {
			v = xreallocarray(v, n + 1, sizeof *v);
			v[n++] = (char *)(uintptr_t)s;
		}
		st_format_argv(out, v, n, max);
		free(v);
		return;
	}
	if (p->comm != NULL) {
		st_buf_addc(out, '[');
		st_escape(out, p->comm, strlen(p->comm));
		st_buf_addc(out, ']');
	}
}
