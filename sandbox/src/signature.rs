//! Open API signatures: RSA PKCS#1 v1.5 with SHA-256 over
//! `"POST <path>\n<Client-Id>.<Request-Time>.<body>"`, base64, URL-encoded in the header
//! `Signature: algorithm=RSA256, keyVersion=1, signature=<sig>`.
//!
//! Liberal in what is accepted (URL-encoded or raw base64, spaces after commas, PKCS#1 or
//! PKCS#8 private keys, SPKI or PKCS#1 public keys, bare base64 DER), exact in what is sent.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{
    ParsedPublicKey, RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY, RSA_PKCS1_SHA256,
};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Characters escaped in the `signature=` value: everything but `A-Za-z0-9-_.~`.
const SIGNATURE_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Public keys from 1,024 to 8,192 bits verify (a merchant may still hold a 1,024-bit key);
/// private keys must have 2,048 to 8,192 bits (AWS-LC's range; the sandbox makes 2,048).
const PUBLIC_KEY_BITS: std::ops::RangeInclusive<usize> = 1024..=8192;

/// Why a key or signature could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    /// The key text is neither PKCS#1/PKCS#8 PEM nor base64 DER of an RSA key.
    #[error("not an RSA key in PEM (PKCS#1, PKCS#8 or SPKI) or base64 DER form")]
    BadKey,
    /// The `Signature` header is missing a part or has an unsupported algorithm.
    #[error("malformed Signature header: {0}")]
    BadHeader(String),
    /// The signature does not verify against the key and content.
    #[error("signature does not verify")]
    Mismatch,
    /// Signing failed (should not happen with a valid key).
    #[error("signing failed")]
    SignFailed,
}

/// The text that is signed: `"POST <path>\n<client_id>.<time>.<body>"`.
pub fn content_to_sign(path: &str, client_id: &str, time: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(path.len() + client_id.len() + time.len() + body.len() + 8);
    out.extend_from_slice(b"POST ");
    out.extend_from_slice(path.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(client_id.as_bytes());
    out.push(b'.');
    out.extend_from_slice(time.as_bytes());
    out.push(b'.');
    out.extend_from_slice(body);
    out
}

/// The label and DER of `-----BEGIN <label>-----` base64 `-----END <label>-----` (already
/// trimmed); whitespace and line length inside the base64 do not matter.
fn pem_decode(text: &str) -> Option<(&str, Vec<u8>)> {
    let (label, rest) = text.strip_prefix("-----BEGIN ")?.split_once("-----")?;
    let body = rest.strip_suffix(format!("-----END {label}-----").as_str())?;
    let der = STANDARD
        .decode(body.split_whitespace().collect::<String>())
        .ok()?;
    Some((label, der))
}

/// PEM with 64-character lines and LF endings, as the `rsa` crate wrote it before: key files
/// already in a data dir are rewritten byte for byte the same.
fn pem_encode(label: &str, der: &[u8]) -> String {
    let base64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    // Base64 is ASCII, so every 64-byte chunk is a valid string.
    for line in base64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The DER inside a key text: PEM whose label is one of `labels`, or bare base64.
fn key_der(text: &str, labels: &[&str]) -> Result<(Option<String>, Vec<u8>), SignatureError> {
    if text.starts_with("-----BEGIN") {
        match pem_decode(text) {
            Some((label, der)) if labels.contains(&label) => Ok((Some(label.to_string()), der)),
            _ => Err(SignatureError::BadKey),
        }
    } else {
        let der = STANDARD
            .decode(text.split_whitespace().collect::<String>())
            .map_err(|_| SignatureError::BadKey)?;
        Ok((None, der))
    }
}

/// A private key that signs (the wallet's, or a test merchant's).
#[derive(Clone)]
pub struct Signer {
    key: KeyPair,
    public: PublicKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(..)")
    }
}

impl Signer {
    /// Generates a fresh RSA-2048 key.
    pub fn generate() -> Result<Signer, SignatureError> {
        let key = KeyPair::generate(KeySize::Rsa2048).map_err(|_| SignatureError::BadKey)?;
        Signer::new(key)
    }

    fn new(key: KeyPair) -> Result<Signer, SignatureError> {
        // The public half as PKCS#1 `RSAPublicKey` DER, parsed once for verifying.
        let public = PublicKey::from_der(aws_lc_rs::signature::KeyPair::public_key(&key).as_ref())?;
        Ok(Signer { key, public })
    }

    /// Reads a private key: PKCS#8 or PKCS#1 PEM, or bare base64 of either DER.
    pub fn from_pem(text: &str) -> Result<Signer, SignatureError> {
        let (label, der) = key_der(text.trim(), &["PRIVATE KEY", "RSA PRIVATE KEY"])?;
        let key = match label.as_deref() {
            Some("PRIVATE KEY") => KeyPair::from_pkcs8(&der).ok(),
            Some(_) => KeyPair::from_der(&der).ok(),
            None => KeyPair::from_pkcs8(&der)
                .ok()
                .or_else(|| KeyPair::from_der(&der).ok()),
        };
        Signer::new(key.ok_or(SignatureError::BadKey)?)
    }

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), what `node:crypto` reads.
    pub fn private_pem(&self) -> String {
        AsDer::<Pkcs8V1Der>::as_der(&self.key)
            .map(|der| pem_encode("PRIVATE KEY", der.as_ref()))
            .unwrap_or_default()
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        self.public.clone()
    }

    /// Signs bytes (RSA PKCS#1 v1.5, SHA-256; AWS-LC blinds the private-key operation);
    /// returns the raw base64 signature.
    pub fn sign_base64(&self, content: &[u8]) -> Result<String, SignatureError> {
        let mut sig = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), content, &mut sig)
            .map_err(|_| SignatureError::SignFailed)?;
        Ok(STANDARD.encode(sig))
    }

    /// Signs an open API message and returns the full `Signature` header value.
    pub fn signature_header(
        &self,
        path: &str,
        client_id: &str,
        time: &str,
        body: &[u8],
    ) -> Result<String, SignatureError> {
        let sig = self.sign_base64(&content_to_sign(path, client_id, time, body))?;
        Ok(format_signature_header(&sig))
    }
}

