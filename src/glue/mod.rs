//! The browser side: `#[wasm_bindgen]` exports and everything that touches JS or the DOM.
//! All logic that can be plain Rust lives in the core modules.

mod adapter;
mod alert;
mod auth;
mod configure;
mod host;
mod request;
mod runtime;
mod trade_pay;
mod types;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Configures the runtime (DESIGN.md "How a page gets `my`"). Keys, all optional and merged
/// over the current configuration: `appId`, `whitelist` (`host[:port]` entries, `*.domain`,
/// `*`; empty allows nothing), `transport` (`"direct"` | `"relay"`), `relayUrl`,
/// `superAppOrigin`, `cashierOrigins`, `httpErrorAsFail`, `tradePayFailRouting`, and
/// `logger` (a function called with `{ api, options, ok, result, durationMs }` after each
/// call; `null` removes it). Throws a `TypeError`-like `Error` on an invalid value.
#[wasm_bindgen(js_name = configure)]
pub fn configure(
    #[wasm_bindgen(unchecked_param_type = "RuntimeConfig")] config: JsValue,
) -> Result<(), JsError> {
    let patch = configure::read_patch(&config)
        .map_err(|e| JsError::new(&format!("miniprogram-shim configure: {e}")))?;
    runtime::apply(patch).map_err(|e| JsError::new(&format!("miniprogram-shim configure: {e}")))?;
    if config.is_object() {
        let logger =
            Reflect::get(&config, &JsValue::from_str("logger")).unwrap_or(JsValue::UNDEFINED);
        if logger.is_null() {
            runtime::set_logger(None);
        } else if let Ok(f) = logger.dyn_into::<Function>() {
            runtime::set_logger(Some(f));
        }
    }
    Ok(())
}

/// `my.request(options)`: an HTTP request (SPEC §3). Returns a Promise that is also a
/// RequestTask (`abort()`); callbacks `success`/`fail`/`complete` as in SPEC §2.
#[wasm_bindgen(js_name = request, unchecked_return_type = "RequestTask")]
pub fn request(
    #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: JsValue,
) -> Promise {
    request::request(&options)
}

/// `my.alert(options)`: a modal with `title`, `content` and one button (`buttonText`,
/// default "OK"); `success` after the user closes it.
#[wasm_bindgen(js_name = alert, unchecked_return_type = "Promise<AlertSuccess>")]
pub fn alert(#[wasm_bindgen(unchecked_param_type = "AlertOptions")] options: JsValue) -> Promise {
    alert::alert(&options)
}

/// `my.tradePay(options)`: opens the super app's cashier for `paymentUrl` (SPEC §4); every
/// payment outcome arrives through `success({ resultCode })`.
#[wasm_bindgen(js_name = tradePay, unchecked_return_type = "Promise<TradePaySuccess>")]
pub fn trade_pay(
    #[wasm_bindgen(unchecked_param_type = "TradePayOptions")] options: JsValue,
) -> Promise {
    trade_pay::trade_pay(&options)
}

/// `my.getAuthCode(options)`: an authorization code for `scopes` (SPEC §5b); silent for
/// `auth_base`, a consent prompt in the super app's UI otherwise.
#[wasm_bindgen(js_name = getAuthCode, unchecked_return_type = "Promise<GetAuthCodeSuccess>")]
pub fn get_auth_code(
    #[wasm_bindgen(unchecked_param_type = "GetAuthCodeOptions")] options: JsValue,
) -> Promise {
    auth::get_auth_code(&options)
}

/// `my.canIUse(schema)`: whether `api`, `api.object.param`, `api.return.member` or
/// `api.success.field` is implemented. Synchronous.
#[wasm_bindgen(js_name = canIUse)]
pub fn can_i_use(#[wasm_bindgen(unchecked_param_type = "string")] schema: JsValue) -> bool {
    schema
        .as_string()
        .is_some_and(|s| crate::can_i_use::can_i_use(&s))
}

/// A `my.*` method as a JS function.
type Method = Closure<dyn Fn(JsValue) -> JsValue>;

struct MyObject {
    object: Object,
    // Owned here so the functions on `object` stay valid for the page's lifetime.
    _methods: Vec<Method>,
}

thread_local! {
    static MY: MyObject = {
        let object = Object::new();
        let methods: Vec<(&str, Method)> = vec![
            ("request", Closure::new(|o: JsValue| JsValue::from(request::request(&o)))),
            ("alert", Closure::new(|o: JsValue| JsValue::from(alert::alert(&o)))),
            ("tradePay", Closure::new(|o: JsValue| JsValue::from(trade_pay::trade_pay(&o)))),
            ("getAuthCode", Closure::new(|o: JsValue| JsValue::from(auth::get_auth_code(&o)))),
            ("canIUse", Closure::new(|s: JsValue| JsValue::from(can_i_use(s)))),
        ];
        let mut owned = Vec::with_capacity(methods.len());
        for (name, closure) in methods {
            adapter::set(&object, name, closure.as_ref());
            owned.push(closure);
        }
        MyObject { object, _methods: owned }
    };
}

/// The `my` object (`request`, `tradePay`, `alert`, `canIUse`) for bundler users:
/// `await init(); const my = createMy();`. Every call returns the same object.
#[wasm_bindgen(js_name = createMy, unchecked_return_type = "My")]
pub fn create_my() -> Object {
    MY.with(|my| my.object.clone())
}
