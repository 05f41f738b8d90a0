/*
 * test_spectrogram.c - the spectrogram generator, fed synthetic signals
 * through its PCM sink, its PNGs decoded back with libpng.
 */
#include "test_support.h"

#include "derive/spectrogram.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <png.h>

#define CHUNK_FRAMES 4096

/* Fills frames [offset, offset + count) of a signal, interleaved. */
typedef void (*signal_fn)(const void *arg, int64_t offset, size_t count, int channels, float *out);

struct tone {
	double hz, amplitude;
	int rate;
	int64_t from, to; /* frames where the tone sounds; silence elsewhere */
	int invert_right; /* stereo: right channel is minus the left */
};

static void tone_signal(const void *arg, int64_t offset, size_t count, int channels, float *out)
{
	const struct tone *t = arg;
	for (size_t i = 0; i < count; i++) {
		int64_t n = offset + (int64_t)i;
		float v = 0.0f;
		if (n >= t->from && n < t->to)
			v = (float)(t->amplitude * sin(2.0 * M_PI * t->hz * (double)n / t->rate));
		for (int c = 0; c < channels; c++)
			out[i * (size_t)channels + (size_t)c] = c == 1 && t->invert_right ? -v : v;
	}
}

struct decoded {
	int width, height;
	uint8_t *rgb;
};

/* Saves the instance's PNG, destroys the instance, and decodes the PNG back. */
static struct decoded save_and_decode(void *instance)
{
	FILE *file = tmpfile();
	assert_non_null(file);
	assert_ok(vrp_spectrogram_generator.save(instance, fileno(file)));
	vrp_spectrogram_generator.destroy(instance);
	rewind(file);

	png_image image;
	memset(&image, 0, sizeof(image));
	image.version = PNG_IMAGE_VERSION;
	assert_true(png_image_begin_read_from_stdio(&image, file));
	image.format = PNG_FORMAT_RGB;
	struct decoded out = { (int)image.width, (int)image.height, NULL };
	out.rgb = malloc(PNG_IMAGE_SIZE(image));
	assert_non_null(out.rgb);
	assert_true(png_image_finish_read(&image, NULL, out.rgb, 0, NULL));
	fclose(file);
	return out;
}

/* Runs a whole stream through the sink, then saves and decodes the PNG. */
static struct decoded render(const struct vrp_spectrogram_options *options, int rate, int channels,
			     int64_t frames, int64_t frames_hint, signal_fn signal, const void *arg)
{
	void *instance = NULL;
	struct vrp_pcm_sink sink;
	assert_ok(vrp_spectrogram_create_with(options, &instance, &sink));
	struct vrp_pcm_format format = { rate, channels, 16, frames_hint };
	assert_ok(sink.begin(sink.ctx, &format));
	float *chunk = malloc(sizeof(float) * CHUNK_FRAMES * (size_t)channels);
	assert_non_null(chunk);
	for (int64_t at = 0; at < frames; at += CHUNK_FRAMES) {
		size_t count = frames - at < CHUNK_FRAMES ? (size_t)(frames - at) : CHUNK_FRAMES;
		signal(arg, at, count, channels, chunk);
		assert_ok(sink.write(sink.ctx, chunk, count));
	}
	free(chunk);
	assert_ok(sink.end(sink.ctx));
	return save_and_decode(instance);
}

/* The colour-map level (0 = the -100 dBFS floor, 255 = 0 dBFS) of a pixel. */
static int level_at(const struct decoded *image, int x, int y)
{
	const uint8_t *p = image->rgb + ((size_t)y * image->width + x) * 3;
	int best = 0, best_distance = 1 << 30;
	for (int i = 0; i < 256; i++) {
		uint8_t c[3];
		vrp_spectrogram_colour(i / 255.0, c);
		int d = 0;
		for (int k = 0; k < 3; k++)
			d += (c[k] - p[k]) * (c[k] - p[k]);
		if (d < best_distance) {
			best_distance = d;
			best = i;
		}
	}
	return best;
}

/* The row, counted from the bottom, with the highest level in column x. */
static int brightest_row(const struct decoded *image, int x)
{
	int best_row = -1, best_level = -1;
	for (int y = 0; y < image->height; y++) {
		int level = level_at(image, x, y);
		if (level > best_level) {
			best_level = level;
			best_row = image->height - 1 - y;
		}
	}
	return best_row;
}

