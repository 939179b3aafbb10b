//! The open API over real HTTP: the whole merchant flow, signatures, idempotency, every
//! PARAM_ILLEGAL path, magic amounts and expiry.

use crate::common;

use std::time::Duration;

use common::{cashier_link, spawn_app, spawn_app_with, spawn_receiver, url_parts};
use serde_json::json;
use superapp_sandbox::domain::clock;
use superapp_sandbox::signature::{content_to_sign, Signer};

#[tokio::test]
async fn merchant_flow_pay_complete_inquire_refund() {
    let app = spawn_app().await;
    let receiver = spawn_receiver(Some(app.wallet_key.clone()), vec!["S"], 0).await;
    let pay = app.pay("flow-1", "1000", Some(&receiver.url)).await;
    assert_eq!(pay.result_code(), "ACCEPT");
    let form = &pay.body["redirectActionForm"];
    let url = form["redirectUrl"].as_str().unwrap();
    assert_eq!(form["method"], "GET");
    assert_eq!(form["redirectionUrl"], url);
    assert_eq!(form["normalUrl"], url);
    assert!(
        url.starts_with(&format!("{}/cashier/?paymentId=", app.base)),
        "{url}"
    );
    let (payment_id, token) = url_parts(url);
    assert_eq!(pay.body["paymentId"], payment_id);
    assert!(token.len() >= 43);

    // The cashier loads it with the token, not without.
    let (st, view) = app
        .get_json(&format!("/cashier/api/payments/{payment_id}?token={token}"))
        .await;
    assert_eq!(st, 200);
    assert_eq!(view["merchantName"], "Demo Coffee");
    assert_eq!(view["amountDisplay"], "USD 10.00");
    assert_eq!(view["orderDescription"], "2 coffees");
    assert_eq!(view["status"], "PROCESSING");
    let (st, _) = app
        .get_json(&format!("/cashier/api/payments/{payment_id}?token=wrong"))
        .await;
    assert_eq!(st, 404);

    let inq = app.inquiry(&payment_id).await;
    assert_eq!(inq.body["paymentStatus"], "PROCESSING");
    assert!(inq.body.get("paymentTime").is_none());

    let (st, done) = app.complete(&payment_id, "SUCCESS").await;
    assert_eq!(st, 200, "{done}");
    let inq = app.inquiry(&payment_id).await;
    assert_eq!(inq.body["paymentStatus"], "SUCCESS");
    assert_eq!(
        inq.body["paymentAmount"],
        json!({"currency":"USD","value":"1000"})
    );
    assert!(clock::parse(inq.body["paymentTime"].as_str().unwrap()).is_some());
    // By paymentRequestId too.
    let by_req = app
        .call(
            "/v1/payments/inquiryPayment",
            &json!({"paymentRequestId": "flow-1"}),
        )
        .await;
    assert_eq!(by_req.body["paymentId"], payment_id);

    // The signed notification arrives.
    let got = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert!(got[0].signature_ok, "notification signed by the wallet");
    assert_eq!(got[0].body["paymentStatus"], "SUCCESS");
    assert_eq!(got[0].body["paymentId"], payment_id);
    assert_eq!(got[0].body["paymentRequestId"], "flow-1");

    // Refunds: partial, idempotent, never over the paid amount.
    let refund = |id: &'static str, value: &'static str| json!({"refundRequestId": id, "paymentId": payment_id, "refundAmount": {"currency":"USD","value": value}, "refundReason": "test"});
    let r1 = app
        .call("/v1/payments/refund", &refund("rf-1", "600"))
        .await;
    assert_eq!(r1.result_code(), "SUCCESS", "{}", r1.raw);
    assert!(r1.body["refundId"].is_string());
    assert!(r1.body["refundTime"].is_string());
    let again = app
        .call("/v1/payments/refund", &refund("rf-1", "600"))
        .await;
    assert_eq!(
        again.body, r1.body,
        "same refundRequestId, same body: same answer"
    );
    let changed = app
        .call("/v1/payments/refund", &refund("rf-1", "100"))
        .await;
    assert_eq!(changed.result_code(), "REPEAT_REQ_INCONSISTENT");
    let over = app
        .call("/v1/payments/refund", &refund("rf-2", "401"))
        .await;
    assert_eq!(over.result_code(), "REFUND_AMOUNT_EXCEED");
    let rest = app
        .call("/v1/payments/refund", &refund("rf-3", "400"))
        .await;
    assert_eq!(rest.result_code(), "SUCCESS");
    let more = app.call("/v1/payments/refund", &refund("rf-4", "1")).await;
    assert_eq!(more.result_code(), "REFUND_AMOUNT_EXCEED");
    let wrong_currency = app
        .call(
            "/v1/payments/refund",
            &json!({"refundRequestId": "rf-5", "paymentId": payment_id, "refundAmount": {"currency":"EUR","value":"1"}}),
        )
        .await;
    assert_eq!(wrong_currency.result_code(), "PARAM_ILLEGAL");

    // A successful payment cannot be cancelled.
    let cancel = app
        .call("/v1/payments/cancel", &json!({"paymentId": payment_id}))
        .await;
    assert_eq!(cancel.result_code(), "ORDER_STATUS_INVALID");
    app.stop().await;
}

