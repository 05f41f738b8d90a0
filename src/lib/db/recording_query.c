/* recording_query.c - listing and counting recordings: filters, sorts, keyset pages. */
#include "db/recording_repo.h"

#include "core/ascii.h"
#include "core/error_set.h"
#include "db/recording_row.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A statement assembled from fixed fragments; every value goes in through a
 * placeholder, in the order the fragments were added.
 */
enum bind_type { BIND_TEXT, BIND_INT, BIND_DOUBLE };

struct bind {
	enum bind_type type;
	const char *text;
	int64_t integer;
	double real;
};

struct query {
	char sql[4096];
	size_t len;
	bool overflow;
	struct bind binds[32];
	int count;
	char *tag; /* the trimmed tag name, owned */
};

static void add_sql(struct query *q, const char *fragment)
{
	size_t n = strlen(fragment);
	if (q->overflow || q->len + n >= sizeof(q->sql)) {
		q->overflow = true;
		return;
	}
	memcpy(q->sql + q->len, fragment, n + 1);
	q->len += n;
}

static struct bind *next_bind(struct query *q)
{
	if (q->count == (int)(sizeof(q->binds) / sizeof(*q->binds))) {
		q->overflow = true;
		return NULL;
	}
	return &q->binds[q->count++];
}

static void add_text(struct query *q, const char *fragment, const char *value)
{
	add_sql(q, fragment);
	struct bind *b = next_bind(q);
	if (b)
		*b = (struct bind){ .type = BIND_TEXT, .text = value };
}

static void add_int(struct query *q, const char *fragment, int64_t value)
{
	add_sql(q, fragment);
	struct bind *b = next_bind(q);
	if (b)
		*b = (struct bind){ .type = BIND_INT, .integer = value };
}

static void add_double(struct query *q, const char *fragment, double value)
{
	add_sql(q, fragment);
	struct bind *b = next_bind(q);
	if (b)
		*b = (struct bind){ .type = BIND_DOUBLE, .real = value };
}

static int prepare_query(vrp_db *db, struct query *q, sqlite3_stmt **stmt)
{
	if (q->overflow)
		return vrp_error_set(VRP_ERROR, "recording query too long");
	int rc = vrp_db_prepare_cached(db, stmt, q->sql);
	for (int i = 0; rc == 0 && i < q->count; i++) {
		const struct bind *b = &q->binds[i];
		if (b->type == BIND_TEXT)
			sqlite3_bind_text(*stmt, i + 1, b->text, -1, SQLITE_STATIC);
		else if (b->type == BIND_INT)
			sqlite3_bind_int64(*stmt, i + 1, b->integer);
		else
			sqlite3_bind_double(*stmt, i + 1, b->real);
	}
	return rc;
}

/* "IN (?, ?...)" over the names whose bit is set in `mask`. */
static void add_name_set(struct query *q, const char *column, unsigned mask,
			 const char *(*name)(unsigned))
{
	add_sql(q, column);
	add_sql(q, " IN (");
	const char *sep = "?";
	for (unsigned i = 0; i < 32; i++) {
		if (mask & (1u << i)) {
			add_text(q, sep, name(i));
			sep = ", ?";
		}
	}
	add_sql(q, ")");
}

static const char *status_name(unsigned i)
{
	return vrp_recording_status_to_string((enum vrp_recording_status)i);
}

static const char *integrity_name(unsigned i)
{
	return vrp_integrity_to_string((enum vrp_integrity)i);
}

static const char *const sync_statuses[] = {
	"unsynced", "queued", "syncing", "synced", "failed", "quota_exceeded", "conflict",
};

static int check_filter(const vrp_recording_filter *f)
{
	if (f->statuses & ~0x7u)
		return vrp_error_set(VRP_EINVAL, "unknown recording status in the filter");
	if (f->integrities & ~0xfu)
		return vrp_error_set(VRP_EINVAL, "unknown integrity state in the filter");
	if ((unsigned)f->sort > VRP_SORT_RECORDED)
		return vrp_error_set(VRP_EINVAL, "unknown sort order %d", (int)f->sort);
	if (f->limit < 0)
		return vrp_error_set(VRP_EINVAL, "a listing limit cannot be negative");
	if (f->sync_status && !f->remote)
		return vrp_error_set(VRP_EINVAL, "a sync status filter needs a remote");
	if (!f->sync_status)
		return 0;
	for (size_t i = 0; i < sizeof(sync_statuses) / sizeof(*sync_statuses); i++)
		if (strcmp(f->sync_status, sync_statuses[i]) == 0)
			return 0;
	return vrp_error_set(VRP_EINVAL, "unknown sync status '%s'", f->sync_status);
}

static int trim_copy(const char *text, char **out)
{
	size_t len;
	text = vrp_ascii_trim(text, &len);
	*out = strndup(text, len);
	return *out ? 0 : vrp_error_oom();
}

