//! Merchants and mini programs.

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::*;
use crate::domain::clock;

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

impl MiniProgramRow {
    /// The origin (`scheme://host[:port]`) of its registered `url`, if it has one: the one
    /// origin that may embed the cashier and consent pages for it and use its relay.
    pub fn origin(&self) -> Option<String> {
        crate::domain::identity::origin_of(&self.url)
    }
}

impl Store {
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
}
