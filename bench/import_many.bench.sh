#!/bin/sh
# Importing many small recordings against `git annex add`, which does the
# same job for a git-annex repository (hash each file, move it into a
# content-addressed store, record it). vrp also identifies every file by its
# content and commits in batches; the target is to be at least 15x faster,
# and within 1.5x of `cp -r SRC DST && sync`: the floor for copying the same
# files durably. vrp's time includes the waveform it makes of every file.
# Only the import, the add and the copy are timed, from page-cached files.
#
# Env: COUNT (1000 files), FILE_KB (200), RUNS (1, medians), TMPDIR.
set -eu
: "${VRP:?}"
HERE=$(dirname "$0")
# shellcheck source=bench/common.sh
. "$HERE/common.sh"
COUNT=${COUNT:-1000}
FILE_KB=${FILE_KB:-200}
RUNS=${RUNS:-1}
bench_need git git-annex sqlite3 python3

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vrp-bench-XXXXXX")
# git-annex makes its objects read-only; rm needs write permission back.
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
SRC=$WORK/src
python3 "$HERE/make-wavs.py" "$SRC" $((FILE_KB * 1000)) "$COUNT"
cat "$SRC"/* >/dev/null

# git-annex commits to its own branch at init: give it a neutral identity
# and keep the user's git configuration out of the measurement.
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

vrp_import() {
	lib=$WORK/lib
	rm -rf "$lib"
	"$VRP" -q --library "$lib" init
	us=$(time_us "$VRP" -q --library "$lib" import -r "$SRC")
	n=$(sqlite3 "$lib/library.db" "SELECT count(*) FROM recordings")
	[ "$n" = "$COUNT" ] || { echo "bench: vrp imported $n of $COUNT files" >&2; exit 2; }
	rm -rf "$lib"
	echo "$us"
}

annex_add() {
	repo=$WORK/annex
	chmod -R u+w "$repo" 2>/dev/null || true
	rm -rf "$repo"
	cp -r "$SRC" "$repo"
	(cd "$repo" && git init -q && git annex init -q bench >/dev/null 2>&1)
	cat "$repo"/* >/dev/null
	us=$(cd "$repo" && time_us git annex add --quiet .)
	n=$(cd "$repo" && git annex find | wc -l)
	[ "$n" = "$COUNT" ] || { echo "bench: git annex added $n of $COUNT files" >&2; exit 2; }
	echo "$us"
}

copy_sync() {
	rm -rf "$WORK/copy"
	sync
	us=$(time_us sh -c 'cp -r "$1" "$2" && sync' sh "$SRC" "$WORK/copy")
	rm -rf "$WORK/copy"
	echo "$us"
}

: >"$WORK/vrp.us"
: >"$WORK/annex.us"
: >"$WORK/copy.us"
i=0
while [ $i -lt "$RUNS" ]; do
	vrp_import >>"$WORK/vrp.us"
	annex_add >>"$WORK/annex.us"
	copy_sync >>"$WORK/copy.us"
	i=$((i + 1))
done
vrp=$(calc "$(median <"$WORK/vrp.us") / 1000")
annex=$(calc "$(median <"$WORK/annex.us") / 1000")
copy=$(calc "$(median <"$WORK/copy.us") / 1000")
ratio=$(calc "$annex / $vrp")
floor=$(calc "$vrp / $copy")

echo "files: $COUNT WAVs of ${FILE_KB} kB, page-cached; median of $RUNS"
echo "vrp import -r:   $vrp ms ($(calc "$COUNT / ($vrp / 1000)") files/s)"
echo "git annex add .: $annex ms ($(calc "$COUNT / ($annex / 1000)") files/s)"
echo "cp -r && sync:   $copy ms"
echo "ratio git-annex/vrp: $ratio (vrp is ${ratio}x faster)"
echo "ratio vrp/(cp+sync): $floor"
verdict "vrp at least 15x faster than git annex add ($ratio)" \
	"$(awk -v r="$ratio" 'BEGIN { print (r >= 15) }')"
verdict "vrp within 1.5x of cp -r && sync ($floor)" \
	"$(awk -v r="$floor" 'BEGIN { print (r <= 1.5) }')"
bench_exit
