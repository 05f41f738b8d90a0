/*
 * localdir.h - what the localdir provider's files share (internal).
 *
 * Errors on the remote folder are mapped for the sync engine, not with the
 * library's local mapping: a full folder is VRP_EQUOTA (stop uploading
 * there), a missing object VRP_EREMOTE_NOT_FOUND, a folder that is gone
 * (an unmounted NAS, an unplugged disk) VRP_EUNAVAILABLE, and EACCES, EPERM
 * or EROFS VRP_EPERMANENT: there are no credentials to refresh, so it is not
 * an auth error, and only the user changing the folder's permissions helps.
 * I/O errors and timeouts (a flaky network mount) are VRP_ETRANSIENT.
 */
#ifndef VRP_CLOUD_LOCALDIR_H
#define VRP_CLOUD_LOCALDIR_H

#include "cloud/provider_internal.h"

#include <sys/stat.h>

struct localdir {
	char *root;
};

/* Records `err` on the remote folder with its mapped code; returns the code. */
int localdir_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Re-codes the current error (set by a core helper) as a remote failure. */
int localdir_remap(int rc);

/* VRP_EUNAVAILABLE when the root folder is not there. */
int localdir_check_root(const struct localdir *ld);

/* An object describing the file `rel` whose status is `st`; NULL when out of memory. */
vrp_remote_object *localdir_object(const char *rel, const struct stat *st);

/* "<rel>.part" names are reserved for uploads in progress. */
int localdir_is_part(const char *name);

int localdir_list(void *state, const char *prefix, const char *page_token, size_t page_size,
		  vrp_remote_page **out);

#endif
