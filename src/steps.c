/*
 * steps.c: which build step started each process.
 *
 * A step begins where the CI system's structure shows in the process tree:
 *   - GitHub Actions: every child of Runner.Worker is a step: `bash -e
 *     .../_temp/<uuid>.sh` a run step, `node .../_actions/OWNER/REPO/REF/..`
 *     a JavaScript action (named OWNER/REPO@REF), `docker ...` a container
 *     action;
 *   - GitLab Runner: every child of gitlab-runner (shell executor), and
 *     every shell started with the runner's shell-detection script
 *     (docker executor) is a stage;
 *   - Jenkins: every `sh` running a durable task's
 *     <workspace>@tmp/durable-<id>/script.sh is a step;
 *   - any CI: `steptrail step NAME` writes a marker into the audit trail
 *     naming the calling shell: what that shell starts afterwards belongs
 *     to the step, until its next marker or `steptrail step --end`.
 * Every other process belongs to the step of its parent, fixed when it is
 * created, so a background process that outlives its step stays with the
 * step that started it.  A process whose ancestry is cut (its parent was
 * never seen: started before capture, or records lost) is given the step
 * that was running at the time, and that is said: attribution by time.
 * Steps are numbered in the order they start; `--steps FILE` (the GitHub
 * jobs API's step list) names them by joining on time.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <libaudit.h>

#include "steptrail.h"

/* Ancestors looked at for a step or a marker: a build's tree is a few
 * dozen deep; this bounds the walk on a hostile log's. */
#define DEPTH_MAX	256
/* The API's times are whole seconds: a step matches one second either way. */
#define API_SLACK	1
/* A step list larger than this is not a job's. */
#define LIST_FILE_MAX	(16 * 1024 * 1024)

static const char *const kind_names[] = {
	[ST_STEP_RUN] = "run",
	[ST_STEP_ACTION] = "action",
	[ST_STEP_DOCKER] = "docker",
	[ST_STEP_RUNNER] = "runner",
	[ST_STEP_GITLAB] = "gitlab",
	[ST_STEP_JENKINS] = "jenkins",
	[ST_STEP_MARKER] = "marker",
};

static const char *const attrib_names[] = {
	[ST_ATTR_NONE] = "none",
	[ST_ATTR_TREE] = "tree",
	[ST_ATTR_MARKER] = "marker",
	[ST_ATTR_TIME] = "time",
};

const char *
st_step_kind_name(enum st_step_kind k)
{
	return kind_names[k];
}

const char *
st_attrib_name(enum st_attrib a)
{
	return attrib_names[a];
}

void
st_steps_init(struct st_steps *ss)
{
	memset(ss, 0, sizeof *ss);
}

static void	action_count_free(uint64_t, void *, void *);

void
st_steps_free(struct st_steps *ss)
{
	size_t i;

	for (i = 0; i < ss->n; i++) {
		free(ss->v[i]->name);
		free(ss->v[i]->derived);
		free(ss->v[i]->detail);
		free(ss->v[i]);
	}
	free(ss->v);
	st_map_foreach(&ss->actions, action_count_free, NULL);
	st_map_free(&ss->actions);
	st_map_free(&ss->latest_on);	/* its steps are ss->v's */
	for (i = 0; i < ss->napi; i++)
		free(ss->api[i].name);
	free(ss->api);
	memset(ss, 0, sizeof *ss);
}

static const char *
base(const char *path)
{
	const char *s;

	if (path == NULL)
		return "";
	s = strrchr(path, '/');
	return s != NULL ? s + 1 : path;
}

static bool
later_than(time_t s1, unsigned m1, time_t s2, unsigned m2)
{
	return s1 != s2 ? s1 > s2 : m1 > m2;
}

