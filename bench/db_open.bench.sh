#!/bin/sh
# Start-up cost of a vrp command against the sqlite3 shell doing the same
# work: open the library database and run PRAGMA quick_check. A GUI calls
# vrp per action, so opening (pragmas, version check) must cost little more
# than SQLite itself. Prints both medians and the ratio vrp/sqlite3.
set -eu
: "${VRP:?}"
RUNS=${RUNS:-50}
LIB=$(mktemp -d "${TMPDIR:-/tmp}/vrp-bench-XXXXXX")
trap 'rm -rf "$LIB"' EXIT
"$VRP" -q --library "$LIB" init

median_ms() { # command...: median wall time of RUNS runs, in ms
	i=0
	while [ $i -lt "$RUNS" ]; do
		s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N)
		echo $(((e - s) / 1000))
		i=$((i + 1))
	done | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'
}

vrp=$(median_ms "$VRP" --library "$LIB" db status)
peer=$(median_ms sqlite3 "$LIB/library.db" "PRAGMA user_version; PRAGMA quick_check")
echo "vrp db status: ${vrp} ms median of $RUNS"
echo "sqlite3 quick_check: ${peer} ms median of $RUNS"
awk -v a="$vrp" -v b="$peer" 'BEGIN { printf "ratio vrp/sqlite3: %.2f\n", a / b }'
