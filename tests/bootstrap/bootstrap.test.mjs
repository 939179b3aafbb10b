// Browser tests of the `my.js` bootstrap (Playwright driving Debian's Chromium):
// calls made before the wasm is ready are queued and replayed in order; configuration comes
// from the super app's runtime config, data-* attributes and the simulator shell.
// Run by tests/bootstrap/run (which starts the test server and builds pkg/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { typingsApis } from '../jsapi/typings.mjs';

const STATIC = process.env.STATIC_URL || 'http://127.0.0.1:8790';
const ECHO = process.env.ECHO_SERVER_URL || 'http://127.0.0.1:8791';
let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { await browser?.close(); });

async function open(path) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${STATIC}${path}`);
  return { page, errors };
}

test('a download and a SocketTask made before the runtime is ready keep their task methods', async () => {
  const { page, errors } = await open('/tests/bootstrap/early-network.html');
  const r = await page.evaluate(async () => {
    await miniprogramShim.ready;
    const path = await window.downloaded;
    const aborted = await window.abortedResult;
    const sent = await window.sent;
    await window.socketClosed;
    const flooded = await window.flooded;
    return { ...window.results, path, aborted, sent, flooded };
  });
  assert.deepEqual(r.taskMethods, ['function', 'function', 'function']);
  assert.deepEqual(r.socketMethods, ['function', 'function', 'function', 'function', 'function']);
  assert.match(r.path, /^https:\/\/resource\/apml[0-9a-f]{32}\.image$/);
  assert.equal(r.progress.at(-1), 100, `progress ${r.progress}`);
  assert.equal(r.aborted, 9);
  assert.equal(r.sent, true);
  assert.deepEqual(r.socket, ['open', 'message early', 'close']);
  assert.equal(r.flooded.length, 129);
  assert.deepEqual(r.flooded.slice(0, 64), Array(64).fill('ok'));
  for (const o of r.flooded.slice(64, 128)) assert.match(o, /^12 .*64 messages/);
  assert.match(r.flooded[128], /^12 SocketTask\.send:fail 128 calls already wait on this SocketTask for the runtime to load/);
  assert.deepEqual(errors.filter((e) => !e.includes('favicon') && !e.includes('404')), []);
});

test('audio objects made before the runtime is ready: values and listeners reach the real ones', async () => {
  const { page, errors } = await open('/tests/bootstrap/early-audio.html');
  const r = await page.evaluate(async () => {
    await miniprogramShim.ready;
    const duration = await window.canplay;
    return { ...window.results, duration, volumeAfter: window.ctx.volume, src: window.ctx.src.slice(0, 5), bgAfter: my.getBackgroundAudioManager() === window.bg };
  });
  assert.deepEqual(r.members, Array(8).fill('function'));
  assert.equal(r.volumeBefore, 0.3);
  assert.equal(r.pausedBefore, true);
  assert.ok(Math.abs(r.duration - 0.5) < 0.01, `duration ${r.duration}`);
  assert.equal(r.volumeAfter, 0.3);
  assert.equal(r.src, 'blob:');
  assert.equal(r.sameBackground, true);
  assert.equal(r.bgAfter, true, 'the stand-in stays the one background manager');
  assert.deepEqual(errors.filter((e) => !e.includes('favicon') && !e.includes('404')), []);
});

test('calls made before the runtime is ready are queued, replayed in order and settle', async () => {
  const { page, errors } = await open('/tests/bootstrap/early.html');
  const results = await page.evaluate(async () => {
    await miniprogramShim.ready;
    const second = await window.second;
    const fifth = await window.fifth;
    await new Promise((r) => setTimeout(r, 300)); // callbacks done, unhandled rejections reported
    return { ...window.results, second, fifth, fetchOrder: window.fetchOrder, unhandled: window.unhandled,
      canIUseLate: SCHEMAS.map((s) => my.canIUse(s)) };
  });
  assert.equal(results.definedSync, true);
  assert.equal(results.abortIsFunction, true);
  // Replayed in call order: the first queued request leaves first, the aborted one never does.
  assert.deepEqual(results.fetchOrder.filter((u) => u.startsWith(ECHO)), [
    `${ECHO}/echo/first`, `${ECHO}/echo/second`, `${ECHO}/echo/sixth`,
  ]);
  assert.equal(results.second, '{"n":2}');
  assert.match(results.fifth, /^4 .*not-listed\.example/);
  const events = results.events;
  for (const e of ['success:/echo/first', 'complete:first', 'fail:9', 'complete:aborted', 'fail:2', 'complete:sixth']) {
    assert.ok(events.includes(e), `${e} in ${events}`);
  }
  assert.ok(events.indexOf('success:/echo/first') < events.indexOf('complete:first'));
  assert.ok(events.indexOf('fail:9') < events.indexOf('complete:aborted'));
  // Only the awaited-and-handled ones: nothing unhandled.
  assert.equal(results.unhandled, 0);
  // The static canIUse list of my.js agrees with the runtime's.
  assert.deepEqual(results.canIUseEarly, results.canIUseLate);
  assert.ok(errors.some((e) => e.includes('success callback threw')), errors.join('\n'));
  await page.close();
});

test('standalone: the extras module loads on the first call of one of its APIs, once, with the configuration', async () => {
  const page = await browser.newPage();
  const extras = [];
  page.on('request', (r) => { if (r.url().includes('/pkg/extras/')) extras.push(new URL(r.url()).pathname); });
  await page.goto(`${STATIC}/tests/bootstrap/extras.html`);
  const before = await page.evaluate(async () => {
    await miniprogramShim.ready;
    return { has: 'getLocation' in my, same: my.getLocation === my.getLocation, can: my.canIUse('getLocation.object.type') };
  });
  assert.deepEqual(before, { has: true, same: true, can: true });
  assert.deepEqual(extras, [], 'nothing of the extras module is fetched before a call');
  const results = await page.evaluate(async () => {
    await miniprogramShim.configure({ device: { location: { latitude: 30.2741, longitude: 120.1551, city: 'Hangzhou' } } });
    const order = [];
    const a = my.getLocation({ success: () => order.push('a') });
    const b = my.getLocation({ type: 1, success: () => order.push('b') });
    const [ra, rb] = await Promise.all([a, b]);
    const c = await my.getLocation();
    return { order, a: ra.latitude, b: rb.city, c: c.longitude };
  });
  assert.deepEqual(results, { order: ['a', 'b'], a: '30.2741', b: 'Hangzhou', c: '120.1551' });
  // The module, its wasm and its JS snippets (files and media), each fetched once.
  assert.deepEqual(extras, [...new Set(extras)], `each extras file is fetched once: ${extras.join(', ')}`);
  for (const file of ['/pkg/extras/miniprogram_shim_extras.js', '/pkg/extras/miniprogram_shim_extras_bg.wasm']) {
    assert.ok(extras.includes(file), `${file} was fetched: ${extras.join(', ')}`);
  }
  assert.ok(extras.every((p) => /^\/pkg\/extras\/(miniprogram_shim_extras(\.js|_bg\.wasm)|snippets\/.+\.js)$/.test(p)), extras.join(', '));
  await page.close();
});

test('standalone: an extras module that fails to load fails every call with error 3 naming why', async () => {
  const page = await browser.newPage();
  // The server has no extras module (as when pkg/extras/ was not built or not deployed).
  await page.route('**/pkg/extras/**', (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' }));
  await page.goto(`${STATIC}/tests/bootstrap/extras.html`);
  const results = await page.evaluate(async () => {
    await miniprogramShim.ready;
    const events = [];
    const settle = (p) => p.then(() => 'resolved', (e) => [e.error, e.errorMessage]);
    const first = settle(my.showActionSheet({ items: ['A'], fail: (e) => events.push(['fail', e.error]), complete: (e) => events.push(['complete', e.error]) }));
    const second = settle(my.scan());
    const queued = await Promise.all([first, second]);
    const later = await settle(my.getLocation());
    return { events, queued, later };
  });
  assert.deepEqual(results.events, [['fail', 3], ['complete', 3]]);
  for (const [code, message] of [...results.queued, results.later]) {
    assert.equal(code, 3);
    assert.match(message, /^unknown error: the extras module did not load from http:\/\/127\.0\.0\.1:\d+\/pkg\/extras\/miniprogram_shim_extras\.js: /);
  }
  await page.close();
});

test('the runtime config of the super app applies when data-app-id is set', async () => {
  const { page } = await open('/tests/bootstrap/runtime-config.html');
  const outcome = await page.evaluate(() => window.outcome);
  assert.deepEqual(outcome, [19, 200]); // httpErrorAsFail and the whitelist came from it
  await page.close();
});

test('data-* attributes win over the runtime config', async () => {
  const { page } = await open('/tests/bootstrap/data-override.html');
  assert.equal(await page.evaluate(() => window.outcome), 4);
  await page.close();
});

test('a runtime config that cannot be fetched is tolerated', async () => {
  const { page } = await open('/tests/bootstrap/no-sandbox.html');
  assert.equal(await page.evaluate(() => window.outcome), 200);
  await page.close();
});

test('inside the simulator: hello, settings from the shell, one log entry per call', async () => {
  const { page } = await open('/tests/bootstrap/shell.html');
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  await frame.waitForFunction(() => window.outcome);
  const outcome = await frame.evaluate(() => window.outcome);
  assert.deepEqual(outcome, [200, 19]); // whitelist and httpErrorAsFail came from the shell
  await page.waitForFunction(() => window.messages.filter((m) => m.type === 'miniprogram-shim:log').length >= 2);
  const messages = await page.evaluate(() => window.messages);
  assert.deepEqual(messages[0], { type: 'miniprogram-shim:hello', appId: 'sim-app' });
  const logs = messages.filter((m) => m.type === 'miniprogram-shim:log').map((m) => m.entry);
  assert.equal(logs.length, 2);
  const ok = logs.find((l) => l.ok);
  assert.equal(ok.api, 'request');
  assert.equal(ok.options.url, `${ECHO}/echo`);
  assert.equal(ok.result.status, 200);
  assert.equal(typeof ok.durationMs, 'number');
  assert.equal(logs.find((l) => !l.ok).result.error, 19);
  await page.close();
});

test('H5 pages: AlipayJSBridge is defined at once, queues, fires AlipayJSBridgeReady; Sync storage works from the first line', async () => {
  const { page, errors } = await open('/tests/bootstrap/h5-bridge.html');
  const r = await page.evaluate(() => window.done);
  const { log, readyEvents } = await page.evaluate(() => ({ log: window.log, readyEvents: window.readyEvents }));
  assert.equal(r.definedSync, true);
  // The documented ready() ran at once (bridge defined); its calls were queued and answered.
  assert.equal(r.app, 'superapp-sandbox');
  assert.deepEqual(r.unknown, { error: 1, errorMessage: 'startBeaconDiscovery is not supported by this super app' });
  // The event fired once, after the runtime was ready, for pages that only listen.
  assert.equal(readyEvents, 1);
  assert.ok(log.includes('event'), log.join(','));
  // Sync storage before the runtime: same key scheme, same results, same errors as after.
  assert.deepEqual(r.earlySet, { success: true });
  assert.deepEqual(r.earlyGet, { data: { n: 1, s: 'é' } });
  assert.deepEqual(r.lateGet, r.earlyGet);
  assert.deepEqual(r.lateAsync, r.earlyGet);
  assert.equal(r.raw, '{"n":1,"s":"é"}');
  assert.deepEqual(r.queued, { data: [1, 2] });
  assert.deepEqual(r.earlyBad, r.lateBad);
  assert.deepEqual(r.earlyBad.map((e) => e.error), [2, 2, 2, 2, 2]);
  assert.deepEqual(r.toast, {});
  // (the runtime config of h5-app is a 404 on the test server: tolerated)
  assert.deepEqual(errors.filter((e) => !e.includes('404')), []);
  await page.close();
});

test('early Sync storage keeps a running total, summed again only when another tab or the page changed storage', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route('**/pkg/**', () => {}); // never answered: my.js stays on its early path
  await page.goto(`${STATIC}/tests/bootstrap/storage-early.html`);
  const r = await page.evaluate(() => {
    const prefix = 'miniprogram-shim/tally-app/';
    localStorage.clear();
    const fresh = () => Object.keys(localStorage).filter((k) => k.startsWith(prefix))
      .reduce((n, k) => n + k.length - prefix.length + localStorage.getItem(k).length, 0);
    // Counts localStorage.key(i) calls: each is one key visited by a full re-sum.
    const visits = (calls) => {
      const original = Storage.prototype.key;
      let n = 0;
      Storage.prototype.key = function (i) { n += 1; return original.call(this, i); };
      try { calls(); } finally { Storage.prototype.key = original; }
      return n;
    };
    const otherTab = (key, value) => {
      const oldValue = key === null ? null : localStorage.getItem(key);
      if (key === null) localStorage.clear(); else localStorage.setItem(key, value);
      window.dispatchEvent(new StorageEvent('storage', { key, oldValue, newValue: value, storageArea: localStorage }));
    };
    const out = {};
    for (let i = 0; i < 20; i++) my.setStorageSync(`k${i}`, 'x'.repeat(100 + i));
    out.ownCalls = visits(() => {
      out.results = [my.setStorageSync('k3', 'y'.repeat(5000)), my.setStorageSync('new', 7),
        my.removeStorageSync('k4'), my.removeStorageSync('absent'), my.getStorageSync('k3').data.length];
    });
    otherTab(`${prefix}k5`, 'z'.repeat(9000)); // an overwrite: localStorage.length unchanged
    out.afterOtherTab = visits(() => my.setStorageSync('k6', 1));
    localStorage.setItem('their-own', '1');
    my.setStorageSync('k9', 3);
    otherTab('their-own', '2'); // not a shim key
    out.afterUnrelated = visits(() => my.setStorageSync('k9', 4));
    localStorage.setItem('page-own', '1'); // the page itself: no event, but length changes
    out.afterPageOwn = visits(() => my.setStorageSync('k10', 5));
    out.fresh = fresh();
    out.quota = my.setStorageSync('big', 'x'.repeat(204800));
    localStorage.clear();
    return out;
  });
  assert.deepEqual(r.results, [{ success: true }, { success: true }, { success: true }, { success: true }, 5000]);
  assert.equal(r.ownCalls, 0);
  assert.ok(r.afterOtherTab > 0, `another tab's change was not seen (${r.afterOtherTab})`);
  assert.equal(r.afterUnrelated, 0);
  assert.ok(r.afterPageOwn > 0);
  assert.equal(r.quota.error, 2);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the request demo page visibly works', async () => {
  const { page } = await open(`/request-demo/?server=${encodeURIComponent(ECHO)}`);
  await page.evaluate(() => miniprogramShim.ready.then(() => 0)); // its whitelist for ?server= applied
  await page.click('#get');
  await page.click('#abort');
  await page.waitForSelector('#log li[data-label="GET"]');
  await page.waitForSelector('#log li[data-label="abort"]');
  const get = await page.textContent('#log li[data-label="GET"]');
  assert.match(get, /GET → success/);
  assert.match(get, /coffee%20%26%20tea/);
  assert.match(await page.textContent('#log li[data-label="abort"]'), /"error": 9/);
  await page.close();
});

