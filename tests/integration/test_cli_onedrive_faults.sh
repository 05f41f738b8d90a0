#!/bin/sh
# The onedrive remote when things go wrong, against the fake Graph: killed
# mid-session (resumed from nextExpectedRanges, one item), an expired session,
# a lost final answer, 416, a full drive (507), an expired access token
# (refreshed, the rotated refresh token stored), a revoked refresh token
# (remote paused), and malformed answers (errors, never crashes).
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
. "$(dirname "$0")/graph_fake.sh"
LIB="$WORK/lib"
# Providers are what this tests: no transcripts in the derive queue (slow
# under the sanitizers; test_cli_transcribe.sh covers the queue's).
printf '[derive]\nkinds = waveform,spectrogram,compressed\n' >"$VRP_CONFIG"
"$VRP" -q --library "$LIB" init
# Small fragments so a 25 MiB upload takes long enough to be killed in the middle.
onedrive_add "$LIB" od chunk_size=327680
fake_post /__control/config '{"auto_approve_polls":1}'
"$VRP" -q --library "$LIB" remote auth od --device --timeout 30
sessions_started() {
	fake_state 'len([r for r in s["requests"] if r["method"] == "POST" and r["path"].endswith(":/createUploadSession")])'
}
refresh_token_now() {
	python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["od"]["refresh_token"])' "$LIB/credentials.json"
}

# ---- killed mid-upload: the next run resumes the same session ----
make_wav "$WORK/crash.wav" 26214400
"$VRP" -q --library "$LIB" import "$WORK/crash.wav"
"$VRP" -q --library "$LIB" sync --lease 1 >/dev/null 2>&1 &
pid=$!
killed=$(python3 - "$FAKE" "$pid" <<'PY'
import json, os, signal, sys, time, urllib.request
fake, pid = sys.argv[1], int(sys.argv[2])
for _ in range(5000):
    s = json.load(urllib.request.urlopen(fake + "/__control/state"))
    if sum(u["bytes"] for u in s["sessions"]) >= 1310720:
        os.kill(pid, signal.SIGKILL)
        print("yes")
        break
    time.sleep(0.002)
else:
    print("no")
PY
)
wait "$pid" 2>/dev/null
held=$(fake_state 'sum(u["bytes"] for u in s["sessions"])')
check "the worker was killed mid-session ($held bytes held)" test "$killed" = yes -a \
	"$held" -gt 0 -a "$held" -lt 26214400
check "nothing is visible on OneDrive yet" test "$(live_files)" -eq 0
check "the upload URL was kept in the task's resume state" test -n \
	"$(sqlite3 "$LIB/library.db" "SELECT resume_state FROM sync_tasks WHERE resume_state LIKE '%/upload/%'")"
before=$(fake_state 'len(s["requests"])')
run "$VRP" --library "$LIB" sync --lease 1
expect_status "the next sync finishes" 0
check "on the same session (one session in all)" test "$(sessions_started)" -eq 1
check "after asking the session where it stood" test "$(fake_state \
	"len([r for r in s['requests'][$before:] if r['method'] == 'GET' and r['path'].startswith('/upload/')])")" -ge 1
check "and sending on from there, not from byte 0" test "$(fake_state \
	"[r['range'] for r in s['requests'][$before:] if r['method'] == 'PUT' and r['path'].startswith('/upload/')][0].startswith('bytes 0-')")" = False
check "one item on OneDrive, not two" test "$(live_files)" -eq 1
check "with the recording's bytes" test "$(fake_state '[f["sha256"] for f in s["files"]][0]')" = \
	"$(sqlite3 "$LIB/library.db" "SELECT checksum FROM recordings")"

# ---- an expired session, a 416, and a final answer that never arrives ----
make_wav "$WORK/expire.wav" 6553600
"$VRP" -q --library "$LIB" import "$WORK/expire.wav"
# Three drops in a row: each is followed by a status query, and the third ends the attempt.
fake_post /__control/fault '{"method":"PUT","path_prefix":"/upload/","drop_after_bytes":1000,"skip":3,"times":3}'
run "$VRP" --library "$LIB" --json sync --max-attempts 1
expect_match "an upload that makes no progress fails the attempt with ERR_TRANSIENT" "$out" 'ERR_TRANSIENT'
fake_post /__control/clear_faults
fake_post /__control/expire_sessions
"$VRP" -q --library "$LIB" queue retry --all-failed >/dev/null 2>&1
before=$(sessions_started)
run "$VRP" --library "$LIB" sync
expect_status "an upload whose session expired (404) starts a new one" 0
check "a second session was started for it" test "$(( $(sessions_started) - before ))" -eq 1
check "two items now" test "$(live_files)" -eq 2

make_wav "$WORK/lost.wav" 6553600
"$VRP" -q --library "$LIB" import "$WORK/lost.wav"
# The last fragment (20 of 20) is stored, but its answer is lost.
fake_post /__control/fault '{"method":"PUT","path_prefix":"/upload/","drop_answer":true,"skip":19}'
before=$(sessions_started)
run "$VRP" --library "$LIB" sync
expect_status "a lost final answer is settled" 0
check "by finding the item by path, without a new session" test "$(( $(sessions_started) - before ))" -eq 1
check "three items now, no duplicate" test "$(live_files)" -eq 3

