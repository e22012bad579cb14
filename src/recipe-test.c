/*
 * recipe-test.c: `steptrail recipes test`: every recipe carries examples
 * that must and must not fire it, and this runs them.
 *
 * An example is not matched against a recipe directly: it is turned into
 * the audit events a real run would produce (execs and forks of its
 * ancestors, parent, siblings, children and of the process itself, then
 * the event, if any), which go through the real process tree and the
 * real matcher (st_match_event), as analyze does.  An example with
 * siblings is run twice, the siblings forked before the process and after
 * it, because a pipeline's members exec in either order.
 *
 * Format (docs/recipes.md): "examples": {"match": [EX...], "nomatch":
 * [EX...]}; EX is a command line (split at spaces) or an object:
 *   argv, exe, cwd, path, uid      the process (exe defaults to
 *                                  /usr/bin/ARGV0's basename)
 *   parent                         default: bash -e .../_temp/step.sh
 *   ancestors                      above the parent, nearest first;
 *                                  default: Runner.Worker
 *   siblings, children             processes (same shape, or strings)
 *   step                           the build step's name
 *   event                          for recipes on other events:
 *       syscall, success, addr, port, family, file (string or list),
 *       op, type, enabled, key, request, target (a process)
 *   severity                       what a match must grade to
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>
#include <libaudit.h>

#include "steptrail.h"

struct ex {
	const struct st_recipe *r;
	const char	*where;		/* "file: recipe \"x\": examples.match[2]" */
	struct st_proctree *t;
	struct st_step	*step;
	int		 next_pid;
	unsigned long	 serial;
	int		 subject;	/* pid of the example's process */
	enum st_severity got;		/* most severe hit on the subject */
	const char	*reason;
	char		*error;		/* the example itself is malformed */
};

static void ex_error(struct ex *, const char *, ...) ST_PRINTF(2, 3);

/* The first thing wrong with the example itself, after where it is. */
static void
ex_error(struct ex *x, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (x->error != NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	x->error = xasprintf("%s: %s", x->where, msg);
}

static struct st_event *
event_new(struct ex *x, enum st_event_kind kind, int pid, int ppid)
{
	struct st_event *ev = xcalloc(1, sizeof *ev);

	ev->kind = kind;
	ev->has_syscall = true;
	ev->success = true;
	ev->serial = ++x->serial;
	ev->sec = 1000000 + (time_t)x->serial;
	ev->pid = pid;
	ev->ppid = ppid;
	ev->uid = ev->euid = ev->gid = 1001;
	ev->auid = 1001;
	ev->ses = 1;
	ev->argc = -1;
	ev->items = -1;
	ev->enabled = -1;
	ev->family = ev->port = -1;
	ev->sysname = "";
	return ev;
}

static void
on_hit(const struct st_hit *h, void *arg)
{
	struct ex *x = arg;

	if (h->recipe != x->r)
		return;
	/* the example's process, or no process for a daemon's record */
	if (h->subject != NULL ? h->subject->pid != x->subject :
	    x->subject != -1)
		return;
	if (h->severity > x->got) {
		x->got = h->severity;
		x->reason = h->reason;
	}
}

/* The event through the tree, then the recipe (as analyze.c does). */
static struct st_proc *
feed(struct ex *x, struct st_recipes *rs, struct st_event *ev)
{
	struct st_proc *p;

	p = st_proctree_apply(x->t, ev);
	if (p != NULL && x->step != NULL)
		p->step = x->step;
	if (ev->kind != ST_EV_FORK)
		st_match_event(rs, x->t, p, ev, on_hit, x);
	if (p != NULL && ev->kind == ST_EV_EXEC)
		st_proctree_trim(p);
	st_event_free(ev);
	return p;
}

/* A JSON number that is an integer from lo to hi (casts are then defined). */
static bool
number_in(const cJSON *v, double lo, double hi)
{
	return cJSON_IsNumber(v) && v->valuedouble >= lo &&
	    v->valuedouble <= hi && v->valuedouble == (double)(long long)
	    v->valuedouble;
}

static char *
json_str(struct ex *x, const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v == NULL)
		return NULL;
	if (!cJSON_IsString(v)) {
		ex_error(x, "\"%s\" must be a string", key);
		return NULL;
	}
	return v->valuestring;
}

