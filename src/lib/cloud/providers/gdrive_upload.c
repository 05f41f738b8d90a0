/*
 * gdrive_upload.c - putting a file on Drive exactly once, verified.
 *
 * Every file carries appProperties {uuid, sha256}. Before anything is sent,
 * the target folder is asked for a file with the recording's uuid, name and
 * content: a retried or crashed upload finds the copy that already arrived
 * instead of making a second. Small files go in one multipart request,
 * larger ones through a resumable session (gdrive_resumable.c). The stored
 * file's size and sha256Checksum (md5Checksum where Drive gives only that)
 * must match the local file, else it is deleted and the upload fails with
 * VRP_ECHECKSUM. Older files of the same name in the folder are then moved
 * to the trash: an upload replaces what was at its path.
 */
#include "cloud/providers/gdrive_upload.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/log.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HASH_BUFFER (256 << 10)

/* sha256 and md5 of the whole local file, read once before anything is sent. */
static int hash_file(struct gdrive_upload *up)
{
	struct gdrive_digest d;
	unsigned char *buf = malloc(HASH_BUFFER);
	int rc = buf ? gdrive_digest_init(&d) : vrp_error_oom();
	if (rc < 0) {
		free(buf);
		return rc;
	}
	for (int64_t at = 0; rc == 0 && at < up->size;) {
		ssize_t n = pread(up->fd, buf, HASH_BUFFER, (off_t)at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = n < 0 ? vrp_error_from_errno(errno, "cannot read %s",
							  up->request->local_path)
				   : vrp_error_set(VRP_EIO, "%s shrank while being uploaded",
						   up->request->local_path);
		else
			rc = gdrive_digest_update(&d, buf, (size_t)n);
		at += n > 0 ? n : 0;
		/* Hashing a large file takes a while: a sign of life (and a chance to stop). */
		if (rc == 0 && up->request->progress &&
		    up->request->progress(up->request->progress_ctx, 0, up->size) != 0)
			rc = vrp_error_set(VRP_ECANCELLED, "the upload of %s was cancelled",
					   up->request->local_path);
	}
	if (rc == 0)
		rc = gdrive_digest_final(&d, up->sha256, up->md5);
	gdrive_digest_clear(&d);
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

/* The resource to create: name, folder, type, and the request's metadata as appProperties. */
static int build_metadata(struct gdrive_upload *up)
{
	json_t *props = json_object();
	const vrp_upload_request *r = up->request;
	int rc = props ? 0 : vrp_error_oom();
	for (size_t i = 0; rc == 0 && i < r->metadata_count; i++)
		if (json_object_set_new(props, r->metadata[i].key,
					json_string(r->metadata[i].value)) != 0)
			rc = vrp_error_oom();
	/* Our own hash: the metadata's may be absent (the probe of `vrp remote test`). */
	if (rc == 0 && json_object_set_new(props, "sha256", json_string(up->sha256)) != 0)
		rc = vrp_error_oom();
	if (rc == 0)
		up->metadata =
			json_pack("{s:s, s:[s], s:s, s:O}", "name", up->name, "parents",
				  up->parent_id, "mimeType", up->mime, "appProperties", props);
	if (rc == 0 && !up->metadata)
		rc = vrp_error_oom();
	/* appProperties hold 124 bytes a key: the whole document goes in the description. */
	const char *doc = r->metadata_json;
	if (rc == 0 && doc && json_object_set_new(up->metadata, "description", json_string(doc)))
		rc = vrp_error_oom();
	json_decref(props);
	return rc;
}

/* A file in the folder with our uuid, our name and our content: the upload already happened. */
static int find_existing(struct gdrive_upload *up)
{
	const char *uuid = metadata_value(up->request, "uuid");
	if (!uuid)
		return 0;
	char *quuid = gdrive_quote(uuid), *qparent = gdrive_quote(up->parent_id), *q = NULL;
	if (!quuid || !qparent ||
	    asprintf(&q,
		     "appProperties has { key='uuid' and value=%s } and %s in parents and "
		     "trashed = false",
		     quuid, qparent) < 0)
		q = NULL;
	free(quuid);
	free(qparent);
	if (!q)
		return vrp_error_oom();
	json_t *files = NULL;
	int rc = gdrive_query(up->gd, q, "looking for an earlier upload", &files);
	free(q);
	size_t i;
	json_t *f;
	char message[256];
	json_array_foreach(files, i, f)
	{
		const char *name = json_string_value(json_object_get(f, "name"));
		if (name && !strcmp(name, up->name) &&
		    gdrive_verify(f, up->size, up->sha256, up->md5, message, sizeof(message))) {
			up->file = json_incref(f);
			VRP_LOG_INFO("gdrive",
				     json_pack("{s:s, s:o}", "remote", up->gd->name, "path",
					       vrp_log_titled_path(up->request->remote_path)),
				     "remote %s: the file is already there from an earlier attempt",
				     up->gd->name);
			break;
		}
	}
	json_decref(files);
	return rc;
}

static int multipart_body(struct gdrive_upload *up, const char *boundary, char **body, size_t *len)
{
	char *meta = json_dumps(up->metadata, JSON_COMPACT), *head = NULL, *tail = NULL;
	int hn = meta ? asprintf(&head,
				 "--%s\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n%s"
				 "\r\n--%s\r\nContent-Type: %s\r\n\r\n",
				 boundary, meta, boundary, up->mime)
		      : -1;
	int tn = asprintf(&tail, "\r\n--%s--\r\n", boundary);
	free(meta);
	*len = (size_t)hn + (size_t)up->size + (size_t)tn;
	*body = hn >= 0 && tn >= 0 ? malloc(*len) : NULL;
	int rc = *body ? 0 : vrp_error_oom();
	if (rc == 0) {
		memcpy(*body, head, (size_t)hn);
		ssize_t n = pread(up->fd, *body + hn, (size_t)up->size, 0);
		if (n != (ssize_t)up->size)
			rc = vrp_error_from_errno(n < 0 ? errno : EIO, "cannot read %s",
						  up->request->local_path);
		memcpy(*body + hn + up->size, tail, (size_t)tn);
	}
	free(head);
	free(tail);
	return rc;
}

/* One request for a small file: metadata and content as multipart/related. */
static int upload_multipart(struct gdrive_upload *up)
{
	unsigned char random[12];
	char boundary[48], content_type[96], *body = NULL, *url = NULL;
	size_t len = 0;
	if (RAND_bytes(random, sizeof(random)) != 1)
		return vrp_error_set(VRP_ERROR, "the random generator failed");
	int at = snprintf(boundary, sizeof(boundary), "vrp-");
	for (size_t i = 0; i < sizeof(random); i++)
		at += snprintf(boundary + at, sizeof(boundary) - (size_t)at, "%02x", random[i]);
	snprintf(content_type, sizeof(content_type), "Content-Type: multipart/related; boundary=%s",
		 boundary);
	const char *headers[] = { content_type, NULL };
	int rc = multipart_body(up, boundary, &body, &len);
	if (rc == 0 && asprintf(&url, "%s/files?uploadType=multipart&" GDRIVE_UPLOAD_FIELDS,
				up->gd->upload_url) < 0) {
		url = NULL;
		rc = vrp_error_oom();
	}
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.method = "POST";
	q.url = url;
	q.body = body;
	q.body_len = len;
	q.progress = up->request->progress;
	q.progress_ctx = up->request->progress_ctx;
	q.progress_total = up->size;
	struct vrp_http_response r = { 0 };
	if (rc == 0)
		rc = gdrive_send(up->gd, &q, headers, &r);
	if (rc == 0 && r.status != 200 && r.status != 201)
		rc = gdrive_error(up->gd->name, "uploading", &r);
	if (rc == 0)
		rc = gdrive_upload_take_file(up, &r);
	vrp_http_response_clear(&r);
	free(body);
	free(url);
	return rc;
}

/* Older files of the same name in the folder go to the trash: the upload replaced them. */
static void trash_older(struct gdrive_upload *up, const char *keep_id)
{
	char *qname = gdrive_quote(up->name), *qparent = gdrive_quote(up->parent_id), *q = NULL;
	if (!qname || !qparent ||
	    asprintf(&q, "name = %s and %s in parents and trashed = false", qname, qparent) < 0)
		q = NULL;
	free(qname);
	free(qparent);
	json_t *files = NULL;
	int rc = q ? gdrive_query(up->gd, q, "looking for replaced files", &files) : VRP_ENOMEM;
	size_t i;
	json_t *f;
	json_array_foreach(files, i, f)
	{
		const char *id = json_string_value(json_object_get(f, "id"));
		const char *mime = json_string_value(json_object_get(f, "mimeType"));
		if (rc == 0 && id && strcmp(id, keep_id) != 0 &&
		    !(mime && !strcmp(mime, GDRIVE_FOLDER_MIME)))
			rc = gdrive_remove(up->gd, id, false);
	}
	if (rc < 0)
		VRP_LOG_WARNING("gdrive",
				json_pack("{s:s, s:o}", "remote", up->gd->name, "path",
					  vrp_log_titled_path(up->request->remote_path)),
				"remote %s: cannot trash the files an upload replaced: %s",
				up->gd->name, vrp_error_last()->message);
	json_decref(files);
	free(q);
}

/* The stored file must be ours byte for byte; one that is not is deleted, not left behind. */
static int verify(struct gdrive_upload *up, vrp_remote_object **out)
{
	char message[256];
	const char *how =
		gdrive_verify(up->file, up->size, up->sha256, up->md5, message, sizeof(message));
	const char *id = json_string_value(json_object_get(up->file, "id"));
	if (!how) {
		int rc = vrp_error_set(VRP_ECHECKSUM, "remote %s: upload of %s: %s; removed it",
				       up->gd->name, up->request->remote_path, message);
		if (id && gdrive_remove(up->gd, id, true) < 0)
			rc = vrp_error_set(VRP_ECHECKSUM,
					   "remote %s: upload of %s: %s; removing it failed too",
					   up->gd->name, up->request->remote_path, message);
		return rc;
	}
	trash_older(up, id);
	*out = gdrive_object(up->file, up->request->remote_path);
	if (!*out || vrp_field_set(&(*out)->verification, how) < 0)
		return VRP_ENOMEM;
	return 0;
}

static int prepare(struct gdrive_upload *up)
{
	struct stat st;
	int rc = vrp_fs_open_regular(up->request->local_path, &up->fd, &st);
	if (rc < 0)
		return rc;
	up->size = st.st_size;
	up->mime = vrp_mime_type_for_path(up->request->remote_path);
	rc = hash_file(up);
	if (rc == 0)
		rc = gdrive_split_path(up->request->remote_path, &up->dir, &up->name);
	const char *parent = NULL;
	if (rc == 0)
		rc = gdrive_folder_id(up->gd, up->dir, true, &parent);
	if (rc == 0 && !(up->parent_id = strdup(parent)))
		rc = vrp_error_oom();
	if (rc == 0)
		rc = build_metadata(up);
	return rc;
}

static int upload_once(struct gdrive *gd, const vrp_upload_request *request,
		       vrp_remote_object **out, char **resume_state)
{
	struct gdrive_upload up = { .gd = gd, .request = request, .fd = -1 };
	int rc = prepare(&up);
	if (rc == 0 && !request->replace)
		rc = find_existing(&up);
	bool small = up.size <= up.gd->multipart_threshold || up.size == 0;
	if (rc == 0 && !up.file)
		rc = small ? upload_multipart(&up) : gdrive_upload_resumable(&up);
	if (rc == 0)
		rc = verify(&up, out);
	else if (up.session)
		*resume_state = gdrive_resume_state(&up);
	if (up.fd >= 0)
		close(up.fd);
	json_decref(up.metadata);
	json_decref(up.file);
	free(up.session);
	free(up.dir);
	free(up.name);
	free(up.parent_id);
	return rc;
}

/*
 * Folder ids are cached for the run, but the user may delete a folder from
 * Drive meanwhile: Drive then answers 404 for the parent. The cache is
 * wrong, not the upload: forget it, find or make the folders again, and try
 * once more. A second 404 is a real one.
 */
int gdrive_upload(void *state, const vrp_upload_request *request, vrp_remote_object **out,
		  char **resume_state)
{
	struct gdrive *gd = state;
	bool cached = gd->folder_count > 0;
	int rc = upload_once(gd, request, out, resume_state);
	if (rc != VRP_EREMOTE_NOT_FOUND || !cached)
		return rc;
	VRP_LOG_WARNING(
		"gdrive", json_pack("{s:s, s:s}", "remote", gd->name, "path", request->remote_path),
		"remote %s: a folder vanished from Drive; finding or making it again", gd->name);
	gdrive_folders_clear(gd);
	free(*resume_state);
	*resume_state = NULL;
	return upload_once(gd, request, out, resume_state);
}
