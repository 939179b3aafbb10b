// Pure functions of the demo merchant: the open API signature (docs/protocol.md §5), the catalogue and
// order pricing, payment-status mapping and configuration parsing. No I/O here, so every rule
// is tested with `node --test www/demo-merchant/` without a network or a sandbox.

import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { parseArgs } from 'node:util';

// ---------------------------------------------------------------------------------------------
// Signature (docs/protocol.md §5)
// ---------------------------------------------------------------------------------------------

/**
 * The content that is signed for a request or a response:
 * `"POST <path>\n<Client-Id>.<Request-Time or Response-Time>.<body>"`.
 * The body is taken byte for byte (a Buffer stays a Buffer): re-encoding a received body would
 * break the signature of any non-UTF-8 or oddly escaped payload.
 */
export function signingContent({ method = 'POST', path, clientId, time, body }) {
  const head = Buffer.from(`${method.toUpperCase()} ${path}\n${clientId}.${time}.`, 'utf8');
  const tail = Buffer.isBuffer(body) ? body : Buffer.from(body ?? '', 'utf8');
  return Buffer.concat([head, tail]);
}

/** RSA PKCS#1 v1.5 with SHA-256 over the signing content, as raw base64. */
export function signContent(content, privateKey) {
  return sign('sha256', content, toPrivateKey(privateKey)).toString('base64');
}

