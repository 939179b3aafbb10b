//! The relay: who may use it, the whitelist, memory under large answers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::routing::{any, get};
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::common::{spawn_app, spawn_app_with, TestApp};

const APP: &str = "2102020000000001";
const APP_ORIGIN: &str = "http://127.0.0.1:8701";

/// A merchant server that counts every request it gets and every byte of its 50 MiB answer
/// that was taken from it.
#[derive(Clone, Default)]
struct Merchant {
    addr: String,
    hits: Arc<AtomicUsize>,
    huge_sent: Arc<AtomicUsize>,
    arrived: Arc<Notify>,
    release: Arc<Notify>,
}

async fn spawn_merchant() -> Merchant {
    let mut m = Merchant::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    m.addr = listener.local_addr().unwrap().to_string();
    let (hits, sent, arrived, release) = (
        m.hits.clone(),
        m.huge_sent.clone(),
        m.arrived.clone(),
        m.release.clone(),
    );
    let app = Router::new()
        .route("/ok", any(|| async { "ok" }))
        .route(
            "/redirect",
            get(|| async { (StatusCode::FOUND, [("location", "http://127.0.0.1:9/")], "") }),
        )
        .route(
            "/hold",
            get(move || {
                let (arrived, release) = (arrived.clone(), release.clone());
                async move {
                    arrived.notify_one();
                    release.notified().await;
                    "released"
                }
            }),
        )
        .route(
            "/huge",
            get(move || {
                let sent = sent.clone();
                async move {
                    // 50 MiB in 64 KiB chunks, no Content-Length.
                    let chunks = (0..800).map(move |_| {
                        sent.fetch_add(64 * 1024, Ordering::SeqCst);
                        Ok::<_, std::convert::Infallible>(Bytes::from(vec![b'x'; 64 * 1024]))
                    });
                    Body::from_stream(futures_util::stream::iter(chunks))
                }
            }),
        )
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                let hits = hits.clone();
                async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    next.run(req).await
                }
            },
        ));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    m
}

/// Registers the demo app's page origin and whitelist.
async fn register(app: &TestApp, whitelist: &[&str]) {
    let (st, body) = app
        .put_json(
            &format!("/sandbox/mini-programs/{APP}"),
            &json!({"url": format!("{APP_ORIGIN}/"), "whitelist": whitelist}),
        )
        .await;
    assert_eq!(st, 200, "{body}");
}

async fn relay_from(app: &TestApp, origin: Option<&str>, envelope: &Value) -> Value {
    let mut req = app
        .http
        .post(format!("{}/relay", app.base))
        .header("content-type", "application/json")
        .body(envelope.to_string());
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let resp = req.send().await.expect("answers");
    assert_eq!(resp.status().as_u16(), 200);
    let text = resp.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text:.200}"))
}

/// Any website could POST /relay with any appId and read the answer (CORS echoes its origin).
/// Only the app's registered origin, the super app, or a tool without Origin may.
#[tokio::test]
async fn the_relay_serves_only_the_apps_registered_origin() {
    let app = spawn_app().await;
    let m = spawn_merchant().await;
    register(&app, &[&m.addr]).await;
    let env = json!({"appId": APP, "url": format!("http://{}/ok", m.addr)});
    for foreign in ["http://evil.example", "http://127.0.0.1:8799", "null"] {
        let r = relay_from(&app, Some(foreign), &env).await;
        assert_eq!(r["error"], "origin", "{foreign}: {r}");
        assert!(r["message"].as_str().unwrap().contains(APP_ORIGIN), "{r}");
    }
    assert_eq!(m.hits.load(Ordering::SeqCst), 0, "nothing forwarded");
    for allowed in [Some(APP_ORIGIN), Some(app.base.as_str()), None] {
        let r = relay_from(&app, allowed, &env).await;
        assert_eq!(r["status"], 200, "{allowed:?}: {r}");
    }
    // Another app's page may not borrow this app's relay (and whitelist).
    let (st, _) = app
        .put_json(
            "/sandbox/mini-programs/2102020000000077",
            &json!({"url": "http://127.0.0.1:8777/", "whitelist": []}),
        )
        .await;
    assert_eq!(st, 200);
    let r = relay_from(&app, Some("http://127.0.0.1:8777"), &env).await;
    assert_eq!(r["error"], "origin", "{r}");
    app.stop().await;
}

/// Over 3 MiB the envelope was refused with a plain-text 413 the shim cannot read.
#[tokio::test]
async fn an_oversized_envelope_gets_json_too_large() {
    let app = spawn_app().await;
    let envelope =
        json!({"appId": APP, "url": "http://127.0.0.1:8702/", "body": "A".repeat(4 * 1024 * 1024)});
    let r = relay_from(&app, Some(APP_ORIGIN), &envelope).await;
    assert_eq!(r["error"], "too_large", "{r}");
    assert!(r["message"].as_str().unwrap().contains("envelope"), "{r}");
    app.stop().await;
}

