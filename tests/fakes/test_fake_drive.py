#!/usr/bin/env python3
"""Self-test of the fake Google Drive + OAuth server, speaking TAP.

Starts tests/fakes/fake_drive.py on 127.0.0.1 (port from --port-file), drives it
with urllib, and stops it by PID at the end. Every assertion is one TAP point.
"""
import base64
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, 'fake_drive.py')
CLIENT_ID, CLIENT_SECRET = 'vrp-test-client', 'vrp-test-secret'
FOLDER = 'application/vnd.google-apps.folder'
KIB256 = 256 * 1024

n_points = 0
n_failed = 0
BASE = None
issued_secrets = []          # tokens and codes that must never show up in logs


def ok(cond, desc, *diag):
    global n_points, n_failed
    n_points += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', n_points, desc))
    if not cond:
        n_failed += 1
        for line in diag:
            for sub in str(line).splitlines():
                print('#   ' + sub)
    sys.stdout.flush()
    return cond


def eq(got, want, desc):
    return ok(got == want, desc, 'got:  %r' % (got,), 'want: %r' % (want,))


# ---------------------------------------------------------------- HTTP helpers
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        try:
            return json.loads(self.body or b'null')
        except ValueError:
            return None

    def reason(self):
        try:
            return self.json()['error']['errors'][0]['reason']
        except (TypeError, KeyError, IndexError):
            return None

    def __repr__(self):
        return '<%d %r>' % (self.status, self.body[:300])


def request(method, url, body=None, headers=None, token=None):
    if not url.startswith('http'):
        url = BASE + url
    headers = dict(headers or {})
    if token:
        headers['Authorization'] = 'Bearer ' + token
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        headers.setdefault('Content-Type', 'application/json; charset=UTF-8')
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with OPENER.open(req, timeout=30) as r:
            return Reply(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.headers, e.read())


def form(url, fields, headers=None):
    return request('POST', url, urllib.parse.urlencode(fields).encode(),
                   dict(headers or {}, **{'Content-Type':
                                          'application/x-www-form-urlencoded'}))


def control(name, args=None):
    r = request('POST', '/__control/' + name, args or {})
    if r.status != 200:
        raise RuntimeError('control %s failed: %r' % (name, r))
    return r


def state():
    return request('GET', '/__control/state').json()


def q(params):
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


# ---------------------------------------------------------------- OAuth helpers
def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).decode().rstrip('=')
    return verifier, challenge


REDIRECT = 'http://127.0.0.1:9/oauth2callback'


def authorize(challenge, **extra):
    params = {'client_id': CLIENT_ID, 'redirect_uri': REDIRECT, 'response_type': 'code',
              'scope': 'https://www.googleapis.com/auth/drive.file', 'state': 'st-42',
              'code_challenge': challenge, 'code_challenge_method': 'S256',
              'access_type': 'offline', 'prompt': 'consent'}
    params.update(extra)
    params = {k: v for k, v in params.items() if v is not None}
    return request('GET', '/o/oauth2/v2/auth?' + q(params))


def redirect_params(reply):
    loc = reply.headers.get('Location') or ''
    return loc, dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(loc).query))


def exchange(code, verifier, redirect=REDIRECT):
    return form('/token', {'grant_type': 'authorization_code', 'code': code,
                           'redirect_uri': redirect, 'code_verifier': verifier,
                           'client_id': CLIENT_ID, 'client_secret': CLIENT_SECRET})


def login():
    """A fresh (access, refresh) pair by the loopback flow."""
    verifier, challenge = pkce()
    _, params = redirect_params(authorize(challenge))
    body = exchange(params['code'], verifier).json()
    issued_secrets.extend([params['code'], body['access_token'], body['refresh_token']])
    return body['access_token'], body['refresh_token']


