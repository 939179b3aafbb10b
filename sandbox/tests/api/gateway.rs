//! The Alipay open platform gateway (`/gateway.do`, docs/protocol.md §5d) over real HTTP: a
//! merchant that signs as the official SDKs do (RSA2 over the sorted parameters, common
//! parameters in the query string, `biz_content` in the form body) creates, queries and
//! closes trades of its mini program; the cashier pays them; every answer is verified
//! against the wallet key over the exact text of its `<method>_response` value.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use superapp_sandbox::signature::Signer;

use crate::common::{self, spawn_app, TestApp, ALICE};

/// The demo mini program, registered for the default merchant on first start.
pub const DEMO_APP: &str = "2102020000000001";

/// A gateway answer: the raw text and its `<method>_response` (or `error_response`) value.
pub struct GatewayAnswer {
    pub status: u16,
    pub raw: String,
    pub inner: Value,
    pub sign: Option<String>,
}

impl GatewayAnswer {
    pub fn code(&self) -> &str {
        self.inner["code"].as_str().unwrap_or("")
    }
    pub fn sub_code(&self) -> &str {
        self.inner["sub_code"].as_str().unwrap_or("")
    }
}

/// `yyyy-MM-dd HH:mm:ss`, as the SDKs write `timestamp`.
pub fn timestamp() -> String {
    "2026-11-30 12:00:00".to_string()
}

