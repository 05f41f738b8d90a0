"""HTTP side of the fake: request parsing, routing, control API, logging."""
import base64
import collections
import email.message
import json
import socket
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .common import (FOLDER_MIME, SECRET_PARAMS, ApiError, OAuthError, Response,
                     bad_request, json_response, mask, not_found, rfc3339)
from .faults import Faults
from .files import DEFAULT_FIELDS, FileStore, parse_fields, project
from .oauth import OAuth, token_response, device_page
from .uploads import UploadSessions

DEFAULT_CONFIG = {
    'token_lifetime': 3599,            # seconds an access token lives
    'auto_approve_polls': 2,           # device codes approve themselves after N polls (-1: never)
    'quota_limit': 16106127360,        # bytes (15 GiB)
    'deny_auth': False,                # the browser "user" denies the consent screen
    'expired_status': 404,             # answer for an expired upload session: 404 or 410
    'omit_sha256': False,              # resources carry md5Checksum only
    'session_lifetime': 7 * 24 * 3600,  # seconds an upload session lives
    'device_interval': 1,              # polling interval handed out by /device/code
    'device_code_lifetime': 1800,      # seconds a device code lives
}
IO_CHUNK = 1 << 20


def _mask_query(query):
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    return urllib.parse.urlencode([(k, mask(v) if k in SECRET_PARAMS else v)
                                   for k, v in pairs], safe='/.,()*')


class State:
    """Everything the server knows, guarded by one lock."""

    def __init__(self, client_id, client_secret, log_path=None):
        self.lock = threading.RLock()
        self.config = dict(DEFAULT_CONFIG)
        self.oauth = OAuth(self.config, client_id, client_secret)
        self.store = FileStore(self.config)
        self.uploads = UploadSessions(self.config)
        self.faults = Faults()
        self.requests = collections.deque(maxlen=500)
        self.log = open(log_path, 'a', encoding='utf-8', buffering=1) if log_path else None

    def record(self, method, path, query, status, nbytes, auth=False, sent=None):
        with self.lock:
            entry = {'method': method, 'path': path, 'status': status}
            if query:
                entry['query'] = _mask_query(query)
            if auth:
                entry['auth'] = True                  # an Authorization header came (never its value)
            if sent is not None:
                entry['sent'] = sent                  # body bytes a streamed fault got out
            self.requests.append(entry)
            if self.log:
                self.log.write('%s %s %s%s %s in=%d\n' % (
                    rfc3339(time.time()), method, path,
                    '?' + entry['query'] if query else '', status or 'dropped', nbytes))


class ClientGone(Exception):
    pass


class BodyReader:
    """Reads a request body given by Content-Length or chunked transfer coding."""

    def __init__(self, rfile, headers):
        self.rfile = rfile
        te = (headers.get('Transfer-Encoding') or '').lower()
        self.chunked = 'chunked' in te
        self.remaining = 0          # in the current chunk (chunked) or overall
        self.done = False
        if not self.chunked:
            try:
                self.remaining = int(headers.get('Content-Length') or 0)
            except ValueError:
                raise bad_request('Invalid Content-Length')
            if self.remaining < 0:
                raise bad_request('Invalid Content-Length')
            self.done = self.remaining == 0

    def _next_chunk(self):
        line = self.rfile.readline(1024)
        if not line:
            raise ClientGone()
        try:
            size = int(line.split(b';')[0].strip(), 16)
        except ValueError:
            raise ClientGone()
        if size == 0:
            while True:                               # trailers, then an empty line
                t = self.rfile.readline(8192)
                if not t:
                    raise ClientGone()
                if t in (b'\r\n', b'\n'):
                    break
            self.done = True
        self.remaining = size

    def read(self, limit=None):
        """Up to `limit` bytes (all when None)."""
        out = bytearray()
        while not self.done and (limit is None or len(out) < limit):
            if self.chunked and self.remaining == 0:
                self._next_chunk()
                continue
            want = min(self.remaining, IO_CHUNK)
            if limit is not None:
                want = min(want, limit - len(out))
            data = self.rfile.read(want)
            if not data:
                raise ClientGone()
            out += data
            self.remaining -= len(data)
            if self.remaining == 0:
                if self.chunked:
                    self.rfile.readline(16)           # CRLF after the chunk data
                else:
                    self.done = True
        return bytes(out)


