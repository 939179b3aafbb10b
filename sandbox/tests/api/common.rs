//! Shared test harness: start the sandbox on an ephemeral port, a merchant client that signs
//! its requests and verifies the wallet's signed answers, and a notify receiver.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use superapp_sandbox::signature::{PublicKey, Signer};
use superapp_sandbox::{domain::clock, Config};

/// Alice, the default signed-in sandbox user (USD 1,000.00, PHP 50,000.00).
pub const ALICE: &str = "2088000000000001";
/// Bob (USD 5.00).
pub const BOB: &str = "2088000000000002";
/// Carol (no balance).
pub const CAROL: &str = "2088000000000003";

/// A running sandbox and a merchant client for it.
pub struct TestApp {
    pub base: String,
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    pub client_id: String,
    pub merchant_key: Signer,
    pub wallet_key: PublicKey,
    pub shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Starts a sandbox with `Config::for_tests()` adjusted by `tweak`.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_and_state(tweak).await.0
}

/// Starts a sandbox and also returns its state (tests move its identity clock forward).
pub async fn spawn_app_and_state(
    tweak: impl FnOnce(&mut Config),
) -> (TestApp, superapp_sandbox::State) {
    let mut config = Config::for_tests();
    tweak(&mut config);
    let app = superapp_sandbox::build(config)
        .await
        .expect("sandbox starts");
    let addr = app.superapp_addr();
    let base = app.public_base().to_string();
    let merchant = app
        .state()
        .store
        .default_merchant()
        .unwrap()
        .expect("default merchant");
    let merchant_key = Signer::from_pem(merchant.private_key_pem.as_deref().unwrap()).unwrap();
    let wallet_key = PublicKey::from_pem(&app.state().wallet_public_pem).unwrap();
    let state = app.state().clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    let app = TestApp {
        base,
        addr,
        http: reqwest::Client::new(),
        client_id: merchant.client_id,
        merchant_key,
        wallet_key,
        shutdown: Some(tx),
        task,
    };
    (app, state)
}

/// Starts a sandbox with the test defaults.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a sandbox serving the native mini program `folder` (appId: the folder's name) on a
/// mini program origin of its own; returns it with the registry's row for the app.
pub async fn serve_native_app(
    folder: &std::path::Path,
    tweak: impl FnOnce(&mut Config),
) -> (TestApp, Value) {
    let spec = folder.display().to_string();
    let app = spawn_app_with(|c| {
        c.mini_program_listen =
            superapp_sandbox::config::OptionalAddr(Some(SocketAddr::from(([127, 0, 0, 1], 0))));
        c.native.apps =
            vec![superapp_sandbox::native_app::parse_app(&spec).expect("an app folder")];
        c.www_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../www");
        tweak(c);
    })
    .await;
    let app_id = folder
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let (status, row) = app
        .get_json(&format!("/sandbox/mini-programs/{app_id}"))
        .await;
    assert_eq!(status, 200, "the app is registered: {row}");
    (app, row)
}

/// An open API answer.
#[derive(Debug)]
pub struct ApiResponse {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub raw: String,
    pub body: Value,
}

impl ApiResponse {
    pub fn result_code(&self) -> &str {
        self.body["result"]["resultCode"].as_str().unwrap_or("")
    }
    pub fn result_status(&self) -> &str {
        self.body["result"]["resultStatus"].as_str().unwrap_or("")
    }
    pub fn message(&self) -> &str {
        self.body["result"]["resultMessage"].as_str().unwrap_or("")
    }
}

impl TestApp {
    /// Signs `body` as the default merchant and POSTs it; verifies the wallet's signature.
    pub async fn call(&self, path: &str, body: &Value) -> ApiResponse {
        self.call_raw(path, body.to_string().as_bytes()).await
    }

    /// Signs raw bytes and POSTs them; verifies the wallet's signature on the answer.
    pub async fn call_raw(&self, path: &str, body: &[u8]) -> ApiResponse {
        let time = clock::format_api(clock::now_ms());
        let signature = self
            .merchant_key
            .signature_header(path, &self.client_id, &time, body)
            .unwrap();
        let resp = self
            .send(
                path,
                body.to_vec(),
                &[
                    ("client-id", self.client_id.as_str()),
                    ("request-time", time.as_str()),
                    ("signature", signature.as_str()),
                ],
            )
            .await;
        if resp.status == 200 {
            self.verify_response(path, &resp);
        }
        resp
    }

