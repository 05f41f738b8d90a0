#!/bin/sh
# Settings per library (<library>/config.ini over the user-wide file),
# `vrp config get|set|unset|ls`, `vrp remote set`, and remote add's check of
# a localdir target. Runs without VRP_CONFIG: that one-file override is what
# the other tests use, and is checked last.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the generated media fixtures}"
unset VRP_CONFIG
export XDG_CONFIG_HOME="$WORK/xdg"
USER_INI="$XDG_CONFIG_HOME/vrp/config.ini"
A="$WORK/work-lib"
B="$WORK/home-lib"
va() { "$VRP" --library "$A" "$@"; }
vb() { "$VRP" --library "$B" "$@"; }
va -q init
vb -q init
mkdir "$WORK/nas-a" "$WORK/nas-b"

# --- two libraries, one remote name -------------------------------------
run va remote add nas localdir path="$WORK/nas-a"
expect_status "library A adds remote nas" 0
run vb remote add nas localdir path="$WORK/nas-b"
expect_status "library B adds its own remote nas" 0
run va remote ls
expect_match "remote ls in A shows A's nas" "$out" "^nas +localdir +$WORK/nas-a\$"
run vb remote ls
expect_match "remote ls in B shows B's nas" "$out" "^nas +localdir +$WORK/nas-b\$"
check "and only it" sh -c '! printf "%s" "$1" | grep -q nas-a' _ "$out"
check "each remote lives in its library's config.ini" sh -c \
	'grep -q "nas-a" "$1/config.ini" && grep -q "nas-b" "$2/config.ini" && ! grep -q nas-b "$1/config.ini"' _ "$A" "$B"
check "which is private (0600)" test "$(stat -c %a "$A/config.ini")" = 600
check "and nothing went to the user-wide file" test ! -e "$USER_INI"
"$VRP" -q --library "$A" import "$FIXTURES/pcm16.wav" "$FIXTURES/flac16k.flac"
"$VRP" -q --library "$B" import "$FIXTURES/memo.m4a"
run va sync
expect_status "A syncs to its nas" 0
run vb sync
expect_status "B syncs to its nas" 0
check "A's two files are on A's nas" test "$(find "$WORK/nas-a" -type f ! -name "*.vrp.json" | wc -l)" -eq 2
check "B's one file is on B's nas" test "$(find "$WORK/nas-b" -type f ! -name "*.vrp.json" | wc -l)" -eq 1

# --- remote add checks the target ---------------------------------------
run va remote add usb localdir path="$WORK/not-there"
expect_status "a localdir folder that does not exist is refused" 66
expect_match "with ERR_NOT_FOUND and what to do" "$err" 'does not exist: .*create=true.*\[ERR_NOT_FOUND\]'
check "and no remote was added" sh -c '! "$1" --library "$2" remote ls | grep -q usb' _ "$VRP" "$A"
run va remote add usb localdir path="$WORK/not-there/deep" create=true
expect_status "create=true makes the folder" 0
check "the folder is there" test -d "$WORK/not-there/deep"
check "create is not stored as a setting" sh -c '! grep -q "^create" "$1/config.ini"' _ "$A"
run va remote add usb2 localdir path="$WORK/x" create=maybe
expect_status "create takes true or false only" 64
touch "$WORK/a-file"
run va remote add usb3 localdir path="$WORK/a-file"
expect_status "a path that is a file is refused" 64

# --- remote set keeps the row and its sync state ------------------------
mkdir "$WORK/nas-a2"
cp -r "$WORK/nas-a/." "$WORK/nas-a2/"
run va remote set nas path="$WORK/nas-a2"
expect_status "remote set changes the path" 0
run va remote ls
expect_match "ls shows the new path" "$out" "^nas +localdir +$WORK/nas-a2\$"
run va --json sync --remote nas
expect_status "sync after remote set" 0
check "uploads nothing new (the sync state was kept)" sh -c '! printf "%s" "$1" | grep -q "\"status\":\"synced\""' _ "$out"
run va sync status --remote nas
expect_match "the recordings are still synced" "$out" 'synced[: ]+2'
run va remote set nas delete_policy=sometimes
expect_status "remote set checks values as add does" 64
expect_match "with add's message" "$err" 'delete_policy must be keep, trash or purge'
run va remote set nas password=hunter2
expect_status "a secret is refused" 64
check "and never reaches the file" sh -c '! grep -q hunter2 "$1/config.ini"' _ "$A"
run va remote set nas path="$WORK/gone"
expect_status "a new localdir path must exist" 66
run va remote set nas type=sftp
expect_status "the type cannot change" 64
run va remote set nosuch path="$WORK/nas-a"
expect_status "remote set of an unknown remote" 66
run va remote set nas bogus=1
expect_status "an unknown setting is refused" 64
run va --json audit --operation remote.set
expect_match "remote set is audited" "$out" '"operation":"remote.set"'

