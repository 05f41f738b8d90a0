/* container.c - naming containers: vrp's table first, FFmpeg's names for the rest. */
#include "media/container.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct known {
	const char *demuxer; /* AVInputFormat.name */
	const char *format_name;
	const char *mime_type;
	const char *extension;
};

static const struct known table[] = {
	{ "wav", "wav", "audio/wav", "wav" },
	{ "flac", "flac", "audio/flac", "flac" },
	{ "mp3", "mp3", "audio/mpeg", "mp3" },
	{ "mov,mp4,m4a,3gp,3g2,mj2", "mp4", "audio/mp4", "m4a" },
	{ "ogg", "ogg", "audio/ogg", "ogg" },
	{ "matroska,webm", "webm", "audio/webm", "webm" },
	{ "amr", "amr", "audio/amr", "amr" },
	{ "aiff", "aiff", "audio/aiff", "aiff" },
	/* What Android recorders, Apple devices, Sony and Windows Sound Recorder write. */
	{ "aac", "aac", "audio/aac", "aac" },
	{ "caf", "caf", "audio/x-caf", "caf" },
	{ "w64", "w64", "audio/x-w64", "w64" },
	{ "asf", "asf", "audio/x-ms-wma", "wma" },
};

/* The first of FFmpeg's comma-separated names, lower-case letters and digits only. */
static void first_name(const char *list, char *out, size_t size)
{
	size_t n = 0;
	for (; list && *list && *list != ',' && n + 1 < size; list++)
		if ((*list >= 'a' && *list <= 'z') || (*list >= '0' && *list <= '9'))
			out[n++] = *list;
	out[n] = '\0';
}

/*
 * Any other demuxer is welcome: what decides is the probe's check that the
 * file holds audio that decodes to its end, not a list of names.
 */
static bool name_other(const char *name, const char *extensions, const char *mime_type,
		       struct vrp_container *out)
{
	first_name(name, out->format_name, sizeof(out->format_name));
	first_name(extensions, out->extension, sizeof(out->extension));
	if (!out->extension[0])
		snprintf(out->extension, sizeof(out->extension), "%.7s", out->format_name);
	const char *mime = mime_type ? mime_type : "";
	size_t len = strcspn(mime, ",");
	if (strncmp(mime, "audio/", 6) == 0 && len < sizeof(out->mime_type))
		snprintf(out->mime_type, sizeof(out->mime_type), "%.*s", (int)len, mime);
	else
		snprintf(out->mime_type, sizeof(out->mime_type), "application/octet-stream");
	return out->format_name[0] != '\0';
}

bool vrp_container_name(const char *name, const char *extensions, const char *mime_type,
			struct vrp_container *out)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(*table); i++) {
		if (strcmp(table[i].demuxer, name) != 0)
			continue;
		snprintf(out->format_name, sizeof(out->format_name), "%s", table[i].format_name);
		snprintf(out->mime_type, sizeof(out->mime_type), "%s", table[i].mime_type);
		snprintf(out->extension, sizeof(out->extension), "%s", table[i].extension);
		return true;
	}
	return name_other(name, extensions, mime_type, out);
}

const char *vrp_container_signature(int fd)
{
	unsigned char h[12];
	if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return NULL;
	if (!memcmp(h, "RIFF", 4) && !memcmp(h + 8, "WAVE", 4))
		return "wav";
	if (!memcmp(h, "FORM", 4) && (!memcmp(h + 8, "AIFF", 4) || !memcmp(h + 8, "AIFC", 4)))
		return "aiff";
	if (!memcmp(h, "fLaC", 4))
		return "flac";
	if (!memcmp(h, "OggS", 4))
		return "ogg";
	return NULL;
}
