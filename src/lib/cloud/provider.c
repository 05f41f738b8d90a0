/*
 * provider.c - the calls every provider goes through: argument checks,
 * remote path normalisation, and the parts of the contract that must not
 * depend on each provider getting them right (verified downloads).
 */
#include "cloud/provider_internal.h"
#include "core/durable.h"

#include "cloud/metadata_sidecar.h"
#include "cloud/remote_name.h"
#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static _Thread_local int64_t retry_after_ms = -1;

int64_t vrp_provider_retry_after_ms(void) { return retry_after_ms; }

void vrp_provider_set_retry_after_ms(int64_t ms) { retry_after_ms = ms; }

static int no_provider(void)
{
	retry_after_ms = -1;
	vrp_error_set(VRP_EINVAL, "no provider given");
	return VRP_EINVAL;
}

/* Every call starts from a clean slate so a stale hint is never acted on. */
static int begin(bool supported, const char *type)
{
	retry_after_ms = -1;
	if (supported)
		return 0;
	/* The constant, not vrp_error_set's result, so the analyser sees it is never 0. */
	vrp_error_set(VRP_ENOTSUP, "the %s provider does not support this operation", type);
	return VRP_ENOTSUP;
}

/* Names the remote in the error unless the provider already named something. */
static int finish(const vrp_provider *provider, int rc)
{
	if (rc < 0 && vrp_error_last()->context[0] == '\0')
		vrp_error_set_context("remote %s", provider->name);
	return rc;
}

const char *vrp_provider_type(const vrp_provider *provider) { return provider->ops->type; }

const char *vrp_provider_name(const vrp_provider *provider) { return provider->name; }

int vrp_provider_authenticate(vrp_provider *provider)
{
	int rc = provider ? begin(provider->ops->authenticate != NULL, provider->ops->type)
			  : no_provider();
	if (rc < 0)
		return rc;
	return finish(provider, provider->ops->authenticate(provider->state));
}

int vrp_provider_is_authenticated(vrp_provider *provider, bool *out)
{
	int rc = provider ? begin(provider->ops->is_authenticated != NULL, provider->ops->type)
			  : no_provider();
	if (rc < 0)
		return rc;
	*out = false;
	return finish(provider, provider->ops->is_authenticated(provider->state, out));
}

int vrp_provider_authorize(vrp_provider *provider, const vrp_authorize_request *request)
{
	bool supported = provider && provider->ops->version >= 2 && provider->ops->authorize;
	int rc = provider ? begin(supported, provider->ops->type) : no_provider();
	if (rc < 0)
		return rc;
	if (!request)
		return vrp_error_set(VRP_EINVAL, "no authorization request given");
	return finish(provider, provider->ops->authorize(provider->state, request));
}

int vrp_provider_upload(vrp_provider *provider, const vrp_upload_request *request,
			vrp_remote_object **out, char **resume_state)
{
	vrp_remote_object *object = NULL;
	char *state = NULL;
	char *path = NULL;
	if (out)
		*out = NULL;
	if (resume_state)
		*resume_state = NULL;
	int rc = provider ? begin(provider->ops->upload != NULL, provider->ops->type)
			  : no_provider();
	if (rc < 0)
		return rc;
	if (!request || !request->local_path || !request->remote_path)
		return vrp_error_set(VRP_EINVAL, "an upload needs a local and a remote path");
	rc = vrp_remote_path_normalize(request->remote_path, &path);
	if (rc < 0)
		return rc;
	vrp_upload_request checked = *request;
	checked.remote_path = path;
	if (request->metadata_json && metadata_sidecar_is_name(path))
		rc = vrp_error_set(VRP_EINVAL, "remote names ending in %s are reserved",
				   VRP_REMOTE_METADATA_SUFFIX);
	if (rc == 0 && request->metadata_json && metadata_sidecar_used(provider))
		rc = metadata_sidecar_put(provider, path, request->metadata_json);
	if (rc == 0)
		rc = provider->ops->upload(provider->state, &checked, &object, &state);
	rc = finish(provider, rc);
	if (rc == 0 && out) {
		*out = object;
		object = NULL;
	}
	if (rc < 0 && resume_state) {
		*resume_state = state;
		state = NULL;
	}
	vrp_remote_object_free(object);
	free(state);
	free(path);
	return rc;
}

/*
 * "<dir>/.<name>.vrp-XXXXXX": beside the destination so the rename stays on
 * one filesystem. The name is cut so the whole component fits NAME_MAX
 * whatever the destination's length (the temporary name only has to be unique).
 */
static char *temp_template(const char *local_path)
{
	const char *slash = strrchr(local_path, '/');
	int dir_len = slash ? (int)(slash - local_path + 1) : 0;
	const char *base = slash ? slash + 1 : local_path;
	int base_max = NAME_MAX - (int)strlen("..vrp-XXXXXX");
	size_t size = strlen(local_path) + sizeof(".") + sizeof(".vrp-XXXXXX");
	char *out = malloc(size);
	if (out)
		snprintf(out, size, "%.*s.%.*s.vrp-XXXXXX", dir_len, local_path, base_max, base);
	return out;
}

static int verify_download(const char *temp, const char *expected, const char *remote_id)
{
	if (!expected)
		return 0;
	char actual[VRP_SHA256_HEX_LEN];
	int rc = vrp_sha256_file(temp, actual);
	if (rc < 0)
		return rc;
	if (strcmp(actual, expected) != 0)
		return vrp_error_set(VRP_ECHECKSUM,
				     "downloaded %s has sha256 %s, expected %s; nothing was kept",
				     remote_id, actual, expected);
	return 0;
}

static int download_into(vrp_provider *provider, const vrp_download_request *request,
			 const char *temp, int fd)
{
	int rc = provider->ops->download(provider->state, request->remote_id, fd, request->progress,
					 request->progress_ctx);
	if (rc < 0)
		return finish(provider, rc);
	if (vrp_durable_fsync(fd) != 0)
		return vrp_error_from_errno(errno, "cannot sync %s", temp);
	rc = verify_download(temp, request->expected_sha256, request->remote_id);
	if (rc < 0)
		return finish(provider, rc);
	return vrp_fs_rename_durable(temp, request->local_path);
}

int vrp_provider_download(vrp_provider *provider, const vrp_download_request *request)
{
	int rc = provider ? begin(provider->ops->download != NULL, provider->ops->type)
			  : no_provider();
	if (rc < 0)
		return rc;
	if (!request || !request->remote_id || !request->local_path)
		return vrp_error_set(VRP_EINVAL, "a download needs a remote id and a local path");
	char *temp = temp_template(request->local_path);
	if (!temp)
		return vrp_error_oom();
	int fd = mkstemp(temp);
	if (fd < 0) {
		rc = vrp_error_from_errno(errno, "cannot create a temporary file for %s",
					  request->local_path);
		free(temp);
		return rc;
	}
	rc = download_into(provider, request, temp, fd);
	close(fd);
	if (rc < 0)
		vrp_durable_unlink(temp);
	free(temp);
	return rc;
}

int vrp_provider_download_to_fd(vrp_provider *provider, const char *remote_id, int fd,
				vrp_transfer_progress_fn progress, void *progress_ctx)
{
	int rc = provider ? begin(provider->ops->download != NULL, provider->ops->type)
			  : no_provider();
	if (rc < 0)
		return rc;
	if (!remote_id)
		return vrp_error_set(VRP_EINVAL, "a download needs a remote id");
	return finish(provider, provider->ops->download(provider->state, remote_id, fd, progress,
							progress_ctx));
}

struct pipe_hash {
	int fd;
	char hex[VRP_SHA256_HEX_LEN];
	int64_t bytes;
	int rc;
};

