/*
 * localdir.c - a folder as a remote: a NAS mount, a USB disk, another sync
 * tool's folder. Setting: `path`, the absolute path of the remote root.
 *
 * Every path under the root is opened one component at a time without
 * following symlinks (core/fsutil's *_beneath), for reads, writes and
 * deletes alike: a link inside the remote (an app folder pointing elsewhere,
 * a file swapped for a link after a listing) is refused with ERR_PERMANENT,
 * never followed out of the root. The root itself may be a link.
 *
 * An upload is written to "<path>/<remote path>.part", fsynced, read back and
 * hashed, and only then renamed into place (and the directory fsynced), so
 * the final name only ever holds a complete, verified file. An interrupted
 * upload leaves its .part; the next attempt keeps the part's bytes if they
 * equal the start of the local file and appends the rest.
 */
#include "cloud/providers/localdir.h"
#include "core/durable.h"

#include "cloud/remote_name.h"
#include "core/clock.h"
#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define CHUNK       (256 << 10)
#define PART_SUFFIX ".part"

static int errno_code(int err)
{
	switch (err) {
	case ENOSPC:
	case EDQUOT:
		return VRP_EQUOTA;
	case EACCES:
	case EPERM:
	case EROFS:
	case ENAMETOOLONG:
	case EISDIR:
	case ENOTDIR:
		return VRP_EPERMANENT;
	case ENOENT:
		return VRP_EREMOTE_NOT_FOUND;
	case ENOMEM:
		return VRP_ENOMEM;
	default:
		return VRP_ETRANSIENT;
	}
}

int localdir_errno(int err, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return vrp_error_set(errno_code(err), "%s: %s", what, strerror(err));
}

