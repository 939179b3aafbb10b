//! Fairness and memory of the notification dispatcher, in one command:
//!
//! ```text
//! cargo run --release -p superapp-sandbox --example fairness [-- --healthy 50 --hanging 300]
//! ```
//!
//! 1. Delivery lag (due → sent, as the delivery log records it) of a healthy merchant's
//!    notifications, sent one after another, in three sandboxes started in this process:
//!    - baseline: nothing else to deliver;
//!    - 300 notifications to one merchant host whose endpoints never answer;
//!    - 300 notifications to 300 hosts (ports) that never answer.
//!
//!    Hanging attempts wait for the default 10 s timeout, then retry on the fast schedule.
//! 2. Peak RSS of this process while the dispatcher receives a 512 MiB answer, against the RSS
//!    just before.
//!
//! Numbers are reported, never asserted. Loopback only; bounded in count and time.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use superapp_sandbox::signature::Signer;
use superapp_sandbox::{domain::clock, Config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[path = "common/args.rs"]
mod args;

struct Args {
    healthy: usize,
    hanging: usize,
    answer_mib: u64,
}

fn args() -> Args {
    let mut a = Args {
        healthy: 50,
        hanging: 300,
        answer_mib: 512,
    };
    for (name, v) in &args::command_line(&[]).1 {
        match name.as_str() {
            "--healthy" => a.healthy = args::number(v, a.healthy, 5, 1000),
            "--hanging" => a.hanging = args::number(v, a.hanging, 1, 2000),
            "--answer-mib" => a.answer_mib = args::number(v, a.answer_mib, 1, 4096),
            other => eprintln!("ignoring {other}"),
        }
    }
    a
}

/// Resident set size of this process in KiB (Linux `/proc/self/status`).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// A sandbox in this process and a merchant client for it.
struct Sandbox {
    base: String,
    client_id: String,
    key: Signer,
    http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Sandbox {
    async fn start() -> Sandbox {
        let app = superapp_sandbox::build(Config::for_tests())
            .await
            .expect("sandbox starts");
        let base = app.public_base().to_string();
        let merchant = app.state().store.default_merchant().unwrap().unwrap();
        let key = Signer::from_pem(merchant.private_key_pem.as_deref().unwrap()).unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        Sandbox {
            base,
            client_id: merchant.client_id,
            key,
            http: reqwest::Client::new(),
            stop: Some(tx),
        }
    }

    /// A payment notified to `url`, completed headlessly: its notification is due now.
    async fn notified(&self, request_id: &str, url: &str) -> String {
        let body = json!({"productCode":"CASHIER_PAYMENT","paymentRequestId":request_id,
            "paymentAmount":{"currency":"USD","value":"100"},
            "order":{"orderDescription":"fairness","referenceOrderId":request_id},
            "paymentNotifyUrl": url})
        .to_string();
        let path = "/v1/payments/pay";
        let time = clock::format_api(clock::now_ms());
        let signature = self
            .key
            .signature_header(path, &self.client_id, &time, body.as_bytes())
            .unwrap();
        let pay = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .header("client-id", &self.client_id)
            .header("request-time", time)
            .header("signature", signature)
            .body(body)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let pay: Value = serde_json::from_str(&pay).unwrap_or(Value::Null);
        let id = pay["paymentId"].as_str().expect("paymentId").to_string();
        self.http
            .post(format!("{}/sandbox/payments/{id}/complete", self.base))
            .header("content-type", "application/json")
            .body(r#"{"outcome":"SUCCESS"}"#)
            .send()
            .await
            .unwrap();
        id
    }

    /// The first attempt of a payment's notification, once it has ended.
    async fn first_attempt(&self, payment_id: &str) -> Value {
        let started = Instant::now();
        loop {
            let log = self
                .http
                .get(format!(
                    "{}/sandbox/notifications?paymentId={payment_id}",
                    self.base
                ))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let log: Value = serde_json::from_str(&log).unwrap_or(Value::Null);
            let a = &log["notifications"][0]["attempts"][0];
            if a["state"] == "done" {
                return a.clone();
            }
            assert!(started.elapsed() < Duration::from_secs(120), "{log}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// A listener that accepts, reads the request and never answers; counts connections.
async fn hanging_host(accepted: Arc<AtomicUsize>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            accepted.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                let mut sink = [0u8; 4096];
                while let Ok(n) = socket.read(&mut sink).await {
                    if n == 0 {
                        break;
                    }
                }
            });
        }
    });
    base
}

/// A merchant that acknowledges every notification.
async fn healthy_receiver() -> String {
    let app = Router::new().route(
        "/notify",
        post(|| async {
            r#"{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}"#
        }),
    );
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    format!("http://{addr}/notify")
}

#[derive(Clone, Copy, PartialEq)]
enum Hanging {
    None,
    OneHost,
    ManyHosts,
}

/// Lags (ms) of `healthy` notifications sent one after another, with `hanging` stuck ones.
async fn lags(a: &Args, hanging: Hanging) -> (Vec<i64>, usize) {
    let sandbox = Sandbox::start().await;
    let accepted = Arc::new(AtomicUsize::new(0));
    let mut urls = Vec::new();
    match hanging {
        Hanging::None => {}
        Hanging::OneHost => {
            let base = hanging_host(accepted.clone()).await;
            urls = (0..a.hanging)
                .map(|i| format!("{base}/notify/{i}"))
                .collect();
        }
        Hanging::ManyHosts => {
            for _ in 0..a.hanging {
                let base = hanging_host(accepted.clone()).await;
                urls.push(format!("{base}/notify"));
            }
        }
    }
    for (i, url) in urls.iter().enumerate() {
        sandbox.notified(&format!("hang-{i}"), url).await;
    }
    if !urls.is_empty() {
        while accepted.load(Ordering::Relaxed) == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let receiver = healthy_receiver().await;
    let mut out = Vec::with_capacity(a.healthy);
    for i in 0..a.healthy {
        let id = sandbox.notified(&format!("healthy-{i}"), &receiver).await;
        let attempt = sandbox.first_attempt(&id).await;
        out.push(attempt["lagMs"].as_i64().unwrap_or(-1));
    }
    let held = accepted.load(Ordering::Relaxed);
    sandbox.stop();
    out.sort_unstable();
    (out, held)
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return -1;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Peak RSS (KiB) while the dispatcher receives an answer of `mib` MiB; (before, peak, sent).
async fn rss_during_huge_answer(mib: u64) -> (u64, u64, u64) {
    let sandbox = Sandbox::start().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    let sent = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    {
        let (sent, done) = (sent.clone(), done.clone());
        tokio::spawn(async move {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut buf = [0u8; 16 * 1024];
            let _ = socket.read(&mut buf).await;
            let len = mib * 1024 * 1024;
            let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {len}\r\n\r\n");
            if socket.write_all(head.as_bytes()).await.is_ok() {
                let chunk = vec![b'x'; 64 * 1024];
                let mut left = len;
                while left > 0 {
                    let n = left.min(chunk.len() as u64) as usize;
                    if socket.write_all(&chunk[..n]).await.is_err() {
                        break;
                    }
                    sent.fetch_add(n as u64, Ordering::Relaxed);
                    left -= n as u64;
                }
            }
            done.store(1, Ordering::Relaxed);
        });
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rss_kib();
    let mut peak = before;
    let id = sandbox.notified("huge", &url).await;
    let sampler = {
        let done = done.clone();
        tokio::spawn(async move {
            let mut peak = 0;
            while done.load(Ordering::Relaxed) == 0 {
                peak = peak.max(rss_kib());
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            peak
        })
    };
    let _ = sandbox.first_attempt(&id).await;
    let started = Instant::now();
    while done.load(Ordering::Relaxed) == 0 && started.elapsed() < Duration::from_secs(60) {
        peak = peak.max(rss_kib());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    done.store(1, Ordering::Relaxed);
    peak = peak.max(sampler.await.unwrap_or(0));
    sandbox.stop();
    (before, peak, sent.load(Ordering::Relaxed))
}

#[tokio::main]
async fn main() {
    let a = args();
    println!(
        "fairness: {} healthy notifications one after another; hanging endpoints wait for the 10 s timeout",
        a.healthy
    );
    for (name, hanging) in [
        ("baseline (nothing hanging)", Hanging::None),
        ("hanging: one host, N URLs", Hanging::OneHost),
        ("hanging: N hosts", Hanging::ManyHosts),
    ] {
        let started = Instant::now();
        let (lags, held) = lags(&a, hanging).await;
        let n = if hanging == Hanging::None {
            0
        } else {
            a.hanging
        };
        println!(
            "  {name:<28} N={n:<4} lag p50 {:>4} ms  p99 {:>5} ms  max {:>5} ms  ({} hanging connections held; {:.1} s)",
            percentile(&lags, 0.5),
            percentile(&lags, 0.99),
            lags.last().copied().unwrap_or(-1),
            held,
            started.elapsed().as_secs_f64()
        );
    }
    let (before, peak, sent) = rss_during_huge_answer(a.answer_mib).await;
    println!(
        "memory: a {} MiB answer: RSS {:.1} MiB before, peak {:.1} MiB during (+{:.1} MiB); the server pushed {:.1} MiB before the dispatcher hung up",
        a.answer_mib,
        before as f64 / 1024.0,
        peak as f64 / 1024.0,
        peak.saturating_sub(before) as f64 / 1024.0,
        sent as f64 / (1024.0 * 1024.0)
    );
}
