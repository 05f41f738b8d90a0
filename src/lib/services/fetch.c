/*
 * fetch.c - vrp_fetch(): bringing a recording's audio back from a remote
 * copy, for `vrp get`, for repairs, and for every reader of offloaded audio.
 */
#include "vrp/offload.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/retry.h"
#include "core/test_hook.h"
#include "db/recording_repo.h"
#include "db/remote_repo.h"
#include "services/audit.h"
#include "services/copies.h"
#include "services/import_tmp.h"
#include "vrp/remotes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fetch {
	vrp_library *lib;
	const vrp_recording *rec;
	const char *path; /* where the audio belongs */
	bool repair;
	const char *remote; /* the copy that was used */
	char tried[1024];   /* what each remote answered, for the error */
};

/* Lower is tried first: proven copies, then a folder before a server before a cloud. */
static int rank(const vrp_recording_remote *row, enum copy_standing standing)
{
	int proven = standing == COPY_COUNTS ? 0 : standing == COPY_STALE ? 1 : 2;
	int speed = !strcmp(row->provider_key, "localdir") ? 0
		    : !strcmp(row->provider_key, "sftp")   ? 1
							   : 2;
	return proven * 3 + speed;
}

static void note(struct fetch *f, const char *remote, const char *why)
{
	size_t used = strlen(f->tried);
	if (used < sizeof(f->tried))
		snprintf(f->tried + used, sizeof(f->tried) - used, "%s%s: %s", used ? "; " : "",
			 remote, why);
}

/* Streams the copy into tmp/, checks it, and puts it in place (durably). */
static int pull_copy(struct fetch *f, vrp_provider *p, const vrp_recording_remote *row)
{
	char *tmp = NULL;
	int fd = -1;
	int rc = vrp_import_tmp_create(f->lib, f->rec->uuid, &tmp, &fd);
	if (rc < 0)
		return rc;
	const char *id = row->remote_id ? row->remote_id : row->remote_path;
	rc = vrp_provider_download_to_fd(p, id, fd, NULL, NULL);
	vrp_test_hook("get.downloaded");
	if (rc == 0 && fsync(fd) != 0)
		rc = vrp_error_from_errno(errno, "cannot sync %s", tmp);
	char sha256[VRP_SHA256_HEX_LEN] = "";
	if (rc == 0 && lseek(fd, 0, SEEK_SET) != 0)
		rc = vrp_error_from_errno(errno, "cannot read back %s", tmp);
	if (rc == 0)
		rc = vrp_sha256_fd(fd, tmp, sha256);
	if (rc == 0 && strcmp(sha256, f->rec->checksum))
		rc = vrp_error_set(VRP_ECHECKSUM,
				   "the copy on %s has sha256 %.12s..., the catalogue %.12s... "
				   "(nothing was kept)",
				   row->remote, sha256, f->rec->checksum);
	if (rc == 0)
		rc = vrp_fs_rename_durable(tmp, f->path);
	if (rc < 0)
		unlink(tmp);
	/* The lock goes with the fd: only once the file is in place under its own name. */
	close(fd);
	free(tmp);
	return rc;
}

/*
 * Every download of the copy arrived other than the catalogue's bytes: it
 * is not counted (nor preferred) until `verify --remote --download` shows
 * what the remote holds. The mapping stays: the damage may be on the way.
 */
static int distrust_copy(struct fetch *f, const vrp_recording_remote *row, int attempts)
{
	char why[600];
	snprintf(why, sizeof(why), "%.500s", vrp_error_last()->message);
	vrp_db *db = vrp_library_db(f->lib);
	int rc = vrp_recording_remote_repo_clear_proof(db, f->rec->id, row->remote);
	if (rc == 0)
		rc = vrp_audit_record_json(db, "remote_copy_bad", f->rec->id, row->remote, false,
					   json_pack("{s:s, s:i}", "finding", "damaged_download",
						     "attempts", attempts));
	if (rc < 0)
		return rc;
	return vrp_error_set(VRP_ECHECKSUM,
			     "%s (on %d attempts; the copy no longer counts: `vrp verify --remote "
			     "%s --download` checks it)",
			     why, attempts, row->remote);
}

/* Damage in transit is tried again a few times; damage every time is the copy's. */
static int pull_checked(struct fetch *f, vrp_provider *p, const vrp_recording_remote *row)
{
	int rc = 0, attempts = 0;
	do {
		rc = pull_copy(f, p, row);
		attempts++;
		if (rc == VRP_ECHECKSUM)
			VRP_LOG_WARNING(
				"fetch",
				json_pack("{s:I, s:s, s:i, s:s}", "recording_id",
					  (json_int_t)f->rec->id, "remote", row->remote, "attempt",
					  attempts, "code", vrp_error_code_name(rc)),
				"the copy of recording %lld on %s arrived damaged: %s",
				(long long)f->rec->id, row->remote, vrp_error_last()->message);
	} while (rc == VRP_ECHECKSUM && attempts < VRP_RETRY_INTEGRITY_ATTEMPTS);
	return rc == VRP_ECHECKSUM ? distrust_copy(f, row, attempts) : rc;
}