# ---------------------------------------------------------------- tests
def test_loopback():
    verifier, challenge = pkce()
    r = authorize(challenge)
    loc, params = redirect_params(r)
    eq(r.status, 302, 'auth: consent redirects (302)')
    ok(loc.startswith(REDIRECT + '?') and params.get('state') == 'st-42' and 'code' in params,
       'auth: redirect carries code and state to the loopback redirect_uri', loc)
    code = params.get('code', '')
    issued_secrets.append(code)
    eq(authorize(challenge, client_id='nobody').status, 401, 'auth: unknown client_id -> 401')
    eq(authorize(challenge, redirect_uri='https://example.com/cb').status, 400,
       'auth: non-loopback redirect_uri -> 400')
    eq(authorize(challenge, code_challenge_method='plain').status, 400,
       'auth: code_challenge_method other than S256 -> 400')
    eq(authorize(None, code_challenge_method=None).status, 400,
       'auth: missing PKCE challenge -> 400')

    r = exchange(code, pkce()[0])
    ok(r.status == 400 and r.json().get('error') == 'invalid_grant',
       'token: wrong code_verifier -> 400 invalid_grant', r)
    r = exchange(code, verifier, redirect='http://127.0.0.1:10/other')
    eq(r.status, 400, 'token: redirect_uri differing from the auth request -> 400')
    r = form('/token', {'grant_type': 'authorization_code', 'code': code,
                        'redirect_uri': REDIRECT, 'code_verifier': verifier,
                        'client_id': CLIENT_ID, 'client_secret': 'wrong'})
    ok(r.status == 401 and r.json().get('error') == 'invalid_client',
       'token: bad client_secret -> 401 invalid_client', r)
    r = exchange(code, verifier)
    body = r.json() or {}
    issued_secrets.extend([body.get('access_token', '-'), body.get('refresh_token', '-')])
    ok(r.status == 200 and body.get('access_token', '').startswith('ya29.fake-')
       and body.get('refresh_token') and body.get('expires_in') == 3599
       and body.get('token_type') == 'Bearer'
       and body.get('scope') == 'https://www.googleapis.com/auth/drive.file',
       'token: code + right verifier -> access and refresh tokens', r)
    r = exchange(code, verifier)
    ok(r.status == 400 and r.json().get('error') == 'invalid_grant',
       'token: a code is single use (reuse -> invalid_grant)', r)

    # HTTP Basic client authentication is accepted too.
    verifier, challenge = pkce()
    _, params = redirect_params(authorize(challenge))
    issued_secrets.append(params['code'])
    basic = base64.b64encode(('%s:%s' % (CLIENT_ID, CLIENT_SECRET)).encode()).decode()
    r = form('/token', {'grant_type': 'authorization_code', 'code': params['code'],
                        'redirect_uri': REDIRECT, 'code_verifier': verifier},
             headers={'Authorization': 'Basic ' + basic})
    issued_secrets.extend([(r.json() or {}).get('access_token', '-'),
                           (r.json() or {}).get('refresh_token', '-')])
    eq(r.status, 200, 'token: client authentication by HTTP Basic')

    control('config', {'deny_auth': True})
    loc, params = redirect_params(authorize(pkce()[1]))
    ok(params.get('error') == 'access_denied' and params.get('state') == 'st-42'
       and 'code' not in params, 'auth: deny_auth -> redirect with error=access_denied', loc)
    control('config', {'deny_auth': False})


def device_poll(device_code):
    return form('/token', {'grant_type': 'urn:ietf:params:oauth:grant-type:device_code',
                           'device_code': device_code, 'client_id': CLIENT_ID,
                           'client_secret': CLIENT_SECRET})


def test_device():
    r = form('/device/code', {'client_id': CLIENT_ID,
                              'scope': 'https://www.googleapis.com/auth/drive.file'})
    d = r.json() or {}
    ok(r.status == 200 and re.match(r'^[A-Z]{4}-[A-Z]{4}$', d.get('user_code', ''))
       and d.get('device_code') and d.get('expires_in') == 1800 and d.get('interval') == 1
       and d.get('verification_url') == BASE + '/device',
       'device: /device/code answers device_code, user_code, verification_url, interval', r)
    issued_secrets.append(d.get('device_code', '-'))
    eq(form('/device/code', {'client_id': 'nobody', 'scope': 'x'}).status, 401,
       'device: unknown client -> 401')
    # Default: approved automatically after 2 polls.
    r = device_poll(d['device_code'])
    ok(r.status == 428 and r.json().get('error') == 'authorization_pending',
       'device: first poll -> 428 authorization_pending', r)
    r = device_poll(d['device_code'])
    ok(r.status == 403 and r.json().get('error') == 'slow_down',
       'device: polling faster than interval -> 403 slow_down', r)
    time.sleep(1.05)
    r = device_poll(d['device_code'])
    eq(r.status, 428, 'device: second poll still pending')
    time.sleep(1.05)
    r = device_poll(d['device_code'])
    body = r.json() or {}
    issued_secrets.extend([body.get('access_token', '-'), body.get('refresh_token', '-')])
    ok(r.status == 200 and body.get('access_token', '').startswith('ya29.fake-')
       and body.get('refresh_token'), 'device: auto-approved after 2 polls -> tokens', r)
    r = device_poll(d['device_code'])
    eq(r.status, 400, 'device: a used device code is not accepted again')

    # Explicit approval and denial (no auto approval, no interval).
    control('config', {'auto_approve_polls': -1, 'device_interval': 0})
    d = form('/device/code', {'client_id': CLIENT_ID, 'scope': 'x'}).json()
    issued_secrets.append(d['device_code'])
    eq(device_poll(d['device_code']).status, 428, 'device: pending until approved')
    control('approve', {'user_code': d['user_code']})
    r = device_poll(d['device_code'])
    issued_secrets.append((r.json() or {}).get('access_token', '-'))
    issued_secrets.append((r.json() or {}).get('refresh_token', '-'))
    ok(r.status == 200 and 'refresh_token' in r.json(),
       'device: pending -> /__control/approve -> tokens', r)
    d = form('/device/code', {'client_id': CLIENT_ID, 'scope': 'x'}).json()
    control('deny', {'user_code': d['user_code']})
    r = device_poll(d['device_code'])
    ok(r.status == 403 and r.json().get('error') == 'access_denied',
       'device: denied -> 403 access_denied', r)
    control('config', {'device_code_lifetime': 0})
    d = form('/device/code', {'client_id': CLIENT_ID, 'scope': 'x'}).json()
    time.sleep(0.02)
    r = device_poll(d['device_code'])
    ok(r.status == 400 and r.json().get('error') == 'expired_token',
       'device: expired code -> 400 expired_token', r)
    control('config', {'auto_approve_polls': 2, 'device_interval': 1,
                       'device_code_lifetime': 1800})


