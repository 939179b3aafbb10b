//! The Alipay open platform gateway's rules as plain data (docs/protocol.md §5d): the signed
//! content of a request, the gateway's answers and error codes, yuan amounts, and how a
//! payment's status reads as a `trade_status`.

use std::collections::BTreeMap;

use crate::domain::payment::PaymentStatus;

/// The largest `total_amount` a trade takes, in fen (CNY 100,000,000.00, the documented cap).
pub const MAX_TOTAL_FEN: i64 = 10_000_000_000;
/// Longest `out_trade_no` (as documented).
pub const MAX_OUT_TRADE_NO: usize = 64;
/// Longest `subject` (as documented).
pub const MAX_SUBJECT: usize = 256;

/// A refusal of the gateway: `code`, `msg`, `sub_code`, `sub_msg` as the open platform
/// documents its common and business errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayError {
    /// `20000`, `20001`, `40001`, `40002`, `40004`.
    pub code: &'static str,
    /// The code's fixed meaning (`Invalid Arguments`, …).
    pub msg: &'static str,
    /// `isv.invalid-signature`, `ACQ.TRADE_NOT_EXIST`, …
    pub sub_code: String,
    /// What was wrong, naming the parameter.
    pub sub_msg: String,
}

impl GatewayError {
    /// `40001 Missing Required Arguments`, `isv.missing-<name>`.
    pub fn missing(param: &str) -> GatewayError {
        GatewayError {
            code: "40001",
            msg: "Missing Required Arguments",
            sub_code: match param {
                "sign" => "isv.missing-signature".to_string(),
                "sign_type" => "isv.missing-signature-type".to_string(),
                other => format!("isv.missing-{}", other.replace('_', "-")),
            },
            sub_msg: format!("{param}: is required"),
        }
    }

    /// `40002 Invalid Arguments` with its `isv.*` sub code.
    pub fn invalid(sub_code: &str, sub_msg: impl Into<String>) -> GatewayError {
        GatewayError {
            code: "40002",
            msg: "Invalid Arguments",
            sub_code: sub_code.to_string(),
            sub_msg: sub_msg.into(),
        }
    }

    /// `40004 Business Failed` with its `ACQ.*` (or other) sub code.
    pub fn business(sub_code: &str, sub_msg: impl Into<String>) -> GatewayError {
        GatewayError {
            code: "40004",
            msg: "Business Failed",
            sub_code: sub_code.to_string(),
            sub_msg: sub_msg.into(),
        }
    }

    /// `20001 Insufficient Token Permissions`.
    pub fn auth(sub_code: &str, sub_msg: impl Into<String>) -> GatewayError {
        GatewayError {
            code: "20001",
            msg: "Insufficient Token Permissions",
            sub_code: sub_code.to_string(),
            sub_msg: sub_msg.into(),
        }
    }

    /// `20000 Service Currently Unavailable`: a storage failure; the caller may retry.
    pub fn unavailable() -> GatewayError {
        GatewayError {
            code: "20000",
            msg: "Service Currently Unavailable",
            sub_code: "isp.unknow-error".to_string(),
            sub_msg: "storage error, retry".to_string(),
        }
    }

    /// A business parameter the method rejects: `40004 ACQ.INVALID_PARAMETER` naming it.
    pub fn parameter(sub_msg: impl Into<String>) -> GatewayError {
        GatewayError::business("ACQ.INVALID_PARAMETER", sub_msg)
    }
}

/// The key of a method's answer: `alipay.trade.create` → `alipay_trade_create_response`.
pub fn response_key(method: &str) -> String {
    format!("{}_response", method.replace('.', "_"))
}

