//! Balances: read, checked against the cap, debited and credited inside a caller's transaction.

use rusqlite::types::Value as SqlValue;
use rusqlite::{params, Connection, OptionalExtension};

use super::*;
use crate::domain::amount::{checked_balance, MAX_BALANCE};

/// A balance as found in the database: a value in `0..=MAX_BALANCE`, or anything else (a REAL
/// left by an overflow before the cap, an out-of-range integer, text) as text.
pub(super) enum StoredBalance {
    Valid(i64),
    Invalid(String),
}

impl From<SqlValue> for StoredBalance {
    fn from(v: SqlValue) -> StoredBalance {
        match v {
            SqlValue::Integer(n) if (0..=MAX_BALANCE).contains(&n) => StoredBalance::Valid(n),
            SqlValue::Integer(n) => StoredBalance::Invalid(n.to_string()),
            SqlValue::Real(f) => StoredBalance::Invalid(format!("{f:e}")),
            SqlValue::Text(t) => StoredBalance::Invalid(t.chars().take(64).collect()),
            SqlValue::Null => StoredBalance::Invalid("NULL".into()),
            SqlValue::Blob(_) => StoredBalance::Invalid("BLOB".into()),
        }
    }
}

/// A user's balance in `currency` (0 when there is none), or [`BalanceError::Invalid`] when the
/// stored value is not a valid balance.
pub fn balance_of(c: &Connection, user_id: &str, currency: &str) -> Result<i64, TransitionError> {
    let stored = one(
        c,
        "SELECT value FROM balances WHERE user_id = ?1 AND currency = ?2",
        params![user_id, currency],
        |r| r.get::<_, SqlValue>(0),
    )
    .optional()?;
    match stored.map(StoredBalance::from) {
        None => Ok(0),
        Some(StoredBalance::Valid(v)) => Ok(v),
        Some(StoredBalance::Invalid(raw)) => Err(TransitionError::Balance(BalanceError::Invalid {
            user_id: user_id.to_string(),
            currency: currency.to_string(),
            stored: raw,
        })),
    }
}

/// Moves a user's balance by `delta` (checked: refused when it would leave
/// `0..=MAX_BALANCE`, nothing written); returns the new balance.
pub fn add_balance(
    c: &Connection,
    user_id: &str,
    currency: &str,
    delta: i64,
) -> Result<i64, TransitionError> {
    let have = balance_of(c, user_id, currency)?;
    let Some(new) = checked_balance(have, delta) else {
        return Err(TransitionError::Balance(BalanceError::OutOfRange {
            user_id: user_id.to_string(),
            currency: currency.to_string(),
            balance: have,
            delta,
        }));
    };
    exec(
        c,
        "INSERT INTO balances (user_id, currency, value) VALUES (?1, ?2, ?3) \
         ON CONFLICT (user_id, currency) DO UPDATE SET value = excluded.value",
        params![user_id, currency, new],
    )?;
    Ok(new)
}
