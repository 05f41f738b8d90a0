#!/bin/sh
# Tags are one tag whatever their case, in any script, through the CLI.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
LIB="$WORK/lib"
V() { "$VRP" --library "$LIB" "$@"; }
V -q init
sox -q -n -r 8000 -b 16 -c 1 "$WORK/a.wav" synth 1 sine 600 vol 0.5
sox -q -n -r 8000 -b 16 -c 1 "$WORK/b.wav" synth 1 sine 700 vol 0.5
V -q import --no-derive --tag "Äpfel" "$WORK/a.wav"
V -q import --no-derive --tag "äpfel" --tag "Straße" "$WORK/b.wav"
run V --json ls --tag "ÄPFEL"
check "ls --tag finds both recordings whatever the case of Ä" test "$(printf '%s\n' "$out" | grep -c '"id"')" -eq 2
check "they share one tag, spelled as it was first given" test "$(sqlite3 "$LIB/library.db" "SELECT group_concat(name) FROM tags WHERE name LIKE '%pfel'")" = "Äpfel"
V -q edit 1 --tag "STRASSE" >/dev/null
check "ß is not folded to ss (simple folding): another tag" test "$(sqlite3 "$LIB/library.db" "SELECT count(*) FROM tags")" -eq 3
V -q edit 2 --untag "ÄPFEL"
run V --json ls --tag "äpfel"
check "--untag in another case removes it" test "$(printf '%s\n' "$out" | grep -c '"id"')" -eq 1
finish
