#!/bin/sh
# vrp serve under load, against Debian's nginx serving the same file with sendfile.
#
# 1. `wrk` with CONNS (64) connections for DURATION (10 s) on
#    GET /api/recordings?limit=50 against the million-recording library of
#    library_1m.bench.sh (made by it, once, when missing). Targets: no errors
#    or non-2xx answers, p99 under 50 ms.
# 2. A BIG_MIB (1024) MiB WAV fetched in random RANGE_KIB (4096) KiB byte
#    ranges by `wrk` with RANGE_CONNS (8) connections, from vrp serve's
#    /api/recordings/ID/audio and from nginx (sendfile on) serving the very
#    file, alternately, RUNS (3) times each. Target: vrp at least 0.8x
#    nginx's MB/s (medians).
# 3. vrp serve's resident memory before and after IDLE (200) idle
#    connections are opened and held. Target: under 16 MiB more.
#
# Servers listen on 127.0.0.1 on free ports and are stopped by PID.
set -eu
: "${VRP:?}"
HERE=$(dirname "$0")
# shellcheck source=bench/common.sh
. "$HERE/common.sh"
bench_need wrk nginx python3 sqlite3
COUNT=${COUNT:-1000000}
CONNS=${CONNS:-64}
DURATION=${DURATION:-10}
BIG_MIB=${BIG_MIB:-1024}
RANGE_KIB=${RANGE_KIB:-4096}
RANGE_CONNS=${RANGE_CONNS:-8}
RUNS=${RUNS:-3}
IDLE=${IDLE:-200}
if ! "$VRP" serve --help >/dev/null 2>&1; then
	echo "SKIP: this vrp has no serve command"
	exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vrp-bench-serve-XXXXXX")
