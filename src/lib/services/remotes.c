/* remotes.c - configured remotes: config section + catalogue row, providers, probe. */
#include "vrp/remotes.h"

#include "core/error_set.h"
#include "core/redact.h"
#include "core/ptrarray.h"
#include "core/uuid.h"
#include "db/remote_repo.h"
#include "services/audit.h"
#include "vrp/config.h"
#include "vrp/credentials.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAME_MAX_LEN 64

static void section_of(const char *name, char out[NAME_MAX_LEN + 16])
{
	snprintf(out, NAME_MAX_LEN + 16, "remote \"%s\"", name);
}

static int check_name(const char *name)
{
	size_t len = strlen(name);
	bool ok = len > 0 && len <= NAME_MAX_LEN;
	for (const char *p = name; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		     (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.';
	if (!ok)
		return vrp_error_set(VRP_EINVAL,
				     "bad remote name \"%s\": use 1-64 letters, digits, - _ .",
				     name);
	return 0;
}

static bool known_policy(const char *value)
{
	return strcmp(value, "keep") == 0 || strcmp(value, "trash") == 0 ||
	       strcmp(value, "purge") == 0;
}

static int check_settings(const char *name, const char *type, const vrp_kv *settings, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(settings[i].key, "type"))
			return vrp_error_set(VRP_EINVAL,
					     "\"type\" is not a setting: give it as TYPE");
		/* A secret on the command line lands in shell history and ps. */
		if (vrp_redact_is_secret_key(settings[i].key))
			return vrp_error_set(
				VRP_EINVAL,
				"\"%s\" looks like a secret: secrets are never settings "
				"(they would be stored in the config file); the remote "
				"asks for them when it needs them",
				settings[i].key);
		if (!strcmp(settings[i].key, "delete_policy") && !known_policy(settings[i].value))
			return vrp_error_set(
				VRP_EINVAL,
				"delete_policy must be keep, trash or purge, not \"%s\"",
				settings[i].value);
	}
	vrp_provider *probe = NULL;
	int rc = vrp_provider_new(&probe, type, name, settings, n, NULL, NULL);
	vrp_provider_free(probe);
	return rc;
}

/* Remotes gaining or losing access to recordings is security-relevant. */
static int audit_remote(vrp_db *db, const char *operation, const char *name, const char *type)
{
	return vrp_audit_record_json(db, operation, 0, name, true,
				     type ? json_pack("{s:s}", "type", type) : NULL);
}

struct add_ctx {
	const char *name, *type;
	const vrp_kv *settings;
	size_t count;
};

/* The config is saved inside the transaction: if it cannot be written, the
 * row is rolled back and nothing half-exists. */
static int add_in_txn(vrp_db *db, void *arg)
{
	struct add_ctx *a = arg;
	int rc = vrp_remote_repo_insert(db, a->name, a->type, NULL);
	vrp_config *config = NULL;
	if (rc == 0)
		rc = vrp_config_load(&config, NULL);
	char section[NAME_MAX_LEN + 16];
	section_of(a->name, section);
	if (rc == 0 && vrp_config_get(config, section, "type"))
		rc = vrp_error_set(VRP_EEXISTS, "the config file already has [%s]", section);
	if (rc == 0)
		rc = vrp_config_set(config, section, "type", a->type);
	for (size_t i = 0; rc == 0 && i < a->count; i++)
		rc = vrp_config_set(config, section, a->settings[i].key, a->settings[i].value);
	if (rc == 0)
		rc = vrp_config_save(config);
	vrp_config_free(config);
	if (rc == 0)
		rc = audit_remote(db, "remote.add", a->name, a->type);
	return rc;
}

int vrp_remotes_add(vrp_library *lib, const char *name, const char *type, const vrp_kv *settings,
		    size_t settings_count)
{
	int rc = check_name(name);
	if (rc == 0)
		rc = check_settings(name, type, settings, settings_count);
	struct add_ctx a = { name, type, settings, settings_count };
	if (rc == 0)
		rc = vrp_db_transaction(vrp_library_db(lib), add_in_txn, &a);
	if (rc == VRP_EEXISTS && !strstr(vrp_error_last()->message, "config"))
		rc = vrp_error_set(VRP_EEXISTS, "a remote named \"%s\" already exists", name);
	return rc;
}

