# The benign look-alike: a job authorizing a key it has just made, to ssh
# to localhost in its tests (MPI, Ansible).  Graded medium.
if ! command -v ssh-keygen > /dev/null; then
	echo "ssh-keygen is not installed: skipped"
	exit 0
fi
d=$(mktemp -d /home/runner/attack.XXXXXX)
trap 'rm -rf "$d"' EXIT
mkdir -p ~/.ssh
ssh-keygen -q -t ed25519 -N '' -C ci@localhost -f "$d/id_ed25519"
cat "$d/id_ed25519.pub" >> ~/.ssh/authorized_keys
