/* mock_store.c - the mock provider's server side, its fault script and its test hooks. */
#include "cloud/providers/mock.h"
#include "cloud/providers/mock_store.h"

#include "core/error_set.h"
#include "core/ptrarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const op_names[MOCK_OP_COUNT] = {
	"authenticate", "upload", "download", "list", "stat", "delete", "storage_info",
};

static const char *const fault_names[] = {
	"none",  "rate_limit", "transient", "drop",      "auth_expired",
	"quota", "corrupt",    "slow",      "permanent", "not_found",
};

static pthread_mutex_t stores_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mock_store **named_stores;
static size_t named_count, named_capacity;

void mock_blob_free(struct mock_blob *blob)
{
	if (!blob)
		return;
	free(blob->path);
	free(blob->data);
	free(blob->id);
	free(blob);
}

static void store_free(struct mock_store *store)
{
	for (size_t i = 0; i < store->object_count; i++)
		mock_blob_free(store->objects[i]);
	for (size_t i = 0; i < store->session_count; i++)
		mock_blob_free(store->sessions[i]);
	free(store->objects);
	free(store->sessions);
	free(store->faults);
	free(store->name);
	pthread_mutex_destroy(&store->lock);
	free(store);
}

static struct mock_store *store_new(const char *name)
{
	struct mock_store *store = calloc(1, sizeof(*store));
	if (!store)
		return NULL;
	pthread_mutex_init(&store->lock, NULL);
	if (name && !(store->name = strdup(name))) {
		store_free(store);
		return NULL;
	}
	return store;
}

static struct mock_store *find_named(const char *name)
{
	for (size_t i = 0; i < named_count; i++)
		if (strcmp(named_stores[i]->name, name) == 0)
			return named_stores[i];
	return NULL;
}

int mock_store_get(const char *name, struct mock_store **out)
{
	*out = NULL;
	if (!name)
		return (*out = store_new(NULL)) ? 0 : vrp_error_oom();
	int rc = 0;
	pthread_mutex_lock(&stores_lock);
	struct mock_store *store = find_named(name);
	if (!store) {
		store = store_new(name);
		if (!store ||
		    vrp_ptr_array_reserve(&named_stores, &named_capacity, named_count + 1) < 0) {
			if (store)
				store_free(store);
			store = NULL;
			rc = vrp_error_oom();
		} else {
			named_stores[named_count++] = store;
		}
	}
	pthread_mutex_unlock(&stores_lock);
	*out = store;
	return rc;
}

void mock_store_release(struct mock_store *store)
{
	if (store && !store->name)
		store_free(store);
}

void vrp_mock_stores_reset(void)
{
	pthread_mutex_lock(&stores_lock);
	for (size_t i = 0; i < named_count; i++)
		store_free(named_stores[i]);
	free(named_stores);
	named_stores = NULL;
	named_count = named_capacity = 0;
	pthread_mutex_unlock(&stores_lock);
}

static int op_index(const char *op)
{
	if (strcmp(op, "*") == 0)
		return -1;
	for (int i = 0; i < MOCK_OP_COUNT; i++)
		if (strcmp(op, op_names[i]) == 0)
			return i;
	return -2;
}

int mock_store_add_fault(struct mock_store *store, const char *op, const char *kind, int64_t arg)
{
	int index = op_index(op);
	if (index < -1)
		return vrp_error_set(VRP_EINVAL, "mock: unknown operation '%s'", op);
	size_t k = 1;
	while (k < sizeof(fault_names) / sizeof(fault_names[0]) &&
	       strcmp(kind, fault_names[k]) != 0)
		k++;
	if (k == sizeof(fault_names) / sizeof(fault_names[0]))
		return vrp_error_set(VRP_EINVAL, "mock: unknown fault '%s'", kind);
	pthread_mutex_lock(&store->lock);
	int rc = 0;
	if (store->fault_count == store->fault_capacity) {
		size_t capacity = store->fault_capacity ? store->fault_capacity * 2 : 8;
		struct mock_fault *grown = realloc(store->faults, capacity * sizeof(*grown));
		if (!grown)
			rc = vrp_error_oom();
		else {
			store->faults = grown;
			store->fault_capacity = capacity;
		}
	}
	if (rc == 0)
		store->faults[store->fault_count++] =
			(struct mock_fault){ index, (enum mock_fault_kind)k, arg };
	pthread_mutex_unlock(&store->lock);
	return rc;
}

