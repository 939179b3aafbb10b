//! `my.tradePay` (docs/protocol.md §4): what the mini program asked to pay, and the `resultCode` of each
//! way a cashier can end. This is the one place where a `resultCode` is decided.
//!
//! The cashier page (super app origin) reports an [`Outcome`]; [`Outcome::result_code`] maps it,
//! and [`ResultCode::goes_to_fail`] applies the optional routing switch some super apps use.

use crate::error::ApiError;
use crate::url::RequestUrl;

/// Longest `tradeNO` docs/protocol.md §4 allows.
pub const MAX_TRADE_NO_LEN: usize = 64;

/// The one payment reference a `tradePay` call carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentTarget {
    /// The cashier URL the super app server returned from `pay` (`redirectActionForm.redirectUrl`).
    PaymentUrl(String),
    /// A trade number (≤ 64 characters).
    TradeNo(String),
    /// A signed order string.
    OrderStr(String),
}

impl PaymentTarget {
    /// Picks exactly one of `paymentUrl`, `tradeNO` and `orderStr`; none or several is error 2.
    pub fn from_options(
        payment_url: Option<String>,
        trade_no: Option<String>,
        order_str: Option<String>,
    ) -> Result<Self, ApiError> {
        let given: Vec<&str> = [
            ("paymentUrl", &payment_url),
            ("tradeNO", &trade_no),
            ("orderStr", &order_str),
        ]
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(name, _)| *name)
        .collect();
        match given.len() {
            0 => {
                return Err(ApiError::invalid(
                    "paymentUrl",
                    "is required (pass exactly one of paymentUrl, tradeNO, orderStr)",
                ))
            }
            1 => {}
            _ => {
                return Err(ApiError::invalid(
                    given.join("/"),
                    "pass exactly one of paymentUrl, tradeNO, orderStr",
                ))
            }
        }
        if let Some(url) = payment_url {
            if url.trim().is_empty() {
                return Err(ApiError::invalid("paymentUrl", "must not be empty"));
            }
            return Ok(PaymentTarget::PaymentUrl(url));
        }
        if let Some(trade_no) = trade_no {
            if trade_no.is_empty() || trade_no.chars().count() > MAX_TRADE_NO_LEN {
                return Err(ApiError::invalid(
                    "tradeNO",
                    format!("must be 1 to {MAX_TRADE_NO_LEN} characters"),
                ));
            }
            return Ok(PaymentTarget::TradeNo(trade_no));
        }
        match order_str {
            Some(s) if !s.is_empty() => Ok(PaymentTarget::OrderStr(s)),
            _ => Err(ApiError::invalid("orderStr", "must not be empty")),
        }
    }
}

/// A `paymentUrl` checked against the super app's cashier origins: the only pages `tradePay`
/// opens and the only origins whose result it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashierUrl {
    /// The URL to open, as given.
    pub href: String,
    /// `scheme://host[:port]` (default ports omitted), as `MessageEvent.origin` spells it.
    pub origin: String,
    /// The payment the URL opens (`paymentId` query parameter); a result must name it.
    pub payment_id: String,
}

impl CashierUrl {
    /// Accepts only an absolute `http(s)` URL whose origin is one of `cashier_origins`
    /// (error 4 otherwise) and that names a `paymentId` (error 2). `javascript:`, `data:` and
    /// relative URLs are error 2 and open nothing.
    pub fn parse(payment_url: &str, cashier_origins: &[String]) -> Result<Self, ApiError> {
        let url = RequestUrl::parse(payment_url).map_err(|e| match e {
            ApiError::InvalidParameter { reason, .. } => ApiError::invalid("paymentUrl", reason),
            other => other,
        })?;
        let origin = origin_of(&url);
        let allowed = cashier_origins
            .iter()
            .filter_map(|o| RequestUrl::parse(o).ok())
            .any(|o| origin_of(&o) == origin);
        if !allowed {
            return Err(ApiError::CashierNotAllowed { origin });
        }
        let payment_id = query_param(&url.href, "paymentId")
            .filter(|id| !id.is_empty())
            .ok_or_else(|| ApiError::invalid("paymentUrl", "has no paymentId parameter"))?;
        Ok(CashierUrl {
            href: url.href,
            origin,
            payment_id,
        })
    }
}

