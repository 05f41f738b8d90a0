#!/bin/sh
# The remote setting upload=original|compressed|both against a localdir
# remote: which files go up, how `sync check` and `sync pull` treat the
# compressed (Opus) copies, purge, and a changed derive.opus_bitrate.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the generated media fixtures}"
A="$WORK/a"
B="$WORK/b"
SMALL="$WORK/small"
BOTH="$WORK/both"
mkdir "$SMALL" "$BOTH"
va() { VRP_CONFIG="$WORK/a.ini" "$VRP" --library "$A" "$@"; }
vb() { VRP_CONFIG="$WORK/b.ini" "$VRP" --library "$B" "$@"; }
db() { sqlite3 "$A/library.db" "$1"; }

va -q init
va -q import --no-derive "$FIXTURES/pcm16.wav" "$FIXTURES/flac16k.flac"

# ---- validation ----
run va remote add small localdir path="$SMALL" upload=tiny
expect_status "remote add refuses an unknown upload value" 64
expect_match "and names the choices" "$err" 'upload must be original, compressed or both, not "tiny"'
run va remote add small localdir path="$SMALL" upload=compressed delete_policy=purge
expect_status "remote add with upload=compressed" 0
run va remote add both localdir path="$BOTH" delete_policy=purge
expect_status "remote add without upload (original)" 0
run va remote set both upload=sometimes
expect_status "remote set checks upload too" 64
run va remote set both upload=both
expect_status "remote set upload=both" 0
check "kept in the config file" grep -q "^upload = both$" "$WORK/a.ini"

# ---- sync ----
run va sync
expect_status "sync to both remotes" 0
check "the compressed-only remote holds two .opus files" \
	test "$(find "$SMALL" -type f ! -name "*.vrp.json" -name '*.opus' | wc -l)" -eq 2
check "and no original" test "$(find "$SMALL" -type f ! -name "*.vrp.json" ! -name '*.opus' | wc -l)" -eq 0
check "named after the original" test "$(find "$SMALL" -type f ! -name "*.vrp.json" -name '* ????????.wav.opus' | wc -l)" -eq 1
check "the upload=both remote holds both originals" \
	test "$(find "$BOTH" -type f ! -name "*.vrp.json" \( -name '*.wav' -o -name '*.flac' \) | wc -l)" -eq 2
check "and both copies" test "$(find "$BOTH" -type f ! -name "*.vrp.json" -name '*.opus' | wc -l)" -eq 2
opus_local=$(db "SELECT path FROM derived_assets WHERE kind = 'compressed' ORDER BY recording_id LIMIT 1")
opus_remote=$(find "$SMALL" -name '* ????????.wav.opus')
check "the remote copy is the library's Opus copy, byte for byte" cmp "$A/$opus_local" "$opus_remote"
check "the copy was made by the sync (import ran --no-derive)" \
	test "$(db "SELECT count(*) FROM derived_assets WHERE kind = 'compressed'")" -eq 2
check "rows keep the copy's sha256 and size" test "$(db "SELECT count(*) FROM recording_remote r
	JOIN derived_assets d ON d.recording_id = r.recording_id AND d.kind = 'compressed'
	WHERE r.variant = 'compressed' AND r.sync_status = 'synced'
	AND r.content_sha256 = d.sha256 AND r.content_size = d.size_bytes")" -eq 4
check "sha256 of the remote file is the row's" test "$(sha256sum "$opus_remote" | cut -d' ' -f1)" = \
	"$(db "SELECT content_sha256 FROM recording_remote WHERE remote = 'small' AND remote_path LIKE '%.wav.opus'")"
run va sync status --remote small
expect_match "status of a compressed-only remote counts its copies" "$out" 'synced[: ]+2'
run va --json show 1
expect_match "show lists the compressed copy's state" "$out" '"remote":"small","sync_status":"synced".*"variant":"compressed"'
run va sync
expect_status "a second sync" 0
check "uploads nothing" test "$(db "SELECT count(*) FROM sync_tasks")" -eq 6

# ---- check ----
run va sync check --remote small
expect_status "sync check of the compressed copies" 0
expect_match "both match" "$out" '2 object\(s\) on 1 remote\(s\): 2 matching, 0 missing'
printf 'X' | dd of="$opus_remote" bs=1 seek=100 conv=notrunc 2>/dev/null
run va sync check --remote small
expect_status "a damaged compressed copy: exit 65" 65
expect_match "is a checksum mismatch" "$out" '^checksum +small .*\.wav\.opus: sha256'
run va sync
expect_status "sync replaces it" 0
check "with the library's copy" cmp "$A/$opus_local" "$opus_remote"
rm "$opus_remote"
run va sync check --remote small
expect_match "a deleted compressed copy is missing" "$out" '^missing +small .*\.wav\.opus: not on the remote'
run va sync
check "and goes up again" cmp "$A/$opus_local" "$opus_remote"

# ---- a changed bit rate makes the copies stale ----
old=$(db "SELECT generator_version FROM derived_assets WHERE kind = 'compressed' LIMIT 1")
check "the copy's version names its bit rate" test "$old" = "1;bitrate=32000"
va -q config set derive.opus_bitrate 16000
run va --json show 1
expect_match "show says the copy is stale" "$out" '"kind":"compressed"[^}]*"stale":true'
run va derive --kind compressed --all
expect_status "derive remakes it" 0
check "at the new rate" test "$(db "SELECT count(*) FROM derived_assets WHERE kind = 'compressed' AND generator_version = '1;bitrate=16000'")" -eq 2
run va sync --remote small
expect_status "the next sync" 0
check "sends the new copies" cmp "$A/$opus_local" "$opus_remote"
run va sync check --remote small
expect_match "which check verifies" "$out" '2 matching'

# ---- pull on another device ----
vb -q init
vb -q remote add small localdir path="$SMALL" upload=compressed
run vb sync pull --remote small
expect_status "pulling a compressed-only remote into an empty library" 0
expect_match "imports nothing" "$out" '0 pulled, .*2 compressed copies'
expect_match "and says why" "$out" '^compressed .*pull imports originals only'
check "library B has no recording" test "$(sqlite3 "$B/library.db" "SELECT count(*) FROM recordings")" -eq 0
db "DELETE FROM recording_remote WHERE remote = 'small'"
run va sync pull --remote small
expect_status "A pulls copies its rows forgot" 0
expect_match "maps them back" "$out" 'the compressed copy of recording [0-9]+: mapped to it'
check "as synced compressed rows" test "$(db "SELECT count(*) FROM recording_remote WHERE remote = 'small' AND variant = 'compressed' AND sync_status = 'synced'")" -eq 2
check "A still has two recordings" test "$(db "SELECT count(*) FROM recordings")" -eq 2

# ---- purge ----
va -q rm 1
run va purge --yes 1
expect_status "purge of a recording with copies on both remotes" 0
run va sync
expect_status "sync runs the deletes" 0
check "its compressed copy left the small remote" test "$(find "$SMALL" -type f ! -name "*.vrp.json" | wc -l)" -eq 1
check "its original and copy left the other" test "$(find "$BOTH" -type f ! -name "*.vrp.json" | wc -l)" -eq 2

finish
