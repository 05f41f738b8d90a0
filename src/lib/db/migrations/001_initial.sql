-- 001: the initial schema: recordings, tags and search, remotes and their
-- per-recording state, the sync queue, and the audit log.
--
-- Timestamps are UTC text, 'YYYY-MM-DDTHH:MM:SS.sssZ', so they sort in time order.

CREATE TABLE recordings (
    id                     INTEGER PRIMARY KEY,
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
    CHECK ((status = 'deleted') = (deleted_at IS NOT NULL))
);
-- One row per content: the same audio imported twice is a duplicate, not a copy.
CREATE UNIQUE INDEX recordings_checksum ON recordings (checksum);
CREATE INDEX recordings_created_at ON recordings (created_at);
-- NOCASE: listings sort titles the way people read them.
CREATE INDEX recordings_title ON recordings (title COLLATE NOCASE);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0)
);

CREATE TABLE recording_tags (
    recording_id INTEGER NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    tag_id       INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (recording_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX recording_tags_tag ON recording_tags (tag_id, recording_id);

-- Full-text index: rowid is the recording id; triggers keep it in step.
CREATE VIRTUAL TABLE recordings_fts USING fts5 (
    title, description, tags,
    tokenize = 'unicode61 remove_diacritics 2'
);

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

CREATE TRIGGER recording_tags_fts_insert AFTER INSERT ON recording_tags BEGIN
    UPDATE recordings_fts SET tags = (
        SELECT coalesce(group_concat(t.name, ' '), '')
        FROM recording_tags rt JOIN tags t ON t.id = rt.tag_id
        WHERE rt.recording_id = new.recording_id)
    WHERE rowid = new.recording_id;
END;

CREATE TRIGGER recording_tags_fts_delete AFTER DELETE ON recording_tags BEGIN
    UPDATE recordings_fts SET tags = (
        SELECT coalesce(group_concat(t.name, ' '), '')
        FROM recording_tags rt JOIN tags t ON t.id = rt.tag_id
        WHERE rt.recording_id = old.recording_id)
    WHERE rowid = old.recording_id;
END;

CREATE TRIGGER tags_fts_rename AFTER UPDATE OF name ON tags BEGIN
    UPDATE recordings_fts SET tags = (
        SELECT coalesce(group_concat(t.name, ' '), '')
        FROM recording_tags rt JOIN tags t ON t.id = rt.tag_id
        WHERE rt.recording_id = recordings_fts.rowid)
    WHERE rowid IN (SELECT recording_id FROM recording_tags WHERE tag_id = new.id);
END;

-- Configured provider instances; their settings live in the config file.
CREATE TABLE remotes (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
    provider_key TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    modified_at  TEXT NOT NULL
);

-- What one recording is on one remote.
CREATE TABLE recording_remote (
    id              INTEGER PRIMARY KEY,
    recording_id    INTEGER NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    remote          TEXT    NOT NULL REFERENCES remotes (name)
                                     ON UPDATE CASCADE ON DELETE CASCADE,
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
    UNIQUE (recording_id, remote)
);
CREATE INDEX recording_remote_status ON recording_remote (remote, sync_status);

-- The durable sync queue.
CREATE TABLE sync_tasks (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT    NOT NULL UNIQUE CHECK (length(uuid) = 36),
    op              TEXT    NOT NULL CHECK (op IN ('upload', 'download', 'delete', 'verify')),
    -- NULL once the recording is purged: a remote delete must outlive its row.
    recording_id    INTEGER REFERENCES recordings (id) ON DELETE SET NULL,
    remote          TEXT    NOT NULL REFERENCES remotes (name)
                                     ON UPDATE CASCADE ON DELETE CASCADE,
    state           TEXT    NOT NULL DEFAULT 'queued'
                            CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    priority        INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    lease_until     TEXT,
    lease_owner     TEXT,
    idempotency_key TEXT    NOT NULL,
    remote_id       TEXT,
    remote_path     TEXT,
    resume_state    TEXT CHECK (resume_state IS NULL OR json_valid(resume_state)),
    correlation_id  TEXT,
    error_code      TEXT,
    error_message   TEXT,
    created_at      TEXT    NOT NULL,
    modified_at     TEXT    NOT NULL,
    finished_at     TEXT
);
-- At most one live task per operation, remote and content: enqueueing twice is a no-op.
CREATE UNIQUE INDEX sync_tasks_live ON sync_tasks (op, remote, idempotency_key)
    WHERE state IN ('queued', 'running');
CREATE INDEX sync_tasks_due ON sync_tasks (state, next_attempt_at);
CREATE INDEX sync_tasks_recording ON sync_tasks (recording_id);

-- Append-only record of security-relevant operations; no foreign key, so an
-- entry outlives the recording it names.
CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    at             TEXT    NOT NULL,
    operation      TEXT    NOT NULL,
    recording_id   INTEGER,
    remote         TEXT,
    success        INTEGER NOT NULL CHECK (success IN (0, 1)),
    actor          TEXT,
    correlation_id TEXT,
    meta           TEXT CHECK (meta IS NULL OR json_valid(meta))
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_recording ON audit_log (recording_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
