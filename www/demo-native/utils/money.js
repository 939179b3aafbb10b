// Minor units → "USD 3.50". Integer arithmetic only.
function money(minor, currency) {
  const n = Math.trunc(Number(minor) || 0);
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  return `${currency || 'USD'} ${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** An amount as the open API writes it ({ currency, value: "350" }). */
function amountText(amount) {
  return amount ? money(Number(amount.value), amount.currency) : '';
}

module.exports = { money, amountText };
