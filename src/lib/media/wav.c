/* wav.c - reads a plain PCM WAV file from its header alone. */
#include "media/wav.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "media/probe.h"
#include "media/tags.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Bounds the walk, so a file of a million empty chunks costs a few reads. */
#define CHUNKS_MAX 256

#define WAVE_FORMAT_PCM        0x0001
#define WAVE_FORMAT_IEEE_FLOAT 0x0003
#define WAVE_FORMAT_EXTENSIBLE 0xFFFE

/* The tail every KSDATAFORMAT_SUBTYPE GUID shares after its two-byte format tag. */
static const uint8_t subtype_tail[14] = { 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
					  0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71 };

struct fmt {
	unsigned tag, channels, block_align, bits;
	uint32_t sample_rate, byte_rate;
};

struct layout {
	struct fmt fmt;
	int64_t data_offset;
	uint32_t data_size;
	int fmt_chunks, data_chunks;
	bool other_stream; /* a chunk that makes FFmpeg see more than audio */
	/* BWF's OriginationDate / OriginationTime, RIFF INFO's INAM and ICRD, NUL-ended. */
	char bwf_date[11], bwf_time[9], title[256], created[32];
};

/* Copies a fixed-size, maybe unterminated text field. */
static void copy_field(char *dst, size_t dst_len, const uint8_t *src, size_t src_len)
{
	size_t n = src_len < dst_len - 1 ? src_len : dst_len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	dst[strnlen(dst, n)] = '\0';
}

static unsigned le16(const uint8_t *p) { return (unsigned)p[0] | (unsigned)p[1] << 8; }

static uint32_t le32(const uint8_t *p) { return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16; }

/* Reads `len` bytes at `offset`: 1 when all were there, 0 when the file ends first. */
static int read_at(int fd, void *buf, size_t len, int64_t offset)
{
	ssize_t got = vrp_fs_pread_full(fd, buf, len, offset);
	if (got < 0)
		return vrp_error_from_errno(errno, "cannot read the WAV header");
	return (size_t)got == len;
}

/* WAVEFORMATEXTENSIBLE names its codec by GUID; only PCM and float, every bit valid, are plain. */
static bool read_extensible(struct fmt *f, const uint8_t *b, uint32_t size)
{
	if (size < 40 || le16(b + 16) < 22)
		return false;
	unsigned valid_bits = le16(b + 18);
	if (valid_bits != 0 && valid_bits != f->bits)
		return false;
	if (memcmp(b + 26, subtype_tail, sizeof(subtype_tail)) != 0)
		return false;
	f->tag = le16(b + 24);
	return true;
}

static int read_fmt(int fd, int64_t pos, uint32_t size, struct fmt *f)
{
	uint8_t b[40] = { 0 };
	if (size < 16)
		return 0;
	int rc = read_at(fd, b, size < sizeof(b) ? size : sizeof(b), pos);
	if (rc <= 0)
		return rc;
	*f = (struct fmt){ .tag = le16(b),
			   .channels = le16(b + 2),
			   .sample_rate = le32(b + 4),
			   .byte_rate = le32(b + 8),
			   .block_align = le16(b + 12),
			   .bits = le16(b + 14) };
	if (f->tag == WAVE_FORMAT_EXTENSIBLE && !read_extensible(f, b, size))
		f->tag = 0;
	return 1;
}

static int read_at(int fd, void *buf, size_t len, int64_t offset);

/* EBU Tech 3285: Description[256], Originator[32], OriginatorReference[32], then the stamp. */
static int read_bext(int fd, int64_t pos, uint32_t size, struct layout *l)
{
	uint8_t stamp[18];
	if (size < 338)
		return 1;
	int rc = read_at(fd, stamp, sizeof(stamp), pos + 320);
	if (rc > 0) {
		copy_field(l->bwf_date, sizeof(l->bwf_date), stamp, 10);
		copy_field(l->bwf_time, sizeof(l->bwf_time), stamp + 10, 8);
	}
	return rc;
}

