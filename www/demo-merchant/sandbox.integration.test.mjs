// The demo merchant against the real sandbox binary: signatures interoperate both ways (Rust
// wallet ↔ Node merchant), notifications arrive, are verified and acknowledged, retries and the
// inquiry fallback work. Skipped, with a message, when the binary has not been built.
//
//   cargo build -p superapp-sandbox && node --test www/demo-merchant/
//   SANDBOX_BIN=/path/to/superapp-sandbox node --test www/demo-merchant/
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { startMerchant } from './server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.SANDBOX_BIN || join(ROOT, 'target', 'debug', 'superapp-sandbox');
const skip = existsSync(BIN) ? false : `sandbox binary not built (${BIN}); run cargo build -p superapp-sandbox`;
if (skip) console.log(`# SKIP sandbox integration tests: ${skip}`);

/** Starts the sandbox on a free port, in memory, with fast notification retries. */
async function startSandbox() {
  const child = spawn(
    BIN,
    ['--listen', '127.0.0.1:0', '--mini-program-listen', 'off', '--memory', '--notify-schedule', 'fast',
      '--time-scale', '0.1', '--pending-delay', '1', '--log', 'warn'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`sandbox did not start in 20 s:\n${output}`)), 20_000);
    const onData = (chunk) => {
      output += chunk;
      const match = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) {
        clearTimeout(timer);
        ok(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`sandbox exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function json(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Polls `check()` until it returns a truthy value, or fails after `ms`. */
async function eventually(check, ms = 8000, what = 'condition') {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

describe('demo merchant against the real sandbox', { skip }, () => {
  let sandbox;
  let merchant;
  const logs = [];
  const api = (method, path, body) => json(method, merchant.url + path, body);
  const complete = (paymentId, outcome, failReason) =>
    json('POST', `${sandbox.url}/sandbox/payments/${paymentId}/complete`, { outcome, failReason });
  const newOrder = async (items = [{ id: 'espresso', qty: 2 }]) => {
    const res = await api('POST', '/api/orders', { items });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };

  before(async () => {
    sandbox = await startSandbox();
    merchant = await startMerchant(
      { host: '127.0.0.1', port: 0, sandbox: sandbox.url, memory: true, failNotifications: 0 },
      { log: (line) => logs.push(line) },
    );
    assert.ok(await merchant.identityReady, 'identity fetched from GET /sandbox/merchants/default');
  });
  after(async () => {
    await merchant?.close();
    await sandbox?.stop();
  });

  test('pay returns a paymentUrl of the sandbox cashier; the payment carries our order', async () => {
    const order = await newOrder([{ id: 'latte', qty: 2 }]);
    assert.ok(order.paymentUrl.startsWith(`${sandbox.url}/cashier/`), order.paymentUrl);
    const { body: payment } = await json('GET', `${sandbox.url}/sandbox/payments/${order.paymentId}`);
    assert.equal(payment.paymentRequestId, order.orderId);
    assert.deepEqual(payment.amount, { currency: 'USD', value: '950' });
    assert.equal(payment.merchantName, 'Demo Coffee');
    assert.equal(payment.notifyUrl, `${merchant.url}/notify/payment`);
  });

  test('a paid payment is learned from the signed notification and acknowledged', async () => {
    const order = await newOrder();
    assert.equal((await complete(order.paymentId, 'SUCCESS')).status, 200);
    // Watch the store, not the API: a GET would fall back to inquiryPayment.
    await eventually(() => merchant.store.get(order.orderId).notifications >= 1, 8000, 'the notification');
    const { body: seen } = await api('GET', `/api/orders/${order.orderId}`);
    assert.equal(seen.status, 'PAID');
    assert.equal(seen.statusSource, 'notification');
    const { body: log } = await json('GET', `${sandbox.url}/sandbox/notifications?paymentId=${order.paymentId}`);
    assert.equal(log.notifications[0].status, 'DELIVERED', JSON.stringify(log.notifications[0]));
  });

  test('a failed payment carries its fail reason', async () => {
    const order = await newOrder();
    await complete(order.paymentId, 'FAIL', 'CARD_DECLINED');
    await eventually(() => merchant.store.get(order.orderId).notifications >= 1, 8000, 'the notification');
    const { body: seen } = await api('GET', `/api/orders/${order.orderId}`);
    assert.equal(seen.status, 'FAILED');
    assert.equal(seen.failReason, 'CARD_DECLINED');
  });

  test('refused notifications are retried by the sandbox until acknowledged', async () => {
    await api('POST', '/debug/notify-mode', { failNext: 2 });
    const order = await newOrder();
    await complete(order.paymentId, 'SUCCESS');
    await eventually(() => merchant.store.get(order.orderId).notifications >= 1, 15000, 'the third attempt');
    const { body: log } = await json('GET', `${sandbox.url}/sandbox/notifications?paymentId=${order.paymentId}`);
    assert.equal(log.notifications[0].attempts.length, 3, JSON.stringify(log.notifications[0].attempts));
    assert.equal(log.notifications[0].status, 'DELIVERED');
  });

  test('with no notification acknowledged, inquiryPayment tells the merchant', async () => {
    await api('POST', '/debug/notify-mode', { failNext: 1000 });
    try {
      const order = await newOrder();
      await complete(order.paymentId, 'SUCCESS');
      const seen = await eventually(async () => {
        const { body } = await api('GET', `/api/orders/${order.orderId}`);
        return body.status === 'PAID' && body;
      }, 8000, 'inquiry');
      assert.equal(seen.statusSource, 'inquiry');
      assert.equal(seen.notifications, 0);
    } finally {
      await api('POST', '/debug/notify-mode', { failNext: 0 });
    }
  });

  test('pay answered U (magic amount 60.04) is retried to success', async () => {
    const order = await newOrder([{ id: 'test-unknown', qty: 1 }]);
    assert.ok(order.paymentUrl);
    assert.ok(logs.some((l) => /wallet POST \/v1\/payments\/pay -> U/.test(l)), 'a U answer was logged');
  });

  test('cancel through the open API makes the order CANCELLED', async () => {
    const order = await newOrder();
    const res = await api('POST', `/api/orders/${order.orderId}/cancel`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'CANCELLED');
    const { body: payment } = await json('GET', `${sandbox.url}/sandbox/payments/${order.paymentId}`);
    assert.equal(payment.status, 'CANCELLED');
  });

  test('a merchant registered with its own key works from key files', async () => {
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
    try {
      const res = await json('POST', `${own.url}/api/orders`, { items: [{ id: 'croissant', qty: 1 }] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      await complete(res.body.paymentId, 'SUCCESS');
      await eventually(() => own.store.get(res.body.orderId).notifications >= 1, 8000, 'the notification');
      assert.equal(own.store.get(res.body.orderId).status, 'PAID');
    } finally {
      await own.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
