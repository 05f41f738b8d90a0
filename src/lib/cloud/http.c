/*
 * http.c - one libcurl easy handle per provider instance: requests with
 * bodies from memory or streamed from a file range, responses into memory or
 * streamed to a sink, and transport failures mapped to VRP_E* codes.
 */
#include "cloud/http.h"

#include "cloud/curl_lib.h"

#include "core/error_set.h"
#include "core/log.h"
#include "vrp/version.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_S 30
/* A transfer that moves no byte for this long is dead, whatever TCP thinks. */
#define LOW_SPEED_TIME_S 60

struct vrp_http {
	const struct vrp_curl *api;
	CURL *curl;
	char *remote;
	int64_t timeout_s;
};

/* What the callbacks of one transfer share. */
struct transfer {
	const struct vrp_curl *api;
	CURL *curl;
	const struct vrp_http_request *request;
	struct vrp_http_response *response;
	int64_t sent, timeout_s;
	int status_checked; /* 0: not yet, 1: 2xx to the sink, -1: to memory */
	bool cancelled, sink_failed, read_failed, too_large;
	int read_errno;
};

int vrp_http_new(struct vrp_http **out, const char *remote)
{
	*out = NULL;
	const struct vrp_curl *api = NULL;
	int rc = vrp_curl_load(&api);
	if (rc < 0)
		return rc;
	struct vrp_http *http = calloc(1, sizeof(*http));
	if (http) {
		http->api = api;
		http->timeout_s = VRP_HTTP_DEFAULT_TIMEOUT_S;
	}
	if (!http || !(http->remote = strdup(remote ? remote : "")) ||
	    !(http->curl = api->easy_init())) {
		vrp_http_free(http);
		return vrp_error_oom();
	}
	*out = http;
	return 0;
}

void vrp_http_free(struct vrp_http *http)
{
	if (!http)
		return;
	if (http->curl)
		http->api->easy_cleanup(http->curl);
	free(http->remote);
	free(http);
}

void vrp_http_set_timeout(struct vrp_http *http, int64_t seconds)
{
	http->timeout_s = seconds < 1 ? 1 : seconds;
}

int64_t vrp_http_deadline_ms(int64_t timeout_s, const struct vrp_http_request *q)
{
	/* Five years is "no deadline" already; the clamps keep the arithmetic defined. */
	const int64_t max_s = 5LL * 365 * 86400;
	int64_t sent = q->body_fd >= 0 ? q->file_len : (int64_t)q->body_len;
	int64_t expected = q->expected_bytes;
	if (expected <= 0)
		expected = q->sink ? 0 : (int64_t)VRP_HTTP_BODY_MAX;
	int64_t bytes = sent > 0 ? sent : 0;
	bytes = expected > INT64_MAX - bytes ? INT64_MAX : bytes + expected;
	if (timeout_s < 1)
		timeout_s = 1;
	if (timeout_s > max_s)
		timeout_s = max_s;
	int64_t s = timeout_s + bytes / VRP_HTTP_MIN_RATE + 1;
	return (s > max_s ? max_s : s) * 1000;
}

void vrp_http_response_clear(struct vrp_http_response *response)
{
	if (!response)
		return;
	free(response->body);
	free(response->location);
	free(response->range);
	free(response->retry_after);
	free(response->content_type);
	memset(response, 0, sizeof(*response));
}

/* ---- URL policy ---- */

static bool host_is_loopback(const char *host)
{
	if (!strcasecmp(host, "localhost") || !strcmp(host, "[::1]") || !strcmp(host, "::1"))
		return true;
	unsigned a, b, c, d;
	char extra;
	return sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) == 4 && a == 127 && b < 256 &&
	       c < 256 && d < 256;
}

/* A URL's scheme and host, as libcurl parses it (the parser that will connect). */
struct url_parts {
	const struct vrp_curl *api;
	char *scheme, *host, *port; /* lower-case scheme; the scheme's port when none is given */
};

/* False when the URL does not parse, or libcurl cannot be loaded: no URL is allowed then. */
static bool url_parse(const char *url, struct url_parts *parts)
{
	*parts = (struct url_parts){ 0 };
	if (!url || vrp_curl_load(&parts->api) < 0)
		return false;
	const struct vrp_curl *api = parts->api;
	CURLU *u = api->url();
	bool ok = u && api->url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		  api->url_get(u, CURLUPART_SCHEME, &parts->scheme, 0) == CURLUE_OK &&
		  api->url_get(u, CURLUPART_HOST, &parts->host, 0) == CURLUE_OK &&
		  api->url_get(u, CURLUPART_PORT, &parts->port, CURLU_DEFAULT_PORT) == CURLUE_OK;
	api->url_cleanup(u);
	return ok;
}

