/* spectrogram.c - the spectrogram generator: short-time spectra of the mono mix, kept bounded. */
#include "derive/spectrogram.h"

#include "core/error_set.h"
#include "media/ffmpeg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/tx.h>

/* Power below this many dB under a full-scale sine is drawn in the floor colour. */
#define FLOOR_DB (-100.0)
/* Analysis windows of at least ~31 ms: long enough to resolve a voice's harmonics. */
#define WINDOW_RATE_DIVISOR 32
#define MAX_FFT_SIZE        16384

/*
 * 1024 x 256 mel: a preview sits in a list or above a waveform, 1024 pixels
 * wide like the stored waveform's typical view, and 256 rows are enough to
 * see formants and hum. Mel, because speech lives below 4 kHz: on a linear
 * axis of a 48 kHz recording it would fill the bottom sixth of the image.
 */
const struct vrp_spectrogram_options vrp_spectrogram_defaults = {
	.width = 1024,
	.height = 256,
	.scale = VRP_SPECTROGRAM_MEL,
};

struct spectrogram {
	struct vrp_spectrogram_options options;
	int began, ready, ended; /* ready: begin() succeeded */
	int channels;
	int fft_size, hop;
	const struct vrp_ffmpeg *ffmpeg;
	AVTXContext *tx;
	av_tx_fn tx_fn;
	float *window;          /* Hann, fft_size */
	float *frame;           /* the latest fft_size mono samples */
	float *tx_in;           /* av_malloc'd: av_tx wants its buffers aligned */
	AVComplexFloat *tx_out; /* fft_size / 2 + 1 bins */
	float *power;           /* per bin, a full-scale sine = 1 */
	float *column;          /* per row */
	int fill;               /* samples in frame */
	int64_t frames_in;
	int64_t columns;
	double power_scale;
	/* Row r takes the max of bins row_first..row_last, or, when that is empty (a
	 * row narrower than a bin), the power interpolated at bin position row_pos. */
	int *row_first, *row_last;
	float *row_pos;
	/* The bounded column buffer: each slot sums the power of up to
	 * columns_per_slot consecutive columns. */
	float *slots; /* slot_capacity x height */
	int32_t *slot_count;
	size_t slot_capacity, slot_used;
	int32_t columns_per_slot;
};

static const char *const scale_names[] = {
	[VRP_SPECTROGRAM_LINEAR] = "linear",
	[VRP_SPECTROGRAM_LOG] = "log",
	[VRP_SPECTROGRAM_MEL] = "mel",
};
#define SCALE_COUNT ((int)(sizeof(scale_names) / sizeof(scale_names[0])))

void vrp_spectrogram_options_default(vrp_spectrogram_options *out)
{
	*out = vrp_spectrogram_defaults;
}

int vrp_spectrogram_scale_from_string(const char *text, enum vrp_spectrogram_scale *out)
{
	for (int i = 0; text && i < SCALE_COUNT; i++) {
		if (strcmp(text, scale_names[i]) == 0) {
			*out = (enum vrp_spectrogram_scale)i;
			return 0;
		}
	}
	return vrp_error_set(VRP_EINVAL, "unknown spectrogram scale \"%s\": use linear, log or mel",
			     text ? text : "");
}

const char *vrp_spectrogram_scale_to_string(enum vrp_spectrogram_scale scale)
{
	if ((int)scale < 0 || (int)scale >= SCALE_COUNT)
		return NULL;
	return scale_names[scale];
}

int vrp_spectrogram_options_check(const struct vrp_spectrogram_options *options)
{
	if (options->width < 1 || options->width > VRP_SPECTROGRAM_MAX_SIDE ||
	    options->height < 1 || options->height > VRP_SPECTROGRAM_MAX_SIDE)
		return vrp_error_set(VRP_EINVAL,
				     "spectrogram size %dx%d: each side must be 1 to %d",
				     options->width, options->height, VRP_SPECTROGRAM_MAX_SIDE);
	if (!vrp_spectrogram_scale_to_string(options->scale))
		return vrp_error_set(VRP_EINVAL, "unknown spectrogram scale %d",
				     (int)options->scale);
	return 0;
}

