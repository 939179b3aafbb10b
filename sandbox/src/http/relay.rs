//! `POST /relay`: the server-side network path of `my.request`, as a device's native stack is.
//!
//! The mini program's request arrives as a JSON envelope (DESIGN.md "Relay envelope"), is
//! checked against that mini program's domain whitelist, and is forwarded with no redirect
//! followed; status, headers and body come back unchanged (body base64). It is no open proxy:
//! only for the app's registered origin (or the super app's shell acting for it), only `http`
//! URLs whose `host[:port]` is whitelisted for the `appId` (an `https` one only when the super
//! app maps its origin to an `http` target, `--map-origin`), bounded in size, time and
//! concurrency. The answer is read as a stream with its cap enforced while reading, and sent out
//! as a stream (base64 in slices), so one relay holds at most the capped answer once.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State as AxumState;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::app::State;

/// Largest request body forwarded (decoded).
pub const MAX_REQUEST_BODY: usize = 1024 * 1024;
/// Largest response body returned.
pub const MAX_RESPONSE_BODY: usize = 10 * 1024 * 1024;
/// Largest envelope accepted (the body is base64 inside JSON).
pub const MAX_ENVELOPE: usize = 3 * 1024 * 1024;
/// The timeout of a relayed request that names no `timeoutMs`.
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;
/// Upper bound of `timeoutMs`.
pub const MAX_TIMEOUT_MS: u64 = 60_000;

const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "TRACE", "PATCH",
];

/// Headers never forwarded in either direction (hop-by-hop), plus what the browser must not set.
fn dropped_request_header(name: &str) -> bool {
    matches!(
        name,
        "host"
            | "cookie"
            | "content-length"
            | "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authorization"
            | "proxy-authenticate"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "origin"
            | "referer"
    )
}

fn dropped_response_header(name: &str) -> bool {
    matches!(
        name,
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
    )
}

/// A relay failure: `{ error, message }` with HTTP 200.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayError {
    /// `whitelist`, `timeout`, `network`, `too_large`, `bad_request`, `origin` (the caller is
    /// not the app's registered origin nor the super app), `busy` (`--relay-concurrency`).
    pub kind: &'static str,
    /// Details (names the domain for `whitelist`).
    pub message: String,
}

impl RelayError {
    fn new(kind: &'static str, message: impl Into<String>) -> RelayError {
        RelayError {
            kind,
            message: message.into(),
        }
    }
    fn bad(message: impl Into<String>) -> RelayError {
        RelayError::new("bad_request", message)
    }
}

/// Whether `url` is let through by `whitelist`, as `miniprogram-policy` (shared with the shim)
/// decides; an entry it cannot read lets nothing through.
pub fn whitelisted(url: &reqwest::Url, whitelist: &[String]) -> bool {
    let origin = miniprogram_policy::Origin::from_parts(
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port(),
    );
    origin.is_ok_and(|o| miniprogram_policy::Whitelist::parse_readable(whitelist).allows(&o))
}

