#!/bin/sh
# Generates the media fixtures the probe tests read, into the directory given
# as $1 (created if missing); touches $2, when given, as a stamp for Meson.
#
# Everything is made here, at test time, from sine tones and noise, so nothing
# large is committed and nothing is downloaded. Each file is a few seconds
# long: a few KB to a few hundred KB. The durations the tests expect are the
# ones asked for below (3 s, 8 s), so keep the two in step.
set -eu

out=${1:?usage: make-fixtures.sh OUTDIR [STAMP]}
stamp=${2:-}
case $stamp in '' | /*) ;; *) stamp=$PWD/$stamp ;; esac
mkdir -p "$out"
cd "$out"

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
# A 3-second tone; $1 the rate, $2 the channels, the rest sox output options.
tone() {
	rate=$1 ch=$2
	shift 2
	sox -q -n -r "$rate" -c "$ch" "$@" synth 3 sine 440 vol 0.5
}
# First $2 bytes of $1 into $3: a file cut short.
cut_to() { head -c "$2" "$1" >"$3"; }
half() { cut_to "$1" $(($(wc -c <"$1") / 2)) "$2"; }

# --- good files -------------------------------------------------------------
tone 44100 2 -b 16 pcm16.wav
tone 48000 1 -b 24 pcm24.wav
tone 48000 2 -e floating-point -b 32 float32.wav
tone 16000 1 -b 16 flac16k.flac
tone 44100 2 -b 16 tone.aiff
tone 8000 1 -t amr-nb amr-nb.amr
ff -i amr-nb.amr -c copy amr-nb.3gp

tone 44100 1 -b 16 src-mono.wav
# LAME's Xing/Info frame, but no ID3 tag at all.
ff -i src-mono.wav -c:a libmp3lame -b:a 32k -id3v2_version 0 -write_id3v1 0 no-id3.mp3
ff -i src-mono.wav -c:a libmp3lame -b:a 32k -id3v2_version 3 -metadata title="Memo" \
	-metadata artist="vrp tests" id3v2.mp3
# Recording dates and titles the container carries: an MP4 creation_time, and
# a Broadcast WAV's bext OriginationDate/Time (with a RIFF INFO title).
ff -i src-mono.wav -ar 48000 -c:a aac -b:a 48k -metadata creation_time=2025-03-14T10:20:30Z \
	-metadata title="Standup notes" -f ipod dated.m4a
ff -i src-mono.wav -write_bext 1 -metadata origination_date=2024-01-02 \
	-metadata origination_time=09:15:00 -metadata title="Field take" bwf.wav
# Voice Memos: AAC-LC in an 'M4A ' brand MP4, mono 48 kHz.
ff -i src-mono.wav -ar 48000 -c:a aac -b:a 48k -f ipod memo.m4a
ff -i src-mono.wav -ar 48000 -c:a aac -b:a 48k -movflags +faststart -f ipod faststart.m4a
ff -i src-mono.wav -c:a libvorbis -q:a 0 vorbis.ogg
ff -i src-mono.wav -c:a libopus -b:a 24k opus.ogg
ff -i src-mono.wav -c:a libopus -b:a 24k -f webm opus.webm

# VBR whose bit rate swings (4 s of silence, then 4 s of noise) and no Xing
# frame: the duration can only come from counting the frames.
sox -q -n -r 44100 -c 1 -b 16 vbr-src.wav synth 4 whitenoise vol 0.5 pad 4 0
ff -i vbr-src.wav -c:a libmp3lame -q:a 4 -write_xing 0 -id3v2_version 0 vbr-no-xing.mp3

# 'LIST', 'JUNK' and an odd-sized chunk before 'fmt ', and a 'fact' chunk:
# the layout some recorders write, which a naive parser gets wrong.
python3 - <<'EOF'
import math, struct

rate, seconds = 22050, 3
samples = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
                   for i in range(rate * seconds))

def chunk(tag, body):
    pad = b"\0" if len(body) % 2 else b""
    return tag + struct.pack("<I", len(body)) + body + pad

info = chunk(b"LIST", b"INFO" + chunk(b"INAM", b"Odd memo\0") + chunk(b"ISFT", b"rec\0"))
body = (b"WAVE" + info + chunk(b"JUNK", bytes(27)) + chunk(b"bext", bytes(5))
        + chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16))
        + chunk(b"fact", struct.pack("<I", rate * seconds)) + chunk(b"data", samples))
open("odd-chunks.wav", "wb").write(b"RIFF" + struct.pack("<I", len(body)) + body)
EOF

# --- files that are not audio ------------------------------------------------
printf 'Shopping list\n- milk\n- eggs\n' >text.txt
cp text.txt text.mp3
ff -f lavfi -i color=c=red:s=32x32 -frames:v 1 image.png
ff -f lavfi -i color=c=blue:s=32x32 -frames:v 1 image.jpg
cp image.png image.wav
ff -f lavfi -i testsrc=s=64x64:r=10:d=1 -c:v mpeg4 -an video-only.mp4
# Seeded, so a failure can be reproduced byte for byte.
python3 - <<'EOF'
import random
for name, seed, size in (("random.mp3", 1, 65536), ("random.wav", 2, 65536),
                         ("random-big.mp3", 3, 1 << 20)):
    open(name, "wb").write(random.Random(seed).randbytes(size))
EOF
: >empty.wav

# --- audio, but damaged ------------------------------------------------------
half pcm16.wav half.wav
half flac16k.flac half.flac
half no-id3.mp3 half.mp3
half memo.m4a half.m4a
half faststart.m4a half-faststart.m4a
half opus.webm half.webm
half tone.aiff half.aiff
# Ogg declares no length; a cut one lacks its end-of-stream page.
cut_to opus.ogg $(($(wc -c <opus.ogg) - 100)) cut-end.ogg
# Header intact, every byte of audio after it replaced by noise.
python3 - <<'EOF'
import random, struct

def garble(src, dst, keep):
    data = bytearray(open(src, "rb").read())
    noise = random.Random(4).randbytes(len(data) - keep)
    open(dst, "wb").write(bytes(data[:keep]) + noise)

def flac_header_len(data):
    pos = 4
    while True:
        last, size = data[pos] & 0x80, struct.unpack(">I", b"\0" + data[pos + 1:pos + 4])[0]
        pos += 4 + size
        if last:
            return pos

def mdat_payload(data):
    pos = 0
    while pos < len(data):
        size, tag = struct.unpack(">I4s", data[pos:pos + 8])
        if tag == b"mdat":
            return pos + 8
        pos += size
    raise SystemExit("no mdat")

garble("flac16k.flac", "garbled.flac", flac_header_len(open("flac16k.flac", "rb").read()))
garble("faststart.m4a", "garbled.m4a", mdat_payload(open("faststart.m4a", "rb").read()))
EOF

# A PCM header whose fields no real recorder writes (a 32-bit rate past an
# int, 1,000 channels), the samples whole: damaged, however plain it looks.
python3 - <<'EOF'
import struct

def crafted(name, rate, channels):
    align = channels * 2
    fmt = struct.pack("<HHIIHH", 1, channels, rate, (rate * align) & 0xFFFFFFFF, align, 16)
    data = bytes(align * 800)
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + b"data" + struct.pack("<I", len(data)) + data)
    open(name, "wb").write(b"RIFF" + struct.pack("<I", len(body)) + body)

crafted("rate-3g.wav", 3000000000, 1)
crafted("rate-max.wav", 0xFFFFFFFF, 1)
crafted("channels-1000.wav", 8000, 1000)

# AIFF stores its rate as an 80-bit float: FFmpeg takes 2 GHz from it.
frames = 800
comm = struct.pack(">hIh", 1, frames, 16) + struct.pack(">HQ", 16383 + 30, int(2e9 / 2**30 * 2**63))
ssnd = struct.pack(">II", 0, 0) + bytes(frames * 2)
body = (b"AIFF" + b"COMM" + struct.pack(">I", len(comm)) + comm
        + b"SSND" + struct.pack(">I", len(ssnd)) + ssnd)
open("rate-2g.aiff", "wb").write(b"FORM" + struct.pack(">I", len(body)) + body)
EOF

rm -f src-mono.wav vbr-src.wav
if [ -n "$stamp" ]; then : >"$stamp"; fi
