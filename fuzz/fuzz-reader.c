/*
 * fuzz-reader.c: libFuzzer harness for the whole analysis pipeline.
 *
 * The input is an audit log.  It goes through exactly what `steptrail
 * analyze` runs: written into a memfd and read by source.c (line
 * splitting, the 64 KiB line limit; decompression is off: it would fork),
 * then reader, window, proctree, steps, match and finding by st_analyze(),
 * then both reports to /dev/null, so escaping and report building are
 * fuzzed too.  Everything is freed, so LeakSanitizer sees per-input leaks.
 * Beyond the sanitizers, reader counters that contradict each other abort.
 *
 * Built without libFuzzer by `make check` (with replay.c) to replay the
 * reproducers in fuzz/crashes/ and the real snippets in tests/data/; the
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

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

/* What replay.c runs without arguments, under $TOP_SRCDIR. */
const char *const fuzz_replay_dirs[] = { "fuzz/crashes", "tests/data",
    NULL };

static struct st_recipes recipes;
static bool recipes_loaded;
static FILE *devnull;

static void
check_stats(const struct st_reader_stats *st)
{
	if (st->serial_missing > 1UL << 40 || st->serial_gaps > st->events ||
	    st->incomplete > st->events || st->valid > st->lines ||
	    st->malformed > st->lines || st->execs > st->events) {
		fprintf(stderr, "fuzz-reader: reader stats contradict: missing "
		    "%lu gaps %lu events %lu incomplete %lu\n",
		    st->serial_missing, st->serial_gaps, st->events,
		    st->incomplete);
		abort();
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *cause = NULL;

	(void)argc;
	(void)argv;
	if (recipes_loaded)
		return 0;
	st_recipes_init(&recipes);
	if (st_recipes_load_builtin(&recipes, &cause) != 0) {
		fprintf(stderr, "fuzz-reader: built-in recipes: %s\n", cause);
		abort();
	}
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	recipes_loaded = true;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st_analysis a;
	char *cause = NULL;
	int fd;

	if (!recipes_loaded)
		LLVMFuzzerInitialize(NULL, NULL);
	if ((fd = memfd_create("fuzz-input", MFD_CLOEXEC)) < 0 ||
	    write(fd, data, size) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	st_analysis_init(&a);
	st_source_add_fd(&a.source, "fuzz-input", fd);
	a.source.v[0].plain = true;
	(void)st_analyze(&a, &recipes, &cause);
	free(cause);
	cause = NULL;
	check_stats(&a.reader);
	(void)st_report_text(devnull, &a, &cause);
	(void)st_report_json(devnull, &a, &cause);
	free(cause);
	st_analysis_free(&a);
	return 0;
}
