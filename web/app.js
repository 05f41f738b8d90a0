// vrp serve's page: a thin client of the JSON API (see /api/openapi.json).
// No framework, nothing from elsewhere; every catalogue string goes into the
// page as text, never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { cursor: null, query: '', current: null, peaks: null, dragging: false };

async function api(path, options = {}) {
  const init = { credentials: 'same-origin', ...options };
  if (options.json !== undefined) {
    init.method = init.method || 'POST';
    init.headers = { 'Content-Type': 'application/json' };
    init.body = JSON.stringify(options.json);
  }
  const response = await fetch(path, init);
  const body = response.headers.get('Content-Type')?.startsWith('application/json')
    ? await response.json() : null;
  if (!response.ok) {
    const message = body?.error?.message || response.statusText;
    throw new Error(message);
  }
  return body;
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

function formatDuration(seconds) {
  const s = Math.round(seconds || 0);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return (h ? `${h}:${String(m).padStart(2, '0')}` : `${m}`) + `:${String(r).padStart(2, '0')}`;
}

function formatSize(bytes) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes, i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
}

// ---- the list ----

function recordingItem(rec, snippet) {
  const title = rec.title || rec.original_filename || `Recording ${rec.id}`;
  const tags = el('span');
  for (const t of rec.tags || []) tags.append(el('span', { class: 'tag', text: t }));
  const link = el('a', { href: `#/r/${rec.id}`, 'aria-label': `${title}, ${formatDuration(rec.duration)}` },
    el('span', { class: 'rec-title', text: title }),
    el('span', { class: 'rec-sub', text: formatDuration(rec.duration) }),
    el('span', { class: 'rec-sub', text: (rec.created_at || '').slice(0, 10) }));
  link.append(el('span', { class: 'rec-sub' }, tags));
  if (snippet) link.append(el('span', { class: 'snippet', text: snippet }));
  return el('li', { class: `status-${rec.status}`, 'data-id': String(rec.id) }, link);
}

let listToken = 0;
async function loadList(append = false) {
  const token = ++listToken;
  const list = $('recordings');
  const q = $('search').value.trim();
  let items, next = null;
  try {
    if (q) {
      const params = new URLSearchParams({ q, limit: '100' });
      if ($('status').value === 'deleted' || $('status').value === 'all') params.set('deleted', '1');
      const body = await api(`/api/search?${params}`);
      items = body.items.map((hit) => ({ rec: hit.recording, snippet: hit.snippet }));
    } else {
      const params = new URLSearchParams({ sort: $('sort').value, limit: '50' });
      if ($('status').value) params.set('status', $('status').value);
      if (append && state.cursor) params.set('cursor', String(state.cursor));
      const body = await api(`/api/recordings?${params}`);
      items = body.items.map((rec) => ({ rec }));
      next = body.next_cursor;
    }
  } catch (e) {
    if (token === listToken) $('list-status').textContent = `Could not load the recordings: ${e.message}`;
    return;
  }
  if (token !== listToken) return; // a newer search is under way
  if (!append) list.replaceChildren();
  for (const { rec, snippet } of items) list.append(recordingItem(rec, snippet));
  state.cursor = next;
  $('more').hidden = !next;
  const count = list.children.length;
  $('list-status').textContent = count ? `${count} recording${count === 1 ? '' : 's'}${next ? ' (more below)' : ''}`
    : (q ? 'Nothing matches.' : 'No recordings yet: drop audio files above to import them.');
}

let searchTimer = null;
$('search').addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => loadList(), 120);
});
$('search-form').addEventListener('submit', (e) => { e.preventDefault(); loadList(); });
$('sort').addEventListener('change', () => loadList());
$('status').addEventListener('change', () => loadList());
$('more').addEventListener('click', () => loadList(true));

// ---- one recording ----

async function openRecording(id) {
  let rec;
  try {
    rec = await api(`/api/recordings/${encodeURIComponent(id)}`);
  } catch (e) {
    $('list-status').textContent = `Could not open recording ${id}: ${e.message}`;
    location.hash = '#/';
    return;
  }
  state.current = rec;
  $('list-view').hidden = true;
  $('recording-view').hidden = false;
  fillRecording(rec);
  const player = $('player');
  player.src = `/api/recordings/${rec.id}/audio`;
  $('download').href = player.src;
  $('spectrogram').src = `/api/recordings/${rec.id}/spectrogram`;
  state.peaks = null;
  drawWaveform();
  loadPeaks(rec);
  $('rec-title').focus();
}

