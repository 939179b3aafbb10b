//! `my.setStorage` / `my.getStorage` / `my.removeStorage` and their `Sync` forms, on the
//! page's `localStorage` under the mini program's prefix (rules in `crate::storage`).
//!
//! `data` is stored as its `JSON.stringify` text, so objects, arrays, strings, numbers,
//! booleans and `null` round-trip (a `Date` comes back as its ISO string, as in Alipay).
//! A missing key reads as `{ data: null }` (success). The async forms do their work at call
//! time (a `getStorageSync` right after `setStorage` sees the value) and report through the
//! one adapter; the `Sync` forms return the result, or the fail object `{ error,
//! errorMessage }` instead of throwing.
//!
//! Speed: the key, the app's prefix and the values stay JS strings; a call crosses into JS
//! once or twice (`src/glue/hot.js`: the `getItem` whose length the quota needs, the `setItem`,
//! the `getItem` + `JSON.parse` of a read), and no stored value enters wasm, only lengths. The
//! `localStorage` handle and the prefix are kept while the appId stays. The app's total size
//! is kept running (`Tally`), so a write costs the same whatever is stored. The total is summed again only when it may be stale: another tab's
//! `storage` event for a shim key (or a `clear()`), or `localStorage.length` not what our last
//! change left (the page added or removed keys itself). Not seen: the page overwriting one of
//! the shim's keys with `localStorage.setItem` directly in the same tab.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{JsString, Promise, JSON};
use wasm_bindgen::prelude::*;
use web_sys::StorageEvent;

use super::adapter::{run_api, set, Failure};
use super::options::{check_object, get};
use super::runtime;
use crate::error::ApiError;
use crate::storage::{app_prefix, check_key, entry_size, Usage, KEY_PREFIX};

#[wasm_bindgen]
extern "C" {
    /// `localStorage`, bound so that values stay JS strings.
    type LocalStorage;
    #[wasm_bindgen(method, getter)]
    fn length(this: &LocalStorage) -> u32;
    #[wasm_bindgen(method)]
    fn key(this: &LocalStorage, index: u32) -> Option<String>;
    /// `getItem(key)`: a JS string or `null`, not copied into wasm.
    #[wasm_bindgen(method, js_name = getItem)]
    fn get_item(this: &LocalStorage, key: &str) -> Option<JsString>;
    #[wasm_bindgen(method, catch, js_name = removeItem)]
    fn remove_item(this: &LocalStorage, key: &str) -> Result<(), JsValue>;
}

// One crossing per step, `prefix + key` joined in JS (src/glue/hot.js).
#[wasm_bindgen(module = "/src/glue/hot.js")]
extern "C" {
    /// Length of the value under `prefix + key`, or -1 when there is none.
    #[wasm_bindgen(js_name = storedLength)]
    fn stored_length(storage: &LocalStorage, prefix: &JsString, key: &JsString) -> f64;
    /// `setItem(prefix + key, json)`; `localStorage.length` after it.
    #[wasm_bindgen(catch, js_name = storeItem)]
    fn store_item(
        storage: &LocalStorage,
        prefix: &JsString,
        key: &JsString,
        json: &JsString,
    ) -> Result<u32, JsValue>;
    /// `removeItem(prefix + key)`; `localStorage.length` after it.
    #[wasm_bindgen(catch, js_name = eraseItem)]
    fn erase_item(
        storage: &LocalStorage,
        prefix: &JsString,
        key: &JsString,
    ) -> Result<u32, JsValue>;
    /// `{ data }`: `null`, the value parsed as JSON, or its text when it is not JSON.
    #[wasm_bindgen(js_name = loadItem)]
    fn load_item(storage: &LocalStorage, prefix: &JsString, key: &JsString) -> JsValue;
    /// `{ success: true }`.
    #[wasm_bindgen(js_name = storedOk)]
    fn stored_ok() -> JsValue;
}

/// The configured app's place in `localStorage`, kept while its appId stays the same.
struct Scope {
    app_id: String,
    /// `miniprogram-shim/<encoded appId>/`, in Rust (the tally) and as a JS string (the calls).
    prefix: String,
    prefix_js: JsString,
    storage: LocalStorage,
}

