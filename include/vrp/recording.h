/*
 * recording.h - a recording as the catalogue describes it, lists of them, and
 * the filter a listing takes.
 *
 * Records are allocated by the library only (fields may be appended in later
 * versions), own all their strings, and are released with the matching *_free,
 * which accepts NULL.
 */
#ifndef VRP_RECORDING_H
#define VRP_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where a recording is in its life; stored as 'active', 'archived', 'deleted'. */
enum vrp_recording_status {
	VRP_RECORDING_ACTIVE = 0,
	VRP_RECORDING_ARCHIVED = 1,
	VRP_RECORDING_DELETED = 2, /* soft-deleted: the file stays until a purge */
};

/* What the last `vrp verify` found; stored as 'unverified', 'ok', 'missing', 'corrupt'. */
enum vrp_integrity {
	VRP_INTEGRITY_UNVERIFIED = 0,
	VRP_INTEGRITY_OK = 1,
	VRP_INTEGRITY_MISSING = 2, /* the file is not where local_path says */
	VRP_INTEGRITY_CORRUPT = 3, /* the file's sha256 no longer matches checksum */
};

/*
 * One row of the catalogue. Strings are NUL-terminated and owned by the
 * record; optional ones are NULL when unknown. Timestamps are UTC text,
 * "YYYY-MM-DDTHH:MM:SS.sssZ".
 */
typedef struct vrp_recording {
	int64_t id;
	char *uuid;              /* 36 characters */
	char *original_filename; /* as it came in, byte for byte (maybe not UTF-8) */
	char *stored_filename;   /* "<uuid>.<ext>" */
	char *local_path;        /* relative to the library root */
	char *title;             /* never NULL once read ("" when untitled) */
	char *description;       /* never NULL once read */
	double duration;         /* seconds; 0 when unknown */
	int64_t filesize_bytes;
	char *mime_type;
	char *codec;     /* optional */
	int sample_rate; /* Hz; 0 when unknown */
	int channels;    /* 0 when unknown */
	int bit_depth;   /* 0 when unknown or not meaningful (lossy codecs) */
	char *checksum;  /* sha256, 64 lower-case hex digits */
	enum vrp_recording_status status;
	char *deleted_at;             /* set exactly when status is VRP_RECORDING_DELETED */
	char *retention_policy;       /* optional */
	char *ingest_source;          /* "local", "import" or "cloud:<remote>" */
	char *created_by_app_version; /* optional */
	char *created_at;
	char *modified_at;
	enum vrp_integrity integrity;
	char *verified_at; /* when integrity was last checked; NULL if never */
	char **tags;       /* tag names, sorted case-insensitively */
	size_t tag_count;
	/*
	 * When the recording was made: the container's creation time, else the
	 * file's modification time at import, else (rows older than schema 8) the
	 * import time. `recorded_at_source` says which: "container" (an FFmpeg
	 * creation_time or date tag), "bwf" (a WAV's BWF OriginationDate/Time),
	 * "mtime" or "import". Both set on insert when NULL (to created_at and
	 * "import").
	 */
	char *recorded_at;
	char *recorded_at_source;
	/*
	 * When `vrp offload` let the local audio go (enough verified remote
	 * copies exist; `vrp get` brings it back), or NULL while the file is in
	 * the library. Listings show such a recording's status as "offloaded".
	 */
	char *offloaded_at;
} vrp_recording;

/* A new zeroed record into `*out` (active, unverified); free it with vrp_recording_free(). */
int vrp_recording_new(vrp_recording **out);

/* Frees the record and everything it owns; NULL is a no-op. */
void vrp_recording_free(vrp_recording *rec);

/*
 * The recording as one compact JSON object using the data model's field
 * names (tags as an array, absent values as null). original_filename that is
 * not UTF-8 is shown with U+FFFD replacements and given exactly, as hex, in
 * "original_filename_hex". Returns a malloc'd string the caller frees, or
 * NULL when out of memory.
 */
char *vrp_recording_to_json(const vrp_recording *rec);