int localdir_remap(int rc)
{
	static const struct {
		int local, remote;
	} map[] = {
		{ VRP_ENOSPC, VRP_EQUOTA },
		{ VRP_EPERM, VRP_EPERMANENT },
		{ VRP_EREADONLY, VRP_EPERMANENT },
		{ VRP_ENOTFOUND, VRP_EREMOTE_NOT_FOUND },
		{ VRP_ENOTFILE, VRP_EREMOTE_NOT_FOUND },
		{ VRP_EIO, VRP_ETRANSIENT },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (rc == map[i].local)
			return vrp_error_set(map[i].remote, "%s", vrp_error_last()->message);
	return rc;
}

int localdir_check_root(const struct localdir *ld)
{
	struct stat st;
	if (stat(ld->root, &st) != 0 || !S_ISDIR(st.st_mode))
		return vrp_error_set(VRP_EUNAVAILABLE,
				     "the folder %s is not there; is the disk mounted?", ld->root);
	return 0;
}

int localdir_is_part(const char *name)
{
	size_t n = strlen(name), s = strlen(PART_SUFFIX);
	return n >= s && strcmp(name + n - s, PART_SUFFIX) == 0;
}

vrp_remote_object *localdir_object(const char *rel, const struct stat *st)
{
	vrp_remote_object *object = vrp_remote_object_alloc();
	if (!object)
		return NULL;
	char created[VRP_TIME_ISO_LEN], etag[64];
	vrp_time_format_iso((int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000,
			    created);
	/* Size and nanosecond mtime change whenever the file is replaced. */
	snprintf(etag, sizeof(etag), "%lld-%lld.%09ld", (long long)st->st_size,
		 (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	object->size = st->st_size;
	if (vrp_field_set(&object->remote_id, rel) < 0 || vrp_field_set(&object->path, rel) < 0 ||
	    vrp_field_set(&object->mime_type, vrp_mime_type_for_path(rel)) < 0 ||
	    vrp_field_set(&object->created_at, created) < 0 ||
	    vrp_field_set(&object->etag, etag) < 0) {
		vrp_remote_object_free(object);
		return NULL;
	}
	return object;
}

static const struct vrp_provider_setting localdir_settings[] = {
	{ "path", true, "the absolute path of the folder to sync into" },
	{ NULL, false, NULL },
};

static int localdir_open(void **state, const struct vrp_provider_config *config)
{
	const char *path = vrp_provider_config_get(config, "path");
	if (path[0] != '/')
		return vrp_error_set(VRP_EINVAL,
				     "setting 'path' must be an absolute path, not '%s'", path);
	struct localdir *ld = calloc(1, sizeof(*ld));
	if (!ld || !(ld->root = strdup(path))) {
		free(ld);
		return vrp_error_oom();
	}
	*state = ld;
	return 0;
}

static void localdir_close(void *state)
{
	struct localdir *ld = state;
	free(ld->root);
	free(ld);
}

/* There are no credentials: a folder is usable when it is there (also the probe). */
static int localdir_authenticate(void *state) { return localdir_check_root(state); }

static int localdir_is_authenticated(void *state, bool *out)
{
	(void)state;
	*out = true;
	return 0;
}

struct upload {
	const vrp_upload_request *request;
	char *dest, *part; /* full paths, for messages */
	const char *name;  /* the last component of the remote path */
	char *part_name;
	int local_fd, part_fd, dir_fd;
	int64_t size, done;
	vrp_sha256 *local_hash;
	unsigned char *buf, *other;
};

static int progress(const struct upload *up)
{
	const vrp_upload_request *r = up->request;
	if (r->progress && r->progress(r->progress_ctx, up->done, up->size) != 0)
		return vrp_error_set(VRP_ECANCELLED, "upload of %s cancelled", r->remote_path);
	return 0;
}

/*
 * Keeps the .part's bytes while they equal the local file's. The prefixes
 * are compared byte for byte, which costs the same reads as hashing both
 * and lets the local bytes feed the whole-file hash we need anyway.
 */
static int resume_offset(struct upload *up, int64_t existing)
{
	int64_t kept = 0;
	while (existing <= up->size && kept < existing) {
		size_t want = existing - kept < CHUNK ? (size_t)(existing - kept) : CHUNK;
		ssize_t a = vrp_fs_read_full(up->local_fd, up->buf, want);
		if (a < 0)
			return vrp_error_from_errno(errno, "cannot read %s",
						    up->request->local_path);
		ssize_t b = vrp_fs_read_full(up->part_fd, up->other, want);
		if (b < 0)
			return localdir_errno(errno, "cannot read %s", up->part);
		if (a != (ssize_t)want || b != a || memcmp(up->buf, up->other, want) != 0)
			break;
		int rc = vrp_sha256_update(up->local_hash, up->buf, want);
		if (rc < 0)
			return rc;
		kept += (int64_t)want;
	}
	if (kept == existing && existing <= up->size) {
		up->done = kept;
		return 0;
	}
	/* The part belongs to other content: start again from nothing. */
	vrp_sha256_free(up->local_hash);
	up->local_hash = NULL;
	int rc = vrp_sha256_new(&up->local_hash);
	if (rc < 0)
		return rc;
	if (ftruncate(up->part_fd, 0) != 0 || lseek(up->part_fd, 0, SEEK_SET) != 0)
		return localdir_errno(errno, "cannot restart %s", up->part);
	if (lseek(up->local_fd, 0, SEEK_SET) != 0)
		return vrp_error_from_errno(errno, "cannot rewind %s", up->request->local_path);
	up->done = 0;
	return 0;
}

static int copy_rest(struct upload *up)
{
	int rc = progress(up);
	while (rc == 0) {
		ssize_t n = vrp_fs_read_full(up->local_fd, up->buf, CHUNK);
		if (n < 0)
			return vrp_error_from_errno(errno, "cannot read %s",
						    up->request->local_path);
		if (n == 0)
			break;
		if (vrp_fs_write_all(up->part_fd, up->buf, (size_t)n) != 0)
			return localdir_errno(errno, "cannot write %s", up->part);
		rc = vrp_sha256_update(up->local_hash, up->buf, (size_t)n);
		up->done += n;
		if (rc == 0)
			rc = progress(up);
	}
	if (rc == 0 && vrp_durable_fsync(up->part_fd) != 0)
		rc = localdir_errno(errno, "cannot sync %s", up->part);
	return rc;
}

/* The bytes on the remote, read back, must be the bytes read from the local file. */
static int verify_part(struct upload *up, char sha256[VRP_SHA256_HEX_LEN])
{
	char local[VRP_SHA256_HEX_LEN];
	int rc = vrp_sha256_final_hex(up->local_hash, local);
	if (rc == 0 && (rc = vrp_sha256_fd(up->part_fd, up->part, sha256)) < 0)
		rc = localdir_remap(rc);
	if (rc < 0)
		return rc;
	const char *expected = up->request->sha256;
	if (expected && strcmp(local, expected) != 0)
		rc = vrp_error_set(VRP_ECHECKSUM, "%s has sha256 %s, the catalogue says %s",
				   up->request->local_path, local, expected);
	else if (strcmp(sha256, local) != 0)
		rc = vrp_error_set(VRP_ECHECKSUM, "%s read back as sha256 %s, sent %s", up->part,
				   sha256, local);
	if (rc < 0)
		vrp_durable_unlinkat(up->dir_fd, up->part_name, 0);
	return rc;
}

/* A file where a folder should be cannot be fixed by retrying, unlike a missing file. */
static int remap_for_upload(int rc)
{
	if (rc == VRP_ENOTFILE)
		return vrp_error_set(VRP_EPERMANENT, "%s", vrp_error_last()->message);
	return localdir_remap(rc);
}

/* The destination and its .part may not be links either: both are opened or renamed over. */
static int open_part(struct upload *up)
{
	struct stat st;
	if (fstatat(up->dir_fd, up->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return vrp_error_set(VRP_EPERMANENT,
				     "%s is a symbolic link; links are not followed here (make it "
				     "a real file)",
				     up->dest);
	up->part_fd = openat(up->dir_fd, up->part_name,
			     O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (up->part_fd < 0 && errno == ELOOP)
		return vrp_error_set(VRP_EPERMANENT,
				     "%s is a symbolic link; links are not followed", up->part);
	if (up->part_fd < 0)
		return localdir_errno(errno, "cannot open %s", up->part);
	if (fstat(up->part_fd, &st) != 0)
		return localdir_errno(errno, "cannot read the status of %s", up->part);
	if (!S_ISREG(st.st_mode))
		return vrp_error_set(VRP_EPERMANENT, "%s is not a regular file", up->part);
	fcntl(up->part_fd, F_SETFL, fcntl(up->part_fd, F_GETFL) & ~O_NONBLOCK);
	return resume_offset(up, st.st_size);
}

static int open_files(struct upload *up, const struct localdir *ld)
{
	struct stat st;
	int rc = vrp_fs_open_regular(up->request->local_path, &up->local_fd, &st);
	if (rc < 0)
		return rc;
	up->size = st.st_size;
	rc = vrp_fs_open_parent_beneath(ld->root, up->request->remote_path, true, &up->dir_fd,
					&up->name);
	if (rc < 0)
		return remap_for_upload(rc);
	if (asprintf(&up->part_name, "%s%s", up->name, PART_SUFFIX) < 0) {
		up->part_name = NULL;
		return vrp_error_oom();
	}
	return open_part(up);
}

static char *resume_json(const struct upload *up)
{
	json_t *state =
		json_pack("{s:i, s:s, s:s, s:I}", "version", 1, "provider", "localdir",
			  "remote_path", up->request->remote_path, "bytes", (json_int_t)up->done);
	char *text = state ? json_dumps(state, JSON_COMPACT) : NULL;
	json_decref(state);
	return text;
}

static int finish_upload(struct upload *up, vrp_remote_object **out)
{
	char sha256[VRP_SHA256_HEX_LEN];
	int rc = verify_part(up, sha256);
	if (rc == 0 && vrp_durable_renameat(up->dir_fd, up->part_name, up->dir_fd, up->name) != 0)
		rc = localdir_errno(errno, "cannot rename %s into place", up->part);
	if (rc == 0 && vrp_durable_fsync(up->dir_fd) != 0)
		rc = localdir_errno(errno, "cannot sync the folder of %s", up->dest);
	/* The descriptor is still the file now under the final name. */
	struct stat st = { 0 };
	if (rc == 0 && fstat(up->part_fd, &st) != 0)
		rc = localdir_errno(errno, "cannot read the status of %s", up->dest);
	if (rc < 0)
		return rc;
	*out = localdir_object(up->request->remote_path, &st);
	if (!*out || vrp_field_set(&(*out)->checksum, sha256) < 0 ||
	    vrp_field_set(&(*out)->verification, "size+full") < 0)
		return VRP_ENOMEM;
	(*out)->checksum_kind = VRP_CHECKSUM_SHA256;
	return 0;
}

/*
 * The request's resume state is not needed: the .part on disk is the truth
 * about what arrived, and it is checked against the local file each time.
 */
static int localdir_upload(void *state, const vrp_upload_request *request, vrp_remote_object **out,
			   char **resume_state)
{
	const struct localdir *ld = state;
	struct upload up = { .request = request, .local_fd = -1, .part_fd = -1, .dir_fd = -1 };
	int rc = localdir_check_root(ld);
	if (rc < 0)
		return rc;
	if (localdir_is_part(request->remote_path))
		return vrp_error_set(VRP_EINVAL, "remote names ending in %s are reserved",
				     PART_SUFFIX);
	up.dest = vrp_path_join(ld->root, request->remote_path);
	if (up.dest && asprintf(&up.part, "%s%s", up.dest, PART_SUFFIX) < 0)
		up.part = NULL;
	up.buf = malloc(CHUNK);
	up.other = malloc(CHUNK);
	if (!up.dest || !up.part || !up.buf || !up.other || vrp_sha256_new(&up.local_hash) < 0) {
		rc = vrp_error_oom();
		goto done;
	}
	rc = open_files(&up, ld);
	if (rc == 0)
		rc = copy_rest(&up);
	if (rc == 0)
		rc = finish_upload(&up, out);
	else if (up.done > 0)
		*resume_state = resume_json(&up);
done:
	if (up.local_fd >= 0)
		close(up.local_fd);
	if (up.part_fd >= 0)
		close(up.part_fd);
	if (up.dir_fd >= 0)
		close(up.dir_fd);
	vrp_sha256_free(up.local_hash);
	free(up.part_name);
	free(up.buf);
	free(up.other);
	free(up.dest);
	free(up.part);
	return rc;
}

struct remote_file {
	char *rel, *full; /* full: for messages */
	const char *name; /* the last component, in rel */
	int dir_fd, fd;
	struct stat st;
};

static void remote_file_close(struct remote_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->dir_fd >= 0)
		close(f->dir_fd);
	free(f->rel);
	free(f->full);
}

/* Opens the remote file for `id` after checking the id cannot leave the root. */
static int open_remote(const struct localdir *ld, const char *id, struct remote_file *f)
{
	*f = (struct remote_file){ .dir_fd = -1, .fd = -1 };
	int rc = localdir_check_root(ld);
	if (rc == 0)
		rc = vrp_remote_path_normalize(id, &f->rel);
	if (rc < 0)
		return rc;
	if (!(f->full = vrp_path_join(ld->root, f->rel)))
		return vrp_error_oom();
	rc = vrp_fs_open_parent_beneath(ld->root, f->rel, false, &f->dir_fd, &f->name);
	if (rc == 0)
		rc = vrp_fs_openat_regular(f->dir_fd, f->name, f->full, &f->fd, &f->st);
	return rc < 0 ? localdir_remap(rc) : 0;
}

static int send_to(int src, const char *src_name, int dst, int64_t total,
		   vrp_transfer_progress_fn progress_fn, void *ctx)
{
	unsigned char *buf = malloc(CHUNK);
	if (!buf)
		return vrp_error_oom();
	int64_t done = 0;
	int rc = 0;
	for (;;) {
		if (progress_fn && progress_fn(ctx, done, total) != 0) {
			rc = vrp_error_set(VRP_ECANCELLED, "download of %s cancelled", src_name);
			break;
		}
		ssize_t n = vrp_fs_read_full(src, buf, CHUNK);
		if (n < 0)
			rc = localdir_errno(errno, "cannot read %s", src_name);
		else if (n > 0 && vrp_fs_write_all(dst, buf, (size_t)n) != 0)
			rc = vrp_error_from_errno(errno, "cannot write the download of %s",
						  src_name);
		if (n <= 0 || rc < 0)
			break;
		done += n;
	}
	free(buf);
	return rc;
}

static int localdir_download(void *state, const char *remote_id, int fd,
			     vrp_transfer_progress_fn progress_fn, void *ctx)
{
	struct remote_file f;
	int rc = open_remote(state, remote_id, &f);
	if (rc == 0)
		rc = send_to(f.fd, f.full, fd, f.st.st_size, progress_fn, ctx);
	remote_file_close(&f);
	return rc;
}

static int localdir_stat(void *state, const char *remote_path, unsigned flags,
			 vrp_remote_object **out)
{
	struct remote_file f;
	char sha256[VRP_SHA256_HEX_LEN];
	int rc = open_remote(state, remote_path, &f);
	if (rc == 0 && (flags & VRP_STAT_CHECKSUM) &&
	    (rc = vrp_sha256_fd(f.fd, f.full, sha256)) < 0)
		rc = localdir_remap(rc);
	if (rc == 0 && !(*out = localdir_object(remote_path, &f.st)))
		rc = VRP_ENOMEM;
	if (rc == 0 && (flags & VRP_STAT_CHECKSUM)) {
		rc = vrp_field_set(&(*out)->checksum, sha256);
		(*out)->checksum_kind = VRP_CHECKSUM_SHA256;
	}
	remote_file_close(&f);
	return rc;
}

static int localdir_delete(void *state, const char *remote_id)
{
	struct remote_file f;
	int rc = open_remote(state, remote_id, &f);
	if (rc == 0 && vrp_durable_unlinkat(f.dir_fd, f.name, 0) != 0)
		rc = localdir_errno(errno, "cannot delete %s", f.full);
	if (rc == 0 && vrp_durable_fsync(f.dir_fd) != 0)
		rc = localdir_errno(errno, "cannot sync the folder of %s", f.full);
	remote_file_close(&f);
	return rc;
}

static int localdir_storage_info(void *state, vrp_storage_info *out)
{
	const struct localdir *ld = state;
	struct statvfs vfs;
	int rc = localdir_check_root(ld);
	if (rc < 0)
		return rc;
	if (statvfs(ld->root, &vfs) != 0)
		return localdir_errno(errno, "cannot read the free space of %s", ld->root);
	out->total = (int64_t)vfs.f_blocks * (int64_t)vfs.f_frsize;
	out->free = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
	out->used = out->total - (int64_t)vfs.f_bfree * (int64_t)vfs.f_frsize;
	return 0;
}

static int localdir_capabilities(void *state, vrp_provider_capabilities *out)
{
	(void)state;
	out->resumable = true;
	out->checksum_kinds = 1u << VRP_CHECKSUM_SHA256;
	out->checksum_readback = true;
	out->max_file_size = 0;
	return 0;
}

static int localdir_normalize_remote_id(void *state, const char *id, char **out)
{
	(void)state;
	return vrp_remote_path_normalize(id, out);
}

const struct vrp_provider_ops vrp_provider_localdir_ops = {
	.version = VRP_PROVIDER_OPS_VERSION,
	.type = "localdir",
	.description = "a folder: a NAS mount, a USB disk, another sync tool's folder",
	.settings = localdir_settings,
	.open = localdir_open,
	.close = localdir_close,
	.authenticate = localdir_authenticate,
	.is_authenticated = localdir_is_authenticated,
	.upload = localdir_upload,
	.download = localdir_download,
	.list = localdir_list,
	.stat = localdir_stat,
	.delete_object = localdir_delete,
	.storage_info = localdir_storage_info,
	.capabilities = localdir_capabilities,
	.normalize_remote_id = localdir_normalize_remote_id,
	.probe = localdir_authenticate,
	.metadata_sidecar = true,
};
