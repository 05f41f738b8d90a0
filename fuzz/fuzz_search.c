/*
 * fuzz_search.c - the search box: whatever a user types becomes an FTS5
 * expression of quoted words (recording_search.c), so no input may reach
 * FTS5 as syntax. Every query is run against a small library (titles,
 * descriptions, tags, a transcript); the only error a query may give is
 * VRP_EINVAL for a blank one. The first byte picks the options.
 */
#include "db/recording_repo.h"
#include "db/db_internal.h"
#include "fuzz_text.h"
#include "vrp/error.h"
#include "vrp/library.h"
#include "vrp/search.h"

#include <ctype.h>
#include <ftw.h>
#include <stdbool.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vrp_library *lib;
static char dir[] = "/tmp/vrp-fuzz-search-XXXXXX";

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void close_library(void)
{
	vrp_library_free(lib);
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char seed_sql[] =
	"INSERT INTO recordings (uuid, original_filename, stored_filename, local_path, title, "
	" description, filesize_bytes, mime_type, checksum, created_at, modified_at) VALUES "
	"('00000000-0000-4000-8000-000000000001', 'a.wav', 'a.wav', 'recordings/raw/a.wav', "
	" 'Standup meeting', 'the \"weekly\" NEAR(plan) AND budget', 10, 'audio/wav', "
	" printf('%064d', 1), '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'), "
	"('00000000-0000-4000-8000-000000000002', 'b.wav', 'b.wav', 'recordings/raw/b.wav', "
	" 'Grocery list', 'milk * eggs - bread', 10, 'audio/wav', printf('%064d', 2), "
	" '2026-02-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'), "
	"('00000000-0000-4000-8000-000000000003', 'c.wav', 'c.wav', 'recordings/raw/c.wav', "
	" 'Żółć café naïve', 'unicode title: 会议', 10, 'audio/wav', printf('%064d', 3), "
	" '2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z');"
	"INSERT INTO tags (name) VALUES ('work'), ('to-do');"
	"INSERT INTO recording_tags (recording_id, tag_id) SELECT 1, id FROM tags;";

static void open_library(void)
{
	if (!mkdtemp(dir) || vrp_library_open(&lib, dir, VRP_LIBRARY_CREATE, NULL) != 0)
		abort();
	atexit(close_library);
	sqlite3 *db = vrp_db_handle(vrp_library_db(lib));
	char *error = NULL;
	if (sqlite3_exec(db, seed_sql, NULL, NULL, &error) != SQLITE_OK) {
		fprintf(stderr, "fuzz_search: seeding failed: %s\n", error);
		abort();
	}
}

static bool blank(const char *q)
{
	while (*q && isspace((unsigned char)*q))
		q++;
	return !*q;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!lib)
		open_library();
	if (size < 1)
		return 0;
	char *query = fuzz_text(data + 1, size - 1);
	if (!query)
		return 0;
	uint8_t o = data[0];
	vrp_search_options options = { .include_deleted = o & 1,
				       .sort_by_date = o & 2,
				       .by_recorded = o & 4,
				       .limit = (o & 8) ? 1 : 0,
				       .offset = (o & 16) ? 1 : 0,
				       .rank_window = (o & 32) ? 1 : 0,
				       .since = (o & 64) ? "2026-01-15" : NULL,
				       .highlight_open = (o & 128) ? "<b>" : NULL,
				       .highlight_close = (o & 128) ? "</b>" : NULL };
	vrp_search_results *results = NULL;
	int rc = vrp_recording_repo_search(vrp_library_db(lib), query, &options, &results);
	if (rc != 0 && !(rc == VRP_EINVAL && blank(query))) {
		fprintf(stderr, "fuzz_search: the query gave %s: %s\n", vrp_error_code_name(rc),
			vrp_error_last()->message);
		abort();
	}
	if (rc == 0)
		FUZZ_ASSERT(results->count <= 3);
	vrp_search_results_free(results);
	free(query);
	return 0;
}
