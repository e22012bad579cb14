#!/bin/sh
# checkpoint.sh: --checkpoint, as a timer on a long-lived runner uses it.
# Recorded logs replayed as growing logs (cut mid-event, rotated, the
# rotation compressed) in several runs with one checkpoint report exactly
# what one run over the whole log reports; events still being written are
# held for the next run; a checkpoint cut short, altered or of another
# format is refused with a clear error, and --checkpoint-reset starts
# over.  TAP.
set -u
unset GITHUB_RUN_ID GITLAB_CI JENKINS_URL

: "${STEPTRAIL:=$(pwd)/steptrail}"
: "${TOP_SRCDIR:=$(pwd)}"
# shellcheck source=tests/lib-tap.sh
. "$TOP_SRCDIR/tests/lib-tap.sh"
tap_start checkpoint
replay=$TOP_SRCDIR/tests/checkpoint-replay.py
job=$TOP_SRCDIR/testdata/ci-job/audit.log

# replay CASE PIECES [--rotate] [--gzip]: the replay's checks, as points
replay() {
	_case=$1
	shift
	python3 "$replay" "$STEPTRAIL" "$TOP_SRCDIR/testdata/$_case/audit.log" \
	    "$tmp/replay" "$@" > "$tmp/replay.out" 2>&1
	_rc=$?
	while IFS= read -r _l; do
		case $_l in
		"ok "*) point ok "$_case $*: ${_l#ok }" ;;
		"not ok "*) point not-ok "$_case $*: ${_l#not ok }" ;;
		*) printf '%s\n' "$_l" ;;
		esac
	done < "$tmp/replay.out"
	[ $_rc = 0 ] || grep -q '^not ok' "$tmp/replay.out" ||
	    point not-ok "$_case $*: the replay ran ($(tail -1 "$tmp/replay.out"))"
}

if ! command -v python3 > /dev/null; then
	echo "1..0 # SKIP python3 is needed to replay logs"
	exit 0
fi

# --- equivalence: five runs, one checkpoint
replay ci-job 5
replay ci-job 5 --rotate --gzip
replay attacks-host 5 --rotate
replay reverse-shell 5
replay tamper 5
replay markers 5
replay github-steps 17 --rotate --gzip
replay subshell-pipeline 9

# --- without the checkpoint the same runs repeat what they reported
mkdir "$tmp/rep"
cp "$job" "$tmp/rep/audit.log"
"$STEPTRAIL" analyze -q -f json --fail-on never "$tmp/rep/audit.log" > "$tmp/rep/a.json"
"$STEPTRAIL" analyze -q -f json --fail-on never "$tmp/rep/audit.log" > "$tmp/rep/b.json"
check "control: without a checkpoint a second run reports the same findings again" sh -c "
    [ \$(grep -c '\"recipe\":' '$tmp/rep/b.json') -gt 0 ] &&
    [ \$(grep -c '\"recipe\":' '$tmp/rep/a.json') = \$(grep -c '\"recipe\":' '$tmp/rep/b.json') ]"

# --- a second run over the same unchanged log reports nothing again
ck=$tmp/rep/ck
"$STEPTRAIL" analyze -q -f json --fail-on never --checkpoint "$ck" "$job" > "$tmp/rep/1.json"
"$STEPTRAIL" analyze -q -f json --fail-on low --checkpoint "$ck" "$job" > "$tmp/rep/2.json"
rc=$?
check "the same log again: no finding, exit 0 though --fail-on low" sh -c "
    [ $rc = 0 ] && grep -q '\"findings\":	\[\]' '$tmp/rep/2.json' &&
    grep -q '\"checkpoint_resumed\":	true' '$tmp/rep/2.json'"
check "the first run reported and exited as without a checkpoint" \
    sh -c "[ \$(grep -c '\"recipe\":' '$tmp/rep/1.json') -ge 10 ]"

# --- events still being written wait for the next run
# the exec of curl that the ci-job flags: cut after its SYSCALL record
serial=$(grep -m1 'type=EXECVE .*a0="curl"' "$job" | sed 's/.*msg=audit([0-9.]*:\([0-9]*\)).*/\1/')
line=$(grep -n "type=SYSCALL msg=audit([0-9.]*:$serial)" "$job" | cut -d: -f1)
mkdir "$tmp/hold"
head -n "$line" "$job" > "$tmp/hold/audit.log"
"$STEPTRAIL" analyze -q -f json --fail-on never --checkpoint "$tmp/hold/ck" "$tmp/hold/audit.log" > "$tmp/hold/1.json"
# has_exec FILE SERIAL: a finding on that exec, with its cwd and whole
has_exec() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if any(int(sys.argv[2]) in f["serials"] and f.get("cwd") and
    not f["incomplete"] for f in d["findings"]) else 1)' "$1" "$2"
}
check "an exec cut after its SYSCALL record is held, not analysed half-read" sh -c "
    grep -q '\"held\":	[1-9]' '$tmp/hold/1.json'" &&
