//! The WebSocket JSAPIs without the browser (`my.connectSocket`, `sendSocketMessage`,
//! `closeSocket`, the SocketTask): URL and option rules, the whitelist decision, close codes and
//! the bounded queue of messages sent before the connection opens (DESIGN.md "Sockets").
//!
//! A socket URL is checked against the same domain whitelist as `my.request`: `wss://` as
//! `https://` and `ws://` as `http://` (the same default ports), so `chat.example.com` or
//! `https://chat.example.com` lets `wss://chat.example.com` through; plain `ws` only to a
//! loopback host.

use std::collections::VecDeque;

use miniprogram_policy::Origin;

use crate::config::Config;
use crate::error::ApiError;

/// Messages waiting to be sent (before the connection opens, or in the browser's send buffer)
/// may hold at most this many bytes: 1 MiB.
pub const MAX_PENDING_BYTES: usize = 1024 * 1024;
/// At most this many messages wait for the connection to open.
pub const MAX_QUEUED_MESSAGES: usize = 64;
/// At most this many sockets open at once (SocketTasks and the global one).
pub const MAX_SOCKETS: usize = 16;
/// At most this many `protocols`.
pub const MAX_PROTOCOLS: usize = 16;

/// `connectSocket`'s options as read from JS.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SocketInput {
    /// `url`.
    pub url: Option<String>,
    /// `protocols`.
    pub protocols: Vec<String>,
}

/// A connection that may be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSocket {
    /// The `ws(s)://` URL as given (trimmed), with `data` appended by the glue.
    pub url: String,
    /// `host[:port]`, for messages.
    pub domain: String,
    /// Subprotocols to offer.
    pub protocols: Vec<String>,
}

impl SocketInput {
    /// Error 2 naming the option; error 4 for a domain outside the whitelist or plain `ws` to
    /// a host that is not loopback.
    pub fn validate_for(self, config: &Config) -> Result<ValidSocket, ApiError> {
        let url = self
            .url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .ok_or_else(|| ApiError::invalid("url", "is required (a ws:// or wss:// URL)"))?;
        let (secure, rest) = match url.split_once("://") {
            Some((s, rest)) if s.eq_ignore_ascii_case("wss") => (true, rest),
            Some((s, rest)) if s.eq_ignore_ascii_case("ws") => (false, rest),
            _ => {
                return Err(ApiError::invalid(
                    "url",
                    format!("must be a ws:// or wss:// URL: {url:?}"),
                ))
            }
        };
        let as_http = format!("{}://{rest}", if secure { "https" } else { "http" });
        let origin = Origin::parse_url(&as_http)
            .map_err(|reason| ApiError::invalid("url", format!("{reason}: {url:?}")))?;
        let domain = origin.domain();
        for (i, p) in self.protocols.iter().enumerate() {
            let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
            if p.is_empty() || !p.bytes().all(token) {
                return Err(ApiError::invalid(
                    format!("protocols[{i}]"),
                    "is not a protocol name (an HTTP token)",
                ));
            }
        }
        if self.protocols.len() > MAX_PROTOCOLS {
            return Err(ApiError::invalid(
                "protocols",
                format!("has more than {MAX_PROTOCOLS} entries"),
            ));
        }
        let url_check = crate::url::RequestUrl::parse(&as_http)?;
        match config.whitelist.check(&url_check) {
            Ok(()) => {}
            Err(ApiError::InsecureScheme { domain }) => {
                return Err(ApiError::NotPermitted(format!(
                    "domain {domain} must be reached over wss (plain ws is allowed for loopback hosts only)"
                )))
            }
            Err(e) => return Err(e),
        }
        Ok(ValidSocket {
            url: url.to_owned(),
            domain,
            protocols: self.protocols,
        })
    }
}

/// `closeSocket`'s `code`: 1000 (the default) or 3000–4999, the codes a page may send.
pub fn close_code(code: Option<f64>) -> Result<u16, ApiError> {
    match code {
        None => Ok(1000),
        Some(c) if c == 1000.0 || (3000.0..=4999.0).contains(&c) && c.fract() == 0.0 => {
            Ok(c as u16)
        }
        Some(_) => Err(ApiError::invalid(
            "code",
            "must be 1000 or a number from 3000 to 4999",
        )),
    }
}

/// `closeSocket`'s `reason`: at most 123 bytes of UTF-8.
pub fn close_reason(reason: Option<String>) -> Result<String, ApiError> {
    let reason = reason.unwrap_or_default();
    if reason.len() > 123 {
        return Err(ApiError::invalid(
            "reason",
            format!("is {} bytes of UTF-8; at most 123", reason.len()),
        ));
    }
    Ok(reason)
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    /// A text frame.
    Text(String),
    /// A binary frame (`isBuffer: true` with base64 `data`, or an ArrayBuffer).
    Binary(Vec<u8>),
}

