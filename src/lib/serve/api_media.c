/*
 * api_media.c - a recording's audio (the original or the compressed copy),
 * waveform peaks and spectrogram.
 *
 * Audio is served from the file itself (libmicrohttpd sends it with
 * sendfile), with byte ranges so a player can seek and a download can
 * resume, and an ETag from the content's checksum, which never changes for
 * a recording. Waveforms and spectrograms are written by their services
 * into an anonymous memory file and sent from there the same way.
 */
#include "serve/serve_internal.h"
#include "vrp/offload.h"

#include "core/error_set.h"
#include "vrp/derive.h"
#include "vrp/recordings.h"
#include "vrp/spectrogram.h"
#include "vrp/waveform.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Digits at `*p` as a number, `*p` moved past them; false when there are
 * none or they overflow. strtoull would also take spaces, a sign and a
 * wrapped negative number ("0--5"), which no range is spelled with.
 */
static bool read_digits(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (s == *p)
		return false;
	*p = s;
	*out = v;
	return true;
}

int serve_parse_range(const char *header, uint64_t size, uint64_t *first, uint64_t *last)
{
	if (!header || strncmp(header, "bytes=", 6) != 0)
		return 0;
	const char *p = header + 6;
	uint64_t a = 0, b = 0;
	if (*p == '-') {
		p++;
		if (!read_digits(&p, &b) || *p)
			return 0;
		if (b == 0 || size == 0)
			return -1;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return 1;
	}
	if (!read_digits(&p, &a) || *p++ != '-')
		return 0;
	b = size ? size - 1 : 0;
	if (*p && (!read_digits(&p, &b) || *p || b < a))
		return 0;
	if (a >= size)
		return -1;
	*first = a;
	*last = b >= size ? size - 1 : b;
	return 1;
}

/* Sends `fd` (taken: closed with the response) with Range and ETag handling. */
static enum MHD_Result send_file(struct serve_request *req, int fd, const char *content_type,
				 const char *etag)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int rc = vrp_error_from_errno(errno, "cannot stat the file");
		close(fd);
		return serve_send_vrp_error(req->connection, rc);
	}
	uint64_t size = (uint64_t)st.st_size;
	struct MHD_Connection *c = req->connection;
	const char *inm = vrp_mhd->lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
	if (etag && inm && !strcmp(inm, etag)) {
		close(fd);
		struct MHD_Response *r =
			vrp_mhd->create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		vrp_mhd->add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
		vrp_mhd->add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "private, no-cache");
		return serve_send(c, MHD_HTTP_NOT_MODIFIED, r);
	}
	const char *range = vrp_mhd->lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
	const char *if_range = vrp_mhd->lookup_connection_value(c, MHD_HEADER_KIND, "If-Range");
	if (if_range && (!etag || strcmp(if_range, etag) != 0))
		range = NULL; /* the client's copy is another version: send it all */
	uint64_t first = 0, last = size ? size - 1 : 0;
	int ranged = serve_parse_range(range, size, &first, &last);
	char text[96];
	if (ranged < 0) {
		close(fd);
		struct MHD_Response *r =
			vrp_mhd->create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		snprintf(text, sizeof(text), "bytes */%" PRIu64, size);
		vrp_mhd->add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, text);
		return serve_send(c, MHD_HTTP_RANGE_NOT_SATISFIABLE, r);
	}
	uint64_t length = size ? last - first + 1 : 0;
	struct MHD_Response *r =
		vrp_mhd->create_response_from_fd_at_offset64(length, fd, (uint64_t)first);
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	vrp_mhd->add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	vrp_mhd->add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	/* Revalidated, not stored blindly: the ETag makes that cheap. */
	vrp_mhd->add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "private, no-cache");
	if (etag)
		vrp_mhd->add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	if (ranged > 0) {
		snprintf(text, sizeof(text), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, first, last,
			 size);
		vrp_mhd->add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, text);
	}
	return serve_send(c, ranged > 0 ? MHD_HTTP_PARTIAL_CONTENT : MHD_HTTP_OK, r);
}

/* The fresh compressed copy of `rec`, made first when missing or stale; caller frees. */
static int compressed_asset(struct serve_request *req, vrp_library *lib, const vrp_recording *rec,
			    vrp_derived_asset **out)
{
	*out = NULL;
	for (int pass = 0; pass < 2; pass++) {
		vrp_derived_asset_list *assets = NULL;
		int rc = vrp_derived_assets_list(lib, rec->id, &assets);
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < assets->count && !*out; i++) {
			vrp_derived_asset *a = assets->items[i];
			if (a->kind == VRP_DERIVED_COMPRESSED &&
			    !vrp_derived_asset_is_stale_in(lib, a, rec->checksum)) {
				*out = a;
				assets->items[i] = assets->items[--assets->count];
			}
		}
		vrp_derived_asset_list_free(assets);
		if (*out || pass)
			break;
		serve_events_publish(req->server->events, "derive",
				     json_pack("{s:I, s:s, s:s}", "id", (json_int_t)rec->id, "kind",
					       "compressed", "state", "started"));
		unsigned made = 0;
		rc = vrp_derive(lib, rec->id, VRP_DERIVE_KIND(VRP_DERIVED_COMPRESSED), false,
				&made);
		serve_events_publish(req->server->events, "derive",
				     json_pack("{s:I, s:s, s:s}", "id", (json_int_t)rec->id, "kind",
					       "compressed", "state", rc == 0 ? "done" : "failed"));
		if (rc < 0)
			return rc;
	}
	return *out ? 0 : vrp_error_set(VRP_ENOTFOUND, "no compressed copy could be made");
}

