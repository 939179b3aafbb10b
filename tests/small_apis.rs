//! Browser tests of the small JSAPIs — `my.confirm`, `my.showToast`, `my.showLoading`/
//! `my.hideLoading`, `my.setClipboard`/`my.getClipboard`, `my.getSystemInfo`,
//! `my.setStorage`/`getStorage`/`removeStorage` (and `Sync`) — and of the H5 bridge
//! (`bridgeCall`, behind `AlipayJSBridge.call`). The bridge's ready event and the early Sync
//! storage live in `www/my.js` and are tested in `tests/bootstrap/`.
//!
//! Calls go through `tests/fixtures/mini_program.js` (`record`: callbacks, order, Promise) and
//! `tests/fixtures/small_apis.js` (DOM interaction, bridge callbacks).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Promise, Reflect};
use miniprogram_shim::{bridge_call, configure, create_my, storage_usage};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

mod common;
use common::{js, pick, record, settle, show, type_at, Outcome};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/fixtures/small_apis.js")]
extern "C" {
    #[wasm_bindgen(js_name = confirmAndAnswer)]
    fn confirm_and_answer(my: &JsValue, options: &JsValue, how: &str) -> Promise;
    #[wasm_bindgen(js_name = toastLifecycle)]
    fn toast_lifecycle(my: &JsValue, options: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = toastReplaced)]
    fn toast_replaced(my: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = toastsInTurn)]
    fn toasts_in_turn(my: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = loadingFlow)]
    fn loading_flow(my: &JsValue) -> Promise;
    fn probe() -> JsValue;
    fn returned(probe: &JsValue);
    #[wasm_bindgen(js_name = clickLater)]
    fn click_later(selector: &str, ms: u32) -> Promise;
    fn cyclic() -> JsValue;
    #[wasm_bindgen(js_name = rawStorage)]
    fn raw_storage(key: &str) -> JsValue;
    #[wasm_bindgen(js_name = clearShimStorage)]
    fn clear_shim_storage();
    #[wasm_bindgen(js_name = freshUsage)]
    fn fresh_usage(prefix: &str) -> usize;
    #[wasm_bindgen(js_name = countKeyVisits)]
    fn count_key_visits();
    #[wasm_bindgen(js_name = keyVisitsSoFar)]
    fn key_visits_so_far() -> u32;
    #[wasm_bindgen(js_name = otherTabChanges)]
    fn other_tab_changes(key: Option<&str>, value: Option<&str>);
}

fn my() -> JsValue {
    create_my().into()
}

/// Tests share one page: every test starts from app `test-app` and no stored keys.
fn setup() {
    // The clipboard is in the extras module: the test runner serves it from the repository.
    configure(js(
        r#"{"appId":"test-app","logger":null,"extrasUrl":"/pkg/extras/miniprogram_shim_extras.js"}"#,
    ))
    .expect("config");
    clear_shim_storage();
}

impl Outcome {
    /// As `assert_fail_code`, and `errorMessage` names `names`.
    fn assert_fail(&self, code: u32, names: &str) -> &Self {
        self.assert_fail_code(code);
        let message = self.text("value.errorMessage");
        assert!(message.contains(names), "{names} not in {message}");
        self
    }
}

async fn call_with(api: &str, options: &JsValue) -> Outcome {
    Outcome(settle(record(&my(), api, options, -1)).await)
}

async fn call(api: &str, options_json: &str) -> Outcome {
    call_with(api, &js(options_json)).await
}

fn sync(api: &str, args: &[JsValue]) -> JsValue {
    let f: js_sys::Function = Reflect::get(&my(), &api.into()).expect("method").into();
    f.apply(&my(), &args.iter().collect::<Array>())
        .expect("sync call")
}

// ---- my.confirm -------------------------------------------------------------------------

async fn confirm(options: &str, how: &str) -> Outcome {
    Outcome(settle(confirm_and_answer(&my(), &js(options), how)).await)
}

