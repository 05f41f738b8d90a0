/*
 * fuzz_graph_json.c - Microsoft Graph's answers: the error body of any
 * status, a driveItem (size, QuickXorHash, the remote object made of it,
 * the check of an upload) and an upload session's nextExpectedRanges. The
 * first byte picks the status and whether a Retry-After came.
 */
#include "cloud/providers/onedrive.h"
#include "cloud/providers/onedrive_upload.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const long statuses[] = { 200, 400, 401, 403, 404, 409, 412, 429, 500, 503, 507 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *body = fuzz_text(data + 1, size - 1);
	if (!body)
		return 0;
	struct vrp_http_response r = { .status = statuses[data[0] % 11],
				       .body = body,
				       .body_len = size - 1,
				       .retry_after = (data[0] & 0x80) ? "Wed, 21 Oct 2015 07:28:00 GMT"
								       : NULL };
	FUZZ_ASSERT(onedrive_error("fuzz", "fuzzing", &r) < 0);
	json_t *item = json_loadb((const char *)data + 1, size - 1, 0, NULL);
	FUZZ_ASSERT(onedrive_size(item) >= -1);
	onedrive_quickxor(item);
	vrp_remote_object_free(onedrive_object(item, "VoiceRecorderPro/2026/11/memo.m4a"));
	char message[256];
	onedrive_matches(item, 1234, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", message, sizeof(message));
	int64_t next = onedrive_next_expected(json_object_get(item, "nextExpectedRanges"));
	FUZZ_ASSERT(next >= -1);
	const json_t *children = json_object_get(item, "value");
	size_t i;
	json_t *child;
	json_array_foreach(children, i, child)
	{
		onedrive_size(child);
		vrp_remote_object_free(onedrive_object(child, "VoiceRecorderPro/x"));
	}
	json_decref(item);
	free(body);
	return 0;
}
