/* remotes.c - configured remotes: config section + catalogue row, providers, probe. */
#include "vrp/remotes.h"
#include "core/durable.h"

#include "core/error_set.h"
#include "core/redact.h"
#include "core/ptrarray.h"
#include "core/uuid.h"
#include "db/remote_repo.h"
#include "core/fsutil.h"
#include "services/audit.h"
#include "services/copies.h"
#include "services/library_config.h"
#include "vrp/config.h"
#include "vrp/credentials.h"
#include "vrp/settings.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* The variants the setting upload=original|compressed|both names; false for another value. */
static bool parse_upload(const char *value, unsigned *variants)
{
	static const struct {
		const char *name;
		unsigned variants;
	} modes[] = {
		{ "original", VRP_VARIANT_BIT(VRP_VARIANT_ORIGINAL) },
		{ "compressed", VRP_VARIANT_BIT(VRP_VARIANT_COMPRESSED) },
		{ "both",
		  VRP_VARIANT_BIT(VRP_VARIANT_ORIGINAL) | VRP_VARIANT_BIT(VRP_VARIANT_COMPRESSED) },
	};
	for (size_t i = 0; i < sizeof(modes) / sizeof(*modes); i++) {
		if (!strcmp(value, modes[i].name)) {
			*variants = modes[i].variants;
			return true;
		}
	}
	return false;
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
		if (!strcmp(settings[i].key, "trusted") && strcmp(settings[i].value, "true") &&
		    strcmp(settings[i].value, "false"))
			return vrp_error_set(VRP_EINVAL,
					     "trusted must be true or false, not \"%s\"",
					     settings[i].value);
		unsigned variants = 0;
		if (!strcmp(settings[i].key, "upload") &&
		    !parse_upload(settings[i].value, &variants))
			return vrp_error_set(
				VRP_EINVAL,
				"upload must be original, compressed or both, not \"%s\"",
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
	vrp_library *lib;
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
		rc = vrp_library_config_load(a->lib, &config);
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

/*
 * create=true / false: an instruction to `add` and `set`, never stored. The
 * settings without it go to `*kept` (borrowed from `settings`; caller frees
 * the array).
 */
static int take_create(const vrp_kv *settings, size_t n, vrp_kv **kept, size_t *kept_count,
		       bool *create)
{
	*create = false;
	*kept_count = 0;
	*kept = calloc(n ? n : 1, sizeof(**kept));
	if (!*kept)
		return vrp_error_oom();
	for (size_t i = 0; i < n; i++) {
		if (strcmp(settings[i].key, "create") != 0) {
			(*kept)[(*kept_count)++] = settings[i];
		} else if (!strcmp(settings[i].value, "true") ||
			   !strcmp(settings[i].value, "false")) {
			*create = !strcmp(settings[i].value, "true");
		} else {
			free(*kept);
			*kept = NULL;
			return vrp_error_set(VRP_EINVAL, "create must be true or false, not \"%s\"",
					     settings[i].value);
		}
	}
	return 0;
}

/*
 * A localdir remote whose folder is not there would fail every sync (and an
 * unmounted disk is told apart from a typo only by the user): refused
 * unless the user asks for the folder to be made.
 */
static int check_target(const char *type, const vrp_kv *settings, size_t n, bool create)
{
	const char *path = NULL;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(settings[i].key, "path"))
			path = settings[i].value;
	if (strcmp(type, "localdir") != 0 || !path)
		return 0;
	struct stat st;
	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode)
			       ? 0
			       : vrp_error_set(VRP_EINVAL, "the remote's path %s is not a folder",
					       path);
	if (!create)
		return vrp_error_set(VRP_ENOTFOUND,
				     "the folder %s does not exist: mount or make it, or add "
				     "create=true to have vrp make it",
				     path);
	return vrp_fs_mkdir_p(path, 0700);
}

int vrp_remotes_add(vrp_library *lib, const char *name, const char *type, const vrp_kv *all,
		    size_t all_count)
{
	vrp_kv *settings = NULL;
	size_t settings_count = 0;
	bool create = false;
	int rc = check_name(name);
	if (rc == 0)
		rc = take_create(all, all_count, &settings, &settings_count, &create);
	if (rc == 0)
		rc = check_settings(name, type, settings, settings_count);
	vrp_remote *row = NULL;
	/* Taken names are told before anything is made on disk. */
	if (rc == 0 && vrp_remote_repo_get_by_name(vrp_library_db(lib), name, &row) == 0)
		rc = vrp_error_set(VRP_EEXISTS, "a remote named \"%s\" already exists", name);
	else if (rc == 0)
		vrp_error_clear();
	vrp_remote_free(row);
	if (rc == 0)
		rc = check_target(type, settings, settings_count, create);
	struct add_ctx a = { lib, name, type, settings, settings_count };
	if (rc == 0)
		rc = vrp_db_transaction(vrp_library_db(lib), add_in_txn, &a);
	if (rc == VRP_EEXISTS && !strstr(vrp_error_last()->message, "config"))
		rc = vrp_error_set(VRP_EEXISTS, "a remote named \"%s\" already exists", name);
	free(settings);
	return rc;
}

