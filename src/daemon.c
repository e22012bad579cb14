/*
 * daemon.c: a private auditd for `steptrail run` when no audit daemon is
 * registered: its own configuration and log in a fresh directory, started
 * as our child, stopped by its pid, and nothing of it left behind.
 *
 * auditd is started with `-s nochange` so that the enabled flag stays
 * capture.c's business (it saves and restores it).  auditd writes its
 * pid file and removes it when it exits: one that was there before (a
 * stopped system auditd's) is put back as it was.
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

#define PIDFILE		"/run/auditd.pid"
/* auditd registers with the kernel within a second; give it ten. */
#define START_TRIES	100
#define STOP_TRIES	100
#define TRY_NS		100000000L	/* 0.1 s */

static const char *const auditd_paths[] = {
	"/usr/sbin/auditd",
	"/sbin/auditd",
};

static void
nap(void)
{
	struct timespec ts = { 0, TRY_NS };

	nanosleep(&ts, NULL);
}

/* A pid file's text: a line, at most a few bytes; NULL if unreadable. */
static char *
read_small(const char *path)
{
	char buf[256];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return NULL;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

static int
write_file(const char *path, const char *text, mode_t mode, char **cause)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    close(fd) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

/*
 * RAW records to a private log, no plugins, and no action ever taken on
 * disk space or errors (the defaults would suspend logging, or halt).
 */
static char *
config_text(const char *dir)
{
	return xasprintf(
	    "# steptrail run's private auditd\n"
	    "local_events = yes\n"
	    "write_logs = yes\n"
	    "log_file = %s/audit.log\n"
	    "log_group = root\n"
	    "log_format = RAW\n"
	    "flush = INCREMENTAL_ASYNC\n"
	    "freq = 50\n"
	    "max_log_file = 4096\n"
	    "num_logs = 1\n"
	    "priority_boost = 0\n"
	    "name_format = NONE\n"
	    "max_log_file_action = IGNORE\n"
	    "space_left = 2\n"
	    "space_left_action = IGNORE\n"
	    "admin_space_left = 1\n"
	    "admin_space_left_action = IGNORE\n"
	    "disk_full_action = IGNORE\n"
	    "disk_error_action = IGNORE\n"
	    "use_libwrap = no\n"
	    "q_depth = 2000\n"
	    "overflow_action = IGNORE\n"
	    "max_restarts = 0\n"
	    "plugin_dir = %s/plugins\n"
	    "end_of_event_timeout = 2\n", dir, dir);
}

void
st_daemon_free(struct st_daemon *d)
{
	char *p;

	if (d->dir != NULL) {
		p = xasprintf("%s/auditd.conf", d->dir);
		unlink(p);
		free(p);
		p = xasprintf("%s/auditd.out", d->dir);
		unlink(p);
		free(p);
		p = xasprintf("%s/plugins", d->dir);
		rmdir(p);
		free(p);
		unlink(d->log);
		rmdir(d->dir);
	}
	free(d->dir);
	free(d->log);
	free(d->pidfile_text);
	memset(d, 0, sizeof *d);
}

static const char *
auditd_path(void)
{
	size_t i;

	for (i = 0; i < sizeof auditd_paths / sizeof auditd_paths[0]; i++)
		if (access(auditd_paths[i], X_OK) == 0)
			return auditd_paths[i];
	return NULL;
}

/* The last line auditd wrote, for an error message. */
static char *
last_words(const char *dir)
{
	char *path = xasprintf("%s/auditd.out", dir), buf[4096], *nl;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return xstrdup("no output");
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return xstrdup("no output");
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	nl = strrchr(buf, '\n');
	return xstrdup(nl != NULL ? nl + 1 : buf);
}

int
st_daemon_start(struct st_daemon *d, int auditfd, char **cause)
{
	struct st_kstatus st;
	const char *exe = auditd_path();
	char *text, *p, *words, *err = NULL;
	int out, i, status;
	pid_t pid;

	memset(d, 0, sizeof *d);
	if (exe == NULL) {
		*cause = xstrdup("auditd is not installed (apt-get install "
		    "auditd)");
		return -1;
	}
	d->dir = xstrdup("/tmp/steptrail-auditd.XXXXXX");
	if (mkdtemp(d->dir) == NULL) {
		*cause = xasprintf("cannot make a directory for auditd: %s",
		    strerror(errno));
		free(d->dir);
		d->dir = NULL;
		return -1;
	}
	d->log = xasprintf("%s/audit.log", d->dir);
	p = xasprintf("%s/plugins", d->dir);
	mkdir(p, 0700);
	free(p);
	text = config_text(d->dir);
	p = xasprintf("%s/auditd.conf", d->dir);
	i = write_file(p, text, 0640, cause);
	free(p);
	free(text);
	if (i != 0)
		goto fail;
	d->pidfile_existed = access(PIDFILE, F_OK) == 0;
	d->pidfile_text = d->pidfile_existed ? read_small(PIDFILE) : NULL;

	p = xasprintf("%s/auditd.out", d->dir);
	out = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	free(p);
	if (out < 0) {
		*cause = xasprintf("cannot start auditd: %s", strerror(errno));
		goto fail;
	}
	if ((pid = fork()) < 0) {
		*cause = xasprintf("cannot start auditd: %s", strerror(errno));
		close(out);
		goto fail;
	}
	if (pid == 0) {
		if (dup2(out, STDOUT_FILENO) < 0 ||
		    dup2(out, STDERR_FILENO) < 0)
			_exit(126);
		if ((i = open("/dev/null", O_RDONLY)) >= 0)
			dup2(i, STDIN_FILENO);
		execl(exe, exe, "-n", "-s", "nochange", "-c", d->dir,
		    (char *)NULL);
		_exit(127);
	}
	close(out);
	d->pid = pid;
	for (i = 0; i < START_TRIES; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			d->pid = 0;
			words = last_words(d->dir);
			*cause = xasprintf("auditd exited at start: %s", words);
			free(words);
			goto fail;
		}
		if (st_kaudit_status(auditfd, &st, &err) == 0 &&
		    st.pid == (uint32_t)pid)
			return 0;
		free(err);
		err = NULL;
		nap();
	}
	*cause = xasprintf("auditd (pid %ld) did not register with the "
	    "kernel within %d seconds", (long)pid, START_TRIES / 10);
	st_daemon_stop(d, &err);
	free(err);
fail:
	st_daemon_free(d);
	return -1;
}

/* Stops our auditd by its pid: SIGTERM, then SIGKILL if it lingers. */
int
st_daemon_stop(struct st_daemon *d, char **cause)
{
	char *err = NULL;
	int i, status, rc = 0;

	if (d->pid <= 0)
		return 0;
	kill(d->pid, SIGTERM);
	for (i = 0; i < STOP_TRIES; i++) {
		if (waitpid(d->pid, &status, WNOHANG) == d->pid)
			break;
		nap();
	}
	if (i == STOP_TRIES) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, &status, 0);
		*cause = xasprintf("auditd (pid %ld) ignored SIGTERM for %d "
		    "seconds: killed", (long)d->pid, STOP_TRIES / 10);
		rc = -1;
	}
	d->pid = 0;
	if (!d->pidfile_existed)
		unlink(PIDFILE);
	else if (d->pidfile_text != NULL) {
		unlink(PIDFILE);
		if (write_file(PIDFILE, d->pidfile_text, 0644, &err) != 0) {
			if (rc == 0)
				*cause = err;
			else
				free(err);
			rc = -1;
		}
	}
	return rc;
}
