//! The authorizations a user gave a mini program (docs/security.md "Who changes an
//! authorization"). The attacks: a mini program's own page, another web page or a link tries
//! to read or change what the user granted (turn a scope back on without the consent page, turn
//! another app's off, read another app's or user's settings). Only the super app's own pages
//! (and tools without `Origin`) reach `/sandbox/auth/settings`, a change is a `PUT` with a JSON
//! body, and `true` is never accepted: the consent page is the one way to grant.

use reqwest::Method;
use serde_json::{json, Value};

use crate::auth_settings::{auth_setting, authorize, sandbox, DEMO_APP, OTHER_APP};
use crate::common::TestApp;

const DEMO_ORIGIN: &str = "http://127.0.0.1:18701";
const ATTACKER: &str = "http://attacker.test:9999";

async fn from_origin(
    app: &TestApp,
    method: Method,
    path: &str,
    origin: &str,
    body: Option<(&str, String)>,
) -> (u16, Value) {
    let mut req = app
        .http
        .request(method, format!("{}{path}", app.base))
        .header("origin", origin);
    if let Some((kind, body)) = body {
        req = req.header("content-type", kind).body(body);
    }
    let resp = req.send().await.expect("answers");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn no_page_but_the_super_apps_reads_or_changes_authorizations() {
    let app = sandbox().await;
    authorize(&app, DEMO_APP, &["auth_user", "USER_NAME"], Some("allow")).await;
    authorize(&app, OTHER_APP, &["auth_user"], Some("allow")).await;
    let before = (
        auth_setting(&app, DEMO_APP).await,
        auth_setting(&app, OTHER_APP).await,
    );
    let revoke = json!({"appId": OTHER_APP, "authSetting": {"userInfo": false}}).to_string();
    let regrant = json!({"appId": DEMO_APP, "authSetting": {"userInfo": true}}).to_string();
    for origin in [DEMO_ORIGIN, "http://127.0.0.1:18799", ATTACKER, "null"] {
        // Read: a mini program learns another app's grants; any site learns the user's.
        let (st, body) = from_origin(
            &app,
            Method::GET,
            &format!("/sandbox/auth/settings?appId={OTHER_APP}"),
            origin,
            None,
        )
        .await;
        assert_eq!(
            (st, &body["error"]),
            (403, &json!("FORBIDDEN_ORIGIN")),
            "{origin}"
        );
        assert!(body.get("authSetting").is_none());
        // Change: JSON as fetch sends it, and a form as a cross-site <form> posts it.
        for body in [
            ("application/json", revoke.clone()),
            ("application/json", regrant.clone()),
            ("text/plain", revoke.clone()),
            (
                "application/x-www-form-urlencoded",
                format!("appId={OTHER_APP}&authSetting%5BuserInfo%5D=false"),
            ),
        ] {
            for method in [Method::PUT, Method::POST] {
                let (st, _) = from_origin(
                    &app,
                    method.clone(),
                    "/sandbox/auth/settings",
                    origin,
                    Some(body.clone()),
                )
                .await;
                assert!(st == 403 || st == 405, "{origin} {method} {}: {st}", body.0);
            }
        }
    }
    let after = (
        auth_setting(&app, DEMO_APP).await,
        auth_setting(&app, OTHER_APP).await,
    );
    assert_eq!(after, before, "nothing changed");
    app.stop().await;
}

#[tokio::test]
async fn a_url_parameter_changes_no_authorization() {
    let app = sandbox().await;
    authorize(&app, DEMO_APP, &["auth_user"], Some("allow")).await;
    authorize(&app, DEMO_APP, &["USER_NAME"], Some("deny")).await;
    let before = auth_setting(&app, DEMO_APP).await;
    let query = format!("appId={DEMO_APP}&authSetting=%7B%22userInfo%22%3Afalse%7D&userInfo=false&USER_NAME=true&auth_user=false");
    // A link (GET) and a PUT whose change is in the URL only.
    let (st, _) = app
        .get_json(&format!("/sandbox/auth/settings?{query}"))
        .await;
    assert_eq!(st, 200, "a GET only reads");
    let resp = app
        .http
        .put(format!("{}/sandbox/auth/settings?{query}", app.base))
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status().as_u16(), 400);
    let (st, _) = app
        .put_json(&format!("/sandbox/auth/settings?{query}"), &json!({}))
        .await;
    assert_eq!(st, 400);
    // The simulator's and the consent page's URLs carry no authorization either.
    for page in [
        format!("/?appId={DEMO_APP}&authSetting=userInfo:false&USER_NAME=true"),
        format!("/consent/?appId={DEMO_APP}&scopes=USER_NAME&decision=allow&autoconsent=allow"),
    ] {
        let _ = app.http.get(format!("{}{page}", app.base)).send().await;
    }
    assert_eq!(auth_setting(&app, DEMO_APP).await, before);
    // And the declined scope is still asked for.
    let asked = authorize(&app, DEMO_APP, &["USER_NAME"], None).await;
    assert_eq!(asked["consentRequired"], true, "{asked}");
    app.stop().await;
}