# --- vrp config ---------------------------------------------------------
run va config get derive.opus_bitrate
expect_match "a default comes from the table" "$out" '^32000$'
run va config set derive.opus_bitrate 64000
expect_status "config set in the library" 0
check "into the library's file" grep -q '^opus_bitrate = 64000$' "$A/config.ini"
run va --json config get derive.opus_bitrate
expect_match "get says where it came from" "$out" '"value":"64000".*|"source":"library"'
expect_match "the library" "$out" '"source":"library"'
run vb config get derive.opus_bitrate
expect_match "the other library keeps the default" "$out" '^32000$'
run vb config set --global derive.opus_bitrate 48000
expect_status "config set --global" 0
check "goes to the user-wide file" grep -q '^opus_bitrate = 48000$' "$USER_INI"
check "which is private (0600)" test "$(stat -c %a "$USER_INI")" = 600
run vb --json config get derive.opus_bitrate
expect_match "B takes the user-wide value" "$out" '"value":"48000"'
expect_match "and says so" "$out" '"source":"user"'
run va config get derive.opus_bitrate
expect_match "A's own value wins over the user-wide one" "$out" '^64000$'
run va config get --global derive.opus_bitrate
expect_match "--global reads the user-wide file" "$out" '^48000$'
run va config unset derive.opus_bitrate
expect_status "config unset" 0
run va config get derive.opus_bitrate
expect_match "then the user-wide value applies" "$out" '^48000$'
run va config unset derive.opus_bitrate
expect_status "unsetting what is not set" 66
for bad in "derive.opus_bitrate 5999" "derive.opus_bitrate 510001" "derive.opus_bitrate fast" \
	"derive.kinds waveform,video" "derive.kinds waveform,waveform" "log.level loud" \
	"log.max_files 0" "no.such 1"; do
	# shellcheck disable=SC2086
	run va config set $bad
	expect_status "config set $bad is refused" 64
done
run va config set derive.opus_bitrate 5999
expect_match "out of range says the range" "$err" '\[derive\] opus_bitrate = 5999 is out of range \(6000 to 510000\)'
run va config set derive.kinds waveform,video
expect_match "a list names the items it takes" "$err" 'unknown item "video" \(use waveform, spectrogram, compressed or transcript\)'
run va config set derive.kinds waveform,transcript
expect_status "a good list is taken" 0
# The same message as the file's reader: a bad value written by hand.
printf '[log]\nmax_files = 0\n' >"$WORK/bad.ini"
run env VRP_CONFIG="$WORK/bad.ini" "$VRP" -v --library "$A" ls
expect_match "the log reader refuses [log] max_files = 0 with the same words" "$err" '\[log\] max_files = 0 is out of range \(1 to 10000\)'
run va config set log.max_files 0
expect_match "as config set does" "$err" '\[log\] max_files = 0 is out of range \(1 to 10000\)'
run va --json config ls
check "config ls lists every setting" test "$(printf '%s\n' "$out" | wc -l)" -ge 10
expect_match "with its source" "$out" '"key":"derive.kinds".*"source":"library"'
run va config set sync.concurrency 1
expect_status "sync.concurrency is a setting" 0

# A library's retention policy is its own.
run va config set retention.purge_deleted_after_days 30
run va purge --expired --yes
expect_status "purge --expired takes the library's retention" 0
run vb purge --expired --yes
expect_status "the other library has none" 64

# The README's table is the program's.
README="$(dirname "$0")/../../README.md"
want=$(XDG_CONFIG_HOME="$WORK/empty" "$VRP" --json config ls --global | python3 "$(dirname "$0")/settings_table.py")
have=$(sed -n '/^| key | type | default | values | meaning |$/,/^$/p' "$README" | sed '/^$/d')
if [ "$want" = "$have" ]; then ok "the README's settings table matches vrp's"; else
	not_ok "the README's settings table matches vrp's" "regenerate it with tests/integration/settings_table.py:" "$want"
fi

# --- an old user-wide remote moves into its library, once ---------------
C="$WORK/old-lib"
mkdir "$WORK/nas-c"
# An older vrp kept remotes in the user-wide file: VRP_CONFIG at it gives that layout.
VRP_CONFIG="$USER_INI" "$VRP" -q --library "$C" init
VRP_CONFIG="$USER_INI" "$VRP" -q --library "$C" remote add oldnas localdir path="$WORK/nas-c"
check "the old layout: the remote in the user-wide file" grep -q 'remote "oldnas"' "$USER_INI"
run "$VRP" --library "$C" remote ls
expect_match "the library finds its remote" "$out" "^oldnas +localdir +$WORK/nas-c\$"
check "now in the library's config.ini" grep -q 'remote "oldnas"' "$C/config.ini"
check "and gone from the user-wide file" sh -c '! grep -q "remote \"oldnas\"" "$1"' _ "$USER_INI"
check "whose other settings stay" grep -q '^opus_bitrate = 48000$' "$USER_INI"
check "with a note in the log" sh -c 'cat "$1"/*.log | grep -q "moved \[remote \\\\\"oldnas\\\\\"\]"' _ "$VRP_LOG_DIR"
run va remote ls
check "another library does not take it" sh -c '! printf "%s" "$1" | grep -q oldnas' _ "$out"

finish
