//! Load benchmark of the sandbox, in one command:
//!
//! ```text
//! cargo run --release -p superapp-sandbox --example load [-- --requests 3000 --concurrency 32]
//! cargo run --release -p superapp-sandbox --example load -- --sign-only   # step 1 only
//! ```
//!
//! 1. The machine's RSA-2048 ceiling: `openssl speed -seconds 3 rsa2048` (OpenSSL's signs per
//!    CPU-second on one core), run as a child process, and the sandbox's own `Signer`
//!    (aws-lc-rs) beside it. Every open API answer is signed, so that is the ceiling.
//! 2. `pay` and `inquiryPayment` against a sandbox started in-process on loopback (SQLite in a
//!    temp dir, as by default), with real merchant signatures. Requests are signed *before* the
//!    timed phase so the client does not compete with the server for the CPU's RSA time. Each
//!    chunk is compared with `openssl speed -elapsed -seconds 1 -multi <cores> rsa2048` run just
//!    before and after it (wall clock, all cores).
//! 3. Where a call's CPU time goes: sign, verify, JSON, SQLite and the HTTP round trip (a plain
//!    GET over the same client and server), each measured in a loop in the same run.
//! 4. Notification dispatch: payments completed headlessly, each notified (signed) to a local
//!    receiver that acknowledges with S; throughput from first completion to last delivery.
//!
//! Without `openssl` on PATH, the ceiling is the sandbox's own signer (and says so).
//! Bounded in count and time; loopback only.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::post;
use axum::Router;
use serde_json::{json, Map, Value};
use superapp_sandbox::app::payments;
use superapp_sandbox::domain::amount::Amount;
use superapp_sandbox::domain::clock;
use superapp_sandbox::domain::payment::PaymentStatus;
use superapp_sandbox::http::open_api as api;
use superapp_sandbox::signature::{content_to_sign, Signer};
use superapp_sandbox::store::{NewPayment, PaymentRow, Store};
use superapp_sandbox::Config;

#[path = "common/args.rs"]
mod args;

struct Args {
    requests: usize,
    concurrency: usize,
    notifications: usize,
    sign_only: bool,
}

fn args() -> Args {
    let mut a = Args {
        requests: 3000,
        concurrency: 32,
        notifications: 1000,
        sign_only: false,
    };
    let (switches, pairs) = args::command_line(&["--sign-only"]);
    a.sign_only = !switches.is_empty();
    for (name, v) in &pairs {
        match name.as_str() {
            "--requests" => a.requests = args::number(v, a.requests, 10, 100_000),
            "--concurrency" => a.concurrency = args::number(v, a.concurrency, 1, 512),
            "--notifications" => a.notifications = args::number(v, a.notifications, 10, 100_000),
            other => eprintln!("ignoring {other}"),
        }
    }
    a
}

/// Seconds of CPU (user + system) this process has used so far (Linux `/proc/self/stat`).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the `(comm)`: state is field 3; utime and stime are fields 14 and 15.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0 // USER_HZ is 100 on Linux
}

/// One signing window: signatures per second (wall clock), signatures, CPU seconds used.
struct SignWindow {
    rate: f64,
    count: usize,
    cpu: f64,
}

/// Signs as fast as possible on `threads` threads for `seconds`.
fn raw_sign_rate(key: &Signer, threads: usize, seconds: f64) -> SignWindow {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let cpu0 = cpu_seconds();
    let started = Instant::now();
    let total: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut n = 0usize;
                    let body = format!(
                        "POST /v1/payments/pay\nSANDBOX_X.2026-01-01T00:00:00+00:00.{{\"n\":{t}}}"
                    );
                    while Instant::now() < deadline {
                        let _ = key.sign_base64(body.as_bytes());
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    SignWindow {
        rate: total as f64 / started.elapsed().as_secs_f64(),
        count: total,
        cpu: cpu_seconds() - cpu0,
    }
}

/// `openssl speed <args> rsa2048` as a child process: (signs/s, verifies/s) from its result
/// line `rsa 2048 bits <s> <s> <sign/s> <verify/s>`, or None without a usable `openssl`.
fn openssl_speed(args: &[&str]) -> Option<(f64, f64)> {
    let out = std::process::Command::new("openssl")
        .arg("speed")
        .args(args)
        .arg("rsa2048")
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("rsa 2048 bits"))?;
    let numbers: Vec<f64> = line
        .split_whitespace()
        .filter_map(|w| w.parse::<f64>().ok())
        .collect();
    // [2048, sign s, verify s, sign/s, verify/s]: the times end in "s" and do not parse.
    match numbers.as_slice() {
        [.., sign, verify] => Some((*sign, *verify)),
        _ => None,
    }
}