/* A process of the example: fork (from ppid, when it has one) and exec. */
static int
spawn(struct ex *x, struct st_recipes *rs, const cJSON *spec, int ppid,
    const char *dflt_exe, const char *const *dflt_argv)
{
	struct st_event *ev;
	const cJSON *argv = NULL, *it;
	const char *s, *exe, *base;
	char *copy, *tok, *save;
	int pid = x->next_pid++;

	if (ppid > 0) {
		ev = event_new(x, ST_EV_FORK, ppid, 0);
		ev->sysname = "clone";
		ev->exit = pid;
		feed(x, rs, ev);
	}
	ev = event_new(x, ST_EV_EXEC, pid, ppid > 0 ? ppid : 1);
	ev->sysname = "execve";
	if (cJSON_IsString(spec)) {
		copy = xstrdup(spec->valuestring);
		for (tok = strtok_r(copy, " ", &save); tok != NULL;
		    tok = strtok_r(NULL, " ", &save)) {
			ev->argv = xreallocarray(ev->argv, ev->nargv + 1,
			    sizeof *ev->argv);
			ev->argv[ev->nargv++] = xstrdup(tok);
		}
		free(copy);
	} else if (cJSON_IsObject(spec)) {
		argv = cJSON_GetObjectItemCaseSensitive(spec, "argv");
		if (!cJSON_IsArray(argv) || cJSON_GetArraySize(argv) == 0)
			ex_error(x, "a process needs \"argv\", a non-empty "
			    "array of strings");
		cJSON_ArrayForEach(it, argv) {
			if (!cJSON_IsString(it)) {
				ex_error(x, "\"argv\" must hold strings");
				continue;
			}
			ev->argv = xreallocarray(ev->argv, ev->nargv + 1,
			    sizeof *ev->argv);
			ev->argv[ev->nargv++] = xstrdup(it->valuestring);
		}
		if ((s = json_str(x, spec, "cwd")) != NULL)
			ev->cwd = xstrdup(s);
		if ((s = json_str(x, spec, "path")) != NULL)
			ev->path0 = xstrdup(s);
		if ((it = cJSON_GetObjectItemCaseSensitive(spec, "uid")) !=
		    NULL) {
			if (number_in(it, 0, UINT32_MAX))
				ev->uid = ev->euid = (uint32_t)it->valuedouble;
			else
				ex_error(x, "\"uid\" must be a number from 0 to "
				    "4294967295");
		}
	} else if (spec != NULL)
		ex_error(x, "a process must be a command line or an "
		    "object");
	if (ev->nargv == 0 && dflt_argv != NULL)
		for (; *dflt_argv != NULL; dflt_argv++) {
			ev->argv = xreallocarray(ev->argv, ev->nargv + 1,
			    sizeof *ev->argv);
			ev->argv[ev->nargv++] = xstrdup(*dflt_argv);
		}
	exe = cJSON_IsObject(spec) ? json_str(x, spec, "exe") : NULL;
	if (exe != NULL)
		ev->exe = xstrdup(exe);
	else if (spec == NULL && dflt_exe != NULL)
		ev->exe = xstrdup(dflt_exe);
	else if (ev->nargv > 0) {
		base = strrchr(ev->argv[0], '/');
		ev->exe = ev->argv[0][0] == '/' ? xstrdup(ev->argv[0]) :
		    xasprintf("/usr/bin/%s", base ? base + 1 : ev->argv[0]);
	}
	if (ev->cwd == NULL)
		ev->cwd = xstrdup("/home/runner/work/repo/repo");
	if (ev->path0 == NULL && ev->exe != NULL)
		ev->path0 = xstrdup(ev->nargv > 0 && strchr(ev->argv[0], '/') ?
		    ev->argv[0] : ev->exe);
	base = ev->exe == NULL ? "?" : strrchr(ev->exe, '/') != NULL ?
	    strrchr(ev->exe, '/') + 1 : ev->exe;
	ev->comm = xstrndup(base, strnlen(base, 15));	/* TASK_COMM_LEN */
	feed(x, rs, ev);
	return pid;
}

