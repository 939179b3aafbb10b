//! The settler: finalizes payments whose deadline passed (expiry, or the delay of a magic
//! `PENDING` amount) so their notifications go out without anyone reading the payment.
//!
//! Like mini-redis's purge task it sleeps until the earliest deadline in the store
//! ([`Store::next_due`](crate::store::Store::next_due)), and is woken early
//! ([`Settler::wake`]) when a request gives a payment a deadline (pay, a pending confirm).
//! Reading a payment settles it too, so a late settler only delays the notification.

use std::time::Duration;

use tokio::sync::Notify;

use super::State;

/// The longest the settler sleeps without looking at the store again: a guard against a
/// deadline written by a path that forgot to wake it, not a polling interval.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// The handle requests use to wake the settler.
#[derive(Debug, Default)]
pub struct Settler {
    wake: Notify,
}

impl Settler {
    /// Makes the settler look at the store again (a payment got a deadline).
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Runs until aborted: settles what is due, then sleeps until the next deadline or a wake.
pub async fn run(state: State) {
    loop {
        let store = state.store.clone();
        let now = state.clock.now_ms();
        let settled = tokio::task::spawn_blocking(move || {
            let n = super::payments::settle_all_due(&store, now)?;
            Ok::<_, crate::store::StoreError>((n, store.next_due()?))
        })
        .await;
        let next_due = match settled {
            Ok(Ok((n, next_due))) => {
                if n > 0 {
                    tracing::info!(
                        count = n,
                        "payments settled by time (expiry or pending delay)"
                    );
                    state.dispatcher.wake();
                }
                next_due
            }
            Ok(Err(e)) => {
                tracing::error!(error = %e, "settling due payments failed");
                None
            }
            Err(e) => {
                tracing::error!(error = %e, "the settling task failed");
                None
            }
        };
        let sleep = match next_due {
            Some(at) => {
                Duration::from_millis(at.saturating_sub(state.clock.now_ms()).max(0) as u64)
                    .min(MAX_SLEEP)
            }
            None => MAX_SLEEP,
        };
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = state.settler.wake.notified() => {}
        }
    }
}
