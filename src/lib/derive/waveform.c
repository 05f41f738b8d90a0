/* waveform.c - computes waveform peaks from a decode; the stored waveform generator. */
#include "derive/waveform.h"

#include "core/error_set.h"

#include <stdlib.h>
#include <string.h>

struct vrp_waveform_builder {
	enum vrp_waveform_view view;
	int in_channels;
	int count;       /* frames in the current pixel */
	int16_t *peak;   /* the current pixel: min, max per output channel */
	size_t capacity; /* pixels allocated in wf.data */
	struct vrp_waveform wf;
};

void vrp_waveform_clear(struct vrp_waveform *wf)
{
	free(wf->data);
	*wf = (struct vrp_waveform){ 0 };
}

static void reset_peak(struct vrp_waveform_builder *b)
{
	for (size_t c = 0; c < (size_t)b->wf.channels; c++) {
		b->peak[2 * c] = INT16_MAX;
		b->peak[2 * c + 1] = INT16_MIN;
	}
	b->count = 0;
}

static int builder_begin(void *ctx, const struct vrp_pcm_format *format)
{
	struct vrp_waveform_builder *b = ctx;
	int n = format->channels;
	b->in_channels = n;
	b->wf.sample_rate = format->sample_rate;
	b->wf.channels = b->view == VRP_WAVEFORM_MIXED ? 1
			 : b->view == VRP_WAVEFORM_ALL ? n
			 : n == 1                      ? 1
						       : n + 1;
	b->peak = malloc(sizeof(int16_t) * 2 * (size_t)b->wf.channels);
	if (!b->peak)
		return vrp_error_oom();
	reset_peak(b);
	return 0;
}

static int append_pixel(struct vrp_waveform_builder *b)
{
	size_t width = 2 * (size_t)b->wf.channels;
	if (b->wf.length == b->capacity) {
		size_t capacity = b->capacity ? 2 * b->capacity : 1024;
		int16_t *data = realloc(b->wf.data, sizeof(int16_t) * width * capacity);
		if (!data)
			return vrp_error_oom();
		b->wf.data = data;
		b->capacity = capacity;
	}
	memcpy(b->wf.data + b->wf.length * width, b->peak, sizeof(int16_t) * width);
	b->wf.length++;
	reset_peak(b);
	return 0;
}

/* floor(x * 32768) clamped to int16: exact for 16-bit sources, the top 16 bits of deeper ones. */
static int to_int16(float x)
{
	double v = (double)x * 32768.0;
	if (!(v > -32768.0))
		return INT16_MIN; /* NaN too: a flat line, never UB */
	if (v >= 32767.0)
		return INT16_MAX;
	int i = (int)v;
	return (double)i > v ? i - 1 : i;
}

static void note(struct vrp_waveform_builder *b, int channel, int value)
{
	int16_t *p = b->peak + 2 * (size_t)channel;
	if (value < p[0])
		p[0] = (int16_t)value;
	if (value > p[1])
		p[1] = (int16_t)value;
}

static void note_frame(struct vrp_waveform_builder *b, const float *frame)
{
	int n = b->in_channels;
	bool mixed = b->view == VRP_WAVEFORM_MIXED || (b->view == VRP_WAVEFORM_STORED && n > 1);
	int first = b->view == VRP_WAVEFORM_STORED && n > 1 ? 1 : 0;
	int sum = 0;
	for (int c = 0; c < n; c++) {
		int s = to_int16(frame[c]);
		sum += s;
		if (b->view != VRP_WAVEFORM_MIXED)
			note(b, first + c, s);
	}
	if (mixed)
		note(b, 0, sum / n);
}

static int builder_write(void *ctx, const float *samples, size_t frames)
{
	struct vrp_waveform_builder *b = ctx;
	for (size_t i = 0; i < frames; i++) {
		note_frame(b, samples + i * (size_t)b->in_channels);
		if (++b->count == b->wf.samples_per_pixel) {
			int rc = append_pixel(b);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

static int builder_end(void *ctx)
{
	struct vrp_waveform_builder *b = ctx;
	return b->count > 0 ? append_pixel(b) : 0;
}

int vrp_waveform_builder_new(int samples_per_pixel, enum vrp_waveform_view view,
			     struct vrp_waveform_builder **out, struct vrp_pcm_sink *sink)
{
	*out = NULL;
	if (samples_per_pixel < 2)
		return vrp_error_set(VRP_EINVAL, "samples per pixel must be at least 2, not %d",
				     samples_per_pixel);
	struct vrp_waveform_builder *b = calloc(1, sizeof(*b));
	if (!b)
		return vrp_error_oom();
	b->view = view;
	b->wf.samples_per_pixel = samples_per_pixel;
	*sink = (struct vrp_pcm_sink){ b, builder_begin, builder_write, builder_end };
	*out = b;
	return 0;
}

void vrp_waveform_builder_take(struct vrp_waveform_builder *b, struct vrp_waveform *out)
{
	*out = b->wf;
	b->wf.data = NULL;
	b->wf.length = 0;
	b->capacity = 0;
}

void vrp_waveform_builder_free(struct vrp_waveform_builder *b)
{
	if (!b)
		return;
	free(b->wf.data);
	free(b->peak);
	free(b);
}

static int generator_create(void **instance, struct vrp_pcm_sink *sink,
			    const struct vrp_derive_params *params)
{
	(void)params;
	struct vrp_waveform_builder *b = NULL;
	int rc = vrp_waveform_builder_new(VRP_WAVEFORM_STORED_SPP, VRP_WAVEFORM_STORED, &b, sink);
	*instance = b;
	return rc;
}

static int generator_save(void *instance, int fd)
{
	struct vrp_waveform_builder *b = instance;
	return vrp_waveform_write_dat(&b->wf, 16, fd);
}

static void generator_destroy(void *instance) { vrp_waveform_builder_free(instance); }

const struct vrp_generator vrp_waveform_generator = {
	.kind = VRP_DERIVED_WAVEFORM,
	.name = "vrp-waveform",
	.version = "1",
	.mime_type = "application/vnd.audiowaveform.dat",
	.extension = "dat",
	.create = generator_create,
	.save = generator_save,
	.destroy = generator_destroy,
};
