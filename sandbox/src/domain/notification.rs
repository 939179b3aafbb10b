//! What a notification says and when it is sent again: the `notifyPayment` and
//! `notifyRefund` bodies, the retry schedules, and what counts as an acknowledgement. The
//! sending is [`crate::app::dispatcher`]'s.

use std::time::Duration;

use serde_json::json;

use crate::domain::amount::Amount;
use crate::domain::clock;
use crate::domain::payment::PaymentRow;

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
}
