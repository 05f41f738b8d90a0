/*
 * sftp_read.c - downloads: the remote file's bytes into the core's
 * temporary file (the core fsyncs, checks the sha256 and renames it), and
 * the object description every operation returns.
 */
#include "cloud/providers/sftp.h"

#include "core/fsutil.h"

#include "cloud/remote_name.h"
#include "core/clock.h"
#include "core/error_set.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

vrp_remote_object *sftp_object(const char *rel, const struct sftp_attrs *attrs)
{
	vrp_remote_object *object = vrp_remote_object_alloc();
	if (!object)
		return NULL;
	char created[VRP_TIME_ISO_LEN], etag[64];
	bool has_time = attrs->flags & SFTP_ATTR_ACMODTIME;
	if (has_time)
		vrp_time_format_iso((int64_t)attrs->mtime * 1000, created);
	/* SFTP v3 gives seconds: size and mtime together stand for the content's version. */
	snprintf(etag, sizeof(etag), "%llu-%lu", (unsigned long long)attrs->filesize,
		 has_time ? attrs->mtime : 0ul);
	object->size = (int64_t)attrs->filesize;
	if (vrp_field_set(&object->remote_id, rel) < 0 || vrp_field_set(&object->path, rel) < 0 ||
	    vrp_field_set(&object->mime_type, vrp_mime_type_for_path(rel)) < 0 ||
	    (has_time && vrp_field_set(&object->created_at, created) < 0) ||
	    vrp_field_set(&object->etag, etag) < 0) {
		vrp_remote_object_free(object);
		return NULL;
	}
	return object;
}

struct download {
	int fd;
	int64_t done, total;
	vrp_transfer_progress_fn progress;
	void *ctx;
	const char *path;
};

static int to_fd(void *arg, const unsigned char *data, size_t len)
{
	struct download *d = arg;
	if (vrp_fs_write_all(d->fd, data, len) != 0)
		return vrp_error_from_errno(errno, "cannot write the download of %s", d->path);
	d->done += (int64_t)len;
	if (d->progress && d->progress(d->ctx, d->done, d->total) != 0)
		return vrp_error_set(VRP_ECANCELLED, "download of %s cancelled", d->path);
	return 0;
}

static int download_once(struct sftp *s, const char *full, struct download *d)
{
	int rc = sftp_connect(s);
	if (rc == 0)
		rc = sftp_refuse_links(s, full);
	if (rc != 0)
		return rc;
	struct sftp_handle *h = NULL;
	if (s->ops->open(s, full, SFTP_FXF_READ, 0, &h) != 0)
		return sftp_fail(s, "cannot open", full);
	struct sftp_attrs attrs;
	if (s->ops->fstat(s, h, &attrs) != 0)
		rc = sftp_fail(s, "cannot read the status of", full);
	else if (!SFTP_S_ISREG(attrs.permissions))
		rc = vrp_error_set(VRP_EREMOTE_NOT_FOUND, "%s on %s is not a file", full,
				   s->set.host);
	d->total = rc == 0 ? (int64_t)attrs.filesize : -1;
	if (rc == 0 && d->progress && d->progress(d->ctx, 0, d->total) != 0)
		rc = vrp_error_set(VRP_ECANCELLED, "download of %s cancelled", full);
	if (rc == 0)
		rc = sftp_read_stream(s, h, 0, -1, full, to_fd, d);
	s->ops->close(s, h);
	return rc;
}

int sftp_download(void *state, const char *remote_id, int fd, vrp_transfer_progress_fn progress,
		  void *progress_ctx)
{
	struct sftp *s = state;
	char *full = NULL;
	int rc = sftp_path_of_id(s, remote_id, &full);
	if (rc != 0)
		return rc;
	struct download d = { .fd = fd, .progress = progress, .ctx = progress_ctx, .path = full };
	rc = download_once(s, full, &d);
	/* Only while nothing was written: the fd must hold the object's bytes and nothing else. */
	if (d.done == 0 && sftp_retry_stale(s, rc, 0))
		rc = download_once(s, full, &d);
	free(full);
	return rc;
}
