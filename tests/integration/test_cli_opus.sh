#!/bin/sh
# vrp derive --kind compressed: the Opus copy under derived/compressed/, read
# back by ffprobe and decoded by ffmpeg to the source's length at 48 kHz.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the media fixtures directory}"
LIB="$WORK/lib"
v() { "$VRP" --library "$LIB" "$@"; }
rows() { sqlite3 "$LIB/library.db" "$1"; }
probe() { ffprobe -v error -of default=nw=1:nk=1 -show_entries "$1" "$2"; }
# samples FILE: what a decoder gives out at 48 kHz mono, after pre-skip and end trimming.
samples() { echo $(($(ffmpeg -v error -i "$1" -ar 48000 -ac 1 -f f32le - | wc -c) / 4)); }

# 2.3123 s of stereo at 44.1 kHz: not a whole number of 20 ms Opus frames.
sox -q -n -r 44100 -c 2 -b 16 "$WORK/talk.wav" synth 2.3123 sine 440 vol 0.5
frames=$(soxi -s "$WORK/talk.wav")
rate=$(soxi -r "$WORK/talk.wav")
# The source's length at 48 kHz, rounded to the nearest sample.
want=$(((frames * 48000 * 2 + rate) / (rate * 2)))
"$VRP" -q --library "$LIB" init
v -q import --no-derive "$WORK/talk.wav" "$FIXTURES/memo.m4a"

run v derive --kind compressed 1
expect_status "derive --kind compressed exits 0" 0
expect_match "it reports the copy made" "$out" '1 compressed made'
uuid=$(rows "SELECT uuid FROM recordings WHERE id = 1")
path=$(rows "SELECT path FROM derived_assets WHERE recording_id = 1 AND kind = 'compressed'")
expect_match "the copy is derived/compressed/<uuid>.opus" "$path" "^derived/compressed/$uuid\\.opus\$"
copy="$LIB/$path"
expect_match "ffprobe reads Opus" "$(probe stream=codec_name "$copy")" '^opus$'
expect_match "at 48 kHz" "$(probe stream=sample_rate "$copy")" '^48000$'
expect_match "in mono" "$(probe stream=channels "$copy")" '^1$'
expect_match "the source is 2.3123 s at 44.1 kHz" "$rate $frames" '^44100 101972$'
expect_match "it decodes to the source's length at 48 kHz, to the sample" "$(samples "$copy")" "^$want\$"
# FFmpeg 5.1's ffprobe counts the 312-sample pre-skip into the duration: 2.3123 + 0.0065.
expect_match "ffprobe's duration is the source's within one 20 ms frame" \
	"$(probe format=duration "$copy")" '^2\.31[89]'
expect_match "its row is audio/ogg from vrp-opus" \
	"$(rows "SELECT mime_type, generator, size_bytes FROM derived_assets WHERE recording_id = 1 AND kind = 'compressed'")" \
	"^audio/ogg\\|vrp-opus\\|$(stat -c %s "$copy")\$"
run v derive --kind compressed 1
expect_match "a fresh copy is kept" "$out" '1 compressed fresh'

run v derive --kind compressed 2
expect_status "an AAC memo gets its copy too" 0
memo=$(rows "SELECT path FROM derived_assets WHERE recording_id = 2 AND kind = 'compressed'")
source_samples=$(samples "$FIXTURES/memo.m4a")
expect_match "decoding to the memo's length at 48 kHz" "$(samples "$LIB/$memo")" "^$source_samples\$"
v edit 2 --title "Board meeting, March" >/dev/null
v derive --force --kind compressed 2 >/dev/null
expect_match "the copy is tagged with the recording's title" \
	"$(ffprobe -v error -show_entries format_tags=title:stream_tags=title -of csv=p=0 "$LIB/$memo")" \
	'Board meeting, March'
finish