#[tokio::test]
async fn cancel_only_unfinished_and_cashier_cannot_pay_after() {
    let app = spawn_app().await;
    let pay = app.pay("cancel-1", "500", None).await;
    let (payment_id, token) = cashier_link(&pay);
    let c = app
        .call(
            "/v1/payments/cancel",
            &json!({"paymentRequestId": "cancel-1"}),
        )
        .await;
    assert_eq!(c.result_code(), "SUCCESS", "{}", c.raw);
    assert!(clock::parse(c.body["cancelTime"].as_str().unwrap()).is_some());
    let again = app
        .call("/v1/payments/cancel", &json!({"paymentId": payment_id}))
        .await;
    assert_eq!(
        again.result_code(),
        "SUCCESS",
        "cancelling twice is answered as before"
    );
    assert_eq!(
        app.inquiry(&payment_id).await.body["paymentStatus"],
        "CANCELLED"
    );
    let (st, body) = app.cashier_confirm(&payment_id, &token, "BALANCE").await;
    assert_eq!(st, 409);
    assert_eq!(body["status"], "CANCELLED");
    let refund = app
        .call(
            "/v1/payments/refund",
            &json!({"refundRequestId": "x", "paymentId": payment_id, "refundAmount": {"currency":"USD","value":"1"}}),
        )
        .await;
    assert_eq!(refund.result_code(), "ORDER_STATUS_INVALID");
    let missing = app
        .call("/v1/payments/cancel", &json!({"paymentId": "nope"}))
        .await;
    assert_eq!(missing.result_code(), "ORDER_NOT_EXIST");
    app.stop().await;
}

#[tokio::test]
async fn cashier_methods_decide_the_outcome() {
    let app = spawn_app_with(|c| c.pending_delay = 0.3).await;
    let mut cases = Vec::new();
    for (i, method) in ["BALANCE", "DECLINED_CARD", "BANK_TRANSFER"]
        .iter()
        .enumerate()
    {
        let pay = app.pay(&format!("m-{i}"), "1234", None).await;
        let (id, token) = cashier_link(&pay);
        let (st, body) = app.cashier_confirm(&id, &token, method).await;
        assert_eq!(st, 200, "{body}");
        cases.push((id, token, body));
    }
    assert_eq!(cases[0].2["status"], "SUCCESS");
    assert_eq!(cases[1].2["status"], "FAIL");
    assert_eq!(cases[1].2["failReason"], "CARD_DECLINED");
    assert_eq!(cases[2].2["status"], "PROCESSING");
    assert_eq!(cases[2].2["pending"], true);
    // Confirming a pending payment again is a conflict; it then resolves by itself.
    let (st, _) = app
        .cashier_confirm(&cases[2].0, &cases[2].1, "BALANCE")
        .await;
    assert_eq!(st, 409);
    app.wait_status(&cases[2].0, "SUCCESS", Duration::from_secs(10))
        .await;
    // A final payment: 409 with the status.
    let (st, body) = app
        .cashier_confirm(&cases[1].0, &cases[1].1, "BALANCE")
        .await;
    assert_eq!(st, 409);
    assert_eq!(body["status"], "FAIL");
    // Closing the cashier leaves the payment PROCESSING and is logged.
    let pay = app.pay("close-1", "100", None).await;
    let (id, token) = cashier_link(&pay);
    let (st, body) = app
        .post_json(
            &format!("/cashier/api/payments/{id}/cancel"),
            &json!({"token": token}),
        )
        .await;
    assert_eq!((st, body["status"].as_str()), (200, Some("PROCESSING")));
    let (_, detail) = app.get_json(&format!("/sandbox/payments/{id}")).await;
    let kinds: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"cashier_closed"), "{kinds:?}");
    // Unknown method.
    let (st, _) = app.cashier_confirm(&id, &token, "GOLD").await;
    assert_eq!(st, 400);
    app.stop().await;
}

