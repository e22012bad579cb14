# Test: all of this is benign and must not be flagged.
make check
ldd ./hello
python3 -m compileall -q .
# A script whose own option is -c: the options after the script are its own.
python3 tools/gen.py -c gen.cfg
cat version.h
# Is the service up?  A port check opens and closes a connection: no shell.
bash -c '</dev/tcp/127.0.0.1/@PORT@' && echo "port @PORT@ is open"
# The loader's informational mode.
/lib64/ld-linux-x86-64.so.2 --verify ./hello && echo "hello: dynamically linked"
