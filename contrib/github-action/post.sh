#!/bin/sh
# post.sh: the action's post step, at the end of the job, even when the
# job failed or was cancelled (post-if: always()): remove steptrail's
# audit rules, then analyze the trail:
#   - annotations (::error/::warning) on this step's log and a Markdown
#     job summary ($GITHUB_STEP_SUMMARY): steptrail's github format;
#   - a SARIF file (output sarif-file) and, if asked, a JSON file;
#   - the full text report (ancestry of every finding), folded in the log.
# The rules go first: a failing or crashing analysis must not leave them
# on a self-hosted runner, and the analysis need not capture itself.
#
# Exit (the job fails on non-zero):
#   steptrail  meaning                                     this step
#   0          clean                                       0
#   1          findings at or above fail-on                1
#   2          usage (the inputs are wrong)                2, even when fail-on is never
#   3          an audit log could not be read (partial)    3, or 0 with a warning when never
#   4          a report could not be written               4, or 0 with a warning when never
#   other      steptrail missing or killed                 1, or 0 with a warning when never
set -u
here=$(cd "$(dirname "$0")" && pwd) || exit 1
# shellcheck source=contrib/github-action/lib.sh
. "$here/lib.sh"

need_runner_files GITHUB_OUTPUT || exit 1
temp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}

steptrail=${STATE_steptrail:-}
[ -n "$steptrail" ] || steptrail=$(command -v steptrail) || steptrail=
if [ -z "$steptrail" ]; then
	check_fail_on || exit 2
	give_up "$fail_on" 1 "steptrail is not installed (did the pre step fail?): no report"
	exit
fi

# --- the rules: only if pre.sh (or main.sh) got as far as installing them
if [ -n "${STATE_rules:-}" ]; then
	echo "::group::steptrail: removing the audit rules"
	as_root "$steptrail" rules remove
	rc=$?
	echo "::endgroup::"
	[ "$rc" = 0 ] || annotate warning "steptrail rules remove failed (exit $rc): its audit rules may still be loaded on this runner"
else
	echo "steptrail: no rules were installed by this action: none to remove"
fi

# --- the analysis; the inputs checked only now: wrong ones must not keep
# the rules in
check_fail_on || exit 2
path_input() {	# path_input NAME: the input, relative to the workspace
	_p=$(input "$1")
	case $_p in
	'' | /*) printf '%s' "$_p" ;;
	*) printf '%s/%s' "${GITHUB_WORKSPACE:-$(pwd)}" "$_p" ;;
	esac
}
sarif=$(path_input SARIF_FILE)
[ -n "$sarif" ] || sarif=$temp/steptrail.sarif
json=$(path_input JSON_FILE)
text=$temp/steptrail.txt
recipes=$(path_input RECIPES)
steps=$(path_input STEPS_FILE)
log=$(path_input LOG)

# Reports of an earlier run on a self-hosted runner must not pass for ours.
as_root rm -f "$sarif" "$text" ${json:+"$json"}

# The github report (the first, without --output) goes to stdout.
set -- analyze --format github --format sarif --output "$sarif" \
    --format text --output "$text"
[ -z "$json" ] || set -- "$@" --format json --output "$json"
set -- "$@" --fail-on "$fail_on"
[ -z "$recipes" ] || set -- "$@" --recipes "$recipes"
[ -z "$steps" ] || set -- "$@" --steps "$steps"
# no FILE: the system trail, auditd.conf's log_file and its rotations
[ -z "$log" ] || set -- "$@" "$log"
as_root "$steptrail" "$@"
rc=$?

# The text report quotes what the build ran, and the build may be the
# attacker: workflow commands are off while it is printed.
if [ -s "$text" ]; then
	token=steptrail-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	echo "::group::steptrail: the report (every finding with its ancestry)"
	echo "::stop-commands::$token"
	cat "$text"
	echo "::$token::"
	echo "::endgroup::"
fi

[ ! -f "$sarif" ] || set_output sarif-file "$sarif"
[ -z "$json" ] || [ ! -f "$json" ] || set_output json-file "$json"
set_output exit-code "$rc"

case $rc in
0) exit 0 ;;
1)
	annotate error "findings at or above $fail_on (fail-on): failing the job"
	exit 1
	;;
2)
	annotate error "steptrail analyze refused its arguments (exit 2): check the action's inputs"
	exit 2
	;;
3) give_up "$fail_on" 3 "an audit log could not be read (exit 3): the report is partial" ;;
4) give_up "$fail_on" 4 "a report could not be written (exit 4)" ;;
*) give_up "$fail_on" 1 "steptrail analyze failed (exit $rc)" ;;
esac
