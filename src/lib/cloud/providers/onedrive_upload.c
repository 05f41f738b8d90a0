/*
 * onedrive_upload.c - putting a file on OneDrive exactly once, verified.
 *
 * OneDrive has no appProperties to find a retried upload by, but vrp's
 * remote names are deterministic (they carry the recording's uuid): before
 * anything is sent, the item at the target path is looked up, and one with
 * the file's size and QuickXorHash is the upload that already arrived.
 * Every write says conflictBehavior=replace, so a retry replaces the item
 * at its own path and can never make "memo 1 1.wav". Files up to 4 MiB go
 * in one PUT, larger ones through an upload session (onedrive_session.c).
 * The stored item's size and quickXorHash must match the local file, else
 * it is deleted and the upload fails with VRP_ECHECKSUM. The item's
 * description carries the recording's uuid and sha256 for people and tools.
 */
#include "cloud/providers/onedrive_upload.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HASH_BUFFER (256 << 10)

/* sha256 and QuickXorHash of the whole local file, read once before anything is sent. */
static int hash_file(struct onedrive_upload *up)
{
	vrp_sha256 *sha = NULL;
	struct vrp_quickxor qx;
	vrp_quickxor_init(&qx);
	unsigned char *buf = malloc(HASH_BUFFER);
	int rc = buf ? vrp_sha256_new(&sha) : vrp_error_oom();
	for (int64_t at = 0; rc == 0 && at < up->size;) {
		ssize_t n = pread(up->fd, buf, HASH_BUFFER, (off_t)at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = n < 0 ? vrp_error_from_errno(errno, "cannot read %s",
							  up->request->local_path)
				   : vrp_error_set(VRP_EIO, "%s shrank while being uploaded",
						   up->request->local_path);
		if (rc == 0) {
			vrp_quickxor_update(&qx, buf, (size_t)n);
			rc = vrp_sha256_update(sha, buf, (size_t)n);
			at += n;
		}
		if (rc == 0 && up->request->progress &&
		    up->request->progress(up->request->progress_ctx, 0, up->size) != 0)
			rc = vrp_error_set(VRP_ECANCELLED, "the upload of %s was cancelled",
					   up->request->local_path);
	}
	if (rc == 0)
		rc = vrp_sha256_final_hex(sha, up->sha256);
	vrp_quickxor_final(&qx, up->qxh);
	vrp_sha256_free(sha);
	free(buf);
	const char *expected = up->request->sha256;
	if (rc == 0 && expected && strcmp(expected, up->sha256) != 0)
		rc = vrp_error_set(VRP_ECHECKSUM, "%s has sha256 %s, the catalogue says %s",
				   up->request->local_path, up->sha256, expected);
	return rc;
}

static const char *metadata_value(const vrp_upload_request *request, const char *key)
{
	for (size_t i = 0; i < request->metadata_count; i++)
		if (!strcmp(request->metadata[i].key, key))
			return request->metadata[i].value;
	return NULL;
}

int onedrive_upload_find_existing(struct onedrive_upload *up)
{
	json_t *item = NULL;
	int rc = onedrive_find(up->od, up->rel, &item);
	if (rc == VRP_EREMOTE_NOT_FOUND)
		return 0;
	char message[256];
	if (rc == 0 && onedrive_matches(item, up->size, up->qxh, message, sizeof(message))) {
		json_decref(up->item);
		up->item = item;
		return 1;
	}
	json_decref(item);
	return rc;
}

/* One PUT of the whole file to the item's /content. */
static int upload_simple(struct onedrive_upload *up)
{
	char *url = onedrive_item_url(up->od, up->rel,
				      "/content?@microsoft.graph.conflictBehavior=replace");
	if (!url)
		return vrp_error_oom();
	static const char *const headers[] = { "Content-Type: application/octet-stream", NULL };
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.method = "PUT";
	q.url = url;
	q.body_fd = up->fd;
	q.file_offset = 0;
	q.file_len = up->size;
	/* An empty file is an empty memory body: a zero-length file body means "none". */
	if (up->size == 0) {
		q.body_fd = -1;
		q.body = "";
	}
	q.progress = up->request->progress;
	q.progress_ctx = up->request->progress_ctx;
	q.progress_total = up->size;
	struct vrp_http_response r;
	int rc = onedrive_send(up->od, &q, headers, &r);
	if (rc == 0 && r.status != 200 && r.status != 201)
		rc = onedrive_error(up->od->name, "uploading", &r);
	if (rc == 0)
		up->item = r.body ? json_loads(r.body, 0, NULL) : NULL;
	if (rc == 0 && !json_is_object(up->item))
		rc = vrp_error_set(VRP_ETRANSIENT,
				   "remote %s: upload of %s: the answer holds no "
				   "item",
				   up->od->name, up->request->remote_path);
	vrp_http_response_clear(&r);
	free(url);
	return rc;
}

/* A simple PUT cannot carry the description: it follows in a PATCH (not fatal). */
static void describe(struct onedrive_upload *up)
{
	const char *id = json_string_value(json_object_get(up->item, "id"));
	const char *have = json_string_value(json_object_get(up->item, "description"));
	if (!id || !onedrive_is_id(id) || (have && !strcmp(have, up->description)))
		return;
	char *path = NULL, *escaped = vrp_http_escape(id);
	json_t *body = json_pack("{s:s}", "description", up->description);
	int rc;
	if (escaped && body && asprintf(&path, "/me/drive/items/%s", escaped) >= 0) {
		rc = onedrive_call(up->od, "PATCH", path, body, "describing an upload", NULL);
	} else {
		path = NULL;
		rc = vrp_error_oom();
	}
	if (rc < 0)
		VRP_LOG_WARNING("onedrive", json_pack("{s:s}", "remote", up->od->name),
				"remote %s: cannot set the description of %s: %s", up->od->name,
				up->request->remote_path, vrp_error_last()->message);
	json_decref(body);
	free(escaped);
	free(path);
}

static int verify(struct onedrive_upload *up, vrp_remote_object **out)
{
	char message[256];
	const char *id = json_string_value(json_object_get(up->item, "id"));
	if (!onedrive_is_id(id))
		return vrp_error_set(VRP_ETRANSIENT, "remote %s: upload of %s: the item has no id",
				     up->od->name, up->request->remote_path);
	if (!onedrive_matches(up->item, up->size, up->qxh, message, sizeof(message))) {
		int rc = vrp_error_set(VRP_ECHECKSUM, "remote %s: upload of %s: %s; removed it",
				       up->od->name, up->request->remote_path, message);
		if (onedrive_remove(up->od, id, true) < 0)
			rc = vrp_error_set(VRP_ECHECKSUM,
					   "remote %s: upload of %s: %s; removing it failed too",
					   up->od->name, up->request->remote_path, message);
		return rc;
	}
	if (!out)
		return 0;
	*out = onedrive_object(up->item, up->request->remote_path);
	if (!*out || vrp_field_set(&(*out)->verification, "quickxorhash") < 0)
		return VRP_ENOMEM;
	return 0;
}

static int prepare(struct onedrive_upload *up)
{
	struct stat st;
	int rc = vrp_fs_open_regular(up->request->local_path, &up->fd, &st);
	if (rc < 0)
		return rc;
	up->size = st.st_size;
	rc = hash_file(up);
	if (rc == 0 && !(up->rel = onedrive_relative(up->request->remote_path)))
		rc = vrp_error_oom();
	if (rc == 0 && !*up->rel)
		rc = vrp_error_set(VRP_EINVAL, "remote %s: %s names the root, not a file",
				   up->od->name, up->request->remote_path);
	/* The recording's metadata names its uuid and sha256 too; pull reads it back. */
	const char *json = up->request->metadata_json;
	if (rc == 0 && json && !(up->description = strdup(json)))
		return vrp_error_oom();
	const char *uuid = metadata_value(up->request, "uuid");
	if (rc == 0 && !json &&
	    asprintf(&up->description, "vrp%s%s sha256=%s", uuid ? " uuid=" : "", uuid ? uuid : "",
		     up->sha256) < 0) {
		up->description = NULL;
		rc = vrp_error_oom();
	}
	return rc;
}

int onedrive_upload(void *state, const vrp_upload_request *request, vrp_remote_object **out,
		    char **resume_state)
{
	struct onedrive_upload up = { .od = state, .request = request, .fd = -1 };
	if (resume_state)
		*resume_state = NULL;
	int rc = prepare(&up);
	int found = 0;
	if (rc == 0 && !request->replace)
		rc = found = onedrive_upload_find_existing(&up);
	if (found == 1) {
		rc = 0;
		VRP_LOG_INFO("onedrive",
			     json_pack("{s:s, s:o}", "remote", up.od->name, "path",
				       vrp_log_titled_path(request->remote_path)),
			     "remote %s: the file is already there from an earlier attempt",
			     up.od->name);
	} else if (rc == 0) {
		rc = up.size <= ONEDRIVE_SIMPLE_MAX ? upload_simple(&up)
						    : onedrive_upload_session(&up);
	}
	if (rc == 0)
		rc = verify(&up, out);
	if (rc == 0)
		describe(&up);
	else if (up.session && resume_state)
		*resume_state = onedrive_resume_state(&up);
	if (up.fd >= 0)
		close(up.fd);
	json_decref(up.item);
	free(up.session);
	free(up.rel);
	free(up.description);
	return rc;
}
