/* copies.c - counting a recording's proven remote copies against offload.numcopies. */
#include "services/copies.h"

#include "core/error_set.h"
#include "db/remote_repo.h"
#include "vrp/duration.h"
#include "vrp/remotes.h"
#include "vrp/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int copy_policy_load(vrp_library *lib, struct copy_policy *policy)
{
	char *max_age = NULL;
	int64_t seconds = 0;
	int rc = vrp_settings_get_int(lib, "offload.numcopies", 1, &policy->numcopies);
	if (rc == 0)
		rc = vrp_settings_get(lib, "verify.max_age", &max_age, NULL);
	if (rc == 0)
		rc = vrp_duration_parse(max_age ? max_age : "30d", &seconds);
	free(max_age);
	if (rc == 0)
		vrp_time_format_iso(vrp_time_now_ms() - seconds * 1000, policy->oldest_proof);
	return rc;
}

int copy_remote_trusted(vrp_library *lib, const char *name, bool *trusted)
{
	char *value = NULL;
	int rc = vrp_remotes_setting(lib, name, "trusted", &value);
	*trusted = rc != 0 || strcmp(value, "false") != 0;
	free(value);
	return rc == VRP_ENOTFOUND ? 0 : rc;
}

enum copy_standing copy_standing_of(const struct copy_policy *policy,
				    const vrp_recording_remote *row, bool trusted)
{
	if (!trusted)
		return COPY_UNTRUSTED;
	if (row->sync_status != VRP_SYNC_SYNCED || !row->remote_path)
		return COPY_NOT_SYNCED;
	if (!row->verified_at || !row->verify_method || !strcmp(row->verify_method, "size"))
		return COPY_UNPROVEN;
	if (strcmp(row->verified_at, policy->oldest_proof) < 0)
		return COPY_STALE;
	return COPY_COUNTS;
}

int copy_tally_load(vrp_library *lib, const struct copy_policy *policy, int64_t recording_id,
		    struct copy_tally *tally)
{
	memset(tally, 0, sizeof(*tally));
	int rc = vrp_recording_remote_repo_list_for_recording(vrp_library_db(lib), recording_id,
							      &tally->rows);
	/* Only an original is a copy of the recording; an Opus copy (upload=compressed) is not. */
	size_t kept = 0;
	for (size_t i = 0; rc == 0 && i < tally->rows->count; i++) {
		vrp_recording_remote *row = tally->rows->items[i];
		if (row->variant == VRP_VARIANT_ORIGINAL)
			tally->rows->items[kept++] = row;
		else
			vrp_recording_remote_free(row);
	}
	if (rc == 0)
		tally->rows->count = kept;
	if (rc == 0)
		rc = vrp_remote_repo_list(vrp_library_db(lib), &tally->remotes);
	if (rc == 0 && tally->rows->count &&
	    !(tally->standing = calloc(tally->rows->count, sizeof(*tally->standing))))
		rc = vrp_error_oom();
	for (size_t i = 0; rc == 0 && i < tally->rows->count; i++) {
		bool trusted = true;
		rc = copy_remote_trusted(lib, tally->rows->items[i]->remote, &trusted);
		tally->standing[i] = copy_standing_of(policy, tally->rows->items[i], trusted);
		tally->counted += tally->standing[i] == COPY_COUNTS;
	}
	if (rc < 0)
		copy_tally_clear(tally);
	return rc;
}

void copy_tally_clear(struct copy_tally *tally)
{
	vrp_recording_remote_list_free(tally->rows);
	vrp_remote_list_free(tally->remotes);
	free(tally->standing);
	memset(tally, 0, sizeof(*tally));
}

static size_t append(char *out, size_t len, size_t used, const char *sep, const char *name,
		     const char *why, int why_len)
{
	if (used >= len)
		return used;
	int n = snprintf(out + used, len - used, "%s%s (%.*s)", sep, name, why_len, why);
	return n < 0 ? used : used + (size_t)n;
}

void copy_tally_counted(const struct copy_tally *tally, char *out, size_t len)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; tally->rows && i < tally->rows->count; i++)
		if (tally->standing[i] == COPY_COUNTS)
			used = append(out, len, used, used ? ", " : "",
				      tally->rows->items[i]->remote,
				      tally->rows->items[i]->verified_at, 10);
}

static const char *why_not(const vrp_recording_remote *row, enum copy_standing standing, char *buf,
			   size_t len)
{
	switch (standing) {
	case COPY_UNTRUSTED:
		return "untrusted";
	case COPY_NOT_SYNCED:
		if (!row->error_code)
			return vrp_sync_status_to_string(row->sync_status);
		snprintf(buf, len, "%s, %s", vrp_sync_status_to_string(row->sync_status),
			 row->error_code);
		return buf;
	case COPY_UNPROVEN:
		return row->verify_method ? "size only" : "not verified";
	case COPY_STALE:
		snprintf(buf, len, "verified %.10s, older than verify.max_age", row->verified_at);
		return buf;
	case COPY_COUNTS:
		break;
	}
	return "counts";
}

static bool has_row(const struct copy_tally *tally, const char *remote)
{
	for (size_t i = 0; tally->rows && i < tally->rows->count; i++)
		if (!strcmp(tally->rows->items[i]->remote, remote))
			return true;
	return false;
}

void copy_tally_refusal(const struct copy_tally *tally, const struct copy_policy *policy, char *out,
			size_t len)
{
	char counted[256];
	copy_tally_counted(tally, counted, sizeof(counted));
	size_t used =
		(size_t)snprintf(out, len, "only %zu of %ld required copies verified%s%s",
				 tally->counted, policy->numcopies, *counted ? ": " : "", counted);
	bool first = true;
	for (size_t i = 0; tally->rows && i < tally->rows->count && used < len; i++) {
		if (tally->standing[i] == COPY_COUNTS)
			continue;
		char buf[96];
		const char *why =
			why_not(tally->rows->items[i], tally->standing[i], buf, sizeof(buf));
		used = append(out, len, used, first ? "; not counted: " : ", ",
			      tally->rows->items[i]->remote, why, (int)strlen(why));
		first = false;
	}
	for (size_t i = 0; tally->remotes && i < tally->remotes->count && used < len; i++) {
		if (has_row(tally, tally->remotes->items[i]->name))
			continue;
		used = append(out, len, used, first ? "; not counted: " : ", ",
			      tally->remotes->items[i]->name, "never uploaded", 14);
		first = false;
	}
}
