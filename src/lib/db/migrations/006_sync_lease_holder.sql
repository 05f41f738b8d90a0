-- 005: who holds a sync task's lease (host, pid and the process's start time,
-- so a reused pid is not taken for the holder), letting a run take over at
-- once the tasks of a run that was killed instead of waiting for its leases
-- to run out; and one meaning of "attempts" wherever it is shown.

ALTER TABLE sync_tasks ADD COLUMN lease_host TEXT;
ALTER TABLE sync_tasks ADD COLUMN lease_pid INTEGER;
-- Clock ticks after boot, /proc/PID/stat field 22.
ALTER TABLE sync_tasks ADD COLUMN lease_pid_start INTEGER;

-- A recording's attempts on a remote are those of its latest upload task:
-- tries made, a try handed back unfinished (expired login, unreachable
-- remote, a stop) not counted. Kept here so `vrp sync status` and
-- `vrp queue ls` show the same number.
CREATE TRIGGER sync_tasks_attempts_insert AFTER INSERT ON sync_tasks
WHEN NEW.op = 'upload' AND NEW.recording_id IS NOT NULL BEGIN
    UPDATE recording_remote SET attempts = NEW.attempts
    WHERE recording_id = NEW.recording_id AND remote = NEW.remote;
END;
CREATE TRIGGER sync_tasks_attempts_update AFTER UPDATE OF attempts ON sync_tasks
WHEN NEW.op = 'upload' AND NEW.recording_id IS NOT NULL BEGIN
    UPDATE recording_remote SET attempts = NEW.attempts
    WHERE recording_id = NEW.recording_id AND remote = NEW.remote;
END;

-- Once a recording is synced to a remote, its failed uploads there are
-- settled: they leave the failed list (and `queue retry --all-failed`).
CREATE TRIGGER recording_remote_synced_settles_failed_uploads
AFTER UPDATE OF sync_status ON recording_remote
WHEN NEW.sync_status = 'synced' BEGIN
    UPDATE sync_tasks SET state = 'done', error_code = NULL, error_message = NULL,
        modified_at = NEW.modified_at
    WHERE op = 'upload' AND state = 'failed' AND recording_id = NEW.recording_id
      AND remote = NEW.remote;
END;

UPDATE recording_remote SET attempts = coalesce(
    (SELECT t.attempts FROM sync_tasks t
     WHERE t.op = 'upload' AND t.recording_id = recording_remote.recording_id
       AND t.remote = recording_remote.remote
     ORDER BY t.id DESC LIMIT 1), attempts);
UPDATE sync_tasks SET state = 'done', error_code = NULL, error_message = NULL
WHERE op = 'upload' AND state = 'failed' AND EXISTS (
    SELECT 1 FROM recording_remote r
    WHERE r.recording_id = sync_tasks.recording_id AND r.remote = sync_tasks.remote
      AND r.sync_status = 'synced');
