# ptrace and process_vm_* from a program, on its own child: a copy of
# /bin/sleep named Runner.Worker.  PTRACE_ATTACH, PEEKDATA, the same bytes
# read with process_vm_readv and written back unchanged with
# process_vm_writev, DETACH; then a child that asks to be traced
# (PTRACE_TRACEME: consent, not a finding).
d=$(mktemp -d /home/runner/attack.XXXXXX)
trap 'rm -rf "$d"' EXIT
cp /bin/sleep "$d/Runner.Worker"
cat > "$d/inject.py" <<'PY'
import ctypes, os, re, signal, subprocess, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
ATTACH, PEEKDATA, DETACH, TRACEME = 16, 2, 17, 0

class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]

child = subprocess.Popen([sys.argv[1], "30"])
time.sleep(0.3)
pid = child.pid
try:
    with open("/proc/%d/maps" % pid) as m:
        addr = next(int(r.group(1), 16) for r in
                    (re.match(r"([0-9a-f]+)-[0-9a-f]+ rw", l) for l in m) if r)
    if libc.ptrace(ATTACH, pid, None, None) != 0:
        sys.exit("attach: errno %d" % ctypes.get_errno())
    os.waitpid(pid, 0)
    word = libc.ptrace(PEEKDATA, pid, ctypes.c_void_p(addr), None)
    libc.ptrace(DETACH, pid, None, None)
    buf = ctypes.create_string_buffer(8)
    local, remote = iovec(ctypes.cast(buf, ctypes.c_void_p), 8), iovec(addr, 8)
    n = libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
    if n == 8:  # the same 8 bytes back: nothing changes
        libc.process_vm_writev(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
    print("read %#x at %#x of our own child; %d bytes again" % (word & (2**64 - 1), addr, n))
finally:
    child.kill()
    child.wait()
# consent: the child asks to be traced, then runs /bin/true
pid = os.fork()
if pid == 0:
    libc.ptrace(TRACEME, 0, None, None)
    os.execv("/bin/true", ["true"])
os.waitpid(pid, 0)
try:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
except (ProcessLookupError, ChildProcessError):
    pass
PY
/usr/bin/python3 "$d/inject.py" "$d/Runner.Worker"
