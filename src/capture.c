/*
 * capture.c: putting steptrail's rules into the kernel and taking them out
 * again, leaving the audit configuration exactly as it was found.
 *
 * `install` saves the state it finds (enabled flag, backlog limit, every
 * loaded rule) in a state file *before* it changes anything, so that an
 * install interrupted halfway can still be undone; then it removes the
 * rules that would silence ours (`-a task,never`, which turns syscall
 * auditing off for every new process), enables audit, raises the backlog
 * limit, and prepends our rules to their lists so that no rule loaded
 * earlier can shadow them (the first matching exit rule decides).
 * `remove` deletes every rule whose key starts with steptrail-, puts back
 * what install removed, and sets the enabled flag and backlog limit back
 * if they still hold what install set.  The state file lives in /run:
 * like the kernel's rules, it does not survive a reboot.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <libaudit.h>

#include "steptrail.h"

#define STATE_DIR	"/run/steptrail"
#define STATE_FILE	"state.json"
#define STATE_VERSION	1

/*
 * One user of kernel audit at a time among ours: `rules install`,
 * `rules remove` and `run` hold this lock, and so do the test and
 * benchmark scripts (tests/lib-audit.sh).  Two of them would share one
 * set of rules, and the first to finish would take them from the other.
 * It lives in root's directory, not in world-writable /run/lock, where
 * any build step could hold it (and keep every run out) or plant a
 * symlink for root to follow.
 */
#define LOCK_DIR	"/run/steptrail"
#define LOCK_FILE	LOCK_DIR "/audit.lock"

/*
 * Takes the lock: returns an fd to pass to st_capture_unlock(), or -1
 * with *cause if another user holds it.  A test script that holds it
 * already names the inherited descriptor in STEPTRAIL_AUDIT_LOCK_FD: if
 * that is the lock file, flock() on the shared open file succeeds for its
 * holder (and only for it), and -2 says there is nothing to release.
 */
