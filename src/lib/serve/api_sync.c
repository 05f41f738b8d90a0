/*
 * api_sync.c - remotes, sync status and start, the queue, the event
 * stream, Prometheus metrics, the OpenAPI document and the page.
 */
#include "serve/serve_internal.h"

#include "core/error_set.h"
#include "vrp/metrics.h"
#include "vrp/remotes.h"
#include "vrp/sync.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum MHD_Result serve_api_remotes(struct serve_request *req)
{
	vrp_library *lib = NULL;
	vrp_remote_list *list = NULL;
	int rc = serve_pool_acquire(req->server->pool, &lib);
	if (rc == 0)
		rc = vrp_remotes_list(lib, &list);
	json_t *items = json_array();
	for (size_t i = 0; rc == 0 && i < list->count; i++) {
		const vrp_remote *r = list->items[i];
		char *path = NULL;
		vrp_remotes_setting(lib, r->name, "path", &path);
		/* `vrp remote ls --json`'s fields. */
		json_t *o = json_pack("{s:o, s:s, s:s}", "name", serve_json_string(r->name), "type",
				      r->provider_key, "created_at", r->created_at);
		json_object_set_new(o, "path", serve_json_string(path));
		json_object_set_new(o, "paused_reason", serve_json_string(r->paused_reason));
		json_array_append_new(items, o);
		free(path);
	}
	vrp_remote_list_free(list);
	serve_pool_release(req->server->pool, lib);
	if (rc < 0) {
		json_decref(items);
		return serve_send_vrp_error(req->connection, rc);
	}
	return serve_send_json(req->connection, MHD_HTTP_OK, json_pack("{s:o}", "items", items));
}

/* `vrp sync status --json`'s object for one remote. */
static json_t *report_json(const vrp_sync_remote_report *r)
{
	json_t *o = json_pack("{s:s, s:s}", "remote", r->remote, "provider", r->provider_key);
	for (int s = 0; s < VRP_SYNC_STATUS_COUNT; s++)
		json_object_set_new(o, vrp_sync_status_to_string((vrp_sync_status)s),
				    json_integer(r->counts.by_status[s]));
	json_t *tasks = json_object(), *problems = json_array();
	for (int s = 0; s < VRP_SYNC_TASK_STATE_COUNT; s++)
		json_object_set_new(tasks, vrp_sync_task_state_to_string((vrp_sync_task_state)s),
				    json_integer(r->tasks.by_state[s]));
	for (size_t i = 0; r->problems && i < r->problems->count; i++) {
		const vrp_recording_remote *p = r->problems->items[i];
		json_t *item =
			json_pack("{s:I, s:s, s:I}", "recording_id", (json_int_t)p->recording_id,
				  "sync_status", vrp_sync_status_to_string(p->sync_status),
				  "attempts", (json_int_t)p->attempts);
		json_object_set_new(item, "error_code", serve_json_string(p->error_code));
		json_object_set_new(item, "error_message", serve_json_string(p->error_message));
		json_object_set_new(item, "failed_at", serve_json_string(p->failed_at));
		json_array_append_new(problems, item);
	}
	json_object_set_new(o, "tasks", tasks);
	json_object_set_new(o, "problems", problems);
	return o;
}

enum MHD_Result serve_api_sync_status(struct serve_request *req)
{
	vrp_library *lib = NULL;
	vrp_sync_report *report = NULL;
	int rc = serve_pool_acquire(req->server->pool, &lib);
	if (rc == 0)
		rc = vrp_sync_status_read(lib, serve_query(req, "remote"), &report);
	serve_pool_release(req->server->pool, lib);
	if (rc < 0 || !report)
		return serve_send_vrp_error(req->connection, rc < 0 ? rc : VRP_ERROR);
	json_t *items = json_array();
	for (size_t i = 0; i < report->count; i++)
		json_array_append_new(items, report_json(report->items[i]));
	vrp_sync_report_free(report);
	return serve_send_json(req->connection, MHD_HTTP_OK,
			       json_pack("{s:o, s:b}", "items", items, "worker",
					 serve_worker_running(req->server->worker)));
}

/* POST {"remote":NAME} (optional): queue what is not synced; the worker does the rest. */
enum MHD_Result serve_api_sync_start(struct serve_request *req)
{
	json_t *body = req->body && req->body_len ? json_loads(req->body, 0, NULL) : json_object();
	json_t *remote = json_object_get(body, "remote");
	if (!json_is_object(body) || (remote && !json_is_string(remote) && !json_is_null(remote))) {
		json_decref(body);
		return serve_send_error(req->connection, MHD_HTTP_BAD_REQUEST,
					"ERR_INVALID_ARGUMENT",
					"the body must be {} or {\"remote\":\"NAME\"}");
	}
	vrp_library *lib = NULL;
	int64_t queued = 0;
	int rc = serve_pool_acquire(req->server->pool, &lib);
	if (rc == 0)
		rc = vrp_sync_enqueue_pending(lib, json_string_value(remote), NULL, 0, &queued);
	serve_pool_release(req->server->pool, lib);
	json_decref(body);
	if (rc < 0)
		return serve_send_vrp_error(req->connection, rc);
	bool worker = serve_worker_running(req->server->worker);
	serve_events_publish(
		req->server->events, "sync",
		json_pack("{s:s, s:I}", "kind", "queued", "queued", (json_int_t)queued));
	/* 202: the in-process worker (or a `vrp worker`) transfers them from here. */
	return serve_send_json(
		req->connection, MHD_HTTP_ACCEPTED,
		json_pack("{s:I, s:b}", "queued", (json_int_t)queued, "worker", worker));
}

