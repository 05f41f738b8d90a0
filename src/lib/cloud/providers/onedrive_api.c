/*
 * onedrive_api.c - calling Graph: the bearer token with one refresh and
 * retry on a 401, Graph's error bodies mapped to VRP_E* codes, JSON calls,
 * item URLs by path, and driveItems as remote objects.
 */
#include "cloud/providers/onedrive.h"

#include "cloud/remote_name.h"
#include "core/error_set.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_HEADERS 8

int onedrive_send(struct onedrive *od, struct vrp_http_request *request, const char *const *headers,
		  struct vrp_http_response *response)
{
	memset(response, 0, sizeof(*response));
	for (int attempt = 0;; attempt++) {
		int rc = onedrive_ensure_token(od);
		if (rc < 0)
			return rc;
		char *auth = NULL;
		if (asprintf(&auth, "Authorization: Bearer %s", od->access_token) < 0)
			return vrp_error_oom();
		const char *list[MAX_HEADERS + 2] = { auth };
		size_t n = 1;
		for (const char *const *h = headers; h && *h && n <= MAX_HEADERS; h++)
			list[n++] = *h;
		request->headers = list;
		rc = vrp_http_perform(od->http, request, response);
		request->headers = NULL;
		OPENSSL_cleanse(auth, strlen(auth));
		free(auth);
		if (rc < 0 || response->status != 401 || attempt > 0)
			return rc;
		/* The token died early (revoked, clock skew): one refresh, one retry. */
		vrp_http_response_clear(response);
		rc = onedrive_refresh(od, od->access_token);
		if (rc < 0)
			return rc;
	}
}

static void record_retry_after(const struct vrp_http_response *response)
{
	int64_t ms = vrp_http_retry_after_ms(response->retry_after, (int64_t)time(NULL));
	if (ms >= 0)
		vrp_provider_set_retry_after_ms(ms);
}

static bool code_is(const char *code, const char *a, const char *b)
{
	return code && (!strcmp(code, a) || (b && !strcmp(code, b)));
}

int onedrive_error(const char *remote, const char *what, const struct vrp_http_response *response)
{
	json_t *root = response->body ? json_loads(response->body, 0, NULL) : NULL;
	json_t *error = json_object_get(root, "error");
	const char *code = json_string_value(json_object_get(error, "code"));
	const char *message = json_string_value(json_object_get(error, "message"));
	long status = response->status;
	int rc = VRP_EPERMANENT;
	if (status == 401)
		rc = VRP_EAUTH_EXPIRED;
	else if (status == 429 || code_is(code, "activityLimitReached", "tooManyRequests"))
		rc = VRP_ERATE_LIMIT;
	else if (status == 507 || code_is(code, "quotaLimitReached", "insufficientStorage"))
		rc = VRP_EQUOTA;
	else if (status == 404 || code_is(code, "itemNotFound", NULL))
		rc = VRP_EREMOTE_NOT_FOUND;
	else if (status >= 500 || status == 408)
		rc = VRP_ETRANSIENT;
	if (rc == VRP_ERATE_LIMIT || status == 503)
		record_retry_after(response);
	const char *hint = rc == VRP_EAUTH_EXPIRED ? " (run `vrp remote auth` again)"
			   : rc == VRP_EQUOTA ? " (the OneDrive is full: free space or buy more)"
			   : status == 403    ? " (see README, OneDrive: scope=files)"
					      : "";
	rc = vrp_error_set(rc, "remote %s: %s: HTTP %ld%s%s%s%s%s", remote, what, status,
			   code ? " " : "", code ? code : "", message ? ": " : "",
			   message ? message : "", hint);
	json_decref(root);
	return rc;
}

int onedrive_call_url(struct onedrive *od, const char *method, const char *url, json_t *body,
		      const char *what, json_t **out)
{
	if (out)
		*out = NULL;
	static const char *const json_type[] = { "Content-Type: application/json", NULL };
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	if (body && !text)
		return vrp_error_oom();
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.method = method;
	q.url = url;
	q.body = text;
	q.body_len = text ? strlen(text) : 0;
	struct vrp_http_response r;
	int rc = onedrive_send(od, &q, text ? json_type : NULL, &r);
	if (rc == 0 && (r.status < 200 || r.status > 299))
		rc = onedrive_error(od->name, what, &r);
	/* An empty or non-object 2xx is a broken answer, never "nothing there". */
	if (rc == 0 && out)
		*out = r.body ? json_loads(r.body, 0, NULL) : NULL;
	if (rc == 0 && out && !json_is_object(*out))
		rc = vrp_error_set(VRP_ETRANSIENT, "remote %s: %s: the answer is not a JSON object",
				   od->name, what);
	if (rc < 0 && out) {
		json_decref(*out);
		*out = NULL;
	}
	vrp_http_response_clear(&r);
	free(text);
	return rc;
}

int onedrive_call(struct onedrive *od, const char *method, const char *path, json_t *body,
		  const char *what, json_t **out)
{
	char *url = NULL;
	if (asprintf(&url, "%s%s", od->api_url, path) < 0)
		return vrp_error_oom();
	int rc = onedrive_call_url(od, method, url, body, what, out);
	free(url);
	return rc;
}

