//! The authorizations a user gave a mini program (`my.getSetting`, `my.openSetting`;
//! docs/protocol.md §5c): one remembered state per (user, appId, scope), the `authSetting`
//! object a mini program reads, and the rules for changing it.
//!
//! ```text
//! consent page: Allow ──▶ granted (the next getAuthCode for it does not ask)
//! consent page: Deny  ──▶ refused (asks again next time)
//! settings sheet: off ──▶ refused (asks again next time)
//! ```
//!
//! Only a scope that needs the user's consent is remembered: a silent one
//! ([`miniprogram_policy::is_silent`]) is granted without asking and has nothing to revoke.
//! Turning a scope back on is never a settings call: only the consent page grants.

use serde_json::{Map, Value};

use crate::domain::identity::KNOWN_SCOPES;

/// Alipay's `authSetting` keys that stand for one of our scopes: `userInfo` is the user's
/// profile (`auth_user`: nickname, avatar), `phoneNumber` the mobile number
/// (`PLAINTEXT_MOBILE_PHONE`). Every other remembered scope appears under its own name.
pub const ALIASES: &[(&str, &str)] = &[
    ("userInfo", "auth_user"),
    ("phoneNumber", "PLAINTEXT_MOBILE_PHONE"),
];

/// At most this many keys in one settings change.
pub const MAX_CHANGES: usize = 40;

/// One remembered authorization of a (user, app).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The scope (`auth_user`, `USER_NAME`, …).
    pub scope: String,
    /// True: the user allowed it; false: declined in the consent page or turned off since.
    pub granted: bool,
    /// When it last changed (ms).
    pub updated_at: i64,
}

/// Why a settings change was refused (nothing is stored).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    /// `authSetting` is missing or not an object.
    #[error("authSetting: required, an object of scope → false, e.g. {{\"userInfo\": false}}")]
    NotAnObject,
    /// No key, or too many.
    #[error("authSetting: from 1 to {MAX_CHANGES} scopes")]
    Count,
    /// A key that is neither a scope of the sandbox nor one of Alipay's keys for one.
    #[error("authSetting.{0}: unknown scope (known: userInfo, phoneNumber, {known})", known = KNOWN_SCOPES.join(", "))]
    UnknownScope(String),
    /// A silent scope: granted without asking, so there is nothing to turn off.
    #[error("authSetting.{0}: a silent scope (granted without asking); it cannot be turned off")]
    Silent(String),
    /// `true`: only the consent page grants.
    #[error("authSetting.{0}: only false; a scope is granted again only in the consent page (the app calls my.getAuthCode)")]
    GrantRefused(String),
    /// Not a boolean.
    #[error("authSetting.{0}: must be false")]
    NotBoolean(String),
}

/// What a scope lets the app do, in the words the consent page uses (`www/consent/consent.js`),
/// for the settings sheet.
pub fn label(scope: &str) -> &'static str {
    match scope {
        "auth_user" => "Know who you are: your user id, nickname and avatar",
        "USER_NICKNAME" => "See your nickname",
        "USER_AVATAR" => "See your avatar",
        "USER_NAME" => "See your name",
        "USER_LOGIN_ID" => "See your login id (mobile number or email), partly hidden",
        "HASH_LOGIN_ID" => "Recognise your login id (a one-way hash of it, not the id itself)",
        "PLAINTEXT_USER_LOGIN_ID" => "See your login id (mobile number or email) in full",
        "USER_GENDER" => "See your gender",
        "USER_BIRTHDAY" => "See your date of birth",
        "USER_NATIONALITY" => "See your nationality",
        "USER_CONTACTINFO" => "See your mobile number and email",
        "PLAINTEXT_MOBILE_PHONE" => "See your mobile number",
        "auth_base" | "USER_ID" => "Know your user id",
        _ => "A scope this sandbox does not describe",
    }
}

/// The scope a key of `authSetting` names: an alias's scope, or the key itself.
pub fn scope_of(key: &str) -> &str {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == key)
        .map_or(key, |(_, scope)| scope)
}

/// Whether a scope's decision is remembered: a scope of the sandbox that needs consent.
pub fn is_remembered(scope: &str) -> bool {
    KNOWN_SCOPES.contains(&scope) && !miniprogram_policy::is_silent(scope)
}

/// The scopes of `requested` the consent page must still ask for: those that need consent and
/// that the user has not granted this app (never asked, declined or turned off).
pub fn scopes_to_ask<'a>(requested: &'a [String], remembered: &[Authorization]) -> Vec<&'a String> {
    requested
        .iter()
        .filter(|s| !miniprogram_policy::is_silent(s))
        .filter(|s| {
            !remembered
                .iter()
                .any(|a| a.granted && a.scope == s.as_str())
        })
        .collect()
}

