"""Injected faults: error answers and dropped connections, consumed in order.

Methods assume the caller holds the state lock.
"""
from .common import ApiError, Response

_DEFAULTS = {
    429: ('Rate Limit Exceeded', 'rateLimitExceeded', 'usageLimits'),
    403: ('Rate Limit Exceeded', 'rateLimitExceeded', 'usageLimits'),
    500: ('Internal Error', 'backendError', 'global'),
    502: ('Bad Gateway', 'badGateway', 'global'),
    503: ('Service Unavailable', 'backendError', 'global'),
}
_MESSAGES = {'userRateLimitExceeded': 'User Rate Limit Exceeded',
             'rateLimitExceeded': 'Rate Limit Exceeded',
             'storageQuotaExceeded': "The user's Drive storage quota has been exceeded.",
             'dailyLimitExceeded': 'Daily Limit Exceeded'}
_KEYS = {'method', 'path_prefix', 'query_contains', 'status', 'reason', 'message',
         'retry_after', 'times', 'drop_after_bytes', 'skip', 'body', 'headers', 'stream_bytes',
         'rate', 'inject_files', 'merge'}
# What a fault does instead of the real answer; `status` alone is Google's error JSON.
_KINDS = ('drop_after_bytes', 'body', 'stream_bytes', 'inject_files', 'merge')


class Fault:
    def __init__(self, spec):
        unknown = set(spec) - _KEYS
        if unknown:
            raise ValueError('unknown fault keys: %s' % ', '.join(sorted(unknown)))
        kinds = [k for k in _KINDS if k in spec]
        if len(kinds) > 1 or (not kinds and 'status' not in spec) or \
                ('status' in spec and kinds and kinds[0] not in ('body', 'stream_bytes')):
            raise ValueError('a fault needs one of status, drop_after_bytes, body (with an '
                             'optional status), stream_bytes, inject_files or merge')
        self.method = (spec.get('method') or '').upper() or None
        self.path_prefix = spec.get('path_prefix') or '/'
        self.query_contains = spec.get('query_contains') or ''
        self.body = spec.get('body')
        if self.body is not None and not isinstance(self.body, str):
            raise ValueError('body must be a string')
        self.headers = dict(spec.get('headers') or {})
        self.stream_bytes = int(spec['stream_bytes']) if 'stream_bytes' in spec else None
        self.rate = float(spec['rate']) if 'rate' in spec else None
        self.inject_files = spec.get('inject_files')
        if self.inject_files is not None and not isinstance(self.inject_files, list):
            raise ValueError('inject_files must be a list')
        self.merge = spec.get('merge')
        if self.merge is not None and not isinstance(self.merge, dict):
            raise ValueError('merge must be an object')
        self.status = int(spec['status']) if 'status' in spec else None
        self.drop_after_bytes = int(spec['drop_after_bytes']) \
            if 'drop_after_bytes' in spec else None
        self.reason = spec.get('reason')
        self.message = spec.get('message')
        self.retry_after = spec.get('retry_after')
        self.times = int(spec.get('times', 1))
        self.skip = int(spec.get('skip', 0))

    def matches(self, method, path, query=''):
        return (self.method is None or self.method == method) and \
            path.startswith(self.path_prefix) and self.query_contains in query

    def canned(self, port):
        """The answer of a `body` fault: that text (`{port}` replaced), status 200 unless set."""
        headers = {k: str(v).replace('{port}', str(port)) for k, v in self.headers.items()}
        headers.setdefault('Content-Type', 'application/json; charset=UTF-8')
        return Response(self.status or 200, self.body.replace('{port}', str(port)),
                        content_type=None, headers=headers)

    def error(self):
        message, reason, domain = _DEFAULTS.get(
            self.status, ('Injected error', 'backendError', 'global'))
        if self.reason:
            reason = self.reason
            message = _MESSAGES.get(reason, message)
            if reason in _MESSAGES:
                domain = 'usageLimits'
        headers = {}
        if self.retry_after is not None:
            headers['Retry-After'] = str(self.retry_after)
        return ApiError(self.status, self.message or message, reason, domain, headers)


class Faults:
    def __init__(self):
        self.queue = []

    def add(self, spec):
        self.queue.append(Fault(spec))

    def clear(self):
        self.queue.clear()

    def take(self, method, path, query=''):
        """The fault that applies to this request (consuming one use), or None.
        The first queued fault matching the request decides."""
        for fault in self.queue:
            if not fault.matches(method, path, query):
                continue
            if fault.skip > 0:
                fault.skip -= 1
                return None
            fault.times -= 1
            if fault.times <= 0:
                self.queue.remove(fault)
            return fault
        return None

    def describe(self):
        return [{'method': f.method, 'path_prefix': f.path_prefix, 'status': f.status,
                 'drop_after_bytes': f.drop_after_bytes, 'body': f.body is not None,
                 'stream_bytes': f.stream_bytes, 'inject_files': f.inject_files is not None,
                 'merge': f.merge is not None,
                 'times': f.times, 'skip': f.skip}
                for f in self.queue]
