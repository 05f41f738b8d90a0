/*
 * test_waveform.c - the decode and the waveform peaks, against signals whose
 * peaks are known: a half-scale sine, silence, a full-scale square, the same
 * sine stored in every sample format vrp reads directly and as FLAC, and the
 * .dat bytes of a waveform written by hand.
 */
#include "test_support.h"

#include "derive/waveform.h"
#include "media/decode.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RATE    48000
#define SECONDS 1

struct wav_spec {
	int bits;
	bool is_float;
	int channels;
};

static void put_le(FILE *f, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		fputc((int)(v >> (8 * i)) & 0xff, f);
}

/* One sample of `x` in [-1, 1] as the format stores it, rounding to the nearest step. */
static void put_sample(FILE *f, double x, const struct wav_spec *s)
{
	if (s->is_float && s->bits == 32) {
		float v = (float)x;
		uint32_t u;
		memcpy(&u, &v, 4);
		put_le(f, u, 4);
	} else if (s->is_float) {
		uint64_t u;
		memcpy(&u, &x, 8);
		put_le(f, u, 8);
	} else if (s->bits == 8) {
		put_le(f, (uint64_t)(lround(x * 128) + 128), 1);
	} else {
		double scale = (double)(1ll << (s->bits - 1));
		long long v = llround(x * scale);
		if (v >= (long long)scale)
			v = (long long)scale - 1;
		if (v < -(long long)scale)
			v = -(long long)scale;
		put_le(f, (uint64_t)v, s->bits / 8);
	}
}

