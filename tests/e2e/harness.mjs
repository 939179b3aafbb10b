// End-to-end harness: the real sandbox binary, the real demo merchant, the pages, and Debian's
// Chromium driven by playwright-core. Every test gets a fresh browser context.
//
// Ports are fixed (18700–18704) so a `make run` on 8700–8702 can keep running beside the tests.

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startMerchant } from '../../www/demo-merchant/server.mjs';
import { parseConfig, signedRequestHeaders, toPrivateKey } from '../../www/demo-merchant/lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '..', '..');
export const SUPERAPP = 'http://127.0.0.1:18700';
export const MINI_PROGRAM = 'http://127.0.0.1:18701';
export const MERCHANT = 'http://127.0.0.1:18702';
export const FIXTURES = 'http://127.0.0.1:18703';
export const FORGER = 'http://127.0.0.1:18704';
export const DEMO_APP_ID = '2102020000000001';
/** The fixture mini program (tests/e2e/fixtures), registered at FIXTURES for the default merchant. */
export const FIXTURE_APP_ID = '2102020000000002';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function waitFor(url, what, process) {
  for (let i = 0; i < 300; i++) {
    if (process && process.exitCode !== null) throw new Error(`${what} exited (code ${process.exitCode})`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up at ${url}`);
}

/** A static file server for tests/e2e/fixtures on one port (a mini program origin of its own). */
function serveFixtures(port) {
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript' };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname.replace(/^\/+/, '') || 'index.html';
    if (path.includes('..')) { res.writeHead(400).end(); return; }
    try {
      const body = await readFile(join(HERE, 'fixtures', path));
      res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((ok, fail) => { server.once('error', fail); server.listen(port, '127.0.0.1', () => ok(server)); });
}

/**
 * Starts everything; `stop()` ends it. Logs go to target/e2e-*.log-like buffers shown on failure.
 * `sandboxArgs`: more flags for the sandbox (e.g. `--app <dir>`).
 */
export async function startStack({ sandboxArgs = [] } = {}) {
  const sandboxLog = [];
  const sandbox = spawn(join(ROOT, 'target', 'debug', 'superapp-sandbox'), [
    '--listen', '127.0.0.1:18700', '--mini-program-listen', '127.0.0.1:18701',
    '--public-base-url', SUPERAPP, '--memory', '--notify-schedule', 'fast',
    '--pending-delay', '2', '--www-dir', join(ROOT, 'www'), '--pkg-dir', join(ROOT, 'pkg'), '--log', 'warn',
    ...(sandboxArgs.includes('--axml-pkg-dir') ? [] : ['--axml-pkg-dir', join(ROOT, 'pkg-axml')]), ...sandboxArgs,
  ], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [sandbox.stdout, sandbox.stderr]) stream.on('data', (d) => sandboxLog.push(String(d)));
  await waitFor(`${SUPERAPP}/sandbox/wallet-public-key.pem`, 'the sandbox', sandbox);

  const merchantLog = [];
  const merchant = await startMerchant(
    parseConfig(['--port', '18702', '--sandbox', SUPERAPP, '--memory'], {}),
    { log: (line) => merchantLog.push(line) },
  );
  const identity = await merchant.identityReady;
  if (!identity) throw new Error(`the demo merchant has no identity:\n${merchantLog.join('\n')}`);

  // The demo app may talk to the test merchant (the sandbox's default whitelist says :8702).
  // The fixture pages are a mini program of their own, registered at their origin: only a
  // registered origin may frame the cashier and consent pages.
  for (const [appId, app] of [
    [DEMO_APP_ID, { whitelist: ['127.0.0.1:18702'] }],
    [FIXTURE_APP_ID, { name: 'E2E fixture', url: `${FIXTURES}/`, whitelist: ['127.0.0.1:18702'] }],
  ]) {
    const put = await fetch(`${SUPERAPP}/sandbox/mini-programs/${appId}`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(app),
    });
    if (!put.ok) throw new Error(`registering ${appId} failed: ${put.status} ${await put.text()}`);
  }

  const fixtures = await serveFixtures(18703);
  const forger = await serveFixtures(18704);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });

  const defaultMerchant = await (await fetch(`${SUPERAPP}/sandbox/merchants/default`)).json();
  return {
    browser,
    logs: () => `--- sandbox ---\n${sandboxLog.join('').slice(-4000)}\n--- merchant ---\n${merchantLog.slice(-40).join('\n')}`,
    /** Calls the open API as the default sandbox merchant (signed). */
    async openApi(path, body) {
      const text = JSON.stringify(body);
      const headers = signedRequestHeaders({
        path, clientId: defaultMerchant.clientId, body: text, privateKey: toPrivateKey(defaultMerchant.privateKeyPem),
      });
      const res = await fetch(`${SUPERAPP}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: text });
      return res.json();
    },
    async stop() {
      await browser.close().catch(() => {});
      await merchant.close().catch(() => {});
      fixtures.close();
      forger.close();
      sandbox.kill('SIGTERM');
    },
  };
}

