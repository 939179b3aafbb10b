//! The notification outbox: one row per notification, and its delivery attempts.

use rusqlite::{params, OptionalExtension, Row};

use super::*;

/// A pending or past webhook delivery.
#[derive(Debug, Clone)]
pub struct NotificationRow {
    pub id: i64,
    pub payment_id: String,
    /// `paymentNotifyUrl`, `refundNotifyUrl`, or a trade's `notify_url`.
    pub url: String,
    /// The merchant's client id (sent as `Client-Id`).
    pub client_id: String,
    /// The JSON body (the same for every attempt); for `trade_status_sync`, the notification's
    /// parameters before `notify_time` and `sign` (a JSON object of strings).
    pub body: String,
    /// `open_api` (`notifyPayment`, `notifyRefund`) or `trade_status_sync` (a gateway trade).
    pub format: String,
    /// `PENDING`, `DELIVERED`, `FAILED` (gave up).
    pub status: String,
    /// Attempts made so far.
    pub attempts: i64,
    /// When the next attempt is due (ms), for PENDING.
    pub next_attempt_at: Option<i64>,
    /// Created (ms).
    pub created_at: i64,
    /// Acknowledged (ms).
    pub delivered_at: Option<i64>,
}

/// One delivery attempt (its wire form: `http::views`).
#[derive(Debug, Clone)]
pub struct AttemptRow {
    /// 1-based attempt number.
    pub attempt: i64,
    /// When it was sent (ms).
    pub at: i64,
    /// `sending` (logged before the request goes out), `done`, or `interrupted` (the sandbox
    /// stopped mid-attempt; the merchant may have received it).
    pub state: String,
    /// Time from when the attempt was due to when it was sent (ms); None for attempts logged
    /// before lags were recorded.
    pub lag_ms: Option<i64>,
    /// HTTP status received, if any.
    pub http_status: Option<i64>,
    /// First bytes of the response body.
    pub response_excerpt: Option<String>,
    /// Transport error, if any.
    pub error: Option<String>,
    pub duration_ms: i64,
    /// Acknowledged with `S`.
    pub ok: bool,
    /// Same as `ok` (the name the devtools panel reads).
    pub acknowledged: bool,
    /// Sent by a manual resend.
    pub manual: bool,
}

/// A pending notification that is due, as the dispatcher queues it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueNotification {
    pub id: i64,
    /// `paymentNotifyUrl` (its scheme, host and port pick the queue).
    pub url: String,
    /// When it became due (ms).
    pub due_at: i64,
}

/// An attempt logged as `sending` by [`Store::begin_attempt`], to finish with
/// [`Store::finish_attempt`].
#[derive(Debug, Clone)]
pub struct StartedAttempt {
    /// The attempt's row in the log.
    pub attempt_id: i64,
    /// Its 1-based number.
    pub attempt: i64,
    /// When it was due (ms).
    pub due_at: i64,
    pub row: NotificationRow,
}

/// The error text of an attempt cut by a stop or a crash.
pub const INTERRUPTED_ERROR: &str =
    "interrupted: the sandbox stopped during this attempt; the merchant may have received it";

/// The result of one attempt, to record.
#[derive(Debug, Clone)]
pub struct AttemptResult {
    /// When it was sent (ms).
    pub at: i64,
    /// HTTP status.
    pub http_status: Option<u16>,
    /// First bytes of the body.
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub ok: bool,
}

/// Per-payment notification summary for the devtools list (its wire form: `http::views`).
#[derive(Debug, Clone)]
pub struct NotifySummary {
    pub id: i64,
    /// `PENDING` / `DELIVERED` / `FAILED`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Next attempt (ms), as stored (shown only while pending).
    pub next_attempt_at: Option<i64>,
}

pub(super) const NOTIFICATION_COLUMNS: &str =
    "id, payment_id, url, client_id, body, status, attempts, next_attempt_at, created_at, delivered_at, \
     format";

pub(super) fn notification_from_row(r: &Row<'_>) -> rusqlite::Result<NotificationRow> {
    Ok(NotificationRow {
        id: r.get(0)?,
        payment_id: r.get(1)?,
        url: r.get(2)?,
        client_id: r.get(3)?,
        body: r.get(4)?,
        status: r.get(5)?,
        attempts: r.get(6)?,
        next_attempt_at: r.get(7)?,
        created_at: r.get(8)?,
        delivered_at: r.get(9)?,
        format: r.get(10)?,
    })
}

impl Store {
    // ---- notification outbox ---------------------------------------------------------------

