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
#include "cloud/providers/sftp_transport.h"

#include <libssh2.h>
#include <libssh2_sftp.h>
#include <stdint.h>

enum sftp_verify_mode {
	SFTP_VERIFY_SIZE,   /* the size after fsync */
	SFTP_VERIFY_SAMPLE, /* the size and sampled ranges read back */
	SFTP_VERIFY_FULL,   /* the size and the whole file read back and hashed */
};

enum sftp_transport_kind {
	SFTP_TRANSPORT_DEFAULT, /* openssh when `ssh` is on PATH and no password is stored */
	SFTP_TRANSPORT_OPENSSH,
	SFTP_TRANSPORT_LIBSSH2,
};

struct sftp_settings {
	char *host, *user, *root, *key_file, *known_hosts, *hash_command;
	char **ssh_command; /* argv (NULL-terminated) of ssh_command, or NULL */
	int port;
	bool port_set, user_set, known_hosts_set; /* given by the user, not defaults */
	enum sftp_transport_kind transport;
	int timeout_ms;
	enum sftp_verify_mode verify;
};

struct sftp {
	char *name; /* the remote's name, for messages and secret lookups */
	struct sftp_settings set;
	const struct sftp_transport_ops *ops; /* chosen for each new connection */
	struct sftp_openssh *ossh;            /* the openssh transport's state */
	struct sftp_failure failure;          /* the last failure of a request */
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
	char *checked_dir;      /* the deepest folder found real on this connection (sftp.c) */
};

/* ---- sftp.c ---- */

/* "<root>/<rel>" (or <root> for NULL); malloc'd, NULL when out of memory. */
char *sftp_full_path(const struct sftp *s, const char *rel);

/* The server path of object `remote_id` (checked like any remote path) into `*full` (malloc'd). */
int sftp_path_of_id(const struct sftp *s, const char *remote_id, char **full);

/* lstat of `path` (no link followed); permissions are 0 when the server sent none. */
int sftp_lstat(struct sftp *s, const char *path, struct sftp_attrs *attrs);

/* VRP_EPERMANENT when `path` is a symlink; VRP_EREMOTE_NOT_FOUND when it is not there. */
int sftp_refuse_link(struct sftp *s, const char *path);

/*
 * VRP_EPERMANENT when a component of `full` below the root is a symlink
 * (lstat'ed one by one; see sftp.c for the race this leaves); 0 when none
 * is, including when one is not there yet.
 */
int sftp_refuse_links(struct sftp *s, const char *full);

/* sftp_refuse_links() with the lstat of `full` itself in `*last` when `*found`. */
int sftp_refuse_links_at(struct sftp *s, const char *full, struct sftp_attrs *last, bool *found);

/* Forgets the folders checked on the connection (a new one checks them again). */
void sftp_forget_checked(struct sftp *s);

/* An open file or folder: libssh2's, or the server's handle for the openssh transport. */
struct sftp_handle {
	LIBSSH2_SFTP_HANDLE *l2;
	unsigned char id[SFTP_HANDLE_MAX];
	size_t id_len;
	unsigned char *names; /* openssh: a copy of the last READDIR reply, read entry by entry */
	struct sftp_reply names_reply;
	uint32_t names_left;
	bool dir_done;
};

/* ---- sftp_connect.c ---- */

/*
 * Connects through the remote's transport unless already connected. The
 * transport is chosen on the first call: `transport` when set, else
 * openssh when the ssh program is on PATH (and no password or key
 * passphrase is stored, which BatchMode ssh could not use), else libssh2.
 */
int sftp_connect(struct sftp *s);

/* Closes the connection (if any); the next sftp_connect() opens a new one. */
void sftp_disconnect(struct sftp *s);

/*
 * Connects, accepting a host key not known yet (recorded in the known_hosts
 * file). `*fingerprint` gets "SHA256:..." (malloc'd). A changed key is VRP_EAUTH.
 */
int sftp_accept_host_key(struct sftp *s, char **fingerprint);

/* ---- sftp_session.c, sftp_exec.c: the libssh2 connection ---- */

int sftp_libssh2_open(struct sftp *s, bool accept, char **fingerprint);
void sftp_libssh2_close(struct sftp *s);
int sftp_libssh2_exec_sha256(struct sftp *s, const char *full, char out[65]);

/* "'...'" for a POSIX shell, "./" before a relative path (malloc'd; NULL when out of memory). */
char *sftp_shell_quote(const char *path);

