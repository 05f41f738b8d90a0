// The page of `vrp serve` in Debian's chromium, driven by playwright-core:
// open the token URL, see the list, search, open, play, seek on the
// waveform, rename across a reload, drop a WAV in. Speaks TAP; skips (as a
// whole) only when chromium or playwright-core cannot run here.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const VRP = process.env.VRP;
const shots = join(process.env.BUILD_ROOT || tmpdir(), 'browser-screenshots');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

let n = 0, failed = 0;
const ok = (name) => console.log(`ok ${++n} - ${name}`);
const notOk = (name, why) => { failed++; console.log(`not ok ${++n} - ${name}\n#   ${String(why).split('\n').join('\n#   ')}`); };
const skipAll = (why) => { console.log(`1..0 # SKIP ${why}`); process.exit(0); };

let chromium;
try {
  const require = createRequire(join(here, '..', '..', 'package.json'));
  ({ chromium } = require('playwright-core'));
} catch (e) {
  skipAll(`playwright-core is not installed (scripts/install-deps.sh runs npm ci): ${e.message}`);
}

const work = mkdtempSync(join(tmpdir(), 'vrp-browser-'));
const lib = join(work, 'lib');
const env = { ...process.env, HOME: work, XDG_CONFIG_HOME: join(work, 'config'), XDG_DATA_HOME: join(work, 'data'),
  XDG_STATE_HOME: join(work, 'state'), VRP_LOG_DIR: join(work, 'logs'), VRP_CONFIG: join(work, 'config.ini') };
const vrp = (...args) => execFileSync(VRP, ['--library', lib, ...args], { env, encoding: 'utf8' });
const sox = (...args) => execFileSync('sox', ['-q', '-n', '-r', '8000', '-b', '16', '-c', '1', ...args]);
vrp('-q', 'init');
sox(join(work, 'board.wav'), 'synth', '6', 'sine', '440', 'vol', '0.5');
sox(join(work, 'lecture.wav'), 'synth', '3', 'sine', '660', 'vol', '0.5');
sox(join(work, 'interview.wav'), 'synth', '2', 'sine', '880', 'vol', '0.5');
sox(join(work, 'dropped memo.wav'), 'synth', '1', 'sine', '550', 'vol', '0.5');
vrp('-q', 'import', join(work, 'board.wav'), join(work, 'lecture.wav'), join(work, 'interview.wav'));
vrp('edit', '1', '--title', 'Board meeting');
mkdirSync(shots, { recursive: true });

const server = spawn(VRP, ['--library', lib, 'serve', '--no-worker'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  let text = '';
  server.stdout.on('data', (d) => { text += d; if (text.includes('\n')) resolve(text.split('\n')[0]); });
  server.on('exit', (code) => reject(new Error(`vrp serve exited with ${code}`)));
  setTimeout(() => reject(new Error('vrp serve printed no URL')), 15000);
});
const origin = new URL(url).origin;

let browser;
try {
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--mute-audio'] });
} catch (e) {
  server.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
  skipAll(`chromium cannot run here: ${e.message.split('\n')[0]}`);
}

async function step(name, fn) {
  try { await fn(); ok(name); } catch (e) { notOk(name, e.stack || e); }
}

const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const items = page.locator('#recordings li');

