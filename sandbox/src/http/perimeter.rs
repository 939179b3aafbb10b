//! The HTTP perimeter (DESIGN.md "Trust boundaries"), checked on every request before routing
//! ([`crate::http::serve`]):
//!
//! - **Host names** each listener answers to. A page on `attacker.example` whose DNS rebinds to
//!   127.0.0.1 reaches the sandbox with `Host: attacker.example`; it gets 421 and nothing else.
//!   Allowed: the loopback names with the listener's port, the listener's own address, the public
//!   base URL's host, and `--allowed-host` entries.
//! - **Super app origins**: the browser origins that are the super app's own pages (its public
//!   base URL, and the allowed names on the super app's port). Never "whatever `Host` says".
//! - **Header sizes**: a header line ≤ 8 KiB, all headers ≤ 32 KiB (nginx's defaults); more is
//!   431 naming the header, so nothing huge is ever echoed back.

use std::net::SocketAddr;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Request, Response, StatusCode};
use serde_json::json;

use crate::domain::host::{split_authority, AllowedHost, LOOPBACK_NAMES};

/// Longest header line (name, value, `": "` and CRLF).
pub const MAX_HEADER_LINE: usize = 8 * 1024;
/// Largest total of all header lines.
pub const MAX_HEADERS_TOTAL: usize = 32 * 1024;
/// The `Host` names one listener answers to.
#[derive(Debug, Clone)]
pub struct Hosts {
    allowed: Vec<AllowedHost>,
}

impl Hosts {
    /// The loopback names on `addr`'s port, `addr` itself (unless it is 0.0.0.0 / `[::]`), the
    /// public base URL's host (on its explicit port, else any), and `extra`.
    pub fn for_listener(addr: SocketAddr, public_base: &str, extra: &[AllowedHost]) -> Hosts {
        let port = addr.port();
        let mut allowed: Vec<AllowedHost> = LOOPBACK_NAMES
            .iter()
            .map(|h| AllowedHost::Name {
                host: h.to_string(),
                port: Some(port),
            })
            .collect();
        if !addr.ip().is_unspecified() {
            let host = match addr {
                SocketAddr::V4(a) => a.ip().to_string(),
                SocketAddr::V6(a) => format!("[{}]", a.ip()),
            };
            allowed.push(AllowedHost::Name {
                host,
                port: Some(port),
            });
        }
        if let Ok(url) = reqwest::Url::parse(public_base) {
            if let Some(host) = url.host_str() {
                allowed.push(AllowedHost::Name {
                    host: host.to_ascii_lowercase(),
                    port: url.port(),
                });
            }
        }
        allowed.extend(extra.iter().cloned());
        allowed.dedup();
        Hosts { allowed }
    }