static void url_parts_clear(struct url_parts *parts)
{
	if (!parts->api)
		return;
	parts->api->free(parts->scheme);
	parts->api->free(parts->host);
	parts->api->free(parts->port);
}

/* Whether `url` may be fetched: https anywhere, http only to this machine (`*loopback`). */
static bool url_policy(const char *url, bool *loopback)
{
	struct url_parts u;
	bool parsed = url_parse(url, &u);
	bool https = parsed && !strcmp(u.scheme, "https");
	bool http = parsed && !strcmp(u.scheme, "http");
	*loopback = (https || http) && host_is_loopback(u.host);
	url_parts_clear(&u);
	return https || (http && *loopback);
}

bool vrp_http_url_is_loopback(const char *url)
{
	bool loopback = false;
	url_policy(url, &loopback);
	return loopback;
}

bool vrp_http_url_allowed(const char *url)
{
	bool loopback = false;
	return url_policy(url, &loopback);
}

bool vrp_http_same_origin(const char *a, const char *b)
{
	struct url_parts ua = { 0 }, ub = { 0 };
	bool same = url_parse(a, &ua) && url_parse(b, &ub) && !strcmp(ua.scheme, ub.scheme) &&
		    !strcasecmp(ua.host, ub.host) && !strcmp(ua.port, ub.port);
	url_parts_clear(&ua);
	url_parts_clear(&ub);
	return same;
}

/* ---- callbacks ---- */

static char *dup_trimmed(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	return strndup(s, len);
}

static void capture(char **slot, const char *value, size_t len)
{
	free(*slot);
	*slot = dup_trimmed(value, len);
}

static size_t on_header(char *data, size_t size, size_t count, void *arg)
{
	struct transfer *t = arg;
	struct vrp_http_response *r = t->response;
	size_t len = size * count;
	static const struct {
		const char *name;
		size_t offset;
	} wanted[] = {
		{ "location:", offsetof(struct vrp_http_response, location) },
		{ "range:", offsetof(struct vrp_http_response, range) },
		{ "retry-after:", offsetof(struct vrp_http_response, retry_after) },
		{ "content-type:", offsetof(struct vrp_http_response, content_type) },
	};
	/* A new status line (after a 100 Continue): headers so far belong to another answer. */
	if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
		for (size_t i = 0; i < sizeof(wanted) / sizeof(*wanted); i++) {
			char **slot = (char **)((char *)r + wanted[i].offset);
			free(*slot);
			*slot = NULL;
		}
		return len;
	}
	for (size_t i = 0; i < sizeof(wanted) / sizeof(*wanted); i++) {
		size_t n = strlen(wanted[i].name);
		if (len >= n && !strncasecmp(data, wanted[i].name, n))
			capture((char **)((char *)r + wanted[i].offset), data + n, len - n);
	}
	return len;
}

/* False when the body grew past VRP_HTTP_BODY_MAX: no answer of ours is that large. */
static bool keep_in_memory(struct vrp_http_response *r, const char *data, size_t len)
{
	if (len > VRP_HTTP_BODY_MAX - r->body_len)
		return false;
	char *grown = realloc(r->body, r->body_len + len + 1);
	if (!grown)
		return true; /* the body is informational; the status still stands */
	memcpy(grown + r->body_len, data, len);
	r->body = grown;
	r->body_len += len;
	r->body[r->body_len] = '\0';
	return true;
}

static size_t on_body(char *data, size_t size, size_t count, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * count;
	if (t->status_checked == 0) {
		long status = 0;
		t->api->easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
		t->status_checked = status >= 200 && status < 300 && t->request->sink ? 1 : -1;
	}
	if (t->status_checked < 0) {
		t->too_large = !keep_in_memory(t->response, data, len);
		return t->too_large ? 0 : len;
	}
	if (t->request->sink(t->request->sink_ctx, data, len) != 0) {
		t->sink_failed = true;
		return 0;
	}
	return len;
}

