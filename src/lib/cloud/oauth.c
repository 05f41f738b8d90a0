/*
 * oauth.c - PKCE, the authorization URL, and the token endpoint: code
 * exchange, refresh, and the mapping of its errors.
 */
#include "cloud/oauth.h"

#include "core/error_set.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t vrp_oauth_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void free_secret(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void vrp_oauth_tokens_clear(struct vrp_oauth_tokens *tokens)
{
	if (!tokens)
		return;
	free_secret(tokens->access_token);
	free_secret(tokens->refresh_token);
	memset(tokens, 0, sizeof(*tokens));
}

void vrp_oauth_base64url(const unsigned char *data, size_t len, char *out)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)data[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)data[i + 1] << 8;
		if (i + 2 < len)
			v |= data[i + 2];
		out[o++] = alphabet[(v >> 18) & 63];
		out[o++] = alphabet[(v >> 12) & 63];
		if (i + 1 < len)
			out[o++] = alphabet[(v >> 6) & 63];
		if (i + 2 < len)
			out[o++] = alphabet[v & 63];
	}
	out[o] = '\0';
}

int vrp_oauth_random(char out[VRP_OAUTH_RANDOM_LEN])
{
	unsigned char bytes[32];
	if (RAND_bytes(bytes, sizeof(bytes)) != 1)
		return vrp_error_set(VRP_ERROR, "the system's random generator failed");
	vrp_oauth_base64url(bytes, sizeof(bytes), out);
	OPENSSL_cleanse(bytes, sizeof(bytes));
	return 0;
}

int vrp_oauth_pkce_challenge(const char *verifier, char out[VRP_OAUTH_RANDOM_LEN])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (EVP_Digest(verifier, strlen(verifier), digest, &len, EVP_sha256(), NULL) != 1 ||
	    len != 32)
		return vrp_error_set(VRP_ERROR, "cannot hash the PKCE verifier");
	vrp_oauth_base64url(digest, len, out);
	return 0;
}

/* Appends "&key=value" (escaped) to a URL being built. */
static int url_add(char **url, const char *key, const char *value)
{
	char *form = NULL;
	int rc = vrp_http_form_add(&form, key, value);
	if (rc < 0)
		return rc;
	size_t old = strlen(*url);
	char *grown = realloc(*url, old + strlen(form) + 2);
	if (grown)
		sprintf(grown + old, "%c%s", strchr(grown, '?') ? '&' : '?', form);
	free(form);
	if (!grown)
		return vrp_error_oom();
	*url = grown;
	return 0;
}

char *vrp_oauth_auth_url(const struct vrp_oauth_client *client, const char *redirect_uri,
			 const char *state, const char *challenge)
{
	char *url = strdup(client->auth_url);
	int rc = url ? 0 : vrp_error_oom();
	const char *params[][2] = {
		{ "client_id", client->client_id },
		{ "redirect_uri", redirect_uri },
		{ "response_type", "code" },
		{ "scope", client->scope },
		{ "state", state },
		{ "code_challenge", challenge },
		{ "code_challenge_method", "S256" },
		/* Without these Google hands out no refresh token on a second consent. */
		{ "access_type", "offline" },
		{ "prompt", "consent" },
	};
	for (size_t i = 0; rc == 0 && i < sizeof(params) / sizeof(*params); i++)
		rc = url_add(&url, params[i][0], params[i][1]);
	if (rc < 0) {
		free(url);
		return NULL;
	}
	return url;
}

int64_t vrp_oauth_clamp_s(int64_t value, int64_t min, int64_t max, int64_t fallback)
{
	if (value == INT64_MIN)
		return fallback;
	return value < min ? min : value > max ? max : value;
}

/* expires_in as a number or a decimal string; INT64_MIN when absent or neither. */
static int64_t lifetime_of(const json_t *expires)
{
	if (json_is_integer(expires))
		return (int64_t)json_integer_value(expires);
	const char *text = json_string_value(expires);
	char *end = NULL;
	errno = 0;
	long long v = text ? strtoll(text, &end, 10) : 0;
	return !text || end == text || *end || errno ? INT64_MIN : (int64_t)v;
}

