#!/bin/sh
# Bad input of every format the importer takes (WAV, FLAC, MP3, M4A, Ogg
# Opus, WebM, AIFF, raw AAC, CAF, Wave64, WMA): for each, an empty file, the
# first half, the first 64 bytes, one with its middle overwritten, a text
# file under its name and one with a huge or lying header. Each is refused
# with the code its kind of damage has (the same code on a second try), or,
# when the damage leaves decodable audio (overwritten PCM samples), imported;
# never a crash. Afterwards the catalogue holds the recording it had plus
# what was imported, each with its file, nothing in tmp/, and verify is clean.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
LIB="$WORK/lib"
V() { "$VRP" --library "$LIB" "$@"; }
V -q init
IN="$WORK/in"
mkdir "$IN"
sox -q -n -r 16000 -c 1 -b 16 "$WORK/src.wav" synth 1 sine 440 vol 0.5
V -q import --no-derive "$WORK/src.wav"
kept=$(sqlite3 "$LIB/library.db" 'SELECT checksum FROM recordings')

ff() { ffmpeg -v error -y -i "$WORK/src.wav" "$@"; }
make_good() {
	case $1 in
	wav) cp "$WORK/src.wav" "$2" ;;
	flac) ff -c:a flac "$2" ;;
	mp3) ff -c:a libmp3lame -b:a 64k "$2" ;;
	m4a) ff -c:a aac -b:a 64k "$2" ;;
	ogg) ff -c:a libopus -b:a 32k "$2" ;;
	webm) ff -c:a libopus -b:a 32k "$2" ;;
	aiff) ff -c:a pcm_s16be "$2" ;;
	aac) ff -c:a aac -b:a 64k -f adts "$2" ;;
	caf) ff -c:a alac "$2" ;;
	w64) ff -f w64 "$2" ;;
	wma) ff -c:a wmav2 "$2" ;;
	esac
}

# A header that lies about what follows: a WAV data chunk of 4 GiB, an ID3v2
# tag of 256 MiB before MP3 frames, a FLAC metadata block of 16 MiB; for the
# others 2 MiB of zeros before the real bytes.
make_huge() {
	fmt=$1 good=$2 out=$3
	case $fmt in
	wav)
		head -c 40 "$good" >"$out"
		printf '\360\377\377\377' >>"$out"
		tail -c +45 "$good" >>"$out" ;;
	mp3)
		printf 'ID3\004\000\000\177\177\177\177' >"$out"
		cat "$good" >>"$out" ;;
	flac)
		printf 'fLaC\001\377\377\377' >"$out"
		tail -c +5 "$good" >>"$out" ;;
	*)
		head -c 2097152 /dev/zero >"$out"
		cat "$good" >>"$out" ;;
	esac
}

# Overwrites the middle third with bytes that are no format's.
make_corrupt() {
	size=$(stat -c %s "$1")
	cp "$1" "$2"
	third=$((size / 3))
	awk -v n="$third" 'BEGIN { srand(7); for (i = 0; i < n; i++) printf "%c", int(rand() * 255) + 1 }' |
		dd of="$2" bs=1 seek="$third" conv=notrunc status=none
}

FORMATS="wav flac mp3 m4a ogg webm aiff aac caf w64 wma"
for fmt in $FORMATS; do
	good="$WORK/good.$fmt"
	make_good "$fmt" "$good"
	size=$(stat -c %s "$good")
	: >"$IN/empty.$fmt"
	head -c $((size / 2)) "$good" >"$IN/half.$fmt"
	head -c 64 "$good" >"$IN/head64.$fmt"
	make_corrupt "$good" "$IN/corrupt.$fmt"
	printf 'Meeting notes\nnot audio at all\n' >"$IN/text.$fmt"
	make_huge "$fmt" "$good" "$IN/huge.$fmt"
done

# outcome FORMAT: imports every bad file of FORMAT at once (--json); prints the exit status.
outcome() {
	V --json import --no-derive "$IN"/*."$1" >"$WORK/out.json" 2>"$WORK/err.json" && st=0 || st=$?
	echo "$st"
}
# code_in FILE JSON: "imported", "duplicate" or the code the import gave FILE.
code_in() {
	line=$(grep -F "/$1\"" "$2" | head -1)
	case $line in
	*'"status":"imported"'*) echo imported ;;
	*'"status":"duplicate"'*) echo duplicate ;;
	*) printf '%s' "$line" | sed -n 's/.*"code":"\(ERR_[A-Z_]*\)".*/\1/p' ;;
	esac
}

# What each kind of damage must give (a list: any of them).
expected() {
	case $1 in
	empty) echo ERR_EMPTY_FILE ;;
	text) echo ERR_UNSUPPORTED_MEDIA ;;
	half) echo ERR_CORRUPT_MEDIA ;;
	head64) echo "ERR_CORRUPT_MEDIA ERR_UNSUPPORTED_MEDIA" ;;
	corrupt) echo "ERR_CORRUPT_MEDIA ERR_UNSUPPORTED_MEDIA imported" ;;
	huge) echo "ERR_CORRUPT_MEDIA ERR_UNSUPPORTED_MEDIA imported" ;;
	esac
}

imported=0
for fmt in $FORMATS; do
	st=$(outcome "$fmt")
	cat "$WORK/out.json" "$WORK/err.json" >"$WORK/first.json"
	# The second try sees the same bytes: the same answer (a file imported the
	# first time is a duplicate now).
	st2=$(outcome "$fmt")
	cat "$WORK/out.json" "$WORK/err.json" >"$WORK/second.json"
	case $st in 0 | 65) ;; *) not_ok "import of the bad $fmt files exits 0 or 65" "exit $st: $(cat "$WORK/first.json")" ;; esac
	bad="" said=""
	for kind in empty half head64 corrupt text huge; do
		f="$kind.$fmt"
		got=$(code_in "$f" "$WORK/first.json")
		again=$(code_in "$f" "$WORK/second.json")
		[ "$got" = imported ] && imported=$((imported + 1))
		said="$said $kind=${got#ERR_}"
		want=$(expected "$kind")
		case " $want " in *" $got "*) ;; *) bad="$bad $f gave '${got:-nothing}' (want: $want);" ;; esac
		if [ "$got" = imported ]; then
			[ "$again" = duplicate ] || bad="$bad $f imported, then '$again';"
		elif [ "$again" != "$got" ]; then
			bad="$bad $f gave $got, then $again;"
		fi
	done
	if [ -z "$bad" ]; then ok "$fmt: every bad file gets its code, twice the same"; else not_ok "$fmt: bad files" "$bad"; fi
	echo "#  $fmt:$said"
done

rows=$(sqlite3 "$LIB/library.db" 'SELECT count(*) FROM recordings')
[ "$rows" -eq $((imported + 1)) ] && ok "the catalogue holds its recording and the $imported imported, no more" ||
	not_ok "the catalogue holds its recording and the $imported imported" "$rows rows"
sqlite3 "$LIB/library.db" 'SELECT checksum FROM recordings' | grep -qx "$kept" &&
	ok "the recording the library had is still there" || not_ok "the recording the library had is still there"
files=$(find "$LIB/recordings/raw" -type f | wc -l)
[ "$files" -eq "$rows" ] && ok "one raw file per row ($files)" || not_ok "one raw file per row" "$files files, $rows rows"
temps=$(find "$LIB/tmp" -type f | wc -l)
[ "$temps" -eq 0 ] && ok "nothing left in tmp/" || not_ok "nothing left in tmp/" "$(ls "$LIB/tmp")"
run V verify --all
expect_status "verify --all is clean" 0
finish
