//! The browser side: `#[wasm_bindgen]` exports and everything that touches JS or the DOM.
//! All logic that can be plain Rust lives in the core modules.

mod alert;
mod app_info;
mod auth;
mod bridge;
mod browser;
mod core_apis;
mod core_types;
mod device;
mod extras;
mod navigation_bar;
mod request;
mod socket;
mod storage;
mod system_info;
mod trade_pay;
mod types;
mod ui;
mod unsupported;

// Shared with the extras module (`shim-core/`), under the paths they had here.
use shim_core::{adapter, configure, host, options, runtime};

pub use device::{set_device_state, user_capture_screen};
pub use extras::load_extras;
#[doc(hidden)]
pub use storage::storage_usage;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Configures the runtime (DESIGN.md "How a page gets `my`"). Keys, all optional and merged
/// over the current configuration: `appId`, `whitelist` (`[http(s)://]host[:port]` entries, no
/// port meaning the default port, `*.domain`, `*`; empty allows nothing; docs/protocol.md §3
/// "The domain whitelist"), `transport` (`"direct"` | `"relay"`), `relayUrl`,
/// `superAppOrigin`, `cashierOrigins`, `httpErrorAsFail`, `tradePayFailRouting`, and
/// `logger` (a function called with `{ api, options, ok, result, durationMs }` after each
/// call; `null` removes it), `device` (the phone's inputs, read by the extras module) and
/// `extrasUrl` (where the extras module is). Throws a `TypeError`-like `Error` on an invalid
/// value, and then applies nothing of the call.
#[wasm_bindgen(js_name = configure)]
pub fn configure(
    #[wasm_bindgen(unchecked_param_type = "RuntimeConfig")] config: JsValue,
) -> Result<(), JsError> {
    let patch = configure::read_patch(&config)
        .map_err(|e| JsError::new(&format!("miniprogram-shim configure: {e}")))?;
    extras::check_config(&config)
        .map_err(|e| JsError::new(&format!("miniprogram-shim configure: {e}")))?;
    let next = runtime::applied(patch)
        .map_err(|e| JsError::new(&format!("miniprogram-shim configure: {e}")))?;
    // The extras module's keys (`device`, the phone's inputs): once it is loaded it checks them
    // here, before anything of this call is applied; before, it gets them when it loads
    // (src/glue/extras.js; `loadExtras()` first makes a bad one refused here).
    extras::configure(&config)?;
    runtime::replace(next);
    // The devtools' offline switch (`networkFaults.offline`) is also the network's state.
    device::network_changed();
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

/// `my.request(options)`: an HTTP request (docs/protocol.md §3). Returns a Promise that is also a
/// RequestTask (`abort()`); callbacks `success`/`fail`/`complete` as in docs/protocol.md §2.
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

/// `my.tradePay(options)`: opens the super app's cashier for `paymentUrl` (docs/protocol.md §4); every
/// payment outcome arrives through `success({ resultCode })`.
#[wasm_bindgen(js_name = tradePay, unchecked_return_type = "Promise<TradePaySuccess>")]
pub fn trade_pay(
    #[wasm_bindgen(unchecked_param_type = "TradePayOptions")] options: JsValue,
) -> Promise {
    trade_pay::trade_pay(&options)
}

/// `my.getAuthCode(options)`: an authorization code for `scopes` (docs/protocol.md §5b); silent for
/// `auth_base`, a consent prompt in the super app's UI otherwise.
#[wasm_bindgen(js_name = getAuthCode, unchecked_return_type = "Promise<GetAuthCodeSuccess>")]
pub fn get_auth_code(
    #[wasm_bindgen(unchecked_param_type = "GetAuthCodeOptions")] options: JsValue,
) -> Promise {
    auth::get_auth_code(&options)
}

/// `my.confirm(options)`: a modal with `title`, `content` and two buttons
/// (`confirmButtonText` default "OK", `cancelButtonText` default "Cancel");
/// `success({ confirm })` once the user chose.
#[wasm_bindgen(js_name = confirm, unchecked_return_type = "Promise<ConfirmSuccess>")]
pub fn confirm(
    #[wasm_bindgen(unchecked_param_type = "ConfirmOptions")] options: JsValue,
) -> Promise {
    ui::confirm(&options)
}

/// `my.showToast(options)`: `content` for `duration` ms (default 2000) with a `type` icon
/// (`success`, `fail`, `exception`, `none`); `success` when it disappears.
#[wasm_bindgen(js_name = showToast, unchecked_return_type = "Promise<{}>")]
pub fn show_toast(
    #[wasm_bindgen(unchecked_param_type = "ShowToastOptions")] options: JsValue,
) -> Promise {
    ui::show_toast(&options)
}

/// `my.hideToast()`: removes the shown toast (succeeds when none is shown).
#[wasm_bindgen(js_name = hideToast, unchecked_return_type = "Promise<{}>")]
pub fn hide_toast(
    #[wasm_bindgen(unchecked_param_type = "AsyncCallbacks<{}> | undefined")] options: JsValue,
) -> Promise {
    ui::hide_toast(&options)
}

/// `my.showLoading(options)`: a loading indicator with `content`, after `delay` ms.
#[wasm_bindgen(js_name = showLoading, unchecked_return_type = "Promise<{}>")]
pub fn show_loading(
    #[wasm_bindgen(unchecked_param_type = "ShowLoadingOptions")] options: JsValue,
) -> Promise {
    ui::show_loading(&options)
}

/// `my.hideLoading()`: removes the loading indicator (succeeds when none is shown).
#[wasm_bindgen(js_name = hideLoading, unchecked_return_type = "Promise<{}>")]
pub fn hide_loading(
    #[wasm_bindgen(unchecked_param_type = "AsyncCallbacks<{}> | undefined")] options: JsValue,
) -> Promise {
    ui::hide_loading(&options)
}

/// `my.getSystemInfo()` → the device and super app facts (`SystemInfo`).
#[wasm_bindgen(js_name = getSystemInfo, unchecked_return_type = "Promise<SystemInfo>")]
pub fn get_system_info(
    #[wasm_bindgen(unchecked_param_type = "AsyncCallbacks<SystemInfo> | undefined")]
    options: JsValue,
) -> Promise {
    system_info::get_system_info(&options)
}

/// `my.setStorage({ key, data })`: stores `data` (as JSON) for this mini program.
#[wasm_bindgen(js_name = setStorage, unchecked_return_type = "Promise<StorageSuccess>")]
pub fn set_storage(
    #[wasm_bindgen(unchecked_param_type = "SetStorageOptions")] options: JsValue,
) -> Promise {
    storage::set_storage(&options)
}

/// `my.getStorage({ key })` → `{ data }` (`null` when the key is absent).
#[wasm_bindgen(js_name = getStorage, unchecked_return_type = "Promise<GetStorageSuccess>")]
pub fn get_storage(
    #[wasm_bindgen(unchecked_param_type = "GetStorageOptions")] options: JsValue,
) -> Promise {
    storage::get_storage(&options)
}

/// `my.removeStorage({ key })`.
#[wasm_bindgen(js_name = removeStorage, unchecked_return_type = "Promise<StorageSuccess>")]
pub fn remove_storage(
    #[wasm_bindgen(unchecked_param_type = "RemoveStorageOptions")] options: JsValue,
) -> Promise {
    storage::remove_storage(&options)
}

/// `my.setStorageSync({ key, data })` (or `(key, data)`): `{ success: true }` or the fail object.
#[wasm_bindgen(js_name = setStorageSync, unchecked_return_type = "StorageSuccess | MyError")]
pub fn set_storage_sync(
    #[wasm_bindgen(unchecked_param_type = "{ key: string; data: unknown } | string")]
    options: JsValue,
    #[wasm_bindgen(unchecked_param_type = "unknown")] data: JsValue,
) -> JsValue {
    storage::set_storage_sync(&options, &data)
}

/// `my.getStorageSync({ key })` (or `(key)`): `{ data }` or the fail object.
#[wasm_bindgen(js_name = getStorageSync, unchecked_return_type = "GetStorageSuccess | MyError")]
pub fn get_storage_sync(
    #[wasm_bindgen(unchecked_param_type = "{ key: string } | string")] options: JsValue,
) -> JsValue {
    storage::get_storage_sync(&options)
}

/// `my.removeStorageSync({ key })` (or `(key)`): `{ success: true }` or the fail object.
#[wasm_bindgen(js_name = removeStorageSync, unchecked_return_type = "StorageSuccess | MyError")]
pub fn remove_storage_sync(
    #[wasm_bindgen(unchecked_param_type = "{ key: string } | string")] options: JsValue,
) -> JsValue {
    storage::remove_storage_sync(&options)
}

/// `AlipayJSBridge.call(name, params, callback)` for H5 pages (`www/my.js` defines
/// `window.AlipayJSBridge` with it): runs the mapped `my.*` API and calls `callback` once with
/// the result or `{ error, errorMessage }`.
#[wasm_bindgen(js_name = bridgeCall)]
pub fn bridge_call(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(
        unchecked_param_type = "Record<string, unknown> | ((result: any) => void) | undefined"
    )]
    params: JsValue,
    #[wasm_bindgen(unchecked_param_type = "((result: any) => void) | undefined")] callback: JsValue,
) {
    bridge::call(&name, &params, &callback)
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
    // Methods with two parameters (`setStorageSync(key, data)`).
    _methods2: Vec<Method2>,
}

