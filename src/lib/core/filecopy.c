/* filecopy.c - copy a stream into a new file while hashing it. */
#include "core/filecopy.h"

#include "core/error_set.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Large enough for few syscalls, small enough that memory stays flat. */
#define COPY_BUFFER (1 << 20)
/* How much written data may pile up before write-back is kicked off. */
#define WRITEBACK_WINDOW (8 << 20)

static int write_all(int fd, const unsigned char *buf, size_t len, const char *path)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vrp_error_from_errno(errno, "cannot write %s", path);
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static ssize_t read_some(int fd, unsigned char *buf, size_t len)
{
	ssize_t n;
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Starts asynchronous write-back of what was written since the last call, so
 * the disk works while we hash and the final fsync is short. */
static void start_writeback(int fd, int64_t *flushed, int64_t written)
{
	if (written - *flushed < WRITEBACK_WINDOW)
		return;
	sync_file_range(fd, *flushed, written - *flushed, SYNC_FILE_RANGE_WRITE);
	*flushed = written;
}

static int copy_loop(int src_fd, int dst_fd, const char *dst_path, vrp_sha256 *h,
		     unsigned char *buf, struct vrp_copy_result *out, vrp_copy_progress_fn progress,
		     void *ctx)
{
	int64_t flushed = 0;
	for (;;) {
		ssize_t n = read_some(src_fd, buf, COPY_BUFFER);
		if (n < 0)
			return vrp_error_from_errno(errno, "cannot read the source file");
		if (n == 0)
			return 0;
		int rc = vrp_sha256_update(h, buf, (size_t)n);
		if (rc == 0)
			rc = write_all(dst_fd, buf, (size_t)n, dst_path);
		if (rc < 0)
			return rc;
		out->bytes += n;
		start_writeback(dst_fd, &flushed, out->bytes);
		if (progress && progress(ctx, out->bytes) != 0)
			return vrp_error_set(VRP_ECANCELLED, "copy cancelled");
	}
}

int vrp_fd_copy_hashed(int src_fd, int dst_fd, const char *dst_name, struct vrp_copy_result *out,
		       vrp_copy_progress_fn progress, void *ctx)
{
	memset(out, 0, sizeof(*out));
	posix_fadvise(src_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	vrp_sha256 *h = NULL;
	unsigned char *buf = malloc(COPY_BUFFER);
	int rc = buf ? vrp_sha256_new(&h) : vrp_error_oom();
	if (rc == 0)
		rc = copy_loop(src_fd, dst_fd, dst_name, h, buf, out, progress, ctx);
	if (rc == 0)
		rc = vrp_sha256_final_hex(h, out->sha256);
	vrp_sha256_free(h);
	free(buf);
	return rc;
}

int vrp_file_copy_hashed(int src_fd, const char *dst_path, struct vrp_copy_result *out,
			 vrp_copy_progress_fn progress, void *ctx)
{
	int dst_fd = open(dst_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (dst_fd < 0) {
		memset(out, 0, sizeof(*out));
		return vrp_error_from_errno(errno, "cannot create %s", dst_path);
	}
	int rc = vrp_fd_copy_hashed(src_fd, dst_fd, dst_path, out, progress, ctx);
	/* close() can report a delayed write error (NFS, quota): it counts. */
	if (close(dst_fd) != 0 && rc == 0)
		rc = vrp_error_from_errno(errno, "cannot write %s", dst_path);
	if (rc < 0)
		unlink(dst_path);
	return rc;
}
