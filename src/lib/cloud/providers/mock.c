/*
 * mock.c - an in-memory provider that behaves like a resumable cloud API,
 * with scripted faults, so the sync engine's every rule can be tested
 * without a network or a clock (settings and hooks: mock.h).
 */
#include "cloud/providers/mock.h"
#include "cloud/providers/mock_store.h"

#include "cloud/remote_name.h"
#include "core/clock.h"
#include "core/error_set.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_CHUNK 65536

static const struct vrp_provider_setting mock_settings[] = {
	{ "store", false, "share a named in-process store between instances" },
	{ "faults", false, "op:kind[:arg],... faults to inject, in order" },
	{ "quota_bytes", false, "bytes the remote may hold" },
	{ "resumable", false, "true or false (default true)" },
	{ "chunk_size", false, "bytes per transfer step" },
	{ "max_file_size", false, "the largest file accepted" },
	{ "secret", false, "the secret authenticate() must find" },
	{ NULL, false, NULL },
};

static int int_setting(const struct vrp_provider_config *c, const char *key, int64_t *out)
{
	const char *text = vrp_provider_config_get(c, key);
	if (!text)
		return 0;
	char *end = NULL;
	long long value = strtoll(text, &end, 10);
	if (!*text || *end || value < 0)
		return vrp_error_set(VRP_EINVAL, "setting '%s' must be a number of bytes", key);
	*out = value;
	return 0;
}

static int read_settings(struct mock *mock, const struct vrp_provider_config *c)
{
	const char *resumable = vrp_provider_config_get(c, "resumable");
	if (resumable && strcmp(resumable, "true") != 0 && strcmp(resumable, "false") != 0)
		return vrp_error_set(VRP_EINVAL, "setting 'resumable' must be true or false");
	mock->resumable = !resumable || strcmp(resumable, "true") == 0;
	mock->chunk_size = DEFAULT_CHUNK;
	int rc = int_setting(c, "quota_bytes", &mock->quota_bytes);
	if (rc == 0)
		rc = int_setting(c, "max_file_size", &mock->max_file_size);
	if (rc == 0)
		rc = int_setting(c, "chunk_size", &mock->chunk_size);
	if (rc == 0 && mock->chunk_size == 0)
		rc = vrp_error_set(VRP_EINVAL, "setting 'chunk_size' must be above 0");
	return rc;
}

static void mock_close(void *state)
{
	struct mock *mock = state;
	mock_store_release(mock->store);
	free(mock->name);
	free(mock->secret_key);
	free(mock);
}

static int mock_open(void **state, const struct vrp_provider_config *config)
{
	struct mock *mock = calloc(1, sizeof(*mock));
	if (!mock)
		return vrp_error_oom();
	mock->quota_bytes = -1;
	mock->secret = config->secret;
	mock->secret_ctx = config->secret_ctx;
	int rc = read_settings(mock, config);
	if (rc == 0 &&
	    (vrp_field_set(&mock->name, config->name) < 0 ||
	     vrp_field_set(&mock->secret_key, vrp_provider_config_get(config, "secret")) < 0))
		rc = VRP_ENOMEM;
	if (rc == 0)
		rc = mock_store_get(vrp_provider_config_get(config, "store"), &mock->store);
	const char *script = vrp_provider_config_get(config, "faults");
	if (rc == 0 && script)
		rc = mock_store_add_script(mock->store, script);
	if (rc < 0)
		mock_close(mock);
	else
		*state = mock;
	return rc;
}

/* The failures a fault produces before any byte moves; 0 for the others. */
static int fault_error(const struct mock_fault *fault, struct mock_store *store)
{
	switch (fault->kind) {
	case MOCK_FAULT_RATE_LIMIT: {
		int64_t seconds = fault->arg >= 0 ? fault->arg : 30;
		vrp_provider_set_retry_after_ms(seconds * 1000);
		return vrp_error_set(VRP_ERATE_LIMIT,
				     "mock: HTTP 429 Too Many Requests, Retry-After: %lld",
				     (long long)seconds);
	}
	case MOCK_FAULT_TRANSIENT:
		return vrp_error_set(VRP_ETRANSIENT, "mock: HTTP %lld from the server",
				     (long long)(fault->arg >= 0 ? fault->arg : 503));
	case MOCK_FAULT_AUTH_EXPIRED:
		store->auth_expired = true;
		break;
	case MOCK_FAULT_QUOTA:
		return vrp_error_set(VRP_EQUOTA, "mock: storage quota exceeded");
	case MOCK_FAULT_PERMANENT:
		return vrp_error_set(VRP_EPERMANENT, "mock: HTTP 400, the request was refused");
	case MOCK_FAULT_NOT_FOUND:
		return vrp_error_set(VRP_EREMOTE_NOT_FOUND, "mock: HTTP 404 Not Found");
	default:
		break;
	}
	if (store->auth_expired)
		return vrp_error_set(VRP_EAUTH_EXPIRED, "mock: HTTP 401, the token has expired");
	return 0;
}

