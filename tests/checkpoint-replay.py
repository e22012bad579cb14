#!/usr/bin/env python3
"""checkpoint-replay.py: a recorded log replayed as a growing log, analysed
by several runs sharing one --checkpoint, against one run over the whole.

usage: checkpoint-replay.py STEPTRAIL LOG WORKDIR PIECES [--rotate] [--gzip]

The log is cut into PIECES at line boundaries (so mid-event: records of
one event land in two runs), appended piece by piece to WORKDIR/audit.log,
and each run analyses it with --checkpoint.  --rotate renames audit.log to
audit.log.1 halfway (auditd's rotation, the inode kept) and goes on in a
new audit.log; --gzip then compresses audit.log.1 into audit.log.1.gz
before the next run (a new inode: only the checkpoint's marks know it was
read).  The runs are given the directory.

Prints one line per check, "ok ..." or "not ok ...", and a JSON summary
line "# {...}".  Exit 0 when every check holds.
"""
import gzip
import json
import os
import re
import subprocess
import sys


def analyze(st, args):
    r = subprocess.run([st, "analyze", "-q", "-f", "json", "--fail-on",
                        "never"] + args, capture_output=True)
    if r.returncode != 0:
        raise SystemExit("not ok steptrail exit %d: %s" %
                         (r.returncode, r.stderr.decode(errors="replace")))
    return json.loads(r.stdout)


def identity(f):
    """What a finding says, but how many times it was folded."""
    return json.dumps({
        "recipe": f["recipe"], "severity": f["severity"],
        "step": f.get("step"), "event": f.get("event"),
        "exe": f.get("exe"), "argv": f.get("argv"), "cwd": f.get("cwd"),
        "file": f.get("file"), "node": f.get("node"),
        "incomplete": f.get("incomplete"), "pid": f.get("pid"),
        "ancestry": f.get("ancestry"), "earlier": f.get("earlier"),
        "first": f["serials"][0] if f.get("serials") else None,
    }, sort_keys=True)


def main():
    st, log, work, pieces = sys.argv[1:5]
    pieces = int(pieces)
    rotate = "--rotate" in sys.argv
    gz = "--gzip" in sys.argv
    lines = open(log, "rb").read().splitlines(keepends=True)
    os.makedirs(work, exist_ok=True)
    cur = os.path.join(work, "audit.log")
    ck = os.path.join(work, "checkpoint")
    for p in (cur, cur + ".1", cur + ".1.gz", ck):
        if os.path.exists(p):
            os.remove(p)
    cuts = [len(lines) * i // pieces for i in range(1, pieces + 1)]
    prev = 0
    runs = []
    for i, c in enumerate(cuts):
        if rotate and i == pieces // 2:
            os.rename(cur, cur + ".1")
        if gz and rotate and i == pieces // 2 + 1:
            with open(cur + ".1", "rb") as src, \
                    gzip.open(cur + ".1.gz", "wb") as dst:
                dst.write(src.read())
            os.remove(cur + ".1")
        with open(cur, "ab") as f:
            f.write(b"".join(lines[prev:c]))
        prev = c
        runs.append(analyze(st, ["--checkpoint", ck, work]))
    whole = analyze(st, [log])

    ok = True

    def check(cond, what):
        nonlocal ok
        print(("ok " if cond else "not ok ") + what)
        ok = ok and cond

    got = [identity(f) for r in runs for f in r["findings"]]
    want = [identity(f) for f in whole["findings"]]
    check(sorted(got) == sorted(want),
          "%d runs report exactly the findings of one run (%d)" %
          (pieces, len(want)))
    check(len(set(got)) == len(got), "no finding reported twice")
    for g in sorted(set(want) - set(got))[:3]:
        print("#   missed: " + g[:300])
    for g in sorted(set(got) - set(want))[:3]:
        print("#   not in the whole run: " + g[:300])

    # ancestry across runs: a finding whose ancestry names an exec whose
    # records were all in an earlier piece (read by an earlier run)
    piece_of = {}
    for i, line in enumerate(lines):
        m = re.search(rb"msg=audit\([0-9.]+:([0-9]+)\)", line)
        if m:
            piece_of[int(m.group(1))] = next(k for k, c in enumerate(cuts)
                                             if i < c)
    across = 0
    for k, r in enumerate(runs):
        for f in r["findings"]:
            if any(a.get("serial") and piece_of.get(a["serial"], k) < k
                   for a in f.get("ancestry") or []):
                across += 1
    check(across > 0 or pieces == 1,
          "%d findings have ancestry read by an earlier run" % across)
    reread = sum(r["input"].get("reread", 0) for r in runs)
    held = sum(r["input"].get("held", 0) for r in runs)
    summary = {"findings": len(want), "across": across, "reread": reread,
               "held": held, "events": [r["input"]["events"] for r in runs]}
    print("# " + json.dumps(summary))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
