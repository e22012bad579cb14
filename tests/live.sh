#!/bin/bash
# live.sh: steptrail against the real kernel: rules install -> workload ->
# analyze -> rules remove, and steptrail run.  TAP.
#
# Needs root and kernel audit, and no audit daemon registered (it runs its
# own); otherwise every test is reported skipped, with the reason.  The
# audit state found (enabled flag, backlog limit and wait time, rate limit,
# rules) is saved first and put back on exit, error or signal
# (tests/lib-audit.sh), and checked: the last test fails if anything
# differs.  Run one at a time.
set -u

: "${STEPTRAIL:=$(pwd)/steptrail}"
: "${TOP_SRCDIR:=$(pwd)}"
# shellcheck source=tests/lib-audit.sh
. "$TOP_SRCDIR/tests/lib-audit.sh"

why=$(audit_unavailable)
if [ -n "$why" ]; then
	echo "1..0 # SKIP live tests: $why"
	exit 0
fi

n=0
point() {	# point 0|1 DESCRIPTION [details file]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && [ -f "$3" ] && sed 's/^/# /' "$3" | head -40
	fi
}
check() {	# check DESCRIPTION COMMAND...
	local desc=$1
	shift
	"$@" > "$T/check.out" 2>&1
	point $? "$desc" "$T/check.out"
}

trap 'audit_restore; [ -n "${KEEP:-}" ] || rm -rf "$AUDIT_PRIV"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
audit_save || { echo "Bail out! cannot save the audit state"; exit 1; }
T=$AUDIT_PRIV
export STEPTRAIL_STATE_DIR=$T/state
audit_snapshot > "$T/before"
st() { "$STEPTRAIL" "$@"; }
same_state() { audit_snapshot | diff - "$1"; }
status_is() { [ "$(audit_status "$1")" = "$2" ]; }
exits() {	# exits STATUS COMMAND...: output in $T/out, $T/err
	local want=$1
	shift
	"$@" > "$T/out" 2> "$T/err"
	[ $? = "$want" ]
}

# Somebody else's rules, which must come through untouched, and one that
# install has to take out (it silences every syscall rule) and put back.
auditctl -a always,exit -F arch=b64 -S unlinkat -F key=live-theirs > /dev/null
auditctl -a task,never > /dev/null
# and one that only silences one user: it stays
auditctl -a task,never -F uid=54321 > /dev/null
audit_snapshot > "$T/found"

# ------------------------------------------------- errors, before a daemon
check "rules status as an unprivileged user: exit 5" exits 5 \
    setpriv --reuid=65534 --regid=65534 --clear-groups "$STEPTRAIL" \
    rules status
check "... with a clear error" grep -q 'permission denied' "$T/err"
check "rules install without an audit daemon: refused, exit 5" exits 5 \
    st rules install
check "... saying why" grep -q 'no audit daemon is registered' "$T/err"
check "a refused install changes nothing" same_state "$T/found"
check "rules install while another holds the audit lock: exit 5" exits 5 \
    env -u STEPTRAIL_AUDIT_LOCK_FD "$STEPTRAIL" rules install
check "... saying who" grep -q 'another steptrail .* is held' "$T/err"
check "run while another holds the audit lock: refused, exit 5" exits 5 \
    env -u STEPTRAIL_AUDIT_LOCK_FD "$STEPTRAIL" run -- true
check "a lock fd that is not the lock file: refused" exits 5 \
    env STEPTRAIL_AUDIT_LOCK_FD=0 "$STEPTRAIL" rules install
check "... saying so" grep -q 'STEPTRAIL_AUDIT_LOCK_FD=0 is not' "$T/err"
check "the lock is a root-only file, not a symlink" bash -c \
    '[ "$(stat -c %a:%U:%F /run/steptrail)" = 700:root:directory ] &&
     [ ! -L /run/steptrail/audit.lock ]'
check "refusals change nothing" same_state "$T/found"

# ------------------------------------ install -> workload -> analyze -> remove
audit_start_daemon || { point 1 "private auditd starts"; echo "1..$n"; exit 1; }
st rules install --user root > "$T/install.out" 2>&1
point $? "rules install" "$T/install.out"
check "install: task,never taken out" grep -q 'task,never' "$T/install.out"
check "install: a task,never with a field (one user) left alone" bash -c \
    "auditctl -l | grep -q 'never,task -F uid=54321'"
check "install: audit enabled" status_is enabled 1
check "install: backlog limit raised to 8192" status_is backlog_limit 8192
st rules status --user root > "$T/status.out" 2>&1
point $? "rules status: capturing everything (exit 0)" "$T/status.out"
check "status: every rule loaded" grep -Eq '^rules +([0-9]+) of steptrail.s \1 loaded' "$T/status.out"
check "status: says where the rule files come from" grep -Eq \
    '^rule files +(built in|/.*/rules\.d) \([0-9]+\)$' "$T/status.out"
