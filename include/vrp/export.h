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
	vrp_export_fn on_each;
	void *ctx;
} vrp_export_options;

/*
 * Exports into `dir` (created if missing). Names are the original file names
 * made safe ("/" and control bytes replaced); a name already taken, in the
 * directory or by an earlier recording, becomes "name (2).ext", "name (3).ext"...
 * Each copy is checked against the stored checksum and fsynced; a recording
 * whose file is missing or damaged is reported and left out. metadata.json
 * is written last, atomically. The export is written to the audit log.
 * `*exported` (may be NULL) receives how many files were written.
 */
int vrp_export(vrp_library *lib, const char *dir, const vrp_export_options *options,
	       int64_t *exported);

#ifdef __cplusplus
}
#endif

#endif
