/* vad.c - an energy speech detector with a tracked noise floor. */
#include "transcribe/vad.h"

#include <math.h>
#include <stdlib.h>

#define SPEECH_DB 12.0
/* Below this a frame is silence whatever the floor: dither, a quiet room. */
#define MIN_SPEECH_DB 30.0
/* The floor rises 2 dB a second through pauses, 0.5 dB a second through
 * speech: a noise that starts and stays becomes the floor within a minute. */
#define FLOOR_RISE_DB        0.02
#define FLOOR_RISE_SPEECH_DB 0.005
#define HEAD_FRAMES_MAX      4096

double vrp_vad_level(const int16_t *frame, size_t count)
{
	double energy = 1.0; /* keeps digital silence finite: 0 dB */
	for (size_t i = 0; i < count; i++)
		energy += (double)frame[i] * frame[i];
	return 10.0 * log10(energy / (double)(count ? count : 1));
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void vrp_vad_init(struct vrp_vad *vad, const int16_t *samples, size_t count)
{
	static __thread double levels[HEAD_FRAMES_MAX];
	size_t frames = count / VRP_VAD_FRAME;
	if (frames > HEAD_FRAMES_MAX)
		frames = HEAD_FRAMES_MAX;
	for (size_t f = 0; f < frames; f++)
		levels[f] = vrp_vad_level(samples + f * VRP_VAD_FRAME, VRP_VAD_FRAME);
	qsort(levels, frames, sizeof(*levels), by_value);
	vad->floor_db = frames ? levels[frames / 10] : 0.0;
}

bool vrp_vad_is_speech(struct vrp_vad *vad, double db)
{
	bool speech = db > vad->floor_db + SPEECH_DB && db > MIN_SPEECH_DB;
	if (db < vad->floor_db)
		vad->floor_db = db;
	else
		vad->floor_db += speech ? FLOOR_RISE_SPEECH_DB : FLOOR_RISE_DB;
	return speech;
}
