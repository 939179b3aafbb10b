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

test('getAuthUserInfo: nickName and avatar only after the auth_user consent, for this app; the page cannot read the profile itself', async (t) => {
  const { page, frame } = await inSimulator(t);
  // Not granted (never asked): fail 11 naming the call to make first, and no sheet opens.
  let seen = await call(frame, 'getAuthUserInfo', {});
  assert.deepEqual(seen.map((e) => e.kind), ['fail', 'complete', 'rejected']);
  assert.equal(seen[0].value.error, 11);
  assert.match(seen[0].value.errorMessage, /my\.getAuthCode\(\{ scopes: 'auth_user' \}\)/);
  assert.equal(await page.locator('#cashier-sheet').isHidden(), true);
  // Another app's grant (the demo's) is not this app's.
  const demo = await fetch(`${SUPERAPP}/sandbox/auth/authorize`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appId: '2102020000000001', scopes: ['auth_user'], decision: 'allow' }),
  });
  assert.equal(demo.status, 200);
  seen = await call(frame, 'getAuthUserInfo', undefined);
  assert.equal(seen[0].value.error, 11, JSON.stringify(seen[0]));
  // Granted in the consent sheet: Alice's nickname and avatar.
  const consent = page.frameLocator('#cashier');
  const before = await frame.evaluate(() => window.events.length);
  await frame.evaluate(() => window.callMy('getAuthCode', { scopes: ['auth_user'] }));
  await consent.locator('#allow').click({ timeout: TIMEOUT });
  await frame.waitForFunction((n) => window.events.length >= n + 3, before, { timeout: TIMEOUT });
  seen = await call(frame, 'getAuthUserInfo', {});
  assert.deepEqual(seen.map((e) => e.kind), ['success', 'complete', 'resolved']);
  assert.deepEqual(Object.keys(seen[0].value).sort(), ['avatar', 'nickName']);
  assert.equal(seen[0].value.nickName, 'Alice');
  assert.equal(seen[0].value.avatar, `${SUPERAPP}/sandbox/avatars/2088000000000001.svg`);
  // The attack: the mini program's page asks the sandbox itself (it would skip the shell's
  // "which app did I launch"): refused by origin, with the grant in place.
  const direct = await frame.evaluate(async (url) => {
    try {
      const r = await fetch(url);
      return { status: r.status, text: await r.text() };
    } catch (e) { return { blocked: String(e) }; }
  }, `${SUPERAPP}/sandbox/auth/user-info?appId=${FIXTURE_APP_ID}`);
  assert.ok(direct.blocked || direct.status === 403, JSON.stringify(direct));
  assert.ok(!JSON.stringify(direct).includes('Alice'), JSON.stringify(direct));
  // A message forged to the page from elsewhere is not the shell's answer: only the parent
  // window at the super app origin answers, so the page's own postMessage resolves nothing.
  const forged = await frame.evaluate(async () => {
    const p = my.getAuthUserInfo().then((v) => ({ ok: v }), (e) => ({ err: e.error }));
    for (let i = 0; i < 20; i++) {
      window.postMessage({ type: 'miniprogram-shim:auth-user-info-result', callId: `user-info-${i}`, nickName: 'Mallory', avatar: 'x' }, '*');
    }
    return p;
  });
  assert.equal(forged.ok?.nickName, 'Alice', JSON.stringify(forged));
  // Turned off in the settings sheet's API: refused again.
  const off = await fetch(`${SUPERAPP}/sandbox/auth/settings`, {
    method: 'PUT', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appId: FIXTURE_APP_ID, authSetting: { userInfo: false } }),
  });
  assert.equal(off.status, 200);
  seen = await call(frame, 'getAuthUserInfo', {});
  assert.equal(seen[0].value.error, 11);
});

test('standalone, outside the simulator, getAuthUserInfo fails with error 3 saying why', async (t) => {
  const context = await stack.browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(fixtureUrl());
  await page.waitForFunction(() => typeof window.callMy === 'function');
  const seen = await call(page.mainFrame(), 'getAuthUserInfo', {});
  assert.deepEqual(seen.map((e) => e.kind), ['fail', 'complete', 'rejected']);
  assert.equal(seen[0].value.error, 3);
  assert.match(seen[0].value.errorMessage, /simulator/);
});
