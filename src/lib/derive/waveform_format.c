/* waveform_format.c - audiowaveform's .dat and JSON, and views and zooms of stored peaks. */
#include "core/error_set.h"
#include "core/fsutil.h"
#include "derive/waveform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DAT_VERSION     2
#define DAT_FLAG_8_BIT  1u
#define DAT_HEADER_SIZE 24

/* Output gathered into blocks, so a long waveform is a few hundred writes, not millions. */
struct out {
	int fd;
	size_t used;
	int rc;
	char buf[65536];
};

static void flush(struct out *o)
{
	if (o->rc == 0 && o->used > 0 && vrp_fs_write_all(o->fd, o->buf, o->used) != 0)
		o->rc = vrp_error_from_errno(errno, "cannot write the waveform");
	o->used = 0;
}

static void put(struct out *o, const void *bytes, size_t len)
{
	if (o->used + len > sizeof(o->buf))
		flush(o);
	memcpy(o->buf + o->used, bytes, len);
	o->used += len;
}

static void put_le32(struct out *o, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	put(o, b, sizeof(b));
}

/* As audiowaveform: 8-bit values are the 16-bit ones divided by 256, truncated toward zero. */
static int scaled(int16_t v, int bits) { return bits == 8 ? v / 256 : v; }

/* Checks `bits` and allocates the output's buffer. */
static int start(int bits, int fd, struct out **o)
{
	if (bits != 8 && bits != 16)
		return vrp_error_set(VRP_EINVAL, "waveform bits must be 8 or 16, not %d", bits);
	if (!(*o = calloc(1, sizeof(**o))))
		return vrp_error_oom();
	(*o)->fd = fd;
	return 0;
}

static int finish(struct out *o)
{
	flush(o);
	int rc = o->rc;
	free(o);
	return rc;
}

int vrp_waveform_write_dat(const struct vrp_waveform *wf, int bits, int fd)
{
	struct out *o = NULL;
	int rc = start(bits, fd, &o);
	if (rc < 0)
		return rc;
	put_le32(o, DAT_VERSION);
	put_le32(o, bits == 8 ? DAT_FLAG_8_BIT : 0);
	put_le32(o, (uint32_t)wf->sample_rate);
	put_le32(o, (uint32_t)wf->samples_per_pixel);
	put_le32(o, (uint32_t)wf->length);
	put_le32(o, (uint32_t)wf->channels);
	size_t values = wf->length * (size_t)wf->channels * 2;
	for (size_t i = 0; i < values; i++) {
		int v = scaled(wf->data[i], bits);
		uint8_t b[2] = { (uint8_t)v, (uint8_t)((unsigned)v >> 8) };
		put(o, b, bits == 8 ? 1 : 2);
	}
	return finish(o);
}

