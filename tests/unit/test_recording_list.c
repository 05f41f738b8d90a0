/*
 * test_recording_list.c - listing recordings: every filter, every sort in both
 * directions, and keyset paging, checked against a model of the same 30 rows.
 */
#include "recording_fixture.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define N 30

/* What each of the N recordings is, so a test can work out what a listing must return. */
struct spec {
	int64_t id;
	char title[16];
	char created_at[32];
	double duration;
	int64_t size;
	const char *mime;
	enum vrp_recording_status status;
	enum vrp_integrity integrity;
	bool work, home;
	const char *r1_status; /* NULL: no recording_remote row on r1 */
};

static struct spec specs[N];

static const char *const titles[] = { "alpha", "Bravo", "charlie", "Delta",
				      "echo",  "ALPHA", "foxtrot" };
static const char *const r1_states[] = { "synced", "unsynced", "failed", NULL };

static void make_spec(int i, struct spec *s)
{
	snprintf(s->title, sizeof(s->title), "%s", titles[i % 7]);
	snprintf(s->created_at, sizeof(s->created_at), "2026-01-%02dT10:00:00.000Z",
		 1 + (i * 11) % 28);
	s->duration = (double)((i * 7) % 11) * 10.0;
	s->size = 1000 + (i * 13) % 17 * 100;
	s->mime = i % 3 == 0 ? "audio/mp4" : "audio/wav";
	s->status = i % 10 == 3   ? VRP_RECORDING_ARCHIVED
		    : i % 10 == 7 ? VRP_RECORDING_DELETED
				  : VRP_RECORDING_ACTIVE;
	s->integrity = i % 4 == 1   ? VRP_INTEGRITY_OK
		       : i % 4 == 2 ? VRP_INTEGRITY_CORRUPT
				    : VRP_INTEGRITY_UNVERIFIED;
	s->work = i % 5 == 0;
	s->home = i % 6 == 0;
	s->r1_status = r1_states[i % 4];
}

static void add_remote_row(vrp_db *db, int64_t id, const char *remote, const char *status)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "INSERT INTO recording_remote (recording_id, remote, provider_key, sync_status, "
		 "created_at, modified_at) VALUES (%lld, '%s', 'localdir', '%s', 'x', 'x')",
		 (long long)id, remote, status);
	test_exec(db, sql);
}

static void insert_spec(vrp_db *db, int i, struct spec *s)
{
	vrp_recording *rec = fixture_recording(i + 1, s->title, NULL);
	rec->created_at = strdup(s->created_at);
	rec->duration = s->duration;
	rec->filesize_bytes = s->size;
	free(rec->mime_type);
	rec->mime_type = strdup(s->mime);
	rec->status = s->status;
	if (s->status == VRP_RECORDING_DELETED)
		rec->deleted_at = strdup("2026-02-01T00:00:00.000Z");
	rec->integrity = s->integrity;
	assert_ok(vrp_recording_repo_insert(db, rec));
	s->id = rec->id;
	vrp_recording_free(rec);
	if (s->work)
		assert_ok(vrp_tag_repo_add_to_recording(db, s->id, "Work"));
	if (s->home)
		assert_ok(vrp_tag_repo_add_to_recording(db, s->id, "home"));
	if (s->r1_status)
		add_remote_row(db, s->id, "r1", s->r1_status);
	/* A row on another remote must not count for r1. */
	add_remote_row(db, s->id, "r2", "synced");
}

static int setup(void **state)
{
	test_db_setup(state);
	vrp_db *db = test_fixture_db(state);
	test_exec(db, "INSERT INTO remotes (name, provider_key, created_at, modified_at) VALUES "
		      "('r1', 'localdir', 'x', 'x'), ('r2', 'localdir', 'x', 'x')");
	for (int i = 0; i < N; i++) {
		make_spec(i, &specs[i]);
		insert_spec(db, i, &specs[i]);
	}
	return 0;
}

