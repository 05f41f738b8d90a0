#!/bin/sh
# offload / get / verify --remote against the fake Graph (OneDrive): the
# common flow (offload_remote.sh; the proof is the QuickXorHash recorded
# when the upload was checked), a download damaged in transit once (mended)
# or on every attempt (get fails, the copy stops counting), and an upload
# Graph answers with another QuickXorHash (the sync fails after 3 tries).
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the generated media fixtures}"
. "$(dirname "$0")/graph_fake.sh"
. "$(dirname "$0")/offload_remote.sh"
L="$WORK/lib"
R=od
ov -q init
ov -q config set derive.kinds ""
onedrive_add "$L" od
fake_post /__control/config '{"auto_approve_polls":0}'
run ov remote auth od --device --timeout 30
expect_status "signed in to the fake Graph" 0
item_id() { odb "SELECT remote_id FROM recording_remote WHERE recording_id = $1 AND remote = 'od'"; }
corrupt_copy() { fake_post /__control/corrupt "{\"id\":\"$(item_id "$1")\",\"offset\":300}"; }

offload_flow "$FIXTURES/pcm16.wav"

# ---- a download damaged in transit, once: the retry mends it ----
run ov --json verify --remote od
ov -q offload "$ID" >/dev/null
fake_post /__control/fault '{"method":"GET","path_prefix":"/dl/","flip_byte":1000,"times":1}'
run ov get "$ID"
expect_status "a download damaged once: get tries again and succeeds" 0
check "with the exact bytes" cmp "$FIXTURES/pcm16.wav" "$(oraw "$ID")"
check "the damage was logged as a warning" grep -q 'arrived damaged' "$VRP_LOG_DIR"/*

# ---- damaged on every attempt: get fails, the copy no longer counts ----
ov -q offload "$ID" >/dev/null
fake_post /__control/fault '{"method":"GET","path_prefix":"/dl/","flip_byte":1000,"times":10}'
run ov get "$ID"
expect_status "every download damaged: get fails (65)" 65
expect_match "saying so, with its stable code" "$err" 'on 3 attempts; the copy no longer counts.*ERR_CHECKSUM_MISMATCH'
check "still offloaded, nothing at the path" test -n "$(odb "SELECT offloaded_at FROM recordings WHERE id = $ID")" -a ! -e "$(oraw "$ID")"
check "the copy lost its proof" test -z "$(odb "SELECT verify_method FROM recording_remote WHERE recording_id = $ID AND remote = 'od'")"
run ov offload "$ID"
expect_match "an offloaded recording stays offloaded" "$out" "^already +$ID"
fake_post /__control/clear_faults
run ov --json verify --remote od
check "verify --remote proves the copy again ($(finding_of "$out" "$ID"))" test "$(finding_of "$out" "$ID")" = "ok provider-hash"
run ov get "$ID"
expect_status "and get works" 0
check "the exact bytes" cmp "$FIXTURES/pcm16.wav" "$(oraw "$ID")"

# ---- an upload Graph answers with another QuickXorHash: 3 attempts, then failed ----
make_wav "$WORK/small.wav" 40000
ov -q import "$WORK/small.wav"
SMALL=$(odb "SELECT max(id) FROM recordings")
fake_post /__control/fault '{"method":"PUT","bad_hash":true,"times":10}'
run ov sync --remote od
expect_status "the sync fails the upload (65)" 65
expect_match "after 3 attempts, saying it was damaged in transit" "$err$out" 'damaged in transit on 3 attempts'
check "the task failed with ERR_CHECKSUM_MISMATCH" test "$(odb "SELECT state || ' ' || attempts || ' ' || error_code FROM sync_tasks WHERE recording_id = $SMALL")" = "failed 3 ERR_CHECKSUM_MISMATCH"
check "the row is failed, not proven" test "$(odb "SELECT sync_status || ' ' || coalesce(verified_at, '-') FROM recording_remote WHERE recording_id = $SMALL AND remote = 'od'")" = "failed -"
check "the damaged uploads were removed" test "$(fake_state "len([f for f in s['files'] if not f['deleted'] and f['name'].startswith('small')])")" -eq 0
run ov offload "$SMALL"
expect_status "offload refuses" 65
expect_match "naming the failed copy and its code" "$out" 'not counted: od \(failed, ERR_CHECKSUM_MISMATCH\)'
fake_post /__control/clear_faults
run ov sync --remote od
expect_status "with the fault gone, the next sync sends it" 0
expect_match "one upload" "$out" 'synced 1 '
check "and only that one copy is there" test "$(fake_state "len([f for f in s['files'] if not f['deleted'] and f['name'].startswith('small')])")" -eq 1
finish