def refresh(rt):
    return form('/token', {'grant_type': 'refresh_token', 'refresh_token': rt,
                           'client_id': CLIENT_ID, 'client_secret': CLIENT_SECRET})


def test_tokens():
    access, rt = login()
    eq(request('GET', '/drive/v3/files', token=access).status, 200,
       'api: a valid bearer token is accepted')
    r = request('GET', '/drive/v3/files')
    ok(r.status == 401 and r.reason() == 'authError'
       and r.json()['error'].get('status') == 'UNAUTHENTICATED'
       and 'Bearer' in (r.headers.get('WWW-Authenticate') or ''),
       'api: no token -> 401 authError', r)
    eq(request('GET', '/drive/v3/files', token='ya29.fake-bogus').status, 401,
       'api: unknown token -> 401')
    control('expire_access_tokens')
    r = request('GET', '/drive/v3/files', token=access)
    ok(r.status == 401 and r.reason() == 'authError', 'api: expired token -> 401', r)

    r = refresh(rt)
    body = r.json() or {}
    issued_secrets.append(body.get('access_token', '-'))
    ok(r.status == 200 and body.get('access_token', '').startswith('ya29.fake-')
       and 'refresh_token' not in body and body.get('expires_in') == 3599,
       'refresh: new access token, no new refresh token', r)
    eq(request('GET', '/drive/v3/files', token=body.get('access_token')).status, 200,
       'refresh: the refreshed token works')
    control('config', {'token_lifetime': 1})
    body = refresh(rt).json()
    issued_secrets.append(body['access_token'])
    eq(body.get('expires_in'), 1, 'config token_lifetime shortens expires_in')
    control('config', {'token_lifetime': 3599})
    r = form('/revoke', {'token': rt})
    eq(r.status, 200, 'revoke: /revoke accepts a refresh token')
    r = refresh(rt)
    ok(r.status == 400 and r.json().get('error') == 'invalid_grant'
       and r.json().get('error_description') == 'Token has been expired or revoked.',
       'refresh: revoked token -> 400 invalid_grant', r)
    _, rt2 = login()
    control('revoke_refresh_tokens')
    eq(refresh(rt2).json().get('error'), 'invalid_grant',
       'refresh: /__control/revoke_refresh_tokens revokes all')
    eq(refresh('1//fake-unknown').status, 400, 'refresh: unknown token -> 400')


def create(token, meta, fields='id,name,mimeType,parents,trashed,appProperties'):
    return request('POST', '/drive/v3/files?' + q({'fields': fields}), meta, token=token)


def list_files(token, query, **params):
    params['q'] = query
    return request('GET', '/drive/v3/files?' + q(params), token=token)


def test_folders(tok):
    r = create(tok, {'name': 'Recordings', 'mimeType': FOLDER})
    top = r.json() or {}
    ok(r.status == 200 and top.get('mimeType') == FOLDER and top.get('parents') == ['root']
       and top.get('id'), 'files.create: folder in root', r)
    r = create(tok, {'name': 'Recordings', 'mimeType': FOLDER})
    other = r.json()
    sub = create(tok, {'name': "it's 2024", 'mimeType': FOLDER, 'parents': [top['id']],
                       'appProperties': {'vrp_kind': 'year', 'vrp_year': '2024'}}).json()
    ok(sub.get('parents') == [top['id']] and sub.get('appProperties', {}).get('vrp_year')
       == '2024', 'files.create: subfolder with parents and appProperties', sub)
    r = create(tok, {'name': 'x', 'mimeType': FOLDER, 'parents': ['nonexistent']})
    ok(r.status == 404 and r.reason() == 'notFound', 'files.create: unknown parent -> 404', r)

    base = "mimeType = '%s' and trashed = false" % FOLDER
    r = list_files(tok, "name = 'Recordings' and " + base + " and 'root' in parents")
    files = (r.json() or {}).get('files', [])
    eq(sorted(f['id'] for f in files), sorted([top['id'], other['id']]),
       "files.list: q name = ... and mimeType = folder and 'root' in parents")
    ok(files and set(files[0]) == {'kind', 'id', 'name', 'mimeType'}
       and r.json().get('kind') == 'drive#fileList',
       'files.list: without fields -> kind,id,name,mimeType only', r)
    r = list_files(tok, "'%s' in parents and name = 'it\\'s 2024'" % top['id'],
                   fields='files(id,name,appProperties),nextPageToken')
    files = (r.json() or {}).get('files', [])
    ok(len(files) == 1 and files[0]['id'] == sub['id'] and files[0]['appProperties']
       and set(r.json()) == {'files'},
       "files.list: 'ID' in parents, escaped quote, fields=files(...)", r)
    r = list_files(tok, "appProperties has { key='vrp_year' and value='2024' } and "
                   "trashed = false", fields='files(id)')
    eq([f['id'] for f in (r.json() or {}).get('files', [])], [sub['id']],
       'files.list: appProperties has { key=... and value=... }')
    r = list_files(tok, "appProperties has { key='vrp_year' and value='1999' }")
    eq((r.json() or {}).get('files'), [], 'files.list: appProperties value mismatch -> none')
    r = list_files(tok, "mimeType != '%s'" % FOLDER)
    eq((r.json() or {}).get('files'), [], 'files.list: mimeType != folder (no files yet)')
    r = list_files(tok, "name = 'Recordings' or name = 'x'")
    ok(r.status == 400 and r.reason() == 'invalid', 'files.list: unsupported q -> 400', r)
    r = request('GET', '/drive/v3/files/%s?fields=id,name,parents' % sub['id'], token=tok)
    eq(r.json(), {'id': sub['id'], 'name': "it's 2024", 'parents': [top['id']]},
       'files.get: fields=id,name,parents')
    return top, sub


