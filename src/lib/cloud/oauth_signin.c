/* oauth_signin.c - the loopback and device sign-in flows, shared by the OAuth providers. */
#include "cloud/oauth_signin.h"

#include "core/error_set.h"

#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void prompt(const vrp_authorize_request *request, const char *url, const char *user_code,
		   int64_t expires_in_s, bool browser_opened)
{
	vrp_authorize_prompt p = { url, user_code, expires_in_s, browser_opened };
	if (request->prompt)
		request->prompt(request->prompt_ctx, &p);
}

static void wipe(char **s)
{
	if (*s) {
		OPENSSL_cleanse(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

static int loopback_flow(struct vrp_http *http, const struct vrp_oauth_client *client,
			 const vrp_authorize_request *request, int64_t deadline_ms,
			 struct vrp_oauth_tokens *tokens)
{
	struct vrp_oauth_listener *listener = NULL;
	const char *redirect_uri = NULL;
	char verifier[VRP_OAUTH_RANDOM_LEN], challenge[VRP_OAUTH_RANDOM_LEN];
	char state[VRP_OAUTH_RANDOM_LEN];
	char *url = NULL, *code = NULL;
	int rc = vrp_oauth_listener_open(&listener, &redirect_uri);
	if (rc == 0)
		rc = vrp_oauth_random(verifier);
	if (rc == 0)
		rc = vrp_oauth_random(state);
	if (rc == 0)
		rc = vrp_oauth_pkce_challenge(verifier, challenge);
	if (rc == 0 && !(url = vrp_oauth_auth_url(client, redirect_uri, state, challenge)))
		rc = VRP_ENOMEM;
	if (rc == 0) {
		bool opened = request->open_browser && vrp_oauth_open_browser(url);
		prompt(request, url, NULL, (deadline_ms - vrp_oauth_now_ms()) / 1000, opened);
		rc = vrp_oauth_listener_wait(listener, state, deadline_ms, &code);
	}
	if (rc == 0)
		rc = vrp_oauth_exchange_code(http, client, code, verifier, redirect_uri, tokens);
	OPENSSL_cleanse(verifier, sizeof(verifier));
	wipe(&code);
	free(url);
	vrp_oauth_listener_free(listener);
	return rc;
}

static int device_flow(struct vrp_http *http, const struct vrp_oauth_client *client,
		       const vrp_authorize_request *request, int64_t deadline_ms,
		       struct vrp_oauth_tokens *tokens)
{
	struct vrp_oauth_device device = { 0 };
	int rc = vrp_oauth_device_start(http, client, &device);
	if (rc == 0) {
		bool opened =
			request->open_browser && vrp_oauth_open_browser(device.verification_url);
		prompt(request, device.verification_url, device.user_code,
		       (device.expires_at_ms - vrp_oauth_now_ms()) / 1000, opened);
		rc = vrp_oauth_device_poll(http, client, &device, deadline_ms, tokens);
	}
	vrp_oauth_device_clear(&device);
	return rc;
}

int vrp_oauth_sign_in(struct vrp_http *http, const char *remote,
		      const struct vrp_oauth_client *client, const vrp_authorize_request *request,
		      int64_t deadline_ms, struct vrp_oauth_tokens *tokens)
{
	int rc = request->flow == VRP_AUTHORIZE_DEVICE
			 ? device_flow(http, client, request, deadline_ms, tokens)
			 : loopback_flow(http, client, request, deadline_ms, tokens);
	if (rc < 0 && request->flow != VRP_AUTHORIZE_DEVICE)
		vrp_error_set_context("remote %s", remote);
	return rc;
}
