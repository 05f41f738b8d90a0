# offload_remote.sh - source after tap.sh: the offload / get / verify --remote
# flow that every remote type must pass, against library $L and its remote
# $R (added and signed in by the caller). The caller defines corrupt_copy
# ID, which flips one stored byte of the remote's copy of recording ID.
# offload_flow FILE imports FILE, then: sync, verify --remote proves the
# copy by the provider's hash, offload frees it, get brings back the exact
# bytes, the corrupted copy is found, not counted, and sent again by sync.
ov() { "$VRP" --library "$L" "$@"; }
odb() { sqlite3 "$L/library.db" "$@"; }
oraw() { echo "$L/$(odb "SELECT local_path FROM recordings WHERE id = $1")"; }
# finding_of OUT ID: the finding verify --remote --json gave recording ID.
finding_of() {
	printf '%s\n' "$1" | python3 -c 'import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o.get("recording_id") == int(sys.argv[1]):
        print(o["finding"], o["verify_method"] or "-")' "$2"
}

offload_flow() {
	ov -q import "$1"
	ID=$(odb "SELECT max(id) FROM recordings")
	run ov sync --remote "$R"
	expect_status "$R: sync uploads the recording" 0
	run ov --json verify --remote "$R"
	expect_status "$R: verify --remote" 0
	check "$R: proves the copy by the provider's hash ($(finding_of "$out" "$ID"))" \
		test "$(finding_of "$out" "$ID")" = "ok provider-hash"
	run ov offload "$ID"
	expect_status "$R: offload frees the local file" 0
	expect_match "$R: naming the copy that counts" "$out" "^offloaded +$ID .*copies: $R \("
	check "$R: the local file is gone" test ! -e "$(oraw "$ID")"
	run ov get "$ID"
	expect_status "$R: get fetches it back" 0
	expect_match "$R: from the remote" "$out" "^fetched +$ID +from $R"
	check "$R: the exact bytes (checksum verified)" cmp "$1" "$(oraw "$ID")"
	corrupt_copy "$ID"
	run ov --json verify --remote "$R"
	expect_status "$R: a corrupted remote copy is found (65)" 65
	check "$R: reported corrupt ($(finding_of "$out" "$ID"))" \
		test "$(finding_of "$out" "$ID")" = "corrupt -"
	expect_match "$R: and queued for upload again" "$out" '"requeued":true'
	check "$R: its proof is gone" test -z \
		"$(odb "SELECT verified_at FROM recording_remote WHERE recording_id = $ID AND remote = '$R'")"
	run ov offload "$ID"
	expect_status "$R: the corrupt copy does not count (offload refuses)" 65
	check "$R: the local file stays" cmp "$1" "$(oraw "$ID")"
	run ov sync --remote "$R"
	expect_status "$R: the next sync uploads it again" 0
	expect_match "$R: one upload" "$out" 'synced 1 '
	run ov --json verify --remote "$R" --download
	expect_status "$R: the new copy verifies by download" 0
	check "$R: proven by download ($(finding_of "$out" "$ID"))" \
		test "$(finding_of "$out" "$ID")" = "ok download"
}
