#!/bin/sh
# corpus.sh: every audit log of other projects' test suites
# (../shared/corpus, or $STEPTRAIL_CORPUS) is read without a crash: an
# exit status of 0, 1 (findings) or 3 (no audit record in it), never a
# signal, and JSON that parses.  The corpus is not part of the repository
# (its licenses are not ours): without it the test is skipped, saying so.
# Each point says how many records were read and lines skipped.
set -u
# Reports gain a "ci" section under a CI system: the goldens are made
# outside one, and so must the runs that compare with them be.
unset GITHUB_RUN_ID GITLAB_CI JENKINS_URL

: "${STEPTRAIL:=$(pwd)/steptrail}"
: "${TOP_SRCDIR:=$(pwd)}"
corpus=${STEPTRAIL_CORPUS:-$TOP_SRCDIR/../shared/corpus}
if [ ! -d "$corpus" ]; then
	echo "1..0 # SKIP no corpus at $corpus (set STEPTRAIL_CORPUS)"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/steptrail-corpus.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

n=0
find "$corpus" -type f \( -name '*.log' -o -name '*.txt' -o -name '*.yaml' \
    -o -name '*.ini' \) | sort > "$tmp/files"
while IFS= read -r f; do
	n=$((n + 1))
	name=${f#"$corpus"/}
	"$STEPTRAIL" analyze -f json --fail-on none "$f" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
		echo "not ok $n - $name: exit status $rc"
		sed 's/^/# /' "$tmp/err" | head -5
	elif ! counts=$(python3 -c '
import json, sys
i = json.load(open(sys.argv[1]))["input"]
# what was read and what was skipped, for each log (blank lines are
# neither); more records and skips than lines would be counting wrong
if i["records"] + i["malformed"] > i["lines"]:
    sys.exit("records %d + malformed %d > lines %d" %
        (i["records"], i["malformed"], i["lines"]))
print("%d lines: %d records read, %d skipped as malformed; %d events, "
    "%d execs" % (i["lines"], i["records"], i["malformed"], i["events"],
    i["execs"]))' \
	    "$tmp/out" 2> "$tmp/py"); then
		echo "not ok $n - $name: the JSON does not parse or does not add up"
		sed 's/^/# /' "$tmp/py" | tail -3
	else
		echo "ok $n - $name (exit $rc): $counts"
	fi
done < "$tmp/files"
echo "1..$n"
