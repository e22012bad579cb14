#!/bin/sh
# lean.sh: leaving out the fields steptrail never reads before libauparse
# parses them, and BPRM_FCAPS records whole where that changes nothing in
# libauparse's grouping (src/lean.c), changes nothing but the time taken.  Every
# report of every recorded case, all of them in one run, and every log of
# the shared corpus when it is there (../shared/corpus: other projects'
# logs, ENRICHED ones among them) are byte for byte what STEPTRAIL_LEAN=0
# (every field fed) gives.  A field added to what reader.c reads of a PATH
# record, and not to lean.c's list, shows here.  (One difference is meant:
# the window's byte bound counts the text as fed, so a hand-made record of
# tens of thousands of junk fields no longer forces events out early.)
set -u
unset GITHUB_RUN_ID GITLAB_CI JENKINS_URL

: "${STEPTRAIL:=$(pwd)/steptrail}"
: "${TOP_SRCDIR:=$(pwd)}"
# shellcheck source=tests/lib-tap.sh
. "$TOP_SRCDIR/tests/lib-tap.sh"
tap_start lean

cases=$(cd "$TOP_SRCDIR/testdata" && for d in */; do
	[ -f "$d/audit.log" ] && echo "${d%/}"; done)
for c in $cases; do
	dir=$TOP_SRCDIR/testdata/$c
	args=$(cat "$dir/args" 2>/dev/null || true)
	# shellcheck disable=SC2086
	same_as STEPTRAIL_LEAN=0 "$c: the json report" --format json $args \
	    audit.log
	# shellcheck disable=SC2086
	same_as STEPTRAIL_LEAN=0 "$c: the text report" $args audit.log
done

# hand-made: records out of order, where the batches libauparse is fed
# must end at the same lines either way (src/reader.c: batch_in)
dir=$TOP_SRCDIR/tests/data
same_as STEPTRAIL_LEAN=0 "handmade-lean-batch.log: the json report" \
    --format json --fail-on none handmade-lean-batch.log
same_as STEPTRAIL_LEAN=0 "handmade-lean-batch.log: the text report" \
    --fail-on none handmade-lean-batch.log

# hand-made: a checkpoint's second run, where a daemon record with the
# exec's stamp is handed out first and passed over (read before); the
# BPRM_FCAPS left out is counted with the exec either way
for mode in lean full; do
	cp "$dir/handmade-lean-fcaps-daemon-1.log" "$tmp/$mode.log"
	e=STEPTRAIL_LEAN=1
	[ $mode = full ] && e=STEPTRAIL_LEAN=0
	env "$e" "$STEPTRAIL" analyze --checkpoint "$tmp/ck.$mode" --format json \
	    --fail-on none "$tmp/$mode.log" > /dev/null 2>&1
	cat "$dir/handmade-lean-fcaps-daemon-2.log" >> "$tmp/$mode.log"
	env "$e" "$STEPTRAIL" analyze --checkpoint "$tmp/ck.$mode" --format json \
	    --fail-on none "$tmp/$mode.log" 2>&1 |
	    sed "s|$tmp/$mode.log|LOG|g" > "$tmp/ck-$mode.out"
done
if cmp -s "$tmp/ck-lean.out" "$tmp/ck-full.out" &&
    grep -q '"records":[[:space:]]*8,' "$tmp/ck-lean.out"; then
	point ok "handmade-lean-fcaps-daemon: a checkpoint's second run, the \
same report (8 records)"
else
	point not-ok "handmade-lean-fcaps-daemon: a checkpoint's second run \
differs with STEPTRAIL_LEAN=0"
	diff "$tmp/ck-lean.out" "$tmp/ck-full.out" | head -10 | sed 's/^/# /'
fi

dir=$TOP_SRCDIR/testdata
logs=$(for c in $cases; do echo "$c/audit.log"; done)
# shellcheck disable=SC2086
same_as STEPTRAIL_LEAN=0 "all cases in one run: the jsonl report" \
    --format jsonl $logs

# the exec records the list is about are there to compare: PATH records
# with fields left out, and BPRM_FCAPS ones
npath=$(cat "$dir"/*/audit.log | grep -c '^type=PATH .* inode=')
nfcaps=$(cat "$dir"/*/audit.log | grep -c '^type=BPRM_FCAPS ')
if [ "$npath" -gt 100 ] && [ "$nfcaps" -gt 10 ]; then
	point ok "the cases hold $npath PATH and $nfcaps BPRM_FCAPS records"
else
	point not-ok "the cases hold $npath PATH and $nfcaps BPRM_FCAPS" \
	    "records; want more than 100 and 10"
fi

corpus=${STEPTRAIL_CORPUS:-$TOP_SRCDIR/../shared/corpus}
if [ -d "$corpus" ]; then
	dir=$corpus
	same_max=3	# some are not audit logs: their errors are compared
	(cd "$corpus" && find . -type f \( -name '*.log' -o -name '*.txt' \
	    -o -name '*.yaml' -o -name '*.ini' \) | sort) > "$tmp/files"
	while IFS= read -r f; do
		same_as STEPTRAIL_LEAN=0 "corpus ${f#./}: the json report" \
		    --format json --fail-on none "$f"
	done < "$tmp/files"
fi
echo "1..$n"
