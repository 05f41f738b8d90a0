/*
 * remote.h - configured remotes and what each recording is on each of them.
 *
 * A remote is one configured provider instance ("nas", "gdrive-work"); its
 * settings live in the config file, the database only knows its name and
 * provider. A vrp_recording_remote is the sync state of one recording on one
 * remote. Records are allocated by the library (fields may be appended in
 * later versions) and own their strings; free them with the matching *_free.
 */
#ifndef VRP_REMOTE_H
#define VRP_REMOTE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vrp_remote {
	int64_t id;
	char *name;         /* unique; what the CLI and the config file call it */
	char *provider_key; /* the provider implementation: "localdir", "sftp", "gdrive"... */
	char *created_at;   /* UTC, "YYYY-MM-DDTHH:MM:SS.sssZ" like every timestamp here */
	char *modified_at;
	/* Why sync leaves this remote alone until the user acts (e.g. "ERR_AUTH_EXPIRED:
	 * ..."), or NULL when it is not paused; and since when. */
	char *paused_reason;
	char *paused_at;
} vrp_remote;

/* Frees a remote and its strings; NULL is a no-op. */
void vrp_remote_free(vrp_remote *remote);

typedef struct vrp_remote_list {
	vrp_remote **items;
	size_t count;
} vrp_remote_list;

/* Frees the list and every item in it; NULL is a no-op. */
void vrp_remote_list_free(vrp_remote_list *list);

/*
 * Which of a recording's files an object on a remote holds: the recording
 * itself, or its compressed (Opus) copy, which a remote's setting
 * upload=original|compressed|both asks for. Stored as the lower-case name.
 */
typedef enum vrp_upload_variant {
	VRP_VARIANT_ORIGINAL = 0,
	VRP_VARIANT_COMPRESSED,
} vrp_upload_variant;

/* The bit of `variant` in a set of variants (what a remote's upload setting names). */
#define VRP_VARIANT_BIT(variant) (1u << (unsigned)(variant))

/* "original", "compressed"; NULL for a value outside the enum. */
const char *vrp_upload_variant_to_string(vrp_upload_variant variant);

/* Parses the stored name into `*out`; VRP_EINVAL (recorded) for anything else. */
int vrp_upload_variant_from_string(const char *text, vrp_upload_variant *out);

/* Where a recording stands on a remote; stored as the lower-case name. */
typedef enum vrp_sync_status {
	VRP_SYNC_UNSYNCED = 0,   /* not on the remote (or never tried) */
	VRP_SYNC_QUEUED,         /* a task to sync it is waiting */
	VRP_SYNC_SYNCING,        /* a worker is transferring it */
	VRP_SYNC_SYNCED,         /* the remote holds this content */
	VRP_SYNC_FAILED,         /* the last attempt failed; see error_code */
	VRP_SYNC_QUOTA_EXCEEDED, /* the remote is full */
	VRP_SYNC_CONFLICT,       /* the remote copy differs from the local one */
} vrp_sync_status;

#define VRP_SYNC_STATUS_COUNT 7

/* "unsynced", "queued", ...; NULL for a value outside the enum. */
const char *vrp_sync_status_to_string(vrp_sync_status status);

/* Parses the stored name into `*out`; VRP_EINVAL (recorded) for anything else. */
int vrp_sync_status_from_string(const char *text, vrp_sync_status *out);

/* One row of recording_remote: the state of recording `recording_id` on `remote`. */
typedef struct vrp_recording_remote {
	int64_t id;
	int64_t recording_id;
	char *remote;          /* the remote's name */
	char *provider_key;    /* the remote's provider when the row was made */
	char *remote_id;       /* the provider's id for the object, or NULL */
	char *remote_path;     /* where the object is on the remote, or NULL */
	char *remote_etag;     /* the provider's version tag at the last sync, or NULL */
	char *remote_checksum; /* the checksum the remote reported, or NULL */
	vrp_sync_status sync_status;
	char *last_synced_at; /* NULL until the first successful sync */
	int64_t attempts;     /* tries of the latest upload task (as `vrp queue ls` counts) */
	char *error_code;     /* the ERR_* name of the last failure, or NULL */
	char *error_message;  /* its message, or NULL */
	char *failed_at;      /* when the last failure happened, or NULL */
	char *created_at;
	char *modified_at;
	/* How the remote copy was checked at the last sync ("sha256", "size+sample",
	 * "download+sha256"... see vrp_remote_object.verification), or NULL. */
	char *verification;
	/* When `vrp verify --remote` last proved this copy, and how: "provider-hash"
	 * (the remote's own hash), "download" (read back and hashed) or "size"
	 * (weaker); NULL when the copy there now was never proven. */
	char *verified_at;
	char *verify_method;
	/* Which of the recording's files the object holds (see vrp_upload_variant). */
	vrp_upload_variant variant;
	/* The sha256 and size of a compressed object's bytes (its Opus copy when
	 * uploaded), NULL and -1 for an original, whose bytes are the recording's. */
	char *content_sha256;
	int64_t content_size;
} vrp_recording_remote;

/* Frees the record and its strings; NULL is a no-op. */
void vrp_recording_remote_free(vrp_recording_remote *state);

typedef struct vrp_recording_remote_list {
	vrp_recording_remote **items;
	size_t count;
} vrp_recording_remote_list;

/* Frees the list and every item in it; NULL is a no-op. */
void vrp_recording_remote_list_free(vrp_recording_remote_list *list);

/* How many recordings are in each sync status on one remote, indexed by vrp_sync_status. */
typedef struct vrp_sync_status_counts {
	int64_t by_status[VRP_SYNC_STATUS_COUNT];
} vrp_sync_status_counts;

#ifdef __cplusplus
}
#endif

#endif
