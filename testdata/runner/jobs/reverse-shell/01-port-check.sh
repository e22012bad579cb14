# Not a reverse shell: opens and closes a connection, nothing is wired to it.
bash -c '</dev/tcp/127.0.0.1/@PORT@' && echo "port @PORT@ is open"
