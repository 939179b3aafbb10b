//! What a notification says and when it is sent again: the `notifyPayment` and
//! `notifyRefund` bodies, the retry schedules, and what counts as an acknowledgement. The
//! sending is [`crate::app::dispatcher`]'s.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;

use crate::domain::amount::Amount;
use crate::domain::clock;
use crate::domain::payment::{PaymentRow, PaymentStatus};
use crate::domain::trade;

/// Antom's public retry schedule: intervals before attempts 1..8 (seconds).
pub const ANTOM_SCHEDULE: &[f64] = &[0.0, 120.0, 600.0, 600.0, 3600.0, 7200.0, 21600.0, 54000.0];
/// The fast preset for tests and demos (seconds).
pub const FAST_SCHEDULE: &[f64] = &[0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

/// How long the sandbox waits for a merchant's answer to one notification (`--notify-timeout`).
pub const NOTIFY_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a merchant's answer the delivery log keeps.
pub const EXCERPT_BYTES: usize = 512;

/// A retry schedule: the interval before each attempt, scaled.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    intervals: Vec<f64>,
    scale: f64,
}

/// The named presets of `--notify-schedule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchedulePreset {
    /// 0 s, 2 min, 10 min, 10 min, 1 h, 2 h, 6 h, 15 h.
    Antom,
    /// 0 s, 1 s, 2 s, 4 s, 8 s, 16 s, 32 s, 64 s.
    Fast,
}

impl Schedule {
    /// A preset, every interval multiplied by `scale` (1.0 = real time).
    pub fn new(preset: SchedulePreset, scale: f64) -> Schedule {
        let intervals = match preset {
            SchedulePreset::Antom => ANTOM_SCHEDULE,
            SchedulePreset::Fast => FAST_SCHEDULE,
        };
        Schedule {
            intervals: intervals.to_vec(),
            scale: if scale.is_finite() && scale >= 0.0 {
                scale
            } else {
                1.0
            },
        }
    }

    /// Total number of scheduled attempts.
    pub fn attempts(&self) -> usize {
        self.intervals.len()
    }

    /// Delay (ms) before attempt number `attempts_made + 1`, or None when the schedule is
    /// exhausted.
    pub fn delay_after(&self, attempts_made: usize) -> Option<i64> {
        self.intervals
            .get(attempts_made)
            .map(|s| (s * self.scale * 1000.0).round() as i64)
    }
}

/// The `notifyRefund` body of a refund (every refund the sandbox accepts succeeds at once).
pub fn refund_notification_body(
    refund_id: &str,
    refund_request_id: &str,
    payment_id: &str,
    amount: Amount,
    refund_time: i64,
) -> String {
    json!({
        "notifyType": "REFUND_RESULT",
        "result": {"resultCode": "SUCCESS", "resultStatus": "S", "resultMessage": "success"},
        "refundStatus": "SUCCESS",
        "refundId": refund_id,
        "refundRequestId": refund_request_id,
        "paymentId": payment_id,
        "refundAmount": amount.to_json(),
        "refundTime": clock::format_api(refund_time),
    })
    .to_string()
}

/// The `notifyPayment` body of a final payment.
pub fn notification_body(p: &PaymentRow) -> String {
    let mut body = json!({
        "notifyType": "PAYMENT_RESULT",
        "paymentId": p.payment_id,
        "paymentRequestId": p.payment_request_id,
        "paymentAmount": p.amount.to_json(),
        "paymentStatus": p.status.as_str(),
        "paymentCreateTime": clock::format_api(p.created_at),
        "paymentTime": clock::format_api(p.payment_time.unwrap_or(p.created_at)),
    });
    if let Some(reason) = &p.fail_reason {
        body["paymentFailReason"] = json!(reason);
        body["result"] =
            json!({"resultCode": reason, "resultStatus": "F", "resultMessage": reason});
    } else {
        body["result"] =
            json!({"resultCode": "SUCCESS", "resultStatus": "S", "resultMessage": "success"});
    }
    body.to_string()
}

/// The outbox format of a `notifyPayment` / `notifyRefund` (JSON, signed in headers).
pub const FORMAT_OPEN_API: &str = "open_api";
/// The outbox format of a gateway trade's asynchronous notification (docs/protocol.md §5d):
/// an `application/x-www-form-urlencoded` POST, `notify_type=trade_status_sync`, RSA2-signed in
/// its `sign` parameter.
pub const FORMAT_TRADE_STATUS_SYNC: &str = "trade_status_sync";

