/* recording_search.c - full-text search of recordings through the FTS5 index. */
#include "db/recording_repo.h"

#include "core/ascii.h"
#include "core/error_set.h"
#include "core/ptrarray.h"
#include "db/db_internal.h"
#include "db/transcript_repo.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether the unicode61 tokenizer can find a token in the word. A word of
 * ASCII punctuation alone would become an empty phrase, and FTS5 matches
 * nothing for an empty phrase, so such words are dropped instead. */
static bool has_token(const char *word, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)word[i];
		if (vrp_ascii_isalnum(c) || c >= 0x80)
			return true;
	}
	return false;
}

static void append_quoted(char *out, size_t *len, const char *word, size_t n)
{
	out[(*len)++] = '"';
	for (size_t i = 0; i < n; i++) {
		if (word[i] == '"')
			out[(*len)++] = '"';
		out[(*len)++] = word[i];
	}
	out[(*len)++] = '"';
}

/*
 * Turns the user's words into an FTS5 expression in which every word is a
 * quoted string, so nothing the user types (quotes, -, *, NEAR(, AND, column
 * filters) is read as FTS5 syntax: "w1" AND "w2" AND "w3"*. With `prefix`
 * the last word matches as a prefix, so results follow typing. `*out` is
 * NULL when no word can match.
 */
static int build_match(const char *query, bool prefix, char **out)
{
	*out = NULL;
	size_t qlen = strlen(query);
	/* Worst case: every byte a quote (doubled), plus quotes, " AND ", "*". */
	char *expr = malloc(qlen * 8 + 2);
	if (!expr)
		return vrp_error_oom();
	size_t len = 0;
	const char *p = query;
	while (*p) {
		while (vrp_ascii_isspace((unsigned char)*p))
			p++;
		size_t n = 0;
		while (p[n] && !vrp_ascii_isspace((unsigned char)p[n]))
			n++;
		if (n > 0 && has_token(p, n)) {
			if (len > 0) {
				memcpy(expr + len, " AND ", 5);
				len += 5;
			}
			append_quoted(expr, &len, p, n);
		}
		p += n;
	}
	if (len == 0) {
		free(expr);
		return 0;
	}
	if (prefix)
		expr[len++] = '*';
	expr[len] = '\0';
	*out = expr;
	return 0;
}

static bool is_blank(const char *text)
{
	while (*text && vrp_ascii_isspace((unsigned char)*text))
		text++;
	return *text == '\0';
}

static int check_options(const vrp_search_options *o)
{
	if (o->limit < 0 || o->offset < 0 || o->rank_window < 0)
		return vrp_error_set(VRP_EINVAL, "a search limit or offset cannot be negative");
	return 0;
}

static int append_hit(vrp_search_results *results, size_t *capacity, sqlite3_stmt *stmt)
{
	int rc = vrp_ptr_array_reserve(&results->items, capacity, results->count + 1);
	if (rc < 0)
		return rc;
	vrp_search_hit *hit = calloc(1, sizeof(*hit));
	if (!hit)
		return vrp_error_oom();
	hit->recording_id = sqlite3_column_int64(stmt, 0);
	hit->rank = sqlite3_column_double(stmt, 1);
	results->items[results->count++] = hit;
	return 0;
}

/*
 * The smallest rowid among the `window` newest matches, or 0 when there are
 * fewer matches than that. FTS5 walks a doclist in rowid order without
 * ranking, so this costs little even for a word in every recording.
 */
static int window_start(vrp_db *db, const char *match, int window, int64_t *out)
{
	sqlite3_stmt *stmt = NULL;
	*out = 0;
	int rc = vrp_db_prepare(db, &stmt,
				"SELECT rowid FROM recordings_fts WHERE recordings_fts MATCH ?1 "
				"ORDER BY rowid DESC LIMIT 1 OFFSET ?2");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, window - 1);
	rc = vrp_db_step(db, stmt, "cannot search the recordings");
	if (rc == 1)
		*out = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return rc < 0 ? rc : 0;
}

/* Title counts ten times a description match, tags five times: a word in
 * the title says more about a recording than one in a long description.
 * Ranking happens first, on the index alone; only the page is joined. */
#define RANK_SQL                                                                                   \
	"WITH ranked AS MATERIALIZED (SELECT rowid AS id, "                                        \
	"bm25(recordings_fts, 10.0, 1.0, 5.0) AS score FROM recordings_fts "                       \
	"WHERE recordings_fts MATCH ?1 AND rowid >= ?2) "                                          \
	"SELECT ranked.id, ranked.score FROM ranked JOIN recordings r ON r.id = ranked.id "        \
	"WHERE (?3 OR r.status <> 'deleted')"