/// `scheme://host[:port]` with the default port left out, the way browsers serialise origins.
fn origin_of(url: &RequestUrl) -> String {
    let (scheme, host) = (url.origin.scheme, &url.origin.host);
    match url.effective_port() {
        port if port == scheme.default_port() => format!("{}://{host}", scheme.as_str()),
        port => format!("{}://{host}:{port}", scheme.as_str()),
    }
}

/// The first value of `name` in the URL's query, percent-decoded (`+` stays `+`).
fn query_param(href: &str, name: &str) -> Option<String> {
    let query = href.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or("");
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then(|| percent_decode(value))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push(((hex(h).unwrap_or(0) << 4) | hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// How a cashier ended, as the cashier page (or the shell, or the overlay) reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The super app server confirmed the payment.
    Paid,
    /// Confirmed, still processing (bank transfer and the like).
    Pending,
    /// Declined, expired or otherwise failed.
    Failed,
    /// The user closed the cashier or tapped Cancel.
    Cancelled,
    /// The confirm never reached the super app server.
    NetworkError,
    /// The confirm was sent and its answer was lost: it may have gone through.
    Unknown,
}

impl Outcome {
    /// Parses the `outcome` field of a cashier message; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "paid" => Outcome::Paid,
            "pending" => Outcome::Pending,
            "failed" => Outcome::Failed,
            "cancelled" => Outcome::Cancelled,
            "network_error" => Outcome::NetworkError,
            "unknown" => Outcome::Unknown,
            _ => return None,
        })
    }

    /// The `resultCode` the mini program gets for this outcome (docs/protocol.md §4 table).
    pub fn result_code(self) -> ResultCode {
        match self {
            Outcome::Paid => ResultCode::Success,
            Outcome::Pending => ResultCode::Processing,
            Outcome::Failed => ResultCode::Failed,
            Outcome::Cancelled => ResultCode::Cancelled,
            Outcome::NetworkError => ResultCode::NetworkError,
            Outcome::Unknown => ResultCode::Unknown,
        }
    }
}

/// `resultCode` of `my.tradePay` (sent to the mini program as a string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultCode {
    /// `9000` Payment is successful.
    Success,
    /// `8000` Trade is processing.
    Processing,
    /// `4000` Payment is failed.
    Failed,
    /// `6001` User cancels to pay.
    Cancelled,
    /// `6002` Network exception.
    NetworkError,
    /// `6004` Unknown pay result, may be success.
    Unknown,
}

