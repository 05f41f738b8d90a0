/*
 * onedrive_list.c - reading the root: listings (children of every folder,
 * paged by @odata.nextLink), stat by path, verified downloads (the 302 to a
 * pre-authenticated URL followed without the bearer token, resumed with
 * Range after a drop), deletes (to the recycle bin unless delete_policy is
 * purge) and the storage quota of /me/drive.
 *
 * A listing walks the folders once, at its first page, and hands out the
 * files sorted by path from that snapshot; the page token is the offset
 * into it. A token from another process (or an old one) walks again.
 */
#include "cloud/providers/onedrive.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "core/ptrarray.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_PAGE_SIZE 1000
/* Folders deeper than this are not vrp's (it makes <year>/<month>): a guard against cycles. */
#define MAX_DEPTH         8
#define MAX_PAGES         100000
#define DOWNLOAD_ATTEMPTS 3

struct onedrive_listing {
	char *prefix;
	vrp_remote_object **items;
	size_t count, capacity;
};

void onedrive_listing_free(struct onedrive_listing *listing)
{
	if (!listing)
		return;
	for (size_t i = 0; i < listing->count; i++)
		vrp_remote_object_free(listing->items[i]);
	free(listing->items);
	free(listing->prefix);
	free(listing);
}

int onedrive_find(struct onedrive *od, const char *rel, json_t **item)
{
	*item = NULL;
	char *url = onedrive_item_url(od, rel, "");
	if (!url)
		return vrp_error_oom();
	int rc = onedrive_call_url(od, "GET", url, NULL, "looking up a file", item);
	free(url);
	if (rc == 0 && !json_is_object(json_object_get(*item, "file"))) {
		json_decref(*item);
		*item = NULL;
		rc = vrp_error_set(VRP_EREMOTE_NOT_FOUND, "remote %s: %s is a folder, not a file",
				   od->name, rel);
	}
	return rc;
}

int onedrive_stat(void *state, const char *remote_path, unsigned flags, vrp_remote_object **out)
{
	(void)flags; /* OneDrive keeps the QuickXorHash: asking costs nothing extra */
	struct onedrive *od = state;
	char *rel = onedrive_relative(remote_path);
	json_t *item = NULL;
	int rc = rel ? onedrive_find(od, rel, &item) : vrp_error_oom();
	if (rc == 0 && !(*out = onedrive_object(item, remote_path)))
		rc = VRP_ENOMEM;
	json_decref(item);
	free(rel);
	return rc;
}

/* ---- listing ---- */

/* Why a listed child cannot be used, or NULL when it can. */
static const char *child_problem(const json_t *c)
{
	const char *name = json_string_value(json_object_get(c, "name"));
	if (!json_is_object(c))
		return "not an item";
	if (!onedrive_is_id(json_string_value(json_object_get(c, "id"))))
		return "no usable id";
	if (!name || !*name || !strcmp(name, ".") || !strcmp(name, "..") || strchr(name, '/') ||
	    strchr(name, '\\'))
		return "no usable name";
	if (json_object_get(c, "file") && onedrive_size(c) < 0)
		return "no size";
	return NULL;
}

static int add_file(struct onedrive_listing *l, const json_t *c, const char *rel)
{
	char *path = onedrive_vrp_path(rel);
	vrp_remote_object *o = path ? onedrive_object(c, path) : NULL;
	free(path);
	if (!o || vrp_ptr_array_reserve(&l->items, &l->capacity, l->count + 1) < 0) {
		vrp_remote_object_free(o);
		return vrp_error_oom();
	}
	l->items[l->count++] = o;
	return 0;
}

static int walk(struct onedrive *od, struct onedrive_listing *l, const char *dir, int depth);

