/*
 * copies.h - which remote copies of a recording count towards
 * offload.numcopies, and why the others do not (internal).
 *
 * A copy counts when its remote is trusted (setting `trusted` is not
 * "false"), its row is synced, and verify --remote proved it by hash
 * ("provider-hash" or "download", not "size") no earlier than
 * verify.max_age ago.
 */
#ifndef VRP_SERVICES_COPIES_H
#define VRP_SERVICES_COPIES_H

#include "core/clock.h"
#include "vrp/library.h"
#include "vrp/remote.h"

#include <stdbool.h>
#include <stdint.h>

struct copy_policy {
	long numcopies;
	char oldest_proof[VRP_TIME_ISO_LEN]; /* a proof before this is stale */
};

/* offload.numcopies and verify.max_age of `lib`. */
int copy_policy_load(vrp_library *lib, struct copy_policy *policy);

enum copy_standing {
	COPY_COUNTS = 0,
	COPY_UNTRUSTED,
	COPY_NOT_SYNCED,
	COPY_UNPROVEN, /* never proven, or proven by size only */
	COPY_STALE,    /* proven before policy.oldest_proof */
};

/* Where `row` stands; `trusted` from its remote's settings. */
enum copy_standing copy_standing_of(const struct copy_policy *policy,
				    const vrp_recording_remote *row, bool trusted);

/* Whether remote `name` is trusted (its `trusted` setting is not "false"). */
int copy_remote_trusted(vrp_library *lib, const char *name, bool *trusted);

/* The rows of `recording_id` and each one's standing, counted. */
struct copy_tally {
	vrp_recording_remote_list *rows;
	enum copy_standing *standing; /* one per row */
	size_t counted;
	vrp_remote_list *remotes; /* every configured remote, rows or not (the refusal names all) */
};

int copy_tally_load(vrp_library *lib, const struct copy_policy *policy, int64_t recording_id,
		    struct copy_tally *tally);
void copy_tally_clear(struct copy_tally *tally);

/* "nas (2026-11-30), usb (2026-12-01)": the copies that count, into `out`. */
void copy_tally_counted(const struct copy_tally *tally, char *out, size_t len);

/*
 * "only 1 of 2 required copies verified: nas (2026-11-30); not counted: usb
 * (untrusted), cloud (never uploaded)" into `out`: every configured remote
 * that does not count, and why.
 */
void copy_tally_refusal(const struct copy_tally *tally, const struct copy_policy *policy, char *out,
			size_t len);

#endif