static struct st_step *
step_new(struct st_steps *ss, enum st_step_kind kind, const char *name,
    const char *detail, const struct st_proc *root, const struct st_event *ev)
{
	struct st_step *s = xcalloc(1, sizeof *s), *prev;

	s->number = ++ss->numbered;
	s->kind = kind;
	s->name = xstrdup(name);
	s->derived = xstrdup(name);
	s->detail = detail != NULL ? xstrdup(detail) : NULL;
	s->node = root != NULL ? root->node : ev->node;
	s->pid = root != NULL ? root->pid : -1;
	s->sec = s->last_sec = ev->sec;
	s->ms = s->last_ms = ev->ms;
	if (ss->n == ss->cap) {
		/* doubling: a long runner log can hold a great many steps */
		ss->cap = ss->cap ? ss->cap * 2 : 16;
		ss->v = xreallocarray(ss->v, ss->cap, sizeof *ss->v);
	}
	ss->v[ss->n++] = s;
	/* time attribution uses the latest step to start */
	if (ss->latest == NULL || !later_than(ss->latest->sec, ss->latest->ms,
	    s->sec, s->ms))
		ss->latest = s;
	prev = st_map_get(&ss->latest_on, (uint64_t)s->node + 1);
	if (prev == NULL || !later_than(prev->sec, prev->ms, s->sec, s->ms))
		st_map_put(&ss->latest_on, (uint64_t)s->node + 1, s);
	return s;
}

/* ------------------------------------------------- recognising a step */

/* A uuid-named script in the runner's _temp directory. */
static const char *
temp_script(char **argv, size_t argc)
{
	const char *s, *t;
	size_t i, n;

	for (i = 1; i < argc; i++) {
		if ((s = strstr(argv[i], "/_temp/")) == NULL)
			continue;
		t = s + 7;
		n = strspn(t, "0123456789abcdef-");
		if (n == 36 && t[n] == '.')
			return argv[i];
	}
	return NULL;
}

/* .../_actions/OWNER/REPO/REF/... -> "OWNER/REPO@REF" */
static char *
action_name(char **argv, size_t argc)
{
	const char *s, *seg[3];
	size_t i, k, n[3];

	for (i = 1; i < argc; i++) {
		if ((s = strstr(argv[i], "/_actions/")) == NULL)
			continue;
		s += 10;
		for (k = 0; k < 3; k++) {
			seg[k] = s;
			n[k] = strcspn(s, "/");
			if (n[k] == 0 || s[n[k]] != '/')
				break;
			s += n[k] + 1;
		}
		if (k == 3)
			return xasprintf("%.*s/%.*s@%.*s", (int)n[0], seg[0],
			    (int)n[1], seg[1], (int)n[2], seg[2]);
	}
	return NULL;
}

/*
 * "docker SUBCOMMAND IMAGE" for a container action: the first operand after
 * the subcommand, skipping options and their values (an option without
 * "=" takes the next word, but for the flags listed).
 */
static char *
docker_name(char **argv, size_t argc)
{
	static const char *const flags[] = { "--rm", "-d", "-i", "-t", "-it",
	    "--init", "--privileged", "--detach", "--interactive", "--tty",
	    "-q", "--quiet", "--pull" };
	size_t i, j;
	bool flag;

	if (argc < 2)
		return xstrdup("docker");
	for (i = 2; i < argc; i++) {
		if (argv[i][0] != '-')
			return xasprintf("docker %s %s", argv[1], argv[i]);
		for (j = 0, flag = false; j < sizeof flags / sizeof flags[0];
		    j++)
			flag = flag || strcmp(argv[i], flags[j]) == 0;
		if (!flag && strchr(argv[i], '=') == NULL)
			i++;
	}
	return xasprintf("docker %s", argv[1]);
}

/*
 * An action that runs again in a job is usually its post step (GitHub
 * runs the same entry point at the end); without the step list that
 * cannot be told from a second use, so it is only numbered.
 */
struct action_count {
	char		*name;
	unsigned	 n;
};

static char *
again(struct st_steps *ss, char *name)
{
	struct action_count *c;
	uint64_t h;
	char *numbered;

	for (h = st_hash64(name, strlen(name));
	    (c = st_map_get(&ss->actions, h)) != NULL; h++)
		if (strcmp(c->name, name) == 0)
			break;
	if (c == NULL) {
		c = xcalloc(1, sizeof *c);
		c->name = xstrdup(name);
		st_map_put(&ss->actions, h, c);
	}
	if (++c->n == 1)
		return name;
	numbered = xasprintf("%s (run %u)", name, c->n);
	free(name);
	return numbered;
}

/* ------------------------------------------------------------ checkpoint */

/* A step a checkpoint carried; number goes on from the highest. */
void
st_steps_adopt(struct st_steps *ss, struct st_step *s)
{
	if (ss->n == ss->cap) {
		ss->cap = ss->cap ? ss->cap * 2 : 16;
		ss->v = xreallocarray(ss->v, ss->cap, sizeof *ss->v);
	}
	ss->v[ss->n++] = s;
	if (s->number > ss->numbered)
		ss->numbered = s->number;
}