/* Fine enough that adjacent rows of a linear axis are different bins. */
static int choose_fft_size(int sample_rate, int height)
{
	int need = 2 * height;
	if (sample_rate / WINDOW_RATE_DIVISOR > need)
		need = sample_rate / WINDOW_RATE_DIVISOR;
	int size = 256;
	while (size < need && size < MAX_FFT_SIZE)
		size *= 2;
	return size;
}

/*
 * Half-overlapping Hann windows weight every sample equally. A recording of
 * known length too short to give each pixel its own window gets a finer hop,
 * so a short clip is not drawn as a few wide blocks.
 */
static int choose_hop(int fft_size, int64_t frames_hint, int width)
{
	int hop = fft_size / 2;
	if (frames_hint > 0 && frames_hint / width < hop)
		hop = frames_hint / width > 1 ? (int)(frames_hint / width) : 1;
	return hop;
}

static double hz_to_mel(double hz) { return 2595.0 * log10(1.0 + hz / 700.0); }

static double mel_to_hz(double mel) { return 700.0 * (pow(10.0, mel / 2595.0) - 1.0); }

/* The frequency at height u in [0, 1] of the axis. */
static double axis_hz(enum vrp_spectrogram_scale scale, double u, double nyquist, double bin_hz)
{
	switch (scale) {
	case VRP_SPECTROGRAM_LOG:
		/* From one bin up: below it the FFT says nothing, and 0 Hz has no logarithm. */
		return bin_hz * pow(nyquist / bin_hz, u);
	case VRP_SPECTROGRAM_MEL:
		return mel_to_hz(u * hz_to_mel(nyquist));
	case VRP_SPECTROGRAM_LINEAR:
	default:
		return u * nyquist;
	}
}

static void map_rows(struct spectrogram *s, int sample_rate)
{
	int height = s->options.height, last_bin = s->fft_size / 2;
	double nyquist = sample_rate / 2.0, bin_hz = (double)sample_rate / s->fft_size;
	for (int r = 0; r < height; r++) {
		double lo = axis_hz(s->options.scale, (double)r / height, nyquist, bin_hz) / bin_hz;
		double hi = axis_hz(s->options.scale, (double)(r + 1) / height, nyquist, bin_hz) /
			    bin_hz;
		/* Bins whose centre lies in [lo, hi); the top row keeps the Nyquist bin too. */
		int first = (int)ceil(lo - 1e-9);
		int last = r == height - 1 ? last_bin : (int)ceil(hi - 1e-9) - 1;
		s->row_first[r] = first < 0 ? 0 : first;
		s->row_last[r] = last > last_bin ? last_bin : last;
		double pos = (lo + hi) / 2.0;
		s->row_pos[r] = (float)(pos > last_bin ? last_bin : pos);
	}
}

static int init_fft(struct spectrogram *s)
{
	int rc = vrp_ffmpeg_load(&s->ffmpeg);
	if (rc < 0)
		return rc;
	float scale = 1.0f;
	if (s->ffmpeg->av_tx_init(&s->tx, &s->tx_fn, AV_TX_FLOAT_RDFT, 0, s->fft_size, &scale, 0) <
	    0)
		return vrp_error_set(VRP_ENOTSUP, "cannot set up a %d-point FFT", s->fft_size);
	s->tx_in = s->ffmpeg->av_malloc(sizeof(float) * (size_t)s->fft_size);
	s->tx_out = s->ffmpeg->av_malloc(sizeof(AVComplexFloat) * (size_t)(s->fft_size / 2 + 1));
	if (!s->tx_in || !s->tx_out)
		return vrp_error_oom();
	return 0;
}