def test_paging(tok, parent):
    names = ['p%02d' % i for i in (4, 2, 0, 3, 1)]
    for name in names:
        create(tok, {'name': name, 'parents': [parent['id']], 'mimeType': 'text/plain'})
    seen, pages, token = [], 0, None
    while True:
        params = {'pageSize': 2, 'fields': 'nextPageToken,files(id,name,size)'}
        if token:
            params['pageToken'] = token
        body = list_files(tok, "'%s' in parents and mimeType = 'text/plain'" % parent['id'],
                          **params).json()
        pages += 1
        seen += [f['name'] for f in body['files']]
        token = body.get('nextPageToken')
        if not token or pages > 5:
            break
    eq((pages, seen), (3, sorted(names)), 'files.list: pageSize=2 pages 2+2+1 in name order')
    r = list_files(tok, "'root' in parents", pageToken='garbage')
    eq(r.status, 400, 'files.list: bad pageToken -> 400')
    r = list_files(tok, "'root' in parents", pageSize=1001)
    eq(r.status, 400, 'files.list: pageSize over 1000 -> 400')


def multipart(tok, meta, data, fields, chunked=False):
    boundary = 'vrp-' + secrets.token_hex(8)
    body = (b'--' + boundary.encode() + b'\r\nContent-Type: application/json; charset=UTF-8'
            b'\r\n\r\n' + json.dumps(meta).encode() + b'\r\n--' + boundary.encode() +
            b'\r\nContent-Type: audio/ogg\r\n\r\n' + data + b'\r\n--' + boundary.encode() +
            b'--\r\n')
    headers = {'Content-Type': 'multipart/related; boundary=' + boundary}
    if chunked:   # an iterable body without Content-Length goes out chunked
        body = [body[i:i + 70000] for i in range(0, len(body), 70000)]
    return request('POST', '/upload/drive/v3/files?' + q({'uploadType': 'multipart',
                                                          'fields': fields}),
                   body, headers, token=tok)


ALL = 'id,name,mimeType,size,md5Checksum,sha1Checksum,sha256Checksum,parents,appProperties'


def sums(data):
    return {'size': str(len(data)), 'md5Checksum': hashlib.md5(data).hexdigest(),
            'sha1Checksum': hashlib.sha1(data).hexdigest(),
            'sha256Checksum': hashlib.sha256(data).hexdigest()}


def test_multipart(tok, folder):
    data = os.urandom(100000)
    r = multipart(tok, {'name': 'a.ogg', 'parents': [folder['id']],
                        'appProperties': {'vrp_id': 'r1'}}, data, ALL)
    res = r.json() or {}
    ok(r.status == 200 and all(res.get(k) == v for k, v in sums(data).items())
       and res.get('mimeType') == 'audio/ogg' and res.get('parents') == [folder['id']]
       and res.get('appProperties') == {'vrp_id': 'r1'},
       'multipart upload: resource with size, md5, sha1, sha256', r)
    c = request('GET', '/__control/content/' + res.get('id', 'x'))
    ok(c.status == 200 and c.body == data, '/__control/content returns the stored bytes')
    r = request('POST', '/__control/corrupt', {'id': res.get('id'), 'offset': 7})
    c = request('GET', '/__control/content/' + res.get('id', 'x'))
    m = json.loads(request('GET', '/drive/v3/files/%s?fields=sha256Checksum' % res.get('id'),
                           token=tok).body)
    ok(r.status == 200 and c.body[7] == data[7] ^ 0xFF and c.body[8:] == data[8:] and
       m.get('sha256Checksum') == hashlib.sha256(data).hexdigest(),
       '/__control/corrupt flips a stored byte and keeps the hashes', r)
    request('POST', '/__control/corrupt', {'id': res.get('id'), 'offset': 7, 'rehash': True})
    m = json.loads(request('GET', '/drive/v3/files/%s?fields=sha256Checksum' % res.get('id'),
                           token=tok).body)
    ok(m.get('sha256Checksum') == hashlib.sha256(data).hexdigest(),
       '/__control/corrupt with rehash flips it back, and the hashes follow')
    data2 = os.urandom(300000)
    r = multipart(tok, {'name': 'chunked.ogg', 'parents': [folder['id']]}, data2,
                  'id,md5Checksum,size', chunked=True)
    ok(r.status == 200 and r.json().get('md5Checksum') == hashlib.md5(data2).hexdigest(),
       'multipart upload sent with Transfer-Encoding: chunked', r)
    r = request('POST', '/upload/drive/v3/files?uploadType=multipart', b'junk',
                {'Content-Type': 'multipart/related; boundary=zz'}, token=tok)
    eq(r.status, 400, 'multipart upload: malformed body -> 400')
    return res, data


