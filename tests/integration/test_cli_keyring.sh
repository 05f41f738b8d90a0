#!/bin/sh
# Secrets in a real Secret Service (gnome-keyring on a private session bus).
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null ||
	! command -v secret-tool >/dev/null; then
	n=$((n + 1)); echo "ok $n - keyring store # SKIP no dbus-run-session, gnome-keyring or secret-tool"
	finish; exit
fi
mkdir -p "$WORK/home" "$WORK/nas"
# The keyring keeps its files under the (private) home of this test.
HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/.local/share" XDG_RUNTIME_DIR="$WORK/home" \
	timeout 120 dbus-run-session -- sh -c '
	printf "unlock\n" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || exit 90
	V=$1; L=$2
	"$V" -q --library "$L" init
	"$V" -q --library "$L" remote add nas localdir path="$3"
	printf "kr-s3cret\n" | "$V" --library "$L" remote secret nas password || exit 91
	echo "store=$(grep -c . "$L/credentials.json" 2>/dev/null || echo none)"
	echo "lookup=$(secret-tool lookup library "$L" remote nas key password)"
	"$V" -q --library "$L" remote rm nas
	echo "after=$(secret-tool lookup library "$L" remote nas key password)"
	' _ "$VRP" "$WORK/lib" "$WORK/nas" >"$WORK/kr.out" 2>"$WORK/kr.err"
status=$?
out=$(cat "$WORK/kr.out")
if [ "$status" -eq 90 ]; then
	n=$((n + 1)); echo "ok $n - keyring store # SKIP gnome-keyring would not start here"
	finish; exit
fi
expect_match "without VRP_CREDENTIAL_STORE the keyring is chosen when it answers" "$out" 'store=none'
expect_match "the secret is in the keyring" "$out" 'lookup=kr-s3cret'
expect_match "removing the remote removes its secret" "$out" 'after=$'
finish
