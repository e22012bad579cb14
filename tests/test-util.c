/*
 * test-util.c: value decoding, escaping for terminals and JSON, the map.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "steptrail.h"
#include "tap.h"

static char *
esc(const char *s, size_t n)
{
	struct st_buf b = { 0 };

	st_escape(&b, s, n);
	return st_buf_steal(&b);
}

static char *
argv_line(char **v, size_t n, size_t max)
{
	struct st_buf b = { 0 };

	st_format_argv(&b, v, n, max);
	return st_buf_steal(&b);
}

/* A bump allocator over a caller's buffer, as the reader's event memory. */
struct bump {
	char	*d;
	size_t	 cap, used;
};

static void *
bump_get(void *arg, size_t n)
{
	struct bump *b = arg;
	void *p;

	if (b->used + n > b->cap)
		return NULL;
	p = b->d + b->used;
	b->used += n;
	return p;
}

static void
test_decode(void)
{
	size_t len;
	char *s;

	s = st_audit_decode("\"/usr/bin/bash\"", &len);
	is_str(s, "/usr/bin/bash", "decode: quoted value loses its quotes");
	is_int(len, 13, "decode: quoted length");
	free(s);

	/* "a b" as the kernel hex-encodes an argument holding a space */
	s = st_audit_decode("612062", &len);
	is_str(s, "a b", "decode: hex value");
	is_int(len, 3, "decode: hex length");
	free(s);

	s = st_audit_decode("(null)", &len);
	ok(s == NULL && len == 0, "decode: (null) is absent");

	/* PROCTITLE: NUL-separated argv, hex-encoded */
	s = st_audit_decode("6C73002D6C", &len);
	ok(s != NULL && len == 5 && memcmp(s, "ls\0-l", 5) == 0,
	    "decode: hex keeps embedded NULs with the length");
	free(s);

	s = st_audit_decode("abc", &len);
	is_str(s, "abc", "decode: odd-length unquoted value kept as written");
	free(s);

	ok(!st_is_hex("12G4", 4), "is_hex: rejects non-hex digit");
	ok(!st_is_hex("", 0), "is_hex: rejects empty");
	ok(st_is_hex("09afAF", 6), "is_hex: both cases");
	ok(!st_is_hex("6\0", 2) && !st_is_hex("6\xb6", 2) &&
	    !st_is_hex("6/", 2) && !st_is_hex("6:", 2) && !st_is_hex("6@", 2) &&
	    !st_is_hex("6G", 2) && !st_is_hex("6`", 2) && !st_is_hex("6g", 2),
	    "is_hex: the bytes around the digits' ranges, NUL and 0xb6 "
	    "(0x10 | 6, the table's own mark) are not hex");

	/* decoded and checked in one pass: the last digit decides */
	s = st_audit_decode("616Z", &len);
	is_str(s, "616Z", "decode: even-length text that is not hex all "
	    "through is kept as written");
	free(s);
	s = st_audit_decode("6c73", &len);
	is_str(s, "ls", "decode: lower-case hex");
	free(s);
	{
		char buf[64], out[2];
		struct bump b = { buf, sizeof buf, 0 };

		s = st_audit_decode_in("2F746D70", &len, bump_get, &b);
		ok(s == buf && len == 4 && strcmp(s, "/tmp") == 0,
		    "decode_in: hex into the caller's memory");
		s = st_audit_decode_in("2F746D7Q", &len, bump_get, &b);
		ok(s != NULL && strcmp(s, "2F746D7Q") == 0 && len == 8 &&
		    s >= buf && s < buf + sizeof buf,
		    "decode_in: not hex after all: copied as written, into "
		    "the caller's memory too");
		ok(st_hex_decode("4a4B", 4, out) == 0 && out[0] == 'J' &&
		    out[1] == 'K', "hex_decode: two bytes");
		ok(st_hex_decode("4a4", 3, out) == -1 &&
		    st_hex_decode("4a4K", 4, out) == -1,
		    "hex_decode: odd length, a bad digit: -1");
	}
}

