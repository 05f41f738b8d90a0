/*
 * sync_task.h - the durable sync queue's tasks.
 *
 * A task asks for one operation on one recording and one remote. Workers
 * claim due tasks under a time-limited lease, so a task whose worker died is
 * picked up again once the lease runs out. Records are allocated by the
 * library (fields may be appended in later versions) and own their strings.
 */
#ifndef VRP_SYNC_TASK_H
#define VRP_SYNC_TASK_H

#include "vrp/remote.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a task does; stored as the lower-case name. */
typedef enum vrp_sync_op {
	VRP_SYNC_OP_UPLOAD = 0,
	VRP_SYNC_OP_DOWNLOAD,
	VRP_SYNC_OP_DELETE,
	VRP_SYNC_OP_VERIFY,
} vrp_sync_op;

#define VRP_SYNC_OP_COUNT 4

/* "upload", "download", "delete", "verify"; NULL for a value outside the enum. */
const char *vrp_sync_op_to_string(vrp_sync_op op);

/* Parses the stored name into `*out`; VRP_EINVAL (recorded) for anything else. */
int vrp_sync_op_from_string(const char *text, vrp_sync_op *out);

/* Where a task is in its life; stored as the lower-case name. */
typedef enum vrp_sync_task_state {
	VRP_SYNC_TASK_QUEUED = 0, /* waiting until next_attempt_at */
	VRP_SYNC_TASK_RUNNING,    /* leased to lease_owner until lease_until */
	VRP_SYNC_TASK_DONE,
	VRP_SYNC_TASK_FAILED, /* gave up; `vrp queue retry` requeues it */
	VRP_SYNC_TASK_CANCELLED,
} vrp_sync_task_state;

#define VRP_SYNC_TASK_STATE_COUNT 5

/* "queued", "running", ...; NULL for a value outside the enum. */
const char *vrp_sync_task_state_to_string(vrp_sync_task_state state);

/* Parses the stored name into `*out`; VRP_EINVAL (recorded) for anything else. */
int vrp_sync_task_state_from_string(const char *text, vrp_sync_task_state *out);

typedef struct vrp_sync_task {
	int64_t id;
	char *uuid; /* stable public id of the task */
	vrp_sync_op op;
	int64_t recording_id; /* 0 when none (the recording was purged) */
	char *remote;         /* the remote's name */
	vrp_sync_task_state state;
	int64_t priority;      /* higher runs first */
	int64_t attempts;      /* how many times it was claimed */
	char *next_attempt_at; /* not claimed before this time */
	char *lease_until;     /* while running: the lease's end; else NULL */
	char *lease_owner;     /* the worker holding the lease or that last held it; NULL
				  until first claimed */
	char *idempotency_key; /* same op, remote and key = the same work */
	char *remote_id;       /* the remote object, when the op needs it (delete, download) */
	char *remote_path;
	char *resume_state;   /* JSON the worker saved to resume a transfer, or NULL */
	char *correlation_id; /* ties the task to the command or request that made it */
	char *error_code;     /* the ERR_* name of the last failure, or NULL */
	char *error_message;
	char *created_at;
	char *modified_at;
	char *finished_at; /* while done, failed or cancelled: when it ended; else NULL */
	/* The process of lease_owner: its host (NULL when unknown), pid (0) and start time. */
	char *lease_host;
	int64_t lease_pid;
	int64_t lease_pid_start;
	/* An upload's: which of the recording's files it sends. */
	vrp_upload_variant variant;
} vrp_sync_task;

/* Frees the task and its strings; NULL is a no-op. */
void vrp_sync_task_free(vrp_sync_task *task);

typedef struct vrp_sync_task_list {
	vrp_sync_task **items;
	size_t count;
} vrp_sync_task_list;

/* Frees the list and every item in it; NULL is a no-op. */
void vrp_sync_task_list_free(vrp_sync_task_list *list);

/* How many tasks are in each state, indexed by vrp_sync_task_state. */
typedef struct vrp_sync_task_counts {
	int64_t by_state[VRP_SYNC_TASK_STATE_COUNT];
} vrp_sync_task_counts;

#ifdef __cplusplus
}
#endif

#endif