static const char *const state_names[] = { "queued", "running", "done", "failed", "cancelled" };

enum MHD_Result serve_api_queue(struct serve_request *req)
{
	unsigned states = 0;
	const char *v = serve_query(req, "state");
	for (const char *p = v; p && *p;) {
		size_t n = strcspn(p, ",");
		size_t i = 0;
		while (i < 5 && (strlen(state_names[i]) != n || strncmp(state_names[i], p, n) != 0))
			i++;
		if (i == 5)
			return serve_send_error(req->connection, MHD_HTTP_BAD_REQUEST,
						"ERR_INVALID_ARGUMENT",
						"state: queued, running, done, failed, cancelled");
		states |= 1u << i;
		p += n + (p[n] == ',');
	}
	int limit = 100;
	int64_t after = 0;
	if ((v = serve_query(req, "limit")))
		limit = atoi(v) > 0 && atoi(v) <= 1000 ? atoi(v) : 100;
	if ((v = serve_query(req, "cursor")))
		after = strtoll(v, NULL, 10);
	vrp_library *lib = NULL;
	vrp_sync_task_list *list = NULL;
	int rc = serve_pool_acquire(req->server->pool, &lib);
	if (rc == 0)
		rc = vrp_sync_queue_list(lib, states, serve_query(req, "remote"), after, limit,
					 &list);
	serve_pool_release(req->server->pool, lib);
	if (rc < 0 || !list)
		return serve_send_vrp_error(req->connection, rc < 0 ? rc : VRP_ERROR);
	json_t *items = json_array();
	for (size_t i = 0; i < list->count; i++) {
		const vrp_sync_task *t = list->items[i];
		/* `vrp queue ls --json`'s fields. */
		json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:I, s:s, s:s}", "id",
				      (json_int_t)t->id, "uuid", t->uuid, "op",
				      vrp_sync_op_to_string(t->op), "recording_id",
				      (json_int_t)t->recording_id, "remote", t->remote, "state",
				      vrp_sync_task_state_to_string(t->state), "attempts",
				      (json_int_t)t->attempts, "next_attempt_at",
				      t->next_attempt_at, "idempotency_key", t->idempotency_key);
		json_object_set_new(o, "lease_owner", serve_json_string(t->lease_owner));
		json_object_set_new(o, "lease_until", serve_json_string(t->lease_until));
		json_object_set_new(o, "error_code", serve_json_string(t->error_code));
		json_object_set_new(o, "error_message", serve_json_string(t->error_message));
		json_object_set_new(o, "finished_at", serve_json_string(t->finished_at));
		json_array_append_new(items, o);
	}
	json_t *o = json_pack("{s:o}", "items", items);
	json_object_set_new(o, "next_cursor",
			    list->count == (size_t)limit
				    ? json_integer(list->items[list->count - 1]->id)
				    : json_null());
	vrp_sync_task_list_free(list);
	return serve_send_json(req->connection, MHD_HTTP_OK, o);
}

enum MHD_Result serve_api_events(struct serve_request *req)
{
	const char *last =
		vrp_mhd->lookup_connection_value(req->connection, MHD_HEADER_KIND, "Last-Event-ID");
	struct MHD_Response *r =
		serve_events_response(req->server->events, last ? strtoull(last, NULL, 10) : 0);
	return serve_send(req->connection, MHD_HTTP_OK, r);
}

/* "import.imported" -> "vrp_import_imported", as `vrp metrics` names them. */
static void prometheus_name(const char *name, char *out, size_t size)
{
	snprintf(out, size, "vrp_%s", name);
	for (char *p = out; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			*p = '_';
}

enum MHD_Result serve_api_metrics(struct serve_request *req)
{
	vrp_library *lib = NULL;
	vrp_metric_list *list = NULL;
	int rc = serve_pool_acquire(req->server->pool, &lib);
	if (rc == 0)
		rc = vrp_metrics_read(lib, NULL, &list);
	serve_pool_release(req->server->pool, lib);
	if (rc < 0 || !list)
		return serve_send_vrp_error(req->connection, rc < 0 ? rc : VRP_ERROR);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out) {
		vrp_metric_list_free(list);
		return MHD_NO;
	}
	/* Every metric vrp keeps only grows: a counter each. */
	for (size_t i = 0; i < list->count; i++) {
		char name[VRP_METRIC_NAME_MAX + 8];
		prometheus_name(list->items[i]->name, name, sizeof(name));
		fprintf(out, "# TYPE %s counter\n%s %lld\n", name, name,
			(long long)list->items[i]->value);
	}
	fclose(out);
	vrp_metric_list_free(list);
	struct MHD_Response *r = vrp_mhd->create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	vrp_mhd->add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; version=0.0.4; charset=utf-8");
	return serve_send(req->connection, MHD_HTTP_OK, r);
}

const struct serve_asset *serve_asset_find(const char *name)
{
	for (const struct serve_asset *a = serve_assets; a->name; a++)
		if (!strcmp(a->name, name))
			return a;
	return NULL;
}

static enum MHD_Result send_asset(struct serve_request *req, const char *name)
{
	const struct serve_asset *a = serve_asset_find(name);
	if (!a)
		return serve_send_error(req->connection, MHD_HTTP_NOT_FOUND, "ERR_NOT_FOUND",
					"no such file");
	return serve_send_static(req->connection, a->content_type, a->data, a->size);
}

enum MHD_Result serve_api_openapi(struct serve_request *req)
{
	return send_asset(req, "openapi.json");
}

enum MHD_Result serve_page(struct serve_request *req)
{
	return send_asset(req, !strcmp(req->url, "/") ? "index.html" : req->url + 1);
}
