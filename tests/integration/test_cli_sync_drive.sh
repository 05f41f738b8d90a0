#!/bin/sh
# sync pull / sync check / sync against the fake Drive when two files share one
# name (Drive allows it): rows are matched to objects by Drive file id, so both
# are pulled, neither is missing or extra, and nothing is uploaded again.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
. "$(dirname "$0")/gdrive_fake.sh"
A="$WORK/a"
B="$WORK/b"
va() { VRP_CONFIG="$WORK/a.ini" "$VRP" --library "$A" "$@"; }
vb() { VRP_CONFIG="$WORK/b.ini" "$VRP" --library "$B" "$@"; }
wavs() { fake_state "[f['$1'] for f in s['files'] if f['name'].endswith('.wav') and not f['trashed']]"; }

va -q init
VRP_CONFIG="$WORK/a.ini" gdrive_add "$A" gd
run va remote auth gd --device --timeout 30
expect_status "A signs in" 0
make_wav "$WORK/one.wav" 20000
make_wav "$WORK/two.wav" 30000
va -q import "$WORK/one.wav" "$WORK/two.wav"
run va sync --remote gd
expect_status "A syncs two recordings" 0

# Another client renames the second file to the first one's name.
token=$(grep -o 'ya29\.fake-[A-Za-z0-9._-]*' "$A/credentials.json" | head -1)
first=$(fake_state "sorted(f['name'] for f in s['files'] if f['name'].endswith('.wav'))[0]")
second_id=$(fake_state "[f['id'] for f in s['files'] if f['name'].endswith('.wav') and f['name'] != '$first'][0]")
curl -sf -X PATCH -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
	-d "{\"name\": \"$first\"}" "$FAKE/drive/v3/files/$second_id" -o /dev/null
check "two Drive files now share one name" test "$(fake_state \
	"len(set(f['name'] for f in s['files'] if f['name'].endswith('.wav')))")" -eq 1

run va sync check --remote gd
expect_status "A's check matches each row to its file by id" 0
expect_match "both match, none missing or extra" "$out" '2 matching, 0 missing, 0 extra'

vb -q init
VRP_CONFIG="$WORK/b.ini" gdrive_add "$B" gd
run vb remote auth gd --device --timeout 30
expect_status "B signs in" 0
run vb sync pull --remote gd
expect_status "B pulls" 0
expect_match "both same-named files" "$out" '2 pulled, 0 duplicate, 0 rejected'
check "each row keeps its own Drive id under the shared path" test "$(sqlite3 "$B/library.db" \
	"SELECT count(DISTINCT remote_id) || ' ' || count(DISTINCT remote_path) FROM recording_remote WHERE remote = 'gd'")" = "2 1"
run vb sync pull --remote gd
expect_match "a second pull finds both mapped" "$out" '0 pulled, .* 2 already mapped'
run vb sync check --remote gd
expect_status "B's check finds the remote in step" 0
expect_match "no conflict, nothing missing" "$out" '2 matching, 0 missing, 0 extra, 0 size mismatch'
run vb sync --remote gd
expect_status "B's sync" 0
check "uploads no more copies" test "$(live_files)" -eq 2
finish
