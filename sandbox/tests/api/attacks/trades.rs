//! `my.tradePay({ tradeNO })`'s server half (docs/security.md "Whose trade a mini program may
//! pay"): the shell asks `/cashier/api/trades/{tradeNo}` with the appId it launched; only that
//! app's trade answers, and only to the super app's own pages.

use serde_json::{json, Value};

use crate::common::spawn_app;
use crate::gateway::{create_trade, DEMO_APP};

async fn ask(
    app: &crate::common::TestApp,
    trade_no: &str,
    app_id: &str,
    origin: Option<&str>,
) -> (u16, String) {
    let mut req = app
        .http
        .post(format!("{}/cashier/api/trades/{trade_no}", app.base))
        .header("content-type", "application/json")
        .body(json!({"appId": app_id}).to_string());
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn another_apps_trade_is_answered_as_an_unknown_one() {
    let app = spawn_app().await;
    let trade_no = create_trade(&app, "victim_order", "20.00").await;
    // The app's own shell gets the cashier of exactly that payment.
    let (st, body) = ask(&app, &trade_no, DEMO_APP, None).await;
    assert_eq!(st, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["paymentId"], trade_no.as_str());
    assert!(v["paymentUrl"]
        .as_str()
        .unwrap()
        .contains(&format!("paymentId={trade_no}&token=")));
    // Another app (even of the same merchant) names the trade: 404, no token, and the same
    // answer as for a trade that does not exist.
    let (st, b) = app
        .put_json(
            "/sandbox/mini-programs/2021000000000077",
            &json!({"name": "Sibling app"}),
        )
        .await;
    assert!(st == 200 || st == 201, "{b}");
    let (st, other) = ask(&app, &trade_no, "2021000000000077", None).await;
    assert_eq!(st, 404, "{other}");
    assert!(
        !other.contains("token") && !other.contains("paymentUrl"),
        "{other}"
    );
    let (st, unknown) = ask(&app, "20261130000000000000000", "2021000000000077", None).await;
    assert_eq!(st, 404, "{unknown}");
    let code = |s: &str| serde_json::from_str::<Value>(s).unwrap()["error"].clone();
    assert_eq!(code(&other), code(&unknown));
    assert_eq!(code(&other), "TRADE_NOT_EXIST");
    // No appId at all is a 400 naming it.
    let (st, b) = ask(&app, &trade_no, "", None).await;
    assert_eq!(st, 400, "{b}");
    assert!(b.contains("appId"), "{b}");
    app.stop().await;
}

#[tokio::test]
async fn a_mini_program_page_cannot_fetch_a_trades_cashier_token() {
    let app = spawn_app().await;
    let trade_no = create_trade(&app, "page_order", "1.00").await;
    // A page of the mini program origin (or any other) asks for its own trade's paymentUrl
    // itself, to confirm or complete it without the user: refused, only the shell may.
    for origin in [
        "http://127.0.0.1:8701",
        "http://127.0.0.1:8702",
        "https://attacker.example",
    ] {
        let (st, body) = ask(&app, &trade_no, DEMO_APP, Some(origin)).await;
        assert_eq!(st, 403, "{origin}: {body}");
        assert!(!body.contains("token="), "{body}");
    }
    app.stop().await;
}

/// A trade's `notify_url` gets the same treatment as `notifyPayment`'s (docs/security.md): a
/// redirect is not followed (the notification, signed and carrying the buyer's trade, would go
/// wherever the merchant's server points), a non-`success` answer is not an acknowledgement,
/// and a URL that is not absolute http(s) is refused when the trade is created.
#[tokio::test]
async fn a_trade_notification_follows_no_redirect_and_needs_the_word_success() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use crate::gateway::{send, signed_params};

    let app = spawn_app().await;
    let stolen = Arc::new(AtomicUsize::new(0));
    let hits = stolen.clone();
    let router = axum::Router::new()
        .route(
            "/notify",
            axum::routing::post(|| async {
                (
                    axum::http::StatusCode::FOUND,
                    [(axum::http::header::LOCATION, "/stolen")],
                    "success",
                )
            }),
        )
        .route(
            "/stolen",
            axum::routing::post(move || {
                let hits = hits.clone();
                async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    "success"
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let notify_url = format!("http://{addr}/notify");

    let merchant = &app;
    let create = |out: &'static str, url: String| {
        let p = signed_params(
            &merchant.merchant_key,
            DEMO_APP,
            "alipay.trade.create",
            &json!({"out_trade_no": out, "total_amount": "5.00", "subject": "Tea"}),
            &[("notify_url", url.as_str())],
        );
        async move { send(merchant, &p).await }
    };
    let bad = create("redir_bad", "ftp://127.0.0.1/notify".to_string()).await;
    assert_eq!(bad.sub_code(), "isv.invalid-parameter", "{}", bad.raw);
    assert!(bad.raw.contains("notify_url"), "{}", bad.raw);

    let paid = create("redir_paid", notify_url.clone()).await;
    assert_eq!(paid.code(), "10000", "{}", paid.raw);
    let paid_no = paid.inner["trade_no"].as_str().unwrap().to_string();
    let closed = create("redir_closed", notify_url).await;
    let closed_no = closed.inner["trade_no"].as_str().unwrap().to_string();
    let (st, _) = app.complete(&paid_no, "SUCCESS").await;
    assert_eq!(st, 200);
    let p = signed_params(
        &app.merchant_key,
        DEMO_APP,
        "alipay.trade.close",
        &json!({"trade_no": closed_no}),
        &[],
    );
    assert_eq!(send(&app, &p).await.code(), "10000");

    let start = Instant::now();
    let attempts = loop {
        let (_, log) = app
            .get_json(&format!("/sandbox/notifications?paymentId={paid_no}"))
            .await;
        // Two attempts answered (the log also shows one still being sent, with no status yet).
        let answered: Vec<Value> = log["notifications"][0]["attempts"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|x| x["state"] != "sending")
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        if answered.len() >= 2 {
            assert_eq!(log["notifications"][0]["status"], "PENDING", "{log}");
            break answered;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "{log}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for a in &attempts {
        assert_eq!(a["httpStatus"], 302, "{a}");
        assert_eq!(
            a["ok"], false,
            "a 302 answered `success` is not an acknowledgement: {a}"
        );
    }
    assert_eq!(
        stolen.load(Ordering::SeqCst),
        0,
        "the redirect was followed"
    );
    let (_, log) = app
        .get_json(&format!("/sandbox/notifications?paymentId={closed_no}"))
        .await;
    assert_eq!(
        log["notifications"].as_array().map(Vec::len),
        Some(0),
        "a trade the merchant closed is not notified: {log}"
    );
    app.stop().await;
}

/// The payment's cashier token, from the control API's paymentUrl.
async fn token_of(app: &crate::common::TestApp, payment_id: &str) -> String {
    let (_, p) = app
        .get_json(&format!("/sandbox/payments/{payment_id}"))
        .await;
    let url = p["paymentUrl"].as_str().expect("paymentUrl");
    url.split("token=").nth(1).expect("a token").to_string()
}

/// A trade the merchant created for Alice (`buyer_id`, or `buyer_open_id`): Bob, signed in to
/// the super app, neither opens its cashier nor confirms it with the payment's token, by any
/// method; no balance moves and the trade still waits. Alice pays it.
#[tokio::test]
async fn a_trade_for_a_buyer_is_paid_by_that_buyer_only() {
    use crate::common::{ALICE, BOB};
    let app = spawn_app().await;
    for user in [ALICE, BOB] {
        let (st, b) = app
            .put_json(
                &format!("/sandbox/users/{user}/balances"),
                &json!({"CNY": "100000"}),
            )
            .await;
        assert_eq!(st, 200, "{b}");
    }
    let (open_id, _) = crate::gateway_buyer::open_id_of_signed_in(&app, DEMO_APP).await;
    let by_id = create_trade(&app, "for_alice", "20.00").await;
    let a = crate::gateway_buyer::call(
        &app,
        DEMO_APP,
        "alipay.trade.create",
        json!({"out_trade_no": "for_alice_open", "total_amount": "20.00", "subject": "Rent",
               "buyer_open_id": open_id}),
    )
    .await;
    assert_eq!(a.code(), "10000", "{}", a.raw);
    let by_open_id = a.inner["trade_no"].as_str().unwrap().to_string();
    let (st, _) = app
        .put_json("/sandbox/session", &json!({"userId": BOB}))
        .await;
    assert_eq!(st, 200);
    for trade_no in [&by_id, &by_open_id] {
        let (st, body) = ask(&app, trade_no, DEMO_APP, None).await;
        assert_eq!(st, 409, "{body}");
        assert!(
            body.contains("NOT_THE_BUYER") && !body.contains("token="),
            "{body}"
        );
        // The token from elsewhere (the control API): the confirm refuses Bob too.
        let token = token_of(&app, trade_no).await;
        for method in ["BALANCE", "BANK_TRANSFER", "DECLINED_CARD"] {
            let (st, answer) = app.cashier_confirm(trade_no, &token, method).await;
            assert_eq!(
                (st, &answer["error"]),
                (409, &json!("NOT_THE_BUYER")),
                "{method}: {answer}"
            );
        }
        let q = crate::gateway_buyer::call(
            &app,
            DEMO_APP,
            "alipay.trade.query",
            json!({"trade_no": trade_no}),
        )
        .await;
        assert_eq!(q.inner["trade_status"], "WAIT_BUYER_PAY", "{}", q.raw);
    }
    let balance = |v: Value, user: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|u| u["userId"] == user)
            .unwrap()["balances"]["CNY"]
            .clone()
    };
    let (_, users) = app.get_json("/sandbox/users").await;
    assert_eq!(balance(users.clone(), ALICE), "100000");
    assert_eq!(balance(users, BOB), "100000");
    // Alice, signed in, pays her trade from her own balance.
    app.put_json("/sandbox/session", &json!({"userId": ALICE}))
        .await;
    let (st, body) = ask(&app, &by_open_id, DEMO_APP, None).await;
    assert_eq!(st, 200, "{body}");
    let token = token_of(&app, &by_open_id).await;
    let (st, answer) = app.cashier_confirm(&by_open_id, &token, "BALANCE").await;
    assert_eq!(
        (st, &answer["status"]),
        (200, &json!("SUCCESS")),
        "{answer}"
    );
    let (_, users) = app.get_json("/sandbox/users").await;
    assert_eq!(balance(users.clone(), ALICE), "98000");
    assert_eq!(balance(users, BOB), "100000");
    app.stop().await;
}
