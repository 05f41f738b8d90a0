/* error.c - codes, their stable names, and the thread-local last error. */
#include "core/error_set.h"
#include "core/redact.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct code_info {
	const char *name;
	const char *text;
	unsigned char exit_status;
	bool transient;
};

/* Indexed by -code. sysexits: 64 usage, 65 data, 66 noinput, 69 unavailable,
 * 70 software, 71 oserr, 73 cantcreat, 74 ioerr, 75 tempfail, 77 noperm. */
static const struct code_info codes[VRP_ERROR_COUNT] = {
	[0] = { "OK", "success", 0, false },
	[-VRP_ERROR] = { "ERR_INTERNAL", "internal error", 70, false },
	[-VRP_ENOMEM] = { "ERR_NO_MEMORY", "out of memory", 71, false },
	[-VRP_EINVAL] = { "ERR_INVALID_ARGUMENT", "invalid argument", 64, false },
	[-VRP_EUSAGE] = { "ERR_USAGE", "invalid command line", 64, false },
	[-VRP_ENOTFOUND] = { "ERR_NOT_FOUND", "not found", 66, false },
	[-VRP_EEXISTS] = { "ERR_ALREADY_EXISTS", "already exists", 65, false },
	[-VRP_EIO] = { "ERR_IO", "input/output error", 74, false },
	[-VRP_ENOSPC] = { "ERR_NO_SPACE", "no space left on device", 74, false },
	[-VRP_EPERM] = { "ERR_PERMISSION", "permission denied", 77, false },
	[-VRP_EREADONLY] = { "ERR_READ_ONLY", "read-only library or database", 77, false },
	[-VRP_EDB] = { "ERR_DB", "database error", 74, false },
	[-VRP_EBUSY] = { "ERR_BUSY", "the library is locked by another process", 75, true },
	[-VRP_ENOTADB] = { "ERR_NOT_A_DATABASE", "file is not a SQLite database", 65, false },
	[-VRP_ECORRUPTDB] = { "ERR_CORRUPT_DB", "the database is corrupt", 65, false },
	[-VRP_ESCHEMA_TOO_NEW] = { "ERR_SCHEMA_TOO_NEW", "the database was made by a newer vrp", 65,
				   false },
	[-VRP_EMIGRATION] = { "ERR_MIGRATION_FAILED", "a schema migration failed", 70, false },
	[-VRP_ENOLIBRARY] = { "ERR_NO_LIBRARY", "no library here; run `vrp init`", 66, false },
	[-VRP_EUNSUPPORTED_MEDIA] = { "ERR_UNSUPPORTED_MEDIA", "not a supported audio file", 65,
				      false },
	[-VRP_ECORRUPT_MEDIA] = { "ERR_CORRUPT_MEDIA", "the audio file is damaged", 65, false },
	[-VRP_ECHECKSUM] = { "ERR_CHECKSUM_MISMATCH", "checksum mismatch", 65, false },
	[-VRP_EAUTH] = { "ERR_AUTH", "authentication failed", 77, false },
	[-VRP_EAUTH_EXPIRED] = { "ERR_AUTH_EXPIRED", "authorisation expired", 77, false },
	[-VRP_ERATE_LIMIT] = { "ERR_UPLOAD_RATE_LIMIT", "rate limited by the remote", 75, true },
	[-VRP_ETRANSIENT] = { "ERR_TRANSIENT", "temporary failure", 75, true },
	[-VRP_EQUOTA] = { "ERR_QUOTA_EXCEEDED", "the remote storage is full", 73, false },
	[-VRP_ECONFLICT] = { "ERR_CONFLICT", "remote and local copies conflict", 65, false },
	[-VRP_EREMOTE_NOT_FOUND] = { "ERR_REMOTE_NOT_FOUND", "remote object not found", 69, false },
	[-VRP_EPERMANENT] = { "ERR_PERMANENT", "the remote refused the request", 69, false },
	[-VRP_ECANCELLED] = { "ERR_CANCELLED", "cancelled", 75, false },
	[-VRP_EUNAVAILABLE] = { "ERR_REMOTE_UNAVAILABLE", "cannot reach the remote", 69, true },
	[-VRP_ENOTSUP] = { "ERR_NOT_SUPPORTED", "not supported", 69, false },
	[-VRP_ENOTFILE] = { "ERR_NOT_A_FILE", "not a regular file", 65, false },
	[-VRP_EEMPTY] = { "ERR_EMPTY_FILE", "the file is empty", 65, false },
};

