/* purge_files.c - removing a purged recording's files, even when the purge was killed. */
#include "services/purge_files.h"
#include "core/durable.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "db/purge_tombstone_repo.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int purge_files_note(vrp_db *db, const char *raw, char *const *derived)
{
	int rc = vrp_purge_tombstone_repo_add_file(db, raw);
	for (size_t i = 0; rc == 0 && derived && derived[i]; i++)
		rc = vrp_purge_tombstone_repo_add_file(db, derived[i]);
	return rc;
}

/*
 * Unlinks `relative` and syncs its folder, so the removal outlives a power
 * cut before the name is forgotten. A file already gone was removed by an
 * earlier try.
 */
static int remove_one(vrp_library *lib, const char *relative)
{
	char *path = vrp_library_path(lib, relative);
	char *dir = path ? strdup(path) : NULL;
	if (!dir) {
		free(path);
		return vrp_error_oom();
	}
	int rc = 0;
	if (vrp_durable_unlink(path) != 0 && errno != ENOENT)
		rc = vrp_error_from_errno(errno,
					  "the recording was purged, but its file %s could "
					  "not be removed",
					  path);
	if (rc == 0)
		rc = vrp_fs_fsync_dir(dirname(dir));
	free(dir);
	free(path);
	return rc;
}

struct forget {
	const char *raw;
	char *const *derived;
	const bool *removed; /* by index: raw first, then derived */
};

static int forget_removed(vrp_db *db, void *arg)
{
	const struct forget *f = arg;
	int rc = f->removed[0] ? vrp_purge_tombstone_repo_forget_file(db, f->raw) : 0;
	for (size_t i = 0; rc == 0 && f->derived && f->derived[i]; i++)
		if (f->removed[i + 1])
			rc = vrp_purge_tombstone_repo_forget_file(db, f->derived[i]);
	return rc;
}

int purge_files_remove(vrp_library *lib, const char *raw, char *const *derived)
{
	size_t count = 1;
	while (derived && derived[count - 1])
		count++;
	bool *removed = calloc(count, sizeof(*removed));
	if (!removed)
		return vrp_error_oom();
	int first = 0;
	char message[512] = "";
	for (size_t i = 0; i < count; i++) {
		int rc = remove_one(lib, i == 0 ? raw : derived[i - 1]);
		removed[i] = rc == 0;
		if (rc < 0 && first == 0) {
			first = rc;
			snprintf(message, sizeof(message), "%s", vrp_error_last()->message);
		}
	}
	/* Forgetting is bookkeeping: if it fails, the next open only finds the files gone. */
	struct forget f = { raw, derived, removed };
	if (vrp_db_transaction(vrp_library_db(lib), forget_removed, &f) < 0)
		VRP_LOG_WARNING("purge", NULL, "the purged files stay noted: %s",
				vrp_error_last()->message);
	free(removed);
	if (first < 0)
		return vrp_error_set(first, "%s", message);
	return 0;
}

void purge_files_finish(vrp_library *lib)
{
	char **paths = NULL;
	int rc = vrp_purge_tombstone_repo_list_files(vrp_library_db(lib), &paths);
	if (rc == 0 && paths[0]) {
		rc = purge_files_remove(lib, paths[0], paths + 1);
		if (rc == 0)
			VRP_LOG_INFO("purge", NULL, "removed the files of an interrupted purge");
	}
	if (rc < 0)
		VRP_LOG_WARNING("purge", NULL, "the files of an interrupted purge stay: %s [%s]",
				vrp_error_last()->message, vrp_error_code_name(rc));
	vrp_purge_tombstone_repo_files_free(paths);
	vrp_error_clear();
}
