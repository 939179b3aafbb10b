// The merchant's side of the wallet: its identity (Client-Id and keys, from key files or the
// sandbox's default merchant) and the client of the super app server's open API
// (docs/protocol.md §5), which signs every request, verifies every response's signature, and
// retries what the API says may be retried. Nothing here knows about orders or sessions.

import { readFile } from 'node:fs/promises';

import { formatRequestTime, signedRequestHeaders, toPrivateKey, toPublicKey, verifyWalletSignature } from './lib.mjs';

/** A call that gave no trustworthy business answer. `kind`: network | http | signature | decode. */
export class WalletError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = 'WalletError';
    this.kind = kind;
  }
}

/**
 * `identity`: `{ clientId, privateKey, walletPublicKey }` (PEM strings or KeyObjects).
 * `log(line)` gets one line per call.
 */
export function createWalletClient({ baseUrl, identity, log = () => {}, timeoutMs = 10_000, fetchImpl = fetch }) {
  const clientId = identity.clientId;
  const privateKey = toPrivateKey(identity.privateKey);
  const walletPublicKey = toPublicKey(identity.walletPublicKey);

  /** One signed POST; resolves with the verified, parsed body (any `resultStatus`). */
  async function call(path, payload) {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const headers = {
      'Content-Type': 'application/json; charset=UTF-8',
      ...signedRequestHeaders({ path, clientId, body, privateKey, time: formatRequestTime() }),
    };
    const started = Date.now();
    let response;
    let text;
    try {
      response = await fetchImpl(baseUrl + path, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = Buffer.from(await response.arrayBuffer());
    } catch (err) {
      log(`wallet POST ${path} -> network error after ${Date.now() - started} ms: ${err.cause?.code ?? err.message}`);
      throw new WalletError('network', `cannot reach the wallet at ${baseUrl}: ${err.cause?.code ?? err.message}`);
    }
    if (response.status !== 200) {
      log(`wallet POST ${path} -> HTTP ${response.status} after ${Date.now() - started} ms`);
      throw new WalletError('http', `the wallet answered HTTP ${response.status} to ${path}`);
    }
    const check = verifyWalletSignature({
      headers: response.headers,
      path,
      body: text,
      publicKey: walletPublicKey,
      expectedClientId: clientId,
      timeHeader: 'Response-Time',
    });
    if (!check.ok) {
      // What an unverified answer claims is never acted on, only quoted: the wallet answers a
      // request it could not authenticate (wrong key, unknown Client-Id) unsigned, and its
      // resultCode is the best hint of what is wrong with our identity.
      const claim = claimedResult(text);
      log(`wallet POST ${path} -> REFUSED unverified response: ${check.reason}${claim}`);
      throw new WalletError('signature', `the wallet's response to ${path} is not trustworthy: ${check.reason}${claim}`);
    }
    let parsed;
    try {
      parsed = JSON.parse(text.toString('utf8'));
    } catch {
      throw new WalletError('decode', `the wallet's response to ${path} is not JSON`);
    }
    const result = parsed?.result;
    if (!result || typeof result.resultStatus !== 'string') {
      throw new WalletError('decode', `the wallet's response to ${path} has no result.resultStatus`);
    }
    log(
      `wallet POST ${path} -> ${result.resultStatus} ${result.resultCode ?? ''} in ${Date.now() - started} ms`.trimEnd(),
    );
    return parsed;
  }

  /**
   * `call`, repeated while the outcome is unknown (`resultStatus` `U` or no answer at all).
   * Only for idempotent calls: `pay` with the same `paymentRequestId` and body, inquiries.
   * The body is serialized once so every attempt sends exactly the same bytes.
   */
  async function callIdempotent(path, payload, { attempts = 3, backoffMs = 400 } = {}) {
    const body = JSON.stringify(payload);
    let lastError = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep(backoffMs * 2 ** (attempt - 2));
      try {
        const answer = await call(path, body);
        if (answer.result.resultStatus !== 'U') return answer;
        lastError = null;
        if (attempt === attempts) return answer;
      } catch (err) {
        // A forged or undecodable answer is not retried: the same server would say it again.
        if (!(err instanceof WalletError) || err.kind === 'signature' || err.kind === 'decode') throw err;
        lastError = err;
      }
    }
    throw lastError;
  }

  return {
    clientId,
    walletPublicKey,
    call,
    callIdempotent,
    pay: (request) => callIdempotent('/v1/payments/pay', request),
    inquiryPayment: (query) => callIdempotent('/v1/payments/inquiryPayment', query, { attempts: 1 }),
    cancel: (query) => call('/v1/payments/cancel', query),
    // Not retried: an auth code is single use, and a refresh spends the old refresh token, so
    // repeating a call whose answer was lost would only earn USED_CODE / INVALID_REFRESH_TOKEN.
    applyToken: (request) => call('/v1/authorizations/applyToken', request),
    inquiryUserInfo: (query) => callIdempotent('/v1/users/inquiryUserInfo', query, { attempts: 2 }),
  };
}

/** ` (unsigned answer claims INVALID_SIGNATURE: …)` for an answer with a result, else ''. */
function claimedResult(body) {
  try {
    const { resultCode, resultMessage } = JSON.parse(body.toString('utf8'))?.result ?? {};
    if (typeof resultCode !== 'string') return '';
    const message = typeof resultMessage === 'string' ? `: ${resultMessage.slice(0, 200)}` : '';
    return ` (the unverified answer claims ${resultCode.slice(0, 64)}${message})`;
  } catch {
    return '';
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The merchant's keys: from files (a merchant registered with its own key) or from the
 * sandbox's default merchant (`GET /sandbox/merchants/default`, `GET /sandbox/wallet-public-key.pem`),
 * retried every 0.5 s (then 5 s) while the sandbox starts. Resolves
 * `{ clientId, privateKey, walletPublicKey, source }`, or `null` once `isClosed()` says to stop.
 */
export async function loadIdentity(config, log, isClosed = () => false) {
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

/**
 * A sandbox restarted with a fresh data dir (or `--memory`) has new keys and forgets our
 * Client-Id; say so instead of leaving a bare ACCESS_DENIED / INVALID_SIGNATURE.
 */
export function identityHint(config, resultCode) {
  if (resultCode !== 'ACCESS_DENIED' && resultCode !== 'INVALID_SIGNATURE') return '';
  return config.clientId
    ? `; check that Client-Id ${config.clientId} is registered with the key in ${config.privateKeyFile}`
    : '; if the sandbox was restarted with a fresh data dir, restart the demo merchant to fetch the new identity';
}