/* RFC 6750's token characters: a token goes into a header line, so no CR, LF or space. */
static bool is_token(const char *token)
{
	if (!token || !*token)
		return false;
	return strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			     "-._~+/=") == strlen(token);
}

int vrp_oauth_parse_tokens(const char *remote, const char *json, int64_t now_ms,
			   struct vrp_oauth_tokens *out)
{
	memset(out, 0, sizeof(*out));
	json_t *root = json ? json_loads(json, 0, NULL) : NULL;
	const char *access = json_string_value(json_object_get(root, "access_token"));
	const char *refresh = json_string_value(json_object_get(root, "refresh_token"));
	json_t *expires = json_object_get(root, "expires_in");
	int rc = 0;
	if (!is_token(access) || (refresh && *refresh && !is_token(refresh))) {
		rc = vrp_error_set(VRP_EAUTH,
				   "remote %s: the token endpoint answered without a usable access "
				   "token",
				   remote);
		goto done;
	}
	/* Without a lifetime, assume an hour (Google's), minus the margin the caller keeps. */
	out->expires_at_ms =
		now_ms + vrp_oauth_clamp_s(lifetime_of(expires), VRP_OAUTH_MIN_LIFETIME_S,
					   VRP_OAUTH_MAX_LIFETIME_S, 3600) *
				 1000;
	out->access_token = strdup(access);
	out->refresh_token = refresh && *refresh ? strdup(refresh) : NULL;
	if (!out->access_token || (refresh && *refresh && !out->refresh_token)) {
		vrp_oauth_tokens_clear(out);
		rc = vrp_error_oom();
	}
done:
	json_decref(root);
	return rc;
}

int vrp_oauth_error(const char *remote, const char *what, long status, const char *body)
{
	json_t *root = body ? json_loads(body, 0, NULL) : NULL;
	const char *error = json_string_value(json_object_get(root, "error"));
	const char *description = json_string_value(json_object_get(root, "error_description"));
	int code = VRP_EAUTH;
	const char *advice = "";
	if (status >= 500 || status == 408)
		code = VRP_ETRANSIENT;
	else if (status == 429)
		code = VRP_ERATE_LIMIT;
	else if (error && !strcmp(error, "invalid_grant")) {
		code = VRP_EAUTH_EXPIRED;
		advice = "; run `vrp remote auth` for it again";
	} else if (error &&
		   (!strcmp(error, "invalid_client") || !strcmp(error, "unauthorized_client")))
		advice = "; check the OAuth client id and secret";
	int rc = vrp_error_set(code, "remote %s: %s failed (HTTP %ld): %s%s%s%s", remote, what,
			       status, error ? error : "no error code", description ? ": " : "",
			       description ? description : "", advice);
	json_decref(root);
	return rc;
}

/* POSTs `form` to the token endpoint; the response is the caller's to clear with done_with(). */
static int post_token_form(struct vrp_http *http, const struct vrp_oauth_client *client,
			   const char *form, struct vrp_http_response *r)
{
	static const char *const headers[] = { "Content-Type: application/x-www-form-urlencoded",
					       NULL };
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.method = "POST";
	q.url = client->token_url;
	q.headers = headers;
	q.body = form;
	q.body_len = strlen(form);
	return vrp_http_perform(http, &q, r);
}

/* Token responses hold secrets: wiped before the memory goes back. */
static void done_with(struct vrp_http_response *r)
{
	if (r->body)
		OPENSSL_cleanse(r->body, r->body_len);
	vrp_http_response_clear(r);
}

/* POSTs `form` to the token endpoint; 0 with tokens, else the mapped error. */
static int token_request(struct vrp_http *http, const struct vrp_oauth_client *client,
			 const char *form, const char *what, struct vrp_oauth_tokens *out)
{
	struct vrp_http_response r;
	int rc = post_token_form(http, client, form, &r);
	if (rc == 0 && r.status == 200)
		rc = vrp_oauth_parse_tokens(client->remote, r.body, vrp_oauth_now_ms(), out);
	else if (rc == 0)
		rc = vrp_oauth_error(client->remote, what, r.status, r.body);
	done_with(&r);
	return rc;
}

