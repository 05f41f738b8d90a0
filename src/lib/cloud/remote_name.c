/* remote_name.c - checking remote paths and choosing names for recordings. */
#include "cloud/remote_name.h"

#include "core/ascii.h"
#include "core/error_set.h"
#include "vrp/utf8.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_FOLDER VRP_REMOTE_APP_FOLDER
#define SHORT_UUID_LEN 8
#define EXTENSION_MAX  8

static bool is_control(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	/* C1 controls (U+0080..U+009F) are two bytes: C2 80..C2 9F. */
	return (n == 1 && (c < 0x20 || c == 0x7f)) ||
	       (n == 2 && c == 0xc2 && (unsigned char)s[1] < 0xa0);
}

static int check_component(const char *path, const char *c, size_t len)
{
	if (len == 2 && c[0] == '.' && c[1] == '.')
		return vrp_error_set(VRP_EINVAL, "remote path '%s' has a '..' component", path);
	for (size_t i = 0, n; i < len; i += n) {
		n = vrp_utf8_sequence(c + i);
		if (n == 0 || i + n > len)
			return vrp_error_set(VRP_EINVAL, "remote path is not valid UTF-8");
		if (is_control(c + i, n))
			return vrp_error_set(VRP_EINVAL, "remote path has a control character");
		if (c[i] == '\\')
			return vrp_error_set(VRP_EINVAL, "remote path '%s' has a backslash", path);
	}
	return 0;
}

int vrp_remote_path_normalize(const char *path, char **out)
{
	*out = NULL;
	if (!path || !*path)
		return vrp_error_set(VRP_EINVAL, "empty remote path");
	if (path[0] == '/')
		return vrp_error_set(VRP_EINVAL, "remote path '%s' is absolute", path);
	char *norm = malloc(strlen(path) + 1);
	if (!norm)
		return vrp_error_oom();
	size_t o = 0;
	int rc = 0;
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, "/");
		bool skip = len == 0 || (len == 1 && p[0] == '.');
		if (!skip && (rc = check_component(path, p, len)) < 0)
			goto done;
		if (!skip) {
			if (o > 0)
				norm[o++] = '/';
			memcpy(norm + o, p, len);
			o += len;
		}
		p += len + (p[len] == '/');
	}
	norm[o] = '\0';
	if (o == 0)
		rc = vrp_error_set(VRP_EINVAL, "remote path '%s' names no file", path);
done:
	if (rc < 0)
		free(norm);
	else
		*out = norm;
	return rc;
}

static bool forbidden(char c) { return c != '\0' && strchr("/\\:*?\"<>|", c) != NULL; }

/* Drops trailing spaces and dots (Windows and OneDrive refuse them). */
static void trim_end(char *s, size_t *len)
{
	while (*len > 0 && (s[*len - 1] == ' ' || s[*len - 1] == '.'))
		(*len)--;
	s[*len] = '\0';
}

char *vrp_remote_name_sanitize(const char *text, size_t max_bytes)
{
	char *clean = vrp_utf8_sanitize(text ? text : "");
	char *out = clean ? malloc(strlen(clean) + 1) : NULL;
	if (!out) {
		free(clean);
		return NULL;
	}
	size_t o = 0;
	bool space = false;
	for (const char *s = clean; *s;) {
		size_t n = vrp_utf8_sequence(s);
		bool blank = n == 1 && (vrp_ascii_isspace((unsigned char)*s) || forbidden(*s));
		if (blank || is_control(s, n)) {
			space = o > 0;
		} else if (!(o == 0 && (*s == '.' || *s == ' '))) {
			/* Keep whole characters only, so a cut never splits one. */
			if (o + (space ? 1 : 0) + n > max_bytes)
				break;
			if (space)
				out[o++] = ' ';
			memcpy(out + o, s, n);
			o += n;
			space = false;
		}
		s += n;
	}
	trim_end(out, &o);
	free(clean);
	return out;
}

static const char *const device_names[] = { "CON", "PRN", "AUX", "NUL", NULL };

/* Windows refuses a name whose part before the first dot is a device, "CON.txt" too. */
static bool is_device_name(const char *name)
{
	size_t stem = strcspn(name, ".");
	while (stem > 0 && name[stem - 1] == ' ')
		stem--;
	for (const char *const *d = device_names; *d; d++)
		if (stem == 3 && strncasecmp(name, *d, 3) == 0)
			return true;
	return stem == 4 &&
	       (strncasecmp(name, "COM", 3) == 0 || strncasecmp(name, "LPT", 3) == 0) &&
	       name[3] >= '0' && name[3] <= '9';
}

