/* filecopy.c - copy a stream into a new file while hashing it. */
#include "core/filecopy.h"
#include "core/durable.h"

#include "core/error_set.h"
#include "core/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Large enough for few syscalls, small enough that memory stays flat. */
#define COPY_BUFFER (2 << 20)
/* Buffers in the ring: one being read and hashed, one being written, one queued. */
#define RING 3
/* How much written data may pile up before write-back is kicked off. */
#define WRITEBACK_WINDOW (8 << 20)
/* A source at least this large is written around the page cache (see direct_io). */
#define DIRECT_MIN (16 << 20)
/* What O_DIRECT asks of buffers, offsets and lengths on Linux filesystems. */
#define DIRECT_ALIGN 4096

/*
 * The copy is a pipeline: the calling thread reads and hashes chunk after
 * chunk into a ring of buffers, a writer thread writes them out in order.
 * The disk works while we hash, and a slow write never holds up the next
 * read. A file that fits one buffer is written in line: no thread.
 */
struct pipeline {
	int dst;
	bool direct;
	int64_t written, flushed;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	unsigned char *buf[RING];
	size_t len[RING];
	int next_write, queued; /* buffers next_write.. (mod RING), queued of them */
	bool closed;            /* nothing more will be queued */
	int write_errno;        /* errno, not the last error: the writer is another thread */
};

/*
 * A large recording is written with O_DIRECT: from our buffer straight to
 * the disk, instead of first being copied into a gigabyte of fresh page
 * cache, which pushes out what the user had cached and which, on this VM,
 * cost more than the hashing itself. Small files stay buffered, so that a
 * batch of them shares one syncfs. Without O_DIRECT (tmpfs) nothing changes.
 */
