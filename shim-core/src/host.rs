//! The super app's UI around a mini program page: the pieces `my.tradePay` and
//! `my.getAuthCode` share to show a super app page (cashier, consent) and wait for its answer.
//!
//! Two hosts (DESIGN.md): the simulator shell (our parent window, super app origin), or an
//! overlay `<iframe>` of the super app page in this document. Every listener, element and
//! wait is owned by a value whose `Drop` removes it, so nothing outlives the call.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Document, Element, Event, EventTarget, HtmlElement, HtmlIFrameElement, MessageEvent, Window,
};

use crate::error::ApiError;

thread_local! {
    /// Numbers requests to the shell, so an answer names the call it answers.
    static NEXT_CALL: Cell<u32> = const { Cell::new(1) };
}

/// A fresh id for one request to the shell or one super app page (`tp-1`, `auth-2`, …).
pub fn next_call_id(prefix: &str) -> String {
    NEXT_CALL.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        format!("{prefix}-{id}")
    })
}

/// The page's window.
pub fn window() -> Result<Window, ApiError> {
    web_sys::window().ok_or_else(|| ApiError::Unknown("this API needs a window".into()))
}

/// `data[key]` as a string, if it is one.
pub fn message_field(data: &JsValue, key: &str) -> Option<String> {
    Reflect::get(data, &JsValue::from_str(key))
        .ok()?
        .as_string()
}

/// An event listener that is removed when dropped.
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    closure: Closure<dyn FnMut(Event)>,
}

impl Listener {
    /// Listens for `kind` events on `target` until dropped.
    pub fn new(target: &EventTarget, kind: &'static str, f: impl FnMut(Event) + 'static) -> Self {
        let closure = Closure::<dyn FnMut(Event)>::new(f);
        let _ = target.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
        Listener {
            target: target.clone(),
            kind,
            closure,
        }
    }

    /// Listens for messages that come from `source`, at exactly `origin`; `f` gets `data`.
    pub fn messages_from(
        window: &Window,
        source: impl Fn() -> Option<JsValue> + 'static,
        origin: String,
        mut f: impl FnMut(JsValue) + 'static,
    ) -> Self {
        Listener::new(window.as_ref(), "message", move |event: Event| {
            let Some(event) = event.dyn_ref::<MessageEvent>() else {
                return;
            };
            let from_source = match (event.source(), source()) {
                (Some(actual), Some(expected)) => Object::is(&actual, &expected),
                _ => false,
            };
            if from_source && event.origin() == origin {
                f(event.data());
            }
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.closure.as_ref().unchecked_ref());
    }
}

/// A one-shot slot that listeners fill and the API's future awaits.
pub struct Settle<T> {
    value: Rc<RefCell<Option<T>>>,
    wake: Function,
}

impl<T> Clone for Settle<T> {
    fn clone(&self) -> Self {
        Settle {
            value: Rc::clone(&self.value),
            wake: self.wake.clone(),
        }
    }
}

impl<T> Settle<T> {
    /// The slot and the Promise that resolves when it is filled.
    pub fn new() -> Result<(Self, Promise), ApiError> {
        let mut wake = None;
        let promise = Promise::new(&mut |resolve, _| wake = Some(resolve));
        let wake = wake.ok_or_else(|| ApiError::Unknown("Promise executor did not run".into()))?;
        Ok((
            Settle {
                value: Rc::new(RefCell::new(None)),
                wake,
            },
            promise,
        ))
    }

    /// The first value wins; later ones (a double click, a late message) are ignored.
    pub fn set(&self, value: T) {
        let mut slot = self.value.borrow_mut();
        if slot.is_none() {
            *slot = Some(value);
            let _ = self.wake.call0(&JsValue::UNDEFINED);
        }
    }

    /// Waits for the value.
    pub async fn wait(&self, filled: Promise) -> Result<T, ApiError> {
        let _ = JsFuture::from(filled).await;
        self.value
            .borrow_mut()
            .take()
            .ok_or_else(|| ApiError::Unknown("the super app page ended without an answer".into()))
    }
}

/// The shell around this page: our parent window, when there is one.
pub fn shell_parent(window: &Window) -> Result<Window, ApiError> {
    window
        .parent()
        .ok()
        .flatten()
        .filter(|p| !Object::is(p, window))
        .ok_or_else(|| ApiError::Unknown("no super app shell around this page".into()))
}

/// Posts `fields` as one object to `target` at exactly `origin`.
pub fn post(target: &Window, origin: &str, fields: &[(&str, JsValue)]) -> Result<(), ApiError> {
    let message = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&message, &JsValue::from_str(key), value);
    }
    target
        .post_message(&message, origin)
        .map_err(|_| ApiError::Unknown("cannot reach the super app shell".into()))
}

/// One request to the simulator's shell (this page's parent, at `origin`): posts
/// `{ type: request, callId, ...fields }` (the call id made from `call_prefix`) and waits for
/// the shell's answer. Only messages from the parent, from `origin`, carrying this call's
/// `callId` reach `answer`, which returns `None` for one that is not the answer (another
/// type, another payment) and the call's result otherwise; the first result wins.
pub async fn ask_shell<T: 'static>(
    origin: &str,
    call_prefix: &str,
    request: &str,
    fields: &[(&str, JsValue)],
    answer: impl Fn(&JsValue) -> Option<Result<T, ApiError>> + 'static,
) -> Result<T, ApiError> {
    let window = window()?;
    let parent = shell_parent(&window)?;
    let call_id = next_call_id(call_prefix);
    let (settle, filled) = Settle::<Result<T, ApiError>>::new()?;
    let _listener = {
        let settle = settle.clone();
        let call_id = call_id.clone();
        let parent = JsValue::from(parent.clone());
        Listener::messages_from(
            &window,
            move || Some(parent.clone()),
            origin.to_owned(),
            move |data| {
                if message_field(&data, "callId").as_deref() != Some(call_id.as_str()) {
                    return;
                }
                if let Some(result) = answer(&data) {
                    settle.set(result);
                }
            },
        )
    };
    let mut message = vec![
        ("type", JsValue::from_str(request)),
        ("callId", JsValue::from_str(&call_id)),
    ];
    message.extend(fields.iter().map(|(k, v)| (*k, v.clone())));
    post(&parent, origin, &message)?;
    settle.wait(filled).await?
}

