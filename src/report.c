/*
 * report.c: the table of output formats.  A format is a file
 * (report-NAME.c) and a row here; nothing else knows the list.
 *
 * Also what several formats say the same way: a finding's one-line
 * account (escaped: argv and paths may come from the attacker), its
 * level, and a fingerprint that stays the same from run to run.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "steptrail.h"

static const struct st_format formats[] = {
	{ "text", "findings with their process ancestry, for people",
	    st_report_text },
	{ "json", "one JSON document: findings and input statistics "
	    "(docs/json.md)", st_report_json },
	{ "sarif", "SARIF 2.1.0, for code scanning (upload-sarif)",
	    st_report_sarif },
	{ "github", "GitHub annotations, and a job summary in "
	    "$GITHUB_STEP_SUMMARY", st_report_github },
	{ "jsonl", "a finding per line, Elastic Common Schema names",
	    st_report_jsonl },
};

const struct st_format *
st_format_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(formats[i].name, name) == 0)
			return &formats[i];
	return NULL;
}

const struct st_format *
st_formats(size_t *n)
{
	*n = sizeof formats / sizeof formats[0];
	return formats;
}

/* SARIF's level, and GitHub's command: error, warning or note. */
const char *
st_report_level(enum st_severity s)
{
	if (s >= ST_SEV_HIGH)
		return "error";
	return s == ST_SEV_MEDIUM ? "warning" : "note";
}

/*
 * GitHub's "security-severity", a CVSS-like score that code scanning maps
 * back to critical (9.0 and up), high (7.0), medium (4.0) and low.
 */
const char *
st_report_score(enum st_severity s)
{
	switch (s) {
	case ST_SEV_CRITICAL:
		return "9.5";
	case ST_SEV_HIGH:
		return "8.0";
	case ST_SEV_MEDIUM:
		return "5.5";
	default:
		return "2.0";
	}
}

/* an exe path shown is cut here (the JSON formats have all of it) */
#define EXE_SHOWN	300

/* "step 4: NAME", or "outside any step". */
void
st_report_step(struct st_buf *b, const struct st_finding *fd)
{
	if (fd->step == NULL) {
		st_buf_adds(b, "outside any step");
		return;
	}
	st_buf_addf(b, "step %u: ", fd->step->number);
	if (fd->step->name != NULL)
		st_escape(b, fd->step->name, strlen(fd->step->name));
}

static void
add_escaped(struct st_buf *b, const char *s)
{
	if (s == NULL)
		st_buf_adds(b, "-");
	else
		st_escape(b, s, strlen(s));
}

/*
 * What happened, on one line: the event if it was not an exec, then the
 * program ("python3 -c '...' [/usr/bin/python3.11]"), argv cut near max.
 */
void
st_report_what(struct st_buf *b, const struct st_finding *fd, size_t max)
{
	size_t start;

	if (fd->type != NULL) {
		add_escaped(b, fd->type);
		if (fd->op != NULL) {
			st_buf_adds(b, " op=");
			add_escaped(b, fd->op);
		}
		if (fd->enabled >= 0)
			st_buf_addf(b, " audit_enabled=%ld", fd->enabled);
		st_buf_adds(b, ", by ");
	} else if (fd->syscall != NULL) {
		add_escaped(b, fd->syscall);
		if (fd->addr != NULL) {
			st_buf_adds(b, " to ");
			add_escaped(b, fd->addr);
			if (fd->port >= 0)
				st_buf_addf(b, " port %d", fd->port);
		}
		if (fd->file != NULL) {
			st_buf_addc(b, ' ');
			add_escaped(b, fd->file);
		}
		if (fd->target != NULL)
			st_buf_addf(b, " (target pid %d)", fd->target->pid);
		st_buf_adds(b, ", by ");
	}
	if (fd->argc > 0)
		st_format_argv(b, fd->argv, fd->argc, max);
	else
		st_buf_adds(b, "(argv unknown)");
	st_buf_adds(b, " [");
	start = b->len;
	add_escaped(b, fd->exe);
	st_buf_cut(b, start, EXE_SHOWN);	/* a 4 kB path of \xNN */
	st_buf_addf(b, ", pid %d]", fd->pid);
}

/* The parents, nearest first: "sh -c ... < bash -e x.sh < ...". */
void
st_report_parents(struct st_buf *b, const struct st_finding *fd, size_t max)
{
	const struct st_ancestor *x;
	size_t i, start;

	for (i = 0; i < fd->nanc; i++) {
		x = &fd->anc[i];
		if (i > 0)
			st_buf_adds(b, " < ");
		start = b->len;
		if (!x->seen)
			st_buf_addf(b, "pid %d (no record)", x->pid);
		else if (x->cmdline != NULL)
			st_buf_adds(b, x->cmdline);	/* escaped when made */
		else
			add_escaped(b, x->exe);
		if (max > 4 && b->len - start > max)
			st_buf_cut(b, start, max - 4);
	}
	if (fd->nanc == 0)
		st_buf_adds(b, "(no parent seen)");
	else if (fd->anc_cut)
		st_buf_adds(b, " < ...");
}

/* Is s a UUID, 8-4-4-4-12 hex digits? */
static bool
is_uuid(const unsigned char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t i;

	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == '-' ? s[i] != '-' : !isxdigit(s[i]))
			return false;
	return true;
}

