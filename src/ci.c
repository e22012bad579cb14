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

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	memset(ci, 0, sizeof *ci);
}

/* s without leading blanks and list dashes, and "KEY:" taken off. */
static const char *
yaml_value(const char *s, const char *key)
{
	size_t n = strlen(key);

	while (*s == ' ' || *s == '\t' || *s == '-')
		s++;
	if (strncmp(s, key, n) != 0 || s[n] != ':')
		return NULL;
	for (s += n + 1; *s == ' ' || *s == '\t'; s++)
		continue;
	return s;
}

/* Is the YAML scalar v (to the end of its line, maybe quoted) name? */
static bool
yaml_is(const char *v, const char *name)
{
	size_t n = strlen(name), len = strcspn(v, "\r\n");
	char q = *v;

	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if ((q == '"' || q == '\'') && len >= 2 && v[len - 1] == q) {
		v++;
		len -= 2;
	}
	return len == n && strncmp(v, name, n) == 0;
}

/*
 * The line of the workflow file where the step named name is written, 0
 * if not found: "name: NAME", "uses: NAME" for an action step, "run: CMD"
 * for GitHub's "Run CMD" names of unnamed steps.  A line to point the
 * annotation at, nothing more: the first that matches wins.
 */
unsigned
st_ci_step_line(const struct st_ci *ci, const char *name)
{
	char *path, line[4096];
	const char *v;
	unsigned n = 0, found = 0;
	size_t bytes = 0, len;
	bool start = true;	/* line[] starts a line (fgets cuts long ones) */
	FILE *f;

	if (ci == NULL || ci->workflow_file == NULL || ci->workspace == NULL ||
	    name == NULL || *name == '\0')
		return 0;
	path = xasprintf("%s/%s", ci->workspace, ci->workflow_file);
	f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return 0;
	while (found == 0 && bytes < WORKFLOW_MAX &&
	    fgets(line, sizeof line, f) != NULL) {
		len = strlen(line);
		bytes += len;
		if (start && ++n > 0 &&
		    (((v = yaml_value(line, "name")) != NULL &&
		    yaml_is(v, name)) ||
		    ((v = yaml_value(line, "uses")) != NULL &&
		    yaml_is(v, name)) ||
		    (strncmp(name, "Run ", 4) == 0 &&
		    (v = yaml_value(line, "run")) != NULL &&
		    yaml_is(v, name + 4))))
			found = n;
		start = len > 0 && line[len - 1] == '\n';
	}
	fclose(f);
	return found;
}
