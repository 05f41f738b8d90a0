/* probe.c - identifies an audio file by its content and reads its attributes. */
#include "media/probe.h"
#include "media/tags.h"

#include "core/error_set.h"
#include "media/container.h"
#include "media/ffmpeg.h"
#include "media/media_io.h"
#include "media/truncation.h"
#include "media/wav.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

/* Bytes examined to recognise the format, past any ID3v2 tag. */
#define PROBE_BYTES_MAX (1 << 20)
/* An ID3v2 tag (cover art) larger than this is not skipped, and the file is not recognised. */
#define ID3V2_MAX (16 << 20)
/* Packets decoded at the start: enough to pass codec headers and priming. */
#define HEAD_PACKETS 8
/* The end is checked from this far before the declared end. */
#define TAIL_SECONDS 1
/*
 * How far short of its declared length the audio may end and still be whole:
 * headers and packets disagree about encoder delay and padding by up to a
 * couple of codec frames (an MP3 at 8 kHz: 0.2 s), never by much more.
 */
#define END_SLACK_PACKETS 3
#define END_SLACK_SECONDS 0.05
/* A longer recording is a header's invention: a year of audio. */
#define DURATION_MAX (366.0 * 24 * 3600)

struct probe {
	const struct vrp_ffmpeg *ffmpeg;
	const char *path;
	int fd;
	int64_t size;
	struct vrp_media_io io;
	struct vrp_container container;
	AVFormatContext *ic;
	AVStream *st;
	AVCodecContext *dec;
	AVPacket *pkt;
	AVFrame *frame;
	/* The audio that plays, in the stream's time base; AV_NOPTS_VALUE until known. */
	int64_t start;
	int64_t end;
	int64_t first_pts, last_pts, packet_end; /* of the packets read */
	int64_t longest_packet;
	int packets;
	bool decoded; /* start and end come from decoded frames */
	bool at_eof;
	bool counted; /* no declared length: every packet was read */
};

static int media_error(struct probe *p, int code, const char *fmt, ...) VRP_PRINTF(3, 4);

/* A read error behind an FFmpeg failure is reported as what it is, not as bad media. */
static int media_error(struct probe *p, int code, const char *fmt, ...)
{
	if (p->io.read_errno) {
		vrp_error_from_errno(p->io.read_errno, "cannot read %s", p->path);
	} else if (code == VRP_ENOMEM) {
		vrp_error_oom();
	} else {
		char message[512];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(message, sizeof(message), fmt, ap);
		va_end(ap);
		vrp_error_set(code, "%s", message);
	}
	return vrp_error_set_context("%s", p->path);
}

static int av_failure(struct probe *p, int averr, const char *what)
{
	char text[AV_ERROR_MAX_STRING_SIZE];
	p->ffmpeg->av_strerror(averr, text, sizeof(text));
	if (averr == AVERROR(ENOMEM))
		return media_error(p, VRP_ENOMEM, "out of memory");
	return media_error(p, VRP_ECORRUPT_MEDIA, "%s: %s", what, text);
}

static int open_file(struct probe *p)
{
	/* O_NONBLOCK: a FIFO must be refused, not waited on. */
	p->fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (p->fd < 0) {
		vrp_error_from_errno(errno, "cannot open %s", p->path);
		return vrp_error_set_context("%s", p->path);
	}
	struct stat st;
	if (fstat(p->fd, &st) != 0) {
		vrp_error_from_errno(errno, "cannot stat %s", p->path);
		return vrp_error_set_context("%s", p->path);
	}
	if (!S_ISREG(st.st_mode))
		return media_error(p, VRP_EUNSUPPORTED_MEDIA, "not a regular file");
	if (st.st_size == 0)
		return media_error(p, VRP_EUNSUPPORTED_MEDIA, "empty file");
	p->size = st.st_size;
	return 0;
}