int
st_capture_lock(char **cause)
{
	struct stat fs, ls;
	const char *env;
	long pfd;
	char *end;
	int fd;

	if ((env = getenv("STEPTRAIL_AUDIT_LOCK_FD")) != NULL) {
		errno = 0;
		pfd = strtol(env, &end, 10);
		if (errno != 0 || end == env || *end != '\0' || pfd < 0 ||
		    pfd > INT_MAX || fstat((int)pfd, &fs) != 0 ||
		    lstat(LOCK_FILE, &ls) != 0 || !S_ISREG(ls.st_mode) ||
		    fs.st_dev != ls.st_dev || fs.st_ino != ls.st_ino) {
			*cause = xasprintf("STEPTRAIL_AUDIT_LOCK_FD=%s is not "
			    "an open %s", env, LOCK_FILE);
			return -1;
		}
		if (flock((int)pfd, LOCK_EX | LOCK_NB) != 0)
			goto held;
		/* ours to use, not the command's (steptrail run) to keep:
		 * a process of it left running would hold the lock */
		(void)fcntl((int)pfd, F_SETFD, FD_CLOEXEC);
		return -2;
	}
	if ((mkdir(LOCK_DIR, 0700) != 0 && errno != EEXIST) ||
	    (fd = open(LOCK_FILE, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) < 0) {
		*cause = xasprintf("%s: %s", LOCK_FILE, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		goto held;
	}
	return fd;
held:
	*cause = xasprintf("another steptrail (rules install or remove, run, "
	    "or a test) is using kernel audit: %s is held", LOCK_FILE);
	return -1;
}

void
st_capture_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* and with it the lock */
}

/* ---------------------------------------------------------- the CI user */

/*
 * Whose ~/.ssh/authorized_keys to watch: --user, else the user who ran
 * sudo (a GitHub runner runs steps as `runner` and steptrail with sudo),
 * else the login user of this session, else a user named runner.
 */
char *
st_ci_home(const char *user, char **cause)
{
	const struct passwd *pw = NULL;
	const char *s;
	uid_t auid;

	if (user != NULL) {
		if ((pw = getpwnam(user)) == NULL) {
			*cause = xasprintf("no user %s on this machine", user);
			return NULL;
		}
	} else if ((s = getenv("SUDO_USER")) != NULL && *s != '\0')
		pw = getpwnam(s);
	else if ((auid = audit_getloginuid()) != (uid_t)-1)
		pw = getpwuid(auid);
	if (pw == NULL && user == NULL)
		pw = getpwnam("runner");
	if (pw == NULL || pw->pw_dir == NULL || pw->pw_dir[0] != '/')
		return NULL;
	return xstrdup(pw->pw_dir);
}

/* ------------------------------------------------------------ the state */

static char *
state_path(void)
{
	const char *dir = getenv("STEPTRAIL_STATE_DIR");

	return xasprintf("%s/%s", dir != NULL && *dir != '\0' ? dir :
	    STATE_DIR, STATE_FILE);
}

static char *
hex_of(const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *s = p;
	char *h = xmalloc(2 * n + 1);
	size_t i;

	for (i = 0; i < n; i++) {
		h[2 * i] = digits[s[i] >> 4];
		h[2 * i + 1] = digits[s[i] & 15];
	}
	h[2 * n] = '\0';
	return h;
}

static struct audit_rule_data *
rule_of_hex(const char *h)
{
	size_t n = strlen(h);
	struct audit_rule_data *d;

	if (n % 2 != 0 || n / 2 < sizeof *d)
		return NULL;
	d = xmalloc(n / 2);
	if (st_hex_decode(h, n, (char *)d) != 0 ||
	    st_rule_size(d) != n / 2) {
		free(d);
		return NULL;
	}
	return d;
}

static cJSON *
rules_json(const struct st_krules *kr)
{
	cJSON *arr = cJSON_CreateArray();
	char *h;
	size_t i;

	for (i = 0; i < kr->n; i++) {
		h = hex_of(kr->v[i], st_rule_size(kr->v[i]));
		cJSON_AddItemToArray(arr, cJSON_CreateString(h));
		free(h);
	}
	return arr;
}

static int
rules_of_json(const cJSON *arr, struct st_krules *kr)
{
	const cJSON *it;
	struct audit_rule_data *d;

	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it) ||
		    (d = rule_of_hex(it->valuestring)) == NULL)
			return -1;
		kr->v = xreallocarray(kr->v, kr->n + 1, sizeof *kr->v);
		kr->v[kr->n++] = d;
	}
	return 0;
}

void
st_capture_state_free(struct st_capture_state *cs)
{
	free(cs->by);
	free(cs->when);
	st_kaudit_rules_free(&cs->before);
	st_kaudit_rules_free(&cs->removed);
	memset(cs, 0, sizeof *cs);
}

static long long
num(const cJSON *o, const char *k, long long dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? (long long)v->valuedouble : dflt;
}

/* 1 loaded, 0 there is none, -1 unreadable (cause set). */
int
st_capture_state_load(struct st_capture_state *cs, char **cause)
{
	char *path = state_path(), buf[65536];
	struct st_buf b = { 0 };
	const cJSON *v;
	cJSON *root = NULL;
	ssize_t n;
	int fd, rc = -1;

	memset(cs, 0, sizeof *cs);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT) {
			free(path);
			return 0;
		}
		*cause = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while ((n = read(fd, buf, sizeof buf)) > 0)
		st_buf_add(&b, buf, (size_t)n);
	close(fd);
	root = cJSON_ParseWithLength(st_buf_cstr(&b), b.len);
	if (root == NULL || num(root, "version", 0) != STATE_VERSION) {
		*cause = xasprintf("%s: not a steptrail state file", path);
		goto out;
	}
	cs->enabled = (uint32_t)num(root, "enabled", 0);
	cs->set_enabled = num(root, "set_enabled", -1);
	cs->backlog_limit = (uint32_t)num(root, "backlog_limit", 0);
	cs->set_backlog = num(root, "set_backlog_limit", -1);
	cs->pid = (long)num(root, "pid", 0);
	v = cJSON_GetObjectItemCaseSensitive(root, "by");
	cs->by = xstrdup(cJSON_IsString(v) ? v->valuestring : "?");
	v = cJSON_GetObjectItemCaseSensitive(root, "time");
	cs->when = xstrdup(cJSON_IsString(v) ? v->valuestring : "?");
	if (rules_of_json(cJSON_GetObjectItemCaseSensitive(root, "before"),
	    &cs->before) != 0 || rules_of_json(
	    cJSON_GetObjectItemCaseSensitive(root, "removed"),
	    &cs->removed) != 0) {
		*cause = xasprintf("%s: damaged rule in the state file", path);
		goto out;
	}
	rc = 1;
