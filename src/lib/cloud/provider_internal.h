/*
 * provider_internal.h - what the provider core, the registry and the
 * providers share (internal).
 */
#ifndef VRP_CLOUD_PROVIDER_INTERNAL_H
#define VRP_CLOUD_PROVIDER_INTERNAL_H

#include "vrp/sys/provider.h"

struct vrp_provider {
	const struct vrp_provider_ops *ops;
	void *state;
	char *name;
};

/* The ops registered under `type`, or NULL. */
const struct vrp_provider_ops *vrp_provider_registry_find(const char *type);

/* The instance state when `provider` is of the kind `ops` describes, else NULL. */
void *vrp_provider_state_of(vrp_provider *provider, const struct vrp_provider_ops *ops);

/* Records the remote's Retry-After hint for vrp_provider_retry_after_ms(). */
void vrp_provider_set_retry_after_ms(int64_t ms);

/* The value of `key` in the settings, or NULL. */
const char *vrp_provider_config_get(const struct vrp_provider_config *config, const char *key);

/* A zeroed object (size -1); NULL when out of memory (recorded). */
vrp_remote_object *vrp_remote_object_alloc(void);

/* Sets `*field` to a copy of `value` (NULL stays NULL); VRP_ENOMEM (recorded). */
int vrp_field_set(char **field, const char *value);

/* Appends `object` to `page` (taking it); VRP_ENOMEM leaves the object with the caller. */
int vrp_remote_page_append(vrp_remote_page *page, size_t *capacity, vrp_remote_object *object);

/*
 * `text` when it can be vrp's metadata (a JSON object within
 * VRP_REMOTE_METADATA_MAX bytes: a description a person wrote is not), else NULL.
 */
const char *vrp_metadata_text(const char *text);

/* A MIME type guessed from the file extension; static. */
const char *vrp_mime_type_for_path(const char *path);

/* The registered providers. */
extern const struct vrp_provider_ops vrp_provider_localdir_ops;
extern const struct vrp_provider_ops vrp_provider_mock_ops;
extern const struct vrp_provider_ops vrp_provider_gdrive_ops;
extern const struct vrp_provider_ops vrp_provider_sftp_ops;
extern const struct vrp_provider_ops vrp_provider_onedrive_ops;

#endif