    /// Whether a `Host` value (or a request URI's authority) names this listener. Without a
    /// port it means 80 (the sandbox speaks plain http).
    pub fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = split_authority(host.trim()) else {
            return self.allowed.contains(&AllowedHost::Any);
        };
        let port = port.unwrap_or(80);
        self.allowed.iter().any(|a| a.matches(&name, port))
    }

    /// The allowed names, for messages.
    pub fn describe(&self) -> String {
        self.allowed
            .iter()
            .map(|a| match a {
                AllowedHost::Name { port: None, host } => format!("{host}:*"),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The browser origins of the super app's own pages: the public base URL's origin, and
/// `http://<name>:<super app port>` for the loopback names and every `--allowed-host` name.
/// A mini program's origin (another port) is never one of them, whatever its `Host`.
pub fn super_app_origins(
    public_base: &str,
    superapp_port: u16,
    extra: &[AllowedHost],
) -> Vec<String> {
    let mut origins = Vec::new();
    origins.extend(crate::domain::identity::origin_of(public_base));
    let names = LOOPBACK_NAMES
        .iter()
        .map(|h| h.to_string())
        .chain(extra.iter().filter_map(|a| match a {
            AllowedHost::Name { host, .. } => Some(host.clone()),
            AllowedHost::Any => None,
        }));
    for name in names {
        let origin = format!("http://{name}:{superapp_port}");
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    origins
}

/// Refuses a request before routing: a `Host` this listener does not answer to (421), or
/// headers over the caps (431). `None`: go on.
pub fn check<B>(hosts: &Hosts, request: &Request<B>) -> Option<Response<Body>> {
    let headers = request.headers();
    if let Some(refusal) = check_header_sizes(headers) {
        return Some(refusal);
    }
    let named = headers
        .get_all(header::HOST)
        .iter()
        .map(|v| v.to_str().unwrap_or("?").to_string())
        .chain(request.uri().authority().map(|a| a.as_str().to_string()));
    for host in named {
        if !hosts.allows(&host) {
            tracing::warn!(host = %shorten(&host), path = %request.uri().path(), "refused: Host not allowed");
            return Some(refusal(
                StatusCode::MISDIRECTED_REQUEST,
                "MISDIRECTED_REQUEST",
                format!(
                    "Host {:?} is not a name this sandbox answers to (a page of another site rebinding its DNS to this machine would use one); allowed: {}. If you reach the sandbox by that name, start it with --allowed-host {}",
                    shorten(&host),
                    hosts.describe(),
                    shorten(&host)
                ),
            ));
        }
    }
    None
}

fn check_header_sizes(headers: &HeaderMap) -> Option<Response<Body>> {
    let mut total = 0usize;
    for (name, value) in headers {
        let line = name.as_str().len() + value.len() + 4;
        if line > MAX_HEADER_LINE {
            return Some(refusal(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "HEADER_TOO_LARGE",
                format!(
                    "header {} is {} bytes; a header line may have at most {MAX_HEADER_LINE}",
                    name.as_str(),
                    value.len()
                ),
            ));
        }
        total = total.saturating_add(line);
    }
    if total > MAX_HEADERS_TOTAL {
        return Some(refusal(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "HEADERS_TOO_LARGE",
            format!("the request headers are {total} bytes; at most {MAX_HEADERS_TOTAL} in all"),
        ));
    }
    None
}

/// At most 100 characters of a value from the request, for a message.
pub fn shorten(s: &str) -> String {
    if s.chars().count() <= 100 {
        s.to_string()
    } else {
        let head: String = s.chars().take(100).collect();
        format!("{head}… ({} bytes)", s.len())
    }
}

/// A perimeter refusal: `{ error, message }` JSON; the connection closes after it.
pub fn refusal(status: StatusCode, code: &str, message: String) -> Response<Body> {
    let body = json!({"error": code, "message": message}).to_string();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::host::parse_allowed_host;

    fn listener(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_listener_answers_its_loopback_names_and_configured_hosts_only() {
        let extra = vec![
            parse_allowed_host("Sandbox.LAN").unwrap(),
            parse_allowed_host("box:9000").unwrap(),
        ];
        let hosts =
            Hosts::for_listener(listener("127.0.0.1:8700"), "http://127.0.0.1:8700", &extra);
        for ok in [
            "127.0.0.1:8700",
            "localhost:8700",
            "LOCALHOST:8700",
            "[::1]:8700",
            "sandbox.lan",
            "sandbox.lan:1234",
            "box:9000",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for bad in [
            "attacker.example",
            "attacker.example:8700",
            "127.0.0.1:8701",
            "localhost",
            "localhost.:8700",
            "127.0.0.1.nip.io:8700",
            "box:9001",
            "box",
            "user@127.0.0.1:8700",
            "127.0.0.1:8700/x",
            "",
            "[::2]:8700",
            "127.0.0.1:08700x",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
        let public = Hosts::for_listener(listener("0.0.0.0:8700"), "https://pay.example.com", &[]);
        assert!(public.allows("pay.example.com"));
        assert!(public.allows("pay.example.com:443"));
        assert!(!public.allows("0.0.0.0:8700"));
        let any = Hosts::for_listener(
            listener("127.0.0.1:1"),
            "http://127.0.0.1:1",
            &[AllowedHost::Any],
        );
        assert!(any.allows("whatever.example") && any.allows("not a host"));
    }

    #[test]
    fn allowed_host_values_are_checked() {
        assert_eq!(
            parse_allowed_host("[::1]:80"),
            Ok(AllowedHost::Name {
                host: "[::1]".into(),
                port: Some(80)
            })
        );
        for bad in ["", "http://x", "a/b", "x:", "x:99999", "a@b", "[zz]"] {
            assert!(parse_allowed_host(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn super_app_origins_are_the_public_base_and_names_on_its_port() {
        let extra = vec![parse_allowed_host("sandbox.lan").unwrap(), AllowedHost::Any];
        let origins = super_app_origins("http://127.0.0.1:8700/", 8700, &extra);
        assert_eq!(
            origins,
            [
                "http://127.0.0.1:8700",
                "http://localhost:8700",
                "http://[::1]:8700",
                "http://sandbox.lan:8700"
            ]
        );
    }

    #[test]
    fn header_caps_refuse_a_long_line_and_a_large_total() {
        let mut h = HeaderMap::new();
        h.insert(
            "client-id",
            HeaderValue::from_str(&"x".repeat(9000)).unwrap(),
        );
        assert_eq!(
            check_header_sizes(&h).map(|r| r.status()),
            Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        );
        let mut h = HeaderMap::new();
        for i in 0..5 {
            h.insert(
                header::HeaderName::from_bytes(format!("x-{i}").as_bytes()).unwrap(),
                HeaderValue::from_str(&"y".repeat(7000)).unwrap(),
            );
        }
        assert!(check_header_sizes(&h).is_some());
        h.remove("x-0");
        assert!(check_header_sizes(&h).is_none());
    }
}
