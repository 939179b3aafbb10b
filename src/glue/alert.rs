//! `my.alert`: a modal overlay in the page's DOM. Texts go in with `textContent` (never
//! HTML); the button takes focus; Enter, Escape or a click closes it; focus goes back to
//! where it was; the overlay is removed before `success` runs.

use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Document, Element, Event, HtmlElement, KeyboardEvent};

use super::adapter::{run_api, Failure};
use crate::alert::AlertContent;
use crate::error::ApiError;

#[wasm_bindgen]
extern "C" {
    /// Duck-typed view of the `my.alert` options object.
    type AlertOptionsJs;
    #[wasm_bindgen(method, getter, structural)]
    fn title(this: &AlertOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter, structural)]
    fn content(this: &AlertOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter, structural, js_name = buttonText)]
    fn button_text(this: &AlertOptionsJs) -> JsValue;
    #[wasm_bindgen(js_name = String)]
    fn js_string(value: &JsValue) -> String;
}

/// `my.alert(options)`.
pub(crate) fn alert(options: &JsValue) -> Promise {
    let content = read_options(options);
    run_api("alert", options, async move { show(content?).await })
}

fn read_options(options: &JsValue) -> Result<AlertContent, ApiError> {
    if options.is_undefined() || options.is_null() {
        return Ok(AlertContent::new(None, None, None));
    }
    if !options.is_object() {
        return Err(ApiError::invalid("options", "must be an object"));
    }
    let opts: &AlertOptionsJs = options.unchecked_ref();
    let text = |value: JsValue, name: &str| -> Result<Option<String>, ApiError> {
        if value.is_undefined() || value.is_null() {
            Ok(None)
        } else if let Some(s) = value.as_string() {
            Ok(Some(s))
        } else if value.as_f64().is_some() || value.as_bool().is_some() {
            Ok(Some(js_string(&value)))
        } else {
            Err(ApiError::invalid(name, "must be a string"))
        }
    };
    Ok(AlertContent::new(
        text(opts.title(), "title")?,
        text(opts.content(), "content")?,
        text(opts.button_text(), "buttonText")?,
    ))
}

const OVERLAY_STYLE: &str = "position:fixed;inset:0;z-index:2147483647;display:flex;\
align-items:center;justify-content:center;background:rgba(0,0,0,.45);";
const DIALOG_STYLE: &str = "box-sizing:border-box;min-width:240px;max-width:min(86vw,360px);\
padding:20px 20px 12px;border-radius:12px;background:#fff;color:#111;text-align:center;\
font:15px/1.45 system-ui,sans-serif;box-shadow:0 8px 30px rgba(0,0,0,.3);";
const TITLE_STYLE: &str = "margin:0 0 8px;font-size:17px;font-weight:600;";
const CONTENT_STYLE: &str = "margin:0 0 16px;white-space:pre-wrap;word-break:break-word;";
const BUTTON_STYLE: &str =
    "display:block;width:100%;padding:10px;border:0;border-top:1px solid #eee;\
background:none;color:#1677ff;font:inherit;font-weight:600;cursor:pointer;";

fn element(document: &Document, tag: &str, style: &str) -> Result<Element, ApiError> {
    let el = document
        .create_element(tag)
        .map_err(|_| ApiError::Unknown(format!("cannot create <{tag}>")))?;
    let _ = el.set_attribute("style", style);
    Ok(el)
}

async fn show(alert: AlertContent) -> Result<JsValue, Failure> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| ApiError::Unknown("my.alert needs a document".into()))?;
    let body = document
        .body()
        .ok_or_else(|| ApiError::Unknown("my.alert needs a <body>".into()))?;

    let overlay = element(&document, "div", OVERLAY_STYLE)?;
    overlay.set_class_name("miniprogram-shim-alert");
    let dialog = element(&document, "div", DIALOG_STYLE)?;
    let _ = dialog.set_attribute("role", "alertdialog");
    let _ = dialog.set_attribute("aria-modal", "true");
    if !alert.title.is_empty() {
        let title = element(&document, "h2", TITLE_STYLE)?;
        title.set_text_content(Some(&alert.title));
        let _ = dialog.set_attribute("aria-label", &alert.title);
        let _ = dialog.append_child(&title);
    }
    if !alert.content.is_empty() {
        let content = element(&document, "p", CONTENT_STYLE)?;
        content.set_text_content(Some(&alert.content));
        let _ = dialog.append_child(&content);
    }
    let button = element(&document, "button", BUTTON_STYLE)?;
    let _ = button.set_attribute("type", "button");
    button.set_text_content(Some(&alert.button_text));
    let _ = dialog.append_child(&button);
    let _ = overlay.append_child(&dialog);

    let mut resolve: Option<Function> = None;
    let closed = Promise::new(&mut |res, _| resolve = Some(res));
    let resolve =
        resolve.ok_or_else(|| ApiError::Unknown("Promise executor did not run".into()))?;
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
