/* derived_asset_repo.c - the SQL of derived_assets, and the asset record type. */
#include "db/derived_asset_repo.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "core/ptrarray.h"
#include "db/db_internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
	[VRP_DERIVED_WAVEFORM] = "waveform",
	[VRP_DERIVED_SPECTROGRAM] = "spectrogram",
	[VRP_DERIVED_TRANSCRIPT] = "transcript",
	[VRP_DERIVED_COMPRESSED] = "compressed",
};
#define KIND_COUNT (sizeof(kind_names) / sizeof(*kind_names))

const char *vrp_derived_kind_to_string(enum vrp_derived_kind kind)
{
	if ((unsigned)kind >= KIND_COUNT)
		return NULL;
	return kind_names[kind];
}

int vrp_derived_kind_from_string(const char *text, enum vrp_derived_kind *out)
{
	for (size_t i = 0; text && i < KIND_COUNT; i++) {
		if (strcmp(text, kind_names[i]) == 0) {
			*out = (enum vrp_derived_kind)i;
			return 0;
		}
	}
	return vrp_error_set(VRP_EINVAL, "unknown derived asset kind '%s'", text ? text : "(null)");
}

void vrp_derived_asset_free(vrp_derived_asset *asset)
{
	if (!asset)
		return;
	free(asset->path);
	free(asset->mime_type);
	free(asset->generator);
	free(asset->generator_version);
	free(asset->source_checksum);
	free(asset->created_at);
	free(asset->sha256);
	free(asset);
}

void vrp_derived_asset_list_free(vrp_derived_asset_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		vrp_derived_asset_free(list->items[i]);
	free(list->items);
	free(list);
}

void vrp_derived_asset_repo_paths_free(char **paths)
{
	if (!paths)
		return;
	for (char **p = paths; *p; p++)
		free(*p);
	free(paths);
}

#define ASSET_COLUMNS                                                                              \
	"id, recording_id, kind, path, mime_type, size_bytes, generator, generator_version, "      \
	"source_checksum, created_at, sha256"

/* Lists come out in the enum's order, whatever order the kinds were made in. */
#define KIND_ORDER                                                                                 \
	"CASE kind WHEN 'waveform' THEN 0 WHEN 'spectrogram' THEN 1 WHEN 'transcript' THEN 2 "     \
	"ELSE 3 END"

