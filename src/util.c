/*
 * util.c: allocation, growable buffers, a 64-bit-key map, node names, and
 * decoding of values as the kernel writes them into audit records.
 *
 * Allocation failure is fatal: steptrail's memory is bounded by design
 * (see window.c and proctree.c), so running out means the machine is out,
 * and no stage could do anything useful with a NULL.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "steptrail.h"

void
st_fatal(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("steptrail: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(70);	/* EX_SOFTWARE: not one of the documented exit codes */
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		st_fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		st_fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		st_fatal("allocation overflow (%zu x %zu)", n, size);
	p = realloc(p, n * size != 0 ? n * size : 1);
	if (p == NULL)
		st_fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	struct st_buf b = { 0 };
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		st_fatal("bad format string");
	b.d = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b.d, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return b.d;
}

/* -------------------------------------------------------------- buffers */

static void
buf_grow(struct st_buf *b, size_t more)
{
	size_t want, old;

	if (more > SIZE_MAX - b->len - 1)
		st_fatal("buffer overflow");
	want = b->len + more + 1;
	if (want <= b->cap)
		return;
	old = b->cap;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < want)
		b->cap = b->cap > SIZE_MAX / 2 ? want : b->cap * 2;
	b->d = xreallocarray(b->d, b->cap, 1);
	/*
	 * Zeroed: a string stolen from here is a PCRE2 subject, and JIT code
	 * reads whole words past its end (inside the block, harmlessly):
	 * defined bytes there keep valgrind's reports to real errors.
	 */
	memset(b->d + old, 0, b->cap - old);
}

void
st_buf_add(struct st_buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n != 0)
		memcpy(b->d + b->len, p, n);
	b->len += n;
	b->d[b->len] = '\0';
}

void
st_buf_addc(struct st_buf *b, char c)
{
	st_buf_add(b, &c, 1);
}

void
st_buf_adds(struct st_buf *b, const char *s)
{
	st_buf_add(b, s, strlen(s));
}

void
st_buf_addf(struct st_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		st_fatal("bad format string");
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->d + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *
st_buf_cstr(struct st_buf *b)
{
	if (b->d == NULL)
		buf_grow(b, 0), b->d[0] = '\0';
	return b->d;
}

char *
st_buf_steal(struct st_buf *b)
{
	char *p;

	st_buf_cstr(b);
	p = b->d;
	b->d = NULL;
	b->len = b->cap = 0;
	return p;
}

void
st_buf_reset(struct st_buf *b)
{
	b->len = 0;
	if (b->d != NULL)
		b->d[0] = '\0';
}

void
st_buf_free(struct st_buf *b)
{
	free(b->d);
	b->d = NULL;
	b->len = b->cap = 0;
}

/* ------------------------------------------------------------------ map */

/*
 * Linear probing with backward-shift deletion (no tombstones), kept at most
 * half full.  Keys are already well mixed by the callers or mixed here.
 */
struct st_map_slot {
	uint64_t	 key;
	void		*val;	/* NULL: empty */
};

static size_t
map_home(const struct st_map *m, uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)key & (m->cap - 1);
}

static void
map_resize(struct st_map *m, size_t cap)
{
	struct st_map_slot *old = m->slots;
	size_t oldcap = m->cap, i;

	m->slots = xcalloc(cap, sizeof *m->slots);
	m->cap = cap;
	m->len = 0;
	for (i = 0; i < oldcap; i++)
		if (old[i].val != NULL)
			st_map_put(m, old[i].key, old[i].val);
	free(old);
}

void *
st_map_get(const struct st_map *m, uint64_t key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = map_home(m, key); m->slots[i].val != NULL;
	    i = (i + 1) & (m->cap - 1))
		if (m->slots[i].key == key)
			return m->slots[i].val;
	return NULL;
}

void
st_map_put(struct st_map *m, uint64_t key, void *val)
{
	size_t i;

	if (val == NULL)
		st_fatal("map: NULL value");
	if ((m->len + 1) * 2 > m->cap)
		map_resize(m, m->cap ? m->cap * 2 : 16);
	for (i = map_home(m, key); m->slots[i].val != NULL;
	    i = (i + 1) & (m->cap - 1)) {
		if (m->slots[i].key == key) {
			m->slots[i].val = val;
			return;
		}
	}
	m->slots[i].key = key;
	m->slots[i].val = val;
	m->len++;
}

void *
st_map_del(struct st_map *m, uint64_t key)
{
	size_t i, j, h, mask = m->cap - 1;
	void *val;

	if (m->cap == 0)
		return NULL;
	for (i = map_home(m, key); m->slots[i].val != NULL; i = (i + 1) & mask)
		if (m->slots[i].key == key)
			break;
	if (m->slots[i].val == NULL)
		return NULL;
	val = m->slots[i].val;
	m->slots[i].val = NULL;
	m->len--;
	/* Shift back every following entry that probed past the hole. */
	for (j = (i + 1) & mask; m->slots[j].val != NULL; j = (j + 1) & mask) {
		h = map_home(m, m->slots[j].key);
		if (((j - h) & mask) >= ((j - i) & mask)) {
			m->slots[i] = m->slots[j];
			m->slots[j].val = NULL;
			i = j;
		}
	}
	return val;
}

void
st_map_foreach(const struct st_map *m, void (*fn)(uint64_t, void *, void *),
    void *arg)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		if (m->slots[i].val != NULL)
			fn(m->slots[i].key, m->slots[i].val, arg);
}

void
st_map_free(struct st_map *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}

