//! Browser tests of the device JSAPIs over the phone's inputs (`configure({ device })`, which
//! the simulator's devtools and URL parameters send): `my.getLocation` at each `type` level,
//! `my.scan` (preset, or typed in the scanner sheet), `my.choosePhoneContact`,
//! `my.chooseContact` (single and multi, its limit), `my.addPhoneContact`, and `my.openLocation`; their success and fail shapes, and bad inputs and options (error 2
//! naming them). The devtools themselves are tested end to end (`tests/e2e/device.test.mjs`).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Promise};
use miniprogram_shim_extras::{configure, create_my};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

#[path = "../../tests/common/mod.rs"]
mod common;
use common::{js, settle, show, Outcome};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/fixtures/sheets.js")]
extern "C" {
    fn operate(my: &JsValue, api: &str, options: &JsValue, steps: &JsValue) -> Promise;
}

const HANGZHOU: &str = r#"{"device":{"location":{"latitude":30.2741,"longitude":120.1551,"accuracy":12,
  "country":"China","countryCode":"CN","province":"Zhejiang","city":"Hangzhou","cityAdcode":"330100",
  "district":"Xihu","districtAdcode":"330106","street":"Wensan Road","number":"90",
  "pois":[{"name":"West Lake","address":"Xihu District"}]},
  "scan":null,"contacts":[{"name":"Alice","mobile":"+86 138 0013 8000"},{"name":"Bob","mobile":"555-0100"}]}}"#;

