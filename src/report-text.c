/*
 * report-text.c: findings for people reading a terminal or a CI log.
 *
 * Summary first (what was read, what was skipped, what may be missing),
 * then one block per finding, most severe first, each with the process's
 * full ancestry so that the reader sees which build step started it.
 * Every string from the log goes through st_escape(): it may come from
 * the attacker.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "steptrail.h"

/* Argument lines are cut here; the JSON report has all of argv. */
#define ARGV_SHOWN	2000
/* Programs of the exec chain shown (a pyenv shim alone makes six). */
#define EARLIER_SHOWN	3

static void
put_escaped(FILE *f, const char *s)
{
	struct st_buf b = { 0 };

	if (s == NULL) {
		fputs("-", f);
		return;
	}
	st_escape(&b, s, strlen(s));
	fputs(st_buf_cstr(&b), f);
	st_buf_free(&b);
}

static void
put_id(FILE *f, const char *label, uint32_t id)
{
	if (id == UINT32_MAX)
		fprintf(f, "  %s unset", label);
	else
		fprintf(f, "  %s %lu", label, (unsigned long)id);
}

/* "2 critical, 1 high", or "-", in a cell of the step table. */
static void
severity_cell(FILE *f, const unsigned long *by)
{
	struct st_buf b = { 0 };
	const char *sep = "";
	int s;

	for (s = ST_SEV_CRITICAL; s >= ST_SEV_LOW; s--) {
		if (by[s] == 0)
			continue;
		st_buf_addf(&b, "%s%lu %s", sep, by[s],
		    st_severity_name((enum st_severity)s));
		sep = ", ";
	}
	fprintf(f, "%-14s  ", b.len > 0 ? b.d : "-");
	st_buf_free(&b);
}

static void
ci_context(FILE *f, const struct st_ci *ci)
{
	static const struct {
		const char	*label;
		size_t		 off;
	} fields[] = {
		{ "repository", offsetof(struct st_ci, repository) },
		{ "commit", offsetof(struct st_ci, commit) },
		{ "ref", offsetof(struct st_ci, ref) },
		{ "workflow", offsetof(struct st_ci, workflow) },
		{ "job", offsetof(struct st_ci, job) },
		{ "run", offsetof(struct st_ci, run) },
	};
	const char *v;
	size_t i;

	fprintf(f, "%s:", ci->system);
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		v = *(char *const *)((const char *)ci + fields[i].off);
		if (v == NULL)
			continue;
		fprintf(f, " %s ", fields[i].label);
		put_escaped(f, v);
	}
	fputc('\n', f);
	if (ci->url != NULL) {
		fputs("  ", f);
		put_escaped(f, ci->url);
		fputc('\n', f);
	}
}

/* The per-step summary that opens the report. */
static void
steps_table(FILE *f, const struct st_analysis *a)
{
	const struct st_steps *ss = &a->steps;
	const struct st_step *s;
	unsigned long by_time = 0;
	size_t i;

	if (ss->n == 0)
		return;
	fputs("\nsteps:\n     #  processes  execs  findings        step\n", f);
	for (i = 0; i < ss->n; i++) {
		s = ss->v[i];
		fprintf(f, "  %4u  %9lu  %5lu  ", s->number, s->processes,
		    s->execs);
		severity_cell(f, s->by_severity);
		put_escaped(f, s->name);
		fputs("  (", f);
		if (s->named_by != NULL) {
			/* what the tree says too, so a wrong join shows */
			put_escaped(f, s->derived);
			fprintf(f, ", #%u of the step list by %s", s->listed,
			    s->named_by);
		} else
			fputs(st_step_kind_name(s->kind), f);
		fputs(")\n", f);
		by_time += s->by_time;
	}
	fprintf(f, "     -  %9lu  %5lu  ", ss->outside_processes,
	    ss->outside_execs);
	severity_cell(f, ss->outside_by_severity);
	fputs("outside any step\n", f);
	if (by_time > 0)
		fprintf(f, "  %lu process%s given a step by time: %s ancestry "
		    "was cut (started before capture, or records lost)\n",
		    by_time, by_time == 1 ? "" : "es", by_time == 1 ? "its" :
		    "their");
}

