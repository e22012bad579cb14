# Encoded payloads run as code; each decodes to a harmless echo/print.
P=$(printf 'echo "decoded: hello"' | base64)
H=$(printf 'echo "decoded from hex: hello"' | xxd -p | tr -d '\n')
echo "$P" | base64 -d | sh
echo "$P" | base64 --decode | bash
echo "$H" | xxd -r -p | sh
echo "$P" | openssl base64 -d | bash
sh -c "echo $P | base64 -d | sh"
bash -c "bash -c \"\$(echo $P | base64 -d)\""
python3 -c "import base64;exec(base64.b64decode('cHJpbnQoImRlY29kZWQgcHl0aG9uOiBoZWxsbyIp'))"
# A known gap: typed directly in the step, the decoder runs in a command
# substitution subshell and bash -c only shows the decoded text.
bash -c "$(echo "$P" | base64 -d)"
# Benign look-alikes: decoding into a file and into other tools.
echo "$P" | base64 -d > decoded.txt && rm -f decoded.txt
echo "$P" | base64 -d | sha256sum