static size_t on_read(char *buffer, size_t size, size_t count, void *arg)
{
	struct transfer *t = arg;
	const struct vrp_http_request *q = t->request;
	size_t want = size * count;
	int64_t total = q->body_fd >= 0 ? q->file_len : (int64_t)q->body_len;
	if (t->sent >= total)
		return 0;
	if ((int64_t)want > total - t->sent)
		want = (size_t)(total - t->sent);
	if (q->body_fd < 0) {
		memcpy(buffer, (const char *)q->body + t->sent, want);
		t->sent += (int64_t)want;
		return want;
	}
	ssize_t n;
	do
		n = pread(q->body_fd, buffer, want, (off_t)(q->file_offset + t->sent));
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		/* A file that shrank under us is as bad as a read error. */
		t->read_failed = true;
		t->read_errno = n < 0 ? errno : EIO;
		return CURL_READFUNC_ABORT;
	}
	t->sent += n;
	return (size_t)n;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct transfer *t = arg;
	const struct vrp_http_request *q = t->request;
	(void)dltotal;
	(void)ultotal;
	if (q->progress && q->progress(q->progress_ctx, q->progress_base + (int64_t)(ulnow + dlnow),
				       q->progress_total) != 0) {
		t->cancelled = true;
		return 1;
	}
	return 0;
}

/* ---- one request ---- */

static bool has_body(const struct vrp_http_request *q)
{
	return q->body_fd >= 0 || q->body || !strcmp(q->method, "POST") ||
	       !strcmp(q->method, "PUT") || !strcmp(q->method, "PATCH");
}

static int set_options(struct transfer *t, struct curl_slist *headers, bool loopback)
{
	const struct vrp_http_request *q = t->request;
	CURL *c = t->curl;
	CURLcode e = CURLE_OK;
#define SET(opt, value)                                                                            \
	if (e == CURLE_OK)                                                                         \
	e = t->api->easy_setopt(c, opt, value)
	SET(CURLOPT_URL, q->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, loopback ? "http,https" : "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
	SET(CURLOPT_PROTOCOLS,
	    loopback ? (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS) : (long)CURLPROTO_HTTPS);
	SET(CURLOPT_REDIR_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	/* A proxy between us and a loopback test server would be a surprise. */
	if (loopback)
		SET(CURLOPT_NOPROXY, "*");
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
	SET(CURLOPT_TIMEOUT_MS, (long)vrp_http_deadline_ms(t->timeout_s, q));
	SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SET(CURLOPT_LOW_SPEED_TIME, (long)LOW_SPEED_TIME_S);
	SET(CURLOPT_USERAGENT, "vrp/" VRP_VERSION);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, t);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, t);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, t);
	if (has_body(q)) {
		int64_t len = q->body_fd >= 0 ? q->file_len : (int64_t)q->body_len;
		SET(CURLOPT_UPLOAD, 1L);
		SET(CURLOPT_READFUNCTION, on_read);
		SET(CURLOPT_READDATA, t);
		SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	} else if (!strcmp(q->method, "GET")) {
		SET(CURLOPT_HTTPGET, 1L);
	}
	SET(CURLOPT_CUSTOMREQUEST, q->method);
#undef SET
	if (e != CURLE_OK)
		return vrp_error_set(VRP_ERROR, "cannot set up a request: %s",
				     t->api->easy_strerror(e));
	return 0;
}

static struct curl_slist *build_headers(const struct vrp_curl *api,
					const struct vrp_http_request *q, bool *oom)
{
	struct curl_slist *list = NULL, *next;
	/* Uploads must not wait a second for a 100 Continue that Google never needs. */
	static const char *const fixed[] = { "Expect:", "Accept: application/json, */*", NULL };
	for (const char *const *h = fixed; *h; h++) {
		if (!(next = api->slist_append(list, *h)))
			goto oom;
		list = next;
	}
	for (const char *const *h = q->headers; h && *h; h++) {
		if (!(next = api->slist_append(list, *h)))
			goto oom;
		list = next;
	}
	return list;
oom:
	*oom = true;
	api->slist_free_all(list);
	return NULL;
}

/* The URL without its query (which may hold an upload session id) for messages and logs. */
static void url_for_humans(const char *url, char *out, size_t size)
{
	snprintf(out, size, "%.*s", (int)strcspn(url, "?#"), url);
}

static int transport_error(const struct vrp_http *http, const struct transfer *t, CURLcode e,
			   const char *url)
{
	char where[256];
	url_for_humans(url, where, sizeof(where));
	if (t->cancelled)
		return vrp_error_set(VRP_ECANCELLED, "remote %s: transfer to %s cancelled",
				     http->remote, where);
	if (t->sink_failed)
		return vrp_error_last()->code < 0 ? vrp_error_last()->code
						  : vrp_error_set(VRP_EIO, "cannot store the body");
	if (t->read_failed)
		return vrp_error_from_errno(t->read_errno, "cannot read the file to upload");
	if (t->too_large)
		return vrp_error_set(VRP_ETRANSIENT,
				     "remote %s: %s %s: the answer is over %u bytes", http->remote,
				     t->request->method, where, VRP_HTTP_BODY_MAX);
	if (e == CURLE_UNSUPPORTED_PROTOCOL || e == CURLE_URL_MALFORMAT)
		return vrp_error_set(VRP_EPERMANENT, "remote %s: bad URL %s: %s", http->remote,
				     where, t->api->easy_strerror(e));
	if (e == CURLE_OPERATION_TIMEDOUT)
		return vrp_error_set(
			VRP_ETRANSIENT,
			"remote %s: %s %s: %s (the deadline for this request is "
			"%lld s)",
			http->remote, t->request->method, where, t->api->easy_strerror(e),
			(long long)(vrp_http_deadline_ms(t->timeout_s, t->request) / 1000));
	return vrp_error_set(VRP_ETRANSIENT, "remote %s: %s %s: %s", http->remote,
			     t->request->method, where, t->api->easy_strerror(e));
}

