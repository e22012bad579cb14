#!/bin/sh
# main.sh: the action's main step, where the workflow puts it.  The work
# is done in pre.sh (at the start of the job) and post.sh (at its end),
# but GitHub runs no pre step for a local action (uses: ./path): then
# this step sets up, and capture starts here rather than at job start.
set -u
here=$(cd "$(dirname "$0")" && pwd) || exit 1
if [ -n "${STATE_rules:-}" ] ||
    [ -f "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/steptrail-pre-ran" ]; then
	echo "steptrail: capturing since the pre step; the report comes in the post step"
	exit 0
fi
echo "steptrail: no pre step ran (a local action?): setting up now"
exec sh "$here/pre.sh"
