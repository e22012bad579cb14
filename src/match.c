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
#include <sys/socket.h>
#include <sys/stat.h>

#include <libaudit.h>

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
/* The interpreter's (no JIT) backtracking depth and its heap, in KiB:
 * nested groups over a 2 MiB argument must give up, not take 1 GiB. */
#define DEPTH_LIMIT	100000
#define HEAP_LIMIT_KIB	(64 * 1024)
/* JIT stack: the default 32 kB overflows on long subjects with nested
 * groups; 1 MiB covers anything the match limit lets through. */
#define JIT_STACK_MAX	(1024 * 1024)
/* A recipe file is small; a larger one is not a recipe file. */
#define RECIPE_FILE_MAX	(1024 * 1024)

enum field {
	/* of a process, in any scope */
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
	F_STEP,
	F_STEP_KIND,
	/* of the event: the recipe's own process only */
	F_KEY,
	F_SYSCALL,
	F_SUCCESS,
	F_ADDR,
	F_PORT,
	F_FAMILY,
	F_FILE,
	F_OP,
	F_TYPE,
	F_ENABLED,
	F_REQUEST,
};
#define F_FIRST_EVENT	F_KEY

enum scope {
	S_SELF,
	S_PARENT,
	S_ANCESTOR,
	S_CHILD,
	S_SIBLING,
	S_TARGET,
};

static const struct {
	const char	*name;
	enum field	 field;
	unsigned	 on;		/* events it exists for; 0: all */
	const char	*help;
} fields[] = {
	{ "exe", F_EXE, 0, "the binary the kernel ran (after #! and symlinks)" },
	{ "comm", F_COMM, 0, "the 15-byte process name" },
	{ "argv0", F_ARGV0, 0, "argv[0] as the caller gave it" },
	{ "args", F_ARGS, 0, "argv[1..], joined by single spaces" },
	{ "arg", F_ARG, 0, "any one of argv[1..]" },
	{ "cmdline", F_CMDLINE, 0, "argv, joined by single spaces" },
	{ "cwd", F_CWD, 0, "working directory" },
	{ "path", F_PATH, 0, "the file given to execve, made absolute" },
	{ "uid", F_UID, 0, "real uid, decimal" },
	{ "euid", F_EUID, 0, "effective uid, decimal" },
	{ "auid", F_AUID, 0, "login uid, decimal (4294967295: unset)" },
	{ "step", F_STEP, 0, "the name of the build step of the process" },
	{ "step_kind", F_STEP_KIND, 0, "run, action, docker, runner, gitlab, "
	    "jenkins or marker" },
	{ "key", F_KEY, 0, "the key of the audit rule that logged the event" },
	{ "syscall", F_SYSCALL, ~(unsigned)ST_ON_EXEC, "the syscall's name" },
	{ "success", F_SUCCESS, ~(unsigned)ST_ON_EXEC, "yes or no" },
	{ "addr", F_ADDR, ST_ON_CONNECT, "address connected to (IPv4, IPv6, "
	    "unix path)" },
	{ "port", F_PORT, ST_ON_CONNECT, "port connected to, decimal" },
	{ "family", F_FAMILY, ST_ON_CONNECT, "inet, inet6, unix or a number" },
	{ "file", F_FILE, ST_ON_FILE | ST_ON_SYSCALL | ST_ON_PTRACE |
	    ST_ON_MEMFD | ST_ON_CONNECT, "any file the syscall named, made "
	    "absolute" },
	{ "op", F_OP, ST_ON_CONFIG | ST_ON_DAEMON, "CONFIG_CHANGE's or the "
	    "daemon's op= (remove_rule, set, terminate...)" },
	{ "type", F_TYPE, ST_ON_CONFIG | ST_ON_DAEMON, "the record type "
	    "(CONFIG_CHANGE, DAEMON_END, DAEMON_ABORT...)" },
	{ "enabled", F_ENABLED, ST_ON_CONFIG, "audit_enabled= after the "
	    "change (0: audit off)" },
	{ "request", F_REQUEST, ST_ON_PTRACE, "ptrace's request (PTRACE_ATTACH"
	    ", ...), or the syscall for process_vm_*" },
};

static const struct {
	const char	*prefix;
	enum scope	 scope;
	unsigned	 on;		/* events it exists for; 0: all */
} scopes[] = {
	{ "", S_SELF, 0 },
	{ "parent.", S_PARENT, 0 },
	{ "ancestor.", S_ANCESTOR, 0 },
	{ "child.", S_CHILD, 0 },
	{ "sibling.", S_SIBLING, 0 },
	{ "target.", S_TARGET, ST_ON_PTRACE },
};

/*
 * Children and siblings looked at, newest first.  A pipeline's members
 * are forked one after the other, so they are among the newest children of
 * their shell when any of them execs; a make with 10,000 children must
 * not cost 10,000 views per exec.
 */
#define KIN_MAX	16

static const struct {
	const char	*name;
	unsigned	 bit;
} ons[] = {
	{ "exec", ST_ON_EXEC },
	{ "connect", ST_ON_CONNECT },
	{ "ptrace", ST_ON_PTRACE },
	{ "memfd", ST_ON_MEMFD },
	{ "file", ST_ON_FILE },
	{ "syscall", ST_ON_SYSCALL },
	{ "config", ST_ON_CONFIG },
	{ "daemon", ST_ON_DAEMON },
};

const char *
st_on_name(unsigned on)
{
	size_t i;

	for (i = 0; i < sizeof ons / sizeof ons[0]; i++)
		if (ons[i].bit == on)
			return ons[i].name;
	return "?";
}

static const char *const onces[] = {
	[ST_ONCE_EVENT] = "event",
	[ST_ONCE_PROCESS] = "process",
	[ST_ONCE_EXE] = "exe",
	[ST_ONCE_STEP] = "step",
	[ST_ONCE_ANCESTRY] = "ancestry",
};

const char *
st_once_name(enum st_once o)
{
	return (size_t)o < sizeof onces / sizeof onces[0] ? onces[o] : "?";
}

struct st_cond {
	enum field	 field;
	enum scope	 scope;
	char		*name;		/* as written: "parent.exe" */
	char		*pattern;
	pcre2_code	*re;
	int		 pat;		/* memo id (memoised fields), or -1 */
	int		 vid;		/* id of (field, pattern) for arg, args
					   and cmdline, kept per view; or -1 */
	struct litset	*lits;		/* a match holds one of them; NULL:
					   no such set found */
};

/*
 * Required literals: strings one of which every match of a pattern
 * contains (one per top-level alternative).  A subject holding none of
 * them cannot match, and memmem says so faster than the regex: most
 * argument and command-line patterns look for "/proc/", "base64",
 * "/dev/tcp/" or the like in strings that hold nothing of the sort.
 */
/* Alternatives; more: no prefilter.  A pattern listing thirty mining
 * pools' hosts has that many, and without a prefilter it ran on every
 * exec's command line (a twentieth of the whole run's time). */
#define LITS_MAX	64
#define GRAMS_MAX	8	/* bigrams of a literal looked up */
#define GRAM_BITS	4096	/* a view's bigram set (view_grams) */
#define LIT_MIN		2	/* bytes: one filters too little */
/* As the scanner collects them. */
struct lits {
	size_t		 n;
	char		*s[LITS_MAX];
	size_t		 len[LITS_MAX];
};

/* As a condition keeps them: sized to its literals (a library of
 * hundreds of patterns holds as many sets). */
struct lit {
	char		*s;
	size_t		 len;
	uint16_t	 gram[GRAMS_MAX];	/* bigrams (gram()) */
	uint8_t		 ngram;
};
struct litset {
	bool		 ci;		/* (?i): lower case, matched so */
	size_t		 n;
	size_t		 min;		/* the shortest's length */
	uint8_t		 first[256];	/* by (lower-cased if ci) byte: 1 +
					   the place in ord of the first
					   literal starting so; 0: none */
	uint8_t		 ord[LITS_MAX];	/* v's indexes by first byte */
	struct lit	 v[];		/* n, in the pattern's order */
};

/*
 * The memo: what each distinct pattern gave on each distinct subject
 * string, for the fields whose values repeat (exe, comm, argv0, cwd,
 * path, ids, step).  A build runs the same few hundred binaries hundreds
 * of thousands of times, and most alternatives open with an exe
 * condition: without the memo every exec ran some 150 of them, most of
 * the analysis's time.  Arguments and command lines are nearly all
 * distinct, so they are not memoised.
 *
 * Results are per pattern text, not per condition: the library repeats
 * the shell's or sed's exe pattern in a dozen recipes.
 */
struct memo_ent {
	uint64_t	 h;
	char		*s;		/* NULL: a free slot */
	size_t		 len;
	uint8_t		*res;		/* by pattern id: MEMO_* */
	uint64_t	*can;		/* as an exe: recipes that may fire
					   (exe_gates), one bit each */
};
enum { MEMO_UNKNOWN, MEMO_NO, MEMO_YES, MEMO_GAVE_UP };

