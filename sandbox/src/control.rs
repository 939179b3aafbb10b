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

use crate::automation::{AutomationSettings, SettingsError};
use crate::cashier::{
    bad_request, body_object, cashier_view, json_error, storage_error, str_field,
};
use crate::clock;
use crate::payment::CompleteOutcome;
use crate::signature::PublicKey;
use crate::store::{MerchantRow, MiniProgramRow, NotificationRow, PaymentRow, TransitionError};
use crate::State;

/// `GET /sandbox/health`
pub async fn health() -> Json<Value> {
    Json(json!({"ok": true}))
}

/// `GET /sandbox/wallet-public-key.pem`: verify responses and notifications with it.
pub async fn wallet_public_key(AxumState(state): AxumState<State>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/x-pem-file")],
        state.wallet_public_pem.clone(),
    )
        .into_response()
}

/// `POST /sandbox/merchants {name, publicKey}` → `{clientId}`.
pub async fn register_merchant(
    AxumState(state): AxumState<State>,
    body: axum::body::Bytes,
) -> Response {
    let body = match body_object(&body) {
        Ok(b) => b,
        Err(r) => return r.into_response(),
    };
    let name = str_field(&body, "name")
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.len() <= 128);
    let Some(name) = name else {
        return bad_request("name: required, a string of 1 to 128 characters");
    };
    let Some(pem) = str_field(&body, "publicKey") else {
        return bad_request("publicKey: required, an RSA public key PEM (SPKI or PKCS#1)");
    };
    let key = match PublicKey::from_pem(pem) {
        Ok(k) => k,
        Err(e) => return bad_request(format!("publicKey: {e}")),
    };
    let m = MerchantRow {
        client_id: crate::bootstrap::new_client_id(),
        name: name.to_string(),
        public_key_pem: key.to_pem(),
        private_key_pem: None,
        is_default: false,
    };
    match state.store.insert_merchant(&m) {
        Ok(()) => {
            tracing::info!(client_id = %m.client_id, name = %m.name, "merchant registered");
            (
                StatusCode::CREATED,
                Json(json!({"clientId": m.client_id, "name": m.name})),
            )
                .into_response()
        }
        Err(e) => storage_error(e),
    }
}

/// `GET /sandbox/merchants`
pub async fn merchants(AxumState(state): AxumState<State>) -> Response {
    match state.store.merchants() {
        Ok(list) => Json(json!({"merchants": list})).into_response(),
        Err(e) => storage_error(e),
    }
}

/// `GET /sandbox/merchants/default` → `{clientId, name, privateKeyPem, publicKeyPem,
/// walletPublicKeyPem}`. The default merchant's key is a sandbox key, not a secret.
pub async fn default_merchant(AxumState(state): AxumState<State>) -> Response {
    match state.store.default_merchant() {
        Ok(Some(m)) => Json(json!({
            "clientId": m.client_id,
            "name": m.name,
            "privateKeyPem": m.private_key_pem,
            "publicKeyPem": m.public_key_pem,
            "walletPublicKeyPem": state.wallet_public_pem,
        }))
        .into_response(),
        Ok(None) => json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "no default merchant"),
        Err(e) => storage_error(e),
    }
}

// ---- mini programs -------------------------------------------------------------------------

/// `GET /sandbox/mini-programs`
pub async fn mini_programs(AxumState(state): AxumState<State>) -> Response {
    match state.store.mini_programs() {
        Ok(list) => Json(json!({"miniPrograms": list})).into_response(),
        Err(e) => storage_error(e),
    }
}

