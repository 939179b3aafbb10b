//! `my.request` without the browser: option validation, the body/query encoding decision
//! and the response rules of docs/protocol.md §3.
//!
//! The glue reads the JS options object into a [`RequestInput`]; [`RequestInput::validate`]
//! turns it into a [`ValidRequest`] or the fail code the mini program must see.

use crate::config::Config;
use crate::encoding::Quoted;
use crate::error::ApiError;
use crate::url::RequestUrl;

/// Timeout when the mini program gives none (ms).
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;
/// Largest accepted `timeout` (ms); larger values are error 2.
pub const MAX_TIMEOUT_MS: u32 = 60_000;
/// The `content-type` sent when the mini program sets none.
pub const DEFAULT_CONTENT_TYPE: &str = "application/json";

/// The HTTP methods docs/protocol.md §3 allows. The direct transport passes the first six to
/// JS by their place in this order (`METHODS` in src/glue/hot.js).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET` (the default).
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `DELETE`.
    Delete,
    /// `OPTIONS`.
    Options,
    /// `HEAD`.
    Head,
    /// `TRACE` (browsers' `fetch` refuses it; only the relay can send it).
    Trace,
    /// `CONNECT` (browsers' `fetch` refuses it; only the relay can send it).
    Connect,
}

impl Method {
    /// Parses a method name, case-insensitively.
    pub fn parse(name: &str) -> Option<Self> {
        const ALL: [(&str, Method); 8] = [
            ("GET", Method::Get),
            ("POST", Method::Post),
            ("PUT", Method::Put),
            ("DELETE", Method::Delete),
            ("OPTIONS", Method::Options),
            ("HEAD", Method::Head),
            ("TRACE", Method::Trace),
            ("CONNECT", Method::Connect),
        ];
        ALL.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, m)| *m)
    }

    /// The upper-case name sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Trace => "TRACE",
            Method::Connect => "CONNECT",
        }
    }

    /// `GET` and `HEAD` carry no body: their `data` goes to the query string.
    pub fn data_goes_to_query(self) -> bool {
        matches!(self, Method::Get | Method::Head)
    }

    /// Methods the Fetch standard forbids; in `direct` transport they fail with error 12.
    pub fn forbidden_by_fetch(self) -> bool {
        matches!(self, Method::Trace | Method::Connect)
    }
}

/// How the response body is handed to `success` (`dataType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    /// Parsed JSON (default); an invalid body is error 14; an empty body gives `""`.
    Json,
    /// The body as a string.
    Text,
    /// The body's bytes as standard base64.
    Base64,
    /// The body as an `ArrayBuffer`.
    ArrayBuffer,
}

impl DataType {
    /// Parses `dataType`; the four names are case-insensitive.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "json" => Some(DataType::Json),
            "text" => Some(DataType::Text),
            "base64" => Some(DataType::Base64),
            "arraybuffer" => Some(DataType::ArrayBuffer),
            _ => None,
        }
    }
}

/// What kind of value `data` holds (the glue keeps the value itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataKind {
    /// No `data` (absent, `undefined` or `null`).
    Absent,
    /// A string: sent as is.
    Text,
    /// An `ArrayBuffer` or typed array: sent as is.
    Binary,
    /// A plain object: encoded per method and content type.
    Object,
}

/// Where and how `data` is sent (docs/protocol.md §3 "Encoding of data").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Nothing to send.
    Nothing,
    /// `encodeURIComponent(k)=encodeURIComponent(v)&…` appended to the URL (GET/HEAD object).
    QueryFromObject,
    /// The string appended to the URL's query as is (GET/HEAD string).
    QueryAsIs,
    /// Body: `JSON.stringify(data)`.
    JsonBody,
    /// Body: `k=v&…`, percent-encoded like a query.
    FormBody,
    /// Body: the string or bytes as given.
    RawBody,
}

/// The options as read from JS, before validation. `None` means "not given".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestInput {
    /// `url`.
    pub url: Option<String>,
    /// `method`.
    pub method: Option<String>,
    /// `headers` (or its alias `header`), names as given, in order.
    pub headers: Vec<(String, String)>,
    /// The kind of `data`.
    pub data: Option<DataKind>,
    /// `timeout` in ms, as the JS number given.
    pub timeout: Option<f64>,
    /// `dataType`.
    pub data_type: Option<String>,
    /// `enableCookie`.
    pub enable_cookie: bool,
    /// Per-call `httpErrorAsFail` (overrides the configured default).
    pub http_error_as_fail: Option<bool>,
}

