#!/bin/sh
# cases.sh: the tests-as-data runner.
#
# Every testdata/<case>/ holds an audit.log recorded from the real kernel
# (testdata/record.sh) or, when its name starts with handmade-, made by
# hand from one; `args` (extra arguments to steptrail analyze), and the
# expected results: expected.txt, expected.json, exit.  Besides the exact
# comparisons, `expect` lists checks that must hold whatever the format:
# "+ TEXT" a line of the text report contains TEXT, "- TEXT" none does,
# "@ HEADER :: TEXT" a line contains TEXT in the section of the report
# (from a "== ... ==" line to the next) whose header contains HEADER: a
# finding is in the right step.
# They are written from what the recorded workload did, so that
# re-recording and --update cannot silently bless a wrong answer.
# The cases of ALL_FORMATS have goldens of the other formats too:
# expected.sarif, expected.jsonl, and expected.github (the annotations,
# then the job summary the github format appends to $GITHUB_STEP_SUMMARY).
#
#   tests/cases.sh            check every case (TAP)
#   tests/cases.sh --update   rewrite expected.* from the current binary
#   tests/cases.sh CASE...    only these cases
set -u
# Reports gain a "ci" section under a CI system: the goldens are made
# outside one, and so must the runs that compare with them be.
unset GITHUB_RUN_ID GITLAB_CI JENKINS_URL

: "${STEPTRAIL:=$(pwd)/steptrail}"
: "${TOP_SRCDIR:=$(pwd)}"
update=no
if [ "${1:-}" = --update ]; then
	update=yes
	shift
fi
# shellcheck source=tests/lib-tap.sh
. "$TOP_SRCDIR/tests/lib-tap.sh"
tap_start cases

# The version is in the JSON document; a release must not break goldens.
unversion() {
	sed 's/^\(  "steptrail":\).*/\1 "VERSION",/' "$1"
}

ALL_FORMATS="ci-job attacks-exec tamper hostile"
version=$("$STEPTRAIL" version | sed -n "1s/.* //p")
# ... nor may the version or the host's name in the other formats
unversion_all() {
	sed -e "s/\"$version\"/\"VERSION\"/g" \
	    -e 's/"hostname":"[^"]*"/"hostname":"HOST"/' "$1"
}

# The other formats of case $1 (run in $2) into $tmp/$1.FORMAT.
other_formats() {
	: > "$tmp/$1.summary"
	# shellcheck disable=SC2086
	(cd "$2" && GITHUB_STEP_SUMMARY="$tmp/$1.summary" "$STEPTRAIL" \
	    analyze --format github --format sarif --output "$tmp/$1.sarif" \
	    --format jsonl --output "$tmp/$1.jsonl" $args audit.log) \
	    > "$tmp/$1.annotations" 2>> "$tmp/$1.err"
	rco=$?
	{ cat "$tmp/$1.annotations"
	  echo "----- GITHUB_STEP_SUMMARY -----"
	  cat "$tmp/$1.summary"; } > "$tmp/$1.github"
	for f in sarif jsonl github; do
		unversion_all "$tmp/$1.$f" > "$tmp/$1.$f.u"
	done
}

