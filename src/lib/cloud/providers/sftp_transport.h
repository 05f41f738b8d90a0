/*
 * sftp_transport.h - how the sftp provider reaches a server (internal).
 *
 * Everything the provider does (the .part protocol, resume, verification,
 * listing, error mapping) is written once against these operations; a
 * transport carries SFTP requests to the server:
 *   - openssh (sftp_openssh.c, sftp_client.c): the system's `ssh` program,
 *     so the user's ssh config, agent, keys and known_hosts apply, and vrp
 *     speaks SFTP v3 over its pipes;
 *   - libssh2 (sftp_libssh2.c, sftp_session.c, sftp_exec.c): vrp's own SSH
 *     connection, for hosts without `ssh` and for password logins.
 *
 * Requests return 0, or -1 with the failure kept for sftp_fail() (which
 * asks the transport's last_failure) and sftp_status(). Streams and
 * connect return a vrp code with the error recorded.
 */
#ifndef VRP_CLOUD_SFTP_TRANSPORT_H
#define VRP_CLOUD_SFTP_TRANSPORT_H

#include "cloud/providers/sftp_proto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sftp;
struct sftp_handle;

/* What the last failed request failed with. */
struct sftp_failure {
	enum {
		SFTP_FAILURE_STATUS,    /* the server answered with `status` */
		SFTP_FAILURE_TRANSPORT, /* the connection broke (or never was) */
		SFTP_FAILURE_OOM,
	} kind;
	unsigned long status;
	bool timeout;
	char detail[256];
};

/* Bytes for a write stream: `fill` puts up to `cap` bytes in `buf` (`*n` 0 at the end). */
struct sftp_source {
	int (*fill)(void *ctx, unsigned char *buf, size_t cap, size_t *n);
	/* `n` more bytes were acknowledged by the server; may cancel with a vrp code. */
	int (*acked)(void *ctx, size_t n);
	void *ctx;
	bool source_failed; /* set when fill or acked, not the server, failed */
};

typedef int (*sftp_sink_fn)(void *ctx, const unsigned char *data, size_t len);

struct sftp_transport_ops {
	const char *name;
	/* Connects unless connected; `accept` takes an unknown host key (its fingerprint out). */
	int (*connect)(struct sftp *s, bool accept, char **fingerprint);
	void (*disconnect)(struct sftp *s);
	bool (*connected)(const struct sftp *s);
	/* Stops using a broken connection at once (no goodbyes that could wait). */
	void (*abort)(struct sftp *s);
	void (*last_failure)(struct sftp *s, struct sftp_failure *out);

	int (*stat)(struct sftp *s, const char *path, bool follow, struct sftp_attrs *out);
	int (*open)(struct sftp *s, const char *path, unsigned long pflags, long mode,
		    struct sftp_handle **out);
	int (*opendir)(struct sftp *s, const char *path, struct sftp_handle **out);
	/* 1 with the next entry, 0 at the end, -1 on failure. */
	int (*readdir)(struct sftp *s, struct sftp_handle *h, char *name, size_t size,
		       struct sftp_attrs *attrs);
	/* Closes and frees `h` (NULL is a no-op); the close's own failure is ignored. */
	void (*close)(struct sftp *s, struct sftp_handle *h);
	int (*fstat)(struct sftp *s, struct sftp_handle *h, struct sftp_attrs *out);
	int (*fsetstat)(struct sftp *s, struct sftp_handle *h, const struct sftp_attrs *attrs);
	int (*fsync)(struct sftp *s, struct sftp_handle *h);
	int (*mkdir)(struct sftp *s, const char *path, long mode);
	/* Replaces `to` atomically where the server can (posix-rename@openssh.com). */
	int (*rename)(struct sftp *s, const char *from, const char *to);
	int (*unlink)(struct sftp *s, const char *path);
	int (*statvfs)(struct sftp *s, const char *path, struct sftp_statvfs *out);

	/* Writes the source's bytes from `offset` on, many requests in flight. */
	int (*write_stream)(struct sftp *s, struct sftp_handle *h, int64_t offset,
			    struct sftp_source *src, const char *path);
	/* Reads from `offset` to the end (or `limit` bytes, -1 for all) into `sink`. */
	int (*read_stream)(struct sftp *s, struct sftp_handle *h, int64_t offset, int64_t limit,
			   const char *path, sftp_sink_fn sink, void *ctx);
	/* Runs hash_command on `full`; its sha256 (lower-case hex) in `out`. */
	int (*exec_sha256)(struct sftp *s, const char *full, char out[65]);
};

extern const struct sftp_transport_ops sftp_libssh2_transport;
extern const struct sftp_transport_ops sftp_openssh_transport;

#endif