/* The latest step to start (on its node, and of all). */
void
st_steps_set_latest(struct st_steps *ss, struct st_step *s, bool of_all)
{
	if (of_all)
		ss->latest = s;
	st_map_put(&ss->latest_on, (uint64_t)s->node + 1, s);
}

struct action_each {
	void		(*fn)(const char *, unsigned, void *);
	void		*arg;
};

static void
action_each_cb(uint64_t key, void *val, void *arg)
{
	struct action_each *e = arg;
	struct action_count *c = val;

	(void)key;
	e->fn(c->name, c->n, e->arg);
}

/* The actions started, and how many times (names "NAME (run N)"). */
void
st_steps_actions(const struct st_steps *ss,
    void (*fn)(const char *, unsigned, void *), void *arg)
{
	struct action_each e = { fn, arg };

	st_map_foreach(&ss->actions, action_each_cb, &e);
}

void
st_steps_set_action(struct st_steps *ss, const char *name, unsigned n)
{
	char *s = again(ss, xstrdup(name));
	struct action_count *c;
	uint64_t h;

	free(s);
	for (h = st_hash64(name, strlen(name));
	    (c = st_map_get(&ss->actions, h)) != NULL; h++)
		if (strcmp(c->name, name) == 0) {
			c->n = n;
			break;
		}
}

static void
action_count_free(uint64_t key, void *val, void *arg)
{
	struct action_count *c = val;

	(void)key;
	(void)arg;
	free(c->name);
	free(c);
}

static bool
is_gitlab_runner(const struct st_proc *p)
{
	const char *b = base(st_proc_exe(p));

	return strcmp(b, "gitlab-runner") == 0 ||
	    strcmp(b, "gitlab-ci-multi-runner") == 0;
}

/*
 * <workspace>@tmp/durable-<hex>/script.sh, Jenkins' durable task: the
 * path, cut out of an argument that may be a whole `sh -c` command line
 * (the plugin's wrapper names the script inside its command string).
 */
static char *
durable_script(char **argv, size_t argc)
{
	const char *b, *t, *d, *e;
	size_t i;

	/* One pass over the words of each argument: linear in its length. */
	for (i = 1; i < argc; i++) {
		for (b = argv[i]; *b != '\0'; b = t + strspn(t, " '\"=")) {
			t = b + strcspn(b, " '\"=");
			if ((d = memmem(b, (size_t)(t - b), "@tmp/durable-", 13)) ==
			    NULL)
				continue;
			if ((e = memmem(d, (size_t)(t - d), "/script.sh", 10)) !=
			    NULL)
				return xstrndup(b, (size_t)(e + 10 - b));
		}
	}
	return NULL;
}

/* "durable-<hex>" of a durable task path */
static bool
same_durable(const char *a, const char *b)
{
	const char *x = a != NULL ? strstr(a, "@tmp/durable-") : NULL;
	const char *y = b != NULL ? strstr(b, "@tmp/durable-") : NULL;
	size_t n;

	if (x == NULL || y == NULL)
		return false;
	n = strcspn(x + 5, "/");
	return n == strcspn(y + 5, "/") && strncmp(x, y, n + 5) == 0;
}

/* The start of GitLab's shell-detection script (docker executor). */
static bool
gitlab_detect_script(char **argv, size_t argc)
{
	return argc >= 3 && strcmp(argv[1], "-c") == 0 &&
	    strncmp(argv[2], "if [ -x /usr/local/bin/bash ]; then", 35) == 0;
}

/*
 * Does this exec start a step?  Only the first program of a step root
 * does: a step script that execs again stays the same step.
 */
