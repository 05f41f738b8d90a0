#!/bin/sh
# Uploading over SFTP against OpenSSH's own `sftp` client and rclone, all to
# one OpenSSH sshd this script starts on 127.0.0.1 (a free port, as the
# current user, keys generated here, stopped on exit), each into a fresh
# remote folder, side by side in one run:
#
#   1 GiB WAV:  `vrp sync` vs `sftp -b` with one `put`; target vrp/sftp
#               throughput >= 1.0 (vrp must pipeline its writes)
#   1,000 WAVs of 1 MiB:  `vrp sync` vs `sftp -b` with one `put -r` of the
#               folder and `rclone copy --sftp-disable-hashcheck` (target
#               >= 1.0x both) and `rclone copy` with its defaults, which runs
#               `md5sum` on the server for every file it uploaded (target
#               >= 10x)
#
# vrp runs with its defaults (4 connections, verify=sample: it checks every
# upload; transport=openssh, the system ssh); a second line shows
# --concurrency 1, and the 1 GiB upload runs once more on transport=libssh2.
# CPU seconds (user + system of the uploading process and its children,
# ssh included) per GiB are shown next to each. The peers run untuned;
# rclone is optional (its lines are skipped when it is not installed).
# Every run is checked afterwards: the remote folder must hold every file at
# its size. Peak RSS (GNU time) of vrp must stay flat: the 1 GiB upload
# against a 64 MiB one, 1,000 files against 100 (see flat() below).
#
# Also `sh bench/sftp.sh` (it is bench/sftp.bench.sh for `make bench`).
# Env: BIG_MIB (1024), COUNT (1000), FILE_KIB (1024), SMALL_MIB (64),
# SMALL_COUNT (100), RUNS (3, medians), VRP, TMPDIR.
set -eu
HERE=$(dirname "$0")
: "${VRP:=$HERE/../build/src/cli/vrp}"
# shellcheck source=bench/common.sh
. "$HERE/common.sh"
BIG_MIB=${BIG_MIB:-1024}
COUNT=${COUNT:-1000}
FILE_KIB=${FILE_KIB:-1024}
SMALL_MIB=${SMALL_MIB:-64}
SMALL_COUNT=${SMALL_COUNT:-100}
RUNS=${RUNS:-3}
SSHD=/usr/sbin/sshd
SFTP_SERVER=/usr/lib/openssh/sftp-server
bench_need "$SSHD" "$SFTP_SERVER" ssh-keygen sftp md5sum sha1sum python3 /usr/bin/time
HAVE_RCLONE=0
! command -v rclone >/dev/null 2>&1 || HAVE_RCLONE=1
[ -x "$VRP" ] || { echo "bench: no vrp at $VRP (set VRP)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vrp-bench-XXXXXX")
SSH=$WORK/ssh
# shellcheck source=tests/servers/sshd.sh
. "$HERE/../tests/servers/sshd.sh"
trap 'sshd_stop "$SSH"; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
# No agent, no user ssh, rclone or vrp configuration: only the keys made
# here; the remotes vrp adds and its log stay in $WORK too.
unset SSH_AUTH_SOCK
export VRP_CONFIG="$WORK/config.ini" VRP_LOG_DIR="$WORK/log"
export RCLONE_CONFIG="$WORK/rclone.conf"
: >"$RCLONE_CONFIG"
USER_NAME=$(id -un)

# ---- the server -------------------------------------------------------
# The tests' server (tests/servers/sshd.sh: generated keys, key-only, a free
# port, VERBOSE logs, which is how rclone's remote md5sum runs are counted),
# with OpenSSH's sftp-server program as its SFTP subsystem.
SSHD_BIN=$SSHD
SSHD_SFTP=$SFTP_SERVER
sshd_setup "$SSH"
sshd_start "$SSH" || { echo "bench: sshd did not start" >&2; exit 2; }
KEY=$SSH/user_ed25519
KH=$SSH/known_hosts
PORT=$(cat "$SSH/port")

