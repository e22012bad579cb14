#!/bin/sh
# contrib.sh: the CI integrations in contrib/, run without a CI system:
# the GitHub Action's scripts in a stand-in runner environment, the
# GitLab template's scripts, the systemd units; and every steptrail
# command line in contrib/ and docs/ci.md checked against --help, so that
# they cannot drift from the CLI.  TAP.
#
# Nothing here touches kernel audit or installs anything: sudo, apt-get,
# make and (for rules) steptrail are stand-ins, first on PATH, that
# record their arguments.  The analyses are real: the real steptrail
# reads testdata/ci-job/audit.log (a poisoned job: 10 findings, 9
# critical).  No network.
set -u

: "${STEPTRAIL:=$(pwd)/steptrail}"
: "${TOP_SRCDIR:=$(pwd)}"
# shellcheck source=tests/lib-tap.sh
. "$TOP_SRCDIR/tests/lib-tap.sh"
tap_start contrib

action=$TOP_SRCDIR/contrib/github-action
gitlab=$TOP_SRCDIR/contrib/gitlab/steptrail.gitlab-ci.yml
units=$TOP_SRCDIR/contrib/systemd
joblog=$TOP_SRCDIR/testdata/ci-job/audit.log

skip() {	# skip DESCRIPTION REASON
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
has() { grep -q -- "$2" "$1"; }		# has FILE REGEX
hasnt() { ! grep -q -- "$2" "$1"; }
same() {	# same FILE EXPECTED-TEXT: the file holds exactly the text
	printf '%s\n' "$2" > "$tmp/expected"
	diff "$tmp/expected" "$1"
}
in_order() {	# in_order FILE REGEX...: lines matching each, in this order
	_f=$1
	shift
	_at=0
	for _re; do
		_l=$(awk -v from="$_at" -v re="$_re" \
		    'NR > from && $0 ~ re { print NR; exit }' "$_f")
		if [ -z "$_l" ]; then
			echo "no line matching /$_re/ after line $_at of:"
			cat "$_f"
			return 1
		fi
		_at=$_l
	done
}

# json_ok FILE JS PY: FILE is JSON, and the expression of its document d
# holds: JS with node, else PY with python3
if command -v node > /dev/null 2>&1; then
	have_node=1
	json_ok() {
		node -e "const d = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
if (!($2)) { console.error('false: ' + process.argv[2]); process.exit(1); }" \
		    "$1" "$2"
	}
else
	have_node=
	json_ok() {
		python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if $3 else 'false: ' + sys.argv[2])" "$1" "$3"
	}
fi

# ------------------------------------------------------------ stand-ins
# Each records "NAME ARG..." in $tmp/calls.  sudo runs the rest of its
# command line (without -E) as the caller: no privilege anywhere.
mkdir -p "$tmp/bin" "$tmp/late" "$tmp/home"
cat > "$tmp/bin/record" <<'EOF'
#!/bin/sh
# record NAME ARG...: one line in $CALLS
{ printf '%s' "$1"; shift; for a; do printf ' %s' "$a"; done; echo; } >> "$CALLS"
EOF
cat > "$tmp/bin/sudo" <<'EOF'
#!/bin/sh
"${0%/*}/record" sudo "$@"
[ "${1:-}" = -E ] && shift
exec "$@"
EOF
cat > "$tmp/bin/apt-get" <<'EOF'
#!/bin/sh
"${0%/*}/record" apt-get "$@"
exit "${FAKE_APT_STATUS:-0}"
EOF
cat > "$tmp/bin/id" <<'EOF'
#!/bin/sh
# the job runs as FAKE_UID (1001: not root) named FAKE_USER (runner)
case ${1:-} in
-u) echo "${FAKE_UID:-1001}" ;;
-un) echo "${FAKE_USER:-runner}" ;;
*) exec /usr/bin/id "$@" ;;
esac
EOF
cat > "$tmp/bin/make" <<'EOF'
#!/bin/sh
"${0%/*}/record" make "$@"
# make install puts a steptrail on PATH
[ "${1:-}" = install ] && cp "${0%/*}/fake-steptrail" "$LATE_BIN/steptrail"
exit 0
EOF
cat > "$tmp/bin/autoreconf" <<'EOF'
#!/bin/sh
"${0%/*}/record" autoreconf "$@"
EOF
# steptrail itself: for pre.sh, everything is a stand-in; for post.sh,
# rules are recorded and the analysis forwarded to the real one
cat > "$tmp/bin/fake-steptrail" <<'EOF'
#!/bin/sh
"$RECORD" steptrail "$@"
case ${1:-} in
version) echo "steptrail 0.0-stand-in" ;;
rules) exit "${FAKE_RULES_STATUS:-0}" ;;
analyze) exec "$REAL_STEPTRAIL" "$@" ;;
esac
exit 0
EOF
chmod +x "$tmp/bin/"*
cp "$tmp/bin/fake-steptrail" "$tmp/bin/steptrail"