/* FFmpeg only looks past an ID3v2 tag it has read whole, so the probe must cover it. */
static unsigned probe_limit(struct probe *p)
{
	uint8_t h[10];
	if (vrp_media_io_pread(&p->io, h, sizeof(h), 0) != (int64_t)sizeof(h) ||
	    memcmp(h, "ID3", 3) != 0)
		return PROBE_BYTES_MAX;
	unsigned len = 10u + ((h[6] & 0x7fu) << 21 | (h[7] & 0x7fu) << 14 | (h[8] & 0x7fu) << 7 |
			      (h[9] & 0x7fu));
	if (h[5] & 0x10)
		len += 10; /* footer */
	return PROBE_BYTES_MAX + (len < ID3V2_MAX ? len : 0);
}

/*
 * Guesses from content alone (no file name, so no extension), and insists on
 * a score above AVPROBE_SCORE_RETRY: below it FFmpeg is guessing, and the MP3
 * demuxer in particular finds "frames" in random bytes.
 */
static bool name_container(struct probe *p, const AVInputFormat *fmt)
{
	return vrp_container_name(fmt->name, fmt->extensions, fmt->mime_type, &p->container);
}

static int recognise(struct probe *p, const AVInputFormat **fmt)
{
	const char *known = vrp_container_signature(p->fd);
	if (known && (*fmt = p->ffmpeg->av_find_input_format(known)) && name_container(p, *fmt))
		return 0;
	*fmt = NULL;
	int score = p->ffmpeg->av_probe_input_buffer2(p->io.avio, fmt, "", NULL, 0, probe_limit(p));
	if (p->io.read_errno)
		return media_error(p, VRP_EIO, "read failed");
	if (score == AVERROR(ENOMEM))
		return media_error(p, VRP_ENOMEM, "out of memory");
	if (score <= AVPROBE_SCORE_RETRY || !*fmt)
		return media_error(p, VRP_EUNSUPPORTED_MEDIA,
				   "not a recognised audio format (no FFmpeg demuxer knows it)");
	if (!name_container(p, *fmt))
		return media_error(p, VRP_EUNSUPPORTED_MEDIA, "%s is not a supported audio format",
				   (*fmt)->long_name ? (*fmt)->long_name : (*fmt)->name);
	return 0;
}

/* Demuxers that follow references (MP4 data references, playlists) must not open other files. */
static int refuse_io_open(AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
			  AVDictionary **options)
{
	(void)s;
	(void)pb;
	(void)url;
	(void)flags;
	(void)options;
	return AVERROR(EPERM);
}

static int open_demuxer(struct probe *p, const AVInputFormat *fmt)
{
	p->ic = p->ffmpeg->avformat_alloc_context();
	if (!p->ic)
		return vrp_error_oom();
	p->ic->pb = p->io.avio;
	p->ic->io_open = refuse_io_open;
	/* The format is already known from the content; letting the WAV reader
	 * scan 32 packets for DTS hidden in PCM cost ~8 ms a file, most of an
	 * import of many small memos. One packet still catches the usual case. */
	p->ic->max_probe_packets = 1;
	int rc = p->ffmpeg->avformat_open_input(&p->ic, "", fmt, NULL);
	if (rc < 0)
		return av_failure(p, rc, "cannot read the header");
	return 0;
}

static bool is_video(const AVStream *st)
{
	return st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
	       !(st->disposition & AV_DISPOSITION_ATTACHED_PIC);
}

/*
 * The first audio stream, the default one if several. Without
 * avformat_find_stream_info() (which reads an unbounded amount)
 * av_find_best_stream() skips streams whose rate the header does not give.
 * Cover art is tolerated; moving pictures are not: a video is not a voice
 * recording.
 */
