//! Refunds, idempotent on `refundRequestId`, with the payment total and the payer's credit.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::balances::*;
use super::payments::*;
use super::*;
use crate::domain::amount::Amount;
use crate::domain::clock;
use crate::domain::payment::PaymentStatus;

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
    pub refund_reason: Option<String>,
    pub refund_time: String,
}

/// A refund about to be made.
#[derive(Debug, Clone, Copy)]
pub struct NewRefund<'a> {
    /// The merchant asking; only its own payments can be refunded.
    pub client_id: &'a str,
    /// The merchant's idempotency key.
    pub refund_request_id: &'a str,
    /// Hash of the canonical request body (idempotency).
    pub request_hash: &'a str,
    /// The payment refunded.
    pub payment_id: &'a str,
    /// How much (the payment's currency).
    pub amount: Amount,
    /// `refundReason`.
    pub reason: Option<&'a str>,
    /// `refundNotifyUrl`.
    pub notify_url: Option<&'a str>,
    /// The wallet's id of the new refund.
    pub refund_id: &'a str,
    /// The answer to store and replay, made for `refund_id` at the `now` of the call.
    pub response: &'a str,
}

impl Store {
    // ---- refunds ---------------------------------------------------------------------------

    /// Refunds part or all of a successful payment at `now`, idempotent on `refundRequestId`
    /// (a repeat with the same body replays the stored answer). With a `notify_url`
    /// (`refundNotifyUrl`), the `notifyRefund` is queued in the notification outbox in the same
    /// transaction, and the dispatcher delivers it as it does `notifyPayment`.
    pub fn refund(
        &self,
        new: &NewRefund<'_>,
        now: i64,
    ) -> Result<Idempotent<String>, TransitionError> {
        let NewRefund {
            client_id,
            refund_request_id,
            request_hash,
            payment_id,
            amount,
            reason,
            notify_url,
            refund_id,
            response,
        } = *new;
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
            let body = response.to_string();
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
}
