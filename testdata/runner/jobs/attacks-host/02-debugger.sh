# Debuggers attaching to a running process: gdb -p, gcore, strace -p.  The
# target is the step's own copy of /bin/sleep named Runner.Worker.
d=$(mktemp -d /home/runner/attack.XXXXXX)
cp /bin/sleep "$d/Runner.Worker"
"$d/Runner.Worker" 30 &
fake=$!
trap 'kill "$fake" 2>/dev/null; rm -rf "$d"' EXIT
sleep 0.3
if command -v gdb > /dev/null; then
	gdb -batch -nx -ex 'info proc mappings' -p "$(pgrep -P $$ -x Runner.Worker)" > /dev/null 2>&1 || true
	gdb -batch -nx -ex 'thread apply all bt' -p "$fake" > /dev/null 2>&1 || true
else
	echo "gdb is not installed: no gdb attach"
fi
if command -v gcore > /dev/null; then
	gcore -o "$d/core" "$fake" > /dev/null 2>&1 || true
	rm -f "$d"/core.*
fi
if command -v strace > /dev/null; then
	strace -p "$fake" -o /dev/null &
	st=$!
	sleep 1
	kill "$st" 2>/dev/null || true
	wait "$st" 2>/dev/null || true
	# Not a finding: strace of a program it starts itself.
	strace -f -o /dev/null /bin/true
fi
# Not a finding: gdb running a program of its own (PTRACE_TRACEME, pokes).
if command -v gdb > /dev/null; then
	gdb -batch -nx -ex run --args /bin/true > /dev/null 2>&1 || true
fi
