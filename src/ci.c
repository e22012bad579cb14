/*
 * ci.c: which CI run this is, read from the environment at analysis time
 * (the analysis step runs in the job): repository, commit, ref, workflow,
 * job, run and its URL, so that a finding says where to look.
 *
 * A table per CI system; the first whose marker variable is set wins.
 * Values are as the CI sets them, and some are chosen by whoever pushed
 * (a branch name): reports escape them like any other string.
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "steptrail.h"

struct ci_system {
	const char	*name;
	const char	*marker;	/* set when running under this CI */
	const char	*repository;
	const char	*commit;
	const char	*ref;
	const char	*workflow;
	const char	*job;
	const char	*run;
	const char	*url;		/* NULL: made by make_url() */
	const char	*workspace;	/* the checkout */
	const char	*config;	/* the pipeline file, in the checkout */
	const char	*config_default;
};

static const struct ci_system systems[] = {
	{ "GitHub Actions", "GITHUB_RUN_ID", "GITHUB_REPOSITORY", "GITHUB_SHA",
	    "GITHUB_REF", "GITHUB_WORKFLOW", "GITHUB_JOB", "GITHUB_RUN_ID",
	    NULL, "GITHUB_WORKSPACE", NULL, NULL },
	{ "GitLab CI", "GITLAB_CI", "CI_PROJECT_PATH", "CI_COMMIT_SHA",
	    "CI_COMMIT_REF_NAME", "CI_PIPELINE_ID", "CI_JOB_NAME", "CI_JOB_ID",
	    "CI_JOB_URL", "CI_PROJECT_DIR", "CI_CONFIG_PATH", ".gitlab-ci.yml" },
	{ "Jenkins", "JENKINS_URL", "GIT_URL", "GIT_COMMIT", "GIT_BRANCH",
	    "JOB_NAME", "STAGE_NAME", "BUILD_NUMBER", "BUILD_URL", "WORKSPACE",
	    NULL, "Jenkinsfile" },
};

/* The longest workflow file read to find a step's line. */
#define WORKFLOW_MAX	(1024 * 1024)

static char *
env(const char *name)
{
	const char *v = name != NULL ? getenv(name) : NULL;

	return v != NULL && *v != '\0' ? xstrdup(v) : NULL;
}

static void	load_workflow(struct st_ci *);

/* GitHub: SERVER/REPOSITORY/actions/runs/RUN[/attempts/N] */
static char *
github_url(const struct st_ci *ci)
{
	const char *server = getenv("GITHUB_SERVER_URL");
	const char *attempt = getenv("GITHUB_RUN_ATTEMPT");

	if (server == NULL || *server == '\0' || ci->repository == NULL ||
	    ci->run == NULL)
		return NULL;
	if (attempt != NULL && *attempt != '\0' && strcmp(attempt, "1") != 0)
		return xasprintf("%s/%s/actions/runs/%s/attempts/%s", server,
		    ci->repository, ci->run, attempt);
	return xasprintf("%s/%s/actions/runs/%s", server, ci->repository,
	    ci->run);
}

/*
 * GitHub: GITHUB_WORKFLOW_REF is OWNER/REPO/PATH@REF; the path in the
 * repository is what code scanning and annotations want.
 */
static char *
github_workflow_file(const struct st_ci *ci)
{
	const char *ref = getenv("GITHUB_WORKFLOW_REF"), *at;
	size_t n;

	if (ref == NULL || ci->repository == NULL)
		return NULL;
	n = strlen(ci->repository);
	if (strncmp(ref, ci->repository, n) != 0 || ref[n] != '/')
		return NULL;
	ref += n + 1;
	if ((at = strchr(ref, '@')) == NULL)
		at = ref + strlen(ref);
	if (at == ref || ref[0] == '/' || strstr(ref, "..") != NULL)
		return NULL;
	return xstrndup(ref, (size_t)(at - ref));
}