def start_session(tok, meta, total=None, fields=ALL):
    headers = {'X-Upload-Content-Type': 'audio/ogg'}
    if total is not None:
        headers['X-Upload-Content-Length'] = str(total)
    r = request('POST', '/upload/drive/v3/files?' + q({'uploadType': 'resumable',
                                                       'fields': fields}),
                meta, headers, token=tok)
    return r, r.headers.get('Location')


def put(url, data, first, total, token=None):
    last = first + len(data) - 1
    cr = 'bytes %d-%d/%s' % (first, last, total) if data else 'bytes */%s' % total
    return request('PUT', url, data, {'Content-Range': cr}, token=token)


def test_resumable(tok, folder):
    total = 3 * KIB256 + 1000
    data = os.urandom(total)
    r, url = start_session(tok, {'name': 'big.ogg', 'parents': [folder['id']]}, total)
    ok(r.status == 200 and url and url.startswith(
        BASE + '/upload/drive/v3/files?uploadType=resumable&upload_id='),
       'resumable: session start -> 200 with Location', r, url)
    r = put(url, b'', 0, total)
    ok(r.status == 308 and r.headers.get('Range') is None,
       'resumable: status query on an empty session -> 308 without Range', r)
    r = put(url, data[:KIB256], 0, total)
    ok(r.status == 308 and r.headers.get('Range') == 'bytes=0-262143',
       'resumable: 256 KiB chunk -> 308 Range bytes=0-262143', r, r.headers.get('Range'))
    r = put(url, data[KIB256:KIB256 + 100000], KIB256, total)
    eq(r.status, 400, 'resumable: intermediate chunk not a 256 KiB multiple -> 400')
    r = put(url, data[2 * KIB256:3 * KIB256], 2 * KIB256, total)
    ok(r.status == 308 and r.headers.get('Range') == 'bytes=0-262143',
       'resumable: chunk past the committed offset -> 308 with the stored Range', r)
    r = put(url, b'', 0, total)
    ok(r.status == 308 and r.headers.get('Range') == 'bytes=0-262143',
       'resumable: status query (bytes */total) -> 308 Range', r)

    control('fault', {'method': 'PUT', 'path_prefix': '/upload/drive/v3/files',
                      'drop_after_bytes': 300000})
    try:
        r = put(url, data[KIB256:3 * KIB256], KIB256, total)
        dropped = False
    except (OSError, http.client.HTTPException):
        dropped = True
    ok(dropped, 'fault drop_after_bytes: connection closed without an answer')
    r = put(url, b'', 0, total)
    ok(r.status == 308 and r.headers.get('Range') == 'bytes=0-524287',
       'resumable: after the drop the committed bytes are rounded down to 256 KiB', r,
       r.headers.get('Range'))
    r = put(url, data[2 * KIB256:], 2 * KIB256, total, token='ya29.fake-not-valid')
    res = r.json() or {}
    ok(r.status in (200, 201) and all(res.get(k) == v for k, v in sums(data).items())
       and res.get('name') == 'big.ogg' and res.get('mimeType') == 'audio/ogg',
       'resumable: last chunk -> 200 with size and checksums (bad token ignored)', r)
    c = request('GET', '/__control/content/' + res.get('id', 'x'))
    ok(c.body == data, 'resumable: stored content equals the uploaded bytes')
    r = put(url, b'', 0, total)
    ok(r.status in (200, 201) and (r.json() or {}).get('id') == res.get('id'),
       'resumable: status query after completion -> the resource', r)
    eq(state()['sessions'], 0, '/__control/state: no live sessions after completion')

    # Unknown total until the end ("bytes a-b/*").
    small = os.urandom(KIB256 + 5)
    _, url = start_session(tok, {'name': 'star.ogg'}, fields='id,size')
    r1 = put(url, small[:KIB256], 0, '*')
    r2 = put(url, small[KIB256:], KIB256, len(small))
    ok(r1.status == 308 and r2.status == 200 and r2.json().get('size') == str(len(small)),
       'resumable: total unknown (bytes a-b/*) until the last chunk', r1, r2)

    # Session expiry: 404 by default, 410 when configured.
    _, url = start_session(tok, {'name': 'exp.ogg'}, 10)
    control('expire_sessions')
    r = put(url, b'0123456789', 0, 10)
    ok(r.status == 404 and (r.json() or {}).get('error', {}).get('message') ==
       'Upload session expired', 'resumable: expired session -> 404 Upload session expired',
       r)
    control('config', {'expired_status': 410})
    eq(put(url, b'', 0, 10).status, 410, 'resumable: expired_status 410 -> 410')
    control('config', {'expired_status': 404})
    control('config', {'session_lifetime': 0})
    _, url = start_session(tok, {'name': 'exp2.ogg'}, 10)
    time.sleep(0.01)
    eq(put(url, b'0123456789', 0, 10).status, 404, 'resumable: session_lifetime elapses -> 404')
    control('config', {'session_lifetime': 604800})
    return res, data


