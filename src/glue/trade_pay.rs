//! `my.tradePay` in the browser: opens the super app's cashier for a `paymentUrl` and waits
//! for its outcome (DESIGN.md "Cashier → mini program result").
//!
//! Two hosts, one trust rule — a result counts only when it comes from the window we opened
//! (or asked to open) the cashier in, from the origin we expect, for the payment we opened:
//! - `overlay` (a page without the simulator): an `<iframe>` of the cashier over this page;
//!   accepted from that iframe's window at the cashier origin, naming that `paymentId`;
//! - `shell` (inside the simulator): the shell (super app origin, our parent) shows the
//!   cashier; accepted from `window.parent` at the super app origin, naming our `callId`.
//!
//! Listeners and the overlay are owned by values whose `Drop` removes them, so nothing is
//! left behind when a payment ends, whichever way it ends.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Document, Element, Event, EventTarget, HtmlElement, HtmlIFrameElement, KeyboardEvent,
    MessageEvent, Window,
};

use super::adapter::{run_api, set, Failure};
use super::runtime;
use crate::config::TradePayHost;
use crate::encoding::encode_uri_component;
use crate::error::ApiError;
use crate::trade_pay::{CashierUrl, Outcome, PaymentTarget};
use crate::url::RequestUrl;

const CASHIER_RESULT: &str = "miniprogram-shim:cashier-result";
const SHELL_REQUEST: &str = "miniprogram-shim:trade-pay";
const SHELL_RESULT: &str = "miniprogram-shim:trade-pay-result";
const SHELL_ERROR: &str = "miniprogram-shim:trade-pay-error";

thread_local! {
    /// Whether a cashier is open (SPEC §4: one payment at a time).
    static PAYMENT_OPEN: Cell<bool> = const { Cell::new(false) };
    /// Numbers the shell requests, so a result names the call it answers.
    static NEXT_CALL: Cell<u32> = const { Cell::new(1) };
}

/// Marks a payment open for as long as it lives.
struct OpenPayment;

impl OpenPayment {
    fn start() -> Result<Self, ApiError> {
        if PAYMENT_OPEN.with(|open| open.replace(true)) {
            return Err(ApiError::PaymentInProgress);
        }
        Ok(OpenPayment)
    }
}

impl Drop for OpenPayment {
    fn drop(&mut self) {
        PAYMENT_OPEN.with(|open| open.set(false));
    }
}

/// An event listener that is removed when dropped.
struct Listener {
    target: EventTarget,
    kind: &'static str,
    closure: Closure<dyn FnMut(Event)>,
}

impl Listener {
    fn new(target: &EventTarget, kind: &'static str, f: impl FnMut(Event) + 'static) -> Self {
        let closure = Closure::<dyn FnMut(Event)>::new(f);
        let _ = target.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
        Listener {
            target: target.clone(),
            kind,
            closure,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.closure.as_ref().unchecked_ref());
    }
}

/// A one-shot slot a listener fills and the payment future awaits.
#[derive(Clone)]
struct Settle {
    value: Rc<RefCell<Option<Result<Outcome, ApiError>>>>,
    wake: Function,
}

impl Settle {
    fn new() -> Result<(Self, Promise), ApiError> {
        let mut wake = None;
        let promise = Promise::new(&mut |resolve, _| wake = Some(resolve));
        let wake = wake.ok_or_else(|| ApiError::Unknown("Promise executor did not run".into()))?;
        let settle = Settle {
            value: Rc::new(RefCell::new(None)),
            wake,
        };
        Ok((settle, promise))
    }

    /// The first value wins; later ones (a double click, a late message) are ignored.
    fn set(&self, value: Result<Outcome, ApiError>) {
        let mut slot = self.value.borrow_mut();
        if slot.is_none() {
            *slot = Some(value);
            let _ = self.wake.call0(&JsValue::UNDEFINED);
        }
    }

    fn take(&self) -> Result<Outcome, ApiError> {
        self.value.borrow_mut().take().unwrap_or_else(|| {
            Err(ApiError::Unknown(
                "the cashier ended without a result".into(),
            ))
        })
    }
}