/// Refuses a URL whose text could mean another host to another parser: it must be written
/// `http(s)://host[:port]/…` with the host and port in their canonical form (what the relay
/// checks is what it connects to, and what the shim checked): no credentials (`a@b`), no
/// backslash, no percent-encoded, numeric-shorthand, trailing-dot or non-canonical IPv6 host,
/// no leading zeros or empty port, no whitespace or control characters.
pub fn check_url_text(text: &str, url: &reqwest::Url) -> Result<(), RelayError> {
    let refuse = |why: &str| {
        Err(RelayError::bad(format!(
            "url: {:?} {why}",
            crate::http::perimeter::shorten(text)
        )))
    };
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("contains whitespace or control characters");
    }
    if text.contains('\\') {
        return refuse("contains a backslash");
    }
    let scheme = url.scheme();
    let Some(rest) = text
        .get(..scheme.len() + 3)
        .filter(|head| head.eq_ignore_ascii_case(&format!("{scheme}://")))
        .map(|head| &text[head.len()..])
    else {
        return refuse("must start with http:// or https://");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') || !url.username().is_empty() || url.password().is_some() {
        return refuse("carries credentials (user@host); they are not relayed");
    }
    if authority.contains('%') {
        return refuse("has a percent-encoded host");
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((inner, port)) => (format!("[{inner}]"), port),
            None => return refuse("has an unclosed IPv6 address"),
        },
        None => match authority.split_once(':') {
            Some((host, _)) => (host.to_string(), &authority[host.len()..]),
            None => (authority.to_string(), ""),
        },
    };
    let canonical = url.host_str().unwrap_or_default();
    if host.to_ascii_lowercase() != canonical {
        return refuse(&format!(
            "writes its host {host:?} in a form that means {canonical:?}; write {canonical:?}"
        ));
    }
    match port.strip_prefix(':') {
        None if port.is_empty() => Ok(()),
        Some(p)
            if !p.is_empty() && !p.starts_with('0') && p.bytes().all(|b| b.is_ascii_digit()) =>
        {
            match p.parse::<u16>().ok() {
                Some(n) if Some(n) == url.port_or_known_default() => Ok(()),
                _ => refuse("has a port that is not one number from 1 to 65535"),
            }
        }
        _ => refuse("has an empty, zero-padded or malformed port"),
    }
}

/// A validated envelope.
#[derive(Debug)]
pub struct Envelope {
    pub app_id: String,
    pub url: reqwest::Url,
    pub method: reqwest::Method,
    /// Headers to forward.
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub timeout: Duration,
}

/// Parses and validates an envelope (whitelist not yet checked).
pub fn parse_envelope(raw: &[u8]) -> Result<Envelope, RelayError> {
    let json: Map<String, Value> = match serde_json::from_slice::<Value>(raw) {
        Ok(Value::Object(m)) => m,
        _ => return Err(RelayError::bad("the envelope must be a JSON object")),
    };
    let app_id = json
        .get("appId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| RelayError::bad("appId: required string"))?
        .to_string();
    let url_text = json
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| RelayError::bad("url: required string"))?;
    let url = reqwest::Url::parse(url_text)
        .map_err(|e| RelayError::bad(format!("url: {url_text:?} is not a URL: {e}")))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(RelayError::bad(format!(
            "url: scheme {:?} is not http or https",
            url.scheme()
        )));
    }
    check_url_text(url_text, &url)?;
    let method = match json.get("method") {
        None | Some(Value::Null) => "GET".to_string(),
        Some(Value::String(m)) => m.to_ascii_uppercase(),
        Some(_) => return Err(RelayError::bad("method: must be a string")),
    };
    if !METHODS.contains(&method.as_str()) {
        return Err(RelayError::bad(format!(
            "method: {method:?} is not one of {}",
            METHODS.join(" ")
        )));
    }
    let method = reqwest::Method::from_bytes(method.as_bytes())
        .map_err(|_| RelayError::bad("method: invalid"))?;
    let mut headers = Vec::new();
    match json.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(h)) => {
            for (k, v) in h {
                let name = k.to_ascii_lowercase();
                let Some(value) = v.as_str() else {
                    return Err(RelayError::bad(format!("headers.{k}: must be a string")));
                };
                if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
                    || reqwest::header::HeaderValue::from_str(value).is_err()
                {
                    return Err(RelayError::bad(format!("headers.{k}: not a valid header")));
                }
                if !dropped_request_header(&name) {
                    headers.push((name, value.to_string()));
                }
            }
        }
        Some(_) => return Err(RelayError::bad("headers: must be an object of strings")),
    }
    let body = match json.get("body") {
        None | Some(Value::Null) => None,
        Some(Value::String(b)) => {
            let decoded = STANDARD
                .decode(b.as_bytes())
                .or_else(|_| URL_SAFE.decode(b.as_bytes()))
                .map_err(|_| RelayError::bad("body: must be base64"))?;
            if decoded.len() > MAX_REQUEST_BODY {
                return Err(RelayError::new(
                    "too_large",
                    format!("request body over {MAX_REQUEST_BODY} bytes"),
                ));
            }
            Some(decoded)
        }
        Some(_) => return Err(RelayError::bad("body: must be a base64 string")),
    };
    let timeout_ms = match json.get("timeoutMs") {
        None | Some(Value::Null) => DEFAULT_TIMEOUT_MS,
        Some(v) => match v.as_f64() {
            Some(ms) if ms.is_finite() && ms > 0.0 => (ms as u64).clamp(1, MAX_TIMEOUT_MS),
            _ => return Err(RelayError::bad("timeoutMs: a positive number")),
        },
    };
    Ok(Envelope {
        app_id,
        url,
        method,
        headers,
        body,
        timeout: Duration::from_millis(timeout_ms),
    })
}

