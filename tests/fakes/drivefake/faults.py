"""Injected faults: error answers and dropped connections, consumed in order.

Methods assume the caller holds the state lock.
"""
from .common import ApiError

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
_KEYS = {'method', 'path_prefix', 'status', 'reason', 'message', 'retry_after', 'times',
         'drop_after_bytes', 'skip'}


class Fault:
    def __init__(self, spec):
        unknown = set(spec) - _KEYS
        if unknown:
            raise ValueError('unknown fault keys: %s' % ', '.join(sorted(unknown)))
        if ('status' in spec) == ('drop_after_bytes' in spec):
            raise ValueError('a fault needs exactly one of status or drop_after_bytes')
        self.method = (spec.get('method') or '').upper() or None
        self.path_prefix = spec.get('path_prefix') or '/'
        self.status = int(spec['status']) if 'status' in spec else None
        self.drop_after_bytes = int(spec['drop_after_bytes']) \
            if 'drop_after_bytes' in spec else None
        self.reason = spec.get('reason')
        self.message = spec.get('message')
        self.retry_after = spec.get('retry_after')
        self.times = int(spec.get('times', 1))
        self.skip = int(spec.get('skip', 0))

    def matches(self, method, path):
        return (self.method is None or self.method == method) and \
            path.startswith(self.path_prefix)

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

    def take(self, method, path):
        """The fault that applies to this request (consuming one use), or None.
        The first queued fault matching the request decides."""
        for fault in self.queue:
            if not fault.matches(method, path):
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
                 'drop_after_bytes': f.drop_after_bytes, 'times': f.times, 'skip': f.skip}
                for f in self.queue]
