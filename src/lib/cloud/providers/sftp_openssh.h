/*
 * sftp_openssh.h - the openssh transport's ssh process and the bytes to
 * and from it (internal; sftp_openssh.c runs the process, sftp_client.c
 * speaks SFTP over it, sftp_ssh_errors.c reads its complaints).
 *
 * ssh's stdin and stdout are one end of a socket pair, so a write after
 * ssh died fails with EPIPE (MSG_NOSIGNAL) instead of killing vrp with
 * SIGPIPE. Every wait is a poll bounded by the remote's timeout that also
 * drains ssh's stderr, so ssh never blocks on a full stderr pipe and the
 * server's replies are read while a request is being sent (no deadlock
 * when both directions fill).
 */
#ifndef VRP_CLOUD_SFTP_OPENSSH_H
#define VRP_CLOUD_SFTP_OPENSSH_H

#include "cloud/providers/sftp.h"

#include <sys/types.h>

#define SFTP_OPENSSH_MESSAGES 4096
#define SFTP_OPENSSH_UNWAITED 16

struct sftp_openssh {
	pid_t pid;
	int fd;     /* our end of ssh's stdin and stdout */
	int err_fd; /* ssh's stderr; -1 once it closed */
	uint32_t next_id;
	uint32_t unwaited[SFTP_OPENSSH_UNWAITED]; /* ids of closes whose replies are dropped */
	size_t unwaited_count;
	size_t read_len, write_len; /* bytes per READ / WRITE request */
	bool posix_rename, fsync, statvfs;
	unsigned char *in; /* received bytes; `in_used` of them belong to the packet handed out */
	size_t in_len, in_used, in_cap;
	unsigned char *out; /* the request being built */
	size_t out_cap;
	char line[1024]; /* the stderr line being received */
	size_t line_len;
	char messages[SFTP_OPENSSH_MESSAGES]; /* ssh's last non-debug stderr lines */
	size_t messages_len;
	char host_key[128]; /* "ED25519 SHA256:..." from ssh -v's "Server host key:" */
	struct sftp_failure failure;
};

/* ---- sftp_openssh.c ---- */

/* Starts `argv` with a socket pair for stdin/stdout and a pipe for stderr. */
int sftp_openssh_spawn(struct sftp *s, char **argv, struct sftp_openssh *o);

/*
 * Waits for ssh to exit (up to `wait_ms`, then SIGKILL), reading what is
 * left of its stderr; the exit status (-1 when killed) into `*status`.
 */
void sftp_openssh_reap(struct sftp *s, struct sftp_openssh *o, int wait_ms, int *status);

/*
 * Waits until our end of the socket pair has `events`, draining stderr
 * meanwhile; 1 when ready, 0 on timeout, -1 on a poll error.
 */
int sftp_openssh_wait(struct sftp *s, struct sftp_openssh *o, short events, int timeout_ms);

/* Sends `len` bytes; -1 with the failure recorded when ssh is gone or stalls. */
int sftp_openssh_send(struct sftp *s, const unsigned char *buf, size_t len);

/*
 * The next packet's body (type onwards) in `*body`, valid until the next
 * call; -1 with the failure recorded on EOF, a stall, or a length outside
 * 1..SFTP_PACKET_MAX.
 */
int sftp_openssh_recv(struct sftp *s, const unsigned char **body, size_t *len);

/* Records a transport failure with a message (printf-style). */
void sftp_openssh_broke(struct sftp_openssh *o, bool timeout, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- sftp_openssh_session.c: the transport's connection and hash_command ---- */

int sftp_openssh_connect(struct sftp *s, bool accept, char **fingerprint);
void sftp_openssh_disconnect(struct sftp *s);
void sftp_openssh_abort(struct sftp *s);
int sftp_openssh_exec_sha256(struct sftp *s, const char *full, char out[65]);

/* ---- sftp_client.c: requests (0 or -1 with the failure recorded) ---- */

/* Records a protocol violation (`what`) as a transport failure; returns -1. */
int sftp_client_bad(struct sftp *s, const char *what);
/* Makes the request buffer at least `cap` bytes. */
int sftp_client_out(struct sftp_openssh *o, size_t cap);
/* Starts a request of `type` in the request buffer; its id. */
uint32_t sftp_client_begin(struct sftp *s, struct sftp_writer *w, int type);
int sftp_client_send(struct sftp *s, struct sftp_writer *w);
/* The next reply, parsed (any id but an unwaited close's; not VERSION). */
int sftp_client_recv(struct sftp *s, struct sftp_reply *r);

/* ---- sftp_client_stream.c: pipelined transfers (vrp codes) ---- */

int sftp_client_write_stream(struct sftp *s, struct sftp_handle *h, int64_t offset,
			     struct sftp_source *src, const char *path);
int sftp_client_read_stream(struct sftp *s, struct sftp_handle *h, int64_t offset, int64_t limit,
			    const char *path, sftp_sink_fn sink, void *ctx);

/* ---- sftp_ssh_errors.c ---- */

/*
 * The error for an ssh that exited (or closed its output) before SFTP
 * started, from its stderr `messages` and the "Server host key:" line;
 * recorded, and returned.
 */
int sftp_ssh_error(const struct sftp *s, const char *messages, const char *host_key);

#endif