out:
	if (rc != 1)
		st_capture_state_free(cs);
	cJSON_Delete(root);
	st_buf_free(&b);
	free(path);
	return rc;
}

/* Written whole to a temporary file and renamed: never half a state. */
static int
state_save(const struct st_capture_state *cs, char **cause)
{
	char *path = state_path(), *tmp = NULL, *text = NULL, *dir;
	cJSON *root = cJSON_CreateObject();
	int fd = -1, rc = -1;

	cJSON_AddNumberToObject(root, "version", STATE_VERSION);
	cJSON_AddStringToObject(root, "by", cs->by);
	cJSON_AddStringToObject(root, "time", cs->when);
	cJSON_AddNumberToObject(root, "pid", (double)cs->pid);
	cJSON_AddNumberToObject(root, "enabled", cs->enabled);
	cJSON_AddNumberToObject(root, "set_enabled", (double)cs->set_enabled);
	cJSON_AddNumberToObject(root, "backlog_limit", cs->backlog_limit);
	cJSON_AddNumberToObject(root, "set_backlog_limit",
	    (double)cs->set_backlog);
	cJSON_AddItemToObject(root, "before", rules_json(&cs->before));
	cJSON_AddItemToObject(root, "removed", rules_json(&cs->removed));
	text = cJSON_Print(root);

	dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		free(dir);
		goto out;
	}
	free(dir);
	tmp = xasprintf("%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(root);
	free(text);
	free(tmp);
	free(path);
	return rc;
}

static void
state_drop(void)
{
	char *path = state_path();

	unlink(path);
	free(path);
}

/* ---------------------------------------------------------------- install */

/* The audit socket, the kernel's status and its rules; -1 with *cause. */
static int
open_kernel(struct st_kstatus *st, struct st_krules *kr, char **cause)
{
	int fd;

	if ((fd = st_kaudit_open(cause)) < 0)
		return -1;
	if (st_kaudit_status(fd, st, cause) != 0 ||
	    st_kaudit_rules(fd, kr, cause) != 0) {
		st_kaudit_close(fd);
		return -1;
	}
	return fd;
}

static bool
is_task(const struct audit_rule_data *d)
{
	return (d->flags & ~AUDIT_FILTER_PREPEND) == AUDIT_FILTER_TASK;
}

static bool
silences_syscalls(const struct audit_rule_data *d)
{
	uint32_t i;

	/* -a task,never with no field (a key aside): no syscall of any new
	 * task audited.  One with fields silences only what it names. */
	if (!is_task(d) || d->action != AUDIT_NEVER)
		return false;
	for (i = 0; i < d->field_count && i < AUDIT_MAX_FIELDS; i++)
		if (d->fields[i] != AUDIT_FILTERKEY)
			return false;
	return true;
}

static bool
loaded(const struct st_krules *kr, const struct audit_rule_data *d)
{
	size_t i;

	for (i = 0; i < kr->n; i++)
		if (st_rule_same(kr->v[i], d))
			return true;
	return false;
}

