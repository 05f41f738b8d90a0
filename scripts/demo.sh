#!/bin/sh
# make demo: a temporary library, the bundled sample recordings imported,
# listed, searched and verified.
set -eu
: "${VRP:=build/src/cli/vrp}"
HERE=$(cd "$(dirname "$0")/.." && pwd)
LIB=$(mktemp -d "${TMPDIR:-/tmp}/vrp-demo-XXXXXX")
say() { printf '\n$ %s\n' "$*" | sed "s|$LIB|\$LIB|g; s|$HERE/||g"; "$@"; }

echo "vrp demo: a fresh library in $LIB"
say "$VRP" --library "$LIB" init
say "$VRP" --library "$LIB" import --tag demo "$HERE"/samples/*.opus "$HERE"/samples/*.m4a \
	"$HERE"/samples/*.mp3 "$HERE"/samples/*.flac
say "$VRP" --library "$LIB" edit 4 --title "Sample voice memo" --tag memo
say "$VRP" --library "$LIB" ls
say "$VRP" --library "$LIB" search voice
say "$VRP" --library "$LIB" --json show 1
say "$VRP" --library "$LIB" verify
say "$VRP" --library "$LIB" db status
echo
echo "The library is at $LIB (remove it with: rm -rf '$LIB')."