/* The statement for `o`: date bounds (?6, ?7) and the order only when asked for. */
static void rank_sql(const vrp_search_options *o, char *out, size_t len)
{
	const char *col = o->by_recorded ? "r.recorded_at" : "r.created_at";
	size_t n = (size_t)snprintf(out, len, "%s", RANK_SQL);
	if (o->since)
		n += (size_t)snprintf(out + n, len - n, " AND %s >= ?6", col);
	if (o->until)
		n += (size_t)snprintf(out + n, len - n, " AND %s < ?7", col);
	if (o->sort_by_date)
		snprintf(out + n, len - n, " ORDER BY %s DESC, ranked.id DESC LIMIT ?4 OFFSET ?5",
			 col);
	else
		snprintf(out + n, len - n, " ORDER BY ranked.score, ranked.id LIMIT ?4 OFFSET ?5");
}

static int page_limit(const vrp_search_options *o)
{
	int limit = o->limit == 0 ? VRP_SEARCH_DEFAULT_LIMIT : o->limit;
	return limit > VRP_SEARCH_MAX_LIMIT ? VRP_SEARCH_MAX_LIMIT : limit;
}

/* The first `limit` hits; the page is cut once transcript hits have joined them. */
static int rank(vrp_db *db, const char *match, const vrp_search_options *o, int64_t from, int limit,
		size_t *capacity, vrp_search_results *results)
{
	sqlite3_stmt *stmt = NULL;
	char sql[1024];
	rank_sql(o, sql, sizeof(sql));
	int rc = vrp_db_prepare(db, &stmt, sql);
	if (rc < 0)
		return rc;
	if (o->since)
		sqlite3_bind_text(stmt, 6, o->since, -1, SQLITE_STATIC);
	if (o->until)
		sqlite3_bind_text(stmt, 7, o->until, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, from);
	sqlite3_bind_int(stmt, 3, o->include_deleted ? 1 : 0);
	sqlite3_bind_int(stmt, 4, limit);
	sqlite3_bind_int(stmt, 5, 0);
	while ((rc = vrp_db_step(db, stmt, "cannot search the recordings")) == 1)
		if ((rc = append_hit(results, capacity, stmt)) < 0)
			break;
	sqlite3_finalize(stmt);
	return rc;
}

/* Appends ",<id>" for every hit, for the excerpt query's filter. */
static char *id_list(const vrp_search_results *results, int64_t *lowest)
{
	char *list = malloc(results->count * 21 + 2);
	if (!list)
		return NULL;
	size_t len = 0;
	*lowest = INT64_MAX;
	for (size_t i = 0; i < results->count; i++) {
		int64_t id = results->items[i]->recording_id;
		len += (size_t)sprintf(list + len, ",%lld", (long long)id);
		*lowest = id < *lowest ? id : *lowest;
	}
	memcpy(list + len, ",", 2);
	return list;
}

static int store_snippet(vrp_search_results *results, sqlite3_stmt *stmt)
{
	int64_t id = sqlite3_column_int64(stmt, 0);
	for (size_t i = 0; i < results->count; i++) {
		vrp_search_hit *hit = results->items[i];
		if (hit->recording_id == id && !hit->snippet)
			return vrp_db_column_strdup(stmt, 1, &hit->snippet);
	}
	return 0;
}

/* Excerpts only for the hits returned, in one pass over their id range:
 * snippet() over every match would cost as much as the ranking, and one
 * query per hit pays the index set-up each time. */
static int add_snippets(vrp_db *db, const char *match, const vrp_search_options *o,
			vrp_search_results *results)
{
	int64_t lowest = 0;
	char *ids = id_list(results, &lowest);
	sqlite3_stmt *stmt = NULL;
	int rc =
		ids ? vrp_db_prepare(db, &stmt,
				     "SELECT rowid, snippet(recordings_fts, -1, ?2, ?3, '...', 12) "
				     "FROM recordings_fts WHERE recordings_fts MATCH ?1 AND "
				     "rowid >= ?4 AND instr(?5, ',' || rowid || ',') > 0")
		    : vrp_error_oom();
	if (rc == 0) {
		sqlite3_bind_text(stmt, 1, match, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, o->highlight_open ? o->highlight_open : "[", -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, o->highlight_close ? o->highlight_close : "]", -1,
				  SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 4, lowest);
		sqlite3_bind_text(stmt, 5, ids, -1, SQLITE_STATIC);
	}
	while (rc == 0 && (rc = vrp_db_step(db, stmt, "cannot make search excerpts")) == 1)
		rc = store_snippet(results, stmt);
	sqlite3_finalize(stmt);
	free(ids);
	for (size_t i = 0; rc == 0 && i < results->count; i++)
		if (!results->items[i]->snippet && !(results->items[i]->snippet = strdup("")))
			rc = vrp_error_oom();
	return rc;
}

