/*
 * lean.c: the fields of a record that steptrail never reads, left out
 * before libauparse parses them.
 *
 * libauparse's time goes by the field: it copies each record, splits it at
 * spaces, and makes a name/value node of every word (ellist.c,
 * parse_up_record).  An exec's two PATH records have 15 fields each, of
 * which reader.c reads three (item, name, nametype); its BPRM_FCAPS record
 * (an exec by root, or of a file with capabilities) has 9 and none is
 * read.  Those are a third of a build log's bytes and two fifths of its
 * fields.  Fed without the unread words, libauparse takes about a fifth
 * less time (bench/auparse-floor on such a log: 1.01 s to 0.78 s), and
 * the reader thread, which sets the pace, about 6% less.  Nothing changes
 * in what reader.c sees: each word kept is passed as it was, in its place,
 * so libauparse makes of it the very field it made before.  A BPRM_FCAPS
 * record that follows a record of its own event is not fed at all
 * (st_lean_drop(), reader.c's leave_out()): it is counted with its event
 * when libauparse hands that out.  Of a SYSCALL record, whose fields are
 * nearly all read, only the run of six the kernel writes together and
 * reader.c never reads is left out (syscall_run).
 *
 * A word is judged by the name libauparse gives it: what comes before its
 * first '=', once a leading "msg='" and a leading '(' are taken off
 * (st_auparse_word(), which reader.c's count_fields() uses too).  Words
 * without '=' are dropped, as libauparse drops them.  A record is cut at its first 0x1d
 * (ENRICHED format's separator): libauparse keeps what follows apart as
 * interpretations, which steptrail never asks for.
 *
 * Two things could still tell the feeds apart, and neither does: the
 * reader cuts its batches by the bytes read, not by the bytes fed (where a
 * feed ends changes how libauparse groups records that come out of order;
 * a stress test found it), and the window's byte bound counts the text as
 * fed, which is what the event holds (the one difference left: a
 * hand-made record of tens of thousands of junk fields no longer forces
 * events out of the window early).
 *
 * The lists below must name every field parse_simple() in reader.c reads
 * of these types, and syscall_run none that parse_syscall() reads.  test-reader holds a table of lines, what is kept of
 * them, and that libauparse makes the same fields of both; tests/lean.sh
 * runs every test log with and without this (STEPTRAIL_LEAN=0) and
 * compares the reports byte for byte.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "steptrail.h"

/*
 * Names are at most 8 bytes, each held zero-padded in 8 (a name of 8 bytes
 * without its NUL), and compared as one 64-bit word: each word of each
 * record is looked up, and strncmp's cost would eat much of what is saved.
 */
#define LEAN_NAME_MAX	8

struct st_lean {
	size_t		 n;
	const char	(*names)[LEAN_NAME_MAX];
	/* or, run_n > 0: every word kept but this run of words, in this
	 * order, one space apart, where it stands whole */
	size_t		 run_n;
	const char	*const *run;
};

/* Fields read of a PATH record (parse_simple). */
static const char path_names[][LEAN_NAME_MAX] = {
	"item", "name", "nametype"
};

static const struct st_lean path_keep = {
	sizeof path_names / sizeof path_names[0], path_names, 0, NULL
};
/* BPRM_FCAPS: no field is read (parse_record passes it over) */
static const struct st_lean none_keep = { 0, NULL, 0, NULL };

/*
 * SYSCALL: 19 of its 25 fields are read (parse_syscall), and a filter that
 * judged every word cost what libauparse saved.  But the kernel writes the
 * six that are not read one after the other (audit_log_task_info(): "...
 * euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=..."), so one
 * search finds them, and they go together: a fifth of libauparse's work
 * on the record, for one memchr.  Anywhere else, or with any other word
 * among them, they are fed as they are.
 */
static const char *const syscall_run[] = {
	"suid", "fsuid", "egid", "sgid", "fsgid", "tty"
};

static const struct st_lean syscall_keep = {
	0, NULL, sizeof syscall_run / sizeof syscall_run[0], syscall_run
};

/*
 * May a record of this type be left out whole, when it follows a record of
 * its own event (reader.c: leave_out())?  A BPRM_FCAPS record (an exec by
 * root, or of a file with capabilities) has no field steptrail reads, and
 * libauparse's cost goes as much by the record as by the field: fed even
 * as its bare header, it was a twelfth of the reader's work on a build's
 * log.  libauparse ends an event at some types of record (PROCTITLE, EOE,
 * types below 1300 ...): this one is not among them, so where it follows
 * a record of its own event that did not end it, leaving it out changes
 * neither how records are grouped nor when events are handed out.
 */
bool
st_lean_drop(const char *type, size_t len)
{
	return len == 10 && memcmp(type, "BPRM_FCAPS", 10) == 0;
}

