//! Storage: every table and every SQL statement of the sandbox, behind one SQLite connection.
//!
//! SQLite (bundled) in WAL mode in the data dir, or in memory for tests. Migrations run at
//! start-up (`PRAGMA user_version`). Every state change is one `IMMEDIATE` transaction, and the
//! connection sits behind one mutex, so a confirm racing a cancel or the expiry resolves to
//! exactly one final state. WAL with `synchronous=NORMAL` keeps every committed transaction
//! across a process crash (`kill -9`).

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};

use crate::domain::amount::MAX_BALANCE;

use crate::domain::automation::AutomationSettings;
pub use crate::domain::identity::{Credential, UserRow};
pub use crate::domain::payment::PaymentRow;

pub mod auth_settings;
pub mod balances;
pub mod identity;
mod migrations;
mod outbox;
pub mod payments;
pub mod refunds;
mod registry;
pub mod trades;

pub use identity::{GrantRow, NewTokens};
pub use outbox::{
    AttemptResult, AttemptRow, DueNotification, NotificationRow, NotifySummary, StartedAttempt,
    INTERRUPTED_ERROR,
};
pub use payments::{EventRow, Idempotent, NewPayment};
pub use refunds::{NewRefund, RefundRow};
pub use registry::{MerchantRow, MiniProgramRow};
pub use trades::TradeRow;

/// A storage failure (I/O, corruption, a bug in SQL). Answered as `UNKNOWN_EXCEPTION`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite said no.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The data dir could not be created.
    #[error("data dir: {0}")]
    Io(#[from] std::io::Error),
}

/// Result alias for storage calls.
pub type StoreResult<T> = Result<T, StoreError>;

/// The sandbox's database.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
}

/// Why a payment operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    /// No such payment (or not the caller's).
    #[error("payment not found")]
    NotFound,
    /// The payment is already final (or, for confirm, already confirmed); carries the row.
    #[error("payment is {}", .0.status)]
    Conflict(Box<PaymentRow>),
    /// Refund over the paid amount.
    #[error("refund exceeds the refundable amount ({0} left)")]
    RefundExceeds(i64),
    /// Refund currency differs from the payment's.
    #[error("refundAmount.currency must be the payment's currency {0}")]
    CurrencyMismatch(String),
    /// A balance would leave `0..=MAX_BALANCE`, or the stored one is not valid.
    #[error(transparent)]
    Balance(#[from] BalanceError),
    /// A gateway trade created for one buyer, in the cashier of another signed-in user.
    #[error(
        "this trade was created for buyer {buyer}; the signed-in user {signed_in} cannot pay it \
         (only the buyer, in the buyer's own cashier)"
    )]
    NotTheBuyer { buyer: String, signed_in: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a balance could not be moved (nothing was written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BalanceError {
    /// The move would take the balance below 0 or past the cap.
    #[error(
        "the balance of user {user_id} in {currency} is {balance}; moving it by {delta} would \
         leave 0..={MAX_BALANCE}, the sandbox cap in minor units"
    )]
    OutOfRange {
        user_id: String,
        currency: String,
        /// The balance now.
        balance: i64,
        /// The refused change.
        delta: i64,
    },
    /// The stored balance is not a whole number in range (written before the cap existed).
    #[error(
        "the stored balance of user {user_id} in {currency} is {stored}, not a whole number in \
         0..={MAX_BALANCE}; repair it with PUT /sandbox/users/{user_id}/balances"
    )]
    Invalid {
        user_id: String,
        currency: String,
        /// The stored value, as text.
        stored: String,
    },
}

impl From<rusqlite::Error> for TransitionError {
    fn from(e: rusqlite::Error) -> Self {
        TransitionError::Store(StoreError::Sqlite(e))
    }
}

/// Runs a statement through the connection's prepared-statement cache.
fn exec(c: &Connection, sql: &str, p: impl rusqlite::Params) -> rusqlite::Result<usize> {
    c.prepare_cached(sql)?.execute(p)
}

/// Queries one row through the connection's prepared-statement cache.
fn one<T>(
    c: &Connection,
    sql: &str,
    p: impl rusqlite::Params,
    f: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    c.prepare_cached(sql)?.query_row(p, f)
}
/// Appends to a payment's event log (what `GET /sandbox/payments/{id}` shows).
pub fn add_event(
    tx: &Connection,
    payment_id: &str,
    now: i64,
    kind: &str,
    detail: Option<&str>,
) -> rusqlite::Result<()> {
    exec(
        tx,
        "INSERT INTO payment_events (payment_id, at, kind, detail) VALUES (?1, ?2, ?3, ?4)",
        params![payment_id, now, kind, detail],
    )?;
    Ok(())
}

