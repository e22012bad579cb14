#!/bin/bash
#
# record.sh: record steptrail's test fixtures from the real kernel.
#
# usage: testdata/record.sh [-h] [CASE...]   (no CASE: all fixtures, no unit-*)
#        testdata/record.sh unit | unit-NAME...   (unit snippets)
#        testdata/record.sh corpus | corpus-NAME...   (benign corpus)
#
# Each recorded case is one CI job, run on this machine while a private
# auditd writes what the kernel reports to a private log, which is then
# copied to testdata/CASE/audit.log.  Most jobs are run by a stand-in for
# GitHub Actions' Runner.Worker (testdata/runner/Runner.Worker.c); the
# others by what their CI would run: markers by a plain bash script that
# marks its steps with `steptrail step` (the binary $STEPTRAIL, default
# the one next to testdata/), gitlab-shell by a stand-in for GitLab
# Runner's shell executor (testdata/runner/gitlab-runner.c), jenkins by a
# stand-in for a Jenkins agent running durable-task `sh` steps
# (testdata/runner/jenkins-agent.c).  The jobs' steps are in
# testdata/runner/jobs/CASE/, the project they check out in
# testdata/runner/project/, the JavaScript actions in
# testdata/runner/actions/.  github-steps also gets steps.json: the step
# list of the GitHub jobs API, made from the times Runner.Worker wrote.
# handmade-garbage-lines is not recorded: it is made from code-on-the-fly's
# log (recorded now or committed) by inserting malformed lines.
#
# Only testdata/CASE/audit.log is written (and github-steps' steps.json,
# and handmade-garbage-lines' README and expect, which are derived); each
# case's README, args and expect are written by hand.  Running it again
# re-records: pids, times, uuids and the listener's port change, nothing
# else should.
#
# The unit-NAME cases record the small real snippets of the unit tests
# (tests/test-reader.c) to tests/data/real-NAME.log instead: one short
# command (see unit_NAME below) run directly with the job's login uid, no
# runner, and only the job's part of the log is kept (from its first
# record; the unit-lost* logs are cut down further, see cut in
# write_unitlog_helper).  They are not recorded by default: the unit tests
# name their serial numbers, which change at every recording
# (tests/data/README lists them).  "unit" means all of them.
#
# The corpus-NAME cases record the benign corpus instead: real CI
# workloads (a real autotools build and test suite, npm install with the
# registry's packages and their install scripts, git, Python test suites,
# configure probes), each a GitHub job run by Runner.Worker like the
# cases above (testdata/runner/jobs/corpus-NAME/), written compressed to
# testdata/benign-corpus/NAME/audit.log.xz (xz -9: they are megabytes).
# They are recorded with the full rule set of rules.d/ (load_rules full:
# also ptrace, memfd, modules, mounts, setuid chmod and the file watches),
# so that every recipe's noise on normal builds can be measured
# (tests/benign-corpus.sh asserts there is no high or critical finding;
# docs/gen-noise.sh counts them all).  They are not recorded by default:
# corpus-npm downloads from the npm registry (nothing else does; the tests
# never do), and together they take minutes.  "corpus" means all of them.
# What a job checks out or downloads is put in place first, unrecorded
# (corpus_seed: the forge's side of the job).  Each README there is
# written by hand.
#
# Kernel audit is global to the machine, so this script, through
# tests/lib-audit.sh (shared with tests/live.sh and the benchmark):
#   - holds the lock /run/steptrail/audit.lock until it exits, and
#     refuses to run if another script of ours holds it (wait for it:
#     `flock /run/steptrail/audit.lock true`), if an audit daemon is
#     registered, if audit rules are locked (enabled 2), if a rule with
#     one of its keys is loaded, or if a process already has the login
#     uid it uses to pick out the job (1001);
#   - records the enabled flag, the backlog limit, the backlog wait time,
#     the rate limit and the rule list first, and on exit, error or signal
#     restores them: it deletes the rules it added by key (all carry a
#     steptrail-* key; if the list still differs from the one found, it
#     loads the one found), sets the enabled flag, the backlog limit, the
#     wait time and the rate limit back, and stops the auditd it started,
#     by its pid (the kernel's lost counter is left alone: the unit-lost*
#     cases make it grow, and resetting it would hide that);
#   - runs nothing else that uses audit.
# It needs root, auditd/auditctl 3.x, cc, make, curl, perl, node, python3
# (pyenv's shim is fine: its exec chain is part of what is recorded),
# openssl and flock, and it uses /home/runner, and for gitlab-shell and
# jenkins /home/gitlab-runner and /var/lib/jenkins (removing what it
# created there).  The corpus cases also need git, xz, autoreconf, npm
# (and the npm registry), Debian's pytest-3 and pyflakes (apt-get install
# python3-pytest python3-pyflakes) and libltdl's sources
# (/usr/share/libtool, from libltdl-dev); what their jobs leave in
# /home/runner (npm's cache, ~/.cache) is removed.
#
# Why the job is picked out by login uid: other processes run on this
# machine while recording.  The job's top process writes 1001 to
# /proc/self/loginuid before exec'ing the runner; every process of the
# job inherits it, every syscall rule says -F auid=1001, and a rule of the
# user filter drops the user messages of other login uids (the job's
# `steptrail step` markers are user messages).  The rules are otherwise
# those of rules.d/ for execs, forks and connects (see load_rules), so the
# fixtures look like what `steptrail rules install` records.
#
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
RUNNER_SRC=$HERE/runner
TESTS_DATA=$(cd "$HERE/../tests/data" && pwd)
# markers runs `steptrail step`: this binary (its path is in the log).
STEPTRAIL=${STEPTRAIL:-$TOP/steptrail}

