/*
 * stand-in.h: what the stand-in CI programs (Runner.Worker.c,
 * gitlab-runner.c, jenkins-agent.c) share.  Each defines STAND_IN, the
 * name its messages start with, before including this.
 */
#ifndef STAND_IN_H
#define STAND_IN_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ST_UNUSED	__attribute__((unused))

static ST_UNUSED void
die(const char *what)
{
	fprintf(stderr, STAND_IN ": %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Copies a file whole; -1 (errno set) on failure. */
static ST_UNUSED int
copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out == -1) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	if (close(out) == -1 || n < 0)
		return -1;
	return 0;
}

#endif
