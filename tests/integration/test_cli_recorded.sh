#!/bin/sh
# The real recording date: recorded_at from the container (MP4 creation_time,
# BWF origination), else the file's mtime; created_at stays the import time;
# `ls --by recorded` filters and sorts by it; a title tag becomes the title.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the generated media fixtures}"
LIB="$WORK/lib"
v() { "$VRP" --library "$LIB" "$@"; }
v -q init
cp "$FIXTURES/pcm24.wav" "$WORK/memo.wav"
touch -d 2023-06-01T08:00:00Z "$WORK/memo.wav"
run v import "$FIXTURES/dated.m4a" "$FIXTURES/bwf.wav" "$WORK/memo.wav"
expect_status "three dated files import" 0
field() { v --json show "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"; }
check "an MP4 is dated by its creation_time" test "$(field 1 recorded_at)" = 2025-03-14T10:20:30.000Z
check "which show says came from the container" test "$(field 1 recorded_at_source)" = container
check "its title tag is the title" test "$(field 1 title)" = "Standup notes"
check "a Broadcast WAV by its OriginationDate/Time" test "$(field 2 recorded_at)" = 2024-01-02T09:15:00.000Z
check "from bwf" test "$(field 2 recorded_at_source)" = bwf
check "a file without a date tag by its mtime" test "$(field 3 recorded_at)" = 2023-06-01T08:00:00.000Z
check "from mtime" test "$(field 3 recorded_at_source)" = mtime
check "and keeps its file name as title" test "$(field 3 title)" = memo
today=$(date -u +%Y-%m-%d)
check "created_at stays the import time" sh -c 'case "$1" in "$2"T*) exit 0;; *) exit 1;; esac' _ "$(field 3 created_at)" "$today"
run v show 2
expect_match "show names the source" "$out" 'recorded_at: +2024-01-02T09:15:00.000Z \(from the BWF origination date\)'
ids() { printf '%s\n' "$out" | python3 -c "import json,sys; print(' '.join(str(json.loads(l)['id']) for l in sys.stdin))"; }
run v --json ls --by recorded --until 2024-12-31
check "ls --by recorded --until finds what was recorded before" test "$(ids)" = "2 3"
run v --json ls --until 2024-12-31
check "ls --until alone still means the import date" test -z "$(ids)"
run v --json ls --by recorded --since 2024-01-02 --until 2024-01-02
check "a bare date bounds a whole day" test "$(ids)" = "2"
run v --json ls --sort recorded
check "--sort recorded: newest recording first" test "$(ids)" = "1 2 3"
run v --json ls --by recorded --reverse
check "--by recorded sorts by it too (oldest first reversed)" test "$(ids)" = "3 2 1"
run v --json ls --by recorded --sort title
check "an explicit --sort wins" test "$(ids)" = "2 3 1"
run v ls --by recorded
expect_match "the table's date column is then the recording date" "$out" '^ID +RECORDED '
expect_match "with each recording's" "$out" '2024-01-02 09:15 .*Field take'
run v ls
expect_match "and the import date otherwise" "$out" '^ID +CREATED '
run v ls --by yesterday
expect_status "--by takes recorded or created" 64
v -q edit 1 --description "budget talk"
v -q edit 2 --description "budget notes"
v -q edit 3 --description "budget memo"
run v --json search budget --by recorded --until 2024-12-31
check "search --by recorded --until filters by the recording date" test "$(ids)" = "3 2"
run v --json search budget --until 2024-12-31
check "search --until alone means the import date" test -z "$(ids)"
run v --json search budget --by recorded --sort date
check "search --sort date: newest recording first" test "$(ids)" = "1 2 3"
run v --json search budget --by recorded --sort date --since 2024-01-01
check "with --since too" test "$(ids)" = "1 2"
run v search budget --sort newest
expect_status "--sort takes match or date" 64
run v import --title "Given" "$FIXTURES/id3v2.mp3"
check "a given title wins over the tag" test "$(field 4 title)" = Given
finish
