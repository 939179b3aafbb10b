//! The Alipay open platform gateway, `/gateway.do` (docs/protocol.md §5d): what a merchant
//! server written for the open platform (its official SDKs) calls to create, query and close
//! the trades a mini program pays with `my.tradePay({ tradeNO })`.
//!
//! Every call: the parameters (query string and form body together, as the SDKs split them),
//! the common parameters, the app (`app_id` → the mini program registry → its merchant's
//! public key), the merchant's RSA2 signature over the sorted parameters, then the method.
//! The answer is HTTP 200 `{"<method>_response": {...}, "sign": "..."}`, signed with the
//! wallet key over the exact text of the `<method>_response` value, as the SDKs verify it.
//! An answer to a request that names no registered app is not signed (there is no app to
//! sign for). Refusals are [`GatewayError`]s, mapped from the store's errors in one place
//! ([`From<StoreError>`] and [`transition`]).

mod methods;

use std::collections::BTreeMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{header, HeaderValue, Method as HttpMethod, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::app::State;
use crate::domain::trade::{self, response_key, sign_content, trade_status, GatewayError, Method};
use crate::store::{MiniProgramRow, StoreError, TransitionError};

/// Longest parameter value read (`biz_content` aside, which the body limit bounds).
const MAX_PARAM: usize = 4096;

impl From<StoreError> for GatewayError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "storage error");
        GatewayError::unavailable()
    }
}

/// A store refusal of a trade change, as the gateway says it.
pub(super) fn transition(e: TransitionError) -> GatewayError {
    match e {
        TransitionError::NotFound => {
            GatewayError::business("ACQ.TRADE_NOT_EXIST", "the trade does not exist")
        }
        TransitionError::Conflict(row) => GatewayError::business(
            "ACQ.TRADE_STATUS_ERROR",
            format!(
                "the trade is {} ({}): it cannot change",
                trade_status(row.status),
                row.status
            ),
        ),
        TransitionError::Store(e) => e.into(),
        other => {
            tracing::error!(error = %other, "unexpected trade refusal");
            GatewayError::unavailable()
        }
    }
}

/// The request's parameters, and what is known of the caller so far.
struct Call {
    params: BTreeMap<String, String>,
    /// The response key (`<method>_response`, or `error_response` without a usable method).
    key: String,
}

/// Handler of `/gateway.do` (`POST`, or `GET` with everything in the query string).
pub async fn gateway(
    AxumState(state): AxumState<State>,
    method: HttpMethod,
    uri: Uri,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let (call, answer, app) = answer(&state, &method, &uri, &body).await;
    let code = match &answer {
        Ok(_) => "10000".to_string(),
        Err(e) => format!("{}/{}", e.code, e.sub_code),
    };
    tracing::info!(
        http_method = %method,
        method = %call.params.get("method").map(|m| crate::http::perimeter::shorten(m)).unwrap_or_default(),
        app_id = %call.params.get("app_id").map(|m| crate::http::perimeter::shorten(m)).unwrap_or_default(),
        result = %code,
        signed = app.is_some(),
        duration_ms = started.elapsed().as_millis() as u64,
        "gateway call"
    );
    let inner = match answer {
        Ok(map) => Value::Object(map),
        Err(e) => error_body(&e),
    };
    respond(&state, &call.key, &inner, app.is_some())
}

fn error_body(e: &GatewayError) -> Value {
    json!({"code": e.code, "msg": e.msg, "sub_code": e.sub_code, "sub_msg": e.sub_msg})
}

/// `{"<key>":<inner>,"sign":"<base64>"}`: the signature covers `<inner>`'s exact text.
fn respond(state: &State, key: &str, inner: &Value, signed: bool) -> Response {
    let inner_text = inner.to_string();
    let key_text = Value::String(key.to_string()).to_string();
    let body = match signed.then(|| state.wallet.sign_base64(inner_text.as_bytes())) {
        Some(Ok(sign)) => format!(
            "{{{key_text}:{inner_text},\"sign\":{}}}",
            Value::String(sign)
        ),
        Some(Err(e)) => {
            tracing::error!(error = %e, "gateway answer not signed");
            format!("{{{key_text}:{inner_text}}}")
        }
        None => format!("{{{key_text}:{inner_text}}}"),
    };
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    response
}

/// Reads `a=1&b=2` (form encoding) into `into`; a name given twice is refused.
fn read_form(
    text: &[u8],
    into: &mut BTreeMap<String, String>,
    part: &str,
) -> Result<(), GatewayError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(text).map_err(|e| {
        GatewayError::invalid(
            "isv.invalid-parameter",
            format!("the {part} is not form-encoded UTF-8 (name=value&…): {e}"),
        )
    })?;
    for (k, v) in pairs {
        if k != "biz_content" && v.len() > MAX_PARAM {
            return Err(GatewayError::invalid(
                "isv.invalid-parameter",
                format!(
                    "{}: longer than {MAX_PARAM} bytes",
                    crate::http::perimeter::shorten(&k)
                ),
            ));
        }
        if into.contains_key(&k) {
            return Err(GatewayError::invalid(
                "isv.invalid-parameter",
                format!(
                    "{}: given twice (query string and body together name each parameter once)",
                    crate::http::perimeter::shorten(&k)
                ),
            ));
        }
        into.insert(k, v);
    }
    Ok(())
}