static int select_audio_stream(struct probe *p)
{
	bool video = false;
	p->st = NULL;
	for (unsigned i = 0; i < p->ic->nb_streams; i++) {
		AVStream *st = p->ic->streams[i];
		video = video || is_video(st);
		st->discard = AVDISCARD_ALL;
		if (st->codecpar->codec_type != AVMEDIA_TYPE_AUDIO)
			continue;
		if (!p->st || (st->disposition & AV_DISPOSITION_DEFAULT &&
			       !(p->st->disposition & AV_DISPOSITION_DEFAULT)))
			p->st = st;
	}
	if (!p->st && video)
		return media_error(p, VRP_EUNSUPPORTED_MEDIA, "a video without audio");
	if (!p->st)
		return media_error(p, VRP_EUNSUPPORTED_MEDIA, "no audio stream");
	if (video)
		return media_error(p, VRP_EUNSUPPORTED_MEDIA, "a video, not an audio recording");
	p->st->discard = AVDISCARD_DEFAULT;
	return 0;
}

static int open_decoder(struct probe *p)
{
	const AVCodecParameters *par = p->st->codecpar;
	const AVCodec *codec = p->ffmpeg->avcodec_find_decoder(par->codec_id);
	if (par->codec_id == AV_CODEC_ID_NONE || !codec)
		return media_error(p, VRP_EUNSUPPORTED_MEDIA,
				   "audio in a codec vrp cannot decode (%s)",
				   p->ffmpeg->avcodec_get_name(par->codec_id));
	p->dec = p->ffmpeg->avcodec_alloc_context3(codec);
	if (!p->dec)
		return vrp_error_oom();
	int rc = p->ffmpeg->avcodec_parameters_to_context(p->dec, par);
	if (rc < 0)
		return av_failure(p, rc, "cannot set up the decoder");
	/* One thread: a probe decodes a handful of packets, and must not spawn workers. */
	p->dec->thread_count = 1;
	p->dec->err_recognition = AV_EF_EXPLODE;
	p->dec->pkt_timebase = p->st->time_base;
	rc = p->ffmpeg->avcodec_open2(p->dec, codec, NULL);
	if (rc < 0)
		return av_failure(p, rc, "cannot start the decoder");
	return 0;
}

/* Packets are counted only where no decoder runs: files that declare no length. */
static void note_packet(struct probe *p)
{
	const AVPacket *pkt = p->pkt;
	int64_t pts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
	p->packets++;
	/* Packets that carry no duration (CAF's ALAC) last until the next one starts. */
	int64_t duration = pkt->duration;
	if (duration <= 0 && pts != AV_NOPTS_VALUE && p->last_pts != AV_NOPTS_VALUE &&
	    pts > p->last_pts)
		duration = pts - p->last_pts;
	p->longest_packet = FFMAX(p->longest_packet, duration);
	if (pts == AV_NOPTS_VALUE)
		return;
	if (p->first_pts == AV_NOPTS_VALUE)
		p->first_pts = pts;
	p->last_pts = pts;
	if (p->packet_end == AV_NOPTS_VALUE || pts + duration > p->packet_end)
		p->packet_end = pts + duration;
}

/*
 * Decoded frames are the truth about what plays: the decoder has already
 * dropped the encoder delay and padding that demuxers announce in so many
 * different ways (LAME tags, Opus pre-skip, MP4 edit lists, Matroska
 * CodecDelay and DiscardPadding).
 */
static void note_frame(struct probe *p)
{
	const AVFrame *f = p->frame;
	int64_t pts = f->pts != AV_NOPTS_VALUE ? f->pts : f->best_effort_timestamp;
	/* Streams without timestamps (raw ADTS, ASF's last frame) play on from the last frame. */
	if (pts == AV_NOPTS_VALUE)
		pts = p->decoded ? p->end : 0;
	if (f->sample_rate <= 0)
		return;
	int64_t end =
		pts + p->ffmpeg->av_rescale_q(f->nb_samples, (AVRational){ 1, f->sample_rate },
					      p->st->time_base);
	if (!p->decoded) {
		p->start = pts;
		p->end = end;
		p->decoded = true;
	} else if (end > p->end) {
		p->end = end;
	}
}

