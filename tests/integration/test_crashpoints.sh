#!/bin/sh
# Crash points: every durable step (write, fsync, rename, unlink, commit) of
# import, sync upload, sync pull, purge, export, migrate and derive is a place
# the process dies (VRP_CRASH_AT=N, see src/lib/core/durable.h). For each
# operation the test counts its steps, then for every N dies there, recovers
# (runs the operation again) and checks that nothing was lost, duplicated or
# left behind. CRASH_POINTS (default 0: all of them) tries only that many
# points per operation, spread evenly from the first to the last (the first
# argument gives the default).
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${MIGRATIONS:?set MIGRATIONS to the migrations directory}"
POINTS=${CRASH_POINTS:-${1:-0}}

probe="$WORK/probe"
"$VRP" -q --library "$probe" init 2>/dev/null
VRP_CRASH_COUNT="$WORK/probe.count" "$VRP" -q --library "$probe" ls >/dev/null 2>&1
if [ ! -s "$WORK/probe.count" ]; then
	echo "1..0 # SKIP vrp was built without crash points (meson -Dcrashpoints=enabled)"
	exit 0
fi

mkdir "$WORK/in"
for f in 1 2; do sox -n -r 8000 -c 1 "$WORK/in/memo$f.wav" synth 0.5 sine $((300 + f * 100)) 2>/dev/null; done
rows() { sqlite3 "$1/library.db" "$2"; }
sums() { find "$1" -type f ! -name "*.vrp.json" ! -name '*.part' ! -name '.*' -exec sha256sum {} + | cut -d' ' -f1 | sort; }

# consistent LIB RECORDINGS: the library holds RECORDINGS recordings, each once,
# each with its file; no file without its row; verify, db status and SQLite agree.
problems=""
consistent() {
	lib=$1 want=$2
	problems=""
	[ "$(rows "$lib" 'PRAGMA integrity_check')" = ok ] || problems="$problems integrity_check;"
	have=$(rows "$lib" 'SELECT count(*) FROM recordings')
	[ "$have" -eq "$want" ] || problems="$problems $have recordings, not $want;"
	distinct=$(rows "$lib" 'SELECT count(DISTINCT checksum) FROM recordings')
	[ "$distinct" -eq "$have" ] || problems="$problems duplicated content;"
	files=$(find "$lib/recordings/raw" -type f | wc -l)
	[ "$files" -eq "$have" ] || problems="$problems $files raw files for $have rows;"
	assets=$(find "$lib/derived" -type f 2>/dev/null | wc -l)
	asset_rows=$(rows "$lib" 'SELECT count(*) FROM derived_assets')
	[ "$assets" -eq "$asset_rows" ] || problems="$problems $assets asset files for $asset_rows rows;"
	temps=$(find "$lib/tmp" -type f | wc -l)
	[ "$temps" -eq 0 ] || problems="$problems $temps files left in tmp/;"
	"$VRP" -q --library "$lib" verify --all >"$WORK/verify.out" 2>&1 ||
		problems="$problems verify: $(tr '\n' ' ' <"$WORK/verify.out");"
	"$VRP" -q --library "$lib" db status >/dev/null 2>"$WORK/status.err" ||
		problems="$problems db status: $(cat "$WORK/status.err");"
}

# remote_once REMOTE LIB: the remote holds each of LIB's recordings exactly once.
remote_once() {
	remote=$1 lib=$2
	[ "$(sums "$remote")" = "$(rows "$lib" 'SELECT checksum FROM recordings ORDER BY checksum')" ] ||
		problems="$problems remote holds $(sums "$remote" | wc -l) objects ($(sums "$remote" | uniq -d | wc -l) twice) for $(rows "$lib" 'SELECT count(*) FROM recordings') recordings;"
	parts=$(find "$remote" -name '*.part' | wc -l)
	[ "$parts" -eq 0 ] || problems="$problems $parts .part files on the remote;"
}

