/*
 * gdrive_auth.c - the Drive provider's OAuth state: tokens from and to the
 * credential store, transparent refresh, and interactive sign-in.
 *
 * Secrets of a gdrive remote in the credential store:
 *   refresh_token  the long-lived grant from `vrp remote auth`
 *   access_token   {"token": "...", "expires_at_ms": N}, so each command
 *                  need not refresh
 *   client_secret  the OAuth client's secret (or $VRP_GDRIVE_CLIENT_SECRET)
 * The client id is the `client_id` setting or $VRP_GDRIVE_CLIENT_ID: a
 * desktop client's id is not secret, and neither comes from the repository.
 */
#include "cloud/providers/gdrive.h"

#include "cloud/oauth_signin.h"
#include "core/error_set.h"
#include "core/log.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCOPE "https://www.googleapis.com/auth/drive.file"
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

static int get_secret(const struct gdrive *gd, const char *key, char **out)
{
	*out = NULL;
	if (!gd->secret)
		return VRP_ENOTFOUND;
	int rc = gd->secret(gd->secret_ctx, gd->name, key, out);
	return rc < 0 ? rc : 0;
}

static int put_secret(const struct gdrive *gd, const char *key, const char *value)
{
	if (!gd->put_secret)
		return vrp_error_set(VRP_EINVAL, "remote %s: no credential store to keep %s in",
				     gd->name, key);
	return gd->put_secret(gd->secret_ctx, gd->name, key, value);
}

/* The client as configured: id from the setting or environment, secret from env or store. */
static int client_of(const struct gdrive *gd, struct vrp_oauth_client *client, char **secret)
{
	*secret = NULL;
	const char *env_id = getenv("VRP_GDRIVE_CLIENT_ID");
	*client = (struct vrp_oauth_client){
		.remote = gd->name,
		.client_id = gd->client_id ? gd->client_id : env_id,
		.auth_url = gd->auth_url,
		.token_url = gd->token_url,
		.device_url = gd->device_url,
		.scope = SCOPE,
	};
	if (!client->client_id || !*client->client_id)
		return vrp_error_set(VRP_EAUTH,
				     "remote %s has no OAuth client id: set client_id=... on the "
				     "remote or VRP_GDRIVE_CLIENT_ID (see README, Google Drive)",
				     gd->name);
	const char *env_secret = getenv("VRP_GDRIVE_CLIENT_SECRET");
	if (env_secret && *env_secret)
		*secret = strdup(env_secret);
	else if (get_secret(gd, "client_secret", secret) == VRP_ENOMEM)
		return VRP_ENOMEM;
	/* Google's desktop clients need it; a PKCE-only client may have none. */
	client->client_secret = *secret;
	return 0;
}

static int store_access_token(const struct gdrive *gd)
{
	json_t *o = json_pack("{s:s, s:I}", "token", gd->access_token, "expires_at_ms",
			      (json_int_t)gd->expires_at_ms);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	int rc = text ? put_secret(gd, "access_token", text) : vrp_error_oom();
	wipe(&text);
	return rc;
}

/* Takes the tokens into the instance (the refresh token only when one came). */
static void adopt(struct gdrive *gd, struct vrp_oauth_tokens *tokens)
{
	wipe(&gd->access_token);
	gd->access_token = tokens->access_token;
	gd->expires_at_ms = tokens->expires_at_ms;
	tokens->access_token = NULL;
	if (tokens->refresh_token) {
		wipe(&gd->refresh_token);
		gd->refresh_token = tokens->refresh_token;
		tokens->refresh_token = NULL;
	}
}

static int load_refresh_token(struct gdrive *gd)
{
	if (gd->refresh_token)
		return 0;
	int rc = get_secret(gd, "refresh_token", &gd->refresh_token);
	if (rc == VRP_ENOTFOUND || (rc == 0 && !gd->refresh_token))
		return vrp_error_set(VRP_EAUTH_EXPIRED,
				     "remote %s is not signed in to Google: run `vrp remote auth "
				     "%s`",
				     gd->name, gd->name);
	return rc;
}

/* Spends the refresh token for a new access token, and keeps both. */
static int spend_refresh_token(struct gdrive *gd)
{
	int rc = load_refresh_token(gd);
	struct vrp_oauth_client client;
	char *client_secret = NULL;
	if (rc == 0)
		rc = client_of(gd, &client, &client_secret);
	struct vrp_oauth_tokens tokens = { 0 };
	if (rc == 0)
		rc = vrp_oauth_refresh(gd->http, &client, gd->refresh_token, &tokens);
	wipe(&client_secret);
	if (rc < 0)
		return rc;
	bool rotated = tokens.refresh_token != NULL;
	adopt(gd, &tokens);
	VRP_LOG_INFO("gdrive", json_pack("{s:s}", "remote", gd->name),
		     "remote %s: access token refreshed", gd->name);
	/* Keeping it saves the next command a refresh; failing to is not fatal. */
	if ((rotated && put_secret(gd, "refresh_token", gd->refresh_token) < 0) ||
	    store_access_token(gd) < 0)
		VRP_LOG_WARNING("gdrive", json_pack("{s:s}", "remote", gd->name),
				"remote %s: cannot store the refreshed token: %s", gd->name,
				vrp_error_last()->message);
	return 0;
}

