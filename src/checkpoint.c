/*
 * checkpoint.c: --checkpoint FILE, so that a timer on a long-lived runner
 * reports only what is new, and a responder can replay a log in pieces.
 *
 * What a run leaves for the next:
 *   - where it stopped: per input file its identity (device, inode, a hash
 *     of its first bytes) and the byte after the last whole line taken;
 *     per node the serial numbers seen (reader.c's marks), so that an
 *     event read again (a file rotated and compressed, a file given under
 *     another name) is known and skipped;
 *   - what the analysis of later events needs: the processes that can
 *     still exec or have children, with their programs, parents, steps and
 *     the recipes already filed on each exec; the steps; the tree's clocks;
 *   - the findings it reported: a later hit of one of them is a repeat,
 *     not reported again (unless it is more severe now).
 *
 * Events still open at the end of the log (auditd may be writing the rest
 * of their records) are held back, not analysed half-read: the next run
 * reads again from where the earliest of them began.  If the log has not
 * grown since, they are taken as they are.
 *
 * The file is JSON Lines, one record per line: a header with the format
 * version, then the records, then a trailer with their number and a hash
 * of every byte before it.  A checkpoint cut short, altered or of another
 * version is refused with the line at fault, and nothing of it is used;
 * --checkpoint-reset starts over.  It is written to FILE.tmp, fsync'ed,
 * renamed over FILE and the directory fsync'ed: a crash leaves the old
 * checkpoint or the new one, never a mix.
 *
 * Strings are written as JSON strings when they are printable ASCII, else
 * as {"hex": "..."}: argv is attacker-controlled bytes, and must come back
 * exactly as it was read.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "steptrail.h"

#define FORMAT_VERSION	1

/* Bytes of an input file hashed to know it again (inodes are reused). */
#define HEAD_BYTES	4096

/* A checkpoint larger than this is not one of ours. */
#define FILE_MAX	((size_t)1 << 30)

/*
 * Findings remembered as reported: a fold key's step number changes with
 * every job, so old ones stop mattering; the most recent are kept.
 */
#define REPORTED_MAX	65536

/* Programs per process (proctree.c's IMAGES_MAX). */
#define IMAGES_MAX	8

/* ------------------------------------------------------------- writing */

static void
put_str(struct st_buf *b, const char *s)
{
	const unsigned char *p;
	bool plain = true;

	if (s == NULL) {
		st_buf_adds(b, "null");
		return;
	}
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			plain = false;
	if (!plain) {
		st_buf_adds(b, "{\"hex\":\"");
		for (p = (const unsigned char *)s; *p != '\0'; p++)
			st_buf_addf(b, "%02x", *p);
		st_buf_adds(b, "\"}");
		return;
	}
	st_buf_addc(b, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			st_buf_addc(b, '\\');
		st_buf_addc(b, (char)*p);
	}
	st_buf_addc(b, '"');
}

static void
key_str(struct st_buf *b, const char *key, const char *s)
{
	st_buf_addf(b, ",\"%s\":", key);
	put_str(b, s);
}

static void
key_num(struct st_buf *b, const char *key, long long v)
{
	st_buf_addf(b, ",\"%s\":%lld", key, v);
}

static void
key_bool(struct st_buf *b, const char *key, bool v)
{
	st_buf_addf(b, ",\"%s\":%s", key, v ? "true" : "false");
}

/* A node's name; "" for the local one. */
static const char *
node_str(unsigned id)
{
	const char *s = st_node_name(id);

	return s != NULL ? s : "";
}

struct writer {
	struct st_buf	 out;
	unsigned long	 records;
	struct st_map	 saved;		/* st_proc id -> the proc */
	struct st_proc	**procs;	/* to write, parents first */
	size_t		 nprocs;
	struct st_map	 steps;		/* step number -> the step */
	const struct st_proctree *tree;
};

/* One record: {"KIND":{...}}; body begins with a comma (key_*). */
static void
record(struct writer *w, const char *kind, struct st_buf *body)
{
	st_buf_addf(&w->out, "{\"%s\":{", kind);
	st_buf_add(&w->out, body->len > 0 ? body->d + 1 : "", body->len > 0 ?
	    body->len - 1 : 0);
	st_buf_adds(&w->out, "}}\n");
	st_buf_reset(body);
	w->records++;
}

static void
want_step(struct writer *w, const struct st_step *s)
{
	if (s != NULL && st_map_get(&w->steps, s->number) == NULL)
		st_map_put(&w->steps, s->number, (void *)(uintptr_t)s);
}

/* p and its ancestors are written (idle leaves a sweep would drop: not). */
static void
want_proc(struct st_proc *p, void *arg)
{
	struct writer *w = arg;

	if (st_proctree_idle(w->tree, p))
		return;
	for (; p != NULL && st_map_get(&w->saved, p->id) == NULL;
	    p = p->parent) {
		st_map_put(&w->saved, p->id, p);
		w->procs = xreallocarray(w->procs, w->nprocs + 1,
		    sizeof *w->procs);
		w->procs[w->nprocs++] = p;
	}
}

/*
 * Parents before children, and each one's children oldest first: linked
 * in file order, each put first in its parent's list, they come back
 * newest first as they were (sibling scopes look at the newest).
 */
static void
order_procs(struct writer *w)
{
	struct st_proc **q = xreallocarray(NULL, w->nprocs + 1, sizeof *q);
	struct st_proc *c, *last;
	size_t head = 0, n = 0, i;

	for (i = 0; i < w->nprocs; i++)
		if (w->procs[i]->parent == NULL ||
		    st_map_get(&w->saved, w->procs[i]->parent->id) == NULL)
			q[n++] = w->procs[i];
	while (head < n) {
		last = NULL;
		for (c = q[head]->kids; c != NULL; c = c->sib_next)
			last = c;
		for (c = last; c != NULL; c = c->sib_prev)
			if (st_map_get(&w->saved, c->id) != NULL && n < w->nprocs)
				q[n++] = c;
		head++;
	}
	free(w->procs);
	w->procs = q;
	w->nprocs = n;
}

