#!/bin/sh
# benign-corpus.sh: steptrail stays quiet on normal builds.  TAP.
#
# testdata/benign-corpus/NAME/audit.log.xz are real benign CI jobs
# (autotools builds and test suites, npm install with install scripts,
# git, Python test runs, configure), recorded from the real kernel with
# every rule of rules.d/ (testdata/record.sh corpus; each README says what
# ran).  For each, `steptrail analyze --format json` must
#   - not die: an exit status under 64, a report that parses, the whole
#     log read (input.complete);
#   - skip no line as malformed;
#   - report no finding of high or critical severity.  Each one found is
#     printed (recipe, severity, argv) in TAP comments.
#   There is no allowlist: a recipe that is noisy here is fixed (an
#   exception, a grade) until it is not.
#
# STEPTRAIL_EXTRA_ARGS: more arguments for analyze (e.g. "--recipes FILE",
# to try a recipe against the corpus).  JSON is read with perl's JSON::PP
# (perl comes with autoconf, which the build needs).
set -u
# Reports gain a "ci" section under a CI system: the goldens are made
# outside one, and so must the runs that compare with them be.
unset GITHUB_RUN_ID GITLAB_CI JENKINS_URL

: "${STEPTRAIL:=$(pwd)/steptrail}"
: "${TOP_SRCDIR:=$(pwd)}"
: "${STEPTRAIL_EXTRA_ARGS:=}"
corpus=$TOP_SRCDIR/testdata/benign-corpus
# shellcheck source=tests/lib-tap.sh
. "$TOP_SRCDIR/tests/lib-tap.sh"
tap_start benign

if ! perl -MJSON::PP -e 1 2> /dev/null; then
	echo "Bail out! perl with JSON::PP is needed to read the JSON report"
	exit 1
fi

# The report as lines: "input KEY VALUE" for the counts, then
# "finding<TAB>recipe<TAB>severity<TAB>argv" for each high or critical
# finding, argv quoted for reading and cut at 300 bytes (a python -c
# argument can be a whole program).
flatten() {
	perl -MJSON::PP -e '
	my $d = JSON::PP->new->utf8->decode(do { local $/; <STDIN> });
	my $in = $d->{input};
	for my $k (qw(lines events execs malformed serial_missing
	    records_missing)) {
		print "input $k ", ($in->{$k} // "?"), "\n";
	}
	print "input complete ", ($in->{complete} ? "yes" : "no"), "\n";
	binmode STDOUT, ":utf8";
	for my $f (@{$d->{findings}}) {
		next unless $f->{severity} =~ /^(high|critical)$/;
		my $argv = join " ", map {
			my $a = $_;
			$a =~ s/([\\\n\t\r])/sprintf("\\x%02x", ord $1)/ge;
			$a =~ /^[\w\/.,:=+%@-]+$/ ? $a : "\x27$a\x27";
		} @{$f->{argv}};
		$argv = substr($argv, 0, 300) . "..." if length $argv > 300;
		print "finding\t$f->{recipe}\t$f->{severity}\t$argv\n";
	}'
}

found=0
for log in "$corpus"/*/audit.log.xz; do
	[ -f "$log" ] || continue
	found=1
	w=${log%/audit.log.xz}
	w=${w##*/}
	# shellcheck disable=SC2086
	"$STEPTRAIL" analyze --format json $STEPTRAIL_EXTRA_ARGS "$log" \
	    > "$tmp/$w.json" 2> "$tmp/$w.err"
	rc=$?
	if [ $rc -ge 64 ] ||
	    ! flatten < "$tmp/$w.json" > "$tmp/$w.flat" 2>> "$tmp/$w.err"; then
		point not-ok "$w: steptrail died or wrote no JSON (exit $rc)"
		sed 's/^/# /' "$tmp/$w.err" | head -20
		continue
	fi
	get() { sed -n "s/^input $1 //p" "$tmp/$w.flat"; }
	if [ "$(get complete)" = yes ]; then
		point ok "$w: read whole (exit $rc): $(get lines) lines, $(get \
		    events) events, $(get execs) execs"
	else
		point not-ok "$w: not read whole (exit $rc)"
		sed 's/^/# /' "$tmp/$w.err" | head -20
	fi
	if [ "$(get malformed)" = 0 ]; then
		point ok "$w: no malformed line"
	else
		point not-ok "$w: $(get malformed) malformed lines"
	fi

	grep '^finding	' "$tmp/$w.flat" > "$tmp/$w.found" || true
	if [ ! -s "$tmp/$w.found" ]; then
		point ok "$w: no high or critical finding"
		continue
	fi
	# one test point per recipe and severity found
	cut -f 2,3 "$tmp/$w.found" | sort | uniq -c > "$tmp/$w.count"
	while read -r count recipe sev; do
		point not-ok "$w: $count $sev finding(s) of $recipe"
		awk -F '\t' -v r="$recipe" -v s="$sev" '
		    $2 == r && $3 == s { print "#   " $3 " " $2 ": " $4 }' \
		    "$tmp/$w.found"
	done < "$tmp/$w.count"
done

if [ $found = 0 ]; then
	echo "1..0 # SKIP no testdata/benign-corpus/*/audit.log.xz"
	exit 0
fi
echo "1..$n"
