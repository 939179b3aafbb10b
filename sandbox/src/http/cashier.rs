//! JSON endpoints behind the cashier page (`/cashier/?paymentId=…&token=…`): load the payment,
//! confirm it with a method, or record that the user closed the cashier. Every call needs the
//! payment's token; a wrong token looks exactly like an unknown payment (404).

use axum::extract::{Path, Query, State as AxumState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::identity::payer;
use crate::app::payments;
use crate::app::State;
use crate::domain::clock;
use crate::domain::identity;
use crate::domain::ids::secrets_match;
use crate::domain::payment::{CashierMethod, PaymentStatus};
use crate::http::embedder::Embedders;
use crate::http::error::{json_error, HttpError, Result};
use crate::http::json::{typed_body, Embedder, Text};
use crate::store::{PaymentRow, StoreError, TransitionError};

fn not_found() -> Response {
    json_error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "unknown payment or wrong token",
    )
}

/// The cashier's view of a payment.
pub fn cashier_view(p: &PaymentRow) -> Value {
    json!({
        "paymentId": p.payment_id,
        "merchantName": p.merchant_name,
        "amount": p.amount.to_json(),
        "amountDisplay": p.amount.display(),
        "orderDescription": p.order_description,
        "expiryTime": clock::format_api(p.expiry_at),
        "status": p.status.as_str(),
        "failReason": p.fail_reason,
        "method": p.method,
        "pending": p.status == PaymentStatus::Processing && p.method.is_some(),
        "buyer": p.buyer_id.as_ref().map(|b| json!({"referenceBuyerId": b})),
        "paymentRedirectUrl": p.redirect_url,
    })
}

fn load(state: &State, payment_id: &str, token: &str) -> Result<PaymentRow, HttpError> {
    match payments::payment(&state.store, payment_id, state.clock.now_ms()) {
        Ok(Some(p)) if secrets_match(&p.token, token) => Ok(p),
        Ok(_) => Err(not_found().into()),
        Err(e) => Err(e.into()),
    }
}

/// Refuses a named `embedder` that may not embed this payment's cashier (403).
fn check_embedder(state: &State, p: &PaymentRow, embedder: Option<&str>) -> Result<(), HttpError> {
    Embedders::for_payment(state, p)?.check(embedder)
}

/// A cashier call's body and the payment it names, when the body's `token` is the payment's
/// and its `embedder` (if named) may embed the cashier.
fn body_and_payment(
    state: &State,
    payment_id: &str,
    body: &[u8],
) -> Result<(CashierBody, PaymentRow), HttpError> {
    let body: CashierBody = typed_body(body)?;
    let p = load(state, payment_id, body.token.as_deref().unwrap_or_default())?;
    check_embedder(state, &p, body.embedder.origin()?)?;
    Ok((body, p))
}

/// The body of the cashier's calls: `{token, embedder?}`, and `method` for a confirmation.
#[derive(Debug, Deserialize)]
struct CashierBody {
    #[serde(default)]
    token: Text,
    #[serde(default)]
    embedder: Embedder,
    #[serde(default)]
    method: Text,
}

/// `?token=&embedder=`.
#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
    embedder: Option<String>,
}

/// Adds `payer { userId, nickName, avatar, balance, source }` and `buyer { userId, nickName }`
/// to the cashier's view of a payment (`source`: `buyer`, `signedIn` or `paid`).
pub fn add_payer(state: &State, p: &PaymentRow, view: &mut Value) -> Result<(), StoreError> {
    let Some((u, source)) = payer(state, p)? else {
        return Ok(());
    };
    let currency = p.amount.currency().code();
    let value = u.balances.get(currency).copied().unwrap_or(0);
    view["payer"] = json!({
        "userId": u.user_id,
        "nickName": u.nick_name,
        "avatar": identity::avatar_url(&u, &state.public_base),
        "balance": {"currency": currency, "value": value.to_string()},
        "source": source.as_str(),
    });
    let mut buyer = json!({"userId": u.user_id, "customerId": u.user_id, "nickName": u.nick_name});
    if let Some(id) = &p.buyer_id {
        buyer["referenceBuyerId"] = json!(id);
    }
    view["buyer"] = buyer;
    Ok(())
}

/// `GET /cashier/api/payments/{paymentId}?token=…[&embedder=…]`
pub async fn get_payment(
    AxumState(state): AxumState<State>,
    Path(payment_id): Path<String>,
    Query(q): Query<TokenQuery>,
) -> Result {
    let p = load(&state, &payment_id, q.token.as_deref().unwrap_or_default())?;
    check_embedder(&state, &p, q.embedder.as_deref())?;
    let mut view = cashier_view(&p);
    add_payer(&state, &p, &mut view)?;
    Ok(Json(view).into_response())
}

fn conflict(p: &PaymentRow, error: &str, message: String) -> Response {
    (
        StatusCode::CONFLICT,
        Json(json!({
            "error": error,
            "message": message,
            "status": p.status.as_str(),
            "failReason": p.fail_reason,
            "pending": p.status == PaymentStatus::Processing && p.method.is_some(),
        })),
    )
        .into_response()
}

