/*
 * gdrive.c - the Google Drive provider: settings, instances, capabilities
 * and the ops table. Transfers, listing and sign-in live in gdrive_*.c.
 *
 * Drive API v3 with the drive.file scope: vrp sees and touches only files
 * it created, never the rest of the user's Drive.
 */
#include "cloud/providers/gdrive.h"

#include "cloud/remote_name.h"
#include "core/error_set.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define KIB 1024LL
#define MIB (1024LL * 1024)
/* Google requires chunks (but the last) to be multiples of this. */
#define CHUNK_UNIT (256 * KIB)

static const struct vrp_provider_setting gdrive_settings[] = {
	{ "folder", false, "the app folder in My Drive (default VoiceRecorderPro)" },
	{ "client_id", false, "the OAuth client id (else $VRP_GDRIVE_CLIENT_ID)" },
	{ "auth_url", false, "the OAuth authorization endpoint" },
	{ "token_url", false, "the OAuth token endpoint" },
	{ "device_url", false, "the OAuth device authorization endpoint" },
	{ "api_url", false, "the Drive API base URL" },
	{ "upload_url", false, "the Drive upload base URL" },
	{ "chunk_size", false, "bytes per resumable upload request, a multiple of 262144" },
	{ "multipart_threshold", false, "files up to this size go in one request (bytes)" },
	{ "timeout", false, "seconds a request may take, plus 1 s per 16 KiB it moves (120)" },
	{ NULL, false, NULL },
};

static const struct {
	const char *key, *fallback;
} endpoints[] = {
	{ "auth_url", "https://accounts.google.com/o/oauth2/v2/auth" },
	{ "token_url", "https://oauth2.googleapis.com/token" },
	{ "device_url", "https://oauth2.googleapis.com/device/code" },
	{ "api_url", "https://www.googleapis.com/drive/v3" },
	{ "upload_url", "https://www.googleapis.com/upload/drive/v3" },
};

static void gdrive_close(void *state)
{
	struct gdrive *gd = state;
	if (!gd)
		return;
	vrp_http_free(gd->http);
	gdrive_folders_clear(gd);
	gdrive_tokens_clear(&gd->list_tokens);
	free(gd->name);
	free(gd->client_id);
	free(gd->auth_url);
	free(gd->token_url);
	free(gd->device_url);
	free(gd->api_url);
	free(gd->upload_url);
	free(gd->folder);
	if (gd->access_token)
		OPENSSL_cleanse(gd->access_token, strlen(gd->access_token));
	if (gd->refresh_token)
		OPENSSL_cleanse(gd->refresh_token, strlen(gd->refresh_token));
	free(gd->access_token);
	free(gd->refresh_token);
	free(gd);
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
				     "setting '%s' must be a number of %s from %lld "
				     "to %lld, not '%s'",
				     key, unit, (long long)min, (long long)max, text);
	*out = v;
	return 0;
}

