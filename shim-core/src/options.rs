//! Reading a JSAPI options object liberally (STYLE: be liberal in what is accepted): texts may
//! come as strings, numbers or booleans; numbers as numbers or numeric strings; a missing
//! options object is the same as `{}`. What is wrong is error 2 naming the option.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use crate::error::ApiError;

#[wasm_bindgen]
extern "C" {
    /// The global `String(value)`: how an error or any value reads as text.
    #[wasm_bindgen(js_name = String)]
    pub fn js_string(value: &JsValue) -> String;
    #[wasm_bindgen(js_name = Number)]
    fn js_number(value: &JsValue) -> f64;
}

/// `Ok` for an object or nothing (`undefined`/`null`); error 2 for anything else.
pub fn check_object(options: &JsValue) -> Result<(), ApiError> {
    if options.is_undefined() || options.is_null() || options.is_object() {
        Ok(())
    } else {
        Err(ApiError::invalid("options", "must be an object"))
    }
}

/// `options[name]` (`undefined` when `options` is not an object).
pub fn get(options: &JsValue, name: &str) -> JsValue {
    if !options.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// `options[name]` as text: a string, or a number/boolean in its JS spelling; `None` when
/// absent; error 2 for an object or function.
pub fn text(options: &JsValue, name: &str) -> Result<Option<String>, ApiError> {
    let value = get(options, name);
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else if let Some(s) = value.as_string() {
        Ok(Some(s))
    } else if value.as_f64().is_some() || value.as_bool().is_some() {
        Ok(Some(js_string(&value)))
    } else {
        Err(ApiError::invalid(name, "must be a string"))
    }
}

/// `value` (the option `name`) as a string, strictly: `None` when absent; error 2 for any
/// other type.
pub fn opt_string(value: JsValue, name: &str) -> Result<Option<String>, ApiError> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| ApiError::invalid(name, "must be a string"))
}

/// The first of `names` that is present, as text (`content`, then its alias `title`).
pub fn text_of(options: &JsValue, names: &[&str]) -> Result<Option<String>, ApiError> {
    for name in names {
        if let Some(t) = text(options, name)? {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

/// `options[name]` as a number (a number, or a string that parses as one) and whether it was
/// given at all: `(None, true)` means present but not a number.
pub fn number(options: &JsValue, name: &str) -> (Option<f64>, bool) {
    let value = get(options, name);
    if value.is_undefined() || value.is_null() {
        return (None, false);
    }
    let n = value.as_f64().or_else(|| {
        // JS `Number(text)`: Rust's float parser would cost ~10 KB of gzipped wasm.
        let text = value.as_string()?;
        let n = js_number(&value);
        (!text.trim().is_empty() && !n.is_nan()).then_some(n)
    });
    (n, true)
}
