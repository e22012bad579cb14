#!/bin/sh
# cli.sh: steptrail analyze as a user runs it: inputs (files, rotations,
# compression, stdin), bad input, options and exit codes.  TAP.
set -u
# Reports gain a "ci" section under a CI system: the goldens are made
# outside one, and so must the runs that compare with them be.
unset GITHUB_RUN_ID GITLAB_CI JENKINS_URL

: "${STEPTRAIL:=$(pwd)/steptrail}"
: "${TOP_SRCDIR:=$(pwd)}"
# the recipes and rules of the source tree, never an installed copy
: "${STEPTRAIL_DATADIR:=$TOP_SRCDIR}"
export STEPTRAIL_DATADIR
data=$TOP_SRCDIR/tests/data
log=$data/real-memfd-exec.log	# critical findings (a program run from a memfd)
quiet=$data/real-bash-c-hex.log		# no finding
tmp=$(mktemp -d "${TMPDIR:-/tmp}/steptrail-cli.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

n=0
check() {	# check DESCRIPTION COMMAND...: the command must succeed
	desc=$1
	shift
	n=$((n + 1))
	if "$@" > "$tmp/check.out" 2>&1; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		sed 's/^/# /' "$tmp/check.out" | head -20
	fi
}
# run EXPECTED-STATUS ARGS...: steptrail's output in $tmp/out, $tmp/err
run() {
	want=$1
	shift
	"$STEPTRAIL" "$@" > "$tmp/out" 2> "$tmp/err"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "exit status $got, expected $want" > "$tmp/why"
		return 1
	fi
	return 0
}
has() { grep -qF -- "$2" "$tmp/$1"; }

# --- exit codes and the fail threshold
check "findings at or above high: exit 1" run 1 analyze "$log"
check "--fail-on none: exit 0 though a finding is listed" \
    sh -c "\"$STEPTRAIL\" analyze --fail-on none '$log' | grep -q CRITICAL"
check "--fail-on critical still fails on a critical" run 1 analyze \
    --fail-on critical "$log"
check "no finding: exit 0" run 0 analyze "$quiet"
check "unknown format: exit 2" run 2 analyze -f yaml "$log"
check "bad --fail-on: exit 2" run 2 analyze --fail-on severe "$log"
check "unknown command: exit 2" run 2 analyse "$log"

# --- unreadable inputs
check "missing file: exit 3" run 3 analyze "$tmp/nope.log"
check "missing file: says which" has err "nope.log: No such file"
check "a directory with no audit log: exit 3" run 3 analyze "$tmp"
printf 'hello\nworld\n' > "$tmp/notaudit.txt"
check "not an audit log: exit 3" run 3 analyze "$log" "$tmp/notaudit.txt"
check "not an audit log: the report is still printed" has out "CRITICAL"
check "not an audit log: the report names it" \
    has out "UNREADABLE $tmp/notaudit.txt: no audit records in 2 lines"
: > "$tmp/empty.log"
check "an empty log (just rotated) is fine" run 0 analyze "$tmp/empty.log"

# --- garbage inside a real log
{ echo "garbage at the top"; cat "$log"; head -c 70000 /dev/zero |
    tr '\0' A; echo; echo "type=SYSCALL but no header"; } > "$tmp/dirty.log"
check "garbage lines: findings still reported" run 1 analyze \
    "$tmp/dirty.log"
check "garbage lines: counted, long line included" \
    has out "skipped 3 malformed lines (first: $tmp/dirty.log:1: not an"

# --- the same log, every way it can arrive
"$STEPTRAIL" analyze -f json "$log" | sed -n '/"findings": \[/,$p' \
    > "$tmp/plain.json"
same_findings() {	# same_findings ARGS...: JSON findings as for plain
	"$STEPTRAIL" analyze -f json "$@" | sed -n '/"findings": \[/,$p' \
	    > "$tmp/other.json"
	cmp -s "$tmp/plain.json" "$tmp/other.json"
}
check "stdin (-): same findings" sh -c "same() { :; }; \"$STEPTRAIL\" \
    analyze -f json - < '$log' | sed -n '/\"findings\": \\[/,\$p' |
    cmp -s - '$tmp/plain.json'"
gzip -c "$log" > "$tmp/a.log.gz"
check "gzip file: same findings" same_findings "$tmp/a.log.gz"
check "gzip file: reported as such" sh -c "\"$STEPTRAIL\" analyze \
    '$tmp/a.log.gz' | grep -qF 'a.log.gz (gzip)'"
if command -v xz > /dev/null; then
	xz -c "$log" > "$tmp/a.log.xz"
	check "xz file: same findings" same_findings "$tmp/a.log.xz"
	# gzip on stdin is read (zlib, tests/inputs.sh); the others need
	# their program, which reads a file
	compressed_stdin() { run 3 analyze - < "$tmp/a.log.xz" &&
	    has err "xz -dc FILE"; }
	check "xz-compressed stdin: exit 3 with advice" compressed_stdin
fi

# --- the system trail: rotations oldest first, compressed ones included
mkdir "$tmp/trail"
head -n 200 "$log" > "$tmp/trail/audit.log.2"
sed -n '201,300p' "$log" | gzip > "$tmp/trail/audit.log.1.gz"
tail -n +301 "$log" > "$tmp/trail/audit.log"
check "system trail: the finding is found across rotations" run 1 \
    analyze --log "$tmp/trail/audit.log"
check "system trail: read oldest first" has out \
    "input: $tmp/trail/audit.log.2, $tmp/trail/audit.log.1.gz (gzip), $tmp/trail/audit.log"
check "system trail: missing log is exit 3" run 3 analyze --log \
    "$tmp/none/audit.log"

# --- recipes
printf '{"name":"x","description":"d","severity":"low","technique":"T1059",\n"match":{"exe":"(oops"}}\n' \
    > "$tmp/bad.json"
check "bad recipe: exit 2" run 2 analyze -r "$tmp/bad.json" "$log"
check "bad recipe: names file, recipe, field and offset" has err \
    "$tmp/bad.json: recipe \"x\": match.exe: bad regular expression at offset 5"
check "steptrail recipes checks a file too" run 2 recipes -r "$tmp/bad.json"
printf '{"name":"code_on_the_fly","description":"mine","severity":"low","technique":"T1059","match":{"exe":"nothing"}}\n' \
    > "$tmp/override.json"
check "a recipe replaces the built-in of the same name" sh -c "\
    \"$STEPTRAIL\" analyze '$data/real-python-c-chain.log' | \
    grep -q '^LOW  code_on_the_fly' && ! \"$STEPTRAIL\" analyze -r \
    '$tmp/override.json' '$data/real-python-c-chain.log' | \
    grep -q code_on_the_fly"
check "--no-builtin without --recipes: exit 2" run 2 analyze --no-builtin \
    "$log"

# A recipe whose pattern gives up (hand-made exec, a pathological
# pattern): the analysis goes on, the report names the recipe.
printf 'type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 success=yes exit=0 items=0 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 comm="x" exe="/usr/bin/x"\ntype=EXECVE msg=audit(1.000:1): argc=2 a0="x" a1="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"\n' \
    > "$tmp/handmade-slow.log"
printf '{"name":"slow_pattern","description":"d","severity":"low","technique":"T1059","match":{"args":"^(a|aa)+$"}}\n' \
    > "$tmp/slow.json"
check "a recipe that hits a PCRE2 limit: reported by name, the analysis goes on" \
    sh -c "\"$STEPTRAIL\" analyze --no-builtin -r '$tmp/slow.json' \
    '$tmp/handmade-slow.log' | grep -q 'gave up at a PCRE2 limit.*: slow_pattern 1' && \
    \"$STEPTRAIL\" analyze -f json --no-builtin -r '$tmp/slow.json' \
    '$tmp/handmade-slow.log' | python3 -c 'import json,sys; d=json.load(sys.stdin); \
    assert d[\"input\"][\"gave_up\"] == {\"slow_pattern\": 1}; \
    assert d[\"findings\"][0][\"recipe\"] == \"slow_pattern\"'"

# --- output
check "-o FILE writes the report there" sh -c "\"$STEPTRAIL\" analyze \
    -o '$tmp/report.txt' '$log'; [ \$? = 1 ] && grep -q CRITICAL \
    '$tmp/report.txt'"
check "unwritable -o: exit 4" run 4 analyze -o "$tmp/no/such/dir" "$log"
check "json is one valid document" sh -c "\"$STEPTRAIL\" analyze -f json \
    '$log' | python3 -c 'import json,sys; d=json.load(sys.stdin); \
    assert d[\"summary\"][\"max_severity\"] == \"critical\"; \
    assert d[\"findings\"][0][\"ancestry\"][0][\"pid\"] == 18217'"

# --- CI context, read from the environment
ci_env() {	# ci_env VAR=VALUE...: lines 2-3 of the text report in $tmp/ci
	env -i PATH="$PATH" STEPTRAIL_DATADIR="$STEPTRAIL_DATADIR" "$@" \
	    "$STEPTRAIL" analyze "$log" > "$tmp/out" 2>&1
	sed -n 2,3p "$tmp/out" > "$tmp/ci"
}
ci_env GITHUB_RUN_ID=42 GITHUB_REPOSITORY=acme/app GITHUB_SHA=0123abc \
    GITHUB_REF=refs/pull/7/merge GITHUB_WORKFLOW=CI GITHUB_JOB=build \
    GITHUB_SERVER_URL=https://github.com GITHUB_RUN_ATTEMPT=2
check "GitHub Actions context" grep -qx "GitHub Actions: repository acme/app commit 0123abc ref refs/pull/7/merge workflow CI job build run 42" "$tmp/ci"
check "GitHub Actions run URL, with the attempt" grep -qx \
    "  https://github.com/acme/app/actions/runs/42/attempts/2" "$tmp/ci"
ci_env GITLAB_CI=true CI_PROJECT_PATH=g/p CI_COMMIT_SHA=feed CI_JOB_ID=9 \
    CI_JOB_URL=https://gitlab.example/g/p/-/jobs/9
check "GitLab CI context" grep -q "^GitLab CI: repository g/p commit feed run 9" "$tmp/ci"
check "GitLab job URL" grep -qx "  https://gitlab.example/g/p/-/jobs/9" "$tmp/ci"
ci_env JENKINS_URL=http://j/ JOB_NAME=app BUILD_NUMBER=5 GIT_COMMIT=abc \
    BUILD_URL=http://j/job/app/5/
check "Jenkins context" grep -q "^Jenkins: commit abc workflow app run 5" "$tmp/ci"
ci_env GITHUB_RUN_ID=1 "GITHUB_REF=$(printf 'x\n::error::y')"
check "a ref chosen by the attacker is escaped" grep -qF 'ref x\n::error::y' "$tmp/ci"
check "... and cannot start a line" sh -c "! grep -q '^::error' '$tmp/out'"
ci_env
check "no CI: no context line" grep -q "^input:" "$tmp/ci"
json_ci() {
	GITHUB_RUN_ID=42 GITHUB_REPOSITORY=acme/app "$STEPTRAIL" analyze -f json \
	    "$log" | python3 -c 'import json, sys
d = json.load(sys.stdin)
assert d["ci"]["system"] == "GitHub Actions" and d["ci"]["run"] == "42"'
}
check "json: the ci object" json_ci

# --- the step list
check "--steps with a missing file: exit 2" run 2 analyze --steps \
    "$tmp/nope.json" "$log"
echo '{"jobs": [{"name": "x"}]}' > "$tmp/nosteps.json"
check "--steps without a steps array: exit 2" run 2 analyze --steps \
    "$tmp/nosteps.json" "$log"
check "... saying so" has err 'no "steps" array'
head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' ' ' > "$tmp/huge.json"
check "--steps with a 17 MiB file: exit 2" run 2 analyze --steps \
    "$tmp/huge.json" "$log"
check "... saying it is too large" has err 'larger than 16 MiB'
rm -f "$tmp/huge.json"

# --- the data directory: the installed recipes and rules when they are
# there (make install), else the copies compiled in; never a quiet fall
# back from a broken installed set
nrec=$(ls "$TOP_SRCDIR"/recipes/*.json | wc -l)
nrul=$(ls "$TOP_SRCDIR"/rules.d/*.rules | wc -l)
dd_run() {	# dd_run DATADIR EXPECTED-STATUS ARGS...: as run, that data dir
	dd=$1 want=$2
	shift 2
	env STEPTRAIL_DATADIR="$dd" "$STEPTRAIL" "$@" > "$tmp/out" 2> "$tmp/err"
	got=$?
	[ "$got" = "$want" ] || { echo "exit status $got, expected $want"; cat "$tmp/err"; return 1; }
}
check "the tests read the source tree's recipes and rules" sh -c "
    \"$STEPTRAIL\" version | grep -qxF 'recipes: $STEPTRAIL_DATADIR/recipes ($nrec)' &&
    \"$STEPTRAIL\" version | grep -qxF 'rules: $STEPTRAIL_DATADIR/rules.d ($nrul files)'"
check "no data dir: version exits 0" dd_run "$tmp/none" 0 version
check "no data dir: the built-in recipes" has out "recipes: built in ($nrec)"
check "no data dir: the built-in rules" has out "rules: built in ($nrul files)"
check "no data dir: analyze finds with the built-in recipes (exit 1)" \
    dd_run "$tmp/none" 1 analyze "$log"
mkdir "$tmp/bare"
check "a data dir without recipes/: recipes list says built in" \
    dd_run "$tmp/bare" 0 recipes
check "... on stderr, the table on stdout" sh -c "grep -qxF \
    'recipes: built in ($nrec)' '$tmp/err' && [ \$(wc -l < '$tmp/out') = $nrec ]"
check "... rules print says built in" dd_run "$tmp/bare" 0 rules print
check "... on its first line" sh -c "head -n 1 '$tmp/out' | grep -qxF \
    '## steptrail rules: built in ($nrul files)'"

# an installed tree: the files as make install puts them, one recipe and
# one rule file edited, as an administrator would
share=$tmp/share
mkdir -p "$share/recipes" "$share/rules.d"
cp "$TOP_SRCDIR"/recipes/*.json "$share/recipes/"
cp "$TOP_SRCDIR"/rules.d/*.rules "$share/rules.d/"
sed 's/"description": "Code on the fly:/"description": "Tuned here:/' \
    "$TOP_SRCDIR/recipes/code_on_the_fly.json" \
    > "$share/recipes/code_on_the_fly.json"
echo '-a always,exit -F arch=b64 -S chdir -k installed-copy' \
    >> "$share/rules.d/80-steptrail-watch.rules"
check "installed tree: version names it" dd_run "$share" 0 version
check "... its recipes" has out "recipes: $share/recipes ($nrec)"
check "... its rules" has out "rules: $share/rules.d ($nrul files)"
check "installed tree: analyze uses the edited recipe" sh -c "
    STEPTRAIL_DATADIR='$share' \"$STEPTRAIL\" analyze \
    '$data/real-python-c-chain.log' | grep -q '^  Tuned here: an interpreter'"
check "installed tree: recipes list names the installed files" \
    dd_run "$share" 0 recipes
check "... each one" sh -c "awk '{ print \$NF }' '$tmp/out' |
    grep -vc '^$share/recipes/' | grep -qx 0"
check "installed tree: rules print has the edited rule file" \
    dd_run "$share" 0 rules print --user root
check "... named" has out "## ---- $share/rules.d/80-steptrail-watch.rules"
check "... with the added rule" has out "-k installed-copy"
check "installed tree: recipes lint lints it" dd_run "$share" 0 recipes lint
check "... all of it" has out "$nrec recipes,"
check "--no-builtin leaves the installed set out too" sh -c "
    STEPTRAIL_DATADIR='$share' \"$STEPTRAIL\" recipes --no-builtin \
    -r '$TOP_SRCDIR/recipes/setcap.json' | wc -l | grep -qx 1"

# broken installed files: exit 2 naming the file, not the built-in set
cp -R "$share" "$tmp/broken"
printf '{"name": "half",\n' > "$tmp/broken/recipes/zz-broken.json"
check "a broken installed recipe: analyze exits 2" \
    dd_run "$tmp/broken" 2 analyze "$log"
broken_named() { has err "$tmp/broken/recipes/zz-broken.json:1:" &&
    has err "not valid JSON"; }
check "... naming the file" broken_named
check "... recipes list exits 2" dd_run "$tmp/broken" 2 recipes
check "... recipes lint exits 2, naming it" sh -c "
    STEPTRAIL_DATADIR='$tmp/broken' \"$STEPTRAIL\" recipes lint |
    grep -q '^FAIL $tmp/broken/recipes/zz-broken.json'; [ \$? = 0 ] &&
    ! STEPTRAIL_DATADIR='$tmp/broken' \"$STEPTRAIL\" recipes lint > /dev/null"
check "... version exits 2, after the version" dd_run "$tmp/broken" 2 version
check "... and says why" broken_named
rm "$tmp/broken/recipes/zz-broken.json"
echo '-a always,exit -S nosuchcall -k broken' \
    > "$tmp/broken/rules.d/90-broken.rules"
check "a broken installed rule file: rules print exits 2" \
    dd_run "$tmp/broken" 2 rules print
check "... naming the file and line" has err "$tmp/broken/rules.d/90-broken.rules:1:"
check "... so does version" dd_run "$tmp/broken" 2 version
rm "$tmp/broken/rules.d/"*.rules
check "an empty installed rules.d/: exit 2" dd_run "$tmp/broken" 2 rules print
check "... saying so" has err "$tmp/broken/rules.d: no *.rules rule files"
rm "$tmp/broken/recipes/"*.json
check "an empty installed recipes/: exit 2" dd_run "$tmp/broken" 2 analyze "$log"
check "... saying so" has err "$tmp/broken/recipes: no *.json recipe files"
rmdir "$tmp/broken/recipes"
: > "$tmp/broken/recipes"
check "a recipes that is not a directory: exit 2" \
    dd_run "$tmp/broken" 2 recipes
check "... saying so" has err "$tmp/broken/recipes: not a directory"

# --- the man pages: clean for the formatters, and in step with --help
man1=$TOP_SRCDIR/man/steptrail.1
man5=$TOP_SRCDIR/man/steptrail-recipes.5
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
for page in "$man1" "$man5"; do
	if command -v groff > /dev/null; then
		check "${page##*/}: groff -ww has nothing to say" sh -c "
		    groff -man -Tutf8 -ww -z '$page' 2>&1 | sed q1"
	else
		skip "${page##*/}: no groff"
	fi
	if command -v mandoc > /dev/null; then
		check "${page##*/}: mandoc -Tlint has nothing to say" sh -c "
		    mandoc -Tlint '$page' 2>&1 | sed q1"
	else
		skip "${page##*/}: no mandoc"
	fi
done
# every command of `steptrail help` and every long option of each
# command's --help is in steptrail(1) (as \-\-name)
in_man() {
	missing=
	for c in $("$STEPTRAIL" help | awk '/^  [a-z]/ { print $1 }'); do
		grep -q "^\.BR* $c\b" "$man1" || missing="$missing $c"
		for o in $("$STEPTRAIL" "$c" --help 2>&1 |
		    grep -o -- '--[a-z][a-z-]*' | sort -u); do
			esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
			grep -q -- "$esc" "$man1" || missing="$missing $c:$o"
		done
	done
	[ -z "$missing" ] || { echo "not in steptrail.1:$missing"; return 1; }
}
check "steptrail.1 has every command and option of --help" in_man
# the worked example of steptrail-recipes(5) holds as written
sed -n '/^\.EX$/,/^\.EE$/p' "$man5" | sed -e '1d' -e '$d' \
    -e 's/\\-/-/g' -e 's/\\e/\\/g' > "$tmp/man-example.json"
check "steptrail-recipes.5: the example's five examples hold" sh -c "
    \"$STEPTRAIL\" recipes lint '$tmp/man-example.json' |
    grep -qx '1 recipes, 5 examples, 0 failed'"

# --- --since/--until: a window on the log; earlier events give ancestry
job=$TOP_SRCDIR/testdata/ci-job/audit.log
cut=2026-11-22T08:06:14.200Z	# after node -e (.085), before python (.217)
check "--since: the findings before the window are not reported" sh -c "
    n=\$(\"$STEPTRAIL\" analyze --fail-on never -f jsonl '$job' | wc -l)
    w=\$(\"$STEPTRAIL\" analyze --fail-on never -f jsonl --since $cut \
        '$job' | wc -l)
    [ \"\$n\" -eq 10 ] && [ \"\$w\" -eq 7 ]"
check "--since: none of those left is from before it" sh -c "
    \"$STEPTRAIL\" analyze --fail-on never -f jsonl --since $cut '$job' |
    grep -o '\"@timestamp\":\"[^\"]*' | cut -d'\"' -f4 |
    awk '\$0 < \"$cut\" { bad = 1 } END { exit bad }'"
check "--since: python's reverse shell keeps node -e, run before the window, as an ancestor" sh -c "
    \"$STEPTRAIL\" analyze --since $cut '$job' |
    grep -q '^           30188  node -e '"
check "--since: the report says what the window left out" sh -c "
    \"$STEPTRAIL\" analyze --since $cut '$job' |
    grep -q '^  window: since 2026-11-22T08:06:14.200Z: [1-9][0-9]* events before it and 0 after'"
check "--until before the first event: nothing reported, exit 0" \
    run 0 analyze --until 2026-11-22T08:00:00Z "$job"
check "--until: the JSON report has the window and its counts" sh -c "
    \"$STEPTRAIL\" analyze -f json --until 2026-11-22T08:00:00Z '$job' |
    grep -q '\"after\":	[1-9]'"
check "--since after --until: exit 2" run 2 analyze --since -1h --until -2h \
    "$job"
check "a time that is not one: exit 2" run 2 analyze --since 2026-13-01 "$job"
check "... saying what is accepted" has err "give ISO 8601"

echo "1..$n"