/// `algorithm=RSA256,keyVersion=1,signature=<url-encoded base64>`.
pub fn format_signature_header(base64_sig: &str) -> String {
    format!(
        "algorithm=RSA256,keyVersion=1,signature={}",
        utf8_percent_encode(base64_sig, SIGNATURE_ESCAPE)
    )
}

/// A public key that verifies (a merchant's, or the wallet's for a test client).
#[derive(Clone)]
pub struct PublicKey {
    /// Parsed once, verified against many times.
    key: ParsedPublicKey,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PublicKey(..)")
    }
}

impl PublicKey {
    /// Reads a public key: SPKI PEM (`BEGIN PUBLIC KEY`), PKCS#1 PEM (`BEGIN RSA PUBLIC KEY`),
    /// or bare base64 of either DER; 1,024 to 8,192 bits.
    pub fn from_pem(text: &str) -> Result<PublicKey, SignatureError> {
        let (_, der) = key_der(text.trim(), &["PUBLIC KEY", "RSA PUBLIC KEY"])?;
        PublicKey::from_der(&der)
    }

    fn from_der(der: &[u8]) -> Result<PublicKey, SignatureError> {
        // Either DER form (PKCS#1 `RSAPublicKey` or SPKI), checked by AWS-LC's RSA_check_key.
        let public =
            aws_lc_rs::rsa::PublicKey::from_der(der).map_err(|_| SignatureError::BadKey)?;
        let modulus = public.modulus();
        let modulus = modulus.big_endian_without_leading_zero();
        let bits = match modulus.first() {
            Some(top) => modulus.len() * 8 - top.leading_zeros() as usize,
            None => 0,
        };
        if !PUBLIC_KEY_BITS.contains(&bits) {
            return Err(SignatureError::BadKey);
        }
        let key = ParsedPublicKey::new(&RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY, public)
            .map_err(|_| SignatureError::BadKey)?;
        Ok(PublicKey { key })
    }

    /// SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_pem(&self) -> String {
        AsDer::<PublicKeyX509Der>::as_der(&self.key)
            .map(|der| pem_encode("PUBLIC KEY", der.as_ref()))
            .unwrap_or_default()
    }

    /// Verifies a base64 signature (raw or URL-encoded) over bytes.
    pub fn verify_base64(&self, content: &[u8], sig: &str) -> Result<(), SignatureError> {
        let decoded = percent_decode_str(sig.trim())
            .decode_utf8()
            .map_err(|_| SignatureError::Mismatch)?;
        let bytes = STANDARD
            .decode(decoded.as_bytes())
            .map_err(|_| SignatureError::Mismatch)?;
        self.key
            .verify_sig(content, &bytes)
            .map_err(|_| SignatureError::Mismatch)
    }

    /// Verifies an open API message given the full `Signature` header value.
    pub fn verify_header(
        &self,
        header: &str,
        path: &str,
        client_id: &str,
        time: &str,
        body: &[u8],
    ) -> Result<(), SignatureError> {
        let parsed = SignatureHeader::parse(header)?;
        self.verify_base64(
            &content_to_sign(path, client_id, time, body),
            &parsed.signature,
        )
    }
}