/// The call's parameters, answer and (when `app_id` names a registered app) its app.
async fn answer(
    state: &State,
    method: &HttpMethod,
    uri: &Uri,
    body: &[u8],
) -> (
    Call,
    Result<Map<String, Value>, GatewayError>,
    Option<MiniProgramRow>,
) {
    let mut call = Call {
        params: BTreeMap::new(),
        key: "error_response".to_string(),
    };
    if method != HttpMethod::POST && method != HttpMethod::GET {
        let e = GatewayError::invalid(
            "isv.invalid-http-method",
            format!("{method}: the gateway takes POST (or GET with every parameter in the query string)"),
        );
        return (call, Err(e), None);
    }
    let mut params = BTreeMap::new();
    let read = read_form(
        uri.query().unwrap_or_default().as_bytes(),
        &mut params,
        "query string",
    )
    .and_then(|()| read_form(body, &mut params, "body"));
    call.params = params;
    if let Some(m) = call.params.get("method") {
        if !m.is_empty()
            && m.len() <= 128
            && m.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
        {
            call.key = response_key(m);
        }
    }
    if let Err(e) = read {
        return (call, Err(e), None);
    }
    let app = match app_of(state, &call.params) {
        Ok(app) => app,
        Err(e) => return (call, Err(e), None),
    };
    let result = match authenticate(state, &call.params, &app) {
        Ok(m) => act(state, m, &call.params, &app).await,
        Err(e) => Err(e),
    };
    (call, result, Some(app))
}

/// The registered mini program `app_id` names.
fn app_of(
    state: &State,
    params: &BTreeMap<String, String>,
) -> Result<MiniProgramRow, GatewayError> {
    let app_id = param(params, "app_id")?.ok_or_else(|| GatewayError::missing("app_id"))?;
    state.store.mini_program(app_id)?.ok_or_else(|| {
        GatewayError::invalid(
            "isv.invalid-app-id",
            format!(
                "app_id {}: no mini program of this sandbox has it (register it: PUT /sandbox/mini-programs/{{appId}})",
                crate::http::perimeter::shorten(app_id)
            ),
        )
    })
}

/// A parameter's value; empty is absent (the signature skips empty values too).
pub(super) fn param<'a>(
    params: &'a BTreeMap<String, String>,
    name: &str,
) -> Result<Option<&'a str>, GatewayError> {
    Ok(params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty()))
}

/// The common parameters, then the merchant's RSA2 signature; the method to run.
fn authenticate(
    state: &State,
    params: &BTreeMap<String, String>,
    app: &MiniProgramRow,
) -> Result<Method, GatewayError> {
    let name = param(params, "method")?.ok_or_else(|| GatewayError::missing("method"))?;
    let method = Method::parse(name).ok_or_else(|| {
        GatewayError::invalid(
            "isv.invalid-method",
            format!(
                "method {}: not a method of this sandbox (alipay.trade.create, alipay.trade.query, alipay.trade.close, alipay.system.oauth.token)",
                crate::http::perimeter::shorten(name)
            ),
        )
    })?;
    if let Some(format) = param(params, "format")? {
        if !format.eq_ignore_ascii_case("json") {
            return Err(GatewayError::invalid(
                "isv.invalid-format",
                format!("format {format:?}: only JSON"),
            ));
        }
    }
    if let Some(charset) = param(params, "charset")? {
        if !charset.eq_ignore_ascii_case("utf-8") {
            return Err(GatewayError::invalid(
                "isv.invalid-charset",
                format!("charset {charset:?}: the sandbox reads utf-8 only"),
            ));
        }
    }
    let version = param(params, "version")?.ok_or_else(|| GatewayError::missing("version"))?;
    if version != "1.0" {
        return Err(GatewayError::invalid(
            "isv.invalid-version",
            format!("version {version:?}: must be 1.0"),
        ));
    }
    let timestamp =
        param(params, "timestamp")?.ok_or_else(|| GatewayError::missing("timestamp"))?;
    if !trade::is_gateway_timestamp(timestamp) {
        return Err(GatewayError::invalid(
            "isv.invalid-timestamp",
            format!("timestamp {timestamp:?}: must be yyyy-MM-dd HH:mm:ss"),
        ));
    }
    let sign_type =
        param(params, "sign_type")?.ok_or_else(|| GatewayError::missing("sign_type"))?;
    if sign_type != "RSA2" {
        return Err(GatewayError::invalid(
            "isv.invalid-signature-type",
            format!("sign_type {sign_type:?}: the sandbox verifies RSA2 (SHA256withRSA) only"),
        ));
    }
    let sign = param(params, "sign")?.ok_or_else(|| GatewayError::missing("sign"))?;
    let content = sign_content(params);
    let key = state
        .merchant_key(&app.merchant_client_id)?
        .ok_or_else(|| {
            GatewayError::invalid(
                "isv.invalid-signature",
                format!(
                    "app_id {}: its merchant has no usable public key",
                    app.app_id
                ),
            )
        })?;
    key.verify_base64(content.as_bytes(), sign).map_err(|_| {
        GatewayError::invalid(
            "isv.invalid-signature",
            format!(
                "the sign does not verify with the public key of merchant {} (app_id {}); the signed content is: {}",
                app.merchant_client_id,
                app.app_id,
                crate::http::perimeter::shorten(&content)
            ),
        )
    })?;
    Ok(method)
}

async fn act(
    state: &State,
    method: Method,
    params: &BTreeMap<String, String>,
    app: &MiniProgramRow,
) -> Result<Map<String, Value>, GatewayError> {
    match method {
        Method::TradeCreate => methods::create(state, params, app),
        Method::TradeQuery => methods::query(state, params, app),
        Method::TradeClose => methods::close(state, params, app),
        Method::OauthToken => methods::oauth_token(state, params, app),
    }
}
