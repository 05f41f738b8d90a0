/*
 * metadata_sidecar.c - sidecars go through the provider's own upload,
 * download and delete, so they get the same atomic placement, resume and
 * checks as the objects they describe, and no provider has to know them.
 *
 * The bytes travel through a memfd: the provider core owns no folder on the
 * local disk, and a sidecar is a few hundred bytes.
 */
#include "cloud/metadata_sidecar.h"

#include "core/error_set.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

bool metadata_sidecar_used(const vrp_provider *provider)
{
	return provider->ops->version >= 4 && provider->ops->metadata_sidecar;
}

bool metadata_sidecar_is_name(const char *path)
{
	size_t n = path ? strlen(path) : 0, s = strlen(VRP_REMOTE_METADATA_SUFFIX);
	return n > s && strcmp(path + n - s, VRP_REMOTE_METADATA_SUFFIX) == 0;
}

static char *sidecar_name(const char *path)
{
	char *name = NULL;
	if (asprintf(&name, "%s%s", path, VRP_REMOTE_METADATA_SUFFIX) < 0)
		return NULL;
	return name;
}

static int memfd(const char *what, int *fd)
{
	*fd = memfd_create("vrp-metadata", MFD_CLOEXEC);
	if (*fd < 0)
		return vrp_error_from_errno(errno, "cannot make a buffer for %s", what);
	return 0;
}

int metadata_sidecar_put(vrp_provider *provider, const char *remote_path, const char *json)
{
	size_t len = strlen(json);
	if (len > VRP_REMOTE_METADATA_MAX)
		return vrp_error_set(VRP_EINVAL, "the metadata of %s is %zu bytes, more than %d",
				     remote_path, len, VRP_REMOTE_METADATA_MAX);
	char *name = sidecar_name(remote_path);
	if (!name)
		return vrp_error_oom();
	int fd = -1;
	int rc = memfd(name, &fd);
	if (rc == 0 && write(fd, json, len) != (ssize_t)len)
		rc = vrp_error_from_errno(errno, "cannot buffer the metadata of %s", remote_path);
	char local[64];
	snprintf(local, sizeof(local), "/proc/self/fd/%d", fd);
	vrp_upload_request request = { .local_path = local, .remote_path = name };
	vrp_remote_object *object = NULL;
	char *resume = NULL;
	if (rc == 0)
		rc = provider->ops->upload(provider->state, &request, &object, &resume);
	vrp_remote_object_free(object);
	free(resume);
	if (fd >= 0)
		close(fd);
	free(name);
	return rc;
}

/* The buffer's bytes as a string; a sidecar larger than any vrp writes is refused. */
static int read_back(int fd, const char *name, char **out)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return vrp_error_from_errno(errno, "cannot read back %s", name);
	if (st.st_size > VRP_REMOTE_METADATA_MAX)
		return vrp_error_set(VRP_EPERMANENT, "%s is %lld bytes: not vrp's metadata", name,
				     (long long)st.st_size);
	char *text = malloc((size_t)st.st_size + 1);
	if (!text)
		return vrp_error_oom();
	ssize_t n = pread(fd, text, (size_t)st.st_size, 0);
	if (n != st.st_size) {
		free(text);
		return vrp_error_from_errno(n < 0 ? errno : EIO, "cannot read back %s", name);
	}
	text[n] = '\0';
	if (strlen(text) != (size_t)n) {
		free(text);
		return vrp_error_set(VRP_EPERMANENT, "%s holds a NUL byte: not vrp's metadata",
				     name);
	}
	*out = text;
	return 0;
}

int metadata_sidecar_get(vrp_provider *provider, const char *remote_id, char **out)
{
	*out = NULL;
	char *name = sidecar_name(remote_id);
	if (!name)
		return vrp_error_oom();
	int fd = -1;
	int rc = memfd(name, &fd);
	if (rc == 0)
		rc = provider->ops->download(provider->state, name, fd, NULL, NULL);
	if (rc == 0)
		rc = read_back(fd, name, out);
	if (fd >= 0)
		close(fd);
	free(name);
	return rc;
}

int metadata_sidecar_delete(vrp_provider *provider, const char *remote_id)
{
	char *name = sidecar_name(remote_id);
	if (!name)
		return vrp_error_oom();
	int rc = provider->ops->delete_object(provider->state, name);
	free(name);
	return rc == VRP_EREMOTE_NOT_FOUND ? 0 : rc;
}

void metadata_sidecar_filter(vrp_remote_page *page)
{
	size_t kept = 0;
	for (size_t i = 0; i < page->count; i++) {
		if (metadata_sidecar_is_name(page->items[i]->path))
			vrp_remote_object_free(page->items[i]);
		else
			page->items[kept++] = page->items[i];
	}
	page->count = kept;
}