int vrp_http_perform(struct vrp_http *http, const struct vrp_http_request *request,
		     struct vrp_http_response *response)
{
	memset(response, 0, sizeof(*response));
	bool loopback = false;
	if (!url_policy(request->url, &loopback)) {
		char where[256];
		url_for_humans(request->url ? request->url : "", where, sizeof(where));
		return vrp_error_set(VRP_EPERMANENT,
				     "remote %s: refusing %s: only https, or http to a loopback "
				     "address, is allowed",
				     http->remote, where);
	}
	bool oom = false;
	const struct vrp_curl *api = http->api;
	struct curl_slist *headers = build_headers(api, request, &oom);
	if (oom)
		return vrp_error_oom();
	struct transfer t = { .api = api,
			      .curl = http->curl,
			      .request = request,
			      .response = response,
			      .timeout_s = http->timeout_s };
	api->easy_reset(http->curl); /* keeps the connection cache: the point of one handle */
	int rc = set_options(&t, headers, loopback);
	CURLcode e = CURLE_OK;
	if (rc == 0)
		e = api->easy_perform(http->curl);
	if (rc == 0 && e != CURLE_OK)
		rc = transport_error(http, &t, e, request->url);
	if (rc == 0)
		api->easy_getinfo(http->curl, CURLINFO_RESPONSE_CODE, &response->status);
	api->easy_setopt(http->curl, CURLOPT_HTTPHEADER, NULL);
	api->slist_free_all(headers);
	if (rc < 0) {
		vrp_http_response_clear(response);
		return rc;
	}
	char where[256];
	url_for_humans(request->url, where, sizeof(where));
	VRP_LOG_DEBUG("http",
		      json_pack("{s:s, s:s, s:i}", "method", request->method, "url", where,
				"status", (int)response->status),
		      "%s %s: %ld", request->method, where, response->status);
	return 0;
}

/* ---- encoding ---- */

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

char *vrp_http_escape(const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(text);
	char *out = malloc(len * 3 + 1), *o = out;
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (unreserved(*p)) {
			*o++ = (char)*p;
			continue;
		}
		*o++ = '%';
		*o++ = hex[*p >> 4];
		*o++ = hex[*p & 15];
	}
	*o = '\0';
	return out;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *vrp_http_unescape(const char *text, size_t len)
{
	char *out = malloc(len + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '+') {
			*o++ = ' ';
		} else if (text[i] != '%') {
			*o++ = text[i];
		} else {
			int hi = i + 2 < len ? hex_value(text[i + 1]) : -1;
			int lo = i + 2 < len ? hex_value(text[i + 2]) : -1;
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		}
	}
	*o = '\0';
	return out;
}

int vrp_http_form_add(char **form, const char *key, const char *value)
{
	char *k = vrp_http_escape(key), *v = vrp_http_escape(value);
	size_t old = *form ? strlen(*form) : 0;
	char *grown = k && v ? realloc(*form, old + strlen(k) + strlen(v) + 3) : NULL;
	if (grown)
		sprintf(grown + old, "%s%s=%s", old ? "&" : "", k, v);
	free(k);
	free(v);
	if (!grown)
		return vrp_error_oom();
	*form = grown;
	return 0;
}

int64_t vrp_http_retry_after_ms(const char *value, int64_t now_s)
{
	if (!value || !*value)
		return -1;
	char *end = NULL;
	errno = 0;
	long long seconds = strtoll(value, &end, 10);
	if (end != value && *end == '\0' && errno == 0)
		return seconds < 0 ? -1 : (seconds > 86400 ? 86400 : seconds) * 1000;
	const struct vrp_curl *api = NULL;
	if (vrp_curl_load(&api) < 0)
		return -1;
	time_t when = api->getdate(value, NULL);
	if (when < 0)
		return -1;
	return when <= now_s ? 0 : ((int64_t)when - now_s) * 1000;
}