static void
now_string(char *buf, size_t size)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	st_format_time(buf, size, ts.tv_sec, (unsigned)(ts.tv_nsec / 1000000));
}

void
st_capture_result_free(struct st_capture_result *res)
{
	size_t i;

	for (i = 0; i < res->nnotes; i++)
		free(res->notes[i]);
	free(res->notes);
	memset(res, 0, sizeof *res);
}

static void
note(struct st_capture_result *res, const char *fmt, ...) ST_PRINTF(2, 3);

static void
note(struct st_capture_result *res, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		st_fatal("out of memory");
	res->notes = xreallocarray(res->notes, res->nnotes + 1,
	    sizeof *res->notes);
	res->notes[res->nnotes++] = s;
}

static void	undo_install(char **);

int
st_capture_install(const struct st_ruleset *rs, const char *by,
    bool need_daemon, struct st_capture_result *res, char **cause)
{
	struct st_capture_state cs;
	struct st_kstatus st;
	struct st_krules kr = { 0 };
	char when[ST_TIME_LEN], *err = NULL;
	uint32_t backlog = 0;
	size_t i;
	int fd, have, rc = -1, r;
	bool saved = false;

	memset(res, 0, sizeof *res);
	memset(&cs, 0, sizeof cs);
	if ((fd = open_kernel(&st, &kr, cause)) < 0)
		return -1;
	if (st.enabled == 2) {
		*cause = xstrdup("audit rules are locked (enabled 2, set by "
		    "auditctl -e 2) until the next reboot: nothing can be "
		    "installed");
		goto out;
	}
	if (need_daemon && st.pid == 0) {
		*cause = xstrdup("no audit daemon is registered: the kernel "
		    "would send the records to its own log and drop most of "
		    "them.  Start auditd (apt-get install auditd), or run the "
		    "job under `steptrail run`");
		goto out;
	}
	if ((have = st_capture_state_load(&cs, cause)) < 0)
		goto out;
	if (have == 0) {
		/* Nothing saved: what is loaded now is what remove restores. */
		now_string(when, sizeof when);
		cs.by = xstrdup(by);
		cs.when = xstrdup(when);
		cs.pid = (long)getpid();
		cs.enabled = st.enabled;
		cs.backlog_limit = st.backlog_limit;
		cs.set_enabled = cs.set_backlog = -1;
		for (i = 0; i < kr.n; i++) {
			cs.before.v = xreallocarray(cs.before.v, cs.before.n + 1,
			    sizeof *cs.before.v);
			cs.before.v[cs.before.n] = xmalloc(st_rule_size(kr.v[i]));
			memcpy(cs.before.v[cs.before.n++], kr.v[i],
			    st_rule_size(kr.v[i]));
		}
		for (i = 0; i < rs->n; i++)
			if (rs->v[i].kind == ST_RULE_BACKLOG)
				backlog = rs->v[i].backlog;
		if (st.enabled == 0)
			cs.set_enabled = 1;
		if (backlog > st.backlog_limit)
			cs.set_backlog = backlog;
		for (i = 0; i < kr.n; i++) {
			if (!silences_syscalls(kr.v[i]))
				continue;
			cs.removed.v = xreallocarray(cs.removed.v,
			    cs.removed.n + 1, sizeof *cs.removed.v);
			cs.removed.v[cs.removed.n] = xmalloc(st_rule_size(kr.v[i]));
			memcpy(cs.removed.v[cs.removed.n++], kr.v[i],
			    st_rule_size(kr.v[i]));
		}
		if (state_save(&cs, cause) != 0)
			goto out;
		saved = true;
	} else
		note(res, "already installed (by %s at %s): adding what is "
		    "missing", cs.by, cs.when);

	for (i = 0; i < cs.removed.n; i++) {
		if (!loaded(&kr, cs.removed.v[i]))
			continue;
		if (st_kaudit_delete(fd, cs.removed.v[i], cause) != 0)
			goto out;
		note(res, "removed `-a task,never` (it turns off syscall "
		    "auditing); remove puts it back");
	}
	if (cs.set_enabled >= 0 && st.enabled != (uint32_t)cs.set_enabled) {
		if (st_kaudit_set_enabled(fd, (uint32_t)cs.set_enabled,
		    cause) != 0)
			goto out;
		note(res, "enabled kernel audit (it was %u)", st.enabled);
	}
	if (cs.set_backlog >= 0 && st.backlog_limit < (uint32_t)cs.set_backlog) {
		if (st_kaudit_set_backlog(fd, (uint32_t)cs.set_backlog,
		    cause) != 0)
			goto out;
		note(res, "raised the backlog limit from %u to %lld",
		    st.backlog_limit, cs.set_backlog);
	}
	/* Prepended last to first, they end up first, in file order. */
	for (i = rs->n; i > 0; i--) {
		const struct st_rule *x = &rs->v[i - 1];

		if (x->kind == ST_RULE_BACKLOG)
			continue;
		if (x->skip != NULL) {
			res->skipped++;
			note(res, "skipped %s: %s", x->text, x->skip);
			continue;
		}
		if (loaded(&kr, x->data)) {
			res->already++;
			continue;
		}
		r = st_kaudit_add(fd, x->data, x->list, x->action, true, &err);
		if (r < 0) {
			*cause = xasprintf("%s: %s: %s", x->where, x->text, err);
			free(err);
			goto out;
		}
		free(err);
		err = NULL;
		if (r == 1)
			res->already++;
		else
			res->added++;
	}
	rc = 0;
out:
	st_kaudit_rules_free(&kr);
	st_capture_state_free(&cs);
	st_kaudit_close(fd);
	if (rc != 0 && saved)
		undo_install(cause);
	return rc;
}