/* --since/--until, and what they left out. */
static void
window(FILE *f, const struct st_analysis *a)
{
	char t[ST_TIME_LEN];

	if (a->since_ms == INT64_MIN && a->until_ms == INT64_MAX)
		return;
	fputs("  window:", f);
	if (a->since_ms != INT64_MIN) {
		st_format_time(t, sizeof t, (time_t)(a->since_ms / 1000),
		    (unsigned)(a->since_ms % 1000));
		fprintf(f, " since %s", t);
	}
	if (a->until_ms != INT64_MAX) {
		st_format_time(t, sizeof t, (time_t)(a->until_ms / 1000),
		    (unsigned)(a->until_ms % 1000));
		fprintf(f, " until %s", t);
	}
	fprintf(f, ": %lu events before it and %lu after were not matched "
	    "(they give ancestry)\n", a->before_window, a->after_window);
}

/* Blind spans listed; the JSON report has them all (ST_BLIND_MAX). */
#define BLIND_SHOWN	20

/* The time the log covers, and what in it the analysis could not see. */
static void
coverage(FILE *f, const struct st_coverage *c)
{
	struct st_buf b = { 0 };
	char t1[ST_TIME_LEN], t2[ST_TIME_LEN];
	size_t i;

	if (!c->any)
		return;
	st_format_time(t1, sizeof t1, c->first_sec, c->first_ms);
	st_format_time(t2, sizeof t2, c->last_sec, c->last_ms);
	fprintf(f, "coverage: %s .. %s", t1, t2);
	if (c->n == 0) {
		fputs(", no span unseen\n", f);
		return;
	}
	fprintf(f, ", %zu span%s unseen:\n", c->n + c->more,
	    c->n + c->more == 1 ? "" : "s");
	for (i = 0; i < c->n && i < BLIND_SHOWN; i++) {
		st_buf_reset(&b);
		st_report_blind(&b, &c->v[i]);
		fprintf(f, "  BLIND %s\n", st_buf_cstr(&b));
	}
	if (c->n + c->more > BLIND_SHOWN)
		fprintf(f, "  ... %zu more (the JSON report lists %zu)\n",
		    c->n + c->more - BLIND_SHOWN, c->n);
	st_buf_free(&b);
}

