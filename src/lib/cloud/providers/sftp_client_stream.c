/*
 * sftp_client_stream.c - the openssh transport's bulk transfers, pipelined
 * as OpenSSH's sftp does: up to SFTP_IN_FLIGHT requests of the size the
 * server's limits@openssh.com allows (32 KiB without it) are outstanding,
 * so the link never waits a round trip. While they are in flight the next
 * chunk is read from disk and hashed (uploads), or the chunk that arrived
 * is hashed or written (downloads, read-back): disk, CPU and network
 * overlap.
 *
 * Writes may be acknowledged in any order. Reads must be answered in the
 * order they were sent, as OpenSSH's server does; a short read (other than
 * at the end) drops the requests after it and asks again from where it
 * stopped. Whatever stops a transfer early, the replies still due are read
 * and dropped, so the connection stays in step for the next request.
 */
#include "cloud/providers/sftp_openssh.h"

#include "core/error_set.h"

#include <stdlib.h>
#include <string.h>

#define SFTP_IN_FLIGHT 64

struct pending {
	uint32_t id;
	uint32_t len;
	int64_t offset;
	bool done;
};

struct queue {
	struct pending items[SFTP_IN_FLIGHT];
	size_t head, count;
};

static struct pending *at(struct queue *q, size_t i)
{
	return &q->items[(q->head + i) % SFTP_IN_FLIGHT];
}

static void push(struct queue *q, uint32_t id, uint32_t len, int64_t offset)
{
	*at(q, q->count++) = (struct pending){ .id = id, .len = len, .offset = offset };
}

/* Drops the answered requests at the head. */
static void pop_done(struct queue *q)
{
	while (q->count > 0 && at(q, 0)->done) {
		q->head = (q->head + 1) % SFTP_IN_FLIGHT;
		q->count--;
	}
}

