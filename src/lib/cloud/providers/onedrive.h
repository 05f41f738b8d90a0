/*
 * onedrive.h - what the OneDrive provider's files share (internal).
 *
 * Microsoft Graph v1.0 as a public client (no secret). With scope=appfolder
 * (the default) the remote's root is the app folder, always reached as
 * /me/drive/special/approot (OneDrive names it "Apps/<app name>"); with
 * scope=files it is the folder `folder` (default "VoiceRecorderPro") under
 * the drive root. vrp's remote paths start with "VoiceRecorderPro/": that
 * leading component is the root itself and is dropped, so a file lands in
 * <root>/2026/11/ and listings give the path back in vrp's form.
 *
 * Items are addressed by path (`<root>:/2026/11/memo 1a2b3c4d.wav:`); Graph
 * creates missing parent folders on upload. Remote ids are driveItem ids;
 * checksums are OneDrive's base64 QuickXorHash.
 */
#ifndef VRP_CLOUD_ONEDRIVE_H
#define VRP_CLOUD_ONEDRIVE_H

#include "cloud/refresh_lock.h"
#include "cloud/http.h"
#include "cloud/oauth.h"
#include "cloud/provider_internal.h"
#include "cloud/providers/quickxor.h"

#include <jansson.h>

/* Graph requires every fragment but the last to be a multiple of this. */
#define ONEDRIVE_FRAGMENT_UNIT (320 * 1024)
/* Files up to this size go in one PUT .../content (Graph's limit for it). */
#define ONEDRIVE_SIMPLE_MAX (4 * 1024 * 1024)

struct onedrive_listing; /* onedrive_list.c */
struct onedrive_folders; /* onedrive_delta.c */

struct onedrive {
	char *name; /* the remote */
	char *client_id, *tenant, *folder;
	bool app_folder; /* scope=appfolder */
	char *auth_url, *token_url, *device_url, *api_url;
	int64_t chunk_size, timeout_s;
	bool purge_deletes; /* delete_policy=purge: delete for good, not to the recycle bin */
	vrp_secret_fn secret;
	vrp_secret_put_fn put_secret;
	void *secret_ctx;
	struct vrp_refresh_lock refresh_lock; /* one refresh at a time, across processes */
	struct vrp_http *http;
	char *access_token, *refresh_token;
	int64_t expires_at_ms;
	struct onedrive_listing *listing; /* the listing being paged through */
	struct onedrive_folders *folders; /* folder ids seen in the change feed, and their paths */
};

/* ---- onedrive_auth.c ---- */

/* The OAuth scope of the remote's setting, "Files.ReadWrite.AppFolder offline_access" or so. */
const char *onedrive_scope(const struct onedrive *od);

/* A usable access token: the one held, the stored one, or a refreshed one. */
int onedrive_ensure_token(struct onedrive *od);

/*
 * Replaces the access token `stale` (NULL: whatever is held) with a fresh
 * one: taken from the store when another worker already refreshed, else
 * by spending the refresh token, whose successor is stored before the new
 * access token is used. Refreshes in one process are serialised.
 */
int onedrive_refresh(struct onedrive *od, const char *stale);

int onedrive_authorize(void *state, const vrp_authorize_request *request);
int onedrive_is_authenticated(void *state, bool *out);

/* ---- onedrive_api.c ---- */

/*
 * Performs `request` with the bearer token (`headers` may be NULL), one
 * refresh and one retry on a 401. 0 whatever the final status.
 */
int onedrive_send(struct onedrive *od, struct vrp_http_request *request, const char *const *headers,
		  struct vrp_http_response *response);

/*
 * The VRP_E* code for a failed Graph answer ({"error": {"code", "message"}}):
 * 401 VRP_EAUTH_EXPIRED; 429 VRP_ERATE_LIMIT and 503 VRP_ETRANSIENT with
 * Retry-After recorded; 507 or quotaLimitReached VRP_EQUOTA; 404
 * VRP_EREMOTE_NOT_FOUND; other 5xx and 408 VRP_ETRANSIENT; else
 * VRP_EPERMANENT with the server's code and message. Records the error.
 */
int onedrive_error(const char *remote, const char *what, const struct vrp_http_response *response);

/*
 * A JSON call: `method` on `url` (absolute) with `body` (JSON or NULL);
 * `*out`, when asked for, the answer, which must be a JSON object.
 */
int onedrive_call_url(struct onedrive *od, const char *method, const char *url, json_t *body,
		      const char *what, json_t **out);

/* onedrive_call_url on api_url + `path`. */
int onedrive_call(struct onedrive *od, const char *method, const char *path, json_t *body,
		  const char *what, json_t **out);

/*
 * The URL of the item at `rel` (relative to the root, "" for the root),
 * followed by `action` ("" for the item itself, "/content", "/children",
 * "/createUploadSession"); components percent-encoded. Malloc'd; NULL on OOM.
 */
char *onedrive_item_url(const struct onedrive *od, const char *rel, const char *action);

/* vrp's remote path relative to the root: the leading "VoiceRecorderPro/" dropped; malloc'd. */
char *onedrive_relative(const char *remote_path);

/* vrp's form of a path relative to the root; malloc'd. */
char *onedrive_vrp_path(const char *rel);

/* Whether `id` can be a driveItem id: 1 to 256 of letters, digits and ! - _ . */
bool onedrive_is_id(const char *id);

/* The item's size, or -1 when it has no usable one. */
int64_t onedrive_size(const json_t *item);

/* The item's quickXorHash, or NULL. */
const char *onedrive_quickxor(const json_t *item);

/* A remote object from a driveItem at `path`; NULL when out of memory. */
vrp_remote_object *onedrive_object(const json_t *item, const char *path);

/*
 * Whether `item` is a file of `size` bytes with QuickXorHash `qxh`; when not,
 * why in `message`.
 */
bool onedrive_matches(const json_t *item, int64_t size, const char *qxh, char *message,
		      size_t message_size);

/* ---- onedrive_upload.c / onedrive_session.c ---- */

int onedrive_upload(void *state, const vrp_upload_request *request, vrp_remote_object **out,
		    char **resume_state);

/* ---- onedrive_delta.c ---- */

int onedrive_list_changes(void *state, const char *prefix, const char *cursor,
			  const char *page_token, vrp_remote_page **out);
void onedrive_folders_free(struct onedrive_folders *folders);

/* ---- onedrive_list.c ---- */

int onedrive_list(void *state, const char *prefix, const char *page_token, size_t page_size,
		  vrp_remote_page **out);
void onedrive_listing_free(struct onedrive_listing *listing);
int onedrive_stat(void *state, const char *remote_path, unsigned flags, vrp_remote_object **out);
/* The file item at `rel` (new reference) or VRP_EREMOTE_NOT_FOUND. */
int onedrive_find(struct onedrive *od, const char *rel, json_t **item);
int onedrive_delete(void *state, const char *remote_id);
/* Deletes item `id`: to the recycle bin, or for good when `permanent`. */
int onedrive_remove(struct onedrive *od, const char *id, bool permanent);
int onedrive_download(void *state, const char *remote_id, int fd, vrp_transfer_progress_fn progress,
		      void *progress_ctx);
int onedrive_storage_info(void *state, vrp_storage_info *out);

#endif