/// The content a request's `sign` covers: every parameter but `sign` whose value is not
/// empty, sorted by name, as `name=value` joined by `&` (values as received, not encoded).
/// `sign_type` is covered, as in the open platform's request signing.
pub fn sign_content(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .filter(|(k, v)| k.as_str() != "sign" && !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The content a notification's `sign` covers: as [`sign_content`], without `sign_type`
/// (how the open platform signs its asynchronous notifications).
pub fn notify_sign_content(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .filter(|(k, v)| k.as_str() != "sign" && k.as_str() != "sign_type" && !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Parses a yuan amount as the gateway's `total_amount` (`"88.88"`, `"9"`, `"0.5"`) into fen:
/// digits, then at most two decimals; no sign, exponent, spaces or leading zeros; from 0.01 to
/// [`MAX_TOTAL_FEN`]. The error says what was wrong.
pub fn parse_yuan(text: &str) -> Result<i64, String> {
    let (whole, frac) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) {
        return Err(format!(
            "{text:?} is not an amount in yuan: digits, then at most two decimals (e.g. \"88.88\")"
        ));
    }
    if whole.len() > 1 && whole.starts_with('0') {
        return Err(format!("{text:?} has a leading zero"));
    }
    let frac = match frac {
        None => "",
        Some(f) if digits(f) && f.len() <= 2 => f,
        Some(_) => {
            return Err(format!(
                "{text:?} is not an amount in yuan: at most two decimals after the point (fen)"
            ))
        }
    };
    if whole.len() > 12 {
        return Err(format!("{text:?} is over the cap of 100000000.00"));
    }
    let yuan: i64 = whole
        .parse()
        .map_err(|_| format!("{text:?} is not an amount in yuan"))?;
    let fen_part: i64 = match frac.len() {
        0 => 0,
        1 => i64::from(frac.as_bytes()[0] - b'0') * 10,
        _ => frac
            .parse()
            .map_err(|_| format!("{text:?} is not an amount in yuan"))?,
    };
    let fen = yuan
        .checked_mul(100)
        .and_then(|v| v.checked_add(fen_part))
        .ok_or_else(|| format!("{text:?} is over the cap of 100000000.00"))?;
    if fen < 1 {
        return Err(format!("{text:?} is below the minimum of 0.01"));
    }
    if fen > MAX_TOTAL_FEN {
        return Err(format!("{text:?} is over the cap of 100000000.00"));
    }
    Ok(fen)
}

/// Fen as the gateway writes yuan: `8888` → `"88.88"`.
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A payment's status as a trade's `trade_status`: `WAIT_BUYER_PAY` while open,
/// `TRADE_SUCCESS` when paid, `TRADE_CLOSED` when it failed, expired or was closed.
pub fn trade_status(status: PaymentStatus) -> &'static str {
    match status {
        PaymentStatus::Processing => "WAIT_BUYER_PAY",
        PaymentStatus::Success => "TRADE_SUCCESS",
        PaymentStatus::Fail | PaymentStatus::Cancelled => "TRADE_CLOSED",
    }
}

/// Whether `timestamp` is the gateway's `yyyy-MM-dd HH:mm:ss`.
pub fn is_gateway_timestamp(timestamp: &str) -> bool {
    let b = timestamp.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}

/// The methods the gateway answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `alipay.trade.create`
    TradeCreate,
    /// `alipay.trade.query`
    TradeQuery,
    /// `alipay.trade.close`
    TradeClose,
    /// `alipay.system.oauth.token`
    OauthToken,
}

impl Method {
    /// From the `method` parameter.
    pub fn parse(name: &str) -> Option<Method> {
        match name {
            "alipay.trade.create" => Some(Method::TradeCreate),
            "alipay.trade.query" => Some(Method::TradeQuery),
            "alipay.trade.close" => Some(Method::TradeClose),
            "alipay.system.oauth.token" => Some(Method::OauthToken),
            _ => None,
        }
    }
}

/// A user's `open_id` for one app, as `alipay.system.oauth.token` gives it: `0` and 46 hex
/// digits, the HMAC-SHA256 of (app_id, user_id) under the wallet's own key (`key`). The same
/// user has another open_id in every app, so two merchants cannot match their users by it,
/// and without the wallet's key nobody computes one: a merchant learns it from oauth.token.
pub fn open_id(key: &[u8], app_id: &str, user_id: &str) -> String {
    use std::fmt::Write as _;
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
    let mut message = Vec::with_capacity(app_id.len() + user_id.len() + 9);
    message.extend_from_slice(b"open_id\0");
    message.extend_from_slice(app_id.as_bytes());
    message.push(0);
    message.extend_from_slice(user_id.as_bytes());
    let tag = aws_lc_rs::hmac::sign(&key, &message);
    let mut out = String::from("0");
    for b in &tag.as_ref()[..23] {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_id_is_per_app_and_user_and_needs_the_key() {
        let a = open_id(b"k1", "2021004100000001", "2088000000000001");
        assert_eq!(a.len(), 47);
        assert!(a.starts_with('0') && a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(a, open_id(b"k1", "2021004100000001", "2088000000000001"));
        for other in [
            open_id(b"k1", "2021004100000002", "2088000000000001"),
            open_id(b"k1", "2021004100000001", "2088000000000002"),
            open_id(b"k2", "2021004100000001", "2088000000000001"),
            // The separator keeps (app, user) pairs apart.
            open_id(b"k1", "20210041000000012", "088000000000001"),
        ] {
            assert_ne!(a, other);
        }
    }

    #[test]
    fn yuan_parses_strictly_into_fen() {
        assert_eq!(parse_yuan("88.88"), Ok(8888));
        assert_eq!(parse_yuan("9"), Ok(900));
        assert_eq!(parse_yuan("0.5"), Ok(50));
        assert_eq!(parse_yuan("0.01"), Ok(1));
        assert_eq!(parse_yuan("100000000.00"), Ok(MAX_TOTAL_FEN));
        for bad in [
            "",
            ".5",
            "5.",
            "1.234",
            "-1",
            "+1",
            "1e3",
            " 1",
            "1 ",
            "01",
            "0",
            "0.00",
            "1,00",
            "100000000.01",
            "99999999999999999999",
            "１",
            "NaN",
        ] {
            assert!(parse_yuan(bad).is_err(), "{bad:?} must be refused");
        }
        assert!(parse_yuan("1.234").unwrap_err().contains("two decimals"));
    }

    #[test]
    fn yuan_formats_back() {
        assert_eq!(format_yuan(8888), "88.88");
        assert_eq!(format_yuan(5), "0.05");
        assert_eq!(format_yuan(MAX_TOTAL_FEN), "100000000.00");
    }

    #[test]
    fn sign_content_sorts_and_skips_sign_and_empty_values() {
        let params: BTreeMap<String, String> = [
            ("method", "alipay.trade.query"),
            ("app_id", "2021"),
            ("sign", "xyz"),
            ("sign_type", "RSA2"),
            ("notify_url", ""),
            ("biz_content", "{\"a\":1}"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            sign_content(&params),
            "app_id=2021&biz_content={\"a\":1}&method=alipay.trade.query&sign_type=RSA2"
        );
        assert_eq!(
            notify_sign_content(&params),
            "app_id=2021&biz_content={\"a\":1}&method=alipay.trade.query"
        );
    }

    #[test]
    fn statuses_and_keys() {
        assert_eq!(
            response_key("alipay.trade.create"),
            "alipay_trade_create_response"
        );
        assert_eq!(trade_status(PaymentStatus::Processing), "WAIT_BUYER_PAY");
        assert_eq!(trade_status(PaymentStatus::Success), "TRADE_SUCCESS");
        assert_eq!(trade_status(PaymentStatus::Cancelled), "TRADE_CLOSED");
        assert!(is_gateway_timestamp("2026-11-30 15:04:05"));
        assert!(!is_gateway_timestamp("2026-11-30T15:04:05"));
        assert_eq!(
            GatewayError::missing("app_id").sub_code,
            "isv.missing-app-id"
        );
    }
}