AUID=1001
KEYS="steptrail-thread steptrail-exec steptrail-fork steptrail-net steptrail-memfd steptrail-tamper"
# load_rules full (the corpus) loads every rule of rules.d/: their keys
# are ours too (checked before, deleted after).
FULL_KEYS=$(sed -n 's/.*\(-k \|key=\)\(steptrail-[a-z0-9-]*\).*/\2/p' \
    "$TOP"/rules.d/*.rules | sort -u)
for _k in $FULL_KEYS; do
	case " $KEYS " in *" $_k "*) ;; *) KEYS="$KEYS $_k" ;; esac
done
unset _k
# User messages (a `steptrail step` marker is one, TRUSTED_APP) match no
# syscall rule: the kernel logs every one unless a rule of the user filter
# drops it.  This one drops those of other login uids (logins, cron's
# PAM); a rule of that filter can have no key.
USER_RULE="-a never,user -F auid!=$AUID"
# While recording: the kernel's default of 64 makes a burst of execs
# (make, pyenv) wait for auditd; 8192 is what rules.d/10-steptrail-base
# sets.  Restored afterwards.
BACKLOG=8192
RUNNER_HOME=/home/runner
WORK=$RUNNER_HOME/work
RUNNER_BIN=$RUNNER_HOME/actions-runner/bin/Runner.Worker
REPO=hello
# The homes of the GitLab and Jenkins stand-ins (gitlab-shell, jenkins):
# they must not exist before, and are removed afterwards.
GITLAB_HOME=/home/gitlab-runner
JENKINS_HOME=/var/lib/jenkins
# A recorded case's log over this is warned about (they are committed).
CASE_MAX=400000
# Files the jobs create outside the workspace: they must not exist before
# (they would not be ours) and are removed afterwards.
SCRATCH="/tmp/x /dev/shm/y /var/tmp/setup.sh /tmp/f /dev/shm/.kworker"

RECORDED="benign-build code-on-the-fly loader unusual-dir reverse-shell subshell-pipeline ci-job github-steps markers gitlab-shell jenkins attacks-exec attacks-host tamper hostile"
# The attack cases are recorded with every rule of rules.d/ (load_rules
# full), as the corpus is: their recipes look at connects, ptrace,
# memfd_create, watched files and configuration changes too.  tamper's
# job turns audit off itself (auditctl, as the attack would), and its log
# is copied after the daemon stopped, so that it ends with DAEMON_END.
FULL_RULES_CASES="attacks-exec attacks-host tamper"
DERIVED="handmade-garbage-lines"
UNITS="unit-vfork unit-long-arg unit-many-args unit-enriched unit-node unit-lost unit-lost-backlog unit-memfd"
CORPUS="corpus-autotools corpus-configure corpus-git corpus-npm corpus-python"

say() { printf 'record.sh: %s\n' "$*"; }
die() { printf 'record.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
	sed -n '3,7p' "$0" | sed 's/^# \{0,1\}//'
	echo "cases: $RECORDED $DERIVED"
	echo "unit snippets: $UNITS"
	echo "benign corpus: $CORPUS"
}

# ------------------------------------------------------------------ state

# tests/lib-audit.sh does what every user of kernel audit of ours must:
# the lock, the checks, saving and restoring the state, the private
# auditd.  On restore, it deletes the rules with these keys (ours) by key,
# and our rule without a key.
AUDIT_KEYS=$KEYS
AUDIT_UNKEYED_RULES=$USER_RULE
# shellcheck source=tests/lib-audit.sh
. "$TOP/tests/lib-audit.sh"

PRIV=
PREFLIGHT_OK=0
LISTENER_PID=
LOST0=
LOST1=
CREATED=()

# Processes with the job's login uid are the job's leftovers: kill them by
# pid (none had it when we started, see preflight; before it passed, they
# are somebody else's).
kill_leftovers() {
	local f pid

	[ "$PREFLIGHT_OK" = 1 ] || return 0
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
	local rc=$? p left

	trap - EXIT INT TERM
	set +e
	kill_leftovers
	if [ -n "$LISTENER_PID" ]; then
		kill "$LISTENER_PID" 2>/dev/null
		wait "$LISTENER_PID" 2>/dev/null
	fi
	audit_restore
	if [ "$AUDIT_SAVED" = 1 ]; then
		left=$(auditctl -l | grep -e "steptrail-"
		    auditctl -l | grep -xF -- "$USER_RULE")
		if [ -n "$left" ]; then
			say "WARNING: rules of ours are still loaded:"
			echo "$left" >&2
		fi
	fi
	for p in $SCRATCH; do
		[ -e "$p" ] && [ -e "$PRIV/scratch-ok" ] && rm -f "$p"
	done
	for ((p = ${#CREATED[@]} - 1; p >= 0; p--)); do
		rm -rf "${CREATED[p]}"
	done
	[ -n "$PRIV" ] && rm -rf "$PRIV"
	if [ "$AUDIT_SAVED" = 1 ]; then
		say "audit state now: enabled $(audit_status enabled)," \
		    "pid $(audit_status pid), backlog_limit" \
		    "$(audit_status backlog_limit), backlog_wait_time" \
		    "$(audit_status backlog_wait_time), rate_limit" \
		    "$(audit_status rate_limit), rules:" \
		    "$(auditctl -l | tr '\n' ' ')"
	fi
	exit "$rc"
}

# ------------------------------------------------------------ preparation

# usage: preflight CASE...
preflight() {
	local c f k why

	[ "$(id -u)" = 0 ] || die "must run as root (it loads audit rules)"
	for c in auditctl auditd cc make curl perl node python3 openssl flock; do
		command -v "$c" >/dev/null || die "$c not found"
	done
	audit_lock || die "another steptrail test, benchmark, recording or" \
	    "run is using kernel audit (it holds $AUDIT_LOCK): wait for it" \
	    "(flock $AUDIT_LOCK true) and try again"
	why=$(audit_unavailable)
	[ -z "$why" ] || die "$why: refusing to record"
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
	if auditctl -l | grep -qxF -- "$USER_RULE"; then
		die "the rule $USER_RULE is already loaded: not ours to delete"
	fi
	for f in $SCRATCH; do
		[ ! -e "$f" ] || die "$f exists: the jobs create it; not ours"
	done
	for c in "$@"; do
		case $c in
		gitlab-shell) f=$GITLAB_HOME ;;
		jenkins) f=$JENKINS_HOME ;;
		markers)
			[ -x "$STEPTRAIL" ] ||
			    die "markers needs $STEPTRAIL (make it, or set STEPTRAIL)"
			continue ;;
		attacks-host)
			# what its steps run (a missing tool would leave its
			# recipe without a recording)
			for f in setcap setpriv strace gdb sudo; do
				command -v "$f" >/dev/null || die "$c needs $f" \
				    "(apt-get install libcap2-bin util-linux" \
				    "strace gdb sudo)"
			done
			continue ;;
		corpus-*) corpus_preflight "$c"; continue ;;
		*) continue ;;
		esac
		[ ! -e "$f" ] || die "$f exists: not ours to use"
	done
	# From now on a process with the job's login uid is the job's.
	PREFLIGHT_OK=1
}

save_state() {
	AUDIT_PRIV=$PRIV
	audit_save || die "could not read the audit state from auditctl -s"
	say "audit state found: enabled $AUDIT_ENABLED0," \
	    "backlog_limit $AUDIT_BACKLOG0," \
	    "backlog_wait_time $AUDIT_WAIT0, rate_limit $AUDIT_RATE0," \
	    "rules: $(tr '\n' ' ' < "$PRIV/rules0")"
	if ! grep -q '^No rules' "$PRIV/rules0"; then
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

# build_stand_in SOURCE BINARY: a stand-in CI program (testdata/runner/),
# built where the real one lives, once.
build_stand_in() {
	[ ! -x "$2" ] || return 0
	mkdir_owned "$(dirname "$2")"
	cc -O2 -o "$2" "$RUNNER_SRC/$1"
	say "built $2"
}

setup_runner() {
	local p

	for p in "$RUNNER_HOME/actions-runner" "$WORK"; do
		[ ! -e "$p" ] || die "$p exists: not ours to use"
	done
	build_stand_in Runner.Worker.c "$RUNNER_BIN"
	mkdir_owned "$WORK"
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
	    "$PRIV/key.pem" </dev/null >"$PRIV/listener.log" 2>&1 9>&- &
	LISTENER_PID=$!
	for i in $(seq 1 50); do
		[ -e "$PRIV/ports" ] && break
		sleep 0.1
	done
	[ -e "$PRIV/ports" ] || die "the listener did not start"
	read -r PORT TLSPORT < "$PRIV/ports"
	say "listener (pid $LISTENER_PID) on 127.0.0.1:$PORT, TLS on :$TLSPORT"
}

# Copies a tree, filling in the listener's ports and the steptrail binary.
stage() {
	local from=$1 to=$2 f

	rm -rf "$to"
	mkdir -p "$to"
	cp -R "$from/." "$to/"
	find "$to" -type f -print0 | while IFS= read -r -d '' f; do
		sed -i -e "s/@PORT@/$PORT/g" -e "s/@TLSPORT@/$TLSPORT/g" \
		    -e "s|@STEPTRAIL@|$STEPTRAIL|g" "$f"
	done
}

# A fresh runner directory for one job, as the runner has it at job start.
prepare_job() {
	local case=$1

	rm -rf "${WORK:?}/$REPO" "$WORK/_temp" "$WORK/_seed" "$WORK/_actions" \
	    "$WORK/_ci"
	mkdir -p "$WORK/$REPO/$REPO" "$WORK/_temp/_runner_file_commands"
	stage "$RUNNER_SRC/project" "$WORK/_seed/$REPO"
	if [ -d "$RUNNER_SRC/jobs/$case/overlay" ]; then
		stage "$RUNNER_SRC/jobs/$case/overlay" "$PRIV/overlay"
		cp -R "$PRIV/overlay/." "$WORK/_seed/$REPO/"
	fi
	stage "$RUNNER_SRC/actions" "$WORK/_actions"
	stage "$RUNNER_SRC/jobs" "$RUNNER_HOME/actions-runner/jobs"
}

# GitLab Runner's home, as its shell executor has it: the stand-in
# (testdata/runner/gitlab-runner.c) built as bin/gitlab-runner, the
# project in cache/ (get_sources copies it: no server to fetch from), the
# stages' scripts in jobs/CASE/, the builds in builds/.
prepare_gitlab() {
	local case=$1

	build_stand_in gitlab-runner.c "$GITLAB_HOME/bin/gitlab-runner"
	rm -rf "${GITLAB_HOME:?}/builds" "$GITLAB_HOME/cache" "$GITLAB_HOME/jobs"
	stage "$RUNNER_SRC/project" "$GITLAB_HOME/cache/acme/$REPO"
	stage "$RUNNER_SRC/jobs/$case" "$GITLAB_HOME/jobs/$case"
}

# A Jenkins agent's directory: the stand-in (testdata/runner/
# jenkins-agent.c) built as jdk/bin/java, the workspace
# workspace/hello with the project in it (the checkout's files), the
# Pipeline's sh steps in pipeline/.
prepare_jenkins() {
	local case=$1

	build_stand_in jenkins-agent.c "$JENKINS_HOME/jdk/bin/java"
	rm -rf "${JENKINS_HOME:?}/workspace" "$JENKINS_HOME/pipeline"
	stage "$RUNNER_SRC/project" "$JENKINS_HOME/workspace/$REPO"
	stage "$RUNNER_SRC/jobs/$case" "$JENKINS_HOME/pipeline"
}

prepare_case() {
	local case=$1

	case $case in
	markers)
		prepare_job "$case"
		mkdir -p "$WORK/_ci"
		install -m 0644 "$RUNNER_HOME/actions-runner/jobs/$case/job.sh" \
		    "$WORK/_ci/job.sh" ;;
	gitlab-shell) prepare_gitlab "$case" ;;
	jenkins) prepare_jenkins "$case" ;;
	attacks-host)
		# the watches of ~/.ssh/authorized_keys and ~/.config/systemd/
		# user load only where the directory exists
		prepare_job "$case"
		mkdir -p "$RUNNER_HOME/.ssh" "$RUNNER_HOME/.config/systemd/user"
		chmod 700 "$RUNNER_HOME/.ssh" ;;
	*)
		[ -f "$RUNNER_SRC/jobs/$case/job" ] || die "no job for $case"
		prepare_job "$case" ;;
	esac
}

# -------------------------------------------------------------- recording

# The rules of rules.d/20-steptrail-exec, 30-steptrail-proc and
# 40-steptrail-net (what `steptrail rules install` loads for these
# syscalls), each narrowed to the job by -F auid=1001; with "memfd", also
# 50-steptrail-inject's memfd_create rule (unit-memfd).  Audit is enabled
# first: lib-audit's auditd leaves the enabled flag alone.
load_rules() {
	local a extra=${1:-}

	auditctl -e 1 >/dev/null
	auditctl -b "$BACKLOG" >/dev/null
	# shellcheck disable=SC2086
	auditctl $USER_RULE	# only the job's user messages (see USER_RULE)
	if [ "$extra" = full ]; then
		load_full_rules
		return 0
	fi
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
	if [ "$extra" = memfd ]; then
		for a in b64 b32; do
			auditctl -a always,exit -F arch=$a -S memfd_create \
			    -F auid=$AUID -k steptrail-memfd
		done
	fi
}

# load_rules full (the corpus): every rule of rules.d/, file by file in
# the order `steptrail rules install` loads them, each `always` rule
# narrowed to the job by -F auid=1001 (the `never` rules, which drop
# thread clones, stay as they are, as above), and each watch (-w PATH -p
# PERMS -k KEY, which takes no other field) as the syscall rule auditctl
# makes of it, with the auid field added: -F dir=PATH for a directory
# (its whole subtree), -F path=PATH for anything else, which need not
# exist if its directory does.  A watch whose directory does not exist
# here cannot be loaded (the kernel looks up the directory): it is
# skipped and said, as `steptrail rules install` skips it (src/rules.c,
# add_watch).  @CI_HOME@ is the runner's home.  The backlog limit (-b of
# 10-steptrail-base) is set already: BACKLOG is its value.
FULL_SKIPPED=
load_full_rules() {
	local f line t p perms key field act
	local -a w r files=("$TOP"/rules.d/*.rules)

	FULL_SKIPPED=
	set -f		# a0&0x10000 and the like are words, not patterns
	for f in "${files[@]}"; do
		while IFS= read -r line; do
			case $line in
			''|'#'*) continue ;;
			esac
			line=${line//@CI_HOME@/$RUNNER_HOME}
			read -r -a w <<< "$line"
			case ${w[0]} in
			-b) continue ;;
			-a)
				act=${w[1]%%,*}
				r=()
				for t in "${w[@]}"; do
					if [ "$act" = always ] &&
					    [ "${t#key=}" != "$t" ]; then
						r+=("auid=$AUID" -F)
					fi
					r+=("$t")
				done
				auditctl "${r[@]}" ;;
			-w)
				p=${w[1]} perms='' key=''
				set -- "${w[@]:2}"
				while [ $# -ge 2 ]; do
					case $1 in
					-p) perms=$2 ;;
					-k) key=$2 ;;
					*) die "$f: unexpected watch: $line" ;;
					esac
					shift 2
				done
				[ -n "$perms" ] && [ -n "$key" ] ||
				    die "$f: a watch needs -p and -k: $line"
				while [ "${p%/}" != "$p" ] && [ "$p" != / ]; do
					p=${p%/}
				done
				if [ -d "$p" ]; then
					field=dir=$p
				elif [ -d "$(dirname "$p")" ]; then
					field=path=$p
				else
					say "full rules: skipped -w $p ($key):" \
					    "its directory does not exist here"
					FULL_SKIPPED="$FULL_SKIPPED $p"
					continue
				fi
				auditctl -a always,exit -F "$field" \
				    -F "perm=$perms" -F "auid=$AUID" -k "$key" ;;
			*) die "$f: not a rule load_rules knows: $line" ;;
			esac
		done < "$f"
	done
	set +f
	say "full rules: $(auditctl -l | grep -c -e 'steptrail-') rules" \
	    "loaded from rules.d/"
}

# Every SYSCALL record must be the job's (auid=1001), or auditd's and
# auditctl's own (enabling audit, loading the rules), and so must every
# user message (msg='...'); anything else means the filter leaked.
# (unit-node's lines start with node=.)
check_clean() {
	local log=$1 bad own='exe="/usr/sbin/audit\(d\|ctl\)"'
	local sc='^\(node=[^ ]* \)\{0,1\}type=SYSCALL '
	local um="^\\(node=[^ ]* \\)\\{0,1\\}type=[A-Z_]* msg=audit([0-9.:]*): .* msg='"

	bad=$(grep "$sc" "$log" | grep -v " auid=$AUID " |
	    grep -v -c "$own" || true)
	if [ "$bad" != 0 ]; then
		grep "$sc" "$log" | grep -v " auid=$AUID " |
		    grep -v "$own" | head -n 5 >&2
		die "$bad SYSCALL records from outside the job"
	fi
	bad=$(grep "$um" "$log" | grep -v -c " auid=$AUID " || true)
	if [ "$bad" != 0 ]; then
		grep "$um" "$log" | grep -v " auid=$AUID " | head -n 5 >&2
		die "$bad user messages from outside the job"
	fi
}

# Runs a command from DIR with the job's login uid: it and every process
# it starts inherit it, and only they match the rules.  The job does not
# get lib-audit's lock (fd 9): a process it leaves must not hold it.
run_as_job() {
	local dir=$1

	shift
	(
		cd "$dir"
		exec sh -c "echo $AUID > /proc/self/loginuid && exec \"\$0\" \"\$@\"" "$@"
	) 9>&-
}

# Waits (at most 5 s) for the job's processes to be gone: a Jenkins step
# leaves its heartbeat loop sleeping up to 3 s.
wait_job_gone() {
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

# usage: start_recording [LOG_FORMAT [NAME_FORMAT [NAME [EXTRA_RULES]]]]
# A fresh private auditd writing a fresh log (lib-audit), and the rules.
# The fixtures are RAW without node names (the defaults); unit-enriched
# needs ENRICHED, unit-node name_format USER with a name.  LOST0 is the
# kernel's lost counter before.
start_recording() {
	AUDIT_LOG_FORMAT=${1:-RAW}
	AUDIT_NAME_FORMAT=${2:-NONE}
	AUDIT_NODE_NAME=${3:-}
	LOST0=$(audit_status lost)
	audit_start_daemon ||
	    die "auditd (pid $AUDITD_PID) did not register with the kernel"
	load_rules "${4:-}"
}

# usage: stop_recording LOG
# Waits for the log to settle, copies it to LOG, and puts kernel audit
# back as it was found (lib-audit: auditd stopped by its pid, our rules
# deleted by key, the settings put back).  LOST1 is the kernel's lost
# counter after.
stop_recording() {
	local log=$1

	sleep 0.5
	audit_settle || say "warning: the log was still growing"
	# The copy is taken while auditd still runs, so that the fixture ends
	# with the job and not with DAEMON_END or rule removal, which would be
	# findings of their own (someone turning audit off).
	cp "$PRIV/log/audit.log" "$log"
	audit_restore
	LOST1=$(audit_status lost)
	kill_leftovers
}

# Records that auditd wrote after the copy (other than its DAEMON_END).
after_copy() {
	tail -c +"$(($(stat -c %s "$1") + 1))" "$PRIV/log/audit.log" |
	    grep -v -c '^\(node=[^ ]* \)\{0,1\}type=DAEMON_END ' || true
}

# Runs CASE's job: Runner.Worker for the GitHub cases, else the case's
# own stand-in (see prepare_case).  In a subshell of its own.
run_job() {
	local case=$1 jd=$JENKINS_HOME

	case $case in
	markers)
		run_as_job "$WORK/$REPO/$REPO" /usr/bin/bash "$WORK/_ci/job.sh" ;;
	gitlab-shell)
		run_as_job "$GITLAB_HOME" "$GITLAB_HOME/bin/gitlab-runner" \
		    run-single --working-directory "$GITLAB_HOME" \
		    --job-dir "$GITLAB_HOME/jobs/$case" ;;
	jenkins)
		run_as_job "$jd" "$jd/jdk/bin/java" -jar "$jd/agent.jar" \
		    -workDir "$jd" -job "$REPO" "$jd/pipeline/1-build.sh" \
		    "$jd/pipeline/2-test.sh" ;;
	*)
		# github-steps: the runner writes each step's times
		if [ "$case" = github-steps ]; then
			export STANDIN_STEP_TIMES=$PRIV/$case.times
		fi
		run_as_job "$RUNNER_HOME/actions-runner/bin" "$RUNNER_BIN" \
		    "$RUNNER_HOME/actions-runner/jobs/$case/job" "$REPO" ;;
	esac
}

# usage: check_recording CASE LOG RC LINES
# After a job: its failure (the last LINES of its output shown), records
# after the copy, records the kernel lost, and records from outside it.
check_recording() {
	local case=$1 log=$2 rc=$3 extra

	if [ "$rc" != 0 ]; then
		sed 's/^/    /' "$PRIV/$case.job.log" | tail -n "$4"
		die "$case: the job failed (exit $rc)"
	fi
	extra=$(after_copy "$log")
	[ "$extra" = 0 ] || say "warning: $case: $extra records came after the copy"
	[ "$LOST1" = "$LOST0" ] ||
	    say "warning: $case: the kernel lost $((LOST1 - LOST0)) records"
	check_clean "$log"
}

record_case() {
	local case=$1 out=$HERE/$1 log=$PRIV/$1.audit.log rc=0
	local size extra

	say "== $case: preparing"
	prepare_case "$case"
	case " $FULL_RULES_CASES " in
	*" $case "*) start_recording RAW NONE "" full ;;
	*) start_recording ;;
	esac
	say "$case: auditd $AUDITD_PID registered, rules loaded; running the job"
	# In a subshell: a redirection of a function call is the shell's
	# own while it runs, and would take the messages of a trap with it.
	(run_job "$case") >"$PRIV/$case.job.log" 2>&1 || rc=$?
	wait_job_gone
	stop_recording "$log"
	if [ "$case" = tamper ]; then
		# after the daemon stopped: its DAEMON_END is part of the attack
		cp "$PRIV/log/audit.log" "$log"
		grep -q '^type=DAEMON_END ' "$log" ||
		    die "tamper: no DAEMON_END in the log"
	fi

	grep '^##\[\|^\[Pipeline\]\|^Executing\|^Job \|^Finished' \
	    "$PRIV/$case.job.log" | sed "s/^/record.sh: $case:   /" || true
	check_recording "$case" "$log" "$rc" 40
	if [ "$case" = markers ]; then
		extra=$(grep -c "^type=TRUSTED_APP .*steptrail-step " "$log" ||
		    true)
		say "$case: $extra steptrail step markers (TRUSTED_APP) in the log"
		[ "$extra" -gt 0 ] || die "$case: no marker reached the log"
	fi

	mkdir -p "$out"
	install -m 0644 "$log" "$out/audit.log"
	[ -e "$out/args" ] || : > "$out/args"
	if [ "$case" = github-steps ]; then
		steps_json "$PRIV/$case.times" > "$PRIV/steps.json"
		install -m 0644 "$PRIV/steps.json" "$out/steps.json"
		say "$case: wrote testdata/$case/steps.json:"
		"$PY" -c 'import json, sys
for s in json.load(open(sys.argv[1]))["jobs"][0]["steps"]:
    print("record.sh:   %(number)d %(name)s: %(started_at)s .. %(completed_at)s %(conclusion)s" % s)' \
		    "$out/steps.json"
	fi
	size=$(stat -c %s "$out/audit.log")
	say "$case: wrote testdata/$case/audit.log: $size bytes," \
	    "$(wc -l < "$out/audit.log") lines," \
	    "$(count "$out/audit.log" exec yes) execs" \
	    "(+$(count "$out/audit.log" exec no) failed)," \
	    "$(count "$out/audit.log" fork yes) forks," \
	    "$(count "$out/audit.log" net yes) connects" \
	    "(+$(count "$out/audit.log" net no) failed)"
	[ "$size" -le "$CASE_MAX" ] ||
	    say "warning: $case: over $CASE_MAX bytes"
}

# The step times Runner.Worker wrote (number, name, start, end,
# conclusion; milliseconds) as the GitHub jobs API lists a run's jobs
# (GET /repos/OWNER/REPO/actions/runs/RUN/jobs), times cut to the second
# as the API gives them.
steps_json() {
	"$PY" - "$1" <<'EOF'
import json, sys

rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
sec = lambda t: t[:19] + "Z"          # 2026-01-02T03:04:05.678Z -> ...05Z
steps = [{"name": name, "status": "completed", "conclusion": concl,
          "number": int(num), "started_at": sec(start),
          "completed_at": sec(end)}
         for num, name, start, end, concl in rows]
job = {
    "id": 21712345678, "run_id": 7301234567, "workflow_name": "CI",
    "head_branch": "main", "run_attempt": 1,
    "url": "https://api.github.com/repos/acme/hello/actions/jobs/21712345678",
    "html_url": "https://github.com/acme/hello/actions/runs/7301234567/job/21712345678",
    "status": "completed", "conclusion": "success",
    "created_at": sec(rows[0][2]), "started_at": sec(rows[0][2]),
    "completed_at": sec(rows[-1][3]), "name": "build", "steps": steps,
    "labels": ["ubuntu-latest"], "runner_id": 1,
    "runner_name": "GitHub Actions 1", "runner_group_id": 1,
    "runner_group_name": "GitHub Actions",
}
print(json.dumps({"total_count": 1, "jobs": [job]}, indent=2))
EOF
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

# ------------------------------------------------------------ unit snippets

# Each unit_NAME runs what unit-NAME records, from /, with the job's login
# uid.  They use the real python interpreter ($PY), not pyenv's shim, whose
# exec chain (env, bash, ...) would be most of the snippet.  Their commands
# end up in the log (python's -c argument), so they carry no comments.

# A parent that vforks a child that execs, 8 times: Python's subprocess
# uses vfork (syscall 58) here.  The parent sleeps until the child's exec
# releases its memory, in the middle of execve, so the parent's vfork and
# the child's execve reach syscall exit, where each takes its serial, in
# either order: on 2 CPUs some of the children's execs have a lower serial
# than the vfork that made them (and a later time), others not.
unit_vfork() {
	run_as_job / "$PY" -c 'import subprocess
for i in range(8):
    subprocess.run(["/bin/true", str(i)], check=True)'
}

# Long arguments, as the kernel splits them (audit_log_execve_info).  An
# argument of 7500 bytes or more is always hex-encoded, spaces or not, and
# cut into a1_len=N a1[0]=.. a1[1]=.. (N counts hex digits) over several
# EXECVE records: the first exec's 7600 digits.  A shorter argument that
# does not fit in what is left of a record is cut too, hex if it needs hex
# (spaces) and in quotes if not: the second exec's arguments 3 (3599 bytes
# with spaces, hex) and 2 (4000 digits, in quotes), after argument 1 (2003
# bytes with spaces, whole).  The digits are "00000" "00001" ... so that a
# lost or doubled chunk shows, the words "w0000 w0001 ...".
unit_long_arg() {
	run_as_job / "$PY" -c 'import subprocess
d = lambda n: "".join("%05d" % i for i in range(n // 5))
w = lambda n: " ".join("w%04d" % i for i in range(n))
subprocess.run(["/bin/true", d(7600), "end"], check=True)
subprocess.run(["/bin/true", w(334), d(4000), w(600), "end"], check=True)'
}

# One exec whose argv spans several EXECVE records: /bin/true 0 1 ... 1499
# (about 16 kB of a1="0" a2="1" ...).
unit_many_args() {
	run_as_job / "$PY" -c 'import subprocess
subprocess.run(["/bin/true"] + [str(i) for i in range(1500)], check=True)'
}

# An exec with an argument that needs hex (echo "hello world"), and a fork
# that never execs (os.fork: clone without CLONE_THREAD); unit-enriched
# and unit-node run it with different auditd.conf settings.
unit_exec_and_fork() {
	run_as_job / "$PY" -c 'import os, subprocess
subprocess.run(["/bin/echo", "hello world"], check=True, stdout=subprocess.DEVNULL)
pid = os.fork()
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)'
}
unit_enriched() { unit_exec_and_fork; }
unit_node() { unit_exec_and_fork; }

# Real lost events, as the kernel loses them in two ways (kernel/audit.c):
#
# unit-lost: a rate limit of 40 records a second (auditctl -r 40) during
# 200 execs 10 ms apart (/bin/true 0 ... /bin/true 199, about 2 s).  The
# kernel drops what is over the rate in audit_log_end, after the record
# took its serial: whole events vanish and leave holes in the serials,
# and the event on which a second's allowance runs out keeps only part of
# its records.
#
# unit-lost-backlog: a backlog limit of 2 and no waiting (auditctl -b 2
# --backlog_wait_time 0) during 300 execs in a row.  The kernel drops
# what is over the backlog in audit_log_start, before a serial is taken,
# and an event takes its serial with its first record kept: the serials
# have no holes, yet execs keep only their first records (SYSCALL,
# BPRM_FCAPS, EXECVE) and some children's execs are gone entirely; only
# the lost counter tells.
#
# The settings are put back right after the burst (and by audit_restore,
# whatever happens).  The kernel only logs a lost record (failure 1,
# printk) or ignores it (failure 0); record_unit refuses to run these with
# failure 2 (panic).
unit_lost() {
	local rc=0

	auditctl -r 40 >/dev/null || return 1
	run_as_job / "$PY" -c 'import subprocess, time
for i in range(200):
    subprocess.run(["/bin/true", str(i)], check=True)
    time.sleep(0.01)' || rc=$?
	auditctl -r "$AUDIT_RATE0" >/dev/null || return 1
	return "$rc"
}

unit_lost_backlog() {
	local rc=0

	auditctl -b 2 >/dev/null || return 1
	auditctl --backlog_wait_time 0 >/dev/null || return 1
	run_as_job / "$PY" -c 'import subprocess
for i in range(300):
    subprocess.run(["/bin/true", str(i)], check=True)' || rc=$?
	auditctl -b "$BACKLOG" >/dev/null || return 1
	auditctl --backlog_wait_time "$AUDIT_WAIT0" >/dev/null || return 1
	return "$rc"
}

# A program executed from a memfd (a fileless payload): memfd_create, a
# copy of /bin/true into it, and fexecve (execveat with AT_EMPTY_PATH).
unit_memfd() {
	run_as_job / "$PY" -c 'import os
fd = os.memfd_create("payload")
with open("/bin/true", "rb") as f:
    os.write(fd, f.read())
os.execve(fd, ["payload"], {})'
}

# record.sh's helper for the unit logs (not recorded):
#   trim IN OUT      keeps the job's part: from the first record of the
#                    first event that has auid=1001 (the LOGIN record of
#                    its loginuid write) to the end; auditd's start and the
#                    loading of the rules come before it.
#   cut IN OUT MAX holes|orphans
#                    keeps the records of a range of serials of the burst
#                    (before auditctl puts the settings back), at most MAX
#                    bytes, from a serial present to a serial present:
#                    holes: the range with the most missing serials in it
#                    (unit-lost); orphans: from 8 events before the first
#                    vfork whose child has no exec in the log, as far as
#                    MAX allows (unit-lost-backlog, which has no holes).
#   show FILE        one line per event, then the missing serials.
write_unitlog_helper() {
	cat > "$PRIV/unitlog.py" <<'EOF'
import re, sys

HDR = re.compile(rb"^(?:node=(\S+) )?type=(\S+) msg=audit\(([0-9.]+):([0-9]+)\): ?(.*)$")
SYSCALLS = {b"1": "write", b"56": "clone", b"57": "fork", b"58": "vfork",
            b"59": "execve", b"319": "memfd_create", b"322": "execveat",
            b"42": "connect", b"44": "sendto"}

def lines(path):
    data = open(path, "rb").read().split(b"\n")
    if data and data[-1] == b"":
        data.pop()
    return data

def serial(line):
    m = HDR.match(line)
    return int(m.group(4)) if m else None

def fields(body):
    body = body.split(b"\x1d")[0]          # ENRICHED: interpreted part
    return dict((m.group(1), m.group(2)) for m in
                re.finditer(rb'(\S+?)=("[^"]*"|\S*)', body))

def write(path, ls):
    open(path, "wb").write(b"".join(l + b"\n" for l in ls))

def holes(present):
    if not present:
        return []
    return [s for s in range(min(present), max(present) + 1)
            if s not in present]

def trim(src, dst):
    ls = lines(src)
    first = next(serial(l) for l in ls if b" auid=1001 " in l)
    start = next(i for i, l in enumerate(ls) if serial(l) == first)
    write(dst, ls[start:])

def cut(src, dst, maxb, mode):
    ls = lines(src)
    # the burst only: it ends where auditctl puts the settings back (its
    # CONFIG_CHANGE record may be lost, its SYSCALL record may be kept)
    stop = next((serial(l) for l in ls if b"type=CONFIG_CHANGE " in l or
                 b' exe="/usr/sbin/auditctl"' in l), None)
    end = next((i for i, l in enumerate(ls) if serial(l) == stop), len(ls))
    ls = ls[:end]
    ser = [serial(l) for l in ls]
    size = {}
    for l, s in zip(ls, ser):
        size[s] = size.get(s, 0) + len(l) + 1
    present = sorted(s for s in size if s is not None)
    best = None
    if mode == "holes":
        # the range with the most missing serials, the longest of them
        for i in range(len(present)):
            b = 0
            for j in range(i, len(present)):
                b += size[present[j]]
                if b > maxb:
                    break
                missing = present[j] - present[i] + 1 - (j - i + 1)
                if best is None or (missing, b) > (best[0], best[3]):
                    best = (missing, present[i], present[j], b)
        if best is None or best[0] == 0:
            sys.exit("unitlog: no range of at most %d bytes has a hole" % maxb)
    else:
        # from 8 events before the first vfork or clone whose child has
        # no exec at all in the log
        execs, forks = set(), []
        for l, s in zip(ls, ser):
            m = HDR.match(l)
            if not m or m.group(2) != b"SYSCALL":
                continue
            f = fields(m.group(5))
            if f.get(b"syscall") in (b"59", b"322"):
                execs.add(f.get(b"pid"))
            elif f.get(b"syscall") in (b"56", b"58"):
                forks.append((s, f.get(b"exit")))
        orphan = next((s for s, child in forks if child not in execs), None)
        if orphan is None:
            sys.exit("unitlog: every child's exec is in the log")
        i = max(0, present.index(orphan) - 8)
        b, j = 0, i
        while j < len(present) and b + size[present[j]] <= maxb:
            b += size[present[j]]
            j += 1
        best = (0, present[i], present[j - 1], b)
    a, z = best[1], best[2]
    write(dst, [l for l, s in zip(ls, ser) if s is not None and a <= s <= z])
    print("kept serials %d..%d of %d..%d" % (a, z, present[0], present[-1]))

def vfork(path):
    """Pairs each vfork/clone with its child's exec; fails unless some
    child's exec has a lower serial than the vfork that made the child."""
    forks, execs = {}, {}
    for l in lines(path):
        m = HDR.match(l)
        if not m or m.group(2) != b"SYSCALL":
            continue
        f = fields(m.group(5))
        sc = f.get(b"syscall")
        if sc in (b"56", b"58"):
            forks[f[b"exit"]] = (int(m.group(4)), m.group(3))
        elif sc in (b"59", b"322") and f[b"pid"] not in execs:
            execs[f[b"pid"]] = (int(m.group(4)), m.group(3))
    first = 0
    for child, (fs, ft) in sorted(forks.items(), key=lambda kv: kv[1]):
        if child not in execs:
            continue
        es, et = execs[child]
        first += es < fs
        print("  child %s: vfork serial %d (time %s), its exec serial %d "
              "(time %s): %s" % (child.decode(), fs, ft.decode(), es,
              et.decode(), "EXEC FIRST" if es < fs else "vfork first"))
    if not first:
        sys.exit("unitlog: no child's exec came before its vfork")

def show(path):
    ev = {}
    order = []
    for l in lines(path):
        m = HDR.match(l)
        if not m:
            print("  not a record: %r" % l[:60])
            continue
        s = int(m.group(4))
        if s not in ev:
            ev[s] = []
            order.append(s)
        ev[s].append((m.group(2).decode(), fields(m.group(5)), m.group(1)))
    for s in order:
        types = [t for t, _, _ in ev[s]]
        out = []
        node = ev[s][0][2]
        if node:
            out.append("node=" + node.decode())
        for t, f, _ in ev[s]:
            if t == "SYSCALL":
                out.append("%s pid=%s ppid=%s exit=%s a0=%s" % (
                    SYSCALLS.get(f.get(b"syscall"), f.get(b"syscall", b"?").decode()),
                    f.get(b"pid", b"").decode(), f.get(b"ppid", b"").decode(),
                    f.get(b"exit", b"").decode(), f.get(b"a0", b"").decode()))
                out.append("exe=" + f.get(b"exe", b"").decode())
            elif t == "EXECVE" and b"argc" in f:
                out.append("argc=" + f[b"argc"].decode())
            elif t in ("LOGIN", "CONFIG_CHANGE"):
                out.append(" ".join(k.decode() + "=" + v.decode() for k, v in f.items()
                                    if k in (b"op", b"auid", b"audit_backlog_limit",
                                             b"audit_backlog_wait_time")))
        n = types.count("EXECVE")
        tl = ",".join(t for i, t in enumerate(types) if t != "EXECVE" or
                      types.index("EXECVE") == i)
        if n:
            tl = tl.replace("EXECVE", "EXECVE*%d" % n)
        print("  %d: %s: %s" % (s, tl, " ".join(out)))
    h = holes(set(order))
    execs = set(f.get(b"pid") for s in order for t, f, _ in ev[s]
                if t == "SYSCALL" and f.get(b"syscall") in (b"59", b"322"))
    orphans = [s for s in order for t, f, _ in ev[s] if t == "SYSCALL" and
               f.get(b"syscall") in (b"56", b"58") and f.get(b"exit") not in execs]
    short = [s for s in order if "PROCTITLE" not in [t for t, _, _ in ev[s]]]
    print("  %d events, serials %s..%s, %d missing%s" % (
        len(order), min(order) if order else "-", max(order) if order else "-",
        len(h), (": " + " ".join(map(str, h))) if len(h) <= 40 else ""))
    print("  %d vforks/clones whose child has no exec here, %d events "
          "without their last record (PROCTITLE)" % (len(orphans), len(short)))

cmd = sys.argv[1]
if cmd == "trim":
    trim(sys.argv[2], sys.argv[3])
elif cmd == "vfork":
    vfork(sys.argv[2])
elif cmd == "cut":
    cut(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
else:
    show(sys.argv[2])
EOF
}

# Keep the snippets small: a snippet over this is warned about (the
# unit-lost* logs are cut down to 5000 bytes under it).
UNIT_MAX=30000

record_unit() {
	local unit=$1 name=${1#unit-} log=$PRIV/$1.audit.log rc=0 extra
	local format=RAW name_format=NONE node= rules= file out size mode

	file=real-$name.log
	case $name in
	enriched) format=ENRICHED ;;
	node) name_format=USER node=ci-runner-7 ;;
	memfd) rules=memfd file=real-memfd-exec.log ;;
	lost|lost-backlog)
		case $(audit_status failure) in
		0|1) ;;
		*) die "$unit: audit failure mode is" \
		       "$(audit_status failure) (2 = panic on a lost record):" \
		       "refusing to lose records" ;;
		esac
		;;
	esac
	out=$TESTS_DATA/$file
	say "== $unit: recording tests/data/$file"
	start_recording "$format" "$name_format" "$node" "$rules"
	("unit_${name//-/_}") >"$PRIV/$unit.job.log" 2>&1 || rc=$?
	stop_recording "$log"
	if [ "$rc" != 0 ]; then
		sed 's/^/    /' "$PRIV/$unit.job.log" | tail -n 40
		die "$unit: the command failed (exit $rc)"
	fi
	extra=$(after_copy "$log")
	[ "$extra" = 0 ] || say "warning: $unit: $extra records came after the copy"
	if [ "${name#lost}" != "$name" ]; then
		say "$unit: the kernel lost $((LOST1 - LOST0)) records"
		[ "$LOST1" != "$LOST0" ] || die "$unit: the kernel lost nothing"
	elif [ "$LOST1" != "$LOST0" ]; then
		die "$unit: the kernel lost $((LOST1 - LOST0)) records"
	fi
	check_clean "$log"
	"$PY" "$PRIV/unitlog.py" trim "$log" "$PRIV/$unit.log"
	if [ "${name#lost}" != "$name" ]; then
		mv "$PRIV/$unit.log" "$PRIV/$unit.whole.log"
		say "$unit: whole log, $(stat -c %s "$PRIV/$unit.whole.log") bytes:"
		"$PY" "$PRIV/unitlog.py" show "$PRIV/$unit.whole.log" | tail -n 2
		mode=holes
		[ "$name" = lost ] || mode=orphans
		extra=$("$PY" "$PRIV/unitlog.py" cut "$PRIV/$unit.whole.log" \
		    "$PRIV/$unit.log" $((UNIT_MAX - 5000)) "$mode")
		say "$unit: $extra"
	fi
	if [ "$name" = vfork ]; then
		# Which comes first is a race (see unit_vfork): record again
		# if no child won it this time.
		"$PY" "$PRIV/unitlog.py" vfork "$PRIV/$unit.log" ||
		    die "$unit: record again"
	fi
	install -m 0644 "$PRIV/$unit.log" "$out"
	size=$(stat -c %s "$out")
	say "$unit: wrote tests/data/$file: $size bytes," \
	    "$(wc -l < "$out") lines"
	[ "$size" -le "$UNIT_MAX" ] ||
	    say "warning: $unit: over $UNIT_MAX bytes"
	"$PY" "$PRIV/unitlog.py" show "$out"
}

# ------------------------------------------------------------ benign corpus

CORPUS_DIR=$HERE/benign-corpus
# A corpus log over this (uncompressed) is warned about: "tens of MB at
# most", so that the whole corpus stays a few MB compressed.
CORPUS_MAX=50000000
# libltdl's sources as Debian's libltdl-dev ships them: a real autotools
# (and libtool) project on every Debian machine with libtool.
LTDL_SRC=/usr/share/libtool
# The commit of steptrail that corpus-autotools and corpus-configure build
# (CORPUS_REV=COMMIT to pick another: one whose make check passes).
CORPUS_REV=${CORPUS_REV:-HEAD}

# usage: corpus_preflight corpus-NAME
corpus_preflight() {
	local c

	for c in git xz; do
		command -v "$c" >/dev/null || die "$1 needs $c"
	done
	case $1 in
	corpus-autotools|corpus-configure)
		command -v autoreconf >/dev/null || die "$1 needs autoreconf"
		[ -x "$LTDL_SRC/configure" ] ||
		    die "$1 needs libltdl's sources in $LTDL_SRC (libltdl-dev)"
		git -C "$TOP" rev-parse -q --verify "$CORPUS_REV^{commit}" \
		    >/dev/null || die "$1: $CORPUS_REV is not a commit of $TOP" ;;
	corpus-npm)
		command -v npm >/dev/null || die "$1 needs npm" ;;
	corpus-python)
		command -v pytest-3 >/dev/null && /usr/bin/python3 -c \
		    'import pyflakes.test' 2>/dev/null || die "$1 needs" \
		    "Debian's pytest-3 and pyflakes (apt-get install" \
		    "python3-pytest python3-pyflakes)" ;;
	esac
}

# The repository each job checks out: its workspace is
# /home/runner/work/REPO/REPO.
corpus_repo() {
	case $1 in
	corpus-autotools|corpus-configure) echo steptrail ;;
	*) echo "$REPO" ;;
	esac
}

# usage: corpus_seed corpus-NAME
# What the job fetches, put in _seed before the recording starts (the
# forge's side, not the runner's): steptrail's repository as a
# bare repository to fetch from, its main at CORPUS_REV (autotools),
# steptrail's release tarball
# as `make dist` would make it, configure included (configure), a
# "server" with two repositories, one the other's submodule, with
# branches and tags (git).  npm's packages come from the registry, during
# the job; python's tests are installed.
corpus_seed() {
	local seed=$WORK/_seed v d rev

	rev=$(git -C "$TOP" rev-parse "$CORPUS_REV^{commit}")

	case $1 in
	corpus-autotools)
		git clone -q --bare --no-local "$TOP" "$seed/steptrail.git"
		git -C "$seed/steptrail.git" update-ref refs/heads/main "$rev"
		git -C "$seed/steptrail.git" symbolic-ref HEAD refs/heads/main
		say "$1: seeded steptrail.git, main at $rev" ;;
	corpus-configure)
		v=$(git -C "$TOP" show "$rev:configure.ac" |
		    sed -n 's/^AC_INIT(\[steptrail\], \[\([^]]*\)\].*/\1/p')
		[ -n "$v" ] || die "no version in configure.ac"
		d=$PRIV/dist
		rm -rf "$d"
		mkdir -p "$d"
		git -C "$TOP" archive --prefix="steptrail-$v/" "$rev" |
		    tar -x -C "$d"
		(cd "$d/steptrail-$v" && autoreconf -fi && rm -rf autom4te.cache) \
		    >"$PRIV/dist.log" 2>&1 || {
			cat "$PRIV/dist.log" >&2
			die "$1: autoreconf failed"
		}
		tar -C "$d" -czf "$seed/steptrail-$v.tar.gz" "steptrail-$v"
		say "$1: seeded steptrail-$v.tar.gz from $rev" ;;
	corpus-git)
		corpus_git_server "$seed/server/acme" ;;
	esac
}

