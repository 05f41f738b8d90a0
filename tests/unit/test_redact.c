/* test_redact.c - credentials removed and e-mail addresses masked in text and JSON. */
#include "test_support.h"

#include "core/redact.h"

#include <stdlib.h>
#include <string.h>

static void assert_redacts_to(const char *text, const char *expected)
{
	char *out = vrp_redact_text(text);
	assert_non_null(out);
	assert_string_equal(out, expected);
	free(out);
}

static void test_email_keeps_only_the_first_character_of_the_local_part(void **state)
{
	(void)state;
	assert_redacts_to("mail jane.doe@example.com now", "mail j***@example.com now");
	assert_redacts_to("a+tag@mail.example.org,b@x.io", "a***@mail.example.org,b***@x.io");
	assert_redacts_to("/home/me/jane@example.com/memo.wav",
			  "/home/me/j***@example.com/memo.wav");
}

static void test_at_sign_without_a_domain_is_not_an_email(void **state)
{
	(void)state;
	assert_redacts_to("user@localhost and @home", "user@localhost and @home");
}

static void test_bearer_credentials_are_removed(void **state)
{
	(void)state;
	assert_redacts_to("sent Bearer abc.DEF-123 to the API",
			  "sent Bearer [REDACTED] to the API");
	assert_redacts_to("bearer   xyz", "Bearer [REDACTED]");
}

static void test_values_of_credential_keys_are_removed(void **state)
{
	(void)state;
	assert_redacts_to("GET /cb?code=1&access_token=s3cr3t&state=x",
			  "GET /cb?code=1&access_token=[REDACTED]&state=x");
	assert_redacts_to("password: hunter2, user: jo", "password: [REDACTED], user: jo");
	assert_redacts_to("{\"refresh_token\": \"r-123\"}", "{\"refresh_token\": \"[REDACTED]\"}");
	assert_redacts_to("Authorization: Bearer tok123 next", "Authorization: [REDACTED] next");
	assert_redacts_to("client_secret=abc apikey=k1",
			  "client_secret=[REDACTED] apikey=[REDACTED]");
}

static void test_a_credential_word_in_prose_keeps_the_words_after_it(void **state)
{
	(void)state;
	const char *texts[] = {
		"\"client_secret\" looks like a secret: secrets are never settings",
		"remote gd: cannot store the refreshed token: disk full",
		"asked for the password: none was given",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++)
		assert_redacts_to(texts[i], texts[i]);
}

static void test_credential_keys_outside_prose_are_still_redacted(void **state)
{
	(void)state;
	assert_redacts_to("password: hunter2", "password: [REDACTED]");
	assert_redacts_to("> Cookie: SID=abc", "> Cookie: [REDACTED]");
	assert_redacts_to("headers\nX-Auth-Token: t0k", "headers\nX-Auth-Token: [REDACTED]");
	assert_redacts_to("sent {\"secret\": \"s1\"}", "sent {\"secret\": \"[REDACTED]\"}");
	assert_redacts_to("the token=abc was refused", "the token=[REDACTED] was refused");
	assert_redacts_to("a secret: Bearer xyz", "a secret: Bearer [REDACTED]");
}

static void test_tokens_are_recognised_by_their_shape(void **state)
{
	(void)state;
	assert_redacts_to("got ya29.a0AfH6SMBx-y_z here", "got [REDACTED] here");
	assert_redacts_to("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end",
			  "jwt [REDACTED] end");
}

static void test_ordinary_text_is_unchanged(void **state)
{
	(void)state;
	const char *texts[] = { "token refresh failed: ERR_AUTH_EXPIRED", "import started",
				"/home/me/Memos/standup.m4a", "passwords are never logged", "" };
	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++)
		assert_redacts_to(texts[i], texts[i]);
}

static void test_redacting_twice_changes_nothing_more(void **state)
{
	(void)state;
	const char *text = "token=abc Bearer x jane@example.com ya29.zz";
	char *once = vrp_redact_text(text);
	char *twice = vrp_redact_text(once);
	assert_string_equal(once, twice);
	free(once);
	free(twice);
}

static void test_json_credential_keys_are_redacted_at_any_depth(void **state)
{
	(void)state;
	json_t *v = json_pack("{s:s, s:{s:s, s:[s, {s:s}]}, s:i}", "access_token", "a1", "remote",
			      "X-Auth-Token", "x2", "list", "Bearer b3", "clientSecret", "c4",
			      "count", 3);
	assert_true(vrp_redact_json(v));
	char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"access_token\":\"[REDACTED]\",\"count\":3,\"remote\":"
				  "{\"X-Auth-Token\":\"[REDACTED]\",\"list\":[\"Bearer "
				  "[REDACTED]\",{\"clientSecret\":\"[REDACTED]\"}]}}");
	free(text);
	json_decref(v);
}

static void test_json_strings_have_emails_masked(void **state)
{
	(void)state;
	json_t *v = json_pack("{s:s}", "account", "jane@example.com");
	assert_true(vrp_redact_json(v));
	assert_string_equal(json_string_value(json_object_get(v, "account")), "j***@example.com");
	json_decref(v);
}

static void test_secret_key_names(void **state)
{
	(void)state;
	const char *secret[] = { "token",         "access_token", "refresh-token", "X-Auth-Token",
				 "password",      "db.passwd",    "client_secret", "clientSecret",
				 "Authorization", "apikey",       "API_KEY",       "cookie" };
	const char *plain[] = { "tokens", "token_count", "user", "passwords_set", "author", "key" };
	for (size_t i = 0; i < sizeof(secret) / sizeof(*secret); i++)
		assert_true(vrp_redact_is_secret_key(secret[i]));
	for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++)
		assert_false(vrp_redact_is_secret_key(plain[i]));
}

static void test_user_names_are_masked(void **state)
{
	(void)state;
	char out[32];
	vrp_redact_user("jdoe", out, sizeof(out));
	assert_string_equal(out, "j***");
	vrp_redact_user("élodie", out, sizeof(out));
	assert_string_equal(out, "é***");
	vrp_redact_user("jane@example.com", out, sizeof(out));
	assert_string_equal(out, "j***@example.com");
	vrp_redact_user("", out, sizeof(out));
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email_keeps_only_the_first_character_of_the_local_part),
		cmocka_unit_test(test_at_sign_without_a_domain_is_not_an_email),
		cmocka_unit_test(test_bearer_credentials_are_removed),
		cmocka_unit_test(test_values_of_credential_keys_are_removed),
		cmocka_unit_test(test_tokens_are_recognised_by_their_shape),
		cmocka_unit_test(test_ordinary_text_is_unchanged),
		cmocka_unit_test(test_a_credential_word_in_prose_keeps_the_words_after_it),
		cmocka_unit_test(test_credential_keys_outside_prose_are_still_redacted),
		cmocka_unit_test(test_redacting_twice_changes_nothing_more),
		cmocka_unit_test(test_json_credential_keys_are_redacted_at_any_depth),
		cmocka_unit_test(test_json_strings_have_emails_masked),
		cmocka_unit_test(test_secret_key_names),
		cmocka_unit_test(test_user_names_are_masked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
