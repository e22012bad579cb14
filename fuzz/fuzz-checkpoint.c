/*
 * fuzz-checkpoint.c: libFuzzer harness for the checkpoint loader.
 *
 * A checkpoint ends with a record holding a hash of every byte before it,
 * so a mutated one would almost always stop there.  The input is read
 * twice: as it is (the hash check), and as the body of a checkpoint, with
 * a trailer that counts and hashes it appended, so that mutations reach
 * every record's parser.  Then:
 *   - one that does not load must say why, naming the file and its line;
 *   - one that loads is applied to a fresh pipeline (the process table
 *     adopts its processes, the steps its steps, the reader its marks),
 *     written again as a checkpoint, and that must load too: what the
 *     loader accepts, the writer can carry;
 * and everything is freed, so LeakSanitizer sees per-input leaks (the
 * processes, linked by counted parent references, above all).
 *
 * Built without libFuzzer by `make check` (with replay.c) to replay
 * fuzz/seeds-checkpoint/ (real checkpoints of recorded cases, without
 * their trailer); the libFuzzer build is `make fuzz` (docs/fuzzing.md).
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steptrail.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

const char *const fuzz_replay_dirs[] = { "fuzz/seeds-checkpoint", NULL };

#define FILE_NAME	"fuzz.ck"

static void
fail(const char *what, const char *cause)
{
	fprintf(stderr, "fuzz-checkpoint: %s%s%s\n", what, cause ? ": " : "",
	    cause ? cause : "");
	abort();
}

static struct st_recipes *
recipes(void)
{
	static struct st_recipes rs;
	static bool loaded;
	char *cause = NULL;

	if (!loaded) {
		st_recipes_init(&rs);
		if (st_recipes_load_builtin(&rs, &cause) != 0)
			fail("built-in recipes", cause);
		loaded = true;
	}
	return &rs;
}

/* Applied, written again, read again. */
static void
round_trip(struct st_checkpoint *ck)
{
	struct st_proctree *t = st_proctree_new();
	struct st_reader *r = st_reader_new(NULL, NULL);
	struct st_steps ss;
	struct st_findings fs;
	struct st_source src;
	struct st_checkpoint again;
	char *text, *cause = NULL;
	size_t len;

	st_steps_init(&ss);
	st_findings_init(&fs);
	st_source_init(&src);
	st_checkpoint_apply(ck, t, r, &ss, &fs, &src);
	text = st_checkpoint_build(t, r, &ss, &fs, &src, &len);
	if (st_checkpoint_parse(&again, FILE_NAME, text, len, recipes(),
	    &cause) != 0)
		fail("a checkpoint written from a loaded one does not load",
		    cause);
	st_checkpoint_free(&again);
	free(text);
	st_source_free(&src);
	st_findings_free(&fs);
	st_steps_free(&ss);
	st_reader_free(r);
	st_proctree_free(t);
}

static void
load(const char *text, size_t len)
{
	struct st_checkpoint ck;
	char *cause = NULL;

	if (st_checkpoint_parse(&ck, FILE_NAME, text, len, recipes(),
	    &cause) != 0) {
		if (cause == NULL || strncmp(cause, FILE_NAME ":",
		    strlen(FILE_NAME) + 1) != 0)
			fail("refused without saying where", cause);
		free(cause);
		return;
	}
	if (cause != NULL)
		fail("loaded with a message", cause);
	round_trip(&ck);
	st_checkpoint_free(&ck);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st_buf b = { 0 };
	unsigned long lines = 0;
	size_t i;

	load((const char *)data, size);
	st_buf_add(&b, data, size);
	if (size > 0 && data[size - 1] != '\n')
		st_buf_addc(&b, '\n');
	for (i = 0; i < b.len; i++)
		lines += b.d[i] == '\n';
	st_buf_addf(&b, "{\"end\":{\"records\":%lu,\"hash\":\"%016" PRIx64
	    "\"}}\n", lines, st_hash64(b.d, b.len));
	load(b.d, b.len);
	st_buf_free(&b);
	return 0;
}
