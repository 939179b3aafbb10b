//! Money: balance arithmetic bounds, and who may be named as the buyer.

use serde_json::{json, Value};
use superapp_sandbox::domain::amount::MAX_BALANCE;

use crate::common::{cashier_link, spawn_app, spawn_app_with, TestApp, ALICE, BOB};

async fn balance(app: &TestApp, user_id: &str, currency: &str) -> Option<String> {
    let (st, users) = app.get_json("/sandbox/users").await;
    assert_eq!(st, 200, "{users}");
    users.as_array()?.iter().find(|u| u["userId"] == user_id)?["balances"][currency]
        .as_str()
        .map(str::to_string)
}

async fn put_balance(app: &TestApp, user_id: &str, currency: &str, value: &str) -> (u16, Value) {
    app.put_json(
        &format!("/sandbox/users/{user_id}/balances"),
        &json!({ currency: value }),
    )
    .await
}

/// Creates a payment naming `buyer` (None: no buyer) and confirms it by balance in the cashier.
async fn pay_by_balance(
    app: &TestApp,
    request_id: &str,
    value: &str,
    buyer: Option<&str>,
) -> (String, Value, Value) {
    let mut body = app.pay_body(request_id, value);
    match buyer {
        Some(b) => body["order"]["buyer"] = json!({ "referenceBuyerId": b }),
        None => {
            body["order"].as_object_mut().map(|o| o.remove("buyer"));
        }
    }
    let r = app.call("/v1/payments/pay", &body).await;
    assert_eq!(r.result_status(), "A", "{}", r.raw);
    let (id, token) = cashier_link(&r);
    let (_, view) = app
        .get_json(&format!("/cashier/api/payments/{id}?token={token}"))
        .await;
    let (st, answer) = app.cashier_confirm(&id, &token, "BALANCE").await;
    assert_eq!(st, 200, "{answer}");
    (id, view, answer)
}

#[tokio::test]
async fn refunds_and_balance_puts_past_the_cap_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let max = MAX_BALANCE.to_string();
    // Alice pays 10.00 twice from a full balance, which is topped up again each time.
    let (st, _) = put_balance(&app, ALICE, "USD", &max).await;
    assert_eq!(st, 200);
    let mut paid = Vec::new();
    for i in 0..2 {
        let (id, _, answer) = pay_by_balance(&app, &format!("cap-{i}"), "1000", None).await;
        assert_eq!(answer["status"], "SUCCESS", "{answer}");
        assert_eq!(
            balance(&app, ALICE, "USD").await.as_deref(),
            Some((MAX_BALANCE - 1000).to_string().as_str())
        );
        put_balance(&app, ALICE, "USD", &max).await;
        paid.push(id);
    }
    // Each refund would credit her past the cap: refused, naming the cap, nothing stored.
    for (i, id) in paid.iter().enumerate() {
        let r = app
            .refund(&format!("cap-refund-{i}"), id, "1000")
            .await
            .body;
        assert_eq!(r["result"]["resultCode"], "PARAM_ILLEGAL", "{r}");
        let message = r["result"]["resultMessage"].as_str().unwrap_or("");
        assert!(message.starts_with("refundAmount.value"), "{r}");
        assert!(message.contains(&max), "names the cap: {r}");
        assert_eq!(balance(&app, ALICE, "USD").await.as_deref(), Some(&*max));
        let (_, log) = app.get_json(&format!("/sandbox/payments/{id}")).await;
        assert_eq!(log["refunds"], json!([]), "{log}");
    }
    // A smaller balance leaves room: the same refund (a new request) goes through.
    put_balance(&app, ALICE, "USD", &(MAX_BALANCE - 1000).to_string()).await;
    let r = app.refund("cap-refund-ok", &paid[0], "1000").await.body;
    assert_eq!(r["result"]["resultCode"], "SUCCESS", "{r}");
    assert_eq!(balance(&app, ALICE, "USD").await.as_deref(), Some(&*max));

    // Balance PUTs past the cap: 400 naming the field, balance unchanged.
    for too_much in [
        (MAX_BALANCE + 1).to_string(),
        "9223372036854775808".to_string(),
        "18446744073709551616".to_string(),
    ] {
        let (st, body) = put_balance(&app, ALICE, "USD", &too_much).await;
        assert_eq!(st, 400, "{body}");
        let message = body["message"].as_str().unwrap_or("");
        assert!(message.starts_with("balances.USD"), "{body}");
        assert!(message.contains(&max), "{body}");
        assert_eq!(balance(&app, ALICE, "USD").await.as_deref(), Some(&*max));
    }
    // So is an amount past the cap in pay.
    let r = app
        .call(
            "/v1/payments/pay",
            &app.pay_body("cap-pay", &(MAX_BALANCE + 1).to_string()),
        )
        .await;
    assert_eq!(r.result_code(), "PARAM_ILLEGAL", "{}", r.raw);
    assert!(r.message().starts_with("paymentAmount.value"), "{}", r.raw);
    app.stop().await;
}

