"""OAuth 2.0 the way Google's endpoints do it: loopback + PKCE, device flow, refresh.

Methods assume the caller holds the state lock.
"""
import base64
import hashlib
import html
import re
import secrets
import time
import urllib.parse

from .common import DRIVE_FILE_SCOPE, OAuthError, Response, json_response

DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
AUTH_CODE_LIFETIME = 600
_VERIFIER_RE = re.compile(r'^[A-Za-z0-9\-._~]{43,128}$')
_LOOPBACK_RE = re.compile(r'^http://(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?(/[^#]*)?$')


def _html(status, title, text):
    page = ('<!DOCTYPE html><html><head><title>%s</title></head><body><h1>%s</h1>'
            '<p>%s</p></body></html>' % (html.escape(title), html.escape(title),
                                         html.escape(text)))
    return Response(status, page, content_type='text/html; charset=UTF-8')


def _with_query(uri, params):
    sep = '&' if '?' in uri else '?'
    return uri + sep + urllib.parse.urlencode(params)


class OAuth:
    def __init__(self, config, client_id, client_secret):
        self.config = config
        self.client_id = client_id
        self.client_secret = client_secret
        self.codes = {}          # auth code -> dict
        self.devices = {}        # device_code -> dict
        self.access = {}         # access token -> {expires, refresh}
        self.refresh = {}        # refresh token -> {scope, revoked}
        self.token_requests = {}

    # ---- authorization endpoint (the browser side) ----
    def authorize(self, q):
        client_id = q.get('client_id', '')
        redirect_uri = q.get('redirect_uri', '')
        if client_id != self.client_id:
            return _html(401, 'Error 401: invalid_client', 'The OAuth client was not found.')
        if not _LOOPBACK_RE.match(redirect_uri):
            return _html(400, 'Error 400: invalid_request',
                         'redirect_uri must be a loopback address (http://127.0.0.1:PORT/...).')
        if q.get('response_type') != 'code':
            return _html(400, 'Error 400: unsupported_response_type',
                         'response_type must be "code".')
        if not q.get('scope'):
            return _html(400, 'Error 400: invalid_request', 'Missing required parameter: scope')
        challenge = q.get('code_challenge', '')
        if q.get('code_challenge_method') != 'S256' or not challenge:
            return _html(400, 'Error 400: invalid_request',
                         'code_challenge and code_challenge_method=S256 are required.')
        back = {}
        if self.config['deny_auth']:
            back['error'] = 'access_denied'
        else:
            code = '4/fake-' + secrets.token_urlsafe(32)
            self.codes[code] = {'client_id': client_id, 'redirect_uri': redirect_uri,
                                'challenge': challenge, 'scope': q['scope'],
                                'expires': time.time() + AUTH_CODE_LIFETIME, 'used': False}
            back['code'] = code
            back['scope'] = q['scope']
        if 'state' in q:
            back['state'] = q['state']
        return Response(302, '', headers={'Location': _with_query(redirect_uri, back)})

    # ---- device flow ----
    def device_code(self, form):
        if form.get('client_id') != self.client_id:
            raise OAuthError(401, 'invalid_client', 'The OAuth client was not found.')
        letters = 'BCDFGHJKLMNPQRSTVWXZ'
        user_code = ''.join(secrets.choice(letters) for _ in range(8))
        user_code = user_code[:4] + '-' + user_code[4:]
        device_code = 'AH-fake-' + secrets.token_urlsafe(32)
        lifetime = int(self.config['device_code_lifetime'])
        self.devices[device_code] = {
            'user_code': user_code, 'scope': form.get('scope') or DRIVE_FILE_SCOPE,
            'expires': time.time() + lifetime, 'status': 'pending', 'polls': 0,
            'last_poll': None, 'interval': int(self.config['device_interval'])}
        return {'device_code': device_code, 'user_code': user_code,
                'expires_in': lifetime, 'interval': int(self.config['device_interval'])}

    def set_device(self, user_code, status):
        for dev in self.devices.values():
            if dev['user_code'] == user_code and dev['status'] == 'pending':
                dev['status'] = status
                return True
        return False

    def _poll_device(self, form):
        dev = self.devices.get(form.get('device_code', ''))
        if dev is None:
            raise OAuthError(400, 'invalid_grant', 'Malformed device code.')
        now = time.time()
        if now > dev['expires'] or dev['status'] == 'used':
            raise OAuthError(400, 'expired_token', 'The device code has expired.')
        last, dev['last_poll'] = dev['last_poll'], now
        # 50 ms of slack so a client sleeping exactly `interval` is never slowed down.
        if last is not None and now - last < dev['interval'] - 0.05:
            raise OAuthError(403, 'slow_down', 'Polling too frequently.')
        if dev['status'] == 'denied':
            raise OAuthError(403, 'access_denied', 'The user denied the request.')
        if dev['status'] == 'pending':
            auto = self.config['auto_approve_polls']
            dev['polls'] += 1
            if auto is None or auto < 0 or dev['polls'] <= auto:
                raise OAuthError(428, 'authorization_pending',
                                 'The user has not yet approved the request.')
        dev['status'] = 'used'
        return self._issue(dev['scope'], with_refresh=True)

    # ---- token endpoint ----
    def _client(self, form, basic):
        cid, secret = form.get('client_id'), form.get('client_secret')
        if basic:
            cid, secret = basic
        if cid != self.client_id or secret != self.client_secret:
            raise OAuthError(401, 'invalid_client', 'The OAuth client was not found.')

    def token(self, form, basic):
        grant = form.get('grant_type', '')
        self.token_requests[grant] = self.token_requests.get(grant, 0) + 1
        self._client(form, basic)
        if grant == 'authorization_code':
            return self._exchange_code(form)
        if grant == DEVICE_GRANT:
            return self._poll_device(form)
        if grant == 'refresh_token':
            rt = self.refresh.get(form.get('refresh_token', ''))
            if rt is None or rt['revoked']:
                raise OAuthError(400, 'invalid_grant', 'Token has been expired or revoked.')
            return self._issue(rt['scope'], with_refresh=False,
                               refresh_token=form['refresh_token'])
        raise OAuthError(400, 'unsupported_grant_type', 'Invalid grant_type: %s' % grant[:40])

    def _exchange_code(self, form):
        code = self.codes.get(form.get('code', ''))
        if code is None or time.time() > code['expires']:
            raise OAuthError(400, 'invalid_grant', 'Malformed auth code.')
        if code['used']:
            raise OAuthError(400, 'invalid_grant', 'Bad Request: the code was already used.')
        if form.get('redirect_uri') != code['redirect_uri']:
            raise OAuthError(400, 'redirect_uri_mismatch', 'Bad Request')
        verifier = form.get('code_verifier', '')
        if not verifier:
            raise OAuthError(400, 'invalid_grant', 'Missing code verifier.')
        digest = hashlib.sha256(verifier.encode('ascii', 'replace')).digest()
        computed = base64.urlsafe_b64encode(digest).decode('ascii').rstrip('=')
        if not _VERIFIER_RE.match(verifier) or computed != code['challenge']:
            raise OAuthError(400, 'invalid_grant', 'Invalid code verifier.')
        code['used'] = True
        return self._issue(code['scope'], with_refresh=True)

    def _issue(self, scope, with_refresh, refresh_token=None):
        lifetime = int(self.config['token_lifetime'])
        if with_refresh:
            refresh_token = '1//fake-' + secrets.token_urlsafe(32)
            self.refresh[refresh_token] = {'scope': scope, 'revoked': False}
        access = 'ya29.fake-' + secrets.token_urlsafe(32)
        self.access[access] = {'expires': time.time() + lifetime, 'refresh': refresh_token}
        body = {'access_token': access, 'expires_in': lifetime, 'scope': scope,
                'token_type': 'Bearer'}
        if with_refresh:
            body['refresh_token'] = refresh_token
        return body

    # ---- revocation and checks ----
    def revoke(self, token):
        if token in self.refresh and not self.refresh[token]['revoked']:
            self.refresh[token]['revoked'] = True
            for info in self.access.values():
                if info['refresh'] == token:
                    info['expires'] = 0
            return True
        info = self.access.get(token)
        if info is not None and info['expires'] > time.time():
            info['expires'] = 0
            if info['refresh'] in self.refresh:       # Google revokes the grant
                self.revoke(info['refresh'])
            return True
        return False

    def valid(self, token):
        info = self.access.get(token)
        return info is not None and info['expires'] > time.time()

    def expire_access_tokens(self):
        for info in self.access.values():
            info['expires'] = 0

    def revoke_refresh_tokens(self):
        for rt in self.refresh.values():
            rt['revoked'] = True


def token_response(body):
    return json_response(200, body, {'Cache-Control': 'no-store', 'Pragma': 'no-cache'})


def device_page():
    return _html(200, 'Connect a device',
                 'Enter the code shown on your device. (Fake server: approve it with '
                 'POST /__control/approve {"user_code": "..."}, or POST user_code=... here.)')

