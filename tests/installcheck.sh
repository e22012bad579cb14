#!/bin/sh
# installcheck.sh: what `make install` put in place works together: the
# installed binary finds the installed recipes and rules (not its built-in
# copies) and the man pages render.  Run by `make installcheck`, which
# distcheck runs on its own install; TAP, and exits 1 on any failure.
#
# STEPTRAIL the installed binary, PKGDATADIR where its data was installed
# ($(pkgdatadir)), MANDIR the installed pages, DESTDIR as given to make
# install, TOP_SRCDIR the source tree (for a log to analyze).  Without a
# DESTDIR the binary must find its data by the path compiled into it;
# with one, that path is not where the files are, and STEPTRAIL_DATADIR
# says where they are.
set -u

: "${DESTDIR:=}"
datadir=$DESTDIR$PKGDATADIR
if [ -n "$DESTDIR" ]; then
	STEPTRAIL_DATADIR=$datadir
	export STEPTRAIL_DATADIR
else
	unset STEPTRAIL_DATADIR
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/steptrail-installcheck.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
check() {	# check DESCRIPTION COMMAND...
	desc=$1
	shift
	n=$((n + 1))
	if "$@" > "$tmp/check.out" 2>&1; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		sed 's/^/# /' "$tmp/check.out" | head -20
		failed=1
	fi
}

nrecipes=$(ls "$datadir"/recipes/*.json | wc -l)
nrules=$(ls "$datadir"/rules.d/*.rules | wc -l)
check "installed: $nrecipes recipes and $nrules rule files" \
    test "$nrecipes" -gt 0 -a "$nrules" -gt 0

"$STEPTRAIL" version > "$tmp/version" 2>&1
check "version: the installed binary runs" test $? = 0
check "version: the data directory is the installed one" \
    grep -qxF "data dir: $datadir" "$tmp/version"
check "version: the recipes are the installed ones" \
    grep -qxF "recipes: $datadir/recipes ($nrecipes)" "$tmp/version"
check "version: the rules are the installed ones" \
    grep -qxF "rules: $datadir/rules.d ($nrules files)" "$tmp/version"
check "recipes list: each from its installed file" sh -c "
    \"$STEPTRAIL\" recipes 2> /dev/null | awk '{ print \$NF }' |
    grep -vc '^$datadir/recipes/' | grep -qx 0"
check "recipes test: the installed recipes' examples hold" \
    "$STEPTRAIL" recipes test
check "rules print: the installed rule files" sh -c "
    \"$STEPTRAIL\" rules print --user root | head -n 1 |
    grep -qxF '## steptrail rules: $datadir/rules.d ($nrules files)'"
check "analyze with the installed recipes: the poisoned job fails (exit 1)" \
    sh -c "\"$STEPTRAIL\" analyze '$TOP_SRCDIR/testdata/ci-job/audit.log' \
    > /dev/null; [ \$? = 1 ]"

# The pages: installed where man looks, and they render without a word
# from the formatter.
for page in man1/steptrail.1 man5/steptrail-recipes.5; do
	check "$page is installed" test -f "$MANDIR/$page"
	if ! command -v man > /dev/null; then
		n=$((n + 1))
		echo "ok $n # SKIP man -l $page: no man here"
		continue
	fi
	MANWIDTH=80 man -l "$MANDIR/$page" > "$tmp/page" 2> "$tmp/page.err"
	check "man -l $page renders" grep -q '^SEE ALSO' "$tmp/page"
	check "man -l $page: no warning" test ! -s "$tmp/page.err"
done

echo "1..$n"
exit $failed