/// The ceiling right now, on every core, by wall clock: OpenSSL when it is there, else the
/// sandbox's own signer.
fn ceiling_window(key: &Signer, cores: usize, openssl: bool) -> f64 {
    let cores_arg = cores.to_string();
    if openssl {
        if let Some((sign, _)) =
            openssl_speed(&["-elapsed", "-seconds", "1", "-multi", cores_arg.as_str()])
        {
            return sign;
        }
    }
    raw_sign_rate(key, cores, 1.0).rate
}

struct Signed {
    body: String,
    time: String,
    signature: String,
}

/// Signs `bodies` for `path` on all cores (untimed preparation).
fn presign(
    key: &Signer,
    client_id: &str,
    path: &str,
    bodies: Vec<String>,
    threads: usize,
) -> Vec<Signed> {
    let chunk = bodies.len().div_ceil(threads).max(1);
    let chunks: Vec<Vec<String>> = bodies.chunks(chunk).map(|c| c.to_vec()).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|c| {
                s.spawn(move || {
                    c.into_iter()
                        .map(|body| {
                            let time = clock::format_api(clock::now_ms());
                            let signature = key
                                .signature_header(path, client_id, &time, body.as_bytes())
                                .expect("sign");
                            Signed {
                                body,
                                time,
                                signature,
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

struct Run {
    throughput: f64,
    ok: usize,
    total: usize,
    latencies: Vec<Duration>,
}

async fn fire(
    base: &str,
    client_id: &str,
    path: &'static str,
    reqs: Vec<Signed>,
    concurrency: usize,
    expect: &'static str,
) -> Run {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap();
    let reqs = Arc::new(reqs);
    let next = Arc::new(AtomicUsize::new(0));
    let ok = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(60);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, reqs, next, ok) = (http.clone(), reqs.clone(), next.clone(), ok.clone());
        let url = format!("{base}{path}");
        let client_id = client_id.to_string();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= reqs.len() || Instant::now() > deadline {
                    return lat;
                }
                let r = &reqs[i];
                let t = Instant::now();
                let resp = http
                    .post(&url)
                    .header("content-type", "application/json; charset=UTF-8")
                    .header("client-id", &client_id)
                    .header("request-time", &r.time)
                    .header("signature", &r.signature)
                    .body(r.body.clone())
                    .send()
                    .await;
                if let Ok(resp) = resp {
                    if let Ok(text) = resp.text().await {
                        if text.contains(expect) {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                lat.push(t.elapsed());
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    let elapsed = started.elapsed();
    Run {
        throughput: all.len() as f64 / elapsed.as_secs_f64(),
        ok: ok.load(Ordering::Relaxed),
        total: all.len(),
        latencies: all,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// A load phase measured against the signing ceiling.
struct Phase {
    throughput: f64,
    p50: Duration,
    p99: Duration,
    ok: usize,
    total: usize,
    ceiling: f64,
    ratio_wall: f64,
    cpu_per_call: f64,
}

/// Runs `reqs` in chunks, measuring the machine's signing ceiling (all cores, by wall clock)
/// before the first chunk and after each one: on a shared, noisy machine each chunk is
/// compared with the mean of its two neighbouring ceiling windows, and the median of those
/// ratios is reported. CPU seconds per call (the whole process: server and client) are
/// measured too; load from other processes does not skew them.
#[allow(clippy::too_many_arguments)]
async fn phase(
    key: &Signer,
    cores: usize,
    openssl: bool,
    a: &Args,
    base: &str,
    client_id: &str,
    path: &'static str,
    mut reqs: Vec<Signed>,
    expect: &'static str,
) -> Phase {
    let chunk = (reqs.len() / 6).max(1);
    let mut before = ceiling_window(key, cores, openssl);
    let (mut ratios, mut lat_all, mut ceilings) = (Vec::new(), Vec::new(), vec![before]);
    let (mut ok, mut total, mut load_secs, mut load_cpu) = (0, 0, 0.0, 0.0);
    while !reqs.is_empty() {
        let rest = reqs.split_off(chunk.min(reqs.len()));
        let this = std::mem::replace(&mut reqs, rest);
        let cpu0 = cpu_seconds();
        let t0 = Instant::now();
        let run = fire(base, client_id, path, this, a.concurrency, expect).await;
        load_secs += t0.elapsed().as_secs_f64();
        load_cpu += cpu_seconds() - cpu0;
        let after = ceiling_window(key, cores, openssl);
        ratios.push(run.throughput / ((before + after) / 2.0));
        ceilings.push(after);
        ok += run.ok;
        total += run.total;
        lat_all.extend(run.latencies);
        before = after;
    }
    ratios.sort_by(f64::total_cmp);
    lat_all.sort();
    let pct = |p: f64| {
        lat_all
            .get(((lat_all.len() as f64 * p) as usize).min(lat_all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Phase {
        throughput: total as f64 / load_secs,
        p50: pct(0.5),
        p99: pct(0.99),
        ok,
        total,
        ceiling: ceilings.iter().sum::<f64>() / ceilings.len() as f64,
        ratio_wall: ratios.get(ratios.len() / 2).copied().unwrap_or(0.0),
        cpu_per_call: load_cpu / total.max(1) as f64,
    }
}

/// `cpu_per_sign`: CPU seconds of one signature at the ceiling (OpenSSL on one core).
fn report(name: &str, p: &Phase, cpu_per_sign: f64) {
    println!(
        "{name:<15} {:>6.0} req/s  p50 {}  p99 {}  ({}/{} ok)  ceiling {:.0} signs/s on all cores  \
         → {:.0}% (wall clock), {:.0}% (CPU per call: {:.0} µs)",
        p.throughput,
        ms(p.p50),
        ms(p.p99),
        p.ok,
        p.total,
        p.ceiling,
        p.ratio_wall * 100.0,
        cpu_per_sign / p.cpu_per_call * 100.0,
        p.cpu_per_call * 1e6
    );
}

/// CPU microseconds per run of `f` (the process's CPU over about `seconds`; the server is
/// idle meanwhile, so that is this thread's).
fn cpu_micros(seconds: f64, mut f: impl FnMut(usize)) -> f64 {
    let (cpu0, started) = (cpu_seconds(), Instant::now());
    let mut n = 0usize;
    while started.elapsed().as_secs_f64() < seconds {
        for _ in 0..16 {
            f(n);
            n += 1;
        }
    }
    (cpu_seconds() - cpu0) / n.max(1) as f64 * 1e6
}

/// CPU seconds per plain `GET` over the same client, concurrency and server: the HTTP floor
/// (hyper, axum, the middleware, reqwest, tokio), with no signature, JSON or SQLite.
async fn http_floor(base: &str, requests: usize, concurrency: usize) -> f64 {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap();
    let url = format!("{base}/sandbox/wallet-public-key.pem");
    let next = Arc::new(AtomicUsize::new(0));
    let cpu0 = cpu_seconds();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, url, next) = (http.clone(), url.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < requests && Instant::now() < deadline {
                if let Ok(resp) = http.get(&url).send().await {
                    let _ = resp.text().await;
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    (cpu_seconds() - cpu0) / requests as f64
}

/// Per-call CPU of each stage of `pay` and `inquiryPayment`, in loops, in microseconds.
struct Breakdown {
    sign: f64,
    verify: f64,
    json_pay: f64,
    json_inquiry: f64,
    sqlite_pay: f64,
    sqlite_inquiry: f64,
    http: f64,
}

fn breakdown(key: &Signer, pay_body: &str, http: f64) -> Breakdown {
    let content = content_to_sign(
        "/v1/payments/pay",
        "SANDBOX_X",
        "2026-01-01T00:00:00+00:00",
        pay_body.as_bytes(),
    );
    let header = key
        .signature_header(
            "/v1/payments/pay",
            "SANDBOX_X",
            "2026-01-01T00:00:00+00:00",
            pay_body.as_bytes(),
        )
        .expect("sign");
    let public = key.public();
    let sign = cpu_micros(1.0, |_| {
        let _ = key.sign_base64(&content);
    });
    let verify = cpu_micros(0.5, |_| {
        let _ = public.verify_header(
            &header,
            "/v1/payments/pay",
            "SANDBOX_X",
            "2026-01-01T00:00:00+00:00",
            pay_body.as_bytes(),
        );
    });
    // What the handlers do with JSON: parse the body, hash it canonically (pay), build and
    // write the answer, read its result code back for the log line.
    let answer = |v: Value| {
        let text = v.to_string();
        let back: Value = serde_json::from_str(&text).unwrap_or_default();
        std::hint::black_box((text, back));
    };
    let json_pay = cpu_micros(0.5, |i| {
        let m: Map<String, Value> = serde_json::from_str(pay_body).unwrap_or_default();
        let hash = api::request_hash(&m);
        answer(
            json!({"result": {"resultCode":"ACCEPT","resultStatus":"A","resultMessage":"accept"},
            "paymentId": format!("2026{i:020}"), "paymentRequestId": m["paymentRequestId"],
            "paymentAmount": m["paymentAmount"], "paymentCreateTime": "2026-01-01T00:00:00+00:00",
            "redirectActionForm": {"method":"GET","redirectUrl": hash, "redirectionUrl": hash, "normalUrl": hash}}),
        );
    });
    let json_inquiry = cpu_micros(0.5, |i| {
        let m: Map<String, Value> =
            serde_json::from_str(r#"{"paymentRequestId":"bench-1"}"#).unwrap_or_default();
        answer(
            json!({"result": {"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"},
            "paymentId": format!("2026{i:020}"), "paymentRequestId": m["paymentRequestId"],
            "paymentStatus": "PROCESSING", "paymentAmount": {"currency":"USD","value":"1000"},
            "paymentCreateTime": "2026-01-01T00:00:00+00:00", "paymentExpiryTime": "2026-01-01T00:14:00+00:00"}),
        );
    });
    // SQLite: the same store (a file in a temp dir, WAL) as the server's, its own database.
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(Some(dir.path())).expect("store");
    store
        .insert_merchant(&superapp_sandbox::store::MerchantRow {
            client_id: "SANDBOX_X".to_string(),
            name: "bench".to_string(),
            public_key_pem: public.to_pem(),
            private_key_pem: None,
            is_default: false,
        })
        .expect("merchant");
    let amount = Amount::parse(
        Some(&json!({"currency":"USD","value":"1000"})),
        "paymentAmount",
    )
    .expect("amount");
    let sqlite_pay = cpu_micros(1.0, |i| {
        let now = clock::now_ms();
        let row = PaymentRow {
            payment_id: format!("2026{i:020}"),
            client_id: "SANDBOX_X".to_string(),
            payment_request_id: format!("bench-{i}"),
            token: format!("token-{i}"),
            amount,
            order_description: "benchmark order".to_string(),
            merchant_name: "bench".to_string(),
            reference_order_id: Some(format!("o-{i}")),
            buyer_id: None,
            notify_url: Some("http://127.0.0.1:9/notify".to_string()),
            redirect_url: None,
            status: PaymentStatus::Processing,
            fail_reason: None,
            method: None,
            resolve_at: None,
            created_at: now,
            expiry_at: now + 900_000,
            payment_time: None,
            cancel_time: None,
            refunded_value: 0,
        };
        let _ = payments::create(
            &store,
            &NewPayment {
                row,
                request_hash: format!("{i:064}"),
                pay_response: "{}".to_string(),
            },
        );
    });
    let sqlite_inquiry = cpu_micros(0.5, |i| {
        let _ = payments::payment_by_request(
            &store,
            "SANDBOX_X",
            &format!("bench-{}", i % 1000),
            clock::now_ms(),
        );
    });
    Breakdown {
        sign,
        verify,
        json_pay,
        json_inquiry,
        sqlite_pay,
        sqlite_inquiry,
        http: http * 1e6,
    }
}

fn report_breakdown(b: &Breakdown, pay: &Phase, inq: &Phase) {
    let row = |name: &str, call: f64, parts: [f64; 5]| {
        let sum: f64 = parts.iter().sum();
        println!(
            "  {name:<15} CPU per call {call:>5.0} µs = sign {:.0} + verify {:.0} + JSON {:.0} + SQLite {:.0} + HTTP {:.0} \
             (sum {sum:.0}) + rest {:.0}; signing is {:.0}% of the call",
            parts[0], parts[1], parts[2], parts[3], parts[4], call - sum, parts[0] / call * 100.0
        );
    };
    println!("where the CPU time of a call goes (each stage in a loop, same run, µs):");
    row(
        "pay",
        pay.cpu_per_call * 1e6,
        [b.sign, b.verify, b.json_pay, b.sqlite_pay, b.http],
    );
    row(
        "inquiryPayment",
        inq.cpu_per_call * 1e6,
        [b.sign, b.verify, b.json_inquiry, b.sqlite_inquiry, b.http],
    );
}

fn main() {
    let a = args();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    println!(
        "superapp-sandbox load benchmark — {cores} cores, {} requests per phase, concurrency {}",
        a.requests, a.concurrency
    );

    let key = Signer::generate().expect("key");
    // The machine's ceiling: OpenSSL's RSA-2048 signs per CPU-second on one core.
    let openssl = openssl_speed(&["-seconds", "3"]);
    let cpu_per_sign = match openssl {
        Some((sign, verify)) => {
            println!(
                "openssl speed -seconds 3 rsa2048 (1 core, per CPU-second): {sign:.0} signs/s, {verify:.0} verifies/s"
            );
            1.0 / sign
        }
        None => {
            println!("openssl not found: the ceiling is the sandbox's own signer");
            let w = raw_sign_rate(&key, 1, 1.0);
            w.cpu / w.count.max(1) as f64
        }
    };
    let one = raw_sign_rate(&key, 1, 1.0);
    let all = raw_sign_rate(&key, cores, 1.0);
    println!(
        "sandbox Signer (aws-lc-rs) RSA-2048 sign (PKCS#1 v1.5, SHA-256, blinded): {:.0}/s on 1 thread ({:.0} µs CPU each), \
         {:.0}/s on {cores} threads",
        one.rate,
        one.cpu / one.count.max(1) as f64 * 1e6,
        all.rate
    );
    {
        // Every request's signature is verified too (a public-key operation, much cheaper).
        let public = key.public();
        let content = b"POST /v1/payments/pay\nSANDBOX_X.2026-01-01T00:00:00+00:00.{}";
        let sig = key.sign_base64(content).expect("sign");
        let started = Instant::now();
        let mut n = 0u32;
        while started.elapsed() < Duration::from_millis(500) {
            let _ = public.verify_base64(content, &sig);
            n += 1;
        }
        println!(
            "sandbox PublicKey RSA-2048 verify, 1 thread: {:.0}/s",
            f64::from(n) / started.elapsed().as_secs_f64()
        );
    }
    if a.sign_only {
        return;
    }
    let openssl = openssl.is_some();

    // The server: its own multi-thread runtime (as the binary has), data in a temp dir.
    let data = tempfile::tempdir().expect("temp dir");
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut config = Config::for_tests();
    config.memory = false;
    config.data_dir = data.path().to_path_buf();
    config.notify_schedule = superapp_sandbox::domain::notification::SchedulePreset::Fast;
    let app = server_rt
        .block_on(superapp_sandbox::build(config))
        .expect("sandbox starts");
    let base = app.public_base().to_string();
    let merchant = app.state().store.default_merchant().unwrap().unwrap();
    let merchant_key = Signer::from_pem(merchant.private_key_pem.as_deref().unwrap()).unwrap();
    let client_id = merchant.client_id.clone();
    server_rt.spawn(app.run_until(std::future::pending()));

    // The client: one thread, so the server has the cores.
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // Receiver for the notification phase.
    let received = Arc::new(AtomicUsize::new(0));
    let receiver_url = {
        let received = received.clone();
        client_rt.block_on(async move {
            let app = Router::new().route(
                "/notify",
                post(move || {
                    let received = received.clone();
                    async move {
                        received.fetch_add(1, Ordering::Relaxed);
                        r#"{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}"#
                    }
                }),
            );
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = l.local_addr().unwrap();
            tokio::spawn(async move {
                let _ = axum::serve(l, app).await;
            });
            format!("http://{addr}/notify")
        })
    };

    // pay
    let pay_bodies: Vec<String> = (0..a.requests)
        .map(|i| {
            json!({"productCode":"CASHIER_PAYMENT","paymentRequestId":format!("bench-{i}"),
                   "paymentAmount":{"currency":"USD","value":"1000"},
                   "order":{"orderDescription":"benchmark order","referenceOrderId":format!("o-{i}")},
                   "paymentNotifyUrl": receiver_url})
            .to_string()
        })
        .collect();
    let pay_body_sample = pay_bodies.first().cloned().unwrap_or_default();
    let signed = presign(
        &merchant_key,
        &client_id,
        "/v1/payments/pay",
        pay_bodies,
        cores,
    );
    let pay = client_rt.block_on(phase(
        &key,
        cores,
        openssl,
        &a,
        &base,
        &client_id,
        "/v1/payments/pay",
        signed,
        "\"resultStatus\":\"A\"",
    ));
    report("pay", &pay, cpu_per_sign);

    let inq_bodies: Vec<String> = (0..a.requests)
        .map(|i| json!({"paymentRequestId": format!("bench-{i}")}).to_string())
        .collect();
    let signed = presign(
        &merchant_key,
        &client_id,
        "/v1/payments/inquiryPayment",
        inq_bodies,
        cores,
    );
    let inq = client_rt.block_on(phase(
        &key,
        cores,
        openssl,
        &a,
        &base,
        &client_id,
        "/v1/payments/inquiryPayment",
        signed,
        "\"resultStatus\":\"S\"",
    ));
    report("inquiryPayment", &inq, cpu_per_sign);
    let ceiling_name = if openssl {
        "OpenSSL's"
    } else {
        "the own signer's"
    };
    println!(
        "summary: pay {:.0}% / inquiryPayment {:.0}% of {ceiling_name} RSA-2048 signing ceiling by wall clock \
         (median of interleaved chunks), {:.0}% / {:.0}% by CPU per call (target >= 60%)",
        pay.ratio_wall * 100.0,
        inq.ratio_wall * 100.0,
        cpu_per_sign / pay.cpu_per_call * 100.0,
        cpu_per_sign / inq.cpu_per_call * 100.0
    );
    let http = client_rt.block_on(http_floor(&base, a.requests, a.concurrency));
    report_breakdown(&breakdown(&key, &pay_body_sample, http), &pay, &inq);

    // Notification dispatch: complete N of the created payments headlessly; each is notified.
    let n = a.notifications.min(a.requests);
    let dispatch = client_rt.block_on(async {
        let http = reqwest::Client::new();
        // Look the payment ids up by request id (untimed).
        let mut ids = Vec::with_capacity(n);
        let lookups = presign(
            &merchant_key,
            &client_id,
            "/v1/payments/inquiryPayment",
            (0..n)
                .map(|i| json!({"paymentRequestId": format!("bench-{i}")}).to_string())
                .collect(),
            cores,
        );
        for s in lookups {
            let text = http
                .post(format!("{base}/v1/payments/inquiryPayment"))
                .header("client-id", &client_id)
                .header("request-time", &s.time)
                .header("signature", &s.signature)
                .body(s.body)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            ids.push(v["paymentId"].as_str().unwrap_or_default().to_string());
        }
        let before = received.load(Ordering::Relaxed);
        let started = Instant::now();
        let next = Arc::new(AtomicUsize::new(0));
        let ids = Arc::new(ids);
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (http, ids, next, base) = (http.clone(), ids.clone(), next.clone(), base.clone());
            tasks.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= ids.len() {
                        return;
                    }
                    let _ = http
                        .post(format!("{base}/sandbox/payments/{}/complete", ids[i]))
                        .header("content-type", "application/json")
                        .body(r#"{"outcome":"SUCCESS"}"#)
                        .send()
                        .await;
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
        let deadline = started + Duration::from_secs(120);
        while received.load(Ordering::Relaxed) - before < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let got = received.load(Ordering::Relaxed) - before;
        (got, started.elapsed())
    });
    println!(
        "notifyPayment:   {:>7.0} notifications/s  ({} delivered and acknowledged in {:.2} s, each signed)",
        dispatch.0 as f64 / dispatch.1.as_secs_f64(),
        dispatch.0,
        dispatch.1.as_secs_f64()
    );
    server_rt.shutdown_timeout(Duration::from_secs(1));
}
