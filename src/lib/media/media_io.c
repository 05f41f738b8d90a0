/* media_io.c - an FFmpeg AVIOContext reading a file descriptor. */
#include "media/media_io.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "media/ffmpeg.h"

#include <errno.h>
#include <unistd.h>

#include <libavformat/avio.h>
#include <libavutil/error.h>

#define IO_BUFFER_SIZE 65536

static int read_packet(void *opaque, uint8_t *buf, int len)
{
	struct vrp_media_io *io = opaque;
	ssize_t n;
	do
		n = pread(io->fd, buf, (size_t)len, io->pos);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (!io->read_errno)
			io->read_errno = errno;
		return AVERROR(EIO);
	}
	if (n == 0)
		return AVERROR_EOF;
	io->pos += n;
	return (int)n;
}

static int64_t seek(void *opaque, int64_t offset, int whence)
{
	struct vrp_media_io *io = opaque;
	int64_t base;
	switch (whence & ~AVSEEK_FORCE) {
	case AVSEEK_SIZE:
		return io->size;
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = io->pos;
		break;
	case SEEK_END:
		base = io->size;
		break;
	default:
		return AVERROR(EINVAL);
	}
	if (offset < -base)
		return AVERROR(EINVAL);
	io->pos = base + offset;
	return io->pos;
}

int vrp_media_io_init(struct vrp_media_io *io, const struct vrp_ffmpeg *ffmpeg, int fd,
		      int64_t size)
{
	*io = (struct vrp_media_io){ .ffmpeg = ffmpeg, .fd = fd, .size = size };
	uint8_t *buffer = ffmpeg->av_malloc(IO_BUFFER_SIZE);
	if (!buffer)
		return vrp_error_oom();
	io->avio =
		ffmpeg->avio_alloc_context(buffer, IO_BUFFER_SIZE, 0, io, read_packet, NULL, seek);
	if (!io->avio) {
		ffmpeg->av_free(buffer);
		return vrp_error_oom();
	}
	return 0;
}

void vrp_media_io_free(struct vrp_media_io *io)
{
	if (!io->avio)
		return;
	/* FFmpeg may have swapped in a buffer of its own: free the one it holds now. */
	io->ffmpeg->av_freep(&io->avio->buffer);
	io->ffmpeg->avio_context_free(&io->avio);
}

int64_t vrp_media_io_pread(struct vrp_media_io *io, void *buf, size_t len, int64_t offset)
{
	ssize_t n = vrp_fs_pread_full(io->fd, buf, len, offset);
	if (n < 0)
		return vrp_error_from_errno(errno, "cannot read the file");
	return (int64_t)n;
}
