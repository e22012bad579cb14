/*
 * test-rules.c: the rule files parse into kernel rule structures, every
 * rule has a steptrail-* key, and bad lines are rejected with file:line.
 * No kernel here: tests/live.sh loads them and compares with auditctl.
 */
#include "config.h"

#include <stdlib.h>

#include <libaudit.h>

#include "steptrail.h"
#include "tap.h"

static int
parse(struct st_ruleset *rs, const char *text, char **cause)
{
	memset(rs, 0, sizeof *rs);
	*cause = NULL;
	return st_rules_parse(rs, "t.rules", text, "/home/runner", cause);
}

static void
bad(const char *text, const char *want, const char *what)
{
	struct st_ruleset rs;
	char *cause;

	ok(parse(&rs, text, &cause) == -1 && cause != NULL &&
	    strstr(cause, want) != NULL, "rejected: %s", what);
	if (cause == NULL || strstr(cause, want) == NULL)
		printf("#   got:  %s\n#   want: ...%s...\n", cause ? cause :
		    "(accepted)", want);
	free(cause);
	st_ruleset_free(&rs);
}

static bool
has_syscall(const struct audit_rule_data *d, const char *name, int machine)
{
	int nr = audit_name_to_syscall(name, machine);

	return nr >= 0 && (d->mask[nr / 32] >> (nr % 32) & 1);
}

static void
test_builtin(void)
{
	struct st_ruleset rs = { 0 };
	const struct st_rule *r;
	char *cause = NULL, *key;
	size_t i, keyed = 0, loadable = 0, never_at = 0, fork_at = 0;
	bool exec64 = false, exec32 = false, watch_home = false;

	ok(st_rules_load_builtin(&rs, "/home/runner", &cause) == 0,
	    "built-in rules parse (%s)", cause ? cause : "ok");
	free(cause);
	for (i = 0; i < rs.n; i++) {
		r = &rs.v[i];
		if (r->kind == ST_RULE_BACKLOG)
			continue;
		if (r->data == NULL)
			continue;
		loadable++;
		key = st_rule_key(r->data);
		if (key != NULL && strncmp(key, "steptrail-", 10) == 0)
			keyed++;
		if (key != NULL && strcmp(key, "steptrail-thread") == 0 &&
		    never_at == 0)
			never_at = i + 1;
		if (key != NULL && strcmp(key, "steptrail-fork") == 0 &&
		    fork_at == 0)
			fork_at = i + 1;
		if (key != NULL && strcmp(key, "steptrail-exec") == 0) {
			if (has_syscall(r->data, "execve", MACH_86_64) &&
			    has_syscall(r->data, "execveat", MACH_86_64))
				exec64 = exec64 || r->data->values[0] ==
				    AUDIT_ARCH_X86_64;
			if (r->data->values[0] == AUDIT_ARCH_I386 &&
			    has_syscall(r->data, "execve", MACH_X86))
				exec32 = true;
		}
		if (strstr(r->text, "/home/runner/.ssh/authorized_keys"))
			watch_home = true;
		free(key);
	}
	ok(loadable > 20, "built-in rules: %zu rules", loadable);
	is_int(keyed, loadable, "built-in rules: every one has a steptrail-* "
	    "key");
	ok(exec64 && exec32, "built-in rules: execve and execveat, b64 with "
	    "x86_64 numbers and b32 with i386 numbers");
	ok(never_at > 0 && fork_at > never_at, "built-in rules: the thread "
	    "never-rule comes before the fork always-rule");
	ok(watch_home, "built-in rules: @CI_HOME@ filled in");
	st_ruleset_free(&rs);

	ok(st_rules_load_builtin(&rs, NULL, &cause) == 0, "built-in rules "
	    "parse without a CI user");
	for (i = 0, keyed = 0; i < rs.n; i++)
		if (rs.v[i].skip != NULL && strstr(rs.v[i].text, "@CI_HOME@"))
			keyed++;
	is_int(keyed, 7, "without a CI user: its seven watches are skipped, "
	    "with the reason");
	st_ruleset_free(&rs);
}