/// `my.tradePay(options)`.
pub(crate) fn trade_pay(options: &JsValue) -> Promise {
    let target = read_options(options);
    run_api("tradePay", options, async move {
        let payment_url = match target? {
            PaymentTarget::PaymentUrl(url) => url,
            PaymentTarget::TradeNo(_) => {
                return Err(ApiError::invalid(
                    "tradeNO",
                    "is not supported by this super app: pass the paymentUrl your server got from /v1/payments/pay",
                )
                .into())
            }
            PaymentTarget::OrderStr(_) => {
                return Err(ApiError::invalid(
                    "orderStr",
                    "is not supported by this super app: pass the paymentUrl your server got from /v1/payments/pay",
                )
                .into())
            }
        };
        let (origins, host, super_app_origin, fail_routing) = runtime::with_config(|c| {
            let mut origins = c.cashier_origins.clone();
            if origins.is_empty() {
                origins.extend(c.super_app_origin.clone());
            }
            (
                origins,
                c.trade_pay_host,
                c.super_app_origin.clone(),
                c.trade_pay_fail_routing,
            )
        });
        let cashier = CashierUrl::parse(&payment_url, &origins)?;
        let _open = OpenPayment::start()?;
        let outcome = match (host, super_app_origin) {
            (TradePayHost::Shell, Some(shell_origin)) => via_shell(&cashier, &shell_origin).await?,
            _ => via_overlay(&cashier).await?,
        };
        let code = outcome.result_code();
        if code.goes_to_fail(fail_routing) {
            return Err(Failure {
                error: ApiError::PaymentResult {
                    code: code.as_str().parse().unwrap_or(4000),
                    meaning: code.meaning(),
                },
                extra: vec![("resultCode", JsValue::from_str(code.as_str()))],
            });
        }
        let result = Object::new();
        set(&result, "resultCode", &JsValue::from_str(code.as_str()));
        Ok(result.into())
    })
}

/// Reads `paymentUrl`, `tradeNO`, `orderStr`: strings or absent (anything else is error 2).
fn read_options(options: &JsValue) -> Result<PaymentTarget, ApiError> {
    if !options.is_object() {
        return Err(ApiError::invalid(
            "options",
            "must be an object with a paymentUrl",
        ));
    }
    let field = |name: &str| -> Result<Option<String>, ApiError> {
        let value = Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        value
            .as_string()
            .map(Some)
            .ok_or_else(|| ApiError::invalid(name, "must be a string"))
    };
    PaymentTarget::from_options(field("paymentUrl")?, field("tradeNO")?, field("orderStr")?)
}

fn window() -> Result<Window, ApiError> {
    web_sys::window().ok_or_else(|| ApiError::Unknown("my.tradePay needs a window".into()))
}

fn message_field(data: &JsValue, key: &str) -> Option<String> {
    Reflect::get(data, &JsValue::from_str(key))
        .ok()?
        .as_string()
}

/// The outcome a message reports, when it is a well-formed cashier or shell result.
fn outcome_of(data: &JsValue) -> Option<Outcome> {
    Outcome::parse(&message_field(data, "outcome")?)
}

/// Inside the simulator: asks the shell (our parent, the super app) to show the cashier.
async fn via_shell(cashier: &CashierUrl, shell_origin: &str) -> Result<Outcome, ApiError> {
    let window = window()?;
    let parent = window
        .parent()
        .ok()
        .flatten()
        .filter(|p| !Object::is(p, &window))
        .ok_or_else(|| ApiError::Unknown("tradePay: no super app shell around this page".into()))?;
    let call_id = NEXT_CALL.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        format!("tp-{id}")
    });
    let (settle, settled) = Settle::new()?;
    let _listener = {
        let settle = settle.clone();
        let parent = parent.clone();
        let shell_origin = shell_origin.to_owned();
        let call_id = call_id.clone();
        let payment_id = cashier.payment_id.clone();
        Listener::new(window.as_ref(), "message", move |event: Event| {
            let Some(event) = event.dyn_ref::<MessageEvent>() else {
                return;
            };
            let from_shell = event.source().is_some_and(|s| Object::is(&s, &parent));
            if !from_shell || event.origin() != shell_origin {
                return;
            }
            let data = event.data();
            if message_field(&data, "callId").as_deref() != Some(call_id.as_str()) {
                return;
            }
            match message_field(&data, "type").as_deref() {
                Some(SHELL_RESULT)
                    if message_field(&data, "paymentId").as_deref()
                        == Some(payment_id.as_str()) =>
                {
                    if let Some(outcome) = outcome_of(&data) {
                        settle.set(Ok(outcome));
                    }
                }
                Some(SHELL_ERROR) => {
                    let message = message_field(&data, "errorMessage").unwrap_or_default();
                    let code = Reflect::get(&data, &JsValue::from_str("error"))
                        .ok()
                        .and_then(|v| v.as_f64());
                    settle.set(Err(match code {
                        Some(3.0) => ApiError::PaymentInProgress,
                        _ => ApiError::invalid(
                            "paymentUrl",
                            format!("refused by the super app: {message}"),
                        ),
                    }));
                }
                _ => {}
            }
        })
    };
    let request = Object::new();
    set(&request, "type", &JsValue::from_str(SHELL_REQUEST));
    set(&request, "callId", &JsValue::from_str(&call_id));
    set(&request, "paymentUrl", &JsValue::from_str(&cashier.href));
    parent
        .post_message(&request, shell_origin)
        .map_err(|_| ApiError::Unknown("tradePay: cannot reach the super app shell".into()))?;
    let _ = JsFuture::from(settled).await;
    settle.take()
}

