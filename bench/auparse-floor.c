/*
 * auparse-floor.c: the floor under `steptrail analyze`'s speed.
 *
 * Walks every event, record and field of one audit log with libauparse
 * and nothing else: no copies, no process tree, no recipes.  Each field's
 * name and value are fetched (steptrail reads both for most fields), and
 * their lengths summed so that the fetches cannot be optimised away.  What
 * steptrail takes beyond this is what steptrail itself costs.
 *
 * usage: auparse-floor [--feed] FILE
 * By default libauparse reads FILE itself (AUSOURCE_FILE: ausearch's way,
 * which keeps the events it has read in memory).  With --feed the file is
 * read in 64 KiB blocks and fed to libauparse (AUSOURCE_FEED: steptrail's
 * way, src/reader.c), which hands each event to a callback.
 *
 * Prints "events=N records=N fields=N bytes=N" on standard output; exits 1
 * when the log cannot be opened or read, 2 on a usage error.
 *
 * A benchmark helper, built only by `make bench` (bench/run runs it).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <auparse.h>

struct counts {
	unsigned long long	events;
	unsigned long long	records;
	unsigned long long	fields;
	unsigned long long	bytes;	/* of field names and values */
};

static size_t
len_or_zero(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

/* The fields of the current record. */
static void
walk_fields(auparse_state_t *au, struct counts *c)
{
	if (auparse_first_field(au) <= 0)
		return;
	do {
		c->fields++;
		c->bytes += len_or_zero(auparse_get_field_name(au));
		c->bytes += len_or_zero(auparse_get_field_str(au));
	} while (auparse_next_field(au) > 0);
}

/* The records of the current event; -1 when libauparse fails. */
static int
walk_records(auparse_state_t *au, struct counts *c)
{
	int rc;

	if (auparse_first_record(au) <= 0)
		return 0;
	do {
		c->records++;
		walk_fields(au, c);
	} while ((rc = auparse_next_record(au)) > 0);
	return rc < 0 ? -1 : 0;
}

/* Every event of the log, read by libauparse; -1 on failure. */
static int
walk_file(const char *path, struct counts *c)
{
	auparse_state_t *au;
	int rc;

	errno = 0;
	if ((au = auparse_init(AUSOURCE_FILE, path)) == NULL) {
		fprintf(stderr, "auparse-floor: %s: cannot open: %s\n", path,
		    errno != 0 ? strerror(errno) : "libauparse refused it");
		return -1;
	}
	errno = 0;
	while ((rc = auparse_next_event(au)) > 0) {
		c->events++;
		if ((rc = walk_records(au, c)) < 0)
			break;
	}
	if (rc < 0)
		fprintf(stderr, "auparse-floor: %s: read error after %llu "
		    "events: %s\n", path, c->events,
		    errno != 0 ? strerror(errno) : "libauparse failed");
	auparse_destroy(au);
	return rc < 0 ? -1 : 0;
}

struct feed {
	struct counts	*c;
	int		 failed;
};

static void
feed_event(auparse_state_t *au, auparse_cb_event_t type, void *arg)
{
	struct feed *f = arg;

	if (type != AUPARSE_CB_EVENT_READY)
		return;
	f->c->events++;
	if (walk_records(au, f->c) < 0)
		f->failed = 1;
}

/* The blocks of an open file into au; -1 on a read error. */
static int
feed_blocks(auparse_state_t *au, FILE *fp)
{
	static char block[64 * 1024];
	size_t n;

	while ((n = fread(block, 1, sizeof block, fp)) > 0)
		auparse_feed(au, block, n);
	if (ferror(fp))
		return -1;
	auparse_flush_feed(au);
	return 0;
}

/* Every event of the log, fed to libauparse; -1 on failure. */
static int
walk_feed(const char *path, struct counts *c)
{
	struct feed f = { c, 0 };
	auparse_state_t *au;
	FILE *fp;
	int rc;

	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "auparse-floor: %s: cannot open: %s\n", path,
		    strerror(errno));
		return -1;
	}
	if ((au = auparse_init(AUSOURCE_FEED, NULL)) == NULL) {
		fprintf(stderr, "auparse-floor: cannot initialise libauparse: "
		    "%s\n", strerror(errno));
		fclose(fp);
		return -1;
	}
	auparse_add_callback(au, feed_event, &f, NULL);
	errno = 0;
	rc = feed_blocks(au, fp);
	if (rc < 0)
		fprintf(stderr, "auparse-floor: %s: read error after %llu "
		    "events: %s\n", path, c->events, strerror(errno));
	else if (f.failed) {
		fprintf(stderr, "auparse-floor: %s: libauparse failed in an "
		    "event's records\n", path);
		rc = -1;
	}
	auparse_destroy(au);
	fclose(fp);
	return rc;
}

static int
usage(void)
{
	fprintf(stderr, "usage: auparse-floor [--feed] FILE\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct counts c = { 0, 0, 0, 0 };
	int feed = 0;

	if (argc == 3 && strcmp(argv[1], "--feed") == 0)
		feed = 1;
	else if (argc != 2 || argv[1][0] == '-')
		return usage();
	if ((feed ? walk_feed(argv[2], &c) : walk_file(argv[1], &c)) < 0)
		return 1;
	if (printf("events=%llu records=%llu fields=%llu bytes=%llu\n",
	    c.events, c.records, c.fields, c.bytes) < 0 ||
	    fflush(stdout) != 0) {
		fprintf(stderr, "auparse-floor: standard output: %s\n",
		    strerror(errno));
		return 1;
	}
	return 0;
}