/* Writes `frames` frames of signal(i, channel) as a WAV of `s`; returns the malloc'd path. */
static char *write_wav(const char *dir, const char *name, const struct wav_spec *s, long frames,
		       double (*signal)(long i, int channel))
{
	char *path = test_path(dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	uint32_t block = (uint32_t)(s->bits / 8 * s->channels);
	uint32_t data = block * (uint32_t)frames;
	fwrite("RIFF", 1, 4, f);
	put_le(f, 36 + data, 4);
	fwrite("WAVEfmt ", 1, 8, f);
	put_le(f, 16, 4);
	put_le(f, s->is_float ? 3 : 1, 2);
	put_le(f, (uint64_t)s->channels, 2);
	put_le(f, RATE, 4);
	put_le(f, RATE * block, 4);
	put_le(f, block, 2);
	put_le(f, (uint64_t)s->bits, 2);
	fwrite("data", 1, 4, f);
	put_le(f, data, 4);
	for (long i = 0; i < frames; i++)
		for (int c = 0; c < s->channels; c++)
			put_sample(f, signal(i, c), s);
	assert_int_equal(fclose(f), 0);
	return path;
}

static double half_sine(long i, int channel)
{
	(void)channel;
	return 0.5 * sin(2 * M_PI * 1000.0 * (double)i / RATE);
}

static double silence(long i, int channel)
{
	(void)i, (void)channel;
	return 0;
}

/* Beyond full scale both ways: clipped to the extremes. */
static double clipped_square(long i, int channel)
{
	(void)channel;
	return (i / 24) % 2 ? -1.5 : 1.5;
}

/* A sine on the left, a quarter-scale negative DC on the right: mixed and split differ. */
static double stereo_signal(long i, int channel) { return channel == 0 ? half_sine(i, 0) : -0.25; }

/* Deterministic noise, so every pixel's peaks differ. */
static double noise(long i, int channel)
{
	uint32_t x = (uint32_t)i * 2654435761u + (uint32_t)channel * 40503u;
	x ^= x >> 13;
	x *= 0x5bd1e995u;
	x ^= x >> 15;
	return ((double)(x & 0xffff) / 32768.0 - 1.0) * ((double)(i % 997) / 997.0);
}

static struct wav_spec s16 = { 16, false, 1 };

static void peaks_of(const char *path, int spp, enum vrp_waveform_view view,
		     struct vrp_waveform *wf)
{
	struct vrp_waveform_builder *b = NULL;
	struct vrp_pcm_sink sink;
	assert_ok(vrp_waveform_builder_new(spp, view, &b, &sink));
	assert_ok(vrp_decode_file(path, &sink, 1));
	vrp_waveform_builder_take(b, wf);
	vrp_waveform_builder_free(b);
}

static void assert_flat_peaks(const struct vrp_waveform *wf, int min, int max, int tolerance)
{
	size_t full = (size_t)(RATE * SECONDS) / (size_t)wf->samples_per_pixel;
	assert_true(wf->length >= full);
	for (size_t i = 0; i < full * (size_t)wf->channels; i++) {
		if (abs(wf->data[2 * i] - min) > tolerance ||
		    abs(wf->data[2 * i + 1] - max) > tolerance)
			fail_msg("pixel value %zu: %d..%d, expected %d..%d within %d", i,
				 wf->data[2 * i], wf->data[2 * i + 1], min, max, tolerance);
	}
}

static void test_half_scale_sine_peaks_at_16384(void **state)
{
	char *dir = *state;
	char *path = write_wav(dir, "sine.wav", &s16, RATE * SECONDS, half_sine);
	struct vrp_waveform wf;
	peaks_of(path, 256, VRP_WAVEFORM_MIXED, &wf);
	assert_int_equal(wf.sample_rate, RATE);
	assert_int_equal(wf.channels, 1);
	/* 48000 / 256 = 187.5: 187 full pixels and the half one that is left. */
	assert_int_equal(wf.length, 188);
	assert_flat_peaks(&wf, -16384, 16384, 2);
	vrp_waveform_clear(&wf);
	free(path);
}

static void test_silence_gives_zeros(void **state)
{
	char *path = write_wav(*state, "silence.wav", &s16, RATE * SECONDS, silence);
	struct vrp_waveform wf;
	peaks_of(path, 256, VRP_WAVEFORM_MIXED, &wf);
	assert_flat_peaks(&wf, 0, 0, 0);
	vrp_waveform_clear(&wf);
	free(path);
}

static void test_clipped_square_is_full_scale(void **state)
{
	/* Clipped when written as integers; beyond [-1, 1] in the float file, clamped by the peaks.
	 */
	struct wav_spec f32 = { 32, true, 1 };
	const struct wav_spec *specs[] = { &s16, &f32 };
	for (int i = 0; i < 2; i++) {
		char *path =
			write_wav(*state, "square.wav", specs[i], RATE * SECONDS, clipped_square);
		struct vrp_waveform wf;
		peaks_of(path, 256, VRP_WAVEFORM_MIXED, &wf);
		assert_flat_peaks(&wf, -32768, 32767, 0);
		vrp_waveform_clear(&wf);
		free(path);
	}
}

static void run(const char *command)
{
	if (system(command) != 0)
		fail_msg("command failed: %s", command);
}

/* The same sine in every sample format and as FLAC gives the 16-bit file's peaks. */
static void test_every_format_agrees(void **state)
{
	char *dir = *state;
	static const struct {
		const char *name;
		struct wav_spec spec;
		int tolerance;
	} formats[] = {
		{ "s24.wav", { 24, false, 1 }, 2 }, { "s32.wav", { 32, false, 1 }, 2 },
		{ "f32.wav", { 32, true, 1 }, 2 },  { "f64.wav", { 64, true, 1 }, 2 },
		{ "u8.wav", { 8, false, 1 }, 256 },
	};
	char *reference = write_wav(dir, "s16.wav", &s16, RATE * SECONDS, half_sine);
	struct vrp_waveform expected;
	peaks_of(reference, 256, VRP_WAVEFORM_MIXED, &expected);
	char command[2048];
	snprintf(command, sizeof(command),
		 "ffmpeg -nostdin -loglevel error -y -i '%s' '%s/s16.flac' && "
		 "sox -q '%s' -b 24 '%s/sox24.wav'",
		 reference, dir, reference, dir);
	run(command);
	char *others[8] = { test_path(dir, "s16.flac"), test_path(dir, "sox24.wav") };
	int tolerance[8] = { 0, 0 };
	size_t n = 2;
	for (size_t i = 0; i < sizeof(formats) / sizeof(*formats); i++, n++) {
		others[n] = write_wav(dir, formats[i].name, &formats[i].spec, RATE * SECONDS,
				      half_sine);
		tolerance[n] = formats[i].tolerance;
	}
	for (size_t i = 0; i < n; i++) {
		struct vrp_waveform wf;
		peaks_of(others[i], 256, VRP_WAVEFORM_MIXED, &wf);
		assert_int_equal(wf.length, expected.length);
		for (size_t v = 0; v < 2 * wf.length; v++)
			if (abs(wf.data[v] - expected.data[v]) > tolerance[i])
				fail_msg("%s: value %zu is %d, the 16-bit file's %d", others[i], v,
					 wf.data[v], expected.data[v]);
		vrp_waveform_clear(&wf);
		free(others[i]);
	}
	vrp_waveform_clear(&expected);
	free(reference);
}

/* MP3 and ADTS AAC headers give no rate or channel count until a frame decodes. */
static void test_formats_whose_header_names_no_rate_decode(void **state)
{
	char *dir = *state;
	char *reference = write_wav(dir, "ref.wav", &s16, RATE * SECONDS, half_sine);
	char command[2048];
	snprintf(command, sizeof(command),
		 "ffmpeg -nostdin -loglevel error -y -i '%s' -c:a libmp3lame '%s/lossy.mp3' && "
		 "ffmpeg -nostdin -loglevel error -y -i '%s' -c:a aac -f adts '%s/lossy.aac'",
		 reference, dir, reference, dir);
	run(command);
	const char *names[] = { "lossy.mp3", "lossy.aac" };
	for (size_t i = 0; i < 2; i++) {
		char *path = test_path(dir, names[i]);
		struct vrp_waveform wf;
		peaks_of(path, 256, VRP_WAVEFORM_MIXED, &wf);
		/* Encoder delay and padding add a few frames; the peaks stay near half scale. */
		assert_in_range(wf.length, RATE * SECONDS / 256, RATE * SECONDS / 256 + 20);
		int top = 0;
		for (size_t v = 0; v < 2 * wf.length; v++)
			top = wf.data[v] > top ? wf.data[v] : top;
		assert_in_range(top, 14000, 19000);
		vrp_waveform_clear(&wf);
		free(path);
	}
	free(reference);
}

static void test_stereo_mixed_averages_and_all_splits(void **state)
{
	struct wav_spec stereo = { 16, false, 2 };
	char *path = write_wav(*state, "stereo.wav", &stereo, RATE * SECONDS, stereo_signal);
	struct vrp_waveform mixed, all, stored, picked;
	peaks_of(path, 256, VRP_WAVEFORM_MIXED, &mixed);
	peaks_of(path, 256, VRP_WAVEFORM_ALL, &all);
	assert_int_equal(all.channels, 2);
	/* (16384 - 8192) / 2 and (-16384 - 8192) / 2 */
	assert_flat_peaks(&mixed, -12288, 4096, 1);
	assert_int_equal(all.data[0], -16384);
	assert_int_equal(all.data[1], 16384);
	assert_int_equal(all.data[2], -8192);
	assert_int_equal(all.data[3], -8192);
	/* The stored view holds both: picking a view out of it equals computing that view. */
	peaks_of(path, 256, VRP_WAVEFORM_STORED, &stored);
	assert_int_equal(stored.channels, 3);
	assert_ok(vrp_waveform_select(&stored, 2, VRP_WAVEFORM_MIXED, &picked));
	assert_int_equal(picked.length, mixed.length);
	assert_memory_equal(picked.data, mixed.data, mixed.length * 2 * sizeof(int16_t));
	vrp_waveform_clear(&picked);
	assert_ok(vrp_waveform_select(&stored, 2, VRP_WAVEFORM_ALL, &picked));
	assert_int_equal(picked.channels, 2);
	assert_memory_equal(picked.data, all.data, all.length * 4 * sizeof(int16_t));
	vrp_waveform_clear(&picked);
	assert_int_equal(vrp_waveform_select(&stored, 1, VRP_WAVEFORM_ALL, &picked),
			 VRP_ECORRUPT_MEDIA);
	vrp_waveform_clear(&mixed);
	vrp_waveform_clear(&all);
	vrp_waveform_clear(&stored);
	free(path);
}

/* Zooming out of the stored 256 equals computing at the coarse zoom from the samples. */
static void test_coarser_zoom_equals_direct_computation(void **state)
{
	struct wav_spec stereo = { 16, false, 2 };
	char *path = write_wav(*state, "noise.wav", &stereo, 100003, noise);
	struct vrp_waveform fine, direct;
	peaks_of(path, 256, VRP_WAVEFORM_ALL, &fine);
	for (int factor = 1; factor <= 8; factor *= 2) {
		peaks_of(path, 256 * factor, VRP_WAVEFORM_ALL, &direct);
		struct vrp_waveform coarse = fine;
		coarse.data = malloc(fine.length * 4 * sizeof(int16_t));
		memcpy(coarse.data, fine.data, fine.length * 4 * sizeof(int16_t));
		assert_ok(vrp_waveform_rescale(&coarse, factor));
		assert_int_equal(coarse.samples_per_pixel, 256 * factor);
		assert_int_equal(coarse.length, direct.length);
		assert_memory_equal(coarse.data, direct.data, direct.length * 4 * sizeof(int16_t));
		vrp_waveform_clear(&coarse);
		vrp_waveform_clear(&direct);
	}
	vrp_waveform_clear(&fine);
	free(path);
}

static void *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = malloc(1 << 16);
	*size = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

/* The published layout: six little-endian 32-bit fields, then min/max per channel per pixel. */
static void test_dat_layout_byte_by_byte(void **state)
{
	int16_t values[] = { -16384, 16383, -1, 1, -32768, 32767, -300, 255 };
	struct vrp_waveform wf = { 44100, 512, 2, 2, values };
	char *path = test_path(*state, "w.dat");
	static const uint8_t expect16[] = { 2, 0, 0,    0,    0,    0,    0,    0,    0x44, 0xac,
					    0, 0, 0,    2,    0,    0,    2,    0,    0,    0,
					    2, 0, 0,    0,    0x00, 0xc0, 0xff, 0x3f, 0xff, 0xff,
					    1, 0, 0x00, 0x80, 0xff, 0x7f, 0xd4, 0xfe, 0xff, 0 };
	/* 8 bits: flag bit 0, each value / 256 truncated toward zero (-300 -> -1, 255 -> 0). */
	static const uint8_t expect8[] = { 2, 0, 0,    0,    1, 0, 0,    0,    0x44, 0xac, 0,
					   0, 0, 2,    0,    0, 2, 0,    0,    0,    2,    0,
					   0, 0, 0xc0, 0x3f, 0, 0, 0x80, 0x7f, 0xff, 0 };
	for (int bits = 8; bits <= 16; bits += 8) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_ok(vrp_waveform_write_dat(&wf, bits, fd));
		close(fd);
		size_t size;
		uint8_t *got = read_all(path, &size);
		const uint8_t *want = bits == 8 ? expect8 : expect16;
		size_t want_size = bits == 8 ? sizeof(expect8) : sizeof(expect16);
		assert_int_equal(size, want_size);
		assert_memory_equal(got, want, want_size);
		free(got);
	}
	/* What the generator stores reads back as it was. */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_ok(vrp_waveform_write_dat(&wf, 16, fd));
	close(fd);
	fd = open(path, O_RDONLY);
	struct vrp_waveform back;
	assert_ok(vrp_waveform_read_dat(fd, &back));
	close(fd);
	assert_int_equal(back.length, 2);
	assert_int_equal(back.channels, 2);
	assert_int_equal(back.samples_per_pixel, 512);
	assert_memory_equal(back.data, values, sizeof(values));
	vrp_waveform_clear(&back);
	assert_int_equal(vrp_waveform_write_dat(&wf, 12, STDOUT_FILENO), VRP_EINVAL);
	/* A full disk is a stable code with its cause, in both formats. */
	fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(vrp_waveform_write_dat(&wf, 16, fd), VRP_ENOSPC);
	assert_int_equal(vrp_waveform_write_json(&wf, 16, fd), VRP_ENOSPC);
	close(fd);
	free(path);
}

