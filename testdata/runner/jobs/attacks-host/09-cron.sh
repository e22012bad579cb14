# Installing a crontab and writing /etc/cron.d, as nobody with
# no_new_privs: crontab (setgid or setuid) loses its rights and cannot
# write the spool, /etc/cron.d is not writable; the crontab file given
# does not even exist.  Without cron installed, a copy of /bin/true named
# crontab is run instead: the command line is what is recorded.
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs"
d=$(mktemp -d /home/runner/attack.XXXXXX)
trap 'rm -rf "$d"' EXIT
chmod 755 "$d"
if CRONTAB=$(command -v crontab); then
	:
else
	echo "crontab is not installed: a copy of /bin/true named crontab stands in"
	cp /bin/true "$d/crontab"
	CRONTAB=$d/crontab
fi
$NOBODY "$CRONTAB" "$d/nonexistent.cron" 2>/dev/null || true
$NOBODY "$CRONTAB" -u root "$d/nonexistent.cron" 2>/dev/null || true
$NOBODY bash -c "echo '* * * * * root true # steptrail attack test' > /etc/cron.d/steptrail-attack" 2>/dev/null || true
$NOBODY tee /etc/cron.d/steptrail-attack < /dev/null > /dev/null 2>&1 || true
# Not a finding: listing.
$NOBODY "$CRONTAB" -l > /dev/null 2>&1 || true