int mock_begin_op(struct mock *mock, enum mock_op op, struct mock_fault *fault)
{
	pthread_mutex_lock(&mock->store->lock);
	*fault = mock_store_begin(mock->store, op);
	int rc = fault_error(fault, mock->store);
	pthread_mutex_unlock(&mock->store->lock);
	return rc;
}

static int mock_authenticate(void *state)
{
	struct mock *mock = state;
	struct mock_fault fault;
	pthread_mutex_lock(&mock->store->lock);
	fault = mock_store_begin(mock->store, MOCK_AUTHENTICATE);
	pthread_mutex_unlock(&mock->store->lock);
	if (fault.kind == MOCK_FAULT_TRANSIENT || fault.kind == MOCK_FAULT_RATE_LIMIT)
		return fault_error(&fault, mock->store);
	if (mock->secret_key) {
		char *secret = NULL;
		int rc = mock->secret ? mock->secret(mock->secret_ctx, mock->name, mock->secret_key,
						     &secret)
				      : VRP_ENOTFOUND;
		free(secret);
		if (rc < 0)
			return vrp_error_set(VRP_EAUTH, "mock: no secret '%s' for remote %s",
					     mock->secret_key, mock->name);
	}
	pthread_mutex_lock(&mock->store->lock);
	mock->store->auth_expired = false;
	pthread_mutex_unlock(&mock->store->lock);
	return 0;
}

static int mock_is_authenticated(void *state, bool *out)
{
	struct mock *mock = state;
	pthread_mutex_lock(&mock->store->lock);
	*out = !mock->store->auth_expired;
	pthread_mutex_unlock(&mock->store->lock);
	return 0;
}

int mock_transfer_step(struct mock_transfer *t, int64_t *step)
{
	if (t->progress && t->progress(t->ctx, t->done, t->total) != 0)
		return vrp_error_set(VRP_ECANCELLED, "mock: transfer cancelled");
	if (t->fault->kind == MOCK_FAULT_DROP && t->done >= t->fault->arg)
		return vrp_error_set(VRP_ETRANSIENT, "mock: connection reset after %lld bytes",
				     (long long)t->done);
	if (t->fault->kind == MOCK_FAULT_SLOW && t->fault->arg > 0) {
		struct timespec pause = { (time_t)(t->fault->arg / 1000),
					  (long)(t->fault->arg % 1000) * 1000000 };
		nanosleep(&pause, NULL);
	}
	*step = t->total - t->done < t->mock->chunk_size ? t->total - t->done : t->mock->chunk_size;
	if (t->fault->kind == MOCK_FAULT_DROP && t->done + *step > t->fault->arg)
		*step = t->fault->arg - t->done;
	return 0;
}

vrp_remote_object *mock_object(const struct mock_blob *blob)
{
	vrp_remote_object *object = vrp_remote_object_alloc();
	char etag[32];
	snprintf(etag, sizeof(etag), "\"v%lld\"", (long long)blob->version);
	if (!object || vrp_field_set(&object->remote_id, blob->path) < 0 ||
	    vrp_field_set(&object->path, blob->path) < 0 ||
	    vrp_field_set(&object->mime_type, vrp_mime_type_for_path(blob->path)) < 0 ||
	    vrp_field_set(&object->created_at, blob->created_at) < 0 ||
	    vrp_field_set(&object->etag, etag) < 0 ||
	    vrp_field_set(&object->checksum, blob->sha256) < 0) {
		vrp_remote_object_free(object);
		return NULL;
	}
	object->size = blob->size;
	object->checksum_kind = VRP_CHECKSUM_SHA256;
	return object;
}

static int compare_blobs(const void *a, const void *b)
{
	return strcmp((*(const struct mock_blob *const *)a)->path,
		      (*(const struct mock_blob *const *)b)->path);
}

static bool in_folder(const char *path, const char *prefix)
{
	size_t n = prefix ? strlen(prefix) : 0;
	return !prefix || (strncmp(path, prefix, n) == 0 && path[n] == '/');
}

