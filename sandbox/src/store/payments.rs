//! Payments: creation (idempotent on `paymentRequestId`), the transitions, settling by time, the
//! event log, and the balance side of a confirmation.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use super::balances::*;
use super::*;
use crate::domain::amount::{Amount, Currency};
use crate::domain::clock;
use crate::domain::payment::{Confirmer, Outcome, PaymentStatus, REASON_EXPIRED};

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
    pub at: String,
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

pub(super) fn load_payment(
    tx: &Connection,
    payment_id: &str,
) -> rusqlite::Result<Option<PaymentRow>> {
    one(
        tx,
        &format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE payment_id = ?1"),
        params![payment_id],
        payment_from_row,
    )
    .optional()
}

/// Records the method the payer confirmed with, on `row` and in `tx`.
pub(super) fn confirm_method(
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
pub(super) fn finalize(
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
pub(super) fn settle_due(
    tx: &Connection,
    row: &mut PaymentRow,
    now: i64,
) -> rusqlite::Result<bool> {
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

    /// A payment by id as of `now`: a plain read, unless time alone has decided it (expiry, a
    /// pending payment's resolution), which is then written first in its own transaction.
    pub fn payment(&self, payment_id: &str, now: i64) -> StoreResult<Option<PaymentRow>> {
        let row = load_payment(&self.lock(), payment_id)?;
        match row {
            Some(row) if row.is_due(now) => self.write(|tx| {
                let Some(mut row) = load_payment(tx, payment_id)? else {
                    return Ok(None);
                };
                settle_due(tx, &mut row, now)?;
                Ok(Some(row))
            }),
            row => Ok(row),
        }
    }

    /// A merchant's payment by its `paymentRequestId`.
    pub fn payment_by_request(
        &self,
        client_id: &str,
        payment_request_id: &str,
        now: i64,
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
            Some(id) => self.payment(&id, now),
            None => Ok(None),
        }
    }

    /// Applies a confirmation by `by` (the cashier, or the headless `complete`) in one
    /// transaction, if [`PaymentRow::confirmable_by`] it.
    pub fn confirm(
        &self,
        payment_id: &str,
        by: Confirmer,
        outcome: &Outcome,
        pending_delay_ms: i64,
        now: i64,
    ) -> Result<PaymentRow, TransitionError> {
        let method = by.method();
        self.write(|tx| {
            let mut row = load_payment(tx, payment_id)?.ok_or(TransitionError::NotFound)?;
            settle_due(tx, &mut row, now)?;
            if !row.confirmable_by(by) {
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
    pub fn cashier_closed(
        &self,
        payment_id: &str,
        now: i64,
    ) -> Result<PaymentRow, TransitionError> {
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
    pub fn cancel(
        &self,
        client_id: &str,
        payment_id: &str,
        now: i64,
    ) -> Result<PaymentRow, TransitionError> {
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

    /// Recent payments as of `now`, newest first, with their notification summary: what time
    /// alone decided is settled first (one transaction), then one read.
    pub fn recent_payments(
        &self,
        limit: i64,
        now: i64,
    ) -> StoreResult<Vec<(PaymentRow, Option<NotifySummary>)>> {
        self.settle_all_due(now)?;
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
                at: clock::format_precise(r.get(0)?),
                kind: r.get(1)?,
                detail: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
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
        now: i64,
    ) -> Result<PaymentRow, TransitionError> {
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

/// The latest notification of a payment, summarised.
fn notify_summary(c: &Connection, payment_id: &str) -> rusqlite::Result<Option<NotifySummary>> {
    c.query_row(
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
    .optional()
}
