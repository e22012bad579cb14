#!/bin/sh
# literals.sh: the required literals (src/match.c) never rule out a
# subject the regex matches.  STEPTRAIL_CHECK_LITERALS=1 makes every
# rejection run the regex as well and die (exit 70) on a match; the
# recipes' own examples and every recorded case are analysed so, with
# the reports unchanged.
set -u
unset GITHUB_RUN_ID GITLAB_CI JENKINS_URL

: "${STEPTRAIL:=$(pwd)/steptrail}"
: "${TOP_SRCDIR:=$(pwd)}"
# shellcheck source=tests/lib-tap.sh
. "$TOP_SRCDIR/tests/lib-tap.sh"
tap_start literals

STEPTRAIL_CHECK_LITERALS=1 "$STEPTRAIL" recipes test > "$tmp/rt.out" \
    2> "$tmp/rt.err"
rc=$?
if [ $rc = 0 ]; then
	point ok "the recipes' examples, every rejection checked"
else
	point not-ok "recipes test with checked literals: exit $rc"
	sed 's/^/# /' "$tmp/rt.err" | head -5
fi

cases=$(cd "$TOP_SRCDIR/testdata" && for d in */; do
	[ -f "$d/audit.log" ] && echo "${d%/}"; done)
for c in $cases; do
	dir=$TOP_SRCDIR/testdata/$c
	args=$(cat "$dir/args" 2>/dev/null || true)
	# shellcheck disable=SC2086
	(cd "$dir" && STEPTRAIL_CHECK_LITERALS=1 "$STEPTRAIL" analyze \
	    --format json $args audit.log) > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc -le 1 ] && ! grep -q "required literals" "$tmp/err" &&
	    sed 's/^\(  "steptrail":\).*/\1 "VERSION",/' "$tmp/out" |
	    cmp -s - "$dir/expected.json"; then
		point ok "$c: every rejection checked, the report as expected"
	else
		point not-ok "$c: exit $rc"
		sed 's/^/# /' "$tmp/err" | head -5
	fi
done
echo "1..$n"
