/*
 * truncation.h - whether a file is as long as its container says (internal).
 *
 * FFmpeg is forgiving: it plays what is there, and shortens the duration of
 * a cut WAV, WebM or AIFF to match. The ingest must not keep a cut file as
 * if it were whole, so these checks read the sizes the container declares
 * and compare them with the file. They read a few headers, never the audio.
 */
#ifndef VRP_MEDIA_TRUNCATION_H
#define VRP_MEDIA_TRUNCATION_H

struct vrp_media_io;

/*
 * Checks the file behind `io`, which FFmpeg recognised as `format_name`
 * (one of probe.h's: "wav", "aiff", "mp4", "3gp", "webm", "ogg", "asf",
 * "aac"; other
 * formats pass, their length being checked by decoding). Returns 0, or
 * VRP_ECORRUPT_MEDIA (message set, no context) when the file ends before a
 * chunk, box or element it declares, or VRP_EIO & co. when reading fails.
 */
int vrp_media_check_complete(struct vrp_media_io *io, const char *format_name);

#endif
