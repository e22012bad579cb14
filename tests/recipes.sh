#!/bin/sh
# recipes.sh: every built-in recipe's examples hold (steptrail recipes
# test), and `recipes lint` names what is wrong with a recipe file: file,
# recipe, field and offset for a pattern, the example for a wrong example.
# The files it lints are hand-made (tests/data/recipes/handmade-*.json).
set -u

: "${STEPTRAIL:=$(pwd)/steptrail}"
: "${TOP_SRCDIR:=$(pwd)}"
data=$TOP_SRCDIR/tests/data/recipes
# shellcheck source=tests/lib-tap.sh
. "$TOP_SRCDIR/tests/lib-tap.sh"
tap_start recipes

# check DESCRIPTION WANT_EXIT FILE PATTERN...: exit status and lines
check() {
	desc=$1 want=$2 out=$3
	shift 3
	if [ "$rc" != "$want" ]; then
		point not-ok "$desc: exit $rc, not $want"
		sed 's/^/# /' "$out" | head -n 20
		return
	fi
	for p in "$@"; do
		if ! grep -qF -- "$p" "$out"; then
			point not-ok "$desc: no line with \"$p\""
			sed 's/^/# /' "$out" | head -n 20
			return
		fi
	done
	point ok "$desc"
}

"$STEPTRAIL" recipes test > "$tmp/test" 2>&1
rc=$?
check "the built-in recipes' examples all hold" 0 "$tmp/test" " 0 failed"
grep '^FAIL' "$tmp/test" | sed 's/^/# /'

nrec=$("$STEPTRAIL" recipes | wc -l)
if [ "$nrec" -ge 30 ]; then
	point ok "at least 30 built-in recipes ($nrec)"
else
	point not-ok "at least 30 built-in recipes ($nrec)"
fi
if "$STEPTRAIL" recipes | awk '$3 !~ /^T[0-9][0-9][0-9][0-9](\.[0-9][0-9][0-9])?$/ { bad = 1 } END { exit bad }'
then
	point ok "every built-in recipe has an ATT&CK technique id"
else
	point not-ok "every built-in recipe has an ATT&CK technique id"
fi

# Each built-in recipe fires on a live recording: some recorded case's
# expected report (testdata/*/expected.json, checked by cases.sh) has a
# finding of it.  Hand-made cases do not count.
missing=
for r in $("$STEPTRAIL" recipes | awk '{ print $1 }'); do
	found=no
	for f in "$TOP_SRCDIR"/testdata/*/expected.json; do
		case $f in */handmade-*) continue ;; esac
		if grep -q "\"recipe\":[[:space:]]*\"$r\"" "$f"; then
			found=yes
			break
		fi
	done
	[ $found = yes ] || missing="$missing $r"
done
if [ -z "$missing" ]; then
	point ok "every built-in recipe fires on a recorded case"
else
	point not-ok "every built-in recipe fires on a recorded case"
	echo "# no recorded case fires:$missing"
fi

"$STEPTRAIL" recipes lint -v "$data/handmade-good.json" > "$tmp/good" 2>&1
rc=$?
check "lint: a good file passes, sibling example in both orders" 0 \
    "$tmp/good" 'examples.match[0]: high' '2 examples, 0 failed'

"$STEPTRAIL" recipes lint "$data/handmade-example-wrong.json" > "$tmp/wrong" 2>&1
rc=$?
check "lint: examples that disagree are named, with what was expected" 2 \
    "$tmp/wrong" \
    'handmade-example-wrong.json: recipe "handmade_example_wrong": examples.match[1]: must fire, got no finding' \
    'examples.nomatch[1]: must not fire, got high' '4 examples, 2 failed'

"$STEPTRAIL" recipes lint "$data/handmade-bad-regex.json" > "$tmp/regex" 2>&1
rc=$?
check "lint: a bad pattern is named by file, recipe, field and offset" 2 \
    "$tmp/regex" \
    'handmade-bad-regex.json: recipe "handmade_bad_regex": match.parent.cmdline: bad regular expression at offset 18'

