/*
 * onedrive_auth.c - the OneDrive provider's OAuth state with the Microsoft
 * identity platform (v2.0) as a public client: tokens from and to the
 * credential store, refresh with rotating refresh tokens, and sign-in.
 *
 * Secrets of a onedrive remote in the credential store:
 *   refresh_token  the grant; Microsoft hands out a new one with every
 *                  refresh and the old one may stop working
 *   access_token   {"token": "...", "expires_at_ms": N}
 * The client id is the `client_id` setting or $VRP_ONEDRIVE_CLIENT_ID; a
 * public client has no secret.
 *
 * Rotation makes a refresh a one-way step: the new refresh token is stored
 * before the new access token is used, so a crash never leaves vrp holding
 * only a spent token. Workers and processes serialise their refreshes
 * (cloud/refresh_lock.h) and look in the store first, so a token another
 * one just got is taken instead of spending the refresh token again.
 */
#include "cloud/providers/onedrive.h"

#include "cloud/oauth_signin.h"
#include "core/error_set.h"
#include "core/log.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCOPE_APPFOLDER "Files.ReadWrite.AppFolder offline_access"
#define SCOPE_FILES     "Files.ReadWrite offline_access"
/* Refresh this long before expiry, so a token never dies mid-request. */
#define EXPIRY_MARGIN_MS  60000
#define DEFAULT_TIMEOUT_S 300

