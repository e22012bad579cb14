# Deleting and wiping system logs, as nobody with no_new_privs, and only
# files that do not exist (/var/log is not writable by nobody anyway):
# nothing can be removed.  journalctl --vacuum and dmesg -C are refused.
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs"
N=steptrail-attack-nonexistent
$NOBODY rm -f /var/log/audit/$N.log 2>/dev/null || true
$NOBODY rm -f /var/log/$N.log 2>/dev/null || true
$NOBODY truncate -c -s 0 /var/log/$N.log 2>/dev/null || true
$NOBODY shred -u /var/log/$N.log 2>/dev/null || true
$NOBODY cp /dev/null /var/log/$N.log 2>/dev/null || true
$NOBODY find /var/log -name "$N*" -delete 2>/dev/null || true
$NOBODY bash -c ": > /var/log/audit/$N.log" 2>/dev/null || true
$NOBODY journalctl --vacuum-time=1s > /dev/null 2>&1 || true
$NOBODY dmesg -C 2>/dev/null || true
# Medium: rotated logs only.
$NOBODY rm -f /var/log/$N.log.1 /var/log/$N.log.2.gz 2>/dev/null || true
# Not a finding: appending to a log.
$NOBODY bash -c "echo started >> /var/log/$N.log" 2>/dev/null || true
