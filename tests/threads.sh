#!/bin/sh
# threads.sh: the reader in a thread of its own (src/analyze.c) changes
# nothing but the time taken.  Every report of every recorded case, of
# all of them read in one run (many batches through the relay, and the
# reader made to wait on a full one), and the checkpoint a run leaves,
# are byte for byte what STEPTRAIL_THREADS=1 (one thread) gives.  And the
# second thread is really there while a log is read.
set -u
unset GITHUB_RUN_ID GITLAB_CI JENKINS_URL

: "${STEPTRAIL:=$(pwd)/steptrail}"
: "${TOP_SRCDIR:=$(pwd)}"
# shellcheck source=tests/lib-tap.sh
. "$TOP_SRCDIR/tests/lib-tap.sh"
tap_start threads

# same DESCRIPTION ARGS...: analyze ARGS in one thread and in two
same() {
	same_as STEPTRAIL_THREADS=1 "$@"
}

cases=$(cd "$TOP_SRCDIR/testdata" && for d in */; do
	[ -f "$d/audit.log" ] && echo "${d%/}"; done)
for c in $cases; do
	dir=$TOP_SRCDIR/testdata/$c
	args=$(cat "$dir/args" 2>/dev/null || true)
	# shellcheck disable=SC2086
	same "$c: the json report" --format json $args audit.log
	# shellcheck disable=SC2086
	same "$c: the text report" $args audit.log
done

# every case in one run: more events than the relay holds (16 batches of
# 256), serial gaps and resets between the logs
dir=$TOP_SRCDIR/testdata
logs=$(for c in $cases; do echo "$c/audit.log"; done)
nev=$(cd "$dir" && STEPTRAIL_THREADS=1 "$STEPTRAIL" analyze --format json \
    $logs 2> /dev/null | sed -n 's/^\t\t"events":\t\([0-9]*\),$/\1/p')
if [ "${nev:-0}" -gt 4096 ]; then
	point ok "all cases in one run: $nev events, more than the relay holds"
else
	point not-ok "all cases in one run: ${nev:-no} events, want > 4096"
fi
# shellcheck disable=SC2086
same "all cases in one run: the json report" --format json $logs
# shellcheck disable=SC2086
same "all cases in one run: the sarif report" --format sarif $logs
# shellcheck disable=SC2086
same "all cases in one run: the jsonl report" --format jsonl $logs

# the checkpoint: the same file either way, and the same second run
dir=$tmp
for mode in one two; do
	rm -f "$tmp/cp.$mode"
	if [ $mode = one ]; then t=1; else t=; fi
	STEPTRAIL_THREADS=$t "$STEPTRAIL" analyze -q --format json \
	    --checkpoint "$tmp/cp.$mode" "$TOP_SRCDIR/testdata/ci-job/audit.log" \
	    > "$tmp/cp1.$mode" 2>&1
	STEPTRAIL_THREADS=$t "$STEPTRAIL" analyze -q --format json \
	    --checkpoint "$tmp/cp.$mode" "$TOP_SRCDIR/testdata/ci-job/audit.log" \
	    "$TOP_SRCDIR/testdata/attacks-exec/audit.log" > "$tmp/cp2.$mode" 2>&1
done
if cmp -s "$tmp/cp.one" "$tmp/cp.two" &&
    cmp -s "$tmp/cp1.one" "$tmp/cp1.two" &&
    cmp -s "$tmp/cp2.one" "$tmp/cp2.two" && [ -s "$tmp/cp.one" ]; then
	point ok "two checkpointed runs: reports and checkpoint the same"
else
	point not-ok "two checkpointed runs differ between one and two threads"
	diff "$tmp/cp2.one" "$tmp/cp2.two" | head -10 | sed 's/^/# /'
fi

# the threads themselves: a log read from a pipe that stays open, and the
# process's tasks counted while it waits for more
tasks() {	# tasks THREADS TENTHS: the tasks of a waiting analyze
	rm -f "$tmp/fifo"
	mkfifo "$tmp/fifo" || return
	STEPTRAIL_THREADS=$1 "$STEPTRAIL" analyze -q - < "$tmp/fifo" \
	    > /dev/null 2>&1 &
	_pid=$!
	exec 7> "$tmp/fifo"
	head -n 50 "$TOP_SRCDIR/testdata/ci-job/audit.log" >&7
	_i=0
	_n=0
	# until it has started both: 5 s at most, 1 s for one thread
	while [ $_i -lt "$2" ]; do
		_n=$(ls "/proc/$_pid/task" 2> /dev/null | wc -l)
		[ "$_n" -ge 2 ] && break
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "$_n"
	exec 7>&-
	wait "$_pid"
}
n2=$(tasks "" 50)
n1=$(tasks 1 10)
if [ "$n2" = 2 ] && [ "$n1" = 1 ]; then
	point ok "reading a log: two threads (one with STEPTRAIL_THREADS=1)"
else
	point not-ok "reading a log: $n2 threads, $n1 with STEPTRAIL_THREADS=1;" \
	    "want 2 and 1"
fi

# a decompressor the reader starts gets no blocked signals from its
# thread: SIGTERM on a read error, ^C and SIGPIPE must reach it
real_xz=$(command -v xz)
if [ -n "$real_xz" ]; then
	mkdir "$tmp/bin"
	# perl (Debian's perl-base, always there), not a shell: dash
	# clears its own signal mask as it starts, and would report that
	cat > "$tmp/bin/xz" <<XZ
#!/usr/bin/perl
open(my \$in, "<", "/proc/self/status") or die;
open(my \$out, ">", "$tmp/sigblk") or die;
while (<\$in>) { print \$out \$1 if /^SigBlk:\\s*(\\S+)/ }
close(\$out);
exec("$real_xz", @ARGV) or die;
XZ
	chmod +x "$tmp/bin/xz"
	xz -c "$TOP_SRCDIR/testdata/ci-job/audit.log" > "$tmp/job.log.xz"
	for t in 1 ""; do
		rm -f "$tmp/sigblk"
		PATH="$tmp/bin:$PATH" STEPTRAIL_THREADS=$t "$STEPTRAIL" \
		    analyze -q "$tmp/job.log.xz" > /dev/null 2>&1
		blk=$(cat "$tmp/sigblk" 2> /dev/null)
		if [ "$blk" = 0000000000000000 ]; then
			point ok "xz started by the reader (threads ${t:-2}): no signal blocked"
		else
			point not-ok "xz started by the reader (threads ${t:-2}): SigBlk ${blk:-unknown}"
		fi
	done
else
	point ok "# SKIP xz not installed"
fi

echo "1..$n"
