// my.getSetting and my.openSetting end to end (docs/protocol.md §5c): a scope granted in the
// consent sheet is remembered and reported; the user turns it off in the super app's settings
// sheet (keyboard only), openSetting answers with the new authSetting, and the next
// my.getAuthCode for it asks in the consent sheet again. Real Chromium, real sandbox.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FIXTURE_APP_ID, fixtureUrl, FIXTURES, forgetAuthorizations, simulatorUrl, startStack, SUPERAPP,
} from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

const TIMEOUT = 20_000;

async function inSimulator(t) {
  await forgetAuthorizations(FIXTURE_APP_ID);
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(simulatorUrl({ app: fixtureUrl() }));
  await page.frameLocator('#mini-program').locator('#pay').waitFor({ timeout: TIMEOUT });
  const frame = page.frames().find((f) => f.url().startsWith(`${FIXTURES}/tradepay.html`));
  await frame.waitForFunction(() => typeof window.callMy === 'function');
  return { page, frame };
}

/** Calls `my[api](options)` in the mini program and waits for its three events. */
async function call(frame, api, options) {
  const before = await frame.evaluate(() => window.events.length);
  await frame.evaluate(([a, o]) => window.callMy(a, o), [api, options]);
  await frame.waitForFunction((n) => window.events.length >= n + 3, before, { timeout: TIMEOUT });
  return frame.evaluate((n) => window.events.slice(n), before);
}

test('openSetting turns a scope off, and getAuthCode asks for it again', async (t) => {
  const { page, frame } = await inSimulator(t);
  const consent = page.frameLocator('#cashier');

  // Granted once in the consent sheet …
  await frame.evaluate(() => window.callMy('getAuthCode', { scopes: ['auth_user'] }));
  await consent.locator('#allow').click({ timeout: TIMEOUT });
  await frame.waitForFunction(() => window.events.length >= 3, null, { timeout: TIMEOUT });
  assert.equal((await frame.evaluate(() => window.events[0])).kind, 'success');
  // … reported by getSetting, in Alipay's key and the scope's own name …
  let seen = await call(frame, 'getSetting', {});
  assert.deepEqual(seen.map((e) => e.kind), ['success', 'complete', 'resolved']);
  assert.deepEqual(seen[0].value, { authSetting: { userInfo: true, auth_user: true } });
  // … and not asked again.
  seen = await call(frame, 'getAuthCode', { scopes: ['auth_user'] });
  assert.equal(seen[0].kind, 'success', JSON.stringify(seen[0]));
  assert.equal(await page.locator('#cashier-sheet').isHidden(), true, 'no consent sheet the second time');

  // The settings sheet is the shell's, outside the mini program's frame.
  const before = await frame.evaluate(() => window.events.length);
  await frame.evaluate(() => window.callMy('openSetting', {}));
  const sheet = page.locator('#settings-sheet');
  await sheet.waitFor({ state: 'visible', timeout: TIMEOUT });
  assert.equal(await frame.evaluate(() => document.getElementById('settings-sheet')), null);
  assert.equal(await frame.evaluate(() => { try { return window.parent.document !== null; } catch { return 'cross-origin'; } }), 'cross-origin');
  const toggle = page.getByRole('switch', { name: /nickname and avatar/ });
  await toggle.waitFor({ timeout: TIMEOUT });
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  await page.locator('.phone').screenshot({ path: process.env.SETTINGS_SHEET_SCREENSHOT ?? '/tmp/settings-sheet.png' });
  // Keyboard only: Tab to the switch, Space turns it off, Escape closes.
  await page.keyboard.press('Tab');
  assert.equal(await toggle.evaluate((el) => el === document.activeElement), true, 'Tab reaches the switch');
  await page.keyboard.press('Space');
  await page.locator('#setting-auth_user[aria-checked=false]').waitFor({ timeout: TIMEOUT });
  assert.equal(await page.locator('#setting-auth_user').getAttribute('aria-disabled'), 'true', 'only the consent page turns it back on');
  await page.keyboard.press('Escape');
  await frame.waitForFunction((n) => window.events.length >= n + 3, before, { timeout: TIMEOUT });
  seen = await frame.evaluate((n) => window.events.slice(n), before);
  assert.deepEqual(seen.map((e) => e.kind), ['success', 'complete', 'resolved']);
  assert.deepEqual(seen[0].value, { authSetting: { userInfo: false, auth_user: false } });
  assert.equal(await sheet.isHidden(), true);

  // Turned off: the consent sheet asks again; declined → error 11.
  const next = await frame.evaluate(() => window.events.length);
  await frame.evaluate(() => window.callMy('getAuthCode', { scopes: ['auth_user'] }));
  await consent.locator('#deny').click({ timeout: TIMEOUT });
  await frame.waitForFunction((n) => window.events.length >= n + 3, next, { timeout: TIMEOUT });
  const denied = await frame.evaluate((n) => window.events.slice(n), next);
  assert.equal(denied[0].kind, 'fail');
  assert.equal(denied[0].value.error, 11);
  seen = await call(frame, 'getSetting', undefined);
  assert.deepEqual(seen[0].value, { authSetting: { userInfo: false, auth_user: false } });
});

test('getSetting answers for the launched app only, and bad options are error 2', async (t) => {
  const { frame } = await inSimulator(t);
  // Another app's grant (the demo's) is not this app's.
  const demo = await fetch(`${SUPERAPP}/sandbox/auth/authorize`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appId: '2102020000000001', scopes: ['USER_NAME'], decision: 'allow' }),
  });
  assert.equal(demo.status, 200);
  let seen = await call(frame, 'getSetting', {});
  assert.equal(seen[0].kind, 'success');
  assert.equal(seen[0].value.authSetting.USER_NAME, undefined, JSON.stringify(seen[0].value));
  for (const api of ['getSetting', 'openSetting']) {
    const err = await frame.evaluate(async (a) => {
      try { await my[a]('settings'); return null; } catch (e) { return { error: e.error, errorMessage: e.errorMessage }; }
    }, api);
    assert.equal(err?.error, 2, `${api}: ${JSON.stringify(err)}`);
    assert.match(err.errorMessage, /options/);
  }
});

test('standalone, outside the simulator, getSetting fails with error 3 saying why', async (t) => {
  const context = await stack.browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(fixtureUrl());
  await page.waitForFunction(() => typeof window.callMy === 'function');
  const seen = await call(page.mainFrame(), 'getSetting', {});
  assert.deepEqual(seen.map((e) => e.kind), ['fail', 'complete', 'rejected']);
  assert.equal(seen[0].value.error, 3);
  assert.match(seen[0].value.errorMessage, /simulator/);
});