/* The client's credentials, as Google wants them: in the form body. */
static int add_client(char **form, const struct vrp_oauth_client *client)
{
	int rc = vrp_http_form_add(form, "client_id", client->client_id);
	if (rc == 0 && client->client_secret)
		rc = vrp_http_form_add(form, "client_secret", client->client_secret);
	return rc;
}

int vrp_oauth_exchange_code(struct vrp_http *http, const struct vrp_oauth_client *client,
			    const char *code, const char *verifier, const char *redirect_uri,
			    struct vrp_oauth_tokens *out)
{
	memset(out, 0, sizeof(*out));
	char *form = NULL;
	int rc = vrp_http_form_add(&form, "grant_type", "authorization_code");
	if (rc == 0)
		rc = vrp_http_form_add(&form, "code", code);
	if (rc == 0)
		rc = vrp_http_form_add(&form, "code_verifier", verifier);
	if (rc == 0)
		rc = vrp_http_form_add(&form, "redirect_uri", redirect_uri);
	if (rc == 0)
		rc = add_client(&form, client);
	if (rc == 0)
		rc = token_request(http, client, form, "exchanging the authorization code", out);
	free_secret(form);
	return rc;
}

int vrp_oauth_refresh(struct vrp_http *http, const struct vrp_oauth_client *client,
		      const char *refresh_token, struct vrp_oauth_tokens *out)
{
	memset(out, 0, sizeof(*out));
	char *form = NULL;
	int rc = vrp_http_form_add(&form, "grant_type", "refresh_token");
	if (rc == 0)
		rc = vrp_http_form_add(&form, "refresh_token", refresh_token);
	if (rc == 0)
		rc = add_client(&form, client);
	if (rc == 0)
		rc = token_request(http, client, form, "refreshing the access token", out);
	free_secret(form);
	return rc;
}

/* ---- the device flow (RFC 8628) ---- */

void vrp_oauth_device_clear(struct vrp_oauth_device *device)
{
	if (!device)
		return;
	free_secret(device->device_code);
	free(device->user_code);
	free(device->verification_url);
	memset(device, 0, sizeof(*device));
}

int vrp_oauth_parse_device(const struct vrp_oauth_client *client, const char *body,
			   struct vrp_oauth_device *out)
{
	json_t *root = body ? json_loads(body, 0, NULL) : NULL;
	const char *device_code = json_string_value(json_object_get(root, "device_code"));
	const char *user_code = json_string_value(json_object_get(root, "user_code"));
	/* Google says verification_url; RFC 8628 says verification_uri. */
	const char *url = json_string_value(json_object_get(root, "verification_url"));
	if (!url)
		url = json_string_value(json_object_get(root, "verification_uri"));
	int64_t expires = lifetime_of(json_object_get(root, "expires_in"));
	int64_t interval = lifetime_of(json_object_get(root, "interval"));
	int rc = 0;
	if (!device_code || !user_code || !url) {
		vrp_error_set(VRP_EPERMANENT,
			      "remote %s: the device endpoint's answer lacks a code or URL",
			      client->remote);
		rc = VRP_EPERMANENT; /* the constant, so the analyser sees the strings are set below
				      */
	} else {
		out->device_code = strdup(device_code);
		out->user_code = strdup(user_code);
		out->verification_url = strdup(url);
		/* RFC 8628's defaults for what is missing; a day and a minute at most. */
		out->expires_at_ms =
			vrp_oauth_now_ms() + vrp_oauth_clamp_s(expires > 0 ? expires : INT64_MIN, 1,
							       VRP_OAUTH_MAX_LIFETIME_S, 1800) *
						     1000;
		out->interval_s = (int)vrp_oauth_clamp_s(interval > 0 ? interval : INT64_MIN, 1,
							 VRP_OAUTH_MAX_INTERVAL_S, 5);
		if (!out->device_code || !out->user_code || !out->verification_url)
			rc = vrp_error_oom();
	}
	json_decref(root);
	return rc;
}

