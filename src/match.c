/*
 * match.c: detection recipes, loaded from JSON, compiled once, evaluated
 * on every exec.
 *
 * A recipe is a list of alternatives (`match`) and of exceptions
 * (`unless`); each is a set of conditions, all of which must hold; each
 * condition is a PCRE2 pattern over a named field of the process, of its
 * parent, or of any ancestor.  Fields are a table, not a switch: adding one
 * is a row and a getter.  docs/recipes.md is the format's reference.
 *
 * Patterns are compiled without UTF mode: audit data is bytes, and an exe
 * or argument that is not valid UTF-8 must still be matched, not rejected.
 * They are JIT-compiled when the platform allows, and every match runs
 * under a match limit because subjects are attacker-controlled.  A pattern
 * that hits the limit counts as *matching* in `match` and as *not* matching
 * in `unless`: an attacker who pads an argument to exhaust the matcher gets
 * a finding, not a pass.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <pcre2.h>

#include "steptrail.h"

/*
 * Backtracking budget per match.  The built-in recipes need a few hundred
 * steps on ordinary command lines; those built of lookaheads over .* are
 * anchored (\A), so they are tried at one start, not at every byte of a
 * 2 MiB argument.  Ten million stops a pathological user pattern after
 * well under a second, and the match fails closed (counted, reported).
 */
#define MATCH_LIMIT	10000000
/* JIT stack: the default 32 kB overflows on long subjects with nested
 * groups; 1 MiB covers anything the match limit lets through. */
#define JIT_STACK_MAX	(1024 * 1024)
/* A recipe file is small; a larger one is not a recipe file. */
#define RECIPE_FILE_MAX	(1024 * 1024)

enum field {
	F_EXE,
	F_COMM,
	F_ARGV0,
	F_ARGS,
	F_ARG,
	F_CMDLINE,
	F_CWD,
	F_PATH,
	F_UID,
	F_EUID,
	F_AUID,
	F_KEY,
};

enum scope {
	S_SELF,
	S_PARENT,
	S_ANCESTOR,
};

static const struct {
	const char	*name;
	enum field	 field;
	const char	*help;
} fields[] = {
	{ "exe", F_EXE, "the binary the kernel ran (after #! and symlinks)" },
	{ "comm", F_COMM, "the 15-byte process name" },
	{ "argv0", F_ARGV0, "argv[0] as the caller gave it" },
	{ "args", F_ARGS, "argv[1..], joined by single spaces" },
	{ "arg", F_ARG, "any one of argv[1..]" },
	{ "cmdline", F_CMDLINE, "argv, joined by single spaces" },
	{ "cwd", F_CWD, "working directory" },
	{ "path", F_PATH, "the file given to execve, made absolute" },
	{ "uid", F_UID, "real uid, decimal" },
	{ "euid", F_EUID, "effective uid, decimal" },
	{ "auid", F_AUID, "login uid, decimal (4294967295: unset)" },
	{ "key", F_KEY, "the audit rule key" },
};

static const struct {
	const char	*prefix;
	enum scope	 scope;
} scopes[] = {
	{ "", S_SELF },
	{ "parent.", S_PARENT },
	{ "ancestor.", S_ANCESTOR },
};

struct st_cond {
	enum field	 field;
	enum scope	 scope;
	char		*name;		/* as written: "parent.exe" */
	char		*pattern;
	pcre2_code	*re;
};

static const char *const severities[] = {
	[ST_SEV_NONE] = "none",
	[ST_SEV_LOW] = "low",
	[ST_SEV_MEDIUM] = "medium",
	[ST_SEV_HIGH] = "high",
	[ST_SEV_CRITICAL] = "critical",
};

const char *
st_severity_name(enum st_severity s)
{
	if ((size_t)s >= sizeof severities / sizeof severities[0])
		return "?";
	return severities[s];
}

int
st_severity_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof severities / sizeof severities[0]; i++)
		if (strcmp(s, severities[i]) == 0)
			return (int)i;
	return -1;
}

