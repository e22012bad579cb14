#!/bin/sh
# inputs.sh: the ways a trail arrives for an offline replay: a directory of
# logs, rotations given in any order, gzip rotations read through zlib (and
# damaged ones), logs of two machines interleaved, raw and ENRICHED logs
# together, standard input; and the progress line.  TAP.
set -u
unset GITHUB_RUN_ID GITLAB_CI JENKINS_URL STEPTRAIL_PROGRESS

: "${STEPTRAIL:=$(pwd)/steptrail}"
: "${TOP_SRCDIR:=$(pwd)}"
: "${STEPTRAIL_DATADIR:=$TOP_SRCDIR}"
export STEPTRAIL_DATADIR
# shellcheck source=tests/lib-tap.sh
. "$TOP_SRCDIR/tests/lib-tap.sh"
tap_start inputs
job=$TOP_SRCDIR/testdata/ci-job/audit.log	# 10 findings
shell=$TOP_SRCDIR/testdata/reverse-shell/audit.log	# 17 findings
data=$TOP_SRCDIR/tests/data

# st OUT ERR ARGS...: steptrail, its output and error in OUT and ERR, its
# status in $st
st() {
	out=$1 err=$2
	shift 2
	"$STEPTRAIL" "$@" > "$out" 2> "$err"
	st=$?
}
same() { cmp "$1" "$2" || { diff "$1" "$2" | head -10; false; }; }
has() { grep -qF -- "$2" "$1" || { echo "no \"$2\" in $1:"; head -5 "$1"; false; }; }
status() { [ "$st" = "$1" ] || { echo "exit status $st, expected $1"; false; }; }
# same_body A B: the same reports from the step table on (the input line
# names the files, the rest must not differ)
same_body() {
	sed -n '/^steps:/,$p' "$1" > "$tmp/body.a"
	sed -n '/^steps:/,$p' "$2" > "$tmp/body.b"
	[ -s "$tmp/body.a" ] && same "$tmp/body.a" "$tmp/body.b"
}
# the names of the inputs of a JSON report, in reading order, one a line
json_inputs() {
	python3 -c 'import json, sys
for f in json.load(sys.stdin)["input"]["files"]: print(f["name"])' < "$1"
}

# --- a rotated set: the recorded job cut in three, as auditd would have
# rotated it.  Each cut falls between events, never inside one: half an
# event at the end of one file and the rest at the start of the next is a
# different input (two broken events), and would test something else.  An
# EOE record ends an event, but auditd 3.0.9 writes none into its log (this
# one has none), so the boundaries come from msg=audit(TIME:SERIAL), the
# event's key; and since events interleave (a record of an earlier event
# can come after a later one's), a boundary is a line before which every
# event begun has had its last record, not just the line after one
# event's last.  cuts.awk lists those lines; the cuts are the first past a
# third and two thirds of the log.
cat > "$tmp/cuts.awk" << 'EOF'
function key(l) {
	return match(l, /msg=audit\([0-9.]+:[0-9]+\)/) ? substr(l, RSTART, RLENGTH) : ""
}
NR == FNR { last[key($0)] = FNR; next }
FNR > 1 && maxlast < FNR { print FNR }
{ k = key($0); if (last[k] > maxlast) maxlast = last[k] }
EOF
total=$(wc -l < "$job")
awk -f "$tmp/cuts.awk" "$job" "$job" > "$tmp/cuts"
c1=$(awk -v t=$((total / 3)) '$1 > t { print; exit }' "$tmp/cuts")
c2=$(awk -v t=$((total * 2 / 3)) '$1 > t { print; exit }' "$tmp/cuts")
rot=$tmp/rot
mkdir "$rot"
sed -n "1,$((c1 - 1))p" "$job" > "$rot/audit.log.2"
sed -n "$c1,$((c2 - 1))p" "$job" > "$rot/audit.log.1"
sed -n "$c2,\$p" "$job" > "$rot/audit.log"
check "the cuts lose nothing" sh -c "
    [ -n '$c1' ] && [ -n '$c2' ] && [ $c1 -lt $c2 ] &&
    cat '$rot/audit.log.2' '$rot/audit.log.1' '$rot/audit.log' |
    cmp -s - '$job'"
