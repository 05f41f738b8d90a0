/*
 * api_recordings.c - /api/recordings and /api/search: list, search, show,
 * edit, delete, restore and archive, through the recordings service.
 *
 * Query parameters are `vrp ls`'s options under the same names (status,
 * tag, since, until, min_duration, max_duration, mime, remote, sync_status,
 * integrity, sort, reverse, limit, cursor); records are the CLI's --json
 * objects (vrp_recording_to_json).
 */
#include "serve/serve_internal.h"

#include "core/error_set.h"
#include "model/recording_json.h"
#include "vrp/derive.h"
#include "vrp/recordings.h"
#include "vrp/sync.h"
#include "vrp/timestamp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const status_names[] = { "active", "archived", "deleted" };
static const char *const integrity_names[] = { "unverified", "ok", "missing", "corrupt" };
static const char *const sort_names[] = { "created", "title", "duration", "size", "recorded" };
static const bool sort_descending[] = { true, false, true, true, true };
#define COUNT(a) (sizeof(a) / sizeof(*(a)))

/* A comma list of names into bits; "all" (when `all` != 0) sets every bit. */
static int parse_set(const char *param, const char *list, const char *const *names, size_t count,
		     unsigned all, unsigned *mask)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		bool found = false;
		if (all && n == 3 && !strncmp(p, "all", 3)) {
			*mask |= all;
			found = true;
		}
		for (size_t i = 0; !found && i < count; i++)
			if (strlen(names[i]) == n && !strncmp(names[i], p, n)) {
				*mask |= 1u << i;
				found = true;
			}
		if (!found)
			return vrp_error_set(VRP_EINVAL, "%s: unknown value '%.*s'", param, (int)n,
					     p);
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int parse_number(const char *param, const char *text, double min, double *out)
{
	char *end;
	double v = strtod(text, &end);
	if (end == text || *end || !(v >= min))
		return vrp_error_set(VRP_EINVAL, "%s: '%s' is not a number of at least %g", param,
				     text, min);
	*out = v;
	return 0;
}

/* A listing's filter and the storage of the dates it points to. */
struct list_query {
	vrp_recording_filter f;
	char since[VRP_TIMESTAMP_LEN], until[VRP_TIMESTAMP_LEN];
};

/* since/until as `vrp ls` reads them, of the date `by` names (created or recorded). */
static int parse_dates(struct serve_request *req, struct list_query *q)
{
	const char *since = serve_query(req, "since"), *until = serve_query(req, "until");
	const char *by = serve_query(req, "by");
	int rc = 0;
	if (since && (rc = vrp_timestamp_parse(since, false, q->since)) < 0)
		return vrp_error_set(rc, "since: %s", vrp_error_last()->message);
	if (until && (rc = vrp_timestamp_parse(until, true, q->until)) < 0)
		return vrp_error_set(rc, "until: %s", vrp_error_last()->message);
	bool recorded = by && !strcmp(by, "recorded");
	if (by && !recorded && strcmp(by, "created") != 0)
		return vrp_error_set(VRP_EINVAL, "by: '%s' is not created or recorded", by);
	const char **to_since = recorded ? &q->f.recorded_since : &q->f.created_since;
	const char **to_until = recorded ? &q->f.recorded_until : &q->f.created_until;
	*to_since = since ? q->since : NULL;
	*to_until = until ? q->until : NULL;
	if (recorded)
		q->f.sort = VRP_SORT_RECORDED;
	return 0;
}

