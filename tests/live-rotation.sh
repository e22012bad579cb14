#!/bin/bash
# live-rotation.sh: a trail that auditd rotated while it was written reads
# as the same trail unrotated.  TAP.
#
# The same workload is recorded twice by a private auditd: once with
# max_log_file = 1 (MB, the smallest auditd takes: the value is a whole
# number of megabytes) and max_log_file_action = ROTATE, so that auditd
# itself rotates audit.log -> audit.log.1 -> ... by size while the
# workload runs (about 3 MB of records: three or four files), and once
# without rotation.  The rotated set, read as a directory, as files given
# newest first and scrambled, and with one rotation gzipped, must give the
# unrotated recording's findings, compared as a multiset of (recipe,
# severity, exe, argv) since pids and times differ between two runs, the
# same counts of execs, forks and processes, and no blind span: auditd
# rotates between records, not between events, so an event may begin in
# one file and end in the next, and a rotation must not look like lost
# events or a stopped daemon.
#
# The rules are steptrail's (`steptrail rules print`), each `always` rule
# narrowed to the workload's login uid (-F auid=AUID, as testdata/
# record.sh narrows them to its job), and a rule of the user filter drops
# the user messages of other login uids: what else runs on this machine
# (other builds, other tests) must neither add findings to one recording
# nor records that move the rotations.  The watches (-w) are left out: a
# watch takes no auid field, and the workload writes no watched file.
#
# Rotation by size, not by SIGUSR1 (which rotates at once): it is how a
# runner's auditd rotates, and 3 MB take about 1.5 s to record here.
#
# Needs root, kernel audit, auditd, perl and python3, no audit daemon
# registered and no rule loaded that logs syscalls; it holds
# /run/steptrail/audit.lock (tests/lib-audit.sh) as tests/live.sh does
# (it does not wait for it), and is skipped, with the reason, where it
# cannot run.  The audit state found (enabled flag, backlog limit and
# wait time, rate limit, rules, /run/auditd.pid) is put back after each
# recording and on exit, error or signal, and checked by the last test;
# the workload's processes left, if any, are killed by pid (no process
# had its login uid before).  About 8 s.
#
# bash (lib-audit.sh is bash); `sh tests/live-rotation.sh` re-runs it so.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
unset GITHUB_ACTIONS GITHUB_RUN_ID GITLAB_CI JENKINS_URL STEPTRAIL_PROGRESS

: "${STEPTRAIL:=$(pwd)/steptrail}"
: "${TOP_SRCDIR:=$(pwd)}"
: "${STEPTRAIL_DATADIR:=$TOP_SRCDIR}"
export STEPTRAIL_DATADIR

# The workload's login uid: its processes, and only they, match the rules.
# Not record.sh's 1001, so that a leftover of one is never taken for the
# other's.
AUID=64247
USER_RULE="-a never,user -F auid!=$AUID"
AUDIT_UNKEYED_RULES=$USER_RULE
# Iterations of the workload's loop: about 4 kB of records each (a fork,
# and an exec with a 2000-byte argument), so 800 make about 3 MB: three or
# four files of 1 MB, in about 2 s.
LOOPS=800

# shellcheck source=tests/lib-audit.sh
. "$TOP_SRCDIR/tests/lib-audit.sh"

skip() { echo "1..0 # SKIP live rotation test: $*"; exit 0; }

why=$(audit_unavailable)
[ -z "$why" ] || skip "$why"
for c in perl python3 gzip; do
	command -v "$c" > /dev/null || skip "$c not installed"
done
# The interpreter the workload runs: the system's, not a pyenv shim whose
# exec chain would only slow the loop down.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
for f in /proc/[0-9]*/loginuid; do
	[ "$(cat "$f" 2>/dev/null)" != "$AUID" ] ||
	    skip "a process already has login uid $AUID ($f)"
done
# Rules found loaded would record other processes than the workload
# (steptrail's own, a system's audit.rules) or silence it (task,never
# without a field): the two recordings would not hold the same findings.
# They are left alone, and the test skipped.
if auditctl -l | grep -q -e '^-a always,' -e '^-w ' -e '^-a never,task$'; then
	skip "audit rules are loaded ($(auditctl -l | grep -c .)): they would" \
	    "record other processes than the workload's, or silence it"
fi
sh -c "echo $AUID > /proc/self/loginuid" 2>/dev/null ||
    skip "cannot set a login uid here (loginuid immutable?)"
