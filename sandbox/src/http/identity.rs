//! Routes of user identity: the browser-facing `/sandbox/users`, `/sandbox/session`,
//! `/sandbox/auth/*` and `/sandbox/avatars/*`, the open API calls `applyToken` and
//! `inquiryUserInfo` (dispatched from [`crate::http::open_api`]), and the identity parts of `pay` and the
//! cashier (buyer, payer, balance). Thin: decisions are in [`crate::domain::identity`], SQL in
//! [`crate::store`].

use axum::extract::{Path, State as AxumState};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::app::State;
use crate::domain::clock;
use crate::domain::identity::{self, AuthError};
use crate::http::cashier::{
    bad_request, body_object, json_error, storage_error, str_field, Reject,
};
use crate::http::embedder::Embedders;
use crate::http::open_api::{ApiError, Caller};
use crate::store::{
    GrantRow, NewTokens, PaymentRow, RedeemError, StoreError, TransitionError, UserRow,
};

/// The signed-in user: the one the session names, else the default (Alice), else the first.
pub fn session_user(state: &State) -> Result<Option<UserRow>, StoreError> {
    if let Some(id) = state.store.setting(identity::SESSION_SETTING)? {
        if let Some(u) = state.store.user(&id)? {
            return Ok(Some(u));
        }
    }
    if let Some(u) = state.store.user(identity::DEFAULT_USER_ID)? {
        return Ok(Some(u));
    }
    Ok(state.store.users()?.into_iter().next())
}

fn user_json(state: &State, u: &UserRow) -> Value {
    identity::user_json(u, &state.public_base)
}

// ---- users and the session -----------------------------------------------------------------

/// `GET /sandbox/users` → `[{ userId, nickName, avatar, mobile, email, balances }]`.
pub async fn users(AxumState(state): AxumState<State>) -> Response {
    match state.store.users() {
        Ok(list) => Json(Value::Array(
            list.iter().map(|u| user_json(&state, u)).collect(),
        ))
        .into_response(),
        Err(e) => storage_error(e),
    }
}

fn opt_text(body: &Map<String, Value>, key: &str, max: usize) -> Result<Option<String>, Reject> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= max => {
            Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty()))
        }
        Some(_) => Err(bad_request(format!("{key}: a string of at most {max} characters")).into()),
    }
}

/// `POST /sandbox/users { nickName, fullName?, mobile?, email?, avatar?, balances? }` → 201 the
/// user, with the next free `2088…` id.
pub async fn create_user(AxumState(state): AxumState<State>, body: axum::body::Bytes) -> Response {
    let body = match body_object(&body) {
        Ok(b) => b,
        Err(r) => return r.into_response(),
    };
    let fields = (|| {
        let nick_name = opt_text(&body, "nickName", 64)?.ok_or_else(|| {
            Reject::from(bad_request(
                "nickName: required, a string of 1 to 64 characters",
            ))
        })?;
        let balances = match body.get("balances") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => identity::parse_balances(v).map_err(|m| Reject::from(bad_request(m)))?,
        };
        Ok::<_, Reject>(UserRow {
            user_id: String::new(),
            nick_name,
            full_name: opt_text(&body, "fullName", 128)?,
            avatar: opt_text(&body, "avatar", 2048)?,
            mobile: opt_text(&body, "mobile", 32)?,
            email: opt_text(&body, "email", 128)?,
            balances: balances.into_iter().collect(),
            invalid_balances: Default::default(),
        })
    })();
    let user = match fields {
        Ok(u) => u,
        Err(r) => return r.into_response(),
    };
    match state.store.create_user(&user) {
        Ok(u) => {
            tracing::info!(user_id = %u.user_id, nick_name = %u.nick_name, "sandbox user created");
            (StatusCode::CREATED, Json(user_json(&state, &u))).into_response()
        }
        Err(e) => storage_error(e),
    }
}

