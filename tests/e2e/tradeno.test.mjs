// my.tradePay({ tradeNO }) as public Alipay mini programs pay (docs/protocol.md §4, §5d): a
// native mini program (fixtures/native-tradeno) and a small merchant server written with the
// official open platform SDK (npm `alipay-sdk`), unchanged but for its gateway URL:
// my.getAuthCode → alipay.system.oauth.token → alipay.trade.create → my.tradePay({ tradeNO })
// through the real cashier → resultCode 9000 (or 6001 on cancel) → alipay.trade.query, and the
// trade's asynchronous notification to the shop's notify_url, verified by the SDK's
// checkNotifySignV2 and acknowledged with `success`.
// The same app naming its server as an HTTPS production API (`https://api.trade-shop.test`, which
// the sandbox maps to the local shop with --map-origin) signs in with auth_user and
// my.getAuthUserInfo, and its server names the buyer by the open_id oauth.token gave it.
// And the attacks: another app's tradeNO and an unknown one open no cashier.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { AlipaySdk } from 'alipay-sdk';
import { DEMO_APP_ID, forgetAuthorizations, ROOT, startStack, SUPERAPP } from './harness.mjs';

const TIMEOUT = 20_000;
const APP_ID = '2021004100000001';
const SHOP = 'http://127.0.0.1:18705';
let stack;
let shop;
let sdk;
/** The trade notifications the shop received and the SDK verified, in order. */
const notified = [];
/** Sign-ins that sent the profile (my.getAuthUserInfo), with the Host they reached the shop as. */
const logins = [];
/** The shop's production API as the mini program names it; the sandbox maps it to SHOP. */
const SHOP_API = 'https://api.trade-shop.test';

/** The merchant server: JSON routes for the mini program, the SDK toward the gateway. */
function startShop(alipay) {
  const server = createServer(async (req, res) => {
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      let text = '';
      for await (const chunk of req) text += chunk;
      const path = new URL(req.url, SHOP).pathname;
      if (req.method === 'POST' && path === '/alipay/notify') {
        // The open platform's asynchronous notification: a form, signed by the wallet key.
        const post = Object.fromEntries(new URLSearchParams(text));
        const ok = alipay.checkNotifySignV2(post);
        if (ok) notified.push(post);
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(ok ? 'success' : 'fail');
      }
      const body = text ? JSON.parse(text) : {};
      if (req.method === 'POST' && path === '/login') {
        const r = await alipay.exec('alipay.system.oauth.token', { grantType: 'authorization_code', code: body.authCode }, { validateSign: true });
        if (body.nickName) logins.push({ host: req.headers.host, nickName: body.nickName, avatar: body.avatar, openId: r.openId });
        return r.code === '10000' || r.userId ? send(200, { userId: r.userId, openId: r.openId }) : send(400, r);
      }
      if (req.method === 'POST' && path === '/trades') {
        const r = await alipay.exec('alipay.trade.create', {
          notifyUrl: `${SHOP}/alipay/notify`,
          bizContent: {
            outTradeNo: `shop_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`,
            totalAmount: body.amount, subject: 'Trade shop order', buyerId: body.buyerId, buyerOpenId: body.buyerOpenId, productCode: 'JSAPI_PAY',
          },
        }, { validateSign: true });
        return r.code === '10000' ? send(200, { tradeNo: r.tradeNo }) : send(400, r);
      }
      const m = path.match(/^\/trades\/(\d+)$/);
      if (req.method === 'GET' && m) {
        const r = await alipay.exec('alipay.trade.query', { bizContent: { tradeNo: m[1] } }, { validateSign: true });
        return send(200, { tradeStatus: r.tradeStatus, code: r.code });
      }
      send(404, { error: 'not found' });
    } catch (e) {
      send(500, { error: String(e.message) });
    }
  });
  return new Promise((ok) => server.listen(18705, '127.0.0.1', () => ok(server)));
}

