#!/usr/bin/env python3
"""Compares two libraries' recordings field by field, matched by checksum.

    same_recordings.py A.jsonl B.jsonl

Each file holds `vrp --json show ID` lines of one library. Ids, uuids,
paths, where a recording came from (ingest_source), its checks and its
remote rows and derived assets are the library's own and are not compared.
Prints each difference and exits 1 when there is one, 0 when none.
"""
import json
import sys

OWN = {'id', 'uuid', 'stored_filename', 'local_path', 'ingest_source', 'integrity',
       'verified_at', 'remotes', 'derived', 'transcript', 'offloaded_at', 'status_detail'}


def load(path):
    out = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                out[rec['checksum']] = rec
    return out


def main(a_path, b_path):
    a, b = load(a_path), load(b_path)
    problems = []
    if set(a) != set(b):
        problems.append('different contents: %s' % sorted(set(a) ^ set(b)))
    for sha in sorted(set(a) & set(b)):
        for key in sorted(set(a[sha]) | set(b[sha])):
            if key in OWN:
                continue
            if a[sha].get(key) != b[sha].get(key):
                problems.append('%s %s: %r != %r' % (sha[:8], key, a[sha].get(key),
                                                      b[sha].get(key)))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
