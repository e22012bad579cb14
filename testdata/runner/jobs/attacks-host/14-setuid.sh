# setuid and setgid bits and file capabilities, as root, on copies of
# /bin/true in a directory only root can enter, removed at the end.  And
# as nobody on a file of its own (not a privilege: graded low).
d=$(mktemp -d /home/runner/attack.XXXXXX)
trap 'rm -rf "$d"' EXIT
cp /bin/true "$d/true"
chmod u+s "$d/true"
cp /bin/true "$d/sh"
chmod 4755 "$d/sh"
install -m 4755 /bin/true "$d/helper"
/usr/bin/python3 -c "import os; os.chmod('$d/true', 0o6755)"
mkdir "$d/shared"
chmod g+s "$d/shared"
if command -v setcap > /dev/null; then
	cp /bin/true "$d/python3"
	setcap cap_setuid+ep "$d/python3"
	cp /bin/true "$d/server"
	setcap cap_net_bind_service=+ep "$d/server"
	setcap -r "$d/server"
else
	echo "setcap is not installed: no file capabilities"
fi
# not root: nobody's own file, in a directory of its own
n=$(mktemp -d /home/runner/attack.XXXXXX)
trap 'rm -rf "$d" "$n"' EXIT
cp /bin/true "$n/own"
chown -R 65534:65534 "$n"
setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs chmod u+s "$n/own"
