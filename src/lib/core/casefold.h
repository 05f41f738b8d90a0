/*
 * casefold.h - case folding of UTF-8 text for names compared without case
 * (internal): tags, where "Äpfel" and "äpfel" must be one tag as "Work"
 * and "work" are.
 *
 * Each code point is mapped to its lower case by the C library's Unicode
 * tables (the C.UTF-8 locale, whatever the process's locale is); ASCII
 * alone when that locale is missing. Simple folding, one code point to one:
 * "ß" stays "ß", not "ss". Bytes that are not well-formed UTF-8 are kept
 * as they are. Thread-safe.
 */
#ifndef VRP_CORE_CASEFOLD_H
#define VRP_CORE_CASEFOLD_H

#include <stddef.h>

/* The folded copy of `s` (malloc'd), or NULL when out of memory. */
char *vrp_casefold(const char *s, size_t len);

/* Registers vrp_fold(TEXT) on an SQLite connection; returns the SQLite code. */
struct sqlite3;
int vrp_casefold_register(struct sqlite3 *db);

#endif
