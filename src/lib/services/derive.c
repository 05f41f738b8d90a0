/* derive.c - makes a recording's missing or stale assets from one decode, durably. */
#include "vrp/derive.h"
#include "vrp/offload.h"
#include "core/durable.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/hash.h"
#include "core/uuid.h"
#include "db/derive_task_repo.h"
#include "db/derived_asset_repo.h"
#include "db/recording_repo.h"
#include "derive/registry.h"
#include "media/decode.h"
#include "services/import_tmp.h"
#include "vrp/settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KINDS_MAX 8

/* One asset being made. */
struct job {
	const struct vrp_generator *gen;
	void *instance;
	char path[160]; /* relative to the library root */
	char version[VRP_GENERATOR_VERSION_MAX];
};

/* Counts the decoded audio for the caller's progress callback. */
struct progress {
	vrp_derive_progress_fn fn;
	void *ctx;
	int rate;
	int64_t frames;
};

struct run {
	vrp_library *lib;
	const vrp_recording *rec;
	struct job jobs[KINDS_MAX];
	struct vrp_pcm_sink sinks[KINDS_MAX + 1]; /* the jobs', then the progress counter's */
	size_t count;
	const struct vrp_derive_params *params; /* the caller's; title and settings added per job */
	struct progress progress;
};

unsigned vrp_derive_kinds_supported(void)
{
	unsigned kinds = 0;
	for (unsigned k = 0; k < KINDS_MAX; k++)
		if (vrp_generator_for((enum vrp_derived_kind)k))
			kinds |= VRP_DERIVE_KIND(k);
	return kinds;
}

unsigned vrp_derive_kinds_default(void)
{
	unsigned kinds = 0;
	for (unsigned k = 0; k < KINDS_MAX; k++) {
		const struct vrp_generator *gen = vrp_generator_for((enum vrp_derived_kind)k);
		if (gen && !gen->on_request)
			kinds |= VRP_DERIVE_KIND(k);
	}
	return kinds;
}

static bool is_stale_with(const vrp_derived_asset *asset, const char *recording_checksum,
			  const struct vrp_derive_params *params)
{
	const struct vrp_generator *gen = vrp_generator_for(asset->kind);
	return !gen || !asset->source_checksum || !recording_checksum ||
	       strcmp(asset->source_checksum, recording_checksum) != 0 ||
	       strcmp(asset->generator, gen->name) != 0 ||
	       !vrp_generator_version_matches(gen, params, asset->generator_version);
}

bool vrp_derived_asset_is_stale(const vrp_derived_asset *asset, const char *recording_checksum)
{
	return is_stale_with(asset, recording_checksum, &(struct vrp_derive_params){ 0 });
}

/* The library's settings the generators' output depends on. */
static int library_params(vrp_library *lib, struct vrp_derive_params *params)
{
	long bitrate = 0;
	int rc = vrp_settings_get_int(lib, "derive.opus_bitrate", 0, &bitrate);
	params->opus_bitrate = (int)bitrate;
	return rc;
}

bool vrp_derived_asset_is_stale_in(vrp_library *lib, const vrp_derived_asset *asset,
				   const char *recording_checksum)
{
	struct vrp_derive_params params = { 0 };
	/* An unreadable setting is logged where settings are read; the default applies. */
	if (library_params(lib, &params) < 0)
		params.opus_bitrate = 0;
	return is_stale_with(asset, recording_checksum, &params);
}

int vrp_derived_assets_list(vrp_library *lib, int64_t recording_id, vrp_derived_asset_list **out)
{
	return vrp_derived_asset_repo_list_for_recording(vrp_library_db(lib), recording_id, out);
}

static bool file_exists(vrp_library *lib, const char *relative)
{
	char *path = vrp_library_path(lib, relative);
	struct stat st;
	bool exists = path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	return exists;
}

/* Whether the stored asset of `gen` can be kept: its row is fresh and its file is there. */
static int is_fresh(struct run *r, const struct vrp_generator *gen, bool *fresh)
{
	vrp_derived_asset *asset = NULL;
	int rc = vrp_derived_asset_repo_get(vrp_library_db(r->lib), r->rec->id, gen->kind, &asset);
	*fresh = rc == 0 && !is_stale_with(asset, r->rec->checksum, r->params) &&
		 file_exists(r->lib, asset->path);
	vrp_derived_asset_free(asset);
	return rc == VRP_ENOTFOUND ? 0 : rc;
}

static int add_job(struct run *r, const struct vrp_generator *gen)
{
	struct job *job = &r->jobs[r->count];
	job->gen = gen;
	snprintf(job->path, sizeof(job->path), "derived/%s/%s.%s",
		 vrp_derived_kind_to_string(gen->kind), r->rec->uuid, gen->extension);
	vrp_generator_version(gen, r->params, job->version);
	struct vrp_derive_params params = *r->params;
	params.title = r->rec->title;
	int rc = gen->create(&job->instance, &r->sinks[r->count], &params);
	if (rc == 0)
		r->count++;
	else
		gen->destroy(job->instance);
	return rc;
}

