/*
 * security.c - who may ask the server for what.
 *
 * A local server is reachable by every web page the user visits: a page on
 * any site can make the browser send requests to 127.0.0.1. The token keeps
 * such pages from reading or changing anything (they cannot learn it); the
 * Host check defeats DNS rebinding (a hostile name resolving to 127.0.0.1
 * would otherwise be same-origin with us); the Origin and Content-Type
 * checks stop cross-site form posts that carry our cookie (a form cannot
 * send application/json, and browsers name the page's origin on every
 * cross-site POST).
 */
#include "serve/serve_internal.h"

#include "core/error_set.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int serve_token_generate(char out[SERVE_TOKEN_HEX + 1])
{
	unsigned char bytes[SERVE_TOKEN_HEX / 2];
	if (RAND_bytes(bytes, sizeof(bytes)) != 1)
		return vrp_error_set(VRP_ERROR, "no random bytes for the server token");
	for (size_t i = 0; i < sizeof(bytes); i++)
		snprintf(out + 2 * i, 3, "%02x", bytes[i]);
	OPENSSL_cleanse(bytes, sizeof(bytes));
	return 0;
}

bool serve_token_equal(const char *a, const char *b)
{
	/* Constant time over the token's length, so timing reveals no prefix. */
	if (!a || !b || strlen(a) != SERVE_TOKEN_HEX || strlen(b) != SERVE_TOKEN_HEX)
		return false;
	return CRYPTO_memcmp(a, b, SERVE_TOKEN_HEX) == 0;
}

bool serve_request_authorized(const vrp_server *server, struct MHD_Connection *connection)
{
	const char *auth = vrp_mhd->lookup_connection_value(connection, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_AUTHORIZATION);
	if (auth && !strncasecmp(auth, "Bearer ", 7)) {
		const char *t = auth + 7;
		while (*t == ' ')
			t++;
		return serve_token_equal(t, server->token);
	}
	const char *cookie = vrp_mhd->lookup_connection_value(connection, MHD_COOKIE_KIND, SERVE_COOKIE);
	return serve_token_equal(cookie, server->token);
}

bool serve_host_allowed(const vrp_server *server, struct MHD_Connection *connection)
{
	const char *host =
		vrp_mhd->lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (!host)
		return false;
	for (size_t i = 0; i < server->host_count; i++)
		if (!strcasecmp(host, server->hosts[i]))
			return true;
	return false;
}

bool serve_origin_allowed(const vrp_server *server, struct MHD_Connection *connection)
{
	const char *origin = vrp_mhd->lookup_connection_value(connection, MHD_HEADER_KIND, "Origin");
	if (!origin)
		return true;
	if (strncmp(origin, "http://", 7) != 0)
		return false;
	/* Our own origin is http:// and one of the names the Host check accepts. */
	for (size_t i = 0; i < server->host_count; i++)
		if (!strcasecmp(origin + 7, server->hosts[i]))
			return true;
	return false;
}

/* Whether `value` is `type`, alone or followed by parameters (";charset=utf-8"). */
static bool media_type_is(const char *value, const char *type)
{
	size_t n = strlen(type);
	if (strncasecmp(value, type, n) != 0)
		return false;
	return value[n] == '\0' || value[n] == ';' || value[n] == ' ';
}

bool serve_content_type_allowed(struct MHD_Connection *connection, enum serve_body body)
{
	const char *type = vrp_mhd->lookup_connection_value(connection, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_CONTENT_TYPE);
	if (body == SERVE_BODY_NONE)
		return true;
	if (!type)
		return false;
	if (body == SERVE_BODY_JSON)
		return media_type_is(type, "application/json");
	/*
	 * An upload: multipart, or the raw file. A raw body's type must be one a
	 * cross-site form cannot send without a CORS preflight (which we never
	 * answer): application/octet-stream or an audio type, never text/plain.
	 */
	return media_type_is(type, "multipart/form-data") ||
	       media_type_is(type, "application/octet-stream") || !strncasecmp(type, "audio/", 6);
}
