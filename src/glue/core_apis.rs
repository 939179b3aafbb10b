//! Puts the issue 9 core APIs on the `my` object (storage and info Sync forms, network,
//! device, app events, the title bar). Kept apart from `glue/mod.rs`'s list so each group adds its own file.
//!
//! Size: one JS function per name, all bound from the one dispatcher of `glue::unsupported`
//! (a `Closure` per API costs about half a kilobyte of wasm each); [`call`] picks the API.

use js_sys::Object;
use wasm_bindgen::prelude::*;

use super::{app_info, device, navigation_bar, storage, unsupported};

/// The APIs this file adds to `my`.
pub(crate) const NAMES: &[&str] = &[
    "clearStorage",
    "clearStorageSync",
    "getStorageInfo",
    "getStorageInfoSync",
    "getSystemInfoSync",
    "getWindowInfo",
    "getAppBaseInfo",
    "getAccountInfoSync",
    "getAppIdSync",
    "getLaunchOptionsSync",
    "getEnterOptionsSync",
    "getNetworkType",
    "onNetworkStatusChange",
    "offNetworkStatusChange",
    "onAppShow",
    "offAppShow",
    "onAppHide",
    "offAppHide",
    "onError",
    "offError",
    "onUnhandledRejection",
    "offUnhandledRejection",
    "onUserCaptureScreen",
    "offUserCaptureScreen",
    "getBatteryInfo",
    "getBatteryInfoSync",
    "setNavigationBar",
    "setNavigationBarTitle",
    "setNavigationBarColor",
    "setNavigationBarBottomLineColor",
    "showNavigationBarLoading",
    "hideNavigationBarLoading",
];

/// Runs the API `name` of this file with its one argument; `None` for another name.
pub(crate) fn call(name: &str, a: &JsValue) -> Option<JsValue> {
    Some(match name {
        "clearStorage" => storage::clear_storage(a).into(),
        "clearStorageSync" => storage::clear_storage_sync(),
        "getStorageInfo" => storage::get_storage_info(a).into(),
        "getStorageInfoSync" => storage::get_storage_info_sync(),
        "getSystemInfoSync" => app_info::get_system_info_sync(a),
        "getWindowInfo" => app_info::get_window_info(),
        "getAppBaseInfo" => app_info::get_app_base_info(),
        "getAccountInfoSync" => app_info::get_account_info_sync(),
        "getAppIdSync" => app_info::get_app_id_sync(),
        "getLaunchOptionsSync" | "getEnterOptionsSync" => app_info::get_launch_options_sync(),
        "getNetworkType" => device::get_network_type(a).into(),
        "getBatteryInfo" => device::get_battery_info(a).into(),
        "getBatteryInfoSync" => device::get_battery_info_sync(),
        "setNavigationBar" => navigation_bar::navigation_bar("setNavigationBar", a).into(),
        "setNavigationBarTitle" => {
            navigation_bar::navigation_bar("setNavigationBarTitle", a).into()
        }
        "setNavigationBarColor" => {
            navigation_bar::navigation_bar("setNavigationBarColor", a).into()
        }
        "setNavigationBarBottomLineColor" => {
            navigation_bar::navigation_bar("setNavigationBarBottomLineColor", a).into()
        }
        "showNavigationBarLoading" => {
            navigation_bar::navigation_bar("showNavigationBarLoading", a).into()
        }
        "hideNavigationBarLoading" => {
            navigation_bar::navigation_bar("hideNavigationBarLoading", a).into()
        }
        _ => return device::listener(name, a),
    })
}

/// Adds the methods to `my` (once, when the page's `my` is made).
pub(crate) fn install(my: &Object) {
    for name in NAMES {
        unsupported::bind(my, name);
    }
}
