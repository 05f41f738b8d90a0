/*
 * fuzz_oauth.c - a token endpoint's answers (tokens, errors of any status)
 * and a device endpoint's. The first byte picks the status.
 */
#include "cloud/oauth.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const long statuses[] = { 200, 400, 401, 403, 408, 429, 500, 503 };

static bool token_chars(const char *t)
{
	return t && *t &&
	       strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=") ==
		       strlen(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *body = fuzz_text(data + 1, size - 1);
	if (!body)
		return 0;
	const int64_t now = 1764800000000;
	struct vrp_oauth_tokens tokens;
	if (vrp_oauth_parse_tokens("fuzz", body, now, &tokens) == 0) {
		/* A token goes into an Authorization header: nothing that could end or bend it. */
		FUZZ_ASSERT(token_chars(tokens.access_token));
		FUZZ_ASSERT(!tokens.refresh_token || token_chars(tokens.refresh_token));
		FUZZ_ASSERT(tokens.expires_at_ms >= now + VRP_OAUTH_MIN_LIFETIME_S * 1000);
		FUZZ_ASSERT(tokens.expires_at_ms <= now + VRP_OAUTH_MAX_LIFETIME_S * 1000);
	}
	vrp_oauth_tokens_clear(&tokens);
	FUZZ_ASSERT(vrp_oauth_error("fuzz", "refresh", statuses[data[0] % 8], body) < 0);
	struct vrp_oauth_client client = { .remote = "fuzz", .client_id = "id" };
	struct vrp_oauth_device device = { 0 };
	if (vrp_oauth_parse_device(&client, body, &device) == 0) {
		FUZZ_ASSERT(device.device_code && device.user_code && device.verification_url);
		FUZZ_ASSERT(device.interval_s >= 1 && device.interval_s <= VRP_OAUTH_MAX_INTERVAL_S);
	}
	vrp_oauth_device_clear(&device);
	free(body);
	return 0;
}
