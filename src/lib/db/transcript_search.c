/* transcript_search.c - transcript hits merged into a search's ranked result. */
#include "db/transcript_repo.h"

#include "core/ascii.h"
#include "core/error_set.h"
#include "core/ptrarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Words either side of the first matched word an excerpt keeps. */
#define EXCERPT_CONTEXT 8

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static bool word_matches(const char *word, size_t len, const char *query)
{
	const char *p = query;
	while (*p) {
		while (*p && !vrp_ascii_isalnum((unsigned char)*p) && (unsigned char)*p < 0x80)
			p++;
		size_t n = 0;
		while (p[n] && (vrp_ascii_isalnum((unsigned char)p[n]) ||
				(unsigned char)p[n] >= 0x80 || p[n] == '\''))
			n++;
		if (n == len && n > 0) {
			size_t i = 0;
			while (i < n && lower((unsigned char)p[i]) == (unsigned char)word[i])
				i++;
			if (i == n)
				return true;
		}
		p += n;
	}
	return false;
}

/* When the first word of the query was said in the utterance; its whole span otherwise. */
static void find_time(const struct vrp_transcript_match_row *row, const char *query,
		      vrp_search_match *m)
{
	m->start = row->start;
	m->end = row->end;
	const char *line = row->timing ? row->timing : "";
	while (*line) {
		size_t len = strcspn(line, " \n");
		double start = 0, end = 0;
		if (line[len] == ' ' && sscanf(line + len, "%lf %lf", &start, &end) == 2 &&
		    word_matches(line, len, query)) {
			m->start = start;
			m->end = end;
			return;
		}
		line += strcspn(line, "\n");
		if (*line)
			line++;
	}
}

/* The highlighted utterance cut to EXCERPT_CONTEXT words around the first mark. */
static char *excerpt_of(const char *text, const char *open)
{
	const char *mark = strstr(text, open);
	const char *from = text, *to = text + strlen(text);
	/* A word only the lattice held has no mark: the utterance's start stands for it. */
	if (!mark) {
		const char *p = text;
		for (int words = 0; *p && words <= 2 * EXCERPT_CONTEXT; p++)
			if (*p == ' ' && ++words > 2 * EXCERPT_CONTEXT)
				break;
		to = p;
	} else {
		const char *p = mark;
		for (int words = 0; p > text && words <= EXCERPT_CONTEXT; p--)
			if (p[-1] == ' ' && ++words > EXCERPT_CONTEXT)
				break;
		from = p;
		p = mark;
		for (int words = 0; *p && words <= EXCERPT_CONTEXT; p++)
			if (*p == ' ' && ++words > EXCERPT_CONTEXT)
				break;
		to = p;
	}
	size_t n = (size_t)(to - from);
	char *out = malloc(n + 7);
	if (!out)
		return NULL;
	snprintf(out, n + 7, "%s%.*s%s", from > text ? "..." : "", (int)n, from, *to ? "..." : "");
	return out;
}

static vrp_search_hit *find_hit(vrp_search_results *results, int64_t id)
{
	for (size_t i = 0; i < results->count; i++)
		if (results->items[i]->recording_id == id)
			return results->items[i];
	return NULL;
}

static int add_match(vrp_search_results *results, size_t *capacity,
		     const struct vrp_transcript_match_row *row, const char *query,
		     const char *open)
{
	vrp_search_hit *hit = find_hit(results, row->recording_id);
	if (!hit) {
		int rc = vrp_ptr_array_reserve(&results->items, capacity, results->count + 1);
		if (rc < 0)
			return rc;
		if (!(hit = calloc(1, sizeof(*hit))))
			return vrp_error_oom();
		hit->recording_id = row->recording_id;
		hit->rank = row->rank;
		results->items[results->count++] = hit;
	} else if (row->rank < hit->rank) {
		hit->rank = row->rank; /* said in it ranks it as a title match would */
	}
	if (hit->match_count == VRP_SEARCH_MAX_MATCHES)
		return 0;
	if (!hit->matches &&
	    !(hit->matches = calloc(VRP_SEARCH_MAX_MATCHES, sizeof(*hit->matches))))
		return vrp_error_oom();
	vrp_search_match *m = &hit->matches[hit->match_count];
	m->field = "transcript";
	find_time(row, query, m);
	if (!(m->excerpt = excerpt_of(row->snippet ? row->snippet : "", open)))
		return vrp_error_oom();
	hit->match_count++;
	return 0;
}

int vrp_search_add_transcript_hits(vrp_db *db, const char *query, const char *match,
				   const vrp_search_options *o, int wanted, size_t *capacity,
				   vrp_search_results *results)
{
	const char *open = o->highlight_open ? o->highlight_open : "[";
	const char *close = o->highlight_close ? o->highlight_close : "]";
	struct vrp_transcript_match_row *rows = NULL;
	size_t count = 0;
	/* A recording can hold several of the best utterances: ask for more rows than hits. */
	int rc = vrp_transcript_repo_search(db, match, o, wanted * 4, open, close, &rows, &count);
	for (size_t i = 0; rc == 0 && i < count; i++)
		rc = add_match(results, capacity, &rows[i], query, open);
	vrp_transcript_match_rows_free(rows, count);
	return rc;
}
