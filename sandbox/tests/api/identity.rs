//! User identity over real HTTP (DESIGN.md "User identity (issue 5)"): sandbox users and the
//! signed-in session, consent (`/sandbox/auth/authorize`, its Origin check), `applyToken` with
//! both grant types and every F result, expiry of codes and tokens (the sandbox's identity
//! clock is moved forward, no sleeping), `inquiryUserInfo` scopes, `pay` with a buyer, balance
//! debits, `INSUFFICIENT_BALANCE`, refunds crediting the payer, and `INVALID_API`.

use crate::common;

use std::time::Duration;

use common::{cashier_link, spawn_app, spawn_app_and_state, TestApp, ALICE, BOB, CAROL};
use serde_json::{json, Value};
use superapp_sandbox::domain::identity::{ACCESS_TTL_MS, CODE_TTL_MS, REFRESH_TTL_MS};
use superapp_sandbox::signature::Signer;

const APP_ID: &str = "2102020000000001";

/// Mints an auth code for the signed-in user, as the consent dialog does.
async fn code(app: &TestApp, scopes: &[&str]) -> String {
    let (st, body) = app
        .post_json(
            "/sandbox/auth/authorize",
            &json!({"appId": APP_ID, "scopes": scopes, "decision": "allow"}),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    body["authCode"].as_str().expect("authCode").to_string()
}

async fn apply_code(app: &TestApp, code: &str) -> common::ApiResponse {
    app.call(
        "/v1/authorizations/applyToken",
        &json!({"grantType": "AUTHORIZATION_CODE", "authCode": code}),
    )
    .await
}

async fn refresh(app: &TestApp, token: &str) -> common::ApiResponse {
    app.call(
        "/v1/authorizations/applyToken",
        &json!({"grantType": "REFRESH_TOKEN", "refreshToken": token}),
    )
    .await
}

async fn user_info(app: &TestApp, access: &str) -> common::ApiResponse {
    app.call("/v1/users/inquiryUserInfo", &json!({"accessToken": access}))
        .await
}

async fn sign_in(app: &TestApp, user_id: &str) {
    let (st, body) = app
        .put_json("/sandbox/session", &json!({"userId": user_id}))
        .await;
    assert_eq!(st, 200, "{body}");
}

/// `user_id` consents and the merchant redeems the code through `applyToken`: from then on the
/// merchant may name that user as the buyer who pays. Signs Alice back in.
async fn grant(app: &TestApp, user_id: &str) {
    sign_in(app, user_id).await;
    let code = code(app, &["auth_base"]).await;
    let r = apply_code(app, &code).await;
    assert_eq!(r.body["customerId"], user_id, "{}", r.raw);
    sign_in(app, ALICE).await;
}

async fn balance(app: &TestApp, user_id: &str, currency: &str) -> String {
    let (_, users) = app.get_json("/sandbox/users").await;
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userId"] == user_id)
        .and_then(|u| u["balances"][currency].as_str())
        .unwrap_or("0")
        .to_string()
}

/// The same sandbox seen by a second registered merchant (its own key and Client-Id).
async fn other_merchant(app: &TestApp) -> TestApp {
    let key = Signer::generate().unwrap();
    let (st, body) = app
        .post_json(
            "/sandbox/merchants",
            &json!({"name": "Other Shop", "publicKey": key.public().to_pem()}),
        )
        .await;
    assert_eq!(st, 201, "{body}");
    TestApp {
        base: app.base.clone(),
        addr: app.addr,
        http: reqwest::Client::new(),
        client_id: body["clientId"].as_str().unwrap().to_string(),
        merchant_key: key,
        wallet_key: app.wallet_key.clone(),
        shutdown: None,
        task: tokio::spawn(async { Ok(()) }),
    }
}

/// Creates a payment (optionally for a buyer) and confirms it in the cashier with `method`.
async fn pay_and_confirm(
    app: &TestApp,
    request_id: &str,
    value: &str,
    buyer: Option<&str>,
    notify: Option<&str>,
    method: &str,
) -> (String, u16, Value) {
    let mut body = app.pay_body(request_id, value);
    match buyer {
        Some(b) => body["order"]["buyer"] = json!({"referenceBuyerId": b}),
        None => {
            body["order"]
                .as_object_mut()
                .unwrap()
                .remove("buyer")
                .unwrap();
        }
    }
    if let Some(url) = notify {
        body["paymentNotifyUrl"] = json!(url);
    }
    let r = app.call("/v1/payments/pay", &body).await;
    assert_eq!(r.result_status(), "A", "{}", r.raw);
    let (id, token) = cashier_link(&r);
    let (st, answer) = app.cashier_confirm(&id, &token, method).await;
    (id, st, answer)
}

#[tokio::test]
async fn seeded_users_and_the_signed_in_session() {
    let app = spawn_app().await;
    let (st, users) = app.get_json("/sandbox/users").await;
    assert_eq!(st, 200);
    let users = users.as_array().unwrap();
    let ids: Vec<&str> = users
        .iter()
        .map(|u| u["userId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [ALICE, BOB, CAROL]);
    assert_eq!(users[0]["nickName"], "Alice");
    assert_eq!(
        users[0]["balances"],
        json!({"IQD": "1000000000", "PHP": "5000000", "USD": "100000"})
    );
    assert_eq!(users[1]["balances"], json!({"USD": "500"}));
    assert_eq!(users[2]["balances"], json!({}));
    assert!(users[0]["mobile"].is_string() && users[0]["email"].is_string());
    let avatar = users[0]["avatar"].as_str().unwrap();
    assert_eq!(avatar, format!("{}/sandbox/avatars/{ALICE}.svg", app.base));
    let svg = app.http.get(avatar).send().await.unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().starts_with("<svg"));

    let (_, s) = app.get_json("/sandbox/session").await;
    assert_eq!(s["userId"], ALICE, "Alice is signed in on first start");
    assert_eq!(s["user"]["nickName"], "Alice");
    sign_in(&app, BOB).await;
    let (_, s) = app.get_json("/sandbox/session").await;
    assert_eq!(
        (s["userId"].as_str(), s["user"]["nickName"].as_str()),
        (Some(BOB), Some("Bob"))
    );
    let (st, body) = app
        .put_json("/sandbox/session", &json!({"userId": "2088999999999999"}))
        .await;
    assert_eq!(st, 404, "{body}");
    let (st, body) = app
        .put_json("/sandbox/session", &json!({"user": ALICE}))
        .await;
    assert_eq!(st, 400);
    assert!(
        body["message"].as_str().unwrap().starts_with("userId"),
        "{body}"
    );

    // New users get the next id; balances are set per currency.
    let (st, dave) = app
        .post_json(
            "/sandbox/users",
            &json!({"nickName": "Dave", "mobile": "+1-202-555-0104", "balances": {"USD": "1200"}}),
        )
        .await;
    assert_eq!(st, 201, "{dave}");
    assert_eq!(dave["userId"], "2088000000000004");
    assert_eq!(dave["balances"], json!({"USD": "1200"}));
    let (st, dave) = app
        .put_json(
            "/sandbox/users/2088000000000004/balances",
            &json!({"JPY": "300", "USD": 5}),
        )
        .await;
    assert_eq!(st, 200, "{dave}");
    assert_eq!(dave["balances"], json!({"JPY": "300", "USD": "5"}));
    for (bad, field) in [
        (json!({"USD": "-1"}), "balances.USD"),
        (json!({"XYZ": "1"}), "balances.XYZ"),
    ] {
        let (st, body) = app
            .put_json("/sandbox/users/2088000000000004/balances", &bad)
            .await;
        assert_eq!(st, 400, "{body}");
        assert!(
            body["message"].as_str().unwrap().starts_with(field),
            "{body}"
        );
    }
    let (st, _) = app
        .put_json(
            "/sandbox/users/2088000000000999/balances",
            &json!({"USD": "1"}),
        )
        .await;
    assert_eq!(st, 404);
    let (st, body) = app
        .post_json("/sandbox/users", &json!({"mobile": "1"}))
        .await;
    assert_eq!(st, 400);
    assert!(
        body["message"].as_str().unwrap().starts_with("nickName"),
        "{body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn authorize_answers_only_the_super_app_and_records_decisions() {
    let app = spawn_app().await;
    let body = json!({"appId": APP_ID, "scopes": ["auth_base"], "decision": "allow"});
    let post = |origin: Option<&'static str>| {
        let mut req = app
            .http
            .post(format!("{}/sandbox/auth/authorize", app.base))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    let refused = post(Some("http://127.0.0.1:8701")).await.unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    let refused: Value = serde_json::from_str(&refused.text().await.unwrap()).unwrap();
    assert_eq!(refused["error"], "FORBIDDEN_ORIGIN");
    assert_eq!(post(Some("null")).await.unwrap().status().as_u16(), 403);
    let own = Box::leak(app.base.clone().into_boxed_str());
    let ok = post(Some(own)).await.unwrap();
    assert_eq!(
        ok.status().as_u16(),
        200,
        "the super app's own pages may mint codes"
    );
    let ok: Value = serde_json::from_str(&ok.text().await.unwrap()).unwrap();
    assert_eq!(ok["authSuccessScopes"], json!(["auth_base"]));
    assert_eq!(ok["authErrorScopes"], json!({}));
    assert_eq!(ok["user"], json!({"userId": ALICE, "nickName": "Alice"}));
    assert_eq!(ok["authCode"].as_str().unwrap().len(), 43);
    assert_eq!(
        post(None).await.unwrap().status().as_u16(),
        200,
        "a tool sends no Origin"
    );

    // Deny: every scope 10001, no code.
    let (st, deny) = app
        .post_json(
            "/sandbox/auth/authorize",
            &json!({"appId": APP_ID, "scopes": ["auth_user"], "decision": "deny"}),
        )
        .await;
    assert_eq!(st, 200);
    assert_eq!(deny["authSuccessScopes"], json!([]));
    assert_eq!(deny["authErrorScopes"], json!({"auth_user": "10001"}));
    assert!(deny.get("authCode").is_none(), "{deny}");
    // A scope the sandbox does not grant: 40006, the others granted.
    let (_, mixed) = app
        .post_json(
            "/sandbox/auth/authorize",
            &json!({"appId": APP_ID, "scopes": ["auth_user", "HEALTH_DATA"], "decision": "allow"}),
        )
        .await;
    assert_eq!(mixed["authSuccessScopes"], json!(["auth_user"]));
    assert_eq!(mixed["authErrorScopes"], json!({"HEALTH_DATA": "40006"}));
    assert!(mixed["authCode"].is_string());
    // Unknown app, bad bodies.
    let (st, _) = app
        .post_json(
            "/sandbox/auth/authorize",
            &json!({"appId": "nope", "scopes": ["auth_base"], "decision": "allow"}),
        )
        .await;
    assert_eq!(st, 404);
    for (bad, field) in [
        (
            json!({"scopes": ["auth_base"], "decision": "allow"}),
            "appId",
        ),
        (
            json!({"appId": APP_ID, "scopes": [], "decision": "allow"}),
            "scopes",
        ),
        (
            json!({"appId": APP_ID, "scopes": [3], "decision": "allow"}),
            "scopes",
        ),
        (
            json!({"appId": APP_ID, "scopes": ["auth_base"], "decision": "maybe"}),
            "decision",
        ),
    ] {
        let (st, body) = app.post_json("/sandbox/auth/authorize", &bad).await;
        assert_eq!(st, 400, "{bad}");
        assert!(
            body["message"].as_str().unwrap().starts_with(field),
            "{body}"
        );
    }

    // The devtools list: newest first, with the decision and whether the code was used.
    let used = ok["authCode"].as_str().unwrap();
    assert_eq!(apply_code(&app, used).await.result_code(), "SUCCESS");
    let (_, grants) = app.get_json("/sandbox/auth/grants").await;
    let grants = grants.as_array().unwrap();
    assert_eq!(grants.len(), 4);
    assert_eq!(grants[0]["scopes"], json!(["auth_user", "HEALTH_DATA"]));
    assert_eq!(grants[1]["decision"], "deny");
    assert_eq!(grants[1]["nickName"], "Alice");
    assert_eq!(grants[3]["authCode"], used);
    assert_eq!(grants[3]["used"], true);
    assert_eq!(grants[2]["used"], false);
    app.stop().await;
}

#[tokio::test]
async fn apply_token_with_a_code_then_refresh_rotates_both_tokens() {
    let app = spawn_app().await;
    let c = code(&app, &["auth_user"]).await;
    let t = apply_code(&app, &c).await;
    assert_eq!(
        (t.status, t.result_status(), t.result_code()),
        (200, "S", "SUCCESS"),
        "{}",
        t.raw
    );
    assert_eq!(t.body["customerId"], ALICE);
    for k in [
        "accessToken",
        "refreshToken",
        "accessTokenExpiryTime",
        "refreshTokenExpiryTime",
    ] {
        assert!(
            t.body[k].as_str().is_some_and(|v| !v.is_empty()),
            "{k}: {}",
            t.raw
        );
    }
    let access_exp =
        superapp_sandbox::domain::clock::parse(t.body["accessTokenExpiryTime"].as_str().unwrap())
            .unwrap();
    let refresh_exp =
        superapp_sandbox::domain::clock::parse(t.body["refreshTokenExpiryTime"].as_str().unwrap())
            .unwrap();
    let hour = (access_exp - superapp_sandbox::domain::clock::now_ms()) / 1000;
    assert!(
        (3590..=3600).contains(&hour),
        "access token lives 1 h: {hour}s"
    );
    assert_eq!(
        (refresh_exp - access_exp) / 1000,
        (REFRESH_TTL_MS - ACCESS_TTL_MS) / 1000
    );

    // The code is single use.
    let again = apply_code(&app, &c).await;
    assert_eq!(
        (again.status, again.result_status(), again.result_code()),
        (200, "F", "USED_CODE")
    );
    assert_eq!(
        apply_code(&app, "not-a-code").await.result_code(),
        "INVALID_CODE"
    );

    let refreshed = refresh(&app, t.body["refreshToken"].as_str().unwrap()).await;
    assert_eq!(refreshed.result_code(), "SUCCESS", "{}", refreshed.raw);
    assert_eq!(refreshed.body["customerId"], ALICE);
    assert_ne!(refreshed.body["accessToken"], t.body["accessToken"]);
    assert_ne!(refreshed.body["refreshToken"], t.body["refreshToken"]);
    // The new access token keeps the scopes; the spent refresh token is refused.
    let info = user_info(&app, refreshed.body["accessToken"].as_str().unwrap()).await;
    assert_eq!(info.body["userInfo"]["nickName"], "Alice", "{}", info.raw);
    let spent = refresh(&app, t.body["refreshToken"].as_str().unwrap()).await;
    assert_eq!(
        (spent.result_status(), spent.result_code()),
        ("F", "INVALID_REFRESH_TOKEN")
    );
    let next = refresh(&app, refreshed.body["refreshToken"].as_str().unwrap()).await;
    assert_eq!(next.result_code(), "SUCCESS");
    // An access token is not a refresh token, nor the reverse.
    assert_eq!(
        refresh(&app, next.body["accessToken"].as_str().unwrap())
            .await
            .result_code(),
        "INVALID_REFRESH_TOKEN"
    );
    assert_eq!(
        user_info(&app, next.body["refreshToken"].as_str().unwrap())
            .await
            .result_code(),
        "INVALID_ACCESS_TOKEN"
    );

    // Bad requests name the field.
    for (body, field) in [
        (json!({"authCode": c}), "grantType"),
        (json!({"grantType": "PASSWORD"}), "grantType"),
        (json!({"grantType": "AUTHORIZATION_CODE"}), "authCode"),
        (
            json!({"grantType": "AUTHORIZATION_CODE", "authCode": 5}),
            "authCode",
        ),
        (
            json!({"grantType": "REFRESH_TOKEN", "refreshToken": ""}),
            "refreshToken",
        ),
    ] {
        let r = app.call("/v1/authorizations/applyToken", &body).await;
        assert_eq!(
            (r.status, r.result_code()),
            (200, "PARAM_ILLEGAL"),
            "{body}"
        );
        assert!(r.message().starts_with(field), "{}", r.raw);
    }
    let r = app.call("/v1/users/inquiryUserInfo", &json!({})).await;
    assert_eq!(r.result_code(), "PARAM_ILLEGAL");
    assert!(r.message().starts_with("accessToken"));
    app.stop().await;
}

#[tokio::test]
async fn codes_and_tokens_expire_on_the_sandbox_clock() {
    let (app, state) = spawn_app_and_state(|_| {}).await;
    // Code: still good just before 5 minutes, refused at 5 minutes.
    let fresh = code(&app, &["auth_base"]).await;
    let stale = code(&app, &["auth_base"]).await;
    state.clock.advance_ms(CODE_TTL_MS - 2_000);
    let t = apply_code(&app, &fresh).await;
    assert_eq!(t.result_code(), "SUCCESS", "{}", t.raw);
    state.clock.advance_ms(2_000);
    let r = apply_code(&app, &stale).await;
    assert_eq!(
        (r.status, r.result_status(), r.result_code()),
        (200, "F", "EXPIRED_CODE")
    );

    // Access token: 1 hour; then refresh gives a working one.
    let access = t.body["accessToken"].as_str().unwrap().to_string();
    assert_eq!(user_info(&app, &access).await.result_code(), "SUCCESS");
    state.clock.advance_ms(ACCESS_TTL_MS);
    let r = user_info(&app, &access).await;
    assert_eq!(
        (r.result_status(), r.result_code()),
        ("F", "ACCESS_TOKEN_EXPIRED")
    );
    let renewed = refresh(&app, t.body["refreshToken"].as_str().unwrap()).await;
    assert_eq!(renewed.result_code(), "SUCCESS", "{}", renewed.raw);
    let info = user_info(&app, renewed.body["accessToken"].as_str().unwrap()).await;
    assert_eq!(info.body["userInfo"]["userId"], ALICE);

    // Refresh token: 30 days.
    state.clock.advance_ms(REFRESH_TTL_MS);
    let r = refresh(&app, renewed.body["refreshToken"].as_str().unwrap()).await;
    assert_eq!(
        (r.result_status(), r.result_code()),
        ("F", "EXPIRED_REFRESH_TOKEN")
    );
    app.stop().await;
}

#[tokio::test]
async fn another_merchants_code_and_tokens_are_invalid() {
    let app = spawn_app().await;
    let other = other_merchant(&app).await;
    let c = code(&app, &["auth_user"]).await;
    let r = apply_code(&other, &c).await;
    assert_eq!(
        (r.status, r.result_status(), r.result_code()),
        (200, "F", "INVALID_CODE"),
        "{}",
        r.raw
    );
    // Refused for the other merchant, the code is still good for its own.
    let t = apply_code(&app, &c).await;
    assert_eq!(t.result_code(), "SUCCESS");
    let access = t.body["accessToken"].as_str().unwrap();
    let r = user_info(&other, access).await;
    assert_eq!(
        (r.result_status(), r.result_code()),
        ("F", "INVALID_ACCESS_TOKEN")
    );
    let r = refresh(&other, t.body["refreshToken"].as_str().unwrap()).await;
    assert_eq!(r.result_code(), "INVALID_REFRESH_TOKEN");
    assert_eq!(user_info(&app, access).await.result_code(), "SUCCESS");
    // A code minted for a mini program bound to the other merchant is that merchant's.
    let (st, _) = app
        .put_json(
            "/sandbox/mini-programs/2102020000000002",
            &json!({"name": "Other", "merchantClientId": other.client_id}),
        )
        .await;
    assert_eq!(st, 200);
    let (_, minted) = app
        .post_json(
            "/sandbox/auth/authorize",
            &json!({"appId": "2102020000000002", "scopes": ["auth_base"], "decision": "allow"}),
        )
        .await;
    let theirs = minted["authCode"].as_str().unwrap();
    assert_eq!(apply_code(&app, theirs).await.result_code(), "INVALID_CODE");
    assert_eq!(apply_code(&other, theirs).await.result_code(), "SUCCESS");
    app.stop().await;
}

#[tokio::test]
async fn user_info_is_limited_to_the_granted_scopes() {
    let app = spawn_app().await;
    let info_for = |scopes: &'static [&'static str]| {
        let app = &app;
        async move {
            let c = code(app, scopes).await;
            let t = apply_code(app, &c).await;
            let r = user_info(app, t.body["accessToken"].as_str().unwrap()).await;
            assert_eq!(r.result_code(), "SUCCESS", "{}", r.raw);
            r.body["userInfo"].clone()
        }
    };
    assert_eq!(info_for(&["auth_base"]).await, json!({"userId": ALICE}));
    assert_eq!(info_for(&["USER_ID"]).await, json!({"userId": ALICE}));
    let profile = info_for(&["auth_user"]).await;
    assert_eq!(profile["nickName"], "Alice");
    assert_eq!(
        profile["avatar"],
        format!("{}/sandbox/avatars/{ALICE}.svg", app.base)
    );
    assert!(profile.get("contactInfos").is_none(), "{profile}");
    let contact = info_for(&["USER_CONTACTINFO"]).await;
    assert!(contact.get("nickName").is_none(), "{contact}");
    assert_eq!(
        contact["contactInfos"],
        json!([{"contactType": "MOBILE_PHONE", "contactNo": "+1-202-555-0101"},
               {"contactType": "EMAIL", "contactNo": "alice@example.com"}])
    );
    // The code is for whoever is signed in when it is minted.
    sign_in(&app, BOB).await;
    assert_eq!(info_for(&["auth_user"]).await["nickName"], "Bob");
    app.stop().await;
}

#[tokio::test]
async fn pay_names_a_sandbox_user_as_the_buyer_and_the_cashier_shows_the_payer() {
    let app = spawn_app().await;
    for (field, path) in [
        (
            "order.buyer.referenceBuyerId",
            json!({"order": {"buyer": {"referenceBuyerId": "nobody"}}}),
        ),
        (
            "order.buyer.buyerId",
            json!({"order": {"buyer": {"buyerId": "nobody"}}}),
        ),
        ("userId", json!({"userId": "nobody"})),
    ] {
        let mut body = app.pay_body(&format!("unknown-{field}"), "100");
        body["order"].as_object_mut().unwrap().remove("buyer");
        if let Some(b) = path["order"].get("buyer") {
            body["order"]["buyer"] = b.clone();
        } else {
            body["userId"] = path["userId"].clone();
        }
        let r = app.call("/v1/payments/pay", &body).await;
        assert_eq!(
            (r.status, r.result_code()),
            (200, "PARAM_ILLEGAL"),
            "{}",
            r.raw
        );
        assert!(r.message().starts_with(field), "{}", r.raw);
        assert!(r.message().contains("nobody"), "{}", r.raw);
    }
    grant(&app, BOB).await;
    let mut body = app.pay_body("buyer-id-alias", "100");
    body["order"]["buyer"] = json!({"buyerId": BOB});
    let r = app.call("/v1/payments/pay", &body).await;
    assert_eq!(r.result_status(), "A", "{}", r.raw);
    let (id, token) = cashier_link(&r);
    let (st, view) = app
        .get_json(&format!("/cashier/api/payments/{id}?token={token}"))
        .await;
    assert_eq!(st, 200);
    assert_eq!(view["buyer"]["nickName"], "Bob", "{view}");
    assert_eq!(view["buyer"]["userId"], BOB);
    assert_eq!(
        view["payer"],
        json!({"userId": BOB, "nickName": "Bob",
               "avatar": format!("{}/sandbox/avatars/{BOB}.svg", app.base),
               "balance": {"currency": "USD", "value": "500"}, "source": "buyer"})
    );
    // Without a buyer, the cashier pays as the signed-in user.
    let mut body = app.pay_body("no-buyer", "100");
    body["order"].as_object_mut().unwrap().remove("buyer");
    let r = app.call("/v1/payments/pay", &body).await;
    let (id, token) = cashier_link(&r);
    sign_in(&app, CAROL).await;
    let (_, view) = app
        .get_json(&format!("/cashier/api/payments/{id}?token={token}"))
        .await;
    assert_eq!(view["payer"]["nickName"], "Carol", "{view}");
    assert_eq!(
        view["payer"]["balance"],
        json!({"currency": "USD", "value": "0"})
    );
    app.stop().await;
}

#[tokio::test]
async fn balance_is_debited_or_the_payment_fails_insufficient_balance_and_is_notified() {
    let app = spawn_app().await;
    let receiver = common::spawn_receiver(Some(app.wallet_key.clone()), vec!["S"], 0).await;
    for user in [ALICE, BOB, CAROL] {
        grant(&app, user).await;
    }

    // Alice (buyer) pays USD 12.50 by balance.
    let (paid, st, answer) = pay_and_confirm(
        &app,
        "rich",
        "1250",
        Some(ALICE),
        Some(&receiver.url),
        "BALANCE",
    )
    .await;
    assert_eq!(st, 200, "{answer}");
    assert_eq!(answer["status"], "SUCCESS");
    assert_eq!(balance(&app, ALICE, "USD").await, "98750");
    assert_eq!(
        balance(&app, ALICE, "PHP").await,
        "5000000",
        "other currencies untouched"
    );

    // Bob has USD 5.00: FAIL INSUFFICIENT_BALANCE, nothing debited, merchant notified.
    let (declined, st, answer) = pay_and_confirm(
        &app,
        "poor",
        "1250",
        Some(BOB),
        Some(&receiver.url),
        "BALANCE",
    )
    .await;
    assert_eq!(st, 200, "{answer}");
    assert_eq!(answer["status"], "FAIL");
    assert_eq!(answer["failReason"], "INSUFFICIENT_BALANCE");
    assert_eq!(balance(&app, BOB, "USD").await, "500");
    let inq = app.inquiry(&declined).await;
    assert_eq!(inq.body["paymentStatus"], "FAIL");
    assert_eq!(inq.body["paymentFailReason"], "INSUFFICIENT_BALANCE");
    let got = receiver.wait_for(2, Duration::from_secs(10)).await;
    let fail = got
        .iter()
        .find(|n| n.body["paymentId"] == declined.as_str())
        .expect("FAIL notification");
    assert!(fail.signature_ok);
    assert_eq!(fail.body["paymentStatus"], "FAIL");
    assert_eq!(fail.body["paymentFailReason"], "INSUFFICIENT_BALANCE");
    assert!(got.iter().any(|n| n.body["paymentId"] == paid.as_str()));

    // Exactly enough is enough; no buyer pays as the signed-in user.
    sign_in(&app, BOB).await;
    let (_, _, answer) = pay_and_confirm(&app, "exact", "500", None, None, "BALANCE").await;
    assert_eq!(answer["status"], "SUCCESS", "{answer}");
    assert_eq!(balance(&app, BOB, "USD").await, "0");
    // Carol has no PHP, nor anything else.
    let mut body = app.pay_body("carol-php", "100");
    body["paymentAmount"] = json!({"currency": "PHP", "value": "100"});
    body["order"]["buyer"] = json!({"referenceBuyerId": CAROL});
    let r = app.call("/v1/payments/pay", &body).await;
    let (id, token) = cashier_link(&r);
    let (_, answer) = app.cashier_confirm(&id, &token, "BALANCE").await;
    assert_eq!(answer["failReason"], "INSUFFICIENT_BALANCE");

    // Other methods and magic amounts do not touch balances.
    let (_, _, answer) =
        pay_and_confirm(&app, "card", "1250", Some(BOB), None, "DECLINED_CARD").await;
    assert_eq!(answer["failReason"], "CARD_DECLINED");
    let (_, _, answer) = pay_and_confirm(&app, "magic", "9000", Some(BOB), None, "BALANCE").await;
    assert_eq!(
        answer["status"], "SUCCESS",
        "magic 9000 wins over the balance"
    );
    let (_, _, answer) =
        pay_and_confirm(&app, "magic4001", "4001", Some(ALICE), None, "BALANCE").await;
    assert_eq!(answer["failReason"], "USER_BALANCE_NOT_ENOUGH");
    assert_eq!(balance(&app, ALICE, "USD").await, "98750");
    assert_eq!(balance(&app, BOB, "USD").await, "0");
    // A second confirm is still a conflict, and debits nothing.
    let (st, _) = app.cashier_confirm(&paid, "wrong", "BALANCE").await;
    assert_eq!(st, 404);
    app.stop().await;
}

#[tokio::test]
async fn refunds_credit_the_balance_back() {
    let app = spawn_app().await;
    let (id, _, answer) =
        pay_and_confirm(&app, "to-refund", "2000", Some(ALICE), None, "BALANCE").await;
    assert_eq!(answer["status"], "SUCCESS");
    assert_eq!(balance(&app, ALICE, "USD").await, "98000");
    for (i, value) in ["500", "1500"].iter().enumerate() {
        let r = app
            .call(
                "/v1/payments/refund",
                &json!({"refundRequestId": format!("rf-{i}"), "paymentId": id,
                        "refundAmount": {"currency": "USD", "value": value}}),
            )
            .await;
        assert_eq!(r.result_code(), "SUCCESS", "{}", r.raw);
    }
    assert_eq!(balance(&app, ALICE, "USD").await, "100000");
    // A replayed refund credits nothing more; an over-refund is refused.
    let r = app
        .call(
            "/v1/payments/refund",
            &json!({"refundRequestId": "rf-0", "paymentId": id,
                    "refundAmount": {"currency": "USD", "value": "500"}}),
        )
        .await;
    assert_eq!(r.result_code(), "SUCCESS");
    assert_eq!(balance(&app, ALICE, "USD").await, "100000");
    // A payment not paid by balance credits nobody.
    let (other, _, _) =
        pay_and_confirm(&app, "headless", "700", Some(BOB), None, "BANK_TRANSFER").await;
    let (st, _) = app.complete(&other, "SUCCESS").await;
    assert_eq!(st, 200);
    let r = app
        .call(
            "/v1/payments/refund",
            &json!({"refundRequestId": "rf-bank", "paymentId": other,
                    "refundAmount": {"currency": "USD", "value": "700"}}),
        )
        .await;
    assert_eq!(r.result_code(), "SUCCESS", "{}", r.raw);
    assert_eq!(balance(&app, BOB, "USD").await, "500");
    app.stop().await;
}

#[tokio::test]
async fn unimplemented_wallet_apis_answer_invalid_api() {
    let app = spawn_app().await;
    for path in [
        "/v1/users/inquiryUserCardList",
        "/v1/authorizations/revoke",
        "/v1/payments/capture",
    ] {
        let r = app.call(path, &json!({})).await;
        assert_eq!(
            (r.status, r.result_status(), r.result_code()),
            (200, "F", "INVALID_API"),
            "{path}"
        );
        assert!(r.message().contains(path), "{}", r.raw);
    }
    // Even unsigned: the path is the problem, not the signature.
    let r = app.send("/v1/nothing", b"{}".to_vec(), &[]).await;
    assert_eq!((r.status, r.result_code()), (200, "INVALID_API"));
    let r = app
        .http
        .get(format!("{}/sandbox/no-such-thing", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        404,
        "outside /v1 an unknown path is a 404"
    );
    app.stop().await;
}

/// The shape of a public mini program of an Iraqi dinar wallet, run unchanged: it signs in
/// silently (`auth_base`, `USER_ID`), its server exchanges the code, names the user as the buyer
/// and asks for IQD 1.000 (`value` "1000", in fils) with a numeric product code. The seeded user
/// held no IQD, so the cashier answered INSUFFICIENT_BALANCE; now she pays it from her balance.
#[tokio::test]
async fn a_mini_program_of_an_iqd_wallet_is_paid_from_the_seeded_balance() {
    let app = spawn_app().await;
    let before = balance(&app, ALICE, "IQD").await;
    assert_eq!(before, "1000000000", "Alice holds IQD 1,000,000.000");
    // The super app asks; the server grants the silent scopes without a consent decision.
    let (st, auth) = app
        .post_json(
            "/sandbox/auth/authorize",
            &json!({"appId": APP_ID, "scopes": ["auth_base", "USER_ID"]}),
        )
        .await;
    assert_eq!(st, 200, "{auth}");
    let token = apply_code(&app, auth["authCode"].as_str().expect("a code, silently")).await;
    assert_eq!(token.result_code(), "SUCCESS", "{}", token.raw);
    let who = user_info(&app, token.body["accessToken"].as_str().unwrap()).await;
    let user_id = who.body["userInfo"]["userId"].as_str().unwrap().to_string();
    assert_eq!(user_id, ALICE);
    let body = json!({
        "productCode": "51051000101000000011",
        "paymentRequestId": "iqd-wallet-1",
        "paymentAmount": {"currency": "IQD", "value": "1000"},
        "order": {"orderDescription": "Test Order", "buyer": {"referenceBuyerId": user_id}},
        "paymentRedirectUrl": "http://127.0.0.1:9/payment-success.html",
    });
    let r = app.call("/v1/payments/pay", &body).await;
    assert_eq!(r.result_code(), "ACCEPT", "{}", r.raw);
    let (id, token) = cashier_link(&r);
    let (st, answer) = app.cashier_confirm(&id, &token, "BALANCE").await;
    assert_eq!(st, 200, "{answer}");
    assert_eq!(answer["status"], "SUCCESS", "{answer}");
    assert_eq!(balance(&app, ALICE, "IQD").await, "999999000");
    app.stop().await;
}
