// Native mini programs, audio (www/native/audio.mjs; fixture tests/e2e/fixtures/native-audio):
// the page's script runs in the logic layer's Worker, which has no <audio>; its
// InnerAudioContext drives one on the render side and gets its events back in order; reads
// (currentTime after a seek, paused, duration, a value set) answer in the Worker; a
// `javascript:` src is refused with error 10003; the background manager plays a new src at once,
// shows in the simulator's "now playing" line and stops with the page. The tone is a WAV this
// test writes into a copy of the fixture.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MINI_PROGRAM, ROOT, startStack, SUPERAPP } from './harness.mjs';

const TIMEOUT = 20_000;
let stack;
let dir;

/** A WAV of `seconds` of a 440 Hz tone (8 kHz mono 16-bit PCM). */
function wav(seconds) {
  const rate = 8000;
  const n = Math.round(rate * seconds);
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + n * 2, 4); b.write('WAVE', 8);
  b.write('fmt ', 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * 2, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
  b.write('data', 36); b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 3000), 44 + i * 2);
  return b;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'native-audio-'));
  cpSync(join(ROOT, 'tests', 'e2e', 'fixtures', 'native-audio'), dir, { recursive: true });
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'assets', 'tone.wav'), wav(3));
  stack = await startStack({ sandboxArgs: ['--app', `audio=${dir}`] });
});
after(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(t) {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.location().url)) errors.push(m.text()); });
  t.after(() => context.close());
  await page.goto(`${SUPERAPP}/?appId=audio`);
  const app = page.frameLocator('#mini-program');
  return { page, app, errors };
}

const events = async (app) => (await app.locator('#events').textContent()).split('|').filter(Boolean);
async function waitEvents(app, predicate, what) {
  for (let i = 0; i < 200; i++) {
    const list = await events(app);
    if (predicate(list)) return list;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: events ${(await events(app)).join('|')}`);
}
const count = (list, name) => list.filter((e) => e === name).length;

test('InnerAudioContext from the Worker: play, pause, seek, read, play to the end, stop, in order', async (t) => {
  const { app, errors } = await open(t);
  await waitEvents(app, (l) => l.includes('canplay'), 'canplay');
  await app.locator('#play').click();
  await waitEvents(app, (l) => l.includes('play'), 'play');
  await app.locator('#pause').click();
  await waitEvents(app, (l) => l.includes('pause'), 'pause');
  await app.locator('#seek').click();
  await waitEvents(app, (l) => l.includes('seeked'), 'seeked');
  await app.locator('#read').click();
  await app.locator('#state', { hasText: 'currentTime' }).waitFor({ timeout: TIMEOUT });
  const state = JSON.parse(await app.locator('#state').textContent());
  assert.equal(state.src, '/assets/tone.wav', 'the src as the app gave it');
  assert.equal(state.volume, 0.5);
  assert.equal(state.paused, true);
  assert.ok(Math.abs(state.currentTime - 1.5) < 0.05, `currentTime after seek(1.5): ${state.currentTime}`);
  assert.ok(Math.abs(state.duration - 3) < 0.05, `duration: ${state.duration}`);
  assert.ok(state.timeUpdates >= 1, 'timeUpdate came while playing');
  await app.locator('#play').click();
  await waitEvents(app, (l) => l.includes('ended'), 'ended');
  await app.locator('#stop').click();
  const list = await waitEvents(app, (l) => l.includes('stop'), 'stop');
  assert.deepEqual(list, ['canplay', 'play', 'pause', 'seeking', 'seeked', 'play', 'ended', 'stop']);
  assert.equal(count(list, 'pause'), 1, 'no pause at the end');
  assert.deepEqual(errors, []);
});

test('a javascript: src is refused with error 10003 naming the scheme', async (t) => {
  const { app, errors } = await open(t);
  await waitEvents(app, (l) => l.includes('canplay'), 'canplay');
  await app.locator('#bad').click();
  await app.locator('#errors', { hasText: '10003' }).waitFor({ timeout: TIMEOUT });
  assert.match(await app.locator('#errors').textContent(), /the scheme javascript: is not allowed/);
  // The runtime says so on the console too: the only error of the page.
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0], /javascript: is not allowed/);
});

test('the background manager plays a new src, shows in "now playing", stops, and pauses with the page', async (t) => {
  const { page, app, errors } = await open(t);
  await waitEvents(app, (l) => l.includes('canplay'), 'canplay');
  await app.locator('#background').click();
  await waitEvents(app, (l) => l.includes('bg play'), 'bg play');
  const line = page.locator('#now-playing');
  await line.filter({ hasText: 'Now playing: Fixture tone (The e2e test)' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await page.locator('#phone-audio').isVisible(), true, '♪ in the status bar');
  await page.screenshot({ path: join(tmpdir(), 'native-audio-now-playing.png') });
  await app.locator('#background-stop').click();
  await waitEvents(app, (l) => l.includes('bg stop'), 'bg stop');
  await line.waitFor({ state: 'hidden', timeout: TIMEOUT });
  assert.equal(await page.locator('#phone-audio').isVisible(), false);
  // Playing again, then the page goes away (the app is closed): it pauses.
  await app.locator('#background').click();
  await waitEvents(app, (l) => count(l, 'bg play') >= 2, 'bg play again');
  const frame = page.frame({ url: /\/native\/audio\// });
  await frame.evaluate(() => window.dispatchEvent(new Event('pagehide')));
  await waitEvents(app, (l) => l.includes('bg pause'), 'bg pause');
  await line.filter({ hasText: 'Paused: Fixture tone' }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(errors, []);
});

test('the package\'s audio is served with byte ranges (seeking needs them), inside the package only', async () => {
  const url = `${MINI_PROGRAM}/native/audio/files/assets/tone.wav`;
  const whole = await fetch(url);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get('content-type'), 'audio/wav');
  assert.equal((await whole.arrayBuffer()).byteLength, 44 + 3 * 8000 * 2);
  const part = await fetch(url, { headers: { Range: 'bytes=44-143' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 44-143/${44 + 3 * 8000 * 2}`);
  assert.equal((await part.arrayBuffer()).byteLength, 100);
  // The path rules come first: no way out of the package with a range either.
  for (const path of ['..%2F..%2Fetc%2Fpasswd.wav', '.hidden.wav', 'assets%5C..%5Ctone.wav']) {
    const r = await fetch(`${MINI_PROGRAM}/native/audio/files/${path}`, { headers: { Range: 'bytes=0-10' } });
    assert.equal(r.status, 404, path);
  }
});