static int allocate_buffers(struct spectrogram *s)
{
	size_t n = (size_t)s->fft_size, height = (size_t)s->options.height;
	s->window = malloc(sizeof(float) * n);
	s->frame = calloc(n, sizeof(float));
	s->power = malloc(sizeof(float) * (n / 2 + 1));
	s->column = malloc(sizeof(float) * height);
	s->row_first = malloc(sizeof(int) * height);
	s->row_last = malloc(sizeof(int) * height);
	s->row_pos = malloc(sizeof(float) * height);
	s->slots = malloc(sizeof(float) * height * s->slot_capacity);
	s->slot_count = malloc(sizeof(int32_t) * s->slot_capacity);
	if (!s->window || !s->frame || !s->power || !s->column || !s->row_first || !s->row_last ||
	    !s->row_pos || !s->slots || !s->slot_count)
		return vrp_error_oom();
	return 0;
}

static int sink_begin(void *ctx, const struct vrp_pcm_format *format)
{
	struct spectrogram *s = ctx;
	if (s->began)
		return vrp_error_set(VRP_ERROR, "spectrogram: the stream began twice");
	s->began = 1;
	if (format->sample_rate <= 0 || format->channels < 1)
		return vrp_error_set(VRP_EINVAL, "spectrogram: %d Hz, %d channels is not audio",
				     format->sample_rate, format->channels);
	s->channels = format->channels;
	s->fft_size = choose_fft_size(format->sample_rate, s->options.height);
	s->hop = choose_hop(s->fft_size, format->frames_hint, s->options.width);
	int rc = allocate_buffers(s);
	if (rc == 0)
		rc = init_fft(s);
	if (rc < 0)
		return rc;
	double window_sum = 0.0;
	for (int i = 0; i < s->fft_size; i++) {
		/* Periodic Hann: its half-overlapped copies sum to a constant. */
		s->window[i] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * i / s->fft_size));
		window_sum += s->window[i];
	}
	/* A sine of amplitude A centred on a bin has |X| = A * sum(w) / 2. */
	s->power_scale = 4.0 / (window_sum * window_sum);
	map_rows(s, format->sample_rate);
	/* Half a window of silence first, so the first column is centred on the first sample. */
	s->fill = s->fft_size / 2;
	s->ready = 1;
	return 0;
}

/* Halves the slots in use by summing neighbours; from now on a slot takes twice the columns. */
static void merge_slots(struct spectrogram *s)
{
	size_t height = (size_t)s->options.height;
	for (size_t i = 0; i < s->slot_used / 2; i++) {
		float *to = s->slots + i * height;
		const float *a = s->slots + 2 * i * height, *b = a + height;
		for (size_t r = 0; r < height; r++)
			to[r] = a[r] + b[r];
		s->slot_count[i] = s->slot_count[2 * i] + s->slot_count[2 * i + 1];
	}
	s->slot_used /= 2;
	s->columns_per_slot *= 2;
}

static void store_column(struct spectrogram *s)
{
	size_t height = (size_t)s->options.height;
	if (s->slot_used == 0 || s->slot_count[s->slot_used - 1] >= s->columns_per_slot) {
		if (s->slot_used == s->slot_capacity)
			merge_slots(s);
		memset(s->slots + s->slot_used * height, 0, sizeof(float) * height);
		s->slot_count[s->slot_used++] = 0;
	}
	float *slot = s->slots + (s->slot_used - 1) * height;
	for (size_t r = 0; r < height; r++)
		slot[r] += s->column[r];
	s->slot_count[s->slot_used - 1]++;
	s->columns++;
}

static float row_power(const struct spectrogram *s, int r)
{
	if (s->row_first[r] <= s->row_last[r]) {
		float peak = 0.0f;
		/* The max, not the mean: a narrow line (hum, a whistle) must not fade in a wide
		 * row. */
		for (int k = s->row_first[r]; k <= s->row_last[r]; k++)
			peak = s->power[k] > peak ? s->power[k] : peak;
		return peak;
	}
	int k = (int)s->row_pos[r];
	if (k >= s->fft_size / 2)
		return s->power[s->fft_size / 2];
	float frac = s->row_pos[r] - (float)k;
	return s->power[k] * (1.0f - frac) + s->power[k + 1] * frac;
}

