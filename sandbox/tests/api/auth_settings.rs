//! The authorizations a user gave a mini program (docs/protocol.md §5c): a scope granted in
//! the consent page is remembered per (user, appId, scope), listed, turned off, and asked for
//! again once off. Real HTTP on an ephemeral port, as the super app's pages call it (no
//! `Origin`: a tool, which the super-app-only routes accept; the attacks with an `Origin` are
//! `attacks/settings.rs`).

use serde_json::{json, Value};

use crate::common::{spawn_app, TestApp, ALICE, BOB};

pub const DEMO_APP: &str = "2102020000000001";
pub const OTHER_APP: &str = "2102020000000077";

/// A sandbox with a second registered app.
pub async fn sandbox() -> TestApp {
    let app = spawn_app().await;
    let (st, body) = app
        .put_json(
            &format!("/sandbox/mini-programs/{OTHER_APP}"),
            &json!({"name": "Other", "url": "http://127.0.0.1:18799/"}),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    app
}

/// `POST /sandbox/auth/authorize` for the signed-in user.
pub async fn authorize(
    app: &TestApp,
    app_id: &str,
    scopes: &[&str],
    decision: Option<&str>,
) -> Value {
    let mut body = json!({"appId": app_id, "scopes": scopes});
    if let Some(d) = decision {
        body["decision"] = json!(d);
    }
    let (st, body) = app.post_json("/sandbox/auth/authorize", &body).await;
    assert_eq!(st, 200, "{body}");
    body
}

/// The signed-in user's `authSetting` for `app_id`.
pub async fn auth_setting(app: &TestApp, app_id: &str) -> Value {
    let (st, body) = app
        .get_json(&format!("/sandbox/auth/settings?appId={app_id}"))
        .await;
    assert_eq!(st, 200, "{body}");
    body["authSetting"].clone()
}

pub async fn sign_in(app: &TestApp, user_id: &str) {
    let (st, body) = app
        .put_json("/sandbox/session", &json!({"userId": user_id}))
        .await;
    assert_eq!(st, 200, "{body}");
}

#[tokio::test]
async fn a_granted_scope_is_remembered_and_a_revoked_one_asks_again() {
    let app = sandbox().await;
    assert_eq!(auth_setting(&app, DEMO_APP).await, json!({}));
    let first = authorize(&app, DEMO_APP, &["auth_user"], None).await;
    assert_eq!(first["consentRequired"], true, "{first}");
    let allowed = authorize(&app, DEMO_APP, &["auth_user"], Some("allow")).await;
    assert!(allowed["authCode"].is_string(), "{allowed}");
    // Granted: the next call mints at once, as a wallet does not ask twice.
    let again = authorize(&app, DEMO_APP, &["auth_base", "auth_user"], None).await;
    assert!(again["authCode"].is_string(), "{again}");
    assert_eq!(
        again["authSuccessScopes"],
        json!(["auth_base", "auth_user"])
    );
    assert_eq!(
        auth_setting(&app, DEMO_APP).await,
        json!({"userInfo": true, "auth_user": true}),
        "silent scopes are not listed"
    );
    let (st, listed) = app
        .get_json(&format!("/sandbox/auth/settings?appId={DEMO_APP}"))
        .await;
    assert_eq!(st, 200);
    assert_eq!(listed["userId"], ALICE);
    assert_eq!(listed["authorizations"][0]["scope"], "auth_user");
    assert_eq!(listed["authorizations"][0]["granted"], true);
    assert!(listed["authorizations"][0]["label"]
        .as_str()
        .unwrap_or_default()
        .contains("nickname"));

    // The user turns it off (Alipay's key or the scope's name).
    let (st, after) = app
        .put_json(
            "/sandbox/auth/settings",
            &json!({"appId": DEMO_APP, "authSetting": {"userInfo": false}}),
        )
        .await;
    assert_eq!(st, 200, "{after}");
    assert_eq!(
        after["authSetting"],
        json!({"userInfo": false, "auth_user": false})
    );
    let asked = authorize(&app, DEMO_APP, &["auth_user"], None).await;
    assert_eq!(asked["consentRequired"], true, "{asked}");
    assert_eq!(asked["askScopes"], json!(["auth_user"]));
    assert!(asked.get("authCode").is_none());
    // Granted again only through the consent page's decision.
    authorize(&app, DEMO_APP, &["auth_user"], Some("allow")).await;
    assert_eq!(auth_setting(&app, DEMO_APP).await["userInfo"], true);
    app.stop().await;
}

#[tokio::test]
async fn a_declined_prompt_is_false_and_keeps_what_was_granted_before() {
    let app = sandbox().await;
    authorize(&app, DEMO_APP, &["USER_NAME"], Some("allow")).await;
    let denied = authorize(
        &app,
        DEMO_APP,
        &["USER_NAME", "PLAINTEXT_MOBILE_PHONE", "NOPE"],
        Some("deny"),
    )
    .await;
    assert!(denied.get("authCode").is_none(), "{denied}");
    assert_eq!(
        auth_setting(&app, DEMO_APP).await,
        json!({"phoneNumber": false, "PLAINTEXT_MOBILE_PHONE": false, "USER_NAME": true}),
        "an unknown scope is not remembered"
    );
    let asked = authorize(
        &app,
        DEMO_APP,
        &["USER_NAME", "PLAINTEXT_MOBILE_PHONE"],
        None,
    )
    .await;
    assert_eq!(
        asked["askScopes"],
        json!(["PLAINTEXT_MOBILE_PHONE"]),
        "{asked}"
    );
    app.stop().await;
}

#[tokio::test]
async fn settings_are_the_signed_in_users_for_that_app_only() {
    let app = sandbox().await;
    authorize(&app, DEMO_APP, &["auth_user", "USER_GENDER"], Some("allow")).await;
    // Another app of the same user: nothing granted, and it is asked.
    assert_eq!(auth_setting(&app, OTHER_APP).await, json!({}));
    let other = authorize(&app, OTHER_APP, &["auth_user"], None).await;
    assert_eq!(other["consentRequired"], true, "{other}");
    // Another user on the same app: nothing granted, whatever the query says.
    sign_in(&app, BOB).await;
    assert_eq!(auth_setting(&app, DEMO_APP).await, json!({}));
    let (st, body) = app
        .get_json(&format!(
            "/sandbox/auth/settings?appId={DEMO_APP}&userId={ALICE}"
        ))
        .await;
    assert_eq!((st, &body["userId"]), (200, &json!(BOB)));
    assert_eq!(body["authSetting"], json!({}));
    let bob = authorize(&app, DEMO_APP, &["auth_user"], None).await;
    assert_eq!(bob["consentRequired"], true, "{bob}");
    // Bob cannot turn Alice's off: he has nothing of this app's to turn off.
    let (st, _) = app
        .put_json(
            "/sandbox/auth/settings",
            &json!({"appId": DEMO_APP, "authSetting": {"auth_user": false}}),
        )
        .await;
    assert_eq!(st, 400);
    sign_in(&app, ALICE).await;
    assert_eq!(auth_setting(&app, DEMO_APP).await["auth_user"], true);
    app.stop().await;
}

#[tokio::test]
async fn a_bad_change_names_the_field_and_stores_nothing() {
    let app = sandbox().await;
    authorize(&app, DEMO_APP, &["auth_user", "USER_NAME"], Some("allow")).await;
    let before = auth_setting(&app, DEMO_APP).await;
    for (body, status, names) in [
        (json!({"authSetting": {"userInfo": false}}), 400, "appId"),
        (
            json!({"appId": 7, "authSetting": {"userInfo": false}}),
            400,
            "appId",
        ),
        (
            json!({"appId": "", "authSetting": {"userInfo": false}}),
            400,
            "appId",
        ),
        (
            json!({"appId": "2102029999999999", "authSetting": {"userInfo": false}}),
            404,
            "appId",
        ),
        (json!({"appId": DEMO_APP}), 400, "authSetting"),
        (
            json!({"appId": DEMO_APP, "authSetting": "userInfo"}),
            400,
            "authSetting",
        ),
        (
            json!({"appId": DEMO_APP, "authSetting": {}}),
            400,
            "authSetting",
        ),
        (
            json!({"appId": DEMO_APP, "authSetting": {"camera": false}}),
            400,
            "authSetting.camera",
        ),
        (
            json!({"appId": DEMO_APP, "authSetting": {"userInfo": false, "camera": false}}),
            400,
            "authSetting.camera",
        ),
        (
            json!({"appId": DEMO_APP, "authSetting": {"USER_NAME": false, "userInfo": true}}),
            400,
            "authSetting.userInfo",
        ),
        (
            json!({"appId": DEMO_APP, "authSetting": {"userInfo": "off"}}),
            400,
            "authSetting.userInfo",
        ),
        (
            json!({"appId": DEMO_APP, "authSetting": {"userInfo": null}}),
            400,
            "authSetting.userInfo",
        ),
        (
            json!({"appId": DEMO_APP, "authSetting": {"auth_base": false}}),
            400,
            "authSetting.auth_base",
        ),
        (
            json!({"appId": DEMO_APP, "authSetting": {"USER_NAME": false, "USER_GENDER": false}}),
            400,
            "authSetting.USER_GENDER",
        ),
        (json!(["appId"]), 400, "body"),
    ] {
        let (st, answer) = app.put_json("/sandbox/auth/settings", &body).await;
        assert_eq!(st, status, "{body}: {answer}");
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(names),
            "{body}: {message:?} should name {names}"
        );
        assert_eq!(
            auth_setting(&app, DEMO_APP).await,
            before,
            "{body} changed nothing"
        );
    }
    for query in ["", "?appId=", "?appId=2102029999999999"] {
        let (st, answer) = app
            .get_json(&format!("/sandbox/auth/settings{query}"))
            .await;
        assert!(st == 400 || st == 404, "{query}: {st}");
        assert!(
            answer["message"]
                .as_str()
                .unwrap_or_default()
                .starts_with("appId"),
            "{answer}"
        );
    }
    app.stop().await;
}

