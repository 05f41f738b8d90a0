/*
 * sftp_libssh2.c - the libssh2 transport: SFTP requests through libssh2's
 * SFTP subsystem, on the connection sftp_session.c opens.
 *
 * libssh2 pipelines by itself: a read call keeps up to four times the
 * buffer it is given requested ahead, and a write call turns what it is
 * given into requests that are all in flight at once.
 */
#include "cloud/providers/sftp.h"

#include "core/error_set.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define STREAM_BUFFER (1 << 20)

static void l2_to_attrs(const LIBSSH2_SFTP_ATTRIBUTES *in, struct sftp_attrs *out)
{
	*out = (struct sftp_attrs){ .flags = in->flags,
				    .filesize = in->filesize,
				    .uid = in->uid,
				    .gid = in->gid,
				    .permissions = in->permissions,
				    .atime = in->atime,
				    .mtime = in->mtime };
}

static void l2_last_failure(struct sftp *s, struct sftp_failure *out)
{
	char *msg = NULL;
	int err = s->session ? libssh2_session_last_error(s->session, &msg, NULL, 0) : 0;
	*out = (struct sftp_failure){ .kind = SFTP_FAILURE_TRANSPORT };
	if (err == LIBSSH2_ERROR_SFTP_PROTOCOL && s->sftp) {
		out->kind = SFTP_FAILURE_STATUS;
		out->status = libssh2_sftp_last_error(s->sftp);
		return;
	}
	if (err == LIBSSH2_ERROR_ALLOC)
		out->kind = SFTP_FAILURE_OOM;
	out->timeout = err == LIBSSH2_ERROR_TIMEOUT || err == LIBSSH2_ERROR_SOCKET_TIMEOUT;
	snprintf(out->detail, sizeof(out->detail), "%s", msg && *msg ? msg : "no detail");
}

static int l2_connect(struct sftp *s, bool accept, char **fingerprint)
{
	if (s->sftp && !accept)
		return 0;
	if (s->sftp)
		sftp_libssh2_close(s);
	return sftp_libssh2_open(s, accept, fingerprint);
}

static bool l2_connected(const struct sftp *s) { return s->sftp != NULL; }

static void l2_abort(struct sftp *s)
{
	if (s->sock >= 0)
		shutdown(s->sock, SHUT_RDWR);
}

static int l2_stat(struct sftp *s, const char *path, bool follow, struct sftp_attrs *out)
{
	LIBSSH2_SFTP_ATTRIBUTES a;
	if (libssh2_sftp_stat_ex(s->sftp, path, (unsigned)strlen(path),
				 follow ? LIBSSH2_SFTP_STAT : LIBSSH2_SFTP_LSTAT, &a) != 0)
		return -1;
	l2_to_attrs(&a, out);
	return 0;
}

static int open_kind(struct sftp *s, const char *path, unsigned long pflags, long mode, int kind,
		     struct sftp_handle **out)
{
	struct sftp_handle *h = calloc(1, sizeof(*h));
	if (!h)
		return -1;
	h->l2 = libssh2_sftp_open_ex(s->sftp, path, (unsigned)strlen(path), pflags, mode, kind);
	if (!h->l2) {
		free(h);
		return -1;
	}
	*out = h;
	return 0;
}

static int l2_open(struct sftp *s, const char *path, unsigned long pflags, long mode,
		   struct sftp_handle **out)
{
	return open_kind(s, path, pflags, mode, LIBSSH2_SFTP_OPENFILE, out);
}

static int l2_opendir(struct sftp *s, const char *path, struct sftp_handle **out)
{
	return open_kind(s, path, 0, 0, LIBSSH2_SFTP_OPENDIR, out);
}

static int l2_readdir(struct sftp *s, struct sftp_handle *h, char *name, size_t size,
		      struct sftp_attrs *attrs)
{
	(void)s;
	LIBSSH2_SFTP_ATTRIBUTES a;
	int n = libssh2_sftp_readdir_ex(h->l2, name, size, NULL, 0, &a);
	if (n > 0)
		l2_to_attrs(&a, attrs);
	return n < 0 ? -1 : n > 0;
}

static void l2_close(struct sftp *s, struct sftp_handle *h)
{
	(void)s;
	if (!h)
		return;
	libssh2_sftp_close_handle(h->l2);
	free(h);
}

static int l2_fstat(struct sftp *s, struct sftp_handle *h, struct sftp_attrs *out)
{
	(void)s;
	LIBSSH2_SFTP_ATTRIBUTES a;
	if (libssh2_sftp_fstat_ex(h->l2, &a, 0) != 0)
		return -1;
	l2_to_attrs(&a, out);
	return 0;
}

static int l2_fsetstat(struct sftp *s, struct sftp_handle *h, const struct sftp_attrs *attrs)
{
	(void)s;
	LIBSSH2_SFTP_ATTRIBUTES a = { .flags = attrs->flags,
				      .filesize = attrs->filesize,
				      .uid = attrs->uid,
				      .gid = attrs->gid,
				      .permissions = attrs->permissions,
				      .atime = attrs->atime,
				      .mtime = attrs->mtime };
	return libssh2_sftp_fsetstat(h->l2, &a) == 0 ? 0 : -1;
}

static int l2_fsync(struct sftp *s, struct sftp_handle *h)
{
	(void)s;
	return libssh2_sftp_fsync(h->l2) == 0 ? 0 : -1;
}

