/*
 * sftp.h - what the sftp provider's files share (internal).
 *
 * One instance is one SSH connection, opened on first use and kept across
 * operations (the sync worker keeps one provider per thread and remote).
 * A transport failure drops the connection; the next operation connects
 * again. Calls block, bounded by the `timeout` setting, so a server that
 * stops answering is a VRP_ETRANSIENT failure, never a hang.
 *
 * Errors, for the sync engine: no route, refused or timed-out connections
 * are VRP_EUNAVAILABLE; a connection lost mid-operation VRP_ETRANSIENT;
 * refused credentials, an unknown or changed host key VRP_EAUTH; SFTP
 * "permission denied" VRP_EPERMANENT naming the path; a missing file
 * VRP_EREMOTE_NOT_FOUND; a symlink under the root VRP_EPERMANENT (never
 * followed, for reads, writes, deletes and listings); a full disk
 * VRP_EQUOTA (OpenSSH reports ENOSPC only as a generic failure, so a failed
 * write asks statvfs how much room is left).
 */
#ifndef VRP_CLOUD_SFTP_H
#define VRP_CLOUD_SFTP_H

#include "cloud/provider_internal.h"

#include <libssh2.h>
#include <libssh2_sftp.h>
#include <stdint.h>

enum sftp_verify_mode {
	SFTP_VERIFY_SIZE,   /* the size after fsync */
	SFTP_VERIFY_SAMPLE, /* the size and sampled ranges read back */
	SFTP_VERIFY_FULL,   /* the size and the whole file read back and hashed */
};

struct sftp_settings {
	char *host, *user, *root, *key_file, *known_hosts, *hash_command;
	int port;
	int timeout_ms;
	enum sftp_verify_mode verify;
};

struct sftp {
	char *name; /* the remote's name, for messages and secret lookups */
	struct sftp_settings set;
	vrp_secret_fn secret;
	void *secret_ctx;
	int sock;
	LIBSSH2_SESSION *session;
	LIBSSH2_SFTP *sftp;
	bool broken;            /* the transport failed: reconnect before the next request */
	bool reused;            /* the current operation runs on an older connection */
	bool fsync_unsupported; /* the server refused fsync@openssh.com once */
	char *password;         /* held only while keyboard-interactive auth runs */
	unsigned char *io_buf;  /* the upload buffer, kept across uploads (SFTP_IO_BUFFER) */
};

/* ---- sftp.c ---- */

/* "<root>/<rel>" (or <root> for NULL); malloc'd, NULL when out of memory. */
char *sftp_full_path(const struct sftp *s, const char *rel);

/* The server path of object `remote_id` (checked like any remote path) into `*full` (malloc'd). */
int sftp_path_of_id(const struct sftp *s, const char *remote_id, char **full);

/* lstat of `path` (no link followed); permissions are 0 when the server sent none. */
int sftp_lstat(struct sftp *s, const char *path, LIBSSH2_SFTP_ATTRIBUTES *attrs);

/* VRP_EPERMANENT when `path` is a symlink; VRP_EREMOTE_NOT_FOUND when it is not there. */
int sftp_refuse_link(struct sftp *s, const char *path);

/*
 * VRP_EPERMANENT when a component of `full` below the root is a symlink
 * (lstat'ed one by one; see sftp.c for the race this leaves); 0 when none
 * is, including when one is not there yet.
 */
int sftp_refuse_links(struct sftp *s, const char *full);

/* ---- sftp_session.c ---- */

/* Connects, checks the host key and authenticates unless already connected. */
int sftp_connect(struct sftp *s);

/* Closes the connection (if any); the next sftp_connect() opens a new one. */
void sftp_disconnect(struct sftp *s);

/*
 * Connects; when the server's host key is not in known_hosts, appends it.
 * `*fingerprint` gets "SHA256:..." (malloc'd). A changed key is VRP_EAUTH.
 */
int sftp_accept_host_key(struct sftp *s, char **fingerprint);

/* ---- sftp_error.c ---- */

