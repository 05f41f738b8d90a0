#!/bin/sh
# vrp sync / sync status / queue / worker against a localdir remote, and the
# crash proof: SIGKILL the worker at random points, restart, and end with
# every recording on the remote exactly once, no .part files, a sound database.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the generated media fixtures}"
LIB="$WORK/lib"
NAS="$WORK/nas"
# Uploads are what this tests: no transcripts in the derive queue (slow
# under the sanitizers; test_cli_transcribe.sh covers the queue's).
printf '[derive]\nkinds = waveform,spectrogram,compressed\n' >"$VRP_CONFIG"
"$VRP" -q --library "$LIB" init
mkdir "$NAS"

sha_list() { find "$1" -type f ! -name "*.vrp.json" ! -name '*.part' -exec sha256sum {} + | cut -d' ' -f1 | sort; }
lib_shas() { sqlite3 "$LIB/library.db" "SELECT checksum FROM recordings ORDER BY checksum"; }

"$VRP" -q --library "$LIB" import "$FIXTURES/pcm16.wav" "$FIXTURES/flac16k.flac" \
	"$FIXTURES/memo.m4a"
run "$VRP" --library "$LIB" sync
expect_status "vrp sync with no remote is a usage error" 64
expect_match "that says how to add one" "$err" 'no remote to sync to: .*vrp remote add NAME localdir path=DIR'
run "$VRP" --library "$LIB" remote add nas localdir path="$NAS"
expect_status "remote add nas" 0

run "$VRP" --library "$LIB" sync
expect_status "vrp sync exits 0 when everything synced" 0
expect_match "and says so" "$out" 'synced 3 .*failed 0'
check "three files on the remote" test "$(find "$NAS" -type f ! -name "*.vrp.json" | wc -l)" -eq 3
check "named VoiceRecorderPro/YYYY/MM/<name> <short uuid>.<ext>" sh -c \
	'find "$1" -type f ! -name "*.vrp.json" | grep -Evq "/VoiceRecorderPro/[0-9]{4}/[0-9]{2}/[^/]+ [0-9a-f]{8}\.(wav|flac|m4a)$" && exit 1 || exit 0' _ "$NAS"
check "with the library's sha256s" test "$(sha_list "$NAS")" = "$(lib_shas)"

run "$VRP" --library "$LIB" --json show 1
expect_match "show --json gives the recording's state on the remote, with how it was verified" \
	"$out" '"remotes":\[\{"remote":"nas","sync_status":"synced",.*"verification":"size\+full"'
run "$VRP" --library "$LIB" show 1
expect_match "and show says it for humans" "$out" 'remote nas +synced .*VoiceRecorderPro/.* \(verified: size\+full\)'

run "$VRP" --library "$LIB" metrics
expect_match "the sync latency is a Prometheus histogram" "$out" '# TYPE vrp_sync_latency_ms histogram'
expect_match "whose +Inf bucket counts every synced recording" "$out" 'vrp_sync_latency_ms_bucket\{le="\+Inf"\} 3'
expect_match "with its count" "$out" 'vrp_sync_latency_ms_count 3'

run "$VRP" --library "$LIB" sync status
expect_status "sync status" 0
expect_match "counts per status" "$out" '^nas \(localdir\): synced 3, queued 0, syncing 0, failed 0'
expect_match "every status JSON has, conflicts included" "$out" 'quota_exceeded 0, conflict 0, unsynced 0$'
expect_match "and the tasks per state" "$out" '^  tasks: queued 0, running 0, done 3, failed 0, cancelled 0$'
run "$VRP" --library "$LIB" --json sync status
expect_match "sync status --json" "$out" '"remote":"nas".*"synced":3.*"tasks":\{[^}]*"done":3'
run "$VRP" --library "$LIB" --json ls --remote nas --sync-status synced
check "ls --remote nas --sync-status synced lists the three" \
	test "$(printf '%s\n' "$out" | grep -c '"id"')" -eq 3
run "$VRP" --library "$LIB" --json queue ls --state done
check "queue ls --state done shows three done uploads" \
	test "$(printf '%s\n' "$out" | grep -c '"state":"done"')" -eq 3

run "$VRP" --library "$LIB" sync
expect_status "a second sync has nothing to do" 0
expect_match "and uploads nothing" "$out" 'synced 0 '
check "still three files" test "$(find "$NAS" -type f ! -name "*.vrp.json" | wc -l)" -eq 3

