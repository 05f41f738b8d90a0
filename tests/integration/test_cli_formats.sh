#!/bin/sh
# Recordings as devices make them: raw ADTS AAC (Android), CAF with LPCM and
# ALAC (Apple), Sony Wave64, WMA in ASF (Windows Sound Recorder), Matroska
# audio; made here by sox and ffmpeg. Each imports with its container and
# codec, decodes for its assets, and a truncated one is refused.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
LIB="$WORK/lib"
V() { "$VRP" --library "$LIB" "$@"; }
V -q init
sox -q -n -r 44100 -c 1 -b 16 "$WORK/src.wav" synth 2 sine 440 vol 0.5
ff() { ffmpeg -v error -y -i "$WORK/src.wav" "$@"; }
ff -c:a aac "$WORK/memo.aac"
ff -c:a pcm_s16le "$WORK/lpcm.caf"
ff -c:a alac "$WORK/alac.caf"
ff -f w64 "$WORK/sony.w64"
ff -c:a wmav2 "$WORK/windows.wma"
ff -c:a flac "$WORK/audio.mka"

# name mime codec: each file imports and says what it is.
for spec in "memo.aac audio/aac aac" "lpcm.caf audio/x-caf pcm_s16le" "alac.caf audio/x-caf alac" \
	"sony.w64 audio/x-w64 pcm_s16le" "windows.wma audio/x-ms-wma wmav2" \
	"audio.mka audio/x-matroska flac"; do
	set -- $spec
	run V --json import "$WORK/$1"
	expect_match "$1 imports" "$out" '"status":"imported"'
	id=$(printf '%s' "$out" | sed -n 's/.*"id":\([0-9]*\).*/\1/p' | head -1)
	run V --json show "$id"
	expect_match "$1 is $2" "$out" "\"mime_type\":\"$2\""
	expect_match "$1 is coded as $3" "$out" "\"codec\":\"$3\""
	expect_match "$1 lasts about 2 s" "$out" '"duration":(1\.9[5-9]|2\.0)'
done
run V derive --all --kind waveform,compressed
expect_status "every one of them decodes for its assets" 0

# Cut files are refused with ERR_CORRUPT_MEDIA, by what their frames or header declare.
head -c 9000 "$WORK/memo.aac" >"$WORK/cut.aac"
head -c 20000 "$WORK/windows.wma" >"$WORK/cut.wma"
head -c 30000 "$WORK/alac.caf" >"$WORK/cut.caf"
for f in cut.aac cut.wma cut.caf; do
	run V import "$WORK/$f"
	expect_match "a truncated $f is refused" "$out$err" 'ERR_CORRUPT_MEDIA'
done
# Still refused: text, pictures and video without sound.
printf 'not audio\n' >"$WORK/notes.aac"
ffmpeg -v error -y -f lavfi -i testsrc=d=1 -frames:v 1 -f image2 -c:v png "$WORK/picture.wav"
for f in notes.aac picture.wav; do
	run V import "$WORK/$f"
	expect_match "$f is refused as unsupported" "$out$err" 'ERR_UNSUPPORTED_MEDIA'
done
finish