/* The reading end of the pipe: hashes until the writer closes it. */
static void *hash_pipe(void *arg)
{
	struct pipe_hash *h = arg;
	vrp_sha256 *sha = NULL;
	unsigned char buf[65536];
	h->rc = vrp_sha256_new(&sha);
	ssize_t n = 0;
	while (h->rc == 0 && (n = read(h->fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			h->rc = VRP_EIO;
			break;
		}
		h->bytes += n;
		h->rc = vrp_sha256_update(sha, buf, (size_t)n);
	}
	/* Drain whatever the writer still sends, so it never blocks on a full pipe. */
	while (h->rc < 0 && read(h->fd, buf, sizeof(buf)) > 0)
		;
	if (h->rc == 0)
		h->rc = vrp_sha256_final_hex(sha, h->hex);
	vrp_sha256_free(sha);
	return NULL;
}

int vrp_provider_download_sha256(vrp_provider *provider, const char *remote_id, char out[65],
				 int64_t *bytes)
{
	out[0] = '\0';
	int rc = provider ? begin(provider->ops->download != NULL, provider->ops->type)
			  : no_provider();
	if (rc < 0)
		return rc;
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return vrp_error_from_errno(errno, "cannot make a pipe to hash %s", remote_id);
	struct pipe_hash h = { .fd = fds[0] };
	pthread_t reader;
	if (pthread_create(&reader, NULL, hash_pipe, &h) != 0) {
		close(fds[0]);
		close(fds[1]);
		return vrp_error_set(VRP_ENOMEM, "cannot start hashing %s", remote_id);
	}
	rc = provider->ops->download(provider->state, remote_id, fds[1], NULL, NULL);
	close(fds[1]);
	pthread_join(reader, NULL);
	close(fds[0]);
	if (rc < 0)
		return finish(provider, rc);
	if (h.rc < 0)
		return vrp_error_set(h.rc, "cannot hash the download of %s", remote_id);
	memcpy(out, h.hex, VRP_SHA256_HEX_LEN);
	if (bytes)
		*bytes = h.bytes;
	return 0;
}

int vrp_provider_list(vrp_provider *provider, const char *prefix, const char *page_token,
		      size_t page_size, vrp_remote_page **out)
{
	*out = NULL;
	int rc = provider ? begin(provider->ops->list != NULL, provider->ops->type) : no_provider();
	if (rc < 0)
		return rc;
	char *folder = NULL;
	if (prefix && *prefix) {
		rc = vrp_remote_path_normalize(prefix, &folder);
		if (rc < 0)
			return rc;
	}
	rc = finish(provider,
		    provider->ops->list(provider->state, folder, page_token, page_size, out));
	if (rc == 0 && metadata_sidecar_used(provider))
		metadata_sidecar_filter(*out);
	free(folder);
	return rc;
}

int vrp_provider_list_changes(vrp_provider *provider, const char *prefix, const char *cursor,
			      const char *page_token, vrp_remote_page **out)
{
	*out = NULL;
	bool has = provider && provider->ops->version >= 4 && provider->ops->list_changes;
	int rc = provider ? begin(has, provider->ops->type) : no_provider();
	if (rc < 0)
		return rc;
	char *folder = NULL;
	if (prefix && *prefix && (rc = vrp_remote_path_normalize(prefix, &folder)) < 0)
		return rc;
	rc = finish(provider,
		    provider->ops->list_changes(provider->state, folder, cursor, page_token, out));
	if (rc == 0 && metadata_sidecar_used(provider))
		metadata_sidecar_filter(*out);
	free(folder);
	return rc;
}

int vrp_provider_stat(vrp_provider *provider, const char *remote_path, unsigned flags,
		      vrp_remote_object **out)
{
	*out = NULL;
	int rc = provider ? begin(provider->ops->stat != NULL, provider->ops->type) : no_provider();
	if (rc < 0)
		return rc;
	char *path = NULL;
	rc = vrp_remote_path_normalize(remote_path, &path);
	if (rc < 0)
		return rc;
	rc = finish(provider, provider->ops->stat(provider->state, path, flags, out));
	free(path);
	return rc;
}

int vrp_provider_delete(vrp_provider *provider, const char *remote_id)
{
	int rc = provider ? begin(provider->ops->delete_object != NULL, provider->ops->type)
			  : no_provider();
	if (rc < 0)
		return rc;
	if (!remote_id || !*remote_id)
		return vrp_error_set(VRP_EINVAL, "no remote id given to delete");
	rc = provider->ops->delete_object(provider->state, remote_id);
	/* After the object: a sidecar left by a failure is hidden and harmless. */
	if ((rc == 0 || rc == VRP_EREMOTE_NOT_FOUND) && metadata_sidecar_used(provider)) {
		int sidecar = metadata_sidecar_delete(provider, remote_id);
		rc = rc == 0 ? sidecar : rc;
	}
	return finish(provider, rc);
}

int vrp_provider_read_metadata(vrp_provider *provider, const vrp_remote_object *object, char **out)
{
	*out = NULL;
	int rc = provider ? begin(true, provider->ops->type) : no_provider();
	if (rc < 0)
		return rc;
	if (!object || !object->remote_id)
		return vrp_error_set(VRP_EINVAL, "no remote object given");
	if (object->metadata_json)
		return (*out = strdup(object->metadata_json)) ? 0 : vrp_error_oom();
	if (!metadata_sidecar_used(provider) || !provider->ops->download)
		return vrp_error_set(VRP_EREMOTE_NOT_FOUND, "%s carries no metadata",
				     object->remote_id);
	return finish(provider, metadata_sidecar_get(provider, object->remote_id, out));
}

int vrp_provider_storage_info(vrp_provider *provider, vrp_storage_info **out)
{
	*out = NULL;
	int rc = provider ? begin(provider->ops->storage_info != NULL, provider->ops->type)
			  : no_provider();
	if (rc < 0)
		return rc;
	vrp_storage_info *info = malloc(sizeof(*info));
	if (!info)
		return vrp_error_oom();
	*info = (vrp_storage_info){ .used = -1, .total = -1, .free = -1 };
	rc = finish(provider, provider->ops->storage_info(provider->state, info));
	if (rc < 0)
		free(info);
	else
		*out = info;
	return rc;
}

int vrp_provider_capabilities_get(vrp_provider *provider, vrp_provider_capabilities **out)
{
	*out = NULL;
	int rc = provider ? begin(provider->ops->capabilities != NULL, provider->ops->type)
			  : no_provider();
	if (rc < 0)
		return rc;
	vrp_provider_capabilities *caps = calloc(1, sizeof(*caps));
	if (!caps)
		return vrp_error_oom();
	rc = finish(provider, provider->ops->capabilities(provider->state, caps));
	if (rc < 0)
		free(caps);
	else
		*out = caps;
	return rc;
}

int vrp_provider_accept_host_key(vrp_provider *provider, char **fingerprint)
{
	*fingerprint = NULL;
	bool has = provider && provider->ops->version >= 2 && provider->ops->accept_host_key;
	int rc = provider ? begin(has, provider->ops->type) : no_provider();
	if (rc < 0)
		return rc;
	return finish(provider, provider->ops->accept_host_key(provider->state, fingerprint));
}

int vrp_provider_probe(vrp_provider *provider)
{
	int rc = provider ? begin(true, provider->ops->type) : no_provider();
	if (rc < 0 || provider->ops->version < 3 || !provider->ops->probe)
		return rc;
	return finish(provider, provider->ops->probe(provider->state));
}

int vrp_provider_normalize_remote_id(vrp_provider *provider, const char *id, char **out)
{
	*out = NULL;
	int rc = provider ? begin(provider->ops->normalize_remote_id != NULL, provider->ops->type)
			  : no_provider();
	if (rc < 0)
		return rc;
	if (!id)
		return vrp_error_set(VRP_EINVAL, "no remote id given");
	return finish(provider, provider->ops->normalize_remote_id(provider->state, id, out));
}
