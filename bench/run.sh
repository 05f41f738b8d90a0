#!/bin/sh
# make bench: runs every bench/*.bench.sh; each prints its measurements and
# the ratio against the peer it names, measured in the same run.
set -eu
: "${VRP:=build/src/cli/vrp}"
export VRP
cd "$(dirname "$0")/.."
for b in bench/*.bench.sh; do
	[ -e "$b" ] || continue
	echo "== $b"
	sh "$b"
done
