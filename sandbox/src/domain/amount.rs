//! Money: an ISO 4217 currency with its minor unit, and an amount in that minor unit.
//!
//! The open API carries amounts as `{ "currency": "USD", "value": "1000" }` where `value` is a
//! string of the amount in the currency's minor unit (cents for USD, yen for JPY, fils for IQD).
//! [`Amount::parse`] is the one place that turns that JSON into a value that cannot be invalid.

use serde::Serialize;
use serde_json::Value;

/// Common ISO 4217 currencies and their minor units (number of decimals).
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2),
    ("AUD", 2),
    ("BDT", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EGP", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KHR", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("LAK", 2),
    ("LKR", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("NGN", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PEN", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("QAR", 2),
    ("RUB", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("UGX", 0),
    ("USD", 2),
    ("VND", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("ZAR", 2),
];

/// The cap on every amount and every balance, in minor units: 10^15 − 1 (fifteen nines).
///
/// Why this number: pages and merchants read amounts as JSON numbers or parse the strings into
/// JS numbers, which are exact only up to 2^53 − 1 (9,007,199,254,740,991); the cap stays below
/// it, so no page ever shows a rounded balance. It is also far inside `i64`: the sum of two
/// capped values cannot overflow, and every sum that moves money is still checked
/// ([`checked_balance`]) and refused past the cap, so a balance never leaves `0..=MAX_VALUE`.
/// (USD 9,999,999,999,999.99 is more than any sandbox needs.)
pub const MAX_VALUE: i64 = 999_999_999_999_999;

/// The cap on a user's balance per currency (the same as on amounts, see [`MAX_VALUE`]).
pub const MAX_BALANCE: i64 = MAX_VALUE;

/// `balance + delta` when the result stays in `0..=MAX_BALANCE`, else None. Every debit and
/// credit of a balance goes through here.
pub fn checked_balance(balance: i64, delta: i64) -> Option<i64> {
    balance
        .checked_add(delta)
        .filter(|v| (0..=MAX_BALANCE).contains(v))
}

/// A known ISO 4217 currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    code: &'static str,
    minor_unit: u8,
}

impl Currency {
    /// Looks up a currency by its (upper-case) ISO 4217 code.
    pub fn from_code(code: &str) -> Option<Currency> {
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|&(code, minor_unit)| Currency { code, minor_unit })
    }

    /// The ISO 4217 code, e.g. `USD`.
    pub fn code(self) -> &'static str {
        self.code
    }

    /// Number of decimals of the minor unit (USD 2, JPY 0, IQD 3).
    pub fn minor_unit(self) -> u8 {
        self.minor_unit
    }
}

/// A positive amount of money in a currency's minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    currency: Currency,
    value: i64,
}

/// Why an amount in a request is not acceptable; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct AmountError {
    /// The JSON path of the amount, e.g. `paymentAmount.value`.
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

impl Amount {
    /// Builds an amount from trusted parts (storage).
    pub fn new(currency: Currency, value: i64) -> Amount {
        Amount { currency, value }
    }

    /// Parses `{ currency, value }` found at JSON path `field`. `value` must be a string of
    /// digits (no sign, no decimals: it is already in minor units) and greater than zero.
    pub fn parse(json: Option<&Value>, field: &str) -> Result<Amount, AmountError> {
        let err = |sub: &str, problem: &str| AmountError {
            field: if sub.is_empty() {
                field.to_string()
            } else {
                format!("{field}.{sub}")
            },
            problem: problem.to_string(),
        };
        let obj = match json {
            None | Some(Value::Null) => return Err(err("", "is required")),
            Some(Value::Object(obj)) => obj,
            Some(_) => return Err(err("", "must be an object { currency, value }")),
        };
        let code = match obj.get("currency") {
            None | Some(Value::Null) => return Err(err("currency", "is required")),
            Some(Value::String(s)) => s,
            Some(_) => return Err(err("currency", "must be a string")),
        };
        let currency = Currency::from_code(code).ok_or_else(|| {
            err(
                "currency",
                &format!("unknown ISO 4217 currency code {code:?} (use upper case, e.g. USD)"),
            )
        })?;
        let value = match obj.get("value") {
            None | Some(Value::Null) => return Err(err("value", "is required")),
            Some(Value::String(s)) => s,
            Some(_) => {
                return Err(err(
                    "value",
                    "must be a string of digits in the currency's minor unit, e.g. \"1000\"",
                ))
            }
        };
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(
                "value",
                &format!("must be a string of digits in the currency's minor unit, got {value:?}"),
            ));
        }
        let too_large = || {
            err(
                "value",
                &format!("is over the sandbox cap of {MAX_VALUE} minor units, got {value:?}"),
            )
        };
        let value: i64 = value.parse().map_err(|_| too_large())?;
        if value <= 0 {
            return Err(err("value", "must be greater than zero"));
        }
        if value > MAX_VALUE {
            return Err(too_large());
        }
        Ok(Amount { currency, value })
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    /// The value in minor units.
    pub fn value(self) -> i64 {
        self.value
    }

    /// Human display, e.g. `USD 10.00`, `JPY 1000`, `IQD 1.500`.
    pub fn display(self) -> String {
        let decimals = u32::from(self.currency.minor_unit);
        if decimals == 0 {
            return format!("{} {}", self.currency.code, self.value);
        }
        let scale = 10i64.pow(decimals);
        format!(
            "{} {}.{:0width$}",
            self.currency.code,
            self.value / scale,
            self.value % scale,
            width = decimals as usize
        )
    }

    /// The wire form `{ "currency": "USD", "value": "1000" }`.
    pub fn to_json(self) -> AmountJson {
        AmountJson {
            currency: self.currency.code.to_string(),
            value: self.value.to_string(),
        }
    }
}