check "... and fall between events: no event in two files" awk '
    match($0, /msg=audit\([0-9.]+:[0-9]+\)/) {
	k = substr($0, RSTART, RLENGTH)
	if (k in in_file && in_file[k] != FILENAME) { print k; bad = 1 }
	in_file[k] = FILENAME
    }
    END { exit bad }' "$rot/audit.log.2" "$rot/audit.log.1" "$rot/audit.log"

st "$tmp/whole" "$tmp/err" analyze "$job"
st "$tmp/oldest" "$tmp/err" analyze "$rot/audit.log.2" "$rot/audit.log.1" \
    "$rot/audit.log"
check "rotations oldest first: the same findings as the whole log" \
    eval 'status 1 && same_body "$tmp/whole" "$tmp/oldest"'
for order in "audit.log audit.log.1 audit.log.2" \
    "audit.log.1 audit.log audit.log.2" "audit.log.2 audit.log audit.log.1"; do
	# shellcheck disable=SC2086
	set -- $order
	st "$tmp/any" "$tmp/err" analyze "$rot/$1" "$rot/$2" "$rot/$3"
	check "rotations given as $order: the report of oldest first" \
	    same "$tmp/oldest" "$tmp/any"
done
check "... the input line says the order read" has "$tmp/any" \
    "input: $rot/audit.log.2, $rot/audit.log.1, $rot/audit.log"
one=$data/real-bash-c-hex.log
two=$data/real-enriched.log
"$STEPTRAIL" analyze -f json "$one" "$rot/audit.log" "$rot/audit.log.2" \
    "$two" "$rot/audit.log.1" > "$tmp/mixed.json"
json_inputs "$tmp/mixed.json" > "$tmp/mixed.order"
printf '%s\n' "$one" "$rot/audit.log.2" "$rot/audit.log.1" "$rot/audit.log" \
    "$two" > "$tmp/want.order"
check "other files keep their place; the set reads where its first member was given" \
    same "$tmp/want.order" "$tmp/mixed.order"
(cd "$rot" && "$STEPTRAIL" analyze -f json ./audit.log audit.log.1 \
    "$rot/audit.log.2") > "$tmp/spelt.json"
json_inputs "$tmp/spelt.json" > "$tmp/spelt.order"
printf '%s\n' "$rot/audit.log.2" audit.log.1 ./audit.log > "$tmp/want.order"
check "one set however its directory is spelt" same "$tmp/want.order" \
    "$tmp/spelt.order"

# --- a directory
st "$tmp/dir" "$tmp/err" analyze "$rot"
check "a directory: the report of its files given one by one, oldest first" \
    eval 'status 1 && same "$tmp/oldest" "$tmp/dir"'
check "... and nothing said on stderr (nothing skipped)" test ! -s "$tmp/err"
st "$tmp/dir2" "$tmp/err" analyze "$rot/"
check "a directory with a trailing slash: the same" same "$tmp/oldest" \
    "$tmp/dir2"
# what a copied log directory may hold besides the logs
full=$tmp/full
mkdir "$full" "$full/archive"
cp "$rot"/audit.log* "$full/"
cp "$data/real-bash-c-hex.log" "$full/runner-2.log"	# by content
cp "$job" "$full/archive/audit.log"			# below: not read
printf 'not a log\n' > "$full/notes.txt"
gzip -c "$data/real-memfd-exec.log" > "$full/other.log.gz"	# not named so
st "$tmp/full.json" "$tmp/err" analyze -f json "$full"
json_inputs "$tmp/full.json" > "$tmp/full.order"
printf '%s\n' "$full/audit.log.2" "$full/audit.log.1" "$full/audit.log" \
    "$full/runner-2.log" > "$tmp/want.order"
check "a directory: auditd's names, oldest first, then a log by its content" \
    same "$tmp/want.order" "$tmp/full.order"