/* One child: a file joins the listing, a folder is walked. */
static int take_child(struct onedrive *od, struct onedrive_listing *l, const char *dir,
		      const json_t *c, int depth)
{
	const char *problem = child_problem(c);
	const char *name = json_string_value(json_object_get(c, "name"));
	if (problem) {
		VRP_LOG_WARNING("onedrive",
				json_pack("{s:s, s:s}", "remote", od->name, "problem", problem),
				"remote %s: skipped a listed item (%s)", od->name, problem);
		return 0;
	}
	char *rel = NULL;
	if (asprintf(&rel, "%s%s%s", dir, *dir ? "/" : "", name) < 0)
		return vrp_error_oom();
	int rc = 0;
	if (json_object_get(c, "folder"))
		rc = walk(od, l, rel, depth + 1);
	else if (json_object_get(c, "file"))
		rc = add_file(l, c, rel);
	/*
	 * A folder deleted since its parent was listed holds nothing now; only a
	 * missing root means an empty listing, so this must not end the walk.
	 */
	if (rc == VRP_EREMOTE_NOT_FOUND) {
		VRP_LOG_INFO("onedrive", json_pack("{s:s}", "remote", od->name),
			     "remote %s: a folder vanished while being listed", od->name);
		rc = 0;
	}
	free(rel);
	return rc;
}

/* One page of children: `*next` the nextLink (malloc'd) or NULL on the last. */
static int children_page(struct onedrive *od, struct onedrive_listing *l, const char *dir,
			 const char *url, int depth, char **next)
{
	*next = NULL;
	json_t *answer = NULL;
	int rc = onedrive_call_url(od, "GET", url, NULL, "listing a folder", &answer);
	const json_t *value = json_object_get(answer, "value");
	const json_t *link = json_object_get(answer, "@odata.nextLink");
	if (rc == 0 && (!json_is_array(value) || (link && !json_is_string(link))))
		rc = vrp_error_set(VRP_ETRANSIENT,
				   "remote %s: listing %s: the answer holds no "
				   "item list",
				   od->name, *dir ? dir : "the root");
	/* The bearer token goes with the next page: only ever to our own API. */
	const char *text = json_string_value(link);
	if (rc == 0 && text && !vrp_http_same_origin(text, od->api_url))
		rc = vrp_error_set(VRP_EPERMANENT,
				   "remote %s: listing %s: the next page is on another server; "
				   "refusing to follow it",
				   od->name, *dir ? dir : "the root");
	size_t i;
	const json_t *c;
	json_array_foreach(value, i, c)
	{
		if (rc == 0)
			rc = take_child(od, l, dir, c, depth);
	}
	if (rc == 0 && text && *text && !(*next = strdup(text)))
		rc = vrp_error_oom();
	json_decref(answer);
	return rc;
}

static int walk(struct onedrive *od, struct onedrive_listing *l, const char *dir, int depth)
{
	if (depth > MAX_DEPTH)
		return 0;
	char *url = onedrive_item_url(od, dir, "/children?$top=200");
	int rc = url ? 0 : vrp_error_oom();
	for (int pages = 0; rc == 0 && url; pages++) {
		char *next = NULL;
		if (pages >= MAX_PAGES)
			rc = vrp_error_set(VRP_ETRANSIENT,
					   "remote %s: listing %s never ends; stopping", od->name,
					   *dir ? dir : "the root");
		else
			rc = children_page(od, l, dir, url, depth, &next);
		if (next && !strcmp(next, url))
			rc = vrp_error_set(VRP_ETRANSIENT,
					   "remote %s: the same next page twice; stopping",
					   od->name);
		free(url);
		url = next;
	}
	free(url);
	return rc;
}

static int by_path(const void *a, const void *b)
{
	const vrp_remote_object *x = *(vrp_remote_object *const *)a;
	const vrp_remote_object *y = *(vrp_remote_object *const *)b;
	return strcmp(x->path, y->path);
}