static struct st_step *
recognise(struct st_steps *ss, struct st_proc *p, const struct st_event *ev)
{
	const struct st_image *img = p->image;
	const struct st_proc *parent = p->parent;
	const char *script;
	struct st_step *s;
	char *name, *path;

	if (img == NULL || (p->step != NULL && p->step->pid == p->pid &&
	    p->step->node == p->node))
		return NULL;
	if (parent != NULL &&
	    strcmp(base(st_proc_exe(parent)), "Runner.Worker") == 0) {
		if ((script = temp_script(img->argv, img->argc)) != NULL) {
			name = xasprintf("run %s", base(script));
			s = step_new(ss, ST_STEP_RUN, name, script, p, ev);
		} else if ((name = action_name(img->argv, img->argc)) !=
		    NULL) {
			name = again(ss, name);
			s = step_new(ss, ST_STEP_ACTION, name,
			    img->argc > 1 ? img->argv[img->argc - 1] : NULL,
			    p, ev);
		} else if (strcmp(base(img->exe), "docker") == 0) {
			name = docker_name(img->argv, img->argc);
			s = step_new(ss, ST_STEP_DOCKER, name, NULL, p, ev);
		} else {
			name = xstrdup(img->argc > 0 ? base(img->argv[0]) :
			    base(img->exe));
			s = step_new(ss, ST_STEP_RUNNER, name, NULL, p, ev);
		}
		free(name);
		return s;
	}
	if ((parent != NULL && is_gitlab_runner(parent)) ||
	    gitlab_detect_script(img->argv, img->argc)) {
		name = xasprintf("gitlab stage %u", ss->ngitlab + 1);
		ss->ngitlab++;
		s = step_new(ss, ST_STEP_GITLAB, name, NULL, p, ev);
		free(name);
		return s;
	}
	if ((path = durable_script(img->argv, img->argc)) != NULL) {
		/* the wrapper `sh -c '... script.sh ...'` is the step; the
		 * `sh -xe .../script.sh` it runs belongs to it */
		if (p->step != NULL && p->step->kind == ST_STEP_JENKINS &&
		    same_durable(p->step->detail, path)) {
			free(path);
			return NULL;
		}
		name = xasprintf("sh step %u", ss->njenkins + 1);
		ss->njenkins++;
		s = step_new(ss, ST_STEP_JENKINS, name, path, p, ev);
		free(name);
		free(path);
		return s;
	}
	return NULL;
}

/* ------------------------------------------------------- attribution */

/*
 * Is p's ancestry cut?  Its parent is unknown, or known only as a pid
 * (never seen in a record of its own: started before capture, or its
 * records were lost).  init is no cut: a daemon it started belongs to no
 * step.
 */
static bool
cut(const struct st_proc *p)
{
	const struct st_proc *a = p->parent;

	if (a == NULL)
		return p->ppid != 1;
	return a->pid != 1 && a->birth == ST_BORN_PARENT &&
	    a->image == NULL && a->exe == NULL;
}

/* Moves p to step s (NULL: outside), keeping every count right. */
static void
set_step(struct st_steps *ss, struct st_proc *p, struct st_step *s,
    enum st_attrib by)
{
	if (p->attributed) {
		if (p->step != NULL) {
			p->step->processes--;
			if (p->step_by == ST_ATTR_TIME)
				p->step->by_time--;
		} else
			ss->outside_processes--;
	}
	p->step = s;
	p->step_by = s != NULL ? by : ST_ATTR_NONE;
	p->attributed = true;
	if (s != NULL) {
		s->processes++;
		if (by == ST_ATTR_TIME)
			s->by_time++;
	} else
		ss->outside_processes++;
}

/*
 * The step started last on p's node: the machines of an aggregated log
 * run jobs of their own, and a process of one whose ancestry is cut is no
 * part of the step another was running at the time.
 */
static struct st_step *
latest_on(const struct st_steps *ss, const struct st_proc *p)
{
	return st_map_get(&ss->latest_on, (uint64_t)p->node + 1);
}

/* The step of a new process: its nearest ancestor's marker or step. */
static void
attribute(struct st_steps *ss, struct st_proc *p)
{
	const struct st_proc *a;
	size_t n = 0;

	for (a = p->parent; a != NULL && n < DEPTH_MAX; a = a->parent, n++) {
		if (a->marker != NULL) {
			set_step(ss, p, a->marker, ST_ATTR_MARKER);
			return;
		}
		if (a->step != NULL) {
			set_step(ss, p, a->step, a->step_by == ST_ATTR_TIME ?
			    ST_ATTR_TIME : a->step_by);
			return;
		}
	}
	set_step(ss, p, cut(p) ? latest_on(ss, p) : NULL, ST_ATTR_TIME);
}

/*
 * A marker: "steptrail-step op=begin shell=PID name=HEX" or "op=end",
 * written by `steptrail step` into a user message.
 */
