#!/bin/sh
# The worker inside `vrp serve` runs the scheduled verification:
# verify.local_interval and verify.remote_interval make it prove the local
# files and the remote copies in the background, once per interval (not
# again before it is up, again once it is), and --no-worker runs none.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the generated media fixtures}"
L="$WORK/lib"
D="$WORK/d"
mkdir "$D"
v() { "$VRP" --library "$L" "$@"; }
# The worker may hold the write lock a moment: wait for it as vrp does.
db() { sqlite3 -cmd ".timeout 10000" "$L/library.db" "$@"; }
v -q init
v -q config set derive.kinds ""
v -q import "$FIXTURES/pcm16.wav" "$FIXTURES/flac16k.flac" "$FIXTURES/memo.m4a"
v -q remote add d localdir path="$D"
v -q sync
proven() { db "SELECT count(*) FROM recording_remote WHERE verified_at IS NOT NULL"; }
checked() { db "SELECT count(*) FROM recordings WHERE verified_at IS NOT NULL"; }
forget() {
	db "UPDATE recording_remote SET verified_at = NULL, verify_method = NULL"
	db "UPDATE recordings SET verified_at = NULL"
}
start_server() {
	"$VRP" --library "$L" serve "$@" >"$WORK/serve.out" 2>"$WORK/serve.err" &
	pid=$!
	for _ in $(seq 100); do [ -s "$WORK/serve.out" ] && break; sleep 0.1; done
}
stop_server() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
# wait_for COUNT-FUNCTION N [TENTHS]: until the count reaches N (default 30 s).
wait_for() {
	_i=0
	while [ "$($1)" -lt "$2" ] && [ $_i -lt "${3:-300}" ]; do sleep 0.1; _i=$((_i + 1)); done
	[ "$($1)" -ge "$2" ]
}
forget

# ---- no schedule set: serve verifies nothing ----
start_server
sleep 3
check "without verify.*_interval the worker verifies nothing" test "$(proven)" -eq 0 -a "$(checked)" -eq 0
stop_server

# ---- intervals of an hour: one pass each, then nothing until the hour is up ----
v -q config set verify.remote_interval 1h
v -q config set verify.local_interval 1h
start_server
check "serve's worker proves the remote copies" wait_for proven 3
check "and re-hashes the local files" wait_for checked 3
check "when each pass ran is kept" test "$(db "SELECT count(*) FROM verify_progress WHERE scope IN ('local', 'remote:d') AND last_run_at IS NOT NULL")" -eq 2
check "the copies were proven by hash" test "$(db "SELECT count(*) FROM recording_remote WHERE verify_method = 'provider-hash'")" -eq 3
forget
sleep 4
check "within the interval no pass runs again" test "$(proven)" -eq 0 -a "$(checked)" -eq 0
stop_server

# ---- --no-worker: no background verification even when it is due ----
v -q config set verify.remote_interval 2s
v -q config set verify.local_interval 2s
start_server --no-worker
sleep 3
check "serve --no-worker runs no verification" test "$(proven)" -eq 0 -a "$(checked)" -eq 0
stop_server

# ---- a short interval: the passes come back once it is up ----
start_server
check "with a 2s interval the copies are proven" wait_for proven 3
check "and the files checked" wait_for checked 3
forget
check "and proven again once the interval is up" wait_for proven 3 150
check "the files too" wait_for checked 3 150
stop_server
finish
