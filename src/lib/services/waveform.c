/* waveform.c - a recording's waveform at the zoom asked for, from the stored asset when it can. */
#include "vrp/waveform.h"
#include "vrp/offload.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "db/derived_asset_repo.h"
#include "db/recording_repo.h"
#include "derive/waveform.h"
#include "media/decode.h"
#include "vrp/derive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int check_options(const vrp_waveform_options *o)
{
	int zooms = (o->samples_per_pixel != 0) + (o->pixels_per_second != 0) + (o->width != 0);
	if (zooms > 1)
		return vrp_error_set(VRP_EINVAL, "give one of samples per pixel, pixels per second "
						 "and width, not several");
	if (o->samples_per_pixel < 0 || o->pixels_per_second < 0 || o->width < 0)
		return vrp_error_set(VRP_EINVAL, "the zoom must be a positive number");
	if (o->bits != 0 && o->bits != 8 && o->bits != 16)
		return vrp_error_set(VRP_EINVAL, "waveform bits must be 8 or 16, not %d", o->bits);
	if (o->channels != VRP_WAVEFORM_CHANNELS_MIXED && o->channels != VRP_WAVEFORM_CHANNELS_ALL)
		return vrp_error_set(VRP_EINVAL, "unknown waveform channels");
	if (o->format != VRP_WAVEFORM_FORMAT_JSON && o->format != VRP_WAVEFORM_FORMAT_DAT)
		return vrp_error_set(VRP_EINVAL, "unknown waveform format");
	return 0;
}

/* As audiowaveform computes its zoom from --pixels-per-second and --width. */
static int samples_per_pixel(const vrp_waveform_options *o, const vrp_recording *rec, int *out)
{
	int64_t spp = VRP_WAVEFORM_STORED_SPP;
	if (o->samples_per_pixel)
		spp = o->samples_per_pixel;
	else if (o->pixels_per_second)
		spp = rec->sample_rate / o->pixels_per_second;
	else if (o->width) {
		int64_t frames = (int64_t)(rec->duration * rec->sample_rate + 0.5);
		spp = (frames + o->width - 1) / o->width;
	}
	if (spp < 2 || spp > INT32_MAX)
		return vrp_error_set(VRP_EINVAL,
				     "that zoom gives %lld samples per pixel; the least is 2",
				     (long long)spp);
	*out = (int)spp;
	return 0;
}

static enum vrp_waveform_view view_of(const vrp_waveform_options *o)
{
	return o->channels == VRP_WAVEFORM_CHANNELS_ALL ? VRP_WAVEFORM_ALL : VRP_WAVEFORM_MIXED;
}

/* From the stored asset, made first if missing or stale, then zoomed out. */
static int from_stored(vrp_library *lib, const vrp_recording *rec, const vrp_waveform_options *o,
		       int spp, struct vrp_waveform *out)
{
	vrp_derived_asset *asset = NULL;
	struct vrp_waveform stored = { 0 };
	char *path = NULL;
	int fd = -1;
	int rc = vrp_derive(lib, rec->id, VRP_DERIVE_KIND(VRP_DERIVED_WAVEFORM), false, NULL);
	if (rc == 0)
		rc = vrp_derived_asset_repo_get(vrp_library_db(lib), rec->id, VRP_DERIVED_WAVEFORM,
						&asset);
	if (rc == 0 && !(path = vrp_library_path(lib, asset->path)))
		rc = vrp_error_oom();
	if (rc == 0)
		rc = vrp_fs_open_regular(path, &fd, &(struct stat){ 0 });
	if (rc == 0)
		rc = vrp_waveform_read_dat(fd, &stored);
	if (rc == 0)
		rc = vrp_waveform_select(&stored, rec->channels, view_of(o), out);
	if (rc == 0)
		rc = vrp_waveform_rescale(out, spp / VRP_WAVEFORM_STORED_SPP);
	if (fd >= 0)
		close(fd);
	vrp_waveform_clear(&stored);
	free(path);
	vrp_derived_asset_free(asset);
	return rc;
}

/* A zoom the stored asset cannot give exactly: computed from the audio. */
static int from_audio(vrp_library *lib, const vrp_recording *rec, const vrp_waveform_options *o,
		      int spp, struct vrp_waveform *out)
{
	struct vrp_waveform_builder *b = NULL;
	struct vrp_pcm_sink sink;
	char *path = NULL;
	int rc = vrp_recording_audio_path(lib, rec->id, &path);
	if (rc == 0)
		rc = vrp_waveform_builder_new(spp, view_of(o), &b, &sink);
	if (rc == 0)
		rc = vrp_decode_file(path, &sink, 1);
	if (rc == 0)
		vrp_waveform_builder_take(b, out);
	vrp_waveform_builder_free(b);
	free(path);
	return rc;
}

/* The peaks `options` ask for, in `*wf`. */
static int compute(vrp_library *lib, int64_t recording_id, const vrp_waveform_options *options,
		   struct vrp_waveform *wf)
{
	vrp_recording *rec = NULL;
	int spp = 0;
	int rc = check_options(options);
	if (rc == 0)
		rc = vrp_recording_repo_get_by_id(vrp_library_db(lib), recording_id, &rec);
	if (rc == 0)
		rc = samples_per_pixel(options, rec, &spp);
	if (rc == 0)
		rc = spp % VRP_WAVEFORM_STORED_SPP == 0 ? from_stored(lib, rec, options, spp, wf)
							: from_audio(lib, rec, options, spp, wf);
	vrp_recording_free(rec);
	return rc;
}

int vrp_waveform_write(vrp_library *lib, int64_t recording_id, const vrp_waveform_options *options,
		       int fd)
{
	struct vrp_waveform wf = { 0 };
	int bits = options->bits ? options->bits : 16;
	int rc = compute(lib, recording_id, options, &wf);
	if (rc == 0)
		rc = options->format == VRP_WAVEFORM_FORMAT_DAT
			     ? vrp_waveform_write_dat(&wf, bits, fd)
			     : vrp_waveform_write_json(&wf, bits, fd);
	vrp_waveform_clear(&wf);
	return rc;
}

int vrp_waveform_get(vrp_library *lib, int64_t recording_id, const vrp_waveform_options *options,
		     vrp_waveform_peaks **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return vrp_error_oom();
	struct vrp_waveform wf = { 0 };
	int rc = compute(lib, recording_id, options, &wf);
	if (rc != 0) {
		free(*out);
		*out = NULL;
		return rc;
	}
	**out = (vrp_waveform_peaks){ wf.sample_rate, wf.samples_per_pixel, wf.channels, wf.length,
				      wf.data };
	return 0;
}

void vrp_waveform_peaks_free(vrp_waveform_peaks *peaks)
{
	if (!peaks)
		return;
	free(peaks->data);
	free(peaks);
}

struct save_request {
	vrp_library *lib;
	int64_t recording_id;
	const vrp_waveform_options *options;
};

static int save_request(void *ctx, int fd)
{
	const struct save_request *r = ctx;
	return vrp_waveform_write(r->lib, r->recording_id, r->options, fd);
}

int vrp_waveform_save(vrp_library *lib, int64_t recording_id, const vrp_waveform_options *options,
		      const char *path)
{
	struct save_request request = { lib, recording_id, options };
	return vrp_fs_replace_file(path, save_request, &request);
}