def test_large(tok):
    size = 50 * 1024 * 1024
    data = os.urandom(size)
    start = time.time()
    _, url = start_session(tok, {'name': 'fifty.ogg'}, size, fields='id,size,sha256Checksum')
    step = 32 * KIB256           # 8 MiB chunks
    r = None
    for first in range(0, size, step):
        r = put(url, data[first:first + step], first, size)
    ok(r.status == 200 and r.json().get('sha256Checksum') == hashlib.sha256(data).hexdigest()
       and r.json().get('size') == str(size),
       '50 MiB resumable upload in 8 MiB chunks (%.1fs)' % (time.time() - start), r)
    fid = r.json()['id']
    eq(request('DELETE', '/drive/v3/files/' + fid, token=tok).status, 204,
       'DELETE the 50 MiB file -> 204')


def test_quota(tok):
    usage = int(request('GET', '/drive/v3/about?fields=storageQuota', token=tok)
                .json()['storageQuota']['usage'])
    control('config', {'quota_limit': usage + 50})
    r, _ = start_session(tok, {'name': 'q.ogg'}, 100)
    ok(r.status == 403 and r.reason() == 'storageQuotaExceeded'
       and r.json()['error']['errors'][0]['domain'] == 'usageLimits',
       'quota: session start over the limit -> 403 storageQuotaExceeded', r)
    r = multipart(tok, {'name': 'q.ogg'}, b'x' * 100, 'id')
    ok(r.status == 403 and r.reason() == 'storageQuotaExceeded',
       'quota: multipart over the limit -> 403 storageQuotaExceeded', r)
    control('config', {'quota_limit': 16106127360})
    _, url = start_session(tok, {'name': 'q2.ogg'}, 100)
    control('config', {'quota_limit': usage + 50})
    r = put(url, b'y' * 100, 0, 100)
    ok(r.status == 403 and r.reason() == 'storageQuotaExceeded',
       'quota: final chunk over the limit -> 403 storageQuotaExceeded', r)
    control('config', {'quota_limit': 16106127360})


def test_faults(tok):
    path = '/drive/v3/files'
    control('fault', {'method': 'GET', 'path_prefix': path, 'status': 429,
                      'retry_after': 2, 'times': 1})
    r = request('GET', path, token=tok)
    ok(r.status == 429 and r.headers.get('Retry-After') == '2'
       and r.reason() == 'rateLimitExceeded', 'fault 429 with Retry-After: 2', r)
    eq(request('GET', path, token=tok).status, 200, 'fault 429 times=1 is consumed')
    control('fault', {'method': 'GET', 'path_prefix': path, 'status': 403,
                      'reason': 'rateLimitExceeded'})
    r = request('GET', path, token=tok)
    ok(r.status == 403 and r.reason() == 'rateLimitExceeded'
       and r.json()['error']['errors'][0]['domain'] == 'usageLimits',
       'fault 403 rateLimitExceeded', r)
    control('fault', {'path_prefix': path, 'status': 403, 'reason': 'userRateLimitExceeded'})
    eq(request('GET', path, token=tok).reason(), 'userRateLimitExceeded',
       'fault 403 userRateLimitExceeded')
    control('fault', {'method': 'GET', 'path_prefix': path, 'status': 503, 'times': 2})
    control('fault', {'method': 'GET', 'path_prefix': path, 'status': 500, 'skip': 1})
    got = [request('GET', path, token=tok).status for _ in range(5)]
    eq(got, [503, 503, 200, 500, 200],
       'faults in order: 503 times=2, then 500 with skip=1')
    control('fault', {'method': 'POST', 'path_prefix': '/upload/', 'status': 500})
    r = multipart(tok, {'name': 'f.ogg'}, b'abc', 'id')
    ok(r.status == 500 and r.reason() == 'backendError', 'fault 500 on an upload', r)
    eq(request('GET', path, token=tok).status, 200, 'a fault on another path does not apply')
    control('fault', {'method': 'GET', 'path_prefix': path, 'query_contains': 'orderBy',
                      'body': '{"files": "x"}', 'headers': {'X-Port': '{port}'}})
    eq(request('GET', path, token=tok).status, 200, 'query_contains: another query is not faulted')
    r = request('GET', path + '?orderBy=name', token=tok)
    ok(r.status == 200 and r.body == b'{"files": "x"}' and r.headers.get('X-Port', '').isdigit(),
       'fault body: that text as a 200, {port} replaced in headers', r)
    control('fault', {'method': 'GET', 'path_prefix': path, 'status': 308, 'body': ''})
    eq(request('GET', path, token=tok).status, 308, 'fault body with a status')
    control('fault', {'method': 'GET', 'path_prefix': path, 'inject_files': [5, {'id': 'x'}]})
    files = request('GET', path, token=tok).json()['files']
    ok(files[:2] == [5, {'id': 'x'}], 'fault inject_files: put before the real files', files)
    control('fault', {'method': 'GET', 'path_prefix': path,
                      'merge': {'nextPageToken': 'again'}})
    eq(request('GET', path, token=tok).json().get('nextPageToken'), 'again',
       'fault merge: keys laid over the real answer')
    control('fault', {'method': 'GET', 'path_prefix': path, 'stream_bytes': 10, 'rate': 20})
    t0 = time.time()
    r = request('GET', path, token=tok)
    ok(r.status == 200 and r.body == b'x' * 10 and time.time() - t0 >= 0.4,
       'fault stream_bytes with rate: 10 bytes at 20 bytes/s', r)
    time.sleep(0.2)                     # the fake records a streamed answer once it is out
    st = state()
    eq([q.get('sent') for q in st['requests'] if q['path'] == path][-1], 10,
       'a streamed answer records the bytes sent')
    ok(any(q.get('auth') for q in st['requests'] if q['path'] == path),
       'requests record that an Authorization header came')


