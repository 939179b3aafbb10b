// Money on every page (issue 11 §5): amounts and balances shown from ISO 4217 minor units by the
// one formatter, www/cashier/money.js — IQD with 3 decimals although the browser's Intl says 0.
// Real browser, real sandbox.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { simulatorUrl, startStack, SUPERAPP } from './harness.mjs';

let stack;
let alice;
before(async () => {
  stack = await startStack();
  const users = await (await fetch(`${SUPERAPP}/sandbox/users`)).json();
  alice = (Array.isArray(users) ? users : users.users).find((u) => u.nickName === 'Alice');
  const put = await fetch(`${SUPERAPP}/sandbox/users/${alice.userId}/balances`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ IQD: '1000000', JPY: '5000' }),
  });
  assert.equal(put.status, 200, await put.text());
});
after(async () => { await stack?.stop(); });

const TIMEOUT = 20_000;

async function newPage(t) {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return { page, errors };
}

/** A payment of `value` minor units of `currency`, made through the signed open API. */
async function pay(currency, value) {
  const id = `e2e-money-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const res = await stack.openApi('/v1/payments/pay', {
    productCode: 'CASHIER_PAYMENT',
    paymentRequestId: id,
    paymentAmount: { currency, value },
    order: { orderDescription: `E2E ${currency} order`, referenceOrderId: id, merchant: { merchantName: 'E2E Shop' } },
  });
  assert.equal(res.result?.resultStatus, 'A', JSON.stringify(res));
  return res.redirectActionForm.redirectUrl;
}

describe('money', () => {
  test('the cashier shows an IQD amount and an IQD balance of 1000000 fils as IQD 1,000.000', async (t) => {
    const { page, errors } = await newPage(t);
    await page.goto(await pay('IQD', '12345'));
    await page.locator('#amount').waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#amount').textContent(), 'IQD 12.345');
    assert.match(await page.locator('#buyer').textContent(), /Alice · balance IQD 1,000\.000$/);
    assert.deepEqual(errors, []);
  });

  test('the cashier shows JPY without decimals and USD with two', async (t) => {
    const { page } = await newPage(t);
    await page.goto(await pay('JPY', '1250'));
    await page.locator('#amount').waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#amount').textContent(), 'JPY 1,250');
    assert.match(await page.locator('#buyer').textContent(), /balance JPY 5,000$/);
    await page.goto(await pay('USD', '123456'));
    await page.locator('#amount').waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#amount').textContent(), 'USD 1,234.56');
  });

  test('the simulator shows balances and payment amounts formatted, the demo its prices', async (t) => {
    const { page, errors } = await newPage(t);
    await pay('IQD', '7000');
    await page.goto(simulatorUrl());
    // The demo mini program: its prices, by the same formatter (loaded from the super app).
    const app = page.frameLocator('#mini-program');
    const price = app.locator('[data-testid=goods-espresso] .price');
    await price.waitFor({ timeout: TIMEOUT });
    assert.equal(await price.textContent(), 'USD 3.50');
    await page.locator('[data-tab=users]').click();
    const aliceRow = page.locator('#users tr', { hasText: alice.userId });
    await aliceRow.filter({ hasText: 'IQD 1,000.000' }).waitFor({ timeout: TIMEOUT });
    const balances = await page.locator('#users tr td:nth-child(4)').allTextContents();
    assert.ok(balances.length >= 2, JSON.stringify(balances));
    for (const cell of balances) {
      assert.match(cell, /^([A-Z]{3} \d{1,3}(,\d{3})*(\.\d+)?(, |$))*$/, `a balance cell shows formatted money: ${cell}`);
    }
    assert.match(balances.join(' | '), /JPY 5,000/);
    await page.locator('[data-tab=payments]').click();
    await page.locator('#payments td', { hasText: /^IQD 7\.000$/ }).first().waitFor({ timeout: TIMEOUT });
    assert.deepEqual(errors, []);
  });
});