static void
summary(FILE *f, const struct st_analysis *a)
{
	const struct st_findings *fs = &a->findings;
	const struct st_reader_stats *r = &a->reader;
	unsigned long total = 0;
	const char *sep = "";
	size_t i;
	int s;

	for (s = ST_SEV_LOW; s <= ST_SEV_CRITICAL; s++)
		total += fs->by_severity[s];
	if (total == 0)
		fprintf(f, "steptrail: no findings (%zu recipes)\n", a->nrecipes);
	else {
		fprintf(f, "steptrail: %lu finding%s:", total,
		    total == 1 ? "" : "s");
		for (s = ST_SEV_CRITICAL; s >= ST_SEV_LOW; s--) {
			if (fs->by_severity[s] == 0)
				continue;
			fprintf(f, "%s %lu %s", sep, fs->by_severity[s],
			    st_severity_name((enum st_severity)s));
			sep = ",";
		}
		fputc('\n', f);
	}
	if (a->ci != NULL)
		ci_context(f, a->ci);
	if (a->run != NULL) {
		struct st_buf b = { 0 };
		size_t argc = 0;

		while (a->run_argv[argc] != NULL)
			argc++;
		st_format_argv(&b, a->run_argv, argc, ARGV_SHOWN);
		fprintf(f, "command: %s\n  pid %ld, exited with status %d; "
		    "findings are its own and its children's\n",
		    st_buf_cstr(&b), a->run->pid, a->run->status);
		fprintf(f, "  audit daemon: %s, pid %ld\n",
		    a->run->private_daemon ? "a private auditd" : "auditd",
		    a->run->daemon_pid);
		if (a->run->notes != NULL) {
			st_buf_reset(&b);
			st_escape(&b, a->run->notes, strlen(a->run->notes));
			fprintf(f, "  %s\n", st_buf_cstr(&b));
		}
		st_buf_free(&b);
	}
	fputs("input:", f);
	for (i = 0; i < a->source.n; i++) {
		fputs(i == 0 ? " " : ", ", f);
		put_escaped(f, a->source.v[i].name);
		if (a->source.v[i].decompressor != NULL)
			fprintf(f, " (%s)", a->source.v[i].decompressor);
	}
	fprintf(f, "\n  %lu lines, %lu events, %lu processes, %lu execs\n",
	    r->lines, r->events, a->tree.processes, r->execs);
	window(f, a);
	for (i = 0; i < a->source.n; i++) {
		if (a->source.v[i].error == NULL)
			continue;
		fputs("  UNREADABLE ", f);
		put_escaped(f, a->source.v[i].name);
		fputs(": ", f);
		put_escaped(f, a->source.v[i].error);
		fputc('\n', f);
	}
	if (r->malformed > 0) {
		fprintf(f, "  skipped %lu malformed line%s (first: ", r->malformed,
		    r->malformed == 1 ? "" : "s");
		put_escaped(f, r->malformed_first);
		fputs(")\n", f);
	}
	if (r->serial_missing > 0)
		fprintf(f, "  %lu events missing: serial numbers skip %lu "
		    "time%s (events lost or filtered)\n", r->serial_missing,
		    r->serial_gaps, r->serial_gaps == 1 ? "" : "s");
	if (r->records_missing > 0)
		fprintf(f, "  %lu event%s %lu record%s the kernel announced "
		    "(lost to a full backlog?)\n", r->incomplete,
		    r->incomplete == 1 ? " lacks" : "s lack", r->records_missing,
		    r->records_missing == 1 ? "" : "s");
	if (a->tree.evicted > 0)
		fprintf(f, "  %lu process%s idle for a day of log time "
		    "forgotten (a long log)\n", a->tree.evicted,
		    a->tree.evicted == 1 ? "" : "es");
	if (a->tree.evicted_full > 0)
		fprintf(f, "  %lu process%s forgotten when the process table "
		    "was full (the least recently seen)\n",
		    a->tree.evicted_full, a->tree.evicted_full == 1 ? "" : "es");
	if (r->clock_steps > 0)
		fprintf(f, "  the clock went back %lu time%s while serial numbers "
		    "went on: events taken in their order\n", r->clock_steps,
		    r->clock_steps == 1 ? "" : "s");
	if (r->duplicates > 0)
		fprintf(f, "  %lu event%s logged again later, taken once\n",
		    r->duplicates, r->duplicates == 1 ? "" : "s");
	if (a->checkpoint != NULL && a->checkpoint->loaded)
		fprintf(f, "  checkpoint: went on from the last run; %lu event%s "
		    "it had read skipped, %lu hit%s of findings it reported "
		    "not reported again\n", r->reread, r->reread == 1 ? "" :
		    "s", a->findings.repeated, a->findings.repeated == 1 ? "" :
		    "s");
	if (r->held > 0)
		fprintf(f, "  %lu event%s at the end of the log still being "
		    "written: left for the next run (checkpoint)\n", r->held,
		    r->held == 1 ? "" : "s");
	if (r->argv_truncated > 0)
		fprintf(f, "  argv cut short by the kernel in %lu exec%s\n",
		    r->argv_truncated, r->argv_truncated == 1 ? "" : "s");
	if (a->match_errors > 0) {
		fprintf(f, "  %lu pattern matches gave up at a PCRE2 limit "
		    "(counted as matches, not as exceptions):", a->match_errors);
		for (i = 0; i < a->ngave_up; i++)
			fprintf(f, "%s %s %lu", i ? "," : "",
			    a->gave_up[i].name, a->gave_up[i].n);
		fputc('\n', f);
	}
	if (fs->dropped > 0)
		fprintf(f, "  %lu further findings not listed (limit reached)\n",
		    fs->dropped);
	coverage(f, &a->coverage);
}