int vrp_remotes_list(vrp_library *lib, vrp_remote_list **out)
{
	return vrp_remote_repo_list(vrp_library_db(lib), out);
}

static int remove_in_txn(vrp_db *db, void *arg)
{
	const char *name = arg;
	int rc = vrp_remote_repo_delete(db, name);
	vrp_config *config = NULL;
	if (rc == 0)
		rc = vrp_config_load(&config, NULL);
	char section[NAME_MAX_LEN + 16];
	section_of(name, section);
	/* A section the user already deleted by hand is not an error. */
	if (rc == 0 && vrp_config_remove_section(config, section) == 0)
		rc = vrp_config_save(config);
	vrp_config_free(config);
	if (rc == 0)
		rc = audit_remote(db, "remote.remove", name, NULL);
	return rc;
}

int vrp_remotes_remove(vrp_library *lib, const char *name)
{
	int rc = vrp_db_transaction(vrp_library_db(lib), remove_in_txn, (void *)name);
	/* Its secrets go with it; a store that cannot be read keeps nothing worth keeping. */
	if (rc == 0)
		vrp_credentials_delete(lib, name, NULL);
	return rc;
}

int vrp_remotes_setting(vrp_library *lib, const char *name, const char *key, char **out)
{
	(void)lib;
	*out = NULL;
	vrp_config *config = NULL;
	int rc = vrp_config_load(&config, NULL);
	char section[NAME_MAX_LEN + 16];
	section_of(name, section);
	const char *value = rc == 0 ? vrp_config_get(config, section, key) : NULL;
	if (value)
		rc = (*out = strdup(value)) ? 0 : vrp_error_oom();
	else if (rc == 0)
		rc = vrp_error_set(VRP_ENOTFOUND, "remote \"%s\" has no setting \"%s\"", name, key);
	vrp_config_free(config);
	return rc;
}

struct kv_list {
	vrp_kv *items;
	size_t count, capacity;
};

static int add_kv(void *arg, const char *key, const char *value)
{
	struct kv_list *l = arg;
	if (!strcmp(key, "type"))
		return 0;
	for (size_t i = 0; i < l->count; i++)
		if (!strcmp(l->items[i].key, key)) {
			l->items[i].value = value; /* the later setting wins */
			return 0;
		}
	if (l->count == l->capacity) {
		size_t grown = l->capacity ? l->capacity * 2 : 8;
		vrp_kv *items = realloc(l->items, grown * sizeof(*items));
		if (!items)
			return vrp_error_oom();
		l->items = items;
		l->capacity = grown;
	}
	l->items[l->count++] = (vrp_kv){ key, value };
	return 0;
}

/* The section's settings (all but "type") as key/value pairs borrowed from `config`. */
static int collect_settings(const vrp_config *config, const char *section, vrp_kv **kv,
			    size_t *count)
{
	struct kv_list l = { 0 };
	int rc = vrp_config_each(config, section, add_kv, &l);
	if (rc < 0) {
		free(l.items);
		return rc;
	}
	*kv = l.items;
	*count = l.count;
	return 0;
}

/* Providers ask for secrets through this, never through settings. */
static int lookup_secret(void *ctx, const char *remote, const char *key, char **out)
{
	return vrp_credentials_get(ctx, remote, key, out);
}

/* Providers that sign in (OAuth) keep their tokens through this. */
static int store_secret(void *ctx, const char *remote, const char *key, const char *value)
{
	return vrp_credentials_set(ctx, remote, key, value);
}

int vrp_remotes_open(vrp_library *lib, const char *name, vrp_provider **out)
{
	*out = NULL;
	vrp_remote *row = NULL;
	int rc = vrp_remote_repo_get_by_name(vrp_library_db(lib), name, &row);
	vrp_config *config = NULL;
	if (rc == 0)
		rc = vrp_config_load(&config, NULL);
	char section[NAME_MAX_LEN + 16];
	section_of(name, section);
	const char *type = rc == 0 ? vrp_config_get(config, section, "type") : NULL;
	if (rc == 0 && !type)
		rc = vrp_error_set(
			VRP_ENOTFOUND, "remote \"%s\" has no [%s] section in %s: add it again",
			name, section,
			vrp_config_path(config) ? vrp_config_path(config) : "the config");
	vrp_kv *kv = NULL;
	size_t n = 0;
	if (rc == 0)
		rc = collect_settings(config, section, &kv, &n);
	if (rc == 0)
		rc = vrp_provider_new_with_store(out, type, name, kv, n, lookup_secret,
						 store_secret, lib);
	free(kv);
	vrp_config_free(config);
	vrp_remote_free(row);
	return rc;
}

