/* sync_task.c - the sync task record: freeing, operation and state names. */
#include "vrp/sync_task.h"

#include "core/error_set.h"

#include <stdlib.h>
#include <string.h>

/* Indexed by the enums; these are the values the schema's CHECKs allow. */
static const char *const op_names[VRP_SYNC_OP_COUNT] = {
	"upload",
	"download",
	"delete",
	"verify",
};

static const char *const state_names[VRP_SYNC_TASK_STATE_COUNT] = {
	"queued", "running", "done", "failed", "cancelled",
};

static int find_name(const char *const *names, int count, const char *text)
{
	for (int i = 0; text && i < count; i++) {
		if (strcmp(text, names[i]) == 0)
			return i;
	}
	return -1;
}

const char *vrp_sync_op_to_string(vrp_sync_op op)
{
	if ((unsigned)op >= VRP_SYNC_OP_COUNT)
		return NULL;
	return op_names[op];
}

int vrp_sync_op_from_string(const char *text, vrp_sync_op *out)
{
	int i = find_name(op_names, VRP_SYNC_OP_COUNT, text);
	if (i < 0)
		return vrp_error_set(VRP_EINVAL, "unknown sync operation '%s'",
				     text ? text : "(null)");
	*out = (vrp_sync_op)i;
	return 0;
}

const char *vrp_sync_task_state_to_string(vrp_sync_task_state state)
{
	if ((unsigned)state >= VRP_SYNC_TASK_STATE_COUNT)
		return NULL;
	return state_names[state];
}

int vrp_sync_task_state_from_string(const char *text, vrp_sync_task_state *out)
{
	int i = find_name(state_names, VRP_SYNC_TASK_STATE_COUNT, text);
	if (i < 0)
		return vrp_error_set(VRP_EINVAL, "unknown sync task state '%s'",
				     text ? text : "(null)");
	*out = (vrp_sync_task_state)i;
	return 0;
}

void vrp_sync_task_free(vrp_sync_task *task)
{
	if (!task)
		return;
	free(task->uuid);
	free(task->remote);
	free(task->next_attempt_at);
	free(task->lease_until);
	free(task->lease_owner);
	free(task->lease_host);
	free(task->idempotency_key);
	free(task->remote_id);
	free(task->remote_path);
	free(task->resume_state);
	free(task->correlation_id);
	free(task->error_code);
	free(task->error_message);
	free(task->created_at);
	free(task->modified_at);
	free(task->finished_at);
	free(task);
}

void vrp_sync_task_list_free(vrp_sync_task_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		vrp_sync_task_free(list->items[i]);
	free(list->items);
	free(list);
}