static void analyse_frame(struct spectrogram *s)
{
	for (int i = 0; i < s->fft_size; i++)
		s->tx_in[i] = s->frame[i] * s->window[i];
	s->tx_fn(s->tx, s->tx_out, s->tx_in, sizeof(float));
	/* Zero for real input; FFmpeg 5.1's RDFT leaves the Nyquist bin's unwritten. */
	s->tx_out[0].im = 0.0f;
	s->tx_out[s->fft_size / 2].im = 0.0f;
	for (int k = 0; k <= s->fft_size / 2; k++) {
		double re = s->tx_out[k].re, im = s->tx_out[k].im;
		s->power[k] = (float)((re * re + im * im) * s->power_scale);
	}
	for (int r = 0; r < s->options.height; r++)
		s->column[r] = row_power(s, r);
	store_column(s);
	memmove(s->frame, s->frame + s->hop, sizeof(float) * (size_t)(s->fft_size - s->hop));
	s->fill = s->fft_size - s->hop;
}

static int sink_write(void *ctx, const float *samples, size_t frames)
{
	struct spectrogram *s = ctx;
	if (!s->ready || s->ended)
		return vrp_error_set(VRP_ERROR, "spectrogram: samples outside begin() and end()");
	for (size_t f = 0; f < frames; f++) {
		const float *frame = samples + f * (size_t)s->channels;
		float sum = 0.0f;
		for (int c = 0; c < s->channels; c++)
			sum += frame[c];
		float mono = sum / (float)s->channels;
		s->frame[s->fill++] = isfinite(mono) ? mono : 0.0f;
		if (s->fill == s->fft_size)
			analyse_frame(s);
	}
	s->frames_in += (int64_t)frames;
	return 0;
}

/* Pads with silence until a column is centred on or after the last sample. */
static void flush(struct spectrogram *s)
{
	while (s->columns * s->hop < s->frames_in) {
		memset(s->frame + s->fill, 0, sizeof(float) * (size_t)(s->fft_size - s->fill));
		analyse_frame(s);
	}
	s->ended = 1;
}

static int sink_end(void *ctx)
{
	struct spectrogram *s = ctx;
	if (!s->ready || s->ended)
		return vrp_error_set(VRP_ERROR, "spectrogram: end() without begin(), or twice");
	flush(s);
	return 0;
}

/*
 * Pixel x shows the mean power of the columns in [x, x + 1) * columns / width,
 * each slot weighted by how much of that span it covers.
 */
static void pixel_power(const struct spectrogram *s, int x, double *out)
{
	size_t height = (size_t)s->options.height;
	double per_pixel = (double)s->columns / s->options.width;
	double from = x * per_pixel, to = from + per_pixel, start = 0.0, weight = 0.0;
	memset(out, 0, sizeof(double) * height);
	for (size_t i = 0; i < s->slot_used && start < to; i++) {
		double end = start + s->slot_count[i];
		double overlap = fmin(end, to) - fmax(start, from);
		if (overlap > 0.0) {
			const float *slot = s->slots + i * height;
			for (size_t r = 0; r < height; r++)
				out[r] += slot[r] / s->slot_count[i] * overlap;
			weight += overlap;
		}
		start = end;
	}
	for (size_t r = 0; weight > 0.0 && r < height; r++)
		out[r] /= weight;
}

static uint8_t colour_index(double power)
{
	double db = 10.0 * log10(power > 1e-30 ? power : 1e-30);
	double t = (db - FLOOR_DB) / -FLOOR_DB;
	return (uint8_t)lround(t < 0.0 ? 0.0 : t > 1.0 ? 255.0 : t * 255.0);
}

