//! The browser-facing identity endpoints: `/sandbox/users`, `/sandbox/session`,
//! `/sandbox/auth/*` and `/sandbox/avatars/*`. The open API's `applyToken` and
//! `inquiryUserInfo` are in `open_api::identity`; the consent decision and the payer in
//! [`crate::app::identity`], the rules in [`crate::domain::identity`].

use axum::extract::{Path, State as AxumState};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::app::State;
use crate::domain::auth_setting::{self, Authorization};
use crate::domain::clock;
use crate::domain::identity::{self};
use crate::domain::profile;
use crate::http::embedder::Embedders;
use crate::http::error::{json_error, HttpError, Result};
use crate::http::json::{body_object, typed_body, Embedder, Text};
use crate::store::UserRow;

fn user_json(state: &State, u: &UserRow) -> Value {
    identity::user_json(u, &state.public_base)
}

// ---- users and the session -----------------------------------------------------------------

/// `GET /sandbox/users` → `[{ userId, nickName, avatar, mobile, email, balances }]`.
pub async fn users(AxumState(state): AxumState<State>) -> Result {
    let list = state.store.users()?;
    Ok(Json(Value::Array(
        list.iter().map(|u| user_json(&state, u)).collect(),
    ))
    .into_response())
}

fn opt_text(body: &Map<String, Value>, key: &str, max: usize) -> Result<Option<String>, HttpError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= max => {
            Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty()))
        }
        Some(_) => Err(HttpError::bad_request(format!(
            "{key}: a string of at most {max} characters"
        ))),
    }
}

/// An optional profile field: absent, null or "" is none; otherwise `parse` decides.
fn opt_checked(
    body: &Map<String, Value>,
    key: &str,
    parse: fn(&str) -> Result<String, String>,
) -> Result<Option<String>, HttpError> {
    match opt_text(body, key, 32)? {
        None => Ok(None),
        Some(s) => parse(&s).map(Some).map_err(HttpError::bad_request),
    }
}

/// `POST /sandbox/users { nickName, fullName?, mobile?, email?, avatar?, gender?, birthDate?,
/// nationality?, balances? }` → 201 the user, with the next free `2088…` id. A bad field is a
/// 400 naming it, and nothing is stored.
pub async fn create_user(AxumState(state): AxumState<State>, body: axum::body::Bytes) -> Result {
    let body = body_object(&body)?;
    let nick_name = opt_text(&body, "nickName", 64)?.ok_or_else(|| {
        HttpError::bad_request("nickName: required, a string of 1 to 64 characters")
    })?;
    let balances = match body.get("balances") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => identity::parse_balances(v).map_err(HttpError::bad_request)?,
    };
    let user = UserRow {
        user_id: String::new(),
        nick_name,
        full_name: opt_text(&body, "fullName", 128)?,
        avatar: opt_text(&body, "avatar", 2048)?,
        mobile: opt_text(&body, "mobile", 32)?,
        email: opt_text(&body, "email", 128)?,
        gender: opt_checked(&body, "gender", profile::parse_gender)?,
        birth_date: opt_checked(&body, "birthDate", profile::parse_birth_date)?,
        nationality: opt_checked(&body, "nationality", profile::parse_nationality)?,
        balances: balances.into_iter().collect(),
        invalid_balances: Default::default(),
    };
    let u = state.store.create_user(&user)?;
    tracing::info!(user_id = %u.user_id, nick_name = %u.nick_name, "sandbox user created");
    Ok((StatusCode::CREATED, Json(user_json(&state, &u))).into_response())
}

/// `PUT /sandbox/users/{userId}/balances { "USD": "100000" }` → the user (other currencies
/// unchanged).
pub async fn put_balances(
    AxumState(state): AxumState<State>,
    Path(user_id): Path<String>,
    body: axum::body::Bytes,
) -> Result {
    let body = body_object(&body)?;
    let balances =
        identity::parse_balances(&Value::Object(body)).map_err(HttpError::bad_request)?;
    Ok(match state.store.set_balances(&user_id, &balances)? {
        Some(u) => Json(user_json(&state, &u)).into_response(),
        None => json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown userId"),
    })
}

fn session_json(state: &State, u: Option<&UserRow>) -> Value {
    json!({
        "userId": u.map(|u| u.user_id.clone()),
        "user": u.map(|u| user_json(state, u)),
    })
}

/// `GET /sandbox/session` → `{ userId, user }`: who is signed in to the super app.
pub async fn session(AxumState(state): AxumState<State>) -> Result {
    let u = crate::app::identity::session_user(&state)?;
    Ok(Json(session_json(&state, u.as_ref())).into_response())
}

/// The body of `PUT /sandbox/session`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionBody {
    #[serde(default)]
    user_id: Text,
}

