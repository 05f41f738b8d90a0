/* recording_json.h - a recording as a jansson object (internal). */
#ifndef VRP_MODEL_RECORDING_JSON_H
#define VRP_MODEL_RECORDING_JSON_H

#include "vrp/recording.h"

#include <jansson.h>

/* See vrp_recording_to_json(); NULL when out of memory. */
json_t *vrp_recording_json(const vrp_recording *rec);

#endif