/* ----------------------------------------------------------------- remove */

/*
 * After remove: are the rules those found before install?  Differences
 * are someone else's doing since install; they are reported, not undone.
 */
static int
verify(int fd, const struct st_capture_state *cs,
    struct st_capture_result *res, char **cause)
{
	struct st_krules now = { 0 };
	char *key;
	size_t i;

	if (st_kaudit_rules(fd, &now, cause) != 0)
		return -1;
	res->exact = true;
	for (i = 0; i < cs->before.n; i++) {
		if (loaded(&now, cs->before.v[i]))
			continue;
		key = st_rule_key(cs->before.v[i]);
		note(res, "a rule loaded before install is gone (key %s): "
		    "removed by someone else since", key ? key : "none");
		free(key);
		res->exact = false;
	}
	for (i = 0; i < now.n; i++) {
		if (loaded(&cs->before, now.v[i]))
			continue;
		key = st_rule_key(now.v[i]);
		note(res, "a rule not there before install is loaded (key %s): "
		    "added by someone else since", key ? key : "none");
		free(key);
		res->exact = false;
	}
	st_kaudit_rules_free(&now);
	return 0;
}

static int
add_back(int fd, struct audit_rule_data *d, char **cause)
{
	return st_kaudit_add(fd, d, (int)(d->flags & ~AUDIT_FILTER_PREPEND),
	    (int)d->action, false, cause) < 0 ? -1 : 0;
}

/*
 * Puts back the task,never rules install took out, where they were: the
 * task list is first-match, so a rule appended behind the others would not
 * mean what it did.  If the task list is still what install left (the
 * rules found, less those), the ones that followed the first taken out are
 * deleted and added again behind it, in their order; if someone changed it
 * since, the rule goes at its end, and the note says so.
 */
