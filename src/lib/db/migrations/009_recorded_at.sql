-- 009: when a recording was made, apart from when it was imported. created_at
-- stays the import time; recorded_at comes from the container's creation time
-- (FFmpeg's creation_time / date tag, a WAV's BWF OriginationDate/Time), else
-- the file's mtime. Rows from before this migration only know their import
-- time, and say so.
ALTER TABLE recordings ADD COLUMN recorded_at TEXT NOT NULL DEFAULT '';
ALTER TABLE recordings ADD COLUMN recorded_at_source TEXT NOT NULL DEFAULT 'import'
    CHECK (recorded_at_source IN ('container', 'bwf', 'mtime', 'import'));
UPDATE recordings SET recorded_at = created_at, recorded_at_source = 'import';
CREATE INDEX recordings_recorded_at ON recordings (recorded_at);
-- A row written without one (by an older vrp, or by hand) is dated by its
-- import, never left empty: listings compare and page on this column.
CREATE TRIGGER recordings_recorded_at_default AFTER INSERT ON recordings
WHEN NEW.recorded_at = ''
BEGIN
    UPDATE recordings SET recorded_at = NEW.created_at, recorded_at_source = 'import'
    WHERE id = NEW.id;
END;
