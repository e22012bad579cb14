/*
 * rules.c: audit rule files (rules.d/, the auditctl syntax of
 * audit-userspace's rules/) into the kernel's rule structures.
 *
 * The files are compiled into the binary (build-aux/embed-files.sh) so
 * that `steptrail rules install` needs nothing but itself; the installed
 * copies, which an administrator may edit, win when they are there
 * (datadir.c reads them and hands their text here).  The subset of
 * auditctl's syntax the files use is parsed here, line by line:
 *
 *   -b N                               backlog limit
 *   -a LIST,ACTION [-F f=v]... [-S sc[,sc]]... [-k key]
 *   -w PATH -p PERMS -k key            file or directory watch
 *
 * arch and syscalls are set with libaudit's public lookups rather than
 * through audit_rule_syscallbyname_data(), which reads auditctl's private
 * globals (_audit_elf) and would carry state from one rule to the next;
 * every other field goes through audit_rule_fieldpair_data(), as auditctl
 * does, so a rule here is the rule auditctl builds from the same line.
 * Nothing here talks to the kernel (kaudit.c does).
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libaudit.h>

#include "steptrail.h"

#define CI_HOME		"@CI_HOME@"
/* Words in one rule line: ours have under 20; more is a mistake. */
#define TOKENS_MAX	64

void
st_ruleset_free(struct st_ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		free(rs->v[i].text);
		free(rs->v[i].where);
		free(rs->v[i].skip);
		free(rs->v[i].data);
	}
	free(rs->v);
	/* read from a directory: ours (the built-in table is never freed) */
	for (i = 0; rs->files != NULL && i < rs->nfiles; i++) {
		free((char *)rs->files[i].file);
		free((char *)rs->files[i].text);
	}
	free(rs->files);
	free(rs->from);
	memset(rs, 0, sizeof *rs);
}

size_t
st_rule_size(const struct audit_rule_data *d)
{
	return sizeof *d + d->buflen;
}

/* The key (the first one, if several are joined by \001), or NULL. */
char *
st_rule_key(const struct audit_rule_data *d)
{
	const char *sep;
	size_t off = 0, i, len;

	for (i = 0; i < d->field_count && i < AUDIT_MAX_FIELDS; i++) {
		len = d->values[i];
		if (d->fields[i] == AUDIT_FILTERKEY) {
			/* buf holds the strings back to back, unterminated */
			if (off + len > d->buflen)
				return NULL;
			sep = memchr(d->buf + off, '\001', len);
			if (sep != NULL)
				len = (size_t)(sep - (d->buf + off));
			return xstrndup(d->buf + off, len);
		}
		/* string fields take their length of buf, in field order */
		switch (d->fields[i]) {
		case AUDIT_WATCH:
		case AUDIT_DIR:
		case AUDIT_SUBJ_USER:
		case AUDIT_SUBJ_ROLE:
		case AUDIT_SUBJ_TYPE:
		case AUDIT_SUBJ_SEN:
		case AUDIT_SUBJ_CLR:
		case AUDIT_OBJ_USER:
		case AUDIT_OBJ_ROLE:
		case AUDIT_OBJ_TYPE:
		case AUDIT_OBJ_LEV_LOW:
		case AUDIT_OBJ_LEV_HIGH:
		case AUDIT_EXE:		/* (AUDIT_FSTYPE is a number) */
			off += len;
			break;
		}
	}
	return NULL;
}

bool
st_rule_is_ours(const struct audit_rule_data *d)
{
	char *key = st_rule_key(d);
	bool ours = key != NULL && strncmp(key, "steptrail-", 10) == 0;

	free(key);
	return ours;
}

/*
 * Same rule?  Compared as the kernel stores it: list (without the prepend
 * flag), action, fields, syscall mask and strings.  The last
 * AUDIT_SYSCALL_CLASSES bits of the mask name syscall classes, which the
 * kernel expands into the syscalls' own bits and clears: they are not
 * compared (a watch is sent with every bit set and comes back without).
 */
