#!/bin/sh
# vrp import end to end: every format phones and recorders make, every bad
# input the issue names, JSON lines, a full disk, two imports at once, and
# kills at random moments followed by `vrp verify`.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the generated media fixtures}"
LIB="$WORK/lib"
"$VRP" -q --library "$LIB" init

count_rows() { sqlite3 "$1/library.db" "SELECT count(*) FROM recordings"; }
count_raw() { ls "$1/recordings/raw" | wc -l; }

GOOD="pcm16.wav pcm24.wav float32.wav odd-chunks.wav flac16k.flac id3v2.mp3 no-id3.mp3
vbr-no-xing.mp3 memo.m4a faststart.m4a vorbis.ogg opus.ogg opus.webm amr-nb.amr amr-nb.3gp tone.aiff"
mkdir "$WORK/good"
for f in $GOOD; do cp "$FIXTURES/$f" "$WORK/good/"; done

run "$VRP" --library "$LIB" --json import "$WORK/good"/*
expect_status "importing every supported format exits 0" 0
check "one JSON line per file, each imported" test "$(printf '%s\n' "$out" | grep -c '"status":"imported"')" -eq 16
check "every line is valid JSON with id and uuid" sh -c 'printf "%s\n" "$1" | python3 -c "
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    assert o[\"id\"] > 0 and len(o[\"uuid\"]) == 36 and o[\"path\"], o
"' _ "$out"
check "16 rows and 16 files" test "$(count_rows "$LIB")" -eq 16 -a "$(count_raw "$LIB")" -eq 16
check "tmp/ is empty after the import" test -z "$(ls "$LIB/tmp")"
mimes=$(sqlite3 "$LIB/library.db" "SELECT group_concat(DISTINCT mime_type) FROM (SELECT mime_type FROM recordings ORDER BY mime_type)")
expect_match "content-sniffed MIME types" "$mimes" 'audio/3gpp.*audio/aiff.*audio/amr.*audio/flac.*audio/mp4.*audio/mpeg.*audio/ogg.*audio/wav.*audio/webm'
check "stored files hash to the source checksums" sh -c '
	for f in "$1"/*; do
		sum=$(sha256sum "$f" | cut -d" " -f1)
		path=$(sqlite3 "$2/library.db" "SELECT local_path FROM recordings WHERE checksum = '"'"'$sum'"'"'")
		[ -n "$path" ] && [ "$(sha256sum "$2/$path" | cut -d" " -f1)" = "$sum" ] || exit 1
	done' _ "$WORK/good" "$LIB"
check "stored names are <uuid>.<ext>" test -z "$(ls "$LIB/recordings/raw" | grep -Ev '^[0-9a-f-]{36}\.(wav|flac|mp3|m4a|ogg|opus|webm|amr|3gp|aiff)$')"
check "durations are probed" test "$(sqlite3 "$LIB/library.db" "SELECT count(*) FROM recordings WHERE duration > 2.9 AND duration < 3.1")" -ge 14

run "$VRP" --library "$LIB" --json import "$WORK/good/pcm16.wav"
expect_status "a duplicate is not an error" 0
expect_match "a duplicate names the existing recording" "$out" '"status":"duplicate","id":[0-9]+,"uuid":"[0-9a-f-]{36}"'
check "nothing stored twice" test "$(count_rows "$LIB")" -eq 16 -a "$(count_raw "$LIB")" -eq 16

# Bad input: each rejected with its code; nothing stored; the run goes on.
mkdir "$WORK/bad"
for f in empty.wav text.txt text.mp3 image.png image.jpg image.wav random.mp3 random.wav \
	random-big.mp3 half.wav half.flac half.mp3 half.m4a half.webm half.aiff cut-end.ogg \
	garbled.flac garbled.m4a video-only.mp4; do cp "$FIXTURES/$f" "$WORK/bad/"; done
mkfifo "$WORK/bad/pipe.wav"
ln -s loop-b "$WORK/bad/loop-a.wav"; ln -s loop-a.wav "$WORK/bad/loop-b"
mkdir "$WORK/bad/folder"
printf 'RIFF' >"$WORK/bad/tiny.wav"
run timeout 60 "$VRP" --library "$LIB" --json import "$WORK/bad"/* /dev/zero "$WORK/missing.wav" "$FIXTURES/pcm16.wav"
expect_status "bad files make import exit 65" 65
code_of() { printf '%s\n' "$out" | grep "\"path\":\"[^\"]*/$1\"" | sed 's/.*"code":"\([A-Z_]*\)".*/\1/'; }
for f in empty.wav; do check "$f is ERR_EMPTY_FILE" test "$(code_of "$f")" = ERR_EMPTY_FILE; done
for f in text.txt text.mp3 image.png image.jpg image.wav random.mp3 random.wav random-big.mp3 video-only.mp4 tiny.wav; do
	check "$f is ERR_UNSUPPORTED_MEDIA" test "$(code_of "$f")" = ERR_UNSUPPORTED_MEDIA