/// The parsed `Signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// `keyVersion`, when given.
    pub key_version: Option<String>,
    /// The signature as sent (still possibly percent-encoded).
    pub signature: String,
}

impl SignatureHeader {
    /// Parses `algorithm=RSA256, keyVersion=1, signature=<sig>`: pairs split on `,`, each on
    /// its first `=`, keys case-insensitive, spaces tolerated. `algorithm` must be RSA256 when
    /// present; `signature` is required.
    pub fn parse(header: &str) -> Result<SignatureHeader, SignatureError> {
        let mut algorithm = None;
        let mut key_version = None;
        let mut signature = None;
        for part in header.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let Some((key, value)) = part.split_once('=') else {
                return Err(SignatureError::BadHeader(format!(
                    "part {part:?} is not key=value"
                )));
            };
            let value = value.trim().to_string();
            match key.trim().to_ascii_lowercase().as_str() {
                "algorithm" => algorithm = Some(value),
                "keyversion" => key_version = Some(value),
                "signature" => signature = Some(value),
                _ => {}
            }
        }
        if let Some(alg) = &algorithm {
            if !alg.eq_ignore_ascii_case("RSA256") {
                return Err(SignatureError::BadHeader(format!(
                    "algorithm {alg:?} is not supported (use RSA256)"
                )));
            }
        }
        match signature {
            Some(signature) if !signature.is_empty() => Ok(SignatureHeader {
                key_version,
                signature,
            }),
            _ => Err(SignatureError::BadHeader("no signature=… part".to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    /// One RSA-2048 key made by OpenSSL in both private encodings, its SPKI public key, and
    /// OpenSSL's signature over a pay request (see the fixtures' README).
    const OPENSSL_PKCS1: &str = include_str!("../../www/demo-merchant/fixtures/test-key-pkcs1.pem");
    const OPENSSL_PKCS8: &str = include_str!("../../www/demo-merchant/fixtures/test-key-pkcs8.pem");
    const OPENSSL_SPKI: &str = include_str!("../../www/demo-merchant/fixtures/test-key-public.pem");
    const OPENSSL_SIGNATURE: &str =
        include_str!("../../www/demo-merchant/fixtures/openssl-pay-signature.b64");
    const OPENSSL_SIGNED: &str =
        "POST /v1/payments/pay\nSANDBOX_5Y3A2N2YEB.2026-11-27T07:20:00+00:00.\
        {\"paymentRequestId\":\"DM1\",\"paymentAmount\":{\"currency\":\"USD\",\"value\":\"1000\"}}";

    fn key() -> &'static Signer {
        static KEY: OnceLock<Signer> = OnceLock::new();
        KEY.get_or_init(|| Signer::generate().unwrap())
    }

    #[test]
    fn signature_round_trips_url_encoded_or_raw() {
        let k = key();
        let body = br#"{"a":"b+c"}"#;
        let header = k
            .signature_header("/v1/payments/pay", "C1", "2026-01-01T00:00:00Z", body)
            .unwrap();
        let pk = k.public();
        pk.verify_header(
            &header,
            "/v1/payments/pay",
            "C1",
            "2026-01-01T00:00:00Z",
            body,
        )
        .unwrap();
        // Raw base64 (not URL-encoded), with spaces after commas.
        let raw = k
            .sign_base64(&content_to_sign("/p", "C1", "t", body))
            .unwrap();
        let header = format!("algorithm=RSA256, keyVersion=1, signature={raw}");
        pk.verify_header(&header, "/p", "C1", "t", body).unwrap();
        // A changed body fails.
        assert_eq!(
            pk.verify_header(&header, "/p", "C1", "t", b"{}"),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn plus_is_never_a_space() {
        // Find a signature containing '+', then verify it raw: a decoder that turned '+' into
        // ' ' would fail.
        let k = key();
        for i in 0..64 {
            let content = format!("content {i}");
            let raw = k.sign_base64(content.as_bytes()).unwrap();
            if raw.contains('+') {
                k.public().verify_base64(content.as_bytes(), &raw).unwrap();
                return;
            }
        }
    }

    #[test]
    fn keys_load_in_every_common_form() {
        let k = key();
        let pkcs8 = k.private_pem();
        let bare: String = pkcs8.lines().filter(|l| !l.starts_with("-----")).collect();
        let bare_pkcs1: String = OPENSSL_PKCS1
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let crlf = OPENSSL_PKCS8.replace('\n', "\r\n");
        for text in [
            &pkcs8,
            OPENSSL_PKCS1,
            OPENSSL_PKCS8,
            &bare,
            &bare_pkcs1,
            &crlf,
        ] {
            assert!(Signer::from_pem(text).is_ok(), "{text}");
        }
        let spki = k.public().to_pem();
        let pkcs1_pub = pem_encode(
            "RSA PUBLIC KEY",
            aws_lc_rs::signature::KeyPair::public_key(&k.key).as_ref(),
        );
        let bare_spki: String = spki.lines().filter(|l| !l.starts_with("-----")).collect();
        let bare_pkcs1_pub: String = pkcs1_pub
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        for text in [&spki, &pkcs1_pub, OPENSSL_SPKI, &bare_spki, &bare_pkcs1_pub] {
            assert!(PublicKey::from_pem(text).is_ok(), "{text}");
        }
        // A private key is not a public key, nor the other way round; nor is a key under
        // another label (encrypted, certificate).
        assert!(PublicKey::from_pem(&pkcs8).is_err());
        assert!(Signer::from_pem(&spki).is_err());
        let encrypted = pkcs8.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY");
        assert!(Signer::from_pem(&encrypted).is_err());
        assert_eq!(
            PublicKey::from_pem("garbage").unwrap_err(),
            SignatureError::BadKey
        );
        assert_eq!(
            Signer::from_pem("-----BEGIN x").unwrap_err(),
            SignatureError::BadKey
        );
    }

    #[test]
    fn parses_signature_headers_liberally() {
        let h = SignatureHeader::parse("algorithm=RSA256, keyVersion=1, signature=ab%2Bc%3D%3D")
            .unwrap();
        assert_eq!(h.signature, "ab%2Bc%3D%3D");
        let h = SignatureHeader::parse("signature=abc==,algorithm=rsa256").unwrap();
        assert_eq!(h.signature, "abc==");
        for bad in [
            "",
            "algorithm=RSA256",
            "algorithm=RSA1,signature=x",
            "garbage",
            "signature=",
        ] {
            assert!(SignatureHeader::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn signs_exactly_as_openssl_and_verifies_its_signatures() {
        // PKCS#1 v1.5 is deterministic: the same key and content give OpenSSL's bytes.
        for text in [OPENSSL_PKCS1, OPENSSL_PKCS8] {
            let ours = Signer::from_pem(text)
                .unwrap()
                .sign_base64(OPENSSL_SIGNED.as_bytes())
                .unwrap();
            assert_eq!(ours, OPENSSL_SIGNATURE.trim());
        }
        let public = PublicKey::from_pem(OPENSSL_SPKI).unwrap();
        public
            .verify_base64(OPENSSL_SIGNED.as_bytes(), OPENSSL_SIGNATURE)
            .unwrap();
        let url_encoded =
            utf8_percent_encode(OPENSSL_SIGNATURE.trim(), SIGNATURE_ESCAPE).to_string();
        public
            .verify_base64(OPENSSL_SIGNED.as_bytes(), &url_encoded)
            .unwrap();
        assert_eq!(
            public.verify_base64(b"POST /other", OPENSSL_SIGNATURE),
            Err(SignatureError::Mismatch)
        );
        // The public key exported is the SPKI PEM OpenSSL wrote.
        assert_eq!(public.to_pem(), OPENSSL_SPKI);
    }

    #[test]
    fn keys_stored_by_the_rsa_crate_load_and_are_written_back_unchanged() {
        let private = include_str!("../tests/fixtures/keys/rsa09-merchant-private-key.pem");
        let public = include_str!("../tests/fixtures/keys/rsa09-merchant-public-key.pem");
        let signer = Signer::from_pem(private).unwrap();
        assert_eq!(signer.private_pem(), private);
        assert_eq!(signer.public().to_pem(), public);
        let content = content_to_sign("/v1/payments/pay", "SANDBOX_X", "t", b"{}");
        let sig = signer.sign_base64(&content).unwrap();
        PublicKey::from_pem(public)
            .unwrap()
            .verify_base64(&content, &sig)
            .unwrap();
    }

    #[test]
    fn key_sizes_verify_from_1024_bits_and_sign_from_2048() {
        let public =
            PublicKey::from_pem(include_str!("../tests/fixtures/keys/rsa1024-public.pem")).unwrap();
        let sig = include_str!("../tests/fixtures/keys/rsa1024-signature.b64");
        public.verify_base64(b"POST /p\nC1.t.{}", sig).unwrap();
        assert_eq!(
            Signer::from_pem(include_str!("../tests/fixtures/keys/rsa1024-private.pem"))
                .unwrap_err(),
            SignatureError::BadKey
        );
        assert_eq!(
            PublicKey::from_pem(include_str!("../tests/fixtures/keys/rsa512-public.pem"))
                .unwrap_err(),
            SignatureError::BadKey
        );
    }
}
