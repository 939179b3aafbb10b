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
// Prints one line per step and `ALIPAY SDK FLOW OK` at the end; exits 1 on the first surprise.

import { createRequire } from 'node:module';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

console.log('ALIPAY SDK FLOW OK');