/* A URL setting, or Google's; refused unless https (or http to a loopback test server). */
static int endpoint(const struct vrp_provider_config *config, size_t i, char **out)
{
	const char *url = vrp_provider_config_get(config, endpoints[i].key);
	if (!url)
		url = endpoints[i].fallback;
	if (!vrp_http_url_allowed(url))
		return vrp_error_set(VRP_EINVAL,
				     "setting '%s' must be an https URL (plain http only to "
				     "127.0.0.1, ::1 or localhost), not '%s'",
				     endpoints[i].key, url);
	size_t len = strlen(url);
	while (len > 0 && url[len - 1] == '/')
		len--;
	return (*out = strndup(url, len)) ? 0 : vrp_error_oom();
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

static int read_settings(struct gdrive *gd, const struct vrp_provider_config *config)
{
	char **urls[] = { &gd->auth_url, &gd->token_url, &gd->device_url, &gd->api_url,
			  &gd->upload_url };
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof(endpoints) / sizeof(*endpoints); i++)
		rc = endpoint(config, i, urls[i]);
	const char *folder = vrp_provider_config_get(config, "folder");
	if (rc == 0)
		rc = check_folder(folder ? folder : VRP_REMOTE_APP_FOLDER);
	if (rc == 0 && !(gd->folder = strdup(folder ? folder : VRP_REMOTE_APP_FOLDER)))
		rc = vrp_error_oom();
	const char *client_id = vrp_provider_config_get(config, "client_id");
	if (rc == 0 && client_id && !(gd->client_id = strdup(client_id)))
		rc = vrp_error_oom();
	if (rc == 0)
		rc = parse_number(config, "chunk_size", "bytes", 8 * MIB, CHUNK_UNIT, 1024 * MIB,
				  &gd->chunk_size);
	if (rc == 0 && gd->chunk_size % CHUNK_UNIT != 0)
		rc = vrp_error_set(VRP_EINVAL, "setting 'chunk_size' must be a multiple of 262144 "
					       "(256 KiB)");
	if (rc == 0)
		rc = parse_number(config, "multipart_threshold", "bytes", 5 * MIB, 0, 64 * MIB,
				  &gd->multipart_threshold);
	if (rc == 0)
		rc = parse_number(config, "timeout", "seconds", VRP_HTTP_DEFAULT_TIMEOUT_S, 1,
				  86400, &gd->timeout_s);
	const char *policy = vrp_provider_config_get(config, "delete_policy");
	gd->purge_deletes = policy && !strcmp(policy, "purge");
	return rc;
}

static int gdrive_open(void **state, const struct vrp_provider_config *config)
{
	struct gdrive *gd = calloc(1, sizeof(*gd));
	if (!gd || !(gd->name = strdup(config->name))) {
		free(gd);
		return vrp_error_oom();
	}
	gd->secret = config->secret;
	gd->put_secret = config->put_secret;
	gd->secret_ctx = config->secret_ctx;
	vrp_refresh_lock_init(&gd->refresh_lock, config);
	int rc = read_settings(gd, config);
	if (rc == 0)
		rc = vrp_http_new(&gd->http, gd->name);
	if (rc == 0)
		vrp_http_set_timeout(gd->http, gd->timeout_s);
	if (rc < 0) {
		gdrive_close(gd);
		return rc;
	}
	*state = gd;
	return 0;
}

/* Signed in means a working access token; this may refresh it. */
static int gdrive_authenticate(void *state) { return gdrive_ensure_token(state); }

static int gdrive_capabilities(void *state, vrp_provider_capabilities *out)
{
	(void)state;
	out->resumable = true;
	out->checksum_kinds = 1u << VRP_CHECKSUM_SHA256 | 1u << VRP_CHECKSUM_MD5;
	out->checksum_readback = false;
	out->max_file_size = 5LL * 1024 * 1024 * MIB; /* Drive's 5 TB per file */
	out->trash = true;
	return 0;
}

static int gdrive_normalize_remote_id(void *state, const char *id, char **out)
{
	(void)state;
	if (!gdrive_is_id(id))
		return vrp_error_set(VRP_EINVAL, "'%s' is not a Google Drive file id", id);
	return (*out = strdup(id)) ? 0 : vrp_error_oom();
}

const struct vrp_provider_ops vrp_provider_gdrive_ops = {
	.version = VRP_PROVIDER_OPS_VERSION,
	.type = "gdrive",
	.description = "Google Drive (OAuth, drive.file scope: only files vrp created)",
	.settings = gdrive_settings,
	.open = gdrive_open,
	.close = gdrive_close,
	.authenticate = gdrive_authenticate,
	.is_authenticated = gdrive_is_authenticated,
	.upload = gdrive_upload,
	.download = gdrive_download,
	.list = gdrive_list,
	.stat = gdrive_stat,
	.delete_object = gdrive_delete,
	.storage_info = gdrive_storage_info,
	.capabilities = gdrive_capabilities,
	.normalize_remote_id = gdrive_normalize_remote_id,
	.authorize = gdrive_authorize,
};
