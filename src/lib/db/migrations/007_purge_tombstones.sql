-- 007: the content of purged recordings, by sha256, so that `sync pull`
-- never brings a purged recording back from a remote copy (one a delete is
-- still queued for, one an upload in flight wrote after the purge, or one a
-- 'keep' delete_policy leaves there). Only pull consults it: `vrp import`
-- of the same content is a deliberate choice and always works.
CREATE TABLE purge_tombstones (
    checksum  TEXT PRIMARY KEY CHECK (length(checksum) = 64),
    purged_at TEXT NOT NULL
) WITHOUT ROWID;
