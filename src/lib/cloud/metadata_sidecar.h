/*
 * metadata_sidecar.h - a recording's metadata kept as a small object beside
 * it ("<path>.vrp.json"), for providers whose remote has no place of its own
 * for it (internal to the provider core).
 */
#ifndef VRP_CLOUD_METADATA_SIDECAR_H
#define VRP_CLOUD_METADATA_SIDECAR_H

#include "cloud/provider_internal.h"

#include <stdbool.h>

/* Whether the provider's metadata lives in sidecars. */
bool metadata_sidecar_used(const vrp_provider *provider);

/* Whether `path` names a sidecar (and so is hidden from listings). */
bool metadata_sidecar_is_name(const char *path);

/* Uploads `json` as the sidecar of the object at `remote_path` (normalised). */
int metadata_sidecar_put(vrp_provider *provider, const char *remote_path, const char *json);

/* The sidecar of the object with id `remote_id`, read back (malloc'd); VRP_EREMOTE_NOT_FOUND. */
int metadata_sidecar_get(vrp_provider *provider, const char *remote_id, char **out);

/* Deletes the sidecar of `remote_id`; one that is not there is no error. */
int metadata_sidecar_delete(vrp_provider *provider, const char *remote_id);

/* Drops the sidecars from a listed page (they are not recordings). */
void metadata_sidecar_filter(vrp_remote_page *page);

#endif
