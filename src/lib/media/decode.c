/* decode.c - one streaming decode feeding every sink; plain WAV read directly. */
#include "media/decode.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "media/decode_internal.h"
#include "media/wav.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int vrp_decode_begin(struct vrp_decode_fanout *out, const struct vrp_pcm_format *format)
{
	out->channels = format->channels;
	out->chunk = malloc(sizeof(float) * VRP_DECODE_CHUNK_FRAMES * (size_t)format->channels);
	if (!out->chunk)
		return vrp_error_oom();
	for (size_t i = 0; i < out->count; i++) {
		int rc = out->sinks[i].begin(out->sinks[i].ctx, format);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int vrp_decode_write(struct vrp_decode_fanout *out, size_t frames)
{
	for (size_t i = 0; frames > 0 && i < out->count; i++) {
		int rc = out->sinks[i].write(out->sinks[i].ctx, out->chunk, frames);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int vrp_decode_end(struct vrp_decode_fanout *out)
{
	for (size_t i = 0; i < out->count; i++) {
		int rc = out->sinks[i].end(out->sinks[i].ctx);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void vrp_decode_fanout_free(struct vrp_decode_fanout *out)
{
	free(out->chunk);
	out->chunk = NULL;
}

static int32_t le_int(const uint8_t *p, int bytes)
{
	uint32_t v = 0;
	for (int i = 0; i < bytes; i++)
		v |= (uint32_t)p[i] << (8 * i);
	/* Sign-extend from the sample's width (the shift keeps 24-bit samples exact). */
	int shift = 32 - 8 * bytes;
	return (int32_t)(v << shift) >> shift;
}

/* One little-endian sample as a float in [-1, 1]: x / 2^(bits-1) for integers, as the sink contract
 * says. */
static float wav_sample(const uint8_t *p, const struct vrp_wav_pcm *pcm)
{
	if (pcm->is_float && pcm->bits == 32) {
		uint32_t v = (uint32_t)le_int(p, 4);
		float f;
		memcpy(&f, &v, sizeof(f));
		return f;
	}
	if (pcm->is_float) {
		uint64_t v = (uint32_t)le_int(p, 4) | (uint64_t)(uint32_t)le_int(p + 4, 4) << 32;
		double d;
		memcpy(&d, &v, sizeof(d));
		return (float)d;
	}
	if (pcm->bits == 8)
		return (float)((int)p[0] - 128) / 128.0f;
	return (float)le_int(p, pcm->bits / 8) / (float)(1u << (pcm->bits - 1));
}

static int decode_wav(int fd, const char *path, const struct vrp_wav_pcm *pcm,
		      struct vrp_decode_fanout *out)
{
	size_t bytes_per_sample = (size_t)pcm->bits / 8;
	size_t block = bytes_per_sample * (size_t)pcm->channels;
	uint8_t *raw = malloc(block * VRP_DECODE_CHUNK_FRAMES);
	struct vrp_pcm_format format = { pcm->sample_rate, pcm->channels,
					 pcm->is_float ? 0 : pcm->bits, pcm->frames };
	int rc = raw ? vrp_decode_begin(out, &format) : vrp_error_oom();
	for (int64_t done = 0; rc == 0 && done < pcm->frames;) {
		int64_t left = pcm->frames - done;
		size_t frames =
			left < VRP_DECODE_CHUNK_FRAMES ? (size_t)left : VRP_DECODE_CHUNK_FRAMES;
		ssize_t got = vrp_fs_pread_full(fd, raw, frames * block,
						pcm->data_offset + done * (int64_t)block);
		if (got < 0) {
			rc = vrp_error_from_errno(errno, "cannot read %s", path);
			break;
		}
		if ((size_t)got < frames * block) {
			rc = vrp_error_set(VRP_ECORRUPT_MEDIA,
					   "%s is shorter than its WAV header says", path);
			break;
		}
		for (size_t i = 0; i < frames * (size_t)pcm->channels; i++)
			out->chunk[i] = wav_sample(raw + i * bytes_per_sample, pcm);
		rc = vrp_decode_write(out, frames);
		done += (int64_t)frames;
	}
	if (rc == 0)
		rc = vrp_decode_end(out);
	free(raw);
	return rc;
}

static int open_source(const char *path, int *fd, int64_t *size)
{
	struct stat st;
	int rc = vrp_fs_open_regular(path, fd, &st);
	if (rc < 0)
		return rc;
	*size = st.st_size;
	return 0;
}

int vrp_decode_file(const char *path, const struct vrp_pcm_sink *sinks, size_t count)
{
	struct vrp_decode_fanout out = { .sinks = sinks, .count = count };
	struct vrp_wav_pcm pcm;
	int fd = -1;
	int64_t size = 0;
	int rc = open_source(path, &fd, &size);
	if (rc == 0)
		rc = vrp_wav_read_pcm(fd, size, &pcm);
	if (rc == 1)
		rc = decode_wav(fd, path, &pcm, &out);
	else if (rc == 0)
		rc = vrp_decode_ffmpeg(fd, size, path, &out);
	vrp_decode_fanout_free(&out);
	if (fd >= 0)
		close(fd);
	return rc;
}
