// Unit tests of the pure functions: node --test www/demo-merchant/
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  GOODS,
  authFailure,
  isExpired,
  newSessionId,
  readAuthCode,
  tokensOf,
  userOf,
  formatRequestTime,
  formatSignatureHeader,
  headerValue,
  isFinal,
  newOrderId,
  orderStatusFromPayment,
  parseConfig,
  parseSignatureHeader,
  paymentUrlOf,
  percentDecode,
  priceOrder,
  signContent,
  signedRequestHeaders,
  signingContent,
  verifyContent,
  verifyWalletSignature,
} from './lib.mjs';

const fixture = (name) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const PKCS1 = fixture('test-key-pkcs1.pem');
const PKCS8 = fixture('test-key-pkcs8.pem');
const PUBLIC = fixture('test-key-public.pem');
const OPENSSL_SIGNATURE = fixture('openssl-pay-signature.b64').trim();
const VECTOR = {
  path: '/v1/payments/pay',
  clientId: 'SANDBOX_5Y3A2N2YEB',
  time: '2026-11-27T07:20:00+00:00',
  body: '{"paymentRequestId":"DM1","paymentAmount":{"currency":"USD","value":"1000"}}',
};
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

test('signing content is "POST <path>\\n<clientId>.<time>.<body>"', () => {
  assert.equal(
    signingContent(VECTOR).toString('utf8'),
    'POST /v1/payments/pay\nSANDBOX_5Y3A2N2YEB.2026-11-27T07:20:00+00:00.' + VECTOR.body,
  );
  // A Buffer body is used byte for byte.
  const bytes = Buffer.from([0xff, 0x00, 0x7b]);
  assert.deepEqual(signingContent({ ...VECTOR, body: bytes }).subarray(-3), bytes);
});

test('our signature equals the one OpenSSL made with the same key (PKCS#1 and PKCS#8 PEM)', () => {
  for (const key of [PKCS1, PKCS8]) {
    assert.equal(signContent(signingContent(VECTOR), key), OPENSSL_SIGNATURE);
  }
});

test('verification accepts the right content and refuses any change', () => {
  const cases = [
    { name: 'untouched', change: {}, ok: true },
    { name: 'tampered body', change: { body: VECTOR.body.replace('1000', '1') }, ok: false },
    { name: 'other path', change: { path: '/v1/payments/refund' }, ok: false },
    { name: 'other client id', change: { clientId: 'SANDBOX_OTHER' }, ok: false },
    { name: 'other time', change: { time: '2026-11-27T07:20:01+00:00' }, ok: false },
  ];
  for (const { name, change, ok } of cases) {
    assert.equal(verifyContent(signingContent({ ...VECTOR, ...change }), OPENSSL_SIGNATURE, PUBLIC), ok, name);
  }
  assert.equal(verifyContent(signingContent(VECTOR), OPENSSL_SIGNATURE, other.publicKey), false, 'other key');
  assert.equal(verifyContent(signingContent(VECTOR), 'not base64!', PUBLIC), false, 'garbage signature');
  assert.equal(verifyContent(signingContent(VECTOR), '', PUBLIC), false, 'empty signature');
});

