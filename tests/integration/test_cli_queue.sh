#!/bin/sh
# `vrp queue retry|cancel --remote NAME RECORDING...` by recording id or uuid,
# and `queue ls` naming each task's recording by title.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the generated media fixtures}"
LIB="$WORK/lib"
NAS="$WORK/nas"
v() { "$VRP" --library "$LIB" "$@"; }
v -q init
mkdir "$NAS"
v -q import --title "Weekly standup" "$FIXTURES/pcm16.wav"
v -q import --title "Other memo" "$FIXTURES/flac16k.flac"
v -q remote add nas localdir path="$NAS"
uuid=$(v --json show 1 | python3 -c "import json,sys; print(json.load(sys.stdin)['uuid'])")

# Every upload fails for good: a file where the app folder should be.
: >"$NAS/VoiceRecorderPro"
run v --json sync --max-attempts 1
check "both uploads failed" test "$(printf '%s\n' "$out" | grep -c '"status":"failed"')" -eq 2
run v queue ls --state failed
expect_match "queue ls shows the recording's title" "$out" 'rec 1 .*Weekly standup$'
run v --json queue ls --state failed
expect_match "so does its JSON" "$out" '"recording_id":1,.*"title":"Weekly standup"'
rm -f "$NAS/VoiceRecorderPro"

run v queue retry --remote nas "$uuid"
expect_status "queue retry by recording uuid" 0
expect_match "requeues its task" "$out" 'requeued: 1 task$'
run v --json queue ls --state queued
expect_match "recording 1 is queued again" "$out" '"recording_id":1,"remote":"nas","state":"queued"'
check "recording 2 is not" sh -c '! printf "%s" "$1" | grep -q "\"recording_id\":2,"' _ "$out"
run v queue retry --remote nas "$uuid"
expect_status "a recording with nothing to retry" 66
expect_match "says so" "$err" 'recording 1 has no failed or cancelled task on remote "nas" \[ERR_NOT_FOUND\]'
run v queue cancel --remote nas 1
expect_status "queue cancel by recording id" 0
expect_match "cancels its task" "$out" 'cancelled: 1 task$'
run v --json queue ls --state cancelled
expect_match "which is cancelled" "$out" '"recording_id":1,"remote":"nas","state":"cancelled"'
run v queue retry --remote nas 1 2
expect_status "retry of several recordings" 0
expect_match "requeues each" "$out" 'requeued: 2 tasks$'
run v queue retry --remote nas 99
expect_status "an unknown recording" 66
run v queue retry --remote nas
expect_status "--remote needs recordings" 64
run v sync
expect_status "the requeued uploads run" 0
check "both are on the remote" test "$(find "$NAS" -type f ! -name "*.vrp.json" | wc -l)" -eq 2
run v queue retry 1
expect_status "without --remote the number is still a task id (a done task)" 64
finish
