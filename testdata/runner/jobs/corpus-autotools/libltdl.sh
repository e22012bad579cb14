# libltdl, libtool's dlopen wrapper, from the sources Debian's libltdl-dev
# ships in /usr/share/libtool (build-aux/ holds symlinks: copied as
# files).  Its configure.ac names ../build-aux, as in libtool's own tree,
# so the tree is rebuilt that way.  Compiles go through libtool.
mkdir -p ../libltdl
cd ../libltdl
cp -RL /usr/share/libtool/build-aux build-aux
cp -R /usr/share/libtool libltdl
cd libltdl
./configure
make -j2
make check
ls .libs
