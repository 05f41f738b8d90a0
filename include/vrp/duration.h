/*
 * duration.h - spans of time as people write them: "90s", "15m", "2h",
 * "30d", "1w", a bare number being seconds. Used by settings such as
 * verify.max_age and by options such as --time-limit and --older-than.
 */
#ifndef VRP_DURATION_H
#define VRP_DURATION_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Parses `text` (a whole number followed by s, m, h, d or w, or nothing for
 * seconds) into `*seconds`. VRP_EINVAL (recorded, quoting the text) for
 * anything else, a negative number, or one too large to count.
 */
int vrp_duration_parse(const char *text, int64_t *seconds);

#ifdef __cplusplus
}
#endif

#endif