def test_download(tok, res, data):
    url = '/drive/v3/files/%s?alt=media' % res['id']
    r = request('GET', url, token=tok)
    ok(r.status == 200 and r.body == data, 'alt=media download without Range -> 200 bytes')
    r = request('GET', url, headers={'Range': 'bytes=10-19'}, token=tok)
    ok(r.status == 206 and r.body == data[10:20] and r.headers.get('Content-Range') ==
       'bytes 10-19/%d' % len(data), 'alt=media with Range bytes=10-19 -> 206', r)
    r = request('GET', url, headers={'Range': 'bytes=-5'}, token=tok)
    ok(r.status == 206 and r.body == data[-5:], 'alt=media with suffix Range -> 206')
    r = request('GET', url, headers={'Range': 'bytes=%d-' % len(data)}, token=tok)
    eq(r.status, 416, 'alt=media with Range past the end -> 416')
    eq(request('GET', url).status, 401, 'alt=media needs a token')


def test_patch_delete(tok, folder, res):
    fid = res['id']
    r = request('PATCH', '/drive/v3/files/%s?fields=id,trashed,name,appProperties' % fid,
                {'trashed': True, 'name': 'renamed.ogg',
                 'appProperties': {'vrp_id': None, 'state': 'old'}}, token=tok)
    ok(r.status == 200 and r.json() == {'id': fid, 'trashed': True, 'name': 'renamed.ogg',
                                        'appProperties': {'state': 'old'}},
       'PATCH trashed=true, rename, appProperties (null deletes a key)', r)
    r = list_files(tok, "'%s' in parents and trashed = false" % folder['id'],
                   fields='files(id)')
    ok(fid not in [f['id'] for f in r.json()['files']], 'trashed file leaves trashed = false')
    r = list_files(tok, "trashed = true", fields='files(id)')
    ok(fid in [f['id'] for f in r.json()['files']], 'trashed file matches trashed = true')
    r = request('PATCH', '/drive/v3/files/' + fid, {'parents': ['root']}, token=tok)
    eq(r.status, 403, 'PATCH parents in the body -> 403 (use addParents/removeParents)')
    r = request('PATCH', '/drive/v3/files/%s?%s' % (fid, q({
        'addParents': 'root', 'removeParents': folder['id'], 'fields': 'parents'})),
        {}, token=tok)
    eq(r.json(), {'id': fid, 'parents': ['root']}, 'PATCH addParents/removeParents moves')
    r = request('DELETE', '/drive/v3/files/' + fid, token=tok)
    ok(r.status == 204 and r.body == b'', 'DELETE -> 204 with no body')
    r = request('GET', '/drive/v3/files/' + fid, token=tok)
    ok(r.status == 404 and r.reason() == 'notFound' and
       r.json()['error']['message'] == 'File not found: %s.' % fid, 'GET deleted -> 404', r)
    eq(request('DELETE', '/drive/v3/files/' + fid, token=tok).status, 404,
       'DELETE again -> 404')


def test_about(tok):
    r = request('GET', '/drive/v3/about?fields=storageQuota,user', token=tok)
    sq = (r.json() or {}).get('storageQuota', {})
    files = state()['files']
    usage = sum(int(f.get('size', 0)) for f in files)
    ok(r.status == 200 and sq.get('limit') == '16106127360' and sq.get('usage') == str(usage)
       and sq.get('usageInDrive') == str(usage) and 'usageInDriveTrash' in sq
       and 'user' in r.json(), 'about: storageQuota strings, usage = sum of sizes', r)
    eq(request('GET', '/drive/v3/about', token=tok).status, 400,
       'about: fields is required (as Google)')


def test_omit_sha256(tok):
    control('config', {'omit_sha256': True})
    r = multipart(tok, {'name': 'nosha.ogg'}, b'hello', ALL)
    res = r.json() or {}
    ok(r.status == 200 and res.get('md5Checksum') == hashlib.md5(b'hello').hexdigest()
       and 'sha256Checksum' not in res and 'sha1Checksum' not in res,
       'omit_sha256: only md5Checksum is given', r)
    control('config', {'omit_sha256': False})


def test_keepalive(tok):
    """Several answers, including 204 and 308, on one persistent connection."""
    port = int(BASE.rsplit(':', 1)[1])
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    auth = {'Authorization': 'Bearer ' + tok}
    statuses = []
    conn.request('POST', '/drive/v3/files?fields=id', json.dumps({'name': 'k'}),
                 dict(auth, **{'Content-Type': 'application/json'}))
    r = conn.getresponse()
    fid = json.loads(r.read())['id']
    statuses.append(r.status)
    conn.request('POST', '/upload/drive/v3/files?uploadType=resumable', '{}', auth)
    r = conn.getresponse()
    r.read()
    statuses.append(r.status)
    loc = urllib.parse.urlsplit(r.headers['Location'])
    conn.request('PUT', loc.path + '?' + loc.query, b'', {'Content-Range': 'bytes */10'})
    r = conn.getresponse()
    r.read()
    statuses.append(r.status)
    conn.request('DELETE', '/drive/v3/files/' + fid, headers=auth)
    r = conn.getresponse()
    r.read()
    statuses.append(r.status)
    conn.request('GET', '/drive/v3/files/nope', headers=auth)
    r = conn.getresponse()
    r.read()
    statuses.append(r.status)
    conn.close()
    eq(statuses, [200, 200, 308, 204, 404], 'keep-alive: 200, 200, 308, 204, 404 on one '
       'connection')