/* Reads and drops the replies still due; a failure leaves the connection broken. */
static void drain(struct sftp *s, struct queue *q)
{
	for (size_t i = 0; i < q->count; i++) {
		struct sftp_reply r;
		if (at(q, i)->done)
			continue;
		if (sftp_client_recv(s, &r) < 0) {
			s->broken = true;
			s->ops->abort(s);
			break;
		}
	}
	q->count = 0;
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Reads the next chunk straight into a WRITE request and sends it; `*n` 0 at the end. */
static int send_write(struct sftp *s, struct sftp_handle *h, int64_t offset,
		      struct sftp_source *src, struct queue *q, size_t *n)
{
	struct sftp_openssh *o = s->ossh;
	size_t header = 4 + 1 + 4 + 4 + h->id_len + 8 + 4;
	struct sftp_writer w;
	uint32_t id = sftp_client_begin(s, &w, SFTP_WRITE);
	sftp_proto_put_string(&w, h->id, h->id_len);
	sftp_proto_put_u64(&w, (uint64_t)offset);
	sftp_proto_put_u32(&w, 0);
	*n = 0;
	int rc = src->fill(src->ctx, o->out + header, o->write_len, n);
	if (rc < 0) {
		src->source_failed = true;
		return rc;
	}
	if (*n == 0)
		return 0;
	put_be32(o->out, (uint32_t)(header - 4 + *n));
	put_be32(o->out + header - 4, (uint32_t)*n);
	if (sftp_openssh_send(s, o->out, header + *n) < 0)
		return -1;
	push(q, id, (uint32_t)*n, offset);
	return 0;
}

/* Marks the write a reply answers; -1 on a protocol or server failure. */
static int take_write_reply(struct sftp *s, struct queue *q, uint32_t *len)
{
	struct sftp_reply r;
	if (sftp_client_recv(s, &r) < 0)
		return -1;
	struct pending *p = NULL;
	for (size_t i = 0; i < q->count && !p; i++)
		if (!at(q, i)->done && at(q, i)->id == r.id)
			p = at(q, i);
	if (!p || r.type != SFTP_STATUS)
		return sftp_client_bad(s, p ? "an unexpected reply to a write"
					    : "a reply to a request that was not sent");
	p->done = true;
	*len = p->len;
	if (r.u.status.code != SFTP_FX_OK) {
		s->ossh->failure = (struct sftp_failure){ .kind = SFTP_FAILURE_STATUS,
							  .status = r.u.status.code };
		return -1;
	}
	pop_done(q);
	return 0;
}

int sftp_client_write_stream(struct sftp *s, struct sftp_handle *h, int64_t offset,
			     struct sftp_source *src, const char *path)
{
	struct sftp_openssh *o = s->ossh;
	if (sftp_client_out(o, o->write_len + 64 + SFTP_HANDLE_MAX) < 0)
		return vrp_error_oom();
	struct queue q = { .count = 0 };
	bool eof = false;
	int rc = 0;
	while (rc == 0) {
		while (rc == 0 && !eof && q.count < SFTP_IN_FLIGHT) {
			size_t n = 0;
			rc = send_write(s, h, offset, src, &q, &n);
			eof = n < o->write_len;
			offset += (int64_t)n;
		}
		if (rc < 0 || q.count == 0)
			break;
		uint32_t len = 0;
		rc = take_write_reply(s, &q, &len);
		if (rc == 0 && (rc = src->acked(src->ctx, len)) < 0)
			src->source_failed = true;
	}
	if (rc == -1 && !src->source_failed) {
		bool server = o->failure.kind == SFTP_FAILURE_STATUS;
		if (server)
			drain(s, &q);
		return sftp_fail(s, "cannot write", path);
	}
	drain(s, &q);
	return rc;
}

static int send_read(struct sftp *s, struct sftp_handle *h, int64_t offset, uint32_t len,
		     struct queue *q)
{
	struct sftp_writer w;
	uint32_t id = sftp_client_begin(s, &w, SFTP_READ);
	sftp_proto_put_string(&w, h->id, h->id_len);
	sftp_proto_put_u64(&w, (uint64_t)offset);
	sftp_proto_put_u32(&w, len);
	if (sftp_client_send(s, &w) < 0)
		return -1;
	push(q, id, len, offset);
	return 0;
}

struct reading {
	int64_t next, end;
	bool eof;
	sftp_sink_fn sink;
	void *ctx;
	bool sink_failed;
};

/* Takes the reply to the oldest read; -1 on a protocol or server failure. */
static int take_read_reply(struct sftp *s, struct queue *q, struct reading *rd)
{
	struct sftp_reply r;
	if (sftp_client_recv(s, &r) < 0)
		return -1;
	struct pending p = *at(q, 0);
	if (r.id != p.id)
		return sftp_client_bad(s, "a read answered out of order, or a reply to a "
					  "request that was not sent");
	at(q, 0)->done = true;
	pop_done(q);
	if (rd->eof)
		return 0;
	if (r.type == SFTP_STATUS && r.u.status.code == SFTP_FX_EOF) {
		rd->eof = true;
		return 0;
	}
	if (r.type == SFTP_STATUS) {
		s->ossh->failure = (struct sftp_failure){ .kind = SFTP_FAILURE_STATUS,
							  .status = r.u.status.code };
		return -1;
	}
	if (r.type != SFTP_DATA || r.u.data.len > p.len)
		return sftp_client_bad(s, "more data than was asked for, or no data");
	if (r.u.data.len == 0) {
		rd->eof = true;
		return 0;
	}
	int rc = rd->sink(rd->ctx, r.u.data.bytes, r.u.data.len);
	if (rc < 0) {
		rd->sink_failed = true;
		return rc;
	}
	if (r.u.data.len < p.len) {
		/* The requests after a short read ask for the wrong offsets: ask again. */
		drain(s, q);
		rd->next = p.offset + (int64_t)r.u.data.len;
	}
	return 0;
}

int sftp_client_read_stream(struct sftp *s, struct sftp_handle *h, int64_t offset, int64_t limit,
			    const char *path, sftp_sink_fn sink, void *ctx)
{
	struct sftp_openssh *o = s->ossh;
	struct queue q = { .count = 0 };
	struct reading rd = { .next = offset,
			      .end = limit < 0 ? INT64_MAX : offset + limit,
			      .sink = sink,
			      .ctx = ctx };
	int rc = 0;
	while (rc == 0) {
		while (rc == 0 && !rd.eof && q.count < SFTP_IN_FLIGHT && rd.next < rd.end) {
			int64_t left = rd.end - rd.next;
			uint32_t len = left < (int64_t)o->read_len ? (uint32_t)left
								   : (uint32_t)o->read_len;
			rc = send_read(s, h, rd.next, len, &q);
			rd.next += len;
		}
		if (rc < 0 || q.count == 0)
			break;
		rc = take_read_reply(s, &q, &rd);
	}
	if (rc == -1 && !rd.sink_failed) {
		if (o->failure.kind == SFTP_FAILURE_STATUS)
			drain(s, &q);
		return sftp_fail(s, "cannot read", path);
	}
	drain(s, &q);
	return rc;
}
