-- 003: a remote can be paused until the user acts, e.g. when its
-- authorisation expired: the sync worker leaves its tasks alone (without
-- spending their retries) until re-authentication clears the pause.

ALTER TABLE remotes ADD COLUMN paused_reason TEXT;
ALTER TABLE remotes ADD COLUMN paused_at TEXT;
