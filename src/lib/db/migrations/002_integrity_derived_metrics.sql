-- 002: integrity state of each file (for `vrp verify`), derived assets, and
-- local metrics counters. Additive: existing rows keep their data.

ALTER TABLE recordings ADD COLUMN integrity TEXT NOT NULL DEFAULT 'unverified'
    CHECK (integrity IN ('unverified', 'ok', 'missing', 'corrupt'));
ALTER TABLE recordings ADD COLUMN verified_at TEXT;
CREATE INDEX recordings_integrity ON recordings (integrity) WHERE integrity <> 'ok';
CREATE INDEX recordings_duration ON recordings (duration);
CREATE INDEX recordings_filesize ON recordings (filesize_bytes);

-- Artifacts made from a recording; stale when the source checksum or the
-- generator version no longer matches.
CREATE TABLE derived_assets (
    id                INTEGER PRIMARY KEY,
    recording_id      INTEGER NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    kind              TEXT    NOT NULL
                              CHECK (kind IN ('waveform', 'spectrogram', 'transcript',
                                              'compressed')),
    path              TEXT    NOT NULL UNIQUE,
    mime_type         TEXT,
    size_bytes        INTEGER NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
    generator         TEXT    NOT NULL,
    generator_version TEXT    NOT NULL,
    source_checksum   TEXT    NOT NULL CHECK (length(source_checksum) = 64),
    created_at        TEXT    NOT NULL,
    UNIQUE (recording_id, kind)
);

CREATE TABLE metrics (
    name       TEXT PRIMARY KEY,
    value      INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT    NOT NULL
) WITHOUT ROWID;