bool
st_rule_same(const struct audit_rule_data *a, const struct audit_rule_data *b)
{
	size_t n = a->field_count, last = AUDIT_BITMASK_SIZE - 1;
	uint32_t classes = ~(~0U >> AUDIT_SYSCALL_CLASSES);

	if ((a->flags & ~AUDIT_FILTER_PREPEND) !=
	    (b->flags & ~AUDIT_FILTER_PREPEND) || a->action != b->action ||
	    a->field_count != b->field_count || a->buflen != b->buflen ||
	    n > AUDIT_MAX_FIELDS)
		return false;
	return memcmp(a->mask, b->mask, last * sizeof a->mask[0]) == 0 &&
	    (a->mask[last] & ~classes) == (b->mask[last] & ~classes) &&
	    memcmp(a->fields, b->fields, n * sizeof a->fields[0]) == 0 &&
	    memcmp(a->values, b->values, n * sizeof a->values[0]) == 0 &&
	    memcmp(a->fieldflags, b->fieldflags, n * sizeof a->fieldflags[0])
	    == 0 && memcmp(a->buf, b->buf, a->buflen) == 0;
}

/* ------------------------------------------------------------- parsing */

struct parse {
	const char	*where;
	struct audit_rule_data *data;
	int		 machine;	/* from -F arch=, -1 until then */
	bool		 syscalls;
};

static int
set_arch(struct parse *ps, const char *value, char **cause)
{
	unsigned int elf;
	int i;

	if (ps->syscalls) {
		*cause = xasprintf("%s: arch must come before the syscalls",
		    ps->where);
		return -1;
	}
	ps->machine = audit_determine_machine(value);
	if (ps->machine < 0 ||
	    (elf = audit_machine_to_elf(ps->machine)) == 0) {
		*cause = xasprintf("%s: arch=%s is not supported on this "
		    "machine", ps->where, value);
		return -1;
	}
	i = (int)ps->data->field_count;
	if (i >= AUDIT_MAX_FIELDS) {
		*cause = xasprintf("%s: too many fields", ps->where);
		return -1;
	}
	ps->data->fields[i] = AUDIT_ARCH;
	ps->data->values[i] = elf;
	ps->data->fieldflags[i] = AUDIT_EQUAL;
	ps->data->field_count++;
	return 0;
}

static int
add_syscalls(struct parse *ps, const char *list, char **cause)
{
	char *copy = xstrdup(list), *name, *save = NULL;
	int machine = ps->machine >= 0 ? ps->machine : audit_detect_machine();
	int nr, rc = 0;

	for (name = strtok_r(copy, ",", &save); name != NULL;
	    name = strtok_r(NULL, ",", &save)) {
		nr = audit_name_to_syscall(name, machine);
		if (nr < 0 || nr >= AUDIT_BITMASK_SIZE * 32) {
			*cause = xasprintf("%s: syscall %s is unknown for %s",
			    ps->where, name, audit_machine_to_name(machine) ?
			    audit_machine_to_name(machine) : "this arch");
			rc = -1;
			break;
		}
		ps->data->mask[nr / 32] |= 1U << (nr % 32);
	}
	free(copy);
	ps->syscalls = true;
	return rc;
}

static int
add_field(struct parse *ps, const char *pair, int list, char **cause)
{
	char *copy;
	int rc;

	if (strncmp(pair, "arch=", 5) == 0)
		return set_arch(ps, pair + 5, cause);
	copy = xstrdup(pair);	/* libaudit writes into it */
	rc = audit_rule_fieldpair_data(&ps->data, copy, list);
	free(copy);
	if (rc != 0) {
		*cause = xasprintf("%s: -F %s: rejected by libaudit (error %d)",
		    ps->where, pair, rc);
		return -1;
	}
	return 0;
}

/*
 * The key is a string field like any other; audit_rule_fieldpair_data()
 * would refuse it here because it checks auditctl's private globals for a
 * syscall having been added.
 */
