//! The gateway's methods: `alipay.trade.create`, `alipay.trade.query`, `alipay.trade.close`
//! and `alipay.system.oauth.token`, each from the verified parameters of one app.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{param, transition};
use crate::app::identity::{redeem, Exchange, RedeemError};
use crate::app::payments as app_payments;
use crate::app::trades::{self as app_trades, TradeCreated};
use crate::app::State;
use crate::domain::amount::{Amount, Currency};
use crate::domain::clock;
use crate::domain::identity::{self, AuthError};
use crate::domain::ids::{new_payment_id, new_secret};
use crate::domain::payment::PaymentStatus;
use crate::domain::trade::{
    self, format_yuan, parse_yuan, trade_status, GatewayError, MAX_OUT_TRADE_NO, MAX_SUBJECT,
};
use crate::store::{MiniProgramRow, NewPayment, NewTokens, PaymentRow, TradeRow, TransitionError};

/// `biz_content` as a JSON object.
fn biz(params: &BTreeMap<String, String>) -> Result<Map<String, Value>, GatewayError> {
    let text = param(params, "biz_content")?.ok_or_else(|| GatewayError::missing("biz_content"))?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(GatewayError::invalid(
            "isv.invalid-parameter",
            "biz_content: must be a JSON object",
        )),
        Err(e) => Err(GatewayError::invalid(
            "isv.invalid-parameter",
            format!("biz_content: not JSON: {e}"),
        )),
    }
}

/// An optional string field of `biz_content` (`""` is absent), at most `max` bytes.
fn text<'a>(
    biz: &'a Map<String, Value>,
    name: &str,
    max: usize,
) -> Result<Option<&'a str>, GatewayError> {
    match biz.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) if s.len() > max => Err(GatewayError::parameter(format!(
            "{name}: longer than {max} bytes"
        ))),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(GatewayError::parameter(format!("{name}: must be a string"))),
    }
}

/// The sandbox user whose `open_id` for `app_id` is `open_id` (what oauth.token gave that app).
fn user_of_open_id(
    state: &State,
    app_id: &str,
    open_id: &str,
) -> Result<Option<String>, GatewayError> {
    Ok(state
        .store
        .users()?
        .into_iter()
        .map(|u| u.user_id)
        .find(|u| trade::open_id(&state.open_id_key, app_id, u) == open_id))
}

fn success() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("code".into(), "10000".into());
    m.insert("msg".into(), "Success".into());
    m
}

