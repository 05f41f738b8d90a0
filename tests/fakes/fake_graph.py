#!/usr/bin/env python3
"""A fake Microsoft Graph (OneDrive) + Microsoft identity platform v2.0 server.

Standard library only. Binds 127.0.0.1 on a free port, writes the port to
--port-file (atomically) once listening, serves until SIGTERM/SIGINT.

    python3 tests/fakes/fake_graph.py --port-file PORTFILE [--client-id ID] [--log FILE]

What it follows from Microsoft's documentation:
- /{tenant}/oauth2/v2.0/authorize|token|devicecode for a public client (a
  client_secret is refused, AADSTS700025), PKCE S256 required, device flow
  answering 400 authorization_pending until approved, refresh tokens that
  rotate: every refresh answers a new one and the spent one is invalid_grant.
- /v1.0/me/drive (quota), items by path under /me/drive/special/approot
  (scope Files.ReadWrite.AppFolder) or /me/drive/root (Files.ReadWrite; an
  AppFolder token gets 403 accessDenied there), by id under /me/drive/items.
  Uploading by path creates the missing parent folders.
- PUT .../content up to 4 MiB; createUploadSession with conflictBehavior
  (fail by default: 409 nameAlreadyExists; rename; replace); fragments PUT to
  the pre-authenticated uploadUrl (an Authorization header there is 401),
  multiples of 320 KiB but the last, at most 60 MiB, placed exactly at
  nextExpectedRanges (else 416); 202 with nextExpectedRanges, 201/200 with the
  driveItem at the end; GET on the uploadUrl gives the status; an expired or
  finished session is 404 itemNotFound.
- delta on a folder (/me/drive/special/approot/delta, /me/drive/root:/F:/delta,
  /me/drive/items/ID/delta): the folder itself, then every live item under
  it parents first, paged by @odata.nextLink, ending in an @odata.deltaLink
  (?token=...) whose next use gives only what changed since (new or changed
  items, removed ones as {"id", "deleted": {}}); as documented, delta items
  carry parentReference.id but no parentReference.path; an unknown or reset
  token is 410 Gone resyncRequired.
- children listings paged by @odata.nextLink ($top, $skiptoken); file.hashes
  .quickXorHash on every file; GET /content is a 302 to a pre-authenticated
  URL that honours Range; DELETE sends to the recycle bin, POST
  permanentDelete removes for good; errors as {"error": {"code", "message"}};
  507 quotaLimitReached when the quota is full.

Control endpoints (no auth): GET /__control/state; POST /__control/fault
{method, path_prefix, status, code, body, retry_after, times, skip,
delay_ms (answer that much later; alone, the answer is the normal one),
drop_after_bytes (read that much of the request, then hang up), drop_answer (do
the work, then hang up), truncate_after (a download: that many bytes, then hang
up), flip_byte (a download: byte N flipped on the way), bad_hash (a driveItem
answered with a wrong quickXorHash)}; POST /__control/corrupt {id | name,
offset} (a stored byte flipped); POST /__control/config {key: value}; POST /__control/expire_tokens,
/__control/revoke_refresh, /__control/expire_sessions, /__control/approve
{"user_code"}, /__control/delta_reset (every delta token becomes 410).
"""
import argparse
import base64
import datetime
import hashlib
import json
import os
import re
import secrets
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FRAGMENT_UNIT = 320 * 1024
FRAGMENT_MAX = 60 * 1024 * 1024
SIMPLE_MAX = 4 * 1024 * 1024
DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
APPFOLDER_SCOPE = 'Files.ReadWrite.AppFolder'
FILES_SCOPE = 'Files.ReadWrite'
_VERIFIER_RE = re.compile(r'^[A-Za-z0-9\-._~]{43,128}$')
_LOOPBACK_RE = re.compile(r'^http://(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?(/[^#]*)?$')
_BAD_NAME = re.compile(r'["*:<>?/\\|]')
_RESERVED = {'CON', 'PRN', 'AUX', 'NUL', 'COM1', 'COM2', 'COM3', 'LPT1', 'LPT2', '.lock',
             'desktop.ini', '_vti_'}


