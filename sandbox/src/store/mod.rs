//! Storage: every table and every SQL statement of the sandbox, behind one SQLite connection.
//!
//! SQLite (bundled) in WAL mode in the data dir, or in memory for tests. Migrations run at
//! start-up (`PRAGMA user_version`). Every state change is one `IMMEDIATE` transaction, and the
//! connection sits behind one mutex, so a confirm racing a cancel or the expiry resolves to
//! exactly one final state. WAL with `synchronous=NORMAL` keeps every committed transaction
//! across a process crash (`kill -9`).

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::types::Value as SqlValue;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};
use serde::Serialize;

use crate::domain::amount::{checked_balance, Amount, Currency, MAX_BALANCE};
use crate::domain::clock;
pub use crate::domain::identity::{Credential, UserRow};
pub use crate::domain::payment::PaymentRow;
use crate::domain::payment::{Outcome, PaymentStatus, REASON_EXPIRED};

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

const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE merchants (
    client_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    private_key_pem TEXT,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE mini_programs (
    app_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    merchant_client_id TEXT NOT NULL,
    whitelist TEXT NOT NULL,
    trade_pay_fail_routing INTEGER NOT NULL DEFAULT 0,
    http_error_as_fail INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE payments (
    payment_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    payment_request_id TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    pay_response TEXT NOT NULL,
    token TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_value INTEGER NOT NULL,
    order_description TEXT NOT NULL,
    merchant_name TEXT NOT NULL,
    reference_order_id TEXT,
    buyer_id TEXT,
    notify_url TEXT,
    redirect_url TEXT,
    status TEXT NOT NULL,
    fail_reason TEXT,
    method TEXT,
    resolve_at INTEGER,
    resolve_status TEXT,
    resolve_reason TEXT,
    created_at INTEGER NOT NULL,
    expiry_at INTEGER NOT NULL,
    payment_time INTEGER,
    cancel_time INTEGER,
    refunded_value INTEGER NOT NULL DEFAULT 0,
    UNIQUE (client_id, payment_request_id)
);
CREATE INDEX payments_open_expiry ON payments (expiry_at) WHERE status = 'PROCESSING';
CREATE INDEX payments_open_resolve ON payments (resolve_at) WHERE status = 'PROCESSING' AND resolve_at IS NOT NULL;
CREATE INDEX payments_created ON payments (created_at);
CREATE TABLE payment_events (
    id INTEGER PRIMARY KEY,
    payment_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX payment_events_payment ON payment_events (payment_id);
CREATE TABLE refunds (
    refund_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    refund_request_id TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_value INTEGER NOT NULL,
    reason TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (client_id, refund_request_id)
);
CREATE INDEX refunds_payment ON refunds (payment_id);
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    payment_id TEXT NOT NULL,
    url TEXT NOT NULL,
    client_id TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX notifications_payment ON notifications (payment_id);
CREATE TABLE notification_attempts (
    id INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    at INTEGER NOT NULL,
    http_status INTEGER,
    response_excerpt TEXT,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    manual INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notification_attempts_notification ON notification_attempts (notification_id);
"#,
    r#"
-- User identity (issue 5): sandbox users, balances, consent decisions with their auth codes,
-- access and refresh tokens, and who paid a payment by balance (refunds credit them back).
CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    nick_name TEXT NOT NULL,
    full_name TEXT,
    avatar TEXT,
    mobile TEXT,
    email TEXT,
    created_at INTEGER NOT NULL
);
CREATE TABLE balances (
    user_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (user_id, currency)
);
CREATE TABLE auth_grants (
    id INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    app_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    success_scopes TEXT NOT NULL,
    error_scopes TEXT NOT NULL,
    decision TEXT NOT NULL,
    auth_code TEXT UNIQUE,
    expires_at INTEGER,
    used_at INTEGER
);
CREATE TABLE auth_tokens (
    token TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    client_id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    spent_at INTEGER
);
ALTER TABLE payments ADD COLUMN payer_id TEXT;
INSERT INTO users (user_id, nick_name, full_name, mobile, email, created_at) VALUES
    ('2088000000000001', 'Alice', 'Alice Tan', '+1-202-555-0101', 'alice@example.com', 0),
    ('2088000000000002', 'Bob', 'Bob Reyes', '+1-202-555-0102', 'bob@example.com', 0),
    ('2088000000000003', 'Carol', 'Carol Santos', '+1-202-555-0103', 'carol@example.com', 0);
INSERT INTO balances (user_id, currency, value) VALUES
    ('2088000000000001', 'USD', 100000),
    ('2088000000000001', 'PHP', 5000000),
    ('2088000000000002', 'USD', 500);
"#,
    r#"
-- The launch URL of a mini program (its entry page); its origin is the one origin that may
-- embed the cashier and consent pages for it and use its relay.
ALTER TABLE mini_programs ADD COLUMN url TEXT NOT NULL DEFAULT '';
"#,
    r#"
-- Delivery log (issue 8): an attempt is logged as 'sending' before the request goes out and
-- becomes 'done' when it ends; one left 'sending' by a crash becomes 'interrupted' at start.
-- due_at: when the attempt was due, so the log shows the dispatcher's lag.
ALTER TABLE notification_attempts ADD COLUMN state TEXT NOT NULL DEFAULT 'done';
ALTER TABLE notification_attempts ADD COLUMN due_at INTEGER;
CREATE INDEX notification_attempts_sending ON notification_attempts (state) WHERE state = 'sending';
"#,
];

/// The sandbox's database.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
}

/// A registered merchant.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantRow {
    /// Open API `Client-Id`.
    pub client_id: String,
    /// Display name (the cashier's payee unless the order names one).
    pub name: String,
    /// SPKI PEM the merchant's requests are verified with.
    pub public_key_pem: String,
    /// Only for the default sandbox merchant, whose key is not a secret.
    #[serde(skip)]
    pub private_key_pem: Option<String>,
    /// The merchant created on first start.
    pub is_default: bool,
}

/// A mini program in the registry.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MiniProgramRow {
    /// The app id.
    pub app_id: String,
    /// Display name.
    pub name: String,
    /// The merchant that owns it.
    pub merchant_client_id: String,
    /// `host[:port]` entries `my.request` may reach.
    pub whitelist: Vec<String>,
    /// Route 4000/6001/6002 to `fail` in `my.tradePay`.
    pub trade_pay_fail_routing: bool,
    /// Map HTTP 4xx/5xx to `fail` (error 19) in `my.request`.
    pub http_error_as_fail: bool,
    /// The entry page the simulator opens (absolute http(s) URL; empty when not registered).
    pub url: String,
}

/// A payment about to be created.
#[derive(Debug, Clone)]
pub struct NewPayment {
    /// The stored row (status PROCESSING).
    pub row: PaymentRow,
    /// Hash of the canonical request body (idempotency).
    pub request_hash: String,
    /// The exact `pay` response body to replay.
    pub pay_response: String,
}

/// Result of inserting a payment or refund under an idempotency key.
#[derive(Debug)]
pub enum Idempotent<T> {
    /// New record.
    Created(T),
    /// Same key, same body: the stored response.
    Replay(String),
    /// Same key, different body.
    Inconsistent,
}

/// An entry of a payment's event log.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    /// When.
    pub at: String,
    /// `created`, `confirmed`, `cashier_closed`, `SUCCESS`, `FAIL`, `CANCELLED`, `refund`, …
    pub kind: String,
    /// Free text.
    pub detail: Option<String>,
}