static int snapshot(struct onedrive *od, const char *prefix)
{
	onedrive_listing_free(od->listing);
	od->listing = NULL;
	struct onedrive_listing *l = calloc(1, sizeof(*l));
	char *rel = onedrive_relative(prefix ? prefix : "");
	if (!l || !rel || !(l->prefix = strdup(prefix ? prefix : ""))) {
		free(rel);
		onedrive_listing_free(l);
		return vrp_error_oom();
	}
	int rc = walk(od, l, rel, 0);
	/* No root yet (nothing uploaded, or the prefix names no folder): an empty listing. */
	if (rc == VRP_EREMOTE_NOT_FOUND)
		rc = 0;
	free(rel);
	if (rc < 0) {
		onedrive_listing_free(l);
		return rc;
	}
	if (l->count > 1)
		qsort(l->items, l->count, sizeof(*l->items), by_path);
	od->listing = l;
	return 0;
}

/* The offset a token of ours names, or -1. */
static long long token_offset(const char *token)
{
	if (!token || strncmp(token, "od:", 3) != 0)
		return -1;
	char *end = NULL;
	long long v = strtoll(token + 3, &end, 10);
	return *end || v < 0 ? -1 : v;
}

static vrp_remote_object *copy_object(const vrp_remote_object *o)
{
	vrp_remote_object *c = vrp_remote_object_alloc();
	if (!c)
		return NULL;
	c->size = o->size;
	c->checksum_kind = o->checksum_kind;
	if (vrp_field_set(&c->remote_id, o->remote_id) < 0 ||
	    vrp_field_set(&c->path, o->path) < 0 ||
	    vrp_field_set(&c->mime_type, o->mime_type) < 0 ||
	    vrp_field_set(&c->created_at, o->created_at) < 0 ||
	    vrp_field_set(&c->etag, o->etag) < 0 || vrp_field_set(&c->checksum, o->checksum) < 0 ||
	    vrp_field_set(&c->metadata_json, o->metadata_json) < 0) {
		vrp_remote_object_free(c);
		return NULL;
	}
	return c;
}

int onedrive_list(void *state, const char *prefix, const char *page_token, size_t page_size,
		  vrp_remote_page **out)
{
	struct onedrive *od = state;
	if (page_size == 0 || page_size > DEFAULT_PAGE_SIZE)
		page_size = DEFAULT_PAGE_SIZE;
	long long at = token_offset(page_token);
	if (page_token && at < 0)
		return vrp_error_set(VRP_EINVAL, "remote %s: '%s' is not a listing page token",
				     od->name, page_token);
	int rc = 0;
	bool same = od->listing && !strcmp(od->listing->prefix, prefix ? prefix : "");
	if (!page_token || !same)
		rc = snapshot(od, prefix);
	if (rc < 0)
		return rc;
	vrp_remote_page *page = calloc(1, sizeof(*page));
	size_t capacity = 0;
	rc = page ? 0 : vrp_error_oom();
	struct onedrive_listing *l = od->listing;
	size_t i = (size_t)(at < 0 ? 0 : at);
	for (; rc == 0 && i < l->count && page->count < page_size; i++) {
		vrp_remote_object *o = copy_object(l->items[i]);
		rc = o ? vrp_remote_page_append(page, &capacity, o) : vrp_error_oom();
		if (rc < 0)
			vrp_remote_object_free(o);
	}
	if (rc == 0 && i < l->count && asprintf(&page->next_page_token, "od:%zu", i) < 0) {
		page->next_page_token = NULL;
		rc = vrp_error_oom();
	}
	if (rc < 0) {
		vrp_remote_page_free(page);
		return rc;
	}
	*out = page;
	return 0;
}

/* ---- delete ---- */

int onedrive_remove(struct onedrive *od, const char *id, bool permanent)
{
	char *path = NULL, *escaped = vrp_http_escape(id);
	if (!escaped || asprintf(&path, "/me/drive/items/%s%s", escaped,
				 permanent ? "/permanentDelete" : "") < 0)
		path = NULL;
	free(escaped);
	if (!path)
		return vrp_error_oom();
	int rc = onedrive_call(
		od, permanent ? "POST" : "DELETE", path, NULL,
		permanent ? "deleting a file for good" : "moving a file to the recycle bin", NULL);
	free(path);
	return rc;
}

