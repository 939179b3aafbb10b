// my.getServerTime end to end (docs/protocol.md §5e): the page asks the simulator's shell,
// which reads the sandbox's clock; bad options are error 2; outside the simulator (no shell)
// error 3 saying why. The native logic layer's call goes the same way: native-animation's test.
// Real Chromium, real sandbox.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureUrl, FIXTURES, simulatorUrl, startStack } from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

const TIMEOUT = 20_000;

/** Calls `my[api](options)` in the mini program and waits for its three events. */
async function call(frame, api, options) {
  const before = await frame.evaluate(() => window.events.length);
  await frame.evaluate(([a, o]) => window.callMy(a, o), [api, options]);
  await frame.waitForFunction((n) => window.events.length >= n + 3, before, { timeout: TIMEOUT });
  return frame.evaluate((n) => window.events.slice(n), before);
}

test('in the simulator: the sandbox clock in Unix ms; bad options are error 2', async (t) => {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(simulatorUrl({ app: fixtureUrl() }));
  await page.frameLocator('#mini-program').locator('#pay').waitFor({ timeout: TIMEOUT });
  const frame = page.frames().find((f) => f.url().startsWith(`${FIXTURES}/tradepay.html`));
  await frame.waitForFunction(() => typeof window.callMy === 'function');

  const from = Date.now();
  const seen = await call(frame, 'getServerTime', {});
  const to = Date.now();
  assert.deepEqual(seen.map((e) => e.kind), ['success', 'complete', 'resolved']);
  assert.deepEqual(Object.keys(seen[0].value), ['time']);
  const { time } = seen[0].value;
  assert.ok(Number.isInteger(time) && from <= time && time <= to, `${from} <= ${time} <= ${to}`);
  assert.equal(await frame.evaluate(() => my.canIUse('getServerTime.success.time')), true);

  const err = await frame.evaluate(async () => {
    try { await my.getServerTime('now'); return null; } catch (e) { return { error: e.error, errorMessage: e.errorMessage }; }
  });
  assert.equal(err?.error, 2, JSON.stringify(err));
  assert.match(err.errorMessage, /options/);
});

test('attack: an answer posted by another window than the shell (here the page itself) is not taken', async (t) => {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  // The shell's read of the sandbox's clock waits until the forged answers have been posted.
  let release;
  const released = new Promise((r) => { release = r; });
  await page.route('**/sandbox/time', async (route) => { await released; await route.continue(); });
  await page.goto(simulatorUrl({ app: fixtureUrl() }));
  await page.frameLocator('#mini-program').locator('#pay').waitFor({ timeout: TIMEOUT });
  const frame = page.frames().find((f) => f.url().startsWith(`${FIXTURES}/tradepay.html`));
  await frame.waitForFunction(() => typeof window.callMy === 'function');

  const from = Date.now();
  await frame.evaluate(() => {
    window.__time = my.getServerTime().then((r) => r.time, (e) => `failed ${e.errorMessage}`);
    // Call ids are `time-<n>`: every likely one, with the right type, at the page's own origin.
    for (let n = 0; n < 50; n += 1) {
      window.postMessage({ type: 'miniprogram-shim:server-time-result', callId: `time-${n}`, time: 42 }, '*');
    }
  });
  await page.waitForTimeout(300);
  release();
  const time = await frame.evaluate(() => window.__time);
  assert.ok(Number.isInteger(time) && time >= from, `the shell's answer, not the forged 42: ${time}`);
});

test('standalone, outside the simulator: error 3 saying why', async (t) => {
  const context = await stack.browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(fixtureUrl());
  await page.waitForFunction(() => typeof window.callMy === 'function');
  const seen = await call(page.mainFrame(), 'getServerTime', {});
  assert.deepEqual(seen.map((e) => e.kind), ['fail', 'complete', 'rejected']);
  assert.equal(seen[0].value.error, 3);
  assert.match(seen[0].value.errorMessage, /getServerTime:fail .*simulator/);
});