void vrp_remote_test_result_clear(vrp_remote_test_result *result)
{
	if (!result)
		return;
	free(result->probe_path);
	result->probe_path = NULL;
	free(result->host_key);
	result->host_key = NULL;
}

/* A small local file to upload as the probe; removed by the caller. */
static int write_probe_file(char *path, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(path, len, "%s/vrp-probe-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return vrp_error_from_errno(errno, "cannot create a probe file");
	static const char body[] = "vrp remote test probe: safe to delete\n";
	int rc = write(fd, body, sizeof(body) - 1) == (ssize_t)(sizeof(body) - 1)
			 ? 0
			 : vrp_error_from_errno(errno, "cannot write the probe file");
	close(fd);
	return rc;
}

static int probe_write(vrp_provider *p, vrp_remote_test_result *result)
{
	char uuid[VRP_UUID_LEN], local[256], remote[64];
	int rc = vrp_uuid_v4(uuid);
	if (rc == 0)
		rc = write_probe_file(local, sizeof(local));
	if (rc < 0)
		return rc;
	snprintf(remote, sizeof(remote), ".vrp-probe-%s", uuid);
	result->probe_path = strdup(remote);
	vrp_upload_request req = { .local_path = local, .remote_path = remote };
	vrp_remote_object *object = NULL, *stat = NULL;
	rc = vrp_provider_upload(p, &req, &object, NULL);
	if (rc == 0)
		rc = vrp_provider_stat(p, remote, 0, &stat);
	if (rc == 0)
		rc = vrp_provider_delete(p, object->remote_id);
	result->writable = rc == 0;
	vrp_remote_object_free(object);
	vrp_remote_object_free(stat);
	unlink(local);
	return rc;
}

int vrp_remotes_resume(vrp_library *lib, const char *name)
{
	return vrp_remote_repo_set_paused(vrp_library_db(lib), name, NULL);
}

struct auth_ctx {
	const char *name, *key;
};

static int audit_auth_txn(vrp_db *db, void *arg)
{
	const struct auth_ctx *a = arg;
	int rc = vrp_audit_record_json(db, "remote.auth", 0, a->name, true,
				       json_pack("{s:s}", "credential", a->key));
	if (rc == 0)
		rc = vrp_remote_repo_set_paused(db, a->name, NULL);
	return rc;
}

int vrp_remotes_authenticated(vrp_library *lib, const char *name, const char *key)
{
	struct auth_ctx a = { name, key };
	return vrp_db_transaction(vrp_library_db(lib), audit_auth_txn, &a);
}

int vrp_remotes_authorize(vrp_library *lib, const char *name, const vrp_authorize_request *request)
{
	vrp_provider *p = NULL;
	int rc = vrp_remotes_open(lib, name, &p);
	if (rc == 0)
		rc = vrp_provider_authorize(p, request);
	vrp_provider_free(p);
	if (rc == 0)
		rc = vrp_remotes_authenticated(lib, name, "refresh_token");
	return rc;
}

int vrp_remotes_test(vrp_library *lib, const char *name, vrp_remote_test_result *result)
{
	return vrp_remotes_test_opts(lib, name, 0, result);
}

int vrp_remotes_test_opts(vrp_library *lib, const char *name, unsigned flags,
			  vrp_remote_test_result *result)
{
	memset(result, 0, sizeof(*result));
	vrp_provider *p = NULL;
	int rc = vrp_remotes_open(lib, name, &p);
	if (rc == 0 && (flags & VRP_REMOTE_TEST_ACCEPT_HOST_KEY))
		rc = vrp_provider_accept_host_key(p, &result->host_key);
	if (rc == 0)
		rc = vrp_provider_authenticate(p);
	result->reachable = rc == 0;
	if (rc == 0)
		rc = probe_write(p, result);
	vrp_provider_free(p);
	/* It authenticated and wrote: whatever paused it is over. */
	if (rc == 0)
		rc = vrp_remotes_resume(lib, name);
	return rc;
}
