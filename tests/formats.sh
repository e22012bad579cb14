#!/bin/sh
# formats.sh: the reports for CI (sarif, github, jsonl) read as their
# consumers read them, hostile content in each, and the options that make
# them (several --format/--output pairs, --fail-on).  TAP.
#
# The goldens of every format are in tests/cases.sh; here each report is
# checked by what reads it: SARIF by Microsoft's SARIF Multitool
# (`validate`), the job summary by markdown-it (CommonMark with GFM
# tables, HTML allowed as GitHub allows some), annotations by the rules of
# GitHub's runner, JSON lines by a JSON parser (tests/formats-check.js).
# Those tools come from npm (tests/node-tools.sh installs them, .ci/run
# does); without them their points are skipped, unless
# STEPTRAIL_REQUIRE_NODE_TOOLS=1 (CI) makes that a failure.
set -u
unset GITHUB_RUN_ID GITLAB_CI JENKINS_URL GITHUB_STEP_SUMMARY \
    GITHUB_WORKFLOW_REF GITHUB_WORKSPACE

: "${STEPTRAIL:=$(pwd)/steptrail}"
: "${TOP_SRCDIR:=$(pwd)}"
: "${STEPTRAIL_NODE_TOOLS:=${HOME:-/root}/.cache/steptrail-node-tools}"
: "${STEPTRAIL_REQUIRE_NODE_TOOLS:=0}"
# shellcheck source=tests/lib-tap.sh
. "$TOP_SRCDIR/tests/lib-tap.sh"
tap_start formats
td=$TOP_SRCDIR/testdata
check_js=$TOP_SRCDIR/tests/formats-check.js
multitool=$STEPTRAIL_NODE_TOOLS/node_modules/.bin/sarif-multitool
export NODE_PATH="$STEPTRAIL_NODE_TOOLS/node_modules"
# the Multitool is a .NET program: no ICU needed for what it does here
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1

# skip_or_fail DESCRIPTION REASON: a point that needs a missing tool
skip_or_fail() {
	if [ "$STEPTRAIL_REQUIRE_NODE_TOOLS" = 1 ]; then
		point not-ok "$1 ($2, and STEPTRAIL_REQUIRE_NODE_TOOLS=1)"
	else
		n=$((n + 1))
		printf 'ok %d - %s # SKIP %s\n' "$n" "$1" "$2"
	fi
}
have_node=no
command -v node > /dev/null 2>&1 && have_node=yes

# js CHECK FILE [hostile] DESCRIPTION: formats-check.js must find nothing
js() {
	desc=$4
	if [ $have_node = no ]; then
		skip_or_fail "$desc" "no node"
		return
	fi
	if [ "$1" = summary ] && [ ! -d "$NODE_PATH/markdown-it" ]; then
		skip_or_fail "$desc" "no markdown-it (sh tests/node-tools.sh)"
		return
	fi
	if node "$check_js" "$1" "$2" $3 > "$tmp/js.out" 2>&1; then
		point ok "$desc"
	else
		point not-ok "$desc"
		head -20 "$tmp/js.out" | sed 's/^/# /'
	fi
}

# validate FILE DESCRIPTION: the Multitool finds no error and no warning
# but the one formats-check.js allows (see validated there)
validate() {
	if [ ! -x "$multitool" ] || [ $have_node = no ]; then
		skip_or_fail "$2" "no SARIF Multitool (sh tests/node-tools.sh)"
		return
	fi
	rm -f "$tmp/validated.sarif"
	if ! "$multitool" validate "$1" -o "$tmp/validated.sarif" \
	    > "$tmp/mt.out" 2>&1 || [ ! -s "$tmp/validated.sarif" ]; then
		point not-ok "$2 (the Multitool failed)"
		head -20 "$tmp/mt.out" | sed 's/^/# /'
		return
	fi
	js validated "$tmp/validated.sarif" "" "$2"
}

# reports CASE [ENV...]: every CI format of testdata/CASE into $tmp/CASE.*
reports() {
	c=$1
	shift
	: > "$tmp/$c.md"
	(cd "$td/$c" && env GITHUB_STEP_SUMMARY="$tmp/$c.md" "$@" \
	    "$STEPTRAIL" analyze --format github --format sarif \
	    --output "$tmp/$c.sarif" --format jsonl --output "$tmp/$c.jsonl" \
	    --format text --output "$tmp/$c.txt" audit.log) \
	    > "$tmp/$c.gh" 2> "$tmp/$c.err"
	echo $? > "$tmp/$c.rc"
}

