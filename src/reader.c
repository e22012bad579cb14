/*
 * reader.c: audit records in, normalized events out.  The only file that
 * touches libauparse.
 *
 * Lines come from source.c one at a time.  Each is checked for the shape
 * every audit record has (`[node=N ]type=T msg=audit(SEC.MS:SERIAL): `);
 * anything else is counted as malformed and skipped, never fed to
 * libauparse, so that garbage cannot confuse its event assembly.  Valid
 * lines are fed in batches to libauparse in AUSOURCE_FEED mode, which
 * streams (about 2 MiB resident whatever the file size; AUSOURCE_FILE would
 * hold the whole file) and reassembles interleaved records.
 *
 * Each event libauparse completes is copied into an owned struct st_event
 * and parked in the window (window.c): libauparse yields an event in parts
 * when one of its records arrives late, and the window merges parts by
 * (node, time, serial).  Events leave the window in causal order, are
 * finished (argv joined), checked for serial gaps, and handed to the
 * consumer.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <auparse.h>
#include <libaudit.h>

#include "steptrail.h"

/*
 * libauparse is fed in batches of about this size: one call per line costs
 * about a third more time, and larger batches gain nothing measurable.
 */
#define FEED_BATCH	(64 * 1024)

/*
 * Events held in the window.  A vfork parent's record is written a few
 * events after its child's exec (the parent sleeps until the child execs);
 * a part that libauparse split off arrives a few records late.  Real logs
 * of parallel builds on 2 CPUs reorder by a handful of events; 2048 leaves
 * room for machines with many more, and bounds memory at a few MiB (about
 * 2 kB an event).
 */
#define WINDOW_EVENTS	2048
/*
 * ... and at most about this much memory (huge argument lists: a window
 * of 2048 execs of 2 MiB each would be 4 GiB); ordinary events take 2 kB.
 * A field is reckoned at what its parsed copies cost (measured: a 100k
 * argument exec takes about 10 MB).
 */
#define WINDOW_BYTES	(32 * 1024 * 1024)
#define FIELD_COST	100

/*
 * libauparse keeps an event open until its EOE (or PROCTITLE) record, or
 * until a record 2 s newer arrives, and it hands out events in order: every
 * event behind an open one waits, and each record rescans them all.  Logs
 * of kernels before 2.6.25 have no EOE (before 3.16 no PROCTITLE), and a
 * corrupt or hostile log may leave one event open on purpose: then time
 * grows with the square of the events logged in 2 s and memory with their
 * number (20000 events in one second: 10 s and 150 MB).  So the reader
 * remembers the last OPEN_MAX events that began without ending, and feeds
 * an EOE for the oldest when one more begins.  A record of it that comes
 * later makes a second part, which the window merges; an event libauparse
 * had already ended (a one-record event) gets a lone EOE, which is ignored.
 */
#define OPEN_MAX	64

/*
 * No argv has more arguments than fit in ARG_MAX (2 MiB on Linux, at least
 * 2 bytes each); a record claiming more is hostile or corrupt.
 */
#define ARGS_MAX	(1 << 20)

/* An EXECVE record is at most 8970 bytes and " aN=\"\"" takes 6: at most
 * this many arguments can go missing with one lost record. */
#define ARGS_PER_RECORD	1500

/* Serial-gap tracking remembers this many serials behind the newest. */
#define GAP_RING	ST_MARK_RING
/* An event this much older than its node's newest, numbered after it:
 * the clock was set back (clock_step) */
#define CLOCK_STEP_SECONDS 60
/* auditd's own records remembered, to know a copy of one */
#define DAEMON_SEEN	16
/*
 * A jump forward this large is a reboot or another host, not loss; so is
 * any jump back past what the ring remembers, unless the event is late in
 * time: a record that libauparse split off (more than 2 s late) comes as a
 * part of its own after the window let the first part go, and in a busy
 * log thousands of serials behind.
 */
#define GAP_RESET	(1L << 20)
/*
 * A serial behind the newest, stamped this much later, that was already
 * seen (or is older than anything seen) means the counter started again: a
 * reboot soon after the last one, when the serials were still small.  One
 * that fills a hole is a slow syscall instead: the kernel stamps the time
 * at syscall entry but takes the serial at exit, so a connect() that
 * blocked for minutes sorts long before the quick events numbered ahead
 * of it, which then arrive "late" and much later in time.
 */
#define GAP_RESET_SECONDS 60

#define CLONE_THREAD_FLAG 0x00010000

struct gapstate {
	bool		 init;
	uint32_t	 lo;		/* oldest serial seen since the reset */
	uint32_t	 hi;		/* newest */
	time_t		 hi_sec;	/* its time */
	unsigned	 hi_ms;
	uint64_t	 ring[GAP_RING / 64];
};

/* A stamp "msg=audit(S.MMM:N):" as the kernel writes it: at most this. */
#define STAMP_MAX	48

struct st_reader {
	auparse_state_t		*au;
	st_event_fn		 fn;
	bool			 give;	/* fn owns the events */
	bool			 full;	/* feed every field (lean.c) */
	void			*arg;
	struct st_window	*win;
	struct st_reader_stats	 st;
	struct st_buf		 batch;
	size_t			 batch_in;	/* its lines' bytes as read */
	char			*input;
	unsigned long		 line;
	struct gapstate		*gaps;		/* by node id */
	size_t			 ngaps;
	struct st_coverage	*cov;		/* told of gaps, or NULL */
	struct newest {			/* by node: its highest-numbered event */
		bool		 init;
		time_t		 sec;
		uint32_t	 serial;
	}			*newest;
	size_t			 nnewest;
	struct daemon_id {
		unsigned	 node;
		time_t		 sec;
		unsigned	 ms;
		unsigned long	 serial;
	}			 daemon_seen[DAEMON_SEEN];	/* the last */
	unsigned long		 ndaemon_seen;
	time_t			 last_sec;	/* of the last event released */
	unsigned		 last_ms;
	/* events begun and not ended by EOE, oldest first, as
	 * "[node=N ]msg=audit(T:S):"; len 0: ended since */
	struct st_buf		 open[OPEN_MAX];
	size_t			 open_node[OPEN_MAX];	/* node= prefix length */
	unsigned		 open_input[OPEN_MAX];	/* where it began: */
	unsigned long long	 open_pos[OPEN_MAX];	/* input, byte */
	size_t			 open_first, open_n;

	/* where the line being read starts: input number and byte */
	unsigned		 ninput;
	unsigned long long	 pos, line_pos;
	/* a checkpoint's marks, by node: what an earlier run read */
	struct mark {
		bool		 init;
		struct gapstate	 g;
		time_t		 sec;		/* its newest event's time */
		unsigned	 ms;
	}			*marks;
	size_t			 nmarks;
	/* ending for a checkpoint: events still open are held back */
	struct held {
		unsigned	 node;
		unsigned long	 serial;
	}			*holding;
	size_t			 nholding;
	bool			 held_any;
	unsigned		 held_input;	/* the earliest held event's */
	unsigned long long	 held_pos;

	/* lean.c's records left out whole (leave_out()): the stamp of the
	 * last line fed, when a record of its event may follow left out,
	 * and the records left out, by event, till libauparse hands it out */
	char			 prev[STAMP_MAX];
	size_t			 prev_len;	/* 0: none such */
	struct st_map		 left_out;	/* stamp_key() -> struct
						   left_out */
};

struct left_out {
	time_t		 sec;
	unsigned	 ms;
	unsigned long	 serial;
	unsigned	 n;
};

static bool	ring_get(const struct gapstate *, uint32_t);
static void	reader_release(struct st_reader *, bool);
static void	clock_step(struct st_reader *, const struct st_event *);

static void	 reader_event(auparse_state_t *, auparse_cb_event_t, void *);
static void	 cov_gap(struct st_event *, unsigned long, time_t, unsigned,
		    unsigned long, time_t, unsigned, unsigned long);
static void	 reader_release(struct st_reader *, bool);
static void	*ev_get_bytes(void *, size_t);
static char	*ev_decode(struct st_event *, const char *, size_t *);
static void	 ev_drop(const struct st_event *, void *);

struct st_reader *
st_reader_new(st_event_fn fn, void *arg)
{
	struct st_reader *r = xcalloc(1, sizeof *r);
	const char *v;

	r->fn = fn;
	r->arg = arg;
	r->win = st_window_new(WINDOW_EVENTS, WINDOW_BYTES);
	r->au = auparse_init(AUSOURCE_FEED, NULL);
	if (r->au == NULL)
		st_fatal("cannot initialise libauparse: %s", strerror(errno));
	auparse_add_callback(r->au, reader_event, r, NULL);
	/* STEPTRAIL_LEAN=0: libauparse is fed the fields steptrail never
	 * reads too (to show that leaving them out changes nothing) */
	r->full = (v = getenv("STEPTRAIL_LEAN")) != NULL &&
	    strcmp(v, "0") == 0;
	return r;
}

static void
free_left_out(uint64_t key, void *v, void *arg)
{
	(void)key;
	(void)arg;
	free(v);
}

void
st_reader_free(struct st_reader *r)
{
	struct st_event *ev;
	size_t i;

	if (r == NULL)
		return;
	if (r->au != NULL)
		auparse_destroy(r->au);
	while ((ev = st_window_pop(r->win, true)) != NULL)
		st_event_free(ev);
	st_window_free(r->win);
	st_buf_free(&r->batch);
	for (i = 0; i < OPEN_MAX; i++)
		st_buf_free(&r->open[i]);
	free(r->st.malformed_first);
	free(r->input);
	free(r->gaps);
	free(r->newest);
	free(r->marks);
	free(r->holding);
	st_map_foreach(&r->left_out, free_left_out, NULL);
	st_map_free(&r->left_out);
	free(r);
}

