#!/bin/sh
# The gdrive remote against a fake Drive that answers in bad faith: broken
# listings (an error, never an empty remote), garbage entries (skipped, the
# rest still counts), repeated page tokens, media longer than declared or
# trickled, a session Location on another server, 308s that go nowhere, and
# lifetimes of 2^63 - 1. Every case must end, and end quickly.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
. "$(dirname "$0")/gdrive_fake.sh"
LIB="$WORK/lib" LIB2="$WORK/lib2"
"$VRP" -q --library "$LIB" init
gdrive_add "$LIB" gd chunk_size=262144 multipart_threshold=262144
fake_post /__control/config '{"auto_approve_polls":0}'
"$VRP" -q --library "$LIB" remote auth gd --device --timeout 30
make_wav "$WORK/a.wav" 20000
make_wav "$WORK/b.wav" 30000
"$VRP" -q --library "$LIB" import "$WORK/a.wav" "$WORK/b.wav"
"$VRP" -q --library "$LIB" sync --remote gd
synced() { sqlite3 "$LIB/library.db" "SELECT count(*) FROM recording_remote WHERE sync_status = 'synced'"; }
check "two recordings synced to start with" test "$(synced)" -eq 2
# requests PYTHON-CONDITION: how many requests the fake saw that match (r is one request).
requests() { fake_state "len([r for r in s['requests'] if $1])"; }
# Faults on the listing only (the folder and file lookups ask without orderBy).
LISTING='"method":"GET","path_prefix":"/drive/v3/files","query_contains":"orderBy"'

# ---- 14.5: a listing that does not parse is an error, never "the remote is empty" ----
for body in '' '{"kind":"drive#fileList"}' '{"files":{}}' '{"files":"none"}' '[]'; do
	fake_post /__control/fault "{$LISTING,\"body\":$(printf '%s' "$body" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')}"
	run "$VRP" --library "$LIB" sync check --remote gd
	expect_status "sync check fails on the listing '$body'" 75
	expect_match "saying the answer is broken" "$err" 'no file list|not a JSON object'
	check "and marks nothing missing (both rows still synced)" test "$(synced)" -eq 2
done
fake_post /__control/clear_faults
run "$VRP" --library "$LIB" sync check --remote gd
expect_status "with a sound listing the remote is in step" 0

# ---- 14.3: garbage entries are skipped, one by one, and the rest counts ----
APP=$(fake_state '[f["id"] for f in s["files"] if f["name"] == "VoiceRecorderPro"][0]')
GARBAGE="[5, \"x\", {\"name\": \"noid.wav\", \"parents\": [\"$APP\"]}, {\"id\": \"../x\", \"name\": \"a.wav\", \"parents\": [\"$APP\"]}, {\"id\": \"dotdot\", \"name\": \"..\", \"parents\": [\"$APP\"]}, {\"id\": \"badsize\", \"name\": \"z.wav\", \"size\": \"lots\", \"parents\": [\"$APP\"]}]"
fake_post /__control/fault "{$LISTING,\"inject_files\":$GARBAGE}"
run "$VRP" --library "$LIB" sync check --remote gd
expect_status "sync check goes on past garbage entries" 0
check "the skipped entries are logged" grep -rq 'skipped a listed entry (noid.wav) with no usable id' "$VRP_LOG_DIR"
# new_lib2: an empty second library (another machine) signed in to the same Drive.
new_lib2() {
	rm -rf "$LIB2" "$WORK/config2.ini"
	vrp2 -q init
	VRP_CONFIG="$WORK/config2.ini" gdrive_add "$LIB2" gd timeout=2
	vrp2 -q remote auth gd --device --timeout 30 >/dev/null 2>&1
}
vrp2() { env VRP_CONFIG="$WORK/config2.ini" "$VRP" --library "$LIB2" "$@"; }
new_lib2
fake_post /__control/fault "{$LISTING,\"inject_files\":$GARBAGE}"
run vrp2 sync pull --remote gd
expect_status "sync pull goes on past garbage entries" 0
expect_match "and pulls both real recordings" "$out" '2 pulled'

# ---- 14.12: a page token handed out twice is an error, not a loop ----
fake_post /__control/clear_faults
before=$(requests "'orderBy' in r.get('query', '')")
fake_post /__control/fault "{$LISTING,\"body\":\"{\\\"files\\\":[],\\\"nextPageToken\\\":\\\"again\\\"}\",\"times\":200}"
run timeout 60 "$VRP" --library "$LIB" sync check --remote gd
expect_status "a listing that repeats its page token fails" 75
expect_match "and says so" "$err" 'same page token twice'
check "after two pages, not two hundred" test \
	"$(( $(requests "'orderBy' in r.get('query', '')") - before ))" -le 3
check "nothing was marked missing" test "$(synced)" -eq 2
fake_post /__control/clear_faults

