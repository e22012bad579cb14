# lib-audit.sh: shared by the scripts that use kernel audit for real
# shellcheck shell=bash
# (tests/live.sh, testdata/record.sh, bench/capture-overhead.sh).  Sourced,
# not run.  bash; safe under set -e and set -u.
#
# Kernel audit is global to the machine and only one audit daemon can be
# registered at a time, so these functions:
#   - refuse to start if another daemon is registered (audit_unavailable);
#   - save the state found (enabled flag, backlog limit, backlog wait
#     time, rate limit, the rule list) and put exactly that back
#     (audit_save, audit_restore): the rules whose keys the caller lists in
#     AUDIT_KEYS are deleted by key first, and those it lists, one a line
#     as auditctl -l prints them, in AUDIT_UNKEYED_RULES (a rule of the
#     user filter can have no key); if the list still differs from
#     the one saved, every rule is deleted and the saved list loaded again
#     (auditctl -l prints it in loadable form).  The kernel's lost counter
#     is left alone: resetting it would hide what was lost;
#   - start a private auditd with its own configuration and log directory
#     and stop it by its pid (audit_start_daemon, audit_stop_daemon),
#     putting /run/auditd.pid back as it was found (auditd removes it).
#     It does not change the enabled flag (-s nochange): the caller
#     enables audit.
# The caller sets a trap that calls audit_restore on EXIT, INT and TERM.
#
# Parameters, set before audit_start_daemon: AUDIT_LOG_FORMAT (RAW),
# AUDIT_NAME_FORMAT (NONE) and AUDIT_NODE_NAME (the "name" of name_format
# USER), as in auditd.conf; AUDIT_MAX_LOG_FILE (256, in MB),
# AUDIT_MAX_LOG_FILE_ACTION (IGNORE) and AUDIT_NUM_LOGS (1): a daemon that
# rotates its log (tests/live-rotation.sh); AUDIT_KEYS and
# AUDIT_UNKEYED_RULES (before audit_restore).
#
# "No daemon registered" is checked, but a check is not a lock: between a
# benchmark's arms no daemon is registered either.  So every script of ours
# that uses audit also holds AUDIT_LOCK (flock) until it exits, and so does
# `steptrail run` (src/run.c): two of them never interleave.  The callers
# ask `why=$(audit_unavailable)`, in a subshell: a lock taken on a file
# opened there would go with the subshell.  So the lock file is opened
# (fd 9) when this file is sourced, in the caller's own shell, and the
# subshell's flock locks that open file, which the caller keeps; audit_save
# (in the caller's shell) takes it again, which is a no-op for its holder,
# and tells our children (steptrail run) that their parent holds it on
# fd 9 (STEPTRAIL_AUDIT_LOCK_FD).  The private auditd gets no fd 9: the
# lock goes when the caller exits.  The lock file is steptrail's own
# (src/capture.c), in root's 0700 directory, not world-writable /run/lock.

AUDIT_LOCK=/run/steptrail/audit.lock

AUDIT_PRIV=${AUDIT_PRIV:-}
AUDIT_KEYS=${AUDIT_KEYS:-}
AUDIT_UNKEYED_RULES=${AUDIT_UNKEYED_RULES:-}
AUDITD_PID=
AUDIT_SAVED=0
AUDIT_LOCK_FD=0

audit_status() { auditctl -s | awk -v k="$1" '$1 == k { print $2 }'; }

audit_lock_open() {
	[ "$AUDIT_LOCK_FD" = 1 ] && return 0
	{ [ -d "${AUDIT_LOCK%/*}" ] ||
	    mkdir -m 0700 "${AUDIT_LOCK%/*}"; } 2>/dev/null &&
	    [ ! -L "$AUDIT_LOCK" ] &&
	    { exec 9>> "$AUDIT_LOCK"; } 2>/dev/null && AUDIT_LOCK_FD=1
}
# Only root can open it; audit_unavailable says "not root" otherwise.
[ "$(id -u)" != 0 ] || audit_lock_open || true

