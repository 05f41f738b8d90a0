/* recordings.c - browsing and editing the recordings of a library (what ls, show, search, edit
 * and rm call). */
#include "vrp/recordings.h"

#include "core/ascii.h"
#include "core/error_set.h"
#include "core/log.h"
#include "services/audit.h"
#include "db/recording_repo.h"
#include "db/remote_repo.h"
#include "db/tag_repo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* 8-4-4-4-12 hex digits; the version and variant nibbles are not checked, so
 * a uuid made by another program is still found. */
static bool is_uuid(const char *text)
{
	if (strlen(text) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? text[i] != '-' : !is_hex((unsigned char)text[i]))
			return false;
	}
	return true;
}

static bool parse_id(const char *text, int64_t *id)
{
	for (const char *p = text; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	errno = 0;
	char *end = NULL;
	long long value = strtoll(text, &end, 10);
	if (errno || *end || end == text)
		return false;
	*id = value;
	return true;
}

int vrp_recordings_find(vrp_library *lib, const char *id_or_uuid, vrp_recording **out)
{
	*out = NULL;
	if (!id_or_uuid || !*id_or_uuid)
		return vrp_error_set(VRP_EINVAL, "no recording given: name it by id or uuid");
	int64_t id = 0;
	if (parse_id(id_or_uuid, &id))
		return vrp_recording_repo_get_by_id(vrp_library_db(lib), id, out);
	if (!is_uuid(id_or_uuid))
		return vrp_error_set(VRP_EINVAL,
				     "'%s' is not a recording id: give a number such as 42 or a "
				     "uuid such as 0b7c7f32-6a4e-4a57-9d8e-0d6c1d0c9a11",
				     id_or_uuid);
	/* The library writes uuids in lower case (vrp_uuid_v4), so that is how
	 * they are compared; a user may paste one in capitals. */
	char lower[37];
	for (size_t i = 0; i <= 36; i++) {
		char c = id_or_uuid[i];
		lower[i] = c >= 'A' && c <= 'F' ? (char)(c - 'A' + 'a') : c;
	}
	return vrp_recording_repo_get_by_uuid(vrp_library_db(lib), lower, out);
}

/* The remote names, ", " between, into `buf`; "none" when there are none. */
static void remote_names(vrp_db *db, char *buf, size_t size)
{
	vrp_remote_list *list = NULL;
	snprintf(buf, size, "none");
	if (vrp_remote_repo_list(db, &list) < 0)
		return;
	size_t used = 0;
	for (size_t i = 0; i < list->count && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
					 list->items[i]->name);
	vrp_remote_list_free(list);
}

/* A filter on a remote that does not exist is a mistake, not an empty result. */
static int check_filter_remote(vrp_db *db, const vrp_recording_filter *filter)
{
	if (!filter || !filter->remote)
		return 0;
	vrp_remote *remote = NULL;
	int rc = vrp_remote_repo_get_by_name(db, filter->remote, &remote);
	vrp_remote_free(remote);
	if (rc != VRP_ENOTFOUND)
		return rc;
	char names[256];
	remote_names(db, names, sizeof(names));
	return vrp_error_set(VRP_EINVAL, "no remote named '%s' (remotes: %s)", filter->remote,
			     names);
}

int vrp_recordings_list(vrp_library *lib, const vrp_recording_filter *filter,
			vrp_recording_list **out)
{
	int rc = check_filter_remote(vrp_library_db(lib), filter);
	return rc < 0 ? rc : vrp_recording_repo_list(vrp_library_db(lib), filter, out);
}

int vrp_recordings_count(vrp_library *lib, const vrp_recording_filter *filter, int64_t *out)
{
	int rc = check_filter_remote(vrp_library_db(lib), filter);
	return rc < 0 ? rc : vrp_recording_repo_count(vrp_library_db(lib), filter, out);
}

int vrp_recordings_search(vrp_library *lib, const char *query, const vrp_search_options *options,
			  vrp_search_results **out)
{
	return vrp_recording_repo_search(vrp_library_db(lib), query, options, out);
}

/* Tag names compare as the catalogue compares them: trimmed, ignoring ASCII case. */
static bool same_tag(const char *a, const char *b)
{
	size_t la, lb;
	a = vrp_ascii_trim(a, &la);
	b = vrp_ascii_trim(b, &lb);
	return la == lb && strncasecmp(a, b, la) == 0;
}

static int check_tags(const char *const *tags, size_t count, const char *what)
{
	if (count > 0 && !tags)
		return vrp_error_set(VRP_EINVAL, "%d tag(s) to %s but no names given", (int)count,
				     what);
	for (size_t i = 0; i < count; i++)
		if (!tags[i])
			return vrp_error_set(VRP_EINVAL, "a tag to %s has no name", what);
	return 0;
}

static int check_edit(const vrp_recording_edit *edit)
{
	if (!edit || (!edit->title && !edit->description && edit->add_tag_count == 0 &&
		      edit->remove_tag_count == 0))
		return vrp_error_set(VRP_EINVAL, "nothing to change: give a title, a description, "
						 "or tags to add or remove");
	int rc = check_tags(edit->add_tags, edit->add_tag_count, "add");
	if (rc == 0)
		rc = check_tags(edit->remove_tags, edit->remove_tag_count, "remove");
	/* Adding and removing one tag at once has no order a user could rely on. */
	for (size_t i = 0; rc == 0 && i < edit->add_tag_count; i++)
		for (size_t j = 0; rc == 0 && j < edit->remove_tag_count; j++)
			if (same_tag(edit->add_tags[i], edit->remove_tags[j]))
				rc = vrp_error_set(VRP_EINVAL,
						   "tag '%s' is both added and removed: pick one",
						   edit->add_tags[i]);
	return rc;
}

struct edit_txn {
	int64_t id;
	const vrp_recording_edit *edit;
};

static int apply_edit(vrp_db *db, void *ctx)
{
	const struct edit_txn *t = ctx;
	const vrp_recording_edit *e = t->edit;
	vrp_recording *current = NULL;
	/* Read first, so an unknown id fails the same way whatever the edit holds. */
	int rc = vrp_recording_repo_get_by_id(db, t->id, &current);
	vrp_recording_free(current);
	if (rc == 0 && (e->title || e->description))
		rc = vrp_recording_repo_update_text(db, t->id, e->title, e->description);
	for (size_t i = 0; rc == 0 && i < e->add_tag_count; i++)
		rc = vrp_tag_repo_add_to_recording(db, t->id, e->add_tags[i]);
	for (size_t i = 0; rc == 0 && i < e->remove_tag_count; i++)
		rc = vrp_tag_repo_remove_from_recording(db, t->id, e->remove_tags[i]);
	return rc;
}

int vrp_recordings_edit(vrp_library *lib, int64_t id, const vrp_recording_edit *edit)
{
	int rc = check_edit(edit);
	if (rc < 0)
		return rc;
	struct edit_txn t = { .id = id, .edit = edit };
	return vrp_db_transaction(vrp_library_db(lib), apply_edit, &t);
}

struct status_txn {
	int64_t id;
	enum vrp_recording_status status;
	enum vrp_recording_status from; /* set by apply_status */
};

/* Deleting, and bringing a recording back from deletion or from the archive,
 * are what the audit log keeps; archiving an active recording hides nothing. */
static const char *audit_operation(enum vrp_recording_status from, enum vrp_recording_status to)
{
	if (to == VRP_RECORDING_DELETED)
		return "delete";
	if (to == VRP_RECORDING_ACTIVE || from == VRP_RECORDING_DELETED)
		return "restore";
	return NULL;
}

static int audit_status_change(vrp_db *db, int64_t id, enum vrp_recording_status from,
			       enum vrp_recording_status to)
{
	const char *operation = audit_operation(from, to);
	if (!operation)
		return 0;
	char meta[96];
	snprintf(meta, sizeof(meta), "{\"from\":\"%s\",\"to\":\"%s\"}",
		 vrp_recording_status_to_string(from), vrp_recording_status_to_string(to));
	return vrp_audit_record(db, operation, id, NULL, true, meta);
}

static int apply_status(vrp_db *db, void *ctx)
{
	struct status_txn *t = ctx;
	vrp_recording *current = NULL;
	int rc = vrp_recording_repo_get_by_id(db, t->id, &current);
	if (rc < 0)
		return rc;
	enum vrp_recording_status from = current->status;
	t->from = from;
	vrp_recording_free(current);
	/* Already there: nothing changes, so nothing is bumped or audited (and a
	 * deleted recording keeps the deleted_at its purge is counted from). */
	if (from == t->status)
		return 0;
	/* Archiving a deleted recording would quietly bring it back from the bin. */
	if (from == VRP_RECORDING_DELETED && t->status == VRP_RECORDING_ARCHIVED)
		return vrp_error_set(VRP_EINVAL,
				     "recording %lld is deleted; restore it first (vrp restore "
				     "%lld), then archive it",
				     (long long)t->id, (long long)t->id);
	rc = vrp_recording_repo_set_status(db, t->id, t->status);
	if (rc == 0)
		rc = audit_status_change(db, t->id, from, t->status);
	return rc;
}

int vrp_recordings_set_status(vrp_library *lib, int64_t id, enum vrp_recording_status status)
{
	if (!vrp_recording_status_to_string(status))
		return vrp_error_set(VRP_EINVAL, "unknown recording status %d", (int)status);
	struct status_txn t = { .id = id, .status = status, .from = status };
	struct vrp_correlation_scope scope;
	vrp_correlation_enter(&scope, NULL);
	int rc = vrp_db_transaction(vrp_library_db(lib), apply_status, &t);
	if (rc == 0 && t.from != status)
		VRP_LOG_INFO("recordings",
			     json_pack("{s:I, s:s, s:s}", "recording_id", (json_int_t)id, "from",
				       vrp_recording_status_to_string(t.from), "to",
				       vrp_recording_status_to_string(status)),
			     "recording %lld is now %s", (long long)id,
			     vrp_recording_status_to_string(status));
	vrp_correlation_leave(&scope);
	return rc;
}