#[tokio::test]
async fn a_change_never_grants_and_a_grant_for_one_app_is_not_another_apps() {
    let app = sandbox().await;
    authorize(&app, DEMO_APP, &["auth_user"], Some("allow")).await;
    let (st, _) = app
        .put_json(
            "/sandbox/auth/settings",
            &json!({"appId": DEMO_APP, "authSetting": {"auth_user": false}}),
        )
        .await;
    assert_eq!(st, 200);
    // Even the super app's own page cannot turn it back on by the settings call.
    let (st, body) = app
        .put_json(
            "/sandbox/auth/settings",
            &json!({"appId": DEMO_APP, "authSetting": {"auth_user": true}}),
        )
        .await;
    assert_eq!(st, 400, "{body}");
    assert!(body["message"]
        .as_str()
        .unwrap_or_default()
        .contains("consent page"));
    assert_eq!(auth_setting(&app, DEMO_APP).await["auth_user"], false);
    // What the user granted the demo app does not let another app skip the prompt.
    authorize(&app, DEMO_APP, &["auth_user"], Some("allow")).await;
    let other = authorize(&app, OTHER_APP, &["auth_user"], None).await;
    assert_eq!(other["consentRequired"], true, "{other}");
    app.stop().await;
}

#[tokio::test]
async fn no_page_but_the_super_apps_reads_the_users_profile() {
    let app = sandbox().await;
    authorize(&app, DEMO_APP, &["auth_user"], Some("allow")).await;
    // The mini program's own origin, another app's, any site, a sandboxed frame: a page that
    // reads the profile itself would skip the grant check the shell makes for the app it launched.
    for origin in [DEMO_ORIGIN, "http://127.0.0.1:18799", ATTACKER, "null"] {
        for app_id in [DEMO_APP, OTHER_APP] {
            let (st, body) = from_origin(
                &app,
                Method::GET,
                &format!("/sandbox/auth/user-info?appId={app_id}"),
                origin,
                None,
            )
            .await;
            assert_eq!(
                (st, &body["error"]),
                (403, &json!("FORBIDDEN_ORIGIN")),
                "{origin} {app_id}"
            );
            assert!(body.get("nickName").is_none() && body.get("avatar").is_none());
        }
    }
    // No parameter names another user or grants: the signed-in user's own grant, for that app.
    for query in [
        format!("appId={OTHER_APP}&userId={}", crate::common::ALICE),
        format!("appId={OTHER_APP}&scopes=auth_user&decision=allow"),
    ] {
        let (st, _) = app
            .get_json(&format!("/sandbox/auth/user-info?{query}"))
            .await;
        assert_eq!(st, 403, "{query}");
    }
    app.stop().await;
}