/* A LIST chunk of type INFO: its INAM (title) and ICRD (creation date) subchunks. */
static int read_info(int fd, int64_t pos, uint32_t size, struct layout *l)
{
	uint8_t h[8], type[4];
	int rc = size >= 4 ? read_at(fd, type, 4, pos) : 0;
	if (rc <= 0 || memcmp(type, "INFO", 4) != 0)
		return rc < 0 ? rc : 1;
	int64_t end = pos + size;
	for (int64_t at = pos + 4; at + 8 <= end;) {
		if ((rc = read_at(fd, h, sizeof(h), at)) <= 0)
			return rc;
		uint32_t len = le32(h + 4);
		char *dst = !memcmp(h, "INAM", 4)   ? l->title
			    : !memcmp(h, "ICRD", 4) ? l->created
						    : NULL;
		size_t dst_len = dst == l->title ? sizeof(l->title) : sizeof(l->created);
		if (dst && at + 8 + (int64_t)len <= end) {
			uint8_t buf[256];
			size_t n = len < sizeof(buf) ? len : sizeof(buf);
			if ((rc = read_at(fd, buf, n, at + 8)) <= 0)
				return rc;
			copy_field(dst, dst_len, buf, n);
		}
		at += 8 + (int64_t)len + (len & 1);
	}
	return 1;
}

/* Notes where the fmt and data chunks are, walking every chunk header to the end of the file. */
static int walk_chunks(int fd, int64_t size, struct layout *l)
{
	int64_t pos = 12;
	for (int i = 0; pos + 8 <= size; i++) {
		uint8_t h[8];
		int rc = i < CHUNKS_MAX ? read_at(fd, h, sizeof(h), pos) : 0;
		if (rc <= 0)
			return rc;
		uint32_t chunk = le32(h + 4);
		if (memcmp(h, "fmt ", 4) == 0) {
			l->fmt_chunks++;
			if ((rc = read_fmt(fd, pos + 8, chunk, &l->fmt)) <= 0)
				return rc;
		} else if (memcmp(h, "data", 4) == 0) {
			l->data_chunks++;
			l->data_offset = pos + 8;
			l->data_size = chunk;
		} else if (memcmp(h, "bext", 4) == 0) {
			if ((rc = read_bext(fd, pos + 8, chunk, l)) < 0)
				return rc;
		} else if (memcmp(h, "LIST", 4) == 0) {
			if ((rc = read_info(fd, pos + 8, chunk, l)) < 0)
				return rc;
		} else if (memcmp(h, "SMV0", 4) == 0) {
			l->other_stream = true; /* Samsung's video in WAV */
		}
		pos += 8 + (int64_t)chunk + (chunk & 1);
	}
	return 1;
}

/* The FFmpeg codec a plain format is, or NULL when it is not plain. */
static const char *codec_of(const struct fmt *f)
{
	if (f->tag == WAVE_FORMAT_PCM) {
		switch (f->bits) {
		case 8:
			return "pcm_u8";
		case 16:
			return "pcm_s16le";
		case 24:
			return "pcm_s24le";
		case 32:
			return "pcm_s32le";
		default:
			return NULL;
		}
	}
	if (f->tag == WAVE_FORMAT_IEEE_FLOAT && f->bits == 32)
		return "pcm_f32le";
	if (f->tag == WAVE_FORMAT_IEEE_FLOAT && f->bits == 64)
		return "pcm_f64le";
	return NULL;
}

/* The samples per channel of a plain file; 0 when the file is not plain. */
static int64_t plain_samples(const struct layout *l, int64_t size)
{
	const struct fmt *f = &l->fmt;
	if (l->fmt_chunks != 1 || l->data_chunks != 1 || l->other_stream || !codec_of(f))
		return 0;
	if (f->block_align == 0 || f->block_align != f->channels * f->bits / 8)
		return 0;
	/* A byte rate that disagrees is FFmpeg's to judge (it trusts the header's). */
	if (f->byte_rate != 0 && f->byte_rate != (uint64_t)f->sample_rate * f->block_align)
		return 0;
	/* 0 and 0xFFFFFFFF stand for "unknown": a recorder that never rewrote its header. */
	if (l->data_size == 0 || l->data_size == UINT32_MAX || l->data_size % f->block_align != 0)
		return 0;
	if (l->data_offset + (int64_t)l->data_size > size)
		return 0;
	return l->data_size / f->block_align;
}