#define RR_MATCH "SELECT 1 FROM recording_remote rr WHERE rr.recording_id = r.id AND rr.remote = ?"

static void add_sync_condition(struct query *q, const vrp_recording_filter *f)
{
	if (!f->sync_status) {
		add_text(q, " AND EXISTS (" RR_MATCH ")", f->remote);
		return;
	}
	add_text(q, " AND (EXISTS (" RR_MATCH, f->remote);
	add_text(q, " AND rr.sync_status = ?)", f->sync_status);
	/* A recording never offered to the remote has no row there, yet it is
	 * exactly as unsynced as one whose row says so. */
	if (strcmp(f->sync_status, "unsynced") == 0)
		add_text(q, " OR NOT EXISTS (" RR_MATCH ")", f->remote);
	add_sql(q, ")");
}

static int add_conditions(struct query *q, const vrp_recording_filter *f)
{
	unsigned statuses = f->statuses ? f->statuses
					: VRP_STATUS_BIT(VRP_RECORDING_ACTIVE) |
						  VRP_STATUS_BIT(VRP_RECORDING_ARCHIVED);
	add_name_set(q, " WHERE r.status", statuses, status_name);
	if (f->integrities)
		add_name_set(q, " AND r.integrity", f->integrities, integrity_name);
	if (f->tag) {
		int rc = trim_copy(f->tag, &q->tag);
		if (rc < 0)
			return rc;
		add_text(
			q,
			" AND EXISTS (SELECT 1 FROM recording_tags rt WHERE rt.recording_id = r.id "
			"AND rt.tag_id IN (SELECT id FROM tags WHERE vrp_fold(name) = "
			"vrp_fold(?)))",
			q->tag);
	}
	if (f->created_since)
		add_text(q, " AND r.created_at >= ?", f->created_since);
	if (f->created_until)
		add_text(q, " AND r.created_at < ?", f->created_until);
	if (f->recorded_since)
		add_text(q, " AND r.recorded_at >= ?", f->recorded_since);
	if (f->recorded_until)
		add_text(q, " AND r.recorded_at < ?", f->recorded_until);
	if (f->min_duration > 0)
		add_double(q, " AND r.duration >= ?", f->min_duration);
	if (f->max_duration > 0)
		add_double(q, " AND r.duration <= ?", f->max_duration);
	if (f->mime_type)
		add_text(q, " AND r.mime_type = ?", f->mime_type);
	if (f->remote)
		add_sync_condition(q, f);
	return 0;
}

static const char *const sort_columns[] = { "created_at", "title", "duration", "filesize_bytes",
					    "recorded_at" };

/* Titles sort as people read them, not by byte value; ties fall back to id,
 * which makes every sort total and so keyset paging exact. */
static void add_keyset_and_order(struct query *q, const vrp_recording_filter *f, int64_t limit)
{
	const char *col = sort_columns[f->sort];
	const char *collate = f->sort == VRP_SORT_TITLE ? " COLLATE NOCASE" : "";
	const char *dir = f->descending ? "DESC" : "ASC";
	char buf[256];
	if (f->cursor) {
		snprintf(buf, sizeof(buf),
			 " AND (r.%s%s, r.id) %s (SELECT c.%s, c.id FROM recordings c "
			 "WHERE c.id = ?)",
			 col, collate, f->descending ? "<" : ">", col);
		add_int(q, buf, f->cursor);
	}
	snprintf(buf, sizeof(buf), " ORDER BY r.%s%s %s, r.id %s", col, collate, dir, dir);
	add_sql(q, buf);
	add_int(q, " LIMIT ?", limit);
}

static int check_cursor(vrp_db *db, int64_t cursor)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare_cached(db, &stmt, "SELECT 1 FROM recordings WHERE id = ?1");
	if (rc == 0) {
		sqlite3_bind_int64(stmt, 1, cursor);
		rc = vrp_db_step(db, stmt, "cannot read the listing cursor");
	}
	vrp_db_release(db, stmt);
	if (rc == 0)
		return vrp_error_set(VRP_ENOTFOUND,
				     "the listing cursor names recording %lld, which no longer "
				     "exists: start the listing again",
				     (long long)cursor);
	return rc < 0 ? rc : 0;
}

static int page_limit(const vrp_recording_filter *f)
{
	if (f->limit == 0)
		return VRP_LIST_DEFAULT_LIMIT;
	return f->limit > VRP_LIST_MAX_LIMIT ? VRP_LIST_MAX_LIMIT : f->limit;
}

