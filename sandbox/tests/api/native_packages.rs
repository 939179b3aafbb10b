//! Native mini programs' packages, as the bundle serves them (DESIGN.md "subPackages,
//! independent subpackages, preloadRule"): one package per request, the main package by
//! default, an independent subpackage's for a launch at its page, the checked layout with it;
//! and the refusals, each naming the file and the field: a bad app.json entry, a page in two
//! packages, an independent subpackage using the main package's files (a script or a
//! component), a package using another subpackage's. Real server, real HTTP.

use crate::common;

use std::path::Path;

use common::{serve_native_app, write_file as write};
use serde_json::Value;

const APP_JSON: &str = r#"{
  "pages": ["pages/index/index"],
  "subPackages": [
    { "root": "shop", "name": "store", "pages": ["pages/list/list"] },
    { "root": "promo", "pages": ["pages/deal/deal"], "independent": true }
  ],
  "preloadRule": { "pages/index/index": { "network": "all", "packages": ["store"] } }
}"#;

/// An app with a main package, a subpackage and an independent one, at `<tmp>/pk-app`.
fn app_folder(app_json: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("pk-app");
    let files = [
        ("app.json", app_json),
        ("app.js", "App({});\n"),
        ("app.acss", "page { color: red; }\n"),
        ("utils/money.js", "export const money = (n) => n;\n"),
        ("pages/index/index.js", "Page({});\n"),
        ("pages/index/index.axml", "<view>index</view>"),
        (
            "shop/pages/list/list.js",
            "import { money } from '../../../utils/money';\nPage({ data: { m: money(1) } });\n",
        ),
        ("shop/pages/list/list.axml", "<view>{{m}}</view>"),
        (
            "promo/pages/deal/deal.js",
            "import { tag } from '../../lib/tag';\nPage({ data: { tag } });\n",
        ),
        ("promo/lib/tag.js", "export const tag = 'deal';\n"),
        ("promo/pages/deal/deal.axml", "<view>{{tag}}</view>"),
    ];
    for (rel, text) in files {
        write(&app, rel, text);
    }
    dir
}

async fn get(app: &common::TestApp, url: &str) -> (u16, Value) {
    let r = app.http.get(url).send().await.unwrap();
    let status = r.status().as_u16();
    (
        status,
        serde_json::from_str(&r.text().await.unwrap()).unwrap(),
    )
}

fn paths(body: &Value) -> Vec<String> {
    body["files"].as_object().unwrap().keys().cloned().collect()
}

/// The bundle at `query` is `package` with exactly the files `files`.
async fn expect_package(
    app: &common::TestApp,
    url: &str,
    query: &str,
    package: &str,
    files: &[&str],
) {
    let (status, body) = get(app, &format!("{url}bundle.json{query}")).await;
    assert_eq!(status, 200, "{query}: {body}");
    assert_eq!(body["package"], package, "{query}");
    assert_eq!(paths(&body), files, "{query}");
}

#[tokio::test]
async fn each_package_alone_with_the_layout() {
    let dir = app_folder(APP_JSON);
    let (app, row) = serve_native_app(&dir.path().join("pk-app"), |_| {}).await;
    let url = row["url"].as_str().unwrap().to_string();

    let (status, main) = get(&app, &format!("{url}bundle.json")).await;
    assert_eq!(status, 200, "{main}");
    assert_eq!(main["package"], "__APP__");
    assert_eq!(
        paths(&main),
        [
            "app.acss",
            "app.js",
            "app.json",
            "pages/index/index.axml",
            "pages/index/index.js",
            "utils/money.js"
        ]
    );
    assert_eq!(main["layout"]["subPackages"][1]["independent"], true);
    assert_eq!(
        main["layout"]["subPackages"][0]["pages"][0],
        "shop/pages/list/list"
    );
    assert_eq!(
        main["layout"]["preloadRule"]["pages/index/index"],
        serde_json::json!({ "network": "all", "packages": ["shop"] }),
        "the rule names packages by root"
    );

    // By root or by name; a subpackage brings the main-package modules its scripts use.
    let shop = [
        "app.json",
        "shop/pages/list/list.axml",
        "shop/pages/list/list.js",
        "utils/money.js",
    ];
    expect_package(&app, &url, "?package=shop", "shop", &shop).await;
    expect_package(&app, &url, "?package=store", "shop", &shop).await;
    // A launch at an independent subpackage's page starts with that package alone; at any
    // other page with the main package.
    let promo = [
        "app.json",
        "promo/lib/tag.js",
        "promo/pages/deal/deal.axml",
        "promo/pages/deal/deal.js",
    ];
    expect_package(&app, &url, "?entry=promo/pages/deal/deal", "promo", &promo).await;
    let main = get(
        &app,
        &format!("{url}bundle.json?entry=shop/pages/list/list"),
    )
    .await;
    assert_eq!(main.1["package"], "__APP__");

    let (status, none) = get(&app, &format!("{url}bundle.json?package=nope")).await;
    assert_eq!(status, 404);
    assert!(
        none["error"]
            .as_str()
            .unwrap()
            .contains("no subpackage \"nope\""),
        "{none}"
    );
}

