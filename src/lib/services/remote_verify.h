/*
 * remote_verify.h - proving one remote copy, shared by `vrp verify --remote`
 * and `vrp offload` (which proves stale copies before it counts them) (internal).
 */
#ifndef VRP_SERVICES_REMOTE_VERIFY_H
#define VRP_SERVICES_REMOTE_VERIFY_H

#include "vrp/provider.h"
#include "vrp/recording.h"
#include "vrp/remote.h"
#include "vrp/remote_verify.h"

/* What checking one copy found; `message` holds the reason. */
struct copy_check {
	enum vrp_remote_verify_finding finding;
	const char *method; /* static; NULL unless proven (or weakly, "size") */
	int error;
	bool requeued;
	char message[512];
};

/*
 * Checks `row`'s object on `provider` against `rec` and records the
 * outcome on the row (proof, or the mapping cleared and an upload queued).
 * Returns 0 when the check ran (its finding in `*out`), or an error that
 * concerns the whole remote (unreachable, login expired) or the database.
 */
int remote_verify_copy(vrp_library *lib, vrp_provider *provider, const vrp_recording *rec,
		       const vrp_recording_remote *row, bool download, struct copy_check *out);

/* Opens `remote`'s provider and checks `rec`'s copy there (see above). */
int remote_verify_one(vrp_library *lib, const char *remote, const vrp_recording *rec,
		      struct copy_check *out);

#endif
