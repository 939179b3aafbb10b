//! Browser tests of `my.getSetting` and `my.openSetting` as far as a page alone can take them:
//! outside the simulator (no shell around the page) both fail with error 3 saying why, through
//! `fail`, `complete` and the Promise; bad options are error 2 naming them. The answer from the
//! shell and its settings sheet are tested end to end against the real sandbox
//! (`tests/e2e/settings.test.mjs`).
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Reflect};
use miniprogram_shim_extras::{configure, create_my};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

#[path = "../../tests/common/mod.rs"]
mod common;
use common::{js, record, settle, Outcome};

wasm_bindgen_test_configure!(run_in_browser);

async fn run(api: &str, options: &str) -> Outcome {
    let my: JsValue = create_my().into();
    Outcome(settle(record(&my, api, &js(options), -1)).await)
}

#[wasm_bindgen_test]
async fn standalone_both_fail_3_saying_the_simulator_answers_them() {
    configure(js(
        r#"{"appId":"test-app","logger":null,"superAppOrigin":"http://127.0.0.1:18700","tradePayHost":"overlay"}"#,
    ))
    .expect("config");
    for api in ["getSetting", "openSetting"] {
        let o = run(api, "{}").await;
        o.assert_fail_code(3);
        let message = o.text("value.errorMessage");
        assert!(message.starts_with(&format!("{api}:fail")), "{message}");
        assert!(message.contains("simulator"), "{message}");
    }
}

#[wasm_bindgen_test]
async fn a_shell_host_with_no_shell_around_the_page_fails_3() {
    configure(js(
        r#"{"appId":"test-app","logger":null,"superAppOrigin":"http://127.0.0.1:18700","tradePayHost":"shell"}"#,
    ))
    .expect("config");
    let o = run("getSetting", "{}").await;
    o.assert_fail_code(3);
    assert!(
        o.text("value.errorMessage").contains("shell"),
        "{}",
        o.debug()
    );
}

#[wasm_bindgen_test]
async fn bad_options_are_error_2_naming_them() {
    configure(js(
        r#"{"appId":"test-app","logger":null,"tradePayHost":"shell"}"#,
    ))
    .expect("config");
    let my: JsValue = create_my().into();
    for api in ["getSetting", "openSetting"] {
        for bad in [
            JsValue::from_str("settings"),
            JsValue::from_f64(7.0),
            JsValue::TRUE,
        ] {
            let f: Function = Reflect::get(&my, &JsValue::from_str(api))
                .expect("method")
                .dyn_into()
                .expect("a function");
            let promise: js_sys::Promise =
                f.call1(&JsValue::UNDEFINED, &bad).expect("returns").into();
            let err = JsFuture::from(promise).await.expect_err("rejects");
            let code = Reflect::get(&err, &JsValue::from_str("error"))
                .ok()
                .and_then(|v| v.as_f64());
            let message = Reflect::get(&err, &JsValue::from_str("errorMessage"))
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            assert_eq!(code, Some(2.0), "{api}({bad:?}): {message}");
            assert!(message.contains("`options`"), "{api}: {message}");
        }
    }
}
