#!/bin/sh
# vrp offload / get / verify --remote: numcopies over two folder remotes,
# proofs, a damaged remote copy, untrusted remotes, kill -9 at the two
# dangerous instants, and an incremental pass under a time limit.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the generated media fixtures}"
L="$WORK/lib"
A="$WORK/a"
B="$WORK/b"
mkdir "$A" "$B"
v() { "$VRP" --library "$L" "$@"; }
db() { sqlite3 "$L/library.db" "$@"; }
raw_of() { echo "$L/$(db "SELECT local_path FROM recordings WHERE id = $1")"; }

v -q init
v -q import "$FIXTURES/pcm16.wav" "$FIXTURES/flac16k.flac"
wav=$(db "SELECT id FROM recordings WHERE mime_type LIKE '%wav%'")
v -q remote add a localdir path="$A"
v -q remote add b localdir path="$B"
v -q config set offload.numcopies 2
v -q config set derive.kinds ""

# ---- too few copies ----
v -q sync --remote a
run v offload "$wav"
expect_status "one copy of two required: offload refuses (65)" 65
expect_match "and says which copy counts, dated" "$out" \
	"^refused +$wav +only 1 of 2 required copies verified: a \([0-9]{4}-[0-9]{2}-[0-9]{2}\)"
expect_match "and names the remote it was never uploaded to" "$out" \
	"; not counted: b \(never uploaded\)"
check "the file is still there" test -f "$(raw_of "$wav")"
check "a's copy was proven on the way (verify first when there is no proof)" test \
	"$(db "SELECT verify_method FROM recording_remote WHERE remote = 'a' AND recording_id = $wav")" = provider-hash

run v offload --dry-run "$wav"
expect_status "a dry run refuses the same way" 65

# ---- untrusted ----
v -q sync --remote b
v -q remote set b trusted=false
run v offload "$wav"
expect_status "with b untrusted, offload refuses" 65
expect_match "and says b is not counted because it is untrusted" "$out" 'not counted: b \(untrusted\)'
run v remote set b trusted=maybe
expect_status "trusted takes true or false only" 64
expect_match "saying so" "$err" 'trusted must be true or false'
v -q remote set b trusted=true

# ---- offload ----
run v offload --dry-run "$wav"
expect_status "a dry run with both copies: would free, exit 0" 0
expect_match "would-free" "$out" "^would-free +$wav "
check "nothing removed by the dry run" test -f "$(raw_of "$wav")"
size=$(stat -c %s "$(raw_of "$wav")")
run v offload "$wav"
expect_status "two proven copies: offload frees the file" 0
expect_match "naming both copies" "$out" "^offloaded +$wav .*copies: a \(.*\), b \(.*\)"
expect_match "and reports the space freed" "$err" 'freed 1 recording \('
check "the local file is gone" test ! -e "$(raw_of "$wav")"
run v ls
expect_match "vrp ls shows it offloaded" "$out" "^ *$wav .* offloaded "
run v --json show "$wav"
expect_match "show has offloaded_at" "$out" '"offloaded_at":"20'
expect_match "and keeps its metadata" "$out" "\"filesize_bytes\":$size"
run v verify --all
expect_status "verify --all treats an offloaded recording as fine" 0
expect_match "and counts it" "$err" 'offloaded 1'
run v offload "$wav"
expect_status "offloading it again is no error" 0
expect_match "already" "$out" "^already +$wav"
check "the offload is audited" test "$(db "SELECT count(*) FROM audit_log WHERE operation = 'offload'")" -eq 1

# ---- get ----
run v get "$wav"
expect_status "vrp get fetches it back" 0
expect_match "from the folder remote that was proven" "$out" "^fetched +$wav +from (a|b)"
check "the exact bytes" cmp "$FIXTURES/pcm16.wav" "$(raw_of "$wav")"
check "the row is local again" test -z "$(db "SELECT offloaded_at FROM recordings WHERE id = $wav")"
run v get "$wav"
expect_match "a get of a local recording does nothing" "$out" "^local +$wav"

# ---- a damaged remote copy ----
bfile=$(find "$B" -name '*.wav')
printf 'X' | dd of="$bfile" bs=1 seek=300 conv=notrunc 2>/dev/null
run v verify --remote b --download
expect_status "verify --remote --download finds the flipped byte (65)" 65
expect_match "reports it corrupt and requeued" "$out" \
	"^corrupt +$wav .*sha256 .* \(download\).*queued for upload again.*\[ERR_CHECKSUM_MISMATCH\]"