# An unplugged disk: the remote folder is gone. Decided once, said once, in seconds;
# the uploads stay queued with no attempt used up, and the folder is not re-created.
"$VRP" -q --library "$LIB" import "$FIXTURES/pcm24.wav"
mv "$NAS" "$WORK/nas.away"
started=$(date +%s)
run "$VRP" --library "$LIB" sync
expect_status "an unplugged disk exits 69 (EX_UNAVAILABLE)" 69
check "within seconds" test $(($(date +%s) - started)) -le 5
check "with one message" test "$(printf '%s\n' "$err" | grep -c .)" -eq 1
expect_match "naming the remote and why" "$err" \
	'remote nas is unavailable, its uploads stay queued: the folder .*/nas is not there; is the disk mounted\? \[ERR_REMOTE_UNAVAILABLE\]'
check "the folder is not created" test ! -e "$NAS"
run "$VRP" --library "$LIB" --json queue ls --state queued
expect_match "the upload waits, no attempt used" "$out" '"recording_id":4,"remote":"nas","state":"queued","attempts":0'
mv "$WORK/nas.away" "$NAS"

# A failure: the app folder on the remote is replaced by a file, so every upload fails for good,
# at once (a file where the folder should be is permanent: one attempt, not max-attempts).
mv "$NAS/VoiceRecorderPro" "$WORK/vrp.away"; : >"$NAS/VoiceRecorderPro"
run "$VRP" --library "$LIB" --json sync --max-attempts 2
check "a failed upload exits non-zero" test "$status" -ne 0
expect_match "one JSON line per outcome, with the error code" "$out" '"status":"failed".*"code":"ERR_'
run "$VRP" --library "$LIB" sync status
expect_match "sync status names the failure and its reason" "$out" 'failed 1.*
  recording 4 failed: .*\[ERR_.* \(1 attempt, at '
run "$VRP" --library "$LIB" --json queue ls --state failed
expect_match "with the attempts queue ls gives" "$out" '"state":"failed","attempts":1,'
run "$VRP" --library "$LIB" --json queue ls --state failed
task=$(printf '%s\n' "$out" | sed -n 's/^{"id":\([0-9]*\).*/\1/p' | head -1)
check "queue ls --state failed finds the task" test -n "$task"
rm -f "$NAS/VoiceRecorderPro"; mv "$WORK/vrp.away" "$NAS/VoiceRecorderPro"
run "$VRP" --library "$LIB" queue retry "$task"
expect_status "queue retry ID" 0
run "$VRP" --library "$LIB" queue cancel "$task"
expect_status "queue cancel ID" 0
run "$VRP" --library "$LIB" queue cancel "$task"
expect_status "cancelling it again is fine" 0
run "$VRP" --library "$LIB" sync
expect_status "the next sync picks the recording up again" 0
check "four files on the remote" test "$(find "$NAS" -type f ! -name "*.vrp.json" | wc -l)" -eq 4

# ---- the crash proof ----
CRASH_LIB="$WORK/crash"
CRASH_NAS="$WORK/crash-nas"
mkdir "$WORK/wavs" "$CRASH_NAS"
python3 - "$WORK/wavs" <<'PY'
import os, sys, wave
for i in range(40):
    with wave.open(os.path.join(sys.argv[1], "take-%02d.wav" % i), "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
        w.writeframes(os.urandom(1500000))
PY
"$VRP" -q --library "$CRASH_LIB" init
"$VRP" -q --library "$CRASH_LIB" import "$WORK"/wavs/*.wav
"$VRP" -q --library "$CRASH_LIB" remote add crash localdir path="$CRASH_NAS"
kills=0
for delay in 0.12 0.05 0.3 0.08 0.2 0.15; do
	"$VRP" -q --library "$CRASH_LIB" sync --lease 1 --concurrency 4 >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
	wait "$pid" 2>/dev/null
done
check "the worker was killed mid-run at least twice ($kills)" test "$kills" -ge 2
run "$VRP" --library "$CRASH_LIB" sync --lease 1
expect_status "the restarted sync finishes" 0
check "every recording is on the remote exactly once" \
	test "$(find "$CRASH_NAS" -type f ! -name "*.vrp.json" ! -name '*.part' | wc -l)" -eq 40
check "with the right contents" test "$(sha_list "$CRASH_NAS")" = \
	"$(sqlite3 "$CRASH_LIB/library.db" 'SELECT checksum FROM recordings ORDER BY checksum')"
check "no stray .part files" test -z "$(find "$CRASH_NAS" -name '*.part')"
check "the database is consistent" test \
	"$(sqlite3 "$CRASH_LIB/library.db" 'PRAGMA integrity_check')" = ok
check "every recording is synced, every task done" test \
	"$(sqlite3 "$CRASH_LIB/library.db" "SELECT (SELECT count(*) FROM recording_remote WHERE sync_status = 'synced') || ' ' || (SELECT count(*) FROM sync_tasks WHERE state <> 'done')")" = "40 0"

# ---- a killed run's leases are taken over at once; a live holder is named ----
# A mock remote whose first upload in each process crawls (100 ms per 8 KiB).
KL="$WORK/kill-lib"
"$VRP" -q --library "$KL" init
"$VRP" -q --library "$KL" import "$FIXTURES/pcm24.wav"
"$VRP" -q --library "$KL" remote add slow mock chunk_size=8192 faults=upload:slow:100
lease_pid() { sqlite3 "$KL/library.db" "SELECT coalesce(max(lease_pid), 0) FROM sync_tasks WHERE state = 'running'"; }
# wait_lease PID [TRIES]: until PID holds the task (polling every 50 ms).
wait_lease() {
	i=0
	while [ "$(lease_pid)" != "$1" ] && [ $i -lt "${2:-100}" ]; do sleep 0.05; i=$((i + 1)); done
	[ "$(lease_pid)" = "$1" ]
}
"$VRP" -q --library "$KL" sync --concurrency 1 >/dev/null 2>&1 &
first=$!
check "the first run holds the task" wait_lease "$first"
"$VRP" --library "$KL" sync --concurrency 1 >/dev/null 2>"$WORK/second.err" &
second=$!
i=0
while ! grep -q waiting "$WORK/second.err" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
expect_match "a second run says whom it waits for" "$(cat "$WORK/second.err")" \
	"waiting for vrp pid $first on $(uname -n), which holds 1 task of remote slow"
kill -TERM "$second"; wait "$second" 2>/dev/null
kill -9 "$first"; wait "$first" 2>/dev/null
"$VRP" -q --library "$KL" sync --concurrency 1 >/dev/null 2>&1 &
third=$!
check "after a kill -9 the next run takes the task over within 2 s (not the 60 s lease)" \
	wait_lease "$third" 40
kill -TERM "$third"; wait "$third" 2>/dev/null

# ---- progress on a terminal: totals, percentage, rate and ETA, during a file ----
if command -v script >/dev/null 2>&1; then
	PL="$WORK/progress-lib"
	"$VRP" -q --library "$PL" init
	"$VRP" -q --library "$PL" remote add crawl mock chunk_size=8192 faults=upload:slow:30
	script -qec "\"$VRP\" --library \"$PL\" import \"$FIXTURES/pcm24.wav\" \"$FIXTURES/pcm16.wav\"" \
		/dev/null >"$WORK/import.tty" 2>&1
	last=$(tr '\r' '\n' <"$WORK/import.tty" | grep -a 'files\]' | tail -1)
	expect_match "import's last progress line says it is done, not ETA --:--" "$last" \
		'^\[2/2 files\] .* 100%  .*/s  elapsed [0-9:]+'
	script -qec "\"$VRP\" --library \"$PL\" sync --concurrency 1" /dev/null >"$WORK/sync.tty" 2>&1
	frames=$(tr '\r' '\n' <"$WORK/sync.tty" | grep -a '^\[0/2 files\]')
	expect_match "sync shows bytes, total, percentage, a rate and an ETA while the first file moves" \
		"$frames" '^\[0/2 files\] [0-9.]+ KiB / 938.8 KiB  [1-9][0-9]?%  [0-9.]+ KiB/s  ETA [0-9]+:[0-9]+  crawl: '
else
	ok "# SKIP no script(1) for a terminal"
fi

# ---- vrp worker: runs until SIGTERM, picking up new work ----
"$VRP" -q --library "$LIB" import "$FIXTURES/float32.wav"
"$VRP" --library "$LIB" worker --concurrency 2 >"$WORK/worker.out" 2>&1 &
wpid=$!
run "$VRP" --library "$LIB" --json sync --enqueue-only
expect_match "sync --enqueue-only queues without uploading" "$out" '"queued":1'

i=0
while [ "$(find "$NAS" -type f ! -name "*.vrp.json" | wc -l)" -lt 5 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM "$wpid"
wait "$wpid" && wstatus=0 || wstatus=$?
check "vrp worker stops cleanly on SIGTERM" test "$wstatus" -eq 0
check "the worker uploaded what was queued while it ran" test "$(find "$NAS" -type f ! -name "*.vrp.json" | wc -l)" -eq 5
finish
