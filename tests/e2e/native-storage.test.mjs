// The Sync APIs in a native mini program's logic layer (a Worker): my.getStorageSync and the
// rest at a module's top level and in onLoad, with the H5 runtime's keys, limits and errors;
// data that survives a reload and that my.getStorage and an H5 page of the same app see; the
// info APIs (getSystemInfoSync, getWindowInfo, …). In Chromium (playwright) and in Firefox
// (geckodriver, spoken to over WebDriver here: playwright drives only its own Firefox build).
// Fixture: tests/e2e/fixtures/native-storage. DESIGN.md "Native mini programs: Sync APIs".

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startStack, MINI_PROGRAM, ROOT } from './harness.mjs';

const TIMEOUT = 20_000;
const APP_URL = `${MINI_PROGRAM}/native/storage/`;
// An H5 page of the same app: my.js with data-app-id="storage" on the mini program origin.
const H5_PAGE = '<!doctype html><title>h5</title><script src="/my.js" data-app-id="storage"></script>';
let stack;

before(async () => {
  stack = await startStack({ sandboxArgs: ['--app', `storage=${join(ROOT, 'tests/e2e/fixtures/native-storage')}`] });
});
after(async () => { await stack?.stop(); });

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

/** A tab in Chromium: evaluate an expression (awaited), in the page. */
async function chromiumBrowser(t) {
  const context = await stack.browser.newContext({ viewport: { width: 390, height: 800 } });
  t.after(() => context.close());
  const errors = [];
  return {
    errors,
    async tab(url) {
      const tab = await context.newPage();
      tab.on('pageerror', (e) => errors.push(String(e)));
      await tab.goto(url);
      return {
        eval: (expr) => tab.evaluate(`(async () => (${expr}))()`),
        write: async (html) => { await tab.setContent(html); },
        reload: async () => { await tab.reload(); },
        screenshot: (path) => tab.screenshot({ path }),
      };
    },
  };
}

/** The same over WebDriver with geckodriver and the system's Firefox, headless. */
async function firefoxBrowser(t) {
  const port = 18790;
  const driver = spawn(process.env.GECKODRIVER ?? join(homedir(), '.cargo/bin/geckodriver'), ['--port', String(port)], { stdio: 'ignore' });
  t.after(() => driver.kill('SIGTERM'));
  const base = `http://127.0.0.1:${port}`;
  async function wd(method, path, body) {
    for (let i = 0; ; i += 1) {
      try {
        const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
        const json = await res.json();
        if (!res.ok) throw new Error(`WebDriver ${method} ${path}: ${JSON.stringify(json.value)}`);
        return json.value;
      } catch (e) {
        if (i > 50 || !/fetch failed|ECONNREFUSED/.test(String(e?.cause ?? e))) throw e;
        await sleep(100);
      }
    }
  }
  const session = await wd('POST', '/session', {
    capabilities: { alwaysMatch: { 'moz:firefoxOptions': { args: ['-headless'], prefs: { 'dom.storage.enabled': true } } } },
  });
  const s = `/session/${session.sessionId}`;
  t.after(() => wd('DELETE', s).catch(() => {}));
  let first = true;
  return {
    errors: [],
    async tab(url) {
      let handle;
      if (first) { first = false; handle = await wd('GET', `${s}/window`); } else {
        handle = (await wd('POST', `${s}/window/new`, { type: 'tab' })).handle;
      }
      const focus = () => wd('POST', `${s}/window`, { handle });
      await focus();
      await wd('POST', `${s}/url`, { url });
      return {
        eval: async (expr) => {
          await focus();
          return wd('POST', `${s}/execute/async`, {
            script: `const done = arguments[arguments.length - 1]; (async () => (${expr}))().then((v) => done({ v }), (e) => done({ e: String(e) }));`,
            args: [],
          }).then((r) => { if (r && 'e' in r) throw new Error(r.e); return r?.v; });
        },
        write: async (html) => {
          await focus();
          await wd('POST', `${s}/execute/sync`, { script: 'document.open(); document.write(arguments[0]); document.close();', args: [html] });
        },
        reload: async () => { await focus(); await wd('POST', `${s}/refresh`, {}); },
        screenshot: async () => {},
      };
    },
  };
}