static int parse_filter(struct serve_request *req, struct list_query *q)
{
	memset(q, 0, sizeof(*q));
	vrp_recording_filter *f = &q->f;
	const char *v;
	int rc = 0;
	double d = 0;
	if ((v = serve_query(req, "status")) &&
	    (rc = parse_set("status", v, status_names, COUNT(status_names), 7u, &f->statuses)))
		return rc;
	if ((v = serve_query(req, "integrity")) &&
	    (rc = parse_set("integrity", v, integrity_names, COUNT(integrity_names), 0,
			    &f->integrities)))
		return rc;
	f->tag = serve_query(req, "tag");
	if ((rc = parse_dates(req, q)) < 0)
		return rc;
	f->mime_type = serve_query(req, "mime");
	f->remote = serve_query(req, "remote");
	f->sync_status = serve_query(req, "sync_status");
	if ((v = serve_query(req, "min_duration"))) {
		if ((rc = parse_number("min_duration", v, 0, &d)))
			return rc;
		f->min_duration = d;
	}
	if ((v = serve_query(req, "max_duration"))) {
		if ((rc = parse_number("max_duration", v, 0, &d)))
			return rc;
		f->max_duration = d;
	}
	unsigned sort = 1u << f->sort; /* newest first: `vrp ls`'s default */
	if ((v = serve_query(req, "sort"))) {
		sort = 0;
		if ((rc = parse_set("sort", v, sort_names, COUNT(sort_names), 0, &sort)))
			return rc;
	}
	for (size_t i = 0; i < COUNT(sort_names); i++)
		if (sort == 1u << i) {
			f->sort = (enum vrp_recording_sort)i;
			f->descending = sort_descending[i];
		}
	if ((v = serve_query(req, "reverse")) && strcmp(v, "0") != 0 && strcmp(v, "false") != 0)
		f->descending = !f->descending;
	if ((v = serve_query(req, "limit"))) {
		if ((rc = parse_number("limit", v, 1, &d)))
			return rc;
		f->limit = d > VRP_LIST_MAX_LIMIT ? VRP_LIST_MAX_LIMIT : (int)d;
	}
	if ((v = serve_query(req, "cursor"))) {
		if ((rc = parse_number("cursor", v, 1, &d)))
			return rc;
		f->cursor = (int64_t)d;
	}
	return 0;
}

enum MHD_Result serve_api_recordings_list(struct serve_request *req)
{
	struct list_query query;
	vrp_library *lib = NULL;
	vrp_recording_list *list = NULL;
	int rc = parse_filter(req, &query);
	if (rc == 0 && (rc = serve_pool_acquire(req->server->pool, &lib)) == 0)
		rc = vrp_recordings_list(lib, &query.f, &list);
	serve_pool_release(req->server->pool, lib);
	if (rc < 0 || !list)
		return serve_send_vrp_error(req->connection, rc < 0 ? rc : VRP_ERROR);
	/* Written straight to text: a jansson tree per record was most of a request's time. */
	struct vrp_jw w;
	vrp_jw_init(&w);
	vrp_jw_object_begin(&w);
	vrp_jw_key(&w, "items");
	vrp_jw_array_begin(&w);
	for (size_t i = 0; i < list->count; i++)
		vrp_recording_write_json(&w, list->items[i]);
	vrp_jw_array_end(&w);
	vrp_jw_key(&w, "next_cursor");
	if (list->next_cursor)
		vrp_jw_int(&w, list->next_cursor);
	else
		vrp_jw_null(&w);
	vrp_jw_object_end(&w);
	vrp_recording_list_free(list);
	size_t len = 0;
	char *text = vrp_jw_finish(&w, &len);
	if (!text)
		return serve_send_error(req->connection, MHD_HTTP_INTERNAL_SERVER_ERROR,
					"ERR_NO_MEMORY", "out of memory");
	struct MHD_Response *r = vrp_mhd->create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	vrp_mhd->add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	return serve_send(req->connection, MHD_HTTP_OK, r);
}