before(async () => {
  stack = await startStack({ sandboxArgs: [
    '--app', `${APP_ID}=${join(ROOT, 'tests', 'e2e', 'fixtures', 'native-tradeno')}`,
    '--map-origin', `${SHOP_API}=${SHOP}`,
  ] });
  const put = await fetch(`${SUPERAPP}/sandbox/mini-programs/${APP_ID}`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ whitelist: ['127.0.0.1:18705', 'api.trade-shop.test'] }),
  });
  assert.equal(put.status, 200, await put.text());
  // Alice pays by balance, in the trade's currency: give her CNY 1,000.00 (in fen).
  const funded = await fetch(`${SUPERAPP}/sandbox/users/2088000000000001/balances`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ CNY: '100000' }),
  });
  assert.equal(funded.status, 200, await funded.text());
  const merchant = await (await fetch(`${SUPERAPP}/sandbox/merchants/default`)).json();
  const wallet = await (await fetch(`${SUPERAPP}/sandbox/wallet-public-key.pem`)).text();
  const options = { privateKey: merchant.privateKeyPem, keyType: 'PKCS8', alipayPublicKey: wallet, gateway: `${SUPERAPP}/gateway.do` };
  sdk = (appId) => new AlipaySdk({ appId, ...options });
  shop = await startShop(sdk(APP_ID));
});
after(async () => { shop?.close(); await stack?.stop(); });

async function launch(t, query = '', merchant = SHOP) {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  await forgetAuthorizations(APP_ID);
  const url = new URL(`${SUPERAPP}/`);
  url.searchParams.set('appId', APP_ID);
  url.searchParams.set('query', `merchant=${merchant}${query}`);
  await page.goto(url.href);
  const app = page.frameLocator('#mini-program');
  // The first launch compiles the app's pages on a cold sandbox: give it longer.
  await app.locator('#pay').waitFor({ timeout: 3 * TIMEOUT });
  return { page, app };
}

test('getAuthCode → oauth.token → trade.create → tradePay({ tradeNO }) pays in the cashier: 9000, TRADE_SUCCESS', async (t) => {
  const { page, app } = await launch(t);
  await app.locator('#pay').click();
  const cashier = page.frameLocator('#cashier');
  await cashier.locator('#amount').waitFor({ timeout: TIMEOUT });
  assert.match(await cashier.locator('#amount').textContent(), /12\.50/);
  assert.equal(await app.locator('#user').textContent(), '2088000000000001', 'oauth.token said who the user is');
  await page.screenshot({ path: join(ROOT, 'target', 'tradeno-cashier.png') });
  await cashier.locator('#pay').click();
  await app.locator('#result-code[data-code="9000"]').waitFor({ timeout: TIMEOUT });
  await app.locator('#trade-status[data-status="TRADE_SUCCESS"]').waitFor({ timeout: TIMEOUT });
  const alice = (await (await fetch(`${SUPERAPP}/sandbox/users`)).json()).find((u) => u.userId === '2088000000000001');
  assert.equal(alice.balances.CNY, '98750', 'Alice paid CNY 12.50 from her balance');
  await page.screenshot({ path: join(ROOT, 'target', 'tradeno-paid.png') });
  // The shop's notify_url got the trade's result, and the SDK verified it.
  for (let i = 0; i < 100 && !notified.length; i++) await new Promise((ok) => setTimeout(ok, 100));
  const n = notified.find((p) => p.trade_status === 'TRADE_SUCCESS');
  assert.ok(n, `no verified TRADE_SUCCESS notification: ${JSON.stringify(notified)}`);
  assert.equal(n.notify_type, 'trade_status_sync');
  assert.equal(n.app_id, APP_ID);
  assert.equal(n.total_amount, '12.50');
  assert.equal(n.buyer_id, '2088000000000001');
  const log = await (await fetch(`${SUPERAPP}/sandbox/notifications?paymentId=${n.trade_no}`)).json();
  assert.equal(log.notifications[0].status, 'DELIVERED', JSON.stringify(log));
  // The devtools show the delivery: TRADE_SUCCESS, acknowledged by `success`.
  await page.locator('button[data-tab="notifications"]').click();
  await page.locator('#notifications tr', { hasText: 'TRADE_SUCCESS' }).first().waitFor({ timeout: TIMEOUT });
  await page.screenshot({ path: join(ROOT, 'target', 'tradeno-notified.png') });
});

