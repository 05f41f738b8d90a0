/*
 * fuzz_text.h - the fuzzer's bytes as the NUL-terminated text a parser is
 * handed (an HTTP body, a header), and a check that aborts, so a broken
 * promise of the code under test is a finding like a crash.
 */
#ifndef VRP_FUZZ_TEXT_H
#define VRP_FUZZ_TEXT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
	}
	return text;
}

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif
