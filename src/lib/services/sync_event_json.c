/* sync_event_json.c - see sync_event_json.h. */
#include "services/sync_event_json.h"

#include "vrp/error.h"
#include "vrp/utf8.h"

#include <stdlib.h>

/* A remote's error message may carry anything; JSON strings must be UTF-8. */
static json_t *string_or_null(const char *text)
{
	if (!text)
		return json_null();
	char *fixed = vrp_utf8_valid(text) ? NULL : vrp_utf8_sanitize(text);
	json_t *s = json_string(fixed ? fixed : text);
	free(fixed);
	return s ? s : json_null();
}

json_t *vrp_sync_event_json(const vrp_sync_event *ev)
{
	json_t *o = json_pack("{s:s, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:I}", "kind",
			      vrp_sync_event_kind_to_string(ev->kind), "task_id",
			      (json_int_t)ev->task_id, "recording_id", (json_int_t)ev->recording_id,
			      "remote", string_or_null(ev->remote), "attempt",
			      (json_int_t)ev->attempt, "bytes_done", (json_int_t)ev->bytes_done,
			      "bytes_total", (json_int_t)ev->bytes_total, "files_done",
			      (json_int_t)ev->files_done, "files_total",
			      (json_int_t)ev->files_total, "delay_ms", (json_int_t)ev->delay_ms);
	if (!o)
		return NULL;
	json_object_set_new(o, "code",
			    ev->code ? json_string(vrp_error_code_name(ev->code)) : json_null());
	json_object_set_new(o, "message", string_or_null(ev->message));
	return o;
}
