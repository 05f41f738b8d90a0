/* opus.c - the compressed-copy generator: mono Opus in Ogg at 48 kHz, streamed to a temporary file.
 */
#include "derive/opus.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "media/ffmpeg.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libswresample/swresample.h>

#define IO_BUFFER 65536

struct opus_copy {
	const struct vrp_ffmpeg *ff;
	int bitrate;
	char *title;
	int channels, in_rate;
	int64_t in_frames;  /* source frames per channel received */
	int64_t out_frames; /* 48 kHz samples given to the encoder */
	int64_t target;     /* the length to keep, known at end(); INT64_MAX before */
	SwrContext *swr;
	AVCodecContext *enc;
	AVFormatContext *oc;
	AVIOContext *pb;
	FILE *file;
	int write_errno;
	AVFrame *frame; /* the encoder frame being filled */
	AVPacket *pkt;
	float *mono, *resampled;
	size_t mono_cap, resampled_cap;
	bool ended;
};

const struct vrp_opus_options vrp_opus_defaults = { .bitrate = 32000, .title = NULL };

static int av_failure(struct opus_copy *o, int averr, const char *what)
{
	if (averr == AVERROR(ENOMEM))
		return vrp_error_oom();
	if (o->write_errno)
		return vrp_error_from_errno(o->write_errno, "cannot write the Opus copy");
	char text[AV_ERROR_MAX_STRING_SIZE];
	o->ff->av_strerror(averr, text, sizeof(text));
	return vrp_error_set(VRP_EIO, "Opus copy: %s: %s", what, text);
}

/* The muxer's pages land in the temporary file; a short write is kept for the error. */
static int write_pages(void *opaque, uint8_t *buf, int size)
{
	struct opus_copy *o = opaque;
	errno = 0;
	if (fwrite(buf, 1, (size_t)size, o->file) != (size_t)size) {
		o->write_errno = errno ? errno : EIO;
		return AVERROR(o->write_errno);
	}
	return size;
}

static int open_encoder(struct opus_copy *o)
{
	const AVCodec *codec = o->ff->avcodec_find_encoder_by_name("libopus");
	if (!codec)
		return vrp_error_set(VRP_ENOTSUP, "this FFmpeg has no libopus encoder; install a "
						  "libavcodec built with libopus");
	o->enc = o->ff->avcodec_alloc_context3(codec);
	if (!o->enc)
		return vrp_error_oom();
	o->enc->sample_fmt = AV_SAMPLE_FMT_FLT;
	o->enc->sample_rate = VRP_OPUS_RATE;
	o->enc->ch_layout = (AVChannelLayout)AV_CHANNEL_LAYOUT_MONO;
	o->enc->bit_rate = o->bitrate;
	o->enc->time_base = (AVRational){ 1, VRP_OPUS_RATE };
	/* Constrained VBR: unconstrained, a steady tone takes half as much again as asked. */
	AVDictionary *opts = NULL;
	int averr = o->ff->av_dict_set(&opts, "vbr", "constrained", 0);
	if (averr >= 0)
		averr = o->ff->avcodec_open2(o->enc, codec, &opts);
	o->ff->av_dict_free(&opts);
	return averr < 0 ? av_failure(o, averr, "cannot open the encoder") : 0;
}

static int open_resampler(struct opus_copy *o)
{
	AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
	int averr = o->ff->swr_alloc_set_opts2(&o->swr, &mono, AV_SAMPLE_FMT_FLT, VRP_OPUS_RATE,
					       &mono, AV_SAMPLE_FMT_FLT, o->in_rate, 0, NULL);
	if (averr >= 0)
		averr = o->ff->swr_init(o->swr);
	return averr < 0 ? av_failure(o, averr, "cannot resample") : 0;
}

