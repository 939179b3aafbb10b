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

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::app::State;
use crate::domain::amount::{Amount, AmountError};
use crate::domain::clock;
use crate::domain::ids::{new_payment_id, new_secret};
use crate::domain::payment::{pay_behaviour, PayBehaviour, PaymentStatus};
use crate::store::{Idempotent, NewPayment, PaymentRow, TransitionError};

/// Longest `paymentRequestId` / `refundRequestId`.
pub const MAX_REQUEST_ID: usize = 64;
/// Largest open API request body.
pub const MAX_BODY: usize = 256 * 1024;
/// Longest `Client-Id` looked up.
pub const MAX_CLIENT_ID: usize = 128;

/// A business answer that is not success: `result { resultCode, resultStatus, resultMessage }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// e.g. `PARAM_ILLEGAL`.
    pub code: &'static str,
    /// `F` or `U`.
    pub status: &'static str,
    /// Human message (names the field for `PARAM_ILLEGAL`).
    pub message: String,
}

impl ApiError {
    fn f(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            status: "F",
            message: message.into(),
        }
    }
    /// `PARAM_ILLEGAL` (F).
    pub fn param(message: impl Into<String>) -> ApiError {
        ApiError::f("PARAM_ILLEGAL", message)
    }
    /// `ACCESS_DENIED` (F).
    pub fn access_denied(message: impl Into<String>) -> ApiError {
        ApiError::f("ACCESS_DENIED", message)
    }
    /// `INVALID_SIGNATURE` (F).
    pub fn invalid_signature(message: impl Into<String>) -> ApiError {
        ApiError::f("INVALID_SIGNATURE", message)
    }
    /// `UNKNOWN_EXCEPTION` (U): retry.
    pub fn unknown(message: impl Into<String>) -> ApiError {
        ApiError {
            code: "UNKNOWN_EXCEPTION",
            status: "U",
            message: message.into(),
        }
    }
    fn body(&self) -> Value {
        json!({"result": {"resultCode": self.code, "resultStatus": self.status, "resultMessage": self.message}})
    }
}

impl From<AmountError> for ApiError {
    fn from(e: AmountError) -> Self {
        ApiError::param(e.to_string())
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        tracing::error!(error = %e, "storage error");
        ApiError::unknown("storage error, retry")
    }
}

fn result(code: &str, status: &str, message: &str) -> Value {
    json!({"resultCode": code, "resultStatus": status, "resultMessage": message})
}

/// The endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/v1/payments/pay`
    Pay,
    /// `/v1/payments/inquiryPayment`
    Inquiry,
    /// `/v1/payments/cancel`
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
            "/v1/payments/cancel" => Some(Endpoint::Cancel),
            "/v1/payments/refund" => Some(Endpoint::Refund),
            "/v1/authorizations/applyToken" => Some(Endpoint::ApplyToken),
            "/v1/users/inquiryUserInfo" => Some(Endpoint::InquiryUserInfo),
            "/v1/payments/inquiryRefund" => Some(Endpoint::InquiryRefund),
            _ => None,
        }
    }
}

/// Who called, once authenticated.
#[derive(Debug, Clone)]
pub struct Caller {
    /// `Client-Id`.
    pub client_id: String,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Checks `Client-Id`, `Request-Time` and `Signature` over `POST <path>\n…`.
pub fn authenticate(
    state: &State,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Caller, ApiError> {
    let client_id = header(headers, "client-id")
        .ok_or_else(|| ApiError::access_denied("Client-Id header is missing"))?;
    if client_id.len() > MAX_CLIENT_ID {
        return Err(ApiError::access_denied(format!(
            "Client-Id is {} bytes; a client id has at most {MAX_CLIENT_ID}",
            client_id.len()
        )));
    }
    let key = state
        .merchant_key(client_id)?
        .ok_or_else(|| ApiError::access_denied(format!("unknown Client-Id {client_id:?}")))?;
    let signature = header(headers, "signature")
        .ok_or_else(|| ApiError::invalid_signature("Signature header is missing"))?;
    let time = header(headers, "request-time")
        .ok_or_else(|| ApiError::param("Request-Time header is missing"))?;
    if clock::parse(time).is_none() {
        return Err(ApiError::param(format!(
            "Request-Time header {time:?} is not an ISO 8601 time with an offset, e.g. 2026-01-01T08:00:00+08:00"
        )));
    }
    key.verify_header(signature, path, client_id, time, body)
        .map_err(|e| {
            ApiError::invalid_signature(format!(
                "{e}; the signed content is \"POST {path}\\n<Client-Id>.<Request-Time>.<body>\""
            ))
        })?;
    Ok(Caller {
        client_id: client_id.to_string(),
    })
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
        Answer::Unsigned(status, e) => unsigned_response(status, &e),
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
        Ok(json) => dispatch(state, endpoint, &caller, &json, body).await,
    };
    let body = match outcome {
        Ok(body) => body,
        Err(e) => e.body().to_string(),
    };
    Answer::Signed(body, caller.client_id)
}

fn result_code(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| {
            let r = v.get("result")?;
            Some(format!(
                "{}/{}",
                r.get("resultStatus")?.as_str()?,
                r.get("resultCode")?.as_str()?
            ))
        })
        .unwrap_or_default()
}

