//! No panic on any malformed body, header or signature: a small seeded fuzz of the parsers
//! in-process, and of every request path over HTTP.

use crate::common;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};
use superapp_sandbox::domain::amount::Amount;
use superapp_sandbox::domain::notification as notify;
use superapp_sandbox::domain::{clock, identity};
use superapp_sandbox::http::{open_api as api, relay};
use superapp_sandbox::signature::{PublicKey, SignatureHeader, Signer};

const ALPHABET: &[&str] = &[
    "a",
    "Z",
    "0",
    "9",
    "=",
    ",",
    " ",
    "%",
    "%2B",
    "%2",
    "%zz",
    "+",
    "/",
    "-",
    ":",
    ".",
    "T",
    "Z",
    "\n",
    "\"",
    "{",
    "}",
    "[",
    "]",
    "\\",
    "é",
    "💥",
    "\u{0}",
    "signature",
    "algorithm",
    "RSA256",
    "keyVersion",
    "2026-11-27",
    "T07:01:52",
    "+03:00",
    "99999999999999999999",
    "-1",
    "null",
];

fn random_text(rng: &mut StdRng, max: usize) -> String {
    let n = rng.gen_range(0..max);
    (0..n)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())])
        .collect()
}

fn random_json(rng: &mut StdRng, depth: u32) -> Value {
    match rng.gen_range(0..if depth > 3 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.gen::<bool>()),
        2 => json!(rng.gen::<i64>()),
        3 => json!(rng.gen::<f64>()),
        4 => json!(random_text(rng, 12)),
        5 => Value::Array(
            (0..rng.gen_range(0..4))
                .map(|_| random_json(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "currency",
                "value",
                "paymentId",
                "order",
                "orderDescription",
                "url",
                "appId",
                "grantType",
                "authCode",
                "refreshToken",
                "accessToken",
                "scopes",
                "decision",
                "userId",
                "nickName",
                "USD",
                "body",
                "headers",
                "x",
            ];
            let mut m = Map::new();
            for _ in 0..rng.gen_range(0..5) {
                m.insert(
                    keys[rng.gen_range(0..keys.len())].to_string(),
                    random_json(rng, depth + 1),
                );
            }
            Value::Object(m)
        }
    }
}

/// Replaces a random node of a valid body with random JSON.
fn mutate(rng: &mut StdRng, v: &mut Value) {
    match v {
        Value::Object(m) if !m.is_empty() && rng.gen_bool(0.7) => {
            let keys: Vec<String> = m.keys().cloned().collect();
            let k = &keys[rng.gen_range(0..keys.len())];
            if rng.gen_bool(0.2) {
                m.remove(k);
            } else if let Some(child) = m.get_mut(k) {
                mutate(rng, child);
            }
        }
        _ => *v = random_json(rng, 0),
    }
}

fn valid_pay() -> Value {
    json!({"productCode":"CASHIER_PAYMENT","paymentRequestId":"r","paymentAmount":{"currency":"USD","value":"100"},
           "order":{"orderDescription":"x","orderAmount":{"currency":"USD","value":"100"},"buyer":{"referenceBuyerId":"b"},
           "merchant":{"merchantName":"m"}},"paymentExpiryTime":"2099-01-01T00:00:00Z","paymentNotifyUrl":"http://127.0.0.1:1/n"})
}

#[test]
fn parsers_never_panic_on_random_input() {
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let key = Signer::generate().unwrap().public();
    for _ in 0..3000 {
        let text = random_text(&mut rng, 40);
        let _ = SignatureHeader::parse(&text);
        let _ = key.verify_header(&text, "/p", "c", "t", text.as_bytes());
        let _ = key.verify_base64(b"x", &text);
        let _ = clock::parse(&text);
        let _ = PublicKey::from_pem(&text);
        let _ = Signer::from_pem(&text);
        let _ = relay::parse_envelope(text.as_bytes());
        let _ = notify::is_acknowledged(200, text.as_bytes());
        let j = random_json(&mut rng, 0);
        let _ = Amount::parse(Some(&j), "f");
        let _ = relay::parse_envelope(j.to_string().as_bytes());
        let mut body = valid_pay();
        mutate(&mut rng, &mut body);
        if let Value::Object(m) = &body {
            let _ = api::parse_pay(m, clock::now_ms());
            let _ = api::request_hash(m);
        }
        let mut balances = json!({"USD": "100", "JPY": 5});
        mutate(&mut rng, &mut balances);
        let _ = identity::parse_balances(&balances);
        let _ = identity::parse_scopes(Some(&j));
        let origins = superapp_sandbox::http::perimeter::super_app_origins(
            "http://127.0.0.1:8700",
            8700,
            &[],
        );
        let _ = identity::origin_allowed(Some(&text), &origins);
        let _ = superapp_sandbox::domain::host::split_authority(&text);
        let _ = superapp_sandbox::domain::host::parse_allowed_host(&text);
        if let Ok(url) = reqwest::Url::parse(&text) {
            let _ = relay::check_url_text(&text, &url);
        }
        let mut env = json!({"appId":"a","url":"http://127.0.0.1:1/x","method":"POST","headers":{"a":"b"},"body":"e30=","timeoutMs":5});
        mutate(&mut rng, &mut env);
        let _ = relay::parse_envelope(env.to_string().as_bytes());
    }
}