/* The fields to keep of a record of this type, or NULL: all of them. */
const struct st_lean *
st_lean_keep(const char *type, size_t len)
{
	switch (len) {
	case 4:
		return memcmp(type, "PATH", 4) == 0 ? &path_keep : NULL;
	case 7:
		return memcmp(type, "SYSCALL", 7) == 0 ? &syscall_keep : NULL;
	case 10:
		return memcmp(type, "BPRM_FCAPS", 10) == 0 ? &none_keep : NULL;
	}
	return NULL;
}

static bool
kept(const struct st_lean *keep, const char *name, size_t len)
{
	char pad[LEAN_NAME_MAX] = { 0 };
	uint64_t want, have;
	size_t i;

	if (len == 0 || len > LEAN_NAME_MAX)
		return false;
	memcpy(pad, name, len);
	memcpy(&want, pad, sizeof want);
	for (i = 0; i < keep->n; i++) {
		memcpy(&have, keep->names[i], sizeof have);
		if (have == want)
			return true;
	}
	return false;
}

/*
 * The word of a record at w (up to the next space, or end) and the name
 * libauparse 3.0.9 gives it (ellist.c, parse_up_record): what comes before
 * its first '=', once a leading "msg='" and a leading '(' are taken off.
 * Returns the word's end; *nlen is 0 when there is no name (no '=').
 * reader.c's count_fields() reads words this way too.
 */
const char *
st_auparse_word(const char *w, const char *end, const char **name,
    size_t *nlen)
{
	const char *e, *eq;

	if ((e = memchr(w, ' ', (size_t)(end - w))) == NULL)
		e = end;
	*name = w;
	if (e - w >= 5 && memcmp(w, "msg='", 5) == 0)
		*name += 5;
	if (*name < e && **name == '(')
		(*name)++;
	eq = memchr(*name, '=', (size_t)(e - *name));
	*nlen = eq != NULL ? (size_t)(eq - *name) : 0;
	return e;
}

/*
 * The record just added to out at at (n bytes) without keep's run of
 * words: " name=value" each, the first found after the header and before
 * the 0x1d that ends the fields, all of them in order.  The first name's
 * first byte is looked for with memchr: memmem's set-up cost more than
 * the search on a record of 300 bytes.
 */
static void
cut_run(struct st_buf *out, size_t at, size_t n, size_t body,
    const struct st_lean *keep)
{
	char *d = out->d + at, *p, *q, *e = d + n;
	const char *first = keep->run[0];
	size_t k, len = strlen(first);

	for (p = d + body; (p = memchr(p, first[0], (size_t)(e - p))) != NULL;
	    p++)
		if (p[-1] == ' ' && (size_t)(e - p) > len &&
		    memcmp(p, first, len) == 0 && p[len] == '=')
			break;
	if (p == NULL)
		return;
	for (q = --p, k = 0; k < keep->run_n; k++) {
		len = strlen(keep->run[k]);
		if ((size_t)(e - q) < len + 2 || q[0] != ' ' ||
		    memcmp(q + 1, keep->run[k], len) != 0 || q[len + 1] != '=')
			return;
		if ((q = memchr(q + len + 2, ' ', (size_t)(e - q) - len - 2)) ==
		    NULL)
			q = e;
	}
	/* past the fields (ENRICHED's interpretations): not theirs to cut */
	if (memchr(d + body, 0x1d, (size_t)(q - d) - body) != NULL)
		return;
	memmove(p, q, (size_t)(e - q));
	out->len -= (size_t)(q - p);
	out->d[out->len] = '\0';
}

/*
 * Adds the record s (n bytes, no newline) to out, its first body bytes (the
 * header, up to and with "msg=audit(...):") as they are, and of the words
 * after them only those keep names, each after one space.  The kept text
 * is never longer than the record: it is reserved at once and written in
 * place, a word at a time.
 */
void
st_lean_add(struct st_buf *out, const char *s, size_t n, size_t body,
    const struct st_lean *keep)
{
	const char *w, *e, *name, *end;
	size_t at = out->len, o, nlen;
	char *d;

	st_buf_add(out, s, n);
	if (keep == NULL)
		return;
	if (keep->run_n > 0) {
		cut_run(out, at, n, body, keep);
		return;
	}
	end = s + n;
	if ((e = memchr(s + body, 0x1d, n - body)) != NULL)
		end = e;
	/* a word glued to "):" is one word with the header to libauparse,
	 * which passes over every word that begins "msg=audit" */
	while (s + body < end && s[body] != ' ')
		body++;
	d = out->d + at;
	o = body;
	for (w = s + body; w < end; w = e + 1) {
		e = st_auparse_word(w, end, &name, &nlen);
		if (!kept(keep, name, nlen))
			continue;
		d[o++] = ' ';
		memcpy(d + o, w, (size_t)(e - w));
		o += (size_t)(e - w);
	}
	out->len = at + o;
	out->d[out->len] = '\0';
}
