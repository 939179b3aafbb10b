// User identity end to end (issue 5 §6): consent granted and denied in the super app's UI,
// a code used twice is refused, paying by balance debits the payer, too little balance → 4000
// with a FAIL notification. Real browser, real sandbox, signed open API calls.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import {
  createPayment, FIXTURE_APP_ID, fixtureUrl, FIXTURES, forgetAuthorizations, simulatorUrl, startStack, SUPERAPP,
} from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

const TIMEOUT = 20_000;

async function signIn(userId) {
  const res = await fetch(`${SUPERAPP}/sandbox/session`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }),
  });
  assert.equal(res.status, 200, await res.text());
}

async function users() {
  const body = await (await fetch(`${SUPERAPP}/sandbox/users`)).json();
  return Array.isArray(body) ? body : body.users;
}

async function fixturePage(t, { inSimulator = false } = {}) {
  // Each test meets the consent sheet: what an earlier one granted is turned off first.
  await forgetAuthorizations(FIXTURE_APP_ID);
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  if (inSimulator) {
    await page.goto(simulatorUrl({ app: fixtureUrl() }));
    await page.frameLocator('#mini-program').locator('#pay').waitFor({ timeout: TIMEOUT });
    const frame = page.frames().find((f) => f.url().startsWith(`${FIXTURES}/tradepay.html`));
    await frame.waitForFunction(() => typeof window.callMy === 'function');
    return { page, frame, sheet: page.frameLocator('#cashier') };
  }
  await page.goto(fixtureUrl());
  await page.waitForFunction(() => typeof window.callMy === 'function');
  return { page, frame: page.mainFrame(), sheet: page.frameLocator('.miniprogram-shim-consent iframe') };
}

async function waitEvents(frame, n) {
  await frame.waitForFunction((count) => window.events.length >= count, n, { timeout: TIMEOUT });
  return frame.evaluate(() => window.events);
}

describe('my.getAuthCode', () => {
  for (const inSimulator of [false, true]) {
    const where = inSimulator ? 'in the simulator' : 'standalone';

    test(`auth_base is silent and the code buys a token once (${where})`, async (t) => {
      const { frame } = await fixturePage(t, { inSimulator });
      await frame.evaluate(() => window.callMy('getAuthCode', { scopes: ['auth_base'] }));
      const [first] = await waitEvents(frame, 3);
      assert.equal(first.kind, 'success', JSON.stringify(first));
      assert.deepEqual(first.value.authSuccessScopes, ['auth_base']);
      const token = await stack.openApi('/v1/authorizations/applyToken', { grantType: 'AUTHORIZATION_CODE', authCode: first.value.authCode });
      assert.equal(token.result.resultStatus, 'S', JSON.stringify(token));
      assert.ok(token.accessToken && token.customerId);
      const again = await stack.openApi('/v1/authorizations/applyToken', { grantType: 'AUTHORIZATION_CODE', authCode: first.value.authCode });
      assert.equal(again.result.resultStatus, 'F');
      assert.equal(again.result.resultCode, 'USED_CODE');
      const info = await stack.openApi('/v1/users/inquiryUserInfo', { accessToken: token.accessToken });
      assert.equal(info.userInfo.userId, token.customerId);
      assert.equal(info.userInfo.nickName, undefined, 'auth_base grants the user id only');
    });

    test(`auth_user asks for consent; Allow gives a code for the user's profile (${where})`, async (t) => {
      const { frame, sheet } = await fixturePage(t, { inSimulator });
      await frame.evaluate(() => window.callMy('getAuthCode', { scopes: ['auth_user'] }));
      await sheet.locator('#allow').click({ timeout: TIMEOUT });
      const [first] = await waitEvents(frame, 3);
      assert.equal(first.kind, 'success', JSON.stringify(first));
      const token = await stack.openApi('/v1/authorizations/applyToken', { grantType: 'AUTHORIZATION_CODE', authCode: first.value.authCode });
      const info = await stack.openApi('/v1/users/inquiryUserInfo', { accessToken: token.accessToken });
      assert.equal(info.result.resultStatus, 'S', JSON.stringify(info));
      assert.ok(info.userInfo.nickName, 'auth_user grants the nickname');
    });

    test(`auth_user declined: fail with error 11 and authErrorScopes (${where})`, async (t) => {
      const { frame, sheet } = await fixturePage(t, { inSimulator });
      await frame.evaluate(() => window.callMy('getAuthCode', { scopes: ['auth_user'] }));
      await sheet.locator('#deny').click({ timeout: TIMEOUT });
      const seen = await waitEvents(frame, 3);
      assert.deepEqual(seen.map((e) => e.kind), ['fail', 'complete', 'rejected']);
      assert.equal(seen[0].value.error, 11);
      assert.deepEqual(seen[0].value.authErrorScopes, { auth_user: '10001' });
    });
  }

  test('the login-id and profile scopes ask, in plain words, and Allow reveals those fields only', async (t) => {
    await signIn('2088000000000001'); // Alice: F, 1990-04-21, US
    const { frame, sheet } = await fixturePage(t);
    const scopes = ['HASH_LOGIN_ID', 'USER_GENDER', 'USER_BIRTHDAY', 'USER_NATIONALITY'];
    await frame.evaluate((s) => window.callMy('getAuthCode', { scopes: s }), scopes);
    const items = sheet.locator('#scopes li');
    await items.nth(scopes.length - 1).waitFor({ timeout: TIMEOUT });
    assert.deepEqual(await items.allTextContents(), [
      'Recognise your login id (a one-way hash of it, not the id itself)',
      'See your gender', 'See your date of birth', 'See your nationality',
    ]);
    await sheet.locator('#allow').click({ timeout: TIMEOUT });
    const [first] = await waitEvents(frame, 3);
    assert.equal(first.kind, 'success', JSON.stringify(first));
    assert.deepEqual(first.value.authSuccessScopes, scopes);
    const token = await stack.openApi('/v1/authorizations/applyToken', { grantType: 'AUTHORIZATION_CODE', authCode: first.value.authCode });
    const { userInfo } = await stack.openApi('/v1/users/inquiryUserInfo', { accessToken: token.accessToken });
    assert.equal(userInfo.gender, 'F');
    assert.equal(userInfo.birthDate, '1990-04-21');
    assert.equal(userInfo.nationality, 'US');
    assert.match(userInfo.loginIdInfos[0].hashLoginId, /^[0-9a-f]{64}$/);
    assert.equal(userInfo.loginIdInfos[0].loginId, undefined, 'the hash only, never the plain id');
    assert.equal(userInfo.nickName, undefined);
  });

  test('the authorize endpoint refuses a mini program origin (only the super app mints codes)', async () => {
    const res = await fetch(`${SUPERAPP}/sandbox/auth/authorize`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: FIXTURES },
      body: JSON.stringify({ appId: '2102020000000001', scopes: ['auth_base'], decision: 'allow' }),
    });
    assert.equal(res.status, 403);
  });
});

