#!/usr/bin/env node
// Demo merchant: the mini program's own server in the "pay with paymentUrl" flow (docs/protocol.md §1).
// It prices orders from its catalogue, creates payments with signed calls to the super app
// server, verifies and acknowledges the payment notification, and falls back to
// inquiryPayment when no notification came. Node.js ≥ 20, no npm dependencies: it is also the
// example of a merchant integrating in another language than the wallet, from the docs alone.
//
// Run: node www/demo-merchant/server.mjs --help

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import {
  CURRENCY,
  GOODS,
  SESSION_HEADER,
  USAGE,
  authFailure,
  formatRequestTime,
  headerValue,
  isExpired,
  isFinal,
  newOrderId,
  orderStatusFromPayment,
  parseConfig,
  paymentUrlOf,
  priceOrder,
  readAuthCode,
  tokensOf,
  userOf,
  newSessionId,
  verifyWalletSignature,
} from './lib.mjs';
import { OrderStore } from './store.mjs';
import { WalletError, createWalletClient } from './wallet.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
/** `<repo>/.data/demo-merchant`, whatever the working directory. */
export const DEFAULT_DATA_DIR = resolve(HERE, '..', '..', '.data', 'demo-merchant');
const MERCHANT_NAME = 'Demo Coffee';
const MAX_BODY = 64 * 1024;
/** Minimum time between two inquiryPayment calls for one order. */
const INQUIRY_INTERVAL_MS = 2000;
/** How long a payment stays payable (sent as paymentExpiryTime). */
const PAYMENT_EXPIRY_MS = 15 * 60 * 1000;
/** Sessions kept in memory at most; the oldest is forgotten first. */
const MAX_SESSIONS = 10_000;
const ACK = { result: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' } };

/** Log line with a timestamp; the one place output is written. */
function defaultLog(line) {
  console.log(`${new Date().toISOString()} demo-merchant ${line}`);
}

/**
 * Starts the merchant. `config` as from `parseConfig`. Resolves once listening with
 * `{ url, server, store, identityReady, close() }`. The identity (keys) may still be loading
 * from the sandbox: `identityReady` resolves when it is there.
 */
export async function startMerchant(config, { log = defaultLog } = {}) {
  const store = await OrderStore.open(config.memory ? null : config.dataDir || DEFAULT_DATA_DIR, log);
  const state = {
    wallet: null,
    notifyFailuresLeft: config.failNotifications ?? 0,
    lastInquiry: new Map(), // orderId → ms timestamp
    inquiries: new Map(), // orderId → in-flight Promise
    creating: new Set(), // orderIds whose pay call is in flight
    sessions: new Map(), // sessionId → { sessionId, user, tokens, createdAt, refreshing }
    closed: false,
  };

  // Own key files are read before listening (a bad path is a start-up error); the sandbox's
  // default merchant is fetched in the background, retried while the sandbox starts.
  const ownIdentity = config.clientId ? await loadIdentity(config, log, () => false) : null;

  const server = createServer((req, res) => {
    const started = Date.now();
    res.on('finish', () => log(`${req.method} ${req.url} -> ${res.statusCode} ${Date.now() - started} ms`));
    route(req, res).catch((err) => {
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
  const publicUrl = config.publicUrl || url;
  const notifyPath = '/notify/payment';
  log(`listening on ${url} (notify URL ${publicUrl}${notifyPath}, sandbox ${config.sandbox}, ` +
    `orders ${store.file ?? 'in memory'})`);

  const identityReady = (ownIdentity ? Promise.resolve(ownIdentity) : loadIdentity(config, log, () => state.closed))
    .then((identity) => {
      if (!identity) return null;
      state.wallet = createWalletClient({ baseUrl: config.sandbox, identity, log });
      log(`merchant identity ready: Client-Id ${identity.clientId} (${identity.source})`);
      return identity;
    })
    .catch((err) => {
      log(`merchant identity unusable, orders cannot be paid: ${err.message}`);
      return null;
    });

  async function route(req, res) {
    const path = new URL(req.url, 'http://merchant').pathname;
    const method = req.method;
    let m;
    if (path === '/' && method === 'GET') return sendJson(res, 200, describe());
    if (path === '/api/goods' && method === 'GET') return sendJson(res, 200, { currency: CURRENCY, goods: GOODS });
    if (path === '/api/session' && method === 'POST') return createSession(req, res);
    if (path === '/api/session' && method === 'GET') return currentSession(req, res);
    if (path === '/api/session' && method === 'DELETE') return endSession(req, res);
    if (path.startsWith('/api/orders')) {
      // Orders belong to a signed-in user: every order route needs the session.
      const session = sessionOf(req);
      if (!session) return loginRequired(res, req);
      if (path === '/api/orders' && method === 'GET') {
        return sendJson(res, 200, { orders: store.list().filter((o) => ownedBy(o, session)).map(view) });
      }
      if (path === '/api/orders' && method === 'POST') return createOrder(req, res, session);
      if ((m = path.match(/^\/api\/orders\/([^/]+)$/)) && method === 'GET') return getOrder(res, safeDecode(m[1]), session);
      if ((m = path.match(/^\/api\/orders\/([^/]+)\/cancel$/)) && method === 'POST') {
        return cancelOrder(res, safeDecode(m[1]), session);
      }
    }
    if (path === notifyPath && method === 'POST') return notify(req, res, path);
    if (path === '/debug/notify-mode' && method === 'GET') return sendJson(res, 200, notifyMode());
    if (path === '/debug/notify-mode' && method === 'POST') return setNotifyMode(req, res);
    const known = ['/api/goods', '/api/session', '/api/orders', notifyPath, '/debug/notify-mode'].includes(path) ||
      /^\/api\/orders\/[^/]+(\/cancel)?$/.test(path);
    if (known) return sendJson(res, 405, { error: 'METHOD_NOT_ALLOWED', message: `${method} is not allowed on ${path}` });
    return sendJson(res, 404, { error: 'NOT_FOUND', message: `no route ${method} ${path}` });
  }

  // -- orders ----------------------------------------------------------------------------------

  async function createOrder(req, res, session) {
    const body = await readJson(req, res);
    if (body === undefined) return;
    const priced = priceOrder(body);
    if (!priced.ok) return sendJson(res, 400, { error: 'INVALID_PARAM', field: priced.field, message: priced.message });
    if (!state.wallet) {
      return sendJson(res, 503, {
        error: 'WALLET_NOT_READY',
        message: `the merchant has no identity yet: is the super app sandbox running at ${config.sandbox}?`,
      });
    }
    const now = new Date();
    const order = {
      orderId: newOrderId(now),
      status: 'PENDING',
      statusSource: null,
      failReason: null,
      items: priced.lines,
      amount: priced.amount,
      description: priced.description,
      paymentId: null,
      paymentUrl: null,
      paymentTime: null,
      createdAt: now.toISOString(),
      notifications: 0,
      buyer: { customerId: session.user.customerId, nickName: session.user.nickName },
    };
    const payRequest = {
      productCode: 'CASHIER_PAYMENT',
      paymentRequestId: order.orderId,
      paymentAmount: order.amount,
      order: {
        referenceOrderId: order.orderId,
        orderDescription: order.description,
        orderAmount: order.amount,
        // The customer id applyToken gave us: the wallet pays as this user.
        buyer: { referenceBuyerId: session.user.customerId },
        merchant: { referenceMerchantId: 'demo-coffee', merchantName: MERCHANT_NAME },
      },
      paymentExpiryTime: formatRequestTime(new Date(now.getTime() + PAYMENT_EXPIRY_MS)),
      paymentNotifyUrl: `${publicUrl}${notifyPath}`,
    };
    await store.save(order);
    state.creating.add(order.orderId); // no inquiry for it until pay has answered
    let answer;
    try {
      answer = await state.wallet.pay(payRequest);
    } catch (err) {
      if (!(err instanceof WalletError)) throw err;
      // The payment may or may not exist: the order stays PENDING and inquiry will tell.
      const hint = err.kind === 'signature' ? identityHint('INVALID_SIGNATURE') : '';
      return sendJson(res, 502, { error: 'PAYMENT_UNKNOWN', message: err.message + hint, orderId: order.orderId });
    } finally {
      state.creating.delete(order.orderId);
    }
    const { result } = answer;
    const paymentUrl = paymentUrlOf(answer);
    if ((result.resultStatus === 'A' || result.resultStatus === 'S') && answer.paymentId && paymentUrl) {
      order.paymentId = answer.paymentId;
      order.paymentUrl = paymentUrl;
      await store.save(order);
      return sendJson(res, 201, {
        orderId: order.orderId,
        paymentId: order.paymentId,
        paymentUrl,
        amount: order.amount,
        status: order.status,
      });
    }
    if (result.resultStatus === 'F') {
      order.status = 'FAILED';
      order.statusSource = 'pay';
      order.failReason = `${result.resultCode}: ${result.resultMessage ?? ''}`.trim();
      await store.save(order);
      return sendJson(res, 502, {
        error: 'PAYMENT_REJECTED',
        message: `the wallet refused the payment (${order.failReason})${identityHint(result.resultCode)}`,
        resultCode: result.resultCode,
        orderId: order.orderId,
      });
    }
    // U after every retry, or an A without a paymentUrl: nothing the client can pay with.
    return sendJson(res, 502, {
      error: 'PAYMENT_UNKNOWN',
      message: `the wallet gave no usable answer (${result.resultStatus} ${result.resultCode ?? ''}); try again`,
      orderId: order.orderId,
    });
  }

  async function getOrder(res, orderId, session) {
    const order = ownedBy(store.get(orderId), session);
    if (!order) return sendJson(res, 404, { error: 'ORDER_NOT_FOUND', message: `no order '${orderId}'` });
    let inquiryError = null;
    if (!isFinal(order.status)) inquiryError = await inquire(order);
    return sendJson(res, 200, { ...view(order), ...(inquiryError ? { inquiryError } : {}) });
  }

  /**
   * The fallback when no notification came: asks the wallet, at most every INQUIRY_INTERVAL_MS
   * per order, one call at a time. Resolves with an error message or null.
   */
  async function inquire(order) {
    if (!state.wallet || state.creating.has(order.orderId)) return null;
    const running = state.inquiries.get(order.orderId);
    if (running) return running;
    if (Date.now() - (state.lastInquiry.get(order.orderId) ?? 0) < INQUIRY_INTERVAL_MS) return null;
    state.lastInquiry.set(order.orderId, Date.now());
    const query = order.paymentId ? { paymentId: order.paymentId } : { paymentRequestId: order.orderId };
    const work = (async () => {
      let answer;
      try {
        answer = await state.wallet.inquiryPayment(query);
      } catch (err) {
        if (err instanceof WalletError) return err.message;
        throw err;
      }
      const { result } = answer;
      if (isFinal(order.status)) return null; // a notification arrived meanwhile
      if (result.resultStatus === 'S') {
        const status = orderStatusFromPayment(answer.paymentStatus);
        if (!status) return `inquiryPayment returned an unknown paymentStatus '${answer.paymentStatus}'`;
        if (status === 'PENDING') return null;
        settle(order, status, 'inquiry', answer);
        await store.save(order);
        log(`order ${order.orderId}: ${status} (learned from inquiryPayment)`);
        return null;
      }
      if (result.resultCode === 'ORDER_NOT_EXIST' && !order.paymentId) {
        // pay never got through: nothing can be paid for this order.
        order.status = 'FAILED';
        order.statusSource = 'inquiry';
        order.failReason = 'PAYMENT_NOT_CREATED';
        await store.save(order);
        return null;
      }
      return `inquiryPayment: ${result.resultStatus} ${result.resultCode ?? ''} ${result.resultMessage ?? ''}`.trim();
    })();
    state.inquiries.set(order.orderId, work);
    try {
      return await work;
    } finally {
      state.inquiries.delete(order.orderId);
    }
  }

  async function cancelOrder(res, orderId, session) {
    const order = ownedBy(store.get(orderId), session);
    if (!order) return sendJson(res, 404, { error: 'ORDER_NOT_FOUND', message: `no order '${orderId}'` });
    if (isFinal(order.status)) {
      return sendJson(res, 409, { error: 'ORDER_FINAL', message: `order is already ${order.status}`, order: view(order) });
    }
    if (!state.wallet) return sendJson(res, 503, { error: 'WALLET_NOT_READY', message: 'the merchant has no identity yet' });
    let answer;
    try {
      answer = await state.wallet.cancel(
        order.paymentId ? { paymentId: order.paymentId } : { paymentRequestId: order.orderId },
      );
    } catch (err) {
      if (!(err instanceof WalletError)) throw err;
      return sendJson(res, 502, { error: 'WALLET_ERROR', message: err.message });
    }
    const { result } = answer;
    if (result.resultStatus === 'S') {
      if (!isFinal(order.status)) {
        order.status = 'CANCELLED';
        order.statusSource = 'cancel';
        order.cancelTime = answer.cancelTime ?? null;
        await store.save(order);
      }
      return sendJson(res, 200, view(order));
    }
    // Typically ORDER_STATUS_INVALID: it was paid or failed meanwhile; find out which.
    state.lastInquiry.delete(order.orderId);
    await inquire(order);
    return sendJson(res, 409, {
      error: result.resultCode ?? 'CANCEL_FAILED',
      message: `the wallet refused to cancel: ${result.resultMessage ?? result.resultCode}`,
      order: view(order),
    });
  }

  // -- sessions (user identity: docs/protocol.md §5b) ------------------------------------------------------

  /** The session named by the request's `x-session-id` header, or null. */
  function sessionOf(req) {
    const id = headerValue(req.headers, SESSION_HEADER);
    return (typeof id === 'string' && state.sessions.get(id)) || null;
  }

  function loginRequired(res, req, message) {
    const named = headerValue(req.headers, SESSION_HEADER);
    return sendJson(res, 401, {
      error: 'LOGIN_REQUIRED',
      message: message ??
        (named
          ? 'this session is unknown or over (the shop may have restarted); sign in again: my.getAuthCode, then POST /api/session'
          : `sign in first: my.getAuthCode, then POST /api/session {authCode}, and send the sessionId as the ${SESSION_HEADER} header`),
    });
  }

  /**
   * `POST /api/session {authCode}`: the code from my.getAuthCode buys tokens (applyToken,
   * AUTHORIZATION_CODE), the access token buys the user (inquiryUserInfo); the tokens stay here,
   * the mini program gets a session id and the user.
   */
  async function createSession(req, res) {
    const body = await readJson(req, res);
    if (body === undefined) return;
    const read = readAuthCode(body);
    if (!read.ok) return sendJson(res, 400, { error: 'INVALID_PARAM', field: read.field, message: read.message });
    if (!state.wallet) return walletNotReady(res);
    try {
      const tokens = await grant({ grantType: 'AUTHORIZATION_CODE', authCode: read.authCode });
      const session = { sessionId: newSessionId(randomBytes(32)), tokens, user: null, createdAt: new Date().toISOString() };
      session.user = await fetchUser(session, { fresh: true });
      state.sessions.set(session.sessionId, session);
      if (state.sessions.size > MAX_SESSIONS) state.sessions.delete(state.sessions.keys().next().value);
      log(`session: ${session.user.customerId} (${session.user.nickName ?? 'no nickname granted'}) signed in`);
      return sendJson(res, 200, { sessionId: session.sessionId, user: session.user });
    } catch (err) {
      return refusal(res, err);
    }
  }

  /** `GET /api/session`: the current user, asked again of the wallet (refreshing the token first if needed). */
  async function currentSession(req, res) {
    const session = sessionOf(req);
    if (!session) return loginRequired(res, req);
    if (!state.wallet) return walletNotReady(res);
    try {
      session.user = await fetchUser(session);
      return sendJson(res, 200, { sessionId: session.sessionId, user: session.user });
    } catch (err) {
      if (err instanceof Refusal && err.relogin) state.sessions.delete(session.sessionId);
      return refusal(res, err);
    }
  }

  /** `DELETE /api/session`: sign out (the tokens are forgotten). */
  function endSession(req, res) {
    const session = sessionOf(req);
    if (session) {
      state.sessions.delete(session.sessionId);
      log(`session: ${session.user.customerId} signed out`);
    }
    return sendJson(res, 200, { signedOut: Boolean(session) });
  }

  /** applyToken → the tokens, or throws a Refusal / WalletError. */
  async function grant(request) {
    const answer = await state.wallet.applyToken(request);
    const { result } = answer;
    if (result.resultStatus === 'S') {
      const read = tokensOf(answer);
      if (!read.ok) throw new Refusal(502, 'AUTH_UNKNOWN', read.reason);
      return read.tokens;
    }
    if (result.resultStatus === 'F') {
      const failure = authFailure(result.resultCode, result.resultMessage);
      if (failure.status === 502) failure.message += identityHint(result.resultCode);
      throw Refusal.from(failure);
    }
    throw new Refusal(502, 'AUTH_UNKNOWN', `applyToken answered ${result.resultStatus} ${result.resultCode ?? ''}; try again`);
  }

  /**
   * A new access token from the refresh token (which the wallet rotates: the old one is spent).
   * One refresh per session at a time: a second caller waits for the first one's tokens.
   */
  function refresh(session) {
    if (session.refreshing) return session.refreshing;
    const { refreshToken, refreshTokenExpiryTime } = session.tokens;
    if (!refreshToken) return Promise.reject(Refusal.from(authFailure('INVALID_REFRESH_TOKEN', 'no refresh token was issued')));
    if (isExpired(refreshTokenExpiryTime, Date.now(), 0)) {
      return Promise.reject(Refusal.from(authFailure('EXPIRED_REFRESH_TOKEN', `expired at ${refreshTokenExpiryTime}`)));
    }
    session.refreshing = grant({ grantType: 'REFRESH_TOKEN', refreshToken })
      .then((tokens) => {
        session.tokens = tokens;
        log(`session: ${tokens.customerId} access token refreshed (valid until ${tokens.accessTokenExpiryTime ?? '?'})`);
        return tokens;
      })
      .finally(() => {
        session.refreshing = null;
      });
    return session.refreshing;
  }

  /**
   * inquiryUserInfo with the session's access token: refreshed first when it has expired, and
   * once more if the wallet says it has (clocks differ).
   */
  async function fetchUser(session, { fresh = false } = {}) {
    if (session.refreshing) await session.refreshing;
    let refreshed = fresh; // tokens just granted are used as they are, however short-lived
    if (!fresh && isExpired(session.tokens.accessTokenExpiryTime)) {
      await refresh(session);
      refreshed = true;
    }
    for (;;) {
      const answer = await state.wallet.inquiryUserInfo({ accessToken: session.tokens.accessToken });
      const { result } = answer;
      if (result.resultStatus === 'S') return userOf(answer.userInfo, session.tokens.customerId);
      const stale = result.resultCode === 'ACCESS_TOKEN_EXPIRED' || result.resultCode === 'INVALID_ACCESS_TOKEN';
      if (result.resultStatus === 'F' && stale && !refreshed && session.tokens.refreshToken) {
        await refresh(session);
        refreshed = true;
        continue;
      }
      if (result.resultStatus === 'F') throw Refusal.from(authFailure(result.resultCode, result.resultMessage));
      throw new Refusal(502, 'AUTH_UNKNOWN', `inquiryUserInfo answered ${result.resultStatus} ${result.resultCode ?? ''}; try again`);
    }
  }

  /** Sends a Refusal or a WalletError as the mini program's error answer. */
  function refusal(res, err) {
    if (err instanceof Refusal) {
      return sendJson(res, err.status, { error: err.error, message: err.message, ...(err.resultCode ? { resultCode: err.resultCode } : {}) });
    }
    if (err instanceof WalletError) {
      const hint = err.kind === 'signature' ? identityHint('INVALID_SIGNATURE') : '';
      return sendJson(res, 502, { error: 'AUTH_UNKNOWN', message: err.message + hint });
    }
    throw err;
  }

  function walletNotReady(res) {
    return sendJson(res, 503, {
      error: 'WALLET_NOT_READY',
      message: `the merchant has no identity yet: is the super app sandbox running at ${config.sandbox}?`,
    });
  }

  // -- notifications ---------------------------------------------------------------------------

  async function notify(req, res, path) {
    const raw = await readRaw(req, res);
    if (raw === undefined) return;
    const refuse = (resultCode, message) => {
      log(`notify REFUSED (${resultCode}): ${message}`);
      sendJson(res, 200, { result: { resultCode, resultStatus: 'F', resultMessage: message } });
    };
    if (!state.wallet) return refuse('UNKNOWN_EXCEPTION', 'merchant identity not loaded yet, retry later');
    const check = verifyWalletSignature({
      headers: req.headers,
      path,
      body: raw,
      publicKey: state.wallet.walletPublicKey,
      expectedClientId: state.wallet.clientId,
      timeHeader: 'Request-Time',
    });
    if (!check.ok) return refuse('INVALID_SIGNATURE', check.reason);
    let note;
    try {
      note = JSON.parse(raw.toString('utf8'));
    } catch {
      return refuse('PARAM_ILLEGAL', 'body is not JSON');
    }
    const status = orderStatusFromPayment(note?.paymentStatus);
    if (typeof note?.paymentRequestId !== 'string') return refuse('PARAM_ILLEGAL', 'paymentRequestId missing');
    if (!status) return refuse('PARAM_ILLEGAL', `unknown paymentStatus '${note.paymentStatus}'`);
    const order = store.get(note.paymentRequestId);
    if (!order) return refuse('ORDER_NOT_EXIST', `no order '${note.paymentRequestId}'`);
    if (order.paymentId && note.paymentId && note.paymentId !== order.paymentId) {
      return refuse('PARAM_ILLEGAL', `paymentId ${note.paymentId} is not the payment of order ${order.orderId}`);
    }
    if (
      note.paymentAmount &&
      (note.paymentAmount.value !== order.amount.value || note.paymentAmount.currency !== order.amount.currency)
    ) {
      return refuse('PARAM_ILLEGAL', `amount ${JSON.stringify(note.paymentAmount)} differs from the order's`);
    }
    if (state.notifyFailuresLeft > 0) {
      state.notifyFailuresLeft -= 1;
      return refuse(
        'PROCESS_FAIL',
        `failing on purpose (debug notify mode), ${state.notifyFailuresLeft} more to fail`,
      );
    }
    order.notifications = (order.notifications ?? 0) + 1;
    order.lastNotificationAt = new Date().toISOString();
    if (!isFinal(order.status) && status !== 'PENDING') {
      settle(order, status, 'notification', note);
    } else if (isFinal(order.status) && status !== order.status) {
      log(`notify WARNING order ${order.orderId} is ${order.status} but the notification says ${status}; kept`);
    }
    await store.save(order);
    log(`notify order ${order.orderId} payment ${note.paymentId ?? '?'}: ${note.paymentStatus} ` +
      `(notification #${order.notifications}) -> acknowledged, order ${order.status}`);
    return sendJson(res, 200, ACK);
  }

  /**
   * A sandbox restarted with a fresh data dir (or `--memory`) has new keys and forgets our
   * Client-Id; say so instead of leaving a bare ACCESS_DENIED / INVALID_SIGNATURE.
   */
  function identityHint(resultCode) {
    if (resultCode !== 'ACCESS_DENIED' && resultCode !== 'INVALID_SIGNATURE') return '';
    return config.clientId
      ? `; check that Client-Id ${config.clientId} is registered with the key in ${config.privateKeyFile}`
      : '; if the sandbox was restarted with a fresh data dir, restart the demo merchant to fetch the new identity';
  }

  function notifyMode() {
    return { failNext: state.notifyFailuresLeft };
  }

  async function setNotifyMode(req, res) {
    const body = await readJson(req, res);
    if (body === undefined) return;
    if (!Number.isInteger(body?.failNext) || body.failNext < 0) {
      return sendJson(res, 400, { error: 'INVALID_PARAM', field: 'failNext', message: 'failNext must be an integer ≥ 0' });
    }
    state.notifyFailuresLeft = body.failNext;
    log(`debug: the next ${body.failNext} notification(s) will be refused`);
    return sendJson(res, 200, notifyMode());
  }

  // -- helpers ---------------------------------------------------------------------------------

  function describe() {
    return {
      name: `${MERCHANT_NAME} (demo merchant)`,
      clientId: state.wallet?.clientId ?? null,
      sandbox: config.sandbox,
      endpoints: [
        'GET /api/goods',
        'POST /api/session {authCode}',
        'GET /api/session',
        'DELETE /api/session',
        `POST /api/orders {items:[{id,qty}]} (every /api/orders route needs the ${SESSION_HEADER} header)`,
        'GET /api/orders',
        'GET /api/orders/{orderId}',
        'POST /api/orders/{orderId}/cancel',
        `POST ${notifyPath} (wallet notifyPayment)`,
        'GET|POST /debug/notify-mode {failNext}',
      ],
    };
  }

  async function readRaw(req, res) {
    const chunks = [];
    let size = 0;
    try {
      for await (const chunk of req) {
        size += chunk.length;
        if (size > MAX_BODY) {
          sendJson(res, 413, { error: 'TOO_LARGE', message: `body over ${MAX_BODY} bytes` });
          return undefined;
        }
        chunks.push(chunk);
      }
    } catch {
      res.destroy();
      return undefined;
    }
    return Buffer.concat(chunks);
  }

  /** The parsed JSON body, or undefined after answering 400/413. */
  async function readJson(req, res) {
    const raw = await readRaw(req, res);
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      sendJson(res, 400, { error: 'INVALID_JSON', field: 'body', message: 'body is not valid JSON' });
      return undefined;
    }
  }

  return {
    url,
    server,
    store,
    identityReady,
    async close() {
      state.closed = true;
      await new Promise((ok) => server.close(ok));
      server.closeAllConnections?.();
      await store.writing.catch(() => {});
    },
  };
}

/** A refusal to the mini program: HTTP status, error name, message (and the wallet's resultCode). */
class Refusal extends Error {
  constructor(status, error, message, { relogin = false, resultCode } = {}) {
    super(message);
    Object.assign(this, { status, error, relogin, resultCode });
  }

  static from({ status, error, message, relogin, resultCode }) {
    return new Refusal(status, error, message, { relogin, resultCode });
  }
}

/** The order when it belongs to the session's user, else null (another's order is "not found"). */
function ownedBy(order, session) {
  return order && order.buyer?.customerId === session.user.customerId ? order : null;
}

/** Applies a final wallet status to a pending order. */
function settle(order, status, source, payment) {
  order.status = status;
  order.statusSource = source;
  order.failReason = status === 'FAILED' ? payment.paymentFailReason || 'UNKNOWN' : null;
  order.paymentTime = payment.paymentTime ?? order.paymentTime ?? null;
  if (!order.paymentId && payment.paymentId) order.paymentId = payment.paymentId;
}

/** What the mini program sees of an order. */
function view(order) {
  return {
    orderId: order.orderId,
    status: order.status,
    statusSource: order.statusSource,
    failReason: order.failReason,
    amount: order.amount,
    items: order.items,
    description: order.description,
    paymentId: order.paymentId,
    paymentUrl: isFinal(order.status) ? null : order.paymentUrl,
    paymentTime: order.paymentTime,
    notifications: order.notifications ?? 0,
    buyer: order.buyer ?? null,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

function safeDecode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  // Deliberately no CORS headers: the mini program reaches us through the super app's relay.
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The merchant's keys: from files (a merchant registered with its own key) or from the
 * sandbox's default merchant, retried while the sandbox starts. Resolves `null` if closed first.
 */
async function loadIdentity(config, log, isClosed) {
  if (config.clientId) {
    return {
      clientId: config.clientId,
      privateKey: await readFile(config.privateKeyFile, 'utf8'),
      walletPublicKey: await readFile(config.walletPublicKeyFile, 'utf8'),
      source: `key files ${config.privateKeyFile}, ${config.walletPublicKeyFile}`,
    };
  }
  for (let attempt = 1; !isClosed(); attempt++) {
    try {
      const merchantRes = await fetch(`${config.sandbox}/sandbox/merchants/default`, { signal: AbortSignal.timeout(5000) });
      if (!merchantRes.ok) throw new Error(`GET /sandbox/merchants/default: HTTP ${merchantRes.status}`);
      const merchant = await merchantRes.json();
      const keyRes = await fetch(`${config.sandbox}/sandbox/wallet-public-key.pem`, { signal: AbortSignal.timeout(5000) });
      if (!keyRes.ok) throw new Error(`GET /sandbox/wallet-public-key.pem: HTTP ${keyRes.status}`);
      const walletPublicKey = await keyRes.text();
      if (!merchant.clientId || !merchant.privateKeyPem) throw new Error('merchant has no clientId/privateKeyPem');
      return {
        clientId: merchant.clientId,
        privateKey: merchant.privateKeyPem,
        walletPublicKey,
        source: `sandbox ${config.sandbox} default merchant`,
      };
    } catch (err) {
      if (attempt === 1 || attempt % 10 === 0) {
        log(`waiting for the sandbox at ${config.sandbox} (attempt ${attempt}): ${err.cause?.code ?? err.message}`);
      }
      await new Promise((ok) => setTimeout(ok, attempt < 30 ? 500 : 5000).unref());
    }
  }
  return null;
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