def _json_body(body):
    if not body.strip():
        return {}
    try:
        obj = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise bad_request('Invalid JSON payload received.', 'parseError')
    if not isinstance(obj, dict):
        raise bad_request('Invalid JSON payload received.', 'parseError')
    return obj


def _form(body):
    try:
        text = body.decode('utf-8')
    except UnicodeDecodeError:
        raise OAuthError(400, 'invalid_request', 'Body is not UTF-8.')
    return {k: v[0] for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items()}


def _split_multipart(content_type, body):
    msg = email.message.Message()
    msg['Content-Type'] = content_type or ''
    boundary = msg.get_param('boundary')
    if msg.get_content_type() != 'multipart/related' or not boundary:
        raise bad_request('Multipart uploads need Content-Type multipart/related with a '
                          'boundary.', 'badContent')
    delim = b'--' + boundary.encode('latin-1')
    pos = body.find(delim)
    if pos < 0:
        raise bad_request('Multipart body has no boundary.', 'badContent')
    pos += len(delim)
    parts = []
    while True:
        if body[pos:pos + 2] == b'--':
            break
        if body[pos:pos + 2] != b'\r\n':
            raise bad_request('Malformed multipart body.', 'badContent')
        pos += 2
        end = body.find(b'\r\n' + delim, pos)
        if end < 0:
            raise bad_request('Malformed multipart body (no closing boundary).', 'badContent')
        raw = body[pos:end]
        if raw.startswith(b'\r\n'):
            head, data = b'', raw[2:]
        else:
            head, sep, data = raw.partition(b'\r\n\r\n')
            if not sep:
                raise bad_request('Malformed multipart part.', 'badContent')
        headers = {}
        for line in head.decode('latin-1').split('\r\n'):
            if ':' in line:
                k, v = line.split(':', 1)
                headers[k.strip().lower()] = v.strip()
        parts.append((headers, data))
        pos = end + 2 + len(delim)
    if len(parts) != 2:
        raise bad_request('A multipart upload has exactly two parts (metadata, media).',
                          'badContent')
    return parts


