/*
 * test_opus.c - the compressed-copy generator, fed synthetic signals through
 * its PCM sink; the saved files are read back with ffprobe and decoded with
 * ffmpeg, the tools a user would check them with.
 */
#include "test_support.h"

#include "derive/opus.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK_FRAMES 4096
#define PROBE        "ffprobe -v error -of default=nw=1:nk=1 -show_entries"

struct signal {
	int rate, channels;
	int64_t frames;
	size_t chunk; /* frames per write() */
	double hz;    /* 0: white noise at half scale */
};

static float sample_at(const struct signal *s, int64_t n, unsigned *seed)
{
	if (s->hz == 0.0)
		return (float)rand_r(seed) / (float)RAND_MAX - 0.5f;
	return (float)(0.5 * sin(2.0 * M_PI * s->hz * (double)n / s->rate));
}

/* Feeds the signal through a new instance, saves it to <dir>/copy.opus; returns that path. */
static char *encode(const char *dir, const struct vrp_opus_options *options, const struct signal *s)
{
	void *instance = NULL;
	struct vrp_pcm_sink sink;
	assert_ok(vrp_opus_create_with(options, &instance, &sink));
	struct vrp_pcm_format format = { s->rate, s->channels, 16, s->frames };
	assert_ok(sink.begin(sink.ctx, &format));
	float *buf = malloc(sizeof(float) * s->chunk * (size_t)s->channels);
	assert_non_null(buf);
	unsigned seed = 1;
	for (int64_t at = 0; at < s->frames;) {
		size_t n =
			(size_t)(s->frames - at) < s->chunk ? (size_t)(s->frames - at) : s->chunk;
		for (size_t i = 0; i < n; i++)
			for (int c = 0; c < s->channels; c++)
				buf[i * (size_t)s->channels + (size_t)c] =
					sample_at(s, at + (int64_t)i, &seed);
		assert_ok(sink.write(sink.ctx, buf, n));
		at += (int64_t)n;
	}
	free(buf);
	assert_ok(sink.end(sink.ctx));
	char *path = test_path(dir, "copy.opus");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_ok(vrp_opus_generator.save(instance, fd));
	assert_int_equal(close(fd), 0);
	vrp_opus_generator.destroy(instance);
	return path;
}

/* The first line "<command> '<path>'<tail>" prints, or "" (the caller frees). */
static char *run(const char *command, const char *path, const char *tail)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "%s '%s'%s", command, path, tail);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char line[512] = "";
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	assert_int_equal(pclose(p), 0);
	line[strcspn(line, "\n")] = '\0';
	return strdup(line);
}

/* What ffprobe says of one entry. */
static void assert_probe(const char *entry, const char *path, const char *expected)
{
	char command[256];
	snprintf(command, sizeof(command), "%s %s", PROBE, entry);
	char *got = run(command, path, "");
	assert_string_equal(got, expected);
	free(got);
}

static double output_number(const char *command, const char *path, const char *tail)
{
	char *got = run(command, path, tail);
	double v = atof(got);
	free(got);
	return v;
}

/* Samples a decoder gives out, after the pre-skip and the end trimming. */
static int64_t decoded_samples(const char *path)
{
	return (int64_t)output_number("ffmpeg -v error -i", path, " -f f32le - | wc -c") / 4;
}

static int64_t at_48k(const struct signal *s)
{
	return (int64_t)llround((double)s->frames * VRP_OPUS_RATE / s->rate);
}

/* Opus, 48 kHz, mono, exactly the source's length at 48 kHz, and ffprobe's duration within 20 ms.
 */
static void assert_faithful_copy(const struct signal *s)
{
	char *dir = test_tmpdir();
	char *path = encode(dir, &vrp_opus_defaults, s);
	assert_probe("stream=codec_name", path, "opus");
	assert_probe("stream=sample_rate", path, "48000");
	assert_probe("stream=channels", path, "1");
	assert_int_equal(decoded_samples(path), at_48k(s));
	/* FFmpeg 5.1's ffprobe counts the pre-skip (312 samples) into the duration. */
	double duration = output_number(PROBE " format=duration", path, "");
	assert_true(fabs(duration - (double)s->frames / s->rate) < 0.020);
	free(path);
	test_rmtree(dir);
}

static void test_stereo_44k1_is_mono_48k_to_the_sample(void **state)
{
	(void)state;
	struct signal s = { 44100, 2, 44100 * 3 + 777, CHUNK_FRAMES, 440.0 };
	assert_faithful_copy(&s);
}

static void test_48k_source_not_a_whole_frame_keeps_its_length(void **state)
{
	(void)state;
	struct signal s = { 48000, 1, 100001, 333, 1000.0 };
	assert_faithful_copy(&s);
}

