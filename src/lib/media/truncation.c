/* truncation.c - whether a file is as long as its container says. */
#include "media/truncation.h"

#include "core/error_set.h"
#include "media/media_io.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/intreadwrite.h>

/* Bounds on the walks, so a hostile file costs a few reads, not a loop over junk. */
#define CHUNKS_MAX    256
#define OGG_TAIL_MAX  65536
#define OGG_PAGE_HEAD 27

static int truncated(const char *what, int64_t end, int64_t size)
{
	return vrp_error_set(VRP_ECORRUPT_MEDIA,
			     "truncated: %s ends at byte %lld but the file has %lld bytes", what,
			     (long long)end, (long long)size);
}

/* Fewer bytes than asked at the end of the file read as "not there": 0 returned. */
static int read_at(struct vrp_media_io *io, void *buf, size_t len, int64_t offset, bool *got)
{
	int64_t n = vrp_media_io_pread(io, buf, len, offset);
	if (n < 0)
		return (int)n;
	*got = n == (int64_t)len;
	return 0;
}

/*
 * RIFF (little-endian sizes) and AIFF (big-endian): the audio chunk must fit.
 * A WAV data size of 0 or 0xFFFFFFFF means "unknown", written by a recorder
 * that never rewrote its header, and is let through.
 */
static int check_iff(struct vrp_media_io *io, bool big_endian, const char *audio_tag)
{
	int64_t pos = 12;
	for (int i = 0; i < CHUNKS_MAX; i++) {
		uint8_t h[8];
		bool got = false;
		int rc = read_at(io, h, sizeof(h), pos, &got);
		if (rc < 0 || !got)
			return rc;
		uint32_t size = big_endian ? AV_RB32(h + 4) : AV_RL32(h + 4);
		int64_t end = pos + 8 + size;
		if (memcmp(h, audio_tag, 4) == 0) {
			if (size == 0 || size == UINT32_MAX || end <= io->size)
				return 0;
			return truncated("the audio chunk", end, io->size);
		}
		pos = end + (size & 1);
	}
	return 0;
}

/* MP4 and 3GP: every top-level box must fit (a box of size 0 runs to the end). */
static int check_boxes(struct vrp_media_io *io)
{
	int64_t pos = 0;
	for (int i = 0; i < CHUNKS_MAX && pos + 8 <= io->size; i++) {
		uint8_t h[16];
		bool got = false;
		int rc = read_at(io, h, sizeof(h), pos, &got);
		if (rc < 0)
			return rc;
		uint64_t size = AV_RB32(h);
		if (size == 0)
			return 0;
		if (size == 1 && got)
			size = AV_RB64(h + 8);
		if (size < 8 || size > (uint64_t)(io->size - pos)) {
			char what[16] = "the 'xxxx' box";
			memcpy(what + 5, h + 4, 4);
			return truncated(what, pos + (int64_t)(size < 8 ? 8 : size), io->size);
		}
		pos += (int64_t)size;
	}
	return 0;
}

/* An EBML variable-length integer; its length in *len, 0 if malformed. All ones: unknown. */
static uint64_t ebml_vint(const uint8_t *p, size_t avail, int *len, bool *unknown)
{
	int n = 1;
	while (n <= 8 && !(p[0] & (0x80 >> (n - 1))))
		n++;
	*len = n <= 8 && (size_t)n <= avail ? n : 0;
	if (!*len)
		return 0;
	uint64_t v = p[0] & (0xffu >> n);
	bool ones = v == (0xffu >> n);
	for (int i = 1; i < n; i++) {
		v = v << 8 | p[i];
		ones = ones && p[i] == 0xff;
	}
	*unknown = ones;
	return v;
}

/* WebM: the Segment, which holds everything after the EBML header, must fit. */
static int check_segment(struct vrp_media_io *io)
{
	uint8_t h[64];
	int64_t n = vrp_media_io_pread(io, h, sizeof(h), 0);
	if (n < 0)
		return (int)n;
	int len = 0;
	bool unknown = false;
	if (n < 5 || memcmp(h, "\x1a\x45\xdf\xa3", 4) != 0)
		return 0;
	uint64_t head = ebml_vint(h + 4, (size_t)n - 4, &len, &unknown);
	size_t pos = 4 + (size_t)len + head;
	if (!len || pos + 4 > (size_t)n || memcmp(h + pos, "\x18\x53\x80\x67", 4) != 0)
		return 0;
	uint64_t size = ebml_vint(h + pos + 4, (size_t)n - pos - 4, &len, &unknown);
	int64_t start = (int64_t)pos + 4 + len;
	if (!len || unknown || size <= (uint64_t)(io->size - start))
		return 0;
	return truncated("the WebM segment", start + (int64_t)size, io->size);
}

/* The byte length of the Ogg page whose header is at `h`, or -1 if it is not one. */
static int64_t ogg_page_length(const uint8_t *h, size_t avail)
{
	if (avail < OGG_PAGE_HEAD || memcmp(h, "OggS", 4) != 0 || h[4] != 0 ||
	    avail < (size_t)OGG_PAGE_HEAD + h[26])
		return -1;
	int64_t len = OGG_PAGE_HEAD + h[26];
	for (int i = 0; i < h[26]; i++)
		len += h[OGG_PAGE_HEAD + i];
	return len;
}

