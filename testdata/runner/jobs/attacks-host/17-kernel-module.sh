# Loading and unloading kernel modules, as nobody (refused: finit_module
# checks CAP_SYS_MODULE before it reads anything).  The "module" is a copy
# of /bin/true.  Without kmod installed, the load is made by python's
# finit_module syscall itself, and a copy of /bin/true named insmod stands
# in for the command line.
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs"
d=$(mktemp -d /home/runner/attack.XXXXXX)
trap 'rm -rf "$d"' EXIT
chmod 755 "$d"
cp /bin/true "$d/steptrail_attack.ko"
chmod 644 "$d/steptrail_attack.ko"
if INSMOD=$(command -v insmod); then
	$NOBODY "$INSMOD" "$d/steptrail_attack.ko" 2>/dev/null || true
	$NOBODY modprobe steptrail_attack_nonexistent 2>/dev/null || true
	$NOBODY rmmod steptrail_attack_nonexistent 2>/dev/null || true
	# Not a finding: a dry run.
	$NOBODY modprobe -n steptrail_attack_nonexistent 2>/dev/null || true
else
	echo "kmod is not installed: a copy of /bin/true named insmod stands in"
	cp /bin/true "$d/insmod"
	$NOBODY "$d/insmod" "$d/steptrail_attack.ko" || true
fi
if [ "$(uname -m)" = x86_64 ]; then
	# finit_module is syscall 313 on x86_64
	$NOBODY /usr/bin/python3 - "$d/steptrail_attack.ko" <<'PY' || true
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(sys.argv[1], os.O_RDONLY)
r = libc.syscall(313, fd, b"", 0)
print("finit_module as nobody:", r, os.strerror(ctypes.get_errno()))
PY
fi
