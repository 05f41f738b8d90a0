/*
 * derive.h - making a recording's derived assets and keeping them fresh.
 *
 * An asset is fresh when the file its row names exists and the row's source
 * checksum and generator version are the recording's checksum and the
 * current generator's version; otherwise it is stale and vrp_derive() makes
 * it again. Every asset is written to a temporary file, fsynced and renamed
 * into derived/<kind>/<uuid>.<ext> before its row commits, so a crash
 * leaves no half-written file under an asset's name and no row without its
 * file.
 */
#ifndef VRP_DERIVE_H
#define VRP_DERIVE_H

#include "vrp/derived_asset.h"
#include "vrp/library.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The bit of `kind` in a set of kinds. */
#define VRP_DERIVE_KIND(kind) (1u << (unsigned)(kind))

/*
 * Makes the assets of `kinds` (a set of VRP_DERIVE_KIND bits) for recording
 * `recording_id` that are missing or stale (all of them with `force`),
 * decoding its audio once for all of them. `*made` (may be NULL) receives
 * the set actually made. Returns 0, or: VRP_ENOTFOUND (no such recording,
 * or its file is missing), VRP_ECORRUPT_MEDIA (its audio no longer
 * decodes), VRP_ENOTSUP (a kind no generator makes yet), VRP_EINVAL (an
 * empty set), or an I/O or database code. On failure no row is written for
 * the assets the call was making; assets finished before it stay.
 */
int vrp_derive(vrp_library *lib, int64_t recording_id, unsigned kinds, bool force, unsigned *made);

/* What vrp_derive_with() may ask of the generators; NULL members mean defaults. */
struct vrp_derive_options {
	const char *language; /* a transcript's language ("en-us", the default) */
	/* Where a transcript keeps its finished utterances while it is made (see
	 * vrp_transcribe()), and whose they are; NULL for none. */
	const char *journal;
	const char *journal_key;
};

/* vrp_derive() with options for the generators (NULL: the defaults). */
int vrp_derive_with(vrp_library *lib, int64_t recording_id, unsigned kinds, bool force,
		    const struct vrp_derive_options *options, unsigned *made);

/* The set of kinds a generator exists for. */
unsigned vrp_derive_kinds_supported(void);

/* The kinds made when none are named: all but those made only on request
 * (a transcript decodes at a third of real time). */
unsigned vrp_derive_kinds_default(void);

/*
 * Whether `asset` of a recording whose checksum is `recording_checksum`
 * must be made again: the checksum or the generator (name or version)
 * differs from the current one, or the kind has no generator any more.
 * The file's presence is not checked here (vrp_derive() checks it).
 */
bool vrp_derived_asset_is_stale(const vrp_derived_asset *asset, const char *recording_checksum);

/* Every asset of a recording, in kind order. Caller frees `*out` with
 * vrp_derived_asset_list_free(). */
int vrp_derived_assets_list(vrp_library *lib, int64_t recording_id, vrp_derived_asset_list **out);

#ifdef __cplusplus
}
#endif

#endif
