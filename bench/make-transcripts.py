#!/usr/bin/env python3
"""make-transcripts.py DB HOURS: fills a fresh vrp library's catalogue with
HOURS of synthetic transcripts, straight into its tables (no audio files).

Recordings of 30 minutes; utterances of 4-12 s with 0.3-1.5 s pauses,
2.6 words a second drawn from a Zipf-distributed vocabulary of 20,000 words
(50 real English function and content words on top, then made-up ones),
plus about one lattice alternative per five words, each row written as
transcript_repo.c writes it (text, alternatives, start, end, timing).
For speed, word sequences come from a pool of 65,536 drawn once (each word
of a row still has its own absolute time).
Planted words for the benchmark's searches: "reykjavik" in 1 of 10,000
utterances, "budget" at Zipf rank 60 (about 1 utterance in 15), "umbrella"
at rank 600 (about 1 in 150). Deterministic (seeded)."""
import random
import sqlite3
import sys

ROWS_PER_RECORDING = 1 << 20  # VRP_TRANSCRIPT_ROWS_PER_RECORDING
RECORDING_SECONDS = 1800
WORDS_PER_SECOND = 2.6

COMMON = ("the and to of a i you it in that is we so was for this on with but "
          "they have just be not are what like know think at all about there "
          "do one yeah can if my get me go our here then").split()


def vocabulary(size):
    rng = random.Random(7)
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    words, seen = list(COMMON), set(COMMON)
    while len(words) < size:
        w = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    words[60], words[600] = "budget", "umbrella"
    return words


def main():
    db_path, hours = sys.argv[1], float(sys.argv[2])
    words = vocabulary(20000)
    weights = [1.0 / (r + 1) for r in range(len(words))]
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    rng = random.Random(42)
    pool = []
    for _ in range(65536):
        n = max(1, int(rng.uniform(4, 12) * WORDS_PER_SECOND))
        said = rng.choices(words, cum_weights=cum, k=n)
        pool.append((said, " ".join(said), " ".join(rng.choices(words, cum_weights=cum, k=n // 5))))
    # Centiseconds as text, looked up rather than formatted per word.
    clock = ["%.2f" % (c / 100) for c in range(RECORDING_SECONDS * 100 + 2000)]
    recordings = int(hours * 3600 / RECORDING_SECONDS + 0.5)
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -262144")
    db.execute("BEGIN")
    segments = 0
    for rid in range(1, recordings + 1):
        uuid = "%08x-0000-4000-8000-%012x" % (rid, rid)
        db.execute(
            "INSERT INTO recordings (id, uuid, original_filename, stored_filename, local_path,"
            " title, description, duration, filesize_bytes, mime_type, codec, sample_rate,"
            " channels, bit_depth, checksum, status, ingest_source, created_by_app_version,"
            " created_at, modified_at) VALUES (?, ?, CAST(? AS BLOB), ?, ?, ?, '', ?, ?,"
            " 'audio/wav', 'pcm_s16le', 16000, 1, 16, ?, 'active', 'import', '0.1.0', ?, ?)",
            (rid, uuid, "rec_%06d.wav" % rid, uuid + ".wav", "recordings/raw/" + uuid + ".wav",
             "Recording %d" % rid, RECORDING_SECONDS, RECORDING_SECONDS * 32000 + 44,
             "%064x" % rid, "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"))
        rows, t, index = [], rng.uniform(0.2, 1.0), 0
        while t < RECORDING_SECONDS - 12:
            said, text, alternatives = pool[rng.getrandbits(16)]
            n = len(said)
            length = n / WORDS_PER_SECOND
            if rng.random() < 1e-4:
                said = list(said)
                said[rng.randrange(n)] = "reykjavik"
                text = " ".join(said)
            c0, step = int(t * 100), int(100 / WORDS_PER_SECOND)
            timing = "".join([f"{w} {clock[c0 + i * step]} {clock[c0 + i * step + step - 8]}\n"
                              for i, w in enumerate(said)])
            rows.append((rid * ROWS_PER_RECORDING + index, text, alternatives, round(t, 2),
                         round(t + length, 2), timing))
            index += 1
            t += length + 0.3 + rng.getrandbits(7) / 106.0
        db.executemany("INSERT INTO transcript_fts (rowid, text, alternatives, start, end,"
                       " timing) VALUES (?, ?, ?, ?, ?, ?)", rows)
        segments += len(rows)
        if rid % 1000 == 0:
            print("  %d recordings, %d utterances" % (rid, segments), file=sys.stderr)
    # No 'optimize': a library that grew by transcription has FTS5's automatic merges only.
    db.execute("COMMIT")
    print("%d recordings, %.0f hours, %d utterances" % (recordings, recordings * RECORDING_SECONDS / 3600, segments))


main()