static int try_remote(struct fetch *f, const vrp_recording_remote *row)
{
	vrp_provider *p = NULL;
	int rc = vrp_remotes_open(f->lib, row->remote, &p);
	if (rc == 0)
		rc = vrp_provider_probe(p);
	if (rc == 0)
		rc = pull_checked(f, p, row);
	vrp_provider_free(p);
	if (rc < 0)
		note(f, row->remote, vrp_error_last()->message);
	return rc;
}

static int restored_txn(vrp_db *db, void *arg)
{
	struct fetch *f = arg;
	int rc = vrp_recording_repo_set_offloaded(db, f->rec->id, NULL);
	if (rc == 0)
		rc = vrp_recording_repo_set_integrity(db, f->rec->id, VRP_INTEGRITY_OK, NULL);
	if (rc == 0 && f->remote)
		rc = vrp_audit_record_json(db, f->repair ? "repair" : "fetch", f->rec->id,
					   f->remote, true,
					   json_pack("{s:o}", "path", vrp_log_string(f->path)));
	return rc;
}

/* The candidates in the order they are tried; untrusted and unsynced ones are left out. */
static int try_copies(struct fetch *f)
{
	struct copy_policy policy;
	struct copy_tally tally = { 0 };
	int rc = copy_policy_load(f->lib, &policy);
	if (rc == 0)
		rc = copy_tally_load(f->lib, &policy, f->rec->id, &tally);
	int last = VRP_EUNAVAILABLE;
	for (int r = 0; rc == 0 && !f->remote && r < 9; r++) {
		for (size_t i = 0; !f->remote && i < tally.rows->count; i++) {
			const vrp_recording_remote *row = tally.rows->items[i];
			enum copy_standing s = tally.standing[i];
			if (s == COPY_UNTRUSTED || s == COPY_NOT_SYNCED || rank(row, s) != r)
				continue;
			last = try_remote(f, row);
			if (last == 0)
				f->remote = row->remote;
		}
	}
	if (rc == 0 && !f->remote)
		rc = vrp_error_set(last == VRP_ECHECKSUM ? VRP_ECHECKSUM : VRP_EUNAVAILABLE,
				   "recording %lld could not be fetched: %s", (long long)f->rec->id,
				   *f->tried ? f->tried : "no trusted remote holds a synced copy");
	if (rc == 0)
		rc = vrp_db_transaction(vrp_library_db(f->lib), restored_txn, f);
	if (rc == 0)
		VRP_LOG_INFO("fetch",
			     json_pack("{s:I, s:s, s:b}", "recording_id", (json_int_t)f->rec->id,
				       "remote", f->remote, "repair", f->repair),
			     "recording %lld fetched from %s", (long long)f->rec->id, f->remote);
	/* f->remote points into the tally: it leaves as a copy, or not at all. */
	if (rc == 0 && !(f->remote = strdup(f->remote)))
		rc = vrp_error_oom();
	else if (rc < 0)
		f->remote = NULL;
	copy_tally_clear(&tally);
	return rc;
}

/* Whether the file at the recording's path is whole (a crash after the rename left one). */
static bool whole_file_there(const struct fetch *f)
{
	char sha256[VRP_SHA256_HEX_LEN];
	return vrp_sha256_file(f->path, sha256) == 0 && !strcmp(sha256, f->rec->checksum);
}

static int fetch_recording(struct fetch *f, char **remote)
{
	if (whole_file_there(f)) {
		/* Nothing to fetch; an offloaded row (or a damaged mark) is brought in step. */
		if (f->rec->offloaded_at || f->rec->integrity != VRP_INTEGRITY_OK)
			return vrp_db_transaction(vrp_library_db(f->lib), restored_txn, f);
		return 0;
	}
	if (!f->rec->offloaded_at && !f->repair)
		return vrp_error_set(VRP_ECORRUPT_MEDIA,
				     "the file of recording %lld is missing or damaged: "
				     "`vrp get --repair %lld` restores it from a remote copy",
				     (long long)f->rec->id, (long long)f->rec->id);
	int rc = try_copies(f);
	if (rc == 0 && remote)
		*remote = (char *)f->remote;
	else
		free((char *)f->remote);
	return rc;
}

int vrp_fetch(vrp_library *lib, int64_t id, unsigned flags, char **remote)
{
	if (remote)
		*remote = NULL;
	vrp_recording *rec = NULL;
	int rc = vrp_recording_repo_get_by_id(vrp_library_db(lib), id, &rec);
	char *path = rc == 0 ? vrp_library_path(lib, rec->local_path) : NULL;
	if (rc == 0 && !path)
		rc = vrp_error_oom();
	struct fetch f = {
		.lib = lib, .rec = rec, .path = path, .repair = (flags & VRP_FETCH_REPAIR) != 0
	};
	if (rc == 0)
		rc = fetch_recording(&f, remote);
	free(path);
	vrp_recording_free(rec);
	return rc;
}

int vrp_recording_audio_path(vrp_library *lib, int64_t id, char **path)
{
	*path = NULL;
	vrp_recording *rec = NULL;
	int rc = vrp_recording_repo_get_by_id(vrp_library_db(lib), id, &rec);
	if (rc == 0 && rec->offloaded_at)
		rc = vrp_fetch(lib, id, 0, NULL);
	if (rc == 0 && !(*path = vrp_library_path(lib, rec->local_path)))
		rc = vrp_error_oom();
	vrp_recording_free(rec);
	return rc;
}
