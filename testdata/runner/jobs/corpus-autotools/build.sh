# The build of README.md, from a clean checkout.
autoreconf -fi
./configure
make -j2
