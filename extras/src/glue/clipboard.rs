//! `my.setClipboard({ text })` / `my.getClipboard()` → `{ text }`.
//!
//! The system clipboard (`navigator.clipboard`) is used where the browser allows it; it often
//! does not (no focus, no permission, an iframe, a headless browser), so the runtime also
//! keeps the text for the page session: `setClipboard` always succeeds once the text is
//! kept, and `getClipboard` answers from the system clipboard when it can be read (within
//! 1 s) and the last `setClipboard` reached it, else from the session's text (`""` if none).

use std::cell::{Cell, RefCell};

use gloo_timers::callback::Timeout;
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::adapter::{run_api, set};
use super::options::{check_object, text};
use crate::error::ApiError;

/// How long a system clipboard call may take before the session clipboard answers.
const SYSTEM_CLIPBOARD_MS: u32 = 1000;

thread_local! {
    /// The session clipboard.
    static SESSION: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Whether the last `setClipboard` reached the system clipboard.
    static SYSTEM_IS_CURRENT: Cell<bool> = const { Cell::new(true) };
    /// `() => {}`, to mark a raced-away clipboard Promise handled (page lifetime).
    static IGNORE: Closure<dyn FnMut(JsValue)> = Closure::new(|_| {});
}

/// `navigator.clipboard[method](...args)` as a Promise, if the API exists.
fn system_call(method: &str, args: &Array) -> Option<Promise> {
    let window = web_sys::window()?;
    let navigator = Reflect::get(&window, &"navigator".into()).ok()?;
    let clipboard = Reflect::get(&navigator, &"clipboard".into()).ok()?;
    if !clipboard.is_object() {
        return None;
    }
    let f: Function = Reflect::get(&clipboard, &method.into())
        .ok()?
        .dyn_into()
        .ok()?;
    let promise: Promise = f.apply(&clipboard, args).ok()?.dyn_into().ok()?;
    IGNORE.with(|ignore| {
        let _ = promise.catch(ignore);
    });
    Some(promise)
}

/// `Some(result)` if `promise` settles within `ms`, `None` if it does not.
async fn within(promise: Promise, ms: u32) -> Option<Result<JsValue, JsValue>> {
    let marker: JsValue = Object::new().into();
    let mut resolve = None;
    let timer_promise = Promise::new(&mut |res, _| resolve = Some(res));
    let resolve = resolve?;
    let _timer = {
        let marker = marker.clone();
        Timeout::new(ms, move || {
            let _ = resolve.call1(&JsValue::UNDEFINED, &marker);
        })
    };
    let race = Promise::race(&Array::of2(&promise, &timer_promise));
    match JsFuture::from(race).await {
        Ok(v) if v == marker => None,
        other => Some(other),
    }
}

/// `my.setClipboard({ text })`.
pub(crate) fn set_clipboard(options: &JsValue) -> Promise {
    let text = check_object(options).and_then(|()| {
        text(options, "text")?
            .ok_or_else(|| ApiError::invalid("text", "is required and must be a string"))
    });
    run_api("setClipboard", options, async move {
        let text = text?;
        SESSION.with(|s| *s.borrow_mut() = Some(text.clone()));
        SYSTEM_IS_CURRENT.with(|c| c.set(false));
        if let Some(write) = system_call("writeText", &Array::of1(&JsValue::from_str(&text))) {
            if let Some(Ok(_)) = within(write, SYSTEM_CLIPBOARD_MS).await {
                SYSTEM_IS_CURRENT.with(|c| c.set(true));
            }
        }
        Ok(Object::new().into())
    })
}

/// `my.getClipboard()` → `{ text }`.
pub(crate) fn get_clipboard(options: &JsValue) -> Promise {
    let checked = check_object(options);
    run_api("getClipboard", options, async move {
        checked?;
        let mut text = None;
        if SYSTEM_IS_CURRENT.with(Cell::get) {
            if let Some(read) = system_call("readText", &Array::new()) {
                if let Some(Ok(value)) = within(read, SYSTEM_CLIPBOARD_MS).await {
                    text = value.as_string();
                }
            }
        }
        let text = text.unwrap_or_else(|| SESSION.with(|s| s.borrow().clone()).unwrap_or_default());
        let result = Object::new();
        set(&result, "text", &JsValue::from_str(&text));
        Ok(result.into())
    })
}

/// The `my.*` methods of this file, for the extras module's `my` (`glue::MY`).
pub(super) fn methods() -> Vec<(&'static str, super::Method)> {
    vec![
        (
            "setClipboard",
            Closure::new(|o: JsValue| JsValue::from(set_clipboard(&o))),
        ),
        (
            "getClipboard",
            Closure::new(|o: JsValue| JsValue::from(get_clipboard(&o))),
        ),
    ]
}