/// An answer to a caller that did not authenticate: the `result`, `Response-Time`, nothing
/// signed and nothing from the request echoed in a header.
fn unsigned_response(status: StatusCode, e: &ApiError) -> Response {
    let mut resp = (status, e.body().to_string()).into_response();
    let h = resp.headers_mut();
    h.insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&clock::format_api(clock::now_ms())) {
        h.insert("response-time", v);
    }
    if status == StatusCode::METHOD_NOT_ALLOWED {
        h.insert(header::ALLOW, HeaderValue::from_static("POST"));
    }
    resp
}

/// HTTP 200 with `Client-Id`, `Response-Time` and the wallet's `Signature` over the body.
fn signed_response(state: &State, path: &str, client_id: &str, body: String) -> Response {
    let time = clock::format_api(clock::now_ms());
    let signature = state
        .wallet
        .signature_header(path, client_id, &time, body.as_bytes())
        .unwrap_or_default();
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    if let Ok(v) = HeaderValue::from_str(client_id) {
        h.insert("client-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&time) {
        h.insert("response-time", v);
    }
    if let Ok(v) = HeaderValue::from_str(&signature) {
        h.insert("signature", v);
    }
    resp
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::param("request body must be a JSON object")),
        Err(e) => Err(ApiError::param(format!(
            "request body is not valid JSON: {e}"
        ))),
    }
}

async fn dispatch(
    state: &State,
    endpoint: Endpoint,
    caller: &Caller,
    json: &Map<String, Value>,
    raw: &[u8],
) -> Result<String, ApiError> {
    match endpoint {
        Endpoint::Pay => pay(state, caller, json).await,
        Endpoint::Inquiry => inquiry(state, caller, json),
        Endpoint::Cancel => cancel(state, caller, json),
        Endpoint::Refund => refund(state, caller, json, raw),
        Endpoint::InquiryRefund => inquiry_refund(state, caller, json),
        Endpoint::ApplyToken => crate::http::identity::apply_token(state, caller, json),
        Endpoint::InquiryUserInfo => crate::http::identity::inquiry_user_info(state, caller, json),
    }
}

// ---- field helpers -------------------------------------------------------------------------

/// An optional id field: absent, null or `""` → None (clients that serialise every field of
/// a struct send `""` for the id they do not know), non-string → error.
pub fn opt_id<'a>(json: &'a Map<String, Value>, path: &str) -> Result<Option<&'a str>, ApiError> {
    Ok(opt_str(json, path)?.filter(|s| !s.is_empty()))
}

/// An optional string field at `path` (`a.b.c`): absent/null → None, non-string → error.
fn opt_str<'a>(json: &'a Map<String, Value>, path: &str) -> Result<Option<&'a str>, ApiError> {
    let mut parts = path.split('.').peekable();
    let mut current = json;
    while let Some(part) = parts.next() {
        match current.get(part) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) if parts.peek().is_none() => return Ok(Some(s)),
            Some(Value::Object(o)) if parts.peek().is_some() => current = o,
            Some(_) if parts.peek().is_none() => {
                return Err(ApiError::param(format!("{path}: must be a string")))
            }
            Some(_) => {
                let prefix: Vec<&str> = path.split('.').take_while(|p| *p != part).collect();
                let at = if prefix.is_empty() {
                    part.to_string()
                } else {
                    format!("{}.{part}", prefix.join("."))
                };
                return Err(ApiError::param(format!("{at}: must be an object")));
            }
        }
    }
    Ok(None)
}

