#!/usr/bin/env python3
"""Self-test of the fake Microsoft Graph + identity platform, speaking TAP.

Starts tests/fakes/fake_graph.py on 127.0.0.1 (port from --port-file), drives
it with http.client, and stops it by PID at the end. Each check is one point.
"""
import base64
import hashlib
import http.client
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fake_graph import FRAGMENT_UNIT, quickxorhash  # noqa: E402

CLIENT = 'vrp-test-onedrive'
points = failed = 0
PORT = None


def ok(cond, desc, *diag):
    global points, failed
    points += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', points, desc))
    if not cond:
        failed += 1
        for d in diag:
            print('#   %s' % (d,))
    sys.stdout.flush()


def eq(got, want, desc):
    ok(got == want, desc, 'got:  %r' % (got,), 'want: %r' % (want,))


def call(method, path, body=None, headers=None, form=None, token=None):
    headers = dict(headers or {})
    if form is not None:
        body = urllib.parse.urlencode(form).encode()
        headers['Content-Type'] = 'application/x-www-form-urlencoded'
    elif isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        headers['Content-Type'] = 'application/json'
    if token:
        headers['Authorization'] = 'Bearer ' + token
    conn = http.client.HTTPConnection('127.0.0.1', PORT, timeout=10)
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    try:
        obj = json.loads(data) if data else None
    except ValueError:
        obj = data
    return r.status, obj, dict(r.getheaders())


def control(name, args=None):
    return call('POST', '/__control/' + name, args or {})


VECTORS = [('', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='), ('Sg==', 'SgAAAAAAAAAAAAAAAQAAAAAAAAA='),
           ('n6Neh7p6fFgm', 'nxiFFw6hCz3wAQsmCQAAAAAAAAA='),
           ('2fuxhBJXtpWFe8dOfdGeHw==', 'O9tHLAghgSvYohKFyMMxnNCHaHg='),
           ('LlUe7wHerLqEtbSZLZgZa9u0m7hbiFs=', 'TqVZpxs3cN61BnuFvwUtMtECTGQ=')]


def test_quickxor():
    for data, want in VECTORS:
        eq(quickxorhash(base64.b64decode(data)), want, 'quickXorHash of %r' % data)


def device_sign_in(scope='Files.ReadWrite.AppFolder offline_access'):
    st, dev, _ = call('POST', '/consumers/oauth2/v2.0/devicecode',
                      form={'client_id': CLIENT, 'scope': scope})
    form = {'client_id': CLIENT, 'grant_type': 'urn:ietf:params:oauth:grant-type:device_code',
            'device_code': dev['device_code']}
    st, first, _ = call('POST', '/consumers/oauth2/v2.0/token', form=form)
    eq((st, first.get('error')), (400, 'authorization_pending'),
       'the device flow answers 400 authorization_pending until approved')
    control('approve', {'user_code': dev['user_code']})
    st, tokens, _ = call('POST', '/consumers/oauth2/v2.0/token', form=form)
    eq(st, 200, 'and tokens once approved')
    return tokens


def test_identity():
    st, body, _ = call('POST', '/consumers/oauth2/v2.0/token',
                       form={'client_id': CLIENT, 'client_secret': 'x',
                             'grant_type': 'refresh_token', 'refresh_token': 'x'})
    eq((st, body['error']), (401, 'invalid_client'), 'a public client may not send a secret')
    verifier = secrets.token_urlsafe(40)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()) \
        .decode().rstrip('=')
    q = urllib.parse.urlencode({'client_id': CLIENT, 'redirect_uri': 'http://127.0.0.1:9/',
                                'response_type': 'code', 'scope': 'Files.ReadWrite offline_access',
                                'state': 's', 'code_challenge': challenge,
                                'code_challenge_method': 'S256'})
    st, _, headers = call('GET', '/common/oauth2/v2.0/authorize?' + q)
    loc = urllib.parse.urlsplit(headers.get('Location', ''))
    code = dict(urllib.parse.parse_qsl(loc.query)).get('code')
    ok(st == 302 and code, 'authorize redirects to the loopback with a code')
    form = {'client_id': CLIENT, 'grant_type': 'authorization_code', 'code': code,
            'redirect_uri': 'http://127.0.0.1:9/', 'code_verifier': 'x' * 43}
    st, body, _ = call('POST', '/common/oauth2/v2.0/token', form=form)
    eq((st, body['error']), (400, 'invalid_grant'), 'a wrong PKCE verifier is refused')
    tokens = device_sign_in()
    form = {'client_id': CLIENT, 'grant_type': 'refresh_token',
            'refresh_token': tokens['refresh_token']}
    st, fresh, _ = call('POST', '/consumers/oauth2/v2.0/token', form=form)
    ok(st == 200 and fresh['refresh_token'] != tokens['refresh_token'],
       'a refresh rotates the refresh token')
    st, body, _ = call('POST', '/consumers/oauth2/v2.0/token', form=form)
    eq((st, body['error']), (400, 'invalid_grant'), 'the spent refresh token is refused')
    return fresh['access_token']