static void render(const struct spectrogram *s, uint8_t *rgb, double *power)
{
	int width = s->options.width, height = s->options.height;
	uint8_t palette[256][3];
	for (int i = 0; i < 256; i++)
		vrp_spectrogram_colour(i / 255.0, palette[i]);
	for (int x = 0; x < width; x++) {
		pixel_power(s, x, power);
		for (int r = 0; r < height; r++) {
			/* Row 0 is the lowest frequency and the image's bottom line. */
			uint8_t *pixel = rgb + ((size_t)(height - 1 - r) * width + x) * 3;
			memcpy(pixel, palette[colour_index(power[r])], 3);
		}
	}
}

static int generator_save(void *instance, int fd)
{
	struct spectrogram *s = instance;
	if (s->began && !s->ready)
		return vrp_error_set(VRP_ERROR, "spectrogram: the stream failed to begin");
	/* A stream that was never begun is drawn empty; one not ended is drawn to its last sample.
	 */
	if (s->ready && !s->ended)
		flush(s);
	size_t width = (size_t)s->options.width, height = (size_t)s->options.height;
	uint8_t *rgb = malloc(width * height * 3);
	double *power = calloc(height, sizeof(double));
	int rc = rgb && power ? 0 : vrp_error_oom();
	if (rc == 0) {
		render(s, rgb, power);
		rc = vrp_spectrogram_png_write(fd, rgb, s->options.width, s->options.height);
	}
	free(power);
	free(rgb);
	return rc;
}

static void generator_destroy(void *instance)
{
	struct spectrogram *s = instance;
	if (!s)
		return;
	if (s->ffmpeg) {
		s->ffmpeg->av_tx_uninit(&s->tx);
		s->ffmpeg->av_free(s->tx_in);
		s->ffmpeg->av_free(s->tx_out);
	}
	free(s->window);
	free(s->frame);
	free(s->power);
	free(s->column);
	free(s->row_first);
	free(s->row_last);
	free(s->row_pos);
	free(s->slots);
	free(s->slot_count);
	free(s);
}

int vrp_spectrogram_create_with(const struct vrp_spectrogram_options *options, void **instance,
				struct vrp_pcm_sink *sink)
{
	*instance = NULL;
	int rc = vrp_spectrogram_options_check(options);
	if (rc < 0)
		return rc;
	struct spectrogram *s = calloc(1, sizeof(*s));
	if (!s)
		return vrp_error_oom();
	s->options = *options;
	/* Twice the width: after the last merge at least one slot per pixel remains. */
	s->slot_capacity = 2 * (size_t)options->width;
	s->columns_per_slot = 1;
	*sink = (struct vrp_pcm_sink){
		.ctx = s, .begin = sink_begin, .write = sink_write, .end = sink_end
	};
	*instance = s;
	return 0;
}

static int generator_create(void **instance, struct vrp_pcm_sink *sink,
			    const struct vrp_derive_params *params)
{
	(void)params;
	return vrp_spectrogram_create_with(&vrp_spectrogram_defaults, instance, sink);
}

void vrp_spectrogram_get_stats(const void *instance, struct vrp_spectrogram_stats *out)
{
	const struct spectrogram *s = instance;
	out->columns = s->columns;
	out->slots = s->slot_used;
	out->slot_capacity = s->slot_capacity;
	out->buffer_bytes = s->slots
				    ? s->slot_capacity * (size_t)s->options.height * sizeof(float) +
					      s->slot_capacity * sizeof(int32_t)
				    : 0;
}

const struct vrp_generator vrp_spectrogram_generator = {
	.kind = VRP_DERIVED_SPECTROGRAM,
	.name = "vrp-spectrogram",
	.version = "1",
	.mime_type = "image/png",
	.extension = "png",
	.create = generator_create,
	.save = generator_save,
	.destroy = generator_destroy,
};