/* An Ogg muxer over a custom AVIOContext: the temporary file is ours, not a path FFmpeg opens. */
static int open_muxer(struct opus_copy *o)
{
	o->file = tmpfile();
	if (!o->file)
		return vrp_error_from_errno(errno,
					    "cannot create a temporary file for the Opus copy");
	unsigned char *buffer = o->ff->av_malloc(IO_BUFFER);
	if (!buffer)
		return vrp_error_oom();
	o->pb = o->ff->avio_alloc_context(buffer, IO_BUFFER, 1, o, NULL, write_pages, NULL);
	if (!o->pb) {
		o->ff->av_free(buffer);
		return vrp_error_oom();
	}
	int averr = o->ff->avformat_alloc_output_context2(&o->oc, NULL, "ogg", NULL);
	if (averr < 0)
		return av_failure(o, averr, "cannot make an Ogg muxer");
	o->oc->pb = o->pb;
	/* Bit-exact: the Ogg serial number is otherwise random, and the same audio
	 * must give the same bytes, so two workers making one copy at once agree
	 * and a remote copy is recognised by its sha256. */
	o->oc->flags |= AVFMT_FLAG_CUSTOM_IO | AVFMT_FLAG_BITEXACT;
	AVStream *st = o->ff->avformat_new_stream(o->oc, NULL);
	if (!st)
		return vrp_error_oom();
	st->time_base = o->enc->time_base;
	averr = o->ff->avcodec_parameters_from_context(st->codecpar, o->enc);
	if (averr >= 0 && o->title)
		averr = o->ff->av_dict_set(&o->oc->metadata, "title", o->title, 0);
	if (averr >= 0)
		averr = o->ff->avformat_write_header(o->oc, NULL);
	return averr < 0 ? av_failure(o, averr, "cannot write the Ogg headers") : 0;
}

static int new_frame(struct opus_copy *o)
{
	o->frame->nb_samples = o->enc->frame_size;
	o->frame->format = AV_SAMPLE_FMT_FLT;
	o->frame->sample_rate = VRP_OPUS_RATE;
	o->frame->ch_layout = (AVChannelLayout)AV_CHANNEL_LAYOUT_MONO;
	o->frame->pts = o->out_frames;
	int averr = o->ff->av_frame_get_buffer(o->frame, 0);
	if (averr < 0)
		return av_failure(o, averr, "cannot allocate a frame");
	o->frame->nb_samples = 0; /* filled so far; frame_size when full */
	return 0;
}

static int copy_begin(void *ctx, const struct vrp_pcm_format *format)
{
	struct opus_copy *o = ctx;
	o->channels = format->channels;
	o->in_rate = format->sample_rate;
	int rc = open_encoder(o);
	if (rc == 0)
		rc = open_resampler(o);
	if (rc == 0)
		rc = open_muxer(o);
	if (rc == 0 &&
	    (!(o->frame = o->ff->av_frame_alloc()) || !(o->pkt = o->ff->av_packet_alloc())))
		rc = vrp_error_oom();
	if (rc == 0)
		rc = new_frame(o);
	return rc;
}

/*
 * Packets wholly past the target are dropped, and the last one kept ends
 * at it: the muxer's final granule position is then the target plus the
 * pre-skip, which is what trims the decoder's output to the source length.
 */
static int mux_packets(struct opus_copy *o)
{
	for (;;) {
		int averr = o->ff->avcodec_receive_packet(o->enc, o->pkt);
		if (averr == AVERROR(EAGAIN) || averr == AVERROR_EOF)
			return 0;
		if (averr < 0)
			return av_failure(o, averr, "cannot encode");
		if (o->pkt->pts >= o->target) {
			o->ff->av_packet_unref(o->pkt);
			continue;
		}
		if (o->pkt->pts + o->pkt->duration > o->target)
			o->pkt->duration = o->target - o->pkt->pts;
		o->pkt->stream_index = 0;
		o->ff->av_packet_rescale_ts(o->pkt, o->enc->time_base,
					    o->oc->streams[0]->time_base);
		averr = o->ff->av_interleaved_write_frame(o->oc, o->pkt);
		if (averr < 0)
			return av_failure(o, averr, "cannot write an Ogg page");
	}
}

