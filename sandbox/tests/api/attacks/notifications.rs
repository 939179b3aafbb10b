//! The notification dispatcher against hostile merchant endpoints: a huge answer, hundreds of
//! endpoints that never answer, and a crash in the middle of a delivery.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use superapp_sandbox::{app::dispatcher::ANSWER_CAP, domain::notification::EXCERPT_BYTES};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::common::{self, spawn_app_with, TestApp};

/// A merchant server written by hand, so it can misbehave: it counts the connections it
/// accepted and the body bytes it managed to send.
struct Hostile {
    /// `http://127.0.0.1:<port>`.
    base: String,
    accepted: Arc<AtomicUsize>,
    sent: Arc<AtomicU64>,
}

/// Reads one request head (and whatever body came with it).
async fn read_request(socket: &mut tokio::net::TcpStream) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut seen = Vec::new();
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

/// Accepts every connection, reads the request, and never answers (holds the socket open).
async fn spawn_hanging() -> Hostile {
    spawn_hostile(None).await
}

/// Answers every request `200` with a JSON-looking body of `body_len` bytes, written 64 KiB at
/// a time until done or the client hangs up.
async fn spawn_flood(body_len: u64) -> Hostile {
    spawn_hostile(Some(body_len)).await
}

async fn spawn_hostile(flood: Option<u64>) -> Hostile {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let sent = Arc::new(AtomicU64::new(0));
    let (a, s) = (accepted.clone(), sent.clone());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            a.fetch_add(1, Ordering::SeqCst);
            let s = s.clone();
            tokio::spawn(async move {
                read_request(&mut socket).await;
                let Some(len) = flood else {
                    // Never answer; keep the connection until the client gives up.
                    let mut sink = [0u8; 1024];
                    while let Ok(n) = socket.read(&mut sink).await {
                        if n == 0 {
                            break;
                        }
                    }
                    return;
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n\r\n"
                );
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let mut chunk = vec![b' '; 64 * 1024];
                let prefix = br#"{"result":{"resultStatus":"S","padding":""#;
                chunk[..prefix.len()].copy_from_slice(prefix);
                let mut left = len;
                while left > 0 {
                    let n = left.min(chunk.len() as u64) as usize;
                    if socket.write_all(&chunk[..n]).await.is_err() {
                        return;
                    }
                    s.fetch_add(n as u64, Ordering::SeqCst);
                    left -= n as u64;
                    chunk[..prefix.len()].fill(b' ');
                }
            });
        }
    });
    Hostile {
        base,
        accepted,
        sent,
    }
}

/// Creates a payment notified to `url` and completes it headlessly; returns its id.
async fn paid_and_notified(app: &TestApp, request_id: &str, url: &str) -> String {
    let pay = app.pay(request_id, "100", Some(url)).await;
    let id = pay.body["paymentId"]
        .as_str()
        .unwrap_or_else(|| panic!("pay answered {}", pay.raw))
        .to_string();
    let (st, body) = app.complete(&id, "SUCCESS").await;
    assert_eq!(st, 200, "{body}");
    id
}

/// The delivery log of one payment's notification.
async fn notification_of(app: &TestApp, payment_id: &str) -> Value {
    let (st, log) = app
        .get_json(&format!("/sandbox/notifications?paymentId={payment_id}"))
        .await;
    assert_eq!(st, 200, "{log}");
    log["notifications"][0].clone()
}