static int
put_back(int fd, const struct st_capture_state *cs,
    const struct st_krules *kr, struct st_capture_result *res, char **cause)
{
	size_t i, j, first = (size_t)-1;
	bool same = true;

	if (cs->removed.n == 0)
		return 0;
	for (i = j = 0; i < cs->before.n; i++) {
		if (!is_task(cs->before.v[i]))
			continue;
		if (loaded(&cs->removed, cs->before.v[i])) {
			if (first == (size_t)-1)
				first = i;
			continue;
		}
		while (j < kr->n && !is_task(kr->v[j]))
			j++;
		if (j == kr->n || !st_rule_same(kr->v[j++], cs->before.v[i]))
			same = false;
	}
	while (j < kr->n && !is_task(kr->v[j]))
		j++;
	if (first == (size_t)-1 || j < kr->n)
		same = false;
	if (!same) {
		for (i = 0; i < cs->removed.n; i++) {
			if (loaded(kr, cs->removed.v[i]))
				continue;
			if (add_back(fd, cs->removed.v[i], cause) != 0)
				return -1;
			note(res, "put back `-a task,never`, at the end of the "
			    "task list (it was changed since install)");
		}
		return 0;
	}
	for (i = first; i < cs->before.n; i++)
		if (is_task(cs->before.v[i]) &&
		    !loaded(&cs->removed, cs->before.v[i]) &&
		    st_kaudit_delete(fd, cs->before.v[i], cause) != 0)
			return -1;
	for (i = first; i < cs->before.n; i++)
		if (is_task(cs->before.v[i]) &&
		    add_back(fd, cs->before.v[i], cause) != 0)
			return -1;
	note(res, "put back `-a task,never` where it was in the task list");
	return 0;
}

int
st_capture_remove(struct st_capture_result *res, char **cause)
{
	struct st_capture_state cs;
	struct st_kstatus st;
	struct st_krules kr = { 0 };
	size_t i;
	int fd, have, rc = -1;

	memset(res, 0, sizeof *res);
	memset(&cs, 0, sizeof cs);
	if ((fd = open_kernel(&st, &kr, cause)) < 0)
		return -1;
	if ((have = st_capture_state_load(&cs, cause)) < 0)
		goto out;
	if (st.enabled == 2) {
		*cause = xstrdup("audit rules are locked (enabled 2) until the "
		    "next reboot: nothing can be removed");
		goto out;
	}
	for (i = 0; i < kr.n; i++) {
		/* ours, and added since install: a steptrail rule loaded
		 * before it (augenrules at boot) is theirs to keep */
		if (!st_rule_is_ours(kr.v[i]) ||
		    (have == 1 && loaded(&cs.before, kr.v[i])))
			continue;
		if (st_kaudit_delete(fd, kr.v[i], cause) != 0)
			goto out;
		res->removed++;
	}
	if (have == 0) {
		note(res, "no saved state (%s not installed by steptrail rules "
		    "install?): only steptrail's rules were removed",
		    res->removed ? "were they" : "was anything");
		rc = 0;
		goto out;
	}
	if (put_back(fd, &cs, &kr, res, cause) != 0)
		goto out;
	/* Set back only what still holds our value: someone may have changed
	 * it since, and theirs is the newer wish. */
	if (cs.set_backlog >= 0 && st.backlog_limit == (uint32_t)cs.set_backlog &&
	    cs.backlog_limit != st.backlog_limit) {
		if (st_kaudit_set_backlog(fd, cs.backlog_limit, cause) != 0)
			goto out;
		note(res, "backlog limit back to %u", cs.backlog_limit);
	}
	if (cs.set_enabled >= 0 && st.enabled == (uint32_t)cs.set_enabled &&
	    cs.enabled != st.enabled) {
		if (st_kaudit_set_enabled(fd, cs.enabled, cause) != 0)
			goto out;
		note(res, "kernel audit back to enabled=%u", cs.enabled);
	}
	if (verify(fd, &cs, res, cause) != 0)
		goto out;
	state_drop();
	rc = 0;
out:
	st_kaudit_rules_free(&kr);
	st_capture_state_free(&cs);
	st_kaudit_close(fd);
	return rc;
}