static int add_entry(struct mock_store *store, char *entry)
{
	char *save = NULL;
	char *op = strtok_r(entry, ":", &save);
	char *kind = strtok_r(NULL, ":", &save);
	char *arg = strtok_r(NULL, ":", &save);
	char *end = NULL;
	long long value = arg ? strtoll(arg, &end, 10) : -1;
	if (!op || !kind || (arg && (*end || value < 0)))
		return vrp_error_set(VRP_EINVAL, "mock: cannot read fault '%s' (op:kind[:arg])",
				     entry);
	return mock_store_add_fault(store, op, kind, value);
}

int mock_store_add_script(struct mock_store *store, const char *script)
{
	char *copy = strdup(script);
	if (!copy)
		return vrp_error_oom();
	int rc = 0;
	char *save = NULL;
	for (char *entry = strtok_r(copy, ", ", &save); entry && rc == 0;
	     entry = strtok_r(NULL, ", ", &save))
		rc = add_entry(store, entry);
	free(copy);
	return rc;
}

struct mock_fault mock_store_begin(struct mock_store *store, enum mock_op op)
{
	store->calls[op]++;
	for (size_t i = 0; i < store->fault_count; i++) {
		struct mock_fault fault = store->faults[i];
		if (fault.op != -1 && fault.op != (int)op)
			continue;
		memmove(store->faults + i, store->faults + i + 1,
			(store->fault_count - i - 1) * sizeof(*store->faults));
		store->fault_count--;
		return fault;
	}
	return (struct mock_fault){ (int)op, MOCK_FAULT_NONE, 0 };
}

struct mock_blob *mock_store_find(struct mock_blob **blobs, size_t count, const char *path,
				  size_t *index)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(blobs[i]->path, path) == 0) {
			if (index)
				*index = i;
			return blobs[i];
		}
	return NULL;
}

/* The tests' view: NULL unless `provider` is a mock. */
static struct mock_store *store_of(vrp_provider *provider)
{
	struct mock *mock = vrp_provider_state_of(provider, &vrp_provider_mock_ops);
	return mock ? mock->store : NULL;
}

int vrp_mock_fault_add(vrp_provider *provider, const char *op, const char *kind, int64_t arg)
{
	struct mock_store *store = store_of(provider);
	if (!store)
		return vrp_error_set(VRP_EINVAL, "not a mock provider");
	return mock_store_add_fault(store, op, kind, arg);
}

int64_t vrp_mock_calls(vrp_provider *provider, const char *op)
{
	struct mock_store *store = store_of(provider);
	int index = op_index(op);
	if (!store || index < 0)
		return -1;
	pthread_mutex_lock(&store->lock);
	int64_t calls = store->calls[index];
	pthread_mutex_unlock(&store->lock);
	return calls;
}

static int64_t read_count(vrp_provider *provider, size_t offset)
{
	struct mock_store *store = store_of(provider);
	if (!store)
		return -1;
	pthread_mutex_lock(&store->lock);
	int64_t value;
	if (offset == 0)
		value = store->resumed;
	else if (offset == 1)
		value = (int64_t)store->object_count;
	else
		value = (int64_t)store->session_count;
	pthread_mutex_unlock(&store->lock);
	return value;
}

int64_t vrp_mock_resumed_uploads(vrp_provider *provider) { return read_count(provider, 0); }

size_t vrp_mock_object_count(vrp_provider *provider) { return (size_t)read_count(provider, 1); }

size_t vrp_mock_session_count(vrp_provider *provider) { return (size_t)read_count(provider, 2); }

int64_t mock_store_used(const struct mock_store *store, const char *except)
{
	int64_t used = 0;
	for (size_t i = 0; i < store->object_count; i++)
		if (!except || strcmp(store->objects[i]->path, except) != 0)
			used += store->objects[i]->size;
	return used;
}
