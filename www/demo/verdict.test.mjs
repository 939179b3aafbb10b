// The result page's verdict: the app's resultCode against the server-confirmed status.
//   node --test www/demo/
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import vm from 'node:vm';

// verdict.js is a classic browser script: run it as the page does, in a context of its own.
const context = vm.createContext({});
vm.runInContext(readFileSync(new URL('./verdict.js', import.meta.url), 'utf8'), context);
const { RESULT_CODES, compareResults, failReasonText } = context.demoVerdict;

test('every resultCode of docs/protocol.md §4 has its meaning', () => {
  const meanings = {
    9000: 'Payment is successful.',
    8000: 'Trade is processing.',
    4000: 'Payment is failed.',
    6001: 'User cancels to pay.',
    6002: 'Network exception.',
    6004: 'Unknown pay result, may be success.',
  };
  for (const [code, meaning] of Object.entries(meanings)) assert.equal(RESULT_CODES[code].meaning, meaning, code);
});

test('app and server: match, mismatch, or wait for the server', () => {
  // [resultCode, server status, settled (polling over), expected kind, message pattern]
  const cases = [
    ['9000', 'PAID', false, 'match', /agree: paid/],
    ['4000', 'FAILED', false, 'match', /agree: failed/],
    ['6001', 'CANCELLED', false, 'match', /agree: cancelled/],
    ['8000', 'PENDING', false, 'match', /still processing/],
    ['8000', 'PAID', false, 'match', /since confirmed: Paid/],
    ['8000', 'FAILED', true, 'match', /since confirmed: Failed/],
    // The case the docs warn about: the app could not tell, the server knows.
    ['6004', 'PAID', false, 'mismatch', /confirms: Paid\. The server is right: your order is paid/],
    ['6002', 'PAID', false, 'mismatch', /Network exception.*confirms: Paid/],
    ['9000', 'FAILED', false, 'mismatch', /succ.*confirms: Failed.*not paid/],
    ['6001', 'PAID', false, 'mismatch', /confirms: Paid/],
    ['4000', 'PAID', false, 'mismatch', /confirms: Paid/],
    // The user closed the cashier: the order is still open, at once a callout.
    ['6001', 'PENDING', false, 'mismatch', /still open.*Pay again/],
    // Still pending while we keep asking: wait; once we stop asking: say so.
    ['9000', 'PENDING', false, 'wait', /^$/],
    ['9000', 'PENDING', true, 'mismatch', /no confirmation.*not paid/],
    ['6004', 'PENDING', false, 'wait', /^$/],
    ['6004', 'PENDING', true, 'mismatch', /no final result yet/],
    ['4000', 'PENDING', true, 'mismatch', /Payment is failed.*no final result yet/],
    // Nothing to compare yet.
    ['', 'PAID', true, 'none', /^$/],
    ['9000', '', true, 'none', /^$/],
    // A code no doc lists is treated as unknown.
    ['1234', 'PAID', false, 'mismatch', /\(1234\).*confirms: Paid/],
  ];
  for (const [code, status, settled, kind, message] of cases) {
    const verdict = compareResults(code, status, { settled });
    const name = `${code || '-'} vs ${status || '-'}${settled ? ' (settled)' : ''}`;
    assert.equal(verdict.kind, kind, name);
    assert.match(verdict.message, message, name);
  }
});

test('fail reasons the user can act on are said in words, the code kept', () => {
  const cases = [
    ['INSUFFICIENT_BALANCE', 'INSUFFICIENT_BALANCE (not enough balance in your wallet for this order)'],
    ['PAYMENT_DECLINED', 'PAYMENT_DECLINED (the payment was declined)'],
    ['PAYMENT_EXPIRED', 'PAYMENT_EXPIRED (the payment was not completed in time)'],
    ['PARAM_ILLEGAL: order.buyer.referenceBuyerId unknown', 'PARAM_ILLEGAL: order.buyer.referenceBuyerId unknown'],
    ['SOMETHING_NEW', 'SOMETHING_NEW'],
    [null, ''],
    ['', ''],
  ];
  for (const [reason, text] of cases) assert.equal(failReasonText(reason), text, String(reason));
});
