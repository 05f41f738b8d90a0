/* tag_repo.c - tags and which recordings carry them. */
#include "db/tag_repo.h"

#include "core/ascii.h"
#include "core/clock.h"
#include "core/error_set.h"
#include "core/ptrarray.h"
#include "db/db_internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Trimming here, not only in the schema's CHECK, keeps " work" and "work"
 * one tag. */
static int trimmed_name(const char *name, char **out)
{
	*out = NULL;
	if (!name)
		return vrp_error_set(VRP_EINVAL, "no tag name given");
	size_t len;
	name = vrp_ascii_trim(name, &len);
	if (len == 0)
		return vrp_error_set(VRP_EINVAL, "a tag name cannot be empty");
	*out = strndup(name, len);
	return *out ? 0 : vrp_error_oom();
}

/* Runs a statement binding one text and optionally one integer, expecting no rows. */
static int exec_bound(vrp_db *db, const char *sql, const char *text, int64_t number,
		      const char *what)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, sql);
	if (rc == 0) {
		sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 2, number);
		rc = vrp_db_step_done(db, stmt, what);
	}
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * The tag ?1 names, compared after Unicode case folding ("Äpfel" is
 * "äpfel"; the column's NOCASE folds only A-Z). Two tags that fold alike
 * can only predate this rule; the one spelled exactly so wins, else the
 * oldest. Tags are few, so the scan is cheap.
 */
#define TAG_NAMED                                                                                  \
	"SELECT id FROM tags WHERE vrp_fold(name) = vrp_fold(?1) ORDER BY name = ?1 DESC, id "     \
	"LIMIT 1"

/* The id of the tag called `name` (already trimmed), or VRP_ENOTFOUND. */
static int find_tag(vrp_db *db, const char *name, int64_t *id)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, TAG_NAMED);
	if (rc == 0) {
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
		rc = vrp_db_step(db, stmt, "cannot look up a tag");
	}
	if (rc == 1) {
		*id = sqlite3_column_int64(stmt, 0);
		rc = 0;
	} else if (rc == 0) {
		rc = vrp_error_set(VRP_ENOTFOUND, "no tag called '%s'", name);
	}
	sqlite3_finalize(stmt);
	return rc;
}

static int require_recording(vrp_db *db, int64_t recording_id)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, "SELECT 1 FROM recordings WHERE id = ?1");
	if (rc == 0) {
		sqlite3_bind_int64(stmt, 1, recording_id);
		rc = vrp_db_step(db, stmt, "cannot look up a recording");
	}
	sqlite3_finalize(stmt);
	if (rc == 0)
		return vrp_error_set(VRP_ENOTFOUND, "no recording with id %lld",
				     (long long)recording_id);
	return rc < 0 ? rc : 0;
}

static int ensure_trimmed(vrp_db *db, const char *name, int64_t *id)
{
	int rc = find_tag(db, name, id);
	if (rc != VRP_ENOTFOUND)
		return rc;
	rc = exec_bound(db, "INSERT INTO tags (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
			name, 0, "cannot create a tag");
	return rc < 0 ? rc : find_tag(db, name, id);
}

int vrp_tag_repo_ensure(vrp_db *db, const char *name, int64_t *id)
{
	char *trimmed = NULL;
	int rc = trimmed_name(name, &trimmed);
	if (rc == 0)
		rc = ensure_trimmed(db, trimmed, id);
	free(trimmed);
	return rc;
}

struct tag_change {
	int64_t recording_id;
	const char *name;
	bool add;
};

static int touch_recording(vrp_db *db, int64_t recording_id)
{
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	return exec_bound(db, "UPDATE recordings SET modified_at = ?1 WHERE id = ?2", now,
			  recording_id, "cannot update the recording's modification time");
}

static int apply_change(vrp_db *db, void *ctx)
{
	const struct tag_change *c = ctx;
	int64_t tag_id = 0;
	int rc = require_recording(db, c->recording_id);
	if (rc == 0 && c->add) {
		rc = ensure_trimmed(db, c->name, &tag_id);
		if (rc == 0)
			rc = exec_bound(
				db,
				"INSERT OR IGNORE INTO recording_tags (tag_id, recording_id) "
				"VALUES ((" TAG_NAMED "), ?2)",
				c->name, c->recording_id, "cannot tag the recording");
	} else if (rc == 0) {
		rc = exec_bound(db,
				"DELETE FROM recording_tags WHERE recording_id = ?2 AND tag_id = "
				"(" TAG_NAMED ")",
				c->name, c->recording_id, "cannot untag the recording");
	}
	if (rc == 0 && vrp_db_changes(db) > 0)
		rc = touch_recording(db, c->recording_id);
	return rc;
}

