//! Sandbox control and devtools endpoints (`/sandbox/*`): merchants and keys, the mini program
//! registry, the super app's automation settings, payments and their logs, the headless
//! `complete`, notifications and resend.
//! Plain JSON, no signatures: this is a local test tool.

use axum::extract::{Path, Query, State as AxumState};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::payments;
use crate::app::State;
use crate::domain::automation::SettingsError;
use crate::domain::clock;
use crate::domain::payment::{CompleteOutcome, Confirmer};
use crate::http::cashier::cashier_view;
use crate::http::error::{json_error, HttpError, Result};
use crate::http::json::{body_object, typed_body, Text};
use crate::http::views;
use crate::signature::PublicKey;
use crate::store::{MerchantRow, MiniProgramRow, NotificationRow, PaymentRow, TransitionError};

/// `GET /sandbox/health`
pub async fn health() -> Json<Value> {
    Json(json!({"ok": true}))
}

/// `GET /sandbox/time`: the sandbox's clock, `{ "time": <Unix ms> }` (`my.getServerTime`, which
/// the simulator's shell answers from it; docs/protocol.md §5e).
pub async fn time(AxumState(state): AxumState<State>) -> Json<Value> {
    Json(json!({ "time": state.clock.now_ms() }))
}

/// `GET /sandbox/wallet-public-key.pem`: verify responses and notifications with it.
pub async fn wallet_public_key(AxumState(state): AxumState<State>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/x-pem-file")],
        state.wallet_public_pem.clone(),
    )
        .into_response()
}

/// The body of `POST /sandbox/merchants`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MerchantBody {
    #[serde(default)]
    name: Text,
    #[serde(default)]
    public_key: Text,
}

/// `POST /sandbox/merchants {name, publicKey}` → `{clientId}`.
pub async fn register_merchant(
    AxumState(state): AxumState<State>,
    body: axum::body::Bytes,
) -> Result {
    let body: MerchantBody = typed_body(&body)?;
    let name = body
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.len() <= 128);
    let Some(name) = name else {
        return Err(HttpError::bad_request(
            "name: required, a string of 1 to 128 characters",
        ));
    };
    let Some(pem) = body.public_key.as_deref() else {
        return Err(HttpError::bad_request(
            "publicKey: required, an RSA public key PEM (SPKI or PKCS#1)",
        ));
    };
    let key = match PublicKey::from_pem(pem) {
        Ok(k) => k,
        Err(e) => return Err(HttpError::bad_request(format!("publicKey: {e}"))),
    };
    let m = MerchantRow {
        client_id: crate::domain::ids::new_client_id(),
        name: name.to_string(),
        public_key_pem: key.to_pem(),
        private_key_pem: None,
        is_default: false,
    };
    state.store.insert_merchant(&m)?;
    tracing::info!(client_id = %m.client_id, name = %m.name, "merchant registered");
    Ok((
        StatusCode::CREATED,
        Json(json!({"clientId": m.client_id, "name": m.name})),
    )
        .into_response())
}

/// `GET /sandbox/merchants`
pub async fn merchants(AxumState(state): AxumState<State>) -> Result {
    let list = state.store.merchants()?;
    Ok(Json(json!({"merchants": list})).into_response())
}

/// `GET /sandbox/merchants/default` → `{clientId, name, privateKeyPem, publicKeyPem,
/// walletPublicKeyPem}`. The default merchant's key is a sandbox key, not a secret.
pub async fn default_merchant(AxumState(state): AxumState<State>) -> Result {
    Ok(match state.store.default_merchant()? {
        Some(m) => Json(json!({
            "clientId": m.client_id,
            "name": m.name,
            "privateKeyPem": m.private_key_pem,
            "publicKeyPem": m.public_key_pem,
            "walletPublicKeyPem": state.wallet_public_pem,
        }))
        .into_response(),
        None => json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "no default merchant"),
    })
}

// ---- mini programs -------------------------------------------------------------------------

/// `GET /sandbox/mini-programs`
pub async fn mini_programs(AxumState(state): AxumState<State>) -> Result {
    let list = state.store.mini_programs()?;
    Ok(Json(json!({"miniPrograms": list})).into_response())
}

/// `GET /sandbox/mini-programs/{appId}`
pub async fn mini_program(
    AxumState(state): AxumState<State>,
    Path(app_id): Path<String>,
) -> Result {
    Ok(match state.store.mini_program(&app_id)? {
        Some(m) => Json(m).into_response(),
        None => json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown appId"),
    })
}

