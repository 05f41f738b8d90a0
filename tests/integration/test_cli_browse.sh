#!/bin/sh
# vrp ls, show, search, edit, rm, restore and archive against a library of ten
# recordings written straight into the catalogue: every filter, sort and page,
# human and JSON output, hostile search text, and every kind of bad input.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
LIB="$WORK/lib"
DB="$LIB/library.db"
v() { "$VRP" --library "$LIB" "$@"; }
# ids OUTPUT: the "id" of each JSON line, space-separated, in order.
ids() { printf '%s\n' "$1" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p' | tr '\n' ' ' | sed 's/ $//'; }
# expect_ids NAME WANT: the last `run` printed JSON lines with exactly these ids.
expect_ids() {
	got=$(ids "$out")
	if [ "$got" = "$2" ] && [ "$status" -eq 0 ]; then ok "$1"; else
		not_ok "$1" "want ids: $2" "got ids:  $got (exit $status)" "stderr: $err"
	fi
}
U=0b7c7f32-6a4e-4a57-9d8e-0d6c1d0c9a

"$VRP" -q --library "$LIB" init
# id title description duration size mime created status integrity
sqlite3 "$DB" >/dev/null <<EOF
INSERT INTO recordings (id, uuid, original_filename, stored_filename, local_path, title,
  description, duration, filesize_bytes, mime_type, codec, sample_rate, channels, checksum,
  status, deleted_at, created_at, modified_at, integrity) VALUES
 (1, '${U}01', 'standup.m4a', '${U}01.m4a', 'recordings/raw/${U}01.m4a', 'Standup monday',
  'we talked about the budget', 62.5, 123456, 'audio/mp4', 'aac', 44100, 1, printf('%064d', 1),
  'active', NULL, '2026-03-01T09:30:00.000Z', '2026-03-01T09:30:00.000Z', 'ok'),
 (2, '${U}02', 'review.wav', '${U}02.wav', 'recordings/raw/${U}02.wav', 'Budget review',
  'quarterly numbers', 3700, 52428800, 'audio/wav', 'pcm_s16le', 48000, 2, printf('%064d', 2),
  'active', NULL, '2026-03-02T10:00:00.000Z', '2026-03-02T10:00:00.000Z', 'unverified'),
 (3, '${U}03', 'groceries.m4a', '${U}03.m4a', 'recordings/raw/${U}03.m4a', 'Grocery list',
  'milk, eggs', 12, 2048, 'audio/mp4', 'aac', 44100, 1, printf('%064d', 3),
  'active', NULL, '2026-03-03T08:00:00.000Z', '2026-03-03T08:00:00.000Z', 'unverified'),
 (4, '${U}04', 'ana.mp3', '${U}04.mp3', 'recordings/raw/${U}04.mp3', 'Interview with Ana',
  'career and budget advice', 1800, 9000000, 'audio/mpeg', 'mp3', 44100, 2, printf('%064d', 4),
  'active', NULL, '2026-03-04T15:45:00.000Z', '2026-03-04T15:45:00.000Z', 'corrupt'),
 (5, '${U}05', 'lecture.m4a', '${U}05.m4a', 'recordings/raw/${U}05.m4a', 'Lecture: algorithms',
  '', 5400, 80000000, 'audio/mp4', 'aac', 44100, 1, printf('%064d', 5),
  'archived', NULL, '2026-03-05T13:00:00.000Z', '2026-03-05T13:00:00.000Z', 'ok'),
 (6, '${U}06', 'old.m4a', '${U}06.m4a', 'recordings/raw/${U}06.m4a', 'Old voice note',
  'budget from last year', 30, 4000, 'audio/mp4', 'aac', 44100, 1, printf('%064d', 6),
  'deleted', '2026-03-10T00:00:00.000Z', '2026-02-10T12:00:00.000Z', '2026-03-10T00:00:00.000Z',
  'unverified'),
 (7, '${U}07', 'blank.ogg', '${U}07.ogg', 'recordings/raw/${U}07.ogg', '',
  '', 0, 100, 'audio/ogg', NULL, NULL, NULL, printf('%064d', 7),
  'active', NULL, '2026-03-06T07:00:00.000Z', '2026-03-06T07:00:00.000Z', 'missing'),
 (8, '${U}08', 'piano.flac', '${U}08.flac', 'recordings/raw/${U}08.flac', 'Piano practice',
  'scales and arpeggios', 900, 15000000, 'audio/flac', 'flac', 96000, 2, printf('%064d', 8),
  'active', NULL, '2026-03-07T18:20:00.000Z', '2026-03-07T18:20:00.000Z', 'ok'),
 (9, '${U}09', 'retro.m4a', '${U}09.m4a', 'recordings/raw/${U}09.m4a', 'Team retro',
  'budget budget budget', 2400, 20000000, 'audio/mp4', 'aac', 44100, 1, printf('%064d', 9),
  'active', NULL, '2026-03-08T16:00:00.000Z', '2026-03-08T16:00:00.000Z', 'unverified'),
 (10, '${U}10', X'636166E92E6D3461', '${U}10.m4a', 'recordings/raw/${U}10.m4a', 'Café ideas',
  'ideas for the café', 200, 300000, 'audio/mp4', 'aac', 44100, 1, printf('%064d', 10),
  'active', NULL, '2026-03-09T23:59:59.999Z', '2026-03-09T23:59:59.999Z', 'unverified');
INSERT INTO tags (id, name) VALUES (1, 'Work'), (2, 'finance'), (3, 'home'), (4, 'school'),
  (5, 'music');
INSERT INTO recording_tags VALUES (1, 1), (2, 1), (2, 2), (3, 3), (5, 4), (6, 3), (8, 5),
  (8, 3), (9, 1);
INSERT INTO remotes (name, provider_key, created_at, modified_at)
  VALUES ('r1', 'localdir', 'x', 'x');
INSERT INTO recording_remote (recording_id, remote, provider_key, sync_status, created_at,
  modified_at) VALUES (1, 'r1', 'localdir', 'synced', 'x', 'x'),
  (2, 'r1', 'localdir', 'failed', 'x', 'x'), (3, 'r1', 'localdir', 'unsynced', 'x', 'x');
EOF
check "ten recordings in the catalogue" test "$(sqlite3 "$DB" 'SELECT count(*) FROM recordings')" -eq 10

# --- ls: defaults, table, JSON ---------------------------------------------------------
run v ls
expect_status "ls succeeds" 0
expect_match "ls prints a header" "$out" '^ID +CREATED +DURATION +SIZE +STATUS +TITLE +TAGS$'
expect_match "ls shows date, mm:ss, size and tags" "$out" \
	'^ +1  2026-03-01 09:30 +01:02 +120\.6 KiB +active +Standup monday +Work$'
expect_match "ls shows h:mm:ss and MiB" "$out" '^ +2  2026-03-02 10:00 +1:01:40 +50\.0 MiB '
expect_match "ls shows several tags" "$out" ' Budget review +finance, Work$'
check "ls leaves deleted recordings out" test "$(printf '%s\n' "$out" | grep -c 'Old voice')" -eq 0
check "ls prints one line per recording plus the header" \
	test "$(printf '%s\n' "$out" | wc -l)" -eq 10
check "ls columns line up" test "$(printf '%s\n' "$out" | awk '{print index($0, "CREATED") ? index($0, "CREATED") : index($0, "2026")}' | sort -u | wc -l)" -eq 1
run v --json ls
expect_ids "ls --json: newest first by default" "10 9 8 7 5 4 3 2 1"
expect_match "ls --json has every field" "$out" \
	'^\{"id":1,"uuid":"0b7c7f32-6a4e-4a57-9d8e-0d6c1d0c9a01","original_filename":"standup.m4a","stored_filename":"0b7c7f32[^"]*\.m4a","local_path":"recordings/raw/[^"]*","title":"Standup monday","description":"we talked about the budget","duration":62\.5,"filesize_bytes":123456,"mime_type":"audio/mp4","codec":"aac","sample_rate":44100,"channels":1,"bit_depth":null,"checksum":"0{63}1","status":"active","deleted_at":null,"retention_policy":null,"ingest_source":"local","created_by_app_version":null,"created_at":"2026-03-01T09:30:00\.000Z","modified_at":"2026-03-01T09:30:00\.000Z","integrity":"ok","verified_at":null,"recorded_at":"2026-03-01T09:30:00\.000Z","recorded_at_source":"import","offloaded_at":null,"tags":\["Work"\]\}$'
expect_match "absent values are null" "$out" '"id":7,.*"codec":null,"sample_rate":null,"channels":null'
expect_match "a non-UTF-8 file name is a valid string plus its hex" "$out" \
	'"id":10,.*"original_filename":"caf\\uFFFD\.m4a","original_filename_hex":"636166e92e6d3461"'
check "only such names carry the hex field" test "$(printf '%s\n' "$out" | grep -c original_filename_hex)" -eq 1
check "every ls --json line is JSON" sh -c 'printf "%s\n" "$1" | python3 -c "import json,sys; [json.loads(l) for l in sys.stdin]"' _ "$out"
run v ls --json --status deleted
expect_match "the deleted one has deleted_at" "$out" '"status":"deleted","deleted_at":"2026-03-10T00:00:00\.000Z"'

# --- ls filters -------------------------------------------------------------------------
run v --json ls --status all
expect_ids "--status all includes deleted" "10 9 8 7 5 4 3 2 1 6"
run v --json ls --status active
expect_ids "--status active" "10 9 8 7 4 3 2 1"
run v --json ls --status archived,deleted
expect_ids "--status takes a comma list" "5 6"
run v --json ls --status archived --status deleted
expect_ids "--status is repeatable" "5 6"
run v --json ls --tag work
expect_ids "--tag ignores case" "9 2 1"
run v --json ls --tag home --status all
expect_ids "--tag with --status all" "8 3 6"
run v --json ls --since 2026-03-07
expect_ids "--since a date" "10 9 8"
run v --json ls --until 2026-03-02
expect_ids "--until a date includes that day" "2 1"
run v --json ls --since 2026-03-02T10:00:00Z --until 2026-03-04T15:45
expect_ids "--since/--until with ISO times" "3 2"
run v --json ls --since 2026-03-02T12:00:00+02:00 --until 2026-03-02T12:00:01+02:00
expect_ids "an offset is converted to UTC" "2"
run v --json ls --since 2026-03-09T23:59:59.999Z
expect_ids "--since with milliseconds" "10"
run v --json ls --min-duration 1800
expect_ids "--min-duration" "9 5 4 2"
run v --json ls --max-duration 62.5
expect_ids "--max-duration (decimal)" "7 3 1"
run v --json ls --min-duration 100 --max-duration 1000
expect_ids "duration range" "10 8"
run v --json ls --mime audio/mp4
expect_ids "--mime (archived ones are listed too)" "10 9 5 3 1"
run v --json ls --remote r1
expect_ids "--remote" "3 2 1"
run v --json ls --remote r1 --sync-status synced
expect_ids "--remote with --sync-status" "1"
run v --json ls --remote r1 --sync-status unsynced
expect_ids "unsynced includes recordings never sent" "10 9 8 7 5 4 3"
run v --json ls --integrity ok,corrupt
expect_ids "--integrity list" "8 5 4 1"
run v --json ls --integrity missing --mime audio/ogg --tag work
expect_ids "filters combine with AND" ""

# --- ls sorting ---------------------------------------------------------------------------
run v --json ls --sort created --reverse
expect_ids "--sort created --reverse: oldest first" "1 2 3 4 5 7 8 9 10"
run v --json ls --sort title
expect_ids "--sort title: A to Z ignoring case, untitled first" "7 2 10 3 4 5 8 1 9"
run v --json ls --sort title -r
expect_ids "--sort title -r" "9 1 8 5 4 3 10 2 7"
run v --json ls --sort duration
expect_ids "--sort duration: longest first" "5 2 9 4 8 10 1 3 7"
run v --json ls --sort size --reverse
expect_ids "--sort size --reverse: smallest first" "7 3 1 10 4 8 9 2 5"

# --- ls paging ----------------------------------------------------------------------------
run v --json ls --limit 4
expect_ids "--limit" "10 9 8 7"
expect_match "a next page is announced on stderr" "$err" \
	'^more: vrp --library .* --json ls --limit 4 --cursor 7$'
run v ls --limit 4 --sort title
expect_match "the human listing announces it too" "$err" '^more: vrp --library .* ls --limit 4 --sort title --cursor 3$'
for sort in created title duration size; do
	for dir in "" --reverse; do
		seen=""
		args="--status all --sort $sort --limit 3 $dir"
		pages=0
		while :; do
			# shellcheck disable=SC2086
			run v --json ls $args
			[ "$status" -eq 0 ] || break
			seen="$seen $(ids "$out")"
			pages=$((pages + 1))
			next=$(printf '%s\n' "$err" | sed -n 's/^more: .* --cursor \([0-9]*\)$/\1/p')
			[ -n "$next" ] || break
			args="--status all --sort $sort --limit 3 $dir --cursor $next"
			[ "$pages" -lt 10 ] || break
		done
		check "paging by $sort $dir visits every row once" test \
			"$(printf '%s\n' $seen | sort -n | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 9 10 "
	done
done
run v --json ls --limit 9
check "the last page announces nothing" test -z "$err"
run v -q ls --limit 2
check "-q keeps the rows but drops the more: line" test -z "$err" -a -n "$out"
run v --json ls --cursor 999
expect_status "a cursor that names no recording exits 66" 66
expect_match "with ERR_NOT_FOUND" "$err" '"code":"ERR_NOT_FOUND"'

# --- ls usage errors ---------------------------------------------------------------------
for bad in "--status gone" "--sort colour" "--limit 0" "--limit 1001" "--limit x" \
	"--cursor -1" "--since yesterday" "--until 2026-02-30" "--since 2026-13-01" \
	"--min-duration -5" "--max-duration 0" "--integrity fine" "--sync-status synced" \
	"--tag a --tag b" "--frobnicate" "extra" "--limit"; do
	# shellcheck disable=SC2086
	run v ls $bad
	expect_status "ls $bad is a usage error" 64
done
run v --json ls --sort colour
expect_match "a usage error is JSON with --json" "$err" '^\{"error":\{"code":"ERR_USAGE","message":"--sort: unknown key'
run v ls --remote r1 --sync-status bogus
expect_status "an unknown sync status exits 64" 64
expect_match "as an invalid argument" "$err" "unknown sync status 'bogus'.*ERR_INVALID_ARGUMENT"
run v ls --remote nosuch
expect_status "ls --remote of a remote that does not exist exits 64" 64
expect_match "and says so, naming the remotes there are" "$err" "no remote named 'nosuch' \(remotes: r1\)"
run v ls --remote nosuch --sync-status unsynced
expect_status "with --sync-status unsynced too (which would match everything)" 64
run v ls --help
expect_status "ls --help exits 0" 0
expect_match "ls --help documents the filters" "$out" '--sync-status'
run "$VRP" --library "$WORK/none" ls
expect_status "ls without a library exits 66" 66

# --- show ---------------------------------------------------------------------------------
run v show 2
expect_status "show by id" 0
expect_match "show prints field: value lines" "$out" '^title: +Budget review$'
expect_match "show prints the size both ways" "$out" '^filesize_bytes: +52428800 \(50\.0 MiB\)$'
expect_match "show prints tags" "$out" '^tags: +finance, Work$'
expect_match "show prints absent values as -" "$out" '^deleted_at: +-$'
run v show "${U}02"
expect_status "show by uuid" 0
expect_match "show by uuid finds the same recording" "$out" '^id: +2$'
run v show "$(printf '%s' "${U}02" | tr a-f A-F)"
expect_match "show by an upper-case uuid" "$out" '^id: +2$'
run v show 10
expect_match "show escapes bytes that are not UTF-8" "$out" '^original_filename: +caf\\xE9\.m4a$'
run v --json show 6
expect_match "show --json is one object, deleted ones too" "$out" '^\{"id":6,.*"status":"deleted".*\}$'
check "show --json prints one line" test "$(printf '%s\n' "$out" | wc -l)" -eq 1
run v show 99
expect_status "show of a missing id exits 66" 66
expect_match "with ERR_NOT_FOUND" "$err" 'no recording with id 99 \[ERR_NOT_FOUND\]'
run v --json show "${U}99"
expect_status "show of a missing uuid exits 66" 66
expect_match "the JSON error names it" "$err" '^\{"error":\{"code":"ERR_NOT_FOUND","message":"no recording with uuid 0b7c7f32-6a4e-4a57-9d8e-0d6c1d0c9a99"\}\}$'
run v show banana
expect_status "show of text that is no id exits 64" 64
expect_match "as ERR_INVALID_ARGUMENT" "$err" 'ERR_INVALID_ARGUMENT'
run v show
expect_status "show without an id exits 64" 64
run v show 1 2
expect_status "show with two ids exits 64" 64
run v show --frob
expect_status "show with an unknown option exits 64" 64
run v show --help
expect_status "show --help exits 0" 0

# --- search -------------------------------------------------------------------------------
run v search budget
expect_status "search succeeds" 0
expect_match "search puts the title match first" "$(printf '%s\n' "$out" | head -1)" '^2  Budget review$'
expect_match "search marks matches with brackets off a terminal" "$out" '^    \[Budget\] review$'
expect_match "search shows snippets of descriptions" "$out" 'we talked about the \[budget\]'
check "search leaves deleted recordings out" test "$(printf '%s\n' "$out" | grep -c 'Old voice')" -eq 0
run v --json search budget
expect_ids "search --json ranks best first" "2 9 4 1"
expect_match "search --json has id, uuid, title, rank, snippet" "$(printf '%s\n' "$out" | head -1)" \
	'^\{"id":2,"uuid":"0b7c7f32-6a4e-4a57-9d8e-0d6c1d0c9a02","title":"Budget review","rank":-[0-9.e-]+,"snippet":"\[Budget\] review"\}$'
run v --json search budget --all
expect_ids "search --all includes deleted" "2 9 4 1 6"
run v --json search --limit 2 budget
expect_ids "search --limit" "2 9"
run v --json search --offset 2 --limit 1 budget
expect_ids "search --offset" "4"
run v --json search talked about
expect_ids "every word must match" "1"
run v --json search bud
expect_ids "the last word may be a prefix" "2 9 4 1"
run v --json search cafe
expect_ids "diacritics are ignored" "10"
run v --json search WORK
check "tags are searched" test "$(ids "$out" | tr ' ' '\n' | sort -n | tr '\n' ' ')" = "1 2 9 "
run v search nothingmatchesthis
expect_status "no hits is not an error" 0
expect_match "and says so" "$out" 'no matches'
for q in '"' 'NEAR(a b)' 'title:budget' '*' 'a OR b' '-budget' "'; DROP TABLE recordings; --" \
	'((("' '^budget' 'budget"' '\'; do
	run v --json search -- "$q"
	expect_status "hostile query [$q] is searched literally" 0
done
check "the catalogue survived the hostile queries" test "$(sqlite3 "$DB" 'SELECT count(*) FROM recordings')" -eq 10
run v --json search -- '"budget"'
expect_ids "quotes are literal but the word still matches" "2 9 4 1"
run v search
expect_status "search without words exits 64" 64
run v search '   '
expect_status "a blank query exits 64" 64
run v search --limit 0 x
expect_status "search --limit 0 exits 64" 64
run v search --bogus x
expect_status "search with an unknown option exits 64" 64
run v search --help
expect_status "search --help exits 0" 0
if command -v script >/dev/null 2>&1; then
	script -qec "\"$VRP\" --library \"$LIB\" search budget" /dev/null >"$WORK/tty.out" 2>&1
	check "search highlights in bold on a terminal" grep -q "$(printf '\033\\[1mBudget\033\\[0m')" "$WORK/tty.out"
fi

# --- edit ---------------------------------------------------------------------------------
run v edit 3 --title "Shopping list" --description "bread and cheese" --tag Errands --untag HOME
expect_status "edit succeeds" 0
expect_match "edit prints the updated recording" "$out" '^title: +Shopping list$'
expect_match "with its new tags" "$out" '^tags: +Errands$'
check "modified_at moved on" test "$(sqlite3 "$DB" "SELECT modified_at > '2026-03-03T08:00:00.000Z' FROM recordings WHERE id = 3")" -eq 1
run v --json search shopping
expect_ids "the search index follows a new title" "3"
run v --json search grocery
expect_ids "and forgets the old one" ""
run v --json search errands
expect_ids "the search index follows new tags" "3"
run v --json search cheese
expect_ids "and the new description" "3"
run v --json edit "${U}03" --title ""
expect_match "edit --json by uuid prints one object" "$out" '^\{"id":3,.*"title":"",.*"tags":\["Errands"\]\}$'
run v --json ls --tag errands
expect_ids "ls --tag follows edits" "3"
run v edit 3 --tag a --untag A
expect_status "adding and removing one tag exits 64" 64
run v edit 3
expect_status "an edit with nothing to change exits 64" 64
run v edit --title x
expect_status "edit without an id exits 64" 64
run v edit 3 4 --title x
expect_status "edit with two ids exits 64" 64
run v edit 3 --tag '   '
expect_status "an empty tag name exits 64" 64
check "a refused edit changed nothing" test "$(sqlite3 "$DB" "SELECT count(*) FROM recording_tags WHERE recording_id = 3")" -eq 1
run v edit 99 --title x
expect_status "edit of a missing id exits 66" 66
run v --json edit 99 --title x
expect_match "edit errors are JSON with --json" "$err" '^\{"error":\{"code":"ERR_NOT_FOUND"'
run v edit --help
expect_status "edit --help exits 0" 0

# --- rm, restore, archive -------------------------------------------------------------------
run v rm 4 "${U}07"
expect_status "rm by id and uuid" 0
expect_match "rm reports each" "$out" 'deleted 4'
run v --json ls --status deleted
expect_ids "they are deleted" "7 4 6"
check "rm keeps the files' rows (soft delete)" test "$(sqlite3 "$DB" 'SELECT count(*) FROM recordings')" -eq 10
check "rm wrote audit entries" test "$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE operation = 'delete' AND recording_id IN (4, 7) AND success = 1")" -eq 2
run v --json search interview
expect_ids "deleted recordings leave search" ""
run v --json rm 4
expect_match "rm of a deleted recording says it was already deleted" "$out" \
	'^\{"id":4,"uuid":"[^"]*","status":"deleted","previous_status":"deleted","changed":false\}$'