/// Relays in flight are capped: one more is answered `busy` at once instead of holding memory.
#[tokio::test]
async fn relay_concurrency_is_capped() {
    let app = spawn_app_with(|c| c.relay_concurrency = 1).await;
    let m = spawn_merchant().await;
    register(&app, &[&m.addr]).await;
    let hold = json!({"appId": APP, "url": format!("http://{}/hold", m.addr), "timeoutMs": 60000});
    let first = {
        let (http, base, hold) = (app.http.clone(), app.base.clone(), hold.clone());
        tokio::spawn(async move {
            http.post(format!("{base}/relay"))
                .header("origin", APP_ORIGIN)
                .body(hold.to_string())
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        })
    };
    m.arrived.notified().await;
    let second = json!({"appId": APP, "url": format!("http://{}/ok", m.addr), "timeoutMs": 2000});
    let r = relay_from(&app, Some(APP_ORIGIN), &second).await;
    assert_eq!(r["error"], "busy", "{r}");
    assert!(r["message"]
        .as_str()
        .unwrap()
        .contains("--relay-concurrency"));
    m.release.notify_one();
    let first: Value = serde_json::from_str(&first.await.unwrap()).unwrap();
    assert_eq!(first["status"], 200, "{first}");
    let r = relay_from(&app, Some(APP_ORIGIN), &second).await;
    assert_eq!(r["status"], 200, "free again: {r}");
    app.stop().await;
}

/// URLs that name the whitelisted merchant to one parser and another host (or nothing sane) to
/// another: each is refused, and neither the merchant nor the other host sees a request.
#[tokio::test]
async fn whitelist_tricks_are_refused() {
    let app = spawn_app().await;
    let m = spawn_merchant().await;
    let evil = spawn_merchant().await;
    register(&app, &[&m.addr]).await;
    let (mp, ep) = (
        m.addr.rsplit(':').next().unwrap().to_string(),
        evil.addr.rsplit(':').next().unwrap().to_string(),
    );
    let tricks = [
        // userinfo
        format!("http://127.0.0.1:{mp}@127.0.0.1:{ep}/ok"),
        format!("http://user:pw@127.0.0.1:{mp}/ok"),
        format!("http://127.0.0.1:{mp}@evil.example/ok"),
        // backslashes
        format!("http://127.0.0.1:{ep}\\@127.0.0.1:{mp}/ok"),
        format!("http://127.0.0.1:{mp}\\ok"),
        // percent-encoded and numeric hosts
        format!("http://%31%32%37.0.0.1:{mp}/ok"),
        format!("http://127.0.0.%31:{mp}/ok"),
        format!("http://2130706433:{mp}/ok"),
        format!("http://0x7f.1:{mp}/ok"),
        format!("http://127.1:{mp}/ok"),
        // trailing dots, case tricks on other hosts
        format!("http://127.0.0.1.:{mp}/ok"),
        format!("http://LOCALHOST:{mp}/ok"),
        format!("http://127.0.0.1.evil.example:{mp}/ok"),
        // IPv6 forms
        format!("http://[::1]:{mp}/ok"),
        format!("http://[::ffff:127.0.0.1]:{mp}/ok"),
        format!("http://[0:0:0:0:0:ffff:7f00:1]:{mp}/ok"),
        // port confusion
        format!("http://127.0.0.1:0{mp}/ok"),
        format!("http://127.0.0.1:{mp}:{ep}/ok"),
        format!("http://127.0.0.1:{ep}/ok"),
        "http://127.0.0.1:/ok".to_string(),
        format!("http://127.0.0.1:{}/ok", mp.parse::<u32>().unwrap() + 65536),
        // whitespace and schemes
        format!("http://127.0.0.1:{mp}\t/ok"),
        format!("http:127.0.0.1:{mp}/ok"),
        format!("ws://127.0.0.1:{mp}/ok"),
        format!("ftp://127.0.0.1:{mp}/ok"),
        "file:///etc/passwd".to_string(),
        "data:text/plain,hi".to_string(),
        "javascript:alert(1)".to_string(),
        format!("gopher://127.0.0.1:{mp}/_GET"),
    ];
    for url in &tricks {
        let r = relay_from(&app, Some(APP_ORIGIN), &json!({"appId": APP, "url": url})).await;
        let kind = r["error"].as_str().unwrap_or("none");
        assert!(
            kind == "whitelist" || kind == "bad_request",
            "{url:?} was not refused: {r}"
        );
    }
    assert_eq!(m.hits.load(Ordering::SeqCst), 0, "the merchant saw a trick");
    assert_eq!(
        evil.hits.load(Ordering::SeqCst),
        0,
        "another host was reached"
    );
    // A redirect comes back as it is; its target is not fetched.
    let r = relay_from(
        &app,
        Some(APP_ORIGIN),
        &json!({"appId": APP, "url": format!("http://{}/redirect", m.addr)}),
    )
    .await;
    assert_eq!(r["status"], 302, "{r}");
    // The canonical spelling works.
    let r = relay_from(
        &app,
        Some(APP_ORIGIN),
        &json!({"appId": APP, "url": format!("http://127.0.0.1:{mp}/ok")}),
    )
    .await;
    assert_eq!(r["status"], 200, "{r}");
    app.stop().await;
}

