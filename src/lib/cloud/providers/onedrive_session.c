/*
 * onedrive_session.c - Graph upload sessions: createUploadSession, then
 * fragments (multiples of 320 KiB) PUT to the pre-authenticated upload URL
 * with Content-Range, 202 answers whose nextExpectedRanges say what the
 * server still wants, the status GET that finds out after any failure, and
 * a new session when the old one expired or vanished (404).
 *
 * The upload URL is itself the credential: the Authorization header is
 * never sent to it (Graph answers such a request 401). The URL is
 * checkpointed the moment it exists, so a process killed mid-upload
 * resumes from the server's offset instead of starting over.
 */
#include "cloud/providers/onedrive_upload.h"

#include "core/error_set.h"
#include "core/log.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answers per attempt that may leave the offset where it was before the attempt fails. */
#define MAX_STALLS 3
#define GONE       1 /* the session expired or vanished */

int64_t onedrive_next_expected(const json_t *ranges)
{
	const char *first = json_string_value(json_array_get(ranges, 0));
	if (!first || *first < '0' || *first > '9')
		return -1;
	char *end = NULL;
	long long start = strtoll(first, &end, 10);
	if (*end != '-' || start < 0)
		return -1;
	if (end[1]) {
		char *tail = NULL;
		long long last = strtoll(end + 1, &tail, 10);
		if (*tail || last < start)
			return -1;
	}
	return (int64_t)start;
}

char *onedrive_resume_state(const struct onedrive_upload *up)
{
	if (!up->session)
		return NULL;
	json_t *state = json_pack("{s:i, s:s, s:s, s:s, s:I, s:s, s:I}", "version", 1, "provider",
				  "onedrive", "session", up->session, "remote_path",
				  up->request->remote_path, "size", (json_int_t)up->size, "sha256",
				  up->sha256, "bytes", (json_int_t)up->offset);
	char *text = state ? json_dumps(state, JSON_COMPACT) : NULL;
	json_decref(state);
	return text;
}

/* The session of an earlier attempt, when it was for this file and path. */
static int adopt_resume_state(struct onedrive_upload *up)
{
	const char *text = up->request->resume_state;
	json_t *state = text ? json_loads(text, 0, NULL) : NULL;
	const char *provider = json_string_value(json_object_get(state, "provider"));
	const char *session = json_string_value(json_object_get(state, "session"));
	const char *path = json_string_value(json_object_get(state, "remote_path"));
	const char *sha256 = json_string_value(json_object_get(state, "sha256"));
	json_int_t size = json_integer_value(json_object_get(state, "size"));
	bool ours = provider && !strcmp(provider, "onedrive") && session &&
		    vrp_http_url_allowed(session) && path &&
		    !strcmp(path, up->request->remote_path) && sha256 &&
		    !strcmp(sha256, up->sha256) && size == up->size;
	int rc = 0;
	if (ours && !(up->session = strdup(session)))
		rc = vrp_error_oom();
	json_decref(state);
	return rc;
}

static void drop_session(struct onedrive_upload *up, const char *why)
{
	VRP_LOG_INFO("onedrive",
		     json_pack("{s:s, s:s, s:o}", "remote", up->od->name, "reason", why, "path",
			       vrp_log_titled_path(up->request->remote_path)),
		     "remote %s: upload session %s; starting a new one", up->od->name, why);
	free(up->session);
	up->session = NULL;
	up->offset = 0;
}

static void checkpoint(const struct onedrive_upload *up)
{
	const vrp_upload_request *r = up->request;
	char *state = r->checkpoint ? onedrive_resume_state(up) : NULL;
	if (state)
		r->checkpoint(r->progress_ctx, state);
	free(state);
}

/* A 2xx answer of the upload URL: the item (complete) or the ranges still expected. */
static int take_answer(struct onedrive_upload *up, const struct vrp_http_response *r)
{
	json_t *body = r->body ? json_loads(r->body, 0, NULL) : NULL;
	int rc = 0;
	if ((r->status == 200 || r->status == 201) &&
	    json_string_value(json_object_get(body, "id"))) {
		json_decref(up->item);
		up->item = json_incref(body);
		up->offset = up->size;
	} else {
		int64_t next = onedrive_next_expected(json_object_get(body, "nextExpectedRanges"));
		if (next < 0 || next > up->size)
			rc = vrp_error_set(VRP_ETRANSIENT,
					   "remote %s: upload of %s: the session's answer has no "
					   "readable nextExpectedRanges",
					   up->od->name, up->request->remote_path);
		else
			up->offset = next;
	}
	json_decref(body);
	return rc;
}

/* Asks the session where it stands. GONE when it expired or vanished. */
static int query_status(struct onedrive_upload *up)
{
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.method = "GET";
	q.url = up->session;
	struct vrp_http_response r;
	int rc = vrp_http_perform(up->od->http, &q, &r);
	if (rc == 0 && r.status == 404)
		rc = GONE;
	else if (rc == 0 && r.status == 200)
		rc = take_answer(up, &r);
	else if (rc == 0)
		rc = onedrive_error(up->od->name, "asking an upload session", &r);
	vrp_http_response_clear(&r);
	return rc;
}