check "... what was skipped is named on stderr" has "$tmp/err" \
    "steptrail: $full: skipped what is neither named audit.log[.N][.gz|.xz|.zst|.bz2] nor starts with an audit record: archive/, notes.txt, other.log.gz"
check "... a clean analysis all the same (exit 1: its findings)" status 1
st "$tmp/out" "$tmp/err" analyze -q "$full"
check "--quiet: nothing said of what was skipped" test ! -s "$tmp/err"
mkdir "$tmp/nolog"
cp "$tmp/full/notes.txt" "$tmp/nolog/"
st "$tmp/out" "$tmp/err" analyze "$tmp/nolog"
check "a directory with no audit log: exit 3" status 3
check "... saying so" has "$tmp/out" \
    "UNREADABLE $tmp/nolog: no audit log in this directory (1 entry skipped)"
st "$tmp/out" "$tmp/err" analyze "$tmp/nolog" "$job"
check "... the other inputs still analyzed" eval 'status 3 &&
    grep -q "^CRITICAL" "$tmp/out"'
st "$tmp/tree1" "$tmp/err" tree "$rot/audit.log.2" "$rot/audit.log.1" \
    "$rot/audit.log"
st "$tmp/tree2" "$tmp/err" tree "$rot"
check "tree of a directory: the tree of its files" same "$tmp/tree1" \
    "$tmp/tree2"

# --- gzip through zlib
gz=$tmp/gz
mkdir "$gz"
cp "$rot/audit.log.2" "$rot/audit.log" "$gz/"
gzip -c "$rot/audit.log.1" > "$gz/audit.log.1.gz"
# no gzip program to be found: only zlib can read it
PATH=/nonexistent "$STEPTRAIL" analyze "$gz/audit.log" "$gz/audit.log.1.gz" \
    "$gz/audit.log.2" > "$tmp/gz.out" 2> "$tmp/gz.err"
st=$?
check "a gzip rotation without any gzip program (zlib): the same findings" \
    eval 'status 1 && same_body "$tmp/oldest" "$tmp/gz.out"'
check "... read as rotation 1, said gzip" has "$tmp/gz.out" \
    "input: $gz/audit.log.2, $gz/audit.log.1.gz (gzip), $gz/audit.log"
if command -v strace > /dev/null &&
    strace -f -e trace=execve -o "$tmp/strace" true 2> /dev/null; then
	strace -f -e trace=execve -o "$tmp/strace" "$STEPTRAIL" analyze \
	    "$gz" > /dev/null 2>&1
	# (not even tried: a gzip looked for along PATH would show, ENOENT)
	check "... and no program is executed to read it (strace)" sh -c "
	    grep 'execve(' '$tmp/strace' | grep -v 'execve(\"$STEPTRAIL\"' |
	    sed q1"
else
	n=$((n + 1))
	echo "ok $n - ... and no program is executed # SKIP no usable strace"
fi
# members concatenated (gzip -dc reads them as one), zero padding after
half=$(( $(wc -l < "$rot/audit.log.1") / 2 ))
{ head -n "$half" "$rot/audit.log.1" | gzip; tail -n +"$((half + 1))" \
    "$rot/audit.log.1" | gzip; head -c 512 /dev/zero; } > "$gz/audit.log.1.gz"
st "$tmp/cat.out" "$tmp/err" analyze "$gz"
check "a gzip file of two members, zero-padded: the same findings" \
    eval 'status 1 && same_body "$tmp/oldest" "$tmp/cat.out"'
gzip -c "$job" > "$tmp/job.gz"
st "$tmp/stdin.out" "$tmp/err" analyze - < "$tmp/job.gz"
check "gzip on standard input: read" \
    eval 'status 1 && same_body "$tmp/whole" "$tmp/stdin.out"'
# truncated: the middle rotation cut short
gzip -c "$rot/audit.log.1" > "$tmp/full.gz"
head -c $(( $(wc -c < "$tmp/full.gz") / 2 )) "$tmp/full.gz" > "$gz/audit.log.1.gz"
st "$tmp/trunc.json" "$tmp/trunc.err" analyze -f json "$gz"
check "a truncated .gz: exit 3" status 3
check "... naming the file, and what is wrong with it" has "$tmp/trunc.err" \
    "steptrail: $gz/audit.log.1.gz: truncated gzip data: the file ends at byte"