# --- the hostile case: every format shows it all, and none of it acts
reports hostile
point "$([ "$(cat "$tmp/hostile.rc")" = 1 ] && echo ok || echo not-ok)" \
    "hostile: four reports in one run, exit 1 (a high finding)"
js annotations "$tmp/hostile.gh" hostile \
    "hostile: annotations are one line each, escaped as GitHub's runner reads them, all shown"
js summary "$tmp/hostile.md" hostile \
    "hostile: job summary renders no element of the attacker's, a | stays in its cell, all shown in code"
js jsonl "$tmp/hostile.jsonl" hostile \
    "hostile: JSON lines parse, ECS fields, the real bytes for machines"
js sarif "$tmp/hostile.sarif" hostile \
    "hostile: SARIF messages escaped, properties with the real bytes"
validate "$tmp/hostile.sarif" "hostile: the SARIF Multitool validates it"
if grep -q '##\[' "$tmp/hostile.txt" ||
    grep -q '^[[:space:]]*::' "$tmp/hostile.txt" ||
    LC_ALL=C grep -q "$(printf '[\033\r\a]')" "$tmp/hostile.txt"; then
	point not-ok "hostile: text report has a raw escape, a workflow command or ##["
else
	point ok "hostile: text report has no raw escape, no line a runner would obey"
fi
# the JSON report printed in a job log: ##[ and DEL written another way
"$STEPTRAIL" analyze --format json "$td/hostile/audit.log" > "$tmp/h.json"
if grep -q '##\[' "$tmp/h.json" ||
    LC_ALL=C grep -q "$(printf '\177')" "$tmp/h.json"; then
	point not-ok "hostile: the JSON report holds ##[ or a raw DEL"
else
	point ok "hostile: the JSON report writes ##[ and DEL as \\u escapes"
fi

# --- the recorded attacks, as GitHub reads them
for c in ci-job attacks-exec tamper; do
	reports "$c"
	js annotations "$tmp/$c.gh" "" "$c: annotations well formed"
	js summary "$tmp/$c.md" "" "$c: job summary renders, ancestry in <details>"
	js jsonl "$tmp/$c.jsonl" "" "$c: JSON lines parse, ECS fields"
	js sarif "$tmp/$c.sarif" "" "$c: SARIF rules and results consistent"
	validate "$tmp/$c.sarif" "$c: the SARIF Multitool validates it"
done
# as many results and JSON lines as the JSON report has findings
want=$("$STEPTRAIL" analyze --format json "$td/attacks-exec/audit.log" |
    sed -n 's/^		"listed":	\([0-9]*\),*$/\1/p')
got_l=$(wc -l < "$tmp/attacks-exec.jsonl")
got_s=$(grep -c '"ruleId":' "$tmp/attacks-exec.sarif")
if [ -n "$want" ] && [ "$got_l" = "$want" ] && [ "$got_s" = "$want" ]; then
	point ok "attacks-exec: $want findings, $want JSON lines, $want SARIF results"
else
	point not-ok "attacks-exec: JSON $want findings, jsonl $got_l, sarif $got_s"
fi
# GitHub shows 10 error annotations of a step: the rest are counted
errors=$(grep -c '^::error ' "$tmp/attacks-exec.gh")
if [ "$errors" = 10 ] &&
    grep -q '^::notice title=steptrail::[0-9]* more findings' \
    "$tmp/attacks-exec.gh"; then
	point ok "attacks-exec: 10 error annotations, then a notice counting the rest"
else
	point not-ok "attacks-exec: $errors error annotations, or no notice"
fi
# what the analysis could not see is a warning of its own: events lost
# (a real log whose serial numbers have gaps), malformed lines
for c in real-lost handmade-garbage-lines; do
	if [ $c = real-lost ]; then
		f=$TOP_SRCDIR/tests/data/real-lost.log
		what="events missing"
	else
		f=$td/$c/audit.log
		what="malformed lines skipped"
	fi
	GITHUB_STEP_SUMMARY="$tmp/$c.md" "$STEPTRAIL" analyze -f github "$f" \
	    > "$tmp/$c.gh" 2> /dev/null
	if grep -q "^::warning title=steptrail could not see everything::.*$what" \
	    "$tmp/$c.gh" &&
	    grep -q "^\*\*Not everything could be seen:\*\*" "$tmp/$c.md" &&
	    grep -q "^- .*$what" "$tmp/$c.md"; then
		point ok "$c: \"$what\" is a warning annotation and in the summary"
	else
		point not-ok "$c: \"$what\" not in annotations and summary"
		sed 's/^/# /' "$tmp/$c.gh" | head -5
	fi