static void
test_escape(void)
{
	char *s;
	char *v[4];

	s = esc("a\nb\tc\x1b[2J", strlen("a\nb\tc\x1b[2J"));
	is_str(s, "a\\nb\\tc\\x1b[2J", "escape: newline, tab, ESC");
	free(s);

	s = esc("back\\slash", 10);
	is_str(s, "back\\\\slash", "escape: backslash doubled so escapes are "
	    "unambiguous");
	free(s);

	s = esc("caf\xc3\xa9", 5);
	is_str(s, "caf\xc3\xa9", "escape: valid UTF-8 passes");
	free(s);

	s = esc("\xff\xfe", 2);
	is_str(s, "\\xff\\xfe", "escape: invalid UTF-8 bytes as \\xNN");
	free(s);

	/* U+202E RIGHT-TO-LEFT OVERRIDE: Trojan Source */
	s = esc("rm \xe2\x80\xae" "fdp.exe", strlen("rm \xe2\x80\xae" "fdp.exe"));
	is_str(s, "rm \\u202efdp.exe", "escape: bidi override made visible");
	free(s);

	/* U+009B: a C1 CSI that some terminals obey */
	s = esc("x\xc2\x9b" "31m", 6);
	is_str(s, "x\\u009b31m", "escape: C1 control made visible");
	free(s);

	s = esc("\xe0\x80\xaf", 3);
	is_str(s, "\\xe0\\x80\\xaf", "escape: overlong UTF-8 rejected");
	free(s);

	v[0] = "python3";
	v[1] = "-c";
	v[2] = "print('hi')";
	v[3] = "";
	s = argv_line(v, 4, 0);
	is_str(s, "python3 -c 'print('\\''hi'\\'')' ''",
	    "argv: shell-quoted, quote escaped, empty arg shown");
	free(s);

	v[0] = "sh";
	v[1] = "-c";
	v[2] = "echo x\n::error::forged";
	s = argv_line(v, 3, 0);
	is_str(s, "sh -c $'echo x\\n::error::forged'",
	    "argv: a newline cannot start a new line in the report; $'' "
	    "quoting so that the escape means what it says");
	free(s);

	v[0] = "sh";
	v[1] = "-c";
	v[2] = "echo '##[add-mask]steptrail' ##[error]x";
	s = argv_line(v, 3, 0);
	is_str(s, "sh -c $'echo \\'##\\x5badd-mask]steptrail\\' "
	    "##\\x5berror]x'", "argv: GitHub's legacy ##[ command prefix "
	    "cannot appear, even inside quotes");
	free(s);

	v[0] = "perl";
	v[1] = "-e";
	v[2] = "print \"v$^V\\n\"";
	s = argv_line(v, 3, 0);
	is_str(s, "perl -e 'print \"v$^V\\n\"'", "argv: a plain argument "
	    "keeps its backslashes as typed, in single quotes");
	free(s);

	v[0] = "x";
	v[1] = "it's\x1b";
	s = argv_line(v, 2, 0);
	is_str(s, "x $'it\\'s\\x1b'", "argv: quote inside $'' escaped");
	free(s);

	v[0] = "x";
	v[1] = "\xc3\xa9\xc3\xa9\xc3\xa9";
	s = argv_line(v, 2, 5);
	ok(strstr(s, " ...") != NULL && strstr(s, "\xc3 ") == NULL,
	    "argv: cut at max without splitting a UTF-8 sequence");
	free(s);

	s = st_utf8_clean("ok \xc3\xa9");
	is_str(s, "ok \xc3\xa9", "utf8_clean: valid string unchanged");
	free(s);
	s = st_utf8_clean("a\\b\xff");
	is_str(s, "a\\\\b\\xff", "utf8_clean: invalid byte escaped, "
	    "backslash doubled");
	free(s);
	/* U+202E RIGHT-TO-LEFT OVERRIDE: valid UTF-8, but it would turn a
	 * JSON consumer's display of the argv around */
	s = st_utf8_clean("rm -rf \xe2\x80\xae/ fdp.txt");
	is_str(s, "rm -rf \\u202e/ fdp.txt", "utf8_clean: bidi override "
	    "made visible");
	free(s);
	s = st_utf8_clean("x\xc2\x9by");	/* U+009B CSI, a C1 control */
	is_str(s, "x\\u009by", "utf8_clean: C1 control made visible");
	free(s);
}

