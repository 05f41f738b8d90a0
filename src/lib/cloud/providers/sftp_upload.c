/*
 * sftp_upload.c - uploads: "<path>/<name>.part", written through the transport's
 * write pipeline, fsynced (fsync@openssh.com where the server has it),
 * verified (sftp_verify.c), then renamed into place. The final name only
 * ever holds a complete, verified file.
 *
 * An interrupted upload leaves its .part; the next attempt keeps the part's
 * bytes when they are the start of the local file (checked as the verify
 * mode allows) and sends the rest. The request's resume state is only
 * informative: the part on the server is the truth.
 *
 * Renaming: OpenSSH speaks SFTP v3, whose rename fails when the target
 * exists; the openssh transport sends posix-rename@openssh.com, which
 * replaces it atomically, but libssh2 1.10 cannot. When the first rename fails, the old object is
 * removed and the rename retried: for that short window the name is absent (never partial), and the
 * next sync finds the object missing and uploads it again if we stop in between.
 */
#include "cloud/providers/sftp.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/hash.h"
#include "core/log.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Progress is reported at most once per this many bytes. */
#define PROGRESS_STEP (1 << 20)

struct upload {
	struct sftp *s;
	const vrp_upload_request *request;
	char *full, *part, *dir;
	int fd;
	int64_t size, done, reported, read_at;
	vrp_sha256 *hash;
	struct sftp_handle *h;
	struct sftp_attrs attrs;
	char sha256[VRP_SHA256_HEX_LEN];
};

static int report(struct upload *up, bool force)
{
	const vrp_upload_request *r = up->request;
	if (!r->progress || (!force && up->done - up->reported < PROGRESS_STEP))
		return 0;
	up->reported = up->done;
	if (r->progress(r->progress_ctx, up->done, up->size) != 0)
		return vrp_error_set(VRP_ECANCELLED, "upload of %s cancelled", r->remote_path);
	return 0;
}

/* Creates `dir` and its missing parents; an existing folder is fine. */
static int mkdir_p(struct sftp *s, char *dir)
{
	if (s->ops->mkdir(s, dir, 0755) == 0)
		return 0;
	unsigned long status = sftp_status(s);
	char *slash = strrchr(dir, '/');
	if (status == SFTP_FX_NO_SUCH_FILE && slash && slash != dir) {
		*slash = '\0';
		int rc = mkdir_p(s, dir);
		*slash = '/';
		if (rc < 0)
			return rc;
		if (s->ops->mkdir(s, dir, 0755) == 0)
			return 0;
		status = sftp_status(s);
	}
	/* OpenSSH reports an existing folder (EEXIST) as a plain failure; the open that
	 * follows tells the real story if it was something else. */
	if (status == SFTP_FX_FAILURE || status == SFTP_FX_FILE_ALREADY_EXISTS)
		return 0;
	return sftp_fail(s, "cannot create the folder", dir);
}

static struct sftp_handle *open_part(struct sftp *s, const char *part, bool fresh)
{
	struct sftp_handle *h = NULL;
	unsigned long flags = SFTP_FXF_READ | SFTP_FXF_WRITE | SFTP_FXF_CREAT;
	/* No part was there: whatever one appeared since is not ours to resume. */
	if (fresh)
		flags |= SFTP_FXF_TRUNC;
	s->ops->open(s, part, flags, 0644, &h);
	return h;
}

static int truncate_part(struct upload *up)
{
	struct sftp_attrs a = { .flags = SFTP_ATTR_SIZE, .filesize = 0 };
	if (up->s->ops->fsetstat(up->s, up->h, &a) != 0)
		return sftp_fail(up->s, "cannot restart", up->part);
	up->done = 0;
	return 0;
}

/* Keeps the part's bytes when they are the start of the local file, else starts over. */
static int resume_or_restart(struct upload *up, int64_t existing)
{
	bool keep = false;
	int rc = 0;
	if (existing > 0 && existing <= up->size)
		rc = sftp_prefix_matches(up->s, up->h, up->part, up->fd, existing, &keep);
	if (rc < 0 || existing == 0)
		return rc;
	if (!keep)
		return truncate_part(up);
	up->done = existing;
	VRP_LOG_INFO("sftp",
		     json_pack("{s:s, s:o, s:I}", "remote", up->s->name, "path",
			       vrp_log_titled_path(up->request->remote_path), "bytes",
			       (json_int_t)existing),
		     "resuming the upload of the .part at byte %lld: its bytes match",
		     (long long)existing);
	return 0;
}

/*
 * The folders on the way, the name renamed over and the .part opened may
 * not be links. `*part_found` says whether a .part is there to resume.
 */