# ------------------------------------------------------------ a runner
# gh_new: a fresh job: the runner's files, workspace, temp directory
gh_new() {
	calls_reset
	rm -rf "$tmp/gh" "$tmp/late/steptrail"
	mkdir -p "$tmp/gh/temp" "$tmp/gh/workspace"
	: > "$tmp/gh/state"
	: > "$tmp/gh/output"
	: > "$tmp/gh/summary"
	: > "$tmp/gh/env"
}
calls_reset() {	# the calls so far go to $tmp/calls.all
	[ ! -f "$tmp/calls" ] || cat "$tmp/calls" >> "$tmp/calls.all"
	: > "$tmp/calls"
}
# gh [NAME=VALUE...] COMMAND...: run as a step of the job, in a clean
# environment (the runner's variables plus NAME=VALUE: inputs); stdout in
# $tmp/out, stderr in $tmp/err, status in $st.  PATH: the stand-ins
# (PATH_BIN), $tmp/late (where installs put steptrail), then the
# system's.  ghs: the same, with the states saved so far, as the runner
# gives them to the later steps (STATE_NAME, the last value of each).
gh() {
	if [ -n "${with_states:-}" ]; then
		awk '/^[A-Za-z_][A-Za-z0-9_]*=/ { n = $0; sub(/=.*/, "", n); v[n] = $0 }
		    END { for (n in v) print "STATE_" v[n] }' "$tmp/gh/state" \
		    > "$tmp/gh/states"
		while IFS= read -r _l; do
			set -- "$_l" "$@"
		done < "$tmp/gh/states"
	fi
	(cd "$tmp/gh/workspace" && env -i \
	    PATH="${PATH_BIN:-$tmp/bin}:$tmp/late:$PATH" HOME="$tmp/home" \
	    CALLS="$tmp/calls" RECORD="$tmp/bin/record" \
	    REAL_STEPTRAIL="$STEPTRAIL" LATE_BIN="$tmp/late" \
	    STEPTRAIL_DATADIR="${STEPTRAIL_DATADIR:-}" \
	    GITHUB_ACTIONS=true CI=true \
	    GITHUB_STATE="$tmp/gh/state" GITHUB_OUTPUT="$tmp/gh/output" \
	    GITHUB_STEP_SUMMARY="$tmp/gh/summary" GITHUB_ENV="$tmp/gh/env" \
	    GITHUB_WORKSPACE="$tmp/gh/workspace" RUNNER_TEMP="$tmp/gh/temp" \
	    GITHUB_RUN_ID=4242 GITHUB_RUN_ATTEMPT=1 GITHUB_REPOSITORY=acme/hello \
	    GITHUB_SHA=0123456789abcdef0123456789abcdef01234567 \
	    GITHUB_REF=refs/heads/main GITHUB_WORKFLOW=CI GITHUB_JOB=build \
	    GITHUB_SERVER_URL=https://github.com GITHUB_ACTION=__steptrail \
	    "$@") > "$tmp/out" 2> "$tmp/err"
	st=$?
}
ghs() { with_states=1; gh "$@"; with_states=; }
# gh_nost: the same, with no steptrail on PATH (until one is installed)
gh_nost() { PATH_BIN=$tmp/bin-nost; gh "$@"; PATH_BIN=; }
status() { [ "$st" = "$1" ] || { echo "exit status $st, expected $1"; cat "$tmp/out" "$tmp/err"; return 1; }; }
# output NAME: its last value in GITHUB_OUTPUT
output() { sed -n "s/^$1=//p" "$tmp/gh/output" | tail -n 1; }

# ------------------------------------------------------------ pre.sh
gh_new
gh INPUT_INSTALL_AUDITD=true sh "$action/pre.sh"
check "pre, as a user, steptrail on PATH: exit 0" status 0
check "pre: apt-get update, install auditd, steptrail version, rules install: in that order, root through sudo" \
    same "$tmp/calls" "sudo -E apt-get update -q
apt-get update -q
sudo -E apt-get install -y -q --no-install-recommends auditd
apt-get install -y -q --no-install-recommends auditd
steptrail version
sudo -E $tmp/bin/steptrail rules install --user runner
steptrail rules install --user runner"
check "pre: state saved for post (sudo, auditd, how, path, rules)" same \
    "$tmp/gh/state" "sudo=sudo
auditd=installed
installed_by=path
steptrail=$tmp/bin/steptrail
rules=installing
rules=installed"
check "pre: leaves the mark that main.sh looks for" \
    test -f "$tmp/gh/temp/steptrail-pre-ran"

gh_new
gh FAKE_UID=0 FAKE_USER=root INPUT_INSTALL_AUDITD=false INPUT_USER=' ci-bot ' \
    sh "$action/pre.sh"
check "pre as root, install-auditd false, user ci-bot: no sudo, no apt-get" \
    same "$tmp/calls" "steptrail version
steptrail rules install --user ci-bot"
check "pre as root: state says no sudo, auditd found" sh -c \
    "grep -qx 'sudo=' '$tmp/gh/state' && grep -qx 'auditd=found' '$tmp/gh/state'"