#[wasm_bindgen_test]
async fn confirm_shows_two_buttons_and_reports_the_choice() {
    let o = confirm(
        r#"{"title":"Delete?","content":"<b>cart</b>","confirmButtonText":"Delete","cancelButtonText":"Keep"}"#,
        "confirm",
    )
    .await;
    assert_eq!(o.get("open"), JsValue::TRUE, "{}", o.debug());
    assert_eq!(o.text("title"), "Delete?");
    assert_eq!(o.text("content"), "<b>cart</b>"); // text, never HTML
    assert_eq!(
        (o.text("confirmText"), o.text("cancelText")),
        ("Delete".into(), "Keep".into())
    );
    assert_eq!(o.get("confirmFocused"), JsValue::TRUE);
    assert_eq!(o.text("modal"), "true");
    assert_eq!(o.get("settledBeforeAnswer"), JsValue::FALSE);
    // success({ confirm: true }) after the overlay is gone, then complete.
    assert_eq!(
        show(&o.get("events")),
        r#"[["success",{"confirm":true},0],["complete"]]"#
    );
    assert_eq!(show(&o.get("value")), r#"{"confirm":true}"#);
    assert_eq!(o.get("removed"), JsValue::TRUE);
    assert_eq!(o.get("focusRestored"), JsValue::TRUE);

    let o = confirm(r#"{"content":"Sure?"}"#, "cancel").await;
    assert_eq!(
        (o.text("confirmText"), o.text("cancelText")),
        ("OK".into(), "Cancel".into())
    );
    assert_eq!(show(&o.get("value")), r#"{"confirm":false}"#);
}

#[wasm_bindgen_test]
async fn confirm_answers_from_the_keyboard() {
    let cases = [("Enter", true), ("Escape", false), ("Tab+Enter", false)];
    for (how, confirmed) in cases {
        let o = confirm(r#"{"content":"Keys"}"#, how).await;
        assert_eq!(
            o.get("value.confirm").as_bool(),
            Some(confirmed),
            "{how}: {}",
            o.debug()
        );
        assert_eq!(o.get("removed"), JsValue::TRUE, "{how}");
        if how == "Tab+Enter" {
            assert_eq!(o.get("cancelFocusedAfterTab"), JsValue::TRUE);
        }
    }
}

#[wasm_bindgen_test]
async fn confirm_with_a_bad_option_fails_with_2_and_shows_nothing() {
    call("confirm", r#"{"confirmButtonText":{"x":1}}"#)
        .await
        .assert_fail(2, "`confirmButtonText`");
    let rejected = JsFuture::from(Promise::from(sync("confirm", &[JsValue::from(5)]))).await;
    let err = rejected.expect_err("a number is not an options object");
    assert_eq!(pick(&err, "error").as_f64(), Some(2.0), "{}", show(&err));
}

// ---- my.showToast -----------------------------------------------------------------------

#[wasm_bindgen_test]
async fn toast_shows_its_text_and_succeeds_when_it_disappears() {
    let my = my();
    let o = Outcome(
        settle(toast_lifecycle(
            &my,
            &js(r#"{"content":"Saved <ok>","type":"success","duration":300}"#),
        ))
        .await,
    );
    assert_eq!(o.get("shown").as_f64(), Some(1.0), "{}", o.debug());
    assert!(o.text("text").ends_with("Saved <ok>"), "{}", o.debug());
    assert_eq!(o.text("type"), "success");
    assert_eq!(o.text("role"), "status");
    assert_eq!(o.get("settledWhileShown"), JsValue::FALSE);
    // success ran once the toast was gone (0 left), after about `duration`.
    assert_eq!(
        pick(&o.get("events"), "0.1").as_f64(),
        Some(0.0),
        "{}",
        o.debug()
    );
    let at = pick(&o.get("events"), "0.2").as_f64().unwrap_or_default();
    assert!((280.0..2000.0).contains(&at), "success after {at} ms");
    assert_eq!(o.get("left").as_f64(), Some(0.0));

    // Default type: none (no icon).
    let o = Outcome(
        settle(toast_lifecycle(
            &my,
            &js(r#"{"content":"Hi","duration":100}"#),
        ))
        .await,
    );
    assert_eq!(o.text("type"), "none");
}

#[wasm_bindgen_test]
async fn a_new_toast_replaces_the_shown_one() {
    let o = Outcome(settle(toast_replaced(&my())).await);
    assert_eq!(
        show(&o.get("orderAtFirst")),
        r#"["first"]"#,
        "{}",
        o.debug()
    );
    assert_eq!(show(&o.get("order")), r#"["first","second"]"#);
    assert_eq!(show(&o.get("afterFirst")), r#"["second"]"#);
    assert_eq!(o.get("left").as_f64(), Some(0.0));
}

/// Each toast is a copy of a kept one per type (src/glue/ui.rs): its own text and icon, the
/// same styles and role, never another toast's text.
#[wasm_bindgen_test]
async fn toasts_of_each_type_in_turn_show_their_own_text_and_icon() {
    let r = JsFuture::from(toasts_in_turn(&my()))
        .await
        .expect("toastsInTurn");
    let seen = |i: u32, key: &str| pick(&r, &format!("seen.{i}.{key}"));
    let expected = [
        ("success", "✓A", 2.0),
        ("none", "B <b>", 1.0),
        ("success", "✓C", 2.0),
        ("fail", "✕D", 2.0),
        ("exception", "!E", 2.0),
        ("none", "F", 1.0),
    ];
    for (i, (kind, text, spans)) in expected.into_iter().enumerate() {
        let i = i as u32;
        assert_eq!(seen(i, "count").as_f64(), Some(1.0), "{}", show(&r));
        assert_eq!(seen(i, "type").as_string().as_deref(), Some(kind));
        assert_eq!(seen(i, "role").as_string().as_deref(), Some("status"));
        assert_eq!(seen(i, "text").as_string().as_deref(), Some(text));
        assert_eq!(seen(i, "spans").as_f64(), Some(spans));
        assert_eq!(seen(i, "style"), seen(0, "style"));
    }
    assert!(seen(0, "style")
        .as_string()
        .is_some_and(|s| s.contains("position:fixed")));
    assert_eq!(pick(&r, "left").as_f64(), Some(0.0));
}

#[wasm_bindgen_test]
async fn hide_toast_removes_it_and_ends_its_call() {
    let document = web_sys::window().unwrap().document().unwrap();
    let shown = JsFuture::from(Promise::from(sync(
        "showToast",
        &[js(r#"{"content":"long","duration":60000}"#)],
    )));
    call("hideToast", "{}").await.assert_success();
    assert!(document
        .query_selector(".miniprogram-shim-toast")
        .unwrap()
        .is_none());
    assert_eq!(
        show(&shown.await.expect("showToast succeeds once hidden")),
        "{}"
    );
    call("hideToast", "{}").await.assert_success(); // nothing shown: still success
}

#[wasm_bindgen_test]
async fn toast_success_and_fail_follow_the_calling_convention() {
    call("showToast", r#"{"content":"x","duration":10}"#)
        .await
        .assert_success();
    call("showToast", r#"{"type":"rainbow"}"#)
        .await
        .assert_fail(2, "`type`");
    call("showToast", r#"{"duration":"soon"}"#)
        .await
        .assert_fail(2, "`duration`");
}

// ---- my.showLoading / my.hideLoading ----------------------------------------------------

#[wasm_bindgen_test]
async fn loading_is_one_at_a_time_and_hides_even_when_absent() {
    let o = Outcome(settle(loading_flow(&my())).await);
    assert_eq!(
        show(&o.get("afterFirst")),
        r#"["Loading <i>"]"#,
        "{}",
        o.debug()
    );
    assert_eq!(show(&o.get("afterSecond")), r#"["Again"]"#);
    assert_eq!(show(&o.get("afterHide")), "[]");
    assert_eq!(type_at(&o.0, "hiddenAgain"), "object");
    assert_eq!(show(&o.get("beforeDelay")), "[]");
    assert_eq!(show(&o.get("afterDelay")), r#"["Later"]"#);
    assert_eq!(show(&o.get("hiddenBeforeDelay")), "[]");
}

#[wasm_bindgen_test]
async fn loading_calls_follow_the_calling_convention() {
    call("showLoading", r#"{"content":"x"}"#)
        .await
        .assert_success();
    call("hideLoading", "{}").await.assert_success();
    call("hideLoading", "{}").await.assert_success();
    call("showLoading", r#"{"delay":-1}"#)
        .await
        .assert_fail(2, "`delay`");
}

// ---- my.setClipboard / my.getClipboard --------------------------------------------------

#[wasm_bindgen_test]
async fn clipboard_set_then_get_returns_the_text() {
    call("setClipboard", r#"{"text":"ORDER-42 ✓"}"#)
        .await
        .assert_success();
    let got = call("getClipboard", "{}").await;
    got.assert_success();
    assert_eq!(got.text("value.text"), "ORDER-42 ✓");
    call("setClipboard", r#"{"text":1234}"#)
        .await
        .assert_success();
    assert_eq!(call("getClipboard", "{}").await.text("value.text"), "1234");
}

#[wasm_bindgen_test]
async fn set_clipboard_without_text_fails_with_2_and_keeps_the_old_text() {
    call("setClipboard", r#"{"text":"kept"}"#)
        .await
        .assert_success();
    call("setClipboard", "{}").await.assert_fail(2, "`text`");
    call("setClipboard", r#"{"text":{"a":1}}"#)
        .await
        .assert_fail(2, "`text`");
    assert_eq!(call("getClipboard", "{}").await.text("value.text"), "kept");
}

// ---- my.getSystemInfo -------------------------------------------------------------------

#[wasm_bindgen_test]
async fn system_info_has_every_documented_field_from_the_browser() {
    let o = call("getSystemInfo", "{}").await;
    o.assert_success();
    let numbers = [
        "pixelRatio",
        "windowWidth",
        "windowHeight",
        "titleBarHeight",
        "statusBarHeight",
        "screenWidth",
        "screenHeight",
        "fontSizeSetting",
    ];
    let strings = [
        "model",
        "language",
        "version",
        "storage",
        "currentBattery",
        "system",
        "platform",
        "brand",
        "app",
    ];
    for f in numbers {
        assert_eq!(
            type_at(&o.0, &format!("value.{f}")),
            "number",
            "{f}: {}",
            o.debug()
        );
    }
    for f in strings {
        assert_eq!(
            type_at(&o.0, &format!("value.{f}")),
            "string",
            "{f}: {}",
            o.debug()
        );
    }
    let window = web_sys::window().expect("window");
    let inner = window.inner_width().expect("innerWidth").as_f64();
    assert_eq!(o.get("value.windowWidth").as_f64(), inner);
    assert_eq!(
        o.get("value.pixelRatio").as_f64(),
        Some(window.device_pixel_ratio())
    );
    let language = pick(&window.into(), "navigator.language").as_string();
    assert_eq!(o.get("value.language").as_string(), language);
    assert_eq!(o.text("value.app"), "superapp-sandbox");
    assert!(["iOS", "Android"].contains(&o.text("value.platform").as_str()));
}

// ---- storage ----------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn storage_round_trips_json_values() {
    setup();
    let values = [
        r#"{"a":1,"b":[true,null,"x"],"c":{"d":"é😀"}}"#,
        r#"[1,2,3]"#,
        r#""text""#,
        "42.5",
        "false",
        "null",
    ];
    for (i, value) in values.iter().enumerate() {
        let key = format!("k{i}");
        let options = js(&format!(r#"{{"key":"{key}","data":{value}}}"#));
        let set = call_with("setStorage", &options).await;
        set.assert_success();
        assert_eq!(show(&set.get("value")), r#"{"success":true}"#);
        let got = call("getStorage", &format!(r#"{{"key":"{key}"}}"#)).await;
        got.assert_success();
        assert_eq!(show(&got.get("value")), format!(r#"{{"data":{value}}}"#));
    }
    // Stored as JSON under the app's prefix.
    assert_eq!(
        raw_storage("miniprogram-shim/test-app/k1")
            .as_string()
            .as_deref(),
        Some("[1,2,3]")
    );
}

#[wasm_bindgen_test]
async fn a_missing_key_reads_as_null_and_remove_succeeds_anyway() {
    setup();
    let got = call("getStorage", r#"{"key":"nothing"}"#).await;
    got.assert_success();
    assert_eq!(show(&got.get("value")), r#"{"data":null}"#);
    call("setStorage", r#"{"key":"gone","data":1}"#)
        .await
        .assert_success();
    call("removeStorage", r#"{"key":"gone"}"#)
        .await
        .assert_success();
    call("removeStorage", r#"{"key":"gone"}"#)
        .await
        .assert_success();
    assert_eq!(
        show(&call("getStorage", r#"{"key":"gone"}"#).await.get("value")),
        r#"{"data":null}"#
    );
}

#[wasm_bindgen_test]
async fn storage_is_scoped_per_mini_program() {
    setup();
    call("setStorage", r#"{"key":"token","data":"A"}"#)
        .await
        .assert_success();
    configure(js(r#"{"appId":"other-app"}"#)).expect("config");
    assert_eq!(
        show(&call("getStorage", r#"{"key":"token"}"#).await.get("value")),
        r#"{"data":null}"#
    );
    call("setStorage", r#"{"key":"token","data":"B"}"#)
        .await
        .assert_success();
    configure(js(r#"{"appId":"test-app"}"#)).expect("config");
    assert_eq!(
        call("getStorage", r#"{"key":"token"}"#)
            .await
            .text("value.data"),
        "A"
    );
    assert_eq!(
        raw_storage("miniprogram-shim/other-app/token")
            .as_string()
            .as_deref(),
        Some(r#""B""#)
    );
}

#[wasm_bindgen_test]
async fn bad_storage_input_fails_with_2_and_loses_nothing() {
    setup();
    call("setStorage", r#"{"key":"k","data":"old"}"#)
        .await
        .assert_success();
    call("setStorage", r#"{"data":1}"#)
        .await
        .assert_fail(2, "`key`");
    call("setStorage", r#"{"key":42,"data":1}"#)
        .await
        .assert_fail(2, "`key`");
    call("setStorage", r#"{"key":"","data":1}"#)
        .await
        .assert_fail(2, "`key`");
    call("setStorage", r#"{"key":"k"}"#)
        .await
        .assert_fail(2, "`data`");
    call("getStorage", "{}").await.assert_fail(2, "`key`");
    call("removeStorage", r#"{"key":null}"#)
        .await
        .assert_fail(2, "`key`");

    let options = js(r#"{"key":"k"}"#);
    Reflect::set(&options, &"data".into(), &cyclic()).expect("set");
    call_with("setStorage", &options)
        .await
        .assert_fail(2, "`data`");

    let big = js(r#"{"key":"k"}"#);
    Reflect::set(
        &big,
        &"data".into(),
        &JsValue::from_str(&"x".repeat(200 * 1024)),
    )
    .expect("set");
    call_with("setStorage", &big).await.assert_fail(2, "204800");

    assert_eq!(
        call("getStorage", r#"{"key":"k"}"#)
            .await
            .text("value.data"),
        "old"
    );
    // Without callbacks, await rejects with the same fail object.
    let bare = call("setStorage", r#"{"__noCallbacks":true,"key":""}"#).await;
    assert_eq!(bare.text("state"), "rejected");
    assert_eq!(bare.get("value.error").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
fn sync_storage_returns_results_and_fail_objects() {
    setup();
    let ok = sync("setStorageSync", &[js(r#"{"key":"s","data":{"n":1}}"#)]);
    assert_eq!(show(&ok), r#"{"success":true}"#);
    assert_eq!(
        show(&sync("getStorageSync", &[js(r#"{"key":"s"}"#)])),
        r#"{"data":{"n":1}}"#
    );
    // Positional forms.
    assert_eq!(
        show(&sync("setStorageSync", &["p".into(), JsValue::from(7)])),
        r#"{"success":true}"#
    );
    assert_eq!(
        show(&sync("getStorageSync", &["p".into()])),
        r#"{"data":7}"#
    );
    assert_eq!(
        show(&sync("removeStorageSync", &["p".into()])),
        r#"{"success":true}"#
    );
    assert_eq!(
        show(&sync("getStorageSync", &["p".into()])),
        r#"{"data":null}"#
    );
    // Failures come back as the fail object; nothing is thrown, nothing lost.
    let bad = sync("setStorageSync", &[js(r#"{"key":"s"}"#)]);
    assert_eq!(pick(&bad, "error").as_f64(), Some(2.0), "{}", show(&bad));
    assert!(pick(&bad, "errorMessage")
        .as_string()
        .unwrap_or_default()
        .contains("`data`"));
    let bad = sync("getStorageSync", &[js(r#"{"key":""}"#)]);
    assert_eq!(pick(&bad, "error").as_f64(), Some(2.0));
    assert_eq!(
        show(&sync("getStorageSync", &["s".into()])),
        r#"{"data":{"n":1}}"#
    );
}

#[wasm_bindgen_test]
async fn sync_and_async_storage_share_the_same_keys() {
    setup();
    sync(
        "setStorageSync",
        &[js(r#"{"key":"shared","data":"from sync"}"#)],
    );
    assert_eq!(
        call("getStorage", r#"{"key":"shared"}"#)
            .await
            .text("value.data"),
        "from sync"
    );
    call("setStorage", r#"{"key":"shared","data":"from async"}"#)
        .await
        .assert_success();
    assert_eq!(
        pick(&sync("getStorageSync", &["shared".into()]), "data")
            .as_string()
            .as_deref(),
        Some("from async")
    );
}

/// Key visits (full re-sums of the app's storage) made by `calls`.
fn visits_during(calls: impl FnOnce()) -> u32 {
    count_key_visits();
    calls();
    key_visits_so_far()
}

#[wasm_bindgen_test]
fn storage_total_is_kept_running_and_summed_again_only_when_it_may_be_stale() {
    setup();
    let prefix = "miniprogram-shim/test-app/";
    let set = |key: &str, chars: usize| {
        let r = sync(
            "setStorageSync",
            &[key.into(), JsValue::from_str(&"x".repeat(chars))],
        );
        assert_eq!(show(&r), r#"{"success":true}"#, "{key}");
    };
    for i in 0..20 {
        set(&format!("k{i}"), 100 + i);
    }
    let matches_fresh = |when: &str| {
        assert_eq!(storage_usage().ok(), Some(fresh_usage(prefix)), "{when}");
    };
    matches_fresh("after the first writes");
    // Our own writes, overwrites and removals adjust the total without visiting other keys.
    let visits = visits_during(|| {
        set("k3", 5000);
        set("new", 7);
        sync("removeStorageSync", &["k4".into()]);
        sync("removeStorageSync", &["absent".into()]);
        set_storage_without_awaiting();
    });
    assert_eq!(visits, 0);
    matches_fresh("after writes and removals");
    // Another tab overwrites a key (localStorage.length unchanged): its `storage` event makes
    // the next write sum again, and the total counts the other tab's value.
    other_tab_changes(
        Some("miniprogram-shim/test-app/k5"),
        Some(&"z".repeat(9000)),
    );
    assert!(visits_during(|| set("k6", 1)) > 0);
    matches_fresh("after another tab's overwrite");
    other_tab_changes(Some("miniprogram-shim/test-app/k7"), None);
    assert!(visits_during(|| set("k8", 2)) > 0);
    matches_fresh("after another tab's removal");
    // Another tab's change to a key that is not the shim's leaves the total alone.
    page_sets_item("their-own", "1");
    set("k9", 3);
    other_tab_changes(Some("their-own"), Some("2"));
    assert_eq!(visits_during(|| set("k9", 4)), 0);
    // The page adding a key itself (no event in its own tab) changes localStorage.length.
    page_sets_item("page-own", "1");
    assert!(visits_during(|| set("k10", 5)) > 0);
    matches_fresh("after the page's own key");
    // Another tab clearing everything.
    other_tab_changes(None, None);
    set("k11", 6);
    matches_fresh("after another tab's clear");
    assert_eq!(fresh_usage(prefix), "k11".len() + "\"xxxxxx\"".len());
}

#[wasm_bindgen_test]
async fn values_the_page_wrote_itself_read_back_as_their_text() {
    setup();
    // Not JSON (and the empty string, which JSON.parse refuses): the text as it is.
    page_sets_item("miniprogram-shim/test-app/plain", "not json");
    page_sets_item("miniprogram-shim/test-app/empty", "");
    page_sets_item("miniprogram-shim/test-app/json", r#"{"a":[1]}"#);
    for (key, expected) in [
        ("plain", r#"{"data":"not json"}"#),
        ("empty", r#"{"data":""}"#),
        ("json", r#"{"data":{"a":[1]}}"#),
        ("absent", r#"{"data":null}"#),
    ] {
        assert_eq!(show(&sync("getStorageSync", &[key.into()])), expected);
        let got = call_with("getStorage", &js(&format!(r#"{{"key":"{key}"}}"#))).await;
        assert_eq!(show(&got.get("value")), expected, "{key}");
    }
    // A key that is not a string primitive fails as before, whatever it converts to.
    let boxed = js_sys::Function::new_no_args("return new String('plain')")
        .call0(&JsValue::UNDEFINED)
        .expect("new String");
    let bad = sync("getStorageSync", &[js(r#"{}"#)]);
    assert_eq!(pick(&bad, "error").as_f64(), Some(2.0), "{}", show(&bad));
    let options = js("{}");
    Reflect::set(&options, &"key".into(), &boxed).expect("set");
    let bad = sync("getStorageSync", &[options]);
    assert_eq!(pick(&bad, "error").as_f64(), Some(2.0), "{}", show(&bad));
}

#[wasm_bindgen_test]
fn a_write_the_browser_or_the_quota_refuses_changes_nothing() {
    setup();
    let prefix = "miniprogram-shim/test-app/";
    let ok = sync("setStorageSync", &["keep".into(), "kept".into()]);
    assert_eq!(show(&ok), r#"{"success":true}"#);
    // 200,000-character values (200,002 as JSON, under the 204,800 per key) until the browser
    // (its own localStorage quota) or the shim (10 MB per app) refuses one: 80 of them would
    // be 16 M characters, over both.
    let value = JsValue::from_str(&"x".repeat(200_000));
    let mut refused = None;
    for i in 0..80 {
        let key = format!("fill{i}");
        let r = sync("setStorageSync", &[key.as_str().into(), value.clone()]);
        if pick(&r, "error").is_undefined() {
            continue;
        }
        refused = Some((key, r));
        break;
    }
    let (key, fail) = refused.expect("one of 80 writes of 200,000 characters is refused");
    let code = pick(&fail, "error").as_f64();
    let message = pick(&fail, "errorMessage").as_string().unwrap_or_default();
    assert!(
        (code == Some(3.0) && message.contains("refused to store"))
            || (code == Some(2.0) && message.contains("the limit is 10485760")),
        "{}",
        show(&fail)
    );
    // Nothing written, and the running total still equals a fresh sum.
    assert!(raw_storage(&format!("{prefix}{key}")).is_null());
    assert_eq!(storage_usage().ok(), Some(fresh_usage(prefix)));
    // The earlier values are intact and removing one frees its room for the refused write.
    assert_eq!(
        show(&sync("getStorageSync", &["keep".into()])),
        r#"{"data":"kept"}"#
    );
    sync("removeStorageSync", &["fill0".into()]);
    sync("removeStorageSync", &["fill1".into()]);
    let r = sync("setStorageSync", &[key.as_str().into(), value]);
    assert_eq!(show(&r), r#"{"success":true}"#);
    assert_eq!(storage_usage().ok(), Some(fresh_usage(prefix)));
    clear_shim_storage();
}

/// `localStorage.setItem(key, value)` as the page would call it.
fn page_sets_item(key: &str, value: &str) {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("localStorage")
        .set_item(key, value)
        .expect("setItem");
}

/// The async forms share the running total: a `setStorage` fired without awaiting.
fn set_storage_without_awaiting() {
    let options = js(r#"{"key":"async","data":"a"}"#);
    let set_storage = Reflect::get(&my(), &"setStorage".into()).expect("setStorage");
    let set_storage: js_sys::Function = set_storage.unchecked_into();
    set_storage
        .call1(&JsValue::UNDEFINED, &options)
        .expect("call");
}

// ---- canIUse ----------------------------------------------------------------------------

#[wasm_bindgen_test]
fn can_i_use_knows_the_small_apis() {
    let cases = [
        ("confirm", true),
        ("confirm.success.confirm", true),
        ("showToast.object.duration", true),
        ("showLoading.object.delay", true),
        ("hideLoading", true),
        ("setClipboard.object.text", true),
        ("getClipboard.success.text", true),
        ("getSystemInfo.success.pixelRatio", true),
        ("setStorageSync", true),
        ("getStorage.success.data", true),
        ("getStorageSync.return.data", true),
        ("hideToast", true),
        ("clearStorage", true),
        ("startBeaconDiscovery", false),
    ];
    for (schema, expected) in cases {
        assert_eq!(
            sync("canIUse", &[schema.into()]).as_bool(),
            Some(expected),
            "{schema}"
        );
    }
}

// ---- AlipayJSBridge ---------------------------------------------------------------------

/// `bridgeCall(name, params, callback)`; resolves with the callback's argument, after checking
/// the callback ran exactly once and never synchronously.
async fn bridge(name: &str, params: &JsValue) -> JsValue {
    let p = probe();
    let callback = pick(&p, "callback");
    bridge_call(name.into(), params.clone(), callback);
    returned(&p);
    let value = settle(pick(&p, "result").into()).await;
    assert_eq!(
        pick(&p, "syncCalls").as_f64(),
        Some(0.0),
        "{name}: callback ran synchronously"
    );
    assert_eq!(pick(&p, "calls").as_f64(), Some(1.0), "{name}");
    value
}

#[wasm_bindgen_test]
async fn bridge_maps_h5_names_onto_the_my_apis() {
    setup();
    // toast: the callback runs once the toast is gone.
    let res = bridge(
        "toast",
        &js(r#"{"content":"hello","type":"success","duration":20}"#),
    )
    .await;
    assert_eq!(show(&res), "{}");
    assert_eq!(
        web_sys::window()
            .unwrap()
            .document()
            .unwrap()
            .query_selector(".miniprogram-shim-toast")
            .unwrap(),
        None
    );
    // storage through the bridge is the mini program's storage.
    bridge("setStorage", &js(r#"{"key":"h5","data":{"x":1}}"#)).await;
    assert_eq!(
        show(&sync("getStorageSync", &["h5".into()])),
        r#"{"data":{"x":1}}"#
    );
    assert_eq!(
        show(&bridge("getStorage", &js(r#"{"key":"h5"}"#)).await),
        r#"{"data":{"x":1}}"#
    );
    // clipboard and system info.
    bridge("setClipboard", &js(r#"{"text":"via h5"}"#)).await;
    assert_eq!(
        pick(&bridge("getClipboard", &JsValue::UNDEFINED).await, "text")
            .as_string()
            .as_deref(),
        Some("via h5")
    );
    assert_eq!(
        pick(&bridge("getSystemInfo", &js("{}")).await, "app")
            .as_string()
            .as_deref(),
        Some("superapp-sandbox")
    );
    // loading.
    assert_eq!(
        show(&bridge("showLoading", &js(r#"{"text":"Wait"}"#)).await),
        "{}"
    );
    let document = web_sys::window().unwrap().document().unwrap();
    let shown = document
        .query_selector(".miniprogram-shim-loading")
        .unwrap()
        .and_then(|e| e.text_content());
    assert_eq!(shown.as_deref(), Some("Wait"));
    bridge("hideLoading", &JsValue::UNDEFINED).await;
    assert!(document
        .query_selector(".miniprogram-shim-loading")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn bridge_confirm_and_alert_take_the_h5_parameter_names() {
    let clicked = click_later(".miniprogram-shim-confirm [data-action=confirm]", 40);
    let res = bridge(
        "confirm",
        &js(r#"{"title":"T","message":"M","okButton":"Yes","cancelButton":"No"}"#),
    )
    .await;
    assert_eq!(show(&res), r#"{"confirm":true,"ok":true}"#);
    assert_eq!(
        settle(clicked).await.as_string().as_deref(),
        Some("TMNoYes")
    );

    let clicked = click_later(".miniprogram-shim-alert button", 40);
    let res = bridge(
        "alert",
        &js(r#"{"title":"A","message":"Body","button":"Fine"}"#),
    )
    .await;
    assert_eq!(show(&res), "{}");
    assert_eq!(
        settle(clicked).await.as_string().as_deref(),
        Some("ABodyFine")
    );
}

#[wasm_bindgen_test]
async fn bridge_ap_data_storage_keeps_strings_apart_from_my_storage() {
    setup();
    let ok = bridge(
        "setAPDataStorage",
        &js(r#"{"type":"common","business":"biz","key":"k","value":"v1"}"#),
    )
    .await;
    assert_eq!(show(&ok), r#"{"success":true}"#);
    assert_eq!(
        show(&bridge("getAPDataStorage", &js(r#"{"business":"biz","key":"k"}"#)).await),
        r#"{"data":"v1"}"#
    );
    assert_eq!(
        show(&sync("getStorageSync", &["k".into()])),
        r#"{"data":null}"#
    );
    bridge(
        "removeAPDataStorage",
        &js(r#"{"business":"biz","key":"k"}"#),
    )
    .await;
    assert_eq!(
        show(&bridge("getAPDataStorage", &js(r#"{"business":"biz","key":"k"}"#)).await),
        r#"{"data":null}"#
    );
    let bad = bridge("setAPDataStorage", &js(r#"{"business":"biz","value":"v"}"#)).await;
    assert_eq!(pick(&bad, "error").as_f64(), Some(2.0), "{}", show(&bad));
}

#[wasm_bindgen_test]
async fn bridge_answers_unknown_names_and_failures_through_the_one_callback() {
    let res = bridge("startBeaconDiscovery", &js("{}")).await;
    assert_eq!(pick(&res, "error").as_f64(), Some(1.0));
    assert!(pick(&res, "errorMessage")
        .as_string()
        .unwrap_or_default()
        .contains("startBeaconDiscovery"));
    let res = bridge("setStorage", &js(r#"{"data":1}"#)).await;
    assert_eq!(pick(&res, "error").as_f64(), Some(2.0));
    assert!(pick(&res, "errorMessage")
        .as_string()
        .unwrap_or_default()
        .contains("`key`"));
    let res = bridge("toast", &JsValue::from(3)).await;
    assert_eq!(pick(&res, "error").as_f64(), Some(2.0));
    // `call(name, callback)`: the params may be left out.
    let p = probe();
    bridge_call(
        "getSystemInfo".into(),
        pick(&p, "callback"),
        JsValue::UNDEFINED,
    );
    let res = settle(pick(&p, "result").into()).await;
    assert_eq!(type_at(&res, "windowWidth"), "number");
    // No callback at all: runs, nothing breaks.
    bridge_call("hideLoading".into(), JsValue::UNDEFINED, JsValue::UNDEFINED);
}
