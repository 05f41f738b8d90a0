/*
 * serve_internal.h - what the modules of the HTTP server share (internal).
 *
 * server.c owns libmicrohttpd and the request lifecycle; security.c decides
 * who may ask; routes.c maps method and path to a handler; the api_*.c files
 * call the services and answer; events.c fans events out to the SSE
 * streams; pool.c lends library connections to request threads.
 */
#ifndef VRP_SERVE_INTERNAL_H
#define VRP_SERVE_INTERNAL_H

#include "vrp/library.h"
#include "vrp/serve.h"

#include <jansson.h>
#include "serve/mhd_lib.h"
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERVE_TOKEN_HEX 64 /* 256 bits */
#define SERVE_COOKIE    "vrp_token"

/* ---- pool.c: library connections shared by request threads ---- */
struct serve_pool;
int serve_pool_new(struct serve_pool **out, const char *root);
/* A connection for this request; give it back with serve_pool_release(). */
int serve_pool_acquire(struct serve_pool *pool, vrp_library **out);
void serve_pool_release(struct serve_pool *pool, vrp_library *lib);
void serve_pool_free(struct serve_pool *pool);

/* ---- events.c: the Server-Sent Events hub ---- */
struct serve_events;
int serve_events_new(struct serve_events **out);
/* Sends event `type` with `data` (stolen) to every stream. */
void serve_events_publish(struct serve_events *events, const char *type, json_t *data);
/* Wakes every stream so it ends; later reads see end of stream. */
void serve_events_close(struct serve_events *events);
void serve_events_free(struct serve_events *events);
/* A response streaming events after `last_id` (0: only new ones). */
struct MHD_Response *serve_events_response(struct serve_events *events, uint64_t last_id);

/* ---- worker.c: the sync/derive worker on a thread of the server ---- */
struct serve_worker;
int serve_worker_start(struct serve_worker **out, const char *root, struct serve_events *events);
bool serve_worker_running(const struct serve_worker *worker);
void serve_worker_stop(struct serve_worker *worker);

/* ---- watch.c: "changed" events for what other processes do ---- */
struct serve_watch;
int serve_watch_start(struct serve_watch **out, const char *root, struct serve_events *events);
/* NULL is ignored. */
void serve_watch_stop(struct serve_watch *watch);

/* ---- watch_activity.c: progress events for other processes' runs ---- */
struct serve_activity;
struct serve_activity *serve_activity_new(struct serve_events *events); /* NULL: out of memory */
void serve_activity_free(struct serve_activity *activity);              /* accepts NULL */
/* Publishes what the runs of other processes did since the last call. */
void serve_activity_follow(struct serve_activity *activity, const char *root);

struct serve_upload;

/* ---- the server ---- */
struct vrp_server {
	struct MHD_Daemon *daemon;
	char *root;
	char token[SERVE_TOKEN_HEX + 1];
	char *url;
	/* The Host values a request may carry: "127.0.0.1:PORT", "localhost:PORT"... */
	char hosts[4][80];
	size_t host_count;
	int port;
	bool loopback;
	struct serve_pool *pool;
	struct serve_events *events;
	struct serve_worker *worker;
	struct serve_watch *watch;
	/* Handlers running at once, at most `gate_limit` (see run_handler in server.c). */
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_free;
	int gate_busy, gate_limit;
};

/* One request, from its headers to its response. */
struct serve_request {
	vrp_server *server;
	struct MHD_Connection *connection;
	const char *method;
	const char *url;
	const struct serve_route *route;
	char id[64]; /* the {id} of the path, when the route has one */
	/* A JSON body, gathered in memory (bounded) until the last call. */
	char *body;
	size_t body_len;
	bool body_too_large;
	/* An upload, streamed to disk as it arrives (api_import.c). */
	struct serve_upload *upload;
	bool answered; /* a response was queued before the body was read */
};

/* ---- routes.c ---- */
enum serve_body {
	SERVE_BODY_NONE = 0, /* GET: no body, no state change */
	SERVE_BODY_JSON,     /* changes state: needs application/json (may be empty) */
	SERVE_BODY_UPLOAD,   /* changes state: multipart/form-data or a raw audio body */
};
typedef enum MHD_Result (*serve_handler_fn)(struct serve_request *req);
struct serve_route {
	const char *method;
	const char *pattern; /* as in the OpenAPI document: "/api/recordings/{id}" */
	enum serve_body body;
	serve_handler_fn handler;
};
/* Every route, ending with a zero entry. */
extern const struct serve_route serve_routes[];
/*
 * The route for `method` and `url` (its {id} into `id`). NULL with `*allowed`
 * true when the path exists under another method (405), false when not (404).
 */