done

# --- in a GitHub job: annotations and results point at the workflow file
mkdir -p "$tmp/ws/.github/workflows"
step=$(sed -n 's/^     4 .*  \(run [^ ]*\.sh\)  (run)$/\1/p' \
    "$td/ci-job/expected.txt")
cat > "$tmp/ws/.github/workflows/build.yml" <<EOF
name: build
on: push
jobs:
  build:
    runs-on: self-hosted
    steps:
      - uses: actions/checkout@v4
      - name: '$step'
        run: npm ci
EOF
reports ci-job GITHUB_RUN_ID=7 GITHUB_REPOSITORY=acme/hello \
    GITHUB_SHA=0123456789abcdef0123456789abcdef01234567 \
    GITHUB_REF=refs/heads/main GITHUB_JOB=build \
    GITHUB_SERVER_URL=https://github.com \
    GITHUB_WORKFLOW_REF=acme/hello/.github/workflows/build.yml@refs/heads/main \
    GITHUB_WORKSPACE="$tmp/ws"
if [ -n "$step" ] && grep -q \
    '^::error file=.github/workflows/build.yml,line=8,title=' \
    "$tmp/ci-job.gh"; then
	point ok "github job: annotations on the step's line of the workflow file"
else
	point not-ok "github job: no annotation at build.yml line 8 (step \"$step\")"
	head -c 300 "$tmp/ci-job.gh" | sed 's/^/# /'
fi
if grep -q '"uri":	".github/workflows/build.yml"' "$tmp/ci-job.sarif" &&
    grep -q '"startLine":	8' "$tmp/ci-job.sarif" &&
    grep -q '"repositoryUri":	"https://github.com/acme/hello"' \
    "$tmp/ci-job.sarif"; then
	point ok "github job: SARIF locations in the workflow file, the repository and commit"
else
	point not-ok "github job: SARIF has no location in the workflow file"
fi
validate "$tmp/ci-job.sarif" "github job: the SARIF Multitool validates it (locations, provenance)"

# The workflow file is in the checkout, which the job's steps can write: a
# symlink to /dev/zero or a FIFO in its place must not stop the analysis.
for kind in /dev/zero fifo; do
	rm -rf "$tmp/wz"
	mkdir -p "$tmp/wz/.github/workflows"
	if [ "$kind" = fifo ]; then
		mkfifo "$tmp/wz/.github/workflows/build.yml"
	else
		ln -s "$kind" "$tmp/wz/.github/workflows/build.yml"
	fi
	(cd "$td/ci-job" && timeout 60 env GITHUB_RUN_ID=7 \
	    GITHUB_REPOSITORY=acme/hello GITHUB_JOB=build \
	    GITHUB_WORKFLOW_REF=acme/hello/.github/workflows/build.yml@refs/heads/main \
	    GITHUB_WORKSPACE="$tmp/wz" GITHUB_STEP_SUMMARY="$tmp/wz.md" \
	    "$STEPTRAIL" analyze -f github -f sarif -o "$tmp/wz.sarif" \
	    audit.log) > "$tmp/wz.gh" 2>&1
	rc=$?
	if [ $rc = 1 ] && grep -q \
	    '^::error file=.github/workflows/build.yml,title=' "$tmp/wz.gh"
	then
		point ok "a workflow file that is a $kind: read not, reports whole"
	else
		point not-ok "a workflow file that is a $kind: exit $rc"
	fi
done

# --- --format and --output pairs, --fail-on
log=$td/ci-job/audit.log
"$STEPTRAIL" analyze -o "$tmp/early.json" -f json "$log" > "$tmp/out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q '"findings":' "$tmp/early.json" &&
    [ ! -s "$tmp/out" ]; then
	point ok "an --output before any --format goes with the first --format"
else
	point not-ok "-o FILE -f json: exit $rc, or not JSON in FILE"