/// The `authSetting` of `my.getSetting`: every remembered scope under its own name, and
/// Alipay's key for it too when it has one ([`ALIASES`]). Only what the app asked for appears.
pub fn auth_setting(remembered: &[Authorization]) -> Map<String, Value> {
    let mut out = Map::new();
    for (alias, scope) in ALIASES {
        if let Some(a) = remembered.iter().find(|a| a.scope == *scope) {
            out.insert((*alias).to_string(), Value::Bool(a.granted));
        }
    }
    for a in remembered {
        out.insert(a.scope.clone(), Value::Bool(a.granted));
    }
    out
}

/// Reads a settings change, `{ "<scope or alias>": false, … }`, into the scopes to turn off
/// (each once, in the keys' order). Every key is checked before anything is stored.
pub fn parse_revocations(v: Option<&Value>) -> Result<Vec<String>, SettingError> {
    let Some(Value::Object(map)) = v else {
        return Err(SettingError::NotAnObject);
    };
    if map.is_empty() || map.len() > MAX_CHANGES {
        return Err(SettingError::Count);
    }
    let mut scopes: Vec<String> = Vec::new();
    for (key, value) in map {
        let scope = scope_of(key);
        if !KNOWN_SCOPES.contains(&scope) {
            return Err(SettingError::UnknownScope(key.clone()));
        }
        if miniprogram_policy::is_silent(scope) {
            return Err(SettingError::Silent(key.clone()));
        }
        match value {
            Value::Bool(false) => {}
            Value::Bool(true) => return Err(SettingError::GrantRefused(key.clone())),
            _ => return Err(SettingError::NotBoolean(key.clone())),
        }
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_string());
        }
    }
    Ok(scopes)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn auth(scope: &str, granted: bool) -> Authorization {
        Authorization {
            scope: scope.into(),
            granted,
            updated_at: 0,
        }
    }

    #[test]
    fn only_scopes_not_granted_are_asked() {
        let req: Vec<String> = ["auth_base", "auth_user", "USER_NAME", "USER_GENDER"]
            .map(String::from)
            .to_vec();
        let remembered = [
            auth("auth_user", true),
            auth("USER_NAME", false),
            auth("USER_BIRTHDAY", true),
        ];
        assert_eq!(
            scopes_to_ask(&req, &remembered),
            ["USER_NAME", "USER_GENDER"]
        );
        assert!(scopes_to_ask(&req[..2], &remembered).is_empty());
        assert_eq!(
            scopes_to_ask(&req, &[]),
            ["auth_user", "USER_NAME", "USER_GENDER"]
        );
    }

    #[test]
    fn auth_setting_names_each_scope_and_alipays_key_for_it() {
        let s = auth_setting(&[
            auth("auth_user", true),
            auth("PLAINTEXT_MOBILE_PHONE", false),
            auth("USER_NAME", true),
        ]);
        assert_eq!(
            Value::Object(s),
            json!({"userInfo": true, "auth_user": true, "phoneNumber": false,
                   "PLAINTEXT_MOBILE_PHONE": false, "USER_NAME": true})
        );
        assert_eq!(Value::Object(auth_setting(&[])), json!({}));
    }

    #[test]
    fn a_change_turns_scopes_off_and_names_a_bad_key() {
        let ok = parse_revocations(Some(&json!({"userInfo": false, "auth_user": false,
            "USER_NAME": false})));
        assert_eq!(ok.unwrap(), ["USER_NAME", "auth_user"]);
        for (body, err) in [
            (json!(null), SettingError::NotAnObject),
            (json!(["userInfo"]), SettingError::NotAnObject),
            (json!({}), SettingError::Count),
            (
                json!({"camera": false}),
                SettingError::UnknownScope("camera".into()),
            ),
            (
                json!({"auth_base": false}),
                SettingError::Silent("auth_base".into()),
            ),
            (
                json!({"userInfo": true}),
                SettingError::GrantRefused("userInfo".into()),
            ),
            (
                json!({"USER_NAME": "off"}),
                SettingError::NotBoolean("USER_NAME".into()),
            ),
            (
                json!({"USER_NAME": 0}),
                SettingError::NotBoolean("USER_NAME".into()),
            ),
        ] {
            assert_eq!(parse_revocations(Some(&body)), Err(err.clone()), "{body}");
            assert!(err.to_string().starts_with("authSetting"), "{err}");
        }
        assert_eq!(parse_revocations(None), Err(SettingError::NotAnObject));
        let many: Map<String, Value> = (0..=MAX_CHANGES)
            .map(|i| (format!("k{i}"), json!(false)))
            .collect();
        assert_eq!(
            parse_revocations(Some(&Value::Object(many))),
            Err(SettingError::Count)
        );
    }

    #[test]
    fn silent_and_unknown_scopes_are_not_remembered() {
        assert!(is_remembered("auth_user"));
        assert!(is_remembered("USER_CONTACTINFO"));
        assert!(!is_remembered("auth_base"));
        assert!(!is_remembered("USER_ID"));
        assert!(!is_remembered("HEALTH_DATA"));
    }
}
