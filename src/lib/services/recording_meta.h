/*
 * recording_meta.h - a recording's metadata as the document an upload keeps
 * with its object on a remote, and back (internal to the services).
 *
 * The document is one JSON object: {"format": "vrp-recording", "version": 1,
 * "uuid", "sha256", "size", "title", "description", "tags", "recorded_at",
 * "recorded_at_source", "created_at", "modified_at", "original_filename"
 * (and "original_filename_hex" when the name is not UTF-8), "duration",
 * "mime_type", "status", "retention_policy"}. Readers ignore what they do not
 * know, so later versions may add members.
 */
#ifndef VRP_SERVICES_RECORDING_META_H
#define VRP_SERVICES_RECORDING_META_H

#include "vrp/recording.h"

/* The document of `rec` (its tags loaded), malloc'd; NULL when out of memory (recorded). */
char *recording_meta_json(const vrp_recording *rec);

/*
 * The sha256 the document `json` names, into `out`; VRP_EINVAL (recorded)
 * for text that is not vrp's document or names none.
 */
int recording_meta_sha256(const char *json, char out[65]);

/*
 * Gives `rec`, a new recording about to be inserted, the fields the
 * document `json` keeps: title, description, tags, dates and the original
 * name. The document must be of the same content (its sha256 is
 * rec->checksum); values that are not what the catalogue accepts are
 * skipped one by one, so a damaged document loses only its damaged members.
 * VRP_EINVAL (recorded, nothing changed) for a document of other content or
 * none at all; VRP_ENOMEM.
 */
int recording_meta_apply(const char *json, vrp_recording *rec);

#endif
