//! User identity (DESIGN.md "User identity (issue 5)"): scopes, auth codes, access and refresh
//! tokens, what `inquiryUserInfo` may reveal, balances, and the avatars the sandbox draws.
//! Plain functions over [`crate::store`] rows; the routes are in [`crate::http::identity`].
//!
//! ```text
//! consent (allow) ──▶ auth code (5 min, single use, bound to app + merchant + user + scopes)
//!     applyToken AUTHORIZATION_CODE ──▶ access token (1 h) + refresh token (30 d)
//!     applyToken REFRESH_TOKEN ──▶ a new pair; the spent refresh token is refused afterwards
//! ```

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::domain::amount::{Currency, MAX_VALUE};

/// An auth code lives 5 minutes.
pub const CODE_TTL_MS: i64 = 5 * 60 * 1000;
/// An access token lives 1 hour.
pub const ACCESS_TTL_MS: i64 = 60 * 60 * 1000;
/// A refresh token lives 30 days.
pub const REFRESH_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// Alice, signed in on first start.
pub const DEFAULT_USER_ID: &str = "2088000000000001";
/// The settings key of the signed-in user.
pub const SESSION_SETTING: &str = "session_user_id";
/// `paymentFailReason` of a balance payment the payer cannot afford.
pub const REASON_INSUFFICIENT_BALANCE: &str = "INSUFFICIENT_BALANCE";
/// `authErrorScopes` code of a scope the user declined.
pub const SCOPE_DECLINED: &str = "10001";
/// `authErrorScopes` code of a scope the sandbox does not grant.
pub const SCOPE_NOT_GRANTED: &str = "40006";

/// Every scope the sandbox grants.
pub const KNOWN_SCOPES: &[&str] = &[
    "auth_base",
    "USER_ID",
    "auth_user",
    "USER_NICKNAME",
    "USER_AVATAR",
    "USER_NAME",
    "USER_LOGIN_ID",
    "HASH_LOGIN_ID",
    "PLAINTEXT_USER_LOGIN_ID",
    "USER_GENDER",
    "USER_BIRTHDAY",
    "USER_NATIONALITY",
    "USER_CONTACTINFO",
    "PLAINTEXT_MOBILE_PHONE",
];

/// Scopes granted without asking the user (the user id only): the shim's list.
pub use miniprogram_policy::SILENT_SCOPES;

/// Why an auth code or token is refused: each is an `F` result of the open API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// Unknown code, or another merchant's.
    #[error("the auth code is not valid for this Client-Id")]
    InvalidCode,
    /// The code was redeemed before (codes are single use).
    #[error("the auth code was already used; ask the user for a new one (my.getAuthCode)")]
    UsedCode,
    /// The code is older than 5 minutes.
    #[error("the auth code expired (codes are valid for 5 minutes)")]
    ExpiredCode,
    /// Unknown, spent (rotated) or another merchant's refresh token.
    #[error("the refresh token is not valid for this Client-Id, or was already used")]
    InvalidRefreshToken,
    /// The refresh token is older than 30 days.
    #[error("the refresh token expired; sign the user in again")]
    ExpiredRefreshToken,
    /// Unknown access token, or another merchant's.
    #[error("the access token is not valid for this Client-Id")]
    InvalidAccessToken,
    /// The access token is older than 1 hour.
    #[error("the access token expired; refresh it (applyToken with grantType REFRESH_TOKEN)")]
    AccessTokenExpired,
}

impl AuthError {
    /// The `resultCode`.
    pub fn code(self) -> &'static str {
        match self {
            AuthError::InvalidCode => "INVALID_CODE",
            AuthError::UsedCode => "USED_CODE",
            AuthError::ExpiredCode => "EXPIRED_CODE",
            AuthError::InvalidRefreshToken => "INVALID_REFRESH_TOKEN",
            AuthError::ExpiredRefreshToken => "EXPIRED_REFRESH_TOKEN",
            AuthError::InvalidAccessToken => "INVALID_ACCESS_TOKEN",
            AuthError::AccessTokenExpired => "ACCESS_TOKEN_EXPIRED",
        }
    }
}

/// Decides on an auth code presented by merchant `client_id` at `now`.
pub fn check_code(code: Option<&Credential>, client_id: &str, now: i64) -> Result<(), AuthError> {
    match code {
        None => Err(AuthError::InvalidCode),
        Some(c) if c.client_id != client_id => Err(AuthError::InvalidCode),
        Some(c) if c.used_at.is_some() => Err(AuthError::UsedCode),
        Some(c) if now >= c.expires_at => Err(AuthError::ExpiredCode),
        Some(_) => Ok(()),
    }
}

