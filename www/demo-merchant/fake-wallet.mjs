// A wallet written from docs/protocol.md §5, small enough to read, for testing a merchant without the
// sandbox binary: signed answers, scripted outcomes, and notifications on demand.
// Test support only (imported by server.test.mjs); not used by the merchant itself.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import { formatRequestTime, formatSignatureHeader, signContent, signedRequestHeaders, signingContent, verifyWalletSignature } from './lib.mjs';

const keyPem = (pair) => ({
  privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }),
});
export const WALLET = keyPem(generateKeyPairSync('rsa', { modulusLength: 2048 }));
export const MERCHANT = keyPem(generateKeyPairSync('rsa', { modulusLength: 2048 }));
export const FORGER = keyPem(generateKeyPairSync('rsa', { modulusLength: 2048 }));
export const CLIENT_ID = 'SANDBOX_FAKE_MERCHANT';
/** The fake wallet's users (DESIGN.md "Sandbox users"): Alice is signed in by default. */
export const USERS = Object.freeze({
  alice: { userId: '2088000000000001', nickName: 'Alice', avatar: 'http://wallet/avatars/alice.svg' },
  bob: { userId: '2088000000000002', nickName: 'Bob', avatar: 'http://wallet/avatars/bob.svg' },
});
/** Scopes that grant the nickname and avatar (the rest give the user id only). */
const PROFILE_SCOPES = ['auth_user', 'USER_NICKNAME', 'USER_AVATAR'];

