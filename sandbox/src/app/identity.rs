//! Identity over the store: the signed-in user, and who pays a balance payment.

use super::AppState;
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

/// Who pays a payment by balance, and why: who was debited, else its bound buyer
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
    state.store.insert_grant(&grant)?;
    Ok(grant)
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
