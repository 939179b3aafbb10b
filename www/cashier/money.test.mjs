// The money format of every page (money.js), and its currency table against the sandbox's:
// node --test www/cashier/
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { inspect } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
// money.js is a classic script (every origin loads it with <script>); in Node it is CommonJS.
const { MINOR_UNITS, MAX_VALUE, MoneyError, minorUnit, formatMoney, displayMoney } = createRequire(import.meta.url)('./money.js');

/**
 * The sandbox's currency table and cap, read from its Rust source (whatever file under
 * sandbox/src holds `const CURRENCIES: &[(&str, u8)]`), so a currency added there and not here
 * fails this test.
 */
function sandboxTable() {
  const files = readdirSync(join(ROOT, 'sandbox', 'src'), { recursive: true })
    .filter((f) => f.endsWith('.rs'))
    .map((f) => join(ROOT, 'sandbox', 'src', f));
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const table = /const CURRENCIES: &\[\(&str, u8\)\] = &\[([^\]]*)\];/.exec(source);
    if (!table) continue;
    const entries = [...table[1].matchAll(/\(\s*"([A-Z]{3})"\s*,\s*(\d+)\s*\)/g)].map((m) => [m[1], Number(m[2])]);
    const rows = table[1].split('\n').filter((l) => l.trim() && !l.trim().startsWith('//'));
    assert.equal(entries.length, rows.length, `every row of the table in ${file} parses as ("XXX", n)`);
    const cap = /pub const MAX_VALUE: i64 = ([0-9_]+);/.exec(source);
    assert.ok(cap, `MAX_VALUE is defined next to the table in ${file}`);
    return { file, entries, max: Number(cap[1].replaceAll('_', '')) };
  }
  throw new Error('no `const CURRENCIES: &[(&str, u8)]` table found under sandbox/src');
}

test('the currency table and the cap are the sandbox\'s (sandbox/src, ISO 4217 minor units)', () => {
  const { file, entries, max } = sandboxTable();
  assert.ok(entries.length >= 50, `${file}: ${entries.length} currencies`);
  assert.deepEqual(Object.entries(MINOR_UNITS).sort(), entries.sort(), `money.js MINOR_UNITS = the table in ${file}`);
  assert.equal(MAX_VALUE, max);
  assert.ok(Number.isSafeInteger(MAX_VALUE));
});

test('decimals come from ISO 4217, not from Intl: IQD 3, JPY 0, USD 2', () => {
  assert.equal(minorUnit('IQD'), 3);
  assert.equal(minorUnit('JPY'), 0);
  assert.equal(minorUnit('USD'), 2);
  // The reason this module exists: the browser's CLDR data disagrees for IQD.
  const intl = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'IQD' }).resolvedOptions().maximumFractionDigits;
  assert.notEqual(intl, 3, 'if Intl now says 3, the comment in money.js is out of date');
});

test('amounts in minor units are shown with the currency\'s decimals, grouped by thousands', () => {
  const cases = [
    ['IQD', '1000000', 'IQD 1,000.000'],
    ['IQD', '9000', 'IQD 9.000'],
    ['IQD', '1', 'IQD 0.001'],
    ['IQD', '1500', 'IQD 1.500'],
    ['JPY', '5000', 'JPY 5,000'],
    ['JPY', '0', 'JPY 0'],
    ['JPY', '999', 'JPY 999'],
    ['USD', '350', 'USD 3.50'],
    ['USD', '5', 'USD 0.05'],
    ['USD', '0', 'USD 0.00'],
    ['USD', '100000', 'USD 1,000.00'],
    ['PHP', '5000000', 'PHP 50,000.00'],
    ['KWD', '1234567', 'KWD 1,234.567'],
    ['USD', '000350', 'USD 3.50'],
    // The cap, 999,999,999,999,999 minor units, exact in every currency.
    ['USD', '999999999999999', 'USD 9,999,999,999,999.99'],
    ['IQD', '999999999999999', 'IQD 999,999,999,999.999'],
    ['JPY', '999999999999999', 'JPY 999,999,999,999,999'],
    ['USD', '999999999999998', 'USD 9,999,999,999,999.98'],
  ];
  for (const [currency, value, shown] of cases) {
    assert.equal(formatMoney({ currency, value }), shown, `${value} ${currency}`);
    if (Number.isSafeInteger(Number(value))) assert.equal(formatMoney({ currency, value: Number(value) }), shown, `${value} ${currency} as a number`);
  }
});

test('negative, fractional, non-numeric, too large or unknown: a MoneyError naming what is wrong', () => {
  const cases = [
    [{ currency: 'USD', value: '-1' }, /value "-1" is not a whole number of minor units/],
    [{ currency: 'USD', value: -1 }, /value -1 is not a whole number/],
    [{ currency: 'USD', value: '1.5' }, /value "1.5" is not a whole number/],
    [{ currency: 'USD', value: 1.5 }, /value 1.5 is not a whole number/],
    [{ currency: 'USD', value: '' }, /value "" is not/],
    [{ currency: 'USD', value: 'abc' }, /value "abc" is not/],
    [{ currency: 'USD', value: ' 1' }, /value " 1" is not/],
    [{ currency: 'USD', value: '1e3' }, /value "1e3" is not/],
    [{ currency: 'USD', value: null }, /value null is not/],
    [{ currency: 'USD', value: undefined }, /value undefined is not/],
    [{ currency: 'USD', value: Number.NaN }, /value NaN is not/],
    [{ currency: 'USD', value: Infinity }, /value Infinity is not/],
    [{ currency: 'USD', value: 2 ** 53 }, /value 9007199254740992 is not/],
    [{ currency: 'USD', value: 10n }, /value 10 is not/],
    [{ currency: 'USD', value: '1000000000000000' }, /value 1000000000000000 is over the wallet's cap of 999999999999999/],
    [{ currency: 'USD', value: '9'.repeat(40) }, /is not a whole number/],
    [{ currency: 'XYZ', value: '1' }, /currency "XYZ" is not an ISO 4217 code the wallet knows/],
    [{ currency: 'usd', value: '1' }, /currency "usd" is not/],
    [{ value: '1' }, /currency undefined is not/],
    [null, /an amount is \{ currency, value \}, not null/],
    ['USD 1', /not "USD 1"/],
  ];
  for (const [amount, message] of cases) {
    assert.throws(() => formatMoney(amount), (err) => err instanceof MoneyError && message.test(err.message), inspect(amount));
  }
});

test('displayMoney never throws: a bad amount shows raw, with the reason', () => {
  assert.equal(displayMoney({ currency: 'IQD', value: '1000000' }), 'IQD 1,000.000');
  assert.match(displayMoney({ currency: 'XYZ', value: '5' }), /^5 XYZ \(minor units; currency "XYZ" is not/);
  assert.match(displayMoney({ currency: 'USD', value: '-5' }), /^-5 USD \(minor units; value "-5"/);
});

// The native demo keeps a copy of the rule for its shop's currencies (a native mini program's
// modules resolve inside its own folder, so it cannot import this file): it must print what
// money.js prints.
test('the native demo\'s copy prints what money.js prints', () => {
  const copy = createRequire(import.meta.url)('../demo-native/utils/money.js');
  for (const currency of ['USD', 'EUR', 'PHP', 'JPY', 'KRW', 'IQD', 'KWD']) {
    for (const value of ['0', '5', '350', '100000', '123456789', '999999999999999']) {
      assert.equal(copy.money(value, currency), displayMoney({ currency, value }), `${value} ${currency}`);
    }
  }
});
