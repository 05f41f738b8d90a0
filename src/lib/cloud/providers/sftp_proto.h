/*
 * sftp_proto.h - SFTP version 3 (draft-ietf-secsh-filexfer-02) packets:
 * building requests and parsing replies (internal).
 *
 * The parser trusts nothing in a reply: every length is checked against
 * the bytes that are really there, a handle is at most 256 bytes (the
 * draft's limit), a name count must fit the bytes that follow it, and a
 * reply must be one whole packet. A malformed reply is SFTP_PROTO_BAD and
 * the caller drops the connection; nothing here allocates.
 */
#ifndef VRP_CLOUD_SFTP_PROTO_H
#define VRP_CLOUD_SFTP_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Packet types. */
enum {
	SFTP_INIT = 1,
	SFTP_VERSION = 2,
	SFTP_OPEN = 3,
	SFTP_CLOSE = 4,
	SFTP_READ = 5,
	SFTP_WRITE = 6,
	SFTP_LSTAT = 7,
	SFTP_FSTAT = 8,
	SFTP_SETSTAT = 9,
	SFTP_FSETSTAT = 10,
	SFTP_OPENDIR = 11,
	SFTP_READDIR = 12,
	SFTP_REMOVE = 13,
	SFTP_MKDIR = 14,
	SFTP_RMDIR = 15,
	SFTP_REALPATH = 16,
	SFTP_STAT = 17,
	SFTP_RENAME = 18,
	SFTP_STATUS = 101,
	SFTP_HANDLE = 102,
	SFTP_DATA = 103,
	SFTP_NAME = 104,
	SFTP_ATTRS = 105,
	SFTP_EXTENDED = 200,
	SFTP_EXTENDED_REPLY = 201,
};

/* Status codes: v3's, then the later drafts' that some servers send anyway. */
enum {
	SFTP_FX_OK = 0,
	SFTP_FX_EOF = 1,
	SFTP_FX_NO_SUCH_FILE = 2,
	SFTP_FX_PERMISSION_DENIED = 3,
	SFTP_FX_FAILURE = 4,
	SFTP_FX_BAD_MESSAGE = 5,
	SFTP_FX_NO_CONNECTION = 6,
	SFTP_FX_CONNECTION_LOST = 7,
	SFTP_FX_OP_UNSUPPORTED = 8,
	SFTP_FX_INVALID_HANDLE = 9,
	SFTP_FX_NO_SUCH_PATH = 10,
	SFTP_FX_FILE_ALREADY_EXISTS = 11,
	SFTP_FX_WRITE_PROTECT = 12,
	SFTP_FX_NO_MEDIA = 13,
	SFTP_FX_NO_SPACE_ON_FILESYSTEM = 14,
	SFTP_FX_QUOTA_EXCEEDED = 15,
	SFTP_FX_DIR_NOT_EMPTY = 18,
	SFTP_FX_NOT_A_DIRECTORY = 19,
	SFTP_FX_INVALID_FILENAME = 20,
	SFTP_FX_LINK_LOOP = 21,
};

/* Open flags (pflags). */
enum {
	SFTP_FXF_READ = 0x01,
	SFTP_FXF_WRITE = 0x02,
	SFTP_FXF_APPEND = 0x04,
	SFTP_FXF_CREAT = 0x08,
	SFTP_FXF_TRUNC = 0x10,
	SFTP_FXF_EXCL = 0x20,
};

/* Attribute flags. */
enum {
	SFTP_ATTR_SIZE = 0x01,
	SFTP_ATTR_UIDGID = 0x02,
	SFTP_ATTR_PERMISSIONS = 0x04,
	SFTP_ATTR_ACMODTIME = 0x08,
	SFTP_ATTR_EXTENDED = (int)0x80000000u,
};

#define SFTP_HANDLE_MAX 256
/* OpenSSH's sftp-server refuses packets above 256 KiB; a reply is never larger. */
#define SFTP_PACKET_MAX (256 * 1024 + 1024)