const struct st_reader_stats *
st_reader_stats(const struct st_reader *r)
{
	return &r->st;
}

/* The callback owns the events it is given (frees them, st_event_free). */
void
st_reader_give(struct st_reader *r)
{
	r->give = true;
}

/* Gaps in serial numbers are told to c as they open and fill. */
void
st_reader_set_coverage(struct st_reader *r, struct st_coverage *c)
{
	r->cov = c;
}

static void
feed_batch(struct st_reader *r)
{
	if (r->batch.len == 0)
		return;
	auparse_feed(r->au, r->batch.d, r->batch.len);
	st_buf_reset(&r->batch);
	r->batch_in = 0;
}

/* The next lines are name's, from byte start on (a checkpoint's resume). */
void
st_reader_input(struct st_reader *r, const char *name,
    unsigned long long start)
{
	/*
	 * No auparse_flush_feed() here: auditd rotates between records, not
	 * between events, so an event may continue in the next file.
	 */
	feed_batch(r);
	free(r->input);
	r->input = xstrdup(name);
	r->line = 0;
	r->ninput++;
	r->pos = start;
}

static void
malformed(struct st_reader *r, const char *why)
{
	r->st.malformed++;
	if (r->st.malformed_first == NULL)
		r->st.malformed_first = xasprintf("%s:%lu: %s",
		    r->input ? r->input : "-", r->line, why);
}

/* A line of n bytes (newline included) not given: why says why. */
void
st_reader_skip(struct st_reader *r, const char *why, size_t n)
{
	r->pos += n;
	r->line++;
	r->st.lines++;
	malformed(r, why);
}

static size_t
span_digits(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (unsigned char)(s[i] - '0') <= 9)
		i++;
	return i;
}

/* Where check_header() found the parts of a record's header. */
struct header {
	size_t		 node;		/* "node=NAME " 's length, or 0 */
	size_t		 type, type_len;	/* NAME of "type=NAME" */
	size_t		 stamp, stamp_len;	/* "msg=audit(...):" */
};

/*
 * The header every record has, in every format auditd has written:
 * optional "node=NAME ", "type=NAME " (NAME may be UNKNOWN[1234]),
 * "msg=audit(SEC.MS:SERIAL):".  Returns NULL or why the line is not one.
 */