# ---- 14.6: media longer than declared stops at the size; a trickle ends ----
new_lib2
fake_post /__control/fault '{"method":"GET","path_prefix":"/drive/v3/files/","query_contains":"alt=media","stream_bytes":209715200}'
run vrp2 --json sync pull --remote gd
expect_status "a pull with one overlong download still finishes (65: one rejected)" 65
expect_match "that object fails its check" "$out" 'ERR_CHECKSUM_MISMATCH'
expect_match "the other one is pulled" "$out" '"status":"pulled"'
sent=$(fake_state "[r['sent'] for r in s['requests'] if 'sent' in r][-1]")
check "the download stopped near the declared size ($sent of 209715200 bytes sent)" \
	test "$sent" -lt 33554432
check "no partial file is left behind" sh -c '! find "$1" -name "*.vrp-*" | grep -q .' _ "$LIB2"
size=$(fake_state '[f["size"] for f in s["files"] if f["name"].startswith("a ")][0]')
fake_post /__control/fault "{\"method\":\"GET\",\"path_prefix\":\"/drive/v3/files/\",\"query_contains\":\"alt=media\",\"stream_bytes\":$size,\"rate\":2}"
start=$(date +%s)
run timeout 60 env VRP_CONFIG="$WORK/config2.ini" "$VRP" --library "$LIB2" --json sync pull --remote gd
took=$(( $(date +%s) - start ))
expect_status "a download trickling at 2 bytes/s ends (65: one rejected)" 65
expect_match "as a transient failure of that object" "$out" 'ERR_TRANSIENT'
check "by its deadline (timeout=2 plus its size at 16 KiB/s), here in $took s" test "$took" -le 10
fake_post /__control/clear_faults

# ---- 14.10: the session URL must be upload_url's origin, and gets no token ----
make_wav "$WORK/big.wav" 600000
"$VRP" -q --library "$LIB" import "$WORK/big.wav"
puts_before=$(requests "r['method'] == 'PUT'")
fake_post /__control/fault '{"method":"POST","path_prefix":"/upload/drive/v3/files","query_contains":"resumable","body":"","headers":{"Location":"http://localhost:{port}/upload/drive/v3/files?uploadType=resumable&upload_id=elsewhere"}}'
run "$VRP" --library "$LIB" sync --remote gd --max-attempts 1
expect_status "a session on another server fails the upload" 69
expect_match "with a clear error" "$err$out" 'another server than upload_url'
check "and nothing was sent there" test "$(requests "r['method'] == 'PUT'")" -eq "$puts_before"
fake_post /__control/clear_faults
run "$VRP" --library "$LIB" queue retry --all-failed
run "$VRP" --library "$LIB" sync --remote gd
expect_status "the upload then goes through" 0
check "PUTs to the session URL went" test "$(requests "r['method'] == 'PUT'")" -gt "$puts_before"
check "without an Authorization header" test "$(requests "r['method'] == 'PUT' and r.get('auth')")" -eq 0

# ---- 14.12: 308s that alternate with and without Range end the attempt ----
make_wav "$WORK/stall.wav" 700000
"$VRP" -q --library "$LIB" import "$WORK/stall.wav"
i=0
while [ $i -lt 20 ]; do
	fake_post /__control/fault '{"method":"PUT","path_prefix":"/upload/drive/v3/files","status":308,"body":"","headers":{"Range":"bytes=0-262143"}}'
	fake_post /__control/fault '{"method":"PUT","path_prefix":"/upload/drive/v3/files","status":308,"body":""}'
	i=$((i + 1))
done
puts_before=$(requests "r['method'] == 'PUT'")
run "$VRP" --library "$LIB" sync --remote gd --max-attempts 1
expect_status "an upload that makes no progress fails" 75
expect_match "saying so" "$err$out" 'makes no progress'
check "after a handful of PUTs, not 40" test "$(( $(requests "r['method'] == 'PUT'") - puts_before ))" -le 5
fake_post /__control/clear_faults

# ---- 14.11: lifetimes of 2^63 - 1 and below zero are clamped ----
for expires in 9223372036854775807 -9223372036854775807 '"99999999999999999999"'; do
	fake_post /__control/expire_access_tokens
	fake_post /__control/fault "{\"method\":\"POST\",\"path_prefix\":\"/token\",\"merge\":{\"expires_in\":$expires}}"
	run "$VRP" --library "$LIB" sync check --remote gd
	expect_status "a token with expires_in $expires is used, not overflowed" 0
done
stored=$(python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))
print(json.dumps(c))' "$LIB/credentials.json" | grep -o 'expires_at_ms[^0-9-]*-\?[0-9]*' | grep -o -- '-\?[0-9]*$' | head -1)
now_ms=$(( $(date +%s) * 1000 ))
check "the stored expiry is within a day ($stored)" test "$stored" -le $((now_ms + 86400000 + 60000))
fake_post /__control/fault '{"method":"POST","path_prefix":"/device/code","merge":{"expires_in":9223372036854775807,"interval":9223372036854775807}}'
start=$(date +%s)
run timeout 120 "$VRP" --library "$LIB" remote auth gd --device --timeout 3
expect_status "a device code with an endless lifetime and interval still signs in" 0
check "polling by the deadline, not the interval ($(( $(date +%s) - start )) s)" \
	test $(( $(date +%s) - start )) -le 15
finish
