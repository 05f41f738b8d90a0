#!/bin/sh
# Help: every command and subcommand answers -h and --help with its own usage,
# with no library at all; usage errors point at the subcommand's help; the
# README's exit-status table is the one the program uses.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
VRP_LIBRARY="$WORK/no-library-here"
export VRP_LIBRARY
README="$(dirname "$0")/../../README.md"

run "$VRP" --json help
expect_status "--json help lists the commands" 0
commands=$(printf '%s\n' "$out" | sed -n 's/^{"command":"\([^"]*\)".*/\1/p')
expect_match "the list holds subcommands" "$commands" '^remote add$'

# has_usage_line TEXT PATH: TEXT has a usage line for `vrp PATH`.
has_usage_line() {
	printf '%s\n' "$1" | grep -Eq "^(usage:)? +vrp $2( |\$)"
}
IFS_SAVE=$IFS
IFS='
'
for path in $commands; do
	IFS=$IFS_SAVE
	for flag in --help -h; do
		# shellcheck disable=SC2086
		run "$VRP" $path $flag
		if [ "$status" -eq 0 ] && has_usage_line "$out" "$path" && [ -z "$err" ]; then
			ok "vrp $path $flag: its usage, no library needed"
		else
			not_ok "vrp $path $flag: its usage, no library needed" "exit $status" \
				"stdout: $out" "stderr: $err"
		fi
	done
	# shellcheck disable=SC2086
	run "$VRP" help $path
	if [ "$status" -eq 0 ] && has_usage_line "$out" "$path"; then ok "vrp help $path"
	else not_ok "vrp help $path" "exit $status" "stdout: $out" "stderr: $err"; fi
	IFS='
'
done
IFS=$IFS_SAVE

run "$VRP" remote add --help
expect_match "remote add --help lists the provider types" "$out" '^Types: .*localdir'
run "$VRP" ls --status active --help
expect_status "--help after other options still shows help" 0
run "$VRP" search -- --help
expect_status "a word after -- is not a help request" 66

# Usage errors name the subcommand whose help to read.
run "$VRP" remote add onlyname
expect_status "remote add NAME: usage error" 64
expect_match "it points at remote add's help" "$err" "see 'vrp remote add --help'"
run "$VRP" remote test
expect_match "remote test: points at its help" "$err" "see 'vrp remote test --help'"
run "$VRP" ls --bogus
expect_match "ls --bogus: points at ls's help" "$err" "see 'vrp ls --help'"
run "$VRP" nosuchcommand
expect_match "an unknown command points at vrp --help" "$err" "see 'vrp --help'"
run "$VRP" remote nosuch
expect_status "an unknown remote command is a usage error" 64
expect_match "it names it" "$err" "unknown remote command 'nosuch'"

run "$VRP" -V
expect_status "-V exits 0" 0
expect_match "-V prints the version" "$out" '^vrp [0-9]+\.[0-9]+'
run "$VRP" --version
v_long=$out
run "$VRP" -V
if [ "$out" = "$v_long" ]; then ok "-V prints what --version prints"; else
	not_ok "-V prints what --version prints" "$out" "$v_long"; fi

run "$VRP" -q -v ls
expect_status "-q with -v is a usage error" 64
expect_match "it says why" "$err" 'contradict'

# vrp --help shows every exit status the code can give.
run "$VRP" --json help exit-codes
table=$(printf '%s\n' "$out" | sed -n 's/^{"code":"\([A-Z_]*\)","exit_status":\([0-9]*\).*/\1 \2/p')
run "$VRP" --help
for s in $(printf '%s\n' "$table" | cut -d' ' -f2 | sort -u); do
	expect_match "vrp --help explains exit status $s" "$out" "^  $s "
done

# The README's table: every code in it exits as the program says, and every
# code the program has is in it.
readme=$(sed -n '/^| exit | meaning | codes |$/,/^$/p' "$README" | sed -n '3,$p')
missing=""
wrong=""
for pair in $(printf '%s\n' "$table" | tr ' ' ':'); do
	code=${pair%%:*}
	want=${pair#*:}
	[ "$code" = OK ] && continue
	row=$(printf '%s\n' "$readme" | grep -F "\`$code\`" || true)
	if [ -z "$row" ]; then missing="$missing $code"; continue; fi
	got=$(printf '%s\n' "$row" | sed -n 's/^| \([0-9]*\) |.*/\1/p')
	[ "$got" = "$want" ] || wrong="$wrong $code(README $got, vrp $want)"
done
if [ -z "$missing" ]; then ok "README's exit table has every code"; else
	not_ok "README's exit table has every code" "missing:$missing"; fi
if [ -z "$wrong" ]; then ok "README's exit table agrees with the program"; else
	not_ok "README's exit table agrees with the program" "$wrong"; fi
rows=$(printf '%s\n' "$readme" | grep -c '^| [0-9]')
want_rows=$(printf '%s\n' "$table" | cut -d' ' -f2 | sort -u | wc -l)
if [ "$rows" -eq "$want_rows" ]; then ok "README has one row per exit status"; else
	not_ok "README has one row per exit status" "README $rows, vrp $want_rows"; fi

# What the table says is what happens: a missing recording is ERR_NOT_FOUND, 66.
"$VRP" -q --library "$WORK/lib" init
run "$VRP" --library "$WORK/lib" show 999
expect_status "show of a missing recording exits as ERR_NOT_FOUND's row says" \
	"$(printf '%s\n' "$table" | sed -n 's/^ERR_NOT_FOUND //p')"
finish