/* Keyset paging: the objects after the token, in path order; locked by the caller. */
static int fill_page(const struct mock_store *store, const char *prefix, const char *token,
		     size_t limit, vrp_remote_page *page)
{
	struct mock_blob **sorted = malloc((store->object_count + 1) * sizeof(*sorted));
	if (!sorted)
		return vrp_error_oom();
	size_t n = 0, capacity = 0;
	for (size_t i = 0; i < store->object_count; i++)
		if (in_folder(store->objects[i]->path, prefix) &&
		    (!token || strcmp(store->objects[i]->path, token) > 0))
			sorted[n++] = store->objects[i];
	if (n > 1)
		qsort(sorted, n, sizeof(*sorted), compare_blobs);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n && i < limit; i++) {
		vrp_remote_object *object = mock_object(sorted[i]);
		rc = object ? vrp_remote_page_append(page, &capacity, object) : VRP_ENOMEM;
		if (rc < 0)
			vrp_remote_object_free(object);
	}
	if (rc == 0 && n > limit)
		rc = vrp_field_set(&page->next_page_token, sorted[limit - 1]->path);
	free(sorted);
	return rc;
}

static int mock_list(void *state, const char *prefix, const char *page_token, size_t page_size,
		     vrp_remote_page **out)
{
	struct mock *mock = state;
	struct mock_fault fault;
	int rc = mock_begin_op(mock, MOCK_LIST, &fault);
	if (rc < 0)
		return rc;
	vrp_remote_page *page = calloc(1, sizeof(*page));
	if (!page)
		return vrp_error_oom();
	size_t limit = page_size ? page_size : 1000;
	pthread_mutex_lock(&mock->store->lock);
	rc = fill_page(mock->store, prefix, page_token, limit, page);
	pthread_mutex_unlock(&mock->store->lock);
	if (rc < 0)
		vrp_remote_page_free(page);
	else
		*out = page;
	return rc;
}

static int mock_stat(void *state, const char *remote_path, unsigned flags, vrp_remote_object **out)
{
	(void)flags;
	struct mock *mock = state;
	struct mock_fault fault;
	int rc = mock_begin_op(mock, MOCK_STAT, &fault);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&mock->store->lock);
	const struct mock_blob *blob =
		mock_store_find(mock->store->objects, mock->store->object_count, remote_path, NULL);
	if (!blob)
		rc = vrp_error_set(VRP_EREMOTE_NOT_FOUND, "mock: no object at %s", remote_path);
	else if (!(*out = mock_object(blob)))
		rc = VRP_ENOMEM;
	pthread_mutex_unlock(&mock->store->lock);
	return rc;
}

static int mock_delete(void *state, const char *remote_id)
{
	struct mock *mock = state;
	struct mock_fault fault;
	int rc = mock_begin_op(mock, MOCK_DELETE, &fault);
	if (rc < 0)
		return rc;
	struct mock_store *store = mock->store;
	size_t i;
	pthread_mutex_lock(&store->lock);
	struct mock_blob *blob =
		mock_store_find(store->objects, store->object_count, remote_id, &i);
	if (!blob) {
		rc = vrp_error_set(VRP_EREMOTE_NOT_FOUND, "mock: no object %s", remote_id);
	} else {
		mock_blob_free(blob);
		store->objects[i] = store->objects[--store->object_count];
	}
	pthread_mutex_unlock(&store->lock);
	return rc;
}

static int mock_storage_info(void *state, vrp_storage_info *out)
{
	struct mock *mock = state;
	struct mock_fault fault;
	int rc = mock_begin_op(mock, MOCK_STORAGE_INFO, &fault);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&mock->store->lock);
	out->used = mock_store_used(mock->store, NULL);
	pthread_mutex_unlock(&mock->store->lock);
	out->total = mock->quota_bytes;
	out->free = mock->quota_bytes >= 0 ? mock->quota_bytes - out->used : -1;
	return 0;
}

static int mock_normalize_remote_id(void *state, const char *id, char **out)
{
	(void)state;
	return vrp_remote_path_normalize(id, out);
}

static int mock_capabilities(void *state, vrp_provider_capabilities *out)
{
	const struct mock *mock = state;
	out->resumable = mock->resumable;
	out->checksum_kinds = 1u << VRP_CHECKSUM_SHA256;
	out->checksum_readback = false;
	out->max_file_size = mock->max_file_size;
	return 0;
}

const struct vrp_provider_ops vrp_provider_mock_ops = {
	.version = VRP_PROVIDER_OPS_VERSION,
	.type = "mock",
	.description = "an in-memory remote with scripted faults, for tests",
	.settings = mock_settings,
	.open = mock_open,
	.close = mock_close,
	.authenticate = mock_authenticate,
	.is_authenticated = mock_is_authenticated,
	.upload = mock_upload,
	.download = mock_download,
	.list = mock_list,
	.stat = mock_stat,
	.delete_object = mock_delete,
	.storage_info = mock_storage_info,
	.capabilities = mock_capabilities,
	.normalize_remote_id = mock_normalize_remote_id,
};