/// Checks a mini program's launch `url`: an absolute `http(s)` URL with a host, at most 2,048
/// characters, no credentials. The empty string clears it.
pub fn parse_app_url(url: &str) -> Result<String, String> {
    const WANT: &str = "an absolute http(s) URL like \"http://127.0.0.1:8701/\", or \"\"";
    if url.is_empty() {
        return Ok(String::new());
    }
    if url.len() > 2048 {
        return Err(format!("url: at most 2048 characters ({WANT})"));
    }
    let parsed =
        reqwest::Url::parse(url).map_err(|e| format!("url: {url:?} is not {WANT}: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(format!("url: {url:?} is not {WANT}"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!("url: {url:?} must not carry credentials"));
    }
    Ok(parsed.to_string())
}

/// `PUT /sandbox/mini-programs/{appId} {name?, url?, whitelist?, merchantClientId?,
/// tradePayFailRouting?, httpErrorAsFail?}`: updates, or creates with defaults
/// (`merchantClientId` "" = no merchant).
pub async fn put_mini_program(
    AxumState(state): AxumState<State>,
    Path(app_id): Path<String>,
    body: axum::body::Bytes,
) -> Result {
    let body = body_object(&body)?;
    if app_id.is_empty() || app_id.len() > 64 {
        return Err(HttpError::bad_request("appId: 1 to 64 characters"));
    }
    let existing = state.store.mini_program(&app_id)?;
    let default_merchant = state
        .store
        .default_merchant()?
        .map(|m| m.client_id)
        .unwrap_or_default();
    let mut m = existing.unwrap_or(MiniProgramRow {
        app_id: app_id.clone(),
        name: app_id.clone(),
        merchant_client_id: default_merchant,
        whitelist: Vec::new(),
        trade_pay_fail_routing: false,
        http_error_as_fail: false,
        url: String::new(),
    });
    if let Some(v) = body.get("name") {
        match v.as_str() {
            Some(n) if !n.trim().is_empty() => m.name = n.to_string(),
            _ => return Err(HttpError::bad_request("name: a non-empty string")),
        }
    }
    if let Some(v) = body.get("url") {
        let Some(url) = v.as_str() else {
            return Err(HttpError::bad_request(
                "url: a string, an absolute http(s) URL",
            ));
        };
        match parse_app_url(url) {
            Ok(url) => m.url = url,
            Err(message) => return Err(HttpError::bad_request(message)),
        }
    }
    if let Some(v) = body.get("whitelist") {
        let Some(list) = v.as_array() else {
            return Err(HttpError::bad_request(
                "whitelist: an array of \"[http(s)://]host[:port]\" strings",
            ));
        };
        let mut entries = Vec::new();
        for e in list {
            match e.as_str().map(miniprogram_policy::WhitelistEntry::parse) {
                Some(Ok(entry)) => entries.push(entry.to_string()),
                Some(Err(err)) => return Err(HttpError::bad_request(format!("whitelist: {err}"))),
                None => {
                    return Err(HttpError::bad_request(format!(
                        "whitelist: {e} is not a string"
                    )))
                }
            }
        }
        m.whitelist = entries;
    }
    if let Some(v) = body.get("merchantClientId") {
        let Some(id) = v.as_str() else {
            return Err(HttpError::bad_request("merchantClientId: a string"));
        };
        // "" binds the app to no merchant (the simulator's throwaway apps): its origin frames
        // no merchant's cashier and its auth codes are for no merchant.
        if id.is_empty() {
            m.merchant_client_id = String::new();
        } else if state.store.merchant(id)?.is_some() {
            m.merchant_client_id = id.to_string();
        } else {
            return Err(HttpError::bad_request(format!(
                "merchantClientId: unknown {id:?}"
            )));
        }
    }
    for (key, slot) in [
        ("tradePayFailRouting", &mut m.trade_pay_fail_routing),
        ("httpErrorAsFail", &mut m.http_error_as_fail),
    ] {
        if let Some(v) = body.get(key) {
            match v.as_bool() {
                Some(b) => *slot = b,
                None => return Err(HttpError::bad_request(format!("{key}: a boolean"))),
            }
        }
    }
    state.store.upsert_mini_program(&m)?;
    Ok(Json(m).into_response())
}

/// The runtime config `my.js` reads (DESIGN.md "How a page gets `my`").
pub fn runtime_config(state: &State, m: &MiniProgramRow) -> Value {
    let origin = crate::domain::identity::origin_of(&state.public_base)
        .unwrap_or_else(|| state.public_base.clone());
    json!({
        "appId": m.app_id,
        "name": m.name,
        "url": m.url,
        "whitelist": m.whitelist,
        "relayUrl": format!("{}/relay", state.public_base),
        "cashierOrigins": [origin],
        "tradePayFailRouting": m.trade_pay_fail_routing,
        "httpErrorAsFail": m.http_error_as_fail,
    })
}

/// `GET /sandbox/mini-programs/{appId}/runtime`
pub async fn mini_program_runtime(
    AxumState(state): AxumState<State>,
    Path(app_id): Path<String>,
) -> Result {
    Ok(match state.store.mini_program(&app_id)? {
        Some(m) => Json(runtime_config(&state, &m)).into_response(),
        None => json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown appId"),
    })
}

// ---- the super app's settings --------------------------------------------------------------

/// `GET /sandbox/settings` → `{autopay, autoconsent}` (`null` = off).
pub async fn settings(AxumState(state): AxumState<State>) -> Result {
    let s = state.store.automation()?;
    Ok(Json(s).into_response())
}

/// `PUT /sandbox/settings {autopay?, autoconsent?}`: changes the switches named, keeps the
/// others; a bad value is a 400 naming it, and nothing changes.
pub async fn put_settings(AxumState(state): AxumState<State>, body: axum::body::Bytes) -> Result {
    let Ok(patch) = serde_json::from_slice::<Value>(&body) else {
        return Err(HttpError::bad_request(
            SettingsError::NotAnObject.to_string(),
        ));
    };
    let current = state.store.automation()?;
    let next = match current.patched(&patch) {
        Ok(s) => s,
        Err(e) => return Err(HttpError::bad_request(e.to_string())),
    };
    state.store.save_automation(&next, Some(&patch))?;
    let now = state.store.automation()?;
    tracing::info!(autopay = ?now.autopay, autoconsent = ?now.autoconsent, "automation settings");
    Ok(Json(now).into_response())
}

// ---- payments ------------------------------------------------------------------------------

fn payment_summary(p: &PaymentRow) -> Value {
    json!({
        "paymentId": p.payment_id,
        "paymentRequestId": p.payment_request_id,
        "clientId": p.client_id,
        "merchantName": p.merchant_name,
        "status": p.status.as_str(),
        "amount": p.amount.to_json(),
        "amountDisplay": p.amount.display(),
        "orderDescription": p.order_description,
        "method": p.method,
        "failReason": p.fail_reason,
        "createTime": clock::format_precise(p.created_at),
        "expiryTime": clock::format_precise(p.expiry_at),
        "paymentTime": p.payment_time.map(clock::format_precise),
        "cancelTime": p.cancel_time.map(clock::format_precise),
        "pendingUntil": p.resolve_at.filter(|_| !p.status.is_final()).map(clock::format_precise),
        "refundedValue": p.refunded_value.to_string(),
        "notifyUrl": p.notify_url,
    })
}

/// `?limit=`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    limit: Option<i64>,
}

