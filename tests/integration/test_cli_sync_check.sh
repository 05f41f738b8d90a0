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

sha_list() { find "$1" -type f ! -name "*.vrp.json" ! -name '*.part' -exec sha256sum {} + | cut -d' ' -f1 | sort; }
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

# ---- sync pull: library B (another device) gets A's recordings ----
B="$WORK/b"
vb() { VRP_CONFIG="$WORK/b.ini" "$VRP" --library "$B" "$@"; }
vb -q init
vb -q remote add nas localdir path="$NAS"
cp "$FIXTURES/pcm24.wav" "$WORK/only-b.wav"
vb -q import "$FIXTURES/memo.m4a" "$WORK/only-b.wav"
run vb --json sync pull --remote nas
expect_status "B pulls from the shared remote" 0
check "two recordings pulled" test "$(printf '%s\n' "$out" | grep -c '"status":"pulled"')" -eq 2
check "the one B already had is a duplicate" \
	test "$(printf '%s\n' "$out" | grep -c '"status":"duplicate"')" -eq 1
pulled=$(printf '%s\n' "$out" | sed -n 's/.*"status":"pulled".*"id":\([0-9]*\).*/\1/p' | head -1)
run vb --json show "$pulled"
expect_match "a pulled recording's copy is recorded as verified by download and sha256" \
	"$out" '"remote":"nas","sync_status":"synced",.*"verification":"download\+sha256"'
run vb --json audit --operation download
check "each pulled recording is a download in the audit log" \
	test "$(printf '%s\n' "$out" | grep -c '"operation":"download"')" -eq 2
lib_shas "$A" >"$WORK/a.sha"
lib_shas "$B" >"$WORK/b.sha"
check "B has every recording of A, with the same checksums" \
	test -z "$(comm -23 "$WORK/a.sha" "$WORK/b.sha")"
check "pulled recordings come from cloud:nas" test "$(sqlite3 "$B/library.db" \
	"SELECT count(*) FROM recordings WHERE ingest_source = 'cloud:nas'")" -eq 2
check "and are synced to nas with A's paths" test "$(sqlite3 "$B/library.db" \
	"SELECT count(*) FROM recording_remote WHERE remote = 'nas' AND sync_status = 'synced' AND remote_path LIKE 'VoiceRecorderPro/%'")" -eq 3
run vb sync pull --remote nas
expect_match "a second pull has nothing to do" "$out" '0 pulled, 0 duplicate, 0 rejected, 3 already mapped'
run vb sync
expect_status "B syncs" 0
expect_match "uploading only its own recording" "$out" 'synced 1 '
check "the remote holds four files, none twice" test "$(find "$NAS" -type f ! -name "*.vrp.json" | wc -l)" -eq 4
run va sync pull --remote nas
expect_match "A pulls B's recording" "$out" '1 pulled, 0 duplicate, 0 rejected, 3 already mapped'
check "both libraries hold the same content" test "$(lib_shas "$A")" = "$(lib_shas "$B")"
echo "not audio" >"$NAS/VoiceRecorderPro/notes.txt"
run vb sync pull --remote nas
expect_status "a non-audio object makes pull exit 65" 65
expect_match "named with its code" "$err" 'notes.txt: .*\[ERR_UNSUPPORTED_MEDIA\]'
rm "$NAS/VoiceRecorderPro/notes.txt"

# ---- delete_policy ----
count_nas() { find "$NAS" -type f ! -name "*.vrp.json" | wc -l; }
before=$(count_nas)
run va rm 1
run va sync
check "vrp rm never deletes remotely" test "$(count_nas)" -eq "$before"
run va purge --yes 1
expect_status "purge with delete_policy keep (the default)" 0
run va sync
check "keep leaves the remote copy" test "$(count_nas)" -eq "$before"
run va sync pull --remote nas
expect_status "a pull after the purge" 0
expect_match "skips the kept copy as purged" "$out" '0 pulled, .* 1 purged'
check "and does not bring it back" test "$(sqlite3 "$A/library.db" \
	"SELECT count(*) FROM recordings WHERE original_filename = 'pcm16.wav'")" -eq 0
C="$WORK/c"
BIN="$WORK/bin"
mkdir "$BIN"
vc() { VRP_CONFIG="$WORK/c.ini" "$VRP" --library "$C" "$@"; }
vc -q init
vc -q import "$FIXTURES/pcm16.wav"
run vc remote add bin localdir path="$BIN" delete_policy=purge
expect_status "a remote with delete_policy=purge" 0
run vc sync
check "C's recording is on it" test "$(find "$BIN" -type f ! -name "*.vrp.json" | wc -l)" -eq 1
run vc purge --yes 1
expect_status "purge queues the remote delete" 0
check "the purge itself does not touch the remote" test "$(find "$BIN" -type f ! -name "*.vrp.json" | wc -l)" -eq 1
run vc sync pull --remote bin
expect_match "a pull before the delete ran skips the object as purged" "$out" '0 pulled, .* 1 purged'
check "and imports nothing" test "$(sqlite3 "$C/library.db" "SELECT count(*) FROM recordings")" -eq 0
run vc sync
expect_status "the next sync runs the delete" 0
expect_match "and says so" "$out" 'remote copies of purged recordings deleted 1'
check "the remote copy and its metadata sidecar are gone" test "$(find "$BIN" -type f | wc -l)" -eq 0
run vc remote add bad localdir path="$BIN" delete_policy=shred
expect_status "an unknown delete_policy is refused" 64

# ---- one object never stops a pull or a check ----
ODD="$WORK/odd"
mkdir -p "$ODD/VoiceRecorderPro"
long=$(printf 'a%.0s' $(seq 240))
cp "$FIXTURES/float32.wav" "$ODD/VoiceRecorderPro/$long 0123abcd.wav"
cp "$FIXTURES/odd-chunks.wav" "$ODD/VoiceRecorderPro/$(printf 'esc\033[31m\nline.wav')"
cp "$FIXTURES/flac16k.flac" "$ODD/VoiceRecorderPro/. 12345678"
cp "$FIXTURES/flac16k.flac" "$ODD/VoiceRecorderPro/second copy.flac"
cp "$FIXTURES/tone.aiff" "$ODD/VoiceRecorderPro/zz last.aiff"
va -q remote add odd localdir path="$ODD"
run va --json sync pull --remote odd
check "pull reports every object" test "$(printf '%s\n' "$out" | grep -c '"status"')" -eq 5
expect_match "a 250-byte name is pulled" "$out" "\"status\":\"pulled\".*$long"
expect_match "so is the object listed last" "$out" '"status":"pulled".*zz last.aiff'
expect_match "a name with control characters is that object's rejection" "$out" \
	'"status":"rejected".*esc.*"code":"ERR_INVALID_ARGUMENT"'
check "the names vrp cannot keep locally were made safe" test "$(sqlite3 "$A/library.db" \
	"SELECT count(*) FROM recordings WHERE original_filename GLOB '*[/]*' OR original_filename IN ('.', '..') OR length(CAST(original_filename AS BLOB)) > 239")" -eq 0
run va sync check --remote odd
expect_match "check runs to its summary" "$out" '5 object\(s\) on 1 remote\(s\)'
expect_match "the unmapped second copy of a pulled recording is a duplicate" "$out" \
	'^duplicate +odd VoiceRecorderPro/.*a copy of recording'
expect_match "not extra: the only extra object is the one pull rejected" "$out" ' 1 extra,.* 1 duplicate'

finish