/// The current app's scope (cheap: the kept one unless the appId changed). Not borrowed
/// across calls into JS, which may call `my.*` again (a `toJSON`).
fn scope() -> Result<Rc<Scope>, ApiError> {
    let kept = SCOPE.with(|s| {
        s.borrow()
            .as_ref()
            .filter(|scope| runtime::with_config(|c| c.app_id == scope.app_id))
            .cloned()
    });
    if let Some(scope) = kept {
        return Ok(scope);
    }
    let storage = local_storage()?;
    let (app_id, prefix) = runtime::with_config(|c| (c.app_id.clone(), app_prefix(&c.app_id)));
    let scope = Rc::new(Scope {
        prefix_js: JsString::from(prefix.as_str()),
        app_id,
        prefix,
        storage,
    });
    SCOPE.with(|s| *s.borrow_mut() = Some(Rc::clone(&scope)));
    Ok(scope)
}

/// The running size of one app's storage, and `localStorage.length` as our last change left it.
struct Tally {
    prefix: String,
    usage: Usage,
    length: u32,
}

thread_local! {
    /// `None` until the first write, and again whenever another tab changes a shim key.
    static TALLY: RefCell<Option<Tally>> = const { RefCell::new(None) };
    static LISTENING: Cell<bool> = const { Cell::new(false) };
    static SCOPE: RefCell<Option<Rc<Scope>>> = const { RefCell::new(None) };
}

/// The app's usage: the running total when it is still valid, else summed from every key.
fn usage(storage: &LocalStorage, prefix: &str) -> Usage {
    listen_for_other_tabs();
    let length = storage.length();
    let cached = TALLY.with(|t| {
        t.borrow()
            .as_ref()
            .filter(|t| t.prefix == prefix && t.length == length)
            .map(|t| t.usage)
    });
    cached.unwrap_or_else(|| {
        let mut total = 0;
        for i in 0..length {
            let Some(name) = storage.key(i) else {
                continue;
            };
            if name.starts_with(prefix) {
                let len = storage.get_item(&name).map_or(0, |v| v.length() as usize);
                total += entry_size(&name, prefix, len);
            }
        }
        Usage::new(total)
    })
}

/// The characters the configured app's keys and data use, as the next write will count them
/// (for the browser tests; not exported to JS).
#[doc(hidden)]
pub fn storage_usage() -> Result<usize, ApiError> {
    let storage = local_storage()?;
    let prefix = runtime::with_config(|c| app_prefix(&c.app_id));
    Ok(usage(&storage, &prefix).total())
}

/// Records the usage after our own change, which left `localStorage.length` at `length`.
fn remember(prefix: &str, usage: Usage, length: u32) {
    TALLY.with(|t| {
        let mut t = t.borrow_mut();
        match t.as_mut() {
            Some(tally) if tally.prefix == prefix => {
                tally.usage = usage;
                tally.length = length;
            }
            _ => {
                *t = Some(Tally {
                    prefix: prefix.to_owned(),
                    usage,
                    length,
                })
            }
        }
    });
}

/// Drops the running total when another tab changes a shim key or clears `localStorage` (the
/// `storage` event fires only in the other tabs of the origin).
fn listen_for_other_tabs() {
    if LISTENING.with(|l| l.replace(true)) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_storage = Closure::<dyn Fn(StorageEvent)>::new(|event: StorageEvent| {
        if event.key().is_none_or(|k| k.starts_with(KEY_PREFIX)) {
            TALLY.with(|t| t.borrow_mut().take());
        }
    });
    let added =
        window.add_event_listener_with_callback("storage", on_storage.as_ref().unchecked_ref());
    if added.is_ok() {
        // Page lifetime: the tally lives as long as the page.
        on_storage.forget();
    }
}

fn local_storage() -> Result<LocalStorage, ApiError> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .map(JsCast::unchecked_into)
        .ok_or_else(|| ApiError::Unknown("localStorage is not available on this page".into()))
}

