/*
 * gdrive.h - what the Google Drive provider's files share (internal).
 *
 * The remote's root is one app folder in My Drive (setting `folder`,
 * default "VoiceRecorderPro"). vrp's remote paths start with that same
 * name ("VoiceRecorderPro/2026/11/memo 1a2b3c4d.m4a"): the leading
 * component is the app folder itself, so the file lands in
 * <folder>/2026/11/ and listings give the path back in vrp's form. Paths
 * without it (the probe of `vrp remote test`) live in the app folder too.
 *
 * Remote ids are Drive file ids. Drive allows several files of one name in
 * a folder; vrp treats the first non-trashed one (by creation) as the file
 * at a path, and an upload trashes older files of the same name.
 */
#ifndef VRP_CLOUD_GDRIVE_H
#define VRP_CLOUD_GDRIVE_H

#include "cloud/refresh_lock.h"
#include "cloud/http.h"
#include "cloud/oauth.h"
#include "cloud/provider_internal.h"

#include <jansson.h>

#define GDRIVE_FOLDER_MIME "application/vnd.google-apps.folder"
/* The fields every file lookup asks for (Drive returns only id and name without `fields`). */
#define GDRIVE_FILE_FIELDS                                                                         \
	"id,name,mimeType,parents,size,md5Checksum,sha256Checksum,createdTime,modifiedTime,"       \
	"trashed,appProperties,description"

/* The page tokens one listing was handed: a server that repeats one would loop it forever. */
struct gdrive_tokens {
	char **items;
	size_t count, capacity;
};

struct gdrive_folder {
	char *path; /* relative to the app folder, "" for the app folder itself */
	char *id;
};

struct gdrive {
	char *name; /* the remote */
	char *client_id, *auth_url, *token_url, *device_url, *api_url, *upload_url;
	char *folder;
	int64_t chunk_size, multipart_threshold, timeout_s;
	bool purge_deletes; /* delete_policy=purge: delete for good, not to the trash */
	vrp_secret_fn secret;
	vrp_secret_put_fn put_secret;
	void *secret_ctx;
	struct vrp_refresh_lock refresh_lock; /* one refresh at a time, across processes */
	struct vrp_http *http;
	char *access_token, *refresh_token;
	int64_t expires_at_ms;
	struct gdrive_folder *folders; /* ids found or made, so a path is resolved once */
	size_t folder_count, folder_capacity;
	struct gdrive_tokens list_tokens; /* of the listing gdrive_list is paging through */
};

/* ---- gdrive_auth.c ---- */

/* A usable access token: the one held, the stored one, or a refreshed one. */
int gdrive_ensure_token(struct gdrive *gd);

/* Forgets the access token and gets a new one from the refresh token. */
int gdrive_refresh(struct gdrive *gd);

/* The op: interactive sign-in, tokens stored with put_secret. */
int gdrive_authorize(void *state, const vrp_authorize_request *request);

/* Whether a refresh token is at hand (memory or the store), without the network. */
int gdrive_is_authenticated(void *state, bool *out);

/* ---- gdrive_api.c ---- */

/*
 * Performs `request` with the bearer token added (`headers` may be NULL),
 * refreshing once and retrying once on a 401. 0 whatever the final status.
 */
int gdrive_send(struct gdrive *gd, struct vrp_http_request *request, const char *const *headers,
		struct vrp_http_response *response);

/*
 * The VRP_E* code for a failed Drive answer (status and JSON error body):
 * 401 VRP_EAUTH_EXPIRED; 403 rateLimitExceeded / userRateLimitExceeded and
 * 429 VRP_ERATE_LIMIT with Retry-After recorded; storageQuotaExceeded
 * VRP_EQUOTA; 404 VRP_EREMOTE_NOT_FOUND; 5xx and 408 VRP_ETRANSIENT; any
 * other VRP_EPERMANENT with the server's message. Records the error.
 */
int gdrive_error(const char *remote, const char *what, const struct vrp_http_response *response);

/*
 * A JSON API call: `method` on api_url + `path_and_query`, `body` JSON or
 * NULL, `*out` (when asked for) the answer, which must be a JSON object.
 */
int gdrive_call_json(struct gdrive *gd, const char *method, const char *path_and_query,
		     json_t *body, const char *what, json_t **out);

/* `value` quoted for a Drive query: '...' with \ and ' escaped; malloc'd. */
char *gdrive_quote(const char *value);

/* Records `token`; VRP_ETRANSIENT (recorded) when this listing had it before. */
int gdrive_tokens_add(struct gdrive_tokens *seen, const char *remote, const char *what,
		      const char *token);
