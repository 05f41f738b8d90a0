#!/bin/sh
# Making a recording's waveform and spectrogram against FFmpeg's own
# filters drawing the same pictures: `vrp derive --kind waveform,spectrogram`
# decodes an hour of 48 kHz stereo WAV once and feeds both generators, while
# the peer is `ffmpeg -filter_complex showwavespic` plus `ffmpeg -lavfi
# showspectrumpic` of the same file (what a script would run to get both).
# Target: vrp at least 2x faster than the two ffmpeg runs together, peak RSS
# under 64 MiB and not growing with length (a quarter-length file shows it).
#
# Env: DURATION (3600 s), RUNS (3, medians), TMPDIR.
set -eu
: "${VRP:?}"
HERE=$(dirname "$0")
# shellcheck source=bench/common.sh
. "$HERE/common.sh"
DURATION=${DURATION:-3600}
RUNS=${RUNS:-3}
bench_need ffmpeg sox /usr/bin/time

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vrp-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
LIB=$WORK/lib
# Pink noise is the worst case for neither side and keeps every pixel busy.
sox -q -n -r 48000 -c 2 -b 16 "$WORK/long.wav" synth "$DURATION" pinknoise vol 0.3
sox -q -n -r 48000 -c 2 -b 16 "$WORK/short.wav" synth $((DURATION / 4)) pinknoise vol 0.3
"$VRP" -q --library "$LIB" init
"$VRP" -q --library "$LIB" import --no-derive "$WORK/long.wav" "$WORK/short.wav"
long_id=$("$VRP" --library "$LIB" ls --json | sed -n 's/.*"id":\([0-9]*\).*"original_filename":"long.wav".*/\1/p')
short_id=$("$VRP" --library "$LIB" ls --json | sed -n 's/.*"id":\([0-9]*\).*"original_filename":"short.wav".*/\1/p')
cat "$WORK/long.wav" >/dev/null

vrp_derive() {
	time_us /usr/bin/time -f %M -o "$WORK/rss" "$VRP" -q --library "$LIB" derive --force \
		--kind waveform,spectrogram "$1"
}
ffmpeg_both() {
	w=$(time_us ffmpeg -v error -y -i "$WORK/long.wav" -filter_complex showwavespic=s=1800x140 \
		-frames:v 1 "$WORK/w.png")
	s=$(time_us ffmpeg -v error -y -i "$WORK/long.wav" -lavfi showspectrumpic=s=1024x512 \
		"$WORK/s.png")
	echo $((w + s))
}

: >"$WORK/vrp"
: >"$WORK/ffmpeg"
: >"$WORK/vrp_rss"
i=0
while [ $i -lt "$RUNS" ]; do
	vrp_derive "$long_id" >>"$WORK/vrp"
	cat "$WORK/rss" >>"$WORK/vrp_rss"
	ffmpeg_both >>"$WORK/ffmpeg"
	i=$((i + 1))
done
vrp_derive "$short_id" >/dev/null
short_rss=$(cat "$WORK/rss")

vrp=$(median <"$WORK/vrp")
ffmpeg=$(median <"$WORK/ffmpeg")
rss=$(sort -n "$WORK/vrp_rss" | tail -n 1)
ratio=$(calc "$ffmpeg / $vrp")
echo "file: ${DURATION} s of 48 kHz stereo 16-bit WAV, page-cached; median of $RUNS"
echo "ffmpeg showwavespic + showspectrumpic: $(calc "$ffmpeg / 1000000") s"
echo "vrp derive waveform,spectrogram:       $(calc "$vrp / 1000000") s"
echo "ratio ffmpeg/vrp (speed-up): $ratio"
echo "vrp peak RSS: $(calc "$rss / 1024") MiB for ${DURATION} s," \
	"$(calc "$short_rss / 1024") MiB for $((DURATION / 4)) s"
verdict "vrp at least 2x faster than ffmpeg ($ratio)" "$(awk -v r="$ratio" 'BEGIN { print (r >= 2) }')"
verdict "vrp peak RSS < 64 MiB ($(calc "$rss / 1024") MiB)" "$((rss < 64 * 1024))"
bench_exit
