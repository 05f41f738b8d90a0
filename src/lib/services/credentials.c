/*
 * credentials.c - remotes' secrets in <library>/credentials.json (mode 0600,
 * written atomically under a lock), never in the config file or logs.
 */
#include "vrp/credentials.h"
#include "core/durable.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "services/keyring.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_FILENAME "credentials.json"

enum store { STORE_FILE, STORE_KEYRING };

/* $VRP_CREDENTIAL_STORE, else the keyring when a Secret Service answers, else the file. */
static int choose(enum store *out)
{
	const char *choice = getenv("VRP_CREDENTIAL_STORE");
	if (!choice || !*choice)
		*out = vrp_keyring_available() ? STORE_KEYRING : STORE_FILE;
	else if (!strcmp(choice, "file"))
		*out = STORE_FILE;
	else if (!strcmp(choice, "keyring"))
		*out = STORE_KEYRING;
	else
		return vrp_error_set(VRP_EINVAL,
				     "VRP_CREDENTIAL_STORE must be \"keyring\" or \"file\", not "
				     "\"%s\"",
				     choice);
	return 0;
}

const char *vrp_credentials_store(vrp_library *lib)
{
	(void)lib;
	enum store store = STORE_FILE;
	choose(&store);
	return store == STORE_KEYRING ? "keyring" : "file";
}

/* An exclusive flock on <library>/NAME; -1 in *fd when it fails. */
static int lock_file(vrp_library *lib, const char *name, int *fd)
{
	*fd = -1;
	char *path = vrp_library_path(lib, name);
	if (!path)
		return vrp_error_oom();
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	int rc = *fd < 0 ? vrp_error_from_errno(errno, "cannot open %s", path) : 0;
	if (rc == 0 && flock(*fd, LOCK_EX) != 0) {
		rc = vrp_error_from_errno(errno, "cannot lock %s", path);
		close(*fd);
		*fd = -1;
	}
	free(path);
	return rc;
}

/* Holds an exclusive lock on <library>/.credentials.lock for a read-modify-write. */
static int lock_store(vrp_library *lib, int *fd) { return lock_file(lib, ".credentials.lock", fd); }

/*
 * Its own file, not the store's lock: a refresh holds it while it writes the
 * new tokens, which takes the store's.
 */
int vrp_credentials_lock(vrp_library *lib, const char *remote, int *fd)
{
	char name[96];
	if (!remote || !*remote || strchr(remote, '/') ||
	    snprintf(name, sizeof(name), ".refresh-%s.lock", remote) >= (int)sizeof(name))
		return vrp_error_set(VRP_EINVAL, "bad remote name for a lock: \"%s\"",
				     remote ? remote : "");
	return lock_file(lib, name, fd);
}

void vrp_credentials_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* drops the flock */
}

static int load(vrp_library *lib, json_t **out)
{
	*out = NULL;
	char *path = vrp_library_path(lib, STORE_FILENAME);
	if (!path)
		return vrp_error_oom();
	int rc = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 && errno != ENOENT)
		rc = vrp_error_from_errno(errno, "cannot read %s", path);
	else if (fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 077))
		rc = vrp_error_set(
			VRP_EPERM,
			"%s can be read by other users: refusing to use it (chmod 600 it)", path);
	json_error_t jerr;
	if (rc == 0 && fd >= 0 && !(*out = json_loadfd(fd, 0, &jerr)))
		rc = vrp_error_set(VRP_EIO, "%s is damaged: %s", path, jerr.text);
	if (rc == 0 && !*out && !(*out = json_object()))
		rc = vrp_error_oom();
	if (rc == 0 && !json_is_object(*out))
		rc = vrp_error_set(VRP_EIO, "%s is not a JSON object", path);
	if (fd >= 0)
		close(fd);
	free(path);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static int save(vrp_library *lib, const json_t *store)
{
	char *path = vrp_library_path(lib, STORE_FILENAME);
	char *tmp = vrp_library_path(lib, STORE_FILENAME ".tmp");
	int rc = path && tmp ? 0 : vrp_error_oom();
	int fd = rc == 0 ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
	if (rc == 0 && fd < 0)
		rc = vrp_error_from_errno(errno, "cannot write %s", tmp);
	if (rc == 0 && json_dumpfd(store, fd, JSON_COMPACT | JSON_SORT_KEYS) != 0)
		rc = vrp_error_from_errno(errno, "cannot write %s", tmp);
	if (rc == 0 && vrp_durable_fsync(fd) != 0)
		rc = vrp_error_from_errno(errno, "cannot sync %s", tmp);
	if (fd >= 0)
		close(fd);
	if (rc == 0)
		rc = vrp_fs_rename_durable(tmp, path);
	if (rc < 0 && tmp)
		vrp_durable_unlink(tmp);
	free(path);
	free(tmp);
	return rc;
}

