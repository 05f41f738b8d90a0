#!/bin/sh
# The durable derive queue: import queues, sync and worker make, failures are kept and retried.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
LIB="$WORK/lib"
V() { "$VRP" --library "$LIB" "$@"; }
rows() { sqlite3 "$LIB/library.db" "$1"; }
assets() { rows "SELECT count(*) FROM derived_assets WHERE recording_id = $1"; }
V -q init
for f in a b c; do sox -q -n -r 8000 -b 16 -c 1 "$WORK/$f.wav" synth 1 sine 600 vol 0.5; done
sox -q -n -r 8000 -b 16 -c 1 "$WORK/b.wav" synth 1 sine 700 vol 0.5
sox -q -n -r 8000 -b 16 -c 1 "$WORK/c.wav" synth 1 sine 800 vol 0.5
V -q import "$WORK/a.wav" "$WORK/b.wav" "$WORK/c.wav"
# The default kinds: waveform, spectrogram, compressed, and a transcript
# where pocketsphinx is installed (else the queue leaves it out).
full=3
if ldconfig -p | grep -q libpocketsphinx.so.3 && [ -d /usr/share/pocketsphinx/model/en-us ]; then
	full=4
fi

run V --json derive --queue
expect_match "import queues a derivation per recording" "$out" '"queued":3'
check "while import itself made only the waveform" test "$(assets 1)" -eq 1

# A recording whose file is gone fails in the queue, kept with its error; the others go on.
c_path=$(rows "SELECT local_path FROM recordings WHERE id = 3")
mv "$LIB/$c_path" "$WORK/c.keep"
mkdir -p "$WORK/remote"
V -q remote add here localdir path="$WORK/remote"
run V sync
expect_match "sync makes the queued assets when no upload waits" "$out" 'derived assets 2, derivations failed 1 '
check "waveform, spectrogram, compressed copy (and transcript) of recording 1" test "$(assets 1)" -eq $full
check "and of recording 2" test "$(assets 2)" -eq $full
check "but nothing more of the recording without a file" test "$(assets 3)" -eq 1
run V --json derive --queue
expect_match "its derivation is kept as failed" "$out" '"failed":1'
check "with the reason" test "$(rows "SELECT error_code FROM derive_tasks WHERE recording_id = 3")" = ERR_NOT_FOUND

# Once the file is back, --retry-failed queues it again and the next sync makes it.
mv "$WORK/c.keep" "$LIB/$c_path"
run V derive --queue --retry-failed
expect_match "retry-failed says how many" "$out" 'queued again 1'
V -q sync
check "the retried derivation is made" test "$(assets 3)" -eq $full
check "and leaves the queue" test "$(rows "SELECT count(*) FROM derive_tasks")" -eq 0