done
for f in half.wav half.flac half.mp3 half.m4a half.webm half.aiff cut-end.ogg garbled.flac garbled.m4a; do
	check "$f is ERR_CORRUPT_MEDIA" test "$(code_of "$f")" = ERR_CORRUPT_MEDIA
done
for f in pipe.wav loop-a.wav folder zero; do check "$f is ERR_NOT_A_FILE" test "$(code_of "$f")" = ERR_NOT_A_FILE; done
check "a missing file is ERR_NOT_FOUND" test "$(code_of missing.wav)" = ERR_NOT_FOUND
check "a good file in the same run is still handled" test -n "$(printf '%s\n' "$out" | grep '"status":"duplicate"')"
check "bad input stored nothing" test "$(count_rows "$LIB")" -eq 16 -a "$(count_raw "$LIB")" -eq 16 -a -z "$(ls "$LIB/tmp")"

# An unreadable file (as an unprivileged user when we are root).
mkdir -m 777 "$WORK/shared"
cp "$FIXTURES/pcm16.wav" "$WORK/shared/locked.wav"
chmod 000 "$WORK/shared/locked.wav"
as_other_user "$VRP" -q --library "$WORK/shared/lib" init
run as_other_user "$VRP" --library "$WORK/shared/lib" --json import "$WORK/shared/locked.wav"
expect_match "an unreadable file is ERR_PERMISSION" "$out" '"code":"ERR_PERMISSION"'

run "$VRP" --library "$LIB" import "$WORK/bad/text.txt"
expect_match "human output explains a rejection" "$err" 'rejected .*text.txt: .*\[ERR_UNSUPPORTED_MEDIA\]'

# Options and names.
odd_name=$(printf 'caf\351 \377 memo.wav')
cp "$FIXTURES/pcm16.wav" "$WORK/$odd_name"
sox -n -r 8000 -c 1 "$WORK/other.wav" synth 1 sine 300 2>/dev/null
run "$VRP" --library "$LIB" --json import --title "Board meeting" --description "Q3 budget" \
	--tag work --tag Finance "$WORK/other.wav"
expect_status "import with options" 0
check "title, description and tags stored" test "$(sqlite3 "$LIB/library.db" "SELECT r.title || '|' || r.description || '|' || group_concat(t.name, ',') FROM recordings r JOIN recording_tags rt ON rt.recording_id = r.id JOIN tags t ON t.id = rt.tag_id WHERE r.title = 'Board meeting'")" = "Board meeting|Q3 budget|work,Finance"
sox -n -r 8000 -c 1 "$WORK/$odd_name" synth 1 sine 500 2>/dev/null
run "$VRP" --library "$LIB" --json import "$WORK/$odd_name"
check "a non-UTF-8 file name still gives valid JSON" sh -c 'printf "%s\n" "$1" | python3 -c "import json,sys; json.loads(sys.stdin.readline())"' _ "$out"
check "the original file name is kept byte for byte" test "$(sqlite3 "$LIB/library.db" "SELECT hex(original_filename) FROM recordings ORDER BY id DESC LIMIT 1")" = "$(printf '%s' "$odd_name" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"

