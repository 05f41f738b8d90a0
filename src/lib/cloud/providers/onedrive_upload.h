/*
 * onedrive_upload.h - one upload in progress, shared by onedrive_upload.c
 * (the whole: lookup, small files, verification) and onedrive_session.c
 * (upload sessions) (internal).
 */
#ifndef VRP_CLOUD_ONEDRIVE_UPLOAD_H
#define VRP_CLOUD_ONEDRIVE_UPLOAD_H

#include "cloud/providers/onedrive.h"
#include "core/hash.h"

struct onedrive_upload {
	struct onedrive *od;
	const vrp_upload_request *request;
	int fd;
	int64_t size;
	char sha256[VRP_SHA256_HEX_LEN], qxh[VRP_QUICKXOR_BASE64];
	char *rel;         /* the path relative to the root */
	char *description; /* "vrp uuid=... sha256=..." */
	char *session;     /* the upload URL, once there is one */
	int64_t offset;    /* the first byte the session still expects */
	json_t *item;      /* the stored driveItem, once complete */
};

/* Uploads `up` through an upload session, resuming the request's when it is still good. */
int onedrive_upload_session(struct onedrive_upload *up);

/* The resume state of `up` (its session), malloc'd JSON; NULL when there is none. */
char *onedrive_resume_state(const struct onedrive_upload *up);

/*
 * The start of the first range in a nextExpectedRanges array ("N-" or
 * "N-M"); -1 when the array holds no readable range.
 */
int64_t onedrive_next_expected(const json_t *ranges);

/*
 * The item now at up->rel when it is this file (size and QuickXorHash):
 * 1 and up->item set; 0 when there is none or another; or an error.
 */
int onedrive_upload_find_existing(struct onedrive_upload *up);

#endif
