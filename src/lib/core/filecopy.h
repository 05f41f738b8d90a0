/* filecopy.h - copy a stream into a new file while hashing it (internal). */
#ifndef VRP_CORE_FILECOPY_H
#define VRP_CORE_FILECOPY_H

#include "core/hash.h"

#include <stdint.h>

/*
 * Called after each chunk with the bytes copied so far; a non-zero return
 * cancels the copy (VRP_ECANCELLED).
 */
typedef int (*vrp_copy_progress_fn)(void *ctx, int64_t bytes_done);

struct vrp_copy_result {
	int64_t bytes;
	char sha256[VRP_SHA256_HEX_LEN];
};

/*
 * Reads `src_fd` to its end into a new file `dst_path` (created with
 * O_EXCL, mode 0600), computing SHA-256 in the same pass with a fixed-size
 * buffer, so memory does not grow with the file. Write-back of the copy is
 * started as it goes so the caller's later fsync has little left to do; the
 * copy is NOT fsynced here (callers batch that). On any failure the partial
 * file is removed: a full disk gives VRP_ENOSPC and leaves nothing behind.
 */
int vrp_file_copy_hashed(int src_fd, const char *dst_path, struct vrp_copy_result *out,
			 vrp_copy_progress_fn progress, void *ctx);

/* The same copy into an open descriptor; `dst_name` names it in errors. */
int vrp_fd_copy_hashed(int src_fd, int dst_fd, const char *dst_name, struct vrp_copy_result *out,
		       vrp_copy_progress_fn progress, void *ctx);

#endif
