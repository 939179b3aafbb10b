//! Time on the wire: what the sandbox sends (RFC 3339, colon in the offset, never empty) and
//! what it accepts (`Request-Time` and `paymentExpiryTime` with or without milliseconds, `Z`
//! or an offset). Internally times are Unix milliseconds.

use time::format_description::well_known::{Iso8601, Rfc3339};
use time::macros::format_description;
use time::OffsetDateTime;

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    let now = OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The sandbox's one notion of "now" (`AppState::clock`): the system clock plus an offset that
/// tests move forward, so expiry (a payment's `paymentExpiryTime`, auth codes, tokens) is
/// tested without sleeping.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: std::sync::atomic::AtomicI64,
}

impl Clock {
    /// Now, in Unix milliseconds, offset applied.
    pub fn now_ms(&self) -> i64 {
        now_ms().saturating_add(self.offset_ms.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Moves this clock forward by `ms` (tests).
    pub fn advance_ms(&self, ms: i64) {
        self.offset_ms
            .fetch_add(ms, std::sync::atomic::Ordering::Relaxed);
    }
}

fn to_datetime(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// `2026-11-27T07:01:52+00:00`: the form of every time in open API bodies and headers.
pub fn format_api(ms: i64) -> String {
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+00:00");
    to_datetime(ms)
        .format(&fmt)
        .unwrap_or_else(|_| "1970-01-01T00:00:00+00:00".to_string())
}

/// `2026-11-27 15:01:52`: the open platform gateway's times (`send_pay_date`, `timestamp`),
/// in China Standard Time (UTC+8), as the gateway writes them.
pub fn format_gateway(ms: i64) -> String {
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    to_datetime(ms.saturating_add(8 * 3_600_000))
        .format(&fmt)
        .unwrap_or_else(|_| "1970-01-01 08:00:00".to_string())
}

/// `2026-11-27T07:01:52.123+00:00`: the form used by the devtools endpoints (millisecond logs).
pub fn format_precise(ms: i64) -> String {
    let fmt = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+00:00"
    );
    to_datetime(ms)
        .format(&fmt)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000+00:00".to_string())
}

/// Parses an ISO 8601 / RFC 3339 time with an offset into Unix milliseconds.
/// Accepts `2026-11-27T07:01:52Z`, `…52.123Z`, `…52+03:00`, and (ISO 8601) `…52+0300`.
pub fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    let dt = OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(text, &Iso8601::DEFAULT))
        .ok()?;
    i64::try_from(dt.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_request_times_of_every_common_shape() {
        let base = parse("2026-11-27T07:01:52Z").unwrap();
        assert_eq!(parse("2026-11-27T07:01:52+00:00"), Some(base));
        assert_eq!(parse("2026-11-27T07:01:52.250Z"), Some(base + 250));
        assert_eq!(parse("2026-11-27T10:01:52+03:00"), Some(base));
        assert_eq!(parse("2026-11-27T10:01:52.000+03:00"), Some(base));
        assert_eq!(parse("2026-11-27T10:01:52+0300"), Some(base));
    }

    #[test]
    fn rejects_times_without_offset_or_garbage() {
        for bad in [
            "",
            "yesterday",
            "2026-11-27",
            "2026-11-27T07:01:52",
            "1700000000",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_with_a_colon_offset() {
        let ms = parse("2026-11-27T07:01:52.123Z").unwrap();
        assert_eq!(format_api(ms), "2026-11-27T07:01:52+00:00");
        assert_eq!(format_precise(ms), "2026-11-27T07:01:52.123+00:00");
        assert_eq!(parse(&format_api(ms)), Some(ms - 123));
    }
}
