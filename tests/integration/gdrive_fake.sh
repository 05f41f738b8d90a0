# gdrive_fake.sh - source after tap.sh: starts tests/fakes/fake_drive.py on a
# free 127.0.0.1 port (stopped by PID on exit) and gives the gdrive tests
# their helpers. Sets FAKE (the origin), FAKE_PID.
FAKE_DIR="$(cd "$(dirname "$0")/../fakes" && pwd)"
VRP_CREDENTIAL_STORE=file
VRP_GDRIVE_CLIENT_ID=vrp-test-client
VRP_GDRIVE_CLIENT_SECRET=vrp-test-secret
export VRP_CREDENTIAL_STORE VRP_GDRIVE_CLIENT_ID VRP_GDRIVE_CLIENT_SECRET
# No browser may be started by a test.
unset DISPLAY WAYLAND_DISPLAY

python3 "$FAKE_DIR/fake_drive.py" --port-file "$WORK/fake.port" --log "$WORK/fake.log" &
FAKE_PID=$!
trap 'kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
i=0
while [ ! -s "$WORK/fake.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
FAKE="http://127.0.0.1:$(cat "$WORK/fake.port")"

# fake_post PATH [JSON]: a control call.
fake_post() {
	if [ $# -ge 2 ]; then _body=$2; else _body='{}'; fi
	curl -sf -X POST -H 'Content-Type: application/json' -d "$_body" "$FAKE$1" >/dev/null
}

# fake_state PYTHON-EXPR: evaluates EXPR with `s` bound to /__control/state.
fake_state() {
	curl -sf "$FAKE/__control/state" | python3 -c 'import json, sys
s = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1"
}

# live_files: how many non-trashed, non-folder files the fake holds.
live_files() {
	fake_state 'len([f for f in s["files"] if not f["trashed"] and f["mimeType"] != "application/vnd.google-apps.folder"])'
}

# gdrive_add LIB NAME [key=value...]: a gdrive remote whose endpoints are the fake's.
gdrive_add() {
	_lib=$1 _name=$2; shift 2
	"$VRP" -q --library "$_lib" remote add "$_name" gdrive \
		auth_url="$FAKE/o/oauth2/v2/auth" token_url="$FAKE/token" \
		device_url="$FAKE/device/code" api_url="$FAKE/drive/v3" \
		upload_url="$FAKE/upload/drive/v3" "$@"
}

# make_wav PATH BYTES: a WAV of random samples (vrp imports only real audio).
make_wav() {
	python3 - "$1" "$2" <<'PY'
import os, sys, wave
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(2); w.setsampwidth(2); w.setframerate(44100)
    left = int(sys.argv[2])
    while left > 0:
        n = min(left, 1 << 20) & ~3
        w.writeframes(os.urandom(n)); left -= n
PY
}

# drive_paths: the path of every live file on the fake ("VoiceRecorderPro/2026/01/x.wav"), sorted.
drive_paths() {
	curl -sf "$FAKE/__control/state" | python3 -c 'import json, sys
s = json.load(sys.stdin)
byid = {f["id"]: f for f in s["files"]}
def path(f):
    parent = (f.get("parents") or ["root"])[0]
    return f["name"] if parent not in byid else path(byid[parent]) + "/" + f["name"]
for p in sorted(path(f) for f in s["files"]
                if not f["trashed"] and not f["mimeType"].endswith(".folder")):
    print(p)'
}