# ---- QuickXorHash, written after Microsoft's reference (64-bit cells) ----
def quickxorhash(data):
    cells = [0, 0, 0]
    width, shift, last_bits = 160, 11, 32
    for i in range(min(len(data), width)):
        # every 160th byte from i lands at the same place
        x = 0
        for b in data[i::width]:
            x ^= b
        bit = (i * shift) % width
        cell, off = bit // 64, bit % 64
        bits_in_cell = last_bits if cell == 2 else 64
        cells[cell] ^= (x << off) & ((1 << 64) - 1)
        if off > bits_in_cell - 8:
            cells[0 if cell == 2 else cell + 1] ^= x >> (bits_in_cell - off)
    raw = b''.join(c.to_bytes(8, 'little') for c in cells)[:20]
    raw = bytearray(raw)
    for i, b in enumerate(len(data).to_bytes(8, 'little')):
        raw[12 + i] ^= b
    return base64.b64encode(bytes(raw)).decode('ascii')


def iso(ts):
    d = datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc)
    return d.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (d.microsecond // 1000)


class GraphError(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}

    def answer(self):
        body = {'error': {'code': self.code, 'message': self.message,
                          'innerError': {'date': iso(time.time()),
                                         'request-id': secrets.token_hex(8)}}}
        return self.status, body, self.headers


class OAuthError(Exception):
    def __init__(self, status, error, description):
        super().__init__(error)
        self.status, self.error, self.description = status, error, description

    def answer(self):
        return self.status, {'error': self.error, 'error_description': self.description}, {}


class Item:
    def __init__(self, name, parent, folder=False, data=b'', description=None):
        self.id = 'FAKE!' + secrets.token_hex(6).upper()
        self.name, self.parent, self.folder = name, parent, folder
        self.data = data
        self.description = description
        self.created = self.modified = time.time()
        self.deleted = False
        self.version = 1

    def resource(self, state):
        r = {'id': self.id, 'name': self.name, 'createdDateTime': iso(self.created),
             'lastModifiedDateTime': iso(self.modified),
             'eTag': '"{%s},%d"' % (self.id, self.version),
             'parentReference': {'driveId': 'fakedrive', 'id': self.parent.id if self.parent
                                 else None, 'path': state.path_of(self.parent)}}
        if self.folder:
            r['folder'] = {'childCount': len(state.children(self))}
            r['size'] = sum(len(c.data) for c in state.children(self))
        else:
            r['size'] = len(self.data)
            r['cTag'] = '"c:{%s},%d"' % (self.id, self.version)
            r['file'] = {'mimeType': 'application/octet-stream',
                         'hashes': {'quickXorHash': quickxorhash(self.data)}}
        if self.description is not None:
            r['description'] = self.description
        return r


class State:
    def __init__(self, client_id, log_path):
        self.lock = threading.RLock()
        self.client_id = client_id
        self.log_path = log_path
        self.config = {'token_lifetime': 3600, 'device_interval': 1, 'auto_approve_polls': 2,
                       'session_lifetime': 3600, 'quota_total': 1 << 40, 'page_size': 200,
                       'deny_auth': False}
        self.codes, self.devices, self.access, self.refresh = {}, {}, {}, {}
        self.token_requests = {}
        self.items = {}
        self.root = self._add(Item('root', None, folder=True))
        self.apps = self._add(Item('Apps', self.root, folder=True))
        self.approot = self._add(Item('Voice Recorder Pro', self.apps, folder=True))
        self.sessions, self.downloads = {}, {}
        self.delta_tokens, self.delta_runs = {}, {}
        self.faults = []
        self.requests = []

    def _add(self, item):
        self.items[item.id] = item
        return item

    def children(self, folder):
        return sorted((i for i in self.items.values() if i.parent is folder and not i.deleted),
                      key=lambda i: i.name.lower())

    def path_of(self, item):
        if item is None:
            return None
        parts = []
        while item is not None and item is not self.root:
            parts.append(item.name)
            item = item.parent
        return '/drive/root:' + ''.join('/' + p for p in reversed(parts))

    def child(self, folder, name):
        for c in self.children(folder):
            if c.name.lower() == name.lower():
                return c
        return None

    def used(self):
        return sum(len(i.data) for i in self.items.values() if not i.folder)

    def log(self, line):
        self.requests.append(line)
        if self.log_path:
            with open(self.log_path, 'a') as f:
                f.write(json.dumps(line) + '\n')

    # ---- identity platform ----
    def issue(self, scope):
        access = 'EwB-fake-' + secrets.token_urlsafe(32)
        refresh = 'M.R3-fake-' + secrets.token_urlsafe(32)
        self.access[access] = {'expires': time.time() + int(self.config['token_lifetime']),
                               'scope': scope}
        self.refresh[refresh] = {'scope': scope, 'spent': False}
        return {'token_type': 'Bearer', 'scope': scope, 'access_token': access,
                'expires_in': int(self.config['token_lifetime']), 'ext_expires_in': 3600,
                'refresh_token': refresh}

    def token(self, form):
        grant = form.get('grant_type', '')
        self.token_requests[grant] = self.token_requests.get(grant, 0) + 1
        if form.get('client_id') != self.client_id:
            raise OAuthError(400, 'unauthorized_client', 'AADSTS700016: Application not found.')
        if 'client_secret' in form:
            raise OAuthError(401, 'invalid_client', 'AADSTS700025: Client is public so '
                             'neither client_assertion nor client_secret should be presented.')
        if grant == 'authorization_code':
            code = self.codes.pop(form.get('code', ''), None)
            if code is None or time.time() > code['expires']:
                raise OAuthError(400, 'invalid_grant', 'AADSTS70000: the code is invalid.')
            if form.get('redirect_uri') != code['redirect_uri']:
                raise OAuthError(400, 'invalid_grant', 'AADSTS50148: redirect_uri mismatch.')
            verifier = form.get('code_verifier', '')
            digest = hashlib.sha256(verifier.encode()).digest()
            if not _VERIFIER_RE.match(verifier) or \
                    base64.urlsafe_b64encode(digest).decode().rstrip('=') != code['challenge']:
                raise OAuthError(400, 'invalid_grant', 'AADSTS501481: The Code_Verifier does '
                                 'not match the code_challenge.')
            return self.issue(code['scope'])
        if grant == DEVICE_GRANT:
            dev = self.devices.get(form.get('device_code', ''))
            if dev is None or time.time() > dev['expires'] or dev['status'] == 'used':
                raise OAuthError(400, 'expired_token', 'AADSTS70020: The device code expired.')
            if dev['status'] == 'declined':
                raise OAuthError(400, 'authorization_declined', 'AADSTS70000: declined.')
            dev['polls'] += 1
            auto = self.config['auto_approve_polls']
            if dev['status'] == 'pending' and (auto is None or auto < 0 or dev['polls'] <= auto):
                raise OAuthError(400, 'authorization_pending', 'AADSTS70016: OAuth 2.0 device '
                                 'flow error. Authorization is pending.')
            dev['status'] = 'used'
            return self.issue(dev['scope'])
        if grant == 'refresh_token':
            rt = self.refresh.get(form.get('refresh_token', ''))
            if rt is None or rt['spent']:
                raise OAuthError(400, 'invalid_grant', 'AADSTS70008: The refresh token has '
                                 'expired or is invalid.')
            rt['spent'] = True  # rotation: the new one replaces it
            return self.issue(rt['scope'])
        raise OAuthError(400, 'unsupported_grant_type', 'AADSTS70003: unsupported grant.')

    def scope_of(self, text):
        words = (text or '').split()
        if FILES_SCOPE in words or 'https://graph.microsoft.com/' + FILES_SCOPE in words:
            return FILES_SCOPE + ' offline_access'
        if APPFOLDER_SCOPE in words or 'https://graph.microsoft.com/' + APPFOLDER_SCOPE in words:
            return APPFOLDER_SCOPE + ' offline_access'
        raise OAuthError(400, 'invalid_scope', 'AADSTS70011: The provided value for scope is '
                         'not valid.')


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        pass

    @property
    def st(self):
        return self.server.state

    def do_GET(self):
        self._handle('GET')

    def do_POST(self):
        self._handle('POST')

    def do_PUT(self):
        self._handle('PUT')

    def do_PATCH(self):
        self._handle('PATCH')

    def do_DELETE(self):
        self._handle('DELETE')

    # ---- plumbing ----
    def _read_body(self, limit=None):
        n = int(self.headers.get('Content-Length') or 0)
        if limit is not None:
            n = min(n, limit)
        data = b''
        while len(data) < n:
            chunk = self.rfile.read(n - len(data))
            if not chunk:
                break
            data += chunk
        return data

    def _send(self, status, body=None, headers=None, raw=None):
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None
                                               else b'')
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        if payload and raw is None:
            self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(payload)

    def _fault(self, method, path):
        for f in self.st.faults:
            if (f.get('method') or method).upper() == method and \
                    path.startswith(f.get('path_prefix') or '/'):
                if f.get('skip', 0) > 0:
                    f['skip'] -= 1
                    return None
                f['times'] = f.get('times', 1) - 1
                if f['times'] <= 0:
                    self.st.faults.remove(f)
                return f
        return None

    def _handle(self, method):
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        auth = self.headers.get('Authorization')
        with self.st.lock:
            self.st.log({'method': method, 'path': path, 'auth': auth is not None,
                         'range': self.headers.get('Content-Range') or
                         self.headers.get('Range')})
            fault = None if path.startswith('/__control') else self._fault(method, path)
        if fault and fault.get('delay_ms'):
            time.sleep(int(fault['delay_ms']) / 1000.0)  # outside the lock: others go on
        if fault and 'drop_after_bytes' in fault:
            self._read_body(int(fault['drop_after_bytes']))
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if fault and 'status' in fault:
            self._read_body()
            headers = {}
            if fault.get('retry_after') is not None:
                headers['Retry-After'] = fault['retry_after']
            body = fault.get('body')
            if body is None:
                body = GraphError(fault['status'], fault.get('code', 'generalException'),
                                  'Injected error').answer()[1]
            self._send(int(fault['status']), body if not isinstance(body, str) else None,
                       headers, raw=body.encode() if isinstance(body, str) else None)
            return
        body = self._read_body()
        try:
            with self.st.lock:
                answer = self._route(method, path, query, body, auth)
        except (GraphError, OAuthError) as e:
            answer = e.answer()
        if fault and fault.get('truncate_after') is not None and answer[0] == 'raw':
            _, status, headers, data = answer
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, str(v))
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data[:int(fault['truncate_after'])])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if fault and fault.get('drop_answer'):
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if answer[0] == 'raw':
            _, status, headers, data = answer
            if fault and fault.get('flip_byte') is not None and data:
                at = int(fault['flip_byte']) % len(data)    # damaged on the way, same length
                data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]
            return self._send(status, headers=headers, raw=data)
        status, obj, headers = answer
        if fault and fault.get('bad_hash') and isinstance(obj, dict) and 'file' in obj:
            obj = json.loads(json.dumps(obj))                # a driveItem whose hash is wrong
            obj['file']['hashes']['quickXorHash'] = base64.b64encode(b'\0' * 20).decode()
        self._send(status, obj, headers)

    def _route(self, method, path, query, body, auth):
        if path.startswith('/__control/'):
            return self._control(method, path[len('/__control/'):], body)
        m = re.match(r'^/([^/]+)/oauth2/v2\.0/(authorize|token|devicecode)$', path)
        if m:
            return self._identity(m.group(2), method, query, body)
        if path.startswith('/upload/'):
            return self._session(method, path[len('/upload/'):], body, auth)
        if path.startswith('/dl/'):
            return self._download(path[len('/dl/'):])
        if path.startswith('/v1.0/'):
            scope = self._authenticate(auth)
            return self._graph(method, path[len('/v1.0'):], query, body, scope)
        raise GraphError(404, 'itemNotFound', 'No such endpoint.')

    # ---- identity platform ----
    def _identity(self, what, method, query, body):
        st = self.st
        form = dict(urllib.parse.parse_qsl(body.decode('utf-8', 'replace')))
        if what == 'authorize':
            redirect = query.get('redirect_uri', '')
            if query.get('client_id') != st.client_id or not _LOOPBACK_RE.match(redirect):
                return 400, {'error': 'invalid_request'}, {}
            if query.get('code_challenge_method') != 'S256' or not query.get('code_challenge'):
                return 400, {'error': 'invalid_request', 'error_description':
                             'AADSTS9002325: PKCE is required for public clients.'}, {}
            scope = st.scope_of(query.get('scope'))
            back = {'state': query.get('state', '')}
            if st.config['deny_auth']:
                back['error'] = 'access_denied'
            else:
                code = 'M.C-fake-' + secrets.token_urlsafe(24)
                st.codes[code] = {'redirect_uri': redirect, 'scope': scope,
                                  'challenge': query['code_challenge'],
                                  'expires': time.time() + 600}
                back['code'] = code
            sep = '&' if '?' in redirect else '?'
            return 302, None, {'Location': redirect + sep + urllib.parse.urlencode(back)}
        if method != 'POST':
            raise OAuthError(405, 'invalid_request', 'POST only')
        if what == 'devicecode':
            if form.get('client_id') != st.client_id:
                raise OAuthError(400, 'unauthorized_client', 'AADSTS700016: not found.')
            scope = st.scope_of(form.get('scope'))
            code = 'DAQ-fake-' + secrets.token_urlsafe(24)
            user = ''.join(secrets.choice('BCDFGHJKLMNPQRSTVWXZ') for _ in range(9))
            st.devices[code] = {'user_code': user, 'scope': scope, 'status': 'pending',
                                'polls': 0, 'expires': time.time() + 900}
            port = self.server.server_address[1]
            return 200, {'user_code': user, 'device_code': code,
                         'verification_uri': 'http://127.0.0.1:%d/devicelogin' % port,
                         'expires_in': 900, 'interval': int(st.config['device_interval']),
                         'message': 'To sign in, use a web browser to open the page and '
                         'enter the code %s to authenticate.' % user}, {}
        return 200, st.token(form), {'Cache-Control': 'no-store'}

    def _authenticate(self, auth):
        m = re.match(r'^Bearer (\S+)$', auth or '')
        info = self.st.access.get(m.group(1)) if m else None
        if info is None or info['expires'] < time.time():
            raise GraphError(401, 'InvalidAuthenticationToken',
                             'Access token has expired or is not yet valid.',
                             {'WWW-Authenticate': 'Bearer error="invalid_token"'})
        return info['scope']

    # ---- Graph ----
    def _graph(self, method, path, query, body, scope):
        st = self.st
        if path == '/me/drive' and method == 'GET':
            total = int(st.config['quota_total'])
            used = st.used()
            return 200, {'id': 'fakedrive', 'driveType': 'personal',
                         'quota': {'total': total, 'used': used, 'deleted': 0,
                                   'remaining': max(total - used, 0),
                                   'state': 'normal' if used < total else 'exceeded'}}, {}
        m = re.match(r'^/me/drive/items/([^/]+)(/content|/children|/permanentDelete|/delta)?$',
                     path)
        if m:
            item = st.items.get(urllib.parse.unquote(m.group(1)))
            if item is None or item.deleted or item in (st.root, st.apps):
                raise GraphError(404, 'itemNotFound', 'The resource could not be found.')
            if scope.startswith(APPFOLDER_SCOPE) and not self._in_approot(item):
                raise GraphError(403, 'accessDenied', 'Access denied')
            return self._on_item(method, item, m.group(2) or '', query, body)
        base, rest = None, None
        if path.startswith('/me/drive/special/approot'):
            base, rest = st.approot, path[len('/me/drive/special/approot'):]
        elif path.startswith('/me/drive/root'):
            if scope.startswith(APPFOLDER_SCOPE):
                raise GraphError(403, 'accessDenied', 'Access denied')
            base, rest = st.root, path[len('/me/drive/root'):]
        else:
            raise GraphError(400, 'invalidRequest', 'Invalid request')
        rel, action = '', rest
        m = re.match(r'^:/(.*?):?(/content|/children|/createUploadSession|/delta)?$', rest)
        if rest.startswith(':'):
            if not m:
                raise GraphError(400, 'invalidRequest', 'Invalid path')
            rel, action = urllib.parse.unquote(m.group(1)).strip('/'), m.group(2) or ''
        parts = [p for p in rel.split('/') if p]
        for p in parts:
            if _BAD_NAME.search(p) or p.rstrip('. ') != p or p.split('.')[0].upper() in \
                    _RESERVED or p in _RESERVED:
                raise GraphError(400, 'invalidRequest', 'The name contains invalid characters.')
        if action in ('/content', '/createUploadSession') and method in ('PUT', 'POST'):
            if not parts:
                raise GraphError(400, 'invalidRequest', 'Cannot upload to the root.')
            parent = self._folder(base, parts[:-1], create=True)
            existing = st.child(parent, parts[-1])
            if action == '/content':
                return self._simple_put(parent, parts[-1], existing, query, body)
            return self._create_session(parent, parts[-1], existing, body)
        item = self._folder(base, parts, create=False) if parts else base
        return self._on_item(method, item, action, query, body)

    def _in_approot(self, item):
        while item is not None:
            if item is self.st.approot:
                return True
            item = item.parent
        return False

    def _folder(self, base, parts, create):
        cur = base
        for p in parts:
            nxt = self.st.child(cur, p)
            if nxt is None and create:
                nxt = self.st._add(Item(p, cur, folder=True))
            if nxt is None:
                raise GraphError(404, 'itemNotFound', 'The resource could not be found.')
            if not nxt.folder and create:
                raise GraphError(409, 'nameAlreadyExists', 'A file has the folder\'s name.')
            cur = nxt
        return cur

    def _check_quota(self, size, replacing=0):
        if self.st.used() - replacing + size > int(self.st.config['quota_total']):
            raise GraphError(507, 'quotaLimitReached', 'Insufficient Space Available')

    def _simple_put(self, parent, name, existing, query, body):
        if len(body) > SIMPLE_MAX:
            raise GraphError(413, 'requestEntityTooLarge', 'Use an upload session over 4 MB.')
        behaviour = query.get('@microsoft.graph.conflictBehavior', 'replace')
        return self._store(parent, name, existing, body, behaviour, None)

    def _store(self, parent, name, existing, data, behaviour, description):
        st = self.st
        if existing is not None and existing.folder:
            raise GraphError(409, 'nameAlreadyExists', 'A folder has that name.')
        if existing is not None and behaviour == 'fail':
            raise GraphError(409, 'nameAlreadyExists', 'The specified item name already '
                             'exists.')
        if existing is not None and behaviour == 'rename':
            stem, dot, ext = name.rpartition('.')
            n = 1
            while st.child(parent, '%s %d.%s' % (stem, n, ext) if dot else '%s %d' % (name, n)):
                n += 1
            name = '%s %d.%s' % (stem, n, ext) if dot else '%s %d' % (name, n)
            existing = None
        self._check_quota(len(data), len(existing.data) if existing else 0)
        if existing is not None:
            existing.data = data
            existing.version += 1
            existing.modified = time.time()
            if description is not None:
                existing.description = description
            return 200, existing.resource(st), {}
        item = st._add(Item(name, parent, data=data, description=description))
        return 201, item.resource(st), {}

    def _create_session(self, parent, name, existing, body):
        try:
            spec = json.loads(body or b'{}').get('item') or {}
        except ValueError:
            raise GraphError(400, 'invalidRequest', 'The body is not JSON.')
        behaviour = spec.get('@microsoft.graph.conflictBehavior', 'fail')
        if existing is not None and behaviour == 'fail':
            raise GraphError(409, 'nameAlreadyExists', 'The specified item name already '
                             'exists.')
        sid = secrets.token_urlsafe(24)
        expires = time.time() + int(self.st.config['session_lifetime'])
        self.st.sessions[sid] = {'parent': parent, 'name': name, 'behaviour': behaviour,
                                 'description': spec.get('description'), 'data': b'',
                                 'size': None, 'expires': expires, 'fragments': 0}
        port = self.server.server_address[1]
        return 200, {'uploadUrl': 'http://127.0.0.1:%d/upload/%s' % (port, sid),
                     'expirationDateTime': iso(expires), 'nextExpectedRanges': ['0-']}, {}

    def _session(self, method, sid, body, auth):
        st = self.st
        s = st.sessions.get(sid)
        if s is None or s['expires'] < time.time():
            st.sessions.pop(sid, None)
            raise GraphError(404, 'itemNotFound', 'The upload session was not found.')
        if auth is not None:
            raise GraphError(401, 'unauthenticated', 'Do not send Authorization to the '
                             'upload URL.')
        if method == 'GET':
            return 200, {'expirationDateTime': iso(s['expires']),
                         'nextExpectedRanges': ['%d-' % len(s['data'])]}, {}
        if method == 'DELETE':
            st.sessions.pop(sid)
            return 204, None, {}
        if method != 'PUT':
            raise GraphError(405, 'invalidRequest', 'PUT fragments here.')
        m = re.match(r'^bytes (\d+)-(\d+)/(\d+)$', self.headers.get('Content-Range') or '')
        if not m:
            raise GraphError(400, 'invalidRange', 'A Content-Range is required.')
        start, end, total = int(m.group(1)), int(m.group(2)), int(m.group(3))
        length = end - start + 1
        if length != len(body) or length <= 0 or length > FRAGMENT_MAX:
            raise GraphError(400, 'invalidRange', 'The fragment length is wrong.')
        if s['size'] is None:
            s['size'] = total
        if total != s['size']:
            raise GraphError(400, 'invalidRange', 'The total size changed.')
        if end + 1 != total and length % FRAGMENT_UNIT:
            raise GraphError(400, 'invalidRange', 'Fragments must be multiples of 320 KiB.')
        if start != len(s['data']):
            raise GraphError(416, 'invalidRange', 'The fragment overlaps data received '
                             'already or leaves a gap.')
        s['data'] += body
        s['fragments'] += 1
        if len(s['data']) < total:
            return 202, {'expirationDateTime': iso(s['expires']),
                         'nextExpectedRanges': ['%d-' % len(s['data'])]}, {}
        st.sessions.pop(sid)
        existing = st.child(s['parent'], s['name'])
        return self._store(s['parent'], s['name'], existing, s['data'], s['behaviour'],
                           s['description'])

    def _on_item(self, method, item, action, query, body):
        st = self.st
        if action == '' and method == 'GET':
            return 200, item.resource(st), {}
        if action == '' and method == 'PATCH':
            try:
                patch = json.loads(body or b'{}')
            except ValueError:
                raise GraphError(400, 'invalidRequest', 'The body is not JSON.')
            if 'description' in patch:
                item.description = patch['description']
            return 200, item.resource(st), {}
        if action == '' and method == 'DELETE':
            if item in (st.root, st.approot):
                raise GraphError(403, 'accessDenied', 'The root cannot be deleted.')
            item.deleted = True  # to the recycle bin
            return 204, None, {}
        if action == '/permanentDelete' and method == 'POST':
            del st.items[item.id]
            return 204, None, {}
        if action == '/children' and method == 'GET':
            if not item.folder:
                raise GraphError(400, 'invalidRequest', 'Not a folder.')
            kids = st.children(item)
            top = min(int(query.get('$top') or 200), int(st.config['page_size']))
            skip = int(query.get('$skiptoken') or 0)
            page = {'value': [k.resource(st) for k in kids[skip:skip + top]]}
            if skip + top < len(kids):
                port = self.server.server_address[1]
                page['@odata.nextLink'] = 'http://127.0.0.1:%d%s?$top=%d&$skiptoken=%d' % (
                    port, self.path.split('?')[0], top, skip + top)
            return 200, page, {}
        if action == '/delta' and method == 'GET':
            if not item.folder:
                raise GraphError(400, 'invalidRequest', 'Not a folder.')
            return self._delta(item, query)
        if action == '/content' and method == 'GET':
            if item.folder:
                raise GraphError(400, 'invalidRequest', 'Folders have no content.')
            token = secrets.token_urlsafe(24)
            st.downloads[token] = item.id
            port = self.server.server_address[1]
            return 302, None, {'Location': 'http://127.0.0.1:%d/dl/%s' % (port, token)}
        raise GraphError(405, 'invalidRequest', 'Not supported here.')

    # ---- delta ----
    def _signatures(self, base):
        """{id: what would make the item show up again} for base and every
        live item under it, parents first."""
        st, out, queue = self.st, {}, [base]
        while queue:
            item = queue.pop(0)
            out[item.id] = (item.name, item.parent.id if item.parent else None, item.version,
                            item.description, hashlib.sha1(item.data).hexdigest())
            if item.folder:
                queue.extend(st.children(item))
        return out

    def _delta_resource(self, item_id, old):
        item = self.st.items.get(item_id)
        if item is None or item.deleted:
            return {'id': item_id, 'deleted': {'state': 'deleted'},
                    'parentReference': {'driveId': 'fakedrive', 'id': old[item_id][1]}}
        r = item.resource(self.st)
        r['parentReference'].pop('path', None)  # delta gives no paths
        return r

    def _delta(self, base, query):
        st = self.st
        here = 'http://127.0.0.1:%d%s' % (self.server.server_address[1],
                                           self.path.split('?')[0])
        if '$skiptoken' in query:
            run_id, _, at = query['$skiptoken'].partition(':')
            run = st.delta_runs.get(run_id)
            if run is None or not at.isdigit():
                raise GraphError(400, 'invalidRequest', 'Invalid skip token.')
            offset = int(at)
        else:
            token = query.get('token')
            if token is not None and token not in st.delta_tokens:
                raise GraphError(410, 'resyncRequired', 'The delta token is no longer valid; '
                                 'start over with a full enumeration.')
            old = st.delta_tokens.get(token, {}) if token else {}
            now = self._signatures(base)
            ids = [i for i in now if old.get(i) != now[i]] + [i for i in old if i not in now]
            run_id = secrets.token_hex(6)
            run = {'items': [self._delta_resource(i, old) for i in ids], 'snapshot': now}
            st.delta_runs[run_id] = run
            offset = 0
        top = int(st.config['page_size'])
        page = {'value': run['items'][offset:offset + top]}
        if offset + top < len(run['items']):
            page['@odata.nextLink'] = '%s?$skiptoken=%s:%d' % (here, run_id, offset + top)
        else:
            token = secrets.token_hex(8)
            st.delta_tokens[token] = run['snapshot']
            page['@odata.deltaLink'] = '%s?token=%s' % (here, token)
        return 200, page, {}

    def _download(self, token):
        item = self.st.items.get(self.st.downloads.get(token, ''))
        if item is None:
            raise GraphError(404, 'itemNotFound', 'The download URL is not valid.')
        data = item.data
        m = re.match(r'^bytes=(\d+)-$', self.headers.get('Range') or '')
        if m:
            start = int(m.group(1))
            if start >= len(data):
                return 'raw', 416, {}, b''
            return 'raw', 206, {'Content-Range': 'bytes %d-%d/%d' % (
                start, len(data) - 1, len(data)),
                'Content-Type': 'application/octet-stream'}, data[start:]
        return 'raw', 200, {'Content-Type': 'application/octet-stream'}, data

    # ---- control ----
    def _control(self, method, name, body):
        st = self.st
        args = json.loads(body or b'{}') if method == 'POST' else {}
        if name == 'state':
            files = []
            for i in st.items.values():
                if i.folder:
                    continue
                files.append({'id': i.id, 'path': (st.path_of(i.parent) or '')[len(
                    '/drive/root:'):].lstrip('/') + '/' + i.name, 'name': i.name,
                    'size': len(i.data), 'quickXorHash': quickxorhash(i.data),
                    'sha256': hashlib.sha256(i.data).hexdigest(), 'deleted': i.deleted,
                    'description': i.description})
            return 200, {'files': files, 'folders': [st.path_of(i) for i in st.items.values()
                                                     if i.folder],
                         'sessions': [{'name': s['name'], 'bytes': len(s['data']),
                                       'fragments': s['fragments']}
                                      for s in st.sessions.values()],
                         'token_requests': st.token_requests,
                         'spent_refresh': sum(1 for r in st.refresh.values() if r['spent']),
                         'requests': st.requests, 'faults': len(st.faults)}, {}
        if name == 'fault':
            st.faults.append(dict(args))
            return 200, {'queued': len(st.faults)}, {}
        if name == 'clear_faults':
            st.faults.clear()
            return 200, {}, {}
        if name == 'corrupt':                                # bit rot: one stored byte flipped
            item = next((i for i in st.items.values() if not i.folder and
                         (i.id == args.get('id') or i.name == args.get('name'))), None)
            if item is None or not item.data:
                return 404, {}, {}
            at = int(args.get('offset', 0)) % len(item.data)
            item.data = item.data[:at] + bytes([item.data[at] ^ 0xFF]) + item.data[at + 1:]
            return 200, {}, {}
        if name == 'config':
            st.config.update(args)
            return 200, st.config, {}
        if name == 'expire_tokens':
            for a in st.access.values():
                a['expires'] = 0
            return 200, {}, {}
        if name == 'revoke_refresh':
            for r in st.refresh.values():
                r['spent'] = True
            return 200, {}, {}
        if name == 'delta_reset':
            st.delta_tokens.clear()
            return 200, {}, {}
        if name == 'expire_sessions':
            for s in st.sessions.values():
                s['expires'] = 0
            return 200, {}, {}
        if name == 'approve':
            for d in st.devices.values():
                if d['user_code'] == args.get('user_code') and d['status'] == 'pending':
                    d['status'] = 'approved'
                    return 200, {}, {}
            return 404, {}, {}
        raise GraphError(404, 'itemNotFound', 'No such control.')


class FakeGraphServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state, host='127.0.0.1', port=0):
        super().__init__((host, port), Handler)
        self.state = state

    @property
    def port(self):
        return self.server_address[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--port-file', required=True)
    ap.add_argument('--client-id', default='vrp-test-onedrive')
    ap.add_argument('--log')
    args = ap.parse_args(argv)
    server = FakeGraphServer(State(args.client_id, args.log))
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
    return 0


if __name__ == '__main__':
    sys.exit(main())
