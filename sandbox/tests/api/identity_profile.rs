//! The profile scopes of the Alipay+ wallets over real HTTP (docs/protocol.md §5b): each of
//! `USER_LOGIN_ID`, `HASH_LOGIN_ID`, `PLAINTEXT_USER_LOGIN_ID`, `USER_GENDER`, `USER_BIRTHDAY`
//! and `USER_NATIONALITY` reveals its own `inquiryUserInfo` field and nothing else; the
//! spellings the docs show (lowercase `auth_base`/`auth_user`, one comma-separated string);
//! `POST /sandbox/users` with bad profile fields (400 naming the field, nothing stored); and the
//! migration that adds the columns, run by the real binary on a database from before it.

use crate::common;

use common::{spawn_app, TestApp, ALICE, BOB};
use serde_json::{json, Value};

const APP_ID: &str = "2102020000000001";

/// The signed-in user consents to `scopes`; the merchant redeems the code and asks
/// `inquiryUserInfo`. Returns `userInfo`.
async fn info_for(app: &TestApp, scopes: Value) -> Value {
    let (st, body) = app
        .post_json(
            "/sandbox/auth/authorize",
            &json!({"appId": APP_ID, "scopes": scopes, "decision": "allow"}),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    let code = body["authCode"].as_str().expect("authCode");
    let t = app
        .call(
            "/v1/authorizations/applyToken",
            &json!({"grantType": "AUTHORIZATION_CODE", "authCode": code}),
        )
        .await;
    assert_eq!(t.result_code(), "SUCCESS", "{}", t.raw);
    let r = app
        .call(
            "/v1/users/inquiryUserInfo",
            &json!({"accessToken": t.body["accessToken"]}),
        )
        .await;
    assert_eq!(r.result_code(), "SUCCESS", "{}", r.raw);
    r.body["userInfo"].clone()
}

fn is_sha256_hex(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[tokio::test]
async fn each_profile_scope_reveals_its_field_and_nothing_else() {
    let app = spawn_app().await;
    assert_eq!(
        info_for(&app, json!(["USER_GENDER"])).await,
        json!({"userId": ALICE, "gender": "F"})
    );
    assert_eq!(
        info_for(&app, json!(["USER_BIRTHDAY"])).await,
        json!({"userId": ALICE, "birthDate": "1990-04-21"})
    );
    assert_eq!(
        info_for(&app, json!(["USER_NATIONALITY"])).await,
        json!({"userId": ALICE, "nationality": "US"})
    );
    // USER_LOGIN_ID: masked only, never the plain id.
    assert_eq!(
        info_for(&app, json!(["USER_LOGIN_ID"])).await,
        json!({"userId": ALICE, "loginIdInfos": [
            {"loginIdType": "MOBILE_PHONE", "maskLoginId": "***********0101"},
            {"loginIdType": "EMAIL", "maskLoginId": "*************.com"}]})
    );
    // HASH_LOGIN_ID: a stable hash per login id, neither masked nor plain.
    let hashed = info_for(&app, json!(["HASH_LOGIN_ID"])).await;
    let infos = hashed["loginIdInfos"].as_array().expect("loginIdInfos");
    assert_eq!(infos.len(), 2, "{hashed}");
    for i in infos {
        assert!(is_sha256_hex(&i["hashLoginId"]), "{i}");
        assert!(
            i.get("loginId").is_none() && i.get("maskLoginId").is_none(),
            "{i}"
        );
    }
    assert_ne!(infos[0]["hashLoginId"], infos[1]["hashLoginId"]);
    let again = info_for(&app, json!(["HASH_LOGIN_ID"])).await;
    assert_eq!(again, hashed, "the same user hashes the same way each time");
    // PLAINTEXT_USER_LOGIN_ID: the plain login ids.
    assert_eq!(
        info_for(&app, json!(["PLAINTEXT_USER_LOGIN_ID"])).await,
        json!({"userId": ALICE, "loginIdInfos": [
            {"loginIdType": "MOBILE_PHONE", "loginId": "+1-202-555-0101"},
            {"loginIdType": "EMAIL", "loginId": "alice@example.com"}]})
    );
    // The user-id scopes and auth_user reveal none of the profile fields.
    for scopes in [
        json!(["auth_base"]),
        json!(["USER_ID"]),
        json!(["auth_user"]),
    ] {
        let info = info_for(&app, scopes.clone()).await;
        for key in [
            "gender",
            "birthDate",
            "nationality",
            "loginIdInfos",
            "userName",
            "contactInfos",
        ] {
            assert!(info.get(key).is_none(), "{scopes}: {info}");
        }
    }
    // All at once, for Bob.
    let (st, _) = app
        .put_json("/sandbox/session", &json!({"userId": BOB}))
        .await;
    assert_eq!(st, 200);
    let all = info_for(
        &app,
        json!([
            "USER_NAME",
            "USER_GENDER",
            "USER_BIRTHDAY",
            "USER_NATIONALITY",
            "USER_LOGIN_ID",
            "HASH_LOGIN_ID",
            "PLAINTEXT_USER_LOGIN_ID"
        ]),
    )
    .await;
    assert_eq!(all["userId"], BOB);
    assert_eq!(
        all["userName"],
        json!({"fullName": "Bob Reyes", "firstName": "Bob", "lastName": "Reyes"})
    );
    assert_eq!(
        (&all["gender"], &all["birthDate"], &all["nationality"]),
        (&json!("M"), &json!("1985-11-02"), &json!("PH"))
    );
    let first = &all["loginIdInfos"][0];
    assert_eq!(first["loginId"], "+1-202-555-0102");
    assert_eq!(first["maskLoginId"], "***********0102");
    assert!(is_sha256_hex(&first["hashLoginId"]), "{all}");
    assert_ne!(
        first["hashLoginId"], infos[0]["hashLoginId"],
        "Bob is not Alice"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_spellings_the_docs_show_are_accepted_and_unknown_scopes_refused() {
    let app = spawn_app().await;
    // One comma-separated string, lowercase auth_base/auth_user as in the wallets' samples.
    let (st, body) = app
        .post_json(
            "/sandbox/auth/authorize",
            &json!({"appId": APP_ID, "scopes": "auth_base,auth_user, USER_GENDER", "decision": "allow"}),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(
        body["authSuccessScopes"],
        json!(["auth_base", "auth_user", "USER_GENDER"])
    );
    // A documented scope the sandbox has no data for (USER_ADDRESS) is refused as not granted,
    // the others are granted.
    let (st, body) = app
        .post_json(
            "/sandbox/auth/authorize",
            &json!({"appId": APP_ID, "scopes": ["USER_NATIONALITY", "USER_ADDRESS"], "decision": "allow"}),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["authSuccessScopes"], json!(["USER_NATIONALITY"]));
    assert_eq!(body["authErrorScopes"], json!({"USER_ADDRESS": "40006"}));
    // The login-id scopes are not silent: the shared list holds the user-id scopes only.
    for scope in ["USER_LOGIN_ID", "HASH_LOGIN_ID", "PLAINTEXT_USER_LOGIN_ID"] {
        assert!(!superapp_sandbox::domain::identity::SILENT_SCOPES.contains(&scope));
    }
    app.stop().await;
}

#[tokio::test]
async fn bad_profile_fields_are_refused_by_name_and_nothing_is_stored() {
    let app = spawn_app().await;
    let count = |v: &Value| v.as_array().map_or(0, Vec::len);
    let (_, before) = app.get_json("/sandbox/users").await;
    let cases = [
        (json!({"nickName": "Dee", "gender": "X"}), "gender"),
        (json!({"nickName": "Dee", "gender": 1}), "gender"),
        (
            json!({"nickName": "Dee", "birthDate": "1990-02-30"}),
            "birthDate",
        ),
        (
            json!({"nickName": "Dee", "birthDate": "21/04/1990"}),
            "birthDate",
        ),
        (
            json!({"nickName": "Dee", "nationality": "XX"}),
            "nationality",
        ),
        (
            json!({"nickName": "Dee", "nationality": "USA"}),
            "nationality",
        ),
        (
            json!({"nickName": "Dee", "gender": "F", "nationality": "ZZ"}),
            "nationality",
        ),
    ];
    for (body, field) in cases {
        let (st, answer) = app.post_json("/sandbox/users", &body).await;
        assert_eq!(st, 400, "{body}: {answer}");
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(message.starts_with(field), "{body}: {answer}");
    }
    let (_, after) = app.get_json("/sandbox/users").await;
    assert_eq!(after, before, "no user was stored");
    assert_eq!(count(&after), 3);

    let (st, dee) = app
        .post_json(
            "/sandbox/users",
            &json!({"nickName": "Dee", "fullName": "Dee Cruz", "gender": "female",
                    "birthDate": "2000-02-29", "nationality": "ph", "email": "dee@example.com"}),
        )
        .await;
    assert_eq!(st, 201, "{dee}");
    assert_eq!(
        (&dee["gender"], &dee["birthDate"], &dee["nationality"]),
        (&json!("F"), &json!("2000-02-29"), &json!("PH"))
    );
    let id = dee["userId"].as_str().unwrap().to_string();
    let (_, users) = app.get_json("/sandbox/users").await;
    assert_eq!(users.as_array().unwrap().last(), Some(&dee));
    // Fields left out are absent from inquiryUserInfo, as a wallet leaves them out.
    let (st, _) = app
        .put_json("/sandbox/session", &json!({"userId": id}))
        .await;
    assert_eq!(st, 200);
    let info = info_for(
        &app,
        json!(["USER_GENDER", "USER_NATIONALITY", "USER_LOGIN_ID"]),
    )
    .await;
    assert_eq!(
        info,
        json!({"userId": id, "gender": "F", "nationality": "PH",
               "loginIdInfos": [{"loginIdType": "EMAIL", "maskLoginId": "***********.com"}]})
    );
    let (_, plain) = app
        .post_json(
            "/sandbox/users",
            &json!({"nickName": "Eve", "gender": "", "birthDate": null}),
        )
        .await;
    assert!(
        plain["gender"].is_null() && plain["birthDate"].is_null(),
        "{plain}"
    );
    app.stop().await;
}

/// A data dir from before the profile columns: the real binary migrates it, fills the test
/// users in, keeps users created before (their profile empty) and the payments.
#[tokio::test]
async fn the_migration_fills_the_test_users_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = common::start_binary(dir.path(), &[]);
    let app = common::binary_client(&p, dir.path());
    let pay = app.pay("migrate-1", "1000", None).await;
    let id = pay.body["paymentId"].as_str().unwrap().to_string();
    p.child.kill().unwrap();
    p.child.wait().unwrap();
    {
        // Back to the schema before migration 5 (the fifth entry), with a user created then
        // (later migrations' columns dropped too: they are added again).
        let db = rusqlite::Connection::open(dir.path().join("sandbox.db")).unwrap();
        let version: i64 = db
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        db.execute_batch(
            "ALTER TABLE users DROP COLUMN gender;
             ALTER TABLE users DROP COLUMN birth_date;
             ALTER TABLE users DROP COLUMN nationality;
             ALTER TABLE notifications DROP COLUMN format;
             INSERT INTO users (user_id, nick_name, created_at) VALUES ('2088000000000004', 'Dave', 1);",
        )
        .unwrap();
        assert!(version >= 5, "{version}");
        db.pragma_update(None, "user_version", 4).unwrap();
    }
    let mut p2 = common::start_binary(dir.path(), &[]);
    let app2 = common::binary_client(&p2, dir.path());
    let (st, users) = app2.get_json("/sandbox/users").await;
    assert_eq!(st, 200, "{users}");
    let profile = |u: &Value| {
        (
            u["nickName"].clone(),
            u["gender"].clone(),
            u["birthDate"].clone(),
            u["nationality"].clone(),
        )
    };
    let got: Vec<_> = users.as_array().unwrap().iter().map(profile).collect();
    assert_eq!(
        got,
        [
            (json!("Alice"), json!("F"), json!("1990-04-21"), json!("US")),
            (json!("Bob"), json!("M"), json!("1985-11-02"), json!("PH")),
            (json!("Carol"), json!("F"), json!("2001-07-15"), json!("BR")),
            (json!("Dave"), Value::Null, Value::Null, Value::Null),
        ]
    );
    assert_eq!(app2.inquiry(&id).await.result_code(), "SUCCESS");
    p2.child.kill().unwrap();
    p2.child.wait().unwrap();
}