static void
marker(struct st_steps *ss, struct st_proctree *t, const struct st_event *ev)
{
	const char *s, *e;
	char op[8] = "", *name = NULL, *tok;
	long shell = 0;
	struct st_proc *sh;
	struct st_step *step;
	size_t n;

	/* `steptrail step` writes a TRUSTED_APP record whose msg= starts
	 * with the marker; other user records can quote strings they got
	 * from users, and are not markers whatever they say */
	if (ev->first_type != AUDIT_TRUSTED_APP || ev->msg == NULL ||
	    (s = strstr(ev->msg, " msg='")) == NULL ||
	    strncmp(s + 6, "steptrail-step ", 15) != 0)
		return;
	for (s += 21; *s != '\0' && *s != '\''; s = e) {
		e = s + strcspn(s, " '");
		tok = xstrndup(s, (size_t)(e - s));
		if (strncmp(tok, "op=", 3) == 0)
			snprintf(op, sizeof op, "%s", tok + 3);
		else if (strncmp(tok, "shell=", 6) == 0)
			shell = strtol(tok + 6, NULL, 10);
		else if (strncmp(tok, "name=", 5) == 0 &&
		    st_is_hex(tok + 5, strlen(tok + 5))) {
			free(name);
			n = strlen(tok + 5) / 2;
			name = xmalloc(n + 1);
			(void)st_hex_decode(tok + 5, 2 * n, name);
			name[n] = '\0';
		}
		free(tok);
		while (*e == ' ')
			e++;
	}
	if (shell <= 0 || shell > INT32_MAX ||
	    (sh = st_proctree_get(t, ev, (int)shell)) == NULL)
		goto out;
	ss->markers++;
	if (strcmp(op, "end") == 0)
		sh->marker = NULL;
	else if (strcmp(op, "begin") == 0 && name != NULL) {
		step = step_new(ss, ST_STEP_MARKER, name, NULL, sh, ev);
		sh->marker = step;
	}
out:
	free(name);
}

void
st_steps_apply(struct st_steps *ss, struct st_proctree *t, struct st_proc *p,
    const struct st_event *ev)
{
	struct st_step *s;

	if (ev->kind == ST_EV_USER) {
		marker(ss, t, ev);
		return;
	}
	if (p == NULL)
		return;
	if (!p->attributed)
		attribute(ss, p);
	if (ev->kind == ST_EV_EXEC) {
		/* a step's root moves from its parent's step to its own */
		if ((s = recognise(ss, p, ev)) != NULL)
			set_step(ss, p, s, ST_ATTR_TREE);
		/* `sh -c 'steptrail step X; cmd'`: the shell execs cmd itself,
		 * after its marker: cmd is X's */
		else if (p->marker != NULL && p->step != p->marker)
			set_step(ss, p, p->marker, ST_ATTR_MARKER);
		if (p->step != NULL)
			p->step->execs++;
		else
			ss->outside_execs++;
	}
	if (p->step != NULL && later_than(ev->sec, ev->ms, p->step->last_sec,
	    p->step->last_ms)) {
		p->step->last_sec = ev->sec;
		p->step->last_ms = ev->ms;
	}
}

/* --------------------------------------------------- the API step list */

static int
parse_time(const char *s, time_t *out)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof tm);
	if (s == NULL || (end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*end == '.')		/* fractions of a second */
		end += 1 + strspn(end + 1, "0123456789");
	if (strcmp(end, "Z") != 0 && strcmp(end, "+00:00") != 0)
		return -1;
	*out = timegm(&tm);
	return 0;
}

/*
 * The job's steps as the GitHub jobs API returns them: {"steps": [...]}
 * (GET .../actions/jobs/ID) or {"jobs": [{"steps": [...]}]} (the first
 * job).  Each step: number, name, started_at, completed_at (ISO 8601 UTC;
 * a step that did not run has null times and is kept for its number).
 */
