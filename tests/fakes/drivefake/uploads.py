"""Resumable upload sessions (Drive's "Perform a resumable upload" protocol).

Methods assume the caller holds the state lock.
"""
import re
import secrets
import time

from .common import CHUNK, ApiError, Response, bad_request

_RANGE_RE = re.compile(r'^bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)$')


def parse_content_range(value):
    """'bytes a-b/total' -> (a, b, total|None); 'bytes */total' -> (None, None, total)."""
    m = _RANGE_RE.match(value.strip())
    if not m:
        raise bad_request('Failed to parse Content-Range header.', 'badContent')
    a = int(m.group(1)) if m.group(1) is not None else None
    b = int(m.group(2)) if m.group(2) is not None else None
    total = int(m.group(3)) if m.group(3) != '*' else None
    if a is not None and (b < a or (total is not None and b >= total)):
        raise bad_request('Failed to parse Content-Range header.', 'badContent')
    return a, b, total


class Session:
    def __init__(self, prepared, total, fields):
        self.id = 'fake-' + secrets.token_urlsafe(24)
        self.prepared = prepared          # normalised metadata (FileStore.prepare)
        self.total = total                # None until known
        self.fields = fields              # the `fields` of the initiating request
        self.data = bytearray()
        self.file_id = None               # set once complete
        self.size = None                  # final size once complete
        self.created = time.time()
        self.expired = False

    @property
    def committed(self):
        return len(self.data)

    def range_headers(self):
        if not self.data:
            return {}
        return {'Range': 'bytes=0-%d' % (len(self.data) - 1)}


class UploadSessions:
    def __init__(self, config):
        self.config = config
        self.sessions = {}

    def reset(self):
        self.sessions.clear()

    def create(self, prepared, total, fields):
        s = Session(prepared, total, fields)
        self.sessions[s.id] = s
        return s

    def lookup(self, upload_id):
        """The live session, or the Google-style 404/410 error."""
        s = self.sessions.get(upload_id or '')
        if s is not None and not s.expired and \
                time.time() - s.created > float(self.config['session_lifetime']):
            s.expired = True
        if s is None or s.expired:
            code = int(self.config['expired_status'])
            raise ApiError(code, 'Upload session expired' if s else 'Upload session not found',
                           'notFound' if code == 404 else 'gone')
        return s

    def expire_all(self):
        for s in self.sessions.values():
            s.expired = True

    def active(self):
        return sum(1 for s in self.sessions.values() if not s.expired and s.file_id is None)

    def describe(self):
        return [{'committed': s.committed if s.file_id is None else s.size, 'total': s.total, 'complete': s.file_id is not None,
                 'expired': s.expired, 'name': s.prepared['name']}
                for s in self.sessions.values()]

    @staticmethod
    def incomplete(s):
        return Response(308, b'', headers=s.range_headers())

    def put(self, s, content_range, body, finish):
        """Apply one PUT to a session. `finish(s)` stores the file and returns the answer
        for a completed upload. Returns a Response."""
        if s.file_id is not None:
            return finish(s)
        if content_range is None:                  # whole content in one request
            a, b, total = (0, len(body) - 1, len(body)) if body else (None, None, 0)
        else:
            a, b, total = parse_content_range(content_range)
        if total is not None and s.total is not None and total != s.total:
            raise bad_request('Content-Range total %d does not match the declared '
                              'upload size %d.' % (total, s.total), 'badContent')
        if total is not None:
            s.total = total
        if a is None:                              # status query ("bytes */total")
            if body:
                raise bad_request('A status query must have an empty body.', 'badContent')
            if s.total is not None and s.committed == s.total:
                return finish(s)
            return self.incomplete(s)
        if b - a + 1 != len(body):
            raise bad_request('Content-Range says %d bytes but the body has %d.'
                              % (b - a + 1, len(body)), 'badContent')
        last = s.total is not None and b + 1 == s.total
        if not last and len(body) % CHUNK:
            raise bad_request('Invalid request. The number of bytes uploaded is required to '
                              'be equal or greater than 262144, except for the final request '
                              '(it\'s recommended to be the exact multiple of 262144). The '
                              'received request contained %d bytes, which does not meet this '
                              'requirement.' % len(body), 'badContent')
        if a != s.committed:                       # Google answers with what it has
            return self.incomplete(s)
        if last:
            return finish(s, extra=body)
        s.data += body
        return self.incomplete(s)

    @staticmethod
    def partial(s, content_range, got):
        """A PUT cut off after `got` bytes: keep them, rounded down to 256 KiB."""
        if s.file_id is not None:
            return
        start = 0
        if content_range is not None:
            try:
                start = parse_content_range(content_range)[0]
            except ApiError:
                return
        if start is None or start != s.committed:
            return
        s.data += got[:len(got) - len(got) % CHUNK]
