//! Browser tests of the issue 9 core APIs: every name answers (error 1 in its calling shape,
//! never a `TypeError`), `clearStorage`/`getStorageInfo` and the Sync info APIs, the network
//! type and its events, app events, and the device APIs with the state `setDeviceState` sets.
//! The early (before-ready) forms in `www/my.js` are tested in `tests/bootstrap/`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Promise};
use miniprogram_shim::can_i_use::SUPPORTED;
use miniprogram_shim::{
    can_i_use, configure, create_my, set_device_state, storage_usage, user_capture_screen,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

mod common;
use common::{js, pick, record, settle, show, Outcome};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/fixtures/jsapi_core.js")]
extern "C" {
    #[wasm_bindgen(js_name = callNamed)]
    fn call_named(my: &JsValue, name: &str, a: &JsValue, b: &JsValue) -> JsValue;
    fn listen(my: &JsValue, on_name: &str) -> JsValue;
    fn unlisten(my: &JsValue, off_name: &str, rec: &JsValue);
    #[wasm_bindgen(js_name = keysOf)]
    fn keys_of(obj: &JsValue) -> Array;
    #[wasm_bindgen(js_name = typeOfMember)]
    fn type_of_member(obj: &JsValue, name: &str) -> String;
    #[wasm_bindgen(js_name = fireError)]
    fn fire_error(message: &str);
    #[wasm_bindgen(js_name = fireUnhandledRejection)]
    fn fire_unhandled_rejection(reason: &str);
    #[wasm_bindgen(js_name = rawSet)]
    fn raw_set(key: &str, value: &str);
    #[wasm_bindgen(js_name = rawGet)]
    fn raw_get(key: &str) -> JsValue;
    #[wasm_bindgen(js_name = clearShimStorage)]
    fn clear_shim_storage();
    fn tick() -> Promise;
}

fn my() -> JsValue {
    create_my().into()
}

fn setup() {
    configure(js(
        r#"{"appId":"core-app","logger":null,"networkFaults":{"offline":false},"extrasUrl":"/pkg/extras/miniprogram_shim_extras.js"}"#,
    ))
    .expect("config");
    set_device_state(js(
        r#"{"networkType":"WIFI","batteryLevel":100,"charging":false,"foreground":true}"#,
    ))
    .expect("device state");
    clear_shim_storage();
}

async fn call(api: &str, options: &str) -> Outcome {
    Outcome(settle(record(&my(), api, &js(options), -1)).await)
}

fn sync_call(name: &str, a: &JsValue) -> JsValue {
    call_named(&my(), name, a, &JsValue::UNDEFINED)
}

fn calls(rec: &JsValue) -> u32 {
    Array::from(&pick(rec, "calls")).length()
}

async fn next_tick() {
    JsFuture::from(tick()).await.expect("tick");
}

#[wasm_bindgen_test]
fn my_has_exactly_the_registered_apis() {
    let mut expected: Vec<String> = SUPPORTED.iter().map(|a| a.name.to_owned()).collect();
    expected.sort();
    let keys: Vec<String> = keys_of(&my())
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    assert_eq!(keys, expected);
}

#[wasm_bindgen_test]
async fn unsupported_async_apis_fail_with_error_1_through_fail_complete_and_the_promise() {
    setup();
    for name in ["startBeaconDiscovery", "chooseVideo", "someFutureApi"] {
        let out = call(name, "{}").await;
        out.assert_fail_code(1);
        assert_eq!(
            out.text("value.errorMessage"),
            format!("{name} is not supported by this simulator")
        );
        assert!(!can_i_use(JsValue::from_str(name)), "{name}");
    }
    // Without callbacks: the Promise rejects with the same object.
    let out = call("chooseVideo", r#"{"__noCallbacks":true}"#).await;
    assert_eq!(out.text("state"), "rejected");
    assert_eq!(out.get("value.error").as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
fn unsupported_sync_apis_return_the_fail_object_and_listeners_return_nothing() {
    setup();
    for name in [
        "createSelectorQuery",
        "getExtConfigSync",
        "madeUpSync",
        "getSystemSetting",
    ] {
        let r = sync_call(name, &JsValue::UNDEFINED);
        assert_eq!(
            pick(&r, "error").as_f64(),
            Some(1.0),
            "{name}: {}",
            show(&r)
        );
        assert_eq!(
            pick(&r, "errorMessage").as_string().unwrap_or_default(),
            format!("{name} is not supported by this simulator")
        );
    }
    let f = js_sys::Function::new_no_args("");
    for name in ["onAccelerometerChange", "offBeaconUpdate", "onSomethingNew"] {
        assert!(sync_call(name, &f).is_undefined(), "{name}");
    }
}

#[wasm_bindgen_test]
fn my_is_not_a_thenable_and_answers_only_api_looking_names() {
    let my = my();
    assert_eq!(type_of_member(&my, "then"), "undefined");
    assert_eq!(type_of_member(&my, "toJSON"), "undefined");
    assert_eq!(type_of_member(&my, "_private"), "undefined");
    assert_eq!(type_of_member(&my, "anyApiName"), "function");
    assert_eq!(type_of_member(&my, "request"), "function");
}

#[wasm_bindgen_test]
async fn clear_storage_removes_only_this_apps_keys() {
    setup();
    raw_set("miniprogram-shim/other-app/keep", "1");
    raw_set("page-own-key", "2");
    for api in ["clearStorage", "clearStorageSync"] {
        sync_call("setStorageSync", &js(r#"{"key":"a","data":{"x":1}}"#));
        sync_call("setStorageSync", &js(r#"{"key":"b","data":"text"}"#));
        assert!(storage_usage().expect("usage") > 0);
        if api == "clearStorage" {
            let out = call(api, "{}").await;
            out.assert_success();
            assert_eq!(out.get("value.success"), JsValue::TRUE);
        } else {
            assert_eq!(
                pick(&sync_call(api, &JsValue::UNDEFINED), "success"),
                JsValue::TRUE
            );
        }
        assert!(raw_get("miniprogram-shim/core-app/a").is_null(), "{api}");
        assert!(raw_get("miniprogram-shim/core-app/b").is_null(), "{api}");
        assert_eq!(storage_usage().expect("usage"), 0, "{api}");
    }
    assert_eq!(
        raw_get("miniprogram-shim/other-app/keep")
            .as_string()
            .as_deref(),
        Some("1")
    );
    assert_eq!(raw_get("page-own-key").as_string().as_deref(), Some("2"));
}

#[wasm_bindgen_test]
async fn get_storage_info_lists_keys_and_kilobytes() {
    setup();
    let big = "x".repeat(2000);
    call_named(
        &my(),
        "setStorageSync",
        &JsValue::from_str("k1"),
        &JsValue::from_str(&big),
    );
    call_named(
        &my(),
        "setStorageSync",
        &JsValue::from_str("k2"),
        &JsValue::from(1),
    );
    let out = call("getStorageInfo", "{}").await;
    out.assert_success();
    let keys: Vec<String> = Array::from(&out.get("value.keys"))
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(sorted, ["k1", "k2"]);
    // k1 + "x…" (2002 characters of JSON) + k2 + "1": 2007 characters → 2 KB.
    assert_eq!(out.get("value.currentSize").as_f64(), Some(2.0));
    assert_eq!(out.get("value.limitSize").as_f64(), Some(10240.0));
    let sync = sync_call("getStorageInfoSync", &JsValue::UNDEFINED);
    assert_eq!(pick(&sync, "currentSize").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
fn the_sync_info_apis_return_their_documented_fields() {
    setup();
    let info = sync_call("getSystemInfoSync", &JsValue::UNDEFINED);
    assert_eq!(
        pick(&info, "model").as_string().as_deref(),
        Some("Simulator")
    );
    assert!(pick(&info, "windowWidth").as_f64().is_some_and(|w| w > 0.0));
    let bad = sync_call("getSystemInfoSync", &JsValue::from(3));
    assert_eq!(pick(&bad, "error").as_f64(), Some(2.0));

    let w = sync_call("getWindowInfo", &JsValue::UNDEFINED);
    assert_eq!(
        pick(&w, "safeArea.width").as_f64(),
        pick(&w, "windowWidth").as_f64()
    );
    assert_eq!(pick(&w, "statusBarHeight").as_f64(), Some(0.0));

    let b = sync_call("getAppBaseInfo", &JsValue::UNDEFINED);
    assert_eq!(
        pick(&b, "SDKVersion").as_string().as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );

    let a = sync_call("getAccountInfoSync", &JsValue::UNDEFINED);
    assert_eq!(
        pick(&a, "miniProgram.appId").as_string().as_deref(),
        Some("core-app")
    );
    assert_eq!(
        pick(&a, "miniProgram.envVersion").as_string().as_deref(),
        Some("develop")
    );
    let id = sync_call("getAppIdSync", &JsValue::UNDEFINED);
    assert_eq!(pick(&id, "appId").as_string().as_deref(), Some("core-app"));

    for name in ["getLaunchOptionsSync", "getEnterOptionsSync"] {
        let o = sync_call(name, &JsValue::UNDEFINED);
        assert_eq!(pick(&o, "scene").as_f64(), Some(1000.0), "{name}");
        assert!(pick(&o, "path").is_string(), "{name}");
        assert_eq!(type_of_member(&o, "query"), "object", "{name}");
    }
}

#[wasm_bindgen_test]
async fn network_type_follows_the_devtools_and_reports_changes() {
    setup();
    let out = call("getNetworkType", "{}").await;
    out.assert_success();
    assert_eq!(out.get("value.networkAvailable"), JsValue::TRUE);
    assert_eq!(out.text("value.networkType"), "WIFI");

    let rec = listen(&my(), "onNetworkStatusChange");
    set_device_state(js(r#"{"networkType":"4G"}"#)).expect("4G");
    assert_eq!(calls(&rec), 1);
    assert_eq!(
        pick(&rec, "calls.0.0.networkType").as_string().as_deref(),
        Some("4G")
    );
    assert_eq!(pick(&rec, "calls.0.0.isConnected"), JsValue::TRUE);
    // The same state again is no change.
    set_device_state(js(r#"{"networkType":"4G"}"#)).expect("4G");
    assert_eq!(calls(&rec), 1);
    // The devtools' offline switch.
    configure(js(r#"{"networkFaults":{"offline":true}}"#)).expect("offline");
    assert_eq!(calls(&rec), 2);
    assert_eq!(pick(&rec, "calls.1.0.isConnected"), JsValue::FALSE);
    assert_eq!(
        pick(&rec, "calls.1.0.networkType").as_string().as_deref(),
        Some("NOTREACHABLE")
    );
    let out = call("getNetworkType", "{}").await;
    assert_eq!(out.get("value.networkAvailable"), JsValue::FALSE);
    unlisten(&my(), "offNetworkStatusChange", &rec);
    configure(js(r#"{"networkFaults":{"offline":false}}"#)).expect("online");
    assert_eq!(calls(&rec), 2, "removed listeners are not called");
}

#[wasm_bindgen_test]
fn bad_device_state_is_refused_naming_the_key() {
    setup();
    for (patch, key) in [
        (r#"{"networkType":"5G"}"#, "networkType"),
        (r#"{"batteryLevel":101}"#, "batteryLevel"),
        (r#"{"batteryLevel":"50"}"#, "batteryLevel"),
        (r#"{"charging":"yes"}"#, "charging"),
        (r#"{"foreground":1}"#, "foreground"),
    ] {
        let err = set_device_state(js(patch)).expect_err(patch);
        let message = String::from(js_sys::Error::from(JsValue::from(err)).message());
        assert!(message.contains(key), "{patch}: {message}");
    }
    // Nothing applied from a refused patch.
    assert!(set_device_state(js(r#"{"networkType":"2G","batteryLevel":-1}"#)).is_err());
    let b = sync_call("getBatteryInfoSync", &JsValue::UNDEFINED);
    assert_eq!(pick(&b, "level").as_f64(), Some(100.0));
}

#[wasm_bindgen_test]
async fn battery_follows_the_devtools() {
    setup();
    set_device_state(js(r#"{"batteryLevel":20,"charging":true}"#)).expect("battery");
    let out = call("getBatteryInfo", "{}").await;
    out.assert_success();
    assert_eq!(out.get("value.level").as_f64(), Some(20.0));
    assert_eq!(out.get("value.isCharging"), JsValue::TRUE);
    let sync = sync_call("getBatteryInfoSync", &JsValue::UNDEFINED);
    assert_eq!(pick(&sync, "level").as_f64(), Some(20.0));
}

#[wasm_bindgen_test]
fn app_show_and_hide_follow_the_foreground_switch() {
    setup();
    let shown = listen(&my(), "onAppShow");
    let hidden = listen(&my(), "onAppHide");
    set_device_state(js(r#"{"foreground":false}"#)).expect("background");
    assert_eq!((calls(&shown), calls(&hidden)), (0, 1));
    set_device_state(js(r#"{"foreground":true}"#)).expect("foreground");
    assert_eq!((calls(&shown), calls(&hidden)), (1, 1));
    assert_eq!(pick(&shown, "calls.0.0.scene").as_f64(), Some(1000.0));
    unlisten(&my(), "offAppShow", &shown);
    unlisten(&my(), "offAppHide", &hidden);
    set_device_state(js(r#"{"foreground":false}"#)).expect("background");
    set_device_state(js(r#"{"foreground":true}"#)).expect("foreground");
    assert_eq!((calls(&shown), calls(&hidden)), (1, 1));
    // A non-function is refused without throwing.
    assert!(sync_call("onAppShow", &JsValue::from(5)).is_undefined());
}

#[wasm_bindgen_test]
fn on_user_capture_screen_follows_the_devtools_button() {
    setup();
    let shots = listen(&my(), "onUserCaptureScreen");
    user_capture_screen();
    user_capture_screen();
    assert_eq!(calls(&shots), 2);
    unlisten(&my(), "offUserCaptureScreen", &shots);
    user_capture_screen();
    assert_eq!(calls(&shots), 2);
    assert!(sync_call("onUserCaptureScreen", &JsValue::from(5)).is_undefined());
}

#[wasm_bindgen_test]
async fn on_error_and_on_unhandled_rejection_see_the_pages_failures() {
    setup();
    let errors = listen(&my(), "onError");
    let rejections = listen(&my(), "onUnhandledRejection");
    fire_error("boom");
    fire_unhandled_rejection("nope");
    next_tick().await;
    assert_eq!(calls(&errors), 1);
    assert_eq!(
        pick(&errors, "calls.0.0").as_string().as_deref(),
        Some("boom")
    );
    // The stack (Chromium starts it with the message, Firefox lists only the frames).
    assert!(pick(&errors, "calls.0.1")
        .as_string()
        .is_some_and(|s| s.contains("fireError")));
    assert_eq!(calls(&rejections), 1);
    assert_eq!(
        pick(&rejections, "calls.0.0.reason").as_string().as_deref(),
        Some("nope")
    );
    unlisten(&my(), "offError", &errors);
    unlisten(&my(), "offUnhandledRejection", &rejections);
    fire_error("again");
    fire_unhandled_rejection("again");
    next_tick().await;
    assert_eq!((calls(&errors), calls(&rejections)), (1, 1));
}

/// The phone's actuators live in the extras module: the start module's `my` loads it on the
/// first call (`extrasUrl` in `setup`).
#[wasm_bindgen_test]
async fn device_apis_succeed_and_name_their_bad_options() {
    setup();
    for api in ["vibrate", "vibrateShort", "vibrateLong"] {
        call(api, "{}").await.assert_success();
    }
    call("makePhoneCall", r#"{"number":"+1 555 0100"}"#)
        .await
        .assert_success();
    for bad in [r#"{}"#, r#"{"number":"call me"}"#] {
        let out = call("makePhoneCall", bad).await;
        out.assert_fail_code(2);
        assert!(
            out.text("value.errorMessage").contains("`number`"),
            "{}",
            out.debug()
        );
    }
    call("setKeepScreenOn", r#"{"keepScreenOn":true}"#)
        .await
        .assert_success();
    let out = call("setKeepScreenOn", r#"{"keepScreenOn":"yes"}"#).await;
    out.assert_fail_code(2);
    assert!(out.text("value.errorMessage").contains("`keepScreenOn`"));

    call("setScreenBrightness", r#"{"brightness":0.3}"#)
        .await
        .assert_success();
    let out = call("getScreenBrightness", "{}").await;
    out.assert_success();
    assert_eq!(out.get("value.brightness").as_f64(), Some(0.3));
    for bad in [r#"{"brightness":2}"#, r#"{"brightness":"dim"}"#, "{}"] {
        let out = call("setScreenBrightness", bad).await;
        out.assert_fail_code(2);
        assert!(
            out.text("value.errorMessage").contains("`brightness`"),
            "{bad}"
        );
    }
}

fn document_title() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.title())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_title_bar_apis_standalone_set_the_page_title_and_keep_the_rest() {
    setup();
    call("setNavigationBar", r##"{"title":"Orders","backgroundColor":"#ffd400","borderBottomColor":"rgb(255, 0, 0)","frontColor":"#000000"}"##)
        .await
        .assert_success();
    assert_eq!(document_title(), "Orders");
    let o = call("setNavigationBar", "{}").await;
    assert_eq!(show(&o.get("value")), "{}");
    call(
        "setNavigationBarTitle",
        r##"{"title":"Order 42","image":"/logo.png"}"##,
    )
    .await
    .assert_success();
    assert_eq!(document_title(), "Order 42");
    // Each part reads only its own options: a title given to the colour API is not its own.
    call(
        "setNavigationBarColor",
        r##"{"backgroundColor":"#000","title":5}"##,
    )
    .await
    .assert_success();
    assert_eq!(document_title(), "Order 42");
    call(
        "setNavigationBarBottomLineColor",
        r##"{"borderBottomColor":"#eee"}"##,
    )
    .await
    .assert_success();
    call("showNavigationBarLoading", "{}")
        .await
        .assert_success();
    call("hideNavigationBarLoading", "{}")
        .await
        .assert_success();
    call("setNavigationBar", r##"{"reset":true}"##)
        .await
        .assert_success();
    assert_eq!(document_title(), "Order 42", "reset keeps the title");
    // A shell configured but no parent window (opened alone): the page's title all the same.
    configure(js(
        r##"{"tradePayHost":"shell","superAppOrigin":"http://127.0.0.1:1"}"##,
    ))
    .expect("shell config");
    call("setNavigationBar", r##"{"title":"Alone"}"##)
        .await
        .assert_success();
    assert_eq!(document_title(), "Alone");
    configure(js(r##"{"tradePayHost":"overlay"}"##)).expect("overlay");
}

#[wasm_bindgen_test]
async fn the_title_bar_apis_refuse_bad_options_naming_them() {
    setup();
    let cases = [
        ("setNavigationBar", r##"{"title":5}"##, "`title`"),
        ("setNavigationBar", r##"{"image":{}}"##, "`image`"),
        (
            "setNavigationBar",
            r##"{"image":"javascript:alert(1)"}"##,
            "`image`",
        ),
        (
            "setNavigationBar",
            r##"{"backgroundColor":"url(http://evil.example/x)"}"##,
            "`backgroundColor`",
        ),
        (
            "setNavigationBar",
            r##"{"backgroundColor":"red;background:url(x)"}"##,
            "`backgroundColor`",
        ),
        (
            "setNavigationBar",
            r##"{"borderBottomColor":7}"##,
            "`borderBottomColor`",
        ),
        (
            "setNavigationBar",
            r##"{"frontColor":"#ff0000"}"##,
            "`frontColor`",
        ),
        ("setNavigationBar", r##"{"reset":"yes"}"##, "`reset`"),
        ("setNavigationBarTitle", r##"{"title":["a"]}"##, "`title`"),
        (
            "setNavigationBarColor",
            r##"{"frontColor":"white"}"##,
            "`frontColor`",
        ),
        (
            "setNavigationBarBottomLineColor",
            r##"{"borderBottomColor":"expression(1)"}"##,
            "`borderBottomColor`",
        ),
    ];
    let before = document_title();
    for (api, options, named) in cases {
        let o = call(api, options).await;
        assert_eq!(o.events(), ["fail", "complete"], "{api} {options}");
        o.assert_fail_code(2);
        assert!(
            o.text("value.errorMessage").contains(named),
            "{api} {options}: {}",
            o.debug()
        );
    }
    assert_eq!(document_title(), before, "a refused call changes nothing");
}