await step('the token URL opens the page and drops the token from the address', async () => {
  await page.goto(url);
  if (page.url() !== `${origin}/`) throw new Error(`at ${page.url()}`);
});
await step('the list shows every recording', async () => {
  await page.waitForFunction(() => document.querySelectorAll('#recordings li').length === 3);
  await shot('1-list');
});
await step('typing a search narrows the list', async () => {
  await page.locator('#search').pressSequentially('boar', { delay: 30 });
  await page.waitForFunction(() => document.querySelectorAll('#recordings li').length === 1);
  const text = await items.first().textContent();
  if (!text.includes('Board meeting')) throw new Error(text);
  await shot('2-search');
});
await step('a recording opens with its player, waveform and spectrogram', async () => {
  await items.first().locator('a').click();
  await page.waitForFunction(() => document.getElementById('rec-title').value === 'Board meeting');
  await page.waitForFunction(() => document.getElementById('player').readyState >= 1);
  await page.waitForFunction(() => document.getElementById('spectrogram').complete &&
    document.getElementById('spectrogram').naturalWidth > 0);
});
await step('playing it advances currentTime', async () => {
  await page.evaluate(() => document.getElementById('player').play());
  await page.waitForFunction(() => document.getElementById('player').currentTime > 0.3, null, { timeout: 10000 });
  await page.evaluate(() => document.getElementById('player').pause());
  await shot('3-playing');
});
await step('the keyboard plays, pauses and seeks', async () => {
  await page.locator('#waveform').focus();
  await page.keyboard.press('Space');
  await page.waitForFunction(() => !document.getElementById('player').paused);
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.getElementById('player').paused);
  const before = await page.evaluate(() => document.getElementById('player').currentTime);
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((t) => document.getElementById('player').currentTime > t + 4, before);
});
await step('clicking the waveform seeks there', async () => {
  const box = await page.locator('#waveform').boundingBox();
  await page.mouse.click(box.x + box.width * 0.75, box.y + box.height / 2);
  await page.waitForFunction(() => Math.abs(document.getElementById('player').currentTime - 4.5) < 0.3);
  await shot('4-seeked');
});
await step('a rename is there after a reload', async () => {
  await page.locator('#rec-title').fill('Renamed in the browser');
  await page.locator('#save').click();
  await page.waitForFunction(() => document.getElementById('save-status').textContent === 'Saved.');
  await page.reload();
  await page.waitForFunction(() => document.getElementById('rec-title').value === 'Renamed in the browser');
  await shot('5-renamed');
});
await step('a WAV dropped on the page is imported and listed', async () => {
  await page.goto(`${origin}/#/`);
  await page.waitForFunction(() => document.querySelectorAll('#recordings li').length === 3);
  const bytes = readFileSync(join(work, 'dropped memo.wav')).toString('base64');
  const dataTransfer = await page.evaluateHandle((b64) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([data], 'dropped memo.wav', { type: 'audio/wav' }));
    return dt;
  }, bytes);
  await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
  await page.waitForFunction(() => [...document.querySelectorAll('#recordings li')]
    .some((li) => li.textContent.includes('dropped memo')), null, { timeout: 15000 });
  await shot('6-dropped');
});
await step('dark mode follows the system', async () => {
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await background();
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await background();
  const lum = (c) => c.match(/\d+/g).slice(0, 3).reduce((a, b) => a + Number(b), 0);
  if (!(lum(dark) < 150 && lum(light) > 600)) throw new Error(`light ${light}, dark ${dark}`);
  await shot('7-dark');
});
await step('"/" goes to the search box', async () => {
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press('/');
  if (!(await page.evaluate(() => document.activeElement.id === 'search'))) throw new Error('not focused');
});
await step('an import in a terminal shows its progress and its end', async () => {
  await page.goto(`${origin}/#/`);
  for (const k of [1, 2]) sox(join(work, `terminal-${k}.wav`), 'synth', '1', 'sine', `${500 + k}`);
  const other = spawn(VRP, ['--library', lib, '-q', 'import', join(work, 'terminal-1.wav'), join(work, 'terminal-2.wav')],
    { env: { ...env, VRP_TEST_HOOK: 'import.result:800' }, stdio: 'ignore' });
  const exited = new Promise((resolve) => other.on('exit', resolve));
  await page.waitForFunction((pid) => document.getElementById('activity').textContent.startsWith(`Importing in process ${pid}:`),
    other.pid, { timeout: 10000 });
  await shot('8-terminal-import');
  if ((await exited) !== 0) throw new Error('vrp import failed');
  await page.waitForFunction((pid) => document.getElementById('activity').textContent ===
    `The import of process ${pid} finished: 2 imported, 0 already there, 0 refused.`, other.pid, { timeout: 10000 });
  await page.waitForFunction(() => [...document.querySelectorAll('#recordings li')]
    .some((li) => li.textContent.includes('terminal-2')), null, { timeout: 10000 });
});
await step('the import is in the catalogue', async () => {
  const out = vrp('--json', 'search', 'dropped');
  if (!out.includes('"title":"dropped memo"')) throw new Error(out);
});

await browser.close();
server.kill('SIGTERM');
const code = await new Promise((resolve) => server.on('exit', (c) => resolve(c)));
if (code === 0) ok('vrp serve stops cleanly'); else notOk('vrp serve stops cleanly', `exit ${code}`);
rmSync(work, { recursive: true, force: true });
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