# From now on a process with login uid AUID is the workload's.
PREFLIGHT_OK=1

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
same_state() { audit_snapshot | diff - "$1"; }
status_is() { [ "$(audit_status "$1")" = "$2" ]; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
check() {	# check DESCRIPTION COMMAND...
	local desc=$1
	shift
	"$@" > "$T/check.out" 2>&1
	point $? "$desc" "$T/check.out"
}

# The workload's leftovers (none had its login uid before it ran), by pid.
kill_leftovers() {
	local f pid

	[ "${PREFLIGHT_OK:-0}" = 1 ] || return 0
	for f in /proc/[0-9]*/loginuid; do
		pid=${f#/proc/}
		pid=${pid%/loginuid}
		if [ "$(cat "$f" 2>/dev/null)" = "$AUID" ]; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
}

cleanup() {
	kill_leftovers
	audit_restore
	[ -n "${KEEP:-}" ] || [ -z "$AUDIT_PRIV" ] || rm -rf "$AUDIT_PRIV"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
audit_save || { echo "Bail out! cannot save the audit state"; exit 1; }
T=$AUDIT_PRIV
export STEPTRAIL_STATE_DIR=$T/state
audit_snapshot > "$T/before"
pidfile_state() {
	if [ -e /run/auditd.pid ] || [ -L /run/auditd.pid ]; then
		stat -c '%F %a %U' /run/auditd.pid && cat /run/auditd.pid
	else
		echo "no /run/auditd.pid"
	fi
}
pidfile_state > "$T/pidfile.before" 2>&1

# ------------------------------------------------------------- the rules
# steptrail's rules, as `rules print` gives them, narrowed (see the top).
"$STEPTRAIL" rules print --user root > "$T/rules.print" 2> "$T/rules.err"
point $? "rules print" "$T/rules.err"
awk -v auid="$AUID" '
	/^-b / { print; next }
	/^-a always,/ { sub(/ -F key=/, " -F auid=" auid " -F key="); print; next }
	/^-a never,/ { print; next }
' "$T/rules.print" > "$T/rules"
echo "$USER_RULE" >> "$T/rules"
AUDIT_KEYS=$(grep -o 'key=steptrail-[a-z0-9-]*' "$T/rules" | sed 's/^key=//' |
    sort -u | tr '\n' ' ')
check "every always rule narrowed to the workload's login uid" bash -c "
    grep -q '^-a always,' '$T/rules' &&
    ! grep '^-a always,' '$T/rules' | grep -v ' -F auid=$AUID -F key=steptrail-'"

# ---------------------------------------------------------- the workload
# The same in both recordings, from the same directory (the paths in the
# findings are the same): filler execs with a 2000-byte argument, and
# every 50 of them a perl -e (code_on_the_fly), a copy of /bin/true run
# from under /tmp (exec_from_unusual_dir) and two nested subshells; a
# python3 -c (code_on_the_fly) at the start and the end.  Each finding
# names its iteration: they are spread over every file of the rotated set.
W=$T/work
mkdir -p "$W"
cat > "$W/job.sh" << 'EOF'
set -e
cd "$(dirname "$0")"
loops=$1 py=$2
cp /bin/true ./x
pad=$(printf '%02000d' 0)
"$py" -c 'import base64; base64.b64decode(bytes(4))' start
i=0
while [ "$i" -lt "$loops" ]; do
	i=$((i + 1))
	/bin/true "filler $i" "$pad"
	case $((i % 50)) in
	0) perl -e 'use MIME::Base64; my $x = decode_base64("aGVsbG8=")' "$i" ;;
	20) ./x "$i" ;;
	40) ( ( /bin/true "subshell $i" ); true ) ;;
	esac
done
"$py" -c 'import base64; base64.b64decode(bytes(4))' end
EOF

# Runs the workload with login uid AUID.  It does not get lib-audit's
# lock (fd 9): a process it leaves must not hold it.
run_workload() {
	(
		cd "$W" &&
		exec sh -c "echo $AUID > /proc/self/loginuid && exec bash job.sh $LOOPS $PY"
	) 9>&-
}

# Waits (at most 5 s) for the workload's processes to be gone.
wait_workload_gone() {
	local f left

	for _ in $(seq 1 50); do
		left=0
		for f in /proc/[0-9]*/loginuid; do
			if [ "$(cat "$f" 2>/dev/null)" = "$AUID" ]; then
				left=1
				break
			fi
		done
		[ "$left" = 1 ] || return 0
		sleep 0.1
	done
}

