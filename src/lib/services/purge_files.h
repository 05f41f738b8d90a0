/*
 * purge_files.h - the local files of a purged recording (internal).
 *
 * A purge names the files in the transaction that deletes the row
 * (purge_files_note), and removes them once it commits
 * (purge_files_remove). A purge killed between the two leaves the names
 * in the catalogue: the next open of the library removes those files
 * (purge_files_finish), so a purge that committed is always carried out.
 */
#ifndef VRP_SERVICES_PURGE_FILES_H
#define VRP_SERVICES_PURGE_FILES_H

#include "vrp/db.h"
#include "vrp/library.h"

/* In the purge's transaction: `raw` and every path of `derived` (NULL-terminated, may be NULL). */
int purge_files_note(vrp_db *db, const char *raw, char *const *derived);

/*
 * Removes the noted files `raw` and `derived` (relative to the root), makes
 * the removal durable, then forgets them. Tries every file; the first that
 * could not be removed is the error, and stays noted for the next open.
 */
int purge_files_remove(vrp_library *lib, const char *raw, char *const *derived);

/* Removes the files an interrupted purge left noted; a failure is logged, never returned. */
void purge_files_finish(vrp_library *lib);

#endif
