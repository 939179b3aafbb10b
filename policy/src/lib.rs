//! The definitions the mini program runtime (the shim, in wasm) and the super app (the
//! sandbox, native) must agree on, kept in one place so they cannot drift:
//!
//! - the **request-domain whitelist**: the grammar of an entry ([`WhitelistEntry::parse`]),
//!   how a request URL's scheme, host and port are read ([`Origin::parse_url`]), and which
//!   URLs an entry lets through ([`WhitelistEntry::matches`], [`Whitelist::allows`]);
//!   docs/protocol.md §3 "The domain whitelist" is the written form;
//! - the **silent scopes** of `my.getAuthCode` ([`SILENT_SCOPES`], [`is_silent`]);
//! - how an error message quotes a value ([`Quoted`]).
//!
//! [`cases`] holds the one table of whitelist cases that every side runs: this crate's
//! tests, the shim's request-URL check and the sandbox's relay over HTTP.
//!
//! Plain Rust without dependencies, for the host and for `wasm32-unknown-unknown`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cases;
mod host;
mod text;
mod whitelist;

pub use host::{Host, HostError};
pub use text::Quoted;
pub use whitelist::{
    EntryError, EntryProblem, HostPattern, Origin, Scheme, UrlError, Whitelist, WhitelistEntry,
};

/// Scopes a super app grants without asking the user: they reveal the user id only
/// (docs/protocol.md §5b). Any other scope shows the consent prompt.
///
/// As the wallets' `my.getAuthCode` docs have it: `auth_base` is the silent scope ("all the
/// other scopes are used for proactive user authorization"), and `USER_ID` is its
/// fine-grained twin where a wallet lists it. The login-id scopes (`USER_LOGIN_ID`,
/// `HASH_LOGIN_ID`, `PLAINTEXT_USER_LOGIN_ID`) are not in that list, so they ask.
pub const SILENT_SCOPES: &[&str] = &["auth_base", "USER_ID"];

/// Whether `scope` is granted without a consent prompt (exact, case-sensitive name, as the
/// scopes are written in the docs).
pub fn is_silent(scope: &str) -> bool {
    SILENT_SCOPES.contains(&scope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_user_id_scopes_are_silent() {
        assert!(is_silent("auth_base"));
        assert!(is_silent("USER_ID"));
        for scope in [
            "auth_user",
            "AUTH_BASE",
            "user_id",
            "",
            "USER_NICKNAME",
            "USER_LOGIN_ID",
            "HASH_LOGIN_ID",
            "PLAINTEXT_USER_LOGIN_ID",
            "USER_GENDER",
            "USER_BIRTHDAY",
            "USER_NATIONALITY",
        ] {
            assert!(!is_silent(scope), "{scope}");
        }
    }
}