if [ $# -gt 0 ]; then
	cases=$*
else
	cases=$(cd "$TOP_SRCDIR/testdata" && for d in */; do
		[ -f "$d/audit.log" ] && echo "${d%/}"; done)
fi

for c in $cases; do
	dir=$TOP_SRCDIR/testdata/$c
	args=$(cat "$dir/args" 2>/dev/null || true)
	# Run from the case directory so that reports name "audit.log".
	# shellcheck disable=SC2086
	(cd "$dir" && "$STEPTRAIL" analyze $args audit.log) \
	    > "$tmp/$c.txt" 2> "$tmp/$c.err"
	rc=$?
	# shellcheck disable=SC2086
	(cd "$dir" && "$STEPTRAIL" analyze --format json $args audit.log) \
	    > "$tmp/$c.json" 2>> "$tmp/$c.err"
	rcj=$?
	if [ $rc -ge 64 ] || [ $rcj -ge 64 ]; then
		point not-ok "$c: steptrail died (exit $rc / $rcj)"
		sed 's/^/# /' "$tmp/$c.err"
		continue
	fi
	all=no
	case " $ALL_FORMATS " in *" $c "*) all=yes; other_formats "$c" "$dir" ;;
	esac
	if [ $update = yes ]; then
		cp "$tmp/$c.txt" "$dir/expected.txt"
		unversion "$tmp/$c.json" > "$dir/expected.json"
		echo "$rc" > "$dir/exit"
		if [ $all = yes ]; then
			for f in sarif jsonl github; do
				cp "$tmp/$c.$f.u" "$dir/expected.$f"
			done
		fi
		echo "# updated $c (exit $rc)"
	fi
	if [ $all = yes ]; then
		if [ "$rco" = "$rc" ]; then
			point ok "$c: exit status $rc with github, sarif and jsonl"
		else
			point not-ok "$c: exit status $rco with github, sarif" \
			    "and jsonl, $rc with text"
			sed 's/^/# /' "$tmp/$c.err"
		fi
		for f in sarif jsonl github; do
			if diff -u "$dir/expected.$f" "$tmp/$c.$f.u" \
			    > "$tmp/$c.diff"; then
				point ok "$c: $f report"
			else
				point not-ok "$c: $f report differs"
				head -60 "$tmp/$c.diff" | sed 's/^/# /'
			fi
		done
	fi

	if [ "$rc" = "$(cat "$dir/exit" 2>/dev/null)" ] && [ "$rc" = "$rcj" ]
	then
		point ok "$c: exit status $rc"
	else
		point not-ok "$c: exit status $rc (json $rcj), expected" \
		    "$(cat "$dir/exit" 2>/dev/null)"
	fi
	if diff -u "$dir/expected.txt" "$tmp/$c.txt" > "$tmp/$c.diff"; then
		point ok "$c: text report"
	else
		point not-ok "$c: text report differs"
		head -60 "$tmp/$c.diff" | sed 's/^/# /'
	fi
	unversion "$tmp/$c.json" > "$tmp/$c.json.u"
	if diff -u "$dir/expected.json" "$tmp/$c.json.u" > "$tmp/$c.diff"; then
		point ok "$c: json report"
	else
		point not-ok "$c: json report differs"
		head -60 "$tmp/$c.diff" | sed 's/^/# /'
	fi
	if [ -f "$dir/expect" ]; then
		while IFS= read -r line; do
			text=${line#? }
			case $line in
			"+ "*)
				if grep -qF -- "$text" "$tmp/$c.txt"; then
					point ok "$c: reports \"$text\""
				else
					point not-ok "$c: does not report \"$text\""
				fi ;;
			"- "*)
				if grep -qF -- "$text" "$tmp/$c.txt"; then
					point not-ok "$c: reports \"$text\""
					grep -F -- "$text" "$tmp/$c.txt" |
					    sed 's/^/# /'
				else
					point ok "$c: does not report \"$text\""
				fi ;;
			"@ "*" :: "*)
				header=${text%% :: *}
				want=${text#* :: }
				if awk -v h="$header" -v w="$want" '
				    /^== .* ==$/ { in_s = index($0, h) > 0 }
				    in_s && index($0, w) { found = 1 }
				    END { exit !found }' "$tmp/$c.txt"; then
					point ok "$c: in \"$header\": \"$want\""
				else
					point not-ok "$c: not in \"$header\": \"$want\""
				fi ;;
			esac
		done < "$dir/expect"
	fi
done
if [ $n -eq 0 ]; then
	echo "1..0 # SKIP no test cases under testdata/"
	exit 0
fi
echo "1..$n"
