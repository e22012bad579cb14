/*
 * main.c: argument parsing and wiring, nothing else.  Subcommands are a
 * table; each parses its own options and returns one of the exit codes
 * below.  CLI and environment errors are reported here and only here.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "steptrail.h"

enum exit_code {
	EXIT_CLEAN = 0,		/* nothing at or above --fail-on */
	EXIT_FINDINGS = 1,	/* findings at or above --fail-on */
	EXIT_USAGE = 2,		/* bad arguments or recipes */
	EXIT_INPUT = 3,		/* an input could not be read */
	EXIT_OUTPUT = 4,	/* the report could not be written */
	EXIT_ENV = 5,		/* not root, no kernel audit, no daemon, ... */
};

struct command {
	const char	*name;
	int		(*run)(int, char **);
	const char	*summary;
};

static int	cmd_analyze(int, char **);
static int	cmd_tree(int, char **);
static int	cmd_timeline(int, char **);
static int	cmd_rules(int, char **);
static int	cmd_run(int, char **);
static int	cmd_step(int, char **);
static int	load_rules(struct st_ruleset *, const char *, char **);
static void	print_escaped(FILE *, const char *);
static int	cmd_recipes(int, char **);
static int	cmd_version(int, char **);
static int	cmd_help(int, char **);

static const struct command commands[] = {
	{ "analyze", cmd_analyze, "read audit logs, rebuild process trees, "
	    "report findings" },
	{ "tree", cmd_tree, "the process trees of audit logs, with steps and "
	    "findings" },
	{ "timeline", cmd_timeline, "every exec, connect and finding in time "
	    "order" },
	{ "run", cmd_run, "run a command under audit and report what it "
	    "executed" },
	{ "step", cmd_step, "mark where a build step begins (any CI)" },
	{ "rules", cmd_rules, "install, remove, check or print the audit "
	    "rules" },
	{ "recipes", cmd_recipes, "list (and check) the detection recipes" },
	{ "version", cmd_version, "print the version" },
	{ "help", cmd_help, "this text" },
};

static void
warnx(const char *fmt, ...) ST_PRINTF(1, 2);

