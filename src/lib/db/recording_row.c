/* recording_row.c - turning recordings rows (and their tags) into records. */
#include "db/recording_row.h"

#include "core/error_set.h"
#include "core/ptrarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* original_filename is a BLOB: it is copied by length, never read as text, so
 * bytes that are not UTF-8 survive unchanged. */
static int column_blob_strdup(sqlite3_stmt *stmt, int col, char **out)
{
	*out = NULL;
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return 0;
	const void *bytes = sqlite3_column_blob(stmt, col);
	size_t len = (size_t)sqlite3_column_bytes(stmt, col);
	char *copy = malloc(len + 1);
	if (!copy)
		return vrp_error_oom();
	if (len)
		memcpy(copy, bytes, len);
	copy[len] = '\0';
	*out = copy;
	return 0;
}

static int read_strings(sqlite3_stmt *stmt, vrp_recording *r)
{
	struct {
		int col;
		char **field;
	} text[] = {
		{ 1, &r->uuid },
		{ 3, &r->stored_filename },
		{ 4, &r->local_path },
		{ 5, &r->title },
		{ 6, &r->description },
		{ 9, &r->mime_type },
		{ 10, &r->codec },
		{ 14, &r->checksum },
		{ 16, &r->deleted_at },
		{ 17, &r->retention_policy },
		{ 18, &r->ingest_source },
		{ 19, &r->created_by_app_version },
		{ 20, &r->created_at },
		{ 21, &r->modified_at },
		{ 23, &r->verified_at },
		{ 24, &r->recorded_at },
		{ 25, &r->recorded_at_source },
		{ 26, &r->offloaded_at },
	};
	int rc = column_blob_strdup(stmt, 2, &r->original_filename);
	for (size_t i = 0; rc == 0 && i < sizeof(text) / sizeof(*text); i++)
		rc = vrp_db_column_strdup(stmt, text[i].col, text[i].field);
	return rc;
}

int vrp_recording_from_row(sqlite3_stmt *stmt, vrp_recording **out)
{
	*out = NULL;
	vrp_recording *r = NULL;
	int rc = vrp_recording_new(&r);
	if (rc < 0)
		return rc;
	r->id = sqlite3_column_int64(stmt, 0);
	r->duration = sqlite3_column_double(stmt, 7);
	r->filesize_bytes = sqlite3_column_int64(stmt, 8);
	r->sample_rate = sqlite3_column_int(stmt, 11);
	r->channels = sqlite3_column_int(stmt, 12);
	r->bit_depth = sqlite3_column_int(stmt, 13);
	rc = read_strings(stmt, r);
	if (rc == 0)
		rc = vrp_recording_status_from_string((const char *)sqlite3_column_text(stmt, 15),
						      &r->status);
	if (rc == 0)
		rc = vrp_integrity_from_string((const char *)sqlite3_column_text(stmt, 22),
					       &r->integrity);
	if (rc < 0) {
		vrp_recording_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int vrp_recording_collect_rows(vrp_db *db, sqlite3_stmt *stmt, vrp_recording_list *list)
{
	size_t capacity = list->count;
	int rc;
	while ((rc = vrp_db_step(db, stmt, "cannot read recordings")) == 1) {
		int grow_rc = vrp_ptr_array_reserve(&list->items, &capacity, list->count + 1);
		if (grow_rc < 0)
			return grow_rc;
		rc = vrp_recording_from_row(stmt, &list->items[list->count]);
		if (rc < 0)
			return rc;
		list->count++;
	}
	return rc;
}

static int compare_by_id(const void *a, const void *b)
{
	int64_t x = (*(vrp_recording *const *)a)->id;
	int64_t y = (*(vrp_recording *const *)b)->id;
	return (x > y) - (x < y);
}

static vrp_recording *find_by_id(vrp_recording **sorted, size_t count, int64_t id)
{
	vrp_recording key = { .id = id };
	vrp_recording *keyp = &key;
	vrp_recording **hit = bsearch(&keyp, sorted, count, sizeof(*sorted), compare_by_id);
	return hit ? *hit : NULL;
}

static int append_tag(vrp_recording *r, sqlite3_stmt *stmt)
{
	char **tags = realloc(r->tags, (r->tag_count + 1) * sizeof(*tags));
	if (!tags)
		return vrp_error_oom();
	r->tags = tags;
	int rc = vrp_db_column_strdup(stmt, 1, &r->tags[r->tag_count]);
	if (rc == 0)
		r->tag_count++;
	return rc;
}

/* The ids go in as one JSON array so the statement text stays fixed whatever
 * the page size. */
static char *ids_json(vrp_recording **items, size_t count)
{
	size_t cap = 2 + count * 21;
	char *json = malloc(cap);
	if (!json)
		return NULL;
	size_t len = 0;
	json[len++] = '[';
	for (size_t i = 0; i < count; i++)
		len += (size_t)snprintf(json + len, cap - len, "%s%lld", i ? "," : "",
					(long long)items[i]->id);
	snprintf(json + len, cap - len, "]");
	return json;
}

int vrp_recording_load_tags(vrp_db *db, vrp_recording **items, size_t count)
{
	if (count == 0)
		return 0;
	sqlite3_stmt *stmt = NULL;
	char *json = ids_json(items, count);
	vrp_recording **sorted = malloc(count * sizeof(*sorted));
	int rc = json && sorted ? 0 : vrp_error_oom();
	if (rc < 0)
		goto done;
	memcpy(sorted, items, count * sizeof(*sorted));
	qsort(sorted, count, sizeof(*sorted), compare_by_id);
	rc = vrp_db_prepare_cached(db, &stmt,
				   "SELECT rt.recording_id, t.name FROM recording_tags rt "
				   "JOIN tags t ON t.id = rt.tag_id "
				   "WHERE rt.recording_id IN (SELECT value FROM json_each(?1)) "
				   "ORDER BY rt.recording_id, t.name COLLATE NOCASE, t.id");
	if (rc < 0)
		goto done;
	sqlite3_bind_text(stmt, 1, json, -1, SQLITE_STATIC);
	while ((rc = vrp_db_step(db, stmt, "cannot read the recordings' tags")) == 1) {
		vrp_recording *r = find_by_id(sorted, count, sqlite3_column_int64(stmt, 0));
		if (r && (rc = append_tag(r, stmt)) < 0)
			break;
	}
done:
	vrp_db_release(db, stmt);
	free(sorted);
	free(json);
	return rc;
}
