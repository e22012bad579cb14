# Enabling and writing systemd units: systemctl and systemd-run as nobody
# with no_new_privs (refused); a unit file written into the CI user's
# ~/.config/systemd/user (under /home/runner: no user manager reads it,
# nothing enables it).
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs"
d=$(mktemp -d /home/runner/attack.XXXXXX)
trap 'rm -rf "$d"' EXIT
chmod 755 "$d"
printf '[Service]\nExecStart=/bin/true\n' > "$d/steptrail-attack.service"
chmod 644 "$d/steptrail-attack.service"
$NOBODY systemctl enable steptrail-attack-nonexistent.service > /dev/null 2>&1 || true
$NOBODY systemctl --user enable steptrail-attack-nonexistent.service > /dev/null 2>&1 || true
$NOBODY systemctl link "$d/steptrail-attack.service" > /dev/null 2>&1 || true
if command -v systemd-run > /dev/null; then
	$NOBODY systemd-run --on-active=1h /bin/true > /dev/null 2>&1 || true
fi
$NOBODY tee /etc/systemd/system/steptrail-attack.service < /dev/null > /dev/null 2>&1 || true
mkdir -p ~/.config/systemd/user
printf '[Service]\nExecStart=/bin/true\n' > ~/.config/systemd/user/steptrail-attack.service
tee ~/.config/systemd/user/steptrail-attack2.service < "$d/steptrail-attack.service" > /dev/null
# Not findings: status and start of nothing.
$NOBODY systemctl status steptrail-attack-nonexistent.service > /dev/null 2>&1 || true
