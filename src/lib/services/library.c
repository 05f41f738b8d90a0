/* library.c - open, create and describe a library directory. */
#include "vrp/library.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "services/library_config.h"
#include "services/purge_files.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct vrp_library {
	char *root;
	char *backup_dir;
	vrp_db *db;
};

static const char *const layout[] = { "recordings", "recordings/raw", "derived", "backups", "tmp" };

int vrp_library_default_root(char **out)
{
	*out = NULL;
	const char *env = getenv("VRP_LIBRARY");
	if (env && *env)
		*out = strdup(env);
	else if ((env = getenv("XDG_DATA_HOME")) && *env)
		*out = vrp_path_join(env, "vrp");
	else if ((env = getenv("HOME")) && *env)
		*out = vrp_path_join(env, ".local/share/vrp");
	else
		return vrp_error_set(VRP_ENOTFOUND,
				     "no library given: use --library DIR or set VRP_LIBRARY");
	return *out ? 0 : vrp_error_oom();
}

static int create_layout(const char *root)
{
	int rc = vrp_fs_mkdir_p(root, 0700);
	for (size_t i = 0; rc == 0 && i < sizeof(layout) / sizeof(*layout); i++) {
		char *dir = vrp_path_join(root, layout[i]);
		rc = dir ? vrp_fs_mkdir_p(dir, 0700) : vrp_error_oom();
		free(dir);
	}
	return rc;
}

static int absolute_root(const char *root, char **out)
{
	char *resolved = realpath(root, NULL);
	if (resolved) {
		*out = resolved;
		return 0;
	}
	if (errno == ENOENT)
		return vrp_error_set(VRP_ENOLIBRARY,
				     "no vrp library at %s: run `vrp init` to create one", root);
	return vrp_error_from_errno(errno, "cannot open the library %s", root);
}

static int open_db(vrp_library *lib, unsigned flags)
{
	char *path = vrp_path_join(lib->root, "library.db");
	if (!path)
		return vrp_error_oom();
	unsigned db_flags = 0;
	if (flags & VRP_LIBRARY_CREATE)
		db_flags |= VRP_DB_CREATE;
	if (flags & VRP_LIBRARY_READONLY)
		db_flags |= VRP_DB_READONLY;
	struct stat st;
	int rc = 0;
	if (!(flags & VRP_LIBRARY_CREATE) && stat(path, &st) != 0 && errno == ENOENT)
		rc = vrp_error_set(VRP_ENOLIBRARY,
				   "no vrp library at %s: run `vrp init` to create one", lib->root);
	if (rc == 0)
		rc = vrp_db_open(&lib->db, path, db_flags);
	free(path);
	/* An operator's knob: how long to wait for another process's write lock. */
	const char *wait = getenv("VRP_BUSY_TIMEOUT_MS");
	if (rc == 0 && wait && *wait)
		rc = vrp_db_set_busy_timeout(lib->db, atoi(wait));
	return rc;
}

/*
 * Remotes an older vrp kept in the user-wide file move into the library that
 * has them. A file that cannot be read or written must not stop the library
 * from opening: the remote's own commands report it when they need it.
 */
static void move_user_remotes(vrp_library *lib)
{
	if (vrp_library_config_migrate(lib) < 0)
		VRP_LOG_WARNING("config", NULL, "remotes not moved into the library's config: %s",
				vrp_error_last()->message);
	vrp_error_clear();
}

int vrp_library_open(vrp_library **out, const char *root, unsigned flags,
		     vrp_migrate_result *migration)
{
	*out = NULL;
	if (migration)
		memset(migration, 0, sizeof(*migration));
	if (flags & VRP_LIBRARY_READONLY)
		flags = (flags | VRP_LIBRARY_NO_MIGRATE) & ~(unsigned)VRP_LIBRARY_CREATE;
	vrp_library *lib = calloc(1, sizeof(*lib));
	if (!lib)
		return vrp_error_oom();
	int rc = (flags & VRP_LIBRARY_CREATE) ? create_layout(root) : 0;
	if (rc == 0)
		rc = absolute_root(root, &lib->root);
	if (rc == 0 && !(lib->backup_dir = vrp_path_join(lib->root, "backups")))
		rc = vrp_error_oom();
	if (rc == 0)
		rc = open_db(lib, flags);
	/* A backup killed half-way leaves its temporary copy; a library that can be
	 * written clears it (it would otherwise stay until the next migration). */
	if (rc == 0 && vrp_db_is_writable(lib->db) && !(flags & VRP_LIBRARY_READONLY))
		vrp_db_backup_remove_stale(lib->backup_dir);
	if (rc == 0 && !(flags & VRP_LIBRARY_NO_MIGRATE))
		rc = vrp_db_migrate(lib->db, lib->backup_dir, 0, migration);
	if (rc == 0 && vrp_db_is_writable(lib->db) && !(flags & VRP_LIBRARY_READONLY))
		move_user_remotes(lib);
	/* A purge killed after its commit still owes the removal of its files. */
	if (rc == 0 && vrp_db_is_writable(lib->db) &&
	    !(flags & (VRP_LIBRARY_READONLY | VRP_LIBRARY_NO_MIGRATE)))
		purge_files_finish(lib);
	if (rc < 0) {
		vrp_library_free(lib);
		return rc;
	}
	*out = lib;
	return 0;
}

void vrp_library_free(vrp_library *lib)
{
	if (!lib)
		return;
	vrp_db_close(lib->db);
	free(lib->root);
	free(lib->backup_dir);
	free(lib);
}

const char *vrp_library_root(const vrp_library *lib) { return lib->root; }

vrp_db *vrp_library_db(vrp_library *lib) { return lib->db; }

const char *vrp_library_backup_dir(const vrp_library *lib) { return lib->backup_dir; }

char *vrp_library_path(const vrp_library *lib, const char *relative)
{
	return vrp_path_join(lib->root, relative);
}