make_wav "$WORK/r416.wav" 6553600
"$VRP" -q --library "$LIB" import "$WORK/r416.wav"
fake_post /__control/fault '{"method":"PUT","path_prefix":"/upload/","status":416,"code":"invalidRange","skip":4}'
run "$VRP" --library "$LIB" sync
expect_status "a 416 makes vrp ask the session and go on" 0
check "four items now" test "$(live_files)" -eq 4

# ---- a full drive ----
fake_post /__control/config '{"quota_total":1000}'
make_wav "$WORK/full.wav" 100000
"$VRP" -q --library "$LIB" import "$WORK/full.wav"
run "$VRP" --library "$LIB" sync
expect_status "a full OneDrive stops uploads (exit 73)" 73
run "$VRP" --library "$LIB" sync status
expect_match "with ERR_QUOTA_EXCEEDED" "$out" 'ERR_QUOTA_EXCEEDED'
run "$VRP" --library "$LIB" remote test od
fake_post /__control/config '{"quota_total":1099511627776}'
"$VRP" -q --library "$LIB" queue retry --all-failed >/dev/null 2>&1
run "$VRP" --library "$LIB" sync
expect_status "with room again, the upload goes through" 0

# ---- malformed answers are errors, never crashes ----
make_wav "$WORK/bad.wav" 100000
"$VRP" -q --library "$LIB" import "$WORK/bad.wav"
fake_post /__control/fault '{"method":"PUT","path_prefix":"/v1.0/","status":201,"body":"{\"id\": 5"}'
run "$VRP" --library "$LIB" --json sync --max-attempts 1
check "an upload answer that does not parse fails the attempt" test "$status" -ne 0
expect_match "as ERR_TRANSIENT" "$out" '"code":"ERR_TRANSIENT"'
fake_post /__control/fault '{"method":"GET","path_prefix":"/v1.0/me/drive/special/approot/children","status":200,"body":"{\"value\": 7}"}'
run "$VRP" --library "$LIB" sync check --remote od
check "a listing without a value array is an error ($status), not an empty folder" test "$status" -eq 75
"$VRP" -q --library "$LIB" queue retry --all-failed >/dev/null 2>&1
"$VRP" -q --library "$LIB" sync >/dev/null 2>&1

# ---- tokens: expired access token, rotation, revoked refresh token ----
refreshes() { fake_state 's["token_requests"].get("refresh_token", 0)'; }
before=$(refreshes)
old_rt=$(refresh_token_now)
fake_post /__control/expire_tokens
run "$VRP" --library "$LIB" remote test od
expect_status "an access token that died early is refreshed transparently" 0
check "by one refresh" test "$(( $(refreshes) - before ))" -eq 1
check "and the rotated refresh token was stored" test "$(refresh_token_now)" != "$old_rt"
fake_post /__control/expire_tokens
run "$VRP" --library "$LIB" remote test od
expect_status "the stored successor works for the next refresh" 0

# Two processes whose token died at once: one refresh between them (a rotated
# refresh token may be spent once), the other takes the stored result.
before=$(refreshes)
fake_post /__control/fault '{"method":"POST","path_prefix":"/consumers/oauth2/v2.0/token","delay_ms":1500,"times":2}'
fake_post /__control/expire_tokens
"$VRP" --library "$LIB" remote test od >"$WORK/test1.out" 2>&1 &
p1=$!
"$VRP" --library "$LIB" remote test od >"$WORK/test2.out" 2>&1 &
p2=$!
wait "$p1" && s1=0 || s1=$?
wait "$p2" && s2=0 || s2=$?
check "both processes succeed ($s1, $s2)" test "$s1$s2" = 00
check "with one refresh between them ($(( $(refreshes) - before )))" test "$(( $(refreshes) - before ))" -eq 1
fake_post /__control/clear_faults

fake_post /__control/revoke_refresh
fake_post /__control/expire_tokens
make_wav "$WORK/revoked.wav" 100000
"$VRP" -q --library "$LIB" import "$WORK/revoked.wav"
run "$VRP" --library "$LIB" sync
expect_status "a refused refresh token exits 77" 77
run "$VRP" --library "$LIB" remote ls
expect_match "the remote is paused" "$out" 'PAUSED: ERR_AUTH_EXPIRED'
run "$VRP" --library "$LIB" remote auth od --device --timeout 30
expect_status "vrp remote auth signs in again" 0
run "$VRP" --library "$LIB" sync
expect_status "the queued upload goes through" 0
check "every recording is on OneDrive once" test "$(live_files)" -eq \
	"$(sqlite3 "$LIB/library.db" 'SELECT count(*) FROM recordings')"
run "$VRP" --library "$LIB" sync check --remote od
expect_status "sync check agrees" 0
check "no token in the logs" sh -c '! grep -rEq "EwB-fake-|M\.R3-fake-" "$1"' _ "$VRP_LOG_DIR"
finish