/// `GET /sandbox/mini-programs/{appId}`
pub async fn mini_program(
    AxumState(state): AxumState<State>,
    Path(app_id): Path<String>,
) -> Response {
    match state.store.mini_program(&app_id) {
        Ok(Some(m)) => Json(m).into_response(),
        Ok(None) => json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown appId"),
        Err(e) => storage_error(e),
    }
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

/// The origin (`scheme://host[:port]`) of a mini program's registered `url`, if it has one:
/// the one origin that may embed the cashier and consent pages for it and use its relay.
pub fn app_origin(m: &MiniProgramRow) -> Option<String> {
    crate::identity::origin_of(&m.url)
}

/// `PUT /sandbox/mini-programs/{appId} {name?, url?, whitelist?, merchantClientId?,
/// tradePayFailRouting?, httpErrorAsFail?}`: updates, or creates with defaults
/// (`merchantClientId` "" = no merchant).
pub async fn put_mini_program(
    AxumState(state): AxumState<State>,
    Path(app_id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let body = match body_object(&body) {
        Ok(b) => b,
        Err(r) => return r.into_response(),
    };
    if app_id.is_empty() || app_id.len() > 64 {
        return bad_request("appId: 1 to 64 characters");
    }
    let existing = match state.store.mini_program(&app_id) {
        Ok(e) => e,
        Err(e) => return storage_error(e),
    };
    let default_merchant = match state.store.default_merchant() {
        Ok(m) => m.map(|m| m.client_id).unwrap_or_default(),
        Err(e) => return storage_error(e),
    };
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
            _ => return bad_request("name: a non-empty string"),
        }
    }
    if let Some(v) = body.get("url") {
        let Some(url) = v.as_str() else {
            return bad_request("url: a string, an absolute http(s) URL");
        };
        match parse_app_url(url) {
            Ok(url) => m.url = url,
            Err(message) => return bad_request(message),
        }
    }
    if let Some(v) = body.get("whitelist") {
        let Some(list) = v.as_array() else {
            return bad_request("whitelist: an array of \"[http(s)://]host[:port]\" strings");
        };
        let mut entries = Vec::new();
        for e in list {
            match e.as_str().map(miniprogram_policy::WhitelistEntry::parse) {
                Some(Ok(entry)) => entries.push(entry.to_string()),
                Some(Err(err)) => return bad_request(format!("whitelist: {err}")),
                None => return bad_request(format!("whitelist: {e} is not a string")),
            }
        }
        m.whitelist = entries;
    }
    if let Some(v) = body.get("merchantClientId") {
        let Some(id) = v.as_str() else {
            return bad_request("merchantClientId: a string");
        };
        // "" binds the app to no merchant (the simulator's throwaway apps): its origin frames
        // no merchant's cashier and its auth codes are for no merchant.
        match state.store.merchant(id) {
            _ if id.is_empty() => m.merchant_client_id = String::new(),
            Ok(Some(_)) => m.merchant_client_id = id.to_string(),
            Ok(None) => return bad_request(format!("merchantClientId: unknown {id:?}")),
            Err(e) => return storage_error(e),
        }
    }
    for (key, slot) in [
        ("tradePayFailRouting", &mut m.trade_pay_fail_routing),
        ("httpErrorAsFail", &mut m.http_error_as_fail),
    ] {
        if let Some(v) = body.get(key) {
            match v.as_bool() {
                Some(b) => *slot = b,
                None => return bad_request(format!("{key}: a boolean")),
            }
        }
    }
    match state.store.upsert_mini_program(&m) {
        Ok(()) => Json(m).into_response(),
        Err(e) => storage_error(e),
    }
}

/// The runtime config `my.js` reads (DESIGN.md "How a page gets `my`").
pub fn runtime_config(state: &State, m: &MiniProgramRow) -> Value {
    let origin =
        crate::identity::origin_of(&state.public_base).unwrap_or_else(|| state.public_base.clone());
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
) -> Response {
    match state.store.mini_program(&app_id) {
        Ok(Some(m)) => Json(runtime_config(&state, &m)).into_response(),
        Ok(None) => json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown appId"),
        Err(e) => storage_error(e),
    }
}

// ---- the super app's settings --------------------------------------------------------------

/// `GET /sandbox/settings` → `{autopay, autoconsent}` (`null` = off).
pub async fn settings(AxumState(state): AxumState<State>) -> Response {
    match AutomationSettings::load(&state.store) {
        Ok(s) => Json(s).into_response(),
        Err(e) => storage_error(e),
    }
}

