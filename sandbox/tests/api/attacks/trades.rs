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
