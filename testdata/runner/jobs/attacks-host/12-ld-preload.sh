# /etc/ld.so.preload and the loader's search path, as nobody (refused);
# LD_PRELOAD handed to the later steps through a GITHUB_ENV file of the
# step's own (the stand-in runner reads no such file).
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs"
d=$(mktemp -d /home/runner/attack.XXXXXX)
trap 'rm -rf "$d"' EXIT
$NOBODY tee -a /etc/ld.so.preload < /dev/null > /dev/null 2>&1 || true
$NOBODY bash -c 'echo /nonexistent/libsteptrail-attack.so >> /etc/ld.so.preload' 2>/dev/null || true
GITHUB_ENV=$d/github_env bash -c 'echo "LD_PRELOAD=/nonexistent/libsteptrail-attack.so" >> "$GITHUB_ENV"'
$NOBODY tee /etc/ld.so.conf.d/steptrail-attack.conf < /dev/null > /dev/null 2>&1 || true
# Not a finding: a preload for one command.
bash -c 'LD_PRELOAD= /bin/true'
