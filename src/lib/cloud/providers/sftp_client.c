/*
 * sftp_client.c - the openssh transport's SFTP v3 requests, one round
 * trip each: stat, open, readdir, close, setstat, mkdir, rename, remove,
 * and the OpenSSH extensions fsync@, posix-rename@ and statvfs@. The
 * pipelined reads and writes are in sftp_client_stream.c.
 *
 * Every reply must answer the request just sent (its id), with a type that
 * request can have; anything else is a protocol failure that drops the
 * connection, since what the server will send next is then unknown.
 */
#include "cloud/providers/sftp_openssh.h"

#include "core/error_set.h"

#include <stdlib.h>
#include <string.h>

int sftp_client_bad(struct sftp *s, const char *what)
{
	sftp_openssh_broke(s->ossh, false, "the server broke the SFTP protocol: %s", what);
	return -1;
}

static int status_failure(struct sftp *s, uint32_t code)
{
	s->ossh->failure = (struct sftp_failure){ .kind = SFTP_FAILURE_STATUS, .status = code };
	return -1;
}

int sftp_client_out(struct sftp_openssh *o, size_t cap)
{
	if (cap <= o->out_cap)
		return 0;
	unsigned char *grown = realloc(o->out, cap);
	if (!grown) {
		o->failure = (struct sftp_failure){ .kind = SFTP_FAILURE_OOM };
		return -1;
	}
	o->out = grown;
	o->out_cap = cap;
	return 0;
}

uint32_t sftp_client_begin(struct sftp *s, struct sftp_writer *w, int type)
{
	struct sftp_openssh *o = s->ossh;
	uint32_t id = ++o->next_id;
	sftp_proto_begin(w, o->out, o->out_cap, type, id);
	return id;
}

int sftp_client_send(struct sftp *s, struct sftp_writer *w)
{
	size_t len = sftp_proto_end(w);
	if (len == 0) {
		sftp_openssh_broke(s->ossh, false, "a request did not fit in %zu bytes", w->cap);
		return -1;
	}
	return sftp_openssh_send(s, w->p, len);
}

/* Whether `r` answers a close nobody waits for (then forgotten). */
static bool unwaited(struct sftp_openssh *o, const struct sftp_reply *r)
{
	for (size_t i = 0; i < o->unwaited_count; i++) {
		if (o->unwaited[i] != r->id)
			continue;
		o->unwaited[i] = o->unwaited[--o->unwaited_count];
		return r->type == SFTP_STATUS;
	}
	return false;
}

int sftp_client_recv(struct sftp *s, struct sftp_reply *r)
{
	for (;;) {
		const unsigned char *body = NULL;
		size_t len = 0;
		if (sftp_openssh_recv(s, &body, &len) < 0)
			return -1;
		if (sftp_proto_parse(body, len, r) != SFTP_PROTO_OK || r->type == SFTP_VERSION)
			return sftp_client_bad(s, "a malformed reply");
		if (!unwaited(s->ossh, r))
			return 0;
	}
}

/* The reply to request `id`; -1 when none came or it answers another request. */
static int reply_to(struct sftp *s, uint32_t id, struct sftp_reply *r)
{
	if (sftp_client_recv(s, r) < 0)
		return -1;
	if (r->id != id)
		return sftp_client_bad(s, "a reply to a request that was not sent");
	return 0;
}

/* A STATUS reply: 0 for OK, else the status recorded; another type breaks the protocol. */
static int as_status(struct sftp *s, const struct sftp_reply *r)
{
	if (r->type != SFTP_STATUS)
		return sftp_client_bad(s, "an unexpected reply type");
	return r->u.status.code == SFTP_FX_OK ? 0 : status_failure(s, r->u.status.code);
}

static int send_and_status(struct sftp *s, struct sftp_writer *w, uint32_t id)
{
	struct sftp_reply r;
	if (sftp_client_send(s, w) < 0 || reply_to(s, id, &r) < 0)
		return -1;
	return as_status(s, &r);
}

/* A request whose only argument is a path, answered with a status. */
static int path_request(struct sftp *s, int type, const char *path)
{
	struct sftp_writer w;
	uint32_t id = sftp_client_begin(s, &w, type);
	sftp_proto_put_cstring(&w, path);
	return send_and_status(s, &w, id);
}

static int attrs_reply(struct sftp *s, struct sftp_writer *w, uint32_t id, struct sftp_attrs *out)
{
	struct sftp_reply r;
	if (sftp_client_send(s, w) < 0 || reply_to(s, id, &r) < 0)
		return -1;
	if (r.type != SFTP_ATTRS)
		return as_status(s, &r) == 0 ? sftp_client_bad(s, "OK where attributes were due")
					     : -1;
	*out = r.u.attrs;
	return 0;
}