static int
add_key(struct parse *ps, const char *key, char **cause)
{
	struct audit_rule_data *d = ps->data;
	size_t len = strlen(key);
	uint32_t i = d->field_count;

	if (len == 0 || len > AUDIT_MAX_KEY_LEN || i >= AUDIT_MAX_FIELDS) {
		*cause = xasprintf("%s: bad key", ps->where);
		return -1;
	}
	d = xreallocarray(d, 1, sizeof *d + d->buflen + len);
	d->fields[i] = AUDIT_FILTERKEY;
	d->values[i] = (uint32_t)len;
	d->fieldflags[i] = AUDIT_EQUAL;
	memcpy(d->buf + d->buflen, key, len);
	d->buflen += (uint32_t)len;
	d->field_count++;
	ps->data = d;
	return 0;
}

static int
watch_perms(const char *s)
{
	int perms = 0;

	for (; *s != '\0'; s++) {
		switch (*s) {
		case 'r':
			perms |= AUDIT_PERM_READ;
			break;
		case 'w':
			perms |= AUDIT_PERM_WRITE;
			break;
		case 'x':
			perms |= AUDIT_PERM_EXEC;
			break;
		case 'a':
			perms |= AUDIT_PERM_ATTR;
			break;
		default:
			return -1;
		}
	}
	return perms;
}

/*
 * A watch as auditctl makes it: trailing slashes trimmed, a directory
 * watched as a directory (AUDIT_DIR, the whole subtree), anything else as
 * a file, which need not exist yet if its directory does (the kernel
 * watches the parent).  A watch whose directory is missing here cannot be
 * loaded: it is kept, marked skipped, with the reason.
 */
static int
add_watch(struct parse *ps, struct st_rule *r, const char *path, char **cause)
{
	char *p = xstrdup(path), *dir;
	struct stat sb;
	size_t len = strlen(p);
	int type = AUDIT_WATCH, rc = -1;

	if (p[0] != '/' || len >= PATH_MAX) {
		*cause = xasprintf("%s: -w %s: not an absolute path", ps->where,
		    path);
		goto out;
	}
	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
		type = AUDIT_DIR;
	else {
		dir = xstrdup(p);
		if (stat(dirname(dir), &sb) != 0 || !S_ISDIR(sb.st_mode))
			r->skip = xasprintf("%s does not exist here", p);
		free(dir);
	}
	if (audit_add_watch_dir(type, &ps->data, p) != 0) {
		*cause = xasprintf("%s: -w %s: rejected by libaudit", ps->where,
		    path);
		goto out;
	}
	rc = 0;
out:
	free(p);
	return rc;
}

/* Splits a line on blanks, in place; returns the count or -1. */
static int
tokenize(char *line, char **tok)
{
	char *save = NULL, *t;
	int n = 0;

	for (t = strtok_r(line, " \t", &save); t != NULL;
	    t = strtok_r(NULL, " \t", &save)) {
		if (n == TOKENS_MAX)
			return -1;
		tok[n++] = t;
	}
	return n;
}

static int
list_action(const char *spec, int *list, int *action)
{
	char *a = xstrdup(spec), *b = strchr(a, ',');
	int rc = -1, x;

	if (b == NULL)
		goto out;
	*b++ = '\0';
	/* auditctl takes "always,exit" and "exit,always" */
	if ((x = audit_name_to_action(a)) >= 0) {
		*action = x;
		*list = audit_name_to_flag(b);
	} else {
		*list = audit_name_to_flag(a);
		*action = audit_name_to_action(b);
	}
	rc = *list >= 0 && *action >= 0 ? 0 : -1;
out:
	free(a);
	return rc;
}