/// `PUT /sandbox/session { userId }`: the shell's user switcher.
pub async fn put_session(AxumState(state): AxumState<State>, body: axum::body::Bytes) -> Result {
    let body: SessionBody = typed_body(&body)?;
    let Some(user_id) = body.user_id.as_deref() else {
        return Err(HttpError::bad_request(
            "userId: required, a sandbox user id (GET /sandbox/users)",
        ));
    };
    let Some(user) = state.store.user(user_id)? else {
        return Err(HttpError::not_found(format!(
            "userId: unknown user {user_id:?} (GET /sandbox/users lists them)"
        )));
    };
    state
        .store
        .set_setting(identity::SESSION_SETTING, &user.user_id)?;
    tracing::info!(user_id = %user.user_id, "signed-in user switched");
    Ok(Json(session_json(&state, Some(&user))).into_response())
}

/// `GET /sandbox/avatars/{userId}.svg`: the generated avatar.
pub async fn avatar(AxumState(state): AxumState<State>, Path(file): Path<String>) -> Result {
    let Some(user_id) = file.strip_suffix(".svg") else {
        return Err(HttpError::not_found("unknown avatar"));
    };
    Ok(match state.store.user(user_id)? {
        Some(u) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            identity::avatar_svg(&u),
        )
            .into_response(),
        None => json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown avatar"),
    })
}

// ---- consent and auth codes ----------------------------------------------------------------

/// The body of `POST /sandbox/auth/authorize`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConsentBody {
    #[serde(default)]
    app_id: Text,
    /// As sent (`null` included), for [`identity::parse_scopes`].
    #[serde(default, deserialize_with = "present")]
    scopes: Option<Value>,
    #[serde(default)]
    decision: Text,
    #[serde(default)]
    embedder: Embedder,
}

/// A field that is present, whatever its value (`null` too).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// `POST /sandbox/auth/authorize { appId, scopes, decision?, embedder? }`: an auth code for the
/// signed-in user.
///
/// Without `decision` the super app asks whether the scopes need the user's consent, and the
/// server decides: when every scope is silent ([`miniprogram_policy::is_silent`]) or already
/// granted to this app by the signed-in user (`domain::auth_setting`) it mints the code at once; otherwise it answers `{ consentRequired: true, askScopes }` and grants nothing,
/// and only the consent page, with the user's `decision: "allow" | "deny"`, can go on. So no
/// page decides which scopes are silent, and no request turns consent off.
///
/// Only from the super app's own pages (or a tool without `Origin`): 403 otherwise; and 403
/// `FORBIDDEN_EMBEDDER` when the consent page says it is embedded by an origin that may not
/// embed it.
pub async fn authorize(
    AxumState(state): AxumState<State>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result {
    let origin = headers
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("?"));
    if !identity::origin_allowed(origin, &state.super_app_origins) {
        tracing::warn!(origin = ?origin, "authorize refused: not the super app origin");
        return Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN_ORIGIN",
            format!(
                "only the super app ({}) mints auth codes; a mini program calls my.getAuthCode",
                state.public_base
            ),
        ));
    }
    let body: ConsentBody = typed_body(&body)?;
    let Some(app_id) = body
        .app_id
        .as_deref()
        .filter(|a| !a.is_empty() && a.len() <= 64)
    else {
        return Err(HttpError::bad_request(
            "appId: required, the mini program's app id",
        ));
    };
    let scopes = identity::parse_scopes(body.scopes.as_ref()).map_err(HttpError::bad_request)?;
    let decision = match body.decision.as_deref() {
        None => None,
        Some("allow") => Some(true),
        Some("deny") => Some(false),
        Some(_) => {
            return Err(HttpError::bad_request(
                "decision: \"allow\" or \"deny\" (the user's answer in the consent page), or \
                 absent (the super app asks whether the scopes need consent)",
            ))
        }
    };
    let Some(app) = state.store.mini_program(app_id)? else {
        return Err(HttpError::not_found(format!(
            "appId: unknown mini program {app_id:?}"
        )));
    };
    let embedder = body.embedder.origin()?;
    Embedders::for_app(&state.public_base, &app).check(embedder)?;
    let Some(user) = crate::app::identity::session_user(&state)? else {
        return Err(HttpError::new(
            StatusCode::CONFLICT,
            "NO_USER",
            "no sandbox user to sign in",
        ));
    };
    let allow = match decision {
        Some(allow) => allow,
        None => {
            // Silent scopes, and those the user already granted this app, need no prompt.
            let ask = crate::app::identity::scopes_to_ask(&state, &app, &user, &scopes)?;
            if !ask.is_empty() {
                tracing::info!(app_id = %app.app_id, scopes = ?ask, "authorize: consent required");
                return Ok(Json(json!({
                    "consentRequired": true,
                    "askScopes": ask,
                }))
                .into_response());
            }
            true
        }
    };
    let grant = crate::app::identity::decide(&state, &app, &user, scopes, allow)?;
    let code = grant.auth_code.clone();
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
    Ok(Json(answer).into_response())
}

/// `GET /sandbox/auth/grants`: consent decisions, newest first (the simulator's devtools).
pub async fn grants(AxumState(state): AxumState<State>) -> Result {
    let (grants, users) = (state.store.grants(200)?, state.store.users()?);
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
    Ok(Json(Value::Array(list)).into_response())
}

