/*
 * onedrive.c - the OneDrive provider (Microsoft Graph): settings, instances,
 * capabilities and the ops table. Sign-in, transfers and listings live in
 * onedrive_*.c.
 */
#include "cloud/providers/onedrive.h"

#include "cloud/remote_name.h"
#include "core/error_set.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024LL * 1024)

static const struct vrp_provider_setting onedrive_settings[] = {
	{ "client_id", false, "the app's client id from Azure (else $VRP_ONEDRIVE_CLIENT_ID)" },
	{ "tenant", false, "consumers, organizations, common (default) or a tenant id" },
	{ "scope", false, "appfolder (default: the app's own folder) or files (all files)" },
	{ "folder", false, "with scope=files, the folder under the drive root (VoiceRecorderPro)" },
	{ "chunk_size", false, "bytes per upload fragment, a multiple of 327680 (10 MiB)" },
	{ "auth_url", false, "the authorization endpoint" },
	{ "token_url", false, "the token endpoint" },
	{ "device_url", false, "the device code endpoint" },
	{ "api_url", false, "the Graph base URL (https://graph.microsoft.com/v1.0)" },
	{ "timeout", false, "seconds a request may take, plus 1 s per 16 KiB it moves (120)" },
	{ NULL, false, NULL },
};

static void wipe(char *s)
{
	if (s)
		OPENSSL_cleanse(s, strlen(s));
	free(s);
}

static void onedrive_close(void *state)
{
	struct onedrive *od = state;
	if (!od)
		return;
	vrp_http_free(od->http);
	onedrive_listing_free(od->listing);
	onedrive_folders_free(od->folders);
	free(od->name);
	free(od->client_id);
	free(od->tenant);
	free(od->folder);
	free(od->auth_url);
	free(od->token_url);
	free(od->device_url);
	free(od->api_url);
	wipe(od->access_token);
	wipe(od->refresh_token);
	free(od);
}

static int parse_number(const struct vrp_provider_config *config, const char *key, const char *unit,
			int64_t fallback, int64_t min, int64_t max, int64_t *out)
{
	const char *text = vrp_provider_config_get(config, key);
	*out = fallback;
	if (!text)
		return 0;
	char *end = NULL;
	long long v = strtoll(text, &end, 10);
	if (end == text || *end || v < min || v > max)
		return vrp_error_set(VRP_EINVAL,
				     "setting '%s' must be a number of %s from %lld to %lld, not "
				     "'%s'",
				     key, unit, (long long)min, (long long)max, text);
	*out = v;
	return 0;
}

/* The tenant goes into the login URL's path: letters, digits, '-' and '.' only. */
static int check_tenant(const char *tenant)
{
	bool ok = *tenant && strlen(tenant) <= 64;
	for (const char *p = tenant; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		     (*p >= '0' && *p <= '9') || *p == '-' || *p == '.';
	return ok ? 0
		  : vrp_error_set(VRP_EINVAL,
				  "setting 'tenant' must be consumers, organizations, common, a "
				  "tenant id or a domain, not '%s'",
				  tenant);
}

/* A URL setting, or Microsoft's; refused unless https (or http to a loopback test server). */
static int endpoint(const struct vrp_provider_config *config, const char *key, const char *fallback,
		    char **out)
{
	const char *url = vrp_provider_config_get(config, key);
	if (!url)
		url = fallback;
	if (!vrp_http_url_allowed(url))
		return vrp_error_set(VRP_EINVAL,
				     "setting '%s' must be an https URL (plain http only to "
				     "127.0.0.1, ::1 or localhost), not '%s'",
				     key, url);
	size_t len = strlen(url);
	while (len > 0 && url[len - 1] == '/')
		len--;
	return (*out = strndup(url, len)) ? 0 : vrp_error_oom();
}

static int login_endpoints(struct onedrive *od, const struct vrp_provider_config *config)
{
	const char *names[] = { "auth_url", "token_url", "device_url" };
	const char *leaf[] = { "authorize", "token", "devicecode" };
	char **urls[] = { &od->auth_url, &od->token_url, &od->device_url };
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < 3; i++) {
		char *fallback = NULL;
		if (asprintf(&fallback, "https://login.microsoftonline.com/%s/oauth2/v2.0/%s",
			     od->tenant, leaf[i]) < 0)
			return vrp_error_oom();
		rc = endpoint(config, names[i], fallback, urls[i]);
		free(fallback);
	}
	return rc;
}

static int check_folder(const char *folder)
{
	char *norm = NULL;
	int rc = vrp_remote_path_normalize(folder, &norm);
	if (rc == 0 && (strchr(norm, '/') || strcmp(norm, folder) != 0))
		rc = vrp_error_set(VRP_EINVAL, "setting 'folder' must be one folder name, not '%s'",
				   folder);
	free(norm);
	return rc;
}