impl Outgoing {
    /// Its size in bytes.
    pub fn len(&self) -> usize {
        match self {
            Outgoing::Text(t) => t.len(),
            Outgoing::Binary(b) => b.len(),
        }
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `sendSocketMessage`'s `data` with `isBuffer`: base64 decoded to bytes, or the text itself.
pub fn outgoing(data: Option<String>, is_buffer: bool) -> Result<Outgoing, ApiError> {
    let data = data.ok_or_else(|| ApiError::invalid("data", "is required (a string)"))?;
    if is_buffer {
        crate::encoding::base64_decode(&data)
            .map(Outgoing::Binary)
            .ok_or_else(|| ApiError::invalid("data", "is not base64 while isBuffer is true"))
    } else {
        Ok(Outgoing::Text(data))
    }
}

/// Refuses a message that would make what waits to be sent exceed [`MAX_PENDING_BYTES`]:
/// error 12 naming the limit. `pending` is what already waits (the queue, or the browser's
/// `bufferedAmount`).
pub fn check_pending(pending: usize, message: usize) -> Result<(), ApiError> {
    if pending.saturating_add(message) > MAX_PENDING_BYTES {
        return Err(ApiError::Limit {
            code: 12,
            message: format!(
                "sendSocketMessage:fail {message} more bytes would bring the socket's unsent messages to {} bytes; the limit is {MAX_PENDING_BYTES} (1 MiB)",
                pending.saturating_add(message)
            ),
        });
    }
    Ok(())
}

/// Messages sent while the connection is opening, flushed in order when it opens; bounded by
/// [`MAX_QUEUED_MESSAGES`] and [`MAX_PENDING_BYTES`].
#[derive(Debug, Default)]
pub struct SendQueue {
    messages: VecDeque<Outgoing>,
    bytes: usize,
}

impl SendQueue {
    /// Queues `message`, or refuses it with error 12 naming the limit it would pass.
    pub fn push(&mut self, message: Outgoing) -> Result<(), ApiError> {
        if self.messages.len() >= MAX_QUEUED_MESSAGES {
            return Err(ApiError::Limit {
                code: 12,
                message: format!(
                    "sendSocketMessage:fail {MAX_QUEUED_MESSAGES} messages already wait for the socket to open, the limit"
                ),
            });
        }
        check_pending(self.bytes, message.len())?;
        self.bytes += message.len();
        self.messages.push_back(message);
        Ok(())
    }

    /// Takes every queued message, oldest first.
    pub fn drain(&mut self) -> Vec<Outgoing> {
        self.bytes = 0;
        self.messages.drain(..).collect()
    }

    /// Messages waiting.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(entries: &[&str]) -> Config {
        let mut config = Config::default();
        config
            .apply(crate::config::ConfigPatch {
                whitelist: Some(entries.iter().map(|e| (*e).to_owned()).collect()),
                ..Default::default()
            })
            .expect("whitelist");
        config
    }

    fn input(url: &str) -> SocketInput {
        SocketInput {
            url: Some(url.into()),
            protocols: vec![],
        }
    }

    #[test]
    fn socket_urls_are_checked_against_the_request_whitelist() {
        let wl = config(&[
            "127.0.0.1:8791",
            "chat.example.com",
            "https://secure.example.com",
        ]);
        for ok in [
            "ws://127.0.0.1:8791/ws",
            "WSS://chat.example.com/live",
            "wss://secure.example.com",
        ] {
            assert!(input(ok).validate_for(&wl).is_ok(), "{ok}");
        }
        let cases = [
            ("ws://127.0.0.1:9999/ws", 4, "127.0.0.1:9999"),
            ("wss://evil.example.com/", 4, "evil.example.com"),
            ("ws://chat.example.com/", 4, "must be reached over wss"),
            ("ws://secure.example.com/", 4, "secure.example.com"),
            ("http://127.0.0.1:8791/", 2, "ws:// or wss://"),
            ("wss://", 2, "url"),
        ];
        for (url, code, text) in cases {
            let err = input(url).validate_for(&wl).unwrap_err();
            assert_eq!(err.code(), code, "{url}: {err}");
            assert!(err.to_string().contains(text), "{url}: {err}");
        }
        let err = SocketInput::default().validate_for(&wl).unwrap_err();
        assert!(matches!(err, ApiError::InvalidParameter { ref param, .. } if param == "url"));
    }

    #[test]
    fn protocols_must_be_tokens() {
        let wl = config(&["*"]);
        let bad = SocketInput {
            url: Some("ws://localhost/".into()),
            protocols: vec!["chat".into(), "a b".into()],
        };
        match bad.validate_for(&wl) {
            Err(ApiError::InvalidParameter { param, .. }) => assert_eq!(param, "protocols[1]"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn close_codes_and_reasons_are_the_ones_a_page_may_send() {
        assert_eq!(close_code(None), Ok(1000));
        assert_eq!(close_code(Some(4001.0)), Ok(4001));
        for bad in [999.0, 1001.0, 2999.0, 5000.0, 3000.5, f64::NAN] {
            assert!(close_code(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(close_reason(None), Ok(String::new()));
        assert!(close_reason(Some("é".repeat(61))).is_ok());
        assert!(close_reason(Some("é".repeat(62))).is_err());
    }

    #[test]
    fn is_buffer_data_is_base64() {
        assert_eq!(
            outgoing(Some("aGk=".into()), true),
            Ok(Outgoing::Binary(b"hi".to_vec()))
        );
        assert_eq!(
            outgoing(Some("aGk=".into()), false),
            Ok(Outgoing::Text("aGk=".into()))
        );
        assert_eq!(outgoing(Some("!!".into()), true).unwrap_err().code(), 2);
        assert_eq!(outgoing(None, false).unwrap_err().code(), 2);
    }

    #[test]
    fn the_queue_before_open_is_bounded_in_messages_and_bytes() {
        let mut q = SendQueue::default();
        for i in 0..MAX_QUEUED_MESSAGES {
            q.push(Outgoing::Text(i.to_string())).expect("room");
        }
        let err = q.push(Outgoing::Text("x".into())).unwrap_err();
        assert_eq!(err.code(), 12);
        assert!(err.to_string().contains("64 messages"), "{err}");
        assert_eq!(q.drain().len(), MAX_QUEUED_MESSAGES);
        assert!(q.is_empty());

        q.push(Outgoing::Binary(vec![0; MAX_PENDING_BYTES]))
            .expect("exactly the cap");
        let err = q.push(Outgoing::Text("x".into())).unwrap_err();
        assert!(err.to_string().contains("1048576"), "{err}");
        assert_eq!(q.len(), 1);
    }
}