/*
 * Records the failure of `what` on `path` (may be NULL) from libssh2's last
 * error and returns its code; drops the connection when the transport broke.
 */
int sftp_fail(struct sftp *s, const char *what, const char *path);

/* The SFTP status of the last failure, or 0 when it was not an SFTP status. */
unsigned long sftp_status(const struct sftp *s);

/* Whether a libssh2 return code means the connection itself failed. */
bool sftp_is_transport_error(int libssh2_rc);

/*
 * Whether an idempotent operation that failed with `rc` should run once more:
 * it failed because a connection kept from earlier had died meanwhile (the
 * server restarted, an idle timeout), which a fresh connection fixes.
 */
bool sftp_retry_stale(struct sftp *s, int rc, int attempt);

/*
 * After a failed write of `remaining` more bytes under `dir`: VRP_EQUOTA when
 * the server's filesystem has less room than that (recorded), else `rc`.
 */
int sftp_check_full(struct sftp *s, const char *dir, int64_t remaining, int rc);

/* ---- sftp_io.c ---- */

/* Reads `len` bytes at `offset` of the open remote file into `buf`; short only at EOF. */
ssize_t sftp_read_at(struct sftp *s, LIBSSH2_SFTP_HANDLE *h, unsigned char *buf, size_t len,
		     int64_t offset, const char *path);

/*
 * Reads the remote file from `offset` to its end (or `limit` bytes, -1 for
 * all), calling `sink` with each piece. Read-ahead is pipelined by libssh2.
 */
typedef int (*sftp_sink_fn)(void *ctx, const unsigned char *data, size_t len);
int sftp_read_stream(struct sftp *s, LIBSSH2_SFTP_HANDLE *h, int64_t offset, int64_t limit,
		     const char *path, sftp_sink_fn sink, void *ctx);

/* The sha256 of the remote file at `full` by reading it back (or hash_command when set). */
int sftp_remote_sha256(struct sftp *s, const char *full, char out[65], const char **how);

/* ---- sftp_verify.c ---- */

/*
 * Whether the first `existing` bytes of the open .part equal the local
 * file's (open as `fd`), checked as the verify mode allows; `*keep` false
 * means start over.
 */
int sftp_prefix_matches(struct sftp *s, LIBSSH2_SFTP_HANDLE *h, const char *part, int fd,
			int64_t existing, bool *keep);

/*
 * Checks the synced .part (`size` bytes) against the local file whose sha256
 * is `local_sha256`; VRP_ECHECKSUM on a difference. `*verification` names
 * what was checked ("size", "size+sample", "size+full", "sha256-exec").
 */
int sftp_verify_upload(struct sftp *s, LIBSSH2_SFTP_HANDLE *h, const char *part, int fd,
		       int64_t size, const char *local_sha256, const char **verification);

/* ---- sftp_exec.c ---- */

/* Runs hash_command on `full` over an exec channel; its sha256 (lower-case hex) in `out`. */
int sftp_exec_sha256(struct sftp *s, const char *full, char out[65]);

/* ---- sftp_upload.c, sftp_list.c, sftp_read.c ---- */

int sftp_upload(void *state, const vrp_upload_request *request, vrp_remote_object **out,
		char **resume_state);
int sftp_list(void *state, const char *prefix, const char *page_token, size_t page_size,
	      vrp_remote_page **out);
int sftp_download(void *state, const char *remote_id, int fd, vrp_transfer_progress_fn progress,
		  void *progress_ctx);

/* An object for `rel` from its SFTP attributes; NULL when out of memory (recorded). */
vrp_remote_object *sftp_object(const char *rel, const LIBSSH2_SFTP_ATTRIBUTES *attrs);

/* "<rel>.part" names are reserved for uploads in progress. */
bool sftp_is_part(const char *name);

#define SFTP_PART_SUFFIX ".part"

/* Bytes handed to libssh2 per write: it splits them into ~30 KB requests, all in flight. */
#define SFTP_IO_BUFFER (4 << 20)

#endif
