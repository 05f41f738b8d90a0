#!/bin/sh
# Importing one large recording against hashing it: `vrp import` reads,
# SHA-256-hashes and writes the file into the library, then makes it durable,
# so it can be no faster than `openssl dgst -sha256` reading the same cached
# file; the target is 80% of openssl's throughput. sha256sum is shown for
# scale. Peak RSS must stay under 32 MiB and must not grow with the file:
# the same import of a quarter-size file shows it. For scale it also times
# `dd conv=fsync` of the file into the same filesystem: the disk's durable
# write speed, a ceiling for any import that keeps its promise of durability.
#
# Env: SIZE_MIB (1024), SMALL_MIB (256), RUNS (3, medians), TMPDIR.
set -eu
: "${VRP:?}"
HERE=$(dirname "$0")
# shellcheck source=bench/common.sh
. "$HERE/common.sh"
SIZE_MIB=${SIZE_MIB:-1024}
SMALL_MIB=${SMALL_MIB:-256}
RUNS=${RUNS:-3}
bench_need openssl sha256sum dd python3 /usr/bin/time

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vrp-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
BIG=$WORK/large.wav
SMALL=$WORK/small.wav
python3 "$HERE/make-wavs.py" "$BIG" $((SIZE_MIB << 20))
python3 "$HERE/make-wavs.py" "$SMALL" $((SMALL_MIB << 20))
BYTES=$(wc -c <"$BIG")
# Every tool reads from the page cache, so the comparison is of the work
# each does with the bytes, not of the disk's read speed.
cat "$BIG" "$SMALL" >/dev/null

# vrp_import FILE: microseconds of one import into a new library; the peak
# RSS in KiB goes to $WORK/rss.
vrp_import() {
	lib=$WORK/lib
	rm -rf "$lib"
	"$VRP" -q --library "$lib" init
	# Write-back (and discard) left by earlier runs must not slow this one.
	sync
	us=$(time_us /usr/bin/time -f %M -o "$WORK/rss" "$VRP" -q --library "$lib" import "$1")
	rm -rf "$lib"
	echo "$us"
}

dd_fsync() {
	sync
	time_us dd if="$BIG" of="$WORK/copy" bs=1M conv=fsync status=none
	rm -f "$WORK/copy"
}

: >"$WORK/openssl"
: >"$WORK/sha256sum"
: >"$WORK/vrp"
: >"$WORK/dd"
: >"$WORK/vrp_rss"
i=0
while [ $i -lt "$RUNS" ]; do
	time_us openssl dgst -sha256 "$BIG" >>"$WORK/openssl"
	time_us sha256sum "$BIG" >>"$WORK/sha256sum"
	dd_fsync >>"$WORK/dd"
	vrp_import "$BIG" >>"$WORK/vrp"
	cat "$WORK/rss" >>"$WORK/vrp_rss"
	i=$((i + 1))
done
vrp_import "$SMALL" >/dev/null
small_rss=$(cat "$WORK/rss")

mbps() { calc "$BYTES / ($(median <"$1") / 1000000) / 1000000"; }
openssl=$(mbps "$WORK/openssl")
sha256sum=$(mbps "$WORK/sha256sum")
dd=$(mbps "$WORK/dd")
vrp=$(mbps "$WORK/vrp")
rss=$(sort -n "$WORK/vrp_rss" | tail -n 1)
ratio=$(calc "$vrp / $openssl")

echo "file: ${SIZE_MIB} MiB WAV, page-cached; MB/s = 10^6 bytes/s, median of $RUNS"
echo "openssl dgst -sha256: $openssl MB/s"
echo "sha256sum:            $sha256sum MB/s"
echo "dd conv=fsync:        $dd MB/s (the disk's durable write speed)"
echo "vrp import:           $vrp MB/s (copy + hash + fsync + probe + catalogue)"
echo "ratio vrp/openssl: $ratio"
echo "ratio openssl/sha256sum: $(calc "$openssl / $sha256sum")"
echo "ratio vrp/dd: $(calc "$vrp / $dd")"
echo "vrp peak RSS: $(calc "$rss / 1024") MiB for ${SIZE_MIB} MiB," \
	"$(calc "$small_rss / 1024") MiB for ${SMALL_MIB} MiB"
verdict "vrp/openssl >= 0.8 ($ratio)" "$(awk -v r="$ratio" 'BEGIN { print (r >= 0.8) }')"
verdict "vrp peak RSS < 32 MiB ($(calc "$rss / 1024") MiB)" "$((rss < 32 * 1024))"
bench_exit
