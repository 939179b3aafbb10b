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

use std::cell::Cell;

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, KeyboardEvent};

use super::adapter::{run_api, set, Failure};
use super::host::{self, message_field, Listener, Overlay, Settle};
use super::options::{get, opt_string};
use super::runtime;
use crate::encoding::encode_uri_component;
use crate::error::ApiError;
use crate::trade_pay::{CashierUrl, Outcome, PaymentTarget};
use crate::url::RequestUrl;

const CASHIER_RESULT: &str = "miniprogram-shim:cashier-result";
const SHELL_REQUEST: &str = "miniprogram-shim:trade-pay";
const SHELL_RESULT: &str = "miniprogram-shim:trade-pay-result";
const SHELL_ERROR: &str = "miniprogram-shim:trade-pay-error";

thread_local! {
    /// Whether a cashier is open (docs/protocol.md §4: one payment at a time).
    static PAYMENT_OPEN: Cell<bool> = const { Cell::new(false) };
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

/// `my.tradePay(options)`.
pub(crate) fn trade_pay(options: &JsValue) -> Promise {
    let target = read_options(options);
    run_api("tradePay", options, async move {
        let target = target?;
        let (origins, shell, fail_routing) = runtime::with_config(|c| {
            let mut origins = c.cashier_origins.clone();
            if origins.is_empty() {
                origins.extend(c.super_app_origin.clone());
            }
            (
                origins,
                c.shell_origin().map(str::to_owned),
                c.trade_pay_fail_routing,
            )
        });
        let outcome = match target {
            PaymentTarget::PaymentUrl(payment_url) => {
                let cashier = CashierUrl::parse(&payment_url, &origins)?;
                let _open = OpenPayment::start()?;
                match &shell {
                    Some(shell_origin) => {
                        let asked = ("paymentUrl", JsValue::from_str(&cashier.href));
                        via_shell(asked, &cashier.payment_id, shell_origin).await?
                    }
                    None => via_overlay(&cashier).await?,
                }
            }
            // A trade of the open platform gateway (docs/protocol.md §5d): only the super app
            // knows which app it launched, so only the shell may resolve it into a cashier;
            // its trade_no is the payment's id, which the result must name.
            PaymentTarget::TradeNo(trade_no) => {
                let Some(shell_origin) = shell else {
                    return Err(ApiError::invalid(
                        "tradeNO",
                        "needs the super app that launched this mini program (open it in the simulator); outside it, pass the paymentUrl your server got from /v1/payments/pay",
                    )
                    .into());
                };
                let _open = OpenPayment::start()?;
                let asked = ("tradeNO", JsValue::from_str(&trade_no));
                via_shell(asked, &trade_no, &shell_origin).await?
            }
            PaymentTarget::OrderStr(_) => {
                return Err(ApiError::invalid(
                    "orderStr",
                    "is not supported by this super app: pass the paymentUrl your server got from /v1/payments/pay, or a tradeNO from alipay.trade.create",
                )
                .into())
            }
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
    let field = |name: &str| opt_string(get(options, name), name);
    PaymentTarget::from_options(field("paymentUrl")?, field("tradeNO")?, field("orderStr")?)
}

/// The outcome a message reports, when it is a well-formed cashier or shell result.
fn outcome_of(data: &JsValue) -> Option<Outcome> {
    Outcome::parse(&message_field(data, "outcome")?)
}

/// Inside the simulator: asks the shell (our parent, the super app) to show the cashier of
/// `asked` (`paymentUrl` or `tradeNO`); only a result naming `payment_id` counts.
async fn via_shell(
    asked: (&str, JsValue),
    payment_id: &str,
    shell_origin: &str,
) -> Result<Outcome, ApiError> {
    let payment_id = payment_id.to_string();
    let field = asked.0.to_string();
    host::ask_shell(
        shell_origin,
        "tp",
        SHELL_REQUEST,
        &[asked],
        move |data| match message_field(data, "type").as_deref() {
            Some(SHELL_RESULT)
                if message_field(data, "paymentId").as_deref() == Some(payment_id.as_str()) =>
            {
                outcome_of(data).map(Ok)
            }
            Some(SHELL_ERROR) => {
                let message = message_field(data, "errorMessage").unwrap_or_default();
                let code = Reflect::get(data, &JsValue::from_str("error"))
                    .ok()
                    .and_then(|v| v.as_f64());
                Some(Err(match code {
                    Some(3.0) => ApiError::PaymentInProgress,
                    _ => ApiError::invalid(
                        field.clone(),
                        format!("refused by the super app: {message}"),
                    ),
                }))
            }
            _ => None,
        },
    )
    .await
}

/// Without a shell: the cashier in an iframe over this page (still in the super app origin,
/// so this page can neither read nor script it). The close button belongs to the mini
/// program's side and means "cancel" (6001), as does Escape.
async fn via_overlay(cashier: &CashierUrl) -> Result<Outcome, ApiError> {
    let window = host::window()?;
    let own_origin = window
        .location()
        .origin()
        .map_err(|_| ApiError::Unknown("cannot read this page's origin".into()))?;
    let src = RequestUrl::parse(&cashier.href)?
        .with_query(&format!("embedder={}", encode_uri_component(&own_origin)));
    let (settle, filled) = Settle::<Outcome>::new()?;
    let overlay = Overlay::sheet(&window, &src, "Cashier")?;
    overlay.add_class("miniprogram-shim-cashier");

    let _on_message = {
        let settle = settle.clone();
        let payment_id = cashier.payment_id.clone();
        Listener::messages_from(
            &window,
            overlay.frame_window(),
            cashier.origin.clone(),
            move |data| {
                if message_field(&data, "type").as_deref() != Some(CASHIER_RESULT)
                    || message_field(&data, "paymentId").as_deref() != Some(payment_id.as_str())
                {
                    return;
                }
                if let Some(outcome) = outcome_of(&data) {
                    settle.set(outcome);
                }
            },
        )
    };
    let _on_close = overlay.close.as_ref().map(|close| {
        let settle = settle.clone();
        Listener::new(close.as_ref(), "click", move |_| {
            settle.set(Outcome::Cancelled)
        })
    });
    let _on_escape = {
        let settle = settle.clone();
        let document = window
            .document()
            .ok_or_else(|| ApiError::Unknown("my.tradePay needs a document".into()))?;
        Listener::new(document.as_ref(), "keydown", move |event: Event| {
            if event
                .dyn_ref::<KeyboardEvent>()
                .is_some_and(|k| k.key() == "Escape")
            {
                settle.set(Outcome::Cancelled);
            }
        })
    };
    settle.wait(filled).await
}
