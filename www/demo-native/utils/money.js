// Minor units → "USD 1,234.50": the format of every page of this project (DESIGN.md "Money on
// the pages"). A native mini program's modules resolve inside its own folder only (as on a
// device, where a mini program loads no code from the network), so the super app's formatter
// (www/cashier/money.js, also served at /money.mjs) cannot be imported here: the demo keeps this
// copy of the rule for the shop's currencies: ISO 4217 minor digits, string arithmetic.
const MINOR_DIGITS = { USD: 2, EUR: 2, PHP: 2, JPY: 0, KRW: 0, IQD: 3, KWD: 3 };

function money(minor, currency) {
  const code = currency || 'USD';
  const digits = MINOR_DIGITS[code];
  const text = String(minor);
  if (digits === undefined || !/^\d{1,18}$/.test(text)) return `${text} ${code} (minor units)`;
  const padded = text.padStart(digits + 1, '0');
  const whole = padded.slice(0, padded.length - digits).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return digits ? `${code} ${whole}.${padded.slice(-digits)}` : `${code} ${whole}`;
}

/** An amount as the open API writes it ({ currency, value: "350" }). */
function amountText(amount) {
  return amount ? money(amount.value, amount.currency) : '';
}

/** Kept for the pages, which wait for it before they show an amount. */
const ready = Promise.resolve();

module.exports = { ready, money, amountText };
