/* remote_repo.c - the SQL of the remotes table. */
#include "db/remote_repo.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "core/ptrarray.h"
#include "db/db_internal.h"

#include <stdlib.h>

#define REMOTE_COLUMNS "id, name, provider_key, created_at, modified_at, paused_reason, paused_at"

static int read_remote(sqlite3_stmt *stmt, vrp_remote **out)
{
	vrp_remote *r = calloc(1, sizeof(*r));
	if (!r)
		return vrp_error_oom();
	r->id = sqlite3_column_int64(stmt, 0);
	char **const texts[] = { &r->name,        &r->provider_key,  &r->created_at,
				 &r->modified_at, &r->paused_reason, &r->paused_at };
	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		int rc = vrp_db_column_strdup(stmt, (int)i + 1, texts[i]);
		if (rc < 0) {
			vrp_remote_free(r);
			return rc;
		}
	}
	*out = r;
	return 0;
}

static int require_name(const char *name, const char *what)
{
	if (!name || !*name)
		return vrp_error_set(VRP_EINVAL, "%s must not be empty", what);
	return 0;
}

static int not_found(const char *name)
{
	return vrp_error_set(VRP_ENOTFOUND, "no remote named '%s' (see `vrp remote ls`)", name);
}

int vrp_remote_repo_get_by_name(vrp_db *db, const char *name, vrp_remote **out)
{
	*out = NULL;
	int rc = require_name(name, "the remote name");
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(db, &stmt, "SELECT " REMOTE_COLUMNS " FROM remotes WHERE name = ?1");
	if (rc < 0)
		goto done;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = vrp_db_step(db, stmt, "cannot read a remote");
	if (rc == 1)
		rc = read_remote(stmt, out);
	else if (rc == 0)
		rc = not_found(name);
done:
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_remote_repo_insert(vrp_db *db, const char *name, const char *provider_key, vrp_remote **out)
{
	if (out)
		*out = NULL;
	int rc = require_name(name, "the remote name");
	if (rc == 0)
		rc = require_name(provider_key, "the provider");
	if (rc < 0)
		return rc;
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(db, &stmt,
			    "INSERT INTO remotes (name, provider_key, created_at, modified_at) "
			    "VALUES (?1, ?2, ?3, ?3)");
	if (rc < 0)
		goto done;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, provider_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, now, -1, SQLITE_STATIC);
	rc = vrp_db_step_done(db, stmt, "cannot add the remote");
	if (rc == VRP_EEXISTS)
		rc = vrp_error_set(VRP_EEXISTS, "a remote named '%s' already exists", name);
	if (rc == 0 && out)
		rc = vrp_remote_repo_get_by_name(db, name, out);
done:
	sqlite3_finalize(stmt);
	return rc;
}

static int append(vrp_remote_list *list, size_t *capacity, vrp_remote *item)
{
	int grow_rc = vrp_ptr_array_reserve(&list->items, capacity, list->count + 1);
	if (grow_rc < 0)
		return grow_rc;
	list->items[list->count++] = item;
	return 0;
}

int vrp_remote_repo_list(vrp_db *db, vrp_remote_list **out)
{
	*out = NULL;
	vrp_remote_list *list = calloc(1, sizeof(*list));
	if (!list)
		return vrp_error_oom();
	size_t capacity = 0;
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, "SELECT " REMOTE_COLUMNS " FROM remotes ORDER BY name");
	while (rc == 0 && (rc = vrp_db_step(db, stmt, "cannot list the remotes")) == 1) {
		vrp_remote *item = NULL;
		rc = read_remote(stmt, &item);
		if (rc == 0 && (rc = append(list, &capacity, item)) < 0)
			vrp_remote_free(item);
	}
	sqlite3_finalize(stmt);
	if (rc < 0) {
		vrp_remote_list_free(list);
		return rc;
	}
	*out = list;
	return 0;
}

int vrp_remote_repo_rename(vrp_db *db, const char *old_name, const char *new_name)
{
	int rc = require_name(old_name, "the remote name");
	if (rc == 0)
		rc = require_name(new_name, "the new remote name");
	if (rc < 0)
		return rc;
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(db, &stmt,
			    "UPDATE remotes SET name = ?2, modified_at = ?3 WHERE name = ?1");
	if (rc < 0)
		goto done;
	sqlite3_bind_text(stmt, 1, old_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, new_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, now, -1, SQLITE_STATIC);
	rc = vrp_db_step_done(db, stmt, "cannot rename the remote");
	if (rc == VRP_EEXISTS)
		rc = vrp_error_set(VRP_EEXISTS, "a remote named '%s' already exists", new_name);
	else if (rc == 0 && vrp_db_changes(db) == 0)
		rc = not_found(old_name);
done:
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_remote_repo_delete(vrp_db *db, const char *name)
{
	int rc = require_name(name, "the remote name");
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(db, &stmt, "DELETE FROM remotes WHERE name = ?1");
	if (rc < 0)
		goto done;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = vrp_db_step_done(db, stmt, "cannot delete the remote");
	if (rc == 0 && vrp_db_changes(db) == 0)
		rc = not_found(name);
done:
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_remote_repo_set_paused(vrp_db *db, const char *name, const char *reason)
{
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"UPDATE remotes SET paused_reason = ?2, paused_at = "
				"CASE WHEN ?2 IS NULL THEN NULL ELSE coalesce(paused_at, ?3) END, "
				"modified_at = ?3 WHERE name = ?1");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	vrp_db_bind_text_or_null(stmt, 2, reason);
	sqlite3_bind_text(stmt, 3, now, -1, SQLITE_STATIC);
	rc = vrp_db_step_done(db, stmt, "cannot pause or resume a remote");
	sqlite3_finalize(stmt);
	if (rc == 0 && vrp_db_changes(db) == 0)
		rc = not_found(name);
	return rc;
}

int vrp_remote_repo_get_change_cursor(vrp_db *db, const char *name, char **out)
{
	*out = NULL;
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, "SELECT change_cursor FROM remotes WHERE name = ?1");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	int step = sqlite3_step(stmt);
	if (step == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		rc = vrp_db_column_strdup(stmt, 0, out);
	else if (step == SQLITE_DONE)
		rc = not_found(name);
	else if (step != SQLITE_ROW)
		rc = vrp_db_fail(db, step, "cannot read a remote's change cursor");
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_remote_repo_set_change_cursor(vrp_db *db, const char *name, const char *cursor)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, "UPDATE remotes SET change_cursor = ?2 WHERE name = ?1");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	vrp_db_bind_text_or_null(stmt, 2, cursor);
	rc = vrp_db_step_done(db, stmt, "cannot keep a remote's change cursor");
	sqlite3_finalize(stmt);
	if (rc == 0 && vrp_db_changes(db) == 0)
		rc = not_found(name);
	return rc;
}