static void
write_image(struct st_buf *b, const struct st_image *img)
{
	const struct st_recipe *r;
	size_t i;

	st_buf_adds(b, "{\"serial\":");
	st_buf_addf(b, "%lu", img->serial);
	key_num(b, "sec", (long long)img->sec);
	key_num(b, "ms", img->ms);
	key_str(b, "exe", img->exe);
	key_str(b, "comm", img->comm);
	key_str(b, "path", img->path);
	key_str(b, "cwd", img->cwd);
	key_str(b, "key", img->key);
	key_num(b, "uid", img->uid);
	key_num(b, "euid", img->euid);
	key_num(b, "auid", img->auid);
	key_bool(b, "argv_truncated", img->argv_truncated);
	key_bool(b, "incomplete", img->incomplete);
	st_buf_adds(b, ",\"argv\":[");
	for (i = 0; i < img->argc; i++) {
		if (i > 0)
			st_buf_addc(b, ',');
		put_str(b, img->argv[i]);
	}
	st_buf_adds(b, "],\"filed\":[");
	for (i = 0; i < img->nfiled; i++) {
		r = img->filed[i].recipe;
		st_buf_adds(b, i > 0 ? ",{\"recipe\":" : "{\"recipe\":");
		put_str(b, r->name);
		st_buf_addf(b, ",\"severity\":%d}", img->filed[i].severity);
	}
	st_buf_adds(b, "]}");
}

static void
write_proc(struct writer *w, const struct st_proc *p, struct st_buf *b)
{
	const struct st_image *img;
	const char *s;
	bool current = st_proctree_find((struct st_proctree *)(uintptr_t)
	    w->tree, p->node, p->pid) == p;

	key_num(b, "id", (long long)p->id);
	key_str(b, "node", node_str(p->node));
	key_num(b, "pid", p->pid);
	key_num(b, "ppid", p->ppid);
	key_num(b, "parent", p->parent != NULL ? (long long)p->parent->id : 0);
	key_bool(b, "current", current);
	key_num(b, "sec", (long long)p->sec);
	key_num(b, "ms", p->ms);
	st_buf_addf(b, ",\"serial\":%lu,\"last_seq\":%lu", p->serial,
	    p->last_seq);
	key_num(b, "last_sec", (long long)p->last_sec);
	key_num(b, "ses", p->ses);
	key_num(b, "birth", p->birth);
	key_str(b, "exe", p->exe);
	key_str(b, "comm", p->comm);
	st_buf_adds(b, ",\"title\":");
	if (p->title == NULL)
		st_buf_adds(b, "null");
	else {
		st_buf_addc(b, '[');
		for (s = p->title; s < p->title + p->title_len;
		    s += strlen(s) + 1) {
			if (s != p->title)
				st_buf_addc(b, ',');
			put_str(b, s);
		}
		st_buf_addc(b, ']');
	}
	key_num(b, "step", p->step != NULL ? p->step->number : 0);
	key_num(b, "step_by", p->step_by);
	key_bool(b, "attributed", p->attributed);
	key_num(b, "marker", p->marker != NULL ? p->marker->number : 0);
	st_buf_adds(b, ",\"images\":[");
	for (img = p->image; img != NULL; img = img->prev) {
		if (img != p->image)
			st_buf_addc(b, ',');
		write_image(b, img);
	}
	st_buf_addc(b, ']');
	record(w, "proc", b);
}

static void
write_marks(struct writer *w, const struct st_reader *r, struct st_buf *b)
{
	struct st_reader_mark *m;
	size_t n, i, k;

	n = st_reader_marks(r, &m);
	for (i = 0; i < n; i++) {
		key_str(b, "node", node_str(m[i].node));
		key_num(b, "lo", m[i].lo);
		key_num(b, "hi", m[i].hi);
		key_num(b, "hi_sec", (long long)m[i].hi_sec);
		key_num(b, "hi_ms", m[i].hi_ms);
		st_buf_adds(b, ",\"ring\":\"");
		for (k = 0; k < ST_MARK_RING / 64; k++)
			st_buf_addf(b, "%016" PRIx64, m[i].ring[k]);
		st_buf_addc(b, '"');
		key_bool(b, "newest", m[i].newest);
		key_num(b, "newest_sec", (long long)m[i].newest_sec);
		key_num(b, "newest_serial", m[i].newest_serial);
		record(w, "mark", b);
	}
	free(m);
}

