/*
 * gdrive_list.c - reading the app folder: listing with Drive's own paging,
 * stat by path, verified downloads, deletes (to the trash unless the
 * remote's delete_policy is purge) and the storage quota.
 *
 * A listing asks Drive for every non-folder file vrp can see (the drive.file
 * scope shows only vrp's own) one Drive page at a time, and places each
 * under its parent folder's path; files outside the app folder are left out.
 */
#include "cloud/providers/gdrive.h"

#include "cloud/remote_name.h"
#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/hash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_PAGE_SIZE 1000

/* The newest of several files of one name: the latest upload to that path. */
static const json_t *newest(const json_t *files)
{
	const json_t *best = NULL;
	size_t i;
	const json_t *f;
	json_array_foreach(files, i, f)
	{
		const char *created = json_string_value(json_object_get(f, "createdTime"));
		const char *best_created =
			best ? json_string_value(json_object_get(best, "createdTime")) : NULL;
		if (!best || strcmp(created ? created : "", best_created ? best_created : "") > 0)
			best = f;
	}
	return best;
}

int gdrive_find(struct gdrive *gd, const char *remote_path, json_t **file)
{
	*file = NULL;
	char *dir = NULL, *name = NULL, *qname = NULL, *qparent = NULL, *q = NULL;
	const char *parent = NULL;
	json_t *files = NULL;
	int rc = gdrive_split_path(remote_path, &dir, &name);
	if (rc == 0)
		rc = gdrive_folder_id(gd, dir, false, &parent);
	if (rc == 0 && (!(qname = gdrive_quote(name)) || !(qparent = gdrive_quote(parent)) ||
			asprintf(&q,
				 "name = %s and %s in parents and trashed = false and "
				 "mimeType != '" GDRIVE_FOLDER_MIME "'",
				 qname, qparent) < 0)) {
		q = NULL;
		rc = vrp_error_oom();
	}
	if (rc == 0)
		rc = gdrive_query(gd, q, "looking up a file", &files);
	const json_t *best = rc == 0 ? newest(files) : NULL;
	if (rc == 0 && !best)
		rc = vrp_error_set(VRP_EREMOTE_NOT_FOUND, "remote %s: no file %s", gd->name,
				   remote_path);
	if (rc == VRP_EREMOTE_NOT_FOUND)
		vrp_error_set(VRP_EREMOTE_NOT_FOUND, "remote %s: no file %s", gd->name,
			      remote_path);
	if (rc == 0)
		*file = json_incref((json_t *)best);
	json_decref(files);
	free(q);
	free(qname);
	free(qparent);
	free(dir);
	free(name);
	return rc;
}

int gdrive_stat(void *state, const char *remote_path, unsigned flags, vrp_remote_object **out)
{
	(void)flags; /* Drive keeps the checksums: asking costs nothing extra */
	json_t *file = NULL;
	int rc = gdrive_find(state, remote_path, &file);
	if (rc == 0 && !(*out = gdrive_object(file, remote_path)))
		rc = VRP_ENOMEM;
	json_decref(file);
	return rc;
}

/* ---- listing ---- */

/* The listing prefix relative to the app folder ("" for all of it). */
static const char *relative_prefix(const char *prefix)
{
	size_t app = strlen(VRP_REMOTE_APP_FOLDER);
	if (!prefix)
		return "";
	if (!strncmp(prefix, VRP_REMOTE_APP_FOLDER, app) && (!prefix[app] || prefix[app] == '/'))
		return prefix[app] ? prefix + app + 1 : "";
	return prefix;
}

static bool under(const char *rel, const char *prefix)
{
	size_t n = strlen(prefix);
	return n == 0 || (!strncmp(rel, prefix, n) && rel[n] == '/');
}

/* Adds `file` to the page when it lies under `prefix`; `*unknown` when its folder is not known. */
static int add_file(struct gdrive *gd, const json_t *file, const char *prefix,
		    vrp_remote_page *page, size_t *capacity, bool *unknown)
{
	const char *name = json_string_value(json_object_get(file, "name"));
	const char *parent = json_string_value(json_array_get(json_object_get(file, "parents"), 0));
	const char *dir = gdrive_folder_path(gd, parent);
	if (!name || !dir) {
		*unknown = *unknown || (name && parent);
		return 0;
	}
	char *rel = NULL, *path = NULL;
	if (asprintf(&rel, "%s%s%s", dir, *dir ? "/" : "", name) < 0)
		return vrp_error_oom();
	int rc = 0;
	if (under(rel, prefix)) {
		path = gdrive_vrp_path(rel);
		vrp_remote_object *o = path ? gdrive_object(file, path) : NULL;
		rc = o ? vrp_remote_page_append(page, capacity, o) : vrp_error_oom();
		if (rc < 0)
			vrp_remote_object_free(o);
	}
	free(rel);
	free(path);
	return rc;
}

