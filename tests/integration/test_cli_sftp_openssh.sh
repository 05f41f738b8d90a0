#!/bin/sh
# The openssh transport's own behaviour, against a real sshd on 127.0.0.1:
# a Host alias of an ssh config as the only connection setting, an ssh-agent
# holding the key (no key_file), ProxyJump through the same sshd, vrp killed
# -9 mid-upload then resumed, no ssh on PATH (libssh2, said once), key_file
# and known_hosts paths with spaces, and an ssh_command speaking malformed
# SFTP (a clear error, no crash).
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/../servers/sshd.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the generated media fixtures}"

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null || ! command -v ssh-agent >/dev/null; then
	echo "1..0 # SKIP no OpenSSH client and server here"
	exit 0
fi

SRV="$WORK/sshd"
AGENT_PID=""
trap 'sshd_stop "$SRV"; [ -n "$AGENT_PID" ] && kill "$AGENT_PID"; rm -rf "$WORK"' EXIT
sshd_setup "$SRV" && sshd_start "$SRV" || { echo "Bail out! cannot start sshd"; exit 1; }
PORT=$(cat "$SRV/port")
ME=$(id -un)
HOME="$WORK/home"
export HOME
mkdir -p "$HOME"
unset SSH_AUTH_SOCK
LIB="$WORK/lib"
REMOTE="$WORK/remote"
FAKE="$(dirname "$0")/../fakes/sftp_malformed.py"
"$VRP" -q --library "$LIB" init
"$VRP" -q --library "$LIB" import "$FIXTURES/pcm16.wav" "$FIXTURES/flac16k.flac" \
	"$FIXTURES/memo.m4a"
logins() { grep -c 'Accepted publickey' "$SRV/sshd.log"; }
CFG="$WORK/ssh_config"
cat >"$CFG" <<CONF
Host nas-alias
	HostName 127.0.0.1
	Port $PORT
	User $ME
	IdentityFile $SRV/user_ed25519
	IdentitiesOnly yes
	UserKnownHostsFile $SRV/known_hosts
Host via-jump
	HostName 127.0.0.1
	Port $PORT
	User $ME
	IdentityFile $SRV/user_ed25519
	IdentitiesOnly yes
	UserKnownHostsFile $SRV/known_hosts
	ProxyJump nas-alias
Host agent-only
	HostName 127.0.0.1
	Port $PORT
	User $ME
	UserKnownHostsFile $SRV/known_hosts
CONF

# ---- a Host alias is the only connection setting ----
"$VRP" -q --library "$LIB" remote add alias sftp host=nas-alias path="$REMOTE" \
	"ssh_command=ssh -F $CFG"
run "$VRP" --library "$LIB" remote test alias
expect_status "remote test through a Host alias of the ssh config" 0
before=$(logins)
run "$VRP" --library "$LIB" sync --remote alias --concurrency 1
expect_status "sync through the alias" 0
check "the three recordings are on the server" test "$(find "$REMOTE" -type f ! -name "*.vrp.json" | wc -l)" -eq 3
check "over one ssh login for the run, not one per file ($before -> $(logins))" \
	test $(($(logins) - before)) -le 2

# ---- the key comes from an ssh-agent: no key_file, no IdentityFile ----
eval "$(ssh-agent -s)" >/dev/null
AGENT_PID=$SSH_AGENT_PID
ssh-add -q "$SRV/user_ed25519" 2>/dev/null
"$VRP" -q --library "$LIB" remote add agent sftp host=agent-only path="$REMOTE/agent" \
	"ssh_command=ssh -F $CFG"
run "$VRP" --library "$LIB" remote test agent
expect_status "remote test with the key only in ssh-agent" 0
kill "$AGENT_PID"
AGENT_PID=""
unset SSH_AUTH_SOCK SSH_AGENT_PID
run "$VRP" --library "$LIB" remote test agent
expect_status "without the agent the login is refused (exit 77)" 77
expect_match "as ERR_AUTH" "$err" 'refused the login.*ERR_AUTH'

# ---- ProxyJump through the same sshd ----
"$VRP" -q --library "$LIB" remote add jump sftp host=via-jump path="$REMOTE/jump" \
	"ssh_command=ssh -F $CFG"
run "$VRP" --library "$LIB" remote test jump
expect_status "remote test through ProxyJump" 0