static void test_json_has_audiowaveform_fields(void **state)
{
	int16_t values[] = { -16384, 16383, -300, 255 };
	struct vrp_waveform wf = { 8000, 256, 1, 2, values };
	char *path = test_path(*state, "w.json");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_ok(vrp_waveform_write_json(&wf, 8, fd));
	close(fd);
	size_t size;
	char *got = read_all(path, &size);
	const char *want =
		"{\"version\":2,\"channels\":1,\"sample_rate\":8000,\"samples_per_pixel\":256,"
		"\"bits\":8,\"length\":2,\"data\":[-64,63,-1,0]}\n";
	assert_int_equal(size, strlen(want));
	assert_memory_equal(got, want, size);
	free(got);
	free(path);
}

struct counting_sink {
	int begins, writes, ends;
};

static int count_begin(void *ctx, const struct vrp_pcm_format *f)
{
	(void)f;
	((struct counting_sink *)ctx)->begins++;
	return 0;
}

static int count_write(void *ctx, const float *s, size_t frames)
{
	(void)s;
	assert_true(frames > 0 && frames <= VRP_DECODE_CHUNK_FRAMES);
	((struct counting_sink *)ctx)->writes++;
	return 0;
}

static int count_end(void *ctx)
{
	((struct counting_sink *)ctx)->ends++;
	return 0;
}

