/*
 * report-github.c: GitHub Actions.  Two things:
 *
 *   - workflow commands on the report's output (stdout in a job step):
 *     "::error" for critical and high findings, "::warning" below, the
 *     most severe first, and a warning when the analysis could not see
 *     everything (unreadable input, lost events, malformed lines);
 *   - a job summary in Markdown appended to $GITHUB_STEP_SUMMARY, when
 *     that is set: the steps with their counts, then the findings, their
 *     ancestry in <details>.
 *
 * Everything in them from the log may be the attacker's.  Annotations:
 * st_escape() first (no control byte, no "##[" survives), then GitHub's
 * own escaping: %, CR and LF in the message, and : and , too in a
 * property, where they would end the property or the command.  Markdown:
 * such text only ever appears inside code spans, whose fences are longer
 * than any run of backticks in it, so no Markdown or HTML in it is read
 * as such; in a table a | is escaped, since GFM splits cells first.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "steptrail.h"

/* GitHub shows 10 error and 10 warning annotations of a step */
#define ANNOTATIONS_MAX	10
/* argv in an annotation or the summary is cut near this many bytes */
#define ARGV_SHOWN	1000
#define PARENT_SHOWN	300
/* findings detailed in the summary (GitHub caps a summary at 1 MiB) */
#define SUMMARY_FINDINGS 50
#define SUMMARY_BYTES	(900 * 1024)
/* unseen spans named (coverage.c); the JSON report has them all */
#define BLIND_SHOWN	10