/// `PUT /sandbox/users/{userId}/balances { "USD": "100000" }` → the user (other currencies
/// unchanged).
pub async fn put_balances(
    AxumState(state): AxumState<State>,
    Path(user_id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let body = match body_object(&body) {
        Ok(b) => b,
        Err(r) => return r.into_response(),
    };
    let balances = match identity::parse_balances(&Value::Object(body)) {
        Ok(b) => b,
        Err(m) => return bad_request(m),
    };
    match state.store.set_balances(&user_id, &balances) {
        Ok(Some(u)) => Json(user_json(&state, &u)).into_response(),
        Ok(None) => json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown userId"),
        Err(e) => storage_error(e),
    }
}

fn session_json(state: &State, u: Option<&UserRow>) -> Value {
    json!({
        "userId": u.map(|u| u.user_id.clone()),
        "user": u.map(|u| user_json(state, u)),
    })
}

/// `GET /sandbox/session` → `{ userId, user }`: who is signed in to the super app.
pub async fn session(AxumState(state): AxumState<State>) -> Response {
    match session_user(&state) {
        Ok(u) => Json(session_json(&state, u.as_ref())).into_response(),
        Err(e) => storage_error(e),
    }
}

/// `PUT /sandbox/session { userId }`: the shell's user switcher.
pub async fn put_session(AxumState(state): AxumState<State>, body: axum::body::Bytes) -> Response {
    let body = match body_object(&body) {
        Ok(b) => b,
        Err(r) => return r.into_response(),
    };
    let Some(user_id) = str_field(&body, "userId") else {
        return bad_request("userId: required, a sandbox user id (GET /sandbox/users)");
    };
    let user = match state.store.user(user_id) {
        Ok(Some(u)) => u,
        Ok(None) => {
            return json_error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!("userId: unknown user {user_id:?} (GET /sandbox/users lists them)"),
            )
        }
        Err(e) => return storage_error(e),
    };
    if let Err(e) = state
        .store
        .set_setting(identity::SESSION_SETTING, &user.user_id)
    {
        return storage_error(e);
    }
    tracing::info!(user_id = %user.user_id, "signed-in user switched");
    Json(session_json(&state, Some(&user))).into_response()
}

/// `GET /sandbox/avatars/{userId}.svg`: the generated avatar.
pub async fn avatar(AxumState(state): AxumState<State>, Path(file): Path<String>) -> Response {
    let Some(user_id) = file.strip_suffix(".svg") else {
        return json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown avatar");
    };
    match state.store.user(user_id) {
        Ok(Some(u)) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            identity::avatar_svg(&u),
        )
            .into_response(),
        Ok(None) => json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown avatar"),
        Err(e) => storage_error(e),
    }
}

// ---- consent and auth codes ----------------------------------------------------------------

