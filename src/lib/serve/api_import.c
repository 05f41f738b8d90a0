/*
 * api_import.c - POST /api/import: uploads streamed to disk, then the
 * normal importer.
 *
 * The body is never held in memory: each file, whether the raw body or a
 * part of a multipart/form-data body (libmicrohttpd's post processor splits
 * those as they arrive), is written piece by piece into a directory of its
 * own under the library's tmp/ (the same filesystem as the recordings), in
 * a file named as the client named it, so the importer gives it the title
 * and original file name it would have had from `vrp import`. Once the
 * body is complete the importer takes the files as it takes any; the
 * uploads are removed whatever the outcome.
 */
#include "serve/serve_internal.h"
#include "core/durable.h"

#include "core/error_set.h"
#include "vrp/import.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NAME_MAX_BYTES 200

struct upload_file {
	char *name; /* as the client named it, made safe as a file name */
	char *dir;  /* its own directory under the upload's */
	char *path;
	int fd;
};

struct serve_upload {
	char *dir; /* <library>/tmp/upload-XXXXXX */
	struct MHD_PostProcessor *post;
	struct upload_file *files;
	size_t count;
	bool writing; /* files[count - 1] is still being written */
	int error;    /* the first failure (VRP_E*), answered when the body is complete */
	char message[256];
};

static bool fail(struct serve_upload *u, int code, const char *message)
{
	if (!u->error) {
		u->error = code;
		snprintf(u->message, sizeof(u->message), "%s", message);
	}
	return false;
}

/* The last path component of `name`, without leading dots or control characters. */
static char *safe_name(const char *name)
{
	const char *base = name ? name : "";
	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	while (*base == '.' || *base == ' ')
		base++;
	size_t n = strlen(base);
	if (n > NAME_MAX_BYTES)
		n = NAME_MAX_BYTES;
	char *out = malloc(n + 8);
	if (!out)
		return NULL;
	size_t j = 0;
	for (size_t i = 0; i < n; i++)
		out[j++] = (unsigned char)base[i] < 0x20 || base[i] == 0x7f ? '_' : base[i];
	out[j] = '\0';
	if (j == 0)
		memcpy(out, "upload", sizeof("upload"));
	return out;
}

static bool open_file(struct serve_upload *u, const char *client_name)
{
	struct upload_file *grown = realloc(u->files, (u->count + 1) * sizeof(*grown));
	if (!grown)
		return fail(u, VRP_ENOMEM, "out of memory");
	u->files = grown;
	struct upload_file *f = &u->files[u->count];
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	u->count++;
	size_t n = strlen(u->dir) + 32;
	if (!(f->name = safe_name(client_name)) || !(f->dir = malloc(n)))
		return fail(u, VRP_ENOMEM, "out of memory");
	snprintf(f->dir, n, "%s/%zu", u->dir, u->count - 1);
	if (mkdir(f->dir, 0700) < 0) {
		free(f->dir);
		f->dir = NULL;
		return fail(u, vrp_error_code_from_errno(errno), "cannot make an upload directory");
	}
	n = strlen(f->dir) + strlen(f->name) + 2;
	if (!(f->path = malloc(n)))
		return fail(u, VRP_ENOMEM, "out of memory");
	snprintf(f->path, n, "%s/%s", f->dir, f->name);
	f->fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (f->fd < 0)
		return fail(u, vrp_error_code_from_errno(errno), "cannot create an upload file");
	u->writing = true;
	return true;
}

