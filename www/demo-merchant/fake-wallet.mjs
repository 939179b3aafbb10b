// A wallet written from SPEC §5, small enough to read, for testing a merchant without the
// sandbox binary: signed answers, scripted outcomes, and notifications on demand.
// Test support only (imported by server.test.mjs); not used by the merchant itself.
import { generateKeyPairSync } from 'node:crypto';
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

/** A wallet from the spec, small enough to read: signed answers, scripted outcomes. */
export async function startFakeWallet() {
  const wallet = {
    payments: new Map(), // paymentRequestId → payment
    calls: [],
    script: { pay: [] }, // queued resultStatus overrides for pay: 'U' | 'F' | 'FORGE'
    requestsRefused: 0,
  };
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
    if (path === '/v1/payments/pay') {
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

