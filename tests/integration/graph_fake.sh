# graph_fake.sh - source after tap.sh: starts tests/fakes/fake_graph.py on a
# free 127.0.0.1 port (stopped by PID on exit) and gives the onedrive tests
# their helpers. Sets FAKE (the origin), FAKE_PID.
FAKE_DIR="$(cd "$(dirname "$0")/../fakes" && pwd)"
VRP_CREDENTIAL_STORE=file
VRP_ONEDRIVE_CLIENT_ID=vrp-test-onedrive
export VRP_CREDENTIAL_STORE VRP_ONEDRIVE_CLIENT_ID
HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share"
XDG_STATE_HOME="$WORK/home/.local/state"
export HOME XDG_CONFIG_HOME XDG_DATA_HOME XDG_STATE_HOME
mkdir -p "$HOME"
unset DISPLAY WAYLAND_DISPLAY # no browser may be started by a test

python3 "$FAKE_DIR/fake_graph.py" --port-file "$WORK/fake.port" &
FAKE_PID=$!
trap 'kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
i=0
while [ ! -s "$WORK/fake.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
FAKE="http://127.0.0.1:$(cat "$WORK/fake.port")"

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

# live_files: how many files the fake holds outside the recycle bin.
live_files() { fake_state 'len([f for f in s["files"] if not f["deleted"]])'; }

# onedrive_add LIB NAME [key=value...]: a onedrive remote whose endpoints are the fake's.
onedrive_add() {
	_lib=$1 _name=$2; shift 2
	"$VRP" -q --library "$_lib" remote add "$_name" onedrive \
		auth_url="$FAKE/consumers/oauth2/v2.0/authorize" \
		token_url="$FAKE/consumers/oauth2/v2.0/token" \
		device_url="$FAKE/consumers/oauth2/v2.0/devicecode" api_url="$FAKE/v1.0" "$@"
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
