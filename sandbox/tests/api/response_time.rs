//! The open API's `Response-Time` header reads the sandbox's one clock (`State::clock`), so a
//! test that moves the clock sees the header follow, signed or not.

use std::time::Duration;

use serde_json::json;
use superapp_sandbox::domain::clock;

use crate::common::{self, ApiResponse};

fn response_time(resp: &ApiResponse) -> i64 {
    let text = resp
        .headers
        .get("response-time")
        .and_then(|v| v.to_str().ok())
        .expect("Response-Time header");
    clock::parse(text).unwrap_or_else(|| panic!("Response-Time {text:?} parses"))
}

#[tokio::test]
async fn response_time_follows_the_moved_clock() {
    let (app, state) = common::spawn_app_and_state(|_| {}).await;
    let ten_days = 10 * 24 * 3600 * 1000;
    let lookup = json!({"paymentRequestId": "no-such-payment"});

    // Signed answer (the call's business result does not matter).
    let before = response_time(&app.call("/v1/payments/inquiryPayment", &lookup).await);
    state.clock.advance_ms(ten_days);
    let signed = app.call("/v1/payments/inquiryPayment", &lookup).await;
    assert_eq!(signed.body["result"]["resultCode"], "ORDER_NOT_EXIST");
    let after = response_time(&signed);
    let moved = after - before;
    assert!(
        (ten_days..ten_days + Duration::from_secs(60).as_millis() as i64).contains(&moved),
        "signed Response-Time moved {moved} ms, the clock {ten_days} ms"
    );

    // Unsigned answer (no Client-Id): the same clock.
    let unsigned = app
        .send("/v1/payments/inquiryPayment", b"{}".to_vec(), &[])
        .await;
    assert_eq!(unsigned.body["result"]["resultCode"], "ACCESS_DENIED");
    assert!(unsigned.headers.get("signature").is_none());
    let moved = response_time(&unsigned) - before;
    assert!(
        moved >= ten_days,
        "unsigned Response-Time moved {moved} ms, the clock {ten_days} ms"
    );
    app.stop().await;
}