typedef int (*edit_fn)(json_t *store, const char *remote, const char *key, const char *secret);

static int edit(vrp_library *lib, edit_fn fn, const char *remote, const char *key,
		const char *secret)
{
	int lock = -1;
	json_t *store = NULL;
	int rc = lock_store(lib, &lock);
	if (rc == 0)
		rc = load(lib, &store);
	if (rc == 0)
		rc = fn(store, remote, key, secret);
	if (rc == 0)
		rc = save(lib, store);
	json_decref(store);
	if (lock >= 0)
		close(lock);
	return rc;
}

static int put(json_t *store, const char *remote, const char *key, const char *secret)
{
	json_t *entry = json_object_get(store, remote);
	if (!json_is_object(entry)) {
		entry = json_object();
		if (!entry || json_object_set_new(store, remote, entry) != 0)
			return vrp_error_oom();
	}
	json_t *value = json_string(secret);
	if (!value)
		return vrp_error_set(VRP_EINVAL, "a secret must be UTF-8 text");
	return json_object_set_new(entry, key, value) == 0 ? 0 : vrp_error_oom();
}

static int drop(json_t *store, const char *remote, const char *key, const char *unused)
{
	(void)unused;
	json_t *entry = json_object_get(store, remote);
	if (!key)
		json_object_del(store, remote);
	else if (json_is_object(entry))
		json_object_del(entry, key);
	return 0;
}

int vrp_credentials_set(vrp_library *lib, const char *remote, const char *key, const char *secret)
{
	enum store where = STORE_FILE;
	int rc = choose(&where);
	if (rc == 0 && where == STORE_KEYRING)
		return vrp_keyring_set(vrp_library_root(lib), remote, key, secret);
	return rc < 0 ? rc : edit(lib, put, remote, key, secret);
}

int vrp_credentials_delete(vrp_library *lib, const char *remote, const char *key)
{
	enum store where = STORE_FILE;
	int rc = choose(&where);
	if (rc == 0 && where == STORE_KEYRING)
		return vrp_keyring_delete(vrp_library_root(lib), remote, key);
	return rc < 0 ? rc : edit(lib, drop, remote, key, NULL);
}

static int file_get(vrp_library *lib, const char *remote, const char *key, char **out)
{
	json_t *store = NULL;
	int rc = load(lib, &store);
	const char *value =
		rc == 0 ? json_string_value(json_object_get(json_object_get(store, remote), key))
			: NULL;
	if (value)
		rc = (*out = strdup(value)) ? 0 : vrp_error_oom();
	else if (rc == 0)
		rc = vrp_error_set(VRP_ENOTFOUND, "no secret \"%s\" stored for remote \"%s\"", key,
				   remote);
	json_decref(store);
	return rc;
}

int vrp_credentials_get(vrp_library *lib, const char *remote, const char *key, char **out)
{
	*out = NULL;
	enum store where = STORE_FILE;
	int rc = choose(&where);
	if (rc == 0 && where == STORE_KEYRING)
		return vrp_keyring_get(vrp_library_root(lib), remote, key, out);
	return rc < 0 ? rc : file_get(lib, remote, key, out);
}

void vrp_credentials_free_secret(char *secret)
{
	if (!secret)
		return;
	/* explicit_bzero: the compiler may not drop it as a dead store. */
	explicit_bzero(secret, strlen(secret));
	free(secret);
}
