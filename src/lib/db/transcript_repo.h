/*
 * transcript_repo.h - the SQL of transcript search and automatic titles (internal).
 *
 * Rows only: the service reads the transcript asset and hands its segments
 * here. A recording's segments are one rowid range of transcript_fts
 * (recording_id * VRP_TRANSCRIPT_ROWS_PER_RECORDING + index).
 */
#ifndef VRP_DB_TRANSCRIPT_REPO_H
#define VRP_DB_TRANSCRIPT_REPO_H

#include "vrp/db.h"
#include "vrp/search.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VRP_TRANSCRIPT_ROWS_PER_RECORDING 1048576

/* One segment as indexed; strings are borrowed for the call. */
struct vrp_transcript_row {
	double start, end;
	const char *text;         /* the 1-best words, space-separated */
	const char *alternatives; /* lattice words above the threshold, space-separated */
	const char *timing;       /* "word start end" lines, 1-best first */
};

/*
 * Replaces the indexed segments of a recording with `rows` (none: the
 * recording has no speech) in one transaction. VRP_EINVAL when there are
 * more than VRP_TRANSCRIPT_ROWS_PER_RECORDING.
 */
int vrp_transcript_repo_replace(vrp_db *db, int64_t recording_id,
				const struct vrp_transcript_row *rows, size_t count);

/* A segment that matched a search. */
struct vrp_transcript_match_row {
	int64_t recording_id;
	double rank; /* bm25, lower is better */
	double start, end;
	char *snippet; /* the segment's text with the matched words marked */
	char *timing;
};

/* Utterances ranked per search: this many times the recordings' rank window. */
#define VRP_TRANSCRIPT_RANK_WINDOW_FACTOR 4

/*
 * The best-ranked matching segments of `match` (an FTS5 expression),
 * at most `limit`, best first, among the newest VRP_TRANSCRIPT_RANK_WINDOW_FACTOR
 * x `o->rank_window` matching segments, skipping deleted recordings unless
 * `o->include_deleted`, dated within `o->since`..`o->until` (recorded_at
 * with `o->by_recorded`, else created_at). `*out` and its strings belong
 * to the caller: free with vrp_transcript_match_rows_free().
 */
int vrp_transcript_repo_search(vrp_db *db, const char *match, const vrp_search_options *o,
			       int limit, const char *open, const char *close,
			       struct vrp_transcript_match_row **out, size_t *count);

void vrp_transcript_match_rows_free(struct vrp_transcript_match_row *rows, size_t count);

/*
 * Gives the recording `title` as its automatic title when its title is
 * still `expected` (the one it was imported with) and it never had an
 * automatic title; `*applied` says whether it did. One transaction.
 */
int vrp_transcript_repo_apply_auto_title(vrp_db *db, int64_t recording_id, const char *expected,
					 const char *title, bool *applied);

/* Whether the recording's title is the automatic one vrp gave it. */
int vrp_transcript_repo_title_is_auto(vrp_db *db, int64_t recording_id, bool *is_auto);

/*
 * Adds the transcript hits of `match` (the query's words as an FTS5
 * expression, whole words) to `results`: a recording already there gets
 * its matches (and the better rank), others become hits whose snippet the
 * caller fills. `query` is the user's text, to find when a word was said.
 */
int vrp_search_add_transcript_hits(vrp_db *db, const char *query, const char *match,
				   const vrp_search_options *o, int wanted, size_t *capacity,
				   vrp_search_results *results);

#endif
