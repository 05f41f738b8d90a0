/*
 * metrics.h - local counters and gauges kept in the library database (what
 * `vrp metrics` shows). Nothing is sent anywhere.
 *
 * A metric name is 1 to VRP_METRIC_NAME_MAX characters of [a-z0-9_.]; the
 * dots group related metrics ("sync.", "import.") so they can be listed by
 * prefix. Values are 64-bit integers: durations are kept as a total and a
 * count (the mean is total / count), never as a float.
 */
#ifndef VRP_METRICS_H
#define VRP_METRICS_H

#include "vrp/library.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VRP_METRIC_NAME_MAX 64

/* Sync (counters). */
#define VRP_METRIC_UPLOADS_ATTEMPTED "sync.uploads_attempted"
#define VRP_METRIC_UPLOADS_FAILED    "sync.uploads_failed"
#define VRP_METRIC_AUTH_FAILURES     "sync.auth_failures"
#define VRP_METRIC_RETRY_ATTEMPTS    "sync.retry_attempts"
#define VRP_METRIC_BYTES_UPLOADED    "sync.bytes_uploaded"
#define VRP_METRIC_UPLOADS_SUCCEEDED "sync.uploads_succeeded"
#define VRP_METRIC_BYTES_DOWNLOADED  "sync.bytes_downloaded"
/* Failed transfer attempts by error code: "sync.failures.err_transient"... */
#define VRP_METRIC_FAILURES_PREFIX "sync.failures."
/* Sync latency: milliseconds summed over transfers, and how many transfers were summed. */
#define VRP_METRIC_SYNC_LATENCY_MS_TOTAL "sync.latency_ms_total"
#define VRP_METRIC_SYNC_LATENCY_COUNT    "sync.latency_count"
/*
 * The enqueue-to-synced latency histogram: cumulative buckets named
 * "sync.latency_ms.le_<bound>" (milliseconds) and "sync.latency_ms.le_inf",
 * with VRP_METRIC_SYNC_LATENCY_MS_TOTAL as its sum and
 * VRP_METRIC_SYNC_LATENCY_COUNT as its count. `vrp metrics` prints it as a
 * Prometheus histogram.
 */
#define VRP_METRIC_SYNC_LATENCY_BUCKET_PREFIX "sync.latency_ms.le_"

/* Import (counters): files imported, skipped as duplicates, rejected as not audio or damaged. */
#define VRP_METRIC_IMPORTS    "import.imported"
#define VRP_METRIC_DUPLICATES "import.duplicates"
#define VRP_METRIC_REJECTS    "import.rejected"

/* One metric, allocated by the library; free with vrp_metric_free(). */
typedef struct vrp_metric {
	char *name;
	int64_t value;
	char *updated_at; /* the last change (UTC ISO-8601, milliseconds) */
} vrp_metric;

/* Frees a metric and its strings; NULL is a no-op. */
void vrp_metric_free(vrp_metric *metric);

/* A list of metrics, allocated by the library. */
typedef struct vrp_metric_list {
	vrp_metric **items;
	size_t count;
} vrp_metric_list;

/* Frees the list and every metric in it; NULL is a no-op. */
void vrp_metric_list_free(vrp_metric_list *list);

/*
 * The metrics whose names start with `prefix` (NULL or "": all), by name.
 * Caller frees `*out` with vrp_metric_list_free().
 */
int vrp_metrics_read(vrp_library *lib, const char *prefix, vrp_metric_list **out);

#ifdef __cplusplus
}
#endif

#endif