/// `alipay.trade.create`.
pub(super) fn create(
    state: &State,
    params: &BTreeMap<String, String>,
    app: &MiniProgramRow,
) -> Result<Map<String, Value>, GatewayError> {
    let biz = biz(params)?;
    let out_trade_no = text(&biz, "out_trade_no", MAX_OUT_TRADE_NO)?
        .ok_or_else(|| GatewayError::parameter("out_trade_no: is required"))?;
    if !out_trade_no
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(GatewayError::parameter(format!(
            "out_trade_no {out_trade_no:?}: letters, digits and underscores only"
        )));
    }
    let total = match biz.get("total_amount") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) => {
            return Err(GatewayError::parameter("total_amount: is required"))
        }
        Some(_) => {
            return Err(GatewayError::parameter(
                "total_amount: must be a string of yuan, e.g. \"88.88\"",
            ))
        }
    };
    let fen =
        parse_yuan(&total).map_err(|e| GatewayError::parameter(format!("total_amount: {e}")))?;
    let subject = text(&biz, "subject", MAX_SUBJECT)?
        .ok_or_else(|| GatewayError::parameter("subject: is required"))?;
    if let Some(code) = text(&biz, "product_code", 64)? {
        if code != "JSAPI_PAY" && code != "FACE_TO_FACE_PAYMENT" {
            return Err(GatewayError::parameter(format!(
                "product_code {code:?}: a mini program's trade is JSAPI_PAY (or FACE_TO_FACE_PAYMENT)"
            )));
        }
    }
    let buyer_id = match text(&biz, "buyer_id", 64)? {
        Some(id) if state.store.user(id)?.is_none() => {
            return Err(GatewayError::business(
                "ACQ.BUYER_NOT_EXIST",
                format!("buyer_id {id:?}: not a sandbox user (GET /sandbox/users)"),
            ))
        }
        other => other.map(str::to_string),
    };
    let buyer_id = match text(&biz, "buyer_open_id", 128)? {
        None => buyer_id,
        Some(open_id) => {
            let Some(user) = user_of_open_id(state, &app.app_id, open_id)? else {
                return Err(GatewayError::business(
                    "ACQ.BUYER_NOT_EXIST",
                    format!(
                        "buyer_open_id {open_id:?}: not an open_id alipay.system.oauth.token gave app {}",
                        app.app_id
                    ),
                ));
            };
            if buyer_id.as_ref().is_some_and(|id| *id != user) {
                return Err(GatewayError::parameter(
                    "buyer_open_id: names another buyer than buyer_id; send one of them",
                ));
            }
            Some(user)
        }
    };
    let notify_url = match param(params, "notify_url")? {
        None => None,
        Some(u) => match reqwest::Url::parse(u) {
            Ok(p) if (p.scheme() == "http" || p.scheme() == "https") && p.host_str().is_some() => {
                Some(u.to_string())
            }
            _ => {
                return Err(GatewayError::invalid(
                    "isv.invalid-parameter",
                    format!(
                        "notify_url {}: must be an absolute http(s) URL",
                        crate::http::perimeter::shorten(u)
                    ),
                ))
            }
        },
    };
    let currency = Currency::from_code("CNY").ok_or_else(GatewayError::unavailable)?;
    let merchant_name = state
        .store
        .merchant(&app.merchant_client_id)?
        .map(|m| m.name)
        .unwrap_or_else(|| app.name.clone());
    let now = state.clock.now_ms();
    let trade_no = new_payment_id(now);
    let mut response = success();
    response.insert("out_trade_no".into(), out_trade_no.into());
    response.insert("trade_no".into(), trade_no.clone().into());
    let response_text = Value::Object(response.clone()).to_string();
    let mut hashed = biz.clone();
    hashed.insert("notify_url".into(), notify_url.clone().into());
    let secs = i64::try_from(state.config.default_expiry).unwrap_or(i64::MAX / 2000);
    let new = NewPayment {
        row: PaymentRow {
            payment_id: trade_no.clone(),
            client_id: app.merchant_client_id.clone(),
            payment_request_id: format!("trade:{}:{out_trade_no}", app.app_id),
            token: new_secret(),
            amount: Amount::new(currency, fen),
            order_description: subject.to_string(),
            merchant_name,
            reference_order_id: Some(out_trade_no.to_string()),
            buyer_id,
            notify_url: None,
            redirect_url: None,
            status: PaymentStatus::Processing,
            fail_reason: None,
            method: None,
            resolve_at: None,
            created_at: now,
            expiry_at: now.saturating_add(secs.saturating_mul(1000)),
            payment_time: None,
            cancel_time: None,
            refunded_value: 0,
        },
        request_hash: crate::http::open_api::request_hash(&hashed),
        pay_response: response_text.clone(),
    };
    let trade = TradeRow {
        trade_no,
        app_id: app.app_id.clone(),
        out_trade_no: out_trade_no.to_string(),
        notify_url,
    };
    let created = app_trades::create(&state.store, &new, &trade, &response_text)?;
    state.settler.wake();
    match created {
        TradeCreated::Created => Ok(response),
        TradeCreated::Replay(stored, row) => match row.status {
            PaymentStatus::Success => Err(GatewayError::business(
                "ACQ.TRADE_HAS_SUCCESS",
                format!("out_trade_no {out_trade_no:?}: the trade {} is already paid", row.payment_id),
            )),
            PaymentStatus::Fail | PaymentStatus::Cancelled => Err(GatewayError::business(
                "ACQ.TRADE_HAS_CLOSE",
                format!("out_trade_no {out_trade_no:?}: the trade {} is closed", row.payment_id),
            )),
            PaymentStatus::Processing => match serde_json::from_str::<Value>(&stored) {
                Ok(Value::Object(m)) => Ok(m),
                _ => Err(GatewayError::unavailable()),
            },
        },
        TradeCreated::Inconsistent => Err(GatewayError::business(
            "ACQ.CONTEXT_INCONSISTENT",
            format!("out_trade_no {out_trade_no:?} was used before for this app_id with other trade details"),
        )),
    }
}

/// The trade `biz_content` names (`trade_no` wins over `out_trade_no`), if it is this app's,
/// as of now.
fn lookup(
    state: &State,
    params: &BTreeMap<String, String>,
    app: &MiniProgramRow,
) -> Result<(TradeRow, PaymentRow), GatewayError> {
    let biz = biz(params)?;
    let trade = match (
        text(&biz, "trade_no", 64)?,
        text(&biz, "out_trade_no", MAX_OUT_TRADE_NO)?,
    ) {
        (Some(no), _) => state.store.trade(no)?,
        (None, Some(out)) => state.store.trade_by_out_trade_no(&app.app_id, out)?,
        (None, None) => {
            return Err(GatewayError::parameter(
                "trade_no or out_trade_no: one of them is required",
            ))
        }
    };
    let not_found = || {
        GatewayError::business(
            "ACQ.TRADE_NOT_EXIST",
            "no trade of this app_id has that trade_no / out_trade_no",
        )
    };
    let trade = trade
        .filter(|t| t.app_id == app.app_id)
        .ok_or_else(not_found)?;
    let row = app_payments::payment(&state.store, &trade.trade_no, state.clock.now_ms())?
        .filter(|r| r.client_id == app.merchant_client_id)
        .ok_or_else(not_found)?;
    Ok((trade, row))
}