int vrp_oauth_device_start(struct vrp_http *http, const struct vrp_oauth_client *client,
			   struct vrp_oauth_device *out)
{
	static const char *const headers[] = { "Content-Type: application/x-www-form-urlencoded",
					       NULL };
	memset(out, 0, sizeof(*out));
	char *form = NULL;
	int rc = vrp_http_form_add(&form, "client_id", client->client_id);
	if (rc == 0)
		rc = vrp_http_form_add(&form, "scope", client->scope);
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.method = "POST";
	q.url = client->device_url;
	q.headers = headers;
	q.body = form;
	q.body_len = form ? strlen(form) : 0;
	struct vrp_http_response r = { 0 };
	if (rc == 0)
		rc = vrp_http_perform(http, &q, &r);
	if (rc == 0 && r.status == 200)
		rc = vrp_oauth_parse_device(client, r.body, out);
	else if (rc == 0)
		rc = vrp_oauth_error(client->remote, "starting the device authorization", r.status,
				     r.body);
	if (rc < 0)
		vrp_oauth_device_clear(out);
	vrp_http_response_clear(&r);
	free(form);
	return rc;
}

/* The "error" of a token endpoint answer, copied into `out`. */
static void error_code_of(const char *body, char *out, size_t size)
{
	json_t *root = body ? json_loads(body, 0, NULL) : NULL;
	const char *error = json_string_value(json_object_get(root, "error"));
	snprintf(out, size, "%s", error ? error : "");
	json_decref(root);
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* One poll: 0 with tokens, 1 to poll again (interval maybe raised), else an error. */
static int poll_once(struct vrp_http *http, const struct vrp_oauth_client *client,
		     struct vrp_oauth_device *device, const char *form,
		     struct vrp_oauth_tokens *out)
{
	struct vrp_http_response r;
	int rc = post_token_form(http, client, form, &r);
	char error[64] = "";
	if (rc == 0 && r.status == 200) {
		rc = vrp_oauth_parse_tokens(client->remote, r.body, vrp_oauth_now_ms(), out);
	} else if (rc == 0) {
		error_code_of(r.body, error, sizeof(error));
		if (!strcmp(error, "authorization_pending")) {
			rc = 1;
		} else if (!strcmp(error, "slow_down")) {
			device->interval_s = (int)vrp_oauth_clamp_s(device->interval_s + 5, 1,
								    VRP_OAUTH_MAX_INTERVAL_S, 5);
			rc = 1;
		} else if (!strcmp(error, "access_denied")) {
			rc = vrp_error_set(VRP_EAUTH, "remote %s: the authorization was denied",
					   client->remote);
		} else if (!strcmp(error, "expired_token")) {
			rc = vrp_error_set(VRP_EAUTH,
					   "remote %s: the user code expired before it was entered",
					   client->remote);
		} else {
			rc = vrp_oauth_error(client->remote, "the device authorization", r.status,
					     r.body);
		}
	} else if (rc == VRP_ETRANSIENT) {
		rc = 1; /* a network blip while we wait is no reason to give up */
	}
	done_with(&r);
	return rc;
}

int vrp_oauth_device_poll(struct vrp_http *http, const struct vrp_oauth_client *client,
			  struct vrp_oauth_device *device, int64_t deadline_ms,
			  struct vrp_oauth_tokens *out)
{
	memset(out, 0, sizeof(*out));
	char *form = NULL;
	int rc = vrp_http_form_add(&form, "grant_type",
				   "urn:ietf:params:oauth:grant-type:device_code");
	if (rc == 0)
		rc = vrp_http_form_add(&form, "device_code", device->device_code);
	if (rc == 0)
		rc = add_client(&form, client);
	if (deadline_ms > device->expires_at_ms)
		deadline_ms = device->expires_at_ms;
	while (rc == 0) {
		/* Never sleep past the deadline, whatever interval the server asked for. */
		int64_t left = deadline_ms - vrp_oauth_now_ms();
		int64_t wait = (int64_t)device->interval_s * 1000;
		sleep_ms(wait < left ? wait : left > 0 ? left : 0);
		int polled = poll_once(http, client, device, form, out);
		if (polled <= 0) {
			rc = polled;
			break;
		}
		if (vrp_oauth_now_ms() >= deadline_ms)
			rc = vrp_error_set(VRP_EAUTH,
					   "remote %s: nobody approved the device code in time",
					   client->remote);
	}
	free_secret(form);
	return rc;
}