/// A refund as listed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundRow {
    /// Wallet-side id.
    pub refund_id: String,
    /// Merchant's idempotency key.
    pub refund_request_id: String,
    /// The payment refunded.
    pub payment_id: String,
    /// `{currency, value}`.
    pub refund_amount: crate::domain::amount::AmountJson,
    /// Reason.
    pub refund_reason: Option<String>,
    /// When.
    pub refund_time: String,
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
    /// Storage.
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
        /// The user.
        user_id: String,
        /// Currency code.
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
        /// The user.
        user_id: String,
        /// Currency code.
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

/// A pending or past webhook delivery.
#[derive(Debug, Clone)]
pub struct NotificationRow {
    /// Outbox id.
    pub id: i64,
    /// Payment.
    pub payment_id: String,
    /// `paymentNotifyUrl`.
    pub url: String,
    /// The merchant's client id (sent as `Client-Id`).
    pub client_id: String,
    /// The JSON body (the same for every attempt).
    pub body: String,
    /// `PENDING`, `DELIVERED`, `FAILED` (gave up).
    pub status: String,
    /// Attempts made so far.
    pub attempts: i64,
    /// When the next attempt is due (ms), for PENDING.
    pub next_attempt_at: Option<i64>,
    /// Created (ms).
    pub created_at: i64,
    /// Acknowledged (ms).
    pub delivered_at: Option<i64>,
}

/// One delivery attempt.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptRow {
    /// 1-based attempt number.
    pub attempt: i64,
    /// When it was sent.
    pub at: String,
    /// `sending` (logged before the request goes out), `done`, or `interrupted` (the sandbox
    /// stopped mid-attempt; the merchant may have received it).
    pub state: String,
    /// Time from when the attempt was due to when it was sent (ms); None for attempts logged
    /// before lags were recorded.
    pub lag_ms: Option<i64>,
    /// HTTP status received, if any.
    pub http_status: Option<i64>,
    /// First bytes of the response body.
    pub response_excerpt: Option<String>,
    /// Transport error, if any.
    pub error: Option<String>,
    /// Round trip.
    pub duration_ms: i64,
    /// Acknowledged with `S`.
    pub ok: bool,
    /// Same as `ok` (the name the devtools panel reads).
    pub acknowledged: bool,
    /// Sent by a manual resend.
    pub manual: bool,
}

/// A pending notification that is due, as the dispatcher queues it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueNotification {
    /// Outbox id.
    pub id: i64,
    /// `paymentNotifyUrl` (its scheme, host and port pick the queue).
    pub url: String,
    /// When it became due (ms).
    pub due_at: i64,
}

/// An attempt logged as `sending` by [`Store::begin_attempt`], to finish with
/// [`Store::finish_attempt`].
#[derive(Debug, Clone)]
pub struct StartedAttempt {
    /// The attempt's row in the log.
    pub attempt_id: i64,
    /// Its 1-based number.
    pub attempt: i64,
    /// When it was due (ms).
    pub due_at: i64,
    /// The notification.
    pub row: NotificationRow,
}

/// The error text of an attempt cut by a stop or a crash.
pub const INTERRUPTED_ERROR: &str =
    "interrupted: the sandbox stopped during this attempt; the merchant may have received it";

/// The result of one attempt, to record.
#[derive(Debug, Clone)]
pub struct AttemptResult {
    /// When it was sent (ms).
    pub at: i64,
    /// HTTP status.
    pub http_status: Option<u16>,
    /// First bytes of the body.
    pub response_excerpt: Option<String>,
    /// Transport error.
    pub error: Option<String>,
    /// Round trip.
    pub duration_ms: i64,
    /// Acknowledged.
    pub ok: bool,
}

/// Per-payment notification summary for the devtools list.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifySummary {
    /// Outbox id.
    pub id: i64,
    /// `PENDING` / `DELIVERED` / `FAILED`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Next attempt (RFC 3339), when pending.
    pub next_attempt_at: Option<String>,
}

const PAYMENT_COLUMNS: &str = "payment_id, client_id, payment_request_id, token, currency, \
    amount_value, order_description, merchant_name, reference_order_id, buyer_id, notify_url, \
    redirect_url, status, fail_reason, method, resolve_at, created_at, expiry_at, payment_time, \
    cancel_time, refunded_value";

fn payment_from_row(r: &Row<'_>) -> rusqlite::Result<PaymentRow> {
    let currency: String = r.get(4)?;
    let currency = Currency::from_code(&currency)
        .ok_or_else(|| rusqlite::Error::InvalidColumnName(format!("currency {currency}")))?;
    let status: String = r.get(12)?;
    let status = status
        .parse::<PaymentStatus>()
        .map_err(|_| rusqlite::Error::InvalidColumnName(format!("status {status}")))?;
    Ok(PaymentRow {
        payment_id: r.get(0)?,
        client_id: r.get(1)?,
        payment_request_id: r.get(2)?,
        token: r.get(3)?,
        amount: Amount::new(currency, r.get(5)?),
        order_description: r.get(6)?,
        merchant_name: r.get(7)?,
        reference_order_id: r.get(8)?,
        buyer_id: r.get(9)?,
        notify_url: r.get(10)?,
        redirect_url: r.get(11)?,
        status,
        fail_reason: r.get(13)?,
        method: r.get(14)?,
        resolve_at: r.get(15)?,
        created_at: r.get(16)?,
        expiry_at: r.get(17)?,
        payment_time: r.get(18)?,
        cancel_time: r.get(19)?,
        refunded_value: r.get(20)?,
    })
}

const NOTIFICATION_COLUMNS: &str =
    "id, payment_id, url, client_id, body, status, attempts, next_attempt_at, created_at, delivered_at";

