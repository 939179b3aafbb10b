#!/usr/bin/env node
// Demo merchant: the mini program's own server in the "pay with paymentUrl" flow (docs/protocol.md §1).
// It signs the user in, prices orders from its catalogue, creates payments with signed calls to
// the super app server, verifies and acknowledges the payment notification, and falls back to
// inquiryPayment when no notification came. Node.js ≥ 20, no npm dependencies: it is also the
// example of a merchant integrating in another language than the wallet, from the docs alone.
//
// This file is the map: the route table, the shared context, start and stop. The handlers are
// in sessions.mjs, orders.mjs and notify.mjs; the wallet client in wallet.mjs; pure rules in
// lib.mjs; the orders file in store.mjs; the router in http.mjs.
//
// Run: node www/demo-merchant/server.mjs --help

import { createServer } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { SESSION_HEADER, USAGE, parseConfig } from './lib.mjs';
import { Router, sendJson } from './http.mjs';
import { NOTIFY_PATH, getNotifyMode, notifyPayment, setNotifyMode } from './notify.mjs';
import { MERCHANT_NAME, cancelOrder, createOrder, getOrder, listGoods, listOrders } from './orders.mjs';
import { SessionStore, createSession, currentSession, endSession, signedIn } from './sessions.mjs';
import { OrderStore } from './store.mjs';
import { createWalletClient, loadIdentity } from './wallet.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
/** `<repo>/.data/demo-merchant`, whatever the working directory. */
export const DEFAULT_DATA_DIR = resolve(HERE, '..', '..', '.data', 'demo-merchant');

/** Every route: method + path → one named handler `(ctx, req, res, { path, params, session? })`. */
export const routes = new Router()
  .get('/', describe)
  .get('/api/goods', listGoods)
  .post('/api/session', createSession)
  .get('/api/session', currentSession)
  .delete('/api/session', endSession)
  // Orders belong to a signed-in user: every order route needs the session.
  .post('/api/orders', signedIn(createOrder))
  .get('/api/orders', signedIn(listOrders))
  .get('/api/orders/:orderId', signedIn(getOrder))
  .post('/api/orders/:orderId/cancel', signedIn(cancelOrder))
  .post(NOTIFY_PATH, notifyPayment)
  .get('/debug/notify-mode', getNotifyMode)
  .post('/debug/notify-mode', setNotifyMode);

/** `GET /`: who we are and what we answer. */
function describe(ctx, req, res) {
  return sendJson(res, 200, {
    name: `${MERCHANT_NAME} (demo merchant)`,
    clientId: ctx.wallet?.clientId ?? null,
    sandbox: ctx.config.sandbox,
    sessionHeader: SESSION_HEADER,
    endpoints: routes.list(),
  });
}

/** Log line with a timestamp; the one place output is written. */
function defaultLog(line) {
  console.log(`${new Date().toISOString()} demo-merchant ${line}`);
}

/**
 * Starts the merchant. `config` as from `parseConfig`. `now()` is the merchant's clock (ms; order
 * times, paymentExpiryTime, token expiry): tests move it. Resolves once listening with
 * `{ url, server, store, sessions, identityReady, close() }`. The identity (keys) may still be
 * loading from the sandbox: `identityReady` resolves when it is there (`null` if it never is).
 */
export async function startMerchant(config, { log = defaultLog, now = Date.now } = {}) {
  const store = await OrderStore.open(config.memory ? null : config.dataDir || DEFAULT_DATA_DIR, log);
  // What every handler may use. `wallet` is null until the identity is loaded.
  const ctx = {
    config,
    log,
    now,
    store,
    sessions: new SessionStore(),
    wallet: null,
    notifyUrl: null,
    notifyFailuresLeft: config.failNotifications ?? 0,
    lastInquiry: new Map(), // orderId → performance.now() of the last inquiryPayment
    inquiries: new Map(), // orderId → the inquiry in flight
    creating: new Set(), // orderIds whose pay call is in flight
  };
  let closed = false;

  // Own key files are read before listening (a bad path is a start-up error); the sandbox's
  // default merchant is fetched in the background, retried while the sandbox starts.
  const ownIdentity = config.clientId ? await loadIdentity(config, log) : null;

  const server = createServer((req, res) => {
    const started = Date.now();
    res.on('finish', () => log(`${req.method} ${req.url} -> ${res.statusCode} ${Date.now() - started} ms`));
    routes.handle(ctx, req, res).catch((err) => {
      log(`ERROR ${req.method} ${req.url}: ${err.stack ?? err}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'INTERNAL', message: 'internal error, see the merchant log' });
      else res.destroy();
    });
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host, ok);
  });
  const { port } = server.address();
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  ctx.notifyUrl = `${config.publicUrl || url}${NOTIFY_PATH}`;
  log(`listening on ${url} (notify URL ${ctx.notifyUrl}, sandbox ${config.sandbox}, orders ${store.file ?? 'in memory'})`);

  const identityReady = (ownIdentity ? Promise.resolve(ownIdentity) : loadIdentity(config, log, () => closed))
    .then((identity) => {
      if (!identity) return null;
      ctx.wallet = createWalletClient({ baseUrl: config.sandbox, identity, log });
      log(`merchant identity ready: Client-Id ${identity.clientId} (${identity.source})`);
      return identity;
    })
    .catch((err) => {
      log(`merchant identity unusable, orders cannot be paid: ${err.message}`);
      return null;
    });

  return {
    url,
    server,
    store,
    sessions: ctx.sessions,
    identityReady,
    async close() {
      closed = true;
      await new Promise((ok) => server.close(ok));
      server.closeAllConnections?.();
      await store.writing.catch(() => {});
    },
  };
}

async function main() {
  const config = parseConfig(process.argv.slice(2), process.env);
  if (config.error) {
    console.error(`demo-merchant: ${config.error}`);
    process.exit(2);
  }
  if (config.help) {
    process.stdout.write(USAGE);
    return;
  }
  const merchant = await startMerchant(config);
  const stop = async (signal) => {
    defaultLog(`${signal}: shutting down`);
    await merchant.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error(`demo-merchant: ${err.stack ?? err}`);
    process.exit(1);
  });
}
