-- 012: proof that each remote copy is whole, and recordings whose local audio
-- was let go (offloaded) because enough proven copies exist.
--
-- recording_remote.verification (004) says how the upload was checked at
-- sync time; verified_at and verify_method say when `vrp verify --remote`
-- last proved the copy and how strongly: 'provider-hash' (the remote's own
-- sha256 / QuickXorHash / sha256sum over exec), 'download' (streamed and
-- hashed here) or 'size' (weaker: only the length). A new upload or a copy
-- found missing or damaged clears both, so a proof always names the object
-- that is there now.
ALTER TABLE recording_remote ADD COLUMN verified_at TEXT;
ALTER TABLE recording_remote ADD COLUMN verify_method TEXT
    CHECK (verify_method IS NULL OR verify_method IN ('provider-hash', 'download', 'size'));

-- Set when the local file was removed by `vrp offload`; NULL while the audio
-- is in the library. Orthogonal to status: an archived recording can be
-- offloaded too. The row change commits before the unlink, so a crash
-- leaves a file the row no longer needs, never a row without a copy.
ALTER TABLE recordings ADD COLUMN offloaded_at TEXT;
CREATE INDEX recordings_offloaded ON recordings (offloaded_at) WHERE offloaded_at IS NOT NULL;

-- Where an incremental verification stopped: scope 'local' or
-- 'remote:<name>', and the last recording id it finished. A pass that
-- reaches the end resets the cursor to 0 so the next one starts over.
-- last_run_at: when a scheduled pass (verify.local_interval,
-- verify.remote_interval) last started, so `vrp worker` knows when one is due.
CREATE TABLE verify_progress (
    scope       TEXT PRIMARY KEY,
    cursor      INTEGER NOT NULL DEFAULT 0 CHECK (cursor >= 0),
    updated_at  TEXT NOT NULL,
    last_run_at TEXT
) WITHOUT ROWID;
