/* spectrogram.c - a recording's spectrogram with the options asked for, stored when they are the
 * defaults. */
#include "vrp/spectrogram.h"
#include "vrp/offload.h"

#include "core/error_set.h"
#include "core/filecopy.h"
#include "core/fsutil.h"
#include "db/derived_asset_repo.h"
#include "db/recording_repo.h"
#include "derive/spectrogram.h"
#include "media/decode.h"
#include "vrp/derive.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_default(const vrp_spectrogram_options *o)
{
	return o->width == vrp_spectrogram_defaults.width &&
	       o->height == vrp_spectrogram_defaults.height &&
	       o->scale == vrp_spectrogram_defaults.scale;
}

/* The stored asset, made first when missing or stale, copied out as it is. */
static int from_stored(vrp_library *lib, int64_t recording_id, int fd)
{
	vrp_derived_asset *asset = NULL;
	char *path = NULL;
	int src = -1;
	int rc = vrp_derive(lib, recording_id, VRP_DERIVE_KIND(VRP_DERIVED_SPECTROGRAM), false,
			    NULL);
	if (rc == 0)
		rc = vrp_derived_asset_repo_get(vrp_library_db(lib), recording_id,
						VRP_DERIVED_SPECTROGRAM, &asset);
	if (rc == 0 && !(path = vrp_library_path(lib, asset->path)))
		rc = vrp_error_oom();
	if (rc == 0)
		rc = vrp_fs_open_regular(path, &src, &(struct stat){ 0 });
	if (rc == 0)
		rc = vrp_fd_copy_hashed(src, fd, "the spectrogram", &(struct vrp_copy_result){ 0 },
					NULL, NULL);
	if (src >= 0)
		close(src);
	free(path);
	vrp_derived_asset_free(asset);
	return rc;
}

/* Other options: the audio decoded again into a generator made for them. */
static int from_audio(vrp_library *lib, int64_t recording_id, const vrp_spectrogram_options *o,
		      int fd)
{
	vrp_recording *rec = NULL;
	char *path = NULL;
	void *instance = NULL;
	struct vrp_pcm_sink sink;
	int rc = vrp_recording_repo_get_by_id(vrp_library_db(lib), recording_id, &rec);
	if (rc == 0)
		rc = vrp_recording_audio_path(lib, rec->id, &path);
	if (rc == 0)
		rc = vrp_spectrogram_create_with(o, &instance, &sink);
	if (rc == 0)
		rc = vrp_decode_file(path, &sink, 1);
	if (rc == 0)
		rc = vrp_spectrogram_generator.save(instance, fd);
	vrp_spectrogram_generator.destroy(instance);
	free(path);
	vrp_recording_free(rec);
	return rc;
}

int vrp_spectrogram_write(vrp_library *lib, int64_t recording_id,
			  const vrp_spectrogram_options *options, int fd)
{
	int rc = vrp_spectrogram_options_check(options);
	if (rc < 0)
		return rc;
	return is_default(options) ? from_stored(lib, recording_id, fd)
				   : from_audio(lib, recording_id, options, fd);
}

struct write_request {
	vrp_library *lib;
	int64_t recording_id;
	const vrp_spectrogram_options *options;
};

static int write_request(void *ctx, int fd)
{
	const struct write_request *r = ctx;
	return vrp_spectrogram_write(r->lib, r->recording_id, r->options, fd);
}

int vrp_spectrogram_write_file(vrp_library *lib, int64_t recording_id,
			       const vrp_spectrogram_options *options, const char *path)
{
	/* Refused options must not even create the temporary. */
	int rc = vrp_spectrogram_options_check(options);
	if (rc < 0)
		return rc;
	struct write_request request = { lib, recording_id, options };
	return vrp_fs_replace_file(path, write_request, &request);
}