static int refuse_links(struct upload *up, bool *part_found)
{
	struct sftp_attrs attrs;
	int rc = sftp_refuse_links(up->s, up->full);
	if (rc == 0)
		rc = sftp_refuse_links_at(up->s, up->part, &attrs, part_found);
	return rc;
}

static int open_remote(struct upload *up)
{
	struct sftp *s = up->s;
	bool part_found = true;
	int rc = refuse_links(up, &part_found);
	if (rc < 0)
		return rc;
	up->h = open_part(s, up->part, !part_found);
	if (!up->h && sftp_status(s) == SFTP_FX_NO_SUCH_FILE) {
		rc = mkdir_p(s, up->dir);
		if (rc < 0)
			return rc;
		up->h = open_part(s, up->part, !part_found);
	}
	if (!up->h)
		return sftp_fail(s, "cannot create", up->part);
	/* A new part is empty: its status would only cost a round trip. */
	if (!part_found)
		return 0;
	struct sftp_attrs attrs;
	if (s->ops->fstat(s, up->h, &attrs) != 0)
		return sftp_fail(s, "cannot read the status of", up->part);
	return resume_or_restart(up, (int64_t)attrs.filesize);
}

/* The local file's next bytes, hashed as they are read, for the transport to send. */
static int fill(void *ctx, unsigned char *buf, size_t cap, size_t *n)
{
	struct upload *up = ctx;
	ssize_t got = vrp_fs_pread_full(up->fd, buf, cap, up->read_at);
	if (got < 0)
		return vrp_error_from_errno(errno, "cannot read %s", up->request->local_path);
	up->read_at += got;
	*n = (size_t)got;
	return vrp_sha256_update(up->hash, buf, (size_t)got);
}

static int acked(void *ctx, size_t n)
{
	struct upload *up = ctx;
	up->done += (int64_t)n;
	return report(up, up->done == up->size);
}

/* A resumed upload's hash still covers the whole file: the kept prefix is hashed locally. */
static int hash_prefix(struct upload *up)
{
	struct sftp *s = up->s;
	if (!s->io_buf && !(s->io_buf = malloc(SFTP_IO_BUFFER)))
		return vrp_error_oom();
	int rc = 0;
	for (int64_t at = 0; rc == 0 && at < up->done;) {
		size_t want =
			up->done - at < SFTP_IO_BUFFER ? (size_t)(up->done - at) : SFTP_IO_BUFFER;
		ssize_t n = vrp_fs_pread_full(up->fd, s->io_buf, want, at);
		if (n != (ssize_t)want)
			return vrp_error_from_errno(n < 0 ? errno : EIO, "cannot read %s",
						    up->request->local_path);
		rc = vrp_sha256_update(up->hash, s->io_buf, want);
		at += (int64_t)want;
	}
	return rc;
}

static int send_rest(struct upload *up)
{
	struct sftp *s = up->s;
	struct sftp_source src = { .fill = fill, .acked = acked, .ctx = up };
	up->read_at = up->done;
	int rc = report(up, true);
	if (rc == 0)
		rc = s->ops->write_stream(s, up->h, up->done, &src, up->part);
	if (rc < 0 && !src.source_failed)
		rc = sftp_check_full(s, up->dir, up->size - up->done, rc);
	return rc;
}

static int sync_part(struct upload *up)
{
	struct sftp *s = up->s;
	if (!s->fsync_unsupported && s->ops->fsync(s, up->h) != 0) {
		if (sftp_status(s) != SFTP_FX_OP_UNSUPPORTED) {
			int rc = sftp_fail(s, "cannot sync", up->part);
			return sftp_check_full(s, up->dir, 0, rc);
		}
		s->fsync_unsupported = true;
		VRP_LOG_WARNING("sftp", json_pack("{s:s}", "remote", s->name),
				"%s has no fsync@openssh.com: uploads are verified but not "
				"forced to disk",
				s->set.host);
	}
	if (s->ops->fstat(s, up->h, &up->attrs) != 0)
		return sftp_fail(s, "cannot read the status of", up->part);
	if ((int64_t)up->attrs.filesize != up->size)
		return vrp_error_set(VRP_ECHECKSUM,
				     "%s on %s has %llu bytes after the upload, sent %lld",
				     up->part, s->set.host, (unsigned long long)up->attrs.filesize,
				     (long long)up->size);
	return 0;
}

