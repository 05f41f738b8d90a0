/*
 * remote_name.h - remote paths: checking the ones we are given and making
 * the ones we choose (internal).
 */
#ifndef VRP_CLOUD_REMOTE_NAME_H
#define VRP_CLOUD_REMOTE_NAME_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The canonical form of a relative remote path: empty and "." components
 * dropped, single slashes, malloc'd into `*out`. VRP_EINVAL (recorded) for
 * an empty or absolute path, a ".." component, a backslash, ill-formed
 * UTF-8, or a control character, so no path can leave the remote root.
 */
int vrp_remote_path_normalize(const char *path, char **out);

/* The folder under a remote's root that holds every recording vrp uploads. */
#define VRP_REMOTE_APP_FOLDER "VoiceRecorderPro"

/*
 * A recording's compressed copy is named as its original with this added
 * ("memo 6256b0cd.wav" -> "memo 6256b0cd.wav.opus").
 */
#define VRP_REMOTE_COMPRESSED_EXTENSION "opus"

/*
 * Whether `path` names a compressed copy vrp uploaded: its last component
 * is "<title> <8 hex digits>.<ext>.opus". `short_uuid` (9 bytes) receives
 * the digits, the first 8 of the recording's uuid.
 */
bool vrp_remote_name_is_compressed(const char *path, char short_uuid[9]);

/* The longest title kept in a remote name, in bytes (cut at a character boundary). */
#define VRP_REMOTE_TITLE_MAX 120

struct vrp_remote_name_parts {
	const char *folder;            /* the app folder; NULL: "VoiceRecorderPro" */
	const char *created_at;        /* "YYYY-MM-..." timestamp: gives the year/month folders */
	const char *title;             /* may be NULL or empty */
	const char *original_filename; /* used when there is no title; may be NULL */
	const char *uuid;              /* the recording's uuid; its first 8 digits are kept */
	const char *extension;         /* without the dot; NULL: from original_filename */
	const char *suffix;            /* added after the extension with a dot; NULL: none */
};

/*
 * A deterministic, human-readable remote path for a recording:
 * "<folder>/<YYYY>/<MM>/<title or original name> <short uuid>.<ext>".
 * The name is made valid on every provider and filesystem we sync to: no
 * / \ : * ? " < > | or control characters, no leading dots, no trailing
 * dots or spaces, no Windows device names (CON, NUL, COM1...), at most
 * VRP_REMOTE_TITLE_MAX bytes of title, UTF-8 cut only between characters.
 * The short uuid keeps two recordings with the same title apart. Malloc'd;
 * VRP_EINVAL for a missing uuid or an unreadable timestamp.
 */
int vrp_remote_name_build(const struct vrp_remote_name_parts *parts, char **out);

/*
 * One path component made from free text as described above (without the
 * device-name rule, which applies to the whole name); malloc'd, possibly
 * empty; NULL when out of memory.
 */
char *vrp_remote_name_sanitize(const char *text, size_t max_bytes);

#endif
