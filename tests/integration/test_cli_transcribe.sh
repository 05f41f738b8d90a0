#!/bin/sh
# vrp transcribe, vrp transcript and search by spoken words, end to end, on
# synthetic speech from flite's and festival's voices (espeak-ng's is
# unintelligible to pocketsphinx). Short clips: about 50 s of audio in all.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
MODEL=/usr/share/pocketsphinx/model/en-us
if ! command -v flite >/dev/null || ! command -v text2wave >/dev/null || [ ! -d "$MODEL" ] ||
	! ldconfig -p | grep -q libpocketsphinx.so.3; then
	echo "1..0 # SKIP needs flite, festival, libpocketsphinx3 and pocketsphinx-en-us"
	exit 0
fi
LIB="$WORK/lib"
"$VRP" -q --library "$LIB" init
rows() { sqlite3 "$LIB/library.db" "$1"; }

# say VOICE TEXT OUT: the sentence, 16 kHz mono, its leading silence trimmed,
# 0.7 s of pause after it.
say() {
	if [ "$1" = festival ]; then
		echo "$2" | text2wave -o "$WORK/raw.wav"
	else
		flite -voice "$1" -t "$2" -o "$WORK/raw.wav"
	fi
	sox -q "$WORK/raw.wav" -r 16000 -c 1 -b 16 "$3" silence 1 0.01 1% pad 0 0.7
}

# Two sentences per voice, one clip per voice; the reference text beside it.
set -- \
	slt "Rice is often served in round bowls." "The juice of lemons makes fine punch." \
	rms "The box was thrown beside the parked truck." "The boy was there when the sun rose." \
	awb "A rod is used to catch pink salmon." "Kick the ball straight and follow through." \
	kal16 "Help the woman get back to her feet." "A pot of tea helps to pass the evening." \
	festival "These days a chicken leg is a rare dish." "The small pup gnawed a hole in the sock."
voices=""
while [ $# -gt 0 ]; do
	say "$1" "$2" "$WORK/a.wav"
	say "$1" "$3" "$WORK/b.wav"
	sox -q "$WORK/a.wav" "$WORK/b.wav" "$WORK/speech_$1.wav"
	printf '%s\n%s\n' "$2" "$3" >"$WORK/ref_$1.txt"
	voices="$voices $1"
	shift 3
done
for v in $voices; do "$VRP" -q --library "$LIB" import --no-derive "$WORK/speech_$v.wav"; done

# A sentence after exactly 10.0 s of digital silence, and the same after 1.0 s.
say kal16 "Please bring the green umbrella to the garden party." "$WORK/umbrella.wav"
sox -q -n -r 16000 -c 1 -b 16 "$WORK/s10.wav" trim 0 10.0
sox -q -n -r 16000 -c 1 -b 16 "$WORK/s1.wav" trim 0 1.0
sox -q "$WORK/s10.wav" "$WORK/umbrella.wav" "$WORK/late.wav"
sox -q "$WORK/s1.wav" "$WORK/umbrella.wav" "$WORK/early.wav"
# No speech: silence, white noise, a steady chord (44.1 kHz stereo, to resample).
sox -q -n -r 16000 -c 1 -b 16 "$WORK/silence.wav" trim 0 4
sox -q -n -r 16000 -c 1 -b 16 "$WORK/noise.wav" synth 4 whitenoise vol 0.1
sox -q -n -r 44100 -c 2 -b 16 "$WORK/chord.wav" synth 4 sine 440 sine 554 vol 0.3
"$VRP" -q --library "$LIB" import --no-derive "$WORK/late.wav" "$WORK/early.wav" \
	"$WORK/silence.wav" "$WORK/noise.wav" "$WORK/chord.wav"
id_of() { rows "SELECT id FROM recordings WHERE CAST(original_filename AS TEXT) = '$1' ORDER BY id DESC LIMIT 1"; }

run "$VRP" --library "$LIB" --json transcribe --all
expect_status "transcribe --all exits 0" 0
expect_match "and reports each recording made" "$out" '"id":1,"status":"made","words":[1-9][0-9]*'
check "a transcript asset per recording" test "$(rows "SELECT count(*) FROM derived_assets WHERE kind = 'transcript' AND generator = 'vrp-transcript-pocketsphinx'")" -eq 10

# WER, pooled over the voices, against the reference sentences.
wer=$(for v in $voices; do
	printf '%s\t%s\n' "$(tr '\n' ' ' <"$WORK/ref_$v.txt")" \
		"$("$VRP" --library "$LIB" transcript "$(id_of "speech_$v.wav")" | tr '\n' ' ')"
done | python3 -c '
import re, sys
def words(t): return re.sub(r"[^a-z\x27 ]", " ", t.lower()).split()
def distance(a, b):
    d = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(b) + 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] != b[j - 1]))
    return d[len(b)]
