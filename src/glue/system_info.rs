//! `my.getSystemInfo()`: reads the browser's facts and returns `crate::system_info::SystemInfo`.

use js_sys::{Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::adapter::run_api;
use super::options::check_object;
use crate::error::ApiError;
use crate::system_info::{BrowserFacts, SystemInfo};

fn field(obj: &JsValue, name: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

pub(crate) fn facts() -> Result<BrowserFacts, ApiError> {
    let window: JsValue = web_sys::window()
        .ok_or_else(|| ApiError::Unknown("my.getSystemInfo needs a window".into()))?
        .into();
    let screen = field(&window, "screen");
    let navigator = field(&window, "navigator");
    let num = |obj: &JsValue, name: &str| field(obj, name).as_f64().unwrap_or(0.0);
    let text = |obj: &JsValue, name: &str| field(obj, name).as_string().unwrap_or_default();
    Ok(BrowserFacts {
        inner_width: num(&window, "innerWidth"),
        inner_height: num(&window, "innerHeight"),
        device_pixel_ratio: num(&window, "devicePixelRatio"),
        screen_width: num(&screen, "width"),
        screen_height: num(&screen, "height"),
        language: text(&navigator, "language"),
        user_agent: text(&navigator, "userAgent"),
    })
}

/// `my.getSystemInfo(options)`.
pub(crate) fn get_system_info(options: &JsValue) -> Promise {
    let checked = check_object(options);
    run_api("getSystemInfo", options, async move {
        checked?;
        let info = SystemInfo::new(&facts()?);
        info.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| ApiError::Unknown(format!("system info: {e}")).into())
    })
}
