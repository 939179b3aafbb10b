//! The payment calls: `pay`, `inquiryPayment`, `cancel`, `refund`, `inquiryRefund`.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::bodies::{
    self, check_len, id, required, url, PayBody, PaymentLookupBody, RefundBody, RefundLookupBody,
};
use super::envelope::*;
use crate::app::payments as app_payments;
use crate::app::State;
use crate::domain::amount::Amount;
use crate::domain::clock;
use crate::domain::ids::new_payment_id;
use crate::domain::ids::new_secret;
use crate::domain::payment::{pay_behaviour, PayBehaviour, PaymentStatus};
use crate::store::{Idempotent, NewPayment, NewRefund, PaymentRow, TransitionError};

// ---- pay -----------------------------------------------------------------------------------

/// A validated `pay` request.
#[derive(Debug, Clone)]
pub struct PayRequest {
    /// `paymentRequestId`.
    pub payment_request_id: String,
    /// `paymentAmount`.
    pub amount: Amount,
    /// `order.orderDescription`.
    pub order_description: String,
    /// `order.referenceOrderId`.
    pub reference_order_id: Option<String>,
    /// `order.merchant.merchantName`.
    pub merchant_name: Option<String>,
    /// `order.buyer.referenceBuyerId`.
    pub buyer_id: Option<String>,
    /// `paymentExpiryTime` (ms).
    pub expiry_at: Option<i64>,
    /// `paymentNotifyUrl`.
    pub notify_url: Option<String>,
    /// `paymentRedirectUrl`.
    pub redirect_url: Option<String>,
}

/// Validates a `pay` body; the error names the field. `now` decides whether an expiry is past.
pub fn parse_pay(json: &Map<String, Value>, now: i64) -> Result<PayRequest, ApiError> {
    check_pay(&bodies::parse(json)?, now)
}

/// The rules of a `pay` body already read: required fields, lengths, amounts, expiry, URLs.
pub fn check_pay(body: &PayBody, now: i64) -> Result<PayRequest, ApiError> {
    // Antom names the product with `productCode`; Alipay+ with `paymentFactor` flags.
    if body.payment_factor.is_none() || body.product_code.is_some() {
        required(&body.product_code, "productCode", 64)?;
    }
    let payment_request_id =
        required(&body.payment_request_id, "paymentRequestId", MAX_REQUEST_ID)?.to_string();
    let amount = Amount::parse(body.payment_amount.as_ref(), "paymentAmount")?;
    let order = body
        .order
        .as_ref()
        .ok_or_else(|| ApiError::param("order: is required"))?;
    let order_description =
        required(&order.order_description, "order.orderDescription", 256)?.to_string();
    if let Some(order_amount) = &order.order_amount {
        Amount::parse(Some(order_amount), "order.orderAmount")?;
    }
    let reference_order_id = id(&order.reference_order_id).map(str::to_string);
    if let Some(r) = &reference_order_id {
        check_len(r, "order.referenceOrderId", 64)?;
    }
    let merchant_name = order
        .merchant
        .as_ref()
        .and_then(|m| m.merchant_name.clone());
    let buyer_id = order
        .buyer
        .as_ref()
        .and_then(|b| id(&b.reference_buyer_id))
        .map(str::to_string);
    let expiry_at = match body.payment_expiry_time.as_deref() {
        None => None,
        Some(t) => {
            let at = clock::parse(t).ok_or_else(|| {
                ApiError::param(format!(
                    "paymentExpiryTime: {t:?} is not an ISO 8601 time with an offset"
                ))
            })?;
            if at <= now {
                return Err(ApiError::param(format!(
                    "paymentExpiryTime: {t} is in the past"
                )));
            }
            Some(at)
        }
    };
    let notify_url = url(&body.payment_notify_url, "paymentNotifyUrl")?;
    let redirect_url = url(&body.payment_redirect_url, "paymentRedirectUrl")?;
    Ok(PayRequest {
        payment_request_id,
        amount,
        order_description,
        reference_order_id,
        merchant_name,
        buyer_id,
        expiry_at,
        notify_url,
        redirect_url,
    })
}