fn req_str<'a>(json: &'a Map<String, Value>, path: &str, max: usize) -> Result<&'a str, ApiError> {
    let s = opt_str(json, path)?.ok_or_else(|| ApiError::param(format!("{path}: is required")))?;
    check_len(s, path, max)?;
    if s.trim().is_empty() {
        return Err(ApiError::param(format!("{path}: must not be empty")));
    }
    Ok(s)
}

fn check_len(s: &str, path: &str, max: usize) -> Result<(), ApiError> {
    if s.chars().count() > max {
        return Err(ApiError::param(format!(
            "{path}: longer than {max} characters"
        )));
    }
    Ok(())
}

fn opt_object<'a>(
    json: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a Map<String, Value>>, ApiError> {
    match json.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(ApiError::param(format!("{key}: must be an object"))),
    }
}

fn opt_url(json: &Map<String, Value>, path: &str) -> Result<Option<String>, ApiError> {
    let Some(s) = opt_str(json, path)? else {
        return Ok(None);
    };
    check_len(s, path, 2048)?;
    match reqwest::Url::parse(s) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host_str().is_some() => {
            Ok(Some(s.to_string()))
        }
        _ => Err(ApiError::param(format!(
            "{path}: must be an absolute http(s) URL, got {s:?}"
        ))),
    }
}