/*
 * Ogg declares no total length, but a finished stream ends with a complete
 * page flagged end-of-stream: a recording cut short (or a recorder that
 * crashed) has no such page.
 */
static int check_ogg_end(struct vrp_media_io *io)
{
	int64_t want = io->size < OGG_TAIL_MAX ? io->size : OGG_TAIL_MAX;
	uint8_t *tail = malloc((size_t)want);
	if (!tail)
		return vrp_error_oom();
	int64_t base = io->size - want;
	int64_t n = vrp_media_io_pread(io, tail, (size_t)want, base);
	int rc = n < 0 ? (int)n : 0;
	bool eos = false, found = false;
	for (int64_t i = n - OGG_PAGE_HEAD; rc == 0 && i >= 0 && !found; i--) {
		int64_t len = ogg_page_length(tail + i, (size_t)(n - i));
		found = len > 0 && i + len == n;
		eos = found && (tail[i + 5] & 0x04);
	}
	free(tail);
	if (rc == 0 && !eos)
		rc = vrp_error_set(VRP_ECORRUPT_MEDIA,
				   "truncated: the Ogg stream does not end with a complete "
				   "end-of-stream page");
	return rc;
}

/*
 * ASF (WMA): the File Properties object in the header states the file's
 * size, unless the broadcast flag says the size is not known.
 */
static int check_asf(struct vrp_media_io *io)
{
	static const uint8_t file_properties[16] = {
		0xa1, 0xdc, 0xab, 0x8c, 0x47, 0xa9, 0xcf, 0x11,
		0x8e, 0xe4, 0x00, 0xc0, 0x0c, 0x20, 0x53, 0x65
	};
	int64_t pos = 30; /* after the header object's GUID, size, count and reserved bytes */
	for (int i = 0; i < CHUNKS_MAX; i++) {
		uint8_t h[92];
		bool got = false;
		int rc = read_at(io, h, 24, pos, &got);
		if (rc < 0 || !got)
			return rc;
		uint64_t size = AV_RL64(h + 16);
		if (memcmp(h, file_properties, 16) == 0) {
			rc = read_at(io, h, sizeof(h), pos, &got);
			if (rc < 0 || !got)
				return rc;
			uint64_t declared = AV_RL64(h + 40);
			bool broadcast = AV_RL32(h + 88) & 1;
			if (broadcast || declared == 0 || declared <= (uint64_t)io->size)
				return 0;
			return truncated("the ASF file", (int64_t)declared, io->size);
		}
		if (size < 24)
			return 0;
		pos += (int64_t)size;
	}
	return 0;
}

/* Raw ADTS AAC has no header of its own: every frame states its length, the last one too. */
#define ADTS_FRAMES_MAX (1 << 21)
static int check_adts(struct vrp_media_io *io)
{
	int64_t pos = 0;
	uint8_t id3[10];
	bool got = false;
	int rc = read_at(io, id3, sizeof(id3), 0, &got);
	if (rc < 0)
		return rc;
	if (got && memcmp(id3, "ID3", 3) == 0)
		pos = 10 +
		      ((id3[6] & 0x7f) << 21 | (id3[7] & 0x7f) << 14 | (id3[8] & 0x7f) << 7 |
		       (id3[9] & 0x7f)) +
		      (id3[5] & 0x10 ? 10 : 0);
	for (int i = 0; i < ADTS_FRAMES_MAX && pos < io->size; i++) {
		uint8_t h[7];
		rc = read_at(io, h, sizeof(h), pos, &got);
		if (rc < 0)
			return rc;
		if (!got)
			return truncated("the last AAC frame", pos + 7, io->size);
		/* Not a frame (an ID3 or APE tag at the end): the frames are all there. */
		if (h[0] != 0xff || (h[1] & 0xf6) != 0xf0)
			return 0;
		int64_t length = ((h[3] & 3) << 11) | (h[4] << 3) | (h[5] >> 5);
		if (length < 7)
			return 0;
		if (pos + length > io->size)
			return truncated("the last AAC frame", pos + length, io->size);
		pos += length;
	}
	return 0;
}

int vrp_media_check_complete(struct vrp_media_io *io, const char *format_name)
{
	if (strcmp(format_name, "asf") == 0)
		return check_asf(io);
	if (strcmp(format_name, "aac") == 0)
		return check_adts(io);
	if (strcmp(format_name, "wav") == 0)
		return check_iff(io, false, "data");
	if (strcmp(format_name, "aiff") == 0)
		return check_iff(io, true, "SSND");
	if (strcmp(format_name, "mp4") == 0 || strcmp(format_name, "3gp") == 0)
		return check_boxes(io);
	if (strcmp(format_name, "webm") == 0)
		return check_segment(io);
	if (strcmp(format_name, "ogg") == 0)
		return check_ogg_end(io);
	return 0;
}
