#!/bin/sh
# The onedrive remote end to end against the fake Graph (tests/fakes/fake_graph.py):
# sign-in with the device flow and the loopback flow, sync of ten small
# recordings and a 30 MiB one through injected 429 / 503 / dropped
# connections, exactly once on the server and verified by QuickXorHash, sync
# check, pull into a second library, purge to the recycle bin, and no token
# outside the credential store.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
. "$(dirname "$0")/graph_fake.sh"
LIB="$WORK/lib"
# Providers are what this tests: no transcripts in the derive queue (slow
# under the sanitizers; test_cli_transcribe.sh covers the queue's).
printf '[derive]\nkinds = waveform,spectrogram,compressed\n' >"$VRP_CONFIG"
"$VRP" -q --library "$LIB" init
show_all() {
	for id in $(sqlite3 "$1/library.db" "SELECT id FROM recordings ORDER BY id"); do
		"$VRP" --library "$1" --json show "$id"
	done
}
lib_shas() { sqlite3 "$1/library.db" "SELECT checksum FROM recordings ORDER BY checksum"; }

check "the fake Graph is up" curl -sf "$FAKE/__control/state" -o /dev/null

run onedrive_add "$LIB" od delete_policy=trash
expect_status "remote add od onedrive with the fake's endpoints" 0
run "$VRP" --library "$LIB" remote add bad onedrive api_url=http://example.com/v1.0
expect_status "plain http to anything but loopback is refused" 64
run "$VRP" --library "$LIB" remote add bad onedrive chunk_size=262144
expect_status "a chunk size that is not a multiple of 320 KiB is refused" 64
expect_match "and says so" "$err" '327680'
run "$VRP" --library "$LIB" remote add bad onedrive scope=all
expect_status "an unknown scope is refused" 64

run "$VRP" --library "$LIB" remote test od
expect_status "remote test before sign-in exits 77" 77
expect_match "and says how to sign in" "$err" 'vrp remote auth od'

# ---- device flow: the fake approves after two polls ----
run "$VRP" --library "$LIB" --json remote auth od --device --timeout 30
expect_status "remote auth --device" 0
expect_match "prints the verification URL and code" "$err" "$FAKE/devicelogin"
expect_match "and a JSON result" "$out" '"name":"od","authorized":true'
check "tokens are in the 0600 credential store" sh -c \
	'test "$(stat -c %a "$1/credentials.json")" = 600 && grep -q refresh_token "$1/credentials.json"' _ "$LIB"
check "the device flow polled until approved" test \
	"$(fake_state 's["token_requests"].get("urn:ietf:params:oauth:grant-type:device_code", 0)')" -ge 3

run "$VRP" --library "$LIB" remote test od
expect_status "remote test after sign-in" 0
expect_match "reachable, authenticated, writable" "$out" 'reachable, authenticated, writable'
check "the probe went to the recycle bin" test "$(live_files)" -eq 0
check "nothing was touched outside the app folder" test "$(fake_state \
	'sorted(set(f["path"].split("/")[0] + "/" + f["path"].split("/")[1] for f in s["files"]))')" = \
	"['Apps/Voice Recorder Pro']"

# ---- loopback flow with PKCE, scope=files ----
onedrive_add "$LIB" od2 scope=files folder=Memos
"$VRP" --library "$LIB" remote auth od2 --no-browser --timeout 30 \
	>"$WORK/auth.out" 2>"$WORK/auth.err" &
auth_pid=$!
i=0
while ! grep -q '^  http' "$WORK/auth.err" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
url=$(sed -n 's/^  \(http.*\)$/\1/p' "$WORK/auth.err" | head -1)
expect_match "the auth URL asks for Files.ReadWrite offline_access with PKCE S256" "$url" \
	'scope=Files.ReadWrite%20offline_access.*code_challenge=[A-Za-z0-9_-]{43}&code_challenge_method=S256'
page=$(curl -s -L "$url")
expect_match "the browser lands on vrp's page" "$page" 'You can close this window'
wait "$auth_pid" && auth_status=0 || auth_status=$?
check "remote auth (loopback) exits 0" test "$auth_status" -eq 0
run "$VRP" --library "$LIB" remote test od2
expect_status "the loopback-authorised remote (scope=files) works" 0
run "$VRP" -q --library "$LIB" remote rm od2

# ---- sync: ten small recordings and a 30 MiB one, through throttling and drops ----
for k in 0 1 2 3 4 5 6 7 8 9; do make_wav "$WORK/memo $k.wav" $((100000 + k * 7776)); done
make_wav "$WORK/large.wav" 31457280
"$VRP" -q --library "$LIB" import "$WORK"/memo*.wav "$WORK/large.wav"
"$VRP" -q --library "$LIB" edit "$(sqlite3 "$LIB/library.db" "SELECT id FROM recordings WHERE title = 'memo 2'")" \
	--title "Memo two" --description "said on the train" --tag memo --tag "tag two"
