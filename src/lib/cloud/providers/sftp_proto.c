/*
 * sftp_proto.c - SFTP v3 packets: a strict parser for replies and a
 * builder for requests (see sftp_proto.h for the checks).
 */
#include "cloud/providers/sftp_proto.h"

#include <string.h>

/* The smallest name entry: an empty file name, an empty long name, no attributes. */
#define NAME_ENTRY_MIN 12
/* Extended attributes are name/data string pairs: at least 8 bytes each. */
#define EXTENDED_PAIR_MIN 8

static bool has(struct sftp_reader *r, size_t n)
{
	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		return false;
	}
	return true;
}

static uint32_t get_u32(struct sftp_reader *r)
{
	if (!has(r, 4))
		return 0;
	const unsigned char *p = r->p + r->off;
	r->off += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_u64(struct sftp_reader *r)
{
	uint64_t hi = get_u32(r);
	return hi << 32 | get_u32(r);
}

static const unsigned char *get_string(struct sftp_reader *r, size_t *len)
{
	uint32_t n = get_u32(r);
	*len = 0;
	if (!has(r, n))
		return NULL;
	const unsigned char *p = r->p + r->off;
	r->off += n;
	*len = n;
	return p;
}

int sftp_proto_read_attrs(struct sftp_reader *r, struct sftp_attrs *out)
{
	memset(out, 0, sizeof(*out));
	out->flags = get_u32(r);
	if (out->flags & SFTP_ATTR_SIZE)
		out->filesize = get_u64(r);
	if (out->flags & SFTP_ATTR_UIDGID) {
		out->uid = get_u32(r);
		out->gid = get_u32(r);
	}
	if (out->flags & SFTP_ATTR_PERMISSIONS)
		out->permissions = get_u32(r);
	if (out->flags & SFTP_ATTR_ACMODTIME) {
		out->atime = get_u32(r);
		out->mtime = get_u32(r);
	}
	if (out->flags & (unsigned long)(uint32_t)SFTP_ATTR_EXTENDED) {
		uint32_t count = get_u32(r);
		if (!r->bad && count > (r->len - r->off) / EXTENDED_PAIR_MIN)
			r->bad = true;
		for (uint32_t i = 0; i < count && !r->bad; i++) {
			size_t n;
			get_string(r, &n);
			get_string(r, &n);
		}
	}
	return r->bad ? SFTP_PROTO_BAD : SFTP_PROTO_OK;
}

static void parse_status(struct sftp_reader *r, struct sftp_reply *out)
{
	out->u.status.code = get_u32(r);
	/* OpenSSH before 2.x and some embedded servers end the packet after the code. */
	if (r->off == r->len)
		return;
	size_t n;
	out->u.status.message = (const char *)get_string(r, &out->u.status.message_len);
	get_string(r, &n);
}

static void parse_body(struct sftp_reader *r, struct sftp_reply *out)
{
	switch (out->type) {
	case SFTP_STATUS:
		parse_status(r, out);
		break;
	case SFTP_HANDLE:
		out->u.handle.bytes = get_string(r, &out->u.handle.len);
		if (!r->bad && (out->u.handle.len == 0 || out->u.handle.len > SFTP_HANDLE_MAX))
			r->bad = true;
		break;
	case SFTP_DATA:
		out->u.data.bytes = get_string(r, &out->u.data.len);
		break;
	case SFTP_NAME:
		out->u.name.count = get_u32(r);
		if (!r->bad && out->u.name.count > (r->len - r->off) / NAME_ENTRY_MIN)
			r->bad = true;
		out->u.name.rest = *r;
		r->off = r->len; /* the entries are checked as they are read */
		break;
	case SFTP_ATTRS:
		sftp_proto_read_attrs(r, &out->u.attrs);
		break;
	case SFTP_EXTENDED_REPLY:
		out->u.extended.bytes = r->p + r->off;
		out->u.extended.len = r->len - r->off;
		r->off = r->len;
		break;
	default:
		r->bad = true;
	}
}

int sftp_proto_parse(const unsigned char *body, size_t len, struct sftp_reply *out)
{
	struct sftp_reader r = { .p = body, .len = len };
	memset(out, 0, sizeof(*out));
	if (!has(&r, 1))
		return SFTP_PROTO_BAD;
	out->type = body[r.off++];
	if (out->type == SFTP_VERSION) {
		out->u.version.version = get_u32(&r);
		out->u.version.extensions = r;
		return r.bad ? SFTP_PROTO_BAD : SFTP_PROTO_OK;
	}
	out->id = get_u32(&r);
	parse_body(&r, out);
	return r.bad || r.off != r.len ? SFTP_PROTO_BAD : SFTP_PROTO_OK;
}

int sftp_proto_next_name(struct sftp_reply *reply, const char **name, size_t *name_len,
			 struct sftp_attrs *attrs)
{
	struct sftp_reader *r = &reply->u.name.rest;
	size_t long_len;
	*name = (const char *)get_string(r, name_len);
	get_string(r, &long_len);
	if (sftp_proto_read_attrs(r, attrs) != SFTP_PROTO_OK)
		return SFTP_PROTO_BAD;
	/* A name with a NUL in it would be cut short by every C string function after us. */
	if (memchr(*name, '\0', *name_len))
		return SFTP_PROTO_BAD;
	return SFTP_PROTO_OK;
}

int sftp_proto_next_extension(struct sftp_reply *reply, const char **name, size_t *name_len,
			      const char **data, size_t *data_len)
{
	struct sftp_reader *r = &reply->u.version.extensions;
	if (r->bad)
		return SFTP_PROTO_BAD;
	if (r->off == r->len)
		return 0;
	*name = (const char *)get_string(r, name_len);
	*data = (const char *)get_string(r, data_len);
	return r->bad ? SFTP_PROTO_BAD : 1;
}

int sftp_proto_parse_statvfs(const unsigned char *p, size_t len, struct sftp_statvfs *out)
{
	struct sftp_reader r = { .p = p, .len = len };
	uint64_t *fields[] = { &out->f_bsize,  &out->f_frsize, &out->f_blocks, &out->f_bfree,
			       &out->f_bavail, &out->f_files,  &out->f_ffree,  &out->f_favail,
			       &out->f_fsid,   &out->f_flag,   &out->f_namemax };
	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++)
		*fields[i] = get_u64(&r);
	return r.bad || r.off != r.len ? SFTP_PROTO_BAD : SFTP_PROTO_OK;
}