static void
test_map(void)
{
	struct st_map m = { 0 };
	int vals[1000];
	size_t i, found = 0, deleted = 0;

	for (i = 0; i < 1000; i++) {
		vals[i] = (int)i;
		st_map_put(&m, (uint64_t)i * 7919, &vals[i]);
	}
	is_int(m.len, 1000, "map: 1000 entries");
	for (i = 0; i < 1000; i += 2)
		if (st_map_del(&m, (uint64_t)i * 7919) == &vals[i])
			deleted++;
	is_int(deleted, 500, "map: every delete returns its value");
	for (i = 0; i < 1000; i++)
		if (st_map_get(&m, (uint64_t)i * 7919) == &vals[i])
			found++;
	is_int(found, 500, "map: odd keys still found after deleting evens");
	ok(st_map_get(&m, 0) == NULL, "map: deleted key is gone");
	ok(st_map_del(&m, 12345678) == NULL, "map: deleting a missing key");
	st_map_free(&m);
}

static void
test_time(void)
{
	char t[ST_TIME_LEN];

	st_format_time(t, sizeof t, 1795333125, 741);
	is_str(t, "2026-11-22T07:38:45.741Z", "time: ISO 8601 UTC with ms");
}

static void
test_nodes(void)
{
	char name[32];
	unsigned first = 0, id, i, distinct = 0, other = 0;

	is_int(st_node_intern(NULL), 0, "no node is id 0");
	is_int(st_node_intern(""), 0, "an empty node is id 0");
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof name, "host-%u", i);
		id = st_node_intern(name);
		if (i == 0)
			first = id;
		if (i < 4096 && id == i + 1 &&
		    strcmp(st_node_name(id), name) == 0)
			distinct++;
		if (i >= 4096 && id == 4097)
			other++;
	}
	is_int(distinct, 4096, "the first 4096 nodes get their own ids");
	is_int(other, 5000 - 4096, "the rest share one");
	is_str(st_node_name(4097), "(one of too many nodes)",
	    "... which is not passed off as a real host");
	is_int(st_node_intern("host-0"), first, "a known node keeps its id "
	    "after the table is full");
	is_int(st_node_intern("host-4095"), 4096, "... the last one too");
}

/* --since/--until: every accepted form, and refusals that say why. */
static void
test_when(void)
{
	const time_t now = 1795334774;	/* 2026-11-22T08:06:14Z */
	int64_t ms = 0;
	char *cause = NULL;
	static const struct {
		const char	*in;
		int64_t		 want;
		const char	*what;
	} good[] = {
		{ "2026-11-22T08:06:14Z", 1795334774000, "ISO 8601, UTC" },
		{ "2026-11-22T08:06:14.085Z", 1795334774085, "... with ms" },
		{ "2026-11-22t08:06:14.0856789z", 1795334774085,
		    "... more digits cut, lower case" },
		{ "2026-11-22T09:06:14+01:00", 1795334774000, "... +01:00" },
		{ "2026-11-22T03:36:14-0430", 1795334774000, "... -0430" },
		{ "2026-11-22 08:06Z", 1795334760000, "... no seconds, space" },
		{ "2026-11-22T08:06:14", 1795334774000, "... local time (TZ=UTC)" },
		{ "2026-11-22", 1795305600000, "... a date: local midnight" },
		{ "2024-02-29T00:00:00Z", 1709164800000, "... a leap day" },
		{ "1795334774", 1795334774000, "epoch seconds" },
		{ "1795334774.5", 1795334774500, "... with a fraction" },
		{ "-2h", 1795327574000, "relative hours" },
		{ "-90s", 1795334684000, "relative seconds" },
		{ "-7d", 1794729974000, "relative days" },
		{ "-1w", 1794729974000, "relative weeks" },
		{ "now", 1795334774000, "now" },
		{ "today", 1795305600000, "today: midnight (TZ=UTC)" },
		{ "yesterday", 1795219200000, "yesterday: midnight before" },
	};
	static const char *const bad[] = {
		"", "2026-13-01", "2026-11-32", "2026-11-22T25:00Z", "2026-11",
		"2026-11-22T08:06:14+25:00", "2026-11-22X", "-2", "-2x", "2h",
		"-h", "12:00", "yesterdayx", "1795334774.", "17953x", "--2h",
		"2026-11-22T08:06:14.Z",
	};
	size_t i;

	setenv("TZ", "UTC", 1);
	tzset();
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		ms = 0;
		ok(st_when_parse(good[i].in, now, &ms, &cause) == 0 &&
		    ms == good[i].want, "when: %s: %s -> %lld", good[i].what,
		    good[i].in, (long long)ms);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		ok(st_when_parse(bad[i], now, &ms, &cause) != 0 &&
		    cause != NULL && strstr(cause, "ISO 8601") != NULL,
		    "when: \"%s\" refused, saying what is accepted", bad[i]);
		free(cause);
	}
}

