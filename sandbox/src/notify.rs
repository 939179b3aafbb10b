//! `notifyPayment`: signed webhooks to the merchant's `paymentNotifyUrl`, from a durable outbox.
//!
//! A final state queues one outbox row in the same transaction that made it final (see
//! `store::finalize`). The [`Dispatcher`] sends due rows, records every attempt, and schedules
//! the next one on the retry schedule until the merchant answers `resultStatus: "S"`.
//! Nothing is kept only in memory: after a restart the dispatcher finds the pending rows and
//! resumes where it stopped.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::{Notify, Semaphore};

use crate::clock;
use crate::signature::Signer;
use crate::store::{AttemptResult, NotificationRow, PaymentRow, Store};

/// Antom's public retry schedule: intervals before attempts 1..8 (seconds).
pub const ANTOM_SCHEDULE: &[f64] = &[0.0, 120.0, 600.0, 600.0, 3600.0, 7200.0, 21600.0, 54000.0];
/// The fast preset for tests and demos (seconds).
pub const FAST_SCHEDULE: &[f64] = &[0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

/// How long the sandbox waits for a merchant's answer to one notification.
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

/// Sends due notifications; one background task per sandbox.
#[derive(Debug, Clone)]
pub struct Dispatcher {
    inner: Arc<DispatcherInner>,
}

#[derive(Debug)]
struct DispatcherInner {
    store: Arc<Store>,
    wallet: Signer,
    schedule: Schedule,
    http: reqwest::Client,
    wake: Notify,
    in_flight: Mutex<HashSet<i64>>,
    manual: Mutex<HashSet<i64>>,
    limit: Arc<Semaphore>,
}

/// Most notifications in flight at once.
const MAX_IN_FLIGHT: usize = 64;

impl Dispatcher {
    /// A dispatcher over `store`, signing with the wallet key.
    pub fn new(store: Arc<Store>, wallet: Signer, schedule: Schedule) -> Dispatcher {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(NOTIFY_TIMEOUT)
            .pool_max_idle_per_host(MAX_IN_FLIGHT)
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Dispatcher {
            inner: Arc::new(DispatcherInner {
                store,
                wallet,
                schedule,
                http,
                wake: Notify::new(),
                in_flight: Mutex::new(HashSet::new()),
                manual: Mutex::new(HashSet::new()),
                limit: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
            }),
        }
    }

    /// Tells the dispatcher that something may be due now (a payment just became final).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Queues an immediate manual attempt of notification `id`. False if unknown.
    pub fn resend(&self, id: i64) -> Result<bool, crate::store::StoreError> {
        let ok = self.inner.store.resend(id, clock::now_ms())?;
        if ok {
            lock(&self.inner.manual).insert(id);
            self.wake();
        }
        Ok(ok)
    }

    /// Runs forever: sends what is due, sleeps until the next due time or a wake-up.
    pub async fn run(self) {
        loop {
            let now = clock::now_ms();
            let due = {
                let in_flight = lock(&self.inner.in_flight).clone();
                match self
                    .inner
                    .store
                    .due_notifications(now, &in_flight, MAX_IN_FLIGHT)
                {
                    Ok(due) => due,
                    Err(e) => {
                        tracing::error!(error = %e, "notification outbox unreadable");
                        Vec::new()
                    }
                }
            };
            for row in due {
                let Ok(permit) = self.inner.limit.clone().acquire_owned().await else {
                    return;
                };
                lock(&self.inner.in_flight).insert(row.id);
                let this = self.clone();
                tokio::spawn(async move {
                    this.deliver(row).await;
                    drop(permit);
                    this.wake();
                });
            }
            let next = self.inner.store.next_notification_due().ok().flatten();
            let sleep_ms = match next {
                Some(at) => (at - clock::now_ms()).clamp(5, 1000),
                None => 1000,
            };
            tokio::select! {
                _ = self.inner.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(sleep_ms as u64)) => {}
            }
        }
    }

    async fn deliver(&self, row: NotificationRow) {
        let manual = lock(&self.inner.manual).remove(&row.id);
        let result = self.attempt(&row).await;
        let attempts_made = row.attempts as usize + 1;
        let next_at = if result.ok {
            None
        } else {
            self.inner
                .schedule
                .delay_after(attempts_made)
                .map(|d| clock::now_ms() + d)
        };
        tracing::info!(
            notification = row.id,
            payment_id = %row.payment_id,
            url = %row.url,
            attempt = attempts_made,
            http_status = result.http_status,
            ok = result.ok,
            error = result.error.as_deref().unwrap_or(""),
            duration_ms = result.duration_ms,
            next_attempt_in_ms = next_at.map(|t| t - clock::now_ms()),
            "notifyPayment attempt"
        );
        if let Err(e) = self
            .inner
            .store
            .record_attempt(row.id, &result, next_at, manual)
        {
            tracing::error!(error = %e, notification = row.id, "could not record attempt");
        }
        lock(&self.inner.in_flight).remove(&row.id);
    }

    async fn attempt(&self, row: &NotificationRow) -> AttemptResult {
        let at = clock::now_ms();
        let started = Instant::now();
        let path = reqwest::Url::parse(&row.url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| "/".to_string());
        let time = clock::format_api(at);
        let signature = match self.inner.wallet.signature_header(
            &path,
            &row.client_id,
            &time,
            row.body.as_bytes(),
        ) {
            Ok(s) => s,
            Err(e) => {
                return AttemptResult {
                    at,
                    http_status: None,
                    response_excerpt: None,
                    error: Some(e.to_string()),
                    duration_ms: 0,
                    ok: false,
                }
            }
        };
        let sent = self
            .inner
            .http
            .post(&row.url)
            .header("content-type", "application/json; charset=UTF-8")
            .header("client-id", &row.client_id)
            .header("request-time", &time)
            .header("signature", signature)
            .body(row.body.clone())
            .send()
            .await;
        let (http_status, body, error) = match sent {
            Ok(resp) => {
                let status = resp.status().as_u16();
                match resp.bytes().await {
                    Ok(b) => (Some(status), Some(b), None),
                    Err(e) => (Some(status), None, Some(format!("reading response: {e}"))),
                }
            }
            Err(e) => (None, None, Some(describe_error(&e))),
        };
        let ok = match (http_status, &body) {
            (Some(s), Some(b)) => is_acknowledged(s, b),
            _ => false,
        };
        AttemptResult {
            at,
            http_status,
            response_excerpt: body.map(|b| excerpt(&b)),
            error,
            duration_ms: started.elapsed().as_millis() as i64,
            ok,
        }
    }
}

fn describe_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".to_string()
    } else if e.is_connect() {
        format!("connection failed: {e}")
    } else {
        e.to_string()
    }
}

fn excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(EXCERPT_BYTES)];
    String::from_utf8_lossy(cut).into_owned()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
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