# Directories: -r descends, skips dot-files and does not follow symlinked directories.
mkdir -p "$WORK/tree/a/b" "$WORK/tree/.hidden"
sox -n -r 8000 -c 1 "$WORK/tree/a/one.wav" synth 1 sine 610 2>/dev/null
sox -n -r 8000 -c 1 "$WORK/tree/a/b/two.wav" synth 1 sine 620 2>/dev/null
sox -n -r 8000 -c 1 "$WORK/tree/.hidden/three.wav" synth 1 sine 630 2>/dev/null
ln -s "$WORK/tree" "$WORK/tree/a/back"
run "$VRP" --library "$LIB" --json import "$WORK/tree"
expect_status "a directory without -r is rejected" 65
expect_match "and says to use -r" "$out" 'ERR_NOT_A_FILE.*use -r'
run "$VRP" --library "$LIB" --json import -r "$WORK/tree"
check "-r imports the two visible files" test "$(printf '%s\n' "$out" | grep -c '"status":"imported"')" -eq 2
expect_match "a symlinked directory is not followed" "$out" '"path":"[^"]*a/back","status":"rejected"'

# A full disk: the partial copy is removed and the database is unchanged.
if unshare -rm true 2>/dev/null; then
	head -c 6000000 /dev/urandom >"$WORK/noise.raw"
	sox -t raw -r 48000 -e signed -b 16 -c 2 "$WORK/noise.raw" "$WORK/big.wav" 2>/dev/null
	run unshare -rm sh -c '
		mkdir -p "$2" && mount -t tmpfs -o size=2m tmpfs "$2" || exit 99
		"$1" -q --library "$2" init || exit 98
		"$1" --library "$2" --json import "$3"; s=$?
		echo "status=$s rows=$(sqlite3 "$2/library.db" "SELECT count(*) FROM recordings") raw=$(ls "$2/recordings/raw" | wc -l) tmp=$(ls "$2/tmp" | wc -l)"' \
		_ "$VRP" "$WORK/full" "$WORK/big.wav"
	expect_match "disk full is ERR_NO_SPACE" "$out" '"code":"ERR_NO_SPACE"'
	expect_match "exit 65, nothing stored, no partial file" "$out" 'status=65 rows=0 raw=0 tmp=0'
else
	n=$((n + 1)); echo "ok $n - disk full # SKIP cannot mount a small tmpfs here"
fi

# Two imports at once, overlapping: both succeed, each content stored once.
mkdir "$WORK/c1" "$WORK/c2"
i=0
while [ $i -lt 24 ]; do
	sox -n -r 8000 -c 1 "$WORK/c1/f$i.wav" synth 0.5 sine $((700 + i * 10)) 2>/dev/null
	i=$((i + 1))
done
cp "$WORK/c1"/f1*.wav "$WORK/c2/"
i=0
while [ $i -lt 12 ]; do
	sox -n -r 8000 -c 1 "$WORK/c2/g$i.wav" synth 0.5 sine $((1000 + i * 10)) 2>/dev/null
	i=$((i + 1))
