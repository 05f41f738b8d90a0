-- 004: how the copy of a recording on a remote was verified when it was
-- last synced ("sha256" when the remote computed it, "size+sample" after a
-- partial read-back, "download+sha256" when pulled...), so a user can tell a
-- checked copy from one the transfer alone vouches for.

ALTER TABLE recording_remote ADD COLUMN verification TEXT;
