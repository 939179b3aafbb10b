// Money as every page of this project shows it ("USD 1,234.50", "IQD 1,000.000"): the super
// app's one formatter, www/cashier/money.js (DESIGN.md "Money on the pages"), which the sandbox
// also serves as an ES module at /money.mjs on this origin. This app's scripts are CommonJS in
// the logic Worker, so it comes in by dynamic import: `ready` resolves once it is there, and
// the pages wait for it before they show an amount. No copy of the rule is kept here.
let Money = null;
const ready = import('/money.mjs').then(
  (module) => { Money = module.default; return Money; },
  (err) => { console.warn('the money formatter (/money.mjs) did not load; amounts show in minor units', err); return null; },
);

/** An amount in minor units as text: money(350, 'USD') → "USD 3.50". */
function money(minor, currency) {
  const code = currency || 'USD';
  if (!Money) return `${minor} ${code} (minor units)`;
  return Money.displayMoney({ currency: code, value: minor });
}

/** An amount as the open API writes it ({ currency, value: "350" }). */
function amountText(amount) {
  return amount ? money(amount.value, amount.currency) : '';
}

module.exports = { ready, money, amountText };