static void
ancestry(FILE *f, const struct st_finding *fd)
{
	const struct st_ancestor *x;
	size_t i;
	int w = 1;
	char pid[16];

	for (i = 0; i < fd->nanc; i++) {
		snprintf(pid, sizeof pid, "%d", fd->anc[i].pid);
		if ((int)strlen(pid) > w)
			w = (int)strlen(pid);
	}
	for (i = 0; i < fd->nanc; i++) {
		x = &fd->anc[i];
		fprintf(f, "  %s %*d  ", i == 0 ? "parents " : "        ", w,
		    x->pid);
		if (!x->seen) {
			/* started before capture, or forked under rules
			 * that do not log forks, and never exec'd */
			fputs("(known only as a parent pid: no record of its "
			    "own in the log)\n", f);
			continue;
		}
		if (x->forked)
			fputs("(fork) ", f);
		if (x->cmdline != NULL) {
			fputs(x->cmdline, f);	/* escaped when made */
			fputs("  ", f);
		}
		fputc('[', f);
		put_escaped(f, x->exe);
		fputs("]\n", f);
	}
	if (fd->nanc == 0)
		fputs("  parents  (none seen)\n", f);
	if (fd->anc_cut)
		fprintf(f, "  %*s  ... (more than %d ancestors)\n", w + 9, "",
		    ST_ANCESTRY_MAX);
}

/* What a recipe says: one per finding, several on one exec. */
static void
header(FILE *f, const struct st_finding *fd)
{
	const char *c;

	for (c = st_severity_name(fd->severity); *c != '\0'; c++)
		fputc(*c - 'a' + 'A', f);
	fprintf(f, "  %s  %s", fd->recipe->name, fd->recipe->technique);
	if (fd->recipe->tactic != NULL)
		fprintf(f, " (%s)", fd->recipe->tactic);
	fprintf(f, "\n  %s\n", fd->recipe->description);
	fprintf(f, "  matched  %s\n", fd->matched);
	if (fd->reason != NULL)
		fprintf(f, "  reason   %s\n", fd->reason);
}

/* The event of a recipe on something else than an exec. */
static void
event_line(FILE *f, const struct st_finding *fd)
{
	if (fd->type != NULL) {
		fputs("  event    ", f);
		put_escaped(f, fd->type);
		if (fd->op != NULL) {
			fputs(" op=", f);
			put_escaped(f, fd->op);
		}
		if (fd->enabled >= 0)
			fprintf(f, " audit_enabled=%ld", fd->enabled);
		fputc('\n', f);
		return;
	}
	if (fd->syscall == NULL)
		return;
	fputs("  event    ", f);
	put_escaped(f, fd->syscall);
	if (fd->addr != NULL) {
		fputs(" to ", f);
		put_escaped(f, fd->addr);
		if (fd->port >= 0)
			fprintf(f, " port %d", fd->port);
	}
	if (fd->file != NULL) {
		fputc(' ', f);
		put_escaped(f, fd->file);
	}
	fputc('\n', f);
	if (fd->target != NULL) {
		fprintf(f, "  target   %d  ", fd->target->pid);
		if (fd->target->cmdline != NULL) {
			fputs(fd->target->cmdline, f);	/* escaped when made */
			fputs("  ", f);
		}
		fputc('[', f);
		put_escaped(f, fd->target->exe);
		fputs("]\n", f);
	}
}