/** True when `signatureBase64` (raw base64, already percent-decoded) signs `content`. */
export function verifyContent(content, signatureBase64, publicKey) {
  if (!isBase64(signatureBase64)) return false;
  try {
    return verify('sha256', content, toPublicKey(publicKey), Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

/** The `Signature` header value we send: the signature base64, then URL-encoded. */
export function formatSignatureHeader(signatureBase64, keyVersion = 1) {
  return `algorithm=RSA256, keyVersion=${keyVersion}, signature=${encodeURIComponent(signatureBase64)}`;
}

/**
 * Parses a `Signature` header liberally: pairs split on `,`, each pair on its first `=`
 * (base64 padding contains `=`), spaces around pairs tolerated, keys case-insensitive.
 * The signature value is percent-decoded only (`%2B` → `+`); a literal `+` stays a `+`.
 * Returns `{ algorithm, keyVersion, signature }` or `null` when there is no signature value.
 */
export function parseSignatureHeader(value) {
  if (typeof value !== 'string') return null;
  const fields = {};
  for (const part of value.split(',')) {
    const pair = part.trim();
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    fields[pair.slice(0, eq).trim().toLowerCase()] = pair.slice(eq + 1).trim();
  }
  if (!fields.signature) return null;
  return {
    algorithm: fields.algorithm ?? null,
    keyVersion: fields.keyversion ?? null,
    signature: percentDecode(fields.signature),
  };
}

/** Decodes `%XX` escapes and nothing else (never `+` → space, unlike form decoding). */
export function percentDecode(text) {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

function isBase64(text) {
  return typeof text === 'string' && text.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text);
}

/** A header from a Node `IncomingMessage.headers`, a fetch `Headers` or a plain object, by any case. */
export function headerValue(headers, name) {
  if (!headers) return undefined;
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** `Request-Time`/`Response-Time`: ISO 8601 with a numeric offset, e.g. `2026-11-27T07:20:00+00:00`. */
export function formatRequestTime(date = new Date(), offsetMinutes = -date.getTimezoneOffset()) {
  const shifted = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  return shifted.toISOString().replace(/\.\d{3}Z$/, offset);
}

function pad2(n) {
  return String(n).padStart(2, '0');
}

/** The three headers of a signed request from `clientId` (docs/protocol.md §5). */
export function signedRequestHeaders({ path, clientId, body, privateKey, time = formatRequestTime() }) {
  const signature = signContent(signingContent({ path, clientId, time, body }), privateKey);
  return {
    'Client-Id': clientId,
    'Request-Time': time,
    Signature: formatSignatureHeader(signature),
  };
}

/**
 * Checks a message signed by the wallet: a response (`timeHeader` `Response-Time`) or a
 * notification (`Request-Time`). `path` is the path the message was for (the API path of the
 * request, or the path our notify URL was called with). Returns `{ ok: true }` or
 * `{ ok: false, reason }` with a reason fit for a log line.
 */
export function verifyWalletSignature({ headers, path, body, publicKey, expectedClientId, timeHeader }) {
  const clientId = headerValue(headers, 'Client-Id');
  const time = headerValue(headers, timeHeader);
  const rawSignature = headerValue(headers, 'Signature');
  if (!clientId) return { ok: false, reason: 'missing Client-Id header' };
  if (!time) return { ok: false, reason: `missing ${timeHeader} header` };
  if (!rawSignature) return { ok: false, reason: 'missing Signature header' };
  if (expectedClientId && clientId !== expectedClientId) {
    return { ok: false, reason: `Client-Id '${clientId}' is not ours ('${expectedClientId}')` };
  }
  const parsed = parseSignatureHeader(rawSignature);
  if (!parsed) return { ok: false, reason: 'Signature header has no signature=' };
  if (parsed.algorithm && parsed.algorithm.toUpperCase() !== 'RSA256') {
    return { ok: false, reason: `unsupported algorithm '${parsed.algorithm}'` };
  }
  const content = signingContent({ path, clientId, time, body });
  if (!verifyContent(content, parsed.signature, publicKey)) {
    return { ok: false, reason: 'signature does not verify' };
  }
  return { ok: true };
}

/** Accepts a KeyObject or a PEM (PKCS#1 or PKCS#8 for private keys). */
export function toPrivateKey(key) {
  return typeof key === 'string' || Buffer.isBuffer(key) ? createPrivateKey(key) : key;
}

/** Accepts a KeyObject or an SPKI (or PKCS#1 `RSA PUBLIC KEY`) PEM. */
export function toPublicKey(key) {
  return typeof key === 'string' || Buffer.isBuffer(key) ? createPublicKey(key) : key;
}

// ---------------------------------------------------------------------------------------------
// Catalogue and orders
// ---------------------------------------------------------------------------------------------

/** Currency of the shop; prices are in its minor unit (cents). */
export const CURRENCY = 'USD';

/** The shop's goods. The merchant prices orders from this list only, never from the client. */
export const GOODS = Object.freeze([
  { id: 'espresso', name: 'Espresso', description: 'Double shot, 60 ml', price: 350, emoji: '☕' },
  { id: 'latte', name: 'Caffè latte', description: 'Espresso and steamed milk, 300 ml', price: 475, emoji: '🥛' },
  { id: 'croissant', name: 'Butter croissant', description: 'Baked this morning', price: 295, emoji: '🥐' },
  { id: 'beans', name: 'House beans 250 g', description: 'Whole beans, medium roast', price: 1450, emoji: '🫘' },
  // Sandbox test items: alone in the cart (quantity 1) their price is one of the sandbox's
  // magic amounts, which decides the payment's outcome whatever the cashier does.
  sandboxItem('test-declined', 'Declined payment', 4000, 'fails with PAYMENT_DECLINED'),
  sandboxItem('test-pending', 'Pending, then paid', 8000, 'stays processing for a while, then succeeds'),
  sandboxItem('test-never', 'Pending until expiry', 8002, 'stays processing until paymentExpiryTime'),
  sandboxItem('test-unknown', 'Unknown pay answer', 6004, 'pay answers U once; the shop retries it'),
]);

function sandboxItem(id, name, price, effect) {
  const amount = `${Math.floor(price / 100)}.${String(price % 100).padStart(2, '0')}`;
  return { id, name, description: `Sandbox amount ${amount}: ${effect}`, price, emoji: '🧪', sandbox: true };
}

export const MAX_QTY = 99;
export const MAX_LINES = 20;

/**
 * Prices `body.items` (`[{ id, qty }]`) from `catalogue`. Any amount or price the client sent is
 * ignored. The same id listed twice is merged. Returns
 * `{ ok: true, lines, amount: { currency, value }, description }` or
 * `{ ok: false, field, message }` naming the offending field.
 */
export function priceOrder(body, catalogue = GOODS, currency = CURRENCY) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return invalid('body', 'must be a JSON object like {"items":[{"id":"espresso","qty":1}]}');
  }
  const { items } = body;
  if (!Array.isArray(items)) return invalid('items', 'must be an array of {id, qty}');
  if (items.length === 0) return invalid('items', 'must not be empty');
  if (items.length > MAX_LINES) return invalid('items', `must have at most ${MAX_LINES} entries`);
  const byId = new Map(catalogue.map((g) => [g.id, g]));
  const qtyById = new Map();
  for (const [i, item] of items.entries()) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      return invalid(`items[${i}]`, 'must be an object {id, qty}');
    }
    if (typeof item.id !== 'string' || item.id === '') {
      return invalid(`items[${i}].id`, 'must be a non-empty string');
    }
    if (!byId.has(item.id)) return invalid(`items[${i}].id`, `unknown product '${item.id}'`);
    if (!Number.isInteger(item.qty) || item.qty < 1 || item.qty > MAX_QTY) {
      return invalid(`items[${i}].qty`, `must be an integer from 1 to ${MAX_QTY}`);
    }
    const qty = (qtyById.get(item.id) ?? 0) + item.qty;
    if (qty > MAX_QTY) return invalid(`items[${i}].qty`, `'${item.id}' adds up to more than ${MAX_QTY}`);
    qtyById.set(item.id, qty);
  }
  const lines = [...qtyById].map(([id, qty]) => {
    const good = byId.get(id);
    return { id, name: good.name, qty, unitPrice: good.price, lineTotal: good.price * qty };
  });
  const total = lines.reduce((sum, line) => sum + line.lineTotal, 0);
  const description = `Demo Coffee: ${lines.map((l) => `${l.qty}× ${l.name}`).join(', ')}`.slice(0, 256);
  return { ok: true, lines, amount: { currency, value: String(total) }, description };
}

