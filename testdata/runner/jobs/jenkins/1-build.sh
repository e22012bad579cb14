# sh step 1: build.
make
