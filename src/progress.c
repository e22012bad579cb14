/*
 * progress.c: the progress line of a long analysis on standard error:
 * bytes read of the total, events per second, the time left.  It is the
 * st_progress_fn that source.c calls after every chunk it reads.
 *
 * Drawn only when standard error is a terminal (in a CI log or a file the
 * redrawn line would pile up as garbage), unless STEPTRAIL_PROGRESS says
 * otherwise; redrawn at most four times a second, as often as anyone can
 * read it, so that its cost stays out of the profile; erased at the end,
 * so that the report and any warning begin on a clean line.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "steptrail.h"

#define REDRAW_MS	250

/* Before this much time the rate is noise, and so the time left. */
#define ETA_AFTER_MS	1000

/* The line: "\r", erase to the end of the line, then the text. */
#define ERASE		"\r\033[K"

/* Should there be a progress line?  --quiet wins over everything. */
bool
st_meter_wanted(bool quiet)
{
	const char *e = getenv("STEPTRAIL_PROGRESS");

	if (quiet)
		return false;
	if (e != NULL && *e != '\0')
		return strcmp(e, "0") != 0;
	return isatty(STDERR_FILENO) == 1;
}

void
st_meter_init(struct st_meter *m, FILE *f)
{
	memset(m, 0, sizeof *m);
	m->f = f;
	clock_gettime(CLOCK_MONOTONIC, &m->start);
}

static long long
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (long long)(b->tv_sec - a->tv_sec) * 1000 +
	    (b->tv_nsec - a->tv_nsec) / 1000000;
}

static void
size_str(char *buf, size_t len, unsigned long long n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	size_t u;

	if (n < 1024) {
		snprintf(buf, len, "%llu B", n);
		return;
	}
	for (u = 0, v /= 1024; v >= 1024 && u + 1 < sizeof units /
	    sizeof units[0]; u++)
		v /= 1024;
	snprintf(buf, len, "%.1f %s", v, units[u]);
}

void
st_meter_update(const struct st_progress *p, void *arg)
{
	struct st_meter *m = arg;
	struct timespec now;
	char done[32], total[32];
	unsigned long long d = p->done, left;
	long long ms;

	if (p->end) {
		if (m->drawn)
			fputs(ERASE, m->f);
		fflush(m->f);
		m->drawn = false;
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (m->drawn && ms_between(&m->last, &now) < REDRAW_MS)
		return;
	m->last = now;
	m->drawn = true;
	ms = ms_between(&m->start, &now);
	if (p->total > 0 && d > p->total)	/* the file grew */
		d = p->total;
	size_str(done, sizeof done, d);
	fprintf(m->f, ERASE "steptrail: read %s", done);
	if (p->total > 0) {
		size_str(total, sizeof total, p->total);
		fprintf(m->f, " of %s (%d%%)", total,
		    (int)(d * 100 / p->total));
	}
	fprintf(m->f, ", %lu events, %.0f events/s", p->events,
	    ms > 0 ? p->events * 1000.0 / (double)ms : 0.0);
	if (p->total > 0 && d > 0 && ms >= ETA_AFTER_MS) {
		left = (unsigned long long)((double)(p->total - d) *
		    (double)ms / (double)d / 1000.0);
		if (left >= 3600)
			fprintf(m->f, ", %llu:%02llu:%02llu left", left / 3600,
			    left / 60 % 60, left % 60);
		else
			fprintf(m->f, ", %llu:%02llu left", left / 60,
			    left % 60);
	}
	fflush(m->f);
}
