#!/usr/bin/env python3
"""Print one line 'N passed, N failed, N skipped' from a meson testlog.json.

Counts TAP test points ("ok", "not ok", "# SKIP") in each test's output, so
every cmocka case and every CLI check counts once. A test program that failed
without reporting a failing point (a crash, a sanitizer abort, a timeout)
counts as one failure. A "not ok ... # TODO" point (a known bug, as TAP
means it) is counted as skipped, not failed.
"""
import json
import re
import sys

OK = re.compile(r'^ok\b')
NOT_OK = re.compile(r'^not ok\b')
SKIP = re.compile(r'#\s*skip', re.IGNORECASE)
# TAP: a point marked TODO is a known bug, not a failure; it is shown as skipped.
TODO = re.compile(r'#\s*todo\b', re.IGNORECASE)


def main():
    passed = failed = skipped = 0
    try:
        lines = open(sys.argv[1], encoding='utf-8', errors='replace').read().splitlines()
    except OSError as e:
        print('test-summary: %s' % e, file=sys.stderr)
        print('0 passed, 1 failed')
        return 1
    for line in lines:
        if not line.strip():
            continue
        test = json.loads(line)
        t_pass = t_fail = t_skip = 0
        for out in (test.get('stdout') or '').splitlines():
            if NOT_OK.match(out) and TODO.search(out):
                t_skip += 1
            elif NOT_OK.match(out):
                t_fail += 1
            elif OK.match(out):
                if SKIP.search(out):
                    t_skip += 1
                else:
                    t_pass += 1
        result = test.get('result', '')
        if result == 'SKIP' and t_pass + t_fail + t_skip == 0:
            t_skip = 1
        elif result not in ('OK', 'SKIP', 'EXPECTEDFAIL') and t_fail == 0:
            t_fail = 1
        elif result == 'OK' and t_pass + t_fail + t_skip == 0:
            t_pass = 1
        passed += t_pass
        failed += t_fail
        skipped += t_skip
    print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 0


if __name__ == '__main__':
    sys.exit(main())