    /// POSTs with exactly these headers (no signing).
    pub async fn send(&self, path: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> ApiResponse {
        let mut req = self
            .http
            .post(format!("{}{}", self.base, path))
            .header("content-type", "application/json; charset=UTF-8")
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.expect("sandbox answers");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let raw = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
        ApiResponse {
            status,
            headers,
            raw,
            body,
        }
    }

    /// Checks `Client-Id`, `Response-Time` and the wallet's `Signature` of an answer.
    pub fn verify_response(&self, path: &str, resp: &ApiResponse) {
        let h = |n: &str| {
            resp.headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("response header {n} missing"))
                .to_string()
        };
        let client_id = h("client-id");
        let time = h("response-time");
        assert!(clock::parse(&time).is_some(), "Response-Time {time}");
        assert!(
            time.ends_with("+00:00"),
            "RFC 3339 with colon offset: {time}"
        );
        self.wallet_key
            .verify_header(
                &h("signature"),
                path,
                &client_id,
                &time,
                resp.raw.as_bytes(),
            )
            .expect("wallet signature verifies");
    }

    /// A valid `pay` body.
    pub fn pay_body(&self, request_id: &str, value: &str) -> Value {
        json!({
            "productCode": "CASHIER_PAYMENT",
            "paymentRequestId": request_id,
            "paymentAmount": {"currency": "USD", "value": value},
            "order": {
                "referenceOrderId": format!("order-{request_id}"),
                "orderDescription": "2 coffees",
                "merchant": {"referenceMerchantId": "M1", "merchantName": "Demo Coffee"},
                "buyer": {"referenceBuyerId": ALICE}
            },
            "extendInfo": "{\"ignored\":true}",
            "somethingUnknown": 1
        })
    }

    /// Creates a payment and returns the `pay` answer.
    pub async fn pay(
        &self,
        request_id: &str,
        value: &str,
        notify_url: Option<&str>,
    ) -> ApiResponse {
        let mut body = self.pay_body(request_id, value);
        if let Some(url) = notify_url {
            body["paymentNotifyUrl"] = json!(url);
        }
        let resp = self.call("/v1/payments/pay", &body).await;
        assert_eq!(resp.result_status(), "A", "{}", resp.raw);
        resp
    }

