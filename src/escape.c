/*
 * escape.c: making attacker-controlled text safe to show.
 *
 * Every exe, argv, cwd and node name in a report comes from the audited
 * machine, that is, possibly from the attacker.  Shown raw on a terminal an
 * escape sequence can rewrite the screen; in a CI log a newline can forge a
 * line; a bidirectional override can make `rm -rf /` read as something
 * else.  So one function decides what is safe, and every output path goes
 * through it:
 *
 *   - printable ASCII and valid UTF-8 pass;
 *   - C0 controls and DEL become \n, \t, \r or \xNN;
 *   - C1 controls (U+0080..U+009F, which some terminals obey) and the
 *     bidirectional controls (U+202A..U+202E, U+2066..U+2069) become \uNNNN;
 *   - a byte that does not start valid UTF-8 becomes \xNN;
 *   - a backslash becomes \\ so that the escapes above are unambiguous;
 *   - the [ of "##[" becomes \x5b: GitHub's runner obeys a legacy workflow
 *     command ("##[add-mask]", "##[error]") anywhere in a line of the job
 *     log, so a text report of the attacker's argv could forge annotations
 *     or mask words.  (The "::" commands count only at the start of a line,
 *     and every line of a report starts with our own text.)
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "steptrail.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t
utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

static bool
dangerous_cp(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f ||
	    c == 0x061c;
}

/* Is s[i] the [ of "##[" (see above)? */
static bool
legacy_command(const unsigned char *s, size_t i)
{
	return s[i] == '[' && i >= 2 && s[i - 1] == '#' && s[i - 2] == '#';
}

void
st_escape(struct st_buf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;
	uint32_t cp;

	while (i < n) {
		if (s[i] >= 0x20 && s[i] < 0x7f) {
			if (s[i] == '\\')
				st_buf_adds(out, "\\\\");
			else if (legacy_command(s, i))
				st_buf_adds(out, "\\x5b");
			else
				st_buf_addc(out, (char)s[i]);
			i++;
			continue;
		}
		switch (s[i]) {
		case '\n':
			st_buf_adds(out, "\\n");
			i++;
			continue;
		case '\t':
			st_buf_adds(out, "\\t");
			i++;
			continue;
		case '\r':
			st_buf_adds(out, "\\r");
			i++;
			continue;
		}
		len = s[i] >= 0x80 ? utf8_len(s + i, n - i, &cp) : 0;
		if (len == 0) {
			st_buf_addf(out, "\\x%02x", s[i]);
			i++;
		} else if (dangerous_cp(cp)) {
			st_buf_addf(out, "\\u%04x", (unsigned)cp);
			i += len;
		} else {
			st_buf_add(out, s + i, len);
			i += len;
		}
	}
}

/* Does st_escape() leave these bytes as they are (backslashes aside)? */
static bool
plain(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;
	uint32_t cp;

	while (i < n) {
		if (s[i] >= 0x20 && s[i] < 0x7f) {
			if (legacy_command(s, i))
				return false;
			i++;
			continue;
		}
		if (s[i] < 0x80 || (len = utf8_len(s + i, n - i, &cp)) == 0 ||
		    dangerous_cp(cp))
			return false;
		i += len;
	}
	return true;
}

/*
 * One argument as a shell would need it typed: bare when it holds only
 * safe characters; in single quotes when it is plain text (a backslash in
 * single quotes is a backslash, so none is doubled); otherwise in bash's
 * $'...' quoting, where the escapes of st_escape() (\n, \xNN, \uNNNN,
 * \\) mean exactly what they say.  People copy these lines into a terminal
 * to reproduce what ran, and what they paste is what ran.
 */
void
st_escape_arg(struct st_buf *out, const char *arg)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-";
	size_t n = strlen(arg), run;

	if (n != 0 && strspn(arg, safe) == n) {
		st_buf_add(out, arg, n);
		return;
	}
	if (plain(arg, n)) {
		st_buf_addc(out, '\'');
		while (*arg != '\0') {
			run = strcspn(arg, "'");
			st_buf_add(out, arg, run);
			arg += run;
			if (*arg == '\'') {
				st_buf_adds(out, "'\\''");
				arg++;
			}
		}
		st_buf_addc(out, '\'');
		return;
	}
	st_buf_adds(out, "$'");
	while (*arg != '\0') {
		run = strcspn(arg, "'");
		st_escape(out, arg, run);
		arg += run;
		if (*arg == '\'') {
			st_buf_adds(out, "\\'");
			arg++;
		}
	}
	st_buf_addc(out, '\'');
}

/*
 * What was added to out since start, cut to max bytes if longer, where a
 * UTF-8 sequence begins (never half of one), and " ..." after it.
 */
void
st_buf_cut(struct st_buf *out, size_t start, size_t max)
{
	if (out->len - start <= max)
		return;
	out->len = start + max;
	while (out->len > start &&
	    ((unsigned char)out->d[out->len] & 0xc0) == 0x80)
		out->len--;
	out->d[out->len] = '\0';
	st_buf_adds(out, " ...");
}

/*
 * argv as one line, each argument quoted as above, cut near max bytes (0:
 * no limit) with " ..." so that a 100 kB link line does not bury a report.
 */
void
st_format_argv(struct st_buf *out, char *const *argv, size_t argc, size_t max)
{
	size_t start = out->len, i;

	for (i = 0; i < argc; i++) {
		if (i > 0)
			st_buf_addc(out, ' ');
		st_escape_arg(out, argv[i]);
		if (max != 0 && out->len - start > max) {
			/* The cut may end inside an argument's quotes or
			 * escapes: " ..." after it says the line is not
			 * whole. */
			st_buf_cut(out, start, max);
			return;
		}
	}
}

/*
 * For JSON: cJSON escapes control characters itself but passes bytes
 * through, and a JSON document must be valid UTF-8.  Bytes that are not
 * valid UTF-8 become the text \xNN (and a backslash becomes \\, only when
 * the string needed such a rewrite, so ordinary paths stay as they are).
 */
char *
st_utf8_clean(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i, len;
	struct st_buf b = { 0 };
	uint32_t cp;
	bool clean = true;

	for (i = 0; i < n; i += len) {
		len = s[i] < 0x80 ? 1 : utf8_len(s + i, n - i, &cp);
		if (len == 0 || (len > 1 && dangerous_cp(cp))) {
			clean = false;
			break;
		}
	}
	if (clean)
		return xstrdup(str);
	for (i = 0; i < n; i += len) {
		len = s[i] < 0x80 ? 1 : utf8_len(s + i, n - i, &cp);
		if (len == 0) {
			st_buf_addf(&b, "\\x%02x", s[i]);
			len = 1;
		} else if (len > 1 && dangerous_cp(cp))
			st_buf_addf(&b, "\\u%04x", (unsigned)cp);
		else if (s[i] == '\\')
			st_buf_adds(&b, "\\\\");
		else
			st_buf_add(&b, s + i, len);
	}
	return st_buf_steal(&b);
}
