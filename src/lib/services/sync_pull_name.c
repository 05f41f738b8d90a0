/* sync_pull_name.c - a pulled object's local name (see sync_pull_name.h). */
#include "services/sync_pull_name.h"

#include "vrp/utf8.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHORT_UUID 8

/* Room left in NAME_MAX for the download's temporary ".<name>.vrp-XXXXXX". */
#define LOCAL_NAME_MAX (NAME_MAX - 16)
#define EXTENSION_MAX  16

/* The length of `name` cut to at most `max` bytes without splitting a UTF-8 sequence. */
static size_t cut(const char *name, size_t len, size_t max)
{
	size_t at = 0;
	while (at < len) {
		size_t step = vrp_utf8_sequence(name + at);
		step = step ? step : 1;
		if (at + step > max)
			break;
		at += step;
	}
	return at;
}

/*
 * A name that is safe as one local path component whatever the remote
 * sent: control characters and '/' become '_', so do leading dots (never
 * ".", ".." or hidden), an empty name becomes "recording", and a long one
 * keeps its extension and is cut to LOCAL_NAME_MAX bytes.
 */
static char *safe_name(const char *name, size_t len)
{
	const char *dot = memrchr(name, '.', len);
	size_t ext = dot && dot != name && (size_t)(name + len - dot) <= EXTENSION_MAX
			     ? (size_t)(name + len - dot)
			     : 0;
	int stem = (int)cut(name, len - ext, LOCAL_NAME_MAX - ext);
	size_t size = (size_t)stem + ext + sizeof("recording");
	char *out = malloc(size);
	if (!out)
		return NULL;
	snprintf(out, size, "%.*s%.*s", stem ? stem : (int)strlen("recording"),
		 stem ? name : "recording", (int)ext, name + len - ext);
	bool leading = true;
	for (unsigned char *c = (unsigned char *)out; *c; c++) {
		leading = leading && *c == '.';
		if (leading || *c < 0x20 || *c == 0x7f || *c == '/')
			*c = '_';
	}
	return out;
}

/*
 * The local name of a pulled object: its remote name without the short uuid
 * vrp added ("memo 6256b0cd.flac" -> "memo.flac"), so the new recording's
 * title and original name are the ones the other device had; made safe.
 */
char *sync_pull_local_name(const char *remote_path)
{
	const char *base = strrchr(remote_path, '/');
	base = base ? base + 1 : remote_path;
	const char *dot = strrchr(base, '.');
	size_t stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	bool tagged = stem > SHORT_UUID + 1 && base[stem - SHORT_UUID - 1] == ' ';
	for (size_t i = stem - SHORT_UUID; tagged && i < stem; i++)
		tagged = (base[i] >= '0' && base[i] <= '9') || (base[i] >= 'a' && base[i] <= 'f');
	if (!tagged)
		return safe_name(base, strlen(base));
	size_t keep = stem - SHORT_UUID - 1;
	char *name = malloc(strlen(base) + 1);
	if (name)
		snprintf(name, strlen(base) + 1, "%.*s%s", (int)keep, base, base + stem);
	char *safe = name ? safe_name(name, strlen(name)) : NULL;
	free(name);
	return safe;
}