# Takes the lock for as long as this shell runs (fd 9); fails at once if
# another user of ours holds it.  Our children (steptrail run) are told
# that their parent holds it.
audit_lock() {
	audit_lock_open && flock -n 9 && export STEPTRAIL_AUDIT_LOCK_FD=9
}

# Prints why kernel audit cannot be used here, or nothing.  Takes the lock.
audit_unavailable() {
	[ "$(id -u)" = 0 ] || { echo "not root"; return 0; }
	audit_lock || { echo "another steptrail test, benchmark, recording" \
	    "or run is using kernel audit (it holds $AUDIT_LOCK)"; return 0; }
	command -v auditctl > /dev/null || { echo "auditctl not installed"; return 0; }
	command -v auditd > /dev/null || [ -x /usr/sbin/auditd ] ||
	    { echo "auditd not installed"; return 0; }
	auditctl -s > /dev/null 2>&1 || { echo "no kernel audit here"; return 0; }
	if [ "$(audit_status pid)" != 0 ]; then
		echo "an audit daemon is registered (pid $(audit_status pid)):" \
		    "these tests need to run their own"
		return 0
	fi
	if [ "$(audit_status enabled)" = 2 ]; then
		echo "audit rules are locked (enabled 2) until reboot"
		return 0
	fi
}

# The whole observable state, for comparing before and after.
audit_snapshot() {
	printf 'enabled %s\nbacklog_limit %s\nbacklog_wait_time %s\nrate_limit %s\n' \
	    "$(audit_status enabled)" "$(audit_status backlog_limit)" \
	    "$(audit_status backlog_wait_time)" "$(audit_status rate_limit)"
	auditctl -l
}

# Fails (and saves nothing) if the lock is not ours or the state cannot
# be read.
audit_save() {
	audit_lock || return 1
	AUDIT_PRIV=${AUDIT_PRIV:-$(mktemp -d /tmp/steptrail-audit.XXXXXX)}
	AUDIT_ENABLED0=$(audit_status enabled)
	AUDIT_BACKLOG0=$(audit_status backlog_limit)
	AUDIT_WAIT0=$(audit_status backlog_wait_time)
	AUDIT_RATE0=$(audit_status rate_limit)
	[ -n "$AUDIT_ENABLED0" ] && [ -n "$AUDIT_BACKLOG0" ] &&
	    [ -n "$AUDIT_WAIT0" ] && [ -n "$AUDIT_RATE0" ] || return 1
	auditctl -l > "$AUDIT_PRIV/rules0" || return 1
	if [ -e /run/auditd.pid ]; then
		AUDIT_PIDFILE0=1
		cp -P /run/auditd.pid "$AUDIT_PRIV/auditd.pid0" || return 1
	else
		AUDIT_PIDFILE0=0
	fi
	AUDIT_SAVED=1
}

audit_start_daemon() {
	local i

	mkdir -p "$AUDIT_PRIV/conf" "$AUDIT_PRIV/log" "$AUDIT_PRIV/plugins"
	chmod 0700 "$AUDIT_PRIV/log"
	cat > "$AUDIT_PRIV/conf/auditd.conf" <<EOF
# a private auditd for tests: ${AUDIT_LOG_FORMAT:-RAW} records to a private
# log, no plugins, never acts on disk space (nor on size, unless told to
# rotate)
local_events = yes
write_logs = yes
log_file = $AUDIT_PRIV/log/audit.log
log_group = root
log_format = ${AUDIT_LOG_FORMAT:-RAW}
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = ${AUDIT_MAX_LOG_FILE:-256}
num_logs = ${AUDIT_NUM_LOGS:-1}
priority_boost = 0
name_format = ${AUDIT_NAME_FORMAT:-NONE}
max_log_file_action = ${AUDIT_MAX_LOG_FILE_ACTION:-IGNORE}
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
plugin_dir = $AUDIT_PRIV/plugins
end_of_event_timeout = 2
EOF
	if [ -n "${AUDIT_NODE_NAME:-}" ]; then
		echo "name = $AUDIT_NODE_NAME" >> "$AUDIT_PRIV/conf/auditd.conf"
	fi
	chmod 0640 "$AUDIT_PRIV/conf/auditd.conf"
	rm -f "$AUDIT_PRIV/log/audit.log"
	auditd -n -s nochange -c "$AUDIT_PRIV/conf" < /dev/null \
	    > "$AUDIT_PRIV/auditd.out" 2>&1 9>&- &
	AUDITD_PID=$!
	for i in $(seq 1 100); do
		[ "$(audit_status pid)" = "$AUDITD_PID" ] && return 0
		kill -0 "$AUDITD_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$AUDIT_PRIV/auditd.out" >&2
	return 1
}