/// The signed parameters of a call, as the SDKs build them.
pub fn signed_params(
    key: &Signer,
    app_id: &str,
    method: &str,
    biz: &Value,
    extra: &[(&str, &str)],
) -> BTreeMap<String, String> {
    let mut p: BTreeMap<String, String> = [
        ("app_id", app_id),
        ("method", method),
        ("format", "JSON"),
        ("charset", "utf-8"),
        ("sign_type", "RSA2"),
        ("version", "1.0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    p.insert("timestamp".into(), timestamp());
    p.insert("biz_content".into(), biz.to_string());
    for (k, v) in extra {
        p.insert(k.to_string(), v.to_string());
    }
    let content = superapp_sandbox::domain::trade::sign_content(&p);
    p.insert("sign".into(), key.sign_base64(content.as_bytes()).unwrap());
    p
}

/// Sends `params` as the Node SDK does: the common ones in the query string, the rest
/// (`biz_content`) as a form body.
pub async fn send(app: &TestApp, params: &BTreeMap<String, String>) -> GatewayAnswer {
    const URL_ARGS: [&str; 9] = [
        "app_id",
        "method",
        "format",
        "charset",
        "sign_type",
        "sign",
        "timestamp",
        "version",
        "notify_url",
    ];
    let (query, body): (Vec<_>, Vec<_>) = params
        .iter()
        .partition(|(k, _)| URL_ARGS.contains(&k.as_str()));
    let query = serde_urlencoded::to_string(&query).unwrap();
    let body = serde_urlencoded::to_string(&body).unwrap();
    send_raw(app, &query, body.into_bytes()).await
}

pub async fn send_raw(app: &TestApp, query: &str, body: Vec<u8>) -> GatewayAnswer {
    let r = app
        .http
        .post(format!("{}/gateway.do?{query}", app.base))
        .header(
            "content-type",
            "application/x-www-form-urlencoded;charset=utf-8",
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let raw = r.text().await.unwrap();
    let v: Value = serde_json::from_str(&raw).unwrap_or(Value::Null);
    let (inner, sign) = match &v {
        Value::Object(m) => (
            m.iter()
                .find(|(k, _)| k.ends_with("_response"))
                .map(|(_, v)| v.clone())
                .unwrap_or(Value::Null),
            m.get("sign").and_then(Value::as_str).map(str::to_string),
        ),
        _ => (Value::Null, None),
    };
    GatewayAnswer {
        status,
        raw,
        inner,
        sign,
    }
}

/// Verifies an answer's `sign` over the exact text of its `_response` value, as the SDK
/// extracts it (between the key and the last `"sign"`).
pub fn verify(app: &TestApp, a: &GatewayAnswer) {
    let sign = a
        .sign
        .as_deref()
        .unwrap_or_else(|| panic!("unsigned: {}", a.raw));
    let start = a.raw.find("_response\":").expect("a _response key") + "_response\":".len();
    let end = a.raw.rfind(",\"sign\"").expect("a sign");
    let signed = &a.raw[start..end];
    app.wallet_key
        .verify_base64(signed.as_bytes(), sign)
        .unwrap_or_else(|_| panic!("the answer's sign does not verify: {}", a.raw));
}

async fn call(app: &TestApp, method: &str, biz: Value) -> GatewayAnswer {
    let p = signed_params(&app.merchant_key, DEMO_APP, method, &biz, &[]);
    let a = send(app, &p).await;
    assert_eq!(a.status, 200, "{}", a.raw);
    verify(app, &a);
    a
}

pub async fn create_trade(app: &TestApp, out_trade_no: &str, total: &str) -> String {
    let a = call(
        app,
        "alipay.trade.create",
        json!({"out_trade_no": out_trade_no, "total_amount": total, "subject": "Latte",
               "buyer_id": ALICE, "product_code": "JSAPI_PAY"}),
    )
    .await;
    assert_eq!(a.code(), "10000", "{}", a.raw);
    assert_eq!(a.inner["out_trade_no"], out_trade_no);
    a.inner["trade_no"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn create_pay_at_the_cashier_query_close() {
    let app = spawn_app().await;
    let trade_no = create_trade(&app, "order_1", "88.88").await;
    // The trade is a payment of the store: CNY 88.88 in fen, for the app's merchant.
    let (st, p) = app.get_json(&format!("/sandbox/payments/{trade_no}")).await;
    assert_eq!(st, 200, "{p}");
    assert_eq!(p["amount"]["value"], "8888", "{p}");
    assert_eq!(p["amount"]["currency"], "CNY", "{p}");

    let q = call(&app, "alipay.trade.query", json!({"trade_no": trade_no})).await;
    assert_eq!(q.code(), "10000", "{}", q.raw);
    assert_eq!(q.inner["trade_status"], "WAIT_BUYER_PAY");
    assert_eq!(q.inner["total_amount"], "88.88");
    assert_eq!(q.inner["out_trade_no"], "order_1");

    // The same create again answers the same trade; other details are refused.
    assert_eq!(create_trade(&app, "order_1", "88.88").await, trade_no);
    let again = call(
        &app,
        "alipay.trade.create",
        json!({"out_trade_no": "order_1", "total_amount": "1.00", "subject": "Latte"}),
    )
    .await;
    assert_eq!(
        (again.code(), again.sub_code()),
        ("40004", "ACQ.CONTEXT_INCONSISTENT"),
        "{}",
        again.raw
    );

    // The cashier pays it (Alice's balance: she holds no CNY, so the card method).
    let token = p["token"].as_str().map(str::to_string);
    let (st, body) = app.complete(&trade_no, "SUCCESS").await;
    assert_eq!(st, 200, "{body} {token:?}");
    let q = call(
        &app,
        "alipay.trade.query",
        json!({"out_trade_no": "order_1"}),
    )
    .await;
    assert_eq!(q.inner["trade_status"], "TRADE_SUCCESS", "{}", q.raw);
    assert_eq!(q.inner["buyer_pay_amount"], "88.88");
    assert!(
        q.inner["send_pay_date"].as_str().unwrap().len() == 19,
        "{}",
        q.raw
    );
    // Paid: closing is refused, creating again says it is paid.
    let c = call(&app, "alipay.trade.close", json!({"trade_no": trade_no})).await;
    assert_eq!(
        (c.code(), c.sub_code()),
        ("40004", "ACQ.TRADE_STATUS_ERROR"),
        "{}",
        c.raw
    );
    let again = call(
        &app,
        "alipay.trade.create",
        json!({"out_trade_no": "order_1", "total_amount": "88.88", "subject": "Latte",
               "buyer_id": ALICE, "product_code": "JSAPI_PAY"}),
    )
    .await;
    assert_eq!(again.sub_code(), "ACQ.TRADE_HAS_SUCCESS", "{}", again.raw);

    // An unpaid trade closes (twice alike) and the cashier can no longer pay it.
    let other = create_trade(&app, "order_2", "5").await;
    for _ in 0..2 {
        let c = call(
            &app,
            "alipay.trade.close",
            json!({"out_trade_no": "order_2"}),
        )
        .await;
        assert_eq!(c.code(), "10000", "{}", c.raw);
        assert_eq!(c.inner["trade_no"], other.as_str());
    }
    let q = call(&app, "alipay.trade.query", json!({"trade_no": other})).await;
    assert_eq!(q.inner["trade_status"], "TRADE_CLOSED");
    let (st, _) = app.complete(&other, "SUCCESS").await;
    assert_eq!(st, 409);

    let unknown = call(&app, "alipay.trade.query", json!({"out_trade_no": "nope"})).await;
    assert_eq!(
        (unknown.code(), unknown.sub_code()),
        ("40004", "ACQ.TRADE_NOT_EXIST"),
        "{}",
        unknown.raw
    );
    app.stop().await;
}

#[tokio::test]
async fn total_amount_is_parsed_strictly() {
    let app = spawn_app().await;
    for (i, bad) in [
        json!("1.234"),
        json!("-1"),
        json!("0"),
        json!("1e2"),
        json!(" 1"),
        json!("100000000.01"),
        json!(0.30000000000000004),
        json!(true),
    ]
    .into_iter()
    .enumerate()
    {
        let a = call(
            &app,
            "alipay.trade.create",
            json!({"out_trade_no": format!("bad_{i}"), "total_amount": bad, "subject": "x"}),
        )
        .await;
        assert_eq!(
            (a.code(), a.sub_code()),
            ("40004", "ACQ.INVALID_PARAMETER"),
            "{bad}: {}",
            a.raw
        );
        assert!(
            a.inner["sub_msg"]
                .as_str()
                .unwrap()
                .starts_with("total_amount"),
            "{}",
            a.raw
        );
    }
    // A JSON number that is exactly a yuan amount is read as written.
    let a = call(
        &app,
        "alipay.trade.create",
        json!({"out_trade_no": "num", "total_amount": 12.5, "subject": "x"}),
    )
    .await;
    assert_eq!(a.code(), "10000", "{}", a.raw);
    let q = call(&app, "alipay.trade.query", json!({"out_trade_no": "num"})).await;
    assert_eq!(q.inner["total_amount"], "12.50");
    // Other business parameters name themselves.
    for (biz, starts) in [
        (json!({"total_amount": "1", "subject": "x"}), "out_trade_no"),
        (
            json!({"out_trade_no": "a-b", "total_amount": "1", "subject": "x"}),
            "out_trade_no",
        ),
        (json!({"out_trade_no": "a", "total_amount": "1"}), "subject"),
        (
            json!({"out_trade_no": "a", "total_amount": "1", "subject": "x", "product_code": "QUICK_WAP_WAY"}),
            "product_code",
        ),
        (
            json!({"out_trade_no": "a", "total_amount": "1", "subject": "x", "buyer_id": "2088999"}),
            "buyer_id",
        ),
        (json!({"trade_no": "x"}), "out_trade_no"),
        (json!({"out_trade_no": "a", "subject": "x"}), "total_amount"),
    ] {
        let a = call(&app, "alipay.trade.create", biz.clone()).await;
        assert_eq!(a.code(), "40004", "{biz}: {}", a.raw);
        assert!(
            a.inner["sub_msg"].as_str().unwrap().contains(starts),
            "{biz}: {}",
            a.raw
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn common_parameters_and_signature_are_checked() {
    let app = spawn_app().await;
    let biz = json!({"out_trade_no": "x"});
    // Each common parameter missing or wrong, re-signed so only that is wrong.
    let cases: [(&str, Option<&str>, &str, &str); 9] = [
        ("method", None, "40001", "isv.missing-method"),
        (
            "method",
            Some("alipay.trade.pay"),
            "40002",
            "isv.invalid-method",
        ),
        ("timestamp", None, "40001", "isv.missing-timestamp"),
        (
            "timestamp",
            Some("2026-11-30T12:00:00"),
            "40002",
            "isv.invalid-timestamp",
        ),
        (
            "sign_type",
            Some("RSA"),
            "40002",
            "isv.invalid-signature-type",
        ),
        ("sign_type", None, "40001", "isv.missing-signature-type"),
        ("version", Some("2.0"), "40002", "isv.invalid-version"),
        ("charset", Some("GBK"), "40002", "isv.invalid-charset"),
        ("format", Some("XML"), "40002", "isv.invalid-format"),
    ];
    for (name, value, code, sub) in cases {
        let mut p = signed_params(&app.merchant_key, DEMO_APP, "alipay.trade.query", &biz, &[]);
        p.remove("sign");
        match value {
            Some(v) => p.insert(name.to_string(), v.to_string()),
            None => p.remove(name),
        };
        let content = superapp_sandbox::domain::trade::sign_content(&p);
        p.insert(
            "sign".into(),
            app.merchant_key.sign_base64(content.as_bytes()).unwrap(),
        );
        let a = send(&app, &p).await;
        assert_eq!(
            (a.code(), a.sub_code()),
            (code, sub),
            "{name}={value:?}: {}",
            a.raw
        );
        // The app is known: the refusal is signed, so the SDK can read it.
        verify(&app, &a);
    }
    // A tampered parameter, a signature by another key, no signature at all.
    let mut p = signed_params(&app.merchant_key, DEMO_APP, "alipay.trade.query", &biz, &[]);
    p.insert(
        "biz_content".into(),
        json!({"out_trade_no": "y"}).to_string(),
    );
    let a = send(&app, &p).await;
    assert_eq!(
        (a.code(), a.sub_code()),
        ("40002", "isv.invalid-signature"),
        "{}",
        a.raw
    );
    assert!(
        a.inner["sub_msg"]
            .as_str()
            .unwrap()
            .contains("app_id=2102020000000001&biz_content="),
        "{}",
        a.raw
    );
    let stranger = Signer::generate().unwrap();
    let p = signed_params(&stranger, DEMO_APP, "alipay.trade.query", &biz, &[]);
    assert_eq!(send(&app, &p).await.sub_code(), "isv.invalid-signature");
    let mut p = signed_params(&app.merchant_key, DEMO_APP, "alipay.trade.query", &biz, &[]);
    p.remove("sign");
    assert_eq!(send(&app, &p).await.sub_code(), "isv.missing-signature");
    // Unknown or missing app_id: not signed (no app to sign for), under the method's key.
    let p = signed_params(
        &app.merchant_key,
        "2021999999999999",
        "alipay.trade.query",
        &biz,
        &[],
    );
    let a = send(&app, &p).await;
    assert_eq!(
        (a.code(), a.sub_code()),
        ("40002", "isv.invalid-app-id"),
        "{}",
        a.raw
    );
    assert!(
        a.sign.is_none() && a.raw.starts_with("{\"alipay_trade_query_response\":"),
        "{}",
        a.raw
    );
    let a = send_raw(&app, "", Vec::new()).await;
    assert_eq!(
        (a.code(), a.sub_code()),
        ("40001", "isv.missing-app-id"),
        "{}",
        a.raw
    );
    assert!(a.raw.starts_with("{\"error_response\":"), "{}", a.raw);
    // A parameter given in the query string and again in the body is refused.
    let a = send_raw(
        &app,
        "app_id=2102020000000001",
        b"app_id=2102020000000001".to_vec(),
    )
    .await;
    assert_eq!(a.sub_code(), "isv.invalid-parameter", "{}", a.raw);
    assert!(
        a.inner["sub_msg"].as_str().unwrap().contains("given twice"),
        "{}",
        a.raw
    );
    // Bodies are bounded.
    let a = send_raw(&app, "", vec![b'a'; 300 * 1024]).await;
    assert_eq!(a.status, 413);
    app.stop().await;
}

#[tokio::test]
async fn trades_belong_to_their_app() {
    let app = spawn_app().await;
    let trade_no = create_trade(&app, "mine", "1.00").await;
    // Another merchant with its own app cannot see, query or close this trade.
    let key = Signer::generate().unwrap();
    let (st, m) = app
        .post_json(
            "/sandbox/merchants",
            &json!({"name": "Other", "publicKey": key.public().to_pem()}),
        )
        .await;
    assert_eq!(st, 201, "{m}");
    let (st, b) = app
        .put_json(
            "/sandbox/mini-programs/2021000000000042",
            &json!({"name": "Other app", "merchantClientId": m["clientId"]}),
        )
        .await;
    assert!(st == 200 || st == 201, "{b}");
    for method in ["alipay.trade.query", "alipay.trade.close"] {
        let p = signed_params(
            &key,
            "2021000000000042",
            method,
            &json!({"trade_no": trade_no}),
            &[],
        );
        let a = send(&app, &p).await;
        assert_eq!(a.sub_code(), "ACQ.TRADE_NOT_EXIST", "{method}: {}", a.raw);
        verify(&app, &a);
    }
    // Its own out_trade_no "mine" is another trade.
    let p = signed_params(
        &key,
        "2021000000000042",
        "alipay.trade.create",
        &json!({"out_trade_no": "mine", "total_amount": "2.00", "subject": "x"}),
        &[],
    );
    let a = send(&app, &p).await;
    assert_eq!(a.code(), "10000", "{}", a.raw);
    assert_ne!(a.inner["trade_no"], trade_no.as_str());
    // Signing for the demo app with the other merchant's key fails.
    let p = signed_params(
        &key,
        DEMO_APP,
        "alipay.trade.query",
        &json!({"trade_no": trade_no}),
        &[],
    );
    assert_eq!(send(&app, &p).await.sub_code(), "isv.invalid-signature");
    let _ = common::ALICE;
    app.stop().await;
}

/// Node.js (for the official `alipay-sdk`, installed in tests/node_modules by `.ci/setup`).
fn node() -> String {
    std::env::var("NODE").unwrap_or_else(|_| "node".to_string())
}

#[tokio::test]
async fn the_official_node_sdk_runs_the_trade_flow() {
    let sdk = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/node_modules/alipay-sdk/package.json");
    assert!(
        sdk.exists(),
        "{} is missing: run .ci/setup (npm ci in tests/ installs alipay-sdk)",
        sdk.display()
    );
    let (app, state) = common::spawn_app_and_state(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let merchant = state.store.default_merchant().unwrap().unwrap();
    let key_file = dir.path().join("merchant.pem");
    let wallet_file = dir.path().join("wallet.pem");
    std::fs::write(&key_file, merchant.private_key_pem.unwrap()).unwrap();
    std::fs::write(&wallet_file, &state.wallet_public_pem).unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/alipay_sdk_flow.mjs");
    let args = [
        script.display().to_string(),
        app.base.clone(),
        DEMO_APP.to_string(),
        key_file.display().to_string(),
        wallet_file.display().to_string(),
    ];
    let out =
        tokio::task::spawn_blocking(move || std::process::Command::new(node()).args(args).output())
            .await
            .unwrap()
            .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("ALIPAY SDK FLOW OK"),
        "alipay_sdk_flow.mjs failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    for line in [
        "create alipay.trade.create 10000",
        "query(paid) alipay.trade.query 10000 TRADE_SUCCESS",
        "close alipay.trade.close 10000",
        "query(unknown) alipay.trade.query 40004/ACQ.TRADE_NOT_EXIST",
        "wrong wallet key: answer rejected by the SDK",
        "wrong merchant key: alipay.trade.query 40002/isv.invalid-signature",
        "notify TRADE_SUCCESS: checkNotifySignV2 ok (2 attempts)",
        "notify forged: rejected by the SDK",
        "notify log: fail retried, success delivered",
        "notify TRADE_CLOSED: checkNotifySign ok",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    app.stop().await;
}

async fn auth_code(app: &TestApp, app_id: &str) -> String {
    let (st, body) = app
        .post_json(
            "/sandbox/auth/authorize",
            &json!({"appId": app_id, "scopes": ["auth_base"], "decision": "allow"}),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    body["authCode"].as_str().expect("authCode").to_string()
}

async fn oauth(app: &TestApp, extra: &[(&str, &str)]) -> GatewayAnswer {
    let mut p = signed_params(
        &app.merchant_key,
        DEMO_APP,
        "alipay.system.oauth.token",
        &json!({}),
        &[],
    );
    p.remove("sign");
    p.remove("biz_content");
    for (k, v) in extra {
        p.insert(k.to_string(), v.to_string());
    }
    let content = superapp_sandbox::domain::trade::sign_content(&p);
    p.insert(
        "sign".into(),
        app.merchant_key.sign_base64(content.as_bytes()).unwrap(),
    );
    let a = send(app, &p).await;
    verify(app, &a);
    a
}

#[tokio::test]
async fn oauth_token_trades_an_auth_code_for_the_user() {
    let app = spawn_app().await;
    let code = auth_code(&app, DEMO_APP).await;
    let a = oauth(
        &app,
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await;
    assert_eq!(a.code(), "10000", "{}", a.raw);
    assert!(
        a.raw
            .starts_with("{\"alipay_system_oauth_token_response\":"),
        "{}",
        a.raw
    );
    assert_eq!(a.inner["user_id"], ALICE);
    assert_eq!(a.inner["expires_in"], 3600);
    let refresh = a.inner["refresh_token"].as_str().unwrap().to_string();
    // A code is good once.
    let again = oauth(
        &app,
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await;
    assert_eq!(
        (again.code(), again.sub_code()),
        ("40002", "isv.code-invalid"),
        "{}",
        again.raw
    );
    // The refresh token gives a new pair.
    let r = oauth(
        &app,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(r.code(), "10000", "{}", r.raw);
    assert_eq!(r.inner["user_id"], ALICE);
    let r = oauth(
        &app,
        &[("grant_type", "refresh_token"), ("refresh_token", "nope")],
    )
    .await;
    assert_eq!(r.sub_code(), "isv.refresh-token-invalid", "{}", r.raw);
    // A code issued to another app (of the same merchant) is not this app's.
    let (st, b) = app
        .put_json(
            "/sandbox/mini-programs/2021000000000088",
            &json!({"name": "Sibling"}),
        )
        .await;
    assert!(st == 200 || st == 201, "{b}");
    let other = auth_code(&app, "2021000000000088").await;
    let a = oauth(
        &app,
        &[("grant_type", "authorization_code"), ("code", &other)],
    )
    .await;
    assert_eq!(a.sub_code(), "isv.code-invalid", "{}", a.raw);
    // Missing or unknown grant types name themselves.
    assert_eq!(oauth(&app, &[]).await.sub_code(), "isv.missing-grant-type");
    assert_eq!(
        oauth(&app, &[("grant_type", "password")]).await.sub_code(),
        "isv.grant-type-invalid"
    );
    assert_eq!(
        oauth(&app, &[("grant_type", "authorization_code")])
            .await
            .sub_code(),
        "isv.missing-code"
    );
    app.stop().await;
}