/// `POST /sandbox/auth/authorize { appId, scopes, decision: "allow" | "deny", embedder? }`: the
/// super app's consent dialog mints an auth code for the signed-in user. Only from the super
/// app's own pages (or a tool without `Origin`): 403 otherwise; and 403 `FORBIDDEN_EMBEDDER`
/// when the consent page says it is embedded by an origin that may not embed it.
pub async fn authorize(
    AxumState(state): AxumState<State>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let origin = headers
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("?"));
    if !identity::origin_allowed(origin, &state.super_app_origins) {
        tracing::warn!(origin = ?origin, "authorize refused: not the super app origin");
        return json_error(
            StatusCode::FORBIDDEN,
            "FORBIDDEN_ORIGIN",
            format!(
                "only the super app ({}) mints auth codes; a mini program calls my.getAuthCode",
                state.public_base
            ),
        );
    }
    let body = match body_object(&body) {
        Ok(b) => b,
        Err(r) => return r.into_response(),
    };
    let Some(app_id) = str_field(&body, "appId").filter(|a| !a.is_empty() && a.len() <= 64) else {
        return bad_request("appId: required, the mini program's app id");
    };
    let scopes = match identity::parse_scopes(body.get("scopes")) {
        Ok(s) => s,
        Err(m) => return bad_request(m),
    };
    let allow = match str_field(&body, "decision") {
        Some("allow") => true,
        Some("deny") => false,
        _ => return bad_request("decision: required, \"allow\" or \"deny\""),
    };
    let app = match state.store.mini_program(app_id) {
        Ok(Some(a)) => a,
        Ok(None) => {
            return json_error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!("appId: unknown mini program {app_id:?}"),
            )
        }
        Err(e) => return storage_error(e),
    };
    let embedder = match body.get("embedder") {
        None | Some(Value::Null) => None,
        Some(Value::String(e)) => Some(e.as_str()),
        Some(_) => return bad_request("embedder: a string, the embedding page's origin"),
    };
    if let Err(refused) = Embedders::for_app(&state.public_base, &app).check(embedder) {
        return refused.into_response();
    }
    let user = match session_user(&state) {
        Ok(Some(u)) => u,
        Ok(None) => {
            return json_error(
                StatusCode::CONFLICT,
                "NO_USER",
                "no sandbox user to sign in",
            )
        }
        Err(e) => return storage_error(e),
    };
    let now = state.clock.now_ms();
    let (granted, refused) = if allow {
        identity::decide_scopes(&scopes)
    } else {
        (Vec::new(), identity::declined_scopes(&scopes))
    };
    let code = (!granted.is_empty()).then(crate::domain::ids::new_secret);
    let grant = GrantRow {
        created_at: now,
        app_id: app.app_id.clone(),
        client_id: app.merchant_client_id.clone(),
        user_id: user.user_id.clone(),
        scopes,
        success_scopes: granted,
        error_scopes: refused,
        decision: if allow { "allow" } else { "deny" }.to_string(),
        auth_code: code.clone(),
        expires_at: code.as_ref().map(|_| now + identity::CODE_TTL_MS),
        used_at: None,
    };
    if let Err(e) = state.store.insert_grant(&grant) {
        return storage_error(e);
    }
    tracing::info!(app_id = %grant.app_id, user_id = %grant.user_id, decision = %grant.decision,
        scopes = ?grant.success_scopes, "authorize");
    let mut answer = json!({
        "authSuccessScopes": grant.success_scopes,
        "authErrorScopes": grant.error_scopes,
        "user": {"userId": user.user_id, "nickName": user.nick_name},
    });
    if let Some(code) = code {
        answer["authCode"] = json!(code);
    }
    Json(answer).into_response()
}

/// `GET /sandbox/auth/grants`: consent decisions, newest first (the simulator's devtools).
pub async fn grants(AxumState(state): AxumState<State>) -> Response {
    let (grants, users) = match (state.store.grants(200), state.store.users()) {
        (Ok(g), Ok(u)) => (g, u),
        (Err(e), _) | (_, Err(e)) => return storage_error(e),
    };
    let list: Vec<Value> = grants
        .iter()
        .map(|g| {
            let nick = users
                .iter()
                .find(|u| u.user_id == g.user_id)
                .map(|u| u.nick_name.clone());
            json!({
                "createdAt": clock::format_precise(g.created_at),
                "appId": g.app_id,
                "clientId": g.client_id,
                "userId": g.user_id,
                "nickName": nick,
                "scopes": g.scopes,
                "authSuccessScopes": g.success_scopes,
                "authErrorScopes": g.error_scopes,
                "decision": g.decision,
                "authCode": g.auth_code,
                "expiresAt": g.expires_at.map(clock::format_precise),
                "used": g.used_at.is_some(),
            })
        })
        .collect();
    Json(Value::Array(list)).into_response()
}

// ---- open API ------------------------------------------------------------------------------

fn f(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError {
        code,
        status: "F",
        message: message.into(),
    }
}

