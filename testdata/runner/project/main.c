#include <stdio.h>

#include "greet.h"
#include "util.h"

int
main(int argc, char **argv)
{
	if (argc > 1 && is_flag(argv[1], "--version")) {
		puts("hello 1.2.0");
		return 0;
	}
	greet(argc > 1 ? argv[1] : "stranger");
	return 0;
}
