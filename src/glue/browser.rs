//! `AlipayJSBridge.call('openInBrowser', { url })` in the browser (rules in `crate::browser`).

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use super::adapter::run_api;
use super::options::{check_object, text};
use crate::error::ApiError;

/// `AlipayJSBridge.call('openInBrowser', { url })`: the URL in a new browser tab (a device
/// hands it to the system browser), without a way back to this page (`opener` cleared).
pub(crate) fn open_in_browser(options: &JsValue) -> Promise {
    let url = (|| {
        check_object(options)?;
        crate::browser::browser_url(text(options, "url")?)
    })();
    run_api("openInBrowser", options, async move {
        let url = url?;
        let window = web_sys::window().ok_or_else(|| ApiError::Unknown("no window".into()))?;
        match window.open_with_url_and_target(&url, "_blank") {
            Ok(Some(opened)) => {
                let _ = Reflect::set(&opened, &"opener".into(), &JsValue::NULL);
                Ok(Object::new().into())
            }
            _ => Err(ApiError::Unknown(
                "the browser blocked the new window (allow pop-ups for this page)".into(),
            )
            .into()),
        }
    })
}