fn required<'a>(json: &'a Map<String, Value>, key: &str) -> Result<&'a str, ApiError> {
    match json.get(key) {
        None | Some(Value::Null) => Err(ApiError::param(format!("{key}: is required"))),
        Some(Value::String(s)) if s.trim().is_empty() => {
            Err(ApiError::param(format!("{key}: must not be empty")))
        }
        Some(Value::String(s)) if s.len() > 512 => Err(ApiError::param(format!(
            "{key}: longer than 512 characters"
        ))),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(ApiError::param(format!("{key}: must be a string"))),
    }
}

fn refused(e: RedeemError<AuthError>) -> ApiError {
    match e {
        RedeemError::Refused(a) => f(a.code(), a.to_string()),
        RedeemError::Store(e) => e.into(),
    }
}

fn success() -> Value {
    json!({"resultCode": "SUCCESS", "resultStatus": "S", "resultMessage": "success"})
}

/// `/v1/authorizations/applyToken`: `AUTHORIZATION_CODE` + `authCode`, or `REFRESH_TOKEN` +
/// `refreshToken` → a new access/refresh token pair and the `customerId`.
pub fn apply_token(
    state: &State,
    caller: &Caller,
    json: &Map<String, Value>,
) -> Result<String, ApiError> {
    let grant_type = required(json, "grantType")?;
    let now = state.clock.now_ms();
    let tokens = NewTokens {
        access_token: crate::domain::ids::new_secret(),
        access_expires_at: now + identity::ACCESS_TTL_MS,
        refresh_token: crate::domain::ids::new_secret(),
        refresh_expires_at: now + identity::REFRESH_TTL_MS,
    };
    let client = caller.client_id.as_str();
    let credential = match grant_type {
        "AUTHORIZATION_CODE" => {
            let code = required(json, "authCode")?;
            state
                .store
                .redeem_code(code, now, &tokens, |c| identity::check_code(c, client, now))
                .map_err(refused)?
        }
        "REFRESH_TOKEN" => {
            let refresh = required(json, "refreshToken")?;
            state
                .store
                .redeem_refresh_token(refresh, now, &tokens, |c| {
                    identity::check_refresh(c, client, now)
                })
                .map_err(refused)?
        }
        other => {
            return Err(ApiError::param(format!(
                "grantType: must be AUTHORIZATION_CODE or REFRESH_TOKEN, got {other:?}"
            )))
        }
    };
    Ok(json!({
        "result": success(),
        "accessToken": tokens.access_token,
        "accessTokenExpiryTime": clock::format_api(tokens.access_expires_at),
        "refreshToken": tokens.refresh_token,
        "refreshTokenExpiryTime": clock::format_api(tokens.refresh_expires_at),
        "customerId": credential.user_id,
    })
    .to_string())
}

/// `/v1/users/inquiryUserInfo { accessToken }` → `userInfo` limited to the granted scopes.
pub fn inquiry_user_info(
    state: &State,
    caller: &Caller,
    json: &Map<String, Value>,
) -> Result<String, ApiError> {
    let token = required(json, "accessToken")?;
    let now = state.clock.now_ms();
    let credential = state.store.access_token(token)?;
    identity::check_access(credential.as_ref(), &caller.client_id, now)
        .map_err(|a| f(a.code(), a.to_string()))?;
    let Some(credential) = credential else {
        return Err(f(
            "INVALID_ACCESS_TOKEN",
            AuthError::InvalidAccessToken.to_string(),
        ));
    };
    let Some(user) = state.store.user(&credential.user_id)? else {
        return Err(f(
            "INVALID_ACCESS_TOKEN",
            "the token's user no longer exists",
        ));
    };
    let avatar = identity::avatar_url(&user, &state.public_base);
    Ok(json!({
        "result": success(),
        "userInfo": identity::user_info(&user, &credential.scopes, &avatar),
    })
    .to_string())
}

