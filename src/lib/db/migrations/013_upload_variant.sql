-- 013: a recording may have two objects on a remote, its original and its
-- Opus copy (the remote setting upload=compressed|both), so recording_remote
-- is keyed by (recording, remote, variant). SQLite cannot change a UNIQUE
-- constraint in place: the table is rebuilt (the runner turns foreign keys
-- off around a migration and checks them afterwards), and the triggers that
-- name it are made again, now matching the variant. content_sha256 and
-- content_size are the bytes a compressed object holds (NULL for an
-- original, whose bytes are the recording's), what `sync check` compares.
-- derived_assets.sha256 is the asset file's own digest, so a sync can tell
-- a remote compressed copy from a newer local one without reading files.

DROP TRIGGER sync_tasks_attempts_insert;
DROP TRIGGER sync_tasks_attempts_update;
DROP TRIGGER recording_remote_synced_settles_failed_uploads;

CREATE TABLE recording_remote_new (
    id              INTEGER PRIMARY KEY,
    recording_id    INTEGER NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    remote          TEXT    NOT NULL REFERENCES remotes (name)
                                     ON UPDATE CASCADE ON DELETE CASCADE,
    variant         TEXT    NOT NULL DEFAULT 'original'
                            CHECK (variant IN ('original', 'compressed')),
    provider_key    TEXT    NOT NULL,
    remote_id       TEXT,
    remote_path     TEXT,
    remote_etag     TEXT,
    remote_checksum TEXT,
    sync_status     TEXT    NOT NULL DEFAULT 'unsynced'
                            CHECK (sync_status IN ('unsynced', 'queued', 'syncing', 'synced',
                                                   'failed', 'quota_exceeded', 'conflict')),
    last_synced_at  TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    error_code      TEXT,
    error_message   TEXT,
    failed_at       TEXT,
    created_at      TEXT    NOT NULL,
    modified_at     TEXT    NOT NULL,
    verification    TEXT,
    verified_at     TEXT,
    verify_method   TEXT
        CHECK (verify_method IS NULL OR verify_method IN ('provider-hash', 'download', 'size')),
    content_sha256  TEXT CHECK (content_sha256 IS NULL OR length(content_sha256) = 64),
    content_size    INTEGER CHECK (content_size IS NULL OR content_size >= 0),
    UNIQUE (recording_id, remote, variant)
);

INSERT INTO recording_remote_new (
    id, recording_id, remote, provider_key, remote_id, remote_path, remote_etag,
    remote_checksum, sync_status, last_synced_at, attempts, error_code, error_message,
    failed_at, created_at, modified_at, verification, verified_at, verify_method)
SELECT
    id, recording_id, remote, provider_key, remote_id, remote_path, remote_etag,
    remote_checksum, sync_status, last_synced_at, attempts, error_code, error_message,
    failed_at, created_at, modified_at, verification, verified_at, verify_method
FROM recording_remote;

DROP TABLE recording_remote;
ALTER TABLE recording_remote_new RENAME TO recording_remote;
CREATE INDEX recording_remote_status ON recording_remote (remote, sync_status);

ALTER TABLE sync_tasks ADD COLUMN variant TEXT NOT NULL DEFAULT 'original'
    CHECK (variant IN ('original', 'compressed'));

ALTER TABLE derived_assets ADD COLUMN sha256 TEXT
    CHECK (sha256 IS NULL OR length(sha256) = 64);

CREATE TRIGGER sync_tasks_attempts_insert AFTER INSERT ON sync_tasks
WHEN NEW.op = 'upload' AND NEW.recording_id IS NOT NULL BEGIN
    UPDATE recording_remote SET attempts = NEW.attempts
    WHERE recording_id = NEW.recording_id AND remote = NEW.remote
      AND variant = NEW.variant;
END;
CREATE TRIGGER sync_tasks_attempts_update AFTER UPDATE OF attempts ON sync_tasks
WHEN NEW.op = 'upload' AND NEW.recording_id IS NOT NULL BEGIN
    UPDATE recording_remote SET attempts = NEW.attempts
    WHERE recording_id = NEW.recording_id AND remote = NEW.remote
      AND variant = NEW.variant;
END;

CREATE TRIGGER recording_remote_synced_settles_failed_uploads
AFTER UPDATE OF sync_status ON recording_remote
WHEN NEW.sync_status = 'synced' BEGIN
    UPDATE sync_tasks SET state = 'done', error_code = NULL, error_message = NULL,
        modified_at = NEW.modified_at
    WHERE op = 'upload' AND state = 'failed' AND recording_id = NEW.recording_id
      AND remote = NEW.remote AND variant = NEW.variant;
END;

-- The change log's triggers on this table (011) went with the old one.
CREATE TRIGGER change_log_remote_insert AFTER INSERT ON recording_remote BEGIN
    INSERT INTO change_log (recording_id, action) VALUES (new.recording_id, 'updated');
END;

CREATE TRIGGER change_log_remote_update AFTER UPDATE OF sync_status ON recording_remote
WHEN new.sync_status IS NOT old.sync_status BEGIN
    INSERT INTO change_log (recording_id, action) VALUES (new.recording_id, 'updated');
END;
