/*
 * mock_transfer.c - the mock provider's uploads (resumable sessions, as
 * Drive and Graph have) and downloads, with their scripted faults.
 */
#include "cloud/providers/mock_store.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/ptrarray.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int sha256_hex(const unsigned char *data, int64_t size, char out[VRP_SHA256_HEX_LEN])
{
	vrp_sha256 *h = NULL;
	int rc = vrp_sha256_new(&h);
	if (rc == 0)
		rc = vrp_sha256_update(h, data, (size_t)size);
	if (rc == 0)
		rc = vrp_sha256_final_hex(h, out);
	vrp_sha256_free(h);
	return rc;
}

/* The mock holds whole files in memory: test fixtures are small. */
static int read_local(const char *path, unsigned char **data, int64_t *size)
{
	int fd = -1;
	struct stat st;
	int rc = vrp_fs_open_regular(path, &fd, &st);
	if (rc < 0)
		return rc;
	*size = st.st_size;
	*data = malloc((size_t)st.st_size + 1);
	if (!*data)
		rc = vrp_error_oom();
	ssize_t n = rc == 0 ? vrp_fs_read_full(fd, *data, (size_t)*size) : 0;
	if (rc == 0 && n < 0)
		rc = vrp_error_from_errno(errno, "cannot read %s", path);
	else if (rc == 0 && n < *size)
		rc = vrp_error_set(VRP_EIO, "%s shrank while being read", path);
	close(fd);
	return rc;
}

static char *session_json(const char *id, int64_t offset)
{
	json_t *state = json_pack("{s:s, s:I}", "session", id, "offset", (json_int_t)offset);
	char *text = state ? json_dumps(state, JSON_COMPACT) : NULL;
	json_decref(state);
	return text;
}

static struct mock_blob *find_session(struct mock_store *store, const char *resume_state)
{
	json_t *state = resume_state ? json_loads(resume_state, 0, NULL) : NULL;
	const char *id = json_string_value(json_object_get(state, "session"));
	struct mock_blob *found = NULL;
	for (size_t i = 0; id && i < store->session_count; i++)
		if (strcmp(store->sessions[i]->id, id) == 0)
			found = store->sessions[i];
	json_decref(state);
	return found;
}

static int new_session(struct mock_store *store, const char *path, int64_t size,
		       struct mock_blob **out)
{
	struct mock_blob *s = calloc(1, sizeof(*s));
	char id[32];
	snprintf(id, sizeof(id), "session-%lld", (long long)++store->next_id);
	if (!s || !(s->path = strdup(path)) || !(s->id = strdup(id)) ||
	    !(s->data = malloc((size_t)size + 1)) ||
	    vrp_ptr_array_reserve(&store->sessions, &store->session_capacity,
				  store->session_count + 1) < 0) {
		mock_blob_free(s);
		return vrp_error_oom();
	}
	s->size = size;
	store->sessions[store->session_count++] = s;
	*out = s;
	return 0;
}

/*
 * Continues the session the resume state names when it is for the same
 * path and content (an expired or foreign session starts a new one, as a
 * real API's 404 on the session URL would); locked by the caller.
 */
static int open_session(struct mock *mock, const vrp_upload_request *r, const unsigned char *data,
			int64_t size, struct mock_blob **out)
{
	struct mock_blob *s = mock->resumable ? find_session(mock->store, r->resume_state) : NULL;
	if (s && strcmp(s->path, r->remote_path) == 0 && s->size == size &&
	    (s->received == 0 || (data && memcmp(s->data, data, (size_t)s->received) == 0))) {
		mock->store->resumed++;
		*out = s;
		return 0;
	}
	return new_session(mock->store, r->remote_path, size, out);
}

/* Takes the session out of the open ones (it becomes an object or is dropped). */
static void detach_session(struct mock_store *store, const struct mock_blob *session)
{
	for (size_t i = 0; i < store->session_count; i++)
		if (store->sessions[i] == session) {
			store->sessions[i] = store->sessions[--store->session_count];
			return;
		}
}

static void drop_session(struct mock_store *store, struct mock_blob *session)
{
	detach_session(store, session);
	mock_blob_free(session);
}

/* Turns the completed session into the object at its path, replacing any; locked. */
static int commit(struct mock *mock, struct mock_blob *session, const char *local_sha256,
		  const char *catalogue_sha256, vrp_remote_object **out)
{
	struct mock_store *store = mock->store;
	int rc = sha256_hex(session->data, session->size, session->sha256);
	if (rc < 0)
		return rc;
	if (strcmp(session->sha256, local_sha256) != 0 ||
	    (catalogue_sha256 && strcmp(catalogue_sha256, local_sha256) != 0))
		rc = vrp_error_set(VRP_ECHECKSUM, "mock: %s arrived as sha256 %s, expected %s",
				   session->path, session->sha256,
				   catalogue_sha256 ? catalogue_sha256 : local_sha256);
	else if (mock->quota_bytes >= 0 &&
		 mock_store_used(store, session->path) + session->size > mock->quota_bytes)
		rc = vrp_error_set(VRP_EQUOTA, "mock: storage quota exceeded");
	if (rc < 0) {
		drop_session(store, session);
		return rc;
	}
	if (vrp_ptr_array_reserve(&store->objects, &store->object_capacity,
				  store->object_count + 1) < 0)
		return vrp_error_oom();
	size_t i;
	if (mock_store_find(store->objects, store->object_count, session->path, &i)) {
		mock_blob_free(store->objects[i]);
		store->objects[i] = store->objects[--store->object_count];
	}
	detach_session(store, session);
	free(session->id);
	session->id = NULL;
	session->version = ++store->next_id;
	vrp_time_now_iso(session->created_at);
	store->objects[store->object_count++] = session;
	*out = mock_object(session);
	return *out ? 0 : VRP_ENOMEM;
}

