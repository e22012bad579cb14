/*
 * run.c: `steptrail run -- CMD`: run a command under audit, capture what
 * the kernel logged while it ran, and hand that to the analysis.
 *
 * The records go to the audit daemon that is registered (auditd, whose
 * log is read from where it stood when the command started) or, if there
 * is none, to a private auditd started for the occasion (daemon.c).  Our
 * rules are installed for the run unless they already are, and removed
 * afterwards; everything capture.c and daemon.c changed is put back, also
 * when the command fails or we are interrupted (SIGINT, SIGTERM and
 * SIGHUP are passed on to the command, and the cleanup runs after it).
 *
 * When the command has exited, a user message with a random nonce is
 * written into the trail; once the log contains it, every record of the
 * command is in the log (auditd writes in order).  The captured part is
 * copied to a file of its own, which the analysis then reads.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "steptrail.h"

/* auditd writes within a second; give the end marker ten. */
#define MARKER_TRIES	100
#define MARKER_NS	100000000L
#define COPY_CHUNK	(256 * 1024)

static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t pending_sig;

/*
 * From the first change to the kernel to the last restore: a signal is
 * passed to the command while it runs, and otherwise noted, so that the
 * cleanup always runs; st_run() reports it and the caller exits 128+N.
 */
static void
forward(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
	else
		pending_sig = sig;
}

/* Where a growing log stood when the command started. */
struct segment {
	char		*path;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 off;
};

struct copier {
	int		 out;
	const char	*nonce;
	size_t		 matched;	/* bytes of nonce matched so far */
	bool		 found;
	unsigned long long bytes;
};

static void
scan(struct copier *c, const char *p, size_t n)
{
	size_t i, len = strlen(c->nonce);

	for (i = 0; i < n && !c->found; i++) {
		if (p[i] == c->nonce[c->matched])
			c->matched++;
		else
			c->matched = p[i] == c->nonce[0] ? 1 : 0;
		if (c->matched == len)
			c->found = true;
	}
}

/* Copies path from *off to its end; -1 on a read or write error. */
static int
copy_from(struct copier *c, const char *path, off_t *off, char **cause)
{
	char *buf = xmalloc(COPY_CHUNK);
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		goto out;
	}
	if (lseek(fd, *off, SEEK_SET) != *off) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		goto out;
	}
	while ((n = read(fd, buf, COPY_CHUNK)) > 0) {
		scan(c, buf, (size_t)n);
		if (write(c->out, buf, (size_t)n) != n) {
			*cause = xasprintf("cannot keep the captured records: %s",
			    strerror(errno));
			goto out;
		}
		*off += n;
		c->bytes += (unsigned long long)n;
	}
	rc = n < 0 ? -1 : 0;
	if (n < 0)
		*cause = xasprintf("%s: %s", path, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

/*
 * Copies what the log gained since seg, following one rotation (auditd
 * renames audit.log to audit.log.1 and starts afresh), until the end
 * marker is in.
 */
static int
copy_segment(struct segment *seg, struct copier *c, char **cause)
{
	struct timespec nap = { 0, MARKER_NS };
	struct stat sb;
	char *rotated;
	off_t zero;
	int i;

	for (i = 0; i < MARKER_TRIES && !c->found && pending_sig == 0; i++) {
		if (stat(seg->path, &sb) != 0) {
			*cause = xasprintf("%s: %s", seg->path,
			    strerror(errno));
			return -1;
		}
		if (sb.st_ino != seg->ino || sb.st_dev != seg->dev) {
			rotated = xasprintf("%s.1", seg->path);
			if (copy_from(c, rotated, &seg->off, cause) != 0) {
				free(rotated);
				return -1;
			}
			free(rotated);
			seg->ino = sb.st_ino;
			seg->dev = sb.st_dev;
			seg->off = 0;
		}
		zero = seg->off;
		if (copy_from(c, seg->path, &zero, cause) != 0)
			return -1;
		seg->off = zero;
		if (!c->found)
			nanosleep(&nap, NULL);
	}
	return 0;
}

static char *
nonce_text(void)
{
	unsigned char r[8];
	int fd;
	size_t i;
	struct timespec ts;
	char *s;

	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) < 0 ||
	    read(fd, r, sizeof r) != (ssize_t)sizeof r) {
		clock_gettime(CLOCK_REALTIME, &ts);
		memcpy(r, &ts.tv_nsec, sizeof r < sizeof ts.tv_nsec ?
		    sizeof r : sizeof ts.tv_nsec);
	}
	if (fd >= 0)
		close(fd);
	s = xstrdup("steptrail-run-end-0000000000000000");
	for (i = 0; i < sizeof r; i++)
		snprintf(s + 18 + 2 * i, 3, "%02x", r[i]);
	return s;
}

