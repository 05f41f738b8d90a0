-- 014: the files a purge still has to remove. A purge names them here in
-- the transaction that deletes the recording's row, removes them after the
-- commit, then forgets them; a purge killed in between leaves the names,
-- and the next start of vrp removes what is left, so a purged recording
-- never leaves its audio (or its assets) behind. Paths are relative to the
-- library root; every one holds the purged recording's uuid, which nothing
-- reuses, so removing it late can never take another recording's file.
CREATE TABLE purge_pending_files (
    path      TEXT PRIMARY KEY CHECK (length(path) > 0),
    queued_at TEXT NOT NULL
) WITHOUT ROWID;