impl ResultCode {
    /// The code as the mini program sees it: a string such as `"9000"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResultCode::Success => "9000",
            ResultCode::Processing => "8000",
            ResultCode::Failed => "4000",
            ResultCode::Cancelled => "6001",
            ResultCode::NetworkError => "6002",
            ResultCode::Unknown => "6004",
        }
    }

    /// The documented meaning, sent along as `memo`.
    pub fn meaning(self) -> &'static str {
        match self {
            ResultCode::Success => "Payment is successful.",
            ResultCode::Processing => "Trade is processing.",
            ResultCode::Failed => "Payment is failed.",
            ResultCode::Cancelled => "User cancels to pay.",
            ResultCode::NetworkError => "Network exception.",
            ResultCode::Unknown => "Unknown pay result, may be success.",
        }
    }

    /// Whether this code goes to `fail` rather than `success`. Every outcome goes to `success`
    /// by default (docs/protocol.md §4); with `fail_routing` on, 4000/6001/6002 go to `fail({ resultCode })`.
    pub fn goes_to_fail(self, fail_routing: bool) -> bool {
        fail_routing
            && matches!(
                self,
                ResultCode::Failed | ResultCode::Cancelled | ResultCode::NetworkError
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn accepts_payment_urls_only_from_the_cashier_origins() {
        let origins = vec![
            "http://127.0.0.1:8700".to_string(),
            "https://pay.example".to_string(),
        ];
        let ok = [
            (
                "http://127.0.0.1:8700/cashier/?paymentId=P1&token=t",
                "http://127.0.0.1:8700",
                "P1",
            ),
            (
                "HTTP://127.0.0.1:8700/cashier/?token=t&paymentId=P%2D2",
                "http://127.0.0.1:8700",
                "P-2",
            ),
            (
                "https://pay.example:443/cashier/?paymentId=P3#x",
                "https://pay.example",
                "P3",
            ),
        ];
        for (url, origin, id) in ok {
            let cashier = CashierUrl::parse(url, &origins).expect(url);
            assert_eq!(
                (cashier.origin.as_str(), cashier.payment_id.as_str()),
                (origin, id),
                "{url}"
            );
        }
        let refused: &[(&str, u32, &str)] = &[
            ("javascript:alert(1)", 2, "paymentUrl"),
            ("data:text/html,<b>x</b>", 2, "paymentUrl"),
            ("/cashier/?paymentId=P1", 2, "paymentUrl"),
            (
                "http://127.0.0.1:8701/cashier/?paymentId=P1",
                4,
                "http://127.0.0.1:8701",
            ),
            (
                "https://127.0.0.1:8700/cashier/?paymentId=P1",
                4,
                "https://127.0.0.1:8700",
            ),
            (
                "http://evil.example/cashier/?paymentId=P1",
                4,
                "http://evil.example",
            ),
            ("http://127.0.0.1:8700/cashier/?token=t", 2, "paymentId"),
            ("http://127.0.0.1:8700/cashier/?paymentId=", 2, "paymentId"),
        ];
        for (url, code, named) in refused {
            let err = CashierUrl::parse(url, &origins).expect_err(url);
            assert_eq!(err.code(), *code, "{url}: {err}");
            assert!(err.to_string().contains(named), "{url}: {err}");
        }
        let err = CashierUrl::parse("http://127.0.0.1:8700/cashier/?paymentId=P1", &[])
            .expect_err("no origins");
        assert_eq!(err.code(), 4);
    }

    #[test]
    fn each_outcome_has_its_spec_result_code() {
        let table = [
            ("paid", "9000"),
            ("pending", "8000"),
            ("failed", "4000"),
            ("cancelled", "6001"),
            ("network_error", "6002"),
            ("unknown", "6004"),
        ];
        for (outcome, code) in table {
            let parsed = Outcome::parse(outcome).expect(outcome);
            assert_eq!(parsed.result_code().as_str(), code, "{outcome}");
        }
    }

    #[test]
    fn rejects_unknown_outcomes() {
        for text in ["", "PAID", "success", "9000", "paid "] {
            assert_eq!(Outcome::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn fail_routing_is_off_by_default_and_moves_only_4000_6001_6002() {
        let all = [
            ResultCode::Success,
            ResultCode::Processing,
            ResultCode::Failed,
            ResultCode::Cancelled,
            ResultCode::NetworkError,
            ResultCode::Unknown,
        ];
        for code in all {
            assert!(
                !code.goes_to_fail(false),
                "{code:?} must go to success by default"
            );
        }
        let routed: Vec<&str> = all
            .iter()
            .filter(|c| c.goes_to_fail(true))
            .map(|c| c.as_str())
            .collect();
        assert_eq!(routed, ["4000", "6001", "6002"]);
    }

    #[test]
    fn takes_exactly_one_payment_reference() {
        type Case = (
            Option<String>,
            Option<String>,
            Option<String>,
            Result<PaymentTarget, &'static str>,
        );
        let long = "x".repeat(65);
        let cases: Vec<Case> = vec![
            (s("http://a/cashier/?paymentId=1"), None, None, Ok(PaymentTarget::PaymentUrl("http://a/cashier/?paymentId=1".into()))),
            (None, s("T1"), None, Ok(PaymentTarget::TradeNo("T1".into()))),
            (None, None, s("o=1"), Ok(PaymentTarget::OrderStr("o=1".into()))),
            (None, None, None, Err("invalid parameter `paymentUrl`: is required (pass exactly one of paymentUrl, tradeNO, orderStr)")),
            (s("u"), s("t"), None, Err("invalid parameter `paymentUrl/tradeNO`: pass exactly one of paymentUrl, tradeNO, orderStr")),
            (s("u"), s("t"), s("o"), Err("invalid parameter `paymentUrl/tradeNO/orderStr`: pass exactly one of paymentUrl, tradeNO, orderStr")),
            (s("  "), None, None, Err("invalid parameter `paymentUrl`: must not be empty")),
            (None, Some(long), None, Err("invalid parameter `tradeNO`: must be 1 to 64 characters")),
            (None, s(""), None, Err("invalid parameter `tradeNO`: must be 1 to 64 characters")),
        ];
        for (url, trade_no, order_str, expected) in cases {
            let got = PaymentTarget::from_options(url.clone(), trade_no.clone(), order_str.clone());
            match expected {
                Ok(target) => assert_eq!(got, Ok(target)),
                Err(message) => {
                    let err = got.expect_err(message);
                    assert_eq!(err.code(), 2);
                    assert_eq!(err.to_string(), message);
                }
            }
        }
    }
}