/* FNV-1a of a file's first len bytes; false if it has fewer. */
static bool
head_hash(int fd, size_t len, uint64_t *h)
{
	char buf[HEAD_BYTES];
	size_t got = 0;
	ssize_t n;

	if (len > sizeof buf)
		return false;
	while (got < len) {
		n = pread(fd, buf + got, len - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	*h = st_hash64(buf, len);
	return true;
}

/*
 * Inputs: where each was read to.  From the input where held events began
 * on, the next run reads again (their records may go on in a later file);
 * the marks skip what was read.
 */
static void
write_inputs(struct writer *w, const struct st_source *src,
    const struct st_reader *r, struct st_buf *b)
{
	const struct st_input *in;
	struct stat sb;
	unsigned long long held_pos = 0, end;
	unsigned held_input = 0;
	uint64_t h;
	size_t i, len;
	bool after = false;
	int fd;

	if (!st_reader_held(r, &held_input, &held_pos))
		held_input = 0;
	for (i = 0; i < src->n; i++) {
		in = &src->v[i];
		if (in->read_no != 0 && in->read_no == held_input) {
			end = held_pos;
			after = true;
		} else if (after)
			end = in->start;
		else
			end = in->end;
		if (!in->sized || in->error != NULL || in->ino == 0)
			continue;
		/* the file is closed: its name finds it again, if it is the
		 * same (same inode); else it is left out */
		if ((fd = open(in->name, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		if (fstat(fd, &sb) != 0 || (unsigned long long)sb.st_dev !=
		    in->dev || (unsigned long long)sb.st_ino != in->ino) {
			close(fd);
			continue;
		}
		len = sb.st_size < HEAD_BYTES ? (size_t)sb.st_size : HEAD_BYTES;
		if (!head_hash(fd, len, &h)) {
			close(fd);
			continue;
		}
		close(fd);
		key_str(b, "name", in->name);
		st_buf_addf(b, ",\"dev\":\"%llu\",\"ino\":\"%llu\"", in->dev,
		    in->ino);
		key_num(b, "size", (long long)sb.st_size);
		key_num(b, "end", (long long)end);
		key_bool(b, "compressed", in->decompressor != NULL);
		key_num(b, "head", (long long)len);
		st_buf_addf(b, ",\"head_hash\":\"%016" PRIx64 "\"", h);
		record(w, "input", b);
	}
}

static void
write_action(const char *name, unsigned n, void *arg)
{
	struct writer *w = arg;
	struct st_buf b = { 0 };

	key_str(&b, "name", name);
	key_num(&b, "n", n);
	record(w, "action", &b);
	st_buf_free(&b);
}

static void
write_step(struct writer *w, const struct st_steps *ss,
    const struct st_step *s, struct st_buf *b)
{
	key_num(b, "number", s->number);
	key_num(b, "kind", s->kind);
	key_str(b, "name", s->name);
	key_str(b, "derived", s->derived);
	key_str(b, "detail", s->detail);
	key_str(b, "node", node_str(s->node));
	key_num(b, "pid", s->pid);
	key_num(b, "sec", (long long)s->sec);
	key_num(b, "ms", s->ms);
	key_num(b, "last_sec", (long long)s->last_sec);
	key_num(b, "last_ms", s->last_ms);
	key_bool(b, "latest", ss->latest == s);
	key_bool(b, "latest_on", st_map_get(&ss->latest_on,
	    (uint64_t)s->node + 1) == s);
	record(w, "step", b);
}

static int
cmp_step(const void *a, const void *b)
{
	const struct st_step *x = *(const struct st_step *const *)a;
	const struct st_step *y = *(const struct st_step *const *)b;

	return x->number < y->number ? -1 : x->number > y->number;
}

static void
collect_step(uint64_t key, void *val, void *arg)
{
	struct st_buf *v = arg;

	(void)key;
	st_buf_add(v, &val, sizeof val);
}

static int
cmp_reported(const void *a, const void *b)
{
	const struct st_reported *x = a, *y = b;

	return x->sec > y->sec ? -1 : x->sec < y->sec;
}

/*
 * The checkpoint of a finished analysis, as text (caller frees).  The
 * findings reported now join those reported before.
 */
char *
st_checkpoint_build(const struct st_proctree *t, const struct st_reader *r,
    const struct st_steps *ss, struct st_findings *fs,
    const struct st_source *src, size_t *len)
{
	struct writer w = { 0 };
	struct st_buf b = { 0 }, sv = { 0 };
	struct st_step **steps;
	const time_t *now;
	unsigned long seq, ids;
	struct st_reported *rp;
	size_t nnow, i, n;
	uint64_t h;

	w.tree = t;
	st_buf_addf(&w.out, "{\"steptrail-checkpoint\":{\"format\":%d,"
	    "\"version\":\"%s\"}}\n", FORMAT_VERSION, PACKAGE_VERSION);
	w.records++;
	write_marks(&w, r, &b);
	st_proctree_clock(t, &seq, &ids, &now, &nnow);
	key_num(&b, "seq", (long long)seq);
	key_num(&b, "ids", (long long)ids);
	record(&w, "tree", &b);
	for (i = 0; i < nnow; i++) {
		if (now[i] == 0)
			continue;
		key_str(&b, "node", node_str((unsigned)i));
		key_num(&b, "sec", (long long)now[i]);
		record(&w, "now", &b);
	}
	write_inputs(&w, src, r, &b);

	/* the processes first decide which steps are needed */
	st_proctree_each(t, want_proc, &w);
	order_procs(&w);
	for (i = 0; i < w.nprocs; i++) {
		want_step(&w, w.procs[i]->step);
		want_step(&w, w.procs[i]->marker);
	}
	want_step(&w, ss->latest);
	for (i = 0; i < ss->n; i++)
		if (st_map_get(&ss->latest_on, (uint64_t)ss->v[i]->node + 1) ==
		    ss->v[i])
			want_step(&w, ss->v[i]);
	key_num(&b, "numbered", ss->numbered);
	key_num(&b, "ngitlab", ss->ngitlab);
	key_num(&b, "njenkins", ss->njenkins);
	key_num(&b, "markers", (long long)ss->markers);
	record(&w, "steps", &b);
	st_steps_actions(ss, write_action, &w);
	st_map_foreach(&w.steps, collect_step, &sv);
	steps = (struct st_step **)(void *)sv.d;
	n = sv.len / sizeof *steps;
	if (n > 0)
		qsort(steps, n, sizeof *steps, cmp_step);
	for (i = 0; i < n; i++)
		write_step(&w, ss, steps[i], &b);
	for (i = 0; i < w.nprocs; i++)
		write_proc(&w, w.procs[i], &b);

	for (i = 0; i < fs->n; i++)
		st_findings_add_reported(fs, fs->v[i]->hash,
		    (int)fs->v[i]->severity, fs->v[i]->last_sec);
	rp = xreallocarray(NULL, fs->nreported + 1, sizeof *rp);
	if (fs->nreported > 0)
		memcpy(rp, fs->reported, fs->nreported * sizeof *rp);
	n = fs->nreported;
	if (n > REPORTED_MAX) {
		qsort(rp, n, sizeof *rp, cmp_reported);
		n = REPORTED_MAX;
	}
	for (i = 0; i < n; i++) {
		st_buf_addf(&b, ",\"hash\":\"%016" PRIx64 "\"", rp[i].hash);
		key_num(&b, "severity", rp[i].severity);
		key_num(&b, "sec", (long long)rp[i].sec);
		record(&w, "reported", &b);
	}
	free(rp);

	h = st_hash64(w.out.d, w.out.len);
	st_buf_addf(&w.out, "{\"end\":{\"records\":%lu,\"hash\":\"%016" PRIx64
	    "\"}}\n", w.records, h);
	st_buf_free(&b);
	st_buf_free(&sv);
	st_map_free(&w.saved);
	st_map_free(&w.steps);
	free(w.procs);
	*len = w.out.len;
	return st_buf_steal(&w.out);
}

/* ------------------------------------------------------------- loading */

struct loader {
	struct st_checkpoint *ck;
	const struct st_recipes *rs;
	const char	*path;
	unsigned long	 line;
	struct st_map	 steps;		/* number -> step */
	struct st_map	 procs;		/* id -> proc */
	struct st_map	 current;	/* node, pid -> proc */
	uint64_t	*parents;	/* of ck->procs, by index */
	char		*why;		/* the first error */
};

static int
bad(struct loader *l, const char *fmt, ...) ST_PRINTF(2, 3);

static int
bad(struct loader *l, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (l->why != NULL)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		st_fatal("out of memory");
	va_end(ap);
	l->why = xasprintf("%s:%lu: %s", l->path, l->line, msg);
	free(msg);
	return -1;
}

/* An integer in [lo, hi] (doubles hold integers exactly to 2^53). */
static int
get_num(struct loader *l, const cJSON *o, const char *key, double lo,
    double hi, long long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v))
		return bad(l, "\"%s\": a number expected", key);
	if (v->valuedouble < lo || v->valuedouble > hi ||
	    v->valuedouble != (double)(long long)v->valuedouble)
		return bad(l, "\"%s\": %g is out of range", key,
		    v->valuedouble);
	*out = (long long)v->valuedouble;
	return 0;
}

static int
get_bool(struct loader *l, const cJSON *o, const char *key, bool *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsBool(v))
		return bad(l, "\"%s\": true or false expected", key);
	*out = cJSON_IsTrue(v);
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* A string: "text", {"hex": "..."} (no NUL), or null where allowed. */
static int
decode_str(struct loader *l, const cJSON *v, const char *key, bool nullable,
    char **out)
{
	const cJSON *hex;
	const char *s;
	size_t n, i;
	int hi, lo;

	*out = NULL;
	if (cJSON_IsNull(v) && nullable)
		return 0;
	if (cJSON_IsString(v)) {
		*out = xstrdup(v->valuestring);
		return 0;
	}
	if (!cJSON_IsObject(v) || !cJSON_IsString(hex =
	    cJSON_GetObjectItemCaseSensitive(v, "hex")))
		return bad(l, "\"%s\": a string expected", key);
	s = hex->valuestring;
	n = strlen(s);
	if (n % 2 != 0)
		return bad(l, "\"%s\": odd hex", key);
	*out = xmalloc(n / 2 + 1);
	for (i = 0; i < n / 2; i++) {
		if ((hi = hexval(s[2 * i])) < 0 ||
		    (lo = hexval(s[2 * i + 1])) < 0 || (hi | lo) == 0) {
			free(*out);
			*out = NULL;
			return bad(l, "\"%s\": bad hex", key);
		}
		(*out)[i] = (char)(hi << 4 | lo);
	}
	(*out)[n / 2] = '\0';
	return 0;
}

static int
get_str(struct loader *l, const cJSON *o, const char *key, bool nullable,
    char **out)
{
	return decode_str(l, cJSON_GetObjectItemCaseSensitive(o, key), key,
	    nullable, out);
}

/* A node name, as an id of this run. */
static int
get_node(struct loader *l, const cJSON *o, unsigned *node)
{
	char *name;

	if (get_str(l, o, "node", false, &name) != 0)
		return -1;
	*node = st_node_intern(name);
	free(name);
	return 0;
}

static int
get_hex64(struct loader *l, const cJSON *o, const char *key, uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	size_t i;
	int d;

	if (!cJSON_IsString(v) || strlen(v->valuestring) != 16)
		return bad(l, "\"%s\": 16 hex digits expected", key);
	*out = 0;
	for (i = 0; i < 16; i++) {
		if ((d = hexval(v->valuestring[i])) < 0)
			return bad(l, "\"%s\": bad hex", key);
		*out = *out << 4 | (uint64_t)d;
	}
	return 0;
}

/* A decimal string (inode numbers need all 64 bits). */
static int
get_u64(struct loader *l, const cJSON *o, const char *key,
    unsigned long long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char *end;

	if (!cJSON_IsString(v) || v->valuestring[0] < '0' ||
	    v->valuestring[0] > '9')
		return bad(l, "\"%s\": a decimal string expected", key);
	errno = 0;
	*out = strtoull(v->valuestring, &end, 10);
	if (errno != 0 || *end != '\0')
		return bad(l, "\"%s\": a decimal string expected", key);
	return 0;
}

#define NUM(o, k, lo, hi, dst) do {					\
	long long v_;							\
	if (get_num(l, o, k, lo, hi, &v_) != 0)				\
		return -1;						\
	(dst) = v_;							\
} while (0)

#define TIME_MAX	9.0e15
#define U32		4294967295.0

static int
load_mark(struct loader *l, const cJSON *o)
{
	struct st_checkpoint *ck = l->ck;
	struct st_reader_mark m = { 0 };
	const cJSON *ring = cJSON_GetObjectItemCaseSensitive(o, "ring");
	size_t k, i;
	int d;

	if (get_node(l, o, &m.node) != 0)
		return -1;
	NUM(o, "lo", 0, U32, m.lo);
	NUM(o, "hi", 0, U32, m.hi);
	NUM(o, "hi_sec", -TIME_MAX, TIME_MAX, m.hi_sec);
	NUM(o, "hi_ms", 0, 999, m.hi_ms);
	NUM(o, "newest_sec", -TIME_MAX, TIME_MAX, m.newest_sec);
	NUM(o, "newest_serial", 0, U32, m.newest_serial);
	if (get_bool(l, o, "newest", &m.newest) != 0)
		return -1;
	if ((int32_t)(m.hi - m.lo) < 0 || (int32_t)(m.hi - m.lo) >=
	    ST_MARK_RING)
		return bad(l, "serials %u..%u: not what a ring holds", m.lo,
		    m.hi);
	if (!cJSON_IsString(ring) || strlen(ring->valuestring) !=
	    ST_MARK_RING / 4)
		return bad(l, "\"ring\": %d hex digits expected",
		    ST_MARK_RING / 4);
	for (k = 0; k < ST_MARK_RING / 64; k++)
		for (i = 0; i < 16; i++) {
			if ((d = hexval(ring->valuestring[k * 16 + i])) < 0)
				return bad(l, "\"ring\": bad hex");
			m.ring[k] = m.ring[k] << 4 | (uint64_t)d;
		}
	for (k = 0; k < ck->nmarks; k++)
		if (ck->marks[k].node == m.node)
			return bad(l, "node %s marked twice",
			    node_str(m.node));
	ck->marks = xreallocarray(ck->marks, ck->nmarks + 1,
	    sizeof *ck->marks);
	ck->marks[ck->nmarks++] = m;
	return 0;
}

static int
load_input(struct loader *l, const cJSON *o)
{
	struct st_checkpoint *ck = l->ck;
	struct st_ck_input in = { 0 };

	if (get_u64(l, o, "dev", &in.dev) != 0 ||
	    get_u64(l, o, "ino", &in.ino) != 0 ||
	    get_bool(l, o, "compressed", &in.compressed) != 0 ||
	    get_hex64(l, o, "head_hash", &in.head_hash) != 0)
		return -1;
	NUM(o, "size", 0, TIME_MAX, in.size);
	NUM(o, "end", 0, TIME_MAX, in.end);
	NUM(o, "head", 0, HEAD_BYTES, in.head);
	if (in.head > in.size || (!in.compressed && in.end > in.size))
		return bad(l, "an input read beyond its size");
	ck->inputs = xreallocarray(ck->inputs, ck->ninputs + 1,
	    sizeof *ck->inputs);
	ck->inputs[ck->ninputs++] = in;
	return 0;
}

static int
load_step(struct loader *l, const cJSON *o)
{
	struct st_checkpoint *ck = l->ck;
	struct st_step *s = xcalloc(1, sizeof *s);
	bool latest = false, latest_on = false;

	ck->steps = xreallocarray(ck->steps, ck->nsteps + 1,
	    sizeof *ck->steps);
	ck->steps[ck->nsteps++] = s;	/* freed with ck on error */
	NUM(o, "number", 1, U32, s->number);
	NUM(o, "kind", ST_STEP_RUN, ST_STEP_MARKER, s->kind);
	NUM(o, "pid", -1, 2147483647.0, s->pid);
	NUM(o, "sec", -TIME_MAX, TIME_MAX, s->sec);
	NUM(o, "ms", 0, 999, s->ms);
	NUM(o, "last_sec", -TIME_MAX, TIME_MAX, s->last_sec);
	NUM(o, "last_ms", 0, 999, s->last_ms);
	if (get_str(l, o, "name", false, &s->name) != 0 ||
	    get_str(l, o, "derived", false, &s->derived) != 0 ||
	    get_str(l, o, "detail", true, &s->detail) != 0 ||
	    get_node(l, o, &s->node) != 0 ||
	    get_bool(l, o, "latest", &latest) != 0 ||
	    get_bool(l, o, "latest_on", &latest_on) != 0)
		return -1;
	if (s->number > ck->numbered)
		return bad(l, "step %u beyond the %u numbered", s->number,
		    ck->numbered);
	if (st_map_get(&l->steps, s->number) != NULL)
		return bad(l, "step %u twice", s->number);
	st_map_put(&l->steps, s->number, s);
	if (latest) {
		if (ck->latest != NULL)
			return bad(l, "two latest steps");
		ck->latest = s;
	}
	if (latest_on) {
		ck->latest_on = xreallocarray(ck->latest_on,
		    ck->nlatest_on + 1, sizeof *ck->latest_on);
		ck->latest_on[ck->nlatest_on++] = s;
	}
	return 0;
}

static int
load_steps(struct loader *l, const cJSON *o)
{
	struct st_checkpoint *ck = l->ck;

	if (ck->steps_seen)
		return bad(l, "\"steps\" twice");
	ck->steps_seen = true;
	NUM(o, "numbered", 0, U32, ck->numbered);
	NUM(o, "ngitlab", 0, U32, ck->ngitlab);
	NUM(o, "njenkins", 0, U32, ck->njenkins);
	NUM(o, "markers", 0, TIME_MAX, ck->markers);
	return 0;
}

static int
load_action(struct loader *l, const cJSON *o)
{
	struct st_checkpoint *ck = l->ck;
	char *name;
	long long n;

	if (get_str(l, o, "name", false, &name) != 0)
		return -1;
	if (get_num(l, o, "n", 1, U32, &n) != 0) {
		free(name);
		return -1;
	}
	ck->actions = xreallocarray(ck->actions, ck->nactions + 1,
	    sizeof *ck->actions);
	ck->actions[ck->nactions].name = name;
	ck->actions[ck->nactions++].n = (unsigned)n;
	return 0;
}

static int
get_step_ref(struct loader *l, const cJSON *o, const char *key,
    struct st_step **out)
{
	long long n;

	if (get_num(l, o, key, 0, U32, &n) != 0)
		return -1;
	*out = NULL;
	if (n == 0)
		return 0;
	if ((*out = st_map_get(&l->steps, (uint64_t)n)) == NULL)
		return bad(l, "\"%s\": no step %lld", key, n);
	return 0;
}

static const struct st_recipe *
recipe_named(const struct st_recipes *rs, const char *name)
{
	size_t i;

	for (i = 0; rs != NULL && i < rs->n; i++)
		if (strcmp(rs->v[i].name, name) == 0)
			return &rs->v[i];
	return NULL;
}

static int
load_filed(struct loader *l, const cJSON *arr, struct st_image *img)
{
	const struct st_recipe *r;
	const cJSON *f;
	char *name;
	long long sev;

	if (!cJSON_IsArray(arr))
		return bad(l, "\"filed\": an array expected");
	cJSON_ArrayForEach(f, arr) {
		if (get_str(l, f, "recipe", false, &name) != 0)
			return -1;
		r = recipe_named(l->rs, name);
		free(name);
		if (get_num(l, f, "severity", ST_SEV_NONE, ST_SEV_CRITICAL,
		    &sev) != 0)
			return -1;
		if (r == NULL)
			continue;	/* a recipe no longer loaded */
		img->filed = xreallocarray(img->filed, img->nfiled + 1,
		    sizeof *img->filed);
		img->filed[img->nfiled].recipe = r;
		img->filed[img->nfiled].severity = (int)sev;
		img->filed[img->nfiled++].finding = NULL;
	}
	return 0;
}

static int
load_image(struct loader *l, const cJSON *o, struct st_image *img)
{
	const cJSON *argv = cJSON_GetObjectItemCaseSensitive(o, "argv"), *a;
	size_t n;

	NUM(o, "serial", 0, U32, img->serial);
	NUM(o, "sec", -TIME_MAX, TIME_MAX, img->sec);
	NUM(o, "ms", 0, 999, img->ms);
	NUM(o, "uid", 0, U32, img->uid);
	NUM(o, "euid", 0, U32, img->euid);
	NUM(o, "auid", 0, U32, img->auid);
	if (get_str(l, o, "exe", true, &img->exe) != 0 ||
	    get_str(l, o, "comm", true, &img->comm) != 0 ||
	    get_str(l, o, "path", true, &img->path) != 0 ||
	    get_str(l, o, "cwd", true, &img->cwd) != 0 ||
	    get_str(l, o, "key", true, &img->key) != 0 ||
	    get_bool(l, o, "argv_truncated", &img->argv_truncated) != 0 ||
	    get_bool(l, o, "incomplete", &img->incomplete) != 0)
		return -1;
	if (!cJSON_IsArray(argv))
		return bad(l, "\"argv\": an array expected");
	n = (size_t)cJSON_GetArraySize(argv);
	img->argv = xcalloc(n + 1, sizeof *img->argv);
	cJSON_ArrayForEach(a, argv) {
		if (decode_str(l, a, "argv", false, &img->argv[img->argc]) != 0)
			return -1;
		img->argc++;
	}
	return load_filed(l, cJSON_GetObjectItemCaseSensitive(o, "filed"), img);
}

static int
load_title(struct loader *l, const cJSON *o, struct st_proc *p)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "title"), *a;
	struct st_buf b = { 0 };
	char *s;

	if (cJSON_IsNull(t))
		return 0;
	if (!cJSON_IsArray(t))
		return bad(l, "\"title\": an array or null expected");
	cJSON_ArrayForEach(a, t) {
		if (decode_str(l, a, "title", false, &s) != 0) {
			st_buf_free(&b);
			return -1;
		}
		st_buf_add(&b, s, strlen(s) + 1);
		free(s);
	}
	p->title_len = b.len;
	st_buf_addc(&b, '\0');
	st_buf_addc(&b, '\0');
	p->title = st_buf_steal(&b);
	return 0;
}

