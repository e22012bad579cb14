/*
 * source.c: where audit records come from: files and directories named on
 * the command line, the system trail (audit.log and its rotations), or
 * standard input; gzip read in-process through zlib, xz, zstd and bzip2
 * through their programs.
 *
 * Files are opened when they are added, so that a missing or unreadable
 * input is reported before any work is done (exit 3); they are read in
 * large chunks and split into lines here, so the reader sees one record per
 * call and memory stays flat: a line longer than LINE_MAX is skipped as it
 * streams by, never buffered.
 *
 * Rotations are read oldest first however they arrive: every input is
 * filed under its rotation set when it is added (audit.log.3.gz is
 * rotation 3 of audit.log), a set stays together where its first member
 * was given, and within it a higher number (older, in auditd's numbering)
 * comes first.  The system trail, a directory and a command line are all
 * ordered by that one insertion.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "steptrail.h"

/*
 * The kernel caps a record at 8970 bytes (MAX_AUDIT_MESSAGE_LENGTH) and
 * ENRICHED format appends interpretations; no real record comes near this.
 */
#define LINE_MAX_BYTES	(64 * 1024)
#define READ_CHUNK	(256 * 1024)

/*
 * auditd numbers rotations audit.log.1 .. audit.log.N (num_logs <= 999),
 * logrotate's counts are smaller than a million: six digits at most, so
 * that a date (audit.log.20261122, a dateext with a dot) or an epoch is
 * not taken for a number, whose order would be the reverse.
 */
#define ROTATION_DIGITS	6

/* Skipped entries of a directory named in its note; the rest are counted. */
#define SKIPPED_NAMED	10

#define DEFAULT_LOG	"/var/log/audit/audit.log"
#define AUDITD_CONF	"/etc/audit/auditd.conf"

/* What auditd names its logs: in a directory, these are read by name. */
#define AUDITD_NAME	"audit.log"

static const struct {
	const char	*name;
	const unsigned char magic[6];
	size_t		 len;
	const char	*suffix;	/* logrotate's compressext */
} compressors[] = {
	{ "gzip", { 0x1f, 0x8b }, 2, ".gz" },
	{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6, ".xz" },
	{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, ".zst" },
	{ "bzip2", { 'B', 'Z', 'h' }, 3, ".bz2" },
};
#define NCOMPRESSORS	(sizeof compressors / sizeof compressors[0])

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
		free(src->v[i].set);
		if (src->v[i].fd > STDIN_FILENO)
			close(src->v[i].fd);
	}
	free(src->v);
	for (i = 0; i < src->nnotes; i++)
		free(src->notes[i]);
	free(src->notes);
	memset(src, 0, sizeof *src);
}

void
st_source_progress(struct st_source *src, st_progress_fn *fn, void *arg)
{
	src->progress = fn;
	src->progress_arg = arg;
}

/* ----------------------------------------------------------- rotations */

/*
 * The rotation set a file name belongs to, and its number in it: LOG is
 * 0, LOG.N is N, and either compressed (LOG.gz, LOG.N.gz, ...) the same.
 * *base is the length of LOG in name.
 */
static unsigned long
rotation_of(const char *name, size_t *base)
{
	size_t len = strlen(name), sl, d, i;
	unsigned long rank = 0;

	for (i = 0; i < NCOMPRESSORS; i++) {
		sl = strlen(compressors[i].suffix);
		if (len > sl && strcmp(name + len - sl,
		    compressors[i].suffix) == 0) {
			len -= sl;
			break;
		}
	}
	for (d = len; d > 0 && isdigit((unsigned char)name[d - 1]); d--)
		;
	/* ".N": N from 1, no leading zero, after something that is a name */
	if (d < len && len - d <= ROTATION_DIGITS && d >= 2 &&
	    name[d - 1] == '.' && name[d - 2] != '/' && name[d] != '0') {
		rank = strtoul(name + d, NULL, 10);
		len = d - 1;
	}
	*base = len;
	return rank;
}

/*
 * The key of path's rotation set: its directory resolved (./audit.log and
 * audit.log.1 are one set), then LOG.  NULL if the directory cannot be
 * resolved: the file then keeps the place it was given in.
 */
