/*
 * activity.c - the run-state files of activity.h.
 *
 * One file per run, named by pid and kind, so writers never share a file
 * and a reader needs no lock: a write goes to NAME.tmp and is renamed over
 * NAME, so a reader sees the old state or the new one, never half of one.
 */
#include "services/activity.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIN_INTERVAL_MS 250
#define MAX_STATE_BYTES (64 * 1024)

struct vrp_activity {
	char *path;
	char *tmp;
	char kind[16];
	int64_t pid, pid_start;
	int64_t seq;
	int64_t written_ms;
	json_t *latest; /* the last state given, written or not */
};

static char *run_dir(const char *root)
{
	size_t n = strlen(root) + sizeof("/run");
	char *dir = malloc(n);
	if (dir)
		snprintf(dir, n, "%s/run", root);
	return dir;
}

struct vrp_activity *vrp_activity_begin(const char *root, const char *kind)
{
	struct vrp_activity *a = calloc(1, sizeof(*a));
	char *dir = run_dir(root);
	if (!a || !dir || vrp_fs_mkdir_p(dir, 0700) < 0)
		goto fail;
	a->pid = getpid();
	if (vrp_process_start_time((pid_t)a->pid, &a->pid_start) < 0)
		a->pid_start = 0;
	snprintf(a->kind, sizeof(a->kind), "%s", kind);
	vrp_activity_scan(root, NULL, NULL); /* what dead runs left */
	if (asprintf(&a->path, "%s/%lld-%s.json", dir, (long long)a->pid, a->kind) < 0) {
		a->path = NULL;
		goto fail;
	}
	if (asprintf(&a->tmp, "%s.tmp", a->path) < 0) {
		a->tmp = NULL;
		goto fail;
	}
	free(dir);
	return a;
fail:
	free(dir);
	vrp_activity_end(a);
	return NULL;
}

static void write_state(struct vrp_activity *a, bool finished)
{
	json_t *doc = json_pack("{s:I, s:I, s:s, s:I, s:I, s:b, s:O}", "pid", (json_int_t)a->pid,
				"pid_start", (json_int_t)a->pid_start, "kind", a->kind, "seq",
				(json_int_t)++a->seq, "updated_ms", (json_int_t)vrp_time_now_ms(),
				"finished", finished, "state", a->latest);
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!text)
		return;
	int fd = open(a->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		bool ok = vrp_fs_write_all(fd, text, strlen(text)) == 0;
		ok = close(fd) == 0 && ok;
		if (!ok || rename(a->tmp, a->path) != 0)
			unlink(a->tmp);
	}
	free(text);
}

void vrp_activity_update(struct vrp_activity *a, json_t *state, bool progress)
{
	if (!a || !state) {
		json_decref(state);
		return;
	}
	json_decref(a->latest);
	a->latest = state;
	int64_t now = vrp_time_now_ms();
	if (!progress || now - a->written_ms >= MIN_INTERVAL_MS) {
		a->written_ms = now;
		write_state(a, false);
	}
}

void vrp_activity_end(struct vrp_activity *a)
{
	if (!a)
		return;
	if (a->latest)
		write_state(a, true);
	json_decref(a->latest);
	free(a->path);
	free(a->tmp);
	free(a);
}

/* Whether the process that wrote a file is gone (or is another one under its pid). */
static bool writer_dead(int64_t pid, int64_t pid_start)
{
	int64_t start = 0;
	int rc = vrp_process_start_time((pid_t)pid, &start);
	if (rc == VRP_ENOTFOUND)
		return true;
	return rc == 0 && pid_start && start != pid_start;
}

static json_t *load(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	char *buf = malloc(MAX_STATE_BYTES + 1);
	ssize_t n = buf ? vrp_fs_read_full(fd, buf, MAX_STATE_BYTES) : -1;
	close(fd);
	json_t *doc = NULL;
	if (n > 0 && n < MAX_STATE_BYTES)
		doc = json_loadb(buf, (size_t)n, 0, NULL);
	free(buf);
	return doc;
}

static void visit(int dirfd, const char *name, int64_t self, vrp_activity_fn fn, void *ctx)
{
	char *end = NULL;
	long long pid = strtoll(name, &end, 10);
	if (end == name || *end != '-' || pid <= 0 || pid == self)
		return;
	size_t len = strlen(name);
	if (len > 4 && strcmp(name + len - 4, ".tmp") == 0) {
		/* A write its process never renamed: only the dead leave these. */
		if (writer_dead(pid, 0))
			unlinkat(dirfd, name, 0);
		return;
	}
	json_t *doc = load(dirfd, name);
	json_t *state = json_object_get(doc, "state");
	int64_t pid_start = json_integer_value(json_object_get(doc, "pid_start"));
	struct vrp_activity_entry e = {
		.name = name,
		.pid = pid,
		.kind = json_string_value(json_object_get(doc, "kind")),
		.seq = json_integer_value(json_object_get(doc, "seq")),
		.finished = json_is_true(json_object_get(doc, "finished")),
		.state = state,
	};
	bool dead = writer_dead(pid, pid_start);
	if (fn && e.kind && json_is_object(state) && (!dead || e.finished))
		fn(ctx, &e);
	if (dead)
		unlinkat(dirfd, name, 0);
	json_decref(doc);
}

int vrp_activity_scan(const char *root, vrp_activity_fn fn, void *ctx)
{
	char *dir = run_dir(root);
	if (!dir)
		return vrp_error_oom();
	DIR *d = opendir(dir);
	free(dir);
	if (!d)
		return 0; /* no run has reported anything yet */
	int64_t self = getpid();
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			visit(dirfd(d), de->d_name, self, fn, ctx);
	closedir(d);
	return 0;
}
