//! Refunds' SQL: the idempotency lookup, the insert (with the payment's refunded total), the
//! reads. The refund rules are `app::payments::refund`'s and the domain's.

use rusqlite::{params, Connection, OptionalExtension};

use super::*;
use crate::domain::amount::Amount;

/// A refund as listed (its wire form: `http::views`).
#[derive(Debug, Clone)]
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
    /// When it was made (ms).
    pub refund_time: i64,
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

/// The stored `(request_hash, response)` of a merchant's `refundRequestId`, if known.
pub fn find_request(
    tx: &Connection,
    client_id: &str,
    refund_request_id: &str,
) -> rusqlite::Result<Option<(String, String)>> {
    tx.query_row(
        "SELECT request_hash, response FROM refunds \
         WHERE client_id = ?1 AND refund_request_id = ?2",
        params![client_id, refund_request_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Inserts the refund `new` made at `now`, and adds it to its payment's refunded total.
pub fn insert_refund(tx: &Connection, new: &NewRefund<'_>, now: i64) -> rusqlite::Result<()> {
    exec(
        tx,
        "INSERT INTO refunds (refund_id, client_id, refund_request_id, request_hash, \
         response, payment_id, currency, amount_value, reason, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            new.refund_id,
            new.client_id,
            new.refund_request_id,
            new.request_hash,
            new.response,
            new.payment_id,
            new.amount.currency().code(),
            new.amount.value(),
            new.reason,
            now
        ],
    )?;
    exec(
        tx,
        "UPDATE payments SET refunded_value = refunded_value + ?2 WHERE payment_id = ?1",
        params![new.payment_id, new.amount.value()],
    )?;
    Ok(())
}

impl Store {
    // ---- refunds ---------------------------------------------------------------------------

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
                refund_time: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
