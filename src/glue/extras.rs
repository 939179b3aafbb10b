//! The start module's side of the extras module (`extras/`, `pkg/extras/`; the names are
//! `shim_core::extras::NAMES`): `my` has a function for each of its APIs, bound from the one
//! dispatcher of `glue::unsupported`, so `canIUse`, `'x' in my` and `my.x === my.x` hold
//! before anything is loaded. The first call loads the module (`src/glue/extras.js`).

use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::adapter::{run_api_named, Failure};
use super::options::get;
use super::unsupported;
use crate::error::ApiError;

#[wasm_bindgen(module = "/src/glue/extras.js")]
extern "C" {
    #[wasm_bindgen(js_name = extrasConfigure, catch)]
    fn extras_configure(patch: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = extrasCall)]
    fn extras_call(name: &str, options: &JsValue, failed: &Function) -> JsValue;
    #[wasm_bindgen(js_name = extrasLoad)]
    fn extras_load() -> Promise;
}

thread_local! {
    /// `(name, options, reason, code?) => Promise`: the answer to a call when the module cannot
    /// load (error 3), or to a call the loader refuses (`code`, with `reason` naming the limit).
    /// Page lifetime, like `my`.
    static FAILED: Function = {
        let failed = Closure::<dyn Fn(JsValue, JsValue, JsValue, JsValue) -> Promise>::new(
            |name: JsValue, options: JsValue, reason: JsValue, code: JsValue| {
                let name = name.as_string().unwrap_or_default();
                let reason = reason.as_string().unwrap_or_default();
                let error = match code.as_f64() {
                    Some(code) => ApiError::Limit { code: code as u32, message: reason },
                    None => ApiError::Unknown(reason),
                };
                let failure = Failure::from(error);
                run_api_named(name, &options, async move { Err(failure) })
            },
        );
        let f: Function = failed.as_ref().unchecked_ref::<Function>().clone();
        failed.forget();
        f
    };
}

/// Adds the extras' names to `my` (once, when the page's `my` is made).
pub(crate) fn install(my: &Object) {
    for name in shim_core::extras::NAMES {
        unsupported::bind(my, name);
    }
}

/// Runs the extras API `name` (loading the module first when needed); `None` for another name.
pub(crate) fn call(name: &str, options: &JsValue) -> Option<JsValue> {
    if !shim_core::extras::is_extra(name) {
        return None;
    }
    Some(FAILED.with(|failed| extras_call(name, options, failed)))
}

/// Checks the keys only the extras loader reads: `extrasUrl`, a string.
pub(crate) fn check_config(config: &JsValue) -> Result<(), ApiError> {
    let url = get(config, "extrasUrl");
    if url.is_undefined() || url.is_null() || url.is_string() {
        Ok(())
    } else {
        Err(ApiError::invalid("extrasUrl", "must be a string"))
    }
}

/// Gives a `configure` patch to the extras module: once it is loaded, now (its `Error`, a bad
/// `device`, refuses the whole call); before, it is kept for when it loads.
pub(crate) fn configure(config: &JsValue) -> Result<(), JsError> {
    extras_configure(config).map_err(|e| {
        let message = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| "the extras module refused it".to_owned());
        JsError::new(&message)
    })
}

/// `loadExtras()`: loads the extras module now (the first call of one of its APIs does it
/// otherwise). Resolves once it is loaded and configured, then a bad `device` in `configure()`
/// is refused at once; rejects with the reason when it cannot load.
#[wasm_bindgen(js_name = loadExtras, unchecked_return_type = "Promise<void>")]
pub fn load_extras() -> Promise {
    extras_load()
}

#[wasm_bindgen(typescript_custom_section)]
const EXTRAS_TYPES: &'static str = r#"
import type { My as ExtrasMy, RuntimeConfig as ExtrasRuntimeConfig } from "./extras/miniprogram_shim_extras";
export type * from "./extras/miniprogram_shim_extras";
/** The extras module's APIs are methods of `my` too: the first call loads that module. */
export interface My extends ExtrasMy {}
export interface RuntimeConfig extends ExtrasRuntimeConfig {
  /** Where the extras module is; default `extras/miniprogram_shim_extras.js` beside this package. */
  extrasUrl?: string;
}
"#;