static int send_bytes(struct mock *mock, struct mock_transfer *t, struct mock_blob *session,
		      const unsigned char *data)
{
	int rc = 0;
	int64_t step = 0;
	while (t->done < t->total && (rc = mock_transfer_step(t, &step)) == 0) {
		pthread_mutex_lock(&mock->store->lock);
		memcpy(session->data + t->done, data + t->done, (size_t)step);
		session->received = t->done + step;
		pthread_mutex_unlock(&mock->store->lock);
		t->done += step;
	}
	if (rc == 0 && t->progress && t->progress(t->ctx, t->done, t->total) != 0)
		rc = vrp_error_set(VRP_ECANCELLED, "mock: transfer cancelled");
	return rc;
}

int mock_upload(void *state, const vrp_upload_request *request, vrp_remote_object **out,
		char **resume_state)
{
	struct mock *mock = state;
	struct mock_fault fault;
	unsigned char *data = NULL;
	int64_t size = 0;
	char local_sha256[VRP_SHA256_HEX_LEN];
	struct mock_blob *session = NULL;
	int rc = mock_begin_op(mock, MOCK_UPLOAD, &fault);
	if (rc == 0)
		rc = read_local(request->local_path, &data, &size);
	if (rc == 0)
		rc = sha256_hex(data, size, local_sha256);
	if (rc == 0 && mock->max_file_size > 0 && size > mock->max_file_size)
		rc = vrp_error_set(VRP_EPERMANENT, "mock: %s is larger than %lld bytes",
				   request->local_path, (long long)mock->max_file_size);
	if (rc < 0)
		goto done;
	pthread_mutex_lock(&mock->store->lock);
	rc = open_session(mock, request, data, size, &session);
	char *checkpoint = rc == 0 && mock->resumable && request->checkpoint
				   ? session_json(session->id, session->received)
				   : NULL;
	pthread_mutex_unlock(&mock->store->lock);
	if (rc < 0)
		goto done;
	/* As a real API's session URL would be, kept before the first byte is sent. */
	if (checkpoint)
		request->checkpoint(request->progress_ctx, checkpoint);
	free(checkpoint);
	struct mock_transfer t = {
		mock, &fault, request->progress, request->progress_ctx, session->received, size
	};
	rc = send_bytes(mock, &t, session, data);
	pthread_mutex_lock(&mock->store->lock);
	if (rc == 0 && fault.kind == MOCK_FAULT_CORRUPT && size > 0)
		session->data[size / 2] ^= 0x5a;
	if (rc == 0)
		rc = commit(mock, session, local_sha256, request->sha256, out);
	else if (mock->resumable && t.done > 0)
		*resume_state = session_json(session->id, t.done);
	else
		drop_session(mock->store, session);
	pthread_mutex_unlock(&mock->store->lock);
done:
	free(data);
	return rc;
}

static int write_all(int fd, const unsigned char *buf, int64_t len)
{
	if (vrp_fs_write_all(fd, buf, (size_t)len) != 0)
		return vrp_error_from_errno(errno, "cannot write the download");
	return 0;
}

/* A copy of the object's bytes, so the transfer runs without holding the lock. */
static int copy_object(struct mock_store *store, const char *id, unsigned char **data,
		       int64_t *size)
{
	int rc = 0;
	pthread_mutex_lock(&store->lock);
	const struct mock_blob *blob =
		mock_store_find(store->objects, store->object_count, id, NULL);
	if (!blob)
		rc = vrp_error_set(VRP_EREMOTE_NOT_FOUND, "mock: HTTP 404, no object %s", id);
	else if (!(*data = malloc((size_t)blob->size + 1)))
		rc = vrp_error_oom();
	else {
		memcpy(*data, blob->data, (size_t)blob->size);
		*size = blob->size;
	}
	pthread_mutex_unlock(&store->lock);
	return rc;
}

int mock_download(void *state, const char *remote_id, int fd, vrp_transfer_progress_fn progress,
		  void *ctx)
{
	struct mock *mock = state;
	struct mock_fault fault;
	unsigned char *data = NULL;
	int64_t size = 0;
	int rc = mock_begin_op(mock, MOCK_DOWNLOAD, &fault);
	if (rc == 0)
		rc = copy_object(mock->store, remote_id, &data, &size);
	if (rc < 0)
		goto done;
	if (fault.kind == MOCK_FAULT_CORRUPT && size > 0)
		data[size / 2] ^= 0x5a;
	struct mock_transfer t = { mock, &fault, progress, ctx, 0, size };
	int64_t step = 0;
	while (t.done < t.total && (rc = mock_transfer_step(&t, &step)) == 0) {
		if ((rc = write_all(fd, data + t.done, step)) < 0)
			break;
		t.done += step;
	}
done:
	free(data);
	return rc;
}