function fillRecording(rec) {
  $('rec-title').value = rec.title;
  $('rec-description').value = rec.description;
  $('rec-tags').value = (rec.tags || []).join(', ');
  $('rec-meta').textContent = [formatDuration(rec.duration), formatSize(rec.filesize_bytes), rec.mime_type,
    rec.sample_rate ? `${rec.sample_rate} Hz` : '', rec.channels ? `${rec.channels} ch` : '',
    `imported ${(rec.created_at || '').slice(0, 16).replace('T', ' ')}`, rec.status].filter(Boolean).join(' · ');
  const deleted = rec.status === 'deleted';
  $('delete').hidden = deleted;
  $('restore').hidden = !deleted && rec.status !== 'archived';
  $('archive').hidden = deleted || rec.status === 'archived';
  const remotes = $('rec-remotes');
  remotes.replaceChildren();
  for (const r of rec.remotes || []) {
    const line = el('li', { text: `${r.remote}: ${r.sync_status}` });
    if (r.error_message) line.append(el('span', { class: 'error', text: ` (${r.error_message})` }));
    remotes.append(line);
  }
  if (!remotes.children.length) remotes.append(el('li', { text: 'Not on any remote yet.' }));
}

$('edit-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const rec = state.current;
  const tags = $('rec-tags').value.split(',').map((t) => t.trim()).filter(Boolean);
  const changes = {};
  if ($('rec-title').value !== rec.title) changes.title = $('rec-title').value;
  if ($('rec-description').value !== rec.description) changes.description = $('rec-description').value;
  if (tags.join('\n') !== (rec.tags || []).join('\n')) changes.tags = tags;
  if (!Object.keys(changes).length) { $('save-status').textContent = 'Nothing to save.'; return; }
  try {
    state.current = await api(`/api/recordings/${rec.id}`, { method: 'PATCH', json: changes });
    fillRecording(state.current);
    $('save-status').textContent = 'Saved.';
  } catch (err) {
    $('save-status').textContent = `Not saved: ${err.message}`;
  }
});

async function changeStatus(action) {
  const rec = state.current;
  try {
    state.current = action === 'delete'
      ? await api(`/api/recordings/${rec.id}`, { method: 'DELETE', json: {} })
      : await api(`/api/recordings/${rec.id}/${action}`, { json: {} });
    fillRecording(state.current);
    $('save-status').textContent = { delete: 'Deleted (restore brings it back).', restore: 'Restored.', archive: 'Archived.' }[action];
  } catch (err) {
    $('save-status').textContent = `Failed: ${err.message}`;
  }
}
$('delete').addEventListener('click', () => changeStatus('delete'));
$('restore').addEventListener('click', () => changeStatus('restore'));
$('archive').addEventListener('click', () => changeStatus('archive'));

// ---- the waveform ----

async function loadPeaks(rec) {
  // A zoom that is a multiple of 256 comes from the stored peaks, with no decode.
  const frames = (rec.duration || 0) * (rec.sample_rate || 0);
  const spp = Math.max(256, Math.ceil(frames / 2000 / 256) * 256);
  try {
    const peaks = await api(`/api/recordings/${rec.id}/waveform?samples_per_pixel=${spp}`);
    if (state.current && state.current.id === rec.id) { state.peaks = peaks; drawWaveform(); }
  } catch (e) {
    $('rec-meta').textContent += ` · no waveform (${e.message})`;
  }
}

function duration() {
  const d = $('player').duration;
  return Number.isFinite(d) && d > 0 ? d : (state.current?.duration || 0);
}