# The log files: name, inode, size.
log_listing() { (cd "$T/log" && stat -c '%n %i %s' audit.log*); }

# record NAME rotate|plain: the workload recorded by a fresh private
# auditd into $T/NAME/ (the log files as they were when it was over).
# The caller puts the audit state back (audit_restore: auditd stopped by
# its pid, the rules deleted, the settings as found), failed or not.
# The copy is taken while auditd still runs, as tests/live.sh takes its
# own: a trail that ends with DAEMON_END or the rules' removal would have
# findings and blind spans of its own.
record() {
	local name=$1 i t0

	rm -rf "$T/log"
	if [ "$2" = rotate ]; then
		AUDIT_MAX_LOG_FILE=1 AUDIT_MAX_LOG_FILE_ACTION=ROTATE
		AUDIT_NUM_LOGS=99	# never deletes one (4 are made)
	else
		AUDIT_MAX_LOG_FILE=256 AUDIT_MAX_LOG_FILE_ACTION=IGNORE
		AUDIT_NUM_LOGS=1
	fi
	audit_start_daemon || { echo "auditd did not register"; return 1; }
	if ! auditctl -e 1 > /dev/null || ! auditctl -R "$T/rules" > /dev/null; then
		echo "the rules did not load"
		return 1
	fi
	t0=$EPOCHREALTIME
	run_workload > "$T/$name.out" 2>&1 ||
	    { echo "the workload failed:"; cat "$T/$name.out"; return 1; }
	wait_workload_gone
	echo "$name: workload $(since "$t0") s, $(log_listing | wc -l) files" \
	    >> "$T/timings"
	audit_settle || { echo "the log was still growing"; return 1; }
	# A consistent copy: nothing renamed or written meanwhile.
	for i in 1 2 3 4 5; do
		rm -rf "${T:?}/$name"
		mkdir "$T/$name"
		log_listing > "$T/$name.ls0"
		cp -p "$T/log"/audit.log* "$T/$name/"
		log_listing > "$T/$name.ls1"
		cmp -s "$T/$name.ls0" "$T/$name.ls1" && break
		sleep 0.5
	done
	cmp -s "$T/$name.ls0" "$T/$name.ls1" ||
	    { echo "the log kept changing while it was copied"; return 1; }
	cat "$T/$name.ls1"
}

start=$EPOCHREALTIME
for r in "plain unrotated" "rotate while auditd rotated by size (max_log_file = 1)"; do
	name=${r%% *}
	[ "$name" = rotate ] && name=rot
	record "$name" "${r%% *}" > "$T/rec.out" 2>&1
	rc=$?
	audit_restore
	point "$rc" "the workload recorded ${r#* }" "$T/rec.out"
	check "... the audit state put back after it" same_state "$T/before"
	[ "$rc" = 0 ] || { echo "1..$n"; exit 1; }
done

# ------------------------------------------------------------- analyses
# In the rotated directory: audit.log and audit.log.1 .. audit.log.N.
nrot=$(find "$T/rot" -name 'audit.log.*' | wc -l)
check "auditd rotated: audit.log and at least audit.log.1 ($((nrot + 1)) files)" \
    bash -c "[ -s '$T/rot/audit.log' ] && [ -s '$T/rot/audit.log.1' ] &&
        [ ! -e '$T/plain/audit.log.1' ]"
check "the rotations are auditd's numbering, 1 .. $nrot, none missing" bash -c "
    for i in \$(seq 1 $nrot); do [ -s '$T/rot/audit.log.'\$i ] || exit 1; done"
check "the plain recording is about as big as the rotated set" bash -c "
    a=\$(cat '$T/plain/audit.log' | wc -c); b=\$(cat '$T/rot'/audit.log* | wc -c)
    [ \$a -gt 2000000 ] && [ \$((a * 10)) -gt \$((b * 9)) ] &&
    [ \$((b * 10)) -gt \$((a * 9)) ]"
# Events cut by a rotation: their serial in two files.
split=$(grep -Ho 'msg=audit([0-9.]*:[0-9]*)' "$T/rot"/audit.log* |
    sort -u | sed 's/^[^:]*://' | sort | uniq -d | wc -l)

