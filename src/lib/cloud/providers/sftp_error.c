/*
 * sftp_error.c - transport and SFTP failures as vrp codes, for the sync engine
 * (see sftp.h for the classification).
 */
#include "cloud/providers/sftp.h"

#include "core/error_set.h"

#include <stdio.h>
#include <string.h>

unsigned long sftp_status(struct sftp *s)
{
	s->ops->last_failure(s, &s->failure);
	return s->failure.kind == SFTP_FAILURE_STATUS ? s->failure.status : 0;
}

static int status_code(unsigned long status, const char **text)
{
	switch (status) {
	case SFTP_FX_NO_SUCH_FILE:
	case SFTP_FX_NO_SUCH_PATH:
		*text = "no such file or folder";
		return VRP_EREMOTE_NOT_FOUND;
	case SFTP_FX_PERMISSION_DENIED:
	case SFTP_FX_WRITE_PROTECT:
		*text = "permission denied (check the folder's owner and mode on the server)";
		return VRP_EPERMANENT;
	case SFTP_FX_NO_SPACE_ON_FILESYSTEM:
	case SFTP_FX_QUOTA_EXCEEDED:
		*text = "the server's disk or quota is full";
		return VRP_EQUOTA;
	case SFTP_FX_OP_UNSUPPORTED:
		*text = "the server does not support this operation";
		return VRP_EPERMANENT;
	case SFTP_FX_NO_CONNECTION:
	case SFTP_FX_CONNECTION_LOST:
		*text = "the connection was lost";
		return VRP_ETRANSIENT;
	case SFTP_FX_FAILURE:
		/* OpenSSH says only "failure" for EIO, EEXIST, ENOSPC...: retrying may help. */
		*text = "the server reported a failure";
		return VRP_ETRANSIENT;
	case SFTP_FX_NOT_A_DIRECTORY:
	case SFTP_FX_INVALID_FILENAME:
	case SFTP_FX_FILE_ALREADY_EXISTS:
	case SFTP_FX_DIR_NOT_EMPTY:
	case SFTP_FX_LINK_LOOP:
		*text = "the path is not usable (a file where a folder should be, or the reverse)";
		return VRP_EPERMANENT;
	default:
		*text = "the server refused the request";
		return VRP_EPERMANENT;
	}
}

int sftp_fail(struct sftp *s, const char *what, const char *path)
{
	struct sftp_failure *f = &s->failure;
	s->ops->last_failure(s, f);
	const char *where = path ? path : "";
	if (f->kind == SFTP_FAILURE_STATUS) {
		const char *text = "";
		int code = status_code(f->status, &text);
		return vrp_error_set(code, "%s %s on %s: %s (SFTP status %lu)", what, where,
				     s->set.host, text, f->status);
	}
	if (f->kind == SFTP_FAILURE_OOM)
		return vrp_error_oom();
	/* The transport is in an unknown state: stop using it, and reconnect next time. */
	s->broken = true;
	s->ops->abort(s);
	return vrp_error_set(VRP_ETRANSIENT, "%s %s on %s: %s (%s); will reconnect", what, where,
			     s->set.host,
			     f->timeout ? "the server stopped answering" : "connection lost",
			     *f->detail ? f->detail : "no detail");
}

bool sftp_retry_stale(struct sftp *s, int rc, int attempt)
{
	return rc == VRP_ETRANSIENT && attempt == 0 && s->reused && s->broken;
}

int sftp_check_full(struct sftp *s, const char *dir, int64_t remaining, int rc)
{
	struct sftp_statvfs vfs;
	if (!s->ops->connected(s) || s->broken || s->ops->statvfs(s, dir, &vfs) != 0)
		return rc;
	int64_t room = (int64_t)(vfs.f_bavail * vfs.f_frsize);
	if (room >= remaining)
		return rc;
	char cause[256];
	snprintf(cause, sizeof(cause), "%s", vrp_error_last()->message);
	return vrp_error_set(VRP_EQUOTA,
			     "the server's disk is full: %lld bytes free under %s on %s, %lld more "
			     "needed (%s)",
			     (long long)room, dir, s->set.host, (long long)remaining, cause);
}