/* GitHub's escaping of a command's message (data) or of a property. */
static void
gh_escape(FILE *f, const char *s, bool property)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '%':
			fputs("%25", f);
			break;
		case '\r':
			fputs("%0D", f);
			break;
		case '\n':
			fputs("%0A", f);
			break;
		case ':':
			fputs(property ? "%3A" : ":", f);
			break;
		case ',':
			fputs(property ? "%2C" : ",", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static void
add_esc(struct st_buf *b, const char *s)
{
	st_escape(b, s, strlen(s));
}

static void
annotation(FILE *f, const struct st_analysis *a, const struct st_finding *fd)
{
	struct st_buf title = { 0 }, msg = { 0 };
	unsigned line;

	fprintf(f, "::%s ", fd->severity >= ST_SEV_HIGH ? "error" : "warning");
	if (a->ci != NULL && a->ci->workflow_file != NULL) {
		fputs("file=", f);
		gh_escape(f, a->ci->workflow_file, true);
		line = st_ci_step_line(a->ci, fd->step != NULL ?
		    fd->step->name : NULL);
		if (line > 0)
			fprintf(f, ",line=%u", line);
		fputc(',', f);
	}
	st_buf_addf(&title, "steptrail: %s ", st_severity_name(fd->severity));
	add_esc(&title, fd->recipe->name);
	st_buf_adds(&title, " in ");
	st_report_step(&title, fd);
	fputs("title=", f);
	gh_escape(f, st_buf_cstr(&title), true);
	fputs("::", f);

	/* recipe files can come from the job's checkout: escaped too */
	add_esc(&msg, fd->recipe->description);
	st_buf_addc(&msg, '\n');
	st_report_what(&msg, fd, ARGV_SHOWN);
	st_buf_adds(&msg, "\nparents: ");
	st_report_parents(&msg, fd, PARENT_SHOWN);
	if (fd->reason != NULL) {
		st_buf_addf(&msg, "\nwhy %s: ", st_severity_name(fd->severity));
		add_esc(&msg, fd->reason);
	}
	if (fd->count > 1)
		st_buf_addf(&msg, "\nseen %lu times", fd->count);
	st_buf_adds(&msg, "\nATT&CK ");
	add_esc(&msg, fd->recipe->technique);
	st_buf_addf(&msg, "; audit serial %lu", fd->serial);
	gh_escape(f, st_buf_cstr(&msg), false);
	fputc('\n', f);
	st_buf_free(&title);
	st_buf_free(&msg);
}

/* What the analysis could not see, as one warning; "" if nothing. */
static void
coverage(struct st_buf *b, const struct st_analysis *a)
{
	size_t i;

	if (a->input_failed)
		st_buf_adds(b, "an input could not be read, the report is "
		    "partial; ");
	if (a->reader.serial_missing > 0)
		st_buf_addf(b, "%lu events missing (gaps in audit serial "
		    "numbers); ", a->reader.serial_missing);
	if (a->reader.malformed > 0)
		st_buf_addf(b, "%lu malformed lines skipped; ",
		    a->reader.malformed);
	for (i = 0; i < a->ngave_up; i++)
		st_buf_addf(b, "recipe %s gave up %lu times (PCRE2 limit); ",
		    a->gave_up[i].name, a->gave_up[i].n);
	for (i = 0; i < a->coverage.n && i < BLIND_SHOWN; i++) {
		st_buf_adds(b, "unseen: ");
		st_report_blind(b, &a->coverage.v[i]);
		st_buf_adds(b, "; ");
	}
	if (a->coverage.n + a->coverage.more > BLIND_SHOWN)
		st_buf_addf(b, "%zu more unseen spans; ", a->coverage.n +
		    a->coverage.more - BLIND_SHOWN);
	if (b->len >= 2)
		b->d[b->len -= 2] = '\0';
}

static int
annotations(FILE *f, const struct st_analysis *a)
{
	struct st_buf b = { 0 };
	unsigned long errors = 0, warnings = 0, left = 0;
	const struct st_finding *fd;
	size_t i;

	for (i = 0; i < a->findings.n; i++) {
		fd = a->findings.v[i];
		if (fd->severity >= ST_SEV_HIGH ? errors++ < ANNOTATIONS_MAX :
		    warnings++ < ANNOTATIONS_MAX)
			annotation(f, a, fd);
		else
			left++;
	}
	if (left > 0)
		fprintf(f, "::notice title=steptrail::%lu more findings than "
		    "GitHub shows as annotations: the job summary and the "
		    "SARIF or JSON report list them all\n", left);
	coverage(&b, a);
	if (b.len > 0) {
		fputs("::warning title=steptrail could not see everything::",
		    f);
		gh_escape(f, st_buf_cstr(&b), false);
		fputc('\n', f);
	}
	st_buf_free(&b);
	return 0;
}

/*
 * Text already made printable (st_escape) as a Markdown code span: a fence
 * of one backtick more than the longest run inside, a space inside each
 * end (CommonMark takes one off each side), | escaped in a table cell.
 */
static void
md_code(FILE *f, const char *s, bool cell)
{
	size_t run = 0, longest = 0, i;
	const char *p;

	if (*s == '\0') {
		fputs("(empty)", f);
		return;
	}
	for (p = s; *p != '\0'; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (i = 0; i <= longest; i++)
		fputc('`', f);
	fputc(' ', f);
	for (p = s; *p != '\0'; p++) {
		if (*p == '|' && cell)
			fputc('\\', f);
		fputc(*p, f);
	}
	fputc(' ', f);
	for (i = 0; i <= longest; i++)
		fputc('`', f);
}

/* Raw text from the log as a code span (escaped for the terminal first). */
static void
md_raw(FILE *f, const char *s, bool cell)
{
	struct st_buf b = { 0 };

	if (s == NULL) {
		fputs("-", f);
		return;
	}
	st_escape(&b, s, strlen(s));
	md_code(f, st_buf_cstr(&b), cell);
	st_buf_free(&b);
}

/*
 * Prose that is not ours (a recipe's description or reason: recipe files
 * can come from the checkout) as plain Markdown text: made printable,
 * then every ASCII punctuation character backslash-escaped (CommonMark
 * lets any be), so that no emphasis, link, HTML or table cell starts.
 */
static void
md_text(FILE *f, const char *s)
{
	struct st_buf b = { 0 };
	const char *p;

	st_escape(&b, s, strlen(s));
	for (p = st_buf_cstr(&b); *p != '\0'; p++) {
		if (ispunct((unsigned char)*p))
			fputc('\\', f);
		fputc(*p, f);
	}
	st_buf_free(&b);
}

static void
md_severities(FILE *f, const unsigned long *by)
{
	const char *sep = "";
	int s;

	for (s = ST_SEV_CRITICAL; s >= ST_SEV_LOW; s--) {
		if (by[s] == 0)
			continue;
		fprintf(f, "%s%lu %s", sep, by[s],
		    st_severity_name((enum st_severity)s));
		sep = ", ";
	}
	if (*sep == '\0')
		fputs("-", f);
}

static void
md_steps(FILE *f, const struct st_analysis *a)
{
	const struct st_steps *ss = &a->steps;
	const struct st_step *s;
	size_t i;

	if (ss->n == 0)
		return;
	fputs("\n| # | Step | Processes | Execs | Findings |\n"
	    "|--:|------|----------:|------:|----------|\n", f);
	for (i = 0; i < ss->n; i++) {
		s = ss->v[i];
		fprintf(f, "| %u | ", s->number);
		md_raw(f, s->name, true);
		fprintf(f, " | %lu | %lu | ", s->processes, s->execs);
		md_severities(f, s->by_severity);
		fputs(" |\n", f);
	}
	fprintf(f, "| - | outside any step | %lu | %lu | ",
	    ss->outside_processes, ss->outside_execs);
	md_severities(f, ss->outside_by_severity);
	fputs(" |\n", f);
}

static void
md_finding(FILE *f, const struct st_finding *fd)
{
	struct st_buf b = { 0 };
	const struct st_ancestor *x;
	char t[ST_TIME_LEN];
	size_t i;

	fprintf(f, "\n#### %s: ", st_severity_name(fd->severity));
	md_text(f, fd->recipe->name);
	fputs(" (", f);
	md_text(f, fd->recipe->technique);
	if (fd->recipe->tactic != NULL) {
		fputs(", ", f);
		md_text(f, fd->recipe->tactic);
	}
	fputs(") in ", f);
	if (fd->step != NULL) {
		fprintf(f, "step %u ", fd->step->number);
		md_raw(f, fd->step->name, false);
	} else
		fputs("no step", f);
	fputs("\n\n", f);
	md_text(f, fd->recipe->description);
	if (fd->reason != NULL) {
		fprintf(f, " Why %s: ", st_severity_name(fd->severity));
		md_text(f, fd->reason);
		fputc('.', f);
	}
	st_report_what(&b, fd, ARGV_SHOWN);
	/* not at the start of a line: ``` there would open a code block */
	fputs("\n\nran ", f);
	md_code(f, st_buf_cstr(&b), false);
	st_format_time(t, sizeof t, fd->sec, fd->ms);
	fprintf(f, "\n\nat %s", t);
	if (fd->count > 1)
		fprintf(f, ", %lu times", fd->count);
	fprintf(f, "; audit serial %lu (`ausearch -a %lu`)\n", fd->serial,
	    fd->serial);
	fputs("\n<details><summary>ancestry</summary>\n\n"
	    "| pid | program |\n|--:|---|\n", f);
	for (i = 0; i < fd->nanc; i++) {
		x = &fd->anc[i];
		fprintf(f, "| %d | ", x->pid);
		if (!x->seen)
			fputs("(no record of its own in the log)", f);
		else if (x->cmdline != NULL)
			md_code(f, x->cmdline, true);	/* escaped when made */
		else
			md_raw(f, x->exe, true);
		fputs(" |\n", f);
	}
	fputs("\n</details>\n", f);
	st_buf_free(&b);
}

/* The next bullet, under a heading the first time. */
static void
bullet(FILE *f, bool *any)
{
	if (!*any)
		fputs("\n**Not everything could be seen:**\n\n", f);
	*any = true;
	fputs("- ", f);
}

/* What could not be seen, a bullet each; text from the log in code. */
static void
md_coverage(FILE *f, const struct st_analysis *a)
{
	struct st_buf b = { 0 };
	bool any = false;
	size_t i;

	if (a->input_failed) {
		bullet(f, &any);
		fputs("an input could not be read: the report is partial\n",
		    f);
	}
	if (a->reader.malformed > 0) {
		bullet(f, &any);
		fprintf(f, "%lu malformed lines skipped\n", a->reader.malformed);
	}
	for (i = 0; i < a->ngave_up; i++) {
		bullet(f, &any);
		fputs("recipe ", f);
		md_raw(f, a->gave_up[i].name, false);
		fprintf(f, " gave up %lu times (PCRE2 limit)\n",
		    a->gave_up[i].n);
	}
	if (a->reader.serial_missing > 0) {
		bullet(f, &any);
		fprintf(f, "%lu events missing (gaps in audit serial numbers)"
		    "\n", a->reader.serial_missing);
	}
	for (i = 0; i < a->coverage.n && i < BLIND_SHOWN; i++) {
		bullet(f, &any);
		st_buf_reset(&b);
		st_report_blind(&b, &a->coverage.v[i]);
		fputs("unseen: ", f);
		md_code(f, st_buf_cstr(&b), false);
		fputc('\n', f);
	}
	if (a->coverage.n + a->coverage.more > BLIND_SHOWN) {
		bullet(f, &any);
		fprintf(f, "%zu more unseen spans (the JSON report lists "
		    "them)\n", a->coverage.n + a->coverage.more - BLIND_SHOWN);
	}
	st_buf_free(&b);
}

static void
summary(FILE *f, const struct st_analysis *a)
{
	const struct st_findings *fs = &a->findings;
	unsigned long total = 0;
	struct st_buf b = { 0 };
	long start;
	size_t i;
	int s;

	for (s = ST_SEV_LOW; s <= ST_SEV_CRITICAL; s++)
		total += fs->by_severity[s];
	fprintf(f, "## steptrail: %lu finding%s", total, total == 1 ? "" :
	    "s");
	if (total > 0) {
		fputs(" (", f);
		md_severities(f, fs->by_severity);
		fputc(')', f);
	}
	fprintf(f, "\n\n%lu events, %lu processes, %lu execs read from ",
	    a->reader.events, a->tree.processes, a->reader.execs);
	for (i = 0; i < a->source.n; i++) {
		fputs(i > 0 ? ", " : "", f);
		md_raw(f, a->source.v[i].name, false);
	}
	fprintf(f, "; %zu recipes.\n", a->nrecipes);
	md_coverage(f, a);
	st_buf_free(&b);
	md_steps(f, a);
	if (fs->n > 0)
		fputs("\n### Findings\n", f);
	/* GitHub drops a summary over 1 MiB whole: stop well before */
	start = ftell(f);
	for (i = 0; i < fs->n && i < SUMMARY_FINDINGS; i++) {
		if (start >= 0 && ftell(f) - start > SUMMARY_BYTES)
			break;
		md_finding(f, fs->v[i]);
	}
	if (i < fs->n)
		fprintf(f, "\n%zu more findings: the SARIF or JSON report "
		    "lists them all.\n", fs->n - i);
}

int
st_report_github(FILE *f, const struct st_analysis *a, char **cause)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");
	FILE *sf;
	int rc = 0;

	annotations(f, a);
	if (path == NULL || *path == '\0')
		return 0;	/* not in a GitHub job: annotations only */
	if ((sf = fopen(path, "a")) == NULL) {
		*cause = xasprintf("GITHUB_STEP_SUMMARY %s: %s", path,
		    strerror(errno));
		return -1;
	}
	summary(sf, a);
	if (fflush(sf) != 0 || ferror(sf)) {
		*cause = xasprintf("GITHUB_STEP_SUMMARY %s: %s", path,
		    strerror(errno));
		rc = -1;
	}
	if (fclose(sf) != 0 && rc == 0) {
		*cause = xasprintf("GITHUB_STEP_SUMMARY %s: %s", path,
		    strerror(errno));
		rc = -1;
	}
	return rc;
}