struct st_memo {
	struct memo_ent	*v;
	size_t		 cap;		/* slots, a power of two */
	size_t		 n;
	size_t		 npats;		/* the length of every res */
	size_t		 nrecipes;	/* ... and of every can, in bits */
	unsigned long	 gen;		/* rs->gen it was made for */
};

/*
 * Slots, and entries before the memo is emptied.  It is emptied only when
 * an evaluation starts, so that entries held by its views stay valid; one
 * evaluation adds at most (ancestry + kin + self) views times the fields,
 * about 1,300, so the table stays under 60% full.  4096 distinct strings
 * cover a build's binaries and directories many times over; emptying it
 * costs the next few thousand execs a regex each, never a wrong answer.
 * Its size is 4096 strings and as many result rows (npats bytes each).
 */
#define MEMO_SLOTS	16384
#define MEMO_MAX	4096

struct st_kinconds;
static void	kinconds_free(struct st_kinconds *);

/* A field's value that is absent: no regex, no match. */
static struct memo_ent memo_absent;

static bool
memoised(enum field f)
{
	return f < F_FIRST_EVENT && f != F_ARGS && f != F_ARG &&
	    f != F_CMDLINE;
}

static void
memo_clear(struct st_memo *m)
{
	size_t i;

	for (i = 0; i < m->cap && m->n > 0; i++) {
		if (m->v[i].s == NULL)
			continue;
		free(m->v[i].s);
		free(m->v[i].res);
		free(m->v[i].can);
		m->n--;
	}
	memset(m->v, 0, m->cap * sizeof *m->v);
	m->n = 0;
}

static void
memo_free(struct st_memo *m)
{
	if (m == NULL)
		return;
	memo_clear(m);
	free(m->v);
	free(m);
}

/* The memo, ready for an evaluation: made, or emptied when full or when
 * patterns were added since. */
static struct st_memo *
memo_ready(struct st_recipes *rs)
{
	struct st_memo *m = rs->memo;

	if (m == NULL) {
		m = rs->memo = xcalloc(1, sizeof *m);
		m->cap = MEMO_SLOTS;
		m->v = xcalloc(m->cap, sizeof *m->v);
	}
	if (m->n >= MEMO_MAX || m->npats != rs->npats ||
	    m->nrecipes != rs->n || m->gen != rs->gen) {
		memo_clear(m);
		m->npats = rs->npats;
		m->nrecipes = rs->n;
		m->gen = rs->gen;
	}
	return m;
}

static struct memo_ent *
memo_get(struct st_memo *m, const char *s)
{
	struct memo_ent *me;
	size_t len = strlen(s), i;
	uint64_t h = st_hash64(s, len);

	for (i = (size_t)h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		me = &m->v[i];
		if (me->s == NULL)
			break;
		if (me->h == h && me->len == len && memcmp(me->s, s, len) == 0)
			return me;
	}
	me->h = h;
	me->s = xstrndup(s, len);
	me->len = len;
	me->res = xcalloc(m->npats > 0 ? m->npats : 1, 1);
	m->n++;
	return me;
}

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
	pcre2_set_depth_limit(rs->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(rs->mctx, HEAP_LIMIT_KIB);
	stack = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
	if (stack != NULL)
		pcre2_jit_stack_assign(rs->mctx, NULL, stack);
	rs->jit_stack = stack;
}

static void
lits_clear(struct lits *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->s[i]);
	l->n = 0;
}

static void
litset_free(struct litset *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i].s);
	free(l);
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
			litset_free(alts[i].conds[j].lits);
		}
		free(alts[i].conds);
		free(alts[i].order);
		free(alts[i].reason);
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
	alts_free(r->grade, r->ngrade);
	cJSON_Delete(r->examples);
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
	memo_free(rs->memo);
	kinconds_free(rs->kinconds);
	for (i = 0; i < rs->npats; i++)
		free(rs->pats[i]);
	free(rs->pats);
	for (i = 0; i < rs->nvpats; i++)
		free(rs->vpats[i]);
	free(rs->vpats);
	free(rs->from);
	memset(rs, 0, sizeof *rs);
}

/* ------------------------------------------------------------- loading */

/* The fields and prefixes, from the tables, for the unknown-field error. */
static const char *
field_list(void)
{
	static char list[512];
	struct st_buf b = { 0 };
	size_t i;

	if (list[0] != '\0')
		return list;
	st_buf_adds(&b, "process fields:");
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (fields[i].field == F_FIRST_EVENT)
			st_buf_adds(&b, "; event fields:");
		st_buf_addf(&b, "%s %s", fields[i].field == F_FIRST_EVENT ||
		    i == 0 ? "" : ",", fields[i].name);
	}
	st_buf_adds(&b, "; process fields also as");
	for (i = 1; i < sizeof scopes / sizeof scopes[0]; i++)
		st_buf_addf(&b, "%s %sX", i == 1 ? "" : ",", scopes[i].prefix);
	snprintf(list, sizeof list, "%s", st_buf_cstr(&b));
	st_buf_free(&b);
	return list;
}


static struct litset *required_literals(const char *);

static bool
no_jit(void)
{
	const char *v = getenv("STEPTRAIL_NO_JIT");

	return v != NULL && strcmp(v, "1") == 0;
}

static int
parse_cond(struct st_recipe *r, struct st_cond *c, const char *key,
    const cJSON *val, const char *where, char **cause)
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
			goto known;
		}
	}
	*cause = xasprintf("%s: unknown field \"%s\" (%s)", where, key,
	    field_list());
	return -1;
known:
	if (scopes[i].on != 0 && (scopes[i].on & r->on) == 0) {
		*cause = xasprintf("%s: \"%s\": %s* is only for \"on\": "
		    "\"ptrace\"", where, key, scopes[i].prefix);
		return -1;
	}
	if (c->field >= F_FIRST_EVENT && c->scope != S_SELF) {
		*cause = xasprintf("%s: \"%s\": %s is a field of the event, "
		    "not of a %.*s", where, key, fname,
		    (int)(strlen(scopes[i].prefix) - 1), scopes[i].prefix);
		return -1;
	}
	if (fields[j].on != 0 && (fields[j].on & r->on) == 0) {
		*cause = xasprintf("%s: \"%s\": no such field for \"on\": "
		    "\"%s\"", where, key, st_on_name(r->on));
		return -1;
	}
	r->scopes |= 1u << c->scope;
	goto found;
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
	/* NEVER_UTF: subjects are bytes (argv need not be UTF-8); a
	 * pattern starting (*UTF) would fail on every other subject, and a
	 * failed match counts as a match (gave up) */
	c->re = pcre2_compile((PCRE2_SPTR)c->pattern, PCRE2_ZERO_TERMINATED,
	    PCRE2_DOTALL | PCRE2_NEVER_UTF, &err, &off, NULL);
	if (c->re == NULL) {
		pcre2_get_error_message(err, msg, sizeof msg);
		*cause = xasprintf("%s.%s: bad regular expression at offset "
		    "%zu: %s", where, key, (size_t)off, (char *)msg);
		return -1;
	}
	/*
	 * Without JIT (some platforms) the interpreter does the same job.
	 * STEPTRAIL_NO_JIT=1 asks for it: JIT code reads whole words past a
	 * subject's end (never past a page: harmless), which valgrind cannot
	 * tell from a bug, so tests/valgrind.sh runs the interpreter.
	 */
	if (!no_jit())
		(void)pcre2_jit_compile(c->re, PCRE2_JIT_COMPLETE);
	c->lits = required_literals(c->pattern);
	return 0;
}

/* ------------------------------------------------------------ literals */

/*
 * Required literals are read off the pattern's text by a scanner that
 * knows a small part of PCRE2's syntax and gives up (no prefilter) on
 * anything else: a wrong literal would make a pattern miss what it
 * matches, a missing one only costs the regex its run.  It understands
 * plain bytes, escaped punctuation, the two-byte escapes below, classes
 * [...], groups (...) (skipped whole: what they hold is not required)
 * and quantifiers ? * + {n,m}.  Flags ((?i) and the like), \Q, verbs
 * (*...) and escapes with arguments (\x, \p, \g, back references) make it
 * give up.
 */
struct litscan {
	const char	*p;
	size_t		 n, i;
	char		 run[256];
	size_t		 rl;
	struct lits	 best;		/* the branch's best candidate */
	size_t		 best_min;	/* its shortest literal */
	int		 depth;		/* groups looked into */
};

/* Groups nested deeper than this are not looked into. */
#define LIT_DEPTH	4

static bool	lits_of(const char *, size_t, int, struct lits *);

static size_t
lits_min(const struct lits *l)
{
	size_t i, m = SIZE_MAX;

	for (i = 0; i < l->n; i++)
		if (l->len[i] < m)
			m = l->len[i];
	return l->n > 0 ? m : 0;
}

