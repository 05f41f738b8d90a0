/*
 * change_log_repo.h - the SQL of change_log (internal): recordings changed
 * by any process, in commit order (migration 011).
 */
#ifndef VRP_DB_CHANGE_LOG_REPO_H
#define VRP_DB_CHANGE_LOG_REPO_H

#include "vrp/db.h"

#include <stddef.h>
#include <stdint.h>

struct vrp_change {
	int64_t seq;
	int64_t recording_id;
	char action[8]; /* created, updated or purged */
};

/* The newest seq, or 0 when nothing changed yet. */
int vrp_change_log_repo_last(vrp_db *db, int64_t *out);

/*
 * Up to `max` changes after seq `after`, oldest first, into `out`; their
 * number in `*count`. `*oldest` is the oldest seq still kept (0: none), so
 * a reader can tell that rows it had not seen were dropped.
 */
int vrp_change_log_repo_after(vrp_db *db, int64_t after, struct vrp_change *out, size_t max,
			      size_t *count, int64_t *oldest);

#endif