int
st_steps_load_list(struct st_steps *ss, const char *path, char **cause)
{
	struct st_buf b = { 0 };
	const cJSON *steps, *it, *v;
	char chunk[8192];
	cJSON *root = NULL;
	struct st_api_step *a;
	size_t n;
	FILE *f;
	int rc = -1;

	if ((f = fopen(path, "r")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 &&
	    b.len <= LIST_FILE_MAX)
		st_buf_add(&b, chunk, n);
	if (ferror(f) || b.len > LIST_FILE_MAX) {
		*cause = b.len > LIST_FILE_MAX ? xasprintf("%s: larger than "
		    "%d MiB: not a job's step list", path,
		    LIST_FILE_MAX >> 20) : xasprintf("%s: %s", path,
		    strerror(errno));
		fclose(f);
		st_buf_free(&b);
		return -1;
	}
	fclose(f);
	root = cJSON_ParseWithLength(st_buf_cstr(&b), b.len);
	if (root == NULL) {
		*cause = xasprintf("%s: not valid JSON", path);
		goto out;
	}
	steps = cJSON_GetObjectItemCaseSensitive(root, "steps");
	if (steps == NULL && (v = cJSON_GetObjectItemCaseSensitive(root,
	    "jobs")) != NULL && cJSON_GetArraySize(v) > 0)
		steps = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetArrayItem(v, 0), "steps");
	if (!cJSON_IsArray(steps)) {
		*cause = xasprintf("%s: no \"steps\" array (a GitHub jobs API "
		    "response was expected)", path);
		goto out;
	}
	cJSON_ArrayForEach(it, steps) {
		v = cJSON_GetObjectItemCaseSensitive(it, "name");
		if (!cJSON_IsString(v)) {
			*cause = xasprintf("%s: a step without a name", path);
			goto out;
		}
		ss->api = xreallocarray(ss->api, ss->napi + 1, sizeof *ss->api);
		a = &ss->api[ss->napi++];
		memset(a, 0, sizeof *a);
		a->name = xstrdup(v->valuestring);
		v = cJSON_GetObjectItemCaseSensitive(it, "number");
		/* a cast of a double out of range is undefined */
		a->number = cJSON_IsNumber(v) && v->valuedouble >= 1 &&
		    v->valuedouble <= 1e6 ? (unsigned)v->valuedouble :
		    (unsigned)ss->napi;
		v = cJSON_GetObjectItemCaseSensitive(it, "started_at");
		a->timed = cJSON_IsString(v) &&
		    parse_time(v->valuestring, &a->start) == 0;
		v = cJSON_GetObjectItemCaseSensitive(it, "completed_at");
		if (!cJSON_IsString(v) ||
		    parse_time(v->valuestring, &a->end) != 0)
			a->end = a->start;
	}
	rc = 0;
out:
	cJSON_Delete(root);
	st_buf_free(&b);
	return rc;
}

static bool
runners_own(const struct st_api_step *a)
{
	return strcmp(a->name, "Set up job") == 0 ||
	    strcmp(a->name, "Complete job") == 0;
}

/* Does listed step a's time hold a step that started at sec? */
static bool
holds(const struct st_api_step *a, time_t sec)
{
	/* the API's times are cut to the second; so is sec compared */
	return a->timed && a->start <= sec && sec <= a->end;
}

/*
 * Names the steps seen from the list, walking both in order: a step takes
 * the first unused listed step, after the one the previous step took,
 * whose [started_at, completed_at] holds its start; the runner's own
 * ("Set up job", "Complete job"), which run no step's process, only if no
 * other does.  Listed times are whole seconds and steps follow each other
 * closely, so a step's start often falls in the second its successor
 * starts: order, not nearness, decides.  Steps no time explains take the
 * listed steps left, in order.
 */
void
st_steps_finish(struct st_steps *ss)
{
	struct st_api_step *a;
	struct st_step *s;
	size_t i, k, from = 0;
	int pass;

	if (ss->napi == 0)
		return;
	for (i = 0; i < ss->n; i++) {
		s = ss->v[i];
		a = NULL;
		for (pass = 0; pass < 2 && a == NULL; pass++) {
			for (k = from; k < ss->napi; k++) {
				if (ss->api[k].used ||
				    (pass == 0 && runners_own(&ss->api[k])) ||
				    !holds(&ss->api[k], s->sec))
					continue;
				a = &ss->api[k];
				from = k + 1;
				break;
			}
		}
		if (a == NULL)
			continue;
		a->used = true;
		s->listed = a->number;
		s->named_by = "time";
		free(s->name);
		s->name = xstrdup(a->name);
	}
	for (i = 0, k = 0; i < ss->n; i++) {
		s = ss->v[i];
		if (s->named_by != NULL)
			continue;
		while (k < ss->napi && (ss->api[k].used ||
		    runners_own(&ss->api[k])))
			k++;
		if (k == ss->napi)
			break;
		a = &ss->api[k++];
		a->used = true;
		s->listed = a->number;
		s->named_by = "order";
		free(s->name);
		s->name = xstrdup(a->name);
	}
}