static void
warnx(const char *fmt, ...)
{
	va_list ap;

	fputs("steptrail: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The report options, shared by analyze and run. */
static void
usage_report(FILE *f)
{
	size_t n, i;
	const struct st_format *fmt = st_formats(&n);

	fputs("  -f, --format FMT     a report in FMT (default text); "
	    "repeat for several:\n", f);
	for (i = 0; i < n; i++)
		fprintf(f, "                         %-6s %s\n", fmt[i].name,
		    fmt[i].description);
	fputs("  -o, --output FILE    where the report of the --format "
	    "before goes\n"
	    "                       (default standard output, \"-\"; "
	    "at most one there)\n"
	    "      --fail-on SEV    exit 1 on a finding at or above SEV: low, "
	    "medium,\n"
	    "                       high (default), critical, or never\n", f);
}

static void
usage_analyze(FILE *f)
{
	fputs("usage: steptrail analyze [options] [FILE|DIR...]\n"
	    "\n"
	    "Reads audit logs (raw or ENRICHED, node= prefixes, gzip/xz/zstd/"
	    "bzip2),\nrebuilds the process trees and reports what the recipes "
	    "find.\nWith no FILE: the system trail (auditd.conf's log_file and "
	    "its rotations,\noldest first).  \"-\" reads standard input; a DIR, "
	    "the audit logs in it.\nRotations (audit.log.N, .N.gz, ...) are read "
	    "oldest first, in whatever\norder they are given.\n"
	    "\n", f);
	usage_report(f);
	fputs("  -r, --recipes PATH   also load recipes from PATH (file or "
	    "directory);\n"
	    "                       a recipe of the same name replaces a "
	    "built-in one\n"
	    "      --no-builtin     do not load the default recipes (installed or\n"
	    "                       built in)\n"
	    "      --log FILE       the system trail's current log file\n"
	    "      --since TIME     report only what happened at or after TIME,\n"
	    "      --until TIME     ... and before TIME (earlier events still\n"
	    "                       give ancestry): ISO 8601, epoch seconds, -2h,\n"
	    "                       -7d, now, today, yesterday\n"
	    "      --steps FILE     the job's step list (GitHub jobs API JSON) "
	    "to name steps\n"
	    "      --checkpoint FILE  go on from where the last run with FILE "
	    "stopped:\n"
	    "                       only new events are read, only findings "
	    "not reported\n"
	    "                       before are reported; FILE is then "
	    "replaced\n"
	    "      --checkpoint-reset  start over: ignore what the checkpoint "
	    "holds\n"
	    "  -q, --quiet          no progress line (drawn on standard error "
	    "when it is a\n"
	    "                       terminal), no note of what a DIR held "
	    "besides logs\n"
	    "\n"
	    "Exit: 0 clean, 1 findings at or above --fail-on, 2 usage or "
	    "recipe error\n"
	    "      (or a checkpoint that cannot be used), 3 an input could not "
	    "be read,\n"
	    "      4 the report (or the checkpoint) could not be written.\n", f);
}

struct recipe_opts {
	const char	**paths;
	size_t		  npaths;
	bool		  no_builtin;
};

static int
load_recipe_set(struct st_recipes *rs, const struct recipe_opts *ro)
{
	char *cause = NULL;
	size_t i;

	st_recipes_init(rs);
	/* the default set: the installed recipes, else the built-in ones */
	if (!ro->no_builtin && st_datadir_recipes(rs, &cause) != 0)
		goto fail;
	for (i = 0; i < ro->npaths; i++)
		if (st_recipes_load_path(rs, ro->paths[i], &cause) != 0)
			goto fail;
	if (rs->n == 0) {
		warnx("no recipes loaded (--no-builtin without --recipes?)");
		return -1;
	}
	return 0;
fail:
	warnx("%s", cause);
	free(cause);
	return -1;
}

static void
add_recipe_path(struct recipe_opts *ro, const char *path)
{
	ro->paths = xreallocarray(ro->paths, ro->npaths + 1, sizeof *ro->paths);
	ro->paths[ro->npaths++] = path;
}

/*
 * Before the inputs are read: what their directories held besides logs
 * (not read, so said), and the progress line when it is wanted.
 */
static void
prepare_inputs(struct st_analysis *a, struct st_meter *m, bool quiet)
{
	size_t i;

	for (i = 0; !quiet && i < a->source.nnotes; i++)
		warnx("%s", a->source.notes[i]);
	if (st_meter_wanted(quiet)) {
		st_meter_init(m, stderr);
		st_source_progress(&a->source, st_meter_update, m);
	}
}

enum {
	OPT_FAIL_ON = 256,
	OPT_NO_BUILTIN,
	OPT_LOG,
	OPT_USER,
	OPT_STEPS,
	OPT_END,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_PID,
	OPT_STEP,
	OPT_NODE,
	OPT_BY,
	OPT_CHECKPOINT,
	OPT_CHECKPOINT_RESET,
};

/* What analyze and run share: recipes, and how the report is made. */
/* One report: a format, and where it goes (NULL or "-": stdout). */
struct report_out {
	const struct st_format	*fmt;
	const char		*path;
	FILE			*f;		/* opened by open_outputs() */
	bool			 failed;	/* ... which could not */
};

struct report_opts {
	struct report_out	*outs;		/* in the order given */
	size_t			 nouts;
	const char		*early;		/* an --output before any -f */
	const char		*steps;		/* --steps FILE */
	int			 fail_on;
	struct recipe_opts	 ro;
};

#define REPORT_LONGOPTS \
	{ "format", required_argument, NULL, 'f' }, \
	{ "output", required_argument, NULL, 'o' }, \
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON }, \
	{ "recipes", required_argument, NULL, 'r' }, \
	{ "no-builtin", no_argument, NULL, OPT_NO_BUILTIN }, \
	{ "steps", required_argument, NULL, OPT_STEPS }

static bool
to_stdout(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0;
}

/*
 * -f starts a report; -o names where the report of the -f before it goes.
 * An -o before any -f goes with the first -f (so "-o x -f json" still
 * means what it always did).  1, or -1 after reporting a bad value.
 */
static int
add_format(struct report_opts *o, const char *name)
{
	const struct st_format *fmt;

	if ((fmt = st_format_find(name)) == NULL) {
		warnx("unknown format \"%s\" (see --help)", name);
		return -1;
	}
	o->outs = xreallocarray(o->outs, o->nouts + 1, sizeof *o->outs);
	memset(&o->outs[o->nouts], 0, sizeof *o->outs);
	o->outs[o->nouts].fmt = fmt;
	o->outs[o->nouts].path = o->nouts == 0 ? o->early : NULL;
	if (o->nouts++ == 0)
		o->early = NULL;
	return 1;
}

static int
add_output(struct report_opts *o, const char *path)
{
	struct report_out *last;

	if (o->nouts == 0) {
		if (o->early != NULL) {
			warnx("--output %s: --output %s came first; give a "
			    "--format before each --output", path, o->early);
			return -1;
		}
		o->early = path;
		return 1;
	}
	last = &o->outs[o->nouts - 1];
	if (last->path != NULL) {
		warnx("--output %s: the %s report already goes to %s; give a "
		    "--format before each --output", path, last->fmt->name,
		    last->path);
		return -1;
	}
	last->path = path;
	return 1;
}

/*
 * After the options: text if no format was asked for; at most one report
 * on standard output (two would interleave), no file named twice.
 * -1 after reporting the conflict.
 */
static int
finish_outputs(struct report_opts *o)
{
	size_t i, j;

	if (o->nouts == 0) {
		if (add_format(o, "text") < 0)
			return -1;
	}
	for (i = 0; i < o->nouts; i++)
		for (j = i + 1; j < o->nouts; j++) {
			/* each github report appends a job summary */
			if (o->outs[i].fmt == o->outs[j].fmt &&
			    strcmp(o->outs[i].fmt->name, "github") == 0) {
				warnx("--format github is given twice");
				return -1;
			}
			if (to_stdout(o->outs[i].path) &&
			    to_stdout(o->outs[j].path)) {
				warnx("the %s and %s reports both go to "
				    "standard output: give one an --output "
				    "FILE", o->outs[i].fmt->name,
				    o->outs[j].fmt->name);
				return -1;
			}
			if (!to_stdout(o->outs[i].path) &&
			    !to_stdout(o->outs[j].path) &&
			    strcmp(o->outs[i].path, o->outs[j].path) == 0) {
				warnx("--output %s is given twice",
				    o->outs[i].path);
				return -1;
			}
		}
	return 0;
}

/* 1 if c was one of the report options, -1 if its value is bad, else 0. */
static int
report_option(struct report_opts *o, int c)
{
	switch (c) {
	case 'f':
		return add_format(o, optarg);
	case 'o':
		return add_output(o, optarg);
	case OPT_FAIL_ON:
		if (strcmp(optarg, "never") == 0)
			o->fail_on = ST_SEV_NONE;
		else if ((o->fail_on = st_severity_parse(optarg)) < 0) {
			warnx("--fail-on: \"%s\" is not low, medium, high, "
			    "critical or never", optarg);
			return -1;
		}
		return 1;
	case 'r':
		add_recipe_path(&o->ro, optarg);
		return 1;
	case OPT_NO_BUILTIN:
		o->ro.no_builtin = true;
		return 1;
	case OPT_STEPS:
		o->steps = optarg;
		return 1;
	}
	return 0;
}

/*
 * What an analysis needs besides its inputs: the job's step list, and the
 * CI context of the environment.  -1 after reporting an error.
 */
static int
prepare_analysis(const struct report_opts *o, struct st_analysis *a,
    struct st_ci *ci)
{
	char *cause = NULL;

	if (o->steps != NULL &&
	    st_steps_load_list(&a->steps, o->steps, &cause) != 0) {
		warnx("--steps: %s", cause);
		free(cause);
		return -1;
	}
	if (st_ci_from_env(ci))
		a->ci = ci;
	return 0;
}

static void
report_opts_init(struct report_opts *o)
{
	memset(o, 0, sizeof *o);
	o->fail_on = ST_SEV_HIGH;
}

/*
 * What a path names, for telling two names of one file apart: its device
 * and inode if it exists, else the real path of its directory and its
 * name.  0, or -1 if the directory cannot be resolved.
 */
struct file_id {
	bool		 exists;
	dev_t		 dev;
	ino_t		 ino;
	char		*where;
};

static int
file_id(const char *path, struct file_id *id)
{
	struct stat sb;
	char *dir, *slash, *real;

	memset(id, 0, sizeof *id);
	if (stat(path, &sb) == 0) {
		id->exists = true;
		id->dev = sb.st_dev;
		id->ino = sb.st_ino;
		return 0;
	}
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	real = realpath(dir, NULL);
	free(dir);
	if (real == NULL)
		return -1;
	slash = strrchr(path, '/');
	id->where = xasprintf("%s/%s", real, slash != NULL ? slash + 1 : path);
	free(real);
	return 0;
}

static bool
same_file(const struct file_id *a, const struct file_id *b)
{
	if (a->exists != b->exists)
		return false;
	if (a->exists)
		return a->dev == b->dev && a->ino == b->ino;
	return a->where != NULL && b->where != NULL &&
	    strcmp(a->where, b->where) == 0;
}

static bool
same_as_fd(const struct file_id *a, int fd)
{
	struct stat sb;

	return a->exists && fd >= 0 && fstat(fd, &sb) == 0 &&
	    a->dev == sb.st_dev && a->ino == sb.st_ino;
}

/*
 * Before any work: no two reports into one file by two names (./x and x,
 * a symlink), none over an input (-o in.log in.log would erase the log
 * being read), none into standard output by its name (/dev/stdout) when a
 * report goes there (EXIT_USAGE); then every file opened, so that an
 * unwritable one is known now (EXIT_OUTPUT, the others still written by
 * analyze; run stops before the command).
 */
static int
open_outputs(struct report_opts *o, const struct st_source *src)
{
	struct file_id *ids;
	bool on_stdout = false;
	size_t i, j;
	int rc = EXIT_CLEAN;

	ids = xreallocarray(NULL, o->nouts + 1, sizeof *ids);
	memset(ids, 0, (o->nouts + 1) * sizeof *ids);
	for (i = 0; i < o->nouts; i++)
		if (to_stdout(o->outs[i].path))
			on_stdout = true;
	for (i = 0; i < o->nouts; i++) {
		if (to_stdout(o->outs[i].path))
			continue;
		if (file_id(o->outs[i].path, &ids[i]) != 0)
			continue;	/* fopen below says why */
		for (j = 0; j < i; j++)
			if (!to_stdout(o->outs[j].path) &&
			    same_file(&ids[i], &ids[j])) {
				warnx("--output %s and %s are the same file",
				    o->outs[j].path, o->outs[i].path);
				rc = EXIT_USAGE;
			}
		if (on_stdout && same_as_fd(&ids[i], STDOUT_FILENO)) {
			warnx("--output %s is standard output, where another "
			    "report goes", o->outs[i].path);
			rc = EXIT_USAGE;
		}
		for (j = 0; src != NULL && j < src->n; j++)
			if (same_as_fd(&ids[i], src->v[j].fd)) {
				warnx("--output %s is the input %s: it would be "
				    "overwritten", o->outs[i].path,
				    src->v[j].name);
				rc = EXIT_USAGE;
			}
	}
	for (i = 0; i < o->nouts && rc != EXIT_USAGE; i++) {
		if (to_stdout(o->outs[i].path)) {
			o->outs[i].f = stdout;
			continue;
		}
		if ((o->outs[i].f = fopen(o->outs[i].path, "w")) == NULL) {
			warnx("%s: %s", o->outs[i].path, strerror(errno));
			o->outs[i].failed = true;
			rc = EXIT_OUTPUT;
		}
	}
	for (i = 0; i < o->nouts; i++)
		free(ids[i].where);
	free(ids);
	return rc;
}

static void
close_outputs(struct report_opts *o)
{
	size_t i;

	for (i = 0; i < o->nouts; i++) {
		if (o->outs[i].f != NULL && o->outs[i].f != stdout)
			fclose(o->outs[i].f);
		o->outs[i].f = NULL;
	}
}

static void
report_opts_free(struct report_opts *o)
{
	close_outputs(o);
	free(o->ro.paths);
	free(o->outs);
}

/* Writes one report; EXIT_OUTPUT after reporting a failure. */
static int
write_one(struct report_out *r, const struct st_analysis *a)
{
	const char *name = to_stdout(r->path) ? "standard output" : r->path;
	char *cause = NULL;
	FILE *out = r->f != NULL ? r->f : stdout;
	int rc = EXIT_CLEAN;

	if (r->fmt->write(out, a, &cause) != 0) {
		warnx("cannot write the %s report: %s", r->fmt->name,
		    cause != NULL ? cause : strerror(errno));
		rc = EXIT_OUTPUT;
	} else if (fflush(out) != 0 || ferror(out)) {
		warnx("cannot write the %s report to %s: %s", r->fmt->name,
		    name, strerror(errno));
		rc = EXIT_OUTPUT;
	}
	if (out != stdout) {
		if (fclose(out) != 0 && rc == EXIT_CLEAN) {
			warnx("%s: %s", r->path, strerror(errno));
			rc = EXIT_OUTPUT;
		}
		r->f = NULL;
	}
	free(cause);
	return rc;
}

/* Writes every report asked for, even after one fails (nothing lost). */
static int
write_report(struct report_opts *o, const struct st_analysis *a)
{
	int rc = EXIT_CLEAN;
	size_t i;

	for (i = 0; i < o->nouts; i++)
		if (o->outs[i].failed || write_one(&o->outs[i], a) !=
		    EXIT_CLEAN)
			rc = EXIT_OUTPUT;
	return rc;
}

static bool
fails(const struct report_opts *o, const struct st_analysis *a)
{
	return o->fail_on != ST_SEV_NONE &&
	    st_findings_max(&a->findings) >= (enum st_severity)o->fail_on;
}

/* --since and --until into a's window.  0, or -1 after saying why. */
static int
window_option(struct st_analysis *a, int c, time_t now)
{
	char *cause = NULL;

	if (st_when_parse(optarg, now, c == OPT_SINCE ? &a->since_ms :
	    &a->until_ms, &cause) != 0) {
		warnx("--%s: %s", c == OPT_SINCE ? "since" : "until", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* After the options: a window that holds a moment.  -1 after saying so. */
static int
check_window(const struct st_analysis *a)
{
	if (a->since_ms >= a->until_ms) {
		warnx("--since must come before --until");
		return -1;
	}
	return 0;
}

/* --checkpoint: with what it can be used.  -1 after saying why. */
static int
check_checkpoint(const struct st_analysis *a, const char *path, bool reset)
{
	if (path == NULL && reset) {
		warnx("--checkpoint-reset needs --checkpoint FILE");
		return -1;
	}
	/* a checkpoint goes on from the last event read; a run that stopped
	 * reading at --until would leave the rest behind it */
	if (path != NULL && a->until_ms != INT64_MAX) {
		warnx("--until and --checkpoint do not go together: a "
		    "checkpoint goes on from the last event read");
		return -1;
	}
	return 0;
}

/*
 * Reads the checkpoint (none yet: a first run).  One that cannot be used
 * is an error, never a silent fresh start: that would report again all
 * that was reported, or skip what it stood for.  -1 after saying why.
 */
static int
load_checkpoint(struct st_analysis *a, const char *path, bool reset,
    const struct st_recipes *rs)
{
	char *cause = NULL;

	if (path == NULL)
		return 0;
	a->checkpoint = xcalloc(1, sizeof *a->checkpoint);
	a->checkpoint_path = path;
	if (reset)
		return 0;
	if (st_checkpoint_load(a->checkpoint, path, rs, &cause) < 0) {
		warnx("checkpoint %s", cause);
		warnx("to start over, add --checkpoint-reset (findings still "
		    "in the logs are then reported again)");
		free(cause);
		return -1;
	}
	return 0;
}

/*
 * Writes the checkpoint of this run, once its reports are out.  Not when
 * an input could not be read: the next run must read its events.  -1
 * after saying why.
 */
static int
save_checkpoint(struct st_analysis *a)
{
	char *cause = NULL;

	if (a->checkpoint == NULL)
		return 0;
	if (a->input_failed) {
		warnx("%s not updated: an input could not be read, so the next "
		    "run reads these events again", a->checkpoint_path);
		return 0;
	}
	if (st_checkpoint_commit(a->checkpoint_path, a->checkpoint_text,
	    a->checkpoint_len, &cause) != 0) {
		warnx("cannot write the checkpoint: %s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/*
 * The inputs named (none: the system trail).  One that cannot be opened
 * is listed with why, unread: st_analyze says so and the report is
 * partial (exit 3).  -1 with *cause only if the system trail cannot be
 * found.
 */
static int
add_inputs(struct st_analysis *a, int n, char **names, const char *log,
    char **cause)
{
	char *why = NULL;
	int i;

	if (n == 0)
		return st_source_add_system(&a->source, log, cause);
	for (i = 0; i < n; i++)
		if (st_source_add(&a->source, names[i], &why) != 0) {
			free(why);
			why = NULL;
		}
	return 0;
}

static int
cmd_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		REPORT_LONGOPTS,
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "checkpoint", required_argument, NULL, OPT_CHECKPOINT },
		{ "checkpoint-reset", no_argument, NULL, OPT_CHECKPOINT_RESET },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_opts o;
	struct st_analysis a;
	struct st_recipes rs;
	struct st_meter meter;
	struct st_ci ci = { 0 };
	const char *log = NULL, *checkpoint = NULL;
	char *cause = NULL;
	time_t now = time(NULL);
	bool quiet = false, reset = false;
	int c, rc = EXIT_USAGE, i;

	report_opts_init(&o);
	st_analysis_init(&a);
	memset(&rs, 0, sizeof rs);
	while ((c = getopt_long(argc, argv, "f:o:r:qh", longopts, NULL)) !=
	    -1) {
		if ((i = report_option(&o, c)) < 0)
			goto out;
		if (i > 0)
			continue;
		switch (c) {
		case OPT_LOG:
			log = optarg;
			break;
		case OPT_CHECKPOINT:
			checkpoint = optarg;
			break;
		case OPT_CHECKPOINT_RESET:
			reset = true;
			break;
		case 'q':
			quiet = true;
			break;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (window_option(&a, c, now) != 0)
				goto out;
			break;
		case 'h':
			usage_analyze(stdout);
			rc = EXIT_CLEAN;
			goto out;
		default:
			usage_analyze(stderr);
			goto out;
		}
	}
	if (check_window(&a) != 0 || check_checkpoint(&a, checkpoint, reset) !=
	    0)
		goto out;
	if (finish_outputs(&o) != 0 || load_recipe_set(&rs, &o.ro) != 0 ||
	    prepare_analysis(&o, &a, &ci) != 0 ||
	    load_checkpoint(&a, checkpoint, reset, &rs) != 0)
		goto out;

	rc = EXIT_INPUT;
	if (add_inputs(&a, argc - optind, argv + optind, log, &cause) != 0)
		goto fail;
	if ((rc = open_outputs(&o, &a.source)) == EXIT_USAGE)
		goto out;
	prepare_inputs(&a, &meter, quiet);
	if (st_analyze(&a, &rs, &cause) != 0) {
		warnx("%s", cause);	/* reported; the analysis goes on */
		free(cause);
		cause = NULL;
	}
	if ((rc = write_report(&o, &a)) != EXIT_CLEAN) {
		if (a.checkpoint != NULL)
			warnx("%s not updated: a report could not be written, "
			    "so the next run reads these events again",
			    checkpoint);
		goto out;
	}
	if (a.input_failed)
		rc = EXIT_INPUT;
	else
		rc = fails(&o, &a) ? EXIT_FINDINGS : EXIT_CLEAN;
	if (save_checkpoint(&a) != 0)
		rc = EXIT_OUTPUT;
	goto out;
fail:
	warnx("%s", cause);
out:
	free(cause);
	report_opts_free(&o);
	st_analysis_free(&a);
	st_ci_free(&ci);
	st_recipes_free(&rs);
	return rc;
}

/* -------------------------------------------------------- tree, timeline */

static void
usage_view(FILE *f, bool timeline)
{
	fprintf(f, "usage: steptrail %s [options] [FILE...]\n\n",
	    timeline ? "timeline" : "tree");
	if (timeline)
		fputs("One line per exec, connect and finding, in time order "
		    "(or by step or\nnode): for a responder's spreadsheet.\n",
		    f);
	else
		fputs("The process trees the logs record, pstree-like, with "
		    "each build step\nwhere it begins and each finding on "
		    "its process.\n", f);
	fputs("Inputs as for analyze (no FILE: the system trail; \"-\": "
	    "stdin; a DIR:\nthe audit logs in it).\n\n", f);
	fprintf(f, "  -f, --format FMT     text (default), %s\n",
	    timeline ? "csv or json" : "or json");
	fputs("  -o, --output FILE    write it to FILE\n"
	    "      --pid PID        only that process", f);
	fputs(timeline ? "\n" : ", its ancestors and what it "
	    "started\n", f);
	fprintf(f, "      --step N         only the processes of step N%s\n",
	    timeline ? "" : " (and ancestors)");
	fputs("      --node NAME      only that node (node= of an aggregated "
	    "log)\n"
	    "      --since TIME     only what happened from TIME on ...\n"
	    "      --until TIME     ... and before TIME (see analyze "
	    "--help)\n", f);
	if (timeline)
		fputs("      --by WHAT        time (default), step or node: "
		    "grouped, in time order\n", f);
	fputs("  -r, --recipes PATH   also load recipes from PATH\n"
	    "      --no-builtin     do not load the default recipes\n"
	    "      --steps FILE     the job's step list (GitHub jobs API "
	    "JSON)\n"
	    "      --log FILE       the system trail's current log file\n"
	    "  -q, --quiet          no progress line, no note of what a DIR "
	    "held besides logs\n"
	    "\n"
	    "Exit: 0 shown, 2 usage or recipe error, 3 an input could not be "
	    "read,\n4 it could not be written.  Findings do not fail it.\n",
	    f);
}

static int
view_option(struct st_view_opts *vo, int c, bool timeline)
{
	char *end;
	long v;

	switch (c) {
	case 'f':
		if (strcmp(optarg, "text") == 0)
			vo->fmt = ST_VIEW_TEXT;
		else if (strcmp(optarg, "json") == 0)
			vo->fmt = ST_VIEW_JSON;
		else if (timeline && strcmp(optarg, "csv") == 0)
			vo->fmt = ST_VIEW_CSV;
		else {
			warnx("--format: \"%s\" is not text, %s", optarg,
			    timeline ? "csv or json" : "or json");
			return -1;
		}
		return 1;
	case OPT_PID:
	case OPT_STEP:
		v = strtol(optarg, &end, 10);
		if (end == optarg || *end != '\0' || v <= 0 || v > INT32_MAX) {
			warnx("--%s: \"%s\" is not a positive number",
			    c == OPT_PID ? "pid" : "step", optarg);
			return -1;
		}
		if (c == OPT_PID)
			vo->pid = (int)v;
		else
			vo->step = (unsigned)v;
		return 1;
	case OPT_NODE:
		vo->node = optarg;
		return 1;
	case OPT_BY:
		if (!timeline)
			return 0;
		if (strcmp(optarg, "time") == 0)
			vo->by = ST_BY_TIME;
		else if (strcmp(optarg, "step") == 0)
			vo->by = ST_BY_STEP;
		else if (strcmp(optarg, "node") == 0)
			vo->by = ST_BY_NODE;
		else {
			warnx("--by: \"%s\" is not time, step or node", optarg);
			return -1;
		}
		return 1;
	}
	return 0;
}

/* steptrail tree and timeline: an analysis, shown another way. */
static int
cmd_view(int argc, char **argv, bool timeline)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "recipes", required_argument, NULL, 'r' },
		{ "no-builtin", no_argument, NULL, OPT_NO_BUILTIN },
		{ "steps", required_argument, NULL, OPT_STEPS },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "step", required_argument, NULL, OPT_STEP },
		{ "node", required_argument, NULL, OPT_NODE },
		{ "by", required_argument, NULL, OPT_BY },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct st_view_opts vo = { 0 };
	struct report_opts o;
	struct st_analysis a;
	struct st_history h;
	struct st_recipes rs;
	struct st_meter meter;
	struct st_ci ci = { 0 };
	const char *log = NULL, *output = NULL;
	char *cause = NULL;
	time_t now = time(NULL);
	FILE *out = stdout;
	bool quiet = false;
	int c, rc = EXIT_USAGE, i;

	report_opts_init(&o);
	st_analysis_init(&a);
	st_history_init(&h, timeline);
	a.history = &h;
	memset(&rs, 0, sizeof rs);
	while ((c = getopt_long(argc, argv, "f:o:r:qh", longopts, NULL)) !=
	    -1) {
		if ((i = view_option(&vo, c, timeline)) < 0)
			goto out;
		if (i > 0)
			continue;
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'r':
		case OPT_NO_BUILTIN:
		case OPT_STEPS:
			(void)report_option(&o, c);
			break;
		case OPT_LOG:
			log = optarg;
			break;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (window_option(&a, c, now) != 0)
				goto out;
			break;
		case 'h':
			usage_view(stdout, timeline);
			rc = EXIT_CLEAN;
			goto out;
		default:
			usage_view(stderr, timeline);
			goto out;
		}
	}
	if (check_window(&a) != 0)
		goto out;
	if (load_recipe_set(&rs, &o.ro) != 0 ||
	    prepare_analysis(&o, &a, &ci) != 0)
		goto out;
	rc = EXIT_INPUT;
	if (add_inputs(&a, argc - optind, argv + optind, log, &cause) != 0)
		goto fail;
	prepare_inputs(&a, &meter, quiet);
	if (st_analyze(&a, &rs, &cause) != 0) {
		warnx("%s", cause);	/* reported; the view goes on */
		free(cause);
		cause = NULL;
	}
	rc = EXIT_OUTPUT;
	if (output != NULL && strcmp(output, "-") != 0 &&
	    (out = fopen(output, "w")) == NULL) {
		warnx("%s: %s", output, strerror(errno));
		goto out;
	}
	if ((timeline ? st_view_timeline(out, &a, &vo, &cause) :
	    st_view_tree(out, &a, &vo, &cause)) != 0 || fflush(out) != 0 ||
	    ferror(out)) {
		warnx("cannot write the %s: %s", timeline ? "timeline" : "tree",
		    cause != NULL ? cause : strerror(errno));
		if (out != stdout)
			fclose(out);
		goto out;
	}
	if (out != stdout && fclose(out) != 0) {
		warnx("%s: %s", output, strerror(errno));
		goto out;
	}
	rc = a.input_failed ? EXIT_INPUT : EXIT_CLEAN;
	goto out;
fail:
	warnx("%s", cause);
out:
	free(cause);
	report_opts_free(&o);
	st_analysis_free(&a);
	st_history_free(&h);
	st_ci_free(&ci);
	st_recipes_free(&rs);
	return rc;
}

static int
cmd_tree(int argc, char **argv)
{
	return cmd_view(argc, argv, false);
}

static int
cmd_timeline(int argc, char **argv)
{
	return cmd_view(argc, argv, true);
}

/* ------------------------------------------------------------- run */

static void
usage_run(FILE *f)
{
	fputs("usage: steptrail run [options] -- COMMAND [ARG...]\n"
	    "\n"
	    "Runs COMMAND under kernel audit (as root), then reports what it "
	    "and its\nchildren executed.  Uses the registered auditd, or starts "
	    "a private one;\ninstalls steptrail's rules for the run unless "
	    "they are; afterwards puts\nback everything it changed.\n"
	    "\n"
	    "      --log FILE       keep the captured audit records in FILE\n"
	    "      --user NAME      the CI user (see steptrail rules --help)\n",
	    f);
	usage_report(f);
	fputs("  -r, --recipes PATH   also load recipes from PATH\n"
	    "      --no-builtin     do not load the default recipes (installed or\n"
	    "                       built in)\n"
	    "      --steps FILE     the job's step list (GitHub jobs API JSON)\n"
	    "\n"
	    "Exit: COMMAND's status if it failed (128+N if killed by signal "
	    "N); else\n1 on findings at or above --fail-on, 0 if none; 2 "
	    "usage, 5 environment\n(not root, no kernel audit, no auditd).\n",
	    f);
}

static int
cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		REPORT_LONGOPTS,
		{ "log", required_argument, NULL, OPT_LOG },
		{ "user", required_argument, NULL, OPT_USER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_opts o;
	struct st_run_result res;
	struct st_analysis a;
	struct st_recipes rs;
	struct st_ruleset rules;
	struct st_ci ci = { 0 };
	const char *keep = NULL, *user = NULL;
	char *cause = NULL, *home = NULL;
	int c, i, rc = EXIT_USAGE;

	report_opts_init(&o);
	st_analysis_init(&a);
	memset(&rs, 0, sizeof rs);
	memset(&rules, 0, sizeof rules);
	memset(&res, 0, sizeof res);
	/* "+": options stop at the command, whose own options are its own */
	while ((c = getopt_long(argc, argv, "+f:o:r:h", longopts, NULL)) !=
	    -1) {
		if ((i = report_option(&o, c)) < 0)
			goto out;
		if (i > 0)
			continue;
		switch (c) {
		case OPT_LOG:
			keep = optarg;
			break;
		case OPT_USER:
			user = optarg;
			break;
		case 'h':
			usage_run(stdout);
			rc = EXIT_CLEAN;
			goto out;
		default:
			usage_run(stderr);
			goto out;
		}
	}
	if (optind == argc) {
		warnx("run: no command (steptrail run -- COMMAND ...)");
		usage_run(stderr);
		goto out;
	}
	if (finish_outputs(&o) != 0 || load_recipe_set(&rs, &o.ro) != 0 ||
	    prepare_analysis(&o, &a, &ci) != 0 ||
	    load_rules(&rules, user, &home) != 0)
		goto out;
	/* before the command runs: an unwritable report is known now */
	if ((rc = open_outputs(&o, NULL)) != EXIT_CLEAN)
		goto out;
	rc = EXIT_USAGE;

	if (st_run(&rules, argv + optind, keep, &res, &cause) != 0 ||
	    res.signal != 0) {
		if (cause != NULL)
			warnx("run: %s", cause);
		if (res.notes != NULL)
			print_escaped(stderr, res.notes);
		if (res.signal != 0) {
			warnx("run: stopped by signal %d (audit state restored)",
			    res.signal);
			rc = 128 + res.signal;
		} else
			rc = res.ran && res.status != 0 ? res.status : EXIT_ENV;
		goto out;
	}
	a.run = &res;
	a.run_argv = argv + optind;
	a.root_pid = res.pid;
	if (st_source_add(&a.source, res.log, &cause) != 0 ||
	    st_analyze(&a, &rs, &cause) != 0) {
		warnx("run: the captured records: %s", cause);
		free(cause);
		cause = NULL;
	}
	if ((rc = write_report(&o, &a)) != EXIT_CLEAN)
		goto out;
	if (res.status != 0)
		rc = res.status;
	else if (a.input_failed)
		rc = EXIT_INPUT;
	else
		rc = fails(&o, &a) ? EXIT_FINDINGS : EXIT_CLEAN;
out:
	if (keep == NULL && res.log != NULL)
		unlink(res.log);
	free(cause);
	free(home);
	report_opts_free(&o);
	st_run_result_free(&res);
	st_analysis_free(&a);
	st_ci_free(&ci);
	st_recipes_free(&rs);
	st_ruleset_free(&rules);
	return rc;
}

/* ------------------------------------------------------------ step */

/*
 * The shell that ran us: our parent, or, when that is sudo (a CI user
 * is not root, and writing into the audit trail needs CAP_AUDIT_WRITE),
 * sudo's parent.
 */
static long
calling_shell(void)
{
	static const char *const hops[] = { "sudo", "doas", "su", "runuser",
	    "setpriv" };
	char path[64], comm[64], stat[512], *p;
	long pid = (long)getppid(), ppid;
	FILE *f;
	size_t i, n;
	int depth;

	for (depth = 0; depth < 4; depth++) {
		snprintf(path, sizeof path, "/proc/%ld/comm", pid);
		if ((f = fopen(path, "r")) == NULL)
			break;
		n = fread(comm, 1, sizeof comm - 1, f);
		fclose(f);
		comm[n] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		for (i = 0; i < sizeof hops / sizeof hops[0]; i++)
			if (strcmp(comm, hops[i]) == 0)
				break;
		if (i == sizeof hops / sizeof hops[0])
			break;
		snprintf(path, sizeof path, "/proc/%ld/stat", pid);
		if ((f = fopen(path, "r")) == NULL)
			break;
		n = fread(stat, 1, sizeof stat - 1, f);
		fclose(f);
		stat[n] = '\0';
		/* pid (comm) state ppid ...: comm may hold spaces */
		if ((p = strrchr(stat, ')')) == NULL ||
		    sscanf(p + 1, " %*c %ld", &ppid) != 1 || ppid <= 1)
			break;
		pid = ppid;
	}
	return pid;
}

/* A step name longer than this is not a name (it is hex-doubled). */
#define STEP_NAME_MAX	1024

static void
usage_step(FILE *f)
{
	fputs("usage: steptrail step NAME\n"
	    "       steptrail step --end\n"
	    "\n"
	    "Writes a marker into the audit trail: what the calling shell starts "
	    "from now\non belongs to build step NAME, until its next marker or "
	    "--end.  Needs\nroot (CAP_AUDIT_WRITE): in a CI job, sudo steptrail "
	    "step NAME.\n", f);
}

static int
cmd_step(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "end", no_argument, NULL, OPT_END },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct st_buf b = { 0 };
	struct st_kstatus st;
	const char *name = NULL;
	char *cause = NULL;
	bool end = false;
	long shell;
	size_t i;
	int c, fd, rc = EXIT_USAGE;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_END:
			end = true;
			break;
		case 'h':
			usage_step(stdout);
			return EXIT_CLEAN;
		default:
			usage_step(stderr);
			return EXIT_USAGE;
		}
	}
	if (!end && optind + 1 == argc)
		name = argv[optind];
	else if (!end || optind != argc) {
		usage_step(stderr);
		return EXIT_USAGE;
	}
	if (name != NULL && (name[0] == '\0' || strlen(name) > STEP_NAME_MAX)) {
		warnx("step: the name must be 1 to %d bytes", STEP_NAME_MAX);
		return EXIT_USAGE;
	}
	shell = calling_shell();
	st_buf_addf(&b, "steptrail-step op=%s shell=%ld", end ? "end" : "begin",
	    shell);
	if (name != NULL) {
		/* hex: a name may hold anything but must not end the message */
		st_buf_adds(&b, " name=");
		for (i = 0; name[i] != '\0'; i++)
			st_buf_addf(&b, "%02x", (unsigned char)name[i]);
	}
	if ((fd = st_kaudit_open(&cause)) < 0 ||
	    st_kaudit_status(fd, &st, &cause) != 0 ||
	    st_kaudit_message(fd, st_buf_cstr(&b), &cause) != 0) {
		warnx("step: %s", cause);
		rc = EXIT_ENV;
	} else if (st.enabled == 0 || st.pid == 0) {
		/* the kernel takes the message and drops it */
		warnx("step: %s: the marker is not recorded", st.enabled == 0 ?
		    "kernel audit is disabled" : "no audit daemon is "
		    "registered");
		rc = EXIT_ENV;
	} else
		rc = EXIT_CLEAN;
	st_kaudit_close(fd);
	free(cause);
	st_buf_free(&b);
	return rc;
}