const struct serve_route *serve_route_find(const char *method, const char *url, char *id,
					   size_t id_size, bool *allowed);

/* ---- api_media.c ---- */
/*
 * A single "bytes=A-B", "bytes=A-" or "bytes=-N" range of a file of `size`
 * bytes into [*first, *last]. 1: satisfiable; 0: no range to honour (absent,
 * several ranges, or malformed: the whole file is the answer); -1: nothing
 * of the file is in it (416).
 */
int serve_parse_range(const char *header, uint64_t size, uint64_t *first, uint64_t *last);

/* ---- security.c ---- */
int serve_token_generate(char out[SERVE_TOKEN_HEX + 1]);
/* Whether the request carries the token (Bearer header or cookie); constant time. */
bool serve_request_authorized(const vrp_server *server, struct MHD_Connection *connection);
bool serve_token_equal(const char *a, const char *b);
/* Whether the Host header names our listening address. */
bool serve_host_allowed(const vrp_server *server, struct MHD_Connection *connection);
/* Whether a state-changing request's Origin is absent or our own. */
bool serve_origin_allowed(const vrp_server *server, struct MHD_Connection *connection);
/* Whether the Content-Type fits a route of kind `body`. */
bool serve_content_type_allowed(struct MHD_Connection *connection, enum serve_body body);

/* ---- response.c ---- */
enum MHD_Result serve_send(struct MHD_Connection *connection, unsigned status,
			   struct MHD_Response *response);
/* `json` (stolen) as the body, application/json. */
enum MHD_Result serve_send_json(struct MHD_Connection *connection, unsigned status, json_t *json);
/* {"error":{"code","message"}} with `status`. */
enum MHD_Result serve_send_error(struct MHD_Connection *connection, unsigned status,
				 const char *code, const char *message);
/* The calling thread's last libvrp error for code `rc`, with the status that fits it. */
enum MHD_Result serve_send_vrp_error(struct MHD_Connection *connection, int rc);
unsigned serve_http_status(int rc);
/* Headers every response carries (no-store for the API, nosniff, no framing). */
void serve_add_common_headers(struct MHD_Response *response);
/* Bytes from memory that must outlive the response (static assets). */
enum MHD_Result serve_send_static(struct MHD_Connection *connection, const char *content_type,
				  const void *data, size_t size);
/* A query parameter, or NULL. */
const char *serve_query(struct serve_request *req, const char *name);
/* A JSON string, with ill-formed UTF-8 replaced; null for NULL. */
json_t *serve_json_string(const char *text);

/* ---- handlers (api_*.c) ---- */
enum MHD_Result serve_api_recordings_list(struct serve_request *req);
enum MHD_Result serve_api_search(struct serve_request *req);
enum MHD_Result serve_api_recording_show(struct serve_request *req);
enum MHD_Result serve_api_recording_edit(struct serve_request *req);
enum MHD_Result serve_api_recording_delete(struct serve_request *req);
enum MHD_Result serve_api_recording_restore(struct serve_request *req);
enum MHD_Result serve_api_recording_archive(struct serve_request *req);
enum MHD_Result serve_api_audio(struct serve_request *req);
enum MHD_Result serve_api_waveform(struct serve_request *req);
enum MHD_Result serve_api_spectrogram(struct serve_request *req);
enum MHD_Result serve_api_import(struct serve_request *req);
enum MHD_Result serve_api_remotes(struct serve_request *req);
enum MHD_Result serve_api_sync_status(struct serve_request *req);
enum MHD_Result serve_api_sync_start(struct serve_request *req);
enum MHD_Result serve_api_queue(struct serve_request *req);
enum MHD_Result serve_api_events(struct serve_request *req);
enum MHD_Result serve_api_metrics(struct serve_request *req);
enum MHD_Result serve_api_openapi(struct serve_request *req);
enum MHD_Result serve_page(struct serve_request *req);

/* api_import.c: the streaming side of an upload. */
int serve_upload_begin(struct serve_request *req);
/* Takes the next piece of the body; false when the upload failed (answered at the end). */
bool serve_upload_feed(struct serve_request *req, const char *data, size_t size);
void serve_upload_free(struct serve_upload *upload);

/* ---- assets_embedded.c (generated by scripts/embed-files.py) ---- */
struct serve_asset {
	const char *name; /* "index.html", "openapi.json"... */
	const char *content_type;
	const unsigned char *data;
	size_t size;
};
extern const struct serve_asset serve_assets[];
const struct serve_asset *serve_asset_find(const char *name);

#endif
