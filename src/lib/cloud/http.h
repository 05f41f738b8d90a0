/*
 * http.h - a thin libcurl wrapper for the cloud providers and OAuth (internal).
 *
 * One vrp_http per provider instance wraps one CURL easy handle, so
 * consecutive requests reuse the connection. Requests are https, or plain
 * http only to a loopback address (127.0.0.0/8, ::1, localhost: test servers
 * and the OAuth redirect); TLS is always verified; redirects are never
 * followed (a redirect could carry the Authorization header elsewhere).
 *
 * Transport failures (cannot connect, timeout, reset, short body) are
 * VRP_ETRANSIENT with curl's message, and so is a request past its deadline
 * (below) or a memory body over VRP_HTTP_BODY_MAX; an HTTP status is not an error here:
 * the caller maps it, because what a 403 means depends on the API.
 * Never enables CURLOPT_VERBOSE: request headers carry bearer tokens.
 */
#ifndef VRP_CLOUD_HTTP_H
#define VRP_CLOUD_HTTP_H

#include "vrp/provider.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vrp_http;

/* Receives response body bytes of a 2xx answer; non-zero stops the transfer (VRP_EIO). */
typedef int (*vrp_http_sink_fn)(void *ctx, const void *data, size_t len);

struct vrp_http_request {
	const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *url;
	const char *const *headers; /* "Name: value" lines, NULL-terminated; may be NULL */
	/* The body: from memory... */
	const void *body;
	size_t body_len;
	/* ...or, when body_fd >= 0, `file_len` bytes of a file from `file_offset`, streamed. */
	int body_fd;
	int64_t file_offset, file_len;
	/* A 2xx body goes to `sink` when set; other bodies always go to memory. */
	vrp_http_sink_fn sink;
	void *sink_ctx;
	/* Called with progress_base + bytes moved (either way) and progress_total. */
	vrp_transfer_progress_fn progress;
	void *progress_ctx;
	int64_t progress_base, progress_total;
	/* The size of the answer's body when known (a download): it lengthens the deadline. */
	int64_t expected_bytes;
};

/* What came back. Strings are malloc'd (NULL when absent); clear with vrp_http_response_clear. */
struct vrp_http_response {
	long status;
	char *body; /* NUL-terminated; at most VRP_HTTP_BODY_MAX bytes are kept */
	size_t body_len;
	char *location, *range, *retry_after, *content_type;
};

/* A memory body (JSON answer, error page) larger than this fails the request. */
#define VRP_HTTP_BODY_MAX (4u << 20)

/*
 * Every request has a deadline, so a server that trickles bytes cannot hold
 * vrp forever: the handle's timeout plus one second per
 * VRP_HTTP_MIN_RATE bytes the request sends or expects (a sink body of
 * unknown size is given none; a memory body VRP_HTTP_BODY_MAX).
 */
#define VRP_HTTP_DEFAULT_TIMEOUT_S 120
#define VRP_HTTP_MIN_RATE          (16 << 10)

/* Sets the handle's timeout (seconds, at least 1) for the requests that follow. */
void vrp_http_set_timeout(struct vrp_http *http, int64_t seconds);

/* The deadline of `request` on a handle whose timeout is `timeout_s`, in milliseconds. */
int64_t vrp_http_deadline_ms(int64_t timeout_s, const struct vrp_http_request *request);

/* A zeroed request with no file body. */
#define VRP_HTTP_REQUEST_INIT                                                                      \
	{                                                                                          \
		.body_fd = -1                                                                      \
	}

/* A handle for `remote` (named in messages). Free with vrp_http_free(). */
int vrp_http_new(struct vrp_http **out, const char *remote);

/* NULL is a no-op. */
void vrp_http_free(struct vrp_http *http);

/*
 * Performs the request into `response` (cleared first). 0 whatever the
 * status; VRP_ETRANSIENT for a transport failure, VRP_ECANCELLED when the
 * progress callback asked to stop, VRP_EPERMANENT for a URL that is not
 * https (or http to a loopback address), VRP_EIO when the sink failed.
 */
int vrp_http_perform(struct vrp_http *http, const struct vrp_http_request *request,
		     struct vrp_http_response *response);

/* Frees the response's strings; NULL is a no-op. */
void vrp_http_response_clear(struct vrp_http_response *response);

/* True for https URLs, and for http URLs whose host is a loopback address. */
bool vrp_http_url_allowed(const char *url);

/* True when `url` is http(s) to 127.0.0.0/8, ::1 or localhost. */
bool vrp_http_url_is_loopback(const char *url);

/* True when both URLs parse and share scheme, host and port (the default port counted). */
bool vrp_http_same_origin(const char *a, const char *b);

/* `text` percent-encoded (RFC 3986 unreserved characters kept); malloc'd, NULL on OOM. */
char *vrp_http_escape(const char *text);

/* Decodes %XX and '+' (form encoding); malloc'd, NULL on OOM or a bad escape. */
char *vrp_http_unescape(const char *text, size_t len);

/*
 * Appends "key=value" (both escaped) to the form body `*form`, with "&" when
 * it is not empty; `*form` may start NULL. VRP_ENOMEM (recorded).
 */
int vrp_http_form_add(char **form, const char *key, const char *value);

/*
 * The Retry-After header as milliseconds from now: delta-seconds or an
 * HTTP date; -1 when absent or unreadable.
 */
int64_t vrp_http_retry_after_ms(const char *value, int64_t now_s);

#endif