/// SHA-256 of the body's canonical JSON (keys sorted, no spaces): equal bodies written
/// differently are the same request.
pub fn request_hash(json: &Map<String, Value>) -> String {
    fn canonical(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String((*k).clone()).to_string());
                    out.push(':');
                    canonical(&m[*k], out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    canonical(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut s = String::new();
    canonical(&Value::Object(json.clone()), &mut s);
    let digest = Sha256::digest(s.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

// ---- pay -----------------------------------------------------------------------------------

/// A validated `pay` request.
#[derive(Debug, Clone)]
pub struct PayRequest {
    /// `productCode`.
    pub product_code: String,
    /// `paymentRequestId`.
    pub payment_request_id: String,
    /// `paymentAmount`.
    pub amount: Amount,
    /// `order.orderDescription`.
    pub order_description: String,
    /// `order.referenceOrderId`.
    pub reference_order_id: Option<String>,
    /// `order.merchant.merchantName`.
    pub merchant_name: Option<String>,
    /// `order.buyer.referenceBuyerId`.
    pub buyer_id: Option<String>,
    /// `paymentExpiryTime` (ms).
    pub expiry_at: Option<i64>,
    /// `paymentNotifyUrl`.
    pub notify_url: Option<String>,
    /// `paymentRedirectUrl`.
    pub redirect_url: Option<String>,
}

/// Validates a `pay` body; the error names the field. `now` decides whether an expiry is past.
pub fn parse_pay(json: &Map<String, Value>, now: i64) -> Result<PayRequest, ApiError> {
    let product_code = req_str(json, "productCode", 64)?.to_string();
    let payment_request_id = req_str(json, "paymentRequestId", MAX_REQUEST_ID)?.to_string();
    let amount = Amount::parse(json.get("paymentAmount"), "paymentAmount")?;
    let order = opt_object(json, "order")?.ok_or_else(|| ApiError::param("order: is required"))?;
    let order_description = req_str(json, "order.orderDescription", 256)?.to_string();
    if let Some(order_amount) = order.get("orderAmount").filter(|v| !v.is_null()) {
        Amount::parse(Some(order_amount), "order.orderAmount")?;
    }
    let reference_order_id = opt_id(json, "order.referenceOrderId")?.map(str::to_string);
    if let Some(r) = &reference_order_id {
        check_len(r, "order.referenceOrderId", 64)?;
    }
    let merchant_name = opt_str(json, "order.merchant.merchantName")?.map(str::to_string);
    opt_id(json, "order.merchant.referenceMerchantId")?;
    let buyer_id = opt_id(json, "order.buyer.referenceBuyerId")?.map(str::to_string);
    let expiry_at = match opt_str(json, "paymentExpiryTime")? {
        None => None,
        Some(t) => {
            let at = clock::parse(t).ok_or_else(|| {
                ApiError::param(format!(
                    "paymentExpiryTime: {t:?} is not an ISO 8601 time with an offset"
                ))
            })?;
            if at <= now {
                return Err(ApiError::param(format!(
                    "paymentExpiryTime: {t} is in the past"
                )));
            }
            Some(at)
        }
    };
    let notify_url = opt_url(json, "paymentNotifyUrl")?;
    let redirect_url = opt_url(json, "paymentRedirectUrl")?;
    Ok(PayRequest {
        product_code,
        payment_request_id,
        amount,
        order_description,
        reference_order_id,
        merchant_name,
        buyer_id,
        expiry_at,
        notify_url,
        redirect_url,
    })
}

async fn pay(
    state: &State,
    caller: &Caller,
    json: &Map<String, Value>,
) -> Result<String, ApiError> {
    let now = clock::now_ms();
    let req = parse_pay(json, now)?;
    let buyer_id = crate::http::identity::buyer_of(state, json)?;
    let merchant_name = match &req.merchant_name {
        Some(n) if !n.trim().is_empty() => n.clone(),
        _ => state
            .store
            .merchant(&caller.client_id)?
            .map(|m| m.name)
            .unwrap_or_else(|| caller.client_id.clone()),
    };
    let payment_id = new_payment_id(now);
    let token = new_secret();
    let payment_url = format!(
        "{}/cashier/?paymentId={}&token={}",
        state.public_base, payment_id, token
    );
    let response = json!({
        "result": result("ACCEPT", "A", "accept"),
        "paymentId": payment_id,
        "paymentRequestId": req.payment_request_id,
        "paymentAmount": req.amount.to_json(),
        "paymentCreateTime": clock::format_api(now),
        "redirectActionForm": {
            "method": "GET",
            "redirectUrl": payment_url,
            "redirectionUrl": payment_url,
            "normalUrl": payment_url,
        },
    })
    .to_string();
    let expiry_at = req.expiry_at.unwrap_or_else(|| {
        let secs = i64::try_from(state.config.default_expiry).unwrap_or(i64::MAX / 2000);
        now.saturating_add(secs.saturating_mul(1000))
    });
    let new = NewPayment {
        row: PaymentRow {
            payment_id: payment_id.clone(),
            client_id: caller.client_id.clone(),
            payment_request_id: req.payment_request_id.clone(),
            token,
            amount: req.amount,
            order_description: req.order_description.clone(),
            merchant_name,
            reference_order_id: req.reference_order_id.clone(),
            buyer_id,
            notify_url: req.notify_url.clone(),
            redirect_url: req.redirect_url.clone(),
            status: PaymentStatus::Processing,
            fail_reason: None,
            method: None,
            resolve_at: None,
            created_at: now,
            expiry_at,
            payment_time: None,
            cancel_time: None,
            refunded_value: 0,
        },
        request_hash: request_hash(json),
        pay_response: response.clone(),
    };
    let store = state.store.clone();
    let created = store.create_payment(&new)?;
    state.settler.wake();
    match created {
        Idempotent::Replay(stored) => Ok(stored),
        Idempotent::Inconsistent => Err(ApiError::f(
            "REPEAT_REQ_INCONSISTENT",
            format!(
                "paymentRequestId {:?} was used before with a different request body",
                req.payment_request_id
            ),
        )),
        Idempotent::Created(()) => match pay_behaviour(req.amount.value()) {
            PayBehaviour::Normal => Ok(response),
            PayBehaviour::Unknown => Err(ApiError::unknown(
                "magic amount 6004: the payment was created but this answer is 'unknown'; retry with the same request",
            )),
            PayBehaviour::Slow => {
                let secs = if state.config.slow_response.is_finite() {
                    state.config.slow_response.clamp(0.0, 120.0)
                } else {
                    0.0
                };
                tokio::time::sleep(Duration::from_secs_f64(secs)).await;
                Ok(response)
            }
        },
    }
}

// ---- inquiry / cancel ----------------------------------------------------------------------

fn find_payment(
    state: &State,
    caller: &Caller,
    json: &Map<String, Value>,
) -> Result<PaymentRow, ApiError> {
    let payment_id = opt_id(json, "paymentId")?;
    let request_id = opt_id(json, "paymentRequestId")?;
    let not_found = || ApiError::f("ORDER_NOT_EXIST", "no such payment for this Client-Id");
    let row = match (payment_id, request_id) {
        (None, None) => {
            return Err(ApiError::param(
                "paymentId or paymentRequestId: one of them is required",
            ))
        }
        (Some(id), rid) => {
            check_len(id, "paymentId", 64)?;
            let row = state.store.payment(id)?.ok_or_else(not_found)?;
            if row.client_id != caller.client_id || rid.is_some_and(|r| r != row.payment_request_id)
            {
                return Err(not_found());
            }
            row
        }
        (None, Some(rid)) => {
            check_len(rid, "paymentRequestId", MAX_REQUEST_ID)?;
            state
                .store
                .payment_by_request(&caller.client_id, rid)?
                .ok_or_else(not_found)?
        }
    };
    state.dispatcher.wake();
    Ok(row)
}

fn inquiry(state: &State, caller: &Caller, json: &Map<String, Value>) -> Result<String, ApiError> {
    let p = find_payment(state, caller, json)?;
    let mut body = json!({
        "result": result("SUCCESS", "S", "success"),
        "paymentId": p.payment_id,
        "paymentRequestId": p.payment_request_id,
        "paymentStatus": p.status.as_str(),
        "paymentAmount": p.amount.to_json(),
        "paymentCreateTime": clock::format_api(p.created_at),
        "paymentExpiryTime": clock::format_api(p.expiry_at),
    });
    if let Some(t) = p.payment_time {
        body["paymentTime"] = json!(clock::format_api(t));
    }
    if let Some(r) = &p.fail_reason {
        body["paymentFailReason"] = json!(r);
    }
    if let Some(t) = p.cancel_time {
        body["cancelTime"] = json!(clock::format_api(t));
    }
    if p.refunded_value > 0 {
        body["refundedAmount"] =
            json!(
                crate::domain::amount::Amount::new(p.amount.currency(), p.refunded_value).to_json()
            );
    }
    Ok(body.to_string())
}

fn cancel(state: &State, caller: &Caller, json: &Map<String, Value>) -> Result<String, ApiError> {
    let p = find_payment(state, caller, json)?;
    match state.store.cancel(&caller.client_id, &p.payment_id) {
        Ok(p) => Ok(json!({
            "result": result("SUCCESS", "S", "success"),
            "paymentId": p.payment_id,
            "paymentRequestId": p.payment_request_id,
            "cancelTime": clock::format_api(p.cancel_time.unwrap_or(p.created_at)),
        })
        .to_string()),
        Err(TransitionError::Conflict(p)) => Err(ApiError::f(
            "ORDER_STATUS_INVALID",
            format!(
                "payment is {}; only an unfinished (PROCESSING) payment can be cancelled",
                p.status
            ),
        )),
        Err(TransitionError::NotFound) => Err(ApiError::f(
            "ORDER_NOT_EXIST",
            "no such payment for this Client-Id",
        )),
        Err(e) => Err(ApiError::unknown(e.to_string())),
    }
}

// ---- refund --------------------------------------------------------------------------------

fn refund(
    state: &State,
    caller: &Caller,
    json: &Map<String, Value>,
    _raw: &[u8],
) -> Result<String, ApiError> {
    let refund_request_id = req_str(json, "refundRequestId", MAX_REQUEST_ID)?;
    let payment_id = req_str(json, "paymentId", 64)?;
    let amount = Amount::parse(json.get("refundAmount"), "refundAmount")?;
    let reason = opt_str(json, "refundReason")?;
    if let Some(r) = reason {
        check_len(r, "refundReason", 256)?;
    }
    let notify_url = opt_url(json, "refundNotifyUrl")?;
    let refund_id = new_payment_id(clock::now_ms());
    let outcome = state.store.refund(
        &caller.client_id,
        refund_request_id,
        &request_hash(json),
        payment_id,
        amount,
        reason,
        notify_url.as_deref(),
        &refund_id,
        |refund_id, at| {
            json!({
                "result": result("SUCCESS", "S", "success"),
                "refundRequestId": refund_request_id,
                "refundId": refund_id,
                "paymentId": payment_id,
                "refundAmount": amount.to_json(),
                "refundTime": clock::format_api(at),
            })
            .to_string()
        },
    );
    match outcome {
        Ok(Idempotent::Created(body)) => {
            // A queued notifyRefund goes out now.
            state.dispatcher.wake();
            Ok(body)
        }
        Ok(Idempotent::Replay(body)) => Ok(body),
        Ok(Idempotent::Inconsistent) => Err(ApiError::f(
            "REPEAT_REQ_INCONSISTENT",
            format!("refundRequestId {refund_request_id:?} was used before with a different request body"),
        )),
        Err(TransitionError::NotFound) => {
            Err(ApiError::f("ORDER_NOT_EXIST", "no such payment for this Client-Id"))
        }
        Err(TransitionError::Conflict(p)) => Err(ApiError::f(
            "ORDER_STATUS_INVALID",
            format!("payment is {}; only a SUCCESS payment can be refunded", p.status),
        )),
        Err(TransitionError::RefundExceeds(left)) => Err(ApiError::f(
            "REFUND_AMOUNT_EXCEED",
            format!(
                "refundAmount exceeds what is left to refund ({} {left} in minor units)",
                amount.currency().code()
            ),
        )),
        Err(TransitionError::CurrencyMismatch(c)) => Err(ApiError::param(format!(
            "refundAmount.currency: must be the payment's currency {c}"
        ))),
        // Crediting the payer back would pass the balance cap (or their stored balance is
        // broken): refused, nothing refunded, nothing credited.
        Err(TransitionError::Balance(e)) => Err(ApiError::param(format!(
            "refundAmount.value: cannot credit the payer: {e}"
        ))),
        Err(TransitionError::Store(e)) => Err(e.into()),
    }
}

/// `inquiryRefund` by `refundId` or `refundRequestId` (`refundId` wins when both are given,
/// as Antom documents). Every refund this sandbox accepts succeeds at once, so a refund that
/// exists is `SUCCESS`.
fn inquiry_refund(
    state: &State,
    caller: &Caller,
    json: &Map<String, Value>,
) -> Result<String, ApiError> {
    let refund_id = opt_id(json, "refundId")?;
    let request_id = opt_id(json, "refundRequestId")?;
    let not_found = |what: String| {
        ApiError::f(
            "REFUND_NOT_EXIST",
            format!("no refund with {what} for this Client-Id"),
        )
    };
    let row = match (refund_id, request_id) {
        (None, None) => {
            return Err(ApiError::param(
                "refundId or refundRequestId: one of them is required",
            ))
        }
        (Some(id), _) => {
            check_len(id, "refundId", 64)?;
            state
                .store
                .refund_by_id(&caller.client_id, id)?
                .ok_or_else(|| not_found(format!("refundId {id:?}")))?
        }
        (None, Some(rid)) => {
            check_len(rid, "refundRequestId", MAX_REQUEST_ID)?;
            state
                .store
                .refund_by_request(&caller.client_id, rid)?
                .ok_or_else(|| not_found(format!("refundRequestId {rid:?}")))?
        }
    };
    Ok(json!({
        "result": result("SUCCESS", "S", "success"),
        "refundId": row.refund_id,
        "refundRequestId": row.refund_request_id,
        "paymentId": row.payment_id,
        "refundAmount": row.refund_amount,
        "refundStatus": "SUCCESS",
        "refundTime": row.refund_time,
    })
    .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn request_hash_ignores_key_order_and_spacing() {
        let a = obj(serde_json::from_str(r#"{"a":1,"b":{"x":"y","z":[1,2]}}"#).unwrap());
        let b = obj(serde_json::from_str(r#"{ "b": {"z":[1, 2], "x":"y"}, "a": 1 }"#).unwrap());
        let c = obj(serde_json::from_str(r#"{"a":2,"b":{"x":"y","z":[1,2]}}"#).unwrap());
        assert_eq!(request_hash(&a), request_hash(&b));
        assert_ne!(request_hash(&a), request_hash(&c));
    }

    #[test]
    fn names_the_nested_field_that_is_wrong() {
        let base = json!({"productCode":"CASHIER_PAYMENT","paymentRequestId":"r1",
            "paymentAmount":{"currency":"USD","value":"100"},"order":{"orderDescription":"x"}});
        assert!(parse_pay(&obj(base.clone()), 0).is_ok());
        let mut bad = base.clone();
        bad["order"]["merchant"] = json!("nope");
        let e = parse_pay(&obj(bad), 0).unwrap_err();
        assert!(e.message.starts_with("order.merchant"), "{}", e.message);
        let mut bad = base.clone();
        bad["order"]["buyer"] = json!({"referenceBuyerId": 5});
        let e = parse_pay(&obj(bad), 0).unwrap_err();
        assert!(
            e.message.starts_with("order.buyer.referenceBuyerId"),
            "{}",
            e.message
        );
    }

    #[test]
    fn payment_ids_and_tokens_look_right() {
        let id = new_payment_id(clock::parse("2026-11-27T00:00:00Z").unwrap());
        assert!(id.starts_with("20261127") && id.len() == 24, "{id}");
        assert_eq!(new_secret().len(), 43);
    }
}
