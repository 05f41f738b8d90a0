#!/bin/sh
# Stress: two importers (each its own files, then one folder both import),
# a sync to a localdir remote, a search, a verify and a purger (importing
# then purging files of its own) run at once on one library for
# STRESS_SECONDS (default 10; `make stress` runs 30). Every command must
# succeed or fail only with a documented busy code (ERR_BUSY, exit 75).
# Afterwards: each file is stored once, the purged ones are gone, the
# remote holds each recording once, verify and SQLite's check are clean.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
SECONDS_TO_RUN=${STRESS_SECONDS:-10}
WORKER="$(dirname "$0")/stress_worker.sh"
LIB="$WORK/lib"
V() { "$VRP" -q --library "$LIB" "$@"; }
V init
mkdir -p "$WORK/nas" "$WORK/a/own" "$WORK/b/own" "$WORK/a/shared" "$WORK/purge"
V remote add nas localdir path="$WORK/nas" delete_policy=purge
for k in 1 2 3 4 5 6; do
	sox -q -n -r 8000 -c 1 "$WORK/a/own/memo-a$k.wav" synth 0.3 sine $((200 + k * 10))
	sox -q -n -r 8000 -c 1 "$WORK/b/own/memo-b$k.wav" synth 0.3 sine $((400 + k * 10))
	sox -q -n -r 8000 -c 1 "$WORK/a/shared/memo-s$k.wav" synth 0.3 sine $((600 + k * 10))
done
ln -s "$WORK/a/shared" "$WORK/b/shared"
until=$(($(date +%s) + SECONDS_TO_RUN))
export VRP
pids=""
start() { sh "$WORKER" "$@" & pids="$pids $!"; }
start import "$LIB" "$until" "$WORK/import-a.log" "$WORK"/a/own/*.wav
start import "$LIB" "$until" "$WORK/import-b.log" "$WORK"/b/own/*.wav
start sync "$LIB" "$until" "$WORK/sync.log"
start search "$LIB" "$until" "$WORK/search.log"
start verify "$LIB" "$until" "$WORK/verify.log"
start purge "$LIB" "$until" "$WORK/purge.log" "$WORK/purge/mine.wav"
for pid in $pids; do wait "$pid"; done

cat "$WORK"/*.log >"$WORK/all"
runs=$(wc -l <"$WORK/all")
busy=$(awk '$2 == 75 && $3 == "ERR_BUSY"' "$WORK/all" | wc -l)
wrong=$(awk '$2 != 0 && !($2 == 75 && $3 == "ERR_BUSY")' "$WORK/all" | sort | uniq -c)
[ "$runs" -gt 0 ] && [ -z "$wrong" ] &&
	ok "$runs commands in ${SECONDS_TO_RUN}s, none failed but $busy with ERR_BUSY" ||
	not_ok "every command succeeds or is busy" "$runs commands; failures (count kind status code):" "$wrong" \
		"$(cat "$WORK"/*.log.failures 2>/dev/null | head -20)"
purged=$(grep -c . "$WORK/purge.log.purged" 2>/dev/null || echo 0)
[ "$purged" -gt 0 ] && ok "the purger purged $purged recordings" || not_ok "the purger purged some" "$(cat "$WORK/purge.log")"

# Importing every file once more adds nothing (what the workers did not get
# to, under load, is imported now); a last sync uploads what is queued and
# deletes the remote copies of the purged.
V import --no-derive "$WORK"/a/own/*.wav "$WORK"/b/own/*.wav "$WORK"/a/shared/*.wav >/dev/null 2>"$WORK/last-import.err" ||
	not_ok "a last import of every file succeeds" "$(cat "$WORK/last-import.err")"
V sync --remote nas >/dev/null 2>"$WORK/last-sync.err"
rows() { sqlite3 "$LIB/library.db" "$1"; }
want=$(sha256sum "$WORK"/a/own/*.wav "$WORK"/b/own/*.wav "$WORK"/a/shared/*.wav | cut -d' ' -f1 | sort)
have=$(rows "SELECT checksum FROM recordings ORDER BY checksum")
[ "$have" = "$want" ] && ok "each of the 18 files is stored once, and only those" ||
	not_ok "each of the 18 files is stored once" "$(rows 'SELECT count(*) FROM recordings') rows, $(rows 'SELECT count(DISTINCT checksum) FROM recordings') contents"
back=0
if [ -s "$WORK/purge.log.purged" ]; then
	back=$(cut -d' ' -f2 "$WORK/purge.log.purged" | while read -r sum; do
		rows "SELECT count(*) FROM recordings WHERE checksum = '$sum'"; done | grep -c '^[1-9]')
fi
[ "$back" -eq 0 ] && ok "no purged recording is in the catalogue" || not_ok "no purged recording is in the catalogue" "$back are"
[ "$(rows 'PRAGMA integrity_check')" = ok ] && ok "SQLite's integrity check" || not_ok "SQLite's integrity check"
files=$(find "$LIB/recordings/raw" -type f | wc -l)
[ "$files" -eq 18 ] && ok "one raw file per recording" || not_ok "one raw file per recording" "$files files"
temps=$(find "$LIB/tmp" -type f | wc -l)
[ "$temps" -eq 0 ] && ok "nothing left in tmp/" || not_ok "nothing left in tmp/" "$(ls "$LIB/tmp")"
remote=$(find "$WORK/nas" -type f ! -name '.*' ! -name '*.vrp.json' -exec sha256sum {} + | cut -d' ' -f1 | sort)
[ "$remote" = "$want" ] && ok "the remote holds each recording once, no purged one" ||
	not_ok "the remote holds each recording once" "$(printf '%s\n' "$remote" | grep -c .) objects: $(cat "$WORK/last-sync.err")"
if V verify --all >"$WORK/verify.out" 2>&1; then ok "verify --all is clean"; else not_ok "verify --all is clean" "$(cat "$WORK/verify.out")"; fi
finish