audit_stop_daemon() {
	local i

	[ -n "$AUDITD_PID" ] || return 0
	kill "$AUDITD_PID" 2>/dev/null || true
	for i in $(seq 1 100); do
		kill -0 "$AUDITD_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$AUDITD_PID" 2>/dev/null; then
		echo "lib-audit: auditd $AUDITD_PID did not stop on SIGTERM:" \
		    "SIGKILL" >&2
		kill -KILL "$AUDITD_PID" 2>/dev/null || true
	fi
	wait "$AUDITD_PID" 2>/dev/null || true
	AUDITD_PID=
	audit_pidfile_restore
}

# auditd removes its pid file when it stops: put back the one found, if any.
audit_pidfile_restore() {
	rm -f /run/auditd.pid
	[ "$AUDIT_PIDFILE0" = 1 ] || return 0
	cp -P "$AUDIT_PRIV/auditd.pid0" /run/auditd.pid
}

# Waits until the private log stops growing (auditd writes asynchronously).
# Fails if it was still growing after 5 s.
audit_settle() {
	local a b

	sleep 0.5
	for _ in $(seq 1 25); do
		a=$(stat -c %s "$AUDIT_PRIV/log/audit.log" 2>/dev/null || true)
		sleep 0.2
		b=$(stat -c %s "$AUDIT_PRIV/log/audit.log" 2>/dev/null || true)
		[ "$a" != "$b" ] || return 0
	done
	return 1
}

# Puts kernel audit back exactly as audit_save found it.  Idempotent.
audit_restore() {
	local k r

	[ "$AUDIT_SAVED" = 1 ] || return 0
	audit_stop_daemon
	audit_pidfile_restore
	for k in $AUDIT_KEYS; do
		if auditctl -l | grep -q -- "[ =]$k\$"; then
			auditctl -D -k "$k" > /dev/null || true
		fi
	done
	while IFS= read -r r; do
		if [ -n "$r" ] && auditctl -l | grep -qxF -- "$r"; then
			# -a LIST,ACTION FIELDS... -> -d LIST,ACTION FIELDS...
			# shellcheck disable=SC2086
			auditctl -d ${r#-a } > /dev/null || true
		fi
	done <<< "$AUDIT_UNKEYED_RULES"
	# Rules are reloaded only if they differ: deleting and reloading an
	# unchanged list would still open a moment with no rules.
	if ! auditctl -l | cmp -s - "$AUDIT_PRIV/rules0"; then
		auditctl -D > /dev/null || true
		if ! grep -q '^No rules' "$AUDIT_PRIV/rules0"; then
			auditctl -R "$AUDIT_PRIV/rules0" > /dev/null || true
		fi
	fi
	auditctl -b "$AUDIT_BACKLOG0" > /dev/null || true
	auditctl --backlog_wait_time "$AUDIT_WAIT0" > /dev/null || true
	auditctl -r "$AUDIT_RATE0" > /dev/null || true
	auditctl -e "$AUDIT_ENABLED0" > /dev/null || true
}