/* ------------------------------------------------------------ rules */

static int	rules_install(int, char **);
static int	rules_remove(int, char **);
static int	rules_status(int, char **);
static int	rules_print(int, char **);

static const struct command rules_commands[] = {
	{ "install", rules_install, "load steptrail's rules into the kernel "
	    "(saving what was there)" },
	{ "remove", rules_remove, "remove them and restore what was there" },
	{ "status", rules_status, "is audit on, which daemon, which of our "
	    "rules are loaded" },
	{ "print", rules_print, "print the rule files (for augenrules)" },
};

static void
usage_rules(FILE *f)
{
	size_t i;

	fputs("usage: steptrail rules COMMAND [--user NAME]\n\n", f);
	for (i = 0; i < sizeof rules_commands / sizeof rules_commands[0]; i++)
		fprintf(f, "  %-8s %s\n", rules_commands[i].name,
		    rules_commands[i].summary);
	fputs("\n  --user NAME        the CI user whose ~/.ssh/authorized_keys "
	    "is watched\n                     (default: $SUDO_USER, the login "
	    "user, or runner)\n"
	    "  --without-daemon   install: even if no audit daemon is "
	    "registered\n\n"
	    "Exit: 0 done (status: capturing everything), 1 status: something "
	    "is\nmissing, 2 usage, 5 not root, no kernel audit, rules locked, "
	    "no daemon.\n", f);
}