/// A request that passed validation: everything the transport needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRequest {
    /// Where it goes.
    pub url: RequestUrl,
    /// The method.
    pub method: Method,
    /// Headers to send; includes `content-type` (default [`DEFAULT_CONTENT_TYPE`]).
    pub headers: Vec<(String, String)>,
    /// How `data` is sent.
    pub encoding: Encoding,
    /// Timeout in ms, 1..=[`MAX_TIMEOUT_MS`].
    pub timeout_ms: u32,
    /// How the body is returned.
    pub data_type: DataType,
    /// Whether cookies are sent and stored (`credentials: 'include'`).
    pub enable_cookie: bool,
    /// Whether HTTP status ≥ 400 fails with error 19.
    pub http_error_as_fail: bool,
}

impl RequestInput {
    /// What `my.request` checks before sending: the options ([`RequestInput::validate`],
    /// error 2) with the configured `httpErrorAsFail`, then the URL against the configured
    /// whitelist (error 4 naming the domain).
    pub fn validate_for(self, config: &Config) -> Result<ValidRequest, ApiError> {
        let valid = self.validate(config.http_error_as_fail)?;
        config.whitelist.check(&valid.url)?;
        Ok(valid)
    }

    /// Validates the options (docs/protocol.md §3 error 2 cases). `http_error_as_fail_default` is the
    /// configured switch, used when the call does not set `httpErrorAsFail` itself.
    pub fn validate(self, http_error_as_fail_default: bool) -> Result<ValidRequest, ApiError> {
        let url = match self.url.as_deref() {
            None => return Err(ApiError::invalid("url", "is required")),
            Some(u) => RequestUrl::parse(u)?,
        };
        let method = match self.method.as_deref() {
            None => Method::Get,
            Some(m) => Method::parse(m).ok_or_else(|| {
                ApiError::invalid(
                    "method",
                    format!(
                        "{} is not one of GET POST PUT DELETE OPTIONS HEAD TRACE CONNECT",
                        Quoted(m)
                    ),
                )
            })?,
        };
        let timeout_ms = match self.timeout {
            None => DEFAULT_TIMEOUT_MS,
            Some(t) if t.is_finite() && t > 0.0 && t <= f64::from(MAX_TIMEOUT_MS) => {
                t.ceil() as u32
            }
            Some(_) => {
                return Err(ApiError::invalid(
                    "timeout",
                    format!("must be a number of milliseconds in 1..={MAX_TIMEOUT_MS}"),
                ))
            }
        };
        let data_type = match self.data_type.as_deref() {
            None => DataType::Json,
            Some(d) => DataType::parse(d).ok_or_else(|| {
                ApiError::invalid(
                    "dataType",
                    format!(
                        "{} is not one of json, text, base64, arraybuffer",
                        Quoted(d)
                    ),
                )
            })?,
        };
        let mut headers = self.headers;
        for (name, value) in &headers {
            if name.is_empty() || !name.bytes().all(is_token_byte) {
                return Err(ApiError::invalid(
                    format!("headers.{name}"),
                    "is not a valid header name",
                ));
            }
            if value.contains(['\r', '\n', '\0']) {
                return Err(ApiError::invalid(
                    format!("headers.{name}"),
                    "must not contain CR, LF or NUL",
                ));
            }
        }
        if content_type(&headers).is_none() {
            headers.push(("content-type".to_owned(), DEFAULT_CONTENT_TYPE.to_owned()));
        }
        let encoding = encoding_for(
            method,
            content_type(&headers).unwrap_or_default(),
            self.data,
        )?;
        Ok(ValidRequest {
            url,
            method,
            headers,
            encoding,
            timeout_ms,
            data_type,
            enable_cookie: self.enable_cookie,
            http_error_as_fail: self
                .http_error_as_fail
                .unwrap_or(http_error_as_fail_default),
        })
    }
}

/// The value of the `content-type` header (name matched case-insensitively), if any.
pub fn content_type(headers: &[(String, String)]) -> Option<&str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str())
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Decides where `data` goes: the docs/protocol.md §3 encoding table.
pub fn encoding_for(
    method: Method,
    content_type: &str,
    data: Option<DataKind>,
) -> Result<Encoding, ApiError> {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    Ok(
        match (
            data.unwrap_or(DataKind::Absent),
            method.data_goes_to_query(),
        ) {
            (DataKind::Absent, _) => Encoding::Nothing,
            (DataKind::Object, true) => Encoding::QueryFromObject,
            (DataKind::Text, true) => Encoding::QueryAsIs,
            (DataKind::Binary, true) => {
                return Err(ApiError::invalid(
                    "data",
                    format!("an ArrayBuffer cannot be sent with {}", method.as_str()),
                ))
            }
            (DataKind::Object, false) if mime == "application/x-www-form-urlencoded" => {
                Encoding::FormBody
            }
            (DataKind::Object, false) => Encoding::JsonBody,
            (DataKind::Text | DataKind::Binary, false) => Encoding::RawBody,
        },
    )
}