/* The line of a step in a workflow file (annotations, SARIF regions). */
static void
test_step_line(void)
{
	static const char wf[] =
	    "name: Install dependencies\n"			/* 1 */
	    "on: push\n"
	    "jobs:\n"
	    "  lint:\n"
	    "    runs-on: ubuntu-latest\n"			/* 5 */
	    "    steps:\n"
	    "      - name: Install dependencies\n"
	    "        run: npm ci\n"
	    "  build:\n"
	    "    name: Build # the job's own name\n"		/* 10 */
	    "    runs-on: self-hosted\n"
	    "    steps:\n"
	    "      - uses: actions/checkout@v4\n"
	    "      - uses: actions/setup-python@v5\n"
	    "        with:\n"					/* 15 */
	    "          name: Install dependencies\n"
	    "      - name: Install dependencies\n"
	    "        run: npm ci\n"
	    "      - run: make check # the tests\n"
	    "      - name: \"quoted: name\"\n"		/* 20 */
	    "      - name: 'with NUL before'\n"
	    "  deploy:\n"
	    "    steps:\n"
	    "      - name: Deploy\n";
	struct st_ci ci;
	struct st_ci_cache cache = { 0 };
	char *text = xreallocarray(NULL, sizeof wf, 1);

	memcpy(text, wf, sizeof wf);
	memset(&ci, 0, sizeof ci);
	ci.job = (char *)"build";
	ci.wf = text;
	ci.wf_len = sizeof wf - 1;
	ci.cache = &cache;
	is_int(st_ci_step_line(&ci, "Install dependencies"), 17, "step "
	    "line: the job's own step, not the workflow's name, another "
	    "job's step or an action's input");
	is_int(st_ci_step_line(&ci, "Install dependencies"), 17, "step "
	    "line: asked again (the cache)");
	is_int(st_ci_step_line(&ci, "Run actions/setup-python@v5"), 14,
	    "step line: GitHub's name of an unnamed action step");
	is_int(st_ci_step_line(&ci, "Post Run actions/checkout@v4"), 13,
	    "step line: ... and of its post step");
	is_int(st_ci_step_line(&ci, "Run make check"), 19, "step line: an "
	    "unnamed run step, its comment left out");
	is_int(st_ci_step_line(&ci, "quoted: name"), 20, "step line: a "
	    "quoted name");
	is_int(st_ci_step_line(&ci, "Build"), 0, "step line: the job's "
	    "name is not a step");
	is_int(st_ci_step_line(&ci, "Deploy"), 0, "step line: another job's "
	    "step is not this job's");
	text[sizeof wf - 60] = '\0';	/* a NUL in line 20 or so */
	cache.line = 0;
	free(cache.name);
	cache.name = NULL;
	is_int(st_ci_step_line(&ci, "Install dependencies"), 17, "step "
	    "line: a NUL byte does not stop the count");
	ci.job = (char *)"nosuchjob";
	free(cache.name);
	cache.name = NULL;
	is_int(st_ci_step_line(&ci, "Deploy"), 24, "step line: a job not "
	    "found: the whole file is searched");
	free(cache.name);
	free(text);
}

int
main(void)
{
	test_decode();
	test_escape();
	test_map();
	test_time();
	test_nodes();
	test_when();
	test_step_line();
	return done_testing();
}