/* The model: whether spec `s` satisfies `f`, written independently of the SQL. */
static bool model_matches(const struct spec *s, const vrp_recording_filter *f)
{
	unsigned statuses = f->statuses ? f->statuses : 0x3u;
	if (!(statuses & VRP_STATUS_BIT(s->status)))
		return false;
	if (f->integrities && !(f->integrities & VRP_INTEGRITY_BIT(s->integrity)))
		return false;
	if (f->tag && !((strcasecmp(f->tag, "work") == 0 && s->work) ||
			(strcasecmp(f->tag, "home") == 0 && s->home)))
		return false;
	if (f->created_since && strcmp(s->created_at, f->created_since) < 0)
		return false;
	if (f->created_until && strcmp(s->created_at, f->created_until) >= 0)
		return false;
	if (f->min_duration > 0 && s->duration < f->min_duration)
		return false;
	if (f->max_duration > 0 && s->duration > f->max_duration)
		return false;
	if (f->mime_type && strcmp(f->mime_type, s->mime) != 0)
		return false;
	if (f->remote && !f->sync_status && !s->r1_status)
		return false;
	if (f->sync_status) {
		const char *st = s->r1_status ? s->r1_status : "unsynced";
		if (strcmp(st, f->sync_status) != 0)
			return false;
	}
	return true;
}

static int model_compare_key(const struct spec *a, const struct spec *b,
			     enum vrp_recording_sort sort)
{
	switch (sort) {
	case VRP_SORT_CREATED:
	case VRP_SORT_RECORDED: /* inserted without one: recorded_at is created_at */
		return strcmp(a->created_at, b->created_at);
	case VRP_SORT_TITLE:
		return strcasecmp(a->title, b->title);
	case VRP_SORT_DURATION:
		return (a->duration > b->duration) - (a->duration < b->duration);
	case VRP_SORT_SIZE:
		return (a->size > b->size) - (a->size < b->size);
	}
	return 0;
}

static vrp_recording_filter model_sort;

static int model_compare(const void *pa, const void *pb)
{
	const struct spec *a = pa, *b = pb;
	int c = model_compare_key(a, b, model_sort.sort);
	if (c == 0)
		c = (a->id > b->id) - (a->id < b->id);
	return model_sort.descending ? -c : c;
}

/* The ids the model says `f` selects, in its order; returns how many. */
static size_t model_ids(const vrp_recording_filter *f, int64_t *out)
{
	struct spec sorted[N];
	size_t n = 0;
	for (int i = 0; i < N; i++)
		if (model_matches(&specs[i], f))
			sorted[n++] = specs[i];
	model_sort = *f;
	qsort(sorted, n, sizeof(*sorted), model_compare);
	for (size_t i = 0; i < n; i++)
		out[i] = sorted[i].id;
	return n;
}

