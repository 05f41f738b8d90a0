#!/bin/sh
# Searching what was said across HOURS of transcripts (default 10,000 hours:
# 20,000 recordings of 30 minutes, ~4.4 M utterances, ~94 M words): the
# whole-process wall time of `vrp search WORD`, target < 50 ms, beside the
# same process on an empty library (what start-up alone costs on this
# machine) and its CPU time (user + sys, which a loaded machine inflates
# less than wall time). Words: "reykjavik" (1 utterance in 10,000),
# "umbrella" (~1 in 150), "budget" (~1 in 15).
#
# The transcripts are synthetic word streams written straight into the
# catalogue by make-transcripts.py (no audio), cached in
# $TMPDIR/vrp-bench-transcripts/v<schema>-h<HOURS>; delete it to regenerate.
#
# Env: HOURS (10000), RUNS (15), WORDS, TMPDIR.
set -eu
: "${VRP:?}"
HERE=$(dirname "$0")
# shellcheck source=bench/common.sh
. "$HERE/common.sh"
HOURS=${HOURS:-10000}
RUNS=${RUNS:-15}
WORDS=${WORDS:-reykjavik umbrella budget}
bench_need python3 /usr/bin/time

PROBE=$(mktemp -d "${TMPDIR:-/tmp}/vrp-bench-XXXXXX")
trap 'rm -rf "$PROBE"' EXIT
export VRP_CONFIG="$PROBE/config.ini" VRP_LOG_DIR="$PROBE/logs"
SCHEMA=$("$VRP" --json --library "$PROBE/empty" init | sed -n 's/.*"schema_version":\([0-9]*\).*/\1/p')
LIB=${TMPDIR:-/tmp}/vrp-bench-transcripts/v$SCHEMA-h$HOURS
if [ ! -f "$LIB/library.db" ]; then
	echo "generating $HOURS hours of transcripts into $LIB (cached for later runs)"
	rm -rf "$LIB.part"
	mkdir -p "$(dirname "$LIB")"
	"$VRP" -q --library "$LIB.part" init
	s=$(now_us)
	python3 "$HERE/make-transcripts.py" "$LIB.part/library.db" "$HOURS"
	mv "$LIB.part" "$LIB"
	echo "generated in $(calc "($(now_us) - $s) / 1000000") s, $(du -m "$LIB/library.db" | cut -f1) MiB"
fi
cat "$LIB/library.db" >/dev/null

# cpu_ms LIB WORD: user + sys of one search, in ms.
cpu_ms() {
	/usr/bin/time -f '%U %S' -o "$PROBE/cpu" "$VRP" --library "$1" search "$2" >/dev/null
	awk '{ print int(($1 + $2) * 1000 + 0.5) }' "$PROBE/cpu"
}

# measure LABEL LIB WORD: prints the line; WALL gets the median.
measure() {
	label=$1
	: >"$PROBE/wall"
	: >"$PROBE/cpus"
	"$VRP" --library "$2" search "$3" >"$PROBE/hits"
	i=0
	while [ $i -lt "$RUNS" ]; do
		time_us "$VRP" --library "$2" search "$3" >>"$PROBE/wall"
		cpu_ms "$2" "$3" >>"$PROBE/cpus"
		i=$((i + 1))
	done
	# shellcheck disable=SC2046 # two numbers, split on purpose
	set -- $(median_p90_ms <"$PROBE/wall") "$(median <"$PROBE/cpus")"
	printf '%-28s wall %7s ms, p90 %7s   cpu %5s ms   %s hits\n' "$label" "$1" "$2" "$3" \
		"$(grep -c '^[0-9]' "$PROBE/hits" || true)"
	WALL=$1
}

measure "empty library (start-up)" "$PROBE/empty" reykjavik
for w in $WORDS; do
	measure "search $w" "$LIB" "$w"
	verdict "$HOURS h: search $w median < 50 ms ($WALL ms)" \
		"$(awk -v m="$WALL" 'BEGIN { print (m < 50) }')"
done
