#!/usr/bin/env python3
"""big-argv.py [N] > OUT.log

N (default 10) back-to-back execs of 100000 arguments each, split over
EXECVE records of about 7.5 kB as the kernel does.  Each takes about 10 MB
once parsed; before the window was bounded by size as well as by count,
ten of them waited in it together (135 MB peak; now about 55 MB)."""
import sys
n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
out = sys.stdout
for e in range(n):
    h = f'msg=audit(1700000000.{e % 1000:03d}:{5000 + e}):'
    out.write(f'type=SYSCALL {h} arch=c000003e syscall=59 success=yes exit=0 '
              f'items=1 ppid=1 pid={100 + e} uid=0 euid=0 auid=0 comm="x" '
              f'exe="/usr/bin/x" key="exec"\n')
    rec, size, first = [], 0, True
    for i in range(100000):
        a = f'a{i}="x{i}"'
        if size + len(a) > 7500:
            out.write(f'type=EXECVE {h} ' + ('argc=100000 ' if first else '')
                      + ' '.join(rec) + '\n')
            first, rec, size = False, [], 0
        rec.append(a)
        size += len(a) + 1
    out.write(f'type=EXECVE {h} ' + ' '.join(rec) + '\n')
    out.write(f'type=CWD {h} cwd="/"\n')
    out.write(f'type=PATH {h} item=0 name="/usr/bin/x" inode=1 dev=08:01 '
              f'mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n')
    out.write(f'type=PROCTITLE {h} proctitle=78\n')