#[tokio::test]
async fn magic_amounts_force_outcomes() {
    let app = spawn_app_with(|c| c.pending_delay = 0.2).await;
    // 4001: declined whatever the method.
    let pay = app.pay("magic-4001", "4001", None).await;
    let (id, token) = cashier_link(&pay);
    let (_, body) = app.cashier_confirm(&id, &token, "BALANCE").await;
    assert_eq!(body["status"], "FAIL");
    assert_eq!(body["failReason"], "USER_BALANCE_NOT_ENOUGH");
    // 8001: pending, then FAIL.
    let pay = app.pay("magic-8001", "8001", None).await;
    let (id, token) = cashier_link(&pay);
    let (_, body) = app.cashier_confirm(&id, &token, "BALANCE").await;
    assert_eq!(body["status"], "PROCESSING");
    let r = app.wait_status(&id, "FAIL", Duration::from_secs(10)).await;
    assert_eq!(r.body["paymentFailReason"], "BANK_TRANSFER_FAILED");
    // 6004: pay answers U but the payment exists; the retry gets the real answer.
    let body = app.pay_body("magic-6004", "6004");
    let first = app.call("/v1/payments/pay", &body).await;
    assert_eq!(
        (first.result_status(), first.result_code()),
        ("U", "UNKNOWN_EXCEPTION")
    );
    let retry = app.call("/v1/payments/pay", &body).await;
    assert_eq!(retry.result_status(), "A");
    let again = app.call("/v1/payments/pay", &body).await;
    assert_eq!(again.body, retry.body);
    // 6002: a slow but normal answer.
    let started = std::time::Instant::now();
    let slow = app.pay("magic-6002", "6002", None).await;
    assert_eq!(slow.result_status(), "A");
    assert!(started.elapsed() >= Duration::from_millis(900));
    app.stop().await;
}

#[tokio::test]
async fn unpaid_payment_expires_to_fail_and_is_notified() {
    let app = spawn_app().await;
    let receiver = spawn_receiver(Some(app.wallet_key.clone()), vec!["S"], 0).await;
    let mut body = app.pay_body("expire-1", "700");
    let expiry = clock::now_ms() + 1500;
    body["paymentExpiryTime"] = json!(clock::format_precise(expiry));
    body["paymentNotifyUrl"] = json!(receiver.url);
    let pay = app.call("/v1/payments/pay", &body).await;
    assert_eq!(pay.result_status(), "A", "{}", pay.raw);
    let id = pay.body["paymentId"].as_str().unwrap().to_string();
    let r = app.wait_status(&id, "FAIL", Duration::from_secs(10)).await;
    assert_eq!(r.body["paymentFailReason"], "PAYMENT_EXPIRED");
    let got = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(got[0].body["paymentStatus"], "FAIL");
    assert_eq!(got[0].body["paymentFailReason"], "PAYMENT_EXPIRED");
    // The headless call cannot revive it.
    let (st, _) = app.complete(&id, "SUCCESS").await;
    assert_eq!(st, 409);
    app.stop().await;
}

#[tokio::test]
async fn moving_the_one_clock_expires_a_payment_and_sends_its_notification() {
    let (app, state) = common::spawn_app_and_state(|_| {}).await;
    let receiver = spawn_receiver(Some(app.wallet_key.clone()), vec!["S"], 0).await;
    let mut body = app.pay_body("expire-by-clock", "700");
    let expiry = clock::now_ms() + 30 * 60 * 1000;
    body["paymentExpiryTime"] = json!(clock::format_precise(expiry));
    body["paymentNotifyUrl"] = json!(receiver.url);
    let pay = app.call("/v1/payments/pay", &body).await;
    let id = pay.body["paymentId"].as_str().unwrap().to_string();
    assert_eq!(app.inquiry(&id).await.body["paymentStatus"], "PROCESSING");
    // Half an hour passes on the sandbox's clock, not on the wall's.
    state.clock.advance_ms(30 * 60 * 1000 + 1);
    state.settler.wake();
    let r = app.wait_status(&id, "FAIL", Duration::from_secs(10)).await;
    assert_eq!(r.body["paymentFailReason"], "PAYMENT_EXPIRED");
    let got = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(got[0].body["paymentFailReason"], "PAYMENT_EXPIRED");
    app.stop().await;
}

#[tokio::test]
async fn pay_is_idempotent_on_payment_request_id() {
    let app = spawn_app().await;
    let body = app.pay_body("idem-1", "900");
    let a = app.call("/v1/payments/pay", &body).await;
    // Same body written differently (key order, spacing) is the same request.
    let respaced = serde_json::to_string_pretty(&body).unwrap();
    let b = app.call_raw("/v1/payments/pay", respaced.as_bytes()).await;
    assert_eq!(a.body, b.body);
    let mut changed = body.clone();
    changed["paymentAmount"]["value"] = json!("901");
    let c = app.call("/v1/payments/pay", &changed).await;
    assert_eq!(c.result_code(), "REPEAT_REQ_INCONSISTENT");
    assert_eq!(c.result_status(), "F");
    app.stop().await;
}

