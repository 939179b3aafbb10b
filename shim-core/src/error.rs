//! The failures a JSAPI call can end with, and their docs/protocol.md §2/§3 codes.
//!
//! The core returns [`ApiError`]; the glue turns it into the JS fail object
//! `{ error, errorMessage }` at the edge (`glue::adapter`).

/// Why a `my.*` call failed. Each variant maps to one numeric `error` code ([`ApiError::code`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Code 1: an API this simulator does not implement (`crate::jsapi`); names it.
    #[error("{name} is not supported by this simulator")]
    Unsupported {
        /// The API as the mini program called it (`scan`).
        name: String,
    },
    /// Code 2: a parameter is missing or has the wrong type or value; names the parameter.
    #[error("invalid parameter `{param}`: {reason}")]
    InvalidParameter {
        /// The option's name as the mini program wrote it (`url`, `headers.x-id`, ...).
        param: String,
        /// What was wrong with it.
        reason: String,
    },
    /// Code 3: something the shim did not expect (no DOM, a relay reply it cannot read, ...).
    #[error("unknown error: {0}")]
    Unknown(String),
    /// Code 4: the URL's domain is not in the mini program's whitelist.
    #[error("domain {domain} is not in the whitelist of this mini program")]
    DomainNotWhitelisted {
        /// `host[:port]` of the refused URL.
        domain: String,
    },
    /// Code 4: plain `http` to a host that is not loopback (real super apps require HTTPS).
    #[error("domain {domain} must be reached over https (plain http is allowed for loopback hosts only)")]
    InsecureScheme {
        /// `host[:port]` of the refused URL.
        domain: String,
    },
    /// Code 4: a `paymentUrl` outside the super app's cashier origins (`my.tradePay`).
    #[error("tradePay:fail paymentUrl origin {origin} is not the super app cashier")]
    CashierNotAllowed {
        /// The refused URL's origin.
        origin: String,
    },
    /// Code 4: an API that acts for the mini program (`my.getAuthCode`) on a page whose appId
    /// nobody set: no `data-app-id`, no runtime config, no simulator launch. Never the
    /// user-declined code 11: nobody was asked.
    #[error("{api}:fail this mini program has no appId: set data-app-id on the my.js script tag, or launch it in the simulator with /?appId=<appId>")]
    NoAppId {
        /// The API that needed it (`getAuthCode`).
        api: &'static str,
    },
    /// Code 4: the super app refused the call for this page (its relay answers only the app's
    /// registered origin); says why.
    #[error("no permission: {0}")]
    NotPermitted(String),
    /// Code 3: `my.tradePay` while another payment's cashier is still open.
    #[error("tradePay:fail another payment is in progress; wait for its result")]
    PaymentInProgress,
    /// The numeric result code: a payment outcome routed to `fail` by the
    /// `tradePayFailRouting` switch (4000, 6001, 6002); the fail object also has `resultCode`.
    #[error("{meaning}")]
    PaymentResult {
        /// The `resultCode` as a number (`6001`).
        code: u32,
        /// Its documented meaning.
        meaning: &'static str,
    },
    /// Code 11: the user declined the authorisation (`my.getAuthCode`); the fail object also
    /// carries `authErrorScopes`.
    #[error("USER_CANCEL")]
    UserCancelled,
    /// Code 9: the mini program called `abort()` on the RequestTask.
    #[error("request:fail abort")]
    Aborted,
    /// Code 12: the request never got an HTTP response (connection refused, CORS, DNS, ...).
    #[error("network error: {0}")]
    Network(String),
    /// Code 13: no complete response within `timeout` milliseconds.
    #[error("request:fail timeout")]
    Timeout,
    /// Code 14: `dataType: 'json'` and the body is not JSON.
    #[error("JSON parse data error")]
    JsonDecode,
    /// A device JSAPI's own documented code (`my.scan` cancelled: 10; `my.getLocation` with
    /// no position set: 13; an empty address book: 3), with a message saying what to set.
    #[error("{message}")]
    Device {
        /// The `error` field.
        code: u32,
        /// The `errorMessage` field.
        message: String,
    },
    /// A bounded resource is full or an input is over its cap (a downloaded file, the file
    /// store, a socket's queue): the call's own code, and a message naming the limit.
    #[error("{message}")]
    Limit {
        /// The `error` field.
        code: u32,
        /// The `errorMessage` field (names the limit).
        message: String,
    },
    /// Code 19: HTTP status ≥ 400 while `httpErrorAsFail` is on.
    #[error("http status error")]
    HttpStatus {
        /// The HTTP status that arrived.
        status: u16,
    },
}