fake_post /__control/fault '{"method":"PUT","path_prefix":"/v1.0/me/drive/special/approot","status":429,"code":"activityLimitReached","retry_after":2}'
fake_post /__control/fault '{"method":"PUT","path_prefix":"/upload/","status":503,"retry_after":1,"skip":1}'
fake_post /__control/fault '{"method":"PUT","path_prefix":"/upload/","drop_after_bytes":100000,"skip":2}'
start=$(date +%s)
run "$VRP" --library "$LIB" --json sync --remote od
expect_status "sync to onedrive through 429, 503 and a dropped connection" 0
elapsed=$(( $(date +%s) - start ))
expect_match "the 429 is reported as ERR_UPLOAD_RATE_LIMIT" "$out" '"code":"ERR_UPLOAD_RATE_LIMIT"'
check "no sooner than its Retry-After ($elapsed s)" test "$elapsed" -ge 2
check "the faults were all met" test "$(fake_state 's["faults"]')" -eq 0
check "eleven files on OneDrive" test "$(live_files)" -eq 11
check "with the library's sha256s" test "$(fake_state \
	'"\n".join(sorted(f["sha256"] for f in s["files"] if not f["deleted"]))')" = "$(lib_shas "$LIB")"
check "no duplicate names (no 'memo 1 1.wav')" test "$(fake_state \
	'len(set(f["path"] for f in s["files"] if not f["deleted"]))')" -eq 11
check "in the app folder under YYYY/MM, as named in the catalogue" test "$(fake_state \
	'"\n".join(sorted("VoiceRecorderPro/" + f["path"].split("/", 2)[2] for f in s["files"] if not f["deleted"]))')" = \
	"$(sqlite3 "$LIB/library.db" "SELECT remote_path FROM recording_remote WHERE remote = 'od' ORDER BY remote_path")"
check "each description carries the uuid and sha256" test "$(fake_state \
	'len([f for f in s["files"] if not f["deleted"] and "\"uuid\":" in (f["description"] or "") and f["sha256"] in f["description"]])')" -eq 11
check "the large one went in 10 MiB fragments through a session" test "$(fake_state \
	'len([r for r in s["requests"] if r["method"] == "PUT" and r["path"].startswith("/upload/")])')" -ge 3
check "no upload fragment carried an Authorization header" test "$(fake_state \
	'len([r for r in s["requests"] if r["path"].startswith("/upload/") and r["auth"]])')" -eq 0
check "the catalogue keeps OneDrive's QuickXorHash" test "$(sqlite3 "$LIB/library.db" \
	"SELECT group_concat(remote_checksum, ' ') FROM (SELECT remote_checksum FROM recording_remote WHERE remote = 'od' ORDER BY remote_path)")" = \
	"$(fake_state '" ".join(f["quickXorHash"] for f in sorted((f for f in s["files"] if not f["deleted"]), key=lambda f: f["path"]))')"
check "and records the copies as verified by it" test "$(sqlite3 "$LIB/library.db" \
	"SELECT group_concat(DISTINCT verification) FROM recording_remote WHERE remote = 'od'")" = quickxorhash

before=$(fake_state 'len(s["requests"])')
run "$VRP" --library "$LIB" sync --remote od
expect_match "a second sync uploads nothing" "$out" 'synced 0 '
check "and sends no upload at all" test "$(fake_state \
	"len([r for r in s['requests'][$before:] if r['method'] in ('PUT', 'POST')])")" -eq 0

run "$VRP" --library "$LIB" --json sync check --remote od
expect_status "sync check" 0
expect_match "finds every object in step, by the QuickXorHash verified at upload" "$out" \
	'"objects":11,"matched":11,"missing":0,"extra":0,"size_mismatch":0,"checksum_mismatch":0,"unverified":0'
run "$VRP" --library "$LIB" verify
expect_status "vrp verify" 0