/// `POST /relay`: a JSON answer, HTTP 200 either way (DESIGN.md "Relay envelope").
pub async fn relay(AxumState(state): AxumState<State>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let origin = headers
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("?").to_string());
    match forward(&state, origin.as_deref(), body).await {
        Ok(answer) => {
            tracing::info!(url = %answer.url, status = answer.status, bytes = answer.body.len(), duration_ms = started.elapsed().as_millis() as u64, "relay");
            answer.into_response()
        }
        Err(e) => {
            tracing::info!(error = e.kind, message = %e.message, origin = ?origin, "relay refused or failed");
            Json(json!({"error": e.kind, "message": e.message})).into_response()
        }
    }
}

/// An upstream answer, read in full (at most [`MAX_RESPONSE_BODY`]).
struct Answer {
    url: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: Bytes,
}

/// The header of a relay answer that gives the upstream body's size in bytes (before base64),
/// exposed to the page by the relay's CORS.
pub const BODY_LENGTH: header::HeaderName = header::HeaderName::from_static("x-relay-body-length");

/// Bytes of the upstream body encoded per slice of the answer (a multiple of 3, so the slices'
/// base64 joins into the base64 of the whole).
const SLICE: usize = 48 * 1024;

impl IntoResponse for Answer {
    /// `{"status":…,"headers":[…],"body":"<base64>"}`, the base64 made slice by slice as the
    /// client reads it.
    fn into_response(self) -> Response {
        let head = format!(
            "{{\"status\":{},\"headers\":{},\"body\":\"",
            self.status,
            Value::from(
                self.headers
                    .into_iter()
                    .map(|(k, v)| json!([k, v]))
                    .collect::<Vec<_>>()
            )
        );
        let raw = self.body;
        // Known before the first byte goes: the page sees its progress (uploadFile and
        // downloadFile report it), and `x-relay-body-length` says how many bytes the file has.
        let length = head.len() + raw.len().div_ceil(3) * 4 + 2;
        let body_length = raw.len();
        let slices = raw.len().div_ceil(SLICE);
        let body = std::iter::once(Bytes::from(head))
            .chain((0..slices).map(move |i| {
                let end = raw.len().min((i + 1) * SLICE);
                Bytes::from(STANDARD.encode(&raw[i * SLICE..end]))
            }))
            .chain(std::iter::once(Bytes::from_static(b"\"}")))
            .map(Ok::<_, Infallible>);
        let mut response = Response::new(Body::from_stream(futures_util::stream::iter(body)));
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        headers.insert(BODY_LENGTH, HeaderValue::from(body_length));
        response
    }
}

/// Whether `origin` may use the relay for `app`: the app's registered origin (its `url`), or
/// the super app's own pages (the simulator shell acting for the app). No `Origin`: a tool.
fn origin_may_relay(
    state: &State,
    origin: Option<&str>,
    app: &crate::store::MiniProgramRow,
) -> bool {
    let Some(origin) = origin else {
        return true;
    };
    crate::domain::identity::origin_allowed(Some(origin), &state.super_app_origins)
        || app.origin().is_some_and(|own| same_origin(&own, origin))
}

