/*
 * source.c: where audit records come from: files named on the command
 * line, the system trail (audit.log and its rotations, oldest first), or
 * standard input; compressed rotations through gzip, xz, zstd or bzip2.
 *
 * Files are opened when they are added, so that a missing or unreadable
 * input is reported before any work is done (exit 3); they are read in
 * large chunks and split into lines here, so the reader sees one record per
 * call and memory stays flat: a line longer than LINE_MAX is skipped as it
 * streams by, never buffered.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "steptrail.h"

/*
 * The kernel caps a record at 8970 bytes (MAX_AUDIT_MESSAGE_LENGTH) and
 * ENRICHED format appends interpretations; no real record comes near this.
 */
#define LINE_MAX_BYTES	(64 * 1024)
#define READ_CHUNK	(256 * 1024)

/* auditd numbers rotations audit.log.1 .. audit.log.N (num_logs <= 999). */
#define ROTATIONS_MAX	999

#define DEFAULT_LOG	"/var/log/audit/audit.log"
#define AUDITD_CONF	"/etc/audit/auditd.conf"

static const struct {
	const char	*name;
	const unsigned char magic[6];
	size_t		 len;
} compressors[] = {
	{ "gzip", { 0x1f, 0x8b }, 2 },
	{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6 },
	{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
	{ "bzip2", { 'B', 'Z', 'h' }, 3 },
};

void
st_source_init(struct st_source *src)
{
	memset(src, 0, sizeof *src);
}

void
st_source_free(struct st_source *src)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		free(src->v[i].name);
		free(src->v[i].error);
		if (src->v[i].fd > STDIN_FILENO)
			close(src->v[i].fd);
	}
	free(src->v);
	memset(src, 0, sizeof *src);
}

int
st_source_add(struct st_source *src, const char *path, char **cause)
{
	struct st_input *in;
	struct stat sb;
	int fd;

	const char *why = NULL;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		why = strerror(errno);
	else if (fstat(fd, &sb) != 0) {
		why = strerror(errno);
		close(fd);
	} else if (S_ISDIR(sb.st_mode)) {
		why = "is a directory";
		close(fd);
	}
	/* an input that cannot be opened is listed all the same, with why:
	 * the others are read and the report says it is partial */
	src->v = xreallocarray(src->v, src->n + 1, sizeof *src->v);
	in = &src->v[src->n++];
	memset(in, 0, sizeof *in);
	in->name = xstrdup(path);
	in->fd = why != NULL ? -1 : fd;
	if (why != NULL) {
		in->error = xstrdup(why);
		*cause = xasprintf("%s: %s", path, why);
		return -1;
	}
	return 0;
}

/* An input already open (the source closes it after reading). */
void
st_source_add_fd(struct st_source *src, const char *name, int fd)
{
	struct st_input *in;

	src->v = xreallocarray(src->v, src->n + 1, sizeof *src->v);
	in = &src->v[src->n++];
	memset(in, 0, sizeof *in);
	in->name = xstrdup(name);
	in->fd = fd;
}

/* log_file from auditd.conf, if it names one. */
static char *
configured_log(void)
{
	char line[1024], *k, *v, *e;
	FILE *f;

	if ((f = fopen(AUDITD_CONF, "r")) == NULL)
		return NULL;
	while (fgets(line, sizeof line, f) != NULL) {
		k = line + strspn(line, " \t");
		if (strncmp(k, "log_file", 8) != 0)
			continue;
		v = k + 8 + strspn(k + 8, " \t");
		if (*v != '=')
			continue;
		v += 1 + strspn(v + 1, " \t");
		for (e = v + strlen(v); e > v && strchr(" \t\r\n", e[-1]); e--)
			;
		*e = '\0';
		fclose(f);
		return *v == '/' ? xstrdup(v) : NULL;
	}
	fclose(f);
	return NULL;
}

/* The current log of the system trail. */
char *
st_source_system_log(void)
{
	char *conf = configured_log();

	return conf != NULL ? conf : xstrdup(DEFAULT_LOG);
}

static bool
exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/*
 * The system trail: log (default: auditd.conf's log_file, else
 * /var/log/audit/audit.log) and its rotations, oldest first.  A rotation
 * may have been compressed by logrotate (audit.log.2.gz).
 */
int
st_source_add_system(struct st_source *src, const char *log, char **cause)
{
	static const char *const suffixes[] = { "", ".gz", ".xz", ".zst",
	    ".bz2" };
	char *conf = NULL, *path;
	char **rot = NULL;
	size_t nrot = 0, i, j;
	int rc = -1;

	if (log == NULL)
		log = conf = configured_log();
	if (log == NULL)
		log = DEFAULT_LOG;
	if (!exists(log)) {
		*cause = xasprintf("%s: no audit log here (is auditd running? "
		    "name a FILE to analyze)", log);
		goto out;
	}
	for (i = 1; i <= ROTATIONS_MAX; i++) {
		for (j = 0; j < sizeof suffixes / sizeof suffixes[0]; j++) {
			path = xasprintf("%s.%zu%s", log, i, suffixes[j]);
			if (exists(path))
				break;
			free(path);
		}
		if (j == sizeof suffixes / sizeof suffixes[0])
			break;
		rot = xreallocarray(rot, nrot + 1, sizeof *rot);
		rot[nrot++] = path;
	}
	for (i = nrot; i > 0; i--)
		if (st_source_add(src, rot[i - 1], cause) != 0)
			goto out;
	rc = st_source_add(src, log, cause);
out:
	for (i = 0; i < nrot; i++)
		free(rot[i]);
	free(rot);
	free(conf);
	return rc;
}