static void
test_parse(void)
{
	struct st_ruleset rs, rs2;
	char *cause, *key;

	ok(parse(&rs, "# comment\n\n-a always,exit -F arch=b64 -S connect "
	    "-F a2!=110 -F key=k1\n-a exit,never -F arch=b64 -S clone "
	    "-F a0&0x10000 -k k2\n-b 8192\n", &cause) == 0 && rs.n == 3,
	    "parse: comments, -F key=, -k, both LIST,ACTION orders, -b");
	if (rs.n == 3) {
		ok(rs.v[0].list == AUDIT_FILTER_EXIT &&
		    rs.v[0].action == AUDIT_ALWAYS && rs.v[1].action ==
		    AUDIT_NEVER, "parse: list and action");
		key = st_rule_key(rs.v[1].data);
		is_str(key, "k2", "parse: key read back from the rule");
		free(key);
		is_int(rs.v[2].backlog, 8192, "parse: backlog");
		is_str(rs.v[0].where, "t.rules:3", "parse: file:line kept");
		ok(rs.v[1].data->fields[1] == AUDIT_ARG0 &&
		    rs.v[1].data->values[1] == 0x10000 &&
		    rs.v[1].data->fieldflags[1] == AUDIT_BIT_MASK,
		    "parse: a0&0x10000 is a bit mask test");
	}
	ok(parse(&rs2, "-a always,exit -F arch=b64 -S connect -F a2!=110 -F "
	    "key=k1\n", &cause) == 0 && rs.n > 0 &&
	    st_rule_same(rs.v[0].data, rs2.v[0].data), "same: one line "
	    "parsed twice gives the same rule");
	ok(rs.n > 1 && !st_rule_same(rs.v[0].data, rs.v[1].data),
	    "same: two lines differ");
	st_ruleset_free(&rs);
	st_ruleset_free(&rs2);

	ok(parse(&rs, "-w /etc/ -p wa -k w1\n-w /etc/no-such-file -p w -k "
	    "w2\n-w /no/such/dir/file -p w -k w3\n", &cause) == 0 && rs.n == 3,
	    "parse: watches");
	if (rs.n == 3) {
		ok(rs.v[0].data->fields[0] == AUDIT_DIR && rs.v[0].skip == NULL,
		    "watch: a directory is watched as a directory");
		ok(rs.v[1].data->fields[0] == AUDIT_WATCH && rs.v[1].skip ==
		    NULL, "watch: a missing file in an existing directory can "
		    "be watched");
		ok(rs.v[2].skip != NULL, "watch: a missing directory is "
		    "skipped with the reason (%s)", rs.v[2].skip);
	}
	st_ruleset_free(&rs);

	bad("-a always,exit -F arch=b64 -S nosuchcall -k x\n",
	    "t.rules:1: syscall nosuchcall is unknown", "unknown syscall");
	bad("\n-a always,exit -F arch=b64 -S execve\n",
	    "t.rules:2: every rule needs a key", "rule without a key");
	bad("-a always,exit -S execve -F arch=b64 -k x\n",
	    "arch must come before the syscalls", "arch after syscalls");
	bad("-a always,exit -F arch=b99 -S execve -k x\n",
	    "arch=b99 is not supported", "unknown arch");
	bad("-a always -S execve -k x\n", "not LIST,ACTION", "bad -a");
	bad("-e 1\n", "only -a, -w and -b", "unsupported command");
	bad("-w etc/passwd -p w -k x\n", "not an absolute path",
	    "relative watch");
	bad("-w /etc/passwd -p z -k x\n", "-w needs -p", "bad permissions");
	bad("-a always,exit -F arch=b64 -S execve -F nosuchfield=1 -k x\n",
	    "-F nosuchfield=1: rejected by libaudit", "unknown field");
	bad("-a always,exit -F arch=b64 -S execve -k\n", "-k needs a value",
	    "option without value");
}

int
main(void)
{
	test_builtin();
	test_parse();
	return done_testing();
}
