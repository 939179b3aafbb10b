//! `notifyPayment` and `notifyRefund` (signed webhooks to the merchant's `paymentNotifyUrl` and
//! `refundNotifyUrl`) and the gateway trades' `trade_status_sync` notifications (to the
//! `notify_url` of `alipay.trade.create`), from one durable outbox.
//!
//! A final state queues one outbox row in the same transaction that made it final (see
//! `store::finalize`). The [`Dispatcher`] sends due rows, fairly across merchant hosts
//! ([`fair_pick`]), logs every attempt as `sending` before it goes out, reads at most
//! [`ANSWER_CAP`] bytes of the answer, and schedules the next attempt on the retry schedule
//! until the merchant acknowledges it (`resultStatus: "S"`; the body `success` for a trade).
//! Nothing is kept only in memory: after a restart the attempts left `sending` are marked
//! `interrupted` and the dispatcher resumes the pending rows where it stopped.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::domain::clock::{self, Clock};
use crate::domain::notification::{
    is_acknowledged, is_trade_acknowledged, signed_trade_form, Schedule, EXCERPT_BYTES,
    FORMAT_TRADE_STATUS_SYNC,
};
use crate::signature::Signer;
use crate::store::{AttemptResult, DueNotification, StartedAttempt, Store};

/// How much of a merchant's answer the dispatcher reads before it closes the connection. An
/// acknowledgement is a few dozen bytes; anything longer is read up to here, logged (its first
/// [`EXCERPT_BYTES`]) and not acknowledged, so a huge or endless answer costs at most this.
pub const ANSWER_CAP: usize = 4096;
/// Most notifications in flight at once, over all merchant hosts: above the 300 distinct hanging
/// hosts the fairness benchmark uses, and well under the usual 1024 open files of a process.
pub const MAX_IN_FLIGHT: usize = 512;
/// Most notifications in flight at once to one merchant host (scheme, host and port of the
/// notify URL): a host whose endpoints hang holds at most this many slots, never the others'.
pub const PER_HOST_IN_FLIGHT: usize = 4;
/// Most due rows one pass of the dispatcher reads to build its per-host queues.
const SCAN_LIMIT: usize = 10_000;

/// Why the dispatcher could not be built.
#[derive(Debug, thiserror::Error)]
#[error("notification HTTP client: {0}")]
pub struct DispatcherError(#[from] reqwest::Error);

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
    /// The sandbox's one clock: due times are written and read on it.
    clock: Arc<Clock>,
    http: reqwest::Client,
    wake: Notify,
    flight: Mutex<InFlight>,
    manual: Mutex<HashSet<i64>>,
}

/// What is being sent right now: notification ids, and how many per host.
#[derive(Debug, Default)]
pub struct InFlight {
    ids: HashSet<i64>,
    per_host: HashMap<String, usize>,
}

impl InFlight {
    fn add(&mut self, id: i64, host: &str) {
        self.ids.insert(id);
        *self.per_host.entry(host.to_string()).or_insert(0) += 1;
    }

    fn remove(&mut self, id: i64, host: &str) {
        self.ids.remove(&id);
        if let Some(n) = self.per_host.get_mut(host) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.per_host.remove(host);
            }
        }
    }

    /// Number of notifications in flight.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when nothing is in flight.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// The queue a notify URL belongs to: `scheme://host:port` (the default port made explicit).
/// A URL that does not parse is its own queue.
pub fn host_key(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => format!(
            "{}://{}:{}",
            u.scheme(),
            u.host_str().unwrap_or(""),
            u.port_or_known_default().unwrap_or(0)
        ),
        Err(_) => url.to_string(),
    }
}

/// Picks what to send now from the due rows (oldest due first): one queue per host, served
/// round-robin (each host in the order of its oldest due row), at most `per_host` in flight per
/// host and `total` overall. A host with hundreds of due rows gets the same turns as a host
/// with one.
pub fn fair_pick(
    due: &[DueNotification],
    flight: &InFlight,
    per_host: usize,
    total: usize,
) -> Vec<(DueNotification, String)> {
    let mut order: Vec<String> = Vec::new();
    let mut queues: HashMap<String, VecDeque<&DueNotification>> = HashMap::new();
    for row in due.iter().filter(|r| !flight.ids.contains(&r.id)) {
        let host = host_key(&row.url);
        let queue = queues.entry(host.clone()).or_insert_with(|| {
            order.push(host);
            VecDeque::new()
        });
        queue.push_back(row);
    }
    let mut busy: HashMap<&str, usize> = order
        .iter()
        .map(|h| (h.as_str(), flight.per_host.get(h).copied().unwrap_or(0)))
        .collect();
    let mut left = total.saturating_sub(flight.len());
    let mut picked = Vec::new();
    let mut progressed = true;
    while left > 0 && progressed {
        progressed = false;
        for host in &order {
            if left == 0 {
                break;
            }
            let n = busy.entry(host.as_str()).or_insert(0);
            if *n >= per_host {
                continue;
            }
            if let Some(row) = queues.get_mut(host).and_then(VecDeque::pop_front) {
                *n += 1;
                left -= 1;
                progressed = true;
                picked.push((row.clone(), host.clone()));
            }
        }
    }
    picked
}

