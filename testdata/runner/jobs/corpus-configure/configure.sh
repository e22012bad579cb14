./configure
grep -c '^#define' config.h