static bool direct_io(int src_fd, int dst_fd)
{
	struct stat st;
	if (fstat(src_fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < DIRECT_MIN)
		return false;
	int flags = fcntl(dst_fd, F_GETFL);
	return flags >= 0 && fcntl(dst_fd, F_SETFL, flags | O_DIRECT) == 0;
}

/*
 * O_DIRECT needs aligned buffers; the others come from malloc, which
 * recycles them from one small file to the next, where aligned_alloc mapped
 * fresh memory each time (measured: more kernel time importing 1,000 memos).
 */
static unsigned char *alloc_buffer(bool direct)
{
	return direct ? aligned_alloc(DIRECT_ALIGN, COPY_BUFFER) : malloc(COPY_BUFFER);
}

/* Writes one chunk; the last, partial one cannot meet O_DIRECT's alignment. */
static void end_direct_io(struct pipeline *p)
{
	int flags = fcntl(p->dst, F_GETFL);
	if (flags >= 0)
		fcntl(p->dst, F_SETFL, flags & ~O_DIRECT);
	p->direct = false;
}

/* Writes what of the chunk is not yet in the file (a failed write may have written part). */
static int write_rest(struct pipeline *p, const unsigned char *data, size_t len)
{
	off_t at = lseek(p->dst, 0, SEEK_CUR);
	size_t done =
		at >= p->written && at - p->written <= (off_t)len ? (size_t)(at - p->written) : 0;
	return vrp_fs_write_all(p->dst, data + done, len - done) == 0 ? 0 : errno;
}

static int write_chunk(struct pipeline *p, const unsigned char *data, size_t len)
{
	if (p->direct && len % DIRECT_ALIGN != 0)
		end_direct_io(p);
	int err = vrp_fs_write_all(p->dst, data, len) == 0 ? 0 : errno;
	/* A filesystem that took O_DIRECT but refuses such writes: buffered, then. */
	if (err == EINVAL && p->direct) {
		end_direct_io(p);
		err = write_rest(p, data, len);
	}
	if (err)
		return err;
	p->written += (int64_t)len;
	/* Buffered: start write-back as we go, so the caller's fsync has little left. */
	if (!p->direct && p->written - p->flushed >= WRITEBACK_WINDOW) {
		sync_file_range(p->dst, p->flushed, p->written - p->flushed, SYNC_FILE_RANGE_WRITE);
		p->flushed = p->written;
	}
	return 0;
}

static void *writer(void *arg)
{
	struct pipeline *p = arg;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->queued == 0 && !p->closed)
			pthread_cond_wait(&p->changed, &p->lock);
		if (p->queued == 0 || p->write_errno)
			break;
		int i = p->next_write;
		pthread_mutex_unlock(&p->lock);
		int err = write_chunk(p, p->buf[i], p->len[i]);
		pthread_mutex_lock(&p->lock);
		p->write_errno = err;
		p->next_write = (i + 1) % RING;
		p->queued--;
		pthread_cond_broadcast(&p->changed);
		if (err)
			break;
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Waits for a free buffer; false when the writer failed. */
static bool wait_for_room(struct pipeline *p)
{
	pthread_mutex_lock(&p->lock);
	while (p->queued == RING && !p->write_errno)
		pthread_cond_wait(&p->changed, &p->lock);
	bool ok = !p->write_errno;
	pthread_mutex_unlock(&p->lock);
	return ok;
}

static void queue_chunk(struct pipeline *p, int i, size_t len)
{
	pthread_mutex_lock(&p->lock);
	p->len[i] = len;
	p->queued++;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
}

/* Lets the writer finish what is queued, then stop; its errno. */
static int close_pipeline(struct pipeline *p, pthread_t thread)
{
	pthread_mutex_lock(&p->lock);
	p->closed = true;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	pthread_join(thread, NULL);
	return p->write_errno;
}

/* Reads and hashes chunks into the ring, queueing each for the writer, to the end of `src`. */
static int produce(struct pipeline *p, int src, vrp_sha256 *h, size_t first,
		   struct vrp_copy_result *out, vrp_copy_progress_fn progress, void *ctx)
{
	size_t len = first;
	for (int i = 0; len > 0; i = (i + 1) % RING) {
		int rc = vrp_sha256_update(h, p->buf[i], len);
		if (rc < 0)
			return rc;
		queue_chunk(p, i, len);
		out->bytes += (int64_t)len;
		if (progress && progress(ctx, out->bytes) != 0)
			return vrp_error_set(VRP_ECANCELLED, "copy cancelled");
		if (len < COPY_BUFFER || !wait_for_room(p))
			return 0;
		ssize_t n = vrp_fs_read_full(src, p->buf[(i + 1) % RING], COPY_BUFFER);
		if (n < 0)
			return vrp_error_from_errno(errno, "cannot read the source file");
		len = (size_t)n;
	}
	return 0;
}

static int copy_pipelined(struct pipeline *p, int src, const char *dst_name, vrp_sha256 *h,
			  size_t first, struct vrp_copy_result *out, vrp_copy_progress_fn progress,
			  void *ctx)
{
	for (int i = 1; i < RING; i++)
		if (!(p->buf[i] = alloc_buffer(p->direct)))
			return vrp_error_oom();
	pthread_t thread;
	int err = pthread_create(&thread, NULL, writer, p);
	if (err != 0)
		return vrp_error_from_errno(err, "cannot start the copy");
	int rc = produce(p, src, h, first, out, progress, ctx);
	err = close_pipeline(p, thread);
	if (rc == 0 && err)
		rc = vrp_error_from_errno(err, "cannot write %s", dst_name);
	return rc;
}

static int copy_all(struct pipeline *p, int src, const char *dst_name, vrp_sha256 *h,
		    struct vrp_copy_result *out, vrp_copy_progress_fn progress, void *ctx)
{
	ssize_t n = vrp_fs_read_full(src, p->buf[0], COPY_BUFFER);
	if (n < 0)
		return vrp_error_from_errno(errno, "cannot read the source file");
	if (n == COPY_BUFFER)
		return copy_pipelined(p, src, dst_name, h, (size_t)n, out, progress, ctx);
	int rc = vrp_sha256_update(h, p->buf[0], (size_t)n);
	int err = rc == 0 ? write_chunk(p, p->buf[0], (size_t)n) : 0;
	if (err)
		return vrp_error_from_errno(err, "cannot write %s", dst_name);
	out->bytes = n;
	if (rc == 0 && progress && progress(ctx, out->bytes) != 0)
		rc = vrp_error_set(VRP_ECANCELLED, "copy cancelled");
	return rc;
}

int vrp_fd_copy_hashed(int src_fd, int dst_fd, const char *dst_name, struct vrp_copy_result *out,
		       vrp_copy_progress_fn progress, void *ctx)
{
	memset(out, 0, sizeof(*out));
	posix_fadvise(src_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	struct pipeline p = { .dst = dst_fd, .direct = direct_io(src_fd, dst_fd) };
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.changed, NULL);
	vrp_sha256 *h = NULL;
	/* The rest of the ring only if the file needs more than one buffer. */
	p.buf[0] = alloc_buffer(p.direct);
	int rc = p.buf[0] ? vrp_sha256_new(&h) : vrp_error_oom();
	if (rc == 0)
		rc = copy_all(&p, src_fd, dst_name, h, out, progress, ctx);
	if (rc == 0)
		rc = vrp_sha256_final_hex(h, out->sha256);
	vrp_sha256_free(h);
	for (int i = 0; i < RING; i++)
		free(p.buf[i]);
	pthread_cond_destroy(&p.changed);
	pthread_mutex_destroy(&p.lock);
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
		vrp_durable_unlink(dst_path);
	return rc;
}
