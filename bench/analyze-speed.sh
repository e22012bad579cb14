#!/bin/bash
# analyze-speed.sh: how fast steptrail reads a large log, and how much
# memory it needs, beside ausearch on the same file.  A benchmark, not a
# test: it prints medians of RUNS runs of each, alternated, and asserts
# nothing.
#
# The log: ../shared/bench's recorded autotools build, replayed by mkbig to
# SIZE_MB (default 200) with shifted times and serials and reused pids,
# as a long-lived runner's log looks.  Peak RSS is measured at SIZE_MB and
# at a quarter of it: bounded memory means it does not grow with the file.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
STEPTRAIL=${STEPTRAIL:-$TOP/steptrail}
SHARED=${SHARED:-$TOP/../shared/bench}
SIZE_MB=${SIZE_MB:-200}
RUNS=${RUNS:-3}

if [ ! -x "$SHARED/mkbig" ] || ! command -v ausearch > /dev/null ||
    [ ! -x /usr/bin/time ]; then
	echo "analyze-speed: skipped: needs $SHARED/mkbig, ausearch and /usr/bin/time"
	exit 0
fi
tmp=$(mktemp -d /tmp/steptrail-speed.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
python3 "$SHARED/mkbig" "$SHARED/autotools-build.audit.log.xz" "$tmp/big.log" "$SIZE_MB"
python3 "$SHARED/mkbig" "$SHARED/autotools-build.audit.log.xz" "$tmp/quarter.log" "$((SIZE_MB / 4))"

# run LABEL COMMAND...: "seconds peak-kB" of one run
run() {
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" > /dev/null 2>&1
	cat "$tmp/time"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for i in $(seq 1 "$RUNS"); do
	run "$STEPTRAIL" analyze --fail-on none "$tmp/big.log" >> "$tmp/st"
	run ausearch -if "$tmp/big.log" --raw >> "$tmp/raw"
	run ausearch -if "$tmp/big.log" -i >> "$tmp/interp"
done
run "$STEPTRAIL" analyze --fail-on none "$tmp/quarter.log" > "$tmp/stq"

st=$(cut -d' ' -f1 "$tmp/st" | median)
raw=$(cut -d' ' -f1 "$tmp/raw" | median)
interp=$(cut -d' ' -f1 "$tmp/interp" | median)
printf 'log: %s MB (%s execs of a real autotools build, replayed)\n' "$SIZE_MB" \
    "$("$STEPTRAIL" analyze -f json --fail-on none "$tmp/big.log" |
    sed -n 's/^[[:space:]]*"execs":[[:space:]]*\([0-9]*\).*/\1/p' | head -n 1)"
printf 'time (median of %d): steptrail %.2f s, ausearch --raw %.2f s, ausearch -i %.2f s\n' \
    "$RUNS" "$st" "$raw" "$interp"
printf 'ratios: steptrail / ausearch --raw %.2f, steptrail / ausearch -i %.2f\n' \
    "$(awk -v a="$st" -v b="$raw" 'BEGIN { print a / b }')" \
    "$(awk -v a="$st" -v b="$interp" 'BEGIN { print a / b }')"
printf 'peak RSS: steptrail %s MB on %s MB, %s MB on %s MB; ausearch --raw %s MB\n' \
    "$(($(cut -d' ' -f2 "$tmp/st" | median) / 1024))" "$SIZE_MB" \
    "$(($(cut -d' ' -f2 "$tmp/stq") / 1024))" "$((SIZE_MB / 4))" \
    "$(($(cut -d' ' -f2 "$tmp/raw" | median) / 1024))"

# A hostile (or pre-3.16 kernel) log whose events never end: no EOE, no
# PROCTITLE.  libauparse alone holds every later event behind them and
# rescans them per record; the reader ends them past OPEN_MAX (reader.c).
python3 "$TOP/fuzz/gen/eoe-less.py" 20000 > "$tmp/open.log"
python3 "$TOP/fuzz/gen/eoe-less.py" 20000 open64 > "$tmp/open64.log"
for f in open open64; do
	for i in $(seq 1 "$RUNS"); do
		run "$STEPTRAIL" analyze --fail-on none "$tmp/$f.log" >> "$tmp/$f.t"
	done
done
printf 'events never ended (20000 in one second): %s s, peak %s MB; the first 64 only: %s s, peak %s MB\n' \
    "$(cut -d' ' -f1 "$tmp/open.t" | median)" \
    "$(($(cut -d' ' -f2 "$tmp/open.t" | median) / 1024))" \
    "$(cut -d' ' -f1 "$tmp/open64.t" | median)" \
    "$(($(cut -d' ' -f2 "$tmp/open64.t" | median) / 1024))"

python3 "$TOP/fuzz/gen/big-argv.py" 10 > "$tmp/bigargv.log"
for i in $(seq 1 "$RUNS"); do
	run "$STEPTRAIL" analyze --fail-on none "$tmp/bigargv.log" >> "$tmp/bigargv.t"
done
printf 'ten execs of 100000 arguments back to back: %s s, peak %s MB\n' \
    "$(cut -d' ' -f1 "$tmp/bigargv.t" | median)" \
    "$(($(cut -d' ' -f2 "$tmp/bigargv.t" | median) / 1024))"

# Inputs that once took minutes in the recipes' patterns (fuzz/slow/):
# unanchored lookaheads tried at every byte of a long argument.
for f in "$TOP"/fuzz/slow/*; do
	printf 'slow input %s: %s s\n' "${f##*/}" \
	    "$(run "$STEPTRAIL" analyze --fail-on none "$f" | cut -d' ' -f1)"
done