static int
launch(char **argv, pid_t *pid, char **cause)
{
	struct sigaction sa;

	if ((*pid = fork()) < 0) {
		*cause = xasprintf("cannot start %s: %s", argv[0],
		    strerror(errno));
		return -1;
	}
	if (*pid == 0) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_DFL;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		execvp(argv[0], argv);
		fprintf(stderr, "steptrail run: %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	return 0;
}

/* The command's exit status, the shell's way: 128+N for signal N. */
static int
wait_for(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 127;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 127;
}

void
st_run_result_free(struct st_run_result *res)
{
	free(res->log);
	free(res->notes);
	memset(res, 0, sizeof *res);
}

static void
add_note(struct st_run_result *res, const char *s)
{
	struct st_buf b = { 0 };

	if (res->notes != NULL)
		st_buf_adds(&b, res->notes);
	st_buf_addf(&b, "%s\n", s);
	free(res->notes);
	res->notes = st_buf_steal(&b);
}

/*
 * Runs argv under audit.  keep: where to leave the captured records (NULL:
 * a temporary file the caller removes).  Returns -1 with *cause if the
 * command could not be run under audit; afterwards the audit state is as
 * it was found, whatever happened.
 */
int
st_run(const struct st_ruleset *rs, char **argv, const char *keep,
    struct st_run_result *res, char **cause)
{
	struct st_capture_result cap;
	struct st_capture_state cs;
	struct st_daemon d;
	struct st_kstatus st;
	struct segment seg = { 0 };
	struct copier cp = { -1, NULL, 0, false, 0 };
	struct sigaction sa, old_int, old_term, old_hup;
	struct stat sb;
	char *nonce = NULL, *err = NULL, *text;
	bool installed = false, started = false;
	size_t i;
	int fd, lock, rc = -1, have;
	pid_t pid;

	memset(res, 0, sizeof *res);
	memset(&d, 0, sizeof d);
	memset(&cap, 0, sizeof cap);
	pending_sig = 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	if ((lock = st_capture_lock(cause)) == -1)
		goto restore;
	if ((fd = st_kaudit_open(cause)) < 0) {
		st_capture_unlock(lock);
		goto restore;
	}
	if (st_kaudit_status(fd, &st, cause) != 0)
		goto out;
	if (st.pid != 0) {
		text = st_source_system_log();
		seg.path = text;
		res->daemon_pid = (long)st.pid;
	} else {
		if (st_daemon_start(&d, fd, cause) != 0)
			goto out;
		started = true;
		res->private_daemon = true;
		res->daemon_pid = (long)d.pid;
		seg.path = xstrdup(d.log);
	}
	if (stat(seg.path, &sb) != 0) {
		*cause = xasprintf("%s: %s (the registered audit daemon, pid "
		    "%ld, does not write there: is it auditd?)", seg.path,
		    strerror(errno), res->daemon_pid);
		goto out;
	}
	seg.dev = sb.st_dev;
	seg.ino = sb.st_ino;
	seg.off = sb.st_size;

	if ((have = st_capture_state_load(&cs, cause)) < 0)
		goto out;
	st_capture_state_free(&cs);
	if (st_capture_install(rs, "run", true, &cap, cause) != 0)
		goto out;
	installed = have == 0;	/* else `rules install` owns them */

	res->log = keep != NULL ? xstrdup(keep) :
	    xstrdup("/tmp/steptrail-run.XXXXXX");
	cp.out = keep != NULL ? open(keep, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600) : mkostemp(res->log, O_CLOEXEC);
	if (cp.out < 0) {
		*cause = xasprintf("%s: %s", res->log, strerror(errno));
		goto out;
	}

	if (pending_sig == 0 && launch(argv, &pid, cause) == 0) {
		child_pid = pid;
		/* one that came between fork() and here is the command's */
		if (pending_sig != 0)
			kill(pid, pending_sig);
		res->pid = (long)pid;
		res->status = wait_for(pid);
		child_pid = 0;
		res->ran = true;
	}
	if (!res->ran)
		goto out;

	nonce = nonce_text();
	cp.nonce = nonce;
	if (st_kaudit_message(fd, nonce, &err) != 0) {
		add_note(res, err);
		free(err);
		err = NULL;
	}
	if (copy_segment(&seg, &cp, cause) != 0)
		goto out;
	if (!cp.found)
		add_note(res, "the end of the capture may be missing: the "
		    "audit daemon did not write the end marker within 10 s");
	res->bytes = cp.bytes;
	rc = 0;
out:
	if (cp.out >= 0 && close(cp.out) != 0 && rc == 0) {
		*cause = xasprintf("%s: %s", res->log, strerror(errno));
		rc = -1;
	}
	/* what install changed, for the report (all of it put back below) */
	for (i = 0; i < cap.nnotes; i++)
		add_note(res, cap.notes[i]);
	/* Put everything back, whatever happened above. */
	if (installed) {
		st_capture_result_free(&cap);
		if (st_capture_remove(&cap, &err) != 0) {
			text = xasprintf("could not restore the audit rules: %s "
			    "(run steptrail rules remove)", err);
			add_note(res, text);
			free(text);
			free(err);
			err = NULL;
		}
		st_capture_result_free(&cap);
	} else
		st_capture_result_free(&cap);
	if (started) {
		if (st_daemon_stop(&d, &err) != 0) {
			add_note(res, err);
			free(err);
		}
		st_daemon_free(&d);
	}
	free(seg.path);
	free(nonce);
	st_kaudit_close(fd);
	st_capture_unlock(lock);
restore:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	res->signal = pending_sig;	/* everything is back: now act on it */
	return rc;
}
