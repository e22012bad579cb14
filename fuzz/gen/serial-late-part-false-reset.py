#!/usr/bin/env python3
"""serial-late-part-false-reset.py > OUT.log

A busy log (2500 events/s) in which one record of event #100 (a SOCKADDR)
arrives 2.5 s late: libauparse yields it as a second part after the first
has left the window, more than GAP_RING (4096) serials behind the newest.
Nothing is lost; expected: serial_missing 0, serial_resets 0."""
import sys
rate, n, late_by = 2500, 7000, 2.5
t0 = 1700000000.0
out, late = [], None
for i in range(n):
    t = t0 + i / rate
    sec, ms, s = int(t), int((t % 1) * 1000), 1000 + i
    h = f'msg=audit({sec}.{ms:03d}:{s}):'
    recs = [f'type=SYSCALL {h} arch=c000003e syscall=42 success=yes exit=0 pid={100 + i % 30000} ppid=1',
            f'type=SOCKADDR {h} saddr=02000050C0A80001',
            f'type=PROCTITLE {h} proctitle=78',
            f'type=EOE {h}']
    if i == 100:
        late = recs.pop(1)
    if i == 100 + int(late_by * rate):
        out.append(late)
    out.extend(recs)
sys.stdout.write('\n'.join(out) + '\n')