/* `rel` with each component percent-encoded (the slashes kept); malloc'd. */
static char *escape_path(const char *rel)
{
	size_t cap = strlen(rel) * 3 + 1, at = 0;
	char *out = malloc(cap);
	char *copy = strdup(rel);
	bool ok = out && copy;
	for (char *save = NULL, *c = ok ? strtok_r(copy, "/", &save) : NULL; ok && c;
	     c = strtok_r(NULL, "/", &save)) {
		char *e = vrp_http_escape(c);
		ok = e != NULL;
		if (ok)
			at += (size_t)snprintf(out + at, cap - at, "%s%s", at ? "/" : "", e);
		free(e);
	}
	free(copy);
	if (!ok) {
		free(out);
		return NULL;
	}
	out[at] = '\0';
	return out;
}

char *onedrive_item_url(const struct onedrive *od, const char *rel, const char *action)
{
	char *root = NULL, *url = NULL;
	if (od->app_folder)
		root = strdup("/me/drive/special/approot");
	else {
		char *folder = vrp_http_escape(od->folder);
		if (folder && asprintf(&root, "/me/drive/root:/%s", folder) < 0)
			root = NULL;
		free(folder);
	}
	char *path = root ? escape_path(rel) : NULL;
	int n = -1;
	if (path && !*path)
		n = asprintf(&url, "%s%s%s%s", od->api_url, root,
			     od->app_folder || !*action ? "" : ":", action);
	else if (path)
		n = asprintf(&url, "%s%s%s%s:%s", od->api_url, root, od->app_folder ? ":/" : "/",
			     path, action);
	free(root);
	free(path);
	return n < 0 ? NULL : url;
}

char *onedrive_relative(const char *remote_path)
{
	size_t app = strlen(VRP_REMOTE_APP_FOLDER);
	if (!strncmp(remote_path, VRP_REMOTE_APP_FOLDER, app) &&
	    (remote_path[app] == '/' || !remote_path[app]))
		return strdup(remote_path[app] ? remote_path + app + 1 : "");
	return strdup(remote_path);
}

char *onedrive_vrp_path(const char *rel)
{
	char *out = NULL;
	if (asprintf(&out, "%s%s%s", VRP_REMOTE_APP_FOLDER, *rel ? "/" : "", rel) < 0)
		return NULL;
	return out;
}

bool onedrive_is_id(const char *id)
{
	size_t len = id ? strlen(id) : 0;
	bool ok = len > 0 && len <= 256;
	for (const char *p = id; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		     (*p >= '0' && *p <= '9') || *p == '!' || *p == '-' || *p == '_' || *p == '.';
	return ok;
}

int64_t onedrive_size(const json_t *item)
{
	const json_t *size = json_object_get(item, "size");
	return json_is_integer(size) && json_integer_value(size) >= 0
		       ? (int64_t)json_integer_value(size)
		       : -1;
}

const char *onedrive_quickxor(const json_t *item)
{
	const json_t *hashes = json_object_get(json_object_get(item, "file"), "hashes");
	const char *qxh = json_string_value(json_object_get(hashes, "quickXorHash"));
	return qxh && strlen(qxh) == VRP_QUICKXOR_BASE64 - 1 ? qxh : NULL;
}

vrp_remote_object *onedrive_object(const json_t *item, const char *path)
{
	vrp_remote_object *o = vrp_remote_object_alloc();
	if (!o)
		return NULL;
	const char *qxh = onedrive_quickxor(item);
	const char *mime =
		json_string_value(json_object_get(json_object_get(item, "file"), "mimeType"));
	const char *ctag = json_string_value(json_object_get(item, "cTag"));
	o->size = onedrive_size(item);
	o->checksum_kind = qxh ? VRP_CHECKSUM_QUICKXOR : VRP_CHECKSUM_NONE;
	/* The cTag changes with the content, not with a rename: the etag vrp means. */
	if (vrp_field_set(&o->remote_id, json_string_value(json_object_get(item, "id"))) < 0 ||
	    vrp_field_set(&o->path, path) < 0 ||
	    vrp_field_set(&o->mime_type, mime ? mime : vrp_mime_type_for_path(path)) < 0 ||
	    vrp_field_set(&o->created_at,
			  json_string_value(json_object_get(item, "createdDateTime"))) < 0 ||
	    vrp_field_set(&o->etag, ctag ? ctag : qxh) < 0 ||
	    vrp_field_set(&o->checksum, qxh) < 0 ||
	    vrp_field_set(&o->metadata_json, vrp_metadata_text(json_string_value(
						     json_object_get(item, "description")))) < 0) {
		vrp_remote_object_free(o);
		return NULL;
	}
	return o;
}

bool onedrive_matches(const json_t *item, int64_t size, const char *qxh, char *message,
		      size_t message_size)
{
	const char *theirs = onedrive_quickxor(item);
	if (!json_is_object(json_object_get(item, "file")))
		snprintf(message, message_size, "the item is not a file");
	else if (onedrive_size(item) != size)
		snprintf(message, message_size, "OneDrive holds %lld bytes, the file has %lld",
			 (long long)onedrive_size(item), (long long)size);
	else if (!theirs)
		snprintf(message, message_size, "OneDrive reports no quickXorHash");
	else if (strcmp(theirs, qxh) != 0)
		snprintf(message, message_size, "quickXorHash %s on OneDrive, %s here", theirs,
			 qxh);
	else
		return true;
	return false;
}