/// Marks a notification as no longer in flight when its delivery task ends, however it ends.
struct FlightGuard {
    inner: Arc<DispatcherInner>,
    id: i64,
    host: String,
}

impl Drop for FlightGuard {
    fn drop(&mut self) {
        lock(&self.inner.flight).remove(self.id, &self.host);
        self.inner.wake.notify_one();
    }
}

impl Dispatcher {
    /// A dispatcher over `store`, signing with the wallet key, waiting at most `timeout` for a
    /// merchant's answer. Fails when the HTTP client cannot be built (start-up reports it):
    /// falling back to a default client would drop the timeout and the no-redirect policy.
    pub fn new(
        store: Arc<Store>,
        wallet: Signer,
        schedule: Schedule,
        timeout: Duration,
        clock: Arc<Clock>,
    ) -> Result<Dispatcher, DispatcherError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .pool_max_idle_per_host(PER_HOST_IN_FLIGHT)
            .build()?;
        Ok(Dispatcher {
            inner: Arc::new(DispatcherInner {
                store,
                wallet,
                schedule,
                clock,
                http,
                wake: Notify::new(),
                flight: Mutex::new(InFlight::default()),
                manual: Mutex::new(HashSet::new()),
            }),
        })
    }

    /// Tells the dispatcher that something may be due now (a payment just became final).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Queues an immediate manual attempt of notification `id`. False if unknown.
    pub fn resend(&self, id: i64) -> Result<bool, crate::store::StoreError> {
        let ok = self.inner.store.resend(id, self.inner.clock.now_ms())?;
        if ok {
            lock(&self.inner.manual).insert(id);
            self.wake();
        }
        Ok(ok)
    }

    /// Runs forever: sends what is due, fairly across merchant hosts, then sleeps until the
    /// next due time or a wake-up (a new final payment, or a delivery ending and freeing a
    /// slot).
    pub async fn run(self) {
        loop {
            let now = self.inner.clock.now_ms();
            let due = match self.inner.store.due_notifications(now, SCAN_LIMIT) {
                Ok(due) => due,
                Err(e) => {
                    tracing::error!(error = %e, "notification outbox unreadable");
                    Vec::new()
                }
            };
            let picked = {
                let mut flight = lock(&self.inner.flight);
                let picked = fair_pick(&due, &flight, PER_HOST_IN_FLIGHT, MAX_IN_FLIGHT);
                for (row, host) in &picked {
                    flight.add(row.id, host);
                }
                picked
            };
            for (row, host) in picked {
                let guard = FlightGuard {
                    inner: self.inner.clone(),
                    id: row.id,
                    host,
                };
                let this = self.clone();
                tokio::spawn(async move {
                    this.deliver(row.id).await;
                    drop(guard);
                });
            }
            // Due rows left waiting are blocked by a limit: a delivery ending wakes us.
            let next = self
                .inner
                .store
                .next_notification_due_after(self.inner.clock.now_ms())
                .ok()
                .flatten();
            let sleep_ms = match next {
                Some(at) => (at - self.inner.clock.now_ms()).clamp(5, 1000),
                None => 1000,
            };
            tokio::select! {
                _ = self.inner.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(sleep_ms as u64)) => {}
            }
        }
    }

    async fn deliver(&self, id: i64) {
        let manual = lock(&self.inner.manual).remove(&id);
        let started = match self
            .inner
            .store
            .begin_attempt(id, self.inner.clock.now_ms(), manual)
        {
            Ok(Some(s)) => s,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, notification = id, "could not log the attempt; not sent");
                return;
            }
        };
        let result = self.attempt(&started).await;
        let next_at = if result.ok {
            None
        } else {
            self.inner
                .schedule
                .delay_after(started.attempt as usize)
                .map(|d| self.inner.clock.now_ms() + d)
        };
        let row = &started.row;
        tracing::info!(
            notification = row.id,
            payment_id = %row.payment_id,
            url = %row.url,
            attempt = started.attempt,
            lag_ms = result.at - started.due_at,
            http_status = result.http_status,
            ok = result.ok,
            error = result.error.as_deref().unwrap_or(""),
            duration_ms = result.duration_ms,
            next_attempt_in_ms = next_at.map(|t| t - self.inner.clock.now_ms()),
            "notification attempt"
        );
        if let Err(e) = self.inner.store.finish_attempt(&started, &result, next_at) {
            tracing::error!(error = %e, notification = row.id, "could not record attempt");
        }
    }

    async fn attempt(&self, started: &StartedAttempt) -> AttemptResult {
        let row = &started.row;
        let at = self.inner.clock.now_ms();
        let started_at = Instant::now();
        let failed = |error: String| AttemptResult {
            at,
            http_status: None,
            response_excerpt: None,
            error: Some(error),
            duration_ms: started_at.elapsed().as_millis() as i64,
            ok: false,
        };
        let trade_form = row.format == FORMAT_TRADE_STATUS_SYNC;
        let request = if trade_form {
            // The gateway's form: signed in its `sign` parameter, `notify_time` per attempt.
            match signed_trade_form(&row.body, at, |c| self.inner.wallet.sign_base64(c)) {
                Ok((_, body)) => self
                    .inner
                    .http
                    .post(&row.url)
                    .header(
                        "content-type",
                        "application/x-www-form-urlencoded; charset=utf-8",
                    )
                    .body(body),
                Err(e) => return failed(e),
            }
        } else {
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
                Err(e) => return failed(e.to_string()),
            };
            self.inner
                .http
                .post(&row.url)
                .header("content-type", "application/json; charset=UTF-8")
                .header("client-id", &row.client_id)
                .header("request-time", &time)
                .header("signature", signature)
                .body(row.body.clone())
        };
        let sent = request.send().await;
        let mut resp = match sent {
            Ok(resp) => resp,
            Err(e) => return failed(describe_error(&e)),
        };
        let status = resp.status().as_u16();
        let answer = read_capped(&mut resp, ANSWER_CAP).await;
        // Dropping an unfinished response closes its connection: the rest is never read.
        drop(resp);
        let (ok, error) = match &answer.error {
            Some(e) => (false, Some(e.clone())),
            None if answer.truncated => (
                false,
                Some(format!(
                    "answer longer than {ANSWER_CAP} bytes: read the first {ANSWER_CAP}, closed \
                     the connection, not acknowledged"
                )),
            ),
            None if trade_form => (is_trade_acknowledged(status, &answer.bytes), None),
            None => (is_acknowledged(status, &answer.bytes), None),
        };
        AttemptResult {
            at,
            http_status: Some(status),
            response_excerpt: Some(excerpt(&answer.bytes)),
            error,
            duration_ms: started_at.elapsed().as_millis() as i64,
            ok,
        }
    }
}

