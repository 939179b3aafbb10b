//! `my.getAuthCode` (docs/protocol.md §5b): which scopes a mini program asks for, whether the super app
//! may grant them silently, and what the call answers once the super app has decided.

use crate::encoding::Quoted;
use crate::error::ApiError;

/// Scopes granted without asking the user (user id only): the list the sandbox and the
/// simulator use too (`miniprogram-policy`).
pub use miniprogram_policy::SILENT_SCOPES;

/// Longest scope name accepted.
const MAX_SCOPE_LEN: usize = 64;

/// The scopes of one `getAuthCode` call: at least one, each a plain name, no duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// `scopes` as given: absent → `['auth_base']` (the documented default); a string is one
    /// scope; a list keeps its order and drops repeats. Error 2 names what is wrong.
    pub fn parse(given: Option<Vec<String>>) -> Result<Self, ApiError> {
        let Some(list) = given else {
            return Ok(Scopes(vec!["auth_base".to_owned()]));
        };
        if list.is_empty() {
            return Err(ApiError::invalid("scopes", "must name at least one scope"));
        }
        let mut scopes: Vec<String> = Vec::with_capacity(list.len());
        for (i, scope) in list.into_iter().enumerate() {
            let scope = scope.trim().to_owned();
            let ok = !scope.is_empty()
                && scope.len() <= MAX_SCOPE_LEN
                && scope
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
            if !ok {
                return Err(ApiError::invalid(
                    format!("scopes[{i}]"),
                    format!(
                        "{} is not a scope name (letters, digits, '_', at most {MAX_SCOPE_LEN})",
                        Quoted(&scope)
                    ),
                ));
            }
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        Ok(Scopes(scopes))
    }

    /// Whether the super app grants these without a consent prompt.
    pub fn is_silent(&self) -> bool {
        self.0.iter().all(|s| miniprogram_policy::is_silent(s))
    }

    /// The scope names in order.
    pub fn names(&self) -> &[String] {
        &self.0
    }

    /// `a,b,c` for a URL query (names are URL-safe by construction).
    pub fn joined(&self) -> String {
        self.0.join(",")
    }
}

/// What the super app answered (consent page or shell), before it becomes the call's result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthAnswer {
    /// The code, when at least one scope was granted.
    pub auth_code: Option<String>,
    /// Granted scopes.
    pub success_scopes: Vec<String>,
    /// Refused scopes with their error codes (`"10001"` the user declined, `"40006"` not
    /// available to this app).
    pub error_scopes: Vec<(String, String)>,
}

/// A granted `getAuthCode`: `{ authCode, authSuccessScopes, authErrorScopes? }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthGrant {
    /// The single-use code for the mini program's server (`applyToken`).
    pub auth_code: String,
    /// Granted scopes.
    pub success_scopes: Vec<String>,
    /// Scopes refused while others were granted (empty when all were granted).
    pub error_scopes: Vec<(String, String)>,
}

impl AuthAnswer {
    /// A code with at least one granted scope is success; anything else is fail 11
    /// (`USER_CANCEL`), whose fail object also carries `authErrorScopes`.
    pub fn into_grant(
        self,
        asked: &Scopes,
    ) -> Result<AuthGrant, (ApiError, Vec<(String, String)>)> {
        match self.auth_code.filter(|c| !c.is_empty()) {
            Some(auth_code) if !self.success_scopes.is_empty() => Ok(AuthGrant {
                auth_code,
                success_scopes: self.success_scopes,
                error_scopes: self.error_scopes,
            }),
            _ => {
                let errors = if self.error_scopes.is_empty() {
                    asked
                        .names()
                        .iter()
                        .map(|s| (s.clone(), "10001".to_owned()))
                        .collect()
                } else {
                    self.error_scopes
                };
                Err((ApiError::UserCancelled, errors))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Option<Vec<String>> {
        Some(items.iter().map(|s| s.to_string()).collect())
    }

    /// Given scopes, the parsed names, whether they are silent.
    type ParseCase = (Option<Vec<String>>, &'static [&'static str], bool);

    #[test]
    fn parses_scopes_with_the_documented_default() {
        let cases: &[ParseCase] = &[
            (None, &["auth_base"], true),
            (list(&["auth_base"]), &["auth_base"], true),
            (
                list(&["USER_ID", "auth_base", "USER_ID"]),
                &["USER_ID", "auth_base"],
                true,
            ),
            (list(&["auth_user"]), &["auth_user"], false),
            (
                list(&[" auth_base ", "USER_NICKNAME"]),
                &["auth_base", "USER_NICKNAME"],
                false,
            ),
        ];
        for (given, names, silent) in cases {
            let scopes = Scopes::parse(given.clone()).expect("valid");
            assert_eq!(scopes.names(), *names);
            assert_eq!(scopes.is_silent(), *silent, "{names:?}");
        }
        assert_eq!(
            Scopes::parse(list(&["a", "b"])).expect("valid").joined(),
            "a,b"
        );
    }

    #[test]
    fn rejects_empty_or_malformed_scopes_naming_the_entry() {
        let cases: &[(Option<Vec<String>>, &str)] = &[
            (
                list(&[]),
                "invalid parameter `scopes`: must name at least one scope",
            ),
            (list(&["auth_base", ""]), "invalid parameter `scopes[1]`"),
            (list(&["auth base"]), "invalid parameter `scopes[0]`"),
            (list(&["a&b=c"]), "invalid parameter `scopes[0]`"),
        ];
        for (given, message) in cases {
            let err = Scopes::parse(given.clone()).expect_err(message);
            assert_eq!(err.code(), 2);
            assert!(err.to_string().starts_with(message), "{err}");
        }
    }

    #[test]
    fn a_code_with_granted_scopes_is_success_and_anything_else_is_user_cancel() {
        let asked = Scopes::parse(list(&["auth_user", "SEND_MESSAGE"])).expect("valid");
        let granted = AuthAnswer {
            auth_code: Some("C1".into()),
            success_scopes: vec!["auth_user".into()],
            error_scopes: vec![("SEND_MESSAGE".into(), "40006".into())],
        }
        .into_grant(&asked)
        .expect("granted");
        assert_eq!(granted.auth_code, "C1");
        assert_eq!(
            granted.error_scopes,
            vec![("SEND_MESSAGE".to_owned(), "40006".to_owned())]
        );

        let (err, scopes) = AuthAnswer::default()
            .into_grant(&asked)
            .expect_err("declined");
        assert_eq!((err.code(), err.to_string().as_str()), (11, "USER_CANCEL"));
        assert_eq!(
            scopes,
            vec![
                ("auth_user".to_owned(), "10001".to_owned()),
                ("SEND_MESSAGE".to_owned(), "10001".to_owned())
            ]
        );
        let no_scopes = AuthAnswer {
            auth_code: Some("C2".into()),
            ..AuthAnswer::default()
        };
        assert!(
            no_scopes.into_grant(&asked).is_err(),
            "a code without scopes is no grant"
        );
    }
}