# ---- vrp killed -9 mid-upload; the next sync resumes from the .part ----
python3 - "$WORK/big.wav" <<'PY'
import os, sys, wave
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(2); w.setsampwidth(2); w.setframerate(48000)
    for _ in range(6):
        w.writeframes(os.urandom(16 << 20))
PY
"$VRP" -q --library "$LIB" import "$WORK/big.wav"
"$VRP" -q --library "$LIB" sync --remote alias >/dev/null 2>&1 &
spid=$!
i=0
while [ $i -lt 1000 ] && [ -z "$(find "$REMOTE" -name '*.part' -size +8192k 2>/dev/null)" ]; do
	sleep 0.01
	i=$((i + 1))
done
kill -9 "$spid"
wait "$spid" 2>/dev/null || true
part=$(find "$REMOTE" -name '*.part' | head -1)
check "a .part is left by the killed vrp" test -n "$part"
run "$VRP" --library "$LIB" sync --remote alias
expect_status "the next sync succeeds" 0
check "it resumed from the .part's bytes" grep -q 'resuming the upload of .* at byte [1-9]' "$VRP_LOG_DIR"/*
check "no .part is left" test -z "$(find "$REMOTE" -name '*.part')"
check "the file arrived whole" test "$(sha256sum <"$WORK/big.wav")" = \
	"$(sha256sum <"$(find "$REMOTE" -name '*.wav' -size +8192k | head -1)")"

# ---- no ssh on PATH: libssh2, said once in the log ----
"$VRP" -q --library "$LIB" remote add plain sftp host=127.0.0.1 port="$PORT" user="$ME" \
	path="$REMOTE/plain" key_file="$SRV/user_ed25519" known_hosts="$SRV/known_hosts"
mkdir -p "$WORK/nobin"
VRP_ABS=$(command -v "$VRP")
out=$(PATH="$WORK/nobin" "$VRP_ABS" --library "$LIB" remote test plain 2>"$WORK/.stderr") &&
	status=0 || status=$?
err=$(cat "$WORK/.stderr")
expect_status "without ssh on PATH the remote still works (libssh2)" 0
check "and the log says so" grep -q 'no ssh program on PATH: sftp remotes use libssh2' "$VRP_LOG_DIR"/*

# ---- key_file and known_hosts paths with spaces, '%' and '"': ssh gets them whole ----
ODD="$WORK/odd dir %h \"q\""
mkdir -p "$ODD"
cp "$SRV/user_ed25519" "$ODD/my key"
chmod 600 "$ODD/my key"
: >"$ODD/known hosts"
"$VRP" -q --library "$LIB" remote add odd sftp host=127.0.0.1 port="$PORT" user="$ME" \
	path="$REMOTE/odd" key_file="$ODD/my key" known_hosts="$ODD/known hosts" transport=openssh \
	"ssh_command=ssh -F /dev/null"
run "$VRP" --library "$LIB" remote test odd --accept-host-key
expect_status "odd paths: the host key is accepted" 0
check "into the known_hosts file named, spaces and all" grep -q 'ssh-ed25519' "$ODD/known hosts"
run "$VRP" --library "$LIB" sync --remote odd
expect_status "odd paths: a sync logs in with the key file named" 0
check "and the files arrived" test "$(find "$REMOTE/odd" -type f ! -name '*.part' | wc -l)" -ge 3
"$VRP" -q --library "$LIB" remote add dollar sftp host=127.0.0.1 port="$PORT" user="$ME" \
	path="$REMOTE/dollar" known_hosts="$ODD/\${HOME}" transport=openssh
run "$VRP" --library "$LIB" remote test dollar
check "a path with \${ is refused (exit $status)" test "$status" -gt 0 -a "$status" -lt 128
expect_match "saying why" "$err" 'would expand as a variable'

# ---- an ssh_command that speaks malformed SFTP: a clear error, no crash ----
for mode in oversized wrongid short hugenames; do
	"$VRP" -q --library "$LIB" remote add "fake-$mode" sftp host=fake path=/srv transport=openssh \
		"ssh_command=python3 $FAKE $mode"
	if [ $mode = hugenames ]; then
		run "$VRP" --library "$LIB" sync check --remote "fake-$mode"
	else
		run "$VRP" --library "$LIB" remote test "fake-$mode"
	fi
	check "$mode: fails without a crash (exit $status)" test "$status" -gt 0 -a "$status" -lt 128
	expect_match "$mode: saying the server broke the protocol" "$err" \
		'broke the SFTP protocol|sent a packet of 2147483647 bytes'
done
finish
