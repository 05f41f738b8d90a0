#!/usr/bin/env python3
"""A stand-in for `ssh ... -s HOST sftp` that speaks broken SFTP v3 on stdin/stdout.

Used as ssh_command: the arguments vrp appends are ignored. The first argument
names the fault: oversized (a length of 2 GiB), wrongid (a reply to a request
never sent), short (a packet too short for its type), hugenames (a listing that
claims 2^28 names). It answers the version exchange properly, then every
request plausibly except where the fault is due.
"""
import struct
import sys

MODE = sys.argv[1]
inp, out = sys.stdin.buffer, sys.stdout.buffer


def s(b):
    return struct.pack(">I", len(b)) + b


def send(body):
    out.write(struct.pack(">I", len(body)) + body)
    out.flush()


def read_packet():
    head = inp.read(4)
    if len(head) < 4:
        sys.exit(0)
    (n,) = struct.unpack(">I", head)
    return inp.read(n)


read_packet()  # INIT
send(bytes([2]) + struct.pack(">I", 3) + s(b"posix-rename@openssh.com") + s(b"1"))
DIR = struct.pack(">I", 0x04) + struct.pack(">I", 0o40755)
first = True
while True:
    req = read_packet()
    kind, (rid,) = req[0], struct.unpack(">I", req[1:5])
    if first and MODE == "oversized":
        out.write(struct.pack(">I", 0x7FFFFFFF) + b"\x65" * 64)
        out.flush()
    elif first and MODE == "wrongid":
        send(bytes([101]) + struct.pack(">II", rid + 1000, 0) + s(b"") + s(b""))
    elif first and MODE == "short":
        send(bytes([101, 0, 0]))
    elif kind in (7, 17):  # LSTAT, STAT: a folder
        send(bytes([105]) + struct.pack(">I", rid) + DIR)
    elif kind in (3, 11):  # OPEN, OPENDIR
        send(bytes([102]) + struct.pack(">I", rid) + s(b"h1"))
    elif kind == 12 and MODE == "hugenames":  # READDIR
        send(bytes([104]) + struct.pack(">II", rid, 1 << 28) + s(b"a") + s(b"a") + struct.pack(">I", 0))
    elif kind == 12:
        send(bytes([101]) + struct.pack(">II", rid, 1) + s(b"") + s(b""))
    else:
        send(bytes([101]) + struct.pack(">II", rid, 0) + s(b"") + s(b""))
    first = False
