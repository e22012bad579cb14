/*
 * report-sarif.c: SARIF 2.1.0, the format GitHub code scanning (and many
 * other dashboards) read.  One rule per recipe of the set that ran (its
 * ATT&CK technique as a tag, its severity as a level and as GitHub's
 * security-severity), one result per finding.
 *
 * A result's message is for people and goes through st_escape(), like the
 * text report; its properties hold the finding as the JSON report has it
 * (docs/json.md), for machines.  Code scanning accepts only locations in
 * the repository: the location is the workflow file (from the CI's
 * environment), at the step's line when it can be found, and there is no
 * location outside CI.  partialFingerprints keep one alert for the same
 * finding across runs (see st_report_fingerprint).
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "steptrail.h"

#define SARIF_SCHEMA	"https://json.schemastore.org/sarif-2.1.0.json"
/* argv and parents in a message are cut here; properties have all */
#define MESSAGE_ARGV	1000
#define MESSAGE_PARENT	200
/* unseen spans as notifications; the run's properties have them all */
#define BLIND_NOTES	20

static void
add_text(cJSON *o, const char *key, const char *text)
{
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, key), "text",
	    text);
}

/* The text of a recipe's description up to its first ": " (a title). */
static char *
short_description(const char *d)
{
	const char *colon = strstr(d, ": ");

	return colon != NULL ? xstrndup(d, (size_t)(colon - d)) : xstrdup(d);
}

static cJSON *
rule(const struct st_recipe *r)
{
	cJSON *o = cJSON_CreateObject(), *props, *tags, *help;
	struct st_buf b = { 0 }, md = { 0 };
	char *url = st_report_attack_url(r->technique), *title, *lower, *p;
	bool up;

	cJSON_AddStringToObject(o, "id", r->name);
	/* SARIF wants a name for people, not the id again: CodeOnTheFly */
	for (p = r->name, up = true; *p != '\0'; p++) {
		if (*p == '_' || *p == '-') {
			up = true;
			continue;
		}
		st_buf_addc(&b, up && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' +
		    'A') : *p);
		up = false;
	}
	if (strcasecmp(st_buf_cstr(&b), r->name) != 0)	/* "setcap" */
		cJSON_AddStringToObject(o, "name", st_buf_cstr(&b));
	st_buf_reset(&b);
	title = short_description(r->description);
	add_text(o, "shortDescription", title);
	add_text(o, "fullDescription", r->description);
	st_buf_addf(&b, "%s\n\nSeverity: %s. ATT&CK: %s", r->description,
	    st_severity_name(r->severity), r->technique);
	st_buf_addf(&md, "%s\n\nSeverity: **%s**. ATT&CK: ", r->description,
	    st_severity_name(r->severity));
	if (url != NULL)
		st_buf_addf(&md, "[%s](%s)", r->technique, url);
	else
		st_buf_adds(&md, r->technique);
	if (r->tactic != NULL) {
		st_buf_addf(&b, " (%s)", r->tactic);
		st_buf_addf(&md, " (%s)", r->tactic);
	}
	st_buf_addf(&b, ".\nRecipe: %s (steptrail recipes list).", r->name);
	st_buf_addf(&md, ".\n\nRecipe `%s`: `steptrail recipes list` shows "
	    "it; docs/recipes.md says how to tune or replace it.", r->name);
	help = cJSON_AddObjectToObject(o, "help");
	cJSON_AddStringToObject(help, "text", st_buf_cstr(&b));
	cJSON_AddStringToObject(help, "markdown", st_buf_cstr(&md));
	if (url != NULL)
		cJSON_AddStringToObject(o, "helpUri", url);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o,
	    "defaultConfiguration"), "level", st_report_level(r->severity));
	props = cJSON_AddObjectToObject(o, "properties");
	tags = cJSON_AddArrayToObject(props, "tags");
	cJSON_AddItemToArray(tags, cJSON_CreateString("security"));
	cJSON_AddItemToArray(tags, cJSON_CreateString("external/mitre-attack/"
	    "technique"));
	st_buf_reset(&b);
	st_buf_addf(&b, "external/mitre-attack/%s", r->technique);
	cJSON_AddItemToArray(tags, cJSON_CreateString(st_buf_cstr(&b)));
	if (r->tactic != NULL) {
		lower = xstrdup(r->tactic);
		for (p = lower; *p != '\0'; p++)
			*p = *p == ' ' ? '-' : (char)(*p >= 'A' && *p <= 'Z' ?
			    *p - 'A' + 'a' : *p);
		cJSON_AddItemToArray(tags, cJSON_CreateString(lower));
		free(lower);
	}
	cJSON_AddStringToObject(props, "security-severity",
	    st_report_score(r->severity));
	cJSON_AddStringToObject(props, "precision", "high");
	cJSON_AddStringToObject(props, "problem.severity",
	    st_report_level(r->severity));
	free(title);
	free(url);
	st_buf_free(&b);
	st_buf_free(&md);
	return o;
}