gh_new
gh sh "$action/pre.sh"
if PATH=$PATH:/usr/sbin:/sbin command -v auditd > /dev/null 2>&1; then
	check "pre, install-auditd auto, auditd here: not installed" \
	    hasnt "$tmp/calls" "apt-get"
else
	check "pre, install-auditd auto, no auditd here: installed" \
	    has "$tmp/calls" "^apt-get install .* auditd$"
fi

# install-command: run before anything needs steptrail; no steptrail on
# PATH before it
mkdir -p "$tmp/bin-nost"
for f in record sudo apt-get id make autoreconf fake-steptrail; do
	ln -s "$tmp/bin/$f" "$tmp/bin-nost/$f"
done
gh_new
gh_nost INPUT_INSTALL_AUDITD=false \
    INPUT_INSTALL_COMMAND='"$RECORD" install-command; cp "${RECORD%/*}/fake-steptrail" "$LATE_BIN/steptrail"' \
    sh "$action/pre.sh"
check "pre with install-command: exit 0" status 0
check "pre: install-command runs, then the steptrail it installed" same \
    "$tmp/calls" "install-command
steptrail version
sudo -E $tmp/late/steptrail rules install --user runner
steptrail rules install --user runner"
check "pre: state says install-command" has "$tmp/gh/state" \
    "^installed_by=install-command$"

# built from a source tree (configure present: no autoreconf)
mkdir -p "$tmp/src/src"
: > "$tmp/src/configure.ac"
: > "$tmp/src/src/main.c"
printf '#!/bin/sh\n"$RECORD" configure "$@"\n' > "$tmp/src/configure"
chmod +x "$tmp/src/configure"
gh_new
gh_nost INPUT_INSTALL_AUDITD=false INPUT_SOURCE="$tmp/src" \
    sh "$action/pre.sh"
sed 's/-j[0-9][0-9]*/-jN/' "$tmp/calls" > "$tmp/calls.n"
check "pre with source: build deps, configure, make, make install, rules install" \
    same "$tmp/calls.n" "sudo -E apt-get update -q
apt-get update -q
sudo -E apt-get install -y -q --no-install-recommends build-essential autoconf automake pkg-config libaudit-dev libauparse-dev libpcre2-dev libcjson-dev zlib1g-dev xz-utils
apt-get install -y -q --no-install-recommends build-essential autoconf automake pkg-config libaudit-dev libauparse-dev libpcre2-dev libcjson-dev zlib1g-dev xz-utils
configure --quiet
make -jN
sudo -E make install
make install
steptrail version
sudo -E $tmp/late/steptrail rules install --user runner
steptrail rules install --user runner"
check "pre with source: built out of tree, in RUNNER_TEMP" \
    test -d "$tmp/gh/temp/steptrail-build"

# no steptrail, no source: the action's own repository; apt-get fails
gh_new
gh_nost FAKE_APT_STATUS=100 INPUT_INSTALL_AUDITD=false \
    sh "$action/pre.sh"
check "pre, nothing on PATH, no source: builds the action's repository (fails here at apt-get): exit 1" \
    status 1
check "... with an error annotation" has "$tmp/out" \
    "^::error title=steptrail::could not install steptrail (source, exit 1)"
check "... and no rules install" hasnt "$tmp/calls" "rules install"
gh_new
mkdir -p "$tmp/notsrc"
gh_nost INPUT_INSTALL_AUDITD=false INPUT_SOURCE="$tmp/notsrc" \
    sh "$action/pre.sh"
check "pre, source not steptrail's: says so, exit 1" sh -c \
    "[ $st = 1 ] && grep -q 'is not steptrail.s source tree' '$tmp/err'"

gh_new
gh FAKE_RULES_STATUS=5 INPUT_INSTALL_AUDITD=false sh "$action/pre.sh"
check "pre, rules install fails (exit 5): exit 1" status 1
check "... an error annotation" has "$tmp/out" \
    "^::error title=steptrail::steptrail rules install failed (exit 5)"
check "... the state says installing, not installed" sh -c \
    "grep -qx 'rules=installing' '$tmp/gh/state' && ! grep -qx 'rules=installed' '$tmp/gh/state'"
gh_new
gh FAKE_RULES_STATUS=5 INPUT_INSTALL_AUDITD=false INPUT_FAIL_ON=never \
    sh "$action/pre.sh"
check "pre, rules install fails, fail-on never: exit 0 and a warning" sh -c \
    "[ $st = 0 ] && grep -q '^::warning title=steptrail::steptrail rules install failed' '$tmp/out'"

gh_new
gh INPUT_FAIL_ON=severe sh "$action/pre.sh"
check "pre, fail-on severe: exit 2, nothing run" sh -c \
    "[ $st = 2 ] && [ ! -s '$tmp/calls' ] && grep -q '^::error.*fail-on' '$tmp/out'"
gh_new
gh INPUT_INSTALL_AUDITD=maybe sh "$action/pre.sh"
check "pre, install-auditd maybe: exit 2" status 2

