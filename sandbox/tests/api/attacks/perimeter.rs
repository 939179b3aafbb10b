//! The HTTP perimeter: Host header, connections, methods, query strings, header sizes, unauthenticated floods.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use superapp_sandbox::domain::clock;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{raw_http, raw_status, spawn_app, spawn_app_with, TestApp};

fn body_of(answer: &str) -> &str {
    answer.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("")
}

fn get(path: &str, host: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n").into_bytes()
}

/// A page on attacker.example whose DNS rebinds to 127.0.0.1 sends its own name as `Host`
/// (and as `Origin`): it must read nothing, on either listener.
#[tokio::test]
async fn a_rebinding_page_gets_421_and_no_key() {
    let app = spawn_app_with(|c| {
        c.mini_program_listen =
            superapp_sandbox::config::OptionalAddr(Some("127.0.0.1:0".parse().unwrap()))
    })
    .await;
    let port = app.addr.port();
    for host in [
        "attacker.example".to_string(),
        format!("attacker.example:{port}"),
        format!("127.0.0.1.attacker.example:{port}"),
        format!("localhost.:{port}"),
    ] {
        let answer = raw_http(app.addr, &get("/sandbox/merchants/default", &host)).await;
        assert_eq!(raw_status(&answer), 421, "{host}: {answer}");
        assert!(
            !answer.contains("PRIVATE KEY") && !answer.contains("privateKeyPem"),
            "{answer}"
        );
        let body: Value = serde_json::from_str(body_of(&answer)).expect("a JSON message");
        assert_eq!(body["error"], "MISDIRECTED_REQUEST");
        assert!(
            body["message"].as_str().unwrap().contains("--allowed-host"),
            "{body}"
        );
    }
    // Minting an auth code with Origin and Host both the attacker's name.
    let body =
        json!({"appId": "2102020000000001", "scopes": ["USER_CONTACTINFO"], "decision": "allow"})
            .to_string();
    let request = format!(
        "POST /sandbox/auth/authorize HTTP/1.1\r\nhost: attacker.example:{port}\r\norigin: http://attacker.example:{port}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let answer = raw_http(app.addr, request.as_bytes()).await;
    assert_eq!(raw_status(&answer), 421, "{answer}");
    assert!(!answer.contains("authCode"), "{answer}");
    // The names the sandbox does answer to.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let answer = raw_http(app.addr, &get("/sandbox/merchants/default", &host)).await;
        assert_eq!(raw_status(&answer), 200, "{host}: {answer}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_mini_program_listener_checks_host_too() {
    let config = {
        let mut c = superapp_sandbox::Config::for_tests();
        c.mini_program_listen =
            superapp_sandbox::config::OptionalAddr(Some("127.0.0.1:0".parse().unwrap()));
        c
    };
    let app = superapp_sandbox::build(config).await.expect("starts");
    let mini = app.mini_program_addr().expect("mini program listener");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    let answer = raw_http(mini, &get("/my.js", "attacker.example")).await;
    assert_eq!(raw_status(&answer), 421, "{answer}");
    let answer = raw_http(mini, &get("/my.js", &format!("localhost:{}", mini.port()))).await;
    assert_ne!(raw_status(&answer), 421, "{answer}");
    let _ = tx.send(());
    let _ = task.await;
}

/// `Origin` equal to `Host` is no proof of being the super app: with `--allowed-host box.lan`
/// (any port), a page at http://box.lan:1 is not the super app's own page.
#[tokio::test]
async fn origin_equal_to_host_is_not_the_super_app() {
    let app = spawn_app_with(|c| {
        c.allowed_hosts =
            vec![superapp_sandbox::domain::host::parse_allowed_host("box.lan").unwrap()]
    })
    .await;
    let body = json!({"appId": "2102020000000001", "scopes": ["auth_user"], "decision": "allow"})
        .to_string();
    let request = |origin: &str, host: &str| {
        format!(
            "POST /sandbox/auth/authorize HTTP/1.1\r\nhost: {host}\r\norigin: {origin}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let answer = raw_http(
        app.addr,
        request("http://box.lan:1", "box.lan:1").as_bytes(),
    )
    .await;
    assert_eq!(raw_status(&answer), 403, "{answer}");
    assert!(!answer.contains("authCode"), "{answer}");
    // The super app's own page reached by that name, on its port, may.
    let own = format!("box.lan:{}", app.addr.port());
    let answer = raw_http(app.addr, request(&format!("http://{own}"), &own).as_bytes()).await;
    assert_eq!(raw_status(&answer), 200, "{answer}");
    app.stop().await;
}

/// Idle sockets fill the cap: the next connection is answered 503 (not left hanging or
/// refused by the kernel), and once they go the sandbox serves again.
#[tokio::test]
async fn connections_beyond_the_cap_get_503_and_the_server_recovers() {
    let app = spawn_app_with(|c| {
        c.max_connections = 4;
        c.idle_timeout = 120.0;
        c.header_read_timeout = 120.0;
    })
    .await;
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(TcpStream::connect(app.addr).await.unwrap());
    }
    let host = format!("127.0.0.1:{}", app.addr.port());
    let answer = raw_http(app.addr, &get("/sandbox/health", &host)).await;
    assert_eq!(raw_status(&answer), 503, "{answer}");
    let body: Value = serde_json::from_str(body_of(&answer)).expect("JSON");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("--max-connections"),
        "{body}"
    );
    drop(idle);
    let started = Instant::now();
    loop {
        let answer = raw_http(app.addr, &get("/sandbox/health", &host)).await;
        if raw_status(&answer) == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never served again: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.stop().await;
}

/// Slowloris: a request head trickling in one header line at a time is cut off after the
/// header-read timeout, although bytes keep coming (so it is not the idle timeout).
#[tokio::test]
async fn a_slowloris_connection_is_closed_after_the_header_timeout() {
    let app = spawn_app_with(|c| {
        c.header_read_timeout = 1.0;
        c.idle_timeout = 120.0;
    })
    .await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let started = Instant::now();
    let head = format!(
        "GET /sandbox/health HTTP/1.1\r\nhost: 127.0.0.1:{}\r\n",
        app.addr.port()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = [0u8; 1024];
    let mut i = 0;
    let closed = loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "slowloris still connected"
        );
        if stream
            .write_all(format!("x-{i}: y\r\n").as_bytes())
            .await
            .is_err()
        {
            break true;
        }
        i += 1;
        match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break true,
            Ok(Ok(n)) => panic!(
                "answered a head never finished: {}",
                String::from_utf8_lossy(&buf[..n])
            ),
            Err(_) => {}
        }
    };
    assert!(closed);
    let (status, _) = app.get_json("/sandbox/health").await;
    assert_eq!(status, 200, "others are still served");
    app.stop().await;
}

