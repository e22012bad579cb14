/lib64/ld-linux-x86-64.so.2 /bin/true
/lib64/ld-linux-x86-64.so.2 --library-path /usr/lib /usr/bin/id -un
mkdir -p build
# A symlink by another name: the kernel still runs the loader (exe=).
ln -sf /lib64/ld-linux-x86-64.so.2 build/runner-ld
build/runner-ld /usr/bin/uname -s
# A copy by another name: exe= and argv[0] are both "launcher".
cp /lib64/ld-linux-x86-64.so.2 build/launcher
chmod +x build/launcher
build/launcher /usr/bin/whoami