#[tokio::test]
async fn authentication_errors() {
    let app = spawn_app().await;
    let path = "/v1/payments/inquiryPayment";
    let body = br#"{"paymentId":"x"}"#.to_vec();
    let time = clock::format_api(clock::now_ms());
    let good = app
        .merchant_key
        .signature_header(path, &app.client_id, &time, &body)
        .unwrap();

    // Unknown or missing client.
    let r = app
        .send(
            path,
            body.clone(),
            &[
                ("client-id", "SANDBOX_NOBODY"),
                ("request-time", &time),
                ("signature", &good),
            ],
        )
        .await;
    assert_eq!((r.status, r.result_code()), (200, "ACCESS_DENIED"));
    assert!(
        r.headers.get("signature").is_none(),
        "an unauthenticated caller gets an unsigned answer"
    );
    let r = app
        .send(
            path,
            body.clone(),
            &[("request-time", &time), ("signature", &good)],
        )
        .await;
    assert_eq!(r.result_code(), "ACCESS_DENIED");

    // Missing, malformed, wrong-key and tampered signatures.
    let other = Signer::generate().unwrap();
    let wrong_key = other
        .signature_header(path, &app.client_id, &time, &body)
        .unwrap();
    let wrong_path = app
        .merchant_key
        .signature_header("/v1/payments/pay", &app.client_id, &time, &body)
        .unwrap();
    for sig in [
        None,
        Some("garbage"),
        Some("algorithm=RSA256, keyVersion=1, signature=AAAA"),
        Some("algorithm=RSA1, signature=AAAA"),
        Some(wrong_key.as_str()),
        Some(wrong_path.as_str()),
    ] {
        let mut headers = vec![
            ("client-id", app.client_id.as_str()),
            ("request-time", time.as_str()),
        ];
        if let Some(s) = sig {
            headers.push(("signature", s));
        }
        let r = app.send(path, body.clone(), &headers).await;
        assert_eq!(r.result_code(), "INVALID_SIGNATURE", "{sig:?}: {}", r.raw);
    }
    let r = app
        .send(
            path,
            br#"{"paymentId":"y"}"#.to_vec(),
            &[
                ("client-id", &app.client_id),
                ("request-time", &time),
                ("signature", &good),
            ],
        )
        .await;
    assert_eq!(r.result_code(), "INVALID_SIGNATURE", "tampered body");
    let r = app
        .send(
            path,
            body.clone(),
            &[
                ("client-id", &app.client_id),
                ("request-time", "2030-01-01T00:00:00Z"),
                ("signature", &good),
            ],
        )
        .await;
    assert_eq!(r.result_code(), "INVALID_SIGNATURE", "tampered time");

    // Accepted: raw base64 (with '+' kept), spaces, upper-case header names, other time shapes.
    for time in [
        "2026-11-27T07:01:52Z",
        "2026-11-27T07:01:52.123Z",
        "2026-11-27T10:01:52+03:00",
        "2026-11-27T07:01:52.5+00:00",
    ] {
        let raw = app
            .merchant_key
            .sign_base64(&content_to_sign(path, &app.client_id, time, &body))
            .unwrap();
        let header = format!("algorithm=RSA256,   keyVersion=1,  signature={raw}");
        let r = app
            .send(
                path,
                body.clone(),
                &[
                    ("Client-Id", &app.client_id),
                    ("REQUEST-TIME", time),
                    ("Signature", &header),
                ],
            )
            .await;
        assert_eq!(r.result_code(), "ORDER_NOT_EXIST", "{time}: {}", r.raw);
    }
    // Request-Time problems name the header.
    let r = app
        .send(
            path,
            body.clone(),
            &[("client-id", &app.client_id), ("signature", &good)],
        )
        .await;
    assert_eq!(r.result_code(), "PARAM_ILLEGAL");
    assert!(r.message().contains("Request-Time"));
    let r = app
        .send(
            path,
            body.clone(),
            &[
                ("client-id", &app.client_id),
                ("request-time", "yesterday"),
                ("signature", &good),
            ],
        )
        .await;
    assert_eq!(r.result_code(), "PARAM_ILLEGAL");
    assert!(r.message().contains("Request-Time"));
    app.stop().await;
}

