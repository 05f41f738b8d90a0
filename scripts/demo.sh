#!/bin/sh
# make demo: a temporary library, the bundled sample recordings imported,
# listed, searched, verified, then synced to a localdir remote.
set -eu
: "${VRP:=build/src/cli/vrp}"
HERE=$(cd "$(dirname "$0")/.." && pwd)
LIB=$(mktemp -d "${TMPDIR:-/tmp}/vrp-demo-XXXXXX")
say() { printf '\n$ %s\n' "$*" | sed "s|$LIB|\$LIB|g; s|$HERE/||g"; "$@"; }

# Everything the demo writes stays beside its library: its logs and state
# (never the user's ~/.local/state/vrp/logs) and its config file.
VRP_LOG_DIR="$LIB/logs"
XDG_STATE_HOME="$LIB/state"
XDG_CACHE_HOME="$LIB/cache"
VRP_CONFIG="$LIB/demo-config.ini"
export VRP_LOG_DIR XDG_STATE_HOME XDG_CACHE_HOME VRP_CONFIG

echo "vrp demo: a fresh library in $LIB"
say "$VRP" --library "$LIB" init
say "$VRP" --library "$LIB" import --tag demo "$HERE"/samples/*.opus "$HERE"/samples/*.m4a \
	"$HERE"/samples/*.mp3 "$HERE"/samples/*.flac
say "$VRP" --library "$LIB" edit 4 --title "Sample voice memo" --tag memo
say "$VRP" --library "$LIB" ls
say "$VRP" --library "$LIB" search voice
say "$VRP" --library "$LIB" --json show 1
say "$VRP" --library "$LIB" derive --all
say "$VRP" --library "$LIB" waveform 4 --width 8
say "$VRP" --library "$LIB" verify
say "$VRP" --library "$LIB" db status
# Sync to a folder standing in for a NAS.
mkdir "$LIB-nas"
say "$VRP" --library "$LIB" remote add nas localdir path="$LIB-nas"
say "$VRP" --library "$LIB" sync --remote nas
say find "$LIB-nas" -type f
say "$VRP" --library "$LIB" sync status
echo
echo "The library is at $LIB (its logs in $LIB/logs), its remote at $LIB-nas"
echo "(remove them with: rm -rf '$LIB' '$LIB-nas')."