run v offload "$wav"
expect_status "the damaged copy does not count" 65
expect_match "offload says only a counts" "$out" 'only 1 of 2 required copies verified: a \('
run v sync
expect_status "the next sync uploads it again" 0
expect_match "one upload" "$out" 'synced 1 '
check "b holds the right bytes again" cmp "$FIXTURES/pcm16.wav" "$bfile"
run v verify --remote b --download
expect_status "and it verifies" 0

# ---- repair from a copy ----
printf 'Z' | dd of="$(raw_of "$wav")" bs=1 seek=300 conv=notrunc 2>/dev/null
run v verify "$wav"
expect_status "a damaged local file: verify exits 65" 65
run v verify --fix "$wav"
expect_status "verify --fix restores it from a verified copy" 0
expect_match "saying which remote" "$out" 'restored from (a|b)'
check "the exact bytes again" cmp "$FIXTURES/pcm16.wav" "$(raw_of "$wav")"
rm "$(raw_of "$wav")"
run v get --repair "$wav"
expect_status "get --repair restores a missing file" 0
expect_match "naming the remote" "$out" "^restored +$wav +from (a|b)"
check "the exact bytes" cmp "$FIXTURES/pcm16.wav" "$(raw_of "$wav")"
check "repairs are audited with the remote" test \
	"$(db "SELECT count(*) FROM audit_log WHERE operation = 'repair' AND remote IN ('a','b')")" -eq 2

# ---- kill -9 between the offload's commit and its unlink ----
VRP_TEST_HOOK=offload.committed "$VRP" --library "$L" offload "$wav" >/dev/null 2>"$WORK/hook.err" &
pid=$!
for _ in $(seq 100); do grep -q 'test hook' "$WORK/hook.err" && break; sleep 0.1; done
kill -9 "$pid"; wait "$pid" 2>/dev/null
check "killed after the commit: the row says offloaded" test -n "$(db "SELECT offloaded_at FROM recordings WHERE id = $wav")"
check "and the file is still there" cmp "$FIXTURES/pcm16.wav" "$(raw_of "$wav")"
run v verify --all
expect_status "verify takes the file back" 0
check "the row is local again" test -z "$(db "SELECT offloaded_at FROM recordings WHERE id = $wav")"
run v offload "$wav"
expect_status "and a new offload completes" 0
check "file gone" test ! -e "$(raw_of "$wav")"

# ---- kill -9 during get, after the download, before the rename ----
VRP_TEST_HOOK=get.downloaded "$VRP" --library "$L" get "$wav" >/dev/null 2>"$WORK/hook.err" &
pid=$!
for _ in $(seq 100); do grep -q 'test hook' "$WORK/hook.err" && break; sleep 0.1; done
kill -9 "$pid"; wait "$pid" 2>/dev/null
check "killed mid-get: still offloaded" test -n "$(db "SELECT offloaded_at FROM recordings WHERE id = $wav")"
check "nothing at the recording's path" test ! -e "$(raw_of "$wav")"
check "the copies are untouched" cmp "$FIXTURES/pcm16.wav" "$bfile"
run v get "$wav"
expect_status "the next get completes" 0
check "with the exact bytes" cmp "$FIXTURES/pcm16.wav" "$(raw_of "$wav")"
run v verify --fix
expect_status "verify --fix clears the dead get's temporary file" 0
check "tmp/ is empty" test -z "$(ls "$L/tmp")"

# ---- sync leaves offloaded recordings alone ----
C="$WORK/c"; mkdir "$C"
v -q remote add c localdir path="$C"
v -q offload "$wav" >/dev/null
run v sync --remote c
expect_status "sync to a new remote skips the offloaded recording" 0
expect_match "uploading only the local one" "$out" 'synced 1 .*failed 0'

# ---- purging copies of an offloaded recording ----
v -q remote set a delete_policy=purge
run v purge --yes "$wav"
expect_status "a purge that would delete a copy of an offloaded recording is refused" 65
expect_match "saying which copies and how many must stay" "$err" \
	"recording $wav is offloaded: purging it would delete its copies on a \(delete_policy\), leaving 1 of the 2 required"
check "nothing was purged" test "$(db "SELECT count(*) FROM recordings WHERE id = $wav")" -eq 1
check "and no delete was queued" test "$(db "SELECT count(*) FROM sync_tasks WHERE op = 'delete'")" -eq 0
run v remote rm b
expect_status "removing a remote that holds a needed copy is refused" 65
expect_match "naming the recording" "$err" "recording $wav is offloaded and removing b would leave 1 of its 2 required copies"
v -q remote set a delete_policy=keep
run v purge --yes "$wav"
expect_status "with every copy kept by policy, the purge goes ahead" 0