static int
cmd_rules(int argc, char **argv)
{
	size_t i;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage_rules(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_CLEAN;
	}
	for (i = 0; i < sizeof rules_commands / sizeof rules_commands[0]; i++)
		if (strcmp(argv[1], rules_commands[i].name) == 0)
			return rules_commands[i].run(argc - 1, argv + 1);
	warnx("rules: unknown command \"%s\"", argv[1]);
	usage_rules(stderr);
	return EXIT_USAGE;
}

/* Options shared by the rules commands; returns -1 on a usage error. */
static int
rules_options(int argc, char **argv, const char **user, bool *no_daemon)
{
	static const struct option longopts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "without-daemon", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "u:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			*user = optarg;
			break;
		case 'n':
			if (no_daemon == NULL)
				goto bad;
			*no_daemon = true;
			break;
		case 'h':
			usage_rules(stdout);
			return 1;
		default:
			goto bad;
		}
	}
	if (optind == argc)
		return 0;
	warnx("rules %s: unexpected argument \"%s\"", argv[0], argv[optind]);
bad:
	usage_rules(stderr);
	return -1;
}

/*
 * The rules for the CI user: the installed rule files, else the built-in
 * ones; -1 after reporting an error (nothing left to free).
 */
static int
load_rules(struct st_ruleset *rs, const char *user, char **home)
{
	char *cause = NULL;

	memset(rs, 0, sizeof *rs);
	*home = st_ci_home(user, &cause);
	if (*home == NULL && cause != NULL) {
		warnx("--user: %s", cause);
		free(cause);
		return -1;
	}
	if (st_datadir_rules(rs, *home, &cause) != 0) {
		warnx("%s", cause);
		free(cause);
		st_ruleset_free(rs);
		free(*home);
		*home = NULL;
		return -1;
	}
	return 0;
}

