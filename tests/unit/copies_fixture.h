/*
 * copies_fixture.h - a sync fixture with folder remotes that hold real
 * copies, for the tests of copy counting, fetch and remote verification.
 * Header-only.
 */
#ifndef VRP_TEST_COPIES_FIXTURE_H
#define VRP_TEST_COPIES_FIXTURE_H

#include "sync_fixture.h"

#include "db/db_internal.h"
#include "db/recording_repo.h"
#include "vrp/offload.h"
#include "core/retry.h"
#include "vrp/remote_verify.h"

#include <fcntl.h>
#include <sqlite3.h>

/* Uploads recording `id` to `remote` for real. */
static inline void copies_sync(struct sync_fixture *fx, int64_t id, const char *remote)
{
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, remote, NULL));
	sync_fixture_start_clock(fx);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.failed, 0);
}

/* Proves every copy on `remote` (a folder hashes its file in place: "provider-hash"). */
static inline void copies_prove(struct sync_fixture *fx, const char *remote)
{
	vrp_remote_verify_summary s;
	assert_ok(vrp_verify_remote(fx->lib, remote, NULL, &s));
}

static inline vrp_recording_remote *copies_row(struct sync_fixture *fx, int64_t id,
					       const char *remote)
{
	vrp_recording_remote *row = NULL;
	assert_ok(vrp_recording_remote_repo_get(vrp_library_db(fx->lib), id, remote, &row));
	return row;
}

static inline vrp_recording *copies_recording(struct sync_fixture *fx, int64_t id)
{
	vrp_recording *rec = NULL;
	assert_ok(vrp_recording_repo_get_by_id(vrp_library_db(fx->lib), id, &rec));
	return rec;
}

/* The file of recording `id`'s copy in folder remote `remote` rooted at `root` (caller frees). */
static inline char *copies_file(struct sync_fixture *fx, const char *root, int64_t id,
				const char *remote)
{
	vrp_recording_remote *row = copies_row(fx, id, remote);
	assert_non_null(row->remote_path);
	char *path = test_path(root, row->remote_path);
	vrp_recording_remote_free(row);
	return path;
}

/* Flips the byte at `offset` of `path`, as bit rot would. */
static inline void copies_flip(const char *path, off_t offset)
{
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	unsigned char b = 0;
	assert_int_equal(pread(fd, &b, 1, offset), 1);
	b ^= 0xFF;
	assert_int_equal(pwrite(fd, &b, 1, offset), 1);
	close(fd);
}

/* The one integer a query answers. */
static inline int64_t copies_sql_int(struct sync_fixture *fx, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	assert_int_equal(
		sqlite3_prepare_v2(vrp_db_handle(vrp_library_db(fx->lib)), sql, -1, &stmt, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

static inline void copies_offload(struct sync_fixture *fx, int64_t id, vrp_offload_summary *s)
{
	vrp_offload_options o = { .ids = &id, .id_count = 1 };
	assert_ok(vrp_offload(fx->lib, &o, s));
}

#endif