# sftp as a user would run it, with only our key and known_hosts; a script
# so that GNU time can run it: sftp-batch BATCHFILE.
cat >"$WORK/sftp-batch" <<EOF
#!/bin/sh
exec sftp -q -b "\$1" -F /dev/null -i "$KEY" -o IdentitiesOnly=yes -o BatchMode=yes \\
	-o UserKnownHostsFile="$KH" -o StrictHostKeyChecking=yes -P "$PORT" "$USER_NAME@127.0.0.1"
EOF
chmod +x "$WORK/sftp-batch"
rclone_remote() {
	echo ":sftp,host=127.0.0.1,port=$PORT,user=$USER_NAME,key_file=$KEY,known_hosts_file=$KH:$1"
}
echo "pwd" >"$WORK/probe.batch"
"$WORK/sftp-batch" "$WORK/probe.batch" >/dev/null

# ---- the data ---------------------------------------------------------
DATA=$WORK/data
mkdir -p "$DATA/small-many"
python3 "$HERE/make-wavs.py" "$DATA/big.wav" $((BIG_MIB << 20))
python3 "$HERE/make-wavs.py" "$DATA/small.wav" $((SMALL_MIB << 20))
python3 "$HERE/make-wavs.py" "$DATA/many" $((FILE_KIB << 10)) "$COUNT"
find "$DATA/many" -name '*.wav' | sort | head -n "$SMALL_COUNT" | while read -r f; do
	ln "$f" "$DATA/small-many/"
done
# expected_sizes DIR|FILE: the sorted sizes an upload of it must leave.
expected_sizes() { find "$1" -type f -name '*.wav' -printf '%s\n' | sort -n; }
expected_sizes "$DATA/big.wav" >"$DATA/big.sizes"
expected_sizes "$DATA/small.wav" >"$DATA/small.sizes"
expected_sizes "$DATA/many" >"$DATA/many.sizes"
expected_sizes "$DATA/small-many" >"$DATA/small-many.sizes"
BIG_BYTES=$(cat "$DATA/big.sizes")
MANY_BYTES=$(awk '{ s += $1 } END { print s }' "$DATA/many.sizes")

REMOTE=$WORK/remote
mkdir -p "$REMOTE"

# check_remote WHAT DIR SIZES: the remote folder must hold exactly the
# uploaded WAVs at their sizes (the names are each tool's own); then it
# goes, so the disk holds one copy at a time.
check_remote() {
	expected_sizes "$2" >"$WORK/got.sizes"
	if ! cmp -s "$3" "$WORK/got.sizes"; then
		echo "bench: $1 left $(wc -l <"$WORK/got.sizes") files in $2, expected" \
			"$(wc -l <"$3") of these sizes:" >&2
		diff "$3" "$WORK/got.sizes" | head -n 10 >&2
		exit 2
	fi
	rm -rf "$2"
}

# timed WHAT SIZES DIR CMD...: runs CMD (an upload into DIR) under GNU time
# after flushing earlier writes, checks DIR, prints microseconds; the peak
# RSS in KiB is left in $WORK/rss.
timed() {
	what=$1 sizes=$2 dir=$3
	shift 3
	sync
	us=$(time_us /usr/bin/time -f '%M %U %S' -o "$WORK/rusage" "$@")
	cut -d' ' -f1 "$WORK/rusage" >"$WORK/rss"
	awk '{ print $2 + $3 }' "$WORK/rusage" >"$WORK/cpu"
	check_remote "$what" "$dir" "$sizes"
	echo "$us"
}

log_lines() { wc -l <"$SSH/sshd.log"; }
# sessions_since LINE KIND: sessions of KIND (command, subsystem) logged
# after line LINE of the sshd log.
sessions_since() {
	tail -n +$(($1 + 1)) "$SSH/sshd.log" | grep -c "Starting session: $2" || true
}