// ---- the authorizations a user gave an app (my.getSetting, my.openSetting) -----------------

/// The query of `GET /sandbox/auth/settings`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsQuery {
    #[serde(default)]
    app_id: Option<String>,
}

/// The body of `PUT /sandbox/auth/settings`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SettingsBody {
    #[serde(default)]
    app_id: Text,
    #[serde(default, deserialize_with = "present")]
    auth_setting: Option<Value>,
}

/// `appId`: present, 1 to 64 characters, a registered mini program.
fn settings_app(state: &State, app_id: Option<&str>) -> Result<String, HttpError> {
    let Some(app_id) = app_id.filter(|a| !a.is_empty() && a.len() <= 64) else {
        return Err(HttpError::bad_request(
            "appId: required, the mini program's app id (1 to 64 characters)",
        ));
    };
    match state.store.mini_program(app_id)? {
        Some(app) => Ok(app.app_id),
        None => Err(HttpError::not_found(format!(
            "appId: unknown mini program {app_id:?}"
        ))),
    }
}

fn signed_in(state: &State) -> Result<UserRow, HttpError> {
    crate::app::identity::session_user(state)?
        .ok_or_else(|| HttpError::new(StatusCode::CONFLICT, "NO_USER", "no sandbox user"))
}

fn settings_json(app_id: &str, user: &UserRow, list: &[Authorization]) -> Value {
    let authorizations: Vec<Value> = list
        .iter()
        .map(|a| {
            json!({
                "scope": a.scope,
                "granted": a.granted,
                "updatedAt": clock::format_precise(a.updated_at),
                "label": auth_setting::label(&a.scope),
            })
        })
        .collect();
    json!({
        "appId": app_id,
        "userId": user.user_id,
        "nickName": user.nick_name,
        "authorizations": authorizations,
        "authSetting": auth_setting::auth_setting(list),
    })
}

/// `GET /sandbox/auth/settings?appId=` → `{ appId, userId, nickName, authorizations: [{ scope,
/// granted, updatedAt, label }], authSetting }`: what the signed-in user decided for that app
/// (the shell answers `my.getSetting` with `authSetting`). Always the signed-in user: no
/// parameter names another. Only the super app's own pages (the router's `super_app_only`).
pub async fn auth_settings(
    AxumState(state): AxumState<State>,
    axum::extract::Query(q): axum::extract::Query<SettingsQuery>,
) -> Result {
    let app_id = settings_app(&state, q.app_id.as_deref())?;
    let user = signed_in(&state)?;
    let list = state.store.authorizations(&user.user_id, &app_id)?;
    Ok(Json(settings_json(&app_id, &user, &list)).into_response())
}

/// `PUT /sandbox/auth/settings { appId, authSetting: { "<scope or alias>": false } }`: the
/// signed-in user turns authorizations of that app off (the settings sheet of `my.openSetting`),
/// all or none; the answer is the same as `GET`. `true` is refused: only the consent page
/// grants. Only the super app's own pages (the router's `super_app_only`): a mini program's
/// page or any other site gets 403 and changes nothing.
pub async fn put_auth_settings(
    AxumState(state): AxumState<State>,
    body: axum::body::Bytes,
) -> Result {
    let body: SettingsBody = typed_body(&body)?;
    let app_id = settings_app(&state, body.app_id.as_deref())?;
    let user = signed_in(&state)?;
    let list = crate::app::identity::revoke(&state, &app_id, &user, body.auth_setting.as_ref())?;
    tracing::info!(app_id = %app_id, user_id = %user.user_id, "authorizations turned off");
    Ok(Json(settings_json(&app_id, &user, &list)).into_response())
}

// ---- the user's profile for my.getAuthUserInfo ----------------------------------------------

/// `GET /sandbox/auth/user-info?appId=` → `{ nickName, avatar }` of the signed-in user, only when
/// that user granted `auth_user` to that app (the consent page of `my.getAuthCode`); otherwise
/// 403 `AUTH_USER_NOT_GRANTED` naming the call to make first. Always the signed-in user: no
/// parameter names another. Only the super app's own pages (the router's `super_app_only`): the
/// shell answers `my.getAuthUserInfo` with it, for the app it launched.
pub async fn auth_user_info(
    AxumState(state): AxumState<State>,
    axum::extract::Query(q): axum::extract::Query<SettingsQuery>,
) -> Result {
    let app_id = settings_app(&state, q.app_id.as_deref())?;
    let user = signed_in(&state)?;
    let list = state.store.authorizations(&user.user_id, &app_id)?;
    let avatar = identity::avatar_url(&user, &state.public_base);
    match profile::auth_user_info(&user, &list, &avatar) {
        Some(info) => Ok(Json(info).into_response()),
        None => Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "AUTH_USER_NOT_GRANTED",
            format!(
                "{} has not granted auth_user to mini program {app_id}: call \
                 my.getAuthCode({{ scopes: 'auth_user' }}) first",
                user.user_id
            ),
        )),
    }
}