/* A candidate for the branch: kept if its shortest literal is longer
 * than the best's (fewer strings on a tie); taken over (cleared) or
 * freed. */
static void
lit_offer(struct litscan *ls, struct lits *c)
{
	size_t m = lits_min(c);

	if (m > ls->best_min || (m == ls->best_min && m > 0 &&
	    c->n < ls->best.n)) {
		lits_clear(&ls->best);
		ls->best = *c;
		ls->best_min = m;
		c->n = 0;
	} else
		lits_clear(c);
}

static void
lit_flush(struct litscan *ls)
{
	struct lits c;

	if (ls->rl > 0) {
		c.n = 1;
		c.s[0] = xstrndup(ls->run, ls->rl);
		c.len[0] = ls->rl;
		lit_offer(ls, &c);
	}
	ls->rl = 0;
}

/* Past a class at ls->i ('['); false: unterminated. */
static bool
lit_skip_class(struct litscan *ls)
{
	size_t i = ls->i + 1;

	if (i < ls->n && ls->p[i] == '^')
		i++;
	if (i < ls->n && ls->p[i] == ']')
		i++;
	while (i < ls->n && ls->p[i] != ']') {
		if (ls->p[i] == '\\')
			i++;
		else if (ls->p[i] == '[' && i + 1 < ls->n &&
		    (ls->p[i + 1] == ':' || ls->p[i + 1] == '.' ||
		    ls->p[i + 1] == '='))
			return false;	/* [:alpha:], or a [ and a : that
					   are not one (PCRE2 decides by
					   what follows): not read */
		i++;
	}
	if (i >= ls->n)
		return false;
	ls->i = i + 1;
	return true;
}

static bool
lit_flags(const struct litscan *ls, size_t i)
{
	return i + 2 < ls->n && ls->p[i + 1] == '?' &&
	    strchr("imnsxJU^-)", ls->p[i + 2]) != NULL;
}

/* Past a group at ls->i ('('); false: unterminated, or not understood. */
static bool
lit_skip_group(struct litscan *ls)
{
	size_t depth = 0;

	if (ls->i + 1 < ls->n && ls->p[ls->i + 1] == '*')
		return false;			/* (*VERB) */
	while (ls->i < ls->n) {
		switch (ls->p[ls->i]) {
		case '\\':
			if (ls->i + 1 < ls->n && ls->p[ls->i + 1] == 'Q')
				return false;
			ls->i += 2;
			continue;
		case '[':
			if (!lit_skip_class(ls))
				return false;
			continue;
		case '(':
			if (lit_flags(ls, ls->i))
				return false;	/* (?i) and the like */
			depth++;
			break;
		case ')':
			if (--depth == 0) {
				ls->i++;
				return true;
			}
			break;
		}
		ls->i++;
	}
	return false;
}

/* Length of a quantifier at p[i] ({n}, {n,}, {n,m}, with a lazy or
 * possessive mark); *min its minimum.  0: none there; -1: not understood. */
static long
lit_quant(const char *p, size_t n, size_t i, unsigned long *min)
{
	size_t j = i;

	if (i >= n)
		return 0;
	if (p[i] == '?' || p[i] == '*' || p[i] == '+') {
		*min = p[i] == '+';
		j++;
	} else if (p[i] == '{') {
		*min = 0;
		for (j++; j < n && p[j] >= '0' && p[j] <= '9'; j++)
			*min = *min * 10 + (unsigned long)(p[j] - '0');
		if (j == i + 1 || *min > 65535)
			return -1;		/* {,m} or a literal brace */
		if (j < n && p[j] == ',')
			for (j++; j < n && p[j] >= '0' && p[j] <= '9'; j++)
				;
		if (j >= n || p[j] != '}')
			return -1;
		j++;
	} else
		return 0;
	if (j < n && (p[j] == '?' || p[j] == '+'))
		j++;
	return (long)(j - i);
}

/*
 * What a group at p[g] .. p[end) (its parentheses included) must match,
 * when every match of it matches its content: (...), (?:...), (?>...).
 * Lookarounds, conditions, named groups and the rest: no candidate.
 */
static void
lit_group(struct litscan *ls, size_t g, size_t end)
{
	struct lits c;
	size_t from;

	memset(&c, 0, sizeof c);
	if (ls->depth >= LIT_DEPTH)
		return;
	if (ls->p[g + 1] != '?')
		from = g + 1;
	else if (ls->p[g + 2] == ':' || ls->p[g + 2] == '>')
		from = g + 3;
	else
		return;
	if (lits_of(ls->p + from, end - 1 - from, ls->depth + 1, &c))
		lit_offer(ls, &c);
}

/* One alternative, up to its '|' or the end: its best candidate in
 * ls->best.  false: give up on the pattern. */
static bool
lit_branch(struct litscan *ls)
{
	unsigned long min;
	size_t g;
	bool literal, group;
	long q;
	char c = 0;

	ls->rl = 0;
	ls->best.n = 0;
	ls->best_min = 0;
	while (ls->i < ls->n && ls->p[ls->i] != '|') {
		literal = group = false;
		g = ls->i;
		switch (ls->p[ls->i]) {
		case '\\':
			if (ls->i + 1 >= ls->n)
				return false;
			c = ls->p[ls->i + 1];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9')))
				literal = true;		/* \. \/ \- ... */
			else if (strchr("bBsSdDwWAzZGhHvVRNK", c) == NULL)
				return false;		/* \x \p \Q \1 ... */
			ls->i += 2;
			break;
		case '[':
			if (!lit_skip_class(ls))
				return false;
			break;
		case '(':
			if (lit_flags(ls, ls->i) || !lit_skip_group(ls))
				return false;
			group = true;
			break;
		case ')':
		case '?':
		case '*':
		case '+':
		case '{':
			return false;		/* nothing to repeat: odd */
		case '.':
		case '^':
		case '$':
			ls->i++;
			break;
		default:
			c = ls->p[ls->i++];
			literal = true;
			break;
		}
		if ((q = lit_quant(ls->p, ls->n, ls->i, &min)) < 0)
			return false;
		ls->i += (size_t)q;
		if (literal && (q == 0 || min > 0) && ls->rl < sizeof ls->run)
			ls->run[ls->rl++] = c;
		if (!literal || q > 0)
			lit_flush(ls);
		if (group && (q == 0 || min > 0))
			lit_group(ls, g, ls->i - (size_t)q);
	}
	lit_flush(ls);
	return true;
}

/*
 * The literals of p[0..n): one candidate per alternative, all of them
 * LIT_MIN bytes or more, LITS_MAX at most.  false: none such.
 */
static bool
lits_of(const char *p, size_t n, int depth, struct lits *out)
{
	struct litscan ls;
	size_t i;

	memset(&ls, 0, sizeof ls);
	memset(out, 0, sizeof *out);
	ls.p = p;
	ls.n = n;
	ls.depth = depth;
	for (;;) {
		if (!lit_branch(&ls) || ls.best_min < LIT_MIN ||
		    out->n + ls.best.n > LITS_MAX)
			goto none;
		for (i = 0; i < ls.best.n; i++) {
			out->s[out->n] = ls.best.s[i];
			out->len[out->n++] = ls.best.len[i];
		}
		ls.best.n = 0;			/* transferred */
		if (ls.i >= ls.n)
			return true;
		ls.i++;				/* the '|' */
	}
none:
	lits_clear(&ls.best);
	lits_clear(out);
	return false;
}

static int	lower(int);

/* A bigram's bit in a view's set: case folded, so that one set serves
 * literals with and without case. */
static uint16_t
gram(unsigned a, unsigned b)
{
	return (uint16_t)(((unsigned)lower((int)a) * 67u +
	    (unsigned)lower((int)b)) % GRAM_BITS);
}

/* The required literals of a pattern, or NULL.  A pattern that opens
 * with (?i) has them in lower case, to be looked for without case. */
