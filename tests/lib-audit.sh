# lib-audit.sh: shared by the scripts that use kernel audit for real
# (tests/live.sh, testdata/record.sh, bench/capture-overhead.sh).  Sourced,
# not run.  bash.
#
# Kernel audit is global to the machine and only one audit daemon can be
# registered at a time, so these functions:
#   - refuse to start if another daemon is registered (audit_busy);
#   - save the state found (enabled flag, backlog limit, backlog wait
#     time, the rule list) and put exactly that back (audit_save,
#     audit_restore; the rules are restored by deleting every rule and
#     loading the saved list, which auditctl -l prints in loadable form);
#   - start a private auditd with its own configuration and log directory
#     and stop it by its pid (audit_start_daemon, audit_stop_daemon),
#     removing /run/auditd.pid if it was not there before.
# The caller sets a trap that calls audit_restore on EXIT, INT and TERM.
#
# "No daemon registered" is checked, but a check is not a lock: between a
# benchmark's arms no daemon is registered either.  So every script of ours
# that uses audit also holds AUDIT_LOCK (flock) until it exits, and so does
# `steptrail run` (src/run.c): two of them never interleave.

AUDIT_LOCK=/run/lock/steptrail-audit.lock

AUDIT_PRIV=${AUDIT_PRIV:-}
AUDITD_PID=
AUDIT_SAVED=0

audit_status() { auditctl -s | awk -v k="$1" '$1 == k { print $2 }'; }

# Takes the lock for as long as this shell runs (fd 9); fails at once if
# another user of ours holds it.  Our children (steptrail run) are told
# that their parent holds it.
audit_lock() {
	mkdir -p "$(dirname "$AUDIT_LOCK")" && exec 9> "$AUDIT_LOCK" &&
	    flock -n 9 && export STEPTRAIL_AUDIT_LOCKED=$$
}

# Prints why kernel audit cannot be used here, or nothing.  Takes the lock.
audit_unavailable() {
	[ "$(id -u)" = 0 ] || { echo "not root"; return; }
	audit_lock || { echo "another steptrail test, benchmark or run is" \
	    "using kernel audit"; return; }
	command -v auditctl > /dev/null || { echo "auditctl not installed"; return; }
	command -v auditd > /dev/null || [ -x /usr/sbin/auditd ] ||
	    { echo "auditd not installed"; return; }
	auditctl -s > /dev/null 2>&1 || { echo "no kernel audit here"; return; }
	if [ "$(audit_status pid)" != 0 ]; then
		echo "an audit daemon is registered (pid $(audit_status pid)):" \
		    "these tests need to run their own"
		return
	fi
	if [ "$(audit_status enabled)" = 2 ]; then
		echo "audit rules are locked (enabled 2) until reboot"
		return
	fi
}

# The whole observable state, for comparing before and after.
audit_snapshot() {
	printf 'enabled %s\nbacklog_limit %s\nbacklog_wait_time %s\n' \
	    "$(audit_status enabled)" "$(audit_status backlog_limit)" \
	    "$(audit_status backlog_wait_time)"
	auditctl -l
}

audit_save() {
	AUDIT_PRIV=${AUDIT_PRIV:-$(mktemp -d /tmp/steptrail-audit.XXXXXX)}
	AUDIT_ENABLED0=$(audit_status enabled)
	AUDIT_BACKLOG0=$(audit_status backlog_limit)
	AUDIT_WAIT0=$(audit_status backlog_wait_time)
	auditctl -l > "$AUDIT_PRIV/rules0"
	[ -e /run/auditd.pid ] && AUDIT_PIDFILE0=1 || AUDIT_PIDFILE0=0
	AUDIT_SAVED=1
}

audit_start_daemon() {
	local i

	mkdir -p "$AUDIT_PRIV/conf" "$AUDIT_PRIV/log" "$AUDIT_PRIV/plugins"
	chmod 0700 "$AUDIT_PRIV/log"
	cat > "$AUDIT_PRIV/conf/auditd.conf" <<EOF
# a private auditd for tests: RAW records to a private log, no plugins,
# never acts on disk space
local_events = yes
write_logs = yes
log_file = $AUDIT_PRIV/log/audit.log
log_group = root
log_format = ${AUDIT_LOG_FORMAT:-RAW}
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 256
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
plugin_dir = $AUDIT_PRIV/plugins
end_of_event_timeout = 2
EOF
	chmod 0640 "$AUDIT_PRIV/conf/auditd.conf"
	rm -f "$AUDIT_PRIV/log/audit.log"
	auditd -n -s nochange -c "$AUDIT_PRIV/conf" < /dev/null \
	    > "$AUDIT_PRIV/auditd.out" 2>&1 &
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
	kill "$AUDITD_PID" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$AUDITD_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$AUDITD_PID" 2>/dev/null && kill -KILL "$AUDITD_PID"
	wait "$AUDITD_PID" 2>/dev/null
	AUDITD_PID=
	[ "$AUDIT_PIDFILE0" = 1 ] || rm -f /run/auditd.pid
}

# Waits until the private log stops growing (auditd writes asynchronously).
audit_settle() {
	local a b i

	sleep 0.5
	for i in $(seq 1 25); do
		a=$(stat -c %s "$AUDIT_PRIV/log/audit.log" 2>/dev/null)
		sleep 0.2
		b=$(stat -c %s "$AUDIT_PRIV/log/audit.log" 2>/dev/null)
		[ "$a" = "$b" ] && return 0
	done
}

# Puts kernel audit back exactly as audit_save found it.  Idempotent.
audit_restore() {
	[ "$AUDIT_SAVED" = 1 ] || return 0
	audit_stop_daemon
	# Rules are reloaded only if they differ: deleting and reloading an
	# unchanged list would still open a moment with no rules.
	if ! auditctl -l | cmp -s - "$AUDIT_PRIV/rules0"; then
		auditctl -D > /dev/null
		if ! grep -q '^No rules' "$AUDIT_PRIV/rules0"; then
			auditctl -R "$AUDIT_PRIV/rules0" > /dev/null
		fi
	fi
	auditctl -b "$AUDIT_BACKLOG0" > /dev/null
	auditctl --backlog_wait_time "$AUDIT_WAIT0" > /dev/null
	auditctl -e "$AUDIT_ENABLED0" > /dev/null
}
