"""The Drive file store: resources, the files.list query language, `fields`.

Methods assume the caller holds the state lock.
"""
import base64
import hashlib
import json
import re
import time

from .common import FOLDER_MIME, ApiError, bad_request, new_id, not_found, rfc3339

ROOT = 'root'
ALL_FIELDS = ('kind', 'id', 'name', 'mimeType', 'parents', 'size', 'md5Checksum',
              'sha1Checksum', 'sha256Checksum', 'createdTime', 'modifiedTime', 'trashed',
              'explicitlyTrashed', 'appProperties', 'description')
DEFAULT_FIELDS = ('kind', 'id', 'name', 'mimeType')


# ---------------------------------------------------------------- `fields`
def parse_fields(text):
    """'files(id,name),nextPageToken' -> {'files': {'id': None, 'name': None},
    'nextPageToken': None}; None (no selection) means "everything below"."""
    pos = 0

    def parse_list(end):
        nonlocal pos
        out = {}
        while pos < len(text):
            m = re.compile(r'\s*([A-Za-z_*][A-Za-z0-9_/*]*)\s*').match(text, pos)
            if not m:
                raise bad_request('Invalid field selection %s' % text, 'invalidParameter')
            pos = m.end()
            path = m.group(1).split('/')
            sub = None
            if pos < len(text) and text[pos] == '(':
                pos += 1
                sub = parse_list(')')
            node = out
            for part in path[:-1]:
                node = node.setdefault(part, {}) or {}
            node[path[-1]] = sub
            if pos < len(text) and text[pos] == ',':
                pos += 1
                continue
            if pos < len(text) and text[pos] == end:
                pos += 1
                return out
            if pos < len(text):
                raise bad_request('Invalid field selection %s' % text, 'invalidParameter')
        if end:
            raise bad_request('Invalid field selection %s' % text, 'invalidParameter')
        return out

    return parse_list(None)


def project(resource, selection):
    """Keep the selected fields of a full resource (id always)."""
    if selection is None or '*' in selection:
        return dict(resource)
    out = {k: resource[k] for k in selection if k in resource}
    out['id'] = resource['id']
    return out


# ---------------------------------------------------------------- `q`
_TOKEN_RE = re.compile(r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<op>!=|=|\{|\})|"
                       r"(?P<word>[A-Za-z_][A-Za-z0-9_]*))")


def _tokens(q):
    pos, out = 0, []
    while pos < len(q):
        if q[pos:].strip() == '':
            break
        m = _TOKEN_RE.match(q, pos)
        if not m:
            raise _invalid_q()
        pos = m.end()
        if m.group('str') is not None:
            out.append(('str', re.sub(r'\\(.)', r'\1', m.group('str')[1:-1])))
        elif m.group('op'):
            out.append(('op', m.group('op')))
        else:
            out.append(('word', m.group('word')))
    return out


def _invalid_q():
    return bad_request('Invalid Value', 'invalid', location='q', locationType='parameter')


def parse_query(q):
    """The supported q subset -> a list of predicates on a full resource (all must hold)."""
    toks = _tokens(q or '')
    preds, i = [], 0

    def take(kind=None, value=None):
        nonlocal i
        if i >= len(toks):
            raise _invalid_q()
        t = toks[i]
        if (kind and t[0] != kind) or (value and t[1] != value):
            raise _invalid_q()
        i += 1
        return t[1]

    while i < len(toks):
        kind, val = toks[i]
        if kind == 'str':                                   # 'ID' in parents
            i += 1
            take('word', 'in')
            take('word', 'parents')
            preds.append(lambda f, v=val: v in f.get('parents', []))
        elif val in ('name', 'mimeType'):
            i += 1
            op = take()
            if op not in ('=', '!=', 'contains'):
                raise _invalid_q()
            if op == 'contains' and val != 'name':
                raise _invalid_q()
            lit = take('str')
            if op == '=':
                preds.append(lambda f, k=val, v=lit: f[k] == v)
            elif op == '!=':
                preds.append(lambda f, k=val, v=lit: f[k] != v)
            else:
                preds.append(lambda f, v=lit: v in f['name'])
        elif val == 'trashed':
            i += 1
            op = take('op')
            lit = take('word')
            if op not in ('=', '!=') or lit not in ('true', 'false'):
                raise _invalid_q()
            want = (lit == 'true') == (op == '=')
            preds.append(lambda f, w=want: f['trashed'] == w)
        elif val == 'appProperties':
            i += 1
            take('word', 'has')
            take('op', '{')
            take('word', 'key')
            take('op', '=')
            key = take('str')
            take('word', 'and')
            take('word', 'value')
            take('op', '=')
            value = take('str')
            take('op', '}')
            preds.append(lambda f, k=key, v=value: f.get('appProperties', {}).get(k) == v)
        else:
            raise _invalid_q()
        if i < len(toks):
            take('word', 'and')
            if i >= len(toks):
                raise _invalid_q()
    return preds


