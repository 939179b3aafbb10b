//! The shared table of whitelist cases (`miniprogram_policy::cases`), run through the real
//! sandbox over HTTP: every row's whitelist registered with `PUT /sandbox/mini-programs/{appId}`,
//! every row's URL sent to `POST /relay` from the app's registered origin. The shim runs the
//! same table through `my.request`'s URL check (`src/url.rs`), so the two cannot disagree.

use crate::common;

use miniprogram_policy::cases::{Expect, ENTRY_CASES, MATCH_CASES};
use miniprogram_policy::Origin;
use serde_json::{json, Value};

const APP: &str = "2102020000000001";
const APP_ORIGIN: &str = "http://127.0.0.1:8701";

async fn relay(app: &common::TestApp, url: &str) -> Value {
    let resp = app
        .http
        .post(format!("{}/relay", app.base))
        .header("origin", APP_ORIGIN)
        .header("content-type", "application/json")
        .body(json!({"appId": APP, "url": url, "timeoutMs": 2000}).to_string())
        .send()
        .await
        .expect("the relay answers");
    assert_eq!(resp.status().as_u16(), 200);
    serde_json::from_str(&resp.text().await.expect("body")).expect("JSON")
}

#[tokio::test]
async fn the_relay_answers_every_row_of_the_table() {
    let app = common::spawn_app().await;
    let (status, body) = app
        .put_json(
            &format!("/sandbox/mini-programs/{APP}"),
            &json!({"url": format!("{APP_ORIGIN}/")}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for case in MATCH_CASES {
        let what = format!("{} {:?} ({})", case.url, case.whitelist, case.why);
        let (status, body) = app
            .put_json(
                &format!("/sandbox/mini-programs/{APP}"),
                &json!({ "whitelist": case.whitelist }),
            )
            .await;
        assert_eq!(
            status, 200,
            "{what}: the registry refused the row's whitelist: {body}"
        );
        let answer = relay(&app, case.url).await;
        let error = answer["error"].as_str().unwrap_or("");
        let message = answer["message"].as_str().unwrap_or("");
        match case.expect {
            // Let through: sent (any status), or failed on the way (nothing listens on the
            // row's port; the sandbox relay has no TLS) — never refused by a check.
            Expect::Allow => assert!(
                !matches!(error, "whitelist" | "bad_request" | "origin"),
                "{what}: refused: {answer}"
            ),
            Expect::Deny => {
                assert_eq!(error, "whitelist", "{what}: {answer}");
                let domain = Origin::parse_url(case.url).expect("url").domain();
                assert!(
                    message.contains(&domain),
                    "{what}: names {domain}: {message}"
                );
            }
            Expect::InvalidUrl => assert_eq!(error, "bad_request", "{what}: {answer}"),
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn the_registry_refuses_every_entry_the_relay_would_never_honour() {
    let app = common::spawn_app().await;
    let path = format!("/sandbox/mini-programs/{APP}");
    let (_, before) = app.get_json(&path).await;
    let stored = before["whitelist"].clone();
    assert!(stored.as_array().is_some_and(|l| !l.is_empty()), "{before}");
    for (entry, expected) in ENTRY_CASES {
        match expected {
            Ok(canonical) => {
                let (status, body) = app.put_json(&path, &json!({ "whitelist": [entry] })).await;
                assert_eq!(status, 200, "{entry:?}: {body}");
                assert_eq!(body["whitelist"], json!([canonical]), "{entry:?}");
                // Put the earlier list back for the next row.
                let (status, _) = app.put_json(&path, &json!({ "whitelist": stored })).await;
                assert_eq!(status, 200);
            }
            Err(_) => {
                // Alone, and beside a valid entry: refused whole, naming the bad one.
                for list in [json!([entry]), json!(["127.0.0.1:8791", entry])] {
                    let (status, body) = app.put_json(&path, &json!({ "whitelist": list })).await;
                    assert_eq!(status, 400, "{entry:?}: {body}");
                    let message = body["message"].as_str().unwrap_or("");
                    assert!(
                        message.contains(&format!("{entry:?}")),
                        "{entry:?}: {message}"
                    );
                    // Nothing stored is lost.
                    let (_, now) = app.get_json(&path).await;
                    assert_eq!(now["whitelist"], stored, "{entry:?}");
                }
            }
        }
    }
    app.stop().await;
}