static int
load_proc(struct loader *l, const cJSON *o)
{
	struct st_checkpoint *ck = l->ck;
	struct st_proc *p = xcalloc(1, sizeof *p);
	const cJSON *imgs = cJSON_GetObjectItemCaseSensitive(o, "images"), *io;
	struct st_image *img, **tail;
	long long parent;
	bool current = false;
	uint64_t key;

	ck->procs = xreallocarray(ck->procs, ck->nprocs + 1,
	    sizeof *ck->procs);
	ck->current = xreallocarray(ck->current, ck->nprocs + 1,
	    sizeof *ck->current);
	ck->current[ck->nprocs] = false;
	ck->procs[ck->nprocs++] = p;	/* freed with ck on error */
	l->parents = xreallocarray(l->parents, ck->nprocs,
	    sizeof *l->parents);
	l->parents[ck->nprocs - 1] = 0;
	NUM(o, "id", 1, TIME_MAX, p->id);
	NUM(o, "pid", 1, 2147483647.0, p->pid);
	NUM(o, "ppid", 0, 2147483647.0, p->ppid);
	NUM(o, "sec", -TIME_MAX, TIME_MAX, p->sec);
	NUM(o, "ms", 0, 999, p->ms);
	NUM(o, "serial", 0, U32, p->serial);
	NUM(o, "last_seq", 0, TIME_MAX, p->last_seq);
	NUM(o, "last_sec", -TIME_MAX, TIME_MAX, p->last_sec);
	NUM(o, "ses", 0, U32, p->ses);
	NUM(o, "birth", ST_BORN_SEEN, ST_BORN_PARENT, p->birth);
	NUM(o, "step_by", ST_ATTR_NONE, ST_ATTR_TIME, p->step_by);
	if (get_num(l, o, "parent", 0, TIME_MAX, &parent) != 0 ||
	    get_node(l, o, &p->node) != 0 ||
	    get_bool(l, o, "current", &current) != 0 ||
	    get_bool(l, o, "attributed", &p->attributed) != 0 ||
	    get_str(l, o, "exe", true, &p->exe) != 0 ||
	    get_str(l, o, "comm", true, &p->comm) != 0 ||
	    load_title(l, o, p) != 0 ||
	    get_step_ref(l, o, "step", &p->step) != 0 ||
	    get_step_ref(l, o, "marker", &p->marker) != 0)
		return -1;
	l->parents[ck->nprocs - 1] = (uint64_t)parent;
	if (st_map_get(&l->procs, p->id) != NULL)
		return bad(l, "process id %lu twice", p->id);
	st_map_put(&l->procs, p->id, p);
	if (current) {
		key = (uint64_t)p->node << 32 | (uint32_t)p->pid;
		if (st_map_get(&l->current, key) != NULL)
			return bad(l, "two current processes with pid %d",
			    p->pid);
		st_map_put(&l->current, key, p);
		p->refs = 1;		/* the table's, once adopted */
		ck->current[ck->nprocs - 1] = true;
	}
	if (!cJSON_IsArray(imgs))
		return bad(l, "\"images\": an array expected");
	if (cJSON_GetArraySize(imgs) > IMAGES_MAX)
		return bad(l, "more than %d programs in one process",
		    IMAGES_MAX);
	tail = &p->image;
	cJSON_ArrayForEach(io, imgs) {
		img = xcalloc(1, sizeof *img);
		*tail = img;		/* freed with p on error */
		tail = &img->prev;
		p->nimages++;
		if (load_image(l, io, img) != 0)
			return -1;
	}
	return 0;
}