/*
 * Whether a token expiring at `expires_at_ms` is good for a while yet. Said
 * without arithmetic on the stored value (any int64), and a stored expiry
 * further out than a token can live is not believed.
 */
static bool usable_until(int64_t expires_at_ms)
{
	int64_t now = vrp_oauth_now_ms();
	return expires_at_ms > now + EXPIRY_MARGIN_MS &&
	       expires_at_ms <= now + VRP_OAUTH_MAX_LIFETIME_S * 1000LL;
}

/* The access token kept by an earlier command, when it is still good. */
static void load_access_token(struct gdrive *gd)
{
	char *text = NULL;
	if (get_secret(gd, "access_token", &text) < 0 || !text)
		return;
	json_t *o = json_loads(text, 0, NULL);
	const char *token = json_string_value(json_object_get(o, "token"));
	int64_t expires = (int64_t)json_integer_value(json_object_get(o, "expires_at_ms"));
	if (token && usable_until(expires)) {
		gd->access_token = strdup(token);
		gd->expires_at_ms = expires;
	}
	json_decref(o);
	wipe(&text);
}

/*
 * A refresh after a 401 or at expiry. Under the refresh lock, the store is
 * asked first: another worker or process that refreshed while we waited
 * left a token as good as a new one, and Google limits how many a client
 * may hold.
 */
int gdrive_refresh(struct gdrive *gd)
{
	char *stale = gd->access_token ? strdup(gd->access_token) : NULL;
	int lock = -1;
	vrp_refresh_lock_take(&gd->refresh_lock, gd->name, &lock);
	wipe(&gd->access_token);
	load_access_token(gd);
	int rc = 0;
	if (!gd->access_token || (stale && !strcmp(stale, gd->access_token))) {
		wipe(&gd->access_token);
		rc = spend_refresh_token(gd);
	}
	vrp_refresh_lock_give(&gd->refresh_lock, lock);
	wipe(&stale);
	return rc;
}

int gdrive_ensure_token(struct gdrive *gd)
{
	if (!gd->access_token)
		load_access_token(gd);
	if (gd->access_token && usable_until(gd->expires_at_ms))
		return 0;
	return gdrive_refresh(gd);
}

int gdrive_is_authenticated(void *state, bool *out)
{
	struct gdrive *gd = state;
	int rc = load_refresh_token(gd);
	*out = rc == 0;
	return rc == VRP_EAUTH_EXPIRED ? 0 : rc;
}

/* ---- interactive sign-in ---- */

static int keep_tokens(struct gdrive *gd, struct vrp_oauth_tokens *tokens)
{
	if (!tokens->refresh_token)
		return vrp_error_set(VRP_EAUTH,
				     "remote %s: Google gave no refresh token; remove vrp's access "
				     "at https://myaccount.google.com/permissions and try again",
				     gd->name);
	adopt(gd, tokens);
	int rc = put_secret(gd, "refresh_token", gd->refresh_token);
	if (rc == 0)
		rc = store_access_token(gd);
	return rc;
}

int gdrive_authorize(void *state, const vrp_authorize_request *request)
{
	struct gdrive *gd = state;
	if (!gd->put_secret)
		return vrp_error_set(VRP_EINVAL, "remote %s: no credential store to keep tokens in",
				     gd->name);
	struct vrp_oauth_client client;
	char *client_secret = NULL;
	int rc = client_of(gd, &client, &client_secret);
	int64_t timeout_s = request->timeout_s > 0 ? request->timeout_s : DEFAULT_TIMEOUT_S;
	int64_t deadline_ms = vrp_oauth_now_ms() + timeout_s * 1000;
	struct vrp_oauth_tokens tokens = { 0 };
	if (rc == 0)
		rc = vrp_oauth_sign_in(gd->http, gd->name, &client, request, deadline_ms, &tokens);
	if (rc == 0)
		rc = keep_tokens(gd, &tokens);
	vrp_oauth_tokens_clear(&tokens);
	wipe(&client_secret);
	if (rc == 0)
		VRP_LOG_INFO(
			"gdrive",
			json_pack("{s:s, s:s}", "remote", gd->name, "flow",
				  request->flow == VRP_AUTHORIZE_DEVICE ? "device" : "loopback"),
			"remote %s signed in to Google Drive", gd->name);
	return rc;
}
