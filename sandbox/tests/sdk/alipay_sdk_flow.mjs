// The official Alipay open platform Node SDK (npm `alipay-sdk`, installed in tests/ from its
// lockfile) against a running sandbox's gateway, unchanged: only `gateway` points at the sandbox.
//
// Usage: node alipay_sdk_flow.mjs <base> <appId> <merchantKeyPem> <walletPublicKeyPem>
//
// alipay.trade.create -> (the cashier completes it headlessly) -> alipay.trade.query says
// TRADE_SUCCESS; alipay.trade.create -> alipay.trade.close -> alipay.trade.query says
// TRADE_CLOSED; an unknown trade is ACQ.TRADE_NOT_EXIST. Every answer is verified by the SDK
// (validateSign). Then both sides' signatures: an SDK with a wrong wallet key must reject the
// sandbox's answer, and an SDK with a wrong merchant key must be refused by the sandbox.
// Then the asynchronous notification: a trade created with a `notify_url` (a real HTTP server of
// this script, on an ephemeral port) is paid; the sandbox POSTs its `trade_status_sync` form;
// the SDK's checkNotifySign and checkNotifySignV2 accept it, and reject it once a value is
// changed or it is signed by another key; the first answer `fail` is retried, `success` ends
// it, as the delivery log shows. A trade that fails is notified TRADE_CLOSED.
// Prints one line per step and `ALIPAY SDK FLOW OK` at the end; exits 1 on the first surprise.

import { createRequire } from 'node:module';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createSign } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const require = createRequire(fileURLToPath(new URL('../../../tests/package.json', import.meta.url)));
const { AlipaySdk } = require('alipay-sdk');

const [base, appId, keyFile, walletFile] = process.argv.slice(2);
const privateKey = readFileSync(keyFile, 'utf8');
const alipayPublicKey = readFileSync(walletFile, 'utf8');

function fail(why) {
  console.log(`FAIL: ${why}`);
  process.exit(1);
}
function expect(what, got, want) {
  if (got !== want) fail(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

const sdk = (over = {}) => new AlipaySdk({
  appId,
  privateKey,
  keyType: 'PKCS8',
  alipayPublicKey,
  gateway: `${base}/gateway.do`,
  ...over,
});

const alipay = sdk();
const stamp = Date.now();

async function exec(client, method, bizContent, label) {
  const r = await client.exec(method, { bizContent }, { validateSign: true });
  console.log(`${label} ${method} ${r.code}${r.subCode ? `/${r.subCode}` : ''}${r.tradeStatus ? ` ${r.tradeStatus}` : ''}`);
  return r;
}

const created = await exec(alipay, 'alipay.trade.create', {
  outTradeNo: `sdk_${stamp}`,
  totalAmount: '9.99',
  subject: 'Latte',
  buyerId: '2088000000000001',
  productCode: 'JSAPI_PAY',
}, 'create');
expect('create code', created.code, '10000');
expect('create outTradeNo', created.outTradeNo, `sdk_${stamp}`);
if (!/^\d{24}$/.test(created.tradeNo)) fail(`tradeNo ${created.tradeNo}`);

let q = await exec(alipay, 'alipay.trade.query', { outTradeNo: `sdk_${stamp}` }, 'query(open)');
expect('query status', q.tradeStatus, 'WAIT_BUYER_PAY');
expect('query amount', q.totalAmount, '9.99');

const done = await fetch(`${base}/sandbox/payments/${created.tradeNo}/complete`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"outcome":"SUCCESS"}',
});
expect('complete', done.status, 200);
q = await exec(alipay, 'alipay.trade.query', { tradeNo: created.tradeNo }, 'query(paid)');
expect('query status', q.tradeStatus, 'TRADE_SUCCESS');
expect('buyer', q.buyerUserId, '2088000000000001');

const other = await exec(alipay, 'alipay.trade.create', {
  outTradeNo: `sdk_${stamp}_2`, totalAmount: '1', subject: 'Water',
}, 'create');
const closed = await exec(alipay, 'alipay.trade.close', { tradeNo: other.tradeNo }, 'close');
expect('close code', closed.code, '10000');
q = await exec(alipay, 'alipay.trade.query', { tradeNo: other.tradeNo }, 'query(closed)');
expect('query status', q.tradeStatus, 'TRADE_CLOSED');
q = await exec(alipay, 'alipay.trade.query', { outTradeNo: 'no_such_order' }, 'query(unknown)');
expect('unknown', q.subCode, 'ACQ.TRADE_NOT_EXIST');

// Signatures, both ways.
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wrongWallet = sdk({ alipayPublicKey: stranger.publicKey.export({ type: 'spki', format: 'pem' }) });
try {
  await wrongWallet.exec('alipay.trade.query', { bizContent: { tradeNo: created.tradeNo } }, { validateSign: true });
  fail('an answer verified with a wrong wallet key');
} catch (e) {
  if (!String(e.message).includes('验签失败')) fail(`wrong wallet key: ${e.message}`);
  console.log('wrong wallet key: answer rejected by the SDK');
}
const wrongMerchant = sdk({ privateKey: stranger.privateKey.export({ type: 'pkcs8', format: 'pem' }) });
const refused = await exec(wrongMerchant, 'alipay.trade.query', { tradeNo: created.tradeNo }, 'wrong merchant key:');
expect('wrong merchant key', refused.subCode, 'isv.invalid-signature');