static int change_tags(vrp_db *db, int64_t recording_id, const char *name, bool add)
{
	char *trimmed = NULL;
	int rc = trimmed_name(name, &trimmed);
	if (rc == 0) {
		struct tag_change change = { recording_id, trimmed, add };
		rc = vrp_db_transaction(db, apply_change, &change);
	}
	free(trimmed);
	return rc;
}

int vrp_tag_repo_add_to_recording(vrp_db *db, int64_t recording_id, const char *name)
{
	return change_tags(db, recording_id, name, true);
}

int vrp_tag_repo_remove_from_recording(vrp_db *db, int64_t recording_id, const char *name)
{
	return change_tags(db, recording_id, name, false);
}

static int append_tag(vrp_tag_list *list, size_t *capacity, sqlite3_stmt *stmt)
{
	int grow_rc = vrp_ptr_array_reserve(&list->items, capacity, list->count + 1);
	if (grow_rc < 0)
		return grow_rc;
	vrp_tag *tag = calloc(1, sizeof(*tag));
	if (!tag)
		return vrp_error_oom();
	tag->id = sqlite3_column_int64(stmt, 0);
	tag->recording_count = sqlite3_column_int64(stmt, 2);
	int rc = vrp_db_column_strdup(stmt, 1, &tag->name);
	if (rc < 0) {
		free(tag);
		return rc;
	}
	list->items[list->count++] = tag;
	return 0;
}

#define TAG_COLUMNS                                                                                \
	"SELECT t.id, t.name, (SELECT count(*) FROM recording_tags u WHERE u.tag_id = t.id) "      \
	"FROM tags t "

/* Runs a tag select (with ?1 bound to `recording_id` when it uses one). */
static int list_tags(vrp_db *db, const char *sql, int64_t recording_id, vrp_tag_list **out)
{
	*out = NULL;
	sqlite3_stmt *stmt = NULL;
	size_t capacity = 0;
	vrp_tag_list *list = calloc(1, sizeof(*list));
	int rc = list ? vrp_db_prepare(db, &stmt, sql) : vrp_error_oom();
	if (rc == 0 && sqlite3_bind_parameter_count(stmt) > 0)
		sqlite3_bind_int64(stmt, 1, recording_id);
	while (rc == 0 && (rc = vrp_db_step(db, stmt, "cannot list tags")) == 1)
		rc = append_tag(list, &capacity, stmt);
	sqlite3_finalize(stmt);
	if (rc < 0) {
		vrp_tag_list_free(list);
		return rc;
	}
	*out = list;
	return 0;
}

int vrp_tag_repo_list_for_recording(vrp_db *db, int64_t recording_id, vrp_tag_list **out)
{
	*out = NULL;
	int rc = require_recording(db, recording_id);
	if (rc < 0)
		return rc;
	return list_tags(db,
			 TAG_COLUMNS "JOIN recording_tags rt ON rt.tag_id = t.id "
				     "WHERE rt.recording_id = ?1 ORDER BY t.name, t.id",
			 recording_id, out);
}

int vrp_tag_repo_list_all(vrp_db *db, vrp_tag_list **out)
{
	return list_tags(db, TAG_COLUMNS "ORDER BY t.name, t.id", 0, out);
}

int vrp_tag_repo_rename(vrp_db *db, const char *old_name, const char *new_name)
{
	char *old_trimmed = NULL;
	char *new_trimmed = NULL;
	int64_t id = 0;
	int rc = trimmed_name(old_name, &old_trimmed);
	if (rc == 0)
		rc = trimmed_name(new_name, &new_trimmed);
	if (rc == 0)
		rc = find_tag(db, old_trimmed, &id);
	int64_t taken = 0;
	/* Another tag may fold like the new name where NOCASE would not see it ("Ä", "ä"). */
	int found = rc == 0 ? find_tag(db, new_trimmed, &taken) : 0;
	if (rc == 0 && found == 0 && taken != id)
		rc = VRP_EEXISTS;
	else if (rc == 0 && found != VRP_ENOTFOUND && found != 0)
		rc = found;
	if (rc == 0)
		rc = exec_bound(db, "UPDATE tags SET name = ?1 WHERE id = ?2", new_trimmed, id,
				"cannot rename the tag");
	if (rc == VRP_EEXISTS)
		vrp_error_set(VRP_EEXISTS,
			      "cannot rename tag '%s': a tag called '%s' already exists",
			      old_trimmed, new_trimmed);
	free(old_trimmed);
	free(new_trimmed);
	return rc;
}

int vrp_tag_repo_delete_unused(vrp_db *db, int64_t *deleted)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"DELETE FROM tags WHERE NOT EXISTS "
				"(SELECT 1 FROM recording_tags rt WHERE rt.tag_id = tags.id)");
	if (rc == 0)
		rc = vrp_db_step_done(db, stmt, "cannot delete unused tags");
	if (rc == 0 && deleted)
		*deleted = vrp_db_changes(db);
	sqlite3_finalize(stmt);
	return rc;
}
