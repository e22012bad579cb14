/*
 * main.c: argument parsing and wiring, nothing else.  Subcommands are a
 * table; each parses its own options and returns one of the exit codes
 * below.  CLI and environment errors are reported here and only here.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "steptrail.h"

enum exit_code {
	EXIT_CLEAN = 0,		/* nothing at or above --fail-on */
	EXIT_FINDINGS = 1,	/* findings at or above --fail-on */
	EXIT_USAGE = 2,		/* bad arguments or recipes */
	EXIT_INPUT = 3,		/* an input could not be read */
	EXIT_OUTPUT = 4,	/* the report could not be written */
};

struct command {
	const char	*name;
	int		(*run)(int, char **);
	const char	*summary;
};

static int	cmd_analyze(int, char **);
static int	cmd_recipes(int, char **);
static int	cmd_version(int, char **);
static int	cmd_help(int, char **);

static const struct command commands[] = {
	{ "analyze", cmd_analyze, "read audit logs, rebuild process trees, "
	    "report findings" },
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

static void
usage_analyze(FILE *f)
{
	size_t n, i;
	const struct st_format *fmt = st_formats(&n);

	fputs("usage: steptrail analyze [options] [FILE...]\n"
	    "\n"
	    "Reads audit logs (raw or ENRICHED, node= prefixes, gzip/xz/zstd/"
	    "bzip2),\nrebuilds the process trees and reports what the recipes "
	    "find.\nWith no FILE: the system trail (auditd.conf's log_file and "
	    "its rotations,\noldest first).  \"-\" reads standard input.\n"
	    "\n"
	    "  -f, --format FMT     output format:\n", f);
	for (i = 0; i < n; i++)
		fprintf(f, "                         %-5s %s\n", fmt[i].name,
		    fmt[i].description);
	fputs("  -o, --output FILE    write the report to FILE\n"
	    "      --fail-on SEV    exit 1 on a finding at or above SEV: low, "
	    "medium,\n"
	    "                       high (default), critical, or none\n"
	    "  -r, --recipes PATH   also load recipes from PATH (file or "
	    "directory);\n"
	    "                       a recipe of the same name replaces a "
	    "built-in one\n"
	    "      --no-builtin     do not load the built-in recipes\n"
	    "      --log FILE       the system trail's current log file\n"
	    "\n"
	    "Exit: 0 clean, 1 findings at or above --fail-on, 2 usage or "
	    "recipe error,\n"
	    "      3 an input could not be read, 4 the report could not be "
	    "written.\n", f);
}

struct recipe_opts {
	const char	**paths;
	size_t		  npaths;
	bool		  no_builtin;
};

static int
load_recipes(struct st_recipes *rs, const struct recipe_opts *ro)
{
	char *cause = NULL;
	size_t i;

	st_recipes_init(rs);
	if (!ro->no_builtin && st_recipes_load_builtin(rs, &cause) != 0)
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

enum {
	OPT_FAIL_ON = 256,
	OPT_NO_BUILTIN,
	OPT_LOG,
};

static int
cmd_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "recipes", required_argument, NULL, 'r' },
		{ "no-builtin", no_argument, NULL, OPT_NO_BUILTIN },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct st_format *fmt = st_format_find("text");
	struct recipe_opts ro = { 0 };
	struct st_analysis a;
	struct st_recipes rs;
	const char *output = NULL, *log = NULL;
	char *cause = NULL;
	FILE *out = stdout;
	int c, fail_on = ST_SEV_HIGH, rc = EXIT_USAGE, i;

	st_analysis_init(&a);
	memset(&rs, 0, sizeof rs);
	while ((c = getopt_long(argc, argv, "f:o:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((fmt = st_format_find(optarg)) == NULL) {
				warnx("unknown format \"%s\" (see steptrail "
				    "analyze --help)", optarg);
				goto out;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_FAIL_ON:
			if ((fail_on = st_severity_parse(optarg)) < 0) {
				warnx("--fail-on: \"%s\" is not low, medium, "
				    "high, critical or none", optarg);
				goto out;
			}
			break;
		case 'r':
			add_recipe_path(&ro, optarg);
			break;
		case OPT_NO_BUILTIN:
			ro.no_builtin = true;
			break;
		case OPT_LOG:
			log = optarg;
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
	if (load_recipes(&rs, &ro) != 0)
		goto out;

	rc = EXIT_INPUT;
	if (optind == argc) {
		if (st_source_add_system(&a.source, log, &cause) != 0)
			goto fail;
	}
	for (i = optind; i < argc; i++)
		if (st_source_add(&a.source, argv[i], &cause) != 0)
			goto fail;

	if (output != NULL && (out = fopen(output, "w")) == NULL) {
		warnx("%s: %s", output, strerror(errno));
		rc = EXIT_OUTPUT;
		goto out;
	}
	if (st_analyze(&a, &rs, &cause) != 0) {
		warnx("%s", cause);	/* reported; the analysis goes on */
		free(cause);
		cause = NULL;
	}
	if (fmt->write(out, &a, &cause) != 0 || fflush(out) != 0 ||
	    ferror(out)) {
		warnx("cannot write the report: %s", cause != NULL ? cause :
		    strerror(errno));
		rc = EXIT_OUTPUT;
		goto out;
	}
	if (a.input_failed)
		rc = EXIT_INPUT;
	else if (fail_on != ST_SEV_NONE &&
	    st_findings_max(&a.findings) >= (enum st_severity)fail_on)
		rc = EXIT_FINDINGS;
	else
		rc = EXIT_CLEAN;
	goto out;
fail:
	warnx("%s", cause);
out:
	free(cause);
	if (out != stdout && out != NULL && fclose(out) != 0 &&
	    rc != EXIT_OUTPUT) {
		warnx("%s: %s", output, strerror(errno));
		rc = EXIT_OUTPUT;
	}
	free(ro.paths);
	st_analysis_free(&a);
	st_recipes_free(&rs);
	return rc;
}

static int
cmd_recipes(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "recipes", required_argument, NULL, 'r' },
		{ "no-builtin", no_argument, NULL, OPT_NO_BUILTIN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct recipe_opts ro = { 0 };
	struct st_recipes rs;
	const struct st_recipe *r;
	size_t i;
	int c, rc = EXIT_USAGE;

	memset(&rs, 0, sizeof rs);
	while ((c = getopt_long(argc, argv, "r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			add_recipe_path(&ro, optarg);
			break;
		case OPT_NO_BUILTIN:
			ro.no_builtin = true;
			break;
		case 'h':
			puts("usage: steptrail recipes [-r PATH]... "
			    "[--no-builtin]\n\nLists the recipes that analyze "
			    "would load; exits 2 if one does not load.");
			rc = EXIT_CLEAN;
			goto out;
		default:
			goto out;
		}
	}
	if (optind != argc) {
		warnx("recipes: unexpected argument \"%s\"", argv[optind]);
		goto out;
	}
	if (load_recipes(&rs, &ro) != 0)
		goto out;
	for (i = 0; i < rs.n; i++) {
		r = &rs.v[i];
		printf("%-26s %-8s %-10s %s\n", r->name,
		    st_severity_name(r->severity), r->technique, r->file);
	}
	rc = EXIT_CLEAN;
out:
	free(ro.paths);
	st_recipes_free(&rs);
	return rc;
}

static int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	puts(PACKAGE_STRING);
	return EXIT_CLEAN;
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