/* The exec the findings are about, and where it came from. */
static void
body(FILE *f, const struct st_finding *fd)
{
	struct st_buf b = { 0 };
	char t[ST_TIME_LEN];
	size_t i;

	st_format_time(t, sizeof t, fd->sec, fd->ms);
	fprintf(f, "  time     %s", t);
	if (fd->count > 1) {
		st_format_time(t, sizeof t, fd->last_sec, fd->last_ms);
		fprintf(f, "  (%lu times, last %s", fd->count, t);
		if (fd->recipe->once != ST_ONCE_EVENT)
			fprintf(f, "; reported once per %s",
			    st_once_name(fd->recipe->once));
		fputc(')', f);
	}
	fputc('\n', f);
	event_line(f, fd);
	if (st_node_name(fd->node) != NULL) {
		fputs("  node     ", f);
		put_escaped(f, st_node_name(fd->node));
		fputc('\n', f);
	}
	fprintf(f, "  process  %d", fd->pid);
	put_id(f, "uid", fd->uid);
	put_id(f, "euid", fd->euid);
	put_id(f, "auid", fd->auid);
	fputs("\n  exe      ", f);
	put_escaped(f, fd->exe);
	if (fd->path != NULL && fd->exe != NULL && strcmp(fd->path, fd->exe)) {
		fputs("\n  file     ", f);
		put_escaped(f, fd->path);
	}
	if (fd->step_by == ST_ATTR_TIME)
		fputs("\n  step     by time: the ancestry is cut, the step is "
		    "the one running then", f);
	else if (fd->step_by == ST_ATTR_MARKER)
		fputs("\n  step     by a steptrail step marker", f);
	fputs("\n  argv     ", f);
	st_format_argv(&b, fd->argv, fd->argc, ARGV_SHOWN);
	fputs(st_buf_cstr(&b), f);
	if (fd->argv_truncated)
		fputs("  [argv cut short]", f);
	fputs("\n  cwd      ", f);
	put_escaped(f, fd->cwd);
	fputc('\n', f);
	if (fd->incomplete)
		fputs("  note     some records of this exec were lost: what is "
		    "shown is what arrived\n", f);
	for (i = 0; i < fd->nearlier && i < EARLIER_SHOWN; i++) {
		fprintf(f, "  %s %s  [", i == 0 ? "earlier " : "        ",
		    fd->earlier[i].cmdline);
		put_escaped(f, fd->earlier[i].exe);
		fputs("]\n", f);
	}
	if (fd->nearlier > EARLIER_SHOWN)
		fprintf(f, "           ... %zu earlier programs in this "
		    "process\n", fd->nearlier - EARLIER_SHOWN);
	ancestry(f, fd);
	fputs("  serials ", f);
	for (i = 0; i < fd->nevidence; i++)
		fprintf(f, " %lu", fd->evidence[i]);
	if (fd->count > fd->nevidence)
		fputs(" ...", f);
	fprintf(f, "  (ausearch -a %lu)\n", fd->serial);
	st_buf_free(&b);
}

int
st_report_text(FILE *f, const struct st_analysis *a, char **cause)
{
	struct st_finding *const *v = a->findings.v;
	size_t i;

	(void)cause;
	summary(f, a);
	steps_table(f, a);
	for (i = 0; i < a->findings.n; i++) {
		if (i == 0 || v[i - 1]->step != v[i]->step) {
			if (v[i]->step == NULL)
				fputs("\n== outside any step", f);
			else {
				fprintf(f, "\n== step %u: ", v[i]->step->number);
				put_escaped(f, v[i]->step->name);
			}
			fputs(" ==\n", f);
		}
		if (i == 0 || !st_finding_same_exec(v[i - 1], v[i]))
			fputc('\n', f);
		header(f, v[i]);
		if (i + 1 == a->findings.n ||
		    !st_finding_same_exec(v[i], v[i + 1]))
			body(f, v[i]);
	}
	return 0;
}