/* An install that failed halfway takes back what it did, state file too. */
static void
undo_install(char **cause)
{
	struct st_capture_result undo;
	char *why = NULL, *c;

	if (st_capture_remove(&undo, &why) != 0) {
		c = xasprintf("%s; undoing it failed too: %s (run steptrail "
		    "rules remove)", *cause, why);
		free(*cause);
		*cause = c;
		free(why);
	}
	st_capture_result_free(&undo);
}

/* ----------------------------------------------------------------- status */

static char *
daemon_name(uint32_t pid)
{
	char link[64], exe[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/%u/exe", pid);
	if ((n = readlink(link, exe, sizeof exe - 1)) < 0)
		return xstrdup("?");
	exe[n] = '\0';
	return xstrdup(exe);
}

/* 0: capturing everything; 1: something is missing; -1: cannot tell. */
int
st_capture_status(FILE *f, const struct st_ruleset *rs, char **cause)
{
	struct st_capture_state cs;
	struct st_kstatus st;
	struct st_krules kr = { 0 };
	size_t i, j, want = 0, have = 0, theirs = 0;
	bool ok = true, known;
	char *name, *key;
	int fd, rc = -1, saved;

	memset(&cs, 0, sizeof cs);
	if ((fd = open_kernel(&st, &kr, cause)) < 0)
		return -1;
	fprintf(f, "kernel audit  %s\n", st.enabled == 0 ? "disabled (0)" :
	    st.enabled == 1 ? "enabled (1)" : "enabled and locked (2)");
	ok = st.enabled != 0;
	if (st.pid == 0) {
		fputs("daemon        none registered: records go to the kernel "
		    "log and most are dropped\n", f);
		ok = false;
	} else {
		name = daemon_name(st.pid);
		fprintf(f, "daemon        pid %u, %s\n", st.pid, name);
		free(name);
	}
	fprintf(f, "backlog       %u queued, limit %u, wait time %u, lost %u "
	    "since boot\n", st.backlog, st.backlog_limit,
	    st.backlog_wait_time, st.lost);
	fprintf(f, "rule files    %s (%zu)\n", rs->from != NULL ? rs->from :
	    "built in", rs->nfiles);

	for (i = 0; i < rs->n; i++) {
		if (rs->v[i].kind == ST_RULE_BACKLOG)
			continue;
		if (rs->v[i].skip != NULL) {
			fprintf(f, "  skipped     %s  (%s)\n", rs->v[i].text,
			    rs->v[i].skip);
			continue;
		}
		want++;
		if (loaded(&kr, rs->v[i].data))
			have++;
		else
			fprintf(f, "  missing     %s\n", rs->v[i].text);
	}
	fprintf(f, "rules         %zu of steptrail's %zu loaded\n", have, want);
	ok = ok && have == want;
	for (i = 0; i < kr.n; i++) {
		if (!st_rule_is_ours(kr.v[i])) {
			theirs++;
			if (silences_syscalls(kr.v[i]))
				fputs("  warning     `-a task,never` is loaded: "
				    "no syscall of a new process is audited\n",
				    f);
			continue;
		}
		for (j = 0, known = false; j < rs->n && !known; j++)
			known = rs->v[j].data != NULL &&
			    st_rule_same(kr.v[i], rs->v[j].data);
		if (!known) {
			key = st_rule_key(kr.v[i]);
			fprintf(f, "  unknown     a steptrail rule (key %s) that "
			    "these rule files do not have\n", key ? key : "?");
			free(key);
		}
	}
	fprintf(f, "other rules   %zu\n", theirs);
	if ((saved = st_capture_state_load(&cs, cause)) < 0)
		goto out;
	if (saved == 1)
		fprintf(f, "installed     by %s at %s (steptrail rules remove "
		    "restores what was there)\n", cs.by, cs.when);
	rc = ok ? 0 : 1;
out:
	st_kaudit_rules_free(&kr);
	st_capture_state_free(&cs);
	st_kaudit_close(fd);
	return rc;
}
