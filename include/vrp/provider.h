/*
 * provider.h - cloud providers as a user of libvrp sees them.
 *
 * A provider is one configured storage backend instance ("nas" of type
 * "localdir", "work" of type "gdrive"), created by type key from settings
 * and freed with vrp_provider_free(). Every operation returns 0 or a
 * negative VRP_E* code with the detail in vrp_error_last(). The codes are
 * chosen so a sync engine can act on them without knowing the provider:
 *   VRP_ETRANSIENT, VRP_EUNAVAILABLE  retry later with backoff
 *   VRP_ERATE_LIMIT                  retry after vrp_provider_retry_after_ms()
 *   VRP_EAUTH_EXPIRED                pause the remote until re-authenticated
 *   VRP_EQUOTA                       the remote is full: stop uploading to it
 *   VRP_EREMOTE_NOT_FOUND            the remote object is not there
 *   VRP_ECHECKSUM                    the bytes that arrived are not the bytes sent
 *   VRP_EPERMANENT, VRP_EAUTH        retrying will not help
 *   VRP_ECANCELLED                   the progress callback asked to stop
 * Failures on the local side (the file to upload is missing, the local disk
 * is full) keep their local codes (VRP_ENOTFOUND, VRP_ENOSPC...).
 *
 * Remote paths are relative, '/'-separated UTF-8 ("VoiceRecorderPro/2026/11/a.m4a").
 * Absolute paths, "..", backslashes and control characters are refused with
 * VRP_EINVAL before a provider sees them, so no name can escape the remote root.
 *
 * Sync commands (queue, worker, reconciliation) are built on this later.
 */
#ifndef VRP_PROVIDER_H
#define VRP_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vrp_provider vrp_provider;

/* A key and its value; used for settings and for upload metadata. */
typedef struct vrp_kv {
	const char *key;
	const char *value;
} vrp_kv;

/*
 * Looks up secret `key` (a token, a password) for remote `remote`. On success
 * `*out` is a malloc'd string the provider frees; VRP_ENOTFOUND when there is
 * none. Secrets never travel through settings.
 */
typedef int (*vrp_secret_fn)(void *ctx, const char *remote, const char *key, char **out);

/*
 * Stores secret `key` for remote `remote` (a token obtained by
 * vrp_provider_authorize(), a refreshed access token), replacing any earlier
 * value. 0 or a VRP_E* code.
 */
typedef int (*vrp_secret_put_fn)(void *ctx, const char *remote, const char *key, const char *value);

/*
 * Takes an exclusive lock, held across processes and threads, on refreshing
 * remote `remote`'s tokens, so that of several workers and processes whose
 * token expired at once one refreshes and the others take its result from
 * the store (a refresh token that rotates may be spent only once). Blocks
 * until the lock is free; `*handle` is what vrp_secret_unlock_fn gives back.
 */
typedef int (*vrp_secret_lock_fn)(void *ctx, const char *remote, int *handle);
typedef void (*vrp_secret_unlock_fn)(void *ctx, int handle);

/* Where a provider's secrets live. Only `get` is required. */
typedef struct vrp_secret_store {
	vrp_secret_fn get;
	vrp_secret_put_fn put;       /* NULL: the provider cannot store secrets */
	vrp_secret_lock_fn lock;     /* NULL: refreshes serialised within this process only */
	vrp_secret_unlock_fn unlock; /* required with `lock` */
	void *ctx;                   /* passed to each */
} vrp_secret_store;

/*
 * Called as a transfer progresses with the bytes done and the total (-1 when
 * unknown), at least once before the first byte. A non-zero return cancels
 * the transfer with VRP_ECANCELLED; an upload keeps its resumable state.
 */
typedef int (*vrp_transfer_progress_fn)(void *ctx, int64_t bytes_done, int64_t bytes_total);

/* How the checksum of a remote object was computed. */
typedef enum vrp_checksum_kind {
	VRP_CHECKSUM_NONE = 0,
	VRP_CHECKSUM_SHA256,
	VRP_CHECKSUM_MD5,
	VRP_CHECKSUM_SHA1,
	VRP_CHECKSUM_QUICKXOR, /* Microsoft's QuickXorHash (OneDrive), base64 */
} vrp_checksum_kind;

/* "none", "sha256", "md5", "sha1", "quickxor"; NULL for a value outside the enum. */
const char *vrp_checksum_kind_to_string(vrp_checksum_kind kind);