void gdrive_tokens_clear(struct gdrive_tokens *seen);

/*
 * The usable entries of a files.list answer appended to `into`, and its
 * next page token (malloc'd, NULL on the last page, checked against
 * `seen`). An answer without a `files` array is VRP_ETRANSIENT: a broken
 * answer, never an empty folder. An entry without a Drive id, a name that
 * is one path component, or a readable size is logged and left out.
 */
int gdrive_take_files(struct gdrive *gd, const json_t *answer, const char *what,
		      struct gdrive_tokens *seen, json_t *into, char **next);

/* Whether `id` can be a Drive file id: 1 to 256 letters, digits, '-' and '_' (NULL cannot). */
bool gdrive_is_id(const char *id);

/* `key` of `object` as a byte count (Drive sends decimal strings); -1 when absent or not one. */
int64_t gdrive_bytes(const json_t *object, const char *key);

/*
 * Every usable file matching query `q` (all pages), with GDRIVE_FILE_FIELDS,
 * in Drive's order. `*out` is a new array.
 */
int gdrive_query(struct gdrive *gd, const char *q, const char *what, json_t **out);

/* sha256 and md5 of a stream at once: Drive reports one or the other. */
struct gdrive_digest {
	void *sha256, *md5; /* EVP_MD_CTX */
};

int gdrive_digest_init(struct gdrive_digest *d);
int gdrive_digest_update(struct gdrive_digest *d, const void *data, size_t len);
/* Lower-case hex into sha256 (65 bytes) and md5 (33 bytes). */
int gdrive_digest_final(struct gdrive_digest *d, char *sha256, char *md5);
void gdrive_digest_clear(struct gdrive_digest *d);

/* Whether `file` (a resource) has `size` and the checksum Drive gave matches; its name. */
const char *gdrive_verify(const json_t *file, int64_t size, const char *sha256, const char *md5,
			  char *message, size_t message_size);

/* A remote object from a Drive file resource, at `path`; NULL when out of memory. */
vrp_remote_object *gdrive_object(const json_t *file, const char *path);

/* ---- gdrive_folders.c ---- */

/*
 * The Drive folder id of `dir` (a path relative to the app folder, "" for
 * the app folder), creating missing folders when `create` (else
 * VRP_EREMOTE_NOT_FOUND). The id is owned by the cache.
 */
int gdrive_folder_id(struct gdrive *gd, const char *dir, bool create, const char **id);

/*
 * Splits a remote path into its folder (relative to the app folder; the
 * leading app folder component dropped) and name, both malloc'd.
 */
int gdrive_split_path(const char *remote_path, char **dir, char **name);

/* vrp's form of a path relative to the app folder: "VoiceRecorderPro/<rel>"; malloc'd. */
char *gdrive_vrp_path(const char *rel);

/* Every folder under the app folder, by id, for turning parents into paths. */
int gdrive_folders_load(struct gdrive *gd);

/* The path (relative to the app folder) of the folder with `id`, or NULL when unknown. */
const char *gdrive_folder_path(const struct gdrive *gd, const char *id);

void gdrive_folders_clear(struct gdrive *gd);

/* ---- gdrive_upload.c / gdrive_resumable.c ---- */

int gdrive_upload(void *state, const vrp_upload_request *request, vrp_remote_object **out,
		  char **resume_state);

struct gdrive_upload; /* defined in gdrive_upload_internal.h */

/* ---- gdrive_list.c ---- */

int gdrive_list(void *state, const char *prefix, const char *page_token, size_t page_size,
		vrp_remote_page **out);
int gdrive_stat(void *state, const char *remote_path, unsigned flags, vrp_remote_object **out);
/* The non-trashed file at `remote_path`: its resource (new reference), or VRP_EREMOTE_NOT_FOUND. */
int gdrive_find(struct gdrive *gd, const char *remote_path, json_t **file);
int gdrive_delete(void *state, const char *remote_id);
int gdrive_download(void *state, const char *remote_id, int fd, vrp_transfer_progress_fn progress,
		    void *progress_ctx);
int gdrive_storage_info(void *state, vrp_storage_info *out);
/* The quota in an about answer; VRP_ETRANSIENT when it has no readable usage (or limit). */
int gdrive_quota_of(const char *remote, const json_t *about, vrp_storage_info *out);

/* Deletes file `id` for good (an upload that failed its check), or to the trash. */
int gdrive_remove(struct gdrive *gd, const char *id, bool permanent);

#endif
