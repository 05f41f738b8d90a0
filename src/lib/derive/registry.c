/* registry.c - the generators, one line each. */
#include "derive/registry.h"

#include "derive/opus.h"
#include "derive/spectrogram.h"
#include "derive/transcript.h"
#include "derive/waveform.h"

#include <stddef.h>

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