impl ApiError {
    /// The numeric `error` field of the fail object.
    pub fn code(&self) -> u32 {
        match self {
            ApiError::Unsupported { .. } => 1,
            ApiError::InvalidParameter { .. } => 2,
            ApiError::Unknown(_) | ApiError::PaymentInProgress => 3,
            ApiError::DomainNotWhitelisted { .. }
            | ApiError::InsecureScheme { .. }
            | ApiError::CashierNotAllowed { .. }
            | ApiError::NoAppId { .. }
            | ApiError::NotPermitted(_) => 4,
            ApiError::PaymentResult { code, .. } => *code,
            ApiError::Aborted => 9,
            ApiError::Network(_) => 12,
            ApiError::UserCancelled => 11,
            ApiError::Timeout => 13,
            ApiError::JsonDecode => 14,
            ApiError::HttpStatus { .. } => 19,
            ApiError::Device { code, .. } | ApiError::Limit { code, .. } => *code,
        }
    }

    /// Shorthand for [`ApiError::InvalidParameter`].
    pub fn invalid(param: impl Into<String>, reason: impl Into<String>) -> Self {
        ApiError::InvalidParameter {
            param: param.into(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_has_its_spec_code_and_message() {
        let cases: &[(ApiError, u32, &str)] = &[
            (
                ApiError::invalid("url", "is required"),
                2,
                "invalid parameter `url`: is required",
            ),
            (ApiError::Unknown("x".into()), 3, "unknown error: x"),
            (
                ApiError::DomainNotWhitelisted {
                    domain: "evil.example:8443".into(),
                },
                4,
                "domain evil.example:8443 is not in the whitelist of this mini program",
            ),
            (
                ApiError::InsecureScheme {
                    domain: "example.com".into(),
                },
                4,
                "domain example.com must be reached over https (plain http is allowed for loopback hosts only)",
            ),
            (
                ApiError::CashierNotAllowed {
                    origin: "http://evil.example".into(),
                },
                4,
                "tradePay:fail paymentUrl origin http://evil.example is not the super app cashier",
            ),
            (
                ApiError::NoAppId { api: "getAuthCode" },
                4,
                "getAuthCode:fail this mini program has no appId: set data-app-id on the my.js script tag, or launch it in the simulator with /?appId=<appId>",
            ),
            (
                ApiError::NotPermitted("not the registered origin".into()),
                4,
                "no permission: not the registered origin",
            ),
            (
                ApiError::PaymentInProgress,
                3,
                "tradePay:fail another payment is in progress; wait for its result",
            ),
            (
                ApiError::PaymentResult {
                    code: 6001,
                    meaning: "User cancels to pay.",
                },
                6001,
                "User cancels to pay.",
            ),
            (ApiError::UserCancelled, 11, "USER_CANCEL"),
            (ApiError::Aborted, 9, "request:fail abort"),
            (ApiError::Network("refused".into()), 12, "network error: refused"),
            (ApiError::Timeout, 13, "request:fail timeout"),
            (ApiError::JsonDecode, 14, "JSON parse data error"),
            (ApiError::HttpStatus { status: 404 }, 19, "http status error"),
        ];
        for (error, code, message) in cases {
            assert_eq!(error.code(), *code, "{error:?}");
            assert_eq!(error.to_string(), *message, "{error:?}");
        }
    }
}
