#!/bin/sh
# Transcribing speech: the real-time factor (CPU seconds per second of audio,
# target <= 0.35 on one core) and the peak RSS of one decoder (target
# < 150 MiB), on MINUTES of synthetic speech (flite's voices, sentences with
# pauses). The RSS of a tenth of the length shows it does not grow with it.
# No peer is timed: pocketsphinx_continuous (Debian's `pocketsphinx`) reads
# WAV files only and assumes a 44-byte header.
#
# Env: MINUTES (3), TMPDIR.
set -eu
: "${VRP:?}"
HERE=$(dirname "$0")
# shellcheck source=bench/common.sh
. "$HERE/common.sh"
MINUTES=${MINUTES:-3}
bench_need flite sox /usr/bin/time
if [ ! -d /usr/share/pocketsphinx/model/en-us ]; then
	echo "SKIP: needs pocketsphinx-en-us (scripts/install-deps.sh)"
	exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vrp-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
i=0
for v in slt rms awb kal16; do
	for t in "Rice is often served in round bowls." "The box was thrown beside the parked truck." \
		"Kick the ball straight and follow through." "A pot of tea helps to pass the evening."; do
		i=$((i + 1))
		flite -voice "$v" -t "$t" -o "$WORK/raw.wav"
		sox -q "$WORK/raw.wav" -r 16000 -c 1 -b 16 "$WORK/s$i.wav" pad 0 0.8
	done
done
sox -q "$WORK"/s*.wav "$WORK/unit.wav"
unit=$(soxi -D "$WORK/unit.wav")
reps=$(awk "BEGIN { print int($MINUTES * 60 / $unit + 0.999) }")
set --
for _ in $(seq "$reps"); do set -- "$@" "$WORK/unit.wav"; done
sox -q "$@" "$WORK/long.wav"
set --
for _ in $(seq $(((reps + 9) / 10))); do set -- "$@" "$WORK/unit.wav"; done
sox -q "$@" "$WORK/short.wav"

# transcribe FILE: "cpu_seconds audio_seconds peak_rss_kib" of one transcription.
transcribe() {
	lib=$WORK/lib
	rm -rf "$lib"
	"$VRP" -q --library "$lib" init
	"$VRP" -q --library "$lib" import --no-derive "$1"
	/usr/bin/time -f "%U %S %M" -o "$WORK/time" "$VRP" -q --library "$lib" transcribe 1
	read -r user sys rss <"$WORK/time"
	echo "$(calc "$user + $sys") $(soxi -D "$1") $rss"
}

set -- $(transcribe "$WORK/long.wav")
cpu=$1 audio=$2 rss=$3
set -- $(transcribe "$WORK/short.wav")
short_rss=$3
rtf=$(calc "$cpu / $audio")
echo "audio $(calc "$audio / 60") min, CPU $cpu s: real-time factor $rtf per core"
echo "peak RSS $((rss / 1024)) MiB ($((short_rss / 1024)) MiB for a tenth of the length)"
verdict "real-time factor $rtf <= 0.35" "$(awk "BEGIN { print ($rtf <= 0.35) }")"
verdict "peak RSS $((rss / 1024)) MiB < 150 MiB" "$([ "$rss" -lt $((150 * 1024)) ] && echo 1 || echo 0)"
verdict "RSS does not grow with the length" "$([ "$rss" -lt $((short_rss + 16 * 1024)) ] && echo 1 || echo 0)"
bench_exit