def test_graph(token):
    st, body, _ = call('GET', '/v1.0/me/drive/special/approot/children')
    eq(st, 401, 'Graph wants a bearer token')
    st, body, _ = call('GET', '/v1.0/me/drive/root/children', token=token)
    eq((st, body['error']['code']), (403, 'accessDenied'),
       'an AppFolder token sees nothing outside the app folder')
    data = os.urandom(1000)
    st, item, _ = call('PUT', '/v1.0/me/drive/special/approot:/2026/11/a.wav:/content',
                       body=data, token=token)
    ok(st == 201 and item['file']['hashes']['quickXorHash'] == quickxorhash(data),
       'a small PUT creates the file (and its folders) with its quickXorHash')
    st, again, _ = call('PUT', '/v1.0/me/drive/special/approot:/2026/11/a.wav:/content',
                        body=data, token=token)
    ok(st == 200 and again['id'] == item['id'], 'a second PUT replaces it in place')
    st, body, _ = call('PUT', '/v1.0/me/drive/special/approot:/a%3Fb.wav:/content',
                       body=b'x', token=token)
    eq(st, 400, 'a name with ? is refused')
    st, body, _ = call('PUT', '/v1.0/me/drive/special/approot:/big.wav:/content',
                       body=b'x' * (4 * 1024 * 1024 + 1), token=token)
    eq(st, 413, 'over 4 MiB needs an upload session')

    size = 2 * FRAGMENT_UNIT + 5
    data = os.urandom(size)
    st, sess, _ = call('POST', '/v1.0/me/drive/special/approot:/2026/11/a.wav:/createUploadSession',
                       body={'item': {}}, token=token)
    eq((st, sess['error']['code']), (409, 'nameAlreadyExists'),
       'createUploadSession fails on an existing name by default')
    st, sess, _ = call('POST', '/v1.0/me/drive/special/approot:/2026/11/b.wav:/createUploadSession',
                       body={'item': {'@microsoft.graph.conflictBehavior': 'replace',
                                      'description': 'vrp'}}, token=token)
    up = urllib.parse.urlsplit(sess['uploadUrl']).path
    ok(st == 200 and sess['nextExpectedRanges'] == ['0-'], 'a session starts at 0-')

    def frag(start, end, auth=None):
        return call('PUT', up, body=data[start:end + 1], token=auth, headers={
            'Content-Range': 'bytes %d-%d/%d' % (start, end, size)})
    st, body, _ = frag(0, FRAGMENT_UNIT - 1, auth=token)
    eq(st, 401, 'the upload URL refuses an Authorization header')
    st, body, _ = frag(0, 1000)
    eq(st, 400, 'a fragment that is not a multiple of 320 KiB is refused')
    st, body, _ = frag(0, FRAGMENT_UNIT - 1)
    ok(st == 202 and body['nextExpectedRanges'] == ['%d-' % FRAGMENT_UNIT],
       '202 with the next expected range')
    st, body, _ = frag(0, FRAGMENT_UNIT - 1)
    eq(st, 416, 'a misplaced fragment is 416')
    st, body, _ = call('GET', up)
    eq(body['nextExpectedRanges'], ['%d-' % FRAGMENT_UNIT], 'GET on the session says where it is')
    st, item, _ = frag(FRAGMENT_UNIT, size - 1)
    ok(st == 201 and item['size'] == size and
       item['file']['hashes']['quickXorHash'] == quickxorhash(data),
       'the last fragment answers the driveItem')
    st, body, _ = call('GET', up)
    eq(st, 404, 'a finished session is gone')

    st, _, headers = call('GET', '/v1.0/me/drive/items/%s/content' % item['id'], token=token)
    loc = urllib.parse.urlsplit(headers.get('Location', '')).path
    eq(st, 302, 'content is a 302')
    st, got, _ = call('GET', loc, headers={'Range': 'bytes=10-'})
    ok(st == 206 and got == data[10:], 'to a pre-authenticated URL that honours Range')

    control('config', {'page_size': 1})
    st, page, _ = call('GET', '/v1.0/me/drive/special/approot:/2026/11:/children', token=token)
    ok(len(page['value']) == 1 and '@odata.nextLink' in page, 'children are paged by nextLink')
    control('config', {'page_size': 200})

    control('fault', {'method': 'GET', 'path_prefix': '/v1.0/me/drive', 'status': 429,
                      'retry_after': 3, 'code': 'activityLimitReached'})
    st, body, headers = call('GET', '/v1.0/me/drive', token=token)
    ok(st == 429 and headers.get('Retry-After') == '3' and
       body['error']['code'] == 'activityLimitReached', 'an injected 429 with Retry-After')
    control('config', {'quota_total': 10})
    st, body, _ = call('PUT', '/v1.0/me/drive/special/approot:/c.wav:/content', body=b'x' * 100,
                       token=token)
    eq((st, body['error']['code']), (507, 'quotaLimitReached'), 'a full drive is 507')
    control('config', {'quota_total': 1 << 40})
    control('fault', {'method': 'PUT', 'bad_hash': True})
    st, body, _ = call('PUT', '/v1.0/me/drive/special/approot:/h.wav:/content', body=b'abcd',
                       token=token)
    ok(st in (200, 201) and body['file']['hashes']['quickXorHash'] ==
       base64.b64encode(b'\0' * 20).decode(), 'bad_hash answers a wrong quickXorHash')
    control('corrupt', {'name': 'h.wav', 'offset': 1})
    _, state, _ = call('GET', '/__control/state')
    ok([f['sha256'] for f in state['files'] if f['name'] == 'h.wav'] ==
       [hashlib.sha256(b'a\x9dcd').hexdigest()], '/__control/corrupt flips a stored byte')
    st, _, _ = call('DELETE', '/v1.0/me/drive/items/%s' % item['id'], token=token)
    st2, state, _ = call('GET', '/__control/state')
    ok(st == 204 and [f['deleted'] for f in state['files'] if f['id'] == item['id']] == [True],
       'DELETE goes to the recycle bin')


