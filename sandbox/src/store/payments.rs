//! Payments' SQL: rows read and written, the event log, the outbox insert. The rules (which
//! transition, when, with what balance) are the use cases' (`app::payments`) and the domain's.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::*;
use crate::domain::amount::{Amount, Currency};
use crate::domain::notification::FORMAT_OPEN_API;
use crate::domain::payment::PaymentStatus;

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

/// An entry of a payment's event log (its wire form: `http::views`).
#[derive(Debug, Clone)]
pub struct EventRow {
    /// When (ms).
    pub at: i64,
    /// `created`, `confirmed`, `cashier_closed`, `SUCCESS`, `FAIL`, `CANCELLED`, `refund`, …
    pub kind: String,
    /// Free text.
    pub detail: Option<String>,
}

pub(super) const PAYMENT_COLUMNS: &str =
    "payment_id, client_id, payment_request_id, token, currency, \
    amount_value, order_description, merchant_name, reference_order_id, buyer_id, notify_url, \
    redirect_url, status, fail_reason, method, resolve_at, created_at, expiry_at, payment_time, \
    cancel_time, refunded_value";

pub(super) fn payment_from_row(r: &Row<'_>) -> rusqlite::Result<PaymentRow> {
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

pub fn load_payment(tx: &Connection, payment_id: &str) -> rusqlite::Result<Option<PaymentRow>> {
    one(
        tx,
        &format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE payment_id = ?1"),
        params![payment_id],
        payment_from_row,
    )
    .optional()
}

/// The stored `(request_hash, pay_response)` of a merchant's `paymentRequestId`, if known.
pub fn find_request(
    tx: &Connection,
    client_id: &str,
    payment_request_id: &str,
) -> rusqlite::Result<Option<(String, String)>> {
    one(
        tx,
        "SELECT request_hash, pay_response FROM payments \
         WHERE client_id = ?1 AND payment_request_id = ?2",
        params![client_id, payment_request_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Inserts a new payment (status PROCESSING).
pub fn insert_payment(tx: &Connection, new: &NewPayment) -> rusqlite::Result<()> {
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
    Ok(())
}

/// Stores the method the payer confirmed with.
pub fn set_method(tx: &Connection, payment_id: &str, method: &str) -> rusqlite::Result<()> {
    exec(
        tx,
        "UPDATE payments SET method = ?2 WHERE payment_id = ?1",
        params![payment_id, method],
    )?;
    Ok(())
}

/// Stores a pending payment's resolution (when, to what); all None: it never resolves.
pub fn set_resolution(
    tx: &Connection,
    payment_id: &str,
    resolve_at: Option<i64>,
    status: Option<PaymentStatus>,
    reason: Option<&str>,
) -> rusqlite::Result<()> {
    exec(
        tx,
        "UPDATE payments SET resolve_at = ?2, resolve_status = ?3, resolve_reason = ?4 \
         WHERE payment_id = ?1",
        params![payment_id, resolve_at, status.map(|s| s.as_str()), reason],
    )?;
    Ok(())
}

/// The final state a pending payment resolves to, as stored (status None when unset or not a
/// status).
pub fn resolution(
    tx: &Connection,
    payment_id: &str,
) -> rusqlite::Result<(Option<PaymentStatus>, Option<String>)> {
    let (status, reason): (Option<String>, Option<String>) = one(
        tx,
        "SELECT resolve_status, resolve_reason FROM payments WHERE payment_id = ?1",
        params![payment_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((status.and_then(|s| s.parse::<PaymentStatus>().ok()), reason))
}

/// Writes a row made final (status, fail reason, times) if it is still PROCESSING.
pub fn write_final(tx: &Connection, row: &PaymentRow) -> rusqlite::Result<()> {
    exec(
        tx,
        "UPDATE payments SET status = ?2, fail_reason = ?3, resolve_at = NULL, payment_time = ?4, \
         cancel_time = ?5 WHERE payment_id = ?1 AND status = 'PROCESSING'",
        params![
            row.payment_id,
            row.status.as_str(),
            row.fail_reason,
            row.payment_time,
            row.cancel_time
        ],
    )?;
    Ok(())
}

/// Queues a notification (`notifyPayment`, `notifyRefund`) of a payment in the outbox.
pub fn queue_notification(
    tx: &Connection,
    payment_id: &str,
    url: &str,
    client_id: &str,
    body: &str,
    now: i64,
) -> rusqlite::Result<()> {
    queue_notification_as(tx, FORMAT_OPEN_API, payment_id, url, client_id, body, now)
}

/// Queues a notification of a payment in the outbox in `format` (`open_api`,
/// `trade_status_sync`): one queue, one dispatcher, whatever the message looks like.
pub fn queue_notification_as(
    tx: &Connection,
    format: &str,
    payment_id: &str,
    url: &str,
    client_id: &str,
    body: &str,
    now: i64,
) -> rusqlite::Result<()> {
    exec(
        tx,
        "INSERT INTO notifications (payment_id, url, client_id, body, status, attempts, \
         next_attempt_at, created_at, format) VALUES (?1, ?2, ?3, ?4, 'PENDING', 0, ?5, ?5, ?6)",
        params![payment_id, url, client_id, body, now, format],
    )?;
    Ok(())
}

/// The ids of open payments whose expiry or pending resolution is due at `now` (500 at most).
pub fn due_payment_ids(tx: &Connection, now: i64) -> rusqlite::Result<Vec<String>> {
    let mut stmt = tx.prepare_cached(
        "SELECT payment_id FROM payments WHERE status = 'PROCESSING' AND expiry_at <= ?1 \
         UNION SELECT payment_id FROM payments WHERE status = 'PROCESSING' \
         AND resolve_at IS NOT NULL AND resolve_at <= ?1 LIMIT 500",
    )?;
    let rows = stmt.query_map(params![now], |r| r.get(0))?;
    rows.collect()
}

/// Who paid a payment by balance, if anyone did.
pub fn payer_of(c: &Connection, payment_id: &str) -> rusqlite::Result<Option<String>> {
    Ok(one(
        c,
        "SELECT payer_id FROM payments WHERE payment_id = ?1",
        params![payment_id],
        |r| r.get(0),
    )
    .optional()?
    .flatten())
}

/// Records who a balance payment debited.
pub fn set_payer(tx: &Connection, payment_id: &str, payer_id: &str) -> rusqlite::Result<()> {
    exec(
        tx,
        "UPDATE payments SET payer_id = ?2 WHERE payment_id = ?1",
        params![payment_id, payer_id],
    )?;
    Ok(())
}

impl Store {
    // ---- payments --------------------------------------------------------------------------

    /// A payment by id, as stored (a plain read: what time alone decided is not applied; the
    /// use case `app::payments::payment` does that).
    pub fn payment_row(&self, payment_id: &str) -> StoreResult<Option<PaymentRow>> {
        Ok(load_payment(&self.lock(), payment_id)?)
    }

    /// The id of a merchant's payment by its `paymentRequestId`.
    pub fn payment_id_by_request(
        &self,
        client_id: &str,
        payment_request_id: &str,
    ) -> StoreResult<Option<String>> {
        Ok(one(
            &self.lock(),
            "SELECT payment_id FROM payments WHERE client_id = ?1 AND payment_request_id = ?2",
            params![client_id, payment_request_id],
            |r| r.get(0),
        )
        .optional()?)
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

    /// Recent payments, newest first, with their notification summary, as stored (one read).
    pub fn recent_payments(
        &self,
        limit: i64,
    ) -> StoreResult<Vec<(PaymentRow, Option<NotifySummary>)>> {
        let conn = self.lock();
        let rows: Vec<PaymentRow> = {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {PAYMENT_COLUMNS} FROM payments \
                 ORDER BY created_at DESC, rowid DESC LIMIT ?1"
            ))?;
            let rows = stmt.query_map(params![limit], payment_from_row)?;
            rows.collect::<Result<_, _>>()?
        };
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let summary = notify_summary(&conn, &row.payment_id)?;
            out.push((row, summary));
        }
        Ok(out)
    }

    /// The latest notification of a payment, summarised.
    pub fn notify_summary(&self, payment_id: &str) -> StoreResult<Option<NotifySummary>> {
        Ok(notify_summary(&self.lock(), payment_id)?)
    }

    /// A payment's event log, oldest first.
    pub fn events(&self, payment_id: &str) -> StoreResult<Vec<EventRow>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT at, kind, detail FROM payment_events WHERE payment_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![payment_id], |r| {
            Ok(EventRow {
                at: r.get(0)?,
                kind: r.get(1)?,
                detail: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Who paid a payment by balance, if anyone did.
    pub fn payment_payer(&self, payment_id: &str) -> StoreResult<Option<String>> {
        Ok(payer_of(&self.lock(), payment_id)?)
    }
}

/// The latest notification of a payment, summarised.
fn notify_summary(c: &Connection, payment_id: &str) -> rusqlite::Result<Option<NotifySummary>> {
    c.query_row(
        "SELECT id, status, attempts, next_attempt_at FROM notifications \
                 WHERE payment_id = ?1 ORDER BY id DESC LIMIT 1",
        params![payment_id],
        |r| {
            Ok(NotifySummary {
                id: r.get(0)?,
                status: r.get(1)?,
                attempts: r.get(2)?,
                next_attempt_at: r.get(3)?,
            })
        },
    )
    .optional()
}
