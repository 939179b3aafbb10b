// The merchant server against the real sandbox binary (sandbox-harness.mjs): sign-in and tokens,
// orders and their errors, notifications (delivery, retries, repeats) and the attacks on them,
// the wallet's refusals, a merchant with its own keys. Signatures interoperate both ways (Rust
// wallet ↔ Node merchant).
// What the real wallet never does (forge a notification or an answer) is done by the test as an
// attacker would: signed with the attacker's own key, or rewritten on the path.
//
//   cargo build -p superapp-sandbox && node --test www/demo-merchant/
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';

import { formatRequestTime, signedRequestHeaders } from './lib.mjs';
import { startMerchant } from './server.mjs';
import { APP_ID, authCode, eventually, json, startOnPathAttacker, startSandbox } from './sandbox-harness.mjs';

/** The attacker's key pair: whatever it signs, the wallet's public key does not verify. */
const ATTACKER = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('demo merchant against the real sandbox', () => {
  let sandbox;
  let merchant;
  let tap; // on the path of the wallet's notifications to the merchant
  let dataDir;
  let users; // the sandbox's users: [Alice, Bob, …]
  let clockOffset = 0; // the merchant's clock, moved by a test
  let sessionId; // Alice's session, signed in before the tests
  const logs = [];

  /** A call as the mini program makes it: with the session header unless `session` is null. */
  const api = (method, path, body, { session = sessionId, to = merchant } = {}) =>
    json(method, to.url + path, body, session ? { 'x-session-id': session } : {});
  /** Signs the sandbox's user `userId` in (switching the super app's session, then back). */
  const signIn = async ({ userId = users[0].userId, scopes, to = merchant } = {}) => {
    await json('PUT', `${sandbox.url}/sandbox/session`, { userId });
    try {
      const res = await api('POST', '/api/session', { authCode: await authCode(sandbox.url, scopes) }, { session: null, to });
      assert.equal(res.status, 200, `sign-in: ${JSON.stringify(res.body)}`);
      return res;
    } finally {
      await json('PUT', `${sandbox.url}/sandbox/session`, { userId: users[0].userId });
    }
  };
  /** The wallet calls the merchant made since log line `from` (its log: one line per call). */
  const walletCalls = (from) => logs.slice(from).flatMap((l) => /^wallet POST (\S+) -> (\S+)/.exec(l)?.slice(1, 3).join(' ') ?? []);
  const order = async (items = [{ id: 'espresso', qty: 2 }]) => {
    const res = await api('POST', '/api/orders', { items });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const complete = (paymentId, outcome, failReason) =>
    json('POST', `${sandbox.url}/sandbox/payments/${paymentId}/complete`, { outcome, failReason });
  const notificationsOf = async (paymentId) =>
    (await json('GET', `${sandbox.url}/sandbox/notifications?paymentId=${paymentId}`)).body.notifications;
  /** The payment's notification once the sandbox has recorded it delivered (it records after the answer). */
  const delivered = (paymentId) => eventually(async () => {
    const [note] = await notificationsOf(paymentId);
    return note?.status === 'DELIVERED' && note;
  }, 15000, 'the sandbox to record the delivery');
  /** Ages the merchant's copy of a session's token (the wallet's last an hour; no test waits that long). */
  const expireAccessToken = (id) => {
    merchant.sessions.get(id).tokens.accessTokenExpiryTime = formatRequestTime(new Date(Date.now() - 60_000));
  };

  before(async () => {
    sandbox = await startSandbox();
    users = (await json('GET', `${sandbox.url}/sandbox/users`)).body;
    assert.ok(users.length >= 2, 'the sandbox has test users');
    tap = await startOnPathAttacker((path) => ({ target: merchant.url, path }));
    dataDir = mkdtempSync(join(tmpdir(), 'demo-merchant-'));
    merchant = await startMerchant(
      { host: '127.0.0.1', port: 0, sandbox: sandbox.url, publicUrl: tap.url, dataDir, failNotifications: 0 },
      { log: (line) => logs.push(line), now: () => Date.now() + clockOffset },
    );
    assert.ok(await merchant.identityReady, 'identity fetched from GET /sandbox/merchants/default');
    sessionId = (await signIn()).body.sessionId;
  });
  after(async () => {
    await merchant?.close();
    await tap?.close();
    await sandbox?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    clockOffset = 0;
    tap.tamperRequest = null;
  });
  afterEach(async () => {
    await api('POST', '/debug/notify-mode', { failNext: 0 });
  });

  // -- sign-in ----------------------------------------------------------------------------------

  test('sign-in: the auth code buys tokens (applyToken), the token buys the user (inquiryUserInfo)', async () => {
    const bob = users[1];
    const start = logs.length;
    const res = await signIn({ userId: bob.userId });
    assert.match(res.body.sessionId, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(res.body.user.customerId, bob.userId);
    assert.equal(res.body.user.nickName, bob.nickName);
    assert.match(res.body.user.avatar, /^http:\/\/127\.0\.0\.1:\d+\/sandbox\/avatars\//);
    assert.equal(JSON.stringify(res.body).includes('accessToken'), false, 'tokens stay on the server');
    assert.deepEqual(walletCalls(start), ['/v1/authorizations/applyToken S', '/v1/users/inquiryUserInfo S']);
    const me = await api('GET', '/api/session', undefined, { session: res.body.sessionId });
    assert.equal(me.status, 200);
    assert.equal(me.body.user.nickName, bob.nickName);
  });

  test('auth_base grants the user id only: the user has no nickname or avatar', async () => {
    const res = await signIn({ scopes: ['auth_base'] });
    assert.deepEqual(res.body.user, { customerId: users[0].userId, nickName: null, avatar: null });
  });

  test('a code used twice or unknown is a clear 401; a bad body is a 400', async () => {
    // (EXPIRED_CODE needs the wallet's clock 5 minutes on; its mapping is in lib.test.mjs.)
    const code = await authCode(sandbox.url);
    assert.equal((await api('POST', '/api/session', { authCode: code }, { session: null })).status, 200);
    const cases = [
      [{ authCode: code }, 401, 'AUTH_CODE_USED', 'USED_CODE'],
      [{ authCode: 'not-a-code' }, 401, 'AUTH_CODE_INVALID', 'INVALID_CODE'],
      [{}, 400, 'INVALID_PARAM', undefined],
      [{ authCode: '  ' }, 400, 'INVALID_PARAM', undefined],
      ['["x"]', 400, 'INVALID_PARAM', undefined],
      ['{"authCode":', 400, 'INVALID_JSON', undefined],
    ];
    for (const [body, status, error, resultCode] of cases) {
      const res = await api('POST', '/api/session', body, { session: null });
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(res.body.error, error, JSON.stringify(res.body));
      assert.equal(res.body.resultCode, resultCode);
      assert.ok(res.body.message);
    }
    assert.equal((await api('PUT', '/api/session', {})).status, 405);
  });

  test('orders need a session: 401 LOGIN_REQUIRED without one or with an unknown one', async () => {
    for (const session of [null, 'no-such-session']) {
      for (const [method, path, body] of [
        ['POST', '/api/orders', { items: [{ id: 'espresso', qty: 1 }] }],
        ['GET', '/api/orders'],
        ['GET', '/api/orders/DM1'],
        ['POST', '/api/orders/DM1/cancel'],
      ]) {
        const res = await api(method, path, body, { session });
        assert.equal(res.status, 401, `${method} ${path} with ${session}`);
        assert.equal(res.body.error, 'LOGIN_REQUIRED');
      }
    }
    assert.equal((await api('GET', '/api/session', undefined, { session: null })).status, 401);
    assert.equal((await api('GET', '/api/goods', undefined, { session: null })).status, 200, 'the menu is public');
  });

  test('pay carries the signed-in customer as the buyer; orders are per user', async () => {
    const created = await order([{ id: 'croissant', qty: 1 }]);
    const token = new URL(created.paymentUrl).searchParams.get('token');
    const cashier = await json('GET', `${sandbox.url}/cashier/api/payments/${created.paymentId}?token=${encodeURIComponent(token)}`);
    assert.ok(JSON.stringify(cashier.body).includes(users[0].userId), `the wallet knows the buyer: ${JSON.stringify(cashier.body)}`);
    const seen = await api('GET', `/api/orders/${created.orderId}`);
    assert.deepEqual(seen.body.buyer, { customerId: users[0].userId, nickName: users[0].nickName });
    // Bob sees neither Alice's order nor her history.
    const bob = (await signIn({ userId: users[1].userId })).body.sessionId;
    assert.equal((await api('GET', `/api/orders/${created.orderId}`, undefined, { session: bob })).status, 404);
    assert.equal((await api('POST', `/api/orders/${created.orderId}/cancel`, undefined, { session: bob })).status, 404);
    const bobs = await api('GET', '/api/orders', undefined, { session: bob });
    assert.equal(bobs.body.orders.some((o) => o.orderId === created.orderId), false);
    const mine = await api('GET', '/api/orders');
    assert.ok(mine.body.orders.every((o) => o.buyer.customerId === users[0].userId));
  });

  test('an expired access token is refreshed (REFRESH_TOKEN, rotated) before inquiryUserInfo', async () => {
    const { body: login } = await signIn();
    const first = merchant.sessions.get(login.sessionId).tokens;
    expireAccessToken(login.sessionId);
    const start = logs.length;
    const res = await api('GET', '/api/session', undefined, { session: login.sessionId });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(walletCalls(start), ['/v1/authorizations/applyToken S', '/v1/users/inquiryUserInfo S']);
    const second = merchant.sessions.get(login.sessionId).tokens;
    assert.notEqual(second.refreshToken, first.refreshToken, 'the wallet rotated the refresh token');
    // The next refresh must use the rotated token: the first one is spent at the wallet.
    expireAccessToken(login.sessionId);
    const again = await api('GET', '/api/session', undefined, { session: login.sessionId });
    assert.equal(again.status, 200, JSON.stringify(again.body));
  });

  test('two reads at once with an expired token refresh once (a refresh spends the refresh token)', async () => {
    const { body: login } = await signIn();
    expireAccessToken(login.sessionId);
    const start = logs.length;
    const both = await Promise.all([1, 2].map(() => api('GET', '/api/session', undefined, { session: login.sessionId })));
    assert.deepEqual(both.map((r) => r.status), [200, 200], JSON.stringify(both.map((r) => r.body)));
    assert.equal(walletCalls(start).filter((c) => c.startsWith('/v1/authorizations/applyToken')).length, 1);
  });

  test('a token the wallet no longer accepts is refreshed once and the call repeated', async () => {
    const { body: login } = await signIn({ userId: users[1].userId });
    merchant.sessions.get(login.sessionId).tokens.accessToken = 'a-token-the-wallet-never-issued';
    const start = logs.length;
    const res = await api('GET', '/api/session', undefined, { session: login.sessionId });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(walletCalls(start), [
      '/v1/users/inquiryUserInfo F', '/v1/authorizations/applyToken S', '/v1/users/inquiryUserInfo S',
    ]);
  });

  test('a refused refresh (a spent refresh token replayed) ends the session: 401, then orders are refused', async () => {
    const { body: login } = await signIn({ userId: users[1].userId });
    const spent = merchant.sessions.get(login.sessionId).tokens.refreshToken;
    expireAccessToken(login.sessionId);
    assert.equal((await api('GET', '/api/session', undefined, { session: login.sessionId })).status, 200);
    merchant.sessions.get(login.sessionId).tokens.refreshToken = spent;
    expireAccessToken(login.sessionId);
    const res = await api('GET', '/api/session', undefined, { session: login.sessionId });
    assert.equal(res.status, 401, JSON.stringify(res.body));
    assert.equal(res.body.error, 'LOGIN_REQUIRED');
    assert.equal(res.body.resultCode, 'INVALID_REFRESH_TOKEN');
    const later = await api('POST', '/api/orders', { items: [{ id: 'latte', qty: 1 }] }, { session: login.sessionId });
    assert.equal(later.status, 401, 'the session is gone');
  });

  test('an expired refresh token is not even sent: LOGIN_REQUIRED', async () => {
    const { body: login } = await signIn();
    expireAccessToken(login.sessionId);
    clockOffset = 31 * 86_400_000; // past the refresh token's 30 days
    const start = logs.length;
    const res = await api('GET', '/api/session', undefined, { session: login.sessionId });
    assert.equal(res.status, 401);
    assert.equal(res.body.resultCode, 'EXPIRED_REFRESH_TOKEN');
    assert.deepEqual(walletCalls(start), []);
  });

  test('sign-out forgets the session', async () => {
    const { body: login } = await signIn();
    const out = await api('DELETE', '/api/session', undefined, { session: login.sessionId });
    assert.deepEqual(out.body, { signedOut: true });
    assert.equal((await api('GET', '/api/orders', undefined, { session: login.sessionId })).status, 401);
  });

  // -- orders -----------------------------------------------------------------------------------

  test('lists goods with prices in minor units, and sends no CORS headers', async () => {
    const res = await api('GET', '/api/goods');
    assert.equal(res.status, 200);
    assert.equal(res.body.currency, 'USD');
    assert.ok(res.body.goods.find((g) => g.id === 'espresso' && g.price === 350));
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });

  test('creates an order priced by the merchant, with a signed pay call', async () => {
    const res = await api('POST', '/api/orders', { items: [{ id: 'latte', qty: 2 }], amount: { value: '1' } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.ok(res.body.paymentUrl.startsWith(`${sandbox.url}/cashier/`), res.body.paymentUrl);
    const { body: payment } = await json('GET', `${sandbox.url}/sandbox/payments/${res.body.paymentId}`);
    assert.equal(payment.paymentRequestId, res.body.orderId);
    assert.deepEqual(payment.amount, { currency: 'USD', value: '950' });
    assert.equal(payment.orderDescription, 'Demo Coffee: 2× Caffè latte');
    assert.equal(payment.merchantName, 'Demo Coffee');
    assert.equal(payment.notifyUrl, `${tap.url}/notify/payment`);
    const expiresIn = Date.parse(payment.expiryTime) - Date.now();
    assert.ok(expiresIn > 14 * 60_000 && expiresIn <= 15 * 60_000, `paymentExpiryTime +15 min: ${payment.expiryTime}`);
    const stored = await api('GET', `/api/orders/${res.body.orderId}`);
    assert.equal(stored.body.status, 'PENDING');
    assert.equal(stored.body.statusSource, null);
  });

  test('bad input is a 400 naming the field, and never crashes the server', async () => {
    const cases = [
      ['{"items":', 'body'],
      [{ items: [{ id: 'caviar', qty: 1 }] }, 'items[0].id'],
      [{ items: [{ id: 'espresso', qty: -1 }] }, 'items[0].qty'],
      [[], 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await api('POST', '/api/orders', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.field, field);
      assert.ok(res.body.error && res.body.message);
    }
    const huge = await api('POST', '/api/orders', JSON.stringify({ items: [], pad: 'x'.repeat(70_000) }));
    assert.equal(huge.status, 413);
    assert.equal((await api('GET', '/api/orders/nope')).status, 404);
    assert.equal((await api('GET', '/api/orders/%E0%A4%A')).status, 404);
    assert.equal((await api('DELETE', '/api/orders')).status, 405);
    assert.equal((await api('GET', '/no/such/route')).status, 404);
    assert.equal((await api('GET', '/api/goods')).status, 200, 'still alive');
  });

  test('pay answered U (magic amount 60.04) is retried with the same paymentRequestId and body', async () => {
    const start = logs.length;
    const created = await order([{ id: 'test-unknown', qty: 1 }]);
    assert.ok(created.paymentUrl);
    // A second body under the same paymentRequestId would be refused (REPEAT_REQ_INCONSISTENT).
    assert.deepEqual(walletCalls(start), ['/v1/payments/pay U', '/v1/payments/pay A']);
  });

  test('pay answered F is a clear error for the client and a FAILED order', async () => {
    clockOffset = -20 * 60_000; // the merchant's clock is 20 min slow: its paymentExpiryTime is past
    const res = await api('POST', '/api/orders', { items: [{ id: 'espresso', qty: 1 }] });
    assert.equal(res.status, 502, JSON.stringify(res.body));
    assert.equal(res.body.error, 'PAYMENT_REJECTED');
    assert.equal(res.body.resultCode, 'PARAM_ILLEGAL');
    assert.match(res.body.message, /paymentExpiryTime.*in the past/);
    clockOffset = 0;
    const { body: seen } = await api('GET', `/api/orders/${res.body.orderId}`);
    assert.equal(seen.status, 'FAILED');
    assert.equal(seen.statusSource, 'pay');
  });

  test('cancel cancels an open payment and refuses a final one', async () => {
    const created = await order();
    const cancelled = await api('POST', `/api/orders/${created.orderId}/cancel`);
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.equal(cancelled.body.status, 'CANCELLED');
    assert.equal((await json('GET', `${sandbox.url}/sandbox/payments/${created.paymentId}`)).body.status, 'CANCELLED');
    const again = await api('POST', `/api/orders/${created.orderId}/cancel`);
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'ORDER_FINAL');
  });

  test('a payment completed meanwhile cannot be cancelled: 409 with the status learned by inquiry', async () => {
    await api('POST', '/debug/notify-mode', { failNext: 1000 }); // the notification does not get through
    const created = await order();
    await complete(created.paymentId, 'SUCCESS');
    const res = await api('POST', `/api/orders/${created.orderId}/cancel`);
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.equal(res.body.order.status, 'PAID');
    assert.equal(res.body.order.statusSource, 'inquiry');
  });

  test('without a notification, inquiryPayment is the fallback, at most every 2 s', async () => {
    await api('POST', '/debug/notify-mode', { failNext: 1000 });
    const paid = await order();
    await complete(paid.paymentId, 'SUCCESS');
    const start = logs.length;
    const { body: seen } = await api('GET', `/api/orders/${paid.orderId}`);
    assert.equal(seen.status, 'PAID');
    assert.equal(seen.statusSource, 'inquiry');
    assert.equal(seen.notifications, 0);
    const pending = await order();
    for (let i = 0; i < 3; i++) await api('GET', `/api/orders/${pending.orderId}`);
    const inquiries = walletCalls(start).filter((c) => c.startsWith('/v1/payments/inquiryPayment'));
    assert.equal(inquiries.length, 2, 'one for the paid order, one for the pending one despite three reads');
  });

  test('orders survive a restart (JSON file, atomic write)', async () => {
    const created = await order();
    const list = await api('GET', '/api/orders');
    assert.equal(list.body.orders[0].orderId, created.orderId, 'newest first');
    await merchant.store.writing;
    const saved = JSON.parse(readFileSync(join(dataDir, 'orders.json'), 'utf8'));
    assert.ok(saved.orders.some((o) => o.orderId === created.orderId));
    const again = await startMerchant(
      { host: '127.0.0.1', port: 0, sandbox: sandbox.url, dataDir, failNotifications: 0 },
      { log: () => {} },
    );
    try {
      assert.equal(again.store.get(created.orderId).amount.value, '700');
    } finally {
      await again.close();
    }
  });

  // -- notifications ----------------------------------------------------------------------------

  test('a signed notification marks the order PAID; a repeat is acknowledged and only counted', async () => {
    const created = await order();
    await complete(created.paymentId, 'SUCCESS');
    // Watch the store, not the API: a GET would fall back to inquiryPayment.
    await eventually(() => merchant.store.get(created.orderId).notifications === 1, 8000, 'the notification');
    const note = await delivered(created.paymentId);
    assert.equal((await json('POST', `${sandbox.url}/sandbox/notifications/${note.id}/resend`)).status, 202);
    await eventually(() => merchant.store.get(created.orderId).notifications === 2, 8000, 'the repeat');
    const { body: seen } = await api('GET', `/api/orders/${created.orderId}`);
    assert.equal(seen.status, 'PAID');
    assert.equal(seen.statusSource, 'notification');
    assert.equal(seen.notifications, 2);
    assert.equal(seen.paymentUrl, null, 'a paid order offers no paymentUrl');
  });

  test('a failed payment notification records the fail reason', async () => {
    const created = await order();
    await complete(created.paymentId, 'FAIL', 'CARD_DECLINED');
    await eventually(() => merchant.store.get(created.orderId).notifications >= 1, 8000, 'the notification');
    const { body: seen } = await api('GET', `/api/orders/${created.orderId}`);
    assert.equal(seen.status, 'FAILED');
    assert.equal(seen.failReason, 'CARD_DECLINED');
  });

  test('attack: a FAIL notification rewritten to SUCCESS on its way is refused; the wallet retries the real one', async () => {
    const created = await order();
    tap.tamperRequest = (path, body) => body.replace('"FAIL"', '"SUCCESS"');
    const start = logs.length;
    await complete(created.paymentId, 'FAIL', 'CARD_DECLINED');
    await eventually(() => logs.slice(start).some((l) => /notify REFUSED \(INVALID_SIGNATURE\): signature does not verify/.test(l)),
      8000, 'the refusal');
    assert.equal(merchant.store.get(created.orderId).status, 'PENDING', 'the forged SUCCESS changed nothing');
    assert.ok(tap.seen.some((s) => s.body.includes(created.orderId)), 'the attacker saw the notification');
    tap.tamperRequest = null; // the attacker goes away; the wallet's retry gets through
    await eventually(() => merchant.store.get(created.orderId).notifications >= 1, 15000, 'the retried notification');
    assert.equal(merchant.store.get(created.orderId).status, 'FAILED');
    const note = await delivered(created.paymentId);
    assert.ok(note.attempts.length >= 2, JSON.stringify(note.attempts));
  });

  test('attack: a notification signed with another key, or unsigned, is refused and changes nothing', async () => {
    const created = await order();
    const { clientId } = (await json('GET', `${sandbox.url}/sandbox/merchants/default`)).body;
    const forged = JSON.stringify({
      notifyType: 'PAYMENT_RESULT',
      result: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
      paymentRequestId: created.orderId,
      paymentId: created.paymentId,
      paymentAmount: { currency: 'USD', value: '700' },
      paymentStatus: 'SUCCESS',
      paymentTime: formatRequestTime(),
    });
    const send = (headers) => json('POST', `${merchant.url}/notify/payment`, forged, headers);
    const signed = await send(signedRequestHeaders({ path: '/notify/payment', clientId, body: forged, privateKey: ATTACKER.privateKey }));
    assert.equal(signed.body.result.resultStatus, 'F');
    assert.equal(signed.body.result.resultCode, 'INVALID_SIGNATURE');
    const unsigned = await send({});
    assert.equal(unsigned.body.result.resultCode, 'INVALID_SIGNATURE');
    assert.match(unsigned.body.result.resultMessage, /missing Client-Id/);
    const otherClient = await send(signedRequestHeaders({ path: '/notify/payment', clientId: 'SANDBOX_SOMEONE_ELSE', body: forged, privateKey: ATTACKER.privateKey }));
    assert.match(otherClient.body.result.resultMessage, /is not ours/);
    assert.equal(merchant.store.get(created.orderId).status, 'PENDING');
    assert.equal(merchant.store.get(created.orderId).notifications, 0);
  });

  test('a notification signed for another path than the one it arrived at is refused', async () => {
    // A proxy in front of a second merchant strips `/shop`: the wallet signed `/shop/notify/payment`,
    // the merchant receives `/notify/payment`.
    let shop;
    const proxy = await startOnPathAttacker((path) => (path.startsWith('/shop/') ? { target: shop.url, path: path.slice(5) } : null));
    const shopLogs = [];
    shop = await startMerchant(
      { host: '127.0.0.1', port: 0, sandbox: sandbox.url, publicUrl: `${proxy.url}/shop`, memory: true, failNotifications: 0 },
      { log: (line) => shopLogs.push(line) },
    );
    try {
      await shop.identityReady;
      const login = await signIn({ to: shop });
      const created = await api('POST', '/api/orders', { items: [{ id: 'latte', qty: 1 }] }, { session: login.body.sessionId, to: shop });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await complete(created.body.paymentId, 'SUCCESS');
      await eventually(() => shopLogs.some((l) => /notify REFUSED \(INVALID_SIGNATURE\)/.test(l)), 8000, 'the refusal');
      assert.equal(shop.store.get(created.body.orderId).notifications, 0);
    } finally {
      await shop.close();
      await proxy.close();
    }
  });

  test('debug notify mode refuses the next N notifications (PROCESS_FAIL), then acknowledges', async () => {
    const set = await api('POST', '/debug/notify-mode', { failNext: 2 });
    assert.deepEqual(set.body, { failNext: 2 });
    assert.deepEqual((await api('GET', '/debug/notify-mode')).body, { failNext: 2 });
    const created = await order();
    await complete(created.paymentId, 'SUCCESS');
    await eventually(() => merchant.store.get(created.orderId).notifications >= 1, 15000, 'the third attempt');
    const note = await delivered(created.paymentId);
    assert.equal(note.attempts.length, 3, JSON.stringify(note.attempts));
    assert.deepEqual((await api('GET', '/debug/notify-mode')).body, { failNext: 0 });
    assert.equal((await api('POST', '/debug/notify-mode', { failNext: 'x' })).status, 400);
  });

  // -- the wallet's answers ---------------------------------------------------------------------

  test('attack: a pay answer rewritten on its way (paymentUrl to a phishing page) is refused', async () => {
    const mitm = await startOnPathAttacker((path) => ({ target: sandbox.url, path }));
    mitm.tamperResponse = (path, body) => (path === '/v1/payments/pay' ? body.replace(/"redirectUrl":"[^"]*"/, '"redirectUrl":"http://phish.example/pay"') : body);
    const victim = await startMerchant(
      { host: '127.0.0.1', port: 0, sandbox: mitm.url, memory: true, failNotifications: 0 },
      { log: () => {} },
    );
    try {
      await victim.identityReady;
      const login = await signIn({ to: victim });
      const res = await api('POST', '/api/orders', { items: [{ id: 'latte', qty: 1 }] }, { session: login.body.sessionId, to: victim });
      assert.equal(res.status, 502, JSON.stringify(res.body));
      assert.equal(res.body.error, 'PAYMENT_UNKNOWN');
      assert.match(res.body.message, /not trustworthy: signature does not verify/);
      assert.ok(mitm.seen.some((s) => s.path === '/v1/payments/pay'), 'the pay call went through the attacker');
      const seen = await api('GET', `/api/orders/${res.body.orderId}`, undefined, { session: login.body.sessionId, to: victim });
      assert.equal(seen.body.paymentUrl, null, 'the phishing URL was never handed out');
    } finally {
      await victim.close();
      await mitm.close();
    }
  });

  test('a merchant registered with its own key works from key files; codes are bound to the app\'s merchant', async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const registered = await json('POST', `${sandbox.url}/sandbox/merchants`, {
      name: 'Own-key merchant',
      publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }),
    });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    const dir = mkdtempSync(join(tmpdir(), 'demo-merchant-own-'));
    writeFileSync(join(dir, 'key.pem'), pair.privateKey.export({ type: 'pkcs1', format: 'pem' }));
    writeFileSync(join(dir, 'wallet.pem'), await (await fetch(`${sandbox.url}/sandbox/wallet-public-key.pem`)).text());
    const own = await startMerchant(
      {
        host: '127.0.0.1', port: 0, sandbox: sandbox.url, memory: true, failNotifications: 0,
        clientId: registered.body.clientId, privateKeyFile: join(dir, 'key.pem'), walletPublicKeyFile: join(dir, 'wallet.pem'),
      },
      { log: () => {} },
    );
    const { clientId: defaultClientId } = (await json('GET', `${sandbox.url}/sandbox/merchants/default`)).body;
    try {
      assert.match((await own.identityReady).source, /key files/);
      // The code is bound to the app's merchant (the default one): another merchant cannot redeem it.
      const foreign = await api('POST', '/api/session', { authCode: await authCode(sandbox.url) }, { session: null, to: own });
      assert.equal(foreign.body.error, 'AUTH_CODE_INVALID', JSON.stringify(foreign.body));
      const bind = await json('PUT', `${sandbox.url}/sandbox/mini-programs/${APP_ID}`, { merchantClientId: registered.body.clientId });
      assert.equal(bind.status, 200, JSON.stringify(bind.body));
      let session;
      try {
        session = (await signIn({ to: own })).body.sessionId;
      } finally {
        await json('PUT', `${sandbox.url}/sandbox/mini-programs/${APP_ID}`, { merchantClientId: defaultClientId });
      }
      const res = await api('POST', '/api/orders', { items: [{ id: 'croissant', qty: 1 }] }, { session, to: own });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      await complete(res.body.paymentId, 'SUCCESS');
      await eventually(() => own.store.get(res.body.orderId).notifications >= 1, 8000, 'the notification');
      assert.equal(own.store.get(res.body.orderId).status, 'PAID');
    } finally {
      await own.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a wrong merchant key: the wallet refuses the sign-in, and the answer says which key to check', async () => {
    const keys = mkdtempSync(join(tmpdir(), 'demo-merchant-badkey-'));
    const { clientId } = (await json('GET', `${sandbox.url}/sandbox/merchants/default`)).body;
    writeFileSync(join(keys, 'merchant.pem'), ATTACKER.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(keys, 'wallet.pem'), await (await fetch(`${sandbox.url}/sandbox/wallet-public-key.pem`)).text());
    const wrong = await startMerchant(
      {
        host: '127.0.0.1', port: 0, sandbox: sandbox.url, memory: true, failNotifications: 0,
        clientId, privateKeyFile: join(keys, 'merchant.pem'), walletPublicKeyFile: join(keys, 'wallet.pem'),
      },
      { log: () => {} },
    );
    try {
      assert.match((await wrong.identityReady).source, /key files/);
      const res = await api('POST', '/api/session', { authCode: await authCode(sandbox.url) }, { session: null, to: wrong });
      assert.equal(res.status, 502, JSON.stringify(res.body));
      assert.equal(res.body.error, 'AUTH_UNKNOWN');
      // The wallet answers a request it cannot authenticate unsigned: quoted, never trusted.
      assert.match(res.body.message, /claims INVALID_SIGNATURE.*is registered with the key in/);
    } finally {
      await wrong.close();
      rmSync(keys, { recursive: true, force: true });
    }
  });
});

test('a corrupt orders.json is set aside, not fatal; without a sandbox the answer is WALLET_NOT_READY', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-merchant-corrupt-'));
  writeFileSync(join(dir, 'orders.json'), '{ not json');
  const merchant = await startMerchant(
    { host: '127.0.0.1', port: 0, sandbox: 'http://127.0.0.1:9', dataDir: dir, failNotifications: 0 },
    { log: () => {} },
  );
  try {
    assert.equal(merchant.store.list().length, 0);
    const res = await fetch(`${merchant.url}/api/session`, { method: 'POST', body: '{"authCode":"abc"}' });
    assert.equal(res.status, 503, 'no identity: the sandbox is not there');
    assert.equal((await res.json()).error, 'WALLET_NOT_READY');
  } finally {
    await merchant.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