void
st_recipes_init(struct st_recipes *rs)
{
	pcre2_jit_stack *stack;

	memset(rs, 0, sizeof *rs);
	rs->md = pcre2_match_data_create(1, NULL);
	rs->mctx = pcre2_match_context_create(NULL);
	if (rs->md == NULL || rs->mctx == NULL)
		st_fatal("out of memory (pcre2)");
	pcre2_set_match_limit(rs->mctx, MATCH_LIMIT);
	stack = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
	if (stack != NULL)
		pcre2_jit_stack_assign(rs->mctx, NULL, stack);
	rs->jit_stack = stack;
}

static void
alts_free(struct st_alt *alts, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < alts[i].nconds; j++) {
			free(alts[i].conds[j].name);
			free(alts[i].conds[j].pattern);
			pcre2_code_free(alts[i].conds[j].re);
		}
		free(alts[i].conds);
		alts_free(alts[i].unless, alts[i].nunless);
	}
	free(alts);
}

static void
recipe_free(struct st_recipe *r)
{
	free(r->name);
	free(r->description);
	free(r->technique);
	free(r->tactic);
	free(r->file);
	alts_free(r->match, r->nmatch);
	alts_free(r->unless, r->nunless);
	memset(r, 0, sizeof *r);
}

void
st_recipes_free(struct st_recipes *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		recipe_free(&rs->v[i]);
	free(rs->v);
	pcre2_match_data_free(rs->md);
	pcre2_match_context_free(rs->mctx);
	pcre2_jit_stack_free(rs->jit_stack);
	memset(rs, 0, sizeof *rs);
}

/* ------------------------------------------------------------- loading */

static int
parse_cond(struct st_cond *c, const char *key, const cJSON *val,
    const char *where, char **cause)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	const char *fname;
	size_t i, j, plen;
	int err;

	for (i = 0; i < sizeof scopes / sizeof scopes[0]; i++) {
		plen = strlen(scopes[i].prefix);
		if (strncmp(key, scopes[i].prefix, plen) != 0)
			continue;
		fname = key + plen;
		for (j = 0; j < sizeof fields / sizeof fields[0]; j++) {
			if (strcmp(fname, fields[j].name) != 0)
				continue;
			c->field = fields[j].field;
			c->scope = scopes[i].scope;
			goto found;
		}
	}
	*cause = xasprintf("%s: unknown field \"%s\" (fields: exe, comm, argv0, "
	    "args, arg, cmdline, cwd, path, uid, euid, auid, key; each also "
	    "as parent.X and ancestor.X)", where, key);
	return -1;
found:
	if (!cJSON_IsString(val) || val->valuestring[0] == '\0') {
		*cause = xasprintf("%s.%s: the pattern must be a non-empty "
		    "string", where, key);
		return -1;
	}
	c->name = xstrdup(key);
	c->pattern = xstrdup(val->valuestring);
	/* DOTALL: an argument may hold newlines (bash -c $'a\nb'), and a
	 * pattern must not stop seeing the command line at one. */
	c->re = pcre2_compile((PCRE2_SPTR)c->pattern, PCRE2_ZERO_TERMINATED,
	    PCRE2_DOTALL, &err, &off, NULL);
	if (c->re == NULL) {
		pcre2_get_error_message(err, msg, sizeof msg);
		*cause = xasprintf("%s.%s: bad regular expression at offset "
		    "%zu: %s", where, key, (size_t)off, (char *)msg);
		return -1;
	}
	/* Without JIT (some platforms) the interpreter does the same job. */
	(void)pcre2_jit_compile(c->re, PCRE2_JIT_COMPLETE);
	return 0;
}

static int	parse_alts(struct st_alt **, size_t *, const cJSON *,
		    const char *, bool, bool, char **);