int onedrive_delete(void *state, const char *remote_id)
{
	struct onedrive *od = state;
	if (!onedrive_is_id(remote_id))
		return vrp_error_set(VRP_EINVAL, "remote %s: '%s' is not a OneDrive item id",
				     od->name, remote_id);
	return onedrive_remove(od, remote_id, od->purge_deletes);
}

/* ---- download ---- */

struct download {
	const char *remote;
	int fd;
	struct vrp_quickxor qx;
	int64_t size, bytes; /* declared, written */
};

static int sink(void *ctx, const void *data, size_t len)
{
	struct download *d = ctx;
	/* Beyond the declared size is not this file: stop before it fills the disk. */
	if ((int64_t)len > d->size - d->bytes)
		return vrp_error_set(VRP_ECHECKSUM,
				     "remote %s: the download is longer than the %lld bytes "
				     "OneDrive declared; stopped",
				     d->remote, (long long)d->size);
	if (vrp_fs_write_all(d->fd, data, len) != 0)
		return vrp_error_from_errno(errno, "cannot write the download");
	vrp_quickxor_update(&d->qx, data, len);
	d->bytes += (int64_t)len;
	return 0;
}

/* The pre-authenticated URL of the content: the Location of /content's 302. */
static int content_location(struct onedrive *od, const char *id, char **location)
{
	*location = NULL;
	char *url = NULL, *escaped = vrp_http_escape(id);
	if (!escaped || asprintf(&url, "%s/me/drive/items/%s/content", od->api_url, escaped) < 0)
		url = NULL;
	free(escaped);
	if (!url)
		return vrp_error_oom();
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.method = "GET";
	q.url = url;
	struct vrp_http_response r;
	int rc = onedrive_send(od, &q, NULL, &r);
	if (rc == 0 && r.status != 302 && r.status != 301 && r.status != 307)
		rc = onedrive_error(od->name, "downloading a file", &r);
	else if (rc == 0 && (!r.location || !vrp_http_url_allowed(r.location)))
		rc = vrp_error_set(VRP_ETRANSIENT,
				   "remote %s: the download redirect has no https Location",
				   od->name);
	else if (rc == 0 && !(*location = strdup(r.location)))
		rc = vrp_error_oom();
	vrp_http_response_clear(&r);
	free(url);
	return rc;
}

/* GETs the content from d->bytes on, without the bearer token (the URL is the credential). */
static int fetch_from(struct onedrive *od, const char *location, struct download *d,
		      vrp_transfer_progress_fn progress, void *progress_ctx)
{
	char range[64];
	snprintf(range, sizeof(range), "Range: bytes=%lld-", (long long)d->bytes);
	const char *headers[] = { range, NULL };
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.method = "GET";
	q.url = location;
	q.headers = d->bytes > 0 ? headers : NULL;
	q.sink = sink;
	q.sink_ctx = d;
	q.progress = progress;
	q.progress_ctx = progress_ctx;
	q.progress_base = d->bytes;
	q.progress_total = d->size;
	q.expected_bytes = d->size - d->bytes;
	struct vrp_http_response r;
	int rc = vrp_http_perform(od->http, &q, &r);
	if (rc == 0 && d->bytes > 0 && r.status == 200)
		rc = vrp_error_set(VRP_ETRANSIENT,
				   "remote %s: the server ignored the Range of a "
				   "resumed download",
				   od->name);
	else if (rc == 0 && r.status != 200 && r.status != 206)
		rc = onedrive_error(od->name, "downloading a file", &r);
	vrp_http_response_clear(&r);
	return rc;
}