static struct litset *
required_literals(const char *pattern)
{
	struct lits found;
	struct litset *l;
	struct lit *t;
	size_t i, j, k;
	unsigned c;
	bool ci = strncmp(pattern, "(?i)", 4) == 0;

	/*
	 * Given up on at once, wherever they stand (in a class too): a verb
	 * (*ACCEPT ends a match where it stands: the fuzzer's
	 * wrong-literal-accept); \c, whose operand may be a parenthesis;
	 * \Q...\E; comments (?#...) and callouts (?C"..."), whose text may
	 * hold parentheses (a review found the last three).
	 */
	if (strstr(pattern, "(*") != NULL || strstr(pattern, "\\c") != NULL ||
	    strstr(pattern, "\\Q") != NULL || strstr(pattern, "(?#") != NULL ||
	    strstr(pattern, "(?C") != NULL)
		return NULL;
	if (!lits_of(pattern + (ci ? 4 : 0), strlen(pattern) - (ci ? 4 : 0),
	    0, &found))
		return NULL;
	l = xcalloc(1, sizeof *l + found.n * sizeof l->v[0]);
	l->ci = ci;
	l->n = found.n;
	l->min = lits_min(&found);
	for (i = 0; i < l->n; i++) {
		t = &l->v[i];
		t->s = found.s[i];		/* taken over */
		t->len = found.len[i];
		for (j = 0; ci && j < t->len; j++)
			t->s[j] = (char)lower((unsigned char)t->s[j]);
		for (j = 0; j + 1 < t->len && j < GRAMS_MAX; j++)
			t->gram[t->ngram++] = gram((unsigned char)t->s[j],
			    (unsigned char)t->s[j + 1]);
	}
	/* ord: the literals grouped by first byte, each group in the
	 * pattern's order; first[c] points at c's group */
	for (c = 0, k = 0; c < 256; c++)
		for (i = 0; i < l->n; i++)
			if ((unsigned char)l->v[i].s[0] == c) {
				if (l->first[c] == 0)
					l->first[c] = (uint8_t)(k + 1);
				l->ord[k++] = (uint8_t)i;
			}
	return l;
}

/* The required literals of pattern as "lit|lit...", or NULL when it has
 * none (tests). */
char *
st_match_literals(const char *pattern)
{
	struct litset *l = required_literals(pattern);
	struct st_buf b = { 0 };
	size_t i;

	if (l == NULL)
		return NULL;
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			st_buf_addc(&b, '|');
		st_buf_add(&b, l->v[i].s, l->v[i].len);
	}
	litset_free(l);
	return st_buf_steal(&b);
}

static int	parse_alts(struct st_recipe *, struct st_alt **, size_t *,
		    const cJSON *, const char *, bool, bool, char **);

/*
 * A key given twice in one object: JSON parsers let the last win, or the
 * first, silently; a recipe means one thing or is refused (the fuzzer's
 * leak-alt-unless-twice: the first "unless" was lost, and leaked).
 */
static const char *
repeated_key(const cJSON *obj)
{
	const cJSON *a, *b;

	for (a = obj->child; a != NULL; a = a->next)
		for (b = a->next; b != NULL; b = b->next)
			if (a->string != NULL && b->string != NULL &&
			    strcmp(a->string, b->string) == 0)
				return a->string;
	return NULL;
}

static int
parse_alt(struct st_recipe *r, struct st_alt *alt, const cJSON *obj,
    const char *where, bool nested, char **cause)
{
	const cJSON *it;
	const char *dup;
	char *w;
	int sev, rc;

	if (!cJSON_IsObject(obj) || obj->child == NULL) {
		*cause = xasprintf("%s: must be an object of field: pattern",
		    where);
		return -1;
	}
	if ((dup = repeated_key(obj)) != NULL) {
		*cause = xasprintf("%s: \"%s\" is given twice", where, dup);
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
		if (strcmp(it->string, "reason") == 0 && nested) {
			if (!cJSON_IsString(it) || it->valuestring[0] == '\0') {
				*cause = xasprintf("%s.reason: must be a "
				    "non-empty string", where);
				return -1;
			}
			free(alt->reason);
			alt->reason = xstrdup(it->valuestring);
			continue;
		}
		if (strcmp(it->string, "unless") == 0 && nested) {
			w = xasprintf("%s.unless", where);
			rc = parse_alts(r, &alt->unless, &alt->nunless, it, w,
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
		if (parse_cond(r, &alt->conds[alt->nconds - 1], it->string,
		    it, where, cause) != 0)
			return -1;
		alt->scopes |= 1u << alt->conds[alt->nconds - 1].scope;
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
parse_alts(struct st_recipe *r, struct st_alt **out, size_t *nout,
    const cJSON *val, const char *where, bool required, bool nested,
    char **cause)
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
		return parse_alt(r, *out, val, where, nested, cause);
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
		rc = parse_alt(r, &(*out)[i++], it, w, nested, cause);
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
	    "technique", "tactic", "on", "once", "match", "unless", "grade",
	    "examples", "references", "comment" };
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
	if ((s = repeated_key(obj)) != NULL) {
		*cause = xasprintf("%s: recipe #%zu: \"%s\" is given twice",
		    file, index + 1, s);
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
	r->on = ST_ON_EXEC;
	if ((s = get_string(obj, "on")) != NULL) {
		for (i = 0; i < sizeof ons / sizeof ons[0]; i++)
			if (strcmp(s, ons[i].name) == 0)
				break;
		if (i == sizeof ons / sizeof ons[0]) {
			*cause = xasprintf("%s: \"on\": \"%s\" is not an event "
			    "(exec, connect, ptrace, memfd, file, syscall, "
			    "config, daemon)", where, s);
			goto out;
		}
		r->on = ons[i].bit;
	}
	if ((s = get_string(obj, "once")) != NULL) {
		for (i = 0; i < sizeof onces / sizeof onces[0]; i++)
			if (strcmp(s, onces[i]) == 0)
				break;
		if (i == sizeof onces / sizeof onces[0]) {
			*cause = xasprintf("%s: \"once\": \"%s\" is not one of "
			    "event, process, exe, step, ancestry", where, s);
			goto out;
		}
		r->once = (enum st_once)i;
	}
	free(where);
	where = xasprintf("%s: recipe \"%s\": match", file, name);
	if (parse_alts(r, &r->match, &r->nmatch,
	    cJSON_GetObjectItemCaseSensitive(obj, "match"), where, true, true,
	    cause) != 0)
		goto out;
	free(where);
	where = xasprintf("%s: recipe \"%s\": unless", file, name);
	if (parse_alts(r, &r->unless, &r->nunless,
	    cJSON_GetObjectItemCaseSensitive(obj, "unless"), where, false,
	    false, cause) != 0)
		goto out;
	free(where);
	where = xasprintf("%s: recipe \"%s\": grade", file, name);
	if (parse_alts(r, &r->grade, &r->ngrade,
	    cJSON_GetObjectItemCaseSensitive(obj, "grade"), where, false,
	    true, cause) != 0)
		goto out;
	for (i = 0; i < r->ngrade; i++) {
		r->grade_scopes |= r->grade[i].scopes;
		if (r->grade[i].severity == ST_SEV_NONE ||
		    r->grade[i].reason == NULL) {
			*cause = xasprintf("%s[%zu]: a grade needs a \"severity\" "
			    "and a \"reason\"", where, i);
			goto out;
		}
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(obj, "examples")) != NULL) {
		if (!cJSON_IsObject(it)) {
			*cause = xasprintf("%s: recipe \"%s\": examples: must be "
			    "an object {\"match\": [...], \"nomatch\": [...]}",
			    file, name);
			goto out;
		}
		r->examples = cJSON_Duplicate(it, 1);
	}
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

/* The id of a string in a table: the same text, the same id. */
static int
intern(char ***tab, size_t *n, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*tab)[i], s) == 0)
			return (int)i;
	*tab = xreallocarray(*tab, *n + 1, sizeof **tab);
	(*tab)[*n] = xstrdup(s);
	return (int)(*n)++;
}

/*
 * A condition on argv (arg, args, cmdline) gets the id of its field and
 * pattern: the library asks "sed -i?" of a process's args in five
 * recipes and a sibling's "is it curl?" of a command line in three, and
 * a view keeps each answer for the evaluation (view_vres).
 */
static int
intern_vid(struct st_recipes *rs, const struct st_cond *c)
{
	char *key;
	int id;

	if (c->field != F_ARG && c->field != F_ARGS && c->field != F_CMDLINE)
		return -1;
	key = xasprintf("%d:%s", (int)c->field, c->pattern);
	id = intern(&rs->vpats, &rs->nvpats, key);
	free(key);
	return id;
}

/*
 * How dear a condition is to evaluate, for the order alt_holds tries
 * them in: a memoised field of the process itself is a table lookup,
 * its arguments one regex, an ancestor's up to 64 and a sibling's up to
 * 16 (KIN_MAX).  All conditions must hold, so the order changes nothing
 * but how soon a false one stops the rest.
 */
static unsigned
cond_cost(const struct st_cond *c)
{
	static const unsigned by_scope[] = {
		[S_SELF] = 0, [S_PARENT] = 1, [S_TARGET] = 1,
		[S_ANCESTOR] = 3, [S_CHILD] = 5, [S_SIBLING] = 5,
	};

	return by_scope[c->scope] * 2 + (c->pat < 0);
}

