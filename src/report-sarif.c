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
add_clean(cJSON *o, const char *key, const char *text)
{
	char *clean = st_utf8_clean(text);

	cJSON_AddStringToObject(o, key, clean);
	free(clean);
}

static void
add_text(cJSON *o, const char *key, const char *text)
{
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, key), "text",
	    text);
}

/*
 * The text of a recipe's description up to its first ": " outside
 * parentheses (a title: "... written (/etc/audit/...): ..." is not cut
 * inside the parenthesis).
 */
static char *
short_description(const char *d)
{
	const char *p;
	int depth = 0;

	for (p = d; *p != '\0'; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		else if (depth == 0 && p[0] == ':' && p[1] == ' ')
			return xstrndup(d, (size_t)(p - d));
	}
	return xstrdup(d);
}

/*
 * The rule of recipe r at severity sev: its own id at its default
 * severity, "NAME/SEVERITY" at another, for what a grade made of it
 * (code scanning reads security-severity from the rule, not the result).
 */
static char *
rule_id(const struct st_recipe *r, enum st_severity sev)
{
	char *id, *clean;

	if (sev == r->severity)
		id = xstrdup(r->name);
	else
		id = xasprintf("%s/%s", r->name, st_severity_name(sev));
	clean = st_utf8_clean(id);
	free(id);
	return clean;
}

/* Recipe files may come from anywhere: their text made valid UTF-8. */
struct clean_recipe {
	char	*name, *description, *technique, *tactic;
};

static void
clean_recipe(struct clean_recipe *c, const struct st_recipe *r)
{
	c->name = st_utf8_clean(r->name);
	c->description = st_utf8_clean(r->description);
	c->technique = st_utf8_clean(r->technique);
	c->tactic = r->tactic != NULL ? st_utf8_clean(r->tactic) : NULL;
}

static void
clean_recipe_free(struct clean_recipe *c)
{
	free(c->name);
	free(c->description);
	free(c->technique);
	free(c->tactic);
}

static cJSON *
rule(const struct st_recipe *rec, enum st_severity sev)
{
	cJSON *o = cJSON_CreateObject(), *props, *tags, *help;
	struct st_buf b = { 0 }, md = { 0 };
	struct clean_recipe rr, *r = &rr;
	char *url, *title, *lower, *p, *id;
	bool up;

	clean_recipe(r, rec);
	url = st_report_attack_url(r->technique);
	id = rule_id(rec, sev);
	cJSON_AddStringToObject(o, "id", id);
	/* SARIF wants a name for people, not the id again: CodeOnTheFly */
	for (p = id, up = true; *p != '\0'; p++) {
		if (*p == '/') {
			st_buf_adds(&b, "As");
			up = true;
			continue;
		}
		if (*p == '_' || *p == '-') {
			up = true;
			continue;
		}
		st_buf_addc(&b, up && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' +
		    'A') : *p);
		up = false;
	}
	if (strcasecmp(st_buf_cstr(&b), id) != 0)	/* "setcap" */
		cJSON_AddStringToObject(o, "name", st_buf_cstr(&b));
	st_buf_reset(&b);
	title = short_description(r->description);
	add_text(o, "shortDescription", title);
	add_text(o, "fullDescription", r->description);
	st_buf_addf(&b, "%s\n\nSeverity: %s%s. ATT&CK: %s", r->description,
	    st_severity_name(sev), sev != rec->severity ? " (as graded by "
	    "the finding's content)" : "", r->technique);
	st_buf_addf(&md, "%s\n\nSeverity: **%s**%s. ATT&CK: ",
	    r->description, st_severity_name(sev), sev != rec->severity ?
	    " (as graded by the finding's content)" : "");
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
	    "defaultConfiguration"), "level", st_report_level(sev));
	props = cJSON_AddObjectToObject(o, "properties");
	tags = cJSON_AddArrayToObject(props, "tags");
	cJSON_AddItemToArray(tags, cJSON_CreateString("security"));
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
	    st_report_score(sev));
	cJSON_AddStringToObject(props, "precision", "high");
	/* GitHub's names: error, warning, recommendation */
	cJSON_AddStringToObject(props, "problem.severity", sev >= ST_SEV_HIGH ?
	    "error" : sev == ST_SEV_MEDIUM ? "warning" : "recommendation");
	free(title);
	free(url);
	free(id);
	clean_recipe_free(r);
	st_buf_free(&b);
	st_buf_free(&md);
	return o;
}

/* The rules of graded severities, added as results need them. */
struct extra {
	const struct st_recipe	*r;
	enum st_severity	 sev;
	int			 index;
};

struct extras {
	struct extra	*v;
	size_t		 n;
};

static int
extra_index(const struct extras *x, const struct st_recipe *r,
    enum st_severity sev)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		if (x->v[i].r == r && x->v[i].sev == sev)
			return x->v[i].index;
	return -1;
}

/* The index in the rules array of r at sev, -1 if not there. */
static int
rule_index(const struct st_analysis *a, const struct extras *x,
    const struct st_recipe *r, enum st_severity sev)
{
	if (sev != r->severity)
		return extra_index(x, r, sev);
	if (a->recipes == NULL || r < a->recipes->v ||
	    r >= a->recipes->v + a->recipes->n)
		return -1;
	return (int)(r - a->recipes->v);
}

/*
 * A relative path as a URI reference: the CI named the workflow file (a
 * space, #, % or non-ASCII in it would make the URI invalid), so each
 * byte but unreserved ones and / is percent-encoded.
 */