enum MHD_Result serve_api_search(struct serve_request *req)
{
	const char *q = serve_query(req, "q");
	if (!q)
		return serve_send_error(req->connection, MHD_HTTP_BAD_REQUEST,
					"ERR_INVALID_ARGUMENT", "q: the words to search for");
	vrp_search_options options = { 0 };
	double d = 0;
	const char *v;
	int rc = 0;
	if ((v = serve_query(req, "limit")) && (rc = parse_number("limit", v, 1, &d)) == 0)
		options.limit = d > VRP_SEARCH_MAX_LIMIT ? VRP_SEARCH_MAX_LIMIT : (int)d;
	if (rc == 0 && (v = serve_query(req, "offset")) &&
	    (rc = parse_number("offset", v, 0, &d)) == 0)
		options.offset = (int)d;
	if ((v = serve_query(req, "deleted")) && strcmp(v, "0") != 0 && strcmp(v, "false") != 0)
		options.include_deleted = true;
	vrp_library *lib = NULL;
	vrp_search_results *hits = NULL;
	if (rc == 0 && (rc = serve_pool_acquire(req->server->pool, &lib)) == 0)
		rc = vrp_recordings_search(lib, q, &options, &hits);
	json_t *items = json_array();
	for (size_t i = 0; rc == 0 && i < hits->count; i++) {
		const vrp_search_hit *hit = hits->items[i];
		char id[32];
		snprintf(id, sizeof(id), "%lld", (long long)hit->recording_id);
		vrp_recording *rec = NULL;
		if (vrp_recordings_find(lib, id, &rec) < 0)
			continue; /* purged between the search and now */
		/* `vrp search --json`'s fields, and the record, so a list can show it. */
		json_t *o = json_pack(
			"{s:I, s:o, s:o, s:f, s:o, s:o}", "id", (json_int_t)hit->recording_id,
			"uuid", serve_json_string(rec->uuid), "title",
			serve_json_string(rec->title), "rank", hit->rank, "snippet",
			serve_json_string(hit->snippet), "recording", vrp_recording_json(rec));
		json_array_append_new(items, o);
		vrp_recording_free(rec);
	}
	serve_pool_release(req->server->pool, lib);
	vrp_search_results_free(hits);
	if (rc < 0) {
		json_decref(items);
		return serve_send_vrp_error(req->connection, rc);
	}
	return serve_send_json(req->connection, MHD_HTTP_OK, json_pack("{s:o}", "items", items));
}

static json_t *remote_state_json(const vrp_recording_remote *r)
{
	json_t *o = json_pack("{s:s, s:s}", "remote", r->remote, "sync_status",
			      vrp_sync_status_to_string(r->sync_status));
	const struct {
		const char *key, *value;
	} fields[] = {
		{ "remote_id", r->remote_id },
		{ "remote_path", r->remote_path },
		{ "remote_checksum", r->remote_checksum },
		{ "verification", r->verification },
		{ "last_synced_at", r->last_synced_at },
		{ "error_code", r->error_code },
		{ "error_message", r->error_message },
	};
	for (size_t i = 0; i < COUNT(fields); i++)
		json_object_set_new(o, fields[i].key, serve_json_string(fields[i].value));
	json_object_set_new(o, "variant", json_string(vrp_upload_variant_to_string(r->variant)));
	return o;
}

static json_t *asset_json(const vrp_derived_asset *a, bool stale)
{
	json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:b}", "kind",
			      vrp_derived_kind_to_string(a->kind), "path", a->path, "size_bytes",
			      (json_int_t)a->size_bytes, "generator", a->generator,
			      "generator_version", a->generator_version, "stale", stale);
	json_object_set_new(o, "mime_type", serve_json_string(a->mime_type));
	return o;
}

/* `vrp show --json`: the record, its state on each remote and its derived assets. */
static json_t *show_json(vrp_library *lib, const vrp_recording *rec)
{
	json_t *o = vrp_recording_json(rec);
	json_t *remotes = json_array(), *derived = json_array();
	vrp_recording_remote_list *states = NULL;
	vrp_derived_asset_list *assets = NULL;
	if (vrp_sync_recording_state(lib, rec->id, &states) == 0)
		for (size_t i = 0; i < states->count; i++)
			json_array_append_new(remotes, remote_state_json(states->items[i]));
	if (vrp_derived_assets_list(lib, rec->id, &assets) == 0)
		for (size_t i = 0; i < assets->count; i++)
			json_array_append_new(
				derived, asset_json(assets->items[i],
						    vrp_derived_asset_is_stale_in(
							    lib, assets->items[i], rec->checksum)));
	vrp_recording_remote_list_free(states);
	vrp_derived_asset_list_free(assets);
	json_object_set_new(o, "remotes", remotes);
	json_object_set_new(o, "derived", derived);
	return o;
}

