#!/usr/bin/env python3
"""Writes valid 16-bit stereo 48 kHz PCM WAV files for the benchmarks.

make-wavs.py FILE BYTES         one file of about BYTES bytes
make-wavs.py DIR BYTES COUNT    COUNT distinct files DIR/rec-NNNNNN.wav

The samples are random, not silence, so no layer below (compression,
deduplication) can make a copy cheaper than it is for real audio. A large
file repeats one random block stamped with its index, which writes at disk
speed instead of at /dev/urandom speed; small files are random throughout
and also carry their index, so every file has distinct content.
"""
import os
import struct
import sys

BLOCK = 1 << 20
RATE, CHANNELS, BITS = 48000, 2, 16
ALIGN = CHANNELS * BITS // 8


def header(data_bytes):
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, CHANNELS, RATE, RATE * ALIGN, ALIGN, BITS)
            + b"data" + struct.pack("<I", data_bytes))


def write_wav(path, total, index, pattern=None):
    data_bytes = max(ALIGN, (total - 44) // ALIGN * ALIGN)
    with open(path, "wb") as f:
        f.write(header(data_bytes))
        written, block = 0, 0
        while written < data_bytes:
            n = min(BLOCK, data_bytes - written)
            chunk = bytearray(pattern[:n] if pattern else os.urandom(n))
            stamp = struct.pack("<QQ", index, block)
            chunk[:len(stamp)] = stamp[:n]
            f.write(chunk)
            written += n
            block += 1


def main():
    if len(sys.argv) == 3:
        write_wav(sys.argv[1], int(sys.argv[2]), 0, os.urandom(BLOCK))
    elif len(sys.argv) == 4:
        os.makedirs(sys.argv[1], exist_ok=True)
        for i in range(int(sys.argv[3])):
            write_wav(os.path.join(sys.argv[1], "rec-%06d.wav" % i), int(sys.argv[2]), i)
    else:
        sys.exit(__doc__)


main()
