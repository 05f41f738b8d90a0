#!/usr/bin/env python3
"""The README's settings table, made from `vrp --json config ls --global` on stdin.

test_cli_config.sh compares it with the README's copy; run it to regenerate
that copy: vrp --json config ls --global | python3 tests/integration/settings_table.py
"""
import json
import sys

LONG_MAX = 2**63 - 1


def values(s):
    if "choices" in s:
        words = ", ".join(f"`{c}`" for c in s["choices"])
        return words if s["type"] == "list" else "one of " + words
    if "min" in s:
        hi = "" if s["max"] == LONG_MAX else str(s["max"])
        return f"{s['min']}..{hi}"
    return "text"


print("| key | type | default | values | meaning |")
print("| --- | --- | --- | --- | --- |")
for line in sys.stdin:
    s = json.loads(line)
    default = f"`{s['default']}`" if s["default"] is not None else "(unset)"
    print(f"| `{s['key']}` | {s['type']} | {default} | {values(s)} | {s['doc']} |")
