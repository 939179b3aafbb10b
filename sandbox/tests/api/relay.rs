//! `/relay`: forwards a mini program's request to its merchant server and returns status,
//! headers and body unchanged; enforces the whitelist, limits and timeouts; follows no redirect.

use crate::common;

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::spawn_app;
use serde_json::{json, Value};

/// A merchant server that sends no CORS headers.
async fn spawn_merchant() -> String {
    async fn echo(
        method: axum::http::Method,
        headers: HeaderMap,
        body: Bytes,
    ) -> impl IntoResponse {
        let seen: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        (
            StatusCode::CREATED,
            [("x-merchant", "yes"), ("content-type", "application/json")],
            json!({"method": method.as_str(), "body": String::from_utf8_lossy(&body), "headers": seen}).to_string(),
        )
    }
    let app = Router::new()
        .route("/api/echo", any(echo))
        .route(
            "/api/redirect",
            get(|| async { (StatusCode::FOUND, [("location", "/api/echo")], "") }),
        )
        .route(
            "/api/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                "late"
            }),
        )
        .route("/api/big", get(|| async { vec![b'x'; 11 * 1024 * 1024] }))
        .route(
            "/api/binary",
            get(|| async { vec![0u8, 159, 146, 150, 255] }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr.to_string()
}

async fn relay(app: &common::TestApp, envelope: Value) -> Value {
    let resp = app
        .http
        .post(format!("{}/relay", app.base))
        .header("origin", "http://127.0.0.1:8701")
        .header("content-type", "application/json")
        .body(envelope.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(
        resp.headers().get("access-control-allow-origin").unwrap(),
        "http://127.0.0.1:8701"
    );
    serde_json::from_str(&resp.text().await.unwrap()).unwrap()
}

#[tokio::test]
async fn relays_within_the_whitelist_only() {
    let app = spawn_app().await;
    let merchant = spawn_merchant().await;
    let app_id = "2102020000000001";
    // The page calling the relay is the app's registered origin (the mini program listener
    // is off in tests, so it is set here).
    let (st, _) = app
        .post_json_put(
            &format!("/sandbox/mini-programs/{app_id}"),
            &json!({"url": "http://127.0.0.1:8701/"}),
        )
        .await;
    assert_eq!(st, 200);
    // Not whitelisted yet (the demo whitelist is 127.0.0.1:8702).
    let r = relay(
        &app,
        json!({"appId": app_id, "url": format!("http://{merchant}/api/echo")}),
    )
    .await;
    assert_eq!(r["error"], "whitelist");
    assert!(
        r["message"].as_str().unwrap().contains(&merchant),
        "names the domain"
    );
    let (st, _) = app
        .post_json_put(
            &format!("/sandbox/mini-programs/{app_id}"),
            &json!({"whitelist": [merchant]}),
        )
        .await;
    assert_eq!(st, 200);
    let (_, runtime) = app
        .get_json(&format!("/sandbox/mini-programs/{app_id}/runtime"))
        .await;
    assert_eq!(runtime["whitelist"], json!([merchant]));
    assert_eq!(runtime["relayUrl"], format!("{}/relay", app.base));

    // POST with body and headers: status, headers and body come back unchanged.
    let r = relay(
        &app,
        json!({"appId": app_id, "url": format!("http://{merchant}/api/echo?q=1"), "method": "POST",
               "headers": {"content-type": "application/json", "x-custom": "42", "cookie": "secret=1"},
               "body": STANDARD.encode(br#"{"items":[1]}"#), "timeoutMs": 5000}),
    )
    .await;
    assert_eq!(r["status"], 201, "{r}");
    let headers = r["headers"].as_array().unwrap();
    assert!(headers
        .iter()
        .any(|h| h[0] == "x-merchant" && h[1] == "yes"));
    let body: Value =
        serde_json::from_slice(&STANDARD.decode(r["body"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(body["method"], "POST");
    assert_eq!(body["body"], r#"{"items":[1]}"#);
    let seen = body["headers"].as_array().unwrap();
    assert!(seen.iter().any(|h| h[0] == "x-custom" && h[1] == "42"));
    assert!(
        !seen.iter().any(|h| h[0] == "cookie"),
        "browser cookies are not forwarded"
    );
    // Binary bodies survive.
    let r = relay(
        &app,
        json!({"appId": app_id, "url": format!("http://{merchant}/api/binary")}),
    )
    .await;
    assert_eq!(
        STANDARD.decode(r["body"].as_str().unwrap()).unwrap(),
        vec![0u8, 159, 146, 150, 255]
    );
    // Redirects are returned, not followed.
    let r = relay(
        &app,
        json!({"appId": app_id, "url": format!("http://{merchant}/api/redirect")}),
    )
    .await;
    assert_eq!(r["status"], 302);
    // Timeout.
    let r = relay(
        &app,
        json!({"appId": app_id, "url": format!("http://{merchant}/api/slow"), "timeoutMs": 300}),
    )
    .await;
    assert_eq!(r["error"], "timeout");
    // Response over 10 MiB.
    let r = relay(
        &app,
        json!({"appId": app_id, "url": format!("http://{merchant}/api/big")}),
    )
    .await;
    assert_eq!(r["error"], "too_large");
    // Request over 1 MiB.
    let big = STANDARD.encode(vec![b'a'; 1024 * 1024 + 1]);
    let r = relay(&app, json!({"appId": app_id, "url": format!("http://{merchant}/api/echo"), "method": "POST", "body": big})).await;
    assert_eq!(r["error"], "too_large");
    // Nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    app.post_json_put(
        &format!("/sandbox/mini-programs/{app_id}"),
        &json!({"whitelist": [merchant, format!("127.0.0.1:{port}")]}),
    )
    .await;
    let r = relay(
        &app,
        json!({"appId": app_id, "url": format!("http://127.0.0.1:{port}/x")}),
    )
    .await;
    assert_eq!(r["error"], "network");
    // Not an open proxy: other hosts, other ports, other schemes, unknown apps.
    for (url, kind) in [
        ("http://127.0.0.2:80/".to_string(), "whitelist"),
        (
            format!(
                "http://{}/",
                merchant.replace("127.0.0.1:", "127.0.0.1.evil.example:")
            ),
            "whitelist",
        ),
        ("file:///etc/passwd".to_string(), "bad_request"),
    ] {
        let r = relay(&app, json!({"appId": app_id, "url": url})).await;
        assert_eq!(r["error"], kind, "{url}");
    }
    let r = relay(
        &app,
        json!({"appId": "nope", "url": format!("http://{merchant}/api/echo")}),
    )
    .await;
    assert_eq!(r["error"], "bad_request");
    app.stop().await;
}

trait PutJson {
    async fn post_json_put(&self, path: &str, body: &Value) -> (u16, Value);
}

impl PutJson for common::TestApp {
    async fn post_json_put(&self, path: &str, body: &Value) -> (u16, Value) {
        let resp = self
            .http
            .put(format!("{}{}", self.base, path))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let st = resp.status().as_u16();
        (
            st,
            serde_json::from_str(&resp.text().await.unwrap()).unwrap_or(Value::Null),
        )
    }
}

#[tokio::test]
async fn cors_preflight_for_browser_endpoints_only() {
    let app = spawn_app().await;
    for path in ["/relay", "/sandbox/mini-programs/2102020000000001/runtime"] {
        let resp = app
            .http
            .request(reqwest::Method::OPTIONS, format!("{}{}", app.base, path))
            .header("origin", "http://127.0.0.1:8701")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{path}");
        assert_eq!(
            resp.headers().get("access-control-allow-origin").unwrap(),
            "http://127.0.0.1:8701"
        );
    }
    let resp = app
        .http
        .post(format!("{}/v1/payments/pay", app.base))
        .header("origin", "http://127.0.0.1:8701")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers().get("access-control-allow-origin").is_none(),
        "open API has no CORS"
    );
    app.stop().await;
}

/// A mini program's page may not drive the super app's own endpoints: confirm its payment in
/// the cashier API, complete it by the control call, widen its whitelist, read the merchant key.
#[tokio::test]
async fn super_app_endpoints_refuse_a_mini_program_origin() {
    let app = spawn_app().await;
    let mini_program = "http://127.0.0.1:8701";
    let calls: [(reqwest::Method, &str, &str); 5] = [
        (
            reqwest::Method::POST,
            "/cashier/api/payments/x/confirm",
            r#"{"token":"t","method":"BALANCE"}"#,
        ),
        (
            reqwest::Method::POST,
            "/sandbox/payments/x/complete",
            r#"{"outcome":"SUCCESS"}"#,
        ),
        (
            reqwest::Method::PUT,
            "/sandbox/mini-programs/2102020000000001",
            r#"{"whitelist":["*"]}"#,
        ),
        (reqwest::Method::GET, "/sandbox/merchants/default", ""),
        (reqwest::Method::GET, "/sandbox/payments", ""),
    ];
    for (method, path, body) in calls {
        let resp = app
            .http
            .request(method.clone(), format!("{}{}", app.base, path))
            .header("origin", mini_program)
            .header("content-type", "text/plain")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403, "{method} {path}");
        assert!(
            resp.headers().get("access-control-allow-origin").is_none(),
            "{path}"
        );
        let text = resp.text().await.unwrap();
        assert!(text.contains("FORBIDDEN_ORIGIN"), "{path}: {text}");
        let preflight = app
            .http
            .request(reqwest::Method::OPTIONS, format!("{}{}", app.base, path))
            .header("origin", mini_program)
            .header("access-control-request-method", method.as_str())
            .send()
            .await
            .unwrap();
        assert!(
            preflight
                .headers()
                .get("access-control-allow-origin")
                .is_none(),
            "{path}"
        );
    }
    // The whitelist is unchanged, and the super app's own origin is still served.
    let resp = app
        .http
        .get(format!(
            "{}/sandbox/mini-programs/2102020000000001",
            app.base
        ))
        .header("origin", app.base.trim_end_matches('/'))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    assert!(!text.contains(r#""*""#), "{text}");
    app.stop().await;
}

/// The registry's `url`: validated, normalized, in the runtime config; the demo app's follows
/// the mini program listener from run to run unless somebody set it, which survives restarts.
#[tokio::test]
async fn mini_program_url_is_registered_checked_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let start = |dir: std::path::PathBuf| {
        common::spawn_app_with(move |c| {
            c.data_dir = dir;
            c.memory = false;
            c.mini_program_listen =
                superapp_sandbox::config::OptionalAddr(Some("127.0.0.1:0".parse().unwrap()));
        })
    };
    let app = start(dir.path().to_path_buf()).await;
    let (_, demo) = app
        .get_json("/sandbox/mini-programs/2102020000000001")
        .await;
    let first = demo["url"].as_str().unwrap().to_string();
    assert!(first.starts_with("http://127.0.0.1:"), "{demo}");
    assert_ne!(
        first,
        format!("{}/", app.base),
        "the mini program origin, not the super app's"
    );

    let path = "/sandbox/mini-programs/2102020000000009";
    let (st, m) = app
        .put_json(
            path,
            &json!({"url": "HTTP://Shop.Example:8443/app/index.html?x=1"}),
        )
        .await;
    assert_eq!(st, 200, "{m}");
    assert_eq!(m["url"], "http://shop.example:8443/app/index.html?x=1");
    let (_, runtime) = app.get_json(&format!("{path}/runtime")).await;
    assert_eq!(
        runtime["url"],
        "http://shop.example:8443/app/index.html?x=1"
    );

    for bad in [
        json!("shop.example/app"),
        json!("ftp://shop.example/"),
        json!("http://user:pw@shop.example/"),
        json!(42),
        json!(format!("http://shop.example/{}", "a".repeat(2100))),
    ] {
        let (st, e) = app
            .put_json(path, &json!({"url": bad, "name": "Renamed"}))
            .await;
        assert_eq!(st, 400, "{bad} → {e}");
        assert!(e["message"].as_str().unwrap().starts_with("url:"), "{e}");
        let (_, kept) = app.get_json(path).await;
        assert_eq!(kept["url"], "http://shop.example:8443/app/index.html?x=1");
        assert_eq!(
            kept["name"], "2102020000000009",
            "nothing of a refused PUT is stored"
        );
    }
    app.stop().await;

    // A new run on another port: the demo app follows it.
    let app = start(dir.path().to_path_buf()).await;
    let (_, demo) = app
        .get_json("/sandbox/mini-programs/2102020000000001")
        .await;
    let second = demo["url"].as_str().unwrap().to_string();
    assert!(second.starts_with("http://127.0.0.1:"), "{demo}");
    // Set by hand, it stays across restarts.
    let (st, _) = app
        .put_json(
            "/sandbox/mini-programs/2102020000000001",
            &json!({"url": "http://localhost:9000/"}),
        )
        .await;
    assert_eq!(st, 200);
    app.stop().await;
    let app = start(dir.path().to_path_buf()).await;
    let (_, demo) = app
        .get_json("/sandbox/mini-programs/2102020000000001")
        .await;
    assert_eq!(demo["url"], "http://localhost:9000/");
    app.stop().await;
}

#[tokio::test]
async fn relay_answers_give_their_length_and_the_body_length_for_progress() {
    let app = spawn_app().await;
    let merchant = spawn_merchant().await;
    let app_id = "2102020000000001";
    app.post_json_put(
        &format!("/sandbox/mini-programs/{app_id}"),
        &json!({"url": "http://127.0.0.1:8701/", "whitelist": [merchant]}),
    )
    .await;
    for (path, size) in [("/api/binary", 5), ("/api/echo", 0)] {
        let resp = app
            .http
            .post(format!("{}/relay", app.base))
            .header("origin", "http://127.0.0.1:8701")
            .header("content-type", "application/json")
            .body(json!({"appId": app_id, "url": format!("http://{merchant}{path}")}).to_string())
            .send()
            .await
            .unwrap();
        let headers = resp.headers().clone();
        let declared: usize = headers["content-length"].to_str().unwrap().parse().unwrap();
        let expose = headers["access-control-expose-headers"].to_str().unwrap();
        assert!(expose.contains("x-relay-body-length"), "{expose}");
        let text = resp.text().await.unwrap();
        assert_eq!(
            declared,
            text.len(),
            "{path}: the declared length is the answer's"
        );
        let reply: Value = serde_json::from_str(&text).unwrap();
        let body = STANDARD.decode(reply["body"].as_str().unwrap()).unwrap();
        let stated: usize = headers["x-relay-body-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(stated, body.len(), "{path}");
        if size > 0 {
            assert_eq!(body.len(), size);
        }
    }
    app.stop().await;
}

/// `--map-origin https://api.shop.test=http://<merchant>`: the app names its production HTTPS
/// API; the relay checks that name against the whitelist and forwards to the local merchant,
/// path, query, method, headers and body kept, with the same bounds as any relayed request.
#[tokio::test]
async fn a_mapped_https_origin_reaches_its_local_target() {
    let merchant = spawn_merchant().await;
    let mapping = superapp_sandbox::domain::origin_map::parse_origin_mapping(&format!(
        "https://api.shop.test=http://{merchant}"
    ))
    .expect("a mapping");
    let app = common::spawn_app_with(|c| c.map_origin = vec![mapping]).await;
    let app_id = "2102020000000001";
    let (st, _) = app
        .post_json_put(
            &format!("/sandbox/mini-programs/{app_id}"),
            &json!({"url": "http://127.0.0.1:8701/"}),
        )
        .await;
    assert_eq!(st, 200);
    // Mapped, but the app's whitelist does not name api.shop.test yet: refused as written.
    let r = relay(
        &app,
        json!({"appId": app_id, "url": "https://api.shop.test/api/echo"}),
    )
    .await;
    assert_eq!(r["error"], "whitelist", "{r}");
    assert!(
        r["message"].as_str().unwrap().contains("api.shop.test"),
        "{r}"
    );
    let (st, _) = app
        .post_json_put(
            &format!("/sandbox/mini-programs/{app_id}"),
            &json!({"whitelist": ["api.shop.test"]}),
        )
        .await;
    assert_eq!(st, 200);
    let r = relay(
        &app,
        json!({"appId": app_id, "url": "https://api.shop.test/api/echo?q=1&r=%C3%A9", "method": "POST",
               "headers": {"content-type": "application/json", "authorization": "Bearer t"},
               "body": STANDARD.encode(br#"{"id":7}"#)}),
    )
    .await;
    assert_eq!(r["status"], 201, "{r}");
    let body: Value =
        serde_json::from_slice(&STANDARD.decode(r["body"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(body["method"], "POST");
    assert_eq!(body["body"], r#"{"id":7}"#);
    let seen = body["headers"].as_array().unwrap();
    assert!(seen
        .iter()
        .any(|h| h[0] == "authorization" && h[1] == "Bearer t"));
    // The local target answers for the mapped name: redirects come back, never followed.
    let r = relay(
        &app,
        json!({"appId": app_id, "url": "https://api.shop.test/api/redirect"}),
    )
    .await;
    assert_eq!(r["status"], 302, "{r}");
    // The same caps as any relayed request.
    let big = STANDARD.encode(vec![b'a'; 1024 * 1024 + 1]);
    let r = relay(&app, json!({"appId": app_id, "url": "https://api.shop.test/api/echo", "method": "POST", "body": big})).await;
    assert_eq!(r["error"], "too_large", "{r}");
    let r = relay(
        &app,
        json!({"appId": app_id, "url": "https://api.shop.test/api/big"}),
    )
    .await;
    assert_eq!(r["error"], "too_large", "{r}");
    // An https origin nobody mapped is still refused, saying how to map one.
    let (st, _) = app
        .post_json_put(
            &format!("/sandbox/mini-programs/{app_id}"),
            &json!({"whitelist": ["api.shop.test", "api.other.test"]}),
        )
        .await;
    assert_eq!(st, 200);
    let r = relay(
        &app,
        json!({"appId": app_id, "url": "https://api.other.test/api/echo"}),
    )
    .await;
    assert_eq!(r["error"], "network", "{r}");
    assert!(
        r["message"].as_str().unwrap().contains("--map-origin"),
        "{r}"
    );
    app.stop().await;
}
