/*
 * gdrive_api.c - calling the Drive API: the bearer token with one refresh
 * and retry on a 401, Drive's error bodies mapped to VRP_E* codes, JSON
 * calls and file queries, and file resources as remote objects.
 */
#include "cloud/providers/gdrive.h"

#include "core/error_set.h"
#include "core/log.h"
#include "core/ptrarray.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_HEADERS 8

int gdrive_send(struct gdrive *gd, struct vrp_http_request *request, const char *const *headers,
		struct vrp_http_response *response)
{
	memset(response, 0, sizeof(*response));
	for (int attempt = 0;; attempt++) {
		int rc = gdrive_ensure_token(gd);
		if (rc < 0)
			return rc;
		char *auth = NULL;
		if (asprintf(&auth, "Authorization: Bearer %s", gd->access_token) < 0)
			return vrp_error_oom();
		const char *list[MAX_HEADERS + 2] = { auth };
		size_t n = 1;
		for (const char *const *h = headers; h && *h && n <= MAX_HEADERS; h++)
			list[n++] = *h;
		request->headers = list;
		rc = vrp_http_perform(gd->http, request, response);
		request->headers = NULL;
		OPENSSL_cleanse(auth, strlen(auth));
		free(auth);
		if (rc < 0 || response->status != 401 || attempt > 0)
			return rc;
		/* The token died early (revoked, clock skew): one refresh, one retry. */
		vrp_http_response_clear(response);
		rc = gdrive_refresh(gd);
		if (rc < 0)
			return rc;
	}
}

static bool reason_is(const char *reason, const char *a, const char *b)
{
	return reason && (!strcmp(reason, a) || (b && !strcmp(reason, b)));
}

static void record_retry_after(const struct vrp_http_response *response)
{
	int64_t ms = vrp_http_retry_after_ms(response->retry_after, (int64_t)time(NULL));
	if (ms >= 0)
		vrp_provider_set_retry_after_ms(ms);
}

int gdrive_error(const char *remote, const char *what, const struct vrp_http_response *response)
{
	json_t *root = response->body ? json_loads(response->body, 0, NULL) : NULL;
	json_t *error = json_object_get(root, "error");
	const char *message = json_string_value(json_object_get(error, "message"));
	const char *reason = json_string_value(
		json_object_get(json_array_get(json_object_get(error, "errors"), 0), "reason"));
	/* The OAuth-style {"error": "invalid_token"} some endpoints send. */
	if (!message && json_is_string(error))
		message = json_string_value(error);
	long status = response->status;
	int code = VRP_EPERMANENT;
	if (status == 401)
		code = VRP_EAUTH_EXPIRED;
	else if (status == 429 ||
		 (status == 403 && reason_is(reason, "rateLimitExceeded", "userRateLimitExceeded")))
		code = VRP_ERATE_LIMIT;
	else if (status == 403 && reason_is(reason, "storageQuotaExceeded", NULL))
		code = VRP_EQUOTA;
	else if (status == 404)
		code = VRP_EREMOTE_NOT_FOUND;
	else if (status >= 500 || status == 408)
		code = VRP_ETRANSIENT;
	if (code == VRP_ERATE_LIMIT || status == 503)
		record_retry_after(response);
	int rc = vrp_error_set(code, "remote %s: %s: HTTP %ld%s%s%s%s%s", remote, what, status,
			       reason ? " " : "", reason ? reason : "", message ? ": " : "",
			       message ? message : "",
			       code == VRP_EAUTH_EXPIRED ? " (run `vrp remote auth` again)" : "");
	json_decref(root);
	return rc;
}