/* A file's attributes; the fields are meaningful where `flags` says so. */
struct sftp_attrs {
	unsigned long flags;
	uint64_t filesize;
	unsigned long uid, gid, permissions, atime, mtime;
};

/* statvfs@openssh.com's reply. */
struct sftp_statvfs {
	uint64_t f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_favail, f_fsid,
		f_flag, f_namemax;
};

/* limits@openssh.com's reply; 0 means "no limit stated". */
struct sftp_limits {
	uint64_t packet_length, read_length, write_length, open_handles;
};

/* A view of bytes being parsed; `bad` sticks once a read runs past the end. */
struct sftp_reader {
	const unsigned char *p;
	size_t len, off;
	bool bad;
};

/* A parsed reply; its pointers point into the packet given to sftp_proto_parse(). */
struct sftp_reply {
	int type;
	uint32_t id; /* not for SFTP_VERSION */
	union {
		struct {
			uint32_t code;
			const char *message; /* not NUL-terminated: message_len bytes */
			size_t message_len;
		} status;
		struct {
			const unsigned char *bytes;
			size_t len;
		} handle, data, extended; /* extended: the reply's bytes after the id */
		struct {
			uint32_t count; /* checked to fit the packet; read with sftp_proto_next_name
					 */
			struct sftp_reader rest;
		} name;
		struct sftp_attrs attrs;
		struct {
			uint32_t version;
			struct sftp_reader extensions; /* pairs of strings */
		} version;
	} u;
};

enum { SFTP_PROTO_OK = 0, SFTP_PROTO_BAD = -1 };

/*
 * Parses one packet's body (after its 4-byte length: type, id, payload)
 * into `out`; SFTP_PROTO_BAD when it is malformed, of a type a server does
 * not send, or has bytes left over.
 */
int sftp_proto_parse(const unsigned char *body, size_t len, struct sftp_reply *out);

/*
 * The next entry of an SFTP_NAME reply: its file name (not NUL-terminated)
 * and attributes. SFTP_PROTO_BAD when the entry is malformed; call it
 * exactly u.name.count times.
 */
int sftp_proto_next_name(struct sftp_reply *reply, const char **name, size_t *name_len,
			 struct sftp_attrs *attrs);

/* The next name/data pair of an SFTP_VERSION reply: 1, 0 at the end, SFTP_PROTO_BAD. */
int sftp_proto_next_extension(struct sftp_reply *reply, const char **name, size_t *name_len,
			      const char **data, size_t *data_len);

/* The extended replies the client uses, from u.extended. */
int sftp_proto_parse_statvfs(const unsigned char *p, size_t len, struct sftp_statvfs *out);
int sftp_proto_parse_limits(const unsigned char *p, size_t len, struct sftp_limits *out);

/* Attributes as they are on the wire (for tests and the parser's callers). */
int sftp_proto_read_attrs(struct sftp_reader *r, struct sftp_attrs *out);

/* ---- building requests ---- */

/*
 * A request being built in a caller's buffer: sftp_proto_begin() leaves
 * room for the length, the put functions append (setting `overflow` rather
 * than writing past `cap`), sftp_proto_end() writes the length.
 */
struct sftp_writer {
	unsigned char *p;
	size_t cap, len;
	bool overflow;
};

void sftp_proto_begin(struct sftp_writer *w, unsigned char *buf, size_t cap, int type, uint32_t id);
void sftp_proto_put_u32(struct sftp_writer *w, uint32_t v);
void sftp_proto_put_u64(struct sftp_writer *w, uint64_t v);
void sftp_proto_put_string(struct sftp_writer *w, const void *s, size_t len);
void sftp_proto_put_cstring(struct sftp_writer *w, const char *s);
void sftp_proto_put_attrs(struct sftp_writer *w, const struct sftp_attrs *a);
/* The packet's total length, or 0 when it did not fit. */
size_t sftp_proto_end(struct sftp_writer *w);

#endif