# ------------------------------------------------------------ main.sh
gh_new
gh INPUT_INSTALL_AUDITD=false sh "$action/pre.sh"
calls_reset
ghs sh "$action/main.sh"
check "main after pre: exit 0, nothing run" sh -c \
    "[ $st = 0 ] && [ ! -s '$tmp/calls' ]"
gh_new
gh INPUT_INSTALL_AUDITD=false sh "$action/main.sh"
check "main without pre (a local action): sets up itself" sh -c \
    "[ $st = 0 ] && grep -q '^steptrail rules install' '$tmp/calls' && grep -qx 'rules=installed' '$tmp/gh/state'"

# ------------------------------------------------------------ post.sh
# post_with [NAME=VALUE...] COMMAND...: pre.sh (stand-ins), then COMMAND
# (the post step) with pre's states and the inputs given, the real
# steptrail analyzing; post_after_pre [NAME=VALUE...]: post.sh so
post_with() {
	gh_new
	gh INPUT_INSTALL_AUDITD=false sh "$action/pre.sh"
	calls_reset
	ghs "$@"
}
post_after_pre() { post_with "$@" sh "$action/post.sh"; }
post_after_pre INPUT_FAIL_ON=high INPUT_LOG="$joblog"
check "post, fail-on high, the poisoned job: exit 1" status 1
check "post: rules remove, then the analysis" in_order "$tmp/calls" \
    "^steptrail rules remove$" "^steptrail analyze "
check "post: annotations on stdout (github format)" has "$tmp/out" \
    "^::error .*reverse_shell"
check "post: says why the step fails" has "$tmp/out" \
    "^::error title=steptrail::findings at or above high (fail-on): failing the job"
sarif=$(output sarif-file)
check "post: sarif-file in GITHUB_OUTPUT, under RUNNER_TEMP" \
    test "$sarif" = "$tmp/gh/temp/steptrail.sarif"
check "post: the SARIF file is JSON, version 2.1.0, with results" json_ok \
    "$sarif" 'd.version === "2.1.0" && d.runs[0].results.length > 0' \
    'd["version"] == "2.1.0" and len(d["runs"][0]["results"]) > 0'
check "post: exit-code in GITHUB_OUTPUT" test "$(output exit-code)" = 1
check "post: a job summary appended to GITHUB_STEP_SUMMARY" has \
    "$tmp/gh/summary" 'reverse\\_shell'
check "post: the text report, with workflow commands off around it" \
    in_order "$tmp/out" "^::group::" "^::stop-commands::steptrail-[0-9a-f]" \
    "^steptrail: 10 findings: 9 critical, 1 high" "^::steptrail-[0-9a-f]*::$" \
    "^::endgroup::"
check "post: the CI context reaches steptrail" has "$tmp/out" \
    "^GitHub Actions: repository acme/hello .* run 4242"
check "post: no JSON report unless asked" hasnt "$tmp/gh/output" "json-file"

post_after_pre INPUT_FAIL_ON=never INPUT_LOG="$joblog"
check "post, fail-on never: exit 0" status 0
check "... the annotations still there" has "$tmp/out" "^::error .*reverse_shell"
check "... passed on as --fail-on never" has "$tmp/calls" \
    "^steptrail analyze .* --fail-on never"
post_after_pre INPUT_FAIL_ON=critical INPUT_LOG="$joblog"
check "post, fail-on critical: exit 1 (9 critical)" status 1

# the log relative to the workspace; a JSON report; more recipes
mkdir -p "$tmp/recipes"
printf '{"name":"make_ran","description":"make ran","severity":"low","technique":"T1059","match":{"exe":"/make$"}}\n' \
    > "$tmp/recipes/make.json"
gh_new
gh INPUT_INSTALL_AUDITD=false sh "$action/pre.sh"
cp "$joblog" "$tmp/gh/workspace/audit.log"
calls_reset
ghs INPUT_FAIL_ON=high INPUT_LOG=audit.log \
    INPUT_JSON_FILE=reports/steptrail.json INPUT_SARIF_FILE=reports/st.sarif \
    INPUT_RECIPES="$tmp/recipes" sh "$action/post.sh"
mkdir -p "$tmp/gh/workspace/reports"	# (too late: see the next point)
check "post, sarif-file and json-file in a missing directory: exit 4" \
    status 4
ghs INPUT_FAIL_ON=high INPUT_LOG=audit.log \
    INPUT_JSON_FILE=reports/steptrail.json INPUT_SARIF_FILE=reports/st.sarif \
    INPUT_RECIPES="$tmp/recipes" sh "$action/post.sh"
check "post, relative log, sarif-file, json-file, recipes: exit 1" status 1
check "... json-file output, a JSON report with the extra recipe" json_ok \
    "$(output json-file)" 'd.findings.some(f => f.recipe === "make_ran")' \
    'any(f["recipe"] == "make_ran" for f in d["findings"])'
check "... sarif-file output relative to the workspace" test \
    "$(output sarif-file)" = "$tmp/gh/workspace/reports/st.sarif"

post_after_pre INPUT_FAIL_ON=high \
    INPUT_LOG="$TOP_SRCDIR/testdata/github-steps/audit.log" \
    INPUT_STEPS_FILE="$TOP_SRCDIR/testdata/github-steps/steps.json"
