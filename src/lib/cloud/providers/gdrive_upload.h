/*
 * gdrive_upload.h - one upload in progress, shared by gdrive_upload.c (the
 * whole: idempotency, metadata, verification) and gdrive_resumable.c (the
 * resumable session protocol) (internal).
 */
#ifndef VRP_CLOUD_GDRIVE_UPLOAD_H
#define VRP_CLOUD_GDRIVE_UPLOAD_H

#include "cloud/providers/gdrive.h"
#include "core/hash.h"

struct gdrive_upload {
	struct gdrive *gd;
	const vrp_upload_request *request;
	int fd;
	int64_t size;
	char sha256[VRP_SHA256_HEX_LEN], md5[33];
	char *dir, *name, *parent_id;
	const char *mime;
	json_t *metadata; /* the file resource to create: name, parents, appProperties */
	char *session;    /* the resumable session URL, once there is one */
	int64_t offset;   /* bytes Drive confirmed */
	json_t *file;     /* the stored file's resource, once complete */
};

/* Uploads `up` through a resumable session, resuming the request's when it is still good. */
int gdrive_upload_resumable(struct gdrive_upload *up);

/* The resume state of `up` (its session), malloc'd JSON; NULL when there is no session. */
char *gdrive_resume_state(const struct gdrive_upload *up);

/*
 * Parses a 308's "Range: bytes=0-N" into the next offset to send (N + 1);
 * no header (nothing stored) is 0. -1 for a header that does not parse.
 */
int64_t gdrive_parse_range(const char *range);

/* Takes a 2xx upload answer's file resource into up->file; VRP_ETRANSIENT when it holds none. */
int gdrive_upload_take_file(struct gdrive_upload *up, const struct vrp_http_response *r);

/* The fields asked of an upload's answer. */
#define GDRIVE_UPLOAD_FIELDS "fields=" GDRIVE_FILE_FIELDS

#endif
