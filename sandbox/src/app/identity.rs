//! Identity over the store: the signed-in user, and who pays a balance payment.

use super::AppState;
use crate::domain::auth_setting;
use crate::domain::identity;
use crate::domain::identity::AuthError;
use crate::store::{
    Credential, GrantRow, MiniProgramRow, NewTokens, PaymentRow, StoreError, UserRow,
};

/// The signed-in user: the one the session names, else the default (Alice), else the first.
pub fn session_user(state: &AppState) -> Result<Option<UserRow>, StoreError> {
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
    /// As the cashier's view names it (`payer.source`).
    pub fn as_str(self) -> &'static str {
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
pub fn bound_buyer(state: &AppState, p: &PaymentRow) -> Result<Option<UserRow>, StoreError> {
    let Some(id) = &p.buyer_id else {
        return Ok(None);
    };
    if !state.store.merchant_has_grant(&p.client_id, id)? {
        return Ok(None);
    }
    state.store.user(id)
}

/// The buyer a gateway trade (`alipay.trade.create`) was created for, when it names one: that
/// trade is that buyer's to pay, as the wallet's cashier runs in the buyer's own app.
pub fn trade_buyer(state: &AppState, p: &PaymentRow) -> Result<Option<String>, StoreError> {
    let Some(buyer) = &p.buyer_id else {
        return Ok(None);
    };
    Ok(state.store.trade(&p.payment_id)?.map(|_| buyer.clone()))
}

/// Who pays a payment by balance, and why: who was debited, else (a gateway trade created for
/// a buyer) that buyer when signed in and nobody otherwise, else its bound buyer
/// ([`bound_buyer`]), else the signed-in user.
pub fn payer(
    state: &AppState,
    p: &PaymentRow,
) -> Result<Option<(UserRow, PayerSource)>, StoreError> {
    if let Some(id) = state.store.payment_payer(&p.payment_id)? {
        if let Some(u) = state.store.user(&id)? {
            return Ok(Some((u, PayerSource::Paid)));
        }
    }
    if let Some(buyer) = trade_buyer(state, p)? {
        return Ok(session_user(state)?
            .filter(|u| u.user_id == buyer)
            .map(|u| (u, PayerSource::Buyer)));
    }
    if let Some(u) = bound_buyer(state, p)? {
        return Ok(Some((u, PayerSource::Buyer)));
    }
    Ok(session_user(state)?.map(|u| (u, PayerSource::SignedIn)))
}

/// Records the signed-in `user`'s consent decision for `app` and, when it grants a scope, mints
/// an auth code bound to the app's merchant (valid [`identity::CODE_TTL_MS`]).
pub fn decide(
    state: &AppState,
    app: &MiniProgramRow,
    user: &UserRow,
    scopes: Vec<String>,
    allow: bool,
) -> Result<GrantRow, StoreError> {
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
    state.store.write(|tx| {
        use crate::store::{auth_settings, identity as sql};
        sql::insert_grant(tx, &grant)?;
        let (app_id, user_id) = (&grant.app_id, &grant.user_id);
        if allow {
            let remembered: Vec<String> = grant
                .success_scopes
                .iter()
                .filter(|s| auth_setting::is_remembered(s))
                .cloned()
                .collect();
            auth_settings::set(tx, user_id, app_id, &remembered, true, now)?;
        } else {
            // Declining the prompt refuses what it asked for, not what was granted before.
            let before = auth_settings::load(tx, user_id, app_id)?;
            let refused: Vec<String> = auth_setting::scopes_to_ask(&grant.scopes, &before)
                .into_iter()
                .filter(|s| auth_setting::is_remembered(s))
                .cloned()
                .collect();
            auth_settings::set(tx, user_id, app_id, &refused, false, now)?;
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(grant)
}

/// The scopes of `requested` the consent page must ask `user` for before `app` gets a code:
/// those that need consent and that the user has not granted the app
/// ([`auth_setting::scopes_to_ask`]). Empty: the code is minted without asking.
pub fn scopes_to_ask(
    state: &AppState,
    app: &MiniProgramRow,
    user: &UserRow,
    requested: &[String],
) -> Result<Vec<String>, StoreError> {
    let remembered = state.store.authorizations(&user.user_id, &app.app_id)?;
    Ok(auth_setting::scopes_to_ask(requested, &remembered)
        .into_iter()
        .cloned()
        .collect())
}

/// Why a settings change was refused; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The change itself is not valid (a field named in the message).
    #[error(transparent)]
    Invalid(#[from] auth_setting::SettingError),
    /// A scope the user never decided on for this app: it is not in the app's settings.
    #[error("authSetting.{scope}: app {app_id} has not asked for it; its settings list only what it asked for")]
    NotAsked {
        /// The scope.
        scope: String,
        /// The app.
        app_id: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Turns off the scopes `change` names (`{ "<scope or alias>": false }`) for `user` and `app`,
/// in one transaction, all or none: a scope the app never asked for refuses the whole change.
/// Returns the app's authorizations after the change.
pub fn revoke(
    state: &AppState,
    app_id: &str,
    user: &UserRow,
    change: Option<&serde_json::Value>,
) -> Result<Vec<auth_setting::Authorization>, SettingsError> {
    let scopes = auth_setting::parse_revocations(change)?;
    let now = state.clock.now_ms();
    state.store.write(|tx| {
        use crate::store::auth_settings;
        let before = auth_settings::load(tx, &user.user_id, app_id)?;
        if let Some(scope) = scopes
            .iter()
            .find(|s| !before.iter().any(|a| &a.scope == *s))
        {
            return Err(SettingsError::NotAsked {
                scope: scope.clone(),
                app_id: app_id.to_string(),
            });
        }
        auth_settings::set(tx, &user.user_id, app_id, &scopes, false, now)?;
        Ok(auth_settings::load(tx, &user.user_id, app_id)?)
    })
}

/// What `applyToken` exchanges for a new token pair.
#[derive(Debug, Clone, Copy)]
pub enum Exchange<'a> {
    /// `AUTHORIZATION_CODE`: an auth code, used once.
    Code(&'a str),
    /// `REFRESH_TOKEN`: a refresh token, spent once.
    Refresh(&'a str),
}

/// Why an exchange was refused.
#[derive(Debug, thiserror::Error)]
pub enum RedeemError {
    /// The code or token may not be exchanged (unknown, another merchant's, used, expired).
    #[error(transparent)]
    Refused(AuthError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Exchanges a code or a refresh token of merchant `client_id` for `tokens` at `now`, in one
/// transaction: it is read, checked ([`identity::check_code`], [`identity::check_refresh`]),
/// spent and the pair stored, so a code is good for one exchange however many race for it.
pub fn redeem(
    state: &AppState,
    exchange: Exchange<'_>,
    client_id: &str,
    tokens: &NewTokens,
    now: i64,
) -> Result<Credential, RedeemError> {
    state.store.write(|tx| {
        use crate::store::identity as sql;
        let (found, checked) = match exchange {
            Exchange::Code(code) => {
                let found = sql::code_credential(tx, code)?;
                let checked = identity::check_code(found.as_ref(), client_id, now);
                (found, checked)
            }
            Exchange::Refresh(token) => {
                let found = sql::refresh_credential(tx, token)?;
                let checked = identity::check_refresh(found.as_ref(), client_id, now);
                (found, checked)
            }
        };
        checked.map_err(RedeemError::Refused)?;
        let Some(c) = found else {
            // The checks refuse an unknown code or token; this only keeps the types honest.
            return Err(RedeemError::Refused(match exchange {
                Exchange::Code(_) => AuthError::InvalidCode,
                Exchange::Refresh(_) => AuthError::InvalidRefreshToken,
            }));
        };
        match exchange {
            Exchange::Code(code) => sql::spend_code(tx, code, &c, tokens, now)?,
            Exchange::Refresh(token) => sql::spend_refresh(tx, token, &c, tokens, now)?,
        }
        Ok(c)
    })
}

impl From<rusqlite::Error> for SettingsError {
    fn from(e: rusqlite::Error) -> Self {
        SettingsError::Store(StoreError::Sqlite(e))
    }
}