test('an app naming its HTTPS API (mapped by --map-origin) signs in with getAuthUserInfo and pays its buyer_open_id trade: 9000', async (t) => {
  const { page, app } = await launch(t, '', SHOP_API);
  const before = (await (await fetch(`${SUPERAPP}/sandbox/users`)).json()).find((u) => u.userId === '2088000000000001').balances.CNY;
  await app.locator('#sign-in-pay').click();
  // auth_user asks: the consent sheet, then the profile.
  await page.frameLocator('#cashier').locator('#allow').click({ timeout: TIMEOUT });
  await app.locator('#nick', { hasText: 'Alice' }).waitFor({ timeout: TIMEOUT });
  const cashier = page.frameLocator('#cashier');
  await cashier.locator('#pay').waitFor({ timeout: TIMEOUT });
  assert.match(await cashier.locator('#amount').textContent(), /12\.50/);
  await cashier.locator('#pay').click();
  await app.locator('#result-code[data-code="9000"]').waitFor({ timeout: TIMEOUT });
  await app.locator('#trade-status[data-status="TRADE_SUCCESS"]').waitFor({ timeout: TIMEOUT });
  // The shop heard the mini program under its own name only through the relay's mapping, got
  // the profile, and named the buyer by the open_id oauth.token gave it.
  const login = logins.at(-1);
  assert.equal(login.nickName, 'Alice');
  assert.equal(login.avatar, `${SUPERAPP}/sandbox/avatars/2088000000000001.svg`);
  assert.match(login.openId, /^0[0-9a-f]{46}$/);
  assert.equal(login.host, '127.0.0.1:18705', 'the target sees its own Host');
  const tradeNo = await app.locator('#trade-no').textContent();
  const q = await sdk(APP_ID).exec('alipay.trade.query', { bizContent: { tradeNo } }, { validateSign: true });
  assert.equal(q.buyerOpenId, login.openId);
  assert.equal(q.buyerUserId, '2088000000000001');
  const after = (await (await fetch(`${SUPERAPP}/sandbox/users`)).json()).find((u) => u.userId === '2088000000000001').balances.CNY;
  assert.equal(Number(before) - Number(after), 1250, 'Alice paid CNY 12.50');
  // The devtools' network log shows the URL as the app wrote it.
  await page.locator('button[data-tab="network"]').click();
  await page.locator('#network-log tr', { hasText: `${SHOP_API}/trades` }).first().waitFor({ timeout: TIMEOUT });
  await page.screenshot({ path: join(ROOT, 'target', 'tradeno-mapped-paid.png') });
});

test('cancel in the cashier: 6001 and the trade still waits for the buyer', async (t) => {
  const { page, app } = await launch(t);
  await app.locator('#pay').click();
  const cashier = page.frameLocator('#cashier');
  await cashier.locator('#cancel').click({ timeout: TIMEOUT });
  await app.locator('#result-code[data-code="6001"]').waitFor({ timeout: TIMEOUT });
  await app.locator('#trade-status[data-status="WAIT_BUYER_PAY"]').waitFor({ timeout: TIMEOUT });
});

test('attack: another app\'s tradeNO, and an unknown one, open no cashier (error 2)', async (t) => {
  // A trade the same merchant created for the demo app, not for this one.
  const other = await sdk(DEMO_APP_ID).exec('alipay.trade.create', {
    bizContent: { outTradeNo: `other_${Date.now()}`, totalAmount: '3.00', subject: 'Not yours' },
  }, { validateSign: true });
  assert.equal(other.code, '10000');
  for (const tradeNo of [other.tradeNo, '20260101000000000000000000']) {
    const { page, app } = await launch(t, `&trade=${tradeNo}`);
    await app.locator('#pay-given').click();
    await app.locator('#error[data-error="2"]').waitFor({ timeout: TIMEOUT });
    assert.match(await app.locator('#error').textContent(), /refused by the super app: .*no trade of app 2021004100000001/);
    assert.equal(await page.locator('#cashier-sheet').isHidden(), true, 'no cashier was shown');
  }
  const q = await sdk(DEMO_APP_ID).exec('alipay.trade.query', { bizContent: { tradeNo: other.tradeNo } }, { validateSign: true });
  assert.equal(q.tradeStatus, 'WAIT_BUYER_PAY');
});