static int send_frame(struct opus_copy *o, AVFrame *frame)
{
	int averr = o->ff->avcodec_send_frame(o->enc, frame);
	if (frame)
		o->ff->av_frame_unref(frame);
	if (averr < 0)
		return av_failure(o, averr, "cannot encode");
	int rc = mux_packets(o);
	return rc == 0 && frame ? new_frame(o) : rc;
}

/* Fills encoder frames with 48 kHz samples; `samples` NULL means silence. */
static int push(struct opus_copy *o, const float *samples, int64_t count)
{
	while (count > 0) {
		int room = o->enc->frame_size - o->frame->nb_samples;
		int n = count < room ? (int)count : room;
		float *dst = (float *)o->frame->data[0] + o->frame->nb_samples;
		if (samples) {
			memcpy(dst, samples, sizeof(float) * (size_t)n);
			samples += n;
		} else {
			memset(dst, 0, sizeof(float) * (size_t)n);
		}
		o->frame->nb_samples += n;
		o->out_frames += n;
		count -= n;
		if (o->frame->nb_samples == o->enc->frame_size) {
			int rc = send_frame(o, o->frame);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

static int grow(float **buffer, size_t *capacity, size_t need)
{
	if (need <= *capacity)
		return 0;
	float *bigger = realloc(*buffer, sizeof(float) * need);
	if (!bigger)
		return vrp_error_oom();
	*buffer = bigger;
	*capacity = need;
	return 0;
}

/* Resamples `frames` mono samples (NULL: drains the resampler) into encoder frames. */
static int resample(struct opus_copy *o, const float *mono, size_t frames, int64_t limit)
{
	int64_t delay = o->ff->swr_get_delay(o->swr, o->in_rate);
	size_t cap = (size_t)o->ff->av_rescale_rnd(delay + (int64_t)frames, VRP_OPUS_RATE,
						   o->in_rate, AV_ROUND_UP) +
		     16;
	int rc = grow(&o->resampled, &o->resampled_cap, cap);
	if (rc != 0)
		return rc;
	uint8_t *out = (uint8_t *)o->resampled;
	const uint8_t *in = (const uint8_t *)mono;
	int got = o->ff->swr_convert(o->swr, &out, (int)cap, mono ? &in : NULL, (int)frames);
	if (got < 0)
		return av_failure(o, got, "cannot resample");
	return push(o, o->resampled, got < limit ? got : limit);
}

static int copy_write(void *ctx, const float *samples, size_t frames)
{
	struct opus_copy *o = ctx;
	int rc = grow(&o->mono, &o->mono_cap, frames);
	for (size_t i = 0; rc == 0 && i < frames; i++) {
		float sum = 0.0f;
		for (int c = 0; c < o->channels; c++)
			sum += samples[i * (size_t)o->channels + (size_t)c];
		o->mono[i] = sum / (float)o->channels;
	}
	o->in_frames += (int64_t)frames;
	return rc == 0 ? resample(o, o->mono, frames, INT64_MAX) : rc;
}

/*
 * The resampler's tail is drained up to the source's length at 48 kHz and
 * any shortfall padded with silence, so exactly that many samples reach the
 * encoder. A source with no samples still gets one (trimmed) frame: an Ogg
 * Opus stream with no audio packet is not one a reader accepts.
 */
static int copy_end(void *ctx)
{
	struct opus_copy *o = ctx;
	o->target =
		o->ff->av_rescale_rnd(o->in_frames, VRP_OPUS_RATE, o->in_rate, AV_ROUND_NEAR_INF);
	int rc = resample(o, NULL, 0, o->target - o->out_frames);
	if (rc == 0 && o->out_frames < o->target)
		rc = push(o, NULL, o->target - o->out_frames);
	if (rc == 0 && o->out_frames == 0)
		rc = push(o, NULL, o->enc->frame_size);
	if (rc == 0 && o->frame->nb_samples > 0)
		rc = send_frame(o, o->frame);
	if (rc == 0)
		rc = send_frame(o, NULL);
	int averr = rc == 0 ? o->ff->av_write_trailer(o->oc) : 0;
	if (averr < 0)
		return av_failure(o, averr, "cannot finish the Ogg stream");
	if (rc == 0 && fflush(o->file) != 0)
		rc = vrp_error_from_errno(errno, "cannot write the Opus copy");
	o->ended = rc == 0;
	return rc;
}

static int copy_save(void *instance, int fd)
{
	struct opus_copy *o = instance;
	if (!o->ended)
		return vrp_error_set(VRP_EINVAL, "the Opus copy is saved before its decode ended");
	rewind(o->file);
	char buffer[IO_BUFFER];
	size_t n;
	int rc = 0;
	while (rc == 0 && (n = fread(buffer, 1, sizeof(buffer), o->file)) > 0)
		if (vrp_fs_write_all(fd, buffer, n) != 0)
			rc = vrp_error_from_errno(errno, "cannot write the Opus copy");
	if (rc == 0 && ferror(o->file))
		rc = vrp_error_from_errno(errno, "cannot read back the Opus copy");
	return rc;
}

static void copy_destroy(void *instance)
{
	struct opus_copy *o = instance;
	if (!o)
		return;
	if (o->ff) {
		o->ff->av_frame_free(&o->frame);
		o->ff->av_packet_free(&o->pkt);
		o->ff->avcodec_free_context(&o->enc);
		o->ff->swr_free(&o->swr);
		o->ff->avformat_free_context(o->oc);
		if (o->pb)
			o->ff->av_freep(&o->pb->buffer);
		o->ff->avio_context_free(&o->pb);
	}
	if (o->file)
		fclose(o->file);
	free(o->mono);
	free(o->resampled);
	free(o->title);
	free(o);
}

int vrp_opus_create_with(const struct vrp_opus_options *options, void **instance,
			 struct vrp_pcm_sink *sink)
{
	*instance = NULL;
	if (options->bitrate < VRP_OPUS_MIN_BITRATE || options->bitrate > VRP_OPUS_MAX_BITRATE)
		return vrp_error_set(VRP_EINVAL, "Opus bitrate %d is outside %d..%d bit/s",
				     options->bitrate, VRP_OPUS_MIN_BITRATE, VRP_OPUS_MAX_BITRATE);
	struct opus_copy *o = calloc(1, sizeof(*o));
	if (!o)
		return vrp_error_oom();
	*instance = o;
	o->bitrate = options->bitrate;
	o->target = INT64_MAX;
	if (options->title && *options->title && !(o->title = strdup(options->title)))
		return vrp_error_oom();
	*sink = (struct vrp_pcm_sink){ o, copy_begin, copy_write, copy_end };
	return vrp_ffmpeg_load(&o->ff);
}

static int generator_create(void **instance, struct vrp_pcm_sink *sink,
			    const struct vrp_derive_params *params)
{
	struct vrp_opus_options o = vrp_opus_defaults;
	o.title = params->title;
	if (params->opus_bitrate)
		o.bitrate = params->opus_bitrate;
	return vrp_opus_create_with(&o, instance, sink);
}

static void generator_settings_key(const struct vrp_derive_params *params, char *out, size_t len)
{
	snprintf(out, len, "bitrate=%d",
		 params->opus_bitrate ? params->opus_bitrate : vrp_opus_defaults.bitrate);
}

const struct vrp_generator vrp_opus_generator = {
	.kind = VRP_DERIVED_COMPRESSED,
	.name = "vrp-opus",
	.version = "1",
	.mime_type = "audio/ogg",
	.extension = "opus",
	.create = generator_create,
	.save = copy_save,
	.destroy = copy_destroy,
	.settings_key = generator_settings_key,
};