/** Waits until `expr` (in the tab) is truthy; returns its value. */
async function until(tab, expr, what) {
  const deadline = Date.now() + TIMEOUT;
  let last;
  for (;;) {
    try { last = await tab.eval(expr); } catch (e) { last = e; }
    if (last && !(last instanceof Error)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what ?? expr}: ${last}`);
    await sleep(100);
  }
}

const textOf = (id) => `document.getElementById(${JSON.stringify(id)})?.textContent`;
const tap = (tab, id) => tab.eval(`document.getElementById(${JSON.stringify(id)}).click()`);
const h5Ready = 'window.miniprogramShim.ready.then(() => true)';

// The same calls as the fixture's `errors` handler, made by the H5 runtime.
const H5_ERRORS = `[
  my.setStorageSync({ key: 'big', data: 'x'.repeat(200 * 1024) }),
  my.getStorageSync({ key: '' }),
  my.setStorageSync({ key: 'f', data: undefined }),
  my.removeStorageSync({}),
  my.getStorageSync({ key: 'nothing' }),
]`;

async function scenario(browser, shot) {
  const app = await browser.tab(APP_URL);
  await until(app, textOf('launches'), 'the first launch');
  const h5 = await browser.tab(`${MINI_PROGRAM}/native/storage/files/pages/index/index.axml`);
  await h5.write(H5_PAGE);
  await until(h5, h5Ready, 'the H5 runtime');
  // A clean start: the browser context is new, but the Firefox profile outlives a test.
  await h5.eval('my.clearStorageSync()');
  await app.reload();

  // Top level of app.js: a first launch. (The page renders its `data` before onLoad's setData,
  // which fills `info` and `launches` together: wait for that, not for the first render's 0.)
  await until(app, textOf('info'), "the first page's onLoad");
  assert.equal(await app.eval(textOf('launches')), '1');
  assert.equal(await app.eval(textOf('profile')), 'null');
  const info = JSON.parse(await app.eval(textOf('info')));
  const h5Info = await h5.eval(`({ sys: my.getSystemInfoSync(), base: my.getAppBaseInfo() })`);
  assert.equal(info.appId, 'storage');
  assert.equal(info.account, 'storage');
  assert.equal(info.platform, h5Info.sys.platform);
  assert.equal(info.storage, h5Info.sys.storage);
  assert.equal(info.sdk, 'string');
  assert.ok(info.windowWidth > 0 && info.windowWidth === info.ww, JSON.stringify(info));
  assert.equal(info.launchPath, 'pages/index/index');
  assert.equal(info.enterPath, 'pages/index/index');
  assert.deepEqual(info.launchQuery, {});

  // my.canIUse answers at once in the logic layer, as the H5 runtime does for its APIs; the
  // logic layer's own APIs and the built-in components by name.
  const canIUse = JSON.parse(await app.eval(textOf('can-i-use')));
  const h5CanIUse = await h5.eval(`['request', 'request.object.url', 'request.object.nope',
    'getSystemInfoSync.return.windowWidth'].map((s) => my.canIUse(s))`);
  assert.deepEqual(canIUse.slice(0, 4), h5CanIUse);
  assert.deepEqual(canIUse, [true, true, false, true, true, true, true, true, false, false, false, false]);

  // A write, then my.getStorage (async) and another page's onLoad see it at once.
  await tap(app, 'save');
  assert.equal(await until(app, textOf('from-async'), 'getStorage'), '{"name":"Ada","visits":2}');
  assert.equal(await app.eval(textOf('saved')), '{"success":true}');
  await tap(app, 'to-other');
  assert.equal(await until(app, textOf('other-profile'), 'the other page'), '{"name":"Ada","visits":2}');

  // Errors: the same fail objects as the H5 runtime's, word for word.
  await app.eval('history.length'); // (the tab is still the app's)
  await app.reload();
  await until(app, textOf('info'), "the reloaded page's onLoad");
  await tap(app, 'errors-btn');
  const errors = JSON.parse(await until(app, textOf('errors'), 'the errors'));
  assert.deepEqual(errors, await h5.eval(H5_ERRORS));
  assert.equal(errors[0].error, 2);

  // The app's 10 MB: 51 keys of 200 KB fit, the 52nd is refused with the H5 message.
  await tap(app, 'quota-btn');
  const quota = JSON.parse(await until(app, textOf('quota'), 'the quota run'));
  assert.equal(quota.stored, 51, JSON.stringify(quota));
  assert.equal(quota.res.error, 2);
  assert.match(quota.res.errorMessage, /^invalid parameter `data`: would bring this mini program's storage to \d+ characters; the limit is 10485760 \(10 MB\)$/);
  assert.equal(quota.limit, 10240);
  assert.ok(quota.before > 10000 && quota.after < 5, JSON.stringify(quota));

  // Written through: the reload saw launches 2, the H5 page of the same app sees the profile.
  assert.equal(await app.eval(textOf('launches')), '2');
  // The Worker writes through in order, one message behind: wait for the last removal.
  await until(h5, `my.getStorageInfoSync().keys.length === 2 && my.getStorageSync({ key: 'profile' }).data?.name === 'Ada'`, 'the write-through');
  assert.deepEqual((await h5.eval('my.getStorageInfoSync().keys')).sort(), ['launches', 'profile']);

  // The H5 page writes; the native app's Worker sees it (a storage event in its page).
  await h5.eval(`my.setStorageSync({ key: 'fromH5', data: [1, 'two'] })`);
  await until(app, `(document.getElementById('read-h5').click(), new Promise((r) => setTimeout(r, 50)))
    .then(() => document.getElementById('from-h5').textContent === '[1,"two"]')`, 'the H5 write in the Worker');
  await tap(app, 'list');
  assert.equal(await until(app, textOf('keys'), 'the keys'), 'fromH5,launches,profile');
  await shot?.(app);

  // clearStorageSync: this app's keys only, in the H5 page too.
  await h5.eval(`localStorage.setItem('miniprogram-shim/other-app/k', '1')`);
  await tap(app, 'clear');
  await until(h5, 'my.getStorageInfoSync().keys.length === 0', 'the clear');
  assert.equal(await h5.eval(`localStorage.getItem('miniprogram-shim/other-app/k')`), '1');
  await h5.eval(`localStorage.removeItem('miniprogram-shim/other-app/k')`);
}

describe('Sync APIs in the logic layer', () => {
  test('Chromium: storage at top level and in onLoad, quota, reload, getStorage and an H5 page', async (t) => {
    const browser = await chromiumBrowser(t);
    await scenario(browser, (app) => app.screenshot(join(ROOT, 'target', 'native-storage.png')));
    assert.deepEqual(browser.errors, []);
  });

  test('Firefox: the same', { skip: !existsSync(process.env.GECKODRIVER ?? join(homedir(), '.cargo/bin/geckodriver')) && 'no geckodriver' }, async (t) => {
    await scenario(await firefoxBrowser(t));
  });

  test('Chromium: getWindowInfo and getSystemInfoSync follow a resize', async (t) => {
    const context = await stack.browser.newContext({ viewport: { width: 390, height: 800 } });
    t.after(() => context.close());
    const tab = await context.newPage();
    await tab.goto(APP_URL);
    await tab.locator('#launches').filter({ hasText: /\d/ }).waitFor({ timeout: TIMEOUT });
    await tab.locator('#winfo-btn').click();
    await tab.locator('#winfo', { hasText: '390 390' }).waitFor({ timeout: TIMEOUT });
    await tab.setViewportSize({ width: 500, height: 800 });
    const deadline = Date.now() + TIMEOUT;
    while (Date.now() < deadline) {
      await tab.locator('#winfo-btn').click();
      if (await tab.locator('#winfo').textContent() === '500 500') break;
      await sleep(100);
    }
    assert.equal(await tab.locator('#winfo').textContent(), '500 500');
  });
});