/* The local bytes sent must be the catalogue's: a file changed under us is not uploaded. */
static int check_local_hash(struct upload *up)
{
	int rc = vrp_sha256_final_hex(up->hash, up->sha256);
	const char *expected = up->request->sha256;
	if (rc == 0 && expected && strcmp(up->sha256, expected) != 0)
		rc = vrp_error_set(VRP_ECHECKSUM, "%s has sha256 %s, the catalogue says %s",
				   up->request->local_path, up->sha256, expected);
	return rc;
}

static int rename_into_place(struct upload *up)
{
	struct sftp *s = up->s;
	if (s->ops->rename(s, up->part, up->full) == 0)
		return 0;
	if (sftp_status(s) == 0)
		return sftp_fail(s, "cannot rename into place", up->part);
	/* SFTP v3: the target exists. See the comment at the top for the window. */
	s->ops->unlink(s, up->full);
	if (s->ops->rename(s, up->part, up->full) != 0)
		return sftp_fail(s, "cannot rename into place", up->part);
	return 0;
}

static int finish(struct upload *up, vrp_remote_object **out)
{
	const char *verification = NULL;
	int rc = check_local_hash(up);
	if (rc == 0)
		rc = sync_part(up);
	if (rc == 0)
		rc = sftp_verify_upload(up->s, up->h, up->part, up->fd, up->size, up->sha256,
					&verification);
	/* A part whose bytes are wrong must not be resumed from: remove it. */
	if (rc == VRP_ECHECKSUM) {
		up->s->ops->close(up->s, up->h);
		up->h = NULL;
		up->s->ops->unlink(up->s, up->part);
	}
	if (rc < 0)
		return rc;
	up->s->ops->close(up->s, up->h);
	up->h = NULL;
	rc = rename_into_place(up);
	if (rc == 0 && !(*out = sftp_object(up->request->remote_path, &up->attrs)))
		rc = VRP_ENOMEM;
	if (rc == 0)
		rc = vrp_field_set(&(*out)->checksum, up->sha256);
	if (rc == 0)
		rc = vrp_field_set(&(*out)->verification, verification);
	if (rc == 0)
		(*out)->checksum_kind = VRP_CHECKSUM_SHA256;
	return rc;
}

static char *resume_json(const struct upload *up)
{
	json_t *state =
		json_pack("{s:i, s:s, s:s, s:I}", "version", 1, "provider", "sftp", "remote_path",
			  up->request->remote_path, "bytes", (json_int_t)up->done);
	char *text = state ? json_dumps(state, JSON_COMPACT) : NULL;
	json_decref(state);
	return text;
}

static int prepare(struct upload *up)
{
	struct sftp *s = up->s;
	struct stat st;
	if (sftp_is_part(up->request->remote_path)) {
		/* The constant, not vrp_error_set's result, so the analyser sees it is never 0. */
		vrp_error_set(VRP_EINVAL, "remote names ending in %s are reserved",
			      SFTP_PART_SUFFIX);
		return VRP_EINVAL;
	}
	int rc = vrp_fs_open_regular(up->request->local_path, &up->fd, &st);
	if (rc != 0)
		return rc;
	up->size = st.st_size;
	up->full = sftp_full_path(s, up->request->remote_path);
	if (up->full && asprintf(&up->part, "%s%s", up->full, SFTP_PART_SUFFIX) < 0)
		up->part = NULL;
	up->dir = up->full ? strdup(up->full) : NULL;
	if (!up->full || !up->part || !up->dir || vrp_sha256_new(&up->hash) < 0)
		return vrp_error_oom();
	*strrchr(up->dir, '/') = '\0';
	return sftp_connect(s);
}

int sftp_upload(void *state, const vrp_upload_request *request, vrp_remote_object **out,
		char **resume_state)
{
	struct upload up = { .s = state, .request = request, .fd = -1 };
	int rc = prepare(&up);
	bool prepared = rc == 0;
	if (prepared)
		rc = open_remote(&up);
	/* Nothing was sent yet: a connection that died while kept is simply replaced. */
	if (prepared && sftp_retry_stale(up.s, rc, 0)) {
		up.s->ops->close(up.s, up.h);
		up.h = NULL;
		if ((rc = sftp_connect(up.s)) == 0)
			rc = open_remote(&up);
	}
	if (rc == 0 && up.done > 0)
		rc = hash_prefix(&up);
	if (rc == 0)
		rc = send_rest(&up);
	if (rc == 0)
		rc = finish(&up, out);
	else if (up.done > 0)
		*resume_state = resume_json(&up);
	if (up.h)
		up.s->ops->close(up.s, up.h);
	if (up.fd >= 0)
		close(up.fd);
	vrp_sha256_free(up.hash);
	free(up.full);
	free(up.part);
	free(up.dir);
	return rc;
}