/// Whether a response with `status` goes to `fail` with error 19.
pub fn is_http_error(status: u16, http_error_as_fail: bool) -> bool {
    http_error_as_fail && status >= 400
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_keep_the_order_the_direct_transport_passes_them_in() {
        // src/glue/hot.js: METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD'].
        let sendable = [
            Method::Get,
            Method::Post,
            Method::Put,
            Method::Delete,
            Method::Options,
            Method::Head,
        ];
        for (index, method) in sendable.into_iter().enumerate() {
            assert_eq!(method as usize, index, "{}", method.as_str());
            assert!(!method.forbidden_by_fetch());
        }
        assert!(Method::Trace.forbidden_by_fetch() && Method::Connect.forbidden_by_fetch());
    }

    fn input(url: &str) -> RequestInput {
        RequestInput {
            url: Some(url.into()),
            ..RequestInput::default()
        }
    }

    #[test]
    fn defaults_are_get_json_30s_and_json_content_type() {
        let req = input("https://a.example/x").validate(false).expect("valid");
        assert_eq!(req.method, Method::Get);
        assert_eq!(req.data_type, DataType::Json);
        assert_eq!(req.timeout_ms, 30_000);
        assert_eq!(req.encoding, Encoding::Nothing);
        assert_eq!(
            req.headers,
            vec![("content-type".to_owned(), "application/json".to_owned())]
        );
        assert!(!req.http_error_as_fail && !req.enable_cookie);
    }

    #[test]
    fn accepts_every_spec_method_in_any_case() {
        for name in [
            "GET", "post", "Put", "DELETE", "options", "HEAD", "TRACE", "connect",
        ] {
            let req = RequestInput {
                method: Some(name.into()),
                ..input("https://a.example/")
            }
            .validate(false)
            .expect(name);
            assert_eq!(req.method.as_str(), name.to_ascii_uppercase());
        }
    }

    #[test]
    fn invalid_options_fail_with_code_2_naming_the_parameter() {
        let cases: Vec<(RequestInput, &str)> = vec![
            (RequestInput::default(), "url"),
            (input("not a url"), "url"),
            (input("ftp://a.example/"), "url"),
            (
                RequestInput {
                    method: Some("PATCH".into()),
                    ..input("https://a/")
                },
                "method",
            ),
            (
                RequestInput {
                    method: Some("".into()),
                    ..input("https://a/")
                },
                "method",
            ),
            (
                RequestInput {
                    timeout: Some(0.0),
                    ..input("https://a/")
                },
                "timeout",
            ),
            (
                RequestInput {
                    timeout: Some(-5.0),
                    ..input("https://a/")
                },
                "timeout",
            ),
            (
                RequestInput {
                    timeout: Some(60_001.0),
                    ..input("https://a/")
                },
                "timeout",
            ),
            (
                RequestInput {
                    timeout: Some(f64::NAN),
                    ..input("https://a/")
                },
                "timeout",
            ),
            (
                RequestInput {
                    timeout: Some(f64::INFINITY),
                    ..input("https://a/")
                },
                "timeout",
            ),
            (
                RequestInput {
                    data_type: Some("xml".into()),
                    ..input("https://a/")
                },
                "dataType",
            ),
            (
                RequestInput {
                    headers: vec![("bad name".into(), "v".into())],
                    ..input("https://a/")
                },
                "headers.bad name",
            ),
            (
                RequestInput {
                    headers: vec![("x-inject".into(), "a\r\nset-cookie: x".into())],
                    ..input("https://a/")
                },
                "headers.x-inject",
            ),
            (
                RequestInput {
                    data: Some(DataKind::Binary),
                    ..input("https://a/")
                },
                "data",
            ),
        ];
        for (case, param) in cases {
            let debug = format!("{case:?}");
            match case.validate(false) {
                Err(ApiError::InvalidParameter { param: p, .. }) => assert_eq!(p, param, "{debug}"),
                other => panic!("{debug}: {other:?}"),
            }
        }
    }

    #[test]
    fn timeout_accepts_the_range_and_rounds_up() {
        for (given, expected) in [(1.0, 1), (0.2, 1), (1500.5, 1501), (60_000.0, 60_000)] {
            let req = RequestInput {
                timeout: Some(given),
                ..input("https://a/")
            }
            .validate(false)
            .expect("valid");
            assert_eq!(req.timeout_ms, expected, "{given}");
        }
    }

    #[test]
    fn data_types_parse_case_insensitively() {
        let cases = [
            ("json", DataType::Json),
            ("text", DataType::Text),
            ("base64", DataType::Base64),
            ("arraybuffer", DataType::ArrayBuffer),
            ("arrayBuffer", DataType::ArrayBuffer),
        ];
        for (name, expected) in cases {
            assert_eq!(DataType::parse(name), Some(expected), "{name}");
        }
    }

    #[test]
    fn a_given_content_type_is_kept_whatever_its_case() {
        let req = RequestInput {
            headers: vec![
                ("Content-Type".into(), "text/plain".into()),
                ("X-Id".into(), "7".into()),
            ],
            ..input("https://a/")
        }
        .validate(false)
        .expect("valid");
        assert_eq!(
            req.headers,
            vec![
                ("Content-Type".to_owned(), "text/plain".to_owned()),
                ("X-Id".to_owned(), "7".to_owned())
            ]
        );
    }

    #[test]
    fn encoding_follows_method_content_type_and_data_kind() {
        use DataKind::*;
        use Encoding::*;
        let form = "application/x-www-form-urlencoded; charset=utf-8";
        let cases: &[(Method, &str, Option<DataKind>, Encoding)] = &[
            (Method::Get, "application/json", None, Nothing),
            (Method::Get, "application/json", Some(Absent), Nothing),
            (
                Method::Get,
                "application/json",
                Some(Object),
                QueryFromObject,
            ),
            (Method::Head, form, Some(Object), QueryFromObject),
            (Method::Get, "application/json", Some(Text), QueryAsIs),
            (Method::Post, "application/json", Some(Object), JsonBody),
            (
                Method::Post,
                "Application/JSON; charset=utf-8",
                Some(Object),
                JsonBody,
            ),
            (Method::Put, form, Some(Object), FormBody),
            (
                Method::Delete,
                "application/x-www-form-urlencoded",
                Some(Object),
                FormBody,
            ),
            (Method::Post, "text/plain", Some(Object), JsonBody),
            (Method::Post, "application/json", Some(Text), RawBody),
            (Method::Post, form, Some(Text), RawBody),
            (
                Method::Put,
                "application/octet-stream",
                Some(Binary),
                RawBody,
            ),
            (Method::Options, "application/json", None, Nothing),
        ];
        for (method, ct, data, expected) in cases {
            assert_eq!(
                encoding_for(*method, ct, *data),
                Ok(*expected),
                "{method:?} {ct} {data:?}"
            );
        }
    }

    #[test]
    fn http_errors_fail_only_when_switched_on() {
        let cases = [
            (200, true, false),
            (399, true, false),
            (400, true, true),
            (404, false, false),
            (503, true, true),
        ];
        for (status, switch, expected) in cases {
            assert_eq!(is_http_error(status, switch), expected, "{status} {switch}");
        }
    }

    #[test]
    fn per_call_switch_overrides_the_configured_one() {
        let cases = [
            (None, true, true),
            (Some(false), true, false),
            (Some(true), false, true),
        ];
        for (per_call, configured, expected) in cases {
            let req = RequestInput {
                http_error_as_fail: per_call,
                ..input("https://a/")
            }
            .validate(configured)
            .expect("valid");
            assert_eq!(req.http_error_as_fail, expected);
        }
    }

    #[test]
    fn the_shared_table_of_whitelist_cases_holds_for_my_request() {
        // Through the shim's own path: the whitelist as `configure` stores it, the URL as
        // `my.request` validates it (error 2), then the whitelist check (error 4).
        use crate::config::{Config, ConfigPatch};
        use miniprogram_policy::cases::{Expect, MATCH_CASES};
        for case in MATCH_CASES {
            let mut config = Config::default();
            config
                .apply(ConfigPatch {
                    whitelist: Some(case.whitelist.iter().map(|e| e.to_string()).collect()),
                    ..ConfigPatch::default()
                })
                .unwrap_or_else(|e| panic!("{}: {e}", case.why));
            let input = RequestInput {
                url: Some(case.url.to_owned()),
                ..RequestInput::default()
            };
            let got = input.validate_for(&config);
            let what = format!("{} {:?} ({})", case.url, case.whitelist, case.why);
            match (case.expect, got) {
                (Expect::Allow, Ok(_)) => {}
                (Expect::Deny, Err(e @ ApiError::DomainNotWhitelisted { .. })) => {
                    assert_eq!(e.code(), 4, "{what}");
                    let origin = miniprogram_policy::Origin::parse_url(case.url).expect("url");
                    assert!(e.to_string().contains(&origin.domain()), "{what}: {e}");
                }
                (Expect::InvalidUrl, Err(e @ ApiError::InvalidParameter { .. })) => {
                    assert_eq!(e.code(), 2, "{what}");
                    assert!(e.to_string().contains("`url`"), "{what}: {e}");
                }
                (want, got) => panic!("{what}: wanted {want:?}, got {got:?}"),
            }
        }
    }
}
