-- 015: who holds a derive task's lease (host, pid and the process's start
-- time, as 006 does for sync tasks), so a run can take over at once the
-- derivations of a vrp that was killed, instead of leaving them (and the
-- asset a killed derive renamed into place but never recorded) until the
-- 15-minute lease runs out.
ALTER TABLE derive_tasks ADD COLUMN lease_host TEXT;
ALTER TABLE derive_tasks ADD COLUMN lease_pid INTEGER;
-- Clock ticks after boot, /proc/PID/stat field 22.
ALTER TABLE derive_tasks ADD COLUMN lease_pid_start INTEGER;
