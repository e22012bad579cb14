/*
 * kaudit.c: the only file that talks to kernel audit (netlink, through
 * libaudit): status, the rule list, adding and deleting rules, the enabled
 * flag and backlog limit, and user messages written into the trail.
 *
 * Every request is answered by the kernel, so replies are read blocking,
 * but never more than REPLIES_MAX of them: a reply we do not recognise
 * must not keep us reading forever.  Errors come back as text naming what
 * failed and the likely cause (not root, no kernel audit, rules locked).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libaudit.h>

#include "steptrail.h"

/* A rule list is one reply per rule, plus acks; rule sets have hundreds. */
#define REPLIES_MAX	100000

static char *
why(const char *what, int err)
{
	if (err == EPERM || err == EACCES)
		return xasprintf("%s: permission denied (kernel audit needs "
		    "root, or CAP_AUDIT_CONTROL)", what);
	if (err == EPROTONOSUPPORT || err == EAFNOSUPPORT)
		return xasprintf("%s: this kernel has no audit support "
		    "(CONFIG_AUDIT)", what);
	if (err == ECONNREFUSED)
		return xasprintf("%s: kernel audit is disabled (audit=0 on "
		    "the kernel command line?)", what);
	return xasprintf("%s: %s", what, strerror(err));
}

/*
 * The error of a libaudit call that failed with rc: its netlink calls
 * return -errno themselves (errno is not always set), 0 if nothing was
 * sent.
 */
static int
err_of(int rc)
{
	if (rc < 0)
		return -rc;
	return errno != 0 ? errno : EIO;
}

int
st_kaudit_open(char **cause)
{
	int fd;

	errno = 0;
	fd = audit_open();
	if (fd < 0) {
		*cause = why("cannot open the kernel audit socket",
		    errno ? errno : EPROTONOSUPPORT);
		return -1;
	}
	return fd;
}

void
st_kaudit_close(int fd)
{
	if (fd >= 0)
		audit_close(fd);
}

/* The next reply of type want; -1 on a kernel error or too many others. */
static int
reply(int fd, struct audit_reply *rep, int want, const char *what,
    char **cause)
{
	int i, rc;

	for (i = 0; i < REPLIES_MAX; i++) {
		rc = audit_get_reply(fd, rep, GET_REPLY_BLOCKING, 0);
		if (rc < 0) {
			*cause = why(what, -rc);
			return -1;
		}
		if (rep->type == want)
			return 0;
		if (rep->type == NLMSG_ERROR && rep->error->error != 0) {
			*cause = why(what, -rep->error->error);
			return -1;
		}
		if (rep->type == NLMSG_DONE && want != NLMSG_DONE) {
			*cause = xasprintf("%s: no answer from the kernel",
			    what);
			return -1;
		}
	}
	*cause = xasprintf("%s: too many replies", what);
	return -1;
}

int
st_kaudit_status(int fd, struct st_kstatus *st, char **cause)
{
	struct audit_reply rep;

	int rc;

	memset(st, 0, sizeof *st);
	if ((rc = audit_request_status(fd)) <= 0) {
		*cause = why("cannot read the audit status", err_of(rc));
		return -1;
	}
	if (reply(fd, &rep, AUDIT_GET, "cannot read the audit status",
	    cause) != 0)
		return -1;
	st->enabled = rep.status->enabled;
	st->failure = rep.status->failure;
	st->pid = rep.status->pid;
	st->rate_limit = rep.status->rate_limit;
	st->backlog_limit = rep.status->backlog_limit;
	st->lost = rep.status->lost;
	st->backlog = rep.status->backlog;
	st->backlog_wait_time = rep.status->backlog_wait_time;
	return 0;
}

void
st_kaudit_rules_free(struct st_krules *kr)
{
	size_t i;

	for (i = 0; i < kr->n; i++)
		free(kr->v[i]);
	free(kr->v);
	memset(kr, 0, sizeof *kr);
}

/* Copies of every rule loaded in the kernel, in kernel order. */
int
st_kaudit_rules(int fd, struct st_krules *kr, char **cause)
{
	const char *what = "cannot list the audit rules";
	struct audit_reply rep;
	size_t size;
	int i, rc;

	memset(kr, 0, sizeof *kr);
	if ((rc = audit_request_rules_list_data(fd)) <= 0) {
		*cause = why(what, err_of(rc));
		return -1;
	}
	for (i = 0; i < REPLIES_MAX; i++) {
		rc = audit_get_reply(fd, &rep, GET_REPLY_BLOCKING, 0);
		if (rc < 0) {
			*cause = why(what, -rc);
			goto fail;
		}
		if (rep.type == NLMSG_DONE)
			return 0;
		if (rep.type == NLMSG_ERROR) {
			if (rep.error->error == 0)
				continue;	/* ack */
			*cause = why(what, -rep.error->error);
			goto fail;
		}
		if (rep.type != AUDIT_LIST_RULES)
			continue;
		size = st_rule_size(rep.ruledata);
		kr->v = xreallocarray(kr->v, kr->n + 1, sizeof *kr->v);
		kr->v[kr->n] = xmalloc(size);
		memcpy(kr->v[kr->n], rep.ruledata, size);
		kr->n++;
	}
	*cause = xasprintf("%s: too many replies", what);
fail:
	st_kaudit_rules_free(kr);
	return -1;
}

/*
 * The kernel keeps rules in three lists we care about; prepending puts a
 * rule before any that could shadow it (the first matching exit rule
 * decides whether a syscall is logged).
 */
int
st_kaudit_add(int fd, struct audit_rule_data *d, int list, int action,
    bool prepend, char **cause)
{
	int rc;

	rc = audit_add_rule_data(fd, d, list | (prepend ?
	    AUDIT_FILTER_PREPEND : 0), action);
	if (rc == -EEXIST)
		return 1;	/* loaded already: not an error */
	if (rc <= 0) {
		*cause = why("cannot add the rule", err_of(rc));
		return -1;
	}
	return 0;
}

int
st_kaudit_delete(int fd, struct audit_rule_data *d, char **cause)
{
	int rc;

	rc = audit_delete_rule_data(fd, d, (int)(d->flags &
	    ~AUDIT_FILTER_PREPEND), (int)d->action);
	if (rc <= 0) {
		*cause = why("cannot delete the rule", err_of(rc));
		return -1;
	}
	return 0;
}

int
st_kaudit_set_enabled(int fd, uint32_t enabled, char **cause)
{
	int rc;

	errno = 0;
	if ((rc = audit_set_enabled(fd, enabled)) <= 0) {
		*cause = why("cannot set the audit enabled flag", err_of(rc));
		return -1;
	}
	return 0;
}

int
st_kaudit_set_backlog(int fd, uint32_t limit, char **cause)
{
	int rc;

	errno = 0;
	if ((rc = audit_set_backlog_limit(fd, limit)) <= 0) {
		*cause = why("cannot set the audit backlog limit", err_of(rc));
		return -1;
	}
	return 0;
}

/*
 * Writes text into the audit trail as a user message (AUDIT_TRUSTED_APP:
 * freestyle text from a trusted program), stamped with our pid and a
 * serial number like any record.
 */
int
st_kaudit_message(int fd, const char *text, char **cause)
{
	int rc;

	errno = 0;
	if ((rc = audit_log_user_message(fd, AUDIT_TRUSTED_APP, text, NULL,
	    NULL, NULL, 1)) <= 0) {
		*cause = why("cannot write a message into the audit trail",
		    err_of(rc));
		return -1;
	}
	return 0;
}
