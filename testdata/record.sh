#!/bin/bash
#
# record.sh: record steptrail's test fixtures from the real kernel.
#
# usage: testdata/record.sh [-h] [CASE...]        (no CASE: all of them)
#
# Each recorded case is one CI job, run by a stand-in for GitHub Actions'
# Runner.Worker (testdata/runner/Runner.Worker.c) on this machine while a
# private auditd writes what the kernel reports to a private log, which is
# then copied to testdata/CASE/audit.log.  The jobs' steps are in
# testdata/runner/jobs/CASE/, the project they check out in
# testdata/runner/project/, the JavaScript action in testdata/runner/actions/.
# handmade-garbage-lines is not recorded: it is made from code-on-the-fly's
# log (recorded now or committed) by inserting malformed lines.
#
# Only testdata/CASE/audit.log is written (and handmade-garbage-lines'
# README and expect, which are derived); each case's README, args and
# expect are written by hand.  Running it again re-records: pids, times,
# uuids and the listener's port change, nothing else should.
#
# Kernel audit is global to the machine, so this script:
#   - refuses to run if an audit daemon is registered or if a process
#     already has the login uid it uses to pick out the job (1001);
#   - records the enabled flag, the backlog limit and the rule list first,
#     and on exit, error or signal restores them: it deletes only the rules
#     it added (all carry a steptrail-* key), sets the enabled flag and the
#     backlog limit back, and stops the auditd it started, by its pid;
#   - runs nothing else that uses audit.
# It needs root, auditd/auditctl 3.x, cc, make, curl, perl, node, python3
# (pyenv's shim is fine: its exec chain is part of what is recorded) and
# openssl, and it uses /home/runner (removing what it created there).
#
# Why the job is picked out by login uid: other processes run on this
# machine while recording.  The job's top process writes 1001 to
# /proc/self/loginuid before exec'ing Runner.Worker; every process of the
# job inherits it, and every syscall rule says -F auid=1001.  The rules
# are otherwise those of rules.d/ for execs, forks and connects (see
# load_rules), so the fixtures look like what `steptrail rules install`
# records.
#
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "$0")" && pwd)
RUNNER_SRC=$HERE/runner

AUID=1001
KEYS="steptrail-thread steptrail-exec steptrail-fork steptrail-net"
# While recording: the kernel's default of 64 makes a burst of execs
# (make, pyenv) wait for auditd; 8192 is what rules.d/10-steptrail-base
# sets.  Restored afterwards.
BACKLOG=8192
RUNNER_HOME=/home/runner
WORK=$RUNNER_HOME/work
RUNNER_BIN=$RUNNER_HOME/actions-runner/bin/Runner.Worker
REPO=hello
# Files the jobs create outside the workspace: they must not exist before
# (they would not be ours) and are removed afterwards.
SCRATCH="/tmp/x /dev/shm/y /var/tmp/setup.sh /tmp/f /dev/shm/.kworker"

RECORDED="benign-build code-on-the-fly loader unusual-dir reverse-shell subshell-pipeline ci-job"
DERIVED="handmade-garbage-lines"

say() { printf 'record.sh: %s\n' "$*"; }
die() { printf 'record.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
	sed -n '3,5p' "$0" | sed 's/^# \{0,1\}//'
	echo "cases: $RECORDED $DERIVED"
}

# ------------------------------------------------------------------ state

PRIV=
AUDITD_PID=
LISTENER_PID=
STATE_SAVED=0
ENABLED0=
BACKLOG0=
RULES0=
PIDFILE_EXISTED=1
CREATED=()

audit_status() { auditctl -s | awk -v k="$1" '$1 == k { print $2 }'; }

stop_auditd() {
	local i

	[ -n "$AUDITD_PID" ] || return 0
	if kill -0 "$AUDITD_PID" 2>/dev/null; then
		kill "$AUDITD_PID" 2>/dev/null || true
		for i in $(seq 1 100); do
			kill -0 "$AUDITD_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$AUDITD_PID" 2>/dev/null; then
			say "auditd $AUDITD_PID did not stop on SIGTERM: SIGKILL"
			kill -KILL "$AUDITD_PID" 2>/dev/null || true
		fi
	fi
	wait "$AUDITD_PID" 2>/dev/null || true
	AUDITD_PID=
}