function drawWaveform() {
  const canvas = $('waveform');
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) { canvas.width = width; canvas.height = height; }
  const ctx = canvas.getContext('2d');
  const style = getComputedStyle(document.documentElement);
  ctx.clearRect(0, 0, width, height);
  const total = duration();
  const played = total ? $('player').currentTime / total : 0;
  const peaks = state.peaks;
  if (peaks && peaks.length) {
    const scale = peaks.bits === 8 ? 128 : 32768;
    const mid = height / 2;
    for (let x = 0; x < width; x++) {
      const a = Math.floor((x / width) * peaks.length), b = Math.max(a + 1, Math.floor(((x + 1) / width) * peaks.length));
      let lo = 0, hi = 0;
      for (let i = a; i < b && i < peaks.length; i++) {
        lo = Math.min(lo, peaks.data[2 * i]);
        hi = Math.max(hi, peaks.data[2 * i + 1]);
      }
      ctx.fillStyle = x / width < played ? style.getPropertyValue('--wave-played') : style.getPropertyValue('--wave');
      ctx.fillRect(x, mid - (hi / scale) * mid, 1, Math.max(1, ((hi - lo) / scale) * mid));
    }
  }
  ctx.fillStyle = style.getPropertyValue('--fg');
  ctx.fillRect(Math.round(played * width), 0, Math.max(1, ratio), height);
  canvas.setAttribute('aria-valuenow', String(Math.round(played * 100)));
  canvas.setAttribute('aria-valuetext', `${formatDuration($('player').currentTime)} of ${formatDuration(total)}`);
}

function seekTo(event) {
  const canvas = $('waveform');
  const rect = canvas.getBoundingClientRect();
  const fraction = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
  const total = duration();
  if (total) $('player').currentTime = fraction * total;
  drawWaveform();
}
$('waveform').addEventListener('pointerdown', (e) => {
  state.dragging = true;
  $('waveform').setPointerCapture(e.pointerId);
  seekTo(e);
});
$('waveform').addEventListener('pointermove', (e) => { if (state.dragging) seekTo(e); });
$('waveform').addEventListener('pointerup', () => { state.dragging = false; });
$('waveform').addEventListener('keydown', (e) => {
  if (e.key === 'Home') { $('player').currentTime = 0; e.preventDefault(); }
  if (e.key === 'End') { $('player').currentTime = duration(); e.preventDefault(); }
});

function animate() {
  if (!$('recording-view').hidden) drawWaveform();
  if (!$('player').paused) requestAnimationFrame(animate);
}
$('player').addEventListener('play', () => requestAnimationFrame(animate));
for (const ev of ['seeked', 'loadedmetadata', 'pause', 'timeupdate']) $('player').addEventListener(ev, drawWaveform);
window.addEventListener('resize', drawWaveform);

// ---- import ----