/// The bundle's refusal for the app whose app.json is `app_json`, after `edit` of its folder.
async fn refusal(app_json: &str, edit: impl FnOnce(&Path), query: &str) -> (u16, Value) {
    let dir = app_folder(app_json);
    edit(&dir.path().join("pk-app"));
    let (app, row) = serve_native_app(&dir.path().join("pk-app"), |_| {}).await;
    let url = row["url"].as_str().unwrap().to_string();
    get(&app, &format!("{url}bundle.json{query}")).await
}

#[tokio::test]
async fn a_bad_app_json_entry_is_refused_naming_the_file_and_field() {
    let in_two = APP_JSON.replace(
        r#""pages": ["pages/index/index"]"#,
        r#""pages": ["pages/index/index", "shop/pages/list/list"]"#,
    );
    let (status, body) = refusal(&in_two, |_| {}, "").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["file"], "app.json");
    assert_eq!(body["field"], "pages[1]");
    assert!(
        body["error"].as_str().unwrap().contains(
            "app.json pages[1]: shop/pages/list/list is in the folder of subPackages[0] (shop)"
        ),
        "{body}"
    );

    let bad_rule = APP_JSON.replace(r#""network": "all""#, r#""network": "5g""#);
    let (status, body) = refusal(&bad_rule, |_| {}, "?entry=promo/pages/deal/deal").await;
    assert_eq!(status, 422, "an independent launch is refused too: {body}");
    assert_eq!(body["field"], "preloadRule[\"pages/index/index\"].network");
}

#[tokio::test]
async fn an_independent_subpackage_may_not_use_the_main_packages_files() {
    // (the file written, its text, the bundle asked for, the file named, what the error says)
    let cases = [
        (
            "promo/pages/deal/deal.js",
            "import { money } from '../../../utils/money';\nPage({ data: { m: money(2) } });\n",
            "?entry=promo/pages/deal/deal",
            "promo/pages/deal/deal.js",
            "promo/pages/deal/deal.js uses utils/money.js, a file of the main package: subpackage promo is independent",
        ),
        (
            "promo/pages/deal/deal.json",
            r#"{ "usingComponents": { "badge": "/components/badge/badge" } }"#,
            "?package=promo",
            "promo/pages/deal/deal.json",
            "(usingComponents \"/components/badge/badge\")",
        ),
        // A subpackage's file from the main package.
        (
            "pages/index/index.js",
            "const { tag } = require('../../promo/lib/tag');\nPage({});\n",
            "",
            "pages/index/index.js",
            "pages/index/index.js uses promo/lib/tag.js, a file of subpackage promo",
        ),
    ];
    for (rel, text, query, file, says) in cases {
        let (status, body) = refusal(APP_JSON, |root| write(root, rel, text), query).await;
        assert_eq!(status, 422, "{rel}: {body}");
        assert_eq!(body["file"], file);
        assert!(body["error"].as_str().unwrap().contains(says), "{body}");
    }
}