static void
spawn_list(struct ex *x, struct st_recipes *rs, const cJSON *list, int ppid)
{
	const cJSON *it;

	if (list == NULL)
		return;
	if (!cJSON_IsArray(list)) {
		ex_error(x, "siblings and children must be arrays");
		return;
	}
	cJSON_ArrayForEach(it, list)
		spawn(x, rs, it, ppid, NULL, NULL);
}

static int
family_of(const char *s)
{
	if (strcmp(s, "inet") == 0)
		return AF_INET;
	if (strcmp(s, "inet6") == 0)
		return AF_INET6;
	if (strcmp(s, "unix") == 0)
		return AF_UNIX;
	return atoi(s);
}

static unsigned long long
request_of(const char *s)
{
	static const struct { const char *n; unsigned long long v; } rq[] = {
		{ "PTRACE_TRACEME", 0 }, { "PTRACE_PEEKTEXT", 1 },
		{ "PTRACE_PEEKDATA", 2 }, { "PTRACE_POKETEXT", 4 },
		{ "PTRACE_POKEDATA", 5 }, { "PTRACE_GETREGS", 12 },
		{ "PTRACE_ATTACH", 16 }, { "PTRACE_DETACH", 17 },
		{ "PTRACE_SEIZE", 0x4206 },
	};
	size_t i;

	for (i = 0; i < sizeof rq / sizeof rq[0]; i++)
		if (strcmp(s, rq[i].n) == 0)
			return rq[i].v;
	return strtoull(s, NULL, 0);
}

/* The example's event, made by the subject (or by no process). */
static void
make_event(struct ex *x, struct st_recipes *rs, const cJSON *e, int root)
{
	struct st_event *ev;
	const cJSON *it, *f;
	const char *s, *sc;
	int tpid = -1, type;

	if (!cJSON_IsObject(e)) {
		ex_error(x, "\"event\" must be an object");
		return;
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(e, "target")) != NULL)
		tpid = spawn(x, rs, it, root, NULL, NULL);
	s = json_str(x, e, "type");
	type = s != NULL ? audit_name_to_msg_type(s) : AUDIT_SYSCALL;
	if (type <= 0) {
		ex_error(x, "unknown record type \"%s\"", s);
		return;
	}
	ev = event_new(x, ST_EV_SYSCALL, x->subject, 0);
	ev->first_type = type;
	if (type == AUDIT_CONFIG_CHANGE)
		ev->kind = ST_EV_CONFIG;
	else if (type >= AUDIT_FIRST_DAEMON && type <= AUDIT_LAST_DAEMON) {
		ev->kind = ST_EV_DAEMON;
		ev->has_syscall = false;
	}
	sc = json_str(x, e, "syscall");
	/* sysname is static in real events: keep the example's alive */
	ev->sysname = sc != NULL ? sc : ev->kind == ST_EV_CONFIG ? "sendto" :
	    "";
	if ((it = cJSON_GetObjectItemCaseSensitive(e, "success")) != NULL)
		ev->success = cJSON_IsTrue(it);
	if ((s = json_str(x, e, "addr")) != NULL) {
		ev->addr = xstrdup(s);
		ev->family = strchr(s, ':') ? AF_INET6 : s[0] == '/' ||
		    s[0] == '@' ? AF_UNIX : AF_INET;
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(e, "port")) != NULL) {
		if (number_in(it, 0, 65535))
			ev->port = (int)it->valuedouble;
		else
			ex_error(x, "\"port\" must be a number from 0 to 65535");
	}
	if ((s = json_str(x, e, "family")) != NULL)
		ev->family = family_of(s);
	if ((f = cJSON_GetObjectItemCaseSensitive(e, "file")) != NULL) {
		if (cJSON_IsString(f))
			ev->names[ev->nnames++] = xstrdup(f->valuestring);
		else if (cJSON_IsArray(f)) {
			cJSON_ArrayForEach(it, f)
				if (cJSON_IsString(it) &&
				    ev->nnames < ST_EVENT_NAMES)
					ev->names[ev->nnames++] =
					    xstrdup(it->valuestring);
		} else
			ex_error(x, "\"file\" must be a string or a list");
		ev->cwd = xstrdup("/home/runner/work/repo/repo");
	}
	if ((s = json_str(x, e, "op")) != NULL)
		ev->op = xstrdup(s);
	if ((s = json_str(x, e, "key")) != NULL)
		ev->key = xstrdup(s);
	if ((it = cJSON_GetObjectItemCaseSensitive(e, "enabled")) != NULL) {
		if (number_in(it, 0, 2))
			ev->enabled = (long)it->valuedouble;
		else
			ex_error(x, "\"enabled\" must be 0, 1 or 2");
	}
	if ((s = json_str(x, e, "request")) != NULL)
		ev->a0 = request_of(s);
	if (sc != NULL && strcmp(sc, "ptrace") == 0)
		ev->a1 = tpid > 0 ? (unsigned long long)tpid : 0;
	else if (sc != NULL && strncmp(sc, "process_vm_", 11) == 0)
		ev->a0 = tpid > 0 ? (unsigned long long)tpid : 0;
	else if (sc != NULL && strcmp(sc, "socketcall") == 0)
		ev->a0 = 3;
	if (ev->kind == ST_EV_DAEMON) {
		ev->pid = -1;
		x->subject = -1;
	}
	feed(x, rs, ev);
}

