/*
 * oauth.h - OAuth 2.0 for installed apps (internal): PKCE (RFC 7636), the
 * authorization request for a loopback redirect (RFC 8252), the token
 * endpoint (code exchange, refresh), and the device flow (RFC 8628).
 *
 * Nothing here logs a token, a code, a verifier or a state; error messages
 * carry the server's error code and description only.
 */
#ifndef VRP_CLOUD_OAUTH_H
#define VRP_CLOUD_OAUTH_H

#include "cloud/http.h"

#include <stdbool.h>
#include <stdint.h>

/* Where and as whom to ask. Borrowed strings; client_secret may be NULL. */
struct vrp_oauth_client {
	const char *remote; /* named in messages */
	const char *client_id, *client_secret;
	const char *auth_url, *token_url, *device_url;
	const char *scope;
};

/* A token endpoint's answer. Free the strings with vrp_oauth_tokens_clear(). */
struct vrp_oauth_tokens {
	char *access_token;
	char *refresh_token; /* NULL when the answer had none (a refresh usually) */
	int64_t expires_at_ms;
};

/* Zeroes and frees the strings; NULL is a no-op. */
void vrp_oauth_tokens_clear(struct vrp_oauth_tokens *tokens);

/* 43 characters of a 32-byte random value, base64url: a PKCE verifier or a state. */
#define VRP_OAUTH_RANDOM_LEN 44

/* Fills `out` (NUL-terminated) from the CSPRNG. */
int vrp_oauth_random(char out[VRP_OAUTH_RANDOM_LEN]);

/* The S256 code challenge of `verifier`: BASE64URL(SHA256(verifier)), 43 characters. */
int vrp_oauth_pkce_challenge(const char *verifier, char out[VRP_OAUTH_RANDOM_LEN]);

/* `len` bytes in base64url without padding into `out` (4 * ceil(len / 3) + 1 bytes). */
void vrp_oauth_base64url(const unsigned char *data, size_t len, char *out);

/*
 * The authorization URL for the loopback flow: response_type=code, the
 * client, redirect_uri, scope, state, the S256 challenge, and
 * access_type=offline&prompt=consent so Google returns a refresh token.
 * Malloc'd; NULL when out of memory (recorded).
 */
char *vrp_oauth_auth_url(const struct vrp_oauth_client *client, const char *redirect_uri,
			 const char *state, const char *challenge);

/*
 * Lifetimes and intervals from a server are clamped to these (seconds), so
 * a hostile `expires_in` of 2^63 - 1 or -5 gives a sane expiry, never an
 * overflow: a token lives a minute to a day, a device poll waits 1 to 60 s.
 */
#define VRP_OAUTH_MIN_LIFETIME_S 60
#define VRP_OAUTH_MAX_LIFETIME_S 86400
#define VRP_OAUTH_MAX_INTERVAL_S 60

/* `value` within [min, max]; `fallback` when it is INT64_MIN (absent or unreadable). */
int64_t vrp_oauth_clamp_s(int64_t value, int64_t min, int64_t max, int64_t fallback);

/*
 * Parses a token endpoint's 200 answer at `now_ms`. VRP_EAUTH when it holds
 * no access token. `expires_in` (a number or a decimal string; an hour when
 * absent) is clamped to VRP_OAUTH_MIN_LIFETIME_S..VRP_OAUTH_MAX_LIFETIME_S.
 */
int vrp_oauth_parse_tokens(const char *remote, const char *json, int64_t now_ms,
			   struct vrp_oauth_tokens *out);

/*
 * Maps a token endpoint's error answer: invalid_grant (revoked or expired
 * refresh token, used code) is VRP_EAUTH_EXPIRED; invalid_client and
 * unauthorized_client VRP_EAUTH; 429 VRP_ERATE_LIMIT; 5xx VRP_ETRANSIENT;
 * else VRP_EAUTH. The message names the remote, `what` and the server's
 * error and description.
 */
int vrp_oauth_error(const char *remote, const char *what, long status, const char *body);

/* Exchanges an authorization code (with its verifier and redirect URI) for tokens. */
int vrp_oauth_exchange_code(struct vrp_http *http, const struct vrp_oauth_client *client,
			    const char *code, const char *verifier, const char *redirect_uri,
			    struct vrp_oauth_tokens *out);

/* A new access token from a refresh token (the refresh token is kept when none comes back). */
int vrp_oauth_refresh(struct vrp_http *http, const struct vrp_oauth_client *client,
		      const char *refresh_token, struct vrp_oauth_tokens *out);

/* A device authorization in progress. Free with vrp_oauth_device_clear(). */
struct vrp_oauth_device {
	char *device_code, *user_code, *verification_url;
	int64_t expires_at_ms;
	int interval_s;
};

void vrp_oauth_device_clear(struct vrp_oauth_device *device);

/* The device endpoint's answer `body` (JSON) into `out`; VRP_EPERMANENT without a code or URL. */
int vrp_oauth_parse_device(const struct vrp_oauth_client *client, const char *body,
			   struct vrp_oauth_device *out);

/* Asks the device endpoint for a user code. */
int vrp_oauth_device_start(struct vrp_http *http, const struct vrp_oauth_client *client,
			   struct vrp_oauth_device *out);

/*
 * Polls the token endpoint every interval (5 s more after each slow_down)
 * until the user approves (0, tokens in `out`), denies (VRP_EAUTH), the
 * code expires or `deadline_ms` passes (VRP_EAUTH).
 */
int vrp_oauth_device_poll(struct vrp_http *http, const struct vrp_oauth_client *client,
			  struct vrp_oauth_device *device, int64_t deadline_ms,
			  struct vrp_oauth_tokens *out);

/* Wall-clock milliseconds (token expiry is wall-clock). */
int64_t vrp_oauth_now_ms(void);

/* ---- oauth_loopback.c: the redirect listener ---- */

struct vrp_oauth_listener;

/* Listens on 127.0.0.1 on a free port; `*redirect_uri` is "http://127.0.0.1:PORT/" (owned). */
int vrp_oauth_listener_open(struct vrp_oauth_listener **out, const char **redirect_uri);

/*
 * Waits until the browser comes back with `state` and returns the code
 * (malloc'd) after answering it a small page. An answer with error=...
 * (access_denied) is VRP_EAUTH; no answer before `deadline_ms` VRP_EAUTH
 * too. Requests with another state, or none, are answered and ignored.
 */
int vrp_oauth_listener_wait(struct vrp_oauth_listener *listener, const char *state,
			    int64_t deadline_ms, char **code);

/* NULL is a no-op. */
void vrp_oauth_listener_free(struct vrp_oauth_listener *listener);

/*
 * Opens `url` with xdg-open when a graphical session seems present
 * ($DISPLAY or $WAYLAND_DISPLAY), without a shell; true when started.
 */
bool vrp_oauth_open_browser(const char *url);

#endif