uint64_t
st_hash64(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (n-- > 0) {
		h ^= *s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* ---------------------------------------------------------------- nodes */

/*
 * Aggregated logs name a handful of hosts, but a hostile log can vary
 * node= on every line: names are found through a hash (the value is the
 * id, probing on past a colliding hash), and past NODE_MAX new names all
 * get one id, shown as NODE_OTHER, rather than growing without bound or
 * being passed off as the last host seen.
 */
#define NODE_MAX	4096
#define NODE_OTHER	"(one of too many nodes)"

/*
 * A fixed table, never moved: the reader's thread adds names while the
 * analysing thread looks up ids it was given with events (analyze.c),
 * so a slot is written before the count that publishes it.
 */
static char		 *nodes[NODE_MAX];
static unsigned		  nnodes;
static struct st_map	  node_ids;

unsigned
st_node_intern(const char *name)
{
	uint64_t h;
	void *v;

	if (name == NULL || *name == '\0')
		return 0;
	for (h = st_hash64(name, strlen(name));
	    (v = st_map_get(&node_ids, h)) != NULL; h++)
		if (strcmp(nodes[(uintptr_t)v - 1], name) == 0)
			return (unsigned)(uintptr_t)v;
	if (nnodes == NODE_MAX)
		return NODE_MAX + 1;
	nodes[nnodes] = xstrdup(name);
	__atomic_store_n(&nnodes, nnodes + 1, __ATOMIC_RELEASE);
	st_map_put(&node_ids, h, (void *)(uintptr_t)nnodes);
	return nnodes;
}

const char *
st_node_name(unsigned id)
{
	if (id == NODE_MAX + 1)
		return NODE_OTHER;
	if (id == 0 || id > __atomic_load_n(&nnodes, __ATOMIC_ACQUIRE))
		return NULL;
	return nodes[id - 1];
}

/* --------------------------------------------------------------- values */

/*
 * Hex digits by byte: 0x10 | value, 0 for any other byte.  The reader
 * decodes every argument, path and title the kernel logged as hex: a
 * table look-up per byte, and one test per string, not three range
 * tests and a branch per byte.
 */
#define HEX_OK	0x10
const unsigned char st_hex_tab[256] = {
	['0'] = 0x10, ['1'] = 0x11, ['2'] = 0x12, ['3'] = 0x13, ['4'] = 0x14,
	['5'] = 0x15, ['6'] = 0x16, ['7'] = 0x17, ['8'] = 0x18, ['9'] = 0x19,
	['A'] = 0x1a, ['B'] = 0x1b, ['C'] = 0x1c, ['D'] = 0x1d, ['E'] = 0x1e,
	['F'] = 0x1f,
	['a'] = 0x1a, ['b'] = 0x1b, ['c'] = 0x1c, ['d'] = 0x1d, ['e'] = 0x1e,
	['f'] = 0x1f,
};

bool
st_is_hex(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned all = HEX_OK;
	size_t i;

	if (n == 0 || n % 2 != 0)
		return false;
	for (i = 0; i < n; i++)
		all &= st_hex_tab[u[i]];
	return all != 0;
}

/* Decodes n hex digits into n/2 bytes at out; -1 if any digit is not hex
 * (out then holds garbage). */
int
st_hex_decode(const char *s, size_t n, char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned all = HEX_OK, hi, lo;
	size_t i;

	if (n % 2 != 0)
		return -1;
	for (i = 0; i < n; i += 2) {
		hi = st_hex_tab[u[i]];
		lo = st_hex_tab[u[i + 1]];
		all &= hi & lo;
		out[i / 2] = (char)((hi & 0xf) << 4 | (lo & 0xf));
	}
	return all != 0 ? 0 : -1;
}

/*
 * The kernel writes a string field as "text" when it is plain, as hex when
 * it holds a space, a quote, a control byte or a byte above 0x7e, and as
 * (null) when absent.  Returns the bytes (NUL-terminated, *len without the
 * NUL), or NULL for (null).  A value that is neither quoted nor hex is kept
 * as written: old and already-interpreted logs have such values.
 */
char *
st_audit_decode(const char *raw, size_t *len)
{
	return st_audit_decode_in(raw, len, NULL, NULL);
}

/*
 * st_audit_decode() into memory from get(arg, size), or malloc's when get
 * is NULL (reader.c decodes into the event's own memory).
 */
char *
st_audit_decode_in(const char *raw, size_t *len,
    void *(*get)(void *, size_t), void *arg)
{
	size_t n = strlen(raw), k;
	char *out;

	if (raw[0] == '(' && (strcmp(raw, "(null)") == 0 ||
	    strcmp(raw, "(none)") == 0)) {
		if (len != NULL)
			*len = 0;
		return NULL;
	}
	if (n >= 2 && raw[0] == '"' && raw[n - 1] == '"') {
		raw++;
		k = n - 2;
	} else if (n > 0 && n % 2 == 0 && st_hex_tab[(unsigned char)raw[0]]) {
		/* decoded and checked in one pass: text that only looks
		 * like hex at first (rare: the kernel quotes or hexes every
		 * string) is copied as written instead */
		k = n / 2;
		out = get != NULL ? get(arg, k + 1) : xmalloc(k + 1);
		if (st_hex_decode(raw, n, out) == 0) {
			out[k] = '\0';
			if (len != NULL)
				*len = k;
			return out;
		}
		if (get == NULL)
			free(out);	/* get's memory goes with its owner */
		k = n;
	} else
		k = n;
	out = get != NULL ? get(arg, k + 1) : xmalloc(k + 1);
	memcpy(out, raw, k);
	out[k] = '\0';
	if (len != NULL)
		*len = k;
	return out;
}

void
st_format_time(char *buf, size_t size, time_t sec, unsigned ms)
{
	struct tm tm;

	if (gmtime_r(&sec, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		snprintf(buf, size, "%lld", (long long)sec);
		return;
	}
	snprintf(buf + strlen(buf), size - strlen(buf), ".%03uZ", ms % 1000);
}