fn notification_from_row(r: &Row<'_>) -> rusqlite::Result<NotificationRow> {
    Ok(NotificationRow {
        id: r.get(0)?,
        payment_id: r.get(1)?,
        url: r.get(2)?,
        client_id: r.get(3)?,
        body: r.get(4)?,
        status: r.get(5)?,
        attempts: r.get(6)?,
        next_attempt_at: r.get(7)?,
        created_at: r.get(8)?,
        delivered_at: r.get(9)?,
    })
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

fn load_payment(tx: &Connection, payment_id: &str) -> rusqlite::Result<Option<PaymentRow>> {
    one(
        tx,
        &format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE payment_id = ?1"),
        params![payment_id],
        payment_from_row,
    )
    .optional()
}

fn add_event(
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

/// Records the method the payer confirmed with, on `row` and in `tx`.
fn confirm_method(
    tx: &Connection,
    row: &mut PaymentRow,
    method: &str,
    now: i64,
) -> rusqlite::Result<()> {
    row.method = Some(method.to_string());
    exec(
        tx,
        "UPDATE payments SET method = ?2 WHERE payment_id = ?1",
        params![row.payment_id, method],
    )?;
    add_event(tx, &row.payment_id, now, "confirmed", Some(method))
}

/// Moves a PROCESSING payment to a final state in `tx`, logs it, and queues its notification.
fn finalize(
    tx: &Connection,
    row: &mut PaymentRow,
    status: PaymentStatus,
    fail_reason: Option<String>,
    now: i64,
    why: &str,
) -> rusqlite::Result<()> {
    row.status = status;
    row.fail_reason = if status == PaymentStatus::Fail {
        fail_reason
    } else {
        None
    };
    row.resolve_at = None;
    match status {
        PaymentStatus::Cancelled => row.cancel_time = Some(now),
        _ => row.payment_time = Some(now),
    }
    exec(
        tx,
        "UPDATE payments SET status = ?2, fail_reason = ?3, resolve_at = NULL, payment_time = ?4, \
         cancel_time = ?5 WHERE payment_id = ?1 AND status = 'PROCESSING'",
        params![
            row.payment_id,
            status.as_str(),
            row.fail_reason,
            row.payment_time,
            row.cancel_time
        ],
    )?;
    let detail = match &row.fail_reason {
        Some(reason) => format!("{why}: {reason}"),
        None => why.to_string(),
    };
    add_event(tx, &row.payment_id, now, status.as_str(), Some(&detail))?;
    if status.is_notified() {
        if let Some(url) = &row.notify_url {
            let body = crate::domain::notification::notification_body(row);
            exec(
                tx,
                "INSERT INTO notifications (payment_id, url, client_id, body, status, attempts, \
                 next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, 'PENDING', 0, ?5, ?5)",
                params![row.payment_id, url, row.client_id, body, now],
            )?;
        }
    }
    Ok(())
}

/// Applies what time alone decides (expiry, a pending payment's resolution) to a loaded row.
fn settle_due(tx: &Connection, row: &mut PaymentRow, now: i64) -> rusqlite::Result<bool> {
    if row.status != PaymentStatus::Processing {
        return Ok(false);
    }
    if let Some(at) = row.resolve_at {
        if at <= now && at < row.expiry_at {
            let (status, reason): (Option<String>, Option<String>) = one(
                tx,
                "SELECT resolve_status, resolve_reason FROM payments WHERE payment_id = ?1",
                params![row.payment_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let status = status
                .and_then(|s| s.parse::<PaymentStatus>().ok())
                .unwrap_or(PaymentStatus::Success);
            finalize(tx, row, status, reason, at, "pending payment resolved")?;
            return Ok(true);
        }
    }
    if row.expiry_at <= now {
        let at = row.expiry_at;
        finalize(
            tx,
            row,
            PaymentStatus::Fail,
            Some(REASON_EXPIRED.to_string()),
            at.max(row.created_at),
            "not paid by paymentExpiryTime",
        )?;
        return Ok(true);
    }
    Ok(false)
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
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(())
    }

    fn write<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
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

    // ---- merchants and mini programs -------------------------------------------------------

    /// Registers a merchant.
    pub fn insert_merchant(&self, m: &MerchantRow) -> StoreResult<()> {
        exec(
            &self.lock(),
            "INSERT INTO merchants (client_id, name, public_key_pem, private_key_pem, is_default, \
             created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                m.client_id,
                m.name,
                m.public_key_pem,
                m.private_key_pem,
                m.is_default,
                clock::now_ms()
            ],
        )?;
        Ok(())
    }

    fn merchant_query(&self, where_clause: &str, arg: &str) -> StoreResult<Option<MerchantRow>> {
        Ok(self
            .lock()
            .query_row(
                &format!(
                    "SELECT client_id, name, public_key_pem, private_key_pem, is_default \
                     FROM merchants WHERE {where_clause}"
                ),
                params![arg],
                |r| {
                    Ok(MerchantRow {
                        client_id: r.get(0)?,
                        name: r.get(1)?,
                        public_key_pem: r.get(2)?,
                        private_key_pem: r.get(3)?,
                        is_default: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// A merchant by client id.
    pub fn merchant(&self, client_id: &str) -> StoreResult<Option<MerchantRow>> {
        self.merchant_query("client_id = ?1", client_id)
    }

    /// The default sandbox merchant.
    pub fn default_merchant(&self) -> StoreResult<Option<MerchantRow>> {
        self.merchant_query("is_default = 1 AND ?1 = ?1", "")
    }

    /// All merchants, oldest first.
    pub fn merchants(&self) -> StoreResult<Vec<MerchantRow>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT client_id, name, public_key_pem, private_key_pem, is_default FROM merchants \
             ORDER BY created_at",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(MerchantRow {
                client_id: r.get(0)?,
                name: r.get(1)?,
                public_key_pem: r.get(2)?,
                private_key_pem: r.get(3)?,
                is_default: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn mini_program_from_row(r: &Row<'_>) -> rusqlite::Result<MiniProgramRow> {
        let whitelist: String = r.get(3)?;
        Ok(MiniProgramRow {
            app_id: r.get(0)?,
            name: r.get(1)?,
            merchant_client_id: r.get(2)?,
            whitelist: serde_json::from_str(&whitelist).unwrap_or_default(),
            trade_pay_fail_routing: r.get(4)?,
            http_error_as_fail: r.get(5)?,
            url: r.get(6)?,
        })
    }

    /// A mini program by app id.
    pub fn mini_program(&self, app_id: &str) -> StoreResult<Option<MiniProgramRow>> {
        Ok(self
            .lock()
            .query_row(
                "SELECT app_id, name, merchant_client_id, whitelist, trade_pay_fail_routing, \
                 http_error_as_fail, url FROM mini_programs WHERE app_id = ?1",
                params![app_id],
                Self::mini_program_from_row,
            )
            .optional()?)
    }

    /// All mini programs.
    pub fn mini_programs(&self) -> StoreResult<Vec<MiniProgramRow>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT app_id, name, merchant_client_id, whitelist, trade_pay_fail_routing, \
             http_error_as_fail, url FROM mini_programs ORDER BY created_at",
        )?;
        let rows = stmt.query_map([], Self::mini_program_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The mini programs a merchant owns (the apps whose pages may open its payments).
    pub fn mini_programs_of(&self, merchant_client_id: &str) -> StoreResult<Vec<MiniProgramRow>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT app_id, name, merchant_client_id, whitelist, trade_pay_fail_routing, \
             http_error_as_fail, url FROM mini_programs WHERE merchant_client_id = ?1 \
             ORDER BY created_at",
        )?;
        let rows = stmt.query_map(params![merchant_client_id], Self::mini_program_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Creates or replaces a mini program.
    pub fn upsert_mini_program(&self, m: &MiniProgramRow) -> StoreResult<()> {
        let whitelist = serde_json::to_string(&m.whitelist).unwrap_or_else(|_| "[]".into());
        exec(&self.lock(),
            "INSERT INTO mini_programs (app_id, name, merchant_client_id, whitelist, \
             trade_pay_fail_routing, http_error_as_fail, created_at, url) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (app_id) DO UPDATE SET \
             name = excluded.name, merchant_client_id = excluded.merchant_client_id, \
             whitelist = excluded.whitelist, trade_pay_fail_routing = excluded.trade_pay_fail_routing, \
             http_error_as_fail = excluded.http_error_as_fail, url = excluded.url",
            params![
                m.app_id,
                m.name,
                m.merchant_client_id,
                whitelist,
                m.trade_pay_fail_routing,
                m.http_error_as_fail,
                clock::now_ms(),
                m.url
            ],
        )?;
        Ok(())
    }

    // ---- payments --------------------------------------------------------------------------

    /// Creates a payment unless its `paymentRequestId` is known (idempotency).
    pub fn create_payment(&self, new: &NewPayment) -> StoreResult<Idempotent<()>> {
        self.write(|tx| {
            let existing: Option<(String, String)> = tx
                .query_row(
                    "SELECT request_hash, pay_response FROM payments \
                     WHERE client_id = ?1 AND payment_request_id = ?2",
                    params![new.row.client_id, new.row.payment_request_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((hash, response)) = existing {
                return Ok(if hash == new.request_hash {
                    Idempotent::Replay(response)
                } else {
                    Idempotent::Inconsistent
                });
            }
            let p = &new.row;
            exec(
                tx,
                "INSERT INTO payments (payment_id, client_id, payment_request_id, request_hash, \
                 pay_response, token, currency, amount_value, order_description, merchant_name, \
                 reference_order_id, buyer_id, notify_url, redirect_url, status, created_at, \
                 expiry_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, \
                 'PROCESSING', ?15, ?16)",
                params![
                    p.payment_id,
                    p.client_id,
                    p.payment_request_id,
                    new.request_hash,
                    new.pay_response,
                    p.token,
                    p.amount.currency().code(),
                    p.amount.value(),
                    p.order_description,
                    p.merchant_name,
                    p.reference_order_id,
                    p.buyer_id,
                    p.notify_url,
                    p.redirect_url,
                    p.created_at,
                    p.expiry_at
                ],
            )?;
            add_event(
                tx,
                &p.payment_id,
                p.created_at,
                "created",
                Some(&p.amount.display()),
            )?;
            Ok(Idempotent::Created(()))
        })
    }

    /// A payment by id, with expiry and pending resolution applied first.
    pub fn payment(&self, payment_id: &str) -> StoreResult<Option<PaymentRow>> {
        let now = clock::now_ms();
        self.write(|tx| {
            let Some(mut row) = load_payment(tx, payment_id)? else {
                return Ok(None);
            };
            settle_due(tx, &mut row, now)?;
            Ok(Some(row))
        })
    }

    /// A merchant's payment by its `paymentRequestId`.
    pub fn payment_by_request(
        &self,
        client_id: &str,
        payment_request_id: &str,
    ) -> StoreResult<Option<PaymentRow>> {
        let id: Option<String> = self
            .lock()
            .query_row(
                "SELECT payment_id FROM payments WHERE client_id = ?1 AND payment_request_id = ?2",
                params![client_id, payment_request_id],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            Some(id) => self.payment(&id),
            None => Ok(None),
        }
    }

    /// Applies a cashier confirmation (or the headless `complete`) in one transaction.
    /// `allow_pending`: a payment already confirmed and pending may be completed (headless call),
    /// but not confirmed twice in the cashier.
    pub fn confirm(
        &self,
        payment_id: &str,
        method: &str,
        outcome: &Outcome,
        pending_delay_ms: i64,
        allow_pending: bool,
    ) -> Result<PaymentRow, TransitionError> {
        let now = clock::now_ms();
        self.write(|tx| {
            let mut row = load_payment(tx, payment_id)?.ok_or(TransitionError::NotFound)?;
            settle_due(tx, &mut row, now)?;
            if row.status.is_final() || (row.method.is_some() && !allow_pending) {
                return Err(TransitionError::Conflict(Box::new(row)));
            }
            confirm_method(tx, &mut row, method, now)?;
            match outcome {
                Outcome::Final {
                    status,
                    fail_reason,
                } => finalize(tx, &mut row, *status, fail_reason.clone(), now, method)?,
                Outcome::Pending { then } => {
                    let (resolve_at, status, reason) = match then {
                        Some((status, reason)) => (
                            Some(now + pending_delay_ms),
                            Some(status.as_str()),
                            reason.clone(),
                        ),
                        None => (None, None, None),
                    };
                    row.resolve_at = resolve_at;
                    exec(
                        tx,
                        "UPDATE payments SET resolve_at = ?2, resolve_status = ?3, \
                         resolve_reason = ?4 WHERE payment_id = ?1",
                        params![payment_id, resolve_at, status, reason],
                    )?;
                    add_event(
                        tx,
                        payment_id,
                        now,
                        "pending",
                        Some(&match resolve_at {
                            Some(at) => format!("resolves at {}", clock::format_precise(at)),
                            None => "never resolves; expires at paymentExpiryTime".to_string(),
                        }),
                    )?;
                }
            }
            Ok(row)
        })
    }

    /// Records that the user closed the cashier (the payment stays PROCESSING).
    pub fn cashier_closed(&self, payment_id: &str) -> Result<PaymentRow, TransitionError> {
        let now = clock::now_ms();
        self.write(|tx| {
            let mut row = load_payment(tx, payment_id)?.ok_or(TransitionError::NotFound)?;
            settle_due(tx, &mut row, now)?;
            add_event(
                tx,
                payment_id,
                now,
                "cashier_closed",
                Some("user closed the cashier"),
            )?;
            Ok(row)
        })
    }

    /// The merchant's cancel: PROCESSING → CANCELLED; CANCELLED again is answered as before.
    pub fn cancel(&self, client_id: &str, payment_id: &str) -> Result<PaymentRow, TransitionError> {
        let now = clock::now_ms();
        self.write(|tx| {
            let mut row = load_payment(tx, payment_id)?
                .filter(|r| r.client_id == client_id)
                .ok_or(TransitionError::NotFound)?;
            settle_due(tx, &mut row, now)?;
            match row.status {
                PaymentStatus::Processing => {
                    finalize(
                        tx,
                        &mut row,
                        PaymentStatus::Cancelled,
                        None,
                        now,
                        "merchant cancel",
                    )?;
                    Ok(row)
                }
                PaymentStatus::Cancelled => Ok(row),
                _ => Err(TransitionError::Conflict(Box::new(row))),
            }
        })
    }

    /// Finalizes every payment whose expiry or pending resolution is due; returns how many.
    pub fn settle_all_due(&self, now: i64) -> StoreResult<usize> {
        self.write(|tx| {
            let ids: Vec<String> = {
                let mut stmt = tx.prepare(
                    "SELECT payment_id FROM payments WHERE status = 'PROCESSING' AND expiry_at <= ?1 \
                     UNION SELECT payment_id FROM payments WHERE status = 'PROCESSING' \
                     AND resolve_at IS NOT NULL AND resolve_at <= ?1 LIMIT 500",
                )?;
                let rows = stmt.query_map(params![now], |r| r.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            let mut n = 0;
            for id in ids {
                if let Some(mut row) = load_payment(tx, &id)? {
                    if settle_due(tx, &mut row, now)? {
                        n += 1;
                    }
                }
            }
            Ok(n)
        })
    }

    /// When the next expiry or pending resolution is due (ms), if any.
    pub fn next_due(&self) -> StoreResult<Option<i64>> {
        Ok(one(&self.lock(),
            "SELECT MIN(t) FROM (SELECT MIN(expiry_at) AS t FROM payments WHERE status = 'PROCESSING' \
             UNION ALL SELECT MIN(resolve_at) FROM payments WHERE status = 'PROCESSING' \
             AND resolve_at IS NOT NULL)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Recent payments, newest first, with their notification summary.
    pub fn recent_payments(
        &self,
        limit: i64,
    ) -> StoreResult<Vec<(PaymentRow, Option<NotifySummary>)>> {
        let ids: Vec<String> = {
            let conn = self.lock();
            let mut stmt = conn.prepare(
                "SELECT payment_id FROM payments ORDER BY created_at DESC, rowid DESC LIMIT ?1",
            )?;
            let rows = stmt.query_map(params![limit], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(row) = self.payment(&id)? {
                let summary = self.notify_summary(&id)?;
                out.push((row, summary));
            }
        }
        Ok(out)
    }

    /// The latest notification of a payment, summarised.
    pub fn notify_summary(&self, payment_id: &str) -> StoreResult<Option<NotifySummary>> {
        Ok(self
            .lock()
            .query_row(
                "SELECT id, status, attempts, next_attempt_at FROM notifications \
                 WHERE payment_id = ?1 ORDER BY id DESC LIMIT 1",
                params![payment_id],
                |r| {
                    let next: Option<i64> = r.get(3)?;
                    let status: String = r.get(1)?;
                    Ok(NotifySummary {
                        id: r.get(0)?,
                        next_attempt_at: next
                            .filter(|_| status == "PENDING")
                            .map(clock::format_precise),
                        status,
                        attempts: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// A payment's event log, oldest first.
    pub fn events(&self, payment_id: &str) -> StoreResult<Vec<EventRow>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT at, kind, detail FROM payment_events WHERE payment_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![payment_id], |r| {
            Ok(EventRow {
                at: clock::format_precise(r.get(0)?),
                kind: r.get(1)?,
                detail: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    // ---- refunds ---------------------------------------------------------------------------

    /// Refunds part or all of a successful payment, idempotent on `refundRequestId`.
    /// `response` builds the stored answer from `(refund_id, refund_time_ms)`. With a
    /// `notify_url` (`refundNotifyUrl`), the `notifyRefund` is queued in the notification outbox
    /// in the same transaction, and the dispatcher delivers it as it does `notifyPayment`.
    #[allow(clippy::too_many_arguments)]
    pub fn refund(
        &self,
        client_id: &str,
        refund_request_id: &str,
        request_hash: &str,
        payment_id: &str,
        amount: Amount,
        reason: Option<&str>,
        notify_url: Option<&str>,
        refund_id: &str,
        response: impl FnOnce(&str, i64) -> String,
    ) -> Result<Idempotent<String>, TransitionError> {
        let now = clock::now_ms();
        self.write(|tx| {
            let existing: Option<(String, String)> = tx
                .query_row(
                    "SELECT request_hash, response FROM refunds \
                     WHERE client_id = ?1 AND refund_request_id = ?2",
                    params![client_id, refund_request_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((hash, stored)) = existing {
                return Ok(if hash == request_hash {
                    Idempotent::Replay(stored)
                } else {
                    Idempotent::Inconsistent
                });
            }
            let mut row = load_payment(tx, payment_id)?
                .filter(|r| r.client_id == client_id)
                .ok_or(TransitionError::NotFound)?;
            settle_due(tx, &mut row, now)?;
            if row.status != PaymentStatus::Success {
                return Err(TransitionError::Conflict(Box::new(row)));
            }
            if amount.currency() != row.amount.currency() {
                return Err(TransitionError::CurrencyMismatch(
                    row.amount.currency().code().to_string(),
                ));
            }
            let left = row.amount.value().saturating_sub(row.refunded_value).max(0);
            if amount.value() > left {
                return Err(TransitionError::RefundExceeds(left));
            }
            let body = response(refund_id, now);
            exec(
                tx,
                "INSERT INTO refunds (refund_id, client_id, refund_request_id, request_hash, \
                 response, payment_id, currency, amount_value, reason, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    refund_id,
                    client_id,
                    refund_request_id,
                    request_hash,
                    body,
                    payment_id,
                    amount.currency().code(),
                    amount.value(),
                    reason,
                    now
                ],
            )?;
            exec(
                tx,
                "UPDATE payments SET refunded_value = refunded_value + ?2 WHERE payment_id = ?1",
                params![payment_id, amount.value()],
            )?;
            credit_refund(tx, payment_id, amount, now)?;
            if let Some(url) = notify_url {
                let body = crate::domain::notification::refund_notification_body(
                    refund_id,
                    refund_request_id,
                    payment_id,
                    amount,
                    now,
                );
                exec(
                    tx,
                    "INSERT INTO notifications (payment_id, url, client_id, body, status, \
                     attempts, next_attempt_at, created_at) \
                     VALUES (?1, ?2, ?3, ?4, 'PENDING', 0, ?5, ?5)",
                    params![payment_id, url, client_id, body, now],
                )?;
            }
            add_event(
                tx,
                payment_id,
                now,
                "refund",
                Some(&format!("{} {}", refund_id, amount.display())),
            )?;
            Ok(Idempotent::Created(body))
        })
    }

    /// A payment's refunds, oldest first.
    pub fn refunds(&self, payment_id: &str) -> StoreResult<Vec<RefundRow>> {
        self.query_refunds("payment_id = ?1", params![payment_id])
    }

    /// The refund `refund_id`, when it belongs to `client_id`.
    pub fn refund_by_id(&self, client_id: &str, refund_id: &str) -> StoreResult<Option<RefundRow>> {
        let rows = self.query_refunds(
            "refund_id = ?1 AND client_id = ?2",
            params![refund_id, client_id],
        )?;
        Ok(rows.into_iter().next())
    }

    /// The refund `client_id` asked for with `refund_request_id`.
    pub fn refund_by_request(
        &self,
        client_id: &str,
        refund_request_id: &str,
    ) -> StoreResult<Option<RefundRow>> {
        let rows = self.query_refunds(
            "refund_request_id = ?1 AND client_id = ?2",
            params![refund_request_id, client_id],
        )?;
        Ok(rows.into_iter().next())
    }

    fn query_refunds(
        &self,
        condition: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> StoreResult<Vec<RefundRow>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(&format!(
            "SELECT refund_id, refund_request_id, payment_id, currency, amount_value, reason, \
             created_at FROM refunds WHERE {condition} ORDER BY created_at, rowid"
        ))?;
        let rows = stmt.query_map(args, |r| {
            let currency: String = r.get(3)?;
            let value: i64 = r.get(4)?;
            Ok(RefundRow {
                refund_id: r.get(0)?,
                refund_request_id: r.get(1)?,
                payment_id: r.get(2)?,
                refund_amount: crate::domain::amount::AmountJson {
                    currency,
                    value: value.to_string(),
                },
                refund_reason: r.get(5)?,
                refund_time: clock::format_api(r.get(6)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    // ---- notification outbox ---------------------------------------------------------------

    /// Pending notifications due by `now` (at most `limit`, oldest due first), as `(id, url,
    /// due)`: the dispatcher's per-host queues are built from these.
    pub fn due_notifications(&self, now: i64, limit: usize) -> StoreResult<Vec<DueNotification>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT id, url, next_attempt_at FROM notifications WHERE status = 'PENDING' \
             AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now, limit as i64], |r| {
            Ok(DueNotification {
                id: r.get(0)?,
                url: r.get(1)?,
                due_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// When the earliest pending notification not yet due at `now` is due (ms).
    pub fn next_notification_due_after(&self, now: i64) -> StoreResult<Option<i64>> {
        Ok(one(
            &self.lock(),
            "SELECT MIN(next_attempt_at) FROM notifications WHERE status = 'PENDING' \
             AND next_attempt_at > ?1",
            params![now],
            |r| r.get(0),
        )?)
    }

    /// Starts an attempt of notification `id` if it is still pending: counts it and logs it as
    /// `sending` *before* anything is sent, so a crash mid-delivery leaves a trace
    /// ([`Store::interrupt_sending`]). None when the notification is gone or no longer pending.
    pub fn begin_attempt(
        &self,
        id: i64,
        at: i64,
        manual: bool,
    ) -> StoreResult<Option<StartedAttempt>> {
        self.write(|tx| {
            let Some(row) = one(
                tx,
                &format!(
                    "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE id = ?1 \
                     AND status = 'PENDING'"
                ),
                params![id],
                notification_from_row,
            )
            .optional()?
            else {
                return Ok(None);
            };
            let attempt: i64 = one(
                tx,
                "UPDATE notifications SET attempts = attempts + 1 WHERE id = ?1 RETURNING attempts",
                params![id],
                |r| r.get(0),
            )?;
            exec(
                tx,
                "INSERT INTO notification_attempts (notification_id, attempt, at, due_at, state, \
                 duration_ms, ok, manual) VALUES (?1, ?2, ?3, ?4, 'sending', 0, 0, ?5)",
                params![id, attempt, at, row.next_attempt_at, manual],
            )?;
            Ok(Some(StartedAttempt {
                attempt_id: tx.last_insert_rowid(),
                attempt,
                due_at: row.next_attempt_at.unwrap_or(at),
                row,
            }))
        })
    }

    /// Records how a started attempt ended, then schedules the next (`next_at`), or marks the
    /// notification delivered, or gives up (`next_at` None after a failure). Nothing changes
    /// when the attempt was meanwhile marked interrupted (another process owns the outbox now).
    pub fn finish_attempt(
        &self,
        started: &StartedAttempt,
        result: &AttemptResult,
        next_at: Option<i64>,
    ) -> StoreResult<()> {
        let id = started.row.id;
        self.write(|tx| {
            let n = exec(
                tx,
                "UPDATE notification_attempts SET state = 'done', http_status = ?2, \
                 response_excerpt = ?3, error = ?4, duration_ms = ?5, ok = ?6 \
                 WHERE id = ?1 AND state = 'sending'",
                params![
                    started.attempt_id,
                    result.http_status,
                    result.response_excerpt,
                    result.error,
                    result.duration_ms,
                    result.ok
                ],
            )?;
            if n == 0 {
                return Ok(());
            }
            if result.ok {
                exec(
                    tx,
                    "UPDATE notifications SET status = 'DELIVERED', next_attempt_at = NULL, \
                     delivered_at = ?2 WHERE id = ?1",
                    params![id, result.at],
                )?;
            } else if let Some(next) = next_at {
                exec(
                    tx,
                    "UPDATE notifications SET status = 'PENDING', next_attempt_at = ?2 WHERE id = ?1",
                    params![id, next],
                )?;
            } else {
                exec(
                    tx,
                    "UPDATE notifications SET status = 'FAILED', next_attempt_at = NULL WHERE id = ?1",
                    params![id],
                )?;
            }
            Ok(())
        })
    }

    /// At start-up: every attempt still `sending` was cut by a crash or a stop; it becomes
    /// `interrupted` (the merchant may have received it). Its notification stays as it was
    /// (pending and due), so the next attempt goes out at once. Returns how many.
    pub fn interrupt_sending(&self) -> StoreResult<usize> {
        Ok(exec(
            &self.lock(),
            "UPDATE notification_attempts SET state = 'interrupted', error = ?1 \
             WHERE state = 'sending'",
            params![INTERRUPTED_ERROR],
        )?)
    }

    /// A notification by id.
    pub fn notification(&self, id: i64) -> StoreResult<Option<NotificationRow>> {
        Ok(self
            .lock()
            .query_row(
                &format!("SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE id = ?1"),
                params![id],
                notification_from_row,
            )
            .optional()?)
    }

    /// Notifications of a payment (or the 100 most recent), newest first.
    pub fn notifications(&self, payment_id: Option<&str>) -> StoreResult<Vec<NotificationRow>> {
        let conn = self.lock();
        let rows = match payment_id {
            Some(p) => {
                let mut stmt = conn.prepare(&format!(
                    "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE payment_id = ?1 \
                     ORDER BY id DESC"
                ))?;
                let rows = stmt.query_map(params![p], notification_from_row)?;
                rows.collect::<Result<Vec<_>, _>>()?
            }
            None => {
                let mut stmt = conn.prepare(&format!(
                    "SELECT {NOTIFICATION_COLUMNS} FROM notifications ORDER BY id DESC LIMIT 100"
                ))?;
                let rows = stmt.query_map([], notification_from_row)?;
                rows.collect::<Result<Vec<_>, _>>()?
            }
        };
        Ok(rows)
    }

    /// The attempts of a notification, in order.
    pub fn attempts(&self, notification_id: i64) -> StoreResult<Vec<AttemptRow>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT attempt, at, http_status, response_excerpt, error, duration_ms, ok, manual, \
             state, due_at FROM notification_attempts WHERE notification_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![notification_id], |r| {
            let at: i64 = r.get(1)?;
            let due_at: Option<i64> = r.get(9)?;
            Ok(AttemptRow {
                attempt: r.get(0)?,
                at: clock::format_precise(at),
                state: r.get(8)?,
                lag_ms: due_at.map(|due| at.saturating_sub(due).max(0)),
                http_status: r.get(2)?,
                response_excerpt: r.get(3)?,
                error: r.get(4)?,
                duration_ms: r.get(5)?,
                ok: r.get(6)?,
                acknowledged: r.get(6)?,
                manual: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Queues a notification for an immediate manual attempt, whatever its state.
    /// Returns false when there is no such notification.
    pub fn resend(&self, id: i64, now: i64) -> StoreResult<bool> {
        let n = exec(
            &self.lock(),
            "UPDATE notifications SET status = 'PENDING', next_attempt_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
        Ok(n == 1)
    }
}

// ==== user identity (issue 5) ================================================================
// Users, balances, the signed-in user, consent decisions and auth codes, tokens, and the
// balance side of payments. Decisions (is this code still good?) are `identity`'s; this section
// only reads and writes, each state change in one transaction.

/// A consent decision, with the auth code it minted (if allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRow {
    /// When (ms).
    pub created_at: i64,
    /// The mini program.
    pub app_id: String,
    /// Its merchant when the code was minted (codes and tokens are bound to it).
    pub client_id: String,
    /// The signed-in user who decided.
    pub user_id: String,
    /// Scopes asked for.
    pub scopes: Vec<String>,
    /// Scopes granted.
    pub success_scopes: Vec<String>,
    /// Scopes refused, with their codes.
    pub error_scopes: std::collections::BTreeMap<String, String>,
    /// `allow` or `deny`.
    pub decision: String,
    /// The code, when one was minted.
    pub auth_code: Option<String>,
    /// When the code expires (ms).
    pub expires_at: Option<i64>,
    /// When the code was redeemed (ms).
    pub used_at: Option<i64>,
}

/// A new access + refresh token pair to store.
#[derive(Debug, Clone)]
pub struct NewTokens {
    /// Access token.
    pub access_token: String,
    /// Its expiry (ms).
    pub access_expires_at: i64,
    /// Refresh token.
    pub refresh_token: String,
    /// Its expiry (ms).
    pub refresh_expires_at: i64,
}

/// Token kinds in `auth_tokens.kind`.
const ACCESS: &str = "ACCESS";
const REFRESH: &str = "REFRESH";

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn parse_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

fn load_user(c: &Connection, user_id: &str) -> rusqlite::Result<Option<UserRow>> {
    let Some(mut user) = one(
        c,
        "SELECT user_id, nick_name, full_name, avatar, mobile, email FROM users WHERE user_id = ?1",
        params![user_id],
        |r| {
            Ok(UserRow {
                user_id: r.get(0)?,
                nick_name: r.get(1)?,
                full_name: r.get(2)?,
                avatar: r.get(3)?,
                mobile: r.get(4)?,
                email: r.get(5)?,
                balances: Default::default(),
                invalid_balances: Default::default(),
            })
        },
    )
    .optional()?
    else {
        return Ok(None);
    };
    let mut stmt = c.prepare_cached(
        "SELECT currency, value FROM balances WHERE user_id = ?1 ORDER BY currency",
    )?;
    let rows = stmt.query_map(params![user_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            StoredBalance::from(r.get::<_, SqlValue>(1)?),
        ))
    })?;
    for row in rows {
        match row? {
            (currency, StoredBalance::Valid(v)) => {
                user.balances.insert(currency, v);
            }
            (currency, StoredBalance::Invalid(raw)) => {
                user.invalid_balances.insert(currency, raw);
            }
        }
    }
    Ok(Some(user))
}

/// A balance as found in the database: a value in `0..=MAX_BALANCE`, or anything else (a REAL
/// left by an overflow before the cap, an out-of-range integer, text) as text.
enum StoredBalance {
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
fn balance_of(c: &Connection, user_id: &str, currency: &str) -> Result<i64, TransitionError> {
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
fn add_balance(
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

/// Credits a refund back to whoever paid the payment by balance (nothing for other methods).
/// Refused, with nothing written, when the credit would take the balance past the cap.
fn credit_refund(
    tx: &Connection,
    payment_id: &str,
    amount: Amount,
    now: i64,
) -> Result<(), TransitionError> {
    let payer: Option<String> = one(
        tx,
        "SELECT payer_id FROM payments WHERE payment_id = ?1",
        params![payment_id],
        |r| r.get(0),
    )
    .optional()?
    .flatten();
    if let Some(payer) = payer {
        add_balance(tx, &payer, amount.currency().code(), amount.value())?;
        add_event(
            tx,
            payment_id,
            now,
            "balance_credited",
            Some(&format!("{payer} +{}", amount.display())),
        )?;
    }
    Ok(())
}

fn insert_tokens(tx: &Connection, c: &Credential, t: &NewTokens, now: i64) -> rusqlite::Result<()> {
    let scopes = json_list(&c.scopes);
    for (token, kind, expires) in [
        (&t.access_token, ACCESS, t.access_expires_at),
        (&t.refresh_token, REFRESH, t.refresh_expires_at),
    ] {
        exec(
            tx,
            "INSERT INTO auth_tokens (token, kind, client_id, app_id, user_id, scopes, created_at, \
             expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![token, kind, c.client_id, c.app_id, c.user_id, scopes, now, expires],
        )?;
    }
    Ok(())
}

/// Reads `client_id, app_id, user_id, scopes, expires_at, used` (in that order) as a
/// credential; a code without an expiry reads as 0.
fn credential_from_row(r: &Row<'_>) -> rusqlite::Result<Credential> {
    let scopes: String = r.get(3)?;
    Ok(Credential {
        client_id: r.get(0)?,
        app_id: r.get(1)?,
        user_id: r.get(2)?,
        scopes: parse_list(&scopes),
        expires_at: r.get::<_, Option<i64>>(4)?.unwrap_or(0),
        used_at: r.get(5)?,
    })
}

fn load_token(c: &Connection, token: &str, kind: &str) -> rusqlite::Result<Option<Credential>> {
    one(
        c,
        "SELECT client_id, app_id, user_id, scopes, expires_at, spent_at FROM auth_tokens \
         WHERE token = ?1 AND kind = ?2",
        params![token, kind],
        credential_from_row,
    )
    .optional()
}

/// Why redeeming a code or a refresh token was refused, as decided by `check`.
#[derive(Debug, thiserror::Error)]
pub enum RedeemError<E> {
    /// The check said no.
    #[error("{0}")]
    Refused(E),
    /// Storage.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl<E> From<rusqlite::Error> for RedeemError<E> {
    fn from(e: rusqlite::Error) -> Self {
        RedeemError::Store(StoreError::Sqlite(e))
    }
}

impl Store {
    /// All users, by id.
    pub fn users(&self) -> StoreResult<Vec<UserRow>> {
        let conn = self.lock();
        let ids: Vec<String> = {
            let mut stmt = conn.prepare_cached("SELECT user_id FROM users ORDER BY user_id")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(u) = load_user(&conn, &id)? {
                out.push(u);
            }
        }
        Ok(out)
    }

    /// A user by id.
    pub fn user(&self, user_id: &str) -> StoreResult<Option<UserRow>> {
        Ok(load_user(&self.lock(), user_id)?)
    }

    /// Creates a user with the next free `2088…` id (the given `user_id` is ignored).
    pub fn create_user(&self, user: &UserRow) -> StoreResult<UserRow> {
        let now = clock::now_ms();
        self.write(|tx| {
            let max: Option<String> = one(
                tx,
                "SELECT MAX(user_id) FROM users WHERE length(user_id) = 16 AND user_id GLOB '2088*'",
                [],
                |r| r.get(0),
            )?;
            let next = max
                .and_then(|m| m.parse::<u64>().ok())
                .map_or(2_088_000_000_000_001, |n| n + 1);
            let user_id = next.to_string();
            exec(
                tx,
                "INSERT INTO users (user_id, nick_name, full_name, avatar, mobile, email, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    user_id,
                    user.nick_name,
                    user.full_name,
                    user.avatar,
                    user.mobile,
                    user.email,
                    now
                ],
            )?;
            for (currency, value) in &user.balances {
                exec(
                    tx,
                    "INSERT INTO balances (user_id, currency, value) VALUES (?1, ?2, ?3)",
                    params![user_id, currency, value],
                )?;
            }
            Ok(load_user(tx, &user_id)?.unwrap_or_else(|| UserRow {
                user_id,
                ..user.clone()
            }))
        })
    }

    /// Sets some of a user's balances (the others stay); None for an unknown user.
    pub fn set_balances(
        &self,
        user_id: &str,
        balances: &[(String, i64)],
    ) -> StoreResult<Option<UserRow>> {
        self.write(|tx| {
            if load_user(tx, user_id)?.is_none() {
                return Ok(None);
            }
            for (currency, value) in balances {
                exec(
                    tx,
                    "INSERT INTO balances (user_id, currency, value) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (user_id, currency) DO UPDATE SET value = excluded.value",
                    params![user_id, currency, value],
                )?;
            }
            Ok(load_user(tx, user_id)?)
        })
    }

    /// Records a consent decision (and the code it minted).
    pub fn insert_grant(&self, g: &GrantRow) -> StoreResult<()> {
        let errors = serde_json::to_string(&g.error_scopes).unwrap_or_else(|_| "{}".into());
        exec(
            &self.lock(),
            "INSERT INTO auth_grants (created_at, app_id, client_id, user_id, scopes, \
             success_scopes, error_scopes, decision, auth_code, expires_at, used_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL)",
            params![
                g.created_at,
                g.app_id,
                g.client_id,
                g.user_id,
                json_list(&g.scopes),
                json_list(&g.success_scopes),
                errors,
                g.decision,
                g.auth_code,
                g.expires_at
            ],
        )?;
        Ok(())
    }

    /// The latest consent decisions, newest first.
    pub fn grants(&self, limit: i64) -> StoreResult<Vec<GrantRow>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT created_at, app_id, client_id, user_id, scopes, success_scopes, error_scopes, \
             decision, auth_code, expires_at, used_at FROM auth_grants ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map(params![limit], |r| {
            let scopes: String = r.get(4)?;
            let success: String = r.get(5)?;
            let errors: String = r.get(6)?;
            Ok(GrantRow {
                created_at: r.get(0)?,
                app_id: r.get(1)?,
                client_id: r.get(2)?,
                user_id: r.get(3)?,
                scopes: parse_list(&scopes),
                success_scopes: parse_list(&success),
                error_scopes: serde_json::from_str(&errors).unwrap_or_default(),
                decision: r.get(7)?,
                auth_code: r.get(8)?,
                expires_at: r.get(9)?,
                used_at: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Redeems an auth code for a token pair in one transaction: `check` decides on the code
    /// (None when unknown); on Ok the code is marked used and `tokens` stored.
    pub fn redeem_code<E>(
        &self,
        code: &str,
        now: i64,
        tokens: &NewTokens,
        check: impl FnOnce(Option<&Credential>) -> Result<(), E>,
    ) -> Result<Credential, RedeemError<E>> {
        self.redeem(
            code,
            now,
            tokens,
            check,
            |tx| {
                one(
                    tx,
                    "SELECT client_id, app_id, user_id, success_scopes, expires_at, used_at \
                     FROM auth_grants WHERE auth_code = ?1",
                    params![code],
                    credential_from_row,
                )
                .optional()
            },
            "UPDATE auth_grants SET used_at = ?2 WHERE auth_code = ?1",
        )
    }

    /// Spends a refresh token for a new pair in one transaction (`check` decides, as above).
    pub fn redeem_refresh_token<E>(
        &self,
        refresh_token: &str,
        now: i64,
        tokens: &NewTokens,
        check: impl FnOnce(Option<&Credential>) -> Result<(), E>,
    ) -> Result<Credential, RedeemError<E>> {
        self.redeem(
            refresh_token,
            now,
            tokens,
            check,
            |tx| load_token(tx, refresh_token, REFRESH),
            "UPDATE auth_tokens SET spent_at = ?2 WHERE token = ?1",
        )
    }

    /// The one redeem transaction: `find` loads what `key` stands for, `check` decides, then
    /// `spend_sql` (`?1` = key, `?2` = now) marks it spent and the new pair is stored.
    fn redeem<E>(
        &self,
        key: &str,
        now: i64,
        tokens: &NewTokens,
        check: impl FnOnce(Option<&Credential>) -> Result<(), E>,
        find: impl FnOnce(&Connection) -> rusqlite::Result<Option<Credential>>,
        spend_sql: &str,
    ) -> Result<Credential, RedeemError<E>> {
        self.write(|tx| {
            let found = find(tx)?;
            check(found.as_ref()).map_err(RedeemError::Refused)?;
            let Some(c) = found else {
                return Err(RedeemError::Store(StoreError::Sqlite(
                    rusqlite::Error::QueryReturnedNoRows,
                )));
            };
            exec(tx, spend_sql, params![key, now])?;
            insert_tokens(tx, &c, tokens, now)?;
            Ok(c)
        })
    }

    /// What an access token stands for, if it is one.
    pub fn access_token(&self, token: &str) -> StoreResult<Option<Credential>> {
        Ok(load_token(&self.lock(), token, ACCESS)?)
    }

    /// True when merchant `client_id` ever obtained a token for `user_id` through
    /// `applyToken` (the user consented to that merchant's mini program): only then may the
    /// merchant name that user as the buyer who pays.
    pub fn merchant_has_grant(&self, client_id: &str, user_id: &str) -> StoreResult<bool> {
        Ok(one(
            &self.lock(),
            "SELECT EXISTS (SELECT 1 FROM auth_tokens WHERE client_id = ?1 AND user_id = ?2)",
            params![client_id, user_id],
            |r| r.get(0),
        )?)
    }

    /// Who paid a payment by balance, if anyone did.
    pub fn payment_payer(&self, payment_id: &str) -> StoreResult<Option<String>> {
        Ok(one(
            &self.lock(),
            "SELECT payer_id FROM payments WHERE payment_id = ?1",
            params![payment_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
    }

    /// The cashier's `BALANCE` confirmation: in one transaction, debits `payer_id` by the
    /// payment's amount and makes it SUCCESS, or, when the balance is too small, makes it FAIL
    /// with `fail_reason` (nothing debited). Conflicts as [`Store::confirm`].
    pub fn confirm_by_balance(
        &self,
        payment_id: &str,
        payer_id: &str,
        fail_reason: &str,
    ) -> Result<PaymentRow, TransitionError> {
        let now = clock::now_ms();
        self.write(|tx| {
            let mut row = load_payment(tx, payment_id)?.ok_or(TransitionError::NotFound)?;
            settle_due(tx, &mut row, now)?;
            if row.status.is_final() || row.method.is_some() {
                return Err(TransitionError::Conflict(Box::new(row)));
            }
            let method = "BALANCE";
            confirm_method(tx, &mut row, method, now)?;
            let currency = row.amount.currency().code();
            let have = balance_of(tx, payer_id, currency)?;
            if have >= row.amount.value() {
                add_balance(tx, payer_id, currency, -row.amount.value())?;
                exec(
                    tx,
                    "UPDATE payments SET payer_id = ?2 WHERE payment_id = ?1",
                    params![payment_id, payer_id],
                )?;
                add_event(
                    tx,
                    payment_id,
                    now,
                    "balance_debited",
                    Some(&format!("{payer_id} -{}", row.amount.display())),
                )?;
                finalize(tx, &mut row, PaymentStatus::Success, None, now, method)?;
            } else {
                let why = format!(
                    "{method} of {payer_id}: {} {have} < {}",
                    currency,
                    row.amount.value()
                );
                finalize(
                    tx,
                    &mut row,
                    PaymentStatus::Fail,
                    Some(fail_reason.to_string()),
                    now,
                    &why,
                )?;
            }
            Ok(row)
        })
    }
}

#[cfg(test)]
mod identity_tests {
    use super::*;

    #[test]
    fn a_database_from_before_identity_gets_users_and_keeps_its_payments() {
        let dir = tempfile::tempdir().unwrap();
        {
            // A data dir written by a sandbox that knew migration 1 only.
            let conn = Connection::open(dir.path().join("sandbox.db")).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')", [])
                .unwrap();
        }
        let store = Store::open(Some(dir.path())).unwrap();
        assert_eq!(store.setting("k").unwrap().as_deref(), Some("v"));
        let users = store.users().unwrap();
        let names: Vec<&str> = users.iter().map(|u| u.nick_name.as_str()).collect();
        assert_eq!(names, ["Alice", "Bob", "Carol"]);
        assert_eq!(users[0].balances.get("USD"), Some(&100_000));
        assert_eq!(store.payment_payer("none").unwrap(), None);
        drop(store);
        // Opening again runs nothing twice.
        let store = Store::open(Some(dir.path())).unwrap();
        assert_eq!(store.users().unwrap().len(), 3);
    }

    #[test]
    fn a_code_is_redeemed_once_in_one_transaction() {
        let store = Store::open(None).unwrap();
        let grant = GrantRow {
            created_at: 0,
            app_id: "app".into(),
            client_id: "M1".into(),
            user_id: "2088000000000001".into(),
            scopes: vec!["auth_base".into()],
            success_scopes: vec!["auth_base".into()],
            error_scopes: Default::default(),
            decision: "allow".into(),
            auth_code: Some("code".into()),
            expires_at: Some(1000),
            used_at: None,
        };
        store.insert_grant(&grant).unwrap();
        let tokens = |n: &str| NewTokens {
            access_token: format!("a{n}"),
            access_expires_at: 10,
            refresh_token: format!("r{n}"),
            refresh_expires_at: 20,
        };
        let used = |c: Option<&Credential>| match c {
            Some(c) if c.used_at.is_none() => Ok(()),
            _ => Err("used"),
        };
        let c = store.redeem_code("code", 5, &tokens("1"), used).unwrap();
        assert_eq!(c.user_id, "2088000000000001");
        assert!(matches!(
            store.redeem_code("code", 6, &tokens("2"), used),
            Err(RedeemError::Refused("used"))
        ));
        assert!(
            store.access_token("a2").unwrap().is_none(),
            "nothing stored when refused"
        );
        assert_eq!(store.access_token("a1").unwrap().unwrap().expires_at, 10);
        assert!(
            store.access_token("r1").unwrap().is_none(),
            "a refresh token is not an access token"
        );
        assert_eq!(store.grants(10).unwrap()[0].used_at, Some(5));
    }
}
