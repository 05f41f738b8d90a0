/*
 * sftp_io.c - reading remote files: ranges, streams and whole-file hashes,
 * through the transport's read pipeline.
 */
#include "cloud/providers/sftp.h"

#include "core/error_set.h"
#include "core/hash.h"

#include <stdlib.h>
#include <string.h>

struct range {
	unsigned char *buf;
	size_t got;
};

static int to_range(void *ctx, const unsigned char *data, size_t len)
{
	struct range *r = ctx;
	memcpy(r->buf + r->got, data, len);
	r->got += len;
	return 0;
}

ssize_t sftp_read_at(struct sftp *s, struct sftp_handle *h, unsigned char *buf, size_t len,
		     int64_t offset, const char *path)
{
	struct range r = { .buf = buf };
	int rc = s->ops->read_stream(s, h, offset, (int64_t)len, path, to_range, &r);
	return rc < 0 ? rc : (ssize_t)r.got;
}

int sftp_read_stream(struct sftp *s, struct sftp_handle *h, int64_t offset, int64_t limit,
		     const char *path, sftp_sink_fn sink, void *ctx)
{
	return s->ops->read_stream(s, h, offset, limit, path, sink, ctx);
}

int sftp_exec_sha256(struct sftp *s, const char *full, char out[65])
{
	return s->ops->exec_sha256(s, full, out);
}

static int hash_sink(void *ctx, const unsigned char *data, size_t len)
{
	return vrp_sha256_update(ctx, data, len);
}

int sftp_remote_sha256(struct sftp *s, const char *full, char out[65], const char **how)
{
	if (s->set.hash_command) {
		*how = "sha256-exec";
		return sftp_exec_sha256(s, full, out);
	}
	*how = "size+full";
	vrp_sha256 *hash = NULL;
	int rc = vrp_sha256_new(&hash);
	if (rc < 0)
		return rc;
	struct sftp_handle *h = NULL;
	if (s->ops->open(s, full, SFTP_FXF_READ, 0, &h) != 0)
		rc = sftp_fail(s, "cannot open", full);
	if (rc == 0)
		rc = sftp_read_stream(s, h, 0, -1, full, hash_sink, hash);
	s->ops->close(s, h);
	if (rc == 0)
		rc = vrp_sha256_final_hex(hash, out);
	vrp_sha256_free(hash);
	return rc;
}