#define MESSAGE_MAX 1024
#define CONTEXT_MAX 512

static _Thread_local struct {
	vrp_error pub;
	char message[MESSAGE_MAX];
	char context[CONTEXT_MAX];
} last = { { 0, "OK", "", "" }, "", "" };

static const struct code_info *info(int code)
{
	if (code > 0 || code <= -VRP_ERROR_COUNT)
		return &codes[-VRP_ERROR];
	return &codes[-code];
}

const vrp_error *vrp_error_last(void)
{
	last.pub.message = last.message;
	last.pub.context = last.context;
	last.pub.code_name = info(last.pub.code)->name;
	return &last.pub;
}

void vrp_error_clear(void)
{
	last.pub.code = VRP_OK;
	last.message[0] = '\0';
	last.context[0] = '\0';
}

const char *vrp_error_code_name(int code) { return info(code)->name; }

const char *vrp_strerror(int code) { return info(code)->text; }

bool vrp_error_is_transient(int code) { return info(code)->transient; }

int vrp_error_exit_status(int code) { return info(code)->exit_status; }

const char *vrp_exit_status_meaning(int status)
{
	switch (status) {
	case 0:
		return "success";
	case 64:
		return "usage: the command line is wrong";
	case 65:
		return "bad input data: a file, database or remote object was rejected";
	case 66:
		return "not found: no such recording, file, remote or library";
	case 69:
		return "the remote is unavailable or refused";
	case 70:
		return "internal error";
	case 71:
		return "out of memory";
	case 73:
		return "the remote storage is full";
	case 74:
		return "input/output error";
	case 75:
		return "temporary failure: try again later";
	case 77:
		return "permission denied or authorisation needed";
	default:
		return NULL;
	}
}

static int set_v(int code, const char *fmt, va_list ap)
{
	/* Formatted aside first: the arguments may point into the current message. */
	char message[MESSAGE_MAX];
	vsnprintf(message, sizeof(message), fmt, ap);
	/* Messages reach users, --json output and logs: a server's reply or a
	 * path may carry a token or an e-mail address, and none may get out. */
	char *clean = vrp_redact_text(message);
	if (clean) {
		snprintf(message, sizeof(message), "%s", clean);
		free(clean);
	}
	memcpy(last.message, message, sizeof(message));
	last.pub.code = code;
	last.context[0] = '\0';
	return code;
}

int vrp_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_v(code, fmt, ap);
	va_end(ap);
	return code;
}

void vrp_error_record_oom(void) { vrp_error_set(VRP_ENOMEM, "out of memory"); }

int vrp_error_set_context(const char *fmt, ...)
{
	char context[CONTEXT_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	memcpy(last.context, context, sizeof(context));
	return last.pub.code;
}

int vrp_error_code_from_errno(int err)
{
	switch (err) {
	case ENOSPC:
	case EDQUOT:
		return VRP_ENOSPC;
	case EACCES:
	case EPERM:
		return VRP_EPERM;
	case EROFS:
		return VRP_EREADONLY;
	case ENOENT:
		return VRP_ENOTFOUND;
	case ENOMEM:
		return VRP_ENOMEM;
	case EEXIST:
		return VRP_EEXISTS;
	default:
		return VRP_EIO;
	}
}

int vrp_error_from_errno(int err, const char *fmt, ...)
{
	int code = vrp_error_code_from_errno(err);
	va_list ap;
	va_start(ap, fmt);
	set_v(code, fmt, ap);
	va_end(ap);
	size_t len = strlen(last.message);
	snprintf(last.message + len, sizeof(last.message) - len, ": %s", strerror(err));
	return code;
}

int vrp_error_prefix(const char *fmt, ...)
{
	char old[MESSAGE_MAX];
	memcpy(old, last.message, sizeof(old));
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(last.message, sizeof(last.message), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(last.message))
		return last.pub.code;
	/* Appended by hand: truncating an over-long message is intended here. */
	size_t used = (size_t)n;
	const char *parts[] = { ": ", old };
	for (size_t i = 0; i < 2; i++) {
		size_t len = strlen(parts[i]), room = sizeof(last.message) - 1 - used;
		len = len < room ? len : room;
		memcpy(last.message + used, parts[i], len);
		used += len;
	}
	last.message[used] = '\0';
	return last.pub.code;
}
