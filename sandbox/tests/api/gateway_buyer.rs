//! The buyer of a gateway trade as a real merchant names it (docs/protocol.md §5d):
//! `alipay.system.oauth.token` answers the user's `open_id` for the app beside `user_id`, and
//! `alipay.trade.create` takes that `open_id` as `buyer_open_id` (only the one oauth.token gave
//! this app: another app's, or a made-up one, is `ACQ.BUYER_NOT_EXIST`); `alipay.trade.query`
//! names the buyer both ways. Who may pay such a trade is `attacks/trades.rs`.

use serde_json::{json, Value};
use superapp_sandbox::domain::trade::sign_content;

use crate::common::{TestApp, ALICE, BOB};
use crate::gateway::{send, signed_params, verify, GatewayAnswer, DEMO_APP};

pub const SIBLING_APP: &str = "2021000000000088";

pub async fn call(app: &TestApp, app_id: &str, method: &str, biz: Value) -> GatewayAnswer {
    let p = signed_params(&app.merchant_key, app_id, method, &biz, &[]);
    let a = send(app, &p).await;
    assert_eq!(a.status, 200, "{}", a.raw);
    verify(app, &a);
    a
}

/// The signed-in user's auth code for `app_id`, traded by the app's server: its open_id.
pub async fn open_id_of_signed_in(app: &TestApp, app_id: &str) -> (String, String) {
    let (st, body) = app
        .post_json(
            "/sandbox/auth/authorize",
            &json!({"appId": app_id, "scopes": ["auth_base"], "decision": "allow"}),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    let mut p = signed_params(
        &app.merchant_key,
        app_id,
        "alipay.system.oauth.token",
        &json!({}),
        &[],
    );
    p.remove("sign");
    p.remove("biz_content");
    p.insert("grant_type".into(), "authorization_code".into());
    p.insert("code".into(), body["authCode"].as_str().unwrap().into());
    let content = sign_content(&p);
    p.insert(
        "sign".into(),
        app.merchant_key.sign_base64(content.as_bytes()).unwrap(),
    );
    let a = send(app, &p).await;
    verify(app, &a);
    assert_eq!(a.code(), "10000", "{}", a.raw);
    (
        a.inner["open_id"].as_str().expect("open_id").to_string(),
        a.inner["user_id"].as_str().expect("user_id").to_string(),
    )
}

pub async fn sibling(app: &TestApp) {
    let (st, b) = app
        .put_json(
            &format!("/sandbox/mini-programs/{SIBLING_APP}"),
            &json!({"name": "Sibling"}),
        )
        .await;
    assert!(st == 200 || st == 201, "{b}");
}

#[tokio::test]
async fn buyer_open_id_is_the_open_id_oauth_token_gave_this_app() {
    let app = crate::common::spawn_app().await;
    sibling(&app).await;
    let (alice, user) = open_id_of_signed_in(&app, DEMO_APP).await;
    assert_eq!(user, ALICE);
    assert_eq!(alice.len(), 47, "{alice}");
    assert!(alice.starts_with('0'), "{alice}");
    // Per app: the same user has another open_id in the sibling app; stable per (app, user).
    let (alice_there, _) = open_id_of_signed_in(&app, SIBLING_APP).await;
    assert_ne!(alice, alice_there);
    assert_eq!(open_id_of_signed_in(&app, DEMO_APP).await.0, alice);

    let create = |out: &str, buyer: Value| {
        let mut biz = json!({"out_trade_no": out, "total_amount": "12.50", "subject": "Rent",
                             "product_code": "JSAPI_PAY"});
        for (k, v) in buyer.as_object().unwrap() {
            biz[k] = v.clone();
        }
        biz
    };
    let a = call(
        &app,
        DEMO_APP,
        "alipay.trade.create",
        create("by_open_id", json!({"buyer_open_id": alice})),
    )
    .await;
    assert_eq!(a.code(), "10000", "{}", a.raw);
    let trade_no = a.inner["trade_no"].as_str().unwrap().to_string();
    let (_, p) = app.get_json(&format!("/sandbox/payments/{trade_no}")).await;
    assert_eq!(p["cashier"]["buyer"]["referenceBuyerId"], ALICE, "{p}");
    let q = call(
        &app,
        DEMO_APP,
        "alipay.trade.query",
        json!({"trade_no": trade_no}),
    )
    .await;
    assert_eq!(q.inner["buyer_open_id"], alice.as_str(), "{}", q.raw);
    assert_eq!(q.inner["buyer_user_id"], ALICE, "{}", q.raw);
    // Both ways at once, agreeing: accepted.
    let a = call(
        &app,
        DEMO_APP,
        "alipay.trade.create",
        create("both", json!({"buyer_open_id": alice, "buyer_id": ALICE})),
    )
    .await;
    assert_eq!(a.code(), "10000", "{}", a.raw);
    // Refused, each naming buyer_open_id: another app's open_id of the same user, a made-up
    // one, Alice's open_id with Bob's buyer_id, not a string.
    for (out, buyer, sub) in [
        (
            "sibling",
            json!({"buyer_open_id": alice_there}),
            "ACQ.BUYER_NOT_EXIST",
        ),
        (
            "made_up",
            json!({"buyer_open_id": format!("0{}", "1".repeat(46))}),
            "ACQ.BUYER_NOT_EXIST",
        ),
        (
            "user_id",
            json!({"buyer_open_id": ALICE}),
            "ACQ.BUYER_NOT_EXIST",
        ),
        (
            "disagree",
            json!({"buyer_open_id": alice, "buyer_id": BOB}),
            "ACQ.INVALID_PARAMETER",
        ),
        (
            "number",
            json!({"buyer_open_id": 7}),
            "ACQ.INVALID_PARAMETER",
        ),
    ] {
        let a = call(&app, DEMO_APP, "alipay.trade.create", create(out, buyer)).await;
        assert_ne!(a.code(), "10000", "{out}: {}", a.raw);
        assert_eq!(a.sub_code(), sub, "{out}: {}", a.raw);
        assert!(a.raw.contains("buyer_open_id"), "{out}: {}", a.raw);
    }
    app.stop().await;
}
