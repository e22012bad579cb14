/*
 * datadir.c: where the default recipes and audit rules come from.
 *
 * `make install` puts recipes/ and rules.d/ under the data directory
 * ($(pkgdatadir), compiled in as STEPTRAIL_DATADIR; the environment
 * variable of the same name overrides it).  An administrator tunes a
 * runner by editing those files, so when a directory is there it is the
 * default set (its recipes read as `-r DIR` reads them); only when it is
 * absent are the copies compiled into the binary used, so that a binary
 * copied anywhere still works.  A directory that is there but does not
 * load is an error naming the file, never a quiet fall back to the
 * built-in set: that would hide an edit that did not take.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "steptrail.h"

#ifndef STEPTRAIL_DATADIR
#define STEPTRAIL_DATADIR	"/usr/local/share/steptrail"
#endif

/* Ours are under 3 kB; a file past this is not a rule file. */
#define RULE_FILE_MAX	(1024 * 1024)

const char *
st_datadir(void)
{
	const char *d = getenv("STEPTRAIL_DATADIR");

	/* empty is unset, as for most path variables */
	return d != NULL && *d != '\0' ? d : STEPTRAIL_DATADIR;
}

/*
 * DATADIR/sub: 1 with *path set if it is there, 0 if it is not (the
 * built-in copy is used), -1 if it is there but not a directory we can
 * use.
 */
static int
lookup(const char *sub, char **path, char **cause)
{
	struct stat sb;
	char *p;

	p = xasprintf("%s/%s", st_datadir(), sub);
	if (stat(p, &sb) != 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			free(p);
			return 0;
		}
		*cause = xasprintf("%s: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		*cause = xasprintf("%s: not a directory", p);
		free(p);
		return -1;
	}
	*path = p;
	return 1;
}

int
st_datadir_recipes(struct st_recipes *rs, char **cause)
{
	char *dir = NULL;
	size_t n0 = rs->n;
	int rc;

	if ((rc = lookup("recipes", &dir, cause)) < 0)
		return -1;
	if (rc == 0)
		rc = st_recipes_load_builtin(rs, cause);
	else
		rc = st_recipes_load_path(rs, dir, cause);
	free(rs->from);
	rs->from = dir;
	rs->ndefault = rs->n - n0;
	return rc;
}

/* The whole file as a string; a NUL in it would end the text early. */
static char *
read_text(const char *path, char **cause)
{
	struct st_buf b = { 0 };
	char chunk[8192], *err = NULL;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 &&
	    b.len <= RULE_FILE_MAX)
		st_buf_add(&b, chunk, n);
	if (ferror(f))
		err = xasprintf("%s: %s", path, strerror(errno));
	else if (b.len > RULE_FILE_MAX)
		err = xasprintf("%s: larger than %d bytes: not a rule file",
		    path, RULE_FILE_MAX);
	else if (memchr(st_buf_cstr(&b), '\0', b.len) != NULL)
		err = xasprintf("%s: a NUL byte: not a rule file", path);
	fclose(f);
	if (err != NULL) {
		*cause = err;
		st_buf_free(&b);
		return NULL;
	}
	return st_buf_steal(&b);	/* an empty file is "" */
}

static int
rules_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	/* as augenrules: *.rules, no hidden files (editor backups) */
	return d->d_name[0] != '.' && n > 6 &&
	    strcmp(d->d_name + n - 6, ".rules") == 0;
}

/* Every *.rules file of dir in name order: NN- orders them (as augenrules). */
static int
load_rules_dir(struct st_ruleset *rs, const char *dir, const char *ci_home,
    char **cause)
{
	struct dirent **list = NULL;
	char *path = NULL, *text = NULL;
	int n, i, rc = 0;

	if ((n = scandir(dir, &list, rules_file, alphasort)) < 0) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		return -1;
	}
	if (n == 0) {
		*cause = xasprintf("%s: no *.rules rule files", dir);
		rc = -1;
	}
	rs->files = xcalloc((size_t)n + 1, sizeof *rs->files);
	for (i = 0; i < n; i++) {
		if (rc == 0) {
			path = xasprintf("%s/%s", dir, list[i]->d_name);
			if ((text = read_text(path, cause)) == NULL)
				rc = -1;
			else {
				rs->files[rs->nfiles].file = path;
				rs->files[rs->nfiles++].text = text;
				rc = st_rules_parse(rs, path, text, ci_home,
				    cause);
				path = text = NULL;	/* transferred */
			}
			free(path);
		}
		free(list[i]);
	}
	free(list);
	return rc;
}

int
st_datadir_rules(struct st_ruleset *rs, const char *ci_home, char **cause)
{
	char *dir = NULL;
	int rc;

	if ((rc = lookup("rules.d", &dir, cause)) < 0)
		return -1;
	if (rc == 0)
		return st_rules_load_builtin(rs, ci_home, cause);
	free(rs->from);
	rs->from = dir;
	return load_rules_dir(rs, dir, ci_home, cause);
}
