-- 014: where a remote's change feed stands (OneDrive's delta link): the next
-- `vrp sync pull` asks only for what changed since. NULL: list everything.
-- Not a secret: the link grants nothing without the remote's access token.

ALTER TABLE remotes ADD COLUMN change_cursor TEXT;
