/*
 * utf8.h - UTF-8 checks for text that arrives as arbitrary bytes: original
 * file names are kept byte for byte and need not be UTF-8, so whatever shows
 * them (a GUI, JSON output) must decide what to do with ill-formed bytes.
 */
#ifndef VRP_UTF8_H
#define VRP_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Length (1-4) of the well-formed UTF-8 sequence at `s`, or 0 if there is none. */
size_t vrp_utf8_sequence(const char *s);

/* True when all of `s` is well-formed UTF-8. */
bool vrp_utf8_valid(const char *s);

/* A malloc'd copy with every ill-formed byte replaced by U+FFFD; NULL when out of memory. */
char *vrp_utf8_sanitize(const char *s);

#ifdef __cplusplus
}
#endif

#endif