# Two repositories as a forge holds them (bare): acme/lib, and acme/hello
# (the small C project) with acme/lib as its submodule vendor/lib, three
# commits on main, a branch feature, an annotated tag v1.0 and a
# lightweight tag v1.1.  Dates and names are fixed.
corpus_git_server() {
	local srv=$1 tmp=$PRIV/gitsrv

	rm -rf "$tmp"
	mkdir -p "$tmp" "$srv"
	(
		export GIT_AUTHOR_NAME="Ada Maintainer" \
		    GIT_AUTHOR_EMAIL=ada@example.org \
		    GIT_COMMITTER_NAME="Ada Maintainer" \
		    GIT_COMMITTER_EMAIL=ada@example.org \
		    GIT_AUTHOR_DATE="2026-01-05T10:00:00Z" \
		    GIT_COMMITTER_DATE="2026-01-05T10:00:00Z" \
		    GIT_CONFIG_NOSYSTEM=1 HOME=$tmp
		g() { git -c init.defaultBranch=main -c protocol.file.allow=always "$@"; }
		g init -q "$tmp/lib"
		printf 'int lib_answer(void) { return 42; }\n' > "$tmp/lib/lib.c"
		printf 'int lib_answer(void);\n' > "$tmp/lib/lib.h"
		g -C "$tmp/lib" add .
		g -C "$tmp/lib" commit -q -m "lib: the answer"
		g clone -q --bare "$tmp/lib" "$srv/lib.git"

		g init -q "$tmp/hello"
		cp -R "$RUNNER_SRC/project/." "$tmp/hello/"
		g -C "$tmp/hello" add .
		g -C "$tmp/hello" commit -q -m "hello: first version"
		g -C "$tmp/hello" submodule --quiet add \
		    "file://$WORK/_seed/server/acme/lib.git" vendor/lib
		g -C "$tmp/hello" commit -q -m "vendor lib as a submodule"
		g -C "$tmp/hello" tag -a v1.0 -m "hello 1.0"
		g -C "$tmp/hello" checkout -q -b feature
		echo "/* feature: louder greetings */" >> "$tmp/hello/greet.c"
		g -C "$tmp/hello" commit -q -am "feature: louder greetings"
		g -C "$tmp/hello" checkout -q main
		echo "hello 1.1" > "$tmp/hello/NEWS"
		g -C "$tmp/hello" add NEWS
		g -C "$tmp/hello" commit -q -m "NEWS for 1.1"
		g -C "$tmp/hello" tag v1.1
		g clone -q --bare "$tmp/hello" "$srv/hello.git"
	)
	say "corpus-git: seeded $srv/hello.git and lib.git"
}

