/*
 * test-strtoul.c: src/strtoul.c gives what glibc's strtoul gives, and it
 * is the strtoul the program's libraries (libauparse) are bound to; and
 * ./steptrail has it, and mimalloc's malloc where configure found it.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"

unsigned long	strtoul(const char *, char **, int);
unsigned long	__strtoul_internal(const char *, char **, int, int);

#ifdef HAVE___STRTOUL_INTERNAL
static void
same(const char *s, int base, int endp)
{
	unsigned long mine, libc;
	char *me = NULL, *le = NULL;
	int merr, lerr;

	errno = 4321;
	mine = strtoul(s, endp ? &me : NULL, base);
	merr = errno;
	errno = 4321;
	libc = __strtoul_internal(s, endp ? &le : NULL, base, 0);
	lerr = errno;
	ok(mine == libc && me == le && merr == lerr, "\"%s\" base %d%s: %lu, "
	    "end +%ld, errno %d (glibc: %lu, +%ld, %d)", s, base,
	    endp ? "" : ", no end", mine, me ? (long)(me - s) : -1L, merr,
	    libc, le ? (long)(le - s) : -1L, lerr);
}
#endif

#ifdef HAVE___STRTOUL_INTERNAL
/* ... and the steptrail built beside this test defines it too (its link
 * line names src/strtoul.c). */
static void
steptrail_defines(void)
{
	char line[512];
	FILE *p;
	int found = 0, any = 0;

	if ((p = popen("nm -D --defined-only ./steptrail 2>/dev/null",
	    "r")) == NULL) {
		printf("ok %d # SKIP cannot run nm\n", ++tap_n);
		return;
	}
	while (fgets(line, sizeof line, p) != NULL) {
		any = 1;
		if (strstr(line, " T strtoul\n") != NULL)
			found = 1;
	}
	pclose(p);
	if (!any)
		printf("ok %d # SKIP nm read no ./steptrail\n", ++tap_n);
	else
		ok(found, "./steptrail defines strtoul for its libraries");
}
#endif

/* MIMALLOC_VERBOSE=1 makes mimalloc say so as it starts: it is the
 * process's malloc (src/strtoul.c's way: the executable's libraries). */
static void
steptrail_mimalloc(void)
{
#ifdef HAVE_MIMALLOC
	char line[512];
	FILE *p;
	int found = 0;

	if ((p = popen("MIMALLOC_VERBOSE=1 ./steptrail --version 2>&1 "
	    ">/dev/null", "r")) == NULL) {
		printf("ok %d # SKIP cannot run ./steptrail\n", ++tap_n);
		return;
	}
	while (fgets(line, sizeof line, p) != NULL)
		if (strncmp(line, "mimalloc: ", 10) == 0)
			found = 1;
	pclose(p);
	ok(found, "./steptrail runs on mimalloc's malloc");
#else
	printf("ok %d # SKIP configured without mimalloc\n", ++tap_n);
#endif
}

int
main(void)
{
#ifdef HAVE___STRTOUL_INTERNAL
	static const char *const in[] = {
		/* what libauparse reads: a stamp's parts */
		"1795346460.509:446688)", "509:446688)", "446688)", "0",
		"007", "42abc",
		/* 19 digits, the most taken here; 20 and more go to glibc */
		"9999999999999999999", "1234567890123456789x",
		"18446744073709551615", "18446744073709551616",
		"99999999999999999999999", "12345678901234567890",
		/* glibc's own: spaces, signs, prefixes, nothing */
		" 12", "\t7", "+12", "-12", "-0", "0x1f", "", "x", "-",
		"1 2", "9\xff",
	};
	static const int bases[] = { 10, 16, 0, 8, 36 };
	void *def, *next;
	size_t i, j;

	for (i = 0; i < sizeof in / sizeof in[0]; i++)
		for (j = 0; j < sizeof bases / sizeof bases[0]; j++)
			same(in[i], bases[j], 1);
	same("446688)", 10, 0);
	same("-5", 10, 0);

	/* the executable's definition is the one every library is bound
	 * to, and glibc's is still there behind it */
	def = dlsym(RTLD_DEFAULT, "strtoul");
	next = dlsym(RTLD_NEXT, "strtoul");
	ok(def == (void *)strtoul, "strtoul is the executable's for the "
	    "whole program (%p, %p)", def, (void *)strtoul);
	ok(next != NULL && next != def, "glibc's strtoul is behind it (%p)",
	    next);
	steptrail_defines();
	steptrail_mimalloc();
	return done_testing();
#else
	printf("1..0 # SKIP no __strtoul_internal: src/strtoul.c is empty\n");
	return 0;
#endif
}
