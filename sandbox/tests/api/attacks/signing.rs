//! Signing keys: a merchant key too weak to stand for a merchant is refused at registration.

use serde_json::json;

use crate::common::spawn_app;

/// A 512-bit RSA modulus is factored in hours on rented hardware; whoever factors it signs as
/// that merchant. The sandbox refuses public keys under 1,024 bits (the `rsa` crate took any
/// size up to 4,096 bits).
#[tokio::test]
async fn a_512_bit_merchant_key_is_refused() {
    let app = spawn_app().await;
    let weak = include_str!("../../fixtures/keys/rsa512-public.pem");
    let (status, body) = app
        .post_json(
            "/sandbox/merchants",
            &json!({"name": "Weak shop", "publicKey": weak}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("publicKey"), "{body}");
    // A 1,024-bit key, still met in the wild, is accepted.
    let legacy = include_str!("../../fixtures/keys/rsa1024-public.pem");
    let (status, body) = app
        .post_json(
            "/sandbox/merchants",
            &json!({"name": "Old shop", "publicKey": legacy}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    app.stop().await;
}