    /// Pending notifications due by `now` (at most `limit`, oldest due first), as `(id, url,
    /// due)`: the dispatcher's per-host queues are built from these.
    pub fn due_notifications(&self, now: i64, limit: usize) -> StoreResult<Vec<DueNotification>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT id, url, next_attempt_at FROM notifications WHERE status = 'PENDING' \
             AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now, limit as i64], |r| {
            Ok(DueNotification {
                id: r.get(0)?,
                url: r.get(1)?,
                due_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// When the earliest pending notification not yet due at `now` is due (ms).
    pub fn next_notification_due_after(&self, now: i64) -> StoreResult<Option<i64>> {
        Ok(one(
            &self.lock(),
            "SELECT MIN(next_attempt_at) FROM notifications WHERE status = 'PENDING' \
             AND next_attempt_at > ?1",
            params![now],
            |r| r.get(0),
        )?)
    }

    /// Starts an attempt of notification `id` if it is still pending: counts it and logs it as
    /// `sending` *before* anything is sent, so a crash mid-delivery leaves a trace
    /// ([`Store::interrupt_sending`]). None when the notification is gone or no longer pending.
    pub fn begin_attempt(
        &self,
        id: i64,
        at: i64,
        manual: bool,
    ) -> StoreResult<Option<StartedAttempt>> {
        self.write(|tx| {
            let Some(row) = one(
                tx,
                &format!(
                    "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE id = ?1 \
                     AND status = 'PENDING'"
                ),
                params![id],
                notification_from_row,
            )
            .optional()?
            else {
                return Ok(None);
            };
            let attempt: i64 = one(
                tx,
                "UPDATE notifications SET attempts = attempts + 1 WHERE id = ?1 RETURNING attempts",
                params![id],
                |r| r.get(0),
            )?;
            exec(
                tx,
                "INSERT INTO notification_attempts (notification_id, attempt, at, due_at, state, \
                 duration_ms, ok, manual) VALUES (?1, ?2, ?3, ?4, 'sending', 0, 0, ?5)",
                params![id, attempt, at, row.next_attempt_at, manual],
            )?;
            Ok(Some(StartedAttempt {
                attempt_id: tx.last_insert_rowid(),
                attempt,
                due_at: row.next_attempt_at.unwrap_or(at),
                row,
            }))
        })
    }

    /// Records how a started attempt ended, then schedules the next (`next_at`), or marks the
    /// notification delivered, or gives up (`next_at` None after a failure). Nothing changes
    /// when the attempt was meanwhile marked interrupted (another process owns the outbox now).
    pub fn finish_attempt(
        &self,
        started: &StartedAttempt,
        result: &AttemptResult,
        next_at: Option<i64>,
    ) -> StoreResult<()> {
        let id = started.row.id;
        self.write(|tx| {
            let n = exec(
                tx,
                "UPDATE notification_attempts SET state = 'done', http_status = ?2, \
                 response_excerpt = ?3, error = ?4, duration_ms = ?5, ok = ?6 \
                 WHERE id = ?1 AND state = 'sending'",
                params![
                    started.attempt_id,
                    result.http_status,
                    result.response_excerpt,
                    result.error,
                    result.duration_ms,
                    result.ok
                ],
            )?;
            if n == 0 {
                return Ok(());
            }
            if result.ok {
                exec(
                    tx,
                    "UPDATE notifications SET status = 'DELIVERED', next_attempt_at = NULL, \
                     delivered_at = ?2 WHERE id = ?1",
                    params![id, result.at],
                )?;
            } else if let Some(next) = next_at {
                exec(
                    tx,
                    "UPDATE notifications SET status = 'PENDING', next_attempt_at = ?2 WHERE id = ?1",
                    params![id, next],
                )?;
            } else {
                exec(
                    tx,
                    "UPDATE notifications SET status = 'FAILED', next_attempt_at = NULL WHERE id = ?1",
                    params![id],
                )?;
            }
            Ok(())
        })
    }

    /// At start-up: every attempt still `sending` was cut by a crash or a stop; it becomes
    /// `interrupted` (the merchant may have received it). Its notification stays as it was
    /// (pending and due), so the next attempt goes out at once. Returns how many.
    pub fn interrupt_sending(&self) -> StoreResult<usize> {
        Ok(exec(
            &self.lock(),
            "UPDATE notification_attempts SET state = 'interrupted', error = ?1 \
             WHERE state = 'sending'",
            params![INTERRUPTED_ERROR],
        )?)
    }

    /// A notification by id.
    pub fn notification(&self, id: i64) -> StoreResult<Option<NotificationRow>> {
        Ok(self
            .lock()
            .query_row(
                &format!("SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE id = ?1"),
                params![id],
                notification_from_row,
            )
            .optional()?)
    }

    /// Notifications of a payment (or the 100 most recent), newest first.
    pub fn notifications(&self, payment_id: Option<&str>) -> StoreResult<Vec<NotificationRow>> {
        let conn = self.lock();
        let rows = match payment_id {
            Some(p) => {
                let mut stmt = conn.prepare(&format!(
                    "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE payment_id = ?1 \
                     ORDER BY id DESC"
                ))?;
                let rows = stmt.query_map(params![p], notification_from_row)?;
                rows.collect::<Result<Vec<_>, _>>()?
            }
            None => {
                let mut stmt = conn.prepare(&format!(
                    "SELECT {NOTIFICATION_COLUMNS} FROM notifications ORDER BY id DESC LIMIT 100"
                ))?;
                let rows = stmt.query_map([], notification_from_row)?;
                rows.collect::<Result<Vec<_>, _>>()?
            }
        };
        Ok(rows)
    }

    /// The attempts of a notification, in order.
    pub fn attempts(&self, notification_id: i64) -> StoreResult<Vec<AttemptRow>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT attempt, at, http_status, response_excerpt, error, duration_ms, ok, manual, \
             state, due_at FROM notification_attempts WHERE notification_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![notification_id], |r| {
            let at: i64 = r.get(1)?;
            let due_at: Option<i64> = r.get(9)?;
            Ok(AttemptRow {
                attempt: r.get(0)?,
                at,
                state: r.get(8)?,
                lag_ms: due_at.map(|due| at.saturating_sub(due).max(0)),
                http_status: r.get(2)?,
                response_excerpt: r.get(3)?,
                error: r.get(4)?,
                duration_ms: r.get(5)?,
                ok: r.get(6)?,
                acknowledged: r.get(6)?,
                manual: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Queues a notification for an immediate manual attempt, whatever its state.
    /// Returns false when there is no such notification.
    pub fn resend(&self, id: i64, now: i64) -> StoreResult<bool> {
        let n = exec(
            &self.lock(),
            "UPDATE notifications SET status = 'PENDING', next_attempt_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
        Ok(n == 1)
    }
}
