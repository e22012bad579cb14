/lib64/ld-linux-x86-64.so.2 --verify /bin/true && echo "/bin/true is dynamically linked"
ldd /bin/true
/lib64/ld-linux-x86-64.so.2 --help | head -n 3
/lib64/ld-linux-x86-64.so.2 --version | head -n 1
/lib64/ld-linux-x86-64.so.2 --list /bin/true