# ---------------------------------------------------------------- store
class FileStore:
    def __init__(self, config):
        self.config = config
        self.files = {}          # id -> metadata dict (without content)
        self.content = {}        # id -> bytes

    def reset(self):
        self.files.clear()
        self.content.clear()

    # -- helpers
    def _get(self, file_id):
        f = self.files.get(file_id)
        if f is None:
            raise not_found(file_id)
        return f

    def trashed(self, f):
        seen = set()
        while f is not None and f['id'] not in seen:
            if f['explicitlyTrashed']:
                return True
            seen.add(f['id'])
            parents = f['parents']
            f = self.files.get(parents[0]) if parents else None
        return False

    def resource(self, f, for_state=False):
        """The full resource of a stored file (what fields= selects from)."""
        r = {'kind': 'drive#file', 'id': f['id'], 'name': f['name'],
             'mimeType': f['mimeType'], 'parents': list(f['parents']),
             'createdTime': rfc3339(f['created']), 'modifiedTime': rfc3339(f['modified']),
             'trashed': self.trashed(f), 'explicitlyTrashed': f['explicitlyTrashed']}
        if f['mimeType'] != FOLDER_MIME:
            data = self.content.get(f['id'], b'')
            r['size'] = str(len(data))
            r['md5Checksum'] = f['md5']
            if for_state or not self.config['omit_sha256']:
                r['sha1Checksum'] = f['sha1']
                r['sha256Checksum'] = f['sha256']
        if f['appProperties'] or for_state:
            r['appProperties'] = dict(f['appProperties'])
        if f.get('description') is not None:
            r['description'] = f['description']
        return r

    def _check_parents(self, parents):
        for p in parents:
            if p == ROOT:
                continue
            f = self.files.get(p)
            if f is None or f['mimeType'] != FOLDER_MIME:
                raise not_found(p)

    @staticmethod
    def _check_metadata(meta):
        if not isinstance(meta, dict):
            raise bad_request('Invalid JSON payload received.', 'parseError')
        for key in ('name', 'mimeType', 'description'):
            if key in meta and not isinstance(meta[key], str):
                raise bad_request('Invalid value for %s' % key, 'invalid')
        props = meta.get('appProperties', {})
        if not isinstance(props, dict) or not all(
                isinstance(k, str) and (v is None or isinstance(v, str))
                for k, v in props.items()):
            raise bad_request('Invalid value for appProperties', 'invalid')
        for k, v in props.items():
            if len(k.encode()) + len((v or '').encode()) > 124:
                raise bad_request('The size of a property key plus value must be at most '
                                  '124 bytes.', 'invalidProperty')
        parents = meta.get('parents', [ROOT])
        if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
            raise bad_request('Invalid value for parents', 'invalid')
        if len(parents) > 1:
            raise ApiError(403, 'Increasing the number of parents is not allowed.',
                           'cannotAddParent')

    def prepare(self, meta, default_mime='application/octet-stream'):
        """Validate create metadata; returns it normalised (no file made yet)."""
        self._check_metadata(meta)
        parents = meta.get('parents') or [ROOT]
        self._check_parents(parents)
        return {'name': meta.get('name') or 'Untitled',
                'mimeType': meta.get('mimeType') or default_mime,
                'parents': parents,
                'appProperties': {k: v for k, v in meta.get('appProperties', {}).items()
                                  if v is not None},
                'trashed': bool(meta.get('trashed', False)),
                'description': meta.get('description')}

    def create(self, prepared, data=b''):
        now = time.time()
        fid = new_id('1')
        f = {'id': fid, 'name': prepared['name'], 'mimeType': prepared['mimeType'],
             'parents': list(prepared['parents']), 'created': now, 'modified': now,
             'explicitlyTrashed': prepared['trashed'],
             'appProperties': dict(prepared['appProperties']),
             'description': prepared.get('description')}
        if f['mimeType'] != FOLDER_MIME:
            data = bytes(data)
            f['md5'] = hashlib.md5(data).hexdigest()
            f['sha1'] = hashlib.sha1(data).hexdigest()
            f['sha256'] = hashlib.sha256(data).hexdigest()
            self.content[fid] = data
        self.files[fid] = f
        return f

    def corrupt(self, file_id, offset, rehash):
        """Flips one stored byte: rot Drive did not see (its hashes stay) or, with rehash,
        content another client changed (its hashes follow)."""
        data = self.content.get(file_id)
        if not data:
            return False
        at = offset % len(data)
        data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]
        self.content[file_id] = data
        if rehash:
            f = self.files[file_id]
            f['md5'] = hashlib.md5(data).hexdigest()
            f['sha1'] = hashlib.sha1(data).hexdigest()
            f['sha256'] = hashlib.sha256(data).hexdigest()
        return True

    def get(self, file_id):
        if file_id == ROOT:
            now = time.time()
            return {'kind': 'drive#file', 'id': ROOT, 'name': 'My Drive',
                    'mimeType': FOLDER_MIME, 'parents': [], 'createdTime': rfc3339(0),
                    'modifiedTime': rfc3339(now), 'trashed': False,
                    'explicitlyTrashed': False}
        return self.resource(self._get(file_id))

    def download(self, file_id):
        f = self._get(file_id)
        if f['mimeType'] == FOLDER_MIME:
            raise ApiError(403, 'Only files with binary content can be downloaded.',
                           'fileNotDownloadable', location='alt', locationType='parameter')
        return f, self.content.get(file_id, b'')

    def update(self, file_id, meta, add_parents='', remove_parents=''):
        f = self._get(file_id)
        self._check_metadata({k: v for k, v in meta.items() if k != 'parents'})
        if 'parents' in meta:
            raise ApiError(403, 'The parents field is not directly writable in update '
                           'requests. Use the addParents and removeParents parameters '
                           'instead.', 'fieldNotWritable')
        for key in ('id', 'size', 'md5Checksum', 'sha1Checksum', 'sha256Checksum',
                    'createdTime', 'kind'):
            if key in meta:
                raise ApiError(403, 'The resource body includes fields which are not '
                               'directly writable.', 'fieldNotWritable')
        adds = [p for p in add_parents.split(',') if p]
        removes = [p for p in remove_parents.split(',') if p]
        self._check_parents(adds)
        parents = [p for p in f['parents'] if p not in removes]
        parents += [p for p in adds if p not in parents]
        if len(parents) > 1:
            raise ApiError(403, 'Increasing the number of parents is not allowed.',
                           'cannotAddParent')
        if 'name' in meta:
            f['name'] = meta['name']
        if 'mimeType' in meta and meta['mimeType']:
            f['mimeType'] = meta['mimeType']
        if 'trashed' in meta:
            f['explicitlyTrashed'] = bool(meta['trashed'])
        if 'description' in meta:
            f['description'] = meta['description']
        for k, v in meta.get('appProperties', {}).items():
            if v is None:
                f['appProperties'].pop(k, None)
            else:
                f['appProperties'][k] = v
        f['parents'] = parents
        f['modified'] = time.time()
        return f

    def delete(self, file_id):
        self._get(file_id)
        doomed = {file_id}
        changed = True
        while changed:                       # a folder takes its descendants along
            changed = False
            for f in self.files.values():
                if f['id'] not in doomed and any(p in doomed for p in f['parents']):
                    doomed.add(f['id'])
                    changed = True
        for fid in doomed:
            self.files.pop(fid, None)
            self.content.pop(fid, None)

    # -- listing
    ORDER_KEYS = {'name': lambda r: r['name'],
                  'name_natural': lambda r: r['name'],
                  'createdTime': lambda r: r['createdTime'],
                  'modifiedTime': lambda r: r['modifiedTime'],
                  'folder': lambda r: r['mimeType'] != FOLDER_MIME}

    def list(self, q, page_size, page_token, order_by):
        preds = parse_query(q)
        matches = [r for r in (self.resource(f) for f in self.files.values())
                   if all(p(r) for p in preds)]
        matches.sort(key=lambda r: r['id'])
        keys = [k.strip() for k in (order_by or 'name').split(',') if k.strip()]
        for key in reversed(keys):
            parts = key.split()
            fn = self.ORDER_KEYS.get(parts[0])
            if fn is None or len(parts) > 2 or (len(parts) == 2 and parts[1] != 'desc'):
                raise bad_request('Invalid Value', 'invalid', location='orderBy',
                                  locationType='parameter')
            matches.sort(key=fn, reverse=len(parts) == 2)
        offset = 0
        digest = hashlib.sha1(('%s|%s' % (q, order_by)).encode()).hexdigest()[:12]
        if page_token:
            try:
                tok = json.loads(base64.urlsafe_b64decode(page_token.encode()))
                offset = int(tok['o'])
                if tok['q'] != digest:
                    raise ValueError
            except (ValueError, KeyError, TypeError):
                raise bad_request('Invalid Value', 'invalid', location='pageToken',
                                  locationType='parameter')
        page = matches[offset:offset + page_size]
        nxt = None
        if offset + page_size < len(matches):
            raw = json.dumps({'o': offset + page_size, 'q': digest}).encode()
            nxt = base64.urlsafe_b64encode(raw).decode()
        return page, nxt

    def usage(self):
        total = trash = 0
        for f in self.files.values():
            n = len(self.content.get(f['id'], b''))
            total += n
            if self.trashed(f):
                trash += n
        return total, trash