# The state each operation starts from, made once and copied for every point
# (with its config file, whose remote paths are rewritten for the copy).
BASE="$WORK/base"
mkdir "$BASE"
VRP_CONFIG="$BASE/config.ini"
"$VRP" -q --library "$BASE/empty" init
"$VRP" -q --library "$BASE/imported" init
"$VRP" -q --library "$BASE/imported" import --no-derive "$WORK"/in/*.wav
mkdir "$BASE/nas"
"$VRP" -q --library "$BASE/imported" remote add nas localdir path="$BASE/nas"
mkdir "$BASE/synced-nas"
"$VRP" -q --library "$BASE/synced" init
"$VRP" -q --library "$BASE/synced" import --no-derive "$WORK"/in/*.wav
"$VRP" -q --library "$BASE/synced" remote add snas localdir path="$BASE/synced-nas"
"$VRP" -q --library "$BASE/synced" sync --remote snas >/dev/null 2>&1
"$VRP" -q --library "$BASE/other" init
# A purge removes a recording's assets too.
"$VRP" -q --library "$BASE/assets" init
"$VRP" -q --library "$BASE/assets" import --no-derive "$WORK"/in/*.wav
"$VRP" -q --library "$BASE/assets" derive --kind waveform,spectrogram --all >/dev/null
# The pulling library has a config file of its own: it names the same remote.
VRP_CONFIG="$BASE/other.ini" "$VRP" -q --library "$BASE/other" remote add snas localdir path="$BASE/synced-nas"
# A version-1 catalogue naming a real file.
mkdir -p "$BASE/old/recordings/raw" "$BASE/old/tmp"
cp "$WORK/in/memo1.wav" "$BASE/old/recordings/raw/0b7c7f32-6a4e-4a57-9d8e-0d6c1d0c9a11.wav"
sqlite3 "$BASE/old/library.db" <"$MIGRATIONS/001_initial.sql"
sqlite3 "$BASE/old/library.db" "PRAGMA user_version = 1; PRAGMA journal_mode = WAL;
INSERT INTO recordings (uuid, original_filename, stored_filename, local_path, title,
 filesize_bytes, mime_type, checksum, created_at, modified_at) VALUES
 ('0b7c7f32-6a4e-4a57-9d8e-0d6c1d0c9a11', 'memo1.wav', '0b7c7f32-6a4e-4a57-9d8e-0d6c1d0c9a11.wav',
 'recordings/raw/0b7c7f32-6a4e-4a57-9d8e-0d6c1d0c9a11.wav',
  'Standup', $(stat -c %s "$WORK/in/memo1.wav"), 'audio/wav',
  '$(sha256sum "$WORK/in/memo1.wav" | cut -d' ' -f1)', '2026-01-01T00:00:00.000Z',
  '2026-01-01T00:00:00.000Z');" >/dev/null
latest=$(ls "$MIGRATIONS" | sed -n 's/^0*\([0-9][0-9]*\)_.*/\1/p' | sort -n | tail -1)

