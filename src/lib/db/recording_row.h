/*
 * recording_row.h - reading recordings rows, shared by the recording
 * repository's files (internal).
 */
#ifndef VRP_DB_RECORDING_ROW_H
#define VRP_DB_RECORDING_ROW_H

#include "db/db_internal.h"
#include "vrp/recording.h"

#include <stddef.h>

/* The select list vrp_recording_from_row() reads, for a `recordings r`. */
#define VRP_RECORDING_COLUMNS                                                                      \
	"r.id, r.uuid, r.original_filename, r.stored_filename, r.local_path, r.title, "            \
	"r.description, r.duration, r.filesize_bytes, r.mime_type, r.codec, r.sample_rate, "       \
	"r.channels, r.bit_depth, r.checksum, r.status, r.deleted_at, r.retention_policy, "        \
	"r.ingest_source, r.created_by_app_version, r.created_at, r.modified_at, r.integrity, "    \
	"r.verified_at, r.recorded_at, r.recorded_at_source, r.offloaded_at"

/* A new record from the current row of a statement selecting VRP_RECORDING_COLUMNS first. */
int vrp_recording_from_row(sqlite3_stmt *stmt, vrp_recording **out);

/* Fills the tags of `count` records with one query. */
int vrp_recording_load_tags(vrp_db *db, vrp_recording **items, size_t count);

/* Steps `stmt` to the end, appending a record per row to `list` (tags not loaded). */
int vrp_recording_collect_rows(vrp_db *db, sqlite3_stmt *stmt, vrp_recording_list *list);

#endif