an() {	# an NAME ARGS...: analyze -f json into $T/NAME.json
	local name=$1
	shift
	"$STEPTRAIL" analyze -q -f json --fail-on never "$@" \
	    > "$T/$name.json" 2> "$T/$name.err"
}
# report NAME VIEW: what the JSON report says, as lines to compare.
#   findings: the findings as a sorted multiset of (recipe, severity, exe,
#     argv), each as often as it was counted, then the counts of what was
#     read that two recordings of one workload share (not records and
#     events: another auditd may write a DAEMON_ROTATE record);
#   context: each finding with its cwd, its ancestry and the programs its
#     process ran before (exe, cmdline), without the pids, serials and
#     times, which differ between two recordings;
#   whole: all of it but the names and sizes of the inputs;
#   blind: the blind spans, one a line;
#   files: the inputs, in reading order, and their compression;
#   workload: the recipes of the workload's findings (its login uid).
report() {
	"$PY" - "$T/$1.json" "$2" "$AUID" << 'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
what, auid = sys.argv[2], int(sys.argv[3])
F = d["findings"]
if what == "findings":
    rows = []
    for f in F:
        rows += ["\t".join([f["recipe"], f["severity"], str(f["exe"]),
                            json.dumps(f["argv"])])] * f["count"]
    for r in sorted(rows):
        print(r)
    for k in ("execs", "execs_failed", "forks", "processes", "incomplete",
              "records_missing", "argv_truncated", "malformed"):
        print("input.%s %s" % (k, d["input"][k]))
elif what == "context":
    rows = []
    for f in F:
        rows.append(json.dumps([
            f["recipe"], f["severity"], f["exe"], f["argv"], f["cwd"],
            f["count"],
            [[a["exe"], a["cmdline"], a["seen"], a["forked"]]
             for a in f["ancestry"]],
            [[e["exe"], e["cmdline"]] for e in f["earlier"]]]))
    for r in sorted(rows):
        print(r)
elif what == "whole":
    del d["input"]["files"]
    print(json.dumps(d, indent=1, sort_keys=True))
elif what == "blind":
    for b in d["coverage"]["blind"]:
        print(json.dumps(b))
elif what == "files":
    for f in d["input"]["files"]:
        print(f["name"].rsplit("/", 1)[-1], f["compressed"], f["error"])
elif what == "workload":
    for f in F:
        if f["auid"] == auid:
            print(f["recipe"])
EOF
}
# all NAME: every view of NAME's report, in $T/NAME.VIEW
all() {
	local v

	for v in findings context whole blind files workload; do
		report "$1" "$v" > "$T/$1.$v"
	done
}
# Successful execs of the workload in the raw records of a recording.
raw_execs() {
	cat "$T/$1"/audit.log* |
	    grep -c "^type=SYSCALL .* syscall=\(59\|322\) success=yes .* auid=$AUID "
}
same() { cmp "$1" "$2" || { diff "$1" "$2" | head -20; false; }; }
same_report() {	# same_report A B VIEW...
	local a=$1 b=$2 v

	shift 2
	for v in "$@"; do
		same "$T/$a.$v" "$T/$b.$v" || return 1
	done
}

t0=$EPOCHREALTIME
an plain "$T/plain/audit.log"
point $? "analyze the unrotated recording" "$T/plain.err"
all plain
check "... the workload's findings are there (python3 -c, perl -e, ./x)" bash -c "
    [ \$(grep -c '^code_on_the_fly\$' '$T/plain.workload') = $((LOOPS / 50 + 2)) ] &&
    [ \$(grep -c '^exec_from_unusual_dir\$' '$T/plain.workload') = $((LOOPS / 50)) ]"
check "... and no blind span" test ! -s "$T/plain.blind"

an rot "$T/rot"
point $? "analyze the rotated set as a directory" "$T/rot.err"
all rot
check "... nothing said on stderr (every file taken)" test ! -s "$T/rot.err"
{ for i in $(seq "$nrot" -1 1); do echo "audit.log.$i None None"; done
  echo "audit.log None None"; } > "$T/want.files"
check "... read oldest first" same "$T/want.files" "$T/rot.files"
check "... the unrotated recording's findings (recipe, severity, exe, argv) and counts" \
    same_report plain rot findings
check "... each with the same cwd, ancestry and earlier programs" \
    same_report plain rot context
