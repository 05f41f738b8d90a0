/*
 * test_copies.c - which remote copies count towards offload.numcopies:
 * synced and proven by a hash within verify.max_age on a trusted remote;
 * and the refusal that names every configured remote that does not count.
 */
#include "copies_fixture.h"

#include "services/copies.h"
#include "vrp/remotes.h"
#include "vrp/settings.h"

#include <string.h>

struct copies {
	struct sync_fixture *fx;
	char *a, *b; /* folder remotes "a" and "b" */
	int64_t id;  /* one recording, synced to both */
};

static int setup(void **state)
{
	vrp_mock_stores_reset();
	struct copies *c = calloc(1, sizeof(*c));
	c->fx = sync_fixture_new(NULL, NULL);
	c->a = sync_fixture_localdir(c->fx, "a");
	c->b = sync_fixture_localdir(c->fx, "b");
	c->id = sync_fixture_recording(c->fx, 1, 3000);
	copies_sync(c->fx, c->id, "a");
	copies_sync(c->fx, c->id, "b");
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct copies *c = *state;
	free(c->a);
	free(c->b);
	sync_fixture_free(c->fx);
	free(c);
	vrp_mock_stores_reset();
	return 0;
}

static void tally(struct copies *c, struct copy_policy *policy, struct copy_tally *t)
{
	assert_ok(copy_policy_load(c->fx->lib, policy));
	assert_ok(copy_tally_load(c->fx->lib, policy, c->id, t));
}

static enum copy_standing standing_on(const struct copy_tally *t, const char *remote)
{
	for (size_t i = 0; i < t->rows->count; i++)
		if (!strcmp(t->rows->items[i]->remote, remote))
			return t->standing[i];
	fail_msg("no row for %s", remote);
	return COPY_COUNTS;
}

static void test_the_policy_defaults_to_one_copy_proven_within_thirty_days(void **state)
{
	struct copies *c = *state;
	struct copy_policy p;
	assert_ok(copy_policy_load(c->fx->lib, &p));
	assert_int_equal(p.numcopies, 1);
	int64_t age = vrp_time_now_ms() - vrp_time_parse_iso(p.oldest_proof);
	assert_true(age >= 30LL * 86400000 - 5000 && age <= 30LL * 86400000 + 5000);
	assert_ok(vrp_settings_set(c->fx->lib, "offload.numcopies", "3"));
	assert_ok(vrp_settings_set(c->fx->lib, "verify.max_age", "2d"));
	assert_ok(copy_policy_load(c->fx->lib, &p));
	assert_int_equal(p.numcopies, 3);
	age = vrp_time_now_ms() - vrp_time_parse_iso(p.oldest_proof);
	assert_true(age >= 2LL * 86400000 - 5000 && age <= 2LL * 86400000 + 5000);
}

static void test_a_synced_copy_without_a_proof_does_not_count(void **state)
{
	struct copies *c = *state;
	struct copy_policy p;
	struct copy_tally t;
	tally(c, &p, &t);
	assert_int_equal(t.counted, 0);
	assert_int_equal(standing_on(&t, "a"), COPY_UNPROVEN);
	copy_tally_clear(&t);
}

static void test_a_hash_proof_counts_and_a_size_proof_does_not(void **state)
{
	struct copies *c = *state;
	vrp_db *db = vrp_library_db(c->fx->lib);
	assert_ok(vrp_recording_remote_repo_set_proof(db, c->id, "a", "provider-hash"));
	assert_ok(vrp_recording_remote_repo_set_proof(db, c->id, "b", "size"));
	struct copy_policy p;
	struct copy_tally t;
	tally(c, &p, &t);
	assert_int_equal(t.counted, 1);
	assert_int_equal(standing_on(&t, "a"), COPY_COUNTS);
	assert_int_equal(standing_on(&t, "b"), COPY_UNPROVEN);
	char out[256];
	copy_tally_counted(&t, out, sizeof(out));
	assert_int_equal(strncmp(out, "a (20", 5), 0);
	copy_tally_clear(&t);
}