/// `POST /cashier/api/payments/{paymentId}/confirm {token, method}` → `{status, failReason, pending}`.
pub async fn confirm(
    AxumState(state): AxumState<State>,
    Path(payment_id): Path<String>,
    body: axum::body::Bytes,
) -> Result {
    let (body, p) = body_and_payment(&state, &payment_id, &body)?;
    let Some(method) = body
        .method
        .as_deref()
        .and_then(|m| m.parse::<CashierMethod>().ok())
    else {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "BAD_METHOD",
            "method must be BALANCE, DECLINED_CARD or BANK_TRANSFER",
        ));
    };
    // Balance pays as a sandbox user (debit or INSUFFICIENT_BALANCE); magic amounts still win.
    let result = payments::cashier_confirm(&state, &p, method);
    state.dispatcher.wake();
    state.settler.wake();
    tracing::info!(payment_id = %payment_id, method = method.as_str(), ok = result.is_ok(), "cashier confirm");
    Ok(match result {
        Ok(p) => Json(json!({
            "status": p.status.as_str(),
            "failReason": p.fail_reason,
            "pending": p.status == PaymentStatus::Processing,
        }))
        .into_response(),
        Err(TransitionError::Conflict(p)) => {
            let (error, message) = if p.status.is_final() {
                ("ALREADY_FINAL", format!("payment is already {}", p.status))
            } else {
                (
                    "ALREADY_CONFIRMED",
                    "payment is already confirmed and pending".to_string(),
                )
            };
            conflict(&p, error, message)
        }
        Err(TransitionError::NotFound) => not_found(),
        Err(TransitionError::Balance(e)) => json_error(
            StatusCode::CONFLICT,
            "BALANCE_UNAVAILABLE",
            format!("{e}; nothing was debited"),
        ),
        Err(e @ TransitionError::NotTheBuyer { .. }) => json_error(
            StatusCode::CONFLICT,
            "NOT_THE_BUYER",
            format!("{e}; nothing was debited"),
        ),
        Err(e) => return Err(e.into()),
    })
}

/// `POST /cashier/api/payments/{paymentId}/cancel {token}` → `{status}`: the user closed the
/// cashier. Logged; the payment stays PROCESSING (only the merchant's cancel cancels it).
pub async fn cancel(
    AxumState(state): AxumState<State>,
    Path(payment_id): Path<String>,
    body: axum::body::Bytes,
) -> Result {
    body_and_payment(&state, &payment_id, &body)?;
    match payments::cashier_closed(&state.store, &payment_id, state.clock.now_ms()) {
        Ok(p) => Ok(
            Json(json!({"status": p.status.as_str(), "failReason": p.fail_reason})).into_response(),
        ),
        Err(TransitionError::NotFound) => Ok(not_found()),
        Err(e) => Err(e.into()),
    }
}

/// The body of [`trade_payment_url`]: `{appId}`.
#[derive(Debug, Deserialize)]
struct TradeBody {
    #[serde(default, rename = "appId")]
    app_id: Text,
}

/// `POST /cashier/api/trades/{tradeNo} {appId}`: the paymentUrl of a gateway trade
/// (`alipay.trade.create`), asked by the simulator's shell for `my.tradePay({ tradeNO })` with
/// the appId *it* launched (docs/protocol.md §4). Only a trade created for that app: another
/// app's trade answers exactly as an unknown one (404), so a mini program can neither open nor
/// learn of another app's trades. A trade created for a buyer opens only while that buyer is
/// the signed-in user (409 `NOT_THE_BUYER` otherwise). Super app origin only, as every cashier
/// call.
pub async fn trade_payment_url(
    AxumState(state): AxumState<State>,
    Path(trade_no): Path<String>,
    body: axum::body::Bytes,
) -> Result {
    let body: TradeBody = typed_body(&body)?;
    let app_id = body
        .app_id
        .as_deref()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| HttpError::bad_request("appId: the launched mini program's appId"))?;
    let unknown = || {
        HttpError::new(
            StatusCode::NOT_FOUND,
            "TRADE_NOT_EXIST",
            format!(
                "tradeNO {}: no trade of app {} has it (alipay.trade.create with this app_id makes one)",
                crate::http::perimeter::shorten(&trade_no),
                crate::http::perimeter::shorten(app_id)
            ),
        )
    };
    let trade = state
        .store
        .trade(&trade_no)?
        .filter(|t| t.app_id == app_id)
        .ok_or_else(unknown)?;
    let p = payments::payment(&state.store, &trade.trade_no, state.clock.now_ms())?
        .ok_or_else(unknown)?;
    // Created for a buyer: only that buyer's cashier opens (the confirm checks it again).
    if let Some(buyer) = crate::app::identity::trade_buyer(&state, &p)? {
        let signed_in = crate::app::identity::session_user(&state)?
            .map(|u| u.user_id)
            .unwrap_or_default();
        if signed_in != buyer {
            return Err(HttpError::new(
                StatusCode::CONFLICT,
                "NOT_THE_BUYER",
                crate::store::TransitionError::NotTheBuyer { buyer, signed_in }.to_string(),
            ));
        }
    }
    let url = format!(
        "{}/cashier/?paymentId={}&token={}",
        state.public_base, p.payment_id, p.token
    );
    Ok(Json(json!({"paymentUrl": url, "paymentId": p.payment_id})).into_response())
}
