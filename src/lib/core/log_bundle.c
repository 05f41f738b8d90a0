/*
 * log_bundle.c - `vrp log bundle`: recent records as one gzip'd JSON Lines
 * file for a bug report. A single compressed stream rather than a tar
 * archive: the records are already one format, and `zcat` reads it.
 */
#include "core/log.h"
#include "core/durable.h"

#include "core/clock.h"
#include "core/fsutil.h"
#include "vrp/version.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

struct bundle {
	gzFile out;
	int64_t records;
	bool failed;
};

static bool put_line(struct bundle *b, const char *json)
{
	size_t len = strlen(json);
	if (gzwrite(b->out, json, (unsigned)len) != (int)len || gzputc(b->out, '\n') != '\n')
		b->failed = true;
	return !b->failed;
}

static int on_record(void *ctx, const vrp_log_record *r)
{
	struct bundle *b = ctx;
	if (!put_line(b, r->json))
		return vrp_error_set(VRP_EIO, "cannot write the log bundle");
	b->records++;
	return 0;
}

static int write_header(struct bundle *b, const vrp_log_filter *filter)
{
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	json_t *h =
		json_pack("{s:{s:s, s:s, s:s, s:o, s:o}}", "vrp_log_bundle", "created_at", now,
			  "vrp_version", vrp_version(), "format", "one JSON log record a line",
			  "since", vrp_log_string(filter ? filter->since : NULL), "correlation_id",
			  vrp_log_string(filter ? filter->correlation_id : NULL));
	char *text = h ? json_dumps(h, JSON_COMPACT) : NULL;
	int rc = text ? 0 : vrp_error_oom();
	if (rc == 0 && !put_line(b, text))
		rc = vrp_error_set(VRP_EIO, "cannot write the log bundle");
	free(text);
	json_decref(h);
	return rc;
}

static int write_bundle(int fd, const char *dir, const vrp_log_filter *filter, int64_t *records)
{
	struct bundle b = { .out = gzdopen(fd, "wb9") };
	if (!b.out) {
		close(fd);
		return vrp_error_oom();
	}
	int rc = write_header(&b, filter);
	if (rc == 0)
		rc = vrp_log_read(dir, filter, on_record, &b);
	if (gzclose(b.out) != Z_OK && rc == 0)
		rc = vrp_error_set(VRP_EIO, "cannot finish the log bundle");
	*records = b.records;
	return rc;
}

int vrp_log_bundle(const char *dir, const vrp_log_filter *filter, const char *path,
		   int64_t *records)
{
	int64_t written = 0;
	char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0)
		return vrp_error_oom();
	int fd = mkstemp(tmp); /* mode 0600: a bug report is the user's to share */
	int rc = fd < 0 ? vrp_error_from_errno(errno, "cannot create %s", tmp) : 0;
	if (rc == 0)
		rc = write_bundle(fd, dir, filter, &written);
	if (rc == 0)
		rc = vrp_fs_fsync_file(tmp);
	if (rc == 0)
		rc = vrp_fs_rename_durable(tmp, path);
	if (rc < 0 && fd >= 0)
		vrp_durable_unlink(tmp);
	free(tmp);
	if (records)
		*records = rc == 0 ? written : 0;
	return rc;
}