static int tone_row(enum vrp_spectrogram_scale scale, double hz)
{
	struct vrp_spectrogram_options options = { 64, 256, scale };
	struct tone tone = { hz, 0.5, 16000, 0, INT64_MAX, 0 };
	struct decoded image = render(&options, 16000, 1, 16000, 16000, tone_signal, &tone);
	int row = brightest_row(&image, image.width / 2);
	free(image.rgb);
	return row;
}

static void test_higher_tone_sits_higher_at_the_expected_linear_row(void **state)
{
	(void)state;
	/* 256 rows over 0..8 kHz: 31.25 Hz a row. */
	int low = tone_row(VRP_SPECTROGRAM_LINEAR, 1000.0);
	int high = tone_row(VRP_SPECTROGRAM_LINEAR, 4000.0);
	assert_in_range(low, 30, 34);
	assert_in_range(high, 126, 130);
}

static void test_higher_tone_sits_higher_on_log_and_mel_axes(void **state)
{
	(void)state;
	for (int scale = VRP_SPECTROGRAM_LOG; scale <= VRP_SPECTROGRAM_MEL; scale++) {
		int low = tone_row((enum vrp_spectrogram_scale)scale, 1000.0);
		int high = tone_row((enum vrp_spectrogram_scale)scale, 4000.0);
		int linear_low = 32;
		/* Both axes give low frequencies more rows than a linear one does. */
		assert_true(low > linear_low + 20);
		assert_true(high > low + 20);
	}
}

static int count_pixels_not_floor(const struct decoded *image, int x_from, int x_to)
{
	uint8_t floor_colour[3];
	vrp_spectrogram_colour(0.0, floor_colour);
	int count = 0;
	for (int y = 0; y < image->height; y++)
		for (int x = x_from; x < x_to; x++)
			count += memcmp(image->rgb + ((size_t)y * image->width + x) * 3,
					floor_colour, 3) != 0;
	return count;
}

static void test_silence_is_the_floor_colour_everywhere(void **state)
{
	(void)state;
	struct tone silence = { 1000.0, 0.0, 8000, 0, 0, 0 };
	struct decoded image =
		render(&vrp_spectrogram_defaults, 8000, 1, 8000 * 3, -1, tone_signal, &silence);
	assert_int_equal(count_pixels_not_floor(&image, 0, image.width), 0);
	free(image.rgb);
}

static void test_an_empty_stream_is_a_floor_coloured_image(void **state)
{
	(void)state;
	struct tone silence = { 0 };
	struct decoded image =
		render(&vrp_spectrogram_defaults, 44100, 2, 0, 0, tone_signal, &silence);
	assert_int_equal(image.width, 1024);
	assert_int_equal(image.height, 256);
	assert_int_equal(count_pixels_not_floor(&image, 0, image.width), 0);
	free(image.rgb);
}

static void test_width_and_height_are_honoured(void **state)
{
	(void)state;
	struct tone tone = { 440.0, 0.5, 22050, 0, INT64_MAX, 0 };
	struct vrp_spectrogram_options sizes[] = {
		{ 300, 77, VRP_SPECTROGRAM_LOG },
		{ 1, 1, VRP_SPECTROGRAM_MEL },
		{ 4096, 16, VRP_SPECTROGRAM_LINEAR },
	};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct decoded image = render(&sizes[i], 22050, 1, 22050, -1, tone_signal, &tone);
		assert_int_equal(image.width, sizes[i].width);
		assert_int_equal(image.height, sizes[i].height);
		free(image.rgb);
	}
}

static int peak_level(double amplitude)
{
	/* 1 kHz at 16 kHz falls on a bin centre, where the window loses nothing. */
	struct vrp_spectrogram_options options = { 32, 256, VRP_SPECTROGRAM_LINEAR };
	struct tone tone = { 1000.0, amplitude, 16000, 0, INT64_MAX, 0 };
	struct decoded image = render(&options, 16000, 1, 16000, -1, tone_signal, &tone);
	int x = image.width / 2;
	int level = level_at(&image, x, image.height - 1 - brightest_row(&image, x));
	free(image.rgb);
	return level;
}

static void test_pixel_levels_are_dbfs_above_a_minus_100_floor(void **state)
{
	(void)state;
	/* A full-scale sine is 0 dBFS, the top colour; 0.01 is -40 dB: 60% of the range. */
	assert_in_range(peak_level(1.0), 253, 255);
	assert_in_range(peak_level(0.01), 150, 156);
}

