//! The synchronous info APIs (`crate::app_info`, `crate::system_info`): `getSystemInfoSync`,
//! `getWindowInfo`, `getAppBaseInfo`, `getAccountInfoSync`, `getAppIdSync`,
//! `getLaunchOptionsSync`, `getEnterOptionsSync`. Each returns its result, or the fail object
//! `{ error, errorMessage }` instead of throwing (the Sync convention of DESIGN.md).

use js_sys::{Array, Object};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::adapter::{set, Failure};
use super::options::check_object;
use super::runtime;
use super::system_info::facts;
use crate::app_info::{AccountInfo, AppBaseInfo, LaunchOptions, WindowInfo};
use crate::error::ApiError;
use crate::system_info::SystemInfo;

/// A serialisable result as a plain JS object.
pub(crate) fn to_js(value: &impl Serialize) -> Result<JsValue, ApiError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| ApiError::Unknown(format!("result: {e}")))
}

/// The Sync convention: the result, or the fail object returned (never thrown).
pub(crate) fn sync(outcome: Result<JsValue, ApiError>) -> JsValue {
    outcome.unwrap_or_else(|e| Failure::from(e).into_js())
}

/// `my.getSystemInfoSync()`: what `my.getSystemInfo` gives.
pub(crate) fn get_system_info_sync(options: &JsValue) -> JsValue {
    sync(check_object(options).and_then(|()| to_js(&SystemInfo::new(&facts()?))))
}

/// `my.getWindowInfo()`.
pub(crate) fn get_window_info() -> JsValue {
    sync(facts().and_then(|f| to_js(&WindowInfo::new(&f))))
}

/// `my.getAppBaseInfo()`.
pub(crate) fn get_app_base_info() -> JsValue {
    sync(facts().and_then(|f| to_js(&AppBaseInfo::new(&f.language))))
}

/// `my.getAccountInfoSync()`.
pub(crate) fn get_account_info_sync() -> JsValue {
    sync(to_js(&runtime::with_config(|c| {
        AccountInfo::new(&c.app_id)
    })))
}

/// `my.getAppIdSync()` → `{ appId }`.
pub(crate) fn get_app_id_sync() -> JsValue {
    let obj = Object::new();
    set(
        &obj,
        "appId",
        &JsValue::from_str(&runtime::with_config(|c| c.app_id.clone())),
    );
    obj.into()
}

#[wasm_bindgen]
extern "C" {
    /// `new URLSearchParams(location.search)`'s entries, as `[name, value]` pairs.
    #[wasm_bindgen(js_namespace = Array, js_name = from)]
    fn array_from(iterable: &JsValue) -> Array;
}

/// The page's launch options: its path and its query without the simulator's parameters.
pub(crate) fn launch_options() -> Result<LaunchOptions, ApiError> {
    let location = web_sys::window()
        .ok_or_else(|| ApiError::Unknown("no window".into()))?
        .location();
    let path = location.pathname().unwrap_or_default();
    let search = location.search().unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&search)
        .map_err(|_| ApiError::Unknown("the page's query cannot be read".into()))?;
    let entries = array_from(params.as_ref());
    let pairs: Vec<(String, String)> = entries
        .iter()
        .filter_map(|pair| {
            let pair: Array = pair.dyn_into().ok()?;
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect();
    Ok(LaunchOptions::new(&path, pairs))
}

/// `my.getLaunchOptionsSync()` / `my.getEnterOptionsSync()` (the same in a one-page
/// simulator: the app is entered once, at its launch).
pub(crate) fn get_launch_options_sync() -> JsValue {
    sync(launch_options().and_then(|o| to_js(&o)))
}
