/*
 * replay.c: runs a fuzz harness over files without libFuzzer, so that
 * its reproducers (fuzz/crashes/, fuzz/crashes-recipes/) and seeds replay
 * in `make check`; with --enable-sanitizers, under ASan and UBSan.  Linked
 * with fuzz-reader.c it is replay-reader, with fuzz-recipes.c
 * replay-recipes.
 *
 *   replay-HARNESS [FILE|DIR...]  (a directory: every regular file in it
 *                                  but README; no argument: the harness's
 *                                  fuzz_replay_dirs under $TOP_SRCDIR)
 *
 * TAP: one test point per file; a crash aborts the run, which is the
 * failure.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Each harness names the directories it replays by default, reproducers
 * first: a harness's inputs are no use to another. */
extern const char *const fuzz_replay_dirs[];

static unsigned n;

static void
run_file(const char *path)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, got;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		printf("not ok %u - %s: cannot open\n", ++n, path);
		return;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		if ((got = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += got;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	printf("ok %u - %s\n", ++n, path);
	fflush(stdout);
	free(buf);
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
run_path(const char *path)
{
	struct dirent *d;
	struct stat sb, fsb;
	char **names = NULL, *full;
	size_t count = 0, i;
	DIR *dir;

	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		run_file(path);
		return;
	}
	if ((dir = opendir(path)) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.' || strcmp(d->d_name, "README") == 0)
			continue;
		names = realloc(names, (count + 1) * sizeof *names);
		if (names == NULL || (names[count] = strdup(d->d_name)) == NULL)
			abort();
		count++;
	}
	closedir(dir);
	qsort(names, count, sizeof *names, cmp);
	for (i = 0; i < count; i++) {
		if (asprintf(&full, "%s/%s", path, names[i]) < 0)
			abort();
		/* tests/data/recipes/ is not a log: no test point for it */
		if (stat(full, &fsb) == 0 && S_ISREG(fsb.st_mode))
			run_file(full);
		free(full);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	const char *top = getenv("TOP_SRCDIR");
	char *dir;
	int i;

	if (argc > 1)
		for (i = 1; i < argc; i++)
			run_path(argv[i]);
	else {
		if (top == NULL)
			top = ".";
		for (i = 0; fuzz_replay_dirs[i] != NULL; i++) {
			if (asprintf(&dir, "%s/%s", top,
			    fuzz_replay_dirs[i]) < 0)
				abort();
			run_path(dir);
			free(dir);
		}
	}
	printf("1..%u\n", n);
	return 0;
}