/* 1 if a CI system was recognised (and *ci filled), else 0. */
int
st_ci_from_env(struct st_ci *ci)
{
	const struct ci_system *s;
	size_t i;

	memset(ci, 0, sizeof *ci);
	for (i = 0; i < sizeof systems / sizeof systems[0]; i++) {
		s = &systems[i];
		if (getenv(s->marker) == NULL)
			continue;
		ci->system = s->name;
		ci->repository = env(s->repository);
		ci->commit = env(s->commit);
		ci->ref = env(s->ref);
		ci->workflow = env(s->workflow);
		ci->job = env(s->job);
		ci->run = env(s->run);
		ci->url = s->url != NULL ? env(s->url) : github_url(ci);
		ci->workspace = env(s->workspace);
		if (s->config == NULL && s->config_default == NULL)
			ci->workflow_file = github_workflow_file(ci);
		else if ((ci->workflow_file = env(s->config)) == NULL)
			ci->workflow_file = xstrdup(s->config_default);
		load_workflow(ci);
		ci->cache = xreallocarray(NULL, 1, sizeof *ci->cache);
		memset(ci->cache, 0, sizeof *ci->cache);
		return 1;
	}
	return 0;
}

void
st_ci_free(struct st_ci *ci)
{
	free(ci->repository);
	free(ci->commit);
	free(ci->ref);
	free(ci->workflow);
	free(ci->job);
	free(ci->run);
	free(ci->url);
	free(ci->workflow_file);
	free(ci->workspace);
	free(ci->wf);
	if (ci->cache != NULL)
		free(ci->cache->name);
	free(ci->cache);
	memset(ci, 0, sizeof *ci);
}

/*
 * The workflow file, read once: the job's own steps may have written it (it
 * is in the checkout), so only a regular file, not followed if a symlink,
 * opened without blocking (a FIFO), at most WORKFLOW_MAX bytes.
 */
static void
load_workflow(struct st_ci *ci)
{
	struct stat sb;
	char *path;
	ssize_t n;
	int fd;

	if (ci->workflow_file == NULL || ci->workspace == NULL)
		return;
	path = xasprintf("%s/%s", ci->workspace, ci->workflow_file);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return;
	}
	ci->wf = xreallocarray(NULL, WORKFLOW_MAX + 1, 1);
	while (ci->wf_len < WORKFLOW_MAX && (n = read(fd, ci->wf + ci->wf_len,
	    WORKFLOW_MAX - ci->wf_len)) > 0)
		ci->wf_len += (size_t)n;
	ci->wf[ci->wf_len] = '\0';
	close(fd);
}

/* Line i of the workflow: its text, length and indentation. */
struct wline {
	const char	*s;
	size_t		 len;
	size_t		 indent;
	bool		 blank;		/* empty or a comment */
};

static bool
next_line(const struct st_ci *ci, size_t *pos, struct wline *l)
{
	const char *p, *end = ci->wf + ci->wf_len;

	if (*pos >= ci->wf_len)
		return false;
	l->s = ci->wf + *pos;
	p = memchr(l->s, '\n', (size_t)(end - l->s));
	l->len = p != NULL ? (size_t)(p - l->s) : (size_t)(end - l->s);
	*pos += l->len + 1;
	for (l->indent = 0; l->indent < l->len && l->s[l->indent] == ' ';
	    l->indent++)
		continue;
	l->blank = l->indent == l->len || l->s[l->indent] == '#' ||
	    l->s[l->indent] == '\r';
	return true;
}

/* Is line l "KEY:" (after blanks and a list dash)?  Its value, or NULL. */
static const char *
yaml_key(const struct wline *l, const char *key, size_t *vlen)
{
	const char *s = l->s + l->indent, *end = l->s + l->len, *v;
	size_t n = strlen(key);

	if (s < end && *s == '-')
		for (s++; s < end && *s == ' '; s++)
			continue;
	if ((size_t)(end - s) <= n || strncmp(s, key, n) != 0 || s[n] != ':')
		return NULL;
	for (v = s + n + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		continue;
	*vlen = (size_t)(end - v);
	return v;
}

/* Is the YAML scalar v (maybe quoted, maybe " # comment") name? */
static bool
yaml_is(const char *v, size_t len, const char *name)
{
	size_t n = strlen(name), i;
	char q = len > 0 ? *v : '\0';

	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t' ||
	    v[len - 1] == '\r'))
		len--;
	if ((q == '"' || q == '\'') && len >= 2 && v[len - 1] == q) {
		v++;
		len -= 2;
	} else {
		for (i = 0; i + 1 < len; i++)	/* a plain scalar's comment */
			if (v[i] == ' ' && v[i + 1] == '#') {
				len = i;
				break;
			}
		while (len > 0 && v[len - 1] == ' ')
			len--;
	}
	return len == n && strncmp(v, name, n) == 0;
}