#[tokio::test]
async fn no_request_path_panics_on_garbage() {
    let app = common::spawn_app().await;
    let mut rng = StdRng::seed_from_u64(0xfa11);
    let paths = [
        "/v1/payments/pay",
        "/v1/payments/inquiryPayment",
        "/v1/payments/cancel",
        "/v1/payments/refund",
        "/v1/authorizations/applyToken",
        "/v1/users/inquiryUserInfo",
    ];
    for i in 0..240 {
        let path = paths[i % paths.len()];
        let body: Vec<u8> = match rng.gen_range(0..3) {
            0 => (0..rng.gen_range(0..200)).map(|_| rng.gen()).collect(),
            1 => random_json(&mut rng, 0).to_string().into_bytes(),
            _ => {
                let mut b = match path {
                    "/v1/authorizations/applyToken" => {
                        json!({"grantType": if i % 3 == 0 {"REFRESH_TOKEN"} else {"AUTHORIZATION_CODE"},
                               "authCode": "x", "refreshToken": "y"})
                    }
                    "/v1/users/inquiryUserInfo" => json!({"accessToken": "z"}),
                    _ => valid_pay(),
                };
                mutate(&mut rng, &mut b);
                b.to_string().into_bytes()
            }
        };
        // Half signed correctly (so the body parsers run), half with garbage headers.
        let resp = if rng.gen_bool(0.5) {
            app.call_raw(path, &body).await
        } else {
            let junk = random_text(&mut rng, 30);
            let bytes: Vec<u8> = (0..rng.gen_range(1..20))
                .map(|_| rng.gen_range(0x20..0xff))
                .collect();
            let mut req = app
                .http
                .post(format!("{}{}", app.base, path))
                .body(body.clone());
            for (name, value) in [
                ("client-id", junk.as_bytes()),
                ("signature", &bytes[..]),
                ("request-time", junk.as_bytes()),
            ] {
                if let Ok(v) = reqwest::header::HeaderValue::from_bytes(value) {
                    if rng.gen_bool(0.8) {
                        req = req.header(name, v);
                    }
                }
            }
            if rng.gen_bool(0.5) {
                if let Ok(v) = reqwest::header::HeaderValue::from_str(&app.client_id) {
                    req = req.header("client-id", v);
                }
            }
            let r = req.send().await.expect("no panic: the server answers");
            let status = r.status().as_u16();
            let raw = r.text().await.unwrap();
            common::ApiResponse {
                status,
                headers: Default::default(),
                body: serde_json::from_str(&raw).unwrap_or(Value::Null),
                raw,
            }
        };
        assert_eq!(resp.status, 200, "{path}: {}", resp.raw);
        assert!(
            resp.body["result"]["resultStatus"].is_string(),
            "{}",
            resp.raw
        );
    }
    // Browser-facing endpoints with garbage.
    for i in 0..120 {
        let body: Vec<u8> = if i % 2 == 0 {
            (0..rng.gen_range(0..100)).map(|_| rng.gen()).collect()
        } else {
            random_json(&mut rng, 0).to_string().into_bytes()
        };
        let seg = urlencode(&random_text(&mut rng, 10));
        for path in [
            format!("/cashier/api/payments/{seg}/confirm"),
            format!("/cashier/api/payments/{seg}/cancel"),
            format!("/sandbox/payments/{seg}/complete"),
            format!("/sandbox/notifications/{seg}/resend"),
            "/sandbox/merchants".to_string(),
            "/relay".to_string(),
            "/sandbox/users".to_string(),
            "/sandbox/auth/authorize".to_string(),
        ] {
            let r = app
                .http
                .post(format!("{}{}", app.base, path))
                .body(body.clone())
                .send()
                .await
                .expect("answers");
            assert!(r.status().as_u16() < 500, "{path}: {}", r.status());
        }
        for path in [
            format!("/sandbox/mini-programs/{seg}x"),
            "/sandbox/session".to_string(),
            format!("/sandbox/users/{seg}/balances"),
            "/sandbox/users/2088000000000002/balances".to_string(),
        ] {
            let r = app
                .http
                .put(format!("{}{}", app.base, path))
                .body(body.clone())
                .send()
                .await
                .expect("answers");
            assert!(r.status().as_u16() < 500, "{path}: {}", r.status());
        }
        let r = app
            .http
            .get(format!("{}/sandbox/avatars/{seg}.svg", app.base))
            .send()
            .await
            .expect("answers");
        assert!(r.status().as_u16() < 500);
        let r = app
            .http
            .get(format!(
                "{}/cashier/api/payments/{seg}?token={seg}",
                app.base
            ))
            .send()
            .await
            .expect("answers");
        assert!(r.status().as_u16() < 500);
    }
    // Still healthy.
    let ok = app.pay("after-fuzz", "100", None).await;
    assert_eq!(ok.result_status(), "A");
    app.stop().await;
}

fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