"$STEPTRAIL" recipes lint "$data/handmade-key-twice.json" > "$tmp/twice" 2>&1
rc=$?
check "lint: a key given twice in one object is refused, named" 2 \
    "$tmp/twice" \
    'handmade-key-twice.json: recipe "handmade_key_twice": match: "unless" is given twice'

# what the loader took without a word before the recipe fuzzer's round
"$STEPTRAIL" recipes lint "$data/handmade-two-objects.json" > "$tmp/two" 2>&1
rc=$?
check "lint: two objects without [...] refused (the second was dropped)" 2 \
    "$tmp/two" 'handmade-two-objects.json:2:1: text after the recipes'
"$STEPTRAIL" recipes lint "$data/handmade-empty.json" > "$tmp/empty" 2>&1
rc=$?
check "lint: an empty array is no recipe file" 2 "$tmp/empty" \
    'handmade-empty.json: no recipe in it'
"$STEPTRAIL" recipes lint "$data/handmade-utf.json" > "$tmp/utf" 2>&1
rc=$?
check "lint: (*UTF) refused (it would fail, so fire, on any non-UTF-8 argv)" \
    2 "$tmp/utf" 'match.arg: bad regular expression at offset 6: using UTF is disabled'

"$STEPTRAIL" recipes lint "$data/handmade-no-nomatch.json" > "$tmp/nono" 2>&1
rc=$?
check "lint: a recipe without examples that must not match fails" 2 \
    "$tmp/nono" 'recipe "handmade_no_nomatch": no examples.nomatch'

"$STEPTRAIL" recipes lint "$data/handmade-bad-example.json" > "$tmp/badex" 2>&1
rc=$?
check "lint: a malformed example is named" 2 "$tmp/badex" \
    'examples.match[0]: a process needs "argv", a non-empty array of strings'

# several files: each bad one reported, the good one still tested
"$STEPTRAIL" recipes lint "$data/handmade-bad-regex.json" \
    "$data/handmade-good.json" "$data/handmade-no-nomatch.json" \
    > "$tmp/many" 2>&1
rc=$?
check "lint: several files, each reported" 2 "$tmp/many" \
    'handmade-bad-regex.json' 'handmade_no_nomatch": no examples.nomatch'

# each file on its own: a later file's recipe of the same name does not
# replace (and so hide) an earlier file's failing one
sed -e 's/"wget https:\/\/example.com\/x"/"curl https:\/\/example.com\/y"/' \
    -e 's/"curl http:\/\/localhost\/health"/"wget http:\/\/x"/' \
    "$data/handmade-example-wrong.json" > "$tmp/same-name-good.json"
"$STEPTRAIL" recipes lint "$data/handmade-example-wrong.json" \
    "$tmp/same-name-good.json" > "$tmp/same" 2>&1
rc=$?
check "lint: two files with a recipe of the same name are linted apart" 2 \
    "$tmp/same" 'handmade-example-wrong.json: recipe "handmade_example_wrong": examples.match[1]' \
    '2 recipes, 8 examples, 2 failed'
"$STEPTRAIL" recipes lint -r "$data/handmade-good.json" > "$tmp/lint-r" 2>&1
rc=$?
check "lint: -r is refused (files are arguments)" 2 "$tmp/lint-r" \
    'give the files as arguments'

# the worked example of docs/recipes.md holds as written
awk '/^```json$/ { f = 1; next } /^```$/ { f = 0 } f' \
    "$TOP_SRCDIR/docs/recipes.md" > "$tmp/worked.json"
"$STEPTRAIL" recipes lint -v "$tmp/worked.json" > "$tmp/worked" 2>&1
rc=$?
check "docs/recipes.md: the worked example's five examples hold" 0 \
    "$tmp/worked" '5 examples, 0 failed' \
    'examples.match[1]: critical: the script comes from a bare IP address'

"$STEPTRAIL" recipes frobnicate > "$tmp/verb" 2>&1
rc=$?
check "recipes: an unknown command is refused" 2 "$tmp/verb" \
    'unknown command "frobnicate"'

echo "1..$n"
