#ifndef UTIL_H
#define UTIL_H
int is_flag(const char *arg, const char *flag);
#endif