check "... what came before the cut is analyzed, the other files too" \
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
f = d["input"]["files"]
assert [x["error"] is not None for x in f] == [False, True, False], f
assert 0 < f[1]["lines"] < int(sys.argv[2]), f[1]
assert f[0]["lines"] > 0 and f[2]["lines"] > 0
assert not d["input"]["complete"]
assert len(d["findings"]) > 0' "$tmp/trunc.json" "$(wc -l < "$rot/audit.log.1")"
python3 -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] ^= 0xff
open(sys.argv[2], "wb").write(b)' "$tmp/full.gz" "$gz/audit.log.1.gz"
st "$tmp/out" "$tmp/err" analyze "$gz"
check "a corrupt .gz: exit 3, saying so" eval 'status 3 && grep -q \
    "^steptrail: $gz/audit.log.1.gz: corrupt gzip data at byte [0-9]* (zlib: " \
    "$tmp/err"'

# --- two machines: HAND-MADE from two recorded jobs, each line prefixed
# node=a (ci-job) or node=b (reverse-shell), merged in time order (each
# file's own order kept).  The recordings are seconds apart: b's times are
# moved 4.4 s later, so that the two jobs run at once.
cat > "$tmp/merge.awk" << 'EOF'
function ms(l,   t) {
	match(l, /msg=audit\([0-9]+\.[0-9]+:/)
	split(substr(l, RSTART + 10, RLENGTH - 11), t, ".")
	return t[1] * 1000 + t[2]
}
function moved(l,   m) {
	m = ms(l) + shift
	sub(/msg=audit\([0-9]+\.[0-9]+:/, sprintf("msg=audit(%d.%03d:",
	    int(m / 1000), m % 1000), l)
	return l
}
BEGIN {
	ha = (getline la < A) > 0
	if ((hb = (getline lb < B) > 0))
		lb = moved(lb)
	while (ha || hb) {
		if (ha && (!hb || ms(la) <= ms(lb))) {
			print "node=a " la
			ha = (getline la < A) > 0
		} else {
			print "node=b " lb
			if ((hb = (getline lb < B) > 0))
				lb = moved(lb)
		}
	}
}
EOF
nodes=$tmp/handmade-two-nodes.log
awk -v A="$job" -v B="$shell" -v shift=4400 -f "$tmp/merge.awk" > "$nodes"
awk -v A="$job" -v B=/dev/null -v shift=0 -f "$tmp/merge.awk" > "$tmp/a.log"
awk -v A=/dev/null -v B="$shell" -v shift=4400 -f "$tmp/merge.awk" > "$tmp/b.log"
check "the hand-made log interleaves the two nodes" sh -c "
    [ \$(cut -d' ' -f1 '$nodes' | uniq | wc -l) -gt 10 ]"
node_findings() {	# node_findings LOG: the findings' nodes, counted
	"$STEPTRAIL" analyze -f json "$1" | python3 -c 'import json, sys
from collections import Counter
c = Counter(f["node"] for f in json.load(sys.stdin)["findings"])
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))'
}
check "two nodes interleaved: each node's findings, carrying its node" \
    eval '[ "$(node_findings "$nodes")" = "a=10 b=17" ] &&
    [ "$(node_findings "$tmp/a.log")" = a=10 ] &&
    [ "$(node_findings "$tmp/b.log")" = b=17 ]'
"$STEPTRAIL" analyze "$nodes" > "$tmp/nodes.txt"
check "... the text report names the node of a finding" grep -q \
    '^  node     b$' "$tmp/nodes.txt"