static void wipe(char **s)
{
	if (*s) {
		OPENSSL_cleanse(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

const char *onedrive_scope(const struct onedrive *od)
{
	return od->app_folder ? SCOPE_APPFOLDER : SCOPE_FILES;
}

static int get_secret(const struct onedrive *od, const char *key, char **out)
{
	*out = NULL;
	if (!od->secret)
		return VRP_ENOTFOUND;
	int rc = od->secret(od->secret_ctx, od->name, key, out);
	return rc < 0 ? rc : 0;
}

static int put_secret(const struct onedrive *od, const char *key, const char *value)
{
	if (!od->put_secret)
		return vrp_error_set(VRP_EINVAL, "remote %s: no credential store to keep %s in",
				     od->name, key);
	return od->put_secret(od->secret_ctx, od->name, key, value);
}

static int client_of(const struct onedrive *od, struct vrp_oauth_client *client)
{
	const char *env_id = getenv("VRP_ONEDRIVE_CLIENT_ID");
	*client = (struct vrp_oauth_client){
		.remote = od->name,
		.client_id = od->client_id ? od->client_id : env_id,
		.auth_url = od->auth_url,
		.token_url = od->token_url,
		.device_url = od->device_url,
		.scope = onedrive_scope(od),
	};
	if (!client->client_id || !*client->client_id)
		return vrp_error_set(VRP_EAUTH,
				     "remote %s has no client id: set client_id=... on the remote "
				     "or VRP_ONEDRIVE_CLIENT_ID (see README, OneDrive)",
				     od->name);
	return 0;
}

static int store_access_token(const struct onedrive *od)
{
	json_t *o = json_pack("{s:s, s:I}", "token", od->access_token, "expires_at_ms",
			      (json_int_t)od->expires_at_ms);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	int rc = text ? put_secret(od, "access_token", text) : vrp_error_oom();
	wipe(&text);
	return rc;
}

static void adopt(struct onedrive *od, struct vrp_oauth_tokens *tokens)
{
	wipe(&od->access_token);
	od->access_token = tokens->access_token;
	od->expires_at_ms = tokens->expires_at_ms;
	tokens->access_token = NULL;
	if (tokens->refresh_token) {
		wipe(&od->refresh_token);
		od->refresh_token = tokens->refresh_token;
		tokens->refresh_token = NULL;
	}
}

/* The stored refresh token, which another worker may have rotated since we read it. */
static int load_refresh_token(struct onedrive *od)
{
	char *stored = NULL;
	int rc = get_secret(od, "refresh_token", &stored);
	if (rc == 0 && stored) {
		wipe(&od->refresh_token);
		od->refresh_token = stored;
		return 0;
	}
	if (rc < 0 && rc != VRP_ENOTFOUND)
		return rc;
	if (od->refresh_token)
		return 0;
	return vrp_error_set(VRP_EAUTH_EXPIRED,
			     "remote %s is not signed in to Microsoft: run `vrp remote auth %s`",
			     od->name, od->name);
}

static bool usable_until(int64_t expires_at_ms)
{
	int64_t now = vrp_oauth_now_ms();
	return expires_at_ms > now + EXPIRY_MARGIN_MS &&
	       expires_at_ms <= now + VRP_OAUTH_MAX_LIFETIME_S * 1000LL;
}

/* The stored access token when it is good and is not `stale`; true when taken. */
static bool load_access_token(struct onedrive *od, const char *stale)
{
	char *text = NULL;
	if (get_secret(od, "access_token", &text) < 0 || !text)
		return false;
	json_t *o = json_loads(text, 0, NULL);
	const char *token = json_string_value(json_object_get(o, "token"));
	int64_t expires = (int64_t)json_integer_value(json_object_get(o, "expires_at_ms"));
	bool taken = false;
	if (token && usable_until(expires) && !(stale && !strcmp(stale, token))) {
		char *copy = strdup(token);
		if (copy) {
			wipe(&od->access_token);
			od->access_token = copy;
			od->expires_at_ms = expires;
			taken = true;
		}
	}
	json_decref(o);
	wipe(&text);
	return taken;
}

/* Spends the refresh token; the successor is in the store before this returns 0. */
static int spend_refresh_token(struct onedrive *od)
{
	struct vrp_oauth_client client;
	int rc = load_refresh_token(od);
	if (rc == 0)
		rc = client_of(od, &client);
	struct vrp_oauth_tokens tokens = { 0 };
	if (rc == 0)
		rc = vrp_oauth_refresh(od->http, &client, od->refresh_token, &tokens);
	/* Another process may have spent ours and stored its successor meanwhile: one more try. */
	char *spent =
		rc == VRP_EAUTH_EXPIRED && od->refresh_token ? strdup(od->refresh_token) : NULL;
	if (spent && load_refresh_token(od) == 0 && strcmp(spent, od->refresh_token) != 0)
		rc = vrp_oauth_refresh(od->http, &client, od->refresh_token, &tokens);
	wipe(&spent);
	if (rc < 0)
		return rc;
	bool rotated = tokens.refresh_token && strcmp(tokens.refresh_token, od->refresh_token);
	adopt(od, &tokens);
	/* The old refresh token is spent: without the new one stored, the next run is locked out.
	 */
	if (rotated && (rc = put_secret(od, "refresh_token", od->refresh_token)) < 0) {
		wipe(&od->access_token);
		return vrp_error_set(rc, "remote %s: cannot store the new refresh token: %s",
				     od->name, vrp_error_last()->message);
	}
	if (store_access_token(od) < 0)
		VRP_LOG_WARNING("onedrive", json_pack("{s:s}", "remote", od->name),
				"remote %s: cannot store the refreshed access token: %s", od->name,
				vrp_error_last()->message);
	VRP_LOG_INFO("onedrive", json_pack("{s:s, s:b}", "remote", od->name, "rotated", rotated),
		     "remote %s: access token refreshed", od->name);
	return 0;
}

int onedrive_refresh(struct onedrive *od, const char *stale)
{
	char *old = stale ? strdup(stale) : od->access_token ? strdup(od->access_token) : NULL;
	int lock = -1;
	vrp_refresh_lock_take(&od->refresh_lock, od->name, &lock);
	int rc = 0;
	/* Another worker or process may have refreshed while we waited: its token is as good. */
	if (!load_access_token(od, old))
		rc = spend_refresh_token(od);
	vrp_refresh_lock_give(&od->refresh_lock, lock);
	wipe(&old);
	return rc;
}

int onedrive_ensure_token(struct onedrive *od)
{
	if (od->access_token && usable_until(od->expires_at_ms))
		return 0;
	if (load_access_token(od, NULL))
		return 0;
	return onedrive_refresh(od, NULL);
}

int onedrive_is_authenticated(void *state, bool *out)
{
	struct onedrive *od = state;
	int rc = load_refresh_token(od);
	*out = rc == 0;
	return rc == VRP_EAUTH_EXPIRED ? 0 : rc;
}

/* ---- interactive sign-in ---- */

static int keep_tokens(struct onedrive *od, struct vrp_oauth_tokens *tokens)
{
	if (!tokens->refresh_token)
		return vrp_error_set(VRP_EAUTH,
				     "remote %s: Microsoft gave no refresh token (was "
				     "offline_access granted?); sign in again",
				     od->name);
	adopt(od, tokens);
	int rc = put_secret(od, "refresh_token", od->refresh_token);
	if (rc == 0)
		rc = store_access_token(od);
	return rc;
}

int onedrive_authorize(void *state, const vrp_authorize_request *request)
{
	struct onedrive *od = state;
	if (!od->put_secret)
		return vrp_error_set(VRP_EINVAL, "remote %s: no credential store to keep tokens in",
				     od->name);
	struct vrp_oauth_client client;
	int rc = client_of(od, &client);
	int64_t timeout_s = request->timeout_s > 0 ? request->timeout_s : DEFAULT_TIMEOUT_S;
	int64_t deadline_ms = vrp_oauth_now_ms() + timeout_s * 1000;
	struct vrp_oauth_tokens tokens = { 0 };
	if (rc == 0)
		rc = vrp_oauth_sign_in(od->http, od->name, &client, request, deadline_ms, &tokens);
	if (rc == 0)
		rc = keep_tokens(od, &tokens);
	vrp_oauth_tokens_clear(&tokens);
	if (rc == 0)
		VRP_LOG_INFO(
			"onedrive",
			json_pack("{s:s, s:s}", "remote", od->name, "flow",
				  request->flow == VRP_AUTHORIZE_DEVICE ? "device" : "loopback"),
			"remote %s signed in to OneDrive", od->name);
	return rc;
}