static int
parse_alt(struct st_alt *alt, const cJSON *obj, const char *where,
    bool nested, char **cause)
{
	const cJSON *it;
	char *w;
	int sev, rc;

	if (!cJSON_IsObject(obj) || obj->child == NULL) {
		*cause = xasprintf("%s: must be an object of field: pattern",
		    where);
		return -1;
	}
	cJSON_ArrayForEach(it, obj) {
		if (strcmp(it->string, "severity") == 0) {
			if (!cJSON_IsString(it) ||
			    (sev = st_severity_parse(it->valuestring)) <= 0) {
				*cause = xasprintf("%s.severity: must be low, "
				    "medium, high or critical", where);
				return -1;
			}
			alt->severity = (enum st_severity)sev;
			continue;
		}
		if (strcmp(it->string, "unless") == 0 && nested) {
			w = xasprintf("%s.unless", where);
			rc = parse_alts(&alt->unless, &alt->nunless, it, w,
			    true, false, cause);
			free(w);
			if (rc != 0)
				return -1;
			continue;
		}
		alt->conds = xreallocarray(alt->conds, alt->nconds + 1,
		    sizeof *alt->conds);
		memset(&alt->conds[alt->nconds], 0, sizeof *alt->conds);
		alt->nconds++;
		if (parse_cond(&alt->conds[alt->nconds - 1], it->string, it,
		    where, cause) != 0)
			return -1;
	}
	if (alt->nconds == 0) {
		*cause = xasprintf("%s: has no conditions", where);
		return -1;
	}
	return 0;
}

/*
 * An object or an array of objects; `where` names it in messages
 * ("file: recipe \"x\": match").  Alternatives of `match` may carry their
 * own `unless` (nested); exceptions may not.
 */