#[tokio::test]
async fn a_balance_stored_as_real_by_the_old_overflow_is_readable_and_repairable() {
    let dir = tempfile::tempdir().unwrap();
    let on_disk = |c: &mut superapp_sandbox::Config| {
        c.data_dir = dir.path().to_path_buf();
        c.memory = false;
    };
    let app = spawn_app_with(on_disk).await;
    app.stop().await;
    {
        // What the old `value = value + excluded.value` left past i64: a REAL; and an integer
        // past the cap.
        let db = rusqlite::Connection::open(dir.path().join("sandbox.db")).unwrap();
        db.execute(
            "UPDATE balances SET value = 1.8446744073709552e19 WHERE user_id = ?1 AND currency = 'USD'",
            [ALICE],
        )
        .unwrap();
        db.execute(
            "INSERT INTO balances (user_id, currency, value) VALUES (?1, 'JPY', ?2)",
            rusqlite::params![BOB, i64::MAX],
        )
        .unwrap();
    }
    let app = spawn_app_with(on_disk).await;
    let (st, users) = app.get_json("/sandbox/users").await;
    assert_eq!(st, 200, "{users}");
    let alice = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userId"] == ALICE)
        .unwrap()
        .clone();
    assert!(alice["invalidBalances"]["USD"].is_string(), "{alice}");
    assert!(alice["balances"]["USD"].is_null(), "{alice}");
    assert_eq!(alice["balances"]["PHP"], "5000000", "the others still read");
    let bob = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userId"] == BOB)
        .unwrap();
    assert_eq!(bob["invalidBalances"]["JPY"], i64::MAX.to_string(), "{bob}");

    // A broken balance is never debited: the confirm is refused and the payment stays open.
    let r = app
        .call("/v1/payments/pay", &app.pay_body("broken", "100"))
        .await;
    let (id, token) = cashier_link(&r);
    let (st, answer) = app.cashier_confirm(&id, &token, "BALANCE").await;
    assert_eq!(st, 409, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap_or("")
            .contains("/balances"),
        "{answer}"
    );
    assert_eq!(app.inquiry(&id).await.body["paymentStatus"], "PROCESSING");

    // PUT repairs it.
    let (st, body) = put_balance(&app, ALICE, "USD", "100000").await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["balances"]["USD"], "100000", "{body}");
    assert!(body.get("invalidBalances").is_none(), "{body}");
    let (st, _) = put_balance(&app, BOB, "JPY", "0").await;
    assert_eq!(st, 200);
    assert_eq!(balance(&app, BOB, "JPY").await.as_deref(), Some("0"));
    let (_, answer) = app.cashier_confirm(&id, &token, "BALANCE").await;
    assert_eq!(answer["status"], "SUCCESS", "{answer}");
    assert_eq!(balance(&app, ALICE, "USD").await.as_deref(), Some("99900"));
    app.stop().await;
}

#[tokio::test]
async fn a_buyer_named_without_a_token_is_not_debited() {
    let app = spawn_app().await;
    // Alice is signed in. The merchant names Bob, who never consented to it.
    let (id, view, answer) = pay_by_balance(&app, "not-bob", "100", Some(BOB)).await;
    assert_eq!(answer["status"], "SUCCESS", "{answer}");
    assert_eq!(view["payer"]["userId"], ALICE, "{view}");
    assert_eq!(view["payer"]["source"], "signedIn", "{view}");
    assert_eq!(balance(&app, BOB, "USD").await.as_deref(), Some("500"));
    assert_eq!(balance(&app, ALICE, "USD").await.as_deref(), Some("99900"));
    // The merchant's reference is kept and echoed, only not trusted.
    let (_, log) = app.get_json(&format!("/sandbox/payments/{id}")).await;
    assert_eq!(log["cashier"]["buyer"]["referenceBuyerId"], BOB, "{log}");

    // Once Bob consents and the merchant redeems his code, naming him binds him.
    let (st, _) = app
        .put_json("/sandbox/session", &json!({"userId": BOB}))
        .await;
    assert_eq!(st, 200);
    let (st, code) = app
        .post_json(
            "/sandbox/auth/authorize",
            &json!({"appId": "2102020000000001", "scopes": ["auth_base"], "decision": "allow"}),
        )
        .await;
    assert_eq!(st, 200, "{code}");
    let token = app
        .call(
            "/v1/authorizations/applyToken",
            &json!({"grantType": "AUTHORIZATION_CODE", "authCode": code["authCode"]}),
        )
        .await;
    assert_eq!(token.body["customerId"], BOB, "{}", token.raw);
    app.put_json("/sandbox/session", &json!({"userId": ALICE}))
        .await;
    let (_, view, answer) = pay_by_balance(&app, "bob", "100", Some(BOB)).await;
    assert_eq!(view["payer"]["source"], "buyer", "{view}");
    assert_eq!(answer["status"], "SUCCESS", "{answer}");
    assert_eq!(balance(&app, BOB, "USD").await.as_deref(), Some("400"));
    assert_eq!(balance(&app, ALICE, "USD").await.as_deref(), Some("99900"));
    app.stop().await;
}