static const char *const runner_argv[] = {
	"/home/runner/actions-runner/bin/Runner.Worker", "spawnclient", "107",
	"110", NULL };
static const char *const step_argv[] = { "bash", "-e",
	"/home/runner/work/_temp/step.sh", NULL };

/* One run of example e; siblings forked before (true) or after. */
static void
run_once(struct ex *x, struct st_recipes *rs, const cJSON *e, bool before)
{
	const cJSON *anc = NULL, *parent = NULL, *sib = NULL, *kids = NULL,
	    *event = NULL, *it;
	const cJSON *chain[ST_ANCESTRY_MAX];
	size_t n = 0, i;
	int root, pid, ppid;
	const char *s;

	x->t = st_proctree_new();
	x->next_pid = 1000;
	x->serial = 0;
	x->got = ST_SEV_NONE;
	x->reason = NULL;
	x->step = NULL;
	if (cJSON_IsObject(e)) {
		anc = cJSON_GetObjectItemCaseSensitive(e, "ancestors");
		parent = cJSON_GetObjectItemCaseSensitive(e, "parent");
		sib = cJSON_GetObjectItemCaseSensitive(e, "siblings");
		kids = cJSON_GetObjectItemCaseSensitive(e, "children");
		event = cJSON_GetObjectItemCaseSensitive(e, "event");
		if ((s = json_str(x, e, "step")) != NULL) {
			x->step = xcalloc(1, sizeof *x->step);
			x->step->number = 1;
			x->step->kind = ST_STEP_MARKER;
			x->step->name = xstrdup(s);
		}
	}
	if (anc != NULL && !cJSON_IsArray(anc))
		ex_error(x, "\"ancestors\" must be an array");
	else if (anc != NULL)
		cJSON_ArrayForEach(it, anc)
			if (n < ST_ANCESTRY_MAX - 2)
				chain[n++] = it;
	/* the topmost first; by default the runner */
	if (n == 0)
		root = spawn(x, rs, NULL, 0, runner_argv[0], runner_argv);
	else
		for (root = 0, i = n; i-- > 0;)
			root = spawn(x, rs, chain[i], root, NULL, NULL);
	ppid = spawn(x, rs, parent, root, "/usr/bin/bash", step_argv);
	if (before)
		spawn_list(x, rs, sib, ppid);
	x->subject = x->next_pid;
	pid = spawn(x, rs, e, ppid, NULL, NULL);
	if (!before)
		spawn_list(x, rs, sib, ppid);
	spawn_list(x, rs, kids, pid);
	if (event != NULL)
		make_event(x, rs, event, root);
	st_proctree_free(x->t);
	x->t = NULL;
	if (x->step != NULL) {
		free(x->step->name);
		free(x->step);
		x->step = NULL;
	}
}

