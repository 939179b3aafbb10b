//! `AlipayJSBridge.call(name, params, callback)` for H5 pages: runs the `my.*` method that
//! `crate::bridge::BRIDGE_APIS` names, with H5's parameter names mapped, and gives the one
//! callback the success result or the fail object `{ error, errorMessage }` (H5 convention).
//! An unknown name calls back with error 1. The callback always runs asynchronously.
//! `www/my.js` defines `window.AlipayJSBridge` and fires `AlipayJSBridgeReady`.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::adapter::{set, Failure};
use super::options::{get, text};
use crate::bridge::{ap_data_key, lookup, unknown_api_message, BridgeApi, Params};
use crate::error::ApiError;

/// The `my` options for an H5 call's params.
fn options_for(entry: &BridgeApi, params: &JsValue) -> Result<JsValue, ApiError> {
    if !(params.is_undefined() || params.is_null() || params.is_object()) {
        return Err(ApiError::invalid("params", "must be an object"));
    }
    let options = Object::new();
    match entry.params {
        Params::Rename(pairs) => {
            if params.is_object() {
                Object::assign(&options, params.unchecked_ref());
            }
            // The H5 callback is the only callback: options never carry my-style ones.
            for name in ["success", "fail", "complete"] {
                let _ = Reflect::delete_property(&options, &JsValue::from_str(name));
            }
            for (h5, my) in pairs {
                let value = get(&options, h5);
                if !value.is_undefined() && get(&options, my).is_undefined() {
                    set(&options, my, &value);
                }
            }
        }
        Params::ApData => {
            let key = ap_data_key(
                text(params, "type")?.as_deref(),
                text(params, "business")?.as_deref(),
                text(params, "key")?.as_deref(),
            )?;
            set(&options, "key", &JsValue::from_str(&key));
            set(&options, "data", &get(params, "value"));
        }
    }
    Ok(options.into())
}

/// The success result with H5's names added.
fn h5_result(entry: &BridgeApi, result: JsValue) -> JsValue {
    if entry.results.is_empty() || !result.is_object() {
        return result;
    }
    let copy = Object::assign(&Object::new(), result.unchecked_ref());
    for (my, h5) in entry.results {
        set(&copy, h5, &get(&result, my));
    }
    copy.into()
}

async fn run(name: String, params: JsValue) -> JsValue {
    let Some(entry) = lookup(&name) else {
        let obj = Object::new();
        set(&obj, "error", &JsValue::from(1));
        set(
            &obj,
            "errorMessage",
            &JsValue::from_str(&unknown_api_message(&name)),
        );
        return obj.into();
    };
    let options = match options_for(entry, &params) {
        Ok(options) => options,
        Err(e) => return Failure::from(e).into_js(),
    };
    if entry.api == crate::bridge::OPEN_IN_BROWSER {
        return match JsFuture::from(super::browser::open_in_browser(&options)).await {
            Ok(result) | Err(result) => result,
        };
    }
    let my: JsValue = super::create_my().into();
    let method = Reflect::get(&my, &JsValue::from_str(entry.api))
        .ok()
        .and_then(|m| m.dyn_into::<Function>().ok());
    let Some(method) = method else {
        let e = ApiError::Unknown(format!("my.{} is missing", entry.api));
        return Failure::from(e).into_js();
    };
    let promise = match method.call1(&my, &options) {
        Ok(p) => p
            .dyn_into::<Promise>()
            .unwrap_or_else(|v| Promise::resolve(&v)),
        Err(thrown) => Promise::reject(&thrown),
    };
    match JsFuture::from(promise).await {
        Ok(result) => h5_result(entry, result),
        Err(fail) => fail,
    }
}

/// `AlipayJSBridge.call(name, params?, callback?)`; `call(name, callback)` works too.
pub(crate) fn call(name: &JsValue, params: &JsValue, callback: &JsValue) {
    let (params, callback) = if params.is_function() {
        (JsValue::UNDEFINED, params.clone())
    } else {
        (params.clone(), callback.clone())
    };
    let callback = callback.dyn_into::<Function>().ok();
    let name = name.as_string().unwrap_or_default();
    wasm_bindgen_futures::spawn_local(async move {
        let value = run(name.clone(), params).await;
        if let Some(callback) = callback {
            if let Err(thrown) = callback.call1(&JsValue::UNDEFINED, &value) {
                web_sys::console::error_2(
                    &JsValue::from_str(&format!(
                        "AlipayJSBridge.call('{name}'): the callback threw"
                    )),
                    &thrown,
                );
            }
        }
    });
}