enum MHD_Result serve_api_audio(struct serve_request *req)
{
	const char *format = serve_query(req, "format");
	if (format && strcmp(format, "opus") != 0 && strcmp(format, "original") != 0)
		return serve_send_error(req->connection, MHD_HTTP_BAD_REQUEST,
					"ERR_INVALID_ARGUMENT",
					"format: 'original' (the default) or 'opus'");
	bool opus = format && !strcmp(format, "opus");
	vrp_library *lib = NULL;
	vrp_recording *rec = NULL;
	vrp_derived_asset *asset = NULL;
	char *path = NULL;
	char etag[160] = "";
	int fd = -1;
	int rc = serve_pool_acquire(req->server->pool, &lib);
	if (rc == 0)
		rc = vrp_recordings_find(lib, req->id, &rec);
	if (rc == 0 && opus)
		rc = compressed_asset(req, lib, rec, &asset);
	if (rc == 0 && !(opus && asset))
		rc = vrp_recording_audio_path(lib, rec->id, &path); /* fetched when offloaded */
	else if (rc == 0 && !(path = vrp_library_path(lib, asset->path)))
		rc = vrp_error_oom();
	if (rc == 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		rc = errno == ENOENT ? vrp_error_set(VRP_ENOTFOUND,
						     "the audio file of recording %s is missing "
						     "(`vrp verify`)",
						     req->id)
				     : vrp_error_from_errno(errno, "cannot open the audio file");
	if (rc == 0) {
		if (opus && asset)
			snprintf(etag, sizeof(etag), "\"%.64s-%.40s\"", asset->source_checksum,
				 asset->generator_version);
		else
			snprintf(etag, sizeof(etag), "\"%.64s\"", rec->checksum);
	}
	char type[96];
	snprintf(type, sizeof(type), "%s",
		 opus ? (asset && asset->mime_type ? asset->mime_type : "audio/ogg")
		      : (rec && rec->mime_type ? rec->mime_type : "application/octet-stream"));
	serve_pool_release(req->server->pool, lib);
	vrp_recording_free(rec);
	vrp_derived_asset_free(asset);
	free(path);
	if (rc < 0)
		return serve_send_vrp_error(req->connection, rc);
	return send_file(req, fd, type, etag);
}

static int int_param(struct serve_request *req, const char *name, int *out)
{
	const char *v = serve_query(req, name);
	if (!v)
		return 0;
	char *end;
	long n = strtol(v, &end, 10);
	if (end == v || *end || n < 0 || n > 1 << 24)
		return vrp_error_set(VRP_EINVAL, "%s: '%s' is not a whole number", name, v);
	*out = (int)n;
	return 0;
}

/* The recording id of the path (numeric or uuid) with a connection to use. */
static int recording_id(struct serve_request *req, vrp_library **lib, int64_t *id)
{
	vrp_recording *rec = NULL;
	int rc = serve_pool_acquire(req->server->pool, lib);
	if (rc == 0 && (rc = vrp_recordings_find(*lib, req->id, &rec)) == 0)
		*id = rec->id;
	vrp_recording_free(rec);
	return rc;
}

static int memory_file(const char *name, int *fd)
{
	*fd = memfd_create(name, MFD_CLOEXEC);
	return *fd < 0 ? vrp_error_from_errno(errno, "cannot make a memory file") : 0;
}

enum MHD_Result serve_api_waveform(struct serve_request *req)
{
	vrp_waveform_options options = { 0 };
	int rc;
	if ((rc = int_param(req, "pixels_per_second", &options.pixels_per_second)) ||
	    (rc = int_param(req, "samples_per_pixel", &options.samples_per_pixel)) ||
	    (rc = int_param(req, "width", &options.width)) ||
	    (rc = int_param(req, "bits", &options.bits)))
		return serve_send_vrp_error(req->connection, rc);
	const char *channels = serve_query(req, "channels");
	if (channels && !strcmp(channels, "all"))
		options.channels = VRP_WAVEFORM_CHANNELS_ALL;
	else if (channels && strcmp(channels, "mixed") != 0)
		return serve_send_error(req->connection, MHD_HTTP_BAD_REQUEST,
					"ERR_INVALID_ARGUMENT", "channels: 'mixed' or 'all'");
	options.format = VRP_WAVEFORM_FORMAT_JSON;
	vrp_library *lib = NULL;
	int64_t id = 0;
	int fd = -1;
	if ((rc = recording_id(req, &lib, &id)) == 0 && (rc = memory_file("waveform", &fd)) == 0)
		rc = vrp_waveform_write(lib, id, &options, fd);
	serve_pool_release(req->server->pool, lib);
	if (rc < 0) {
		if (fd >= 0)
			close(fd);
		return serve_send_vrp_error(req->connection, rc);
	}
	return send_file(req, fd, "application/json", NULL);
}

enum MHD_Result serve_api_spectrogram(struct serve_request *req)
{
	vrp_spectrogram_options options;
	vrp_spectrogram_options_default(&options);
	int rc;
	if ((rc = int_param(req, "width", &options.width)) ||
	    (rc = int_param(req, "height", &options.height)))
		return serve_send_vrp_error(req->connection, rc);
	const char *scale = serve_query(req, "scale");
	if (scale && (rc = vrp_spectrogram_scale_from_string(scale, &options.scale)) < 0)
		return serve_send_vrp_error(req->connection, rc);
	vrp_library *lib = NULL;
	int64_t id = 0;
	int fd = -1;
	if ((rc = recording_id(req, &lib, &id)) == 0 && (rc = memory_file("spectrogram", &fd)) == 0)
		rc = vrp_spectrogram_write(lib, id, &options, fd);
	serve_pool_release(req->server->pool, lib);
	if (rc < 0) {
		if (fd >= 0)
			close(fd);
		return serve_send_vrp_error(req->connection, rc);
	}
	return send_file(req, fd, "image/png", NULL);
}