/// Decides on a refresh token presented by merchant `client_id` at `now`.
pub fn check_refresh(
    token: Option<&Credential>,
    client_id: &str,
    now: i64,
) -> Result<(), AuthError> {
    match token {
        None => Err(AuthError::InvalidRefreshToken),
        Some(t) if t.client_id != client_id || t.used_at.is_some() => {
            Err(AuthError::InvalidRefreshToken)
        }
        Some(t) if now >= t.expires_at => Err(AuthError::ExpiredRefreshToken),
        Some(_) => Ok(()),
    }
}

/// Decides on an access token presented by merchant `client_id` at `now`.
pub fn check_access(
    token: Option<&Credential>,
    client_id: &str,
    now: i64,
) -> Result<(), AuthError> {
    match token {
        None => Err(AuthError::InvalidAccessToken),
        Some(t) if t.client_id != client_id => Err(AuthError::InvalidAccessToken),
        Some(t) if now >= t.expires_at => Err(AuthError::AccessTokenExpired),
        Some(_) => Ok(()),
    }
}

/// Reads `scopes`: an array of strings or one string (comma-separated allowed); at least one,
/// duplicates dropped, order kept.
pub fn parse_scopes(v: Option<&Value>) -> Result<Vec<String>, String> {
    let raw: Vec<String> = match v {
        None | Some(Value::Null) => return Err("scopes: is required".into()),
        Some(Value::String(s)) => s.split(',').map(|p| p.trim().to_string()).collect(),
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for item in items {
                match item {
                    Value::String(s) => out.push(s.trim().to_string()),
                    _ => return Err("scopes: must be an array of strings".into()),
                }
            }
            out
        }
        Some(_) => return Err("scopes: must be an array of strings".into()),
    };
    let mut scopes: Vec<String> = Vec::new();
    for s in raw.into_iter().filter(|s| !s.is_empty()) {
        if s.chars().count() > 64 {
            return Err("scopes: a scope is longer than 64 characters".into());
        }
        if !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    if scopes.is_empty() {
        return Err("scopes: at least one scope, e.g. [\"auth_base\"]".into());
    }
    if scopes.len() > 20 {
        return Err("scopes: at most 20".into());
    }
    Ok(scopes)
}

/// Splits requested scopes into granted ones and refused ones (`"40006"`: unknown here).
pub fn decide_scopes(requested: &[String]) -> (Vec<String>, BTreeMap<String, String>) {
    let mut granted = Vec::new();
    let mut refused = BTreeMap::new();
    for s in requested {
        if KNOWN_SCOPES.contains(&s.as_str()) {
            granted.push(s.clone());
        } else {
            refused.insert(s.clone(), SCOPE_NOT_GRANTED.to_string());
        }
    }
    (granted, refused)
}

/// Every requested scope declined by the user (`"10001"`).
pub fn declined_scopes(requested: &[String]) -> BTreeMap<String, String> {
    requested
        .iter()
        .map(|s| (s.clone(), SCOPE_DECLINED.to_string()))
        .collect()
}

/// The avatar URL of a user: its own, or the SVG the sandbox draws.
pub fn avatar_url(user: &UserRow, public_base: &str) -> String {
    user.avatar
        .clone()
        .unwrap_or_else(|| format!("{public_base}/sandbox/avatars/{}.svg", user.user_id))
}

/// A user as the browser-facing endpoints show it; balances are strings of minor units.
pub fn user_json(user: &UserRow, public_base: &str) -> Value {
    let balances: Map<String, Value> = user
        .balances
        .iter()
        .map(|(c, v)| (c.clone(), json!(v.to_string())))
        .collect();
    let mut v = json!({
        "userId": user.user_id,
        "nickName": user.nick_name,
        "fullName": user.full_name,
        "avatar": avatar_url(user, public_base),
        "mobile": user.mobile,
        "email": user.email,
        "gender": user.gender,
        "birthDate": user.birth_date,
        "nationality": user.nationality,
        "balances": balances,
    });
    if !user.invalid_balances.is_empty() {
        // A database from before the balance cap may hold an overflowed REAL: shown, never
        // used, until a PUT of that balance repairs it.
        v["invalidBalances"] = json!(user.invalid_balances);
        v["repair"] = json!(format!(
            "PUT /sandbox/users/{}/balances with a whole number of minor units, 0 to {MAX_VALUE}",
            user.user_id
        ));
    }
    v
}