check "post, steps-file: the steps get their workflow names" sh -c \
    "[ $st = 1 ] && grep -q '^== step 5: Install dependencies ==' '$tmp/out'"

# failures
post_after_pre INPUT_FAIL_ON=high INPUT_LOG="$tmp/nope.log"
check "post, unreadable log: exit 3" status 3
check "... rules removed all the same" has "$tmp/calls" "^steptrail rules remove$"
check "... an error annotation" has "$tmp/out" \
    "^::error title=steptrail::an audit log could not be read (exit 3)"
post_after_pre INPUT_FAIL_ON=never INPUT_LOG="$tmp/nope.log"
check "post, unreadable log, fail-on never: exit 0, a warning" sh -c \
    "[ $st = 0 ] && grep -q '^::warning title=steptrail::an audit log could not be read' '$tmp/out'"
post_after_pre INPUT_FAIL_ON=bogus INPUT_LOG="$joblog"
check "post, fail-on bogus: exit 2" status 2
check "... rules removed all the same" has "$tmp/calls" "^steptrail rules remove$"
check "... no analysis" hasnt "$tmp/calls" "analyze"
post_after_pre FAKE_RULES_STATUS=5 INPUT_FAIL_ON=high INPUT_LOG="$joblog"
check "post, rules remove fails: a warning, the analysis goes on" sh -c \
    "[ $st = 1 ] && grep -q '^::warning title=steptrail::steptrail rules remove failed (exit 5)' '$tmp/out' && grep -q '^steptrail analyze' '$tmp/calls'"

gh_new
gh INPUT_FAIL_ON=high INPUT_LOG="$joblog" sh "$action/post.sh"
check "post without pre state: no rules remove, the analysis runs" sh -c \
    "[ $st = 1 ] && ! grep -q 'rules remove' '$tmp/calls' && grep -q '^steptrail analyze' '$tmp/calls'"
gh_new
gh_nost INPUT_FAIL_ON=high sh "$action/post.sh"
check "post, no steptrail at all: exit 1, an error" sh -c \
    "[ $st = 1 ] && grep -q '^::error title=steptrail::steptrail is not installed' '$tmp/out'"

# ------------------------------------------------------------ run.js
if [ -n "$have_node" ]; then
	# GitHub names an input fail-on INPUT_FAIL-ON: run.js must pass it on
	post_with 'INPUT_FAIL-ON=high' INPUT_LOG="$joblog" node "$action/post.js"
	check "node post.js, INPUT_FAIL-ON=high: exit 1 forwarded" status 1
	check "... the script ran (annotations)" has "$tmp/out" "^::error .*reverse_shell"
	post_with 'INPUT_FAIL-ON=never' INPUT_LOG="$joblog" node "$action/post.js"
	check "node post.js, INPUT_FAIL-ON=never: the input reaches post.sh (exit 0)" status 0
	post_with INPUT_LOG="$tmp/nope.log" node "$action/post.js"
	check "node post.js, unreadable log: exit 3 forwarded" status 3
	gh_new
	gh FAKE_RULES_STATUS=5 'INPUT_INSTALL-AUDITD=false' node "$action/pre.js"
	check "node pre.js, rules install fails: exit 1 forwarded, inputs passed" sh -c \
	    "[ $st = 1 ] && ! grep -q apt-get '$tmp/calls'"
	gh_new
	gh 'INPUT_INSTALL-AUDITD=false' node "$action/main.js"
	check "node main.js: exit 0 forwarded" sh -c \
	    "[ $st = 0 ] && grep -q '^steptrail rules install' '$tmp/calls'"
else
	for d in "node post.js, fail-on high" "node post.js, fail-on never" \
	    "node post.js, unreadable log" "node pre.js" "node main.js"; do
		skip "$d" "no node"
	done
fi
# the commands the action ran, for the --help check below
calls_reset
mv "$tmp/calls.all" "$tmp/calls.action"

check "action.yml: node20, pre, main, post, post-if always()" sh -c "
    grep -q '^  using: node20\$' '$action/action.yml' &&
    grep -q '^  pre: pre.js\$' '$action/action.yml' &&
    grep -q '^  main: main.js\$' '$action/action.yml' &&
    grep -q '^  post: post.js\$' '$action/action.yml' &&
    grep -q '^  post-if: always()\$' '$action/action.yml'"
# every input read by the scripts is declared, and the other way round
sed -n 's/.*input \([A-Z_][A-Z_]*\).*/\1/p' "$action/"*.sh | grep -v '^NAME$' |
    tr 'A-Z_' 'a-z-' | sort -u > "$tmp/inputs.sh"
sed -n '/^inputs:/,/^[a-z]/s/^  \([a-z-]*\):$/\1/p' "$action/action.yml" |
    sort -u > "$tmp/inputs.yml"
check "action.yml declares exactly the inputs the scripts read" \
    diff "$tmp/inputs.yml" "$tmp/inputs.sh"