def test_concurrency(tok):
    import threading
    results = {}

    def one(i):
        data = os.urandom(150000 + i)
        r = multipart(tok, {'name': 'par%d.ogg' % i}, data, 'id,md5Checksum')
        results[i] = (r.status, (r.json() or {}).get('md5Checksum') ==
                      hashlib.md5(data).hexdigest(), (r.json() or {}).get('id'))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    ok(len(results) == 8 and all(st == 200 and good for st, good, _ in results.values())
       and len({fid for _, _, fid in results.values()}) == 8,
       '8 concurrent multipart uploads all stored intact', results)


def test_reset():
    control('config', {'quota_limit': 5})
    control('reset')
    st = state()
    ok(st['files'] == [] and st['sessions'] == 0 and st['config']['quota_limit'] ==
       16106127360, '/__control/reset empties the drive and restores the config')


def test_state(log_path):
    st = state()
    ok(isinstance(st.get('files'), list) and isinstance(st.get('sessions'), int)
       and isinstance(st.get('requests'), list) and len(st['requests']) <= 500,
       '/__control/state: files, sessions, requests')
    full = [f for f in st['files'] if f['mimeType'] != FOLDER]
    ok(full and all('trashed' in f and 'appProperties' in f and 'sha256Checksum' in f
                    for f in full), '/__control/state: files carry all fields')
    tr = st.get('token_requests', {})
    ok(tr.get('authorization_code', 0) >= 3 and tr.get('refresh_token', 0) >= 3 and
       tr.get('urn:ietf:params:oauth:grant-type:device_code', 0) >= 5,
       '/__control/state: token_requests by grant_type', tr)
    req = st['requests'][-1] if st['requests'] else {}
    eq(sorted(k for k in req if k in ('method', 'path', 'status')),
       ['method', 'path', 'status'], '/__control/state: request entries have method, path, '
       'status')
    with open(log_path, encoding='utf-8') as f:
        log = f.read()
    dumped = json.dumps(st['requests'])
    leaked = [s for s in issued_secrets if s and s != '-' and (s in log or s in dumped)]
    ok(log.count('\n') > 50 and not leaked, 'request log has no tokens, codes or device codes',
       *leaked[:3])
    eq(request('GET', '/__control/content/nope').status, 404,
       '/__control/content of an unknown id -> 404')


# ---------------------------------------------------------------- main
def main():
    global BASE
    tmp = tempfile.mkdtemp(prefix='fake-drive-test-')
    port_file = os.path.join(tmp, 'port')
    log_path = os.path.join(tmp, 'requests.log')
    proc = subprocess.Popen([sys.executable, FAKE, '--port-file', port_file, '--log',
                             log_path])
    try:
        deadline = time.time() + 10
        while not os.path.exists(port_file) and time.time() < deadline \
                and proc.poll() is None:
            time.sleep(0.02)
        if not os.path.exists(port_file):
            ok(False, 'fake_drive.py starts and writes its port file')
            return
        with open(port_file) as f:
            BASE = 'http://127.0.0.1:%d' % int(f.read())
        ok(True, 'fake_drive.py starts and writes its port file')

        steps = [('loopback', test_loopback), ('device', test_device),
                 ('tokens', test_tokens)]
        for name, fn in steps:
            run(name, fn)
        tok, _ = login()
        folders = run('folders', test_folders, tok) or ({'id': 'root'}, {'id': 'root'})
        run('paging', test_paging, tok, folders[1])
        mp = run('multipart', test_multipart, tok, folders[0])
        rs = run('resumable', test_resumable, tok, folders[0])
        run('large', test_large, tok)
        run('quota', test_quota, tok)
        run('faults', test_faults, tok)
        if rs:
            run('download', test_download, tok, *rs)
        if mp:
            run('patch/delete', test_patch_delete, tok, folders[0], mp[0])
        run('about', test_about, tok)
        run('omit_sha256', test_omit_sha256, tok)
        run('keep-alive', test_keepalive, tok)
        run('concurrency', test_concurrency, tok)
        run('state', test_state, log_path)
        run('reset', test_reset)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                rc = proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = proc.wait()
            eq(rc, 0, 'SIGTERM stops the server with exit status 0')
        else:
            ok(False, 'server still running at the end', 'exit status %s' % proc.returncode)
        shutil.rmtree(tmp, ignore_errors=True)
        print('1..%d' % n_points)


def run(name, fn, *args):
    try:
        return fn(*args)
    except Exception:
        ok(False, '%s: raised an exception' % name, traceback.format_exc())
        return None


if __name__ == '__main__':
    main()
    sys.exit(1 if n_failed else 0)