raw_execs plain > "$T/plain.raw"
raw_execs rot > "$T/rot.raw"
check "... the same number of workload execs, in the raw records too" bash -c "
    cmp -s '$T/plain.raw' '$T/rot.raw' &&
    grep -qx \"input.execs \$(cat '$T/rot.raw')\" '$T/rot.findings' &&
    [ \$(cat '$T/rot.raw') -gt $LOOPS ]"
check "... coverage: no events missing, no span unseen (a rotation is no gap)" \
    test ! -s "$T/rot.blind"
check "... and the serial numbers have no gap" bash -c "
    \"$PY\" -c 'import json, sys
i = json.load(open(sys.argv[1]))[\"input\"]
sys.exit(i[\"serial_missing\"] or i[\"serial_gaps\"])' '$T/rot.json'"

# What a rotation brings: an event begun in one file and ended in the
# next.  auditd checks the size after each record it writes and rotates
# at once, so a cut falls inside an event unless the record that crossed
# 1 MB was its event's last: with exec events of six records, the biggest
# the 2 kB EXECVE, nearly every cut does (how many did is said).  The
# same bytes in one file, the files concatenated oldest first, must give
# the very same report: libauparse must get one stream, not an event in
# parts at each file boundary (parts_merged), which the merge by serial
# would otherwise hide from the comparisons above.
mkdir "$T/cat"
for i in $(seq "$nrot" -1 1); do cat "$T/rot/audit.log.$i"; done |
    cat - "$T/rot/audit.log" > "$T/cat/audit.log"
an cat "$T/cat/audit.log"
point $? "analyze the rotated files concatenated oldest first" "$T/cat.err"
all cat
check "... the rotated set's report is the concatenation's, all of it ($split events cut across two files)" \
    same_report cat rot whole

# The same files given one by one: newest first, and scrambled (odd
# numbers, audit.log, even numbers).
newest=("$T/rot/audit.log")
odd=() even=()
for i in $(seq 1 "$nrot"); do
	newest+=("$T/rot/audit.log.$i")
	if [ $((i % 2)) = 1 ]; then
		odd+=("$T/rot/audit.log.$i")
	else
		even+=("$T/rot/audit.log.$i")
	fi
done
an newest "${newest[@]}"
point $? "analyze the rotated files given newest first" "$T/newest.err"
all newest
check "... read oldest first" same "$T/want.files" "$T/newest.files"
check "... the directory's report" same_report rot newest whole
scrambled=("${odd[@]}" "$T/rot/audit.log" "${even[@]}")
an scrambled "${scrambled[@]}"
point $? "analyze the rotated files scrambled ($(printf '%s\n' "${scrambled[@]}" |
    sed 's|.*/||' | tr '\n' ' ' | sed 's/ $//'))" "$T/scrambled.err"
all scrambled
check "... read oldest first" same "$T/want.files" "$T/scrambled.files"
check "... the directory's report" same_report rot scrambled whole
check "... and so the unrotated recording's findings and counts, no span unseen" \
    same_report plain scrambled findings context blind

# One rotation gzipped, as logrotate's compress leaves it: the set with
# audit.log.1.gz in place of audit.log.1.
mkdir "$T/gz"
cp -p "$T/rot"/audit.log* "$T/gz/"
gzip -k "$T/gz/audit.log.1" && rm "$T/gz/audit.log.1"
an gz "$T/gz"
point $? "analyze the set with audit.log.1 gzipped (gzip -k)" "$T/gz.err"
all gz
sed 's/^audit\.log\.1 None/audit.log.1.gz gzip/' "$T/want.files" > "$T/want.gz"
check "... read oldest first, audit.log.1.gz decompressed" same "$T/want.gz" \
    "$T/gz.files"
check "... the directory's report" same_report rot gz whole
check "... and so the unrotated recording's findings and counts, no span unseen" \
    same_report plain gz findings context blind
echo "analyses: $(since "$t0") s" >> "$T/timings"

# ------------------------------------------------------------ the state
kill_leftovers
audit_restore
check "no audit daemon is left registered" status_is pid 0
check "/run/auditd.pid is as found" bash -c "
    diff '$T/pidfile.before' <($(declare -f pidfile_state); pidfile_state 2>&1)"
check "the machine's audit state is as this test found it" same_state "$T/before"
sed 's/^/# /' "$T/timings"
echo "# total $(since "$start") s"
echo "1..$n"