/// The parameters of a gateway trade's notification as the outbox keeps them: everything but
/// `notify_time`, `sign_type` and `sign`, which each attempt adds ([`signed_trade_form`]).
/// `trade_status` is `TRADE_SUCCESS` (with `gmt_payment`, `receipt_amount`, `buyer_pay_amount`)
/// or `TRADE_CLOSED` (with `gmt_close`). Empty values are left out: the SDKs' checks would
/// sign `k=` where the open platform skips it.
pub fn trade_notification_params(
    p: &PaymentRow,
    app_id: &str,
    out_trade_no: &str,
    buyer_id: Option<&str>,
    notify_id: &str,
) -> BTreeMap<String, String> {
    let yuan = trade::format_yuan(p.amount.value());
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        if !v.is_empty() {
            m.insert(k.to_string(), v);
        }
    };
    put("notify_type", FORMAT_TRADE_STATUS_SYNC.to_string());
    put("notify_id", notify_id.to_string());
    put("app_id", app_id.to_string());
    put("charset", "utf-8".to_string());
    put("version", "1.0".to_string());
    put("trade_no", p.payment_id.clone());
    put("out_trade_no", out_trade_no.to_string());
    put("trade_status", trade::trade_status(p.status).to_string());
    put("total_amount", yuan.clone());
    put("subject", p.order_description.clone());
    put("gmt_create", clock::format_gateway(p.created_at));
    if let Some(b) = buyer_id {
        put("buyer_id", b.to_string());
    }
    if p.status == PaymentStatus::Success {
        put("receipt_amount", yuan.clone());
        put("buyer_pay_amount", yuan);
        put(
            "gmt_payment",
            clock::format_gateway(p.payment_time.unwrap_or(p.created_at)),
        );
    } else {
        put(
            "gmt_close",
            clock::format_gateway(p.cancel_time.or(p.payment_time).unwrap_or(p.created_at)),
        );
    }
    m
}

/// One attempt's form of a trade notification: the stored parameters (a JSON object of
/// strings), `notify_time` (`at`), then `sign_type=RSA2` and `sign`, computed by `sign` over
/// [`trade::notify_sign_content`] (all but `sign` and `sign_type`, sorted, raw values), as
/// the SDKs' `checkNotifySign` verifies it. Returns the parameters and the urlencoded body.
pub fn signed_trade_form<E: ToString>(
    stored: &str,
    at: i64,
    sign: impl FnOnce(&[u8]) -> Result<String, E>,
) -> Result<(BTreeMap<String, String>, String), String> {
    let mut params: BTreeMap<String, String> = serde_json::from_str(stored)
        .map_err(|e| format!("stored trade notification is not an object of strings: {e}"))?;
    params.insert("notify_time".into(), clock::format_gateway(at));
    let content = trade::notify_sign_content(&params);
    let signature = sign(content.as_bytes()).map_err(|e| e.to_string())?;
    params.insert("sign_type".into(), "RSA2".into());
    params.insert("sign".into(), signature);
    let body = serde_urlencoded::to_string(&params).map_err(|e| e.to_string())?;
    Ok((params, body))
}

/// Whether a merchant's answer acknowledges a trade notification: HTTP 2xx and the body
/// `success` (surrounding whitespace, such as a final newline, aside), as the open platform
/// requires; anything else is retried.
pub fn is_trade_acknowledged(status: u16, body: &[u8]) -> bool {
    (200..300).contains(&status) && body.trim_ascii() == b"success"
}

/// Whether a merchant's answer acknowledges the notification: HTTP 2xx and
/// `result.resultStatus == "S"`.
pub fn is_acknowledged(status: u16, body: &[u8]) -> bool {
    if !(200..300).contains(&status) {
        return false;
    }
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("result")
                .and_then(|r| r.get("resultStatus"))
                .and_then(|s| s.as_str())
                .map(|s| s == "S")
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_scale_and_end() {
        let s = Schedule::new(SchedulePreset::Fast, 0.5);
        assert_eq!(s.delay_after(0), Some(0));
        assert_eq!(s.delay_after(1), Some(500));
        assert_eq!(s.delay_after(2), Some(1000));
        assert_eq!(s.delay_after(8), None);
        let a = Schedule::new(SchedulePreset::Antom, 1.0);
        assert_eq!(a.delay_after(1), Some(120_000));
        assert_eq!(a.attempts(), 8);
    }

    #[test]
    fn only_s_acknowledges() {
        let s =
            br#"{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}"#;
        assert!(is_acknowledged(200, s));
        assert!(!is_acknowledged(500, s));
        assert!(!is_acknowledged(200, br#"{"result":{"resultStatus":"U"}}"#));
        assert!(!is_acknowledged(200, b"OK"));
        assert!(!is_acknowledged(200, b""));
    }

    #[test]
    fn only_the_word_success_acknowledges_a_trade_notification() {
        assert!(is_trade_acknowledged(200, b"success"));
        assert!(is_trade_acknowledged(200, b"success\r\n"));
        assert!(!is_trade_acknowledged(500, b"success"));
        assert!(!is_trade_acknowledged(200, b"SUCCESS"));
        assert!(!is_trade_acknowledged(200, b"fail"));
        assert!(!is_trade_acknowledged(200, b"successful"));
        assert!(!is_trade_acknowledged(200, b""));
    }

    #[test]
    fn a_trade_form_signs_everything_but_sign_and_sign_type() {
        let stored =
            r#"{"app_id":"2021","subject":"Caf\u00e9 & co","trade_status":"TRADE_SUCCESS"}"#;
        let mut seen = String::new();
        let (params, body) = signed_trade_form(stored, 0, |c: &[u8]| {
            seen = String::from_utf8(c.to_vec()).unwrap();
            Ok::<_, String>("S1G+/=".to_string())
        })
        .unwrap();
        assert_eq!(
            seen,
            format!(
                "app_id=2021&notify_time={}&subject=Café & co&trade_status=TRADE_SUCCESS",
                clock::format_gateway(0)
            )
        );
        assert_eq!(params["sign_type"], "RSA2");
        assert!(body.contains("sign=S1G%2B%2F%3D"), "{body}");
        assert!(body.contains("subject=Caf%C3%A9+%26+co"), "{body}");
        assert!(signed_trade_form("[1]", 0, |_| Ok::<_, String>(String::new())).is_err());
    }
}