static char *
rotation_set(const char *path, unsigned long *rank)
{
	const char *slash = strrchr(path, '/'), *file;
	char *dir, *real, *set;
	size_t base;

	file = slash != NULL ? slash + 1 : path;
	*rank = rotation_of(file, &base);
	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, (size_t)(slash - path));
	real = realpath(dir, NULL);
	free(dir);
	if (real == NULL)
		return NULL;
	set = xasprintf("%s/%.*s", real, (int)base, file);
	free(real);
	return set;
}

/*
 * A new input, at its place: at the end if its set is new (or it has
 * none), else in its set's run of inputs, after the older and the equal
 * ones (those in the order given) and before the newer ones (a lower
 * number).
 */
static struct st_input *
insert(struct st_source *src, char *set, unsigned long rank)
{
	struct st_input *in;
	size_t at, i;

	src->v = xreallocarray(src->v, src->n + 1, sizeof *src->v);
	at = src->n;
	for (i = 0; set != NULL && i < src->n; i++) {
		if (src->v[i].set == NULL || strcmp(src->v[i].set, set) != 0)
			continue;
		/* a set's members are contiguous: they were filed so */
		for (; i < src->n && src->v[i].set != NULL &&
		    strcmp(src->v[i].set, set) == 0 && src->v[i].rank >= rank;
		    i++)
			;
		at = i;
		break;
	}
	memmove(&src->v[at + 1], &src->v[at], (src->n - at) * sizeof *src->v);
	src->n++;
	in = &src->v[at];
	memset(in, 0, sizeof *in);
	in->set = set;
	in->rank = rank;
	return in;
}

/* --------------------------------------------------------------- adding */

static int	add_directory(struct st_source *, const char *, int, char **);

int
st_source_add(struct st_source *src, const char *path, char **cause)
{
	struct st_input *in;
	struct stat sb;
	unsigned long rank = 0;
	char *set = NULL;
	int fd;

	const char *why = NULL;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		why = strerror(errno);
	if (why == NULL && fstat(fd, &sb) != 0) {
		why = strerror(errno);
		if (fd > STDIN_FILENO)
			close(fd);
	}
	if (why == NULL && S_ISDIR(sb.st_mode)) {
		if (fd > STDIN_FILENO)
			return add_directory(src, path, fd, cause);
		why = "is a directory";
	}
	/* standard input keeps its place: it has no name to be ranked by */
	if (why == NULL && fd > STDIN_FILENO)
		set = rotation_set(path, &rank);
	/* an input that cannot be opened is listed all the same, with why:
	 * the others are read and the report says it is partial */
	in = insert(src, set, rank);
	in->name = xstrdup(path);
	in->fd = why != NULL ? -1 : fd;
	if (why != NULL) {
		in->error = xstrdup(why);
		*cause = xasprintf("%s: %s", path, why);
		return -1;
	}
	/* the total of a progress line: what a pipe holds is not known */
	if (S_ISREG(sb.st_mode)) {
		in->size = (unsigned long long)sb.st_size;
		in->sized = true;
		in->dev = (unsigned long long)sb.st_dev;
		in->ino = (unsigned long long)sb.st_ino;
	}
	return 0;
}

/* An input already open (the source closes it after reading). */
void
st_source_add_fd(struct st_source *src, const char *name, int fd)
{
	struct st_input *in;

	in = insert(src, NULL, 0);
	in->name = xstrdup(name);
	in->fd = fd;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The entries of a directory but . and .., sorted (the order readdir gives
 * depends on the filesystem; a report must not).  NULL with *cause.
 */
static char **
list_dir(DIR *d, size_t *n, char **cause)
{
	struct dirent *de;
	char **v = NULL;

	*n = 0;
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		v = xreallocarray(v, *n + 1, sizeof *v);
		v[(*n)++] = xstrdup(de->d_name);
	}
	if (errno != 0) {
		*cause = xstrdup(strerror(errno));
		while (*n > 0)
			free(v[--*n]);
		free(v);
		return NULL;
	}
	if (*n > 0)
		qsort(v, *n, sizeof *v, name_cmp);
	else
		v = xreallocarray(v, 1, sizeof *v);
	return v;
}