static bool write_all(struct serve_upload *u, const char *data, size_t size)
{
	struct upload_file *f = &u->files[u->count - 1];
	while (size) {
		ssize_t n = vrp_durable_write(f->fd, data, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(u, vrp_error_code_from_errno(errno),
				    errno == ENOSPC ? "the disk is full"
						    : "cannot write the upload");
		data += n;
		size -= (size_t)n;
	}
	return true;
}

static void close_current(struct serve_upload *u)
{
	if (u->writing && u->files[u->count - 1].fd >= 0) {
		close(u->files[u->count - 1].fd);
		u->files[u->count - 1].fd = -1;
	}
	u->writing = false;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *filename, const char *content_type,
			       const char *transfer_encoding, const char *data, uint64_t off,
			       size_t size)
{
	(void)kind, (void)key, (void)content_type, (void)transfer_encoding;
	struct serve_upload *u = cls;
	if (!filename)
		return MHD_YES; /* a plain form field: nothing we take */
	if (off == 0) {
		close_current(u);
		if (!open_file(u, filename))
			return MHD_NO;
	}
	if (size && !write_all(u, data, size))
		return MHD_NO;
	return MHD_YES;
}

int serve_upload_begin(struct serve_request *req)
{
	struct serve_upload *u = calloc(1, sizeof(*u));
	if (!u)
		return vrp_error_oom();
	req->upload = u;
	size_t n = strlen(req->server->root) + 32;
	if (!(u->dir = malloc(n)))
		return vrp_error_oom();
	snprintf(u->dir, n, "%s/tmp/upload-XXXXXX", req->server->root);
	if (!mkdtemp(u->dir)) {
		int rc = vrp_error_from_errno(errno, "cannot make an upload directory in tmp/");
		free(u->dir);
		u->dir = NULL;
		return rc;
	}
	const char *type = vrp_mhd->lookup_connection_value(req->connection, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!strncasecmp(type, "multipart/form-data", 19)) {
		u->post = vrp_mhd->create_post_processor(req->connection, (size_t)64 * 1024, on_part, u);
		if (!u->post)
			return vrp_error_set(VRP_EINVAL, "a multipart body needs its boundary");
		return 0;
	}
	const char *name =
		vrp_mhd->lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, "filename");
	if (!name)
		name = vrp_mhd->lookup_connection_value(req->connection, MHD_HEADER_KIND, "X-Filename");
	if (!open_file(u, name ? name : "upload"))
		return vrp_error_set(u->error, "%s", u->message);
	return 0;
}

bool serve_upload_feed(struct serve_request *req, const char *data, size_t size)
{
	struct serve_upload *u = req->upload;
	if (!u || u->error)
		return true; /* the rest of a failed upload is read and dropped */
	if (u->post) {
		if (vrp_mhd->post_process(u->post, data, size) != MHD_YES)
			fail(u, VRP_EINVAL, "a malformed multipart body");
		return true;
	}
	write_all(u, data, size);
	return true;
}

void serve_upload_free(struct serve_upload *u)
{
	if (!u)
		return;
	if (u->post)
		vrp_mhd->destroy_post_processor(u->post);
	for (size_t i = 0; i < u->count; i++) {
		struct upload_file *f = &u->files[i];
		if (f->fd >= 0)
			close(f->fd);
		if (f->path)
			vrp_durable_unlink(f->path);
		if (f->dir)
			rmdir(f->dir);
		free(f->path);
		free(f->dir);
		free(f->name);
	}
	if (u->dir)
		rmdir(u->dir);
	free(u->files);
	free(u->dir);
	free(u);
}

static const char *client_name(const struct serve_upload *u, const char *path)
{
	for (size_t i = 0; i < u->count; i++)
		if (u->files[i].path && !strcmp(u->files[i].path, path))
			return u->files[i].name;
	return path;
}

struct run {
	struct serve_request *req;
	json_t *items;
	size_t good;
	int first_error;
	int64_t last_progress_ms;
};

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The importer's copy into the library, at most 4 events a second (a page draws them). */
static void on_progress(void *ctx, const char *path, int64_t file_bytes, int64_t total_bytes)
{
	struct run *run = ctx;
	int64_t now = monotonic_ms();
	if (now - run->last_progress_ms < 250)
		return;
	run->last_progress_ms = now;
	serve_events_publish(run->req->server->events, "import",
			     json_pack("{s:s, s:o, s:I, s:I}", "status", "progress", "path",
				       serve_json_string(client_name(run->req->upload, path)),
				       "file_bytes", (json_int_t)file_bytes, "total_bytes",
				       (json_int_t)total_bytes));
}

static void on_result(void *ctx, const vrp_import_result *r)
{
	struct run *run = ctx;
	/* `vrp import --json`'s object, with the name the client gave. */
	json_t *o = json_object();
	json_object_set_new(o, "path", serve_json_string(client_name(run->req->upload, r->path)));
	json_object_set_new(o, "status", json_string(vrp_import_status_to_string(r->status)));
	json_object_set_new(o, "id", r->id ? json_integer(r->id) : json_null());
	json_object_set_new(o, "uuid", r->uuid ? json_string(r->uuid) : json_null());
	if (r->status == VRP_IMPORT_REJECTED) {
		json_object_set_new(o, "error",
				    json_pack("{s:s, s:o}", "code", vrp_error_code_name(r->error),
					      "message", serve_json_string(r->error_message)));
		if (!run->first_error)
			run->first_error = r->error;
	} else {
		run->good++;
	}
	json_array_append(run->items, o);
	serve_events_publish(run->req->server->events, "import", o);
	if (r->status == VRP_IMPORT_IMPORTED)
		serve_events_publish(
			run->req->server->events, "recording",
			json_pack("{s:s, s:I}", "action", "created", "id", (json_int_t)r->id));
}