static int
parse_line(struct st_ruleset *rs, const char *where, char *line, char **cause)
{
	char *tok[TOKENS_MAX], *key = NULL;
	struct st_rule r;
	struct parse ps;
	unsigned long long n;
	const char *perms = NULL, *watch = NULL;
	char *end;
	int ntok, i, p, rc = -1;

	memset(&r, 0, sizeof r);
	memset(&ps, 0, sizeof ps);
	ps.where = where;
	ps.machine = -1;
	r.text = xstrdup(line);
	r.where = xstrdup(where);
	if ((ntok = tokenize(line, tok)) <= 0) {
		*cause = xasprintf("%s: too many words", where);
		goto out;
	}
	if (strcmp(tok[0], "-b") == 0) {
		errno = 0;
		n = ntok == 2 ? strtoull(tok[1], &end, 10) : 0;
		if (ntok != 2 || errno != 0 || *end != '\0' || n == 0 ||
		    n > UINT32_MAX) {
			*cause = xasprintf("%s: -b needs a number", where);
			goto out;
		}
		r.kind = ST_RULE_BACKLOG;
		r.backlog = (uint32_t)n;
		goto add;
	}
	ps.data = audit_rule_create_data();
	if (ps.data == NULL)
		st_fatal("out of memory (libaudit rule)");
	if (strcmp(tok[0], "-a") == 0 && ntok > 1) {
		r.kind = ST_RULE_SYSCALL;
		if (list_action(tok[1], &r.list, &r.action) != 0) {
			*cause = xasprintf("%s: -a %s: not LIST,ACTION", where,
			    tok[1]);
			goto out;
		}
		i = 2;
	} else if (strcmp(tok[0], "-w") == 0 && ntok > 1) {
		r.kind = ST_RULE_WATCH;
		r.list = AUDIT_FILTER_EXIT;
		r.action = AUDIT_ALWAYS;
		watch = tok[1];
		if (add_watch(&ps, &r, watch, cause) != 0)
			goto out;
		i = 2;
	} else {
		*cause = xasprintf("%s: %s: only -a, -w and -b rules are "
		    "supported", where, tok[0]);
		goto out;
	}
	for (; i < ntok; i++) {
		if (i + 1 == ntok) {
			*cause = xasprintf("%s: %s needs a value", where,
			    tok[i]);
			goto out;
		}
		if (strcmp(tok[i], "-F") == 0) {
			if (strncmp(tok[i + 1], "key=", 4) == 0)
				key = tok[i + 1] + 4;
			else if (add_field(&ps, tok[i + 1], r.list, cause) != 0)
				goto out;
		} else if (strcmp(tok[i], "-S") == 0 && r.kind ==
		    ST_RULE_SYSCALL) {
			if (add_syscalls(&ps, tok[i + 1], cause) != 0)
				goto out;
		} else if (strcmp(tok[i], "-k") == 0)
			key = tok[i + 1];
		else if (strcmp(tok[i], "-p") == 0 && r.kind == ST_RULE_WATCH)
			perms = tok[i + 1];
		else {
			*cause = xasprintf("%s: %s: not supported here", where,
			    tok[i]);
			goto out;
		}
		i++;
	}
	if (r.kind == ST_RULE_WATCH) {
		if (perms == NULL || (p = watch_perms(perms)) <= 0 ||
		    audit_update_watch_perms(ps.data, p) != 0) {
			*cause = xasprintf("%s: -w needs -p with r, w, x or a",
			    where);
			goto out;
		}
	}
	/* The key goes last, as auditctl puts it. */
	if (key == NULL) {
		*cause = xasprintf("%s: every rule needs a key (-k NAME)",
		    where);
		goto out;
	}
	if (add_key(&ps, key, cause) != 0)
		goto out;
	/* as the kernel returns it, so that st_rule_same() can compare */
	ps.data->flags = (uint32_t)r.list;
	ps.data->action = (uint32_t)r.action;
	r.data = ps.data;
	ps.data = NULL;		/* transferred */
add:
	rs->v = xreallocarray(rs->v, rs->n + 1, sizeof *rs->v);
	rs->v[rs->n++] = r;
	memset(&r, 0, sizeof r);	/* transferred */
	rc = 0;
out:
	free(r.text);
	free(r.where);
	free(r.skip);
	free(ps.data);
	return rc;
}