// The asynchronous notification, received by a real merchant server.
const received = [];
const answers = ['fail'];
const server = createServer((req, res) => {
  let raw = '';
  req.setEncoding('utf8');
  req.on('data', (c) => { raw += c; });
  req.on('end', () => {
    received.push({ raw, type: req.headers['content-type'], method: req.method });
    res.end(answers.shift() ?? 'success');
  });
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const notifyUrl = `http://127.0.0.1:${server.address().port}/alipay/notify?shop=1`;
async function waitFor(n, what) {
  for (let i = 0; i < 200 && received.length < n; i++) await new Promise((ok) => setTimeout(ok, 50));
  if (received.length < n) fail(`${what}: ${received.length} notification(s) received, want ${n}`);
}
const subject = 'Café latte & croissant 100%';
const paid = await (async () => {
  const r = await alipay.exec('alipay.trade.create', {
    notifyUrl,
    bizContent: { outTradeNo: `sdk_${stamp}_n`, totalAmount: '12.30', subject, buyerId: '2088000000000001' },
  }, { validateSign: true });
  expect('create with notifyUrl', r.code, '10000');
  return r;
})();
const paidDone = await fetch(`${base}/sandbox/payments/${paid.tradeNo}/complete`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"outcome":"SUCCESS"}',
});
expect('complete', paidDone.status, 200);
await waitFor(2, 'the notification answered fail is sent again');
for (const [i, r] of received.entries()) {
  expect(`notify ${i} method`, r.method, 'POST');
  expect(`notify ${i} content-type`, r.type, 'application/x-www-form-urlencoded; charset=utf-8');
  const post = Object.fromEntries(new URLSearchParams(r.raw));
  expect(`notify ${i} checkNotifySignV2`, alipay.checkNotifySignV2(post), true);
}
const post = Object.fromEntries(new URLSearchParams(received[0].raw));
for (const [k, v] of Object.entries({
  notify_type: 'trade_status_sync', app_id: appId, charset: 'utf-8', version: '1.0', sign_type: 'RSA2',
  trade_no: paid.tradeNo, out_trade_no: `sdk_${stamp}_n`, trade_status: 'TRADE_SUCCESS',
  total_amount: '12.30', receipt_amount: '12.30', buyer_pay_amount: '12.30', buyer_id: '2088000000000001', subject,
})) expect(`notify ${k}`, post[k], v);
for (const k of ['notify_time', 'notify_id', 'gmt_create', 'gmt_payment', 'sign']) {
  if (!post[k]) fail(`notify ${k} missing: ${received[0].raw}`);
}
if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(post.notify_time)) fail(`notify_time ${post.notify_time}`);
console.log(`notify TRADE_SUCCESS: checkNotifySignV2 ok (${received.length} attempts)`);
const forged = { ...post, total_amount: '0.01' };
expect('forged amount checkNotifySignV2', alipay.checkNotifySignV2(forged), false);
const reSigned = { ...post, trade_status: 'TRADE_SUCCESS' };
delete reSigned.sign;
const content = Object.keys(reSigned).filter((k) => k !== 'sign_type').sort().map((k) => `${k}=${reSigned[k]}`).join('&');
reSigned.sign = createSign('RSA-SHA256').update(content, 'utf8').sign(stranger.privateKey, 'base64');
expect('signed by another key', alipay.checkNotifySignV2(reSigned), false);
console.log('notify forged: rejected by the SDK');

const log = await (await fetch(`${base}/sandbox/notifications?paymentId=${paid.tradeNo}`)).json();
const n = log.notifications[0];
expect('delivery status', n.status, 'DELIVERED');
expect('delivery format', n.format, 'trade_status_sync');
expect('delivery attempts', n.attempts.length, 2);
expect('first attempt acknowledged', n.attempts[0].ok, false);
expect('first attempt answer', n.attempts[0].responseExcerpt, 'fail');
expect('second attempt acknowledged', n.attempts[1].ok, true);
console.log('notify log: fail retried, success delivered');

const lost = await alipay.exec('alipay.trade.create', {
  notifyUrl,
  bizContent: { outTradeNo: `sdk_${stamp}_f`, totalAmount: '3', subject: 'Tea' },
}, { validateSign: true });
const failed = await fetch(`${base}/sandbox/payments/${lost.tradeNo}/complete`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"outcome":"FAIL"}',
});
expect('complete FAIL', failed.status, 200);
await waitFor(3, 'the failed trade is notified');
const closedPost = Object.fromEntries(new URLSearchParams(received[2].raw));
expect('closed trade_no', closedPost.trade_no, lost.tradeNo);
expect('closed trade_status', closedPost.trade_status, 'TRADE_CLOSED');
if (!closedPost.gmt_close || closedPost.gmt_payment) fail(`closed fields: ${received[2].raw}`);
// checkNotifySign (v1) decodes each value again (a '%' in a value throws: the SDK's reason for
// V2), so it is checked on this trade, whose values have none.
expect('closed checkNotifySign', alipay.checkNotifySign(closedPost), true);
expect('forged closed checkNotifySign', alipay.checkNotifySign({ ...closedPost, trade_status: 'TRADE_SUCCESS' }), false);
console.log('notify TRADE_CLOSED: checkNotifySign ok');
server.close();

console.log('ALIPAY SDK FLOW OK');
