#!/bin/sh
# Builds the libFuzzer targets with clang (ASan + UBSan) in $FUZZ_BUILD and
# runs each for $FUZZ_SECONDS over a working corpus seeded from
# fuzz/corpus/<target>/, printing per target the executions, coverage and
# corpus size reached. A crash stops with the reproducer's path (libFuzzer
# writes it to $FUZZ_BUILD/crashes/); make it a regression test by adding
# the file to fuzz/corpus/<target>/, which every run replays first.
# TAP output, so `make check` runs it as a test (a few seconds per target).
#
# Env: FUZZ_SECONDS (60), FUZZ_BUILD (build-fuzz), FUZZ_TARGETS (all), CLANG (clang-14).
set -u
cd "$(dirname "$0")/.." || exit 1
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
CLANG=${CLANG:-clang-14}
TARGETS=${FUZZ_TARGETS:-"fuzz_probe fuzz_wav fuzz_config fuzz_remote_name fuzz_known_hosts fuzz_sftp_proto
	fuzz_drive_json fuzz_graph_json fuzz_oauth fuzz_search fuzz_serve_request"}
if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "1..0 # SKIP $CLANG is not installed (scripts/install-deps.sh installs it)"
	exit 0
fi
if [ ! -f "$FUZZ_BUILD/build.ninja" ]; then
	CC=$CLANG meson setup "$FUZZ_BUILD" -Dfuzz=true -Dbuildtype=debugoptimized \
		-Db_sanitize=address,undefined -Db_lundef=false -Dwerror=false >"$FUZZ_BUILD.log" 2>&1 ||
		{ echo "Bail out! meson setup failed (see $FUZZ_BUILD.log)"; exit 1; }
fi
paths=""
for t in $TARGETS; do paths="$paths fuzz/$t"; done
# shellcheck disable=SC2086
ninja -C "$FUZZ_BUILD" $paths >"$FUZZ_BUILD/fuzz-build.log" 2>&1 ||
	{ echo "Bail out! the fuzz targets do not build (see $FUZZ_BUILD/fuzz-build.log)"; exit 1; }
mkdir -p "$FUZZ_BUILD/crashes"
set -- $TARGETS
echo "1..$#"
n=0
failed=0
for t in $TARGETS; do
	n=$((n + 1))
	work="$FUZZ_BUILD/corpus/$t"
	mkdir -p "$work"
	log="$FUZZ_BUILD/$t.log"
	# detect_leaks: a leak on a parser's error path is a finding like any other.
	if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
		"$FUZZ_BUILD/fuzz/$t" -max_total_time="$FUZZ_SECONDS" -timeout=20 -rss_limit_mb=2048 \
		-artifact_prefix="$FUZZ_BUILD/crashes/$t-" -print_final_stats=1 \
		"$work" "fuzz/corpus/$t" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
		size=$(ls "$work" | wc -l)
		echo "ok $n - $t: ${runs:-?} executions in ${FUZZ_SECONDS}s, ${cov:-cov: ?} edges, corpus $size"
	else
		failed=$((failed + 1))
		echo "not ok $n - $t: see $log"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/#   /'
	fi
done
exit $((failed > 0))
