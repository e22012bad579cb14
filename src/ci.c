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
};

static const struct ci_system systems[] = {
	{ "GitHub Actions", "GITHUB_RUN_ID", "GITHUB_REPOSITORY", "GITHUB_SHA",
	    "GITHUB_REF", "GITHUB_WORKFLOW", "GITHUB_JOB", "GITHUB_RUN_ID",
	    NULL },
	{ "GitLab CI", "GITLAB_CI", "CI_PROJECT_PATH", "CI_COMMIT_SHA",
	    "CI_COMMIT_REF_NAME", "CI_PIPELINE_ID", "CI_JOB_NAME", "CI_JOB_ID",
	    "CI_JOB_URL" },
	{ "Jenkins", "JENKINS_URL", "GIT_URL", "GIT_COMMIT", "GIT_BRANCH",
	    "JOB_NAME", "STAGE_NAME", "BUILD_NUMBER", "BUILD_URL" },
};

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
	memset(ci, 0, sizeof *ci);
}
