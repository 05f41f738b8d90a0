#!/bin/sh
# An installed vrp runs from its prefix with no help from the environment:
# it finds the libvrp installed beside it (`make install PREFIX=~/.local`).
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${BUILD_ROOT:?set BUILD_ROOT to the build directory}"
run meson install -C "$BUILD_ROOT" --no-rebuild --destdir "$WORK/dest"
expect_status "meson install into a staging directory" 0
bin=$(find "$WORK/dest" -path '*/bin/vrp' -type f | head -n 1)
check "vrp is installed under bin/" test -x "$bin"
run env -i "$bin" -V
expect_status "the installed vrp runs with an empty environment" 0
want=$("$VRP" -V)
if [ "$out" = "$want" ]; then ok "and is this version"; else not_ok "and is this version" "$out" "$want"; fi
finish
