/*
 * sftp_error.c - libssh2 and SFTP failures as vrp codes, for the sync engine
 * (see sftp.h for the classification).
 */
#include "cloud/providers/sftp.h"

#include "core/error_set.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

bool sftp_is_transport_error(int libssh2_rc)
{
	switch (libssh2_rc) {
	case LIBSSH2_ERROR_SFTP_PROTOCOL:
	case LIBSSH2_ERROR_ALLOC:
	case LIBSSH2_ERROR_FILE:
	case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
	case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
	case LIBSSH2_ERROR_BUFFER_TOO_SMALL:
	case LIBSSH2_ERROR_INVAL:
		return false;
	default:
		return libssh2_rc < 0;
	}
}

unsigned long sftp_status(const struct sftp *s)
{
	if (!s->session || !s->sftp ||
	    libssh2_session_last_errno(s->session) != LIBSSH2_ERROR_SFTP_PROTOCOL)
		return 0;
	return libssh2_sftp_last_error(s->sftp);
}

static int status_code(unsigned long status, const char **text)
{
	switch (status) {
	case LIBSSH2_FX_NO_SUCH_FILE:
	case LIBSSH2_FX_NO_SUCH_PATH:
		*text = "no such file or folder";
		return VRP_EREMOTE_NOT_FOUND;
	case LIBSSH2_FX_PERMISSION_DENIED:
	case LIBSSH2_FX_WRITE_PROTECT:
		*text = "permission denied (check the folder's owner and mode on the server)";
		return VRP_EPERMANENT;
	case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM:
	case LIBSSH2_FX_QUOTA_EXCEEDED:
		*text = "the server's disk or quota is full";
		return VRP_EQUOTA;
	case LIBSSH2_FX_OP_UNSUPPORTED:
		*text = "the server does not support this operation";
		return VRP_EPERMANENT;
	case LIBSSH2_FX_NO_CONNECTION:
	case LIBSSH2_FX_CONNECTION_LOST:
		*text = "the connection was lost";
		return VRP_ETRANSIENT;
	case LIBSSH2_FX_FAILURE:
		/* OpenSSH says only "failure" for EIO, EEXIST, ENOSPC...: retrying may help. */
		*text = "the server reported a failure";
		return VRP_ETRANSIENT;
	case LIBSSH2_FX_NOT_A_DIRECTORY:
	case LIBSSH2_FX_INVALID_FILENAME:
	case LIBSSH2_FX_FILE_ALREADY_EXISTS:
	case LIBSSH2_FX_DIR_NOT_EMPTY:
	case LIBSSH2_FX_LINK_LOOP:
		*text = "the path is not usable (a file where a folder should be, or the reverse)";
		return VRP_EPERMANENT;
	default:
		*text = "the server refused the request";
		return VRP_EPERMANENT;
	}
}

int sftp_fail(struct sftp *s, const char *what, const char *path)
{
	char *msg = NULL;
	int err = s->session ? libssh2_session_last_error(s->session, &msg, NULL, 0) : 0;
	const char *where = path ? path : "";
	if (err == LIBSSH2_ERROR_SFTP_PROTOCOL && s->sftp) {
		unsigned long status = libssh2_sftp_last_error(s->sftp);
		const char *text = "";
		int code = status_code(status, &text);
		return vrp_error_set(code, "%s %s on %s: %s (SFTP status %lu)", what, where,
				     s->set.host, text, status);
	}
	if (err == LIBSSH2_ERROR_ALLOC)
		return vrp_error_oom();
	/* The transport is in an unknown state: stop using it, and reconnect next time. */
	s->broken = true;
	if (s->sock >= 0)
		shutdown(s->sock, SHUT_RDWR);
	bool timeout = err == LIBSSH2_ERROR_TIMEOUT || err == LIBSSH2_ERROR_SOCKET_TIMEOUT;
	return vrp_error_set(VRP_ETRANSIENT, "%s %s on %s: %s (%s); will reconnect", what, where,
			     s->set.host,
			     timeout ? "the server stopped answering" : "connection lost",
			     msg && *msg ? msg : "no detail");
}

bool sftp_retry_stale(struct sftp *s, int rc, int attempt)
{
	return rc == VRP_ETRANSIENT && attempt == 0 && s->reused && s->broken;
}

int sftp_check_full(struct sftp *s, const char *dir, int64_t remaining, int rc)
{
	LIBSSH2_SFTP_STATVFS vfs;
	if (!s->sftp || s->broken || libssh2_sftp_statvfs(s->sftp, dir, strlen(dir), &vfs) != 0)
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
