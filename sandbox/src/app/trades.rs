//! The gateway's trade use cases (`alipay.trade.create`): a trade is a payment of the sandbox's
//! payment store (so the cashier, its outcomes and the settler work for it unchanged) and a
//! `trades` row that ties it to its `app_id` and `out_trade_no`, written in one transaction.

use crate::domain::payment::PaymentRow;
use crate::store::payments as sql;
use crate::store::trades::{self as trade_sql, TradeRow};
use crate::store::{add_event, NewPayment, Store, StoreResult};

/// What creating a trade did.
#[derive(Debug)]
pub enum TradeCreated {
    /// A new trade; its payment is PROCESSING.
    Created,
    /// `out_trade_no` names a trade of this app created with the same request: the stored
    /// answer and the trade's payment as it is now.
    Replay(String, Box<PaymentRow>),
    /// `out_trade_no` names a trade of this app created with another request.
    Inconsistent,
}

/// Creates the payment `new` and its trade `trade` unless the app already has a trade under
/// that `out_trade_no` (then [`TradeCreated::Replay`] or [`TradeCreated::Inconsistent`],
/// decided by the request hash).
pub fn create(
    store: &Store,
    new: &NewPayment,
    trade: &TradeRow,
    create_response: &str,
) -> StoreResult<TradeCreated> {
    store.write(|tx| {
        let p = &new.row;
        if let Some(existing) = sql::find_request(tx, &p.client_id, &p.payment_request_id)? {
            let (hash, _) = existing;
            let stored = trade_sql::find_by_out_trade_no(tx, &trade.app_id, &trade.out_trade_no)?;
            return Ok(match stored {
                Some((t, response)) if hash == new.request_hash => {
                    match sql::load_payment(tx, &t.trade_no)? {
                        Some(row) => TradeCreated::Replay(response, Box::new(row)),
                        None => TradeCreated::Inconsistent,
                    }
                }
                _ => TradeCreated::Inconsistent,
            });
        }
        sql::insert_payment(tx, new)?;
        trade_sql::insert_trade(tx, trade, create_response)?;
        add_event(
            tx,
            &p.payment_id,
            p.created_at,
            "created",
            Some(&format!(
                "{} (alipay.trade.create, app {}, out_trade_no {})",
                p.amount.display(),
                trade.app_id,
                trade.out_trade_no
            )),
        )?;
        Ok(TradeCreated::Created)
    })
}
