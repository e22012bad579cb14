# Keys added to the CI user's authorized_keys (/home/runner/.ssh: the
# watch of rules.d/80-steptrail-watch.rules, key steptrail-ssh).  The keys
# are not keys: nobody can log in with them.  record.sh removes
# /home/runner afterwards.
mkdir -p ~/.ssh
chmod 700 ~/.ssh
echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE attacker@example' >> ~/.ssh/authorized_keys
echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE1 attacker@example' | tee -a ~/.ssh/authorized_keys > /dev/null
bash -c "echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE2 attacker@example' >> ~/.ssh/authorized_keys"
d=$(mktemp -d /home/runner/attack.XXXXXX)
trap 'rm -rf "$d"' EXIT
cp ~/.ssh/authorized_keys "$d/k.pub"
cp "$d/k.pub" ~/.ssh/authorized_keys