/*
 * One rule file.  @CI_HOME@ is replaced by ci_home; when there is none,
 * rules naming it are kept but skipped, with the reason.
 */
int
st_rules_parse(struct st_ruleset *rs, const char *file, const char *text,
    const char *ci_home, char **cause)
{
	struct st_buf line = { 0 };
	const char *s = text, *nl, *at;
	char *where;
	unsigned lineno = 0;
	bool need_home;
	int rc = 0;

	for (; *s != '\0' && rc == 0; s = *nl ? nl + 1 : nl) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		lineno++;
		st_buf_reset(&line);
		st_buf_add(&line, s, (size_t)(nl - s));
		st_buf_cstr(&line);
		at = line.d + strspn(line.d, " \t");
		if (*at == '\0' || *at == '#')
			continue;
		need_home = strstr(line.d, CI_HOME) != NULL;
		if (need_home && ci_home != NULL) {
			struct st_buf sub = { 0 };
			const char *p = line.d, *q;

			while ((q = strstr(p, CI_HOME)) != NULL) {
				st_buf_add(&sub, p, (size_t)(q - p));
				st_buf_adds(&sub, ci_home);
				p = q + strlen(CI_HOME);
			}
			st_buf_adds(&sub, p);
			st_buf_free(&line);
			line = sub;
		}
		where = xasprintf("%s:%u", file, lineno);
		if (need_home && ci_home == NULL) {
			rs->v = xreallocarray(rs->v, rs->n + 1, sizeof *rs->v);
			memset(&rs->v[rs->n], 0, sizeof rs->v[rs->n]);
			rs->v[rs->n].kind = ST_RULE_WATCH;
			rs->v[rs->n].text = xstrdup(line.d);
			rs->v[rs->n].where = where;
			rs->v[rs->n].skip = xstrdup("no CI user (--user NAME)");
			rs->n++;
			continue;
		}
		rc = parse_line(rs, where, line.d, cause);
		free(where);
	}
	st_buf_free(&line);
	return rc;
}

int
st_rules_load_builtin(struct st_ruleset *rs, const char *ci_home,
    char **cause)
{
	const struct st_embedded *e;

	for (e = st_builtin_rules; e->file != NULL; e++) {
		if (st_rules_parse(rs, e->file, e->text, ci_home, cause) != 0)
			return -1;
		rs->nfiles++;
	}
	return 0;
}

/*
 * The rule files as they are, @CI_HOME@ filled in, for people who load
 * rules with augenrules or auditctl -R (which stops at the first rule that
 * fails): a rule that cannot be loaded here is commented out, with why.
 * rs is the same files parsed, which knows what is skipped.
 */
void
st_rules_print(FILE *f, const struct st_ruleset *rs)
{
	const struct st_embedded *e;
	const char *s, *nl;
	char *where;
	unsigned lineno;
	size_t i, r = 0;

	fprintf(f, "## steptrail rules: %s (%zu files)\n", rs->from != NULL ?
	    rs->from : "built in", rs->nfiles);
	for (e = rs->files != NULL ? rs->files : st_builtin_rules;
	    e->file != NULL; e++) {
		fprintf(f, "## ---- %s\n", e->file);
		for (s = e->text, lineno = 1; *s != '\0';
		    s = *nl ? nl + 1 : nl, lineno++) {
			nl = strchr(s, '\n');
			if (nl == NULL)
				nl = s + strlen(s);
			where = xasprintf("%s:%u", e->file, lineno);
			for (i = r; i < rs->n; i++)
				if (strcmp(rs->v[i].where, where) == 0)
					break;
			free(where);
			if (i == rs->n) {	/* a comment or a blank line */
				fwrite(s, 1, (size_t)(nl - s), f);
				fputc('\n', f);
				continue;
			}
			r = i + 1;
			if (rs->v[i].skip != NULL)
				fprintf(f, "## not loadable here (%s): ",
				    rs->v[i].skip);
			fprintf(f, "%s\n", rs->v[i].text);
		}
	}
}
