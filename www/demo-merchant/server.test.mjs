// The merchant server against a fake wallet written from docs/protocol.md §5 (no sandbox binary needed):
// node --test www/demo-merchant/
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';

import { CLIENT_ID, FORGER, MERCHANT, USERS, WALLET, startFakeWallet } from './fake-wallet.mjs';
import { startMerchant } from './server.mjs';

describe('demo merchant against a fake wallet', () => {
  let wallet;
  let merchant;
  let dataDir;
  const logs = [];
  let sessionId; // Alice's session, signed in before the tests

  /** A call as the mini program makes it: with the session header unless `session` is null. */
  const api = async (method, path, body, { session = sessionId } = {}) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json' };
    if (session) headers['x-session-id'] = session;
    const res = await fetch(merchant.url + path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: await res.json() };
  };
  const signIn = async (options = {}) => {
    const res = await api('POST', '/api/session', { authCode: wallet.mintAuthCode(options) }, { session: null });
    assert.equal(res.status, 200, `sign-in: ${JSON.stringify(res.body)}`);
    return res;
  };
  const walletCalls = (path) => wallet.calls.filter((c) => c.path === path);
  const order = (items = [{ id: 'espresso', qty: 2 }]) => api('POST', '/api/orders', { items });

  before(async () => {
    wallet = await startFakeWallet();
    dataDir = mkdtempSync(join(tmpdir(), 'demo-merchant-'));
    merchant = await startMerchant(
      { host: '127.0.0.1', port: 0, sandbox: wallet.url, dataDir, failNotifications: 0 },
      { log: (line) => logs.push(line) },
    );
    assert.ok(await merchant.identityReady, 'identity fetched from the fake sandbox');
    sessionId = (await signIn()).body.sessionId;
  });
  after(async () => {
    await merchant.close();
    await wallet.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    wallet.script.pay = [];
    wallet.tokenTtl = { accessMs: 3_600_000, refreshMs: 30 * 86_400_000 };
  });

  test('sign-in: the auth code buys tokens (applyToken), the token buys the user (inquiryUserInfo)', async () => {
    const start = wallet.calls.length;
    const res = await signIn({ user: USERS.bob });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(res.body.sessionId, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(res.body.user, { customerId: USERS.bob.userId, nickName: 'Bob', avatar: USERS.bob.avatar });
    assert.equal(JSON.stringify(res.body).includes('accessToken'), false, 'tokens stay on the server');
    const calls = wallet.calls.slice(start);
    assert.deepEqual(calls.map((c) => c.path), ['/v1/authorizations/applyToken', '/v1/users/inquiryUserInfo']);
    assert.equal(calls[0].body.grantType, 'AUTHORIZATION_CODE');
    assert.equal(typeof calls[0].body.authCode, 'string');
    assert.equal(typeof calls[1].body.accessToken, 'string');
    assert.equal(wallet.requestsRefused, 0, 'both calls were signed');
    const me = await api('GET', '/api/session', undefined, { session: res.body.sessionId });
    assert.equal(me.status, 200);
    assert.equal(me.body.user.nickName, 'Bob');
  });

  test('auth_base grants the user id only: the user has no nickname or avatar', async () => {
    const res = await signIn({ scopes: ['auth_base'] });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.user, { customerId: USERS.alice.userId, nickName: null, avatar: null });
  });

  test('a code used twice, expired or unknown is refused with a clear 4xx; a bad body is a 400', async () => {
    const code = wallet.mintAuthCode();
    assert.equal((await api('POST', '/api/session', { authCode: code }, { session: null })).status, 200);
    const cases = [
      [{ authCode: code }, 401, 'AUTH_CODE_USED', 'USED_CODE'],
      [{ authCode: wallet.mintAuthCode({ ttlMs: -1 }) }, 401, 'AUTH_CODE_EXPIRED', 'EXPIRED_CODE'],
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

  test('pay carries the signed-in customer as order.buyer.referenceBuyerId; orders are per user', async () => {
    const res = await order([{ id: 'croissant', qty: 1 }]);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const pay = walletCalls('/v1/payments/pay').at(-1).body;
    assert.deepEqual(pay.order.buyer, { referenceBuyerId: USERS.alice.userId });
    const seen = await api('GET', `/api/orders/${res.body.orderId}`);
    assert.deepEqual(seen.body.buyer, { customerId: USERS.alice.userId, nickName: 'Alice' });
    // Bob sees neither Alice's order nor her history.
    const bob = (await signIn({ user: USERS.bob })).body.sessionId;
    assert.equal((await api('GET', `/api/orders/${res.body.orderId}`, undefined, { session: bob })).status, 404);
    assert.equal((await api('POST', `/api/orders/${res.body.orderId}/cancel`, undefined, { session: bob })).status, 404);
    const bobs = await api('GET', '/api/orders', undefined, { session: bob });
    assert.equal(bobs.body.orders.some((o) => o.orderId === res.body.orderId), false);
    const mine = await api('GET', '/api/orders');
    assert.ok(mine.body.orders.every((o) => o.buyer.customerId === USERS.alice.userId));
  });

  test('an expired access token is refreshed (REFRESH_TOKEN, rotated) before inquiryUserInfo', async () => {
    wallet.tokenTtl.accessMs = 1000; // inside the merchant's 30 s margin: expired at once for it
    const { body: login } = await signIn();
    const start = wallet.calls.length;
    const first = await api('GET', '/api/session', undefined, { session: login.sessionId });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const calls = wallet.calls.slice(start);
    assert.deepEqual(calls.map((c) => c.path), ['/v1/authorizations/applyToken', '/v1/users/inquiryUserInfo']);
    assert.equal(calls[0].body.grantType, 'REFRESH_TOKEN');
    // The next refresh uses the rotated token (the first one is spent).
    const second = await api('GET', '/api/session', undefined, { session: login.sessionId });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    const refreshes = walletCalls('/v1/authorizations/applyToken').slice(-2).map((c) => c.body.refreshToken);
    assert.notEqual(refreshes[0], refreshes[1]);
  });

  test('two reads at once with an expired token refresh once (a refresh spends the refresh token)', async () => {
    wallet.tokenTtl.accessMs = 1000;
    const { body: login } = await signIn();
    wallet.tokenTtl.accessMs = 3_600_000; // the refreshed token lasts
    const before = walletCalls('/v1/authorizations/applyToken').length;
    const both = await Promise.all([1, 2].map(() => api('GET', '/api/session', undefined, { session: login.sessionId })));
    assert.deepEqual(both.map((r) => r.status), [200, 200], JSON.stringify(both.map((r) => r.body)));
    assert.equal(walletCalls('/v1/authorizations/applyToken').length - before, 1);
  });

  test('a token the wallet says has expired is refreshed once and the call repeated', async () => {
    const { body: login } = await signIn({ user: USERS.bob });
    wallet.expireAccessTokens(USERS.bob);
    const start = wallet.calls.length;
    const res = await api('GET', '/api/session', undefined, { session: login.sessionId });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(wallet.calls.slice(start).map((c) => c.path), [
      '/v1/users/inquiryUserInfo', '/v1/authorizations/applyToken', '/v1/users/inquiryUserInfo',
    ]);
  });

  test('a refused refresh ends the session: 401 LOGIN_REQUIRED, then orders are refused', async () => {
    wallet.tokenTtl = { accessMs: 1000, refreshMs: 3_600_000 };
    const { body: login } = await signIn({ user: USERS.bob });
    wallet.revokeRefreshTokens(USERS.bob);
    const res = await api('GET', '/api/session', undefined, { session: login.sessionId });
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'LOGIN_REQUIRED');
    assert.equal(res.body.resultCode, 'INVALID_REFRESH_TOKEN');
    const after = await api('POST', '/api/orders', { items: [{ id: 'latte', qty: 1 }] }, { session: login.sessionId });
    assert.equal(after.status, 401, 'the session is gone');
  });

  test('an expired refresh token is not even sent: LOGIN_REQUIRED', async () => {
    wallet.tokenTtl = { accessMs: 1000, refreshMs: -1000 };
    const { body: login } = await signIn();
    const before = walletCalls('/v1/authorizations/applyToken').length;
    const res = await api('GET', '/api/session', undefined, { session: login.sessionId });
    assert.equal(res.status, 401);
    assert.equal(res.body.resultCode, 'EXPIRED_REFRESH_TOKEN');
    assert.equal(walletCalls('/v1/authorizations/applyToken').length, before);
  });

  test('sign-out forgets the session', async () => {
    const { body: login } = await signIn();
    const out = await api('DELETE', '/api/session', undefined, { session: login.sessionId });
    assert.deepEqual(out.body, { signedOut: true });
    assert.equal((await api('GET', '/api/orders', undefined, { session: login.sessionId })).status, 401);
  });

  test('lists goods with prices in minor units, and sends no CORS headers', async () => {
    const res = await api('GET', '/api/goods');
    assert.equal(res.status, 200);
    assert.equal(res.body.currency, 'USD');
    assert.ok(res.body.goods.find((g) => g.id === 'espresso' && g.price === 350));
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });

  test('creates an order priced by the merchant, with a signed pay call', async () => {
    const res = await api('POST', '/api/orders', { items: [{ id: 'latte', qty: 2 }], amount: { value: '1' } });
    assert.equal(res.status, 201);
    assert.match(res.body.paymentUrl, /^http:\/\/wallet\/cashier\/\?paymentId=P\d+/);
    const pay = wallet.calls.findLast((c) => c.path === '/v1/payments/pay').body;
    assert.equal(pay.productCode, 'CASHIER_PAYMENT');
    assert.equal(pay.paymentRequestId, res.body.orderId);
    assert.deepEqual(pay.paymentAmount, { currency: 'USD', value: '950' });
    assert.equal(pay.order.orderDescription, 'Demo Coffee: 2× Caffè latte');
    assert.equal(pay.paymentNotifyUrl, `${merchant.url}/notify/payment`);
    assert.match(pay.paymentExpiryTime, /[+-]\d\d:\d\d$/);
    assert.equal(wallet.requestsRefused, 0, 'the fake wallet verified our signature');
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
    assert.equal((await api('GET', '/api/orders/nope')).status, 404);
    assert.equal((await api('GET', '/api/orders/%E0%A4%A')).status, 404);
    assert.equal((await api('DELETE', '/api/orders')).status, 405);
    assert.equal((await api('GET', '/api/goods')).status, 200, 'still alive');
  });

  test('a signed notification marks the order PAID, idempotently', async () => {
    const { body: created } = await order();
    const first = await wallet.notify(created.orderId, 'SUCCESS');
    assert.deepEqual(first.body, { result: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' } });
    const again = await wallet.notify(created.orderId, 'SUCCESS');
    assert.equal(again.body.result.resultStatus, 'S');
    const { body: seen } = await api('GET', `/api/orders/${created.orderId}`);
    assert.equal(seen.status, 'PAID');
    assert.equal(seen.statusSource, 'notification');
    assert.equal(seen.notifications, 2);
    assert.equal(seen.paymentUrl, null, 'a paid order offers no paymentUrl');
  });

  test('a failed payment notification records the fail reason', async () => {
    const { body: created } = await order();
    await wallet.notify(created.orderId, 'FAIL', { failReason: 'INSUFFICIENT_BALANCE' });
    const { body: seen } = await api('GET', `/api/orders/${created.orderId}`);
    assert.equal(seen.status, 'FAILED');
    assert.equal(seen.failReason, 'INSUFFICIENT_BALANCE');
  });

  test('a tampered or wrongly addressed notification is refused and changes nothing', async () => {
    const { body: created } = await order();
    wallet.payments.get(created.orderId).status = 'PROCESSING';
    const tampered = await wallet.notify(created.orderId, 'SUCCESS', { tamper: true });
    assert.equal(tampered.body.result.resultStatus, 'F');
    assert.equal(tampered.body.result.resultCode, 'INVALID_SIGNATURE');
    // Signed for another path than the one it was delivered to.
    const otherPath = await wallet.notify(created.orderId, 'SUCCESS', { path: '/elsewhere' });
    assert.equal(otherPath.body.result.resultCode, 'INVALID_SIGNATURE');
    const unsigned = await fetch(`${merchant.url}/notify/payment`, {
      method: 'POST',
      body: JSON.stringify({ paymentRequestId: created.orderId, paymentStatus: 'SUCCESS' }),
    }).then((r) => r.json());
    assert.equal(unsigned.result.resultStatus, 'F');
    wallet.payments.get(created.orderId).status = 'PROCESSING';
    const { body: seen } = await api('GET', `/api/orders/${created.orderId}`);
    assert.equal(seen.status, 'PENDING');
    assert.ok(logs.some((l) => /notify REFUSED \(INVALID_SIGNATURE\)/.test(l)), 'refusals are logged');
  });

  test('without a notification, inquiryPayment is the fallback, at most every 2 s', async () => {
    const { body: created } = await order();
    wallet.payments.get(created.orderId).status = 'SUCCESS'; // paid, but no notification sent
    const before = wallet.calls.filter((c) => c.path === '/v1/payments/inquiryPayment').length;
    const { body: seen } = await api('GET', `/api/orders/${created.orderId}`);
    assert.equal(seen.status, 'PAID');
    assert.equal(seen.statusSource, 'inquiry');
    const { body: pending } = await order();
    await api('GET', `/api/orders/${pending.orderId}`);
    await api('GET', `/api/orders/${pending.orderId}`);
    await api('GET', `/api/orders/${pending.orderId}`);
    const inquiries = wallet.calls.filter((c) => c.path === '/v1/payments/inquiryPayment').length - before;
    assert.equal(inquiries, 2, 'one for the paid order, one for the pending one despite three reads');
  });

  test('pay answered U is retried with the same paymentRequestId and body', async () => {
    wallet.script.pay = ['U', 'U'];
    const start = wallet.calls.length;
    const res = await order([{ id: 'beans', qty: 1 }]);
    assert.equal(res.status, 201);
    const pays = wallet.calls.slice(start).filter((c) => c.path === '/v1/payments/pay');
    assert.equal(pays.length, 3);
    assert.deepEqual(pays[0].body, pays[2].body);
  });

  test('pay answered F is a clear error for the client and a FAILED order', async () => {
    wallet.script.pay = ['F'];
    const res = await order();
    assert.equal(res.status, 502);
    assert.equal(res.body.error, 'PAYMENT_REJECTED');
    assert.match(res.body.message, /PARAM_ILLEGAL/);
    const { body: seen } = await api('GET', `/api/orders/${res.body.orderId}`);
    assert.equal(seen.status, 'FAILED');
    assert.equal(seen.statusSource, 'pay');
  });

  test('a response not signed by the wallet is refused', async () => {
    wallet.script.pay = ['FORGE'];
    const res = await order();
    assert.equal(res.status, 502);
    assert.match(res.body.message, /not trustworthy: signature does not verify/);
    assert.equal((await api('GET', `/api/orders/${res.body.orderId}`)).body.paymentUrl, null);
  });

  test('debug notify mode fails the first N notifications, then acknowledges', async () => {
    const set = await api('POST', '/debug/notify-mode', { failNext: 2 });
    assert.deepEqual(set.body, { failNext: 2 });
    const { body: created } = await order();
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await wallet.notify(created.orderId, 'SUCCESS')).body.result.resultStatus);
    assert.deepEqual(answers, ['F', 'F', 'S']);
    assert.equal((await api('POST', '/debug/notify-mode', { failNext: 'x' })).status, 400);
  });

  test('cancel cancels an open payment and refuses a final one', async () => {
    const { body: created } = await order();
    const cancelled = await api('POST', `/api/orders/${created.orderId}/cancel`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'CANCELLED');
    assert.equal((await api('POST', `/api/orders/${created.orderId}/cancel`)).status, 409);
  });

  test('orders survive a restart (JSON file, atomic write)', async () => {
    const { body: created } = await order();
    const list = await api('GET', '/api/orders');
    assert.equal(list.body.orders[0].orderId, created.orderId, 'newest first');
    await merchant.store.writing;
    const saved = JSON.parse(readFileSync(join(dataDir, 'orders.json'), 'utf8'));
    assert.ok(saved.orders.some((o) => o.orderId === created.orderId));
    const again = await startMerchant(
      { host: '127.0.0.1', port: 0, sandbox: wallet.url, dataDir, failNotifications: 0 },
      { log: () => {} },
    );
    try {
      assert.equal(again.store.get(created.orderId).amount.value, '700');
    } finally {
      await again.close();
    }
  });

  test('a merchant with its own key files needs no sandbox identity endpoint', async () => {
    const keys = mkdtempSync(join(tmpdir(), 'demo-merchant-keys-'));
    writeFileSync(join(keys, 'merchant.pem'), MERCHANT.privateKey);
    writeFileSync(join(keys, 'wallet.pem'), WALLET.publicKey);
    const own = await startMerchant(
      {
        host: '127.0.0.1', port: 0, sandbox: wallet.url, memory: true, failNotifications: 0,
        clientId: CLIENT_ID, privateKeyFile: join(keys, 'merchant.pem'), walletPublicKeyFile: join(keys, 'wallet.pem'),
      },
      { log: () => {} },
    );
    try {
      const identity = await own.identityReady;
      assert.match(identity.source, /key files/);
      const login = await fetch(`${own.url}/api/session`, { method: 'POST', body: JSON.stringify({ authCode: wallet.mintAuthCode() }) });
      assert.equal(login.status, 200);
      const { sessionId: own1 } = await login.json();
      const res = await fetch(`${own.url}/api/orders`, {
        method: 'POST', headers: { 'x-session-id': own1 }, body: JSON.stringify({ items: [{ id: 'latte', qty: 1 }] }),
      });
      assert.equal(res.status, 201);
    } finally {
      await own.close();
      rmSync(keys, { recursive: true, force: true });
    }
  });

  test('a wrong merchant key gives PAYMENT_REJECTED with a hint, not a bare INVALID_SIGNATURE', async () => {
    const keys = mkdtempSync(join(tmpdir(), 'demo-merchant-badkey-'));
    writeFileSync(join(keys, 'merchant.pem'), FORGER.privateKey);
    writeFileSync(join(keys, 'wallet.pem'), WALLET.publicKey);
    const wrong = await startMerchant(
      {
        host: '127.0.0.1', port: 0, sandbox: wallet.url, memory: true, failNotifications: 0,
        clientId: CLIENT_ID, privateKeyFile: join(keys, 'merchant.pem'), walletPublicKeyFile: join(keys, 'wallet.pem'),
      },
      { log: () => {} },
    );
    try {
      await wrong.identityReady;
      // Already the sign-in is refused by the wallet, with the same hint.
      const res = await fetch(`${wrong.url}/api/session`, { method: 'POST', body: JSON.stringify({ authCode: wallet.mintAuthCode() }) });
      const body = await res.json();
      assert.equal(res.status, 502);
      assert.equal(body.error, 'AUTH_REJECTED');
      assert.match(body.message, /INVALID_SIGNATURE.*is registered with the key in/);
    } finally {
      await wrong.close();
      rmSync(keys, { recursive: true, force: true });
    }
  });
});

test('a corrupt orders.json is set aside, not fatal', async () => {
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