static int plan(struct run *r, unsigned kinds, bool force)
{
	if (kinds == 0)
		return vrp_error_set(VRP_EINVAL, "no kind of asset to make");
	for (unsigned k = 0; k < KINDS_MAX; k++) {
		if (!(kinds & VRP_DERIVE_KIND(k)))
			continue;
		const struct vrp_generator *gen = vrp_generator_for((enum vrp_derived_kind)k);
		if (!gen) {
			const char *name = vrp_derived_kind_to_string((enum vrp_derived_kind)k);
			return vrp_error_set(VRP_ENOTSUP, "vrp cannot make %s assets yet",
					     name ? name : "such");
		}
		bool fresh = false;
		int rc = force ? 0 : is_fresh(r, gen, &fresh);
		if (rc == 0 && !fresh)
			rc = add_job(r, gen);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int make_dir(vrp_library *lib, enum vrp_derived_kind kind)
{
	char relative[64];
	snprintf(relative, sizeof(relative), "derived/%s", vrp_derived_kind_to_string(kind));
	char *dir = vrp_library_path(lib, relative);
	if (!dir)
		return vrp_error_oom();
	int rc = vrp_fs_mkdir_p(dir, 0755);
	free(dir);
	return rc;
}

static int upsert(struct run *r, const struct job *job, int64_t size, const char *sha256)
{
	struct vrp_derived_asset_spec spec = {
		.recording_id = r->rec->id,
		.kind = job->gen->kind,
		.path = job->path,
		.mime_type = job->gen->mime_type,
		.size_bytes = size,
		.generator = job->gen->name,
		.generator_version = job->version,
		.source_checksum = r->rec->checksum,
		.sha256 = sha256,
	};
	return vrp_derived_asset_repo_upsert(vrp_library_db(r->lib), &spec, NULL);
}

/*
 * Writes the asset to a locked staging file in tmp/ (the import's kind, so
 * the debris of a killed derive is swept as an import's is), fsyncs it and
 * renames it into place; only then does its row commit.
 */
static int store(struct run *r, const struct job *job)
{
	char stem[VRP_UUID_LEN], *tmp = NULL, *final = NULL;
	int fd = -1;
	struct stat st = { 0 };
	int rc = vrp_uuid_v4(stem);
	if (rc == 0)
		rc = vrp_import_tmp_create(r->lib, stem, &tmp, &fd);
	if (rc == 0)
		rc = job->gen->save(job->instance, fd);
	if (rc == 0 && (vrp_durable_fsync(fd) != 0 || fstat(fd, &st) != 0))
		rc = vrp_error_from_errno(errno, "cannot write %s", tmp);
	/* The file's own digest lets a sync tell a remote copy from a newer local one. */
	char sha256[VRP_SHA256_HEX_LEN];
	if (rc == 0)
		rc = vrp_sha256_file(tmp, sha256);
	if (rc == 0)
		rc = make_dir(r->lib, job->gen->kind);
	if (rc == 0 && !(final = vrp_library_path(r->lib, job->path)))
		rc = vrp_error_oom();
	if (rc == 0)
		rc = vrp_fs_rename_durable(tmp, final);
	if (rc == 0) {
		rc = upsert(r, job, st.st_size, sha256);
		/* The recording was purged while its asset was made: the purge could
		 * not know this file, which would stay the asset of nothing. */
		if (rc == VRP_ENOTFOUND)
			vrp_durable_unlink(final);
	}
	if (rc != 0 && tmp)
		vrp_durable_unlink(tmp);
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(final);
	return rc;
}

static int progress_begin(void *ctx, const struct vrp_pcm_format *format)
{
	struct progress *p = ctx;
	p->rate = format->sample_rate;
	return 0;
}

/* After the generators' sinks: the seconds it reports are done in all of them. */
static int progress_write(void *ctx, const float *samples, size_t frames)
{
	(void)samples;
	struct progress *p = ctx;
	p->frames += (int64_t)frames;
	return p->fn(p->ctx, (double)p->frames / p->rate);
}

static int progress_end(void *ctx)
{
	(void)ctx;
	return 0;
}

static int decode(struct run *r)
{
	char *path = NULL;
	int rc = vrp_recording_audio_path(r->lib, r->rec->id, &path);
	if (rc < 0)
		return rc;
	size_t sinks = r->count;
	if (r->progress.fn)
		r->sinks[sinks++] = (struct vrp_pcm_sink){ &r->progress, progress_begin,
							   progress_write, progress_end };
	rc = vrp_decode_file(path, r->sinks, sinks);
	if (rc != 0)
		vrp_error_set_context("recording %lld", (long long)r->rec->id);
	free(path);
	return rc;
}

int vrp_derive(vrp_library *lib, int64_t recording_id, unsigned kinds, bool force, unsigned *made)
{
	return vrp_derive_with(lib, recording_id, kinds, force, NULL, made);
}

int vrp_derive_with(vrp_library *lib, int64_t recording_id, unsigned kinds, bool force,
		    const struct vrp_derive_options *options, unsigned *made)
{
	vrp_recording *rec = NULL;
	struct vrp_derive_params params = { 0 };
	if (options) {
		params.language = options->language;
		params.journal = options->journal;
		params.journal_key = options->journal_key;
	}
	struct run r = { .lib = lib, .params = &params };
	if (options && options->on_progress)
		r.progress = (struct progress){ .fn = options->on_progress,
						.ctx = options->progress_ctx };
	if (made)
		*made = 0;
	int rc = library_params(lib, &params);
	if (rc == 0)
		rc = vrp_recording_repo_get_by_id(vrp_library_db(lib), recording_id, &rec);
	r.rec = rec;
	if (rc == 0)
		rc = plan(&r, kinds, force);
	if (rc == 0 && r.count > 0)
		rc = decode(&r);
	for (size_t i = 0; rc == 0 && i < r.count; i++) {
		rc = store(&r, &r.jobs[i]);
		if (rc == 0 && made)
			*made |= VRP_DERIVE_KIND(r.jobs[i].gen->kind);
	}
	if (rc == 0)
		rc = vrp_derive_task_repo_forget_failed(vrp_library_db(lib), recording_id);
	for (size_t i = 0; i < r.count; i++)
		r.jobs[i].gen->destroy(r.jobs[i].instance);
	vrp_recording_free(rec);
	return rc;
}