pub(super) async fn pay(
    state: &State,
    caller: &Caller,
    json: &Map<String, Value>,
) -> Result<String, ApiError> {
    let now = state.clock.now_ms();
    let body: PayBody = bodies::parse(json)?;
    let req = check_pay(&body, now)?;
    let buyer_id = super::identity::buyer_of(state, &body)?;
    let merchant_name = match &req.merchant_name {
        Some(n) if !n.trim().is_empty() => n.clone(),
        _ => state
            .store
            .merchant(&caller.client_id)?
            .map(|m| m.name)
            .unwrap_or_else(|| caller.client_id.clone()),
    };
    let payment_id = new_payment_id(now);
    let token = new_secret();
    let payment_url = format!(
        "{}/cashier/?paymentId={}&token={}",
        state.public_base, payment_id, token
    );
    let response = json!({
        "result": result("ACCEPT", "A", "accept"),
        "paymentId": payment_id,
        "paymentRequestId": req.payment_request_id,
        "paymentAmount": req.amount.to_json(),
        "paymentCreateTime": clock::format_api(now),
        // Alipay+ answers the cashier URL at the top level; Antom in `redirectActionForm`.
        "normalUrl": payment_url,
        "redirectActionForm": {
            "method": "GET",
            "redirectUrl": payment_url,
            "redirectionUrl": payment_url,
            "normalUrl": payment_url,
        },
    })
    .to_string();
    let expiry_at = req.expiry_at.unwrap_or_else(|| {
        let secs = i64::try_from(state.config.default_expiry).unwrap_or(i64::MAX / 2000);
        now.saturating_add(secs.saturating_mul(1000))
    });
    let new = NewPayment {
        row: PaymentRow {
            payment_id: payment_id.clone(),
            client_id: caller.client_id.clone(),
            payment_request_id: req.payment_request_id.clone(),
            token,
            amount: req.amount,
            order_description: req.order_description.clone(),
            merchant_name,
            reference_order_id: req.reference_order_id.clone(),
            buyer_id,
            notify_url: req.notify_url.clone(),
            redirect_url: req.redirect_url.clone(),
            status: PaymentStatus::Processing,
            fail_reason: None,
            method: None,
            resolve_at: None,
            created_at: now,
            expiry_at,
            payment_time: None,
            cancel_time: None,
            refunded_value: 0,
        },
        request_hash: request_hash(json),
        pay_response: response.clone(),
    };
    let store = state.store.clone();
    let created = app_payments::create(&store, &new)?;
    state.settler.wake();
    match created {
        Idempotent::Replay(stored) => Ok(stored),
        Idempotent::Inconsistent => Err(ApiError::f(
            "REPEAT_REQ_INCONSISTENT",
            format!(
                "paymentRequestId {:?} was used before with a different request body",
                req.payment_request_id
            ),
        )),
        Idempotent::Created(()) => match pay_behaviour(req.amount.value()) {
            PayBehaviour::Normal => Ok(response),
            PayBehaviour::Unknown => Err(ApiError::unknown(
                "magic amount 6004: the payment was created but this answer is 'unknown'; retry with the same request",
            )),
            PayBehaviour::Slow => {
                let secs = if state.config.slow_response.is_finite() {
                    state.config.slow_response.clamp(0.0, 120.0)
                } else {
                    0.0
                };
                tokio::time::sleep(Duration::from_secs_f64(secs)).await;
                Ok(response)
            }
        },
    }
}

// ---- inquiry / cancel ----------------------------------------------------------------------