/* One object on a remote. Allocated by the library; owns its strings. */
typedef struct vrp_remote_object {
	char *remote_id;  /* the provider's id (for path-addressed providers, the path) */
	char *path;       /* the relative remote path */
	int64_t size;     /* bytes */
	char *mime_type;  /* guessed from the name when the remote keeps none */
	char *created_at; /* UTC, "YYYY-MM-DDTHH:MM:SS.sssZ", or NULL */
	char *etag;       /* changes whenever the content changes, or NULL */
	char *checksum;   /* lower-case hex (quickxor: base64), or NULL when not known */
	vrp_checksum_kind checksum_kind;
	/*
	 * Set by upload: how the stored bytes were checked against the local
	 * file, e.g. "sha256" (the remote computed it), "md5", "size+sample"
	 * (size, then a read-back of sampled ranges), "size+full" (the whole
	 * object read back and hashed), "sha256-exec" (sha256sum run on the
	 * server). NULL when nothing but the transfer itself vouches for them.
	 */
	char *verification;
	/*
	 * The recording's metadata an upload kept with the object (see
	 * vrp_upload_request.metadata_json), when the listing or stat carries it
	 * (Drive, OneDrive: the item's description); else NULL, and
	 * vrp_provider_read_metadata() fetches it (a sidecar).
	 */
	char *metadata_json;
} vrp_remote_object;

/* Frees the object and its strings; NULL is a no-op. */
void vrp_remote_object_free(vrp_remote_object *object);

/* One page of a listing. `next_page_token` is NULL on the last page. */
typedef struct vrp_remote_page {
	vrp_remote_object **items;
	size_t count;
	char *next_page_token;
	/*
	 * vrp_provider_list_changes() only, on its last page: the cursor to
	 * pass next time (malloc'd, owned by the page), and whether the cursor
	 * given was refused so this listing started over from nothing.
	 */
	char *cursor;
	bool cursor_reset;
} vrp_remote_page;

/* Frees the page and every item in it; NULL is a no-op. */
void vrp_remote_page_free(vrp_remote_page *page);

/* Space on a remote, in bytes; -1 where the remote does not say. */
typedef struct vrp_storage_info {
	int64_t used;
	int64_t total;
	int64_t free;
} vrp_storage_info;

/* Frees the record; NULL is a no-op. */
void vrp_storage_info_free(vrp_storage_info *info);

/* What a provider can do, so the engine and the UI can adapt. */
typedef struct vrp_provider_capabilities {
	bool resumable;          /* an interrupted upload continues where it stopped */
	unsigned checksum_kinds; /* bit (1u << vrp_checksum_kind) per kind the remote reports */
	bool checksum_readback;  /* the checksum is computed by reading the object back */
	int64_t max_file_size;   /* bytes; 0 when unlimited */
	bool trash; /* delete moves objects to a trash the user can restore from, unless the
		       remote's delete_policy is "purge" */
} vrp_provider_capabilities;

/* Frees the record; NULL is a no-op. */
void vrp_provider_capabilities_free(vrp_provider_capabilities *caps);

/* The type keys the library knows ("localdir", "mock", ...), NULL-terminated, static. */
const char *const *vrp_provider_types(void);

/*
 * Creates a provider of `type` named `name` (the remote's name, used in
 * messages and secret lookups) from `settings`. VRP_ENOTSUP for an unknown
 * type; VRP_EINVAL naming the setting that is unknown, missing or invalid.
 * `secret` may be NULL for providers that need none. Free with vrp_provider_free().
 */
int vrp_provider_new(vrp_provider **out, const char *type, const char *name, const vrp_kv *settings,
		     size_t settings_count, vrp_secret_fn secret, void *secret_ctx);

/*
 * vrp_provider_new() for providers that also store secrets (OAuth tokens)
 * and refresh them: `store` (copied; may be NULL for none) says where.
 */
int vrp_provider_new_with_store(vrp_provider **out, const char *type, const char *name,
				const vrp_kv *settings, size_t settings_count,
				const vrp_secret_store *store);

/* NULL is a no-op. */
void vrp_provider_free(vrp_provider *provider);

/* The provider's type key and name; owned by the provider. */
const char *vrp_provider_type(const vrp_provider *provider);
const char *vrp_provider_name(const vrp_provider *provider);

/* Obtains or refreshes credentials (may use the secret callback). */
int vrp_provider_authenticate(vrp_provider *provider);

/* Whether the provider holds usable credentials, without a network round trip. */
int vrp_provider_is_authenticated(vrp_provider *provider, bool *out);

/* How vrp_provider_authorize() asks the user. */
typedef enum vrp_authorize_flow {
	VRP_AUTHORIZE_LOOPBACK = 0, /* a browser on this machine, redirected back to 127.0.0.1 */
	VRP_AUTHORIZE_DEVICE,       /* a code the user enters on any other device (RFC 8628) */
} vrp_authorize_flow;

