# Helpers shared by the *.bench.sh scripts; sourced, not run (run.sh runs
# only *.bench.sh). POSIX sh.

# bench_need CMD...: says which peer tools are missing and how to get them.
bench_need() {
	missing=""
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
	done
	[ -z "$missing" ] && return 0
	echo "SKIP: not installed:$missing (INSTALL_BENCH=1 scripts/install-deps.sh)"
	exit 0
}

# now_us: a monotonic-enough wall clock in microseconds.
now_us() { echo $(($(date +%s%N) / 1000)); }

# time_us CMD...: runs CMD with its output discarded and prints the wall
# time in microseconds; a failing CMD fails the benchmark, showing its stderr.
time_us() {
	err=${TMPDIR:-/tmp}/vrp-bench-stderr.$$
	s=$(now_us)
	if ! "$@" >/dev/null 2>"$err"; then
		echo "bench: failed: $*" >&2
		cat "$err" >&2
		rm -f "$err"
		return 1
	fi
	e=$(now_us)
	rm -f "$err"
	echo $((e - s))
}

# median: of the numbers on stdin.
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# median_p90_ms: of microsecond numbers on stdin, as "median p90" in ms.
median_p90_ms() {
	sort -n | awk '{a[NR] = $1} END {
		p = int(NR * 0.9 + 0.999999); if (p > NR) p = NR
		printf "%.2f %.2f", a[int((NR + 1) / 2)] / 1000, a[p] / 1000 }'
}

# calc EXPR: floating-point arithmetic via awk, e.g. calc '3 / 2'.
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

# verdict NAME OK: prints PASS or FAIL and remembers a failure for bench_exit.
BENCH_FAILED=0
verdict() {
	if [ "$2" = 1 ]; then
		echo "PASS: $1"
	else
		echo "FAIL: $1"
		BENCH_FAILED=1
	fi
}

# bench_exit: 1 when a target was missed, so run.sh can say so.
bench_exit() { exit "$BENCH_FAILED"; }