/// The mini program's key, checked (a non-empty JS string), with its length; not copied.
fn checked_key(key: &JsValue) -> Result<(&JsString, usize), ApiError> {
    let key = key.dyn_ref::<JsString>();
    let len = check_key(key.map(|k| k.length() as usize))?;
    match key {
        Some(key) => Ok((key, len)),
        None => Err(ApiError::invalid("key", "is required and must be a string")),
    }
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

/// Stores `data` under `key`; nothing changes on any failure.
pub(crate) fn write(key: &JsValue, data: &JsValue) -> Result<JsValue, ApiError> {
    let (key, key_len) = checked_key(key)?;
    let json = if data.is_undefined() {
        None
    } else {
        match JSON::stringify(data) {
            // `undefined` for a function, typed as a string by js-sys.
            Ok(s) if s.is_string() => Some(s),
            Ok(_) => None,
            Err(e) => {
                let why = js_sys::Error::from(e).message();
                return Err(ApiError::invalid(
                    "data",
                    format!("cannot be serialised to JSON: {}", String::from(why)),
                ));
            }
        }
    };
    let scope = scope()?;
    let old_len = stored_len(&scope, key);
    let json_len = json.as_ref().map(|s| s.length() as usize);
    let after = usage(&scope.storage, &scope.prefix).write(key_len, json_len, old_len)?;
    let json = json.unwrap_or_else(|| JsString::from(""));
    let length = store_item(&scope.storage, &scope.prefix_js, key, &json).map_err(|_| {
        ApiError::Unknown("the browser refused to store the data (its localStorage is full)".into())
    })?;
    remember(&scope.prefix, after, length);
    Ok(stored_ok())
}

/// The length of the value stored under the app's `key`, `None` when there is none.
fn stored_len(scope: &Scope, key: &JsString) -> Option<usize> {
    let len = stored_length(&scope.storage, &scope.prefix_js, key);
    (len >= 0.0).then_some(len as usize)
}

/// `{ data }` for `key` (`null` when absent; a value not written as JSON comes back as its text).
pub(crate) fn read(key: &JsValue) -> Result<JsValue, ApiError> {
    let (key, _) = checked_key(key)?;
    let scope = scope()?;
    Ok(load_item(&scope.storage, &scope.prefix_js, key))
}

/// Removes `key` (succeeds when it was not there).
pub(crate) fn remove(key: &JsValue) -> Result<JsValue, ApiError> {
    let (key, key_len) = checked_key(key)?;
    let scope = scope()?;
    let old_len = stored_len(&scope, key);
    let before = usage(&scope.storage, &scope.prefix);
    let length = erase_item(&scope.storage, &scope.prefix_js, key)
        .map_err(|_| ApiError::Unknown("localStorage refused the removal".into()))?;
    remember(&scope.prefix, before.remove(key_len, old_len), length);
    Ok(stored_ok())
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

// --- clearStorage / getStorageInfo (issue 9) ---------------------------------------------

/// The app's storage names (with prefix), read before changing anything.
fn app_keys(storage: &LocalStorage, prefix: &str) -> Vec<String> {
    (0..storage.length())
        .filter_map(|i| storage.key(i))
        .filter(|name| name.starts_with(prefix))
        .collect()
}

/// Removes every key of this mini program (other apps' keys and the page's own stay).
pub(crate) fn clear() -> Result<JsValue, ApiError> {
    let storage = local_storage()?;
    let prefix = runtime::with_config(|c| app_prefix(&c.app_id));
    for name in app_keys(&storage, &prefix) {
        storage
            .remove_item(&name)
            .map_err(|_| ApiError::Unknown("localStorage refused the removal".into()))?;
    }
    remember(&prefix, Usage::new(0), storage.length());
    Ok(stored_ok())
}

/// `{ keys, currentSize, limitSize }` (KB) of this mini program.
pub(crate) fn info() -> Result<JsValue, ApiError> {
    let storage = local_storage()?;
    let prefix = runtime::with_config(|c| app_prefix(&c.app_id));
    let keys = app_keys(&storage, &prefix)
        .into_iter()
        .map(|name| name[prefix.len()..].to_owned())
        .collect();
    let usage = usage(&storage, &prefix);
    remember(&prefix, usage, storage.length());
    Ok(super::app_info::ToJs::to_js(
        &crate::storage::StorageInfo::new(keys, usage),
    ))
}

/// `my.clearStorage()`.
pub(crate) fn clear_storage(options: &JsValue) -> Promise {
    settled(
        "clearStorage",
        options,
        check_object(options).and_then(|()| clear()),
    )
}

/// `my.clearStorageSync()` → `{ success: true }`, or the fail object with `success: false`
/// (the typings declare `success: boolean`).
pub(crate) fn clear_storage_sync() -> JsValue {
    clear().unwrap_or_else(|e| {
        let obj = Failure::from(e).into_js();
        set(obj.unchecked_ref(), "success", &JsValue::FALSE);
        obj
    })
}

/// `my.getStorageInfo()`.
pub(crate) fn get_storage_info(options: &JsValue) -> Promise {
    settled(
        "getStorageInfo",
        options,
        check_object(options).and_then(|()| info()),
    )
}

/// `my.getStorageInfoSync()` → `{ keys, currentSize, limitSize }` or the fail object.
pub(crate) fn get_storage_info_sync() -> JsValue {
    sync(info())
}
