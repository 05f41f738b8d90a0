/* decode_ffmpeg.c - the decode of everything that is not plain WAV, through FFmpeg. */
#include "core/error_set.h"
#include "media/decode_internal.h"
#include "media/ffmpeg.h"
#include "media/media_io.h"

#include <stdbool.h>
#include <string.h>

struct ffdecode {
	const struct vrp_ffmpeg *ff;
	const char *path;
	struct vrp_media_io io;
	AVFormatContext *ic;
	AVStream *st;
	AVCodecContext *dec;
	AVPacket *pkt;
	AVFrame *frame;
	struct vrp_decode_fanout *out;
	size_t filled; /* frames waiting in out->chunk */
	bool begun;    /* the sinks were told the format */
};

/* A read error behind an FFmpeg failure is what it is; anything else means the audio is damaged. */
static int av_failure(struct ffdecode *d, int averr, const char *what)
{
	if (d->io.read_errno)
		return vrp_error_from_errno(d->io.read_errno, "cannot read %s", d->path);
	if (averr == AVERROR(ENOMEM))
		return vrp_error_oom();
	char text[AV_ERROR_MAX_STRING_SIZE];
	d->ff->av_strerror(averr, text, sizeof(text));
	return vrp_error_set(VRP_ECORRUPT_MEDIA, "%s: %s: %s", d->path, what, text);
}

/* The recording was probed at import; references to other files are refused now as then. */
static int refuse_io_open(AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
			  AVDictionary **options)
{
	(void)s, (void)pb, (void)url, (void)flags, (void)options;
	return AVERROR(EPERM);
}

static int open_demuxer(struct ffdecode *d)
{
	const AVInputFormat *fmt = NULL;
	int score = d->ff->av_probe_input_buffer2(d->io.avio, &fmt, "", NULL, 0, 0);
	if (score == AVERROR(ENOMEM))
		return vrp_error_oom();
	/* Below the retry score FFmpeg is guessing: bytes that were audio once and are not now. */
	if (score <= AVPROBE_SCORE_RETRY || !fmt)
		return d->io.read_errno
			       ? av_failure(d, score, "")
			       : vrp_error_set(VRP_ECORRUPT_MEDIA,
					       "%s: no longer a recognisable audio file", d->path);
	d->ic = d->ff->avformat_alloc_context();
	if (!d->ic)
		return vrp_error_oom();
	d->ic->pb = d->io.avio;
	d->ic->io_open = refuse_io_open;
	int rc = d->ff->avformat_open_input(&d->ic, "", fmt, NULL);
	return rc < 0 ? av_failure(d, rc, "cannot read the header") : 0;
}

static int open_decoder(struct ffdecode *d)
{
	for (unsigned i = 0; i < d->ic->nb_streams; i++) {
		AVStream *st = d->ic->streams[i];
		st->discard = AVDISCARD_ALL;
		if (st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO &&
		    (!d->st || (st->disposition & AV_DISPOSITION_DEFAULT)))
			d->st = st;
	}
	if (!d->st)
		return vrp_error_set(VRP_ECORRUPT_MEDIA, "%s: no audio stream", d->path);
	d->st->discard = AVDISCARD_DEFAULT;
	const AVCodec *codec = d->ff->avcodec_find_decoder(d->st->codecpar->codec_id);
	if (!codec)
		return vrp_error_set(VRP_EUNSUPPORTED_MEDIA, "%s: no decoder for %s", d->path,
				     d->ff->avcodec_get_name(d->st->codecpar->codec_id));
	d->dec = d->ff->avcodec_alloc_context3(codec);
	if (!d->dec)
		return vrp_error_oom();
	int rc = d->ff->avcodec_parameters_to_context(d->dec, d->st->codecpar);
	if (rc < 0)
		return av_failure(d, rc, "cannot set up the decoder");
	d->dec->thread_count = 1;
	d->dec->pkt_timebase = d->st->time_base;
	rc = d->ff->avcodec_open2(d->dec, codec, NULL);
	if (rc < 0)
		return av_failure(d, rc, "cannot start the decoder");
	d->pkt = d->ff->av_packet_alloc();
	d->frame = d->ff->av_frame_alloc();
	return d->pkt && d->frame ? 0 : vrp_error_oom();
}

/*
 * Tells the sinks the format. Some headers (MP3, ADTS AAC) give no rate or
 * channel count until a frame decodes, so it is the first frame's format, or
 * the decoder's for a stream that yields no frame at all.
 */
static int begin(struct ffdecode *d, int rate, int channels)
{
	if (rate <= 0 || channels < 1)
		return vrp_error_set(VRP_ECORRUPT_MEDIA,
				     "%s: the stream declares %d Hz, %d channels", d->path, rate,
				     channels);
	int64_t frames = -1;
	if (d->st->duration != AV_NOPTS_VALUE && d->st->duration > 0)
		frames = d->ff->av_rescale_q(d->st->duration, d->st->time_base,
					     (AVRational){ 1, rate });
	int bits = d->dec->bits_per_raw_sample;
	struct vrp_pcm_format format = { rate, channels, bits > 0 ? bits : 0, frames };
	d->begun = true;
	return vrp_decode_begin(d->out, &format);
}