/* What the user must do; valid during the callback only. */
typedef struct vrp_authorize_prompt {
	const char *url;       /* the page to open */
	const char *user_code; /* the code to enter there (device flow), else NULL */
	int64_t expires_in_s;  /* how long the URL or code stays good; -1 when unknown */
	bool browser_opened;   /* a browser was started on `url` */
} vrp_authorize_prompt;

typedef void (*vrp_authorize_prompt_fn)(void *ctx, const vrp_authorize_prompt *prompt);

/* Zero-initialise it, then fill in what applies. */
typedef struct vrp_authorize_request {
	vrp_authorize_flow flow;
	vrp_authorize_prompt_fn prompt; /* called once the URL (and code) is known; may be NULL */
	void *prompt_ctx;
	int timeout_s;     /* how long to wait for the user; 0: 300 */
	bool open_browser; /* start a browser on the URL when a graphical session is there */
} vrp_authorize_request;

/*
 * Obtains credentials interactively (OAuth: the user consents in a browser)
 * and stores them through the provider's secret store. VRP_ENOTSUP for a
 * provider without interactive authorization; VRP_EAUTH when the user
 * refused or did not answer in time.
 */
int vrp_provider_authorize(vrp_provider *provider, const vrp_authorize_request *request);

/* What to upload. Zero-initialise it, then fill in what applies. */
typedef struct vrp_upload_request {
	const char *local_path;  /* a regular file */
	const char *remote_path; /* relative; parent folders are created */
	const char *sha256;      /* the catalogue's hash of the local file, or NULL */
	const vrp_kv *metadata;  /* e.g. {"uuid", ...}, {"sha256", ...}; kept where possible */
	size_t metadata_count;
	const char *resume_state;          /* JSON from an earlier interrupted upload, or NULL */
	vrp_transfer_progress_fn progress; /* may be NULL */
	void *progress_ctx;
	/*
	 * May be NULL. Called (with progress_ctx) with resume state JSON as soon
	 * as the upload could be continued from it, e.g. once an upload session
	 * exists, so the caller can persist it before the bytes flow: a process
	 * killed mid-upload then resumes instead of starting over. A non-zero
	 * return is not an error for the upload; the state is merely not kept.
	 */
	int (*checkpoint)(void *ctx, const char *resume_state);
	/*
	 * The object at the path was found other than it claims (a download
	 * did not match the remote's own hash): a provider that would adopt an
	 * object already there by its reported hash sends the bytes instead.
	 */
	bool replace;
	/*
	 * May be NULL. The recording's metadata (one JSON object: title, tags,
	 * dates...), kept with the object where the remote has room for it:
	 * Drive and OneDrive in the item's description; localdir and sftp in a
	 * sidecar object "<remote path>" VRP_REMOTE_METADATA_SUFFIX beside it,
	 * uploaded (atomically, as any object) before the object itself so a
	 * visible object always has its metadata. Sidecars never appear in
	 * listings and are deleted with their object.
	 */
	const char *metadata_json;
} vrp_upload_request;

/* The name suffix of a metadata sidecar ("memo 6256b0cd.m4a.vrp.json"). */
#define VRP_REMOTE_METADATA_SUFFIX ".vrp.json"

/* The most metadata a sidecar or description may hold; larger ones are refused. */
#define VRP_REMOTE_METADATA_MAX (64 * 1024)

/*
 * Uploads a file, replacing whatever is at the remote path, and verifies
 * the result: the remote size and, where the remote reports one, its
 * checksum must match the local file (and `sha256` when given), else
 * VRP_ECHECKSUM and the object is not left in place. On success `*out` is
 * the stored object. On failure `*resume_state` may receive JSON (caller
 * frees with free()) to persist and pass back to continue the upload;
 * otherwise it is NULL. Either out-parameter may be NULL.
 */
int vrp_provider_upload(vrp_provider *provider, const vrp_upload_request *request,
			vrp_remote_object **out, char **resume_state);

/* What to download. Zero-initialise it, then fill in what applies. */
typedef struct vrp_download_request {
	const char *remote_id;
	const char *local_path;      /* replaced only once the content is verified */
	const char *expected_sha256; /* lower-case hex, or NULL to skip the check */
	vrp_transfer_progress_fn progress;
	void *progress_ctx;
} vrp_download_request;

/*
 * Downloads into a temporary file beside `local_path`, fsyncs it, checks
 * its sha256, then renames it into place. A mismatch is VRP_ECHECKSUM and,
 * like every failure, leaves nothing at `local_path` or beside it.
 */
int vrp_provider_download(vrp_provider *provider, const vrp_download_request *request);