int sftp_proto_parse_limits(const unsigned char *p, size_t len, struct sftp_limits *out)
{
	struct sftp_reader r = { .p = p, .len = len };
	out->packet_length = get_u64(&r);
	out->read_length = get_u64(&r);
	out->write_length = get_u64(&r);
	out->open_handles = get_u64(&r);
	return r.bad || r.off != r.len ? SFTP_PROTO_BAD : SFTP_PROTO_OK;
}

static void put(struct sftp_writer *w, const void *bytes, size_t n)
{
	if (w->overflow || w->cap - w->len < n) {
		w->overflow = true;
		return;
	}
	memcpy(w->p + w->len, bytes, n);
	w->len += n;
}

void sftp_proto_put_u32(struct sftp_writer *w, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };
	put(w, b, 4);
}

void sftp_proto_put_u64(struct sftp_writer *w, uint64_t v)
{
	sftp_proto_put_u32(w, (uint32_t)(v >> 32));
	sftp_proto_put_u32(w, (uint32_t)v);
}

void sftp_proto_put_string(struct sftp_writer *w, const void *s, size_t len)
{
	if (len > UINT32_MAX) {
		w->overflow = true;
		return;
	}
	sftp_proto_put_u32(w, (uint32_t)len);
	put(w, s, len);
}

void sftp_proto_put_cstring(struct sftp_writer *w, const char *s)
{
	sftp_proto_put_string(w, s, strlen(s));
}

void sftp_proto_put_attrs(struct sftp_writer *w, const struct sftp_attrs *a)
{
	uint32_t flags = (uint32_t)a->flags & (SFTP_ATTR_SIZE | SFTP_ATTR_UIDGID |
					       SFTP_ATTR_PERMISSIONS | SFTP_ATTR_ACMODTIME);
	sftp_proto_put_u32(w, flags);
	if (flags & SFTP_ATTR_SIZE)
		sftp_proto_put_u64(w, a->filesize);
	if (flags & SFTP_ATTR_UIDGID) {
		sftp_proto_put_u32(w, (uint32_t)a->uid);
		sftp_proto_put_u32(w, (uint32_t)a->gid);
	}
	if (flags & SFTP_ATTR_PERMISSIONS)
		sftp_proto_put_u32(w, (uint32_t)a->permissions);
	if (flags & SFTP_ATTR_ACMODTIME) {
		sftp_proto_put_u32(w, (uint32_t)a->atime);
		sftp_proto_put_u32(w, (uint32_t)a->mtime);
	}
}

void sftp_proto_begin(struct sftp_writer *w, unsigned char *buf, size_t cap, int type, uint32_t id)
{
	*w = (struct sftp_writer){ .p = buf, .cap = cap };
	sftp_proto_put_u32(w, 0);
	unsigned char t = (unsigned char)type;
	put(w, &t, 1);
	if (type != SFTP_INIT)
		sftp_proto_put_u32(w, id);
}

size_t sftp_proto_end(struct sftp_writer *w)
{
	if (w->overflow || w->len < 5)
		return 0;
	uint32_t n = (uint32_t)(w->len - 4);
	w->p[0] = (unsigned char)(n >> 24);
	w->p[1] = (unsigned char)(n >> 16);
	w->p[2] = (unsigned char)(n >> 8);
	w->p[3] = (unsigned char)n;
	return w->len;
}
