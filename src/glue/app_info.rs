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
use crate::app_info::{AccountInfo, AppBaseInfo, LaunchOptions, SafeArea, WindowInfo};
use crate::device::{BatteryInfo, NetworkStatus};
use crate::error::ApiError;
use crate::storage::StorageInfo;
use crate::system_info::SystemInfo;

/// A serialisable result as a plain JS object (`SystemInfo`, shared with `getSystemInfo`).
fn serialized(value: &impl Serialize) -> Result<JsValue, ApiError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| ApiError::Unknown(format!("result: {e}")))
}

/// A core result as the plain JS object the docs show, field by field (a serde derive per
/// type costs more wasm than these few `set`s).
pub(crate) trait ToJs {
    /// The JS object.
    fn to_js(&self) -> JsValue;
}

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let obj = Object::new();
    for (k, v) in fields {
        set(&obj, k, v);
    }
    obj.into()
}

fn num(n: f64) -> JsValue {
    JsValue::from_f64(n)
}

fn text(s: &str) -> JsValue {
    JsValue::from_str(s)
}

impl ToJs for SafeArea {
    fn to_js(&self) -> JsValue {
        object(&[
            ("left", num(self.left)),
            ("right", num(self.right)),
            ("top", num(self.top)),
            ("bottom", num(self.bottom)),
            ("width", num(self.width)),
            ("height", num(self.height)),
        ])
    }
}

impl ToJs for WindowInfo {
    fn to_js(&self) -> JsValue {
        object(&[
            ("pixelRatio", num(self.pixel_ratio)),
            ("screenWidth", num(self.screen_width)),
            ("screenHeight", num(self.screen_height)),
            ("windowWidth", num(self.window_width)),
            ("windowHeight", num(self.window_height)),
            ("statusBarHeight", num(self.status_bar_height)),
            ("safeArea", self.safe_area.to_js()),
        ])
    }
}

impl ToJs for AppBaseInfo {
    fn to_js(&self) -> JsValue {
        object(&[
            ("SDKVersion", text(&self.sdk_version)),
            ("language", text(&self.language)),
            ("version", text(&self.version)),
        ])
    }
}

impl ToJs for AccountInfo {
    fn to_js(&self) -> JsValue {
        let m = &self.mini_program;
        let mini_program = object(&[
            ("appId", text(&m.app_id)),
            ("envVersion", text(m.env_version)),
            ("version", text(&m.version)),
        ]);
        object(&[("miniProgram", mini_program)])
    }
}

impl ToJs for LaunchOptions {
    fn to_js(&self) -> JsValue {
        let query = Object::new();
        for (k, v) in &self.query {
            set(&query, k, &text(v));
        }
        object(&[
            ("path", text(&self.path)),
            ("query", query.into()),
            ("scene", num(f64::from(self.scene))),
            ("apiCategory", text(self.api_category)),
        ])
    }
}

impl ToJs for NetworkStatus {
    fn to_js(&self) -> JsValue {
        object(&[
            (
                "networkAvailable",
                JsValue::from_bool(self.network_available),
            ),
            ("isConnected", JsValue::from_bool(self.is_connected)),
            ("networkType", text(self.network_type)),
        ])
    }
}

impl ToJs for BatteryInfo {
    fn to_js(&self) -> JsValue {
        object(&[
            ("level", num(f64::from(self.level))),
            ("isCharging", JsValue::from_bool(self.is_charging)),
        ])
    }
}

impl ToJs for StorageInfo {
    fn to_js(&self) -> JsValue {
        let keys: Array = self.keys.iter().map(|k| text(k)).collect();
        object(&[
            ("keys", keys.into()),
            ("currentSize", num(self.current_size as f64)),
            ("limitSize", num(self.limit_size as f64)),
        ])
    }
}

/// The Sync convention: the result, or the fail object returned (never thrown).
pub(crate) fn sync(outcome: Result<JsValue, ApiError>) -> JsValue {
    outcome.unwrap_or_else(|e| Failure::from(e).into_js())
}

/// `my.getSystemInfoSync()`: what `my.getSystemInfo` gives.
pub(crate) fn get_system_info_sync(options: &JsValue) -> JsValue {
    sync(check_object(options).and_then(|()| serialized(&SystemInfo::new(&facts()?))))
}

/// `my.getWindowInfo()`.
pub(crate) fn get_window_info() -> JsValue {
    sync(facts().map(|f| WindowInfo::new(&f).to_js()))
}

/// `my.getAppBaseInfo()`.
pub(crate) fn get_app_base_info() -> JsValue {
    sync(facts().map(|f| AppBaseInfo::new(&f.language).to_js()))
}

/// `my.getAccountInfoSync()`.
pub(crate) fn get_account_info_sync() -> JsValue {
    runtime::with_config(|c| AccountInfo::new(&c.app_id)).to_js()
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
    sync(launch_options().map(|o| o.to_js()))
}
