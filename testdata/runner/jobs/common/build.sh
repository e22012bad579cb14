# Build: make runs cc, which runs cc1, as and collect2/ld.
cc --version | head -n 1
make