/* Notes can name kernel rule keys: text from outside, escaped. */
static void
print_escaped(FILE *f, const char *text)
{
	struct st_buf b = { 0 };
	const char *s, *nl;

	for (s = text; *s != '\0'; s = *nl ? nl + 1 : nl) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		st_buf_reset(&b);
		st_escape(&b, s, (size_t)(nl - s));
		fprintf(f, "  %s\n", st_buf_cstr(&b));
	}
	st_buf_free(&b);
}

static void
print_notes(const struct st_capture_result *res)
{
	size_t i;

	for (i = 0; i < res->nnotes; i++)
		print_escaped(stdout, res->notes[i]);
}

static int
rules_install(int argc, char **argv)
{
	struct st_capture_result res;
	struct st_ruleset rs;
	const char *user = NULL;
	char *home = NULL, *cause = NULL;
	bool no_daemon = false;
	int rc, lock = -1;

	memset(&res, 0, sizeof res);
	if ((rc = rules_options(argc, argv, &user, &no_daemon)) != 0)
		return rc > 0 ? EXIT_CLEAN : EXIT_USAGE;
	if (load_rules(&rs, user, &home) != 0)
		return EXIT_USAGE;
	if ((lock = st_capture_lock(&cause)) == -1 ||
	    st_capture_install(&rs, "rules install", !no_daemon, &res,
	    &cause) != 0) {
		warnx("rules install: %s", cause);
		rc = EXIT_ENV;
	} else {
		printf("steptrail: %lu rules loaded, %lu were already, %lu "
		    "skipped\n", res.added, res.already, res.skipped);
		print_notes(&res);
		rc = EXIT_CLEAN;
	}
	st_capture_unlock(lock);
	free(cause);
	free(home);
	st_capture_result_free(&res);
	st_ruleset_free(&rs);
	return rc;
}