/* "active", "archived", "deleted"; NULL for a value outside the enum. */
const char *vrp_recording_status_to_string(enum vrp_recording_status status);

/* Parses the stored text; VRP_EINVAL (recorded) for anything else. */
int vrp_recording_status_from_string(const char *text, enum vrp_recording_status *out);

/* "unverified", "ok", "missing", "corrupt"; NULL for a value outside the enum. */
const char *vrp_integrity_to_string(enum vrp_integrity integrity);

/* Parses the stored text; VRP_EINVAL (recorded) for anything else. */
int vrp_integrity_from_string(const char *text, enum vrp_integrity *out);

/*
 * A page of recordings. `next_cursor` is the id to pass as the filter's
 * `cursor` to get the following page, or 0 when this page is the last.
 */
typedef struct vrp_recording_list {
	vrp_recording **items;
	size_t count;
	int64_t next_cursor;
} vrp_recording_list;

/* Frees the list and every record in it; NULL is a no-op. */
void vrp_recording_list_free(vrp_recording_list *list);

/* Bits for vrp_recording_filter.statuses and .integrities. */
#define VRP_STATUS_BIT(status)       (1u << (status))
#define VRP_INTEGRITY_BIT(integrity) (1u << (integrity))

enum vrp_recording_sort {
	VRP_SORT_CREATED = 0, /* created_at */
	VRP_SORT_TITLE = 1,   /* title, ignoring ASCII case */
	VRP_SORT_DURATION = 2,
	VRP_SORT_SIZE = 3,     /* filesize_bytes */
	VRP_SORT_RECORDED = 4, /* recorded_at */
};

#define VRP_LIST_DEFAULT_LIMIT 50
#define VRP_LIST_MAX_LIMIT     1000

/*
 * What a listing selects, in which order, and where it starts. Zero-initialise
 * it: every field left zero (or NULL) constrains nothing. Conditions combine
 * with AND. Strings are borrowed for the duration of the call.
 */
typedef struct vrp_recording_filter {
	/* Statuses to include (VRP_STATUS_BIT ORed); 0 means active and archived, so
	 * deleted recordings appear only when asked for. */
	unsigned statuses;
	/* Only recordings carrying this tag (case-insensitive, surrounding blanks ignored). */
	const char *tag;
	/* created_at >= created_since and created_at < created_until (ISO text, compared
	 * as text, so a prefix like "2026-03" works as a bound too). */
	const char *created_since;
	const char *created_until;
	/* duration >= min_duration when > 0; duration <= max_duration when > 0. */
	double min_duration;
	double max_duration;
	/* Exact MIME type, e.g. "audio/mp4". */
	const char *mime_type;
	/*
	 * Sync state on one remote. With `remote` alone: recordings that have a
	 * recording_remote row for it. With `sync_status` too: rows in that state;
	 * "unsynced" also matches recordings with no row for that remote at all.
	 * `sync_status` is one of unsynced, queued, syncing, synced, failed,
	 * quota_exceeded, conflict; giving it without `remote` is VRP_EINVAL, and
	 * so is a `remote` that is not configured (the message names those that are).
	 */
	const char *remote;
	const char *sync_status;
	/* Integrity states to include (VRP_INTEGRITY_BIT ORed); 0 means any. */
	unsigned integrities;
	enum vrp_recording_sort sort;
	bool descending;
	/* Page size: 0 means VRP_LIST_DEFAULT_LIMIT; above VRP_LIST_MAX_LIMIT is cut to it;
	 * negative is VRP_EINVAL. */
	int limit;
	/*
	 * Keyset cursor: the id of the last recording of the previous page (its
	 * next_cursor), 0 for the first page. The page continues after that
	 * recording's (sort key, id) in the same sort, so rows added or removed
	 * meanwhile never make a page repeat or skip the others. A cursor whose
	 * recording has since been purged gives VRP_ENOTFOUND.
	 */
	int64_t cursor;
	/* recorded_at >= recorded_since and recorded_at < recorded_until, as created_*. */
	const char *recorded_since;
	const char *recorded_until;
} vrp_recording_filter;

#ifdef __cplusplus
}
#endif

#endif