# ---- pull into a second library ----
LIB2="$WORK/lib2"
VRP_CONFIG="$WORK/config2.ini" "$VRP" -q --library "$LIB2" init
VRP_CONFIG="$WORK/config2.ini" onedrive_add "$LIB2" od
run env VRP_CONFIG="$WORK/config2.ini" "$VRP" --library "$LIB2" remote auth od --device --timeout 30
expect_status "the second library signs in too" 0
fake_post /__control/config '{"page_size":4}'
fake_post /__control/fault '{"method":"GET","path_prefix":"/dl/","truncate_after":65536,"skip":10}'
run env VRP_CONFIG="$WORK/config2.ini" "$VRP" --library "$LIB2" sync pull --remote od
expect_status "sync pull (listing paged by nextLink)" 0
expect_match "pulls all eleven" "$out" '11 pulled'
check "with the same contents" test "$(lib_shas "$LIB2")" = "$(lib_shas "$LIB")"
show_all "$LIB" >"$WORK/lib.jsonl"
show_all "$LIB2" >"$WORK/lib2.jsonl"
check "and every field kept (the item's description; ids and paths aside)" \
	python3 "$(dirname "$0")/same_recordings.py" "$WORK/lib.jsonl" "$WORK/lib2.jsonl"
check "the cut download was resumed with Range" test "$(fake_state \
	'len([r for r in s["requests"] if r["path"].startswith("/dl/") and (r["range"] or "").startswith("bytes=65536-")])')" -eq 1
run "$VRP" --library "$LIB2" verify
expect_status "the pulled library verifies" 0
check "the pull went through the delta feed, paged by nextLink" test "$(fake_state \
	'len([r for r in s["requests"] if r["path"].endswith("/special/approot/delta")])')" -ge 3
check "and kept its delta link" test -n "$(sqlite3 "$LIB2/library.db" \
	"SELECT change_cursor FROM remotes WHERE name = 'od'")"
fake_post /__control/config '{"page_size":200}'

# ---- a second pull asks only for what changed (delta link; 410 starts over) ----
make_wav "$WORK/later.wav" 123456
"$VRP" -q --library "$LIB" import "$WORK/later.wav"
"$VRP" -q --library "$LIB" sync --remote od
before=$(fake_state 'len(s["requests"])')
run env VRP_CONFIG="$WORK/config2.ini" "$VRP" --library "$LIB2" sync pull --remote od
expect_status "a second pull" 0
expect_match "is shown only the new recording" "$out" '1 pulled, 0 duplicate, 0 rejected, 0 already mapped'
check "and downloads only it" test "$(fake_state \
	"len([r for r in s['requests'][$before:] if r['path'].endswith('/content')])")" -eq 1
run env VRP_CONFIG="$WORK/config2.ini" "$VRP" --library "$LIB2" sync pull --remote od
expect_match "a pull with nothing new is shown nothing" "$out" '0 pulled, 0 duplicate, 0 rejected, 0 already mapped'
fake_post /__control/delta_reset
make_wav "$WORK/later2.wav" 123460
"$VRP" -q --library "$LIB" import "$WORK/later2.wav"
"$VRP" -q --library "$LIB" sync --remote od
run env VRP_CONFIG="$WORK/config2.ini" "$VRP" --library "$LIB2" sync pull --remote od
expect_status "a pull whose delta link is refused (410 resyncRequired)" 0
expect_match "starts over with the whole folder" "$out" '1 pulled, 0 duplicate, 0 rejected, 12 already mapped'
run env VRP_CONFIG="$WORK/config2.ini" "$VRP" --library "$LIB2" sync pull --remote od
expect_match "then follows the new delta link" "$out" '0 pulled, 0 duplicate, 0 rejected, 0 already mapped'
run env VRP_CONFIG="$WORK/config2.ini" "$VRP" --library "$LIB2" log --limit 50
expect_match "the log says the feed started over" "$out" 'change feed started over'

# ---- purge with delete_policy=trash: the OneDrive copy goes to the recycle bin ----
small_id=$(sqlite3 "$LIB/library.db" "SELECT id FROM recordings WHERE title = 'memo 3'")
small_item=$(sqlite3 "$LIB/library.db" "SELECT remote_id FROM recording_remote WHERE recording_id = $small_id")
"$VRP" -q --library "$LIB" rm "$small_id"
run "$VRP" --library "$LIB" purge --yes "$small_id"
expect_status "purge" 0
run "$VRP" --library "$LIB" sync --remote od
expect_status "sync runs the queued remote delete" 0
check "the item is in the recycle bin, not gone" test "$(fake_state \
	"[f['deleted'] for f in s['files'] if f['id'] == '$small_item']")" = "[True]"

# ---- secrets stay secret: every file the run wrote, but the credential store ----
check "the logs did record the sign-in" grep -rq 'signed in to OneDrive' "$VRP_LOG_DIR"
leaks=$(grep -rlE 'EwB-fake-|M\.R3-fake-|M\.C-fake-|DAQ-fake-' "$WORK" "$VRP_LOG_DIR" 2>/dev/null |
	grep -v '/credentials.json$' | grep -v '/fake\.' || true)
check "no token in any other file the run wrote ($leaks)" test -z "$leaks"
finish