fn find_payment(
    state: &State,
    caller: &Caller,
    json: &Map<String, Value>,
) -> Result<PaymentRow, ApiError> {
    let body: PaymentLookupBody = bodies::parse(json)?;
    let payment_id = id(&body.payment_id);
    let request_id = id(&body.payment_request_id);
    let not_found = || ApiError::f("ORDER_NOT_EXIST", "no such payment for this Client-Id");
    let row = match (payment_id, request_id) {
        (None, None) => {
            return Err(ApiError::param(
                "paymentId or paymentRequestId: one of them is required",
            ))
        }
        (Some(id), rid) => {
            check_len(id, "paymentId", 64)?;
            let row = app_payments::payment(&state.store, id, state.clock.now_ms())?
                .ok_or_else(not_found)?;
            if row.client_id != caller.client_id || rid.is_some_and(|r| r != row.payment_request_id)
            {
                return Err(not_found());
            }
            row
        }
        (None, Some(rid)) => {
            check_len(rid, "paymentRequestId", MAX_REQUEST_ID)?;
            app_payments::payment_by_request(
                &state.store,
                &caller.client_id,
                rid,
                state.clock.now_ms(),
            )?
            .ok_or_else(not_found)?
        }
    };
    state.dispatcher.wake();
    Ok(row)
}

pub(super) fn inquiry(
    state: &State,
    caller: &Caller,
    json: &Map<String, Value>,
) -> Result<String, ApiError> {
    let p = find_payment(state, caller, json)?;
    let mut body = json!({
        "result": result("SUCCESS", "S", "success"),
        "paymentId": p.payment_id,
        "paymentRequestId": p.payment_request_id,
        "paymentStatus": p.status.as_str(),
        "paymentAmount": p.amount.to_json(),
        "paymentCreateTime": clock::format_api(p.created_at),
        "paymentExpiryTime": clock::format_api(p.expiry_at),
        // Alipay+ reports the payment's state as a result object, not as `paymentStatus`.
        "paymentResult": payment_result(&p),
    });
    if let Some(t) = p.payment_time {
        body["paymentTime"] = json!(clock::format_api(t));
    }
    if let Some(r) = &p.fail_reason {
        body["paymentFailReason"] = json!(r);
    }
    if let Some(t) = p.cancel_time {
        body["cancelTime"] = json!(clock::format_api(t));
    }
    if p.refunded_value > 0 {
        body["refundedAmount"] =
            json!(
                crate::domain::amount::Amount::new(p.amount.currency(), p.refunded_value).to_json()
            );
    }
    Ok(body.to_string())
}

/// The payment's state as Alipay+'s `paymentResult`: `S`/`SUCCESS`, `U`/`PAYMENT_IN_PROCESS`,
/// `F` with the failure reason (or `ORDER_IS_CLOSED` for a cancelled payment).
fn payment_result(p: &PaymentRow) -> Value {
    match p.status {
        PaymentStatus::Success => result("SUCCESS", "S", "success"),
        PaymentStatus::Processing => result("PAYMENT_IN_PROCESS", "U", "payment in process"),
        PaymentStatus::Cancelled => result("ORDER_IS_CLOSED", "F", "the payment was cancelled"),
        PaymentStatus::Fail => {
            let reason = p.fail_reason.as_deref().unwrap_or("PROCESS_FAIL");
            result(reason, "F", "the payment failed")
        }
    }
}

pub(super) fn cancel(
    state: &State,
    caller: &Caller,
    json: &Map<String, Value>,
) -> Result<String, ApiError> {
    let p = find_payment(state, caller, json)?;
    match app_payments::cancel(
        &state.store,
        &caller.client_id,
        &p.payment_id,
        state.clock.now_ms(),
    ) {
        Ok(p) => Ok(json!({
            "result": result("SUCCESS", "S", "success"),
            "paymentId": p.payment_id,
            "paymentRequestId": p.payment_request_id,
            "cancelTime": clock::format_api(p.cancel_time.unwrap_or(p.created_at)),
        })
        .to_string()),
        Err(TransitionError::Conflict(p)) => Err(ApiError::f(
            "ORDER_STATUS_INVALID",
            format!(
                "payment is {}; only an unfinished (PROCESSING) payment can be cancelled",
                p.status
            ),
        )),
        Err(TransitionError::NotFound) => Err(ApiError::f(
            "ORDER_NOT_EXIST",
            "no such payment for this Client-Id",
        )),
        Err(e) => Err(ApiError::unknown(e.to_string())),
    }
}

