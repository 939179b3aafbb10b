//! The ids and secrets the wallet mints: payment and refund ids, merchant client ids, and the
//! unguessable secrets (cashier tokens, auth codes, access and refresh tokens).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::{Rng, RngCore};

use crate::domain::clock;

/// A new payment id: the date and 16 random digits.
pub fn new_payment_id(now: i64) -> String {
    let date: String = clock::format_api(now)
        .chars()
        .filter(|c| c.is_ascii_digit())
        .take(8)
        .collect();
    let n: u64 = rand::thread_rng().gen_range(0..10_000_000_000_000_000);
    format!("{date}{n:016}")
}

/// A new secret (cashier token, auth code, access or refresh token): 32 random bytes,
/// base64url.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A new merchant client id: `SANDBOX_` and 16 random upper-case letters and digits.
pub fn new_client_id() -> String {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    let mut rng = rand::thread_rng();
    let tail: String = (0..16)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect();
    format!("SANDBOX_{tail}")
}

/// Whether a secret given by a caller is the expected one, compared without an early exit.
pub fn secrets_match(expected: &str, given: &str) -> bool {
    let (a, b) = (expected.as_bytes(), given.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_ids_and_secrets_look_right() {
        let id = new_payment_id(clock::parse("2026-11-27T00:00:00Z").unwrap());
        assert!(id.starts_with("20261127") && id.len() == 24, "{id}");
        assert_eq!(new_secret().len(), 43);
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(secrets_match("abc", "abc"));
        assert!(!secrets_match("abc", "abd"));
        assert!(!secrets_match("abc", "ab"));
        assert!(!secrets_match("abc", ""));
    }
}
