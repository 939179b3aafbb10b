// Money as every page shows it: an amount in ISO 4217 minor units → "IQD 1,000.000".
//
// The one place the pages format money (the cashier, the simulator's devtools, the demo mini
// program). The number of decimals comes from ISO 4217's minor units, the table the sandbox uses
// (sandbox's `amount.rs`; www/cashier/money.test.mjs checks that the two tables agree), never
// from the browser: Intl/CLDR says IQD has 0 decimals, ISO 4217 (and so the wallet, which counts
// in fils) says 3, so Intl would show IQD 1,000.000 as "IQD 1,000,000".
//
// The format is fixed, whatever the locale: `<ISO code> <integer part grouped by 3 with ",">` and,
// when the currency has minor units, `.<exactly that many digits>`: "USD 3.50", "JPY 5,000",
// "IQD 1,000.000". Digits are placed by string arithmetic on the integer, so no amount up to the
// cap (999,999,999,999,999 minor units) is ever rounded.
//
// A classic script, so every origin can load it: the super app's pages import it as a module
// (`import '/cashier/money.js'`, same origin), the mini program loads it with a <script> tag from
// the super app (a cross-origin module would need CORS). It defines `globalThis.Money`. What can
// only import ES modules (a native mini program's logic Worker) imports `/money.mjs`, which the
// sandbox serves on both origins: this same file with its exports appended.
(function (root) {
  'use strict';

  /** ISO 4217 minor units (decimals) of the currencies the sandbox accepts. */
  const MINOR_UNITS = Object.freeze({
    AED: 2, AUD: 2, BDT: 2, BHD: 3, BRL: 2, CAD: 2, CHF: 2, CLP: 0, CNY: 2, CZK: 2,
    DKK: 2, EGP: 2, EUR: 2, GBP: 2, HKD: 2, HUF: 2, IDR: 2, ILS: 2, INR: 2, IQD: 3,
    ISK: 0, JOD: 3, JPY: 0, KES: 2, KHR: 2, KRW: 0, KWD: 3, LAK: 2, LKR: 2, MMK: 2,
    MNT: 2, MOP: 2, MXN: 2, MYR: 2, NGN: 2, NOK: 2, NPR: 2, NZD: 2, OMR: 3, PEN: 2,
    PHP: 2, PKR: 2, PLN: 2, QAR: 2, RUB: 2, SAR: 2, SEK: 2, SGD: 2, THB: 2, TND: 3,
    TRY: 2, TWD: 2, UGX: 0, USD: 2, VND: 0, XAF: 0, XOF: 0, ZAR: 2,
  });

  /** The sandbox's cap on every amount and balance, in minor units (10^15 − 1, below 2^53). */
  const MAX_VALUE = 999999999999999;

  /** An amount that cannot be shown; the message names what is wrong. */
  class MoneyError extends Error {
    constructor(message) {
      super(message);
      this.name = 'MoneyError';
    }
  }

  /** The decimals of `currency` (an upper-case ISO 4217 code), or a MoneyError. */
  function minorUnit(currency) {
    if (typeof currency !== 'string' || !Object.prototype.hasOwnProperty.call(MINOR_UNITS, currency)) {
      throw new MoneyError(`currency ${describe(currency)} is not an ISO 4217 code the wallet knows (e.g. "USD", "IQD")`);
    }
    return MINOR_UNITS[currency];
  }

  /**
   * `{ currency, value }` as the wallet sends it (`value`: a string of digits, or a safe
   * non-negative integer, in minor units) → "USD 3.50". Throws a MoneyError for a negative,
   * fractional, non-numeric or too large value, or an unknown currency.
   */
  function formatMoney(amount) {
    if (amount === null || typeof amount !== 'object') {
      throw new MoneyError(`an amount is { currency, value }, not ${describe(amount)}`);
    }
    const decimals = minorUnit(amount.currency);
    const digits = minorDigits(amount.value);
    const padded = digits.padStart(decimals + 1, '0');
    const whole = padded.slice(0, padded.length - decimals);
    const fraction = padded.slice(padded.length - decimals);
    const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ',');
    return `${amount.currency} ${grouped}${decimals ? `.${fraction}` : ''}`;
  }

  /**
   * `formatMoney`, or — for an amount it cannot show — the raw value with the reason, so a page
   * never hides a wrong amount behind a pretty one: "5 XYZ (minor units; currency "XYZ" is …)".
   */
  function displayMoney(amount) {
    try {
      return formatMoney(amount);
    } catch (err) {
      if (!(err instanceof MoneyError)) throw err;
      const raw = amount && typeof amount === 'object' ? `${amount.value} ${amount.currency}` : String(amount);
      return `${raw} (minor units; ${err.message})`;
    }
  }

  /** The decimal digits of a value in minor units, without leading zeros, or a MoneyError. */
  function minorDigits(value) {
    let digits;
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new MoneyError(`value ${describe(value)} is not a whole number of minor units from 0 to ${MAX_VALUE}`);
      }
      digits = String(value);
    } else if (typeof value === 'string' && /^[0-9]{1,32}$/.test(value)) {
      digits = value.replace(/^0+(?=[0-9])/, '');
    } else {
      throw new MoneyError(`value ${describe(value)} is not a whole number of minor units from 0 to ${MAX_VALUE} (digits only, no sign or decimal point)`);
    }
    if (digits.length > 15 || Number(digits) > MAX_VALUE) {
      throw new MoneyError(`value ${digits} is over the wallet's cap of ${MAX_VALUE} minor units`);
    }
    return digits;
  }

  function describe(x) {
    if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x);
    if (typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean' || x == null) return String(x);
    return `a${Array.isArray(x) ? 'n array' : ` ${typeof x}`}`;
  }

  const Money = Object.freeze({ MINOR_UNITS, MAX_VALUE, MoneyError, minorUnit, formatMoney, displayMoney });
  root.Money = Money;
  if (typeof module === 'object' && module && module.exports) module.exports = Money;
})(globalThis);