test('Signature header parsing is liberal: URL-encoded or raw, odd spacing, any key case', () => {
  const sig = OPENSSL_SIGNATURE;
  assert.match(sig, /[+/=]/, 'the vector must exercise + / and = in base64');
  const encoded = encodeURIComponent(sig);
  const cases = [
    [`algorithm=RSA256, keyVersion=1, signature=${encoded}`, 'URL-encoded, canonical'],
    [`algorithm=RSA256, keyVersion=1, signature=${sig}`, 'raw base64 (+ stays +, = padding kept)'],
    [`algorithm=RSA256,keyVersion=1,signature=${encoded}`, 'no spaces'],
    [`  algorithm = RSA256 ,   keyVersion=1 ,signature=${encoded}  `, 'extra spaces'],
    [`signature=${encoded}, algorithm=RSA256, keyVersion=1`, 'signature first'],
    [`Algorithm=RSA256, KeyVersion=1, Signature=${encoded}`, 'key case'],
  ];
  for (const [header, name] of cases) {
    const parsed = parseSignatureHeader(header);
    assert.equal(parsed.signature, sig, name);
    assert.equal(parsed.algorithm, 'RSA256', name);
    assert.equal(parsed.keyVersion, '1', name);
  }
  // Lower-case percent escapes (%2b) decode too.
  assert.equal(parseSignatureHeader(`Signature=${encoded.replace(/%2B/g, '%2b')}`).signature, sig);
  assert.equal(parseSignatureHeader('algorithm=RSA256, keyVersion=1'), null);
  assert.equal(parseSignatureHeader(undefined), null);
  assert.equal(parseSignatureHeader(''), null);
});

test('percent decoding never turns + into a space', () => {
  const cases = [
    ['a+b', 'a+b'],
    ['a%2Bb', 'a+b'],
    ['%2F%3D%3d', '/=='],
    ['100%', '100%'],
    ['%zz', '%zz'],
  ];
  for (const [input, expected] of cases) assert.equal(percentDecode(input), expected, input);
});

test('formatSignatureHeader URL-encodes the signature', () => {
  assert.equal(formatSignatureHeader('a+b/c='), 'algorithm=RSA256, keyVersion=1, signature=a%2Bb%2Fc%3D');
});

test('headers are found by any case in plain objects and fetch Headers', () => {
  assert.equal(headerValue({ 'client-id': 'x' }, 'Client-Id'), 'x');
  assert.equal(headerValue({ 'CLIENT-ID': 'y' }, 'client-id'), 'y');
  assert.equal(headerValue(new Headers({ 'Response-Time': 't' }), 'response-time'), 't');
  assert.equal(headerValue({}, 'Signature'), undefined);
});