/* Lists with `f` in one page and checks ids, order and count against the model. */
static void assert_listing_matches_model(vrp_db *db, vrp_recording_filter f)
{
	int64_t expected[N];
	size_t n = model_ids(&f, expected);
	f.limit = VRP_LIST_MAX_LIMIT;
	vrp_recording_list *list = NULL;
	assert_ok(vrp_recording_repo_list(db, &f, &list));
	assert_int_equal(list->count, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(list->items[i]->id, expected[i]);
	assert_int_equal(list->next_cursor, 0);
	vrp_recording_list_free(list);
	int64_t count = -1;
	assert_ok(vrp_recording_repo_count(db, &f, &count));
	assert_int_equal(count, n);
}

static void test_default_listing_hides_deleted_recordings(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording_list *list = NULL;
	assert_ok(vrp_recording_repo_list(db, NULL, &list));
	assert_int_equal(list->count, 27);
	for (size_t i = 0; i < list->count; i++)
		assert_int_not_equal(list->items[i]->status, VRP_RECORDING_DELETED);
	vrp_recording_list_free(list);
	assert_listing_matches_model(db, (vrp_recording_filter){ 0 });
}

static void test_status_filter_selects_the_asked_statuses(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording_filter f = { .statuses = VRP_STATUS_BIT(VRP_RECORDING_DELETED) };
	int64_t ids[N];
	assert_int_equal(model_ids(&f, ids), 3);
	assert_listing_matches_model(db, f);
	f.statuses = VRP_STATUS_BIT(VRP_RECORDING_ARCHIVED) | VRP_STATUS_BIT(VRP_RECORDING_DELETED);
	assert_listing_matches_model(db, f);
	f.statuses = 0x7u;
	assert_int_equal(model_ids(&f, ids), N);
	assert_listing_matches_model(db, f);
}

static void test_tag_filter_ignores_case_and_surrounding_blanks(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_listing_matches_model(db, (vrp_recording_filter){ .tag = "work" });
	assert_listing_matches_model(db, (vrp_recording_filter){ .tag = "HOME" });
	vrp_recording_filter f = { .tag = "  wORK ", .limit = 100 };
	vrp_recording_list *list = NULL;
	assert_ok(vrp_recording_repo_list(db, &f, &list));
	assert_int_equal(list->count, 6); /* i = 0, 5, 10, 15, 20, 25 */
	vrp_recording_list_free(list);
	f.tag = "nosuchtag";
	assert_ok(vrp_recording_repo_list(db, &f, &list));
	assert_int_equal(list->count, 0);
	vrp_recording_list_free(list);
}

static void test_created_range_is_inclusive_then_exclusive(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording_filter f = { .created_since = "2026-01-12T10:00:00.000Z",
				   .created_until = "2026-01-23T10:00:00.000Z" };
	assert_listing_matches_model(db, f);
	int64_t ids[N];
	size_t n = model_ids(&f, ids);
	bool has_since = false, has_until = false;
	for (size_t i = 0; i < N; i++) {
		for (size_t j = 0; j < n; j++) {
			if (specs[i].id != ids[j])
				continue;
			has_since |= strcmp(specs[i].created_at, f.created_since) == 0;
			has_until |= strcmp(specs[i].created_at, f.created_until) == 0;
		}
	}
	assert_true(has_since);  /* the lower bound itself is in */
	assert_false(has_until); /* the upper bound itself is out */
	assert_listing_matches_model(db, (vrp_recording_filter){ .created_since = "2026-01-20" });
	assert_listing_matches_model(db, (vrp_recording_filter){ .created_until = "2026-01-05" });
}

static void test_duration_bounds_are_inclusive(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_listing_matches_model(db, (vrp_recording_filter){ .min_duration = 30.0 });
	assert_listing_matches_model(db, (vrp_recording_filter){ .max_duration = 30.0 });
	assert_listing_matches_model(
		db, (vrp_recording_filter){ .min_duration = 20.0, .max_duration = 50.0 });
}

static void test_mime_type_filter_is_exact(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_listing_matches_model(db, (vrp_recording_filter){ .mime_type = "audio/mp4" });
	vrp_recording_filter f = { .mime_type = "audio" };
	int64_t count = -1;
	assert_ok(vrp_recording_repo_count(db, &f, &count));
	assert_int_equal(count, 0);
}

static void test_remote_filter_alone_selects_recordings_with_a_row_there(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_listing_matches_model(db, (vrp_recording_filter){ .remote = "r1" });
	vrp_recording_filter f = { .remote = "r1" };
	int64_t count = -1;
	assert_ok(vrp_recording_repo_count(db, &f, &count));
	assert_true(count > 0 && count < 27);
}

static void test_sync_status_filter_matches_rows_on_that_remote(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_listing_matches_model(
		db, (vrp_recording_filter){ .remote = "r1", .sync_status = "synced" });
	assert_listing_matches_model(
		db, (vrp_recording_filter){ .remote = "r1", .sync_status = "failed" });
	vrp_recording_filter f = { .remote = "r1", .sync_status = "queued" };
	int64_t count = -1;
	assert_ok(vrp_recording_repo_count(db, &f, &count));
	assert_int_equal(count, 0);
}

static void test_unsynced_also_matches_recordings_with_no_row_on_the_remote(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording_filter f = { .remote = "r1", .sync_status = "unsynced" };
	assert_listing_matches_model(db, f);
	int64_t count = -1;
	assert_ok(vrp_recording_repo_count(db, &f, &count));
	/* odd i: i % 4 == 1 (an 'unsynced' row) or 3 (no row); less 7, 17, 27 (deleted) */
	assert_int_equal(count, 12);
	f.remote = "never-configured";
	assert_ok(vrp_recording_repo_count(db, &f, &count));
	assert_int_equal(count, 27);
}

static void test_integrity_filter_selects_the_asked_states(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_listing_matches_model(db, (vrp_recording_filter){ .integrities = VRP_INTEGRITY_BIT(
									 VRP_INTEGRITY_CORRUPT) });
	assert_listing_matches_model(
		db, (vrp_recording_filter){ .integrities =
						    VRP_INTEGRITY_BIT(VRP_INTEGRITY_OK) |
						    VRP_INTEGRITY_BIT(VRP_INTEGRITY_UNVERIFIED) });
}

static void test_filters_combine_with_and(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording_filter f = { .statuses = 0x7u,
				   .tag = "work",
				   .mime_type = "audio/mp4",
				   .max_duration = 50.0,
				   .remote = "r1",
				   .sync_status = "synced" };
	int64_t ids[N];
	assert_true(model_ids(&f, ids) > 0);
	assert_listing_matches_model(db, f);
}

static void test_every_sort_orders_both_directions_with_id_breaking_ties(void **state)
{
	vrp_db *db = test_fixture_db(state);
	for (int sort = VRP_SORT_CREATED; sort <= VRP_SORT_SIZE; sort++) {
		for (int desc = 0; desc <= 1; desc++) {
			vrp_recording_filter f = { .statuses = 0x7u,
						   .sort = (enum vrp_recording_sort)sort,
						   .descending = desc };
			assert_listing_matches_model(db, f);
		}
	}
}

static void test_title_sort_ignores_case(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording_filter f = { .sort = VRP_SORT_TITLE, .limit = 100 };
	vrp_recording_list *list = NULL;
	assert_ok(vrp_recording_repo_list(db, &f, &list));
	for (size_t i = 1; i < list->count; i++)
		assert_true(strcasecmp(list->items[i - 1]->title, list->items[i]->title) <= 0);
	/* "alpha" and "ALPHA" tie, so they come first, in id order. */
	assert_int_equal(strcasecmp(list->items[0]->title, "alpha"), 0);
	assert_true(list->items[0]->id < list->items[1]->id);
	vrp_recording_list_free(list);
}

static void page_through(vrp_db *db, vrp_recording_filter f, int64_t *seen, size_t *count)
{
	*count = 0;
	for (int pages = 0; pages < N + 2; pages++) {
		vrp_recording_list *list = NULL;
		assert_ok(vrp_recording_repo_list(db, &f, &list));
		assert_true(list->count <= (size_t)f.limit);
		for (size_t i = 0; i < list->count; i++)
			seen[(*count)++] = list->items[i]->id;
		int64_t next = list->next_cursor;
		if (next)
			assert_int_equal(next, list->items[list->count - 1]->id);
		vrp_recording_list_free(list);
		if (!next)
			return;
		f.cursor = next;
	}
	fail_msg("paging did not end");
}

static void test_paging_with_the_cursor_visits_every_row_exactly_once(void **state)
{
	vrp_db *db = test_fixture_db(state);
	for (int sort = VRP_SORT_CREATED; sort <= VRP_SORT_SIZE; sort++) {
		for (int desc = 0; desc <= 1; desc++) {
			vrp_recording_filter f = { .statuses = 0x7u,
						   .sort = (enum vrp_recording_sort)sort,
						   .descending = desc,
						   .limit = 7 };
			int64_t expected[N], seen[N + 8];
			size_t n = model_ids(&f, expected), got = 0;
			page_through(db, f, seen, &got);
			assert_int_equal(got, n);
			for (size_t i = 0; i < n; i++)
				assert_int_equal(seen[i], expected[i]);
		}
	}
}

static void test_paging_a_filtered_listing_stays_within_the_filter(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording_filter f = { .mime_type = "audio/wav",
				   .sort = VRP_SORT_DURATION,
				   .limit = 4 };
	int64_t expected[N], seen[N + 8];
	size_t n = model_ids(&f, expected), got = 0;
	page_through(db, f, seen, &got);
	assert_int_equal(got, n);
	assert_memory_equal(seen, expected, n * sizeof(*seen));
}

static void test_a_page_that_ends_exactly_at_the_last_row_has_no_next_cursor(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording_filter f = { .limit = 27 };
	vrp_recording_list *list = NULL;
	assert_ok(vrp_recording_repo_list(db, &f, &list));
	assert_int_equal(list->count, 27);
	assert_int_equal(list->next_cursor, 0);
	vrp_recording_list_free(list);
	f.limit = 26;
	assert_ok(vrp_recording_repo_list(db, &f, &list));
	assert_int_equal(list->count, 26);
	assert_int_equal(list->next_cursor, list->items[25]->id);
	vrp_recording_list_free(list);
}

static void test_default_limit_is_fifty_and_large_limits_are_cut(void **state)
{
	vrp_db *db = test_fixture_db(state);
	for (int i = 0; i < 30; i++)
		fixture_insert(db, 100 + i, "extra", NULL);
	vrp_recording_list *list = NULL;
	assert_ok(vrp_recording_repo_list(db, NULL, &list));
	assert_int_equal(list->count, VRP_LIST_DEFAULT_LIMIT);
	assert_int_not_equal(list->next_cursor, 0);
	vrp_recording_list_free(list);
	vrp_recording_filter f = { .limit = 100000 };
	assert_ok(vrp_recording_repo_list(db, &f, &list));
	assert_int_equal(list->count, 57);
	vrp_recording_list_free(list);
}

static void test_listing_loads_each_recordings_tags(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording_filter f = { .statuses = 0x7u, .limit = 100 };
	vrp_recording_list *list = NULL;
	assert_ok(vrp_recording_repo_list(db, &f, &list));
	assert_int_equal(list->count, N);
	for (size_t i = 0; i < list->count; i++) {
		const vrp_recording *r = list->items[i];
		const struct spec *s = &specs[r->id - specs[0].id];
		assert_int_equal(r->id, s->id);
		assert_int_equal(r->tag_count, (size_t)s->work + (size_t)s->home);
		if (s->work && s->home) {
			assert_string_equal(r->tags[0], "home");
			assert_string_equal(r->tags[1], "Work");
		} else if (s->work) {
			assert_string_equal(r->tags[0], "Work");
		}
	}
	vrp_recording_list_free(list);
}

static void test_a_cursor_naming_a_purged_recording_is_enotfound(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_ok(vrp_recording_repo_delete(db, specs[4].id));
	vrp_recording_filter f = { .cursor = specs[4].id };
	vrp_recording_list *list = NULL;
	assert_int_equal(vrp_recording_repo_list(db, &f, &list), VRP_ENOTFOUND);
	assert_null(list);
}

static void test_a_cursor_naming_a_soft_deleted_recording_still_pages(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording_filter f = { .cursor = specs[7].id }; /* deleted, so not in the listing */
	vrp_recording_list *list = NULL;
	assert_ok(vrp_recording_repo_list(db, &f, &list));
	/* created_at order: everything after recording 8's date (or equal with a higher id) */
	vrp_recording_filter all = { .limit = 0 };
	int64_t expected[N];
	size_t n = model_ids(&all, expected), after = 0;
	for (size_t i = 0; i < n; i++) {
		const struct spec *s = &specs[expected[i] - specs[0].id];
		int c = strcmp(s->created_at, specs[7].created_at);
		if (c > 0 || (c == 0 && s->id > specs[7].id))
			after++;
	}
	assert_int_equal(list->count, after);
	vrp_recording_list_free(list);
}

static void test_invalid_filters_are_einval(void **state)
{
	vrp_db *db = test_fixture_db(state);
	const vrp_recording_filter bad[] = {
		{ .limit = -1 },
		{ .statuses = 1u << 5 },
		{ .integrities = 1u << 4 },
		{ .sort = (enum vrp_recording_sort)9 },
		{ .sync_status = "synced" },
		{ .remote = "r1", .sync_status = "lost" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		vrp_recording_list *list = NULL;
		int64_t count = 0;
		assert_int_equal(vrp_recording_repo_list(db, &bad[i], &list), VRP_EINVAL);
		assert_null(list);
		if (bad[i].limit >= 0)
			assert_int_equal(vrp_recording_repo_count(db, &bad[i], &count), VRP_EINVAL);
	}
}

#define LIST_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, test_db_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		LIST_TEST(test_default_listing_hides_deleted_recordings),
		LIST_TEST(test_status_filter_selects_the_asked_statuses),
		LIST_TEST(test_tag_filter_ignores_case_and_surrounding_blanks),
		LIST_TEST(test_created_range_is_inclusive_then_exclusive),
		LIST_TEST(test_duration_bounds_are_inclusive),
		LIST_TEST(test_mime_type_filter_is_exact),
		LIST_TEST(test_remote_filter_alone_selects_recordings_with_a_row_there),
		LIST_TEST(test_sync_status_filter_matches_rows_on_that_remote),
		LIST_TEST(test_unsynced_also_matches_recordings_with_no_row_on_the_remote),
		LIST_TEST(test_integrity_filter_selects_the_asked_states),
		LIST_TEST(test_filters_combine_with_and),
		LIST_TEST(test_every_sort_orders_both_directions_with_id_breaking_ties),
		LIST_TEST(test_title_sort_ignores_case),
		LIST_TEST(test_paging_with_the_cursor_visits_every_row_exactly_once),
		LIST_TEST(test_paging_a_filtered_listing_stays_within_the_filter),
		LIST_TEST(test_a_page_that_ends_exactly_at_the_last_row_has_no_next_cursor),
		LIST_TEST(test_default_limit_is_fifty_and_large_limits_are_cut),
		LIST_TEST(test_listing_loads_each_recordings_tags),
		LIST_TEST(test_a_cursor_naming_a_purged_recording_is_enotfound),
		LIST_TEST(test_a_cursor_naming_a_soft_deleted_recording_still_pages),
		LIST_TEST(test_invalid_filters_are_einval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