/*
 * Settles where the audio ends. Where the last packets were decoded, both
 * their timestamps and the decoded frames bound the end: the decoder trims
 * what the packets flag (MP3, WebM), the demuxer trims the packets (MP4 edit
 * lists), so the smaller is right. Where they were only counted, the packets
 * are all there is.
 */
static void settle_end(struct probe *p, bool decoded_to_end)
{
	if (p->start == AV_NOPTS_VALUE)
		p->start = p->first_pts;
	if (p->packet_end == AV_NOPTS_VALUE)
		return;
	if (p->end == AV_NOPTS_VALUE ||
	    (decoded_to_end ? p->packet_end < p->end : p->packet_end > p->end))
		p->end = p->packet_end;
}

/* Returns 0 with the next audio packet in p->pkt, 1 at the end of the file, or an error. */
static int next_packet(struct probe *p)
{
	for (;;) {
		p->ffmpeg->av_packet_unref(p->pkt);
		int rc = p->ffmpeg->av_read_frame(p->ic, p->pkt);
		if (rc == AVERROR_EOF) {
			p->at_eof = true;
			return 1;
		}
		if (rc < 0)
			return av_failure(p, rc, "cannot read the audio");
		if (p->pkt->stream_index != p->st->index)
			continue;
		if (p->pkt->flags & AV_PKT_FLAG_CORRUPT)
			return media_error(p, VRP_ECORRUPT_MEDIA, "damaged audio packet");
		note_packet(p);
		return 0;
	}
}

/* Decodes p->pkt, or with NULL drains the frames a decoder holds back (WMA keeps one). */
static int decode_packet_or_drain(struct probe *p, const AVPacket *pkt)
{
	int rc = p->ffmpeg->avcodec_send_packet(p->dec, pkt);
	while (rc >= 0) {
		rc = p->ffmpeg->avcodec_receive_frame(p->dec, p->frame);
		if (rc >= 0)
			note_frame(p);
		p->ffmpeg->av_frame_unref(p->frame);
	}
	if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
		return 0;
	return av_failure(p, rc, "the audio does not decode");
}

static int decode_packet(struct probe *p) { return decode_packet_or_drain(p, p->pkt); }

static int check_start(struct probe *p)
{
	for (int i = 0; i < HEAD_PACKETS; i++) {
		int rc = next_packet(p);
		if (rc == 1)
			break;
		if (rc == 0)
			rc = decode_packet(p);
		if (rc < 0)
			return rc;
	}
	if (p->packets == 0)
		return media_error(p, VRP_ECORRUPT_MEDIA, "no audio data");
	return 0;
}

/* The length the headers declare, in the stream's time base; AV_NOPTS_VALUE when none. */
static int64_t declared_duration(const struct probe *p)
{
	if (p->st->duration != AV_NOPTS_VALUE && p->st->duration > 0)
		return p->st->duration;
	if (p->ic->duration != AV_NOPTS_VALUE && p->ic->duration > 0)
		return p->ffmpeg->av_rescale_q(p->ic->duration, AV_TIME_BASE_Q, p->st->time_base);
	return AV_NOPTS_VALUE;
}

static int64_t seconds_to_ts(const struct probe *p, double seconds)
{
	return (int64_t)(seconds / av_q2d(p->st->time_base));
}

/* Moves to shortly before the declared end; false when that is where the reading already is. */
static bool seek_near_end(struct probe *p, int64_t declared)
{
	int64_t target = p->first_pts + declared - seconds_to_ts(p, TAIL_SECONDS);
	if (p->last_pts == AV_NOPTS_VALUE || target <= p->last_pts)
		return false;
	if (p->ffmpeg->av_seek_frame(p->ic, p->st->index, target, AVSEEK_FLAG_BACKWARD) < 0)
		return false;
	p->ffmpeg->avcodec_flush_buffers(p->dec);
	return true;
}

/*
 * Reads to the end of the file: from shortly before the declared end, when
 * the header declares one (decoding what it reads), or else from where the
 * start check stopped (only counting: the whole file may follow).
 */