/*
 * Writes the object's bytes to `fd` from its current offset, and nothing
 * else: the caller owns the file, its fsync, the checksum and the rename
 * (for a destination that must live somewhere vrp_provider_download()
 * would not put it, like the library's tmp/). `progress` may be NULL.
 */
int vrp_provider_download_to_fd(vrp_provider *provider, const char *remote_id, int fd,
				vrp_transfer_progress_fn progress, void *progress_ctx);

/*
 * Reads the whole object and hashes it as it arrives, keeping none of it
 * (memory does not grow with its size): the object's sha256, lower-case
 * hex, into `out` and its length into `*bytes` (may be NULL). For proving
 * a remote copy without trusting the remote's own word.
 */
int vrp_provider_download_sha256(vrp_provider *provider, const char *remote_id, char out[65],
				 int64_t *bytes);

/*
 * Lists objects under `prefix` (a folder path, or NULL for the root), all
 * levels down, in a stable order, at most `page_size` per call (0: the
 * provider's default). Pass NULL as `page_token` for the first page and the
 * previous page's next_page_token after. Free with vrp_remote_page_free().
 */
int vrp_provider_list(vrp_provider *provider, const char *prefix, const char *page_token,
		      size_t page_size, vrp_remote_page **out);

/*
 * The objects under `prefix` added or changed since `cursor` (a page's
 * `cursor` from an earlier call; NULL: every object, as a first listing),
 * paged as vrp_provider_list() is: NULL `page_token` first, then each
 * page's next_page_token; the last page carries the cursor for next time.
 * Deleted objects are left out. A cursor the remote no longer honours (it
 * expired, the remote was reset) is dropped and the listing starts over
 * from nothing, saying so in `cursor_reset`. VRP_ENOTSUP for providers
 * without a change feed: list everything with vrp_provider_list().
 */
int vrp_provider_list_changes(vrp_provider *provider, const char *prefix, const char *cursor,
			      const char *page_token, vrp_remote_page **out);

/* Ask stat for the content checksum even when the remote must read the object to get it. */
#define VRP_STAT_CHECKSUM 1u

/* The object at `remote_path`; VRP_EREMOTE_NOT_FOUND when there is none. */
int vrp_provider_stat(vrp_provider *provider, const char *remote_path, unsigned flags,
		      vrp_remote_object **out);

/*
 * The metadata an upload kept with `object` (a listed or stat'ed object of
 * this provider): a copy of object->metadata_json when the listing had it,
 * else the object's sidecar read back (malloc'd; caller frees with free()).
 * VRP_EREMOTE_NOT_FOUND when the object has none (uploaded by an older vrp,
 * or by another tool); other codes as for a download.
 */
int vrp_provider_read_metadata(vrp_provider *provider, const vrp_remote_object *object, char **out);

/*
 * Deletes the object (and its metadata sidecar, where the provider keeps
 * one); VRP_EREMOTE_NOT_FOUND when it is already gone.
 */
int vrp_provider_delete(vrp_provider *provider, const char *remote_id);

/* Used, total and free space. Free with vrp_storage_info_free(). */
int vrp_provider_storage_info(vrp_provider *provider, vrp_storage_info **out);

/* Free with vrp_provider_capabilities_free(). */
int vrp_provider_capabilities_get(vrp_provider *provider, vrp_provider_capabilities **out);

/*
 * The canonical form of a provider id (so ids from listings, from the
 * database and typed by a user compare equal); malloc'd, caller frees with
 * free(). VRP_EINVAL for an id that cannot be one of this provider's.
 */
int vrp_provider_normalize_remote_id(vrp_provider *provider, const char *id, char **out);

/*
 * Connects to the remote's server and, when its host key is not known yet,
 * records it as trusted (the user has seen the fingerprint and said yes).
 * `*fingerprint` receives the key's fingerprint, "SHA256:..." as OpenSSH
 * prints it (caller frees with free()). A key that differs from the one
 * recorded is VRP_EAUTH and is never recorded. VRP_ENOTSUP for providers
 * that have no host keys.
 */
int vrp_provider_accept_host_key(vrp_provider *provider, char **fingerprint);

/*
 * Whether the remote can be reached now (a mounted folder, a host that
 * answers), without changing anything there: 0, or VRP_EUNAVAILABLE with the
 * reason. Providers that cannot tell cheaply answer 0; their first real
 * operation then reports VRP_EUNAVAILABLE instead.
 */
int vrp_provider_probe(vrp_provider *provider);

/*
 * The Retry-After hint of the calling thread's last provider failure in
 * milliseconds, or -1 when the remote gave none. Reset by every provider call.
 */
int64_t vrp_provider_retry_after_ms(void);

#ifdef __cplusplus
}
#endif

#endif