/* ------------------------------------------------------------- reading */

struct lines {
	struct st_reader *r;
	struct st_input	*in;
	struct st_buf	 partial;
	bool		 overlong;
};

static void
lines_feed(struct lines *l, const char *p, size_t n)
{
	const char *nl;
	size_t take;

	l->in->bytes += n;
	while (n > 0) {
		nl = memchr(p, '\n', n);
		take = nl != NULL ? (size_t)(nl - p) : n;
		if (!l->overlong) {
			if (l->partial.len + take > LINE_MAX_BYTES) {
				l->overlong = true;
				st_buf_reset(&l->partial);
			} else if (nl != NULL && l->partial.len == 0) {
				/* the common case: a whole line in the chunk */
				l->in->lines++;
				st_reader_line(l->r, p, take);
			} else
				st_buf_add(&l->partial, p, take);
		}
		if (nl == NULL)
			return;
		if (l->overlong) {
			l->in->lines++;
			st_reader_skip(l->r, "line longer than 64 KiB");
			l->overlong = false;
		} else if (l->partial.len > 0) {
			l->in->lines++;
			st_reader_line(l->r, l->partial.d, l->partial.len);
			st_buf_reset(&l->partial);
		}
		p = nl + 1;
		n -= take + 1;
	}
}

static void
lines_end(struct lines *l)
{
	if (l->overlong) {
		l->in->lines++;
		st_reader_skip(l->r, "line longer than 64 KiB");
	} else if (l->partial.len > 0) {
		l->in->lines++;
		st_reader_line(l->r, l->partial.d, l->partial.len);
	}
	st_buf_free(&l->partial);
}

static int
read_all(int fd, struct lines *l, const char *first, size_t nfirst,
    char **cause)
{
	char *buf = xmalloc(READ_CHUNK);
	ssize_t n;

	if (nfirst > 0)
		lines_feed(l, first, nfirst);
	for (;;) {
		n = read(fd, buf, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*cause = xstrdup(strerror(errno));
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		lines_feed(l, buf, (size_t)n);
	}
	free(buf);
	return 0;
}

/* Runs `prog -dc` on fd and reads its output. */
static int
read_decompressed(const char *prog, int fd, struct lines *l, char **cause)
{
	int p[2], status;
	pid_t pid;
	int rc;

	if (lseek(fd, 0, SEEK_SET) != 0 || pipe(p) != 0) {
		*cause = xstrdup(strerror(errno));
		return -1;
	}
	if ((pid = fork()) < 0) {
		*cause = xstrdup(strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(fd, STDIN_FILENO) < 0 || dup2(p[1], STDOUT_FILENO) < 0)
			_exit(126);
		close(p[0]);
		close(p[1]);
		execlp(prog, prog, "-dc", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	rc = read_all(p[0], l, NULL, 0, cause);
	close(p[0]);
	if (rc != 0)
		kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		*cause = xasprintf("compressed with %s, but %s is not installed",
		    prog, prog);
		return -1;
	}
	if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		*cause = xasprintf("%s failed to decompress it", prog);
		return -1;
	}
	return rc;
}

static int
read_input(struct st_input *in, struct st_reader *r, char **cause)
{
	struct lines l = { .r = r, .in = in };
	unsigned char head[8];
	ssize_t n;
	size_t got = 0, i;
	int rc;

	/* Peek at the first bytes for a compression magic number. */
	while (got < sizeof head) {
		n = read(in->fd, head + got, sizeof head - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*cause = xstrdup(strerror(errno));
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	for (i = 0; i < sizeof compressors / sizeof compressors[0] &&
	    !in->plain; i++) {
		if (got < compressors[i].len ||
		    memcmp(head, compressors[i].magic, compressors[i].len) != 0)
			continue;
		in->decompressor = compressors[i].name;
		if (in->fd == STDIN_FILENO) {
			*cause = xasprintf("standard input is %s-compressed: "
			    "decompress it first (%s -dc FILE | steptrail "
			    "analyze -)", compressors[i].name,
			    compressors[i].name);
			return -1;
		}
		rc = read_decompressed(compressors[i].name, in->fd, &l, cause);
		lines_end(&l);
		return rc;
	}
	rc = read_all(in->fd, &l, (const char *)head, got, cause);
	lines_end(&l);
	return rc;
}

/*
 * Reads every input into the reader.  An input that cannot be read, or
 * that holds no audit record at all, gets an error of its own and the
 * others are still read; returns -1 if any input failed.
 */
int
st_source_read(struct st_source *src, struct st_reader *r, char **cause)
{
	const struct st_reader_stats *st = st_reader_stats(r);
	struct st_input *in;
	unsigned long valid_before, malformed_before;
	char *err;
	size_t i;
	int rc = 0;

	for (i = 0; i < src->n; i++) {
		in = &src->v[i];
		err = NULL;
		if (in->fd < 0 && in->error != NULL) {	/* could not open */
			if (rc == 0) {
				*cause = xasprintf("%s: %s", in->name,
				    in->error);
				rc = -1;
			}
			continue;
		}
		st_reader_input(r, in->name);
		valid_before = st->valid;
		malformed_before = st->malformed;
		if (read_input(in, r, &err) != 0)
			in->error = err;
		else if (st->valid == valid_before &&
		    st->malformed > malformed_before)
			in->error = xasprintf("no audit records in %lu lines",
			    in->lines);
		if (in->error != NULL && rc == 0) {
			*cause = xasprintf("%s: %s", in->name, in->error);
			rc = -1;
		}
		if (in->fd > STDIN_FILENO)
			close(in->fd);
		in->fd = -1;
	}
	return rc;
}