static int check_end(struct probe *p, int64_t declared)
{
	bool seeked = declared != AV_NOPTS_VALUE && seek_near_end(p, declared);
	/*
	 * Not seeked with a declared length: the end is near, and decoding it
	 * costs little. Packets without timestamps cannot be counted: only
	 * decoding all of them tells the length.
	 */
	bool decode = declared != AV_NOPTS_VALUE || p->first_pts == AV_NOPTS_VALUE;
	p->counted = declared == AV_NOPTS_VALUE;
	int tail_packets = 0, rc;
	while ((rc = next_packet(p)) == 0) {
		tail_packets++;
		if (decode && (rc = decode_packet(p)) < 0)
			return rc;
	}
	if (rc < 0)
		return rc;
	if (seeked && tail_packets == 0)
		return media_error(p, VRP_ECORRUPT_MEDIA, "truncated: the audio stops early");
	if (decode && (rc = decode_packet_or_drain(p, NULL)) < 0)
		return rc;
	settle_end(p, decode);
	return 0;
}

static int check_length(struct probe *p, int64_t declared)
{
	if (declared == AV_NOPTS_VALUE || p->end == AV_NOPTS_VALUE)
		return 0;
	int64_t slack = FFMAX3(declared / 200, END_SLACK_PACKETS * p->longest_packet,
			       seconds_to_ts(p, END_SLACK_SECONDS));
	if (p->end - p->start >= declared - slack)
		return 0;
	double tb = av_q2d(p->st->time_base);
	return media_error(p, VRP_ECORRUPT_MEDIA,
			   "truncated: the audio ends at %.2f s of the %.2f s the header declares",
			   (double)(p->end - p->start) * tb, (double)declared * tb);
}

static int validate(struct probe *p, const char *format_name)
{
	int rc = vrp_media_check_complete(&p->io, format_name);
	if (rc < 0)
		return vrp_error_set_context("%s", p->path);
	rc = check_start(p);
	if (rc < 0)
		return rc;
	int64_t declared = declared_duration(p);
	if (p->at_eof && (rc = decode_packet_or_drain(p, NULL)) < 0)
		return rc;
	if (p->at_eof)
		settle_end(p, true);
	else if ((rc = check_end(p, declared)) < 0)
		return rc;
	return check_length(p, declared);
}

static void copy_string(char *dst, size_t size, const char *src) { snprintf(dst, size, "%s", src); }

/* An EBML header's DocType "webm": plain Matroska is outside the table. */
static bool is_webm(struct probe *p)
{
	uint8_t head[64];
	int64_t n = vrp_media_io_pread(&p->io, head, sizeof(head), 0);
	return n > 0 && memmem(head, (size_t)n, "\x42\x82\x84webm", 7) != NULL;
}

static int name_format(struct probe *p, struct vrp_media_info *out)
{
	const struct vrp_container *c = &p->container;
	const char *format = c->format_name, *mime = c->mime_type, *ext = c->extension;
	enum AVCodecID codec = p->st->codecpar->codec_id;
	const AVDictionaryEntry *brand =
		p->ffmpeg->av_dict_get(p->ic->metadata, "major_brand", NULL, 0);
	if (strcmp(format, "mp4") == 0 && brand && strncmp(brand->value, "3g", 2) == 0) {
		format = ext = "3gp";
		mime = "audio/3gpp";
	} else if (strcmp(format, "ogg") == 0 && codec == AV_CODEC_ID_OPUS) {
		ext = "opus";
	} else if (strcmp(format, "amr") == 0 && codec == AV_CODEC_ID_AMR_WB) {
		mime = "audio/amr-wb";
	} else if (strcmp(format, "webm") == 0 && !is_webm(p)) {
		format = "matroska";
		mime = "audio/x-matroska";
		ext = "mka";
	}
	copy_string(out->format_name, sizeof(out->format_name), format);
	copy_string(out->mime_type, sizeof(out->mime_type), mime);
	copy_string(out->extension, sizeof(out->extension), ext);
	return 0;
}

