#!/bin/sh
# make demo: a temporary library, shown end to end with what vrp can do today.
set -eu
: "${VRP:=build/src/cli/vrp}"
LIB=$(mktemp -d "${TMPDIR:-/tmp}/vrp-demo-XXXXXX")
say() { printf '\n$ %s\n' "$*"; "$@"; }

echo "vrp demo: a fresh library in $LIB"
say "$VRP" --library "$LIB" init
say "$VRP" --library "$LIB" db status
say "$VRP" --library "$LIB" --json db status
say "$VRP" --library "$LIB" db backup
say "$VRP" --library "$LIB" db migrate
echo
echo "The library is at $LIB (remove it with: rm -rf '$LIB')."
