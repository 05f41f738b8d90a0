/* test_oauth.c - PKCE, the authorization URL, token answers and the loopback listener. */
#include "test_support.h"

#include "cloud/oauth.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void test_pkce_challenge_matches_rfc7636_appendix_b(void **state)
{
	(void)state;
	char challenge[VRP_OAUTH_RANDOM_LEN];
	assert_ok(
		vrp_oauth_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", challenge));
	assert_string_equal(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

static void test_base64url_has_no_padding_and_url_safe_letters(void **state)
{
	(void)state;
	char out[16];
	const unsigned char bytes[] = { 0xfb, 0xff, 0xbf };
	vrp_oauth_base64url(bytes, 3, out);
	assert_string_equal(out, "-_-_");
	vrp_oauth_base64url((const unsigned char *)"ab", 2, out);
	assert_string_equal(out, "YWI");
}

static void test_verifiers_are_43_random_characters(void **state)
{
	(void)state;
	char a[VRP_OAUTH_RANDOM_LEN], b[VRP_OAUTH_RANDOM_LEN];
	assert_ok(vrp_oauth_random(a));
	assert_ok(vrp_oauth_random(b));
	assert_int_equal(strlen(a), 43); /* RFC 7636: 43 to 128 characters */
	assert_int_equal(
		strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
	assert_string_not_equal(a, b);
}

static const struct vrp_oauth_client client = {
	.remote = "gd",
	.client_id = "id.apps",
	.client_secret = "s3cret",
	.auth_url = "https://accounts.google.com/o/oauth2/v2/auth",
	.token_url = "https://oauth2.googleapis.com/token",
	.scope = "https://www.googleapis.com/auth/drive.file",
};

static void test_auth_url_carries_pkce_state_and_loopback_redirect(void **state)
{
	(void)state;
	char *url = vrp_oauth_auth_url(&client, "http://127.0.0.1:5555/", "st4te", "chall");
	assert_string_equal(url, "https://accounts.google.com/o/oauth2/v2/auth?client_id=id.apps"
				 "&redirect_uri=http%3A%2F%2F127.0.0.1%3A5555%2F&response_type=code"
				 "&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fdrive.file"
				 "&state=st4te&code_challenge=chall&code_challenge_method=S256"
				 "&access_type=offline&prompt=consent");
	assert_null(strstr(url, "s3cret")); /* the client secret never goes to the browser */
	free(url);
}

static void test_token_answer_is_parsed_with_expiry(void **state)
{
	(void)state;
	struct vrp_oauth_tokens t;
	assert_ok(vrp_oauth_parse_tokens("gd",
					 "{\"access_token\":\"ya29.a\",\"expires_in\":3599,"
					 "\"refresh_token\":\"1//r\",\"token_type\":\"Bearer\"}",
					 1000, &t));
	assert_string_equal(t.access_token, "ya29.a");
	assert_string_equal(t.refresh_token, "1//r");
	assert_int_equal(t.expires_at_ms, 1000 + 3599000);
	vrp_oauth_tokens_clear(&t);
	assert_ok(vrp_oauth_parse_tokens("gd", "{\"access_token\":\"ya29.b\"}", 0, &t));
	assert_null(t.refresh_token); /* a refresh answer keeps the old one */
	vrp_oauth_tokens_clear(&t);
	assert_int_equal(vrp_oauth_parse_tokens("gd", "{\"error\":\"x\"}", 0, &t), VRP_EAUTH);
	assert_int_equal(vrp_oauth_parse_tokens("gd", "not json", 0, &t), VRP_EAUTH);
	vrp_oauth_tokens_clear(NULL);
}

/* The expiry `expires_in` (JSON text) gives at now = 10^12 ms. */
static int64_t expiry_of(const char *expires_in)
{
	char json[256];
	snprintf(json, sizeof(json), "{\"access_token\":\"ya29.x\",\"expires_in\":%s}", expires_in);
	struct vrp_oauth_tokens t;
	assert_ok(vrp_oauth_parse_tokens("gd", json, 1000000000000LL, &t));
	int64_t expires_at_ms = t.expires_at_ms;
	vrp_oauth_tokens_clear(&t);
	return expires_at_ms;
}

static void test_token_lifetimes_are_clamped_to_a_minute_and_a_day(void **state)
{
	(void)state;
	const int64_t now = 1000000000000LL, minute = now + 60000, day = now + 86400000;
	assert_int_equal(expiry_of("9223372036854775807"), day);
	assert_int_equal(expiry_of("\"9223372036854775807\""), day);
	assert_int_equal(expiry_of("\"99999999999999999999\""), now + 3600000);
	assert_int_equal(expiry_of("-9223372036854775807"), minute);
	assert_int_equal(expiry_of("0"), minute);
	assert_int_equal(expiry_of("\"-5\""), minute);
	assert_int_equal(expiry_of("3599"), now + 3599000);
	assert_int_equal(expiry_of("\"3599\""), now + 3599000);
	assert_int_equal(expiry_of("\"soon\""), now + 3600000);
	assert_int_equal(expiry_of("[1]"), now + 3600000);
	assert_int_equal(expiry_of("1.5e300"), now + 3600000);
}

static void test_tokens_that_would_break_a_header_are_refused(void **state)
{
	(void)state;
	struct vrp_oauth_tokens t;
	const char *bad[] = {
		"{\"access_token\":\"ya29.a\\r\\nX-Evil: 1\"}",
		"{\"access_token\":\"ya29 a\"}",
		"{\"access_token\":7}",
		"{\"access_token\":\"ya29.a\",\"refresh_token\":\"1//a\\nb\"}",
		"[\"ya29.a\"]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(vrp_oauth_parse_tokens("gd", bad[i], 0, &t), VRP_EAUTH);
	assert_ok(vrp_oauth_parse_tokens(
		"gd", "{\"access_token\":\"ya29.A-b_c~d+e/f=\",\"refresh_token\":\"1//0g\"}", 0,
		&t));
	vrp_oauth_tokens_clear(&t);
}

static void test_clamp_keeps_values_in_range(void **state)
{
	(void)state;
	assert_int_equal(vrp_oauth_clamp_s(INT64_MAX, 1, 60, 5), 60);
	assert_int_equal(vrp_oauth_clamp_s(INT64_MIN + 1, 1, 60, 5), 1);
	assert_int_equal(vrp_oauth_clamp_s(INT64_MIN, 1, 60, 5), 5);
	assert_int_equal(vrp_oauth_clamp_s(30, 1, 60, 5), 30);
}

static void test_token_errors_are_classified(void **state)
{
	(void)state;
	assert_int_equal(vrp_oauth_error("gd", "refresh", 400,
					 "{\"error\":\"invalid_grant\",\"error_description\":"
					 "\"Token has been expired or revoked.\"}"),
			 VRP_EAUTH_EXPIRED);
	assert_non_null(strstr(vrp_error_last()->message, "Token has been expired or revoked."));
	assert_non_null(strstr(vrp_error_last()->message, "vrp remote auth"));
	assert_int_equal(vrp_oauth_error("gd", "refresh", 401, "{\"error\":\"invalid_client\"}"),
			 VRP_EAUTH);
	assert_int_equal(vrp_oauth_error("gd", "refresh", 503, "oops"), VRP_ETRANSIENT);
	assert_int_equal(vrp_oauth_error("gd", "refresh", 429, NULL), VRP_ERATE_LIMIT);
}

struct browser {
	int port;
	const char *requests[3];
	char answers[3][1024];
};

/* Plays the browser: each request on its own connection, answers kept. */
static void *browse(void *arg)
{
	struct browser *b = arg;
	for (int i = 0; i < 3 && b->requests[i]; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(b->port) };
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		    write(fd, b->requests[i], strlen(b->requests[i])) > 0) {
			size_t got = 0;
			ssize_t n;
			/* Until the listener closes: the answer may come in several pieces. */
			while (got + 1 < sizeof(b->answers[i]) &&
			       (n = read(fd, b->answers[i] + got,
					 sizeof(b->answers[i]) - 1 - got)) > 0)
				got += (size_t)n;
			b->answers[i][got] = '\0';
		}
		close(fd);
	}
	return NULL;
}

static int port_of(const char *redirect_uri) { return atoi(strrchr(redirect_uri, ':') + 1); }

static void test_listener_takes_the_code_with_our_state_only(void **state)
{
	(void)state;
	struct vrp_oauth_listener *l = NULL;
	const char *redirect = NULL;
	assert_ok(vrp_oauth_listener_open(&l, &redirect));
	assert_true(strncmp(redirect, "http://127.0.0.1:", 17) == 0);
	struct browser b = { .port = port_of(redirect) };
	b.requests[0] = "GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n";
	b.requests[1] = "GET /?code=evil&state=other HTTP/1.1\r\n\r\n";
	b.requests[2] = "GET /?state=good&code=4%2F0Ab-c&scope=x HTTP/1.1\r\nHost: x\r\n\r\n";
	pthread_t t;
	pthread_create(&t, NULL, browse, &b);
	char *code = NULL;
	assert_ok(vrp_oauth_listener_wait(l, "good", vrp_oauth_now_ms() + 10000, &code));
	pthread_join(t, NULL);
	assert_string_equal(code, "4/0Ab-c");
	assert_non_null(strstr(b.answers[0], "400"));
	assert_non_null(strstr(b.answers[1], "400"));
	assert_non_null(strstr(b.answers[2], "200 OK"));
	assert_non_null(strstr(b.answers[2], "You can close this window"));
	free(code);
	vrp_oauth_listener_free(l);
}

static void test_listener_reports_a_refusal(void **state)
{
	(void)state;
	struct vrp_oauth_listener *l = NULL;
	const char *redirect = NULL;
	assert_ok(vrp_oauth_listener_open(&l, &redirect));
	struct browser b = { .port = port_of(redirect) };
	b.requests[0] = "GET /?error=access_denied&state=good HTTP/1.1\r\n\r\n";
	pthread_t t;
	pthread_create(&t, NULL, browse, &b);
	char *code = NULL;
	assert_int_equal(vrp_oauth_listener_wait(l, "good", vrp_oauth_now_ms() + 10000, &code),
			 VRP_EAUTH);
	pthread_join(t, NULL);
	assert_null(code);
	assert_non_null(strstr(vrp_error_last()->message, "access_denied"));
	vrp_oauth_listener_free(l);
}

static void test_listener_gives_up_at_the_deadline(void **state)
{
	(void)state;
	struct vrp_oauth_listener *l = NULL;
	const char *redirect = NULL;
	assert_ok(vrp_oauth_listener_open(&l, &redirect));
	char *code = NULL;
	assert_int_equal(vrp_oauth_listener_wait(l, "s", vrp_oauth_now_ms() + 200, &code),
			 VRP_EAUTH);
	vrp_oauth_listener_free(l);
	vrp_oauth_listener_free(NULL);
}

static void test_no_browser_without_a_display(void **state)
{
	(void)state;
	unsetenv("DISPLAY");
	unsetenv("WAYLAND_DISPLAY");
	assert_false(vrp_oauth_open_browser("https://example.com/"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkce_challenge_matches_rfc7636_appendix_b),
		cmocka_unit_test(test_base64url_has_no_padding_and_url_safe_letters),
		cmocka_unit_test(test_verifiers_are_43_random_characters),
		cmocka_unit_test(test_auth_url_carries_pkce_state_and_loopback_redirect),
		cmocka_unit_test(test_token_answer_is_parsed_with_expiry),
		cmocka_unit_test(test_token_lifetimes_are_clamped_to_a_minute_and_a_day),
		cmocka_unit_test(test_clamp_keeps_values_in_range),
		cmocka_unit_test(test_tokens_that_would_break_a_header_are_refused),
		cmocka_unit_test(test_token_errors_are_classified),
		cmocka_unit_test(test_listener_takes_the_code_with_our_state_only),
		cmocka_unit_test(test_listener_reports_a_refusal),
		cmocka_unit_test(test_listener_gives_up_at_the_deadline),
		cmocka_unit_test(test_no_browser_without_a_display),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
