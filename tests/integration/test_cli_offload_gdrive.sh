#!/bin/sh
# offload / get / verify --remote against the fake Drive: the common flow
# (offload_remote.sh), rot Drive did not notice (only a download shows it),
# and damage in transit: a download damaged once (mended by the retry) or on
# every attempt (get fails, the copy stops counting), and an upload whose
# stored file Drive reports with another hash (the sync fails after 3 tries).
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the generated media fixtures}"
. "$(dirname "$0")/gdrive_fake.sh"
. "$(dirname "$0")/offload_remote.sh"
L="$WORK/lib"
R=gd
ov -q init
ov -q config set derive.kinds ""
gdrive_add "$L" gd
run ov remote auth gd --device --timeout 30
expect_status "signed in to the fake Drive" 0
# file_id ID: the Drive id of recording ID's copy.
file_id() { odb "SELECT remote_id FROM recording_remote WHERE recording_id = $1 AND remote = 'gd'"; }
# The content changed on Drive (another client): Drive's sha256 follows it.
corrupt_copy() { fake_post /__control/corrupt "{\"id\":\"$(file_id "$1")\",\"offset\":300,\"rehash\":true}"; }

offload_flow "$FIXTURES/pcm16.wav"

# ---- rot Drive did not notice: its hash still says the old bytes ----
fake_post /__control/corrupt "{\"id\":\"$(file_id "$ID")\",\"offset\":301}"
run ov --json verify --remote gd
check "Drive's own hash cannot see rot ($(finding_of "$out" "$ID"))" \
	test "$(finding_of "$out" "$ID")" = "ok provider-hash"
run ov --json verify --remote gd --download
expect_status "verify --remote --download finds it (65)" 65
check "corrupt ($(finding_of "$out" "$ID"))" test "$(finding_of "$out" "$ID")" = "corrupt -"
expect_match "the download never matched Drive's own hash" "$out" 'ERR_CHECKSUM_MISMATCH'
check "it was downloaded 3 times, then judged" test "$(grep -c 'arrived other than the catalogue' "$VRP_LOG_DIR"/* 2>/dev/null | awk -F: '{s += $NF} END {print s}')" -ge 3
run ov sync --remote gd
expect_status "the next sync sends it again" 0

# ---- a download damaged in transit, once: the retry mends it ----
run ov --json verify --remote gd
ov -q offload "$ID" >/dev/null
size=$(stat -c %s "$FIXTURES/pcm16.wav")
fake_post /__control/fault "{\"method\":\"GET\",\"query_contains\":\"alt=media\",\"stream_bytes\":$size,\"times\":1}"
run ov get "$ID"
expect_status "a download damaged once: get tries again and succeeds" 0
check "with the exact bytes" cmp "$FIXTURES/pcm16.wav" "$(oraw "$ID")"
check "the damage was logged as a warning" grep -q '"level":"warning".*arrived damaged' "$VRP_LOG_DIR"/*

# ---- damaged on every attempt: get fails, the copy no longer counts ----
ov -q offload "$ID" >/dev/null
fake_post /__control/fault "{\"method\":\"GET\",\"query_contains\":\"alt=media\",\"stream_bytes\":$size,\"times\":10}"
run ov get "$ID"
expect_status "every download damaged: get fails (65)" 65
expect_match "saying so, with its stable code" "$err" 'on 3 attempts; the copy no longer counts.*ERR_CHECKSUM_MISMATCH'
check "three downloads, then it stopped" test "$(fake_state 'len([f for f in s["faults"]])')" -eq 1
check "still offloaded, nothing half-written" test -n "$(odb "SELECT offloaded_at FROM recordings WHERE id = $ID")" -a ! -e "$(oraw "$ID")"
check "the copy lost its proof" test -z "$(odb "SELECT verify_method FROM recording_remote WHERE recording_id = $ID AND remote = 'gd'")"
check "but keeps its mapping" test -n "$(file_id "$ID")"
check "audited as a bad copy" test "$(odb "SELECT count(*) FROM audit_log WHERE operation = 'remote_copy_bad' AND remote = 'gd'")" -ge 1
fake_post /__control/clear_faults
run ov get "$ID"
expect_status "once the network is sound, get works (the copy was fine)" 0
check "the exact bytes" cmp "$FIXTURES/pcm16.wav" "$(oraw "$ID")"

# ---- an upload Drive stores with other bytes: 3 attempts, then failed ----
make_wav "$WORK/small.wav" 40000
ov -q import "$WORK/small.wav"
SMALL=$(odb "SELECT max(id) FROM recordings")
fake_post /__control/fault '{"method":"POST","path_prefix":"/upload/drive/v3/files","merge":{"sha256Checksum":"0000000000000000000000000000000000000000000000000000000000000000","md5Checksum":"00000000000000000000000000000000"},"times":10}'
run ov sync --remote gd
expect_status "the sync fails the upload (65)" 65
expect_match "after 3 attempts, saying it was damaged in transit" "$err$out" 'damaged in transit on 3 attempts'
check "the task failed with ERR_CHECKSUM_MISMATCH" test "$(odb "SELECT state || ' ' || attempts || ' ' || error_code FROM sync_tasks WHERE recording_id = $SMALL")" = "failed 3 ERR_CHECKSUM_MISMATCH"
check "the row is failed, not proven" test "$(odb "SELECT sync_status || ' ' || coalesce(verified_at, '-') FROM recording_remote WHERE recording_id = $SMALL AND remote = 'gd'")" = "failed -"
check "the damaged uploads were removed from Drive" test "$(fake_state "len([f for f in s['files'] if not f['trashed'] and f['name'].startswith('small')])")" -eq 0
run ov offload "$SMALL"
expect_status "offload refuses" 65
expect_match "naming the failed copy and its code" "$out" 'not counted: gd \(failed, ERR_CHECKSUM_MISMATCH\)'
fake_post /__control/clear_faults
run ov sync --remote gd
expect_status "with the fault gone, the next sync sends it" 0
expect_match "one upload" "$out" 'synced 1 '
check "and only that one copy is there" test "$(fake_state "len([f for f in s['files'] if not f['trashed'] and f['name'].startswith('small')])")" -eq 1
finish