#[tokio::test]
async fn every_param_illegal_path_names_its_field() {
    let app = spawn_app().await;
    let base = app.pay_body("p-1", "100");
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut b = base.clone();
        f(&mut b);
        b
    };
    let long = "x".repeat(65);
    let cases: Vec<(&str, serde_json::Value, &str)> = vec![
        (
            "/v1/payments/pay",
            with(&|b| {
                b.as_object_mut().unwrap().remove("productCode");
            }),
            "productCode",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["productCode"] = json!("")),
            "productCode",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["productCode"] = json!(7)),
            "productCode",
        ),
        (
            "/v1/payments/pay",
            with(&|b| {
                b.as_object_mut().unwrap().remove("paymentRequestId");
            }),
            "paymentRequestId",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["paymentRequestId"] = json!(long)),
            "paymentRequestId",
        ),
        (
            "/v1/payments/pay",
            with(&|b| {
                b.as_object_mut().unwrap().remove("paymentAmount");
            }),
            "paymentAmount",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["paymentAmount"] = json!("100")),
            "paymentAmount",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["paymentAmount"]["currency"] = json!("XYZ")),
            "paymentAmount.currency",
        ),
        (
            "/v1/payments/pay",
            with(&|b| {
                b["paymentAmount"]
                    .as_object_mut()
                    .unwrap()
                    .remove("currency");
            }),
            "paymentAmount.currency",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["paymentAmount"]["value"] = json!(100)),
            "paymentAmount.value",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["paymentAmount"]["value"] = json!("1.00")),
            "paymentAmount.value",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["paymentAmount"]["value"] = json!("0")),
            "paymentAmount.value",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["paymentAmount"]["value"] = json!("-5")),
            "paymentAmount.value",
        ),
        (
            "/v1/payments/pay",
            with(&|b| {
                b.as_object_mut().unwrap().remove("order");
            }),
            "order",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["order"] = json!([])),
            "order",
        ),
        (
            "/v1/payments/pay",
            with(&|b| {
                b["order"]
                    .as_object_mut()
                    .unwrap()
                    .remove("orderDescription");
            }),
            "order.orderDescription",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["order"]["orderDescription"] = json!(" ")),
            "order.orderDescription",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["order"]["orderAmount"] = json!({"currency":"USD","value":"x"})),
            "order.orderAmount.value",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["order"]["merchant"] = json!(1)),
            "order.merchant",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["order"]["buyer"]["referenceBuyerId"] = json!(1)),
            "order.buyer.referenceBuyerId",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["paymentExpiryTime"] = json!("tomorrow")),
            "paymentExpiryTime",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["paymentExpiryTime"] = json!("2001-01-01T00:00:00Z")),
            "paymentExpiryTime",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["paymentNotifyUrl"] = json!("not a url")),
            "paymentNotifyUrl",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["paymentNotifyUrl"] = json!("ftp://x/y")),
            "paymentNotifyUrl",
        ),
        (
            "/v1/payments/pay",
            with(&|b| b["paymentRedirectUrl"] = json!(5)),
            "paymentRedirectUrl",
        ),
        (
            "/v1/payments/inquiryPayment",
            json!({}),
            "paymentId or paymentRequestId",
        ),
        (
            "/v1/payments/inquiryPayment",
            json!({"paymentId": 5}),
            "paymentId",
        ),
        (
            "/v1/payments/cancel",
            json!({}),
            "paymentId or paymentRequestId",
        ),
        (
            "/v1/payments/cancel",
            json!({"paymentRequestId": long}),
            "paymentRequestId",
        ),
        (
            "/v1/payments/refund",
            json!({"paymentId":"p","refundAmount":{"currency":"USD","value":"1"}}),
            "refundRequestId",
        ),
        (
            "/v1/payments/refund",
            json!({"refundRequestId":"r","refundAmount":{"currency":"USD","value":"1"}}),
            "paymentId",
        ),
        (
            "/v1/payments/refund",
            json!({"refundRequestId":"r","paymentId":"p"}),
            "refundAmount",
        ),
        (
            "/v1/payments/refund",
            json!({"refundRequestId":"r","paymentId":"p","refundAmount":{"currency":"USD","value":"0"}}),
            "refundAmount.value",
        ),
        (
            "/v1/payments/refund",
            json!({"refundRequestId":"r","paymentId":"p","refundAmount":{"currency":"USD","value":"1"},"refundReason":7}),
            "refundReason",
        ),
    ];
    for (path, body, field) in cases {
        let r = app.call(path, &body).await;
        assert_eq!(r.status, 200);
        assert_eq!(
            (r.result_code(), r.result_status()),
            ("PARAM_ILLEGAL", "F"),
            "{path} {body}: {}",
            r.raw
        );
        assert!(
            r.message().starts_with(field),
            "{path}: message {:?} should name {field}",
            r.message()
        );
    }
    // Bodies that are not JSON objects.
    for raw in [&b"not json"[..], b"[1,2]", b"", b"\"str\""] {
        let r = app.call_raw("/v1/payments/pay", raw).await;
        assert_eq!(r.result_code(), "PARAM_ILLEGAL", "{}", r.raw);
        assert!(r.message().contains("body"));
    }
    app.stop().await;
}

