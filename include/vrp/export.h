/*
 * export.h - a user's data export: every recording's file under its original
 * name, and a metadata.json describing all of them (the data model's fields
 * plus "exported_as"). Meant for GDPR requests and for leaving vrp.
 */
#ifndef VRP_EXPORT_H
#define VRP_EXPORT_H

#include "vrp/library.h"
#include "vrp/recording.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* After each recording: `exported_as` is the file name used in the export
 * directory, or NULL with `error` set when it could not be exported. */
typedef void (*vrp_export_fn)(void *ctx, const vrp_recording *rec, const char *exported_as,
			      int error, const char *message);

typedef struct vrp_export_options {
	bool include_deleted; /* also export soft-deleted recordings */
	bool no_assets;       /* leave the derived assets out */
	vrp_export_fn on_each;
	void *ctx;
} vrp_export_options;

typedef struct vrp_export_summary {
	int64_t exported; /* recordings in the export: written now, or already there */
	int64_t kept;     /* of those, files already in `dir` with the right sha256 */
	int64_t left_out; /* recordings whose file is missing or damaged (see on_each) */
	int64_t assets;   /* derived asset files in the export */
} vrp_export_summary;

/*
 * Exports into `dir` (created if missing). Names are the original file names
 * made safe ("/" and control bytes replaced); a name taken by another file,
 * in the directory or by an earlier recording, becomes "name (2).ext",
 * "name (3).ext"... Each file is written under a temporary name in `dir`,
 * checked against the stored checksum, fsynced and renamed, so a killed
 * export never leaves a partial file under a real name. Exporting again into
 * the same directory resumes it: a file already there with the recording's
 * sha256 is kept (not copied again, no "name (2)"), one holding only the
 * start of the recording is replaced, and temporary files of a killed run
 * are removed. The directory is locked: a second export into it at the same
 * time is VRP_EBUSY. A recording whose file is missing or damaged is
 * reported through on_each, counted in `left_out` and left out; it does not
 * fail the export. metadata.json is written last, atomically. The export is
 * written to the audit log. `summary` may be NULL. Unless `no_assets`,
 * each recording's derived assets are copied the same way to
 * derived/<exported name>.<kind>.<ext> and listed in its metadata entry as
 * "derived" (the fields of `vrp show --json`, plus "exported_as"); an
 * asset whose file is missing or damaged is left out with a warning.
 */
int vrp_export(vrp_library *lib, const char *dir, const vrp_export_options *options,
	       vrp_export_summary *summary);

#ifdef __cplusplus
}
#endif

#endif