/* Sample `i` of plane `plane` (0 for packed formats) in any of FFmpeg's sample formats, as a float.
 */
static float sample_at(const AVFrame *f, enum AVSampleFormat fmt, int plane, size_t i)
{
	const uint8_t *p = f->extended_data[plane];
	switch (fmt) {
	case AV_SAMPLE_FMT_U8:
	case AV_SAMPLE_FMT_U8P:
		return (float)(p[i] - 128) / 128.0f;
	case AV_SAMPLE_FMT_S16:
	case AV_SAMPLE_FMT_S16P:
		return (float)((const int16_t *)(const void *)p)[i] / 32768.0f;
	case AV_SAMPLE_FMT_S32:
	case AV_SAMPLE_FMT_S32P:
		return (float)((double)((const int32_t *)(const void *)p)[i] / 2147483648.0);
	case AV_SAMPLE_FMT_S64:
	case AV_SAMPLE_FMT_S64P:
		return (float)((double)((const int64_t *)(const void *)p)[i] /
			       9223372036854775808.0);
	case AV_SAMPLE_FMT_FLT:
	case AV_SAMPLE_FMT_FLTP:
		return ((const float *)(const void *)p)[i];
	case AV_SAMPLE_FMT_DBL:
	case AV_SAMPLE_FMT_DBLP:
		return (float)((const double *)(const void *)p)[i];
	default:
		return 0.0f;
	}
}

static bool is_planar(enum AVSampleFormat fmt)
{
	return fmt == AV_SAMPLE_FMT_U8P || fmt == AV_SAMPLE_FMT_S16P || fmt == AV_SAMPLE_FMT_S32P ||
	       fmt == AV_SAMPLE_FMT_S64P || fmt == AV_SAMPLE_FMT_FLTP || fmt == AV_SAMPLE_FMT_DBLP;
}

/* Copies a decoded frame into the chunk, interleaved, handing on each full chunk. */
static int take_frame(struct ffdecode *d)
{
	const AVFrame *f = d->frame;
	if (!d->begun) {
		int rc = begin(d, f->sample_rate, f->ch_layout.nb_channels);
		if (rc != 0)
			return rc;
	}
	int channels = d->out->channels;
	enum AVSampleFormat fmt = (enum AVSampleFormat)f->format;
	if (f->ch_layout.nb_channels != channels)
		return vrp_error_set(VRP_ECORRUPT_MEDIA, "%s: the channel count changes mid-stream",
				     d->path);
	bool planar = is_planar(fmt);
	for (int n = 0; n < f->nb_samples; n++) {
		float *dst = d->out->chunk + d->filled * (size_t)channels;
		for (int c = 0; c < channels; c++)
			dst[c] = planar ? sample_at(f, fmt, c, (size_t)n)
					: sample_at(f, fmt, 0, (size_t)n * channels + c);
		if (++d->filled == VRP_DECODE_CHUNK_FRAMES) {
			int rc = vrp_decode_write(d->out, d->filled);
			d->filled = 0;
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/* Sends one packet (NULL: flush) and takes every frame it yields. */
static int decode_packet(struct ffdecode *d, const AVPacket *pkt)
{
	int rc = d->ff->avcodec_send_packet(d->dec, pkt);
	while (rc >= 0) {
		rc = d->ff->avcodec_receive_frame(d->dec, d->frame);
		if (rc >= 0) {
			int taken = take_frame(d);
			d->ff->av_frame_unref(d->frame);
			if (taken != 0)
				return taken;
		}
	}
	if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
		return 0;
	return av_failure(d, rc, "the audio does not decode");
}

static int run(struct ffdecode *d)
{
	for (;;) {
		d->ff->av_packet_unref(d->pkt);
		int rc = d->ff->av_read_frame(d->ic, d->pkt);
		if (rc == AVERROR_EOF)
			break;
		if (rc < 0)
			return av_failure(d, rc, "cannot read the audio");
		if (d->pkt->stream_index != d->st->index)
			continue;
		if ((rc = decode_packet(d, d->pkt)) != 0)
			return rc;
	}
	int rc = decode_packet(d, NULL);
	if (rc == 0 && !d->begun)
		rc = begin(d, d->dec->sample_rate, d->dec->ch_layout.nb_channels);
	if (rc == 0 && d->filled > 0)
		rc = vrp_decode_write(d->out, d->filled);
	return rc == 0 ? vrp_decode_end(d->out) : rc;
}

int vrp_decode_ffmpeg(int fd, int64_t size, const char *path, struct vrp_decode_fanout *out)
{
	struct ffdecode d = { .path = path, .out = out };
	int rc = vrp_ffmpeg_load(&d.ff);
	if (rc == 0)
		rc = vrp_media_io_init(&d.io, d.ff, fd, size);
	if (rc == 0)
		rc = open_demuxer(&d);
	if (rc == 0)
		rc = open_decoder(&d);
	if (rc == 0)
		rc = run(&d);
	if (d.ff) {
		d.ff->av_frame_free(&d.frame);
		d.ff->av_packet_free(&d.pkt);
		d.ff->avcodec_free_context(&d.dec);
		d.ff->avformat_close_input(&d.ic);
	}
	vrp_media_io_free(&d.io);
	return rc;
}