int gdrive_call_json(struct gdrive *gd, const char *method, const char *path_and_query,
		     json_t *body, const char *what, json_t **out)
{
	if (out)
		*out = NULL;
	static const char *const json_type[] = { "Content-Type: application/json; charset=UTF-8",
						 NULL };
	char *url = NULL, *text = NULL;
	if (asprintf(&url, "%s%s", gd->api_url, path_and_query) < 0)
		return vrp_error_oom();
	if (body && !(text = json_dumps(body, JSON_COMPACT))) {
		free(url);
		return vrp_error_oom();
	}
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.method = method;
	q.url = url;
	q.body = text;
	q.body_len = text ? strlen(text) : 0;
	struct vrp_http_response r;
	int rc = gdrive_send(gd, &q, text ? json_type : NULL, &r);
	if (rc == 0 && (r.status < 200 || r.status > 299))
		rc = gdrive_error(gd->name, what, &r);
	/* An empty or non-object 2xx is a broken answer, never "nothing there". */
	if (rc == 0 && out)
		*out = r.body ? json_loads(r.body, 0, NULL) : NULL;
	if (rc == 0 && out && !json_is_object(*out))
		rc = vrp_error_set(VRP_ETRANSIENT, "remote %s: %s: the answer is not a JSON object",
				   gd->name, what);
	if (rc < 0 && out) {
		json_decref(*out);
		*out = NULL;
	}
	vrp_http_response_clear(&r);
	free(text);
	free(url);
	return rc;
}