/// `GET /sandbox/payments?limit=50`: newest first, with a notification summary.
pub async fn payments(AxumState(state): AxumState<State>, Query(q): Query<ListQuery>) -> Result {
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    // What time alone decided is settled first (one transaction), then one read.
    payments::settle_all_due(&state.store, state.clock.now_ms())?;
    let items: Vec<Value> = state
        .store
        .recent_payments(limit)?
        .iter()
        .map(|(p, n)| {
            let mut v = payment_summary(p);
            v["notify"] = n.as_ref().map_or(Value::Null, views::notify_summary);
            v
        })
        .collect();
    Ok(Json(json!({"payments": items})).into_response())
}

/// `GET /sandbox/payments/{paymentId}`: the payment, its event log, refunds, notifications
/// (with attempts) and its paymentUrl.
pub async fn payment(AxumState(state): AxumState<State>, Path(id): Path<String>) -> Result {
    let Some(p) = payments::payment(&state.store, &id, state.clock.now_ms())? else {
        return Err(HttpError::not_found("unknown paymentId"));
    };
    let mut v = payment_summary(&p);
    v["paymentUrl"] = json!(format!(
        "{}/cashier/?paymentId={}&token={}",
        state.public_base, p.payment_id, p.token
    ));
    v["cashier"] = cashier_view(&p);
    v["events"] = views::events(&state.store.events(&id)?);
    v["refunds"] = views::refunds(&state.store.refunds(&id)?);
    v["notifications"] = json!(notifications_json(&state, Some(&id))?);
    Ok(Json(v).into_response())
}

/// The body of `POST /sandbox/payments/{paymentId}/complete`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompleteBody {
    #[serde(default)]
    outcome: Text,
    #[serde(default)]
    fail_reason: Text,
}