/// `GET /sandbox/auth/user-info?appId=` as the shell calls it for `my.getAuthUserInfo`.
pub async fn user_info(app: &TestApp, app_id: &str) -> (u16, Value) {
    app.get_json(&format!("/sandbox/auth/user-info?appId={app_id}"))
        .await
}

#[tokio::test]
async fn the_profile_needs_auth_user_granted_by_this_user_to_this_app() {
    let app = sandbox().await;
    // Never asked, asked but not yet decided, declined: refused, naming the call to make.
    let (st, body) = user_info(&app, DEMO_APP).await;
    assert_eq!((st, &body["error"]), (403, &json!("AUTH_USER_NOT_GRANTED")));
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("my.getAuthCode({ scopes: 'auth_user' })"),
        "{body}"
    );
    authorize(&app, DEMO_APP, &["auth_user"], None).await;
    assert_eq!(user_info(&app, DEMO_APP).await.0, 403, "not decided yet");
    authorize(&app, DEMO_APP, &["auth_user"], Some("deny")).await;
    assert_eq!(user_info(&app, DEMO_APP).await.0, 403, "declined");
    // The finer scopes are not auth_user.
    authorize(
        &app,
        DEMO_APP,
        &["USER_NICKNAME", "USER_AVATAR"],
        Some("allow"),
    )
    .await;
    assert_eq!(user_info(&app, DEMO_APP).await.0, 403, "finer scopes");
    // Granted: nickName and avatar, nothing else.
    authorize(&app, DEMO_APP, &["auth_user"], Some("allow")).await;
    let (st, body) = user_info(&app, DEMO_APP).await;
    assert_eq!(st, 200, "{body}");
    let mut keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["avatar", "nickName"]);
    assert_eq!(body["nickName"], "Alice");
    assert!(
        body["avatar"]
            .as_str()
            .unwrap_or_default()
            .ends_with(&format!("/sandbox/avatars/{ALICE}.svg")),
        "{body}"
    );
    // Another app: Alice's grant to the demo is not the other app's.
    assert_eq!(user_info(&app, OTHER_APP).await.0, 403, "another app");
    // Another user signed in: Alice's grant is not Bob's.
    sign_in(&app, BOB).await;
    assert_eq!(user_info(&app, DEMO_APP).await.0, 403, "another user");
    authorize(&app, DEMO_APP, &["auth_user"], Some("allow")).await;
    let (st, body) = user_info(&app, DEMO_APP).await;
    assert_eq!(
        (st, body["nickName"].as_str()),
        (200, Some("Bob")),
        "{body}"
    );
    // Turned off in the settings sheet: refused again.
    sign_in(&app, ALICE).await;
    let (st, _) = app
        .put_json(
            "/sandbox/auth/settings",
            &json!({"appId": DEMO_APP, "authSetting": {"userInfo": false}}),
        )
        .await;
    assert_eq!(st, 200);
    assert_eq!(user_info(&app, DEMO_APP).await.0, 403, "turned off");
    // Bad appId: named.
    for (query, status) in [
        ("", 400),
        ("?appId=", 400),
        ("?appId=2102029999999999", 404),
    ] {
        let (st, body) = app
            .get_json(&format!("/sandbox/auth/user-info{query}"))
            .await;
        assert_eq!(st, status, "{query}: {body}");
        assert!(body["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("appId"));
    }
    app.stop().await;
}