run v rm 1 99 banana 2
expect_status "rm with bad ids exits with the first failure's status" 66
expect_match "rm reports the missing id" "$err" 'no recording with id 99 \[ERR_NOT_FOUND\]'
expect_match "and the malformed one" "$err" "'banana' is not a recording id"
expect_match "but deletes the good ones" "$out" '^deleted 1$'
expect_match "on both sides of the bad ones" "$out" '^deleted 2$'
check "both good ones are deleted" test "$(sqlite3 "$DB" "SELECT group_concat(status) FROM recordings WHERE id IN (1, 2)")" = "deleted,deleted"
run v --json restore 1 2 4
expect_status "restore succeeds" 0
expect_match "restore --json reports each" "$out" '"id":4,"uuid":"[^"]*","status":"active","previous_status":"deleted","changed":true'
check "restore wrote audit entries" test "$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE operation = 'restore'")" -eq 3
check "restore clears deleted_at" test "$(sqlite3 "$DB" "SELECT count(*) FROM recordings WHERE id IN (1, 2, 4) AND deleted_at IS NULL AND status = 'active'")" -eq 3
run v archive 8
expect_status "archive succeeds" 0
expect_match "archive reports it" "$out" 'archived 8'
run v --json ls --status archived
expect_ids "ls --status archived" "8 5"
check "archiving is not audited" test "$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE recording_id = 8")" -eq 0
run v --json restore 5
expect_match "restore takes an archived recording back" "$out" '"previous_status":"archived","changed":true'
run v archive 6 8
expect_status "archive of a deleted recording fails" 64
expect_match "and says to restore it first" "$err" 'recording 6 is deleted; restore it first'
check "it stays deleted" test "$(sqlite3 "$DB" "SELECT status FROM recordings WHERE id = 6")" = deleted
run v --json rm 12345
expect_status "rm of a missing id exits 66" 66
expect_match "rm errors are JSON with --json" "$err" '^\{"error":\{"code":"ERR_NOT_FOUND","message":"no recording with id 12345"\}\}$'
run v rm
expect_status "rm without ids exits 64" 64
run v restore --force 1
expect_status "restore with an unknown option exits 64" 64
run v archive
expect_status "archive without ids exits 64" 64
for cmd in rm restore archive; do
	run v $cmd --help
	expect_status "$cmd --help exits 0" 0
