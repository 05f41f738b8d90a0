/* clock.h - timestamps in the library's one text format (internal). */
#ifndef VRP_CORE_CLOCK_H
#define VRP_CORE_CLOCK_H

#include <stdint.h>

/* "2026-11-24T21:07:00.123Z": UTC, milliseconds, sorts as text in time order. */
#define VRP_TIME_ISO_LEN 25

/* Writes the current UTC time as an ISO-8601 timestamp into `out`. */
void vrp_time_now_iso(char out[VRP_TIME_ISO_LEN]);

/* Writes `unix_ms` (milliseconds since the epoch) in the same format. */
void vrp_time_format_iso(int64_t unix_ms, char out[VRP_TIME_ISO_LEN]);

/* Milliseconds since the epoch of a timestamp in the format above, or -1 when it is not one. */
int64_t vrp_time_parse_iso(const char *text);

/* Milliseconds since the epoch, from the real-time clock. */
int64_t vrp_time_now_ms(void);

#endif