/* Zero-length audio is a flat, empty waveform: begin and end, no write, for both readers. */
static void test_zero_length_audio_is_begin_and_end(void **state)
{
	char *dir = *state;
	char *wav = write_wav(dir, "empty.wav", &s16, 0, silence);
	char command[1024];
	snprintf(command, sizeof(command),
		 "ffmpeg -nostdin -loglevel error -y -f s16le -ar 8000 -ac 1 -i /dev/null "
		 "'%s/e.flac'",
		 dir);
	run(command);
	char *flac = test_path(dir, "e.flac");
	const char *paths[] = { wav, flac };
	for (int i = 0; i < 2; i++) {
		struct counting_sink c = { 0 };
		struct vrp_pcm_sink sink = { &c, count_begin, count_write, count_end };
		assert_ok(vrp_decode_file(paths[i], &sink, 1));
		assert_int_equal(c.begins, 1);
		assert_int_equal(c.writes, 0);
		assert_int_equal(c.ends, 1);
		struct vrp_waveform wf;
		peaks_of(paths[i], 256, VRP_WAVEFORM_MIXED, &wf);
		assert_int_equal(wf.length, 0);
		vrp_waveform_clear(&wf);
	}
	free(wav);
	free(flac);
}

/* Two sinks of one decode see the same chunks: the decode is shared, not repeated. */
static void test_one_decode_feeds_every_sink(void **state)
{
	char *path = write_wav(*state, "sine.wav", &s16, RATE * SECONDS, half_sine);
	struct counting_sink a = { 0 }, b = { 0 };
	struct vrp_pcm_sink sinks[] = { { &a, count_begin, count_write, count_end },
					{ &b, count_begin, count_write, count_end } };
	assert_ok(vrp_decode_file(path, sinks, 2));
	assert_int_equal(a.writes,
			 (RATE * SECONDS + VRP_DECODE_CHUNK_FRAMES - 1) / VRP_DECODE_CHUNK_FRAMES);
	assert_int_equal(a.writes, b.writes);
	assert_int_equal(b.ends, 1);
	free(path);
}