static void
prepare_alts(struct st_recipes *rs, struct st_alt *alts, size_t n)
{
	struct st_alt *a;
	struct st_cond *c;
	size_t i, j, k, t;

	for (i = 0; i < n; i++) {
		a = &alts[i];
		for (j = 0; j < a->nconds; j++) {
			c = &a->conds[j];
			c->pat = memoised(c->field) ?
			    intern(&rs->pats, &rs->npats, c->pattern) : -1;
			c->vid = intern_vid(rs, c);
		}
		free(a->order);
		a->order = xreallocarray(NULL, a->nconds, sizeof *a->order);
		for (j = 0; j < a->nconds; j++)	/* insertion sort: stable */
			for (a->order[j] = j, k = j; k > 0 &&
			    cond_cost(&a->conds[a->order[k - 1]]) >
			    cond_cost(&a->conds[a->order[k]]); k--) {
				t = a->order[k];
				a->order[k] = a->order[k - 1];
				a->order[k - 1] = t;
			}
		/* the gate: a first condition on the exe, memoised */
		c = a->nconds > 0 ? &a->conds[a->order[0]] : NULL;
		a->gate = c != NULL && c->scope == S_SELF &&
		    c->field == F_EXE && c->pat >= 0 ? c->pat : -1;
		prepare_alts(rs, a->unless, a->nunless);
	}
}

