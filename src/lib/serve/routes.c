/*
 * routes.c - which handler answers which method and path.
 *
 * One table, in the OpenAPI document's own path syntax, so a test can check
 * that every route here is described there (tests/unit/test_serve_routes.c).
 */
#include "serve/serve_internal.h"

#include <string.h>

const struct serve_route serve_routes[] = {
	{ "GET", "/", SERVE_BODY_NONE, serve_page },
	{ "GET", "/app.js", SERVE_BODY_NONE, serve_page },
	{ "GET", "/style.css", SERVE_BODY_NONE, serve_page },
	{ "GET", "/api/openapi.json", SERVE_BODY_NONE, serve_api_openapi },
	{ "GET", "/api/recordings", SERVE_BODY_NONE, serve_api_recordings_list },
	{ "GET", "/api/search", SERVE_BODY_NONE, serve_api_search },
	{ "GET", "/api/recordings/{id}", SERVE_BODY_NONE, serve_api_recording_show },
	{ "PATCH", "/api/recordings/{id}", SERVE_BODY_JSON, serve_api_recording_edit },
	{ "DELETE", "/api/recordings/{id}", SERVE_BODY_JSON, serve_api_recording_delete },
	{ "POST", "/api/recordings/{id}/restore", SERVE_BODY_JSON, serve_api_recording_restore },
	{ "POST", "/api/recordings/{id}/archive", SERVE_BODY_JSON, serve_api_recording_archive },
	{ "GET", "/api/recordings/{id}/audio", SERVE_BODY_NONE, serve_api_audio },
	{ "GET", "/api/recordings/{id}/waveform", SERVE_BODY_NONE, serve_api_waveform },
	{ "GET", "/api/recordings/{id}/spectrogram", SERVE_BODY_NONE, serve_api_spectrogram },
	{ "POST", "/api/import", SERVE_BODY_UPLOAD, serve_api_import },
	{ "GET", "/api/remotes", SERVE_BODY_NONE, serve_api_remotes },
	{ "GET", "/api/sync", SERVE_BODY_NONE, serve_api_sync_status },
	{ "POST", "/api/sync", SERVE_BODY_JSON, serve_api_sync_start },
	{ "GET", "/api/queue", SERVE_BODY_NONE, serve_api_queue },
	{ "GET", "/api/events", SERVE_BODY_NONE, serve_api_events },
	{ "GET", "/metrics", SERVE_BODY_NONE, serve_api_metrics },
	{ NULL, NULL, SERVE_BODY_NONE, NULL },
};

/* Whether `url` matches `pattern`, a "{id}" segment taking one non-empty path segment. */
static bool path_matches(const char *pattern, const char *url, char *id, size_t id_size)
{
	while (*pattern && *url) {
		if (!strncmp(pattern, "{id}", 4)) {
			size_t n = strcspn(url, "/");
			if (n == 0 || n >= id_size)
				return false;
			memcpy(id, url, n);
			id[n] = '\0';
			url += n;
			pattern += 4;
			continue;
		}
		if (*pattern++ != *url++)
			return false;
	}
	return *pattern == '\0' && *url == '\0';
}

const struct serve_route *serve_route_find(const char *method, const char *url, char *id,
					   size_t id_size, bool *allowed)
{
	*allowed = false;
	/* HEAD is GET without the body; libmicrohttpd drops the body itself. */
	const char *m = !strcmp(method, "HEAD") ? "GET" : method;
	for (const struct serve_route *r = serve_routes; r->method; r++) {
		if (!path_matches(r->pattern, url, id, id_size))
			continue;
		if (!strcmp(r->method, m))
			return r;
		*allowed = true;
	}
	return NULL;
}
