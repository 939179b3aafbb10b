// my.tradePay end to end (issue 4 §8): a real browser, the real sandbox, the real demo merchant,
// driven as a user would: pick goods, click Pay, choose in the cashier, read the result page.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPayment, DEMO_APP_ID, fixtureUrl, FIXTURES, FORGER, forgetAuthorizations, setAutomation, simulatorUrl,
  startStack, SUPERAPP,
} from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

const TIMEOUT = 20_000;

async function newPage(t) {
  // On a failure node:test prints the error; the servers' logs are in stack.logs() (see harness).
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  t.after(async () => {
    await context.close();
  });
  return { page, errors };
}

/** The demo in the simulator: sign in (Allow in the consent sheet), add one espresso, click Pay. */
async function buyInSimulator(t, { goods = 'espresso' } = {}) {
  const { page, errors } = await newPage(t);
  await forgetAuthorizations(DEMO_APP_ID);
  await page.goto(simulatorUrl());
  const app = page.frameLocator('#mini-program');
  await page.frameLocator('#cashier').locator('#allow').click({ timeout: TIMEOUT });
  await app.locator('#user-name').waitFor({ timeout: TIMEOUT });
  await app.locator(`[data-testid=add-${goods}]`).click({ timeout: TIMEOUT });
  await app.locator('#pay').click();
  const cashier = page.frameLocator('#cashier');
  await cashier.locator('#amount').waitFor({ timeout: TIMEOUT });
  return { page, app, cashier, errors };
}

async function resultCode(app) {
  const code = app.locator('#result-code[data-code]:not([data-code=""])');
  await code.waitFor({ timeout: TIMEOUT });
  return code.getAttribute('data-code');
}

async function serverStatus(app, expected) {
  await app.locator(`#server-status[data-status=${expected}]`).waitFor({ timeout: TIMEOUT });
  return app.locator('#server-source').textContent();
}

describe('the demo in the simulator', () => {
  test('pay with balance: 9000, and the merchant gets the verified SUCCESS notification', async (t) => {
    const { page, app, cashier } = await buyInSimulator(t);
    assert.match(await cashier.locator('#amount').textContent(), /3\.50/);
    assert.match(await cashier.locator('#buyer').textContent(), /Alice/, 'the cashier shows who pays');
    assert.match(await cashier.locator('#merchant-name').textContent(), /\S/);
    await cashier.locator('#pay').click();
    assert.equal(await resultCode(app), '9000');
    assert.match(await serverStatus(app, 'PAID'), /notification/i);
    assert.equal(await app.locator('#status-mismatch').isHidden(), true);
    assert.equal(await page.locator('#cashier-sheet').isHidden(), true, 'the cashier closes');
    // The devtools panel shows the call and the delivery.
    await page.locator('[data-tab=notifications]').click();
    await page.locator('#notifications tr td.okc').first().waitFor({ timeout: TIMEOUT });
    await page.locator('[data-tab=jsapi]').click();
    assert.ok(await page.locator('#jsapi-log tr', { hasText: 'tradePay' }).count() >= 1);
  });

  test('declining the consent keeps Pay disabled until the user signs in', async (t) => {
    const { page } = await newPage(t);
    await forgetAuthorizations(DEMO_APP_ID);
    await page.goto(simulatorUrl());
    const app = page.frameLocator('#mini-program');
    await page.frameLocator('#cashier').locator('#deny').click({ timeout: TIMEOUT });
    await app.locator('#account[data-state=declined]').waitFor({ timeout: TIMEOUT });
    assert.equal(await app.locator('#pay').isDisabled(), true);
    await app.locator('#sign-in').click();
    await page.frameLocator('#cashier').locator('#allow').click({ timeout: TIMEOUT });
    await app.locator('#user-name').waitFor({ timeout: TIMEOUT });
    await page.locator('[data-tab=users]').click();
    await page.locator('#grants tr', { hasText: 'deny' }).first().waitFor({ timeout: TIMEOUT });
  });

  test('cancel in the cashier: 6001, nothing paid, and the app says the order is still open', async (t) => {
    const { app, cashier } = await buyInSimulator(t);
    await cashier.locator('#cancel').click();
    assert.equal(await resultCode(app), '6001');
    await serverStatus(app, 'PENDING');
    await app.locator('#status-mismatch').waitFor({ timeout: TIMEOUT });
  });

  test('declined card: 4000 and a FAIL notification', async (t) => {
    const { app, cashier } = await buyInSimulator(t);
    await cashier.locator('input[value=DECLINED_CARD]').check();
    await cashier.locator('#pay').click();
    assert.equal(await resultCode(app), '4000');
    assert.match(await serverStatus(app, 'FAILED'), /notification/i);
    assert.equal(await app.locator('#fail-reason').isHidden(), false);
  });

  test('bank transfer: 8000 at once, then the server confirms SUCCESS', async (t) => {
    const { app, cashier } = await buyInSimulator(t);
    await cashier.locator('input[value=BANK_TRANSFER]').check();
    await cashier.locator('#pay').click();
    assert.equal(await resultCode(app), '8000');
    await serverStatus(app, 'PAID');
    assert.equal(await app.locator('#status-mismatch').isHidden(), true);
  });

  test('network drops after paying: 6004 while the server says PAID, and the page says so', async (t) => {
    const { app, cashier } = await buyInSimulator(t);
    await cashier.locator('input[value=NETWORK_DROP]').check();
    await cashier.locator('#pay').click();
    assert.equal(await resultCode(app), '6004');
    await serverStatus(app, 'PAID');
    const mismatch = app.locator('#status-mismatch');
    await mismatch.waitFor({ timeout: TIMEOUT });
    assert.equal(await mismatch.getAttribute('data-client'), '6004');
  });

  test('autoconsent and autopay settings sign in and pay without a click (automation hooks)', async (t) => {
    await setAutomation({ autopay: 'BALANCE', autoconsent: 'allow' });
    t.after(() => setAutomation({ autopay: null, autoconsent: null }));
    const { page, errors } = await newPage(t);
    await page.goto(simulatorUrl());
    const app = page.frameLocator('#mini-program');
    await app.locator('#user-name').waitFor({ timeout: TIMEOUT });
    await app.locator('[data-testid=add-latte]').click({ timeout: TIMEOUT });
    await app.locator('#pay').click();
    assert.equal(await resultCode(app), '9000');
    await serverStatus(app, 'PAID');
    assert.deepEqual(errors, []);
  });
});