    pub async fn inquiry(&self, payment_id: &str) -> ApiResponse {
        self.call(
            "/v1/payments/inquiryPayment",
            &json!({"paymentId": payment_id}),
        )
        .await
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        self.send_json(self.http.get(format!("{}{}", self.base, path)))
            .await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let req = self.http.post(format!("{}{}", self.base, path));
        self.send_json(
            req.header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let req = self.http.put(format!("{}{}", self.base, path));
        self.send_json(
            req.header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    /// Sends `req`: its status and JSON body (`null` when the body is not JSON).
    async fn send_json(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = req.send().await.expect("answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Confirms a payment in the cashier with `method`, as the cashier page does.
    pub async fn cashier_confirm(&self, id: &str, token: &str, method: &str) -> (u16, Value) {
        self.post_json(
            &format!("/cashier/api/payments/{id}/confirm"),
            &json!({"token": token, "method": method}),
        )
        .await
    }

    /// Headless completion.
    pub async fn complete(&self, payment_id: &str, outcome: &str) -> (u16, Value) {
        self.post_json(
            &format!("/sandbox/payments/{payment_id}/complete"),
            &json!({"outcome": outcome}),
        )
        .await
    }

    /// Polls inquiryPayment until the status is `want` (or panics after `limit`).
    pub async fn wait_status(&self, payment_id: &str, want: &str, limit: Duration) -> ApiResponse {
        let start = Instant::now();
        loop {
            let r = self.inquiry(payment_id).await;
            if r.body["paymentStatus"] == want {
                return r;
            }
            assert!(start.elapsed() < limit, "status stayed {}", r.raw);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.task.await;
    }
}

/// Splits a paymentUrl into `(paymentId, token)`.
pub fn url_parts(payment_url: &str) -> (String, String) {
    let url = reqwest::Url::parse(payment_url).unwrap();
    let get = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    (get("paymentId"), get("token"))
}

/// `(paymentId, token)` of the cashier a `pay` answer redirects to.
pub fn cashier_link(pay: &ApiResponse) -> (String, String) {
    url_parts(
        pay.body["redirectActionForm"]["redirectUrl"]
            .as_str()
            .unwrap(),
    )
}

/// One notification as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub at: Instant,
    pub body: Value,
    pub signature_ok: bool,
}

/// A merchant's notify endpoint: verifies the wallet signature, answers from a script
/// (`"U"`, `"500"`, `"S"`, `"garbage"`; the last entry repeats).
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
}

#[derive(Clone)]
struct ReceiverState {
    wallet: Arc<Mutex<Option<PublicKey>>>,
    script: Arc<Vec<&'static str>>,
    received: Arc<Mutex<Vec<Received>>>,
}

async fn receive(
    State(s): State<ReceiverState>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let signature_ok = s
        .wallet
        .lock()
        .unwrap()
        .as_ref()
        .map(|k| {
            k.verify_header(
                &h("signature"),
                "/notify/payment",
                &h("client-id"),
                &h("request-time"),
                &body,
            )
            .is_ok()
        })
        .unwrap_or(false);
    let n = {
        let mut r = s.received.lock().unwrap();
        r.push(Received {
            at: Instant::now(),
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            signature_ok,
        });
        r.len()
    };
    let answer = s
        .script
        .get(n - 1)
        .or(s.script.last())
        .copied()
        .unwrap_or("S");
    let result = |st: &str| {
        json!({"result": {"resultCode": if st == "S" {"SUCCESS"} else {"PROCESS_FAIL"}, "resultStatus": st, "resultMessage": "x"}}).to_string()
    };
    match answer {
        "500" => (StatusCode::INTERNAL_SERVER_ERROR, "oops".to_string()),
        "garbage" => (StatusCode::OK, "OK".to_string()),
        st => (StatusCode::OK, result(st)),
    }
}

/// Starts a notify receiver on an ephemeral port (or `port`), verifying with `wallet`.
pub async fn spawn_receiver(
    wallet: Option<PublicKey>,
    script: Vec<&'static str>,
    port: u16,
) -> Receiver {
    let received = Arc::new(Mutex::new(Vec::new()));
    let state = ReceiverState {
        wallet: Arc::new(Mutex::new(wallet)),
        script: Arc::new(script),
        received: received.clone(),
    };
    let app = Router::new()
        .route("/notify/payment", post(receive))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Receiver {
        url: format!("http://{addr}/notify/payment"),
        received,
    }
}

impl Receiver {
    pub fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }
    pub fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
    /// Waits until at least `n` notifications arrived.
    pub async fn wait_for(&self, n: usize, limit: Duration) -> Vec<Received> {
        let start = Instant::now();
        while self.count() < n {
            assert!(
                start.elapsed() < limit,
                "only {} of {n} notifications arrived",
                self.count()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.all()
    }
}

/// Sends raw bytes on a new TCP connection and reads until the server closes it (at most
/// 30 s): the whole HTTP answer as text. For requests a client library would not send.
pub async fn raw_http(addr: SocketAddr, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    stream.write_all(request).await.expect("request sent");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer)).await;
    assert!(
        read.is_ok(),
        "the server did not close the connection: {}",
        String::from_utf8_lossy(&answer)
    );
    String::from_utf8_lossy(&answer).into_owned()
}

/// The status code of a raw HTTP answer (0 when there is none).
pub fn raw_status(answer: &str) -> u16 {
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The real `superapp-sandbox` binary on an ephemeral port, killed with SIGKILL when dropped (a
/// failed assertion must not leave the server running).
pub struct Process {
    pub child: std::process::Child,
    pub base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the real binary on `data_dir` (fast notification schedule, no mini program listener,
/// no pages) with `extra` flags, and waits for its "listening on <url>" line; log lines (a
/// warning about interrupted attempts) may come first.
pub fn start_binary(data_dir: &std::path::Path, extra: &[&str]) -> Process {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_superapp-sandbox"))
        .args(["--listen", "127.0.0.1:0", "--mini-program-listen", "off"])
        .args(["--notify-schedule", "fast"])
        .args(extra)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--www-dir", "/nonexistent", "--log", "warn"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines.next().expect("a line").expect("utf-8");
        if let Some(url) = line
            .split_whitespace()
            .last()
            .filter(|w| w.starts_with("http://127.0.0.1:"))
        {
            break url.to_string();
        }
    };
    // Keep draining stdout so the process never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Process { child, base }
}

/// A merchant client of a binary started by [`start_binary`], from the `merchant.json` it wrote.
pub fn binary_client(p: &Process, data_dir: &std::path::Path) -> TestApp {
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(data_dir.join("merchant.json")).unwrap())
            .unwrap();
    let key = std::fs::read_to_string(info["privateKeyPath"].as_str().unwrap()).unwrap();
    let wallet = std::fs::read_to_string(info["walletPublicKeyPath"].as_str().unwrap()).unwrap();
    TestApp {
        base: p.base.clone(),
        addr: p.base.trim_start_matches("http://").parse().unwrap(),
        http: reqwest::Client::new(),
        client_id: info["clientId"].as_str().unwrap().to_string(),
        merchant_key: Signer::from_pem(&key).unwrap(),
        wallet_key: PublicKey::from_pem(&wallet).unwrap(),
        shutdown: None,
        task: tokio::spawn(async { Ok(()) }),
    }
}