static void
uri_encode(struct st_buf *b, const char *path)
{
	const unsigned char *p;

	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p) != NULL)
			st_buf_addc(b, (char)*p);
		else
			st_buf_addf(b, "%%%02X", *p);
	}
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
	uri_encode(&b, a->ci->workflow_file);
	cJSON_AddStringToObject(art, "uri", st_buf_cstr(&b));
	st_buf_reset(&b);
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
result(const struct st_analysis *a, const struct extras *x,
    const struct st_finding *fd)
{
	cJSON *o = cJSON_CreateObject(), *locs, *props;
	struct st_buf b = { 0 }, m = { 0 };
	char fp[17], *id;
	const char *p;
	int idx;

	id = rule_id(fd->recipe, fd->severity);
	cJSON_AddStringToObject(o, "ruleId", id);
	free(id);
	if ((idx = rule_index(a, x, fd->recipe, fd->severity)) >= 0)
		cJSON_AddNumberToObject(o, "ruleIndex", idx);
	cJSON_AddStringToObject(o, "level", st_report_level(fd->severity));
	st_escape(&b, fd->recipe->description,
	    strlen(fd->recipe->description));
	st_buf_addf(&b, " (%s): ", st_severity_name(fd->severity));
	st_report_what(&b, fd, MESSAGE_ARGV);
	st_buf_adds(&b, " in ");
	st_report_step(&b, fd);
	st_buf_adds(&b, ". Parents: ");
	st_report_parents(&b, fd, MESSAGE_PARENT);
	if (fd->reason != NULL) {
		st_buf_addf(&b, ". Why %s: ", st_severity_name(fd->severity));
		st_escape(&b, fd->reason, strlen(fd->reason));
	}
	if (fd->count > 1)
		st_buf_addf(&b, ". Seen %lu times", fd->count);
	st_buf_addc(&b, '.');
	/* SARIF reads [text](uri) in a message as a link: the attacker's
	 * brackets are escaped, as SARIF says (backslashes already are) */
	for (p = st_buf_cstr(&b); *p != '\0'; p++) {
		if (*p == '[' || *p == ']')
			st_buf_addc(&m, '\\');
		st_buf_addc(&m, *p);
	}
	add_text(o, "message", st_buf_cstr(&m));
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
	st_buf_free(&m);
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
	cJSON *props, *vcs;
	struct st_buf b = { 0 };
	struct extras x = { 0 };
	const struct st_finding *fd;
	const char *server;
	size_t nrules;
	size_t i;

	driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "tool"),
	    "driver");
	cJSON_AddStringToObject(driver, "name", "steptrail");
	cJSON_AddStringToObject(driver, "version", PACKAGE_VERSION);
	cJSON_AddStringToObject(driver, "semanticVersion", PACKAGE_VERSION);
	rules = cJSON_AddArrayToObject(driver, "rules");
	for (i = 0; a->recipes != NULL && i < a->recipes->n; i++)
		cJSON_AddItemToArray(rules, rule(&a->recipes->v[i],
		    a->recipes->v[i].severity));
	nrules = i;
	/* then the graded severities the results have */
	for (i = 0; i < a->findings.n; i++) {
		fd = a->findings.v[i];
		if (fd->severity == fd->recipe->severity ||
		    extra_index(&x, fd->recipe, fd->severity) >= 0)
			continue;
		x.v = xreallocarray(x.v, x.n + 1, sizeof *x.v);
		x.v[x.n].r = fd->recipe;
		x.v[x.n].sev = fd->severity;
		x.v[x.n++].index = (int)nrules++;
		cJSON_AddItemToArray(rules, rule(fd->recipe, fd->severity));
	}
	arr = cJSON_AddArrayToObject(o, "invocations");
	cJSON_AddItemToArray(arr, invocation(a));
	/*
	 * No automationDetails: upload-sarif fills it (the category, the
	 * workflow, the matrix) only when it is absent, and one set here
	 * would make matrix legs overwrite each other's analyses.
	 */
	if (a->ci != NULL) {
		if (a->ci->repository != NULL && a->ci->commit != NULL &&
		    strcmp(a->ci->system, "GitHub Actions") == 0) {
			arr = cJSON_AddArrayToObject(o,
			    "versionControlProvenance");
			vcs = cJSON_CreateObject();
			st_buf_reset(&b);
			server = getenv("GITHUB_SERVER_URL");
			st_buf_addf(&b, "%s/%s", server != NULL ? server :
			    "https://github.com", a->ci->repository);
			/* the CI's variables, made valid UTF-8 */
			add_clean(vcs, "repositoryUri", st_buf_cstr(&b));
			add_clean(vcs, "revisionId", a->ci->commit);
			if (a->ci->ref != NULL)
				add_clean(vcs, "branch", a->ci->ref);
			/* the locations' %SRCROOT% is this repository */
			cJSON_AddStringToObject(cJSON_AddObjectToObject(vcs,
			    "mappedTo"), "uriBaseId", "%SRCROOT%");
			cJSON_AddItemToArray(arr, vcs);
		}
	}
	results = cJSON_AddArrayToObject(o, "results");
	for (i = 0; i < a->findings.n; i++)
		cJSON_AddItemToArray(results, result(a, &x, a->findings.v[i]));
	/* the JSON report's statistics, for what a dashboard cannot see */
	props = cJSON_AddObjectToObject(o, "properties");
	st_report_json_stats(props, a);
	free(x.v);
	st_buf_free(&b);
	return o;
}

int
st_report_sarif(FILE *f, const struct st_analysis *a, char **cause)
{
	cJSON *root = cJSON_CreateObject(), *runs;

	cJSON_AddStringToObject(root, "$schema", SARIF_SCHEMA);
	cJSON_AddStringToObject(root, "version", "2.1.0");
	runs = cJSON_AddArrayToObject(root, "runs");
	cJSON_AddItemToArray(runs, run(a));
	return st_report_json_emit(f, root, true, cause);
}