static int
load_reported(struct loader *l, const cJSON *o)
{
	struct st_checkpoint *ck = l->ck;
	struct st_reported rp;

	if (get_hex64(l, o, "hash", &rp.hash) != 0)
		return -1;
	NUM(o, "severity", ST_SEV_LOW, ST_SEV_CRITICAL, rp.severity);
	NUM(o, "sec", -TIME_MAX, TIME_MAX, rp.sec);
	if (ck->nreported >= REPORTED_MAX)
		return bad(l, "more than %d findings reported", REPORTED_MAX);
	ck->reported = xreallocarray(ck->reported, ck->nreported + 1,
	    sizeof *ck->reported);
	ck->reported[ck->nreported++] = rp;
	return 0;
}

static int
load_now(struct loader *l, const cJSON *o)
{
	struct st_checkpoint *ck = l->ck;
	unsigned node;
	long long sec;

	if (get_node(l, o, &node) != 0 ||
	    get_num(l, o, "sec", -TIME_MAX, TIME_MAX, &sec) != 0)
		return -1;
	ck->now = xreallocarray(ck->now, ck->nnow + 1, sizeof *ck->now);
	ck->now[ck->nnow].node = node;
	ck->now[ck->nnow++].sec = (time_t)sec;
	return 0;
}

static int
load_tree(struct loader *l, const cJSON *o)
{
	struct st_checkpoint *ck = l->ck;

	if (ck->tree_seen)
		return bad(l, "\"tree\" twice");
	ck->tree_seen = true;
	NUM(o, "seq", 0, TIME_MAX, ck->seq);
	NUM(o, "ids", 0, TIME_MAX, ck->ids);
	return 0;
}