/*
 * Where the steps of this job are: the lines under jobs: JOB: steps: (by
 * indentation, as YAML nests them); the whole file if they cannot be found
 * (another CI's file, or flow style).
 */
static void
steps_range(const struct st_ci *ci, size_t *from, size_t *to)
{
	struct wline l;
	size_t pos = 0, at, vlen, level = 0, ind[3] = { 0 };
	int depth = 0;

	*from = 0;
	*to = ci->wf_len;
	if (ci->job == NULL)
		return;
	while ((at = pos, next_line(ci, &pos, &l))) {
		if (l.blank)
			continue;
		if (depth > 0 && l.indent <= ind[depth - 1]) {
			if (depth == 3) {	/* the end of the steps */
				*to = at;
				return;
			}
			return;		/* the key was not under it */
		}
		if (depth == 0 && l.indent == 0 &&
		    yaml_key(&l, "jobs", &vlen) != NULL) {
			ind[depth++] = 0;
			continue;
		}
		if (depth == 1 && (level == 0 || l.indent == level)) {
			level = l.indent;
			if (yaml_key(&l, ci->job, &vlen) != NULL) {
				ind[depth++] = l.indent;
				continue;
			}
		}
		if (depth == 2 && yaml_key(&l, "steps", &vlen) != NULL) {
			ind[depth++] = l.indent;
			*from = pos;
		}
	}
	if (depth < 3)
		*from = 0;
}

/*
 * The line of the workflow file where the step named name is written, 0
 * if not found: "name: NAME", "uses: NAME" for an action step, and
 * GitHub's own names of unnamed steps, "Run CMD" (run: CMD or uses: CMD)
 * and "Post Run ACTION".  Only among the job's steps; the first that
 * matches wins; the last answer is kept (findings come step by step).
 */
unsigned
st_ci_step_line(const struct st_ci *ci, const char *name)
{
	struct st_ci_cache *c = ci != NULL ? ci->cache : NULL;
	const char *v, *bare = NULL;
	struct wline l;
	size_t pos, from, to, vlen, item = SIZE_MAX;
	unsigned n = 0, found = 0;
	bool dash;

	if (c == NULL || ci->wf == NULL || name == NULL || *name == '\0')
		return 0;
	if (c->name != NULL && strcmp(c->name, name) == 0)
		return c->line;
	if (strncmp(name, "Run ", 4) == 0)
		bare = name + 4;
	else if (strncmp(name, "Post Run ", 9) == 0)
		bare = name + 9;
	steps_range(ci, &from, &to);
	for (pos = 0; found == 0 && pos < to && next_line(ci, &pos, &l);) {
		n++;
		if (l.s < ci->wf + from || l.blank)
			continue;
		/* a step's own keys, not an action's inputs (with: name:):
		 * "- key" at the items' indentation, or "key" 2 deeper */
		if (from > 0) {
			dash = l.s[l.indent] == '-';
			if (item == SIZE_MAX && dash)
				item = l.indent;
			if (item == SIZE_MAX || (dash ? l.indent != item :
			    l.indent != item + 2))
				continue;
		}
		if (((v = yaml_key(&l, "name", &vlen)) != NULL &&
		    yaml_is(v, vlen, name)) ||
		    ((v = yaml_key(&l, "uses", &vlen)) != NULL &&
		    (yaml_is(v, vlen, name) ||
		    (bare != NULL && yaml_is(v, vlen, bare)))) ||
		    (bare != NULL && (v = yaml_key(&l, "run", &vlen)) != NULL &&
		    yaml_is(v, vlen, bare)))
			found = n;
	}
	free(c->name);
	c->name = xstrdup(name);
	c->line = found;
	return found;
}
