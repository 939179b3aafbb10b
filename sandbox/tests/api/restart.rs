//! Durability: the real binary is killed with SIGKILL in the middle of a notification's retries
//! and restarted on the same data dir; payments, refunds, idempotency records and the pending
//! notification survive, and the retries resume.

use crate::common;

use std::time::Duration;

use common::spawn_receiver;
use serde_json::json;

#[tokio::test]
async fn kill_9_mid_retry_then_restart_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = common::start_binary(dir.path(), &["--time-scale", "1"]);
    let app = common::binary_client(&p, dir.path());
    // First answer fails, then the receiver acknowledges.
    let receiver = spawn_receiver(Some(app.wallet_key.clone()), vec!["500", "S"], 0).await;
    let pay = app.pay("restart-1", "1000", Some(&receiver.url)).await;
    let id = pay.body["paymentId"].as_str().unwrap().to_string();
    let (st, _) = app.complete(&id, "SUCCESS").await;
    assert_eq!(st, 200);
    let r1 = app.refund("rr-1", &id, "300").await;
    assert_eq!(r1.result_code(), "SUCCESS");
    receiver.wait_for(1, Duration::from_secs(10)).await;
    // Let the failed attempt be recorded, then die hard before the retry (due 1 s later).
    tokio::time::sleep(Duration::from_millis(150)).await;
    p.child.kill().unwrap(); // SIGKILL
    p.child.wait().unwrap();
    assert_eq!(receiver.count(), 1);

    let mut p2 = common::start_binary(dir.path(), &["--time-scale", "1"]);
    let app2 = common::binary_client(&p2, dir.path());
    assert_eq!(app2.client_id, app.client_id, "same merchant after restart");
    let got = receiver.wait_for(2, Duration::from_secs(15)).await;
    assert!(got[1].signature_ok);
    assert_eq!(got[1].body, got[0].body);
    let inq = app2.inquiry(&id).await;
    assert_eq!(inq.body["paymentStatus"], "SUCCESS");
    // Idempotency records survived: same pay → same payment; same refund → same answer.
    let mut same = app2.pay_body("restart-1", "1000");
    same["paymentNotifyUrl"] = json!(receiver.url);
    let again = app2.call("/v1/payments/pay", &same).await;
    assert_eq!(again.body["paymentId"], id);
    assert_eq!(again.body, pay.body);
    let r1_again = app2.refund("rr-1", &id, "300").await;
    assert_eq!(r1_again.body, r1.body);
    let over = app2.refund("rr-2", &id, "701").await;
    assert_eq!(over.result_code(), "REFUND_AMOUNT_EXCEED");
    // The delivery log spans both lives.
    let start = std::time::Instant::now();
    loop {
        let (_, log) = app2
            .get_json(&format!("/sandbox/notifications?paymentId={id}"))
            .await;
        if log["notifications"][0]["status"] == "DELIVERED" {
            assert_eq!(
                log["notifications"][0]["attempts"]
                    .as_array()
                    .unwrap()
                    .len(),
                2
            );
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "{log}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    p2.child.kill().unwrap();
    p2.child.wait().unwrap();
}