static const struct {
	const char	*kind;
	int		(*load)(struct loader *, const cJSON *);
} kinds[] = {
	{ "mark", load_mark },
	{ "tree", load_tree },
	{ "now", load_now },
	{ "input", load_input },
	{ "steps", load_steps },
	{ "action", load_action },
	{ "step", load_step },
	{ "proc", load_proc },
	{ "reported", load_reported },
};

/* One line: {"KIND": {...}}. */
static int
load_line(struct loader *l, const char *s, size_t n)
{
	cJSON *root, *body;
	size_t i;
	int rc;

	if ((root = cJSON_ParseWithLength(s, n)) == NULL)
		return bad(l, "not JSON");
	body = root->child;
	if (!cJSON_IsObject(root) || body == NULL || body->next != NULL ||
	    !cJSON_IsObject(body)) {
		cJSON_Delete(root);
		return bad(l, "not a checkpoint record");
	}
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(body->string, kinds[i].kind) == 0)
			break;
	if (i == sizeof kinds / sizeof kinds[0])
		rc = bad(l, "unknown record \"%.40s\"", body->string);
	else
		rc = kinds[i].load(l, body);
	cJSON_Delete(root);
	return rc;
}

/* The header: this format's version, or a clear refusal. */
static int
load_header(struct loader *l, const char *s, size_t n)
{
	cJSON *root, *h;
	long long v = 0;
	int rc = 0;

	root = cJSON_ParseWithLength(s, n);
	h = cJSON_GetObjectItemCaseSensitive(root, "steptrail-checkpoint");
	if (!cJSON_IsObject(h))
		rc = bad(l, "not a steptrail checkpoint");
	else if (get_num(l, h, "format", 1, U32, &v) == 0 &&
	    v != FORMAT_VERSION)
		rc = bad(l, "checkpoint format %lld; this steptrail reads "
		    "format %d", v, FORMAT_VERSION);
	else if (v == 0)
		rc = -1;
	cJSON_Delete(root);
	return rc;
}

