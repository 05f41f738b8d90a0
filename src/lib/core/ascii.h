/*
 * ascii.h - locale-independent character classes (internal).
 *
 * <ctype.h> follows the process locale, which a GUI may set: in a Latin-1
 * locale isspace(0xA0) is true and would split the UTF-8 sequence of "à".
 * Text handling in the library only ever means ASCII classes.
 */
#ifndef VRP_CORE_ASCII_H
#define VRP_CORE_ASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static inline bool vrp_ascii_isspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline bool vrp_ascii_isalnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The span of `s` without ASCII blanks at either end: its start, and its length in `*len`. */
static inline const char *vrp_ascii_trim(const char *s, size_t *len)
{
	while (vrp_ascii_isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && vrp_ascii_isspace((unsigned char)s[n - 1]))
		n--;
	*len = n;
	return s;
}

#endif