/* The sha256 at the start of sha256sum-style `output` into `out`; -1 when there is none. */
int sftp_parse_sha256(const char *output, char out[65]);

/* ---- sftp_openssh_argv.c ---- */

/*
 * Splits `command` into a NULL-terminated argv the way a POSIX shell splits
 * words (blanks; '...', "..." and backslash quote), without running a shell:
 * no expansion, no redirection. VRP_EINVAL for an unclosed quote or nothing.
 */
int sftp_split_command(const char *command, char ***argv);
void sftp_free_command(char **argv);

/* Whether `program` (a path, or a name looked up in PATH) is an executable file. */
bool sftp_program_on_path(const char *program);

/*
 * The argv that runs ssh for this remote (NULL-terminated, malloc'd; free
 * with sftp_free_command): ssh_command or "ssh", BatchMode, the host key
 * policy (`accept` for accept-new), the options for the settings the user
 * gave, then "--", the host and `command` (NULL for the sftp subsystem).
 */
int sftp_ssh_argv(const struct sftp *s, bool accept, const char *command, char ***argv);

/* ---- sftp_error.c ---- */

/*
 * Records the failure of `what` on `path` (may be NULL) from the
 * transport's last failure and returns its code; drops the connection when
 * the transport broke.
 */
int sftp_fail(struct sftp *s, const char *what, const char *path);

/* The SFTP status of the last failure, or 0 when it was not an SFTP status. */
unsigned long sftp_status(struct sftp *s);

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
ssize_t sftp_read_at(struct sftp *s, struct sftp_handle *h, unsigned char *buf, size_t len,
		     int64_t offset, const char *path);

/*
 * Reads the remote file from `offset` to its end (or `limit` bytes, -1 for
 * all), calling `sink` with each piece, read ahead by the transport.
 */
int sftp_read_stream(struct sftp *s, struct sftp_handle *h, int64_t offset, int64_t limit,
		     const char *path, sftp_sink_fn sink, void *ctx);

/* The sha256 of the remote file at `full` by reading it back (or hash_command when set). */
int sftp_remote_sha256(struct sftp *s, const char *full, char out[65], const char **how);

/* ---- sftp_verify.c ---- */

/*
 * Whether the first `existing` bytes of the open .part equal the local
 * file's (open as `fd`), checked as the verify mode allows; `*keep` false
 * means start over.
 */
int sftp_prefix_matches(struct sftp *s, struct sftp_handle *h, const char *part, int fd,
			int64_t existing, bool *keep);

/*
 * Checks the synced .part (`size` bytes) against the local file whose sha256
 * is `local_sha256`; VRP_ECHECKSUM on a difference. `*verification` names
 * what was checked ("size", "size+sample", "size+full", "sha256-exec").
 */
int sftp_verify_upload(struct sftp *s, struct sftp_handle *h, const char *part, int fd,
		       int64_t size, const char *local_sha256, const char **verification);

/* Runs hash_command on `full` on the server; its sha256 (lower-case hex) in `out`. */
int sftp_exec_sha256(struct sftp *s, const char *full, char out[65]);

/* ---- sftp_upload.c, sftp_list.c, sftp_read.c ---- */

int sftp_upload(void *state, const vrp_upload_request *request, vrp_remote_object **out,
		char **resume_state);
int sftp_list(void *state, const char *prefix, const char *page_token, size_t page_size,
	      vrp_remote_page **out);
int sftp_download(void *state, const char *remote_id, int fd, vrp_transfer_progress_fn progress,
		  void *progress_ctx);

/* An object for `rel` from its SFTP attributes; NULL when out of memory (recorded). */
vrp_remote_object *sftp_object(const char *rel, const struct sftp_attrs *attrs);

/* "<rel>.part" names are reserved for uploads in progress. */
bool sftp_is_part(const char *name);

#define SFTP_PART_SUFFIX ".part"

/* Bytes handed to libssh2 per write: it splits them into ~30 KB requests, all in flight. */
#define SFTP_IO_BUFFER (4 << 20)

/* Whether mode bits from the server name a folder, a regular file, a link. */
#define SFTP_S_ISDIR(m) (((m)&0170000ul) == 0040000ul)
#define SFTP_S_ISREG(m) (((m)&0170000ul) == 0100000ul)
#define SFTP_S_ISLNK(m) (((m)&0170000ul) == 0120000ul)

#endif