sed -n 's/.*set_output \([a-z-]*\) .*/\1/p' "$action/"*.sh | sort -u \
    > "$tmp/outputs.sh"
sed -n '/^outputs:/,/^[a-z]/s/^  \([a-z-]*\):$/\1/p' "$action/action.yml" |
    sort -u > "$tmp/outputs.yml"
check "action.yml declares exactly the outputs the scripts set" \
    diff "$tmp/outputs.yml" "$tmp/outputs.sh"

# ------------------------------------------------------------ GitLab
# A YAML parser: python3's yaml (with GitLab's !reference tag), if any.
yaml_py='import sys, yaml
class L(yaml.SafeLoader): pass
L.add_constructor("!reference", lambda l, n: {"!reference": l.construct_sequence(n)})
doc = yaml.load(open(sys.argv[1]), Loader=L)
def lines(job, key):
    out = []
    for item in doc[job][key]:
        if isinstance(item, dict):      # !reference [JOB, KEY]
            out += lines(*item["!reference"])
        else:
            out.append(item)
    return out
'
if python3 -c 'import yaml' > /dev/null 2>&1; then
	have_yaml=1
	gl() {	# gl PYTHON: with doc, and lines(JOB, KEY), of the template
		python3 -c "$yaml_py$1" "$gitlab"
	}
else
	have_yaml=
fi
if [ -n "$have_yaml" ]; then
	check "gitlab: the template parses (YAML, !reference)" gl 'pass'
	check "gitlab: .steptrail has before_script, after_script, artifacts when always" gl '
j = doc[".steptrail"]
assert j["before_script"] and j["after_script"]
assert j["artifacts"]["when"] == "always"
assert set(j["artifacts"]["paths"]) >= {"steptrail.json", "steptrail.sarif"}
assert j["variables"]["STEPTRAIL_FAIL_ON"] == "high"'
	# a job: the template's before_script, a script with markers and the
	# analysis as its last line, or the after_script
	gl 'print("\n".join(lines(".steptrail", "before_script")))' > "$tmp/gl-before.sh"
	gl 'print("\n".join(lines(".steptrail", "after_script")))' > "$tmp/gl-after.sh"
	gl 'print("\n".join(lines(".steptrail-analyze", "script")))' > "$tmp/gl-gate.sh"
	check "gitlab: before_script is sh" sh -n "$tmp/gl-before.sh"
	check "gitlab: after_script is sh" sh -n "$tmp/gl-after.sh"
	check "gitlab: .steptrail-analyze is sh" sh -n "$tmp/gl-gate.sh"
	# glab [NAME=VALUE...] SCRIPT...: the scripts run one after the other in
	# one shell (set -e, as GitLab's), in $tmp/gl, as the runner user
	glab() {
		(cd "$tmp/gl" && env -i PATH="$tmp/bin:$PATH" HOME="$tmp/home" \
		    CALLS="$tmp/calls" RECORD="$tmp/bin/record" \
		    REAL_STEPTRAIL="$STEPTRAIL" GITLAB_CI=true CI=true \
		    STEPTRAIL_DATADIR="${STEPTRAIL_DATADIR:-}" \
		    CI_PROJECT_PATH=acme/hello CI_JOB_ID=77 \
		    STEPTRAIL_FAIL_ON=high STEPTRAIL_INSTALL= STEPTRAIL_LOG="$joblog" \
		    "$@") > "$tmp/out" 2> "$tmp/err"
		st=$?
	}
	rm -rf "$tmp/gl"
	mkdir "$tmp/gl"
	calls_reset
	{ cat "$tmp/gl-before.sh"; echo 'sudo steptrail step build'; echo true; } \
	    > "$tmp/gl-job.sh"
	glab sh -e "$tmp/gl-job.sh"
	glab sh "$tmp/gl-after.sh"
	check "gitlab, job and after_script: rules install, step marker, rules remove, analysis" \
	    same "$tmp/calls" "sudo steptrail rules install --user runner
steptrail rules install --user runner
sudo steptrail step build
steptrail step build
sudo -E steptrail rules remove
steptrail rules remove
sudo -E steptrail analyze --format text --format json --output steptrail.json --format sarif --output steptrail.sarif --fail-on high $joblog
steptrail analyze --format text --format json --output steptrail.json --format sarif --output steptrail.sarif --fail-on high $joblog"
	check "gitlab: the text report in the job log" has "$tmp/out" \
	    "^steptrail: 10 findings: 9 critical, 1 high"
	check "gitlab: steptrail.json, with the CI context" json_ok \
	    "$tmp/gl/steptrail.json" 'd.ci.system === "GitLab CI" && d.findings.length === 10' \
	    'd["ci"]["system"] == "GitLab CI" and len(d["findings"]) == 10'
	check "gitlab: steptrail.sarif, SARIF 2.1.0" json_ok \
	    "$tmp/gl/steptrail.sarif" 'd.version === "2.1.0"' 'd["version"] == "2.1.0"'
	# the analysis as the script's last line fails the job, once
	rm -rf "$tmp/gl"
	mkdir "$tmp/gl"
	calls_reset
	{ cat "$tmp/gl-before.sh" "$tmp/gl-gate.sh"; echo 'echo not reached'; } \
	    > "$tmp/gl-job.sh"
	glab sh -e "$tmp/gl-job.sh"
	check "gitlab, the analysis as the last script line: the job fails (exit 1)" \
	    sh -c "[ $st = 1 ] && ! grep -q 'not reached' '$tmp/out'"
	glab sh "$tmp/gl-after.sh"
	check "... and after_script does not analyze again" sh -c \
	    "[ \$(grep -c '^steptrail analyze' '$tmp/calls') = 1 ] && [ \$(grep -c '^steptrail rules remove' '$tmp/calls') = 1 ]"
	rm -rf "$tmp/gl"
	mkdir "$tmp/gl"
	glab STEPTRAIL_FAIL_ON=never sh -e -c \
	    "$(cat "$tmp/gl-before.sh" "$tmp/gl-gate.sh"); echo reached"
	check "gitlab, STEPTRAIL_FAIL_ON never: the job goes on" sh -c \
	    "[ $st = 0 ] && grep -q '^reached' '$tmp/out'"
