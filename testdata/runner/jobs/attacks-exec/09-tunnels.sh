# Tunnel and shared-terminal stand-ins (copies of /bin/true): nothing connects.
T=$PWD/attack-tmp
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
cp /bin/true "$T/ngrok"
"$T/ngrok" tcp 22
cp /bin/true "$T/ssh"
"$T/ssh" -R 8080:localhost:80 tunnel@127.0.0.1
bash -c 'exec -a tmate true -S /tmp/tmate.sock new-session -d'
# Benign look-alike: a version call.
"$T/ngrok" version