// ---- refund --------------------------------------------------------------------------------

pub(super) fn refund(
    state: &State,
    caller: &Caller,
    json: &Map<String, Value>,
) -> Result<String, ApiError> {
    let body: RefundBody = bodies::parse(json)?;
    let refund_request_id = required(&body.refund_request_id, "refundRequestId", MAX_REQUEST_ID)?;
    let payment_id = match (id(&body.payment_id), id(&body.payment_request_id)) {
        (Some(payment_id), _) => {
            check_len(payment_id, "paymentId", 64)?;
            payment_id.to_string()
        }
        // Alipay+'s SDK refunds by the merchant's own payment id.
        (None, Some(rid)) => {
            check_len(rid, "paymentRequestId", MAX_REQUEST_ID)?;
            state
                .store
                .payment_id_by_request(&caller.client_id, rid)?
                .ok_or_else(|| {
                    ApiError::f("ORDER_NOT_EXIST", "no such payment for this Client-Id")
                })?
        }
        (None, None) => {
            return Err(ApiError::param(
                "paymentId or paymentRequestId: one of them is required",
            ))
        }
    };
    let payment_id = payment_id.as_str();
    let amount = Amount::parse(body.refund_amount.as_ref(), "refundAmount")?;
    let reason = body.refund_reason.as_deref();
    if let Some(r) = reason {
        check_len(r, "refundReason", 256)?;
    }
    let notify_url = url(&body.refund_notify_url, "refundNotifyUrl")?;
    let now = state.clock.now_ms();
    let refund_id = new_payment_id(now);
    let response = json!({
        "result": result("SUCCESS", "S", "success"),
        "refundRequestId": refund_request_id,
        "refundId": refund_id,
        "paymentId": payment_id,
        "refundAmount": amount.to_json(),
        "refundTime": clock::format_api(now),
    })
    .to_string();
    let new = NewRefund {
        client_id: &caller.client_id,
        refund_request_id,
        request_hash: &request_hash(json),
        payment_id,
        amount,
        reason,
        notify_url: notify_url.as_deref(),
        refund_id: &refund_id,
        response: &response,
    };
    let outcome = app_payments::refund(&state.store, &new, now);
    match outcome {
        Ok(Idempotent::Created(body)) => {
            // A queued notifyRefund goes out now.
            state.dispatcher.wake();
            Ok(body)
        }
        Ok(Idempotent::Replay(body)) => Ok(body),
        Ok(Idempotent::Inconsistent) => Err(ApiError::f(
            "REPEAT_REQ_INCONSISTENT",
            format!("refundRequestId {refund_request_id:?} was used before with a different request body"),
        )),
        Err(TransitionError::NotFound) => {
            Err(ApiError::f("ORDER_NOT_EXIST", "no such payment for this Client-Id"))
        }
        Err(TransitionError::Conflict(p)) => Err(ApiError::f(
            "ORDER_STATUS_INVALID",
            format!("payment is {}; only a SUCCESS payment can be refunded", p.status),
        )),
        Err(TransitionError::RefundExceeds(left)) => Err(ApiError::f(
            "REFUND_AMOUNT_EXCEED",
            format!(
                "refundAmount exceeds what is left to refund ({} {left} in minor units)",
                amount.currency().code()
            ),
        )),
        Err(TransitionError::CurrencyMismatch(c)) => Err(ApiError::param(format!(
            "refundAmount.currency: must be the payment's currency {c}"
        ))),
        // Crediting the payer back would pass the balance cap (or their stored balance is
        // broken): refused, nothing refunded, nothing credited.
        Err(TransitionError::Balance(e)) => Err(ApiError::param(format!(
            "refundAmount.value: cannot credit the payer: {e}"
        ))),
        Err(TransitionError::Store(e)) => Err(e.into()),
        // Only the cashier asks who pays; a refund never does.
        Err(e @ TransitionError::NotTheBuyer { .. }) => Err(ApiError::f(
            "PROCESS_FAIL",
            e.to_string(),
        )),
    }
}

