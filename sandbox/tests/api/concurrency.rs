//! Races: duplicate `pay` calls make one payment; confirms, cancels, headless completes and the
//! expiry racing each other leave exactly one final state (and at most one notification).

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::{cashier_link, spawn_app, spawn_receiver};
use serde_json::json;
use superapp_sandbox::domain::clock;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicate_pays_make_one_payment() {
    let app = Arc::new(spawn_app().await);
    let body = app.pay_body("dup-1", "1500");
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let app = app.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            app.call("/v1/payments/pay", &body).await
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.result_status(), "A", "{}", r.raw);
        ids.insert(r.body["paymentId"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), 1, "one payment for one paymentRequestId");
    let (_, list) = app.get_json("/sandbox/payments?limit=100").await;
    let n = list["payments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["paymentRequestId"] == "dup-1")
        .count();
    assert_eq!(n, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_confirm_cancel_complete_resolve_to_one_final_state() {
    let app = Arc::new(spawn_app().await);
    let receiver = spawn_receiver(Some(app.wallet_key.clone()), vec!["S"], 0).await;
    for round in 0..5 {
        let pay = app
            .pay(&format!("race-{round}"), "2500", Some(&receiver.url))
            .await;
        let (id, token) = cashier_link(&pay);
        let mut tasks = Vec::new();
        for i in 0..12 {
            let app = app.clone();
            let id = id.clone();
            let token = token.clone();
            tasks.push(tokio::spawn(async move {
                match i % 4 {
                    0 | 1 => {
                        let method = if i % 4 == 0 {
                            "BALANCE"
                        } else {
                            "DECLINED_CARD"
                        };
                        let (st, body) = app.cashier_confirm(&id, &token, method).await;
                        (st == 200, body["status"].as_str().unwrap_or("").to_string())
                    }
                    2 => {
                        let (st, body) = app
                            .complete(&id, if i % 8 == 2 { "SUCCESS" } else { "FAIL" })
                            .await;
                        (st == 200, body["status"].as_str().unwrap_or("").to_string())
                    }
                    _ => {
                        let r = app
                            .call("/v1/payments/cancel", &json!({"paymentId": id}))
                            .await;
                        (r.result_code() == "SUCCESS", "CANCELLED".to_string())
                    }
                }
            }));
        }
        let mut winners = Vec::new();
        let mut cancel_wins = 0;
        for t in tasks {
            let (won, status) = t.await.unwrap();
            if won {
                if status == "CANCELLED" {
                    cancel_wins += 1;
                } else {
                    winners.push(status);
                }
            }
        }
        let final_status = app.inquiry(&id).await.body["paymentStatus"]
            .as_str()
            .unwrap()
            .to_string();
        if final_status == "CANCELLED" {
            // Cancel is idempotent: every cancel reports success, nothing else won.
            assert!(winners.is_empty(), "{winners:?}");
            assert!(cancel_wins >= 1);
        } else {
            assert_eq!(winners.len(), 1, "exactly one winner: {winners:?}");
            assert_eq!(winners[0], final_status);
            assert_eq!(cancel_wins, 0);
        }
        let (_, log) = app
            .get_json(&format!("/sandbox/notifications?paymentId={id}"))
            .await;
        let expected = usize::from(final_status != "CANCELLED");
        assert_eq!(log["notifications"].as_array().unwrap().len(), expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn confirm_racing_expiry_has_one_outcome() {
    let app = spawn_app().await;
    for round in 0..6 {
        let mut body = app.pay_body(&format!("exp-race-{round}"), "300");
        body["paymentExpiryTime"] = json!(clock::format_precise(clock::now_ms() + 400));
        let pay = app.call("/v1/payments/pay", &body).await;
        let (id, token) = cashier_link(&pay);
        tokio::time::sleep(Duration::from_millis(300 + round * 40)).await;
        let (st, confirm) = app.cashier_confirm(&id, &token, "BALANCE").await;
        let r = app.inquiry(&id).await;
        match st {
            200 => assert_eq!(r.body["paymentStatus"], "SUCCESS", "{confirm}"),
            409 => {
                assert_eq!(r.body["paymentStatus"], "FAIL");
                assert_eq!(r.body["paymentFailReason"], "PAYMENT_EXPIRED");
                assert_eq!(confirm["status"], "FAIL");
            }
            other => panic!("unexpected {other}: {confirm}"),
        }
        // Later, it stays what it became.
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(
            app.inquiry(&id).await.body["paymentStatus"],
            r.body["paymentStatus"]
        );
    }
}
