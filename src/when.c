/*
 * when.c: the times a user gives --since and --until, as milliseconds
 * since the epoch (UTC), the unit audit records are stamped in.
 *
 *   2026-11-22T08:06:14Z, 2026-11-22 08:06, 2026-11-22T08:06:14.085+01:00,
 *   2026-11-22     ISO 8601; without a zone, local time (as date(1) reads it)
 *   1795334774     seconds since the epoch (also 1795334774.085)
 *   -2h, -30m, -7d, -1w, -90s   that long before now
 *   now, today, yesterday       today and yesterday: local midnight
 *
 * Anything else is an error that says what is accepted: a window that is
 * silently wrong would hide events, the one thing a responder cannot have.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "steptrail.h"

#define ACCEPTED "ISO 8601 (2026-11-22T08:06:14Z, 2026-11-22 08:06, " \
	"2026-11-22), seconds since the epoch, -2h/-30m/-7d/-1w/-90s, now, " \
	"today or yesterday"

/* n digits at *s into *v; advances *s.  0 on success. */
static int
digits(const char **s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return -1;
		*v = *v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return 0;
}

/* Local midnight, days back from today's. */
static int64_t
midnight(time_t now, int days_back)
{
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_mday -= days_back;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

static int
relative(const char *s, time_t now, int64_t *ms)
{
	char *end;
	long long n;
	long long unit;

	errno = 0;
	n = strtoll(s + 1, &end, 10);
	if (errno != 0 || end == s + 1 || n < 0 || end[0] == '\0' ||
	    end[1] != '\0')
		return -1;
	switch (*end) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	case 'w':
		unit = 7 * 86400;
		break;
	default:
		return -1;
	}
	if (n > LLONG_MAX / 1000 / unit)
		return -1;
	*ms = (int64_t)now * 1000 - (int64_t)(n * unit * 1000);
	return 0;
}

static int
epoch(const char *s, int64_t *ms)
{
	const char *p = s;
	long long sec = 0;
	int frac = 0, n = 0;

	for (; isdigit((unsigned char)*p); p++) {
		if (sec > (LLONG_MAX / 1000 - 9) / 10)
			return -1;
		sec = sec * 10 + (*p - '0');
	}
	if (p == s)
		return -1;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p) && n < 3; p++, n++)
			frac = frac * 10 + (*p - '0');
		if (n == 0)
			return -1;
		for (; n < 3; n++)
			frac *= 10;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p != '\0')
		return -1;
	*ms = (int64_t)sec * 1000 + frac;
	return 0;
}

/* days since 1970-01-01 of a civil date (proleptic Gregorian) */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
iso8601(const char *s, int64_t *ms)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, n = 0, zh, zm;
	bool zone = false;
	int64_t off = 0;
	struct tm tm;
	time_t t;

	if (digits(&s, 4, &y) != 0 || *s++ != '-' ||
	    digits(&s, 2, &mo) != 0 || *s++ != '-' || digits(&s, 2, &d) != 0)
		return -1;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (digits(&s, 2, &h) != 0 || *s++ != ':' ||
		    digits(&s, 2, &mi) != 0)
			return -1;
		if (*s == ':') {
			s++;
			if (digits(&s, 2, &sec) != 0)
				return -1;
			if (*s == '.' || *s == ',') {
				for (s++; isdigit((unsigned char)*s) && n < 3;
				    s++, n++)
					frac = frac * 10 + (*s - '0');
				if (n == 0)
					return -1;
				for (; n < 3; n++)
					frac *= 10;
				while (isdigit((unsigned char)*s))
					s++;
			}
		}
		if (*s == 'Z' || *s == 'z') {
			zone = true;
			s++;
		} else if (*s == '+' || *s == '-') {
			int sign = *s++ == '-' ? -1 : 1;

			if (digits(&s, 2, &zh) != 0)
				return -1;
			if (*s == ':')
				s++;
			if (digits(&s, 2, &zm) != 0 || zh > 23 || zm > 59)
				return -1;
			zone = true;
			off = sign * ((int64_t)zh * 3600 + zm * 60);
		}
	}
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	if (zone) {
		*ms = ((days_from_civil(y, mo, d) * 86400 + h * 3600 +
		    mi * 60 + sec) - off) * 1000 + frac;
		return 0;
	}
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000 + frac;
	return 0;
}

/* *ms from s, now being now.  -1 with *cause (saying what is accepted). */
int
st_when_parse(const char *s, time_t now, int64_t *ms, char **cause)
{
	int rc;

	if (strcmp(s, "now") == 0) {
		*ms = (int64_t)now * 1000;
		return 0;
	}
	if (strcmp(s, "today") == 0) {
		*ms = midnight(now, 0);
		return 0;
	}
	if (strcmp(s, "yesterday") == 0) {
		*ms = midnight(now, 1);
		return 0;
	}
	if (s[0] == '-')
		rc = relative(s, now, ms);
	else if (strlen(s) >= 10 && s[4] == '-')
		rc = iso8601(s, ms);
	else
		rc = epoch(s, ms);
	if (rc != 0)
		*cause = xasprintf("\"%s\" is not a time: give %s", s,
		    ACCEPTED);
	return rc;
}