impl Store {
    /// Opens (creating) `<dir>/sandbox.db`, or an in-memory database when `dir` is None, and
    /// runs the migrations.
    pub fn open(dir: Option<&Path>) -> StoreResult<Store> {
        let conn = match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)?;
                let conn = Connection::open(dir.join("sandbox.db"))?;
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "NORMAL")?;
                conn
            }
            None => Connection::open_in_memory()?,
        };
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(64);
        let store = Store {
            conn: Mutex::new(conn),
        };
        store.migrate()?;
        Ok(store)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half transaction (it rolls back on
        // drop), so a poisoned lock is safe to use.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn migrate(&self) -> StoreResult<()> {
        let mut conn = self.lock();
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (i, sql) in migrations::MIGRATIONS
            .iter()
            .enumerate()
            .skip(version.max(0) as usize)
        {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Runs `f` in one `IMMEDIATE` transaction, committed when `f` returns Ok: the use case
    /// that owns a change calls the free functions of a store module inside it.
    pub fn write<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    // ---- settings -------------------------------------------------------------------------

    /// A setting (wallet key, …).
    pub fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(self
            .lock()
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Sets a setting.
    pub fn set_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        exec(
            &self.lock(),
            "INSERT INTO settings (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Sets several settings in one transaction; `None` removes the key.
    pub fn set_settings(&self, pairs: &[(&str, Option<&str>)]) -> StoreResult<()> {
        self.write(|tx| {
            for (key, value) in pairs {
                match value {
                    Some(v) => exec(
                        tx,
                        "INSERT INTO settings (key, value) VALUES (?1, ?2) \
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        params![key, v],
                    )?,
                    None => exec(tx, "DELETE FROM settings WHERE key = ?1", params![key])?,
                };
            }
            Ok(())
        })
    }

    /// The automation switches as stored.
    pub fn automation(&self) -> StoreResult<AutomationSettings> {
        Ok(AutomationSettings::from_stored(
            self.setting(AutomationSettings::AUTOPAY_KEY)?.as_deref(),
            self.setting(AutomationSettings::AUTOCONSENT_KEY)?
                .as_deref(),
        ))
    }

    /// Stores the switches a patch named (all of them when `patch` is None) in one
    /// transaction ([`AutomationSettings::rows`]).
    pub fn save_automation(
        &self,
        settings: &AutomationSettings,
        patch: Option<&serde_json::Value>,
    ) -> StoreResult<()> {
        self.set_settings(&settings.rows(patch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::automation::{Autoconsent, Autopay};

    #[test]
    fn switches_survive_a_reopen_and_unknown_stored_values_read_as_off() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(Some(dir.path())).unwrap();
            assert_eq!(store.automation().unwrap(), AutomationSettings::default());
            store.set_setting("wallet-check", "kept").unwrap();
            let on = AutomationSettings {
                autopay: Some(Autopay::BankTransfer),
                autoconsent: Some(Autoconsent::Allow),
            };
            store.save_automation(&on, None).unwrap();
        }
        let store = Store::open(Some(dir.path())).unwrap();
        let loaded = store.automation().unwrap();
        assert_eq!(loaded.autopay, Some(Autopay::BankTransfer));
        assert_eq!(loaded.autoconsent, Some(Autoconsent::Allow));
        assert_eq!(
            store.setting("wallet-check").unwrap().as_deref(),
            Some("kept")
        );
        // Only what a patch names is written.
        store
            .save_automation(
                &AutomationSettings::default(),
                Some(&serde_json::json!({"autopay": null})),
            )
            .unwrap();
        assert_eq!(
            store.setting(AutomationSettings::AUTOPAY_KEY).unwrap(),
            None
        );
        let kept = store.automation().unwrap().autoconsent;
        assert_eq!(kept, Some(Autoconsent::Allow));
        store
            .set_setting(AutomationSettings::AUTOCONSENT_KEY, "always")
            .unwrap();
        assert_eq!(store.automation().unwrap().autoconsent, None);
    }
}