fn device(json: &str) {
    configure(js(r#"{"appId":"test-app","logger":null}"#)).expect("config");
    configure(js(json)).expect("device inputs");
}

async fn run(api: &str, options: &str, steps: &str) -> Outcome {
    let my: JsValue = create_my().into();
    Outcome(settle(operate(&my, api, &js(options), &js(steps))).await)
}

fn value(o: &Outcome) -> String {
    show(&o.get("value"))
}

#[wasm_bindgen_test]
async fn get_location_returns_the_fields_of_each_type() {
    device(HANGZHOU);
    let cases = [
        (
            "{}",
            r#"{"longitude":"120.1551","latitude":"30.2741","accuracy":"12","horizontalAccuracy":"12"}"#,
        ),
        (
            r#"{"type":1}"#,
            r#"{"longitude":"120.1551","latitude":"30.2741","accuracy":"12","horizontalAccuracy":"12","country":"China","countryCode":"CN","province":"Zhejiang","city":"Hangzhou","cityAdcode":"330100","district":"Xihu","districtAdcode":"330106"}"#,
        ),
    ];
    for (options, expected) in cases {
        let o = run("getLocation", options, "[]").await;
        o.assert_success();
        assert_eq!(value(&o), expected, "{options}");
    }
    let o = run("getLocation", r#"{"type":"2"}"#, "[]").await;
    assert_eq!(
        show(&o.get("value.streetNumber")),
        r#"{"street":"Wensan Road","number":"90"}"#
    );
    assert!(o.get("value.pois").is_undefined());
    let o = run("getLocation", r#"{"type":3}"#, "[]").await;
    assert_eq!(
        show(&o.get("value.pois")),
        r#"[{"name":"West Lake","address":"Xihu District"}]"#
    );
    let o = run("getLocation", r#"{"type":4}"#, "[]").await;
    o.assert_fail_code(2);
    assert!(o.text("value.errorMessage").contains("`type`"));
}

#[wasm_bindgen_test]
async fn get_location_without_a_position_fails_with_13_saying_where_to_set_it() {
    device(r#"{"device":{"location":null}}"#);
    let o = run("getLocation", "{}", "[]").await;
    o.assert_fail_code(13);
    let message = o.text("value.errorMessage");
    assert!(
        message.contains("no position is set") && message.contains("?location="),
        "{message}"
    );
}

#[wasm_bindgen_test]
async fn bad_device_inputs_are_refused_naming_the_field_and_change_nothing() {
    device(HANGZHOU);
    let cases = [
        (
            r#"{"device":{"location":{"latitude":91,"longitude":0}}}"#,
            "`device.location.latitude`",
        ),
        (
            r#"{"device":{"location":{"latitude":1}}}"#,
            "`device.location.longitude`",
        ),
        (
            r#"{"device":{"location":{"latitude":1,"longitude":2,"accuracy":"far"}}}"#,
            "`device.location.accuracy`",
        ),
        (
            r#"{"device":{"location":{"latitude":1,"longitude":2,"pois":[{"name":"x"}]}}}"#,
            "`device.location.pois[0].address`",
        ),
        (r#"{"device":{"scan":{"code":""}}}"#, "`device.scan.code`"),
        (
            r#"{"device":{"scan":{"code":"x","type":"aztec"}}}"#,
            "`device.scan.type`",
        ),
        (
            r#"{"device":{"contacts":[{"name":"A","mobile":"call me"}]}}"#,
            "`device.contacts[0].mobile`",
        ),
        (r#"{"device":{"contacts":{}}}"#, "`device.contacts`"),
        (r#"{"device":7}"#, "`device`"),
    ];
    for (json, named) in cases {
        let err: JsValue = configure(js(json)).expect_err(json).into();
        let message = js_sys::Reflect::get(&err, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_default();
        assert!(message.contains(named), "{named} not in {message}");
    }
    // What was set before still answers.
    let o = run("getLocation", "{}", "[]").await;
    o.assert_success();
    assert_eq!(o.text("value.latitude"), "30.2741");
}

#[wasm_bindgen_test]
async fn scan_returns_the_preset_code_at_once() {
    device(r#"{"device":{"scan":{"code":"https://example.com/t/42"}}}"#);
    let o = run("scan", "{}", "[]").await;
    o.assert_success();
    assert!(o.get("seen").is_null(), "no sheet for a preset code");
    assert_eq!(
        value(&o),
        r#"{"code":"https://example.com/t/42","qrCode":"https://example.com/t/42","imageChannel":"camera","result":"https://example.com/t/42","scanType":"qrCode","rawData":"aHR0cHM6Ly9leGFtcGxlLmNvbS90LzQy"}"#
    );
    device(r#"{"device":{"scan":{"code":"6901234567892","type":"barCode"}}}"#);
    let o = run("scan", r#"{"scanType":["barCode"]}"#, "[]").await;
    assert_eq!(o.text("value.barCode"), "6901234567892");
    run("scan", r#"{"scanType":["aztec"]}"#, "[]")
        .await
        .assert_fail_code(2);
}

#[wasm_bindgen_test]
async fn scan_without_a_preset_asks_in_the_scanner_sheet_and_cancel_is_10() {
    device(r#"{"device":{"scan":null}}"#);
    let o = run("scan", "{}", r#"[{"type":"T-1000"},{"key":"Enter"}]"#).await;
    o.assert_success();
    assert_eq!(o.text("seen.label"), "Scan");
    assert_eq!(o.text("seen.focused"), "INPUT");
    assert_eq!(o.text("value.qrCode"), "T-1000");
    assert_eq!(o.get("focusRestored"), JsValue::TRUE);
    // A preset QR code does not answer a bar-code-only scan: the sheet asks.
    device(r#"{"device":{"scan":{"code":"qr-text"}}}"#);
    let o = run(
        "scan",
        r#"{"scanType":["barCode"]}"#,
        r#"[{"key":"Escape"}]"#,
    )
    .await;
    o.assert_fail_code(10);
    assert_eq!(o.text("value.errorMessage"), "scan:fail user cancelled");
    assert_eq!(o.text("seen.input"), "bar code");
}

#[wasm_bindgen_test]
async fn choose_phone_contact_picks_from_the_address_book() {
    device(HANGZHOU);
    let o = run(
        "choosePhoneContact",
        "{}",
        r#"[{"choose":[0,1]},{"click":"[data-action=confirm]"}]"#,
    )
    .await;
    o.assert_success();
    assert_eq!(value(&o), r#"{"name":"Bob","mobile":"555-0100"}"#);
    assert_eq!(
        show(&o.get("seen.columns.0.options")),
        r#"["Alice · +86 138 0013 8000","Bob · 555-0100"]"#
    );
    run("choosePhoneContact", "{}", r#"[{"key":"Escape"}]"#)
        .await
        .assert_fail_code(11);
    device(r#"{"device":{"contacts":[]}}"#);
    let o = run("choosePhoneContact", "{}", "[]").await;
    o.assert_fail_code(3);
    assert!(o
        .text("value.errorMessage")
        .contains("address book is empty"));
}

#[wasm_bindgen_test]
async fn choose_contact_single_gives_the_chosen_contact_in_alipay_fields() {
    device(HANGZHOU);
    let o = run(
        "chooseContact",
        r#"{"chooseType":"single"}"#,
        r#"[{"click":"[data-index=\"1\"]"},{"click":"[data-action=confirm]"}]"#,
    )
    .await;
    o.assert_success();
    assert_eq!(
        value(&o),
        r#"{"contactsDicArray":[{"userId":"2088000005550100","avatar":"","mobile":"555-0100","realName":"Bob","displayName":"Bob"}]}"#
    );
    assert_eq!(o.text("seen.label"), "Choose a contact");
    assert_eq!(
        o.text("seen.overlayClass"),
        "miniprogram-shim-choose-contact"
    );
    assert_eq!(
        show(&o.get("seen.items")),
        r#"["Alice · +86 138 0013 8000","Bob · 555-0100"]"#
    );
    assert_eq!(
        show(&o.get("seen.ticked")),
        "[true,false]",
        "the first is chosen at once"
    );
    assert_eq!(o.text("seen.focused"), "INPUT");
    assert_eq!(o.get("focusRestored"), JsValue::TRUE);
    // Enter on the focused row confirms the first.
    let o = run(
        "chooseContact",
        r#"{"chooseType":"single"}"#,
        r#"[{"key":"Enter"}]"#,
    )
    .await;
    assert_eq!(
        o.text("value.contactsDicArray.0.userId"),
        "2088613800138000"
    );
    for cancel in [
        r#"[{"key":"Escape"}]"#,
        r#"[{"click":"[data-action=cancel]"}]"#,
        r#"[{"click":"overlay"}]"#,
    ] {
        let o = run("chooseContact", r#"{"chooseType":"single"}"#, cancel).await;
        o.assert_fail_code(11);
        assert_eq!(o.get("removed"), JsValue::TRUE, "{cancel}");
    }
}

#[wasm_bindgen_test]
async fn choose_contact_multi_keeps_to_its_limit_and_shows_the_tips() {
    device(HANGZHOU);
    let o = run(
        "chooseContact",
        r#"{"chooseType":"multi"}"#,
        r#"[{"click":"[data-index=\"1\"]"},{"click":"[data-index=\"0\"]"},{"click":"[data-action=confirm]"}]"#,
    )
    .await;
    o.assert_success();
    assert_eq!(o.text("seen.label"), "Choose contacts");
    assert_eq!(show(&o.get("seen.ticked")), "[false,false]");
    assert_eq!(
        show(&o.get("seen.disabled")),
        r#"["confirm"]"#,
        "OK waits for a choice"
    );
    assert_eq!(o.text("seen.message"), "Choose one or more");
    assert_eq!(o.text("trace.0.message"), "1 chosen");
    assert_eq!(show(&o.get("trace.0.disabled")), "[]");
    assert_eq!(
        show(&o.get("value.contactsDicArray")),
        r#"[{"userId":"2088613800138000","avatar":"","mobile":"+86 138 0013 8000","realName":"Alice","displayName":"Alice"},{"userId":"2088000005550100","avatar":"","mobile":"555-0100","realName":"Bob","displayName":"Bob"}]"#
    );

    let o = run(
        "chooseContact",
        r#"{"chooseType":"multi","multiChooseMax":1,"multiChooseMaxTips":"One friend only"}"#,
        r#"[{"click":"[data-index=\"0\"]"},{"click":"[data-index=\"1\"]"},{"click":"[data-action=confirm]"}]"#,
    )
    .await;
    o.assert_success();
    assert_eq!(o.text("seen.message"), "Choose up to 1");
    assert_eq!(o.text("trace.0.message"), "1 of 1 chosen");
    assert_eq!(o.text("trace.1.message"), "One friend only");
    assert_eq!(
        show(&o.get("trace.1.ticked")),
        "[true,false]",
        "the tick past the limit is undone"
    );
    assert_eq!(o.text("value.contactsDicArray.0.displayName"), "Alice");
    assert_eq!(Array::from(&o.get("value.contactsDicArray")).length(), 1);
}

#[wasm_bindgen_test]
async fn choose_contact_refuses_bad_options_naming_them_and_an_empty_book() {
    device(HANGZHOU);
    for (options, named) in [
        ("{}", "`chooseType`"),
        (r#"{"chooseType":"all"}"#, "`chooseType`"),
        (r#"{"chooseType":"multi","includeMe":"yes"}"#, "`includeMe`"),
        (
            r#"{"chooseType":"multi","includeMobileContactMode":"some"}"#,
            "`includeMobileContactMode`",
        ),
        (
            r#"{"chooseType":"multi","multiChooseMax":0}"#,
            "`multiChooseMax`",
        ),
        (
            r#"{"chooseType":"multi","multiChooseMax":"many"}"#,
            "`multiChooseMax`",
        ),
        (
            r#"{"chooseType":"multi","multiChooseMaxTips":{}}"#,
            "`multiChooseMaxTips`",
        ),
    ] {
        let o = run("chooseContact", options, "[]").await;
        o.assert_fail_code(2);
        assert!(o.get("seen").is_null(), "{options}: no sheet");
        assert!(
            o.text("value.errorMessage").contains(named),
            "{options}: {}",
            o.debug()
        );
    }
    device(r#"{"device":{"contacts":[]}}"#);
    let o = run("chooseContact", r#"{"chooseType":"single"}"#, "[]").await;
    o.assert_fail_code(3);
    assert!(o
        .text("value.errorMessage")
        .contains("address book is empty"));
}

#[wasm_bindgen_test]
async fn add_phone_contact_asks_then_adds_to_the_address_book() {
    device(r#"{"device":{"contacts":[]}}"#);
    let o = run(
        "addPhoneContact",
        r#"{"firstName":"Carol","lastName":"Chen","mobilePhoneNumber":"+1 555 0199"}"#,
        r#"[{"click":"[data-action=confirm]"}]"#,
    )
    .await;
    o.assert_success();
    assert_eq!(value(&o), r#"{"success":true}"#);
    assert_eq!(o.text("seen.message"), "Carol Chen\n+1 555 0199");
    let o = run("choosePhoneContact", "{}", r#"[{"key":"Enter"}]"#).await;
    assert_eq!(value(&o), r#"{"name":"Carol Chen","mobile":"+1 555 0199"}"#);

    run(
        "addPhoneContact",
        r#"{"nickName":"D","mobilePhoneNumber":"1"}"#,
        r#"[{"click":"[data-action=cancel]"}]"#,
    )
    .await
    .assert_fail_code(11);
    for (options, named) in [
        (r#"{"mobilePhoneNumber":"1"}"#, "`firstName`"),
        (r#"{"nickName":"D"}"#, "`mobilePhoneNumber`"),
        (
            r#"{"nickName":"D","mobilePhoneNumber":"abc"}"#,
            "`mobilePhoneNumber`",
        ),
    ] {
        let o = run("addPhoneContact", options, "[]").await;
        o.assert_fail_code(2);
        assert!(o.text("value.errorMessage").contains(named), "{options}");
        assert!(o.get("seen").is_null());
    }
}

#[wasm_bindgen_test]
async fn open_location_shows_the_place_in_the_phone_until_closed() {
    device("{}");
    let o = run(
        "openLocation",
        r#"{"latitude":"30.2741","longitude":120.1551,"name":"Demo Coffee","address":"1 Lake Road","scale":16}"#,
        r#"[{"click":"[data-action=confirm]"}]"#,
    )
    .await;
    o.assert_success();
    assert_eq!(value(&o), "{}");
    assert_eq!(o.text("seen.label"), "Demo Coffee");
    assert_eq!(
        o.text("seen.message"),
        "1 Lake Road\n30.2741, 120.1551 · zoom 16"
    );
    assert_eq!(show(&o.get("seen.buttons")), r#"["confirm:Close"]"#);
    assert_eq!(o.get("focusRestored"), JsValue::TRUE);
    for (options, named) in [
        (r#"{"longitude":1}"#, "`latitude`"),
        (r#"{"latitude":1,"longitude":"east"}"#, "`longitude`"),
        (r#"{"latitude":1,"longitude":1,"scale":30}"#, "`scale`"),
    ] {
        let o = run("openLocation", options, "[]").await;
        o.assert_fail_code(2);
        assert!(o.text("value.errorMessage").contains(named), "{options}");
        assert!(o.get("seen").is_null());
    }
}

#[wasm_bindgen_test]
async fn choose_location_picks_from_the_position_its_places_and_a_preset() {
    device(HANGZHOU);
    let o = run(
        "chooseLocation",
        r#"{"title":"Deliver to"}"#,
        r#"[{"choose":[0,1]},{"click":"[data-action=confirm]"}]"#,
    )
    .await;
    o.assert_success();
    assert_eq!(o.text("seen.label"), "Deliver to");
    assert_eq!(
        show(&o.get("seen.columns.0.options")),
        r#"["Current position · Zhejiang Hangzhou Xihu Wensan Road 90","West Lake · Xihu District"]"#
    );
    assert_eq!(
        value(&o),
        r#"{"name":"West Lake","address":"Xihu District","longitude":"120.1551","latitude":"30.2741","provinceName":"Zhejiang","cityName":"Hangzhou"}"#
    );
    let o = run(
        "chooseLocation",
        r#"{"latitude":31.23,"longitude":"121.47"}"#,
        r#"[{"key":"Enter"}]"#,
    )
    .await;
    o.assert_success();
    assert_eq!(o.text("seen.label"), "Choose a location");
    assert_eq!(
        value(&o),
        r#"{"name":"Pinned location","address":"","longitude":"121.47","latitude":"31.23","provinceName":"","cityName":""}"#
    );
    run("chooseLocation", "{}", r#"[{"key":"Escape"}]"#)
        .await
        .assert_fail_code(11);
    let o = run("chooseLocation", r#"{"latitude":95,"longitude":1}"#, "[]").await;
    o.assert_fail_code(2);
    assert!(o.text("value.errorMessage").contains("`latitude`"));
    let o = run("chooseLocation", r#"{"latitude":1}"#, "[]").await;
    assert!(o.text("value.errorMessage").contains("`longitude`"));
    device(r#"{"device":{"location":null}}"#);
    let o = run("chooseLocation", "{}", "[]").await;
    o.assert_fail_code(13);
    assert!(o.text("value.errorMessage").contains("?location="));
}