/* The recipe's index in the rules array, -1 if not of the set. */
static int
rule_index(const struct st_analysis *a, const struct st_recipe *r)
{
	if (a->recipes == NULL || r < a->recipes->v ||
	    r >= a->recipes->v + a->recipes->n)
		return -1;
	return (int)(r - a->recipes->v);
}

static cJSON *
location(const struct st_analysis *a, const struct st_finding *fd)
{
	cJSON *arr, *loc, *phys, *art;
	struct st_buf b = { 0 };
	unsigned line;

	if (a->ci == NULL || a->ci->workflow_file == NULL)
		return NULL;
	arr = cJSON_CreateArray();
	loc = cJSON_CreateObject();
	phys = cJSON_AddObjectToObject(loc, "physicalLocation");
	art = cJSON_AddObjectToObject(phys, "artifactLocation");
	cJSON_AddStringToObject(art, "uri", a->ci->workflow_file);
	cJSON_AddStringToObject(art, "uriBaseId", "%SRCROOT%");
	line = st_ci_step_line(a->ci, fd->step != NULL ? fd->step->name :
	    NULL);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(phys, "region"),
	    "startLine", line > 0 ? line : 1);
	st_report_step(&b, fd);
	add_text(loc, "message", st_buf_cstr(&b));
	st_buf_free(&b);
	cJSON_AddItemToArray(arr, loc);
	return arr;
}

static cJSON *
result(const struct st_analysis *a, const struct st_finding *fd)
{
	cJSON *o = cJSON_CreateObject(), *locs, *props;
	struct st_buf b = { 0 };
	char fp[17], *clean;
	int idx;

	cJSON_AddStringToObject(o, "ruleId", fd->recipe->name);
	if ((idx = rule_index(a, fd->recipe)) >= 0)
		cJSON_AddNumberToObject(o, "ruleIndex", idx);
	cJSON_AddStringToObject(o, "level", st_report_level(fd->severity));
	st_buf_addf(&b, "%s (%s): ", fd->recipe->description,
	    st_severity_name(fd->severity));
	st_report_what(&b, fd, MESSAGE_ARGV);
	st_buf_adds(&b, " in ");
	st_report_step(&b, fd);
	st_buf_adds(&b, ". Parents: ");
	st_report_parents(&b, fd, MESSAGE_PARENT);
	if (fd->reason != NULL)
		st_buf_addf(&b, ". Why %s: %s", st_severity_name(fd->severity),
		    fd->reason);
	if (fd->count > 1)
		st_buf_addf(&b, ". Seen %lu times", fd->count);
	st_buf_addc(&b, '.');
	clean = st_utf8_clean(st_buf_cstr(&b));
	add_text(o, "message", clean);
	free(clean);
	if ((locs = location(a, fd)) != NULL)
		cJSON_AddItemToObject(o, "locations", locs);
	snprintf(fp, sizeof fp, "%016" PRIx64, st_report_fingerprint(fd));
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o,
	    "partialFingerprints"), "steptrailFinding/v1", fp);
	props = st_report_json_finding(fd);
	cJSON_AddStringToObject(props, "security-severity",
	    st_report_score(fd->severity));
	cJSON_AddItemToObject(o, "properties", props);
	st_buf_free(&b);
	return o;
}