static char *
join(const char *dir, const char *name)
{
	size_t len = strlen(dir);

	return len > 0 && dir[len - 1] == '/' ? xasprintf("%s%s", dir, name) :
	    xasprintf("%s/%s", dir, name);
}

/* Does the file start as an audit record does (raw, ENRICHED, node=)? */
static bool
starts_as_audit(int dirfd, const char *name)
{
	char head[5];
	ssize_t n;
	int fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return false;
	n = read(fd, head, sizeof head);
	close(fd);
	return n == (ssize_t)sizeof head && (memcmp(head, "type=", 5) == 0 ||
	    memcmp(head, "node=", 5) == 0);
}

/* Is name one of auditd's: audit.log, audit.log.N, compressed or not? */
static bool
auditd_named(const char *name)
{
	size_t base;

	(void)rotation_of(name, &base);
	return base == strlen(AUDITD_NAME) &&
	    strncmp(name, AUDITD_NAME, base) == 0;
}

/* Names a skipped entry in a directory's note (a name is anyone's text). */
static void
note_skipped(struct st_buf *note, const char *dir, const char *name,
    bool isdir, size_t nskipped)
{
	if (nskipped == 1) {
		st_escape(note, dir, strlen(dir));
		st_buf_adds(note, ": skipped what is neither named "
		    AUDITD_NAME "[.N][.gz|.xz|.zst|.bz2] nor starts with an "
		    "audit record:");
	}
	if (nskipped > SKIPPED_NAMED)
		return;
	st_buf_adds(note, nskipped == 1 ? " " : ", ");
	st_escape(note, name, strlen(name));
	if (isdir)
		st_buf_addc(note, '/');
}

/*
 * A directory: its audit logs, not what is below it (auditd keeps its
 * logs in one flat directory; a recursive walk of a directory given by
 * mistake, a home, /, would read whatever it met).  A regular file is read
 * if it is named like auditd's logs (audit.log, audit.log.N, compressed
 * or not), or if it starts with an audit record whatever its name (logs
 * collected from several machines under their own names).  A compressed
 * file under another name is skipped: its content cannot be told without
 * decompressing it.  What is skipped is noted, for main to say; a
 * directory with no log at all is an input error of its own, so that a
 * wrong path cannot pass a CI job with an empty report.  Takes fd.
 */
