/* registry.c - the speech engines, one line each. */
#include "vrp/sys/transcriber.h"

#include "transcribe/engines.h"

#include <string.h>

static const struct vrp_transcriber_ops *const engines[] = {
	&vrp_pocketsphinx_transcriber,
};

const struct vrp_transcriber_ops *vrp_transcriber_find(const char *name)
{
	for (size_t i = 0; i < sizeof(engines) / sizeof(*engines); i++)
		if (strcmp(engines[i]->name, name) == 0)
			return engines[i];
	return NULL;
}