def _piece(rate):
    """Bytes per write: about ten writes a second when trickling at `rate` bytes/s."""
    return max(1, int(rate // 10)) if rate else IO_CHUNK


def _rewrite(resp, fault):
    """The real JSON answer with `inject_files` put before its files, or `merge` laid over it."""
    try:
        answer = json.loads(resp.body)
    except (ValueError, UnicodeDecodeError):
        return resp
    if not isinstance(answer, dict):
        return resp
    if fault.merge is not None:
        answer.update(fault.merge)
    elif isinstance(answer.get('files'), list):
        answer['files'] = list(fault.inject_files) + answer['files']
    return json_response(resp.status, answer, {k: v for k, v in resp.headers.items()
                                               if k.lower() != 'content-type'})


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def version_string(self):
        return 'fake-drive/1'
    timeout = 120

    def log_message(self, fmt, *args):          # our own log is State.record
        pass

    # every method goes through one place
    def do_GET(self):
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    @property
    def state(self):
        return self.server.state

    def _handle(self):
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, url.query
        self.q = {k: v[0] for k, v in
                  urllib.parse.parse_qs(query, keep_blank_values=True).items()}
        method = self.command
        try:
            reader = BodyReader(self.rfile, self.headers)
        except ApiError as e:
            self.close_connection = True
            return self._finish(e.response(), method, path, query, 0)
        fault = None
        self.auth_sent = 'Authorization' in self.headers
        if not path.startswith('/__control/'):
            with self.state.lock:
                fault = self.state.faults.take(method, path, query)
        try:
            if fault is not None and fault.drop_after_bytes is not None:
                got = reader.read(fault.drop_after_bytes)
                self._drop(method, path, got)
                return self.state.record(method, path, query, 0, len(got), self.auth_sent)
            body = reader.read()
        except (ClientGone, OSError):
            self.close_connection = True
            return self.state.record(method, path, query, 0, 0, self.auth_sent)
        if fault is not None and fault.stream_bytes is not None:
            return self._stream(fault, method, path, query, len(body))
        if fault is not None and fault.body is not None:
            resp = fault.canned(self.server.port)
        elif fault is not None and fault.inject_files is None and fault.merge is None:
            resp = fault.error().response()
        else:
            resp = self._answer(method, path, body)
            if fault is not None:
                resp = _rewrite(resp, fault)
        self._finish(resp, method, path, query, len(body), fault.rate if fault else None)

    def _answer(self, method, path, body):
        try:
            with self.state.lock:
                return self._route(method, path, body)
        except (ApiError, OAuthError) as e:
            return e.response()
        except Exception:                           # a bug in the fake: say so
            traceback.print_exc(file=sys.stderr)
            return ApiError(500, 'fake_drive internal error', 'backendError').response()

    def _write_slowly(self, data, rate):
        """Writes `data`, at `rate` bytes per second when set; the bytes that got out."""
        step = _piece(rate)
        sent = 0
        try:
            for at in range(0, len(data), step):
                if rate:
                    time.sleep(len(data[at:at + step]) / rate)
                self.wfile.write(data[at:at + step])
                self.wfile.flush()
                sent += len(data[at:at + step])
        except OSError:
            self.close_connection = True
        return sent

    def _finish(self, resp, method, path, query, nbytes, rate=None):
        sent = None
        try:
            # Google's upload servers call 308 "Resume Incomplete".
            self.send_response(resp.status, 'Resume Incomplete' if resp.status == 308 else None)
            for k, v in resp.headers.items():
                self.send_header(k, v)
            if resp.status != 204:
                self.send_header('Content-Length', str(len(resp.body)))
            self.end_headers()
            if method != 'HEAD' and resp.body:
                sent = self._write_slowly(resp.body, rate)
            self.wfile.flush()
        except OSError:
            self.close_connection = True
        self.state.record(method, path, query, resp.status, nbytes, self.auth_sent,
                          sent if rate else None)

    def _stream(self, fault, method, path, query, nbytes):
        """A 200 (or `status`) whose body is `stream_bytes` bytes of 'x', at `rate` when set."""
        status = fault.status or 200
        sent = 0
        try:
            self.send_response(status)
            self.send_header('Content-Type', 'application/octet-stream')
            self.send_header('Content-Length', str(fault.stream_bytes))
            for k, v in fault.headers.items():
                self.send_header(k, str(v))
            self.end_headers()
            block = b'x' * _piece(fault.rate)
            while sent < fault.stream_bytes:
                piece = block[:fault.stream_bytes - sent]
                if fault.rate:
                    time.sleep(len(piece) / fault.rate)
                self.wfile.write(piece)
                self.wfile.flush()
                sent += len(piece)
        except OSError:
            pass
        self.close_connection = True
        self.state.record(method, path, query, status, nbytes, self.auth_sent, sent)

    def _drop(self, method, path, got):
        """Keep what a resumable PUT sent (rounded down), then hang up without answering."""
        if method == 'PUT' and path == '/upload/drive/v3/files' and 'upload_id' in self.q:
            with self.state.lock:
                try:
                    s = self.state.uploads.lookup(self.q['upload_id'])
                except ApiError:
                    s = None
                if s is not None:
                    self.state.uploads.partial(s, self.headers.get('Content-Range'), got)
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ------------------------------------------------------------ routing
    def _route(self, method, path, body):
        if path.startswith('/__control/'):
            return self._control(method, path[len('/__control/'):], body)
        if path == '/o/oauth2/v2/auth' and method == 'GET':
            return self.state.oauth.authorize(self.q)
        if path == '/device/code' and method == 'POST':
            answer = self.state.oauth.device_code(_form(body))
            answer['verification_url'] = 'http://127.0.0.1:%d/device' % self.server.port
            return json_response(200, answer)
        if path == '/device':
            if method == 'POST':
                self.state.oauth.set_device(_form(body).get('user_code', '').upper(),
                                            'approved')
            return device_page()
        if path == '/token' and method == 'POST':
            return token_response(self.state.oauth.token(_form(body), self._basic()))
        if path == '/revoke' and method in ('POST', 'GET'):
            token = _form(body).get('token') or self.q.get('token', '')
            if not self.state.oauth.revoke(token):
                raise OAuthError(400, 'invalid_token', 'Token expired or revoked')
            return json_response(200, {})
        if path == '/upload/drive/v3/files' and method == 'PUT' and 'upload_id' in self.q:
            return self._upload_put(body)            # the session URL is the credential
        if path.startswith('/drive/v3/') or path.startswith('/upload/drive/v3/'):
            self._authenticate()
            return self._drive(method, path, body)
        raise ApiError(404, 'Not Found', 'notFound')

    def _basic(self):
        auth = self.headers.get('Authorization') or ''
        if not auth.lower().startswith('basic '):
            return None
        try:
            raw = base64.b64decode(auth[6:].strip()).decode('utf-8')
            cid, _, secret = raw.partition(':')
            return urllib.parse.unquote_plus(cid), urllib.parse.unquote_plus(secret)
        except (ValueError, UnicodeDecodeError):
            raise OAuthError(401, 'invalid_client', 'Malformed Basic credentials.')

    def _authenticate(self):
        auth = self.headers.get('Authorization') or ''
        token = auth[7:].strip() if auth.lower().startswith('bearer ') else ''
        if not token or not self.state.oauth.valid(token):
            raise ApiError(401, 'Request had invalid authentication credentials. Expected '
                           'OAuth 2 access token, login cookie or other valid authentication '
                           'credential. See https://developers.google.com/identity/sign-in/'
                           'web/devconsole-project.', 'authError', detail='Invalid Credentials',
                           headers={'WWW-Authenticate': 'Bearer realm="https://accounts.'
                                    'google.com/", error="invalid_token"'},
                           location='Authorization', locationType='header')

    def _fields(self):
        return parse_fields(self.q['fields']) if 'fields' in self.q else None

    def _file_answer(self, resource, selection=None, status=200):
        if selection is None:
            selection = {k: None for k in DEFAULT_FIELDS}
        return json_response(status, project(resource, selection))

    def _drive(self, method, path, body):
        store = self.state.store
        if path == '/drive/v3/files':
            if method == 'GET':
                return self._list()
            if method == 'POST':
                prepared = store.prepare(_json_body(body))
                f = store.create(prepared)
                return self._file_answer(store.resource(f), self._fields())
        elif path.startswith('/drive/v3/files/'):
            fid = urllib.parse.unquote(path[len('/drive/v3/files/'):])
            if '/' in fid:
                raise ApiError(404, 'Not Found', 'notFound')
            if method == 'GET' and self.q.get('alt') == 'media':
                return self._download(fid)
            if method == 'GET':
                return self._file_answer(store.get(fid), self._fields())
            if method == 'PATCH':
                f = store.update(fid, _json_body(body), self.q.get('addParents', ''),
                                 self.q.get('removeParents', ''))
                return self._file_answer(store.resource(f), self._fields())
            if method == 'DELETE':
                store.delete(fid)
                return Response(204)
        elif path == '/drive/v3/about' and method == 'GET':
            return self._about()
        elif path == '/upload/drive/v3/files' and method == 'POST':
            kind = self.q.get('uploadType', '')
            if kind == 'multipart':
                return self._multipart(body)
            if kind == 'resumable':
                return self._start_resumable(body)
            if kind == 'media':
                prepared = store.prepare({}, self.headers.get('Content-Type') or
                                         'application/octet-stream')
                return self._store_upload(prepared, body, self._fields())
            raise bad_request("Invalid value for uploadType: '%s'" % kind[:30], 'invalid',
                              location='uploadType', locationType='parameter')
        raise ApiError(404, 'Not Found', 'notFound')

    def _list(self):
        try:
            size = int(self.q.get('pageSize', 100))
        except ValueError:
            size = 0
        if not 1 <= size <= 1000:
            raise bad_request('Invalid value for pageSize (must be 1 to 1000).', 'invalid',
                              location='pageSize', locationType='parameter')
        page, nxt = self.state.store.list(self.q.get('q', ''), size,
                                          self.q.get('pageToken'), self.q.get('orderBy'))
        full = {'kind': 'drive#fileList', 'incompleteSearch': False}
        if nxt:
            full['nextPageToken'] = nxt
        sel = self._fields()
        if sel is None:
            full['files'] = [project(r, {k: None for k in DEFAULT_FIELDS}) for r in page]
            return json_response(200, full)
        if '*' in sel:
            full['files'] = page
            return json_response(200, full)
        out = {}
        for key, sub in sel.items():
            if key == 'files':
                out['files'] = [project(r, sub) for r in page]
            elif key in full:
                out[key] = full[key]
        return json_response(200, out)

    def _download(self, fid):
        f, data = self.state.store.download(fid)
        headers = {'Content-Type': f['mimeType'], 'Accept-Ranges': 'bytes'}
        rng = (self.headers.get('Range') or '').strip()
        if not rng.startswith('bytes=') or ',' in rng:
            return Response(200, data, content_type=f['mimeType'], headers=headers)
        start_s, _, end_s = rng[6:].strip().partition('-')
        size = len(data)
        try:
            if start_s == '':
                n = int(end_s)
                start, end = max(size - n, 0), size - 1
                if n == 0:
                    start = size
            else:
                start = int(start_s)
                end = min(int(end_s), size - 1) if end_s else size - 1
        except ValueError:
            return Response(200, data, content_type=f['mimeType'], headers=headers)
        if start >= size or start > end:
            headers['Content-Range'] = 'bytes */%d' % size
            return Response(416, b'', headers=headers)
        headers['Content-Range'] = 'bytes %d-%d/%d' % (start, end, size)
        return Response(206, data[start:end + 1], content_type=f['mimeType'], headers=headers)

    def _about(self):
        if 'fields' not in self.q:
            raise bad_request("The 'fields' parameter is required for this method.",
                              'required', location='fields', locationType='parameter')
        usage, trash = self.state.store.usage()
        about = {'kind': 'drive#about',
                 'user': {'kind': 'drive#user', 'displayName': 'Fake User', 'me': True,
                          'emailAddress': 'fake-user@example.com',
                          'permissionId': '00000000000000000000'},
                 'storageQuota': {'limit': str(self.state.config['quota_limit']),
                                  'usage': str(usage), 'usageInDrive': str(usage),
                                  'usageInDriveTrash': str(trash)}}
        sel = parse_fields(self.q['fields'])
        if '*' in sel:
            return json_response(200, about)
        out = {}
        for key, sub in sel.items():
            if key in about:
                val = about[key]
                out[key] = val if sub is None else {k: val[k] for k in sub if k in val}
        return json_response(200, out)

    # ------------------------------------------------------------ uploads
    def _check_quota(self, size):
        limit = int(self.state.config['quota_limit'])
        if self.state.store.usage()[0] + size > limit:
            raise ApiError(403, "The user's Drive storage quota has been exceeded.",
                           'storageQuotaExceeded', 'usageLimits')

    def _store_upload(self, prepared, data, selection):
        self._check_quota(len(data))
        f = self.state.store.create(prepared, data)
        return self._file_answer(self.state.store.resource(f), selection)

    def _multipart(self, body):
        (meta_h, meta_raw), (media_h, media) = _split_multipart(
            self.headers.get('Content-Type'), body)
        meta = _json_body(meta_raw)
        prepared = self.state.store.prepare(
            meta, media_h.get('content-type') or 'application/octet-stream')
        if prepared['mimeType'] == FOLDER_MIME:
            raise bad_request('A folder cannot have content.', 'badContent')
        return self._store_upload(prepared, media, self._fields())

    def _start_resumable(self, body):
        total = self.headers.get('X-Upload-Content-Length')
        if total is not None:
            try:
                total = int(total)
                if total < 0:
                    raise ValueError
            except ValueError:
                raise bad_request('Invalid X-Upload-Content-Length.', 'invalid')
            self._check_quota(total)
        prepared = self.state.store.prepare(
            _json_body(body),
            self.headers.get('X-Upload-Content-Type') or 'application/octet-stream')
        s = self.state.uploads.create(prepared, total, self._fields())
        location = ('http://127.0.0.1:%d/upload/drive/v3/files?uploadType=resumable'
                    '&upload_id=%s' % (self.server.port, s.id))
        return Response(200, b'', headers={'Location': location,
                                           'X-GUploader-UploadID': s.id})

    def _upload_put(self, body):
        uploads, store = self.state.uploads, self.state.store
        s = uploads.lookup(self.q['upload_id'])

        def finish(s, extra=b''):
            if s.file_id is not None:
                f = store.files.get(s.file_id)
                if f is None:
                    raise not_found(s.file_id)
                return self._file_answer(store.resource(f), s.fields)
            data = bytes(s.data) + extra
            self._check_quota(len(data))
            f = store.create(s.prepared, data)
            s.file_id, s.data, s.size = f['id'], bytearray(), len(data)
            return self._file_answer(store.resource(f), s.fields)

        return uploads.put(s, self.headers.get('Content-Range'), body, finish)

    # ------------------------------------------------------------ control
    def _control(self, method, name, body):
        st = self.state
        if method == 'GET' and name == 'state':
            files = [st.store.resource(f, for_state=True) for f in st.store.files.values()]
            files.sort(key=lambda r: (r['name'], r['id']))
            return json_response(200, {
                'files': files, 'sessions': st.uploads.active(),
                'upload_sessions': st.uploads.describe(),
                'requests': list(st.requests), 'faults': st.faults.describe(),
                'token_requests': dict(st.oauth.token_requests),
                'config': dict(st.config)})
        if method == 'GET' and name.startswith('content/'):
            fid = urllib.parse.unquote(name[len('content/'):])
            if fid not in st.store.files:
                return json_response(404, {'ok': False, 'error': 'no such file'})
            return Response(200, st.store.content.get(fid, b''),
                            content_type='application/octet-stream')
        if method != 'POST':
            return json_response(404, {'ok': False, 'error': 'unknown control call'})
        try:
            args = json.loads(body) if body.strip() else {}
            if not isinstance(args, dict):
                raise ValueError('body must be a JSON object')
            if name == 'fault':
                st.faults.add(args)
            elif name == 'clear_faults':
                st.faults.clear()
            elif name in ('approve', 'deny'):
                if not st.oauth.set_device(str(args.get('user_code', '')),
                                           'approved' if name == 'approve' else 'denied'):
                    return json_response(404, {'ok': False, 'error': 'no pending user_code'})
            elif name == 'config':
                unknown = set(args) - set(DEFAULT_CONFIG)
                if unknown:
                    raise ValueError('unknown config keys: %s' % ', '.join(sorted(unknown)))
                if args.get('expired_status', 404) not in (404, 410):
                    raise ValueError('expired_status must be 404 or 410')
                st.config.update(args)
            elif name == 'delete':                  # as the user deleting for good in the web UI
                st.store.delete(str(args.get('id', '')))
            elif name == 'corrupt':                 # a stored byte flipped
                if not st.store.corrupt(str(args.get('id', '')), int(args.get('offset', 0)),
                                        bool(args.get('rehash', False))):
                    return json_response(404, {'ok': False, 'error': 'no such file'})
            elif name == 'expire_access_tokens':
                st.oauth.expire_access_tokens()
            elif name == 'revoke_refresh_tokens':
                st.oauth.revoke_refresh_tokens()
            elif name == 'expire_sessions':
                st.uploads.expire_all()
            elif name == 'reset':
                st.store.reset()
                st.uploads.reset()
                st.faults.clear()
                st.requests.clear()
                st.config.clear()
                st.config.update(DEFAULT_CONFIG)
            else:
                return json_response(404, {'ok': False, 'error': 'unknown control call'})
        except (ValueError, TypeError) as e:
            return json_response(400, {'ok': False, 'error': str(e)})
        return json_response(200, {'ok': True})


class FakeDriveServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state, host='127.0.0.1', port=0):
        self.state = state
        super().__init__((host, port), Handler)
        self.port = self.server_address[1]