/* The recording of the path's {id}, with a connection to keep using. */
static int find(struct serve_request *req, vrp_library **lib, vrp_recording **rec)
{
	*lib = NULL;
	*rec = NULL;
	int rc = serve_pool_acquire(req->server->pool, lib);
	if (rc == 0)
		rc = vrp_recordings_find(*lib, req->id, rec);
	return rc;
}

/* Answers with the recording as it is now, and tells every page it changed. */
static enum MHD_Result changed(struct serve_request *req, vrp_library *lib, int64_t id,
			       const char *action)
{
	char text[32];
	snprintf(text, sizeof(text), "%lld", (long long)id);
	vrp_recording *rec = NULL;
	int rc = vrp_recordings_find(lib, text, &rec);
	json_t *o = rc == 0 ? show_json(lib, rec) : NULL;
	serve_pool_release(req->server->pool, lib);
	if (rc < 0)
		return serve_send_vrp_error(req->connection, rc);
	serve_events_publish(req->server->events, "recording",
			     json_pack("{s:s, s:I, s:O}", "action", action, "id", (json_int_t)id,
				       "recording", o));
	vrp_recording_free(rec);
	return serve_send_json(req->connection, MHD_HTTP_OK, o);
}

enum MHD_Result serve_api_recording_show(struct serve_request *req)
{
	vrp_library *lib;
	vrp_recording *rec;
	int rc = find(req, &lib, &rec);
	json_t *o = rc == 0 ? show_json(lib, rec) : NULL;
	serve_pool_release(req->server->pool, lib);
	vrp_recording_free(rec);
	if (rc < 0)
		return serve_send_vrp_error(req->connection, rc);
	return serve_send_json(req->connection, MHD_HTTP_OK, o);
}

/* A JSON array of strings into a NULL-terminated borrowed array (caller frees the array). */
static int string_array(json_t *array, const char *name, const char ***out, size_t *count)
{
	*out = NULL;
	*count = 0;
	if (!array)
		return 0;
	if (!json_is_array(array))
		return vrp_error_set(VRP_EINVAL, "%s: expected an array of tag names", name);
	size_t n = json_array_size(array);
	const char **v = calloc(n + 1, sizeof(*v));
	if (!v)
		return vrp_error_oom();
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = json_string_value(json_array_get(array, i)))) {
			free(v);
			return vrp_error_set(VRP_EINVAL, "%s: expected an array of tag names",
					     name);
		}
	*out = v;
	*count = n;
	return 0;
}

/*
 * PATCH {"title","description","add_tags":[...],"remove_tags":[...]} or
 * {"tags":[...]} (the whole set: the difference is added and removed).
 */
