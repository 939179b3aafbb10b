//! `my.confirm`, `my.showToast`, `my.showLoading`, `my.hideLoading`: DOM overlays in the
//! page, like `my.alert` (texts via `textContent`, never HTML).
//!
//! - confirm: a modal with two buttons; the confirm button takes focus; Tab moves between the
//!   two; Enter/Space press the focused button, Escape cancels; `success({ confirm })` after
//!   the overlay is removed and focus is back where it was.
//! - toast: one at a time (a new one replaces the shown one, whose call then succeeds);
//!   `success` when it disappears after `duration` ms or on `hideToast` (Alipay's and H5's
//!   behaviour).
//! - loading: one at a time (a new one replaces it); `success` once shown (or scheduled, with
//!   `delay`); `hideLoading` removes it and succeeds even when nothing is shown.
//!
//! Each shown toast/loading is owned by a thread-local slot whose value's `Drop` removes the
//! element and cancels its timer, so replacing or hiding can never leave one behind.

use std::cell::{Cell, RefCell};

use gloo_timers::callback::Timeout;
use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Document, Element, Event, HtmlElement, KeyboardEvent};

use super::adapter::{run_api, set, Failure};
use super::host::{element, Listener};
use super::options::{check_object, number, text, text_of};
use crate::error::ApiError;
use crate::ui::{ConfirmContent, Loading, Toast, ToastType};

// ---- shared DOM helpers -----------------------------------------------------------------

fn document() -> Result<Document, ApiError> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| ApiError::Unknown("this API needs a document".into()))
}

fn body(document: &Document) -> Result<HtmlElement, ApiError> {
    document
        .body()
        .ok_or_else(|| ApiError::Unknown("this API needs a <body>".into()))
}

/// A Promise and the function that resolves it.
pub(crate) fn signal() -> Result<(Promise, Function), ApiError> {
    let mut resolve: Option<Function> = None;
    let promise = Promise::new(&mut |res, _| resolve = Some(res));
    let resolve =
        resolve.ok_or_else(|| ApiError::Unknown("Promise executor did not run".into()))?;
    Ok((promise, resolve))
}

thread_local! {
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

fn next_id() -> u32 {
    NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    })
}

// ---- my.confirm -------------------------------------------------------------------------

const OVERLAY_STYLE: &str = "position:fixed;inset:0;z-index:2147483647;display:flex;\
align-items:center;justify-content:center;background:rgba(0,0,0,.45);";
const DIALOG_STYLE: &str = "box-sizing:border-box;min-width:240px;max-width:min(86vw,360px);\
padding:20px 20px 0;border-radius:12px;background:#fff;color:#111;text-align:center;\
font:15px/1.45 system-ui,sans-serif;box-shadow:0 8px 30px rgba(0,0,0,.3);";
const TITLE_STYLE: &str = "margin:0 0 8px;font-size:17px;font-weight:600;";
const CONTENT_STYLE: &str = "margin:0 0 16px;white-space:pre-wrap;word-break:break-word;";
const ROW_STYLE: &str = "display:flex;margin:0 -20px;border-top:1px solid #eee;";
const CANCEL_STYLE: &str = "flex:1;padding:12px;border:0;border-right:1px solid #eee;\
background:none;color:#333;font:inherit;cursor:pointer;";
const CONFIRM_STYLE: &str = "flex:1;padding:12px;border:0;background:none;color:#1677ff;\
font:inherit;font-weight:600;cursor:pointer;";

/// The overlay (of `class`) and, in it, the alert dialog with its title and content (each
/// left out when empty); the caller adds the buttons and appends the dialog.
pub(crate) fn modal(
    document: &Document,
    class: &str,
    dialog_style: &str,
    title: &str,
    content: &str,
) -> Result<(Element, Element), ApiError> {
    let overlay = element(document, "div", OVERLAY_STYLE)?;
    overlay.set_class_name(class);
    let dialog = element(document, "div", dialog_style)?;
    let _ = dialog.set_attribute("role", "alertdialog");
    let _ = dialog.set_attribute("aria-modal", "true");
    if !title.is_empty() {
        let heading = element(document, "h2", TITLE_STYLE)?;
        heading.set_text_content(Some(title));
        let _ = dialog.set_attribute("aria-label", title);
        let _ = dialog.append_child(&heading);
    }
    if !content.is_empty() {
        let text = element(document, "p", CONTENT_STYLE)?;
        text.set_text_content(Some(content));
        let _ = dialog.append_child(&text);
    }
    Ok((overlay, dialog))
}

