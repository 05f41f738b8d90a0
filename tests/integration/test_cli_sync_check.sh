#!/bin/sh
# vrp sync check / sync pull / delete_policy: two libraries (two devices, each
# with its own config file) sharing one localdir remote.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the generated media fixtures}"
A="$WORK/a"
NAS="$WORK/nas"
mkdir "$NAS"
# Each device has its own config; the remote is "nas" on both.
va() { VRP_CONFIG="$WORK/a.ini" "$VRP" --library "$A" "$@"; }

sha_list() { find "$1" -type f ! -name '*.part' -exec sha256sum {} + | cut -d' ' -f1 | sort; }
lib_shas() { sqlite3 "$1/library.db" "SELECT checksum FROM recordings ORDER BY checksum"; }

va -q init
va -q import "$FIXTURES/pcm16.wav" "$FIXTURES/flac16k.flac" "$FIXTURES/memo.m4a"
va -q remote add nas localdir path="$NAS"
run va sync
expect_status "A syncs its three recordings" 0

# ---- sync check ----
run va sync check
expect_status "sync check of a remote in step exits 0" 0
expect_match "and says everything matches" "$out" '3 object\(s\) on 1 remote\(s\): 3 matching, 0 missing'

wav=$(find "$NAS" -name '*.wav')
rm "$wav"
run va sync check
expect_status "a file deleted on the remote by hand: sync check exits 65" 65
expect_match "and reports it missing with its code" "$out" \
	'^missing +nas VoiceRecorderPro/.*\.wav: not on the remote .*\[ERR_REMOTE_NOT_FOUND\]'
run va sync status
expect_match "the recording is unsynced again" "$out" 'synced 2, .*unsynced 1'
run va sync
expect_status "the next sync re-uploads it" 0
expect_match "one upload" "$out" 'synced 1 '
check "to the same path" test -f "$wav"
run va sync check
expect_status "in step again" 0

flac=$(find "$NAS" -name '*.flac')
printf 'X' | dd of="$flac" bs=1 seek=200 conv=notrunc 2>/dev/null
run va --json sync check
expect_status "a corrupted remote file: sync check exits 65" 65
expect_match "a checksum mismatch as a JSON line" "$out" \
	'"status":"checksum".*"code":"ERR_CHECKSUM_MISMATCH"'
expect_match "and a summary line" "$out" '"checksum_mismatch":1'
check "the row is a conflict" test "$(sqlite3 "$A/library.db" \
	"SELECT count(*) FROM recording_remote WHERE sync_status = 'conflict' AND error_code = 'ERR_CHECKSUM_MISMATCH'")" -eq 1
run va sync
expect_status "sync replaces the corrupted object" 0
check "the remote holds A's exact content again" test "$(sha_list "$NAS")" = "$(lib_shas "$A")"

echo "not audio" >"$NAS/VoiceRecorderPro/notes.txt"
run va sync check
expect_status "an extra object: exit 65" 65
expect_match "reported as extra" "$out" '^extra +nas VoiceRecorderPro/notes.txt: .*\[ERR_CONFLICT\]'
rm "$NAS/VoiceRecorderPro/notes.txt"

finish
