/*
 * gdrive_resumable.c - Drive's resumable upload protocol: a session per
 * file, chunks of a multiple of 256 KiB with Content-Range, 308 answers
 * whose Range says what Drive holds, the status query that finds out after
 * an interruption, and a new session when the old one expired (404/410).
 *
 * The session URL is checkpointed the moment it exists, so a process killed
 * mid-upload resumes from Drive's offset instead of starting over.
 */
#include "cloud/providers/gdrive_upload.h"

#include "core/error_set.h"
#include "core/log.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answers per attempt that may leave Drive's offset where it was before the attempt fails. */
#define MAX_STALLS 3

int64_t gdrive_parse_range(const char *range)
{
	if (!range || !*range)
		return 0;
	long long first = -1, last = -1;
	int used = 0;
	if (sscanf(range, "bytes=%lld-%lld%n", &first, &last, &used) != 2 || range[used] ||
	    first != 0 || last < first)
		return -1;
	return (int64_t)last + 1;
}

char *gdrive_resume_state(const struct gdrive_upload *up)
{
	if (!up->session)
		return NULL;
	json_t *state = json_pack("{s:i, s:s, s:s, s:s, s:I, s:s, s:I}", "version", 1, "provider",
				  "gdrive", "session", up->session, "remote_path",
				  up->request->remote_path, "size", (json_int_t)up->size, "sha256",
				  up->sha256, "bytes", (json_int_t)up->offset);
	char *text = state ? json_dumps(state, JSON_COMPACT) : NULL;
	json_decref(state);
	return text;
}

/* The session of an earlier attempt, when it was for this file, path and remote. */
static int adopt_resume_state(struct gdrive_upload *up)
{
	const char *text = up->request->resume_state;
	json_t *state = text ? json_loads(text, 0, NULL) : NULL;
	const char *provider = json_string_value(json_object_get(state, "provider"));
	const char *session = json_string_value(json_object_get(state, "session"));
	const char *path = json_string_value(json_object_get(state, "remote_path"));
	const char *sha256 = json_string_value(json_object_get(state, "sha256"));
	json_int_t size = json_integer_value(json_object_get(state, "size"));
	/* Only ever send the file to our own upload endpoint, whatever the database says. */
	bool ours = provider && !strcmp(provider, "gdrive") && session &&
		    vrp_http_same_origin(session, up->gd->upload_url) && path &&
		    !strcmp(path, up->request->remote_path) && sha256 &&
		    !strcmp(sha256, up->sha256) && size == up->size;
	int rc = 0;
	if (ours && !(up->session = strdup(session)))
		rc = vrp_error_oom();
	json_decref(state);
	return rc;
}

static int drop_session(struct gdrive_upload *up, const char *why)
{
	VRP_LOG_INFO("gdrive",
		     json_pack("{s:s, s:s, s:o}", "remote", up->gd->name, "reason", why, "path",
			       vrp_log_titled_path(up->request->remote_path)),
		     "remote %s: upload session %s; starting a new one", up->gd->name, why);
	free(up->session);
	up->session = NULL;
	up->offset = 0;
	return 0;
}

int gdrive_upload_take_file(struct gdrive_upload *up, const struct vrp_http_response *r)
{
	up->file = r->body ? json_loads(r->body, 0, NULL) : NULL;
	if (!json_string_value(json_object_get(up->file, "id")))
		return vrp_error_set(VRP_ETRANSIENT,
				     "remote %s: upload of %s: the answer holds no file",
				     up->gd->name, up->request->remote_path);
	up->offset = up->size;
	return 0;
}

/* After a 308: Drive's offset, which may be behind what we sent. */
static int take_range(struct gdrive_upload *up, const struct vrp_http_response *r)
{
	int64_t next = gdrive_parse_range(r->range);
	if (next < 0 || next > up->size)
		return vrp_error_set(
			VRP_ETRANSIENT, "remote %s: upload of %s: unreadable Range '%s' in a 308",
			up->gd->name, up->request->remote_path, r->range ? r->range : "");
	up->offset = next;
	return 0;
}

/* PUT `len` bytes from `offset` (0 bytes: the status query). 1 when the session expired. */
static int put_range(struct gdrive_upload *up, int64_t offset, int64_t len)
{
	char content_range[96];
	if (len == 0)
		snprintf(content_range, sizeof(content_range), "Content-Range: bytes */%" PRId64,
			 up->size);
	else
		snprintf(content_range, sizeof(content_range),
			 "Content-Range: bytes %" PRId64 "-%" PRId64 "/%" PRId64, offset,
			 offset + len - 1, up->size);
	const char *headers[] = { content_range, NULL };
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.method = "PUT";
	q.url = up->session;
	q.body_fd = len > 0 ? up->fd : -1;
	q.file_offset = offset;
	q.file_len = len;
	q.progress = up->request->progress;
	q.progress_ctx = up->request->progress_ctx;
	q.progress_base = offset;
	q.progress_total = up->size;
	q.headers = headers;
	struct vrp_http_response r;
	/* The session URL is the credential: the bearer token stays with the API. */
	int rc = vrp_http_perform(up->gd->http, &q, &r);
	if (rc == 0 && (r.status == 200 || r.status == 201))
		rc = gdrive_upload_take_file(up, &r);
	else if (rc == 0 && r.status == 308)
		rc = take_range(up, &r);
	else if (rc == 0 && (r.status == 404 || r.status == 410))
		rc = 1;
	else if (rc == 0)
		rc = gdrive_error(up->gd->name, "uploading", &r);
	vrp_http_response_clear(&r);
	return rc;
}