/// The first bytes of a merchant's answer.
struct Answer {
    bytes: Vec<u8>,
    /// More than the cap was sent.
    truncated: bool,
    /// Reading failed (timeout, reset) after the status line.
    error: Option<String>,
}

/// Reads at most `cap` bytes of the body, chunk by chunk, and stops there.
async fn read_capped(resp: &mut reqwest::Response, cap: usize) -> Answer {
    let mut bytes = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = cap - bytes.len();
                if chunk.len() > room {
                    bytes.extend_from_slice(&chunk[..room]);
                    return Answer {
                        bytes,
                        truncated: true,
                        error: None,
                    };
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => {
                return Answer {
                    bytes,
                    truncated: false,
                    error: None,
                }
            }
            Err(e) => {
                return Answer {
                    bytes,
                    truncated: false,
                    error: Some(format!("reading response: {}", describe_error(&e))),
                }
            }
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

    fn due(id: i64, url: &str) -> DueNotification {
        DueNotification {
            id,
            url: url.to_string(),
            due_at: id,
        }
    }

    #[test]
    fn hosts_are_scheme_host_and_port() {
        assert_eq!(host_key("http://a.example/x?y"), "http://a.example:80");
        assert_eq!(host_key("https://a.example/"), "https://a.example:443");
        assert_eq!(host_key("http://127.0.0.1:9/n"), "http://127.0.0.1:9");
        assert_ne!(host_key("http://a:1/"), host_key("http://a:2/"));
        assert_eq!(host_key("not a url"), "not a url");
    }

    #[test]
    fn a_host_with_many_due_rows_does_not_crowd_out_another() {
        // 300 rows for one host, then one for another host, due last.
        let mut rows: Vec<_> = (0..300).map(|i| due(i, "http://hang:1/n")).collect();
        rows.push(due(300, "http://ok:2/n"));
        let picked = fair_pick(&rows, &InFlight::default(), 4, 256);
        let ids: Vec<i64> = picked.iter().map(|(r, _)| r.id).collect();
        assert_eq!(ids, [0, 300, 1, 2, 3], "round-robin, 4 per host");

        // The same with the hanging host's 4 slots already taken: only the other one goes.
        let mut flight = InFlight::default();
        for id in 0..4 {
            flight.add(id, "http://hang:1");
        }
        let picked = fair_pick(&rows, &flight, 4, 256);
        assert_eq!(picked.len(), 1);
        assert_eq!(picked[0].0.id, 300);

        // The total cap holds across hosts.
        let many: Vec<_> = (0..50)
            .map(|i| due(i, &format!("http://h{i}:1/n")))
            .collect();
        assert_eq!(fair_pick(&many, &InFlight::default(), 4, 8).len(), 8);
        flight.remove(0, "http://hang:1");
        assert_eq!(flight.len(), 3);
    }
}