check "their rule is still loaded" bash -c "auditctl -l | grep -q live-theirs"
check "ours come first in the exit list (prepended)" bash -c \
    "auditctl -l | grep -v ',task' | head -n 1 | grep -q steptrail-"

# the same rule files, loaded by auditctl, give the same kernel rules
auditctl -l | grep steptrail- > "$T/ours-by-steptrail"
st rules print --user root > "$T/rules.print"
STEPTRAIL_STATE_DIR=$T/state2 st rules remove > /dev/null 2>&1	# no state: ours by key
auditctl -l | grep -c steptrail- > "$T/count-after-remove"
auditctl -R "$T/rules.print" > "$T/auditctl-R.out" 2>&1
auditctl -l | grep steptrail- > "$T/ours-by-auditctl"
check "auditctl -R loads every rule file as printed" bash -c \
    "! grep -i error '$T/auditctl-R.out'"
check "steptrail's rules are those auditctl makes of the same files" \
    diff "$T/ours-by-auditctl" "$T/ours-by-steptrail"
check "remove without saved state deletes ours by key" \
    grep -qx 0 "$T/count-after-remove"

# a workload while the rules are in (inline code that decodes base64:
# code_on_the_fly grades it high; a plain print(1) would only be low)
bash -c '( ( python3 -c "import base64; base64.b64decode(bytes(4))" > /dev/null; true ); true ); true'
audit_settle
cp "$AUDIT_PRIV/log/audit.log" "$T/trail.log"
check "analyze the trail: findings, exit 1" exits 1 st analyze "$T/trail.log"
cp "$T/out" "$T/analyze.out"
check "analyze finds the workload's python3 -c" grep -q code_on_the_fly \
    "$T/analyze.out"
check "through two subshells linked by fork records" \
    test "$(grep -c '(fork) bash -c' "$T/analyze.out")" -ge 2
check "subshells show the shell's argv (not the kernel's stale proctitle)" \
    grep -q "(fork) bash -c '( ( python3" "$T/analyze.out"

st rules remove > "$T/remove.out" 2>&1
point $? "rules remove" "$T/remove.out"
check "remove: task,never put back" grep -q 'put back' "$T/remove.out"
audit_stop_daemon
check "the audit state found is restored exactly" same_state "$T/found"

# -------------------------------------------------------------- steptrail run
check "run: a python3 -c in the command: exit 1" exits 1 \
    st run -- bash -c 'python3 -c "import base64; base64.b64decode(bytes(4))" > /dev/null'
check "run: ... reported as code_on_the_fly" grep -q code_on_the_fly "$T/out"
check "run: it used a private auditd" grep -q 'a private auditd' "$T/out"
check "run: state restored after a run" same_state "$T/found"

check "run: the command's exit status is preserved (3)" exits 3 \
    st run -- sh -c 'exit 3'
check "run: ... and reported" grep -q 'exited with status 3' "$T/out"

check "run: ( ( curl | perl -e ) ): a finding" exits 1 st run \
    --log "$T/kept.log" -- bash -c \
    '( ( curl -s file:///etc/hostname | perl -e "use MIME::Base64; print decode_base64(1)" > /dev/null ); true )'
cp "$T/out" "$T/run3.out"
check "run: ... on perl -e" grep -q "argv     perl -e" "$T/run3.out"
check "run: ... whose ancestry goes through both subshells (fork records)" \
    test "$(grep -c '(fork) bash -c' "$T/run3.out")" -ge 2
check "run: ... up to the command's bash -c" grep -Eq \
    '^ +[0-9]+  bash -c .*curl' "$T/run3.out"
check "run --log keeps the captured records" exits 1 st analyze "$T/kept.log"

# A stopped system auditd can leave its pid file; ours writes over it and
# removes it on exit.  (lib-audit puts back whatever was there at the end.)
printf '4242\n' > /run/auditd.pid
check "run with a stale auditd pid file: ok (exit 0)" exits 0 st run -- true
check "... the pid file is put back as it was" \
    bash -c '[ "$(cat /run/auditd.pid)" = 4242 ]'
audit_pidfile_restore

# not through st(): $! must be steptrail's own pid
"$STEPTRAIL" run -- sleep 30 > "$T/run4.out" 2>&1 &
runner=$!
sleep 2
kill -TERM "$runner"
wait "$runner"
rc=$?
check "run: SIGTERM is passed to the command (exit 143)" test "$rc" = 143
check "run: state restored after an interrupted run" same_state "$T/found"
check "no audit daemon is left registered" status_is pid 0

# take out what this test added, and compare with what it found
auditctl -d always,exit -F arch=b64 -S unlinkat -F key=live-theirs > /dev/null
auditctl -d task,never > /dev/null
auditctl -d task,never -F uid=54321 > /dev/null
audit_snapshot > "$T/after"
check "the machine is as this test found it" diff "$T/before" "$T/after"
echo "1..$n"
