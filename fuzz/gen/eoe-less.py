#!/usr/bin/env python3
"""eoe-less.py N [open64] > OUT.log

N exec events stamped within one second, in the record shape of kernels
before 2.6.25 (no EOE) and 3.16 (no PROCTITLE).  With "open64", the events
do end with EOE except the first 64, which stay open: a log that leaves a
few events open on purpose.  libauparse keeps every event behind an open
one and rescans them per record: N=20000 took 9.7 s and 149 MB (open64:
3.4 s and 177 MB) against 0.24 s and 19 MB for the same log with EOE."""
import sys
n = int(sys.argv[1])
open64 = 'open64' in sys.argv[2:]
out = sys.stdout
for i in range(n):
    t = 1700000000.0 + i / 1000000
    sec, ms, s = int(t), int((t % 1) * 1000), 1000 + i
    h = f'msg=audit({sec}.{ms:03d}:{s}):'
    out.write(f'type=SYSCALL {h} arch=c000003e syscall=59 success=yes exit=0 '
              f'items=1 ppid=999 pid={10000 + i % 30000} uid=0 euid=0 '
              f'auid=4294967295 comm="true" exe="/usr/bin/true" key="exec"\n')
    out.write(f'type=EXECVE {h} argc=2 a0="true" a1="x{i}"\n')
    out.write(f'type=CWD {h} cwd="/tmp"\n')
    out.write(f'type=PATH {h} item=0 name="/usr/bin/true" inode=1 dev=08:01 '
              f'mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n')
    if open64 and i >= 64:
        out.write(f'type=EOE {h}\n')