# SYSCALL records of each rule key, as "KEY N" lines (key order).
count_keys() {
	grep '^type=SYSCALL ' "$1" | grep -o ' key="steptrail-[a-z-]*"' |
	    sed 's/ key="steptrail-\(.*\)"/\1/' | sort | uniq -c |
	    awk '{ printf "%s %s\n", $2, $1 }'
}

# usage: record_corpus corpus-NAME
# Like record_case, with the full rules, to benign-corpus/NAME/audit.log.xz;
# CORPUS_JOB_LOGS=DIR keeps the job's output there (versions, test
# summaries: what the README says).
record_corpus() {
	local case=$1 name=${1#corpus-} log=$PRIV/$1.audit.log rc=0
	local out=$CORPUS_DIR/${1#corpus-} t0 t1 size xsize e extra
	# prepare_job and run_job take the workspace's name from REPO
	local REPO=$REPO

	REPO=$(corpus_repo "$case")
	say "== $case: preparing"
	prepare_case "$case"
	corpus_seed "$case"
	find "$RUNNER_HOME" -mindepth 1 -maxdepth 1 -printf '%f\n' > "$PRIV/home0"
	start_recording RAW NONE "" full
	say "$case: auditd $AUDITD_PID registered, rules loaded; running the job"
	t0=$(date +%s.%N)
	(run_job "$case") >"$PRIV/$case.job.log" 2>&1 || rc=$?
	t1=$(date +%s.%N)
	wait_job_gone
	stop_recording "$log"
	# What the job left in the runner's home (npm's cache, ~/.cache):
	# it was not there before.
	find "$RUNNER_HOME" -mindepth 1 -maxdepth 1 -printf '%f\n' |
	    while IFS= read -r e; do
		grep -qxF -- "$e" "$PRIV/home0" || rm -rf "${RUNNER_HOME:?}/$e"
	done

	# The job's output (versions, test summaries), for its README.
	if [ -n "${CORPUS_JOB_LOGS:-}" ]; then
		mkdir -p "$CORPUS_JOB_LOGS"
		cp "$PRIV/$case.job.log" "$CORPUS_JOB_LOGS/$case.job.log"
	fi
	grep '^##\[' "$PRIV/$case.job.log" | sed "s/^/record.sh: $case:   /" ||
	    true
	check_recording "$case" "$log" "$rc" 60

	mkdir -p "$out"
	xz -9 -T1 -c "$log" > "$PRIV/$case.xz"
	install -m 0644 "$PRIV/$case.xz" "$out/audit.log.xz"
	size=$(stat -c %s "$log")
	xsize=$(stat -c %s "$out/audit.log.xz")
	say "$case: the job took $(awk -v a="$t0" -v b="$t1" \
	    'BEGIN { printf "%.1f", b - a }') s"
	say "$case: wrote testdata/benign-corpus/$name/audit.log.xz:" \
	    "$xsize bytes ($size uncompressed, $(wc -l < "$log") lines)," \
	    "$(count "$log" exec yes) execs (+$(count "$log" exec no)" \
	    "failed), $(count "$log" fork yes) forks," \
	    "$(count "$log" net yes) connects (+$(count "$log" net no) failed)"
	say "$case: SYSCALL records by key: $(count_keys "$log" | tr '\n' ' ')"
	[ -z "$FULL_SKIPPED" ] ||
	    say "$case: watches not loaded (no directory):$FULL_SKIPPED"
	[ "$size" -le "$CORPUS_MAX" ] ||
	    say "warning: $case: over $CORPUS_MAX bytes uncompressed"
}

# ------------------------------------------------------------------- main

main() {
	local a c cases= need_record=0 need_runner=0

	case "${1:-}" in
	-h|--help) usage; exit 0 ;;
	esac
	[ $# -gt 0 ] || set -- $RECORDED $DERIVED
	for a in "$@"; do
		[ "$a" = unit ] && a=$UNITS
		[ "$a" = corpus ] && a=$CORPUS
		for c in $a; do
			case " $RECORDED $DERIVED $UNITS $CORPUS " in
			*" $c "*) cases="$cases $c" ;;
			*) usage >&2; die "unknown case: $c" ;;
			esac
			case " $RECORDED $CORPUS " in
			*" $c "*) need_record=1 need_runner=1 ;;
			esac
			case " $UNITS " in *" $c "*) need_record=1 ;; esac
		done
	done

	# The real interpreter, for record.sh's own helpers (not recorded)
	# and the unit snippets' commands (recorded).
	PY=$(python3 -c 'import sys; print(sys.executable)')

	if [ "$need_record" = 1 ]; then
		trap cleanup EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		preflight $cases
		PRIV=$(mktemp -d /tmp/steptrail-record.XXXXXX)
		: > "$PRIV/scratch-ok"
		save_state
		write_unitlog_helper
	fi
	if [ "$need_runner" = 1 ]; then
		setup_runner
		start_listener
	fi
	for c in $cases; do
		case " $RECORDED $UNITS $CORPUS " in
		*" $c "*) ;;
		*) make_garbage_lines; continue ;;
		esac
		case $c in
		unit-*) record_unit "$c" ;;
		corpus-*) record_corpus "$c" ;;
		*) record_case "$c" ;;
		esac
	done
	say "done:$cases"
}

main "$@"
