/*
 * error.h - the error model of libvrp.
 *
 * Every libvrp function that can fail returns an int: 0 on success or one of
 * the negative VRP_E* codes below. The detail of the most recent failure on
 * the calling thread is kept in a thread-local record, read with
 * vrp_error_last().
 *
 * The numeric values and the ERR_* strings are a stable contract: scripts,
 * the GUI and the retry logic act on them. Codes are only ever appended;
 * none is renumbered or reused.
 */
#ifndef VRP_ERROR_H
#define VRP_ERROR_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vrp_error_code {
	VRP_OK = 0,
	VRP_ERROR = -1,               /* ERR_INTERNAL: a bug or an unexpected state */
	VRP_ENOMEM = -2,              /* ERR_NO_MEMORY */
	VRP_EINVAL = -3,              /* ERR_INVALID_ARGUMENT: bad value from the caller */
	VRP_EUSAGE = -4,              /* ERR_USAGE: bad command line */
	VRP_ENOTFOUND = -5,           /* ERR_NOT_FOUND: no such recording, file, remote... */
	VRP_EEXISTS = -6,             /* ERR_ALREADY_EXISTS */
	VRP_EIO = -7,                 /* ERR_IO: read or write failed */
	VRP_ENOSPC = -8,              /* ERR_NO_SPACE: disk full or quota on local disk */
	VRP_EPERM = -9,               /* ERR_PERMISSION: not allowed by the filesystem */
	VRP_EREADONLY = -10,          /* ERR_READ_ONLY: the library or database is read-only */
	VRP_EDB = -11,                /* ERR_DB: any other SQLite failure */
	VRP_EBUSY = -12,              /* ERR_BUSY: another process holds the lock */
	VRP_ENOTADB = -13,            /* ERR_NOT_A_DATABASE: the file is not SQLite */
	VRP_ECORRUPTDB = -14,         /* ERR_CORRUPT_DB: SQLite found the file damaged */
	VRP_ESCHEMA_TOO_NEW = -15,    /* ERR_SCHEMA_TOO_NEW: made by a newer vrp */
	VRP_EMIGRATION = -16,         /* ERR_MIGRATION_FAILED: rolled back, backup kept */
	VRP_ENOLIBRARY = -17,         /* ERR_NO_LIBRARY: `vrp init` has not been run */
	VRP_EUNSUPPORTED_MEDIA = -18, /* ERR_UNSUPPORTED_MEDIA: not audio we can read */
	VRP_ECORRUPT_MEDIA = -19,     /* ERR_CORRUPT_MEDIA: audio, but damaged or truncated */
	VRP_ECHECKSUM = -20,          /* ERR_CHECKSUM_MISMATCH */
	VRP_EAUTH = -21,              /* ERR_AUTH: credentials missing or refused */
	VRP_EAUTH_EXPIRED = -22,      /* ERR_AUTH_EXPIRED: token expired, refresh or re-auth */
	VRP_ERATE_LIMIT = -23,        /* ERR_UPLOAD_RATE_LIMIT: 429 or provider throttling */
	VRP_ETRANSIENT = -24,         /* ERR_TRANSIENT: network blip, 5xx, timeout */
	VRP_EQUOTA = -25,             /* ERR_QUOTA_EXCEEDED: the remote is full */
	VRP_ECONFLICT = -26,          /* ERR_CONFLICT: remote and local disagree */
	VRP_EREMOTE_NOT_FOUND = -27,  /* ERR_REMOTE_NOT_FOUND: the remote object is gone */
	VRP_EPERMANENT = -28,         /* ERR_PERMANENT: the remote refused for good */
	VRP_ECANCELLED = -29,         /* ERR_CANCELLED: the caller asked to stop */
	VRP_EUNAVAILABLE = -30,       /* ERR_REMOTE_UNAVAILABLE: cannot reach the remote */
	VRP_ENOTSUP = -31,            /* ERR_NOT_SUPPORTED */
	VRP_ENOTFILE = -32, /* ERR_NOT_A_FILE: a directory, FIFO, device or symlink loop */
	VRP_EEMPTY = -33,   /* ERR_EMPTY_FILE: zero bytes */
};

/* The number of codes, counting VRP_OK; codes run from 0 down to -(VRP_ERROR_COUNT-1). */
#define VRP_ERROR_COUNT 34

/*
 * The last error of the calling thread. `message` says what failed and what
 * to do; `context` names the object involved (a path, a remote, a SQL step)
 * and may be empty. Both are never NULL.
 */
typedef struct vrp_error {
	int code;
	const char *code_name; /* the stable ERR_* string */
	const char *message;
	const char *context;
} vrp_error;

/*
 * Returns the calling thread's last error. The pointer stays valid until the
 * next libvrp call on this thread sets or clears the error. After a success
 * nothing is cleared: only read it after a call returned a negative code.
 */
const vrp_error *vrp_error_last(void);

/* Forgets the calling thread's last error. */
void vrp_error_clear(void);

/* The stable ERR_* string of a code; "ERR_INTERNAL" for an unknown code, "OK" for 0. */
const char *vrp_error_code_name(int code);

/* A short generic description of a code, for when no message was set. */
const char *vrp_strerror(int code);

/* True when retrying the same operation later, unchanged, may succeed. */
bool vrp_error_is_transient(int code);

/*
 * The process exit status (sysexits.h) the CLI uses for a code:
 * 0 ok, 64 usage, 65 bad input data, 66 not found, 69 remote unavailable,
 * 70 internal, 71 out of memory, 73 remote full, 74 I/O, 75 try again later,
 * 77 permission or auth.
 */
int vrp_error_exit_status(int code);

/*
 * What an exit status that vrp_error_exit_status() gives means, in a few
 * words ("usage: the command line is wrong"); NULL for any other number.
 */
const char *vrp_exit_status_meaning(int status);

#ifdef __cplusplus
}
#endif

#endif
