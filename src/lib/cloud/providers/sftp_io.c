/*
 * sftp_io.c - reading remote files (ranges, streams, whole-file hashes) and
 * the local reads and writes around them.
 *
 * libssh2 pipelines reads itself: each call keeps up to four times the
 * buffer it is given requested ahead. Streams use a large buffer to keep the
 * link busy; ranges use a quarter of the range so little is read past it.
 */
#include "cloud/providers/sftp.h"

#include "core/error_set.h"
#include "core/hash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STREAM_BUFFER (1 << 20)

int sftp_write_fd(int fd, const unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t sftp_pread_full(int fd, unsigned char *buf, size_t len, int64_t offset)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)offset + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (ssize_t)got;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

ssize_t sftp_read_at(struct sftp *s, LIBSSH2_SFTP_HANDLE *h, unsigned char *buf, size_t len,
		     int64_t offset, const char *path)
{
	libssh2_sftp_seek64(h, (libssh2_uint64_t)offset);
	size_t got = 0, ask = len / 4 > 4096 ? len / 4 : 4096;
	while (got < len) {
		size_t want = len - got < ask ? len - got : ask;
		ssize_t n = libssh2_sftp_read(h, (char *)buf + got, want);
		if (n < 0)
			return sftp_fail(s, "cannot read back", path);
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int sftp_read_stream(struct sftp *s, LIBSSH2_SFTP_HANDLE *h, int64_t offset, int64_t limit,
		     const char *path, sftp_sink_fn sink, void *ctx)
{
	unsigned char *buf = malloc(STREAM_BUFFER);
	if (!buf)
		return vrp_error_oom();
	libssh2_sftp_seek64(h, (libssh2_uint64_t)offset);
	int rc = 0;
	int64_t done = 0;
	while (rc == 0 && (limit < 0 || done < limit)) {
		size_t want = STREAM_BUFFER;
		if (limit >= 0 && limit - done < (int64_t)want)
			want = (size_t)(limit - done);
		ssize_t n = libssh2_sftp_read(h, (char *)buf, want);
		if (n < 0)
			rc = sftp_fail(s, "cannot read", path);
		else if (n == 0)
			break;
		else
			rc = sink(ctx, buf, (size_t)n);
		done += n > 0 ? n : 0;
	}
	free(buf);
	return rc;
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
	LIBSSH2_SFTP_HANDLE *h = libssh2_sftp_open_ex(s->sftp, full, (unsigned)strlen(full),
						      LIBSSH2_FXF_READ, 0, LIBSSH2_SFTP_OPENFILE);
	if (!h)
		rc = sftp_fail(s, "cannot open", full);
	if (rc == 0)
		rc = sftp_read_stream(s, h, 0, -1, full, hash_sink, hash);
	if (h)
		libssh2_sftp_close_handle(h);
	if (rc == 0)
		rc = vrp_sha256_final_hex(hash, out);
	vrp_sha256_free(hash);
	return rc;
}