describe('balances', () => {
  test('paying by balance debits the payer; too little balance → 4000 and a FAIL notification', async (t) => {
    const notifications = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        notifications.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}');
      });
    });
    await new Promise((ok) => receiver.listen(0, '127.0.0.1', ok));
    t.after(() => receiver.close());
    const notify = `http://127.0.0.1:${receiver.address().port}/notify`;

    const everyone = await users();
    const rich = everyone.find((u) => Number(u.balances?.USD ?? 0) >= 100000);
    const poor = everyone.find((u) => Number(u.balances?.USD ?? 0) > 0 && Number(u.balances.USD) < 1250);
    assert.ok(rich && poor, `sandbox users: ${JSON.stringify(everyone)}`);
    t.after(() => signIn(rich.userId));

    const { page, frame } = await fixturePage(t);
    await signIn(rich.userId);
    const paid = await createPayment(stack, { value: '1250', notify });
    await frame.evaluate((url) => window.startTradePay({ paymentUrl: url }), paid.paymentUrl);
    await page.frameLocator('.miniprogram-shim-cashier iframe').locator('#pay').click({ timeout: TIMEOUT });
    let seen = await waitEvents(frame, 3);
    assert.deepEqual(seen[0].value, { resultCode: '9000' });
    const after = (await users()).find((u) => u.userId === rich.userId);
    assert.equal(Number(after.balances.USD), Number(rich.balances.USD) - 1250);

    await signIn(poor.userId);
    const declined = await createPayment(stack, { value: '1250', notify });
    await frame.evaluate((url) => window.startTradePay({ paymentUrl: url }), declined.paymentUrl);
    await page.frameLocator('.miniprogram-shim-cashier iframe').locator('#pay').click({ timeout: TIMEOUT });
    seen = await waitEvents(frame, 6);
    assert.deepEqual(seen[3].value, { resultCode: '4000' });
    const unchanged = (await users()).find((u) => u.userId === poor.userId);
    assert.equal(unchanged.balances.USD, poor.balances.USD, 'nothing debited');
    for (let i = 0; i < 100 && !notifications.some((n) => n.paymentId === declined.paymentId); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const fail = notifications.find((n) => n.paymentId === declined.paymentId);
    assert.equal(fail?.paymentStatus, 'FAIL');
    assert.equal(fail?.paymentFailReason, 'INSUFFICIENT_BALANCE');
  });
});