errors = total = 0
for line in sys.stdin:
    ref, hyp = line.rstrip("\n").split("\t")
    errors += distance(words(ref), words(hyp)); total += len(words(ref))
print(round(100 * errors / total))')
echo "# pooled WER on flite/festival speech: $wer%"
check "pooled WER on clear synthetic speech is at most 30% ($wer%)" test "$wer" -le 30

# Word times: the sentence after 10.0 s starts within 100 ms of 10.0 s, and
# 95% of the words recognised in both copies are 9.0 s later (within 100 ms).
"$VRP" --library "$LIB" transcript --format json "$(id_of early.wav)" >"$WORK/early.json"
"$VRP" --library "$LIB" transcript --format json "$(id_of late.wav)" >"$WORK/late.json"
timing=$(python3 -c '
import json, sys
def words(p): return [w for s in json.load(open(p))["segments"] for w in s["words"]]
early, late = words(sys.argv[1]), words(sys.argv[2])
first = late[0]["start"] if late else -1
shifts = []
for w in late:
    same = [e for e in early if e["word"] == w["word"] and abs(e["start"] + 9.0 - w["start"]) < 1.0]
    if same:
        shifts.append(abs(same[0]["start"] + 9.0 - w["start"]))
within = sum(1 for s in shifts if s <= 0.1)
print(f"{first:.2f} {within} {len(shifts)}")' "$WORK/early.json" "$WORK/late.json")
set -- $timing
echo "# first word after 10.0 s of silence at $1 s; $2 of $3 shared words within 100 ms"
check "the sentence after 10.0 s of silence starts within 100 ms ($1 s)" \
	python3 -c "import sys; sys.exit(abs($1 - 10.0) > 0.1)"
check "95% of the words shared with the 1.0 s copy start 9.0 s later, within 100 ms" \
	python3 -c "import sys; sys.exit(not ($3 >= 5 and $2 >= 0.95 * $3))"

for f in silence noise chord; do
	run "$VRP" --library "$LIB" transcript "$(id_of "$f.wav")"
	check "$f gives an empty transcript, not an error" test "$status" -eq 0 -a -z "$out"
done

# Formats.
id=$(id_of late.wav)
run "$VRP" --library "$LIB" transcript --format srt "$id"
expect_match "SubRip: numbered cues with comma milliseconds" "$out" '^1
00:00:(09|10),[0-9]{3} --> 00:00:[0-9]{2},[0-9]{3}
'
run "$VRP" --library "$LIB" transcript --format vtt "$id"
expect_match "WebVTT: the header, then dot milliseconds" "$out" '^WEBVTT

00:00:(09|10)\.[0-9]{3} --> '
run "$VRP" --library "$LIB" transcript --format json "$id"
check "JSON: words with start, end, confidence; alternatives with posteriors" python3 -c '
import json, sys
d = json.loads(sys.argv[1]); s = d["segments"][0]
assert d["engine"] == "pocketsphinx" and d["language"] == "en-us"
assert all(set(w) == {"word", "start", "end", "confidence"} and w["start"] < w["end"] for w in s["words"])
assert s["alternatives"] and all(0.01 <= a["posterior"] <= 1 for a in s["alternatives"])' "$out"
run "$VRP" --library "$LIB" transcript --format doc "$id"
expect_status "an unknown format is a usage error" 64
run "$VRP" --library "$LIB" transcript 999
expect_status "no such recording exits 66" 66

run "$VRP" --library "$LIB" transcribe "$id"
expect_match "a fresh transcript is kept" "$out" "^$id transcript fresh"
run "$VRP" --library "$LIB" transcribe --language xx-yy "$id"
expect_status "a language with no model installed exits 69" 69
expect_match "saying which package to install" "$err" 'install pocketsphinx-xx-yy'

# -j: one decoder per thread, the same transcripts as one at a time; a
# progress line on a terminal's stderr only.
three="$(id_of speech_slt.wav) $(id_of speech_rms.wav) $(id_of late.wav)"
dump() { for i in $three; do "$VRP" --library "$LIB" transcript --format json "$i"; done; }
"$VRP" -q --library "$LIB" transcribe --force -j 1 $three
dump >"$WORK/j1.json"
run "$VRP" --library "$LIB" transcribe --force -j 2 $three
expect_status "transcribe -j 2 exits 0" 0
check "and reports each of the three" test "$(printf '%s\n' "$out" | grep -c 'transcript made')" -eq 3
check "no progress line when stderr is not a terminal" test -z "$err"
dump >"$WORK/j2.json"
check "-j 2 gives the same transcripts as -j 1" cmp "$WORK/j1.json" "$WORK/j2.json"
run "$VRP" --library "$LIB" transcribe -j 0 --all
expect_status "-j 0 is a usage error" 64
if command -v script >/dev/null; then
	script -qec "$VRP --library $LIB transcribe --force -j 2 $three" /dev/null >"$WORK/tty.out" 2>&1 || true
	check "on a terminal a progress line counts recordings and audio" \
		grep -Eq '\[[0-3]/3 recordings\] [0-9:]+ / [0-9:]+ of audio +[0-9]+%' "$WORK/tty.out"
fi

# Search by spoken words: recall of the content words, and words never said.
content="rice served round bowls juice lemons punch thrown parked truck catch pink
salmon kick ball straight follow woman feet evening chicken rare dish hole sock"
recall=$(found=0; total=0
	for w in $content; do
		total=$((total + 1))
		"$VRP" --library "$LIB" --json search "$w" | grep -q '"field":"transcript"' && found=$((found + 1))
	done
	echo "$((100 * found / total))")
echo "# search recall of spoken content words: $recall%"
check "search finds at least 80% of the spoken content words ($recall%)" test "$recall" -ge 80
false_hits=0
for w in elephant guitar mountain computer yesterday window doctor family money question; do
	hits=$("$VRP" --library "$LIB" --json search "$w" | grep -c '"field":"transcript"' || true)
	false_hits=$((false_hits + hits))
done
echo "# false hits for 10 words never said: $false_hits"
check "words never said match at most 3 times in all ($false_hits)" test "$false_hits" -le 3

run "$VRP" --library "$LIB" --json search salmon
expect_match "a transcript hit gives field, start, end and excerpt" "$out" '"matches":\[\{"field":"transcript","start":[0-9.]+,"end":[0-9.]+,"excerpt":"[^"]*\[salmon\]'
run "$VRP" --library "$LIB" search umbrella
expect_match "text output says when it was said" "$out" '^    0:1[0-9]  .*\[umbrella\]'
rows "UPDATE recordings SET description = 'notes about umbrellas and umbrella stands' WHERE id = 1"
run "$VRP" --library "$LIB" --json search umbrella
expect_match "transcript and description hits come in one result" "$out" '"id":1,[^{]*"snippet":"[^"]*\[umbrella\][^"]*"\}'
expect_match "with the spoken one" "$out" "\"id\":$id,"

# Automatic titles.
check "a recording still named after its file got a title from its words" \
	test "$(rows "SELECT title FROM recordings WHERE id = $id")" = "Please bring the green umbrella to"
check "marked automatic" test "$(rows "SELECT title FROM auto_titles WHERE recording_id = $id")" = "Please bring the green umbrella to"
check "a recording with no speech keeps its file name" test "$(rows "SELECT title FROM recordings WHERE id = $(id_of noise.wav)")" = noise
"$VRP" -q --library "$LIB" edit "$id" --title "Garden party"
"$VRP" -q --library "$LIB" transcribe "$id"
check "a user's edit wins over a later transcription" test "$(rows "SELECT title FROM recordings WHERE id = $id")" = "Garden party"
"$VRP" -q --library "$LIB" import --no-derive --title "Budget" "$WORK/umbrella.wav"
sid=$(id_of umbrella.wav)
cp "$WORK/a.wav" "$WORK/other.wav"
"$VRP" -q --library "$LIB" import --no-derive "$WORK/other.wav"
oid=$(id_of other.wav)
"$VRP" -q --library "$LIB" transcribe "$sid"
check "a title given at import is kept" test "$(rows "SELECT title FROM recordings WHERE id = $sid")" = Budget
"$VRP" -q --library "$LIB" transcribe --no-auto-title "$oid"
check "--no-auto-title keeps the file name" test "$(rows "SELECT title FROM recordings WHERE id = $oid")" = other
printf '[transcribe]\nauto_title = false\n' >"$VRP_CONFIG"
"$VRP" -q --library "$LIB" transcribe "$oid"
check "so does the setting transcribe.auto_title = false" test "$(rows "SELECT title FROM recordings WHERE id = $oid")" = other
rm -f "$VRP_CONFIG"

# A deleted recording's words are not found; its index rows go with a purge.
"$VRP" -q --library "$LIB" rm "$sid"
run "$VRP" --library "$LIB" --json search umbrella
check "a deleted recording's words are not found" test -z "$(printf '%s' "$out" | grep "\"id\":$sid,")"