# ---- --time-limit and --incremental over 200 recordings ----
M="$WORK/many"
D="$WORK/d"; mkdir "$D"
# Its own config file: VRP_CONFIG would otherwise give it the first library's remotes.
m() { VRP_CONFIG="$WORK/many.ini" "$VRP" --library "$M" "$@"; }
python3 - "$WORK/wavs" <<'PY'
import os, struct, sys
d = sys.argv[1]
os.makedirs(d)
for i in range(200):
    data = os.urandom(2000)
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
    hdr = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + fmt + b"data" + struct.pack("<I", len(data))
    open(os.path.join(d, "r%03d.wav" % i), "wb").write(hdr + data)
PY
m -q init
m -q config set derive.kinds ""
m -q import -r "$WORK/wavs"
m -q remote add d localdir path="$D"
m -q sync
export VRP_TEST_HOOK=verify.remote.copy:20
run m --json verify --remote d --time-limit 1s
expect_status "a time-limited pass stops cleanly (exit 0)" 0
first=$(printf '%s\n' "$out" | grep -c '"finding":"ok"')
expect_match "saying it stopped" "$out" '"stopped":true'
check "after some but not all of the 200 ($first)" test "$first" -gt 0 -a "$first" -lt 200
run m verify --remote d --incremental --time-limit 1s
expect_match "--incremental continues where it stopped" "$err" "continued after recording $first"
unset VRP_TEST_HOOK
run m --json verify --remote d --incremental
rest=$(printf '%s\n' "$out" | grep -c '"finding":"ok"')
check "and a pass without a limit finishes the rest" test "$rest" -gt 0 -a "$rest" -lt 200
check "every copy has a proof" test "$(sqlite3 "$M/library.db" "SELECT count(*) FROM recording_remote WHERE verified_at IS NOT NULL")" -eq 200
run m --json verify --remote d --incremental
check "once a pass completed, the next starts over" test "$(printf '%s\n' "$out" | grep -c '"finding":"ok"')" -eq 200

# ---- scheduled verification: vrp worker --once, vrp schedule install ----
m -q config set verify.remote_interval 1h
m -q config set verify.local_interval 1h
sqlite3 "$M/library.db" "UPDATE recording_remote SET verified_at = NULL, verify_method = NULL"
run m worker --once
expect_status "worker --once runs what is due" 0
check "the remote pass proved the copies" test "$(sqlite3 "$M/library.db" "SELECT count(*) FROM recording_remote WHERE verified_at IS NOT NULL")" -eq 200
check "the local pass re-hashed the files" test "$(sqlite3 "$M/library.db" "SELECT count(*) FROM recordings WHERE integrity = 'ok'")" -eq 200
last=$(sqlite3 "$M/library.db" "SELECT last_run_at FROM verify_progress WHERE scope = 'remote:d'")
check "and when it ran is kept" test -n "$last"
sqlite3 "$M/library.db" "UPDATE recording_remote SET verified_at = NULL"
run m worker --once
check "within the interval nothing runs again" test "$(sqlite3 "$M/library.db" "SELECT count(*) FROM recording_remote WHERE verified_at IS NOT NULL")" -eq 0
run env XDG_CONFIG_HOME="$WORK/xdg" VRP_CONFIG="$WORK/many.ini" "$VRP" --library "$M" schedule install --every 2h
expect_status "schedule install writes a systemd user timer" 0
if [ -x /usr/bin/systemctl ] || [ -x /bin/systemctl ]; then
	check "the service runs worker --once for this library" grep -q "ExecStart=\".*vrp\" --library \"$M\" -q worker --once" "$WORK/xdg/systemd/user/vrp-worker.service"
	check "the timer every 2h" grep -q '^OnUnitActiveSec=7200s' "$WORK/xdg/systemd/user/vrp-worker.timer"
else
	expect_match "no systemctl: the crontab line instead" "$out" "^0 \*/2 \* \* \* '.*vrp' --library '$M' -q worker --once"
fi
run m schedule install --cron --every 15m
expect_match "--cron prints the crontab line" "$out" "^\*/15 \* \* \* \* '.*vrp' --library '$M' -q worker --once$"
run m schedule install --every 5s
expect_status "a schedule under a minute is a usage error" 64

finish
