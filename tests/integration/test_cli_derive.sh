#!/bin/sh
# vrp derive, vrp waveform and the assets in vrp show, end to end.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
LIB="$WORK/lib"
"$VRP" -q --library "$LIB" init
sox -q -n -r 8000 -b 16 -c 1 "$WORK/tone.wav" synth 2 sine 1000 vol 0.5
sox -q -n -r 8000 -b 16 -c 2 "$WORK/stereo.wav" synth 2 sine 500 vol 0.25
"$VRP" -q --library "$LIB" import --no-derive "$WORK/tone.wav" "$WORK/stereo.wav"
rows() { sqlite3 "$LIB/library.db" "$1"; }

run "$VRP" --library "$LIB" --json derive --all
expect_status "derive --all exits 0" 0
expect_match "and makes each recording's waveform" "$out" '"id":2,"kind":"waveform","status":"made"'
path1=$(rows "SELECT path FROM derived_assets WHERE recording_id = 1 AND kind = 'waveform'")
check "the asset is under derived/waveform/<uuid>.dat" test -f "$LIB/$path1"
check "its row gives its size" test "$(rows "SELECT size_bytes FROM derived_assets WHERE recording_id = 1 AND kind = 'waveform'")" -eq "$(stat -c %s "$LIB/$path1")"
run "$VRP" --library "$LIB" derive --kind waveform 1
expect_match "a fresh asset is kept" "$out" '1 waveform fresh'
run "$VRP" --library "$LIB" derive --force 1
expect_match "--force makes it again" "$out" '1 waveform made'
run "$VRP" --library "$LIB" derive --kind nonsense 1
expect_status "an unknown kind is a usage error" 64

run "$VRP" --library "$LIB" --json show 1
expect_match "show --json lists the asset" "$out" '"derived":\[\{"kind":"waveform","path":"derived/waveform/[0-9a-f-]+\.dat","size_bytes":[0-9]+,"generator":"vrp-waveform","generator_version":"1","stale":false,"mime_type":"application/vnd.audiowaveform.dat"\}[],]'
rows "UPDATE derived_assets SET generator_version = '0' WHERE recording_id = 1"
run "$VRP" --library "$LIB" show 1
expect_match "show marks an asset of an older generator stale" "$out" 'derived waveform +derived/waveform/.* vrp-waveform 0 \(stale\)'
run "$VRP" --library "$LIB" derive --all
expect_match "derive remakes the stale one" "$out" '1 waveform made'
expect_match "and keeps the fresh one" "$out" '2 waveform fresh'

run "$VRP" --library "$LIB" waveform 1
expect_status "waveform prints JSON" 0
expect_match "audiowaveform's fields, 2 s at 256 samples per pixel" "$out" '^\{"version":2,"channels":1,"sample_rate":8000,"samples_per_pixel":256,"bits":16,"length":63,"data":\[-?[0-9]+,[0-9]+,-1638[0-9],1638[0-9],'
run "$VRP" --library "$LIB" waveform 2 --channels all --width 10 --bits 8
expect_match "--channels all --width 10 --bits 8" "$out" '"channels":2,"sample_rate":8000,"samples_per_pixel":1600,"bits":8,"length":10,"data":\[-32,32,-32,32,'
run "$VRP" --library "$LIB" waveform 1 -o "$WORK/w.dat"
check "-o FILE.dat writes the binary format, version 2" test "$(od -An -tx1 -N4 "$WORK/w.dat" | tr -d ' ')" = "02000000"
check "header + 63 pixels x 1 channel x 2 values x 2 bytes" test "$(stat -c %s "$WORK/w.dat")" -eq $((24 + 63 * 4))
run "$VRP" --library "$LIB" waveform 1 --bits 12
expect_status "--bits 12 exits 64" 64
expect_match "as ERR_INVALID_ARGUMENT" "$err" 'ERR_INVALID_ARGUMENT'
run "$VRP" --library "$LIB" waveform 1 --width 10 --samples-per-pixel 512
expect_status "two zooms exit 64" 64

