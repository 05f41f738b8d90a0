/*
 * vad.h - where speech is: an energy detector over 10 ms frames (internal).
 *
 * The engine cuts the stream into utterances itself rather than letting
 * pocketsphinx drop silence: pocketsphinx's own VAD loses frames at its
 * utterance boundaries, and every later word time shifts by up to a tenth
 * of a second; with the cut known here, a word's time is the utterance's
 * first sample plus the decoder's frames, exactly.
 *
 * A frame is speech when its level is SPEECH_DB above the noise floor,
 * which follows the quietest frames down at once and rises slowly, so a
 * steady noise becomes the floor while speech never does.
 */
#ifndef VRP_TRANSCRIBE_VAD_H
#define VRP_TRANSCRIBE_VAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VRP_VAD_FRAME 160 /* samples: 10 ms at 16 kHz */

struct vrp_vad {
	double floor_db;
};

/* The level of one frame in dB (digital silence is 0 dB, full scale about 90). */
double vrp_vad_level(const int16_t *frame, size_t count);

/* Starts the floor at the 10th percentile of the frame levels of `samples` (the head). */
void vrp_vad_init(struct vrp_vad *vad, const int16_t *samples, size_t count);

/* Whether a frame of level `db` is speech; moves the floor. */
bool vrp_vad_is_speech(struct vrp_vad *vad, double db);

#endif