static void test_channels_are_mixed_to_mono(void **state)
{
	(void)state;
	/* Opposite channels cancel in the mix: silence, not two tones. */
	struct vrp_spectrogram_options options = { 64, 64, VRP_SPECTROGRAM_LINEAR };
	struct tone tone = { 1000.0, 0.5, 16000, 0, INT64_MAX, 1 };
	struct decoded image = render(&options, 16000, 2, 16000, -1, tone_signal, &tone);
	assert_int_equal(count_pixels_not_floor(&image, 0, image.width), 0);
	free(image.rgb);
}

static void test_time_runs_to_the_right_for_a_known_length(void **state)
{
	(void)state;
	/* Half a second, the tone in its first quarter only. */
	struct vrp_spectrogram_options options = { 400, 64, VRP_SPECTROGRAM_LINEAR };
	struct tone tone = { 1000.0, 0.5, 16000, 0, 2000, 0 };
	struct decoded image = render(&options, 16000, 1, 8000, 8000, tone_signal, &tone);
	for (int x = 10; x < 80; x++)
		assert_true(level_at(&image, x, image.height - 1 - 8) > 200);
	/* A window is 32 ms, 26 pixels here: past its reach the image is floor. */
	assert_int_equal(count_pixels_not_floor(&image, 140, image.width), 0);
	free(image.rgb);
}

/* 1 kHz at 8 kHz in the second hour only, from a period table (sin() per sample is slow). */
static void second_hour_tone(const void *arg, int64_t offset, size_t count, int channels,
			     float *out)
{
	(void)arg;
	(void)channels;
	static const float period[8] = { 0.0f, 0.3536f,  0.5f,  0.3536f,
					 0.0f, -0.3536f, -0.5f, -0.3536f };
	for (size_t i = 0; i < count; i++) {
		int64_t n = offset + (int64_t)i;
		out[i] = n >= 8000 * 3600 ? period[n % 8] : 0.0f;
	}
}

static void test_memory_stays_bounded_for_two_hours_of_unknown_length(void **state)
{
	(void)state;
	struct vrp_spectrogram_options options = { 512, 128, VRP_SPECTROGRAM_LINEAR };
	void *instance = NULL;
	struct vrp_pcm_sink sink;
	assert_ok(vrp_spectrogram_create_with(&options, &instance, &sink));
	struct vrp_pcm_format format = { 8000, 1, 16, -1 };
	assert_ok(sink.begin(sink.ctx, &format));
	struct vrp_spectrogram_stats stats;
	vrp_spectrogram_get_stats(instance, &stats);
	size_t bytes_at_start = stats.buffer_bytes;
	assert_int_equal(stats.slot_capacity, 2 * 512);

	const int64_t frames = 8000LL * 7200;
	float chunk[8000];
	for (int64_t at = 0; at < frames; at += 8000) {
		second_hour_tone(NULL, at, 8000, 1, chunk);
		assert_ok(sink.write(sink.ctx, chunk, 8000));
		vrp_spectrogram_get_stats(instance, &stats);
		assert_true(stats.slots <= stats.slot_capacity);
		assert_int_equal(stats.buffer_bytes, bytes_at_start);
	}
	assert_ok(sink.end(sink.ctx));
	vrp_spectrogram_get_stats(instance, &stats);
	/* 256-point windows (2 x 128 rows) every 128 samples, every one of them analysed. */
	assert_int_equal(stats.columns, frames / 128);
	assert_true(stats.buffer_bytes < 1024 * 1024);

	/* The merged columns still put the second hour in the right half. */
	struct decoded decoded = save_and_decode(instance);
	assert_int_equal(count_pixels_not_floor(&decoded, 0, 250), 0);
	for (int x = 262; x < 512; x++)
		assert_int_equal(brightest_row(&decoded, x), 32);
	free(decoded.rgb);
}