/// `my.confirm(options)`.
pub(crate) fn confirm(options: &JsValue) -> Promise {
    let content = read_confirm(options);
    run_api(
        "confirm",
        options,
        async move { show_confirm(content?).await },
    )
}

fn read_confirm(options: &JsValue) -> Result<ConfirmContent, ApiError> {
    check_object(options)?;
    Ok(ConfirmContent::new(
        text(options, "title")?,
        text(options, "content")?,
        text(options, "confirmButtonText")?,
        text(options, "cancelButtonText")?,
    ))
}

async fn show_confirm(confirm: ConfirmContent) -> Result<JsValue, Failure> {
    let document = document()?;
    let body = body(&document)?;
    let (overlay, dialog) = modal(
        &document,
        "miniprogram-shim-confirm",
        DIALOG_STYLE,
        &confirm.title,
        &confirm.content,
    )?;
    let row = element(&document, "div", ROW_STYLE)?;
    let cancel = element(&document, "button", CANCEL_STYLE)?;
    let _ = cancel.set_attribute("type", "button");
    let _ = cancel.set_attribute("data-action", "cancel");
    cancel.set_text_content(Some(&confirm.cancel_text));
    let ok = element(&document, "button", CONFIRM_STYLE)?;
    let _ = ok.set_attribute("type", "button");
    let _ = ok.set_attribute("data-action", "confirm");
    ok.set_text_content(Some(&confirm.confirm_text));
    let _ = row.append_child(&cancel);
    let _ = row.append_child(&ok);
    let _ = dialog.append_child(&row);
    let _ = overlay.append_child(&dialog);

    let choice = std::rc::Rc::new(Cell::new(None::<bool>));
    let (closed, resolve) = signal()?;
    let choose = {
        let choice = choice.clone();
        move |confirmed: bool| {
            if choice.get().is_none() {
                choice.set(Some(confirmed));
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        }
    };
    let _on_cancel = {
        let choose = choose.clone();
        Listener::new(&cancel, "click", move |_| choose(false))
    };
    let _on_ok = {
        let choose = choose.clone();
        Listener::new(&ok, "click", move |_| choose(true))
    };
    let _on_key = {
        let (ok, cancel, document) = (ok.clone(), cancel.clone(), document.clone());
        Listener::new(&overlay, "keydown", move |event: Event| {
            let Some(key) = event.dyn_ref::<KeyboardEvent>().map(KeyboardEvent::key) else {
                return;
            };
            let cancel_focused = document.active_element().is_some_and(|e| e == cancel);
            match key.as_str() {
                "Escape" => {
                    event.prevent_default();
                    choose(false);
                }
                "Enter" | " " => {
                    event.prevent_default();
                    choose(!cancel_focused);
                }
                "Tab" | "ArrowLeft" | "ArrowRight" => {
                    // Focus stays inside the dialog: it moves between the two buttons.
                    event.prevent_default();
                    let next = if cancel_focused { &ok } else { &cancel };
                    if let Some(next) = next.dyn_ref::<HtmlElement>() {
                        let _ = next.focus();
                    }
                }
                _ => {}
            }
        })
    };

    let previous_focus = document
        .active_element()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    let _ = body.append_child(&overlay);
    if let Some(ok) = ok.dyn_ref::<HtmlElement>() {
        let _ = ok.focus();
    }

    let _ = JsFuture::from(closed).await;

    overlay.remove();
    if let Some(previous) = previous_focus {
        let _ = previous.focus();
    }
    let result = Object::new();
    set(
        &result,
        "confirm",
        &JsValue::from_bool(choice.get().unwrap_or(false)),
    );
    Ok(result.into())
}

// ---- my.showToast -----------------------------------------------------------------------

const TOAST_STYLE: &str = "position:fixed;left:50%;top:50%;transform:translate(-50%,-50%);\
z-index:2147483647;box-sizing:border-box;max-width:min(80vw,320px);padding:12px 18px;\
border-radius:8px;background:rgba(0,0,0,.78);color:#fff;text-align:center;\
font:15px/1.45 system-ui,sans-serif;white-space:pre-wrap;word-break:break-word;\
pointer-events:none;";
const ICON_STYLE: &str = "display:block;font-size:28px;line-height:1.2;margin-bottom:4px;";

#[wasm_bindgen(module = "/src/glue/hot.js")]
extern "C" {
    /// Calls `f()` after `ms` on the shared timer (src/glue/hot.js); the handle cancels it.
    #[wasm_bindgen(js_name = armTimer)]
    fn arm_timer(ms: u32, f: &Function) -> JsValue;
    #[wasm_bindgen(js_name = disarmTimeout)]
    fn disarm_timer(handle: &JsValue);
}

/// A timer on the shared one; dropping it cancels it.
struct Timer(JsValue);

impl Drop for Timer {
    fn drop(&mut self) {
        disarm_timer(&self.0);
    }
}

/// The toast on screen. Dropping it removes it and ends its `my.showToast` call.
struct ShownToast {
    id: u32,
    element: Element,
    done: Function,
}

impl Drop for ShownToast {
    fn drop(&mut self) {
        self.element.remove();
        let _ = self.done.call0(&JsValue::UNDEFINED);
    }
}

thread_local! {
    static TOAST: RefCell<Option<ShownToast>> = const { RefCell::new(None) };
    /// A toast of each type with its styles, roles and icon, its text left empty: each toast
    /// is a copy. (Building one took as long as the rest of the call: the inline styles were
    /// parsed again each time; a copy shares them.)
    static TOAST_TEMPLATES: RefCell<[Option<Element>; 4]> = const { RefCell::new([None, None, None, None]) };
}

/// `my.showToast(options)`.
pub(crate) fn show_toast(options: &JsValue) -> Promise {
    let toast = read_toast(options);
    run_api("showToast", options, async move { run_toast(toast?).await })
}

fn read_toast(options: &JsValue) -> Result<Toast, ApiError> {
    check_object(options)?;
    let (duration, given) = number(options, "duration");
    Toast::new(
        text_of(options, &["content", "title"])?,
        text(options, "type")?.as_deref(),
        duration,
        given,
    )
}

/// A new toast element of `kind`: `div.miniprogram-shim-toast[role=status]` holding the icon
/// (when the type has one) and a `span` for the text, the last child.
fn toast_element(document: &Document, kind: ToastType) -> Result<Element, ApiError> {
    let index = match kind {
        ToastType::None => 0,
        ToastType::Success => 1,
        ToastType::Fail => 2,
        ToastType::Exception => 3,
    };
    let cached = TOAST_TEMPLATES.with(|t| t.borrow()[index].clone());
    let template = match cached {
        Some(template) => template,
        None => {
            let el = element(document, "div", TOAST_STYLE)?;
            el.set_class_name("miniprogram-shim-toast");
            let _ = el.set_attribute("role", "status");
            let _ = el.set_attribute("aria-live", "polite");
            let _ = el.set_attribute("data-type", kind.name());
            if !kind.icon().is_empty() {
                let icon = element(document, "span", ICON_STYLE)?;
                let _ = icon.set_attribute("aria-hidden", "true");
                icon.set_text_content(Some(kind.icon()));
                let _ = el.append_child(&icon);
            }
            let text = element(document, "span", "")?;
            let _ = el.append_child(&text);
            TOAST_TEMPLATES.with(|t| t.borrow_mut()[index] = Some(el.clone()));
            el
        }
    };
    template
        .clone_node_with_deep(true)
        .map(JsCast::unchecked_into)
        .map_err(|_| ApiError::Unknown("cannot create the toast".into()))
}

async fn run_toast(toast: Toast) -> Result<JsValue, Failure> {
    let document = document()?;
    let body = body(&document)?;
    let el = toast_element(&document, toast.kind)?;
    if let Some(text) = el.last_element_child() {
        text.set_text_content(Some(&toast.content));
    }

    let (gone, done) = signal()?;
    let id = next_id();
    let _ = body.append_child(&el);
    let _timer = Timer(arm_timer(toast.duration_ms, &done));
    let replaced = TOAST.with(|t| {
        t.borrow_mut().replace(ShownToast {
            id,
            element: el,
            done,
        })
    });
    drop(replaced); // the previous toast disappears; its call succeeds

    let _ = JsFuture::from(gone).await;
    let mine = TOAST.with(|t| {
        let mut slot = t.borrow_mut();
        if slot.as_ref().is_some_and(|s| s.id == id) {
            slot.take()
        } else {
            None
        }
    });
    drop(mine);
    Ok(Object::new().into())
}

/// `my.hideToast()`: removes the shown toast (its `showToast` call then succeeds); succeeds
/// when none is shown.
pub(crate) fn hide_toast(options: &JsValue) -> Promise {
    run_api("hideToast", options, async move {
        let shown = TOAST.with(|t| t.borrow_mut().take());
        drop(shown);
        Ok(Object::new().into())
    })
}

// ---- my.showLoading / my.hideLoading ----------------------------------------------------

const LOADING_MASK_STYLE: &str = "position:fixed;inset:0;z-index:2147483646;display:flex;\
align-items:center;justify-content:center;background:transparent;";
const LOADING_BOX_STYLE: &str = "box-sizing:border-box;min-width:120px;max-width:min(70vw,280px);\
padding:16px 18px;border-radius:8px;background:rgba(0,0,0,.78);color:#fff;text-align:center;\
font:14px/1.45 system-ui,sans-serif;word-break:break-word;";
const SPINNER_STYLE: &str = "display:block;width:28px;height:28px;margin:0 auto 8px;\
border:3px solid rgba(255,255,255,.3);border-top-color:#fff;border-radius:50%;";

/// The loading indicator (shown, or waiting for its `delay`). Dropping it removes it and
/// cancels the delay.
struct ShownLoading {
    element: Element,
    _delay: Option<Timeout>,
}

impl Drop for ShownLoading {
    fn drop(&mut self) {
        self.element.remove();
    }
}

thread_local! {
    static LOADING: RefCell<Option<ShownLoading>> = const { RefCell::new(None) };
}

/// `my.showLoading(options)`.
pub(crate) fn show_loading(options: &JsValue) -> Promise {
    let loading = read_loading(options);
    run_api("showLoading", options, async move {
        let loading = loading?;
        let document = document()?;
        let body = body(&document)?;
        let mask = element(&document, "div", LOADING_MASK_STYLE)?;
        mask.set_class_name("miniprogram-shim-loading");
        let boxed = element(&document, "div", LOADING_BOX_STYLE)?;
        let _ = boxed.set_attribute("role", "status");
        let _ = boxed.set_attribute("aria-busy", "true");
        let spinner = element(&document, "span", SPINNER_STYLE)?;
        let _ = spinner.set_attribute("aria-hidden", "true");
        let _ = boxed.append_child(&spinner);
        let label = element(&document, "span", "")?;
        label.set_text_content(Some(&loading.content));
        let _ = boxed.append_child(&label);
        let _ = mask.append_child(&boxed);
        let delay = if loading.delay_ms == 0 {
            let _ = body.append_child(&mask);
            None
        } else {
            let (body, mask) = (body.clone(), mask.clone());
            Some(Timeout::new(loading.delay_ms, move || {
                let _ = body.append_child(&mask);
            }))
        };
        let replaced = LOADING.with(|l| {
            l.borrow_mut().replace(ShownLoading {
                element: mask,
                _delay: delay,
            })
        });
        drop(replaced);
        Ok(Object::new().into())
    })
}

fn read_loading(options: &JsValue) -> Result<Loading, ApiError> {
    check_object(options)?;
    let (delay, given) = number(options, "delay");
    Loading::new(text_of(options, &["content", "title"])?, delay, given)
}

/// `my.hideLoading(options)`: succeeds whether or not a loading was shown.
pub(crate) fn hide_loading(options: &JsValue) -> Promise {
    run_api("hideLoading", options, async move {
        let shown = LOADING.with(|l| l.borrow_mut().take());
        drop(shown);
        Ok(Object::new().into())
    })
}
