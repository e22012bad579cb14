# libltdl's sources as libtool's tree has them (configure.ac names
# ../build-aux), configured from a separate build directory.
mkdir -p ../ltdl-src ../ltdl-build
cp -RL /usr/share/libtool/build-aux ../ltdl-src/build-aux
cp -R /usr/share/libtool ../ltdl-src/libltdl
cd ../ltdl-build
../ltdl-src/libltdl/configure --prefix=/usr --enable-ltdl-install \
    --disable-static
grep -c '^#define' config.h
