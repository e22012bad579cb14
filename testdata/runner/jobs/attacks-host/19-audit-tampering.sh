# Turning audit off, as nobody with no_new_privs: auditctl is refused by
# the kernel (no CAP_AUDIT_CONTROL: no CONFIG_CHANGE is written), systemctl
# and service by systemd or the init script, pkill -0 and kill -0 send no
# signal (0) and could not anyway, apt-get only simulates (-s), sed and rm
# cannot touch /etc/audit.  The CONFIG_CHANGE and DAEMON_END records these
# would cause in earnest need a recording of their own (see the README).
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs"
$NOBODY auditctl -D > /dev/null 2>&1 || true
$NOBODY auditctl -e 0 > /dev/null 2>&1 || true
$NOBODY auditctl -d always,exit -F arch=b64 -S execve,execveat -k steptrail-exec > /dev/null 2>&1 || true
$NOBODY auditctl -W /etc/audit/ -p wa -k steptrail-audit-config > /dev/null 2>&1 || true
$NOBODY auditctl -a never,exit -F arch=b64 -S execve -F exe=/nonexistent/steptrail-attack > /dev/null 2>&1 || true
$NOBODY auditctl -r 1 > /dev/null 2>&1 || true
$NOBODY systemctl stop auditd > /dev/null 2>&1 || true
$NOBODY systemctl mask --now auditd.service > /dev/null 2>&1 || true
$NOBODY service auditd stop > /dev/null 2>&1 || true
$NOBODY pkill -0 -x auditd > /dev/null 2>&1 || true
# kill -0: no signal at all; and nobody may not signal root's auditd
$NOBODY /bin/kill -0 $(pidof auditd) > /dev/null 2>&1 || true
if command -v apt-get > /dev/null; then
	$NOBODY apt-get -s purge auditd > /dev/null 2>&1 || true
fi
$NOBODY sed -i 's/^write_logs.*/write_logs = no/' /etc/audit/auditd.conf > /dev/null 2>&1 || true
$NOBODY rm -f /etc/audit/rules.d/steptrail-attack-nonexistent.rules > /dev/null 2>&1 || true
$NOBODY @STEPTRAIL@ rules remove > /dev/null 2>&1 || true
# nobody cannot even look into /etc/audit (0750), so nothing of the above
# reaches its watch: as root, the audit configuration's mode set to what
# it is (nothing changes), which the watch logs as an attribute change
# (utimensat is not in the kernel's attribute class: touch is not logged).
chmod "$(stat -c %a /etc/audit/auditd.conf)" /etc/audit/auditd.conf
# Not findings: reading the state.
$NOBODY auditctl -s > /dev/null 2>&1 || true
$NOBODY auditctl -l > /dev/null 2>&1 || true
