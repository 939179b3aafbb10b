//! Trades' SQL (the open platform gateway's `alipay.trade.*`): the row that ties a payment to
//! its `app_id` and `out_trade_no`. The rules are the use cases' (`app::trades`).

use rusqlite::{params, Connection, OptionalExtension};

use super::*;

/// A trade: a payment created through the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeRow {
    /// `trade_no`: the payment's id.
    pub trade_no: String,
    /// The mini program (`app_id`) it was created for.
    pub app_id: String,
    /// The merchant's `out_trade_no`, unique per `app_id`.
    pub out_trade_no: String,
    /// The merchant's `notify_url`, if it gave one.
    pub notify_url: Option<String>,
}

const TRADE_COLUMNS: &str = "trade_no, app_id, out_trade_no, notify_url";

fn trade_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TradeRow> {
    Ok(TradeRow {
        trade_no: r.get(0)?,
        app_id: r.get(1)?,
        out_trade_no: r.get(2)?,
        notify_url: r.get(3)?,
    })
}

/// The trade of `app_id` under `out_trade_no`, with the stored `alipay.trade.create` answer.
pub fn find_by_out_trade_no(
    c: &Connection,
    app_id: &str,
    out_trade_no: &str,
) -> rusqlite::Result<Option<(TradeRow, String)>> {
    c.query_row(
        &format!(
            "SELECT {TRADE_COLUMNS}, create_response FROM trades \
             WHERE app_id = ?1 AND out_trade_no = ?2"
        ),
        params![app_id, out_trade_no],
        |r| Ok((trade_from_row(r)?, r.get(4)?)),
    )
    .optional()
}

/// The trade whose payment is `trade_no`, if the payment is a trade.
pub fn find_by_trade_no(c: &Connection, trade_no: &str) -> rusqlite::Result<Option<TradeRow>> {
    c.query_row(
        &format!("SELECT {TRADE_COLUMNS} FROM trades WHERE trade_no = ?1"),
        params![trade_no],
        trade_from_row,
    )
    .optional()
}

/// Inserts a trade (its payment is inserted first, in the same transaction).
pub fn insert_trade(c: &Connection, t: &TradeRow, create_response: &str) -> rusqlite::Result<()> {
    exec(
        c,
        "INSERT INTO trades (trade_no, app_id, out_trade_no, notify_url, create_response) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            t.trade_no,
            t.app_id,
            t.out_trade_no,
            t.notify_url,
            create_response
        ],
    )?;
    Ok(())
}

impl Store {
    /// A trade by its `trade_no`.
    pub fn trade(&self, trade_no: &str) -> StoreResult<Option<TradeRow>> {
        Ok(find_by_trade_no(&self.lock(), trade_no)?)
    }

    /// The trade of `app_id` under `out_trade_no`.
    pub fn trade_by_out_trade_no(
        &self,
        app_id: &str,
        out_trade_no: &str,
    ) -> StoreResult<Option<TradeRow>> {
        Ok(find_by_out_trade_no(&self.lock(), app_id, out_trade_no)?.map(|(t, _)| t))
    }
}
