-- 010: search by spoken words, and titles made from transcripts.
--
-- One row per segment (utterance) of a recording's transcript. The rowid is
-- recording_id * 2^20 + the segment's index, so a recording's rows are one
-- rowid range: replacing or deleting them never scans the index, and a hit
-- names its recording without a join. `text` holds the 1-best words,
-- `alternatives` the lattice's other words above the posterior threshold
-- (ranked lower); `timing` is "word start end" per line, 1-best first, to
-- say when a matched word was said.
CREATE VIRTUAL TABLE transcript_fts USING fts5 (
    text, alternatives, start UNINDEXED, end UNINDEXED, timing UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER transcript_fts_recording_delete AFTER DELETE ON recordings BEGIN
    DELETE FROM transcript_fts
    WHERE rowid >= old.id * 1048576 AND rowid < (old.id + 1) * 1048576;
END;

-- The title vrp gave a recording from its transcript. The recording's title
-- is automatic while it still equals this one; a user's edit changes it and
-- wins, and once a row exists no later transcription gives another title.
CREATE TABLE auto_titles (
    recording_id INTEGER PRIMARY KEY REFERENCES recordings (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