static int read_asset(sqlite3_stmt *stmt, vrp_derived_asset **out)
{
	*out = NULL;
	vrp_derived_asset *a = calloc(1, sizeof(*a));
	if (!a)
		return vrp_error_oom();
	a->id = sqlite3_column_int64(stmt, 0);
	a->recording_id = sqlite3_column_int64(stmt, 1);
	a->size_bytes = sqlite3_column_int64(stmt, 5);
	int rc = vrp_derived_kind_from_string((const char *)sqlite3_column_text(stmt, 2), &a->kind);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, 3, &a->path);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, 4, &a->mime_type);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, 6, &a->generator);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, 7, &a->generator_version);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, 8, &a->source_checksum);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, 9, &a->created_at);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, 10, &a->sha256);
	if (rc) {
		vrp_derived_asset_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

/* Steps `stmt` to the end, collecting every row into a new list. */
static int collect_assets(vrp_db *db, sqlite3_stmt *stmt, vrp_derived_asset_list **out)
{
	vrp_derived_asset_list *list = calloc(1, sizeof(*list));
	if (!list)
		return vrp_error_oom();
	size_t capacity = 0;
	int rc = 0;
	while (rc == 0 && (rc = vrp_db_step(db, stmt, "listing derived assets")) == 1) {
		rc = vrp_ptr_array_reserve(&list->items, &capacity, list->count + 1);
		if (rc == 0)
			rc = read_asset(stmt, &list->items[list->count]);
		if (rc == 0)
			list->count++;
	}
	if (rc < 0) {
		vrp_derived_asset_list_free(list);
		return rc;
	}
	*out = list;
	return 0;
}

static bool is_hex64(const char *text)
{
	if (!text || strlen(text) != 64)
		return false;
	return strspn(text, "0123456789abcdefABCDEF") == 64;
}

static int check_spec(const struct vrp_derived_asset_spec *spec)
{
	if (!spec)
		return vrp_error_set(VRP_EINVAL, "no derived asset given");
	if (!vrp_derived_kind_to_string(spec->kind))
		return vrp_error_set(VRP_EINVAL, "unknown derived asset kind %d", (int)spec->kind);
	if (spec->recording_id <= 0)
		return vrp_error_set(VRP_EINVAL, "invalid recording id %lld",
				     (long long)spec->recording_id);
	if (!spec->path || !*spec->path)
		return vrp_error_set(VRP_EINVAL, "a derived asset needs a path");
	if (spec->size_bytes < 0)
		return vrp_error_set(VRP_EINVAL, "negative derived asset size");
	if (!spec->generator || !*spec->generator || !spec->generator_version ||
	    !*spec->generator_version)
		return vrp_error_set(VRP_EINVAL,
				     "a derived asset needs a generator and its version");
	if (!is_hex64(spec->source_checksum))
		return vrp_error_set(VRP_EINVAL, "source checksum must be 64 hex digits");
	if (spec->sha256 && !is_hex64(spec->sha256))
		return vrp_error_set(VRP_EINVAL, "an asset's sha256 must be 64 hex digits");
	return 0;
}

/* The UNIQUE(recording_id, kind) conflict keeps the row's id and overwrites the rest. */
static const char upsert_sql[] =
	"INSERT INTO derived_assets (recording_id, kind, path, mime_type, size_bytes, generator, "
	"generator_version, source_checksum, created_at, sha256) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	"ON CONFLICT (recording_id, kind) DO UPDATE SET path = excluded.path, "
	"mime_type = excluded.mime_type, size_bytes = excluded.size_bytes, "
	"generator = excluded.generator, generator_version = excluded.generator_version, "
	"source_checksum = excluded.source_checksum, created_at = excluded.created_at, "
	"sha256 = excluded.sha256 "
	"RETURNING " ASSET_COLUMNS;

int vrp_derived_asset_repo_upsert(vrp_db *db, const struct vrp_derived_asset_spec *spec,
				  vrp_derived_asset **out)
{
	int rc = check_spec(spec);
	if (rc)
		return rc;
	sqlite3_stmt *stmt = NULL;
	vrp_derived_asset *asset = NULL;
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	rc = vrp_db_prepare(db, &stmt, upsert_sql);
	if (rc)
		goto done;
	sqlite3_bind_int64(stmt, 1, spec->recording_id);
	sqlite3_bind_text(stmt, 2, vrp_derived_kind_to_string(spec->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, spec->path, -1, SQLITE_STATIC);
	vrp_db_bind_text_or_null(stmt, 4, spec->mime_type);
	sqlite3_bind_int64(stmt, 5, spec->size_bytes);
	sqlite3_bind_text(stmt, 6, spec->generator, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, spec->generator_version, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 8, spec->source_checksum, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 9, now, -1, SQLITE_STATIC);
	vrp_db_bind_text_or_null(stmt, 10, spec->sha256);
	rc = vrp_db_step(db, stmt, "recording a derived asset");
	if (rc < 0 && sqlite3_extended_errcode(vrp_db_handle(db)) == SQLITE_CONSTRAINT_FOREIGNKEY) {
		rc = vrp_error_set(VRP_ENOTFOUND, "recording %lld not found",
				   (long long)spec->recording_id);
		goto done;
	}
	if (rc < 0)
		goto done;
	if (rc == 0) {
		rc = vrp_error_set(VRP_ERROR, "recording a derived asset returned no row");
		goto done;
	}
	rc = read_asset(stmt, &asset);
	if (rc == 0)
		rc = vrp_db_step_done(db, stmt, "recording a derived asset");
done:
	sqlite3_finalize(stmt);
	if (rc == 0 && out)
		*out = asset;
	else
		vrp_derived_asset_free(asset);
	return rc;
}

int vrp_derived_asset_repo_get(vrp_db *db, int64_t recording_id, enum vrp_derived_kind kind,
			       vrp_derived_asset **out)
{
	const char *kind_name = vrp_derived_kind_to_string(kind);
	if (!kind_name)
		return vrp_error_set(VRP_EINVAL, "unknown derived asset kind %d", (int)kind);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"SELECT " ASSET_COLUMNS " FROM derived_assets "
				"WHERE recording_id = ? AND kind = ?");
	if (rc)
		goto done;
	sqlite3_bind_int64(stmt, 1, recording_id);
	sqlite3_bind_text(stmt, 2, kind_name, -1, SQLITE_STATIC);
	rc = vrp_db_step(db, stmt, "reading a derived asset");
	if (rc == 0)
		rc = vrp_error_set(VRP_ENOTFOUND, "no %s asset for recording %lld", kind_name,
				   (long long)recording_id);
	if (rc == 1)
		rc = read_asset(stmt, out);
done:
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_derived_asset_repo_list_for_recording(vrp_db *db, int64_t recording_id,
					      vrp_derived_asset_list **out)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"SELECT " ASSET_COLUMNS " FROM derived_assets "
				"WHERE recording_id = ? ORDER BY " KIND_ORDER);
	if (rc == 0) {
		sqlite3_bind_int64(stmt, 1, recording_id);
		rc = collect_assets(db, stmt, out);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_derived_asset_repo_delete(vrp_db *db, int64_t recording_id, enum vrp_derived_kind kind)
{
	const char *kind_name = vrp_derived_kind_to_string(kind);
	if (!kind_name)
		return vrp_error_set(VRP_EINVAL, "unknown derived asset kind %d", (int)kind);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"DELETE FROM derived_assets WHERE recording_id = ? AND kind = ?");
	if (rc)
		goto done;
	sqlite3_bind_int64(stmt, 1, recording_id);
	sqlite3_bind_text(stmt, 2, kind_name, -1, SQLITE_STATIC);
	rc = vrp_db_step_done(db, stmt, "deleting a derived asset");
	if (rc == 0 && vrp_db_changes(db) == 0)
		rc = vrp_error_set(VRP_ENOTFOUND, "no %s asset for recording %lld", kind_name,
				   (long long)recording_id);
done:
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_derived_asset_repo_delete_for_recording(vrp_db *db, int64_t recording_id, int64_t *deleted)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, "DELETE FROM derived_assets WHERE recording_id = ?");
	if (rc == 0) {
		sqlite3_bind_int64(stmt, 1, recording_id);
		rc = vrp_db_step_done(db, stmt, "deleting a recording's derived assets");
	}
	if (rc == 0 && deleted)
		*deleted = vrp_db_changes(db);
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_derived_asset_repo_list_stale(vrp_db *db, const char *generator,
				      const char *current_version, int64_t after_id, int limit,
				      vrp_derived_asset_list **out)
{
	if (!generator || !*generator || !current_version || !*current_version)
		return vrp_error_set(VRP_EINVAL, "stale assets need a generator and its version");
	if (limit < 0 || after_id < 0)
		return vrp_error_set(VRP_EINVAL, "negative limit or cursor");
	sqlite3_stmt *stmt = NULL;
	/* LIMIT -1 is SQLite's "no limit". */
	int rc = vrp_db_prepare(
		db, &stmt,
		"SELECT a.id, a.recording_id, a.kind, a.path, a.mime_type, a.size_bytes, "
		"a.generator, a.generator_version, a.source_checksum, a.created_at "
		"FROM derived_assets a JOIN recordings r ON r.id = a.recording_id "
		"WHERE a.generator = ?1 AND a.id > ?3 "
		"AND (a.source_checksum <> r.checksum OR a.generator_version <> ?2) "
		"ORDER BY a.id LIMIT ?4");
	if (rc == 0) {
		sqlite3_bind_text(stmt, 1, generator, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, current_version, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 3, after_id);
		sqlite3_bind_int(stmt, 4, limit ? limit : -1);
		rc = collect_assets(db, stmt, out);
	}
	sqlite3_finalize(stmt);
	return rc;
}

/* Appends a copy of the path in column 0 to the NULL-terminated `*paths` holding `count`. */
static int append_path(sqlite3_stmt *stmt, char ***paths, size_t count)
{
	char **grown = realloc(*paths, (count + 2) * sizeof(*grown));
	if (!grown)
		return vrp_error_oom();
	*paths = grown;
	grown[count + 1] = NULL;
	return vrp_db_column_strdup(stmt, 0, &grown[count]);
}

int vrp_derived_asset_repo_list_paths_for_recording(vrp_db *db, int64_t recording_id, char ***paths,
						    size_t *count)
{
	char **out = calloc(1, sizeof(*out));
	if (!out)
		return vrp_error_oom();
	size_t n = 0;
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"SELECT path FROM derived_assets WHERE recording_id = ? "
				"ORDER BY " KIND_ORDER);
	if (rc)
		goto done;
	sqlite3_bind_int64(stmt, 1, recording_id);
	while ((rc = vrp_db_step(db, stmt, "listing derived asset paths")) == 1) {
		rc = append_path(stmt, &out, n);
		if (rc)
			break;
		n++;
	}
done:
	sqlite3_finalize(stmt);
	if (rc) {
		vrp_derived_asset_repo_paths_free(out);
		return rc;
	}
	if (count)
		*count = n;
	*paths = out;
	return 0;
}

int vrp_derived_asset_repo_path_exists(vrp_db *db, const char *path, bool *out)
{
	*out = false;
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"SELECT EXISTS (SELECT 1 FROM derived_assets WHERE path = ?1)");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, path, -1, SQLITE_TRANSIENT);
	rc = vrp_db_step(db, stmt, "cannot look up a derived asset");
	if (rc == 1) {
		*out = sqlite3_column_int(stmt, 0) != 0;
		rc = 0;
	}
	sqlite3_finalize(stmt);
	return rc;
}