/* Reads one row past the page, so the last page is known to be last. */
static int run_list(vrp_db *db, const vrp_recording_filter *f, vrp_recording_list *list)
{
	struct query q = { .len = 0 };
	sqlite3_stmt *stmt = NULL;
	int limit = page_limit(f);
	add_sql(&q, "SELECT " VRP_RECORDING_COLUMNS " FROM recordings r");
	int rc = add_conditions(&q, f);
	if (rc == 0) {
		add_keyset_and_order(&q, f, (int64_t)limit + 1);
		rc = prepare_query(db, &q, &stmt);
	}
	if (rc == 0)
		rc = vrp_recording_collect_rows(db, stmt, list);
	if (rc == 0 && list->count > (size_t)limit) {
		vrp_recording_free(list->items[limit]);
		list->count = (size_t)limit;
		list->next_cursor = list->items[limit - 1]->id;
	}
	if (rc == 0)
		rc = vrp_recording_load_tags(db, list->items, list->count);
	vrp_db_release(db, stmt);
	free(q.tag);
	return rc;
}

int vrp_recording_repo_list(vrp_db *db, const vrp_recording_filter *filter,
			    vrp_recording_list **out)
{
	static const vrp_recording_filter defaults;
	const vrp_recording_filter *f = filter ? filter : &defaults;
	*out = NULL;
	int rc = check_filter(f);
	if (rc == 0 && f->cursor)
		rc = check_cursor(db, f->cursor);
	if (rc < 0)
		return rc;
	vrp_recording_list *list = calloc(1, sizeof(*list));
	if (!list)
		return vrp_error_oom();
	rc = run_list(db, f, list);
	if (rc < 0) {
		vrp_recording_list_free(list);
		return rc;
	}
	*out = list;
	return 0;
}

int vrp_recording_repo_count(vrp_db *db, const vrp_recording_filter *filter, int64_t *out)
{
	static const vrp_recording_filter defaults;
	const vrp_recording_filter *f = filter ? filter : &defaults;
	*out = 0;
	struct query q = { .len = 0 };
	sqlite3_stmt *stmt = NULL;
	int rc = check_filter(f);
	if (rc == 0) {
		add_sql(&q, "SELECT count(*) FROM recordings r");
		rc = add_conditions(&q, f);
	}
	if (rc == 0)
		rc = prepare_query(db, &q, &stmt);
	if (rc == 0)
		rc = vrp_db_step(db, stmt, "cannot count recordings");
	if (rc == 1) {
		*out = sqlite3_column_int64(stmt, 0);
		rc = 0;
	}
	vrp_db_release(db, stmt);
	free(q.tag);
	return rc;
}

int vrp_recording_repo_list_deleted_before(vrp_db *db, const char *before, vrp_recording_list **out)
{
	*out = NULL;
	if (!before)
		return vrp_error_set(VRP_EINVAL, "no cut-off time given for the purge");
	vrp_recording_list *list = calloc(1, sizeof(*list));
	sqlite3_stmt *stmt = NULL;
	int rc = list ? 0 : vrp_error_oom();
	if (rc == 0)
		rc = vrp_db_prepare(db, &stmt,
				    "SELECT " VRP_RECORDING_COLUMNS " FROM recordings r "
				    "WHERE r.status = 'deleted' AND r.deleted_at < ?1 "
				    "ORDER BY r.deleted_at, r.id");
	if (rc == 0) {
		sqlite3_bind_text(stmt, 1, before, -1, SQLITE_STATIC);
		rc = vrp_recording_collect_rows(db, stmt, list);
	}
	if (rc == 0)
		rc = vrp_recording_load_tags(db, list->items, list->count);
	sqlite3_finalize(stmt);
	if (rc < 0)
		vrp_recording_list_free(list);
	else
		*out = list;
	return rc;
}

static int append_id(int64_t **ids, size_t *count, size_t *capacity, int64_t id)
{
	if (*count == *capacity) {
		size_t grown = *capacity ? *capacity * 2 : 64;
		int64_t *bigger = realloc(*ids, grown * sizeof(*bigger));
		if (!bigger)
			return vrp_error_oom();
		*ids = bigger;
		*capacity = grown;
	}
	(*ids)[(*count)++] = id;
	return 0;
}

int vrp_recording_repo_list_ids_by_integrity(vrp_db *db, enum vrp_integrity integrity,
					     int64_t **ids, size_t *count)
{
	*ids = NULL;
	*count = 0;
	const char *name = vrp_integrity_to_string(integrity);
	if (!name)
		return vrp_error_set(VRP_EINVAL, "unknown integrity state %d", (int)integrity);
	sqlite3_stmt *stmt = NULL;
	size_t capacity = 0;
	int rc = vrp_db_prepare(db, &stmt,
				"SELECT id FROM recordings WHERE integrity = ?1 ORDER BY id");
	if (rc == 0) {
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
		while ((rc = vrp_db_step(db, stmt, "cannot list recordings by integrity")) == 1)
			if ((rc = append_id(ids, count, &capacity, sqlite3_column_int64(stmt, 0))) <
			    0)
				break;
	}
	sqlite3_finalize(stmt);
	if (rc < 0) {
		free(*ids);
		*ids = NULL;
		*count = 0;
	}
	return rc;
}