/// A `my.*` method of two parameters as a JS function.
type Method2 = Closure<dyn Fn(JsValue, JsValue) -> JsValue>;

thread_local! {
    static MY: MyObject = {
        let object = Object::new();
        let methods: Vec<(&str, Method)> = vec![
            ("request", Closure::new(|o: JsValue| JsValue::from(request::request(&o)))),
            ("alert", Closure::new(|o: JsValue| JsValue::from(alert::alert(&o)))),
            ("tradePay", Closure::new(|o: JsValue| JsValue::from(trade_pay::trade_pay(&o)))),
            ("getAuthCode", Closure::new(|o: JsValue| JsValue::from(auth::get_auth_code(&o)))),
            ("canIUse", Closure::new(|s: JsValue| JsValue::from(can_i_use(s)))),
            ("confirm", Closure::new(|o: JsValue| JsValue::from(ui::confirm(&o)))),
            ("showToast", Closure::new(|o: JsValue| JsValue::from(ui::show_toast(&o)))),
            ("hideToast", Closure::new(|o: JsValue| JsValue::from(ui::hide_toast(&o)))),
            ("showLoading", Closure::new(|o: JsValue| JsValue::from(ui::show_loading(&o)))),
            ("hideLoading", Closure::new(|o: JsValue| JsValue::from(ui::hide_loading(&o)))),
            ("getSystemInfo", Closure::new(|o: JsValue| JsValue::from(system_info::get_system_info(&o)))),
            ("setStorage", Closure::new(|o: JsValue| JsValue::from(storage::set_storage(&o)))),
            ("getStorage", Closure::new(|o: JsValue| JsValue::from(storage::get_storage(&o)))),
            ("removeStorage", Closure::new(|o: JsValue| JsValue::from(storage::remove_storage(&o)))),
            ("getStorageSync", Closure::new(|o: JsValue| storage::get_storage_sync(&o))),
            ("removeStorageSync", Closure::new(|o: JsValue| storage::remove_storage_sync(&o))),
        ];
        let methods2: Vec<(&str, Method2)> = vec![
            ("setStorageSync", Closure::new(|o: JsValue, d: JsValue| storage::set_storage_sync(&o, &d))),
        ];
        let mut owned = Vec::with_capacity(methods.len());
        for (name, closure) in methods {
            adapter::set(&object, name, closure.as_ref());
            owned.push(closure);
        }
        let mut owned2 = Vec::with_capacity(methods2.len());
        for (name, closure) in methods2 {
            adapter::set(&object, name, closure.as_ref());
            owned2.push(closure);
        }
        core_apis::install(&object);
        // The pickers and the phone's inputs: loaded on their first call (src/glue/extras.rs).
        extras::install(&object);
        // The global socket's listeners (src/glue/socket.rs; the connections are extras).
        for name in socket::NAMES {
            unsupported::bind(&object, name);
        }
        MyObject { object, _methods: owned, _methods2: owned2 }
    };
}

/// The `my` object (`request`, `tradePay`, `alert`, `canIUse`, …) for bundler users:
/// `await init(); const my = createMy();`. Every call returns the same object: a `Proxy` whose
/// unimplemented API names answer "not supported" (error 1) instead of being `undefined`
/// (`crate::jsapi`).
#[wasm_bindgen(js_name = createMy, unchecked_return_type = "My")]
pub fn create_my() -> Object {
    MY.with(|my| unsupported::proxy(&my.object))
}