static int year_month(const char *created_at, char out[8])
{
	const char *t = created_at ? created_at : "";
	for (int i = 0; i < 7; i++) {
		bool ok = i == 4 ? t[i] == '-' : (t[i] >= '0' && t[i] <= '9');
		if (!ok)
			return vrp_error_set(VRP_EINVAL, "cannot read a year and month from '%s'",
					     t);
	}
	snprintf(out, 8, "%.4s/%.2s", t, t + 5);
	return 0;
}

static int short_uuid(const char *uuid, char out[SHORT_UUID_LEN + 1])
{
	for (int i = 0; i < SHORT_UUID_LEN; i++) {
		char c = uuid ? uuid[i] : '\0';
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return vrp_error_set(VRP_EINVAL, "'%s' is not a recording uuid",
					     uuid ? uuid : "");
		out[i] = (char)(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
	}
	out[SHORT_UUID_LEN] = '\0';
	return 0;
}

/* A lower-case alphanumeric extension, or "" when there is no usable one. */
static void extension_of(const struct vrp_remote_name_parts *parts, char out[EXTENSION_MAX + 1])
{
	const char *ext = parts->extension;
	if (!ext && parts->original_filename) {
		const char *base = strrchr(parts->original_filename, '/');
		base = base ? base + 1 : parts->original_filename;
		const char *dot = strrchr(base, '.');
		/* ".hidden" is a name, not an extension. */
		ext = dot && dot != base ? dot + 1 : "";
	}
	size_t n = 0;
	for (; ext && ext[n]; n++) {
		unsigned char c = (unsigned char)ext[n];
		if (n == EXTENSION_MAX || !vrp_ascii_isalnum(c)) {
			n = 0;
			break;
		}
		out[n] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	out[n] = '\0';
}

/* The title, else the original name without its extension, else "recording". */
static char *label_of(const struct vrp_remote_name_parts *parts)
{
	char *label = vrp_remote_name_sanitize(parts->title, VRP_REMOTE_TITLE_MAX);
	if (label && !*label && parts->original_filename) {
		free(label);
		const char *base = strrchr(parts->original_filename, '/');
		base = base ? base + 1 : parts->original_filename;
		const char *dot = strrchr(base, '.');
		char *stem =
			strndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
		label = stem ? vrp_remote_name_sanitize(stem, VRP_REMOTE_TITLE_MAX) : NULL;
		free(stem);
	}
	if (label && !*label) {
		free(label);
		label = strdup("recording");
	}
	return label;
}

int vrp_remote_name_build(const struct vrp_remote_name_parts *parts, char **out)
{
	*out = NULL;
	char ym[8], id[SHORT_UUID_LEN + 1], ext[EXTENSION_MAX + 1];
	char *folder = NULL, *label = NULL, *path = NULL;
	int rc = year_month(parts->created_at, ym);
	if (rc == 0)
		rc = short_uuid(parts->uuid, id);
	if (rc == 0)
		rc = vrp_remote_path_normalize(parts->folder ? parts->folder : DEFAULT_FOLDER,
					       &folder);
	if (rc < 0)
		goto done;
	extension_of(parts, ext);
	label = label_of(parts);
	if (!label) {
		rc = vrp_error_oom();
		goto done;
	}
	/* Without a dot the short uuid is part of the stem, so only "con.x" can clash. */
	const char *guard = strchr(label, '.') && is_device_name(label) ? "_" : "";
	const char *suffix = parts->suffix ? parts->suffix : "";
	if (asprintf(&path, "%s/%s/%s%s %s%s%s%s%s", folder, ym, guard, label, id, *ext ? "." : "",
		     ext, *suffix ? "." : "", suffix) < 0) {
		path = NULL;
		rc = vrp_error_oom();
		goto done;
	}
	*out = path;
done:
	free(folder);
	free(label);
	return rc;
}

bool vrp_remote_name_is_compressed(const char *path, char short_uuid[SHORT_UUID_LEN + 1])
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t len = strlen(base), tail = strlen("." VRP_REMOTE_COMPRESSED_EXTENSION);
	if (len <= tail || strcmp(base + len - tail, "." VRP_REMOTE_COMPRESSED_EXTENSION) != 0)
		return false;
	/* "<label> <id>.<ext>": the original's name, which ends in its own extension. */
	const char *dot = memrchr(base, '.', len - tail);
	if (!dot || dot - base < SHORT_UUID_LEN + 1 || dot[-SHORT_UUID_LEN - 1] != ' ')
		return false;
	const char *id = dot - SHORT_UUID_LEN;
	for (int i = 0; i < SHORT_UUID_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	memcpy(short_uuid, id, SHORT_UUID_LEN);
	short_uuid[SHORT_UUID_LEN] = '\0';
	return true;
}