/* Runs one example; prints and returns false if it fails. */
static bool
run_example(struct st_recipes *rs, const struct st_recipe *r,
    const cJSON *e, bool must, const char *where, FILE *out, bool verbose)
{
	struct ex x = { 0 };
	const cJSON *sib = NULL, *sev;
	enum st_severity first, want = ST_SEV_NONE;
	int w;
	bool okay;

	x.r = r;
	x.where = where;
	if (cJSON_IsObject(e)) {
		sib = cJSON_GetObjectItemCaseSensitive(e, "siblings");
		sev = cJSON_GetObjectItemCaseSensitive(e, "severity");
		if (sev != NULL) {
			w = cJSON_IsString(sev) ?
			    st_severity_parse(sev->valuestring) : -1;
			if (w <= 0 || !must)
				ex_error(&x, "\"severity\" must be low, "
				    "medium, high or critical, in a match "
				    "example");
			else
				want = (enum st_severity)w;
		}
	}
	run_once(&x, rs, e, true);
	first = x.got;
	/* the other order must agree (pipelines) */
	if (sib != NULL && x.error == NULL) {
		run_once(&x, rs, e, false);
		if (x.got != first && x.error == NULL)
			x.error = xasprintf("%s: siblings forked before the "
			    "process give %s, after it %s", where,
			    st_severity_name(first),
			    st_severity_name(x.got));
	}
	if (x.error != NULL) {
		fprintf(out, "FAIL %s\n", x.error);
		free(x.error);
		return false;
	}
	if (must)
		okay = x.got != ST_SEV_NONE &&
		    (want == ST_SEV_NONE || x.got == want);
	else
		okay = x.got == ST_SEV_NONE;
	if (!okay)
		fprintf(out, "FAIL %s: %s, got %s\n", where,
		    !must ? "must not fire" : want != ST_SEV_NONE ?
		    st_severity_name(want) : "must fire",
		    x.got != ST_SEV_NONE ? st_severity_name(x.got) :
		    "no finding");
	else if (verbose)
		fprintf(out, "ok   %s: %s%s%s\n", where,
		    x.got != ST_SEV_NONE ? st_severity_name(x.got) : "no finding",
		    x.reason ? ": " : "", x.reason ? x.reason : "");
	return okay;
}

/*
 * Runs every recipe's examples; a recipe without examples of both kinds
 * fails too.  Prints failures (and with verbose, every example) to out.
 * Returns 0 when all pass.
 */
int
st_recipes_test(struct st_recipes *rs, FILE *out, bool verbose,
    struct st_example_result *res)
{
	static const char *const kinds[] = { "match", "nomatch" };
	const struct st_recipe *r;
	const cJSON *list, *e;
	char *where;
	size_t i, k, j;

	memset(res, 0, sizeof *res);
	for (i = 0; i < rs->n; i++) {
		r = &rs->v[i];
		for (k = 0; k < 2; k++) {
			list = r->examples != NULL ?
			    cJSON_GetObjectItemCaseSensitive(r->examples,
			    kinds[k]) : NULL;
			if (!cJSON_IsArray(list) ||
			    cJSON_GetArraySize(list) == 0) {
				fprintf(out, "FAIL %s: recipe \"%s\": no "
				    "examples.%s (a non-empty list of "
				    "what must %sfire it)\n", r->file,
				    r->name, kinds[k], k ? "not " : "");
				res->run++;
				res->failed++;
				continue;
			}
			j = 0;
			cJSON_ArrayForEach(e, list) {
				where = xasprintf("%s: recipe \"%s\": "
				    "examples.%s[%zu]", r->file, r->name,
				    kinds[k], j++);
				res->run++;
				if (!run_example(rs, r, e, k == 0, where, out,
				    verbose))
					res->failed++;
				free(where);
			}
		}
	}
	return res->failed == 0 ? 0 : -1;
}