fn signed_headers(app: &TestApp, path: &str, body: &str) -> Vec<(String, String)> {
    let time = clock::format_api(clock::now_ms());
    let signature = app
        .merchant_key
        .signature_header(path, &app.client_id, &time, body.as_bytes())
        .unwrap();
    vec![
        ("client-id".into(), app.client_id.clone()),
        ("request-time".into(), time),
        ("signature".into(), signature),
        ("content-type".into(), "application/json".into()),
    ]
}

async fn no_payment(app: &TestApp, request_id: &str) {
    let r = app
        .call(
            "/v1/payments/inquiryPayment",
            &json!({"paymentRequestId": request_id}),
        )
        .await;
    assert_eq!(
        r.result_code(),
        "ORDER_NOT_EXIST",
        "a payment was created: {}",
        r.raw
    );
}

/// Only POST: a correctly signed PUT or GET of `pay` creates nothing.
#[tokio::test]
async fn the_open_api_accepts_only_post() {
    let app = spawn_app().await;
    let path = "/v1/payments/pay";
    let body = app.pay_body("put-1", "1000").to_string();
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::GET,
        reqwest::Method::DELETE,
    ] {
        let mut req = app
            .http
            .request(method.clone(), format!("{}{path}", app.base))
            .body(body.clone());
        for (k, v) in signed_headers(&app, path, &body) {
            req = req.header(k, v);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 405, "{method}");
        assert_eq!(resp.headers().get("allow").unwrap(), "POST");
        assert!(resp.headers().get("signature").is_none());
        let v: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
        assert_eq!(v["result"]["resultCode"], "METHOD_NOT_SUPPORTED", "{v}");
        assert!(v["result"]["resultMessage"]
            .as_str()
            .unwrap()
            .contains("POST"));
    }
    no_payment(&app, "put-1").await;
    // An unknown path stays INVALID_API with HTTP 200, whatever the method.
    let resp = app
        .http
        .get(format!("{}/v1/payments/capture", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let v: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(v["result"]["resultCode"], "INVALID_API");
    app.stop().await;
}

/// The signature covers the path and the body, not a query string: any query is refused.
#[tokio::test]
async fn a_query_string_on_the_open_api_is_refused() {
    let app = spawn_app().await;
    let path = "/v1/payments/pay";
    let body = app.pay_body("query-1", "1000").to_string();
    let mut req = app
        .http
        .post(format!("{}{path}?paymentRequestId=other&x=1", app.base))
        .body(body.clone());
    for (k, v) in signed_headers(&app, path, &body) {
        req = req.header(k, v);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let v: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(v["result"]["resultCode"], "PARAM_ILLEGAL", "{v}");
    assert!(
        v["result"]["resultMessage"]
            .as_str()
            .unwrap()
            .contains("query string"),
        "{v}"
    );
    no_payment(&app, "query-1").await;
    app.stop().await;
}

/// A 60 KB `Client-Id` is refused with a message, and never comes back in a header.
#[tokio::test]
async fn a_huge_client_id_is_refused_and_not_echoed() {
    let app = spawn_app().await;
    let huge = "C".repeat(60 * 1024);
    let r = app
        .send(
            "/v1/payments/inquiryPayment",
            b"{}".to_vec(),
            &[("client-id", &huge)],
        )
        .await;
    assert_eq!(
        r.status,
        431,
        "{}",
        superapp_sandbox::http::perimeter::shorten(&r.raw)
    );
    assert!(r.headers.get("client-id").is_none());
    let total: usize = r
        .headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    assert!(total < 2048, "answer headers are {total} bytes");
    assert!(
        r.raw.len() < 2048 && r.raw.contains("client-id"),
        "{}",
        r.raw
    );
    // Long but under the header caps: ACCESS_DENIED, unsigned, not echoed either.
    let long = "C".repeat(2000);
    let r = app
        .send(
            "/v1/payments/inquiryPayment",
            b"{}".to_vec(),
            &[("client-id", &long)],
        )
        .await;
    assert_eq!(
        (r.status, r.result_code()),
        (200, "ACCESS_DENIED"),
        "{}",
        superapp_sandbox::http::perimeter::shorten(&r.raw)
    );
    assert!(r.headers.get("client-id").is_none());
    assert!(!r.raw.contains(&long));
    app.stop().await;
}

/// An unknown client or a bad signature gets an unsigned answer (no RSA work, nothing echoed);
/// a known client with a good signature still gets signed answers.
#[tokio::test]
async fn unauthenticated_calls_get_unsigned_answers() {
    let app = spawn_app().await;
    let path = "/v1/payments/inquiryPayment";
    let body = r#"{"paymentId":"x"}"#;
    let mut headers = signed_headers(&app, path, body);
    headers[0].1 = "SANDBOX_NOBODY".into();
    let as_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = app.send(path, body.as_bytes().to_vec(), &as_refs).await;
    assert_eq!(
        (r.status, r.result_code()),
        (200, "ACCESS_DENIED"),
        "{}",
        r.raw
    );
    assert!(
        r.headers.get("signature").is_none(),
        "unknown client: unsigned"
    );
    assert!(r.headers.get("client-id").is_none());
    let mut headers = signed_headers(&app, path, body);
    headers[2].1 = "algorithm=RSA256, keyVersion=1, signature=AAAA".into();
    let as_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = app.send(path, body.as_bytes().to_vec(), &as_refs).await;
    assert_eq!(r.result_code(), "INVALID_SIGNATURE", "{}", r.raw);
    assert!(
        r.headers.get("signature").is_none(),
        "bad signature: unsigned"
    );
    let r = app.call(path, &json!({"paymentId": "x"})).await;
    assert_eq!(r.result_code(), "ORDER_NOT_EXIST");
    assert!(
        r.headers.get("signature").is_some(),
        "authenticated: signed (and verified)"
    );
    app.stop().await;
}