/* FNV-1a of s, each UUID in it counted as the same (see below). */
static void
fnv(uint64_t *h, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");

	for (; *p != '\0'; p++) {
		if (is_uuid(p)) {
			*h ^= 'U';
			*h *= 0x100000001b3ULL;
			p += 35;
			continue;
		}
		*h ^= *p;
		*h *= 0x100000001b3ULL;
	}
	*h ^= 0;
	*h *= 0x100000001b3ULL;
}

/*
 * The same finding in another run of the same job has the same print: the
 * recipe, the step's number, the program and its arguments, the event;
 * not pids, times or serials, nor the UUIDs the runner puts in its script
 * names (_temp/<uuid>.sh, which also name the steps not named by a step
 * list).  Code scanning uses it to keep one alert across runs.
 */
uint64_t
st_report_fingerprint(const struct st_finding *fd)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char num[16];
	size_t i;

	fnv(&h, fd->recipe->name);
	snprintf(num, sizeof num, "%u", fd->step != NULL ? fd->step->number :
	    0);
	fnv(&h, num);
	fnv(&h, st_node_name(fd->node));
	fnv(&h, fd->exe);
	for (i = 0; i < fd->argc; i++)
		fnv(&h, fd->argv[i]);
	fnv(&h, fd->what);
	return h;
}

/* ATT&CK's page for T1059 or T1059.004, or NULL if not a technique id. */
char *
st_report_attack_url(const char *technique)
{
	const char *dot;

	if (technique == NULL || technique[0] != 'T' ||
	    strspn(technique + 1, "0123456789") != 4)
		return NULL;
	dot = technique + 5;
	if (*dot == '\0')
		return xasprintf("https://attack.mitre.org/techniques/%s/",
		    technique);
	if (*dot != '.' || strspn(dot + 1, "0123456789") != 3 ||
	    dot[4] != '\0')
		return NULL;
	return xasprintf("https://attack.mitre.org/techniques/%.5s/%s/",
	    technique, dot + 1);
}

/*
 * A rendered JSON text, with what a CI log would obey written another way
 * that means the same to a JSON parser: the [ of "##[" (GitHub's legacy
 * workflow commands, obeyed anywhere in a line: someone will print a JSON
 * report in a job's log) as \u005b, and DEL as \u007f.  Both can only be
 * inside strings: JSON's own syntax has neither # nor DEL.
 */
void
st_report_json_put(FILE *f, const char *text)
{
	const char *p;

	for (p = text; *p != '\0'; p++) {
		if (*p == '[' && p - text >= 2 && p[-1] == '#' && p[-2] == '#')
			fputs("\\u005b", f);
		else if (*p == '\x7f')
			fputs("\\u007f", f);
		else
			fputc(*p, f);
	}
}

/*
 * A span the analysis could not see, on one line: "FROM .. TO: what"
 * (coverage.c).  Key names and node names come from the log: escaped.
 */
void
st_report_blind(struct st_buf *b, const struct st_blind *x)
{
	char t[ST_TIME_LEN];
	const char *node = st_node_name(x->node);

	if (node != NULL) {
		st_buf_adds(b, "node ");
		st_escape(b, node, strlen(node));
		st_buf_adds(b, ": ");
	}
	st_format_time(t, sizeof t, x->from_sec, x->from_ms);
	st_buf_adds(b, t);
	if (x->kind != ST_BLIND_RULES) {
		if (x->open)
			st_buf_adds(b, " .. the end of the log");
		else {
			st_format_time(t, sizeof t, x->to_sec, x->to_ms);
			st_buf_addf(b, " .. %s", t);
		}
	}
	switch (x->kind) {
	case ST_BLIND_GAP:
		st_buf_addf(b, ": %lu event%s missing (serials %lu to %lu "
		    "never seen: lost or filtered)", x->missing,
		    x->missing == 1 ? "" : "s", x->from_serial + 1,
		    x->to_serial - 1);
		break;
	case ST_BLIND_OFF:
		st_buf_adds(b, ": audit was turned off (audit_enabled=0): "
		    "nothing recorded");
		break;
	case ST_BLIND_DAEMON:
		st_buf_adds(b, ": the audit daemon was stopped (");
		if (x->what != NULL)
			st_buf_adds(b, x->what);
		st_buf_adds(b, "): nothing logged");
		break;
	case ST_BLIND_RULES:
		st_buf_addf(b, ": %lu audit rule%s removed (", x->count,
		    x->count == 1 ? "" : "s");
		if (x->what != NULL)
			st_escape(b, x->what, strlen(x->what));
		st_buf_adds(b, "): what they caught is not recorded from then "
		    "on");
		break;
	}
}

/*
 * root printed (pretty, or on one line) with st_report_json_put and a
 * newline, then deleted.  -1 with *cause if it could not be rendered.
 */
int
st_report_json_emit(FILE *f, struct cJSON *root, bool pretty, char **cause)
{
	char *text = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);

	cJSON_Delete(root);
	if (text == NULL) {
		*cause = xstrdup("cannot render JSON (out of memory)");
		return -1;
	}
	st_report_json_put(f, text);
	fputc('\n', f);
	free(text);
	return 0;
}