/// The wire form of an amount.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AmountJson {
    /// ISO 4217 code.
    pub currency: String,
    /// Value in minor units, as a string.
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn knows_minor_units_of_common_currencies() {
        for (code, unit) in [("USD", 2), ("JPY", 0), ("IQD", 3), ("PHP", 2), ("KRW", 0)] {
            assert_eq!(
                Currency::from_code(code).map(|c| c.minor_unit()),
                Some(unit)
            );
        }
        assert_eq!(Currency::from_code("usd"), None);
        assert_eq!(Currency::from_code("XXX"), None);
    }

    #[test]
    fn parses_valid_amounts() {
        let a = Amount::parse(
            Some(&json!({"currency":"USD","value":"1000"})),
            "paymentAmount",
        )
        .unwrap();
        assert_eq!(a.value(), 1000);
        assert_eq!(a.display(), "USD 10.00");
        let j = Amount::parse(Some(&json!({"currency":"JPY","value":"500"})), "x").unwrap();
        assert_eq!(j.display(), "JPY 500");
        let i = Amount::parse(Some(&json!({"currency":"IQD","value":"1005"})), "x").unwrap();
        assert_eq!(i.display(), "IQD 1.005");
    }

    #[test]
    fn balances_stay_within_zero_and_the_cap() {
        assert_eq!(checked_balance(10, -10), Some(0));
        assert_eq!(checked_balance(10, -11), None);
        assert_eq!(checked_balance(MAX_BALANCE - 1, 1), Some(MAX_BALANCE));
        assert_eq!(checked_balance(MAX_BALANCE, 1), None);
        assert_eq!(checked_balance(i64::MAX, 1), None);
        assert_eq!(checked_balance(i64::MIN, -1), None);
        const { assert!(MAX_VALUE < (1i64 << 53) - 1, "exact as a JS number") };
    }

    #[test]
    fn amounts_over_the_cap_name_it() {
        for v in ["1000000000000000", "99999999999999999999"] {
            let e = Amount::parse(Some(&json!({"currency":"USD","value":v})), "x").unwrap_err();
            assert_eq!(e.field, "x.value");
            assert!(e.problem.contains("999999999999999"), "{e}");
        }
        let max = MAX_VALUE.to_string();
        let a = Amount::parse(Some(&json!({"currency":"USD","value":max})), "x").unwrap();
        assert_eq!(a.value(), MAX_VALUE);
    }

    #[test]
    fn rejects_bad_amounts_naming_the_field() {
        let cases = [
            (None, "paymentAmount"),
            (Some(json!("10")), "paymentAmount"),
            (Some(json!({"value":"1"})), "paymentAmount.currency"),
            (
                Some(json!({"currency":"usd","value":"1"})),
                "paymentAmount.currency",
            ),
            (Some(json!({"currency":"USD"})), "paymentAmount.value"),
            (
                Some(json!({"currency":"USD","value":10})),
                "paymentAmount.value",
            ),
            (
                Some(json!({"currency":"USD","value":"10.5"})),
                "paymentAmount.value",
            ),
            (
                Some(json!({"currency":"USD","value":"-1"})),
                "paymentAmount.value",
            ),
            (
                Some(json!({"currency":"USD","value":"0"})),
                "paymentAmount.value",
            ),
            (
                Some(json!({"currency":"USD","value":""})),
                "paymentAmount.value",
            ),
            (
                Some(json!({"currency":"USD","value":"99999999999999999999"})),
                "paymentAmount.value",
            ),
        ];
        for (input, field) in cases {
            let e = Amount::parse(input.as_ref(), "paymentAmount").unwrap_err();
            assert_eq!(e.field, field, "{input:?}");
        }
    }
}
