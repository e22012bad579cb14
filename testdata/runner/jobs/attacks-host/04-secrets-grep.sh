# Searching for credentials, over files the step writes itself (fake
# tokens: AWS's documented example key id, a ghp_ of zeros, the runner's
# isSecret JSON as tj-actions/changed-files grepped it out of a memory dump).
d=$(mktemp -d /home/runner/attack.XXXXXX)
trap 'rm -rf "$d"' EXIT
printf 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n' > "$d/aws.txt"
printf 'token: ghp_000000000000000000000000000000000000\n' > "$d/gh.txt"
printf 'glpat-00000000000000000000\n' > "$d/gl.txt"
printf '\0\0{"github_token":{"value":"ghs_000fake","isSecret":true}}\0' > "$d/dump.bin"
grep -aoE '"[^"]+":\{"value":"[^"]*","isSecret":true\}' "$d/dump.bin" | sort -u | base64 -w 0 | base64 -w 0 > /dev/null
grep -rEo 'AKIA[0-9A-Z]{16}' "$d" > /dev/null
find "$d" -type f -exec grep -l glpat- {} + > /dev/null || true
strings "$d/dump.bin" | grep -E 'ghp_[A-Za-z0-9]{36}' > /dev/null || true
git -C "$d" init -q && git -C "$d" add . && git -C "$d" grep -qE 'AKIA[0-9A-Z]{16}' || true
# the whole home directory: what an attacker greps (ours only holds the
# runner's and this job's files)
timeout 10 grep -rlE 'gh[pousr]_[A-Za-z0-9]{36}|github_pat_' /home/runner > /dev/null 2>&1 || true
timeout 10 find /home/runner -name id_rsa -o -name .git-credentials > /dev/null 2>&1 || true
# Not findings: an ordinary search.
grep -rn TODO "$d" > /dev/null || true
