#!/bin/sh
# make bench: runs every bench/*.bench.sh; each prints its measurements and
# the ratio against the peer it names, measured in the same run, and exits 1
# when it misses its target. Every benchmark runs even after a miss; the exit
# status says whether any missed. BENCH=NAME runs only bench/NAME.bench.sh.
set -eu
: "${VRP:=build/src/cli/vrp}"
export VRP
cd "$(dirname "$0")/.."
missed=""
for b in bench/${BENCH:-*}.bench.sh; do
	[ -e "$b" ] || continue
	echo "== $b"
	sh "$b" || missed="$missed $b"
done
if [ -n "$missed" ]; then
	echo "== missed a target:$missed"
	exit 1
fi