const OVERLAY_STYLE: &str =
    "position:fixed;inset:0;z-index:2147483646;display:flex;flex-direction:column;\
justify-content:flex-end;background:rgba(0,0,0,.45);";
const SHEET_STYLE: &str = "position:relative;height:min(88vh,720px);width:100%;max-width:520px;margin:0 auto;\
background:#fff;border-radius:16px 16px 0 0;overflow:hidden;box-shadow:0 -8px 30px rgba(0,0,0,.25);";
const FRAME_STYLE: &str = "width:100%;height:100%;border:0;display:block;";
const CLOSE_STYLE: &str = "position:absolute;top:6px;left:8px;z-index:1;width:32px;height:32px;border:0;\
border-radius:50%;background:rgba(255,255,255,.9);color:#333;font:18px/32px system-ui,sans-serif;cursor:pointer;";

/// The overlay's element, removed from the page when dropped.
///
/// It is hidden at once and taken out of the DOM on the next task: removing an iframe tears
/// its (out-of-process) document down synchronously, which would otherwise delay the
/// mini program's `success` callback by several milliseconds.
struct Overlay(Element);

impl Drop for Overlay {
    fn drop(&mut self) {
        let _ = self.0.set_attribute("style", "display:none");
        let element = self.0.clone();
        wasm_bindgen_futures::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(0).await;
            element.remove();
        });
    }
}

fn element(document: &Document, tag: &str, style: &str) -> Result<Element, ApiError> {
    let el = document
        .create_element(tag)
        .map_err(|_| ApiError::Unknown(format!("cannot create <{tag}>")))?;
    let _ = el.set_attribute("style", style);
    Ok(el)
}

/// Without a shell: the cashier in an iframe over this page (still in the super app origin,
/// so this page can neither read nor script it). The close button belongs to the mini
/// program's side and means "cancel" (6001).
async fn via_overlay(cashier: &CashierUrl) -> Result<Outcome, ApiError> {
    let window = window()?;
    let document = window
        .document()
        .ok_or_else(|| ApiError::Unknown("my.tradePay needs a document".into()))?;
    let body = document
        .body()
        .ok_or_else(|| ApiError::Unknown("my.tradePay needs a <body>".into()))?;
    let own_origin = window
        .location()
        .origin()
        .map_err(|_| ApiError::Unknown("cannot read this page's origin".into()))?;
    let src = RequestUrl::parse(&cashier.href)?
        .with_query(&format!("embedder={}", encode_uri_component(&own_origin)));

    let overlay = Overlay(element(&document, "div", OVERLAY_STYLE)?);
    overlay.0.set_class_name("miniprogram-shim-cashier");
    let sheet = element(&document, "div", SHEET_STYLE)?;
    let _ = sheet.set_attribute("role", "dialog");
    let _ = sheet.set_attribute("aria-modal", "true");
    let _ = sheet.set_attribute("aria-label", "Cashier");
    let close = element(&document, "button", CLOSE_STYLE)?;
    let _ = close.set_attribute("type", "button");
    let _ = close.set_attribute("aria-label", "Close the cashier");
    close.set_text_content(Some("✕"));
    let frame: HtmlIFrameElement = element(&document, "iframe", FRAME_STYLE)?
        .dyn_into()
        .map_err(|_| ApiError::Unknown("cannot create the cashier iframe".into()))?;
    frame.set_title("Cashier");
    frame.set_src(&src);
    let _ = sheet.append_child(&close);
    let _ = sheet.append_child(&frame);
    let _ = overlay.0.append_child(&sheet);

    let (settle, settled) = Settle::new()?;
    let _on_message = {
        let settle = settle.clone();
        let frame = frame.clone();
        let origin = cashier.origin.clone();
        let payment_id = cashier.payment_id.clone();
        Listener::new(window.as_ref(), "message", move |event: Event| {
            let Some(event) = event.dyn_ref::<MessageEvent>() else {
                return;
            };
            let from_cashier = match (event.source(), frame.content_window()) {
                (Some(source), Some(cashier_window)) => Object::is(&source, &cashier_window),
                _ => false,
            };
            if !from_cashier || event.origin() != origin {
                return;
            }
            let data = event.data();
            if message_field(&data, "type").as_deref() != Some(CASHIER_RESULT)
                || message_field(&data, "paymentId").as_deref() != Some(payment_id.as_str())
            {
                return;
            }
            if let Some(outcome) = outcome_of(&data) {
                settle.set(Ok(outcome));
            }
        })
    };
    let _on_close = {
        let settle = settle.clone();
        Listener::new(close.as_ref(), "click", move |_| {
            settle.set(Ok(Outcome::Cancelled))
        })
    };
    let _on_escape = {
        let settle = settle.clone();
        Listener::new(document.as_ref(), "keydown", move |event: Event| {
            if event
                .dyn_ref::<KeyboardEvent>()
                .is_some_and(|k| k.key() == "Escape")
            {
                settle.set(Ok(Outcome::Cancelled));
            }
        })
    };

    let previous_focus = document
        .active_element()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    let _ = body.append_child(&overlay.0);
    let _ = frame.focus();

    let _ = JsFuture::from(settled).await;
    drop(overlay);
    if let Some(previous) = previous_focus {
        let _ = previous.focus();
    }
    settle.take()
}