static void test_missing_and_damaged_files_are_named(void **state)
{
	char *dir = *state;
	struct counting_sink c = { 0 };
	struct vrp_pcm_sink sink = { &c, count_begin, count_write, count_end };
	char *missing = test_path(dir, "missing.wav");
	assert_int_equal(vrp_decode_file(missing, &sink, 1), VRP_ENOTFOUND);
	char *garbage = test_path(dir, "garbage.m4a");
	FILE *f = fopen(garbage, "wb");
	for (int i = 0; i < 20000; i++)
		fputc((i * 7919) % 251, f);
	fclose(f);
	assert_int_equal(vrp_decode_file(garbage, &sink, 1), VRP_ECORRUPT_MEDIA);
	assert_int_equal(c.ends, 0);
	free(missing);
	free(garbage);
}

static int setup(void **state)
{
	*state = test_tmpdir();
	return 0;
}

static int teardown(void **state)
{
	test_rmtree(*state);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_half_scale_sine_peaks_at_16384, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_silence_gives_zeros, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clipped_square_is_full_scale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_format_agrees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_formats_whose_header_names_no_rate_decode,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stereo_mixed_averages_and_all_splits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_coarser_zoom_equals_direct_computation, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dat_layout_byte_by_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_has_audiowaveform_fields, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_zero_length_audio_is_begin_and_end, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_one_decode_feeds_every_sink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_and_damaged_files_are_named, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
