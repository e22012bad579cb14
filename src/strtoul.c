/*
 * strtoul.c: libauparse's strtoul, without the locale.
 *
 * libauparse reads every record's time stamp with three strtoul calls
 * (extract_timestamp(), str2event()), and glibc's strtoul, which works
 * through the locale for every call, took a fifteenth of the reader
 * thread's instructions on a build's log: more than any of steptrail's
 * own parsing.  This file defines strtoul in the executable, which the
 * dynamic linker then binds libauparse's calls to (an executable's
 * symbols come first, and ld exports those a linked library needs).
 *
 * Only the plainest case is answered here: base 10, a digit first, at
 * most 19 digits (no overflow possible) and then a byte that is not a
 * digit.  Its value and end are what glibc gives, and errno is left as it
 * is, as glibc leaves it on success.  Everything else (spaces, a sign,
 * another base, 20 digits or more) goes to glibc's own implementation,
 * __strtoul_internal, unchanged.  Without that symbol (another libc) this
 * file defines nothing.  tests/test-strtoul compares the two on a table
 * of inputs and checks that the definition is the one bound.
 *
 * <stdlib.h> is not included: glibc 2.38 and later may rename strtoul
 * (__isoc23_strtoul, which reads "0b" prefixes) in its declaration, and
 * this must define the plain symbol or nothing.
 */
#include "config.h"

#include <stddef.h>

#ifdef HAVE___STRTOUL_INTERNAL

unsigned long	strtoul(const char *, char **, int);
unsigned long	__strtoul_internal(const char *, char **, int, int);

unsigned long
strtoul(const char *s, char **end, int base)
{
	unsigned long v = 0;
	unsigned d;
	int i;

	if (base == 10 && (unsigned char)(s[0] - '0') <= 9) {
		for (i = 0; i < 19 && (d = (unsigned char)(s[i] - '0')) <= 9;
		    i++)
			v = v * 10 + d;
		if ((unsigned char)(s[i] - '0') > 9) {
			if (end != NULL)
				*end = (char *)(s + i);
			return v;
		}
	}
	return __strtoul_internal(s, end, base, 0);
}

#endif