/* Fetches every byte, resuming with Range after a dropped connection. */
static int fetch_content(struct onedrive *od, const char *id, struct download *d,
			 vrp_transfer_progress_fn progress, void *progress_ctx)
{
	char *location = NULL;
	int rc = d->size > 0 ? content_location(od, id, &location) : 0;
	for (int attempt = 0; rc == 0 && d->bytes < d->size; attempt++) {
		int64_t before = d->bytes;
		rc = fetch_from(od, location, d, progress, progress_ctx);
		if (rc == 0 && d->bytes < d->size)
			rc = vrp_error_set(VRP_ETRANSIENT, "remote %s: the download ended early",
					   od->name);
		/* A drop that moved bytes is worth another Range request; a dead URL is not. */
		if (rc == VRP_ETRANSIENT && d->bytes > before && attempt + 1 < DOWNLOAD_ATTEMPTS) {
			VRP_LOG_INFO("onedrive", json_pack("{s:s}", "remote", od->name),
				     "remote %s: download interrupted at byte %lld; resuming",
				     od->name, (long long)d->bytes);
			rc = 0;
		}
	}
	free(location);
	return rc;
}

int onedrive_download(void *state, const char *remote_id, int fd, vrp_transfer_progress_fn progress,
		      void *progress_ctx)
{
	struct onedrive *od = state;
	if (!onedrive_is_id(remote_id))
		return vrp_error_set(VRP_EINVAL, "remote %s: '%s' is not a OneDrive item id",
				     od->name, remote_id);
	char *path = NULL, *escaped = vrp_http_escape(remote_id);
	if (!escaped || asprintf(&path, "/me/drive/items/%s", escaped) < 0)
		path = NULL;
	free(escaped);
	if (!path)
		return vrp_error_oom();
	json_t *meta = NULL;
	struct download d = { .remote = od->name, .fd = fd };
	vrp_quickxor_init(&d.qx);
	int rc = onedrive_call(od, "GET", path, NULL, "reading a file's metadata", &meta);
	free(path);
	d.size = rc == 0 ? onedrive_size(meta) : -1;
	if (rc == 0 && (d.size < 0 || !json_is_object(json_object_get(meta, "file"))))
		rc = vrp_error_set(VRP_ETRANSIENT,
				   "remote %s: item %s: the metadata has no file "
				   "size",
				   od->name, remote_id);
	if (rc == 0)
		rc = fetch_content(od, remote_id, &d, progress, progress_ctx);
	char qxh[VRP_QUICKXOR_BASE64], message[256];
	vrp_quickxor_final(&d.qx, qxh);
	/* The core checks the catalogue's sha256; this checks what OneDrive vouches for. */
	if (rc == 0 && !onedrive_matches(meta, d.bytes, qxh, message, sizeof(message)))
		rc = vrp_error_set(VRP_ECHECKSUM, "remote %s: download of %s: %s", od->name,
				   remote_id, message);
	json_decref(meta);
	return rc;
}

/* ---- quota ---- */

int onedrive_storage_info(void *state, vrp_storage_info *out)
{
	struct onedrive *od = state;
	json_t *drive = NULL;
	int rc = onedrive_call(od, "GET", "/me/drive", NULL, "reading the storage quota", &drive);
	const json_t *quota = json_object_get(drive, "quota");
	const json_t *used = json_object_get(quota, "used");
	const json_t *total = json_object_get(quota, "total");
	const json_t *left = json_object_get(quota, "remaining");
	if (rc == 0 && (!json_is_integer(used) || json_integer_value(used) < 0))
		rc = vrp_error_set(VRP_ETRANSIENT,
				   "remote %s: reading the storage quota: the answer holds no "
				   "readable quota",
				   od->name);
	if (rc == 0) {
		out->used = (int64_t)json_integer_value(used);
		out->total = json_is_integer(total) && json_integer_value(total) >= 0
				     ? (int64_t)json_integer_value(total)
				     : -1;
		out->free = json_is_integer(left) && json_integer_value(left) >= 0
				    ? (int64_t)json_integer_value(left)
				    : -1;
	}
	json_decref(drive);
	return rc;
}