static int l2_mkdir(struct sftp *s, const char *path, long mode)
{
	return libssh2_sftp_mkdir_ex(s->sftp, path, (unsigned)strlen(path), mode) == 0 ? 0 : -1;
}

static int l2_rename(struct sftp *s, const char *from, const char *to)
{
	long flags = LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC |
		     LIBSSH2_SFTP_RENAME_NATIVE;
	return libssh2_sftp_rename_ex(s->sftp, from, (unsigned)strlen(from), to,
				      (unsigned)strlen(to), flags) == 0
		       ? 0
		       : -1;
}

static int l2_unlink(struct sftp *s, const char *path)
{
	return libssh2_sftp_unlink_ex(s->sftp, path, (unsigned)strlen(path)) == 0 ? 0 : -1;
}

static int l2_statvfs(struct sftp *s, const char *path, struct sftp_statvfs *out)
{
	LIBSSH2_SFTP_STATVFS v;
	if (libssh2_sftp_statvfs(s->sftp, path, strlen(path), &v) != 0)
		return -1;
	*out = (struct sftp_statvfs){ .f_bsize = v.f_bsize,
				      .f_frsize = v.f_frsize,
				      .f_blocks = v.f_blocks,
				      .f_bfree = v.f_bfree,
				      .f_bavail = v.f_bavail,
				      .f_files = v.f_files,
				      .f_ffree = v.f_ffree,
				      .f_favail = v.f_favail,
				      .f_fsid = v.f_fsid,
				      .f_flag = v.f_flag,
				      .f_namemax = v.f_namemax };
	return 0;
}

/* Tops the buffer up after the bytes still unacknowledged; `*eof` when the source ran dry. */
static int refill(struct sftp_source *src, unsigned char *buf, size_t *start, size_t *end,
		  bool *eof)
{
	if (*start > 0) {
		memmove(buf, buf + *start, *end - *start);
		*end -= *start;
		*start = 0;
	}
	size_t n = 0, room = SFTP_IO_BUFFER - *end;
	int rc = src->fill(src->ctx, buf + *end, room, &n);
	src->source_failed = rc < 0;
	*eof = n < room;
	*end += n;
	return rc;
}

/*
 * libssh2_sftp_write() returns as soon as some requests are acknowledged
 * and must then be called with the same bytes from the first
 * unacknowledged one. So the buffer holds everything unacknowledged,
 * topped up as acknowledgements arrive: the link never waits for the disk
 * or for a round trip.
 */
static int l2_write_stream(struct sftp *s, struct sftp_handle *h, int64_t offset,
			   struct sftp_source *src, const char *path)
{
	if (!s->io_buf && !(s->io_buf = malloc(SFTP_IO_BUFFER)))
		return vrp_error_oom();
	unsigned char *buf = s->io_buf;
	size_t start = 0, end = 0;
	bool eof = false;
	libssh2_sftp_seek64(h->l2, (libssh2_uint64_t)offset);
	int rc = 0;
	while (rc == 0) {
		if (!eof && end - start < SFTP_IO_BUFFER / 2 &&
		    (rc = refill(src, buf, &start, &end, &eof)) < 0)
			break;
		if (start == end)
			break;
		ssize_t n = libssh2_sftp_write(h->l2, (const char *)buf + start, end - start);
		if (n < 0)
			return sftp_fail(s, "cannot write", path);
		start += (size_t)n;
		rc = src->acked(src->ctx, (size_t)n);
		src->source_failed = rc < 0;
	}
	return rc;
}

static int l2_read_stream(struct sftp *s, struct sftp_handle *h, int64_t offset, int64_t limit,
			  const char *path, sftp_sink_fn sink, void *ctx)
{
	/* A short range asks for a quarter of itself at a time, so little is read past it. */
	size_t size = STREAM_BUFFER;
	if (limit >= 0 && limit < STREAM_BUFFER)
		size = limit / 4 > 4096 ? (size_t)limit / 4 : 4096;
	unsigned char *buf = malloc(size);
	if (!buf)
		return vrp_error_oom();
	libssh2_sftp_seek64(h->l2, (libssh2_uint64_t)offset);
	int rc = 0;
	int64_t done = 0;
	while (rc == 0 && (limit < 0 || done < limit)) {
		size_t want = size;
		if (limit >= 0 && limit - done < (int64_t)want)
			want = (size_t)(limit - done);
		ssize_t n = libssh2_sftp_read(h->l2, (char *)buf, want);
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

const struct sftp_transport_ops sftp_libssh2_transport = {
	.name = "libssh2",
	.connect = l2_connect,
	.disconnect = sftp_libssh2_close,
	.connected = l2_connected,
	.abort = l2_abort,
	.last_failure = l2_last_failure,
	.stat = l2_stat,
	.open = l2_open,
	.opendir = l2_opendir,
	.readdir = l2_readdir,
	.close = l2_close,
	.fstat = l2_fstat,
	.fsetstat = l2_fsetstat,
	.fsync = l2_fsync,
	.mkdir = l2_mkdir,
	.rename = l2_rename,
	.unlink = l2_unlink,
	.statvfs = l2_statvfs,
	.write_stream = l2_write_stream,
	.read_stream = l2_read_stream,
	.exec_sha256 = sftp_libssh2_exec_sha256,
};
