/* recording_json.h - a recording as a jansson object (internal). */
#ifndef VRP_MODEL_RECORDING_JSON_H
#define VRP_MODEL_RECORDING_JSON_H

#include "core/json_writer.h"
#include "vrp/derived_asset.h"
#include "vrp/recording.h"

#include <stdbool.h>

#include <jansson.h>

/* Appends the object vrp_recording_to_json() returns to `w`. */
void vrp_recording_write_json(struct vrp_jw *w, const vrp_recording *rec);

/* See vrp_recording_to_json(); NULL when out of memory. */
json_t *vrp_recording_json(const vrp_recording *rec);

/* An asset as `vrp show --json` lists it: kind, path, mime_type, size_bytes, generator,
 * generator_version, stale. */
json_t *vrp_derived_asset_json(const vrp_derived_asset *asset, bool stale);

#endif