# ---- the peers --------------------------------------------------------
run_sftp_file() {
	dir=$REMOTE/sftp-big
	mkdir "$dir"
	printf 'put %s %s/\n' "$DATA/big.wav" "$dir" >"$WORK/put.batch"
	timed "sftp put" "$DATA/big.sizes" "$dir" "$WORK/sftp-batch" "$WORK/put.batch"
}
run_sftp_dir() {
	dir=$REMOTE/sftp-many
	printf 'put -r %s %s\n' "$DATA/many" "$dir" >"$WORK/put.batch"
	timed "sftp put -r" "$DATA/many.sizes" "$dir" "$WORK/sftp-batch" "$WORK/put.batch"
}
# run_rclone NAME [FLAG...]
run_rclone() {
	dir=$REMOTE/$1
	shift
	timed "rclone copy $*" "$DATA/many.sizes" "$dir" \
		rclone copy "$@" "$DATA/many" "$(rclone_remote "$dir")"
}

# ---- vrp --------------------------------------------------------------
REMOTES=0
# vrp_library NAME SOURCE: a library with SOURCE imported (not timed), its
# store read once so vrp uploads from the page cache like the peers do.
# Import queues only waveforms: `vrp sync` makes the queued derived assets
# before it exits, and the Opus copies and spectrograms (17 CPU s for 100
# MiB) would be timed as upload.
vrp_library() {
	lib=$WORK/lib-$1
	"$VRP" -q --library "$lib" init
	"$VRP" -q --library "$lib" config set derive.kinds waveform
	"$VRP" -q --library "$lib" import -r "$2" >/dev/null
	find "$lib" -type f -name '*.wav' -exec cat {} + >/dev/null
}
# run_vrp NAME SIZES [SYNC OPTION...]: a new remote on the library, so that
# every recording is uploaded, and `vrp sync` to it.
run_vrp() {
	lib=$WORK/lib-$1 sizes=$2
	shift 2
	REMOTES=$((REMOTES + 1))
	dir=$REMOTE/vrp-$REMOTES
	mkdir "$dir"
	"$VRP" -q --library "$lib" remote add "b$REMOTES" sftp host=127.0.0.1 port="$PORT" \
		user="$USER_NAME" path="$dir" key_file="$KEY" known_hosts="$KH" \
		transport="${VRP_TRANSPORT:-openssh}" "ssh_command=ssh -F /dev/null" >/dev/null
	timed "vrp sync" "$sizes" "$dir" "$VRP" -q --library "$lib" sync --remote "b$REMOTES" "$@"
}

# Without an sftp provider in the vrp under test, only the peers are
# measured, and it says so.
HAVE_SFTP=0
! "$VRP" remote add --help 2>&1 | grep -q '^  sftp:' || HAVE_SFTP=1
if [ $HAVE_SFTP = 1 ]; then
	vrp_library big "$DATA/big.wav"
	vrp_library small "$DATA/small.wav"
	vrp_library many "$DATA/many"
	vrp_library small-many "$DATA/small-many"