delete_rules() {
	local k

	for k in $KEYS; do
		if auditctl -l | grep -q -- "$k"; then
			auditctl -D -k "$k" >/dev/null
		fi
	done
	if auditctl -l | grep -q -- "steptrail-"; then
		say "WARNING: rules of ours are still loaded:"
		auditctl -l | grep -- "steptrail-" >&2
	fi
}

# Puts kernel audit back as it was found.  Safe to call more than once.
restore_audit() {
	[ "$STATE_SAVED" = 1 ] || return 0
	stop_auditd
	delete_rules
	auditctl -b "$BACKLOG0" >/dev/null
	auditctl -e "$ENABLED0" >/dev/null
}

# Processes with the job's login uid are the job's leftovers: kill them by
# pid (none had it when we started, see preflight).
kill_leftovers() {
	local f pid

	for f in /proc/[0-9]*/loginuid; do
		pid=${f#/proc/}
		pid=${pid%/loginuid}
		if [ "$(cat "$f" 2>/dev/null)" = "$AUID" ]; then
			say "killing leftover job process $pid"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
}

cleanup() {
	local rc=$? p

	trap - EXIT INT TERM
	set +e
	kill_leftovers
	if [ -n "$LISTENER_PID" ]; then
		kill "$LISTENER_PID" 2>/dev/null
		wait "$LISTENER_PID" 2>/dev/null
	fi
	restore_audit
	for p in $SCRATCH; do
		[ -e "$p" ] && [ -e "$PRIV/scratch-ok" ] && rm -f "$p"
	done
	if [ "$PIDFILE_EXISTED" = 0 ] && [ -e /var/run/auditd.pid ]; then
		rm -f /var/run/auditd.pid
	fi
	for ((p = ${#CREATED[@]} - 1; p >= 0; p--)); do
		rm -rf "${CREATED[p]}"
	done
	[ -n "$PRIV" ] && rm -rf "$PRIV"
	if [ "$STATE_SAVED" = 1 ]; then
		say "audit state now: enabled $(audit_status enabled)," \
		    "pid $(audit_status pid), backlog_limit" \
		    "$(audit_status backlog_limit), rules:" \
		    "$(auditctl -l | tr '\n' ' ')"
	fi
	exit "$rc"
}

# ------------------------------------------------------------ preparation

preflight() {
	local c f

	[ "$(id -u)" = 0 ] || die "must run as root (it loads audit rules)"
	for c in auditctl auditd cc make curl perl node python3 openssl; do
		command -v "$c" >/dev/null || die "$c not found"
	done
	auditctl -s >/dev/null || die "auditctl -s failed: no kernel audit?"
	if [ "$(audit_status pid)" != 0 ]; then
		die "an audit daemon is registered (pid $(audit_status pid)):" \
		    "refusing to start another one"
	fi
	for f in /proc/[0-9]*/loginuid; do
		if [ "$(cat "$f" 2>/dev/null)" = "$AUID" ]; then
			die "a process already has login uid $AUID ($f):" \
			    "the job could not be told apart"
		fi
	done
	for k in $KEYS; do
		if auditctl -l | grep -q -- "$k"; then
			die "a rule with key $k is already loaded: not ours to delete"
		fi
	done
	for f in $SCRATCH; do
		[ ! -e "$f" ] || die "$f exists: the jobs create it; not ours"
	done
}

save_state() {
	ENABLED0=$(audit_status enabled)
	BACKLOG0=$(audit_status backlog_limit)
	RULES0=$(auditctl -l)
	[ -e /var/run/auditd.pid ] || PIDFILE_EXISTED=0
	STATE_SAVED=1
	say "audit state found: enabled $ENABLED0, backlog_limit $BACKLOG0," \
	    "rules: $(echo "$RULES0" | tr '\n' ' ')"
	if [ "$RULES0" != "No rules" ]; then
		say "warning: rules were loaded before: their records may" \
		    "end up in the fixtures"
	fi
}

# mkdir -p that remembers the topmost directory it created.
mkdir_owned() {
	local d=$1 top=

	while [ ! -e "$d" ]; do
		top=$d
		d=$(dirname "$d")
	done
	mkdir -p "$1"
	[ -z "$top" ] || CREATED+=("$top")
}

setup_runner() {
	local p

	for p in "$RUNNER_HOME/actions-runner" "$WORK"; do
		[ ! -e "$p" ] || die "$p exists: not ours to use"
	done
	mkdir_owned "$RUNNER_HOME/actions-runner/bin"
	mkdir_owned "$WORK"
	cc -O2 -o "$RUNNER_BIN" "$RUNNER_SRC/Runner.Worker.c"
	say "built $RUNNER_BIN"
}

start_listener() {
	local i

	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
	    -keyout "$PRIV/key.pem" -out "$PRIV/cert.pem" 2>/dev/null
	cat > "$PRIV/listener.py" <<'EOF'
# The "attacker": accepts connections on 127.0.0.1 (plain TCP and TLS),
# sends "exit\n" and closes, so that any shell wired to it exits at once.
import os, socket, ssl, sys, threading
portfile, cert, key = sys.argv[1:4]

def serve(conn):
    try:
        conn.settimeout(2)
        conn.sendall(b"exit\n")
        try:
            if isinstance(conn, ssl.SSLSocket):
                conn = conn.unwrap()
            conn.shutdown(socket.SHUT_WR)
            while conn.recv(4096):
                pass
        except (OSError, ssl.SSLError):
            pass
    finally:
        try:
            conn.close()
        except OSError:
            pass

def loop(ls, ctx):
    while True:
        c, _ = ls.accept()
        def run(c=c):
            if ctx is not None:
                try:
                    c.settimeout(10)
                    c = ctx.wrap_socket(c, server_side=True)
                except (OSError, ssl.SSLError):
                    c.close()
                    return
            serve(c)
        threading.Thread(target=run, daemon=True).start()

def listen():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    return s

plain, tls = listen(), listen()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
threading.Thread(target=loop, args=(tls, ctx), daemon=True).start()
with open(portfile + ".tmp", "w") as f:
    f.write("%d %d\n" % (plain.getsockname()[1], tls.getsockname()[1]))
os.rename(portfile + ".tmp", portfile)
loop(plain, None)
EOF
	"$PY" "$PRIV/listener.py" "$PRIV/ports" "$PRIV/cert.pem" \
	    "$PRIV/key.pem" </dev/null >"$PRIV/listener.log" 2>&1 &
	LISTENER_PID=$!
	for i in $(seq 1 50); do
		[ -e "$PRIV/ports" ] && break
		sleep 0.1
	done
	[ -e "$PRIV/ports" ] || die "the listener did not start"
	read -r PORT TLSPORT < "$PRIV/ports"
	say "listener (pid $LISTENER_PID) on 127.0.0.1:$PORT, TLS on :$TLSPORT"
}

# Copies a tree, filling in the listener's ports.
stage() {
	local from=$1 to=$2 f

	rm -rf "$to"
	mkdir -p "$to"
	cp -R "$from/." "$to/"
	find "$to" -type f -print0 | while IFS= read -r -d '' f; do
		sed -i -e "s/@PORT@/$PORT/g" -e "s/@TLSPORT@/$TLSPORT/g" "$f"
	done
}

# A fresh runner directory for one job, as the runner has it at job start.
prepare_job() {
	local case=$1

	rm -rf "${WORK:?}/$REPO" "$WORK/_temp" "$WORK/_seed" "$WORK/_actions"
	mkdir -p "$WORK/$REPO/$REPO" "$WORK/_temp/_runner_file_commands"
	stage "$RUNNER_SRC/project" "$WORK/_seed/$REPO"
	if [ -d "$RUNNER_SRC/jobs/$case/overlay" ]; then
		stage "$RUNNER_SRC/jobs/$case/overlay" "$PRIV/overlay"
		cp -R "$PRIV/overlay/." "$WORK/_seed/$REPO/"
	fi
	stage "$RUNNER_SRC/actions" "$WORK/_actions"
	stage "$RUNNER_SRC/jobs" "$RUNNER_HOME/actions-runner/jobs"
}

# -------------------------------------------------------------- recording

write_auditd_conf() {
	mkdir -p "$PRIV/conf" "$PRIV/log" "$PRIV/plugins"
	chmod 0700 "$PRIV/log"
	cat > "$PRIV/conf/auditd.conf" <<EOF
# record.sh's private auditd: RAW records to a private log, no plugins,
# never acts on disk space (the log is small and thrown away).
local_events = yes
write_logs = yes
log_file = $PRIV/log/audit.log
log_group = root
log_format = RAW
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 64
num_logs = 1
priority_boost = 0
name_format = NONE
max_log_file_action = IGNORE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
use_libwrap = no
q_depth = 2000
overflow_action = IGNORE
max_restarts = 0
plugin_dir = $PRIV/plugins
end_of_event_timeout = 2
EOF
	chmod 0640 "$PRIV/conf/auditd.conf"
}

start_auditd() {
	local i

	rm -f "$PRIV/log/audit.log"
	auditd -n -c "$PRIV/conf" </dev/null >"$PRIV/auditd.out" 2>&1 &
	AUDITD_PID=$!
	for i in $(seq 1 100); do
		[ "$(audit_status pid)" = "$AUDITD_PID" ] && return 0
		kill -0 "$AUDITD_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$PRIV/auditd.out" >&2
	die "auditd (pid $AUDITD_PID) did not register with the kernel"
}

# The rules of rules.d/20-steptrail-exec, 30-steptrail-proc and
# 40-steptrail-net (what `steptrail rules install` loads for these
# syscalls), each narrowed to the job by -F auid=1001.
load_rules() {
	local a

	auditctl -b "$BACKLOG" >/dev/null
	# Threads clone too: CLONE_THREAD (0x10000) clones are dropped first.
	# clone3 passes its flags in a struct: it cannot be filtered so, and is
	# not recorded; glibc uses it for threads and for posix_spawn, whose
	# children always exec and name their parent in that exec.
	for a in b64 b32; do
		auditctl -a never,exit -F arch=$a -S clone -F 'a0&0x10000' \
		    -k steptrail-thread
	done
	for a in b64 b32; do
		auditctl -a always,exit -F arch=$a -S execve,execveat \
		    -F auid=$AUID -k steptrail-exec
	done
	for a in b64 b32; do
		auditctl -a always,exit -F arch=$a -S clone,fork,vfork \
		    -F auid=$AUID -k steptrail-fork
	done
	# Not local (unix) sockets, whose address length is 110: every libc
	# name lookup would log one (nscd), as rules.d does.
	for a in b64 b32; do
		auditctl -a always,exit -F arch=$a -S connect -F 'a2!=110' \
		    -F auid=$AUID -k steptrail-net
	done
	auditctl -a always,exit -F arch=b32 -S socketcall -F a0=3 \
	    -F auid=$AUID -k steptrail-net
}

# Waits until the log stops growing (auditd writes asynchronously).
settle_log() {
	local i a b

	sleep 1
	for i in $(seq 1 25); do
		a=$(stat -c %s "$PRIV/log/audit.log")
		sleep 0.2
		b=$(stat -c %s "$PRIV/log/audit.log")
		[ "$a" = "$b" ] && return 0
	done
	say "warning: the log was still growing"
}

# Every SYSCALL record must be the job's (auid=1001), or auditd's and
# auditctl's own (enabling audit, loading the rules); anything else means
# the filter leaked.
check_clean() {
	local log=$1 bad own='exe="/usr/sbin/audit\(d\|ctl\)"'

	bad=$(grep '^type=SYSCALL ' "$log" | grep -v " auid=$AUID " |
	    grep -v -c "$own" || true)
	if [ "$bad" != 0 ]; then
		grep '^type=SYSCALL ' "$log" | grep -v " auid=$AUID " |
		    grep -v "$own" | head -n 5 >&2
		die "$bad SYSCALL records from outside the job"
	fi
}

record_case() {
	local case=$1 out=$HERE/$1 log=$PRIV/$1.audit.log rc=0 lost0 lost1
	local size extra

	[ -f "$RUNNER_SRC/jobs/$case/job" ] || die "no job for $case"
	say "== $case: preparing"
	prepare_job "$case"
	write_auditd_conf
	lost0=$(audit_status lost)
	start_auditd
	load_rules
	say "$case: auditd $AUDITD_PID registered, rules loaded; running the job"
	(
		cd "$RUNNER_HOME/actions-runner/bin"
		exec sh -c "echo $AUID > /proc/self/loginuid && exec \"\$0\" \"\$@\"" \
		    "$RUNNER_BIN" "$RUNNER_HOME/actions-runner/jobs/$case/job" "$REPO"
	) >"$PRIV/$case.job.log" 2>&1 || rc=$?
	settle_log
	# The copy is taken while auditd still runs, so that the fixture ends
	# with the job and not with DAEMON_END or rule removal, which would be
	# findings of their own (someone turning audit off).
	cp "$PRIV/log/audit.log" "$log"
	stop_auditd
	delete_rules
	auditctl -b "$BACKLOG0" >/dev/null
	auditctl -e "$ENABLED0" >/dev/null
	lost1=$(audit_status lost)
	kill_leftovers

	grep '^##\[' "$PRIV/$case.job.log" | sed "s/^/record.sh: $case:   /"
	if [ "$rc" != 0 ]; then
		sed 's/^/    /' "$PRIV/$case.job.log" | tail -n 40
		die "$case: the job failed (exit $rc)"
	fi
	extra=$(tail -c +"$(($(stat -c %s "$log") + 1))" "$PRIV/log/audit.log" |
	    grep -v -c '^type=DAEMON_END ' || true)
	[ "$extra" = 0 ] || say "warning: $case: $extra records came after the copy"
	[ "$lost1" = "$lost0" ] ||
	    say "warning: $case: the kernel lost $((lost1 - lost0)) records"
	check_clean "$log"

	mkdir -p "$out"
	install -m 0644 "$log" "$out/audit.log"
	[ -e "$out/args" ] || : > "$out/args"
	size=$(stat -c %s "$out/audit.log")
	say "$case: wrote testdata/$case/audit.log: $size bytes," \
	    "$(wc -l < "$out/audit.log") lines," \
	    "$(count "$out/audit.log" exec yes) execs" \
	    "(+$(count "$out/audit.log" exec no) failed)," \
	    "$(count "$out/audit.log" fork yes) forks," \
	    "$(count "$out/audit.log" net yes) connects" \
	    "(+$(count "$out/audit.log" net no) failed)"
}

# SYSCALL records of one rule key that succeeded (yes) or failed (no).
count() {
	grep -c "^type=SYSCALL .* success=$3 .* key=\"steptrail-$2\"" "$1" || true
}

# ---------------------------------------------------------------- derived

# handmade-garbage-lines: code-on-the-fly's log with hand-made malformed
# lines inserted at fixed fractions of the file, each between two events
# (a line where the serial changes and the previous serial does not come
# back), so that no event is cut in two and the findings stay the same.
make_garbage_lines() {
	local src=$HERE/code-on-the-fly/audit.log out=$HERE/handmade-garbage-lines

	[ -f "$src" ] || die "handmade-garbage-lines needs code-on-the-fly/audit.log"
	say "== handmade-garbage-lines: from code-on-the-fly/audit.log"
	mkdir -p "$out"
	"$PY" - "$src" "$out" <<'EOF'
import re, sys
src, out = sys.argv[1], sys.argv[2]
lines = open(src, "rb").read().split(b"\n")
if lines and lines[-1] == b"":
    lines.pop()
serial = [m.group(1) if (m := re.search(rb"msg=audit\([0-9.]+:([0-9]+)\)", l)) else None
          for l in lines]
last = {}
for i, s in enumerate(serial):
    last[s] = i

def boundary(frac):
    """First index >= frac*len where a new event starts and the previous
    one is over."""
    i = max(1, int(len(lines) * frac))
    while i < len(lines):
        if serial[i] != serial[i - 1] and last[serial[i - 1]] < i:
            return i
        i += 1
    return len(lines)

first_syscall = next(l for l in lines if l.startswith(b"type=SYSCALL "))
cut = first_syscall.index(b":")          # inside msg=audit(SEC.MS:SERIAL)
garbage = [
    (1 / 7, b"hand-made: a line of plain text, not an audit record",
     "a line of plain text"),
    (2 / 7, b"type=SYSCALL arch=c000003e syscall=59 success=yes exit=0 pid=4242 comm=\"hand-made\"",
     "a line with type=SYSCALL but no msg=audit(...) header"),
    (3 / 7, first_syscall[:cut - 4],
     "the first SYSCALL line of the log cut in the middle of its header (%d bytes)"
     % (cut - 4)),
    (4 / 7, b"", "an empty line"),
    (5 / 7, b"A" * 70000, "a line of 70000 'A's (over the 64 KiB line limit)"),
    (6 / 7, b"type=USER msg=audit(1.000:1): hand-made line with a NUL byte \x00 in it",
     "a line with a NUL byte in the middle"),
]
res, notes, pos = list(lines), [], []
for frac, text, what in garbage:
    pos.append((boundary(frac), text, what))
shift = 0
for i, text, what in sorted(pos, key=lambda p: p[0]):
    res.insert(i + shift, text)
    shift += 1
    notes.append("- line %d: %s" % (i + shift, what))
open(out + "/audit.log", "wb").write(b"\n".join(res) + b"\n")
with open(out + "/README", "w") as f:
    f.write("""handmade-garbage-lines: NOT recorded.  Made by testdata/record.sh from
code-on-the-fly/audit.log (%d lines) by inserting these hand-made lines
(line numbers in this audit.log), each between two events:
%s

Five of them are malformed (the empty line is not: blank lines separate
nothing).  Expected: exactly code-on-the-fly's findings (see its README),
and the summary says that 5 malformed lines were skipped.  A 70000-byte
line must be skipped without being held whole, and the NUL byte must not
cut the line short (what follows it is still the same line).
""" % (len(lines), "\n".join(notes)))
EOF
	# code-on-the-fly's checks, plus the count of malformed lines
	# inserted (blank lines are not malformed).
	{
		cat "$HERE/code-on-the-fly/expect"
		echo "+ 5 malformed line"
	} > "$out/expect"
	[ -e "$out/args" ] || : > "$out/args"
	say "handmade-garbage-lines: wrote audit.log ($(stat -c %s "$out/audit.log") bytes), README, expect"
}

# ------------------------------------------------------------------- main

main() {
	local c cases= need_record=0

	case "${1:-}" in
	-h|--help) usage; exit 0 ;;
	esac
	[ $# -gt 0 ] || set -- $RECORDED $DERIVED
	for c in "$@"; do
		case " $RECORDED $DERIVED " in
		*" $c "*) cases="$cases $c" ;;
		*) usage >&2; die "unknown case: $c" ;;
		esac
		case " $RECORDED " in *" $c "*) need_record=1 ;; esac
	done

	# The real interpreter, for record.sh's own helpers (not recorded).
	PY=$(python3 -c 'import sys; print(sys.executable)')

	if [ "$need_record" = 1 ]; then
		trap cleanup EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		preflight
		PRIV=$(mktemp -d /tmp/steptrail-record.XXXXXX)
		: > "$PRIV/scratch-ok"
		save_state
		setup_runner
		start_listener
	fi
	for c in $cases; do
		case " $RECORDED " in
		*" $c "*) record_case "$c" ;;
		*) make_garbage_lines ;;
		esac
	done
	say "done:$cases"
}

main "$@"