static int parse_edit(json_t *body, const vrp_recording *rec, vrp_recording_edit *edit,
		      const char ***add, const char ***remove)
{
	memset(edit, 0, sizeof(*edit));
	*add = *remove = NULL;
	if (!json_is_object(body))
		return vrp_error_set(VRP_EINVAL, "the body must be a JSON object");
	const char *key;
	json_t *value;
	json_object_foreach(body, key, value)
	{
		if (strcmp(key, "title") != 0 && strcmp(key, "description") != 0 &&
		    strcmp(key, "tags") != 0 && strcmp(key, "add_tags") != 0 &&
		    strcmp(key, "remove_tags") != 0)
			return vrp_error_set(VRP_EINVAL,
					     "'%s' cannot be edited (title, description, tags, "
					     "add_tags, remove_tags)",
					     key);
	}
	json_t *t = json_object_get(body, "title"), *d = json_object_get(body, "description");
	if ((t && !json_is_string(t)) || (d && !json_is_string(d)))
		return vrp_error_set(VRP_EINVAL, "title and description must be strings");
	edit->title = t ? json_string_value(t) : NULL;
	edit->description = d ? json_string_value(d) : NULL;
	int rc;
	json_t *tags = json_object_get(body, "tags");
	if (!tags) {
		if ((rc = string_array(json_object_get(body, "add_tags"), "add_tags", add,
				       &edit->add_tag_count)) ||
		    (rc = string_array(json_object_get(body, "remove_tags"), "remove_tags", remove,
				       &edit->remove_tag_count)))
			return rc;
		edit->add_tags = *add;
		edit->remove_tags = *remove;
		return 0;
	}
	const char **wanted;
	size_t n;
	if ((rc = string_array(tags, "tags", &wanted, &n)))
		return rc;
	/* Everything wanted is added (adding a present tag changes nothing); what is
	 * present and not wanted is removed. */
	*add = wanted;
	edit->add_tags = wanted;
	edit->add_tag_count = n;
	if (!(*remove = calloc(rec->tag_count + 1, sizeof(**remove))))
		return vrp_error_oom();
	for (size_t i = 0; i < rec->tag_count; i++) {
		bool keep = false;
		for (size_t j = 0; j < n && !keep; j++)
			keep = !strcasecmp(rec->tags[i], wanted[j]);
		if (!keep)
			(*remove)[edit->remove_tag_count++] = rec->tags[i];
	}
	edit->remove_tags = *remove;
	return 0;
}

enum MHD_Result serve_api_recording_edit(struct serve_request *req)
{
	json_error_t jerr;
	json_t *body = req->body ? json_loads(req->body, 0, &jerr) : NULL;
	if (!body) {
		return serve_send_error(
			req->connection, MHD_HTTP_BAD_REQUEST, "ERR_INVALID_ARGUMENT",
			"the body must be a JSON object such as {\"title\":\"...\"}");
	}
	vrp_library *lib;
	vrp_recording *rec;
	vrp_recording_edit edit;
	const char **add = NULL, **remove = NULL;
	int rc = find(req, &lib, &rec);
	if (rc == 0 && (rc = parse_edit(body, rec, &edit, &add, &remove)) == 0)
		rc = vrp_recordings_edit(lib, rec->id, &edit);
	int64_t id = rec ? rec->id : 0;
	free(add);
	free(remove);
	vrp_recording_free(rec);
	json_decref(body);
	if (rc < 0) {
		serve_pool_release(req->server->pool, lib);
		return serve_send_vrp_error(req->connection, rc);
	}
	return changed(req, lib, id, "updated");
}

static enum MHD_Result set_status(struct serve_request *req, enum vrp_recording_status status,
				  const char *action)
{
	vrp_library *lib;
	vrp_recording *rec;
	int rc = find(req, &lib, &rec);
	int64_t id = rec ? rec->id : 0;
	if (rc == 0)
		rc = vrp_recordings_set_status(lib, id, status);
	vrp_recording_free(rec);
	if (rc < 0) {
		serve_pool_release(req->server->pool, lib);
		return serve_send_vrp_error(req->connection, rc);
	}
	return changed(req, lib, id, action);
}

enum MHD_Result serve_api_recording_delete(struct serve_request *req)
{
	return set_status(req, VRP_RECORDING_DELETED, "deleted");
}

enum MHD_Result serve_api_recording_restore(struct serve_request *req)
{
	return set_status(req, VRP_RECORDING_ACTIVE, "restored");
}

enum MHD_Result serve_api_recording_archive(struct serve_request *req)
{
	return set_status(req, VRP_RECORDING_ARCHIVED, "archived");
}