/*
 * A word the user finished typing that already matches a full window needs
 * no prefix expansion (which would make FTS5 merge the lists of every longer
 * word first): the exact form answers from the index's newest entries.
 */
static int choose_match(vrp_db *db, const char *query, int window, char **match, int64_t *from)
{
	int rc = build_match(query, false, match);
	if (rc == 0 && *match)
		rc = window_start(db, *match, window, from);
	if (rc < 0 || !*match || *from > 0)
		return rc;
	free(*match);
	*match = NULL;
	rc = build_match(query, true, match);
	if (rc == 0 && *match)
		rc = window_start(db, *match, window, from);
	return rc;
}

static int by_rank(const void *a, const void *b)
{
	const vrp_search_hit *x = *(vrp_search_hit *const *)a, *y = *(vrp_search_hit *const *)b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->recording_id < y->recording_id ? -1 : x->recording_id > y->recording_id;
}

/* Sorts the merged hits and keeps offset .. offset + limit; a transcript-only
 * hit's snippet is its first utterance's excerpt. */
static int cut_page(const vrp_search_options *o, vrp_search_results *results)
{
	/* By date, the text hits are already in date order; transcript-only hits follow them. */
	if (results->count > 1 && !o->sort_by_date)
		qsort(results->items, results->count, sizeof(*results->items), by_rank);
	size_t offset = (size_t)o->offset, limit = (size_t)page_limit(o), kept = 0;
	for (size_t i = 0; i < results->count; i++) {
		vrp_search_hit *hit = results->items[i];
		if (i < offset || i >= offset + limit) {
			for (size_t m = 0; m < hit->match_count; m++)
				free(hit->matches[m].excerpt);
			free(hit->matches);
			free(hit->snippet);
			free(hit);
			continue;
		}
		results->items[kept++] = hit;
		if (!hit->snippet && hit->match_count > 0 &&
		    !(hit->snippet = strdup(hit->matches[0].excerpt)))
			return vrp_error_oom();
	}
	results->count = kept;
	return 0;
}

static int run_search(vrp_db *db, const char *query, const vrp_search_options *o,
		      vrp_search_results *results)
{
	char *match = NULL, *whole_words = NULL;
	int64_t from = 0;
	size_t capacity = 0;
	int window = o->rank_window > 0 ? o->rank_window : VRP_SEARCH_RANK_WINDOW;
	int wanted = page_limit(o) + o->offset;
	int rc = choose_match(db, query, window, &match, &from);
	if (rc == 0 && match)
		rc = rank(db, match, o, from, wanted, &capacity, results);
	if (rc == 0)
		rc = build_match(query, false, &whole_words);
	if (rc == 0 && whole_words)
		rc = vrp_search_add_transcript_hits(db, query, whole_words, o, wanted, &capacity,
						    results);
	if (rc == 0)
		rc = cut_page(o, results);
	if (rc == 0 && match && results->count)
		rc = add_snippets(db, match, o, results);
	free(match);
	free(whole_words);
	return rc;
}

int vrp_recording_repo_search(vrp_db *db, const char *query, const vrp_search_options *options,
			      vrp_search_results **out)
{
	static const vrp_search_options defaults;
	const vrp_search_options *o = options ? options : &defaults;
	*out = NULL;
	if (!query || is_blank(query))
		return vrp_error_set(VRP_EINVAL,
				     "the search query is empty: give a word to look for");
	int rc = check_options(o);
	vrp_search_results *results = rc == 0 ? calloc(1, sizeof(*results)) : NULL;
	if (rc == 0 && !results)
		rc = vrp_error_oom();
	if (rc == 0)
		rc = run_search(db, query, o, results);
	if (rc < 0) {
		vrp_search_results_free(results);
		return rc;
	}
	*out = results;
	return 0;
}