static int
rules_remove(int argc, char **argv)
{
	struct st_capture_result res;
	const char *user = NULL;
	char *cause = NULL;
	int rc, lock;

	memset(&res, 0, sizeof res);
	if ((rc = rules_options(argc, argv, &user, NULL)) != 0)
		return rc > 0 ? EXIT_CLEAN : EXIT_USAGE;
	if ((lock = st_capture_lock(&cause)) == -1 ||
	    st_capture_remove(&res, &cause) != 0) {
		warnx("rules remove: %s", cause);
		rc = EXIT_ENV;
	} else {
		printf("steptrail: %lu rules removed%s\n", res.removed,
		    res.exact ? "; the audit rules are as they were found" :
		    "");
		print_notes(&res);
		rc = EXIT_CLEAN;
	}
	st_capture_unlock(lock);
	free(cause);
	st_capture_result_free(&res);
	return rc;
}

static int
rules_status(int argc, char **argv)
{
	struct st_ruleset rs;
	const char *user = NULL;
	char *home = NULL, *cause = NULL;
	int rc;

	if ((rc = rules_options(argc, argv, &user, NULL)) != 0)
		return rc > 0 ? EXIT_CLEAN : EXIT_USAGE;
	if (load_rules(&rs, user, &home) != 0)
		return EXIT_USAGE;
	rc = st_capture_status(stdout, &rs, &cause);
	if (rc < 0) {
		warnx("rules status: %s", cause);
		rc = EXIT_ENV;
	}
	free(cause);
	free(home);
	st_ruleset_free(&rs);
	return rc;
}