function invalid(field, message) {
  return { ok: false, field, message: `${field} ${message}` };
}

/** A new order id, also the payment's `paymentRequestId` (≤ 64 chars): `DM20261127T072000-1a2b3c4d`. */
export function newOrderId(now = new Date(), random = () => Math.random()) {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, '');
  const suffix = Array.from({ length: 8 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `DM${stamp}-${suffix}`;
}

/** The merchant's order status for a wallet `paymentStatus`; `null` for an unknown value. */
export function orderStatusFromPayment(paymentStatus) {
  return (
    { SUCCESS: 'PAID', FAIL: 'FAILED', CANCELLED: 'CANCELLED', PROCESSING: 'PENDING' }[paymentStatus] ?? null
  );
}

/** Order statuses that never change once reached. */
export function isFinal(status) {
  return status === 'PAID' || status === 'FAILED' || status === 'CANCELLED';
}

/** The paymentUrl of a `pay` response, whichever spelling the wallet used. */
export function paymentUrlOf(payResponse) {
  const form = payResponse?.redirectActionForm ?? {};
  return (
    form.redirectUrl ??
    form.redirectionUrl ??
    form.normalUrl ??
    payResponse?.redirectUrl ??
    payResponse?.redirectionUrl ??
    payResponse?.normalUrl ??
    payResponse?.paymentUrl ??
    null
  );
}

// ---------------------------------------------------------------------------------------------
// User identity (docs/protocol.md §5b, DESIGN.md "User identity"): auth code → tokens → user, the session
// ---------------------------------------------------------------------------------------------

/** The header the mini program sends its session id in (my.request headers). */
export const SESSION_HEADER = 'x-session-id';

/** A refresh is done this long before the access token's expiry, so a call never races it. */
export const TOKEN_SKEW_MS = 30_000;

/**
 * What the mini program is told when the wallet refuses a grant (`applyToken`, `inquiryUserInfo`
 * `F` results): `{ status, error, message, relogin }`. `relogin`: the session is over, the app
 * must get a new auth code (`my.getAuthCode`) and `POST /api/session` again.
 */
const AUTH_FAILURES = {
  INVALID_CODE: [401, 'AUTH_CODE_INVALID', 'the auth code is not valid for this shop; get a new one with my.getAuthCode', true],
  USED_CODE: [401, 'AUTH_CODE_USED', 'the auth code was already used (codes are single use); get a new one with my.getAuthCode', true],
  EXPIRED_CODE: [401, 'AUTH_CODE_EXPIRED', 'the auth code has expired (codes live 5 minutes); get a new one with my.getAuthCode', true],
  INVALID_REFRESH_TOKEN: [401, 'LOGIN_REQUIRED', 'the sign-in is no longer valid (refresh token refused); sign in again', true],
  EXPIRED_REFRESH_TOKEN: [401, 'LOGIN_REQUIRED', 'the sign-in has expired (refresh token expired); sign in again', true],
  INVALID_ACCESS_TOKEN: [401, 'LOGIN_REQUIRED', 'the sign-in is no longer valid (access token refused); sign in again', true],
  ACCESS_TOKEN_EXPIRED: [401, 'LOGIN_REQUIRED', 'the sign-in has expired; sign in again', true],
  PARAM_ILLEGAL: [400, 'INVALID_PARAM', 'the wallet refused the request as malformed', false],
  INVALID_API: [501, 'AUTH_NOT_SUPPORTED', 'the wallet does not implement user authorization (applyToken / inquiryUserInfo)', false],
};

export function authFailure(resultCode, resultMessage) {
  const known = AUTH_FAILURES[resultCode];
  const detail = resultMessage && resultMessage !== resultCode ? ` (${resultCode}: ${resultMessage})` : ` (${resultCode})`;
  if (known) {
    const [status, error, message, relogin] = known;
    return { status, error, message: message + detail, relogin, resultCode };
  }
  // ACCESS_DENIED, INVALID_SIGNATURE, PROCESS_FAIL…: the shop's problem, not the user's.
  return { status: 502, error: 'AUTH_REJECTED', message: `the wallet refused the sign-in${detail}`, relogin: false, resultCode };
}

/** `POST /api/session` body: `{ authCode }` → `{ ok: true, authCode }` or `{ ok: false, field, message }`. */
export function readAuthCode(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return invalid('body', 'must be a JSON object like {"authCode":"…"} (the code from my.getAuthCode)');
  }
  if (typeof body.authCode !== 'string' || body.authCode.trim() === '') {
    return invalid('authCode', 'must be the non-empty string my.getAuthCode returned');
  }
  if (body.authCode.length > 512) return invalid('authCode', 'is too long');
  return { ok: true, authCode: body.authCode.trim() };
}

