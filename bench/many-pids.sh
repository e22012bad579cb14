#!/bin/sh
# many-pids.sh: peak memory and time of steptrail on a log of N distinct
# processes (default 10 million) created within minutes of log time, so
# that nothing is idle for a day and only the process table's bound
# (PROCS_MAX, src/proctree.c) keeps memory flat.  A benchmark, not a test:
# it prints numbers and asserts nothing (tests/malformed.sh checks 1M
# against a bound).
#
# The log (fuzz/gen/many-pids.awk: a clone record and an EOE a process, of
# 5 hosts since pids stop at 4194304) is piped in, never written: 10M
# processes are 2.9 GB of text.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
STEPTRAIL=${STEPTRAIL:-$TOP/steptrail}
N=${N:-10000000}

if ! command -v python3 > /dev/null; then
	echo "many-pids: skipped: needs python3 (to measure peak RSS)"
	exit 0
fi
tmp=$(mktemp -d /tmp/steptrail-many-pids.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# steptrail's own peak RSS (the generator's is not counted) and wall time
awk -v n="$N" -f "$TOP/fuzz/gen/many-pids.awk" | python3 -c '
import os, resource, sys, time
t = time.time()
pid = os.fork()
if pid == 0:
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.execv(sys.argv[2], sys.argv[2:])
_, st, ru = os.wait4(pid, 0)
print("exit %s, %.1f s, peak RSS %d MB" % (
    os.WEXITSTATUS(st) if os.WIFEXITED(st) else "signal %d" % os.WTERMSIG(st),
    time.time() - t, ru.ru_maxrss // 1024))
' "$tmp/report.json" "$STEPTRAIL" analyze -f json --fail-on none - \
    > "$tmp/measure"
printf '%s processes (fuzz/gen/many-pids.awk): %s\n' "$N" \
    "$(cat "$tmp/measure")"
python3 -c '
import json, sys
i = json.load(open(sys.argv[1]))["input"]
print("processes %d, forgotten (idle a day) %d, forgotten (table full) %s" % (
    i["processes"], i["forgotten"], i.get("forgotten_full", "n/a")))
' "$tmp/report.json"
