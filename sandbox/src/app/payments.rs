//! The payment use cases: create, read as of now, confirm (by method or by balance), cancel,
//! refund, and settling by time. Each owns one `IMMEDIATE` transaction ([`Store::write`]) in
//! which it reads the rows, decides by the rules of `domain::payment` (transitions, what time
//! decides, refunds) and writes through the SQL functions of `store::payments`,
//! `store::refunds` and `store::balances`; so a confirm racing a cancel or the expiry resolves
//! to exactly one final state.

use rusqlite::Connection;

use super::AppState;
use crate::domain::clock;
use crate::domain::identity;
use crate::domain::ids::new_secret;
use crate::domain::notification;
use crate::domain::payment::{
    confirm_outcome, forced_outcome, CashierMethod, Confirmer, Due, Outcome, PaymentRow,
    PaymentStatus, RefundRefusal, REASON_EXPIRED,
};
use crate::store::balances::{add_balance, balance_of};
use crate::store::payments as sql;
use crate::store::refunds as refund_sql;
use crate::store::trades::{self as trade_sql, TradeRow};
use crate::store::{
    add_event, Idempotent, NewPayment, NewRefund, Store, StoreResult, TransitionError,
};

/// Creates a payment unless its `paymentRequestId` is known: the same body replays the stored
/// `pay` answer, another body is [`Idempotent::Inconsistent`].
pub fn create(store: &Store, new: &NewPayment) -> StoreResult<Idempotent<()>> {
    store.write(|tx| {
        let p = &new.row;
        if let Some((hash, response)) = sql::find_request(tx, &p.client_id, &p.payment_request_id)?
        {
            return Ok(if hash == new.request_hash {
                Idempotent::Replay(response)
            } else {
                Idempotent::Inconsistent
            });
        }
        sql::insert_payment(tx, new)?;
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
pub fn payment(store: &Store, payment_id: &str, now: i64) -> StoreResult<Option<PaymentRow>> {
    match store.payment_row(payment_id)? {
        Some(row) if row.is_due(now) => store.write(|tx| {
            let Some(mut row) = sql::load_payment(tx, payment_id)? else {
                return Ok(None);
            };
            settle_due(tx, &mut row, now)?;
            Ok(Some(row))
        }),
        row => Ok(row),
    }
}

/// A merchant's payment by its `paymentRequestId`, as of `now` (as [`payment`]).
pub fn payment_by_request(
    store: &Store,
    client_id: &str,
    payment_request_id: &str,
    now: i64,
) -> StoreResult<Option<PaymentRow>> {
    match store.payment_id_by_request(client_id, payment_request_id)? {
        Some(id) => payment(store, &id, now),
        None => Ok(None),
    }
}

/// Finalizes every payment whose expiry or pending resolution is due; returns how many.
pub fn settle_all_due(store: &Store, now: i64) -> StoreResult<usize> {
    store.write(|tx| {
        let mut n = 0;
        for id in sql::due_payment_ids(tx, now)? {
            if let Some(mut row) = sql::load_payment(tx, &id)? {
                if settle_due(tx, &mut row, now)? {
                    n += 1;
                }
            }
        }
        Ok(n)
    })
}

/// Applies a confirmation by `by` (the cashier, or the headless `complete`) in one
/// transaction, if [`PaymentRow::confirmable_by`] it: final at once, or pending until
/// `now + pending_delay_ms` (or until it expires).
pub fn confirm(
    store: &Store,
    payment_id: &str,
    by: Confirmer,
    outcome: &Outcome,
    pending_delay_ms: i64,
    now: i64,
) -> Result<PaymentRow, TransitionError> {
    let method = by.method();
    store.write(|tx| {
        let mut row = sql::load_payment(tx, payment_id)?.ok_or(TransitionError::NotFound)?;
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
                        Some(now.saturating_add(pending_delay_ms)),
                        Some(*status),
                        reason.as_deref(),
                    ),
                    None => (None, None, None),
                };
                row.resolve_at = resolve_at;
                sql::set_resolution(tx, payment_id, resolve_at, status, reason)?;
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

/// The cashier's confirmation of `p` with `method` ([`confirm_outcome`]; magic amounts win).
/// `BALANCE` otherwise pays as a sandbox user, the [`super::identity::payer`]: debited, or
/// FAIL `INSUFFICIENT_BALANCE` ([`confirm_by_balance`]); with no user at all to pay as, the
/// plain outcome applies.
pub fn cashier_confirm(
    state: &AppState,
    p: &PaymentRow,
    method: CashierMethod,
) -> Result<PaymentRow, TransitionError> {
    let now = state.clock.now_ms();
    let value = p.amount.value();
    // A gateway trade created for a buyer: nobody else confirms it, by any method.
    if let Some(buyer) = super::identity::trade_buyer(state, p)? {
        let signed_in = super::identity::session_user(state)?
            .map(|u| u.user_id)
            .unwrap_or_default();
        if signed_in != buyer {
            return Err(TransitionError::NotTheBuyer { buyer, signed_in });
        }
    }
    if method == CashierMethod::Balance && forced_outcome(value).is_none() {
        if let Some((payer, _)) = super::identity::payer(state, p)? {
            return confirm_by_balance(
                &state.store,
                &p.payment_id,
                &payer.user_id,
                identity::REASON_INSUFFICIENT_BALANCE,
                now,
            );
        }
    }
    confirm(
        &state.store,
        &p.payment_id,
        Confirmer::Cashier(method),
        &confirm_outcome(value, method),
        state.config.pending_delay_ms(),
        now,
    )
}

/// The cashier's `BALANCE` confirmation as `payer_id`: in one transaction, debits the payer by
/// the payment's amount (checked against the balance cap) and makes it SUCCESS, or, when the
/// balance is too small, makes it FAIL with `fail_reason` (nothing debited). Conflicts as
/// [`confirm`].
pub fn confirm_by_balance(
    store: &Store,
    payment_id: &str,
    payer_id: &str,
    fail_reason: &str,
    now: i64,
) -> Result<PaymentRow, TransitionError> {
    store.write(|tx| {
        let mut row = sql::load_payment(tx, payment_id)?.ok_or(TransitionError::NotFound)?;
        settle_due(tx, &mut row, now)?;
        if !row.confirmable_by(Confirmer::Cashier(CashierMethod::Balance)) {
            return Err(TransitionError::Conflict(Box::new(row)));
        }
        let method = CashierMethod::Balance.as_str();
        confirm_method(tx, &mut row, method, now)?;
        let currency = row.amount.currency().code();
        let have = balance_of(tx, payer_id, currency)?;
        if have >= row.amount.value() {
            add_balance(tx, payer_id, currency, -row.amount.value())?;
            sql::set_payer(tx, payment_id, payer_id)?;
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

/// Records that the user closed the cashier (the payment stays PROCESSING).
pub fn cashier_closed(
    store: &Store,
    payment_id: &str,
    now: i64,
) -> Result<PaymentRow, TransitionError> {
    store.write(|tx| {
        let mut row = sql::load_payment(tx, payment_id)?.ok_or(TransitionError::NotFound)?;
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
    store: &Store,
    client_id: &str,
    payment_id: &str,
    now: i64,
) -> Result<PaymentRow, TransitionError> {
    store.write(|tx| {
        let mut row = sql::load_payment(tx, payment_id)?
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

/// Refunds part or all of a successful payment at `now`, idempotent on `refundRequestId`
/// (a repeat with the same body replays the stored answer), within
/// [`PaymentRow::check_refund`]. A payment paid by balance credits its payer back (checked
/// against the cap: refused, nothing written, past it). With a `notify_url`
/// (`refundNotifyUrl`), the `notifyRefund` is queued in the notification outbox in the same
/// transaction, and the dispatcher delivers it as it does `notifyPayment`.
pub fn refund(
    store: &Store,
    new: &NewRefund<'_>,
    now: i64,
) -> Result<Idempotent<String>, TransitionError> {
    store.write(|tx| {
        if let Some((hash, stored)) =
            refund_sql::find_request(tx, new.client_id, new.refund_request_id)?
        {
            return Ok(if hash == new.request_hash {
                Idempotent::Replay(stored)
            } else {
                Idempotent::Inconsistent
            });
        }
        let mut row = sql::load_payment(tx, new.payment_id)?
            .filter(|r| r.client_id == new.client_id)
            .ok_or(TransitionError::NotFound)?;
        settle_due(tx, &mut row, now)?;
        match row.check_refund(new.amount) {
            Ok(()) => {}
            Err(RefundRefusal::NotSuccess) => {
                return Err(TransitionError::Conflict(Box::new(row)));
            }
            Err(RefundRefusal::CurrencyMismatch) => {
                return Err(TransitionError::CurrencyMismatch(
                    row.amount.currency().code().to_string(),
                ));
            }
            Err(RefundRefusal::Exceeds(left)) => return Err(TransitionError::RefundExceeds(left)),
        }
        refund_sql::insert_refund(tx, new, now)?;
        let amount = new.amount;
        if let Some(payer) = sql::payer_of(tx, new.payment_id)? {
            add_balance(tx, &payer, amount.currency().code(), amount.value())?;
            add_event(
                tx,
                new.payment_id,
                now,
                "balance_credited",
                Some(&format!("{payer} +{}", amount.display())),
            )?;
        }
        if let Some(url) = new.notify_url {
            let body = notification::refund_notification_body(
                new.refund_id,
                new.refund_request_id,
                new.payment_id,
                amount,
                now,
            );
            sql::queue_notification(tx, new.payment_id, url, new.client_id, &body, now)?;
        }
        add_event(
            tx,
            new.payment_id,
            now,
            "refund",
            Some(&format!("{} {}", new.refund_id, amount.display())),
        )?;
        Ok(Idempotent::Created(new.response.to_string()))
    })
}

/// Records the method the payer confirmed with, on `row` and in `tx`.
fn confirm_method(
    tx: &Connection,
    row: &mut PaymentRow,
    method: &str,
    now: i64,
) -> rusqlite::Result<()> {
    row.method = Some(method.to_string());
    sql::set_method(tx, &row.payment_id, method)?;
    add_event(tx, &row.payment_id, now, "confirmed", Some(method))
}

/// Makes an open payment final in `tx` ([`PaymentRow::finish`]), logs it, and queues its
/// notification when the final state is notified and the merchant gave a `notifyUrl`.
fn finalize(
    tx: &Connection,
    row: &mut PaymentRow,
    status: PaymentStatus,
    fail_reason: Option<String>,
    now: i64,
    why: &str,
) -> rusqlite::Result<()> {
    row.finish(status, fail_reason, now);
    sql::write_final(tx, row)?;
    let detail = match &row.fail_reason {
        Some(reason) => format!("{why}: {reason}"),
        None => why.to_string(),
    };
    add_event(tx, &row.payment_id, now, status.as_str(), Some(&detail))?;
    if status.is_notified() {
        if let Some(url) = &row.notify_url {
            let body = notification::notification_body(row);
            sql::queue_notification(tx, &row.payment_id, url, &row.client_id, &body, now)?;
        } else if let Some(trade) = trade_sql::find_by_trade_no(tx, &row.payment_id)? {
            queue_trade_notification(tx, row, &trade, now)?;
        }
    }
    Ok(())
}

/// Queues the `trade_status_sync` notification of a gateway trade that became final (paid:
/// `TRADE_SUCCESS`; failed or expired: `TRADE_CLOSED`), when its `alipay.trade.create` gave a
/// `notify_url`. A trade the merchant closed itself (CANCELLED) is not notified, as
/// `notifyPayment` is not.
fn queue_trade_notification(
    tx: &Connection,
    row: &PaymentRow,
    trade: &TradeRow,
    now: i64,
) -> rusqlite::Result<()> {
    let Some(url) = &trade.notify_url else {
        return Ok(());
    };
    let buyer = sql::payer_of(tx, &row.payment_id)?.or(row.buyer_id.clone());
    let params = notification::trade_notification_params(
        row,
        &trade.app_id,
        &trade.out_trade_no,
        buyer.as_deref(),
        &new_secret(),
    );
    let body = serde_json::Value::from(serde_json::Map::from_iter(
        params
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v))),
    ))
    .to_string();
    sql::queue_notification_as(
        tx,
        notification::FORMAT_TRADE_STATUS_SYNC,
        &row.payment_id,
        url,
        &row.client_id,
        &body,
        now,
    )
}

/// Applies what time alone decides ([`PaymentRow::due`]) to a loaded row; true when it did.
fn settle_due(tx: &Connection, row: &mut PaymentRow, now: i64) -> rusqlite::Result<bool> {
    match row.due(now) {
        None => Ok(false),
        Some(Due::Resolve(at)) => {
            let (status, reason) = sql::resolution(tx, &row.payment_id)?;
            let status = status.unwrap_or(PaymentStatus::Success);
            finalize(tx, row, status, reason, at, "pending payment resolved")?;
            Ok(true)
        }
        Some(Due::Expire(at)) => {
            finalize(
                tx,
                row,
                PaymentStatus::Fail,
                Some(REASON_EXPIRED.to_string()),
                at,
                "not paid by paymentExpiryTime",
            )?;
            Ok(true)
        }
    }
}