/**
 * The tokens of a successful `applyToken` answer: `{ ok: true, tokens: { accessToken,
 * accessTokenExpiryTime, refreshToken, refreshTokenExpiryTime, customerId } }` or
 * `{ ok: false, reason }` when a field the merchant needs is missing.
 */
export function tokensOf(answer) {
  const { accessToken, accessTokenExpiryTime, refreshToken, refreshTokenExpiryTime, customerId } = answer ?? {};
  if (typeof accessToken !== 'string' || !accessToken) return { ok: false, reason: 'applyToken answered S without accessToken' };
  if (typeof customerId !== 'string' || !customerId) return { ok: false, reason: 'applyToken answered S without customerId' };
  return {
    ok: true,
    tokens: {
      accessToken,
      accessTokenExpiryTime: accessTokenExpiryTime ?? null,
      refreshToken: refreshToken ?? null,
      refreshTokenExpiryTime: refreshTokenExpiryTime ?? null,
      customerId,
    },
  };
}

/**
 * True when `time` (RFC 3339, the wallet's expiry) is within `skewMs` of `now` or past.
 * No time, or one that does not parse: not known to be expired (the wallet will say so).
 */
export function isExpired(time, now = Date.now(), skewMs = TOKEN_SKEW_MS) {
  if (typeof time !== 'string' || !time) return false;
  const at = Date.parse(time);
  if (Number.isNaN(at)) return false;
  return at - skewMs <= now;
}

/**
 * What the mini program sees of the user: `{ customerId, nickName, avatar }` from
 * `inquiryUserInfo`'s `userInfo` (only what the granted scopes allow: `auth_base` gives no
 * nickname, so `nickName` and `avatar` may be null).
 */
export function userOf(userInfo, customerId) {
  const info = userInfo && typeof userInfo === 'object' ? userInfo : {};
  const text = (value) => (typeof value === 'string' && value.trim() ? value.trim() : null);
  const avatar = text(info.avatar);
  return {
    customerId: text(info.userId) ?? customerId,
    nickName: text(info.nickName) ?? text(info.userName?.fullName) ?? text(info.userName),
    avatar: avatar && /^https?:\/\//i.test(avatar) ? avatar : null,
  };
}