/// `alipay.trade.query`.
pub(super) fn query(
    state: &State,
    params: &BTreeMap<String, String>,
    app: &MiniProgramRow,
) -> Result<Map<String, Value>, GatewayError> {
    let (trade, row) = lookup(state, params, app)?;
    let mut m = success();
    m.insert("trade_no".into(), trade.trade_no.clone().into());
    m.insert("out_trade_no".into(), trade.out_trade_no.clone().into());
    m.insert("trade_status".into(), trade_status(row.status).into());
    m.insert(
        "total_amount".into(),
        format_yuan(row.amount.value()).into(),
    );
    let payer = state
        .store
        .payment_payer(&row.payment_id)?
        .or(row.buyer_id.clone());
    if let Some(user) = payer {
        m.insert(
            "buyer_open_id".into(),
            trade::open_id(&state.open_id_key, &app.app_id, &user).into(),
        );
        m.insert("buyer_user_id".into(), user.into());
    }
    if row.status == PaymentStatus::Success {
        m.insert(
            "buyer_pay_amount".into(),
            format_yuan(row.amount.value()).into(),
        );
        m.insert(
            "receipt_amount".into(),
            format_yuan(row.amount.value()).into(),
        );
        if let Some(at) = row.payment_time {
            m.insert("send_pay_date".into(), clock::format_gateway(at).into());
        }
    }
    Ok(m)
}

/// `alipay.trade.close`: an unpaid trade is closed (its payment CANCELLED); closing a closed
/// trade again answers as the first time; a paid one is `ACQ.TRADE_STATUS_ERROR`.
pub(super) fn close(
    state: &State,
    params: &BTreeMap<String, String>,
    app: &MiniProgramRow,
) -> Result<Map<String, Value>, GatewayError> {
    let (trade, _) = lookup(state, params, app)?;
    match app_payments::cancel(
        &state.store,
        &app.merchant_client_id,
        &trade.trade_no,
        state.clock.now_ms(),
    ) {
        Ok(_) => {}
        // Failed or expired: closed already, as a close would leave it.
        Err(TransitionError::Conflict(row)) if row.status == PaymentStatus::Fail => {}
        Err(e) => return Err(transition(e)),
    }
    let mut m = success();
    m.insert("trade_no".into(), trade.trade_no.into());
    m.insert("out_trade_no".into(), trade.out_trade_no.into());
    Ok(m)
}

/// `alipay.system.oauth.token`: `grant_type=authorization_code` with the `code` of
/// `my.getAuthCode` (issued for this app_id), or `refresh_token` with a `refresh_token`, →
/// `user_id`, `access_token`, `refresh_token`. A code is good once, as with `applyToken`; a code
/// of another app is invalid here.
pub(super) fn oauth_token(
    state: &State,
    params: &BTreeMap<String, String>,
    app: &MiniProgramRow,
) -> Result<Map<String, Value>, GatewayError> {
    let grant_type =
        param(params, "grant_type")?.ok_or_else(|| GatewayError::missing("grant_type"))?;
    let exchange = match grant_type {
        "authorization_code" => {
            let code = param(params, "code")?.ok_or_else(|| GatewayError::missing("code"))?;
            let issued_for = state.store.write(|tx| {
                crate::store::identity::code_credential(tx, code).map(|c| c.map(|c| c.app_id))
            })?;
            if issued_for.is_some_and(|a| a != app.app_id) {
                return Err(GatewayError::invalid(
                    "isv.code-invalid",
                    format!("code: issued to another app than {}", app.app_id),
                ));
            }
            Exchange::Code(code)
        }
        "refresh_token" => Exchange::Refresh(
            param(params, "refresh_token")?
                .ok_or_else(|| GatewayError::missing("refresh_token"))?,
        ),
        other => {
            return Err(GatewayError::invalid(
                "isv.grant-type-invalid",
                format!("grant_type {other:?}: authorization_code or refresh_token"),
            ))
        }
    };
    let now = state.clock.now_ms();
    let tokens = NewTokens {
        access_token: new_secret(),
        access_expires_at: now + identity::ACCESS_TTL_MS,
        refresh_token: new_secret(),
        refresh_expires_at: now + identity::REFRESH_TTL_MS,
    };
    let credential =
        redeem(state, exchange, &app.merchant_client_id, &tokens, now).map_err(|e| match e {
            RedeemError::Refused(why) => {
                let sub = match why {
                    AuthError::InvalidRefreshToken => "isv.refresh-token-invalid",
                    AuthError::ExpiredRefreshToken => "isv.refresh-token-time-out",
                    _ => "isv.code-invalid",
                };
                GatewayError::invalid(sub, why.to_string())
            }
            RedeemError::Store(e) => e.into(),
        })?;
    let mut m = success();
    m.insert(
        "open_id".into(),
        trade::open_id(&state.open_id_key, &app.app_id, &credential.user_id).into(),
    );
    m.insert("user_id".into(), credential.user_id.into());
    m.insert("access_token".into(), tokens.access_token.into());
    m.insert("expires_in".into(), (identity::ACCESS_TTL_MS / 1000).into());
    m.insert("refresh_token".into(), tokens.refresh_token.into());
    m.insert(
        "re_expires_in".into(),
        (identity::REFRESH_TTL_MS / 1000).into(),
    );
    m.insert("auth_start".into(), clock::format_gateway(now).into());
    Ok(m)
}