/* The trailer: the records counted and the bytes before it hashed. */
static int
load_trailer(struct loader *l, const char *s, size_t n, const char *all,
    unsigned long records)
{
	cJSON *root, *e;
	uint64_t h;
	long long count;
	int rc = -1;

	root = cJSON_ParseWithLength(s, n);
	e = cJSON_GetObjectItemCaseSensitive(root, "end");
	if (!cJSON_IsObject(e))
		bad(l, "cut short: no end record");
	else if (get_num(l, e, "records", 0, TIME_MAX, &count) == 0 &&
	    get_hex64(l, e, "hash", &h) == 0) {
		if ((unsigned long)count != records)
			bad(l, "%lu records, the end record says %lld",
			    records, count);
		else if (h != st_hash64(all, (size_t)(s - all)))
			bad(l, "altered: its hash does not match");
		else
			rc = 0;
	}
	cJSON_Delete(root);
	return rc;
}

/* Parents linked, references counted, and nothing left unheld. */
static int
link_procs(struct loader *l)
{
	struct st_checkpoint *ck = l->ck;
	struct st_proc *p, *parent;
	size_t i;

	for (i = 0; i < ck->nprocs; i++) {
		p = ck->procs[i];
		if (l->parents[i] == 0)
			continue;
		if ((parent = st_map_get(&l->procs, l->parents[i])) == NULL)
			return bad(l, "process %lu: no parent %" PRIu64, p->id,
			    l->parents[i]);
		if (!st_proc_link(p, parent))
			return bad(l, "process %lu: its parents make a cycle",
			    p->id);
	}
	for (i = 0; i < ck->nprocs; i++)
		if (ck->procs[i]->refs == 0)
			return bad(l, "process %lu: neither current nor a "
			    "parent", ck->procs[i]->id);
	return 0;
}

/* Frees what a checkpoint holds and has not given away. */
void
st_checkpoint_free(struct st_checkpoint *ck)
{
	struct st_image *img;
	size_t i;

	for (i = 0; i < ck->nprocs; i++) {
		/* whole, whatever their references: they are all here */
		while ((img = ck->procs[i]->image) != NULL) {
			ck->procs[i]->image = img->prev;
			st_image_free(img);
		}
		free(ck->procs[i]->exe);
		free(ck->procs[i]->comm);
		free(ck->procs[i]->title);
		free(ck->procs[i]);
	}
	free(ck->procs);
	free(ck->current);
	for (i = 0; i < ck->nsteps; i++) {
		free(ck->steps[i]->name);
		free(ck->steps[i]->derived);
		free(ck->steps[i]->detail);
		free(ck->steps[i]);
	}
	free(ck->steps);
	for (i = 0; i < ck->nactions; i++)
		free(ck->actions[i].name);
	free(ck->actions);
	free(ck->latest_on);
	free(ck->marks);
	free(ck->inputs);
	free(ck->now);
	free(ck->reported);
	memset(ck, 0, sizeof *ck);
}

/*
 * Parses a checkpoint's text (the fuzzing harness's entry).  0, or -1
 * with *cause naming the line at fault; nothing is kept on error.
 */
int
st_checkpoint_parse(struct st_checkpoint *ck, const char *path,
    const char *text, size_t len, const struct st_recipes *rs, char **cause)
{
	struct loader l = { 0 };
	const char *s = text, *nl, *end = text + len;
	unsigned long records = 0;
	int rc = -1;

	memset(ck, 0, sizeof *ck);
	l.ck = ck;
	l.rs = rs;
	l.path = path;
	if (memchr(text, '\0', len) != NULL) {
		bad(&l, "not text (a NUL byte)");
		goto out;
	}
	for (; s < end; s = nl + 1) {
		l.line++;
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL) {
			bad(&l, "cut short: a line without its end");
			goto out;
		}
		if (l.line == 1) {
			if (load_header(&l, s, (size_t)(nl - s)) != 0)
				goto out;
		} else if (nl + 1 == end) {
			if (load_trailer(&l, s, (size_t)(nl - s), text,
			    records) != 0)
				goto out;
			break;
		} else if (load_line(&l, s, (size_t)(nl - s)) != 0)
			goto out;
		records++;
	}
	if (l.line < 2) {
		bad(&l, "cut short: no end record");
		goto out;
	}
	if (!ck->tree_seen || !ck->steps_seen) {
		bad(&l, "no %s record", !ck->tree_seen ? "tree" : "steps");
		goto out;
	}
	if (link_procs(&l) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		*cause = l.why != NULL ? l.why : xasprintf("%s: unreadable",
		    path);
		l.why = NULL;
		st_checkpoint_free(ck);
	}
	free(l.why);
	free(l.parents);
	st_map_free(&l.steps);
	st_map_free(&l.procs);
	st_map_free(&l.current);
	return rc;
}

