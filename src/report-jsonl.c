/*
 * report-jsonl.c: one finding per line, named as the Elastic Common Schema
 * names things (event.*, rule.*, threat.*, process.*, process.parent.*,
 * host.*, destination.*, file.*), so that Filebeat, Vector or Fluent Bit
 * can ship it to Elasticsearch, OpenSearch or Splunk as it is.
 *
 * What ECS has no name for (the step, the whole ancestry, the serials, the
 * reason of the severity) is under "steptrail", as the JSON report has it
 * (docs/json.md): nothing of the finding is lost.  Strings from the log are
 * made valid UTF-8 (st_utf8_clean); cJSON escapes control characters.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "steptrail.h"

/* the ECS release whose field names these are */
#define ECS_VERSION	"8.11.0"
#define MESSAGE_ARGV	1000
#define MESSAGE_PARENT	200

static void
add_clean(cJSON *o, const char *k, const char *v)
{
	char *clean;

	if (v == NULL)
		return;
	clean = st_utf8_clean(v);
	cJSON_AddStringToObject(o, k, clean);
	free(clean);
}

static void
add_time(cJSON *o, const char *k, time_t sec, unsigned ms)
{
	char t[ST_TIME_LEN];

	st_format_time(t, sizeof t, sec, ms);
	cJSON_AddStringToObject(o, k, t);
}

/* A one-string array (ECS keeps these as arrays), valid UTF-8 made. */
static void
add_one(cJSON *o, const char *k, const char *v)
{
	char *clean = st_utf8_clean(v);

	cJSON_AddItemToArray(cJSON_AddArrayToObject(o, k),
	    cJSON_CreateString(clean));
	free(clean);
}

/* Elastic's detection rules: low 21, medium 47, high 73, critical 99. */
static int
ecs_severity(enum st_severity s)
{
	static const int score[] = { 0, 21, 47, 73, 99 };

	return s <= ST_SEV_CRITICAL ? score[s] : 0;
}

/* event.category and event.type of what the recipe was on. */
static void
event_kinds(cJSON *ev, const struct st_finding *fd)
{
	const char *category = "process", *type = "start";

	switch (fd->recipe->on) {
	case ST_ON_CONNECT:
		category = "network";
		type = "connection";
		break;
	case ST_ON_FILE:
		category = "file";
		type = "access";
		break;
	case ST_ON_CONFIG:
	case ST_ON_DAEMON:
		category = "configuration";
		type = "change";
		break;
	case ST_ON_PTRACE:
	case ST_ON_MEMFD:
	case ST_ON_SYSCALL:
		type = "info";
		break;
	default:
		break;
	}
	add_one(ev, "category", category);
	add_one(ev, "type", type);
}

static const char *
base(const char *path)
{
	const char *s = path != NULL ? strrchr(path, '/') : NULL;

	return s != NULL ? s + 1 : path;
}

static void
threat(cJSON *o, const struct st_recipe *r)
{
	cJSON *th = cJSON_AddObjectToObject(o, "threat"), *tech, *sub;
	char *url, *parent;
	const char *dot = strchr(r->technique, '.');

	cJSON_AddStringToObject(th, "framework", "MITRE ATT&CK");
	tech = cJSON_AddObjectToObject(th, "technique");
	parent = dot != NULL ? xstrndup(r->technique,
	    (size_t)(dot - r->technique)) : xstrdup(r->technique);
	add_one(tech, "id", parent);
	if ((url = st_report_attack_url(parent)) != NULL)
		add_one(tech, "reference", url);
	free(url);
	if (dot != NULL) {
		sub = cJSON_AddObjectToObject(tech, "subtechnique");
		add_one(sub, "id", r->technique);
		if ((url = st_report_attack_url(r->technique)) != NULL)
			add_one(sub, "reference", url);
		free(url);
	}
	if (r->tactic != NULL)
		add_one(cJSON_AddObjectToObject(th, "tactic"), "name",
		    r->tactic);
	free(parent);
}

static void
process(cJSON *o, const struct st_finding *fd)
{
	cJSON *p = cJSON_AddObjectToObject(o, "process"), *args, *par;
	struct st_buf b = { 0 };
	char id[16];
	size_t i;

	cJSON_AddNumberToObject(p, "pid", fd->pid);
	add_clean(p, "executable", fd->exe);
	add_clean(p, "name", base(fd->exe));
	args = cJSON_AddArrayToObject(p, "args");
	for (i = 0; i < fd->argc; i++) {
		char *clean = st_utf8_clean(fd->argv[i]);

		cJSON_AddItemToArray(args, cJSON_CreateString(clean));
		free(clean);
	}
	cJSON_AddNumberToObject(p, "args_count", (double)(fd->argc_seen >
	    fd->argc ? fd->argc_seen : fd->argc));
	/* the real arguments, joined by spaces, as ECS has it (the
	 * quoted, escaped form for people is in "message") */
	for (i = 0; i < fd->argc; i++) {
		if (i > 0)
			st_buf_addc(&b, ' ');
		st_buf_adds(&b, fd->argv[i]);
	}
	add_clean(p, "command_line", st_buf_cstr(&b));
	add_clean(p, "working_directory", fd->cwd);
	if (fd->euid != UINT32_MAX) {
		snprintf(id, sizeof id, "%lu", (unsigned long)fd->euid);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "user"),
		    "id", id);
	}
	if (fd->uid != UINT32_MAX) {
		snprintf(id, sizeof id, "%lu", (unsigned long)fd->uid);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(p,
		    "real_user"), "id", id);
	}
	par = cJSON_AddObjectToObject(p, "parent");
	cJSON_AddNumberToObject(par, "pid", fd->ppid);
	if (fd->nanc > 0 && fd->anc[0].seen) {
		add_clean(par, "executable", fd->anc[0].exe);
		add_clean(par, "name", base(fd->anc[0].exe));
		add_clean(par, "command_line", fd->anc[0].cmdline);
	}
	st_buf_free(&b);
}

