#!/bin/sh
# upload=both against the fake Drive: the original and its Opus copy go up,
# `sync check` verifies both (Drive reports md5, not sha256), and another
# device's pull imports the original and maps the copy to it instead of
# importing it, so its own sync uploads nothing again.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
. "$(dirname "$0")/gdrive_fake.sh"
A="$WORK/a"
B="$WORK/b"
va() { VRP_CONFIG="$WORK/a.ini" "$VRP" --library "$A" "$@"; }
vb() { VRP_CONFIG="$WORK/b.ini" "$VRP" --library "$B" "$@"; }
names() { fake_state "sorted(f['name'] for f in s['files'] if not f['trashed'] and f.get('mimeType') != 'application/vnd.google-apps.folder')"; }

va -q init
VRP_CONFIG="$WORK/a.ini" gdrive_add "$A" gd upload=both
run va remote auth gd --device --timeout 30
expect_status "A signs in" 0
make_wav "$WORK/one.wav" 40000
va -q import --title "standup" "$WORK/one.wav"
run va sync --remote gd
expect_status "A syncs with upload=both" 0
expect_match "Drive holds the original and its copy" "$(names)" "standup [0-9a-f]{8}\.wav', 'standup [0-9a-f]{8}\.wav\.opus'"
run va sync check --remote gd
expect_status "sync check verifies both" 0
expect_match "both match" "$out" '2 matching, 0 missing, 0 extra'

vb -q init
VRP_CONFIG="$WORK/b.ini" gdrive_add "$B" gd upload=both
run vb remote auth gd --device --timeout 30
expect_status "B signs in" 0
run vb sync pull --remote gd
expect_status "B pulls" 0
expect_match "the original is pulled, the copy mapped, not imported" "$out" '1 pulled, .*1 compressed copies'
expect_match "to the pulled recording" "$out" 'the compressed copy of recording 1: mapped to it'
check "B has one recording" test "$(sqlite3 "$B/library.db" "SELECT count(*) FROM recordings")" -eq 1
run vb sync --remote gd
expect_status "B syncs" 0
check "and adds nothing to Drive" test "$(fake_state "len([f for f in s['files'] if not f['trashed'] and f['name'].endswith(('.wav', '.opus'))])")" -eq 2

finish
