/*
 * fuzz-recipes.c: libFuzzer harness for the recipe loader.
 *
 * The input is the text of one recipe file, given to st_recipes_load_text()
 * as load_file() gives a file of `-r PATH` or `recipes lint`: a copy with
 * a NUL after it (a recipe file may hold NUL bytes of its own).  Then:
 *   - a file that does not load must say why, naming the file; one that
 *     loads must not leave a message, and every recipe in the set must be
 *     one the matcher can run (a name, a severity, one "on" event, at
 *     least one alternative);
 *   - the same text loaded again into the same set (as a user's file
 *     replacing recipes of the same name does) must give the same result
 *     and the same number of recipes, and free what it replaces;
 *   - a set that loads runs over the short real log of recipes-log.h
 *     through st_analyze() and every report, as fuzz-reader.c runs logs,
 *     so the compiled patterns, scopes, grades and exceptions run on real
 *     processes and the recipes' own text reaches the escaping;
 *   - and its examples run as `recipes lint` runs them (st_recipes_test),
 *     which turns the examples' JSON into synthetic events.
 * Everything is freed, so LeakSanitizer sees per-input leaks.
 *
 * Built without libFuzzer by `make check` (with replay.c) to replay
 * fuzz/crashes-recipes/, fuzz/seeds-recipes/ and tests/data/recipes/; the
 * libFuzzer build is `make fuzz` (docs/fuzzing.md).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "steptrail.h"

#include "recipes-log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

/* What replay.c runs without arguments, under $TOP_SRCDIR. */
const char *const fuzz_replay_dirs[] = { "fuzz/crashes-recipes",
    "fuzz/seeds-recipes", "tests/data/recipes", NULL };

/* The name the input is loaded under: every message must start with it. */
#define FILE_NAME	"fuzz.json"

static FILE *devnull;

static void
fail(const char *what, const char *cause)
{
	fprintf(stderr, "fuzz-recipes: %s%s%s\n", what, cause ? ": " : "",
	    cause ? cause : "");
	abort();
}

/* A loaded recipe the matcher could not run is a loader that lied. */
static void
check_set(const struct st_recipes *rs)
{
	const struct st_recipe *r;
	size_t i, j;

	for (i = 0; i < rs->n; i++) {
		r = &rs->v[i];
		if (r->name == NULL || r->name[0] == '\0' ||
		    r->description == NULL || r->technique == NULL ||
		    r->file == NULL || strcmp(r->file, FILE_NAME) != 0)
			fail("a recipe without name, description, technique "
			    "or file", r->name);
		if (r->severity <= ST_SEV_NONE || r->severity > ST_SEV_CRITICAL)
			fail("severity out of range", r->name);
		if (r->on == 0 || (r->on & (r->on - 1)) != 0 ||
		    r->on > ST_ON_DAEMON)
			fail("not one \"on\" event", r->name);
		if (r->nmatch == 0 || r->match == NULL)
			fail("no alternative", r->name);
		for (j = 0; j < r->nmatch; j++)
			if (r->match[j].nconds == 0)
				fail("an alternative without conditions",
				    r->name);
		for (j = 0; j < r->ngrade; j++)
			if (r->grade[j].severity == ST_SEV_NONE ||
			    r->grade[j].reason == NULL)
				fail("a grade without severity or reason",
				    r->name);
		for (j = 0; j < i; j++)
			if (strcmp(rs->v[j].name, r->name) == 0)
				fail("two recipes of one name", r->name);
	}
}

static int
load(struct st_recipes *rs, const char *text, size_t len, char **cause)
{
	int rc;

	*cause = NULL;
	rc = st_recipes_load_text(rs, FILE_NAME, text, len, cause);
	if (rc != 0 && (*cause == NULL ||
	    strncmp(*cause, FILE_NAME, strlen(FILE_NAME)) != 0))
		fail("did not load, and the message does not say where",
		    *cause);
	if (rc == 0 && *cause != NULL)
		fail("loaded, with a message", *cause);
	return rc;
}

/* The set over the embedded log, as `steptrail analyze -r FILE` runs it. */
static void
analyze(struct st_recipes *rs)
{
	struct st_analysis a;
	char *cause = NULL;
	int fd;

	if ((fd = memfd_create("fuzz-recipes-log", MFD_CLOEXEC)) < 0 ||
	    write(fd, recipes_log, sizeof recipes_log - 1) !=
	    (ssize_t)(sizeof recipes_log - 1) || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	st_analysis_init(&a);
	st_source_add_fd(&a.source, "fuzz-recipes-log", fd);
	a.source.v[0].plain = true;
	if (st_analyze(&a, rs, &cause) != 0)
		fail("the embedded log could not be read", cause);
	(void)st_report_text(devnull, &a, &cause);
	(void)st_report_json(devnull, &a, &cause);
	(void)st_report_sarif(devnull, &a, &cause);
	(void)st_report_jsonl(devnull, &a, &cause);
	(void)st_report_github(devnull, &a, &cause);
	free(cause);
	st_analysis_free(&a);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (devnull != NULL)
		return 0;
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	/* the github report appends its job summary there when set */
	unsetenv("GITHUB_STEP_SUMMARY");
	/* every subject a pattern's required literals rule out is matched
	 * all the same: a wrong literal is a crash (exit 70) */
	setenv("STEPTRAIL_CHECK_LITERALS", "1", 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st_example_result res;
	struct st_recipes rs;
	char *text, *cause = NULL, *cause2 = NULL;
	size_t n;
	int rc;

	if (devnull == NULL)
		LLVMFuzzerInitialize(NULL, NULL);
	/* exactly size bytes and a NUL, as st_buf_cstr() gives load_file */
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	st_recipes_init(&rs);
	rc = load(&rs, text, size, &cause);
	check_set(&rs);
	n = rs.n;
	if (load(&rs, text, size, &cause2) != rc || rs.n != n ||
	    (rc != 0 && strcmp(cause, cause2) != 0))
		fail("loading the same text twice differs", cause2);
	check_set(&rs);
	if (rc == 0) {
		analyze(&rs);
		memset(&res, 0, sizeof res);
		(void)st_recipes_test(&rs, devnull, true, &res);
		if (res.failed > res.run)
			fail("more examples failed than ran", NULL);
	}
	free(cause);
	free(cause2);
	st_recipes_free(&rs);
	free(text);
	return 0;
}
