//! The wire form of store rows the devtools and the open API show: the store keeps times as
//! integers (ms); they are formatted here (`clock::format_precise` for the devtools' event
//! log and notifications, `clock::format_api` for the open API's `refundTime`).

use serde_json::{json, Value};

use crate::domain::clock;
use crate::store::{AttemptRow, EventRow, NotifySummary, RefundRow};

/// An entry of a payment's event log: `{at, kind, detail}`.
pub fn event(e: &EventRow) -> Value {
    json!({
        "at": clock::format_precise(e.at),
        "kind": e.kind,
        "detail": e.detail,
    })
}

/// A payment's event log.
pub fn events(list: &[EventRow]) -> Value {
    Value::Array(list.iter().map(event).collect())
}

/// One delivery attempt of a notification.
pub fn attempt(a: &AttemptRow) -> Value {
    json!({
        "attempt": a.attempt,
        "at": clock::format_precise(a.at),
        "state": a.state,
        "lagMs": a.lag_ms,
        "httpStatus": a.http_status,
        "responseExcerpt": a.response_excerpt,
        "error": a.error,
        "durationMs": a.duration_ms,
        "ok": a.ok,
        "acknowledged": a.acknowledged,
        "manual": a.manual,
    })
}

/// The attempts of a notification, in order.
pub fn attempts(list: &[AttemptRow]) -> Value {
    Value::Array(list.iter().map(attempt).collect())
}

/// A payment's latest notification, summarised; `nextAttemptAt` only while it is pending.
pub fn notify_summary(n: &NotifySummary) -> Value {
    json!({
        "id": n.id,
        "status": n.status,
        "attempts": n.attempts,
        "nextAttemptAt": n
            .next_attempt_at
            .filter(|_| n.status == "PENDING")
            .map(clock::format_precise),
    })
}

/// The time of a refund as the open API writes it.
pub fn refund_time(r: &RefundRow) -> String {
    clock::format_api(r.refund_time)
}

/// A refund as the devtools list it.
pub fn refund(r: &RefundRow) -> Value {
    json!({
        "refundId": r.refund_id,
        "refundRequestId": r.refund_request_id,
        "paymentId": r.payment_id,
        "refundAmount": r.refund_amount,
        "refundReason": r.refund_reason,
        "refundTime": refund_time(r),
    })
}

/// A payment's refunds.
pub fn refunds(list: &[RefundRow]) -> Value {
    Value::Array(list.iter().map(refund).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_formatted_on_the_wire_and_next_attempt_only_while_pending() {
        let e = EventRow {
            at: 1_500,
            kind: "created".into(),
            detail: None,
        };
        assert_eq!(
            event(&e),
            json!({"at": "1970-01-01T00:00:01.500+00:00", "kind": "created", "detail": null})
        );
        let mut n = NotifySummary {
            id: 1,
            status: "PENDING".into(),
            attempts: 0,
            next_attempt_at: Some(2_000),
        };
        assert_eq!(
            notify_summary(&n)["nextAttemptAt"],
            "1970-01-01T00:00:02.000+00:00"
        );
        n.status = "DELIVERED".into();
        assert_eq!(notify_summary(&n)["nextAttemptAt"], Value::Null);
    }
}