test('every my.<name> answers before and after the runtime is ready (issue 9)', async () => {
  const { page } = await open('/tests/bootstrap/every-name.html');
  const names = typingsApis().map((a) => a.name);
  const early = await page.evaluate((list) => list.map((n) => my.canIUse(n)), names);
  const out = await page.evaluate(async (list) => {
    await miniprogramShim.ready;
    const awaited = await window.awaited;
    const network = await window.network;
    await new Promise((res) => setTimeout(res, 100));
    // The runtime is ready: the late forms.
    const late = {
      canIUse: list.map((n) => my.canIUse(n)),
      systemInfo: typeof my.getSystemInfoSync().windowWidth,
      unknownSync: my.madeUpSync(),
      info: my.getStorageInfoSync(),
    };
    return { ...window.results, awaited, network, late, unhandled: window.unhandled };
  }, names);
  assert.deepEqual(early, out.late.canIUse, 'the static canIUse list of my.js agrees with the runtime for every typings name');
  assert.equal(out.thenType, 'undefined');
  assert.deepEqual(out.inMy, { getNetworkType: true, startBeaconDiscovery: false, request: true });
  assert.equal(out.sameFunction, true);
  assert.ok(out.events.includes('fail:1:startBeaconDiscovery is not supported by this simulator'), out.events.join());
  assert.ok(out.events.indexOf('fail:1:startBeaconDiscovery is not supported by this simulator') < out.events.indexOf('complete:startBeaconDiscovery'));
  assert.equal(out.awaited, '1 someFutureApi is not supported by this simulator');
  assert.equal(out.network, 'WIFI');
  assert.deepEqual(out.earlyInfo, { keys: ['a'], currentSize: 1, limitSize: 10240 });
  assert.deepEqual(out.earlyClear, { success: true });
  assert.deepEqual(out.earlyInfoAfterClear, { keys: [], currentSize: 0, limitSize: 10240 });
  assert.deepEqual(out.late.info, out.earlyInfoAfterClear);
  const unsupported = (name) => ({ error: 1, errorMessage: `${name} is not supported by this simulator` });
  assert.deepEqual(out.earlyUnknownSync, unsupported('madeUpSync'));
  assert.deepEqual(out.late.unknownSync, unsupported('madeUpSync'));
  assert.deepEqual(out.earlyCreate, unsupported('createSelectorQuery'));
  assert.equal(out.earlySystemInfo.error, 3);
  assert.match(out.earlySystemInfo.errorMessage, /miniprogramShim\.ready/);
  assert.equal(out.late.systemInfo, 'number');
  assert.deepEqual(out.earlyAppId, { appId: 'every-name-app' });
  assert.equal(out.earlyListener, undefined);
  assert.ok(!out.events.includes('never'));
  assert.equal(out.unhandled, 0);
  await page.close();
});
