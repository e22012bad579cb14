# Root shells and interpreters reading stdin, through sudo run as nobody
# with no_new_privs (sudo refuses at once).  Without sudo installed, a copy
# of /bin/true named sudo stands in.  (The pipe from curl is step 24: a
# sibling that downloads grades every sudo shell of its step critical.)
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs"
d=$(mktemp -d /home/runner/attack.XXXXXX)
trap 'rm -rf "$d"' EXIT
chmod 755 "$d"
if SUDO=$(command -v sudo); then
	:
else
	echo "sudo is not installed: a copy of /bin/true named sudo stands in"
	cp /bin/true "$d/sudo"
	SUDO=$d/sudo
fi
$NOBODY "$SUDO" -i < /dev/null > /dev/null 2>&1 || true
$NOBODY "$SUDO" su - < /dev/null > /dev/null 2>&1 || true
$NOBODY "$SUDO" bash < /dev/null > /dev/null 2>&1 || true
# Not findings: sudo with a command.
$NOBODY "$SUDO" bash -c true > /dev/null 2>&1 || true
$NOBODY "$SUDO" -n true > /dev/null 2>&1 || true