def test_delta(token):
    def get(url):
        return call('GET', urllib.parse.urlsplit(url)._replace(scheme='', netloc='').geturl(),
                    token=token)
    control('config', {'page_size': 2})
    st, page, _ = call('GET', '/v1.0/me/drive/special/approot/delta', token=token)
    items, pages = list(page['value']), 1
    while '@odata.nextLink' in page:
        st, page, _ = get(page['@odata.nextLink'])
        items += page['value']
        pages += 1
    control('config', {'page_size': 200})
    ok(st == 200 and pages > 1 and '@odata.deltaLink' in page,
       'delta pages by nextLink and ends in a deltaLink')
    names = [i['name'] for i in items]
    ok(names[0] == 'Voice Recorder Pro' and 'a.wav' in names and
       names.index('2026') < names.index('11') < names.index('a.wav'),
       'the folder itself first, then every item under it, parents first')
    ok(all('path' not in i['parentReference'] and i['parentReference'].get('id')
           for i in items[1:]), 'delta items carry the parent id but no path')
    link = page['@odata.deltaLink']
    st, page, _ = get(link)
    ok(st == 200 and page['value'] == [] and '@odata.deltaLink' in page,
       'the deltaLink with no change since gives nothing')
    call('PUT', '/v1.0/me/drive/special/approot:/2026/11/new.wav:/content', body=b'y' * 10,
         token=token)
    st, page, _ = get(page['@odata.deltaLink'])
    ok(st == 200 and [i['name'] for i in page['value']] == ['new.wav'],
       'then only what changed')
    st, body, _ = get(link.replace('token=', 'token=x'))
    eq((st, body['error']['code']), (410, 'resyncRequired'), 'an unknown token is 410 Gone')
    control('delta_reset')
    st, body, _ = get(page['@odata.deltaLink'])
    eq(st, 410, 'every token is 410 after delta_reset')


def main():
    global PORT
    tmp = tempfile.mkdtemp()
    fake = subprocess.Popen([sys.executable, os.path.join(HERE, 'fake_graph.py'),
                             '--port-file', os.path.join(tmp, 'port'), '--client-id', CLIENT])
    try:
        for _ in range(200):
            if os.path.exists(os.path.join(tmp, 'port')):
                break
            time.sleep(0.05)
        PORT = int(open(os.path.join(tmp, 'port')).read())
        control('config', {'auto_approve_polls': -1})
        test_quickxor()
        token = test_identity()
        test_graph(token)
        test_delta(token)
    finally:
        fake.terminate()
        fake.wait(10)
        shutil.rmtree(tmp)
    print('1..%d' % points)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