static void test_invalid_options_are_einval(void **state)
{
	(void)state;
	struct vrp_spectrogram_options bad[] = {
		{ 0, 256, VRP_SPECTROGRAM_MEL },
		{ 1024, 4097, VRP_SPECTROGRAM_MEL },
		{ -5, 256, VRP_SPECTROGRAM_LINEAR },
		{ 1024, 256, (enum vrp_spectrogram_scale)7 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		void *instance = (void *)&bad[i];
		struct vrp_pcm_sink sink;
		assert_int_equal(vrp_spectrogram_create_with(&bad[i], &instance, &sink),
				 VRP_EINVAL);
		assert_null(instance);
	}
	enum vrp_spectrogram_scale scale = VRP_SPECTROGRAM_LINEAR;
	assert_int_equal(vrp_spectrogram_scale_from_string("bark", &scale), VRP_EINVAL);
	assert_ok(vrp_spectrogram_scale_from_string("mel", &scale));
	assert_int_equal(scale, VRP_SPECTROGRAM_MEL);
}

static void test_a_stream_that_is_not_audio_is_einval_and_never_saved(void **state)
{
	(void)state;
	void *instance = NULL;
	struct vrp_pcm_sink sink;
	assert_ok(vrp_spectrogram_generator.create(&instance, &sink,
						   &(struct vrp_derive_params){ 0 }));
	struct vrp_pcm_format format = { 0, 1, 16, -1 };
	assert_int_equal(sink.begin(sink.ctx, &format), VRP_EINVAL);
	float sample = 0.5f;
	assert_int_equal(sink.write(sink.ctx, &sample, 1), VRP_ERROR);
	FILE *file = tmpfile();
	assert_non_null(file);
	assert_int_equal(vrp_spectrogram_generator.save(instance, fileno(file)), VRP_ERROR);
	fseek(file, 0, SEEK_END);
	assert_int_equal(ftell(file), 0);
	fclose(file);
	vrp_spectrogram_generator.destroy(instance);
}

static void test_a_full_disk_is_enospc(void **state)
{
	(void)state;
	void *instance = NULL;
	struct vrp_pcm_sink sink;
	assert_ok(vrp_spectrogram_generator.create(&instance, &sink,
						   &(struct vrp_derive_params){ 0 }));
	struct vrp_pcm_format format = { 8000, 1, 16, -1 };
	assert_ok(sink.begin(sink.ctx, &format));
	assert_ok(sink.end(sink.ctx));
	int fd = open("/dev/full", O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(vrp_spectrogram_generator.save(instance, fd), VRP_ENOSPC);
	close(fd);
	vrp_spectrogram_generator.destroy(instance);
}

static double luminance(const uint8_t rgb[3])
{
	double y = 0.0, weights[3] = { 0.2126, 0.7152, 0.0722 };
	for (int i = 0; i < 3; i++) {
		double v = rgb[i] / 255.0;
		y += weights[i] * (v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4));
	}
	return y;
}

static void test_colour_map_brightens_from_dark_to_light(void **state)
{
	(void)state;
	uint8_t previous[3], current[3];
	vrp_spectrogram_colour(0.0, previous);
	assert_true(luminance(previous) < 0.01);
	for (int i = 1; i <= 32; i++) {
		vrp_spectrogram_colour(i / 32.0, current);
		assert_true(luminance(current) > luminance(previous));
		memcpy(previous, current, 3);
	}
	assert_true(luminance(previous) > 0.8);
}

static void test_generator_table_describes_a_png_spectrogram(void **state)
{
	(void)state;
	assert_int_equal(vrp_spectrogram_generator.kind, VRP_DERIVED_SPECTROGRAM);
	assert_string_equal(vrp_spectrogram_generator.mime_type, "image/png");
	assert_string_equal(vrp_spectrogram_generator.extension, "png");
	assert_string_equal(vrp_spectrogram_generator.name, "vrp-spectrogram");
	vrp_spectrogram_generator.destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_higher_tone_sits_higher_at_the_expected_linear_row),
		cmocka_unit_test(test_higher_tone_sits_higher_on_log_and_mel_axes),
		cmocka_unit_test(test_silence_is_the_floor_colour_everywhere),
		cmocka_unit_test(test_an_empty_stream_is_a_floor_coloured_image),
		cmocka_unit_test(test_width_and_height_are_honoured),
		cmocka_unit_test(test_pixel_levels_are_dbfs_above_a_minus_100_floor),
		cmocka_unit_test(test_channels_are_mixed_to_mono),
		cmocka_unit_test(test_time_runs_to_the_right_for_a_known_length),
		cmocka_unit_test(test_memory_stays_bounded_for_two_hours_of_unknown_length),
		cmocka_unit_test(test_invalid_options_are_einval),
		cmocka_unit_test(test_a_stream_that_is_not_audio_is_einval_and_never_saved),
		cmocka_unit_test(test_a_full_disk_is_enospc),
		cmocka_unit_test(test_colour_map_brightens_from_dark_to_light),
		cmocka_unit_test(test_generator_table_describes_a_png_spectrogram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