# steps are numbered across the whole log: compared without their number
unstep() { sed 's/\[step [0-9]*:/[step:/'; }
for x in a b; do
	"$STEPTRAIL" tree --node $x "$nodes" | unstep > "$tmp/tree.$x"
	"$STEPTRAIL" tree "$tmp/$x.log" | unstep > "$tmp/alone.$x"
	check "tree --node $x: the tree of node $x's log alone" same \
	    "$tmp/alone.$x" "$tmp/tree.$x"
done
check "tree: one tree per node, headed by it" sh -c "
    \"$STEPTRAIL\" tree '$nodes' | grep '^node ' | tr '\n' ' ' |
    grep -qx 'node b: node a: '"

# --- raw and ENRICHED logs read together
raw=$data/real-memfd-exec.log		# 4 findings, 2 execs
enr=$data/real-enriched.log		# 1 finding, 2 execs, ENRICHED
counts() {	# counts ARGS...: findings, execs, malformed lines
	"$STEPTRAIL" analyze -f json --fail-on never "$@" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(len(d["findings"]), d["input"]["execs"], d["input"]["malformed"])'
}
check "raw and ENRICHED together: every finding and exec of each, no line malformed" \
    eval '[ "$(counts "$raw")" = "4 2 0" ] && [ "$(counts "$enr")" = "1 2 0" ] &&
    [ "$(counts "$raw" "$enr")" = "5 4 0" ] &&
    [ "$(counts "$enr" "$raw")" = "5 4 0" ]'
mkdir "$tmp/mix"
cp "$raw" "$tmp/mix/audit.log.1"
cp "$enr" "$tmp/mix/audit.log"
check "... and in a directory" eval '[ "$(counts "$tmp/mix")" = "5 4 0" ]'

# --- standard input among files: it keeps its place
sed -n "$c1,\$p" "$job" > "$tmp/newer"
st "$tmp/out" "$tmp/err" analyze "$rot/audit.log.2" - < "$tmp/newer"
check "stdin after the oldest rotation: the findings of the whole log" \
    eval 'status 1 && same_body "$tmp/whole" "$tmp/out"'
check "... read second, as given" has "$tmp/out" \
    "input: $rot/audit.log.2, -"

# --- the progress line
STEPTRAIL_PROGRESS=1 "$STEPTRAIL" analyze "$rot" > /dev/null 2> "$tmp/prog"
check "STEPTRAIL_PROGRESS=1: the progress line on stderr" sh -c "
    grep -aq 'steptrail: read [0-9.]* [KMG]*i*B of [0-9.]* KiB ([0-9]*%), [0-9]* events, [0-9]* events/s' '$tmp/prog'"
check "... which ends erased, on no new line" sh -c "
    [ \"\$(tail -c 4 '$tmp/prog' | od -An -c | tr -d ' ')\" = '\\r033[K' ] &&
    [ \$(wc -l < '$tmp/prog') = 0 ]"
"$STEPTRAIL" analyze "$rot" > /dev/null 2> "$tmp/prog"
check "stderr not a terminal: no progress line" test ! -s "$tmp/prog"
STEPTRAIL_PROGRESS=1 "$STEPTRAIL" analyze --quiet "$rot" > /dev/null \
    2> "$tmp/prog"
check "--quiet: none, even forced" test ! -s "$tmp/prog"
STEPTRAIL_PROGRESS=1 "$STEPTRAIL" tree -q "$rot" > /dev/null 2> "$tmp/prog1"
STEPTRAIL_PROGRESS=1 "$STEPTRAIL" timeline "$rot" > /dev/null 2> "$tmp/prog2"
check "tree -q: none; timeline: the line" sh -c "[ ! -s '$tmp/prog1' ] &&
    grep -aq ' events/s' '$tmp/prog2'"
if command -v script > /dev/null; then
	# a terminal (script(1)'s pseudo-terminal): the line without asking
	script -qec "'$STEPTRAIL' analyze -o /dev/null '$rot'" /dev/null \
	    > "$tmp/tty" 2>&1
	check "stderr a terminal: the progress line" grep -aq ' events/s' \
	    "$tmp/tty"
else
	n=$((n + 1))
	echo "ok $n - stderr a terminal: the progress line # SKIP no script(1)"
fi

echo "1..$n"
