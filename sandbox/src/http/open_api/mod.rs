//! The signed open API: `/v1/payments/{pay,inquiryPayment,cancel,refund,inquiryRefund}` (docs/protocol.md §5),
//! also under the SDKs' prefixes `/ams/api`, `/ams/sandbox/api` and `/aps/api` ([`PATH_PREFIXES`]).
//!
//! Every call: the HTTP contract (`POST`, no query string: the signature covers neither), then
//! authenticate (`Client-Id` known → `ACCESS_DENIED`; `Signature` verifies →
//! `INVALID_SIGNATURE`), parse the body (→ `PARAM_ILLEGAL` naming the field), act, and answer
//! HTTP 200 with a `result` body signed with the wallet key. An answer to a caller that did not
//! authenticate is *unsigned* (no `Signature`, no `Client-Id` echoed): there is nobody to sign
//! for, and signing is the expensive part of an answer, so a flood of unauthenticated calls costs
//! the sandbox no RSA signature. One log line per call.
//!
//! [`envelope`]: authentication, answers; [`bodies`]: the typed request bodies and their
//! rules; [`payments`] and [`identity`]: the calls.

mod bodies;
mod envelope;
mod identity;
mod payments;

pub use bodies::{
    ApplyTokenBody, BuyerBody, MerchantBody, OrderBody, PayBody, PaymentLookupBody, RefundBody,
    RefundLookupBody, UserInfoBody,
};
pub use envelope::{
    authenticate, request_hash, ApiError, Caller, MAX_BODY, MAX_CLIENT_ID, MAX_REQUEST_ID,
};
pub use payments::{check_pay, parse_pay, PayRequest};

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Map, Value};

use crate::app::State;
use envelope::{header, parse_object, result_code, signed_response, unsigned_response};
use payments::{cancel, inquiry, inquiry_refund, pay, refund};

/// The endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/v1/payments/pay`
    Pay,
    /// `/v1/payments/inquiryPayment`
    Inquiry,
    /// `/v1/payments/cancel` (Alipay+: `/v1/payments/cancelPayment`)
    Cancel,
    /// `/v1/payments/refund`
    Refund,
    /// `/v1/authorizations/applyToken` ([`crate::http::identity`])
    ApplyToken,
    /// `/v1/users/inquiryUserInfo` ([`crate::http::identity`])
    InquiryUserInfo,
    /// `/v1/payments/inquiryRefund`
    InquiryRefund,
}

/// The path prefixes the official merchant SDKs put before `/v1/...`: Antom's
/// (`/ams/api`, and `/ams/sandbox/api` for a `SANDBOX_` client id) and Alipay+'s (`/aps/api`).
/// Every spelling reaches the same handler; the signature covers the path as sent.
pub const PATH_PREFIXES: [&str; 4] = ["", "/ams/api", "/ams/sandbox/api", "/aps/api"];

impl Endpoint {
    /// From a request path.
    pub fn from_path(path: &str) -> Option<Endpoint> {
        let v1 = PATH_PREFIXES
            .iter()
            .filter_map(|prefix| path.strip_prefix(prefix))
            .find(|rest| rest.starts_with("/v1/"))?;
        match v1 {
            "/v1/payments/pay" => Some(Endpoint::Pay),
            "/v1/payments/inquiryPayment" => Some(Endpoint::Inquiry),
            // Antom says `cancel`, Alipay+ `cancelPayment`.
            "/v1/payments/cancel" | "/v1/payments/cancelPayment" => Some(Endpoint::Cancel),
            "/v1/payments/refund" => Some(Endpoint::Refund),
            "/v1/authorizations/applyToken" => Some(Endpoint::ApplyToken),
            "/v1/users/inquiryUserInfo" => Some(Endpoint::InquiryUserInfo),
            "/v1/payments/inquiryRefund" => Some(Endpoint::InquiryRefund),
            _ => None,
        }
    }
}

/// How an answer goes out.
enum Answer {
    /// To an authenticated caller: HTTP 200, signed for its client id.
    Signed(String, String),
    /// To a caller that did not authenticate: this status, no signature.
    Unsigned(StatusCode, ApiError),
}

/// Handler of every `/v1/*` path.
pub async fn open_api(
    AxumState(state): AxumState<State>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let path = uri.path().to_string();
    let answer = answer(&state, &method, &uri, &headers, &body).await;
    let (code, client) = match &answer {
        Answer::Signed(body, client_id) => (result_code(body), client_id.clone()),
        Answer::Unsigned(_, e) => (
            format!("{}/{}", e.status, e.code),
            crate::http::perimeter::shorten(header(&headers, "client-id").unwrap_or_default()),
        ),
    };
    tracing::info!(
        method = %method,
        path = %path,
        client_id = %client,
        result = %code,
        signed = matches!(answer, Answer::Signed(..)),
        duration_ms = started.elapsed().as_millis() as u64,
        "open API call"
    );
    match answer {
        Answer::Signed(body, client_id) => signed_response(&state, &path, &client_id, body),
        Answer::Unsigned(status, e) => unsigned_response(&state, status, &e),
    }
}

async fn answer(
    state: &State,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Answer {
    let path = uri.path();
    let Some(endpoint) = Endpoint::from_path(path) else {
        let e = ApiError::f(
            "INVALID_API",
            format!(
                "{} is not an API of this sandbox",
                crate::http::perimeter::shorten(path)
            ),
        );
        // Signed when the caller proves who it is, so its SDK can read the answer.
        return match authenticate(state, path, headers, body) {
            Ok(caller) if method == Method::POST => {
                Answer::Signed(e.body().to_string(), caller.client_id)
            }
            _ => Answer::Unsigned(StatusCode::OK, e),
        };
    };
    if method != Method::POST {
        return Answer::Unsigned(
            StatusCode::METHOD_NOT_ALLOWED,
            ApiError::f(
                "METHOD_NOT_SUPPORTED",
                format!("{method} {path}: the open API accepts only POST"),
            ),
        );
    }
    if let Some(query) = uri.query() {
        return Answer::Unsigned(
            StatusCode::BAD_REQUEST,
            ApiError::param(format!(
                "{path}?{}: the open API takes no query string (the signature covers only the path and the body); send every parameter in the JSON body",
                crate::http::perimeter::shorten(query)
            )),
        );
    }
    let caller = match authenticate(state, path, headers, body) {
        Ok(caller) => caller,
        Err(e) => return Answer::Unsigned(StatusCode::OK, e),
    };
    let outcome = match parse_object(body) {
        Err(e) => Err(e),
        Ok(json) => dispatch(state, endpoint, &caller, &json).await,
    };
    let body = match outcome {
        Ok(body) => body,
        Err(e) => e.body().to_string(),
    };
    Answer::Signed(body, caller.client_id)
}

async fn dispatch(
    state: &State,
    endpoint: Endpoint,
    caller: &Caller,
    json: &Map<String, Value>,
) -> Result<String, ApiError> {
    match endpoint {
        Endpoint::Pay => pay(state, caller, json).await,
        Endpoint::Inquiry => inquiry(state, caller, json),
        Endpoint::Cancel => cancel(state, caller, json),
        Endpoint::Refund => refund(state, caller, json),
        Endpoint::InquiryRefund => inquiry_refund(state, caller, json),
        Endpoint::ApplyToken => identity::apply_token(state, caller, json),
        Endpoint::InquiryUserInfo => identity::inquiry_user_info(state, caller, json),
    }
}
