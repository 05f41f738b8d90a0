/* fuzz_remote_name.c - remote path normalising and name sanitising: never a "..", never too long. */
#include "cloud/remote_name.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether a path has a ".." component: the one thing normalising must never let through. */
static int climbs(const char *path)
{
	for (const char *c = path; c; c = strchr(c, '/') ? strchr(c, '/') + 1 : NULL)
		if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == '\0'))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	char *normal = NULL;
	if (vrp_remote_path_normalize(text, &normal) == 0 && (normal[0] == '/' || climbs(normal)))
		abort();
	free(normal);
	size_t max = size % 300 + 1;
	char *safe = vrp_remote_name_sanitize(text, max);
	if (safe && (strlen(safe) > max || strpbrk(safe, "/\\:*?\"<>|") || safe[0] == '.'))
		abort();
	free(safe);
	free(text);
	return 0;
}