static int client_stat(struct sftp *s, const char *path, bool follow, struct sftp_attrs *out)
{
	struct sftp_writer w;
	uint32_t id = sftp_client_begin(s, &w, follow ? SFTP_STAT : SFTP_LSTAT);
	sftp_proto_put_cstring(&w, path);
	return attrs_reply(s, &w, id, out);
}

static int handle_reply(struct sftp *s, struct sftp_writer *w, uint32_t id,
			struct sftp_handle **out)
{
	struct sftp_reply r;
	if (sftp_client_send(s, w) < 0 || reply_to(s, id, &r) < 0)
		return -1;
	if (r.type != SFTP_HANDLE)
		return as_status(s, &r) == 0 ? sftp_client_bad(s, "OK where a handle was due") : -1;
	struct sftp_handle *h = calloc(1, sizeof(*h));
	if (!h) {
		s->ossh->failure = (struct sftp_failure){ .kind = SFTP_FAILURE_OOM };
		return -1;
	}
	memcpy(h->id, r.u.handle.bytes, r.u.handle.len);
	h->id_len = r.u.handle.len;
	*out = h;
	return 0;
}

static int client_open(struct sftp *s, const char *path, unsigned long pflags, long mode,
		       struct sftp_handle **out)
{
	struct sftp_writer w;
	struct sftp_attrs a = { .flags = mode ? SFTP_ATTR_PERMISSIONS : 0,
				.permissions = (unsigned long)mode };
	uint32_t id = sftp_client_begin(s, &w, SFTP_OPEN);
	sftp_proto_put_cstring(&w, path);
	sftp_proto_put_u32(&w, (uint32_t)pflags);
	sftp_proto_put_attrs(&w, &a);
	return handle_reply(s, &w, id, out);
}

static int client_opendir(struct sftp *s, const char *path, struct sftp_handle **out)
{
	struct sftp_writer w;
	uint32_t id = sftp_client_begin(s, &w, SFTP_OPENDIR);
	sftp_proto_put_cstring(&w, path);
	return handle_reply(s, &w, id, out);
}

static void put_handle(struct sftp_writer *w, const struct sftp_handle *h)
{
	sftp_proto_put_string(w, h->id, h->id_len);
}

/* Asks for the next batch of names; 1 when there is one, 0 at the end. */
static int read_names(struct sftp *s, struct sftp_handle *h)
{
	struct sftp_writer w;
	struct sftp_reply r;
	uint32_t id = sftp_client_begin(s, &w, SFTP_READDIR);
	put_handle(&w, h);
	if (sftp_client_send(s, &w) < 0 || reply_to(s, id, &r) < 0)
		return -1;
	if (r.type == SFTP_STATUS && r.u.status.code == SFTP_FX_EOF)
		return 0;
	if (r.type != SFTP_NAME)
		return as_status(s, &r) == 0 ? sftp_client_bad(s, "OK where names were due") : -1;
	/* A copy: the receive buffer is reused by the requests made while walking these. */
	size_t len = r.u.name.rest.len;
	free(h->names);
	h->names = malloc(len ? len : 1);
	if (!h->names) {
		s->ossh->failure = (struct sftp_failure){ .kind = SFTP_FAILURE_OOM };
		return -1;
	}
	memcpy(h->names, r.u.name.rest.p, len);
	h->names_reply = r;
	h->names_reply.u.name.rest.p = h->names;
	h->names_left = r.u.name.count;
	/* No names and no EOF would ask forever: an empty batch ends the listing. */
	return h->names_left > 0;
}

static int client_readdir(struct sftp *s, struct sftp_handle *h, char *name, size_t size,
			  struct sftp_attrs *attrs)
{
	for (;;) {
		if (h->names_left == 0) {
			int more = h->dir_done ? 0 : read_names(s, h);
			if (more <= 0) {
				h->dir_done = more == 0;
				return more;
			}
		}
		const char *n = NULL;
		size_t len = 0;
		h->names_left--;
		if (sftp_proto_next_name(&h->names_reply, &n, &len, attrs) != SFTP_PROTO_OK)
			return sftp_client_bad(s, "a malformed name in a listing");
		/* Longer than any file system allows: not a name we could use anyway. */
		if (len >= size)
			continue;
		memcpy(name, n, len);
		name[len] = '\0';
		return 1;
	}
}

static void client_close(struct sftp *s, struct sftp_handle *h)
{
	if (!h)
		return;
	struct sftp_openssh *o = s->ossh;
	if (o && !s->broken) {
		struct sftp_writer w;
		uint32_t id = sftp_client_begin(s, &w, SFTP_CLOSE);
		put_handle(&w, h);
		/*
		 * A close's failure is ignored, so its reply is not waited for: it is
		 * dropped when it comes, before the next request's. OpenSSH's server
		 * runs requests in order, so a rename sent next finds the file closed
		 * (and the upload was fsynced before).
		 */
		if (o->unwaited_count == SFTP_OPENSSH_UNWAITED)
			send_and_status(s, &w, id);
		else if (sftp_client_send(s, &w) == 0)
			o->unwaited[o->unwaited_count++] = id;
	}
	free(h->names);
	free(h);
}

