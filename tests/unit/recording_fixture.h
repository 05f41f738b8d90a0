/*
 * recording_fixture.h - building catalogue rows for the repository tests.
 * Header-only (static inline) so each test executable takes what it uses.
 */
#ifndef VRP_TEST_RECORDING_FIXTURE_H
#define VRP_TEST_RECORDING_FIXTURE_H

#include "test_support.h"

#include "db/recording_repo.h"
#include "db/tag_repo.h"

#include <stdio.h>
#include <string.h>

/*
 * A valid, not yet inserted record whose unique fields derive from `n`; the
 * caller frees it with vrp_recording_free(). `title` and `description` may be NULL.
 */
static inline vrp_recording *fixture_recording(int n, const char *title, const char *description)
{
	vrp_recording *rec = NULL;
	assert_ok(vrp_recording_new(&rec));
	char buf[128];
	snprintf(buf, sizeof(buf), "%064x", n);
	rec->checksum = strdup(buf);
	snprintf(buf, sizeof(buf), "voice memo %d.m4a", n);
	rec->original_filename = strdup(buf);
	snprintf(buf, sizeof(buf), "stored-%d.m4a", n);
	rec->stored_filename = strdup(buf);
	snprintf(buf, sizeof(buf), "recordings/raw/stored-%d.m4a", n);
	rec->local_path = strdup(buf);
	rec->mime_type = strdup("audio/mp4");
	rec->title = title ? strdup(title) : NULL;
	rec->description = description ? strdup(description) : NULL;
	rec->filesize_bytes = 1000 + n;
	rec->duration = 1.5;
	return rec;
}

/* Inserts fixture_recording(n, title, description) and returns its id. */
static inline int64_t fixture_insert(vrp_db *db, int n, const char *title, const char *description)
{
	vrp_recording *rec = fixture_recording(n, title, description);
	assert_ok(vrp_recording_repo_insert(db, rec));
	int64_t id = rec->id;
	vrp_recording_free(rec);
	return id;
}

/* Whether `id` is among the hits. */
static inline int fixture_hits_contain(const vrp_search_results *r, int64_t id)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->items[i]->recording_id == id)
			return 1;
	return 0;
}

/* Whether a search for `query` (which must succeed) finds recording `id`. */
static inline int fixture_search_finds(vrp_db *db, const char *query, int64_t id)
{
	vrp_search_results *r = NULL;
	assert_ok(vrp_recording_repo_search(db, query, NULL, &r));
	int found = fixture_hits_contain(r, id);
	vrp_search_results_free(r);
	return found;
}

#endif
