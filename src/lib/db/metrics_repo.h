/*
 * metrics_repo.h - the SQL of metrics (internal).
 *
 * Every function validates the metric name (see vrp/metrics.h) and gives
 * VRP_EINVAL for a malformed one, so a typo cannot create a stray metric.
 */
#ifndef VRP_DB_METRICS_REPO_H
#define VRP_DB_METRICS_REPO_H

#include "vrp/db.h"
#include "vrp/metrics.h"

#include <stdbool.h>
#include <stdint.h>

/* True when `name` is a well-formed metric name. */
bool vrp_metric_name_valid(const char *name);

/*
 * Adds `delta` (may be negative) to a counter, creating it at `delta` when it
 * does not exist; `*value` (may be NULL) receives the new value. One
 * statement, so concurrent processes never lose an increment. VRP_EINVAL,
 * with nothing changed, when the sum would overflow 64 bits.
 */
int vrp_metrics_repo_increment(vrp_db *db, const char *name, int64_t delta, int64_t *value);

/* Sets a gauge to `value`, creating it when it does not exist. */
int vrp_metrics_repo_set(vrp_db *db, const char *name, int64_t value);

/*
 * The value of a metric into `*value`. A metric never recorded gives
 * VRP_ENOTFOUND, like any missing row, so a misspelt name is noticed rather
 * than read as a plausible 0; `*value` is still set to 0 then, so a caller
 * that treats an absent counter as zero can accept that code.
 */
int vrp_metrics_repo_get(vrp_db *db, const char *name, int64_t *value);

/*
 * The metrics whose names start with `prefix` (NULL or "": all), by name.
 * The prefix uses the name alphabet ([a-z0-9_.]); VRP_EINVAL otherwise.
 * Caller frees `*out` with vrp_metric_list_free().
 */
int vrp_metrics_repo_list(vrp_db *db, const char *prefix, vrp_metric_list **out);

/*
 * Sets a metric back to 0 (it stays listed, with updated_at = now).
 * VRP_ENOTFOUND when it was never recorded.
 */
int vrp_metrics_repo_reset(vrp_db *db, const char *name);

#endif