check "... (no finding on it yet)" sh -c "! $(command -v python3) -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if any($serial in f[\"serials\"] for f in d[\"findings\"]) else 1)' '$tmp/hold/1.json'"
tail -n "+$((line + 1))" "$job" >> "$tmp/hold/audit.log"
"$STEPTRAIL" analyze -q -f json --fail-on never --checkpoint "$tmp/hold/ck" "$tmp/hold/audit.log" > "$tmp/hold/2.json"
check "... and the next run analyses it whole (its cwd, not incomplete)" \
    has_exec "$tmp/hold/2.json" "$serial"
# a line without its newline is left too
mkdir "$tmp/tail"
head -n 600 "$job" > "$tmp/tail/audit.log"
sed -n 601p "$job" | head -c 40 >> "$tmp/tail/audit.log"
"$STEPTRAIL" analyze -q -f json --fail-on never --checkpoint "$tmp/tail/ck" "$tmp/tail/audit.log" > "$tmp/tail/1.json"
check "a last line without its newline is left for the next run, not malformed" \
    grep -q '"malformed":	0,' "$tmp/tail/1.json"
sed -n 601p "$job" | tail -c +41 >> "$tmp/tail/audit.log"
tail -n +602 "$job" >> "$tmp/tail/audit.log"
"$STEPTRAIL" analyze -q -f json --fail-on never --checkpoint "$tmp/tail/ck" "$tmp/tail/audit.log" > "$tmp/tail/2.json"
"$STEPTRAIL" analyze -q -f json --fail-on never "$job" > "$tmp/tail/whole.json"
check "... and read whole by the next: the two runs find what one does" sh -c "
    [ \$(cat '$tmp/tail/1.json' '$tmp/tail/2.json' | grep -c '\"recipe\":') = \
      \$(grep -c '\"recipe\":' '$tmp/tail/whole.json') ] &&
    grep -q '\"malformed\":	0,' '$tmp/tail/2.json'"

# --- a log that stopped growing: what was held is taken as it is
mkdir "$tmp/still"
head -n "$line" "$job" > "$tmp/still/audit.log"
"$STEPTRAIL" analyze -q -f json --fail-on never --checkpoint "$tmp/still/ck" "$tmp/still/audit.log" > "$tmp/still/1.json"
"$STEPTRAIL" analyze -q -f json --fail-on never --checkpoint "$tmp/still/ck" "$tmp/still/audit.log" > "$tmp/still/2.json"
check "the log did not grow: the held exec is analysed as it is, once" sh -c "
    grep -q '\"held\":	0' '$tmp/still/2.json' &&
    grep -q '\"execs\":	1,' '$tmp/still/2.json'"

# --- a checkpoint that cannot be used: a clear error, nothing changed
good=$tmp/rep/ck
bad_case() {	# bad_case DESCRIPTION EXPECTED-MESSAGE (checkpoint in $tmp/bad/ck)
	cp "$tmp/bad/ck" "$tmp/bad/before"
	"$STEPTRAIL" analyze -q --fail-on never --checkpoint "$tmp/bad/ck" "$job" > "$tmp/bad/out" 2> "$tmp/bad/err"
	_rc=$?
	if [ $_rc = 2 ] && grep -q -- "$2" "$tmp/bad/err" &&
	    grep -q -- '--checkpoint-reset' "$tmp/bad/err" &&
	    [ ! -s "$tmp/bad/out" ] && cmp -s "$tmp/bad/ck" "$tmp/bad/before"; then
		point ok "$1: exit 2, says why and how to start over, changes nothing"
	else
		point not-ok "$1: exit 2, says why and how to start over, changes nothing"
		echo "# exit $_rc"
		sed 's/^/# /' "$tmp/bad/err"
	fi
}
mkdir "$tmp/bad"
lines=$(wc -l < "$good")
head -n $((lines - 1)) "$good" > "$tmp/bad/ck"
bad_case "a checkpoint cut at a line" "cut short: no end record"
head -c $(($(wc -c < "$good") - 7)) "$good" > "$tmp/bad/ck"
bad_case "a checkpoint cut inside a line" "cut short"
# one digit changed inside a process record: still JSON, still plausible
awk '/"proc"/ && !done { sub(/"pid":[0-9]/, "\"pid\":9"); done = 1 } { print }' "$good" > "$tmp/bad/ck"
check "(the altered checkpoint differs from the good one)" sh -c "! cmp -s '$good' '$tmp/bad/ck'"
bad_case "a checkpoint altered by one digit" "altered: its hash does not match"
sed '1s/"format":1/"format":2/' "$good" > "$tmp/bad/ck"
bad_case "a checkpoint of another format" "format 2; this steptrail reads format 1"
printf 'not a checkpoint\n' > "$tmp/bad/ck"
bad_case "a file that is not a checkpoint" "not a steptrail checkpoint"
: > "$tmp/bad/ck"
bad_case "an empty checkpoint" "cut short"
rm "$tmp/bad/ck"
mkdir "$tmp/bad/ck"
"$STEPTRAIL" analyze -q --fail-on never --checkpoint "$tmp/bad/ck" "$job" > /dev/null 2> "$tmp/bad/err"
check "a directory as checkpoint: exit 2, not a regular file" sh -c "
    [ $? = 2 ] && grep -q 'not a regular file' '$tmp/bad/err'"