/// `PUT /sandbox/settings {autopay?, autoconsent?}`: changes the switches named, keeps the
/// others; a bad value is a 400 naming it, and nothing changes.
pub async fn put_settings(AxumState(state): AxumState<State>, body: axum::body::Bytes) -> Response {
    let Ok(patch) = serde_json::from_slice::<Value>(&body) else {
        return bad_request(SettingsError::NotAnObject.to_string());
    };
    let current = match AutomationSettings::load(&state.store) {
        Ok(s) => s,
        Err(e) => return storage_error(e),
    };
    let next = match current.patched(&patch) {
        Ok(s) => s,
        Err(e) => return bad_request(e.to_string()),
    };
    match next
        .save(&state.store, Some(&patch))
        .and_then(|()| AutomationSettings::load(&state.store))
    {
        Ok(now) => {
            tracing::info!(autopay = ?now.autopay, autoconsent = ?now.autoconsent, "automation settings");
            Json(now).into_response()
        }
        Err(e) => storage_error(e),
    }
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
pub async fn payments(AxumState(state): AxumState<State>, Query(q): Query<ListQuery>) -> Response {
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    match state.store.recent_payments(limit) {
        Ok(list) => {
            let items: Vec<Value> = list
                .iter()
                .map(|(p, n)| {
                    let mut v = payment_summary(p);
                    v["notify"] = json!(n);
                    v
                })
                .collect();
            Json(json!({"payments": items})).into_response()
        }
        Err(e) => storage_error(e),
    }
}

/// `GET /sandbox/payments/{paymentId}`: the payment, its event log, refunds, notifications
/// (with attempts) and its paymentUrl.
pub async fn payment(AxumState(state): AxumState<State>, Path(id): Path<String>) -> Response {
    let p = match state.store.payment(&id) {
        Ok(Some(p)) => p,
        Ok(None) => return json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown paymentId"),
        Err(e) => return storage_error(e),
    };
    let events = state.store.events(&id);
    let refunds = state.store.refunds(&id);
    let notifications = notifications_json(&state, Some(&id));
    match (events, refunds, notifications) {
        (Ok(events), Ok(refunds), Ok(notifications)) => {
            let mut v = payment_summary(&p);
            v["paymentUrl"] = json!(format!(
                "{}/cashier/?paymentId={}&token={}",
                state.public_base, p.payment_id, p.token
            ));
            v["cashier"] = cashier_view(&p);
            v["events"] = json!(events);
            v["refunds"] = json!(refunds);
            v["notifications"] = json!(notifications);
            Json(v).into_response()
        }
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => storage_error(e),
    }
}

/// `POST /sandbox/payments/{paymentId}/complete {outcome, failReason?}`: finish a payment
/// without a browser. `outcome`: `SUCCESS | FAIL | PENDING | EXPIRED`.
pub async fn complete(
    AxumState(state): AxumState<State>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let body = match body_object(&body) {
        Ok(b) => b,
        Err(r) => return r.into_response(),
    };
    let reason = str_field(&body, "failReason");
    let Some(outcome) = str_field(&body, "outcome").and_then(|o| CompleteOutcome::parse(o, reason))
    else {
        return bad_request("outcome: one of SUCCESS, FAIL, PENDING, EXPIRED");
    };
    let result = state.store.confirm(
        &id,
        "HEADLESS",
        &outcome.to_outcome(),
        state.config.pending_delay_ms(),
        true,
    );
    state.dispatcher.wake();
    tracing::info!(payment_id = %id, outcome = ?outcome, ok = result.is_ok(), "headless complete");
    match result {
        Ok(p) => Json(payment_summary(&p)).into_response(),
        Err(TransitionError::NotFound) => {
            json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown paymentId")
        }
        Err(TransitionError::Conflict(p)) => (
            StatusCode::CONFLICT,
            Json(json!({
                "error": "ALREADY_FINAL",
                "message": format!("payment is already {}", p.status),
                "status": p.status.as_str(),
                "failReason": p.fail_reason,
            })),
        )
            .into_response(),
        Err(e) => storage_error(e),
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
    let now = clock::now_ms();
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
        "paymentStatus": body.get("paymentStatus").cloned().unwrap_or(Value::Null),
        "attempts": attempts,
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
) -> Response {
    match notifications_json(&state, q.payment_id.as_deref()) {
        Ok(list) => Json(json!({"notifications": list})).into_response(),
        Err(e) => storage_error(e),
    }
}

/// `POST /sandbox/notifications/{id}/resend`: one more attempt now, whatever the state.
pub async fn resend(AxumState(state): AxumState<State>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown notification");
    };
    match state.dispatcher.resend(id) {
        Ok(true) => match state.store.notification(id) {
            Ok(Some(n)) => (
                StatusCode::ACCEPTED,
                Json(json!({"id": n.id, "status": n.status, "queued": true})),
            )
                .into_response(),
            Ok(None) => json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown notification"),
            Err(e) => storage_error(e),
        },
        Ok(false) => json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown notification"),
        Err(e) => storage_error(e),
    }
}