int vrp_waveform_write_json(const struct vrp_waveform *wf, int bits, int fd)
{
	struct out *o = NULL;
	int rc = start(bits, fd, &o);
	if (rc < 0)
		return rc;
	char text[160];
	int n = snprintf(
		text, sizeof(text),
		"{\"version\":%d,\"channels\":%d,\"sample_rate\":%d,\"samples_per_pixel\":%d,"
		"\"bits\":%d,\"length\":%zu,\"data\":[",
		DAT_VERSION, wf->channels, wf->sample_rate, wf->samples_per_pixel, bits,
		wf->length);
	put(o, text, (size_t)n);
	size_t values = wf->length * (size_t)wf->channels * 2;
	for (size_t i = 0; i < values; i++) {
		n = snprintf(text, sizeof(text), i ? ",%d" : "%d", scaled(wf->data[i], bits));
		put(o, text, (size_t)n);
	}
	put(o, "]}\n", 3);
	return finish(o);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int corrupt(const char *why)
{
	return vrp_error_set(VRP_ECORRUPT_MEDIA, "the stored waveform is damaged: %s", why);
}

int vrp_waveform_read_dat(int fd, struct vrp_waveform *out)
{
	*out = (struct vrp_waveform){ 0 };
	uint8_t h[DAT_HEADER_SIZE];
	ssize_t got = vrp_fs_pread_full(fd, h, sizeof(h), 0);
	if (got < 0)
		return vrp_error_from_errno(errno, "cannot read the stored waveform");
	if (got != (ssize_t)sizeof(h) || le32(h) != DAT_VERSION || le32(h + 4) != 0)
		return corrupt("not a 16-bit version 2 .dat file");
	int rate = (int)le32(h + 8), spp = (int)le32(h + 12), channels = (int)le32(h + 20);
	uint32_t length = le32(h + 16);
	if (rate < 1 || spp < 2 || channels < 1 || channels > 1024)
		return corrupt("its header is out of range");
	size_t values = (size_t)length * (size_t)channels * 2;
	struct stat st;
	if (fstat(fd, &st) != 0)
		return vrp_error_from_errno(errno, "cannot read the stored waveform");
	/* The header's length is checked against the file before it sizes an allocation. */
	if ((uint64_t)st.st_size != DAT_HEADER_SIZE + (uint64_t)values * 2)
		return corrupt("its length does not match its header");
	uint8_t *raw = malloc(values * 2 + 1);
	int16_t *data = malloc(values * sizeof(int16_t) + 1);
	int rc = raw && data ? 0 : vrp_error_oom();
	if (rc == 0 && (got = vrp_fs_pread_full(fd, raw, values * 2 + 1, DAT_HEADER_SIZE)) < 0)
		rc = vrp_error_from_errno(errno, "cannot read the stored waveform");
	else if (rc == 0 && (size_t)got != values * 2)
		rc = corrupt("its length does not match its header");
	for (size_t i = 0; rc == 0 && i < values; i++)
		data[i] = (int16_t)(uint16_t)(raw[2 * i] | raw[2 * i + 1] << 8);
	free(raw);
	if (rc != 0) {
		free(data);
		return rc;
	}
	*out = (struct vrp_waveform){ rate, spp, channels, length, data };
	return 0;
}

int vrp_waveform_select(const struct vrp_waveform *stored, int channels,
			enum vrp_waveform_view view, struct vrp_waveform *out)
{
	*out = (struct vrp_waveform){ 0 };
	int expected = channels == 1 ? 1 : channels + 1;
	if (channels < 1 || stored->channels != expected)
		return corrupt("its channel count does not match the recording's");
	int first = view == VRP_WAVEFORM_ALL && channels > 1 ? 1 : 0;
	int taken = view == VRP_WAVEFORM_ALL ? channels : 1;
	int16_t *data = malloc(sizeof(int16_t) * 2 * (size_t)taken * stored->length + 1);
	if (!data)
		return vrp_error_oom();
	for (size_t i = 0; i < stored->length; i++)
		memcpy(data + i * 2 * (size_t)taken,
		       stored->data + (i * (size_t)stored->channels + (size_t)first) * 2,
		       sizeof(int16_t) * 2 * (size_t)taken);
	*out = (struct vrp_waveform){ stored->sample_rate, stored->samples_per_pixel, taken,
				      stored->length, data };
	return 0;
}

int vrp_waveform_rescale(struct vrp_waveform *wf, int factor)
{
	if (factor < 1 || wf->samples_per_pixel > INT32_MAX / factor)
		return vrp_error_set(VRP_EINVAL, "cannot zoom out %d times", factor);
	size_t width = 2 * (size_t)wf->channels;
	size_t length = (wf->length + (size_t)factor - 1) / (size_t)factor;
	/* In place: pixel j is written after the pixels it reads, which start at j * factor. */
	for (size_t j = 0; j < length; j++) {
		int16_t *dst = wf->data + j * width;
		size_t end = (j + 1) * (size_t)factor;
		if (end > wf->length)
			end = wf->length;
		memmove(dst, wf->data + j * (size_t)factor * width, sizeof(int16_t) * width);
		for (size_t i = j * (size_t)factor + 1; i < end; i++) {
			const int16_t *src = wf->data + i * width;
			for (size_t c = 0; c < width; c += 2) {
				if (src[c] < dst[c])
					dst[c] = src[c];
				if (src[c + 1] > dst[c + 1])
					dst[c + 1] = src[c + 1];
			}
		}
	}
	wf->length = length;
	wf->samples_per_pixel *= factor;
	return 0;
}
