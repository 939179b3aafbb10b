// Real H5 mini apps run unchanged (issue 11 §1–2): a page that loads its wallet's bridge
// script from a CDN path (answered here with our my.js) and names no appId is launched by appId
// and signs in; standalone, the same copy of my.js loads the runtime from the super app; a URL
// that no app registers gets a throwaway app. Real browser, real sandbox.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPayment, ROOT, startStack, SUPERAPP } from './harness.mjs';

const TIMEOUT = 20_000;
/** The "CDN" and the app's own origin (the bridge path is served from here too). */
const CDN = 'http://127.0.0.1:18705';
/** A second origin that no app registers. */
const UNREGISTERED = 'http://127.0.0.1:18706';
const APP_ID = '2102020000000105';

let stack;
let servers = [];
/** Every path the fixture servers were asked for. */
const asked = [];

function serveCdnApp(port) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    asked.push(`${port}${path}`);
    const file = path === '/cdn/alipayjsbridge.min.js' ? join(ROOT, 'www', 'my.js')
      : { '/app.html': 'app.html', '/standalone.html': 'standalone.html', '/next.html': 'next.html' }[path];
    if (!file) { res.writeHead(404).end('not found'); return; }
    const body = await readFile(file.startsWith('/') ? file : join(ROOT, 'tests', 'e2e', 'fixtures', 'cdn-app', file));
    res.writeHead(200, {
      'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html; charset=utf-8', 'cache-control': 'no-store',
    });
    res.end(body);
  });
  return new Promise((ok, fail) => { server.once('error', fail); server.listen(port, '127.0.0.1', () => ok(server)); });
}

before(async () => {
  stack = await startStack();
  servers = [await serveCdnApp(18705), await serveCdnApp(18706)];
  const put = await fetch(`${SUPERAPP}/sandbox/mini-programs/${APP_ID}`, {
    method: 'PUT', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'CDN bridge app', url: `${CDN}/app.html`, whitelist: [] }),
  });
  assert.equal(put.status, 200, await put.text());
});
after(async () => {
  for (const s of servers) s.close();
  await stack?.stop();
});

async function newPage(t) {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  t.after(() => context.close());
  return context.newPage();
}

/** The mini program frame of the simulator, once its runtime is ready. */
async function miniProgram(page, origin) {
  await page.frameLocator('#mini-program').locator('#state').waitFor({ timeout: TIMEOUT });
  const frame = page.frames().find((f) => f.url().startsWith(`${origin}/app.html`));
  assert.ok(frame, `the phone shows ${origin}/app.html`);
  await frame.waitForFunction(() => window.miniprogramShim, null, { timeout: TIMEOUT });
  await frame.evaluate(() => window.miniprogramShim.ready);
  return frame;
}

const signIn = (frame) => frame.evaluate(() => window.my.getAuthCode({ scopes: ['auth_base'] })
  .then((value) => ({ ok: true, value }), (error) => ({ ok: false, error })));
const configuredAppId = (frame) => frame.evaluate(() => window.miniprogramShim.ready.then((r) => r.config.appId ?? ''));

