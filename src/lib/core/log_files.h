/*
 * log_files.h - the files of a log directory: naming, rotation, retention,
 * and their order (internal).
 *
 * <dir>/vrp.log is the file being written; rotated files are named
 * vrp-YYYYMMDDTHHMMSSmmmZ-NN.log after the UTC time of their rotation, so
 * their names sort in time order. None of these functions sets the thread's
 * last error: they run inside log writes.
 */
#ifndef VRP_CORE_LOG_FILES_H
#define VRP_CORE_LOG_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VRP_LOG_CURRENT_NAME "vrp.log"
#define VRP_LOG_LOCK_NAME    ".vrp.log.lock"

/* True for the name of a rotated log file. */
bool vrp_log_is_rotated_name(const char *name);

/*
 * Moves <dir>/vrp.log aside under a free rotated name (link, then unlink, so
 * nothing is ever overwritten). -1 with errno when it could not.
 */
int vrp_log_rotate(const char *dir, int64_t now_ms);

/*
 * Removes rotated files last written more than `retention_days` before
 * `now_ms`, then the oldest while more than `max_files` remain; and vrp.log
 * itself when it was last written before the retention window.
 */
void vrp_log_prune(const char *dir, int retention_days, int max_files, int64_t now_ms);

/*
 * The paths of the log files of `dir`, oldest first: rotated files by name,
 * then vrp.log. malloc'd, freed with vrp_log_files_free(). A missing
 * directory gives none. -1 with errno on failure.
 */
int vrp_log_files(const char *dir, char ***out, size_t *count);

void vrp_log_files_free(char **files, size_t count);

#endif