/// `inquiryRefund` by `refundId` or `refundRequestId` (`refundId` wins when both are given,
/// as Antom documents). Every refund this sandbox accepts succeeds at once, so a refund that
/// exists is `SUCCESS`.
pub(super) fn inquiry_refund(
    state: &State,
    caller: &Caller,
    json: &Map<String, Value>,
) -> Result<String, ApiError> {
    let body: RefundLookupBody = bodies::parse(json)?;
    let refund_id = id(&body.refund_id);
    let request_id = id(&body.refund_request_id);
    let not_found = |what: String| {
        ApiError::f(
            "REFUND_NOT_EXIST",
            format!("no refund with {what} for this Client-Id"),
        )
    };
    let row = match (refund_id, request_id) {
        (None, None) => {
            return Err(ApiError::param(
                "refundId or refundRequestId: one of them is required",
            ))
        }
        (Some(id), _) => {
            check_len(id, "refundId", 64)?;
            state
                .store
                .refund_by_id(&caller.client_id, id)?
                .ok_or_else(|| not_found(format!("refundId {id:?}")))?
        }
        (None, Some(rid)) => {
            check_len(rid, "refundRequestId", MAX_REQUEST_ID)?;
            state
                .store
                .refund_by_request(&caller.client_id, rid)?
                .ok_or_else(|| not_found(format!("refundRequestId {rid:?}")))?
        }
    };
    Ok(json!({
        "result": result("SUCCESS", "S", "success"),
        "refundId": row.refund_id,
        "refundRequestId": row.refund_request_id,
        "paymentId": row.payment_id,
        "refundAmount": row.refund_amount,
        "refundStatus": "SUCCESS",
        "refundTime": crate::http::views::refund_time(&row),
    })
    .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn alipay_plus_names_the_product_with_payment_factor() {
        let base = json!({"paymentRequestId":"r1","paymentAmount":{"currency":"USD","value":"100"},
            "order":{"orderDescription":"x"}});
        let e = parse_pay(&obj(base.clone()), 0).unwrap_err();
        assert_eq!(e.message, "productCode: is required");
        let mut aps = base.clone();
        aps["paymentFactor"] = json!({"isCashierPayment": true});
        assert!(parse_pay(&obj(aps.clone()), 0).is_ok());
        // A productCode given beside it is still checked.
        aps["productCode"] = json!("");
        let e = parse_pay(&obj(aps.clone()), 0).unwrap_err();
        assert_eq!(e.message, "productCode: must not be empty");
        aps["productCode"] = Value::Null;
        aps["paymentFactor"] = json!("yes");
        let e = parse_pay(&obj(aps), 0).unwrap_err();
        assert!(e.message.starts_with("paymentFactor"), "{}", e.message);
    }

    #[test]
    fn names_the_nested_field_that_is_wrong() {
        let base = json!({"productCode":"CASHIER_PAYMENT","paymentRequestId":"r1",
            "paymentAmount":{"currency":"USD","value":"100"},"order":{"orderDescription":"x"}});
        assert!(parse_pay(&obj(base.clone()), 0).is_ok());
        let mut bad = base.clone();
        bad["order"]["merchant"] = json!("nope");
        let e = parse_pay(&obj(bad), 0).unwrap_err();
        assert!(e.message.starts_with("order.merchant"), "{}", e.message);
        let mut bad = base.clone();
        bad["order"]["buyer"] = json!({"referenceBuyerId": 5});
        let e = parse_pay(&obj(bad), 0).unwrap_err();
        assert!(
            e.message.starts_with("order.buyer.referenceBuyerId"),
            "{}",
            e.message
        );
    }
}