static int
add_directory(struct st_source *src, const char *path, int fd, char **cause)
{
	struct st_buf note = { 0 };
	struct st_input *in;
	struct stat sb;
	DIR *d;
	char **names = NULL, *sub, *why, *err = NULL;
	size_t n = 0, i, nread = 0, nskipped = 0;
	bool isreg, isdir;
	int rc = 0;

	if ((d = fdopendir(fd)) == NULL) {
		err = xstrdup(strerror(errno));
		close(fd);
		goto out;
	}
	if ((names = list_dir(d, &n, &err)) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		isreg = isdir = false;
		if (fstatat(dirfd(d), names[i], &sb, 0) == 0) {
			isreg = S_ISREG(sb.st_mode);
			isdir = S_ISDIR(sb.st_mode);
		}
		if (!isreg || (!auditd_named(names[i]) &&
		    !starts_as_audit(dirfd(d), names[i]))) {
			note_skipped(&note, path, names[i], isdir, ++nskipped);
			continue;
		}
		/* one that cannot be opened is listed with why, as a file
		 * named on the command line is; the first one is said */
		sub = join(path, names[i]);
		why = NULL;
		if (st_source_add(src, sub, &why) != 0 && rc == 0) {
			*cause = why;
			rc = -1;
		} else
			free(why);
		free(sub);
		nread++;
	}
	if (nskipped > SKIPPED_NAMED)
		st_buf_addf(&note, " and %zu more", nskipped - SKIPPED_NAMED);
	if (nskipped > 0) {
		src->notes = xreallocarray(src->notes, src->nnotes + 1,
		    sizeof *src->notes);
		src->notes[src->nnotes++] = st_buf_steal(&note);
	}
	if (nread == 0)
		err = xasprintf("no audit log in this directory (%zu entr%s "
		    "skipped)", nskipped, nskipped == 1 ? "y" : "ies");
out:
	if (err != NULL) {
		/* listed as an input that could not be read */
		in = insert(src, NULL, 0);
		in->name = xstrdup(path);
		in->fd = -1;
		in->error = err;
		if (rc == 0)
			*cause = xasprintf("%s: %s", path, err);
		rc = -1;
	}
	if (d != NULL)
		closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	st_buf_free(&note);
	return rc;
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

/*
 * The system trail: log (default: auditd.conf's log_file, else
 * /var/log/audit/audit.log) and its rotations, compressed by logrotate or
 * not (audit.log.2.gz): the files of its directory in log's rotation set,
 * put in order by insert() as any other input is.
 */
int
st_source_add_system(struct st_source *src, const char *log, char **cause)
{
	struct stat sb;
	DIR *d = NULL;
	const char *slash;
	char *conf = NULL, *dir = NULL, *set = NULL, *other, *path, *why = NULL;
	char **names = NULL;
	unsigned long rank;
	size_t n = 0, i;
	int rc = -1;

	if (log == NULL)
		log = conf = configured_log();
	if (log == NULL)
		log = DEFAULT_LOG;
	if (stat(log, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (set = rotation_set(log, &rank)) == NULL) {
		*cause = xasprintf("%s: no audit log here (is auditd running? "
		    "name a FILE to analyze)", log);
		goto out;
	}
	/* its rotations are named after it, in its directory */
	slash = strrchr(log, '/');
	if (slash != NULL)
		dir = slash == log ? xstrdup("/") :
		    xstrndup(log, (size_t)(slash - log));
	if ((d = opendir(dir != NULL ? dir : ".")) == NULL)
		why = xstrdup(strerror(errno));
	else
		names = list_dir(d, &n, &why);
	if (names == NULL) {
		*cause = xasprintf("%s: %s", dir != NULL ? dir : ".", why);
		goto out;
	}
	for (i = 0; i < n; i++) {
		path = dir != NULL ? join(dir, names[i]) : xstrdup(names[i]);
		other = rotation_set(path, &rank);
		if (other != NULL && strcmp(other, set) == 0 &&
		    stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    st_source_add(src, path, cause) != 0) {
			free(other);
			free(path);
			goto out;
		}
		free(other);
		free(path);
	}
	rc = 0;
out:
	if (d != NULL)
		closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(why);
	free(set);
	free(dir);
	free(conf);
	return rc;
}

/* ------------------------------------------------------------- reading */

struct lines {
	struct st_reader *r;
	struct st_input	*in;
	struct st_buf	 partial;
	bool		 overlong;
	size_t		 overlong_len;	/* bytes of the overlong line so far */
	/* for the progress line */
	struct st_source *src;
	struct st_progress prog;	/* done: before this input */
	unsigned long long raw;		/* of this input's file, as stored */
};

static void
progress(struct lines *l)
{
	struct st_progress p = l->prog;

	if (l->src->progress == NULL)
		return;
	p.done += l->raw;
	p.events = st_reader_stats(l->r)->events;
	l->src->progress(&p, l->src->progress_arg);
}

static void
lines_feed(struct lines *l, const char *p, size_t n)
{
	const char *nl;
	size_t take;

	l->in->bytes += n;
	while (n > 0) {
		nl = memchr(p, '\n', n);
		take = nl != NULL ? (size_t)(nl - p) : n;
		if (l->overlong)
			l->overlong_len += take;
		else {
			if (l->partial.len + take > LINE_MAX_BYTES) {
				l->overlong = true;
				l->overlong_len = l->partial.len + take;
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
		l->in->end = l->in->start + l->in->bytes - (n - take - 1);
		if (l->overlong) {
			l->in->lines++;
			st_reader_skip(l->r, "line longer than 64 KiB",
			    l->overlong_len + 1);
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

/*
 * The last line, which has no newline.  After a read error it was cut
 * where the data stopped: a record cut short would read as one with fewer
 * arguments, so it is skipped instead.  For a checkpoint it is left for
 * the next run: auditd may be writing it (in->end stops before it).
 */
static void
lines_end(struct lines *l, bool failed)
{
	if (l->src->resume && !failed && (l->overlong || l->partial.len > 0)) {
		l->in->tail = true;
	} else if (l->overlong || (failed && l->partial.len > 0)) {
		l->in->lines++;
		st_reader_skip(l->r, l->overlong ? "line longer than 64 KiB" :
		    "line cut short where the input could not be read further",
		    l->overlong ? l->overlong_len : l->partial.len);
	} else if (l->partial.len > 0) {
		l->in->lines++;
		st_reader_line(l->r, l->partial.d, l->partial.len);
	}
	st_buf_free(&l->partial);
}

/* read(2), again when interrupted; -1 with *cause. */
static ssize_t
read_some(int fd, void *buf, size_t len, char **cause)
{
	ssize_t n;

	while ((n = read(fd, buf, len)) < 0 && errno == EINTR)
		;
	if (n < 0)
		*cause = xstrdup(strerror(errno));
	return n;
}

/*
 * Reads fd to its end.  The bytes of the input read so far are counted
 * here, or, when fd is a decompressor's output, are the position of the
 * input file it reads (rawfd: the child shares its offset).
 */
static int
read_all(int fd, int rawfd, struct lines *l, const char *first,
    size_t nfirst, char **cause)
{
	char *buf = xmalloc(READ_CHUNK);
	off_t pos;
	ssize_t n;
	int rc = -1;

	if (nfirst > 0)
		lines_feed(l, first, nfirst);
	l->raw = nfirst;
	for (;;) {
		if ((n = read_some(fd, buf, READ_CHUNK, cause)) < 0)
			goto out;
		if (n == 0)
			break;
		lines_feed(l, buf, (size_t)n);
		if (rawfd < 0)
			l->raw += (unsigned long long)n;
		else if ((pos = lseek(rawfd, 0, SEEK_CUR)) >= 0)
			l->raw = (unsigned long long)pos;
		progress(l);
	}
	rc = 0;
out:
	free(buf);
	return rc;
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
		sigset_t none;

		/* the reader's thread blocks every signal (analyze.c): the
		 * decompressor must not inherit that, or SIGTERM below, ^C
		 * and SIGPIPE would not reach it */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(fd, STDIN_FILENO) < 0 || dup2(p[1], STDOUT_FILENO) < 0)
			_exit(126);
		close(p[0]);
		close(p[1]);
		execlp(prog, prog, "-dc", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	rc = read_all(p[0], fd, l, NULL, 0, cause);
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

/*
 * gzip through zlib, in-process: no program to find on a runner, and a
 * damaged rotation says where it is damaged.  Member after member, as
 * gzip -dc reads them (a log compressed in pieces and concatenated, or
 * appended to); zero bytes after the last are padding, as gzip takes
 * them.  Memory is the two chunk buffers and zlib's 32 KiB window.
 * Lines decompressed before an error have been fed to the reader and
 * stay there: the error says where the data stopped.
 */
static int
read_gzip(int fd, struct lines *l, const unsigned char *head, size_t nhead,
    char **cause)
{
	z_stream z;
	unsigned char *in = NULL, *out = NULL;
	unsigned long long at;
	bool eof = false, member = false, inited = false;
	ssize_t n;
	int zr, rc = -1;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK) {	/* 16: gzip only */
		*cause = xasprintf("zlib: %s", z.msg != NULL ? z.msg :
		    "cannot start inflating");
		goto out;
	}
	inited = true;
	in = xmalloc(READ_CHUNK);
	out = xmalloc(READ_CHUNK);
	memcpy(in, head, nhead);
	z.next_in = in;
	z.avail_in = (uInt)nhead;
	l->raw = nhead;
	for (;;) {
		if (z.avail_in == 0 && !eof) {
			if ((n = read_some(fd, in, READ_CHUNK, cause)) < 0)
				goto out;
			eof = n == 0;
			z.next_in = in;
			z.avail_in = (uInt)n;
			l->raw += (unsigned long long)n;
			progress(l);
			continue;
		}
		at = l->raw - z.avail_in;	/* offset of the next byte */
		if (z.avail_in == 0) {
			if (member) {
				*cause = xasprintf("truncated gzip data: the "
				    "file ends at byte %llu, inside a member "
				    "(what came before is read)", at);
				goto out;
			}
			break;
		}
		if (!member) {
			if (*z.next_in == 0) {	/* padding */
				z.next_in++;
				z.avail_in--;
				continue;
			}
			if (inflateReset(&z) != Z_OK)
				st_fatal("inflateReset");
			member = true;
		}
		z.next_out = out;
		z.avail_out = READ_CHUNK;
		zr = inflate(&z, Z_NO_FLUSH);
		lines_feed(l, (const char *)out, READ_CHUNK - z.avail_out);
		if (zr == Z_STREAM_END)
			member = false;
		else if (zr == Z_OK || (zr == Z_BUF_ERROR && z.avail_in == 0))
			continue;
		else {
			*cause = xasprintf("corrupt gzip data at byte %llu "
			    "(zlib: %s; what came before is read)",
			    l->raw - z.avail_in, z.msg != NULL ? z.msg :
			    zError(zr));
			goto out;
		}
	}
	rc = 0;
out:
	if (inited)
		inflateEnd(&z);
	free(in);
	free(out);
	return rc;
}

static int
read_input(struct st_input *in, struct lines *l, char **cause)
{
	unsigned char head[8];
	ssize_t n;
	size_t got = 0, i;
	int rc;

	/* Peek at the first bytes for a compression magic number. */
	while (got < sizeof head) {
		if ((n = read_some(in->fd, head + got, sizeof head - got,
		    cause)) < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	for (i = 0; i < NCOMPRESSORS && !in->plain; i++) {
		if (got < compressors[i].len ||
		    memcmp(head, compressors[i].magic, compressors[i].len) != 0)
			continue;
		in->decompressor = compressors[i].name;
		/* zlib reads from what was peeked on, so a pipe is fine */
		if (i == 0) {
			rc = read_gzip(in->fd, l, head, got, cause);
			lines_end(l, rc != 0);
			return rc;
		}
		if (in->fd == STDIN_FILENO) {
			*cause = xasprintf("standard input is %s-compressed: "
			    "decompress it first (%s -dc FILE | steptrail "
			    "analyze -)", compressors[i].name,
			    compressors[i].name);
			return -1;
		}
		rc = read_decompressed(compressors[i].name, in->fd, l, cause);
		lines_end(l, rc != 0);
		return rc;
	}
	rc = read_all(in->fd, -1, l, (const char *)head, got, cause);
	lines_end(l, rc != 0);
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
	struct st_progress total = { 0 };
	struct st_input *in;
	struct lines l;
	unsigned long valid_before, malformed_before;
	unsigned read_no = 0;
	char *err;
	size_t i;
	int rc = 0;

	for (i = 0; i < src->n; i++) {
		if (!src->v[i].sized && src->v[i].fd >= 0)
			break;
		total.total += src->v[i].size;
	}
	if (i < src->n)
		total.total = 0;		/* not known */
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
		if (in->skip) {		/* a checkpoint: nothing new in it */
			if (in->fd > STDIN_FILENO)
				close(in->fd);
			in->fd = -1;
			in->end = in->start;
			total.done += in->size;
			continue;
		}
		if (in->start > 0 && lseek(in->fd, (off_t)in->start,
		    SEEK_SET) != (off_t)in->start) {
			err = xasprintf("cannot seek to byte %llu: %s",
			    in->start, strerror(errno));
			in->start = 0;
		}
		in->end = in->start;
		in->read_no = ++read_no;
		st_reader_input(r, in->name, in->start);
		valid_before = st->valid;
		malformed_before = st->malformed;
		memset(&l, 0, sizeof l);
		l.r = r;
		l.in = in;
		l.src = src;
		l.prog = total;
		progress(&l);
		if (err != NULL || read_input(in, &l, &err) != 0)
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
		/* the file may have grown while read: the total is what
		 * was known before */
		total.done += in->size;
	}
	if (src->progress != NULL) {
		total.events = st->events;
		total.end = true;
		src->progress(&total, src->progress_arg);
	}
	return rc;
}