int vrp_remotes_list(vrp_library *lib, vrp_remote_list **out)
{
	return vrp_remote_repo_list(vrp_library_db(lib), out);
}

struct remove_ctx {
	vrp_library *lib;
	const char *name;
};

static int remove_in_txn(vrp_db *db, void *arg)
{
	const struct remove_ctx *r = arg;
	const char *name = r->name;
	int rc = vrp_remote_repo_delete(db, name);
	vrp_config *config = NULL;
	if (rc == 0)
		rc = vrp_library_config_load(r->lib, &config);
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

/* The synced copies on trusted remotes other than `name`. */
static int copies_elsewhere(vrp_library *lib, int64_t id, const char *name, size_t *out)
{
	struct copy_policy policy;
	struct copy_tally tally;
	*out = 0;
	int rc = copy_policy_load(lib, &policy);
	if (rc == 0)
		rc = copy_tally_load(lib, &policy, id, &tally);
	for (size_t i = 0; rc == 0 && i < tally.rows->count; i++)
		*out += strcmp(tally.rows->items[i]->remote, name) != 0 &&
			tally.standing[i] != COPY_UNTRUSTED && tally.standing[i] != COPY_NOT_SYNCED;
	if (rc == 0)
		copy_tally_clear(&tally);
	return rc;
}

/*
 * Forgetting a remote forgets the copies it holds: refused while that would
 * leave an offloaded recording with fewer than offload.numcopies of them.
 */
static int check_offloaded_left(vrp_library *lib, const char *name)
{
	int64_t *ids = NULL;
	size_t count = 0;
	long numcopies = 1;
	int rc = vrp_recording_remote_repo_list_offloaded_ids(vrp_library_db(lib), name, &ids,
							      &count);
	if (rc == VRP_ENOTFOUND)
		rc = 0; /* the removal itself says the remote is unknown */
	if (rc == 0 && count)
		rc = vrp_settings_get_int(lib, "offload.numcopies", 1, &numcopies);
	for (size_t i = 0; rc == 0 && i < count; i++) {
		size_t left = 0;
		rc = copies_elsewhere(lib, ids[i], name, &left);
		if (rc == 0 && left < (size_t)numcopies)
			rc = vrp_error_set(
				VRP_ECONFLICT,
				"recording %lld is offloaded and removing %s would leave "
				"%zu of its %ld required copies (offload.numcopies); "
				"`vrp get %lld` first",
				(long long)ids[i], name, left, numcopies, (long long)ids[i]);
	}
	free(ids);
	return rc;
}

int vrp_remotes_remove(vrp_library *lib, const char *name)
{
	struct remove_ctx r = { lib, name };
	int rc = check_offloaded_left(lib, name);
	if (rc == 0)
		rc = vrp_db_transaction(vrp_library_db(lib), remove_in_txn, &r);
	/* Its secrets go with it; a store that cannot be read keeps nothing worth keeping. */
	if (rc == 0)
		vrp_credentials_delete(lib, name, NULL);
	return rc;
}

int vrp_remotes_setting(vrp_library *lib, const char *name, const char *key, char **out)
{
	*out = NULL;
	vrp_config *config = NULL;
	int rc = vrp_library_config_load(lib, &config);
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

int vrp_remotes_upload_variants(vrp_library *lib, const char *name, unsigned *variants)
{
	*variants = VRP_VARIANT_BIT(VRP_VARIANT_ORIGINAL);
	char *value = NULL;
	int rc = vrp_remotes_setting(lib, name, "upload", &value);
	if (rc == VRP_ENOTFOUND)
		return 0;
	if (rc == 0 && !parse_upload(value, variants))
		rc = vrp_error_set(VRP_EINVAL,
				   "remote %s: upload must be original, compressed or both, not "
				   "\"%s\" (fix it with `vrp remote set %s upload=...`)",
				   name, value, name);
	free(value);
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

/* `base` with `changes` laid over it, into a malloc'd array of borrowed pairs. */
static int merge_settings(const vrp_kv *base, size_t n, const vrp_kv *changes, size_t m,
			  vrp_kv **out, size_t *count)
{
	*count = 0;
	*out = calloc(n + m + 1, sizeof(**out));
	if (!*out)
		return vrp_error_oom();
	for (size_t i = 0; i < n; i++)
		(*out)[(*count)++] = base[i];
	for (size_t j = 0; j < m; j++) {
		size_t i = 0;
		while (i < *count && strcmp((*out)[i].key, changes[j].key) != 0)
			i++;
		(*out)[i] = changes[j];
		if (i == *count)
			(*count)++;
	}
	return 0;
}

static bool sets_key(const vrp_kv *settings, size_t n, const char *key)
{
	for (size_t i = 0; settings && i < n; i++)
		if (!strcmp(settings[i].key, key))
			return true;
	return false;
}

struct set_ctx {
	vrp_config *config;
	const char *name, *section;
	const vrp_kv *changes;
	size_t count;
};

/* The file is saved inside the transaction, as add does: the audit entry and the file agree. */
static int set_in_txn(vrp_db *db, void *arg)
{
	const struct set_ctx *s = arg;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < s->count; i++)
		rc = vrp_config_set(s->config, s->section, s->changes[i].key, s->changes[i].value);
	if (rc == 0)
		rc = vrp_config_save(s->config);
	if (rc == 0)
		rc = audit_remote(db, "remote.set", s->name, NULL);
	return rc;
}

/* The remote's config and type, for set: its row and its section must both be there. */
static int load_remote(vrp_library *lib, const char *name, const char *section, vrp_config **config,
		       const char **type)
{
	vrp_remote *row = NULL;
	int rc = vrp_remote_repo_get_by_name(vrp_library_db(lib), name, &row);
	vrp_remote_free(row);
	if (rc == 0)
		rc = vrp_library_config_load(lib, config);
	if (rc == 0 && !(*type = vrp_config_get(*config, section, "type")))
		rc = vrp_error_set(VRP_ENOTFOUND,
				   "remote \"%s\" has no [%s] section in %s: add it again", name,
				   section, vrp_config_path(*config));
	return rc;
}

int vrp_remotes_set(vrp_library *lib, const char *name, const vrp_kv *all, size_t all_count)
{
	char section[NAME_MAX_LEN + 16];
	section_of(name, section);
	vrp_config *config = NULL;
	const char *type = NULL;
	vrp_kv *changes = NULL, *current = NULL, *merged = NULL;
	size_t changes_count = 0, current_count = 0, merged_count = 0;
	bool create = false;
	int rc = check_name(name);
	if (rc == 0)
		rc = load_remote(lib, name, section, &config, &type);
	if (rc == 0)
		rc = take_create(all, all_count, &changes, &changes_count, &create);
	if (rc == 0 && changes_count == 0)
		rc = vrp_error_set(VRP_EINVAL, "remote set needs at least one key=value");
	if (rc == 0)
		rc = collect_settings(config, section, &current, &current_count);
	if (rc == 0)
		rc = merge_settings(current, current_count, changes, changes_count, &merged,
				    &merged_count);
	/* The same checks as add, on the settings the remote will have. */
	if (rc == 0)
		rc = check_settings(name, type, merged, merged_count);
	if (rc == 0 && sets_key(changes, changes_count, "path"))
		rc = check_target(type, merged, merged_count, create);
	struct set_ctx s = { config, name, section, changes, changes_count };
	if (rc == 0)
		rc = vrp_db_transaction(vrp_library_db(lib), set_in_txn, &s);
	free(changes);
	free(current);
	free(merged);
	vrp_config_free(config);
	return rc;
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

static int lock_secret(void *ctx, const char *remote, int *handle)
{
	return vrp_credentials_lock(ctx, remote, handle);
}

static void unlock_secret(void *ctx, int handle)
{
	(void)ctx;
	vrp_credentials_unlock(handle);
}

int vrp_remotes_open(vrp_library *lib, const char *name, vrp_provider **out)
{
	*out = NULL;
	vrp_remote *row = NULL;
	int rc = vrp_remote_repo_get_by_name(vrp_library_db(lib), name, &row);
	vrp_config *config = NULL;
	if (rc == 0)
		rc = vrp_library_config_load(lib, &config);
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
		rc = vrp_provider_new_with_store(out, type, name, kv, n,
						 &(vrp_secret_store){ .get = lookup_secret,
								      .put = store_secret,
								      .lock = lock_secret,
								      .unlock = unlock_secret,
								      .ctx = lib });
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
	vrp_durable_unlink(local);
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