/* What the analysis could not see, as the run's notifications. */
static cJSON *
invocation(const struct st_analysis *a)
{
	cJSON *inv = cJSON_CreateObject(), *notes, *n;
	struct st_buf b = { 0 };
	size_t i;

	cJSON_AddBoolToObject(inv, "executionSuccessful", !a->input_failed);
	notes = cJSON_AddArrayToObject(inv, "toolExecutionNotifications");
	for (i = 0; i < a->source.n; i++) {
		if (a->source.v[i].error == NULL)
			continue;
		st_buf_reset(&b);
		st_escape(&b, a->source.v[i].name,
		    strlen(a->source.v[i].name));
		st_buf_adds(&b, ": ");
		st_escape(&b, a->source.v[i].error,
		    strlen(a->source.v[i].error));
		n = cJSON_CreateObject();
		cJSON_AddStringToObject(n, "level", "error");
		add_text(n, "message", st_buf_cstr(&b));
		cJSON_AddItemToArray(notes, n);
	}
	if (a->reader.malformed > 0) {
		st_buf_reset(&b);
		st_buf_addf(&b, "%lu malformed lines skipped",
		    a->reader.malformed);
		n = cJSON_CreateObject();
		cJSON_AddStringToObject(n, "level", "warning");
		add_text(n, "message", st_buf_cstr(&b));
		cJSON_AddItemToArray(notes, n);
	}
	if (a->reader.serial_missing > 0) {
		st_buf_reset(&b);
		st_buf_addf(&b, "%lu events missing (gaps in serial numbers): "
		    "the analysis did not see them", a->reader.serial_missing);
		n = cJSON_CreateObject();
		cJSON_AddStringToObject(n, "level", "warning");
		add_text(n, "message", st_buf_cstr(&b));
		cJSON_AddItemToArray(notes, n);
	}
	for (i = 0; i < a->coverage.n && i < BLIND_NOTES; i++) {
		st_buf_reset(&b);
		st_buf_adds(&b, "unseen: ");
		st_report_blind(&b, &a->coverage.v[i]);
		n = cJSON_CreateObject();
		cJSON_AddStringToObject(n, "level", "warning");
		add_text(n, "message", st_buf_cstr(&b));
		cJSON_AddItemToArray(notes, n);
	}
	for (i = 0; i < a->ngave_up; i++) {
		st_buf_reset(&b);
		st_buf_addf(&b, "recipe %s gave up %lu times (PCRE2 limit): "
		    "counted as a match", a->gave_up[i].name, a->gave_up[i].n);
		n = cJSON_CreateObject();
		cJSON_AddStringToObject(n, "level", "warning");
		add_text(n, "message", st_buf_cstr(&b));
		cJSON_AddItemToArray(notes, n);
	}
	st_buf_free(&b);
	return inv;
}

static cJSON *
run(const struct st_analysis *a)
{
	cJSON *o = cJSON_CreateObject(), *driver, *rules, *results, *arr;
	cJSON *props, *ad, *vcs;
	struct st_buf b = { 0 };
	const char *server;
	size_t i;

	driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "tool"),
	    "driver");
	cJSON_AddStringToObject(driver, "name", "steptrail");
	cJSON_AddStringToObject(driver, "version", PACKAGE_VERSION);
	cJSON_AddStringToObject(driver, "semanticVersion", PACKAGE_VERSION);
	rules = cJSON_AddArrayToObject(driver, "rules");
	for (i = 0; a->recipes != NULL && i < a->recipes->n; i++)
		cJSON_AddItemToArray(rules, rule(&a->recipes->v[i]));
	arr = cJSON_AddArrayToObject(o, "invocations");
	cJSON_AddItemToArray(arr, invocation(a));
	if (a->ci != NULL) {
		/* code scanning keeps one analysis per category */
		ad = cJSON_AddObjectToObject(o, "automationDetails");
		st_buf_addf(&b, "steptrail/%s/", a->ci->job != NULL ?
		    a->ci->job : "job");
		cJSON_AddStringToObject(ad, "id", st_buf_cstr(&b));
		if (a->ci->repository != NULL && a->ci->commit != NULL &&
		    strcmp(a->ci->system, "GitHub Actions") == 0) {
			arr = cJSON_AddArrayToObject(o,
			    "versionControlProvenance");
			vcs = cJSON_CreateObject();
			st_buf_reset(&b);
			server = getenv("GITHUB_SERVER_URL");
			st_buf_addf(&b, "%s/%s", server != NULL ? server :
			    "https://github.com", a->ci->repository);
			cJSON_AddStringToObject(vcs, "repositoryUri",
			    st_buf_cstr(&b));
			cJSON_AddStringToObject(vcs, "revisionId",
			    a->ci->commit);
			if (a->ci->ref != NULL)
				cJSON_AddStringToObject(vcs, "branch",
				    a->ci->ref);
			/* the locations' %SRCROOT% is this repository */
			cJSON_AddStringToObject(cJSON_AddObjectToObject(vcs,
			    "mappedTo"), "uriBaseId", "%SRCROOT%");
			cJSON_AddItemToArray(arr, vcs);
		}
	}
	results = cJSON_AddArrayToObject(o, "results");
	for (i = 0; i < a->findings.n; i++)
		cJSON_AddItemToArray(results, result(a, a->findings.v[i]));
	/* the JSON report's statistics, for what a dashboard cannot see */
	props = cJSON_AddObjectToObject(o, "properties");
	st_report_json_stats(props, a);
	st_buf_free(&b);
	return o;
}

int
st_report_sarif(FILE *f, const struct st_analysis *a, char **cause)
{
	cJSON *root = cJSON_CreateObject(), *runs;
	char *text;

	cJSON_AddStringToObject(root, "$schema", SARIF_SCHEMA);
	cJSON_AddStringToObject(root, "version", "2.1.0");
	runs = cJSON_AddArrayToObject(root, "runs");
	cJSON_AddItemToArray(runs, run(a));
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (text == NULL) {
		*cause = xstrdup("cannot render SARIF (out of memory)");
		return -1;
	}
	st_report_json_put(f, text);
	fputc('\n', f);
	free(text);
	return 0;
}