/// Whether two origins are the same page origin; loopback names on one port count as one
/// (`http://localhost:8701` is the page registered as `http://127.0.0.1:8701/`: the same server).
fn same_origin(registered: &str, origin: &str) -> bool {
    let origin = origin.trim().trim_end_matches('/');
    if registered.eq_ignore_ascii_case(origin) {
        return true;
    }
    let loopback = |o: &str| {
        let rest = o.strip_prefix("http://")?;
        let (host, port) = crate::domain::host::split_authority(rest)?;
        crate::domain::host::LOOPBACK_NAMES
            .contains(&host.as_str())
            .then_some(port.unwrap_or(80))
    };
    matches!((loopback(registered), loopback(origin)), (Some(a), Some(b)) if a == b)
}

async fn forward(state: &State, origin: Option<&str>, body: Body) -> Result<Answer, RelayError> {
    let _slot = state.relay_slots.try_acquire().map_err(|_| {
        RelayError::new(
            "busy",
            format!(
                "the relay is forwarding {} requests already (--relay-concurrency); retry shortly",
                state.config.relay_concurrency
            ),
        )
    })?;
    let raw = axum::body::to_bytes(body, MAX_ENVELOPE)
        .await
        .map_err(|_| {
            RelayError::new(
                "too_large",
                format!("the envelope is over {MAX_ENVELOPE} bytes (or was not received in full)"),
            )
        })?;
    let env = parse_envelope(&raw)?;
    drop(raw);
    let app = state
        .store
        .mini_program(&env.app_id)
        .map_err(|e| RelayError::new("network", e.to_string()))?
        .ok_or_else(|| RelayError::bad(format!("appId: unknown mini program {:?}", env.app_id)))?;
    if !origin_may_relay(state, origin, &app) {
        return Err(RelayError::new(
            "origin",
            format!(
                "{} may not use the relay of mini program {}: only its registered origin ({}) and the super app may",
                crate::http::perimeter::shorten(origin.unwrap_or("?")),
                app.app_id,
                app.origin().unwrap_or_else(|| "none: set its url".into())
            ),
        ));
    }
    if !whitelisted(&env.url, &app.whitelist) {
        let domain = match env.url.port() {
            Some(p) => format!("{}:{p}", env.url.host_str().unwrap_or_default()),
            None => env.url.host_str().unwrap_or_default().to_string(),
        };
        return Err(RelayError::new(
            "whitelist",
            format!(
                "{domain} is not in the whitelist of mini program {}",
                app.app_id
            ),
        ));
    }
    // Checked as written; sent to the target when the super app maps its origin (--map-origin).
    let target = state
        .origin_map
        .target(&env.url)
        .unwrap_or_else(|| env.url.clone());
    if target.scheme() == "https" {
        return Err(RelayError::new(
            "network",
            "the sandbox relay has no TLS; use http:// for local merchant servers, or map the \
             https origin to one (--map-origin https://api.example.com=http://127.0.0.1:8001)",
        ));
    }
    if target != env.url {
        tracing::debug!(url = %env.url, target = %target, "relay: mapped origin");
    }
    let mut req = state
        .relay_client
        .request(env.method.clone(), target)
        .timeout(env.timeout);
    for (k, v) in &env.headers {
        req = req.header(k, v);
    }
    if let Some(b) = env.body {
        req = req.body(b);
    }
    let mut resp = req.send().await.map_err(|e| {
        if e.is_timeout() {
            RelayError::new(
                "timeout",
                format!("no answer within {} ms", env.timeout.as_millis()),
            )
        } else {
            RelayError::new("network", e.to_string())
        }
    })?;
    let too_large = || {
        RelayError::new(
            "too_large",
            format!("response body over {MAX_RESPONSE_BODY} bytes"),
        )
    };
    let status = resp.status().as_u16();
    if resp
        .content_length()
        .is_some_and(|l| l > MAX_RESPONSE_BODY as u64)
    {
        return Err(too_large());
    }
    let headers: Vec<(String, String)> = resp
        .headers()
        .iter()
        .filter(|(k, _)| !dropped_response_header(k.as_str()))
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    // Read as it comes, never past the cap: an endless answer costs MAX_RESPONSE_BODY at most.
    let mut body = Vec::with_capacity(
        resp.content_length()
            .map_or(64 * 1024, |l| l as usize)
            .min(MAX_RESPONSE_BODY),
    );
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_RESPONSE_BODY {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => {
                return Err(RelayError::new(
                    "timeout",
                    "response body not complete in time",
                ))
            }
            Err(e) => return Err(RelayError::new("network", e.to_string())),
        }
    }
    Ok(Answer {
        url: env.url.to_string(),
        status,
        headers,
        body: Bytes::from(body),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> reqwest::Url {
        reqwest::Url::parse(s).unwrap()
    }

    #[test]
    fn whitelist_matches_host_and_port() {
        let wl = vec!["127.0.0.1:8702".to_string(), "example.com".to_string()];
        assert!(whitelisted(&url("http://127.0.0.1:8702/api"), &wl));
        assert!(!whitelisted(&url("http://127.0.0.1:8703/api"), &wl));
        assert!(!whitelisted(&url("http://127.0.0.1/api"), &wl));
        assert!(whitelisted(&url("https://EXAMPLE.com/x"), &wl));
        assert!(whitelisted(&url("http://example.com:80/x"), &wl));
        assert!(!whitelisted(&url("http://example.com:8080/x"), &wl));
        assert!(!whitelisted(&url("http://evil.example.com/x"), &wl));
        assert!(!whitelisted(&url("http://example.com.evil/x"), &wl));
    }

    #[test]
    fn loopback_names_on_one_port_are_one_origin() {
        let own = "http://127.0.0.1:8701";
        assert!(same_origin(own, "http://localhost:8701"));
        assert!(same_origin(own, "http://[::1]:8701/"));
        assert!(!same_origin(own, "http://localhost:8702"));
        assert!(!same_origin(own, "https://localhost:8701"));
        assert!(!same_origin(own, "http://evil.example:8701"));
        assert!(!same_origin(
            "http://shop.example:8701",
            "http://localhost:8701"
        ));
    }

    #[test]
    fn envelope_parsing_rejects_bad_input() {
        let ok = br#"{"appId":"a","url":"http://127.0.0.1:8702/x","method":"post","headers":{"Content-Type":"application/json","Cookie":"x"},"body":"e30=","timeoutMs":100000}"#;
        let env = parse_envelope(ok).unwrap();
        assert_eq!(env.method, reqwest::Method::POST);
        assert_eq!(
            env.headers,
            vec![("content-type".to_string(), "application/json".to_string())]
        );
        assert_eq!(env.body.as_deref(), Some(&b"{}"[..]));
        assert_eq!(env.timeout, Duration::from_millis(MAX_TIMEOUT_MS));
        for bad in [
            &b"[]"[..],
            br#"{"url":"http://a/"}"#,
            br#"{"appId":"a","url":"ftp://a/"}"#,
            br#"{"appId":"a","url":"not a url"}"#,
            br#"{"appId":"a","url":"http://a/","method":"CONNECT"}"#,
            br#"{"appId":"a","url":"http://a/","body":"!!!"}"#,
            br#"{"appId":"a","url":"http://a/","headers":{"x":1}}"#,
            br#"{"appId":"a","url":"http://a/","timeoutMs":-1}"#,
        ] {
            assert_eq!(parse_envelope(bad).unwrap_err().kind, "bad_request");
        }
    }
}