static void
add_recipe(struct st_recipes *rs, struct st_recipe *r)
{
	size_t i;

	prepare_alts(rs, r->match, r->nmatch);
	prepare_alts(rs, r->unless, r->nunless);
	prepare_alts(rs, r->grade, r->ngrade);
	kinconds_free(rs->kinconds);	/* its conditions may be replaced */
	rs->kinconds = NULL;
	rs->gen++;			/* and the memo's exe bitmaps with it */

	/* A later recipe of the same name replaces the earlier one: that is
	 * how a user overrides a built-in. */
	rs->scopes |= r->scopes;
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
	/* two objects one after the other (a forgotten [...]): the second
	 * would be dropped without a word */
	while (end != NULL && end < text + len && (*end == ' ' ||
	    *end == '\t' || *end == '\n' || *end == '\r'))
		end++;
	if (end != NULL && end < text + len) {	/* a NUL too: text */
		locate(text, (size_t)(end - text), &line, &col);
		*cause = xasprintf("%s:%zu:%zu: text after the recipes (a "
		    "list of recipes is one JSON array)", file, line, col);
		goto out;
	}
	if (cJSON_IsArray(root) && cJSON_GetArraySize(root) == 0) {
		*cause = xasprintf("%s: no recipe in it (an empty array)", file);
		goto out;
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
 * What conditions see of one process, built on first use: the joined
 * strings are not made unless a recipe asks for them.
 */
struct view {
	const struct st_proc *p;	/* NULL: no process (a daemon event) */
	char		**argv;
	size_t		  argc;
	bool		  owned;	/* argv split from PROCTITLE */
	bool		  have_args, have_cmdline;
	struct st_buf	  args;
	struct st_buf	  cmdline;
	char		  num[24];
	struct memo_ent	 *me[F_FIRST_EVENT];	/* memoised fields, looked up */
	uint8_t		 *vres;		/* by vid: MEMO_*, for this evaluation */
	uint64_t	 *grams;	/* bigrams of its argv (view_grams) */
};

/* Children or siblings, newest first, up to KIN_MAX: made on first use
 * and shared by every condition of the evaluation. */
struct kin {
	struct view	 v[KIN_MAX];
	size_t		 n;
	bool		 made;
};

struct eval {
	struct st_recipes *rs;
	struct st_memo	*memo;
	struct st_recipe *r;		/* being evaluated: its give-ups */
	const struct st_event *ev;	/* non-exec recipes: the event */
	struct st_proc	*target;
	struct view	 views[ST_ANCESTRY_MAX + 1];	/* 0: self */
	size_t		 nviews;
	bool		 complete;	/* every ancestor has a view */
	struct kin	 kids, sibs;
	bool		 have_target;
	struct view	 tview;
	struct st_buf	 tmp;		/* event fields */
};

static void
view_init(struct view *v, const struct st_proc *p)
{
	memset(v, 0, sizeof *v);
	v->p = p;
	if (p != NULL)
		v->argc = st_proc_argv(p, &v->argv, &v->owned);
}

static void
view_free(struct view *v)
{
	free(v->vres);
	free(v->grams);
	st_buf_free(&v->args);
	st_buf_free(&v->cmdline);
	if (v->owned)
		free(v->argv);
	memset(v, 0, sizeof *v);
}

/* Not a memset of the whole: the views are made as they are needed, and
 * an exec is evaluated once for itself and once per sibling. */
static void
eval_start(struct eval *e, struct st_recipes *rs, struct st_proc *p,
    const struct st_event *ev, struct st_proc *target)
{
	e->rs = rs;
	e->memo = memo_ready(rs);
	e->r = NULL;
	e->ev = ev;
	e->target = target;
	e->nviews = 1;
	view_init(&e->views[0], p);
	e->complete = p == NULL;
	e->kids.n = e->sibs.n = 0;
	e->kids.made = e->sibs.made = false;
	e->have_target = false;
	memset(&e->tmp, 0, sizeof e->tmp);
}

static void
eval_end(struct eval *e)
{
	size_t i;

	for (i = 0; i < e->nviews; i++)
		view_free(&e->views[i]);
	for (i = 0; i < e->kids.n; i++)
		view_free(&e->kids.v[i]);
	for (i = 0; i < e->sibs.n; i++)
		view_free(&e->sibs.v[i]);
	if (e->have_target)
		view_free(&e->tview);
	st_buf_free(&e->tmp);
}

static struct kin *
kin_at(struct kin *kin, const struct st_proc *k, const struct st_proc *skip)
{
	if (kin->made)
		return kin;
	kin->made = true;
	for (; k != NULL && kin->n < KIN_MAX; k = k->sib_next)
		if (k != skip)
			view_init(&kin->v[kin->n++], k);
	return kin;
}

static struct view *
view_at(struct eval *e, size_t depth)
{
	const struct st_proc *p;

	while (e->nviews <= depth) {
		if (e->complete)
			return NULL;
		p = e->views[e->nviews - 1].p->parent;
		if (p == NULL || e->nviews > ST_ANCESTRY_MAX) {
			e->complete = true;
			return NULL;
		}
		view_init(&e->views[e->nviews++], p);
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
proc_field(struct view *v, enum field f)
{
	const struct st_image *img;

	if (v->p == NULL)
		return NULL;
	img = v->p->image;
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
	case F_STEP:
		return v->p->step != NULL ? v->p->step->name : NULL;
	case F_STEP_KIND:
		return v->p->step != NULL ?
		    st_step_kind_name(v->p->step->kind) : NULL;
	default:
		break;
	}
	return NULL;
}

static const char *
ptrace_request(unsigned long long req)
{
	switch (req) {
	case 0: return "PTRACE_TRACEME";
	case 1: return "PTRACE_PEEKTEXT";
	case 2: return "PTRACE_PEEKDATA";
	case 4: return "PTRACE_POKETEXT";
	case 5: return "PTRACE_POKEDATA";
	case 12: return "PTRACE_GETREGS";
	case 13: return "PTRACE_SETREGS";
	case 16: return "PTRACE_ATTACH";
	case 17: return "PTRACE_DETACH";
	case 0x4206: return "PTRACE_SEIZE";
	case 0x4207: return "PTRACE_INTERRUPT";
	default: return NULL;
	}
}

/* The process a ptrace or process_vm_* call reached into, by pid. */
static int
event_target_pid(const struct st_event *ev)
{
	if (strcmp(ev->sysname, "ptrace") == 0) {
		if (ev->a0 == 0)	/* TRACEME: the parent, by consent */
			return -1;
		return ev->a1 <= INT32_MAX ? (int)ev->a1 : -1;
	}
	if (strncmp(ev->sysname, "process_vm_", 11) == 0)
		return ev->a0 <= INT32_MAX ? (int)ev->a0 : -1;
	return -1;
}

/* Fields of the event itself (F_FILE is matched by cond_on_view). */
static const char *
event_field(struct eval *e, enum field f)
{
	const struct st_event *ev = e->ev;
	const char *s;

	if (ev == NULL)
		return f == F_KEY ? proc_field(&e->views[0], F_KEY) : NULL;
	st_buf_reset(&e->tmp);
	switch (f) {
	case F_KEY:
		return ev->key;
	case F_SYSCALL:
		return ev->has_syscall ? ev->sysname : NULL;
	case F_SUCCESS:
		return ev->has_syscall ? (ev->success ? "yes" : "no") : NULL;
	case F_ADDR:
		return ev->addr;
	case F_PORT:
		if (ev->port < 0)
			return NULL;
		st_buf_addf(&e->tmp, "%d", ev->port);
		return e->tmp.d;
	case F_FAMILY:
		switch (ev->family) {
		case -1: return NULL;
		case AF_INET: return "inet";
		case AF_INET6: return "inet6";
		case AF_UNIX: return "unix";
		default:
			st_buf_addf(&e->tmp, "%d", ev->family);
			return e->tmp.d;
		}
	case F_OP:
		return ev->op;
	case F_TYPE:
		return ev->first_type > 0 ?
		    audit_msg_type_to_name(ev->first_type) : NULL;
	case F_ENABLED:
		if (ev->enabled < 0)
			return NULL;
		st_buf_addf(&e->tmp, "%ld", ev->enabled);
		return e->tmp.d;
	case F_REQUEST:
		if (strcmp(ev->sysname, "ptrace") != 0)
			return ev->sysname;
		if ((s = ptrace_request(ev->a0)) != NULL)
			return s;
		st_buf_addf(&e->tmp, "%llu", ev->a0);
		return e->tmp.d;
	default:
		break;
	}
	return NULL;
}

static void
gave_up(struct eval *e)
{
	e->rs->match_errors++;
	if (e->r != NULL)
		e->r->gave_up++;
}

/* 1 match, 0 no match, -1 the matcher gave up (limit, JIT stack) */
static int
re_match_len(struct eval *e, pcre2_code *re, const char *s, size_t len)
{
	int rc;

	rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, e->rs->md,
	    e->rs->mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	gave_up(e);
	return -1;
}

/* Pattern pat (compiled: re) on a memoised string: MEMO_YES, _NO or
 * _GAVE_UP, the regex run the first time only.  Give-ups are the
 * caller's to count. */
static uint8_t
memo_result(struct eval *e, struct memo_ent *me, int pat, pcre2_code *re)
{
	uint8_t *r = &me->res[pat];
	int rc;

	if (*r != MEMO_UNKNOWN)
		return *r;
	e->rs->memo_misses++;
	rc = pcre2_match(re, (PCRE2_SPTR)me->s, me->len, 0, 0, e->rs->md,
	    e->rs->mctx);
	*r = rc >= 0 ? MEMO_YES : rc == PCRE2_ERROR_NOMATCH ? MEMO_NO :
	    MEMO_GAVE_UP;
	return *r;
}

static struct memo_ent *
view_memo(struct eval *e, struct view *v, enum field f)
{
	const char *s;

	if (v->me[f] == NULL) {
		s = proc_field(v, f);
		v->me[f] = s != NULL ? memo_get(e->memo, s) : &memo_absent;
	}
	return v->me[f];
}

/* A memoised field's condition: the regex runs once per distinct value.
 * A give-up is counted each time, as if it had run again. */
static int
cond_memo(struct eval *e, const struct st_cond *c, struct view *v)
{
	struct memo_ent *me = view_memo(e, v, c->field);

	if (me == &memo_absent)
		return 0;
	switch (memo_result(e, me, c->pat, c->re)) {
	case MEMO_YES:
		return 1;
	case MEMO_GAVE_UP:
		gave_up(e);
		return -1;
	}
	return 0;
}

/* A file named by the event, made absolute against its cwd. */
static const char *
event_file(struct eval *e, unsigned i)
{
	const char *name = e->ev->names[i], *cwd = e->ev->cwd;

	if (name == NULL || name[0] == '/' || cwd == NULL)
		return name;
	st_buf_reset(&e->tmp);
	st_buf_adds(&e->tmp, cwd);
	if (e->tmp.len > 0 && e->tmp.d[e->tmp.len - 1] != '/')
		st_buf_addc(&e->tmp, '/');
	st_buf_adds(&e->tmp, name[0] == '.' && name[1] == '/' ? name + 2 :
	    name);
	return e->tmp.d;
}

/*
 * STEPTRAIL_CHECK_LITERALS=1: every subject the literals rule out is
 * matched all the same, and a match is a fatal error (the tests run the
 * recorded cases and the bench log so).
 */
static bool
check_literals(void)
{
	static int on = -1;
	const char *v;

	if (on < 0)
		on = (v = getenv("STEPTRAIL_CHECK_LITERALS")) != NULL &&
		    strcmp(v, "1") == 0;
	return on == 1;
}

/* Is lit (n bytes, n > 0) in s, starting with the byte first (lit[0], or
 * its upper case)?  glibc's memmem runs a two-way search whose setup
 * costs more than these short subjects; memchr finds the candidates with
 * vector instructions.  ci: lit is in lower case, s in any. */
static bool
lit_from(const char *s, size_t len, const char *lit, size_t n, bool ci,
    int first)
{
	const char *p = s, *end = s + len;
	size_t j;

	while ((size_t)(end - p) >= n &&
	    (p = memchr(p, first, (size_t)(end - p) - n + 1)) != NULL) {
		if (!ci) {
			if (memcmp(p + 1, lit + 1, n - 1) == 0)
				return true;
		} else {
			for (j = 1; j < n && lower((unsigned char)p[j]) ==
			    (unsigned char)lit[j]; j++)
				;
			if (j == n)
				return true;
		}
		p++;
	}
	return false;
}

/* Is literal t in s?  Case goes as PCRE2 without UTF: ASCII only. */
static bool
lit_in(const char *s, size_t len, const struct lit *t, bool ci)
{
	int c = (unsigned char)t->s[0];

	if (lit_from(s, len, t->s, t->len, ci, c))
		return true;
	return ci && c >= 'a' && c <= 'z' &&
	    lit_from(s, len, t->s, t->len, ci, c - 'a' + 'A');
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c;
}

/*
 * Is one of l's literals that are in m (bits by index in l->v) in s?  A
 * few are looked for one by one, with memchr; more in one pass over s,
 * where at a byte that starts some literal (l->first) those are compared.
 */
#define LITS_ONE_BY_ONE	4
static bool
lits_in(const struct litset *l, uint64_t m, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	const struct lit *t;
	size_t i, j, k;
	unsigned c;
	uint64_t w;

	if (__builtin_popcountll(m) <= LITS_ONE_BY_ONE) {
		for (w = m; w != 0; w &= w - 1)
			if (lit_in(s, len, &l->v[__builtin_ctzll(w)], l->ci))
				return true;
		return false;
	}
	for (i = 0; i + l->min <= len; i++) {
		c = l->ci ? (unsigned)lower(u[i]) : u[i];
		if (l->first[c] == 0)
			continue;
		for (k = l->first[c] - 1u; k < l->n &&
		    (unsigned char)(t = &l->v[l->ord[k]])->s[0] == c; k++) {
			if ((m >> l->ord[k] & 1) == 0 || i + t->len > len)
				continue;
			for (j = 1; j < t->len && (l->ci ? lower(u[i + j]) :
			    u[i + j]) == (unsigned char)t->s[j]; j++)
				;
			if (j == t->len)
				return true;
		}
	}
	return false;
}

/*
 * The bigrams of a view's argv, all arguments (joined or not: a literal
 * across two of them has the separator in it, which no bigram of the
 * set holds, and fails the regex's own way), made once per evaluation
 * when an argv condition with literals first asks.  A literal one of
 * whose bigrams is not in the set is not in any argument, args or
 * cmdline: most are ruled out so, without a pass over the string.
 */
static const uint64_t *
view_grams(struct view *v)
{
	const unsigned char *a;
	size_t i;

	if (v->grams != NULL)
		return v->grams;
	v->grams = xcalloc(GRAM_BITS / 64, sizeof *v->grams);
	for (i = 0; i < v->argc; i++)
		for (a = (const unsigned char *)v->argv[i]; a[0] != '\0' &&
		    a[1] != '\0'; a++) {
			uint16_t g = gram(a[0], a[1]);

			v->grams[g / 64] |= 1ull << (g % 64);
		}
	/* the joins: args and cmdline have a space between arguments */
	for (i = 0; i + 1 < v->argc; i++) {
		size_t n = strlen(v->argv[i]);
		uint16_t g;

		g = gram(n > 0 ? (unsigned char)v->argv[i][n - 1] : ' ', ' ');
		v->grams[g / 64] |= 1ull << (g % 64);
		g = gram(' ', v->argv[i + 1][0] != '\0' ?
		    (unsigned char)v->argv[i + 1][0] : ' ');
		v->grams[g / 64] |= 1ull << (g % 64);
	}
	return v->grams;
}

/* Which of l's literals may be in a string whose bigrams are set (all
 * of them when set is NULL)?  One bit each, by index in l->v. */
static uint64_t
lits_maybe(const struct litset *l, const uint64_t *set)
{
	uint64_t m = 0;
	size_t k, j;
	uint16_t g;

	if (set == NULL)
		return l->n == 64 ? ~0ull : (1ull << l->n) - 1;
	for (k = 0; k < l->n; k++) {
		for (j = 0; j < l->v[k].ngram; j++) {
			g = l->v[k].gram[j];
			if ((set[g / 64] & 1ull << (g % 64)) == 0)
				break;
		}
		if (j == l->v[k].ngram)
			m |= 1ull << k;
	}
	return m;
}

/* Which of c's literals may be in a string whose bigrams are set (NULL:
 * not known), for cond_re(); 0 when c has none. */
static uint64_t
cond_lits(const struct st_cond *c, const uint64_t *set)
{
	return c->lits != NULL ? lits_maybe(c->lits, set) : 0;
}

/* cond_lits() on a view's argv (args, cmdline, an arg): its bigrams are
 * made only for a condition that has literals. */
static uint64_t
view_lits(const struct st_cond *c, struct view *v)
{
	return c->lits != NULL ? cond_lits(c, view_grams(v)) : 0;
}

/*
 * c's pattern on s (len bytes), its literals first (m: those that may be
 * in s, cond_lits()).  A subject without them cannot match,
 * and is not matched: so it can no longer exhaust the matcher either,
 * which used to count as a hit in `match` (the fail-closed rule at the
 * top of this file is for subjects that might match; these cannot).
 */
static int
cond_re(struct eval *e, const struct st_cond *c, const char *s, size_t len,
    uint64_t m)
{
	const struct litset *l = c->lits;

	if (l == NULL)
		return re_match_len(e, c->re, s, len);
	if (m != 0 && lits_in(l, m, s, len))
		return re_match_len(e, c->re, s, len);
	if (check_literals() && pcre2_match(c->re, (PCRE2_SPTR)s, len, 0, 0,
	    e->rs->md, e->rs->mctx) >= 0)
		st_fatal("the required literals of %s \"%s\" are wrong: it "
		    "matches \"%.*s\"", c->name, c->pattern, (int)len, s);
	return 0;
}

static int	cond_compute(struct eval *, const struct st_cond *,
		    struct view *);

/* An argv condition, asked once per view and evaluation (intern_vid);
 * a give-up is counted each time it is asked, as the memo does. */
static int
cond_on_view(struct eval *e, const struct st_cond *c, struct view *v)
{
	uint8_t *r;
	int rc;

	if (c->vid < 0 || v->p == NULL)
		return cond_compute(e, c, v);
	if (v->vres == NULL)
		v->vres = xcalloc(e->rs->nvpats, 1);
	r = &v->vres[c->vid];
	if (*r == MEMO_UNKNOWN) {
		rc = cond_compute(e, c, v);
		*r = rc > 0 ? MEMO_YES : rc == 0 ? MEMO_NO : MEMO_GAVE_UP;
		return rc;
	}
	if (*r == MEMO_GAVE_UP) {
		gave_up(e);
		return -1;
	}
	return *r == MEMO_YES;
}

static int
cond_compute(struct eval *e, const struct st_cond *c, struct view *v)
{
	const char *s;
	uint64_t m;
	size_t i;
	int rc, worst = 0;

	if (c->field == F_ARG) {
		/* which literals the argv may hold is asked once, not for
		 * each argument: with none, no argument is looked at */
		m = view_lits(c, v);
		if (c->lits != NULL && m == 0 && !check_literals())
			return 0;
		for (i = 1; i < v->argc; i++) {
			if ((rc = cond_re(e, c, v->argv[i],
			    strlen(v->argv[i]), m)) == 1)
				return 1;
			if (rc < 0)
				worst = -1;
		}
		return worst;
	}
	if (c->field == F_FILE) {
		for (i = 0; e->ev != NULL && i < e->ev->nnames; i++) {
			if ((s = event_file(e, (unsigned)i)) == NULL)
				continue;
			if ((rc = cond_re(e, c, s, strlen(s),
			    cond_lits(c, NULL))) == 1)
				return 1;
			if (rc < 0)
				worst = -1;
		}
		return worst;
	}
	if (c->pat >= 0 && v->p != NULL)
		return cond_memo(e, c, v);
	if (c->field >= F_FIRST_EVENT)
		s = event_field(e, c->field);
	else {
		s = proc_field(v, c->field);
		/* the joined strings know their length */
		if (s != NULL && c->field == F_ARGS)
			return cond_re(e, c, s, v->args.len,
			    view_lits(c, v));
		if (s != NULL && c->field == F_CMDLINE)
			return cond_re(e, c, s, v->cmdline.len,
			    view_lits(c, v));
	}
	if (s == NULL)
		return 0;
	return cond_re(e, c, s, strlen(s), cond_lits(c, NULL));
}

/* Any process of a list: 1 if one matches, else -1 if one gave up. */
static int
cond_on_kin(struct eval *e, const struct st_cond *c, struct kin *kin)
{
	size_t i;
	int rc, worst = 0;

	for (i = 0; i < kin->n; i++) {
		rc = cond_on_view(e, c, &kin->v[i]);
		if (rc == 1)
			return 1;
		if (rc < 0)
			worst = -1;
	}
	return worst;
}

static int
cond_eval(struct eval *e, const struct st_cond *c)
{
	const struct st_proc *self = e->views[0].p;
	struct view *v;
	size_t d;
	int rc, worst = 0;

	switch (c->scope) {
	case S_SELF:
		return cond_on_view(e, c, &e->views[0]);
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
	case S_CHILD:
		if (self == NULL)
			return 0;
		return cond_on_kin(e, c, kin_at(&e->kids, self->kids, NULL));
	case S_SIBLING:
		if (self == NULL || self->parent == NULL)
			return 0;
		return cond_on_kin(e, c, kin_at(&e->sibs,
		    self->parent->kids, self));
	case S_TARGET:
		if (e->target == NULL)
			return 0;
		if (!e->have_target) {
			view_init(&e->tview, e->target);
			e->have_target = true;
		}
		return cond_on_view(e, c, &e->tview);
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
		rc = cond_eval(e, &a->conds[a->order != NULL ? a->order[i] :
		    i]);
		if (rc == 0 || (rc < 0 && !fail_as))
			return false;
	}
	for (i = 0; i < a->nunless; i++)
		if (alt_holds(e, &a->unless[i], false))
			return false;
	return true;
}

/*
 * One recipe on the process of e.  The most severe alternative that holds
 * wins; then, if any grade holds, the most severe grade sets the severity
 * (up or down: a grade of "low" for a harmless version check applies only
 * when no more severe grade holds as well).
 */
static void
match_recipe(struct eval *e, struct st_recipe *r, unsigned need, st_hit_fn fn,
    void *arg)
{
	struct st_hit h;
	const struct st_alt *best = NULL, *grade = NULL;
	enum st_severity sev, bestsev = ST_SEV_NONE;
	size_t j;

	/* Evaluated again because a sibling (child) exec'd: only what
	 * looks at siblings (children) can have changed, unless a grade
	 * does, which may raise a hit of any alternative. */
	if ((r->grade_scopes & need) != 0)
		need = 0;
	e->r = r;
	for (j = 0; j < r->nmatch; j++) {
		if (need != 0 && (r->match[j].scopes & need) == 0)
			continue;
		sev = r->match[j].severity ? r->match[j].severity : r->severity;
		if (sev > bestsev && alt_holds(e, &r->match[j], true)) {
			best = &r->match[j];
			bestsev = sev;
		}
	}
	if (best == NULL)
		goto out;
	for (j = 0; j < r->nunless; j++)
		if (alt_holds(e, &r->unless[j], false))
			goto out;
	/* a grade that gave up holds only if it would not lower the
	 * severity: padding must not buy a milder finding */
	for (j = 0; j < r->ngrade; j++)
		if ((grade == NULL || r->grade[j].severity > grade->severity) &&
		    alt_holds(e, &r->grade[j], r->grade[j].severity >= bestsev))
			grade = &r->grade[j];
	memset(&h, 0, sizeof h);
	h.recipe = r;
	h.alt = best;
	h.subject = (struct st_proc *)(uintptr_t)e->views[0].p;
	h.ev = e->ev;
	h.target = e->target;
	h.severity = grade != NULL ? grade->severity : bestsev;
	h.reason = grade != NULL ? grade->reason : best->reason;
	fn(&h, arg);
out:
	e->r = NULL;
}

/* Recipes `on` an event of kind `on`, using one of the scopes `need` (0:
 * any), on a started evaluation. */
/*
 * The recipes that may fire on a process running this exe: those with a
 * match alternative whose gate (a first condition on the exe) does not
 * fail on it.  Kept with the exe's memo entry: a build's few hundred
 * binaries each pay once, and an exec then skips at a bit test the
 * recipes about other programs (most of the library: curl's, sudo's,
 * gdb's...) instead of walking their alternatives.  Skipping is exactly
 * what alt_holds would have done: its first condition fails.
 */
static const uint64_t *
exe_gates(struct eval *e)
{
	struct st_recipes *rs = e->rs;
	struct memo_ent *me;
	const struct st_recipe *r;
	size_t i, j;
	bool may;

	if (e->views[0].p == NULL ||
	    (me = view_memo(e, &e->views[0], F_EXE)) == &memo_absent)
		return NULL;
	if (me->can != NULL)
		return me->can;
	me->can = xcalloc((rs->n + 63) / 64, sizeof *me->can);
	for (i = 0; i < rs->n; i++) {
		r = &rs->v[i];
		for (j = 0, may = false; j < r->nmatch && !may; j++)
			may = r->match[j].gate < 0 || memo_result(e, me,
			    r->match[j].gate, r->match[j].conds[
			    r->match[j].order[0]].re) != MEMO_NO;
		if (may)
			me->can[i / 64] |= 1ull << (i % 64);
	}
	return me->can;
}

/* Recipe r, if it is for this kind of event and scope. */
static void
match_one(struct eval *e, struct st_recipe *r, unsigned on,
    unsigned need, st_hit_fn fn, void *arg)
{
	if ((r->on & on) == 0 || (need != 0 && (r->scopes & need) == 0))
		return;
	match_recipe(e, r, need, fn, arg);
}

static void
match_each(struct eval *e, unsigned on, unsigned need, st_hit_fn fn,
    void *arg)
{
	struct st_recipes *rs = e->rs;
	const uint64_t *can = exe_gates(e);
	uint64_t w;
	size_t i, k;

	if (can == NULL) {
		for (i = 0; i < rs->n; i++)
			match_one(e, &rs->v[i], on, need, fn, arg);
		return;
	}
	/*
	 * Only the recipes the exe's bitmap lets through, in order: a site
	 * library of hundreds whose gates fail on a build's binaries costs a
	 * few word tests, not a read of each recipe.
	 */
	for (k = 0; k < (rs->n + 63) / 64; k++)
		for (w = can[k]; w != 0; w &= w - 1) {
			i = k * 64 + (size_t)__builtin_ctzll(w);
			if (i >= rs->n)
				break;
			match_one(e, &rs->v[i], on, need, fn, arg);
		}
}

static void
match_all(struct st_recipes *rs, struct st_proc *p, const struct st_event *ev,
    struct st_proc *target, unsigned on, unsigned need, st_hit_fn fn,
    void *arg)
{
	struct eval e;

	eval_start(&e, rs, p, ev, target);
	match_each(&e, on, need, fn, arg);
	eval_end(&e);
}

/*
 * The conditions exec recipes put on a sibling's or a child's fields,
 * collected once (rebuilt when recipes are added): `pos` from match
 * alternatives and grades, `neg` from exceptions (unless), whose holding
 * can only take a hit away.
 */
struct st_kinconds {
	const struct st_cond **pos[2], **neg[2];	/* 0: sibling, 1: child */
	size_t		 npos[2], nneg[2];
};

static void
kinconds_add(struct st_kinconds *k, const struct st_alt *alts, size_t n,
    bool neg)
{
	const struct st_cond *c;
	size_t i, j, w;

	for (i = 0; i < n; i++) {
		for (j = 0; j < alts[i].nconds; j++) {
			c = &alts[i].conds[j];
			if (c->scope != S_SIBLING && c->scope != S_CHILD)
				continue;
			w = c->scope == S_CHILD;
			if (neg) {
				k->neg[w] = xreallocarray(k->neg[w],
				    k->nneg[w] + 1, sizeof *k->neg[w]);
				k->neg[w][k->nneg[w]++] = c;
			} else {
				k->pos[w] = xreallocarray(k->pos[w],
				    k->npos[w] + 1, sizeof *k->pos[w]);
				k->pos[w][k->npos[w]++] = c;
			}
		}
		kinconds_add(k, alts[i].unless, alts[i].nunless, true);
	}
}

static void
kinconds_free(struct st_kinconds *k)
{
	size_t w;

	if (k == NULL)
		return;
	for (w = 0; w < 2; w++) {
		free(k->pos[w]);
		free(k->neg[w]);
	}
	free(k);
}

static struct st_kinconds *
kinconds(struct st_recipes *rs)
{
	struct st_kinconds *k;
	size_t i;

	if (rs->kinconds != NULL)
		return rs->kinconds;
	k = rs->kinconds = xcalloc(1, sizeof *k);
	for (i = 0; i < rs->n; i++) {
		if ((rs->v[i].on & ST_ON_EXEC) == 0)
			continue;
		kinconds_add(k, rs->v[i].match, rs->v[i].nmatch, false);
		kinconds_add(k, rs->v[i].grade, rs->v[i].ngrade, false);
		kinconds_add(k, rs->v[i].unless, rs->v[i].nunless, true);
	}
	return k;
}

/*
 * Whether p's exec can change what its siblings' (w 0) or its parent's
 * (w 1) recipes find.  The exec changed nothing but p's program, and
 * hits already filed stay filed: it can add a hit or raise a grade only
 * if the new program satisfies some sibling (child) condition, or take
 * away an exception if any exception looks at siblings (children): what
 * p showed before (an earlier program, or its parent's, inherited at
 * fork) may have held it.  The library has no such exception, and most
 * execs satisfy no kin condition: without this, each of them
 * re-evaluated up to 16 siblings (KIN_MAX).
 */
static bool
kin_relevant(struct eval *e, struct st_kinconds *k, unsigned w)
{
	size_t i;

	if (k->nneg[w] > 0)
		return true;
	for (i = 0; i < k->npos[w]; i++)
		if (cond_on_view(e, k->pos[w][i], &e->views[0]) != 0)
			return true;
	return false;
}

/* The exec recipes on p's current program, its kin left alone (tests). */
void
st_match_exec(struct st_recipes *rs, struct st_proc *p, st_hit_fn fn,
    void *arg)
{
	match_all(rs, p, NULL, NULL, ST_ON_EXEC, 0, fn, arg);
}

/* What kinds of event ev is, for recipes' "on". */
unsigned
st_event_on(const struct st_event *ev)
{
	const char *sc = ev->sysname;
	unsigned on = 0;

	switch (ev->kind) {
	case ST_EV_EXEC:
		return ST_ON_EXEC;
	case ST_EV_CONFIG:
		return ST_ON_CONFIG;
	case ST_EV_DAEMON:
		return ST_ON_DAEMON;
	case ST_EV_SYSCALL:
		break;
	default:
		return 0;
	}
	if (!ev->has_syscall)
		return 0;
	on = ST_ON_SYSCALL;
	if (strcmp(sc, "connect") == 0 ||
	    (strcmp(sc, "socketcall") == 0 && ev->a0 == 3))
		on |= ST_ON_CONNECT;
	else if (strcmp(sc, "ptrace") == 0 ||
	    strncmp(sc, "process_vm_", 11) == 0)
		on |= ST_ON_PTRACE;
	else if (strcmp(sc, "memfd_create") == 0)
		on |= ST_ON_MEMFD;
	if (ev->nnames > 0 && strcmp(sc, "execve") != 0 &&
	    strcmp(sc, "execveat") != 0)
		on |= ST_ON_FILE;
	return on;
}

/*
 * Every recipe an event can fire: the exec recipes on an exec's process;
 * and, since a pipeline's members exec in any order, the recipes that look
 * at siblings again on the exec's siblings, and those that look at
 * children on its parent (a hit already filed for the same exec is not
 * counted twice: finding.c).  Other events: the recipes on that event,
 * with its process (NULL for the daemon's own records) as the subject.
 */
void
st_match_event(struct st_recipes *rs, struct st_proctree *t, struct st_proc *p,
    const struct st_event *ev, st_hit_fn fn, void *arg)
{
	struct st_proc *s, *target = NULL;
	struct st_kinconds *k;
	struct eval e;
	unsigned on = st_event_on(ev);
	size_t n = 0;
	bool sibs, kids;
	int pid;

	if (on == 0)
		return;
	if (on != ST_ON_EXEC) {
		if ((pid = event_target_pid(ev)) > 0 && t != NULL)
			target = st_proctree_find(t, ev->node, pid);
		match_all(rs, p, ev, target, on, 0, fn, arg);
		return;
	}
	if (p == NULL)
		return;
	eval_start(&e, rs, p, NULL, NULL);
	match_each(&e, ST_ON_EXEC, 0, fn, arg);
	k = kinconds(rs);
	sibs = (rs->scopes & (1u << S_SIBLING)) && p->parent != NULL &&
	    kin_relevant(&e, k, 0);
	kids = (rs->scopes & (1u << S_CHILD)) && p->parent != NULL &&
	    p->parent->image != NULL && kin_relevant(&e, k, 1);
	eval_end(&e);
	if (sibs) {
		for (s = p->parent->kids; s != NULL && n < KIN_MAX;
		    s = s->sib_next) {
			if (s == p)
				continue;
			n++;
			if (s->image == NULL)
				continue;
			rs->kin_rematched++;
			match_all(rs, s, NULL, NULL, ST_ON_EXEC,
			    1u << S_SIBLING, fn, arg);
		}
	}
	if (kids) {
		rs->kin_rematched++;
		match_all(rs, p->parent, NULL, NULL, ST_ON_EXEC, 1u << S_CHILD,
		    fn, arg);
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
