//! Flood benchmark of the sandbox's perimeter, in one command (after a release build of the
//! server binary, which it starts as a child process so its memory is measured alone):
//!
//! ```text
//! cargo build --release -p superapp-sandbox
//! cargo run --release -p superapp-sandbox --example flood
//! ```
//!
//! 1. Throughput of refusing unauthenticated `/v1` calls (an unknown `Client-Id`; a known one
//!    with a wrong signature) against `GET /sandbox/health` as the baseline, interleaved in
//!    rounds in the same run, concurrency 32 over keep-alive connections.
//! 2. The server's memory (`VmRSS`, peak `VmHWM` from `/proc/<pid>/status`) while 20,000 idle
//!    connections are attempted, and whether (and when) it serves again.
//! 3. Its memory under 120 concurrent relays of a 10 MiB answer, with the default
//!    `--relay-concurrency` and with it raised to 120.
//!
//! Figures are printed, never asserted. Loopback only.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use serde_json::json;

/// A server started from the built binary.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(extra: &[&str]) -> Server {
        let exe = std::env::current_exe().expect("own path");
        let bin = exe
            .parent()
            .and_then(|examples| examples.parent())
            .map(|dir| dir.join("superapp-sandbox"))
            .filter(|p| p.exists())
            .expect("build the server first: cargo build --release -p superapp-sandbox");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = Command::new(bin)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--mini-program-listen", "off", "--memory", "--log", "error"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(
                std::fs::File::create(
                    std::env::temp_dir().join(format!("flood-server-{port}.log")),
                )
                .map(Stdio::from)
                .unwrap_or_else(|_| Stdio::null()),
            )
            .spawn()
            .expect("server starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if http
                .get(format!("{base}/sandbox/health"))
                .send()
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Server { child, base }
    }

    /// `(VmRSS, VmHWM)` in MiB.
    fn memory(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let kib = |key: &str| {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
                / 1024.0
        };
        (kib("VmRSS:"), kib("VmHWM:"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `n` requests made by `make`, 32 at a time; requests per second.
async fn rate(n: usize, make: impl Fn() -> reqwest::RequestBuilder + Send + Sync + 'static) -> f64 {
    let make = Arc::new(make);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..32)
        .map(|_| {
            let (make, next) = (make.clone(), next.clone());
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < n {
                    if let Ok(r) = make().send().await {
                        let _ = r.bytes().await;
                    }
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.await;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn unauthenticated_flood() {
    let server = Server::start(&[]).await;
    let http = reqwest::Client::new();
    let merchant: serde_json::Value = serde_json::from_str(
        &http
            .get(format!("{}/sandbox/merchants/default", server.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap_or_default();
    let client_id = merchant["clientId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let body = r#"{"paymentId":"x"}"#;
    let fake = format!(
        "algorithm=RSA256, keyVersion=1, signature={}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [7u8; 256])
    );
    let (mut health, mut unknown, mut bad_sig) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..5 {
        let (h, b) = (http.clone(), server.base.clone());
        health.push(rate(3000, move || h.get(format!("{b}/sandbox/health"))).await);
        let (h, b) = (http.clone(), server.base.clone());
        unknown.push(
            rate(3000, move || {
                h.post(format!("{b}/v1/payments/inquiryPayment"))
                    .header("client-id", "SANDBOX_NOBODY")
                    .header("request-time", "2026-01-01T00:00:00Z")
                    .header(
                        "signature",
                        "algorithm=RSA256, keyVersion=1, signature=AAAA",
                    )
                    .body(body)
            })
            .await,
        );
        let (h, b, c, f) = (
            http.clone(),
            server.base.clone(),
            client_id.clone(),
            fake.clone(),
        );
        bad_sig.push(
            rate(3000, move || {
                h.post(format!("{b}/v1/payments/inquiryPayment"))
                    .header("client-id", c.as_str())
                    .header("request-time", "2026-01-01T00:00:00Z")
                    .header("signature", f.as_str())
                    .body(body)
            })
            .await,
        );
    }
    let (h, u, s) = (median(health), median(unknown), median(bad_sig));
    println!("unauthenticated /v1 flood (5 interleaved rounds of 3000, concurrency 32, medians):");
    println!("  GET /sandbox/health (baseline)      {h:8.0} req/s");
    println!(
        "  unknown Client-Id (unsigned answer)  {u:8.0} req/s  ({:.0}% of health)",
        100.0 * u / h
    );
    println!(
        "  bad signature (verify, unsigned)     {s:8.0} req/s  ({:.0}% of health)",
        100.0 * s / h
    );
    let (rss, hwm) = server.memory();
    println!("  server memory after: VmRSS {rss:.1} MiB, VmHWM {hwm:.1} MiB");
}

async fn idle_connections() {
    let server = Server::start(&[]).await;
    let addr: std::net::SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    let (rss0, _) = server.memory();
    let started = Instant::now();
    // Sockets the server has answered (503) or closed are let go at once, so that this process
    // keeps only the ones the server holds (its file descriptors are limited too).
    let mut open: Vec<tokio::net::TcpStream> = Vec::new();
    let (mut failed, mut refused, mut closed) = (0usize, 0usize, 0usize);
    for _ in 0..40 {
        let batch: Vec<_> = (0..500)
            .map(|_| tokio::spawn(tokio::net::TcpStream::connect(addr)))
            .collect();
        for c in batch {
            match c.await {
                Ok(Ok(s)) => open.push(s),
                _ => failed += 1,
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        let mut buf = [0u8; 512];
        open.retain(|s| match s.try_read(&mut buf) {
            Ok(0) => {
                closed += 1;
                false
            }
            Ok(n) => {
                if String::from_utf8_lossy(&buf[..n]).contains(" 503 ") {
                    refused += 1;
                } else {
                    closed += 1;
                }
                false
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => true,
            Err(_) => {
                closed += 1;
                false
            }
        });
    }
    let opening = started.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (rss, hwm) = server.memory();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let during = http
        .get(format!("{}/sandbox/health", server.base))
        .send()
        .await
        .map(|r| r.status().as_u16().to_string())
        .unwrap_or_else(|e| format!("error {e}"));
    // The 512 held ones are closed by the idle timeout (5 s); the rest were answered 503.
    let waited = Instant::now();
    let mut again = None;
    while waited.elapsed() < Duration::from_secs(30) {
        if let Ok(r) = http
            .get(format!("{}/sandbox/health", server.base))
            .send()
            .await
        {
            if r.status().is_success() {
                again = Some(waited.elapsed());
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "20,000 idle connections attempted (default --max-connections 512, --idle-timeout 5 s):"
    );
    println!(
        "  in {:.1} s: {refused} answered 503, {closed} closed, {failed} failed to connect, {} still open at the end (held, or not yet accepted); health right after: {during}; served again after {}",
        opening.as_secs_f64(),
        open.len(),
        again.map_or("never (30 s)".to_string(), |d| format!("{:.1} s", d.as_secs_f64()))
    );
    println!(
        "  server memory: VmRSS {rss0:.1} MiB before, {rss:.1} MiB with them, VmHWM {hwm:.1} MiB"
    );
    drop(open);
}

async fn relay_answers(concurrency: &str) {
    let server = Server::start(&["--relay-concurrency", concurrency]).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = listener.local_addr().unwrap().to_string();
    let answer = bytes::Bytes::from(vec![b'x'; 10 * 1024 * 1024 - 1024]);
    let app = Router::new().route("/big", get(move || std::future::ready(answer.clone())));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let http = reqwest::Client::new();
    let _ = http
        .put(format!(
            "{}/sandbox/mini-programs/2102020000000001",
            server.base
        ))
        .header("content-type", "application/json")
        .body(json!({"whitelist": [upstream], "url": "http://127.0.0.1:8701/"}).to_string())
        .send()
        .await;
    let (rss0, _) = server.memory();
    let envelope = json!({"appId": "2102020000000001", "url": format!("http://{upstream}/big"), "timeoutMs": 60000}).to_string();
    let started = Instant::now();
    let calls: Vec<_> = (0..120)
        .map(|_| {
            let (h, b, e) = (http.clone(), server.base.clone(), envelope.clone());
            tokio::spawn(async move {
                let text = h
                    .post(format!("{b}/relay"))
                    .body(e)
                    .send()
                    .await
                    .ok()?
                    .text()
                    .await
                    .ok()?;
                let v: serde_json::Value = serde_json::from_str(&text).ok()?;
                Some(v["status"] == 200)
            })
        })
        .collect();
    let mut peak = 0.0f64;
    let mut ok = 0;
    let mut refused = 0;
    for c in calls {
        peak = peak.max(server.memory().0);
        match c.await {
            Ok(Some(true)) => ok += 1,
            _ => refused += 1,
        }
    }
    let (_, hwm) = server.memory();
    println!("120 concurrent relays of a 10 MiB answer, --relay-concurrency {concurrency}:");
    println!(
        "  {ok} relayed, {refused} answered busy/failed, in {:.1} s; server VmRSS {rss0:.1} MiB before, VmHWM {hwm:.1} MiB (peak seen {peak:.1} MiB)",
        started.elapsed().as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--idle-only") {
        idle_connections().await;
        return;
    }
    unauthenticated_flood().await;
    idle_connections().await;
    relay_answers("16").await;
    relay_answers("120").await;
}
