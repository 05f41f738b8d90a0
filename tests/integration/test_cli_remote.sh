#!/bin/sh
# vrp remote add|ls|rm|test with a localdir remote.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
LIB="$WORK/lib"
"$VRP" -q --library "$LIB" init
mkdir "$WORK/nas" "$WORK/usb"

run "$VRP" --library "$LIB" remote add nas localdir path="$WORK/nas"
expect_status "remote add" 0
check "the settings are in the config file" grep -q '^path = .*/nas$' "$VRP_CONFIG"
check "under a [remote \"nas\"] section with its type" grep -q '^\[remote "nas"\]$' "$VRP_CONFIG"
check "the config file is private" test "$(stat -c %a "$VRP_CONFIG")" = 600
run "$VRP" --library "$LIB" remote add usb localdir path="$WORK/usb"
expect_status "a second remote of the same type" 0
run "$VRP" --library "$LIB" remote add nas localdir path="$WORK/usb"
expect_status "a taken name exits 65" 65
expect_match "with ERR_ALREADY_EXISTS" "$err" 'ERR_ALREADY_EXISTS'
run "$VRP" --library "$LIB" remote add x localdir path="$WORK/nas" password=hunter2
expect_status "a secret on the command line is refused" 64
check "and never reaches the config file" sh -c '! grep -q hunter2 "$1"' _ "$VRP_CONFIG"
run "$VRP" --library "$LIB" remote add x ftp path=/
expect_status "an unknown type exits 69" 69
expect_match "and lists the known types" "$err" 'localdir'
run "$VRP" --library "$LIB" remote add x localdir colour=blue
expect_status "an unknown setting is a usage error" 64
run "$VRP" --library "$LIB" remote add "bad/name" localdir path="$WORK/nas"
expect_status "a bad name is a usage error" 64
run "$VRP" --library "$LIB" remote add y localdir
expect_status "a missing required setting is a usage error" 64

run "$VRP" --library "$LIB" --json remote ls
expect_match "remote ls lists both" "$out" '"name":"nas","type":"localdir".*'
check "two JSON lines" test "$(printf '%s\n' "$out" | wc -l)" -eq 2

run "$VRP" --library "$LIB" remote test nas
expect_status "remote test of a writable folder" 0
expect_match "says it is writable" "$out" 'reachable, authenticated, writable'
check "the probe object is removed" test -z "$(ls -A "$WORK/nas")"
rm -rf "$WORK/nas"
run "$VRP" --library "$LIB" --json remote test nas
expect_status "remote test of a missing folder exits 69" 69
expect_match "reports it unreachable" "$out" '"reachable":false'

run sh -c 'printf "s3cr3t-pass\n" | "$1" --library "$2" remote secret nas password' _ "$VRP" "$LIB"
expect_status "remote secret reads the secret from stdin" 0
check "the secret is in the 0600 store, not the config" sh -c 'test "$(stat -c %a "$1/credentials.json")" = 600 && grep -q s3cr3t-pass "$1/credentials.json" && ! grep -q s3cr3t-pass "$2"' _ "$LIB" "$VRP_CONFIG"
run "$VRP" --library "$LIB" remote rm nas
expect_status "remote rm" 0
check "its secrets go with it" sh -c '! grep -q s3cr3t-pass "$1/credentials.json"' _ "$LIB"
check "its config section is gone" sh -c '! grep -q "remote \"nas\"" "$1"' _ "$VRP_CONFIG"
check "the other remote stays" grep -q 'remote "usb"' "$VRP_CONFIG"
run "$VRP" --library "$LIB" remote rm nas
expect_status "removing it again exits 66" 66
run "$VRP" --library "$LIB" --json audit
expect_match "adding a remote is audited" "$out" '"operation":"remote.add"'
expect_match "removing one too" "$out" '"operation":"remote.remove"'
expect_match "storing a secret is audited as an authentication" "$out" '"operation":"remote.auth"'
run "$VRP" --library "$LIB" --json audit --remote usb
check "audit --remote keeps only that remote's entries" sh -c 'printf "%s\n" "$1" | grep -q "\"remote\":\"usb\"" && ! printf "%s\n" "$1" | grep -q "\"remote\":\"nas\""' _ "$out"
check "the audit log never holds the secret" sh -c '! "$1" --library "$2" --json audit | grep -q s3cr3t-pass' _ "$VRP" "$LIB"

run "$VRP" --library "$LIB" remote frob
expect_status "an unknown subcommand exits 64" 64
finish
