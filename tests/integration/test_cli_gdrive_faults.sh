#!/bin/sh
# The gdrive remote when things go wrong, against the fake Drive: the worker
# killed mid-upload resumes its session (no second file), expired sessions,
# dropped connections, 429 / 403 rate limits with Retry-After, 500/503,
# a full Drive, an expired access token (refreshed), and a revoked refresh
# token (remote paused until `vrp remote auth`).
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
. "$(dirname "$0")/gdrive_fake.sh"
T0=$(date +%s.%N); lap() { echo "# $1: $(echo "$(date +%s.%N) - $T0" | bc) s"; }
LIB="$WORK/lib"
# Providers are what this tests: no transcripts in the derive queue (slow
# under the sanitizers; test_cli_transcribe.sh covers the queue's).
printf '[derive]\nkinds = waveform,spectrogram,compressed\n' >"$VRP_CONFIG"
"$VRP" -q --library "$LIB" init
# Small chunks so a 12 MiB upload takes long enough to be killed in the middle.
gdrive_add "$LIB" gd chunk_size=262144 multipart_threshold=1048576
fake_post /__control/config '{"auto_approve_polls":1}'
"$VRP" -q --library "$LIB" remote auth gd --device --timeout 30
sessions_started() {
	fake_state 'len([r for r in s["requests"] if r["method"] == "POST" and r["path"] == "/upload/drive/v3/files" and "resumable" in r.get("query", "")])'
}
status_queries() { grep -c 'resuming the upload' "$VRP_LOG_DIR"/* 2>/dev/null | awk -F: '{n += $NF} END {print n + 0}'; }

# ---- killed mid-upload: the next run resumes the same session ----
make_wav "$WORK/crash.wav" 25165824
"$VRP" -q --library "$LIB" import "$WORK/crash.wav"
"$VRP" -q --library "$LIB" sync --lease 1 >/dev/null 2>&1 &
pid=$!
# SIGKILL as soon as the fake holds some of the bytes (polled in-process: a
# shell loop is too slow for a loopback upload).
killed=$(python3 - "$FAKE" "$pid" <<'PY'
import json, os, signal, sys, time, urllib.request
fake, pid = sys.argv[1], int(sys.argv[2])
for _ in range(3000):
    s = json.load(urllib.request.urlopen(fake + "/__control/state"))
    if sum(u["committed"] for u in s["upload_sessions"]) >= 524288:
        os.kill(pid, signal.SIGKILL)
        print("yes")
        break
    time.sleep(0.002)
else:
    print("no")
PY
)
wait "$pid" 2>/dev/null
committed=$(fake_state 'sum(u["committed"] for u in s["upload_sessions"])')
check "the worker was killed mid-upload ($committed bytes committed)" test "$killed" = yes -a \
	"$committed" -gt 0 -a "$committed" -lt 25165824
check "nothing is visible on Drive yet" test "$(live_files)" -eq 0
check "the session URL was kept in the task's resume state" test -n \
	"$(sqlite3 "$LIB/library.db" "SELECT resume_state FROM sync_tasks WHERE resume_state LIKE '%upload_id%'")"
run "$VRP" --library "$LIB" sync --lease 1
expect_status "the next sync finishes" 0
check "on the same session (one session started in all)" test "$(sessions_started)" -eq 1
check "after a status query found where it stopped" test "$(status_queries)" -ge 1
check "one file on Drive, not two" test "$(live_files)" -eq 1
check "with the recording's bytes" test "$(fake_state \
	'[f["sha256Checksum"] for f in s["files"] if not f["trashed"] and "sha256Checksum" in f][0]')" = \
	"$(sqlite3 "$LIB/library.db" "SELECT checksum FROM recordings")"

lap "a dropped connection"
# ---- a dropped connection mid-chunk, then an expired session ----
make_wav "$WORK/drop.wav" 3145728
"$VRP" -q --library "$LIB" import "$WORK/drop.wav"
fake_post /__control/fault '{"method":"PUT","path_prefix":"/upload/drive/v3/files","drop_after_bytes":600000,"skip":2}'
fake_post /__control/fault '{"method":"PUT","path_prefix":"/upload/drive/v3/files","status":503,"retry_after":1}'
run "$VRP" --library "$LIB" --json sync
expect_status "a dropped connection and a 503 are retried" 0
expect_match "the retries are reported" "$out" '"status":"retry".*"code":"ERR_TRANSIENT"'
check "two files now" test "$(live_files)" -eq 2

make_wav "$WORK/expire.wav" 3145728
"$VRP" -q --library "$LIB" import "$WORK/expire.wav"
fake_post /__control/config '{"expired_status":410}'
fake_post /__control/fault '{"method":"PUT","path_prefix":"/upload/drive/v3/files","drop_after_bytes":300000,"skip":1}'
before=$(sessions_started)
"$VRP" -q --library "$LIB" sync --max-attempts 1 >/dev/null 2>&1
fake_post /__control/expire_sessions
run "$VRP" --library "$LIB" queue retry --all-failed
run "$VRP" --library "$LIB" sync
expect_status "an upload whose session expired (410) starts a new one" 0
check "a second session was started for it" test "$(( $(sessions_started) - before ))" -eq 2
check "three files now" test "$(live_files)" -eq 3

lap "rate limits"
# ---- rate limits and server errors ----
small_sync() {
	make_wav "$WORK/$1.wav" 100000
	"$VRP" -q --library "$LIB" import "$WORK/$1.wav"
	fake_post /__control/fault "$2"
	start=$(date +%s.%N)
	run "$VRP" --library "$LIB" --json sync
	elapsed=$(echo "$(date +%s.%N) - $start" | bc)
}
small_sync r429 '{"method":"POST","path_prefix":"/upload","status":429,"retry_after":2}'
expect_status "a 429 is retried" 0
expect_match "as ERR_UPLOAD_RATE_LIMIT" "$out" '"code":"ERR_UPLOAD_RATE_LIMIT"'
check "not before its Retry-After of 2 s ($elapsed s)" test "$(echo "$elapsed >= 2" | bc)" -eq 1
small_sync r403 '{"method":"POST","path_prefix":"/upload","status":403,"reason":"userRateLimitExceeded","retry_after":1}'
expect_status "a 403 userRateLimitExceeded is retried" 0
expect_match "as ERR_UPLOAD_RATE_LIMIT too" "$out" '"code":"ERR_UPLOAD_RATE_LIMIT"'
small_sync r500 '{"method":"POST","path_prefix":"/upload","status":500}'
expect_status "a 500 is retried" 0
expect_match "as ERR_TRANSIENT" "$out" '"code":"ERR_TRANSIENT"'
small_sync r400 '{"method":"POST","path_prefix":"/upload","status":400,"reason":"badRequest","message":"Invalid metadata"}'
check "another 4xx fails at once" test "$status" -ne 0
expect_match "as ERR_PERMANENT with the server's message" "$out" '"code":"ERR_PERMANENT".*Invalid metadata'
"$VRP" -q --library "$LIB" queue retry --all-failed >/dev/null 2>&1
"$VRP" -q --library "$LIB" sync >/dev/null 2>&1

# ---- a Drive that reports only md5Checksum ----
fake_post /__control/config '{"omit_sha256":true}'
make_wav "$WORK/md5.wav" 100000
"$VRP" -q --library "$LIB" import "$WORK/md5.wav"
run "$VRP" --library "$LIB" sync
expect_status "an upload Drive vouches for with md5 only is accepted" 0
check "the catalogue keeps Drive's md5 for it" test "$(sqlite3 "$LIB/library.db" \
	"SELECT length(remote_checksum) FROM recording_remote WHERE remote_path LIKE '%/md5 %'")" -eq 32
check "and records that md5 was all that verified it" test "$(sqlite3 "$LIB/library.db" \
	"SELECT verification FROM recording_remote WHERE remote_path LIKE '%/md5 %'")" = md5
fake_post /__control/config '{"omit_sha256":false}'

lap "a full Drive"
# ---- a full Drive ----
fake_post /__control/config '{"quota_limit":1000}'
make_wav "$WORK/full.wav" 100000
"$VRP" -q --library "$LIB" import "$WORK/full.wav"
run "$VRP" --library "$LIB" sync
expect_status "a full Drive stops uploads (exit 73)" 73
run "$VRP" --library "$LIB" sync status
expect_match "with ERR_QUOTA_EXCEEDED" "$out" 'ERR_QUOTA_EXCEEDED'
fake_post /__control/config '{"quota_limit":16106127360}'
"$VRP" -q --library "$LIB" queue retry --all-failed >/dev/null 2>&1
run "$VRP" --library "$LIB" sync
expect_status "with room again, the upload goes through" 0

lap "tokens"
# ---- tokens: expired access token, revoked refresh token ----
refreshes() { fake_state 's["token_requests"].get("refresh_token", 0)'; }
before=$(refreshes)
fake_post /__control/expire_access_tokens
run "$VRP" --library "$LIB" remote test gd
expect_status "an access token that died early is refreshed transparently" 0
check "by one refresh" test "$(( $(refreshes) - before ))" -eq 1

fake_post /__control/revoke_refresh_tokens
fake_post /__control/expire_access_tokens
make_wav "$WORK/revoked.wav" 100000
"$VRP" -q --library "$LIB" import "$WORK/revoked.wav"
run "$VRP" --library "$LIB" sync
expect_status "a revoked refresh token exits 77" 77
run "$VRP" --library "$LIB" sync status
expect_match "the task waits with ERR_AUTH_EXPIRED" "$out" 'ERR_AUTH_EXPIRED'
run "$VRP" --library "$LIB" remote ls
expect_match "the remote is paused" "$out" 'PAUSED: ERR_AUTH_EXPIRED'
run "$VRP" --library "$LIB" remote auth gd --device --timeout 30
expect_status "vrp remote auth signs in again" 0
run "$VRP" --library "$LIB" remote ls
check "and lifts the pause" sh -c '! printf "%s" "$1" | grep -q PAUSED' _ "$out"
run "$VRP" --library "$LIB" sync
expect_status "the queued upload goes through" 0
check "every recording is on Drive once" test "$(live_files)" -eq \
	"$(sqlite3 "$LIB/library.db" 'SELECT count(*) FROM recordings')"
run "$VRP" --library "$LIB" sync check --remote gd
expect_status "sync check agrees" 0

# ---- the user deletes the app folder while a worker runs ----
synced() { sqlite3 "$LIB/library.db" "SELECT count(*) FROM recording_remote WHERE sync_status = 'synced'"; }
make_wav "$WORK/before.wav" 100000
"$VRP" -q --library "$LIB" import "$WORK/before.wav"
"$VRP" -q --library "$LIB" sync --enqueue-only >/dev/null
want=$(sqlite3 "$LIB/library.db" 'SELECT count(*) FROM recordings')
"$VRP" --library "$LIB" worker >"$WORK/worker.out" 2>&1 &
worker=$!
for _ in $(seq 200); do [ "$(synced)" -ge "$want" ] && break; sleep 0.1; done
folder=$(fake_state '[f["id"] for f in s["files"] if f["name"] == "VoiceRecorderPro"][0]')
fake_post /__control/delete "{\"id\":\"$folder\"}"
make_wav "$WORK/after.wav" 100000
"$VRP" -q --library "$LIB" import "$WORK/after.wav"
"$VRP" -q --library "$LIB" sync --enqueue-only >/dev/null
for _ in $(seq 200); do [ "$(synced)" -gt "$want" ] && break; sleep 0.1; done
kill "$worker"
wait "$worker" 2>/dev/null
check "an upload after the folder was deleted goes through in the same run" test "$(synced)" -gt "$want"
check "into a VoiceRecorderPro folder made again" test "$(fake_state \
	'len([f for f in s["files"] if f["name"] == "VoiceRecorderPro" and f["id"] != "'"$folder"'"])')" -eq 1

check "no token in the logs" sh -c '! grep -rEq "ya29\.fake-|1//fake-|4/fake-" "$1"' _ "$VRP_LOG_DIR"
lap end
finish
