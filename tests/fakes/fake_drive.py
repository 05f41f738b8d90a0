#!/usr/bin/env python3
"""A fake Google Drive v3 + Google OAuth 2.0 server for vrp's tests.

Standard library only. Binds 127.0.0.1 on a free port, writes the port to
--port-file (atomically) once listening, serves until SIGTERM/SIGINT, exits 0.
The interface is described in README.md next to this file.

    python3 tests/fakes/fake_drive.py --port-file PORTFILE [--client-id ID]
        [--client-secret S] [--log FILE]
"""
import argparse
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from drivefake.server import FakeDriveServer, State  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--port-file', required=True, help='where to write the port number')
    ap.add_argument('--client-id', default='vrp-test-client')
    ap.add_argument('--client-secret', default='vrp-test-secret')
    ap.add_argument('--log', help='append one line per request to this file')
    args = ap.parse_args(argv)

    state = State(args.client_id, args.client_secret, args.log)
    server = FakeDriveServer(state)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1},
                              daemon=True)
    thread.start()
    tmp = args.port_file + '.tmp'
    with open(tmp, 'w') as f:
        f.write('%d\n' % server.port)
    os.replace(tmp, args.port_file)

    while not stop.wait(1.0):
        pass
    server.shutdown()
    server.server_close()
    thread.join(5)
    return 0


if __name__ == '__main__':
    sys.exit(main())
