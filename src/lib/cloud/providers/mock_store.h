/* mock_store.h - the mock provider's server side: objects, sessions, faults (internal). */
#ifndef VRP_CLOUD_MOCK_STORE_H
#define VRP_CLOUD_MOCK_STORE_H

#include "cloud/provider_internal.h"
#include "core/hash.h"

#include <pthread.h>

enum mock_op {
	MOCK_AUTHENTICATE,
	MOCK_UPLOAD,
	MOCK_DOWNLOAD,
	MOCK_LIST,
	MOCK_STAT,
	MOCK_DELETE,
	MOCK_STORAGE_INFO,
	MOCK_OP_COUNT,
};

enum mock_fault_kind {
	MOCK_FAULT_NONE,
	MOCK_FAULT_RATE_LIMIT,
	MOCK_FAULT_TRANSIENT,
	MOCK_FAULT_DROP,
	MOCK_FAULT_AUTH_EXPIRED,
	MOCK_FAULT_QUOTA,
	MOCK_FAULT_CORRUPT,
	MOCK_FAULT_SLOW,
	MOCK_FAULT_PERMANENT,
	MOCK_FAULT_NOT_FOUND,
};

struct mock_fault {
	int op; /* an enum mock_op, or -1 for any */
	enum mock_fault_kind kind;
	int64_t arg;
};

struct mock_blob {
	char *path;
	unsigned char *data;
	int64_t size;
	char sha256[VRP_SHA256_HEX_LEN];
	char created_at[25];
	int64_t version;
	char *id;         /* sessions only */
	int64_t received; /* sessions only: bytes that arrived */
};

/* Everything here is guarded by `lock`. */
struct mock_store {
	pthread_mutex_t lock;
	char *name; /* NULL for a private store */
	struct mock_blob **objects, **sessions;
	size_t object_count, object_capacity, session_count, session_capacity;
	struct mock_fault *faults;
	size_t fault_count, fault_capacity;
	bool auth_expired;
	int64_t calls[MOCK_OP_COUNT];
	int64_t resumed, next_id;
};

/* The store named `name` (made on first use), or a new private one for NULL. */
int mock_store_get(const char *name, struct mock_store **out);
/* Frees a private store; named ones live until vrp_mock_stores_reset(). */
void mock_store_release(struct mock_store *store);

/* Parses "op:kind[:arg],..." into the store's queue; VRP_EINVAL naming the bad entry. */
int mock_store_add_script(struct mock_store *store, const char *script);
int mock_store_add_fault(struct mock_store *store, const char *op, const char *kind, int64_t arg);

/* Counts a call of `op` and takes the first fault queued for it (locked by the caller). */
struct mock_fault mock_store_begin(struct mock_store *store, enum mock_op op);

/* Lookups by path (locked by the caller); NULL when absent. */
struct mock_blob *mock_store_find(struct mock_blob **blobs, size_t count, const char *path,
				  size_t *index);

void mock_blob_free(struct mock_blob *blob);

/* The mock's provider state. */
struct mock {
	struct mock_store *store;
	char *name;
	char *secret_key;
	vrp_secret_fn secret;
	void *secret_ctx;
	int64_t quota_bytes, max_file_size, chunk_size;
	bool resumable;
};

/* Counts the call and fails it when a fault says so; `*fault` is what is left to apply. */
int mock_begin_op(struct mock *mock, enum mock_op op, struct mock_fault *fault);

/* Bytes stored, not counting the object at `except` (may be NULL); locked by the caller. */
int64_t mock_store_used(const struct mock_store *store, const char *except);

/* One step of a transfer as a network would make it: progress, pauses, a drop. */
struct mock_transfer {
	const struct mock *mock;
	const struct mock_fault *fault;
	vrp_transfer_progress_fn progress;
	void *ctx;
	int64_t done, total;
};
int mock_transfer_step(struct mock_transfer *t, int64_t *step);

/* The public record of a stored object; NULL when out of memory. */
vrp_remote_object *mock_object(const struct mock_blob *blob);

int mock_upload(void *state, const vrp_upload_request *request, vrp_remote_object **out,
		char **resume_state);
int mock_download(void *state, const char *remote_id, int fd, vrp_transfer_progress_fn progress,
		  void *ctx);

#endif