#define MAX_TAGS 64

/* ?tags=a,b: the names, cut in place out of `list` (the caller's copy). */
static int split_tags(char *list, const char **tags, size_t *count)
{
	*count = 0;
	for (char *save = NULL, *t = strtok_r(list, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (*count == MAX_TAGS)
			return vrp_error_set(VRP_EINVAL, "tags: at most %d names", MAX_TAGS);
		tags[(*count)++] = t;
	}
	return 0;
}

/* `vrp import --title/--description/--tag` as query parameters, for every file of the body. */
static int import_files(struct serve_request *req, struct run *run)
{
	vrp_library *lib = NULL;
	vrp_importer *importer = NULL;
	const char *tags[MAX_TAGS];
	vrp_import_options options = { .on_result = on_result,
				       .on_progress = on_progress,
				       .ctx = run,
				       .title = serve_query(req, "title"),
				       .description = serve_query(req, "description"),
				       .tags = tags };
	const char *tag_list = serve_query(req, "tags");
	char *tag_copy = tag_list ? strdup(tag_list) : NULL;
	int rc = tag_list && !tag_copy ? vrp_error_oom() : 0;
	if (rc == 0 && tag_copy)
		rc = split_tags(tag_copy, tags, &options.tag_count);
	if (rc == 0)
		rc = serve_pool_acquire(req->server->pool, &lib);
	if (rc == 0)
		rc = vrp_importer_new(&importer, lib, &options);
	for (size_t i = 0; rc == 0 && i < req->upload->count; i++)
		rc = vrp_importer_add(importer, req->upload->files[i].path);
	if (rc == 0)
		rc = vrp_importer_finish(importer);
	vrp_importer_free(importer);
	serve_pool_release(req->server->pool, lib);
	free(tag_copy);
	return rc;
}

/*
 * ?last_modified=MS (what a browser's File.lastModified gives): the upload
 * gets the client file's time, so a recording without an embedded date is
 * dated as `vrp import` would date it, by the file's mtime, not the upload.
 */
static int apply_last_modified(struct serve_request *req)
{
	const char *v = serve_query(req, "last_modified");
	if (!v)
		return 0;
	char *end = NULL;
	errno = 0;
	long long ms = strtoll(v, &end, 10);
	if (errno || end == v || *end || ms < 0)
		return vrp_error_set(VRP_EINVAL,
				     "last_modified: '%s' is not milliseconds since 1970", v);
	struct timespec times[2] = { { .tv_nsec = UTIME_OMIT },
				     { .tv_sec = (time_t)(ms / 1000),
				       .tv_nsec = (long)(ms % 1000) * 1000000 } };
	for (size_t i = 0; i < req->upload->count; i++)
		if (req->upload->files[i].path &&
		    utimensat(AT_FDCWD, req->upload->files[i].path, times, 0) != 0)
			return vrp_error_from_errno(errno, "cannot date the upload");
	return 0;
}

enum MHD_Result serve_api_import(struct serve_request *req)
{
	struct serve_upload *u = req->upload;
	if (u->post)
		close_current(u);
	else if (u->count)
		u->writing = true, close_current(u);
	int dated = u->error ? 0 : apply_last_modified(req);
	if (dated < 0)
		return serve_send_vrp_error(req->connection, dated);
	if (u->error)
		return serve_send_error(req->connection, serve_http_status(u->error),
					vrp_error_code_name(u->error), u->message);
	if (u->count == 0)
		return serve_send_error(req->connection, MHD_HTTP_BAD_REQUEST,
					"ERR_INVALID_ARGUMENT", "no file in the multipart body");
	struct run run = { .req = req, .items = json_array() };
	serve_events_publish(
		req->server->events, "import",
		json_pack("{s:s, s:I}", "status", "started", "files", (json_int_t)u->count));
	int rc = import_files(req, &run);
	serve_events_publish(
		req->server->events, "import",
		json_pack("{s:s, s:I}", "status", "finished", "files", (json_int_t)u->count));
	if (rc < 0) {
		json_decref(run.items);
		return serve_send_vrp_error(req->connection, rc);
	}
	json_t *o = json_pack("{s:o}", "items", run.items);
	if (run.good)
		return serve_send_json(req->connection, MHD_HTTP_OK, o);
	/* Nothing was taken: the status and error say why, the items say per file. */
	json_object_set_new(o, "error",
			    json_pack("{s:s, s:s}", "code", vrp_error_code_name(run.first_error),
				      "message", "no file was imported (see items)"));
	return serve_send_json(req->connection, serve_http_status(run.first_error), o);
}
