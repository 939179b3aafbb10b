//! `my.alert`: a modal overlay in the page's DOM. Texts go in with `textContent` (never
//! HTML); the button takes focus; Enter, Escape or a click closes it; focus goes back to
//! where it was; the overlay is removed before `success` runs.

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Event, HtmlElement, KeyboardEvent};

use super::adapter::{run_api, Failure};
use super::host::element;
use super::options::{check_object, text};
use super::ui::{modal, signal};
use crate::alert::AlertContent;
use crate::error::ApiError;

/// `my.alert(options)`.
pub(crate) fn alert(options: &JsValue) -> Promise {
    let content = read_options(options);
    run_api("alert", options, async move { show(content?).await })
}

fn read_options(options: &JsValue) -> Result<AlertContent, ApiError> {
    check_object(options)?;
    Ok(AlertContent::new(
        text(options, "title")?,
        text(options, "content")?,
        text(options, "buttonText")?,
    ))
}

const DIALOG_STYLE: &str = "box-sizing:border-box;min-width:240px;max-width:min(86vw,360px);\
padding:20px 20px 12px;border-radius:12px;background:#fff;color:#111;text-align:center;\
font:15px/1.45 system-ui,sans-serif;box-shadow:0 8px 30px rgba(0,0,0,.3);";
const BUTTON_STYLE: &str =
    "display:block;width:100%;padding:10px;border:0;border-top:1px solid #eee;\
background:none;color:#1677ff;font:inherit;font-weight:600;cursor:pointer;";

async fn show(alert: AlertContent) -> Result<JsValue, Failure> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| ApiError::Unknown("my.alert needs a document".into()))?;
    let body = document
        .body()
        .ok_or_else(|| ApiError::Unknown("my.alert needs a <body>".into()))?;

    let (overlay, dialog) = modal(
        &document,
        "miniprogram-shim-alert",
        DIALOG_STYLE,
        &alert.title,
        &alert.content,
    )?;
    let button = element(&document, "button", BUTTON_STYLE)?;
    let _ = button.set_attribute("type", "button");
    button.set_text_content(Some(&alert.button_text));
    let _ = dialog.append_child(&button);
    let _ = overlay.append_child(&dialog);

    let (closed, resolve) = signal()?;
    let on_click = {
        let resolve = resolve.clone();
        Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        })
    };
    let on_key = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        let Some(key) = event.dyn_ref::<KeyboardEvent>().map(KeyboardEvent::key) else {
            return;
        };
        match key.as_str() {
            "Enter" | "Escape" | " " => {
                event.prevent_default();
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
            "Tab" => event.prevent_default(), // the button is the only focusable element
            _ => {}
        }
    });
    let _ = button.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    let _ = overlay.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());

    let previous_focus = document
        .active_element()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    let _ = body.append_child(&overlay);
    if let Some(button) = button.dyn_ref::<HtmlElement>() {
        let _ = button.focus();
    }

    let _ = JsFuture::from(closed).await;

    overlay.remove();
    if let Some(previous) = previous_focus {
        let _ = previous.focus();
    }
    // The overlay is out of the DOM: no event can reach the closures any more.
    drop((on_click, on_key));
    Ok(Object::new().into())
}
