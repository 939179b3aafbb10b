//! Automation switches (autopay, autoconsent) and the embedder of the cashier and consent pages.
//!
//! The attacks: a page that holds a paymentUrl framed the cashier with `&autopay=BALANCE` and
//! got paid with no click; any origin framed `/consent/?…&autoconsent=allow&embedder=<itself>`
//! and got an auth code for the user's phone, email and name. Now the switches are the super
//! app's own settings (only its origin may change them), and the server says who may frame the
//! pages (`frame-ancestors`) and refuses a foreign `embedder` where one is named. The browser
//! side of the same attacks is `tests/e2e/attacks.test.mjs`.

use serde_json::{json, Value};

use crate::common::{cashier_link, spawn_app_with, TestApp, ALICE};

const ATTACKER: &str = "http://attacker.test:9999";
const DEMO_APP: &str = "2102020000000001";
/// Where the demo mini program is registered in these tests.
const DEMO_ORIGIN: &str = "http://127.0.0.1:18701";
const SCOPES: [&str; 3] = ["USER_CONTACTINFO", "PLAINTEXT_MOBILE_PHONE", "USER_NAME"];

/// A sandbox serving the repository's pages, the demo app registered at [`DEMO_ORIGIN`].
async fn sandbox() -> TestApp {
    let www = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../www");
    let app = spawn_app_with(move |c| c.www_dir = www).await;
    let (st, body) = app
        .put_json(
            &format!("/sandbox/mini-programs/{DEMO_APP}"),
            &json!({"url": format!("{DEMO_ORIGIN}/index.html")}),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    app
}

/// Sends a JSON request with an `Origin` header (a browser page of that origin): status, body.
async fn from_origin(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    origin: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app
        .http
        .request(method, format!("{}{path}", app.base))
        .header("origin", origin);
    if let Some(body) = body {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let resp = req.send().await.expect("answers");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The `Content-Security-Policy` of a page (and its status).
async fn page_policy(app: &TestApp, path: &str) -> (u16, String) {
    let resp = app
        .http
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("answers");
    let policy = resp
        .headers()
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    (resp.status().as_u16(), policy)
}

/// The origins a `frame-ancestors` policy lists.
fn ancestors(policy: &str) -> Vec<&str> {
    let directive = policy
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("frame-ancestors"))
        .unwrap_or_else(|| panic!("no frame-ancestors in {policy:?}"));
    directive.split_whitespace().skip(1).collect()
}

async fn alice_usd(app: &TestApp) -> String {
    let (_, users) = app.get_json("/sandbox/users").await;
    let list = users["users"].as_array().or(users.as_array()).cloned();
    list.unwrap_or_default()
        .iter()
        .find(|u| u["userId"] == ALICE)
        .and_then(|u| u["balances"]["USD"].as_str())
        .unwrap_or_default()
        .to_string()
}

async fn codes_minted(app: &TestApp) -> usize {
    let (_, grants) = app.get_json("/sandbox/auth/grants").await;
    let list = grants["grants"].as_array().or(grants.as_array()).cloned();
    list.unwrap_or_default()
        .iter()
        .filter(|g| g["authCode"].is_string())
        .count()
}

#[tokio::test]
async fn the_settings_endpoint_refuses_a_foreign_origin() {
    let app = sandbox().await;
    use reqwest::Method;
    for origin in [ATTACKER, DEMO_ORIGIN, "null"] {
        let (st, body) = from_origin(&app, Method::GET, "/sandbox/settings", origin, None).await;
        assert_eq!(
            (st, &body["error"]),
            (403, &json!("FORBIDDEN_ORIGIN")),
            "GET from {origin}"
        );
        let turn_on = json!({"autopay": "BALANCE", "autoconsent": "allow"});
        let (st, body) = from_origin(
            &app,
            Method::PUT,
            "/sandbox/settings",
            origin,
            Some(turn_on),
        )
        .await;
        assert_eq!(
            (st, &body["error"]),
            (403, &json!("FORBIDDEN_ORIGIN")),
            "PUT from {origin}"
        );
    }
    let (st, now) = app.get_json("/sandbox/settings").await;
    assert_eq!(st, 200);
    assert_eq!(
        now,
        json!({"autopay": null, "autoconsent": null}),
        "still off"
    );
    // The super app's own pages may.
    let (st, body) = from_origin(
        &app,
        Method::PUT,
        "/sandbox/settings",
        &app.base,
        Some(json!({"autopay": "BANK_TRANSFER"})),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(
        body,
        json!({"autopay": "BANK_TRANSFER", "autoconsent": null})
    );
    app.stop().await;
}

#[tokio::test]
async fn settings_validation_names_the_field_and_keeps_the_stored_value() {
    let app = sandbox().await;
    let on = json!({"autopay": "BALANCE", "autoconsent": "deny"});
    assert_eq!(
        app.put_json("/sandbox/settings", &on).await,
        (200, on.clone())
    );
    for (bad, field) in [
        (json!({"autopay": "balance"}), "autopay: "),
        (json!({"autopay": ""}), "autopay: "),
        (json!({"autopay": true}), "autopay: "),
        (json!({"autoconsent": "always"}), "autoconsent: "),
        // One bad value refuses the whole change: autoconsent stays "deny".
        (json!({"autoconsent": "allow", "autopay": 7}), "autopay: "),
        (json!({"embedder": ATTACKER}), "embedder: "),
        (json!(["autopay"]), "body must be a JSON object"),
    ] {
        let (st, body) = app.put_json("/sandbox/settings", &bad).await;
        assert_eq!(st, 400, "{bad} → {body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.starts_with(field), "{bad} → {message}");
    }
    let resp = app
        .http
        .put(format!("{}/sandbox/settings", app.base))
        .body("autopay=BALANCE")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(app.get_json("/sandbox/settings").await, (200, on));
    // `null` turns a switch off; the other keeps its value.
    let (st, body) = app
        .put_json("/sandbox/settings", &json!({"autopay": null}))
        .await;
    assert_eq!(
        (st, body),
        (200, json!({"autopay": null, "autoconsent": "deny"}))
    );
    app.stop().await;
}

#[tokio::test]
async fn the_cashier_page_may_be_framed_only_by_the_super_app_and_its_merchants_app() {
    let app = sandbox().await;
    // Another merchant's mini program, registered at its own origin.
    let key = superapp_sandbox::signature::Signer::generate().unwrap();
    let (st, other) = app
        .post_json(
            "/sandbox/merchants",
            &json!({"name": "Other Shop", "publicKey": key.public().to_pem()}),
        )
        .await;
    assert_eq!(st, 201, "{other}");
    let other_app =
        json!({"url": "http://other.test:8801/", "merchantClientId": other["clientId"]});
    let (st, _) = app
        .put_json("/sandbox/mini-programs/2102020000000099", &other_app)
        .await;
    assert_eq!(st, 200);

    let (id, token) = cashier_link(&app.pay("frame-1", "1250", None).await);
    for path in [
        format!(
            "/cashier/?paymentId={id}&token={token}&autopay=BALANCE&return=0&embedder={ATTACKER}"
        ),
        format!("/cashier/index.html?paymentId={id}&token={token}"),
    ] {
        let (st, policy) = page_policy(&app, &path).await;
        assert_eq!(st, 200, "{path}");
        let allowed = ancestors(&policy);
        assert!(allowed.contains(&"'self'"), "{policy}");
        assert!(allowed.contains(&app.base.as_str()), "{policy}");
        assert!(
            allowed.contains(&DEMO_ORIGIN),
            "the payment's merchant's app: {policy}"
        );
        assert!(!allowed.contains(&ATTACKER), "{policy}");
        assert!(
            !allowed.contains(&"http://other.test:8801"),
            "another merchant's app: {policy}"
        );
        assert!(!allowed.iter().any(|a| a.contains('*')), "{policy}");
    }
    // Without the right token, or with the payment named twice, nobody but the super app.
    for path in [
        format!("/cashier/?paymentId={id}&token=wrong"),
        format!("/cashier/?paymentId={id}&paymentId=x&token={token}"),
        "/cashier/".to_string(),
        "/".to_string(),
    ] {
        let (_, policy) = page_policy(&app, &path).await;
        assert_eq!(ancestors(&policy), ["'self'", app.base.as_str()], "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_consent_page_may_be_framed_only_by_the_super_app_and_the_registered_app() {
    let app = sandbox().await;
    let path = format!(
        "/consent/?appId={DEMO_APP}&scopes={}&requestId=r1&autoconsent=allow&embedder={ATTACKER}",
        SCOPES.join(",")
    );
    let (st, policy) = page_policy(&app, &path).await;
    assert_eq!(st, 200);
    let allowed = ancestors(&policy);
    assert!(allowed.contains(&DEMO_ORIGIN), "{policy}");
    assert!(!allowed.contains(&ATTACKER), "{policy}");
    let (_, policy) = page_policy(&app, "/consent/?appId=unknown").await;
    assert_eq!(ancestors(&policy), ["'self'", app.base.as_str()]);
    app.stop().await;
}

#[tokio::test]
async fn authorize_refuses_a_foreign_embedder_and_mints_nothing() {
    let app = sandbox().await;
    assert_eq!(
        app.put_json("/sandbox/settings", &json!({"autoconsent": "allow"}))
            .await
            .0,
        200
    );
    let ask = |embedder: &str| json!({"appId": DEMO_APP, "scopes": SCOPES, "decision": "allow", "embedder": embedder});
    // As the consent page sends it (super app origin), for an attacker's frame.
    for embedder in [ATTACKER, "null", "", "http://127.0.0.1:18701.attacker.test"] {
        let (st, body) = from_origin(
            &app,
            reqwest::Method::POST,
            "/sandbox/auth/authorize",
            &app.base,
            Some(ask(embedder)),
        )
        .await;
        assert_eq!(
            (st, &body["error"]),
            (403, &json!("FORBIDDEN_EMBEDDER")),
            "{embedder}: {body}"
        );
        assert!(body["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("embedder: "));
        assert!(body.get("authCode").is_none());
    }
    let (st, body) = app
        .post_json(
            "/sandbox/auth/authorize",
            &json!({"appId": DEMO_APP, "scopes": SCOPES, "decision": "allow", "embedder": 5}),
        )
        .await;
    assert_eq!(st, 400, "{body}");
    assert_eq!(codes_minted(&app).await, 0, "no code was minted");
    // The registered app and the super app itself are served.
    for embedder in [DEMO_ORIGIN, app.base.as_str()] {
        let (st, body) = app
            .post_json("/sandbox/auth/authorize", &ask(embedder))
            .await;
        assert_eq!(st, 200, "{embedder}: {body}");
        assert!(body["authCode"].is_string());
    }
    app.stop().await;
}

#[tokio::test]
async fn the_cashier_refuses_a_foreign_embedder_and_moves_no_money() {
    let app = sandbox().await;
    assert_eq!(
        app.put_json("/sandbox/settings", &json!({"autopay": "BALANCE"}))
            .await
            .0,
        200
    );
    let before = alice_usd(&app).await;
    let (id, token) = cashier_link(&app.pay("embed-1", "1250", None).await);
    let api = format!("/cashier/api/payments/{id}");
    let get = |embedder: &str| format!("{api}?token={token}&embedder={embedder}");
    let (st, body) = from_origin(&app, reqwest::Method::GET, &get(ATTACKER), &app.base, None).await;
    assert_eq!(
        (st, &body["error"]),
        (403, &json!("FORBIDDEN_EMBEDDER")),
        "{body}"
    );
    assert!(body.get("payer").is_none(), "nothing about the payer leaks");
    for path in ["confirm", "cancel"] {
        let attempt = json!({"token": token, "method": "BALANCE", "embedder": ATTACKER});
        let (st, body) = from_origin(
            &app,
            reqwest::Method::POST,
            &format!("{api}/{path}"),
            &app.base,
            Some(attempt),
        )
        .await;
        assert_eq!(
            (st, &body["error"]),
            (403, &json!("FORBIDDEN_EMBEDDER")),
            "{path}: {body}"
        );
    }
    assert_eq!(app.inquiry(&id).await.body["paymentStatus"], "PROCESSING");
    assert_eq!(alice_usd(&app).await, before, "the balance is unchanged");

    // The registered mini program of this payment's merchant may embed it.
    let (st, body) = app.get_json(&get(DEMO_ORIGIN)).await;
    assert_eq!(st, 200, "{body}");
    let (st, body) = app
        .post_json(
            &format!("{api}/confirm"),
            &json!({"token": token, "method": "BALANCE", "embedder": DEMO_ORIGIN}),
        )
        .await;
    assert_eq!((st, &body["status"]), (200, &json!("SUCCESS")), "{body}");
    app.stop().await;
}

/// The attack: a page asked for the user's phone, email and name as if they were silent
/// scopes, and got a code without the consent page. Which scopes are silent was a list in the
/// browser (the shell and the consent page read it from the runtime and posted `allow` for
/// them), so whoever said "silent" skipped the user. Now the page only asks; the server decides
/// from its own list, grants nothing that is not silent, and answers that consent is required.
#[tokio::test]
async fn a_page_cannot_get_a_non_silent_scope_without_the_consent_page() {
    let app = sandbox().await;
    use reqwest::Method;
    let before = codes_minted(&app).await;
    let own = app.base.clone();
    // The super app's own shell asking without a decision: silent only if the server says so.
    for scopes in [
        json!(SCOPES),
        json!(["auth_base", "USER_CONTACTINFO"]),
        json!(["USER_ID", "PLAINTEXT_MOBILE_PHONE"]),
    ] {
        let ask = json!({"appId": DEMO_APP, "scopes": scopes});
        let (st, body) = from_origin(
            &app,
            Method::POST,
            "/sandbox/auth/authorize",
            &own,
            Some(ask),
        )
        .await;
        assert_eq!(st, 200, "{body}");
        assert_eq!(body["consentRequired"], true, "{scopes}: {body}");
        assert!(body.get("authCode").is_none(), "{scopes}: {body}");
        let ask_scopes = body["askScopes"].as_array().cloned().unwrap_or_default();
        assert!(!ask_scopes.contains(&json!("auth_base")), "{body}");
        assert!(!ask_scopes.contains(&json!("USER_ID")), "{body}");
    }
    // Other origins (the mini program's, an attacker's) may not even ask.
    for origin in [DEMO_ORIGIN, ATTACKER, "null"] {
        let ask = json!({"appId": DEMO_APP, "scopes": ["auth_base"]});
        let (st, body) = from_origin(
            &app,
            Method::POST,
            "/sandbox/auth/authorize",
            origin,
            Some(ask),
        )
        .await;
        assert_eq!(
            (st, &body["error"]),
            (403, &json!("FORBIDDEN_ORIGIN")),
            "{origin}"
        );
    }
    // No spelling of the request turns consent off.
    for decision in [
        json!(""),
        json!("silent"),
        json!("auto"),
        json!(true),
        json!(null),
    ] {
        let ask = json!({"appId": DEMO_APP, "scopes": SCOPES, "decision": decision});
        let (st, body) = from_origin(
            &app,
            Method::POST,
            "/sandbox/auth/authorize",
            &own,
            Some(ask),
        )
        .await;
        assert!(
            st == 400 || body["consentRequired"] == true,
            "decision {decision}: {st} {body}"
        );
        assert!(
            body.get("authCode").is_none(),
            "decision {decision}: {body}"
        );
    }
    assert_eq!(codes_minted(&app).await, before, "no code was minted");
    // A silent request is answered at once, by the server.
    let ask = json!({"appId": DEMO_APP, "scopes": ["auth_base", "USER_ID"]});
    let (st, body) = from_origin(
        &app,
        Method::POST,
        "/sandbox/auth/authorize",
        &own,
        Some(ask),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["authSuccessScopes"], json!(["auth_base", "USER_ID"]));
    assert!(body["authCode"].is_string(), "{body}");
    assert_eq!(codes_minted(&app).await, before + 1);
    app.stop().await;
}
