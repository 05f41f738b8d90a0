-- 005: recording ids are never reused. Without AUTOINCREMENT, purging the
-- newest recording handed its id to the next import, and `vrp audit
-- --recording N` mixed two recordings. SQLite cannot add AUTOINCREMENT in
-- place, so the table is rebuilt (the runner turns foreign keys off around
-- a migration, so dropping the old table cascades nothing, and checks them
-- afterwards): same columns, rows, ids, indexes and search triggers.

CREATE TABLE recordings_new (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                   TEXT    NOT NULL UNIQUE CHECK (length(uuid) = 36),
    -- The name the file had when it came in, byte for byte (filenames need not be UTF-8).
    original_filename      BLOB    NOT NULL,
    stored_filename        TEXT    NOT NULL UNIQUE,
    local_path             TEXT    NOT NULL UNIQUE,
    title                  TEXT    NOT NULL DEFAULT '',
    description            TEXT    NOT NULL DEFAULT '',
    duration               REAL    NOT NULL DEFAULT 0 CHECK (duration >= 0),
    filesize_bytes         INTEGER NOT NULL CHECK (filesize_bytes >= 0),
    mime_type              TEXT    NOT NULL,
    codec                  TEXT,
    sample_rate            INTEGER CHECK (sample_rate IS NULL OR sample_rate > 0),
    channels               INTEGER CHECK (channels IS NULL OR channels > 0),
    bit_depth              INTEGER CHECK (bit_depth IS NULL OR bit_depth > 0),
    checksum               TEXT    NOT NULL CHECK (length(checksum) = 64),
    status                 TEXT    NOT NULL DEFAULT 'active'
                                   CHECK (status IN ('active', 'archived', 'deleted')),
    deleted_at             TEXT,
    retention_policy       TEXT,
    ingest_source          TEXT    NOT NULL DEFAULT 'local',
    created_by_app_version TEXT,
    created_at             TEXT    NOT NULL,
    modified_at            TEXT    NOT NULL,
    integrity              TEXT    NOT NULL DEFAULT 'unverified'
                                   CHECK (integrity IN ('unverified', 'ok', 'missing', 'corrupt')),
    verified_at            TEXT,
    CHECK ((status = 'deleted') = (deleted_at IS NOT NULL))
);

INSERT INTO recordings_new (
    id, uuid, original_filename, stored_filename, local_path, title, description,
    duration, filesize_bytes, mime_type, codec, sample_rate, channels, bit_depth,
    checksum, status, deleted_at, retention_policy, ingest_source,
    created_by_app_version, created_at, modified_at, integrity, verified_at)
SELECT
    id, uuid, original_filename, stored_filename, local_path, title, description,
    duration, filesize_bytes, mime_type, codec, sample_rate, channels, bit_depth,
    checksum, status, deleted_at, retention_policy, ingest_source,
    created_by_app_version, created_at, modified_at, integrity, verified_at
FROM recordings;

DROP TABLE recordings;
ALTER TABLE recordings_new RENAME TO recordings;

CREATE UNIQUE INDEX recordings_checksum ON recordings (checksum);
CREATE INDEX recordings_created_at ON recordings (created_at);
CREATE INDEX recordings_title ON recordings (title COLLATE NOCASE);
CREATE INDEX recordings_integrity ON recordings (integrity) WHERE integrity <> 'ok';
CREATE INDEX recordings_duration ON recordings (duration);
CREATE INDEX recordings_filesize ON recordings (filesize_bytes);

CREATE TRIGGER recordings_fts_insert AFTER INSERT ON recordings BEGIN
    INSERT INTO recordings_fts (rowid, title, description, tags)
    VALUES (new.id, new.title, new.description, '');
END;

CREATE TRIGGER recordings_fts_update AFTER UPDATE OF title, description ON recordings BEGIN
    UPDATE recordings_fts SET title = new.title, description = new.description
    WHERE rowid = new.id;
END;

CREATE TRIGGER recordings_fts_delete AFTER DELETE ON recordings BEGIN
    DELETE FROM recordings_fts WHERE rowid = old.id;
END;

-- Ids already purged before this migration are known only to the audit log
-- and the sync queue: start above every id they name, too.
DELETE FROM sqlite_sequence WHERE name = 'recordings';
INSERT INTO sqlite_sequence (name, seq) SELECT 'recordings', max(
    (SELECT coalesce(max(id), 0) FROM recordings),
    (SELECT coalesce(max(recording_id), 0) FROM audit_log),
    (SELECT coalesce(max(recording_id), 0) FROM sync_tasks));
