/*
 * search.h - full-text search over recordings' titles, descriptions, tags
 * and the words said in them (their transcripts), in one ranked result.
 *
 * The query is plain words, never FTS5 syntax: each word must appear (AND),
 * the last may be the beginning of a word (so results follow typing), and
 * quotes, operators and punctuation are taken literally.
 */
#ifndef VRP_SEARCH_H
#define VRP_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where a hit's words were said: one utterance of its transcript. */
typedef struct vrp_search_match {
	const char *field; /* "transcript" (static) */
	double start, end; /* seconds: when the first matched word was said */
	char *excerpt;     /* the words around it, matched words between the markers */
} vrp_search_match;

#define VRP_SEARCH_MAX_MATCHES 3

/* One match. Owned by the vrp_search_results that holds it. */
typedef struct vrp_search_hit {
	int64_t recording_id;
	/* BM25 score with title weighted above tags above description: lower is a
	 * better match (it is negative), so hits come best first. */
	double rank;
	/* A short excerpt of the best-matching field, with each matched word
	 * between the caller's highlight markers; "..." marks cut text. */
	char *snippet;
	/* Up to VRP_SEARCH_MAX_MATCHES utterances of the transcript where every
	 * word was said (whole words: the last is not taken as a prefix there),
	 * best first; none when only the text fields matched. */
	vrp_search_match *matches;
	size_t match_count;
} vrp_search_hit;

/* Hits, best first; free with vrp_search_results_free(). */
typedef struct vrp_search_results {
	vrp_search_hit **items;
	size_t count;
} vrp_search_results;

/* Frees the results and every hit; NULL is a no-op. */
void vrp_search_results_free(vrp_search_results *results);

/* How to search. Zero-initialise it; NULL options mean all defaults. */
typedef struct vrp_search_options {
	const char *highlight_open;  /* before each matched word; NULL means "[" */
	const char *highlight_close; /* after each matched word; NULL means "]" */
	bool include_deleted;        /* also search soft-deleted recordings */
	int limit;  /* 0 means VRP_SEARCH_DEFAULT_LIMIT; above VRP_SEARCH_MAX_LIMIT is cut */
	int offset; /* hits to skip, for paging */
	/*
	 * Ranking every match of a very common word would take longer than a
	 * search should (a million recordings, a word in most of them). When a
	 * query matches more than this many recordings, only the most recent
	 * this many (by id, i.e. by import order) are ranked and returned. 0
	 * means VRP_SEARCH_RANK_WINDOW. Transcripts rank four times this many
	 * of their newest matching utterances.
	 */
	int rank_window;
	/*
	 * Only hits whose date is >= since and < until (the catalogue's ISO
	 * text, compared as text as listings do; NULL: no bound). The date is
	 * recorded_at with `by_recorded`, else created_at (the import time).
	 * Bounds apply to the hits of the rank window.
	 */
	const char *since;
	const char *until;
	bool by_recorded;
	/* Newest first by that date, instead of best match first. */
	bool sort_by_date;
} vrp_search_options;

#define VRP_SEARCH_DEFAULT_LIMIT 50
#define VRP_SEARCH_MAX_LIMIT     1000
#define VRP_SEARCH_RANK_WINDOW   1000

#ifdef __cplusplus
}
#endif

#endif
