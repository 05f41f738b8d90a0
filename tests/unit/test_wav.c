/*
 * test_wav.c - the header-only reader of plain PCM WAV files: which files it
 * takes, that it answers exactly as the FFmpeg probe does for every one of
 * them, that it leaves every other WAV to FFmpeg, and that it does not load
 * FFmpeg at all. The files are built here, byte by byte.
 */
#include "test_support.h"

#include "media/probe.h"
#include "media/wav.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WAVE_FORMAT_PCM        1
#define WAVE_FORMAT_IEEE_FLOAT 3
#define WAVE_FORMAT_MULAW      7

static char *dir;

struct buf {
	unsigned char *p;
	size_t len;
};

static void put(struct buf *b, const void *data, size_t n)
{
	b->p = realloc(b->p, b->len + n);
	assert_non_null(b->p);
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void put_le(struct buf *b, uint32_t v, int bytes)
{
	unsigned char le[4];
	for (int i = 0; i < bytes; i++)
		le[i] = (unsigned char)(v >> (8 * i));
	put(b, le, (size_t)bytes);
}

/* A chunk whose header declares `declared` bytes, with `n` bytes of body and RIFF's pad byte. */
static void put_chunk_declared(struct buf *b, const char *tag, const void *body, size_t n,
			       uint32_t declared)
{
	put(b, tag, 4);
	put_le(b, declared, 4);
	put(b, body, n);
	if (n % 2)
		put(b, "", 1);
}

static void put_chunk(struct buf *b, const char *tag, const void *body, size_t n)
{
	put_chunk_declared(b, tag, body, n, (uint32_t)n);
}

struct fmt {
	unsigned tag, channels, bits;
	uint32_t rate;
	bool extensible;
	unsigned valid_bits; /* of an extensible header */
	bool no_byte_rate;
	uint32_t byte_rate; /* when not 0, written instead of rate * block_align */
};

static void put_fmt(struct buf *b, const struct fmt *f)
{
	struct buf body = { 0 };
	unsigned align = f->channels * f->bits / 8;
	put_le(&body, f->extensible ? 0xFFFE : f->tag, 2);
	put_le(&body, f->channels, 2);
	put_le(&body, f->rate, 4);
	put_le(&body, f->no_byte_rate ? 0 : f->byte_rate ? f->byte_rate : f->rate * align, 4);
	put_le(&body, align, 2);
	put_le(&body, f->bits, 2);
	if (f->extensible) {
		static const unsigned char tail[14] = { 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
							0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71 };
		put_le(&body, 22, 2);
		put_le(&body, f->valid_bits, 2);
		put_le(&body, f->channels == 1 ? 0x4 : 0x3, 4);
		put_le(&body, f->tag, 2);
		put(&body, tail, sizeof(tail));
	}
	put_chunk(b, "fmt ", body.p, body.len);
	free(body.p);
}

/* `bytes` of a quiet sine-ish pattern: every byte pattern is a valid PCM sample. */
static void put_data_declared(struct buf *b, size_t bytes, uint32_t declared)
{
	unsigned char *d = malloc(bytes ? bytes : 1);
	assert_non_null(d);
	for (size_t i = 0; i < bytes; i++)
		d[i] = (unsigned char)((i * 37) ^ (i >> 3));
	put_chunk_declared(b, "data", d, bytes, declared);
	free(d);
}

static void put_data(struct buf *b, size_t bytes) { put_data_declared(b, bytes, (uint32_t)bytes); }

/* Writes RIFF <size> WAVE and the chunks in `body`; returns the path (caller frees). */
static char *write_wav(const char *name, struct buf *body)
{
	char *path = test_path(dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	struct buf file = { 0 };
	put(&file, "RIFF", 4);
	put_le(&file, (uint32_t)(4 + body->len), 4);
	put(&file, "WAVE", 4);
	put(&file, body->p, body->len);
	assert_int_equal(write(fd, file.p, file.len), (ssize_t)file.len);
	close(fd);
	free(file.p);
	free(body->p);
	body->p = NULL;
	body->len = 0;
	return path;
}

/* A WAV of one fmt chunk then `seconds` of data. */
static char *simple_wav(const char *name, const struct fmt *f, double seconds)
{
	struct buf b = { 0 };
	put_fmt(&b, f);
	put_data(&b, (size_t)(seconds * f->rate) * f->channels * f->bits / 8);
	return write_wav(name, &b);
}

/* A WAV of one fmt chunk then `frames` samples of every channel (a crafted rate makes
 * seconds meaningless). */
static char *wav_of_frames(const char *name, const struct fmt *f, size_t frames)
{
	struct buf b = { 0 };
	put_fmt(&b, f);
	put_data(&b, frames * f->channels * f->bits / 8);
	return write_wav(name, &b);
}

/* What the header reader says of `path`: 1 described, 0 left to FFmpeg. */
static int read_plain(const char *path, struct vrp_media_info *info)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	int rc = vrp_wav_read_plain(fd, st.st_size, info);
	close(fd);
	return rc;
}

/* The probe's answer for `path` is FFmpeg's, field by field, success or refusal. */
static void assert_same_as_ffmpeg(const char *path)
{
	struct vrp_media_info ours, theirs;
	int rc_ours = vrp_probe_file(path, &ours);
	char message[512];
	snprintf(message, sizeof(message), "%s", vrp_error_last()->message);
	int rc_theirs = vrp_probe_file_with_ffmpeg(path, &theirs);
	if (rc_ours != rc_theirs)
		fail_msg("%s: probe %d (%s), FFmpeg %d (%s)", path, rc_ours, message, rc_theirs,
			 vrp_error_last()->message);
	assert_string_equal(ours.format_name, theirs.format_name);
	assert_string_equal(ours.mime_type, theirs.mime_type);
	assert_string_equal(ours.codec, theirs.codec);
	assert_string_equal(ours.extension, theirs.extension);
	if (ours.duration != theirs.duration)
		fail_msg("%s: duration %.9f, FFmpeg %.9f", path, ours.duration, theirs.duration);
	assert_int_equal(ours.sample_rate, theirs.sample_rate);
	assert_int_equal(ours.channels, theirs.channels);
	assert_int_equal(ours.bit_depth, theirs.bit_depth);
	assert_int_equal(ours.bit_rate, theirs.bit_rate);
	assert_string_equal(ours.recorded_at, theirs.recorded_at);
	assert_string_equal(ours.recorded_at_source, theirs.recorded_at_source);
	assert_string_equal(ours.title, theirs.title);
}

static void assert_plain_and_same(const char *path)
{
	struct vrp_media_info info;
	if (read_plain(path, &info) != 1)
		fail_msg("%s: not read as a plain WAV", path);
	assert_same_as_ffmpeg(path);
}

static void assert_left_to_ffmpeg(const char *path)
{
	struct vrp_media_info info;
	memset(&info, 0xab, sizeof(info));
	if (read_plain(path, &info) != 0)
		fail_msg("%s: read as a plain WAV", path);
	assert_int_equal(info.sample_rate, (int)0xabababab); /* untouched */
	assert_same_as_ffmpeg(path);
}

static bool ffmpeg_is_loaded(void)
{
	return test_library_is_loaded("libavformat") || test_library_is_loaded("libavcodec");
}

/* Runs first, while nothing in this process has loaded FFmpeg. */
static void test_plain_wav_is_read_without_loading_ffmpeg(void **state)
{
	(void)state;
	char *path = simple_wav(
		"first.wav",
		&(struct fmt){ .tag = WAVE_FORMAT_PCM, .channels = 2, .bits = 16, .rate = 48000 },
		2.0);
	assert_false(ffmpeg_is_loaded());
	struct vrp_media_info info;
	assert_ok(vrp_probe_file(path, &info));
	assert_false(ffmpeg_is_loaded());
	assert_string_equal(info.format_name, "wav");
	assert_string_equal(info.mime_type, "audio/wav");
	assert_string_equal(info.codec, "pcm_s16le");
	assert_string_equal(info.extension, "wav");
	assert_true(info.duration == 2.0);
	assert_int_equal(info.sample_rate, 48000);
	assert_int_equal(info.channels, 2);
	assert_int_equal(info.bit_depth, 16);
	assert_int_equal(info.bit_rate, 48000 * 4 * 8);
	free(path);
}

static void test_every_plain_sample_format_reads_as_ffmpeg_reads_it(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		struct fmt fmt;
	} cases[] = {
		{ "u8.wav", { .tag = WAVE_FORMAT_PCM, .channels = 1, .bits = 8, .rate = 8000 } },
		{ "s16.wav", { .tag = WAVE_FORMAT_PCM, .channels = 2, .bits = 16, .rate = 44100 } },
		{ "s24.wav", { .tag = WAVE_FORMAT_PCM, .channels = 1, .bits = 24, .rate = 48000 } },
		{ "s32.wav", { .tag = WAVE_FORMAT_PCM, .channels = 2, .bits = 32, .rate = 96000 } },
		{ "f32.wav",
		  { .tag = WAVE_FORMAT_IEEE_FLOAT, .channels = 1, .bits = 32, .rate = 48000 } },
		{ "f64.wav",
		  { .tag = WAVE_FORMAT_IEEE_FLOAT, .channels = 2, .bits = 64, .rate = 22050 } },
		{ "six.wav", { .tag = WAVE_FORMAT_PCM, .channels = 6, .bits = 16, .rate = 48000 } },
		{ "ext-s16.wav",
		  { .tag = WAVE_FORMAT_PCM,
		    .channels = 2,
		    .bits = 16,
		    .rate = 48000,
		    .extensible = true,
		    .valid_bits = 16 } },
		{ "ext-s24.wav",
		  { .tag = WAVE_FORMAT_PCM,
		    .channels = 1,
		    .bits = 24,
		    .rate = 44100,
		    .extensible = true,
		    .valid_bits = 24 } },
		{ "ext-f32.wav",
		  { .tag = WAVE_FORMAT_IEEE_FLOAT,
		    .channels = 2,
		    .bits = 32,
		    .rate = 48000,
		    .extensible = true,
		    .valid_bits = 32 } },
		{ "no-rate.wav",
		  { .tag = WAVE_FORMAT_PCM,
		    .channels = 1,
		    .bits = 16,
		    .rate = 16000,
		    .no_byte_rate = true } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *path = simple_wav(cases[i].name, &cases[i].fmt, 1.37);
		assert_plain_and_same(path);
		free(path);
	}
}

static void test_chunks_in_any_order_read_as_ffmpeg_reads_them(void **state)
{
	(void)state;
	const struct fmt f = { .tag = WAVE_FORMAT_PCM, .channels = 1, .bits = 16, .rate = 22050 };
	struct buf b = { 0 };
	put_chunk(&b, "LIST", "INFOINAM\x05\0\0\0memo\0", 17); /* odd: padded */
	put_chunk(&b, "JUNK", "\0\0\0", 3);
	put_fmt(&b, &f);
	put_chunk(&b, "fact", "\x10\0\0\0", 4); /* a wrong count, ignored for PCM */
	put_data(&b, 22050 * 2 * 3);
	put_chunk(&b, "id3 ", "ID3", 3);
	char *path = write_wav("list-first.wav", &b);
	assert_plain_and_same(path);
	free(path);

	put_data(&b, 22050 * 2);
	put_fmt(&b, &f);
	path = write_wav("data-first.wav", &b);
	assert_plain_and_same(path);
	free(path);
}

/* FFmpeg reads these, but not as the header alone would: the probe must ask it. */
static void test_wavs_that_are_not_plain_are_left_to_ffmpeg(void **state)
{
	(void)state;
	char *path = simple_wav(
		"mulaw.wav",
		&(struct fmt){ .tag = WAVE_FORMAT_MULAW, .channels = 1, .bits = 8, .rate = 8000 },
		1);
	assert_left_to_ffmpeg(path);
	free(path);
	path = simple_wav("valid20.wav",
			  &(struct fmt){ .tag = WAVE_FORMAT_PCM,
					 .channels = 1,
					 .bits = 24,
					 .rate = 48000,
					 .extensible = true,
					 .valid_bits = 20 },
			  1);
	assert_left_to_ffmpeg(path);
	free(path);
	path = simple_wav(
		"s64.wav",
		&(struct fmt){ .tag = WAVE_FORMAT_PCM, .channels = 1, .bits = 64, .rate = 8000 },
		1);
	assert_left_to_ffmpeg(path);
	free(path);

	const struct fmt f = { .tag = WAVE_FORMAT_PCM, .channels = 2, .bits = 16, .rate = 8000 };
	struct buf b = { 0 };
	put_fmt(&b, &f);
	put_data_declared(&b, 8000 * 4, 0); /* a recorder that never rewrote its header */
	path = write_wav("size-zero.wav", &b);
	assert_left_to_ffmpeg(path);
	free(path);

	put_fmt(&b, &f);
	put_data(&b, 8000 * 4 + 3); /* not a whole number of samples */
	path = write_wav("ragged.wav", &b);
	assert_left_to_ffmpeg(path);
	free(path);

	put_fmt(&b, &f);
	put_data(&b, 8000 * 4);
	put_data(&b, 8000 * 4);
	path = write_wav("two-data.wav", &b);
	assert_left_to_ffmpeg(path);
	free(path);
}

static void test_cut_wav_is_left_to_ffmpeg_which_refuses_it(void **state)
{
	(void)state;
	struct buf b = { 0 };
	put_fmt(&b,
		&(struct fmt){ .tag = WAVE_FORMAT_PCM, .channels = 2, .bits = 16, .rate = 8000 });
	put_data_declared(&b, 8000 * 2, 8000 * 4);
	char *path = write_wav("cut.wav", &b);
	assert_left_to_ffmpeg(path);
	struct vrp_media_info info;
	assert_int_equal(vrp_probe_file(path, &info), VRP_ECORRUPT_MEDIA);
	assert_non_null(strstr(vrp_error_last()->message, "truncated"));
	free(path);
}

/* Both readers refuse `path` as damaged; the header reader answers itself, naming `field`. */
static void assert_corrupt_as_ffmpeg_says(const char *path, const char *field)
{
	struct vrp_media_info info;
	if (read_plain(path, &info) != VRP_ECORRUPT_MEDIA)
		fail_msg("%s: the header reader did not refuse it", path);
	if (!strstr(vrp_error_last()->message, field))
		fail_msg("%s: \"%s\" does not name the %s", path, vrp_error_last()->message, field);
	assert_int_equal(vrp_probe_file(path, &info), VRP_ECORRUPT_MEDIA);
	assert_same_as_ffmpeg(path);
}

/* 800 frames of 16-bit mono PCM at `rate`. */
static char *wav_at_rate(uint32_t rate)
{
	char name[32];
	snprintf(name, sizeof(name), "rate-%u.wav", (unsigned)rate);
	const struct fmt f = { .tag = WAVE_FORMAT_PCM, .channels = 1, .bits = 16, .rate = rate };
	return wav_of_frames(name, &f, 800);
}

/* 16 frames of 8-bit PCM at 8 kHz in `channels` channels. */
static char *wav_of_channels(unsigned channels)
{
	char name[32];
	snprintf(name, sizeof(name), "channels-%u.wav", channels);
	const struct fmt f = {
		.tag = WAVE_FORMAT_PCM, .channels = channels, .bits = 8, .rate = 8000
	};
	return wav_of_frames(name, &f, 16);
}

/* A 32-bit rate that is no int (3 GHz, 0xFFFFFFFF) or no real recorder's once became a
 * negative sample rate, which the catalogue refused, failing the whole import batch. */
static void test_sample_rates_out_of_range_are_corrupt_as_ffmpeg_says(void **state)
{
	(void)state;
	static const uint32_t rates[] = { 0,          VRP_MEDIA_SAMPLE_RATE_MAX + 1,
					  0x7FFFFFFF, 0x80000000,
					  3000000000, 0xFFFFFFFF };
	for (size_t i = 0; i < sizeof(rates) / sizeof(*rates); i++) {
		char *path = wav_at_rate(rates[i]);
		assert_corrupt_as_ffmpeg_says(path, "sample rate");
		free(path);
	}
}

static void test_sample_rates_at_the_edges_of_the_range_read_as_ffmpeg_reads_them(void **state)
{
	(void)state;
	static const uint32_t rates[] = { VRP_MEDIA_SAMPLE_RATE_MIN, VRP_MEDIA_SAMPLE_RATE_MAX };
	for (size_t i = 0; i < sizeof(rates) / sizeof(*rates); i++) {
		char *path = wav_at_rate(rates[i]);
		assert_plain_and_same(path);
		free(path);
	}
}

/* FFmpeg says "Too many channels" past VRP_MEDIA_CHANNELS_MAX; the header reader took 1,000. */
static void test_channel_counts_out_of_range_are_corrupt_as_ffmpeg_says(void **state)
{
	(void)state;
	static const unsigned counts[] = { 0, VRP_MEDIA_CHANNELS_MAX + 1, 1000, 65535 };
	for (size_t i = 0; i < sizeof(counts) / sizeof(*counts); i++) {
		char *path = wav_of_channels(counts[i]);
		assert_corrupt_as_ffmpeg_says(path, "channels");
		free(path);
	}
	char *path = wav_of_channels(VRP_MEDIA_CHANNELS_MAX);
	assert_plain_and_same(path);
	free(path);
}

/* A byte rate that is not rate x block_align is not a plain header: FFmpeg decides. */
static void test_inconsistent_byte_rate_is_left_to_ffmpeg(void **state)
{
	(void)state;
	static const uint32_t byte_rates[] = { 12345, 0xFFFFFFFF };
	for (size_t i = 0; i < sizeof(byte_rates) / sizeof(*byte_rates); i++) {
		char name[32];
		snprintf(name, sizeof(name), "byte-rate-%u.wav", (unsigned)byte_rates[i]);
		const struct fmt f = { .tag = WAVE_FORMAT_PCM,
				       .channels = 2,
				       .bits = 16,
				       .rate = 8000,
				       .byte_rate = byte_rates[i] };
		char *path = wav_of_frames(name, &f, 8000);
		assert_left_to_ffmpeg(path);
		free(path);
	}
}

static void test_other_files_are_not_wav(void **state)
{
	(void)state;
	char *path = test_path(dir, "rf64.wav");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "RF64\xff\xff\xff\xffWAVEds64", 16), 16);
	close(fd);
	struct vrp_media_info info;
	assert_int_equal(read_plain(path, &info), 0);
	free(path);

	path = test_path(dir, "short.wav");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(write(fd, "RIFF", 4), 4);
	close(fd);
	assert_int_equal(read_plain(path, &info), 0);
	free(path);
}

int main(void)
{
	dir = test_tmpdir();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_wav_is_read_without_loading_ffmpeg),
		cmocka_unit_test(test_every_plain_sample_format_reads_as_ffmpeg_reads_it),
		cmocka_unit_test(test_chunks_in_any_order_read_as_ffmpeg_reads_them),
		cmocka_unit_test(test_wavs_that_are_not_plain_are_left_to_ffmpeg),
		cmocka_unit_test(test_cut_wav_is_left_to_ffmpeg_which_refuses_it),
		cmocka_unit_test(test_sample_rates_out_of_range_are_corrupt_as_ffmpeg_says),
		cmocka_unit_test(
			test_sample_rates_at_the_edges_of_the_range_read_as_ffmpeg_reads_them),
		cmocka_unit_test(test_channel_counts_out_of_range_are_corrupt_as_ffmpeg_says),
		cmocka_unit_test(test_inconsistent_byte_rate_is_left_to_ffmpeg),
		cmocka_unit_test(test_other_files_are_not_wav),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	test_rmtree(dir);
	return failed;
}