/// A 50 MiB answer (no Content-Length) is cut at the 10 MiB cap while reading: `too_large`,
/// and the merchant's stream is dropped long before its end.
#[tokio::test]
async fn a_50_mib_answer_is_cut_at_the_cap() {
    let app = spawn_app().await;
    let m = spawn_merchant().await;
    register(&app, &[&m.addr]).await;
    let r = relay_from(
        &app,
        Some(APP_ORIGIN),
        &json!({"appId": APP, "url": format!("http://{}/huge", m.addr)}),
    )
    .await;
    assert_eq!(r["error"], "too_large", "{r}");
    let sent = m.huge_sent.load(Ordering::SeqCst);
    assert!(
        sent < 40 * 1024 * 1024,
        "the relay kept reading: {sent} bytes taken of 50 MiB"
    );
    app.stop().await;
}

/// `--map-origin` is the super app's setting. No envelope field, header, query or URL form adds
/// a mapping or moves one, and the local target is reachable under the mapped name only: not
/// by its own address, not over http, another port or a subdomain of the mapped name.
#[tokio::test]
async fn an_origin_mapping_is_the_super_apps_alone() {
    let m = spawn_merchant().await;
    let other = spawn_merchant().await;
    let mapping = superapp_sandbox::domain::origin_map::parse_origin_mapping(&format!(
        "https://api.shop.test={}",
        format_args!("http://{}", m.addr)
    ))
    .expect("a mapping");
    let app = spawn_app_with(|c| c.map_origin = vec![mapping]).await;
    register(&app, &["api.shop.test", "api.other.test", "*.shop.test"]).await;
    let ok = relay_from(
        &app,
        Some(APP_ORIGIN),
        &json!({"appId": APP, "url": "https://api.shop.test/ok"}),
    )
    .await;
    assert_eq!(ok["status"], 200, "the mapping works: {ok}");
    assert_eq!(m.hits.load(Ordering::SeqCst), 1);
    let target = format!("http://{}", other.addr);
    // The target under any other name; and tries to map another origin from the request.
    let tries = [
        json!({"appId": APP, "url": format!("http://{}/ok", m.addr)}),
        json!({"appId": APP, "url": "http://api.shop.test/ok", "timeoutMs": 2000}),
        json!({"appId": APP, "url": "https://api.shop.test:8443/ok"}),
        json!({"appId": APP, "url": "https://x.api.shop.test/ok", "timeoutMs": 2000}),
        json!({"appId": APP, "url": "https://api.shop.test./ok"}),
        json!({"appId": APP, "url": "https://api.other.test/ok", "mapOrigin": format!("https://api.other.test={target}"),
               "map-origin": [format!("https://api.other.test={target}")], "target": target}),
        json!({"appId": APP, "url": "https://api.other.test/ok",
               "headers": {"x-map-origin": format!("https://api.other.test={target}"), "host": other.addr,
                           "x-forwarded-host": other.addr, "forwarded": format!("host={}", other.addr)}}),
        json!({"appId": APP, "url": format!("http://{}/ok", other.addr), "headers": {"host": "api.shop.test"}}),
    ];
    for env in &tries {
        let r = relay_from(&app, Some(APP_ORIGIN), env).await;
        assert!(
            r["error"].is_string() && r.get("status").is_none(),
            "{env}: {r}"
        );
    }
    // In the relay's own URL and headers too.
    let resp = app
        .http
        .post(format!(
            "{}/relay?map-origin=https://api.other.test={target}&mapOrigin=https://api.other.test={target}",
            app.base
        ))
        .header("origin", APP_ORIGIN)
        .header("x-map-origin", format!("https://api.other.test={target}"))
        .header("content-type", "application/json")
        .body(json!({"appId": APP, "url": "https://api.other.test/ok"}).to_string())
        .send()
        .await
        .expect("answers");
    let r: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(r["error"], "network", "{r}");
    assert_eq!(
        m.hits.load(Ordering::SeqCst),
        1,
        "the target saw the mapped request only"
    );
    assert_eq!(
        other.hits.load(Ordering::SeqCst),
        0,
        "nothing reached the other server"
    );
    // The super app's settings API has no mapping to change either.
    let (st, _) = app
        .put_json(
            "/sandbox/settings",
            &json!({"mapOrigin": [format!("https://api.other.test={target}")]}),
        )
        .await;
    let r = relay_from(
        &app,
        Some(APP_ORIGIN),
        &json!({"appId": APP, "url": "https://api.other.test/ok"}),
    )
    .await;
    assert_eq!(
        r["error"], "network",
        "PUT /sandbox/settings answered {st}: {r}"
    );
    assert_eq!(other.hits.load(Ordering::SeqCst), 0);
    app.stop().await;
}