static cJSON *
finding(const struct st_analysis *a, const struct st_finding *fd,
    const char *observer)
{
	cJSON *o = cJSON_CreateObject(), *ev, *r, *x;
	struct st_buf b = { 0 };
	char fp[17], id[16], *url;

	add_time(o, "@timestamp", fd->sec, fd->ms);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "ecs"), "version",
	    ECS_VERSION);
	st_buf_addf(&b, "%s %s: ", st_severity_name(fd->severity),
	    fd->recipe->name);
	st_report_what(&b, fd, MESSAGE_ARGV);
	st_buf_adds(&b, " in ");
	st_report_step(&b, fd);
	st_buf_adds(&b, "; parents: ");
	st_report_parents(&b, fd, MESSAGE_PARENT);
	add_clean(o, "message", st_buf_cstr(&b));

	ev = cJSON_AddObjectToObject(o, "event");
	cJSON_AddStringToObject(ev, "kind", "alert");
	event_kinds(ev, fd);
	cJSON_AddStringToObject(ev, "module", "steptrail");
	cJSON_AddStringToObject(ev, "dataset", "steptrail.finding");
	cJSON_AddStringToObject(ev, "provider", "auditd");
	cJSON_AddNumberToObject(ev, "severity", ecs_severity(fd->severity));
	cJSON_AddNumberToObject(ev, "risk_score", ecs_severity(fd->severity));
	add_time(ev, "start", fd->sec, fd->ms);
	add_time(ev, "end", fd->last_sec, fd->last_ms);
	cJSON_AddNumberToObject(ev, "sequence", fd->serial);
	snprintf(fp, sizeof fp, "%016llx",
	    (unsigned long long)st_report_fingerprint(fd));
	cJSON_AddStringToObject(ev, "hash", fp);
	add_clean(ev, "reason", fd->reason);

	r = cJSON_AddObjectToObject(o, "rule");
	/* recipe files can come from anywhere: valid UTF-8 made */
	add_clean(r, "id", fd->recipe->name);
	add_clean(r, "name", fd->recipe->name);
	add_clean(r, "description", fd->recipe->description);
	add_clean(r, "category", fd->recipe->tactic);
	cJSON_AddStringToObject(r, "ruleset", "steptrail");
	if ((url = st_report_attack_url(fd->recipe->technique)) != NULL)
		cJSON_AddStringToObject(r, "reference", url);
	free(url);
	threat(o, fd->recipe);
	process(o, fd);
	if (fd->auid != UINT32_MAX) {
		snprintf(id, sizeof id, "%lu", (unsigned long)fd->auid);
		x = cJSON_AddObjectToObject(o, "user");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(x, "audit"),
		    "id", id);
	}
	if (st_node_name(fd->node) != NULL)
		add_clean(cJSON_AddObjectToObject(o, "host"), "name",
		    st_node_name(fd->node));
	if (fd->addr != NULL) {
		x = cJSON_AddObjectToObject(o, "destination");
		add_clean(x, "address", fd->addr);
		if (fd->port >= 0)
			cJSON_AddNumberToObject(x, "port", fd->port);
	}
	if (fd->file != NULL)
		add_clean(cJSON_AddObjectToObject(o, "file"), "path", fd->file);
	x = cJSON_AddObjectToObject(o, "observer");
	cJSON_AddStringToObject(x, "product", "steptrail");
	cJSON_AddStringToObject(x, "version", PACKAGE_VERSION);
	if (observer != NULL)
		add_clean(x, "hostname", observer);
	x = st_report_json_finding(fd);
	if (a->ci != NULL)	/* on every line: each line stands alone */
		cJSON_AddItemToObject(x, "ci", st_report_json_ci(a->ci));
	cJSON_AddItemToObject(o, "steptrail", x);
	st_buf_free(&b);
	return o;
}

int
st_report_jsonl(FILE *f, const struct st_analysis *a, char **cause)
{
	char host[256];
	const char *observer = NULL;
	cJSON *o;
	size_t i;

	if (gethostname(host, sizeof host) == 0) {
		host[sizeof host - 1] = '\0';
		observer = host;
	}
	for (i = 0; i < a->findings.n; i++) {
		o = finding(a, a->findings.v[i], observer);
		if (st_report_json_emit(f, o, false, cause) != 0)
			return -1;
	}
	return 0;
}