fi
cat "$DATA/big.wav" "$DATA/small.wav" "$DATA"/many/* >/dev/null

# ---- the runs ---------------------------------------------------------
# Each measurement appends microseconds to $WORK/NAME and the peak RSS in
# KiB to $WORK/NAME.rss.
measure() {
	name=$1
	shift
	"$@" >>"$WORK/$name"
	cat "$WORK/rss" >>"$WORK/$name.rss"
	cat "$WORK/cpu" >>"$WORK/$name.cpu"
}
# The runs that give the ratios alternate, so that load from elsewhere on
# the machine falls on all of them alike; rclone with its defaults (over a
# minute: a remote md5sum per file, target 10x) and vrp --concurrency 1
# (shown for scale) run once.
rclone_cmds=0
i=0
while [ $i -lt "$RUNS" ]; do
	measure sftp_big run_sftp_file
	[ $HAVE_SFTP = 0 ] || measure vrp_big run_vrp big "$DATA/big.sizes"
	VRP_TRANSPORT=libssh2
	[ $HAVE_SFTP = 0 ] || measure vrp_big_libssh2 run_vrp big "$DATA/big.sizes"
	VRP_TRANSPORT=openssh
	measure sftp_many run_sftp_dir
	[ $HAVE_RCLONE = 0 ] || measure rclone_nohash run_rclone rclone-nohash --sftp-disable-hashcheck
	[ $HAVE_SFTP = 0 ] || measure vrp_many run_vrp many "$DATA/many.sizes"
	if [ $i = 0 ] && [ $HAVE_RCLONE = 1 ]; then
		line=$(log_lines)
		measure rclone_default run_rclone rclone-default
		rclone_cmds=$(sessions_since "$line" command)
	fi
	if [ $i = 0 ]; then
		[ $HAVE_SFTP = 0 ] || measure vrp_many_c1 run_vrp many "$DATA/many.sizes" --concurrency 1
	fi
	i=$((i + 1))
done
if [ $HAVE_SFTP = 1 ]; then
	measure vrp_small run_vrp small "$DATA/small.sizes"
	measure vrp_small_many run_vrp small-many "$DATA/small-many.sizes"
	measure vrp_small_many_c1 run_vrp small-many "$DATA/small-many.sizes" --concurrency 1
fi

# ---- the report -------------------------------------------------------
sec() { calc "$(median <"$WORK/$1") / 1000000"; }
rss() { calc "$(sort -n "$WORK/$1.rss" | tail -n 1) / 1024"; } # peak, MiB
rate() { calc "$1 / $(sec "$2") / 1048576"; }                   # BYTES NAME -> MiB/s
ratio() { calc "$(median <"$WORK/$2") / $(median <"$WORK/$1")"; } # peer time / vrp time
atleast() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t) }'; }
pf() { if [ "$1" = 1 ]; then echo PASS; else echo FAIL; fi; }

echo "OpenSSH $(sshd -V 2>&1 | sed -n 's/^OpenSSH_\([^ ,]*\).*/\1/p') sshd with sftp-server" \
	"on 127.0.0.1:$PORT; page-cached WAVs; median of $RUNS; MiB/s = 2^20 bytes/s"
if [ $HAVE_SFTP = 0 ]; then
	echo "vrp: this build has no sftp remote type; measuring the peers only"
	echo "${BIG_MIB} MiB upload: OpenSSH sftp $(sec sftp_big) s ($(rate "$BIG_BYTES" sftp_big) MiB/s)"
	echo "$COUNT files of $FILE_KIB KiB: OpenSSH sftp put -r $(sec sftp_many) s," \
		"rclone copy --sftp-disable-hashcheck $(sec rclone_nohash) s," \
		"rclone copy (defaults) $(sec rclone_default) s ($rclone_cmds remote commands)"
	echo "peak RSS: sftp $(rss sftp_big) / $(rss sftp_many) MiB, rclone $(rss rclone_nohash) MiB" \
		"(--sftp-disable-hashcheck), $(rss rclone_default) MiB (defaults)"
	bench_exit
fi

# cpu_gib NAME BYTES: median CPU seconds per GiB uploaded.
cpu_gib() { calc "$(median <"$WORK/$1.cpu") * 1073741824 / $2"; }
r=$(ratio vrp_big sftp_big)
ok=$(atleast "$r" 1)
echo "${BIG_MIB} MiB upload: vrp (openssh) $(sec vrp_big) s ($(rate "$BIG_BYTES" vrp_big) MiB/s)," \
	"OpenSSH sftp $(sec sftp_big) s ($(rate "$BIG_BYTES" sftp_big) MiB/s)" \
	"-> vrp/sftp throughput ${r}x (target >= 1.0x) $(pf "$ok")"
[ "$ok" = 1 ] || BENCH_FAILED=1
echo "  vrp (libssh2) $(sec vrp_big_libssh2) s ($(rate "$BIG_BYTES" vrp_big_libssh2) MiB/s)" \
	"-> $(ratio vrp_big_libssh2 sftp_big)x sftp"
