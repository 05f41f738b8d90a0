/*
 * oauth_signin.h - the interactive sign-in every OAuth provider runs
 * (internal): the loopback redirect with PKCE (RFC 8252, RFC 7636), or the
 * device flow (RFC 8628) for machines without a browser. The provider
 * supplies its client and keeps the tokens; the flows are the same.
 */
#ifndef VRP_CLOUD_OAUTH_SIGNIN_H
#define VRP_CLOUD_OAUTH_SIGNIN_H

#include "cloud/oauth.h"
#include "vrp/sys/provider.h"

#include <stdint.h>

struct vrp_http;

/*
 * Runs the flow `request` asks for until `deadline_ms` (vrp_oauth_now_ms()
 * time), telling the user through request->prompt where to go; fills
 * `*tokens` (clear with vrp_oauth_tokens_clear()). Errors name `remote`.
 */
int vrp_oauth_sign_in(struct vrp_http *http, const char *remote,
		      const struct vrp_oauth_client *client, const vrp_authorize_request *request,
		      int64_t deadline_ms, struct vrp_oauth_tokens *tokens);

#endif
