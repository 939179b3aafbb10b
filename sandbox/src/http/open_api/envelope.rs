//! The envelope of every open API call: who called ([`authenticate`]: `Client-Id`,
//! `Request-Time`, `Signature`), the `result` of an answer that is not success ([`ApiError`]),
//! the signed or unsigned answer, the field readers that name the failing field
//! (`PARAM_ILLEGAL`), and the idempotency hash of a request body.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::app::State;
use crate::domain::amount::AmountError;
use crate::domain::clock;

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
    /// A failure (`F`) with its result code.
    pub fn f(code: &'static str, message: impl Into<String>) -> ApiError {
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
    /// The `{result}` body.
    pub fn body(&self) -> Value {
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

pub(super) fn result(code: &str, status: &str, message: &str) -> Value {
    json!({"resultCode": code, "resultStatus": status, "resultMessage": message})
}

/// Who called, once authenticated.
#[derive(Debug, Clone)]
pub struct Caller {
    /// `Client-Id`.
    pub client_id: String,
}

pub(super) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
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

pub(super) fn result_code(body: &str) -> String {
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
pub(super) fn unsigned_response(status: StatusCode, e: &ApiError) -> Response {
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
pub(super) fn signed_response(
    state: &State,
    path: &str,
    client_id: &str,
    body: String,
) -> Response {
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

pub(super) fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::param("request body must be a JSON object")),
        Err(e) => Err(ApiError::param(format!(
            "request body is not valid JSON: {e}"
        ))),
    }
}

// ---- field helpers -------------------------------------------------------------------------

/// An optional id field: absent, null or `""` → None (clients that serialise every field of
/// a struct send `""` for the id they do not know), non-string → error.
pub fn opt_id<'a>(json: &'a Map<String, Value>, path: &str) -> Result<Option<&'a str>, ApiError> {
    Ok(opt_str(json, path)?.filter(|s| !s.is_empty()))
}

/// An optional string field at `path` (`a.b.c`): absent/null → None, non-string → error.
pub(super) fn opt_str<'a>(
    json: &'a Map<String, Value>,
    path: &str,
) -> Result<Option<&'a str>, ApiError> {
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

pub(super) fn req_str<'a>(
    json: &'a Map<String, Value>,
    path: &str,
    max: usize,
) -> Result<&'a str, ApiError> {
    let s = opt_str(json, path)?.ok_or_else(|| ApiError::param(format!("{path}: is required")))?;
    check_len(s, path, max)?;
    if s.trim().is_empty() {
        return Err(ApiError::param(format!("{path}: must not be empty")));
    }
    Ok(s)
}

pub(super) fn check_len(s: &str, path: &str, max: usize) -> Result<(), ApiError> {
    if s.chars().count() > max {
        return Err(ApiError::param(format!(
            "{path}: longer than {max} characters"
        )));
    }
    Ok(())
}

pub(super) fn opt_object<'a>(
    json: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a Map<String, Value>>, ApiError> {
    match json.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(ApiError::param(format!("{key}: must be an object"))),
    }
}

pub(super) fn opt_url(json: &Map<String, Value>, path: &str) -> Result<Option<String>, ApiError> {
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
/// differently are the same request. `serde_json`'s `Map` is sorted by key (the crate's
/// `preserve_order` feature is off), so its compact serialisation is that canonical form;
/// `tests::the_hash_is_the_canonical_json_one` pins it to the hand-written form used before.
pub fn request_hash(json: &Map<String, Value>) -> String {
    let canonical = serde_json::to_vec(json).unwrap_or_default();
    let digest = Sha256::digest(&canonical);
    digest.iter().map(|b| format!("{b:02x}")).collect()
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

    /// The canonical JSON the hash was first computed over, written by hand: stored pay and
    /// refund requests were hashed with it, so the hash must not change.
    fn hand_written_hash(json: &Map<String, Value>) -> String {
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

    #[test]
    fn the_hash_is_the_canonical_json_one() {
        for text in [
            r#"{}"#,
            r#"{"b":1,"a":2}"#,
            r#"{"productCode":"CASHIER_PAYMENT","paymentRequestId":"r-1","paymentAmount":{"value":"100","currency":"USD"},"order":{"orderDescription":"Caf\u00e9 \"latte\"\n","buyer":{"referenceBuyerId":"2088000000000001"}},"paymentNotifyUrl":"https://m.example/n?a=1&b=2"}"#,
            r#"{"z":[3,{"y":null,"x":true},[]],"a":{"k":-1.5e3,"j":0.1,"i":18446744073709551615}}"#,
            r#"{"emoji":"😀","ctrl":"\u0001\t","slash":"a/b\\c","é":"ü","A":"upper before lower","_":""}"#,
            r#"{"refundRequestId":"rf-1","paymentId":"2026112700000000000000001","refundAmount":{"currency":"JPY","value":"5"},"refundReason":null}"#,
        ] {
            let Value::Object(m) = serde_json::from_str::<Value>(text).unwrap() else {
                panic!("{text}");
            };
            assert_eq!(request_hash(&m), hand_written_hash(&m), "{text}");
        }
    }
}
