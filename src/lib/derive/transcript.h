/*
 * transcript.h - the transcript of a recording: what was said, and when (internal).
 *
 * The channels are mixed to mono, resampled to 16 kHz int16 (libswresample)
 * and fed to the speech engine in fixed chunks as the decode streams in;
 * each finished segment goes to an anonymous temporary file at once, so
 * memory does not grow with the recording's length, and save() writes
 *
 *   {"version":1, "engine":"pocketsphinx", "engine_version":"5prealpha",
 *    "language":"en-us", "duration":S, "segments":[{"start":S, "end":S,
 *    "text":"...", "words":[{"word","start","end","confidence"}],
 *    "alternatives":[{"word","start","end","posterior"}]}]}
 *
 * Times are seconds from the start of the recording. Audio with no speech
 * gives no segments. Made only on request (vrp transcribe, --kind transcript).
 */
#ifndef VRP_DERIVE_TRANSCRIPT_H
#define VRP_DERIVE_TRANSCRIPT_H

#include "derive/generator.h"

/* The engine of every transcript (vrp/sys/transcriber.h's registry). */
#define VRP_TRANSCRIPT_ENGINE "pocketsphinx"

/* Kind VRP_DERIVED_TRANSCRIPT, application/json. */
extern const struct vrp_generator vrp_transcript_generator;

#endif