else
	skip "gitlab: the template parses" "no YAML parser (python3 yaml)"
	# no parser: the script lines are the template's indented block lines
	sed -n 's/^      \(.*\)$/\1/p' "$gitlab" > "$tmp/gl-all.sh"
	check "gitlab: the script blocks are sh" sh -n "$tmp/gl-all.sh"
	for d in "gitlab: job and after_script" "gitlab: text report" \
	    "gitlab: steptrail.json" "gitlab: steptrail.sarif" \
	    "gitlab: the analysis fails the job" "gitlab: analyzed once" \
	    "gitlab: fail-on never"; do
		skip "$d" "no YAML parser (python3 yaml)"
	done
fi

# ------------------------------------------------------------ systemd
service=$units/steptrail-report.service
timer=$units/steptrail-report.timer
if command -v systemd-analyze > /dev/null 2>&1; then
	# verify wants the ExecStart program to exist: ours, for the check
	mkdir -p "$tmp/units"
	sed "s#^ExecStart=/usr/local/bin/steptrail #ExecStart=$STEPTRAIL #" \
	    "$service" > "$tmp/units/steptrail-report.service"
	cp "$timer" "$tmp/units/"
	verify() {	# no complaint at all: unknown keys are only warnings
		systemd-analyze verify "$tmp/units/steptrail-report.service" \
		    "$tmp/units/steptrail-report.timer" > "$tmp/verify" 2>&1
		_rc=$?
		cat "$tmp/verify"
		[ "$_rc" = 0 ] && [ ! -s "$tmp/verify" ]
	}
	check "systemd: systemd-analyze verify, not a word" verify
else
	skip "systemd: systemd-analyze verify" "no systemd-analyze"
fi
check "systemd: a oneshot service that never fails on findings, reports in its StateDirectory" sh -c "
    grep -qx 'Type=oneshot' '$service' &&
    grep -qx 'StateDirectory=steptrail' '$service' &&
    grep -q '^ExecStart=/usr/local/bin/steptrail analyze .*--fail-on never' '$service' &&
    grep -q '^ExecStart=.* --format json --output /var/lib/steptrail/report.json' '$service' &&
    grep -qx 'ProtectSystem=strict' '$service' && grep -qx 'NoNewPrivileges=yes' '$service'"
check "systemd: the timer runs it hourly, catching up after downtime" sh -c "
    grep -qx 'OnCalendar=hourly' '$timer' && grep -qx 'Persistent=true' '$timer' &&
    grep -qx 'WantedBy=timers.target' '$timer'"
# The hardening must leave what steptrail needs: it runs its ExecStart
# (the system trail replaced by the recorded job) with the unit's paths
# moved under $tmp.
exec_start=$(sed -n 's#^ExecStart=/usr/local/bin/steptrail ##p' "$service" |
    sed "s#/var/lib/steptrail/#$tmp/state/#g")
mkdir -p "$tmp/state"
# shellcheck disable=SC2086
"$STEPTRAIL" $exec_start "$joblog" > "$tmp/out" 2>&1
st=$?
check "systemd: its ExecStart, on the poisoned job: exit 0, both reports" sh -c \
    "[ $st = 0 ] && grep -q '^steptrail: 10 findings' '$tmp/state/report.txt'" 
check "... report.json valid" json_ok "$tmp/state/report.json" \
    'd.findings.length === 10' 'len(d["findings"]) == 10'