server=""
nginx_pid=""
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
export VRP_LOG_DIR="$WORK/logs" VRP_CONFIG="$WORK/config.ini"

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# serve LIB: starts vrp serve on it; sets $server (pid), $hp, $token.
serve() {
	"$VRP" --library "$1" serve --no-worker >"$WORK/serve.out" 2>"$WORK/serve.err" &
	server=$!
	for _ in $(seq 200); do
		[ -s "$WORK/serve.out" ] && break
		sleep 0.05
	done
	url=$(head -n 1 "$WORK/serve.out")
	token=${url##*token=}
	hp=${url#http://}
	hp=${hp%%/*}
}
stop_serve() {
	kill "$server"
	wait "$server" || true
	server=""
}

# wrk's latency line for a percentile ("99%"), in ms.
wrk_ms() {
	awk -v p="$1" '$1 == p {
		v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		if (u == "us") v /= 1000; else if (u == "s") v *= 1000
		printf "%.2f", v }' "$2"
}

# --- 1. the API on a million recordings
SCHEMA=$("$VRP" --json --library "$WORK/probe" init | sed -n 's/.*"schema_version":\([0-9]*\).*/\1/p')
BIGLIB=${TMPDIR:-/tmp}/vrp-bench-1m/v$SCHEMA-n$COUNT
if [ ! -f "$BIGLIB/library.db" ]; then
	echo "making the $COUNT-recording library (once) with library_1m.bench.sh"
	# Its own targets are not ours: only the library it leaves matters here.
	COUNT=$COUNT RUNS=1 sh "$HERE/library_1m.bench.sh" >/dev/null || true
	[ -f "$BIGLIB/library.db" ] || { echo "bench: no library at $BIGLIB" >&2; exit 1; }
fi
serve "$BIGLIB"
# Warm the page cache and the connection pool the way a page's first loads do.
wrk -t2 -c"$CONNS" -d2s -H "Authorization: Bearer $token" "http://$hp/api/recordings?limit=50" >/dev/null
wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -H "Authorization: Bearer $token" \
	"http://$hp/api/recordings?limit=50" >"$WORK/wrk.txt"
stop_serve
p50=$(wrk_ms 50% "$WORK/wrk.txt")
p99=$(wrk_ms 99% "$WORK/wrk.txt")
rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.txt")
errors=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10} /Non-2xx/ {print $NF}' "$WORK/wrk.txt" |
	awk '{s += $1} END {print s + 0}')
echo "GET /api/recordings?limit=50, $COUNT recordings, $CONNS connections, ${DURATION} s:"
echo "  $rps requests/s, p50 $p50 ms, p99 $p99 ms, $errors errors or non-2xx"
verdict "no errors" "$([ "$errors" -eq 0 ] && echo 1 || echo 0)"
verdict "p99 under 50 ms" "$(awk -v v="$p99" 'BEGIN { print (v < 50) ? 1 : 0 }')"

# --- 2. byte ranges of a 1 GiB recording against nginx's sendfile
LIB="$WORK/lib"
"$VRP" -q --library "$LIB" init
python3 "$HERE/make-wavs.py" "$WORK/big.wav" $((BIG_MIB * 1048576))
"$VRP" -q --library "$LIB" import --no-derive "$WORK/big.wav"
rm "$WORK/big.wav"
rel=$(sqlite3 "$LIB/library.db" "SELECT local_path FROM recordings WHERE id = 1")
size=$(stat -c %s "$LIB/$rel")
mkdir -p "$WORK/nginx/root"
ln "$LIB/$rel" "$WORK/nginx/root/big.wav"
cat >"$WORK/ranges.lua" <<LUA
math.randomseed(os.time())
local size, chunk = $size, $RANGE_KIB * 1024
request = function()
	local first = math.random(0, size - chunk)
	wrk.headers["Range"] = "bytes=" .. first .. "-" .. (first + chunk - 1)
	return wrk.format(nil)
end
LUA
nport=$(free_port)
cat >"$WORK/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
$( [ "$(id -u)" -eq 0 ] && echo "user root;" )
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	client_body_temp_path $WORK/nginx/tmp;
	proxy_temp_path $WORK/nginx/tmp;
	fastcgi_temp_path $WORK/nginx/tmp;
	uwsgi_temp_path $WORK/nginx/tmp;
	scgi_temp_path $WORK/nginx/tmp;
	server {
		listen 127.0.0.1:$nport;
		root $WORK/nginx/root;
	}
}
CONF
mkdir -p "$WORK/nginx/tmp"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
nginx_pid=$!
serve "$LIB"
sleep 0.5
cat "$LIB/$rel" >/dev/null # both read it from the page cache
mbs() { # URL [HEADER]: MB/s of RANGE_CONNS connections for 5 s
	wrk -t2 -c"$RANGE_CONNS" -d5s -s "$WORK/ranges.lua" ${2:+-H "$2"} "$1" >"$WORK/range.txt"
	if grep -q 'Non-2xx' "$WORK/range.txt"; then
		echo "bench: non-2xx answers from $1" >&2
		cat "$WORK/range.txt" >&2
		return 1
	fi
	awk '/^Transfer\/sec/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[A-Z]+$/, "", v)
		if (u == "GB") v *= 1024; else if (u == "KB") v /= 1024
		printf "%.0f\n", v * 1.048576 }' "$WORK/range.txt"
}
: >"$WORK/vrp.mbs"
: >"$WORK/nginx.mbs"
for _ in $(seq "$RUNS"); do
	mbs "http://$hp/api/recordings/1/audio" "Authorization: Bearer $token" >>"$WORK/vrp.mbs"
	mbs "http://127.0.0.1:$nport/big.wav" >>"$WORK/nginx.mbs"
done
vm=$(median <"$WORK/vrp.mbs")
nm=$(median <"$WORK/nginx.mbs")
ratio=$(calc "$vm / $nm")
echo "random ${RANGE_KIB} KiB ranges of a ${BIG_MIB} MiB recording, $RANGE_CONNS connections:"
echo "  vrp serve $vm MB/s, nginx (sendfile) $nm MB/s: ${ratio}x (median of $RUNS)"
verdict "Range throughput at least 0.8x nginx's" "$(awk -v r="$ratio" 'BEGIN { print (r >= 0.8) ? 1 : 0 }')"
kill "$nginx_pid"
nginx_pid=""

# --- 3. memory with idle connections
rss() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }
before=$(rss)
python3 - "$hp" "$IDLE" "$WORK/idle.ready" <<'PY' &
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
held = [socket.create_connection((host, int(port))) for _ in range(int(sys.argv[2]))]
open(sys.argv[3], "w").close()
time.sleep(30)
PY
idler=$!
for _ in $(seq 200); do [ -e "$WORK/idle.ready" ] && break; sleep 0.05; done
sleep 1
after=$(rss)
kill "$idler" 2>/dev/null || true
wait "$idler" 2>/dev/null || true
grow=$(( (after - before) / 1024 ))
echo "resident memory: $((before / 1024)) MiB, with $IDLE idle connections $((after / 1024)) MiB (+$grow MiB)"
verdict "memory flat with $IDLE idle connections (under 16 MiB more)" "$([ "$grow" -lt 16 ] && echo 1 || echo 0)"
stop_serve
bench_exit