/* PUTs one fragment from up->offset. GONE when the session expired; 2 to ask where it stands. */
static int put_fragment(struct onedrive_upload *up)
{
	int64_t len = up->size - up->offset;
	if (len > up->od->chunk_size)
		len = up->od->chunk_size;
	char content_range[96];
	snprintf(content_range, sizeof(content_range),
		 "Content-Range: bytes %" PRId64 "-%" PRId64 "/%" PRId64, up->offset,
		 up->offset + len - 1, up->size);
	const char *headers[] = { content_range, NULL };
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.method = "PUT";
	q.url = up->session;
	q.body_fd = up->fd;
	q.file_offset = up->offset;
	q.file_len = len;
	q.progress = up->request->progress;
	q.progress_ctx = up->request->progress_ctx;
	q.progress_base = up->offset;
	q.progress_total = up->size;
	q.headers = headers;
	struct vrp_http_response r;
	/* Pre-authenticated: vrp_http_perform, never onedrive_send with its bearer token. */
	int rc = vrp_http_perform(up->od->http, &q, &r);
	if (rc == 0 && (r.status == 200 || r.status == 201 || r.status == 202))
		rc = take_answer(up, &r);
	else if (rc == 0 && r.status == 404)
		rc = GONE;
	else if (rc == 0 && r.status == 416)
		rc = 2; /* the server has that range already: ask for the next */
	else if (rc == 0 &&
		 (r.status == 429 || r.status == 503 || r.status == 507 || r.status < 500))
		rc = onedrive_error(up->od->name, "uploading a fragment", &r);
	else if (rc == 0 || rc == VRP_ETRANSIENT)
		rc = 2; /* a 5xx or a dropped connection: the session knows what arrived */
	vrp_http_response_clear(&r);
	return rc;
}

static int create_session(struct onedrive_upload *up)
{
	const char *name = strrchr(up->rel, '/');
	name = name ? name + 1 : up->rel;
	json_t *body = json_pack("{s:{s:s, s:s, s:s}}", "item", "@microsoft.graph.conflictBehavior",
				 "replace", "name", name, "description", up->description);
	char *url = onedrive_item_url(up->od, up->rel, "/createUploadSession");
	json_t *answer = NULL;
	int rc = body && url ? onedrive_call_url(up->od, "POST", url, body, "starting an upload",
						 &answer)
			     : vrp_error_oom();
	const char *upload_url = json_string_value(json_object_get(answer, "uploadUrl"));
	if (rc == 0 && !upload_url)
		rc = vrp_error_set(VRP_ETRANSIENT,
				   "remote %s: the upload session answer has no uploadUrl",
				   up->od->name);
	else if (rc == 0 && !vrp_http_url_allowed(upload_url))
		rc = vrp_error_set(VRP_EPERMANENT,
				   "remote %s: the upload URL is not https; refusing to send the "
				   "file there",
				   up->od->name);
	else if (rc == 0 && !(up->session = strdup(upload_url)))
		rc = vrp_error_oom();
	up->offset = 0;
	json_decref(answer);
	json_decref(body);
	free(url);
	if (rc == 0)
		checkpoint(up);
	return rc;
}

/*
 * Sends fragments from the session's offset on; GONE when it expired. An
 * answer that does not take the offset past the furthest one seen is a
 * stall; a few in one attempt end it.
 */
static int send_fragments(struct onedrive_upload *up)
{
	int rc = 0, stalls = 0;
	int64_t furthest = up->offset;
	while (rc == 0 && !up->item) {
		rc = put_fragment(up);
		if (rc == 2)
			rc = query_status(up);
		if (rc != 0 || up->item)
			break;
		if (up->offset > furthest)
			furthest = up->offset;
		else if (++stalls >= MAX_STALLS)
			rc = vrp_error_set(VRP_ETRANSIENT,
					   "remote %s: upload of %s makes no progress past byte "
					   "%lld",
					   up->od->name, up->request->remote_path,
					   (long long)furthest);
	}
	return rc;
}

/* A session that is gone may have finished with an answer we never got: look. */
static int settle_gone(struct onedrive_upload *up)
{
	int rc = onedrive_upload_find_existing(up);
	if (rc == 1)
		return 0;
	if (rc == 0)
		drop_session(up, "expired");
	return rc;
}

int onedrive_upload_session(struct onedrive_upload *up)
{
	int rc = adopt_resume_state(up);
	if (rc == 0 && up->session) {
		rc = query_status(up);
		if (rc == GONE)
			rc = settle_gone(up);
		else if (rc == 0)
			VRP_LOG_INFO("onedrive",
				     json_pack("{s:s, s:I, s:o}", "remote", up->od->name, "offset",
					       (json_int_t)up->offset, "path",
					       vrp_log_titled_path(up->request->remote_path)),
				     "remote %s: resuming the upload at byte %lld", up->od->name,
				     (long long)up->offset);
		else if (rc == VRP_EPERMANENT) {
			drop_session(up, "refused"); /* start over rather than guess */
			rc = 0;
		}
	}
	for (int sessions = 0; rc == 0 && !up->item; sessions++) {
		if (!up->session && sessions >= 3)
			return vrp_error_set(VRP_ETRANSIENT,
					     "remote %s: upload sessions of %s keep expiring",
					     up->od->name, up->request->remote_path);
		if (!up->session)
			rc = create_session(up);
		if (rc == 0)
			rc = send_fragments(up);
		if (rc == GONE)
			rc = settle_gone(up);
	}
	return rc;
}