/// `POST /sandbox/payments/{paymentId}/complete {outcome, failReason?}`: finish a payment
/// without a browser. `outcome`: `SUCCESS | FAIL | PENDING | EXPIRED`.
pub async fn complete(
    AxumState(state): AxumState<State>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result {
    let body: CompleteBody = typed_body(&body)?;
    let reason = body.fail_reason.as_deref();
    let Some(outcome) = body
        .outcome
        .as_deref()
        .and_then(|o| CompleteOutcome::parse(o, reason))
    else {
        return Err(HttpError::bad_request(
            "outcome: one of SUCCESS, FAIL, PENDING, EXPIRED",
        ));
    };
    let result = payments::confirm(
        &state.store,
        &id,
        Confirmer::Headless,
        &outcome.to_outcome(),
        state.config.pending_delay_ms(),
        state.clock.now_ms(),
    );
    state.dispatcher.wake();
    state.settler.wake();
    tracing::info!(payment_id = %id, outcome = ?outcome, ok = result.is_ok(), "headless complete");
    match result {
        Ok(p) => Ok(Json(payment_summary(&p)).into_response()),
        Err(TransitionError::NotFound) => Err(HttpError::not_found("unknown paymentId")),
        Err(TransitionError::Conflict(p)) => Ok((
            StatusCode::CONFLICT,
            Json(json!({
                "error": "ALREADY_FINAL",
                "message": format!("payment is already {}", p.status),
                "status": p.status.as_str(),
                "failReason": p.fail_reason,
            })),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

// ---- notifications -------------------------------------------------------------------------

fn notification_json(
    state: &State,
    n: &NotificationRow,
) -> Result<Value, crate::store::StoreError> {
    let attempts = state.store.attempts(n.id)?;
    let body: Value = serde_json::from_str(&n.body).unwrap_or(Value::Null);
    // Lag: from due to sent for the latest attempt; for a due notification not sent yet, how
    // long it has been waiting (the dispatcher's queue is behind).
    let now = state.clock.now_ms();
    let waiting = n
        .next_attempt_at
        .filter(|at| n.status == "PENDING" && *at <= now)
        .filter(|_| attempts.last().is_none_or(|a| a.state != "sending"))
        .map(|at| now - at);
    let lag_ms = waiting.or_else(|| attempts.last().and_then(|a| a.lag_ms));
    Ok(json!({
        "lagMs": lag_ms,
        "waiting": waiting.is_some(),
        "id": n.id,
        "paymentId": n.payment_id,
        "url": n.url,
        "status": n.status,
        "format": n.format,
        // A trade notification says `trade_status` (TRADE_SUCCESS, TRADE_CLOSED).
        "paymentStatus": body
            .get("paymentStatus")
            .or_else(|| body.get("trade_status"))
            .cloned()
            .unwrap_or(Value::Null),
        "attempts": views::attempts(&attempts),
        "attemptCount": n.attempts,
        "nextAttemptAt": n.next_attempt_at.filter(|_| n.status == "PENDING").map(clock::format_precise),
        "createdAt": clock::format_precise(n.created_at),
        "deliveredAt": n.delivered_at.map(clock::format_precise),
        "body": body,
    }))
}

fn notifications_json(
    state: &State,
    payment_id: Option<&str>,
) -> Result<Vec<Value>, crate::store::StoreError> {
    state
        .store
        .notifications(payment_id)?
        .iter()
        .map(|n| notification_json(state, n))
        .collect()
}

/// `?paymentId=`.
#[derive(Debug, Deserialize)]
pub struct NotificationQuery {
    #[serde(rename = "paymentId")]
    payment_id: Option<String>,
}

/// `GET /sandbox/notifications?paymentId=…`: each notification with every attempt.
pub async fn notifications(
    AxumState(state): AxumState<State>,
    Query(q): Query<NotificationQuery>,
) -> Result {
    let list = notifications_json(&state, q.payment_id.as_deref())?;
    Ok(Json(json!({"notifications": list})).into_response())
}

/// `POST /sandbox/notifications/{id}/resend`: one more attempt now, whatever the state.
pub async fn resend(AxumState(state): AxumState<State>, Path(id): Path<String>) -> Result {
    let Ok(id) = id.parse::<i64>() else {
        return Err(HttpError::not_found("unknown notification"));
    };
    let queued = state.dispatcher.resend(id)?;
    match state.store.notification(id)?.filter(|_| queued) {
        Some(n) => Ok((
            StatusCode::ACCEPTED,
            Json(json!({"id": n.id, "status": n.status, "queued": true})),
        )
            .into_response()),
        None => Err(HttpError::not_found("unknown notification")),
    }
}