test('Request-Time is ISO 8601 with a numeric offset', () => {
  const date = new Date('2026-11-27T07:20:00.123Z');
  const cases = [
    [0, '2026-11-27T07:20:00+00:00'],
    [180, '2026-11-27T10:20:00+03:00'],
    [-330, '2026-11-27T01:50:00-05:30'],
  ];
  for (const [offset, expected] of cases) assert.equal(formatRequestTime(date, offset), expected);
  assert.match(formatRequestTime(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
});

test('a signed request verifies as a wallet message, and a tampered one does not', () => {
  const body = '{"paymentId":"P1"}';
  const headers = signedRequestHeaders({ path: '/notify/payment', clientId: 'C1', body, privateKey: PKCS8 });
  // A notification is signed like a request (Request-Time); lower-cased header names as Node gives them.
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const base = { path: '/notify/payment', body, publicKey: PUBLIC, expectedClientId: 'C1', timeHeader: 'Request-Time' };
  assert.deepEqual(verifyWalletSignature({ ...base, headers: lower }), { ok: true });
  const cases = [
    [{ body: '{"paymentId":"P2"}' }, /does not verify/],
    [{ path: '/notify/other' }, /does not verify/],
    [{ expectedClientId: 'C2' }, /not ours/],
    [{ publicKey: other.publicKey }, /does not verify/],
    [{ headers: { ...lower, signature: undefined } }, /missing Signature/],
    [{ headers: { ...lower, 'request-time': undefined } }, /missing Request-Time/],
    [{ headers: { ...lower, 'client-id': undefined } }, /missing Client-Id/],
    [{ headers: { ...lower, signature: 'algorithm=RSA256, keyVersion=1' } }, /no signature=/],
    [{ headers: { ...lower, signature: lower.signature.replace('RSA256', 'HMAC') } }, /unsupported algorithm/],
    [{ timeHeader: 'Response-Time' }, /missing Response-Time/],
  ];
  for (const [change, reason] of cases) {
    const result = verifyWalletSignature({ ...base, headers: lower, ...change });
    assert.equal(result.ok, false, String(reason));
    assert.match(result.reason, reason);
  }
});

test('orders are priced from the catalogue, never from the client', () => {
  const ok = priceOrder({ items: [{ id: 'espresso', qty: 2 }, { id: 'croissant', qty: 1 }], amount: { value: '1' } });
  assert.equal(ok.ok, true);
  assert.deepEqual(ok.amount, { currency: 'USD', value: String(2 * 350 + 295) });
  assert.equal(ok.description, 'Demo Coffee: 2× Espresso, 1× Butter croissant');
  const merged = priceOrder({ items: [{ id: 'latte', qty: 1 }, { id: 'latte', qty: 2, price: 1 }] });
  assert.deepEqual(merged.lines, [{ id: 'latte', name: 'Caffè latte', qty: 3, unitPrice: 475, lineTotal: 1425 }]);
});

test('bad order input names the field', () => {
  const cases = [
    [null, 'body'],
    [[], 'body'],
    ['x', 'body'],
    [{}, 'items'],
    [{ items: 'espresso' }, 'items'],
    [{ items: [] }, 'items'],
    [{ items: Array.from({ length: 21 }, () => ({ id: 'espresso', qty: 1 })) }, 'items'],
    [{ items: [null] }, 'items[0]'],
    [{ items: [{ qty: 1 }] }, 'items[0].id'],
    [{ items: [{ id: 'espresso', qty: 1 }, { id: 'caviar', qty: 1 }] }, 'items[1].id'],
    [{ items: [{ id: 'espresso' }] }, 'items[0].qty'],
    [{ items: [{ id: 'espresso', qty: 0 }] }, 'items[0].qty'],
    [{ items: [{ id: 'espresso', qty: 1.5 }] }, 'items[0].qty'],
    [{ items: [{ id: 'espresso', qty: '2' }] }, 'items[0].qty'],
    [{ items: [{ id: 'espresso', qty: 100 }] }, 'items[0].qty'],
    [{ items: [{ id: 'espresso', qty: 60 }, { id: 'espresso', qty: 40 }] }, 'items[1].qty'],
  ];
  for (const [body, field] of cases) {
    const result = priceOrder(body);
    assert.equal(result.ok, false, JSON.stringify(body));
    assert.equal(result.field, field, JSON.stringify(body));
    assert.ok(result.message.startsWith(field), result.message);
  }
});

test('every catalogue price is a positive integer in minor units', () => {
  for (const good of GOODS) assert.ok(Number.isInteger(good.price) && good.price > 0, good.id);
});

test('order ids are valid paymentRequestIds (≤ 64 chars) and unique', () => {
  const id = newOrderId(new Date('2026-11-27T07:20:00.500Z'), () => 0.5);
  assert.equal(id, 'DM20261127T072000-88888888');
  const many = new Set(Array.from({ length: 1000 }, () => newOrderId()));
  assert.equal(many.size, 1000);
  for (const one of many) assert.ok(one.length <= 64);
});

test('wallet payment status maps to the order status', () => {
  const cases = [
    ['SUCCESS', 'PAID', true],
    ['FAIL', 'FAILED', true],
    ['CANCELLED', 'CANCELLED', true],
    ['PROCESSING', 'PENDING', false],
    ['WHATEVER', null, false],
    [undefined, null, false],
  ];
  for (const [wallet, order, final] of cases) {
    assert.equal(orderStatusFromPayment(wallet), order, String(wallet));
    assert.equal(isFinal(order), final, String(wallet));
  }
});

test('paymentUrl is found under any of the wallets\' spellings', () => {
  const cases = [
    [{ redirectActionForm: { method: 'GET', redirectUrl: 'u1' } }, 'u1'],
    [{ redirectActionForm: { redirectionUrl: 'u2' } }, 'u2'],
    [{ redirectActionForm: { normalUrl: 'u3' } }, 'u3'],
    [{ normalUrl: 'u4' }, 'u4'],
    [{}, null],
    [null, null],
  ];
  for (const [response, url] of cases) assert.equal(paymentUrlOf(response), url);
});

test('configuration from flags and env', () => {
  const defaults = parseConfig([], {});
  assert.equal(defaults.port, 8702);
  assert.equal(defaults.host, '127.0.0.1');
  assert.equal(defaults.sandbox, 'http://127.0.0.1:8700');
  assert.equal(defaults.failNotifications, 0);
  assert.equal(parseConfig([], { PORT: '9000' }).port, 9000);
  assert.equal(parseConfig(['--port', '9001'], { PORT: '9000' }).port, 9001);
  assert.equal(parseConfig(['--port=0']).port, 0);
  assert.equal(parseConfig(['--sandbox', 'http://localhost:1234/']).sandbox, 'http://localhost:1234');
  assert.equal(parseConfig(['--fail-notifications', '2']).failNotifications, 2);
  assert.equal(parseConfig(['--memory']).memory, true);
  const own = parseConfig(['--client-id', 'C', '--private-key', 'k.pem', '--wallet-public-key', 'w.pem']);
  assert.equal(own.clientId, 'C');
  const errors = [
    [['--port', 'abc'], /port/],
    [['--port'], /needs a value/],
    [['--bogus'], /unknown option/],
    [['--sandbox', 'not a url'], /not a URL/],
    [['--fail-notifications', '-1'], /not a count/],
    [['--client-id', 'C'], /go together/],
  ];
  for (const [argv, message] of errors) assert.match(parseConfig(argv).error ?? '', message, argv.join(' '));
});

test('wallet refusals of a sign-in map to a clear answer for the mini program', () => {
  const cases = [
    // resultCode,              status, error,               relogin
    ['INVALID_CODE', 401, 'AUTH_CODE_INVALID', true],
    ['USED_CODE', 401, 'AUTH_CODE_USED', true],
    ['EXPIRED_CODE', 401, 'AUTH_CODE_EXPIRED', true],
    ['INVALID_REFRESH_TOKEN', 401, 'LOGIN_REQUIRED', true],
    ['EXPIRED_REFRESH_TOKEN', 401, 'LOGIN_REQUIRED', true],
    ['INVALID_ACCESS_TOKEN', 401, 'LOGIN_REQUIRED', true],
    ['ACCESS_TOKEN_EXPIRED', 401, 'LOGIN_REQUIRED', true],
    ['PARAM_ILLEGAL', 400, 'INVALID_PARAM', false],
    ['INVALID_API', 501, 'AUTH_NOT_SUPPORTED', false],
    ['ACCESS_DENIED', 502, 'AUTH_REJECTED', false],
    ['INVALID_SIGNATURE', 502, 'AUTH_REJECTED', false],
    ['SOMETHING_NEW', 502, 'AUTH_REJECTED', false],
  ];
  for (const [code, status, error, relogin] of cases) {
    const failure = authFailure(code, 'details');
    assert.deepEqual(
      { status: failure.status, error: failure.error, relogin: failure.relogin, resultCode: failure.resultCode },
      { status, error, relogin, resultCode: code },
      code,
    );
    assert.match(failure.message, new RegExp(`\\(${code}: details\\)$`), code);
  }
  assert.match(authFailure('USED_CODE', 'USED_CODE').message, /single use.*\(USED_CODE\)$/, 'no repeated code');
});

test('POST /api/session bodies: the auth code or the field at fault', () => {
  const cases = [
    [{ authCode: 'abc' }, { ok: true, authCode: 'abc' }],
    [{ authCode: '  abc \n' }, { ok: true, authCode: 'abc' }],
    [{}, 'authCode'],
    [{ authCode: 42 }, 'authCode'],
    [{ authCode: '' }, 'authCode'],
    [{ authCode: 'x'.repeat(513) }, 'authCode'],
    [null, 'body'],
    [['abc'], 'body'],
    ['abc', 'body'],
  ];
  for (const [body, expected] of cases) {
    const read = readAuthCode(body);
    if (typeof expected === 'string') {
      assert.equal(read.ok, false, JSON.stringify(body));
      assert.equal(read.field, expected, JSON.stringify(body));
      assert.ok(read.message.startsWith(expected));
    } else assert.deepEqual(read, expected);
  }
});

test('applyToken answers: the tokens, or why they are unusable', () => {
  const full = {
    accessToken: 'A', accessTokenExpiryTime: '2026-11-27T08:20:00+00:00',
    refreshToken: 'R', refreshTokenExpiryTime: '2026-12-27T07:20:00+00:00', customerId: '2088000000000001',
  };
  assert.deepEqual(tokensOf({ result: {}, ...full }), { ok: true, tokens: full });
  assert.deepEqual(tokensOf({ accessToken: 'A', customerId: 'C' }).tokens, {
    accessToken: 'A', accessTokenExpiryTime: null, refreshToken: null, refreshTokenExpiryTime: null, customerId: 'C',
  });
  assert.match(tokensOf({ customerId: 'C' }).reason, /without accessToken/);
  assert.match(tokensOf({ accessToken: 'A' }).reason, /without customerId/);
  assert.equal(tokensOf(undefined).ok, false);
});

test('token expiry, with a safety margin, in any offset; unknown times are not expired', () => {
  const now = Date.parse('2026-11-27T07:20:00Z');
  const cases = [
    ['2026-11-27T07:19:59+00:00', 0, true],
    ['2026-11-27T07:20:00Z', 0, true],
    ['2026-11-27T07:20:01+00:00', 0, false],
    ['2026-11-27T07:20:20+00:00', 30_000, true], // inside the margin
    ['2026-11-27T07:21:00+00:00', 30_000, false],
    ['2026-11-27T10:20:20.500+03:00', 0, false], // 07:20:20.5 UTC
    ['2026-11-27T10:19:00+03:00', 0, true],
    [null, 0, false],
    ['', 0, false],
    ['soon', 0, false],
  ];
  for (const [time, skew, expired] of cases) assert.equal(isExpired(time, now, skew), expired, `${time} skew ${skew}`);
});

test('the user the mini program sees: only what the scopes granted', () => {
  const cases = [
    [{ userId: 'U1', nickName: 'Alice', avatar: 'http://127.0.0.1:8700/avatars/alice.svg' }, 'C',
      { customerId: 'U1', nickName: 'Alice', avatar: 'http://127.0.0.1:8700/avatars/alice.svg' }],
    [{ userId: 'U1' }, 'C', { customerId: 'U1', nickName: null, avatar: null }], // auth_base
    [{}, 'C', { customerId: 'C', nickName: null, avatar: null }],
    [undefined, 'C', { customerId: 'C', nickName: null, avatar: null }],
    [{ userId: 'U1', nickName: '  ', userName: { fullName: 'Alice Liddell' } }, 'C', { customerId: 'U1', nickName: 'Alice Liddell', avatar: null }],
    [{ userId: 'U1', avatar: 'javascript:alert(1)' }, 'C', { customerId: 'U1', nickName: null, avatar: null }],
  ];
  for (const [info, customerId, expected] of cases) assert.deepEqual(userOf(info, customerId), expected, JSON.stringify(info));
});

test('session ids are 32 random bytes, base64url', () => {
  const id = newSessionId(Buffer.alloc(32, 0xff));
  assert.equal(id, '_'.repeat(42) + '8');
  assert.match(newSessionId(Buffer.alloc(32)), /^A{42}A$/);
});