# A running worker picks up what an import queues after it started.
"$VRP" --library "$LIB" -q worker >"$WORK/worker.log" 2>&1 &
worker=$!
sox -q -n -r 8000 -b 16 -c 1 "$WORK/d.wav" synth 1 sine 900 vol 0.5
V -q import "$WORK/d.wav"
i=0
while [ "$(assets 4)" -lt $full ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
check "the worker derives a recording imported while it runs" test "$(assets 4)" -eq $full
kill -TERM "$worker"
wait "$worker" && wstatus=0 || wstatus=$?
check "and stops cleanly on SIGTERM (exit $wstatus)" test "$wstatus" -eq 0


# derive --all on several threads makes every asset of every recording again.
before=$(rows "SELECT group_concat(path) FROM derived_assets ORDER BY recording_id, kind")
run V --json derive --all --force -j 3
expect_status "derive --all -j 3 exits 0" 0
check "one line per recording and kind" test "$(printf '%s\n' "$out" | grep -c '"status":"made"')" -eq 12
check "the same assets under the same names" test "$(rows "SELECT group_concat(path) FROM derived_assets ORDER BY recording_id, kind")" = "$before"
run V derive -j 0 --all
expect_status "-j 0 is a usage error" 64
run V derive --retry-failed
expect_status "--retry-failed without --queue is a usage error" 64

# A direct derive of a failed recording clears its failure.
mv "$LIB/$c_path" "$WORK/c.keep"
V -q derive --queue >/dev/null
V -q import --no-derive "$WORK/a.wav" >/dev/null 2>&1 || true
rows "INSERT INTO derive_tasks (recording_id, kinds, state, next_attempt_at, created_at, modified_at, error_code) VALUES (3, 1, 'failed', '2000-01-01', '2000-01-01', '2000-01-01', 'ERR_NOT_FOUND')"
mv "$WORK/c.keep" "$LIB/$c_path"
V -q derive --force 3 >/dev/null
check "deriving it by hand forgets its failed derivation" test "$(rows "SELECT count(*) FROM derive_tasks WHERE state = 'failed'")" -eq 0

# verify checks every asset's file against its row; --fix remakes or removes.
wave2=$(rows "SELECT path FROM derived_assets WHERE recording_id = 2 AND kind = 'waveform'")
spec1=$(rows "SELECT path FROM derived_assets WHERE recording_id = 1 AND kind = 'spectrogram'")
rm "$LIB/$wave2"
printf 'x' >>"$LIB/$spec1"
printf 'junk' >"$LIB/derived/waveform/stray.dat"
run V --json verify
expect_status "verify finds damaged assets (exit 65)" 65
expect_match "a missing asset file" "$out" '"finding":"asset_missing","path":"'"$wave2"'"'
expect_match "an asset whose size is not its row's" "$out" '"finding":"asset_mismatch","path":"'"$spec1"'"'
expect_match "a file under derived/ with no row" "$out" '"finding":"orphan_asset","path":"derived/waveform/stray.dat"'
expect_match "counted in the summary" "$out" '"assets_missing":1,"assets_mismatched":1,"orphan_assets":1'
run V verify --fix
expect_status "verify --fix repairs them" 0
check "the missing waveform is made again" test -s "$LIB/$wave2"
check "with its row's size" test "$(stat -c %s "$LIB/$spec1")" -eq "$(rows "SELECT size_bytes FROM derived_assets WHERE recording_id = 1 AND kind = 'spectrogram'")"
check "the stray file is removed" test ! -e "$LIB/derived/waveform/stray.dat"
run V verify
expect_status "and verify is clean again" 0
# export takes the assets along, named after the exported file, listed in metadata.json.
run V export "$WORK/out"
expect_match "export counts the assets" "$out" "4 files, $((4 * full)) derived assets and metadata.json"
meta() { python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print($1)" "$WORK/out/metadata.json"; }
a_wave=$(meta "[d['exported_as'] for r in m if r['id'] == 1 for d in r['derived'] if d['kind'] == 'waveform'][0]")
check "an asset is under derived/<file>.<kind>.<ext>" test "$a_wave" = derived/a.wav.waveform.dat
check "byte for byte the library's" cmp "$WORK/out/$a_wave" "$LIB/$(rows "SELECT path FROM derived_assets WHERE recording_id = 1 AND kind = 'waveform'")"
check "metadata.json lists each with its generator" test "$(meta "sum(1 for r in m for d in r['derived'] if d['generator'])")" -eq $((4 * full))
run V export --no-assets "$WORK/out2"
check "--no-assets leaves them out" test ! -e "$WORK/out2/derived"
# derive.kinds says what import queues; derive.opus_bitrate how big the copy is.
V -q config set derive.kinds waveform,spectrogram
sox -q -n -r 16000 -b 16 -c 1 "$WORK/e.wav" synth 3 pinknoise vol 0.5
V -q import "$WORK/e.wav"
V -q sync
e=$(rows "SELECT max(id) FROM recordings")
check "with derive.kinds = waveform,spectrogram no compressed copy is queued" test "$(rows "SELECT group_concat(kind) FROM (SELECT kind FROM derived_assets WHERE recording_id = $e ORDER BY kind)")" = "spectrogram,waveform"
V -q derive --kind compressed "$e" >/dev/null
small=$(rows "SELECT size_bytes FROM derived_assets WHERE recording_id = $e AND kind = 'compressed'")
V -q config set derive.opus_bitrate 96000
V -q derive --force --kind compressed "$e" >/dev/null
big=$(rows "SELECT size_bytes FROM derived_assets WHERE recording_id = $e AND kind = 'compressed'")
check "derive.opus_bitrate 96000 makes a bigger copy of noise than the default ($small < $big)" test "$small" -lt "$big"
run V config set derive.opus_bitrate 1000
expect_status "an out-of-range bit rate is refused" 64
finish
