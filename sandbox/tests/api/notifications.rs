//! notifyPayment: signed, retried on the schedule until the merchant answers S, logged, resendable.

use crate::common;

use std::time::Duration;

use common::{spawn_app_with, spawn_receiver};
use superapp_sandbox::domain::notification::SchedulePreset;

#[tokio::test]
async fn retries_until_s_with_fast_schedule_spacing() {
    // Fast preset scaled by 0.5: attempts at 0 s, +0.5 s, +1 s.
    let app = spawn_app_with(|c| {
        c.notify_schedule = SchedulePreset::Fast;
        c.time_scale = 0.5;
    })
    .await;
    let receiver = spawn_receiver(Some(app.wallet_key.clone()), vec!["U", "500", "S"], 0).await;
    let pay = app.pay("notify-1", "1000", Some(&receiver.url)).await;
    let id = pay.body["paymentId"].as_str().unwrap().to_string();
    let (st, _) = app.complete(&id, "SUCCESS").await;
    assert_eq!(st, 200);
    let got = receiver.wait_for(3, Duration::from_secs(15)).await;
    assert!(
        got.iter().all(|r| r.signature_ok),
        "every attempt is signed by the wallet"
    );
    assert!(
        got.iter().all(|r| r.body == got[0].body),
        "the same body every time"
    );
    let gap1 = got[1].at - got[0].at;
    let gap2 = got[2].at - got[1].at;
    // Generous bounds: the machine is noisy, but the order of magnitude must be the schedule's.
    assert!(
        gap1 >= Duration::from_millis(400) && gap1 < Duration::from_secs(4),
        "{gap1:?}"
    );
    assert!(
        gap2 >= Duration::from_millis(900) && gap2 < Duration::from_secs(5),
        "{gap2:?}"
    );
    assert!(gap2 > gap1, "backs off");
    // No attempt after the S.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.count(), 3);

    // The delivery log has every attempt with status and excerpt.
    let (_, log) = app
        .get_json(&format!("/sandbox/notifications?paymentId={id}"))
        .await;
    let n = &log["notifications"][0];
    assert_eq!(n["status"], "DELIVERED");
    assert_eq!(n["paymentStatus"], "SUCCESS");
    let attempts = n["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 3);
    assert_eq!(attempts[0]["httpStatus"], 200);
    assert_eq!(attempts[0]["ok"], false);
    assert!(attempts[0]["responseExcerpt"]
        .as_str()
        .unwrap()
        .contains("\"U\""));
    assert_eq!(attempts[1]["httpStatus"], 500);
    assert_eq!(attempts[1]["responseExcerpt"], "oops");
    assert_eq!(attempts[2]["ok"], true);
    for a in attempts {
        assert!(a["at"].is_string());
    }
    // The payments list summarises it.
    let (_, list) = app.get_json("/sandbox/payments").await;
    assert_eq!(list["payments"][0]["notify"]["status"], "DELIVERED");
    assert_eq!(list["payments"][0]["notify"]["attempts"], 3);

    // Manual resend: one more attempt, marked manual.
    let nid = n["id"].as_i64().unwrap();
    let (st, _) = app
        .post_json(
            &format!("/sandbox/notifications/{nid}/resend"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(st, 202);
    receiver.wait_for(4, Duration::from_secs(10)).await;
    let start = std::time::Instant::now();
    loop {
        let (_, log) = app
            .get_json(&format!("/sandbox/notifications?paymentId={id}"))
            .await;
        let attempts = log["notifications"][0]["attempts"]
            .as_array()
            .unwrap()
            .clone();
        if attempts.len() == 4 {
            assert_eq!(attempts[3]["manual"], true);
            assert_eq!(log["notifications"][0]["status"], "DELIVERED");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (st, _) = app
        .post_json(
            "/sandbox/notifications/999999/resend",
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(st, 404);
    app.stop().await;
}

#[tokio::test]
async fn gives_up_after_the_schedule_and_never_notifies_cancel() {
    let app = spawn_app_with(|c| {
        c.notify_schedule = SchedulePreset::Fast;
        c.time_scale = 0.01; // 8 attempts in about 1.3 s
    })
    .await;
    let receiver = spawn_receiver(Some(app.wallet_key.clone()), vec!["garbage"], 0).await;
    let pay = app.pay("giveup-1", "4000", Some(&receiver.url)).await;
    let id = pay.body["paymentId"].as_str().unwrap().to_string();
    let (_, done) = app.complete(&id, "FAIL").await;
    assert_eq!(done["status"], "FAIL");
    receiver.wait_for(8, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(receiver.count(), 8, "Antom-style schedule has 8 attempts");
    let (_, log) = app
        .get_json(&format!("/sandbox/notifications?paymentId={id}"))
        .await;
    assert_eq!(log["notifications"][0]["status"], "FAILED");
    assert_eq!(
        receiver.all()[0].body["paymentFailReason"],
        "PAYMENT_DECLINED"
    );

    // A cancelled payment is not notified.
    let receiver2 = spawn_receiver(Some(app.wallet_key.clone()), vec!["S"], 0).await;
    let pay = app.pay("cancel-n", "100", Some(&receiver2.url)).await;
    let id = pay.body["paymentId"].as_str().unwrap().to_string();
    let c = app
        .call("/v1/payments/cancel", &serde_json::json!({"paymentId": id}))
        .await;
    assert_eq!(c.result_code(), "SUCCESS");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver2.count(), 0);
    app.stop().await;
}

#[tokio::test]
async fn unreachable_receiver_is_retried_and_logged() {
    let app = spawn_app_with(|c| c.time_scale = 0.2).await;
    // Nothing listens on this port (bound then dropped).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/notify/payment");
    let pay = app.pay("unreach-1", "100", Some(&url)).await;
    let id = pay.body["paymentId"].as_str().unwrap().to_string();
    app.complete(&id, "SUCCESS").await;
    let start = std::time::Instant::now();
    loop {
        let (_, log) = app
            .get_json(&format!("/sandbox/notifications?paymentId={id}"))
            .await;
        let attempts = log["notifications"][0]["attempts"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if attempts.len() >= 2 {
            assert!(attempts[0]["httpStatus"].is_null());
            assert!(attempts[0]["error"]
                .as_str()
                .unwrap()
                .contains("connection"));
            assert_eq!(log["notifications"][0]["status"], "PENDING");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{log}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn refund_notify_url_gets_a_signed_notify_refund() {
    let app = spawn_app_with(|_| {}).await;
    let receiver = spawn_receiver(Some(app.wallet_key.clone()), vec!["S"], 0).await;
    // The payment itself notifies nobody: only the refund names a URL.
    let pay = app.pay("notify-refund-1", "1000", None).await;
    let id = pay.body["paymentId"].as_str().unwrap().to_string();
    let (st, _) = app.complete(&id, "SUCCESS").await;
    assert_eq!(st, 200);
    let refund = serde_json::json!({
        "refundRequestId": "nr-1", "paymentId": id,
        "refundAmount": {"currency": "USD", "value": "300"},
        "refundNotifyUrl": receiver.url,
    });
    let r = app.call("/ams/api/v1/payments/refund", &refund).await;
    assert_eq!(r.result_code(), "SUCCESS", "{}", r.raw);
    let got = receiver.wait_for(1, Duration::from_secs(15)).await;
    let n = &got[0];
    assert!(
        n.signature_ok,
        "signed by the wallet over the receiver's path"
    );
    assert_eq!(n.body["notifyType"], "REFUND_RESULT");
    assert_eq!(n.body["refundStatus"], "SUCCESS");
    assert_eq!(n.body["result"]["resultStatus"], "S");
    assert_eq!(n.body["refundId"], r.body["refundId"]);
    assert_eq!(n.body["refundRequestId"], "nr-1");
    assert_eq!(n.body["paymentId"], id.as_str());
    assert_eq!(n.body["refundAmount"], r.body["refundAmount"]);
    assert_eq!(n.body["refundTime"], r.body["refundTime"]);
    // A replay of the same refund queues nothing more; a bad URL is refused naming the field.
    let again = app.call("/v1/payments/refund", &refund).await;
    assert_eq!(again.body, r.body);
    let mut bad = refund.clone();
    bad["refundRequestId"] = "nr-2".into();
    bad["refundNotifyUrl"] = "ftp://x".into();
    let r = app.call("/v1/payments/refund", &bad).await;
    assert_eq!(r.result_code(), "PARAM_ILLEGAL");
    assert!(r.message().contains("refundNotifyUrl"), "{}", r.raw);
    let (_, list) = app
        .get_json(&format!("/sandbox/notifications?paymentId={id}"))
        .await;
    let rows = list["notifications"]
        .as_array()
        .map(|a| a.len())
        .unwrap_or(usize::MAX);
    assert_eq!(rows, 1, "one notifyRefund in the outbox: {list}");
    assert_eq!(receiver.count(), 1);
    app.stop().await;
}
