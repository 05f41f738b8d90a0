#!/bin/sh
# Real speech: pocketsphinx-testdata's LibriVox utterances (a man reading
# Sense and Sensibility, 16 kHz, 25 s in all) transcribed by vrp, pooled WER
# against the package's reference transcripts. Measured: 21 errors in 71
# words (29.6%), the same words pocketsphinx's own test expects of its
# test model (test-lm.match) but for one; the bound leaves room for one
# more utterance going wrong, not for a regression of the front end.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
DATA=/usr/share/pocketsphinx/test/data/librivox
if [ ! -f "$DATA/transcription" ] || [ ! -d /usr/share/pocketsphinx/model/en-us ] ||
	! ldconfig -p | grep -q libpocketsphinx.so.3; then
	echo "1..0 # SKIP needs pocketsphinx-testdata, libpocketsphinx3 and pocketsphinx-en-us"
	exit 0
fi
LIB="$WORK/lib"
"$VRP" -q --library "$LIB" init
for id in $(cat "$DATA/fileids"); do
	"$VRP" -q --library "$LIB" import --no-derive "$DATA/$id.wav"
done
run "$VRP" --library "$LIB" transcribe -j 2 --all
expect_status "transcribe -j 2 --all of the five utterances exits 0" 0
check "five transcripts made" test "$(printf '%s\n' "$out" | grep -c 'transcript made')" -eq 5

# "<s> words </s> (id)" lines: the words of each, beside vrp's.
pairs() {
	for id in $(cat "$DATA/fileids"); do
		rid=$(sqlite3 "$LIB/library.db" "SELECT id FROM recordings WHERE CAST(original_filename AS TEXT) = '$id.wav'")
		ref=$(grep "($id)" "$DATA/transcription" | sed 's/<s>//; s/<\/s>.*//')
		printf '%s\t%s\n' "$ref" "$("$VRP" --library "$LIB" transcript "$rid" | tr '\n' ' ')"
	done
}
set -- $(pairs | python3 -c '
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
print(errors, total, round(100 * errors / total))')
echo "# pooled WER on pocketsphinx-testdata's LibriVox speech: $1 errors in $2 words ($3%)"
check "all 71 reference words were compared" test "$2" -eq 71
check "pooled WER on real speech is at most 35% ($3%)" test "$3" -le 35
run "$VRP" --library "$LIB" --json search respectable
expect_match "a word that was said is found, with when" "$out" '"field":"transcript","start":[0-9.]+'
finish
