#!/bin/sh
# valgrind.sh: every recorded case of testdata/ and every real snippet of
# tests/data/ analysed under valgrind (memcheck), writing every report
# format at once: no error and no leak (definite or indirect) in any.  TAP.
#
# ASan and UBSan see the same code in CI's sanitizer build (.ci/run);
# valgrind also sees what the system libraries (libauparse, PCRE2's JIT,
# cJSON) do with our buffers, uninstrumented.  Skipped without valgrind,
# unless STEPTRAIL_REQUIRE_VALGRIND=1 (CI) makes that a failure.
set -u
unset GITHUB_RUN_ID GITLAB_CI JENKINS_URL

: "${STEPTRAIL:=$(pwd)/steptrail}"
: "${TOP_SRCDIR:=$(pwd)}"
: "${STEPTRAIL_REQUIRE_VALGRIND:=0}"
# shellcheck source=tests/lib-tap.sh
. "$TOP_SRCDIR/tests/lib-tap.sh"
tap_start valgrind

if ! command -v valgrind > /dev/null 2>&1; then
	if [ "$STEPTRAIL_REQUIRE_VALGRIND" = 1 ]; then
		echo "not ok 1 - valgrind is not installed (and STEPTRAIL_REQUIRE_VALGRIND=1)"
		echo "1..1"
		exit 0
	fi
	echo "1..0 # SKIP valgrind is not installed"
	exit 0
fi
# A binary built with ASan cannot run under valgrind.
if nm "$STEPTRAIL" 2>/dev/null | grep -q __asan_init; then
	echo "1..0 # SKIP $STEPTRAIL is built with AddressSanitizer"
	exit 0
fi

# PCRE2's JIT code reads whole words past a subject's end (harmless, and
# unreadable to valgrind): under valgrind the interpreter matches.  It must
# find the same, which is checked first, without valgrind.
for c in ci-job attacks-exec hostile; do
	"$STEPTRAIL" analyze -f json "$TOP_SRCDIR/testdata/$c/audit.log" \
	    > "$tmp/jit.json" 2>&1
	STEPTRAIL_NO_JIT=1 "$STEPTRAIL" analyze -f json \
	    "$TOP_SRCDIR/testdata/$c/audit.log" > "$tmp/nojit.json" 2>&1
	if cmp -s "$tmp/jit.json" "$tmp/nojit.json"; then
		point ok "$c: the same report with PCRE2's JIT and without"
	else
		point not-ok "$c: the report differs without PCRE2's JIT"
	fi
done
export STEPTRAIL_NO_JIT=1

# memcheck LABEL ARGS...: steptrail ARGS under valgrind
memcheck() {
	label=$1
	shift
	# memcheck takes over mimalloc's malloc too, where steptrail has it
	GITHUB_STEP_SUMMARY=$tmp/summary.md valgrind --quiet \
	    --soname-synonyms='somalloc=*mimalloc*' \
	    --error-exitcode=99 --leak-check=full \
	    --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect \
	    --log-file="$tmp/vg.log" "$STEPTRAIL" "$@" > /dev/null 2> "$tmp/err"
	rc=$?
	if [ $rc -ge 64 ] || [ -s "$tmp/vg.log" ]; then
		point not-ok "$label: exit $rc under valgrind"
		head -40 "$tmp/vg.log" | sed 's/^/# /'
	else
		point ok "$label: no memory error, no leak"
	fi
}

for f in "$TOP_SRCDIR"/testdata/*/audit.log "$TOP_SRCDIR"/tests/data/*.log; do
	case $f in
	*/testdata/*) label=${f#"$TOP_SRCDIR"/testdata/}; label=${label%/audit.log} ;;
	*) label=${f#"$TOP_SRCDIR"/} ;;
	esac
	memcheck "$label" analyze --fail-on never \
	    -f text -o /dev/null -f json -o /dev/null -f sarif -o /dev/null \
	    -f jsonl -o /dev/null -f github -o /dev/null "$f"
done
# the other commands that read input or the recipes
memcheck "recipes test" recipes test
memcheck "recipes lint (every recipe file)" recipes lint \
    "$TOP_SRCDIR"/recipes/*.json
memcheck "missing input (exit 3 path)" analyze "$tmp/no-such.log"
echo "1..$n"
