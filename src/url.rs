//! Just enough URL parsing for `my.request`: scheme, authority and the domain whitelist.
//!
//! The `url` crate would cost tens of KB of IDNA tables in the wasm; the browser's `fetch`
//! does the full parsing later, the shim only needs to know *where* a request goes.

use crate::error::ApiError;

/// The scheme of a request URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `http:`, allowed only for loopback hosts.
    Http,
    /// `https:`.
    Https,
}

/// An absolute `http(s)` URL split where the whitelist needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestUrl {
    /// `http` or `https`.
    pub scheme: Scheme,
    /// Lower-case host; IPv6 literals keep their brackets (`[::1]`).
    pub host: String,
    /// The explicit port, if the URL has one.
    pub port: Option<u16>,
    /// The URL as given (trimmed), for `fetch`.
    pub href: String,
}

impl RequestUrl {
    /// Parses an absolute `http://` or `https://` URL; anything else is error 2 on `url`.
    pub fn parse(input: &str) -> Result<Self, ApiError> {
        let href = input.trim();
        let bad = |reason: &str| ApiError::invalid("url", format!("{reason}: {href:?}"));
        let (scheme, rest) = match href.split_once("://") {
            Some((s, rest)) if s.eq_ignore_ascii_case("https") => (Scheme::Https, rest),
            Some((s, rest)) if s.eq_ignore_ascii_case("http") => (Scheme::Http, rest),
            Some(_) => return Err(bad("only http and https URLs are supported")),
            None => return Err(bad("must be an absolute http(s) URL")),
        };
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        // userinfo is not sent by fetch either; only the host decides the whitelist.
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
        let (host, port) = if let Some(after_bracket) = host_port.strip_prefix('[') {
            let (literal, tail) = after_bracket
                .split_once(']')
                .ok_or_else(|| bad("unterminated IPv6 address"))?;
            let host = format!("[{}]", literal.to_ascii_lowercase());
            match tail {
                "" => (host, None),
                _ => match tail.strip_prefix(':') {
                    Some(port) => (host, parse_port(port).ok_or_else(|| bad("bad port"))?),
                    None => return Err(bad("bad host")),
                },
            }
        } else {
            match host_port.rsplit_once(':') {
                Some((host, port)) => (
                    host.to_ascii_lowercase(),
                    parse_port(port).ok_or_else(|| bad("bad port"))?,
                ),
                None => (host_port.to_ascii_lowercase(), None),
            }
        };
        let host_ok = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~[]:%".contains(&b) || b >= 0x80);
        if !host_ok {
            return Err(bad("bad host"));
        }
        Ok(RequestUrl {
            scheme,
            host,
            port,
            href: href.to_owned(),
        })
    }

    /// `host[:port]` as the whitelist and error messages show it.
    pub fn domain(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", self.host),
            None => self.host.clone(),
        }
    }

    /// The port the request really uses (explicit, or the scheme's default).
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(match self.scheme {
            Scheme::Http => 80,
            Scheme::Https => 443,
        })
    }

    /// `localhost`, `*.localhost`, `127.0.0.0/8` or `[::1]`.
    pub fn is_loopback(&self) -> bool {
        let h = self.host.as_str();
        h == "localhost"
            || h.ends_with(".localhost")
            || h == "[::1]"
            || (h.starts_with("127.")
                && h.split('.').count() == 4
                && h.split('.').all(|p| p.parse::<u8>().is_ok()))
    }

    /// The URL with `query` appended (`?` or `&` as needed), keeping any `#fragment` last.
    pub fn with_query(&self, query: &str) -> String {
        if query.is_empty() {
            return self.href.clone();
        }
        let (base, fragment) = match self.href.find('#') {
            Some(i) => self.href.split_at(i),
            None => (self.href.as_str(), ""),
        };
        let sep = match base.find('?') {
            None => "?",
            Some(i) if i + 1 == base.len() || base.ends_with('&') => "",
            Some(_) => "&",
        };
        format!("{base}{sep}{query}{fragment}")
    }
}