/** A session id: 32 random bytes, base64url. */
export function newSessionId(bytes) {
  return Buffer.from(bytes).toString('base64url');
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

export const USAGE = `Demo merchant: the mini program's server in the paymentUrl flow.

Usage: node www/demo-merchant/server.mjs [options]

  --port N                 listen port (env PORT, default 8702; 0 = any free port)
  --host H                 listen address (env HOST, default 127.0.0.1)
  --sandbox URL            super app sandbox base URL (env SANDBOX_URL, default http://127.0.0.1:8700)
  --public-url URL         base URL the wallet reaches us at, for paymentNotifyUrl
                           (env PUBLIC_URL, default http://<host>:<port>)
  --data-dir DIR           where orders.json lives (env DATA_DIR, default <repo>/.data/demo-merchant)
  --memory                 keep orders in memory only
  --client-id ID           merchant Client-Id (env CLIENT_ID); with the two key files below,
  --private-key FILE       our RSA private key, PKCS#1 or PKCS#8 PEM (env PRIVATE_KEY_FILE)
  --wallet-public-key FILE the wallet's public key, SPKI PEM (env WALLET_PUBLIC_KEY_FILE)
                           Without them the identity is fetched from the sandbox:
                           GET /sandbox/merchants/default and GET /sandbox/wallet-public-key.pem
  --fail-notifications N   answer the first N payment notifications with a failure,
                           to watch the wallet retry (env FAIL_NOTIFICATIONS, default 0)
  --help                   this text
`;

/**
 * The options: flag → [config key, environment variable, default]. Flags are parsed by
 * `util.parseArgs`; a flag wins over its variable, which wins over the default.
 */
const OPTIONS = {
  port: ['port', 'PORT', '8702'],
  host: ['host', 'HOST', '127.0.0.1'],
  sandbox: ['sandbox', 'SANDBOX_URL', 'http://127.0.0.1:8700'],
  'public-url': ['publicUrl', 'PUBLIC_URL', null],
  'data-dir': ['dataDir', 'DATA_DIR', null],
  'client-id': ['clientId', 'CLIENT_ID', null],
  'private-key': ['privateKeyFile', 'PRIVATE_KEY_FILE', null],
  'wallet-public-key': ['walletPublicKeyFile', 'WALLET_PUBLIC_KEY_FILE', null],
  'fail-notifications': ['failNotifications', 'FAIL_NOTIFICATIONS', '0'],
};

/** Parses argv (without `node script`) and env into a config, or `{ error }` saying what is wrong. */
export function parseConfig(argv, env = {}) {
  // A flag that takes a value takes the next argument whatever it looks like (`--fail-notifications
  // -1` is the value -1, refused below as a count, not a missing value).
  const args = [];
  for (let i = 0; i < argv.length; i++) {
    const valued = argv[i].startsWith('--') && Object.hasOwn(OPTIONS, argv[i].slice(2));
    args.push(valued && i + 1 < argv.length ? `${argv[i]}=${argv[++i]}` : argv[i]);
  }
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.keys(OPTIONS).map((flag) => [flag, { type: 'string' }])),
        memory: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return { error: argumentError(err) };
  }
  const config = { memory: values.memory ?? false, help: values.help ?? false };
  for (const [flag, [key, variable, fallback]] of Object.entries(OPTIONS)) {
    // An empty variable counts as unset (PORT= is not port 0).
    config[key] = values[flag] ?? (env[variable] !== undefined && env[variable] !== '' ? env[variable] : fallback);
  }
  const port = Number(config.port);
  if (config.port.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    return { error: `--port: '${config.port}' is not a port` };
  }
  config.port = port;
  const fails = Number(config.failNotifications);
  if (config.failNotifications.trim() === '' || !Number.isInteger(fails) || fails < 0) {
    return { error: `--fail-notifications: '${config.failNotifications}' is not a count` };
  }
  config.failNotifications = fails;
  for (const [key, flag] of [['sandbox', '--sandbox'], ['publicUrl', '--public-url']]) {
    if (config[key] === null) continue;
    try {
      config[key] = new URL(config[key]).href.replace(/\/+$/, '');
    } catch {
      return { error: `${flag}: '${config[key]}' is not a URL` };
    }
  }
  const own = [config.clientId, config.privateKeyFile, config.walletPublicKeyFile];
  if (own.some(Boolean) && !own.every(Boolean)) {
    return { error: '--client-id, --private-key and --wallet-public-key go together (or none: fetched from the sandbox)' };
  }
  return config;
}

/** `util.parseArgs`'s error as one line naming the argument. */
function argumentError(err) {
  const named = /'(-[^' ]+)/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${named ?? '?'}' (see --help)`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${/'([^']*)'/.exec(err.message)?.[1] ?? '?'}' (options start with --; see --help)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(err.message)
        ? `${named} takes no value`
        : `${named ?? 'an option'} needs a value`;
    default:
      return `${err.message} (see --help)`;
  }
}
