//! Open API signatures: RSA PKCS#1 v1.5 with SHA-256 over
//! `"POST <path>\n<Client-Id>.<Request-Time>.<body>"`, base64, URL-encoded in the header
//! `Signature: algorithm=RSA256, keyVersion=1, signature=<sig>`.
//!
//! Liberal in what is accepted (URL-encoded or raw base64, spaces after commas, PKCS#1 or
//! PKCS#8 private keys, SPKI or PKCS#1 public keys, bare base64 DER), exact in what is sent.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;

/// Characters escaped in the `signature=` value: everything but `A-Za-z0-9-_.~`.
const SIGNATURE_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

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

/// A private key that signs (the wallet's, or a test merchant's).
#[derive(Clone)]
pub struct Signer {
    key: SigningKey<Sha256>,
    private: RsaPrivateKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(..)")
    }
}

impl Signer {
    /// Generates a fresh RSA-2048 key.
    pub fn generate() -> Result<Signer, SignatureError> {
        let private = RsaPrivateKey::new(&mut rand::thread_rng(), 2048)
            .map_err(|_| SignatureError::BadKey)?;
        Ok(Signer::from_key(private))
    }

    fn from_key(private: RsaPrivateKey) -> Signer {
        Signer {
            key: SigningKey::<Sha256>::new(private.clone()),
            private,
        }
    }

    /// Reads a private key: PKCS#8 or PKCS#1 PEM, or bare base64 of either DER.
    pub fn from_pem(text: &str) -> Result<Signer, SignatureError> {
        let text = text.trim();
        let key = if text.starts_with("-----BEGIN") {
            RsaPrivateKey::from_pkcs8_pem(text)
                .ok()
                .or_else(|| RsaPrivateKey::from_pkcs1_pem(text).ok())
        } else {
            let der = STANDARD
                .decode(text.split_whitespace().collect::<String>())
                .map_err(|_| SignatureError::BadKey)?;
            RsaPrivateKey::from_pkcs8_der(&der)
                .ok()
                .or_else(|| RsaPrivateKey::from_pkcs1_der(&der).ok())
        };
        key.map(Signer::from_key).ok_or(SignatureError::BadKey)
    }

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), what `node:crypto` reads.
    pub fn private_pem(&self) -> String {
        self.private
            .to_pkcs8_pem(LineEnding::LF)
            .map(|p| p.to_string())
            .unwrap_or_default()
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey {
            key: VerifyingKey::<Sha256>::new(self.private.to_public_key()),
            public: self.private.to_public_key(),
        }
    }

    /// Signs bytes; returns the raw base64 signature.
    pub fn sign_base64(&self, content: &[u8]) -> Result<String, SignatureError> {
        let sig: Signature = self
            .key
            .try_sign_with_rng(&mut rand::thread_rng(), content)
            .map_err(|_| SignatureError::SignFailed)?;
        Ok(STANDARD.encode(sig.to_bytes()))
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
    key: VerifyingKey<Sha256>,
    public: RsaPublicKey,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PublicKey(..)")
    }
}

impl PublicKey {
    /// Reads a public key: SPKI PEM (`BEGIN PUBLIC KEY`), PKCS#1 PEM (`BEGIN RSA PUBLIC KEY`),
    /// or bare base64 of either DER.
    pub fn from_pem(text: &str) -> Result<PublicKey, SignatureError> {
        let text = text.trim();
        let key = if text.starts_with("-----BEGIN") {
            RsaPublicKey::from_public_key_pem(text)
                .ok()
                .or_else(|| RsaPublicKey::from_pkcs1_pem(text).ok())
        } else {
            let der = STANDARD
                .decode(text.split_whitespace().collect::<String>())
                .map_err(|_| SignatureError::BadKey)?;
            RsaPublicKey::from_public_key_der(&der)
                .ok()
                .or_else(|| RsaPublicKey::from_pkcs1_der(&der).ok())
        };
        let public = key.ok_or(SignatureError::BadKey)?;
        Ok(PublicKey {
            key: VerifyingKey::<Sha256>::new(public.clone()),
            public,
        })
    }

    /// SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_pem(&self) -> String {
        self.public
            .to_public_key_pem(LineEnding::LF)
            .or_else(|_| self.public.to_pkcs1_pem(LineEnding::LF))
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
        let sig = Signature::try_from(bytes.as_slice()).map_err(|_| SignatureError::Mismatch)?;
        self.key
            .verify(content, &sig)
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
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use std::sync::OnceLock;

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
        let pkcs1 = k.private.to_pkcs1_pem(LineEnding::LF).unwrap().to_string();
        let bare: String = pkcs8.lines().filter(|l| !l.starts_with("-----")).collect();
        for text in [&pkcs8, &pkcs1, &bare] {
            assert!(Signer::from_pem(text).is_ok());
        }
        let spki = k.public().to_pem();
        let pkcs1_pub = k
            .private
            .to_public_key()
            .to_pkcs1_pem(LineEnding::LF)
            .unwrap();
        for text in [&spki, &pkcs1_pub] {
            assert!(PublicKey::from_pem(text).is_ok());
        }
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
}
