/* remote.c - the remote and recording_remote records: freeing and status names. */
#include "vrp/remote.h"

#include "core/error_set.h"

#include <stdlib.h>
#include <string.h>

/* Indexed by vrp_sync_status; these are the values the schema's CHECK allows. */
static const char *const status_names[VRP_SYNC_STATUS_COUNT] = {
	"unsynced", "queued", "syncing", "synced", "failed", "quota_exceeded", "conflict",
};

const char *vrp_sync_status_to_string(vrp_sync_status status)
{
	if ((unsigned)status >= VRP_SYNC_STATUS_COUNT)
		return NULL;
	return status_names[status];
}

int vrp_sync_status_from_string(const char *text, vrp_sync_status *out)
{
	for (int i = 0; text && i < VRP_SYNC_STATUS_COUNT; i++) {
		if (strcmp(text, status_names[i]) == 0) {
			*out = (vrp_sync_status)i;
			return 0;
		}
	}
	return vrp_error_set(VRP_EINVAL, "unknown sync status '%s'", text ? text : "(null)");
}

static const char *const variant_names[] = { "original", "compressed" };

const char *vrp_upload_variant_to_string(vrp_upload_variant variant)
{
	if ((unsigned)variant >= sizeof(variant_names) / sizeof(*variant_names))
		return NULL;
	return variant_names[variant];
}

int vrp_upload_variant_from_string(const char *text, vrp_upload_variant *out)
{
	for (size_t i = 0; text && i < sizeof(variant_names) / sizeof(*variant_names); i++) {
		if (strcmp(text, variant_names[i]) == 0) {
			*out = (vrp_upload_variant)i;
			return 0;
		}
	}
	return vrp_error_set(VRP_EINVAL, "unknown upload variant '%s'", text ? text : "(null)");
}

void vrp_remote_free(vrp_remote *remote)
{
	if (!remote)
		return;
	free(remote->name);
	free(remote->provider_key);
	free(remote->created_at);
	free(remote->modified_at);
	free(remote->paused_reason);
	free(remote->paused_at);
	free(remote);
}

void vrp_remote_list_free(vrp_remote_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		vrp_remote_free(list->items[i]);
	free(list->items);
	free(list);
}

void vrp_recording_remote_free(vrp_recording_remote *state)
{
	if (!state)
		return;
	free(state->remote);
	free(state->provider_key);
	free(state->remote_id);
	free(state->remote_path);
	free(state->remote_etag);
	free(state->remote_checksum);
	free(state->verification);
	free(state->verified_at);
	free(state->verify_method);
	free(state->content_sha256);
	free(state->last_synced_at);
	free(state->error_code);
	free(state->error_message);
	free(state->failed_at);
	free(state->created_at);
	free(state->modified_at);
	free(state);
}

void vrp_recording_remote_list_free(vrp_recording_remote_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		vrp_recording_remote_free(list->items[i]);
	free(list->items);
	free(list);
}