static const char *
check_header(const char *s, size_t n, struct header *h)
{
	size_t i = 0, k;

	if (memchr(s, '\0', n) != NULL)
		return "NUL byte in line";
	if (n >= 5 && memcmp(s, "node=", 5) == 0) {
		/* a host name: libauparse 3.0.9 leaks an allocation for a
		 * name holding a control byte such as ENRICHED's 0x1d
		 * separator (found by fuzzing), and no host has one */
		for (i = 5; i < n && s[i] != ' '; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				return "control byte in node= name";
		if (i == 5 || i == n)
			return "empty node= prefix";
		i++;
	}
	h->node = i;
	if (n - i < 5 || memcmp(s + i, "type=", 5) != 0)
		return "not an audit record (no type=)";
	for (i += 5, k = i; i < n && s[i] != ' '; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_' || s[i] == '[' || s[i] == ']'))
			return "bad record type";
	if (i == k)
		return "empty record type";
	h->type = k;
	h->type_len = i - k;
	if (n - i < 12 || memcmp(s + i, " msg=audit(", 11) != 0)
		return "no msg=audit( after type";
	h->stamp = i + 1;		/* "msg=audit(" */
	i += 11;
	if ((k = span_digits(s + i, n - i)) == 0)
		return "bad timestamp";
	i += k;
	if (i < n && s[i] == '.') {
		i++;
		if ((k = span_digits(s + i, n - i)) == 0)
			return "bad timestamp";
		i += k;
	}
	if (i >= n || s[i] != ':')
		return "no serial number";
	i++;
	if ((k = span_digits(s + i, n - i)) == 0)
		return "bad serial number";
	i += k;
	if (n - i < 2 || s[i] != ')' || s[i + 1] != ':')
		return "no \"):\" after serial number";
	h->stamp_len = i + 2 - h->stamp;
	return NULL;
}

/*
 * How many fields named name libauparse 3.0.9 makes of a record
 * (ellist.c, parse_up_record): words split at spaces, each word's name is
 * what comes before its first '=', once a leading "msg='" (the text of a
 * user message) and a leading '(' are dropped.
 */
static int
count_fields(const char *s, size_t n, const char *name)
{
	const char *w, *e, *end = s + n, *wname;
	size_t len = strlen(name), wlen;
	int count = 0;

	for (w = s; w < end; w = e + 1) {
		e = st_auparse_word(w, end, &wname, &wlen);
		if (wlen == len && memcmp(wname, name, len) == 0)
			count++;
	}
	return count;
}

/*
 * What libauparse itself mishandles.  3.0.9 leaks the first value of a
 * CWD record that has cwd= twice (found by fuzzing): a hostile log could
 * grow our memory line by line, and no kernel writes such a record.
 * Twice as libauparse counts: cwd=5 msg='cwd=6' and cwd=5 (cwd=6 are
 * twice too, cwd="/tmp/a'cwd=b" (a kernel's, unencoded) is once.
 */
static const char *
check_fields(const char *s, size_t n, const struct header *h)
{
	if (h->type_len != 3 || memcmp(s + h->type, "CWD", 3) != 0)
		return NULL;
	if (count_fields(s, n, "cwd") > 1)
		return "CWD record with cwd= twice";
	return NULL;
}

/* Slot of the open event with this id, or -1; newest first. */
static long
find_open(struct st_reader *r, const char *node, size_t nlen,
    const char *stamp, size_t slen)
{
	struct st_buf *b;
	size_t i;

	for (i = r->open_n; i > 0; i--) {
		b = &r->open[(r->open_first + i - 1) % OPEN_MAX];
		if (b->len == nlen + slen && memcmp(b->d, node, nlen) == 0 &&
		    memcmp(b->d + nlen, stamp, slen) == 0)
			return (long)((r->open_first + i - 1) % OPEN_MAX);
	}
	return -1;
}

/*
 * Drops the slots of events ended since (len 0), keeping the order of the
 * others: only events still open count against OPEN_MAX.
 */
static void
compact_open(struct st_reader *r)
{
	struct st_buf tmp;
	size_t i, k = 0, from, to;

	for (i = 0; i < r->open_n; i++) {
		from = (r->open_first + i) % OPEN_MAX;
		if (r->open[from].len == 0)
			continue;
		to = (r->open_first + k++) % OPEN_MAX;
		if (to == from)
			continue;
		tmp = r->open[to];		/* an ended slot: its buffer is reused */
		r->open[to] = r->open[from];
		r->open[from] = tmp;
		r->open_node[to] = r->open_node[from];
	}
	r->open_n = k;
}

/*
 * Notes the event a line (checked by check_header()) belongs to; feeds an
 * EOE for the oldest open event when more than OPEN_MAX are open.
 */
static void
track_open(struct st_reader *r, const char *s, const struct header *h)
{
	const char *stamp = s + h->stamp, *type = s + h->type;
	struct st_buf *b;
	size_t node = h->node, slen = h->stamp_len, k;
	long at;

	at = find_open(r, s, node, stamp, slen);
	/* libauparse ends an event at its EOE, and at its PROCTITLE (the
	 * last record of a syscall event, and all that auditd writes) */
	if ((h->type_len == 3 && memcmp(type, "EOE", 3) == 0) ||
	    (h->type_len == 9 && memcmp(type, "PROCTITLE", 9) == 0)) {
		if (at >= 0)
			st_buf_reset(&r->open[at]);
		return;
	}
	if (at >= 0)
		return;		/* a record of an event still open */
	if (r->open_n == OPEN_MAX)
		compact_open(r);
	if (r->open_n == OPEN_MAX) {
		k = r->open_first;
		b = &r->open[k];
		if (b->len > 0) {
			st_buf_add(&r->batch, b->d, r->open_node[k]);
			st_buf_adds(&r->batch, "type=EOE ");
			st_buf_add(&r->batch, b->d + r->open_node[k],
			    b->len - r->open_node[k]);
			st_buf_addc(&r->batch, '\n');
			r->batch_in += b->len + sizeof "type=EOE \n" - 1;
		}
		r->open_first = (k + 1) % OPEN_MAX;
		r->open_n--;
	}
	k = (r->open_first + r->open_n++) % OPEN_MAX;
	r->open_input[k] = r->ninput;
	r->open_pos[k] = r->line_pos;
	st_buf_reset(&r->open[k]);
	st_buf_add(&r->open[k], s, node);
	st_buf_add(&r->open[k], stamp, slen);
	r->open_node[k] = node;
}

/* Key of an event's time and serial in r->left_out. */
static uint64_t
stamp_key(time_t sec, unsigned ms, unsigned long serial)
{
	uint64_t v[3] = { (uint64_t)sec, ms, serial };

	return st_hash64(v, sizeof v);
}

/*
 * The time and serial of a stamp "msg=audit(S.MMM:N):" (checked by
 * check_header()) of the kernel's shape, which libauparse takes as it is
 * (extract_timestamp(): 19 bytes or more, milliseconds below 1000, no
 * overflow); false for any other.
 */
static bool
kernel_stamp(const char *p, size_t n, time_t *sec, unsigned *ms,
    unsigned long *serial)
{
	unsigned long long v;
	size_t i = sizeof "msg=audit(" - 1, k;

	if (n < 19 || n > STAMP_MAX)
		return false;
	for (k = i, v = 0; p[i] >= '0' && p[i] <= '9'; i++)
		v = v * 10 + (unsigned)(p[i] - '0');
	if (i - k > 12 || p[i] != '.' || v == 0)
		return false;	/* second 0: libauparse hands out no time
				   (auparse_get_timestamp()), nor the event */
	*sec = (time_t)v;
	for (k = ++i, v = 0; p[i] >= '0' && p[i] <= '9'; i++)
		v = v * 10 + (unsigned)(p[i] - '0');
	if (i - k != 3)
		return false;
	*ms = (unsigned)v;
	for (k = ++i, v = 0; p[i] >= '0' && p[i] <= '9'; i++)
		v = v * 10 + (unsigned)(p[i] - '0');
	if (i - k > 10)
		return false;
	*serial = (unsigned long)v;
	return true;
}

/* Notes a line about to be fed: may a record lean.c leaves out follow it?
 * Only a SYSCALL's or an EXECVE's (the kernel writes an exec's BPRM_FCAPS
 * after them), without node=, which libauparse keeps building. */
static void
note_fed(struct st_reader *r, const char *s, const struct header *h)
{
	r->prev_len = 0;
	if (r->full || h->node != 0 || h->stamp_len > STAMP_MAX ||
	    !((h->type_len == 7 && memcmp(s + h->type, "SYSCALL", 7) == 0) ||
	    (h->type_len == 6 && memcmp(s + h->type, "EXECVE", 6) == 0)))
		return;
	memcpy(r->prev, s + h->stamp, h->stamp_len);
	r->prev_len = h->stamp_len;
}

/*
 * Leaves out a record lean.c says need not be fed (st_lean_drop()) when
 * the line before it that was fed is a record of its own event that does
 * not end it (note_fed()): libauparse then groups and hands out every
 * event as it would have.  It is counted with its event all the same.
 */
static bool
leave_out(struct st_reader *r, const char *s, const struct header *h)
{
	struct left_out *lo;
	unsigned long serial;
	unsigned ms;
	time_t sec;
	uint64_t key;

	if (r->prev_len == 0 || h->node != 0 ||
	    h->stamp_len != r->prev_len ||
	    memcmp(s + h->stamp, r->prev, r->prev_len) != 0 ||
	    !st_lean_drop(s + h->type, h->type_len) ||
	    !kernel_stamp(s + h->stamp, h->stamp_len, &sec, &ms, &serial))
		return false;
	key = stamp_key(sec, ms, serial);
	if ((lo = st_map_get(&r->left_out, key)) == NULL) {
		lo = xcalloc(1, sizeof *lo);
		lo->sec = sec;
		lo->ms = ms;
		lo->serial = serial;
		st_map_put(&r->left_out, key, lo);
	} else if (lo->sec != sec || lo->ms != ms || lo->serial != serial)
		return false;		/* another event's key: fed */
	lo->n++;
	r->st.left_out++;
	return true;
}

/* Does libauparse's current event hold a SYSCALL or EXECVE record (the
 * first is at hand: first)?  Left at its first record. */
static bool
holds_exec_record(auparse_state_t *au, int first)
{
	bool found = first == AUDIT_SYSCALL || first == AUDIT_EXECVE;
	int t;

	while (!found && auparse_next_record(au) > 0)
		found = (t = auparse_get_type(au)) == AUDIT_SYSCALL ||
		    t == AUDIT_EXECVE;
	if (first != AUDIT_SYSCALL && first != AUDIT_EXECVE)
		(void)auparse_first_record(au);
	return found;
}

/*
 * The records left out of the event at ts (of no node), taken.  Only by
 * an event that holds the SYSCALL or EXECVE record they followed: another
 * with the same stamp (a daemon's record, handed out first while the exec
 * was still being built) is not theirs, and may be passed over when this
 * one is not (read_before() goes by time for daemon records).
 */
static unsigned
take_left_out(struct st_reader *r, auparse_state_t *au, int first,
    const au_event_t *ts)
{
	struct left_out *lo;
	uint64_t key = stamp_key(ts->sec, ts->milli, ts->serial);
	unsigned n;

	if ((lo = st_map_get(&r->left_out, key)) == NULL ||
	    lo->sec != ts->sec || lo->ms != ts->milli ||
	    lo->serial != ts->serial || !holds_exec_record(au, first))
		return 0;
	n = lo->n;
	free(st_map_del(&r->left_out, key));
	return n;
}

void
st_reader_line(struct st_reader *r, const char *s, size_t n)
{
	struct header h;
	const char *why;

	/* the line and its newline (the source takes exactly one off) */
	r->line_pos = r->pos;
	r->pos += n + 1;
	r->line++;
	r->st.lines++;
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	if (n == 0)
		return;		/* blank lines separate nothing; not malformed */
	if ((why = check_header(s, n, &h)) != NULL ||
	    (why = check_fields(s, n, &h)) != NULL) {
		malformed(r, why);
		return;
	}
	r->st.valid++;
	track_open(r, s, &h);
	if (r->full || !leave_out(r, s, &h)) {
		note_fed(r, s, &h);
		st_lean_add(&r->batch, s, n, h.stamp + h.stamp_len, r->full ?
		    NULL : st_lean_keep(s + h.type, h.type_len));
		st_buf_addc(&r->batch, '\n');
	}
	/*
	 * Cut by the bytes read, not by what lean.c left of them: where a
	 * feed ends changes when libauparse hands out the events it has
	 * completed (it looks for them as each new event begins, and at
	 * each call), and so, in logs whose records come out of order,
	 * how a late record is grouped.  Cut the same way, the lean feed
	 * and the whole one give the same events.
	 */
	r->batch_in += n + 1;
	if (r->batch_in >= FEED_BATCH)
		feed_batch(r);
}

/*
 * For a checkpoint, before st_reader_flush(): the events still open (no
 * EOE yet: auditd may be writing the rest of their records) are held back
 * instead of analysed incomplete, and the next run reads them again from
 * where the earliest began (st_reader_held()).  Events read after that
 * point were analysed and will be known by the checkpoint's marks.
 */
void
st_reader_hold(struct st_reader *r)
{
	const char *s, *stamp;
	unsigned long long sec;
	unsigned long ms, serial;
	unsigned node;
	size_t i, k;
	char *name;

	feed_batch(r);
	compact_open(r);
	for (i = 0; i < r->open_n; i++) {
		k = (r->open_first + i) % OPEN_MAX;
		s = st_buf_cstr(&r->open[k]);
		name = r->open_node[k] > 6 ? xstrndup(s + 5,
		    r->open_node[k] - 6) : xstrdup("");
		node = st_node_intern(name);
		free(name);
		/* "[node=N ]msg=audit(SEC.MS:SERIAL):", checked on input */
		stamp = s + r->open_node[k] + 10;
		if (sscanf(stamp, "%llu.%lu:%lu", &sec, &ms, &serial) != 3)
			continue;
		/*
		 * Not held: what libauparse let go already (one-record
		 * events it ends itself, waiting in the window or gone by;
		 * and any event 3 s older than the newest: it ends those).
		 */
		if (st_window_find(r->win, node, (time_t)sec, (unsigned)ms,
		    serial) != NULL || (node < r->ngaps && r->gaps[node].init &&
		    (int32_t)((uint32_t)serial - r->gaps[node].lo) >= 0 &&
		    (int32_t)(r->gaps[node].hi - (uint32_t)serial) >= 0 &&
		    (int32_t)(r->gaps[node].hi - (uint32_t)serial) < GAP_RING &&
		    ring_get(&r->gaps[node], (uint32_t)serial)) ||
		    (node < r->nnewest && r->newest[node].init &&
		    (time_t)sec + 3 < r->newest[node].sec))
			continue;
		r->holding = xreallocarray(r->holding, r->nholding + 1,
		    sizeof *r->holding);
		r->holding[r->nholding].node = node;
		r->holding[r->nholding++].serial = serial;
		if (!r->held_any || r->open_input[k] < r->held_input ||
		    (r->open_input[k] == r->held_input &&
		    r->open_pos[k] < r->held_pos)) {
			r->held_input = r->open_input[k];
			r->held_pos = r->open_pos[k];
		}
		r->held_any = true;
	}
}

/*
 * Where the next run must start reading again: the number of the input
 * (1: the first given to st_reader_input) and the byte in it.  false if
 * nothing was held.
 */
bool
st_reader_held(const struct st_reader *r, unsigned *input,
    unsigned long long *pos)
{
	if (!r->held_any)
		return false;
	*input = r->held_input;
	*pos = r->held_pos;
	return true;
}

void
st_reader_flush(struct st_reader *r)
{
	feed_batch(r);
	auparse_flush_feed(r->au);
	reader_release(r, true);
}

/* ------------------------------------------------------- field parsing */

/*
 * The common case of parse_ulong and parse_long without strtoull's
 * locale and base handling: up to 18 decimal digits (no overflow
 * possible), or 16 hex digits, and nothing else.  Anything else (a sign,
 * spaces, more digits) returns false and goes the long way, which keeps
 * strto*'s exact behaviour for it.
 */
static bool
parse_fast(const char *s, int base, unsigned long long *out)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long long v = 0;
	unsigned d;
	size_t i;

	if (base == 16) {
		for (i = 0; u[i] != '\0'; i++) {
			if (((d = st_hex_tab[u[i]]) & 0x10) == 0 || i == 16)
				return false;
			v = v << 4 | (d & 0xf);
		}
	} else {
		for (i = 0; u[i] != '\0'; i++) {
			if ((d = (unsigned)u[i] - '0') > 9 || i == 18)
				return false;
			v = v * 10 + d;
		}
	}
	if (i == 0)
		return false;
	*out = v;
	return true;
}

static bool
parse_long(const char *s, int base, long long *out)
{
	unsigned long long u;
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return false;
	if (base == 10 && parse_fast(s, 10, &u)) {	/* 18 digits fit */
		*out = (long long)u;
		return true;
	}
	errno = 0;
	v = strtoll(s, &end, base);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

static bool
parse_ulong(const char *s, int base, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-')
		return false;
	if (parse_fast(s, base, out))
		return true;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

/* The kernel's PID_MAX_LIMIT (include/linux/threads.h, 64-bit). */
#define PID_LIMIT	(4 * 1024 * 1024)

/* A pid the kernel cannot give is no pid: -1, as if the field were absent. */
static int
parse_pid(const char *s)
{
	long long v;

	if (!parse_long(s, 10, &v) || v < 0 || v > PID_LIMIT)
		return -1;
	return (int)v;
}

static uint32_t
parse_id(const char *s)
{
	unsigned long long v;

	if (!parse_ulong(s, 10, &v) || v > UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)v;
}

static void
set_str(struct st_event *ev, char **dst, const char *raw)
{
	ev_drop(ev, *dst);
	*dst = ev_decode(ev, raw, NULL);
}

/*
 * Event kinds by priority: a CONFIG_CHANGE record makes the event a
 * configuration change even though auditctl's sendto SYSCALL record comes
 * with it.
 */
static int
kind_priority(enum st_event_kind k)
{
	switch (k) {
	case ST_EV_CONFIG:
		return 5;
	case ST_EV_EXEC:
	case ST_EV_FORK:
		return 4;
	case ST_EV_DAEMON:
	case ST_EV_USER:
		return 3;
	case ST_EV_SYSCALL:
		return 2;
	case ST_EV_OTHER:
		break;
	}
	return 0;
}

static void
set_kind(struct st_event *ev, enum st_event_kind k)
{
	if (kind_priority(k) > kind_priority(ev->kind))
		ev->kind = k;
}

/*
 * arch is hex (c000003e) in raw logs and a name (x86_64) in interpreted
 * ones; syscall likewise a number or a name.  Returns a static name, or ""
 * when libaudit does not know it.
 */
static const char *
syscall_name(const char *arch_s, const char *sc_s, unsigned long *arch,
    int *sc)
{
	unsigned long long a, n;
	int machine = -1, num;
	const char *name;

	if (parse_ulong(arch_s, 16, &a) && a <= UINT_MAX) {
		*arch = (unsigned long)a;
		machine = audit_elf_to_machine((unsigned)a);
	} else if (arch_s != NULL)
		machine = audit_determine_machine(arch_s);
	if (machine < 0)
		machine = MACH_86_64;	/* old logs without arch= */
	if (parse_ulong(sc_s, 10, &n) && n <= INT_MAX) {
		*sc = (int)n;
		name = audit_syscall_to_name((int)n, machine);
		return name != NULL ? name : "";
	}
	if (sc_s == NULL || (num = audit_name_to_syscall(sc_s, machine)) < 0)
		return "";
	*sc = num;
	name = audit_syscall_to_name(num, machine);
	return name != NULL ? name : "";
}

static void
parse_syscall(struct st_reader *r, auparse_state_t *au, struct st_event *ev)
{
	const char *name, *val, *arch_s = NULL, *sc_s = NULL;
	unsigned long long u;
	long long l;
	bool clone_thread;

	ev->has_syscall = true;
	ev->pid = ev->ppid = -1;
	ev->uid = ev->euid = ev->gid = ev->auid = ev->ses = UINT32_MAX;
	if (auparse_first_field(au) <= 0)
		return;
	do {
		name = auparse_get_field_name(au);
		val = auparse_get_field_str(au);
		if (name == NULL || val == NULL)
			continue;
		/* a field given twice: the last one counts; the switch on
		 * the first letter spares each of a record's 25 fields most
		 * of 19 comparisons (this runs for every syscall event).
		 * lean.c feeds libauparse the kernel's run "suid= fsuid=
		 * egid= sgid= fsgid= tty=" not at all: a field read here
		 * must not be one of them (syscall_run). */
		switch (name[0]) {
		case 'a':
			if (strcmp(name, "arch") == 0) {
				arch_s = val;	/* libauparse's, kept until
						   the event is freed */
			} else if (name[1] >= '0' && name[1] <= '3' &&
			    name[2] == '\0' && parse_ulong(val, 16, &u)) {
				if (name[1] == '0')
					ev->a0 = u;
				else if (name[1] == '1')
					ev->a1 = u;
				else if (name[1] == '2')
					ev->a2 = u;
				else
					ev->a3 = u;
			} else if (strcmp(name, "auid") == 0)
				ev->auid = parse_id(val);
			break;
		case 'c':
			if (strcmp(name, "comm") == 0)
				set_str(ev, &ev->comm, val);
			break;
		case 'e':
			if (strcmp(name, "exit") == 0 && parse_long(val, 10, &l))
				ev->exit = l;
			else if (strcmp(name, "euid") == 0)
				ev->euid = parse_id(val);
			else if (strcmp(name, "exe") == 0)
				set_str(ev, &ev->exe, val);
			break;
		case 'g':
			if (strcmp(name, "gid") == 0)
				ev->gid = parse_id(val);
			break;
		case 'i':
			if (strcmp(name, "items") == 0 &&
			    parse_long(val, 10, &l) && l >= 0 && l < 1000)
				ev->items = (long)l;
			break;
		case 'k':
			if (strcmp(name, "key") == 0 &&
			    strcmp(val, "(null)") != 0 &&
			    ev->kind != ST_EV_CONFIG)	/* a CONFIG_CHANGE's
							   key wins */
				set_str(ev, &ev->key, val);
			break;
		case 'p':
			if (strcmp(name, "pid") == 0)
				ev->pid = parse_pid(val);
			else if (strcmp(name, "ppid") == 0)
				ev->ppid = parse_pid(val);
			break;
		case 's':
			if (strcmp(name, "syscall") == 0) {
				sc_s = val;
			} else if (strcmp(name, "success") == 0)
				ev->success = strcmp(val, "yes") == 0;
			else if (strcmp(name, "ses") == 0)
				ev->ses = parse_id(val);
			break;
		case 'u':
			if (strcmp(name, "uid") == 0)
				ev->uid = parse_id(val);
			break;
		}
	} while (auparse_next_field(au) > 0);

	ev->sysname = syscall_name(arch_s, sc_s, &ev->arch, &ev->syscall);

	if (strcmp(ev->sysname, "execve") == 0 ||
	    strcmp(ev->sysname, "execveat") == 0) {
		if (ev->success)
			set_kind(ev, ST_EV_EXEC);
		else {
			r->st.execs_failed++;
			set_kind(ev, ST_EV_SYSCALL);
		}
	} else if (strcmp(ev->sysname, "clone") == 0 ||
	    strcmp(ev->sysname, "clone3") == 0 ||
	    strcmp(ev->sysname, "fork") == 0 ||
	    strcmp(ev->sysname, "vfork") == 0) {
		/*
		 * clone's first argument is its flags on every arch but s390,
		 * where it is the stack; clone3 passes a struct, so a thread
		 * made by clone3 cannot be told apart here.  Rules exclude
		 * CLONE_THREAD at the source (rules.d); this is the backstop.
		 */
		clone_thread = strcmp(ev->sysname, "clone") == 0 &&
		    ev->arch != 0x80000016 && ev->arch != 0x16 &&
		    (ev->a0 & CLONE_THREAD_FLAG) != 0;
		if (clone_thread)
			r->st.threads++;
		else if (ev->success && ev->exit > 0 && ev->exit <= INT_MAX)
			set_kind(ev, ST_EV_FORK);
		else
			set_kind(ev, ST_EV_SYSCALL);
	} else
		set_kind(ev, ST_EV_SYSCALL);
}

/* "a12" -> 12, "a12_len" -> 12 (*sub -1), "a12[3]" -> 12 (*sub 3). */
static long
arg_index(const char *name, long *sub, bool *is_len)
{
	char *end;
	long n, k;

	*sub = -1;
	*is_len = false;
	if (name[0] != 'a' || name[1] < '0' || name[1] > '9')
		return -1;
	/* "aN", nearly every argument, without strtol (a tenth of the
	 * EXECVE record's cost); anything else goes the long way */
	for (n = 0, k = 1; k < 8 && name[k] >= '0' && name[k] <= '9'; k++)
		n = n * 10 + (name[k] - '0');
	if (name[k] == '\0')
		return n < ARGS_MAX ? n : -1;
	errno = 0;
	n = strtol(name + 1, &end, 10);
	if (errno != 0 || n < 0 || n >= ARGS_MAX)
		return -1;
	if (*end == '\0')
		return n;
	if (strcmp(end, "_len") == 0) {
		*is_len = true;
		return n;
	}
	if (*end == '[') {
		k = strtol(end + 1, &end, 10);
		if (errno != 0 || k < 0 || strcmp(end, "]") != 0)
			return -1;
		*sub = k;
		return n;
	}
	return -1;
}

/* Argument n's builder; the array grows by doubling (argc can be 1M). */
static struct st_argb *
argb_at(struct st_event *ev, long n)
{
	size_t i, cap;

	if ((size_t)n >= ev->nargb) {
		if ((size_t)n >= ev->argb_cap) {
			for (cap = ev->argb_cap ? ev->argb_cap : 16;
			    cap <= (size_t)n; cap *= 2)
				;
			ev->argb = xreallocarray(ev->argb, cap,
			    sizeof *ev->argb);
			ev->argb_cap = cap;
		}
		for (i = ev->nargb; i <= (size_t)n; i++) {
			memset(&ev->argb[i], 0, sizeof ev->argb[i]);
			ev->argb[i].declared_len = -1;
		}
		ev->nargb = (size_t)n + 1;
	}
	return &ev->argb[n];
}

/*
 * EXECVE records: argc=N, then aI="..." or aI=HEX for each argument; an
 * argument too long for one record is aI_len=L followed by aI[0]=..,
 * aI[1]=.. chunks, each quoted or hex on its own, possibly in the next
 * EXECVE record.  libauparse does not join them; this does.
 */
/*
 * An argument as the kernel logged it: "quoted", or upper-case hex.  Hex
 * the log damaged (cut to an odd number of digits, a stray byte among
 * them) is not the argument: what decodes of it is kept, and *cut says
 * the argv is not whole.  Other text is kept as written (logs already
 * interpreted by ausearch -i have plain arguments).
 */
static char *
decode_arg(struct st_event *ev, const char *val, size_t *len, bool *cut)
{
	size_t n = strlen(val), h, good = 0, i;
	char *out;

	*cut = false;
	if (val[0] == '"' || st_is_hex(val, n))
		return st_audit_decode_in(val, len, ev != NULL ? ev_get_bytes :
		    NULL, ev);
	for (i = 0; i < n; i++) {
		if (strchr("0123456789ABCDEF", val[i]) != NULL)
			good++;
		else if (!(val[i] >= 'G' && val[i] <= 'Z'))
			break;
	}
	/* all upper-case letters and digits, nine in ten hex digits */
	if (i < n || n < 8 || good * 10 < n * 9)
		return st_audit_decode_in(val, len, ev != NULL ? ev_get_bytes :
		    NULL, ev);
	h = strspn(val, "0123456789ABCDEF") & ~(size_t)1;
	out = ev != NULL ? ev_get_bytes(ev, h / 2 + 1) : xmalloc(h / 2 + 1);
	(void)st_hex_decode(val, h, out);
	out[h / 2] = '\0';
	*len = h / 2;
	*cut = true;
	return out;
}

static void
parse_execve(auparse_state_t *au, struct st_event *ev)
{
	const char *name, *val;
	struct st_argb *a;
	long long l;
	long n, sub;
	bool is_len, cut, whole;
	char *bytes;
	size_t len;

	if (auparse_first_field(au) <= 0)
		return;
	do {
		name = auparse_get_field_name(au);
		val = auparse_get_field_str(au);
		if (name == NULL || val == NULL)
			continue;
		if (strcmp(name, "argc") == 0) {
			if (parse_long(val, 10, &l) && l >= 0 && l < ARGS_MAX)
				ev->argc = (long)l;
			continue;
		}
		if ((n = arg_index(name, &sub, &is_len)) < 0)
			continue;
		if (ev->argc >= 0 && n >= ev->argc) {
			ev->extra_args = true;	/* more arguments than argc */
			continue;
		}
		/* The kernel logs arguments in order; a jump past what one
		 * lost EXECVE record can hold is not a gap but a lie. */
		if ((size_t)n > ev->nargb + ARGS_PER_RECORD) {
			ev->extra_args = true;
			continue;
		}
		a = argb_at(ev, n);
		if (is_len) {
			if (parse_long(val, 10, &l) && l >= 0 && l <= LONG_MAX)
				a->declared_len = (long)l;
			continue;
		}
		/*
		 * A record logged twice (a log aggregated twice, a resent
		 * message) repeats what the event has: an argument, or a
		 * chunk, taken already is not taken again ("nodenode").
		 */
		if (sub < 0 ? a->have : sub < a->nsub)
			continue;
		if (sub >= 0)
			a->nsub = sub + 1;
		/* the usual argument, whole in one field: its decoded
		 * copy, in the event's memory, is it; chunks (which may
		 * be huge) are joined in a buffer of their own, after
		 * what was whole before them */
		whole = sub < 0 && a->val.d == NULL && a->whole == NULL;
		bytes = decode_arg(whole ? ev : NULL, val, &len, &cut);
		if (cut)
			ev->argv_truncated = true;
		a->encoded_len += val[0] == '"' ? len : strlen(val);
		if (whole && bytes != NULL) {
			a->whole = bytes;
			a->whole_len = len;
		} else {
			if (a->whole != NULL) {
				st_buf_add(&a->val, a->whole, a->whole_len);
				a->whole = NULL;
			}
			if (bytes != NULL)
				st_buf_add(&a->val, bytes, len);
			else
				st_buf_cstr(&a->val);
			if (!whole)
				free(bytes);
		}
		a->have = true;
	} while (auparse_next_field(au) > 0);
}

/*
 * SOCKADDR's saddr: the struct sockaddr the program passed, in hex, in the
 * machine's byte order for the family and network order for the port.
 * Only the families a connection can go out on are decoded; a unix socket
 * gives its path ("@name" for the abstract namespace).
 */
static void
parse_sockaddr(const char *hex, struct st_event *ev)
{
	unsigned char b[128];
	char txt[INET6_ADDRSTRLEN];
	size_t n = strlen(hex), i;
	uint16_t fam;

	if (n % 2 != 0 || n / 2 > sizeof b || n < 4 || !st_is_hex(hex, n))
		return;
	if (st_hex_decode(hex, n, (char *)b) != 0)
		return;
	n /= 2;
	memcpy(&fam, b, sizeof fam);
	ev->family = fam;
	ev_drop(ev, ev->addr);
	ev->addr = NULL;
	ev->port = -1;
	if (fam == AF_INET && n >= 8) {
		ev->port = b[2] << 8 | b[3];
		if (inet_ntop(AF_INET, b + 4, txt, sizeof txt) != NULL)
			ev->addr = xstrdup(txt);
	} else if (fam == AF_INET6 && n >= 24) {
		ev->port = b[2] << 8 | b[3];
		if (inet_ntop(AF_INET6, b + 8, txt, sizeof txt) != NULL)
			ev->addr = xstrdup(txt);
	} else if (fam == AF_UNIX && n > 2) {
		for (i = 3; i < n && b[i] != '\0'; i++)
			;
		if (b[2] == '\0')
			ev->addr = xasprintf("@%.*s", (int)(i - 3), b + 3);
		else
			ev->addr = xstrndup((const char *)b + 2, i - 2);
	}
}

static void
parse_simple(auparse_state_t *au, struct st_event *ev, int type)
{
	const char *name, *val;
	long long l, item = -1;

	if (auparse_first_field(au) <= 0)
		return;
	do {
		name = auparse_get_field_name(au);
		val = auparse_get_field_str(au);
		if (name == NULL || val == NULL)
			continue;
		switch (type) {
		case AUDIT_CWD:
			if (strcmp(name, "cwd") == 0)
				set_str(ev, &ev->cwd, val);
			break;
		case AUDIT_PATH:
			/* item 0 is the file given to execve; every item is a
			 * file the syscall touched (a watched file).  Of its
			 * fifteen fields, three are read: item, name, nametype
			 * (lean.c feeds libauparse no others: a field read
			 * here must be in its list too). */
			if (name[0] != 'i' && name[0] != 'n')
				break;
			if (strcmp(name, "item") == 0) {
				if (!parse_long(val, 10, &l) || l < 0 ||
				    l >= ST_EVENT_NAMES)
					goto done;
				item = l;
			} else if (strcmp(name, "nametype") == 0 && item >= 0) {
				if (strcmp(val, "PARENT") == 0)
					ev->names_parent |= 1u << item;
				else if (strcmp(val, "CREATE") == 0 ||
				    strcmp(val, "DELETE") == 0)
					ev->names_made |= 1u << item;
			} else if (strcmp(name, "name") == 0 && item >= 0 &&
			    ev->names[item] == NULL) {
				ev->names[item] = ev_decode(ev, val, NULL);
				if ((unsigned)item >= ev->nnames)
					ev->nnames = (unsigned)item + 1;
				if (item == 0 && ev->path0 == NULL &&
				    ev->names[0] != NULL)
					ev->path0 = st_event_strndup(ev,
					    ev->names[0],
					    strlen(ev->names[0]));
			}
			break;
		case AUDIT_SOCKADDR:
			if (strcmp(name, "saddr") == 0)
				parse_sockaddr(val, ev);
			break;
		case AUDIT_PROCTITLE:
			/* an exec's argv is its EXECVE records': its
			 * PROCTITLE (the same, cut at 128 bytes) is only
			 * the fallback without them (finish_argv), and a
			 * process that exec'd shows its image, never a
			 * title (learn): not decoded for nothing */
			if (ev->kind == ST_EV_EXEC &&
			    (ev->argc >= 0 || ev->nargb > 0))
				break;
			if (strcmp(name, "proctitle") == 0) {
				ev_drop(ev, ev->proctitle);
				ev->proctitle = ev_decode(ev, val,
				    &ev->proctitle_len);
			}
			break;
		default:	/* CONFIG_CHANGE, DAEMON_*, USER_* */
			if (strcmp(name, "op") == 0)
				set_str(ev, &ev->op, val);
			else if (strcmp(name, "res") == 0)
				set_str(ev, &ev->res, val);
			else if (strcmp(name, "key") == 0 && (ev->key == NULL ||
			    type == AUDIT_CONFIG_CHANGE))
				set_str(ev, &ev->key, val);
			else if (strcmp(name, "audit_enabled") == 0 &&
			    parse_long(val, 10, &l))
				ev->enabled = (long)l;
			else if (strcmp(name, "pid") == 0 && ev->pid < 0)
				ev->pid = parse_pid(val);
			else if (strcmp(name, "auid") == 0 &&
			    ev->auid == UINT32_MAX)
				ev->auid = parse_id(val);
			break;
		}
	} while (auparse_next_field(au) > 0);
done:
	if (type == AUDIT_PATH)
		ev->npaths++;
}

static bool
is_user_type(int type)
{
	return type == AUDIT_USER ||
	    (type >= AUDIT_FIRST_USER_MSG && type <= AUDIT_LAST_USER_MSG) ||
	    (type >= AUDIT_FIRST_USER_MSG2 && type <= AUDIT_LAST_USER_MSG2);
}

static void
parse_record(struct st_reader *r, auparse_state_t *au, struct st_event *ev)
{
	int type = auparse_get_type(au);
	const char *text;

	/* EOE only ends an event, and the reader feeds some itself (see
	 * OPEN_MAX): not counted as a record */
	if (type == AUDIT_EOE)
		return;
	ev->nrecords++;
	r->st.records++;
	/* what the event will hold in memory, roughly: its text, and an
	 * allocation for each field (each argument of an EXECVE record);
	 * as libauparse was fed it, without the fields never read (lean.c) */
	if ((text = auparse_get_record_text(au)) != NULL)
		ev->bytes += strlen(text) + 1 +
		    FIELD_COST * auparse_get_num_fields(au);
	if (ev->first_type == 0)
		ev->first_type = type;
	switch (type) {
	case AUDIT_SYSCALL:
		parse_syscall(r, au, ev);
		break;
	case AUDIT_EXECVE:
		parse_execve(au, ev);
		break;
	case AUDIT_CWD:
	case AUDIT_PATH:
	case AUDIT_SOCKADDR:
	case AUDIT_PROCTITLE:
		parse_simple(au, ev, type);
		break;
	case AUDIT_CONFIG_CHANGE:
		set_kind(ev, ST_EV_CONFIG);
		parse_simple(au, ev, type);
		break;
	case AUDIT_EOE:
		break;
	default:
		if (type >= AUDIT_FIRST_DAEMON && type <= AUDIT_LAST_DAEMON) {
			set_kind(ev, ST_EV_DAEMON);
			parse_simple(au, ev, type);
		} else if (is_user_type(type)) {
			set_kind(ev, ST_EV_USER);
			parse_simple(au, ev, type);
			if (ev->msg == NULL && text != NULL)
				ev->msg = xstrdup(text);
		}
		break;
	}
}

/*
 * Did the run a checkpoint comes from read this event?  Within the serials
 * its ring remembers, the ring says (a slow syscall numbered late may still
 * be new); a serial ahead of them all is new; one older than the ring was
 * read unless it is newer in time (a reboot numbers from 1 again).
 * auditd's own records count apart: their time says.
 */
static bool
read_before(const struct st_reader *r, unsigned node, const au_event_t *ts,
    bool daemon)
{
	const struct mark *m;
	uint32_t s = (uint32_t)ts->serial;
	int32_t d;

	if (node >= r->nmarks || !r->marks[node].init)
		return false;
	m = &r->marks[node];
	if (!daemon && ts->serial != 0) {
		d = (int32_t)(s - m->g.hi);
		if (d > 0)
			return false;
		if (d > -GAP_RING && (int32_t)(s - m->g.lo) >= 0)
			return ring_get(&m->g, s);
	}
	return ts->sec < m->sec || (ts->sec == m->sec && ts->milli <= m->ms);
}

/* Is this an event st_reader_hold() held back? */
static bool
held(const struct st_reader *r, unsigned node, unsigned long serial)
{
	size_t i;

	for (i = 0; i < r->nholding; i++)
		if (r->holding[i].node == node &&
		    r->holding[i].serial == serial)
			return true;
	return false;
}

static void
reader_event(auparse_state_t *au, auparse_cb_event_t type, void *arg)
{
	struct st_reader *r = arg;
	const au_event_t *ts;
	struct st_event *ev;
	unsigned node;
	unsigned left;
	bool fresh;
	int rtype;

	if (type != AUPARSE_CB_EVENT_READY)
		return;
	if ((ts = auparse_get_timestamp(au)) == NULL ||
	    auparse_first_record(au) <= 0)
		return;
	/* A lone EOE, fed by track_open() after an event libauparse had
	 * already ended: nothing to add. */
	rtype = auparse_get_type(au);
	if (auparse_get_num_records(au) == 1 && rtype == AUDIT_EOE)
		return;
	node = st_node_intern(ts->host);
	/* taken before the event may be passed over, as its records are */
	left = node == 0 && r->left_out.len > 0 ?
	    take_left_out(r, au, rtype, ts) : 0;
	if (r->nmarks > 0 && read_before(r, node, ts,
	    rtype >= AUDIT_FIRST_DAEMON && rtype <= AUDIT_LAST_DAEMON)) {
		r->st.reread++;
		return;
	}
	ev = st_window_find(r->win, node, ts->sec, ts->milli, ts->serial);
	fresh = ev == NULL;
	if (fresh && r->nholding > 0 && held(r, node, ts->serial)) {
		r->st.held++;
		return;
	}
	if (fresh) {
		ev = xcalloc(1, sizeof *ev);
		ev->node = node;
		ev->sec = ts->sec;
		ev->ms = ts->milli;
		ev->serial = ts->serial;
		ev->argc = -1;
		ev->items = -1;
		ev->enabled = -1;
		ev->family = ev->port = -1;
		ev->pid = ev->ppid = -1;
		/* unknown until a SYSCALL record says (a CONFIG_CHANGE or a
		 * daemon record may come without one) */
		ev->uid = ev->euid = ev->gid = ev->ses = UINT32_MAX;
		ev->auid = UINT32_MAX;
		ev->sysname = "";
	} else {
		ev->parts++;
		r->st.parts_merged++;
	}
	do {
		parse_record(r, au, ev);
	} while (auparse_next_record(au) > 0);
	ev->nrecords += left;
	r->st.records += left;
	if (fresh) {
		ev->parts = 1;
		clock_step(r, ev);
		st_window_add(r->win, ev);
	} else
		st_window_rekey(r->win, ev);
	reader_release(r, false);
}

/*
 * The clock set back (by hand, or by NTP stepping it), the kernel's
 * numbering going on: an event far older by its time than the newest of
 * its node, numbered after it.  The window orders by time, and would put
 * up to its size of events logged after the step before the ones logged
 * before it: the ones waiting leave first, and what follows is "late" no
 * more.  (A syscall blocked that long is stamped at its entry and
 * numbered at its exit, and gets the same treatment: its event then
 * follows those that happened meanwhile, which is their serial order.)
 */
/* Per-node array v of *n elements of size bytes, grown zeroed to hold
 * node (the gap rings, marks and newest times are all kept so). */
static void *
grow_nodes(void *v, size_t *n, size_t size, unsigned node)
{
	if (node < *n)
		return v;
	v = xreallocarray(v, (size_t)node + 1, size);
	memset((char *)v + *n * size, 0, ((size_t)node + 1 - *n) * size);
	*n = (size_t)node + 1;
	return v;
}

static void
clock_step(struct st_reader *r, const struct st_event *ev)
{
	struct newest *nw;

	if (ev->serial == 0 || ev->kind == ST_EV_DAEMON)
		return;
	r->newest = grow_nodes(r->newest, &r->nnewest, sizeof *r->newest,
	    ev->node);
	nw = &r->newest[ev->node];
	if (nw->init && (int32_t)((uint32_t)ev->serial - nw->serial) <= 0)
		return;		/* numbered before the newest: no step */
	if (nw->init && ev->sec + CLOCK_STEP_SECONDS < nw->sec) {
		reader_release(r, true);
		r->last_sec = ev->sec;
		r->last_ms = ev->ms;
		r->st.clock_steps++;
	}
	/* the newest by number, and its time */
	nw->serial = (uint32_t)ev->serial;
	nw->sec = ev->sec;
	nw->init = true;
}

/* ------------------------------------------------------------ finishing */

/* Joins the argument builders into argv; notes what the kernel cut. */
static void
finish_argv(struct st_reader *r, struct st_event *ev)
{
	size_t n, i, start, end;
	struct st_argb *a;

	if (ev->argc < 0 && ev->nargb == 0) {
		/*
		 * No EXECVE record (rules without it, or lost): the
		 * PROCTITLE is the next best argv, cut at 128 bytes.
		 */
		if (ev->kind == ST_EV_EXEC && ev->proctitle != NULL) {
			for (n = 0, i = 0; i < ev->proctitle_len; i++)
				n += ev->proctitle[i] == '\0';
			if (ev->proctitle_len > 0 &&
			    ev->proctitle[ev->proctitle_len - 1] != '\0')
				n++;	/* the last, cut: no NUL */
			if (n > 0)
				ev->argv = st_event_alloc(ev, (n + 1) *
				    sizeof *ev->argv);
			for (start = 0; start < ev->proctitle_len; start = end + 1) {
				end = start;
				while (end < ev->proctitle_len &&
				    ev->proctitle[end] != '\0')
					end++;
				ev->argv[ev->nargv++] = st_event_strndup(ev,
				    ev->proctitle + start, end - start);
			}
			if (n > 0)
				ev->argv[ev->nargv] = NULL;
			ev->argv_truncated = true;
		}
		goto out;
	}
	/*
	 * argc is a claim; only arguments the log holds become strings.
	 * Arguments announced but never received are what the kernel (or
	 * a lost record) cut: say so, do not make a string for each.
	 */
	n = ev->nargb;
	if (ev->argc >= 0 && (size_t)ev->argc < n)
		n = (size_t)ev->argc;
	if (ev->argc >= 0 && (size_t)ev->argc > n)
		ev->argv_truncated = true;
	if (n > SIZE_MAX / sizeof *ev->argv - 1)
		st_fatal("out of memory");
	ev->argv = st_event_alloc(ev, (n + 1) * sizeof *ev->argv);
	for (i = 0; i < n; i++) {
		a = i < ev->nargb ? &ev->argb[i] : NULL;
		if (a == NULL || !a->have) {
			ev->argv[i] = st_event_strndup(ev, "", 0);
			ev->argv_truncated = true;
			continue;
		}
		if (a->declared_len >= 0 &&
		    (size_t)a->declared_len != a->encoded_len)
			ev->argv_truncated = true;
		/* a joined argument keeps its buffer (st_event_free frees
		 * what is not in the event's memory) */
		ev->argv[i] = a->whole != NULL ? a->whole :
		    st_buf_steal(&a->val);
	}
	ev->argv[n] = NULL;
	ev->nargv = n;
out:
	if (ev->argv_truncated && ev->kind == ST_EV_EXEC)
		r->st.argv_truncated++;
	for (i = 0; i < ev->nargb; i++)
		st_buf_free(&ev->argb[i].val);
	free(ev->argb);
	ev->argb = NULL;
	ev->nargb = ev->argb_cap = 0;
}

static bool
ring_get(const struct gapstate *g, uint32_t s)
{
	return (g->ring[(s % GAP_RING) / 64] >> (s % 64)) & 1;
}

static void
ring_set(struct gapstate *g, uint32_t s, bool on)
{
	uint64_t bit = (uint64_t)1 << (s % 64);

	if (on)
		g->ring[(s % GAP_RING) / 64] |= bit;
	else
		g->ring[(s % GAP_RING) / 64] &= ~bit;
}

/* Is serial s marked seen?  Beyond what the ring remembers: assume so. */
static bool
seen(struct gapstate *g, uint32_t s)
{
	if ((int32_t)(g->hi - s) >= GAP_RING || (int32_t)(s - g->lo) < 0)
		return true;
	return ring_get(g, s);
}

/*
 * Serial numbers are consecutive per kernel: a hole is an event lost
 * (backlog overflow) or filtered after the kernel stamped it.  auditd's own
 * DAEMON_* records count from a different counter and are left out.
 * Events leave the window in time order, which is not quite serial order,
 * so a hole may be filled later: a serial that arrives behind the newest,
 * within the last GAP_RING, fills its hole, and closes the gap (both
 * neighbours seen) or splits it (neither seen).
 */
static void
track_serial(struct st_reader *r, struct st_event *ev, bool late)
{
	struct gapstate *g;
	uint32_t s = (uint32_t)ev->serial, k;
	int64_t d;
	bool left, right;

	if (ev->kind == ST_EV_DAEMON || ev->serial == 0)
		return;
	r->gaps = grow_nodes(r->gaps, &r->ngaps, sizeof *r->gaps, ev->node);
	g = &r->gaps[ev->node];
	if (!g->init)
		goto reset;
	d = (int32_t)(s - g->hi);	/* wraps at 2^32 like the kernel */
	/* a late part is seconds behind and thousands of serials: far
	 * more of either is another boot (clock set back) or another host */
	if (d > GAP_RESET || (d <= -GAP_RING && (!late || d <= -GAP_RESET ||
	    r->last_sec - ev->sec > GAP_RESET_SECONDS)) ||
	    (d < 0 && ev->sec > g->hi_sec + GAP_RESET_SECONDS &&
	    ((int32_t)(s - g->lo) < 0 || seen(g, s)))) {
		r->st.serial_resets++;
		goto reset;
	}
	if (d > 0) {
		for (k = 1; k < (uint32_t)d && k <= GAP_RING; k++)
			ring_set(g, g->hi + k, false);
		if (d > 1) {
			r->st.serial_missing += (unsigned long)(d - 1);
			r->st.serial_gaps++;
			cov_gap(ev, g->hi, g->hi_sec, g->hi_ms, s, ev->sec,
			    ev->ms, (unsigned long)(d - 1));
		}
		ring_set(g, s, true);
		g->hi = s;
		g->hi_sec = ev->sec;
		g->hi_ms = ev->ms;
		if ((int32_t)(g->hi - g->lo) >= GAP_RING)
			g->lo = g->hi - GAP_RING + 1;
	} else if (d < 0 && (int32_t)(s - g->lo) < 0) {
		/* older than anything seen: where the log began, no hole */
		if ((int32_t)(g->hi - s) < GAP_RING) {
			for (k = s + 1; k != g->lo; k++)
				ring_set(g, k, false);
			r->st.serial_missing += g->lo - s - 1;
			if (g->lo - s > 1) {
				r->st.serial_gaps++;
				/* lo's time is gone: hi's bounds it */
				cov_gap(ev, s, ev->sec, ev->ms, g->lo,
				    g->hi_sec, g->hi_ms, g->lo - s - 1);
			}
			ring_set(g, s, true);
			g->lo = s;
		}
	} else if (d < 0 && !seen(g, s)) {
		left = seen(g, s - 1);
		right = seen(g, s + 1);
		ring_set(g, s, true);
		r->st.serial_missing--;
		ev->cov.kind = ST_COV_FILL;
		ev->cov.lo = s;
		if (left && right)
			r->st.serial_gaps--;
		else if (!left && !right)
			r->st.serial_gaps++;
	}
	return;
reset:
	memset(g, 0, sizeof *g);
	g->init = true;
	g->lo = g->hi = s;
	g->hi_sec = ev->sec;
	g->hi_ms = ev->ms;
	ring_set(g, s, true);
}

static void
cov_gap(struct st_event *ev, unsigned long lo, time_t lo_sec, unsigned lo_ms,
    unsigned long hi, time_t hi_sec, unsigned hi_ms, unsigned long missing)
{
	ev->cov = (struct st_cov_op){ ST_COV_GAP, lo, hi, missing, lo_sec,
	    hi_sec, lo_ms, hi_ms };
}

/* What ev's serial told: for the thread that analyses ev, in order. */
void
st_reader_cov_apply(struct st_coverage *c, const struct st_event *ev)
{
	const struct st_cov_op *o = &ev->cov;

	if (c == NULL)
		return;
	if (o->kind == ST_COV_GAP)
		st_coverage_gap(c, ev->node, o->lo, o->lo_sec, o->lo_ms, o->hi,
		    o->hi_sec, o->hi_ms, o->missing);
	else if (o->kind == ST_COV_FILL)
		st_coverage_fill(c, ev->node, o->lo);
}

/*
 * Records lost inside an event.  A full backlog makes the kernel drop
 * records one by one, before they take a serial number, so no serial goes
 * missing and only the event's own shape tells: its SYSCALL record counts
 * the PATH records that follow (items=), and a successful exec always has
 * EXECVE and CWD records.
 */
static void
check_complete(struct st_reader *r, struct st_event *ev)
{
	unsigned missing = 0;

	if (ev->has_syscall && ev->items > 0 && (unsigned long)ev->items >
	    ev->npaths)
		missing += (unsigned)ev->items - ev->npaths;
	if (ev->kind == ST_EV_EXEC) {
		if (ev->argc < 0)
			missing++;
		if (ev->cwd == NULL)
			missing++;
	}
	ev->missing = missing;
	if (missing > 0) {
		r->st.records_missing += missing;
		r->st.incomplete++;
	}
}

/*
 * A late event whose serial was seen already, within what the ring
 * remembers, is a copy (a log aggregated twice, a resent message): the
 * kernel numbers each event once.  Copies within the window are merged as
 * parts of one event; these come after the original left it.
 */
static bool
duplicate(struct st_reader *r, const struct st_event *ev)
{
	struct gapstate *g;
	uint32_t s = (uint32_t)ev->serial;
	size_t i;

	/* auditd's own records count apart: the last few are remembered */
	if (ev->kind == ST_EV_DAEMON) {
		for (i = 0; i < DAEMON_SEEN; i++)
			if (r->daemon_seen[i].serial == ev->serial &&
			    r->daemon_seen[i].sec == ev->sec &&
			    r->daemon_seen[i].ms == ev->ms &&
			    r->daemon_seen[i].node == ev->node)
				return true;
		return false;
	}
	if (ev->serial == 0 || ev->node >= r->ngaps)
		return false;
	g = &r->gaps[ev->node];
	if (!g->init || (int32_t)(g->hi - s) >= GAP_RING ||
	    (int32_t)(s - g->lo) < 0 || (int32_t)(g->hi - s) < 0)
		return false;
	return ring_get(g, s);
}

static void
reader_release(struct st_reader *r, bool all)
{
	struct st_event *ev;
	bool late;

	while ((ev = st_window_pop(r->win, all)) != NULL) {
		/* Arrived after events that follow it had left the window. */
		late = ev->sec < r->last_sec ||
		    (ev->sec == r->last_sec && ev->ms < r->last_ms);
		if (late)
			r->st.late++;
		else {
			r->last_sec = ev->sec;
			r->last_ms = ev->ms;
		}
		if (late && duplicate(r, ev)) {
			r->st.duplicates++;
			st_event_free(ev);
			continue;
		}
		if (ev->kind == ST_EV_DAEMON) {
			r->daemon_seen[r->ndaemon_seen % DAEMON_SEEN] =
			    (struct daemon_id){ ev->node, ev->sec, ev->ms,
			    ev->serial };
			r->ndaemon_seen++;
		}
		check_complete(r, ev);
		finish_argv(r, ev);
		track_serial(r, ev, late);
		r->st.events++;
		if (ev->kind == ST_EV_EXEC)
			r->st.execs++;
		else if (ev->kind == ST_EV_FORK)
			r->st.forks++;
		if (ev->missing == 0 && (ev->extra_args ||
		    (ev->kind == ST_EV_EXEC && (ev->pid < 0 || ev->ppid < 0))))
			r->st.incomplete++;
		/* the reader's own coverage (none when the events go to
		 * another thread: its consumer applies them) */
		st_reader_cov_apply(r->cov, ev);
		r->fn(ev, r->arg);
		if (!r->give)
			st_event_free(ev);
	}
}

/* ------------------------------------------------------------ checkpoint */

/*
 * Each node's place: the serials seen (the gap ring) and the newest event,
 * as a checkpoint carries them.  *out is allocated; returns their number.
 */
size_t
st_reader_marks(const struct st_reader *r, struct st_reader_mark **out)
{
	struct st_reader_mark *m;
	size_t i, n = 0;

	*out = NULL;
	for (i = 0; i < r->ngaps; i++) {
		if (!r->gaps[i].init)
			continue;
		*out = xreallocarray(*out, n + 1, sizeof **out);
		m = &(*out)[n++];
		memset(m, 0, sizeof *m);
		m->node = (unsigned)i;
		m->lo = r->gaps[i].lo;
		m->hi = r->gaps[i].hi;
		m->hi_sec = r->gaps[i].hi_sec;
		m->hi_ms = r->gaps[i].hi_ms;
		memcpy(m->ring, r->gaps[i].ring, sizeof m->ring);
		if (i < r->nnewest && r->newest[i].init) {
			m->newest = true;
			m->newest_sec = r->newest[i].sec;
			m->newest_serial = r->newest[i].serial;
		}
	}
	return n;
}

/*
 * Goes on from a checkpoint's marks: events they say were read are
 * skipped (counted as reread), and serials go on being checked for gaps
 * from there, so events lost between two runs are a gap like any other.
 */
void
st_reader_resume(struct st_reader *r, const struct st_reader_mark *v,
    size_t n)
{
	struct gapstate *g;
	struct mark *mk;
	size_t i;
	unsigned node;

	for (i = 0; i < n; i++) {
		node = v[i].node;
		r->gaps = grow_nodes(r->gaps, &r->ngaps, sizeof *r->gaps, node);
		r->marks = grow_nodes(r->marks, &r->nmarks, sizeof *r->marks, node);
		r->newest = grow_nodes(r->newest, &r->nnewest,
		    sizeof *r->newest, node);
		g = &r->gaps[node];
		memset(g, 0, sizeof *g);
		g->init = true;
		g->lo = v[i].lo;
		g->hi = v[i].hi;
		g->hi_sec = v[i].hi_sec;
		g->hi_ms = v[i].hi_ms;
		memcpy(g->ring, v[i].ring, sizeof g->ring);
		mk = &r->marks[node];
		mk->init = true;
		mk->g = *g;
		mk->sec = v[i].hi_sec;
		mk->ms = v[i].hi_ms;
		if (v[i].newest) {
			r->newest[node].init = true;
			r->newest[node].sec = v[i].newest_sec;
			r->newest[node].serial = v[i].newest_serial;
			if (v[i].newest_sec > mk->sec)
				mk->sec = v[i].newest_sec;
		}
		if (mk->sec > r->last_sec) {
			r->last_sec = mk->sec;
			r->last_ms = mk->ms;
		}
	}
}

/*
 * An event's memory: its strings and argv, bump-allocated from blocks
 * freed with it.  An exec's dozen strings (comm, exe, cwd, names, every
 * argument) took a malloc and a free each, in the reader thread, and each
 * sat apart from the others; the window holds 2048 events, so by the time
 * an event leaves, what it points to is cold.  In one or two blocks they
 * are allocated and freed at once and read from a few cache lines.
 */
struct st_ev_block {
	struct st_ev_block	*next;
	size_t			 used, cap;
	max_align_t		 d[];
};

#define EV_BLOCK_FIRST	256
#define EV_BLOCK_MAX	(64 * 1024)

static void *
ev_get(struct st_event *ev, size_t n, size_t align)
{
	struct st_ev_block *b = ev->mem;
	size_t at, cap;

	if (b != NULL) {
		at = (b->used + align - 1) & ~(align - 1);
		if (at <= b->cap && n <= b->cap - at) {
			b->used = at + n;
			return (char *)b->d + at;
		}
	}
	cap = b == NULL ? EV_BLOCK_FIRST : b->cap < EV_BLOCK_MAX / 2 ?
	    b->cap * 2 : EV_BLOCK_MAX;
	if (cap < n)
		cap = n;	/* a huge argument: a block of its own */
	if (cap > SIZE_MAX - sizeof *b)
		st_fatal("out of memory");
	b = xmalloc(sizeof *b + cap);
	b->cap = cap;
	b->used = n;
	if (ev->mem != NULL && n == cap && ev->mem->cap - ev->mem->used >
	    EV_BLOCK_FIRST) {
		/* the current block has room still: keep using it */
		b->next = ev->mem->next;
		ev->mem->next = b;
	} else {
		b->next = ev->mem;
		ev->mem = b;
	}
	return b->d;
}

/* n bytes of ev's memory, aligned for any type. */
void *
st_event_alloc(struct st_event *ev, size_t n)
{
	return ev_get(ev, n, sizeof(max_align_t));
}

/* A copy of s's first n bytes (NUL-terminated) in ev's memory. */
char *
st_event_strndup(struct st_event *ev, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		st_fatal("out of memory");
	p = ev_get(ev, n + 1, 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void *
ev_get_bytes(void *ev, size_t n)
{
	return ev_get(ev, n, 1);
}

/* st_audit_decode() into ev's memory. */
static char *
ev_decode(struct st_event *ev, const char *raw, size_t *len)
{
	return st_audit_decode_in(raw, len, ev_get_bytes, ev);
}

/* Is p in ev's memory (else an allocation of its own, or NULL)? */
bool
st_event_owns(const struct st_event *ev, const void *p)
{
	const struct st_ev_block *b;
	uintptr_t a = (uintptr_t)p;

	for (b = ev->mem; b != NULL; b = b->next)
		if (a >= (uintptr_t)b->d && a < (uintptr_t)b->d + b->cap)
			return true;
	return false;
}

/* Lets go of a field's old value. */
static void
ev_drop(const struct st_event *ev, void *p)
{
	if (p != NULL && !st_event_owns(ev, p))
		free(p);
}

void
st_event_free(struct st_event *ev)
{
	struct st_ev_block *b;
	size_t i;

	if (ev == NULL)
		return;
	for (i = 0; i < ev->nargb; i++)
		st_buf_free(&ev->argb[i].val);
	free(ev->argb);
	if (ev->argv != NULL) {
		for (i = 0; i < ev->nargv; i++)
			ev_drop(ev, ev->argv[i]);
		ev_drop(ev, ev->argv);
	}
	ev_drop(ev, ev->comm);
	ev_drop(ev, ev->exe);
	ev_drop(ev, ev->key);
	ev_drop(ev, ev->cwd);
	ev_drop(ev, ev->path0);
	for (i = 0; i < ev->nnames; i++)
		ev_drop(ev, ev->names[i]);
	ev_drop(ev, ev->addr);
	ev_drop(ev, ev->proctitle);
	ev_drop(ev, ev->op);
	ev_drop(ev, ev->res);
	ev_drop(ev, ev->msg);
	while ((b = ev->mem) != NULL) {
		ev->mem = b->next;
		free(b);
	}
	free(ev);
}

const char *
st_event_kind_name(enum st_event_kind k)
{
	static const char *const names[] = {
		[ST_EV_OTHER] = "other",
		[ST_EV_EXEC] = "exec",
		[ST_EV_FORK] = "fork",
		[ST_EV_SYSCALL] = "syscall",
		[ST_EV_CONFIG] = "config",
		[ST_EV_DAEMON] = "daemon",
		[ST_EV_USER] = "user",
	};

	return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "?";
}