/*
 * Whatever its codec, a header whose rate or channel count is out of range is
 * damaged: FFmpeg refuses it too (or the probe's final check does), so the
 * answer is the same without loading FFmpeg. The fields are unsigned here;
 * copied unchecked into an int, 3 GHz became a negative rate.
 */
static int check_ranges(const struct fmt *f)
{
	if (f->sample_rate < VRP_MEDIA_SAMPLE_RATE_MIN ||
	    f->sample_rate > VRP_MEDIA_SAMPLE_RATE_MAX)
		return vrp_error_set(VRP_ECORRUPT_MEDIA,
				     "the WAV header declares a sample rate of %" PRIu32
				     " Hz (vrp reads %d to %d Hz)",
				     f->sample_rate, VRP_MEDIA_SAMPLE_RATE_MIN,
				     VRP_MEDIA_SAMPLE_RATE_MAX);
	if (f->channels < 1 || f->channels > VRP_MEDIA_CHANNELS_MAX)
		return vrp_error_set(VRP_ECORRUPT_MEDIA,
				     "the WAV header declares %u channels (vrp reads 1 to %d)",
				     f->channels, VRP_MEDIA_CHANNELS_MAX);
	return 0;
}

static void describe(const struct layout *l, int64_t samples, int64_t size,
		     struct vrp_media_info *out)
{
	const struct fmt *f = &l->fmt;
	memset(out, 0, sizeof(*out));
	snprintf(out->format_name, sizeof(out->format_name), "wav");
	snprintf(out->mime_type, sizeof(out->mime_type), "audio/wav");
	snprintf(out->extension, sizeof(out->extension), "wav");
	snprintf(out->codec, sizeof(out->codec), "%s", codec_of(f));
	out->duration = (double)samples * (1.0 / f->sample_rate);
	out->sample_rate = (int)f->sample_rate;
	out->channels = (int)f->channels;
	out->bit_depth = (int)f->bits;
	/* As FFmpeg reports it: the header's byte rate, else the file's average. */
	out->bit_rate = f->byte_rate ? (int64_t)f->byte_rate * 8
				     : (int64_t)((double)size * 8 / out->duration);
	/* As FFmpeg's WAV demuxer reads them, so the two probes agree. */
	char iso[32];
	if (vrp_media_date_to_iso(l->bwf_date, l->bwf_time, iso) == 0)
		vrp_media_set_recorded(out, iso, "bwf");
	else if (vrp_media_date_to_iso(l->created, NULL, iso) == 0)
		vrp_media_set_recorded(out, iso, "container");
	vrp_media_set_title(out, l->title);
}

/* Finds a plain file's layout: 1 with `*samples` > 0, 0 when it is not plain, or a negative code.
 */
static int read_layout(int fd, int64_t size, struct layout *l, int64_t *samples)
{
	uint8_t riff[12];
	int rc = size >= 12 ? read_at(fd, riff, sizeof(riff), 0) : 0;
	if (rc <= 0)
		return rc;
	if (memcmp(riff, "RIFF", 4) != 0 || memcmp(riff + 8, "WAVE", 4) != 0)
		return 0;
	*l = (struct layout){ 0 };
	if ((rc = walk_chunks(fd, size, l)) <= 0)
		return rc;
	if (l->fmt_chunks == 1 && (rc = check_ranges(&l->fmt)) < 0)
		return rc;
	*samples = plain_samples(l, size);
	return *samples > 0;
}

int vrp_wav_read_plain(int fd, int64_t size, struct vrp_media_info *out)
{
	struct layout l;
	int64_t samples = 0;
	int rc = read_layout(fd, size, &l, &samples);
	if (rc <= 0)
		return rc;
	describe(&l, samples, size, out);
	return 1;
}

int vrp_wav_read_pcm(int fd, int64_t size, struct vrp_wav_pcm *out)
{
	struct layout l;
	int64_t samples = 0;
	int rc = read_layout(fd, size, &l, &samples);
	if (rc <= 0)
		return rc;
	*out = (struct vrp_wav_pcm){ .data_offset = l.data_offset,
				     .frames = samples,
				     .sample_rate = (int)l.fmt.sample_rate,
				     .channels = (int)l.fmt.channels,
				     .bits = (int)l.fmt.bits,
				     .is_float = l.fmt.tag == WAVE_FORMAT_IEEE_FLOAT };
	return 1;
}