const OVERLAY_STYLE: &str =
    "position:fixed;inset:0;z-index:2147483646;display:flex;flex-direction:column;\
justify-content:flex-end;background:rgba(0,0,0,.45);";
const SHEET_STYLE: &str = "position:relative;height:min(88vh,720px);width:100%;max-width:520px;margin:0 auto;\
background:#fff;border-radius:16px 16px 0 0;overflow:hidden;box-shadow:0 -8px 30px rgba(0,0,0,.25);";
const HIDDEN_STYLE: &str = "position:fixed;width:0;height:0;border:0;visibility:hidden;";
const FRAME_STYLE: &str = "width:100%;height:100%;border:0;display:block;";
const CLOSE_STYLE: &str = "position:absolute;top:6px;left:8px;z-index:1;width:32px;height:32px;border:0;\
border-radius:50%;background:rgba(255,255,255,.9);color:#333;font:18px/32px system-ui,sans-serif;cursor:pointer;";

/// A new `<tag>` with an inline `style`.
pub fn element(document: &Document, tag: &str, style: &str) -> Result<Element, ApiError> {
    let el = document
        .create_element(tag)
        .map_err(|_| ApiError::Unknown(format!("cannot create <{tag}>")))?;
    let _ = el.set_attribute("style", style);
    Ok(el)
}

/// A super app page shown over this document in an iframe; removed when dropped.
///
/// On drop it is hidden at once and taken out of the DOM on the next task: removing an
/// iframe tears its (out-of-process) document down synchronously, which would otherwise delay
/// the mini program's callbacks by several milliseconds.
pub struct Overlay {
    root: Element,
    /// The super app page's frame; messages are accepted only from its window.
    pub frame: HtmlIFrameElement,
    /// The close button (mini program side), when the overlay is visible.
    pub close: Option<Element>,
    previous_focus: Option<HtmlElement>,
}

impl Overlay {
    /// Shows `src` in a bottom sheet with a close button, labelled `title`.
    pub fn sheet(window: &Window, src: &str, title: &str) -> Result<Self, ApiError> {
        Self::build(window, src, title, true)
    }

    /// Loads `src` in an invisible frame (silent authorisation).
    pub fn hidden(window: &Window, src: &str, title: &str) -> Result<Self, ApiError> {
        Self::build(window, src, title, false)
    }

    fn build(window: &Window, src: &str, title: &str, visible: bool) -> Result<Self, ApiError> {
        let document = window
            .document()
            .ok_or_else(|| ApiError::Unknown("this API needs a document".into()))?;
        let body = document
            .body()
            .ok_or_else(|| ApiError::Unknown("this API needs a <body>".into()))?;
        let frame: HtmlIFrameElement = element(
            &document,
            "iframe",
            if visible { FRAME_STYLE } else { HIDDEN_STYLE },
        )?
        .dyn_into()
        .map_err(|_| ApiError::Unknown("cannot create an iframe".into()))?;
        frame.set_title(title);
        frame.set_src(src);
        let previous_focus = document
            .active_element()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok());
        if !visible {
            let _ = frame.set_attribute("aria-hidden", "true");
            let root: Element = frame.clone().into();
            let _ = body.append_child(&root);
            return Ok(Overlay {
                root,
                frame,
                close: None,
                previous_focus,
            });
        }
        let root = element(&document, "div", OVERLAY_STYLE)?;
        root.set_class_name("miniprogram-shim-sheet");
        let sheet = element(&document, "div", SHEET_STYLE)?;
        let _ = sheet.set_attribute("role", "dialog");
        let _ = sheet.set_attribute("aria-modal", "true");
        let _ = sheet.set_attribute("aria-label", title);
        let close = element(&document, "button", CLOSE_STYLE)?;
        let _ = close.set_attribute("type", "button");
        let _ = close.set_attribute(
            "aria-label",
            &format!("Close the {}", title.to_ascii_lowercase()),
        );
        close.set_text_content(Some("✕"));
        let _ = sheet.append_child(&close);
        let _ = sheet.append_child(&frame);
        let _ = root.append_child(&sheet);
        let _ = body.append_child(&root);
        let _ = frame.focus();
        Ok(Overlay {
            root,
            frame,
            close: Some(close),
            previous_focus,
        })
    }

    /// Adds a class to the overlay's root (so pages and tests can tell overlays apart).
    pub fn add_class(&self, class: &str) {
        let _ = self.root.class_list().add_1(class);
    }

    /// The frame's window, for matching `MessageEvent.source`.
    pub fn frame_window(&self) -> impl Fn() -> Option<JsValue> + 'static {
        let frame = self.frame.clone();
        move || frame.content_window().map(JsValue::from)
    }
}

impl Drop for Overlay {
    fn drop(&mut self) {
        let _ = self.root.set_attribute("style", "display:none");
        let root = self.root.clone();
        wasm_bindgen_futures::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(0).await;
            root.remove();
        });
        if let Some(previous) = self.previous_focus.take() {
            let _ = previous.focus();
        }
    }
}
