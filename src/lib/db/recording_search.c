/* recording_search.c - full-text search of recordings through the FTS5 index. */
#include "db/recording_repo.h"

#include "core/ascii.h"
#include "core/error_set.h"
#include "core/ptrarray.h"
#include "db/db_internal.h"

#include <stdbool.h>
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
 * filters) is read as FTS5 syntax: "w1" AND "w2" AND "w3"*. The last word is
 * a prefix so results follow typing. `*out` is NULL when no word can match.
 */
static int build_match(const char *query, char **out)
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
	if (o->limit < 0 || o->offset < 0)
		return vrp_error_set(VRP_EINVAL, "a search limit or offset cannot be negative");
	return 0;
}

static int append_hit(vrp_search_results *results, size_t *capacity, sqlite3_stmt *stmt)
{
	int grow_rc = vrp_ptr_array_reserve(&results->items, capacity, results->count + 1);
	if (grow_rc < 0)
		return grow_rc;
	vrp_search_hit *hit = calloc(1, sizeof(*hit));
	if (!hit)
		return vrp_error_oom();
	hit->recording_id = sqlite3_column_int64(stmt, 0);
	hit->rank = sqlite3_column_double(stmt, 1);
	int rc = vrp_db_column_strdup(stmt, 2, &hit->snippet);
	if (rc == 0 && !hit->snippet && !(hit->snippet = strdup("")))
		rc = vrp_error_oom();
	if (rc < 0) {
		free(hit->snippet);
		free(hit);
		return rc;
	}
	results->items[results->count++] = hit;
	return 0;
}

/* Title counts ten times a description match, tags five times: a word in
 * the title says more about a recording than one in a long description. */
#define SEARCH_SQL                                                                                 \
	"SELECT r.id, bm25(recordings_fts, 10.0, 1.0, 5.0) AS score, "                             \
	"snippet(recordings_fts, -1, ?2, ?3, '...', 12) "                                          \
	"FROM recordings_fts JOIN recordings r ON r.id = recordings_fts.rowid "                    \
	"WHERE recordings_fts MATCH ?1 AND (?4 OR r.status <> 'deleted') "                         \
	"ORDER BY score, r.id LIMIT ?5 OFFSET ?6"

static int run_search(vrp_db *db, const char *match, const vrp_search_options *o,
		      vrp_search_results *results)
{
	sqlite3_stmt *stmt = NULL;
	int limit = o->limit == 0 ? VRP_SEARCH_DEFAULT_LIMIT : o->limit;
	if (limit > VRP_SEARCH_MAX_LIMIT)
		limit = VRP_SEARCH_MAX_LIMIT;
	size_t capacity = 0;
	int rc = vrp_db_prepare(db, &stmt, SEARCH_SQL);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, o->highlight_open ? o->highlight_open : "[", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, o->highlight_close ? o->highlight_close : "]", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int(stmt, 4, o->include_deleted ? 1 : 0);
	sqlite3_bind_int(stmt, 5, limit);
	sqlite3_bind_int(stmt, 6, o->offset);
	while ((rc = vrp_db_step(db, stmt, "cannot search the recordings")) == 1)
		if ((rc = append_hit(results, &capacity, stmt)) < 0)
			break;
	sqlite3_finalize(stmt);
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
	char *match = NULL;
	int rc = check_options(o);
	if (rc == 0)
		rc = build_match(query, &match);
	vrp_search_results *results = rc == 0 ? calloc(1, sizeof(*results)) : NULL;
	if (rc == 0 && !results)
		rc = vrp_error_oom();
	if (rc == 0 && match)
		rc = run_search(db, match, o, results);
	free(match);
	if (rc < 0) {
		vrp_search_results_free(results);
		return rc;
	}
	*out = results;
	return 0;
}
