/*
 * sync_task_ctx.h - one sync task while it runs (internal): shared by the
 * transfer (sync_task_run.c) and what a failure does (sync_task_fail.c).
 */
#ifndef VRP_SERVICES_SYNC_TASK_CTX_H
#define VRP_SERVICES_SYNC_TASK_CTX_H

#include "services/sync_internal.h"

#include "core/hash.h"
#include "vrp/recording.h"

struct task_ctx {
	struct sync_worker *w;
	vrp_db *db;
	const vrp_sync_task *task;
	vrp_recording *rec;
	char *remote_path;
	vrp_remote_object *object;
	bool uploaded;   /* an upload call was made */
	bool lease_lost; /* renewing failed: another worker has the task */
	bool purged;     /* the recording was purged while its upload ran */
	int64_t last_renew_ms;
	int64_t bytes_done;
	/* What the upload sends: the recording's file, or its Opus copy (see load_payload). */
	char *local_rel; /* relative to the library root */
	char sha256[VRP_SHA256_HEX_LEN];
	int64_t size;
};

/* An event about task `t`, its fields as they stand now. */
void sync_task_event_init(const struct task_ctx *t, vrp_sync_event *e, vrp_sync_event_kind kind);

/*
 * `code` failed the task (the last error holds its message): decides retry,
 * pause or failure, records it for the task and the recording's row, and
 * reports it. Takes `resume_state` (may be NULL). 0 unless the catalogue
 * could not be written.
 */
int sync_task_fail(struct task_ctx *t, int code, char *resume_state);

#endif