/// Reads `{ "USD": "100000", "PHP": 0 }`: known currencies, whole minor units ≥ 0.
pub fn parse_balances(v: &Value) -> Result<Vec<(String, i64)>, String> {
    let Value::Object(map) = v else {
        return Err("balances: an object like {\"USD\": \"100000\"} (minor units)".into());
    };
    let mut out = Vec::new();
    for (currency, value) in map {
        if Currency::from_code(currency).is_none() {
            return Err(format!(
                "balances.{currency}: not an ISO 4217 currency code"
            ));
        }
        let n = match value {
            Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse::<i64>().ok()
            }
            Value::Number(n) => n.as_i64().filter(|n| *n >= 0),
            _ => None,
        };
        match n {
            Some(n) if n <= MAX_VALUE => out.push((currency.clone(), n)),
            _ => {
                return Err(format!(
                    "balances.{currency}: a whole number of minor units, 0 to {MAX_VALUE}, e.g. \"100000\""
                ))
            }
        }
    }
    Ok(out)
}

/// The `scheme://host[:port]` of an http(s) URL or origin; None for anything else (including
/// the opaque origin `null`).
pub fn origin_of(url: &str) -> Option<String> {
    reqwest::Url::parse(url.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| u.origin())
        .filter(|o| o.is_tuple())
        .map(|o| o.ascii_serialization())
}

/// True when a browser request may act as the super app (mint codes, confirm, configure): no
/// `Origin` (a tool), or one of the super app's own origins
/// ([`crate::http::perimeter::super_app_origins`]). Never because `Origin` equals `Host`: a page
/// whose DNS rebinds to the sandbox has both equal to its own name.
pub fn origin_allowed(origin: Option<&str>, super_app_origins: &[String]) -> bool {
    let Some(origin) = origin else {
        return true;
    };
    let origin = origin.trim().trim_end_matches('/');
    super_app_origins
        .iter()
        .any(|o| o.eq_ignore_ascii_case(origin))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A small SVG avatar: the user's initials on a colour derived from the user id.
pub fn avatar_svg(user: &UserRow) -> String {
    const COLOURS: &[&str] = &[
        "#1677ff", "#13a8a8", "#d4380d", "#7cb305", "#722ed1", "#c41d7f", "#d48806", "#08979c",
    ];
    let hash = user
        .user_id
        .bytes()
        .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
    let colour = COLOURS[hash % COLOURS.len()];
    let initials: String = user
        .nick_name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"96\" height=\"96\" viewBox=\"0 0 96 96\">\
<circle cx=\"48\" cy=\"48\" r=\"48\" fill=\"{colour}\"/>\
<text x=\"48\" y=\"48\" dy=\".35em\" text-anchor=\"middle\" font-family=\"system-ui,sans-serif\" \
font-size=\"40\" fill=\"#fff\">{}</text></svg>\n",
        xml_escape(&initials)
    )
}

/// A sandbox user with balances (minor units by currency code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// `2088…`, 16 digits.
    pub user_id: String,
    pub nick_name: String,
    /// Full name (`USER_NAME`).
    pub full_name: Option<String>,
    /// A custom avatar URL; None serves the generated SVG.
    pub avatar: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    /// `F` or `M` (`USER_GENDER`).
    pub gender: Option<String>,
    /// `YYYY-MM-DD` (`USER_BIRTHDAY`).
    pub birth_date: Option<String>,
    /// ISO 3166-1 alpha-2 (`USER_NATIONALITY`).
    pub nationality: Option<String>,
    /// Balance per currency, minor units (each in `0..=MAX_BALANCE`).
    pub balances: std::collections::BTreeMap<String, i64>,
    /// Stored balances that are not a whole number in `0..=MAX_BALANCE` (a database written
    /// by a sandbox before the cap, where an overflow left a REAL), as stored. Shown so they
    /// can be repaired with `PUT /sandbox/users/{id}/balances`; never debited or credited.
    pub invalid_balances: std::collections::BTreeMap<String, String>,
}

