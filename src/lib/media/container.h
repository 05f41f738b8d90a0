/*
 * container.h - what a recording's container is called (internal): the
 * format name, MIME type and extension probe.h lists, from FFmpeg's
 * demuxer, and the containers whose first bytes name them outright.
 */
#ifndef VRP_MEDIA_CONTAINER_H
#define VRP_MEDIA_CONTAINER_H

#include <stdbool.h>

struct vrp_container {
	char format_name[24];
	char mime_type[48];
	char extension[8];
};

/*
 * Names the container FFmpeg's demuxer `name` reads (its comma-separated
 * `extensions` and `mime_type` lists may be NULL): from vrp's table for the
 * usual ones, else from FFmpeg's own names, with its MIME type when that is
 * an audio one. False when there is no usable name.
 */
bool vrp_container_name(const char *name, const char *extensions, const char *mime_type,
			struct vrp_container *out);

/*
 * The demuxer for a file whose first bytes name its format outright (WAV,
 * AIFF, FLAC, Ogg), or NULL: asking every FFmpeg demuxer to score the
 * buffer costs more than the rest of the probe for a short memo, and the
 * demuxer and decoder still check the rest of the file.
 */
const char *vrp_container_signature(int fd);

#endif
