/*
 * derived_asset.h - artifacts made from a recording: a waveform, a
 * spectrogram, a transcript, a compressed copy.
 *
 * A recording has at most one asset of each kind. An asset remembers the
 * checksum of the audio it was made from and the version of the generator
 * that made it; when either no longer matches it is stale and is made again.
 */
#ifndef VRP_DERIVED_ASSET_H
#define VRP_DERIVED_ASSET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What an asset is; stored as the text vrp_derived_kind_to_string() gives. */
enum vrp_derived_kind {
	VRP_DERIVED_WAVEFORM,
	VRP_DERIVED_SPECTROGRAM,
	VRP_DERIVED_TRANSCRIPT,
	VRP_DERIVED_COMPRESSED,
};

/* "waveform", "spectrogram", "transcript", "compressed"; NULL for a value outside the enum. */
const char *vrp_derived_kind_to_string(enum vrp_derived_kind kind);

/* Parses the text form (exact, lower-case) into `*out`; VRP_EINVAL for anything else. */
int vrp_derived_kind_from_string(const char *text, enum vrp_derived_kind *out);

/*
 * One derived asset. Allocated by the library only (fields may be appended);
 * the strings belong to the struct. Free with vrp_derived_asset_free().
 */
typedef struct vrp_derived_asset {
	int64_t id;
	int64_t recording_id;
	enum vrp_derived_kind kind;
	char *path;      /* relative to the library root, like recordings' local_path */
	char *mime_type; /* NULL when unknown */
	int64_t size_bytes;
	char *generator;         /* the program or module that made it, e.g. "vrp-waveform" */
	char *generator_version; /* compared as text: any difference means stale */
	char *source_checksum;   /* sha256 hex of the recording's audio it was made from */
	char *created_at;        /* when this version of the asset was recorded (UTC ISO-8601) */
	char *sha256; /* the file's own sha256 hex; NULL for assets made before vrp kept it */
} vrp_derived_asset;

/* Frees an asset and its strings; NULL is a no-op. */
void vrp_derived_asset_free(vrp_derived_asset *asset);

/* A list of assets, allocated by the library. */
typedef struct vrp_derived_asset_list {
	vrp_derived_asset **items;
	size_t count;
} vrp_derived_asset_list;

/* Frees the list and every asset in it; NULL is a no-op. */
void vrp_derived_asset_list_free(vrp_derived_asset_list *list);

#ifdef __cplusplus
}
#endif

#endif
