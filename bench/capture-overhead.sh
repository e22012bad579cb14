#!/bin/bash
# capture-overhead.sh: what capture costs a build.  A benchmark, not a
# test: timings on shared machines are noisy, so it alternates the two
# arms, reports medians and their ratio, and asserts nothing.
#
# The build: steptrail's own source tree (git archive of HEAD), built as
# an autotools project from scratch: autoreconf, configure, make -j2, done
# BUILDS times per measurement (default 2: one build takes 7-8 s here, and
# run-to-run noise is +-0.4 s, as large as the effect measured; a few
# thousand execs per build, most of them short, which is the worst case
# for an exec rule).  The arms, alternated ROUNDS times (default 7):
#   off  kernel audit as found (here: disabled, no daemon, no rules)
#   on   a private auditd and `steptrail rules install`
# Prints the median wall time of each arm, on/off, and the log bytes per
# exec of the last captured build.  Target: on/off <= 1.05.
#
# Needs root, kernel audit and no registered audit daemon (like the live
# tests, it runs its own and puts back everything it found).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
STEPTRAIL=${STEPTRAIL:-$TOP/steptrail}
ROUNDS=${ROUNDS:-7}
BUILDS=${BUILDS:-2}
# shellcheck source=tests/lib-audit.sh
. "$TOP/tests/lib-audit.sh"

why=$(audit_unavailable)
if [ -n "$why" ]; then
	echo "capture-overhead: skipped: $why"
	exit 0
fi
trap 'audit_restore; rm -rf "$AUDIT_PRIV"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
audit_save || { echo "capture-overhead: cannot save the audit state" >&2; exit 1; }
export STEPTRAIL_STATE_DIR=$AUDIT_PRIV/state
mkdir -p "$AUDIT_PRIV/src"
git -C "$TOP" archive HEAD | tar -x -C "$AUDIT_PRIV/src"

build() {	# prints the wall time in seconds of BUILDS builds
	local dir=$AUDIT_PRIV/build t0 t1 i

	t0=$(date +%s.%N)
	for i in $(seq 1 "$BUILDS"); do
		rm -rf "$dir"
		cp -R "$AUDIT_PRIV/src" "$dir"
		(cd "$dir" && autoreconf -fi && ./configure -q && make -j2) \
		    > "$AUDIT_PRIV/build.out" 2>&1 ||
		    { cat "$AUDIT_PRIV/build.out" >&2; exit 1; }
	done
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

capture_on() {
	audit_start_daemon || exit 1
	"$STEPTRAIL" rules install --user root > /dev/null || exit 1
}

capture_off() {
	"$STEPTRAIL" rules remove > /dev/null || exit 1
	audit_settle
	cp "$AUDIT_PRIV/log/audit.log" "$AUDIT_PRIV/last.log"
	audit_stop_daemon
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo, hi }'; }

build > /dev/null	# warm the page cache and ccache-less compiler once
: > "$AUDIT_PRIV/off"
: > "$AUDIT_PRIV/on"
for r in $(seq 1 "$ROUNDS"); do
	t=$(build)
	echo "$t" >> "$AUDIT_PRIV/off"
	capture_on
	u=$(build)
	capture_off
	echo "$u" >> "$AUDIT_PRIV/on"
	printf 'round %d: off %.2f s, on %.2f s\n' "$r" "$t" "$u"
done
off=$(median < "$AUDIT_PRIV/off")
on=$(median < "$AUDIT_PRIV/on")
bytes=$(stat -c %s "$AUDIT_PRIV/last.log")
execs=$("$STEPTRAIL" analyze -f json --fail-on none "$AUDIT_PRIV/last.log" |
    sed -n 's/^[[:space:]]*"execs":[[:space:]]*\([0-9]*\).*/\1/p' | head -n 1)
printf 'capture overhead: median off %.2f s (%s), on %.2f s (%s), ratio on/off %.3f (target <= 1.05), %d rounds of %d builds\n' \
    "$off" "$(spread < "$AUDIT_PRIV/off")" "$on" "$(spread < "$AUDIT_PRIV/on")" \
    "$(awk -v a="$on" -v b="$off" 'BEGIN { print a / b }')" "$ROUNDS" "$BUILDS"
printf 'log: %d bytes for %d execs: %.0f bytes per exec (all records: execs, forks, failed execs)\n' \
    "$bytes" "$execs" "$(awk -v a="$bytes" -v b="$execs" 'BEGIN { print a / b }')"
