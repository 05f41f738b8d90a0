-- 011: every change to a recording, in commit order.
--
-- `vrp serve` tells its pages (and the desktop app) about changes made by
-- any process: a `vrp import` in a terminal, a `vrp worker` syncing, a
-- second app. SQLite has one writer at a time, so seq grows in commit order
-- and a reader that remembers the last seq it saw misses nothing; a
-- timestamp could not promise that. Only the newest 10,000 rows are kept:
-- a reader further behind reloads everything.
CREATE TABLE change_log (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    recording_id INTEGER NOT NULL,
    action       TEXT    NOT NULL CHECK (action IN ('created', 'updated', 'purged'))
);

CREATE TRIGGER change_log_recording_insert AFTER INSERT ON recordings BEGIN
    INSERT INTO change_log (recording_id, action) VALUES (new.id, 'created');
    DELETE FROM change_log WHERE seq <= last_insert_rowid() - 10000;
END;

CREATE TRIGGER change_log_recording_update AFTER UPDATE ON recordings BEGIN
    INSERT INTO change_log (recording_id, action) VALUES (new.id, 'updated');
    DELETE FROM change_log WHERE seq <= last_insert_rowid() - 10000;
END;

CREATE TRIGGER change_log_recording_delete AFTER DELETE ON recordings BEGIN
    INSERT INTO change_log (recording_id, action) VALUES (old.id, 'purged');
    DELETE FROM change_log WHERE seq <= last_insert_rowid() - 10000;
END;

-- Tags and sync state live in their own tables but are part of what a page shows.
CREATE TRIGGER change_log_tag_insert AFTER INSERT ON recording_tags BEGIN
    INSERT INTO change_log (recording_id, action) VALUES (new.recording_id, 'updated');
END;

CREATE TRIGGER change_log_tag_delete AFTER DELETE ON recording_tags BEGIN
    INSERT INTO change_log (recording_id, action) VALUES (old.recording_id, 'updated');
END;

CREATE TRIGGER change_log_remote_insert AFTER INSERT ON recording_remote BEGIN
    INSERT INTO change_log (recording_id, action) VALUES (new.recording_id, 'updated');
END;

CREATE TRIGGER change_log_remote_update AFTER UPDATE OF sync_status ON recording_remote
WHEN new.sync_status IS NOT old.sync_status BEGIN
    INSERT INTO change_log (recording_id, action) VALUES (new.recording_id, 'updated');
END;
