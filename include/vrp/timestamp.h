/*
 * timestamp.h - dates and times as people type them, in the catalogue's
 * timestamp text.
 */
#ifndef VRP_TIMESTAMP_H
#define VRP_TIMESTAMP_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "YYYY-MM-DDTHH:MM:SS.sssZ" and its NUL. */
#define VRP_TIMESTAMP_LEN 25

/*
 * Parses YYYY-MM-DD or an ISO time (YYYY-MM-DDTHH:MM[:SS[.fff]] with Z or
 * an offset such as +02:00; UTC when none) into `out` in the catalogue's
 * format, "YYYY-MM-DDTHH:MM:SS.sssZ" in UTC. A bare date means its midnight
 * (UTC), or the next midnight when `end_of_day` (so an exclusive upper
 * bound includes the whole day). Returns 0, or VRP_EINVAL when `text` is
 * not such a time (31 February included).
 */
int vrp_timestamp_parse(const char *text, bool end_of_day, char out[VRP_TIMESTAMP_LEN]);

#ifdef __cplusplus
}
#endif

#endif