# A missing audio file: a clear code, and no asset row left behind.
path2=$(rows "SELECT local_path FROM recordings WHERE id = 2")
mv "$LIB/$path2" "$WORK/away.wav"
rows "DELETE FROM derived_assets WHERE recording_id = 2"
run "$VRP" --library "$LIB" --json derive 2
expect_status "deriving a recording whose file is missing exits 66" 66
expect_match "with ERR_NOT_FOUND" "$err" '"code":"ERR_NOT_FOUND"'
check "and writes no row" test "$(rows "SELECT count(*) FROM derived_assets WHERE recording_id = 2")" -eq 0
mv "$WORK/away.wav" "$LIB/$path2"

# kill -9 mid-derive of a long recording: no file under an asset's name
# without its row, no row without its file; verify --fix sweeps the debris.
sox -q -n -r 48000 -b 16 -c 2 "$WORK/long.wav" synth 600 whitenoise vol 0.3
"$VRP" -q --library "$LIB" import --no-derive "$WORK/long.wav"
"$VRP" -q --library "$LIB" derive 3 &
pid=$!
sleep 0.3
kill -9 "$pid" 2>/dev/null && killed=yes || killed=no
wait "$pid" 2>/dev/null
echo "# derive was killed while running: $killed"
asset=$(rows "SELECT path FROM derived_assets WHERE recording_id = 3 AND kind = 'waveform'")
if [ -n "$asset" ]; then
	check "after kill -9 a row has its whole file" test "$(stat -c %s "$LIB/$asset")" -eq "$(rows "SELECT size_bytes FROM derived_assets WHERE recording_id = 3 AND kind = 'waveform'")"
else
	check "after kill -9 no row means no file under an asset's name" test -z "$(ls "$LIB/derived/waveform" | grep -v -e "$(basename "$path1")" -e "$(rows "SELECT uuid FROM recordings WHERE id = 2")")"
fi
"$VRP" -q --library "$LIB" verify --fix >/dev/null 2>&1
check "verify --fix leaves no staging file" test -z "$(ls "$LIB/tmp")"
run "$VRP" --library "$LIB" derive 3
expect_status "deriving again afterwards works" 0

# Import makes the waveform at once, unless --no-derive.
sox -q -n -r 8000 -b 16 -c 1 "$WORK/new.wav" synth 1 sine 700 vol 0.5
sox -q -n -r 8000 -b 16 -c 1 "$WORK/later.wav" synth 1 sine 800 vol 0.5
id_of() { sed -n 's/.*"id":\([0-9]*\).*/\1/p'; }
new=$("$VRP" --library "$LIB" --json import "$WORK/new.wav" | id_of)
later=$("$VRP" --library "$LIB" --json import --no-derive "$WORK/later.wav" | id_of)
check "import makes the waveform" test "$(rows "SELECT count(*) FROM derived_assets WHERE recording_id = $new")" -eq 1
check "import --no-derive does not" test "$(rows "SELECT count(*) FROM derived_assets WHERE recording_id = $later")" -eq 0

# On a terminal, show draws the waveform with a time axis; not in a pipe, not with --no-waveform.
tty_out=$(script -qec "stty cols 60; '$VRP' --library '$LIB' show $later" /dev/null)
expect_match "show on a terminal draws block characters" "$tty_out" '█'
expect_match "with a time axis from 00:00 to the end" "$tty_out" '00:00 +00:00 +00:01'
check "and made the missing waveform to draw it" test "$(rows "SELECT count(*) FROM derived_assets WHERE recording_id = $later")" -eq 1
tty_out=$(script -qec "'$VRP' --library '$LIB' show --no-waveform $later" /dev/null)
check "--no-waveform draws nothing" sh -c "! printf '%s' '$tty_out' | grep -q '█'"
run "$VRP" --library "$LIB" show "$later"
check "a pipe gets no drawing" sh -c "! printf '%s' '$out' | grep -q '█'"

# Purge takes the asset files with the audio.
run "$VRP" --library "$LIB" purge --yes 1
check "purge removes the asset file" test ! -e "$LIB/$path1"
check "and its row" test "$(rows "SELECT count(*) FROM derived_assets WHERE recording_id = 1")" -eq 0
finish