function upload(file) {
  const bar = el('progress', { max: '1', value: '0', 'aria-label': `Importing ${file.name}` });
  const label = el('span', { text: file.name });
  const line = el('li', {}, label, bar);
  $('uploads').append(line);
  return new Promise((resolve) => {
    const form = new FormData();
    form.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/import?last_modified=${file.lastModified}`);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = e.loaded / e.total; };
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      const item = body?.items?.[0];
      bar.value = 1;
      if (item && item.status !== 'rejected') {
        label.textContent = `${file.name}: ${item.status}`;
        setTimeout(() => line.remove(), 4000);
      } else {
        label.textContent = `${file.name}: not imported (${item?.error?.message || body?.error?.message || xhr.statusText})`;
        label.className = 'error';
      }
      resolve();
    };
    xhr.onerror = () => { label.textContent = `${file.name}: the upload failed`; label.className = 'error'; resolve(); };
    xhr.send(form);
  });
}

async function importFiles(files) {
  for (const file of files) await upload(file);
  loadList();
}
$('file-picker').addEventListener('change', (e) => { importFiles([...e.target.files]); e.target.value = ''; });
document.addEventListener('dragover', (e) => { e.preventDefault(); document.body.classList.add('dragging'); });
document.addEventListener('dragleave', (e) => { if (!e.relatedTarget) document.body.classList.remove('dragging'); });
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  if (e.dataTransfer?.files?.length) {
    if (location.hash.startsWith('#/r/')) location.hash = '#/';
    importFiles([...e.dataTransfer.files]);
  }
});

// ---- sync ----

async function loadSync() {
  let body;
  try { body = await api('/api/sync'); } catch (e) { $('sync-status').textContent = e.message; return; }
  const list = $('sync-remotes');
  list.replaceChildren();
  for (const r of body.items) {
    const line = el('li', {}, el('strong', { text: r.remote }), ` (${r.provider}): ${r.synced} synced, ${r.queued + r.syncing} to go`);
    if (r.failed) line.append(`, ${r.failed} failed`);
    for (const p of r.problems.slice(0, 3))
      line.append(el('div', { class: 'error', text: `#${p.recording_id}: ${p.error_message || p.error_code || p.sync_status}` }));
    list.append(line);
  }
  if (!body.items.length) list.append(el('li', { text: 'No remotes: add one with `vrp remote add`.' }));
  $('sync-now').disabled = !body.items.length;
  if (!body.worker) $('sync-status').textContent = 'No worker in this server: run `vrp worker` to transfer.';
}
$('sync-now').addEventListener('click', async () => {
  try {
    const r = await api('/api/sync', { json: {} });
    $('sync-status').textContent = `${r.queued} queued.`;
  } catch (e) { $('sync-status').textContent = `Sync failed: ${e.message}`; }
  loadSync();
});

// ---- events: keep every open page current ----

function listen() {
  const source = new EventSource('/api/events');
  source.addEventListener('recording', (e) => {
    const data = JSON.parse(e.data);
    if ($('list-view').hidden === false) loadList();
    else if (state.current && data.id === state.current.id && data.recording) { state.current = data.recording; fillRecording(data.recording); }
  });
  // What other processes (a terminal, a worker, the desktop app) changed.
  source.addEventListener('changed', (e) => {
    const data = JSON.parse(e.data);
    if ($('list-view').hidden === false) { loadList(); return; }
    const current = state.current;
    if (!current || !(data.reload || data.recordings.some((r) => r.id === current.id))) return;
    // Refresh the fields only: the player keeps playing.
    api(`/api/recordings/${current.id}`).then((rec) => {
      // Not while the user is typing in the edit form: their words win.
      if ($('edit-form').contains(document.activeElement)) return;
      if (state.current && state.current.id === rec.id) { state.current = rec; fillRecording(rec); }
    }).catch(() => { location.hash = '#/'; });
  });
  // Imports of this page report through their own requests; others come here.
  source.addEventListener('import', (e) => {
    const ev = JSON.parse(e.data);
    if (!ev.pid) return;
    const counts = `${ev.imported} imported, ${ev.duplicates} already there, ${ev.rejected} refused`;
    $('activity').textContent = ev.finished
      ? `The import of process ${ev.pid} finished: ${counts}.`
      : `Importing in process ${ev.pid}: ${counts}${ev.file ? `, now ${ev.file}` : ''}`;
    if (ev.finished && $('list-view').hidden === false) loadList();
  });
  // A run of another process (a `vrp sync` in a terminal) carries its pid.
  source.addEventListener('sync', (e) => {
    const ev = JSON.parse(e.data);
    const bar = $('sync-progress');
    if (ev.finished) {
      bar.hidden = true;
      $('sync-status').textContent = `The sync of process ${ev.pid} finished.`;
      loadSync();
      return;
    }
    if (ev.kind === 'progress' && ev.bytes_total) { bar.hidden = false; bar.value = ev.bytes_done / ev.bytes_total; }
    if (ev.kind !== 'progress') {
      $('sync-status').textContent = ev.message ? `${ev.kind}: ${ev.message}` : (ev.kind === 'queued' ? `${ev.queued} queued` : `${ev.kind} #${ev.recording_id || ''}`);
      bar.hidden = ev.kind !== 'started';
      loadSync();
    }
  });
}

// ---- keyboard and navigation ----

document.addEventListener('keydown', (e) => {
  const typing = ['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement?.tagName);
  if (e.key === '/' && !typing) { e.preventDefault(); location.hash = '#/'; $('search').focus(); return; }
  if (typing || $('recording-view').hidden || e.ctrlKey || e.metaKey || e.altKey) return;
  const player = $('player');
  if (e.key === ' ') { e.preventDefault(); if (player.paused) player.play(); else player.pause(); }
  if (e.key === 'ArrowLeft') { e.preventDefault(); player.currentTime = Math.max(0, player.currentTime - 5); }
  if (e.key === 'ArrowRight') { e.preventDefault(); player.currentTime = Math.min(duration(), player.currentTime + 5); }
});

function route() {
  const m = location.hash.match(/^#\/r\/([^/]+)$/);
  if (m) { openRecording(decodeURIComponent(m[1])); return; }
  $('player').pause();
  state.current = null;
  $('recording-view').hidden = true;
  $('list-view').hidden = false;
  loadList();
}
window.addEventListener('hashchange', route);
route();
loadSync();
listen();
