//! JSON endpoints behind the cashier page (`/cashier/?paymentId=…&token=…`): load the payment,
//! confirm it with a method, or record that the user closed the cashier. Every call needs the
//! payment's token; a wrong token looks exactly like an unknown payment (404).

use axum::extract::{Path, Query, State as AxumState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::app::State;
use crate::domain::clock;
use crate::domain::payment::{confirm_outcome, forced_outcome, CashierMethod, PaymentStatus};
use crate::http::embedder::Embedders;
use crate::store::{PaymentRow, TransitionError};

/// A JSON error of the browser-facing endpoints: `{ error, message }` (+ `status`).
pub fn json_error(status: StatusCode, error: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({"error": error, "message": message.into()})),
    )
        .into_response()
}

/// An early answer of a browser-facing handler (boxed: a `Response` is large).
#[derive(Debug)]
pub struct Reject(Box<Response>);

impl From<Response> for Reject {
    fn from(r: Response) -> Self {
        Reject(Box::new(r))
    }
}

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        *self.0
    }
}

fn not_found() -> Response {
    json_error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "unknown payment or wrong token",
    )
}

/// A 500 for a storage failure, logged; the body says no more than `storage error`.
pub fn storage_error(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "storage error");
    json_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "STORAGE",
        "storage error",
    )
}

/// A 400 `BAD_REQUEST` saying what was wrong with the request.
pub fn bad_request(message: impl Into<String>) -> Response {
    json_error(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}

/// Compares tokens without an early exit.
pub(crate) fn token_matches(expected: &str, given: &str) -> bool {
    let (a, b) = (expected.as_bytes(), given.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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

fn load(state: &State, payment_id: &str, token: &str) -> Result<PaymentRow, Reject> {
    match state.store.payment(payment_id) {
        Ok(Some(p)) if token_matches(&p.token, token) => Ok(p),
        Ok(_) => Err(not_found().into()),
        Err(e) => Err(storage_error(e).into()),
    }
}

/// Refuses a named `embedder` that may not embed this payment's cashier (403).
fn check_embedder(state: &State, p: &PaymentRow, embedder: Option<&str>) -> Result<(), Reject> {
    Embedders::for_payment(state, p)
        .map_err(storage_error)?
        .check(embedder)
}

/// A cashier call's body and the payment it names, when the body's `token` is the payment's
/// and its `embedder` (if named) may embed the cashier.
fn body_and_payment(
    state: &State,
    payment_id: &str,
    body: &[u8],
) -> Result<(Map<String, Value>, PaymentRow), Reject> {
    let body = body_object(body)?;
    let p = load(
        state,
        payment_id,
        str_field(&body, "token").unwrap_or_default(),
    )?;
    let embedder = match body.get("embedder") {
        None | Some(Value::Null) => None,
        Some(Value::String(e)) => Some(e.as_str()),
        Some(_) => {
            return Err(bad_request("embedder: a string, the embedding page's origin").into())
        }
    };
    check_embedder(state, &p, embedder)?;
    Ok((body, p))
}

/// `?token=&embedder=`.
#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
    embedder: Option<String>,
}

/// `GET /cashier/api/payments/{paymentId}?token=…[&embedder=…]`
pub async fn get_payment(
    AxumState(state): AxumState<State>,
    Path(payment_id): Path<String>,
    Query(q): Query<TokenQuery>,
) -> Response {
    let loaded = load(&state, &payment_id, q.token.as_deref().unwrap_or_default())
        .and_then(|p| check_embedder(&state, &p, q.embedder.as_deref()).map(|()| p));
    match loaded {
        Ok(p) => {
            let mut view = cashier_view(&p);
            if let Err(e) = crate::http::identity::add_payer(&state, &p, &mut view) {
                return storage_error(e);
            }
            Json(view).into_response()
        }
        Err(r) => r.into_response(),
    }
}

/// A JSON request body that must be an object (else a 400).
pub fn body_object(body: &[u8]) -> Result<Map<String, Value>, Reject> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(bad_request("body must be a JSON object").into()),
    }
}

/// A string field of a request body (None when missing or not a string).
pub fn str_field<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
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
) -> Response {
    let (body, p) = match body_and_payment(&state, &payment_id, &body) {
        Ok(found) => found,
        Err(r) => return r.into_response(),
    };
    let Some(method) = str_field(&body, "method").and_then(|m| m.parse::<CashierMethod>().ok())
    else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "BAD_METHOD",
            "method must be BALANCE, DECLINED_CARD or BANK_TRANSFER",
        );
    };
    let outcome = confirm_outcome(p.amount.value(), method);
    // Balance pays as a sandbox user (debit or INSUFFICIENT_BALANCE); magic amounts still win.
    let by_balance = (method == CashierMethod::Balance
        && forced_outcome(p.amount.value()).is_none())
    .then(|| crate::http::identity::confirm_by_balance(&state, &p))
    .flatten();
    let result = by_balance.unwrap_or_else(|| {
        state.store.confirm(
            &payment_id,
            method.as_str(),
            &outcome,
            state.config.pending_delay_ms(),
            false,
        )
    });
    state.dispatcher.wake();
    state.settler.wake();
    tracing::info!(payment_id = %payment_id, method = method.as_str(), ok = result.is_ok(), "cashier confirm");
    match result {
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
        Err(e) => storage_error(e),
    }
}

/// `POST /cashier/api/payments/{paymentId}/cancel {token}` → `{status}`: the user closed the
/// cashier. Logged; the payment stays PROCESSING (only the merchant's cancel cancels it).
pub async fn cancel(
    AxumState(state): AxumState<State>,
    Path(payment_id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = body_and_payment(&state, &payment_id, &body) {
        return r.into_response();
    }
    match state.store.cashier_closed(&payment_id) {
        Ok(p) => {
            Json(json!({"status": p.status.as_str(), "failReason": p.fail_reason})).into_response()
        }
        Err(TransitionError::NotFound) => not_found(),
        Err(e) => storage_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_exactly() {
        assert!(token_matches("abc", "abc"));
        assert!(!token_matches("abc", "abd"));
        assert!(!token_matches("abc", "ab"));
        assert!(!token_matches("abc", ""));
    }
}