/** A wallet from the spec, small enough to read: signed answers, scripted outcomes. */
export async function startFakeWallet() {
  const wallet = {
    payments: new Map(), // paymentRequestId → payment
    calls: [],
    script: { pay: [] }, // queued resultStatus overrides for pay: 'U' | 'F' | 'FORGE'
    requestsRefused: 0,
    codes: new Map(), // authCode → { userId, scopes, expiresAt, used }
    accessTokens: new Map(), // accessToken → { userId, scopes, expiresAt }
    refreshTokens: new Map(), // refreshToken → { userId, scopes, expiresAt, spent }
    /** Lifetimes of the tokens it issues (DESIGN: 1 h and 30 days); tests shorten them. */
    tokenTtl: { accessMs: 3_600_000, refreshMs: 30 * 86_400_000 },
  };
  /** What the consent dialog does in the sandbox: a single-use code for a user and scopes. */
  wallet.mintAuthCode = ({ user = USERS.alice, scopes = ['auth_user'], ttlMs = 300_000 } = {}) => {
    const code = randomBytes(32).toString('base64url');
    wallet.codes.set(code, { userId: user.userId, scopes, expiresAt: Date.now() + ttlMs, used: false });
    return code;
  };
  /** Ends a user's access tokens on the wallet's side, whatever expiry time it announced. */
  wallet.expireAccessTokens = (user) => {
    for (const token of wallet.accessTokens.values()) if (token.userId === user.userId) token.expiresAt = Date.now() - 1;
  };
  /** Revokes a user's refresh tokens (as if the user withdrew the authorization in the wallet). */
  wallet.revokeRefreshTokens = (user) => {
    for (const token of wallet.refreshTokens.values()) if (token.userId === user.userId) token.spent = true;
  };
  const issueTokens = ({ userId, scopes }) => {
    const now = Date.now();
    const access = { userId, scopes, expiresAt: now + wallet.tokenTtl.accessMs };
    const refresh = { userId, scopes, expiresAt: now + wallet.tokenTtl.refreshMs, spent: false };
    const accessToken = randomBytes(24).toString('base64url');
    const refreshToken = randomBytes(24).toString('base64url');
    wallet.accessTokens.set(accessToken, access);
    wallet.refreshTokens.set(refreshToken, refresh);
    return {
      result: result('SUCCESS', 'S'),
      accessToken,
      accessTokenExpiryTime: formatRequestTime(new Date(access.expiresAt)),
      refreshToken,
      refreshTokenExpiryTime: formatRequestTime(new Date(refresh.expiresAt)),
      customerId: userId,
    };
  };
  const userById = (id) => Object.values(USERS).find((u) => u.userId === id);
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks);
    const path = new URL(req.url, 'http://x').pathname;
    if (req.method === 'GET' && path === '/sandbox/merchants/default') {
      return sendPlain(res, 'application/json', JSON.stringify({ clientId: CLIENT_ID, privateKeyPem: MERCHANT.privateKey, publicKeyPem: MERCHANT.publicKey }));
    }
    if (req.method === 'GET' && path === '/sandbox/wallet-public-key.pem') {
      return sendPlain(res, 'application/x-pem-file', WALLET.publicKey);
    }
    const check = verifyWalletSignature({
      headers: req.headers, path, body: raw, publicKey: MERCHANT.publicKey, expectedClientId: CLIENT_ID, timeHeader: 'Request-Time',
    });
    const body = JSON.parse(raw.toString() || '{}');
    wallet.calls.push({ path, body });
    if (!check.ok) {
      wallet.requestsRefused += 1;
      return answer(res, path, { result: result('INVALID_SIGNATURE', 'F') });
    }
    if (path === '/v1/authorizations/applyToken') {
      if (body.grantType === 'AUTHORIZATION_CODE') {
        if (typeof body.authCode !== 'string') return answer(res, path, { result: result('PARAM_ILLEGAL', 'F', 'authCode is required') });
        const code = wallet.codes.get(body.authCode);
        if (!code) return answer(res, path, { result: result('INVALID_CODE', 'F', 'unknown auth code') });
        if (code.used) return answer(res, path, { result: result('USED_CODE', 'F', 'auth code already used') });
        if (code.expiresAt <= Date.now()) return answer(res, path, { result: result('EXPIRED_CODE', 'F', 'auth code expired') });
        code.used = true;
        return answer(res, path, issueTokens(code));
      }
      if (body.grantType === 'REFRESH_TOKEN') {
        const refresh = wallet.refreshTokens.get(body.refreshToken);
        if (!refresh || refresh.spent) return answer(res, path, { result: result('INVALID_REFRESH_TOKEN', 'F') });
        if (refresh.expiresAt <= Date.now()) return answer(res, path, { result: result('EXPIRED_REFRESH_TOKEN', 'F') });
        refresh.spent = true; // rotated
        return answer(res, path, issueTokens(refresh));
      }
      return answer(res, path, { result: result('PARAM_ILLEGAL', 'F', `grantType '${body.grantType}' is not supported`) });
    }
    if (path === '/v1/users/inquiryUserInfo') {
      const token = wallet.accessTokens.get(body.accessToken);
      if (!token) return answer(res, path, { result: result('INVALID_ACCESS_TOKEN', 'F') });
      if (token.expiresAt <= Date.now()) return answer(res, path, { result: result('ACCESS_TOKEN_EXPIRED', 'F') });
      const user = userById(token.userId);
      const profile = token.scopes.some((s) => PROFILE_SCOPES.includes(s));
      const userInfo = profile ? { userId: user.userId, nickName: user.nickName, avatar: user.avatar } : { userId: user.userId };
      return answer(res, path, { result: result('SUCCESS', 'S'), userInfo });
    }
    if (path === '/v1/payments/pay') {
      const buyerId = body.order?.buyer?.referenceBuyerId;
      if (buyerId !== undefined && !userById(buyerId)) {
        return answer(res, path, { result: result('PARAM_ILLEGAL', 'F', `order.buyer.referenceBuyerId: unknown buyer '${buyerId}'`) });
      }
      const scripted = wallet.script.pay.shift();
      if (scripted === 'U') return answer(res, path, { result: result('UNKNOWN_EXCEPTION', 'U') });
      if (scripted === 'F') return answer(res, path, { result: result('PARAM_ILLEGAL', 'F', 'currency not supported') });
      let payment = wallet.payments.get(body.paymentRequestId);
      if (!payment) {
        payment = { paymentId: `P${wallet.payments.size + 1}`, request: body, status: 'PROCESSING' };
        wallet.payments.set(body.paymentRequestId, payment);
      }
      const reply = {
        result: result('ACCEPT', 'A'),
        paymentId: payment.paymentId,
        paymentRequestId: body.paymentRequestId,
        redirectActionForm: { method: 'GET', redirectUrl: `http://wallet/cashier/?paymentId=${payment.paymentId}&token=t` },
      };
      if (scripted === 'FORGE') return answer(res, path, reply, { key: FORGER.privateKey });
      return answer(res, path, reply);
    }
    if (path === '/v1/payments/inquiryPayment') {
      const payment = [...wallet.payments.values()].find(
        (p) => p.paymentId === body.paymentId || p.request.paymentRequestId === body.paymentRequestId,
      );
      if (!payment) return answer(res, path, { result: result('ORDER_NOT_EXIST', 'F') });
      return answer(res, path, {
        result: result('SUCCESS', 'S'),
        paymentId: payment.paymentId,
        paymentStatus: payment.status,
        paymentFailReason: payment.failReason,
        paymentTime: payment.status === 'SUCCESS' ? formatRequestTime() : undefined,
      });
    }
    if (path === '/v1/payments/cancel') {
      const payment = [...wallet.payments.values()].find((p) => p.paymentId === body.paymentId);
      if (payment.status !== 'PROCESSING') return answer(res, path, { result: result('ORDER_STATUS_INVALID', 'F') });
      payment.status = 'CANCELLED';
      return answer(res, path, { result: result('SUCCESS', 'S'), cancelTime: formatRequestTime() });
    }
    if (path.startsWith('/v1/')) return answer(res, path, { result: result('INVALID_API', 'F', `${path} is not implemented`) });
    res.writeHead(404).end();
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  wallet.url = `http://127.0.0.1:${server.address().port}`;
  wallet.close = () => new Promise((ok) => { server.close(ok); server.closeAllConnections(); });

  /** Sends notifyPayment for a payment, signed by the wallet (or tampered); resolves the parsed answer. */
  wallet.notify = async (paymentRequestId, status, { tamper = false, failReason, path = '/notify/payment' } = {}) => {
    const payment = wallet.payments.get(paymentRequestId);
    payment.status = status;
    payment.failReason = failReason;
    const body = JSON.stringify({
      paymentId: payment.paymentId,
      paymentRequestId,
      paymentAmount: payment.request.paymentAmount,
      paymentStatus: status,
      paymentTime: formatRequestTime(),
      paymentFailReason: failReason,
    });
    const headers = signedRequestHeaders({ path, clientId: CLIENT_ID, body, privateKey: WALLET.privateKey });
    const url = new URL(payment.request.paymentNotifyUrl);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: tamper ? body.replace(status, status === 'SUCCESS' ? 'FAIL' : 'SUCCESS') : body,
    });
    return { status: res.status, body: await res.json() };
  };
  return wallet;
}

function result(resultCode, resultStatus, resultMessage = resultCode) {
  return { resultCode, resultStatus, resultMessage };
}

function answer(res, path, payload, { key = WALLET.privateKey } = {}) {
  const body = JSON.stringify(payload);
  const time = formatRequestTime();
  const signature = signContent(signingContent({ path, clientId: CLIENT_ID, time, body }), key);
  res.writeHead(200, {
    'content-type': 'application/json',
    'client-id': CLIENT_ID,
    'response-time': time,
    signature: formatSignatureHeader(signature),
  });
  res.end(body);
}

function sendPlain(res, type, text) {
  res.writeHead(200, { 'content-type': type }).end(text);
}

