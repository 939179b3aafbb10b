//! The identity calls of the open API: `applyToken` and `inquiryUserInfo`, and the buyer of a
//! `pay` request. The decisions are [`crate::domain::identity`]'s.

use serde_json::{json, Map, Value};

use super::bodies::{self, id, required, ApplyTokenBody, PayBody, UserInfoBody};
use super::envelope::{result, ApiError, Caller};
use crate::app::identity::{redeem, Exchange, RedeemError};
use crate::app::State;
use crate::domain::clock;
use crate::domain::identity::{self, AuthError};
use crate::store::NewTokens;

fn refused(e: RedeemError) -> ApiError {
    match e {
        RedeemError::Refused(a) => ApiError::f(a.code(), a.to_string()),
        RedeemError::Store(e) => e.into(),
    }
}

fn success() -> Value {
    result("SUCCESS", "S", "success")
}

/// `/v1/authorizations/applyToken`: `AUTHORIZATION_CODE` + `authCode`, or `REFRESH_TOKEN` +
/// `refreshToken` → a new access/refresh token pair and the `customerId`.
pub(super) fn apply_token(
    state: &State,
    caller: &Caller,
    json: &Map<String, Value>,
) -> Result<String, ApiError> {
    let body: ApplyTokenBody = bodies::parse(json)?;
    let grant_type = required(&body.grant_type, "grantType", 512)?;
    let now = state.clock.now_ms();
    let tokens = NewTokens {
        access_token: crate::domain::ids::new_secret(),
        access_expires_at: now + identity::ACCESS_TTL_MS,
        refresh_token: crate::domain::ids::new_secret(),
        refresh_expires_at: now + identity::REFRESH_TTL_MS,
    };
    let exchange = match grant_type {
        "AUTHORIZATION_CODE" => Exchange::Code(required(&body.auth_code, "authCode", 512)?),
        "REFRESH_TOKEN" => Exchange::Refresh(required(&body.refresh_token, "refreshToken", 512)?),
        other => {
            return Err(ApiError::param(format!(
                "grantType: must be AUTHORIZATION_CODE or REFRESH_TOKEN, got {other:?}"
            )))
        }
    };
    let credential = redeem(state, exchange, &caller.client_id, &tokens, now).map_err(refused)?;
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
pub(super) fn inquiry_user_info(
    state: &State,
    caller: &Caller,
    json: &Map<String, Value>,
) -> Result<String, ApiError> {
    let body: UserInfoBody = bodies::parse(json)?;
    let token = required(&body.access_token, "accessToken", 512)?;
    let now = state.clock.now_ms();
    let credential = state.store.access_token(token)?;
    identity::check_access(credential.as_ref(), &caller.client_id, now)
        .map_err(|a| ApiError::f(a.code(), a.to_string()))?;
    let Some(credential) = credential else {
        return Err(ApiError::f(
            "INVALID_ACCESS_TOKEN",
            AuthError::InvalidAccessToken.to_string(),
        ));
    };
    let Some(user) = state.store.user(&credential.user_id)? else {
        return Err(ApiError::f(
            "INVALID_ACCESS_TOKEN",
            "the token's user no longer exists",
        ));
    };
    let avatar = identity::avatar_url(&user, &state.public_base);
    Ok(json!({
        "result": success(),
        "userInfo": crate::domain::profile::user_info(&user, &credential.scopes, &avatar),
    })
    .to_string())
}

/// The buyer of a `pay` request: `order.buyer.referenceBuyerId`, `order.buyer.buyerId` or
/// `userId`, which must name a sandbox user (else `PARAM_ILLEGAL` naming the field). Stored as
/// the merchant's reference; it pays only when bound ([`bound_buyer`](crate::app::identity::bound_buyer)).
pub(super) fn buyer_of(state: &State, body: &PayBody) -> Result<Option<String>, ApiError> {
    let buyer = body.order.as_ref().and_then(|o| o.buyer.as_ref());
    let candidates = [
        (
            "order.buyer.referenceBuyerId",
            buyer.and_then(|b| id(&b.reference_buyer_id)),
        ),
        ("order.buyer.buyerId", buyer.and_then(|b| id(&b.buyer_id))),
        ("userId", id(&body.user_id)),
    ];
    // `""` is absent, as for every optional id of the open API ([`id`]).
    for (field, value) in candidates {
        let Some(id) = value else { continue };
        if id.len() > 64 || state.store.user(id)?.is_none() {
            return Err(ApiError::param(format!(
                "{field}: unknown buyer {id:?}; use the customerId from applyToken (sandbox users: GET /sandbox/users)"
            )));
        }
        return Ok(Some(id.to_string()));
    }
    Ok(None)
}
