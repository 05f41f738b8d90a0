/* engines.h - the speech engines vrp is built with (internal). */
#ifndef VRP_TRANSCRIBE_ENGINES_H
#define VRP_TRANSCRIBE_ENGINES_H

#include "vrp/sys/transcriber.h"

/* pocketsphinx 5prealpha with a Debian model (pocketsphinx-<language>), loaded lazily. */
extern const struct vrp_transcriber_ops vrp_pocketsphinx_transcriber;

#endif