static void test_16k_source_in_tiny_writes(void **state)
{
	(void)state;
	struct signal s = { 16000, 1, 16000 + 1, 7, 300.0 };
	assert_faithful_copy(&s);
}

static void test_shorter_than_one_frame(void **state)
{
	(void)state;
	struct signal s = { 8000, 1, 50, CHUNK_FRAMES, 300.0 };
	assert_faithful_copy(&s);
}

/* No samples: a valid Opus file (one frame, trimmed away) that decodes to nothing. */
static void test_zero_length_source_gives_an_empty_valid_copy(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	struct signal s = { 44100, 2, 0, CHUNK_FRAMES, 440.0 };
	char *path = encode(dir, &vrp_opus_defaults, &s);
	assert_probe("stream=codec_name", path, "opus");
	assert_probe("stream=channels", path, "1");
	assert_int_equal(decoded_samples(path), 0);
	free(path);
	test_rmtree(dir);
}

/* The bit rate of 10 s of a signal (hz 0: noise) encoded at `bitrate`. */
static double measured_bitrate(int bitrate, double hz)
{
	char *dir = test_tmpdir();
	struct vrp_opus_options options = { .bitrate = bitrate };
	struct signal s = { 48000, 1, 480000, CHUNK_FRAMES, hz };
	char *path = encode(dir, &options, &s);
	double bits = output_number("stat -c %s", path, "") * 8.0;
	free(path);
	test_rmtree(dir);
	return bits / 10.0;
}

static void assert_near(double got, double want)
{
	if (got < 0.8 * want || got > 1.2 * want)
		fail_msg("%.0f bit/s, want %.0f within 20%%", got, want);
}

/* Noise, which VBR cannot make small, and a steady tone, which unconstrained VBR makes large. */
static void test_bitrate_is_honoured(void **state)
{
	(void)state;
	assert_near(measured_bitrate(vrp_opus_defaults.bitrate, 0.0), 32000);
	assert_near(measured_bitrate(vrp_opus_defaults.bitrate, 440.0), 32000);
	assert_near(measured_bitrate(96000, 0.0), 96000);
}

static void test_title_is_tagged(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	struct vrp_opus_options options = { .bitrate = 32000, .title = "Interview: café" };
	struct signal s = { 48000, 1, 4800, CHUNK_FRAMES, 440.0 };
	char *path = encode(dir, &options, &s);
	assert_probe("stream_tags=title", path, "Interview: café");
	free(path);
	test_rmtree(dir);
}

static void test_bitrate_out_of_range_is_invalid(void **state)
{
	(void)state;
	int bad[] = { 0, VRP_OPUS_MIN_BITRATE - 1, VRP_OPUS_MAX_BITRATE + 1, -32000 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		void *instance = NULL;
		struct vrp_pcm_sink sink;
		struct vrp_opus_options options = { .bitrate = bad[i] };
		assert_int_equal(vrp_opus_create_with(&options, &instance, &sink), VRP_EINVAL);
		assert_string_equal(vrp_error_last()->code_name, "ERR_INVALID_ARGUMENT");
		vrp_opus_generator.destroy(instance);
	}
}

/* save() before end() is refused; after it, a full disk is ENOSPC. */
static void test_save_refused_early_and_on_a_full_disk(void **state)
{
	(void)state;
	void *instance = NULL;
	struct vrp_pcm_sink sink;
	assert_ok(vrp_opus_generator.create(&instance, &sink, &(struct vrp_derive_params){ 0 }));
	struct vrp_pcm_format format = { 48000, 1, 16, -1 };
	assert_ok(sink.begin(sink.ctx, &format));
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(vrp_opus_generator.save(instance, fd), VRP_EINVAL);
	assert_ok(sink.end(sink.ctx));
	assert_int_equal(vrp_opus_generator.save(instance, fd), VRP_ENOSPC);
	close(fd);
	vrp_opus_generator.destroy(instance);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stereo_44k1_is_mono_48k_to_the_sample),
		cmocka_unit_test(test_48k_source_not_a_whole_frame_keeps_its_length),
		cmocka_unit_test(test_16k_source_in_tiny_writes),
		cmocka_unit_test(test_shorter_than_one_frame),
		cmocka_unit_test(test_zero_length_source_gives_an_empty_valid_copy),
		cmocka_unit_test(test_bitrate_is_honoured),
		cmocka_unit_test(test_title_is_tagged),
		cmocka_unit_test(test_bitrate_out_of_range_is_invalid),
		cmocka_unit_test(test_save_refused_early_and_on_a_full_disk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