static void test_an_untrusted_remote_never_counts(void **state)
{
	struct copies *c = *state;
	vrp_db *db = vrp_library_db(c->fx->lib);
	assert_ok(vrp_recording_remote_repo_set_proof(db, c->id, "a", "download"));
	assert_ok(vrp_recording_remote_repo_set_proof(db, c->id, "b", "download"));
	vrp_kv untrusted[] = { { "trusted", "false" } };
	assert_ok(vrp_remotes_set(c->fx->lib, "b", untrusted, 1));
	struct copy_policy p;
	struct copy_tally t;
	tally(c, &p, &t);
	assert_int_equal(t.counted, 1);
	assert_int_equal(standing_on(&t, "b"), COPY_UNTRUSTED);
	copy_tally_clear(&t);
}

static void test_a_proof_older_than_max_age_is_stale(void **state)
{
	struct copies *c = *state;
	vrp_db *db = vrp_library_db(c->fx->lib);
	assert_ok(vrp_recording_remote_repo_set_proof(db, c->id, "a", "provider-hash"));
	test_exec(db, "UPDATE recording_remote SET verified_at = '2026-01-01T00:00:00.000Z' "
		      "WHERE remote = 'a'");
	assert_ok(vrp_settings_set(c->fx->lib, "verify.max_age", "1d"));
	struct copy_policy p;
	struct copy_tally t;
	tally(c, &p, &t);
	assert_int_equal(t.counted, 0);
	assert_int_equal(standing_on(&t, "a"), COPY_STALE);
	copy_tally_clear(&t);
	assert_ok(vrp_settings_set(c->fx->lib, "verify.max_age", "3650d"));
	tally(c, &p, &t);
	assert_int_equal(standing_on(&t, "a"), COPY_COUNTS);
	copy_tally_clear(&t);
}

static void test_a_failed_copy_does_not_count_and_says_its_error(void **state)
{
	struct copies *c = *state;
	vrp_db *db = vrp_library_db(c->fx->lib);
	assert_ok(vrp_recording_remote_repo_set_proof(db, c->id, "a", "provider-hash"));
	assert_ok(vrp_recording_remote_repo_set_status(db, c->id, "a", VRP_SYNC_FAILED,
						       "ERR_CHECKSUM_MISMATCH", "damaged"));
	struct copy_policy p;
	struct copy_tally t;
	tally(c, &p, &t);
	assert_int_equal(standing_on(&t, "a"), COPY_NOT_SYNCED);
	char out[1024];
	copy_tally_refusal(&t, &p, out, sizeof(out));
	assert_non_null(strstr(out, "a (failed, ERR_CHECKSUM_MISMATCH)"));
	copy_tally_clear(&t);
}

static void test_the_refusal_names_every_remote_and_why(void **state)
{
	struct copies *c = *state;
	vrp_db *db = vrp_library_db(c->fx->lib);
	assert_ok(vrp_settings_set(c->fx->lib, "offload.numcopies", "3"));
	assert_ok(vrp_recording_remote_repo_set_proof(db, c->id, "a", "provider-hash"));
	vrp_kv untrusted[] = { { "trusted", "false" } };
	assert_ok(vrp_remotes_set(c->fx->lib, "b", untrusted, 1));
	char *never = sync_fixture_localdir(c->fx, "never");
	free(never);
	struct copy_policy p;
	struct copy_tally t;
	tally(c, &p, &t);
	char out[1024], want[1024];
	copy_tally_refusal(&t, &p, out, sizeof(out));
	vrp_recording_remote *a = copies_row(c->fx, c->id, "a");
	/* "m", the fixture's mock remote, never got this recording either. */
	snprintf(want, sizeof(want),
		 "only 1 of 3 required copies verified: a (%.10s); not counted: b (untrusted), "
		 "m (never uploaded), never (never uploaded)",
		 a->verified_at);
	vrp_recording_remote_free(a);
	assert_string_equal(out, want);
	copy_tally_clear(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_the_policy_defaults_to_one_copy_proven_within_thirty_days),
		T(test_a_synced_copy_without_a_proof_does_not_count),
		T(test_a_hash_proof_counts_and_a_size_proof_does_not),
		T(test_an_untrusted_remote_never_counts),
		T(test_a_proof_older_than_max_age_is_stale),
		T(test_a_failed_copy_does_not_count_and_says_its_error),
		T(test_the_refusal_names_every_remote_and_why),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