static int client_fstat(struct sftp *s, struct sftp_handle *h, struct sftp_attrs *out)
{
	struct sftp_writer w;
	uint32_t id = sftp_client_begin(s, &w, SFTP_FSTAT);
	put_handle(&w, h);
	return attrs_reply(s, &w, id, out);
}

static int client_fsetstat(struct sftp *s, struct sftp_handle *h, const struct sftp_attrs *attrs)
{
	struct sftp_writer w;
	uint32_t id = sftp_client_begin(s, &w, SFTP_FSETSTAT);
	put_handle(&w, h);
	sftp_proto_put_attrs(&w, attrs);
	return send_and_status(s, &w, id);
}

static int client_fsync(struct sftp *s, struct sftp_handle *h)
{
	if (!s->ossh->fsync)
		return status_failure(s, SFTP_FX_OP_UNSUPPORTED);
	struct sftp_writer w;
	uint32_t id = sftp_client_begin(s, &w, SFTP_EXTENDED);
	sftp_proto_put_cstring(&w, "fsync@openssh.com");
	put_handle(&w, h);
	return send_and_status(s, &w, id);
}

static int client_mkdir(struct sftp *s, const char *path, long mode)
{
	struct sftp_writer w;
	struct sftp_attrs a = { .flags = SFTP_ATTR_PERMISSIONS,
				.permissions = (unsigned long)mode };
	uint32_t id = sftp_client_begin(s, &w, SFTP_MKDIR);
	sftp_proto_put_cstring(&w, path);
	sftp_proto_put_attrs(&w, &a);
	return send_and_status(s, &w, id);
}

static int client_rename(struct sftp *s, const char *from, const char *to)
{
	struct sftp_writer w;
	uint32_t id;
	if (s->ossh->posix_rename) {
		id = sftp_client_begin(s, &w, SFTP_EXTENDED);
		sftp_proto_put_cstring(&w, "posix-rename@openssh.com");
	} else {
		id = sftp_client_begin(s, &w, SFTP_RENAME);
	}
	sftp_proto_put_cstring(&w, from);
	sftp_proto_put_cstring(&w, to);
	return send_and_status(s, &w, id);
}

static int client_unlink(struct sftp *s, const char *path)
{
	return path_request(s, SFTP_REMOVE, path);
}

static int client_statvfs(struct sftp *s, const char *path, struct sftp_statvfs *out)
{
	if (!s->ossh->statvfs)
		return status_failure(s, SFTP_FX_OP_UNSUPPORTED);
	struct sftp_writer w;
	struct sftp_reply r;
	uint32_t id = sftp_client_begin(s, &w, SFTP_EXTENDED);
	sftp_proto_put_cstring(&w, "statvfs@openssh.com");
	sftp_proto_put_cstring(&w, path);
	if (sftp_client_send(s, &w) < 0 || reply_to(s, id, &r) < 0)
		return -1;
	if (r.type != SFTP_EXTENDED_REPLY)
		return as_status(s, &r) == 0 ? sftp_client_bad(s, "OK where statvfs was due") : -1;
	if (sftp_proto_parse_statvfs(r.u.extended.bytes, r.u.extended.len, out) != SFTP_PROTO_OK)
		return sftp_client_bad(s, "a malformed statvfs reply");
	return 0;
}

static bool client_connected(const struct sftp *s) { return s->ossh != NULL; }

static void client_last_failure(struct sftp *s, struct sftp_failure *out)
{
	if (s->ossh)
		*out = s->ossh->failure;
	else
		*out = (struct sftp_failure){ .kind = SFTP_FAILURE_TRANSPORT,
					      .detail = "not connected" };
}

const struct sftp_transport_ops sftp_openssh_transport = {
	.name = "openssh",
	.connect = sftp_openssh_connect,
	.disconnect = sftp_openssh_disconnect,
	.connected = client_connected,
	.abort = sftp_openssh_abort,
	.last_failure = client_last_failure,
	.stat = client_stat,
	.open = client_open,
	.opendir = client_opendir,
	.readdir = client_readdir,
	.close = client_close,
	.fstat = client_fstat,
	.fsetstat = client_fsetstat,
	.fsync = client_fsync,
	.mkdir = client_mkdir,
	.rename = client_rename,
	.unlink = client_unlink,
	.statvfs = client_statvfs,
	.write_stream = sftp_client_write_stream,
	.read_stream = sftp_client_read_stream,
	.exec_sha256 = sftp_openssh_exec_sha256,
};