/** A paymentUrl for a fresh payment created straight through the open API. */
export async function createPayment(stack, { value = '1250', expirySeconds, notify } = {}) {
  const id = `e2e-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const body = {
    productCode: 'CASHIER_PAYMENT',
    paymentRequestId: id,
    paymentAmount: { currency: 'USD', value },
    order: { orderDescription: 'E2E test order', referenceOrderId: id, merchant: { merchantName: 'E2E Shop' } },
  };
  if (expirySeconds) body.paymentExpiryTime = rfc3339(new Date(Date.now() + expirySeconds * 1000));
  if (notify) body.paymentNotifyUrl = notify;
  const res = await stack.openApi('/v1/payments/pay', body);
  const url = res.redirectActionForm?.redirectUrl;
  if (!url) throw new Error(`pay failed: ${JSON.stringify(res)}`);
  return { paymentId: res.paymentId, paymentUrl: url, paymentRequestId: id };
}

function rfc3339(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** The simulator showing `app` (default: the demo on the test ports). */
export function simulatorUrl({ app } = {}) {
  const demo = `${MINI_PROGRAM}/?superapp=${encodeURIComponent(SUPERAPP)}&merchant=${encodeURIComponent(MERCHANT)}`;
  const url = new URL(`${SUPERAPP}/`);
  url.searchParams.set('app', app ?? demo);
  return url.href;
}

/**
 * Sets the super app's automation switches through its control endpoint (the only way:
 * no URL parameter turns them on): `{ autopay: 'BALANCE' | … | null, autoconsent: 'allow' | 'deny' | null }`.
 */
export async function setAutomation(patch) {
  const res = await fetch(`${SUPERAPP}/sandbox/settings`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`PUT /sandbox/settings: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * Turns off every authorization the signed-in user granted `appId` (what the user does in the
 * settings sheet of my.openSetting), so that its next my.getAuthCode asks in the consent sheet
 * again: a granted scope is remembered and not asked twice (docs/protocol.md §5c).
 */
export async function forgetAuthorizations(appId) {
  const url = `${SUPERAPP}/sandbox/auth/settings`;
  const res = await fetch(`${url}?appId=${encodeURIComponent(appId)}`, { cache: 'no-store' });
  const body = await res.json();
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${JSON.stringify(body)}`);
  const on = body.authorizations.filter((a) => a.granted).map((a) => [a.scope, false]);
  if (!on.length) return;
  const put = await fetch(url, {
    method: 'PUT', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appId, authSetting: Object.fromEntries(on) }),
  });
  if (!put.ok) throw new Error(`PUT ${url}: ${put.status} ${await put.text()}`);
}

export function fixtureUrl(page = 'tradepay.html') {
  return `${FIXTURES}/${page}?superapp=${encodeURIComponent(SUPERAPP)}&appId=${FIXTURE_APP_ID}`;
}