char *gdrive_quote(const char *value)
{
	char *out = malloc(strlen(value) * 2 + 3), *o = out;
	if (!out)
		return NULL;
	*o++ = '\'';
	for (const char *p = value; *p; p++) {
		if (*p == '\'' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

static const char *string_of(const json_t *file, const char *key)
{
	return json_string_value(json_object_get(file, key));
}

int64_t gdrive_bytes(const json_t *object, const char *key)
{
	const json_t *size = json_object_get(object, key);
	if (json_is_integer(size))
		return json_integer_value(size) >= 0 ? (int64_t)json_integer_value(size) : -1;
	const char *text = json_string_value(size);
	if (!text || *text < '0' || *text > '9')
		return -1;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	return *end || errno ? -1 : (int64_t)v;
}

int gdrive_tokens_add(struct gdrive_tokens *seen, const char *remote, const char *what,
		      const char *token)
{
	for (size_t i = 0; i < seen->count; i++)
		if (!strcmp(seen->items[i], token))
			return vrp_error_set(VRP_ETRANSIENT,
					     "remote %s: %s: Drive handed out the same page token "
					     "twice; stopping instead of looping",
					     remote, what);
	char *copy = strdup(token);
	if (!copy || vrp_ptr_array_reserve(&seen->items, &seen->capacity, seen->count + 1) < 0) {
		free(copy);
		return vrp_error_oom();
	}
	seen->items[seen->count++] = copy;
	return 0;
}

void gdrive_tokens_clear(struct gdrive_tokens *seen)
{
	for (size_t i = 0; i < seen->count; i++)
		free(seen->items[i]);
	free(seen->items);
	*seen = (struct gdrive_tokens){ 0 };
}

bool gdrive_is_id(const char *id)
{
	size_t len = id ? strlen(id) : 0;
	bool ok = len > 0 && len <= 256;
	for (const char *p = id; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		     (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
	return ok;
}

/* Why a listed entry cannot be used, or NULL when it can. */
static const char *entry_problem(const json_t *f)
{
	const char *name = string_of(f, "name");
	const json_t *size = json_object_get(f, "size");
	const json_t *parents = json_object_get(f, "parents");
	if (!json_is_object(f))
		return "not a file resource";
	if (!gdrive_is_id(string_of(f, "id")))
		return "no usable id";
	/* One path component: "", ".", ".." or a '/' would name another place locally. */
	if (!name || !*name || !strcmp(name, ".") || !strcmp(name, "..") || strchr(name, '/'))
		return "no usable name";
	if (size && gdrive_bytes(f, "size") < 0)
		return "a size that is not a number of bytes";
	if (parents && !json_is_string(json_array_get(parents, 0)))
		return "unreadable parents";
	return NULL;
}

int gdrive_take_files(struct gdrive *gd, const json_t *answer, const char *what,
		      struct gdrive_tokens *seen, json_t *into, char **next)
{
	*next = NULL;
	const json_t *files = json_object_get(answer, "files");
	const json_t *token = json_object_get(answer, "nextPageToken");
	if (!json_is_array(files) || (token && !json_is_string(token)))
		return vrp_error_set(VRP_ETRANSIENT, "remote %s: %s: the answer holds no file list",
				     gd->name, what);
	size_t i;
	const json_t *f;
	json_array_foreach(files, i, f)
	{
		const char *problem = entry_problem(f);
		/* One bad entry is that entry's problem: the rest of the listing still counts. */
		if (problem) {
			const char *name = string_of(f, "name");
			VRP_LOG_WARNING("gdrive",
					json_pack("{s:s, s:o, s:s}", "remote", gd->name, "name",
						  vrp_log_string(name ? name : ""), "problem",
						  problem),
					"remote %s: %s: skipped a listed entry (%s) with %s",
					gd->name, what, name ? name : "no name", problem);
			continue;
		}
		if (json_array_append(into, (json_t *)f) != 0)
			return vrp_error_oom();
	}
	const char *text = json_string_value(token);
	if (!text || !*text)
		return 0;
	int rc = gdrive_tokens_add(seen, gd->name, what, text);
	if (rc == 0 && !(*next = strdup(text)))
		rc = vrp_error_oom();
	return rc;
}

/* One page of a query into `files` (appended); `*token` is replaced by the next page's. */
static int query_page(struct gdrive *gd, const char *q, const char *what, json_t *files,
		      struct gdrive_tokens *seen, char **token)
{
	char *escaped = vrp_http_escape(q);
	char *fields = vrp_http_escape("nextPageToken,files(" GDRIVE_FILE_FIELDS ")");
	char *page = *token ? vrp_http_escape(*token) : NULL;
	char *path = NULL;
	if (!escaped || !fields || (*token && !page) ||
	    asprintf(&path, "/files?q=%s&fields=%s&pageSize=1000&spaces=drive%s%s", escaped, fields,
		     page ? "&pageToken=" : "", page ? page : "") < 0)
		path = NULL;
	free(escaped);
	free(fields);
	free(page);
	free(*token);
	*token = NULL;
	if (!path)
		return vrp_error_oom();
	json_t *answer = NULL;
	int rc = gdrive_call_json(gd, "GET", path, NULL, what, &answer);
	free(path);
	if (rc == 0)
		rc = gdrive_take_files(gd, answer, what, seen, files, token);
	json_decref(answer);
	return rc;
}

int gdrive_query(struct gdrive *gd, const char *q, const char *what, json_t **out)
{
	*out = NULL;
	json_t *files = json_array();
	struct gdrive_tokens seen = { 0 };
	char *token = NULL;
	int rc = files ? 0 : vrp_error_oom();
	do {
		if (rc == 0)
			rc = query_page(gd, q, what, files, &seen, &token);
	} while (rc == 0 && token);
	free(token);
	gdrive_tokens_clear(&seen);
	if (rc == 0)
		*out = files;
	else
		json_decref(files);
	return rc;
}

vrp_remote_object *gdrive_object(const json_t *file, const char *path)
{
	vrp_remote_object *o = vrp_remote_object_alloc();
	if (!o)
		return NULL;
	const char *sha256 = string_of(file, "sha256Checksum");
	const char *md5 = string_of(file, "md5Checksum");
	const char *mime = string_of(file, "mimeType");
	/* The content's hash changes whenever the content does: the best etag Drive offers. */
	const char *etag = md5 ? md5 : sha256 ? sha256 : string_of(file, "modifiedTime");
	o->size = gdrive_bytes(file, "size");
	o->checksum_kind = sha256 ? VRP_CHECKSUM_SHA256
			   : md5  ? VRP_CHECKSUM_MD5
				  : VRP_CHECKSUM_NONE;
	if (vrp_field_set(&o->remote_id, string_of(file, "id")) < 0 ||
	    vrp_field_set(&o->path, path) < 0 ||
	    vrp_field_set(&o->mime_type, mime ? mime : vrp_mime_type_for_path(path)) < 0 ||
	    vrp_field_set(&o->created_at, string_of(file, "createdTime")) < 0 ||
	    vrp_field_set(&o->etag, etag) < 0 ||
	    vrp_field_set(&o->checksum, sha256 ? sha256 : md5) < 0 ||
	    vrp_field_set(&o->metadata_json, vrp_metadata_text(string_of(file, "description"))) <
		    0) {
		vrp_remote_object_free(o);
		return NULL;
	}
	return o;
}
