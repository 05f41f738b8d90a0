/* registry.c - the generators, one line each. */
#include "derive/registry.h"

#include "derive/opus.h"
#include "derive/spectrogram.h"
#include "derive/transcript.h"
#include "derive/waveform.h"

#include <stdio.h>
#include <string.h>

static const struct vrp_generator *const generators[] = {
	&vrp_waveform_generator,
	&vrp_spectrogram_generator,
	&vrp_opus_generator,
	&vrp_transcript_generator,
};

const struct vrp_generator *vrp_generator_for(enum vrp_derived_kind kind)
{
	for (size_t i = 0; i < sizeof(generators) / sizeof(*generators); i++)
		if (generators[i]->kind == kind)
			return generators[i];
	return NULL;
}

void vrp_generator_version(const struct vrp_generator *gen, const struct vrp_derive_params *params,
			   char out[VRP_GENERATOR_VERSION_MAX])
{
	char key[VRP_GENERATOR_VERSION_MAX] = "";
	if (gen->settings_key)
		gen->settings_key(params, key, sizeof(key));
	snprintf(out, VRP_GENERATOR_VERSION_MAX, "%s%s%s", gen->version, *key ? ";" : "", key);
}

bool vrp_generator_version_matches(const struct vrp_generator *gen,
				   const struct vrp_derive_params *params, const char *stored)
{
	char want[VRP_GENERATOR_VERSION_MAX];
	vrp_generator_version(gen, params, want);
	if (!stored)
		return false;
	if (strchr(stored, ';') || !gen->settings_key)
		return strcmp(stored, want) == 0;
	char legacy[VRP_GENERATOR_VERSION_MAX];
	vrp_generator_version(gen, &(struct vrp_derive_params){ 0 }, legacy);
	return strcmp(gen->version, stored) == 0 && strcmp(legacy, want) == 0;
}
