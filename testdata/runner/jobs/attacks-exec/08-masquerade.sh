# Masquerading: kernel-thread and daemon names on ordinary programs.
T=$PWD/attack-tmp
S=$(mktemp -d)
mkdir -p "$T"
trap 'rm -rf "$T" "$S"' EXIT
bash -c 'exec -a "[kworker/0:1]" sleep 0.1'
cp /bin/true "$T/kworker"
"$T/kworker"
cp /bin/true "$T/sshd"
"$T/sshd" -D
bash -c 'exec -a /usr/sbin/cron sleep 0.1'
# /tmp is exec_from_unusual_dir's: reported there, not twice
cp /bin/true "$S/systemd"
"$S/systemd"
