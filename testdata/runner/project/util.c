#include <string.h>

#include "util.h"

int
is_flag(const char *arg, const char *flag)
{
	return strcmp(arg, flag) == 0;
}