static int read_scope(struct onedrive *od, const struct vrp_provider_config *config)
{
	const char *scope = vrp_provider_config_get(config, "scope");
	const char *folder = vrp_provider_config_get(config, "folder");
	od->app_folder = !scope || !strcmp(scope, "appfolder");
	if (scope && !od->app_folder && strcmp(scope, "files") != 0)
		return vrp_error_set(VRP_EINVAL,
				     "setting 'scope' must be appfolder or files, not "
				     "'%s'",
				     scope);
	/* The app folder is found by its role, never by a name a setting could get wrong. */
	if (od->app_folder && folder)
		return vrp_error_set(VRP_EINVAL, "setting 'folder' needs scope=files (with the "
						 "default scope the root is the app folder)");
	int rc = check_folder(folder ? folder : VRP_REMOTE_APP_FOLDER);
	if (rc == 0 && !(od->folder = strdup(folder ? folder : VRP_REMOTE_APP_FOLDER)))
		rc = vrp_error_oom();
	return rc;
}

static int read_settings(struct onedrive *od, const struct vrp_provider_config *config)
{
	const char *tenant = vrp_provider_config_get(config, "tenant");
	int rc = check_tenant(tenant ? tenant : "common");
	if (rc == 0 && !(od->tenant = strdup(tenant ? tenant : "common")))
		rc = vrp_error_oom();
	if (rc == 0)
		rc = login_endpoints(od, config);
	if (rc == 0)
		rc = endpoint(config, "api_url", "https://graph.microsoft.com/v1.0", &od->api_url);
	if (rc == 0)
		rc = read_scope(od, config);
	const char *client_id = vrp_provider_config_get(config, "client_id");
	if (rc == 0 && client_id && !(od->client_id = strdup(client_id)))
		rc = vrp_error_oom();
	if (rc == 0)
		rc = parse_number(config, "chunk_size", "bytes", 32 * ONEDRIVE_FRAGMENT_UNIT,
				  ONEDRIVE_FRAGMENT_UNIT, 60 * MIB, &od->chunk_size);
	if (rc == 0 && od->chunk_size % ONEDRIVE_FRAGMENT_UNIT != 0)
		rc = vrp_error_set(VRP_EINVAL, "setting 'chunk_size' must be a multiple of 327680 "
					       "(320 KiB), as Graph requires");
	if (rc == 0)
		rc = parse_number(config, "timeout", "seconds", VRP_HTTP_DEFAULT_TIMEOUT_S, 1,
				  86400, &od->timeout_s);
	const char *policy = vrp_provider_config_get(config, "delete_policy");
	od->purge_deletes = policy && !strcmp(policy, "purge");
	return rc;
}

static int onedrive_open(void **state, const struct vrp_provider_config *config)
{
	struct onedrive *od = calloc(1, sizeof(*od));
	if (!od || !(od->name = strdup(config->name))) {
		free(od);
		return vrp_error_oom();
	}
	od->secret = config->secret;
	od->put_secret = config->put_secret;
	od->secret_ctx = config->secret_ctx;
	vrp_refresh_lock_init(&od->refresh_lock, config);
	int rc = read_settings(od, config);
	if (rc == 0)
		rc = vrp_http_new(&od->http, od->name);
	if (rc == 0)
		vrp_http_set_timeout(od->http, od->timeout_s);
	if (rc < 0) {
		onedrive_close(od);
		return rc;
	}
	*state = od;
	return 0;
}

static int onedrive_authenticate(void *state) { return onedrive_ensure_token(state); }

static int onedrive_capabilities(void *state, vrp_provider_capabilities *out)
{
	(void)state;
	out->resumable = true;
	out->checksum_kinds = 1u << VRP_CHECKSUM_QUICKXOR;
	out->checksum_readback = false;
	out->max_file_size = 250LL * 1024 * 1024 * MIB; /* OneDrive's 250 GB per file */
	out->trash = true;
	return 0;
}

static int onedrive_normalize_remote_id(void *state, const char *id, char **out)
{
	(void)state;
	if (!onedrive_is_id(id))
		return vrp_error_set(VRP_EINVAL, "'%s' is not a OneDrive item id", id);
	return (*out = strdup(id)) ? 0 : vrp_error_oom();
}

const struct vrp_provider_ops vrp_provider_onedrive_ops = {
	.version = VRP_PROVIDER_OPS_VERSION,
	.type = "onedrive",
	.description = "OneDrive (Microsoft Graph, OAuth; by default only vrp's app folder)",
	.settings = onedrive_settings,
	.open = onedrive_open,
	.close = onedrive_close,
	.authenticate = onedrive_authenticate,
	.is_authenticated = onedrive_is_authenticated,
	.upload = onedrive_upload,
	.download = onedrive_download,
	.list = onedrive_list,
	.list_changes = onedrive_list_changes,
	.stat = onedrive_stat,
	.delete_object = onedrive_delete,
	.storage_info = onedrive_storage_info,
	.capabilities = onedrive_capabilities,
	.normalize_remote_id = onedrive_normalize_remote_id,
	.authorize = onedrive_authorize,
};