fn parse_port(text: &str) -> Option<Option<u16>> {
    if text.is_empty() {
        return Some(None); // "http://host:/" is the default port
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u16>().ok().map(Some)
}

/// The domains a mini program may request, as configured by the super app.
///
/// Entries are `host` (any port), `host:port` (that port only), `*.example.com` (subdomains
/// of `example.com`, any port) or `*` (every host). An entry written as a URL
/// (`https://api.example.com/`) is reduced to its `host[:port]`. An **empty whitelist allows
/// nothing**, as on a device where the super app has no domains registered for the app.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Whitelist {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Any,
    Host { host: String, port: Option<u16> },
    Suffix { suffix: String, port: Option<u16> },
}

impl Whitelist {
    /// Builds a whitelist from configured entries; an entry that cannot be read is an error
    /// naming it.
    pub fn new<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        let mut parsed = Vec::with_capacity(entries.len());
        for raw in entries {
            let raw = raw.as_ref().trim();
            if raw == "*" {
                parsed.push(Entry::Any);
                continue;
            }
            let without_scheme = raw.split_once("://").map_or(raw, |(_, rest)| rest);
            let authority = without_scheme
                .split(['/', '?', '#'])
                .next()
                .unwrap_or_default();
            let (wildcard, authority) = match authority.strip_prefix("*.") {
                Some(rest) => (true, rest),
                None => (false, authority),
            };
            let url = RequestUrl::parse(&format!("https://{authority}/"))
                .map_err(|_| format!("whitelist entry {raw:?} is not a host[:port]"))?;
            parsed.push(if wildcard {
                Entry::Suffix {
                    suffix: format!(".{}", url.host),
                    port: url.port,
                }
            } else {
                Entry::Host {
                    host: url.host,
                    port: url.port,
                }
            });
        }
        Ok(Whitelist { entries: parsed })
    }

    /// Whether `url` may be requested: its domain is whitelisted, and it is `https` or a
    /// loopback host (error 4 naming the domain otherwise).
    pub fn check(&self, url: &RequestUrl) -> Result<(), ApiError> {
        let port = url.effective_port();
        let port_ok = |p: &Option<u16>| p.is_none_or(|p| p == port);
        let listed = self.entries.iter().any(|e| match e {
            Entry::Any => true,
            Entry::Host { host, port } => *host == url.host && port_ok(port),
            Entry::Suffix { suffix, port } => url.host.ends_with(suffix.as_str()) && port_ok(port),
        });
        if !listed {
            return Err(ApiError::DomainNotWhitelisted {
                domain: url.domain(),
            });
        }
        if url.scheme == Scheme::Http && !url.is_loopback() {
            return Err(ApiError::InsecureScheme {
                domain: url.domain(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_absolute_http_urls_into_scheme_host_port() {
        let cases: &[(&str, Scheme, &str, Option<u16>)] = &[
            (
                "https://api.example.com/x?y=1",
                Scheme::Https,
                "api.example.com",
                None,
            ),
            (
                "HTTP://127.0.0.1:8791/echo",
                Scheme::Http,
                "127.0.0.1",
                Some(8791),
            ),
            (
                "http://user:pw@LOCALHOST:3000",
                Scheme::Http,
                "localhost",
                Some(3000),
            ),
            ("http://[::1]:8080/", Scheme::Http, "[::1]", Some(8080)),
            (
                "https://[2001:DB8::1]/",
                Scheme::Https,
                "[2001:db8::1]",
                None,
            ),
            ("  https://a.b#frag ", Scheme::Https, "a.b", None),
            ("https://a.b:/", Scheme::Https, "a.b", None),
        ];
        for (input, scheme, host, port) in cases {
            let url = RequestUrl::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(
                (url.scheme, url.host.as_str(), url.port),
                (*scheme, *host, *port),
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_unparseable_urls_as_invalid_url_parameter() {
        for input in [
            "",
            "/relative/path",
            "example.com/x",
            "ftp://example.com/",
            "javascript:alert(1)",
            "https://",
            "https://host:99999/",
            "https://host:12ab/",
            "https://[::1/",
            "https://a b/",
        ] {
            match RequestUrl::parse(input) {
                Err(ApiError::InvalidParameter { param, .. }) => {
                    assert_eq!(param, "url", "{input}")
                }
                other => panic!("{input:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn appends_query_before_fragment_with_the_right_separator() {
        let cases = [
            ("http://h/p", "a=1", "http://h/p?a=1"),
            ("http://h/p?x=0", "a=1", "http://h/p?x=0&a=1"),
            ("http://h/p?", "a=1", "http://h/p?a=1"),
            ("http://h/p?x=0&", "a=1", "http://h/p?x=0&a=1"),
            ("http://h/p#top", "a=1", "http://h/p?a=1#top"),
            ("http://h/p?x#top", "a=1", "http://h/p?x&a=1#top"),
            ("http://h/p", "", "http://h/p"),
        ];
        for (href, query, expected) in cases {
            let url = RequestUrl::parse(href).expect(href);
            assert_eq!(url.with_query(query), expected, "{href} + {query}");
        }
    }

    #[test]
    fn whitelist_decides_by_host_port_and_scheme() {
        let list = Whitelist::new(&[
            "127.0.0.1:8791",
            "api.example.com",
            "*.cdn.example.com",
            "https://pay.example.com:8443/ignored/path",
            "LOCALHOST",
        ])
        .expect("valid entries");
        let cases: &[(&str, Option<&str>)] = &[
            ("http://127.0.0.1:8791/echo", None),
            ("http://127.0.0.1:8792/echo", Some("127.0.0.1:8792")),
            ("http://127.0.0.1/echo", Some("127.0.0.1")),
            ("https://api.example.com/x", None),
            ("https://api.example.com:444/x", None),
            ("https://API.EXAMPLE.COM/x", None),
            ("https://img.cdn.example.com/a.png", None),
            ("https://cdn.example.com/a.png", Some("cdn.example.com")),
            ("https://pay.example.com:8443/", None),
            ("https://pay.example.com/", Some("pay.example.com")),
            ("https://evil.com/?api.example.com", Some("evil.com")),
            (
                "https://api.example.com.evil.com/",
                Some("api.example.com.evil.com"),
            ),
            ("http://localhost:5000/", None),
        ];
        for (input, refused) in cases {
            let url = RequestUrl::parse(input).expect(input);
            match (list.check(&url), refused) {
                (Ok(()), None) => {}
                (Err(ApiError::DomainNotWhitelisted { domain }), Some(d)) => {
                    assert_eq!(domain, *d, "{input}")
                }
                (got, want) => panic!("{input}: got {got:?}, wanted refusal of {want:?}"),
            }
        }
    }

    #[test]
    fn plain_http_is_refused_for_non_loopback_hosts_even_when_listed() {
        let list = Whitelist::new(&["*"]).expect("star");
        let cases = [
            ("http://example.com/", false),
            ("https://example.com/", true),
            ("http://127.0.0.1:1/", true),
            ("http://127.1.2.3/", true),
            ("http://127.0.0.1.evil.com/", false),
            ("http://[::1]:9/", true),
            ("http://app.localhost/", true),
        ];
        for (input, allowed) in cases {
            let url = RequestUrl::parse(input).expect(input);
            let result = list.check(&url);
            assert_eq!(result.is_ok(), allowed, "{input}: {result:?}");
            if let Err(e) = result {
                assert!(
                    matches!(e, ApiError::InsecureScheme { .. }),
                    "{input}: {e:?}"
                );
                assert_eq!(e.code(), 4);
            }
        }
    }

    #[test]
    fn empty_whitelist_allows_nothing() {
        let list = Whitelist::new::<&str>(&[]).expect("empty");
        let url = RequestUrl::parse("http://127.0.0.1:8791/").expect("url");
        assert_eq!(
            list.check(&url),
            Err(ApiError::DomainNotWhitelisted {
                domain: "127.0.0.1:8791".into()
            })
        );
    }

    #[test]
    fn unreadable_whitelist_entries_are_named() {
        for bad in ["", "a b", "host:port"] {
            let err = Whitelist::new(&[bad]).expect_err(bad);
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
    }
}