/// The buyer of a `pay` request: `order.buyer.referenceBuyerId`, `order.buyer.buyerId` or
/// `userId`, which must name a sandbox user (else `PARAM_ILLEGAL` naming the field). Stored as
/// the merchant's reference; it pays only when bound ([`bound_buyer`]).
pub fn buyer_of(state: &State, json: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    let buyer = json
        .get("order")
        .and_then(Value::as_object)
        .and_then(|o| o.get("buyer"))
        .and_then(Value::as_object);
    let candidates = [
        (
            "order.buyer.referenceBuyerId",
            buyer.and_then(|b| b.get("referenceBuyerId")),
        ),
        ("order.buyer.buyerId", buyer.and_then(|b| b.get("buyerId"))),
        ("userId", json.get("userId")),
    ];
    for (field, value) in candidates {
        let id = match value {
            // `""` is absent, as for every optional id of the open API.
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) if s.is_empty() => continue,
            Some(Value::String(s)) => s,
            Some(_) => return Err(ApiError::param(format!("{field}: must be a string"))),
        };
        if id.len() > 64 || state.store.user(id)?.is_none() {
            return Err(ApiError::param(format!(
                "{field}: unknown buyer {id:?}; use the customerId from applyToken (sandbox users: GET /sandbox/users)"
            )));
        }
        return Ok(Some(id.clone()));
    }
    Ok(None)
}

// ---- cashier -------------------------------------------------------------------------------

/// Where the payer of a balance payment comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayerSource {
    /// The payment was paid by balance: whoever was debited.
    Paid,
    /// The merchant named the buyer and holds a token for that user (`applyToken`).
    Buyer,
    /// No bound buyer: the user signed in to the super app pays.
    SignedIn,
}

impl PayerSource {
    fn as_str(self) -> &'static str {
        match self {
            PayerSource::Paid => "paid",
            PayerSource::Buyer => "buyer",
            PayerSource::SignedIn => "signedIn",
        }
    }
}

/// The payment's buyer when it binds the payer: a sandbox user for whom the payment's merchant
/// obtained a token through `applyToken`. A buyer named without such a grant is only the
/// merchant's reference (echoed back), never debited.
pub fn bound_buyer(state: &State, p: &PaymentRow) -> Result<Option<UserRow>, StoreError> {
    let Some(id) = &p.buyer_id else {
        return Ok(None);
    };
    if !state.store.merchant_has_grant(&p.client_id, id)? {
        return Ok(None);
    }
    state.store.user(id)
}

/// Who pays a payment by balance, and why: who was debited, else its bound buyer
/// ([`bound_buyer`]), else the signed-in user.
pub fn payer(state: &State, p: &PaymentRow) -> Result<Option<(UserRow, PayerSource)>, StoreError> {
    if let Some(id) = state.store.payment_payer(&p.payment_id)? {
        if let Some(u) = state.store.user(&id)? {
            return Ok(Some((u, PayerSource::Paid)));
        }
    }
    if let Some(u) = bound_buyer(state, p)? {
        return Ok(Some((u, PayerSource::Buyer)));
    }
    Ok(session_user(state)?.map(|u| (u, PayerSource::SignedIn)))
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

/// The cashier's `BALANCE` confirmation: debits the payer, or fails `INSUFFICIENT_BALANCE`.
/// None when there is no user at all to pay as (the caller falls back to the plain outcome).
pub fn confirm_by_balance(
    state: &State,
    p: &PaymentRow,
) -> Option<Result<PaymentRow, TransitionError>> {
    let payer = match payer(state, p) {
        Ok(Some((u, _))) => u,
        Ok(None) => return None,
        Err(e) => return Some(Err(e.into())),
    };
    Some(state.store.confirm_by_balance(
        &p.payment_id,
        &payer.user_id,
        identity::REASON_INSUFFICIENT_BALANCE,
    ))
}
