#!/bin/sh
# stress_worker.sh KIND LIB UNTIL LOG [ARGS...]: one of test_stress.sh's
# processes. Runs its kind of vrp command again and again until the time
# UNTIL (seconds since the epoch), writing one line per command to LOG:
# "<kind> <exit status> <error code or ->". A separate script, so the test
# starts and stops it by its pid.
kind=$1 lib=$2 until=$3 log=$4
shift 4
: "${VRP:?}"
i=0
# code_of FILE: the first ERR_ code in FILE, or "-".
code_of() { c=$(grep -o 'ERR_[A-Z_]*' "$1" | head -1); echo "${c:--}"; }
note() {
	echo "$kind $1 $(code_of "$log.err")" >>"$log"
	[ "$1" -eq 0 ] || sed "s/^/$kind $1: /" "$log.err" >>"$log.failures"
}
while [ "$(date +%s)" -lt "$until" ]; do
	i=$((i + 1))
	case $kind in
	import)
		# Its own files one by one, then the folder every importer shares.
		for f in "$@"; do
			[ "$(date +%s)" -lt "$until" ] || break
			"$VRP" -q --library "$lib" import --no-derive "$f" >/dev/null 2>"$log.err"
			note $?
		done
		"$VRP" -q --library "$lib" import --no-derive -r "$(dirname "$1")/../shared" >/dev/null 2>"$log.err"
		note $? ;;
	sync)
		"$VRP" -q --library "$lib" sync --remote nas >/dev/null 2>"$log.err"
		note $? ;;
	search)
		"$VRP" -q --library "$lib" search memo >/dev/null 2>"$log.err"
		st=$?
		# 66: no recording matches yet, a search's answer, not an error.
		[ "$st" -eq 66 ] && st=0
		note $st ;;
	verify)
		"$VRP" -q --library "$lib" verify >"$log.err" 2>&1
		note $? ;;
	purge)
		# Imports a file of its own, then purges it: ids it made, nobody else's.
		f=$1
		sox -q -n -r 8000 -c 1 "$f" synth 0.2 sine $((1000 + i)) 2>/dev/null
		"$VRP" --json --library "$lib" import --no-derive "$f" >"$log.out" 2>"$log.err"
		note $?
		id=$(sed -n 's/.*"id":\([0-9][0-9]*\).*/\1/p' "$log.out")
		if [ -n "$id" ]; then
			"$VRP" -q --library "$lib" purge --yes "$id" >/dev/null 2>"$log.err" &&
				echo "purged $(sha256sum "$f" | cut -d' ' -f1)" >>"$log.purged"
			note $?
		fi ;;
	esac
done