static int
rules_print(int argc, char **argv)
{
	struct st_ruleset rs;
	const char *user = NULL;
	char *home = NULL;
	int rc;

	if ((rc = rules_options(argc, argv, &user, NULL)) != 0)
		return rc > 0 ? EXIT_CLEAN : EXIT_USAGE;
	/* parsed first, so that what is printed is known to load */
	if (load_rules(&rs, user, &home) != 0)
		return EXIT_USAGE;
	st_rules_print(stdout, &rs);
	free(home);
	st_ruleset_free(&rs);
	return EXIT_CLEAN;
}

/* ---------------------------------------------------------- recipes */

/*
 * lint: each file (or directory) loaded on its own, so that a recipe of
 * one cannot replace a recipe of the same name in another; every one that
 * does not load is reported, the examples of those that do are run.
 * Without files, the built-in recipes.
 */
static int
lint(int nfiles, char **files, const struct recipe_opts *ro, bool verbose)
{
	struct st_example_result res, sum = { 0 };
	struct st_recipes rs;
	char *cause = NULL;
	size_t nrecipes = 0;
	int i, bad = 0, broken = 0;

	if (ro->npaths > 0 || ro->no_builtin) {
		warnx("recipes lint: give the files as arguments (-r and "
		    "--no-builtin are for list and test)");
		return EXIT_USAGE;
	}
	for (i = 0; i < (nfiles > 0 ? nfiles : 1); i++) {
		st_recipes_init(&rs);
		if ((nfiles > 0 ? st_recipes_load_path(&rs, files[i], &cause) :
		    st_datadir_recipes(&rs, &cause)) != 0) {
			printf("FAIL %s\n", cause);
			free(cause);
			cause = NULL;
			broken++;
		} else if (st_recipes_test(&rs, stdout, verbose, &res) != 0)
			bad++;
		nrecipes += rs.n;
		sum.run += res.run;
		sum.failed += res.failed;
		st_recipes_free(&rs);
		memset(&res, 0, sizeof res);
	}
	printf("%zu recipes, %lu examples, %lu failed", nrecipes, sum.run,
	    sum.failed);
	if (broken > 0)
		printf(", %d file%s that do%s not load", broken,
		    broken == 1 ? "" : "s", broken == 1 ? "es" : "");
	putchar('\n');
	return bad + broken > 0 ? EXIT_USAGE : EXIT_CLEAN;
}