describe('tradePay rules (fixture mini program)', () => {
  async function fixture(t, { inSimulator = false } = {}) {
    const { page } = await newPage(t);
    if (inSimulator) {
      await page.goto(simulatorUrl({ app: fixtureUrl() }));
      const app = page.frameLocator('#mini-program');
      await app.locator('#pay').waitFor({ timeout: TIMEOUT });
      const frame = page.frames().find((f) => f.url().startsWith(`${FIXTURES}/tradepay.html`));
      await frame.waitForFunction(() => typeof window.startTradePay === 'function');
      return { page, frame, app };
    }
    await page.goto(fixtureUrl());
    await page.waitForFunction(() => typeof window.startTradePay === 'function');
    return { page, frame: page.mainFrame(), app: page };
  }
  const events = (frame) => frame.evaluate(() => window.events);
  async function waitEvents(frame, n) {
    await frame.waitForFunction((count) => window.events.length >= count, n, { timeout: TIMEOUT });
    return events(frame);
  }

  test('standalone page: the cashier opens as an overlay in the super app origin and pays 9000', async (t) => {
    const { page, frame } = await fixture(t);
    const { paymentUrl } = await createPayment(stack);
    await frame.evaluate((url) => window.startTradePay({ paymentUrl: url }), paymentUrl);
    const overlay = page.locator('.miniprogram-shim-cashier iframe');
    await overlay.waitFor({ timeout: TIMEOUT });
    assert.ok((await overlay.getAttribute('src')).startsWith(`${SUPERAPP}/cashier/`));
    await page.frameLocator('.miniprogram-shim-cashier iframe').locator('#pay').click({ timeout: TIMEOUT });
    const seen = await waitEvents(frame, 3);
    assert.deepEqual(seen.map((e) => e.kind), ['success', 'complete', 'resolved']);
    assert.deepEqual(seen[0].value, { resultCode: '9000' });
    await page.locator('.miniprogram-shim-cashier').waitFor({ state: 'detached', timeout: 2000 });
  });

  test('expired payment: the cashier says so and the app gets 4000', async (t) => {
    const { frame } = await fixture(t);
    const { paymentUrl, paymentId } = await createPayment(stack, { expirySeconds: 1 });
    await new Promise((r) => setTimeout(r, 2500));
    await frame.evaluate((url) => window.startTradePay({ paymentUrl: url }), paymentUrl);
    const seen = await waitEvents(frame, 2);
    assert.deepEqual(seen[0], { kind: 'success', value: { resultCode: '4000' } });
    const inquiry = await stack.openApi('/v1/payments/inquiryPayment', { paymentId });
    assert.equal(inquiry.paymentStatus, 'FAIL');
  });

  test('a second tradePay while the cashier is open fails at once; closing gives 6001', async (t) => {
    const { page, frame } = await fixture(t);
    const first = await createPayment(stack);
    const second = await createPayment(stack);
    await frame.evaluate((url) => window.startTradePay({ paymentUrl: url }), first.paymentUrl);
    await page.locator('.miniprogram-shim-cashier iframe').waitFor({ timeout: TIMEOUT });
    await frame.evaluate((url) => window.startTradePay({ paymentUrl: url }), second.paymentUrl);
    let seen = await waitEvents(frame, 3);
    assert.equal(seen[0].kind, 'fail');
    assert.equal(seen[0].value.error, 3);
    assert.match(seen[0].value.errorMessage, /in progress/);
    assert.equal(await page.locator('.miniprogram-shim-cashier').count(), 1, 'still one cashier');
    await page.locator('.miniprogram-shim-cashier button[aria-label="Close the cashier"]').click();
    seen = await waitEvents(frame, 6);
    assert.deepEqual(seen.slice(3).map((e) => e.kind), ['success', 'complete', 'resolved']);
    assert.deepEqual(seen[3].value, { resultCode: '6001' });
  });

  test('forged results from another origin, the page itself or another payment are ignored (standalone)', async (t) => {
    const { page, frame } = await fixture(t);
    const { paymentUrl, paymentId } = await createPayment(stack);
    await frame.evaluate((url) => window.startTradePay({ paymentUrl: url }), paymentUrl);
    const cashier = page.frameLocator('.miniprogram-shim-cashier iframe');
    await cashier.locator('#pay').waitFor({ timeout: TIMEOUT });
    // 1. the page itself; 2. a frame of another origin; 3. the real cashier, for another payment.
    await frame.evaluate((id) => window.postMessage({ type: 'miniprogram-shim:cashier-result', paymentId: id, outcome: 'paid' }, '*'), paymentId);
    await frame.evaluate(({ forger, id }) => {
      const f = document.createElement('iframe');
      f.src = `${forger}/forger.html?paymentId=${encodeURIComponent(id)}`;
      document.body.append(f);
    }, { forger: FORGER, id: paymentId });
    await page.frameLocator(`iframe[src^="${FORGER}"]`).locator('#state', { hasText: 'sent' }).waitFor({ timeout: TIMEOUT });
    const cashierFrame = page.frames().find((f) => f.url().startsWith(`${SUPERAPP}/cashier/`));
    await cashierFrame.evaluate((origin) => parent.postMessage({ type: 'miniprogram-shim:cashier-result', paymentId: 'OTHER', outcome: 'paid' }, origin), new URL(fixtureUrl()).origin);
    await page.waitForTimeout(500);
    assert.deepEqual(await events(frame), [], 'no forged result was accepted');
    await cashier.locator('#cancel').click();
    const seen = await waitEvents(frame, 3);
    assert.deepEqual(seen[0], { kind: 'success', value: { resultCode: '6001' } });
  });

  test('forged results are ignored inside the simulator too', async (t) => {
    const { page, frame } = await fixture(t, { inSimulator: true });
    const { paymentUrl, paymentId } = await createPayment(stack);
    await frame.evaluate((url) => window.startTradePay({ paymentUrl: url }), paymentUrl);
    const cashier = page.frameLocator('#cashier');
    await cashier.locator('#pay').waitFor({ timeout: TIMEOUT });
    await frame.evaluate((id) => {
      for (const callId of ['tp-1', 'tp-2']) {
        window.postMessage({ type: 'miniprogram-shim:trade-pay-result', callId, paymentId: id, outcome: 'paid' }, '*');
      }
    }, paymentId);
    await frame.evaluate(({ forger, id }) => {
      const f = document.createElement('iframe');
      f.src = `${forger}/forger.html?paymentId=${encodeURIComponent(id)}`;
      document.body.append(f);
    }, { forger: FORGER, id: paymentId });
    await page.waitForTimeout(800);
    assert.deepEqual(await events(frame), []);
    await cashier.locator('#pay').click();
    const seen = await waitEvents(frame, 3);
    assert.deepEqual(seen[0], { kind: 'success', value: { resultCode: '9000' } });
  });

  test('a javascript: or foreign paymentUrl is refused and opens nothing', async (t) => {
    const { page, frame } = await fixture(t);
    await frame.evaluate(() => window.startTradePay({ paymentUrl: 'javascript:alert(document.domain)' }));
    let seen = await waitEvents(frame, 3);
    assert.equal(seen[0].kind, 'fail');
    assert.equal(seen[0].value.error, 2);
    assert.match(seen[0].value.errorMessage, /paymentUrl/);
    await frame.evaluate(() => window.startTradePay({ paymentUrl: 'http://127.0.0.1:18703/cashier/?paymentId=X&token=y' }));
    seen = await waitEvents(frame, 6);
    assert.equal(seen[3].kind, 'fail');
    assert.equal(seen[3].value.error, 4);
    assert.equal(await page.locator('.miniprogram-shim-cashier').count(), 0, 'nothing opened');
  });
});
