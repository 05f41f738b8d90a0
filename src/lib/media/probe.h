/*
 * probe.h - identifies an audio file by its content and reads its attributes
 * (internal).
 *
 * The ingest calls this before it stores anything: a file that does not
 * probe must not enter the library. The name and extension of the file play
 * no part; only its bytes do.
 */
#ifndef VRP_MEDIA_PROBE_H
#define VRP_MEDIA_PROBE_H

#include <stdint.h>

/*
 * What a probe found. Strings are NUL-terminated and never truncated (every
 * value is one of a fixed set or cut to fit by the probe, all shorter than
 * the arrays; the title is cut at a character boundary).
 *
 *   container    format_name  mime_type     extension
 *   WAV/RF64     wav          audio/wav     wav
 *   FLAC         flac         audio/flac    flac
 *   MPEG audio   mp3          audio/mpeg    mp3
 *   MP4 (M4A)    mp4          audio/mp4     m4a
 *   3GP / 3G2    3gp          audio/3gpp    3gp
 *   Ogg Vorbis   ogg          audio/ogg     ogg
 *   Ogg Opus     ogg          audio/ogg     opus
 *   WebM         webm         audio/webm    webm
 *   AMR          amr          audio/amr     amr   (audio/amr-wb for AMR-WB)
 *   AIFF/AIFF-C  aiff         audio/aiff    aiff
 *   ADTS AAC     aac          audio/aac     aac
 *   Apple CAF    caf          audio/x-caf   caf
 *   Sony Wave64  w64          audio/x-w64   w64
 *   ASF (WMA)    asf          audio/x-ms-wma wma
 *   Matroska     matroska     audio/x-matroska mka
 *   any other    FFmpeg's demuxer name, its audio MIME type (else
 *                application/octet-stream) and its first extension
 *
 * Ogg Opus is "audio/ogg" because RFC 7845 registers Opus-in-Ogg under it
 * ("audio/opus" is the RTP payload type of RFC 7587); the stored file is
 * told apart by its extension, "opus", and by `codec`.
 */
struct vrp_media_info {
	char format_name[48]; /* the container, as in the table above */
	char mime_type[48];
	char codec[32];    /* FFmpeg's codec name: "pcm_s16le", "aac", "opus", "amr_nb"... */
	char extension[8]; /* canonical, without a dot, for the stored file name */
	double duration;   /* seconds of audio a player presents (encoder padding excluded) */
	int sample_rate;   /* Hz, as decoded (HE-AAC reports its full rate) */
	int channels;      /* as decoded */
	int bit_depth;     /* bits per sample of lossless codecs; 0 for lossy ones */
	int64_t bit_rate;  /* bits per second: the stream's, or the file's average */
	/* When the container says it was made, "YYYY-MM-DDTHH:MM:SS.sssZ", or "". */
	char recorded_at[32];
	/* "container" (a creation_time or date tag), "bwf" (a WAV's bext chunk), or "". */
	char recorded_at_source[12];
	char title[256]; /* the embedded title tag (UTF-8 as the file has it), or "" */
};

/*
 * The ranges every probe's answer is held to, however the file was read. A
 * header outside them is damaged or crafted, never a real recording: FFmpeg
 * itself refuses a rate that does not fit an int and more channels than its
 * decoders take (FF_SANE_NB_CHANNELS); the rest keeps the catalogue sane.
 * The fastest real recorders (ultrasonic, for bats) sample at 1 MHz.
 */
#define VRP_MEDIA_SAMPLE_RATE_MIN 1
#define VRP_MEDIA_SAMPLE_RATE_MAX 1536000
#define VRP_MEDIA_CHANNELS_MAX    512
#define VRP_MEDIA_BIT_DEPTH_MAX   64

/*
 * Identifies the audio file at `path` and fills `out`. The file is opened
 * read-only and never modified.
 *
 * A plain PCM WAV is read from its header alone (media/wav.h). For the
 * rest the probe reads the headers, decodes a few packets at the start and reads
 * and decodes the last second, so it takes about the same time for any
 * size. The exceptions are files that declare no length (an MP3 without a
 * Xing or VBRI frame, raw AMR, a WAV whose header gives no data size): their
 * packets are counted to the end, which reads the whole file but holds no
 * more memory.
 *
 * What cannot be told: a raw AMR or Xing-less MP3 cut at a frame boundary
 * is just a shorter file, and an MP3 that lost less than its last frame
 * passes. Such an MP3's duration includes the encoder delay it does not
 * declare (about 50 ms). Raw ADTS AAC, plain Matroska and any file with a
 * video track are refused as unsupported.
 *
 * Returns 0, or:
 *   VRP_EUNSUPPORTED_MEDIA  not audio vrp reads: empty, text, an image, random
 *                           bytes, video, a container outside the table above,
 *                           or a codec FFmpeg cannot decode;
 *   VRP_ECORRUPT_MEDIA      a supported container, but its header is damaged
 *                           or declares a rate, channel count or bit depth
 *                           outside the ranges above, its audio does not
 *                           decode, or it ends before its header says it should;
 *   VRP_ENOTFOUND, VRP_EPERM, VRP_EIO...  opening or reading failed (errno);
 *   VRP_ENOTSUP             FFmpeg's libraries cannot be loaded (media/ffmpeg.h);
 *   VRP_ENOMEM.
 * On failure `out` is left zeroed and the last error names the file.
 */
int vrp_probe_file(const char *path, struct vrp_media_info *out);

/*
 * The same, always through FFmpeg: what vrp_probe_file() does for every
 * file but a plain PCM WAV, which it reads from the header (media/wav.h)
 * without loading FFmpeg. The tests hold the two to the same answers.
 */
int vrp_probe_file_with_ffmpeg(const char *path, struct vrp_media_info *out);

#endif