describe('a mini app with its bridge on a CDN and no data-app-id', () => {
  test('launched by appId, it learns its appId from the shell and signs in silently', async (t) => {
    const page = await newPage(t);
    await page.goto(`${SUPERAPP}/?appId=${APP_ID}`);
    const frame = await miniProgram(page, CDN);
    assert.equal(await configuredAppId(frame), APP_ID);
    const signed = await signIn(frame);
    assert.equal(signed.ok, true, JSON.stringify(signed));
    assert.match(signed.value.authCode, /\S/);
    assert.deepEqual(signed.value.authSuccessScopes, ['auth_base']);
    const state = await page.evaluate(() => window.simulator.state());
    assert.equal(state.appId, APP_ID);
    assert.equal(await page.locator('#app-picker').inputValue(), APP_ID, 'the picker shows the launched app');
    assert.ok(!asked.some((p) => p.includes('/pkg/')), `the runtime never came from the CDN: ${asked.join(', ')}`);
  });

  test('a page it navigates to keeps the runtime, the appId and the shell (no launch query there)', async (t) => {
    const page = await newPage(t);
    const runtime = [];
    page.on('request', (r) => { if (r.url().includes('/pkg/')) runtime.push(r.url()); });
    await page.goto(`${SUPERAPP}/?appId=${APP_ID}`);
    const first = await miniProgram(page, CDN);
    await first.evaluate(() => { location.href = '/next.html'; });
    await page.frameLocator('#mini-program').locator('#state', { hasText: 'next' }).waitFor({ timeout: TIMEOUT });
    const next = page.frames().find((f) => f.url() === `${CDN}/next.html`);
    assert.ok(next, 'the phone shows next.html, with no query');
    await next.waitForFunction(() => window.miniprogramShim, null, { timeout: TIMEOUT });
    const loaded = await next.evaluate(() => window.miniprogramShim.ready.then(() => true, (e) => String(e)));
    assert.equal(loaded, true, 'the runtime loaded on the second page');
    assert.equal(await configuredAppId(next), APP_ID);
    const signed = await signIn(next);
    assert.equal(signed.ok, true, JSON.stringify(signed));
    assert.ok(runtime.every((u) => u.startsWith(`${SUPERAPP}/pkg/`)), `pkg/ only from the super app: ${runtime.join(', ')}`);
  });

  test('the picker lists registered apps and launches one', async (t) => {
    const page = await newPage(t);
    await page.goto(`${SUPERAPP}/`);
    await page.locator(`#app-picker option[value="${APP_ID}"]`).waitFor({ state: 'attached', timeout: TIMEOUT });
    await page.selectOption('#app-picker', APP_ID);
    const frame = await miniProgram(page, CDN);
    assert.equal(await configuredAppId(frame), APP_ID);
    assert.equal(new URL(page.url()).searchParams.get('appId'), APP_ID);
  });

  test('standalone with data-super-app-origin, the runtime comes from the super app', async (t) => {
    const page = await newPage(t);
    const runtime = [];
    page.on('request', (r) => { if (r.url().includes('/pkg/')) runtime.push(r.url()); });
    await page.goto(`${CDN}/standalone.html`);
    await page.waitForFunction(() => window.miniprogramShim, null, { timeout: TIMEOUT });
    const loaded = await page.evaluate(() => window.miniprogramShim.ready.then(() => true, (e) => String(e)));
    assert.equal(loaded, true);
    assert.ok(runtime.length >= 2, `pkg/ was fetched: ${runtime.join(', ')}`);
    assert.ok(runtime.every((u) => u.startsWith(`${SUPERAPP}/pkg/`)), `pkg/ only from the super app: ${runtime.join(', ')}`);
    // No appId anywhere: sign-in fails saying so, not as if the user had declined.
    const signed = await signIn(page);
    assert.equal(signed.ok, false);
    assert.equal(signed.error.error, 4, JSON.stringify(signed.error));
    assert.match(signed.error.errorMessage, /no appId/);
    assert.equal(signed.error.authErrorScopes, undefined);
  });

  test('a URL no app registers gets a throwaway app, said in the devtools', async (t) => {
    const page = await newPage(t);
    // Registering is slower than my.js's first wait (1.5 s): the shell's `settings-pending`
    // must keep the page waiting, so the appId is in the configuration `ready` reports.
    await page.route('**/sandbox/mini-programs/**', async (route) => {
      if (route.request().method() === 'PUT') await new Promise((ok) => setTimeout(ok, 2500));
      await route.continue();
    });
    const url = `${UNREGISTERED}/app.html`;
    await page.goto(`${SUPERAPP}/?app=${encodeURIComponent(url)}`);
    const frame = await miniProgram(page, UNREGISTERED);
    await page.locator('#launch-state', { hasText: 'throwaway app' }).waitFor({ timeout: TIMEOUT });
    const appId = await configuredAppId(frame);
    assert.match(appId, /^\d{16}$/);
    const app = await (await fetch(`${SUPERAPP}/sandbox/mini-programs/${appId}`)).json();
    assert.equal(app.url, url);
    assert.deepEqual(app.whitelist, []);
    const signed = await signIn(frame);
    assert.equal(signed.ok, true, JSON.stringify(signed));
    // `?app=` is a link anyone can send: the origin it named must not become one that may frame
    // the default merchant's cashier (where the autopay switch acts).
    const { paymentUrl } = await createPayment(stack);
    const csp = (await fetch(paymentUrl)).headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors/, csp);
    assert.ok(!csp.includes(UNREGISTERED), `the throwaway app's origin may not frame the cashier: ${csp}`);
    assert.equal(app.merchantClientId, '', 'a throwaway app belongs to no merchant');
  });
});
