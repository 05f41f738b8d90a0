-- 008: the durable queue of derivations. Import queues the assets a new
-- recording should get; `vrp worker` and `vrp sync` make them when no
-- upload is waiting. Its own table, not sync_tasks: a derivation has no
-- remote and no transfer state, and uploads must never wait behind it.
-- At most one live (queued or running) task per recording; more kinds
-- asked for while one is live are OR-ed into its `kinds` bit set.
CREATE TABLE derive_tasks (
    id              INTEGER PRIMARY KEY,
    recording_id    INTEGER NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    kinds           INTEGER NOT NULL CHECK (kinds > 0),
    state           TEXT    NOT NULL DEFAULT 'queued'
                            CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    lease_owner     TEXT,
    lease_until     TEXT,
    error_code      TEXT,
    error_message   TEXT,
    created_at      TEXT    NOT NULL,
    modified_at     TEXT    NOT NULL
);

CREATE UNIQUE INDEX derive_tasks_live ON derive_tasks (recording_id)
    WHERE state IN ('queued', 'running');
CREATE INDEX derive_tasks_due ON derive_tasks (state, next_attempt_at);
