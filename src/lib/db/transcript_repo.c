/* transcript_repo.c - transcript segments in the search index, and automatic titles. */
#include "db/transcript_repo.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "db/db_internal.h"

#include <stdlib.h>
#include <string.h>

struct replace {
	int64_t recording_id;
	const struct vrp_transcript_row *rows;
	size_t count;
};

static int insert_row(vrp_db *db, sqlite3_stmt *stmt, int64_t rowid,
		      const struct vrp_transcript_row *row)
{
	sqlite3_reset(stmt);
	sqlite3_bind_int64(stmt, 1, rowid);
	sqlite3_bind_text(stmt, 2, row->text ? row->text : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, row->alternatives ? row->alternatives : "", -1, SQLITE_STATIC);
	sqlite3_bind_double(stmt, 4, row->start);
	sqlite3_bind_double(stmt, 5, row->end);
	sqlite3_bind_text(stmt, 6, row->timing ? row->timing : "", -1, SQLITE_STATIC);
	return vrp_db_step_done(db, stmt, "cannot index the transcript");
}

static int replace_rows(vrp_db *db, void *ctx)
{
	const struct replace *r = ctx;
	int64_t first = r->recording_id * VRP_TRANSCRIPT_ROWS_PER_RECORDING;
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"DELETE FROM transcript_fts WHERE rowid >= ?1 AND rowid < ?2");
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, first);
	sqlite3_bind_int64(stmt, 2, first + VRP_TRANSCRIPT_ROWS_PER_RECORDING);
	rc = vrp_db_step_done(db, stmt, "cannot clear the transcript index");
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (rc == 0 && r->count > 0)
		rc = vrp_db_prepare(
			db, &stmt,
			"INSERT INTO transcript_fts (rowid, text, alternatives, start, end, "
			"timing) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	for (size_t i = 0; rc == 0 && i < r->count; i++)
		rc = insert_row(db, stmt, first + (int64_t)i, &r->rows[i]);
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_transcript_repo_replace(vrp_db *db, int64_t recording_id,
				const struct vrp_transcript_row *rows, size_t count)
{
	if (count > VRP_TRANSCRIPT_ROWS_PER_RECORDING || recording_id <= 0)
		return vrp_error_set(VRP_EINVAL, "a transcript of %zu segments cannot be indexed",
				     count);
	struct replace r = { recording_id, rows, count };
	return vrp_db_transaction(db, replace_rows, &r);
}

void vrp_transcript_match_rows_free(struct vrp_transcript_match_row *rows, size_t count)
{
	for (size_t i = 0; rows && i < count; i++) {
		free(rows[i].snippet);
		free(rows[i].timing);
	}
	free(rows);
}

/* The 1-best words weigh four times the lattice's alternatives. Ranking
 * happens first, on the index alone; only the page gets highlighted. */
/*
 * Only the newest window of matching utterances (?9, by rowid: by recording,
 * then time) is ranked, as recordings have their rank window: bm25 of every
 * utterance that holds a common word would cost a third of a second in
 * 10,000 hours. FTS5 walks the doclist backwards and stops at the LIMIT.
 */
#define SEARCH_SQL                                                                                 \
	"WITH windowed AS MATERIALIZED (SELECT rowid AS id, "                                      \
	"bm25(transcript_fts, 4.0, 1.0) AS score FROM transcript_fts "                             \
	"WHERE transcript_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?9), "                            \
	"ranked AS MATERIALIZED (SELECT w.id, w.score FROM windowed w "                            \
	"JOIN recordings r ON r.id = w.id / 1048576 "                                              \
	"WHERE (?3 OR r.status <> 'deleted') "                                                     \
	"AND (?6 IS NULL OR (CASE WHEN ?8 THEN r.recorded_at ELSE r.created_at END) >= ?6) "       \
	"AND (?7 IS NULL OR (CASE WHEN ?8 THEN r.recorded_at ELSE r.created_at END) < ?7) "        \
	"ORDER BY w.score LIMIT ?2) "                                                              \
	"SELECT transcript_fts.rowid, ranked.score, start, end, "                                  \
	"highlight(transcript_fts, 0, ?4, ?5), timing FROM transcript_fts "                        \
	"JOIN ranked ON transcript_fts.rowid = ranked.id WHERE transcript_fts MATCH ?1 "           \
	"ORDER BY ranked.score, ranked.id"

static int append_match(struct vrp_transcript_match_row **rows, size_t *count, size_t *cap,
			sqlite3_stmt *stmt)
{
	if (*count == *cap) {
		size_t n = *cap ? *cap * 2 : 16;
		void *bigger = realloc(*rows, n * sizeof(**rows));
		if (!bigger)
			return vrp_error_oom();
		*rows = bigger;
		*cap = n;
	}
	struct vrp_transcript_match_row *m = &(*rows)[*count];
	memset(m, 0, sizeof(*m));
	(*count)++;
	m->recording_id = sqlite3_column_int64(stmt, 0) / VRP_TRANSCRIPT_ROWS_PER_RECORDING;
	m->rank = sqlite3_column_double(stmt, 1);
	m->start = sqlite3_column_double(stmt, 2);
	m->end = sqlite3_column_double(stmt, 3);
	int rc = vrp_db_column_strdup(stmt, 4, &m->snippet);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, 5, &m->timing);
	return rc;
}