rmdir "$tmp/bad/ck"

# --checkpoint-reset starts over, and writes a good one
head -n $((lines - 1)) "$good" > "$tmp/bad/ck"
"$STEPTRAIL" analyze -q -f json --fail-on never --checkpoint "$tmp/bad/ck" --checkpoint-reset "$job" > "$tmp/bad/reset.json"
check "--checkpoint-reset: every finding of the log reported again" sh -c "
    [ \$(grep -c '\"recipe\":' '$tmp/bad/reset.json') = \
      \$(grep -c '\"recipe\":' '$tmp/rep/1.json') ]"
"$STEPTRAIL" analyze -q -f json --fail-on never --checkpoint "$tmp/bad/ck" "$job" > "$tmp/bad/after.json"
check "... and its checkpoint is sound: the next run goes on from it" \
    grep -q '"findings":	\[\]' "$tmp/bad/after.json"
check "no temporary file is left beside the checkpoint" \
    sh -c "! ls '$tmp/bad' | grep -q '\\.tmp'"

# --- cannot be written: the reports are out, exit 4; nor with --until
mkdir "$tmp/ro"
"$STEPTRAIL" analyze -q -f json --fail-on never --checkpoint "$tmp/ro/no/such/dir/ck" "$job" > "$tmp/ro/out.json" 2> "$tmp/ro/err"
check "an unwritable checkpoint: exit 4, the report written all the same" sh -c "
    [ $? = 4 ] && grep -q 'cannot write the checkpoint' '$tmp/ro/err' &&
    grep -q '\"recipe\":' '$tmp/ro/out.json'"
"$STEPTRAIL" analyze -q --checkpoint "$tmp/ro/ck" --until now "$job" > /dev/null 2> "$tmp/ro/err"
check "--until with --checkpoint: a usage error" sh -c "
    [ $? = 2 ] && grep -q -- '--until and --checkpoint' '$tmp/ro/err'"
"$STEPTRAIL" analyze -q --checkpoint-reset "$job" > /dev/null 2> "$tmp/ro/err"
check "--checkpoint-reset alone: a usage error" sh -c "
    [ $? = 2 ] && grep -q -- 'needs --checkpoint' '$tmp/ro/err'"
# an input that cannot be read: the checkpoint is not moved on
cp "$good" "$tmp/ro/ck"
"$STEPTRAIL" analyze -q --fail-on never --checkpoint "$tmp/ro/ck" "$job" "$tmp/ro/missing.log" > /dev/null 2> "$tmp/ro/err"
check "an input that cannot be read: exit 3, the checkpoint left as it was" sh -c "
    [ $? = 3 ] && cmp -s '$good' '$tmp/ro/ck' &&
    grep -q 'not updated' '$tmp/ro/err'"

# --- hostile strings come back byte for byte
mkdir "$tmp/host"
h=$TOP_SRCDIR/testdata/hostile/audit.log
half=$(($(wc -l < "$h") / 2))
head -n "$half" "$h" > "$tmp/host/audit.log"
"$STEPTRAIL" analyze -q --fail-on never --checkpoint "$tmp/host/ck" "$tmp/host/audit.log" > /dev/null
check "hostile argv is kept in the checkpoint as hex, one record a line" sh -c "
    grep -q '{\"hex\":\"' '$tmp/host/ck' &&
    [ \$(grep -c '^{\"' '$tmp/host/ck') = \$(wc -l < '$tmp/host/ck') ]"

echo "1..$n"