fi
"$STEPTRAIL" analyze -f json -f text "$log" > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 2 ] && grep -q 'both go to standard output' "$tmp/err" &&
    [ ! -s "$tmp/out" ]; then
	point ok "two reports on standard output: exit 2, says why, writes nothing"
else
	point not-ok "two reports on standard output: exit $rc"
fi
"$STEPTRAIL" analyze -f json -o "$tmp/a" -o "$tmp/b" "$log" 2> "$tmp/err"
rc=$?
if [ $rc = 2 ] && grep -q 'already goes to' "$tmp/err"; then
	point ok "two --output for one --format: exit 2"
else
	point not-ok "two --output for one --format: exit $rc"
fi
"$STEPTRAIL" analyze -f json -o "$tmp/same" -f sarif -o "$tmp/same" "$log" \
    2> "$tmp/err"
rc=$?
if [ $rc = 2 ] && grep -q 'given twice' "$tmp/err"; then
	point ok "one file for two reports: exit 2"
else
	point not-ok "one file for two reports: exit $rc"
fi
# one file by two names, an input, standard output by its name: refused
# before anything is written or read
cp "$log" "$tmp/in.log"
for pair in "-o $tmp/same2 -f sarif -o $tmp/./same2|same file" \
    "-o $tmp/in.log $tmp/in.log|would be overwritten" \
    "-f jsonl -o /dev/stdout|is standard output"; do
	args=${pair%|*}
	why=${pair#*|}
	# shellcheck disable=SC2086
	"$STEPTRAIL" analyze -f json $args "$log" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc = 2 ] && grep -q "$why" "$tmp/err" &&
	    cmp -s "$log" "$tmp/in.log"; then
		point ok "refused, exit 2: $args ($why)"
	else
		point not-ok "not refused: $args (exit $rc)"
	fi
done
# an input that cannot be opened: the others are read, the reports
# written and marked partial, exit 3
"$STEPTRAIL" analyze -f sarif -o "$tmp/partial.sarif" "$log" "$tmp/nope.log" \
    2> "$tmp/err"
rc=$?
if [ $rc = 3 ] && grep -q '"executionSuccessful":	false' \
    "$tmp/partial.sarif" && [ "$(grep -c '"ruleId":' "$tmp/partial.sarif")" = 10 ] &&
    grep -q 'nope.log: No such file' "$tmp/err"; then
	point ok "a missing input: exit 3, the SARIF has the rest and says it is partial"
else
	point not-ok "a missing input: exit $rc"
fi
# a report that cannot be written does not stop the others
"$STEPTRAIL" analyze -f sarif -o "$tmp/nodir/x.sarif" -f jsonl \
    -o "$tmp/ok.jsonl" "$log" 2> "$tmp/err"
rc=$?
if [ $rc = 4 ] && [ -s "$tmp/ok.jsonl" ] &&
    grep -q 'nodir/x.sarif' "$tmp/err"; then
	point ok "an unwritable --output: exit 4, named, the other reports written"
else
	point not-ok "an unwritable --output: exit $rc"
fi
# the job summary is a report too: a failure to append to it is exit 4
(cd "$td/ci-job" && GITHUB_STEP_SUMMARY="$tmp/nodir/summary.md" \
    "$STEPTRAIL" analyze -f github audit.log) > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 4 ] && grep -q GITHUB_STEP_SUMMARY "$tmp/err" &&
    grep -q '^::error ' "$tmp/out"; then
	point ok "an unwritable GITHUB_STEP_SUMMARY: exit 4, annotations still out"
else
	point not-ok "an unwritable GITHUB_STEP_SUMMARY: exit $rc"
fi
for never in never none; do
	"$STEPTRAIL" analyze --fail-on "$never" -f jsonl "$log" > "$tmp/out"
	rc=$?
	if [ $rc = 0 ] && [ -s "$tmp/out" ]; then
		point ok "--fail-on $never: exit 0 with findings reported"
	else
		point not-ok "--fail-on $never: exit $rc"
	fi
done
"$STEPTRAIL" analyze --fail-on critical -f jsonl "$td/hostile/audit.log" \
    > /dev/null
rc=$?
if [ $rc = 0 ]; then
	point ok "--fail-on critical: a high finding does not fail"
else
	point not-ok "--fail-on critical on a high finding: exit $rc"
fi
echo "1..$n"