int vrp_transcript_repo_search(vrp_db *db, const char *match, const vrp_search_options *o,
			       int limit, const char *open, const char *close,
			       struct vrp_transcript_match_row **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	size_t cap = 0;
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, SEARCH_SQL);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, limit);
	sqlite3_bind_int(stmt, 3, o->include_deleted ? 1 : 0);
	vrp_db_bind_text_or_null(stmt, 6, o->since);
	vrp_db_bind_text_or_null(stmt, 7, o->until);
	sqlite3_bind_int(stmt, 8, o->by_recorded ? 1 : 0);
	int window = o->rank_window > 0 ? o->rank_window : VRP_SEARCH_RANK_WINDOW;
	sqlite3_bind_int64(stmt, 9, (int64_t)window * VRP_TRANSCRIPT_RANK_WINDOW_FACTOR);
	sqlite3_bind_text(stmt, 4, open, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, close, -1, SQLITE_STATIC);
	while ((rc = vrp_db_step(db, stmt, "cannot search the transcripts")) == 1)
		if ((rc = append_match(out, count, &cap, stmt)) < 0)
			break;
	sqlite3_finalize(stmt);
	if (rc < 0) {
		vrp_transcript_match_rows_free(*out, *count);
		*out = NULL;
		*count = 0;
	}
	return rc;
}

struct auto_title {
	int64_t recording_id;
	const char *expected, *title;
	bool applied;
};

static int apply_title(vrp_db *db, void *ctx)
{
	struct auto_title *a = ctx;
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(
		db, &stmt,
		"INSERT INTO auto_titles (recording_id, title, created_at) "
		"SELECT id, ?2, ?4 FROM recordings WHERE id = ?1 AND title = ?3 "
		"AND NOT EXISTS (SELECT 1 FROM auto_titles WHERE recording_id = ?1)");
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, a->recording_id);
	sqlite3_bind_text(stmt, 2, a->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, a->expected, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, now, -1, SQLITE_STATIC);
	rc = vrp_db_step_done(db, stmt, "cannot record the automatic title");
	sqlite3_finalize(stmt);
	a->applied = rc == 0 && vrp_db_changes(db) == 1;
	if (rc != 0 || !a->applied)
		return rc;
	rc = vrp_db_prepare(db, &stmt,
			    "UPDATE recordings SET title = ?1, modified_at = ?2 WHERE id = ?3");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, a->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, a->recording_id);
	rc = vrp_db_step_done(db, stmt, "cannot set the automatic title");
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_transcript_repo_apply_auto_title(vrp_db *db, int64_t recording_id, const char *expected,
					 const char *title, bool *applied)
{
	struct auto_title a = { recording_id, expected, title, false };
	int rc = vrp_db_transaction(db, apply_title, &a);
	*applied = rc == 0 && a.applied;
	return rc;
}

int vrp_transcript_repo_title_is_auto(vrp_db *db, int64_t recording_id, bool *is_auto)
{
	sqlite3_stmt *stmt = NULL;
	*is_auto = false;
	int rc = vrp_db_prepare(
		db, &stmt,
		"SELECT 1 FROM auto_titles a JOIN recordings r ON r.id = a.recording_id "
		"WHERE a.recording_id = ?1 AND r.title = a.title");
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, recording_id);
	rc = vrp_db_step(db, stmt, "cannot read the automatic title");
	*is_auto = rc == 1;
	sqlite3_finalize(stmt);
	return rc < 0 ? rc : 0;
}