static int bit_depth(const struct probe *p)
{
	const AVCodecParameters *par = p->st->codecpar;
	const AVCodecContext *dec = p->dec;
	const AVCodecDescriptor *desc = p->ffmpeg->avcodec_descriptor_get(par->codec_id);
	if (!desc || !(desc->props & AV_CODEC_PROP_LOSSLESS))
		return 0;
	if (par->bits_per_raw_sample > 0)
		return par->bits_per_raw_sample;
	if (dec->bits_per_raw_sample > 0)
		return dec->bits_per_raw_sample;
	if (par->bits_per_coded_sample > 0)
		return par->bits_per_coded_sample;
	return p->ffmpeg->av_get_bits_per_sample(par->codec_id);
}

static void describe(struct probe *p, struct vrp_media_info *out)
{
	const AVCodecParameters *par = p->st->codecpar;
	double tb = av_q2d(p->st->time_base);
	int64_t declared = declared_duration(p);
	if (p->end != AV_NOPTS_VALUE && p->end > p->start)
		out->duration = (double)(p->end - p->start) * tb;
	else if (declared != AV_NOPTS_VALUE)
		out->duration = (double)declared * tb;
	copy_string(out->codec, sizeof(out->codec), p->ffmpeg->avcodec_get_name(par->codec_id));
	/* The decoder's view wins: HE-AAC and parametric stereo double what the header says. */
	out->sample_rate = p->dec->sample_rate > 0 ? p->dec->sample_rate : par->sample_rate;
	out->channels = p->dec->ch_layout.nb_channels > 0 ? p->dec->ch_layout.nb_channels
							  : par->ch_layout.nb_channels;
	out->bit_depth = bit_depth(p);
	/* A counted file has no trustworthy declared rate (VBR MP3 reports its first frame). */
	if (par->bit_rate > 0 && !p->counted)
		out->bit_rate = par->bit_rate;
	else if (out->duration > 0)
		out->bit_rate = (int64_t)((double)p->io.size * 8 / out->duration);
}

static const char *tag(const struct probe *p, const char *key)
{
	const AVDictionaryEntry *e = p->ffmpeg->av_dict_get(p->ic->metadata, key, NULL, 0);
	if (!e && p->st)
		e = p->ffmpeg->av_dict_get(p->st->metadata, key, NULL, 0);
	return e ? e->value : NULL;
}

/*
 * The date and title the container carries. A WAV's BWF origination stamp
 * is what the recorder wrote when it started; FFmpeg's creation_time (MP4's
 * mvhd, Matroska's DateUTC) and date (ID3, Vorbis comments, RIFF ICRD) are
 * the container's own words for the same. A tag that is no date is ignored.
 */
static void read_tags(const struct probe *p, struct vrp_media_info *out)
{
	char iso[32];
	/* FFmpeg's WAV demuxer gives BWF's stamp as date + creation_time, the latter a clock. */
	const char *clock = tag(p, "creation_time");
	bool bwf_clock = !strcmp(out->format_name, "wav") && clock &&
			 vrp_media_date_to_iso(clock, NULL, iso) < 0;
	if (bwf_clock && vrp_media_date_to_iso(tag(p, "date"), clock, iso) == 0)
		vrp_media_set_recorded(out, iso, "bwf");
	else if (vrp_media_date_to_iso(tag(p, "creation_time"), NULL, iso) == 0 ||
		 vrp_media_date_to_iso(tag(p, "date"), NULL, iso) == 0)
		vrp_media_set_recorded(out, iso, "container");
	vrp_media_set_title(out, tag(p, "title"));
}

