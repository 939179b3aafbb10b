//! Puts the issue 9 core APIs on the `my` object (storage and info Sync forms, network,
//! device, app events). Kept apart from `glue/mod.rs`'s list so each group adds its own file.

use js_sys::Object;
use wasm_bindgen::prelude::*;

use super::adapter::set;
use super::{app_info, device, storage};

type Method = Closure<dyn Fn(JsValue) -> JsValue>;

/// Adds the methods to `my`. Called once, when the page's `my` is made; the closures live as
/// long as the page (`my` does), so they are forgotten on purpose.
pub(crate) fn install(my: &Object) {
    let methods: Vec<(&str, Method)> = vec![
        (
            "clearStorage",
            Closure::new(|o: JsValue| storage::clear_storage(&o).into()),
        ),
        (
            "clearStorageSync",
            Closure::new(|_| storage::clear_storage_sync()),
        ),
        (
            "getStorageInfo",
            Closure::new(|o: JsValue| storage::get_storage_info(&o).into()),
        ),
        (
            "getStorageInfoSync",
            Closure::new(|_| storage::get_storage_info_sync()),
        ),
        (
            "getSystemInfoSync",
            Closure::new(|o: JsValue| app_info::get_system_info_sync(&o)),
        ),
        (
            "getWindowInfo",
            Closure::new(|_| app_info::get_window_info()),
        ),
        (
            "getAppBaseInfo",
            Closure::new(|_| app_info::get_app_base_info()),
        ),
        (
            "getAccountInfoSync",
            Closure::new(|_| app_info::get_account_info_sync()),
        ),
        (
            "getAppIdSync",
            Closure::new(|_| app_info::get_app_id_sync()),
        ),
        (
            "getLaunchOptionsSync",
            Closure::new(|_| app_info::get_launch_options_sync()),
        ),
        (
            "getEnterOptionsSync",
            Closure::new(|_| app_info::get_launch_options_sync()),
        ),
        (
            "getNetworkType",
            Closure::new(|o: JsValue| device::get_network_type(&o).into()),
        ),
        (
            "onNetworkStatusChange",
            Closure::new(|f: JsValue| device::on_network_status_change(&f)),
        ),
        (
            "offNetworkStatusChange",
            Closure::new(|f: JsValue| device::off_network_status_change(&f)),
        ),
        (
            "onAppShow",
            Closure::new(|f: JsValue| device::on_app_show(&f)),
        ),
        (
            "offAppShow",
            Closure::new(|f: JsValue| device::off_app_show(&f)),
        ),
        (
            "onAppHide",
            Closure::new(|f: JsValue| device::on_app_hide(&f)),
        ),
        (
            "offAppHide",
            Closure::new(|f: JsValue| device::off_app_hide(&f)),
        ),
        ("onError", Closure::new(|f: JsValue| device::on_error(&f))),
        ("offError", Closure::new(|f: JsValue| device::off_error(&f))),
        (
            "onUnhandledRejection",
            Closure::new(|f: JsValue| device::on_unhandled_rejection(&f)),
        ),
        (
            "offUnhandledRejection",
            Closure::new(|f: JsValue| device::off_unhandled_rejection(&f)),
        ),
        (
            "vibrate",
            Closure::new(|o: JsValue| device::vibrate("vibrate", &o).into()),
        ),
        (
            "vibrateShort",
            Closure::new(|o: JsValue| device::vibrate("vibrateShort", &o).into()),
        ),
        (
            "vibrateLong",
            Closure::new(|o: JsValue| device::vibrate("vibrateLong", &o).into()),
        ),
        (
            "makePhoneCall",
            Closure::new(|o: JsValue| device::make_phone_call(&o).into()),
        ),
        (
            "setKeepScreenOn",
            Closure::new(|o: JsValue| device::set_keep_screen_on(&o).into()),
        ),
        (
            "getScreenBrightness",
            Closure::new(|o: JsValue| device::get_screen_brightness(&o).into()),
        ),
        (
            "setScreenBrightness",
            Closure::new(|o: JsValue| device::set_screen_brightness(&o).into()),
        ),
        (
            "getBatteryInfo",
            Closure::new(|o: JsValue| device::get_battery_info(&o).into()),
        ),
        (
            "getBatteryInfoSync",
            Closure::new(|_| device::get_battery_info_sync()),
        ),
    ];
    for (name, closure) in methods {
        set(my, name, closure.as_ref());
        // Page lifetime (see above).
        closure.forget();
    }
}