/*
 * Reads the checkpoint at path.  1 if there is none yet (a first run), 0
 * when read, -1 with *cause if it cannot be read or is not a sound
 * checkpoint of this format.
 */
int
st_checkpoint_load(struct st_checkpoint *ck, const char *path,
    const struct st_recipes *rs, char **cause)
{
	struct st_buf b = { 0 };
	struct stat sb;
	char buf[65536];
	ssize_t n;
	int fd, rc;

	memset(ck, 0, sizeof *ck);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		if (errno == ENOENT)
			return 1;
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		*cause = xasprintf("%s: not a regular file", path);
		close(fd);
		return -1;
	}
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || b.len + (size_t)n > FILE_MAX) {
			*cause = n < 0 ? xasprintf("%s: %s", path,
			    strerror(errno)) : xasprintf("%s: larger than "
			    "any checkpoint", path);
			close(fd);
			st_buf_free(&b);
			return -1;
		}
		st_buf_add(&b, buf, (size_t)n);
	}
	close(fd);
	rc = st_checkpoint_parse(ck, path, b.len > 0 ? b.d : "", b.len, rs,
	    cause);
	st_buf_free(&b);
	if (rc == 0)
		ck->loaded = true;
	return rc;
}

/* ------------------------------------------------------------ applying */

/*
 * Where each input starts: a file the checkpoint read (same device, inode
 * and first bytes) goes on from where it stopped; one compressed and
 * unchanged is skipped; any other is read whole, and the marks skip the
 * events read before.
 */
static void
place_inputs(const struct st_checkpoint *ck, struct st_source *src)
{
	const struct st_ck_input *c;
	struct st_input *in;
	uint64_t h;
	size_t i, k;

	for (i = 0; i < src->n; i++) {
		in = &src->v[i];
		if (!in->sized || in->fd < 0)
			continue;
		for (k = 0; k < ck->ninputs; k++) {
			c = &ck->inputs[k];
			if (c->dev != in->dev || c->ino != in->ino ||
			    in->size < c->head ||
			    !head_hash(in->fd, (size_t)c->head, &h) ||
			    h != c->head_hash)
				continue;
			in->unchanged = in->size == c->size;
			if (c->compressed)
				in->skip = in->unchanged;
			else if (in->size >= c->end)
				in->start = c->end;
			break;
		}
	}
}

static void
now_of(const struct st_checkpoint *ck, struct st_proctree *t)
{
	size_t i;

	st_proctree_set_clock(t, ck->seq, ck->ids, 0, 0);
	for (i = 0; i < ck->nnow; i++)
		st_proctree_set_clock(t, ck->seq, ck->ids, ck->now[i].node,
		    ck->now[i].sec);
}

/*
 * Gives the pipeline what the checkpoint carried; the checkpoint keeps
 * nothing (only st_checkpoint_free() to call).
 */
void
st_checkpoint_apply(struct st_checkpoint *ck, struct st_proctree *t,
    struct st_reader *r, struct st_steps *ss, struct st_findings *fs,
    struct st_source *src)
{
	size_t i;

	place_inputs(ck, src);
	st_reader_resume(r, ck->marks, ck->nmarks);
	now_of(ck, t);
	ss->numbered = ck->numbered;
	ss->ngitlab = ck->ngitlab;
	ss->njenkins = ck->njenkins;
	ss->markers = ck->markers;
	for (i = 0; i < ck->nactions; i++)
		st_steps_set_action(ss, ck->actions[i].name, ck->actions[i].n);
	for (i = 0; i < ck->nsteps; i++)
		st_steps_adopt(ss, ck->steps[i]);
	for (i = 0; i < ck->nlatest_on; i++)
		st_steps_set_latest(ss, ck->latest_on[i], false);
	if (ck->latest != NULL)
		ss->latest = ck->latest;
	ck->nsteps = 0;
	/* the table takes the current ones; the others are held by their
	 * children (link_procs made sure) */
	for (i = 0; i < ck->nprocs; i++)
		if (ck->current[i])
			st_proctree_adopt(t, ck->procs[i]);
	ck->nprocs = 0;
	for (i = 0; i < ck->nreported; i++)
		st_findings_add_reported(fs, ck->reported[i].hash,
		    ck->reported[i].severity, ck->reported[i].sec);
	ck->applied = true;
}

/* Did every input read (none skipped) stay as the checkpoint saw it? */
bool
st_checkpoint_settled(const struct st_checkpoint *ck,
    const struct st_source *src)
{
	size_t i;

	if (!ck->loaded)
		return false;
	for (i = 0; i < src->n; i++)
		if (!src->v[i].skip && src->v[i].error == NULL &&
		    !src->v[i].unchanged)
			return false;
	return true;
}

/* ------------------------------------------------------------- writing */

static int
write_fully(int fd, const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, s, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Replaces the checkpoint at path with text, atomically: written to a
 * temporary file beside it, fsync'ed, renamed over it, the directory
 * fsync'ed.  0, or -1 with *cause (the old checkpoint is then untouched).
 */
int
st_checkpoint_commit(const char *path, const char *text, size_t len,
    char **cause)
{
	char *tmp = xasprintf("%s.tmp", path), *dir, *slash;
	int fd, dfd, saved;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) < 0) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (write_fully(fd, text, len) != 0 || fsync(fd) != 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		*cause = xasprintf("%s: %s", tmp, strerror(saved));
		free(tmp);
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		saved = errno;
		unlink(tmp);
		*cause = xasprintf("%s: %s", path, strerror(saved));
		free(tmp);
		return -1;
	}
	free(tmp);
	/* the rename itself is durable once the directory is */
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dir);
	return 0;
}
