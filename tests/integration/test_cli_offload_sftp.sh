#!/bin/sh
# offload / get / verify --remote against a real OpenSSH sshd on 127.0.0.1
# (tests/servers/sshd.sh): the common flow (offload_remote.sh) with the
# server hashing its copy (hash_command=sha256sum); a second server folder
# without a hash command (read back and hashed here), numcopies 2, a byte
# flipped there while the recording is offloaded: found, not counted, get
# fetches the good copy, and the next sync mends the bad one.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/../servers/sshd.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the generated media fixtures}"
if [ ! -x "$SSHD_BIN" ] || ! command -v ssh-keygen >/dev/null; then
	echo "1..0 # SKIP no OpenSSH server here"
	exit 0
fi
. "$(dirname "$0")/offload_remote.sh"
SRV="$WORK/sshd"
trap 'sshd_stop "$SRV"; rm -rf "$WORK"' EXIT
sshd_setup "$SRV" && sshd_start "$SRV" || { echo "Bail out! cannot start sshd"; exit 1; }
HOME="$WORK/home"
export HOME
mkdir -p "$HOME"
unset SSH_AUTH_SOCK
printf 'Host *\n\tIdentitiesOnly yes\n' >"$WORK/ssh_config"
L="$WORK/lib"
REMOTE="$WORK/remote"
ov -q init
ov -q config set derive.kinds ""
# sftp_add NAME PATH [settings...]
sftp_add() {
	_n=$1 _p=$2; shift 2
	ov -q remote add "$_n" sftp host=127.0.0.1 port="$(cat "$SRV/port")" user="$(id -un)" \
		path="$_p" key_file="$SRV/user_ed25519" transport=openssh \
		"ssh_command=ssh -F $WORK/ssh_config" known_hosts="$HOME/.ssh/known_hosts" "$@"
}
sftp_add nas "$REMOTE" hash_command=sha256sum
run ov remote test nas --accept-host-key
expect_status "the server's host key is accepted" 0
R=nas
# The file on the server's disk, changed behind vrp's back (sha256sum there sees it).
corrupt_copy() {
	printf 'X' | dd of="$(find "$REMOTE" -name '*.wav' | head -1)" bs=1 seek=300 conv=notrunc 2>/dev/null
}

offload_flow "$FIXTURES/pcm16.wav"

# ---- without a hash command: the copy is read back over SFTP and hashed here ----
sftp_add plain "$WORK/plain"
ov -q config set offload.numcopies 2
run ov sync --remote plain
expect_status "sync to a second sftp remote without hash_command" 0
run ov offload "$ID"
expect_status "its copy has no proof yet: offload proves it first, then frees the file" 0
expect_match "naming both copies" "$out" "^offloaded +$ID .*copies: nas \(.*\), plain \("
check "plain's proof is a hash of its bytes" test \
	"$(odb "SELECT verify_method FROM recording_remote WHERE recording_id = $ID AND remote = 'plain'")" = provider-hash
check "the local file is gone" test ! -e "$(oraw "$ID")"
printf 'Y' | dd of="$(find "$WORK/plain" -name '*.wav' | head -1)" bs=1 seek=500 conv=notrunc 2>/dev/null
run ov --json verify --remote plain
expect_status "a flipped byte on the server is found (65)" 65
check "corrupt ($(finding_of "$out" "$ID"))" test "$(finding_of "$out" "$ID")" = "corrupt -"
run ov get "$ID"
expect_status "get brings it back from the good copy" 0
expect_match "on nas" "$out" "^fetched +$ID +from nas"
check "the exact bytes" cmp "$FIXTURES/pcm16.wav" "$(oraw "$ID")"
run ov sync --remote plain
expect_status "and the next sync sends plain a good copy again" 0
check "plain holds the right bytes" cmp "$FIXTURES/pcm16.wav" "$(find "$WORK/plain" -name '*.wav' | head -1)"
finish
