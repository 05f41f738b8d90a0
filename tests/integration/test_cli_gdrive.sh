#!/bin/sh
# The gdrive remote end to end against the fake Drive (tests/fakes): sign-in
# with the device flow and the loopback flow, sync of a small and a 50 MiB
# recording, pull into a second library, verify, sync check, and that no
# token reaches the config or the logs.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
. "$(dirname "$0")/gdrive_fake.sh"
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

check "the fake Drive is up" curl -sf "$FAKE/__control/state" -o /dev/null

run gdrive_add "$LIB" gd delete_policy=trash
expect_status "remote add gd gdrive with the fake's endpoints" 0
run "$VRP" --library "$LIB" remote add bad gdrive api_url=http://example.com/drive/v3
expect_status "plain http to anything but loopback is refused" 64
run "$VRP" --library "$LIB" remote add bad gdrive chunk_size=1000
expect_status "a chunk size that is not a multiple of 256 KiB is refused" 64

run "$VRP" --library "$LIB" remote test gd
expect_status "remote test before sign-in exits 77" 77
expect_match "and says how to sign in" "$err" 'vrp remote auth gd'

# ---- device flow: the fake approves after two polls ----
run "$VRP" --library "$LIB" --json remote auth gd --device --timeout 30
expect_status "remote auth --device" 0
expect_match "prints the verification URL and code on stderr" "$err" "$FAKE/device.*
.*
  [A-Z]{4}-[A-Z]{4}"
expect_match "and a JSON result" "$out" '"name":"gd","authorized":true,"store":"file"'
check "tokens are in the 0600 credential store" sh -c \
	'test "$(stat -c %a "$1/credentials.json")" = 600 && grep -q refresh_token "$1/credentials.json"' _ "$LIB"
check "the device flow polled the token endpoint" test \
	"$(fake_state 's["token_requests"].get("urn:ietf:params:oauth:grant-type:device_code", 0)')" -ge 2

run "$VRP" --library "$LIB" remote test gd
expect_status "remote test after sign-in" 0
expect_match "reachable, authenticated, writable" "$out" 'reachable, authenticated, writable'
check "the probe went to the trash" test "$(live_files)" -eq 0
check "inside the app folder VoiceRecorderPro" test "$(fake_state \
	'[f["name"] for f in s["files"] if f["mimeType"].endswith("folder")]')" = "['VoiceRecorderPro']"

# ---- loopback flow, driven by a test client following the redirect ----
gdrive_add "$LIB" gd2 folder=Other
"$VRP" --library "$LIB" remote auth gd2 --no-browser --timeout 30 \
	>"$WORK/auth.out" 2>"$WORK/auth.err" &
auth_pid=$!
i=0
while ! grep -q '^  http' "$WORK/auth.err" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
url=$(sed -n 's/^  \(http.*\)$/\1/p' "$WORK/auth.err" | head -1)
expect_match "the auth URL asks for drive.file with PKCE S256 and a loopback redirect" "$url" \
	'scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fdrive.file.*code_challenge=[A-Za-z0-9_-]{43}&code_challenge_method=S256'
expect_match "with redirect_uri http://127.0.0.1:PORT/" "$url" 'redirect_uri=http%3A%2F%2F127.0.0.1%3A[0-9]+%2F'
page=$(curl -s -L "$url")
expect_match "the browser lands on vrp's page" "$page" 'You can close this window'
wait "$auth_pid" && auth_status=0 || auth_status=$?
check "remote auth (loopback) exits 0" test "$auth_status" -eq 0
run "$VRP" --library "$LIB" remote test gd2
expect_status "the loopback-authorised remote works" 0

# ---- sync: a small recording (multipart) and a 50 MiB one (resumable) ----
make_wav "$WORK/small.wav" 200000
make_wav "$WORK/large.wav" 52428800
"$VRP" -q --library "$LIB" import "$WORK/small.wav" "$WORK/large.wav"
"$VRP" -q --library "$LIB" edit "$(sqlite3 "$LIB/library.db" "SELECT id FROM recordings WHERE title = 'small'")" \
	--description "said on the train" --tag memo --tag "tag two"
start=$(date +%s)
run "$VRP" --library "$LIB" sync --remote gd
expect_status "sync to gdrive" 0
expect_match "synced both" "$out" 'synced 2 .*failed 0'
echo "# sync of 50 MiB + 200 kB took $(( $(date +%s) - start )) s"
check "two live files on Drive" test "$(live_files)" -eq 2
check "with the library's sha256s (Drive's sha256Checksum)" test "$(fake_state \
	'"\n".join(sorted(f["sha256Checksum"] for f in s["files"] if not f["trashed"] and "sha256Checksum" in f))')" = "$(lib_shas "$LIB")"