# ------------------------------------------------------------ the CLI
# Every steptrail command line in contrib/ and docs/ci.md must use
# commands, options and values that steptrail --help lists.  What is
# checked: the words after "steptrail" on a line (a code block in
# Markdown), up to the end of the command (| ; && # redirection).
"$STEPTRAIL" --help > "$tmp/help" 2>&1
cli_problems() {	# cli_problems < COMMAND-LINES: prints what is wrong
	while IFS= read -r _line; do
		set -f
		# shellcheck disable=SC2086
		set -- $_line
		set +f
		_cmd=${1:-}
		[ $# -gt 0 ] && shift
		case $_cmd in
		'"$'* | '$'*) continue ;;	# built at run time: run and recorded
		esac
		if ! grep -q "^  $_cmd " "$tmp/help"; then
			echo "unknown command \"$_cmd\": steptrail $_line"
			continue
		fi
		_h=$tmp/help-$_cmd
		[ -f "$_h" ] || "$STEPTRAIL" "$_cmd" --help > "$_h" 2>&1
		if [ "$_cmd" = rules ]; then
			grep -q "^  ${1:-} " "$_h" ||
			    echo "unknown rules command \"${1:-}\": steptrail $_line"
		fi
		_prev=
		for _a; do
			case $_a in
			'|'* | ';'* | '&'* | '#'* | *'>'* | ')'* | '`'*) break ;;
			esac
			_a=${_a%[\;\`\)]}
			_a=${_a#[\"\']}
			_a=${_a%[\"\']}
			case $_prev in
			-f | --format)
				case $_a in
				\$*) ;;
				*) awk '/--format/ { f = 1; next } /--output/ { f = 0 } f { print $1 }' "$_h" |
				    grep -qx -- "$_a" || echo "format \"$_a\" not in steptrail $_cmd --help: steptrail $_line" ;;
				esac
				;;
			--fail-on)
				case $_a in
				\$*) ;;
				*) grep -Eqw -- "$_a" "$_h" || echo "--fail-on \"$_a\" not in steptrail $_cmd --help: steptrail $_line" ;;
				esac
				;;
			esac
			case $_a in
			-[a-zA-Z] | --[a-z]*)
				_o=${_a%%=*}
				grep -Eq -- "(^|[ ,])$_o([ ,=]|\$)" "$_h" ||
				    echo "option $_o not in steptrail $_cmd --help: steptrail $_line"
				;;
			esac
			_prev=$_a
		done
	done
}
# steptrail_lines FILE...: the command lines (the words after steptrail):
# steptrail at the start of a line, or after sudo, a path, a quote, a
# YAML list's "- ", $STEPTRAIL_SUDO or ; & | (: prose that names
# steptrail is not a command.  Continued lines (\) joined; Markdown: its
# code blocks only.
steptrail_lines() {
	for _f; do
		case $_f in
		*.md) awk '/^ *```/ { code = !code; next } code' "$_f" ;;
		*) cat "$_f" ;;
		esac
	done | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' |
	    sed -En 's/^(.*([[:space:]]-|sudo|sudo -E|[/'\''"(;&|]|\$STEPTRAIL_SUDO)[[:space:]]*|[[:space:]#]*)steptrail[[:space:]]+([^[:space:]].*)$/\3/p'
}
cli_check() {	# cli_check FILE...: every command line in the files is right
	steptrail_lines "$@" > "$tmp/cli.lines"
	if [ ! -s "$tmp/cli.lines" ]; then
		echo "no steptrail command line found in $*"
		return 1
	fi
	cli_problems < "$tmp/cli.lines" > "$tmp/cli.bad"
	cat "$tmp/cli.bad"
	[ ! -s "$tmp/cli.bad" ]
}
printf '%s\n' 'analyze --formt json' 'analyse' 'analyze --format yaml' \
    'rules instal' 'analyze --fail-on sometimes' 'analyze -f json -o x | tee y' \
    > "$tmp/cli.bad-lines"
cli_problems < "$tmp/cli.bad-lines" > "$tmp/cli.bad"
check "the CLI check finds a wrong option, command, format, rules command, severity" \
    test "$(wc -l < "$tmp/cli.bad")" = 5
for f in "$gitlab" "$service" "$action/README.md" \
    "$TOP_SRCDIR/contrib/gitlab/README.md" "$units/README.md" \
    "$TOP_SRCDIR/docs/ci.md"; do
	check "the CLI: ${f#"$TOP_SRCDIR"/} uses only what steptrail --help lists" \
	    cli_check "$f"
done
# the action's commands: as it ran them (its command lines are built in
# post.sh), recorded by the stand-ins through the tests above
sed -n 's/^steptrail //p' "$tmp/calls.action" > "$tmp/cli.lines"
check "the CLI: the action's pre, main and post ran only what --help lists" sh -c "
    [ -s '$tmp/cli.lines' ] && grep -q '^analyze ' '$tmp/cli.lines' &&
    grep -q '^rules install ' '$tmp/cli.lines' && grep -q '^rules remove' '$tmp/cli.lines'"
cli_problems < "$tmp/cli.lines" > "$tmp/cli.bad"
check "... every one of them" sh -c "cat '$tmp/cli.bad'; [ ! -s '$tmp/cli.bad' ]"

check "docs/ci.md links contrib/" sh -c "
    grep -q '(../contrib/github-action' '$TOP_SRCDIR/docs/ci.md' &&
    grep -q '(../contrib/gitlab' '$TOP_SRCDIR/docs/ci.md' &&
    grep -q '(../contrib/systemd' '$TOP_SRCDIR/docs/ci.md'"

echo "1..$n"