/*
 * recipes [list] | test [-v] | lint [FILE...]: list what analyze would
 * load; run every recipe's examples (make check does); check recipe files
 * on their own, each reported with file, recipe, field and offset, then
 * their examples.
 */
static int
cmd_recipes(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "recipes", required_argument, NULL, 'r' },
		{ "no-builtin", no_argument, NULL, OPT_NO_BUILTIN },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct recipe_opts ro = { 0 };
	struct st_example_result res;
	struct st_recipes rs;
	const struct st_recipe *r;
	const char *verb = "list";
	size_t i;
	int c, rc = EXIT_USAGE;
	bool verbose = false;

	memset(&rs, 0, sizeof rs);
	if (argc > 1 && argv[1][0] != '-') {
		verb = argv[1];
		argc--;
		argv++;
	}
	if (strcmp(verb, "list") != 0 && strcmp(verb, "test") != 0 &&
	    strcmp(verb, "lint") != 0) {
		warnx("recipes: unknown command \"%s\" (list, test, lint)",
		    verb);
		return EXIT_USAGE;
	}
	while ((c = getopt_long(argc, argv, "r:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			add_recipe_path(&ro, optarg);
			break;
		case OPT_NO_BUILTIN:
			ro.no_builtin = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			puts("usage: steptrail recipes [list] [-r PATH]... "
			    "[--no-builtin]\n"
			    "       steptrail recipes test [-v] [-r PATH]... "
			    "[--no-builtin]\n"
			    "       steptrail recipes lint [-v] [FILE|DIR]...\n\n"
			    "list: the recipes that analyze would load (exit 2 "
			    "if one does not load).\n"
			    "test: runs every recipe's examples (exit 1 if one "
			    "fails).\n"
			    "lint: loads each FILE on its own (without any: the "
			    "default set), reports\n"
			    "      every file that does not load, then runs the "
			    "examples of those that do.\n\n"
			    "The default set: DATADIR/recipes if it exists, "
			    "else the built-in recipes\n"
			    "(steptrail version says which; list says it on "
			    "standard error).\n");
			rc = EXIT_CLEAN;
			goto out;
		default:
			goto out;
		}
	}
	if (strcmp(verb, "lint") == 0) {
		rc = lint(argc - optind, argv + optind, &ro, verbose);
		goto out;
	}
	if (optind != argc) {
		warnx("recipes: unexpected argument \"%s\"", argv[optind]);
		goto out;
	}
	if (load_recipe_set(&rs, &ro) != 0)
		goto out;
	/* on stderr: the table on stdout is read by scripts */
	if (!ro.no_builtin)
		fprintf(stderr, "recipes: %s (%zu)\n", rs.from != NULL ?
		    rs.from : "built in", rs.ndefault);
	if (strcmp(verb, "test") == 0) {
		rc = st_recipes_test(&rs, stdout, verbose, &res) == 0 ?
		    EXIT_CLEAN : EXIT_FINDINGS;
		printf("%zu recipes, %lu examples, %lu failed\n", rs.n,
		    res.run, res.failed);
		goto out;
	}
	for (i = 0; i < rs.n; i++) {
		r = &rs.v[i];
		printf("%-44s %-8s %-10s %-8s %s\n", r->name,
		    st_severity_name(r->severity), r->technique,
		    st_on_name(r->on), r->file);
	}
	rc = EXIT_CLEAN;
out:
	free(ro.paths);
	st_recipes_free(&rs);
	return rc;
}

/*
 * The version on the first line (scripts read that), then where the
 * default recipes and rules come from: an installed set that does not
 * load is an error here too.
 */
static int
cmd_version(int argc, char **argv)
{
	struct recipe_opts ro = { 0 };
	struct st_recipes rs;
	struct st_ruleset rules;
	char *home = NULL;
	int rc = EXIT_CLEAN;

	(void)argc;
	(void)argv;
	puts(PACKAGE_STRING);
	printf("data dir: %s\n", st_datadir());
	if (load_recipe_set(&rs, &ro) == 0)
		printf("recipes: %s (%zu)\n", rs.from != NULL ? rs.from :
		    "built in", rs.ndefault);
	else
		rc = EXIT_USAGE;
	st_recipes_free(&rs);
	if (load_rules(&rules, NULL, &home) == 0) {
		printf("rules: %s (%zu files)\n", rules.from != NULL ?
		    rules.from : "built in", rules.nfiles);
		st_ruleset_free(&rules);
	} else
		rc = EXIT_USAGE;
	free(home);
	return rc;
}

static int
cmd_help(int argc, char **argv)
{
	size_t i;

	(void)argc;
	(void)argv;
	puts("usage: steptrail COMMAND [options]\n\ncommands:");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].summary);
	puts("\n\"steptrail COMMAND --help\" tells more.");
	return EXIT_CLEAN;
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		cmd_help(argc, argv);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(argc, argv);
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc, argv);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	warnx("unknown command \"%s\" (steptrail help lists them)", argv[1]);
	return EXIT_USAGE;
}