done
before=$(count_rows "$LIB")
"$VRP" -q --library "$LIB" import --json "$WORK/c1"/* >"$WORK/c1.out" 2>&1 &
p1=$!
"$VRP" -q --library "$LIB" import --json "$WORK/c2"/* >"$WORK/c2.out" 2>&1 &
p2=$!
wait $p1; s1=$?
wait $p2; s2=$?
check "two concurrent imports both succeed" test "$s1" -eq 0 -a "$s2" -eq 0
check "each content stored once" test "$(count_rows "$LIB")" -eq $((before + 36)) -a "$(count_raw "$LIB")" -eq $((before + 36))
check "no checksum twice" test "$(sqlite3 "$LIB/library.db" "SELECT count(*) - count(DISTINCT checksum) FROM recordings")" -eq 0
check "the database is sound" test "$(sqlite3 "$LIB/library.db" "PRAGMA integrity_check")" = ok

# Kill imports at random moments; afterwards every row has its whole file,
# and verify --fix accounts for everything else.
CRASH="$WORK/crash"
"$VRP" -q --library "$CRASH" init
mkdir "$WORK/many"
i=0
while [ $i -lt 40 ]; do
	sox -n -r 16000 -c 1 "$WORK/many/m$i.wav" synth 2 sine $((300 + i * 7)) 2>/dev/null
	i=$((i + 1))
done
round=0
while [ $round -lt 12 ]; do
	"$VRP" -q --library "$CRASH" import "$WORK/many" -r >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$(( (round * 37) % 9 + 1))"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	round=$((round + 1))
done
run "$VRP" --library "$CRASH" --json verify --fix
check "after kills, no recording is missing or corrupt" test -z "$(printf '%s\n' "$out" | grep -E '"finding":"(missing|corrupt|unreadable)"')"
check "after verify --fix, tmp/ is empty" test -z "$(ls "$CRASH/tmp")"
orphans=$(printf '%s\n' "$out" | grep -c '"finding":"orphan_file"')
check "orphan files are complete copies of a source" sh -c '
	for p in $(printf "%s\n" "$1" | grep "\"finding\":\"orphan_file\"" | sed "s/.*\"path\":\"\([^\"]*\)\".*/\1/"); do
		sum=$(sha256sum "$2/$p" | cut -d" " -f1)
		sha256sum "$3"/* | grep -q "^$sum " || exit 1
	done' _ "$out" "$CRASH" "$WORK/many"
run "$VRP" --library "$CRASH" --json import -r "$WORK/many"
expect_status "a full import after the kills succeeds" 0
check "every source is catalogued exactly once" test "$(count_rows "$CRASH")" -eq 40
check "raw/ holds the 40 recordings plus the reported orphans" test "$(count_raw "$CRASH")" -eq $((40 + orphans))

# One crafted WAV among good ones: rejected alone, the others imported (the
# whole batch used to be refused, exit 64, and `import -r` imported nothing).
CRAFT="$WORK/crafted-lib"
"$VRP" -q --library "$CRAFT" init
mkdir "$WORK/crafted"
sox -n -r 8000 -c 1 "$WORK/crafted/good1.wav" synth 0.5 sine 410 2>/dev/null
sox -n -r 8000 -c 1 "$WORK/crafted/good2.wav" synth 0.5 sine 420 2>/dev/null
cp "$FIXTURES/rate-3g.wav" "$WORK/crafted/rate_3g.wav"
run "$VRP" --library "$CRAFT" import -j 1 "$WORK/crafted/good1.wav" "$WORK/crafted/rate_3g.wav" "$WORK/crafted/good2.wav"
expect_status "a crafted WAV among good ones: exit 65" 65
check "the two good files are imported" test "$(printf '%s\n' "$out" | grep -c '^imported ')" -eq 2 -a "$(count_rows "$CRAFT")" -eq 2
expect_match "the crafted one is rejected as ERR_CORRUPT_MEDIA" "$err" 'rejected +[^ ]*rate_3g\.wav: .*sample rate.*\[ERR_CORRUPT_MEDIA\]'
cp "$FIXTURES/rate-max.wav" "$FIXTURES/channels-1000.wav" "$WORK/crafted/"
sox -n -r 8000 -c 1 "$WORK/crafted/good3.wav" synth 0.5 sine 430 2>/dev/null
run "$VRP" --library "$CRAFT" --json import -r "$WORK/crafted"
expect_status "import -r of a folder with crafted files: exit 65" 65
for f in rate_3g.wav rate-max.wav channels-1000.wav; do
	check "-r: $f is ERR_CORRUPT_MEDIA" test "$(code_of "$f")" = ERR_CORRUPT_MEDIA
done
check "-r: the new good file is imported, the others are duplicates" test \
	"$(printf '%s\n' "$out" | grep -c '"status":"imported"')" -eq 1 -a \
	"$(printf '%s\n' "$out" | grep -c '"status":"duplicate"')" -eq 2 -a "$(count_rows "$CRAFT")" -eq 3
check "-r: nothing of the crafted files is kept" test "$(count_raw "$CRAFT")" -eq 3 -a -z "$(ls "$CRAFT/tmp")"
run "$VRP" --library "$CRAFT" metrics
expect_match "a run of only duplicates and rejections is counted" "$out" 'vrp_import_duplicates 2'

# Piped, the per-file lines come before the summary (stdout is flushed per line).
run sh -c '"$1" --library "$2" import "$3"/good1.wav "$3"/rate_3g.wav "$3"/good3.wav 2>&1 | cat' _ "$VRP" "$CRAFT" "$WORK/crafted"
check "piped output: the summary is the last line" sh -c '
	printf "%s\n" "$1" | tail -n 1 | grep -Eq "^0 imported, 2 duplicate, 1 rejected$" &&
	test "$(printf "%s\n" "$1" | head -n 3 | grep -Ec "^(duplicate|rejected) ")" -eq 3' _ "$out"

# Ctrl-C (SIGINT) or SIGTERM in the middle: what committed is what was printed,
# no partial file stays, and the user is told. Many small files and -j 4, so
# files are in flight at every moment.
python3 - "$WORK/sig" <<'EOF'
import os, struct, sys
os.makedirs(sys.argv[1])
for i in range(1500):
    data = bytes((j * (i + 3)) & 0xFF for j in range(1600))
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 8000, 1, 8)
    body = b"WAVEfmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(data)) + data
    with open(os.path.join(sys.argv[1], "s%04d.wav" % i), "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)
EOF
interrupt_import() { # $1 library, $2 signal: import -r, signalled once results appear
	"$VRP" -q --library "$1" init
	rm -f "$WORK/sig.out" "$WORK/sig.err"
	"$VRP" --library "$1" import -j 4 -r "$WORK/sig" >"$WORK/sig.out" 2>"$WORK/sig.err" &
	pid=$!
	i=0
	while [ ! -s "$WORK/sig.out" ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i + 1)); done
	start=$(date +%s%N)
	kill -"$2" $pid
	wait $pid && status=0 || status=$?
	stop_ms=$((($(date +%s%N) - start) / 1000000))
}
interrupt_import "$WORK/sigint" INT
check "SIGINT: exit 130" test "$status" -eq 130
lines=$(grep -c '^imported ' "$WORK/sig.out")
rows=$(count_rows "$WORK/sigint")
check "SIGINT: it stopped part-way" test "$rows" -gt 0 -a "$rows" -lt 1500
check "SIGINT: one line printed per recording committed ($lines lines, $rows rows)" test "$lines" -eq "$rows"
check "SIGINT: says so on stderr" grep -qx "interrupted: $rows imported, the rest not" "$WORK/sig.err"
check "SIGINT: no partial file in tmp/" test -z "$(ls "$WORK/sigint/tmp")"
check "SIGINT: raw/ holds exactly the committed files" test "$(count_raw "$WORK/sigint")" -eq "$rows"
check "SIGINT: stopped within 5 s (${stop_ms} ms)" test "$stop_ms" -lt 5000
interrupt_import "$WORK/sigterm" TERM
check "SIGTERM: exit 143, told, nothing partial" sh -c '
	test "$1" -eq 143 && grep -q "^interrupted: [0-9]* imported, the rest not$" "$2" &&
	test -z "$(ls "$3/tmp")"' _ "$status" "$WORK/sig.err" "$WORK/sigterm"

# A killed import's staging files (named with its pid, which is gone) are
# removed by the next import, without `verify --fix`.
sh -c 'exit 0' &
dead=$!
wait $dead
: >"$WORK/sigint/tmp/0a1b2c3d-0000-4000-8000-00000000000a.$dead.part"
run "$VRP" --library "$WORK/sigint" import "$WORK/crafted/good1.wav"
check "the next import removes a dead import's .part" test -z "$(ls "$WORK/sigint/tmp")"

# --jobs: one file at a time gives the same library; out of range is a usage error.
ONE="$WORK/one-job"
"$VRP" -q --library "$ONE" init
run "$VRP" --library "$ONE" --json import --jobs 1 "$WORK/good"/*
expect_status "import --jobs 1 exits 0" 0
check "--jobs 1 imports every file" test "$(count_rows "$ONE")" -eq 16 -a -z "$(ls "$ONE/tmp")"
check "holding exactly the sources' contents" test \
	"$(sqlite3 "$ONE/library.db" "SELECT checksum FROM recordings ORDER BY checksum")" = \
	"$(sha256sum "$WORK/good"/* | cut -d' ' -f1 | sort)"
run "$VRP" --library "$ONE" import -j 5 "$WORK/good/pcm16.wav"
expect_status "--jobs outside 1 to 4 is a usage error" 64

finish
