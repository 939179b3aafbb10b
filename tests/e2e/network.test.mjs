// my.downloadFile, my.uploadFile and the sockets inside the simulator, against the real
// sandbox: files travel through the super app's relay (whitelist checked again by the sandbox,
// its caps enforced), progress is reported, sockets reach a real WebSocket server, and the
// devtools log every call. The servers the app talks to are the loopback echo server
// (tests/server/echo-server.mjs) on port 18705, whitelisted for the fixture app.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { FIXTURE_APP_ID, FIXTURES, fixtureUrl, ROOT, startStack, SUPERAPP } from './harness.mjs';

const TIMEOUT = 20_000;
const FILES = 'http://127.0.0.1:18705';
let stack;
let files;

before(async () => {
  stack = await startStack();
  files = spawn(process.execPath, [join(ROOT, 'tests', 'server', 'echo-server.mjs'), '--port', '18705'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((ok, fail) => {
    files.stdout.on('data', (d) => { if (String(d).includes('listening')) ok(); });
    files.once('exit', (code) => fail(new Error(`the echo server exited (${code})`)));
  });
  const put = await fetch(`${SUPERAPP}/sandbox/mini-programs/${FIXTURE_APP_ID}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ whitelist: ['127.0.0.1:18702', '127.0.0.1:18705'] }),
  });
  assert.equal(put.status, 200, await put.text());
});
after(async () => {
  files?.kill();
  await stack?.stop();
});

async function open(t) {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const url = new URL(`${SUPERAPP}/`);
  url.searchParams.set('app', fixtureUrl('tradepay.html'));
  await page.goto(url.href);
  await page.frameLocator('#mini-program').locator('h1').waitFor({ timeout: TIMEOUT });
  const app = page.frames().find((f) => f.url().startsWith(`${FIXTURES}/tradepay.html`));
  await app.waitForFunction(() => window.miniprogramShim && window.my, null, { timeout: TIMEOUT });
  await app.evaluate(() => window.miniprogramShim.ready);
  return { page, app };
}

/** Runs `my[api](options)` in the page with a progress listener; the outcome and the events. */
function transfer(app, api, options) {
  return app.evaluate(([api, options]) => new Promise((resolve) => {
    const progress = [];
    const task = my[api](options);
    task.onProgressUpdate((p) => progress.push(p));
    task.then((value) => resolve({ ok: true, value, progress }), (value) => resolve({ ok: false, value, progress }));
  }), [api, options]);
}

describe('files and sockets in the simulator', () => {
  test('a download through the relay, then its upload, with progress and log entries', async (t) => {
    const { page, app } = await open(t);
    const size = 300_000;
    const down = await transfer(app, 'downloadFile', { url: `${FILES}/file?size=${size}&type=image/png` });
    assert.equal(down.ok, true, JSON.stringify(down.value));
    assert.match(down.value.apFilePath, /^https:\/\/resource\/apml[0-9a-f]{32}\.image$/);
    assert.equal(down.value.headers['content-type'], 'image/png');
    const last = down.progress.at(-1);
    assert.deepEqual(last, { progress: 100, totalBytesWritten: size, totalBytesExpectedToWrite: size });

    const up = await transfer(app, 'uploadFile', {
      url: `${FILES}/upload`, filePath: down.value.apFilePath, name: 'photo', fileType: 'image', formData: { orderId: 42 },
    });
    assert.equal(up.ok, true, JSON.stringify(up.value));
    assert.equal(up.value.statusCode, 200);
    const seen = JSON.parse(up.value.data);
    assert.deepEqual(seen.fields, { orderId: '42' });
    assert.equal(seen.files[0].size, size);
    assert.equal(seen.files[0].contentType, 'image/png');
    assert.equal(up.progress.at(-1).progress, 100);

    // No fileType, as a rental shop's page uploads its photos: the file goes with its own type.
    const bare = await transfer(app, 'uploadFile', { url: `${FILES}/upload`, filePath: down.value.apFilePath, name: 'photo' });
    assert.equal(bare.ok, true, JSON.stringify(bare.value));
    assert.equal(JSON.parse(bare.value.data).files[0].contentType, 'image/png');

    await page.getByRole('tab', { name: /JSAPI/ }).click();
    assert.equal(await page.locator('#jsapi-log tr', { hasText: 'downloadFile' }).count(), 1);
    assert.equal(await page.locator('#jsapi-log tr', { hasText: 'uploadFile' }).count(), 2);
  });

  test('attack: a file over the cap and a domain outside the whitelist are refused', async (t) => {
    const { app } = await open(t);
    const big = await transfer(app, 'downloadFile', { url: `${FILES}/file?size=${10 * 1024 * 1024 + 1}` });
    assert.equal(big.ok, false);
    assert.equal(big.value.error, 12);
    assert.match(big.value.errorMessage, /10485760 bytes/);
    // The sandbox refuses a domain the app did not register, even when the page's own
    // configuration is widened (a page can change its runtime, never the super app's list).
    await app.evaluate(() => window.miniprogramShim.configure({ whitelist: ['*'] }));
    const outside = await transfer(app, 'downloadFile', { url: 'http://127.0.0.1:18706/file' });
    assert.equal(outside.ok, false);
    assert.equal(outside.value.error, 4, JSON.stringify(outside.value));
    assert.match(outside.value.errorMessage, /127\.0\.0\.1:18706/);
  });

  test("an H5 page's AlipayJSBridge.call('openInBrowser') opens a new tab, without an opener", async (t) => {
    const { page, app } = await open(t);
    const popup = page.context().waitForEvent('page', { timeout: TIMEOUT });
    const answer = await app.evaluate((url) => new Promise((resolve) => {
      window.AlipayJSBridge.call('openInBrowser', { url }, resolve);
    }), `${FILES}/text`);
    assert.deepEqual(answer, {});
    const tab = await popup;
    await tab.waitForLoadState();
    assert.equal(tab.url(), `${FILES}/text`);
    assert.equal(await tab.evaluate(() => window.opener), null);
    const refused = await app.evaluate(() => new Promise((resolve) => {
      window.AlipayJSBridge.call('openInBrowser', { url: 'javascript:alert(document.domain)' }, resolve);
    }));
    assert.equal(refused.error, 2);
    await page.getByRole('tab', { name: /JSAPI/ }).click();
    assert.equal(await page.locator('#jsapi-log tr', { hasText: 'openInBrowser' }).count(), 2);
  });

  test('a socket to a real WebSocket server: open, echo, close', async (t) => {
    const { page, app } = await open(t);
    const seen = await app.evaluate((url) => new Promise((resolve) => {
      const events = [];
      my.onSocketOpen(() => { events.push('open'); my.sendSocketMessage({ data: 'hello' }); });
      my.onSocketMessage((m) => { events.push(`message ${m.data}`); my.closeSocket(); });
      my.onSocketClose((c) => { events.push(`close ${c.code}`); resolve(events); });
      my.connectSocket({ url });
    }), 'ws://127.0.0.1:18705/ws');
    assert.deepEqual(seen, ['open', 'message hello', 'close 1000']);
    await page.getByRole('tab', { name: /JSAPI/ }).click();
    for (const api of ['connectSocket', 'sendSocketMessage', 'closeSocket']) {
      assert.equal(await page.locator('#jsapi-log tr', { hasText: api }).count(), 1, api);
    }
  });
});