static void checkpoint(const struct gdrive_upload *up)
{
	const vrp_upload_request *r = up->request;
	char *state = r->checkpoint ? gdrive_resume_state(up) : NULL;
	if (state)
		r->checkpoint(r->progress_ctx, state);
	free(state);
}

static int create_session(struct gdrive_upload *up)
{
	char length[64], *url = NULL, *body = json_dumps(up->metadata, JSON_COMPACT);
	char type[160];
	snprintf(length, sizeof(length), "X-Upload-Content-Length: %" PRId64, up->size);
	snprintf(type, sizeof(type), "X-Upload-Content-Type: %s", up->mime);
	const char *headers[] = { "Content-Type: application/json; charset=UTF-8", length, type,
				  NULL };
	if (!body || asprintf(&url, "%s/files?uploadType=resumable&" GDRIVE_UPLOAD_FIELDS,
			      up->gd->upload_url) < 0) {
		free(body);
		return vrp_error_oom();
	}
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.method = "POST";
	q.url = url;
	q.body = body;
	q.body_len = strlen(body);
	struct vrp_http_response r;
	int rc = gdrive_send(up->gd, &q, headers, &r);
	if (rc == 0 && r.status != 200 && r.status != 201)
		rc = gdrive_error(up->gd->name, "starting an upload", &r);
	else if (rc == 0 && !r.location)
		rc = vrp_error_set(VRP_ETRANSIENT,
				   "remote %s: the upload session answer has no Location",
				   up->gd->name);
	/* The file goes only where upload_url says: a Location elsewhere gets nothing. */
	else if (rc == 0 && !vrp_http_same_origin(r.location, up->gd->upload_url))
		rc = vrp_error_set(VRP_EPERMANENT,
				   "remote %s: the upload session is on another server than "
				   "upload_url (%s); refusing to send the file there",
				   up->gd->name, up->gd->upload_url);
	else if (rc == 0 && !(up->session = strdup(r.location)))
		rc = vrp_error_oom();
	up->offset = 0;
	vrp_http_response_clear(&r);
	free(url);
	free(body);
	if (rc == 0)
		checkpoint(up);
	return rc;
}

/*
 * Sends chunks from Drive's offset on; 1 when the session expired under us.
 * An answer that does not take Drive past the furthest offset it confirmed
 * is a stall; a few in one attempt end it, however the answers alternate.
 */
static int send_chunks(struct gdrive_upload *up)
{
	int rc = 0, stalls = 0;
	int64_t furthest = up->offset;
	while (rc == 0 && !up->file) {
		int64_t len = up->size - up->offset;
		if (len > up->gd->chunk_size)
			len = up->gd->chunk_size;
		rc = put_range(up, up->offset, len);
		if (rc != 0 || up->file)
			break;
		if (up->offset > furthest)
			furthest = up->offset;
		else if (++stalls >= MAX_STALLS)
			rc = vrp_error_set(VRP_ETRANSIENT,
					   "remote %s: upload of %s makes no progress past byte "
					   "%lld (%d answers took nothing)",
					   up->gd->name, up->request->remote_path,
					   (long long)furthest, stalls);
	}
	return rc;
}

int gdrive_upload_resumable(struct gdrive_upload *up)
{
	int rc = adopt_resume_state(up);
	if (rc == 0 && up->session) {
		rc = put_range(up, 0, 0); /* the status query: where did we stop? */
		if (rc == 1)
			rc = drop_session(up, "expired");
		else if (rc == 0 && !up->file)
			VRP_LOG_INFO("gdrive",
				     json_pack("{s:s, s:I, s:o}", "remote", up->gd->name, "offset",
					       (json_int_t)up->offset, "path",
					       vrp_log_titled_path(up->request->remote_path)),
				     "remote %s: resuming the upload at byte %lld", up->gd->name,
				     (long long)up->offset);
	}
	for (int sessions = 0; rc == 0 && !up->file; sessions++) {
		if (!up->session && sessions >= 2)
			return vrp_error_set(VRP_ETRANSIENT,
					     "remote %s: upload sessions of %s keep expiring",
					     up->gd->name, up->request->remote_path);
		if (!up->session)
			rc = create_session(up);
		if (rc == 0)
			rc = send_chunks(up);
		if (rc == 1)
			rc = drop_session(up, "expired");
	}
	return rc;
}