done
# Every command's options go through one parser: same help, same usage errors.
for cmd in ls search edit import purge verify export audit log sync worker; do
	run v $cmd --no-such-option
	expect_status "$cmd --no-such-option exits 64" 64
	expect_match "and names the command and the option" "$err" "$cmd: unknown option or missing value in '--no-such-option'"
	run v $cmd --help
	expect_match "$cmd --help prints its usage" "$out" "^usage: vrp $cmd"
done
run v ls --limit
expect_match "an option without its value is a usage error too" "$err" "ls: unknown option or missing value in '--limit'"

# --- terminal text: display width, bidi controls ---------------------------------------------
v -q edit 1 --title '講義メモ' --tag wide
v -q edit 2 --title '🎙 memo' --tag wide
v -q edit 3 --title 'plain' --tag wide
v -q edit 8 --title 'ｆｕｌｌ ｗｉｄｔｈ ｔｉｔｌｅ ｔｈａｔ ｉｓ ｔｏｏ ｌｏｎｇ ｔｏ ｓｈｏｗ' --tag wide
run env LC_ALL=C "$VRP" --library "$LIB" ls --tag wide
check "ls lines up columns by display width, in the C locale too" python3 -c '
import sys, unicodedata
def width(s):
    return sum(0 if unicodedata.category(c) in ("Mn", "Me", "Cf") else
               2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in s)