# kill -9 mid-transcription: the next run resumes after the last finished
# utterance (the journal), and the transcript has every utterance once.
sox -q "$WORK/speech_slt.wav" "$WORK/speech_rms.wav" "$WORK/speech_awb.wav" "$WORK/long.wav"
"$VRP" -q --library "$LIB" import --no-derive "$WORK/long.wav"
lid=$(id_of long.wav)
journal="$LIB/derived/transcript/$(rows "SELECT uuid FROM recordings WHERE id = $lid").journal"
"$VRP" -q --library "$LIB" transcribe "$lid" &
pid=$!
# journaled: the utterances the journal holds (0 while it does not exist).
journaled() {
	lines=$(grep -c '^[0-9]' "$journal" 2>/dev/null) || true
	echo "${lines:-0}"
}
i=0
while [ $i -lt 600 ] && [ "$(journaled)" -lt 1 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -9 "$pid" 2>/dev/null && killed=yes || killed=no
wait "$pid" 2>/dev/null
kept=$(journaled)
echo "# transcribe was killed while running: $killed, with $kept utterances journaled"
run "$VRP" --library "$LIB" --json transcribe "$lid"
expect_status "transcribing again after kill -9 works" 0
if [ "$killed" = yes ] && [ "$kept" -ge 1 ]; then
	check "and resumes after the last finished utterance" grep -q 'resuming a transcript after its last finished utterance' "$VRP_LOG_DIR"/*
fi
check "the journal is gone once the transcript is stored" test ! -e "$journal"
"$VRP" --library "$LIB" transcript --format json "$lid" >"$WORK/long.json"
check "six utterances, in order, none twice" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["segments"]
assert len(s) == 6, len(s)
assert all(a["end"] <= b["start"] for a, b in zip(s, s[1:]))
assert "salmon" in s[4]["text"] or "follow" in s[5]["text"]' "$WORK/long.json"

# The derive queue transcribes by default: import queues it, a worker makes
# it, and a worker killed mid-transcript leaves a journal the next one
# resumes from once the lease (2 s here) has run out.
Q="$WORK/queued"
"$VRP" -q --library "$Q" init
"$VRP" -q --library "$Q" import "$WORK/long.wav"
qjournal="$Q/derived/transcript/$(sqlite3 "$Q/library.db" "SELECT uuid FROM recordings WHERE id = 1").journal"
"$VRP" -q --library "$Q" worker --lease 2 2>"$WORK/worker.err" &
pid=$!
i=0
while [ $i -lt 1200 ] && [ "$(grep -c '^[0-9]' "$qjournal" 2>/dev/null || echo 0)" -lt 1 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -9 "$pid" 2>/dev/null && killed=yes || killed=no
wait "$pid" 2>/dev/null
echo "# the worker was killed while transcribing: $killed"
check "the killed worker's task is left running" test "$(sqlite3 "$Q/library.db" "SELECT state FROM derive_tasks")" = running
sleep 2.5
run "$VRP" --library "$Q" worker --once --lease 2
expect_status "the next worker takes the task over once its lease ran out" 0
if [ "$killed" = yes ]; then
	check "and resumes the transcript after its last finished utterance" grep -q 'resuming a transcript after its last finished utterance' "$VRP_LOG_DIR"/*
fi
check "every kind import queues is made, the transcript included" test "$(sqlite3 "$Q/library.db" "SELECT group_concat(kind) FROM (SELECT kind FROM derived_assets ORDER BY kind)")" = "compressed,spectrogram,transcript,waveform"
check "the queue is empty" test "$(sqlite3 "$Q/library.db" "SELECT count(*) FROM derive_tasks")" -eq 0
check "no journal is left" test ! -e "$qjournal"
run "$VRP" --library "$Q" --json search salmon
expect_match "the queued transcript is indexed for search" "$out" '"field":"transcript"'
"$VRP" --library "$Q" transcript --format json 1 >"$WORK/queued.json"
check "six utterances, in order, none twice, as vrp transcribe made" python3 -c '
import json, sys
a, b = (json.load(open(p))["segments"] for p in sys.argv[1:])
assert len(a) == len(b) == 6, (len(a), len(b))
assert all(x["end"] <= y["start"] for x, y in zip(a, a[1:]))' "$WORK/queued.json" "$WORK/long.json"

run "$VRP" --library "$LIB" derive --all
check "vrp derive does not transcribe unasked" test -z "$(printf '%s' "$out" | grep transcript)"
finish
