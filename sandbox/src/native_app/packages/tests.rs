//! Tests of the `app.json` package layout (`super`): pages, subpackages, preloadRule.

use super::*;

fn err(text: &str) -> String {
    Layout::parse(text).unwrap_err().to_string()
}

const APP: &str = r#"{
    "pages": ["pages/index/index"],
    "subPackages": [
        { "root": "shop/", "name": "store", "pages": ["list/list"] },
        { "root": "/promo", "pages": ["pages/a/a"], "independent": true }
    ],
    "preloadRule": {
        "pages/index/index": { "network": "all", "packages": ["store"] },
        "promo/pages/a/a": { "packages": ["__APP__", "shop"] }
    }
}"#;

#[test]
fn a_preload_of_no_package_is_a_warning_not_an_error() {
    // Alipay's API demo: a preloadRule naming folders that are no subpackage. The wallet
    // runs it; the simulator too, and says which entry it passed over.
    let layout = Layout::parse(
        r#"{"pages": ["i", "j"], "subPackages": [{"root": "s", "pages": ["p"]}],
            "preloadRule": {"i": {"packages": ["page/API"]}, "j": {"packages": ["nope", "s"]}}}"#,
    )
    .unwrap();
    assert!(!layout.preload_rule.contains_key("i"), "nothing to preload");
    assert_eq!(layout.preload_rule["j"].packages, ["s"]);
    assert_eq!(layout.warnings.len(), 2);
    assert!(
        layout.warnings[0].starts_with(
            "app.json preloadRule[\"i\"].packages[0]: \"page/API\" names no subpackage"
        ) && layout.warnings[0].ends_with("ignored"),
        "{:?}",
        layout.warnings
    );
    assert!(layout.warnings[1].contains("preloadRule[\"j\"].packages[0]: \"nope\""));
    let json = serde_json::to_value(&layout).unwrap();
    assert_eq!(json["warnings"].as_array().map(Vec::len), Some(2));
    let clean = serde_json::to_value(Layout::parse(APP).unwrap()).unwrap();
    assert!(clean.get("warnings").is_none(), "no key when all is well");
}

#[test]
fn a_layout_with_its_packages_and_rules() {
    let layout = Layout::parse(APP).unwrap();
    assert_eq!(layout.pages, ["pages/index/index"]);
    assert_eq!(layout.sub_packages[0].root, "shop");
    assert_eq!(layout.sub_packages[0].pages, ["shop/list/list"]);
    assert!(layout.sub_packages[1].independent);
    assert_eq!(
        layout.preload_rule["pages/index/index"],
        Preload {
            network: "all".into(),
            packages: vec!["shop".into()]
        }
    );
    let rule = &layout.preload_rule["promo/pages/a/a"];
    assert_eq!(rule.network, "wifi", "wifi is the default");
    assert_eq!(rule.packages, ["__APP__", "shop"]);
    assert_eq!(layout.launch_package("promo/pages/a/a"), "promo");
    assert_eq!(layout.launch_package("shop/list/list"), MAIN);
    assert_eq!(layout.launch_package("/pages/index/index"), MAIN);
    assert!(layout.holds(MAIN, "utils/x.js"));
    assert!(layout.holds("shop", "shop/list/list.js"));
    assert!(!layout.holds(MAIN, "shop/list/list.js"));
    assert!(
        !layout.holds("shop", "shopping/x.js"),
        "a prefix is not a folder"
    );
}

#[test]
fn who_may_use_whose_files() {
    let layout = Layout::parse(APP).unwrap();
    assert_eq!(layout.reach_error("shop/list/list.js", "utils/x.js"), None);
    assert_eq!(
        layout.reach_error("shop/list/list.js", "shop/util.js"),
        None
    );
    assert_eq!(layout.reach_error("promo/pages/a/a.js", "promo/x.js"), None);
    assert!(layout
        .reach_error("promo/pages/a/a.js", "utils/x.js")
        .unwrap()
        .contains("promo is independent"));
    assert!(layout
        .reach_error("pages/index/index.js", "shop/util.js")
        .unwrap()
        .contains("a file of subpackage shop"));
    assert!(layout
        .reach_error("shop/list/list.js", "promo/x.js")
        .is_some());
}

#[test]
fn bad_entries_name_their_field() {
    let cases = [
        (
            r#"{"subPackages": {}}"#,
            "app.json subPackages: must be a list",
        ),
        (
            r#"{"subPackages": [{"pages": []}]}"#,
            "subPackages[0].root: is required",
        ),
        (
            r#"{"subPackages": [{"root": "../x", "pages": []}]}"#,
            "subPackages[0].root: \"../x\" is not a path",
        ),
        (
            r#"{"subPackages": [{"root": "a", "pages": "x"}]}"#,
            "subPackages[0].pages: must be a list",
        ),
        (
            r#"{"subPackages": [{"root": "a", "pages": [1]}]}"#,
            "subPackages[0].pages[0]: must be a string",
        ),
        (
            r#"{"subPackages": [{"root": "a", "pages": [], "independent": "yes"}]}"#,
            "subPackages[0].independent: must be true or false",
        ),
        (
            r#"{"subpackages": [{"root": "a", "pages": []}, {"root": "a/b", "pages": []}]}"#,
            "subpackages[1].root: a/b and subpackages[0].root a nest",
        ),
        (
            r#"{"subPackages": [{"root": "a", "pages": []}, {"root": "a/", "pages": []}]}"#,
            "subPackages[1].root: a is also the root of subPackages[0]",
        ),
        (
            r#"{"subPackages": [{"root": "a", "name": "n", "pages": []}, {"root": "b", "name": "n", "pages": []}]}"#,
            "subPackages[1].name: \"n\" is also the name",
        ),
        (
            r#"{"pages": ["a/p"], "subPackages": [{"root": "a", "pages": ["p"]}]}"#,
            "pages[0]: a/p is in the folder of subPackages[0] (a)",
        ),
        (
            r#"{"subPackages": [{"root": "a", "pages": ["p", "p"]}]}"#,
            "subPackages[0].pages[1]: a/p is also listed at subPackages[0].pages[0]",
        ),
        (
            r#"{"pages": ["i"], "tabBar": {"items": [{"pagePath": "a/p"}]}, "subPackages": [{"root": "a", "pages": ["p"]}]}"#,
            "tabBar.items[0].pagePath: a/p is a page of subpackage a",
        ),
        (
            r#"{"pages": ["i"], "preloadRule": []}"#,
            "app.json preloadRule: must be an object",
        ),
        (
            r#"{"pages": ["i"], "preloadRule": {"x": {"packages": []}}}"#,
            "preloadRule[\"x\"]: x is not a page",
        ),
        (
            r#"{"pages": ["i"], "preloadRule": {"i": {"network": "4g", "packages": []}}}"#,
            "preloadRule[\"i\"].network: \"4g\" is not \"all\" or \"wifi\"",
        ),
        (
            r#"{"pages": ["i"], "preloadRule": {"i": {}}}"#,
            "preloadRule[\"i\"].packages: is required",
        ),
        (
            r#"{"pages": ["i"], "preloadRule": {"i": {"packages": [7]}}}"#,
            "preloadRule[\"i\"].packages[0]: 7 is not a string",
        ),
        ("[1]", "app.json (the file): must be a JSON object"),
    ];
    for (text, expected) in cases {
        let got = err(text);
        assert!(
            got.contains(expected),
            "{text}\n  got: {got}\n  expected: {expected}"
        );
    }
}