static int probe_with_ffmpeg(struct probe *p, struct vrp_media_info *out)
{
	const AVInputFormat *fmt = NULL;
	int rc = vrp_ffmpeg_load(&p->ffmpeg);
	if (rc < 0)
		return vrp_error_set_context("%s", p->path);
	if ((rc = vrp_media_io_init(&p->io, p->ffmpeg, p->fd, p->size)) < 0)
		return rc;
	if ((rc = recognise(p, &fmt)) < 0 || (rc = open_demuxer(p, fmt)) < 0)
		return rc;
	if ((rc = select_audio_stream(p)) < 0 || (rc = name_format(p, out)) < 0)
		return rc;
	if ((rc = open_decoder(p)) < 0)
		return rc;
	p->pkt = p->ffmpeg->av_packet_alloc();
	p->frame = p->ffmpeg->av_frame_alloc();
	if (!p->pkt || !p->frame)
		return vrp_error_oom();
	if ((rc = validate(p, out->format_name)) < 0)
		return rc;
	describe(p, out);
	read_tags(p, out);
	return 0;
}

/*
 * Every answer, the header reader's or FFmpeg's, is held to the same ranges
 * before anything is stored: FFmpeg takes a 2 GHz WAV, and a value the
 * catalogue refuses must be this file's rejection, found here.
 */
static int check_ranges(const char *path, const struct vrp_media_info *m)
{
	int rc = 0;
	if (m->sample_rate < VRP_MEDIA_SAMPLE_RATE_MIN ||
	    m->sample_rate > VRP_MEDIA_SAMPLE_RATE_MAX)
		rc = vrp_error_set(
			VRP_ECORRUPT_MEDIA,
			"the header declares a sample rate of %d Hz (vrp reads %d to %d Hz)",
			m->sample_rate, VRP_MEDIA_SAMPLE_RATE_MIN, VRP_MEDIA_SAMPLE_RATE_MAX);
	else if (m->channels < 1 || m->channels > VRP_MEDIA_CHANNELS_MAX)
		rc = vrp_error_set(VRP_ECORRUPT_MEDIA,
				   "the header declares %d channels (vrp reads 1 to %d)",
				   m->channels, VRP_MEDIA_CHANNELS_MAX);
	else if (m->bit_depth < 0 || m->bit_depth > VRP_MEDIA_BIT_DEPTH_MAX)
		rc = vrp_error_set(VRP_ECORRUPT_MEDIA, "the header declares %d-bit samples",
				   m->bit_depth);
	else if (!(m->duration >= 0 && m->duration <= DURATION_MAX) || m->bit_rate < 0)
		rc = vrp_error_set(VRP_ECORRUPT_MEDIA, "the header declares an impossible length");
	return rc < 0 ? vrp_error_set_context("%s", path) : 0;
}

static void probe_close(struct probe *p)
{
	if (p->ffmpeg) {
		p->ffmpeg->av_frame_free(&p->frame);
		p->ffmpeg->av_packet_free(&p->pkt);
		p->ffmpeg->avcodec_free_context(&p->dec);
		p->ffmpeg->avformat_close_input(&p->ic);
	}
	vrp_media_io_free(&p->io);
	if (p->fd >= 0)
		close(p->fd);
}

static int probe_path(const char *path, bool plain_wav_first, struct vrp_media_info *out)
{
	memset(out, 0, sizeof(*out));
	struct probe p = {
		.path = path,
		.fd = -1,
		.start = AV_NOPTS_VALUE,
		.end = AV_NOPTS_VALUE,
		.first_pts = AV_NOPTS_VALUE,
		.last_pts = AV_NOPTS_VALUE,
		.packet_end = AV_NOPTS_VALUE,
	};
	int rc = open_file(&p);
	if (rc == 0 && plain_wav_first && (rc = vrp_wav_read_plain(p.fd, p.size, out)) < 0)
		vrp_error_set_context("%s", path);
	if (rc == 0)
		rc = probe_with_ffmpeg(&p, out);
	if (rc >= 0)
		rc = check_ranges(path, out);
	probe_close(&p);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc < 0 ? rc : 0;
}

int vrp_probe_file(const char *path, struct vrp_media_info *out)
{
	return probe_path(path, true, out);
}

int vrp_probe_file_with_ffmpeg(const char *path, struct vrp_media_info *out)
{
	return probe_path(path, false, out);
}