echo "  CPU s/GiB: vrp openssh $(cpu_gib vrp_big "$BIG_BYTES"), vrp libssh2" \
	"$(cpu_gib vrp_big_libssh2 "$BIG_BYTES"), OpenSSH sftp $(cpu_gib sftp_big "$BIG_BYTES")" \
	"(client side, ssh included; the server's is not counted)"

echo "$COUNT files of $FILE_KIB KiB: vrp $(sec vrp_many) s" \
	"($(calc "$COUNT / $(sec vrp_many)") files/s, $(rate "$MANY_BYTES" vrp_many) MiB/s;" \
	"defaults: 4 connections, verify=sample); --concurrency 1: $(sec vrp_many_c1) s"
echo "  CPU s/GiB: vrp $(cpu_gib vrp_many "$MANY_BYTES"), OpenSSH sftp put -r" \
	"$(cpu_gib sftp_many "$MANY_BYTES")"
peers="sftp_many:OpenSSH sftp put -r:1"
[ $HAVE_RCLONE = 0 ] || peers="$peers|rclone_nohash:rclone copy --sftp-disable-hashcheck:1|rclone_default:rclone copy (defaults):10"
[ $HAVE_RCLONE = 1 ] || echo "  (rclone is not installed: its comparisons are skipped)"
IFS_OLD=$IFS
IFS='|'
for peer in $peers; do
	IFS=$IFS_OLD
	f=${peer%%:*} rest=${peer#*:}
	name=${rest%:*} target=${rest##*:}
	r=$(ratio vrp_many "$f")
	ok=$(atleast "$r" "$target")
	echo "  vs $name $(sec "$f") s -> vrp ${r}x as fast (target >= ${target}.0x) $(pf "$ok")"
	[ "$ok" = 1 ] || BENCH_FAILED=1
done
IFS=$IFS_OLD
[ $HAVE_RCLONE = 0 ] || echo "  (rclone with its defaults ran $rclone_cmds remote commands for $COUNT files)"

echo "peak RSS: vrp $(rss vrp_big) MiB for ${BIG_MIB} MiB, $(rss vrp_small) MiB for ${SMALL_MIB} MiB;" \
	"$(rss vrp_many) MiB for $COUNT files, $(rss vrp_small_many) MiB for $SMALL_COUNT;" \
	"--concurrency 1: $(rss vrp_many_c1) MiB for $COUNT, $(rss vrp_small_many_c1) MiB for $SMALL_COUNT"
echo "  peers: sftp $(rss sftp_big) / $(rss sftp_many) MiB"
[ $HAVE_RCLONE = 0 ] || echo "  rclone $(rss rclone_nohash) MiB (--sftp-disable-hashcheck), $(rss rclone_default) MiB (defaults)"
# Flat: the larger run takes at most 8 MiB more than the smaller one. For
# the file count this compares --concurrency 1 runs: each of vrp's SQLite
# connections (one per worker, plus the main one) caches up to 2 MiB of the
# catalogue, which fills up as it grows, so with 4 workers up to ~10 MiB of
# growth is the page caches, not the uploads; with 1 it is ~4 MiB, and a
# per-file leak of 8 KiB or more still shows.
flat() {
	d=$(calc "$(rss "$1") - $(rss "$2")")
	ok=$(awk -v d="$d" 'BEGIN { print (d <= 8) }')
	echo "  vrp's peak RSS from $3: +$d MiB (target <= +8 MiB, flat) $(pf "$ok")"
	[ "$ok" = 1 ] || BENCH_FAILED=1
}
flat vrp_big vrp_small "${SMALL_MIB} MiB to ${BIG_MIB} MiB"
flat vrp_many_c1 vrp_small_many_c1 "$SMALL_COUNT to $COUNT files (--concurrency 1)"
echo "  (default concurrency: +$(calc "$(rss vrp_many) - $(rss vrp_small_many)") MiB; SQLite's page caches)"
bench_exit