/// Polls the log of `payment_id` until `done` holds (or `limit` passes).
async fn wait_log(
    app: &TestApp,
    payment_id: &str,
    limit: Duration,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let start = Instant::now();
    loop {
        let n = notification_of(app, payment_id).await;
        if done(&n) {
            return n;
        }
        assert!(start.elapsed() < limit, "log never got there: {n}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_huge_answer_is_cut_after_the_cap_and_logged_with_an_excerpt() {
    let app = spawn_app_with(|_| {}).await;
    let body_len: u64 = 64 * 1024 * 1024;
    let flood = spawn_flood(body_len).await;
    let id = paid_and_notified(&app, "huge-answer", &format!("{}/notify", flood.base)).await;
    let n = wait_log(&app, &id, Duration::from_secs(30), |n| {
        n["attempts"][0]["state"] == "done"
    })
    .await;
    let attempt = &n["attempts"][0];
    assert_eq!(attempt["httpStatus"], 200, "{n}");
    assert_eq!(
        attempt["ok"], false,
        "a cut answer acknowledges nothing: {n}"
    );
    let error = attempt["error"].as_str().unwrap_or("");
    assert!(
        error.contains(&format!("longer than {ANSWER_CAP} bytes")),
        "{n}"
    );
    let excerpt = attempt["responseExcerpt"].as_str().unwrap_or("");
    assert!(
        excerpt.starts_with(r#"{"result":{"resultStatus":"S""#),
        "{n}"
    );
    assert!(excerpt.len() <= EXCERPT_BYTES, "{}", excerpt.len());
    assert_eq!(n["status"], "PENDING", "retried on the schedule: {n}");
    // The dispatcher hung up: the server could push only what the socket buffers hold, far
    // from the whole answer (a reader of the whole body would have taken all 64 MiB).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = flood.sent.load(Ordering::SeqCst);
    assert!(
        sent < body_len / 2,
        "the server wrote {sent} of {body_len} bytes"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_healthy_merchant_is_notified_while_300_endpoints_hang() {
    // Hanging attempts must stay outstanding for the whole test: a long timeout.
    let app = spawn_app_with(|c| c.notify_timeout = 600.0).await;
    let hanging = spawn_hanging().await;
    let mut stuck = Vec::new();
    for i in 0..300 {
        let url = format!("{}/notify/{i}", hanging.base);
        stuck.push(paid_and_notified(&app, &format!("hang-{i}"), &url).await);
    }
    let start = Instant::now();
    while hanging.accepted.load(Ordering::SeqCst) == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "never dispatched"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Another merchant's notification, due after all 300.
    let healthy = common::spawn_receiver(Some(app.wallet_key.clone()), vec!["S"], 0).await;
    let id = paid_and_notified(&app, "healthy", &healthy.url).await;
    let got = healthy.wait_for(1, Duration::from_secs(60)).await;
    assert_eq!(got[0].body["paymentId"], id.as_str());
    assert!(got[0].signature_ok);

    // Delivered while every hanging notification is still outstanding: none has finished an
    // attempt, so the healthy one did not wait for any of them to time out.
    for p in &stuck {
        let n = notification_of(&app, p).await;
        assert_eq!(n["status"], "PENDING", "{n}");
        let attempts = n["attempts"].as_array().cloned().unwrap_or_default();
        assert!(
            attempts.iter().all(|a| a["state"] == "sending"),
            "a hanging attempt ended before the healthy delivery: {n}"
        );
    }
    let accepted = hanging.accepted.load(Ordering::SeqCst);
    assert!(
        accepted < 300,
        "one host holds a bounded share, not every slot: {accepted} connections"
    );
    // The lag is reported.
    let n = wait_log(&app, &id, Duration::from_secs(10), |n| {
        n["status"] == "DELIVERED"
    })
    .await;
    assert!(n["attempts"][0]["lagMs"].is_i64(), "{n}");
    assert!(n["lagMs"].is_i64(), "{n}");
    app.stop().await;
}

#[tokio::test]
async fn an_attempt_cut_by_kill_9_shows_as_interrupted_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let hanging = spawn_hanging().await;
    let url = format!("{}/notify/payment", hanging.base);
    let mut p = common::start_binary(dir.path(), &["--notify-timeout", "600"]);
    let app = common::binary_client(&p, dir.path());
    let id = paid_and_notified(&app, "cut", &url).await;
    // The merchant has the request in hand (it may act on it) when the sandbox dies.
    let start_wait = Instant::now();
    while hanging.accepted.load(Ordering::SeqCst) == 0 {
        assert!(start_wait.elapsed() < Duration::from_secs(30), "never sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let before = notification_of(&app, &id).await;
    assert_eq!(before["attempts"][0]["state"], "sending", "{before}");
    p.child.kill().unwrap(); // SIGKILL
    p.child.wait().unwrap();

    let p2 = common::start_binary(dir.path(), &["--notify-timeout", "600"]);
    let app2 = common::binary_client(&p2, dir.path());
    let n = wait_log(&app2, &id, Duration::from_secs(30), |n| {
        n["attempts"].as_array().map_or(0, Vec::len) >= 2
    })
    .await;
    let first = &n["attempts"][0];
    assert_eq!(first["state"], "interrupted", "{n}");
    assert_eq!(first["attempt"], 1);
    assert!(
        first["error"]
            .as_str()
            .unwrap_or("")
            .contains("may have received it"),
        "{n}"
    );
    // The log holds every request the merchant got: the cut one and its retry.
    assert_eq!(n["attempts"][1]["attempt"], 2, "{n}");
    let start_wait = Instant::now();
    while hanging.accepted.load(Ordering::SeqCst) < 2 {
        assert!(
            start_wait.elapsed() < Duration::from_secs(30),
            "never resent"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        hanging.accepted.load(Ordering::SeqCst),
        n["attempts"].as_array().map_or(0, Vec::len),
        "one connection per logged attempt"
    );
}