/// What an auth code or a token stands for: who, for which merchant, which scopes, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// The merchant it is bound to.
    pub client_id: String,
    /// The mini program it was issued for.
    pub app_id: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    /// Expiry (ms).
    pub expires_at: i64,
    /// When it was used (code) or spent by a refresh (refresh token).
    pub used_at: Option<i64>,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn cred(client: &str, expires_at: i64, used_at: Option<i64>) -> Credential {
        Credential {
            client_id: client.into(),
            app_id: "app".into(),
            user_id: "2088000000000001".into(),
            scopes: vec!["auth_base".into()],
            expires_at,
            used_at,
        }
    }

    /// The test user Alice, as the seed has her (shared by the domain's tests).
    pub(crate) fn alice() -> UserRow {
        UserRow {
            user_id: "2088000000000001".into(),
            nick_name: "Alice".into(),
            full_name: Some("Alice Tan".into()),
            avatar: None,
            mobile: Some("+1-202-555-0101".into()),
            email: Some("alice@example.com".into()),
            gender: Some("F".into()),
            birth_date: Some("1990-04-21".into()),
            nationality: Some("US".into()),
            balances: BTreeMap::new(),
            invalid_balances: BTreeMap::new(),
        }
    }

    #[test]
    fn codes_are_refused_when_unknown_foreign_used_or_expired() {
        let c = cred("M1", 1000, None);
        let cases = [
            (None, "M1", 0, Err(AuthError::InvalidCode)),
            (Some(&c), "M2", 0, Err(AuthError::InvalidCode)),
            (Some(&c), "M1", 999, Ok(())),
            (Some(&c), "M1", 1000, Err(AuthError::ExpiredCode)),
        ];
        for (code, client, now, want) in cases {
            assert_eq!(check_code(code, client, now), want, "{client} at {now}");
        }
        let used = cred("M1", 1000, Some(5));
        assert_eq!(check_code(Some(&used), "M1", 0), Err(AuthError::UsedCode));
        assert_eq!(
            check_code(Some(&used), "M2", 0),
            Err(AuthError::InvalidCode)
        );
    }

    #[test]
    fn tokens_are_refused_when_foreign_spent_or_expired() {
        let t = cred("M1", 1000, None);
        assert_eq!(check_refresh(Some(&t), "M1", 0), Ok(()));
        assert_eq!(
            check_refresh(Some(&t), "M2", 0),
            Err(AuthError::InvalidRefreshToken)
        );
        assert_eq!(
            check_refresh(Some(&cred("M1", 1000, Some(1))), "M1", 0),
            Err(AuthError::InvalidRefreshToken)
        );
        assert_eq!(
            check_refresh(Some(&t), "M1", 1000),
            Err(AuthError::ExpiredRefreshToken)
        );
        assert_eq!(check_access(Some(&t), "M1", 999), Ok(()));
        assert_eq!(
            check_access(Some(&t), "M1", 1000),
            Err(AuthError::AccessTokenExpired)
        );
        assert_eq!(
            check_access(Some(&t), "M2", 0),
            Err(AuthError::InvalidAccessToken)
        );
        assert_eq!(
            check_access(None, "M1", 0),
            Err(AuthError::InvalidAccessToken)
        );
    }

    #[test]
    fn scopes_parse_and_unknown_ones_are_refused() {
        assert_eq!(
            parse_scopes(Some(&json!("auth_base, auth_user"))).unwrap(),
            ["auth_base", "auth_user"]
        );
        assert_eq!(
            parse_scopes(Some(&json!(["auth_user", "auth_user"]))).unwrap(),
            ["auth_user"]
        );
        for bad in [json!([]), json!(""), json!([1]), json!({}), json!(3)] {
            assert!(parse_scopes(Some(&bad)).unwrap_err().starts_with("scopes"));
        }
        assert!(parse_scopes(None).is_err());
        let (granted, refused) = decide_scopes(&["auth_user".into(), "HEALTH_DATA".into()]);
        assert_eq!(granted, ["auth_user"]);
        assert_eq!(
            refused.get("HEALTH_DATA").map(String::as_str),
            Some("40006")
        );
    }

    #[test]
    fn origin_check_admits_tools_and_the_super_app_only() {
        let origins = crate::http::perimeter::super_app_origins("http://127.0.0.1:8700", 8700, &[]);
        assert!(origin_allowed(None, &origins));
        assert!(origin_allowed(Some("http://127.0.0.1:8700"), &origins));
        assert!(origin_allowed(Some("http://localhost:8700/"), &origins));
        assert!(!origin_allowed(Some("http://127.0.0.1:8701"), &origins));
        assert!(!origin_allowed(Some("null"), &origins));
        assert!(!origin_allowed(Some("http://evil.test"), &origins));
        // A rebinding page: its Origin and Host are both its own name.
        assert!(!origin_allowed(
            Some("http://attacker.example:8700"),
            &origins
        ));
    }

    #[test]
    fn balances_parse_strings_of_minor_units() {
        assert_eq!(
            parse_balances(&json!({"USD": "100000", "JPY": 5})).unwrap(),
            [("JPY".to_string(), 5), ("USD".to_string(), 100000)]
        );
        for bad in [
            json!({"XXX": "1"}),
            json!({"USD": "-1"}),
            json!({"USD": "1.5"}),
            json!({"USD": ""}),
            json!({"USD": -3}),
            json!({"USD": "9999999999999999999999"}),
            json!([1]),
        ] {
            assert!(parse_balances(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn avatars_are_svg_with_escaped_initials() {
        let mut u = alice();
        u.nick_name = "<b> &co".into();
        let svg = avatar_svg(&u);
        assert!(
            svg.starts_with("<svg") && svg.contains("&lt;&amp;"),
            "{svg}"
        );
        assert!(avatar_svg(&alice()).contains(">A</text>"));
    }
}
