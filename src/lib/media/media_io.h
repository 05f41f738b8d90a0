/*
 * media_io.h - an FFmpeg AVIOContext reading a file descriptor (internal).
 *
 * FFmpeg is given bytes, never a path: a path would let it pick a protocol
 * from the name ("concat:", "http:") and a format from the extension, and
 * vrp identifies files by their content alone.
 */
#ifndef VRP_MEDIA_MEDIA_IO_H
#define VRP_MEDIA_MEDIA_IO_H

#include <stddef.h>
#include <stdint.h>

struct AVIOContext;
struct vrp_ffmpeg;

struct vrp_media_io {
	const struct vrp_ffmpeg *ffmpeg;
	struct AVIOContext *avio;
	int fd;
	int64_t size;
	int64_t pos;
	/* errno of the first failed read, 0 if none: FFmpeg only sees AVERROR(EIO)-like
	 * codes, and the caller must report the real cause. */
	int read_errno;
};

/*
 * Wraps the regular file `fd` of `size` bytes, allocating through the loaded
 * `ffmpeg`; the caller keeps owning `fd`. Returns 0, or VRP_ENOMEM.
 */
int vrp_media_io_init(struct vrp_media_io *io, const struct vrp_ffmpeg *ffmpeg, int fd,
		      int64_t size);

/* Frees the AVIOContext and its buffer; the fd stays open. Safe on a zeroed struct. */
void vrp_media_io_free(struct vrp_media_io *io);

/*
 * Reads `len` bytes at `offset` without moving FFmpeg's position. Returns the
 * number read (short at end of file), or a negative code with the error set.
 */
int64_t vrp_media_io_pread(struct vrp_media_io *io, void *buf, size_t len, int64_t offset);

#endif
