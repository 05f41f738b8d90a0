/*
 * fuzz_drive_json.c - Google Drive's answers: the error body of any status,
 * a files.list page, a file resource (the answer to a lookup or an upload)
 * and about's storage quota. The first byte picks the status and whether a
 * Retry-After came; the rest is the body.
 */
#include "cloud/providers/gdrive.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const long statuses[] = { 200, 400, 401, 403, 404, 408, 429, 500, 503 };

/* What gdrive_take_files promises of every entry it keeps: a Drive id and a one-component name. */
static void check_kept(const json_t *f)
{
	const char *name = json_string_value(json_object_get(f, "name"));
	FUZZ_ASSERT(gdrive_is_id(json_string_value(json_object_get(f, "id"))));
	FUZZ_ASSERT(name && *name && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/'));
	FUZZ_ASSERT(!json_object_get(f, "size") || gdrive_bytes(f, "size") >= 0);
}

static void resource(const json_t *file)
{
	vrp_remote_object_free(gdrive_object(file, "VoiceRecorderPro/2026/11/memo.m4a"));
	char message[256];
	gdrive_verify(file, 1234, "0000000000000000000000000000000000000000000000000000000000000000",
		      "00000000000000000000000000000000", message, sizeof(message));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *body = fuzz_text(data + 1, size - 1);
	if (!body)
		return 0;
	struct vrp_http_response r = { .status = statuses[data[0] % 9],
				       .body = body,
				       .body_len = size - 1,
				       .retry_after = (data[0] & 0x80) ? "7" : NULL };
	int code = gdrive_error("fuzz", "fuzzing", &r);
	FUZZ_ASSERT(code < 0);
	json_t *answer = json_loadb((const char *)data + 1, size - 1, 0, NULL);
	struct gdrive gd = { .name = "fuzz" };
	struct gdrive_tokens seen = { 0 };
	json_t *kept = json_array();
	char *next = NULL;
	if (kept && gdrive_take_files(&gd, answer, "listing", &seen, kept, &next) == 0) {
		size_t i;
		json_t *f;
		json_array_foreach(kept, i, f)
		{
			check_kept(f);
			resource(f);
		}
		/* The same page again: its token was seen, and a loop must be refused. */
		if (next)
			FUZZ_ASSERT(gdrive_take_files(&gd, answer, "listing", &seen, kept,
						      &(char *){ NULL }) < 0);
	}
	resource(answer);
	vrp_storage_info info;
	gdrive_quota_of("fuzz", answer, &info);
	free(next);
	gdrive_tokens_clear(&seen);
	json_decref(kept);
	json_decref(answer);
	free(body);
	return 0;
}