#[tokio::test]
async fn unknown_paths_and_oversized_bodies() {
    let app = spawn_app().await;
    let r = app.call("/v1/payments/notAThing", &json!({})).await;
    assert_eq!((r.status, r.result_code()), (200, "INVALID_API"));
    let big = vec![b' '; 300 * 1024];
    let r = app.send("/v1/payments/pay", big, &[]).await;
    assert_eq!(r.status, 413);
    let r = app
        .http
        .get(format!("{}/sandbox/nothing-here", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    app.stop().await;
}

#[tokio::test]
async fn merchants_register_their_own_key() {
    let app = spawn_app().await;
    let key = Signer::generate().unwrap();
    let (st, body) = app
        .post_json(
            "/sandbox/merchants",
            &json!({"name": "Other Shop", "publicKey": key.public().to_pem()}),
        )
        .await;
    assert_eq!(st, 201, "{body}");
    let client_id = body["clientId"].as_str().unwrap().to_string();
    // Calls signed with that key as that client work; the payment is theirs only.
    let mut app = app;
    let default_id = std::mem::replace(&mut app.client_id, client_id.clone());
    let default_key = std::mem::replace(&mut app.merchant_key, key);
    let pay = app.pay("shop-2", "100", None).await;
    let id = pay.body["paymentId"].as_str().unwrap().to_string();
    app.client_id = default_id;
    app.merchant_key = default_key;
    assert_eq!(app.inquiry(&id).await.result_code(), "ORDER_NOT_EXIST");
    // Bad keys are refused.
    let (st, body) = app
        .post_json(
            "/sandbox/merchants",
            &json!({"name": "x", "publicKey": "nope"}),
        )
        .await;
    assert_eq!(st, 400);
    assert!(body["message"].as_str().unwrap().contains("publicKey"));
    // The default merchant and the wallet key are published.
    let (st, d) = app.get_json("/sandbox/merchants/default").await;
    assert_eq!(st, 200);
    assert!(d["privateKeyPem"].as_str().unwrap().contains("PRIVATE KEY"));
    let pem = app
        .http
        .get(format!("{}/sandbox/wallet-public-key.pem", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    app.stop().await;
}

/// The prefixes the official SDKs put before `/v1/...`.
const PREFIXES: [&str; 4] = ["", "/ams/api", "/ams/sandbox/api", "/aps/api"];

#[tokio::test]
async fn every_sdk_path_spelling_reaches_the_same_handlers() {
    let app = spawn_app().await;
    for (i, prefix) in PREFIXES.iter().enumerate() {
        // `call` signs over the path as sent and verifies the answer's signature over it too.
        let pay_path = format!("{prefix}/v1/payments/pay");
        let pay = app
            .call(&pay_path, &app.pay_body(&format!("prefix-{i}"), "100"))
            .await;
        assert_eq!(pay.result_code(), "ACCEPT", "{pay_path}: {}", pay.raw);
        let id = pay.body["paymentId"].as_str().unwrap().to_string();
        let inquiry_path = format!("{prefix}/v1/payments/inquiryPayment");
        let inquiry = app.call(&inquiry_path, &json!({"paymentId": id})).await;
        assert_eq!(
            inquiry.body["paymentStatus"], "PROCESSING",
            "{}",
            inquiry.raw
        );

        // Signed over another spelling of the same API: refused, nothing created.
        let other = PREFIXES[(i + 1) % PREFIXES.len()];
        let body = app
            .pay_body(&format!("prefix-forged-{i}"), "100")
            .to_string();
        let time = clock::format_api(clock::now_ms());
        let signature = app
            .merchant_key
            .signature_header(
                &format!("{other}/v1/payments/pay"),
                &app.client_id,
                &time,
                body.as_bytes(),
            )
            .unwrap();
        let forged = app
            .send(
                &pay_path,
                body.into_bytes(),
                &[
                    ("client-id", app.client_id.as_str()),
                    ("request-time", time.as_str()),
                    ("signature", signature.as_str()),
                ],
            )
            .await;
        assert_eq!(
            (forged.status, forged.result_code()),
            (200, "INVALID_SIGNATURE"),
            "{pay_path} signed as {other}: {}",
            forged.raw
        );
        assert!(forged.headers.get("signature").is_none(), "unsigned answer");

        // Unknown API under the prefix: 200 INVALID_API (signed for a signed call), never 405,
        // whatever the method.
        let unknown = format!("{prefix}/v1/payments/notAThing");
        let r = app.call(&unknown, &json!({})).await;
        assert_eq!(
            (r.status, r.result_code()),
            (200, "INVALID_API"),
            "{unknown}"
        );
        let r = app
            .http
            .get(format!("{}{unknown}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "GET {unknown}");

        // Known API, wrong method: 405 as on `/v1`; a query string: 400, unsigned.
        let r = app
            .http
            .get(format!("{}{pay_path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 405, "GET {pay_path}");
        let r = app
            .send(
                &format!("{inquiry_path}?paymentId={id}"),
                b"{}".to_vec(),
                &[],
            )
            .await;
        assert_eq!(r.status, 400, "{inquiry_path}?…: {}", r.raw);
        assert!(r.headers.get("signature").is_none());
    }
    // Under the SDK roots but not a v1 API: INVALID_API too.
    for path in [
        "/ams/api/v2/payments/pay",
        "/aps/whatever",
        "/ams/sandbox/api/v1",
    ] {
        let r = app.send(path, b"{}".to_vec(), &[]).await;
        assert_eq!((r.status, r.result_code()), (200, "INVALID_API"), "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn inquiry_refund_by_either_id() {
    let app = spawn_app().await;
    let pay = app.pay("irf-1", "1000", None).await;
    let payment_id = pay.body["paymentId"].as_str().unwrap().to_string();
    let (st, _) = app.complete(&payment_id, "SUCCESS").await;
    assert_eq!(st, 200);
    let refund = app
        .call(
            "/v1/payments/refund",
            &json!({"refundRequestId": "irf-r1", "paymentId": payment_id,
                    "refundAmount": {"currency": "USD", "value": "250"}}),
        )
        .await;
    assert_eq!(refund.result_code(), "SUCCESS", "{}", refund.raw);
    let refund_id = refund.body["refundId"].as_str().unwrap().to_string();

    let path = "/v1/payments/inquiryRefund";
    for ask in [
        json!({"refundId": refund_id}),
        json!({"refundRequestId": "irf-r1"}),
        json!({"refundId": refund_id, "refundRequestId": ""}),
        json!({"refundId": "", "refundRequestId": "irf-r1"}),
        // refundId wins when both are given.
        json!({"refundId": refund_id, "refundRequestId": "someone-else"}),
    ] {
        let r = app.call(path, &ask).await;
        assert_eq!(r.result_code(), "SUCCESS", "{ask}: {}", r.raw);
        assert_eq!(r.body["refundStatus"], "SUCCESS");
        assert_eq!(r.body["refundId"], refund_id.as_str());
        assert_eq!(r.body["refundRequestId"], "irf-r1");
        assert_eq!(r.body["paymentId"], payment_id.as_str());
        assert_eq!(
            r.body["refundAmount"],
            json!({"currency": "USD", "value": "250"})
        );
        assert_eq!(r.body["refundTime"], refund.body["refundTime"], "{}", r.raw);
    }
    for (ask, code) in [
        (json!({"refundId": "nope"}), "REFUND_NOT_EXIST"),
        (json!({"refundRequestId": "nope"}), "REFUND_NOT_EXIST"),
        (json!({}), "PARAM_ILLEGAL"),
        (
            json!({"refundId": "", "refundRequestId": ""}),
            "PARAM_ILLEGAL",
        ),
        (json!({"refundId": 7}), "PARAM_ILLEGAL"),
    ] {
        let r = app.call(path, &ask).await;
        assert_eq!(
            (r.result_status(), r.result_code()),
            ("F", code),
            "{ask}: {}",
            r.raw
        );
        assert!(r.body.get("refundStatus").is_none(), "{}", r.raw);
    }
    let r = app.call(path, &json!({"refundRequestId": "nope"})).await;
    assert!(r.message().contains("\"nope\""), "names the id: {}", r.raw);

    app.stop().await;
}

#[tokio::test]
async fn empty_optional_ids_mean_absent() {
    let app = spawn_app().await;
    let pay = app.pay("empty-1", "100", None).await;
    let payment_id = pay.body["paymentId"].as_str().unwrap().to_string();
    // A Go client that serialises every field of its struct.
    let r = app
        .call(
            "/v1/payments/inquiryPayment",
            &json!({"paymentId": payment_id, "paymentRequestId": ""}),
        )
        .await;
    assert_eq!(r.result_code(), "SUCCESS", "{}", r.raw);
    let r = app
        .call(
            "/v1/payments/inquiryPayment",
            &json!({"paymentId": "", "paymentRequestId": "empty-1"}),
        )
        .await;
    assert_eq!(r.body["paymentId"], payment_id.as_str(), "{}", r.raw);
    let r = app
        .call(
            "/v1/payments/inquiryPayment",
            &json!({"paymentId": "", "paymentRequestId": ""}),
        )
        .await;
    assert_eq!(r.result_code(), "PARAM_ILLEGAL", "{}", r.raw);
    let mut body = app.pay_body("empty-2", "100");
    body["order"]["referenceOrderId"] = json!("");
    body["order"]["buyer"]["referenceBuyerId"] = json!("");
    body["order"]["merchant"]["referenceMerchantId"] = json!("");
    let r = app.call("/v1/payments/pay", &body).await;
    assert_eq!(r.result_code(), "ACCEPT", "{}", r.raw);
    let r = app
        .call(
            "/v1/payments/cancel",
            &json!({"paymentId": "", "paymentRequestId": "empty-2"}),
        )
        .await;
    assert_eq!(r.result_code(), "SUCCESS", "{}", r.raw);
    app.stop().await;
}

/// The Python interpreter that has Antom's SDK (`.ci/setup` makes `target/sdk-venv`).
fn antom_sdk_python() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("ANTOM_SDK_PYTHON") {
        return p.into();
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/sdk-venv/bin/python3")
}

/// Runs `tests/sdk/<script>` with the SDK's Python against a fresh sandbox (the default
/// merchant's private key and the wallet's public key passed as files); its stdout once it
/// printed `ok_line`, with the app for more checks.
async fn run_sdk_flow(script: &str, installs: &str, ok_line: &str) -> (common::TestApp, String) {
    let python = antom_sdk_python();
    assert!(
        python.exists(),
        "{} is missing: run .ci/setup (it installs {installs} into target/sdk-venv), \
         or point ANTOM_SDK_PYTHON at a python3 that has it",
        python.display()
    );
    let (app, state) = common::spawn_app_and_state(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let merchant = state.store.default_merchant().unwrap().unwrap();
    let key_file = dir.path().join("merchant.pem");
    let wallet_file = dir.path().join("wallet.pem");
    std::fs::write(&key_file, merchant.private_key_pem.unwrap()).unwrap();
    std::fs::write(&wallet_file, &state.wallet_public_pem).unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sdk")
        .join(script);
    let args = [
        script.display().to_string(),
        app.base.clone(),
        app.client_id.clone(),
        key_file.display().to_string(),
        wallet_file.display().to_string(),
    ];
    let out =
        tokio::task::spawn_blocking(move || std::process::Command::new(python).args(args).output())
            .await
            .unwrap()
            .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains(ok_line),
        "{} failed ({}):\n{stdout}\n{stderr}",
        script.display(),
        out.status
    );
    (app, stdout)
}

#[tokio::test]
async fn antom_python_sdk_runs_the_merchant_flow() {
    let (app, stdout) = run_sdk_flow(
        "antom_flow.py",
        "global-open-sdk-python",
        "ANTOM SDK FLOW OK",
    )
    .await;
    // The SDK spelled its paths its own way (`/ams/sandbox/api` for a `SANDBOX_` client id),
    // and each step was answered as it expects.
    let prefix = if app.client_id.starts_with("SANDBOX_") {
        "/ams/sandbox/api"
    } else {
        "/ams/api"
    };
    for line in [
        "pay {prefix}/v1/payments/pay A/ACCEPT",
        "inquiryPayment {prefix}/v1/payments/inquiryPayment S/SUCCESS",
        "refund {prefix}/v1/payments/refund S/SUCCESS",
        "inquiryRefund(refund_id) {prefix}/v1/payments/inquiryRefund S/SUCCESS",
        "inquiryRefund(refund_request_id) {prefix}/v1/payments/inquiryRefund S/SUCCESS",
        "inquiryRefund(unknown) {prefix}/v1/payments/inquiryRefund F/REFUND_NOT_EXIST",
        "cancel {prefix}/v1/payments/cancel S/SUCCESS",
    ] {
        let line = line.replace("{prefix}", prefix);
        assert!(stdout.contains(&line), "missing {line:?} in:\n{stdout}");
    }
    app.stop().await;
}

#[tokio::test]
async fn alipayplus_python_sdk_runs_the_acquirer_flow() {
    let (app, stdout) = run_sdk_flow(
        "alipayplus_flow.py",
        "ant-intl-alipayplus-mcp, which carries the Alipay+ SDK,",
        "ALIPAYPLUS SDK FLOW OK",
    )
    .await;
    // Alipay+'s own spelling (`/aps/api`, `cancelPayment`), each step answered as it expects,
    // and the signatures checked on both sides.
    for line in [
        "pay /aps/api/v1/payments/pay A/ACCEPT",
        "inquiryPayment /aps/api/v1/payments/inquiryPayment S/SUCCESS",
        "refund /aps/api/v1/payments/refund S/SUCCESS",
        "inquiryRefund(refundId) /aps/api/v1/payments/inquiryRefund S/SUCCESS",
        "inquiryRefund(refundRequestId) /aps/api/v1/payments/inquiryRefund S/SUCCESS",
        "cancelPayment /aps/api/v1/payments/cancelPayment S/SUCCESS",
        "wrong wallet key: rejected (response verify failed",
        "wrong merchant key: refused (response header exception，signature not exist.)",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    app.stop().await;
}
