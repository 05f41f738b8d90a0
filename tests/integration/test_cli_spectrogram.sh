#!/bin/sh
# vrp spectrogram: the stored default asset made on demand and reused, other
# sizes and scales decoded afresh, a higher tone drawn higher, PNGs that
# ffmpeg reads back, a failed render that leaves -o's file alone, bad options.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the media fixtures directory}"
LIB="$WORK/lib"
v() { "$VRP" --library "$LIB" "$@"; }
# size PNG: "WxH" as ffprobe reads the file.
size() { ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=s=x:p=0 "$1"; }
# brightest_row PNG: the row, counted from the bottom, that is lightest in the middle column.
brightest_row() {
	wh=$(size "$1")
	ffmpeg -v error -i "$1" -f rawvideo -pix_fmt rgb24 - | python3 -c '
import sys
w, h = map(int, sys.argv[1].split("x"))
data = sys.stdin.buffer.read()
x = w // 2
light = [sum(data[(y * w + x) * 3:(y * w + x) * 3 + 3]) for y in range(h)]
print(h - 1 - light.index(max(light)))' "$wh"
}
# expect_row NAME GOT LOW HIGH: GOT is within LOW..HIGH.
expect_row() {
	if [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then ok "$1"; else
		not_ok "$1" "row $2, want $3..$4"
	fi
}

sox -q -n -r 16000 -c 1 -b 16 "$WORK/low.wav" synth 2 sine 1000 vol 0.5
sox -q -n -r 16000 -c 2 -b 16 "$WORK/high.wav" synth 2 sine 4000 vol 0.5
"$VRP" -q --library "$LIB" init
v -q import "$WORK/low.wav" "$WORK/high.wav" "$FIXTURES/memo.m4a"

run v spectrogram 1 -o "$WORK/default.png"
expect_status "the default spectrogram is written" 0
expect_match "it is 1024x256" "$(size "$WORK/default.png")" '^1024x256$'
stored=$(sqlite3 "$LIB/library.db" \
	"SELECT path FROM derived_assets WHERE recording_id = 1 AND kind = 'spectrogram'")
expect_match "it is stored as the recording's spectrogram asset" "$stored" '^derived/spectrogram/.*\.png$'
check "the -o file is the stored asset" cmp "$LIB/$stored" "$WORK/default.png"

inode=$(stat -c %i "$LIB/$stored")
v spectrogram 1 >"$WORK/stdout.png" 2>"$WORK/stdout.err" && status=0 || status=$?
if [ "$status" -eq 0 ] && cmp -s "$WORK/stdout.png" "$WORK/default.png" &&
	[ "$(stat -c %i "$LIB/$stored")" = "$inode" ]; then
	ok "without -o the stored PNG goes to stdout, not made again"
else
	not_ok "without -o the stored PNG goes to stdout, not made again" \
		"exit $status" "$(cat "$WORK/stdout.err")"
fi

run v spectrogram 1 --scale linear --width 200 --height 128 -o "$WORK/low.png"
expect_status "a linear 200x128 spectrogram is written" 0
expect_match "it is 200x128" "$(size "$WORK/low.png")" '^200x128$'
# 128 rows over 0..8 kHz: 62.5 Hz a row, so 1 kHz is row 16 and 4 kHz row 64.
expect_row "1 kHz is drawn at its row" "$(brightest_row "$WORK/low.png")" 15 17
v -q spectrogram 2 --scale linear --width 200 --height 128 -o "$WORK/high.png"
expect_row "4 kHz (stereo) is drawn higher, at its row" "$(brightest_row "$WORK/high.png")" 63 65
count=$(sqlite3 "$LIB/library.db" "SELECT count(*) FROM derived_assets WHERE kind = 'spectrogram'")
expect_match "other options are not stored" "$count" '^1$'

run v --json spectrogram 3 --scale log -o "$WORK/memo.png"
expect_status "an AAC recording is decoded with FFmpeg" 0
expect_match "--json describes the file" "$out" \
	'^\{"id":3,"path":".*memo\.png","width":1024,"height":256,"scale":"log"\}$'
expect_match "and the PNG is whole" "$(size "$WORK/memo.png")" '^1024x256$'

printf 'keep' >"$WORK/keep.png"
raw=$(sqlite3 "$LIB/library.db" "SELECT local_path FROM recordings WHERE id = 2")
rm "$LIB/$raw"
run v spectrogram 2 --height 64 -o "$WORK/keep.png"
expect_status "a recording whose file is gone is not found" 66
if [ "$(cat "$WORK/keep.png")" = keep ] && ! ls "$WORK" | grep -q '\.tmp'; then
	ok "a failed render leaves the -o file as it was and no temporary"
else
	not_ok "a failed render leaves the -o file as it was and no temporary" "$(ls "$WORK")"
fi

for bad in "--width 0" "--height 4097" "--scale bark" "--width 12x"; do
	# shellcheck disable=SC2086
	run v spectrogram 1 $bad -o "$WORK/bad.png"
	expect_status "spectrogram $bad is a usage error" 64
done
run v spectrogram 99 -o "$WORK/none.png"
expect_status "an unknown recording is not found" 66
if [ ! -e "$WORK/bad.png" ] && [ ! -e "$WORK/none.png" ]; then
	ok "refused requests write no file"
else
	not_ok "refused requests write no file"
fi
finish