check "in VoiceRecorderPro/YYYY/MM, as named in the catalogue" test "$(drive_paths)" = \
	"$(sqlite3 "$LIB/library.db" "SELECT remote_path FROM recording_remote WHERE remote = 'gd' ORDER BY remote_path")"
check "each carrying appProperties uuid and sha256" test "$(fake_state \
	'len([f for f in s["files"] if not f["trashed"] and set(f.get("appProperties", {})) >= {"uuid", "sha256"}])')" -eq 2
check "the large one went through a resumable session in 8 MiB chunks" test "$(fake_state \
	'len([r for r in s["requests"] if r["method"] == "PUT" and r["path"].startswith("/upload")])')" -eq 7
run sqlite3 "$LIB/library.db" "SELECT DISTINCT remote_id FROM recording_remote WHERE remote = 'gd'"
expect_match "the catalogue keeps Drive's file ids" "$out" '^[A-Za-z0-9_-]+$'

check "each copy is recorded as verified by Drive's sha256" test "$(sqlite3 "$LIB/library.db" \
	"SELECT group_concat(DISTINCT verification) FROM recording_remote WHERE remote = 'gd'")" = sha256

run "$VRP" --library "$LIB" sync --remote gd
expect_match "a second sync uploads nothing" "$out" 'synced 0 '
check "and makes no second copy" test "$(live_files)" -eq 2

run "$VRP" --library "$LIB" sync check --remote gd
expect_status "sync check finds the remote in step" 0
run "$VRP" --library "$LIB" verify
expect_status "vrp verify" 0

# ---- pull into a second library: downloads verified ----
# (another machine: its own library and config file)
LIB2="$WORK/lib2"
VRP_CONFIG="$WORK/config2.ini" "$VRP" -q --library "$LIB2" init
VRP_CONFIG="$WORK/config2.ini" gdrive_add "$LIB2" gd
run env VRP_CONFIG="$WORK/config2.ini" "$VRP" --library "$LIB2" remote auth gd --device --timeout 30
expect_status "the second library signs in too" 0
run env VRP_CONFIG="$WORK/config2.ini" "$VRP" --library "$LIB2" sync pull --remote gd
expect_status "sync pull" 0
expect_match "pulls both recordings" "$out" '2 pulled'
check "with the same contents" test "$(lib_shas "$LIB2")" = "$(lib_shas "$LIB")"
show_all "$LIB" >"$WORK/lib.jsonl"
show_all "$LIB2" >"$WORK/lib2.jsonl"
check "and every field kept (Drive's description; ids and paths aside)" \
	python3 "$(dirname "$0")/same_recordings.py" "$WORK/lib.jsonl" "$WORK/lib2.jsonl"
check "the description holds vrp's metadata, appProperties the uuid" test "$(fake_state \
	'len([f for f in s["files"] if not f["trashed"] and "vrp-recording" in (f.get("description") or "") and "uuid" in f.get("appProperties", {})])')" -eq 2
run "$VRP" --library "$LIB2" verify
expect_status "the pulled library verifies" 0

# ---- purge with delete_policy=trash: the Drive copy goes to the trash ----
small_id=$(sqlite3 "$LIB/library.db" "SELECT id FROM recordings WHERE title = 'small'")
small_file=$(sqlite3 "$LIB/library.db" "SELECT remote_id FROM recording_remote WHERE recording_id = $small_id")
"$VRP" -q --library "$LIB" rm "$small_id"
run "$VRP" --library "$LIB" purge --yes "$small_id"
expect_status "purge" 0
run "$VRP" --library "$LIB" sync --remote gd
expect_status "sync runs the queued remote delete" 0
check "the Drive file is in the trash, not gone" test "$(fake_state \
	"[f['trashed'] for f in s['files'] if f['id'] == '$small_file']")" = "[True]"

# ---- secrets stay secret ----
check "no token in the config file" sh -c '! grep -Eq "ya29\.fake-|1//fake-" "$1"' _ "$VRP_CONFIG"
check "no token in the logs" sh -c '! grep -rEq "ya29\.fake-|1//fake-|4/fake-" "$1"' _ "$VRP_LOG_DIR"
check "the logs did record the sign-in" grep -rq 'signed in to Google Drive' "$VRP_LOG_DIR"
finish
