/* filecopy.c - copy a stream into a new file while hashing it. */
#include "core/filecopy.h"

#include "core/error_set.h"
#include "core/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Large enough for few syscalls, small enough that memory stays flat. Two
 * of them: one is hashed while the other is written and refilled. */
#define COPY_BUFFER (2 << 20)
/* How much written data may pile up before write-back is kicked off. */
#define WRITEBACK_WINDOW (8 << 20)

/* Starts asynchronous write-back of what was written since the last call, so
 * the disk works while we hash and the final fsync is short. */
static void start_writeback(int fd, int64_t *flushed, int64_t written)
{
	if (written - *flushed < WRITEBACK_WINDOW)
		return;
	sync_file_range(fd, *flushed, written - *flushed, SYNC_FILE_RANGE_WRITE);
	*flushed = written;
}

/*
 * The I/O half of one step: write the chunk just read, then read the next
 * one. It runs on a second thread while the first hashes the same chunk, so
 * hashing (the slowest part) overlaps the copying instead of adding to it.
 */
struct io_step {
	int src, dst;
	const char *dst_name;
	const unsigned char *chunk;
	size_t chunk_len;
	unsigned char *next;
	ssize_t next_len;
	int read_errno;
	int write_errno;
};

static void *do_io_step(void *arg)
{
	struct io_step *s = arg;
	/* The errno, not the last error: this runs on the I/O thread, and the
	 * last error is per thread; the caller records it. */
	s->write_errno = vrp_fs_write_all(s->dst, s->chunk, s->chunk_len) == 0 ? 0 : errno;
	if (s->write_errno == 0) {
		s->next_len = vrp_fs_read_full(s->src, s->next, COPY_BUFFER);
		s->read_errno = s->next_len < 0 ? errno : 0;
	}
	return NULL;
}

static int hash_and_step(vrp_sha256 *h, struct io_step *step)
{
	/* A chunk short of a full buffer is the last: no next read to overlap,
	 * and a thread would cost more than it saves on a small file. */
	pthread_t thread;
	bool threaded = step->chunk_len == COPY_BUFFER &&
			pthread_create(&thread, NULL, do_io_step, step) == 0;
	int rc = vrp_sha256_update(h, step->chunk, step->chunk_len);
	if (threaded)
		pthread_join(thread, NULL);
	else
		do_io_step(step);
	if (rc == 0 && step->write_errno)
		rc = vrp_error_from_errno(step->write_errno, "cannot write %s", step->dst_name);
	if (rc == 0 && step->next_len < 0)
		rc = vrp_error_from_errno(step->read_errno, "cannot read the source file");
	return rc;
}

static int copy_loop(int src_fd, int dst_fd, const char *dst_name, vrp_sha256 *h,
		     unsigned char *bufs[2], struct vrp_copy_result *out,
		     vrp_copy_progress_fn progress, void *ctx)
{
	int64_t flushed = 0;
	ssize_t len = vrp_fs_read_full(src_fd, bufs[0], COPY_BUFFER);
	if (len < 0)
		return vrp_error_from_errno(errno, "cannot read the source file");
	for (int cur = 0; len > 0; cur = !cur) {
		struct io_step step = { src_fd,     dst_fd, dst_name, bufs[cur], (size_t)len,
					bufs[!cur], 0,      0,        0 };
		int rc = hash_and_step(h, &step);
		if (rc < 0)
			return rc;
		out->bytes += len;
		start_writeback(dst_fd, &flushed, out->bytes);
		if (progress && progress(ctx, out->bytes) != 0)
			return vrp_error_set(VRP_ECANCELLED, "copy cancelled");
		len = step.next_len;
	}
	return 0;
}

int vrp_fd_copy_hashed(int src_fd, int dst_fd, const char *dst_name, struct vrp_copy_result *out,
		       vrp_copy_progress_fn progress, void *ctx)
{
	memset(out, 0, sizeof(*out));
	posix_fadvise(src_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	vrp_sha256 *h = NULL;
	unsigned char *bufs[2] = { malloc(COPY_BUFFER), malloc(COPY_BUFFER) };
	int rc = bufs[0] && bufs[1] ? vrp_sha256_new(&h) : vrp_error_oom();
	if (rc == 0)
		rc = copy_loop(src_fd, dst_fd, dst_name, h, bufs, out, progress, ctx);
	if (rc == 0)
		rc = vrp_sha256_final_hex(h, out->sha256);
	vrp_sha256_free(h);
	free(bufs[0]);
	free(bufs[1]);
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
