//! `POST /relay`: the server-side network path of `my.request`, as a device's native stack is.
//!
//! The mini program's request arrives as a JSON envelope (DESIGN.md "Relay envelope"), is
//! checked against that mini program's domain whitelist, and is forwarded with no redirect
//! followed; status, headers and body come back unchanged (body base64). It is no open proxy:
//! only `http(s)` URLs whose `host[:port]` is whitelisted for the `appId`, bounded in size and time.

use std::time::{Duration, Instant};

use axum::extract::State as AxumState;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::State;

/// Largest request body forwarded (decoded).
pub const MAX_REQUEST_BODY: usize = 1024 * 1024;
/// Largest response body returned.
pub const MAX_RESPONSE_BODY: usize = 10 * 1024 * 1024;
/// Largest envelope accepted (the body is base64 inside JSON).
pub const MAX_ENVELOPE: usize = 3 * 1024 * 1024;
/// Default and maximum timeout.
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
    /// `whitelist`, `timeout`, `network`, `too_large`, `bad_request`.
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

/// Whether `url`'s `host[:port]` is in `whitelist`. An entry without a port matches the
/// scheme's default port only.
pub fn whitelisted(url: &reqwest::Url, whitelist: &[String]) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    let explicit = url.port();
    let effective = url.port_or_known_default();
    whitelist.iter().any(|entry| {
        let entry = entry.trim().to_ascii_lowercase();
        let Ok(parsed) = reqwest::Url::parse(&format!("{}://{entry}/", url.scheme())) else {
            return false;
        };
        let Some(entry_host) = parsed.host_str() else {
            return false;
        };
        if entry_host != host {
            return false;
        }
        match parsed.port() {
            Some(p) => effective == Some(p),
            None => explicit.is_none() || explicit == parsed.port_or_known_default(),
        }
    })
}

/// A validated envelope.
#[derive(Debug)]
pub struct Envelope {
    /// Mini program.
    pub app_id: String,
    /// Target.
    pub url: reqwest::Url,
    /// Method.
    pub method: reqwest::Method,
    /// Headers to forward.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Option<Vec<u8>>,
    /// Timeout.
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

/// `POST /relay`.
pub async fn relay(AxumState(state): AxumState<State>, body: axum::body::Bytes) -> Response {
    let started = Instant::now();
    let result = forward(&state, &body).await;
    match result {
        Ok((status, url, value)) => {
            tracing::info!(url = %url, status, duration_ms = started.elapsed().as_millis() as u64, "relay");
            Json(value).into_response()
        }
        Err(e) => {
            tracing::info!(error = e.kind, message = %e.message, "relay refused or failed");
            Json(json!({"error": e.kind, "message": e.message})).into_response()
        }
    }
}

async fn forward(state: &State, raw: &[u8]) -> Result<(u16, String, Value), RelayError> {
    if raw.len() > MAX_ENVELOPE {
        return Err(RelayError::new("too_large", "envelope too large"));
    }
    let env = parse_envelope(raw)?;
    let app = state
        .store
        .mini_program(&env.app_id)
        .map_err(|e| RelayError::new("network", e.to_string()))?
        .ok_or_else(|| RelayError::bad(format!("appId: unknown mini program {:?}", env.app_id)))?;
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
    if env.url.scheme() == "https" {
        return Err(RelayError::new(
            "network",
            "the sandbox relay has no TLS; use http:// for local merchant servers",
        ));
    }
    let mut req = state
        .relay_client
        .request(env.method.clone(), env.url.clone())
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
    let status = resp.status().as_u16();
    if resp
        .content_length()
        .is_some_and(|l| l > MAX_RESPONSE_BODY as u64)
    {
        return Err(RelayError::new(
            "too_large",
            format!("response body over {MAX_RESPONSE_BODY} bytes"),
        ));
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
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_RESPONSE_BODY {
                    return Err(RelayError::new(
                        "too_large",
                        format!("response body over {MAX_RESPONSE_BODY} bytes"),
                    ));
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
    Ok((
        status,
        env.url.to_string(),
        json!({"status": status, "headers": headers, "body": STANDARD.encode(&body)}),
    ))
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