def at_column(line, column):
    used = 0
    for i, c in enumerate(line):
        if used == column:
            return line[i - 1:]
        used += width(c)
    return ""
lines = sys.argv[1].splitlines()
column = width(lines[0][:lines[0].index("TAGS")])
assert len(lines) == 5, lines
for line in lines[1:]:
    cell = at_column(line, column)
    assert cell[0] == " " and cell[1] != " " and "wide" in cell, (line, cell)
' "$out"
check "a long wide title is cut by width, not characters" python3 -c '
import sys, unicodedata
line = [l for l in sys.argv[1].splitlines() if "ｆｕｌｌ" in l][0]
title = line[line.index("ｆｕｌｌ"):line.index("...") + 3]
assert sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in title) <= 40, title
assert "ｆｕｌｌ ｗｉｄｔｈ" in title, title
' "$out"
v -q edit 3 --title "$(printf 'invoice\342\200\256fdp.exe')"
run v show 3
expect_match "a bidi override in a title is escaped on a terminal" "$out" '^title: +invoice\\xE2\\x80\\xAEfdp\.exe$'
run v ls --tag wide
expect_match "in ls too" "$out" 'invoice\\xE2\\x80\\xAEfdp\.exe'
run v --json show 3
expect_match "JSON keeps it exact" "$out" '"title":"invoice\\u202Efdp\.exe"'
v -q edit 3 --title "$(printf 'a\342\201\247b\342\200\250c')"
run v show 3
expect_match "isolates and line separators are escaped too" "$out" '^title: +a\\xE2\\x81\\xA7b\\xE2\\x80\\xA8c$'
# One rule for tag case everywhere: compared ignoring case, shown as first written.
v -q edit 9 --tag WORK
check "edit --tag WORK is the existing tag Work, not a new one" test "$(sqlite3 "$DB" "SELECT group_concat(name) FROM tags WHERE name = 'work' COLLATE NOCASE")" = Work
run v show 9
expect_match "and it shows as first written" "$out" '^tags: +.*Work'
run v --json ls --tag wOrK
expect_match "ls --tag matches in any case" "$(ids "$out")" '(^| )9( |$)'
run v --json search WORK
expect_match "search too" "$(ids "$out")" '(^| )9( |$)'
v -q edit 9 --untag work
run v --json ls --tag Work
if printf '%s' "$(ids "$out")" | grep -Eq '(^| )9( |$)'; then not_ok "edit --untag matches in any case" "$out"
else ok "edit --untag matches in any case"; fi
esc=$(printf '\033')
run on_tty "" env -u NO_COLOR TERM=xterm "$VRP" --library "$LIB" search budget
expect_match "search marks matches in bold on a terminal" "$out" "${esc}\\[1m"
run on_tty "" env NO_COLOR=1 TERM=xterm "$VRP" --library "$LIB" search budget
if printf '%s' "$out" | grep -q "$esc"; then not_ok "NO_COLOR: no escape sequences" "$out"
else ok "NO_COLOR: no escape sequences"; fi
expect_match "(brackets instead)" "$out" '\[[Bb]udget\]'
run on_tty "" env -u NO_COLOR TERM=dumb "$VRP" --library "$LIB" search budget
if printf '%s' "$out" | grep -q "$esc"; then not_ok "TERM=dumb: no escape sequences" "$out"
else ok "TERM=dumb: no escape sequences"; fi
check "the database is sound after all this" sqlite3 "$DB" "PRAGMA quick_check"

finish