# What each operation is, and what must hold after it was killed and run again.
# S is the copy of the base state, L the library in it.
op_import() { "$VRP" -q --library "$S/empty" import --no-derive "$WORK"/in/*.wav; }
check_import() { consistent "$S/empty" 2; }
op_upload() { "$VRP" -q --library "$S/imported" sync --remote nas; }
check_upload() { consistent "$S/imported" 2; remote_once "$S/nas" "$S/imported"; }
op_pull() { VRP_CONFIG="$S/other.ini" "$VRP" -q --library "$S/other" sync pull --remote snas; }
check_pull() { consistent "$S/other" 2; remote_once "$S/synced-nas" "$S/other"; }
# Run again after a death that came after the commit, the purge finds no id 2: done.
op_purge() {
	"$VRP" -q --library "$S/assets" purge --yes 2 && return 0 || purge_status=$?
	[ "$purge_status" -eq 66 ] && [ "$(rows "$S/assets" 'SELECT count(*) FROM recordings WHERE id = 2')" -eq 0 ] &&
		return 0
	return "$purge_status"
}
check_purge() {
	consistent "$S/assets" 1
	[ "$(rows "$S/assets" 'SELECT count(*) FROM recordings WHERE id = 2')" -eq 0 ] ||
		problems="$problems recording 2 not purged;"
	[ "$(find "$S/assets/derived" -type f | wc -l)" -eq 2 ] ||
		problems="$problems $(find "$S/assets/derived" -type f | wc -l) asset files, not the other recording's 2;"
}
op_export() { "$VRP" -q --library "$S/imported" export "$S/out"; }
check_export() {
	consistent "$S/imported" 2
	[ "$(sums "$S/out" | grep -c .)" -eq 3 ] || problems="$problems export holds $(find "$S/out" -type f | wc -l) files, not 2 + metadata.json;"
	[ "$(find "$S/out" -type f -name '*.wav' -exec sha256sum {} + | cut -d' ' -f1 | sort)" = \
		"$(rows "$S/imported" 'SELECT checksum FROM recordings ORDER BY checksum')" ] ||
		problems="$problems exported files differ from the library's;"
}
op_migrate() { "$VRP" -q --library "$S/old" db migrate; }
check_migrate() {
	consistent "$S/old" 1
	v=$(rows "$S/old" 'PRAGMA user_version')
	[ "$v" -eq "$latest" ] || problems="$problems schema $v, not $latest;"
	[ "$(rows "$S/old" 'SELECT title FROM recordings')" = Standup ] || problems="$problems the row changed;"
}
op_derive() { "$VRP" -q --library "$S/imported" derive --kind waveform,spectrogram --all; }
check_derive() {
	consistent "$S/imported" 2
	made=$(rows "$S/imported" "SELECT count(*) FROM derived_assets WHERE kind IN ('waveform', 'spectrogram')")
	[ "$made" -eq 4 ] || problems="$problems $made assets, not 4;"
}

fresh_copy() {
	rm -rf "$S"; cp -a "$BASE" "$S"
	sed "s|$BASE|$S|g" "$BASE/config.ini" >"$S/config.ini"
	sed "s|$BASE|$S|g" "$BASE/other.ini" >"$S/other.ini"
	VRP_CONFIG="$S/config.ini"
}

# Bugs the test found and that are not fixed yet: reported as TODO, not hidden
# (known_OP="what goes wrong"). None is known now.

# crash_test OP: enumerates OP's crash points; at each, dies, recovers, checks.
crash_test() {
	op=$1
	S="$WORK/run"
	fresh_copy
	VRP_CRASH_COUNT="$WORK/count" "op_$op" >/dev/null 2>"$WORK/op.err" ||
		{ not_ok "$op runs without a crash" "$(cat "$WORK/op.err")"; return; }
	points=$(cat "$WORK/count")
	check_"$op"
	if [ -n "$problems" ]; then not_ok "$op without a crash is consistent" "$problems"; return; fi
	step=1
	[ "$POINTS" -gt 1 ] && [ "$points" -gt "$POINTS" ] && step=$(((points - 1) / (POINTS - 1)))
	bad=0 died=0 finished=0 tried=0 at=1
	while [ "$at" -le "$points" ]; do
		tried=$((tried + 1))
		fresh_copy
		mode=exit; [ $((at % 2)) -eq 0 ] && mode=kill
		VRP_CRASH_AT=$at VRP_CRASH_MODE=$mode "op_$op" >/dev/null 2>"$WORK/op.err" && st=0 || st=$?
		# exit mode: _exit(99); kill mode: SIGKILL, 137 from the shell.
		if [ "$st" -eq 99 ] || [ "$st" -eq 137 ]; then died=$((died + 1)); fi
		# A sync's steps vary a little between runs (its threads): past its
		# last point a run finishes instead.
		[ "$st" -eq 0 ] && finished=$((finished + 1))
		if ! VRP_CRASH_AT= "op_$op" >/dev/null 2>"$WORK/rerun.err"; then
			problems="the rerun failed: $(tr '\n' ' ' <"$WORK/rerun.err")"
		else
			check_"$op"
		fi
		if [ -n "$problems" ]; then
			bad=$((bad + 1))
			eval "known=\${known_$op:-}"
			todo=""; [ -n "$known" ] && todo=" # TODO $known"
			if [ -n "$todo" ]; then
				# A known bug: TAP's TODO, shown and counted, not failing the suite.
				[ "$bad" -le 1 ] && n=$((n + 1)) &&
					printf 'not ok %d - %s killed at point %d of %d recovers%s\n#   %s\n' \
						"$n" "$op" "$at" "$points" "$todo" "$problems"
			else
				[ "$bad" -le 3 ] && not_ok "$op killed at point $at of $points ($mode) recovers" "$problems"
			fi
		fi
		# The last point is always tried.
		if [ "$at" -lt "$points" ] && [ $((at + step)) -gt "$points" ]; then at=$points; else at=$((at + step)); fi
	done
	if [ "$bad" -eq 0 ]; then ok "$op: died at $died of the $tried of its $points points tried, recovered every time"; fi
	[ $((died + finished)) -eq "$tried" ] && [ "$died" -gt 0 ] ||
		not_ok "$op died at the points it was asked to, or finished" "died $died, finished $finished of $tried"
}

for op in ${CRASH_OPS:-import upload pull purge export migrate derive}; do
	crash_test "$op"
done
finish