static int list_request(struct gdrive *gd, const char *token, size_t page_size, json_t **answer)
{
	char *q = vrp_http_escape("mimeType != '" GDRIVE_FOLDER_MIME "' and trashed = false");
	char *fields = vrp_http_escape("nextPageToken,files(" GDRIVE_FILE_FIELDS ")");
	char *page = token ? vrp_http_escape(token) : NULL;
	char *path = NULL;
	if (!q || !fields || (token && !page) ||
	    asprintf(&path, "/files?q=%s&fields=%s&pageSize=%zu&orderBy=name&spaces=drive%s%s", q,
		     fields, page_size, page ? "&pageToken=" : "", page ? page : "") < 0)
		path = NULL;
	free(q);
	free(fields);
	free(page);
	if (!path)
		return vrp_error_oom();
	int rc = gdrive_call_json(gd, "GET", path, NULL, "listing files", answer);
	free(path);
	return rc;
}

static int fill(struct gdrive *gd, const json_t *files, const char *prefix, vrp_remote_page *page,
		bool *unknown)
{
	size_t capacity = 0, i;
	const json_t *f;
	json_array_foreach(files, i, f)
	{
		int rc = add_file(gd, f, prefix, page, &capacity, unknown);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int list_page(struct gdrive *gd, const char *prefix, const char *token, size_t page_size,
		     vrp_remote_page *page)
{
	json_t *answer = NULL, *files = json_array();
	int rc = files ? list_request(gd, token, page_size, &answer) : vrp_error_oom();
	bool unknown = false;
	if (rc == 0)
		rc = gdrive_take_files(gd, answer, "listing files", &gd->list_tokens, files,
				       &page->next_page_token);
	if (rc == 0)
		rc = fill(gd, files, prefix, page, &unknown);
	/* A folder made since the map was loaded: load it again, once, and redo the page. */
	if (rc == 0 && unknown) {
		for (size_t i = 0; i < page->count; i++)
			vrp_remote_object_free(page->items[i]);
		page->count = 0;
		unknown = false;
		rc = gdrive_folders_load(gd);
		if (rc == 0)
			rc = fill(gd, files, prefix, page, &unknown);
	}
	json_decref(files);
	json_decref(answer);
	return rc;
}

int gdrive_list(void *state, const char *prefix, const char *page_token, size_t page_size,
		vrp_remote_page **out)
{
	struct gdrive *gd = state;
	vrp_remote_page *page = calloc(1, sizeof(*page));
	if (!page)
		return vrp_error_oom();
	if (page_size == 0 || page_size > DEFAULT_PAGE_SIZE)
		page_size = DEFAULT_PAGE_SIZE;
	/* A fresh listing sees folders as they are now, and has been handed no page token yet. */
	int rc = 0;
	if (!page_token)
		gdrive_tokens_clear(&gd->list_tokens);
	if (!page_token || gd->folder_count == 0) {
		gdrive_folders_clear(gd);
		rc = gdrive_folders_load(gd);
	}
	if (rc == VRP_EREMOTE_NOT_FOUND) {
		*out = page; /* no app folder yet: nothing uploaded */
		return 0;
	}
	if (rc == 0)
		rc = list_page(gd, relative_prefix(prefix), page_token, page_size, page);
	if (rc < 0) {
		vrp_remote_page_free(page);
		return rc;
	}
	*out = page;
	return 0;
}

/* ---- delete ---- */

int gdrive_remove(struct gdrive *gd, const char *id, bool permanent)
{
	char *path = NULL, *escaped = vrp_http_escape(id);
	if (!escaped || asprintf(&path, "/files/%s%s", escaped, permanent ? "" : "?fields=id") < 0)
		path = NULL;
	free(escaped);
	if (!path)
		return vrp_error_oom();
	json_t *body = permanent ? NULL : json_pack("{s:b}", "trashed", 1);
	int rc = permanent || body ? 0 : vrp_error_oom();
	if (rc == 0)
		rc = gdrive_call_json(gd, permanent ? "DELETE" : "PATCH", path, body,
				      permanent ? "deleting a file" : "moving a file to the trash",
				      NULL);
	json_decref(body);
	free(path);
	return rc;
}

int gdrive_delete(void *state, const char *remote_id)
{
	struct gdrive *gd = state;
	return gdrive_remove(gd, remote_id, gd->purge_deletes);
}

/* ---- download ---- */

struct download {
	const char *remote;
	int fd;
	struct gdrive_digest digest;
	int64_t size, bytes; /* declared, written */
};

static int sink(void *ctx, const void *data, size_t len)
{
	struct download *d = ctx;
	/* Beyond the declared size is not this file: stop before it fills the disk. */
	if ((int64_t)len > d->size - d->bytes)
		return vrp_error_set(VRP_ECHECKSUM,
				     "remote %s: the download is longer than the %lld bytes Drive "
				     "declared; stopped",
				     d->remote, (long long)d->size);
	if (vrp_fs_write_all(d->fd, data, len) != 0)
		return vrp_error_from_errno(errno, "cannot write the download");
	d->bytes += (int64_t)len;
	return 0;
}

static int hashing_sink(void *ctx, const void *data, size_t len)
{
	struct download *d = ctx;
	int rc = gdrive_digest_update(&d->digest, data, len);
	return rc < 0 ? rc : sink(ctx, data, len);
}

static int fetch_media(struct gdrive *gd, const char *id, struct download *d,
		       vrp_transfer_progress_fn progress, void *progress_ctx)
{
	char *url = NULL, *escaped = vrp_http_escape(id);
	if (!escaped || asprintf(&url, "%s/files/%s?alt=media", gd->api_url, escaped) < 0)
		url = NULL;
	free(escaped);
	if (!url)
		return vrp_error_oom();
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.method = "GET";
	q.url = url;
	q.sink = hashing_sink;
	q.sink_ctx = d;
	q.progress = progress;
	q.progress_ctx = progress_ctx;
	q.progress_total = d->size;
	q.expected_bytes = d->size;
	struct vrp_http_response r;
	int rc = gdrive_send(gd, &q, NULL, &r);
	if (rc == 0 && (r.status < 200 || r.status > 299))
		rc = gdrive_error(gd->name, "downloading a file", &r);
	vrp_http_response_clear(&r);
	free(url);
	return rc;
}

int gdrive_download(void *state, const char *remote_id, int fd, vrp_transfer_progress_fn progress,
		    void *progress_ctx)
{
	struct gdrive *gd = state;
	char *path = NULL, *escaped = vrp_http_escape(remote_id);
	if (!escaped ||
	    asprintf(&path, "/files/%s?fields=id,size,md5Checksum,sha256Checksum", escaped) < 0)
		path = NULL;
	free(escaped);
	if (!path)
		return vrp_error_oom();
	json_t *meta = NULL;
	struct download d = { .remote = gd->name, .fd = fd };
	int rc = gdrive_call_json(gd, "GET", path, NULL, "reading a file's metadata", &meta);
	free(path);
	d.size = rc == 0 ? gdrive_bytes(meta, "size") : -1;
	if (rc == 0 && d.size < 0)
		rc = vrp_error_set(VRP_ETRANSIENT, "remote %s: file %s: the metadata has no size",
				   gd->name, remote_id);
	if (rc == 0)
		rc = gdrive_digest_init(&d.digest);
	if (rc == 0)
		rc = fetch_media(gd, remote_id, &d, progress, progress_ctx);
	char sha256[VRP_SHA256_HEX_LEN], md5[33], message[256];
	if (rc == 0)
		rc = gdrive_digest_final(&d.digest, sha256, md5);
	/* The core checks the catalogue's sha256; this catches a transfer Drive did not vouch for.
	 */
	if (rc == 0 && !gdrive_verify(meta, d.bytes, sha256, md5, message, sizeof(message)))
		rc = vrp_error_set(VRP_ECHECKSUM, "remote %s: download of %s: %s", gd->name,
				   remote_id, message);
	gdrive_digest_clear(&d.digest);
	json_decref(meta);
	return rc;
}

/* ---- quota ---- */

int gdrive_quota_of(const char *remote, const json_t *about, vrp_storage_info *out)
{
	const json_t *quota = json_object_get(about, "storageQuota");
	out->used = gdrive_bytes(quota, "usage");
	/* No limit means unlimited storage (some Workspace plans): total and free unknown. */
	out->total = gdrive_bytes(quota, "limit");
	out->free = -1;
	if (out->used < 0 || (out->total < 0 && json_object_get(quota, "limit")))
		return vrp_error_set(VRP_ETRANSIENT,
				     "remote %s: reading the storage quota: the answer holds no "
				     "readable storageQuota",
				     remote);
	if (out->total >= 0)
		out->free = out->total > out->used ? out->total - out->used : 0;
	return 0;
}

int gdrive_storage_info(void *state, vrp_storage_info *out)
{
	struct gdrive *gd = state;
	json_t *about = NULL;
	int rc = gdrive_call_json(gd, "GET", "/about?fields=storageQuota", NULL,
				  "reading the storage quota", &about);
	if (rc == 0)
		rc = gdrive_quota_of(gd->name, about, out);
	json_decref(about);
	return rc;
}
