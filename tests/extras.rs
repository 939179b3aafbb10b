//! Browser tests of the extras module (`extras/`, `pkg/extras/`) through the start module's
//! `my`: the first call of one of its APIs loads it, calls made meanwhile queue and run in
//! order, it gets the configuration set before it loaded (the phone's inputs, the devtools
//! logger) and after, and the H5 bridge names reach it. Needs `pkg/extras/` built (the test
//! runner serves the repository's files; `extrasUrl` points there). The load failure is
//! `tests/extras_missing.rs` (a page loads the module once).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Promise};
use miniprogram_shim::{bridge_call, configure, create_my, load_extras};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

mod common;
use common::{js, pick, settle, show};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/fixtures/extras.js")]
extern "C" {
    #[wasm_bindgen(js_name = twoCallsAtOnce)]
    fn two_calls_at_once(my: &JsValue) -> Promise;
}

#[wasm_bindgen(module = "/extras/tests/fixtures/pickers.js")]
extern "C" {
    #[wasm_bindgen(js_name = clickWhenShown)]
    fn click_when_shown(selector: &str, typed: Option<String>) -> Promise;
}

const EXTRAS: &str = r#"{"appId":"test-app","extrasUrl":"/pkg/extras/miniprogram_shim_extras.js"}"#;

#[wasm_bindgen_test]
async fn the_first_call_loads_the_module_with_the_configuration_and_queued_calls_run_in_order() {
    configure(js(EXTRAS)).expect("config");
    let entries = Array::new();
    let logger = {
        let entries = entries.clone();
        Closure::<dyn Fn(JsValue)>::new(move |e: JsValue| {
            entries.push(&e);
        })
    };
    // Set before the module loads: it must get them.
    let config = js(
        r#"{"device":{"location":{"latitude":30.2741,"longitude":120.1551,"city":"Hangzhou"}}}"#,
    );
    js_sys::Reflect::set(&config, &"logger".into(), logger.as_ref()).unwrap();
    configure(config).expect("device and logger");

    let my: JsValue = create_my().into();
    let r = settle(two_calls_at_once(&my)).await;
    configure(js(r#"{"logger":null}"#)).unwrap();
    assert_eq!(show(&pick(&r, "order")), r#"["a","a done","b","b done"]"#);
    assert_eq!(pick(&r, "sameBefore"), JsValue::TRUE);
    assert_eq!(pick(&r, "sameAfter"), JsValue::TRUE);
    assert_eq!(pick(&r, "inBefore"), JsValue::TRUE);
    assert_eq!(pick(&r, "canBefore"), JsValue::TRUE);
    assert_eq!(show(&pick(&r, "results.0.latitude")), r#""30.2741""#);
    assert_eq!(show(&pick(&r, "results.1.city")), r#""Hangzhou""#);
    // The module's calls reach the logger configured before it loaded.
    let apis: Vec<String> = entries
        .iter()
        .map(|e| pick(&e, "api").as_string().unwrap_or_default())
        .collect();
    assert_eq!(apis, ["getLocation", "getLocation"], "{}", show(&entries));
}

#[wasm_bindgen_test]
async fn configuration_after_the_load_reaches_the_module() {
    configure(js(EXTRAS)).expect("config");
    configure(js(
        r#"{"device":{"location":{"latitude":3.5,"longitude":4.5}}}"#,
    ))
    .unwrap();
    let my: JsValue = create_my().into();
    let r = settle(two_calls_at_once(&my)).await; // loaded (if it was not yet)
    assert_eq!(show(&pick(&r, "results.0.latitude")), r#""3.5""#);
    configure(js(
        r#"{"device":{"location":{"latitude":1.5,"longitude":2.5}}}"#,
    ))
    .unwrap();
    let r = settle(two_calls_at_once(&my)).await;
    assert_eq!(show(&pick(&r, "results.0.latitude")), r#""1.5""#);
}

#[wasm_bindgen_test]
async fn once_the_module_is_loaded_a_bad_device_input_refuses_the_whole_call() {
    configure(js(EXTRAS)).expect("config");
    JsFuture::from(load_extras())
        .await
        .expect("the extras module loads");
    let err = configure(js(
        r#"{"appId":"not-applied","device":{"location":{"latitude":91,"longitude":0}}}"#,
    ))
    .expect_err("latitude 91");
    let message = String::from(js_sys::Error::from(JsValue::from(err)).message());
    assert!(message.contains("device.location.latitude"), "{message}");
    let my: JsValue = create_my().into();
    let app_id = js_sys::Reflect::get(&my, &"getAppIdSync".into()).unwrap();
    let app_id = js_sys::Function::from(app_id).call0(&my).unwrap();
    assert_eq!(show(&pick(&app_id, "appId")), r#""test-app""#);
    let err = configure(js(r#"{"extrasUrl":5}"#)).expect_err("extrasUrl 5");
    let message = String::from(js_sys::Error::from(JsValue::from(err)).message());
    assert!(message.contains("extrasUrl"), "{message}");
}

/// `AlipayJSBridge.call(name, params)` with the sheet answered by `click`.
async fn bridge(name: &str, params: &str, click: &str, typed: Option<&str>) -> JsValue {
    configure(js(EXTRAS)).expect("config");
    let (tx, rx) = futures_channel();
    let callback = Closure::once_into_js(move |r: JsValue| {
        let _ = tx.call1(&JsValue::UNDEFINED, &r);
    });
    let clicked = click_when_shown(click, typed.map(String::from));
    bridge_call(name.into(), js(params), callback);
    assert_eq!(settle(clicked).await, JsValue::TRUE, "{name}: no sheet");
    settle(rx).await
}

/// A Promise and its resolve function.
fn futures_channel() -> (js_sys::Function, Promise) {
    let mut resolve = None;
    let promise = Promise::new(&mut |res, _| resolve = Some(res));
    (resolve.expect("executor ran"), promise)
}
#[wasm_bindgen_test]
async fn bridge_names_run_the_pickers_with_h5_parameters() {
    let r = bridge(
        "actionSheet",
        r#"{"title":"T","btns":["One","Two"],"cancelBtn":"No"}"#,
        "[data-index=\"1\"]",
        None,
    )
    .await;
    assert_eq!(show(&r), r#"{"index":1,"success":true}"#);
    let r = bridge(
        "prompt",
        r#"{"title":"T","okButton":"Go"}"#,
        "[data-action=confirm]",
        Some("typed"),
    )
    .await;
    assert_eq!(
        show(&r),
        r#"{"ok":true,"inputValue":"typed","inputContent":"typed"}"#
    );
    let r = bridge(
        "datePicker",
        r#"{"currentDate":"2020-05-06"}"#,
        "[data-action=confirm]",
        None,
    )
    .await;
    assert_eq!(show(&r), r#"{"date":"2020-05-06"}"#);
}
