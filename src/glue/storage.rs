//! `my.setStorage` / `my.getStorage` / `my.removeStorage` and their `Sync` forms, on the
//! page's `localStorage` under the mini program's prefix (rules in `crate::storage`).
//!
//! `data` is stored as its `JSON.stringify` text, so objects, arrays, strings, numbers,
//! booleans and `null` round-trip (a `Date` comes back as its ISO string, as in Alipay).
//! A missing key reads as `{ data: null }` (success). The async forms do their work at call
//! time (a `getStorageSync` right after `setStorage` sees the value) and report through the
//! one adapter; the `Sync` forms return the result, or the fail object `{ error,
//! errorMessage }` instead of throwing.

use js_sys::{Object, Promise, JSON};
use wasm_bindgen::prelude::*;
use web_sys::Storage;

use super::adapter::{run_api, set, Failure};
use super::options::{check_object, get};
use super::runtime;
use crate::error::ApiError;
use crate::storage::{app_prefix, check_write, entry_size, ScopedKey};

fn local_storage() -> Result<Storage, ApiError> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or_else(|| ApiError::Unknown("localStorage is not available on this page".into()))
}

fn scoped(key: &JsValue) -> Result<ScopedKey, ApiError> {
    let app_id = runtime::with_config(|c| c.app_id.clone());
    ScopedKey::new(&app_id, key.as_string().as_deref())
}

/// `(key, data)` from `{ key, data }`, or from the positional `(key, data)` form of the Sync
/// APIs (as WeChat-style code calls them).
fn key_and_data(first: &JsValue, second: &JsValue) -> Result<(JsValue, JsValue), ApiError> {
    if first.is_string() {
        return Ok((first.clone(), second.clone()));
    }
    check_object(first)?;
    Ok((get(first, "key"), get(first, "data")))
}

fn success_object() -> JsValue {
    let obj = Object::new();
    set(&obj, "success", &JsValue::TRUE);
    obj.into()
}

/// Stores `data` under `key`; nothing changes on any failure.
pub(crate) fn write(key: &JsValue, data: &JsValue) -> Result<JsValue, ApiError> {
    let key = scoped(key)?;
    let json = if data.is_undefined() {
        None
    } else {
        match JSON::stringify(data) {
            Ok(s) => s.as_string(),
            Err(e) => {
                let why = js_sys::Error::from(e).message();
                return Err(ApiError::invalid(
                    "data",
                    format!("cannot be serialised to JSON: {}", String::from(why)),
                ));
            }
        }
    };
    let storage = local_storage()?;
    let prefix = app_prefix(&runtime::with_config(|c| c.app_id.clone()));
    let mut others = 0;
    let count = storage.length().unwrap_or(0);
    for i in 0..count {
        let Some(name) = storage.key(i).ok().flatten() else {
            continue;
        };
        if name.starts_with(&prefix) && name != key.storage_key {
            let value = storage.get_item(&name).ok().flatten().unwrap_or_default();
            others += entry_size(&name, &prefix, &value);
        }
    }
    check_write(&key, json.as_deref(), others)?;
    let json = json.unwrap_or_default();
    storage.set_item(&key.storage_key, &json).map_err(|_| {
        ApiError::Unknown("the browser refused to store the data (its localStorage is full)".into())
    })?;
    Ok(success_object())
}

/// `{ data }` for `key` (`null` when absent; a value not written as JSON comes back as its text).
pub(crate) fn read(key: &JsValue) -> Result<JsValue, ApiError> {
    let key = scoped(key)?;
    let stored = local_storage()?.get_item(&key.storage_key).ok().flatten();
    let data = match stored {
        None => JsValue::NULL,
        Some(text) => JSON::parse(&text).unwrap_or_else(|_| JsValue::from_str(&text)),
    };
    let obj = Object::new();
    set(&obj, "data", &data);
    Ok(obj.into())
}

/// Removes `key` (succeeds when it was not there).
pub(crate) fn remove(key: &JsValue) -> Result<JsValue, ApiError> {
    let key = scoped(key)?;
    local_storage()?
        .remove_item(&key.storage_key)
        .map_err(|_| ApiError::Unknown("localStorage refused the removal".into()))?;
    Ok(success_object())
}

fn settled(api: &'static str, options: &JsValue, outcome: Result<JsValue, ApiError>) -> Promise {
    run_api(api, options, async move { outcome.map_err(Failure::from) })
}

/// `my.setStorage({ key, data })`.
pub(crate) fn set_storage(options: &JsValue) -> Promise {
    let outcome =
        check_object(options).and_then(|()| write(&get(options, "key"), &get(options, "data")));
    settled("setStorage", options, outcome)
}

/// `my.getStorage({ key })`.
pub(crate) fn get_storage(options: &JsValue) -> Promise {
    let outcome = check_object(options).and_then(|()| read(&get(options, "key")));
    settled("getStorage", options, outcome)
}

/// `my.removeStorage({ key })`.
pub(crate) fn remove_storage(options: &JsValue) -> Promise {
    let outcome = check_object(options).and_then(|()| remove(&get(options, "key")));
    settled("removeStorage", options, outcome)
}

fn sync(outcome: Result<JsValue, ApiError>) -> JsValue {
    outcome.unwrap_or_else(|e| Failure::from(e).into_js())
}

/// `my.setStorageSync({ key, data })` or `(key, data)`.
pub(crate) fn set_storage_sync(first: &JsValue, second: &JsValue) -> JsValue {
    sync(key_and_data(first, second).and_then(|(k, d)| write(&k, &d)))
}

/// `my.getStorageSync({ key })` or `(key)` → `{ data }`.
pub(crate) fn get_storage_sync(first: &JsValue) -> JsValue {
    sync(key_and_data(first, &JsValue::UNDEFINED).and_then(|(k, _)| read(&k)))
}

/// `my.removeStorageSync({ key })` or `(key)`.
pub(crate) fn remove_storage_sync(first: &JsValue) -> JsValue {
    sync(key_and_data(first, &JsValue::UNDEFINED).and_then(|(k, _)| remove(&k)))
}
