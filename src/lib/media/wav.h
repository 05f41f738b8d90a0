/*
 * wav.h - reads a plain PCM WAV file from its header alone (internal).
 *
 * Most recorders write uncompressed WAV, and for it the header says all
 * there is: any bytes are valid samples, and the length is the data chunk's
 * size. Reading that directly spares an import loading FFmpeg (about 130
 * shared libraries, 31 MiB of a process's memory) and running a demuxer and
 * a decoder per file, which was a quarter of the time of importing many
 * short memos. Anything less plain is left to FFmpeg: other codecs, RF64,
 * a data size that is unknown, too large for the file or not a whole number
 * of samples, more than one fmt or data chunk. The tests hold both readers
 * to the same answers.
 */
#ifndef VRP_MEDIA_WAV_H
#define VRP_MEDIA_WAV_H

#include <stdbool.h>
#include <stdint.h>

struct vrp_media_info;

/*
 * Reads the regular file `fd` of `size` bytes (its position is not used).
 * Returns 1 with `out` filled as vrp_probe_file() would fill it, 0 when the
 * file is not a plain PCM WAV (`out` untouched; FFmpeg must decide),
 * VRP_ECORRUPT_MEDIA when its one fmt chunk declares a sample rate or a
 * channel count outside media/probe.h's ranges (whatever the codec: FFmpeg
 * refuses those as well), or a negative code with the error set when
 * reading fails.
 *
 * 16-bit PCM that hides an S/PDIF burst (DTS or AC-3 on a CD image) is
 * described as the PCM it is stored as; FFmpeg would name the hidden codec.
 */
int vrp_wav_read_plain(int fd, int64_t size, struct vrp_media_info *out);

/* Where a plain file's samples are and how they are stored (little-endian, interleaved). */
struct vrp_wav_pcm {
	int64_t data_offset; /* of the first sample */
	int64_t frames;      /* samples per channel, > 0 */
	int sample_rate, channels;
	int bits;      /* 8 (unsigned), 16, 24, 32 (signed) or 32, 64 (float) */
	bool is_float; /* IEEE float rather than integer PCM */
};

/*
 * The same test as vrp_wav_read_plain(), for a reader of the samples: 1 with
 * `out` filled, 0 when FFmpeg must read the file, or a negative code.
 */
int vrp_wav_read_pcm(int fd, int64_t size, struct vrp_wav_pcm *out);

#endif
