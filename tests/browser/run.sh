#!/bin/sh
# Runs the browser tests (test_page.mjs) under node; TAP on stdout.
command -v node >/dev/null 2>&1 || { echo "1..0 # SKIP node is not installed"; exit 0; }
exec node "$(dirname "$0")/test_page.mjs"
