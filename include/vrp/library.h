/*
 * library.h - a vrp library: a directory holding the catalogue database and
 * the recordings it describes.
 *
 * Layout under the root: library.db, recordings/raw/, derived/, backups/,
 * tmp/ (on the same filesystem as recordings/raw/, so files move into place
 * with an atomic rename).
 */
#ifndef VRP_LIBRARY_H
#define VRP_LIBRARY_H

#include "vrp/db.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vrp_library vrp_library;

enum vrp_library_flags {
	/* Create the layout and database when missing (what `vrp init` does). */
	VRP_LIBRARY_CREATE = 1 << 0,
	/* Leave the schema as it is: for reporting on, or backing up, an old database. */
	VRP_LIBRARY_NO_MIGRATE = 1 << 1,
	/* Open the database read-only; implies VRP_LIBRARY_NO_MIGRATE. */
	VRP_LIBRARY_READONLY = 1 << 2,
};

/*
 * The default library root: $VRP_LIBRARY, else $XDG_DATA_HOME/vrp, else
 * $HOME/.local/share/vrp. `*out` is malloc'd; the caller frees it.
 * VRP_ENOTFOUND when none of those variables is set.
 */
int vrp_library_default_root(char **out);

/*
 * Opens the library at `root`. Unless VRP_LIBRARY_NO_MIGRATE is given, a
 * database at an older schema version is upgraded first (after a backup into
 * backups/); what was done goes to `*migration` when it is not NULL (clear it
 * with vrp_migrate_result_clear). Without VRP_LIBRARY_CREATE a directory with
 * no library.db gives VRP_ENOLIBRARY. The caller owns `*out`; free it with
 * vrp_library_free().
 */
int vrp_library_open(vrp_library **out, const char *root, unsigned flags,
		     vrp_migrate_result *migration);

/* Closes the database and frees the handle; NULL is a no-op. */
void vrp_library_free(vrp_library *lib);

/* The absolute root directory; owned by `lib`. */
const char *vrp_library_root(const vrp_library *lib);

/* The library's database connection; owned by `lib`. */
vrp_db *vrp_library_db(vrp_library *lib);

/* "<root>/<relative>", malloc'd (the caller frees it); NULL when out of memory. */
char *vrp_library_path(const vrp_library *lib, const char *relative);

/* The backups directory, owned by `lib`. */
const char *vrp_library_backup_dir(const vrp_library *lib);

#ifdef __cplusplus
}
#endif

#endif
