"""Shared helpers: the error type every handler raises, responses, time."""
import datetime
import json
import secrets

CHUNK = 256 * 1024                      # resumable chunk granularity
FOLDER_MIME = 'application/vnd.google-apps.folder'
DRIVE_FILE_SCOPE = 'https://www.googleapis.com/auth/drive.file'

# Query parameters whose values must never reach a log or /__control/state.
SECRET_PARAMS = {'code', 'token', 'access_token', 'refresh_token', 'device_code',
                 'code_verifier', 'client_secret', 'upload_id', 'state'}

_STATUS_NAMES = {400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED',
                 404: 'NOT_FOUND', 409: 'ALREADY_EXISTS', 410: 'NOT_FOUND',
                 416: 'OUT_OF_RANGE', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL',
                 502: 'UNAVAILABLE', 503: 'UNAVAILABLE'}


class Response:
    """A complete HTTP answer, built under the state lock and written after."""

    def __init__(self, status, body=b'', content_type='application/json; charset=UTF-8',
                 headers=None):
        self.status = status
        if isinstance(body, str):
            body = body.encode('utf-8')
        self.body = body
        self.headers = dict(headers or {})
        if body and content_type:
            self.headers.setdefault('Content-Type', content_type)


def json_response(status, obj, headers=None):
    return Response(status, json.dumps(obj, indent=1).encode('utf-8'), headers=headers)


class ApiError(Exception):
    """A Drive API error answer in Google's JSON shape."""

    def __init__(self, code, message, reason, domain='global', headers=None, detail=None,
                 **extra):
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason
        self.domain = domain
        self.headers = headers or {}
        self.detail = detail or message
        self.extra = extra

    def response(self):
        err = {'domain': self.domain, 'reason': self.reason, 'message': self.detail}
        err.update(self.extra)
        body = {'error': {'code': self.code, 'message': self.message, 'errors': [err],
                          'status': _STATUS_NAMES.get(self.code, 'UNKNOWN')}}
        return json_response(self.code, body, self.headers)


class OAuthError(Exception):
    """An OAuth endpoint error: {"error": ..., "error_description": ...}."""

    def __init__(self, status, error, description=None):
        super().__init__(error)
        self.status = status
        self.error = error
        self.description = description

    def response(self):
        body = {'error': self.error}
        if self.description:
            body['error_description'] = self.description
        return json_response(self.status, body)


def bad_request(message, reason='badRequest', **extra):
    return ApiError(400, message, reason, **extra)


def not_found(file_id):
    return ApiError(404, 'File not found: %s.' % file_id, 'notFound',
                    location='fileId', locationType='parameter')


def rfc3339(ts):
    d = datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc)
    return d.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (d.microsecond // 1000)


def new_id(prefix=''):
    return prefix + secrets.token_urlsafe(24)


def mask(value):
    """What a secret looks like in logs: a short prefix only."""
    value = str(value)
    return value[:6] + '...' if len(value) > 6 else '...'