static int
parse_alts(struct st_alt **out, size_t *nout, const cJSON *val,
    const char *where, bool required, bool nested, char **cause)
{
	const cJSON *it;
	char *w;
	size_t i = 0;
	int rc;

	if (val == NULL) {
		if (!required)
			return 0;
		*cause = xasprintf("%s: missing", where);
		return -1;
	}
	if (cJSON_IsObject(val)) {
		*out = xcalloc(1, sizeof **out);
		*nout = 1;
		return parse_alt(*out, val, where, nested, cause);
	}
	if (!cJSON_IsArray(val) || cJSON_GetArraySize(val) == 0) {
		*cause = xasprintf("%s: must be an object or a non-empty array "
		    "of objects", where);
		return -1;
	}
	*nout = (size_t)cJSON_GetArraySize(val);
	*out = xcalloc(*nout, sizeof **out);
	cJSON_ArrayForEach(it, val) {
		w = xasprintf("%s[%zu]", where, i);
		rc = parse_alt(&(*out)[i++], it, w, nested, cause);
		free(w);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static const char *
get_string(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool
valid_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 64 &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* MITRE ATT&CK technique: T1234 or T1234.001 */
static bool
valid_technique(const char *s)
{
	size_t n = strlen(s);

	return (n == 5 || n == 9) && s[0] == 'T' &&
	    strspn(s + 1, "0123456789") == 4 &&
	    (n == 5 || (s[5] == '.' && strspn(s + 6, "0123456789") == 3));
}

static int
parse_recipe(struct st_recipe *r, const cJSON *obj, const char *file,
    size_t index, char **cause)
{
	static const char *const keys[] = { "name", "description", "severity",
	    "technique", "tactic", "on", "match", "unless", "references",
	    "comment" };
	const cJSON *it;
	const char *name, *s;
	char *where = NULL;
	size_t i;
	int sev, rc = -1;

	if (!cJSON_IsObject(obj)) {
		*cause = xasprintf("%s: recipe #%zu: not a JSON object", file,
		    index + 1);
		return -1;
	}
	name = get_string(obj, "name");
	if (name == NULL || !valid_name(name)) {
		*cause = xasprintf("%s: recipe #%zu: \"name\" must be a string of "
		    "a-z, 0-9 and _", file, index + 1);
		return -1;
	}
	where = xasprintf("%s: recipe \"%s\"", file, name);
	cJSON_ArrayForEach(it, obj) {
		for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
			if (strcmp(it->string, keys[i]) == 0)
				break;
		if (i == sizeof keys / sizeof keys[0]) {
			*cause = xasprintf("%s: unknown key \"%s\"", where,
			    it->string);
			goto out;
		}
	}
	r->name = xstrdup(name);
	r->file = xstrdup(file);
	if ((s = get_string(obj, "description")) == NULL || *s == '\0') {
		*cause = xasprintf("%s: missing \"description\"", where);
		goto out;
	}
	r->description = xstrdup(s);
	if ((s = get_string(obj, "severity")) == NULL ||
	    (sev = st_severity_parse(s)) <= 0) {
		*cause = xasprintf("%s: \"severity\" must be low, medium, high "
		    "or critical", where);
		goto out;
	}
	r->severity = (enum st_severity)sev;
	if ((s = get_string(obj, "technique")) == NULL || !valid_technique(s)) {
		*cause = xasprintf("%s: \"technique\" must be a MITRE ATT&CK "
		    "technique id such as T1059 or T1059.004", where);
		goto out;
	}
	r->technique = xstrdup(s);
	if ((s = get_string(obj, "tactic")) != NULL)
		r->tactic = xstrdup(s);
	if ((s = get_string(obj, "on")) != NULL && strcmp(s, "exec") != 0) {
		*cause = xasprintf("%s: \"on\": \"%s\" is not supported (only "
		    "\"exec\")", where, s);
		goto out;
	}
	free(where);
	where = xasprintf("%s: recipe \"%s\": match", file, name);
	if (parse_alts(&r->match, &r->nmatch,
	    cJSON_GetObjectItemCaseSensitive(obj, "match"), where, true, true,
	    cause) != 0)
		goto out;
	free(where);
	where = xasprintf("%s: recipe \"%s\": unless", file, name);
	if (parse_alts(&r->unless, &r->nunless,
	    cJSON_GetObjectItemCaseSensitive(obj, "unless"), where, false,
	    false, cause) != 0)
		goto out;
	rc = 0;
out:
	free(where);
	return rc;
}

/* Line and column of byte offset off in text, for JSON syntax errors. */
static void
locate(const char *text, size_t off, size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else
			(*col)++;
	}
}

static void
add_recipe(struct st_recipes *rs, struct st_recipe *r)
{
	size_t i;

	/* A later recipe of the same name replaces the earlier one: that is
	 * how a user overrides a built-in. */
	for (i = 0; i < rs->n; i++) {
		if (strcmp(rs->v[i].name, r->name) == 0) {
			recipe_free(&rs->v[i]);
			rs->v[i] = *r;
			return;
		}
	}
	rs->v = xreallocarray(rs->v, rs->n + 1, sizeof *rs->v);
	rs->v[rs->n++] = *r;
}

int
st_recipes_load_text(struct st_recipes *rs, const char *file,
    const char *text, size_t len, char **cause)
{
	struct st_recipe r;
	const char *end = NULL;
	const cJSON *it;
	cJSON *root;
	size_t line, col, i = 0;
	int rc = -1;

	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (root == NULL) {
		end = cJSON_GetErrorPtr();
		if (end == NULL || end < text || end > text + len)
			end = text;
		locate(text, (size_t)(end - text), &line, &col);
		*cause = xasprintf("%s:%zu:%zu: not valid JSON", file, line,
		    col);
		return -1;
	}
	if (cJSON_IsArray(root)) {
		cJSON_ArrayForEach(it, root) {
			memset(&r, 0, sizeof r);
			if (parse_recipe(&r, it, file, i++, cause) != 0) {
				recipe_free(&r);
				goto out;
			}
			add_recipe(rs, &r);
		}
	} else {
		memset(&r, 0, sizeof r);
		if (parse_recipe(&r, root, file, 0, cause) != 0) {
			recipe_free(&r);
			goto out;
		}
		add_recipe(rs, &r);
	}
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

static int
load_file(struct st_recipes *rs, const char *path, char **cause)
{
	struct st_buf b = { 0 };
	char chunk[8192];
	size_t n;
	FILE *f;
	int rc;

	if ((f = fopen(path, "r")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		st_buf_add(&b, chunk, n);
		if (b.len > RECIPE_FILE_MAX) {
			fclose(f);
			st_buf_free(&b);
			*cause = xasprintf("%s: larger than %d bytes: not a "
			    "recipe file", path, RECIPE_FILE_MAX);
			return -1;
		}
	}
	if (ferror(f)) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		fclose(f);
		st_buf_free(&b);
		return -1;
	}
	fclose(f);
	rc = st_recipes_load_text(rs, path, st_buf_cstr(&b), b.len, cause);
	st_buf_free(&b);
	return rc;
}

static int
json_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 &&
	    strcmp(d->d_name + n - 5, ".json") == 0;
}

/* A file, or every *.json in a directory, in name order. */
int
st_recipes_load_path(struct st_recipes *rs, const char *path, char **cause)
{
	struct dirent **list = NULL;
	struct stat sb;
	char *full;
	int n, i, rc = 0;

	if (stat(path, &sb) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode))
		return load_file(rs, path, cause);
	if ((n = scandir(path, &list, json_file, alphasort)) < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (n == 0) {
		*cause = xasprintf("%s: no *.json recipe files", path);
		rc = -1;
	}
	for (i = 0; i < n; i++) {
		if (rc == 0) {
			full = xasprintf("%s/%s", path, list[i]->d_name);
			rc = load_file(rs, full, cause);
			free(full);
		}
		free(list[i]);
	}
	free(list);
	return rc;
}

int
st_recipes_load_builtin(struct st_recipes *rs, char **cause)
{
	const struct st_embedded *b;

	for (b = st_builtin_recipes; b->file != NULL; b++)
		if (st_recipes_load_text(rs, b->file, b->text, strlen(b->text),
		    cause) != 0)
			return -1;
	return 0;
}

/* ------------------------------------------------------------ matching */

/*
 * What conditions see of one process, built on first use during one
 * st_match_exec() call: the joined strings are not made unless a recipe
 * asks for them.
 */
struct view {
	const struct st_proc *p;
	char		**argv;
	size_t		  argc;
	char		**title_argv;	/* argv split from PROCTITLE, owned */
	bool		  have_args, have_cmdline;
	struct st_buf	  args;
	struct st_buf	  cmdline;
	char		  num[16];
};

struct eval {
	struct st_recipes *rs;
	struct view	 views[ST_ANCESTRY_MAX + 1];	/* 0: self */
	size_t		 nviews;
	bool		 complete;	/* every ancestor has a view */
};

static struct view *
view_at(struct eval *e, size_t depth)
{
	const struct st_proc *p;
	struct view *v;
	const char *s;

	while (e->nviews <= depth) {
		if (e->complete || e->nviews == 0)
			return NULL;
		p = e->views[e->nviews - 1].p->parent;
		if (p == NULL || e->nviews > ST_ANCESTRY_MAX) {
			e->complete = true;
			return NULL;
		}
		v = &e->views[e->nviews++];
		memset(v, 0, sizeof *v);
		v->p = p;
		if (p->image != NULL) {
			v->argv = p->image->argv;
			v->argc = p->image->argc;
		} else if (p->title != NULL) {
			for (s = p->title; s < p->title + p->title_len;
			    s += strlen(s) + 1) {
				v->title_argv = xreallocarray(v->title_argv,
				    v->argc + 1, sizeof *v->title_argv);
				v->title_argv[v->argc++] = (char *)(uintptr_t)s;
			}
			v->argv = v->title_argv;
		}
	}
	return &e->views[depth];
}

static void
join(struct st_buf *b, char **argv, size_t from, size_t argc)
{
	size_t i;

	st_buf_cstr(b);
	for (i = from; i < argc; i++) {
		if (i > from)
			st_buf_addc(b, ' ');
		st_buf_adds(b, argv[i]);
	}
}

static const char *
id_string(struct view *v, uint32_t id, bool known)
{
	if (!known)
		return NULL;
	snprintf(v->num, sizeof v->num, "%lu", (unsigned long)id);
	return v->num;
}

static const char *
field_value(struct view *v, enum field f)
{
	const struct st_image *img = v->p->image;

	switch (f) {
	case F_EXE:
		return st_proc_exe(v->p);
	case F_COMM:
		return img != NULL && img->comm != NULL ? img->comm : v->p->comm;
	case F_ARGV0:
		return v->argc > 0 ? v->argv[0] : NULL;
	case F_ARGS:
		if (!v->have_args) {
			join(&v->args, v->argv, 1, v->argc);
			v->have_args = true;
		}
		return v->args.d;
	case F_CMDLINE:
		if (!v->have_cmdline) {
			join(&v->cmdline, v->argv, 0, v->argc);
			v->have_cmdline = true;
		}
		return v->cmdline.d;
	case F_CWD:
		return img != NULL ? img->cwd : NULL;
	case F_PATH:
		return img != NULL ? img->path : NULL;
	case F_UID:
		return id_string(v, img ? img->uid : 0, img != NULL);
	case F_EUID:
		return id_string(v, img ? img->euid : 0, img != NULL);
	case F_AUID:
		return id_string(v, img ? img->auid : 0, img != NULL);
	case F_KEY:
		return img != NULL ? img->key : NULL;
	case F_ARG:
		break;
	}
	return NULL;
}

/* 1 match, 0 no match, -1 the matcher gave up (limit, JIT stack) */
static int
re_match(struct st_recipes *rs, pcre2_code *re, const char *s)
{
	int rc;

	rc = pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, rs->md, rs->mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	rs->match_errors++;
	return -1;
}

static int
cond_on_view(struct eval *e, const struct st_cond *c, struct view *v)
{
	const char *s;
	size_t i;
	int rc, worst = 0;

	if (c->field == F_ARG) {
		for (i = 1; i < v->argc; i++) {
			if ((rc = re_match(e->rs, c->re, v->argv[i])) == 1)
				return 1;
			if (rc < 0)
				worst = -1;
		}
		return worst;
	}
	if ((s = field_value(v, c->field)) == NULL)
		return 0;
	return re_match(e->rs, c->re, s);
}

static int
cond_eval(struct eval *e, const struct st_cond *c)
{
	struct view *v;
	size_t d;
	int rc, worst = 0;

	switch (c->scope) {
	case S_SELF:
		return cond_on_view(e, c, view_at(e, 0));
	case S_PARENT:
		return (v = view_at(e, 1)) != NULL ? cond_on_view(e, c, v) : 0;
	case S_ANCESTOR:
		for (d = 1; (v = view_at(e, d)) != NULL; d++) {
			if ((rc = cond_on_view(e, c, v)) == 1)
				return 1;
			if (rc < 0)
				worst = -1;
		}
		return worst;
	}
	return 0;
}

/*
 * All conditions hold (a gave-up condition counts as fail_as), and none of
 * the alternative's own exceptions does.
 */
static bool
alt_holds(struct eval *e, const struct st_alt *a, bool fail_as)
{
	size_t i;
	int rc;

	for (i = 0; i < a->nconds; i++) {
		rc = cond_eval(e, &a->conds[i]);
		if (rc == 0 || (rc < 0 && !fail_as))
			return false;
	}
	for (i = 0; i < a->nunless; i++)
		if (alt_holds(e, &a->unless[i], false))
			return false;
	return true;
}

void
st_match_exec(struct st_recipes *rs, struct st_proc *p, st_hit_fn hit,
    void *arg)
{
	const struct st_alt *best;
	struct st_recipe *r;
	struct eval e;
	size_t i, j;
	enum st_severity sev, bestsev;

	memset(&e, 0, sizeof e);
	e.rs = rs;
	e.nviews = 1;
	e.views[0].p = p;
	if (p->image != NULL) {
		e.views[0].argv = p->image->argv;
		e.views[0].argc = p->image->argc;
	}
	for (i = 0; i < rs->n; i++) {
		r = &rs->v[i];
		best = NULL;
		bestsev = ST_SEV_NONE;
		for (j = 0; j < r->nmatch; j++) {
			sev = r->match[j].severity ? r->match[j].severity :
			    r->severity;
			if (sev > bestsev && alt_holds(&e, &r->match[j], true)) {
				best = &r->match[j];
				bestsev = sev;
			}
		}
		if (best == NULL)
			continue;
		for (j = 0; j < r->nunless; j++)
			if (alt_holds(&e, &r->unless[j], false))
				break;
		if (j == r->nunless)
			hit(r, best, arg);
	}
	for (i = 0; i < e.nviews; i++) {
		st_buf_free(&e.views[i].args);
		st_buf_free(&e.views[i].cmdline);
		free(e.views[i].title_argv);
	}
}

/* "exe, args" for one alternative: what a person checks first. */
const char *
st_match_fields(const struct st_alt *a, struct st_buf *b)
{
	size_t i;

	st_buf_reset(b);
	for (i = 0; i < a->nconds; i++) {
		if (i > 0)
			st_buf_adds(b, ", ");
		st_buf_adds(b, a->conds[i].name);
	}
	return st_buf_cstr(b);
}
