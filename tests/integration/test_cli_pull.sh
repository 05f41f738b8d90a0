#!/bin/sh
# vrp sync pull keeps every field: what one library gave its recordings
# (title, description, tags, dates, original name) comes back in another
# library pulling from the same localdir remote, through the metadata sidecar
# the upload wrote beside each object; several downloads at once, verified,
# nothing twice; objects without (or with wrong) metadata still come in.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the generated media fixtures}"
SAME="$(dirname "$0")/same_recordings.py"
A="$WORK/a"
B="$WORK/b"
NAS="$WORK/nas"
mkdir "$NAS"
va() { VRP_CONFIG="$WORK/a.ini" "$VRP" --library "$A" "$@"; }
vb() { VRP_CONFIG="$WORK/b.ini" "$VRP" --library "$B" "$@"; }
show_all() {
	for id in $(sqlite3 "$1/library.db" "SELECT id FROM recordings ORDER BY id"); do
		VRP_CONFIG="$WORK/x.ini" "$VRP" --library "$1" --json show "$id"
	done
}
downloaded() { sqlite3 "$1/library.db" "SELECT coalesce(sum(value), 0) FROM metrics WHERE name = 'bytes_downloaded'"; }

va -q init
va -q import --title "Standup" --tag work --tag "big idea" "$FIXTURES/pcm16.wav"
va -q import "$FIXTURES/flac16k.flac" "$FIXTURES/memo.m4a" "$FIXTURES/dated.m4a" \
	"$FIXTURES/bwf.wav" "$FIXTURES/pcm24.wav"
va -q edit 2 --title "Café ☕ notes" --description "two lines
of description" --tag "été"
va -q archive 3
va -q remote add nas localdir path="$NAS"
run va sync
expect_status "A syncs six recordings" 0

objects=$(find "$NAS" -type f ! -name '*.vrp.json' | wc -l)
check "six objects on the remote" test "$objects" -eq 6
check "each with a sidecar beside it" test "$(find "$NAS" -type f -name '*.vrp.json' | wc -l)" -eq 6
side=$(find "$NAS" -name 'Standup *.wav.vrp.json')
check "the sidecar is vrp's metadata of that recording" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "vrp-recording" and d["title"] == "Standup", d
assert d["tags"] == ["big idea", "work"], d
assert d["original_filename"] == "pcm16.wav", d
' "$side"
check "no temporary file is left beside it" test -z "$(find "$NAS" -name '*.part')"
run va --json sync check --remote nas
expect_match "sync check sees six objects, not twelve" "$out" '"objects":6,"matched":6,.*"extra":0'

# ---- B pulls with three downloads at once ----
vb -q init
vb -q remote add nas localdir path="$NAS"
run vb sync pull --remote nas -j 3
expect_status "B pulls with -j 3" 0
expect_match "six recordings" "$out" '6 pulled, 0 duplicate, 0 rejected'
show_all "$A" >"$WORK/a.jsonl"
show_all "$B" >"$WORK/b.jsonl"
check "every field is the same in both libraries (ids and paths aside)" \
	python3 "$SAME" "$WORK/a.jsonl" "$WORK/b.jsonl"
check "the comparison sees a difference when there is one" sh -c \
	'sed "s/\"Standup\"/\"Other\"/" "$1" >"$1.x" && ! python3 "$2" "$1.x" "$3"' _ "$WORK/b.jsonl" "$SAME" "$WORK/a.jsonl"
created() { sqlite3 "$1/library.db" "SELECT created_at FROM recordings WHERE title = 'Standup'"; }
check "created_at is A's, not the pull's" test "$(created "$B")" = "$(created "$A")"
run vb ls --tag "été"
expect_match "tags are searchable in B" "$out" 'Café'
run vb --json sync check --remote nas
expect_match "B is in step with the remote" "$out" '"objects":6,"matched":6,.*"extra":0'
run vb verify
expect_status "B's files verify" 0

before=$(downloaded "$B")
run vb sync pull --remote nas
expect_status "a second pull" 0
expect_match "finds everything mapped" "$out" '0 pulled, .* 6 already mapped'
check "and downloads nothing" test "$(downloaded "$B")" -eq "$before"
check "nothing came in twice" test "$(sqlite3 "$B/library.db" "SELECT count(*) FROM recordings")" -eq 6

# ---- objects whose metadata is missing, damaged, or of other content ----
C="$WORK/c"
vc() { VRP_CONFIG="$WORK/c.ini" "$VRP" --library "$C" "$@"; }
rm "$NAS"/VoiceRecorderPro/*/*/"Standup "*.wav.vrp.json
printf '{"format":"vrp-recording","title":' >"$(find "$NAS" -name '*.flac.vrp.json')"
memo_side=$(find "$NAS" -name 'memo *.m4a.vrp.json')
python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); d["sha256"] = "0" * 64; d["title"] = "Wrong"
json.dump(d, open(sys.argv[1], "w"))' "$memo_side"
vc -q init
vc -q remote add nas localdir path="$NAS"
run vc sync pull --remote nas -j 2
expect_status "C pulls them all" 0
expect_match "six recordings" "$out" '6 pulled, 0 duplicate, 0 rejected'
check "without a sidecar: titled by its name" test "$(sqlite3 "$C/library.db" \
	"SELECT title FROM recordings WHERE CAST(original_filename AS TEXT) = 'Standup.wav'")" = Standup
check "a damaged sidecar is not used (the title is the remote name's)" test "$(sqlite3 "$C/library.db" \
	"SELECT description || '|' || (SELECT count(*) FROM recording_tags t WHERE t.recording_id = r.id) FROM recordings r WHERE title = 'Café ☕ notes'")" = "|0"
check "nor one of other content" test "$(sqlite3 "$C/library.db" \
	"SELECT count(*) FROM recordings WHERE title = 'Wrong'")" -eq 0
check "nor the archived state it names" test "$(sqlite3 "$C/library.db" \
	"SELECT count(*) FROM recordings WHERE status = 'archived'")" -eq 0
check "the others keep their fields" test "$(sqlite3 "$C/library.db" \
	"SELECT title || '|' || recorded_at_source FROM recordings WHERE CAST(original_filename AS TEXT) = 'bwf.wav'")" = \
	"$(sqlite3 "$A/library.db" "SELECT title || '|' || recorded_at_source FROM recordings WHERE CAST(original_filename AS TEXT) = 'bwf.wav'")"

# ---- a progress line on a terminal, none elsewhere ----
D="$WORK/d"
vd() { VRP_CONFIG="$WORK/d.ini" "$VRP" --library "$D" "$@"; }
vd -q init
vd -q remote add nas localdir path="$NAS"
run env VRP_CONFIG="$WORK/d.ini" script -qec "'$VRP' --library '$D' sync pull --remote nas -j 4" /dev/null
expect_status "a pull on a terminal" 0
expect_match "draws a progress line" "$out" 'pull: [0-9]+/[0-9]+ objects, .* downloaded'
run vd sync pull --remote nas
check "not when stderr is no terminal" test -z "$err"

run vb sync pull --remote nas -j 17
expect_status "-j above 16 is a usage error" 64
run vb sync pull --remote nas -j x
expect_status "so is a -j that is no number" 64
finish
