//! What `tests/browser.rs` and `tests/small_apis.rs` share: the recording fixture
//! (`tests/fixtures/mini_program.js`) and `Outcome`, what one recorded call did.
#![allow(dead_code)]

use js_sys::{Array, Promise, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/tests/fixtures/mini_program.js")]
extern "C" {
    pub fn record(my: &JsValue, api: &str, options: &JsValue, abort_after_ms: i32) -> Promise;
    pub fn pick(obj: &JsValue, path: &str) -> JsValue;
    #[wasm_bindgen(js_name = typeAt)]
    pub fn type_at(obj: &JsValue, path: &str) -> String;
    pub fn show(value: &JsValue) -> String;
}

pub fn js(json: &str) -> JsValue {
    JSON::parse(json).unwrap_or_else(|_| panic!("test JSON: {json}"))
}

pub async fn settle(promise: Promise) -> JsValue {
    JsFuture::from(promise).await.expect("fixture promise")
}

/// What one recorded call did (see `record` in mini_program.js).
pub struct Outcome(pub JsValue);

impl Outcome {
    pub fn get(&self, path: &str) -> JsValue {
        pick(&self.0, path)
    }
    pub fn text(&self, path: &str) -> String {
        let v = self.get(path);
        v.as_string().unwrap_or_else(|| show(&v))
    }
    pub fn events(&self) -> Vec<String> {
        Array::from(&self.get("events"))
            .iter()
            .map(|e| Array::from(&e).get(0).as_string().unwrap_or_default())
            .collect()
    }
    pub fn debug(&self) -> String {
        show(&self.0)
    }
    /// success → success + complete, same object, Promise fulfilled with it.
    pub fn assert_success(&self) -> &Self {
        assert_eq!(self.events(), ["success", "complete"], "{}", self.debug());
        assert_eq!(self.text("state"), "fulfilled", "{}", self.debug());
        assert_eq!(self.get("sameObject"), JsValue::TRUE, "{}", self.debug());
        self
    }
    /// failure → fail + complete, same object, Promise rejected with it, `error` = code.
    pub fn assert_fail_code(&self, code: u32) -> &Self {
        assert_eq!(self.events(), ["fail", "complete"], "{}", self.debug());
        assert_eq!(self.text("state"), "rejected", "{}", self.debug());
        assert_eq!(self.get("sameObject"), JsValue::TRUE, "{}", self.debug());
        assert_eq!(
            self.get("value.error").as_f64(),
            Some(f64::from(code)),
            "{}",
            self.debug()
        );
        self
    }
}
